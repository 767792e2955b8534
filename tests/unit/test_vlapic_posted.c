// SPDX-License-Identifier: MIT
/*
 * Unit tests of the vlapic's posting channel (vlapic.h: ops->post and
 * vlapic_accept_posted): a fixed interrupt the backend takes never
 * touches the IRR, its TMR bit is right before the backend sees it, IPI
 * routing (logical, broadcast, shorthands) still decides who gets it,
 * and the owner's merge brings exactly the posted vectors into the IRR.
 */
#include "tests/unit/test_vlapic.h"

/* A software-enabled vlapic @i with ID @id whose backend takes posts. */
static struct vlapic *posting(int i, uint32_t id)
{
	struct vlapic *vl = test_lapic(i, id, 1);

	enable(vl);
	fake_of(vl)->post_take = true;
	return vl;
}

static bool posted(struct vlapic *vl, uint8_t v)
{
	return fake_of(vl)->posted[v / 64] & (1ull << (v % 64));
}

static void test_post_taken_leaves_irr(void **state)
{
	struct vlapic *vl = posting(0, 0);

	vlapic_set_irq(vl, 0x41, false);
	assert_int_equal(fake_of(vl)->post_calls, 1);
	assert_int_equal(fake_of(vl)->post_vector, 0x41);
	assert_true(posted(vl, 0x41));
	assert_false(irr(vl, 0x41));
	assert_int_equal(fake_of(vl)->notify_calls, 0);
	assert_int_equal(vlapic_pending(vl), -1);
	assert_int_equal(vlapic_accept_posted(vl, fake_of(vl)->posted), 0x41);
	assert_true(irr(vl, 0x41));
	assert_int_equal(vlapic_pending(vl), 0x41);
}

static void test_post_refused_sets_irr(void **state)
{
	struct vlapic *vl = bsp(); /* post_take false */

	vlapic_set_irq(vl, 0x42, false);
	assert_int_equal(fake_of(vl)->post_calls, 1);
	assert_true(irr(vl, 0x42));
	assert_int_equal(fake_of(vl)->notify_calls, 1);
}

/* The TMR bit is final when the backend sees the vector: the owner may
 * merge it (and build its EOI-exit bitmap) at once. */
static void test_post_sees_final_tmr(void **state)
{
	struct vlapic *vl = posting(0, 0);

	vlapic_set_irq(vl, 0x50, true);
	assert_true(fake_of(vl)->post_saw_tmr);
	assert_true(tmr(vl, 0x50));
	vlapic_set_irq(vl, 0x50, false);
	assert_false(fake_of(vl)->post_saw_tmr);
	assert_false(tmr(vl, 0x50));
}

static void test_post_disabled_not_called(void **state)
{
	struct vlapic *vl = test_lapic(0, 0, 1); /* SVR reset: disabled */

	fake_of(vl)->post_take = true;
	vlapic_set_irq(vl, 0x43, false);
	assert_int_equal(fake_of(vl)->post_calls, 0);
	assert_false(irr(vl, 0x43));
}

/* An illegal vector is refused before the channel; the LVT error
 * interrupt it raises travels through the channel like any other. */
/* The owner's SELF IPI goes into its own IRR, never to ops->post: the
 * owner is in the host, the CPU does not touch the page meanwhile. */
static void test_self_ipi_not_posted(void **state)
{
	struct vlapic *vl = posting(0, 0);

	wr(vl, X2APIC_MSR(APIC_SELF_IPI), 0x52);
	assert_int_equal(fake_of(vl)->post_calls, 0);
	assert_true(irr(vl, 0x52));
	assert_int_equal(vlapic_pending(vl), 0x52);
	assert_int_equal(fake_of(vl)->notify_calls, 1);
	assert_int_equal(vlapic_write_self_ipi(vl, 0x53), 0);
	assert_int_equal(fake_of(vl)->post_calls, 0);
	assert_int_equal(vlapic_pending(vl), 0x53);
	assert_int_equal(vlapic_write_self_ipi(vl, 0x153), -1); /* #GP */
}

static void test_post_illegal_vector(void **state)
{
	struct vlapic *vl = posting(0, 0);

	wr(vl, X2APIC_MSR(APIC_LVT_ERROR), 0x33);
	vlapic_set_irq(vl, 5, false);
	assert_int_equal(fake_of(vl)->post_calls, 1);
	assert_int_equal(fake_of(vl)->post_vector, 0x33);
	assert_false(posted(vl, 5));
	assert_int_equal(esr(vl), APIC_ESR_RECV_ILLEGAL);
}

static struct vlapic *four[4];

/* IDs 0, 1, 2 (logical cluster 0, bits 0-2) and 0x12 (cluster 1, bit 2). */
static void setup_four(void)
{
	static const uint32_t ids[] = { 0, 1, 2, 0x12 };

	for (int i = 0; i < 4; i++)
		four[i] = posting(i, ids[i]);
}

static unsigned int who_posted(uint8_t v)
{
	unsigned int m = 0;

	for (int i = 0; i < 4; i++) {
		if (posted(four[i], v))
			m |= 1u << i;
		assert_false(irr(four[i], v));
	}
	return m;
}

static int send(int src, uint32_t dest, bool logical, uint8_t sh, uint8_t v)
{
	struct vlapic_ipi ipi = { .dest = dest,
				  .vector = v,
				  .mode = APIC_DM_FIXED,
				  .shorthand = sh,
				  .logical = logical };

	return vlapic_route_ipi(four, 4, four[src], &ipi);
}

/* Routing decides the targets; posting only changes how they learn. */
static void test_post_follows_routing(void **state)
{
	setup_four();
	assert_int_equal(send(0, 0x3, true, APIC_SH_NONE, 0x60), 2);
	assert_int_equal(who_posted(0x60), 0x3);
	assert_int_equal(send(1, 0x10004, true, APIC_SH_NONE, 0x61), 1);
	assert_int_equal(who_posted(0x61), 0x8);
	assert_int_equal(send(3, 0xffffffff, true, APIC_SH_NONE, 0x62), 4);
	assert_int_equal(who_posted(0x62), 0xf);
	assert_int_equal(send(2, 0xffffffff, false, APIC_SH_NONE, 0x63), 4);
	assert_int_equal(who_posted(0x63), 0xf);
	assert_int_equal(send(2, 0, false, APIC_SH_ALL_BUT_SELF, 0x64), 3);
	assert_int_equal(who_posted(0x64), 0xb);
	assert_int_equal(send(2, 0, false, APIC_SH_SELF, 0x65), 1);
	assert_int_equal(who_posted(0x65), 0x4);
	assert_int_equal(send(0, 0xffff0001, true, APIC_SH_NONE, 0x66), 0);
	assert_int_equal(who_posted(0x66), 0);
}

static void test_accept_posted_merge(void **state)
{
	struct vlapic *vl = bsp();
	uint64_t req[VLAPIC_REQ_WORDS] = {
		(1ull << 5) | (1ull << 31) | (1ull << 32),
		1ull << 63,
		0,
		1ull << 63,
	};
	const uint64_t none[VLAPIC_REQ_WORDS] = { 0 };
	uint8_t before[VLAPIC_PAGE_SIZE];

	vlapic_set_irq(vl, 0x90, false);
	assert_int_equal(vlapic_accept_posted(vl, req), 255);
	assert_false(irr(vl, 5)); /* illegal: ignored */
	assert_true(irr(vl, 31));
	assert_true(irr(vl, 32));
	assert_true(irr(vl, 127));
	assert_true(irr(vl, 255));
	assert_true(irr(vl, 0x90)); /* what was there stays */
	assert_false(irr(vl, 128));
	memcpy(before, vl->regs, sizeof(before));
	assert_int_equal(vlapic_accept_posted(vl, none), -1);
	assert_memory_equal(before, vl->regs, sizeof(before));
}

/* A posted vector follows the usual life: priority, ack, EOI. */
static void test_accept_posted_lifecycle(void **state)
{
	struct vlapic *vl = posting(0, 0);

	wr(vl, X2APIC_MSR(APIC_TPR), 0x70);
	vlapic_set_irq(vl, 0x71, false);
	vlapic_set_irq(vl, 0x81, false);
	assert_int_equal(vlapic_accept_posted(vl, fake_of(vl)->posted), 0x81);
	assert_int_equal(take(vl), 0x81);
	eoi(vl);
	assert_int_equal(vlapic_pending(vl), -1); /* 0x71 held by TPR */
	wr(vl, X2APIC_MSR(APIC_TPR), 0);
	assert_int_equal(take(vl), 0x71);
	eoi(vl);
	assert_int_equal(vlapic_highest_isr(vl), -1);
	assert_int_equal(vlapic_highest_irr(vl), -1);
}

int run_vlapic_posted_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_post_taken_leaves_irr),
		cmocka_unit_test(test_post_refused_sets_irr),
		cmocka_unit_test(test_post_sees_final_tmr),
		cmocka_unit_test(test_self_ipi_not_posted),
		cmocka_unit_test(test_post_disabled_not_called),
		cmocka_unit_test(test_post_illegal_vector),
		cmocka_unit_test(test_post_follows_routing),
		cmocka_unit_test(test_accept_posted_merge),
		cmocka_unit_test(test_accept_posted_lifecycle),
	};

	return cmocka_run_group_tests_name("vlapic posting", tests, NULL, NULL);
}
