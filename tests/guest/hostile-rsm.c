// SPDX-License-Identifier: MIT
//! reject: x2hv: vm0: stopped
/*
 * RSM outside system-management mode raises #UD (Intel SDM Vol. 2B RSM;
 * AMD APM Vol. 3 RSM), at CPL 0 and from a user process. On SVM the
 * hypervisor intercepts RSM (APM Vol. 2, 15.9), so it must give the
 * guest that #UD itself rather than stop the VM.
 */
#include "tests/guest/lib/guest.h"

static uint64_t user_rsm(uint64_t unused)
{
	uint64_t fault = 0;

	asm volatile("1: rsm\n"
		     "   jmp 3f\n"
		     "2: mov $1, %0\n"
		     "3:\n" EXTABLE(1b, 2b)
		     : "+r"(fault)
		     :
		     : "memory");
	return fault;
}

void test_main(void)
{
	struct percpu *pc = this_cpu();

	pc->fault = 0;
	asm volatile("1: rsm\n2:\n" EXTABLE(1b, 2b)::: "memory");
	ok(pc->fault == FAULT(X86_UD), "RSM at CPL 0: #UD (%x)", pc->fault);
	user_pages_init();
	cpu_tss_init(0);
	ok(user_call(user_rsm, 0) == 1, "RSM at CPL 3: a fault");
	ok(pc->fault == FAULT(X86_UD), "and it is #UD (%x)", pc->fault);
	pc->fault = 0;
	asm volatile("1: rsm\n2:\n" EXTABLE(1b, 2b)::: "memory");
	ok(pc->fault == FAULT(X86_UD), "RSM again: #UD, the VM runs on (%x)",
	   pc->fault);
}
