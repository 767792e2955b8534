// SPDX-License-Identifier: MIT
//! hvargs: testfault=smi
//! platforms: qemu-svm
//! reject: x2hv: vm0: stopped
/*
 * SVM intercepts SMIs (APM vol. 2, 15.13.3) so that firmware never runs
 * in the guest's context; the SMI stays pending and the firmware takes it
 * after the exit, once the host sets GIF. Such an exit must resume the
 * guest: on a real AMD machine any firmware SMI (power management, USB
 * legacy emulation) would otherwise stop the VM. With testfault=smi the
 * hypervisor's CPU 1 sends CPU 0 an SMI every 10 ms; the guest keeps
 * running until it has seen several SMI exits. VMX has no SMI exit
 * (SMIs go to the firmware's SMM without one): qemu-svm only (OVMF's SMM
 * is not built in; Bochs is the VMX platform).
 */
#include "tests/guest/lib/guest.h"

#define SMI_EXITS 3
#define WAIT 40000000000ull /* TSC ticks: seconds on every platform here */

void test_main(void)
{
	uint64_t t0 = rdtsc(), n = 0;

	if (!x2hv_present() || !cpu_is_amd()) {
		skip("SMI exits exist only on SVM under x2hv");
		return;
	}
	while (rdtsc() - t0 < WAIT) {
		n = exit_count(X2HV_EXIT_SMI);
		if (n >= SMI_EXITS)
			break;
		tsc_delay(1000000);
	}
	ok(n >= SMI_EXITS, "%lu SMI exits, the guest kept running", n);
}
