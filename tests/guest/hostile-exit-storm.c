// SPDX-License-Identifier: MIT
//! vcpus: 2
//! expect: RESULT: PASS
//! expect: x2hv: vm0: all 2 vCPUs stopped
/*
 * vCPU 1 clears RFLAGS.IF and then does nothing but the exits the
 * hypervisor finishes inside its entry stub's loop (svm_fast.c,
 * vmx_fast.c): CPUID, a hypercall and a TSC_DEADLINE write, forever.
 * Those exits never pass through the run loop, so the VM stop at the end
 * has to reach vCPU 1 the way it reaches a guest that never exits: a
 * host interrupt that ends the loop. A loop that kept host interrupts
 * from ending it would never see "all 2 vCPUs stopped".
 */
#include "tests/guest/lib/guest.h"

#define WAIT 20000000ull
#define FAR_FUTURE (1ull << 50)

static volatile uint64_t rounds;
static volatile bool storming;

static void ap_fn(unsigned int cpu)
{
	uint32_t a, b, c, d;

	cli();
	atomic_set(&storming, true);
	for (;;) {
		cpuid(0, &a, &b, &c, &d);
		hypercall(X2HV_HC_VCPU_ID, 0, 0, 0);
		wrmsr(MSR_TSC_DEADLINE, rdtsc() + FAR_FUTURE);
		rounds++;
	}
}

void test_main(void)
{
	uint64_t t0, before, e0;

	if (!ok(smp_start_ap(1, 1, ap_fn, NULL), "vCPU 1 started"))
		return;
	t0 = rdtsc();
	while (!atomic_read(&storming) && rdtsc() - t0 < 50 * WAIT)
		cpu_relax();
	if (!ok(atomic_read(&storming), "vCPU 1 exits in a loop, IF clear"))
		return;
	before = rounds;
	e0 = vcpu_exit_count(1, X2HV_EXIT_CPUID);
	t0 = rdtsc();
	while (rdtsc() - t0 < WAIT)
		cpu_relax();
	ok(rounds != before, "vCPU 1 still looping (%lu rounds)",
	   (unsigned long)(rounds - before));
	if (x2hv_present())
		ok(vcpu_exit_count(1, X2HV_EXIT_CPUID) > e0,
		   "its CPUIDs exit (%lu more)",
		   (unsigned long)(vcpu_exit_count(1, X2HV_EXIT_CPUID) - e0));
	/* Returning ends the test: x2hv stops both vCPUs. */
}
