/* SPDX-License-Identifier: MIT */
/*
 * svm_enter(struct guest_regs *regs, uint64_t vmcb_pa, uint64_t host_pa)
 *
 * VMRUN saves only part of the host state (APM vol. 2 15.5.1); FS, GS,
 * TR, LDTR, KERNEL_GS_BASE and the SYSCALL/SYSENTER MSRs are switched with
 * VMLOAD/VMSAVE around it. The host's values of those never change after
 * the CPU's setup, which saved them once (svm_enable): after the exit
 * VMLOAD restores them from there (KVM saves them once per vCPU load).
 * Called with GIF set and host IF clear; returns the same way. Host IF is set inside the CLGI region because with
 * V_INTR_MASKING the host's saved RFLAGS.IF decides whether physical
 * interrupts exit the guest (APM vol. 2 15.21.1); GIF keeps them pending
 * until the caller opens its own interrupt window.
 * RAX of the guest lives in the VMCB; the others in *regs.
 */
#include "arch/x86/guest_regs.inc"

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
	pushq %rdx		/* host VMCB for the VMLOAD after the exit */
	clgi
	sti
	movq %rsi, %rax
	GUEST_REGS_LOAD %rdi
	movq GR_RDI(%rdi), %rdi
	vmload %rax
	vmrun %rax
	.globl svm_vmrun_return
svm_vmrun_return:
	vmsave %rax
	pushq %rdi
	movq 16(%rsp), %rdi	/* regs */
	GUEST_REGS_SAVE %rdi
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
