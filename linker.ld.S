/*
 * x2hv is linked and runs at its physical load address (identity mapped),
 * so one image serves GRUB's multiboot2 ELF loader and the multiboot1
 * address fields QEMU's -kernel needs (the whole image is one contiguous
 * file range starting at __image_start). Preprocessed (cpp -P) so the
 * ASSERTs at the end can use boot/boot.h's constants.
 */
#include "boot/boot.h"

#define IMAGE_BASE 0x100000 /* 1 MiB: above the real-mode area */
#define PAGE 0x1000
OUTPUT_FORMAT("elf64-x86-64")
ENTRY(_start32)

PHDRS
{
	image PT_LOAD FLAGS(7);
}

SECTIONS
{
	. = IMAGE_BASE;
	__image_start = .;
	.text : {
		KEEP(*(.multiboot))
		*(.text.boot)
		*(.text .text.*)
	} :image
	.rodata : { *(.rodata .rodata.*) } :image
	.ex_table : ALIGN(8) {
		__ex_table_start = .;
		KEEP(*(.ex_table))
		__ex_table_end = .;
	} :image
	.data : {
		*(.data .data.*)
		. = ALIGN(16);
		__trampoline_start = .;
		KEEP(*(.trampoline))
		__trampoline_end = .;
	} :image
	__data_end = .;
	.bss (NOLOAD) : {
		*(.bss .bss.*)
		*(COMMON)
	} :image
	. = ALIGN(4096);
	__image_end = .;
	/DISCARD/ : { *(.note.*) *(.comment) *(.eh_frame) }
}

/*
 * The AP trampoline is copied to TRAMPOLINE_BASE and shares that page with
 * its parameters (the BSP's CR3 at TRAMP_CR3, the lock at TRAMP_LOCK): the
 * code must end before them, the page must be a valid STARTUP IPI vector
 * (page-aligned, below 1 MiB: SDM vol. 3A 9.4.4.1) and lie below the
 * image, whose first byte is above the real-mode area.
 */
ASSERT(__trampoline_end - __trampoline_start <= TRAMP_CR3,
       "the AP trampoline overlaps its parameters (boot/boot.h TRAMP_CR3)")
ASSERT(TRAMP_CR3 < TRAMP_LOCK && TRAMP_LOCK + 4 <= PAGE,
       "the trampoline parameters leave its page")
ASSERT(TRAMPOLINE_BASE % PAGE == 0 && TRAMPOLINE_BASE + PAGE <= __image_start,
       "the trampoline page is no SIPI vector below the image")
/*
 * head.S identity-maps the first BOOT_MAP_GIB GiB before it enters long
 * mode: the whole image, its stacks and page tables (.bss) included, must
 * lie inside that map.
 */
ASSERT(__image_end <= BOOT_MAP_GIB * 0x40000000,
       "the image reaches past the boot identity map (boot/boot.h BOOT_MAP_GIB)")
