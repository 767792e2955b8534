// SPDX-License-Identifier: MIT
/*
 * CPUID policy: the host's leaves with everything x2hv does not virtualize
 * hidden, the x2APIC and its lock shown, and hypervisor leaves at
 * 0x40000000 (Intel SDM vol. 2A CPUID; AMD APM vol. 3 appendix E).
 */
#include "arch/x86/cpu.h"
#include "include/abi.h"
#include "vmm/kvmclock.h"
#include "vmm/vm.h"
#include "vmm/xcr0.h"

#define XSAVE_1_EAX_XSAVEC (1u << 1)
#define XSAVE_1_EAX_XSAVES (1u << 3)
#define XSAVE_N_ECX_SUPERVISOR (1u << 0)
#define TOPO_TYPE_SMT 1
#define TOPO_TYPE_CORE 2

static void topology_leaf(struct vcpu *v, uint32_t sub, struct cpuid_regs *r)
{
	unsigned int shift = 0;

	while ((1u << shift) < v->vm->nr_vcpus)
		shift++;
	r->edx = v->id;
	if (sub == 0) {
		r->eax = 0;
		r->ebx = 1;
		r->ecx = (TOPO_TYPE_SMT << 8) | sub;
	} else if (sub == 1) {
		r->eax = shift;
		r->ebx = v->vm->nr_vcpus;
		r->ecx = (TOPO_TYPE_CORE << 8) | sub;
	} else {
		r->eax = r->ebx = 0;
		r->ecx = sub;
	}
}

static void zero(struct cpuid_regs *r)
{
	r->eax = r->ebx = r->ecx = r->edx = 0;
}

/* x2hv's leaves at 0x40000000 and the KVM clock leaves (kvmclock.c). */
static void hypervisor_leaf(uint32_t leaf, struct cpuid_regs *r)
{
	zero(r);
	if (leaf == X2HV_CPUID_BASE) {
		r->eax = X2HV_CPUID_BASE + 1;
		r->ebx = r->ecx = r->edx = X2HV_CPUID_SIG_EBX;
	}
	kvmclock_cpuid(leaf, &r->eax, &r->ebx, &r->ecx, &r->edx);
}

static void leaf1_policy(struct vcpu *v, struct cpuid_regs *r)
{
	r->ecx &= ~(CPUID_1_ECX_DTES64 | CPUID_1_ECX_MONITOR |
		    CPUID_1_ECX_DSCPL | CPUID_1_ECX_VMX | CPUID_1_ECX_SMX |
		    CPUID_1_ECX_EST | CPUID_1_ECX_TM2 | CPUID_1_ECX_SDBG |
		    CPUID_1_ECX_PDCM | CPUID_1_ECX_OSXSAVE);
	r->ecx |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE |
		  CPUID_1_ECX_HYPERVISOR;
	/* OSXSAVE mirrors the guest's own CR4 (SDM vol. 2A). */
	if (virt.get_reg(v, VREG_CR4) & CR4_OSXSAVE)
		r->ecx |= CPUID_1_ECX_OSXSAVE;
	r->edx &= ~(CPUID_1_EDX_MCE | CPUID_1_EDX_MTRR | CPUID_1_EDX_MCA |
		    CPUID_1_EDX_DS | CPUID_1_EDX_ACPI | CPUID_1_EDX_TM |
		    CPUID_1_EDX_PBE | CPUID_1_EDX_HTT);
	r->edx |= CPUID_1_EDX_APIC;
	/* Initial APIC ID, logical count 1 (topology is in 0xB). */
	r->ebx = (r->ebx & 0xffff) | (1u << 16) |
		 ((v->id < 255 ? v->id : 0xff) << 24);
}

static void leaf7_policy(uint32_t sub, struct cpuid_regs *r)
{
	if (sub != 0) {
		zero(r);
		return;
	}
	r->ebx &= ~(CPUID_7_EBX_TSC_ADJUST | CPUID_7_EBX_SGX |
		    CPUID_7_EBX_INVPCID | CPUID_7_EBX_RDT_M |
		    CPUID_7_EBX_RDT_A | CPUID_7_EBX_PT);
	/* CET, key locker, PKS and user interrupts need MSRs or CR4 bits
	 * x2hv does not virtualize (vmm/cr_policy.c). */
	r->ecx &= ~(CPUID_7_ECX_WAITPKG | CPUID_7_ECX_SGX_LC |
		    CPUID_7_ECX_CET_SS | CPUID_7_ECX_KL | CPUID_7_ECX_PKS);
	r->edx &= ~(CPUID_7_EDX_HYBRID | CPUID_7_EDX_PCONFIG |
		    CPUID_7_EDX_IBRS | CPUID_7_EDX_STIBP |
		    CPUID_7_EDX_L1D_FLUSH | CPUID_7_EDX_CORE_CAPS |
		    CPUID_7_EDX_SSBD | CPUID_7_EDX_UINTR | CPUID_7_EDX_CET_IBT);
	/* The x2APIC lock is reported through IA32_ARCH_CAPABILITIES on
	 * both vendors. */
	r->edx |= CPUID_7_EDX_ARCH_CAPS;
}

/*
 * Only the standard XSAVE format: no IA32_XSS (supervisor states are not
 * virtualized), so no XSAVES, and no XSAVEC, whose compacted-size leaf
 * some CPUs and emulators report inconsistently with the component sizes
 * (Linux warns). XCR0 offers only the components whose XSETBV rules x2hv
 * knows (vmm/xcr0.h); the others' sub-leaves read 0.
 */
static void xsave_policy(uint32_t sub, struct cpuid_regs *r)
{
	if (sub == 0) {
		r->eax &= (uint32_t)XCR0_KNOWN;
		r->edx &= (uint32_t)(XCR0_KNOWN >> 32);
	} else if (sub == 1) {
		r->eax &= ~(XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES);
		r->ebx = 0;
		r->ecx = r->edx = 0;
	} else if (sub >= 64 || !(XCR0_KNOWN & (1ull << sub)) ||
		   (r->ecx & XSAVE_N_ECX_SUPERVISOR)) {
		zero(r);
	}
}

static void ext_leaf_policy(uint32_t leaf, struct cpuid_regs *r)
{
	switch (leaf) {
	case 0x80000001:
		r->ecx &= ~(
			CPUID_80000001_ECX_SVM | CPUID_80000001_ECX_EXTAPIC |
			CPUID_80000001_ECX_IBS | CPUID_80000001_ECX_SKINIT |
			CPUID_80000001_ECX_WDT |
			CPUID_80000001_ECX_PERFCTR_CORE |
			CPUID_80000001_ECX_PERFCTR_NB | CPUID_80000001_ECX_TCE);
		/* EFER.FFXSR and TCE are not offered (vmm/cr_policy.c). */
		r->edx &= ~CPUID_80000001_EDX_FFXSR;
		break;
	case 0x80000007:
		/* The guest's TSC is the host's, which x2hv treats as
		 * invariant (every CPU with VMX or SVM and EPT or NPT has a
		 * constant-rate TSC; emulators may not say so). */
		r->eax = r->ebx = r->ecx = 0;
		r->edx = CPUID_80000007_EDX_INVTSC;
		break;
	case 0x80000008:
		/* Speculation-control bits of EBX: hidden (no MSRs). */
		r->ebx = 0;
		break;
	case CPUID_LEAF_SVM: /* SVM features: nested SVM is not offered */
		zero(r);
		break;
	default:
		if (leaf >= 0x8000001e && leaf < 0x80000030)
			zero(r);
		break;
	}
}

static void cpuid_policy(struct vcpu *v, uint32_t leaf, uint32_t sub,
			 struct cpuid_regs *r)
{
	static uint32_t max_basic, max_ext;

	if (!max_ext) { /* every CPU computes the same values */
		max_basic = cpuid(0, 0).eax;
		max_ext = cpuid(CPUID_LEAF_EXT_MAX, 0).eax;
	}
	if (leaf >= X2HV_CPUID_BASE && leaf < X2HV_CPUID_BASE + 0x10000) {
		hypervisor_leaf(leaf, r);
		return;
	}
	if ((leaf < CPUID_LEAF_EXT_MAX && leaf > max_basic &&
	     leaf > CPUID_LEAF_TOPOLOGY) ||
	    (leaf >= CPUID_LEAF_EXT_MAX && leaf > max_ext)) {
		zero(r);
		return;
	}
	*r = cpuid(leaf, sub);
	switch (leaf) {
	case 0:
		if (r->eax < CPUID_LEAF_TOPOLOGY)
			r->eax = CPUID_LEAF_TOPOLOGY;
		break;
	case 1:
		leaf1_policy(v, r);
		break;
	case 5: /* MONITOR/MWAIT: hidden */
	case 6: /* thermal and power */
	case 0xa: /* PMU: not virtualized */
		zero(r);
		break;
	case 7:
		leaf7_policy(sub, r);
		break;
	case CPUID_LEAF_TOPOLOGY:
		topology_leaf(v, sub, r);
		break;
	case CPUID_LEAF_XSAVE:
		xsave_policy(sub, r);
		break;
	default:
		if (leaf >= CPUID_LEAF_EXT_MAX)
			ext_leaf_policy(leaf, r);
		break;
	}
}

/* The CR0/CR4/EFER policy follows the CPUID this vCPU sees (computed
 * once, on its own CPU). */
const struct cr_policy *vcpu_cr_policy(struct vcpu *v)
{
	struct cpuid_regs l1, l7, e1;
	struct cr_cpuid c;

	if (v->cr_policy_ready)
		return &v->cr_policy;
	cpuid_policy(v, 1, 0, &l1);
	cpuid_policy(v, 7, 0, &l7);
	cpuid_policy(v, 0x80000001, 0, &e1);
	c = (struct cr_cpuid){ l1.ecx, l1.edx, l7.ebx, l7.ecx,
			       l7.edx, e1.ecx, e1.edx };
	cr_policy_init(&v->cr_policy, &c);
	v->cr_policy_ready = true;
	return &v->cr_policy;
}

void vcpu_cr_state(struct vcpu *v, struct cr_state *s)
{
	s->cr0 = virt.get_reg(v, VREG_CR0);
	s->cr3 = virt.get_reg(v, VREG_CR3);
	s->cr4 = virt.get_reg(v, VREG_CR4);
	s->efer = virt.get_reg(v, VREG_EFER);
	s->cs_l = virt.get_reg(v, VREG_CS_L);
}

enum exit_action handle_cpuid(struct vcpu *v)
{
	struct cpuid_regs r;

	cpuid_policy(v, (uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, &r);
	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
	return ACT_SKIP;
}
