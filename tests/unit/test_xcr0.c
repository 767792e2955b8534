// SPDX-License-Identifier: MIT
/* The guest XCR0 rules (vmm/xcr0.c) against the SDM's XSETBV. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vmm/xcr0.h"

#define ALL XCR0_KNOWN
#define BASE (XCR0_X87 | XCR0_SSE)

static void test_sdm_examples(void **state)
{
	/* Valid (SDM Vol. 1, 13.3). */
	assert_true(xcr0_valid(XCR0_X87, ALL));
	assert_true(xcr0_valid(BASE, ALL));
	assert_true(xcr0_valid(BASE | XCR0_AVX, ALL));
	assert_true(xcr0_valid(BASE | XCR0_AVX | XCR0_AVX512, ALL));
	assert_true(xcr0_valid(XCR0_X87 | XCR0_MPX, ALL));
	assert_true(xcr0_valid(BASE | XCR0_AMX, ALL));
	assert_true(xcr0_valid(XCR0_X87 | XCR0_PKRU, ALL));
	assert_true(xcr0_valid(ALL, ALL));
	/* #GP(0) (SDM Vol. 2D XSETBV). */
	assert_false(xcr0_valid(0, ALL));
	assert_false(xcr0_valid(XCR0_SSE, ALL));
	assert_false(xcr0_valid(XCR0_X87 | XCR0_AVX, ALL));
	assert_false(xcr0_valid(XCR0_X87 | XCR0_BNDREGS, ALL));
	assert_false(xcr0_valid(XCR0_X87 | XCR0_BNDCSR, ALL));
	assert_false(xcr0_valid(BASE | XCR0_AVX | XCR0_OPMASK, ALL));
	assert_false(xcr0_valid(BASE | XCR0_AVX | XCR0_OPMASK | XCR0_ZMM_HI256,
				ALL));
	assert_false(xcr0_valid(BASE | XCR0_AVX512, ALL)); /* no AVX */
	assert_false(xcr0_valid(BASE | XCR0_XTILECFG, ALL));
	assert_false(xcr0_valid(BASE | XCR0_XTILEDATA, ALL));
	assert_false(xcr0_valid(XCR0_X87 | (1ull << 8), ALL)); /* PT: XSS */
	assert_false(xcr0_valid(XCR0_X87 | (1ull << 63), ALL));
	assert_false(xcr0_valid(~0ull, ALL));
}

static void test_allowed_limits(void **state)
{
	uint64_t host = XCR0_X87 | XCR0_SSE | XCR0_AVX | (1ull << 8) |
			(1ull << 11) | (1ull << 19);

	/* Supervisor (8, 11) and unknown (19) components never reach XCR0. */
	assert_int_equal(xcr0_guest_allowed(host), BASE | XCR0_AVX);
	assert_false(xcr0_valid(BASE | XCR0_AVX512 | XCR0_AVX,
				xcr0_guest_allowed(host)));
	assert_false(
		xcr0_valid(XCR0_X87 | (1ull << 19), xcr0_guest_allowed(host)));
}

/* Every value of the low 20 bits: valid exactly when the rules say so. */
static void test_exhaustive(void **state)
{
	unsigned long n = 0;

	for (uint64_t v = 0; v < (1u << 20); v++) {
		bool want = (v & XCR0_X87) && !(v & ~ALL) &&
			    (!(v & XCR0_AVX) || (v & XCR0_SSE)) &&
			    ((v >> 3) & 3) != 1 && ((v >> 3) & 3) != 2 &&
			    (((v >> 5) & 7) == 0 ||
			     (((v >> 5) & 7) == 7 && (v & XCR0_AVX))) &&
			    ((v >> 17) & 3) != 1 && ((v >> 17) & 3) != 2;

		assert_int_equal(xcr0_valid(v, ALL), want);
		n += want;
	}
	/* x87 x {-, SSE, SSE+AVX, SSE+AVX+AVX512} x MPX x PKRU x AMX. */
	assert_int_equal(n, 4 * 2 * 2 * 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdm_examples),
		cmocka_unit_test(test_allowed_limits),
		cmocka_unit_test(test_exhaustive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
