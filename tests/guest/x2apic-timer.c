// SPDX-License-Identifier: MIT
/*
 * The x2APIC timer (Intel SDM Vol. 3A, 11.5.4): one-shot fires once and
 * leaves the current count at 0, the current count decreases while armed,
 * periodic mode reloads and fires repeatedly, a larger divider runs
 * slower, writing 0 to the initial count stops it, and TSC-deadline mode
 * fires at the deadline and is disarmed by writing 0.
 */
#include "tests/guest/lib/guest.h"

#define VEC 0x40
#define COUNT 200000
#define PERIODIC_COUNT 50000
#define COUNT_DELAY 100000
#define PERIODIC_TICKS 5
#define TDCR_DIV16 0x3
#define WAIT_LIMIT 4000000000ull
#define QUIET 3000000
#define DEADLINE_DELTA 300000
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

static volatile unsigned int ticks;

static void handler(struct regs *r)
{
	ticks++;
	apic_eoi();
}

/* TSC ticks until @n timer interrupts have arrived (or the limit). */
static uint64_t wait_ticks(unsigned int n)
{
	uint64_t t0 = rdtsc();

	sti();
	while (atomic_read(&ticks) < n && rdtsc() - t0 < WAIT_LIMIT)
		cpu_relax();
	cli();
	return rdtsc() - t0;
}

static void quiet(void)
{
	sti();
	tsc_delay(QUIET);
	cli();
}

void test_main(void)
{
	uint32_t a, b, c, d, c1, c2;
	uint64_t t1, t16;

	require_x2apic();
	set_handler(VEC, handler);
	cli();

	apic_write(X2APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | VEC);
	ok(apic_read(X2APIC_LVT_TIMER) == VEC, "LVT timer reads back");
	apic_write(X2APIC_TMICT, COUNT);
	c1 = apic_read(X2APIC_TMCCT);
	tsc_delay(COUNT_DELAY);
	c2 = apic_read(X2APIC_TMCCT);
	ok(c1 <= COUNT && (c2 < c1 || c2 == 0),
	   "current count decreases: %u -> %u", c1, c2);
	ok(apic_read(X2APIC_TMICT) == COUNT, "initial count reads back");
	wait_ticks(1);
	ok(ticks == 1, "one-shot fired");
	quiet();
	ok(ticks == 1, "one-shot fired only once (%u)", ticks);
	ok(apic_read(X2APIC_TMCCT) == 0, "current count 0 after one-shot");

	ticks = 0;
	apic_write(X2APIC_TMICT, COUNT);
	t1 = wait_ticks(1);
	apic_write(X2APIC_TDCR, TDCR_DIV16);
	apic_write(X2APIC_TMICT, COUNT);
	t16 = wait_ticks(2);
	ok(ticks == 2 && t16 > 4 * t1,
	   "divide by 16 runs slower: %lu vs %lu TSC ticks", t16, t1);

	ticks = 0;
	apic_write(X2APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | VEC);
	apic_write(X2APIC_TMICT, PERIODIC_COUNT);
	wait_ticks(PERIODIC_TICKS);
	ok(ticks >= PERIODIC_TICKS, "periodic timer fired %u times", ticks);
	ok(apic_read(X2APIC_TMCCT) != 0, "periodic count reloads");
	apic_write(X2APIC_TMICT, 0);
	quiet(); /* take one that may already sit in IRR */
	ticks = 0;
	quiet();
	ok(ticks == 0, "initial count 0 stops the timer (%u)", ticks);
	ok(apic_read(X2APIC_TMCCT) == 0, "current count 0 when stopped");

	cpuid(1, &a, &b, &c, &d);
	if (!(c & CPUID_1_ECX_TSC_DEADLINE)) {
		skip("no TSC-deadline mode");
		return;
	}
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSCDEADLINE | VEC);
	ticks = 0;
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + DEADLINE_DELTA);
	wait_ticks(1);
	ok(ticks == 1, "TSC deadline fired");
	quiet();
	ok(ticks == 1, "TSC deadline fired once (%u)", ticks);

	ticks = 0;
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + DEADLINE_DELTA);
	wrmsr(MSR_TSC_DEADLINE, 0);
	quiet();
	ok(ticks == 0, "writing 0 disarms the deadline");
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
}
