// SPDX-License-Identifier: MIT
/*
 * MSR bitmap builders: bit positions against the layouts in Intel SDM vol.
 * 3C 25.6.9 and AMD APM vol. 2 15.11, computed here independently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/msr_bitmap.h"

static uint8_t vmx[VMX_MSR_BITMAP_SIZE], svm[SVM_MSR_BITMAP_SIZE];

static int bit(const uint8_t *bm, unsigned long n)
{
	return (bm[n / 8] >> (n % 8)) & 1;
}

static void test_vmx_positions(void **state)
{
	const struct msr_pass t[] = {
		{ 0x174, MSR_PASS_R | MSR_PASS_W },
		{ 0xc0000082, MSR_PASS_R },
		{ 0xc0000103, MSR_PASS_W },
	};

	msr_bitmap_vmx(vmx, t, 3);
	/* 0x174: read-low bitmap at byte 0, write-low at byte 2048. */
	assert_int_equal(bit(vmx, 0x174), 0);
	assert_int_equal(bit(vmx, 2048 * 8 + 0x174), 0);
	/* 0xc0000082: read-high at byte 1024, write stays intercepted. */
	assert_int_equal(bit(vmx, 1024 * 8 + 0x82), 0);
	assert_int_equal(bit(vmx, 3072 * 8 + 0x82), 1);
	/* 0xc0000103: write-high at byte 3072 only. */
	assert_int_equal(bit(vmx, 1024 * 8 + 0x103), 1);
	assert_int_equal(bit(vmx, 3072 * 8 + 0x103), 0);
	/* Exactly four bits are clear. */
	unsigned long clear = 0;

	for (unsigned long i = 0; i < sizeof(vmx) * 8; i++)
		clear += !bit(vmx, i);
	assert_int_equal(clear, 4);
}

static void test_svm_positions(void **state)
{
	const struct msr_pass t[] = {
		{ 0x10, MSR_PASS_R },
		{ 0xc0000100, MSR_PASS_R | MSR_PASS_W },
		{ 0xc0010117, MSR_PASS_W },
	};

	msr_bitmap_svm(svm, t, 3);
	/* Two bits per MSR: read at 2n, write at 2n+1 (APM figure 15-4). */
	assert_int_equal(bit(svm, 2 * 0x10), 0);
	assert_int_equal(bit(svm, 2 * 0x10 + 1), 1);
	/* 0xc0000000 range starts at byte 0x800. */
	assert_int_equal(bit(svm, 0x800 * 8 + 2 * 0x100), 0);
	assert_int_equal(bit(svm, 0x800 * 8 + 2 * 0x100 + 1), 0);
	/* 0xc0010000 range starts at byte 0x1000. */
	assert_int_equal(bit(svm, 0x1000 * 8 + 2 * 0x117), 1);
	assert_int_equal(bit(svm, 0x1000 * 8 + 2 * 0x117 + 1), 0);
	unsigned long clear = 0;

	for (unsigned long i = 0; i < sizeof(svm) * 8; i++)
		clear += !bit(svm, i);
	assert_int_equal(clear, 4);
}

static void test_out_of_range_ignored(void **state)
{
	const struct msr_pass t[] = {
		{ 0x2000, MSR_PASS_R | MSR_PASS_W },
		{ 0x40000000, MSR_PASS_R | MSR_PASS_W },
		{ 0xc0002000, MSR_PASS_R | MSR_PASS_W },
	};

	msr_bitmap_vmx(vmx, t, 3);
	msr_bitmap_svm(svm, t, 3);
	for (size_t i = 0; i < sizeof(vmx); i++)
		assert_int_equal(vmx[i], 0xff);
	for (size_t i = 0; i < sizeof(svm); i++)
		assert_int_equal(svm[i], 0xff);
	for (unsigned int i = 0; i < 3; i++) {
		assert_true(msr_bitmap_vmx_intercepts(vmx, t[i].msr, false));
		assert_true(msr_bitmap_svm_intercepts(svm, t[i].msr, true));
	}
}

/* The real table: what passes through, and the x2APIC range never. */
static void test_passthrough_table(void **state)
{
	static const uint32_t must_pass[] = { 0xc0000100, 0xc0000101,
					      0xc0000102, 0xc0000081,
					      0xc0000082, 0x174 };
	static const uint32_t must_trap[] = { 0x1b,	  0x6e0, 0x800,
					      0x830,	  0x83f, 0x8ff,
					      0xc0000080, 0x277, 0x10,
					      0x4b564d01, 0xbd,	 0x10a };

	msr_bitmap_vmx(vmx, msr_passthrough, msr_passthrough_count);
	msr_bitmap_svm(svm, msr_passthrough, msr_passthrough_count);
	for (size_t i = 0; i < sizeof(must_pass) / sizeof(must_pass[0]); i++)
		for (int w = 0; w < 2; w++) {
			assert_false(msr_bitmap_vmx_intercepts(
				vmx, must_pass[i], w));
			assert_false(msr_bitmap_svm_intercepts(
				svm, must_pass[i], w));
		}
	for (size_t i = 0; i < sizeof(must_trap) / sizeof(must_trap[0]); i++)
		for (int w = 0; w < 2; w++) {
			assert_true(msr_bitmap_vmx_intercepts(vmx, must_trap[i],
							      w));
			assert_true(msr_bitmap_svm_intercepts(svm, must_trap[i],
							      w));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmx_positions),
		cmocka_unit_test(test_svm_positions),
		cmocka_unit_test(test_out_of_range_ignored),
		cmocka_unit_test(test_passthrough_table),
	};

	return cmocka_run_group_tests_name("msr_bitmap", tests, NULL, NULL);
}
