// SPDX-License-Identifier: MIT
/* Second-stage page-table builder (see nested_pt.h). */
#include <stdbool.h>

#include "arch/x86/nested_pt.h"
#include "lib/mm.h"

#define PT_ENTRIES 512
#define LEVEL_SHIFT(l) (12 + 9 * (l))
#define PT_INDEX(a, l) (((a) >> LEVEL_SHIFT(l)) & (PT_ENTRIES - 1))

static uint64_t *table_of(uint64_t e)
{
	return (uint64_t *)(uintptr_t)(e & PT_ADDR_MASK);
}

/* The table below entry *e (level l >= 1), creating or splitting it. */
static uint64_t *next_table(uint64_t *e, const struct pt_fmt *f, int l)
{
	uint64_t *t;

	if ((*e & PT_PRESENT_MASK) && !(l == 1 && (*e & PT_LARGE)))
		return table_of(*e);
	t = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!t)
		return NULL;
	if (l == 1 && (*e & PT_PRESENT_MASK)) {
		/* Split a 2 MiB leaf: same frames and permissions in 4 KiB
		 * pages. The leaf bits below bit 12 other than PS carry over. */
		uint64_t base = *e & PT_ADDR_MASK & ~(PT_2M - 1);
		uint64_t attrs = (*e & ~PT_ADDR_MASK) & ~PT_LARGE;

		for (int i = 0; i < PT_ENTRIES; i++)
			t[i] = (base + (uint64_t)i * PAGE_SIZE) | attrs;
	}
	*e = f->table((uint64_t)(uintptr_t)t);
	return t;
}

int pt_map(uint64_t *root, const struct pt_fmt *f, uint64_t gpa, uint64_t hpa,
	   uint64_t size, unsigned int perm)
{
	while (size) {
		bool big = !(gpa & (PT_2M - 1)) && !(hpa & (PT_2M - 1)) &&
			   size >= PT_2M;
		uint64_t *t = root;
		int l;

		for (l = 3; l > (big ? 1 : 0); l--) {
			t = next_table(&t[PT_INDEX(gpa, l)], f, l);
			if (!t)
				return -1;
		}
		t[PT_INDEX(gpa, l)] = f->leaf(hpa, perm, big);
		gpa += big ? PT_2M : PAGE_SIZE;
		hpa += big ? PT_2M : PAGE_SIZE;
		size -= big ? PT_2M : PAGE_SIZE;
	}
	return 0;
}

uint64_t *pt_leaf(uint64_t *root, uint64_t gpa)
{
	uint64_t *t = root;

	for (int l = 3; l >= 0; l--) {
		uint64_t *e = &t[PT_INDEX(gpa, l)];

		if (!(*e & PT_PRESENT_MASK))
			return NULL;
		if (l == 0 || (l == 1 && (*e & PT_LARGE)))
			return e;
		t = table_of(*e);
	}
	return NULL;
}
