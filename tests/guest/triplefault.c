// SPDX-License-Identifier: MIT
//! hvargs: reboot=stop
//! expect: triplefault: going down
//! expect: x2hv: vm0: stopped: triple fault
//! expect: x2hv: system halted
//! reject: triplefault: survived
/*
 * With an empty IDT, #BP cannot be delivered (#GP), nor can #GP, so the
 * CPU escalates to #DF and then shuts down (Intel SDM Vol. 3A, 6.15
 * "Interrupt 8"; AMD APM Vol. 2, 8.2.9). A PC resets then; with
 * reboot=stop x2hv must stop only this VM and report it, and the host
 * keeps running and halts cleanly (reboot-triple.c: reboot=restart).
 */
#include "tests/guest/lib/guest.h"

void test_main(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	printf("triplefault: going down\n");
	asm volatile("lidt %0\n int3" ::"m"(empty) : "memory");
	printf("triplefault: survived\n");
	fail("the CPU did not shut down");
}
