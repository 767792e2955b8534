// SPDX-License-Identifier: MIT
//! hvargs: mem=64M
//! expect: hostile-empty-bus-deliver: stack moved to unbacked space
//! expect: x2hv: vm0: stopped: an interrupt or exception frame written to unbacked space
//! expect: x2hv: system halted
//! reject: hostile-empty-bus-deliver: survived
/*
 * A store to unbacked space made by the CPU itself while it delivers an
 * exception: the guest points RSP into the IOAPIC window and executes
 * UD2, so the #UD frame is pushed onto the empty bus (SDM Vol. 3A,
 * 6.14.2). The empty bus cannot single-step that store (it is no
 * instruction of the guest's, and the frame would be lost: the handler
 * would find all-ones and the guest crash a little later), so x2hv stops
 * the VM with a diagnostic at once (vmm/empty_bus.c). What must not
 * happen: the vCPU retrying the delivery for ever, or the host hanging.
 * The handler, if ever reached, says so and the test fails.
 */
#include "tests/guest/lib/guest.h"

#define UNBACKED_STACK 0xfec00800ull /* in the IOAPIC window */

static void ud_handler(struct regs *r)
{
	(void)r;
	printf("hostile-empty-bus-deliver: survived: the #UD handler ran\n");
}

void test_main(void)
{
	set_handler(X86_UD, ud_handler);
	printf("hostile-empty-bus-deliver: stack moved to unbacked space\n");
	asm volatile("mov %0, %%rsp\n"
		     "ud2\n" ::"r"(UNBACKED_STACK)
		     : "memory");
	/* Not reached: the stack is gone. */
	for (;;)
		asm volatile("hlt");
}
