// SPDX-License-Identifier: MIT
/*
 * Unit tests of boot/bootinfo.c. Multiboot2 information is assembled tag
 * by tag in an aligned buffer; multiboot1 structures are laid out in a
 * fake physical memory reached through the phys() callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "boot/bootinfo.h"

/* ------------------------------------------------------- multiboot2 */

static _Alignas(8) uint8_t mb2[8192];
static size_t mb2_off;

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void mb2_begin(void)
{
	memset(mb2, 0xa5, sizeof(mb2));
	put32(mb2 + 4, 0);
	mb2_off = 8;
}

/* Append a tag with @len payload bytes; returns the payload. */
static uint8_t *mb2_tag(uint32_t type, uint32_t len)
{
	uint8_t *t = mb2 + mb2_off;

	put32(t, type);
	put32(t + 4, 8 + len);
	mb2_off = (mb2_off + 8 + len + 7) & ~(size_t)7;
	return t + 8;
}

static void mb2_str(uint32_t type, const char *s)
{
	memcpy(mb2_tag(type, strlen(s) + 1), s, strlen(s) + 1);
}

static void mb2_module(uint32_t start, uint32_t end, const char *s)
{
	uint8_t *p = mb2_tag(3, 8 + strlen(s) + 1);

	put32(p, start);
	put32(p + 4, end);
	memcpy(p + 8, s, strlen(s) + 1);
}

static uint8_t *mb2_mmap(uint32_t entry_size, unsigned int n)
{
	uint8_t *p = mb2_tag(6, 8 + entry_size * n);

	put32(p, entry_size);
	put32(p + 4, 0);
	return p + 8;
}

static void mmap_entry(uint8_t *e, uint64_t base, uint64_t len, uint32_t type)
{
	put64(e, base);
	put64(e + 8, len);
	put32(e + 16, type);
	put32(e + 20, 0);
}

/* Append the end tag and set total_size. */
static void mb2_end(void)
{
	mb2_tag(0, 0);
	put32(mb2, (uint32_t)mb2_off);
}

static struct boot_info bi;

static int parse2(const char **err)
{
	*err = NULL;
	return bootinfo_parse_mb2(mb2, &bi, err);
}

static void expect_mb2_error(const char *msg)
{
	const char *err;

	assert_int_equal(parse2(&err), -1);
	assert_non_null(err);
	assert_string_equal(err, msg);
}

static void test_mb2_full(void **state)
{
	const char *err;
	uint8_t *e;

	mb2_begin();
	mb2_str(1, "console=com2 vcpus=2");
	mb2_str(2, "GRUB 2.06");
	mb2_module(0x200000, 0x300000, "/boot/vmlinux console=ttyS0");
	mb2_module(0x300000, 0x300000, "");
	e = mb2_mmap(24, 3);
	mmap_entry(e, 0, 0x9fc00, 1);
	mmap_entry(e + 24, 0xf0000, 0x10000, 2);
	mmap_entry(e + 48, 0x100000, 0x7ff00000, 1);
	put32(mb2_tag(4, 8), 639);
	put32(mb2 + mb2_off - 4, 0x1ffc00);
	mb2_tag(8, 23); /* framebuffer: skipped */
	mb2_tag(0x7777, 5); /* unknown: ignored */
	mb2_end();

	assert_int_equal(parse2(&err), 0);
	assert_string_equal(bi.cmdline, "console=com2 vcpus=2");
	assert_string_equal(bi.loader, "GRUB 2.06");
	assert_int_equal(bi.n_mod, 2);
	assert_int_equal(bi.mod[0].start, 0x200000);
	assert_int_equal(bi.mod[0].end, 0x300000);
	assert_string_equal(bi.mod[0].cmdline, "/boot/vmlinux console=ttyS0");
	assert_string_equal(bi.mod[1].cmdline, "");
	assert_int_equal(bi.n_mem, 3);
	assert_int_equal(bi.mem[1].base, 0xf0000);
	assert_int_equal(bi.mem[1].len, 0x10000);
	assert_int_equal(bi.mem[1].type, BI_MEM_RESERVED);
	assert_int_equal(bi.mem[2].base, 0x100000);
	assert_int_equal(bi.mem[2].len, 0x7ff00000);
	assert_int_equal(bi.mem[2].type, BI_MEM_RAM);
	assert_true(bi.has_meminfo);
	assert_int_equal(bi.mem_lower_kb, 639);
	/* Strings point into the information, not into copies. */
	assert_true((const uint8_t *)bi.cmdline > mb2 &&
		    (const uint8_t *)bi.cmdline < mb2 + mb2_off);
}

static void test_mb2_minimal(void **state)
{
	const char *err;

	mb2_begin();
	mb2_end();
	assert_int_equal(mb2_off, 16);
	assert_int_equal(parse2(&err), 0);
	assert_string_equal(bi.cmdline, "");
	assert_null(bi.loader);
	assert_int_equal(bi.n_mod, 0);
	assert_int_equal(bi.n_mem, 0);
	assert_false(bi.has_meminfo);
}

static void test_mb2_acpi_tags(void **state)
{
	const char *err;
	uint8_t *v1, *v2;

	/* No tag: no RSDP. */
	mb2_begin();
	mb2_end();
	assert_int_equal(parse2(&err), 0);
	assert_null(bi.rsdp);
	/* The 2.0 copy wins even when the 1.0 one comes after it. */
	mb2_begin();
	v2 = mb2_tag(15, 36);
	memcpy(v2, "RSD PTR ", 8);
	v1 = mb2_tag(14, 20);
	memcpy(v1, "RSD PTR ", 8);
	mb2_end();
	assert_int_equal(parse2(&err), 0);
	assert_ptr_equal(bi.rsdp, v2);
	/* Only a 1.0 copy; a truncated 2.0 copy is ignored. */
	mb2_begin();
	v1 = mb2_tag(14, 20);
	mb2_tag(15, 20);
	mb2_end();
	assert_int_equal(parse2(&err), 0);
	assert_ptr_equal(bi.rsdp, v1);
}

/* UEFI GRUB: the EFI system table tags mark a UEFI boot (no BIOS areas
 * to scan); a too-short one is an error, and a loader that left boot
 * services running (tag 18, never requested) is refused. */
static void test_mb2_efi_tags(void **state)
{
	const char *err;
	uint8_t *p;

	mb2_begin();
	mb2_end();
	assert_int_equal(parse2(&err), 0);
	assert_false(bi.efi);
	mb2_begin();
	p = mb2_tag(12, 8);
	put32(p, 0x7f9ee018);
	put32(p + 4, 0x1);
	mb2_end();
	assert_int_equal(parse2(&err), 0);
	assert_true(bi.efi);
	assert_int_equal(bi.efi_systab, 0x17f9ee018ull);
	mb2_begin();
	p = mb2_tag(11, 4);
	put32(p, 0x7f9ee018);
	mb2_end();
	assert_int_equal(parse2(&err), 0);
	assert_true(bi.efi);
	assert_int_equal(bi.efi_systab, 0x7f9ee018ull);
	mb2_begin();
	mb2_tag(12, 4);
	mb2_end();
	assert_int_equal(parse2(&err), -1);
	assert_string_equal(err, "multiboot2: EFI tag too short");
	mb2_begin();
	mb2_tag(18, 0);
	mb2_end();
	assert_int_equal(parse2(&err), -1);
	assert_string_equal(err, "multiboot2: EFI boot services still running");
}

static void test_mb2_meminfo_only(void **state)
{
	const char *err;
	uint8_t *p;

	mb2_begin();
	p = mb2_tag(4, 8);
	put32(p, 640);
	put32(p + 4, 1024 * 1023);
	mb2_end();
	assert_int_equal(parse2(&err), 0);
	assert_int_equal(bi.n_mem, 2);
	assert_int_equal(bi.mem[0].base, 0);
	assert_int_equal(bi.mem[0].len, 640 * 1024);
	assert_int_equal(bi.mem[1].base, 0x100000);
	assert_int_equal(bi.mem[1].len, 1023ull << 20);
	assert_int_equal(bi.mem[1].type, BI_MEM_RAM);
}

static void test_mb2_mmap_wide_entries(void **state)
{
	const char *err;
	uint8_t *e;

	/* entry_size 32: later versions may append fields; skip them. */
	mb2_begin();
	e = mb2_mmap(32, 2);
	mmap_entry(e, 0x1000, 0x2000, 1);
	mmap_entry(e + 32, 0x100000, 0x400000, 3);
	mb2_end();
	assert_int_equal(parse2(&err), 0);
	assert_int_equal(bi.n_mem, 2);
	assert_int_equal(bi.mem[1].base, 0x100000);
	assert_int_equal(bi.mem[1].type, BI_MEM_ACPI);
}

static void test_mb2_mmap_errors(void **state)
{
	uint8_t *e;

	mb2_begin();
	mb2_mmap(20, 1);
	mb2_end();
	expect_mb2_error("multiboot2: bad memory map entry_size");

	mb2_begin();
	mb2_mmap(28, 1);
	mb2_end();
	expect_mb2_error("multiboot2: bad memory map entry_size");

	mb2_begin();
	mb2_tag(6, 4);
	mb2_end();
	expect_mb2_error("multiboot2: memory map tag too short");

	mb2_begin();
	e = mb2_mmap(24, BI_MAX_MEM + 1);
	for (unsigned int i = 0; i <= BI_MAX_MEM; i++)
		mmap_entry(e + 24 * i, i * 0x1000ull, 0x1000, 1);
	mb2_end();
	expect_mb2_error("multiboot2: too many memory map entries");

	/* Exactly BI_MAX_MEM entries fit. */
	mb2_begin();
	e = mb2_mmap(24, BI_MAX_MEM);
	for (unsigned int i = 0; i < BI_MAX_MEM; i++)
		mmap_entry(e + 24 * i, i * 0x1000ull, 0x1000, 1);
	mb2_end();
	{
		const char *err;

		assert_int_equal(parse2(&err), 0);
		assert_int_equal(bi.n_mem, BI_MAX_MEM);
		assert_int_equal(bi.mem[BI_MAX_MEM - 1].base,
				 (BI_MAX_MEM - 1) * 0x1000ull);
	}
}

static void test_mb2_header_errors(void **state)
{
	const char *err = NULL;

	assert_int_equal(bootinfo_parse_mb2(NULL, &bi, &err), -1);
	assert_string_equal(err, "multiboot2: no boot information");

	mb2_begin();
	mb2_end();
	assert_int_equal(bootinfo_parse_mb2(mb2 + 4, &bi, &err), -1);
	assert_string_equal(err, "multiboot2: information not 8-byte aligned");

	put32(mb2, 15);
	expect_mb2_error("multiboot2: total_size too small");
	put32(mb2, BI_MB2_MAX_SIZE + 8);
	expect_mb2_error("multiboot2: total_size too large");
}

static void test_mb2_tag_bounds(void **state)
{
	/* A tag whose size runs past total_size. */
	mb2_begin();
	mb2_str(1, "vcpus=1");
	mb2_end();
	put32(mb2 + 12, 0x100);
	expect_mb2_error("multiboot2: tag runs past total_size");

	/* A tag size below the 8-byte header. */
	mb2_begin();
	mb2_end();
	put32(mb2 + 12, 4);
	expect_mb2_error("multiboot2: tag size too small");

	/* total_size ends right after a tag: no end tag. */
	mb2_begin();
	mb2_str(1, "abcdefg"); /* 16 bytes */
	put32(mb2, (uint32_t)mb2_off);
	expect_mb2_error("multiboot2: no end tag");

	/* Padding to 8 bytes pushes past total_size. */
	mb2_begin();
	mb2_str(1, "ab");
	put32(mb2, 8 + 11);
	expect_mb2_error("multiboot2: no end tag");

	/* Fewer than 8 bytes left for the next tag header. */
	mb2_begin();
	mb2_str(1, "abcdefg");
	put32(mb2, (uint32_t)mb2_off + 4);
	expect_mb2_error("multiboot2: no end tag");

	/* End tag must be exactly 8 bytes. */
	mb2_begin();
	mb2_tag(0, 8);
	put32(mb2, (uint32_t)mb2_off);
	expect_mb2_error("multiboot2: bad end tag size");
}

static void test_mb2_tag_padding(void **state)
{
	const char *err;

	/* Odd-sized tags: each next tag starts at the 8-byte boundary. */
	mb2_begin();
	mb2_str(2, "x");
	mb2_str(1, "vcpus=3");
	mb2_tag(0x55, 1);
	mb2_end();
	assert_int_equal(parse2(&err), 0);
	assert_string_equal(bi.loader, "x");
	assert_string_equal(bi.cmdline, "vcpus=3");
}

static void test_mb2_string_errors(void **state)
{
	uint8_t *p;

	mb2_begin();
	memcpy(mb2_tag(1, 4), "abcd", 4);
	mb2_end();
	expect_mb2_error("multiboot2: command line not terminated");

	mb2_begin();
	memcpy(mb2_tag(2, 3), "abc", 3);
	mb2_end();
	expect_mb2_error("multiboot2: loader name not terminated");

	mb2_begin();
	p = mb2_tag(3, 10);
	put32(p, 0x1000);
	put32(p + 4, 0x2000);
	memcpy(p + 8, "ab", 2);
	mb2_end();
	expect_mb2_error("multiboot2: module string not terminated");

	mb2_begin();
	mb2_tag(3, 8);
	mb2_end();
	expect_mb2_error("multiboot2: module tag too short");
}

static void test_mb2_module_errors(void **state)
{
	mb2_begin();
	mb2_module(0x2000, 0x1000, "x");
	mb2_end();
	expect_mb2_error("multiboot2: module ends before start");

	mb2_begin();
	for (unsigned int i = 0; i <= BI_MAX_MODS; i++)
		mb2_module(0x1000 * i, 0x1000 * (i + 1), "m");
	mb2_end();
	expect_mb2_error("multiboot2: too many modules");

	mb2_begin();
	mb2_tag(4, 4);
	mb2_end();
	expect_mb2_error("multiboot2: meminfo tag too short");
}

/* ------------------------------------------------------- multiboot1 */

#define PMEM_BASE 0x10000ull
#define PMEM_SIZE 0x10000u
static uint8_t pmem[PMEM_SIZE];

static const void *phys(uint64_t pa, size_t len)
{
	if (pa < PMEM_BASE || pa - PMEM_BASE > PMEM_SIZE ||
	    len > PMEM_SIZE - (pa - PMEM_BASE))
		return NULL;
	return pmem + (pa - PMEM_BASE);
}

static uint8_t *at(uint64_t pa)
{
	return pmem + (pa - PMEM_BASE);
}

#define MBI 0x10000ull
#define CMDLINE 0x11000ull
#define LOADER 0x11100ull
#define MODS 0x11200ull
#define MODSTR 0x11300ull
#define MMAP 0x11400ull

static void mb1_begin(uint32_t flags)
{
	memset(pmem, 0, sizeof(pmem));
	put32(at(MBI), flags);
}

static void mb1_mmap_entry(uint64_t pa, uint64_t base, uint64_t len,
			   uint32_t type)
{
	put32(at(pa), 20);
	put64(at(pa + 4), base);
	put64(at(pa + 12), len);
	put32(at(pa + 20), type);
}

static void expect_mb1_error(const char *msg)
{
	const char *err = NULL;

	assert_int_equal(bootinfo_parse_mb1(MBI, phys, &bi, &err), -1);
	assert_non_null(err);
	assert_string_equal(err, msg);
}

static void mb1_full(void)
{
	mb1_begin(1 | 4 | 8 | 64 | 512);
	put32(at(MBI + 4), 639);
	put32(at(MBI + 8), 65536);
	put32(at(MBI + 16), CMDLINE);
	strcpy((char *)at(CMDLINE), "/x2hv.elf mem=64M");
	put32(at(MBI + 64), LOADER);
	strcpy((char *)at(LOADER), "qemu");
	put32(at(MBI + 20), 2);
	put32(at(MBI + 24), MODS);
	put32(at(MODS), 0x400000);
	put32(at(MODS + 4), 0x500000);
	put32(at(MODS + 8), MODSTR);
	strcpy((char *)at(MODSTR), "vmlinux console=ttyS0");
	put32(at(MODS + 16), 0x500000);
	put32(at(MODS + 20), 0x580000);
	put32(at(MODS + 24), 0); /* no string */
	/* Packed 24-byte entries: the 64-bit fields are misaligned. */
	mb1_mmap_entry(MMAP, 0, 0x9fc00, 1);
	mb1_mmap_entry(MMAP + 24, 0x100000, 0x3ff00000, 1);
	mb1_mmap_entry(MMAP + 48, 0xfffc0000, 0x40000, 2);
	put32(at(MBI + 44), 72);
	put32(at(MBI + 48), MMAP);
}

static void test_mb1_full(void **state)
{
	const char *err = NULL;

	mb1_full();
	assert_int_equal(bootinfo_parse_mb1(MBI, phys, &bi, &err), 0);
	assert_string_equal(bi.cmdline, "/x2hv.elf mem=64M");
	assert_string_equal(bi.loader, "qemu");
	assert_int_equal(bi.n_mod, 2);
	assert_int_equal(bi.mod[0].start, 0x400000);
	assert_int_equal(bi.mod[0].end, 0x500000);
	assert_string_equal(bi.mod[0].cmdline, "vmlinux console=ttyS0");
	assert_string_equal(bi.mod[1].cmdline, "");
	assert_int_equal(bi.n_mem, 3);
	assert_int_equal(bi.mem[1].base, 0x100000);
	assert_int_equal(bi.mem[1].len, 0x3ff00000);
	assert_int_equal(bi.mem[2].base, 0xfffc0000);
	assert_int_equal(bi.mem[2].type, BI_MEM_RESERVED);
	assert_int_equal(bi.mem_upper_kb, 65536);

	/* The same through the magic dispatcher. */
	assert_int_equal(
		bootinfo_parse(MB1_BOOTLOADER_MAGIC, MBI, phys, &bi, &err), 0);
	assert_int_equal(bi.n_mem, 3);
}

static void test_mb1_flags_ignored(void **state)
{
	const char *err = NULL;

	/* Flags clear: the fields are garbage and must not be read. */
	mb1_full();
	put32(at(MBI), 0);
	assert_int_equal(bootinfo_parse_mb1(MBI, phys, &bi, &err), 0);
	assert_string_equal(bi.cmdline, "");
	assert_null(bi.loader);
	assert_int_equal(bi.n_mod, 0);
	assert_int_equal(bi.n_mem, 0);

	/* mem only: two RAM ranges from mem_lower / mem_upper. */
	put32(at(MBI), 1);
	assert_int_equal(bootinfo_parse_mb1(MBI, phys, &bi, &err), 0);
	assert_int_equal(bi.n_mem, 2);
	assert_int_equal(bi.mem[0].len, 639 * 1024);
	assert_int_equal(bi.mem[1].base, 0x100000);
	assert_int_equal(bi.mem[1].len, 64ull << 20);
}

static void test_mb1_unreadable(void **state)
{
	const char *err = NULL;

	assert_int_equal(bootinfo_parse_mb1(0x1000, phys, &bi, &err), -1);
	assert_string_equal(err, "multiboot1: information not readable");
	/* Last 67 bytes of memory: the 68-byte structure does not fit. */
	assert_int_equal(bootinfo_parse_mb1(PMEM_BASE + PMEM_SIZE - 67, phys,
					    &bi, &err),
			 -1);

	mb1_full();
	put32(at(MBI + 16), 0x900000);
	expect_mb1_error("multiboot1: command line not readable");

	mb1_full();
	put32(at(MBI + 64), 0);
	expect_mb1_error("multiboot1: loader name not readable");

	mb1_full();
	put32(at(MBI + 24), 0x900000);
	expect_mb1_error("multiboot1: module list not readable");

	mb1_full();
	put32(at(MODS + 8), PMEM_BASE + PMEM_SIZE);
	expect_mb1_error("multiboot1: module string not readable");

	mb1_full();
	put32(at(MBI + 48), PMEM_BASE + PMEM_SIZE - 8);
	expect_mb1_error("multiboot1: memory map not readable");
}

static void test_mb1_strings(void **state)
{
	const char *err = NULL;
	uint64_t last = PMEM_BASE + PMEM_SIZE - 4;

	/* A string ending at the last byte of memory is found. */
	mb1_full();
	put32(at(MBI + 16), last);
	memcpy(at(last), "abc", 4);
	assert_int_equal(bootinfo_parse_mb1(MBI, phys, &bi, &err), 0);
	assert_string_equal(bi.cmdline, "abc");

	/* Without a NUL before the end of memory it is rejected. */
	memcpy(at(last), "abcd", 4);
	expect_mb1_error("multiboot1: command line not readable");

	/* Longer than BI_MAX_STRLEN: rejected. */
	mb1_full();
	memset(at(0x12000), 'a', BI_MAX_STRLEN);
	at(0x12000)[BI_MAX_STRLEN] = 0;
	put32(at(MBI + 16), 0x12000);
	expect_mb1_error("multiboot1: command line not readable");
	at(0x12000)[BI_MAX_STRLEN - 1] = 0;
	assert_int_equal(bootinfo_parse_mb1(MBI, phys, &bi, &err), 0);
	assert_int_equal(strlen(bi.cmdline), BI_MAX_STRLEN - 1);
}

static void test_mb1_module_errors(void **state)
{
	mb1_full();
	put32(at(MBI + 20), BI_MAX_MODS + 1);
	expect_mb1_error("multiboot1: too many modules");

	mb1_full();
	put32(at(MODS + 20), 0x400000);
	expect_mb1_error("multiboot1: module ends before start");
}

static void test_mb1_mmap_errors(void **state)
{
	const char *err = NULL;

	mb1_full();
	put32(at(MMAP + 24), 16);
	expect_mb1_error("multiboot1: memory map entry too short");

	mb1_full();
	put32(at(MBI + 44), 70);
	expect_mb1_error("multiboot1: memory map entry runs past mmap_length");

	mb1_full();
	put32(at(MBI + 44), 74);
	expect_mb1_error("multiboot1: trailing bytes in memory map");

	mb1_full();
	for (unsigned int i = 0; i <= BI_MAX_MEM; i++)
		mb1_mmap_entry(MMAP + 24 * i, i * 0x1000ull, 0x1000, 1);
	put32(at(MBI + 44), 24 * (BI_MAX_MEM + 1));
	expect_mb1_error("multiboot1: too many memory map entries");

	/* A larger size field skips fields the parser does not know. */
	mb1_full();
	put32(at(MMAP), 24);
	mb1_mmap_entry(MMAP + 28, 0x200000, 0x1000, 1);
	put32(at(MBI + 44), 52);
	assert_int_equal(bootinfo_parse_mb1(MBI, phys, &bi, &err), 0);
	assert_int_equal(bi.n_mem, 2);
	assert_int_equal(bi.mem[1].base, 0x200000);
}

static void test_dispatch(void **state)
{
	const char *err = NULL;
	uint64_t pa = 0x18000;

	assert_int_equal(bootinfo_parse(0x12345678, MBI, phys, &bi, &err), -1);
	assert_string_equal(err, "boot: not started by a multiboot loader");

	/* multiboot2 through phys(): copy the information into pmem. */
	mb2_begin();
	mb2_str(1, "noguest");
	mb2_end();
	memset(pmem, 0, sizeof(pmem));
	memcpy(at(pa), mb2, mb2_off);
	assert_int_equal(
		bootinfo_parse(MB2_BOOTLOADER_MAGIC, pa, phys, &bi, &err), 0);
	assert_string_equal(bi.cmdline, "noguest");
	assert_ptr_equal(bi.cmdline, at(pa + 16));

	assert_int_equal(bootinfo_parse(MB2_BOOTLOADER_MAGIC, 0x900000, phys,
					&bi, &err),
			 -1);
	assert_string_equal(err, "multiboot2: information not readable");

	/* total_size beyond the end of memory. */
	pa = PMEM_BASE + PMEM_SIZE - 16;
	memcpy(at(pa), mb2, 16);
	put32(at(pa), 32);
	assert_int_equal(
		bootinfo_parse(MB2_BOOTLOADER_MAGIC, pa, phys, &bi, &err), -1);
	assert_string_equal(err, "multiboot2: information not readable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mb2_full),
		cmocka_unit_test(test_mb2_minimal),
		cmocka_unit_test(test_mb2_meminfo_only),
		cmocka_unit_test(test_mb2_acpi_tags),
		cmocka_unit_test(test_mb2_efi_tags),
		cmocka_unit_test(test_mb2_mmap_wide_entries),
		cmocka_unit_test(test_mb2_mmap_errors),
		cmocka_unit_test(test_mb2_header_errors),
		cmocka_unit_test(test_mb2_tag_bounds),
		cmocka_unit_test(test_mb2_tag_padding),
		cmocka_unit_test(test_mb2_string_errors),
		cmocka_unit_test(test_mb2_module_errors),
		cmocka_unit_test(test_mb1_full),
		cmocka_unit_test(test_mb1_flags_ignored),
		cmocka_unit_test(test_mb1_unreadable),
		cmocka_unit_test(test_mb1_strings),
		cmocka_unit_test(test_mb1_module_errors),
		cmocka_unit_test(test_mb1_mmap_errors),
		cmocka_unit_test(test_dispatch),
	};

	return cmocka_run_group_tests_name("bootinfo", tests, NULL, NULL);
}
