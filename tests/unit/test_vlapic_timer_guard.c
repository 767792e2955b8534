// SPDX-License-Identifier: MIT
/*
 * The periodic timer's guards (vlapic_timer_policy): the period floor and
 * parking while the timer's vector is still pending (issue 10, finding 5:
 * initial count 1, divide 1, the vector held back by TPR).
 */
#include "tests/unit/test_vlapic.h"

#define MSR_LVTT X2APIC_MSR(APIC_LVT_TIMER)
#define MSR_TMICT X2APIC_MSR(APIC_TMICT)
#define MSR_TMCCT X2APIC_MSR(APIC_TMCCT)
#define MSR_TDCR X2APIC_MSR(APIC_TDCR)
#define MSR_TPR X2APIC_MSR(APIC_TPR)
#define DIV1 0xb
#define VEC 0x40
#define PERIODIC (APIC_LVT_TIMER_PERIODIC << APIC_LVT_TIMER_SHIFT | VEC)
#define FLOOR 1000

static struct vlapic *periodic_lapic(bool park)
{
	struct vlapic *vl = test_lapic(0, 0, 1);

	fake_of(vl)->now = 0;
	enable(vl);
	vlapic_timer_policy(vl, FLOOR, park);
	wr(vl, MSR_LVTT, PERIODIC);
	wr(vl, MSR_TDCR, DIV1);
	wr(vl, MSR_TMICT, 1); /* a period of one TSC tick */
	return vl;
}

static void fire_at(struct vlapic *vl, uint64_t t)
{
	fake_of(vl)->now = t;
	vlapic_timer_expired(vl);
}

static void test_floor_spaces_interrupts(void **state)
{
	struct vlapic *vl = periodic_lapic(false);
	struct fake *f = fake_of(vl);

	/* The first count-down ends as programmed ... */
	assert_int_equal(f->deadline, 1);
	fire_at(vl, 1);
	assert_int_equal(take(vl), VEC);
	eoi(vl);
	/* ... and every later one at least FLOOR apart. */
	assert_int_equal(f->deadline, 1 + FLOOR);
	fire_at(vl, 1 + FLOOR + 5);
	assert_int_equal(f->deadline, 1 + 2 * FLOOR);
	/* The count still reads in its own units (a count of 1 reads 1). */
	assert_int_equal(rd(vl, MSR_TMCCT), 1);
}

static void test_no_floor_by_default(void **state)
{
	struct vlapic *vl = periodic_lapic(false);

	vlapic_timer_policy(vl, 0, false);
	fire_at(vl, 1);
	assert_int_equal(fake_of(vl)->deadline, 2);
}

static void test_parks_while_pending(void **state)
{
	struct vlapic *vl = periodic_lapic(true);
	struct fake *f = fake_of(vl);
	unsigned int calls;

	wr(vl, MSR_TPR, 0xf0); /* VEC 0x40 held back */
	fire_at(vl, 1);
	assert_int_equal(vlapic_highest_irr(vl), VEC);
	assert_int_equal(vlapic_pending(vl), -1);
	assert_int_equal(vlapic_timer_parked_vector(vl), -1);
	/* The next expiry finds it still pending: no host timer. */
	fire_at(vl, 1 + FLOOR);
	assert_int_equal(vlapic_timer_parked_vector(vl), VEC);
	calls = f->set_timer_calls;
	for (uint64_t t = 2 * FLOOR; t < 100 * FLOOR; t += FLOOR)
		fire_at(vl, t); /* stray calls change nothing */
	assert_int_equal(f->set_timer_calls, calls);
	/* The count-down itself runs on. */
	assert_int_equal(rd(vl, MSR_TMCCT), 1);
	wr(vl, MSR_TPR, 0);
	fake_of(vl)->now = 100 * FLOOR + 7;
	assert_int_equal(take(vl), VEC); /* accepted: re-armed */
	assert_int_equal(vlapic_timer_parked_vector(vl), -1);
	assert_int_equal(f->deadline, 100 * FLOOR + 1 + FLOOR);
	eoi(vl);
	fire_at(vl, f->deadline);
	assert_int_equal(take(vl), VEC);
}

static void test_unpark_on_eoi_path(void **state)
{
	struct vlapic *vl = periodic_lapic(true);

	fire_at(vl, 1);
	fire_at(vl, 1 + FLOOR);
	assert_int_equal(vlapic_timer_parked_vector(vl), VEC);
	/* A backend whose CPU accepted the vector itself (APICv): the IRR
	 * bit is gone when it reports the EOI. */
	vlapic_timer_unpark(vl); /* still pending: nothing */
	assert_int_equal(vlapic_timer_parked_vector(vl), VEC);
	vlapic_ack(vl, VEC);
	assert_int_equal(vlapic_timer_parked_vector(vl), -1);
	assert_true(vlapic_timer_deadline(vl) > fake_of(vl)->now);
}

static void test_lvt_write_unparks(void **state)
{
	struct vlapic *vl = periodic_lapic(true);

	fire_at(vl, 1);
	fire_at(vl, 1 + FLOOR);
	assert_int_equal(vlapic_timer_parked_vector(vl), VEC);
	fake_of(vl)->now = 5 * FLOOR + 3;
	wr(vl, MSR_LVTT, PERIODIC + 1); /* another vector, same mode */
	assert_int_equal(vlapic_timer_parked_vector(vl), -1);
	assert_int_equal(fake_of(vl)->deadline, 6 * FLOOR + 1);
}

static void test_stop_while_parked(void **state)
{
	struct vlapic *vl = periodic_lapic(true);

	fire_at(vl, 1);
	fire_at(vl, 1 + FLOOR);
	wr(vl, MSR_TMICT, 0);
	assert_int_equal(vlapic_timer_parked_vector(vl), -1);
	assert_int_equal(vlapic_timer_deadline(vl), 0);
	assert_int_equal(rd(vl, MSR_TMCCT), 0);
}

int run_vlapic_timer_guard_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floor_spaces_interrupts),
		cmocka_unit_test(test_no_floor_by_default),
		cmocka_unit_test(test_parks_while_pending),
		cmocka_unit_test(test_unpark_on_eoi_path),
		cmocka_unit_test(test_lvt_write_unparks),
		cmocka_unit_test(test_stop_while_parked),
	};

	return cmocka_run_group_tests_name("vlapic timer guards", tests, NULL,
					   NULL);
}
