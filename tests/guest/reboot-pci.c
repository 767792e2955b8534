// SPDX-License-Identifier: MIT
//! hvargs: reboot=restart
//! expect: reboot-pci: boot 1
//! expect: reboot-pci: RST_CNT kept 0a
//! expect: vm0: restarting: reset requested through port cf9
//! expect: vm0: restarting after a guest reset
//! expect: reboot-pci: boot 2
//! expect: RESULT: PASS
//! restarts: 1
/*
 * Linux's reboot=pci: the chipset's reset control register at port 0xcf9
 * (Intel PCH datasheets, "RST_CNT"), written as Linux does it: read it,
 * write SYS_RST (0x02) to ask for a hard reset, then SYS_RST | RST_CPU |
 * FULL_RST (0x0e), whose RST_CPU 0 -> 1 edge resets. Before that, values
 * without RST_CPU must be kept (bits 1 and 3) and must not reset.
 */
#include "include/abi.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/reboot.h"

#define RST_HARD (X2HV_RST_CNT_SYS_RST | X2HV_RST_CNT_FULL_RST)

void test_main(void)
{
	unsigned int boot = reboot_boot_number();
	uint8_t cf9;

	printf("reboot-pci: boot %u\n", boot);
	if (boot == 1) {
		outb(X2HV_PORT_RESET, RST_HARD);
		cf9 = inb(X2HV_PORT_RESET);
		printf("reboot-pci: RST_CNT kept %02x\n", cf9);
		ok(cf9 == RST_HARD, "RST_CNT keeps SYS_RST and FULL_RST");
		cf9 &= ~(RST_HARD | X2HV_RST_CNT_RST_CPU);
		outb(X2HV_PORT_RESET, cf9 | X2HV_RST_CNT_SYS_RST);
		ok(inb(X2HV_PORT_RESET) == X2HV_RST_CNT_SYS_RST,
		   "SYS_RST alone does not reset");
		outb(X2HV_PORT_RESET, cf9 | RST_HARD | X2HV_RST_CNT_RST_CPU);
		fail("still running after RST_CPU");
		return;
	}
	reboot_forget();
	ok(boot == 2, "second boot (boot %u)", boot);
	ok(inb(X2HV_PORT_RESET) == 0, "RST_CNT cleared by the reset");
}
