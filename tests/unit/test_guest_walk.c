// SPDX-License-Identifier: MIT
/* The guest page-table walk (vmm/guest_walk.c) on a fake guest memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/guest_walk.h"

#define MEM_SIZE (1u << 20)
#define P 1ull
#define RW 2ull
#define PS 0x80ull
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

static uint8_t mem[MEM_SIZE];

static int rd(void *ctx, uint64_t gpa, void *buf, unsigned int len)
{
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa)
		return -1;
	memcpy(buf, mem + gpa, len);
	return 0;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(mem + gpa, &v, 4);
}

static uint64_t xlate(const struct guest_paging *p, uint64_t lin)
{
	uint64_t gpa = ~0ull;

	if (guest_linear_to_phys(p, lin, rd, NULL, &gpa))
		return ~0ull;
	return gpa;
}

static void test_no_paging(void **state)
{
	struct guest_paging p = { 0 };

	assert_int_equal(xlate(&p, 0x12345), 0x12345);
}

/* 4-level: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static void test_four_level(void **state)
{
	struct guest_paging p = { CR0_PG, 0x1000, CR4_PAE, EFER_LMA };
	uint64_t lin = 0x0000008040201abcull; /* 1, 1, 1, 1, 0xabc */

	memset(mem, 0, sizeof(mem));
	put64(0x1000 + 1 * 8, 0x2000 | P | RW);
	put64(0x2000 + 1 * 8, 0x3000 | P | RW);
	put64(0x3000 + 1 * 8, 0x4000 | P | RW);
	put64(0x4000 + 1 * 8, 0x7000 | P | RW);
	assert_int_equal(xlate(&p, lin), 0x7abc);
	/* A 2 MiB page in the PD. */
	put64(0x3000 + 1 * 8, 0x40000000ull | P | PS);
	assert_int_equal(xlate(&p, lin), 0x40001abcull);
	/* A 1 GiB page in the PDPT. */
	put64(0x2000 + 1 * 8, 0x80000000ull | P | PS);
	assert_int_equal(xlate(&p, lin), 0x80201abcull);
	/* Not present. */
	put64(0x1000 + 1 * 8, 0x2000);
	assert_int_equal(xlate(&p, lin), ~0ull);
	/* A table outside the guest's memory. */
	put64(0x1000 + 1 * 8, 0x7fff0000ull | P);
	assert_int_equal(xlate(&p, lin), ~0ull);
}

static void test_five_level(void **state)
{
	struct guest_paging p = { CR0_PG, 0x1000, CR4_PAE | CR4_LA57,
				  EFER_LMA };
	uint64_t lin = (2ull << 48) | 0x123;

	memset(mem, 0, sizeof(mem));
	put64(0x1000 + 2 * 8, 0x2000 | P);
	put64(0x2000, 0x3000 | P);
	put64(0x3000, 0x4000 | P);
	put64(0x4000, 0x5000 | P);
	put64(0x5000, 0x9000 | P);
	assert_int_equal(xlate(&p, lin), 0x9123);
}

static void test_pae(void **state)
{
	struct guest_paging p = { CR0_PG, 0x1020, CR4_PAE, 0 };

	memset(mem, 0, sizeof(mem));
	put64(0x1020 + 3 * 8, 0x2000 | P); /* PDPTE 3: 3-4 GiB */
	put64(0x2000 + 5 * 8, 0x3000 | P);
	put64(0x3000 + 7 * 8, 0x8000 | P);
	assert_int_equal(xlate(&p, 0xc0a07123ull), 0x8123);
	put64(0x2000 + 5 * 8, 0x00600000ull | P | PS);
	assert_int_equal(xlate(&p, 0xc0a07123ull), 0x00607123ull);
}

static void test_32bit(void **state)
{
	struct guest_paging p = { CR0_PG, 0x1000, 0, 0 };

	memset(mem, 0, sizeof(mem));
	put32(0x1000 + 3 * 4, 0x2000 | P);
	put32(0x2000 + 5 * 4, 0x6000 | P);
	assert_int_equal(xlate(&p, 0x00c05abcull), 0x6abc);
	/* PS without CR4.PSE is an ordinary table pointer. */
	put32(0x1000 + 3 * 4, 0x2000 | P | PS);
	assert_int_equal(xlate(&p, 0x00c05abcull), 0x6abc);
	/* 4 MiB page with PSE-36 bits 20:13 -> address 39:32. */
	p.cr4 = CR4_PSE;
	put32(0x1000 + 3 * 4, 0x01c00000u | (1u << 13) | P | PS);
	assert_int_equal(xlate(&p, 0x00c05abcull), 0x101c05abcull);
}

static void test_read_across_pages(void **state)
{
	struct guest_paging p = { CR0_PG, 0x1000, CR4_PAE, EFER_LMA };
	uint8_t buf[4];

	memset(mem, 0, sizeof(mem));
	put64(0x1000, 0x2000 | P);
	put64(0x2000, 0x3000 | P);
	put64(0x3000, 0x4000 | P);
	put64(0x4000 + 0 * 8, 0x9000 | P); /* page 0 -> 0x9000 */
	put64(0x4000 + 1 * 8, 0x5000 | P); /* page 1 -> 0x5000 */
	mem[0x9ffe] = 0x66;
	mem[0x9fff] = 0x0f;
	mem[0x5000] = 0xa2;
	mem[0x5001] = 0xcc;
	assert_int_equal(guest_read_linear(&p, 0xffe, buf, 4, rd, NULL), 0);
	assert_int_equal(buf[0], 0x66);
	assert_int_equal(buf[2], 0xa2);
	assert_int_equal(buf[3], 0xcc);
	/* The second page not present: the whole read fails. */
	put64(0x4000 + 1 * 8, 0);
	assert_int_equal(guest_read_linear(&p, 0xffe, buf, 4, rd, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_paging),
		cmocka_unit_test(test_four_level),
		cmocka_unit_test(test_five_level),
		cmocka_unit_test(test_pae),
		cmocka_unit_test(test_32bit),
		cmocka_unit_test(test_read_across_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
