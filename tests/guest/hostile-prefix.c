// SPDX-License-Identifier: MIT
//! reject: x2hv: vm0: stopped
/*
 * Intercepted instructions with redundant legacy and REX prefixes
 * (Intel SDM Vol. 2A, 2.1.1 and 2.2.1; AMD APM Vol. 3, 1.2): after the
 * hypervisor handled them, the guest resumes right after the whole
 * instruction. On SVM without NRIP the hypervisor must find the length
 * itself; a fixed length would resume in the middle and execute the
 * instruction's tail as code.
 *
 * Each instruction is copied to the end of a 4 KiB page whose successor
 * is not present: the #PF on the next fetch tells where the guest
 * resumed (it must be the page boundary), and the exit counters tell how
 * often it exited.
 */
#include "tests/guest/lib/guest.h"

#define VEC 0x40
#define PERIOD 200000
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CR4_OSXSAVE (1ull << 18)
#define PORT_EMPTY 0x2f0
#define MAX_INSN 15

struct insn {
	const char *what;
	uint8_t len;
	uint8_t bytes[MAX_INSN + 1];
	uint32_t reason; /* exit counter that must move by exactly one */
};

#define CPUID_RAX 0

static const struct insn cpuids[] = {
	{ "cpuid", 2, { 0x0f, 0xa2 }, X2HV_EXIT_CPUID },
	{ "66 66 cpuid", 4, { 0x66, 0x66, 0x0f, 0xa2 }, X2HV_EXIT_CPUID },
	{ "2e cpuid", 3, { 0x2e, 0x0f, 0xa2 }, X2HV_EXIT_CPUID },
	{ "REX.W cpuid", 3, { 0x48, 0x0f, 0xa2 }, X2HV_EXIT_CPUID },
	{ "67 f3 cpuid", 4, { 0x67, 0xf3, 0x0f, 0xa2 }, X2HV_EXIT_CPUID },
	{ "26 36 3e 64 65 REX cpuid",
	  8,
	  { 0x26, 0x36, 0x3e, 0x64, 0x65, 0x40, 0x0f, 0xa2 },
	  X2HV_EXIT_CPUID },
	{ "13 prefixes + cpuid (15 bytes)",
	  15,
	  { 0x66, 0x67, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65, 0x66, 0x67, 0x2e,
	    0xf3, 0x41, 0x0f, 0xa2 },
	  X2HV_EXIT_CPUID },
};

/* Two CPUIDs, then one prefixed CPUID written over them, at the same
 * address: a length kept by address (SVM without NRIP caches the last
 * ones, arch/x86/svm/svm_insn.h) must not outlive the bytes. */
static const uint8_t two_cpuids[] = { 0x0f, 0xa2, 0x0f, 0xa2 };
static const struct insn rewritten[] = {
	{ "66 66 cpuid written over cpuid; cpuid",
	  4,
	  { 0x66, 0x66, 0x0f, 0xa2 },
	  X2HV_EXIT_CPUID },
};

static const struct insn msrs[] = {
	{ "66 rdmsr", 3, { 0x66, 0x0f, 0x32 }, X2HV_EXIT_RDMSR },
	{ "2e 3e REX.W rdmsr",
	  5,
	  { 0x2e, 0x3e, 0x48, 0x0f, 0x32 },
	  X2HV_EXIT_RDMSR },
	{ "2e wrmsr", 3, { 0x2e, 0x0f, 0x30 }, X2HV_EXIT_WRMSR },
	{ "66 64 wrmsr", 4, { 0x66, 0x64, 0x0f, 0x30 }, X2HV_EXIT_WRMSR },
};

static const struct insn io[] = {
	{ "2e in al, dx", 2, { 0x2e, 0xec }, X2HV_EXIT_IO },
	{ "66 in ax, dx", 2, { 0x66, 0xed }, X2HV_EXIT_IO },
};

static const struct insn hc_amd[] = {
	{ "2e vmmcall", 4, { 0x2e, 0x0f, 0x01, 0xd9 }, X2HV_EXIT_HYPERCALL },
	{ "3e 66 vmmcall",
	  5,
	  { 0x3e, 0x66, 0x0f, 0x01, 0xd9 },
	  X2HV_EXIT_HYPERCALL },
};

static const struct insn hc_intel[] = {
	{ "2e vmcall", 4, { 0x2e, 0x0f, 0x01, 0xc1 }, X2HV_EXIT_HYPERCALL },
	{ "3e 2e vmcall",
	  5,
	  { 0x3e, 0x2e, 0x0f, 0x01, 0xc1 },
	  X2HV_EXIT_HYPERCALL },
};

static const struct insn hlts[] = {
	{ "2e hlt", 2, { 0x2e, 0xf4 }, X2HV_EXIT_HLT },
	{ "3e 2e hlt", 3, { 0x3e, 0x2e, 0xf4 }, X2HV_EXIT_HLT },
};

static const struct insn xsetbvs[] = {
	{ "2e xsetbv", 4, { 0x2e, 0x0f, 0x01, 0xd1 }, X2HV_EXIT_XSETBV },
	{ "3e 26 xsetbv",
	  5,
	  { 0x3e, 0x26, 0x0f, 0x01, 0xd1 },
	  X2HV_EXIT_XSETBV },
};

static volatile unsigned int ticks;

static void handler(struct regs *r)
{
	ticks++;
	apic_eoi();
}

static unsigned int run(const struct insn *t, unsigned int n,
			struct insn_regs regs, bool sti)
{
	const uint64_t end = TEST_PAGE_VA + TEST_PAGE_SIZE;
	unsigned int bad = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct insn_regs r = regs;
		uint64_t e0 = exit_count(t[i].reason), e1, rip;

		rip = exec_at_page_end(t[i].bytes, t[i].len, &r, sti);
		e1 = exit_count(t[i].reason);
		/* Each exit_count() is one hypercall exit itself. */
		if (t[i].reason == X2HV_EXIT_HYPERCALL)
			e1--;
		/* QEMU TCG runs XSETBV without the intercept. */
		if (t[i].reason == X2HV_EXIT_XSETBV && e1 == e0) {
			printf("  %s: not intercepted on this CPU\n",
			       t[i].what);
			e1++;
		}
		if (rip != end || (x2hv_present() && e1 - e0 != 1)) {
			printf("  %s: resumed at %lx (want %lx), %lu exits\n",
			       t[i].what, rip, end, e1 - e0);
			bad++;
		}
	}
	return bad;
}

void test_main(void)
{
	struct insn_regs r = { 0 };
	uint32_t a, b, c, d;
	unsigned int bad;

	test_page_init();
	bad = run(cpuids, sizeof(cpuids) / sizeof(cpuids[0]), r, false);
	ok(!bad, "prefixed CPUID resumes after the instruction (%u bad)", bad);
	{
		struct insn_regs q = r;
		uint64_t e0 = exit_count(X2HV_EXIT_CPUID), n, rip;

		/* No other exit between the two: nothing evicts the first. */
		exec_at_page_end(two_cpuids, sizeof(two_cpuids), &q, false);
		q = r;
		rip = exec_at_page_end(rewritten[0].bytes, rewritten[0].len, &q,
				       false);
		n = exit_count(X2HV_EXIT_CPUID) - e0;
		ok(rip == TEST_PAGE_VA + TEST_PAGE_SIZE &&
			   (!x2hv_present() || n == 3),
		   "%s: resumes after it (%lu CPUID exits for 2 + 1)",
		   rewritten[0].what, n);
	}

	r.rcx = MSR_EFER;
	r.rax = (uint32_t)rdmsr(MSR_EFER);
	r.rdx = rdmsr(MSR_EFER) >> 32;
	bad = run(msrs, sizeof(msrs) / sizeof(msrs[0]), r, false);
	ok(!bad, "prefixed RDMSR/WRMSR of EFER resume after it (%u bad)", bad);

	r.rdx = PORT_EMPTY;
	bad = run(io, sizeof(io) / sizeof(io[0]), r, false);
	ok(!bad, "prefixed IN resumes after it (%u bad)", bad);

	if (x2hv_present()) {
		r.rax = X2HV_HC_VCPU_ID;
		bad = cpu_is_amd() ? run(hc_amd, 2, r, false) :
				     run(hc_intel, 2, r, false);
		ok(!bad, "prefixed VMMCALL/VMCALL resumes after it (%u bad)",
		   bad);
	}

	require_x2apic();
	set_handler(VEC, handler);
	apic_write(X2APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | VEC);
	apic_write(X2APIC_TMICT, PERIOD);
	bad = run(hlts, sizeof(hlts) / sizeof(hlts[0]), r, true);
	apic_write(X2APIC_TMICT, 0);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
	ok(!bad, "prefixed HLT resumes after it, once (%u bad, %u ticks)", bad,
	   ticks);

	cpuid(1, &a, &b, &c, &d);
	if (!(c & CPUID_1_ECX_XSAVE)) {
		skip("no XSAVE: prefixed XSETBV not tried");
		return;
	}
	write_cr4_safe(read_cr4() | CR4_OSXSAVE);
	r.rcx = 0;
	r.rax = 3;
	r.rdx = 0;
	bad = run(xsetbvs, sizeof(xsetbvs) / sizeof(xsetbvs[0]), r, false);
	ok(!bad, "prefixed XSETBV resumes after it (%u bad)", bad);
}
