// SPDX-License-Identifier: MIT
/* Compile-time check that asm_offsets.h matches struct guest_regs. */
#include <stddef.h>

#include "vmm/asm_offsets.h"
#include "vmm/vm.h"

#define CHECK(field, off)                                                      \
	_Static_assert(offsetof(struct guest_regs, field) == (off),            \
		       "asm_offsets.h out of date: " #field)
CHECK(rax, GR_RAX);
CHECK(rbx, GR_RBX);
CHECK(rcx, GR_RCX);
CHECK(rdx, GR_RDX);
CHECK(rsi, GR_RSI);
CHECK(rdi, GR_RDI);
CHECK(rbp, GR_RBP);
CHECK(r8, GR_R8);
CHECK(r9, GR_R9);
CHECK(r10, GR_R10);
CHECK(r11, GR_R11);
CHECK(r12, GR_R12);
CHECK(r13, GR_R13);
CHECK(r14, GR_R14);
CHECK(r15, GR_R15);
_Static_assert(offsetof(struct vcpu, regs) == 0, "regs must come first");
