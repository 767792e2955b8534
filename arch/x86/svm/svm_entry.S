/* SPDX-License-Identifier: MIT */
/*
 * int svm_enter(struct vcpu *v, struct vmcb *vmcb, uint64_t host_pa)
 *
 * Runs the guest until an exit that svm_fast_exit (svm_fast.c) does not
 * finish on its own, and returns that function's last verdict: SVM_FAST_NO
 * (svm_run decodes the exit) or SVM_FAST_DONE (handled; the run loop has
 * work before the next entry). On SVM_FAST_AGAIN the guest is entered
 * again from here, without leaving the CLGI region: a CPUID or hypercall
 * loop costs VMRUN, the register switch and the handler, nothing more.
 *
 * VMRUN saves only part of the host state (APM vol. 2 15.5.1); FS, GS,
 * TR, LDTR, KERNEL_GS_BASE and the SYSCALL/SYSENTER MSRs are switched with
 * VMLOAD/VMSAVE around it. The host's values of those never change after
 * the CPU's setup, which saved them once (svm_enable): after the exit
 * VMLOAD restores them from there (KVM saves them once per vCPU load), so
 * svm_fast_exit runs with the host's GS (this_cpu()) and TR.
 *
 * Called with GIF set and host IF clear; returns the same way. Host IF is
 * set inside the CLGI region because with V_INTR_MASKING the host's saved
 * RFLAGS.IF decides whether physical interrupts exit the guest (APM vol. 2
 * 15.21.1); GIF keeps them pending, through svm_fast_exit too, until the
 * caller opens its own interrupt window. One that arrives during
 * svm_fast_exit makes the next VMRUN exit at once, into svm_run.
 * The vCPU's registers are at offset 0 of struct vcpu; the guest's RAX
 * lives in the VMCB while it runs and is copied to and from them here.
 * The VMCB's virtual address is its physical one (identity map).
 *
 * RBP and R12-R15 are callee-saved (SysV ABI): svm_fast_exit gives them
 * back as it found them, the guest's. So around it they stay in the
 * registers, stored only when the loop ends and loaded only when it
 * starts: the fast handlers must not use them (vmm/vcpu_fast.h).
 */
#include "arch/x86/guest_regs.inc"

#define VMCB_RAX 0x5f8	/* arch/x86/svm/vmcb.h asserts it */
#define SVM_FAST_AGAIN 2 /* svm.h */

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
	pushq %rdx		/* 16(%rsp): host VMCB, for the VMLOAD after */
	pushq %rsi		/* 8(%rsp): guest VMCB */
	pushq %rdi		/* 0(%rsp): the vCPU; the stack is 16-aligned */
	clgi
	sti
	KEPT_REGS LOAD
.Lenter:
	movq (%rsp), %rdi
	movq 8(%rsp), %rax
	movq GR_RAX(%rdi), %rbx
	movq %rbx, VMCB_RAX(%rax)
	FAST_REGS LOAD
	movq GR_RDI(%rdi), %rdi
	vmload %rax
	vmrun %rax
	.globl svm_vmrun_return
svm_vmrun_return:
	vmsave %rax
	pushq %rdi
	movq 8(%rsp), %rdi	/* the vCPU's registers */
	FAST_REGS SAVE
	popq GR_RDI(%rdi)
	movq VMCB_RAX(%rax), %rbx
	movq %rbx, GR_RAX(%rdi)
	movq 16(%rsp), %rax	/* host VMCB */
	vmload %rax
	call svm_fast_exit	/* %rdi: the vCPU */
	cmpl $SVM_FAST_AGAIN, %eax
	je .Lenter
	movq (%rsp), %rdi
	KEPT_REGS SAVE
	cli
	stgi
	addq $24, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
