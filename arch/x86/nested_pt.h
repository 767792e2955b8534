/* SPDX-License-Identifier: MIT */
/*
 * A 4-level second-stage page-table builder shared by EPT (Intel SDM vol.
 * 3C 29.3.2) and NPT (AMD APM vol. 2 15.25, legacy long-mode format). Both
 * keep the next-level address in bits 51:12 and mark a 2 MiB leaf with
 * bit 7 in a PD entry, and a 1 GiB leaf with bit 7 in a PDPT entry where
 * the CPU offers 1 GiB pages; the formats differ only in how an entry is
 * made, which the backend supplies.
 */
#ifndef X2HV_ARCH_X86_NESTED_PT_H
#define X2HV_ARCH_X86_NESTED_PT_H

#include <stdint.h>

#define PT_ADDR_MASK 0x000ffffffffff000ull
#define PT_LARGE (1ull << 7)
#define PT_PRESENT_MASK 0x7ull /* NPT: P|RW|US; EPT: R|W|X */
#define PT_2M (1ull << 21)
#define PT_1G (1ull << 30)

struct pt_fmt {
	uint64_t (*table)(uint64_t pa); /* entry pointing at a table */
	/* leaf entry; @large for a 2 MiB or 1 GiB page (bit 7) */
	uint64_t (*leaf)(uint64_t pa, unsigned int perm, int large);
	/* 1 GiB leaves allowed (AMD APM vol. 2 15.25.1: NPT follows the
	 * host's CPUID 8000_0001h EDX[26]; Intel SDM vol. 3C 29.3.2:
	 * IA32_VMX_EPT_VPID_CAP bit 17) */
	int gib;
};

/* Map [gpa, gpa+size) to hpa (4 KiB aligned) with the largest pages that
 * fit: 1 GiB (where f->gib), 2 MiB or 4 KiB, wherever both addresses are
 * aligned to the page and enough remains. Existing mappings are replaced
 * (a large page under a smaller mapping is split). 0 or -1. */
int pt_map(uint64_t *root, const struct pt_fmt *f, uint64_t gpa, uint64_t hpa,
	   uint64_t size, unsigned int perm);

/* The leaf entry mapping @gpa (4 KiB, 2 MiB or 1 GiB), or NULL if
 * unmapped. */
uint64_t *pt_leaf(uint64_t *root, uint64_t gpa);
/* The size of the page mapping @gpa (4 KiB, 2 MiB or 1 GiB), 0 if none. */
uint64_t pt_page_size(uint64_t *root, uint64_t gpa);

#endif
