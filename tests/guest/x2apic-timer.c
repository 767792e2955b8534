// SPDX-License-Identifier: MIT
/*
 * The x2APIC timer (Intel SDM Vol. 3A, 11.5.4): one-shot fires once and
 * leaves the current count at 0, the current count decreases while armed,
 * periodic mode reloads and fires repeatedly, a larger divider counts
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
#define DISARM_TRIES 12
#define RATE_WINDOW 3000000
#define RATE_TRIES 8
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

static void quiet_for(uint64_t t)
{
	sti();
	tsc_delay(t);
	cli();
}

static void quiet(void)
{
	quiet_for(QUIET);
}

/* The TSC, read after every earlier instruction has completed and before
 * any later one starts (LFENCE, SDM Vol. 2B, RDTSC). */
static uint64_t fenced_rdtsc(void)
{
	uint64_t t;

	asm volatile("lfence" ::: "memory");
	t = rdtsc();
	asm volatile("lfence" ::: "memory");
	return t;
}

struct rate {
	uint64_t counts; /* the current count went down by this much */
	uint64_t lo, hi; /* between the two reads: at least lo, at most hi */
};

/*
 * The current count's progress over about @window TSC ticks under divide
 * configuration @tdcr, the time between its two reads bounded by the TSC
 * around each read. Host load can stall a read (an exit) for longer than
 * any window; such an attempt, a read taking more than window / 16,
 * returns false.
 */
static bool count_rate(uint32_t tdcr, uint64_t window, struct rate *r)
{
	uint64_t a0, a1, b0, b1;
	uint32_t ca, cb;

	apic_write(X2APIC_TDCR, tdcr);
	apic_write(X2APIC_TMICT, 0xffffffff);
	a0 = fenced_rdtsc();
	ca = apic_read(X2APIC_TMCCT);
	a1 = fenced_rdtsc();
	tsc_delay(window);
	b0 = fenced_rdtsc();
	cb = apic_read(X2APIC_TMCCT);
	b1 = fenced_rdtsc();
	apic_write(X2APIC_TMICT, 0);
	r->counts = ca >= cb ? ca - cb : 0;
	r->lo = b0 - a1;
	r->hi = b1 - a0;
	return a1 - a0 <= window / 16 && b1 - b0 <= window / 16;
}

/*
 * Divide by 16 runs the count 16 times slower than divide by 1 (SDM
 * 11.5.4, figure 11-10). Timing the interrupts instead would measure the
 * emulator's pauses too; the count is derived from the TSC when read, so
 * rates bounded as above are exact up to the reads' own duration. Checked
 * as more than 8 times slower, attempts with stalled reads repeated with
 * twice the window.
 */
static void check_divide_rate(void)
{
	uint64_t window = RATE_WINDOW;
	struct rate r1 = { 0 }, r16 = { 0 };
	unsigned int try;

	for (try = 1; try <= RATE_TRIES; try++, window *= 2)
		if (count_rate(APIC_TDCR_DIV1, window, &r1) &&
		    count_rate(TDCR_DIV16, window, &r16))
			break;
	/* counts1 / hi1 > 8 * counts16 / lo16, without division. */
	ok(try <= RATE_TRIES && r16.counts &&
		   r1.counts * r16.lo > 8 * r16.counts * r1.hi,
	   "divide by 16 counts slower: %lu counts in %lu..%lu TSC ticks vs %lu in %lu..%lu (attempt %u of %u)",
	   r16.counts, r16.lo, r16.hi, r1.counts, r1.lo, r1.hi, try,
	   RATE_TRIES);
}

/*
 * Writing 0 to IA32_TSC_DEADLINE disarms the timer (SDM 11.5.4.1), but a
 * deadline that passed before that write has fired: its interrupt stays
 * pending in IRR and is taken at STI. Without QEMU's icount the guest TSC
 * follows host time, and host load can stretch the two WRMSRs (two exits)
 * past any fixed delta. So an attempt counts only when the TSC read after
 * the disarming write is still before the deadline (MFENCE; LFENCE order
 * that read after a WRMSR to IA32_TSC_DEADLINE, which is not serializing,
 * SDM 9.3); an attempt that came too late may see its one interrupt and
 * is repeated with twice the delta. Returns the attempt that counted
 * (0: none did) and its interrupts in *fired.
 */
static unsigned int disarm_deadline(unsigned int *fired, uint64_t *margin)
{
	uint64_t delta = DEADLINE_DELTA, deadline, after;

	for (unsigned int try = 1; try <= DISARM_TRIES; try++, delta *= 2) {
		ticks = 0;
		deadline = rdtsc() + delta;
		wrmsr(MSR_TSC_DEADLINE, deadline);
		wrmsr(MSR_TSC_DEADLINE, 0);
		asm volatile("mfence; lfence" ::: "memory");
		after = rdtsc();
		quiet_for(delta + QUIET);
		*fired = ticks;
		if (after < deadline) {
			*margin = deadline - after;
			return try;
		}
		if (ticks > 1)
			return try; /* more than the one it may have fired */
	}
	return 0;
}

void test_main(void)
{
	uint32_t a, b, c, d, c1, c2;
	uint64_t margin = 0;
	unsigned int try, fired = 0;

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
	apic_write(X2APIC_TDCR, TDCR_DIV16);
	apic_write(X2APIC_TMICT, COUNT);
	wait_ticks(1);
	ok(ticks == 1, "one-shot fired at divide by 16");
	check_divide_rate();

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

	try = disarm_deadline(&fired, &margin);
	ok(try && fired == 0,
	   "writing 0 disarms the deadline (%u interrupts; disarmed %lu TSC ticks before it on attempt %u of %u)",
	   fired, margin, try, DISARM_TRIES);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
}
