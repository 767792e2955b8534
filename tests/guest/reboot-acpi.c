// SPDX-License-Identifier: MIT
//! vcpus: 2
//! hvargs: reboot=restart
//! expect: reboot-acpi: boot 1
//! expect: vm0: restarting: reset requested through port cf9
//! expect: vm0: restarting after a guest reset
//! expect: reboot-acpi: boot 2
//! expect: RESULT: PASS
//! restarts: 1
/*
 * A guest reset through the FADT's RESET_REG (port 0xcf9, RESET_VALUE 6,
 * Linux's reboot=acpi) with reboot=restart: the VM restarts from its
 * kernel's PVH entry with RAM otherwise kept (so a counter in low RAM
 * tells the second boot from the first), and both vCPUs are back in
 * their reset state (the AP waits for INIT-SIPI again).
 */
#include "include/abi.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/reboot.h"

static void ap_fn(unsigned int cpu)
{
	for (;;)
		safe_halt();
}

void test_main(void)
{
	unsigned int boot = reboot_boot_number();

	printf("reboot-acpi: boot %u\n", boot);
	if (!ok(smp_start_ap(1, 1, ap_fn, NULL), "vCPU 1 started"))
		return;
	if (boot == 1) {
		apic_write(X2APIC_TPR, 0x20);
		outb(X2HV_PORT_RESET, X2HV_RESET_VALUE);
		fail("still running after the reset request");
		return;
	}
	reboot_forget();
	ok(boot == 2, "second boot (boot %u)", boot);
	ok(apic_read(X2APIC_TPR) == 0, "TPR back to its reset value");
}
