// SPDX-License-Identifier: MIT
/*
 * CPUID policy (cpuid_policy.h): the host's leaves with everything x2hv
 * does not virtualize hidden, the x2APIC and its lock shown, and a
 * topology of one thread per core, one core per vCPU, in one package
 * (Intel SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E).
 */
#include "include/x86.h"
#include "vmm/cpuid_policy.h"
#include "vmm/xcr0.h"

#define BIT(n) (1u << (n))

#define XSAVE_1_EAX_XSAVEC BIT(1)
#define XSAVE_1_EAX_XSAVES BIT(3)
#define XSAVE_1_EAX_XFD BIT(4)
#define XSAVE_N_ECX_SUPERVISOR BIT(0)
#define TOPO_TYPE_SMT 1
#define TOPO_TYPE_CORE 2

const struct cpuid_hidden cpuid_hidden[] = {
	{ 1, CPUID_ECX, BIT(2) | BIT(4), "DTES64, DS-CPL: no debug store" },
	{ 1, CPUID_ECX, BIT(3), "MONITOR/MWAIT: intercepted, #UD" },
	{ 1, CPUID_ECX, BIT(5) | BIT(6), "VMX, SMX: no nesting, no TXT" },
	{ 1, CPUID_ECX, BIT(7) | BIT(8), "EIST, TM2: no power MSRs" },
	{ 1, CPUID_ECX, BIT(11), "SDBG: no IA32_DEBUG_INTERFACE" },
	{ 1, CPUID_ECX, BIT(15), "PDCM: no IA32_PERF_CAPABILITIES" },
	{ 1, CPUID_ECX, BIT(18), "DCA: no IA32_DCA_0_CAP" },
	{ 1, CPUID_EDX, BIT(7) | BIT(14), "MCE, MCA: machine checks" },
	{ 1, CPUID_EDX, BIT(18), "PSN: no serial number" },
	{ 1, CPUID_EDX, BIT(21), "DS: no debug store" },
	{ 1, CPUID_EDX, BIT(22) | BIT(29) | BIT(31),
	  "ACPI, TM, PBE: no thermal MSRs" },
	{ 1, CPUID_EDX, BIT(28), "HTT: topology is in leaf 0xb" },
	{ 7, CPUID_EBX, BIT(2), "SGX" },
	{ 7, CPUID_EBX, BIT(10), "INVPCID: not enabled on VMX, #UD" },
	{ 7, CPUID_EBX, BIT(12) | BIT(15), "RDT-M, RDT-A: no QoS MSRs" },
	{ 7, CPUID_EBX, BIT(14), "MPX: no IA32_BNDCFGS" },
	{ 7, CPUID_EBX, BIT(25), "Intel PT: no RTIT MSRs" },
	{ 7, CPUID_ECX, BIT(5), "WAITPKG: not enabled on VMX, #UD" },
	{ 7, CPUID_ECX, BIT(7), "CET shadow stacks: no CET MSRs" },
	{ 7, CPUID_ECX, BIT(13), "TME: no TME MSRs" },
	{ 7, CPUID_ECX, BIT(23), "Key Locker" },
	{ 7, CPUID_ECX, BIT(24), "bus-lock detection: no IA32_DEBUGCTL" },
	{ 7, CPUID_ECX, BIT(29), "ENQCMD: no IA32_PASID" },
	{ 7, CPUID_ECX, BIT(30), "SGX launch control" },
	{ 7, CPUID_ECX, BIT(31), "PKS: no IA32_PKRS" },
	{ 7, CPUID_EDX, BIT(5), "UINTR: no UINTR MSRs" },
	{ 7, CPUID_EDX, BIT(9), "SRBDS_CTRL: no IA32_MCU_OPT_CTRL" },
	{ 7, CPUID_EDX, BIT(13), "TSX_FORCE_ABORT: no such MSR" },
	{ 7, CPUID_EDX, BIT(15), "hybrid: leaf 0x1a hidden" },
	{ 7, CPUID_EDX, BIT(18), "PCONFIG" },
	{ 7, CPUID_EDX, BIT(19), "architectural LBRs: no LBR MSRs" },
	{ 7, CPUID_EDX, BIT(20), "CET IBT: no CET MSRs" },
	{ 7, CPUID_EDX, BIT(26) | BIT(27) | BIT(31),
	  "IBRS/IBPB, STIBP, SSBD: no IA32_SPEC_CTRL" },
	{ 7, CPUID_EDX, BIT(28), "L1D_FLUSH: no IA32_FLUSH_CMD" },
	{ 7, CPUID_EDX, BIT(30), "IA32_CORE_CAPABILITIES" },
	{ 0x80000001, CPUID_ECX, BIT(1), "CmpLegacy: topology is in 0xb" },
	{ 0x80000001, CPUID_ECX, BIT(2), "SVM: no nesting" },
	{ 0x80000001, CPUID_ECX, BIT(3), "ExtApicSpace: x2APIC only" },
	{ 0x80000001, CPUID_ECX, BIT(10), "IBS: no IBS MSRs" },
	{ 0x80000001, CPUID_ECX, BIT(12), "SKINIT: intercepted, #UD" },
	{ 0x80000001, CPUID_ECX, BIT(13), "WDT: no watchdog" },
	{ 0x80000001, CPUID_ECX, BIT(15), "LWP: no LWP_CFG" },
	{ 0x80000001, CPUID_ECX, BIT(17), "TCE: EFER.TCE not writable" },
	{ 0x80000001, CPUID_ECX, BIT(19), "NodeId: no node ID MSR" },
	{ 0x80000001, CPUID_ECX, BIT(22), "TopologyExtensions: 0x8000001e" },
	{ 0x80000001, CPUID_ECX, BIT(23) | BIT(24) | BIT(27) | BIT(28),
	  "PerfCtrExtCore/NB/LLC, PerfTsc: no PMU" },
	{ 0x80000001, CPUID_ECX, BIT(26), "DataBreakpointExtension: no MSRs" },
	{ 0x80000001, CPUID_ECX, BIT(29),
	  "MONITORX/MWAITX: the MWAIT intercepts catch them, #UD" },
	{ 0x80000001, CPUID_ECX, BIT(30), "AddrMaskExt" },
	{ 0x80000001, CPUID_EDX, BIT(25), "FFXSR: EFER.FFXSR not writable" },
};
const unsigned int cpuid_hidden_count =
	sizeof(cpuid_hidden) / sizeof(cpuid_hidden[0]);

static uint32_t *reg_of(struct cpuid_regs *r, enum cpuid_reg reg)
{
	switch (reg) {
	case CPUID_EAX:
		return &r->eax;
	case CPUID_EBX:
		return &r->ebx;
	case CPUID_ECX:
		return &r->ecx;
	default:
		return &r->edx;
	}
}

static void zero(struct cpuid_regs *r)
{
	r->eax = r->ebx = r->ecx = r->edx = 0;
}

/* APIC ID bits per package: every vCPU is a core of package 0. */
static unsigned int core_shift(const struct cpuid_ctx *c)
{
	unsigned int shift = 0;

	while ((1u << shift) < c->nr_vcpus)
		shift++;
	return shift;
}

static void topology_leaf(const struct cpuid_ctx *c, uint32_t sub,
			  struct cpuid_regs *r)
{
	r->edx = c->vcpu_id;
	if (sub == 0) {
		r->eax = 0;
		r->ebx = 1;
		r->ecx = (TOPO_TYPE_SMT << 8) | sub;
	} else if (sub == 1) {
		r->eax = core_shift(c);
		r->ebx = c->nr_vcpus;
		r->ecx = (TOPO_TYPE_CORE << 8) | sub;
	} else {
		r->eax = r->ebx = 0;
		r->ecx = sub;
	}
}

/*
 * Leaf 4 (Intel deterministic cache parameters) as the same topology
 * sees it: EAX[31:26] cores per package - 1; EAX[25:14] threads sharing
 * the cache - 1: one for L1 and L2 (a core's own), all for L3.
 */
#define CACHE_LEVEL(eax) (((eax) >> 5) & 7)
#define CACHE_SHARING_SHIFT 14
#define CACHE_SHARING_MASK (0xfffu << CACHE_SHARING_SHIFT)
#define CACHE_CORES_SHIFT 26
#define CACHE_CORES_MASK (0x3fu << CACHE_CORES_SHIFT)

static void cache_leaf(const struct cpuid_ctx *c, struct cpuid_regs *r)
{
	uint32_t ids = (1u << core_shift(c)) - 1;

	if (!(r->eax & 0x1f)) /* no more caches */
		return;
	r->eax &= ~(CACHE_SHARING_MASK | CACHE_CORES_MASK);
	r->eax |= (ids << CACHE_CORES_SHIFT) & CACHE_CORES_MASK;
	if (CACHE_LEVEL(r->eax) >= 3)
		r->eax |= (ids << CACHE_SHARING_SHIFT) & CACHE_SHARING_MASK;
}

static void hide_features(const struct cpuid_ctx *c, uint32_t leaf,
			  struct cpuid_regs *r)
{
	for (unsigned int i = 0; i < cpuid_hidden_count; i++)
		if (cpuid_hidden[i].leaf == leaf)
			*reg_of(r, cpuid_hidden[i].reg) &=
				~cpuid_hidden[i].mask;
	if (leaf == 7 && !c->rdtscp)
		r->ecx &= ~CPUID_7_ECX_RDPID;
	if (leaf == 0x80000001 && !c->rdtscp)
		r->edx &= ~CPUID_80000001_EDX_RDTSCP;
}

static void leaf_1(const struct cpuid_ctx *c, struct cpuid_regs *r)
{
	r->ecx &= ~CPUID_1_ECX_OSXSAVE;
	r->ecx |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE |
		  CPUID_1_ECX_HYPERVISOR;
	/* OSXSAVE mirrors the guest's own CR4 (SDM vol. 2A). */
	if (c->guest_osxsave)
		r->ecx |= CPUID_1_ECX_OSXSAVE;
	/* The vlapic, and virtual MTRRs (vmm/mtrr.h). */
	r->edx |= CPUID_1_EDX_APIC | CPUID_1_EDX_MTRR;
	/* Initial APIC ID, logical count 1 (topology is in 0xB). */
	r->ebx = (r->ebx & 0xffff) | (1u << 16) |
		 ((c->vcpu_id < 255 ? c->vcpu_id : 0xff) << 24);
}

static void leaf_7(const struct cpuid_ctx *c, uint32_t sub,
		   struct cpuid_regs *r)
{
	if (sub != 0) {
		zero(r);
		return;
	}
	r->eax = 0; /* no sub-leaf 1 and beyond */
	r->ecx &= ~CPUID_7_ECX_OSPKE;
	if (c->guest_pke) /* OSPKE mirrors CR4.PKE */
		r->ecx |= CPUID_7_ECX_OSPKE;
	/* The x2APIC lock is reported through IA32_ARCH_CAPABILITIES on
	 * both vendors. */
	r->edx |= CPUID_7_EDX_ARCH_CAPS;
	r->ebx |= CPUID_7_EBX_TSC_ADJUST; /* emulated (vmm/msr.c) */
}

static void leaf_xsave(uint32_t sub, struct cpuid_regs *r)
{
	/*
	 * Only the standard XSAVE format: no IA32_XSS (supervisor states are
	 * not virtualized), so no XSAVES, and no XSAVEC, whose compacted-size
	 * leaf some CPUs and emulators report inconsistently with the
	 * component sizes (Linux warns). No XFD: IA32_XFD is not there.
	 * XCR0 offers only the components whose XSETBV rules x2hv knows
	 * (vmm/xcr0.h); the others' sub-leaves read 0.
	 */
	if (sub == 0) {
		r->eax &= (uint32_t)XCR0_KNOWN;
		r->edx &= (uint32_t)(XCR0_KNOWN >> 32);
	} else if (sub == 1) {
		r->eax &= ~(XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES |
			    XSAVE_1_EAX_XFD);
		r->ebx = 0;
		r->ecx = r->edx = 0;
	} else if (sub >= 64 || !(XCR0_KNOWN & (1ull << sub)) ||
		   (r->ecx & XSAVE_N_ECX_SUPERVISOR)) {
		zero(r);
	}
}

/* The basic leaves the guest gets; every other one reads 0. */
static bool basic_leaf_offered(uint32_t leaf)
{
	switch (leaf) {
	case 0x0:
	case 0x1:
	case 0x2:
	case CPUID_LEAF_CACHE:
	case 0x7:
	case CPUID_LEAF_TOPOLOGY:
	case CPUID_LEAF_XSAVE:
	case 0x15: /* TSC and crystal clock */
	case 0x16: /* processor frequency */
	case 0x17: /* SoC vendor */
	case 0x18: /* TLB parameters */
	case 0x1d:
	case 0x1e: /* AMX tile information */
		return true;
	default:
		return false;
	}
}

static void basic_leaf(const struct cpuid_ctx *c, uint32_t leaf, uint32_t sub,
		       struct cpuid_regs *r)
{
	if (!basic_leaf_offered(leaf) ||
	    (leaf > c->host_max_basic && leaf != CPUID_LEAF_TOPOLOGY)) {
		zero(r);
		return;
	}
	hide_features(c, leaf, r);
	switch (leaf) {
	case 0:
		if (r->eax < CPUID_LEAF_TOPOLOGY)
			r->eax = CPUID_LEAF_TOPOLOGY;
		break;
	case 1:
		leaf_1(c, r);
		break;
	case CPUID_LEAF_CACHE:
		cache_leaf(c, r);
		break;
	case 7:
		leaf_7(c, sub, r);
		break;
	case CPUID_LEAF_TOPOLOGY:
		topology_leaf(c, sub, r);
		break;
	case CPUID_LEAF_XSAVE:
		leaf_xsave(sub, r);
		break;
	}
}

/*
 * AMD's core count in 0x80000008 ECX: NC = cores - 1 in [7:0] and the
 * APIC ID bits for them in [15:12] (APM vol. 3, E.4.7), the topology of
 * leaf 0xb. Intel reserves the register (0).
 */
#define E8_ECX_APIC_ID_SIZE_SHIFT 12

static void extended_leaf(const struct cpuid_ctx *c, uint32_t leaf,
			  struct cpuid_regs *r)
{
	/* Leaves past 0x8000001a describe features x2hv hides (IBS, LWP,
	 * topology extensions, SEV, ...); 0x80000009 is reserved and
	 * 0x8000000a is SVM's. */
	if (leaf > c->host_max_ext || leaf > 0x8000001a || leaf == 0x80000009 ||
	    leaf == 0x8000000a) {
		zero(r);
		return;
	}
	hide_features(c, leaf, r);
	switch (leaf) {
	case 0x80000007:
		/* The guest's TSC is the host's, which x2hv treats as
		 * invariant (every CPU with VMX or SVM and EPT or NPT has a
		 * constant-rate TSC; emulators may not say so). The power
		 * management bits have no MSRs behind them here. */
		r->eax = r->ebx = r->ecx = 0;
		r->edx = CPUID_80000007_EDX_INVTSC;
		break;
	case 0x80000008:
		/* EBX: CLZERO, IRPERF, WBNOINVD, RDPRU (intercepted), INVLPGB
		 * and the speculation-control bits (no MSRs): hidden. */
		r->ebx = 0;
		r->ecx = c->amd ? (core_shift(c) << E8_ECX_APIC_ID_SIZE_SHIFT) |
					  (c->nr_vcpus - 1) :
				  0;
		r->edx = 0;
		break;
	}
}

void cpuid_guest_leaf(const struct cpuid_ctx *c, uint32_t leaf, uint32_t sub,
		      struct cpuid_regs *r)
{
	if (leaf < 0x80000000)
		basic_leaf(c, leaf, sub, r);
	else
		extended_leaf(c, leaf, r);
}
