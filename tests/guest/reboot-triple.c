// SPDX-License-Identifier: MIT
//! hvargs: reboot=restart
//! expect: reboot-triple: boot 1
//! expect: vm0: restarting: triple fault
//! expect: vm0: restarting after a guest reset
//! expect: reboot-triple: boot 2
//! expect: RESULT: PASS
//! restarts: 1
/*
 * Linux's reboot=triple: an empty IDT and INT3, so the CPU shuts down
 * (SDM vol. 3A 6.15, "Interrupt 8"), which a PC turns into a reset. With
 * reboot=restart the VM starts again (triplefault.c checks reboot=stop).
 */
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/reboot.h"

void test_main(void)
{
	unsigned int boot = reboot_boot_number();
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	printf("reboot-triple: boot %u\n", boot);
	if (boot == 1) {
		asm volatile("lidt %0\n int3" ::"m"(empty) : "memory");
		fail("the CPU did not shut down");
		return;
	}
	reboot_forget();
	ok(boot == 2, "second boot (boot %u)", boot);
}
