// SPDX-License-Identifier: MIT
/* The range-carving physical allocator (lib/mm.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/mm.h"

#define MIB (1ull << 20)

static void test_take_highest_aligned(void **state)
{
	struct mm_pool p = { 0 };

	mm_pool_add(&p, 1 * MIB, 64 * MIB);
	assert_int_equal(mm_pool_take(&p, 4096, 4096), 64 * MIB - 4096);
	/* The top 2 MiB is no longer whole: the next aligned block is lower. */
	assert_int_equal(mm_pool_take(&p, 2 * MIB, 2 * MIB), 60 * MIB);
	assert_int_equal(mm_pool_free_bytes(&p), 63 * MIB - 4096 - 2 * MIB);
}

static void test_reserve_splits(void **state)
{
	struct mm_pool p = { 0 };

	mm_pool_add(&p, 0, 16 * MIB);
	mm_pool_reserve(&p, 4 * MIB, 8 * MIB);
	assert_int_equal(p.n, 2);
	assert_int_equal(mm_pool_free_bytes(&p), 12 * MIB);
	/* Nothing handed out may overlap the reserved range. */
	for (int i = 0; i < 12; i++) {
		uint64_t a = mm_pool_take(&p, MIB, MIB);

		assert_true(a + MIB <= 4 * MIB || a >= 8 * MIB);
	}
	assert_int_equal(mm_pool_take(&p, MIB, MIB), 0);
}

static void test_reserve_edges(void **state)
{
	struct mm_pool p = { 0 };

	mm_pool_add(&p, 1 * MIB, 2 * MIB);
	mm_pool_add(&p, 4 * MIB, 5 * MIB);
	mm_pool_reserve(&p, 0, 1 * MIB + 4096); /* low edge */
	mm_pool_reserve(&p, 5 * MIB - 4096, 6 * MIB); /* high edge */
	mm_pool_reserve(&p, 3 * MIB, 3 * MIB + 1); /* in a hole */
	assert_int_equal(mm_pool_free_bytes(&p), 2 * MIB - 2 * 4096);
	mm_pool_reserve(&p, 0, ~0ull); /* everything */
	assert_int_equal(p.n, 0);
}

static void test_take_rejects(void **state)
{
	struct mm_pool p = { 0 };

	mm_pool_add(&p, 1 * MIB, 2 * MIB);
	assert_int_equal(mm_pool_take(&p, 0, 4096), 0);
	assert_int_equal(mm_pool_take(&p, 4096, 3000), 0); /* not 2^n */
	assert_int_equal(mm_pool_take(&p, 2 * MIB, 4096), 0); /* too big */
	/* 2 MiB alignment cannot be met inside [1 MiB, 2 MiB). */
	assert_int_equal(mm_pool_take(&p, 4096, 2 * MIB), 0);
	assert_int_equal(mm_pool_free_bytes(&p), MIB);
}

static void test_empty_and_inverted(void **state)
{
	struct mm_pool p = { 0 };

	mm_pool_add(&p, 5 * MIB, 5 * MIB);
	mm_pool_add(&p, 6 * MIB, 5 * MIB);
	assert_int_equal(p.n, 0);
	assert_int_equal(mm_pool_take(&p, 4096, 4096), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_highest_aligned),
		cmocka_unit_test(test_reserve_splits),
		cmocka_unit_test(test_reserve_edges),
		cmocka_unit_test(test_take_rejects),
		cmocka_unit_test(test_empty_and_inverted),
	};

	return cmocka_run_group_tests_name("mm", tests, NULL, NULL);
}
