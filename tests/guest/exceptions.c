// SPDX-License-Identifier: MIT
/*
 * Exceptions raised by the guest reach the guest's own IDT with the right
 * vector, error code and CR2 (Intel SDM Vol. 3A, 6.15): #DE, #UD, #BP (a
 * trap: RIP after INT3), #GP(0) from a non-canonical access, #PF on a
 * not-present page (nothing is mapped above 4 GiB) for read and write.
 */
#include "tests/guest/lib/guest.h"

#define ADDR_NONCANONICAL 0x8000000000000000ull
#define ADDR_UNMAPPED 0x100000000ull /* 4 GiB: above the identity map */
#define PF_ERR_WRITE 0x2

static volatile uint64_t bp_rip, bp_count;
extern char after_int3[];

static void bp_handler(struct regs *r)
{
	bp_rip = r->rip;
	bp_count++;
}

void test_main(void)
{
	struct percpu *pc = this_cpu();
	uint32_t zero = 0, q = 7;
	uint64_t v = 0;

	pc->fault = 0;
	asm volatile("xor %%edx, %%edx\n1: divl %1\n2:\n" EXTABLE(1b, 2b)
		     : "+a"(q)
		     : "r"(zero)
		     : "rdx", "memory");
	ok(pc->fault == FAULT(X86_DE), "div by zero: #DE (%x)", pc->fault);

	pc->fault = 0;
	asm volatile("1: ud2\n2:\n" EXTABLE(1b, 2b)::: "memory");
	ok(pc->fault == FAULT(X86_UD), "ud2: #UD (%x)", pc->fault);

	set_handler(X86_BP, bp_handler);
	asm volatile("int3\n.globl after_int3\nafter_int3:\n" ::: "memory");
	ok(bp_count == 1, "int3: #BP handler ran once");
	ok(bp_rip == (uint64_t)after_int3, "#BP is a trap: rip %lx == %lx",
	   bp_rip, (uint64_t)after_int3);
	set_handler(X86_BP, NULL);

	pc->fault = 0;
	asm volatile("1: mov (%1), %0\n2:\n" EXTABLE(1b, 2b)
		     : "+r"(v)
		     : "r"(ADDR_NONCANONICAL)
		     : "memory");
	ok(pc->fault == FAULT(X86_GP) && pc->fault_error == 0,
	   "non-canonical read: #GP(0) (%x, err %lx)", pc->fault,
	   pc->fault_error);

	pc->fault = 0;
	asm volatile("1: mov (%1), %0\n2:\n" EXTABLE(1b, 2b)
		     : "+r"(v)
		     : "r"(ADDR_UNMAPPED)
		     : "memory");
	ok(pc->fault == FAULT(X86_PF), "unmapped read: #PF (%x)", pc->fault);
	ok(pc->fault_error == 0, "#PF error code 0 (not present, read): %lx",
	   pc->fault_error);
	ok(pc->fault_cr2 == ADDR_UNMAPPED, "CR2 = %lx", pc->fault_cr2);

	pc->fault = 0;
	asm volatile(
		"1: movq $1, (%0)\n2:\n" EXTABLE(1b, 2b)::"r"(ADDR_UNMAPPED + 8)
		: "memory");
	ok(pc->fault == FAULT(X86_PF) && pc->fault_error == PF_ERR_WRITE,
	   "unmapped write: #PF err %lx (W)", pc->fault_error);
	ok(pc->fault_cr2 == ADDR_UNMAPPED + 8, "CR2 = %lx", pc->fault_cr2);
}
