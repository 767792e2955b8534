// SPDX-License-Identifier: MIT
/* Instruction length from prefixes and a known opcode (arch/x86/insn_len.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/insn_len.h"

static const struct insn_opcode cpuid_op = { 2, { 0x0f, 0xa2 }, false };
static const struct insn_opcode hlt_op = { 1, { 0xf4 }, false };
static const struct insn_opcode vmmcall_op = { 3, { 0x0f, 0x01, 0xd9 }, false };
static const struct insn_opcode pause_op = { 1, { 0x90 }, false };
static const struct insn_opcode mov_cr_op = { 2, { 0x0f, 0x22 }, true };

static int len_of(const uint8_t *code, unsigned int n, bool lm,
		  const struct insn_opcode *op)
{
	struct insn_info info;

	return insn_len_known(code, n, lm, op, &info) ? -1 : info.len;
}

#define LEN(lm, op, ...)                                                       \
	({                                                                     \
		static const uint8_t c[] = { __VA_ARGS__ };                    \
		len_of(c, sizeof(c), lm, op);                                  \
	})

static void test_plain(void **state)
{
	assert_int_equal(LEN(true, &cpuid_op, 0x0f, 0xa2, 0xcc), 2);
	assert_int_equal(LEN(true, &hlt_op, 0xf4), 1);
	assert_int_equal(LEN(true, &vmmcall_op, 0x0f, 0x01, 0xd9), 3);
	assert_int_equal(LEN(true, &pause_op, 0xf3, 0x90), 2);
}

static void test_prefixes(void **state)
{
	assert_int_equal(LEN(true, &cpuid_op, 0x66, 0x66, 0x0f, 0xa2), 4);
	assert_int_equal(LEN(true, &cpuid_op, 0x2e, 0x0f, 0xa2), 3);
	assert_int_equal(LEN(true, &cpuid_op, 0x26, 0x36, 0x3e, 0x64, 0x65,
			     0xf0, 0xf2, 0xf3, 0x67, 0x0f, 0xa2),
			 11);
	assert_int_equal(LEN(false, &hlt_op, 0x2e, 0x3e, 0xf4), 3);
}

static void test_rex(void **state)
{
	/* REX only in 64-bit mode; elsewhere 0x48 is DEC EAX. */
	assert_int_equal(LEN(true, &cpuid_op, 0x48, 0x0f, 0xa2), 3);
	assert_int_equal(LEN(false, &cpuid_op, 0x48, 0x0f, 0xa2), -1);
	assert_int_equal(LEN(true, &cpuid_op, 0x40, 0x66, 0x41, 0x0f, 0xa2), 5);
}

static void test_fifteen_bytes(void **state)
{
	uint8_t c[16];

	memset(c, 0x66, sizeof(c));
	c[13] = 0x0f;
	c[14] = 0xa2;
	assert_int_equal(len_of(c, 15, true, &cpuid_op), 15);
	/* 14 prefixes + 2 opcode bytes = 16: not an instruction. */
	memset(c, 0x66, sizeof(c));
	c[14] = 0x0f;
	c[15] = 0xa2;
	assert_int_equal(len_of(c, 16, true, &cpuid_op), -1);
	/* All prefixes: no opcode within 15 bytes. */
	memset(c, 0x2e, sizeof(c));
	assert_int_equal(len_of(c, 16, true, &cpuid_op), -1);
}

static void test_wrong_or_short(void **state)
{
	assert_int_equal(LEN(true, &cpuid_op, 0x66, 0x0f, 0x31), -1);
	assert_int_equal(LEN(true, &cpuid_op, 0x66, 0x0f), -1);
	assert_int_equal(LEN(true, &hlt_op, 0x90), -1);
	/* VEX is not a prefix here. */
	assert_int_equal(LEN(true, &cpuid_op, 0xc5, 0x0f, 0xa2), -1);
	assert_int_equal(len_of(NULL, 0, true, &hlt_op), -1);
}

static void test_mov_cr_modrm(void **state)
{
	static const uint8_t c[] = { 0x66, 0x41, 0x0f, 0x22, 0xe3, 0xcc };
	static const uint8_t ign[] = { 0x0f, 0x22, 0x20 }; /* mod ignored */
	struct insn_info info;

	assert_int_equal(insn_len_known(c, sizeof(c), true, &mov_cr_op, &info),
			 0);
	assert_int_equal(info.len, 5);
	assert_int_equal(info.rex, 0x41);
	assert_int_equal(info.modrm, 0xe3); /* CR4 <- r11 */
	assert_int_equal(
		insn_len_known(ign, sizeof(ign), true, &mov_cr_op, &info), 0);
	assert_int_equal(info.len, 3);
	assert_int_equal(info.rex, 0);
	/* REX then a legacy prefix: the REX does not count. */
	static const uint8_t r2[] = { 0x41, 0x66, 0x0f, 0x22, 0xe3 };
	assert_int_equal(
		insn_len_known(r2, sizeof(r2), true, &mov_cr_op, &info), 0);
	assert_int_equal(info.rex, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_rex),
		cmocka_unit_test(test_fifteen_bytes),
		cmocka_unit_test(test_wrong_or_short),
		cmocka_unit_test(test_mov_cr_modrm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
