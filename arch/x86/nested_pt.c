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

static uint64_t level_size(int l)
{
	return 1ull << LEVEL_SHIFT(l);
}

static bool is_leaf(uint64_t e, int l)
{
	return l == 0 || ((l == 1 || l == 2) && (e & PT_LARGE));
}

/* The table below entry *e (level l >= 1), creating it, or splitting a
 * large leaf into the next smaller pages with the same frames and
 * permissions (bits below 12 carry over; PS stays set unless the new
 * entries are 4 KiB pages). */
static uint64_t *next_table(uint64_t *e, const struct pt_fmt *f, int l)
{
	uint64_t *t;

	if ((*e & PT_PRESENT_MASK) && !is_leaf(*e, l))
		return table_of(*e);
	t = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!t)
		return NULL;
	if (*e & PT_PRESENT_MASK) {
		uint64_t base = *e & PT_ADDR_MASK & ~(level_size(l) - 1);
		uint64_t attrs = *e & ~PT_ADDR_MASK;

		if (l == 1)
			attrs &= ~PT_LARGE;
		for (int i = 0; i < PT_ENTRIES; i++)
			t[i] = (base + (uint64_t)i * level_size(l - 1)) | attrs;
	}
	*e = f->table((uint64_t)(uintptr_t)t);
	return t;
}

/* The largest page level (2, 1 or 0) for the next piece of a mapping. */
static int leaf_level(const struct pt_fmt *f, uint64_t gpa, uint64_t hpa,
		      uint64_t size)
{
	for (int l = f->gib ? 2 : 1; l > 0; l--) {
		uint64_t sz = level_size(l);

		if (!(gpa & (sz - 1)) && !(hpa & (sz - 1)) && size >= sz)
			return l;
	}
	return 0;
}

int pt_map(uint64_t *root, const struct pt_fmt *f, uint64_t gpa, uint64_t hpa,
	   uint64_t size, unsigned int perm)
{
	while (size) {
		int leaf = leaf_level(f, gpa, hpa, size);
		uint64_t *t = root;
		int l;

		for (l = 3; l > leaf; l--) {
			t = next_table(&t[PT_INDEX(gpa, l)], f, l);
			if (!t)
				return -1;
		}
		/* Replacing a table by a large leaf leaks the table's page:
		 * mappings are built once per VM, never torn down. */
		t[PT_INDEX(gpa, l)] = f->leaf(hpa, perm, leaf > 0);
		gpa += level_size(leaf);
		hpa += level_size(leaf);
		size -= level_size(leaf);
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
		if (is_leaf(*e, l))
			return e;
		t = table_of(*e);
	}
	return NULL;
}

uint64_t pt_page_size(uint64_t *root, uint64_t gpa)
{
	uint64_t *t = root;

	for (int l = 3; l >= 0; l--) {
		uint64_t e = t[PT_INDEX(gpa, l)];

		if (!(e & PT_PRESENT_MASK))
			return 0;
		if (is_leaf(e, l))
			return level_size(l);
		t = table_of(e);
	}
	return 0;
}
