/* SPDX-License-Identifier: MIT */
/*
 * realmode_jump(cs, ip): leave long mode for real mode and jump to cs:ip,
 * the way Linux's arch/x86/realmode/rm/reboot.S jumps to the BIOS reset
 * vector: a far return to 32-bit compatibility mode, paging off (which
 * ends IA-32e mode, SDM vol. 3A 10.8.5.4), EFER.LME clear, a 16-bit code
 * segment, CR0.PE clear, a far jump that loads CS in real mode, then the
 * jump to cs:ip. The code runs from a copy at REALMODE_BLOB, below
 * 64 KiB as real mode needs; interrupts stay off.
 */

#define REALMODE_BLOB 0x6000 /* REALMODE_BLOB in guest.h */
#define AT(sym) (REALMODE_BLOB + (sym) - blob_start)

#define CODE32_SEL 0x08
#define DATA32_SEL 0x10
#define CODE16_SEL 0x18
#define DATA16_SEL 0x20
#define CR0_PE 0x00000001
#define CR0_PG 0x80000000
#define MSR_EFER 0xc0000080

	.section .rodata
	.balign 16
blob_start:
blob_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff /* 0x08: 32-bit code, flat */
	.quad 0x00cf92000000ffff /* 0x10: data, flat */
	.quad 0x00009a000000ffff /* 0x18: 16-bit code, base 0, 64 KiB */
	.quad 0x000092000000ffff /* 0x20: 16-bit data, base 0, 64 KiB */
blob_gdt_end:
	.balign 8
blob_gdtr:
	.word blob_gdt_end - blob_gdt - 1
	.quad AT(blob_gdt)
blob_target: /* far pointer: offset, then segment */
	.word 0, 0

	.code32
blob_pm32:
	mov $DATA32_SEL, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %cr0, %eax
	and $~CR0_PG, %eax
	mov %eax, %cr0
	mov $MSR_EFER, %ecx
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	ljmp $CODE16_SEL, $AT(blob_pm16)

	.code16
blob_pm16:
	mov $DATA16_SEL, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %fs
	mov %ax, %gs
	mov %ax, %ss
	mov %cr0, %eax
	and $~CR0_PE, %eax
	mov %eax, %cr0
	ljmp $0, $AT(blob_rm)
blob_rm:
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $REALMODE_BLOB, %sp
	ljmp *AT(blob_target)
blob_end:

	.code64
	.text
	.globl realmode_jump
realmode_jump: /* %edi = cs, %esi = ip */
	cli
	mov %edi, %eax
	mov %esi, %edx
	lea blob_start(%rip), %rsi
	mov $REALMODE_BLOB, %edi
	mov $(blob_end - blob_start), %ecx
	rep movsb
	movw %dx, AT(blob_target)
	movw %ax, AT(blob_target) + 2
	lgdt AT(blob_gdtr)
	pushq $CODE32_SEL
	pushq $AT(blob_pm32)
	lretq

	.section .note.GNU-stack, "", @progbits
