// SPDX-License-Identifier: MIT
/*
 * The TSC frequency decision (arch/x86/tsc_freq.c): CPUID leaves as the
 * emulators here report them, PIT windows with clean and disturbed
 * endpoints, and which figure wins.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/tsc_freq.h"

static void set_sig(struct tsc_cpuid *c, const char *sig)
{
	memcpy(c->hv_sig, sig, 12);
}

/* QEMU 7.2 TCG, -cpu max: AMD, "TCGTCGTCGTCG" up to 0x40000001. */
static void test_cpuid_qemu_tcg(void **state)
{
	struct tsc_cpuid c = { .hypervisor = true,
			       .max_basic = 0xd,
			       .hv_max = 0x40000001 };
	const char *src = NULL;

	set_sig(&c, "TCGTCGTCGTCG");
	assert_int_equal(tsc_khz_from_cpuid(&c, &src), 0);
}

/* QEMU/KVM, -cpu host,+invtsc: KVM's signature and the timing leaf. */
static void test_cpuid_kvm_invtsc(void **state)
{
	struct tsc_cpuid c = { .hypervisor = true,
			       .max_basic = 0x1c,
			       .hv_max = 0x40000010,
			       .l40000010 = { 0x279d3a, 0xf4240 } };
	const char *src = NULL;

	set_sig(&c, "KVMKVMKVM\0\0\0");
	assert_int_equal(tsc_khz_from_cpuid(&c, &src), 2596154);
	assert_string_equal(src, "CPUID 0x40000010");
	/* Without the hypervisor bit the leaf is not looked at. */
	c.hypervisor = false;
	assert_int_equal(tsc_khz_from_cpuid(&c, &src), 0);
	/* Another hypervisor's 0x40000010 means something else. */
	c.hypervisor = true;
	set_sig(&c, "Microsoft Hv");
	assert_int_equal(tsc_khz_from_cpuid(&c, &src), 0);
	/* A maximum leaf out of the hypervisor range is garbage. */
	set_sig(&c, "VMwareVMware");
	c.hv_max = 0xdac;
	assert_int_equal(tsc_khz_from_cpuid(&c, &src), 0);
	c.hv_max = 0x40000010;
	assert_int_equal(tsc_khz_from_cpuid(&c, &src), 2596154);
}

/* Bochs 2.7 corei7_skylake_x: leaf 0x15 without the crystal, 0x16 base
 * 3500 MHz (while its TSC counts 50 M instructions/s). */
static void test_cpuid_intel_leaves(void **state)
{
	struct tsc_cpuid c = { .intel = true,
			       .max_basic = 0x16,
			       .l15 = { 2, 0x124, 0 },
			       .l16_eax = 0xdac };
	const char *src = NULL;

	assert_int_equal(tsc_khz_from_cpuid(&c, &src), 3500000);
	assert_string_equal(src, "CPUID 0x15/0x16");
	/* With the crystal: 24 MHz * 200 / 2. */
	c.l15[1] = 200;
	c.l15[2] = 24000000;
	assert_int_equal(tsc_khz_from_cpuid(&c, &src), 2400000);
	assert_string_equal(src, "CPUID 0x15");
	/* An AMD CPU's leaf 0x15 means nothing. */
	c.intel = false;
	assert_int_equal(tsc_khz_from_cpuid(&c, &src), 0);
	/* Leaves above the maximum basic leaf are not read. */
	c.intel = true;
	c.max_basic = 0x14;
	assert_int_equal(tsc_khz_from_cpuid(&c, &src), 0);
}

#define KHZ 2596154ull
#define LEN 47727u /* 40 ms of PIT ticks */
#define WIN_TSC (KHZ * 1000 * LEN / TSC_PIT_HZ)

static struct tsc_sample sample(uint64_t mid, uint64_t lat, uint16_t count)
{
	return (struct tsc_sample){ mid - lat / 2, mid - lat / 2 + lat, count };
}

static void test_window(void **state)
{
	struct tsc_sample a = sample(1000000, 2000, 0xfff0);
	struct tsc_sample b = sample(1000000 + WIN_TSC, 2000, 0xfff0 - LEN);
	struct tsc_window w;

	assert_true(tsc_window_eval(&a, &b, false, &w));
	assert_true(w.khz >= KHZ - 1 && w.khz <= KHZ + 1);
	/* 2000 ticks of bracket and two PIT ticks over 104 M ticks. */
	assert_true(w.ppm >= 50 && w.ppm <= 70);
	/* The output went high: the count may have wrapped. */
	assert_false(tsc_window_eval(&a, &b, true, &w));
	/* No PIT tick between the ends. */
	assert_false(tsc_window_eval(&a, &a, false, &w));
	/* An end read that lost the CPU for 5 ms is not clean. */
	b = sample(1000000 + WIN_TSC, KHZ * 5, 0xfff0 - LEN);
	assert_true(tsc_window_eval(&a, &b, false, &w));
	assert_true(w.ppm > TSC_CLEAN_PPM);
}

static void test_best_sample(void **state)
{
	struct tsc_sample s[4] = { sample(100, 40, 9), sample(200, 8, 8),
				   sample(300, 9000, 7), sample(400, 12, 6) };

	assert_ptr_equal(tsc_best_sample(s, 4), &s[1]);
	assert_null(tsc_best_sample(s, 0));
}

static void test_choose_pit(void **state)
{
	/* The old failure: one window measured 4706 MHz on a 2596 MHz host
	 * with its end read delayed; it must not win. */
	struct tsc_window w[] = { { 2596160, 40 },
				  { 4706293, 400000 },
				  { 2596131, 37 },
				  { 2596190, 45 } };
	struct tsc_choice c;

	tsc_choose(w, 4, 0, &c);
	assert_int_equal(c.src, TSC_SRC_PIT);
	assert_int_equal(c.khz, 2596131);
	assert_int_equal(c.clean, 3);
	assert_int_equal(c.total, 4);
	/* (2596190 - 2596131) / 2596131 */
	assert_int_equal(c.spread_ppm, 22);
}

static void test_choose_arch(void **state)
{
	struct tsc_window pit[] = { { 2596131, 37 } };
	struct tsc_window bochs[] = { { 49993, 60 } };
	struct tsc_window bad[] = { { 4706293, 400000 } };
	struct tsc_choice c;

	/* Confirmed by the PIT. */
	tsc_choose(pit, 1, 2596154, &c);
	assert_int_equal(c.src, TSC_SRC_ARCH);
	assert_int_equal(c.khz, 2596154);
	assert_false(c.arch_rejected);
	/* Contradicted: Bochs' CPUID says 3.5 GHz. */
	tsc_choose(bochs, 1, 3500000, &c);
	assert_int_equal(c.src, TSC_SRC_PIT);
	assert_int_equal(c.khz, 49993);
	assert_true(c.arch_rejected);
	/* No clean window: the architectural figure stands unchecked. */
	tsc_choose(bad, 1, 2596154, &c);
	assert_int_equal(c.src, TSC_SRC_ARCH);
	assert_int_equal(c.khz, 2596154);
	/* Neither: the least disturbed window, flagged as such. */
	tsc_choose(bad, 1, 0, &c);
	assert_int_equal(c.src, TSC_SRC_PIT_DISTURBED);
	assert_int_equal(c.khz, 4706293);
	tsc_choose(bad, 0, 0, &c);
	assert_int_equal(c.src, TSC_SRC_NONE);
}

static void test_windows_enough(void **state)
{
	struct tsc_window w[] = { { 2596160, 40 },
				  { 2596131, 37 },
				  { 4706293, 400000 },
				  { 2596190, 45 },
				  { 2596500, 45 } };
	struct tsc_window loose[] = { { 2596160, 40 },
				      { 2596131, 150 },
				      { 2596190, 45 } };

	/* Two tight windows are not enough; a disturbed one never counts. */
	assert_false(tsc_windows_enough(w, 2));
	assert_false(tsc_windows_enough(w, 3));
	/* 2596131..2596190: 22 ppm apart. */
	assert_true(tsc_windows_enough(w, 4));
	/* 2596500 is 142 ppm from 2596131: they disagree. */
	assert_false(tsc_windows_enough(w, 5));
	/* A window pinned to 150 ppm is not tight. */
	assert_false(tsc_windows_enough(loose, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuid_qemu_tcg),
		cmocka_unit_test(test_cpuid_kvm_invtsc),
		cmocka_unit_test(test_cpuid_intel_leaves),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_windows_enough),
		cmocka_unit_test(test_best_sample),
		cmocka_unit_test(test_choose_pit),
		cmocka_unit_test(test_choose_arch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
