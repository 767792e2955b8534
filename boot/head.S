/* SPDX-License-Identifier: MIT */
/*
 * Entry from a multiboot loader: 32-bit protected mode, paging off,
 * EAX = boot magic, EBX = physical address of the boot information.
 * Identity-map the low BOOT_MAP_GIB GiB with 2 MiB pages, enter long mode
 * (Intel SDM vol. 3A 10.8.5, AMD APM vol. 2 14.6) and call kmain().
 */
#include "arch/x86/percpu.h"
#include "boot/boot.h"
#include "include/x86.h"

#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80
#define NPD BOOT_MAP_GIB

	.section .multiboot, "a"
	.align 8
mb1_header:		/* multiboot 0.6.96 section 3.1.1 */
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header	/* header_addr */
	.long __image_start	/* load_addr */
	.long __data_end	/* load_end_addr */
	.long __image_end	/* bss_end_addr */
	.long _start32		/* entry_addr */
	.align 8
mb2_header:		/* multiboot2 spec section 3.1 */
	.long MB2_MAGIC
	.long 0			/* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + (mb2_header_end - mb2_header))
	.short 6, 0		/* module alignment tag: page-align modules */
	.long 8
	.short 0, 0		/* end tag */
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	movl %eax, boot_magic
	movl %ebx, boot_info
	movl $boot_stack_top, %esp

	/* Page directories: entry i maps 2 MiB page i. */
	movl $boot_pd, %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %ecx, %edx
	shrl $11, %edx
	movl %eax, (%edi, %ecx, 8)
	movl %edx, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $(NPD * 512), %ecx
	jb 1b
	/* PDPT entry j -> page directory j. */
	movl $boot_pdpt, %edi
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $(boot_pd + PTE_P + PTE_W), %eax
	movl %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $NPD, %ecx
	jb 2b
	movl $(boot_pdpt + PTE_P + PTE_W), boot_pml4

	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PE | CR0_WP | CR0_PG), %eax
	movl %eax, %cr0
	lgdt boot_gdt_ptr
	ljmp $0x08, $start64

	.code64
start64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_magic, %edi
	movl boot_info, %esi
	call kmain
3:	cli
	hlt
	jmp 3b

	/*
	 * APs arrive here from the trampoline in long mode, one at a time
	 * (they hold TRAMP_LOCK): take the next CPU number and its stack,
	 * release the lock, enter C. Surplus CPUs park with the lock freed.
	 */
	.globl ap_entry64
ap_entry64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %ebp, %ebp
	movl ap_next_cpu, %edi
	cmpl $MAX_CPUS, %edi
	jae 5f
	movq ap_stack_tops(, %rdi, 8), %rsp
	incl ap_next_cpu
	movl $0, (TRAMPOLINE_BASE + TRAMP_LOCK)
	call ap_main
4:	cli
	hlt
	jmp 4b
5:	movl $0, (TRAMPOLINE_BASE + TRAMP_LOCK)
	jmp 4b

	.section .rodata
	.align 16
	.globl boot_gdt
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
	.align 4
	.word 0
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss
	.align 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4096 * NPD
	.align 16
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
	.align 4
boot_magic:
	.skip 4
boot_info:
	.skip 4
