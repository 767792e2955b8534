/* SPDX-License-Identifier: MIT */
/*
 * The guest's general registers as the VMX and SVM entry stubs save and
 * restore them (RSP and RIP live in the VMCS/VMCB), with their offsets for
 * the assembly (arch/x86/guest_regs.inc). The _Static_asserts below tie
 * the offsets to the C layout, so a change of the struct that is not
 * mirrored here fails the build.
 */
#ifndef X2HV_ARCH_X86_GUEST_REGS_H
#define X2HV_ARCH_X86_GUEST_REGS_H

#define GR_RAX 0
#define GR_RBX 8
#define GR_RCX 16
#define GR_RDX 24
#define GR_RSI 32
#define GR_RDI 40
#define GR_RBP 48
#define GR_R8 56
#define GR_R9 64
#define GR_R10 72
#define GR_R11 80
#define GR_R12 88
#define GR_R13 96
#define GR_R14 104
#define GR_R15 112

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct guest_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

#define GR_CHECK(field, off)                                                   \
	_Static_assert(offsetof(struct guest_regs, field) == (off),            \
		       "guest_regs.h offsets out of date: " #field)
GR_CHECK(rax, GR_RAX);
GR_CHECK(rbx, GR_RBX);
GR_CHECK(rcx, GR_RCX);
GR_CHECK(rdx, GR_RDX);
GR_CHECK(rsi, GR_RSI);
GR_CHECK(rdi, GR_RDI);
GR_CHECK(rbp, GR_RBP);
GR_CHECK(r8, GR_R8);
GR_CHECK(r9, GR_R9);
GR_CHECK(r10, GR_R10);
GR_CHECK(r11, GR_R11);
GR_CHECK(r12, GR_R12);
GR_CHECK(r13, GR_R13);
GR_CHECK(r14, GR_R14);
GR_CHECK(r15, GR_R15);
#undef GR_CHECK
#endif /* __ASSEMBLY__ */

#endif
