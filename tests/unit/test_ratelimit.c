// SPDX-License-Identifier: MIT
/* The message rate limiter (lib/ratelimit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/ratelimit.h"

#define INTERVAL 1000
#define BURST 10

static void test_burst_then_quiet(void **state)
{
	struct ratelimit rl = { 0 };
	uint64_t missed = 99;
	unsigned int printed = 0;

	for (int i = 0; i < 1000; i++)
		printed +=
			ratelimit_ok(&rl, 5 + i / 10, INTERVAL, BURST, &missed);
	assert_int_equal(printed, BURST);
	assert_int_equal(missed, 0); /* nothing dropped before the 10th */
	assert_int_equal(rl.missed, 990);
	assert_int_equal(rl.missed_total, 990);
}

static void test_next_window_reports_missed(void **state)
{
	struct ratelimit rl = { 0 };
	uint64_t missed = 0;

	for (int i = 0; i < 25; i++)
		ratelimit_ok(&rl, 100, INTERVAL, BURST, NULL);
	assert_false(ratelimit_ok(&rl, 100 + INTERVAL - 1, INTERVAL, BURST,
				  &missed));
	assert_true(
		ratelimit_ok(&rl, 100 + INTERVAL, INTERVAL, BURST, &missed));
	assert_int_equal(missed, 16);
	assert_true(
		ratelimit_ok(&rl, 100 + INTERVAL, INTERVAL, BURST, &missed));
	assert_int_equal(missed, 0);
	assert_int_equal(rl.missed_total, 16);
}

static void test_clock_backwards_and_zero(void **state)
{
	struct ratelimit rl = { 0 };
	unsigned int printed = 0;

	/* Time 0 is a valid start; a step back opens a new window rather
	 * than silencing the limiter for 2^64 units. */
	for (int i = 0; i < 20; i++)
		printed += ratelimit_ok(&rl, 0, INTERVAL, BURST, NULL);
	assert_int_equal(printed, BURST);
	for (int i = 0; i < 20; i++)
		printed += ratelimit_ok(&rl, 5000, INTERVAL, BURST, NULL);
	for (int i = 0; i < 20; i++)
		printed += ratelimit_ok(&rl, 4000, INTERVAL, BURST, NULL);
	assert_int_equal(printed, 3 * BURST);
	assert_int_equal(rl.missed_total, 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_quiet),
		cmocka_unit_test(test_next_window_reports_missed),
		cmocka_unit_test(test_clock_backwards_and_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
