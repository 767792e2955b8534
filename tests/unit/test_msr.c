// SPDX-License-Identifier: MIT
/*
 * The MSR table (vmm/msr_policy.c) and the virtual MTRRs (vmm/mtrr.c),
 * and docs/msr.md generated from both tables. The MSRs Linux 6.1 reads
 * or writes without a fault handler (rdmsr/wrmsr, not the _safe forms)
 * on each vendor must be in the table: each would otherwise be an
 * "unchecked MSR access error" in the guest's log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/doc_table.h"
#include "vmm/msr_bitmap.h"
#include "vmm/msr_policy.h"
#include "vmm/mtrr.h"

struct linux_msr {
	uint32_t msr;
	const char *where;
};

/* arch/x86/kernel/cpu/{common,intel,amd}.c, microcode/, mtrr/generic.c,
 * feat_ctl.c, bugs.c, apic/, arch/x86/pci/amd_bus.c of Linux 6.1, with
 * the CPUID x2hv offers (docs/cpuid.md). */
static const struct linux_msr linux_both[] = {
	{ 0x10, "TSC (tsc.c)" },
	{ 0x1b, "APIC_BASE (apic.c)" },
	{ 0x8b, "microcode revision (intel.c, amd.c)" },
	{ 0xfe, "MTRRCAP (mtrr/generic.c)" },
	{ 0x200, "MTRR_PHYSBASE0 (mtrr/generic.c)" },
	{ 0x20f, "MTRR_PHYSMASK7" },
	{ 0x250, "MTRR_FIX64K_00000" },
	{ 0x258, "MTRR_FIX16K_80000" },
	{ 0x259, "MTRR_FIX16K_A0000" },
	{ 0x268, "MTRR_FIX4K_C0000" },
	{ 0x26f, "MTRR_FIX4K_F8000" },
	{ 0x277, "PAT (pat/memtype.c)" },
	{ 0x2ff, "MTRR_DEF_TYPE" },
	{ 0x10a, "ARCH_CAPABILITIES (bugs.c, common.c)" },
	{ 0xbd, "XAPIC_DISABLE_STATUS (apic.c)" },
	{ 0x3b, "TSC_ADJUST (tsc_sync.c)" },
	{ 0x6e0, "TSC_DEADLINE (apic.c)" },
	{ 0x802, "x2APIC ID" },
	{ 0xc0000080, "EFER" },
};

static const struct linux_msr linux_intel[] = {
	{ 0x17, "PLATFORM_ID (microcode/intel.c)" },
	{ 0x3a, "FEATURE_CONTROL (feat_ctl.c)" },
	{ 0x1a0, "MISC_ENABLE (intel.c)" },
	{ 0xce, "PLATFORM_INFO (intel.c, tsc_msr.c)" },
};

static const struct linux_msr linux_amd[] = {
	{ 0xc0010010, "SYSCFG (mtrr/generic.c k8_check_syscfg_dram_mod_en)" },
	{ 0xc001001f, "NB_CFG (pci/amd_bus.c amd_bus_cpu_online)" },
	{ 0xc0010015, "HWCR (amd.c)" },
	{ 0xc0010055, "INT_PENDING (process.c amd_e400)" },
	{ 0xc0011029, "DE_CFG (amd.c)" },
};

static void check_found(const struct linux_msr *t, unsigned int n, bool amd)
{
	for (unsigned int i = 0; i < n; i++)
		if (!msr_rule_find(t[i].msr, amd))
			fail_msg("%s MSR %x (%s) is not in the table",
				 amd ? "AMD" : "Intel", t[i].msr, t[i].where);
}

static void test_linux_msrs(void **state)
{
	check_found(linux_both, sizeof(linux_both) / sizeof(linux_both[0]),
		    true);
	check_found(linux_both, sizeof(linux_both) / sizeof(linux_both[0]),
		    false);
	check_found(linux_intel, sizeof(linux_intel) / sizeof(linux_intel[0]),
		    false);
	check_found(linux_amd, sizeof(linux_amd) / sizeof(linux_amd[0]), true);
}

/* A vendor's own MSRs fault on the other vendor, as on hardware. */
static void test_vendor(void **state)
{
	assert_null(msr_rule_find(0xc001001f, false));
	assert_null(msr_rule_find(0xc0010000, false));
	assert_null(msr_rule_find(0xce, true));
	assert_null(msr_rule_find(0x1a0, true));
	assert_null(msr_rule_find(0x12345678, true));
	assert_null(msr_rule_find(0x210, false)); /* past 8 variable MTRRs */
	assert_null(msr_rule_find(0x48, false)); /* no SPEC_CTRL */
}

static void test_table_sane(void **state)
{
	for (unsigned int i = 0; i < msr_rules_count; i++) {
		const struct msr_rule *a = &msr_rules[i];

		assert_true(a->first <= a->last);
		assert_true(a->name && a->name[0] && a->why && a->why[0]);
		assert_true((a->how == MSR_EMULATED) == (a->emu != EMU_NONE));
		for (unsigned int j = i + 1; j < msr_rules_count; j++) {
			const struct msr_rule *b = &msr_rules[j];

			if (a->first <= b->last && b->first <= a->last)
				fail_msg("%s and %s overlap", a->name, b->name);
		}
	}
}

static void test_mtrr_reset(void **state)
{
	struct vmtrr m;
	uint64_t v;

	mtrr_reset(&m);
	assert_int_equal(mtrr_rdmsr(&m, 0xfe, &v), 0);
	assert_int_equal(v, 0x508); /* VCNT 8, FIX, WC */
	assert_int_equal(mtrr_rdmsr(&m, 0x2ff, &v), 0);
	assert_int_equal(v, 0x806); /* E, write-back, fixed ranges off */
	for (uint32_t msr = 0x200; msr < 0x210; msr++) {
		assert_int_equal(mtrr_rdmsr(&m, msr, &v), 0);
		assert_int_equal(v, 0);
	}
	assert_int_equal(mtrr_rdmsr(&m, 0x250, &v), 0);
	assert_int_equal(v, 0);
	assert_false(mtrr_msr(0x210));
	assert_false(mtrr_msr(0x251));
	assert_false(mtrr_msr(0x260));
	assert_true(mtrr_msr(0x26f));
}

/* SDM vol. 3A 13.11: types 0, 1, 4, 5, 6; reserved bits #GP. */
static void test_mtrr_writes(void **state)
{
	struct vmtrr m;
	uint64_t v;
	const unsigned int pb = 39;

	mtrr_reset(&m);
	assert_int_equal(mtrr_wrmsr(&m, 0xfe, 0x508, pb), -1);
	assert_int_equal(mtrr_wrmsr(&m, 0x2ff, 0xc00, pb), 0); /* UC, FE */
	assert_int_equal(mtrr_rdmsr(&m, 0x2ff, &v), 0);
	assert_int_equal(v, 0xc00);
	assert_int_equal(mtrr_wrmsr(&m, 0x2ff, 0x802, pb), -1); /* type 2 */
	assert_int_equal(mtrr_wrmsr(&m, 0x2ff, 0x807, pb), -1); /* type 7 */
	assert_int_equal(mtrr_wrmsr(&m, 0x2ff, 0x1806, pb), -1); /* bit 12 */
	assert_int_equal(mtrr_wrmsr(&m, 0x2ff, 0x100, pb), -1); /* bit 8 */
	assert_int_equal(mtrr_rdmsr(&m, 0x2ff, &v), 0);
	assert_int_equal(v, 0xc00); /* refused writes change nothing */
	/* Fixed ranges: eight type bytes. */
	assert_int_equal(mtrr_wrmsr(&m, 0x259, 0x0606060606060606ull, pb), 0);
	assert_int_equal(mtrr_wrmsr(&m, 0x259, 0x0606060603060606ull, pb), -1);
	assert_int_equal(mtrr_wrmsr(&m, 0x26f, 0x0500000000000001ull, pb), 0);
	assert_int_equal(mtrr_rdmsr(&m, 0x26f, &v), 0);
	assert_int_equal(v, 0x0500000000000001ull);
	/* PHYSBASE: type 7:0, 11:8 reserved, base below MAXPHYADDR. */
	assert_int_equal(mtrr_wrmsr(&m, 0x202, 0xc0000000ull | 0, pb), 0);
	assert_int_equal(mtrr_wrmsr(&m, 0x202, 0xc0000100ull, pb), -1);
	assert_int_equal(mtrr_wrmsr(&m, 0x202, 0xc0000003ull, pb), -1);
	assert_int_equal(mtrr_wrmsr(&m, 0x202, 1ull << pb, pb), -1);
	assert_int_equal(mtrr_wrmsr(&m, 0x202, (1ull << pb) - 0x1000, pb), 0);
	/* PHYSMASK: V in bit 11, 10:0 reserved. */
	assert_int_equal(mtrr_wrmsr(&m, 0x203, 0x7fc0000800ull, pb), 0);
	assert_int_equal(mtrr_wrmsr(&m, 0x203, 0x7fc0000400ull, pb), -1);
	assert_int_equal(mtrr_wrmsr(&m, 0x203, 0x8000000800ull, pb), -1);
	assert_int_equal(mtrr_rdmsr(&m, 0x203, &v), 0);
	assert_int_equal(v, 0x7fc0000800ull);
}

static const char *const vendors[] = { "any", "Intel", "AMD" };
static const char *const hows[] = { "read-only", "read-as-value, write-ignored",
				    "read-only; the same value may be written",
				    "emulated" };

static size_t range(char *out, size_t room, uint32_t first, uint32_t last)
{
	if (first == last)
		return snprintf(out, room, "%#x", first);
	return snprintf(out, room, "%#x-%#x", first, last);
}

/* docs/msr.md: the intercepted MSRs x2hv answers, then the ones passed
 * through, each generated from its table. */
static void test_docs_tables(void **state)
{
	static char rows[16384];
	size_t n = 0;

	n += snprintf(rows + n, sizeof(rows) - n,
		      "| MSR | name | vendor | reads / writes | value | why |\n"
		      "| --- | --- | --- | --- | --- | --- |\n");
	for (unsigned int i = 0; i < msr_rules_count; i++) {
		const struct msr_rule *r = &msr_rules[i];

		n += snprintf(rows + n, sizeof(rows) - n, "| ");
		n += range(rows + n, sizeof(rows) - n, r->first, r->last);
		n += snprintf(rows + n, sizeof(rows) - n, " | %s | %s | %s | ",
			      r->name, vendors[r->vendor], hows[r->how]);
		if (r->how == MSR_EMULATED)
			n += snprintf(rows + n, sizeof(rows) - n, "-");
		else
			n += snprintf(rows + n, sizeof(rows) - n, "%#llx",
				      (unsigned long long)r->value);
		n += snprintf(rows + n, sizeof(rows) - n, " | %s |\n", r->why);
	}
	assert_true(n < sizeof(rows));
	assert_int_equal(doc_table_check("docs/msr.md", "msr_rules", rows), 0);

	n = snprintf(rows, sizeof(rows),
		     "| MSR | reads | writes |\n"
		     "| --- | --- | --- |\n");
	for (unsigned int i = 0; i < msr_passthrough_count; i++) {
		const struct msr_pass *p = &msr_passthrough[i];

		n += snprintf(rows + n, sizeof(rows) - n, "| %#x | %s | %s |\n",
			      p->msr, p->how & MSR_PASS_R ? "guest" : "exit",
			      p->how & MSR_PASS_W ? "guest" : "exit");
	}
	assert_int_equal(
		doc_table_check("docs/msr.md", "msr_passthrough", rows), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_msrs),
		cmocka_unit_test(test_vendor),
		cmocka_unit_test(test_table_sane),
		cmocka_unit_test(test_mtrr_reset),
		cmocka_unit_test(test_mtrr_writes),
		cmocka_unit_test(test_docs_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
