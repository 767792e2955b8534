// SPDX-License-Identifier: MIT
/*
 * Multiboot2 and multiboot1 boot information parsers (see bootinfo.h).
 * Every multi-byte field is read with memcpy(): multiboot1 memory map
 * entries are packed at 4-byte granularity and loaders are not trusted to
 * align anything beyond what the specifications promise.
 */
#include "boot/bootinfo.h"
#include "lib/unaligned.h"

#include <stdbool.h>
#include <string.h>

/* Multiboot2 spec 3.6.1: fixed part (total_size, reserved), then tags. */
#define MB2_FIXED_SIZE 8
#define MB2_TAG_HDR 8 /* u32 type, u32 size */
#define MB2_TAG_ALIGN 8 /* tags start 8-byte aligned */

/* Multiboot2 spec 3.6: tag types. */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_EFI32 11 /* EFI 32-bit system table pointer */
#define MB2_TAG_EFI64 12 /* EFI 64-bit system table pointer */
#define MB2_TAG_ACPI_OLD 14 /* copy of the ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW 15 /* copy of the ACPI 2.0+ RSDP */
#define MB2_TAG_EFI_BS 18 /* EFI boot services not terminated */
#define MB2_EFI32_SIZE 12 /* type, size, u32 pointer */
#define MB2_EFI64_SIZE 16 /* type, size, u64 pointer */
#define RSDP_V1_SIZE 20
#define RSDP_V2_SIZE 36

#define MB2_MODULE_STR_OFF 16 /* type, size, mod_start, mod_end */
#define MB2_MEMINFO_SIZE 16 /* type, size, mem_lower, mem_upper */
#define MB2_MMAP_ENTRIES_OFF 16 /* type, size, entry_size, version */
#define MB2_MMAP_ENTRY_MIN 24 /* base_addr, length, type, reserved */
#define MB2_MMAP_ENTRY_ALIGN 8 /* "guaranteed to be a multiple of 8" */

/* Multiboot 0.6.96, 3.3: flags and field offsets of the info structure. */
#define MB1_FLAG_MEM (1u << 0)
#define MB1_FLAG_CMDLINE (1u << 2)
#define MB1_FLAG_MODS (1u << 3)
#define MB1_FLAG_MMAP (1u << 6)
#define MB1_FLAG_LOADER_NAME (1u << 9)
#define MB1_OFF_FLAGS 0
#define MB1_OFF_MEM_LOWER 4
#define MB1_OFF_MEM_UPPER 8
#define MB1_OFF_CMDLINE 16
#define MB1_OFF_MODS_COUNT 20
#define MB1_OFF_MODS_ADDR 24
#define MB1_OFF_MMAP_LENGTH 44
#define MB1_OFF_MMAP_ADDR 48
#define MB1_OFF_LOADER_NAME 64
#define MB1_INFO_SIZE 68 /* through boot_loader_name, all we read */
#define MB1_MOD_SIZE 16 /* mod_start, mod_end, string, reserved */
#define MB1_MMAP_SIZE_FIELD 4 /* "size" does not count itself */
#define MB1_MMAP_ENTRY_MIN 20 /* base_addr, length, type */

/* Basic meminfo: lower memory from 0, upper memory from 1 MiB. */
#define MEM_UPPER_BASE 0x100000ull
#define KIB_SHIFT 10

static int fail(const char **err, const char *msg)
{
	if (err)
		*err = msg;
	return -1;
}

static void bi_init(struct boot_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->cmdline = "";
}

static int add_mem(struct boot_info *bi, uint64_t base, uint64_t len,
		   uint32_t type)
{
	if (bi->n_mem == BI_MAX_MEM)
		return -1;
	bi->mem[bi->n_mem].base = base;
	bi->mem[bi->n_mem].len = len;
	bi->mem[bi->n_mem].type = type;
	bi->n_mem++;
	return 0;
}

/* Without a memory map, describe RAM from the basic meminfo. */
static void mem_from_meminfo(struct boot_info *bi)
{
	if (bi->n_mem || !bi->has_meminfo)
		return;
	add_mem(bi, 0, (uint64_t)bi->mem_lower_kb << KIB_SHIFT, BI_MEM_RAM);
	add_mem(bi, MEM_UPPER_BASE, (uint64_t)bi->mem_upper_kb << KIB_SHIFT,
		BI_MEM_RAM);
}

/* A string field of @len bytes at @s must hold its terminating NUL. */
static bool str_in(const char *s, size_t len)
{
	return strnlen(s, len) < len;
}

static int mb2_mmap(const uint8_t *tag, uint32_t size, struct boot_info *bi,
		    const char **err)
{
	uint32_t esz;

	if (size < MB2_MMAP_ENTRIES_OFF)
		return fail(err, "multiboot2: memory map tag too short");
	esz = rd32(tag + MB2_TAG_HDR);
	if (esz < MB2_MMAP_ENTRY_MIN || esz % MB2_MMAP_ENTRY_ALIGN)
		return fail(err, "multiboot2: bad memory map entry_size");
	for (uint32_t off = MB2_MMAP_ENTRIES_OFF; size - off >= esz;
	     off += esz) {
		const uint8_t *e = tag + off;

		if (add_mem(bi, rd64(e), rd64(e + 8), rd32(e + 16)))
			return fail(err,
				    "multiboot2: too many memory map entries");
	}
	return 0;
}

static int mb2_tag(const uint8_t *tag, uint32_t type, uint32_t size,
		   struct boot_info *bi, const char **err)
{
	const char *str = (const char *)tag + MB2_TAG_HDR;
	struct bi_module *m;

	switch (type) {
	case MB2_TAG_CMDLINE:
		if (!str_in(str, size - MB2_TAG_HDR))
			return fail(err,
				    "multiboot2: command line not terminated");
		bi->cmdline = str;
		return 0;
	case MB2_TAG_LOADER_NAME:
		if (!str_in(str, size - MB2_TAG_HDR))
			return fail(err,
				    "multiboot2: loader name not terminated");
		bi->loader = str;
		return 0;
	case MB2_TAG_MODULE:
		if (size <= MB2_MODULE_STR_OFF)
			return fail(err, "multiboot2: module tag too short");
		str = (const char *)tag + MB2_MODULE_STR_OFF;
		if (!str_in(str, size - MB2_MODULE_STR_OFF))
			return fail(err,
				    "multiboot2: module string not terminated");
		if (bi->n_mod == BI_MAX_MODS)
			return fail(err, "multiboot2: too many modules");
		m = &bi->mod[bi->n_mod];
		m->start = rd32(tag + 8);
		m->end = rd32(tag + 12);
		m->cmdline = str;
		if (m->end < m->start)
			return fail(err,
				    "multiboot2: module ends before start");
		bi->n_mod++;
		return 0;
	case MB2_TAG_MEMINFO:
		if (size < MB2_MEMINFO_SIZE)
			return fail(err, "multiboot2: meminfo tag too short");
		bi->mem_lower_kb = rd32(tag + 8);
		bi->mem_upper_kb = rd32(tag + 12);
		bi->has_meminfo = 1;
		return 0;
	case MB2_TAG_MMAP:
		/* A second map would duplicate entries: last one wins. */
		bi->n_mem = 0;
		return mb2_mmap(tag, size, bi, err);
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
		/* Started by UEFI firmware (spec 3.6.12, 3.6.13): there are
		 * no legacy BIOS areas to rely on. */
		if (size <
		    (type == MB2_TAG_EFI64 ? MB2_EFI64_SIZE : MB2_EFI32_SIZE))
			return fail(err, "multiboot2: EFI tag too short");
		bi->efi_systab = type == MB2_TAG_EFI64 ? rd64(tag + 8) :
							 rd32(tag + 8);
		bi->efi = 1;
		return 0;
	case MB2_TAG_EFI_BS:
		/* x2hv never asks for them (no tag 7 in its header). */
		return fail(err, "multiboot2: EFI boot services still running");
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		/* Too short a copy is ignored (SMP falls back to a scan);
		 * the ACPI 2.0 copy is preferred whatever the tag order. */
		if (size < MB2_TAG_HDR + (type == MB2_TAG_ACPI_NEW ?
						  RSDP_V2_SIZE :
						  RSDP_V1_SIZE))
			return 0;
		if (type == MB2_TAG_ACPI_NEW || !bi->rsdp_v2)
			bi->rsdp = tag + MB2_TAG_HDR;
		bi->rsdp_v2 |= type == MB2_TAG_ACPI_NEW;
		return 0;
	default:
		/* Spec 3.6: "tags ... the OS image must ignore" if unknown. */
		return 0;
	}
}

int bootinfo_parse_mb2(const void *info, struct boot_info *bi, const char **err)
{
	const uint8_t *p = info;
	uint32_t total;
	size_t off = MB2_FIXED_SIZE;

	bi_init(bi);
	if (!p)
		return fail(err, "multiboot2: no boot information");
	if ((uintptr_t)p % MB2_TAG_ALIGN)
		return fail(err, "multiboot2: information not 8-byte aligned");
	total = rd32(p);
	if (total < MB2_FIXED_SIZE + MB2_TAG_HDR)
		return fail(err, "multiboot2: total_size too small");
	if (total > BI_MB2_MAX_SIZE)
		return fail(err, "multiboot2: total_size too large");

	for (;;) {
		uint32_t type, size;
		int rc;

		if (total - off < MB2_TAG_HDR)
			return fail(err, "multiboot2: no end tag");
		type = rd32(p + off);
		size = rd32(p + off + 4);
		if (size < MB2_TAG_HDR)
			return fail(err, "multiboot2: tag size too small");
		if (size > total - off)
			return fail(err,
				    "multiboot2: tag runs past total_size");
		if (type == MB2_TAG_END) {
			if (size != MB2_TAG_HDR)
				return fail(err,
					    "multiboot2: bad end tag size");
			break;
		}
		rc = mb2_tag(p + off, type, size, bi, err);
		if (rc)
			return rc;
		/* Next tag at the next 8-byte boundary; total <= 1 MiB. */
		off = (off + size + MB2_TAG_ALIGN - 1) &
		      ~(size_t)(MB2_TAG_ALIGN - 1);
		if (off > total)
			return fail(err, "multiboot2: no end tag");
	}
	mem_from_meminfo(bi);
	return 0;
}

/*
 * A NUL-terminated string at physical @pa of at most BI_MAX_STRLEN bytes.
 * Its length is unknown, so each byte is translated on its own before the
 * whole string is: a string at the end of mapped memory is still found.
 */
static const char *mb1_string(uint64_t pa, bi_phys_fn phys)
{
	for (size_t n = 0; n < BI_MAX_STRLEN; n++) {
		const char *c;

		if (pa + n < pa)
			return NULL;
		c = phys(pa + n, 1);
		if (!c)
			return NULL;
		if (*c == '\0')
			return phys(pa, n + 1);
	}
	return NULL;
}

static int mb1_mods(const uint8_t *mbi, bi_phys_fn phys, struct boot_info *bi,
		    const char **err)
{
	uint32_t count = rd32(mbi + MB1_OFF_MODS_COUNT);
	const uint8_t *t;

	if (count > BI_MAX_MODS)
		return fail(err, "multiboot1: too many modules");
	if (!count)
		return 0;
	t = phys(rd32(mbi + MB1_OFF_MODS_ADDR), (size_t)count * MB1_MOD_SIZE);
	if (!t)
		return fail(err, "multiboot1: module list not readable");
	for (uint32_t i = 0; i < count; i++, t += MB1_MOD_SIZE) {
		struct bi_module *m = &bi->mod[i];

		m->start = rd32(t);
		m->end = rd32(t + 4);
		if (m->end < m->start)
			return fail(err,
				    "multiboot1: module ends before start");
		/* Spec 3.3: string is 0 if the module has none. */
		m->cmdline = rd32(t + 8) ? mb1_string(rd32(t + 8), phys) : "";
		if (!m->cmdline)
			return fail(err,
				    "multiboot1: module string not readable");
	}
	bi->n_mod = count;
	return 0;
}

static int mb1_mmap(const uint8_t *mbi, bi_phys_fn phys, struct boot_info *bi,
		    const char **err)
{
	uint32_t len = rd32(mbi + MB1_OFF_MMAP_LENGTH);
	const uint8_t *map;
	uint32_t off = 0;

	if (!len)
		return 0;
	map = phys(rd32(mbi + MB1_OFF_MMAP_ADDR), len);
	if (!map)
		return fail(err, "multiboot1: memory map not readable");
	/* Entries are size-prefixed; size does not count itself. */
	while (len - off >= MB1_MMAP_SIZE_FIELD) {
		const uint8_t *e = map + off;
		uint32_t size = rd32(e);

		if (size < MB1_MMAP_ENTRY_MIN)
			return fail(err,
				    "multiboot1: memory map entry too short");
		if (size > len - off - MB1_MMAP_SIZE_FIELD)
			return fail(
				err,
				"multiboot1: memory map entry runs past mmap_length");
		if (add_mem(bi, rd64(e + 4), rd64(e + 12), rd32(e + 20)))
			return fail(err,
				    "multiboot1: too many memory map entries");
		off += MB1_MMAP_SIZE_FIELD + size;
	}
	if (off != len)
		return fail(err, "multiboot1: trailing bytes in memory map");
	return 0;
}

int bootinfo_parse_mb1(uint64_t info_pa, bi_phys_fn phys, struct boot_info *bi,
		       const char **err)
{
	const uint8_t *mbi;
	uint32_t flags;
	int rc;

	bi_init(bi);
	mbi = phys(info_pa, MB1_INFO_SIZE);
	if (!mbi)
		return fail(err, "multiboot1: information not readable");
	flags = rd32(mbi + MB1_OFF_FLAGS);
	if (flags & MB1_FLAG_MEM) {
		bi->mem_lower_kb = rd32(mbi + MB1_OFF_MEM_LOWER);
		bi->mem_upper_kb = rd32(mbi + MB1_OFF_MEM_UPPER);
		bi->has_meminfo = 1;
	}
	if (flags & MB1_FLAG_CMDLINE) {
		bi->cmdline = mb1_string(rd32(mbi + MB1_OFF_CMDLINE), phys);
		if (!bi->cmdline)
			return fail(err,
				    "multiboot1: command line not readable");
	}
	if (flags & MB1_FLAG_LOADER_NAME) {
		bi->loader = mb1_string(rd32(mbi + MB1_OFF_LOADER_NAME), phys);
		if (!bi->loader)
			return fail(err,
				    "multiboot1: loader name not readable");
	}
	if (flags & MB1_FLAG_MODS) {
		rc = mb1_mods(mbi, phys, bi, err);
		if (rc)
			return rc;
	}
	if (flags & MB1_FLAG_MMAP) {
		rc = mb1_mmap(mbi, phys, bi, err);
		if (rc)
			return rc;
	}
	mem_from_meminfo(bi);
	return 0;
}

int bootinfo_parse(uint32_t magic, uint64_t info_pa, bi_phys_fn phys,
		   struct boot_info *bi, const char **err)
{
	const uint8_t *hdr;
	uint32_t total;

	if (magic == MB1_BOOTLOADER_MAGIC)
		return bootinfo_parse_mb1(info_pa, phys, bi, err);
	bi_init(bi);
	if (magic != MB2_BOOTLOADER_MAGIC)
		return fail(err, "boot: not started by a multiboot loader");
	hdr = phys(info_pa, MB2_FIXED_SIZE);
	if (!hdr)
		return fail(err, "multiboot2: information not readable");
	total = rd32(hdr);
	if (total < MB2_FIXED_SIZE)
		return fail(err, "multiboot2: total_size too small");
	if (total > BI_MB2_MAX_SIZE)
		return fail(err, "multiboot2: total_size too large");
	hdr = phys(info_pa, total);
	if (!hdr)
		return fail(err, "multiboot2: information not readable");
	return bootinfo_parse_mb2(hdr, bi, err);
}
