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
#include "core/asm_offsets.h"

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
