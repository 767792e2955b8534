// SPDX-License-Identifier: MIT
/*
 * CPUID exits: x2hv's own leaves at 0x40000000 (the signature, and the
 * kvmclock leaves at 0x40000100), every other leaf through the policy of
 * vmm/cpuid_policy.c applied to the host's. The CR0/CR4/EFER policy of
 * each vCPU (vmm/cr_policy.c) follows the CPUID it sees.
 */
#include "arch/x86/cpu.h"
#include "include/abi.h"
#include "vmm/cpuid_policy.h"
#include "vmm/kvmclock.h"
#include "vmm/vcpu_fast.h"

static void hypervisor_leaf(uint32_t leaf, struct cpuid_regs *r)
{
	r->eax = r->ebx = r->ecx = r->edx = 0;
	if (leaf == X2HV_CPUID_BASE) {
		r->eax = X2HV_CPUID_BASE + 1;
		r->ebx = r->ecx = r->edx = X2HV_CPUID_SIG_EBX;
	}
	kvmclock_cpuid(leaf, &r->eax, &r->ebx, &r->ecx, &r->edx);
}

/* The leaf as vCPU @v sees it. */
static void guest_leaf(struct vcpu *v, uint32_t leaf, uint32_t sub,
		       struct cpuid_regs *r)
{
	static struct cpuid_ctx host; /* the same on every CPU */
	struct cpuid_ctx c;
	uint64_t cr4;

	if (!host.host_max_ext) {
		struct cpuid_regs id = cpuid(0, 0);

		host.host_max_basic = id.eax;
		host.amd = id.ebx == CPUID_VENDOR_AMD_EBX ||
			   id.ebx == CPUID_VENDOR_HYGON_EBX;
		host.host_max_ext = cpuid(CPUID_LEAF_EXT_MAX, 0).eax;
	}
	if (leaf >= X2HV_CPUID_BASE && leaf < X2HV_CPUID_BASE + 0x10000) {
		hypervisor_leaf(leaf, r);
		return;
	}
	c = host;
	c.vcpu_id = v->id;
	c.nr_vcpus = v->vm->nr_vcpus;
	cr4 = virt.get_reg(v, VREG_CR4);
	c.guest_osxsave = cr4 & CR4_OSXSAVE;
	c.guest_pke = cr4 & CR4_PKE;
	c.rdtscp = !virt.guest_rdtscp || virt.guest_rdtscp();
	*r = cpuid(leaf, sub);
	cpuid_guest_leaf(&c, leaf, sub, r);
}

/* The CR0/CR4/EFER policy follows the CPUID this vCPU sees (computed
 * once, on its own CPU). */
const struct cr_policy *vcpu_cr_policy(struct vcpu *v)
{
	struct cpuid_regs l1, l7, e1;
	struct cr_cpuid c;

	if (v->cr_policy_ready)
		return &v->cr_policy;
	guest_leaf(v, 1, 0, &l1);
	guest_leaf(v, 7, 0, &l7);
	guest_leaf(v, 0x80000001, 0, &e1);
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

/*
 * Leaves whose values follow the guest's state, computed at every CPUID:
 * leaf 1's OSXSAVE and leaf 7's OSPKE mirror the guest's CR4, leaf 0xD's
 * sizes its XCR0 (the guest owns XCR0 on this CPU, so the host CPUID
 * reports it).
 */
static bool cpuid_leaf_cacheable(uint32_t leaf)
{
	return leaf != 1 && leaf != 7 && leaf != CPUID_LEAF_XSAVE;
}

/* A cache miss: the policy, kept unless the leaf is dynamic. Out of
 * line, so that the hit needs no stack frame. */
static __attribute__((noinline)) void
cpuid_miss(struct vcpu *v, struct cpuid_entry *e, uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;

	guest_leaf(v, leaf, sub, &r);
	if (cpuid_leaf_cacheable(leaf))
		*e = (struct cpuid_entry){ .leaf = leaf,
					   .sub = sub,
					   .eax = r.eax,
					   .ebx = r.ebx,
					   .ecx = r.ecx,
					   .edx = r.edx,
					   .valid = true };
	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
}

/*
 * The policy runs once per (leaf, subleaf) and vCPU, then the result is
 * looked up (vcpu_restart empties the cache; the fast paths look it up
 * in place, vcpu_fast.h). A host CPUID is cheap on hardware, but the
 * policy around it was most of a CPUID exit's cost.
 */
enum exit_action handle_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;

	if (!cpuid_cached(v))
		cpuid_miss(v, &v->cpuid_cache[cpuid_slot(leaf, sub)], leaf,
			   sub);
	return ACT_SKIP;
}
