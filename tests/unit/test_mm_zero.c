// SPDX-License-Identifier: MIT
/*
 * mm_zero() (lib/mm.c): every byte ends zero, and a block that is zero
 * already is never written, which a read-only page shows: a write to it
 * would end the test with SIGSEGV.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/mm.h"

#define PAGES 4

static uint8_t *map_pages(void)
{
	uint8_t *p = mmap(NULL, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

static void assert_zero(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i])
			fail_msg("byte %lu is %02x", (unsigned long)i, p[i]);
}

/* Dirty bytes at block starts, ends and middles, in every page. */
static void test_zeroes_every_byte(void **state)
{
	uint8_t *p = map_pages();
	const uint64_t at[] = { 0, 7, 8, 63, 64, 100, 4095, 4096, 8191 };

	memset(p + 2 * PAGE_SIZE, 0xff, 2 * PAGE_SIZE);
	for (unsigned int i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		p[at[i]] = (uint8_t)(i + 1);
	mm_zero(p, PAGES * PAGE_SIZE);
	assert_zero(p, PAGES * PAGE_SIZE);
	munmap(p, PAGES * PAGE_SIZE);
}

/* Pages 1 and 3 are zero and read-only, 0 and 2 hold data. */
static void test_zero_blocks_not_written(void **state)
{
	uint8_t *p = map_pages();

	p[0] = 1;
	p[2 * PAGE_SIZE + PAGE_SIZE - 1] = 2;
	assert_int_equal(mprotect(p + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(mprotect(p + 3 * PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	mm_zero(p, PAGES * PAGE_SIZE);
	assert_zero(p, PAGES * PAGE_SIZE);
	munmap(p, PAGES * PAGE_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zeroes_every_byte),
		cmocka_unit_test(test_zero_blocks_not_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
