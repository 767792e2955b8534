// SPDX-License-Identifier: MIT
//! vcpus: 2
/*
 * Thousands of IPIs both ways and broadcast at once. Fixed IPIs to a
 * vector already pending coalesce in IRR (Intel SDM Vol. 3A, 11.8.4), so
 * each side must receive at least one and at most what was sent; both
 * vCPUs keep running and end with empty IRR/ISR.
 */
#include "tests/guest/lib/guest.h"

#define VEC 0x62
#define N_IPIS 2000
#define WAIT 400000000ull
/* How long vCPU 1 may take for its storm: TCG on a loaded 2-core host
 * ran it at under 1/10 of the idle speed (CI, qemu-svm-efi: 1836 of 2000
 * sent within WAIT), so allow 50 times WAIT; a vCPU that is starved for
 * good still fails, after about 8 s at 2.6 GHz. */
#define STORM_WAIT (50 * WAIT)

static volatile unsigned int hits[GUEST_MAX_CPUS], sent[GUEST_MAX_CPUS];
static volatile bool go, ap_finished;
static volatile uint64_t ap_beats;

static void handler(struct regs *r)
{
	atomic_inc(&hits[this_cpu()->cpu]);
	apic_eoi();
}

static void storm(unsigned int cpu, uint32_t peer)
{
	for (unsigned int i = 0; i < N_IPIS; i++) {
		if (i % 4 == 3)
			apic_icr(0, APIC_DEST_ALL | APIC_DM_FIXED | VEC);
		else
			apic_icr(peer, APIC_DM_FIXED | VEC);
		atomic_inc(&sent[cpu]);
	}
}

static void ap_fn(unsigned int cpu)
{
	sti();
	while (!atomic_read(&go))
		cpu_relax();
	storm(cpu, 0);
	atomic_set(&ap_finished, true);
	for (;;) {
		atomic_inc(&ap_beats);
		cpu_relax();
	}
}

void test_main(void)
{
	uint64_t t0, beats;

	require_x2apic();
	set_handler(VEC, handler);
	if (!ok(smp_start_ap(1, 1, ap_fn, NULL), "vCPU 1 started"))
		return;
	sti();
	atomic_set(&go, true);
	storm(0, 1);
	t0 = rdtsc();
	while (!atomic_read(&ap_finished) && rdtsc() - t0 < STORM_WAIT)
		cpu_relax();
	tsc_delay(WAIT / 100);
	cli();
	printf("storm: cpu0 sent %u got %u, cpu1 sent %u got %u\n", sent[0],
	       hits[0], sent[1], hits[1]);
	ok(ap_finished, "vCPU 1 finished its storm");
	ok(hits[0] >= 1 && hits[0] <= 2 * N_IPIS, "BSP received IPIs");
	ok(hits[1] >= 1 && hits[1] <= 2 * N_IPIS, "AP received IPIs");
	/* Poll rather than sleep a fixed time: an emulator may not run
	 * the other vCPU's thread for milliseconds on a loaded host. */
	beats = atomic_read(&ap_beats);
	t0 = rdtsc();
	while (atomic_read(&ap_beats) == beats && rdtsc() - t0 < WAIT)
		cpu_relax();
	ok(atomic_read(&ap_beats) > beats, "vCPU 1 still running");
	for (unsigned int i = 0; i < 8; i++)
		if (apic_read(X2APIC_ISR0 + i) || apic_read(X2APIC_IRR0 + i))
			fail("ISR/IRR word %u not empty", i);
	ok(apic_read(X2APIC_PPR) == 0, "BSP idle afterwards");
}
