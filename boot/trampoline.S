/* SPDX-License-Identifier: MIT */
/*
 * AP start-up code, copied to TRAMPOLINE_BASE and entered in real mode at
 * CS:IP = (TRAMPOLINE_BASE >> 4):0 by the STARTUP IPI (Intel SDM vol. 3A
 * 9.4.4). Real -> protected -> long mode with the BSP's page tables, then
 * a jump to ap_entry64 in the image. The BSP fills TRAMP_CR3 and sends one
 * broadcast INIT-SIPI-SIPI; the APs then queue on TRAMP_LOCK, and each
 * holds it until ap_entry64 has given it a CPU number and a stack.
 */
#include "boot/boot.h"
#include "include/x86.h"

#define TB TRAMPOLINE_BASE
#define OFF(x) ((x) - trampoline)

	.section .trampoline, "awx"
	.code16
	.globl trampoline
trampoline:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
1:	lock btsw $0, TRAMP_LOCK
	jnc 2f
	pause
	jmp 1b
2:	lgdtl OFF(tr_gdt_ptr)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $0x08, $(TB + OFF(tr_pm))

	.code32
tr_pm:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl (TB + TRAMP_CR3), %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $0x18, $(TB + OFF(tr_lm))

	.code64
tr_lm:
	movabsq $ap_entry64, %rax
	jmp *%rax

	.align 16
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tr_gdt_end:
tr_gdt_ptr:
	.word tr_gdt_end - tr_gdt - 1
	.long TB + OFF(tr_gdt)
	.globl trampoline_end
trampoline_end:
