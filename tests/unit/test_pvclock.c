// SPDX-License-Identifier: MIT
/*
 * kvmclock's scale factors: for any TSC frequency the guest's formula
 * ((delta << shift) * mul) >> 32 must give nanoseconds within 1 ppm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vmm/kvmclock.h"

static void check_khz(uint64_t khz)
{
	uint32_t mul;
	int8_t shift;
	uint64_t one_s_ticks = khz * 1000;
	uint64_t ns;

	pvclock_scale_for(khz, &mul, &shift);
	ns = pvclock_scale(one_s_ticks, mul, shift);
	/* One second of ticks is 1e9 ns, within 1 ppm. */
	assert_true(ns > 1000000000ull - 1000 && ns < 1000000000ull + 1000);
	/* Precision: mul uses its top bit. */
	assert_true(mul >= (1u << 31));
}

static void test_frequencies(void **state)
{
	static const uint64_t khz[] = { 1000,	 32768,	  999999,
					1000000, 1000001, 2599992,
					3000000, 5623311, 10000000 };

	for (size_t i = 0; i < sizeof(khz) / sizeof(khz[0]); i++)
		check_khz(khz[i]);
}

static void test_large_delta(void **state)
{
	uint32_t mul;
	int8_t shift;

	/* A day at 3 GHz must not overflow: 2.59e14 ticks. */
	pvclock_scale_for(3000000, &mul, &shift);
	uint64_t ns = pvclock_scale(3000000000ull * 86400, mul, shift);

	assert_true(ns > 86400ull * 1000000000ull - 100000000ull &&
		    ns < 86400ull * 1000000000ull + 100000000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frequencies),
		cmocka_unit_test(test_large_delta),
	};

	return cmocka_run_group_tests_name("pvclock", tests, NULL, NULL);
}
