// SPDX-License-Identifier: MIT
/*
 * Abusing the x2APIC timer (Intel SDM Vol. 3A, 11.5.4): a zero initial
 * count never fires, every divide value works and reads back, mode changes
 * while armed neither hang nor storm, a TSC deadline in the past fires
 * exactly once, and one at 2^64-1 does not fire.
 */
#include "tests/guest/lib/guest.h"

#define VEC 0x40
#define COUNT 2000
#define WAIT 3000000
#define LONG_WAIT 400000000ull
#define BIG_COUNT 0xffffffffu
#define STORM_LIMIT 4
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

static const uint8_t divides[] = { 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa, 0xb };
static volatile unsigned int ticks;

static void handler(struct regs *r)
{
	ticks++;
	apic_eoi();
}

static void window(void)
{
	sti();
	tsc_delay(WAIT);
	cli();
}

static bool wait_tick(void)
{
	uint64_t t0 = rdtsc();

	sti();
	while (!atomic_read(&ticks) && rdtsc() - t0 < LONG_WAIT)
		cpu_relax();
	cli();
	return ticks != 0;
}

void test_main(void)
{
	uint32_t a, b, c, d;
	unsigned int bad = 0;

	require_x2apic();
	set_handler(VEC, handler);
	cli();
	apic_write(X2APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | VEC);
	apic_write(X2APIC_TMICT, 0);
	window();
	ok(ticks == 0, "initial count 0 never fires");

	for (unsigned int i = 0; i < sizeof(divides); i++) {
		ticks = 0;
		apic_write(X2APIC_TDCR, divides[i]);
		apic_write(X2APIC_TMICT, COUNT);
		if (apic_read(X2APIC_TDCR) != divides[i] || !wait_tick()) {
			printf("divide %x: tdcr %x ticks %u\n", divides[i],
			       apic_read(X2APIC_TDCR), ticks);
			bad++;
		}
	}
	ok(!bad, "all 8 divide values read back and fire");

	ticks = 0;
	apic_write(X2APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(X2APIC_TMICT, BIG_COUNT);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | VEC);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | VEC);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_MASKED | VEC);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | VEC);
	apic_write(X2APIC_TMICT, COUNT);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | VEC);
	window();
	ok(ticks <= STORM_LIMIT, "mode flips while armed: %u interrupts",
	   ticks);
	apic_write(X2APIC_TMICT, 0);
	window();
	ticks = 0;
	window();
	ok(ticks == 0, "stopped after the flips");

	cpuid(1, &a, &b, &c, &d);
	if (!(c & CPUID_1_ECX_TSC_DEADLINE)) {
		skip("no TSC-deadline mode");
		return;
	}
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSCDEADLINE | VEC);
	ticks = 0;
	wrmsr(MSR_TSC_DEADLINE, 1);
	window();
	window();
	ok(ticks == 1, "deadline in the past fires exactly once (%u)", ticks);

	ticks = 0;
	wrmsr(MSR_TSC_DEADLINE, ~0ull);
	window();
	ok(ticks == 0, "deadline 2^64-1 does not fire");
	ok(rdmsr(MSR_TSC_DEADLINE) == ~0ull, "and stays armed");
	wrmsr(MSR_TSC_DEADLINE, 0);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | VEC);
	apic_write(X2APIC_TMICT, BIG_COUNT);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSCDEADLINE | VEC);
	ticks = 0;
	window();
	ok(ticks == 0, "switching to TSC-deadline disarms the count timer");
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
}
