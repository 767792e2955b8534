/* SPDX-License-Identifier: MIT */
/*
 * enum vmx_fast vmx_enter(struct vcpu *v, bool launched)
 *
 * VM entry loads guest RSP, RIP and RFLAGS from the VMCS but no general
 * register (SDM 27.3), and a VM exit loads only host RSP and RIP (28.5.1):
 * the other registers are switched here. HOST_RSP is written just before
 * entry, so the exit lands on this frame: the saved callee-saved registers
 * and, on top, the vCPU (its registers are at offset 0 of struct vcpu).
 * VMLAUNCH for a VMCS in the clear state, VMRESUME after (SDM 31.3).
 *
 * After each exit vmx_fast_exit (vmx_fast.c) handles the hottest exits;
 * on VMX_FAST_AGAIN the guest is resumed from here at once, the stack as
 * HOST_RSP says. Returns VMX_FAST_NO after any other exit (vmx_run decodes
 * it), VMX_FAST_DONE after a handled one with work for the run loop, or
 * VMX_FAST_FAILED if VMLAUNCH/VMRESUME failed (VMfailInvalid or
 * VMfailValid: the caller reads the VM-instruction error field).
 *
 * RBP and R12-R15 are callee-saved (SysV ABI): vmx_fast_exit gives them
 * back as it found them, the guest's. So around it they stay in the
 * registers, stored only when the loop ends and loaded only when it
 * starts: the fast handlers must not use them (vmm/vcpu_fast.h).
 */
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/guest_regs.inc"

#define VMX_FAST_FAILED 1 /* vmx.h */
#define VMX_FAST_AGAIN 3

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
	pushq %rdi		/* the vCPU: 0(%rsp) after the exit; 16-aligned */
	movq $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax
	jbe .Lfail		/* CF or ZF: the VMCS is not usable */
	testb %sil, %sil	/* MOVs keep ZF for the choice below */
	KEPT_REGS LOAD
	movq GR_RAX(%rdi), %rax
	FAST_REGS LOAD
	movq GR_RDI(%rdi), %rdi
	jnz .Lresume
	vmlaunch
	jmp .Lfail
.Lresume:
	vmresume
	/* Failed with the guest's registers loaded: those kept in
	 * registers go back to memory, as after an exit. */
	movq (%rsp), %rdi
	KEPT_REGS SAVE
.Lfail:
	popq %rdi
	movl $VMX_FAST_FAILED, %eax
	jmp .Lout

	/* HOST_RIP: RSP = HOST_RSP, RFLAGS = 0x2 (SDM 28.5.3). */
	.globl vmx_exit_entry
vmx_exit_entry:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, GR_RAX(%rdi)
	FAST_REGS SAVE
	popq GR_RDI(%rdi)
	movq (%rsp), %rdi
	call vmx_fast_exit
	cmpl $VMX_FAST_AGAIN, %eax
	jne .Lleave
	movq (%rsp), %rdi
	movq GR_RAX(%rdi), %rax
	FAST_REGS LOAD
	movq GR_RDI(%rdi), %rdi
	jmp .Lresume
.Lleave:
	movq (%rsp), %rdi
	KEPT_REGS SAVE
	addq $8, %rsp		/* the vCPU */
.Lout:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
