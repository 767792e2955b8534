// SPDX-License-Identifier: MIT
//! hvargs: testfault=badentry
//! expect: VM entry failed
//! expect: x2hv: vm0: all 1 vCPUs stopped
//! reject: RESULT:
/*
 * A guest whose entry state is invalid: the hypervisor, told by
 * testfault=badentry, starts vCPU 0 with CR0 bit 32 set. VM entry must fail
 * (VMX: VM-entry failure for invalid guest state; SVM: VMEXIT_INVALID), and
 * x2hv must stop the VM with a report and keep running, never crash. The
 * guest code itself must never run.
 */
#include "tests/guest/lib/guest.h"

void test_main(void)
{
	printf("RESULT: FAIL (the guest ran with an invalid entry state)\n");
}
