// SPDX-License-Identifier: MIT
//! hvargs: reboot=stop
//! expect: reboot-stop: requesting a reset
//! expect: vm0: stopped: reset requested
//! expect: vm0: all 1 vCPUs stopped
//! reject: RESULT:
/*
 * A guest reset with reboot=stop: the VM stops cleanly and the hypervisor
 * halts; the guest never runs again.
 */
#include "include/abi.h"
#include "tests/guest/lib/guest.h"

void test_main(void)
{
	printf("reboot-stop: requesting a reset\n");
	outb(X2HV_PORT_RESET, X2HV_RESET_VALUE);
	for (;;)
		cpu_relax();
}
