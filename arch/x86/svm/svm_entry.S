/* SPDX-License-Identifier: MIT */
/*
 * svm_enter(struct guest_regs *regs, uint64_t vmcb_pa, uint64_t host_pa)
 *
 * VMRUN saves only part of the host state (APM vol. 2 15.5.1); FS, GS,
 * TR, LDTR, KERNEL_GS_BASE and the SYSCALL/SYSENTER MSRs are switched with
 * VMSAVE/VMLOAD around it. Called with GIF set and host IF clear; returns
 * the same way. Host IF is set inside the CLGI region because with
 * V_INTR_MASKING the host's saved RFLAGS.IF decides whether physical
 * interrupts exit the guest (APM vol. 2 15.21.1); GIF keeps them pending
 * until the caller opens its own interrupt window.
 * RAX of the guest lives in the VMCB; the others in *regs.
 */
#include "core/asm_offsets.h"

	.text
	.code64
	.globl svm_enter
svm_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi		/* regs */
	pushq %rdx		/* host VMCB for VMSAVE/VMLOAD */
	clgi
	sti
	movq %rdx, %rax
	vmsave %rax
	movq %rsi, %rax
	movq GR_RBX(%rdi), %rbx
	movq GR_RCX(%rdi), %rcx
	movq GR_RDX(%rdi), %rdx
	movq GR_RSI(%rdi), %rsi
	movq GR_RBP(%rdi), %rbp
	movq GR_R8(%rdi), %r8
	movq GR_R9(%rdi), %r9
	movq GR_R10(%rdi), %r10
	movq GR_R11(%rdi), %r11
	movq GR_R12(%rdi), %r12
	movq GR_R13(%rdi), %r13
	movq GR_R14(%rdi), %r14
	movq GR_R15(%rdi), %r15
	movq GR_RDI(%rdi), %rdi
	vmload %rax
	vmrun %rax
	vmsave %rax
	pushq %rdi
	movq 16(%rsp), %rdi	/* regs */
	movq %rbx, GR_RBX(%rdi)
	movq %rcx, GR_RCX(%rdi)
	movq %rdx, GR_RDX(%rdi)
	movq %rsi, GR_RSI(%rdi)
	movq %rbp, GR_RBP(%rdi)
	movq %r8, GR_R8(%rdi)
	movq %r9, GR_R9(%rdi)
	movq %r10, GR_R10(%rdi)
	movq %r11, GR_R11(%rdi)
	movq %r12, GR_R12(%rdi)
	movq %r13, GR_R13(%rdi)
	movq %r14, GR_R14(%rdi)
	movq %r15, GR_R15(%rdi)
	popq GR_RDI(%rdi)
	popq %rax		/* host VMCB */
	vmload %rax
	cli
	stgi
	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
