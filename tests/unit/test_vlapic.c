// SPDX-License-Identifier: MIT
/*
 * Unit tests of vlapic/: the fixture, every x2APIC register's read/write/#GP
 * rule, the IA32_APIC_BASE lock and reset. The interrupt, timer and IPI
 * groups are in test_vlapic_irq.c, test_vlapic_timer.c and
 * test_vlapic_ipi.c; main() runs all four.
 */
#include "tests/unit/test_vlapic.h"

struct vlapic test_lapics[NR_TEST_LAPICS];
struct fake test_fakes[NR_TEST_LAPICS];

#define ENTER(vl)                                                              \
	struct fake *f = fake_of(vl);                                          \
	if (++f->depth > f->max_depth)                                         \
	f->max_depth = f->depth

static uint64_t f_now(struct vlapic *vl)
{
	return fake_of(vl)->now;
}

static void f_set_timer(struct vlapic *vl, uint64_t deadline)
{
	ENTER(vl);
	f->set_timer_calls++;
	f->deadline = deadline;
	f->depth--;
}

static void f_notify(struct vlapic *vl)
{
	ENTER(vl);
	__atomic_fetch_add(&f->notify_calls, 1, __ATOMIC_RELAXED);
	f->depth--;
}

static void f_send_ipi(struct vlapic *src, const struct vlapic_ipi *ipi)
{
	ENTER(src);
	f->send_ipi_calls++;
	f->ipi = *ipi;
	if (f->route_to)
		f->routed = vlapic_route_ipi(f->route_to, f->route_n, src, ipi);
	f->depth--;
}

static void f_init(struct vlapic *vl)
{
	ENTER(vl);
	f->init_calls++;
	f->depth--;
}

static void f_sipi(struct vlapic *vl, uint8_t vector)
{
	ENTER(vl);
	f->sipi_calls++;
	f->sipi_vector = vector;
	f->depth--;
}

static void f_nmi(struct vlapic *vl)
{
	ENTER(vl);
	f->nmi_calls++;
	f->depth--;
}

static void f_eoi(struct vlapic *vl, uint8_t vector)
{
	ENTER(vl);
	f->eoi_calls++;
	f->eoi_vector = vector;
	f->depth--;
}

static void f_sync_timer(struct vlapic *vl)
{
	ENTER(vl);
	f->sync_timer_calls++;
	if (f->remote_fired) {
		f->remote_fired = false;
		vlapic_timer_taken(vl);
	}
	f->depth--;
}

static bool f_post(struct vlapic *vl, uint8_t vector)
{
	const uint32_t *tmr_word =
		(const uint32_t *)(const void *)&vl
			->regs[APIC_TMR + (vector >> 5) * APIC_VECTOR_STRIDE];
	bool take;

	ENTER(vl);
	__atomic_fetch_add(&f->post_calls, 1, __ATOMIC_RELAXED);
	f->post_vector = vector;
	f->post_saw_tmr = *tmr_word & (1u << (vector & 31));
	take = f->post_take;
	if (take)
		__atomic_fetch_or(&f->posted[vector / 64],
				  1ull << (vector % 64), __ATOMIC_RELAXED);
	f->depth--;
	return take;
}

const struct vlapic_ops test_ops = {
	.now = f_now,
	.set_timer = f_set_timer,
	.notify = f_notify,
	.post = f_post,
	.send_ipi = f_send_ipi,
	.init = f_init,
	.sipi = f_sipi,
	.nmi = f_nmi,
	.eoi_level = f_eoi,
	.sync_timer = f_sync_timer,
};

struct vlapic *test_lapic(int i, uint32_t id, uint32_t tsc_per_bus_tick)
{
	memset(&test_fakes[i], 0, sizeof(test_fakes[i]));
	vlapic_init(&test_lapics[i], id, id == 0, tsc_per_bus_tick, &test_ops,
		    &test_fakes[i]);
	return &test_lapics[i];
}

/* A software-enabled vlapic 0 with x2APIC ID 0 (the BSP). */
struct vlapic *bsp(void)
{
	struct vlapic *vl = test_lapic(0, 0, 1);

	enable(vl);
	return vl;
}

/* ------------------------------------------------------------ layout */

static void test_page_layout(void **state)
{
	struct vlapic *vl = test_lapic(0, 0x1234, 1);

	assert_int_equal((uintptr_t)vlapic_page(vl) % VLAPIC_PAGE_SIZE, 0);
	assert_ptr_equal(vlapic_page(vl), vl);
	assert_ptr_equal(vlapic_opaque(vl), &test_fakes[0]);
	/* Register MSR 0x800 + n at offset n << 4. */
	assert_int_equal(*(uint32_t *)&vl->regs[APIC_ID], 0x1234);
	assert_int_equal(*(uint32_t *)&vl->regs[0x30], APIC_LVR_VALUE);
	assert_int_equal(X2APIC_MSR(APIC_TPR), 0x808);
	assert_int_equal(X2APIC_MSR(APIC_SELF_IPI), 0x83f);
	wr(vl, 0x808, 0x42);
	assert_int_equal(*(uint32_t *)&vl->regs[0x80], 0x42);
}

static void test_handles_msr(void **state)
{
	assert_true(vlapic_handles_msr(0x1b));
	assert_true(vlapic_handles_msr(0x6e0));
	assert_true(vlapic_handles_msr(0x800));
	assert_true(vlapic_handles_msr(0x830));
	assert_true(vlapic_handles_msr(0x8ff));
	assert_false(vlapic_handles_msr(0x1a));
	assert_false(vlapic_handles_msr(0x1c));
	assert_false(vlapic_handles_msr(0x6df));
	assert_false(vlapic_handles_msr(0x6e1));
	assert_false(vlapic_handles_msr(0x7ff));
	assert_false(vlapic_handles_msr(0x900));
	assert_false(vlapic_handles_msr(0xffffffff));
}

static void test_unhandled_msr_gp(void **state)
{
	struct vlapic *vl = bsp();

	rd_gp(vl, 0x10);
	wr_gp(vl, 0x10, 0);
	rd_gp(vl, 0x7ff);
	wr_gp(vl, 0x900, 0);
}

/* ------------------------------------------------------------ the lock */

static void test_apic_base_reset_bsp(void **state)
{
	struct vlapic *vl = test_lapic(0, 0, 1);

	assert_int_equal(rd(vl, MSR_IA32_APIC_BASE), 0xfee00d00);
}

static void test_apic_base_reset_ap(void **state)
{
	struct vlapic *vl = test_lapic(1, 1, 1);

	assert_int_equal(rd(vl, MSR_IA32_APIC_BASE), 0xfee00c00);
}

static void test_apic_base_same_value_accepted(void **state)
{
	struct vlapic *vl = test_lapic(0, 0, 1);

	wr(vl, MSR_IA32_APIC_BASE, 0xfee00d00);
	assert_int_equal(rd(vl, MSR_IA32_APIC_BASE), 0xfee00d00);
}

/* Each write must #GP and leave the MSR as it was. */
static void base_gp(struct vlapic *vl, uint64_t val)
{
	uint64_t before = rd(vl, MSR_IA32_APIC_BASE);

	wr_gp(vl, MSR_IA32_APIC_BASE, val);
	assert_int_equal(rd(vl, MSR_IA32_APIC_BASE), before);
}

static void test_apic_base_clear_extd_gp(void **state)
{
	base_gp(test_lapic(0, 0, 1), 0xfee00900); /* back to xAPIC */
}

static void test_apic_base_clear_en_gp(void **state)
{
	base_gp(test_lapic(0, 0, 1), 0xfee00500);
}

static void test_apic_base_disable_gp(void **state)
{
	base_gp(test_lapic(0, 0, 1), 0xfee00100); /* EN = EXTD = 0 */
	base_gp(test_lapic(0, 0, 1), 0);
}

static void test_apic_base_bsp_flag_gp(void **state)
{
	base_gp(test_lapic(1, 1, 1), 0xfee00d00); /* AP claims BSP */
	base_gp(test_lapic(0, 0, 1), 0xfee00c00); /* BSP drops it */
}

static void test_apic_base_move_gp(void **state)
{
	base_gp(test_lapic(0, 0, 1), 0xfed00d00);
	base_gp(test_lapic(0, 0, 1), 0x1fee00d00ull);
}

static void test_apic_base_reserved_gp(void **state)
{
	struct vlapic *vl = test_lapic(0, 0, 1);

	base_gp(vl, 0xfee00d00 | 1u << 9);
	base_gp(vl, 0xfee00d00 | 1u);
	base_gp(vl, 0xfee00d00 | 0x80);
	base_gp(vl, 0xfee00d00 | 1ull << 63);
}

static void test_apic_base_survives_reset(void **state)
{
	struct vlapic *vl = test_lapic(0, 0, 1);

	vlapic_reset(vl);
	assert_int_equal(rd(vl, MSR_IA32_APIC_BASE), 0xfee00d00);
}

/* ------------------------------------------------------------ registers */

static void test_id(void **state)
{
	struct vlapic *vl = test_lapic(3, 0xabcde, 1);

	assert_int_equal(rd(vl, 0x802), 0xabcde);
	assert_int_equal(vlapic_id(vl), 0xabcde);
	wr_gp(vl, 0x802, 0xabcde);
	wr_gp(vl, 0x802, 7);
	assert_int_equal(rd(vl, 0x802), 0xabcde);
}

static void test_version(void **state)
{
	struct vlapic *vl = bsp();

	/* Version 0x14, max LVT 6, no directed EOI (bit 24). */
	assert_int_equal(rd(vl, 0x803), 0x00060014);
	wr_gp(vl, 0x803, 0x00060014);
}

static void test_tpr(void **state)
{
	struct vlapic *vl = bsp();

	assert_int_equal(rd(vl, 0x808), 0);
	wr(vl, 0x808, 0xff);
	assert_int_equal(rd(vl, 0x808), 0xff);
	wr(vl, 0x808, 0x3c);
	assert_int_equal(rd(vl, 0x808), 0x3c);
}

static void test_tpr_reserved_gp(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x808, 0x20);
	wr_gp(vl, 0x808, 0x100);
	wr_gp(vl, 0x808, 1ull << 32);
	wr_gp(vl, 0x808, 0x80000020);
	assert_int_equal(rd(vl, 0x808), 0x20);
}

static void test_ppr_read_only(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x808, 0x57);
	assert_int_equal(rd(vl, 0x80a), 0x57);
	wr_gp(vl, 0x80a, 0);
	assert_int_equal(rd(vl, 0x80a), 0x57);
}

static void test_eoi_write_only(void **state)
{
	struct vlapic *vl = bsp();

	rd_gp(vl, 0x80b);
	wr(vl, 0x80b, 0); /* nothing in service: no effect, no #GP */
}

static void test_eoi_nonzero_gp(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x40, false);
	take(vl);
	wr_gp(vl, 0x80b, 1);
	wr_gp(vl, 0x80b, 0x40);
	wr_gp(vl, 0x80b, 1ull << 32);
	assert_true(isr(vl, 0x40)); /* the faulting writes retired nothing */
	eoi(vl);
	assert_false(isr(vl, 0x40));
}

static void test_ldr_derived(void **state)
{
	assert_int_equal(rd(test_lapic(0, 0, 1), 0x80d), 0x00000001);
	assert_int_equal(rd(test_lapic(1, 0x35, 1), 0x80d), 0x00030020);
	assert_int_equal(rd(test_lapic(2, 0xf, 1), 0x80d), 0x00008000);
	assert_int_equal(rd(test_lapic(3, 0x10, 1), 0x80d), 0x00010001);
	assert_int_equal(rd(test_lapic(4, 0xfffff, 1), 0x80d), 0xffff8000);
	assert_int_equal(rd(test_lapic(5, 0xffff0, 1), 0x80d), 0xffff0001);
}

static void test_ldr_read_only(void **state)
{
	struct vlapic *vl = test_lapic(1, 0x35, 1);

	wr_gp(vl, 0x80d, 0x00030020);
	wr_gp(vl, 0x80d, 0x01000000);
	assert_int_equal(rd(vl, 0x80d), 0x00030020);
}

static void test_ldr_survives_reset(void **state)
{
	struct vlapic *vl = test_lapic(1, 0x35, 1);

	vlapic_reset(vl);
	assert_int_equal(rd(vl, 0x80d), 0x00030020);
	assert_int_equal(rd(vl, 0x802), 0x35);
}

static void test_svr(void **state)
{
	struct vlapic *vl = test_lapic(0, 0, 1);

	assert_int_equal(rd(vl, 0x80f), 0xff);
	assert_false(vlapic_sw_enabled(vl));
	wr(vl, 0x80f, 0x1ef);
	assert_int_equal(rd(vl, 0x80f), 0x1ef);
	assert_true(vlapic_sw_enabled(vl));
	wr(vl, 0x80f, 0x3ef); /* focus-check disable is kept */
	assert_int_equal(rd(vl, 0x80f), 0x3ef);
	wr(vl, 0x80f, 0x0f); /* all 8 vector bits writable */
	assert_int_equal(rd(vl, 0x80f), 0x0f);
}

static void test_svr_reserved_gp(void **state)
{
	struct vlapic *vl = bsp();

	/* No EOI-broadcast suppression advertised: bit 12 reserved. */
	wr_gp(vl, 0x80f, 0x11ff);
	wr_gp(vl, 0x80f, 0x5ff);
	wr_gp(vl, 0x80f, 0x8000);
	wr_gp(vl, 0x80f, 1ull << 32 | 0x1ff);
	assert_int_equal(rd(vl, 0x80f), 0x1ff);
}

static void test_vector_regs_read_only(void **state)
{
	struct vlapic *vl = bsp();

	for (uint32_t msr = 0x810; msr <= 0x827; msr++) {
		assert_int_equal(rd(vl, msr), 0);
		wr_gp(vl, msr, 0);
		wr_gp(vl, msr, 1);
	}
}

static void test_vector_regs_layout(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x21, false); /* word 1, bit 1 */
	vlapic_set_irq(vl, 0xff, true); /* word 7, bit 31 */
	assert_int_equal(rd(vl, 0x821), 0x2);
	assert_int_equal(rd(vl, 0x827), 0x80000000);
	assert_int_equal(rd(vl, 0x81f), 0x80000000); /* TMR */
	assert_int_equal(rd(vl, 0x819), 0);
	take(vl);
	assert_int_equal(rd(vl, 0x817), 0x80000000); /* ISR */
	assert_int_equal(rd(vl, 0x827), 0);
}

static void test_esr_reset_and_write(void **state)
{
	struct vlapic *vl = bsp();

	assert_int_equal(rd(vl, 0x828), 0);
	wr_gp(vl, 0x828, 1);
	wr_gp(vl, 0x828, 0x40);
	wr_gp(vl, 0x828, 1ull << 32);
	wr(vl, 0x828, 0);
	assert_int_equal(rd(vl, 0x828), 0);
}

static void test_esr_latch(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 3, false); /* receive illegal vector */
	/* Not visible before a write latches it (SDM 11.5.3). */
	assert_int_equal(rd(vl, 0x828), 0);
	wr(vl, 0x828, 0);
	assert_int_equal(rd(vl, 0x828), APIC_ESR_RECV_ILLEGAL);
	/* Reads do not clear; the next write latches "no new errors". */
	assert_int_equal(rd(vl, 0x828), APIC_ESR_RECV_ILLEGAL);
	wr(vl, 0x828, 0);
	assert_int_equal(rd(vl, 0x828), 0);
}

static void test_esr_accumulates(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 15, false);
	wr(vl, 0x83f, 2); /* self IPI, illegal: send + receive */
	assert_int_equal(esr(vl),
			 APIC_ESR_RECV_ILLEGAL | APIC_ESR_SEND_ILLEGAL);
	assert_int_equal(esr(vl), 0);
}

/* LVT at @msr: writable bits @w; everything else but bits 12/14 #GPs. */
static void check_lvt(uint32_t msr, uint32_t w)
{
	struct vlapic *vl = bsp();

	assert_int_equal(rd(vl, msr), APIC_LVT_MASKED);
	wr(vl, msr, w & ~APIC_LVT_TIMER_MASK);
	assert_int_equal(rd(vl, msr), w & ~APIC_LVT_TIMER_MASK);
	wr(vl, msr, 0x31);
	assert_int_equal(rd(vl, msr), 0x31);
	/* Delivery status and remote IRR are read-only: ignored. */
	wr(vl, msr, 0x32 | APIC_LVT_DELIV_STATUS | APIC_LVT_REMOTE_IRR);
	assert_int_equal(rd(vl, msr), 0x32);
	for (int bit = 8; bit < 64; bit++) {
		uint64_t b = 1ull << bit;

		if (b & (w | APIC_LVT_DELIV_STATUS | APIC_LVT_REMOTE_IRR))
			continue;
		wr_gp(vl, msr, 0x33 | b);
		assert_int_equal(rd(vl, msr), 0x32);
	}
}

#define LVT_W_DM 0x107ffu

static void test_lvt_cmci(void **state)
{
	check_lvt(0x82f, LVT_W_DM);
}

static void test_lvt_timer(void **state)
{
	check_lvt(0x832, 0x700ffu);
}

static void test_lvt_thermal(void **state)
{
	check_lvt(0x833, LVT_W_DM);
}

static void test_lvt_pmc(void **state)
{
	check_lvt(0x834, LVT_W_DM);
}

static void test_lvt_lint0(void **state)
{
	check_lvt(0x835, LVT_W_DM | APIC_LVT_POLARITY | APIC_LVT_LEVEL);
}

static void test_lvt_lint1(void **state)
{
	check_lvt(0x836, LVT_W_DM | APIC_LVT_POLARITY | APIC_LVT_LEVEL);
}

static void test_lvt_error(void **state)
{
	check_lvt(0x837, 0x100ffu);
}

static void test_lvt_timer_modes(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x832, 0x20020); /* periodic */
	assert_int_equal(rd(vl, 0x832), 0x20020);
	wr(vl, 0x832, 0x40020); /* TSC deadline */
	assert_int_equal(rd(vl, 0x832), 0x40020);
	wr_gp(vl, 0x832, 0x60020); /* mode 3 is reserved */
	assert_int_equal(rd(vl, 0x832), 0x40020);
}

static void test_lvt_timer_no_dm(void **state)
{
	struct vlapic *vl = bsp();

	wr_gp(vl, 0x832, 0x420); /* NMI delivery mode: not in timer LVT */
	wr_gp(vl, 0x837, 0x420);
}

static void test_icr_read_write(void **state)
{
	struct vlapic *vl = bsp();
	uint64_t icr = 0x12345678ull << 32 | APIC_ICR_LOGICAL | 0x4000 |
		       0x8000 | (uint64_t)APIC_DM_LOWEST << 8 | 0x99;

	wr(vl, 0x830, icr);
	assert_int_equal(rd(vl, 0x830), icr);
	/* Intel layout at 0x300 (64 bits) and AVIC's ICR2 at 0x310. */
	assert_int_equal(*(uint64_t *)&vl->regs[APIC_ICR], icr);
	assert_int_equal(*(uint32_t *)&vl->regs[APIC_ICR2], 0x12345678);
}

static void test_icr_decode_to_send_ipi(void **state)
{
	struct vlapic *vl = bsp();
	struct fake *f = fake_of(vl);

	wr(vl, 0x830, 7ull << 32 | (uint64_t)APIC_DM_STARTUP << 8 | 0x9a);
	assert_int_equal(f->send_ipi_calls, 1);
	assert_int_equal(f->ipi.dest, 7);
	assert_int_equal(f->ipi.vector, 0x9a);
	assert_int_equal(f->ipi.mode, APIC_DM_STARTUP);
	assert_int_equal(f->ipi.shorthand, APIC_SH_NONE);
	assert_false(f->ipi.logical);
	assert_false(f->ipi.level);
	wr(vl, 0x830, 0x000c4500ull); /* INIT, assert, all-but-self */
	assert_int_equal(f->send_ipi_calls, 2);
	assert_int_equal(f->ipi.mode, APIC_DM_INIT);
	assert_int_equal(f->ipi.shorthand, APIC_SH_ALL_BUT_SELF);
	assert_true(f->ipi.assert);
	wr(vl, 0x830, 0xffffffffull << 32 | 0xc8a0);
	assert_int_equal(f->ipi.dest, 0xffffffff);
	assert_true(f->ipi.logical);
	assert_true(f->ipi.level);
	assert_true(f->ipi.assert);
}

static void test_icr_reserved_gp(void **state)
{
	static const int reserved[] = { 13, 16, 17, 20, 21, 25, 31 };
	struct vlapic *vl = bsp();

	wr(vl, 0x830, 0x30);
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		wr_gp(vl, 0x830, 0x31 | 1ull << reserved[i]);
	assert_int_equal(rd(vl, 0x830), 0x30);
	assert_int_equal(fake_of(vl)->send_ipi_calls, 1);
}

static void test_icr_busy_ignored(void **state)
{
	struct vlapic *vl = bsp();

	/* No delivery status in x2APIC mode: bit 12 reads 0. */
	wr(vl, 0x830, 0x1030);
	assert_int_equal(rd(vl, 0x830), 0x30);
}

static void test_icr2_absent(void **state)
{
	struct vlapic *vl = bsp();

	rd_gp(vl, 0x831);
	wr_gp(vl, 0x831, 0);
}

static void test_absent_registers_gp(void **state)
{
	static const uint32_t absent[] = {
		0x800, 0x801, 0x804, 0x805, 0x806, 0x807, 0x809, 0x80c, 0x80e,
		0x829, 0x82a, 0x82b, 0x82c, 0x82d, 0x82e, 0x831, 0x83a, 0x83b,
		0x83c, 0x83d, 0x840, 0x841, 0x850, 0x880, 0x8fe, 0x8ff,
	};
	struct vlapic *vl = bsp();

	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		rd_gp(vl, absent[i]);
		wr_gp(vl, absent[i], 0);
	}
}

static void test_upper_half_gp(void **state)
{
	static const uint32_t rw[] = {
		0x808, 0x80f, 0x82f, 0x832, 0x833, 0x834,
		0x835, 0x836, 0x837, 0x838, 0x83e, 0x83f
	};
	struct vlapic *vl = bsp();

	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++)
		wr_gp(vl, rw[i], 1ull << 32 | 0x20);
}

static void test_tmict_rw(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x838, 0xffffffff);
	assert_int_equal(rd(vl, 0x838), 0xffffffff);
}

static void test_tmcct_read_only(void **state)
{
	struct vlapic *vl = bsp();

	assert_int_equal(rd(vl, 0x839), 0);
	wr_gp(vl, 0x839, 0);
	wr_gp(vl, 0x839, 5);
}

static void test_tdcr(void **state)
{
	struct vlapic *vl = bsp();

	assert_int_equal(rd(vl, 0x83e), 0);
	wr(vl, 0x83e, 0xb);
	assert_int_equal(rd(vl, 0x83e), 0xb);
	wr_gp(vl, 0x83e, 0x4);
	wr_gp(vl, 0x83e, 0x10);
	assert_int_equal(rd(vl, 0x83e), 0xb);
}

static void test_self_ipi(void **state)
{
	struct vlapic *vl = bsp();

	rd_gp(vl, 0x83f);
	wr(vl, 0x83f, 0x55);
	assert_true(irr(vl, 0x55));
	assert_false(tmr(vl, 0x55));
	assert_int_equal(fake_of(vl)->notify_calls, 1);
	assert_int_equal(fake_of(vl)->send_ipi_calls, 0);
	assert_int_equal(vlapic_pending(vl), 0x55);
}

static void test_self_ipi_reserved_gp(void **state)
{
	struct vlapic *vl = bsp();

	wr_gp(vl, 0x83f, 0x155);
	wr_gp(vl, 0x83f, 0x80000055);
	wr_gp(vl, 0x83f, 1ull << 32);
	assert_false(irr(vl, 0x55));
	assert_int_equal(vlapic_pending(vl), -1);
}

/* ------------------------------------------------------------ reset */

static void test_reset_values(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x808, 0x20);
	wr(vl, 0x835, 0x30);
	wr(vl, 0x83e, 3);
	vlapic_set_irq(vl, 0x70, true);
	take(vl);
	vlapic_set_irq(vl, 0x80, false);
	vlapic_reset(vl);
	assert_int_equal(rd(vl, 0x808), 0);
	assert_int_equal(rd(vl, 0x80a), 0);
	assert_int_equal(rd(vl, 0x80f), 0xff);
	assert_int_equal(rd(vl, 0x83e), 0);
	assert_int_equal(rd(vl, 0x803), 0x00060014);
	for (uint32_t m = 0x810; m <= 0x827; m++)
		assert_int_equal(rd(vl, m), 0);
	assert_int_equal(rd(vl, 0x82f), APIC_LVT_MASKED);
	for (uint32_t m = 0x832; m <= 0x837; m++)
		assert_int_equal(rd(vl, m), APIC_LVT_MASKED);
	assert_int_equal(vlapic_pending(vl), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_layout),
		cmocka_unit_test(test_handles_msr),
		cmocka_unit_test(test_unhandled_msr_gp),
		cmocka_unit_test(test_apic_base_reset_bsp),
		cmocka_unit_test(test_apic_base_reset_ap),
		cmocka_unit_test(test_apic_base_same_value_accepted),
		cmocka_unit_test(test_apic_base_clear_extd_gp),
		cmocka_unit_test(test_apic_base_clear_en_gp),
		cmocka_unit_test(test_apic_base_disable_gp),
		cmocka_unit_test(test_apic_base_bsp_flag_gp),
		cmocka_unit_test(test_apic_base_move_gp),
		cmocka_unit_test(test_apic_base_reserved_gp),
		cmocka_unit_test(test_apic_base_survives_reset),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_tpr),
		cmocka_unit_test(test_tpr_reserved_gp),
		cmocka_unit_test(test_ppr_read_only),
		cmocka_unit_test(test_eoi_write_only),
		cmocka_unit_test(test_eoi_nonzero_gp),
		cmocka_unit_test(test_ldr_derived),
		cmocka_unit_test(test_ldr_read_only),
		cmocka_unit_test(test_ldr_survives_reset),
		cmocka_unit_test(test_svr),
		cmocka_unit_test(test_svr_reserved_gp),
		cmocka_unit_test(test_vector_regs_read_only),
		cmocka_unit_test(test_vector_regs_layout),
		cmocka_unit_test(test_esr_reset_and_write),
		cmocka_unit_test(test_esr_latch),
		cmocka_unit_test(test_esr_accumulates),
		cmocka_unit_test(test_lvt_cmci),
		cmocka_unit_test(test_lvt_timer),
		cmocka_unit_test(test_lvt_thermal),
		cmocka_unit_test(test_lvt_pmc),
		cmocka_unit_test(test_lvt_lint0),
		cmocka_unit_test(test_lvt_lint1),
		cmocka_unit_test(test_lvt_error),
		cmocka_unit_test(test_lvt_timer_modes),
		cmocka_unit_test(test_lvt_timer_no_dm),
		cmocka_unit_test(test_icr_read_write),
		cmocka_unit_test(test_icr_decode_to_send_ipi),
		cmocka_unit_test(test_icr_reserved_gp),
		cmocka_unit_test(test_icr_busy_ignored),
		cmocka_unit_test(test_icr2_absent),
		cmocka_unit_test(test_absent_registers_gp),
		cmocka_unit_test(test_upper_half_gp),
		cmocka_unit_test(test_tmict_rw),
		cmocka_unit_test(test_tmcct_read_only),
		cmocka_unit_test(test_tdcr),
		cmocka_unit_test(test_self_ipi),
		cmocka_unit_test(test_self_ipi_reserved_gp),
		cmocka_unit_test(test_reset_values),
	};
	int failed = cmocka_run_group_tests_name("vlapic registers", tests,
						 NULL, NULL);

	failed += run_vlapic_irq_tests();
	failed += run_vlapic_timer_tests();
	failed += run_vlapic_timer_guard_tests();
	failed += run_vlapic_ipi_tests();
	failed += run_vlapic_posted_tests();
	return failed ? 1 : 0;
}
