/* SPDX-License-Identifier: MIT */
/*
 * PVH guest boot (Xen docs/misc/pvh.pandoc): load an ELF kernel that
 * carries the XEN_ELFNOTE_PHYS32_ENTRY note, and build the hvm_start_info
 * block whose address the guest finds in EBX at that 32-bit entry point.
 *
 * Pure and freestanding: parsing and loading never touch memory other
 * than the image and what the gpa_ptr callback hands out.
 */
#ifndef X2HV_CORE_PVH_H
#define X2HV_CORE_PVH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Xen public/elfnote.h: the 32-bit physical entry point for PVH. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PVH_NOTE_NAME "Xen" /* n_namesz = 4, counting the NUL */

#define PVH_MAX_SEGS 16 /* PT_LOAD segments; vmlinux has about 5 */
#define PVH_MAX_MODULES 8
#define PVH_MAX_MEMMAP 128

struct pvh_segment {
	uint64_t offset; /* in the image */
	uint64_t paddr; /* guest-physical load address (p_paddr) */
	uint64_t filesz;
	uint64_t memsz; /* >= filesz; the rest is zero-filled */
};

struct pvh_image {
	size_t img_len; /* length pvh_parse() validated against */
	uint32_t entry; /* PHYS32_ENTRY: guest-physical, 32-bit */
	int elf_class; /* ELF_CLASS32 or ELF_CLASS64 */
	unsigned int n_segs;
	struct pvh_segment seg[PVH_MAX_SEGS];
	uint64_t lowest; /* lowest paddr of any segment */
	uint64_t highest; /* end (paddr + memsz) of the highest segment */
	/* Set by the caller before pvh_load(): guest RAM is all zero (just
	 * allocated), so the bytes past filesz need no zeroing. */
	bool ram_zero;
};

/*
 * Validate the ELF image [img, img+len) and describe it in @out. The image
 * needs no particular alignment. Returns 0, or -1 with a static *err.
 */
int pvh_parse(const void *img, size_t len, struct pvh_image *out,
	      const char **err);

/*
 * Map [gpa, gpa+len) of guest RAM into the hypervisor, or return NULL if
 * any of it is not guest RAM. len is never 0.
 */
typedef void *(*pvh_gpa_ptr_fn)(void *ctx, uint64_t gpa, uint64_t len);

/*
 * Copy each segment of @img (as described by pvh_parse()) to guest RAM and
 * zero the bytes between filesz and memsz unless pi->ram_zero. Returns 0,
 * or -1 with *err ("segment outside guest RAM" if gpa_ptr refuses a
 * segment).
 */
int pvh_load(const void *img, const struct pvh_image *pi,
	     pvh_gpa_ptr_fn gpa_ptr, void *ctx, const char **err);

/*
 * The start-of-day structures, with the layout of Xen's public
 * arch-x86/hvm/start_info.h (version 1). All addresses are guest-physical.
 */
#define HVM_START_MAGIC_VALUE 0x336ec578u
#define HVM_START_INFO_VERSION 1

/* Memory map types: the E820 / ACPI address range types. */
#define HVM_MEMMAP_TYPE_RAM 1
#define HVM_MEMMAP_TYPE_RESERVED 2
#define HVM_MEMMAP_TYPE_ACPI 3
#define HVM_MEMMAP_TYPE_NVS 4
#define HVM_MEMMAP_TYPE_UNUSABLE 5

struct hvm_start_info {
	uint32_t magic; /* HVM_START_MAGIC_VALUE */
	uint32_t version; /* 1: memmap fields present */
	uint32_t flags; /* SIF_xxx; 0 for an unprivileged HVM guest */
	uint32_t nr_modules;
	uint64_t modlist_paddr; /* struct hvm_modlist_entry[nr_modules] */
	uint64_t cmdline_paddr; /* NUL-terminated; 0 if none */
	uint64_t rsdp_paddr; /* ACPI RSDP; 0 if none */
	uint64_t memmap_paddr; /* struct hvm_memmap_table_entry[] */
	uint32_t memmap_entries;
	uint32_t reserved; /* must be zero */
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr; /* 0 if none */
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info size");
_Static_assert(offsetof(struct hvm_start_info, modlist_paddr) == 16,
	       "modlist_paddr offset");
_Static_assert(offsetof(struct hvm_start_info, cmdline_paddr) == 24,
	       "cmdline_paddr offset");
_Static_assert(offsetof(struct hvm_start_info, rsdp_paddr) == 32,
	       "rsdp_paddr offset");
_Static_assert(offsetof(struct hvm_start_info, memmap_paddr) == 40,
	       "memmap_paddr offset");
_Static_assert(offsetof(struct hvm_start_info, memmap_entries) == 48,
	       "memmap_entries offset");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist size");
_Static_assert(offsetof(struct hvm_modlist_entry, cmdline_paddr) == 16,
	       "modlist cmdline offset");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "memmap size");
_Static_assert(offsetof(struct hvm_memmap_table_entry, type) == 16,
	       "memmap type offset");

struct pvh_module {
	uint64_t gpa; /* where the hypervisor put it in guest RAM */
	uint64_t size;
	const char *cmdline; /* NULL: none */
};

struct pvh_start_cfg {
	const char *cmdline; /* NULL: none */
	const struct pvh_module *modules;
	unsigned int n_modules; /* <= PVH_MAX_MODULES */
	uint64_t rsdp_gpa; /* 0: no ACPI */
	const struct hvm_memmap_table_entry *memmap;
	unsigned int n_memmap; /* <= PVH_MAX_MEMMAP */
};

/*
 * Lay out, in @buf (which the guest will see at @buf_gpa), the
 * hvm_start_info followed by the module list, the memory map, the command
 * line and the module strings, every pointer a GPA inside the blob. The
 * guest receives buf_gpa in EBX, so the whole blob must lie below 4 GiB;
 * buf_gpa must be 8-byte aligned. Returns the bytes used (> 0), or -1 with
 * a static *err. Unused bytes of @buf are left untouched.
 */
int pvh_build_start_info(void *buf, size_t buflen, uint64_t buf_gpa,
			 const struct pvh_start_cfg *cfg, const char **err);

#endif
