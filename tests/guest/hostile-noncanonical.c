// SPDX-License-Identifier: MIT
//! expect: hostile-noncanonical: jumping
//! expect: (RESULT: PASS|x2hv: vm0: stopped)
//! expect: x2hv: system halted
/*
 * A jump to a non-canonical RIP raises #GP(0) (Intel SDM Vol. 3A, 6.15;
 * AMD APM Vol. 2, 8.4): the guest takes it in its own handler. A VM stop
 * with a report is also acceptable to the harness; the host must survive.
 */
#include "tests/guest/lib/guest.h"

#define NONCANONICAL_RIP 0x0000800000000000ull

void test_main(void)
{
	struct percpu *pc = this_cpu();

	printf("hostile-noncanonical: jumping\n");
	pc->fault = 0;
	asm volatile("lea 1f(%%rip), %%rax\n"
		     "mov %%rax, %0\n"
		     "jmp *%1\n"
		     "1:\n"
		     : "=m"(pc->expect_resume)
		     : "r"(NONCANONICAL_RIP)
		     : "rax", "memory");
	ok(pc->fault == FAULT_GP, "#GP taken in the guest (%x)", pc->fault);
	ok(pc->fault_error == 0, "error code 0");
	printf("faulting rip %lx\n", pc->fault_rip);
	ok(pc->fault_rip != NONCANONICAL_RIP || cpu_is_amd(),
	   "Intel reports the jump, not the target");
}
