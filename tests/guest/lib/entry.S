/* SPDX-License-Identifier: MIT */
/*
 * PVH entry of a guest test kernel, the AP trampoline and the IDT stubs.
 *
 * Entry state (Xen docs/misc/pvh.pandoc, "x86/HVM direct boot ABI"):
 * 32-bit protected mode, paging off, flat 4 GiB CS (execute/read) and
 * DS/ES/SS (read/write), EBX = GPA of struct hvm_start_info, interrupts
 * off, all other registers and the GDT/IDT undefined. So we load our own
 * GDT before touching a segment register, identity-map the first 4 GiB with
 * 2 MiB pages and enter long mode (Intel SDM Vol. 3A, 10.8.5 "Initializing
 * IA-32e Mode"). Nothing needs to back the 0xFEE00000 or 0xC0000000 ranges:
 * a page-table entry is just a number.
 */

#define CODE32_SEL 0x08
#define DATA_SEL 0x10
#define CODE64_SEL 0x18

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC 0x336ec578

#define CR0_PE 0x00000001
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100

#define PTE_P 0x001
#define PTE_RW 0x002
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_PS 0x080 /* 2 MiB page in a PD entry */
#define PD_ENTRIES_4G 2048 /* 4 GiB / 2 MiB */
#define PD_FIRST_MMIO 1536 /* 3 GiB: map [3 GiB, 4 GiB) uncached */
#define PAGE_SIZE 4096
#define LARGE_PAGE_SHIFT 21

#define STACK_SIZE 0x4000 /* GUEST_STACK_SIZE in guest.h */
#define MAX_CPUS 8 /* GUEST_MAX_CPUS in guest.h */
#define AP_TRAMPOLINE 0x8000 /* AP_TRAMPOLINE in guest.h */

/* ------------------------------------------------------------ ELF note */
	.section .note.Xen, "a"
	.balign 4
	.long 4 /* namesz: "Xen\0" */
	.long 4 /* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long _start32

/* ------------------------------------------------------------ GDT */
	.section .rodata
	.balign 16
	.globl gdt
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff /* 0x08: 32-bit code, flat */
	.quad 0x00cf92000000ffff /* 0x10: data, flat */
	.quad 0x00af9a000000ffff /* 0x18: 64-bit code (L=1) */
gdt_end:
	.balign 8
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

/* ------------------------------------------------------------ page tables */
	.section .bss
	.balign PAGE_SIZE
	.globl pml4
pml4:	.skip PAGE_SIZE
pdpt:	.skip PAGE_SIZE
pd:	.skip 4 * PAGE_SIZE
	.balign STACK_SIZE
	.globl cpu_stacks
cpu_stacks:
	.skip STACK_SIZE * MAX_CPUS

	.section .data
	.balign 8
	.globl pvh_start_info
pvh_start_info:
	.quad 0

/* Enable PAE paging with our tables, set EFER.LME, then jump to \target. */
.macro enter_long_mode target
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_PE), %eax
	mov %eax, %cr0
	ljmp $CODE64_SEL, $\target
.endm

.macro load_data_segments
	mov $DATA_SEL, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
.endm

/*
 * With -DGUEST_MULTIBOOT (build/guest-mb/, see guest.mk) a multiboot1
 * header as well, only so GRUB can boot the same ELF on bare
 * emulators (Bochs has an x2APIC, QEMU TCG does not) to check the tests
 * against a real local APIC model. Multiboot1 enters like PVH does: flat
 * 32-bit protected mode, paging off (Multiboot spec 0.6.96, 3.2); EBX then
 * points to a multiboot info block and the runtime notices the bad magic.
 * Not in the normal build: QEMU's -kernel prefers multiboot over PVH.
 */
#define MULTIBOOT_MAGIC 0x1badb002
#define MULTIBOOT_FLAGS 0

/* ------------------------------------------------------------ BSP entry */
	.section .text.entry, "ax"
	.code32
	.globl _start32
#ifdef GUEST_MULTIBOOT
	jmp _start32
	.balign 4
	.long MULTIBOOT_MAGIC
	.long MULTIBOOT_FLAGS
	.long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)
#endif
_start32:
	cli
	cld
	mov %ebx, %esi
	lgdt gdt_desc
	load_data_segments
	ljmp $CODE32_SEL, $1f
1:
	/* The loader should zero .bss; do not depend on it. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov %esi, pvh_start_info

	/* PML4[0] -> PDPT, PDPT[0..3] -> the four PDs. */
	movl $(pdpt + PTE_P + PTE_RW), pml4
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $12, %eax
	add $(pd + PTE_P + PTE_RW), %eax
	mov %eax, pdpt(, %ecx, 8)
	inc %ecx
	cmp $4, %ecx
	jb 2b

	/* PD entries: identity, 2 MiB each; the top GiB uncached (MMIO). */
	xor %ecx, %ecx
3:	mov %ecx, %eax
	shl $LARGE_PAGE_SHIFT, %eax
	or $(PTE_P + PTE_RW + PTE_PS), %eax
	cmp $PD_FIRST_MMIO, %ecx
	jb 4f
	or $(PTE_PCD + PTE_PWT), %eax
4:	mov %eax, pd(, %ecx, 8)
	inc %ecx
	cmp $PD_ENTRIES_4G, %ecx
	jb 3b

	mov $(cpu_stacks + STACK_SIZE), %esp
	enter_long_mode long_bsp

/* APs arrive here from the trampoline in flat 32-bit protected mode. */
	.globl ap_entry32
ap_entry32:
	load_data_segments
	enter_long_mode long_ap

	.code64
long_bsp:
	mov $DATA_SEL, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov $(cpu_stacks + STACK_SIZE), %rsp
	xor %ebp, %ebp
	mov pvh_start_info(%rip), %edi
	call runtime_main
5:	cli
	hlt
	jmp 5b

long_ap:
	mov $DATA_SEL, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov (AP_TRAMPOLINE + tramp_stack - ap_tramp_start), %rsp
	xor %ebp, %ebp
	call ap_main
6:	cli
	hlt
	jmp 6b

/* ------------------------------------------------------------ trampoline */
/*
 * Copied to AP_TRAMPOLINE (below 1 MiB) and entered by SIPI with vector
 * AP_TRAMPOLINE >> 12: real mode, CS = vector << 8, IP = 0 (Intel SDM
 * Vol. 3A, 9.4.4.1 "Typical BSP Initialization Sequence" and 11.6.1).
 * It records CR0 and CS as seen in real mode, then goes to protected mode.
 */
	.section .rodata
	.code16
	.globl ap_tramp_start, ap_tramp_end, ap_tramp_info, ap_tramp_stack
ap_tramp_start:
	cli
	mov %cs, %ax
	mov %ax, %ds
	mov %cr0, %eax
	mov %eax, (tramp_cr0 - ap_tramp_start)
	mov %cs, %ax
	mov %ax, (tramp_cs - ap_tramp_start)
	lgdtl (tramp_gdtr - ap_tramp_start)
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $CODE32_SEL, $ap_entry32
	.balign 8
tramp_gdtr:
	.word gdt_end - gdt - 1
	.long gdt
	.balign 8
ap_tramp_info: /* struct ap_boot_info */
tramp_cr0:
	.long 0
tramp_cs:
	.word 0
	.balign 8
ap_tramp_stack:
tramp_stack:
	.quad 0
ap_tramp_end:
	.code64

/* ------------------------------------------------------------ IDT stubs */
/*
 * One 16-byte stub per vector. Exceptions without an error code push a
 * zero so every frame looks alike (Intel SDM Vol. 3A, 6.13 and Table 6-1
 * for which vectors push one: 8, 10-14, 17, 21, 29, 30).
 */
	.text
	.balign 16
	.globl idt_stubs
idt_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	cld
	call trap_dispatch
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

	.section .note.GNU-stack, "", @progbits
