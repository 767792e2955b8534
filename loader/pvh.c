// SPDX-License-Identifier: MIT
/*
 * PVH kernel loader and start-info builder (see pvh.h). The image is
 * untrusted input: every header, segment and note is bounds-checked
 * against its length, and fields are copied out with memcpy() so the
 * image needs no alignment.
 */
#include "loader/pvh.h"

#include <stdbool.h>
#include <string.h>

#include "loader/elf.h"

#define GIB4 0x100000000ull
#define START_INFO_ALIGN 8
#define NOTE_ALIGN_GNU64 8 /* gABI: PT_NOTE with p_align 8 pads to 8 */

/* One program header with the class difference taken out. */
struct phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz, align;
};

/* [off, off+n) inside a buffer of @len bytes, without overflow. */
static bool in_range(uint64_t off, uint64_t n, uint64_t len)
{
	return off <= len && n <= len - off;
}

static int fail(const char **err, const char *msg)
{
	if (err)
		*err = msg;
	return -1;
}

static void read_phdr(const uint8_t *p, int cls, struct phdr *ph)
{
	if (cls == ELF_CLASS64) {
		struct elf64_phdr h;

		memcpy(&h, p, sizeof(h));
		ph->type = h.p_type;
		ph->offset = h.p_offset;
		ph->paddr = h.p_paddr;
		ph->filesz = h.p_filesz;
		ph->memsz = h.p_memsz;
		ph->align = h.p_align;
	} else {
		struct elf32_phdr h;

		memcpy(&h, p, sizeof(h));
		ph->type = h.p_type;
		ph->offset = h.p_offset;
		ph->paddr = h.p_paddr;
		ph->filesz = h.p_filesz;
		ph->memsz = h.p_memsz;
		ph->align = h.p_align;
	}
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/*
 * Walk the notes of one PT_NOTE segment (gABI "Note Section": namesz,
 * descsz, type, then name and desc each padded to the note alignment) and
 * pick up XEN_ELFNOTE_PHYS32_ENTRY from a note named "Xen".
 */
static int scan_notes(const uint8_t *img, const struct phdr *ph, bool *found,
		      uint32_t *entry, const char **err)
{
	uint64_t align = ph->align == NOTE_ALIGN_GNU64 ? NOTE_ALIGN_GNU64 :
							 ELF_NOTE_ALIGN;
	const uint8_t *p = img + ph->offset;
	uint64_t left = ph->filesz;

	while (left) {
		struct elf_nhdr n;
		uint64_t name_sz, desc_sz;
		const uint8_t *name, *desc;

		if (left < sizeof(n))
			return fail(err, "ELF note header runs past segment");
		memcpy(&n, p, sizeof(n));
		name_sz = align_up(n.n_namesz, align);
		desc_sz = align_up(n.n_descsz, align);
		/* Both below 2^33: the sums cannot overflow. */
		if (sizeof(n) + name_sz > left ||
		    desc_sz > left - sizeof(n) - name_sz)
			return fail(err, "ELF note runs past segment");
		name = p + sizeof(n);
		desc = name + name_sz;

		if (n.n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
		    n.n_namesz == sizeof(PVH_NOTE_NAME) &&
		    memcmp(name, PVH_NOTE_NAME, sizeof(PVH_NOTE_NAME)) == 0 &&
		    !*found) {
			uint64_t v;

			if (n.n_descsz == sizeof(uint32_t)) {
				uint32_t v32;

				memcpy(&v32, desc, sizeof(v32));
				v = v32;
			} else if (n.n_descsz == sizeof(uint64_t)) {
				memcpy(&v, desc, sizeof(v));
			} else {
				return fail(err, "PVH entry note has bad size");
			}
			if (v >= GIB4)
				return fail(err, "PVH entry above 4 GiB");
			*entry = (uint32_t)v;
			*found = true;
		}
		p += sizeof(n) + name_sz + desc_sz;
		left -= sizeof(n) + name_sz + desc_sz;
	}
	return 0;
}

static int add_load(struct pvh_image *out, const struct phdr *ph, size_t len,
		    const char **err)
{
	struct pvh_segment *s;

	if (ph->filesz > ph->memsz)
		return fail(err, "segment filesz larger than memsz");
	if (!in_range(ph->offset, ph->filesz, len))
		return fail(err, "segment data outside image");
	if (ph->paddr + ph->memsz < ph->paddr)
		return fail(err, "segment address overflows");
	if (ph->memsz == 0)
		return 0; /* occupies nothing */
	if (out->n_segs == PVH_MAX_SEGS)
		return fail(err, "too many segments");
	for (unsigned int i = 0; i < out->n_segs; i++) {
		const struct pvh_segment *o = &out->seg[i];

		if (ph->paddr < o->paddr + o->memsz &&
		    o->paddr < ph->paddr + ph->memsz)
			return fail(err, "segments overlap");
	}
	s = &out->seg[out->n_segs++];
	s->offset = ph->offset;
	s->paddr = ph->paddr;
	s->filesz = ph->filesz;
	s->memsz = ph->memsz;
	return 0;
}

/* Check e_ident and the header; return the class, phoff, phnum. */
static int parse_ehdr(const uint8_t *p, size_t len, int *cls, uint64_t *phoff,
		      unsigned int *phnum, const char **err)
{
	uint16_t type, machine, phentsize;

	if (len < ELF_NIDENT || p[0] != ELF_MAG0 || p[1] != ELF_MAG1 ||
	    p[2] != ELF_MAG2 || p[3] != ELF_MAG3)
		return fail(err, "not an ELF image");
	if (p[ELF_EI_DATA] != ELF_DATA2LSB ||
	    p[ELF_EI_VERSION] != ELF_EV_CURRENT)
		return fail(err, "ELF image not little-endian version 1");
	*cls = p[ELF_EI_CLASS];
	if (*cls == ELF_CLASS64) {
		struct elf64_ehdr h;

		if (len < sizeof(h))
			return fail(err, "ELF header truncated");
		memcpy(&h, p, sizeof(h));
		type = h.e_type;
		machine = h.e_machine;
		phentsize = h.e_phentsize;
		*phoff = h.e_phoff;
		*phnum = h.e_phnum;
		if (machine != ELF_EM_X86_64)
			return fail(err, "ELF64 image not for x86-64");
		if (phentsize != sizeof(struct elf64_phdr))
			return fail(err, "bad ELF program header size");
	} else if (*cls == ELF_CLASS32) {
		struct elf32_ehdr h;

		if (len < sizeof(h))
			return fail(err, "ELF header truncated");
		memcpy(&h, p, sizeof(h));
		type = h.e_type;
		machine = h.e_machine;
		phentsize = h.e_phentsize;
		*phoff = h.e_phoff;
		*phnum = h.e_phnum;
		if (machine != ELF_EM_386)
			return fail(err, "ELF32 image not for i386");
		if (phentsize != sizeof(struct elf32_phdr))
			return fail(err, "bad ELF program header size");
	} else {
		return fail(err, "bad ELF class");
	}
	if (type != ELF_ET_EXEC)
		return fail(err, "ELF image not an executable");
	if (*phnum == 0)
		return fail(err, "ELF image has no program headers");
	if (*phnum == ELF_PN_XNUM)
		return fail(err, "too many program headers");
	if (!in_range(*phoff, (uint64_t)*phnum * phentsize, len))
		return fail(err, "program headers outside image");
	return 0;
}

int pvh_parse(const void *img, size_t len, struct pvh_image *out,
	      const char **err)
{
	const uint8_t *p = img;
	uint64_t phoff;
	unsigned int phnum;
	size_t phsz;
	bool found = false;
	bool entry_ok = false;
	int cls, rc;

	memset(out, 0, sizeof(*out));
	if (!p)
		return fail(err, "not an ELF image");
	rc = parse_ehdr(p, len, &cls, &phoff, &phnum, err);
	if (rc)
		return rc;
	phsz = cls == ELF_CLASS64 ? sizeof(struct elf64_phdr) :
				    sizeof(struct elf32_phdr);
	out->img_len = len;
	out->elf_class = cls;

	for (unsigned int i = 0; i < phnum; i++) {
		struct phdr ph;

		read_phdr(p + phoff + (uint64_t)i * phsz, cls, &ph);
		if (ph.type == ELF_PT_LOAD) {
			rc = add_load(out, &ph, len, err);
		} else if (ph.type == ELF_PT_NOTE) {
			if (!in_range(ph.offset, ph.filesz, len))
				return fail(err, "note segment outside image");
			rc = scan_notes(p, &ph, &found, &out->entry, err);
		}
		if (rc)
			return rc;
	}
	if (!out->n_segs)
		return fail(err, "no loadable segments");
	if (!found)
		return fail(err,
			    "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");

	out->lowest = UINT64_MAX;
	for (unsigned int i = 0; i < out->n_segs; i++) {
		const struct pvh_segment *s = &out->seg[i];

		if (s->paddr < out->lowest)
			out->lowest = s->paddr;
		if (s->paddr + s->memsz > out->highest)
			out->highest = s->paddr + s->memsz;
		if (out->entry >= s->paddr && out->entry - s->paddr < s->filesz)
			entry_ok = true;
	}
	/* The entry must be code the loader copies, not bss or a hole. */
	if (!entry_ok)
		return fail(err, "PVH entry outside loaded segments");
	return 0;
}

int pvh_load(const void *img, const struct pvh_image *pi,
	     pvh_gpa_ptr_fn gpa_ptr, void *ctx, const char **err)
{
	const uint8_t *p = img;

	if (pi->n_segs > PVH_MAX_SEGS)
		return fail(err, "too many segments");
	for (unsigned int i = 0; i < pi->n_segs; i++) {
		const struct pvh_segment *s = &pi->seg[i];
		uint8_t *dst;

		/* pvh_parse() checked this; an edited image is refused. */
		if (!in_range(s->offset, s->filesz, pi->img_len) ||
		    s->filesz > s->memsz)
			return fail(err, "segment data outside image");
		dst = gpa_ptr(ctx, s->paddr, s->memsz);
		if (!dst)
			return fail(err, "segment outside guest RAM");
		memcpy(dst, p + s->offset, s->filesz);
		/* Linux's bss is 23 MiB: rewriting fresh zeros under an
		 * emulator cost tens of milliseconds of the VM's start. */
		if (!pi->ram_zero)
			memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

/* Check @cfg and size its blob: start_info | modlist | memmap | strings
 * (what pvh_build_start_info lays out). */
static int start_info_size(const struct pvh_start_cfg *cfg, uint64_t *size,
			   const char **err)
{
	uint64_t off;

	if (cfg->n_modules > PVH_MAX_MODULES)
		return fail(err, "too many modules");
	if (cfg->n_memmap > PVH_MAX_MEMMAP)
		return fail(err, "too many memory map entries");
	if ((cfg->n_modules && !cfg->modules) ||
	    (cfg->n_memmap && !cfg->memmap))
		return fail(err, "missing module or memory map array");
	off = sizeof(struct hvm_start_info) +
	      (uint64_t)cfg->n_modules * sizeof(struct hvm_modlist_entry) +
	      (uint64_t)cfg->n_memmap * sizeof(struct hvm_memmap_table_entry);
	if (cfg->cmdline)
		off += strlen(cfg->cmdline) + 1;
	for (unsigned int i = 0; i < cfg->n_modules; i++) {
		const struct pvh_module *m = &cfg->modules[i];

		if (m->gpa + m->size < m->gpa)
			return fail(err, "module address overflows");
		if (m->cmdline)
			off += strlen(m->cmdline) + 1;
	}
	for (unsigned int i = 0; i < cfg->n_memmap; i++)
		if (cfg->memmap[i].addr + cfg->memmap[i].size <
		    cfg->memmap[i].addr)
			return fail(err, "memory map entry overflows");
	*size = off;
	return 0;
}

/* Copy NUL-terminated @s to b + *off; its GPA, with *off moved past it. */
static uint64_t put_string(uint8_t *b, uint64_t buf_gpa, uint64_t *off,
			   const char *s)
{
	size_t n = strlen(s) + 1;
	uint64_t gpa = buf_gpa + *off;

	memcpy(b + *off, s, n);
	*off += n;
	return gpa;
}

int pvh_build_start_info(void *buf, size_t buflen, uint64_t buf_gpa,
			 const struct pvh_start_cfg *cfg, const char **err)
{
	struct hvm_start_info si;
	uint8_t *b = buf;
	uint64_t size, off, mod_off, map_off;

	if (buf_gpa % START_INFO_ALIGN)
		return fail(err, "start info not 8-byte aligned");
	if (start_info_size(cfg, &size, err))
		return -1;
	if (size > buflen || size > INT32_MAX)
		return fail(err, "start info buffer too small");
	if (buf_gpa >= GIB4 || size > GIB4 - buf_gpa)
		return fail(err, "start info above 4 GiB");
	mod_off = sizeof(si);
	map_off = mod_off +
		  (uint64_t)cfg->n_modules * sizeof(struct hvm_modlist_entry);
	off = map_off +
	      (uint64_t)cfg->n_memmap * sizeof(struct hvm_memmap_table_entry);

	memset(&si, 0, sizeof(si));
	si.magic = HVM_START_MAGIC_VALUE;
	si.version = HVM_START_INFO_VERSION;
	si.nr_modules = cfg->n_modules;
	si.modlist_paddr = cfg->n_modules ? buf_gpa + mod_off : 0;
	si.rsdp_paddr = cfg->rsdp_gpa;
	si.memmap_paddr = cfg->n_memmap ? buf_gpa + map_off : 0;
	si.memmap_entries = cfg->n_memmap;
	if (cfg->cmdline)
		si.cmdline_paddr = put_string(b, buf_gpa, &off, cfg->cmdline);
	for (unsigned int i = 0; i < cfg->n_modules; i++) {
		const struct pvh_module *m = &cfg->modules[i];
		struct hvm_modlist_entry e;

		memset(&e, 0, sizeof(e));
		e.paddr = m->gpa;
		e.size = m->size;
		if (m->cmdline)
			e.cmdline_paddr =
				put_string(b, buf_gpa, &off, m->cmdline);
		memcpy(b + mod_off + i * sizeof(e), &e, sizeof(e));
	}
	for (unsigned int i = 0; i < cfg->n_memmap; i++) {
		struct hvm_memmap_table_entry e = cfg->memmap[i];

		e.reserved = 0;
		memcpy(b + map_off + i * sizeof(e), &e, sizeof(e));
	}
	memcpy(b, &si, sizeof(si));
	return (int)off;
}
