// SPDX-License-Identifier: MIT
/*
 * HLT wakes on an interrupt: arm the x2APIC timer one-shot (and then in
 * TSC-deadline mode), halt with interrupts enabled, and check the timer
 * interrupt woke us exactly once (Intel SDM Vol. 3A, 11.5.4).
 */
#include "tests/guest/lib/guest.h"

#define TIMER_VECTOR 0x40
#define ONESHOT_COUNT 100000
#define DEADLINE_DELTA 200000
#define SETTLE_TICKS 2000000
#define MAX_HALTS 1000
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

static volatile unsigned int ticks;

static void timer_handler(struct regs *r)
{
	ticks++;
	apic_eoi();
}

static unsigned int halt_until_tick(void)
{
	unsigned int halts = 0;

	while (!ticks && halts < MAX_HALTS) {
		safe_halt();
		cli();
		halts++;
	}
	return halts;
}

void test_main(void)
{
	uint32_t a, b, c, d;
	unsigned int halts;

	require_x2apic();
	set_handler(TIMER_VECTOR, timer_handler);

	apic_write(X2APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | TIMER_VECTOR);
	apic_write(X2APIC_TMICT, ONESHOT_COUNT);
	halts = halt_until_tick();
	ok(ticks == 1, "one-shot timer woke hlt (halts=%u)", halts);
	sti();
	tsc_delay(SETTLE_TICKS);
	cli();
	ok(ticks == 1, "one-shot fired exactly once (%u)", ticks);
	ok(apic_read(X2APIC_TMCCT) == 0, "current count 0 after expiry");

	cpuid(1, &a, &b, &c, &d);
	if (!(c & CPUID_1_ECX_TSC_DEADLINE)) {
		skip("no TSC-deadline mode");
		return;
	}
	ticks = 0;
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSCDEADLINE | TIMER_VECTOR);
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + DEADLINE_DELTA);
	halts = halt_until_tick();
	ok(ticks == 1, "TSC deadline woke hlt (halts=%u)", halts);
	/* Bochs 2.7 does not clear the MSR; x2hv must (as KVM does). */
	if (x2hv_present())
		ok(rdmsr(MSR_TSC_DEADLINE) == 0,
		   "IA32_TSC_DEADLINE reads 0 after it fired (SDM 11.5.4.1)");
	sti();
	tsc_delay(SETTLE_TICKS);
	cli();
	ok(ticks == 1, "deadline fired exactly once (%u)", ticks);
}
