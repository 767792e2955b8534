// SPDX-License-Identifier: MIT
//! vcpus: 2
/*
 * No lost timer wake-up on a halted AP (Intel SDM Vol. 3A, 11.5.4.1
 * TSC-deadline mode; Vol. 2A HLT: an unmasked interrupt resumes it).
 * vCPU 1 arms IA32_TSC_DEADLINE a short, varying time ahead (directly,
 * over a later deadline, or through a masked LVT) and halts with STI; HLT
 * until the timer interrupt arrives, round after round (every fifth round
 * it spins through CPUID exits with interrupts on instead). The
 * BSP sends it one fixed IPI per round at a varying offset, so the IPI
 * lands before, at and after the expiry: while the AP is in the guest,
 * halted, or in the hypervisor between its HLT exit and its sleep. Then
 * it stays quiet: nothing but the timer can wake the AP. A round whose
 * timer interrupt has not arrived 2 s of TSC time after its deadline is
 * a lost wake-up (Linux's "rcu_preempt kthread timer wakeup didn't
 * happen"); the BSP wakes the AP with further IPIs and counts it.
 */
#include "tests/guest/lib/guest.h"

#define AP_ID 1
#define TVEC 0x50 /* the AP's timer */
#define IVEC 0x60 /* the BSP's IPIs, higher class than the timer */
#define ROUNDS 600
#define LOST_MS 2000
#define SPREAD_US 200 /* deadlines and IPI offsets: 0 to 200 us ahead */
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

static struct {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags, pad[2];
} pvclock __attribute__((aligned(64)));

static volatile unsigned int fired, ipis, ap_armed, ap_round;
static volatile uint64_t fired_at, ap_deadline, worst_late;
static uint64_t tsc_khz, spread;

/* The TSC rate from kvmclock's scale (x2hv's CPUID advertises it). */
static uint64_t tsc_khz_from_kvmclock(void)
{
	uint64_t ticks_per_ms = 1000000ull << 32;

	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)&pvclock | 1);
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (!pvclock.tsc_to_system_mul)
		return 0;
	ticks_per_ms /= pvclock.tsc_to_system_mul;
	return pvclock.tsc_shift >= 0 ? ticks_per_ms >> pvclock.tsc_shift :
					ticks_per_ms << -pvclock.tsc_shift;
}

static void timer_handler(struct regs *r)
{
	fired_at = rdtsc();
	atomic_inc(&fired);
	apic_eoi();
}

static void ipi_handler(struct regs *r)
{
	atomic_inc(&ipis);
	apic_eoi();
}

/* A spread of values in [0, spread) from the round number. */
static uint64_t scatter(unsigned int round, unsigned int salt)
{
	return ((round + 1) * 2654435761u ^ salt) % spread;
}

/*
 * Arm the timer for round @r, in one of Linux's ways: once; twice (a later
 * deadline is replaced by an earlier one); or through a masked LVT, as a clockevent
 * shutdown and oneshot switch do (arch/x86/kernel/apic/apic.c).
 */
static uint64_t arm(unsigned int r)
{
	uint64_t dl = rdtsc() + scatter(r, 0);

	switch (r % 3) {
	case 1:
		wrmsr(MSR_TSC_DEADLINE, dl + spread);
		break;
	case 2:
		apic_write(X2APIC_LVT_TIMER,
			   APIC_LVT_TIMER_TSCDEADLINE | APIC_LVT_MASKED | TVEC);
		apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSCDEADLINE | TVEC);
		break;
	default:
		break;
	}
	wrmsr(MSR_TSC_DEADLINE, dl);
	return dl;
}

static void ap_fn(unsigned int cpu)
{
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSCDEADLINE | TVEC);
	for (unsigned int r = 0; r < ROUNDS; r++) {
		unsigned int before = atomic_read(&fired);
		uint64_t dl, late;

		cli();
		dl = arm(r);
		ap_deadline = dl;
		atomic_set(&ap_armed, r + 1);
		/* Sleep until the timer's interrupt; the BSP's IPIs wake it
		 * too, and it sleeps again. Every fifth round spins through
		 * exits (CPUID) with interrupts on instead. */
		while (atomic_read(&fired) == before) {
			if (r % 5 == 4) {
				uint32_t a, b, c, d;

				sti();
				cpuid(0, &a, &b, &c, &d);
				continue;
			}
			safe_halt();
			cli();
		}
		cli();
		late = fired_at > dl ? fired_at - dl : 0;
		if (late > worst_late)
			worst_late = late;
		atomic_set(&ap_round, r + 1);
	}
	sti();
	for (;;)
		hlt();
}

/* Wait until the AP finished @round; false after LOST_MS past its
 * deadline, when it is woken by IPIs until it finishes. */
static bool round_done(unsigned int round)
{
	uint64_t limit = ap_deadline + LOST_MS * tsc_khz;

	while (atomic_read(&ap_round) < round) {
		if (rdtsc() > limit) {
			while (atomic_read(&ap_round) < round) {
				apic_icr(AP_ID, APIC_DM_FIXED | IVEC);
				tsc_delay(tsc_khz);
			}
			return false;
		}
		cpu_relax();
	}
	return true;
}

void test_main(void)
{
	uint32_t a, b, c, d;
	unsigned int lost = 0, first_lost = 0, ipi_lost = 0, expect = 0;
	uint64_t limit;

	plan(4);
	require_x2apic();
	cpuid(1, &a, &b, &c, &d);
	tsc_khz = tsc_khz_from_kvmclock();
	if (!(c & CPUID_1_ECX_TSC_DEADLINE) || !tsc_khz) {
		skip("no TSC-deadline timer or no kvmclock TSC rate");
		return;
	}
	spread = SPREAD_US * tsc_khz / 1000 + 1;
	limit = LOST_MS * tsc_khz;
	set_handler(TVEC, timer_handler);
	set_handler(IVEC, ipi_handler);
	if (!ok(smp_start_ap(AP_ID, 1, ap_fn, NULL), "vCPU 1 started"))
		return;
	for (unsigned int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = rdtsc();

		while (atomic_read(&ap_armed) <= r)
			cpu_relax();
		/* The previous IPI was taken: this one cannot merge with it
		 * in the IRR (only the lost-round wake-ups can). */
		while (atomic_read(&ipis) < expect && rdtsc() - t0 < limit)
			cpu_relax();
		if (atomic_read(&ipis) < expect)
			ipi_lost++;
		while (rdtsc() - t0 < scatter(r, 0x5a5a5a5a))
			cpu_relax();
		expect = atomic_read(&ipis) + 1;
		apic_icr(AP_ID, APIC_DM_FIXED | IVEC);
		if (!round_done(r + 1) && !lost++)
			first_lost = r;
	}
	ok(atomic_read(&ap_round) == ROUNDS, "the AP finished %u rounds",
	   ROUNDS);
	ok(!lost,
	   "no timer wake-up lost (%u of %u rounds lost, first %u; worst "
	   "%llu us late)",
	   lost, ROUNDS, first_lost,
	   (unsigned long long)(worst_late * 1000 / tsc_khz));
	ok(atomic_read(&fired) == ROUNDS && !ipi_lost,
	   "one timer interrupt per round (%u), every IPI taken (%u not "
	   "within %u ms)",
	   atomic_read(&fired), ipi_lost, LOST_MS);
}
