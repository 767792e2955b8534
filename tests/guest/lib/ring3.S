/* SPDX-License-Identifier: MIT */
/*
 * Ring-3 entry and return, and running one instruction at the end of the
 * 4 KiB test page (tests/guest/lib/ring3.c).
 */
#define USER_DS 0x23
#define USER_CS 0x2b
#define VEC_USER_RETURN 0x81

	.text
	.code64

/*
 * uint64_t user_call_asm(fn, arg, user_rsp, uint64_t *tss_rsp0)
 * IRETQ to fn(arg) at CPL 3; the user side ends with INT 0x81, whose
 * handler resumes at user_return with the kernel stack of this frame.
 */
	.globl user_call_asm, user_return
user_call_asm:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_ksp(%rip)
	movq %rsp, %rax
	andq $-16, %rax
	movq %rax, (%rcx)	/* exceptions from ring 3 land below us */
	pushq $USER_DS
	pushq %rdx
	pushfq
	pushq $USER_CS
	leaq user_entry(%rip), %rax
	pushq %rax
	iretq
user_entry:
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
	int $VEC_USER_RETURN
	ud2
user_return:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/*
 * uint64_t exec_at_asm(addr, struct insn_regs *r, uint64_t *resume, bool sti)
 * Load RAX, RCX, RDX, RDI, RSI from *r, jump to addr; the #PF past the
 * page end resumes at 1: (through *resume), where they are stored back.
 */
	.globl exec_at_asm
exec_at_asm:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rsi
	leaq 1f(%rip), %rax
	movq %rax, (%rdx)
	movq %rdi, %r11
	movq %rcx, %r10
	movq 0(%rsi), %rax
	movq 8(%rsi), %rcx
	movq 16(%rsi), %rdx
	movq 24(%rsi), %rdi
	movq 32(%rsi), %rsi
	testb $1, %r10b
	jz 2f
	sti
2:	jmp *%r11
1:	cli
	popq %r11
	movq %rax, 0(%r11)
	movq %rcx, 8(%r11)
	movq %rdx, 16(%r11)
	movq %rdi, 24(%r11)
	movq %rsi, 32(%r11)
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .note.GNU-stack, "", @progbits
