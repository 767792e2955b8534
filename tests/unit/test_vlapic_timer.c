// SPDX-License-Identifier: MIT
/*
 * Unit tests of the vlapic timer (vlapic/vlapic_timer.c) with the fake
 * clock: one-shot, periodic, TSC-deadline, divide configuration, current
 * count, mode switches, saturation.
 */
#include "tests/unit/test_vlapic.h"

#define MSR_LVTT X2APIC_MSR(APIC_LVT_TIMER)
#define MSR_TMICT X2APIC_MSR(APIC_TMICT)
#define MSR_TMCCT X2APIC_MSR(APIC_TMCCT)
#define MSR_TDCR X2APIC_MSR(APIC_TDCR)
#define DIV1 0xb /* TDCR code for divide by 1 */
#define VEC 0xec
#define ONESHOT VEC
#define PERIODIC (APIC_LVT_TIMER_PERIODIC << APIC_LVT_TIMER_SHIFT | VEC)
#define DEADLINE (APIC_LVT_TIMER_TSCDEADLINE << APIC_LVT_TIMER_SHIFT | VEC)

/* An enabled vlapic at TSC @now with @tpb TSC ticks per bus tick. */
static struct vlapic *timer_lapic(uint32_t tpb, uint64_t now)
{
	struct vlapic *vl = test_lapic(0, 0, tpb);

	fake_of(vl)->now = now;
	enable(vl);
	return vl;
}

/* The core's side: the host timer fired at time @t. */
static void fire_at(struct vlapic *vl, uint64_t t)
{
	fake_of(vl)->now = t;
	vlapic_timer_expired(vl);
}

static void test_oneshot_arms(void **state)
{
	struct vlapic *vl = timer_lapic(1, 1000);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	assert_int_equal(f->set_timer_calls, 0);
	wr(vl, MSR_TMICT, 500);
	assert_int_equal(f->set_timer_calls, 1);
	assert_int_equal(f->deadline, 1500);
	assert_int_equal(vlapic_timer_deadline(vl), 1500);
	assert_int_equal(rd(vl, MSR_TMCCT), 500);
}

static void test_default_divide_by_2(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TMICT, 500); /* TDCR 0 at reset: divide by 2 */
	assert_int_equal(fake_of(vl)->deadline, 1000);
}

static void test_all_divide_values(void **state)
{
	/* SDM figure 11-10: TDCR value -> divisor. */
	static const struct {
		uint32_t tdcr, div;
	} t[] = {
		{ 0x0, 2 },  { 0x1, 4 },  { 0x2, 8 },	{ 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vlapic *vl = timer_lapic(3, 100);

		wr(vl, MSR_LVTT, ONESHOT);
		wr(vl, MSR_TDCR, t[i].tdcr);
		wr(vl, MSR_TMICT, 10);
		assert_int_equal(fake_of(vl)->deadline,
				 100 + 10 * 3 * t[i].div);
		/* One timer tick (div * tpb TSC) later, one count less. */
		fake_of(vl)->now = 100 + 3 * t[i].div;
		assert_int_equal(rd(vl, MSR_TMCCT), 9);
	}
}

static void test_tsc_per_bus_tick_zero_is_one(void **state)
{
	struct vlapic *vl = timer_lapic(0, 0);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 7);
	assert_int_equal(fake_of(vl)->deadline, 7);
}

static void test_current_count_counts_down(void **state)
{
	struct vlapic *vl = timer_lapic(10, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100); /* 1000 TSC */
	f->now = 1;
	assert_int_equal(rd(vl, MSR_TMCCT), 100); /* partial tick: not yet */
	f->now = 10;
	assert_int_equal(rd(vl, MSR_TMCCT), 99);
	f->now = 500;
	assert_int_equal(rd(vl, MSR_TMCCT), 50);
	f->now = 999;
	assert_int_equal(rd(vl, MSR_TMCCT), 1);
	f->now = 1000;
	assert_int_equal(rd(vl, MSR_TMCCT), 0);
	f->now = 5000;
	assert_int_equal(rd(vl, MSR_TMCCT), 0);
}

static void test_oneshot_fires_once(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	fire_at(vl, 100);
	assert_int_equal(vlapic_pending(vl), VEC);
	assert_int_equal(vlapic_timer_deadline(vl), 0);
	assert_int_equal(f->set_timer_calls, 1); /* no re-arm, no cancel */
	assert_int_equal(rd(vl, MSR_TMCCT), 0);
	take(vl);
	eoi(vl);
	fire_at(vl, 200); /* a stray second call */
	assert_int_equal(vlapic_pending(vl), -1);
	assert_int_equal(f->set_timer_calls, 1);
}

static void test_oneshot_masked_no_interrupt(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);

	wr(vl, MSR_LVTT, APIC_LVT_MASKED | ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	assert_int_equal(fake_of(vl)->deadline, 100); /* counts while masked */
	fire_at(vl, 100);
	assert_int_equal(vlapic_highest_irr(vl), -1);
	assert_int_equal(vlapic_timer_deadline(vl), 0);
}

static void test_early_expiry_rearms(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	fire_at(vl, 99);
	assert_int_equal(vlapic_highest_irr(vl), -1);
	assert_int_equal(f->set_timer_calls, 2);
	assert_int_equal(f->deadline, 100);
	fire_at(vl, 100);
	assert_int_equal(vlapic_pending(vl), VEC);
}

static void test_periodic_rearms(void **state)
{
	struct vlapic *vl = timer_lapic(2, 1000);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, PERIODIC);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 50); /* 100 TSC */
	assert_int_equal(f->deadline, 1100);
	fire_at(vl, 1100);
	assert_int_equal(vlapic_pending(vl), VEC);
	assert_int_equal(f->set_timer_calls, 2);
	assert_int_equal(f->deadline, 1200);
	assert_int_equal(rd(vl, MSR_TMCCT), 50); /* reloaded */
	take(vl);
	eoi(vl);
	fire_at(vl, 1203); /* a little late: the period stays anchored */
	assert_int_equal(f->deadline, 1300);
	assert_int_equal(vlapic_pending(vl), VEC);
}

static void test_periodic_coalesces_missed(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, PERIODIC);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	fire_at(vl, 350); /* deadlines 100, 200, 300 passed */
	assert_int_equal(f->deadline, 400);
	assert_int_equal(take(vl), VEC);
	assert_int_equal(vlapic_pending(vl), -1); /* one interrupt */
	assert_int_equal(rd(vl, MSR_TMCCT), 50);
}

static void test_periodic_count_before_expiry_processed(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, PERIODIC);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	f->now = 130; /* past the deadline, core has not called us yet */
	assert_int_equal(rd(vl, MSR_TMCCT), 70);
}

static void test_periodic_masked_keeps_running(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, PERIODIC);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	wr(vl, X2APIC_MSR(APIC_SVR), 0xff); /* software disable masks it */
	fire_at(vl, 100);
	assert_int_equal(vlapic_highest_irr(vl), -1);
	assert_int_equal(f->deadline, 200);
}

static void test_tmict_zero_stops(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, PERIODIC);
	wr(vl, MSR_TMICT, 100);
	wr(vl, MSR_TMICT, 0);
	assert_int_equal(f->set_timer_calls, 2);
	assert_int_equal(f->deadline, 0);
	assert_int_equal(rd(vl, MSR_TMCCT), 0);
	fire_at(vl, 1000);
	assert_int_equal(vlapic_highest_irr(vl), -1);
	wr(vl, MSR_TMICT, 0); /* already stopped: no more calls */
	assert_int_equal(f->set_timer_calls, 2);
}

static void test_tmict_rewrite_restarts(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	f->now = 60;
	wr(vl, MSR_TMICT, 100);
	assert_int_equal(f->deadline, 160);
	assert_int_equal(rd(vl, MSR_TMCCT), 100);
}

static void test_mode_switch_disarms(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TMICT, 100);
	wr(vl, MSR_LVTT, PERIODIC);
	assert_int_equal(f->deadline, 0);
	assert_int_equal(vlapic_timer_deadline(vl), 0);
	assert_int_equal(rd(vl, MSR_TMICT), 0);
	assert_int_equal(rd(vl, MSR_TMCCT), 0);
	fire_at(vl, 1000);
	assert_int_equal(vlapic_highest_irr(vl), -1);
}

static void test_same_mode_write_keeps_timer(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	wr(vl, MSR_LVTT, APIC_LVT_MASKED | 0x33); /* mask, new vector */
	wr(vl, MSR_LVTT, 0x34);
	assert_int_equal(f->set_timer_calls, 1);
	assert_int_equal(rd(vl, MSR_TMICT), 100);
	fire_at(vl, 100);
	assert_int_equal(vlapic_pending(vl), 0x34);
}

static void test_divide_change_keeps_count(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	f->now = 40;
	wr(vl, MSR_TDCR, 0x1); /* divide by 4 from now on */
	assert_int_equal(rd(vl, MSR_TMCCT), 60);
	assert_int_equal(f->deadline, 40 + 60 * 4);
	f->now = 40 + 4 * 10;
	assert_int_equal(rd(vl, MSR_TMCCT), 50);
}

static void test_divide_change_after_oneshot_ran_out(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	f->now = 150; /* ran out; the core has not called expired yet */
	wr(vl, MSR_TDCR, 0xa);
	assert_int_equal(rd(vl, MSR_TMCCT), 0);
	f->now = 400;
	assert_int_equal(rd(vl, MSR_TMCCT), 0);
	vlapic_timer_expired(vl); /* the pending expiry still fires */
	assert_int_equal(vlapic_pending(vl), VEC);
}

static void test_divide_change_periodic_period(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, PERIODIC);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 10);
	wr(vl, MSR_TDCR, 0x0); /* divide by 2: period 20 TSC */
	assert_int_equal(f->deadline, 20);
	fire_at(vl, 20);
	assert_int_equal(f->deadline, 40);
}

static void test_saturation(void **state)
{
	struct vlapic *vl = timer_lapic(0xffffffffu, 0xfffffffffff00000ull);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, PERIODIC);
	wr(vl, MSR_TDCR, 0xa); /* divide by 128 */
	wr(vl, MSR_TMICT, 0xffffffff); /* 2^32 * 2^7 * 2^32 overflows */
	assert_true(f->deadline == UINT64_MAX);
	assert_int_equal(rd(vl, MSR_TMCCT), 0xffffffff);
	fire_at(vl, UINT64_MAX);
	assert_int_equal(vlapic_pending(vl), VEC);
	/* The next period would end beyond 2^64: the timer stops. */
	assert_int_equal(vlapic_timer_deadline(vl), 0);
}

static void test_saturated_deadline_from_large_now(void **state)
{
	struct vlapic *vl = timer_lapic(1, UINT64_MAX - 10);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	assert_true(fake_of(vl)->deadline == UINT64_MAX);
	assert_int_equal(rd(vl, MSR_TMCCT), 100);
	fake_of(vl)->now = UINT64_MAX - 1;
	assert_int_equal(rd(vl, MSR_TMCCT), 91);
	fire_at(vl, UINT64_MAX);
	assert_int_equal(vlapic_pending(vl), VEC);
}

static void test_deadline_future(void **state)
{
	struct vlapic *vl = timer_lapic(1, 1000);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, DEADLINE);
	wr(vl, MSR_IA32_TSC_DEADLINE, 5000);
	assert_int_equal(f->set_timer_calls, 1);
	assert_int_equal(f->deadline, 5000);
	assert_int_equal(rd(vl, MSR_IA32_TSC_DEADLINE), 5000);
	fire_at(vl, 5000);
	assert_int_equal(vlapic_pending(vl), VEC);
	assert_int_equal(rd(vl, MSR_IA32_TSC_DEADLINE), 0);
	assert_int_equal(vlapic_timer_deadline(vl), 0);
	assert_int_equal(f->set_timer_calls, 1);
}

static void test_deadline_past_fires_once(void **state)
{
	struct vlapic *vl = timer_lapic(1, 1000);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, DEADLINE);
	wr(vl, MSR_IA32_TSC_DEADLINE, 10);
	assert_int_equal(f->set_timer_calls, 1);
	assert_int_equal(f->deadline, 10); /* the core fires it at once */
	vlapic_timer_expired(vl);
	assert_int_equal(take(vl), VEC);
	eoi(vl);
	vlapic_timer_expired(vl); /* duplicate: nothing */
	vlapic_timer_expired(vl);
	assert_int_equal(vlapic_pending(vl), -1);
	assert_int_equal(f->set_timer_calls, 1);
}

static void test_deadline_zero_disarms(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, DEADLINE);
	wr(vl, MSR_IA32_TSC_DEADLINE, 0); /* nothing armed: no call */
	assert_int_equal(f->set_timer_calls, 0);
	wr(vl, MSR_IA32_TSC_DEADLINE, 100);
	wr(vl, MSR_IA32_TSC_DEADLINE, 0);
	assert_int_equal(f->set_timer_calls, 2);
	assert_int_equal(f->deadline, 0);
	fire_at(vl, 200);
	assert_int_equal(vlapic_highest_irr(vl), -1);
}

static void test_deadline_max(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, DEADLINE);
	wr(vl, MSR_IA32_TSC_DEADLINE, UINT64_MAX);
	assert_true(f->deadline == UINT64_MAX);
	assert_true(rd(vl, MSR_IA32_TSC_DEADLINE) == UINT64_MAX);
	fire_at(vl, UINT64_MAX - 1);
	assert_int_equal(vlapic_highest_irr(vl), -1);
	fire_at(vl, UINT64_MAX);
	assert_int_equal(vlapic_pending(vl), VEC);
}

static void test_deadline_rewrite_replaces(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, DEADLINE);
	wr(vl, MSR_IA32_TSC_DEADLINE, 500);
	wr(vl, MSR_IA32_TSC_DEADLINE, 300);
	assert_int_equal(f->deadline, 300);
	fire_at(vl, 300);
	assert_int_equal(take(vl), VEC);
	eoi(vl);
	fire_at(vl, 500); /* the old deadline is gone */
	assert_int_equal(vlapic_pending(vl), -1);
}

static void test_deadline_ignored_outside_mode(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_IA32_TSC_DEADLINE, 100); /* no #GP, no effect */
	assert_int_equal(f->set_timer_calls, 0);
	assert_int_equal(rd(vl, MSR_IA32_TSC_DEADLINE), 0);
	wr(vl, MSR_LVTT, DEADLINE);
	assert_int_equal(rd(vl, MSR_IA32_TSC_DEADLINE), 0);
}

static void test_deadline_reads_zero_after_mode_switch(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, DEADLINE);
	wr(vl, MSR_IA32_TSC_DEADLINE, 100);
	wr(vl, MSR_LVTT, ONESHOT);
	assert_int_equal(rd(vl, MSR_IA32_TSC_DEADLINE), 0);
	assert_int_equal(f->deadline, 0); /* disarmed */
	wr(vl, MSR_LVTT, DEADLINE);
	assert_int_equal(rd(vl, MSR_IA32_TSC_DEADLINE), 0);
	fire_at(vl, 100);
	assert_int_equal(vlapic_highest_irr(vl), -1);
}

static void test_deadline_mode_ignores_tmict(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, DEADLINE);
	wr(vl, MSR_TMICT, 100);
	assert_int_equal(rd(vl, MSR_TMICT), 0);
	assert_int_equal(rd(vl, MSR_TMCCT), 0);
	assert_int_equal(f->set_timer_calls, 0);
	wr(vl, MSR_IA32_TSC_DEADLINE, 50);
	assert_int_equal(rd(vl, MSR_TMCCT), 0);
	wr(vl, MSR_TDCR, 0x3); /* no effect on a deadline */
	assert_int_equal(f->deadline, 50);
}

static void test_switch_to_deadline_disarms_count(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, PERIODIC);
	wr(vl, MSR_TMICT, 100);
	wr(vl, MSR_LVTT, DEADLINE);
	assert_int_equal(f->deadline, 0);
	fire_at(vl, 1000);
	assert_int_equal(vlapic_highest_irr(vl), -1);
}

static void test_deadline_masked(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);

	wr(vl, MSR_LVTT, APIC_LVT_MASKED | DEADLINE);
	wr(vl, MSR_IA32_TSC_DEADLINE, 10);
	fire_at(vl, 10);
	assert_int_equal(vlapic_highest_irr(vl), -1);
	assert_int_equal(rd(vl, MSR_IA32_TSC_DEADLINE), 0);
}

/* Only a TSC-deadline timer may live on another CPU (vmm/timer_cpu.c). */
static void test_remote_only_deadline_mode(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);

	wr(vl, MSR_LVTT, ONESHOT);
	assert_false(vlapic_timer_remote_ok(vl));
	wr(vl, MSR_LVTT, PERIODIC);
	assert_false(vlapic_timer_remote_ok(vl));
	wr(vl, MSR_LVTT, DEADLINE);
	assert_true(vlapic_timer_remote_ok(vl));
}

/* Another CPU delivers the expiry: the LVT's vector, once; the owner
 * then takes it: disarmed, the MSR reads 0, nothing raised again. */
static void test_remote_expiry_taken(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, DEADLINE);
	wr(vl, MSR_IA32_TSC_DEADLINE, 500);
	f->now = 500;
	vlapic_timer_raise_remote(vl);
	f->remote_fired = true;
	assert_int_equal(rd(vl, MSR_IA32_TSC_DEADLINE), 0);
	assert_int_equal(f->sync_timer_calls, 1);
	assert_int_equal(vlapic_timer_deadline(vl), 0);
	assert_int_equal(take(vl), VEC);
	eoi(vl);
	vlapic_timer_expired(vl); /* the owner's own expiry comes late */
	assert_int_equal(vlapic_pending(vl), -1);
	assert_int_equal(f->set_timer_calls, 1);
}

/* The LVT entry is read at the expiry: masked, nothing; a new vector
 * written meanwhile is the one raised. */
static void test_remote_expiry_reads_lvt(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);

	wr(vl, MSR_LVTT, APIC_LVT_MASKED | DEADLINE);
	wr(vl, MSR_IA32_TSC_DEADLINE, 10);
	vlapic_timer_raise_remote(vl);
	assert_int_equal(vlapic_highest_irr(vl), -1);
	wr(vl, MSR_LVTT, DEADLINE - VEC + 0x51);
	vlapic_timer_raise_remote(vl);
	assert_int_equal(vlapic_highest_irr(vl), 0x51);
}

/* Taken after a mode change: that change disarmed the timer already. */
static void test_remote_taken_after_mode_change(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);

	wr(vl, MSR_LVTT, DEADLINE);
	wr(vl, MSR_IA32_TSC_DEADLINE, 10);
	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 100);
	vlapic_timer_taken(vl);
	assert_int_equal(vlapic_timer_deadline(vl), 100);
}

static void test_timer_illegal_vector_error(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);

	wr(vl, X2APIC_MSR(APIC_LVT_ERROR), 0x41);
	wr(vl, MSR_LVTT, 0x07);
	wr(vl, MSR_TMICT, 1);
	fire_at(vl, 100);
	assert_false(irr(vl, 7));
	assert_int_equal(vlapic_pending(vl), 0x41);
	assert_int_equal(esr(vl), APIC_ESR_RECV_ILLEGAL);
}

static void test_reset_disarms(void **state)
{
	struct vlapic *vl = timer_lapic(1, 0);
	struct fake *f = fake_of(vl);

	wr(vl, MSR_LVTT, ONESHOT);
	wr(vl, MSR_TMICT, 100);
	vlapic_reset(vl);
	assert_int_equal(f->set_timer_calls, 2);
	assert_int_equal(f->deadline, 0);
	assert_int_equal(vlapic_timer_deadline(vl), 0);
	fire_at(vl, 1000);
	assert_int_equal(vlapic_highest_irr(vl), -1);
}

static void test_null_ops_safe(void **state)
{
	static struct vlapic vl;
	uint64_t v;

	vlapic_init(&vl, 1, false, 1, NULL, NULL);
	assert_int_equal(vlapic_wrmsr(&vl, X2APIC_MSR(APIC_SVR), 0x1ff), 0);
	assert_int_equal(vlapic_wrmsr(&vl, MSR_LVTT, PERIODIC), 0);
	assert_int_equal(vlapic_wrmsr(&vl, MSR_TMICT, 10), 0);
	assert_int_equal(vlapic_rdmsr(&vl, MSR_TMCCT, &v), 0);
	assert_int_equal(v, 10); /* now() reads 0 */
	vlapic_timer_expired(&vl); /* early at time 0: re-armed */
	assert_int_equal(vlapic_wrmsr(&vl, X2APIC_MSR(APIC_ICR), 0x30), 0);
	vlapic_set_irq(&vl, 0x30, false);
	assert_int_equal(vlapic_pending(&vl), 0x30);
}

int run_vlapic_timer_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oneshot_arms),
		cmocka_unit_test(test_default_divide_by_2),
		cmocka_unit_test(test_all_divide_values),
		cmocka_unit_test(test_tsc_per_bus_tick_zero_is_one),
		cmocka_unit_test(test_current_count_counts_down),
		cmocka_unit_test(test_oneshot_fires_once),
		cmocka_unit_test(test_oneshot_masked_no_interrupt),
		cmocka_unit_test(test_early_expiry_rearms),
		cmocka_unit_test(test_periodic_rearms),
		cmocka_unit_test(test_periodic_coalesces_missed),
		cmocka_unit_test(test_periodic_count_before_expiry_processed),
		cmocka_unit_test(test_periodic_masked_keeps_running),
		cmocka_unit_test(test_tmict_zero_stops),
		cmocka_unit_test(test_tmict_rewrite_restarts),
		cmocka_unit_test(test_mode_switch_disarms),
		cmocka_unit_test(test_same_mode_write_keeps_timer),
		cmocka_unit_test(test_divide_change_keeps_count),
		cmocka_unit_test(test_divide_change_after_oneshot_ran_out),
		cmocka_unit_test(test_divide_change_periodic_period),
		cmocka_unit_test(test_saturation),
		cmocka_unit_test(test_saturated_deadline_from_large_now),
		cmocka_unit_test(test_deadline_future),
		cmocka_unit_test(test_deadline_past_fires_once),
		cmocka_unit_test(test_deadline_zero_disarms),
		cmocka_unit_test(test_deadline_max),
		cmocka_unit_test(test_deadline_rewrite_replaces),
		cmocka_unit_test(test_deadline_ignored_outside_mode),
		cmocka_unit_test(test_deadline_reads_zero_after_mode_switch),
		cmocka_unit_test(test_deadline_mode_ignores_tmict),
		cmocka_unit_test(test_switch_to_deadline_disarms_count),
		cmocka_unit_test(test_deadline_masked),
		cmocka_unit_test(test_remote_only_deadline_mode),
		cmocka_unit_test(test_remote_expiry_taken),
		cmocka_unit_test(test_remote_expiry_reads_lvt),
		cmocka_unit_test(test_remote_taken_after_mode_change),
		cmocka_unit_test(test_timer_illegal_vector_error),
		cmocka_unit_test(test_reset_disarms),
		cmocka_unit_test(test_null_ops_safe),
	};

	return cmocka_run_group_tests_name("vlapic timer", tests, NULL, NULL);
}
