// SPDX-License-Identifier: MIT
/*
 * Unit tests of loader/pvh.c: small ELF32 and ELF64 PVH images are built
 * here, parsed, loaded into a fake guest, and broken one field at a time
 * to hit every rejection; the hvm_start_info builder is checked field by
 * field through the GPAs it writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loader/elf.h"
#include "loader/pvh.h"

#define IMG_MAX 0x10000
static uint8_t img[IMG_MAX];
static size_t img_len;
static int cls;

static size_t ehdr_size(void)
{
	return cls == ELF_CLASS64 ? 64 : 52;
}

static size_t phdr_size(void)
{
	return cls == ELF_CLASS64 ? 56 : 32;
}

static void put16(size_t off, uint16_t v)
{
	memcpy(img + off, &v, 2);
}

static void put32(size_t off, uint32_t v)
{
	memcpy(img + off, &v, 4);
}

static void put64(size_t off, uint64_t v)
{
	memcpy(img + off, &v, 8);
}

/* Header field offsets that differ between the classes. */
#define OFF_TYPE 16
#define OFF_MACHINE 18
static size_t off_phoff(void)
{
	return cls == ELF_CLASS64 ? 32 : 28;
}

static size_t off_phentsize(void)
{
	return cls == ELF_CLASS64 ? 54 : 42;
}

static size_t off_phnum(void)
{
	return cls == ELF_CLASS64 ? 56 : 44;
}

static uint16_t phnum(void)
{
	uint16_t n;

	memcpy(&n, img + off_phnum(), 2);
	return n;
}

static void elf_begin(int c)
{
	cls = c;
	memset(img, 0, sizeof(img));
	img[0] = 0x7f;
	img[1] = 'E';
	img[2] = 'L';
	img[3] = 'F';
	img[4] = (uint8_t)c;
	img[5] = ELF_DATA2LSB;
	img[6] = ELF_EV_CURRENT;
	put16(OFF_TYPE, ELF_ET_EXEC);
	put16(OFF_MACHINE, c == ELF_CLASS64 ? ELF_EM_X86_64 : ELF_EM_386);
	put32(20, 1);
	if (c == ELF_CLASS64)
		put64(off_phoff(), 64);
	else
		put32(off_phoff(), 52);
	put16(off_phentsize(), (uint16_t)phdr_size());
	put16(off_phnum(), 0);
	img_len = 0x3000;
}

/* Program header @i's file offset. */
static size_t ph_at(unsigned int i)
{
	return ehdr_size() + i * phdr_size();
}

static void add_ph(uint32_t type, uint64_t offset, uint64_t vaddr,
		   uint64_t paddr, uint64_t filesz, uint64_t memsz,
		   uint64_t align)
{
	size_t o = ph_at(phnum());

	if (cls == ELF_CLASS64) {
		put32(o, type);
		put32(o + 4, 5);
		put64(o + 8, offset);
		put64(o + 16, vaddr);
		put64(o + 24, paddr);
		put64(o + 32, filesz);
		put64(o + 40, memsz);
		put64(o + 48, align);
	} else {
		put32(o, type);
		put32(o + 4, (uint32_t)offset);
		put32(o + 8, (uint32_t)vaddr);
		put32(o + 12, (uint32_t)paddr);
		put32(o + 16, (uint32_t)filesz);
		put32(o + 20, (uint32_t)memsz);
		put32(o + 24, 5);
		put32(o + 28, (uint32_t)align);
	}
	put16(off_phnum(), phnum() + 1);
}

/* Field setters for an existing program header. */
static void ph_set(unsigned int i, int field, uint64_t v)
{
	/* field: 0 offset, 1 paddr, 2 filesz, 3 memsz */
	static const size_t o64[] = { 8, 24, 32, 40 };
	static const size_t o32[] = { 4, 12, 16, 20 };

	if (cls == ELF_CLASS64)
		put64(ph_at(i) + o64[field], v);
	else
		put32(ph_at(i) + o32[field], (uint32_t)v);
}
#define F_OFFSET 0
#define F_PADDR 1
#define F_FILESZ 2
#define F_MEMSZ 3

/* Write a note at @off; returns its padded size (4-byte alignment). */
static size_t put_note(size_t off, const char *name, uint32_t type,
		       const void *desc, uint32_t descsz, size_t align)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	size_t npad = (namesz + align - 1) & ~(align - 1);
	size_t dpad = (descsz + align - 1) & ~(align - 1);

	put32(off, namesz);
	put32(off + 4, descsz);
	put32(off + 8, type);
	memcpy(img + off + 12, name, namesz);
	memcpy(img + off + 12 + npad, desc, descsz);
	return 12 + npad + dpad;
}

#define KBASE 0x1000000ull /* 16 MiB, like vmlinux's p_paddr */
#define ENTRY (KBASE + 0x40)
#define NOTE_OFF 0x2800
/* std_image()'s notes: "GNU" (24 bytes), then the Xen note. */
#define XEN_NOTE_NAME (NOTE_OFF + 24 + 12)
#define XEN_NOTE_DESC (NOTE_OFF + 24 + 16)

/*
 * A two-segment kernel: text at 16 MiB with 8 KiB of bss, data at
 * 16 MiB + 16 KiB, and a PT_NOTE with a GNU note and the PVH note.
 */
static void std_image(int c)
{
	uint64_t e64 = ENTRY;
	uint32_t e32 = ENTRY;
	size_t n;

	elf_begin(c);
	for (size_t i = 0x1000; i < 0x2800; i++)
		img[i] = (uint8_t)(i * 7 + 1);
	add_ph(ELF_PT_LOAD, 0x1000, 0xffffffff81000000ull, KBASE, 0x1000,
	       0x3000, 0x1000);
	add_ph(ELF_PT_LOAD, 0x2000, 0xffffffff81004000ull, KBASE + 0x4000,
	       0x800, 0x800, 0x1000);
	n = put_note(NOTE_OFF, "GNU", 3, "abcdefgh", 8, 4);
	if (c == ELF_CLASS64)
		n += put_note(NOTE_OFF + n, "Xen", XEN_ELFNOTE_PHYS32_ENTRY,
			      &e64, 8, 4);
	else
		n += put_note(NOTE_OFF + n, "Xen", XEN_ELFNOTE_PHYS32_ENTRY,
			      &e32, 4, 4);
	add_ph(ELF_PT_NOTE, NOTE_OFF, 0, 0, n, n, 4);
}

static struct pvh_image pi;

static void expect_parse_error(const char *msg)
{
	const char *err = NULL;

	assert_int_equal(pvh_parse(img, img_len, &pi, &err), -1);
	assert_non_null(err);
	assert_string_equal(err, msg);
}

static void parse_ok(void)
{
	const char *err = NULL;

	assert_int_equal(pvh_parse(img, img_len, &pi, &err), 0);
}

static void check_std(int c)
{
	assert_int_equal(pi.elf_class, c);
	assert_int_equal(pi.entry, ENTRY);
	assert_int_equal(pi.n_segs, 2);
	assert_int_equal(pi.seg[0].offset, 0x1000);
	/* p_paddr, not the 0xffffffff8... p_vaddr. */
	assert_int_equal(pi.seg[0].paddr, KBASE);
	assert_int_equal(pi.seg[0].filesz, 0x1000);
	assert_int_equal(pi.seg[0].memsz, 0x3000);
	assert_int_equal(pi.seg[1].paddr, KBASE + 0x4000);
	assert_int_equal(pi.lowest, KBASE);
	assert_int_equal(pi.highest, KBASE + 0x4800);
	assert_int_equal(pi.img_len, img_len);
}

static void test_parse_elf64(void **state)
{
	std_image(ELF_CLASS64);
	parse_ok();
	check_std(ELF_CLASS64);
}

static void test_parse_elf32(void **state)
{
	std_image(ELF_CLASS32);
	parse_ok();
	check_std(ELF_CLASS32);
}

/* ---------------------------------------------------- fake guest */

#define GUEST_SIZE (64ull << 20)
struct guest {
	uint8_t *ram;
	uint64_t size;
	unsigned int calls;
};

static void *gpa_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	struct guest *g = ctx;

	g->calls++;
	if (len == 0 || gpa >= g->size || len > g->size - gpa)
		return NULL;
	return g->ram + gpa;
}

static void load_and_check(int c)
{
	struct guest g = { malloc(GUEST_SIZE), GUEST_SIZE, 0 };
	const char *err = NULL;

	assert_non_null(g.ram);
	memset(g.ram, 0xcc, GUEST_SIZE);
	std_image(c);
	parse_ok();
	assert_int_equal(pvh_load(img, &pi, gpa_ptr, &g, &err), 0);
	assert_int_equal(g.calls, 2);
	assert_memory_equal(g.ram + KBASE, img + 0x1000, 0x1000);
	/* bss zeroed up to memsz, and not a byte further. */
	for (size_t i = 0x1000; i < 0x3000; i++)
		assert_int_equal(g.ram[KBASE + i], 0);
	assert_int_equal(g.ram[KBASE + 0x3000], 0xcc);
	assert_int_equal(g.ram[KBASE - 1], 0xcc);
	assert_memory_equal(g.ram + KBASE + 0x4000, img + 0x2000, 0x800);
	assert_int_equal(g.ram[KBASE + 0x4800], 0xcc);
	free(g.ram);
}

/* Into RAM the caller knows is zero: bss is left alone (not rewritten). */
static void test_load_ram_zero(void **state)
{
	struct guest g = { malloc(GUEST_SIZE), GUEST_SIZE, 0 };
	const char *err = NULL;

	assert_non_null(g.ram);
	memset(g.ram, 0xcc, GUEST_SIZE);
	std_image(ELF_CLASS64);
	parse_ok();
	assert_false(pi.ram_zero); /* pvh_parse: zero after all */
	pi.ram_zero = true;
	assert_int_equal(pvh_load(img, &pi, gpa_ptr, &g, &err), 0);
	assert_memory_equal(g.ram + KBASE, img + 0x1000, 0x1000);
	assert_int_equal(g.ram[KBASE + 0x1000], 0xcc);
	assert_int_equal(g.ram[KBASE + 0x2fff], 0xcc);
	free(g.ram);
}

static void test_load_elf64(void **state)
{
	load_and_check(ELF_CLASS64);
}

static void test_load_elf32(void **state)
{
	load_and_check(ELF_CLASS32);
}

static void test_load_outside_ram(void **state)
{
	/* 16 MiB + 16 KiB of RAM: the second segment does not fit. */
	struct guest g = { malloc(KBASE + 0x4000), KBASE + 0x4000, 0 };
	const char *err = NULL;

	assert_non_null(g.ram);
	std_image(ELF_CLASS64);
	parse_ok();
	assert_int_equal(pvh_load(img, &pi, gpa_ptr, &g, &err), -1);
	assert_string_equal(err, "segment outside guest RAM");
	free(g.ram);
}

static void test_load_tampered(void **state)
{
	struct guest g = { NULL, 0, 0 };
	const char *err = NULL;

	std_image(ELF_CLASS64);
	parse_ok();
	pi.seg[0].offset = img_len;
	assert_int_equal(pvh_load(img, &pi, gpa_ptr, &g, &err), -1);
	assert_string_equal(err, "segment data outside image");
	pi.seg[0].offset = 0x1000;
	pi.seg[0].filesz = pi.seg[0].memsz + 1;
	assert_int_equal(pvh_load(img, &pi, gpa_ptr, &g, &err), -1);
	assert_string_equal(err, "segment data outside image");
	pi.n_segs = PVH_MAX_SEGS + 1;
	assert_int_equal(pvh_load(img, &pi, gpa_ptr, &g, &err), -1);
	assert_string_equal(err, "too many segments");
	assert_int_equal(g.calls, 0);
}

/* ------------------------------------------------- accepted variants */

static void test_empty_segment_skipped(void **state)
{
	std_image(ELF_CLASS64);
	/* memsz 0 at an address overlapping text: occupies nothing. */
	add_ph(ELF_PT_LOAD, 0, 0, KBASE, 0, 0, 0);
	parse_ok();
	assert_int_equal(pi.n_segs, 2);
}

static void test_note_align8(void **state)
{
	uint64_t e = ENTRY;
	size_t n;

	/* An 8-aligned PT_NOTE (GNU property style), then the Xen note. */
	std_image(ELF_CLASS64);
	put16(off_phnum(), 2);
	n = put_note(0x2c00, "GNU", 5, "abcdefghijkl", 12, 8);
	n += put_note(0x2c00 + n, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &e, 8, 8);
	add_ph(ELF_PT_NOTE, 0x2c00, 0, 0, n, n, 8);
	parse_ok();
	assert_int_equal(pi.entry, ENTRY);
}

static void test_note_4byte_desc_in_elf64(void **state)
{
	uint32_t e = ENTRY + 0x10;
	size_t n;

	std_image(ELF_CLASS64);
	put16(off_phnum(), 2);
	n = put_note(0x2c00, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &e, 4, 4);
	add_ph(ELF_PT_NOTE, 0x2c00, 0, 0, n, n, 4);
	parse_ok();
	assert_int_equal(pi.entry, ENTRY + 0x10);
}

static void test_other_xen_notes_ignored(void **state)
{
	uint64_t v = 0x1234;
	uint64_t e = ENTRY + 8;
	size_t n;

	/* XEN_ELFNOTE_ENTRY (1) and a "Linux" note of type 18 are not it. */
	std_image(ELF_CLASS64);
	put16(off_phnum(), 2);
	n = put_note(0x2c00, "Xen", 1, &v, 8, 4);
	n += put_note(0x2c00 + n, "Linux", XEN_ELFNOTE_PHYS32_ENTRY, &v, 8, 4);
	n += put_note(0x2c00 + n, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &e, 8, 4);
	add_ph(ELF_PT_NOTE, 0x2c00, 0, 0, n, n, 4);
	parse_ok();
	assert_int_equal(pi.entry, ENTRY + 8);
}

static void test_unaligned_image(void **state)
{
	static uint8_t shifted[IMG_MAX + 1];
	const char *err = NULL;

	/* Field reads must not assume the image is aligned. */
	std_image(ELF_CLASS64);
	memcpy(shifted + 1, img, img_len);
	assert_int_equal(pvh_parse(shifted + 1, img_len, &pi, &err), 0);
	check_std(ELF_CLASS64);
}

/* ------------------------------------------------------ rejections */

static void test_reject_not_elf(void **state)
{
	const char *err = NULL;

	assert_int_equal(pvh_parse(NULL, 100, &pi, &err), -1);
	assert_string_equal(err, "not an ELF image");
	std_image(ELF_CLASS64);
	img[1] = 'e';
	expect_parse_error("not an ELF image");
	std_image(ELF_CLASS64);
	img_len = 15;
	expect_parse_error("not an ELF image");
	std_image(ELF_CLASS64);
	img[5] = 2; /* big-endian */
	expect_parse_error("ELF image not little-endian version 1");
	std_image(ELF_CLASS64);
	img[6] = 0;
	expect_parse_error("ELF image not little-endian version 1");
}

static void test_reject_class_machine(void **state)
{
	std_image(ELF_CLASS64);
	img[4] = 3;
	expect_parse_error("bad ELF class");
	std_image(ELF_CLASS64);
	img[4] = 0;
	expect_parse_error("bad ELF class");
	std_image(ELF_CLASS64);
	put16(OFF_MACHINE, ELF_EM_386);
	expect_parse_error("ELF64 image not for x86-64");
	std_image(ELF_CLASS32);
	put16(OFF_MACHINE, ELF_EM_X86_64);
	expect_parse_error("ELF32 image not for i386");
	std_image(ELF_CLASS64);
	put16(OFF_MACHINE, 183); /* EM_AARCH64 */
	expect_parse_error("ELF64 image not for x86-64");
}

static void test_reject_header(void **state)
{
	std_image(ELF_CLASS64);
	img_len = 63;
	expect_parse_error("ELF header truncated");
	std_image(ELF_CLASS32);
	img_len = 51;
	expect_parse_error("ELF header truncated");
	std_image(ELF_CLASS64);
	put16(OFF_TYPE, ELF_ET_DYN);
	expect_parse_error("ELF image not an executable");
	std_image(ELF_CLASS64);
	put16(off_phentsize(), 32);
	expect_parse_error("bad ELF program header size");
	std_image(ELF_CLASS32);
	put16(off_phentsize(), 56);
	expect_parse_error("bad ELF program header size");
	std_image(ELF_CLASS64);
	put16(off_phnum(), 0);
	expect_parse_error("ELF image has no program headers");
	std_image(ELF_CLASS64);
	put16(off_phnum(), ELF_PN_XNUM);
	expect_parse_error("too many program headers");
}

static void test_reject_phdrs_range(void **state)
{
	std_image(ELF_CLASS64);
	put64(off_phoff(), img_len - 56 * 3 + 1);
	expect_parse_error("program headers outside image");
	std_image(ELF_CLASS64);
	put64(off_phoff(), UINT64_MAX - 8);
	expect_parse_error("program headers outside image");
	std_image(ELF_CLASS32);
	put16(off_phnum(), 0x1000);
	expect_parse_error("program headers outside image");
	/* Exactly at the end is fine. */
	std_image(ELF_CLASS32);
	memcpy(img + img_len - 32 * 3, img + 52, 32 * 3);
	put32(off_phoff(), (uint32_t)(img_len - 32 * 3));
	parse_ok();
}

static void test_reject_segments(void **state)
{
	std_image(ELF_CLASS64);
	ph_set(1, F_FILESZ, 0x801);
	expect_parse_error("segment filesz larger than memsz");

	std_image(ELF_CLASS64);
	ph_set(0, F_OFFSET, img_len - 0xfff);
	expect_parse_error("segment data outside image");

	std_image(ELF_CLASS64);
	ph_set(0, F_OFFSET, UINT64_MAX - 0x10);
	expect_parse_error("segment data outside image");

	std_image(ELF_CLASS64);
	ph_set(1, F_PADDR, UINT64_MAX - 0x7ff);
	expect_parse_error("segment address overflows");

	/* Second segment starts inside the first one's bss. */
	std_image(ELF_CLASS64);
	ph_set(1, F_PADDR, KBASE + 0x2fff);
	expect_parse_error("segments overlap");

	/* ... or surrounds it entirely. */
	std_image(ELF_CLASS32);
	ph_set(1, F_PADDR, KBASE - 0x100);
	ph_set(1, F_MEMSZ, 0x10000);
	expect_parse_error("segments overlap");

	/* Adjacent is not overlapping. */
	std_image(ELF_CLASS64);
	ph_set(1, F_PADDR, KBASE + 0x3000);
	parse_ok();
}

static void test_reject_too_many_segments(void **state)
{
	std_image(ELF_CLASS64);
	/* 14 more small segments: 16 in all is the limit and fits. */
	for (unsigned int i = 0; i < PVH_MAX_SEGS - 2; i++)
		add_ph(ELF_PT_LOAD, 0x1000, 0, 0x2000000 + i * 0x1000, 0x10,
		       0x10, 0);
	parse_ok();
	assert_int_equal(pi.n_segs, PVH_MAX_SEGS);
	add_ph(ELF_PT_LOAD, 0x1000, 0, 0x3000000, 0x10, 0x10, 0);
	expect_parse_error("too many segments");
}

static void test_reject_no_load_no_note(void **state)
{
	/* Turn both PT_LOADs into PT_NULL. */
	std_image(ELF_CLASS64);
	put32(ph_at(0), 0);
	put32(ph_at(1), 0);
	expect_parse_error("no loadable segments");

	std_image(ELF_CLASS64);
	put16(off_phnum(), 2);
	expect_parse_error("no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");

	/* The note exists but under another name. */
	std_image(ELF_CLASS64);
	memcpy(img + XEN_NOTE_NAME, "Xeb", 4);
	expect_parse_error("no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
}

static void test_reject_notes(void **state)
{
	uint64_t big = 0x100000000ull;
	uint16_t two = 2;
	size_t n;

	std_image(ELF_CLASS64);
	put16(off_phnum(), 2);
	n = put_note(0x2c00, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &two, 2, 4);
	add_ph(ELF_PT_NOTE, 0x2c00, 0, 0, n, n, 4);
	expect_parse_error("PVH entry note has bad size");

	std_image(ELF_CLASS64);
	put16(off_phnum(), 2);
	n = put_note(0x2c00, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &big, 8, 4);
	add_ph(ELF_PT_NOTE, 0x2c00, 0, 0, n, n, 4);
	expect_parse_error("PVH entry above 4 GiB");

	/* Note segment one byte short of its last note. */
	std_image(ELF_CLASS64);
	put16(off_phnum(), 2);
	n = put_note(0x2c00, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &big, 8, 4);
	add_ph(ELF_PT_NOTE, 0x2c00, 0, 0, n - 1, n - 1, 4);
	expect_parse_error("ELF note runs past segment");

	/* A huge descsz must not wrap the bounds check. */
	std_image(ELF_CLASS64);
	put32(NOTE_OFF + 4, 0xfffffffd);
	expect_parse_error("ELF note runs past segment");

	/* Fewer bytes left than a note header. */
	std_image(ELF_CLASS64);
	put16(off_phnum(), 2);
	n = put_note(0x2c00, "GNU", 1, "abcd", 4, 4);
	add_ph(ELF_PT_NOTE, 0x2c00, 0, 0, n + 8, n + 8, 4);
	expect_parse_error("ELF note header runs past segment");

	std_image(ELF_CLASS64);
	put16(off_phnum(), 2);
	add_ph(ELF_PT_NOTE, img_len - 8, 0, 0, 16, 16, 4);
	expect_parse_error("note segment outside image");
}

static void test_reject_entry_outside(void **state)
{
	uint64_t e;
	size_t n;

	/* Entry in the bss of the text segment: nothing was loaded there. */
	std_image(ELF_CLASS64);
	put16(off_phnum(), 2);
	e = KBASE + 0x1000;
	n = put_note(0x2c00, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &e, 8, 4);
	add_ph(ELF_PT_NOTE, 0x2c00, 0, 0, n, n, 4);
	expect_parse_error("PVH entry outside loaded segments");

	/* Entry at a virtual-looking low address. */
	std_image(ELF_CLASS32);
	put32(XEN_NOTE_DESC, 0x1000);
	expect_parse_error("PVH entry outside loaded segments");

	/* Last byte of the file-backed part is still inside. */
	std_image(ELF_CLASS64);
	put64(XEN_NOTE_DESC, KBASE + 0xfff);
	parse_ok();
}

/*
 * Debian's vmlinux, when tests/linux has fetched it (or $X2HV_VMLINUX):
 * p_vaddr at 0xffffffff81000000, p_paddr from 16 MiB, a .data..percpu
 * segment with p_vaddr 0, and the PVH note among some twenty others.
 */
static void test_real_vmlinux(void **state)
{
	const char *path = getenv("X2HV_VMLINUX");
	struct guest g = { NULL, 256ull << 20, 0 };
	const char *err = NULL;
	uint8_t *buf;
	FILE *f;
	long len;

	f = fopen(path ? path : "build/linux/vmlinux", "rb");
	if (!f) {
		print_message("no vmlinux (run tests/linux fetch): skipped\n");
		skip();
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = malloc((size_t)len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);

	assert_int_equal(pvh_parse(buf, (size_t)len, &pi, &err), 0);
	assert_int_equal(pi.elf_class, ELF_CLASS64);
	assert_int_equal(pi.lowest, 0x1000000);
	assert_true(pi.n_segs >= 2);
	assert_true(pi.entry > pi.lowest && pi.entry < pi.highest);
	assert_true(pi.highest < g.size);

	g.ram = calloc(1, g.size);
	assert_non_null(g.ram);
	assert_int_equal(pvh_load(buf, &pi, gpa_ptr, &g, &err), 0);
	for (unsigned int i = 0; i < pi.n_segs; i++)
		assert_memory_equal(
			g.ram + pi.seg[i].paddr, buf + pi.seg[i].offset,
			pi.seg[i].filesz < 4096 ? pi.seg[i].filesz : 4096);
	free(g.ram);
	free(buf);
}

/* ------------------------------------------------------ start info */

static uint8_t sibuf[4096];
#define SI_GPA 0x8000ull

static const void *si_at(uint64_t gpa)
{
	assert_true(gpa >= SI_GPA && gpa < SI_GPA + sizeof(sibuf));
	return sibuf + (gpa - SI_GPA);
}

static const struct hvm_memmap_table_entry test_map[] = {
	{ 0, 0x9f000, HVM_MEMMAP_TYPE_RAM, 77 },
	{ 0xe0000, 0x10000, HVM_MEMMAP_TYPE_RESERVED, 0 },
	{ 0x100000, (256ull << 20) - 0x100000, HVM_MEMMAP_TYPE_RAM, 0 },
};

static const struct pvh_module test_mods[] = {
	{ 0x4000000, 0x123456, "initrd console=ttyS0" },
	{ 0x5000000, 0x1000, NULL },
};

static struct pvh_start_cfg std_cfg(void)
{
	struct pvh_start_cfg c = {
		.cmdline = "console=ttyS0 earlyprintk=ttyS0",
		.modules = test_mods,
		.n_modules = 2,
		.rsdp_gpa = 0xe0000,
		.memmap = test_map,
		.n_memmap = 3,
	};
	return c;
}

static void test_start_info(void **state)
{
	struct pvh_start_cfg c = std_cfg();
	struct hvm_start_info si;
	struct hvm_modlist_entry m[2];
	struct hvm_memmap_table_entry e[3];
	const char *err = NULL;
	int used;

	memset(sibuf, 0xee, sizeof(sibuf));
	used = pvh_build_start_info(sibuf, sizeof(sibuf), SI_GPA, &c, &err);
	assert_int_equal(used, 56 + 2 * 32 + 3 * 24 + strlen(c.cmdline) + 1 +
				       strlen(test_mods[0].cmdline) + 1);
	assert_int_equal(sibuf[used], 0xee);

	memcpy(&si, sibuf, sizeof(si));
	assert_int_equal(si.magic, 0x336ec578);
	assert_int_equal(si.version, 1);
	assert_int_equal(si.flags, 0);
	assert_int_equal(si.nr_modules, 2);
	assert_int_equal(si.rsdp_paddr, 0xe0000);
	assert_int_equal(si.memmap_entries, 3);
	assert_int_equal(si.reserved, 0);
	assert_int_equal(si.modlist_paddr % 8, 0);
	assert_int_equal(si.memmap_paddr % 8, 0);
	assert_string_equal(si_at(si.cmdline_paddr), c.cmdline);

	memcpy(m, si_at(si.modlist_paddr), sizeof(m));
	assert_int_equal(m[0].paddr, 0x4000000);
	assert_int_equal(m[0].size, 0x123456);
	assert_string_equal(si_at(m[0].cmdline_paddr), "initrd console=ttyS0");
	assert_int_equal(m[0].reserved, 0);
	assert_int_equal(m[1].paddr, 0x5000000);
	assert_int_equal(m[1].cmdline_paddr, 0);

	memcpy(e, si_at(si.memmap_paddr), sizeof(e));
	assert_int_equal(e[0].size, 0x9f000);
	assert_int_equal(e[0].type, HVM_MEMMAP_TYPE_RAM);
	assert_int_equal(e[0].reserved, 0); /* cleared, not copied */
	assert_int_equal(e[1].addr, 0xe0000);
	assert_int_equal(e[1].type, HVM_MEMMAP_TYPE_RESERVED);
	assert_int_equal(e[2].addr, 0x100000);
}

static void test_start_info_minimal(void **state)
{
	struct pvh_start_cfg c = { 0 };
	struct hvm_start_info si;
	const char *err = NULL;

	assert_int_equal(pvh_build_start_info(sibuf, 56, SI_GPA, &c, &err), 56);
	memcpy(&si, sibuf, sizeof(si));
	assert_int_equal(si.magic, HVM_START_MAGIC_VALUE);
	assert_int_equal(si.nr_modules, 0);
	assert_int_equal(si.modlist_paddr, 0);
	assert_int_equal(si.cmdline_paddr, 0);
	assert_int_equal(si.memmap_paddr, 0);
	assert_int_equal(si.rsdp_paddr, 0);
}

static void expect_si_error(struct pvh_start_cfg *c, size_t len, uint64_t gpa,
			    const char *msg)
{
	const char *err = NULL;

	assert_int_equal(pvh_build_start_info(sibuf, len, gpa, c, &err), -1);
	assert_non_null(err);
	assert_string_equal(err, msg);
}

static void test_start_info_errors(void **state)
{
	struct pvh_start_cfg c = std_cfg();
	struct pvh_module bad_mod = { UINT64_MAX - 10, 11, NULL };
	struct hvm_memmap_table_entry bad_map = { UINT64_MAX, 1, 1, 0 };
	const char *err;
	int used;

	used = pvh_build_start_info(sibuf, sizeof(sibuf), SI_GPA, &c, &err);
	assert_true(used > 0);
	assert_int_equal(pvh_build_start_info(sibuf, used, SI_GPA, &c, &err),
			 used);
	expect_si_error(&c, used - 1, SI_GPA, "start info buffer too small");
	expect_si_error(&c, sizeof(sibuf), SI_GPA + 4,
			"start info not 8-byte aligned");
	expect_si_error(&c, sizeof(sibuf), 0x100000000ull - 64,
			"start info above 4 GiB");
	expect_si_error(&c, sizeof(sibuf), 0x100000000ull,
			"start info above 4 GiB");
	/* Ending exactly at 4 GiB is fine. */
	assert_int_equal(
		pvh_build_start_info(sibuf, sizeof(sibuf),
				     0x100000000ull - 8 * ((used + 7) / 8), &c,
				     &err),
		used);

	c.n_modules = PVH_MAX_MODULES + 1;
	expect_si_error(&c, sizeof(sibuf), SI_GPA, "too many modules");
	c = std_cfg();
	c.n_memmap = PVH_MAX_MEMMAP + 1;
	expect_si_error(&c, sizeof(sibuf), SI_GPA,
			"too many memory map entries");
	c = std_cfg();
	c.modules = NULL;
	expect_si_error(&c, sizeof(sibuf), SI_GPA,
			"missing module or memory map array");
	c = std_cfg();
	c.modules = &bad_mod;
	c.n_modules = 1;
	expect_si_error(&c, sizeof(sibuf), SI_GPA, "module address overflows");
	c = std_cfg();
	c.memmap = &bad_map;
	c.n_memmap = 1;
	expect_si_error(&c, sizeof(sibuf), SI_GPA,
			"memory map entry overflows");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_elf64),
		cmocka_unit_test(test_parse_elf32),
		cmocka_unit_test(test_load_elf64),
		cmocka_unit_test(test_load_ram_zero),
		cmocka_unit_test(test_load_elf32),
		cmocka_unit_test(test_load_outside_ram),
		cmocka_unit_test(test_load_tampered),
		cmocka_unit_test(test_empty_segment_skipped),
		cmocka_unit_test(test_note_align8),
		cmocka_unit_test(test_note_4byte_desc_in_elf64),
		cmocka_unit_test(test_other_xen_notes_ignored),
		cmocka_unit_test(test_unaligned_image),
		cmocka_unit_test(test_reject_not_elf),
		cmocka_unit_test(test_reject_class_machine),
		cmocka_unit_test(test_reject_header),
		cmocka_unit_test(test_reject_phdrs_range),
		cmocka_unit_test(test_reject_segments),
		cmocka_unit_test(test_reject_too_many_segments),
		cmocka_unit_test(test_reject_no_load_no_note),
		cmocka_unit_test(test_reject_notes),
		cmocka_unit_test(test_reject_entry_outside),
		cmocka_unit_test(test_real_vmlinux),
		cmocka_unit_test(test_start_info),
		cmocka_unit_test(test_start_info_minimal),
		cmocka_unit_test(test_start_info_errors),
	};

	return cmocka_run_group_tests_name("pvh", tests, NULL, NULL);
}
