// SPDX-License-Identifier: MIT
/*
 * A periodic x2APIC timer with the smallest period the registers allow
 * (initial count 1, divide by 1) must not livelock its own vCPU: the
 * hypervisor clamps the period (as KVM does, to about 200 us) and does
 * not re-arm its host timer while the timer's vector is still pending
 * (here held back by TPR). The guest keeps making progress, few exits
 * happen while the vector is blocked, and the timer still ticks, at no
 * more than one interrupt per clamped period, once TPR lets it through.
 */
#include "tests/guest/lib/guest.h"

#define VEC 0x40
#define TPR_BLOCK 0xf0
#define WORK 1000000u
#define WORK_BUDGET 20000000000ull /* TSC ticks before giving up */
#define BLOCKED_EXITS_MAX 50
#define WINDOW 10000000ull
/* Waiting for the second tick past WINDOW: a busy host may not run the
 * vCPU for a while (TSC time passes meanwhile), which is no failure. */
#define WINDOW_MAX (100 * WINDOW)
/* 200 us at 25 MHz (the slowest TSC here is Bochs' 50 MHz). */
#define MIN_PERIOD_TICKS 5000ull

static volatile unsigned int ticks;

static void handler(struct regs *r)
{
	ticks++;
	apic_eoi();
}

/* WORK iterations of pure computation, bounded in TSC time. */
static bool work(void)
{
	uint64_t t0 = rdtsc();
	volatile uint64_t x = 1;

	for (unsigned int i = 0; i < WORK; i++) {
		x = x * 3 + i;
		if (!(i & 0xfff) && rdtsc() - t0 > WORK_BUDGET)
			return false;
	}
	return true;
}

void test_main(void)
{
	uint64_t e0, e1, t0, elapsed;
	bool done;

	require_x2apic();
	set_handler(VEC, handler);
	apic_write(X2APIC_TPR, TPR_BLOCK);
	apic_write(X2APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | VEC);
	apic_write(X2APIC_TMICT, 1);
	sti();
	e0 = exit_count(X2HV_EXIT_ANY);
	t0 = rdtsc();
	done = work();
	e1 = exit_count(X2HV_EXIT_ANY);
	printf("blocked: %lu exits in %lu TSC ticks of work\n", e1 - e0,
	       rdtsc() - t0);
	ok(done, "the vCPU makes progress with a period of one count");
	ok(ticks == 0, "TPR holds the vector back (%u)", ticks);
	ok(!x2hv_present() || e1 - e0 <= BLOCKED_EXITS_MAX,
	   "at most %u exits while the vector is pending (%lu)",
	   BLOCKED_EXITS_MAX, e1 - e0);

	apic_write(X2APIC_TPR, 0);
	t0 = rdtsc();
	while ((elapsed = rdtsc() - t0) < WINDOW ||
	       (ticks < 2 && elapsed < WINDOW_MAX))
		cpu_relax();
	cli();
	elapsed = rdtsc() - t0;
	apic_write(X2APIC_TMICT, 0);
	printf("unblocked: %u interrupts in %lu TSC ticks\n", ticks, elapsed);
	ok(ticks >= 2, "the timer fires, and keeps firing, once TPR allows it");
	ok(!x2hv_present() || ticks <= elapsed / MIN_PERIOD_TICKS + 1,
	   "no more than one interrupt per clamped period (%u <= %llu)", ticks,
	   elapsed / MIN_PERIOD_TICKS + 1);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
}
