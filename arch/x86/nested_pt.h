/* SPDX-License-Identifier: MIT */
/*
 * A 4-level second-stage page-table builder shared by EPT (Intel SDM vol.
 * 3C 29.3.2) and NPT (AMD APM vol. 2 15.25, legacy long-mode format). Both
 * keep the next-level address in bits 51:12 and mark a 2 MiB leaf with
 * bit 7 in a PD entry; the formats differ only in how an entry is made,
 * which the backend supplies.
 */
#ifndef X2HV_ARCH_X86_NESTED_PT_H
#define X2HV_ARCH_X86_NESTED_PT_H

#include <stdint.h>

#define PT_ADDR_MASK 0x000ffffffffff000ull
#define PT_LARGE (1ull << 7)
#define PT_PRESENT_MASK 0x7ull /* NPT: P|RW|US; EPT: R|W|X */
#define PT_2M (1ull << 21)

struct pt_fmt {
	uint64_t (*table)(uint64_t pa); /* entry pointing at a table */
	/* leaf entry; @large for a 2 MiB page */
	uint64_t (*leaf)(uint64_t pa, unsigned int perm, int large);
};

/* Map [gpa, gpa+size) to hpa (4 KiB aligned); 2 MiB pages where both
 * addresses are aligned and enough remains. Existing mappings are
 * replaced (a 2 MiB page under a 4 KiB mapping is split). 0 or -1. */
int pt_map(uint64_t *root, const struct pt_fmt *f, uint64_t gpa, uint64_t hpa,
	   uint64_t size, unsigned int perm);

/* The leaf entry mapping @gpa (4 KiB or 2 MiB), or NULL if unmapped. */
uint64_t *pt_leaf(uint64_t *root, uint64_t gpa);

#endif
