// SPDX-License-Identifier: MIT
/* Control-register and EFER write checks (vmm/cr_policy.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vmm/cr_policy.h"

#define CR0_PE 0x1ull
#define CR0_ET 0x10ull
#define CR0_NE 0x20ull
#define CR0_WP 0x10000ull
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_MCE (1ull << 6)
#define CR4_PGE (1ull << 7)
#define CR4_LA57 (1ull << 12)
#define CR4_VMXE (1ull << 13)
#define CR4_PCIDE (1ull << 17)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_CET (1ull << 23)
#define EFER_SCE 0x1ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull
#define EFER_NXE 0x800ull
#define EFER_SVME 0x1000ull

/* A typical x86-64 guest view: PAE, PGE, PSE..., no MCE, no VMX. */
static const struct cr_cpuid cpu = {
	.l1_ecx = (1u << 17) | (1u << 26), /* PCID, XSAVE */
	.l1_edx = 0x0781a17fu & ~(1u << 7), /* no MCE */
	.l7_ebx = (1u << 0) | (1u << 7) | (1u << 20),
	.l7_ecx = (1u << 7), /* CET_SS */
	.e1_edx = (1u << 11) | (1u << 20) | (1u << 29),
};

static const struct cr_state long_mode = {
	.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG,
	.cr3 = 0x1000,
	.cr4 = CR4_PAE | CR4_PGE,
	.efer = EFER_LME | EFER_LMA | EFER_SCE,
	.cs_l = true,
};

static void test_cr4_allowed_from_cpuid(void **state)
{
	struct cr_policy p;
	uint64_t out;

	cr_policy_init(&p, &cpu);
	assert_true(p.cr4_allowed & CR4_PAE);
	assert_true(p.cr4_allowed & CR4_OSXSAVE);
	assert_false(p.cr4_allowed & CR4_MCE); /* hidden */
	assert_false(p.cr4_allowed & CR4_VMXE); /* VMX hidden */
	assert_false(p.cr4_allowed & (1ull << 15)); /* reserved */
	assert_false(p.cr4_allowed & (1ull << 32));
	assert_int_equal(cr4_write_check(&p, &long_mode,
					 long_mode.cr4 | CR4_VMXE, &out),
			 -1);
	assert_int_equal(cr4_write_check(&p, &long_mode,
					 long_mode.cr4 | CR4_MCE, &out),
			 -1);
	assert_int_equal(cr4_write_check(&p, &long_mode,
					 long_mode.cr4 | CR4_OSXSAVE, &out),
			 0);
	assert_int_equal(out, long_mode.cr4 | CR4_OSXSAVE);
}

static void test_cr4_rules(void **state)
{
	struct cr_policy p;
	struct cr_state s = long_mode;
	uint64_t out;

	cr_policy_init(&p, &cpu);
	p.cr4_allowed |= CR4_LA57;
	/* PAE stays on, LA57 stays put in IA-32e mode. */
	assert_int_equal(cr4_write_check(&p, &s, CR4_PGE, &out), -1);
	assert_int_equal(cr4_write_check(&p, &s, s.cr4 | CR4_LA57, &out), -1);
	/* PCIDE needs IA-32e mode and CR3[11:0] = 0. */
	s.cr3 = 0x1001;
	assert_int_equal(cr4_write_check(&p, &s, s.cr4 | CR4_PCIDE, &out), -1);
	s.cr3 = 0x1000;
	assert_int_equal(cr4_write_check(&p, &s, s.cr4 | CR4_PCIDE, &out), 0);
	/* CET needs CR0.WP. */
	s.cr0 &= ~CR0_WP;
	assert_int_equal(cr4_write_check(&p, &s, s.cr4 | CR4_CET, &out), -1);
	s.cr0 |= CR0_WP;
	assert_int_equal(cr4_write_check(&p, &s, s.cr4 | CR4_CET, &out), 0);
	/* Outside IA-32e mode: PAE may go, PCIDE may not come. */
	s.efer = 0;
	s.cr0 = CR0_PE | CR0_ET;
	assert_int_equal(cr4_write_check(&p, &s, 0, &out), 0);
	assert_int_equal(cr4_write_check(&p, &s, CR4_PCIDE, &out), -1);
}

static void test_cr0_rules(void **state)
{
	struct cr_state s = long_mode;
	uint64_t out;

	assert_int_equal(cr0_write_check(&s, s.cr0 | (1ull << 32), &out), -1);
	assert_int_equal(cr0_write_check(&s, (s.cr0 | CR0_NW) & ~CR0_CD, &out),
			 -1);
	assert_int_equal(cr0_write_check(&s, s.cr0 & ~CR0_PE, &out), -1);
	assert_int_equal(cr0_write_check(&s, s.cr0 & ~CR0_PG, &out), -1);
	/* Compatibility mode may leave paging, unless PCIDE is on. */
	s.cs_l = false;
	assert_int_equal(cr0_write_check(&s, s.cr0 & ~CR0_PG, &out), 0);
	s.cr4 |= CR4_PCIDE;
	assert_int_equal(cr0_write_check(&s, s.cr0 & ~CR0_PG, &out), -1);
	/* Valid, reserved low bits ignored, ET forced. */
	s = long_mode;
	assert_int_equal(
		cr0_write_check(
			&s, (s.cr0 | CR0_CD | CR0_NW | (1ull << 20)) & ~CR0_ET,
			&out),
		0);
	assert_int_equal(out, s.cr0 | CR0_CD | CR0_NW);
	/* Entering IA-32e mode needs PAE. */
	s.cr0 = CR0_PE | CR0_ET;
	s.cr4 = 0;
	s.efer = EFER_LME;
	assert_int_equal(cr0_write_check(&s, s.cr0 | CR0_PG, &out), -1);
	s.cr4 = CR4_PAE;
	assert_int_equal(cr0_write_check(&s, s.cr0 | CR0_PG, &out), 0);
	/* CET pins WP. */
	s = long_mode;
	s.cr4 |= CR4_CET;
	assert_int_equal(cr0_write_check(&s, s.cr0 & ~CR0_WP, &out), -1);
}

static void test_efer_rules(void **state)
{
	struct cr_policy p;
	struct cr_state s = long_mode;
	uint64_t out;

	cr_policy_init(&p, &cpu);
	assert_int_equal(p.efer_allowed, EFER_SCE | EFER_LME | EFER_NXE);
	/* LME cannot change while paging is on. */
	assert_int_equal(efer_write_check(&p, &s, s.efer & ~EFER_LME, &out),
			 -1);
	assert_int_equal(efer_write_check(&p, &s, s.efer | EFER_SVME, &out),
			 -1);
	assert_int_equal(efer_write_check(&p, &s, s.efer | (1ull << 1), &out),
			 -1);
	assert_int_equal(efer_write_check(&p, &s, s.efer | (1ull << 63), &out),
			 -1);
	/* LMA is read-only: writing it clear keeps it set. */
	assert_int_equal(
		efer_write_check(&p, &s, (s.efer | EFER_NXE) & ~EFER_LMA, &out),
		0);
	assert_int_equal(out, s.efer | EFER_NXE);
	/* With paging off LME may change; LMA cannot be set by a write. */
	s.cr0 = CR0_PE;
	s.efer = 0;
	assert_int_equal(efer_write_check(&p, &s, EFER_LME | EFER_LMA, &out),
			 0);
	assert_int_equal(out, EFER_LME);
	/* No NX in CPUID: NXE reserved. */
	struct cr_cpuid nonx = cpu;

	nonx.e1_edx &= ~(1u << 20);
	cr_policy_init(&p, &nonx);
	assert_int_equal(efer_write_check(&p, &s, EFER_NXE, &out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr4_allowed_from_cpuid),
		cmocka_unit_test(test_cr4_rules),
		cmocka_unit_test(test_cr0_rules),
		cmocka_unit_test(test_efer_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
