// SPDX-License-Identifier: MIT
/*
 * The guest single-steps (RFLAGS.TF) across instructions that exit to
 * x2hv: CPUID, and a store to unbacked space (which x2hv itself steps,
 * vmm/empty_bus.h). Some CPUs deliver such a guest's single-step trap in
 * host mode on the instruction after VMRUN (AMD erratum 246; Bochs' SVM
 * after every intercept): before x2hv dropped that #DB, this guest took
 * the whole machine down on bochs-svm (a host triple fault, the guest's
 * TR still loaded). The guest must survive with its own #DBs arriving.
 * Whether the #DB after an instruction x2hv emulates (CPUID) arrives is
 * not checked: x2hv does not virtualize TF across emulated instructions.
 */
#include "tests/guest/lib/guest.h"

#define UNBACKED 0xc0000000ull

static volatile unsigned int db_count;

static void db_handler(struct regs *r)
{
	db_count++;
}

void test_main(void)
{
	uint32_t a = 0, b, c = 0, d;

	set_handler(X86_DB, db_handler);
	asm volatile("pushfq\n"
		     "orq $0x100, (%%rsp)\n"
		     "popfq\n"
		     "cpuid\n"
		     "movl $1, (%4)\n"
		     "nop\n"
		     "pushfq\n"
		     "andq $~0x100, (%%rsp)\n"
		     "popfq\n"
		     : "+a"(a), "=b"(b), "+c"(c), "=d"(d)
		     : "r"(UNBACKED)
		     : "memory", "cc");
	set_handler(X86_DB, NULL);
	ok(db_count >= 3, "the guest single-stepped on (%u #DBs)", db_count);
}
