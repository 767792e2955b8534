// SPDX-License-Identifier: MIT
//! hvargs: reboot=restart
//! expect: reboot-kbd: boot 1
//! expect: vm0: restarting: reset requested through the 8042
//! expect: vm0: restarting after a guest reset
//! expect: reboot-kbd: boot 2
//! expect: RESULT: PASS
//! restarts: 1
/*
 * Linux's reboot=kbd: wait until the 8042's input buffer is empty (status
 * port 0x64, bit 1), then command 0xfe, "pulse output port bit 0", the
 * CPU reset line. Other commands must not reset.
 */
#include "include/abi.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/reboot.h"

#define KBC_STATUS_IBF 0x02
#define KBC_CMD_READ_CTR 0x20
#define KBC_CMD_PULSE_NONE 0xff /* pulse no line */

void test_main(void)
{
	unsigned int boot = reboot_boot_number();

	printf("reboot-kbd: boot %u\n", boot);
	if (boot == 1) {
		ok(!(inb(X2HV_PORT_KBC) & KBC_STATUS_IBF),
		   "8042 input buffer empty");
		outb(X2HV_PORT_KBC, KBC_CMD_READ_CTR);
		outb(X2HV_PORT_KBC, KBC_CMD_PULSE_NONE);
		ok(true, "commands 0x20 and 0xff did not reset");
		outb(X2HV_PORT_KBC, X2HV_KBC_PULSE_RESET);
		fail("still running after command 0xfe");
		return;
	}
	reboot_forget();
	ok(boot == 2, "second boot (boot %u)", boot);
}
