// SPDX-License-Identifier: MIT
/*
 * The guest's CPUID (vmm/cpuid_policy.c) from made-up host leaves. The
 * list of what must never be offered is written here from the manuals,
 * independently of the policy's own table: features whose instruction
 * x2hv intercepts or does not enable (the guest would get #UD) and those
 * whose MSRs or machinery it does not virtualize.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/doc_table.h"
#include "vmm/cpuid_policy.h"

struct feature {
	uint32_t leaf, sub;
	enum cpuid_reg reg;
	unsigned int bit;
	const char *name;
};

/* Intel SDM vol. 2A table 3-8 (CPUID), AMD APM vol. 3 appendix E. */
static const struct feature never[] = {
	{ 1, 0, CPUID_ECX, 3, "MONITOR/MWAIT (intercepted)" },
	{ 1, 0, CPUID_ECX, 5, "VMX" },
	{ 1, 0, CPUID_ECX, 6, "SMX (GETSEC)" },
	{ 1, 0, CPUID_ECX, 2, "DTES64" },
	{ 1, 0, CPUID_ECX, 4, "DS-CPL" },
	{ 1, 0, CPUID_ECX, 7, "EIST" },
	{ 1, 0, CPUID_ECX, 8, "TM2" },
	{ 1, 0, CPUID_ECX, 11, "SDBG" },
	{ 1, 0, CPUID_ECX, 15, "PDCM" },
	{ 1, 0, CPUID_ECX, 18, "DCA" },
	{ 1, 0, CPUID_EDX, 7, "MCE" },
	{ 1, 0, CPUID_EDX, 14, "MCA" },
	{ 1, 0, CPUID_EDX, 18, "PSN" },
	{ 1, 0, CPUID_EDX, 21, "DS" },
	{ 1, 0, CPUID_EDX, 22, "ACPI thermal MSRs" },
	{ 1, 0, CPUID_EDX, 28, "HTT" },
	{ 1, 0, CPUID_EDX, 29, "TM" },
	{ 1, 0, CPUID_EDX, 31, "PBE" },
	{ 7, 0, CPUID_EBX, 2, "SGX" },
	{ 7, 0, CPUID_EBX, 10, "INVPCID (not enabled on VMX)" },
	{ 7, 0, CPUID_EBX, 12, "RDT-M" },
	{ 7, 0, CPUID_EBX, 14, "MPX" },
	{ 7, 0, CPUID_EBX, 15, "RDT-A" },
	{ 7, 0, CPUID_EBX, 25, "Intel PT" },
	{ 7, 0, CPUID_ECX, 5, "WAITPKG (not enabled on VMX)" },
	{ 7, 0, CPUID_ECX, 7, "CET_SS" },
	{ 7, 0, CPUID_ECX, 23, "Key Locker" },
	{ 7, 0, CPUID_ECX, 24, "BUS_LOCK_DETECT (IA32_DEBUGCTL)" },
	{ 7, 0, CPUID_ECX, 29, "ENQCMD" },
	{ 7, 0, CPUID_ECX, 30, "SGX_LC" },
	{ 7, 0, CPUID_ECX, 31, "PKS" },
	{ 7, 0, CPUID_EDX, 5, "UINTR" },
	{ 7, 0, CPUID_EDX, 9, "SRBDS_CTRL (IA32_MCU_OPT_CTRL)" },
	{ 7, 0, CPUID_EDX, 13, "TSX_FORCE_ABORT" },
	{ 7, 0, CPUID_EDX, 19, "ARCH_LBR" },
	{ 7, 0, CPUID_EDX, 18, "PCONFIG" },
	{ 7, 0, CPUID_EDX, 20, "CET_IBT" },
	{ 7, 0, CPUID_EDX, 26, "IBRS/IBPB" },
	{ 7, 0, CPUID_EDX, 27, "STIBP" },
	{ 7, 0, CPUID_EDX, 28, "L1D_FLUSH" },
	{ 7, 0, CPUID_EDX, 30, "CORE_CAPABILITIES" },
	{ 7, 0, CPUID_EDX, 31, "SSBD" },
	{ 0xd, 1, CPUID_EAX, 3, "XSAVES (no IA32_XSS)" },
	{ 0xd, 1, CPUID_EAX, 4, "XFD (no IA32_XFD)" },
	{ 0x80000001, 0, CPUID_ECX, 2, "SVM" },
	{ 0x80000001, 0, CPUID_ECX, 3, "ExtApicSpace" },
	{ 0x80000001, 0, CPUID_ECX, 10, "IBS" },
	{ 0x80000001, 0, CPUID_ECX, 12, "SKINIT (intercepted)" },
	{ 0x80000001, 0, CPUID_ECX, 13, "WDT" },
	{ 0x80000001, 0, CPUID_ECX, 15, "LWP" },
	{ 0x80000001, 0, CPUID_ECX, 17, "TCE (EFER bit not writable)" },
	{ 0x80000001, 0, CPUID_ECX, 19, "NodeId MSR" },
	{ 0x80000001, 0, CPUID_ECX, 22, "TopologyExtensions" },
	{ 0x80000001, 0, CPUID_ECX, 23, "PerfCtrExtCore" },
	{ 0x80000001, 0, CPUID_ECX, 24, "PerfCtrExtNB" },
	{ 0x80000001, 0, CPUID_ECX, 26, "DataBreakpointExtension" },
	{ 0x80000001, 0, CPUID_ECX, 27, "PerfTsc" },
	{ 0x80000001, 0, CPUID_ECX, 28, "PerfCtrExtLLC" },
	{ 0x80000001, 0, CPUID_ECX, 29, "MONITORX/MWAITX (intercepted)" },
	{ 0x80000001, 0, CPUID_EDX, 25, "FFXSR (EFER bit not writable)" },
	{ 0x80000008, 0, CPUID_EBX, 4, "RDPRU (intercepted)" },
	{ 0x80000008, 0, CPUID_EBX, 3, "INVLPGB" },
};

/* Offered whatever the host says (the x2APIC design, the clock). */
static const struct feature always[] = {
	{ 1, 0, CPUID_ECX, 21, "x2APIC" },
	{ 1, 0, CPUID_ECX, 24, "TSC deadline" },
	{ 1, 0, CPUID_ECX, 31, "hypervisor" },
	{ 1, 0, CPUID_EDX, 9, "APIC" },
	{ 1, 0, CPUID_EDX, 12, "MTRR (virtual MTRRs)" },
	{ 7, 0, CPUID_EBX, 1, "TSC_ADJUST (emulated)" },
	{ 7, 0, CPUID_EDX, 29, "ARCH_CAPABILITIES (the x2APIC lock)" },
	{ 0x80000007, 0, CPUID_EDX, 8, "invariant TSC" },
};

static struct cpuid_ctx ctx(void)
{
	struct cpuid_ctx c = {
		.vcpu_id = 1,
		.nr_vcpus = 3,
		.host_max_basic = 0x20,
		.host_max_ext = 0x80000021,
		.amd = true,
		.rdtscp = true,
	};
	return c;
}

static uint32_t reg(const struct cpuid_regs *r, enum cpuid_reg g)
{
	const uint32_t v[] = { r->eax, r->ebx, r->ecx, r->edx };

	return v[g];
}

/* The guest's leaf when the host sets every bit (or none). */
static struct cpuid_regs guest(const struct cpuid_ctx *c, uint32_t leaf,
			       uint32_t sub, uint32_t host)
{
	struct cpuid_regs r = { host, host, host, host };

	cpuid_guest_leaf(c, leaf, sub, &r);
	return r;
}

static void check(const struct feature *f, unsigned int n, bool want,
		  const struct cpuid_ctx *c, uint32_t host)
{
	for (unsigned int i = 0; i < n; i++) {
		struct cpuid_regs r = guest(c, f[i].leaf, f[i].sub, host);
		bool got = reg(&r, f[i].reg) & (1u << f[i].bit);

		if (got != want)
			fail_msg("%s (leaf %x.%u bit %u): %s", f[i].name,
				 f[i].leaf, f[i].sub, f[i].bit,
				 want ? "missing" : "offered");
	}
}

static void test_never_offered(void **state)
{
	struct cpuid_ctx c = ctx();

	check(never, sizeof(never) / sizeof(never[0]), false, &c, ~0u);
	c.amd = false;
	check(never, sizeof(never) / sizeof(never[0]), false, &c, ~0u);
}

static void test_always_offered(void **state)
{
	struct cpuid_ctx c = ctx();

	check(always, sizeof(always) / sizeof(always[0]), true, &c, 0);
	check(always, sizeof(always) / sizeof(always[0]), true, &c, ~0u);
}

static void test_rdtscp_follows_backend(void **state)
{
	struct cpuid_ctx c = ctx();
	const struct feature f[] = {
		{ 0x80000001, 0, CPUID_EDX, 27, "RDTSCP" },
		{ 7, 0, CPUID_ECX, 22, "RDPID" },
	};

	check(f, 2, true, &c, ~0u);
	c.rdtscp = false; /* VMX without "enable RDTSCP": they would #UD */
	check(f, 2, false, &c, ~0u);
}

static void test_os_bits_mirror_cr4(void **state)
{
	struct cpuid_ctx c = ctx();
	const struct feature f[] = {
		{ 1, 0, CPUID_ECX, 27, "OSXSAVE" },
		{ 7, 0, CPUID_ECX, 4, "OSPKE" },
	};

	check(f, 2, false, &c, ~0u); /* the host's CR4 does not leak */
	c.guest_osxsave = c.guest_pke = true;
	check(f, 2, true, &c, 0);
}

/* Leaves with nothing behind them read 0 (Linux prefers 0x1f to 0xb). */
static void test_hidden_leaves(void **state)
{
	const uint32_t zero[] = {
		3,	    5,		6,	    0xa,	0xf,
		0x10,	    0x12,	0x14,	    0x1a,	0x1b,
		0x1f,	    0x20,	0x80000009, 0x8000000a, 0x8000001b,
		0x8000001d, 0x8000001e, 0x8000001f, 0x80000021
	};
	struct cpuid_ctx c = ctx();

	for (unsigned int i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
		struct cpuid_regs r = guest(&c, zero[i], 0, ~0u);

		if (r.eax | r.ebx | r.ecx | r.edx)
			fail_msg("leaf %x is not 0", zero[i]);
	}
	/* Sub-leaves of 7 beyond 0 do not exist, and 7.0 says so. */
	assert_int_equal(guest(&c, 7, 0, ~0u).eax, 0);
	assert_int_equal(guest(&c, 7, 1, ~0u).eax, 0);
	/* Beyond the host's maximum. */
	c.host_max_basic = 0xd;
	assert_int_equal(guest(&c, 0x15, 0, ~0u).eax, 0);
}

/* Three vCPUs: cores 0-2 of one package, two APIC ID bits for cores. */
static void test_topology(void **state)
{
	struct cpuid_ctx c = ctx();
	struct cpuid_regs r;

	r = guest(&c, 0xb, 1, ~0u);
	assert_int_equal(r.eax, 2);
	assert_int_equal(r.ebx, 3);
	assert_int_equal(r.edx, 1);
	r = guest(&c, 1, 0, ~0u);
	assert_int_equal(r.ebx >> 24, 1); /* initial APIC ID */
	assert_int_equal((r.ebx >> 16) & 0xff, 1); /* no HTT */
	r = guest(&c, 0x80000008, 0, ~0u);
	assert_int_equal(r.ecx, (2u << 12) | 2); /* ApicIdSize, NC */
	c.amd = false;
	assert_int_equal(guest(&c, 0x80000008, 0, ~0u).ecx, 0);
	/* Leaf 4, L1 data cache (type 1, level 1) and L3 (level 3). */
	r = (struct cpuid_regs){ 0xffffc000u | (1 << 5) | 1, 0, 0, 0 };
	cpuid_guest_leaf(&c, 4, 0, &r);
	assert_int_equal(r.eax >> 26, 3);
	assert_int_equal((r.eax >> 14) & 0xfff, 0);
	r = (struct cpuid_regs){ 0xffffc000u | (3 << 5) | 3, 0, 0, 0 };
	cpuid_guest_leaf(&c, 4, 3, &r);
	assert_int_equal((r.eax >> 14) & 0xfff, 3);
}

/* docs/cpuid.md lists the policy's hidden features, generated here. */
static void test_docs_table(void **state)
{
	static const char *const regs[] = { "EAX", "EBX", "ECX", "EDX" };
	static char rows[8192];
	size_t n = 0;

	n += snprintf(rows + n, sizeof(rows) - n,
		      "| leaf | register | bits | hidden because |\n"
		      "| --- | --- | --- | --- |\n");
	for (unsigned int i = 0; i < cpuid_hidden_count; i++) {
		const struct cpuid_hidden *h = &cpuid_hidden[i];
		const char *sep = "";

		n += snprintf(rows + n, sizeof(rows) - n, "| %#x | %s | ",
			      h->leaf, regs[h->reg]);
		for (unsigned int b = 0; b < 32; b++) {
			if (!(h->mask & (1u << b)))
				continue;
			n += snprintf(rows + n, sizeof(rows) - n, "%s%u", sep,
				      b);
			sep = ", ";
		}
		n += snprintf(rows + n, sizeof(rows) - n, " | %s |\n", h->what);
	}
	assert_true(n < sizeof(rows));
	assert_int_equal(doc_table_check("docs/cpuid.md", "cpuid_hidden", rows),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_offered),
		cmocka_unit_test(test_always_offered),
		cmocka_unit_test(test_rdtscp_follows_backend),
		cmocka_unit_test(test_os_bits_mirror_cr4),
		cmocka_unit_test(test_hidden_leaves),
		cmocka_unit_test(test_topology),
		cmocka_unit_test(test_docs_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
