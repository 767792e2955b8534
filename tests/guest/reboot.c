// SPDX-License-Identifier: MIT
//! vcpus: 2
//! hvargs: reboot=restart
//! expect: reboot: first boot
//! expect: vm0: restarting: reset requested
//! expect: vm0: restarting after a guest reset
//! expect: reboot: second boot
//! expect: RESULT: PASS
/*
 * A guest reset through the FADT's reset register (port 0xcf9, value 6)
 * with reboot=restart: the VM restarts from its kernel's PVH entry with
 * RAM otherwise kept (as on real hardware, so a marker in low RAM tells
 * the second boot from the first), and both vCPUs are back in their reset
 * state (the AP waits for INIT-SIPI again).
 */
#include "include/abi.h"
#include "tests/guest/lib/guest.h"

#define MARKER_GPA 0x7000ull /* low RAM the runtime leaves alone */
#define MARKER 0x746f6f6265723278ull /* "x2reboot" */

static void ap_fn(unsigned int cpu)
{
	for (;;)
		safe_halt();
}

void test_main(void)
{
	volatile uint64_t *marker = (volatile uint64_t *)MARKER_GPA;

	if (!ok(smp_start_ap(1, 1, ap_fn, NULL), "vCPU 1 started"))
		return;
	if (*marker != MARKER) {
		printf("reboot: first boot\n");
		*marker = MARKER;
		outb(X2HV_PORT_RESET, X2HV_RESET_VALUE);
		fail("still running after the reset request");
		return;
	}
	printf("reboot: second boot\n");
	*marker = 0;
	ok(apic_read(X2APIC_TPR) == 0, "TPR back to its reset value");
}
