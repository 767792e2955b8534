/* SPDX-License-Identifier: MIT */
/*
 * Boot information from the loader: multiboot2 (GRUB's "multiboot2"
 * command; Multiboot2 Specification 2.0, section 3.6 "Boot information
 * format") and multiboot1 (Multiboot Specification 0.6.96, section 3.3
 * "Boot information format", e.g. QEMU's -kernel).
 *
 * The parsers are pure: they read the loader's structures, bounds-check
 * every field and fill a struct boot_info whose strings point into the
 * loader's memory (nothing is copied). They never print; on error they
 * return -1 and a static message (docs/boot.md lists them).
 */
#ifndef X2HV_CORE_BOOTINFO_H
#define X2HV_CORE_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>

/* EAX on entry from a multiboot2 / multiboot1 loader. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB1_BOOTLOADER_MAGIC 0x2badb002u

/* Memory map types shared by multiboot1/2 and E820 (ACPI 6.5, 15.1). */
#define BI_MEM_RAM 1
#define BI_MEM_RESERVED 2
#define BI_MEM_ACPI 3
#define BI_MEM_NVS 4
#define BI_MEM_BAD 5

#define BI_MAX_MEM 128 /* E820 tables are bounded by 128 in practice */
#define BI_MAX_MODS 16
#define BI_MB2_MAX_SIZE (1u << 20) /* upper bound on total_size we trust */
#define BI_MAX_STRLEN 4096 /* multiboot1 strings: longest accepted */

struct boot_info {
	const char *cmdline; /* never NULL after a successful parse */
	struct bi_mem {
		uint64_t base, len;
		uint32_t type;
	} mem[BI_MAX_MEM];
	unsigned int n_mem;
	struct bi_module {
		uint64_t start, end; /* physical, [start, end) */
		const char *cmdline; /* never NULL; may hold the file name */
	} mod[BI_MAX_MODS];
	unsigned int n_mod;
	const char *loader; /* NULL if the loader gave no name */
	/* Basic memory information in KiB; valid if has_meminfo. */
	uint32_t mem_lower_kb, mem_upper_kb;
	int has_meminfo;
	/* The loader's copy of the ACPI RSDP (multiboot2 tags 15, else 14;
	 * what UEFI machines without a legacy RSDP need), or NULL. */
	const void *rsdp;
	int rsdp_v2; /* rsdp came from tag 15 */
	/* Started by UEFI (multiboot2 tag 11 or 12): the legacy BIOS areas
	 * (EBDA, 0xE0000-0xFFFFF) hold nothing to trust. */
	int efi;
	uint64_t efi_systab; /* physical address of the EFI system table */
};

/*
 * Translate a physical range of the loader's structures into a pointer,
 * or NULL if [pa, pa+len) is not readable. In the hypervisor memory is
 * identity mapped; unit tests point into a buffer.
 */
typedef const void *(*bi_phys_fn)(uint64_t pa, size_t len);

/*
 * Parse a multiboot2 information structure at @info (8-byte aligned, as
 * the loader guarantees). No tag is read past total_size, total_size is
 * at most BI_MB2_MAX_SIZE. If there is no memory map tag but a basic
 * meminfo tag, mem[] holds the two ranges it describes.
 */
int bootinfo_parse_mb2(const void *info, struct boot_info *bi,
		       const char **err);

/*
 * Parse a multiboot1 information structure at physical address @info_pa;
 * every pointer in it (cmdline, modules, memory map, loader name) goes
 * through @phys. Flags consumed: 0 (mem_*), 2 (cmdline), 3 (mods),
 * 6 (mmap), 9 (boot_loader_name); others are ignored.
 */
int bootinfo_parse_mb1(uint64_t info_pa, bi_phys_fn phys, struct boot_info *bi,
		       const char **err);

/* Dispatch on the loader's magic (EAX) to the two parsers above. */
int bootinfo_parse(uint32_t magic, uint64_t info_pa, bi_phys_fn phys,
		   struct boot_info *bi, const char **err);

#endif
