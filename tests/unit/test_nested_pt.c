// SPDX-License-Identifier: MIT
/* The EPT/NPT builder (arch/x86/nested_pt.c): the largest pages that fit,
 * 1 GiB leaves only where the format allows them, and splitting a large
 * leaf keeps every frame where it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/nested_pt.h"
#include "lib/mm.h"

#define GIB (1ull << 30)
#define MIB (1ull << 20)
#define LEAF_LARGE 0x80ull

#define ARENA_PAGES 64

/* Tables come from a static arena, reset by root(). */
static uint8_t arena[ARENA_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));
static unsigned int tables; /* tables allocated so far */

void *page_try_alloc(uint64_t size, uint64_t align)
{
	if (size != PAGE_SIZE || tables == ARENA_PAGES)
		return NULL;
	memset(arena[tables], 0, PAGE_SIZE);
	return arena[tables++];
}

static uint64_t t_table(uint64_t pa)
{
	return pa | 7;
}

static uint64_t t_leaf(uint64_t pa, unsigned int perm, int large)
{
	return pa | (perm & 7) | (large ? LEAF_LARGE : 0);
}

static uint64_t *root(void)
{
	tables = 0;
	return page_try_alloc(PAGE_SIZE, PAGE_SIZE);
}

/* The frame a leaf maps @gpa to, or ~0 if unmapped. */
static uint64_t frame(uint64_t *r, uint64_t gpa, uint64_t page)
{
	uint64_t *e = pt_leaf(r, gpa);

	if (!e)
		return ~0ull;
	return (*e & PT_ADDR_MASK & ~(page - 1)) + (gpa & (page - 1));
}

static void test_gib_leaves(void **state)
{
	struct pt_fmt f = { t_table, t_leaf, 1 };
	uint64_t *r = root();

	/* 3 GiB at 4 GiB: three PDPT leaves; tables: the root, one PDPT. */
	assert_int_equal(pt_map(r, &f, 4 * GIB, 8 * GIB, 3 * GIB, 3), 0);
	assert_int_equal(tables, 2);
	for (uint64_t off = 0; off < 3 * GIB; off += GIB / 2) {
		uint64_t *e = pt_leaf(r, 4 * GIB + off + 0x1234);

		assert_non_null(e);
		assert_true(*e & LEAF_LARGE);
		assert_int_equal(*e & PT_ADDR_MASK,
				 8 * GIB + (off & ~(GIB - 1)));
	}
	assert_null(pt_leaf(r, 7 * GIB));
}

static void test_no_gib_without_support(void **state)
{
	struct pt_fmt f = { t_table, t_leaf, 0 };
	uint64_t *r = root();

	assert_int_equal(pt_map(r, &f, 4 * GIB, 8 * GIB, 2 * GIB, 3), 0);
	/* Root, PDPT and one PD per GiB: 2 MiB leaves. */
	assert_int_equal(tables, 4);
	assert_int_equal(frame(r, 5 * GIB + 3 * MIB, 2 * MIB),
			 9 * GIB + 3 * MIB);
}

static void test_misaligned_host(void **state)
{
	struct pt_fmt f = { t_table, t_leaf, 1 };
	uint64_t *r = root();

	/* The host block is only 2 MiB aligned: no 1 GiB leaf fits. */
	assert_int_equal(pt_map(r, &f, GIB, 2 * GIB + 2 * MIB, GIB, 3), 0);
	assert_int_equal(tables, 3);
	assert_int_equal(frame(r, GIB + 5 * MIB + 7, 2 * MIB),
			 2 * GIB + 7 * MIB + 7);
	/* Ends short of a GiB boundary: the tail in 2 MiB and 4 KiB pages. */
	r = root();
	assert_int_equal(pt_map(r, &f, 0, 0, GIB + 2 * MIB + 4096, 3), 0);
	assert_true(*pt_leaf(r, 0) & LEAF_LARGE);
	assert_int_equal(frame(r, GIB + MIB, 2 * MIB), GIB + MIB);
	assert_int_equal(frame(r, GIB + 2 * MIB + 8, 4096), GIB + 2 * MIB + 8);
	assert_null(pt_leaf(r, GIB + 2 * MIB + 4096));
}

static void test_split_gib_leaf(void **state)
{
	struct pt_fmt f = { t_table, t_leaf, 1 };
	uint64_t *r = root();

	assert_int_equal(pt_map(r, &f, 4 * GIB, 8 * GIB, GIB, 3), 0);
	/* One 4 KiB page inside it elsewhere: 1 GiB -> 2 MiB -> 4 KiB. */
	assert_int_equal(pt_map(r, &f, 4 * GIB + 0x3000, 0x77000, 4096, 1), 0);
	assert_int_equal(frame(r, 4 * GIB + 0x3000, 4096), 0x77000);
	assert_int_equal(*pt_leaf(r, 4 * GIB + 0x3000) & 7, 1);
	assert_int_equal(frame(r, 4 * GIB + 0x2000, 4096), 8 * GIB + 0x2000);
	assert_int_equal(*pt_leaf(r, 4 * GIB + 0x2000) & 7, 3);
	assert_false(*pt_leaf(r, 4 * GIB + 0x2000) & LEAF_LARGE);
	assert_int_equal(frame(r, 4 * GIB + 0x200000, 2 * MIB),
			 8 * GIB + 0x200000);
	assert_true(*pt_leaf(r, 4 * GIB + 0x200000) & LEAF_LARGE);
	assert_int_equal(frame(r, 4 * GIB + GIB - 1, 2 * MIB), 9 * GIB - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gib_leaves),
		cmocka_unit_test(test_no_gib_without_support),
		cmocka_unit_test(test_misaligned_host),
		cmocka_unit_test(test_split_gib_leaf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
