// SPDX-License-Identifier: MIT
/*
 * Unit tests of IPI routing (vlapic/vlapic_ipi.c) over an array of
 * vlapics: physical, logical cluster, broadcast, shorthands, lowest
 * priority, NMI/INIT/SIPI, and never touching what is not in the array.
 */
#include "tests/unit/test_vlapic.h"

static struct vlapic *lapics[NR_TEST_LAPICS];

/* Vlapics 0..n-1 with the given x2APIC IDs, all software-enabled. */
static void setup_ids(const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < NR_TEST_LAPICS; i++)
		lapics[i] = NULL;
	for (size_t i = 0; i < n; i++) {
		lapics[i] = test_lapic((int)i, ids[i], 1);
		enable(lapics[i]);
	}
}

/* Eight vlapics with IDs 0..7 (one logical cluster). */
static void setup8(void)
{
	static const uint32_t ids[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	setup_ids(ids, 8);
}

static struct vlapic_ipi fixed(uint32_t dest, uint8_t vector)
{
	struct vlapic_ipi ipi = { .dest = dest, .vector = vector };

	return ipi;
}

/* Bitmap of the vlapics of lapics[0..n) with @vector in IRR. */
static unsigned int who_has(size_t n, uint8_t vector)
{
	unsigned int m = 0;

	for (size_t i = 0; i < n; i++)
		if (lapics[i] && irr(lapics[i], vector))
			m |= 1u << i;
	return m;
}

static int route(struct vlapic *src, struct vlapic_ipi ipi)
{
	return vlapic_route_ipi(lapics, NR_TEST_LAPICS, src, &ipi);
}

static void test_physical(void **state)
{
	setup8();
	assert_int_equal(route(lapics[0], fixed(2, 0x40)), 1);
	assert_int_equal(who_has(8, 0x40), 1u << 2);
	assert_int_equal(test_fakes[2].notify_calls, 1);
	assert_int_equal(test_fakes[0].notify_calls, 0);
}

static void test_physical_to_self(void **state)
{
	setup8();
	assert_int_equal(route(lapics[5], fixed(5, 0x41)), 1);
	assert_int_equal(who_has(8, 0x41), 1u << 5);
}

static void test_physical_no_such_id(void **state)
{
	setup8();
	assert_int_equal(route(lapics[0], fixed(100, 0x40)), 0);
	assert_int_equal(route(lapics[0], fixed(0xfffffffe, 0x40)), 0);
	assert_int_equal(who_has(8, 0x40), 0);
}

static void test_physical_large_ids(void **state)
{
	static const uint32_t ids[] = { 0, 0x100, 0xfffff, 0x12345678 };

	setup_ids(ids, 4);
	route(NULL, fixed(0x12345678, 0x50));
	route(NULL, fixed(0xfffff, 0x51));
	assert_int_equal(who_has(4, 0x50), 1u << 3);
	assert_int_equal(who_has(4, 0x51), 1u << 2);
}

static void test_physical_broadcast(void **state)
{
	setup8();
	assert_int_equal(route(lapics[3], fixed(0xffffffff, 0x42)), 8);
	assert_int_equal(who_has(8, 0x42), 0xff);
}

static void test_logical_broadcast(void **state)
{
	struct vlapic_ipi ipi = fixed(0xffffffff, 0x43);

	setup8();
	ipi.logical = true;
	assert_int_equal(route(lapics[3], ipi), 8);
	assert_int_equal(who_has(8, 0x43), 0xff);
}

static void test_logical_bitmap(void **state)
{
	struct vlapic_ipi ipi = fixed(0x00000025, 0x44); /* cluster 0: 0,2,5 */

	setup8();
	ipi.logical = true;
	assert_int_equal(route(lapics[0], ipi), 3);
	assert_int_equal(who_has(8, 0x44), 0x25);
}

static void test_logical_other_cluster(void **state)
{
	static const uint32_t ids[] = { 0x0, 0x1, 0x10, 0x11, 0x1f, 0x20 };
	struct vlapic_ipi ipi = fixed(0x00018003, 0x45); /* cluster 1 */

	setup_ids(ids, 6);
	ipi.logical = true;
	assert_int_equal(route(lapics[0], ipi), 3); /* 0x10, 0x11, 0x1f */
	assert_int_equal(who_has(6, 0x45), 0x1c);
}

static void test_logical_cluster_mismatch(void **state)
{
	struct vlapic_ipi ipi = fixed(0x00020001, 0x46); /* cluster 2 */

	setup8();
	ipi.logical = true;
	assert_int_equal(route(lapics[0], ipi), 0);
	assert_int_equal(who_has(8, 0x46), 0);
}

static void test_logical_empty_bitmap(void **state)
{
	struct vlapic_ipi ipi = fixed(0x00000000, 0x47);

	setup8();
	ipi.logical = true;
	assert_int_equal(route(lapics[0], ipi), 0);
}

static void test_logical_largest_cluster(void **state)
{
	static const uint32_t ids[] = { 0xffff0, 0xffff1, 0xfffff, 0xfffe0,
					0xf };
	struct vlapic_ipi ipi = fixed(0xffff8000, 0x48);

	setup_ids(ids, 5);
	ipi.logical = true;
	assert_int_equal(route(NULL, ipi), 1);
	assert_int_equal(who_has(5, 0x48), 1u << 2);
	ipi = fixed(0xffff0003, 0x49);
	ipi.logical = true;
	assert_int_equal(route(NULL, ipi), 2);
	assert_int_equal(who_has(5, 0x49), 0x3);
	/* Cluster 0xffff with the full bitmap is the broadcast. */
	ipi = fixed(0xffffffff, 0x4a);
	ipi.logical = true;
	assert_int_equal(route(NULL, ipi), 5);
}

static void test_logical_cluster_ffff_not_cluster_0(void **state)
{
	static const uint32_t ids[] = { 0x0, 0x1, 0xffff0 };
	struct vlapic_ipi ipi = fixed(0xffff0001, 0x4b);

	setup_ids(ids, 3);
	ipi.logical = true;
	assert_int_equal(route(NULL, ipi), 1);
	assert_int_equal(who_has(3, 0x4b), 1u << 2);
}

static void test_shorthand_self(void **state)
{
	struct vlapic_ipi ipi = fixed(3, 0x50); /* dest ignored */

	setup8();
	ipi.shorthand = APIC_SH_SELF;
	assert_int_equal(route(lapics[6], ipi), 1);
	assert_int_equal(who_has(8, 0x50), 1u << 6);
}

static void test_shorthand_all(void **state)
{
	struct vlapic_ipi ipi = fixed(3, 0x51);

	setup8();
	ipi.shorthand = APIC_SH_ALL;
	assert_int_equal(route(lapics[6], ipi), 8);
	assert_int_equal(who_has(8, 0x51), 0xff);
}

static void test_shorthand_all_but_self(void **state)
{
	struct vlapic_ipi ipi = fixed(6, 0x52);

	setup8();
	ipi.shorthand = APIC_SH_ALL_BUT_SELF;
	assert_int_equal(route(lapics[6], ipi), 7);
	assert_int_equal(who_has(8, 0x52), 0xbf);
}

static void test_shorthand_self_not_in_array(void **state)
{
	static struct vlapic outsider;
	struct vlapic_ipi ipi = fixed(0, 0x53);

	setup8();
	vlapic_init(&outsider, 99, false, 1, &test_ops, &test_fakes[7]);
	enable(&outsider);
	ipi.shorthand = APIC_SH_SELF;
	assert_int_equal(route(&outsider, ipi), 0);
	assert_false(irr(&outsider, 0x53));
	assert_int_equal(who_has(8, 0x53), 0);
	ipi.shorthand = APIC_SH_ALL_BUT_SELF;
	assert_int_equal(route(&outsider, ipi), 8);
	assert_false(irr(&outsider, 0x53));
}

static void test_beyond_array_untouched(void **state)
{
	static uint8_t before[2][VLAPIC_PAGE_SIZE];
	struct vlapic_ipi ipi = fixed(0xffffffff, 0x54);

	setup8();
	memcpy(before[0], lapics[6]->regs, VLAPIC_PAGE_SIZE);
	memcpy(before[1], lapics[7]->regs, VLAPIC_PAGE_SIZE);
	assert_int_equal(vlapic_route_ipi(lapics, 6, lapics[0], &ipi), 6);
	ipi.shorthand = APIC_SH_ALL;
	assert_int_equal(vlapic_route_ipi(lapics, 6, lapics[0], &ipi), 6);
	ipi = fixed(7, 0x55); /* exists, but beyond n */
	assert_int_equal(vlapic_route_ipi(lapics, 6, lapics[0], &ipi), 0);
	ipi.mode = APIC_DM_INIT;
	assert_int_equal(vlapic_route_ipi(lapics, 6, lapics[0], &ipi), 0);
	ipi.mode = APIC_DM_LOWEST;
	ipi.dest = 0xffffffff;
	assert_int_equal(vlapic_route_ipi(lapics, 6, lapics[0], &ipi), 1);
	assert_memory_equal(before[0], lapics[6]->regs, VLAPIC_PAGE_SIZE);
	assert_memory_equal(before[1], lapics[7]->regs, VLAPIC_PAGE_SIZE);
	assert_int_equal(test_fakes[6].notify_calls +
				 test_fakes[7].notify_calls +
				 test_fakes[7].init_calls,
			 0);
	assert_int_equal(who_has(8, 0x54), 0x3f);
}

static void test_zero_length_array(void **state)
{
	struct vlapic_ipi ipi = fixed(0xffffffff, 0x56);

	setup8();
	assert_int_equal(vlapic_route_ipi(lapics, 0, lapics[0], &ipi), 0);
	assert_int_equal(who_has(8, 0x56), 0);
}

static void test_null_entries_skipped(void **state)
{
	struct vlapic_ipi ipi = fixed(0xffffffff, 0x57);

	setup8();
	lapics[1] = NULL;
	lapics[4] = NULL;
	assert_int_equal(route(lapics[0], ipi), 6);
	assert_int_equal(who_has(8, 0x57), 0xed);
}

static void test_lowest_picks_exactly_one(void **state)
{
	struct vlapic_ipi ipi = fixed(0xffffffff, 0x60);

	setup8();
	ipi.mode = APIC_DM_LOWEST;
	assert_int_equal(route(lapics[0], ipi), 1);
	assert_int_equal(__builtin_popcount(who_has(8, 0x60)), 1);
}

static void test_lowest_picks_lowest_ppr(void **state)
{
	struct vlapic_ipi ipi = fixed(0xffffffff, 0x61);

	setup8();
	for (int i = 0; i < 8; i++)
		wr(lapics[i], X2APIC_MSR(APIC_TPR), i == 5 ? 0x10 : 0x20);
	ipi.mode = APIC_DM_LOWEST;
	assert_int_equal(route(lapics[0], ipi), 1);
	assert_int_equal(who_has(8, 0x61), 1u << 5);
	/* An in-service interrupt raises PPR: 5 is no longer lowest. */
	vlapic_set_irq(lapics[5], 0x90, false);
	take(lapics[5]);
	wr(lapics[3], X2APIC_MSR(APIC_TPR), 0x1f);
	ipi.vector = 0x62;
	route(lapics[0], ipi);
	assert_int_equal(who_has(8, 0x62), 1u << 3);
}

static void test_lowest_ties_spread_by_vector(void **state)
{
	struct vlapic_ipi ipi = fixed(0x00000006, 0x70); /* logical 1, 2 */

	setup8();
	ipi.logical = true;
	ipi.mode = APIC_DM_LOWEST;
	route(lapics[0], ipi);
	ipi.vector = 0x71;
	route(lapics[0], ipi);
	assert_int_equal(who_has(8, 0x70), 1u << 1); /* 0x70 % 2 == 0 */
	assert_int_equal(who_has(8, 0x71), 1u << 2);
}

static void test_lowest_skips_disabled(void **state)
{
	struct vlapic_ipi ipi = fixed(0x00000003, 0x72);

	setup8();
	wr(lapics[0], X2APIC_MSR(APIC_SVR), 0xff);
	wr(lapics[1], X2APIC_MSR(APIC_TPR), 0xf0);
	ipi.logical = true;
	ipi.mode = APIC_DM_LOWEST;
	assert_int_equal(route(NULL, ipi), 1);
	assert_int_equal(who_has(8, 0x72), 1u << 1);
	wr(lapics[1], X2APIC_MSR(APIC_SVR), 0xff);
	assert_int_equal(route(NULL, ipi), 0);
}

static void test_lowest_with_shorthand(void **state)
{
	struct vlapic_ipi ipi = fixed(0, 0x73);

	setup8();
	ipi.mode = APIC_DM_LOWEST;
	ipi.shorthand = APIC_SH_ALL_BUT_SELF;
	for (int i = 0; i < 8; i++)
		wr(lapics[i], X2APIC_MSR(APIC_TPR), i == 2 ? 0x00 : 0x80);
	assert_int_equal(route(lapics[2], ipi), 1);
	assert_int_equal(__builtin_popcount(who_has(8, 0x73)), 1);
	assert_false(irr(lapics[2], 0x73));
}

static void test_lowest_no_match(void **state)
{
	struct vlapic_ipi ipi = fixed(42, 0x74);

	setup8();
	ipi.mode = APIC_DM_LOWEST;
	assert_int_equal(route(NULL, ipi), 0);
	assert_int_equal(who_has(8, 0x74), 0);
}

static void test_nmi(void **state)
{
	struct vlapic_ipi ipi = fixed(4, 0);

	setup8();
	wr(lapics[4], X2APIC_MSR(APIC_SVR), 0xff); /* NMI gets through */
	ipi.mode = APIC_DM_NMI;
	assert_int_equal(route(lapics[0], ipi), 1);
	assert_int_equal(test_fakes[4].nmi_calls, 1);
	for (int i = 0; i < 8; i++)
		if (i != 4)
			assert_int_equal(test_fakes[i].nmi_calls, 0);
	assert_int_equal(who_has(8, 0), 0);
}

static void test_nmi_all_but_self(void **state)
{
	struct vlapic_ipi ipi = fixed(0, 2);

	setup8();
	ipi.mode = APIC_DM_NMI;
	ipi.shorthand = APIC_SH_ALL_BUT_SELF;
	assert_int_equal(route(lapics[0], ipi), 7);
	assert_int_equal(test_fakes[0].nmi_calls, 0);
	assert_int_equal(test_fakes[7].nmi_calls, 1);
}

static void test_init_sipi(void **state)
{
	struct vlapic_ipi ipi = fixed(3, 0);

	setup8();
	/* Linux's sequence: INIT assert, INIT de-assert, SIPI, SIPI. */
	ipi.mode = APIC_DM_INIT;
	ipi.level = true;
	ipi.assert = true;
	assert_int_equal(route(lapics[0], ipi), 1);
	assert_int_equal(test_fakes[3].init_calls, 1);
	ipi.assert = false;
	assert_int_equal(route(lapics[0], ipi), 0);
	assert_int_equal(test_fakes[3].init_calls, 1);
	ipi = fixed(3, 0x9a);
	ipi.mode = APIC_DM_STARTUP;
	assert_int_equal(route(lapics[0], ipi), 1);
	assert_int_equal(route(lapics[0], ipi), 1);
	assert_int_equal(test_fakes[3].sipi_calls, 2);
	assert_int_equal(test_fakes[3].sipi_vector, 0x9a);
	for (int i = 0; i < 8; i++)
		if (i != 3)
			assert_int_equal(test_fakes[i].init_calls +
						 test_fakes[i].sipi_calls,
					 0);
}

static void test_init_edge(void **state)
{
	struct vlapic_ipi ipi = fixed(1, 0);

	setup8();
	ipi.mode = APIC_DM_INIT;
	assert_int_equal(route(lapics[0], ipi), 1);
	assert_int_equal(test_fakes[1].init_calls, 1);
}

static void test_sipi_vector_zero_legal(void **state)
{
	struct vlapic_ipi ipi = fixed(1, 0);

	setup8();
	ipi.mode = APIC_DM_STARTUP;
	assert_int_equal(route(lapics[0], ipi), 1);
	assert_int_equal(test_fakes[1].sipi_calls, 1);
	assert_int_equal(test_fakes[1].sipi_vector, 0);
	assert_int_equal(esr(lapics[1]), 0);
}

static void test_level_fixed_is_edge(void **state)
{
	struct vlapic_ipi ipi = fixed(1, 0x80);

	setup8();
	ipi.level = true;
	ipi.assert = true;
	assert_int_equal(route(lapics[0], ipi), 1);
	assert_true(irr(lapics[1], 0x80));
	assert_false(tmr(lapics[1], 0x80));
	ipi.assert = false;
	ipi.vector = 0x81;
	assert_int_equal(route(lapics[0], ipi), 0); /* de-assert: ignored */
	assert_false(irr(lapics[1], 0x81));
}

static void test_undeliverable_modes(void **state)
{
	static const uint8_t modes[] = { APIC_DM_SMI, APIC_DM_RESERVED,
					 APIC_DM_EXTINT };
	struct vlapic_ipi ipi = fixed(0xffffffff, 0x82);

	setup8();
	for (size_t i = 0; i < sizeof(modes); i++) {
		ipi.mode = modes[i];
		assert_int_equal(route(lapics[0], ipi), 0);
	}
	assert_int_equal(who_has(8, 0x82), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(test_fakes[i].nmi_calls +
					 test_fakes[i].init_calls +
					 test_fakes[i].sipi_calls,
				 0);
}

static void test_fixed_to_disabled_dropped(void **state)
{
	setup8();
	wr(lapics[2], X2APIC_MSR(APIC_SVR), 0xff);
	route(lapics[0], fixed(2, 0x83));
	assert_false(irr(lapics[2], 0x83));
	assert_int_equal(test_fakes[2].notify_calls, 0);
}

static void test_illegal_vector_received(void **state)
{
	setup8();
	wr(lapics[2], X2APIC_MSR(APIC_LVT_ERROR), 0xf3);
	route(lapics[0], fixed(2, 0x0e));
	assert_false(irr(lapics[2], 0x0e));
	assert_int_equal(vlapic_pending(lapics[2]), 0xf3);
	assert_int_equal(esr(lapics[2]), APIC_ESR_RECV_ILLEGAL);
	assert_int_equal(esr(lapics[0]), 0);
}

static void test_icr_end_to_end(void **state)
{
	struct fake *f;

	setup8();
	f = fake_of(lapics[0]);
	f->route_to = lapics;
	f->route_n = 8;
	wr(lapics[0], X2APIC_MSR(APIC_ICR), 3ull << 32 | 0x91);
	assert_int_equal(f->routed, 1);
	assert_int_equal(vlapic_pending(lapics[3]), 0x91);
	assert_int_equal(test_fakes[3].notify_calls, 1);
	/* Logical, all-but-self NMI and a broadcast fixed IPI. */
	wr(lapics[0], X2APIC_MSR(APIC_ICR), 0xc0400);
	assert_int_equal(f->routed, 7);
	wr(lapics[0], X2APIC_MSR(APIC_ICR), 0xffffffffull << 32 | 0x92);
	assert_int_equal(who_has(8, 0x92), 0xff);
	assert_true(f->max_depth <= 2);
}

static void test_icr_illegal_end_to_end(void **state)
{
	struct fake *f;

	setup8();
	f = fake_of(lapics[0]);
	f->route_to = lapics;
	f->route_n = 8;
	wr(lapics[0], X2APIC_MSR(APIC_LVT_ERROR), 0xf1);
	wr(lapics[1], X2APIC_MSR(APIC_LVT_ERROR), 0xf2);
	wr(lapics[0], X2APIC_MSR(APIC_ICR), 1ull << 32 | 0x05);
	assert_int_equal(vlapic_pending(lapics[0]), 0xf1);
	assert_int_equal(vlapic_pending(lapics[1]), 0xf2);
	assert_int_equal(esr(lapics[0]), APIC_ESR_SEND_ILLEGAL);
	assert_int_equal(esr(lapics[1]), APIC_ESR_RECV_ILLEGAL);
}

static void test_icr_decode(void **state)
{
	struct vlapic_ipi ipi;

	vlapic_icr_decode(0xfedcba98ull << 32 | 0xcce5a, &ipi);
	assert_int_equal(ipi.dest, 0xfedcba98);
	assert_int_equal(ipi.vector, 0x5a);
	assert_int_equal(ipi.mode, APIC_DM_STARTUP);
	assert_true(ipi.logical);
	assert_true(ipi.level);
	assert_true(ipi.assert);
	assert_int_equal(ipi.shorthand, APIC_SH_ALL_BUT_SELF);
	vlapic_icr_decode(0x20, &ipi);
	assert_int_equal(ipi.dest, 0);
	assert_int_equal(ipi.mode, APIC_DM_FIXED);
	assert_false(ipi.logical);
	assert_false(ipi.level);
	assert_false(ipi.assert);
	assert_int_equal(ipi.shorthand, APIC_SH_NONE);
}

int run_vlapic_ipi_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_physical),
		cmocka_unit_test(test_physical_to_self),
		cmocka_unit_test(test_physical_no_such_id),
		cmocka_unit_test(test_physical_large_ids),
		cmocka_unit_test(test_physical_broadcast),
		cmocka_unit_test(test_logical_broadcast),
		cmocka_unit_test(test_logical_bitmap),
		cmocka_unit_test(test_logical_other_cluster),
		cmocka_unit_test(test_logical_cluster_mismatch),
		cmocka_unit_test(test_logical_empty_bitmap),
		cmocka_unit_test(test_logical_largest_cluster),
		cmocka_unit_test(test_logical_cluster_ffff_not_cluster_0),
		cmocka_unit_test(test_shorthand_self),
		cmocka_unit_test(test_shorthand_all),
		cmocka_unit_test(test_shorthand_all_but_self),
		cmocka_unit_test(test_shorthand_self_not_in_array),
		cmocka_unit_test(test_beyond_array_untouched),
		cmocka_unit_test(test_zero_length_array),
		cmocka_unit_test(test_null_entries_skipped),
		cmocka_unit_test(test_lowest_picks_exactly_one),
		cmocka_unit_test(test_lowest_picks_lowest_ppr),
		cmocka_unit_test(test_lowest_ties_spread_by_vector),
		cmocka_unit_test(test_lowest_skips_disabled),
		cmocka_unit_test(test_lowest_with_shorthand),
		cmocka_unit_test(test_lowest_no_match),
		cmocka_unit_test(test_nmi),
		cmocka_unit_test(test_nmi_all_but_self),
		cmocka_unit_test(test_init_sipi),
		cmocka_unit_test(test_init_edge),
		cmocka_unit_test(test_sipi_vector_zero_legal),
		cmocka_unit_test(test_level_fixed_is_edge),
		cmocka_unit_test(test_undeliverable_modes),
		cmocka_unit_test(test_fixed_to_disabled_dropped),
		cmocka_unit_test(test_illegal_vector_received),
		cmocka_unit_test(test_icr_end_to_end),
		cmocka_unit_test(test_icr_illegal_end_to_end),
		cmocka_unit_test(test_icr_decode),
	};

	return cmocka_run_group_tests_name("vlapic ipi", tests, NULL, NULL);
}
