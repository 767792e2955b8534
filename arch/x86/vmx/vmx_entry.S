/* SPDX-License-Identifier: MIT */
/*
 * int vmx_enter(struct guest_regs *regs, bool launched)
 *
 * VM entry loads guest RSP, RIP and RFLAGS from the VMCS but no general
 * register (SDM 27.3), and a VM exit loads only host RSP and RIP (28.5.1):
 * the other registers are switched here. HOST_RSP is written just before
 * entry, so the exit lands on this frame: the saved callee-saved registers
 * and, on top, the guest_regs pointer. VMLAUNCH for a VMCS in the clear
 * state, VMRESUME after (SDM 31.3). Returns 0 after a VM exit, 1 if the
 * instruction failed (VMfailInvalid or VMfailValid: the caller reads the
 * VM-instruction error field).
 */
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/guest_regs.inc"

	.text
	.code64
	.globl vmx_enter
vmx_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi		/* regs: found again at 0(%rsp) after the exit */
	movq $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax
	jbe .Lfail		/* CF or ZF: the VMCS is not usable */
	testb %sil, %sil	/* MOVs keep ZF for the choice below */
	movq GR_RAX(%rdi), %rax
	GUEST_REGS_LOAD %rdi
	movq GR_RDI(%rdi), %rdi
	jnz .Lresume
	vmlaunch
	jmp .Lfail
.Lresume:
	vmresume
.Lfail:
	popq %rdi
	movl $1, %eax
	jmp .Lout

	/* HOST_RIP: RSP = HOST_RSP, RFLAGS = 0x2 (SDM 28.5.3). */
	.globl vmx_exit_entry
vmx_exit_entry:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, GR_RAX(%rdi)
	GUEST_REGS_SAVE %rdi
	popq GR_RDI(%rdi)
	addq $8, %rsp		/* the regs pointer */
	xorl %eax, %eax
.Lout:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
