// SPDX-License-Identifier: MIT
//! hvargs: reboot=stop
//! expect: hostile-triplefault: going down
//! expect: x2hv: vm0: stopped: triple fault
//! expect: x2hv: system halted
//! reject: hostile-triplefault: survived
/*
 * A triple fault through the stack: with RSP pointing at unmapped memory
 * every exception delivery faults on its own push (#UD -> #PF -> #DF ->
 * shutdown, Intel SDM Vol. 3A, 6.15 "Interrupt 8"). x2hv must stop this
 * VM with a report and keep the host alive.
 */
#include "tests/guest/lib/guest.h"

#define UNMAPPED_STACK 0x100001000ull /* above the 4 GiB identity map */

void test_main(void)
{
	printf("hostile-triplefault: going down\n");
	asm volatile("mov %0, %%rsp\n ud2" ::"r"(UNMAPPED_STACK) : "memory");
	printf("hostile-triplefault: survived\n");
}
