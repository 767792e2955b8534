// SPDX-License-Identifier: MIT
/*
 * CPUID against the intercepts and the MSR table (issue 12, item 2;
 * docs/cpuid.md): every feature CPUID advertises must work. For each
 * feature bit below that is set, the instruction it announces runs
 * without a fault (after setting the CR4 or EFER bit it needs, which
 * must be accepted), and the MSRs it announces answer RDMSR (or a write
 * of 0 for the write-only ones) without #GP. A hidden feature is only
 * noted. Linux probes most of these at boot; on bochs-svm it died on
 * MWAITX, which CPUID offered while the intercept raised #UD.
 * Sources: Intel SDM vol. 2A (CPUID), vol. 4 (MSRs); AMD APM vol. 3
 * appendix E.
 */
#include "tests/guest/lib/guest.h"

enum {
	EAX,
	EBX,
	ECX,
	EDX
};

#define EFER 0xc0000080u
#define EFER_FFXSR (1ull << 14)
#define EFER_TCE (1ull << 15)
#define CR4_UMIP (1ull << 11)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_PKE (1ull << 22)

static uint8_t line[64] __attribute__((aligned(64)));
static uint64_t invpcid_desc[2] __attribute__((aligned(16)));

/* Run @insn with a fixup: 0 or FAULT(vector). */
#define TRY(insn, ...)                                                         \
	({                                                                     \
		this_cpu()->fault = 0;                                         \
		asm volatile("1: " insn "\n2:\n" EXTABLE(1b, 2b) __VA_ARGS__); \
		(int)this_cpu()->fault;                                        \
	})

static int run_monitor(void)
{
	return TRY("monitor %%rax, %%ecx, %%edx", ::"a"(line), "c"(0), "d"(0)
		   : "memory");
}

static int run_monitorx(void)
{
	return TRY("monitorx %%rax, %%ecx, %%edx", ::"a"(line), "c"(0), "d"(0)
		   : "memory");
}

static int run_rdtscp(void)
{
	return TRY("rdtscp", ::: "rax", "rcx", "rdx");
}

static int run_rdpid(void)
{
	return TRY("rdpid %%rax", ::: "rax");
}

static int run_rdrand(void)
{
	return TRY("rdrand %%rax", ::: "rax", "cc");
}

static int run_rdseed(void)
{
	return TRY("rdseed %%rax", ::: "rax", "cc");
}

static int run_clflushopt(void)
{
	return TRY("clflushopt (%%rax)", ::"a"(line) : "memory");
}

static int run_clwb(void)
{
	return TRY("clwb (%%rax)", ::"a"(line) : "memory");
}

static int run_umonitor(void)
{
	return TRY("umonitor %%rax", ::"a"(line) : "memory");
}

/* Type 2: every context, globals included (SDM vol. 2A, INVPCID). */
static int run_invpcid(void)
{
	return TRY("invpcid (%%rdi), %%rsi", ::"D"(invpcid_desc), "S"(2ull)
		   : "memory");
}

/* A CR4 bit the feature needs, then @insn; CR4 is restored. */
static int with_cr4(uint64_t bit, int (*insn)(void))
{
	uint64_t cr4;
	int f;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	f = write_cr4_safe(cr4 | bit);
	if (!f && insn)
		f = insn();
	write_cr4_safe(cr4);
	return f;
}

static int do_rdfsbase(void)
{
	return TRY("rdfsbase %%rax", ::: "rax");
}

static int do_xgetbv(void)
{
	return TRY("xgetbv", ::"c"(0) : "rax", "rdx");
}

static int do_rdpkru(void)
{
	return TRY("rdpkru", ::"c"(0) : "rax", "rdx");
}

static int run_fsgsbase(void)
{
	return with_cr4(CR4_FSGSBASE, do_rdfsbase);
}

static int run_xsave(void)
{
	return with_cr4(CR4_OSXSAVE, do_xgetbv);
}

static int run_pku(void)
{
	return with_cr4(CR4_PKE, do_rdpkru);
}

static int run_umip(void)
{
	return with_cr4(CR4_UMIP, NULL);
}

/* An EFER bit the feature makes writable; EFER is restored. */
static int with_efer(uint64_t bit)
{
	uint64_t efer = rdmsr(EFER);
	int f = wrmsr_safe(EFER, efer | bit);

	wrmsr_safe(EFER, efer);
	return f;
}

static int run_ffxsr(void)
{
	return with_efer(EFER_FFXSR);
}

static int run_tce(void)
{
	return with_efer(EFER_TCE);
}

#define WO 1 /* write-only MSR: a write of 0 instead of a read */

struct feature {
	uint32_t leaf, sub;
	uint8_t reg, bit;
	const char *name;
	int (*run)(void); /* NULL: none */
	uint32_t msr[2]; /* 0: none */
	int flags;
};

static const struct feature features[] = {
	{ 1, 0, ECX, 3, "MONITOR", run_monitor, { 0 }, 0 },
	{ 1, 0, ECX, 5, "VMX", NULL, { 0x3a, 0x480 }, 0 },
	{ 1, 0, ECX, 7, "EIST", NULL, { 0x198, 0x199 }, 0 },
	{ 1, 0, ECX, 15, "PDCM", NULL, { 0x345 }, 0 },
	{ 1, 0, ECX, 18, "DCA", NULL, { 0x1f8 }, 0 },
	{ 1, 0, ECX, 21, "x2APIC", NULL, { 0x802, 0x803 }, 0 },
	{ 1, 0, ECX, 24, "TSC deadline", NULL, { 0x6e0 }, 0 },
	{ 1, 0, ECX, 26, "XSAVE", run_xsave, { 0 }, 0 },
	{ 1, 0, ECX, 30, "RDRAND", run_rdrand, { 0 }, 0 },
	{ 1, 0, EDX, 5, "MSR (TSC)", NULL, { 0x10 }, 0 },
	{ 1, 0, EDX, 11, "SYSENTER", NULL, { 0x174, 0x176 }, 0 },
	{ 1, 0, EDX, 12, "MTRR", NULL, { 0xfe, 0x2ff }, 0 },
	{ 1, 0, EDX, 14, "MCA", NULL, { 0x179, 0x17a }, 0 },
	{ 1, 0, EDX, 16, "PAT", NULL, { 0x277 }, 0 },
	{ 1, 0, EDX, 21, "DS", NULL, { 0x600 }, 0 },
	{ 1, 0, EDX, 22, "ACPI (thermal)", NULL, { 0x19c }, 0 },
	{ 6, 0, ECX, 0, "APERF/MPERF", NULL, { 0xe7, 0xe8 }, 0 },
	{ 6, 0, EAX, 7, "HWP", NULL, { 0x770 }, 0 },
	{ 7, 0, EBX, 0, "FSGSBASE", run_fsgsbase, { 0 }, 0 },
	{ 7, 0, EBX, 1, "TSC_ADJUST", NULL, { 0x3b }, 0 },
	{ 7, 0, EBX, 10, "INVPCID", run_invpcid, { 0 }, 0 },
	{ 7, 0, EBX, 14, "MPX", NULL, { 0xd90 }, 0 },
	{ 7, 0, EBX, 18, "RDSEED", run_rdseed, { 0 }, 0 },
	{ 7, 0, EBX, 23, "CLFLUSHOPT", run_clflushopt, { 0 }, 0 },
	{ 7, 0, EBX, 24, "CLWB", run_clwb, { 0 }, 0 },
	{ 7, 0, EBX, 25, "Intel PT", NULL, { 0x570 }, 0 },
	{ 7, 0, ECX, 2, "UMIP", run_umip, { 0 }, 0 },
	{ 7, 0, ECX, 3, "PKU", run_pku, { 0 }, 0 },
	{ 7, 0, ECX, 5, "WAITPKG", run_umonitor, { 0xe1 }, 0 },
	{ 7, 0, ECX, 7, "CET shadow stacks", NULL, { 0x6a0, 0x6a2 }, 0 },
	{ 7, 0, ECX, 22, "RDPID", run_rdpid, { 0xc0000103 }, 0 },
	{ 7, 0, ECX, 31, "PKS", NULL, { 0x6e1 }, 0 },
	{ 7, 0, EDX, 9, "SRBDS_CTRL", NULL, { 0x123 }, 0 },
	{ 7, 0, EDX, 13, "TSX_FORCE_ABORT", NULL, { 0x10f }, 0 },
	{ 7, 0, EDX, 19, "arch LBR", NULL, { 0x14ce }, 0 },
	{ 7, 0, EDX, 20, "CET IBT", NULL, { 0x6a0, 0x6a2 }, 0 },
	{ 7, 0, EDX, 26, "IBRS/IBPB", NULL, { 0x48, 0x49 }, 0 },
	{ 7, 0, EDX, 27, "STIBP", NULL, { 0x48 }, 0 },
	{ 7, 0, EDX, 28, "L1D_FLUSH", NULL, { 0x10b }, WO },
	{ 7, 0, EDX, 29, "ARCH_CAPABILITIES", NULL, { 0x10a }, 0 },
	{ 7, 0, EDX, 30, "CORE_CAPABILITIES", NULL, { 0xcf }, 0 },
	{ 7, 0, EDX, 31, "SSBD", NULL, { 0x48 }, 0 },
	{ 0xd, 1, EAX, 3, "XSAVES", NULL, { 0xda0 }, 0 },
	{ 0xd, 1, EAX, 4, "XFD", NULL, { 0x1c4, 0x1c5 }, 0 },
	{ 0x80000001, 0, ECX, 2, "SVM", NULL, { 0xc0010114, 0xc0010117 }, 0 },
	{ 0x80000001, 0, ECX, 13, "WDT", NULL, { 0xc0010074 }, 0 },
	{ 0x80000001, 0, ECX, 15, "LWP", NULL, { 0xc0000105 }, 0 },
	{ 0x80000001, 0, ECX, 17, "TCE", run_tce, { 0 }, 0 },
	{ 0x80000001, 0, ECX, 23, "PerfCtrExtCore", NULL, { 0xc0010200 }, 0 },
	{ 0x80000001, 0, ECX, 24, "PerfCtrExtNB", NULL, { 0xc0010240 }, 0 },
	{ 0x80000001, 0, ECX, 28, "PerfCtrExtLLC", NULL, { 0xc0010230 }, 0 },
	{ 0x80000001, 0, ECX, 29, "MONITORX", run_monitorx, { 0 }, 0 },
	{ 0x80000001, 0, EDX, 25, "FFXSR", run_ffxsr, { 0 }, 0 },
	{ 0x80000001, 0, EDX, 27, "RDTSCP", run_rdtscp, { 0xc0000103 }, 0 },
	{ 0x80000008, 0, EBX, 12, "IBPB", NULL, { 0x49 }, WO },
	{ 0x80000008, 0, EBX, 14, "IBRS", NULL, { 0x48 }, 0 },
	{ 0x80000008, 0, EBX, 24, "SSBD", NULL, { 0x48 }, 0 },
	{ 0x80000008, 0, EBX, 25, "VIRT_SSBD", NULL, { 0xc001011f }, 0 },
};

static bool advertised(const struct feature *f, uint32_t max, uint32_t maxext)
{
	uint32_t r[4];

	if (f->leaf < 0x80000000u ? f->leaf > max : f->leaf > maxext)
		return false;
	cpuid_count(f->leaf, f->sub, &r[EAX], &r[EBX], &r[ECX], &r[EDX]);
	return r[f->reg] & (1u << f->bit);
}

static void check(const struct feature *f)
{
	static const char regs[] = "ABCD";
	int fault = 0;
	uint64_t val;

	if (f->run) {
		fault = f->run();
		ok(!fault, "%x.%u:E%cX[%u] %s advertised: it runs (fault %x)",
		   f->leaf, f->sub, regs[f->reg], f->bit, f->name, fault);
	}
	for (unsigned int i = 0; i < 2 && f->msr[i]; i++) {
		fault = f->flags & WO ? wrmsr_safe(f->msr[i], 0) :
					rdmsr_safe(f->msr[i], &val);
		ok(!fault, "%x.%u:E%cX[%u] %s advertised: MSR %x %s (fault %x)",
		   f->leaf, f->sub, regs[f->reg], f->bit, f->name, f->msr[i],
		   f->flags & WO ? "takes 0" : "reads", fault);
	}
}

void test_main(void)
{
	uint32_t max, maxext, b, c, d;
	unsigned int shown = 0;

	cpuid(0, &max, &b, &c, &d);
	cpuid(0x80000000u, &maxext, &b, &c, &d);
	for (unsigned int i = 0; i < sizeof(features) / sizeof(features[0]);
	     i++) {
		const struct feature *f = &features[i];

		if (!advertised(f, max, maxext)) {
			printf("# %s: hidden\n", f->name);
			continue;
		}
		check(f);
		shown++;
	}
	/* x2APIC, TSC deadline, MSR, PAT and MTRR are always offered. */
	ok(shown >= 5, "%u of the listed features advertised and checked",
	   shown);
}
