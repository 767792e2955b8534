// SPDX-License-Identifier: MIT
//! hvargs: reboot=restart
//! expect: reboot-bios: boot 1
//! expect: vm0: restarting: reset requested through port cf9
//! expect: vm0: restarting after a guest reset
//! expect: reboot-bios: boot 2
//! expect: RESULT: PASS
//! restarts: 1
/*
 * Linux's reboot=bios, and where its default (EFI, with no EFI runtime)
 * ends: leave long mode for real mode and jump to the BIOS reset vector
 * F000:FFF0 (Linux's arch/x86/realmode/rm/reboot.S does the same). x2hv
 * has no BIOS, so a 16-byte stub sits there and resets the machine
 * through port 0xcf9; without it the CPU would run into zeros forever.
 * (The way down is tests/guest/lib/realmode.S.)
 */
#include "include/abi.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/reboot.h"

void test_main(void)
{
	unsigned int boot = reboot_boot_number();

	printf("reboot-bios: boot %u\n", boot);
	if (boot == 1) {
		serial_flush();
		realmode_jump(0xf000, 0xfff0);
	}
	reboot_forget();
	ok(boot == 2, "second boot (boot %u)", boot);
}
