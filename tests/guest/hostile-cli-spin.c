// SPDX-License-Identifier: MIT
//! vcpus: 2
//! expect: RESULT: PASS
//! expect: x2hv: vm0: all 2 vCPUs stopped
/*
 * vCPU 1 clears RFLAGS.IF, exits once (CPUID), and then spins without
 * exiting by itself: no PAUSE, no I/O, no MSR. vCPU 0 then ends the test,
 * and the VM stop has to take vCPU 1 out of guest mode. With VMX's external-interrupt exiting (SDM
 * vol. 3C 25.6.1) and SVM's INTR intercept with V_INTR_MASKING (APM vol.
 * 2 15.21.1) a host interrupt exits the guest whatever its IF, so the
 * hypervisor's kick must do it; a hypervisor (or a CPU) that let the
 * guest's IF gate host interrupts would never see "all 2 vCPUs stopped".
 */
#include "tests/guest/lib/guest.h"

#define WAIT 20000000ull

static volatile uint64_t spins;
static volatile bool spinning;

static void ap_fn(unsigned int cpu)
{
	uint32_t a, b, c, d;

	cli();
	/* One exit with IF clear: the entry after it resumes the guest with
	 * IF clear, which must not gate host interrupts either. */
	cpuid(0, &a, &b, &c, &d);
	atomic_set(&spinning, true);
	for (;;)
		spins++; /* no PAUSE: pause-loop exiting would end it */
}

void test_main(void)
{
	uint64_t t0, before;

	if (!ok(smp_start_ap(1, 1, ap_fn, NULL), "vCPU 1 started"))
		return;
	t0 = rdtsc();
	while (!atomic_read(&spinning) && rdtsc() - t0 < 50 * WAIT)
		cpu_relax();
	if (!ok(atomic_read(&spinning), "vCPU 1 spins with IF clear"))
		return;
	before = spins;
	t0 = rdtsc();
	while (rdtsc() - t0 < WAIT)
		cpu_relax();
	ok(spins != before, "vCPU 1 still spinning (%lu more)",
	   (unsigned long)(spins - before));
	/* Returning ends the test: x2hv stops both vCPUs. */
}
