/* SPDX-License-Identifier: MIT */
/*
 * The fast exits' vendor-neutral work (vmm/vcpu_fast.c), inline: the
 * backends' loops around the entry (arch/x86/svm/svm_fast.c,
 * arch/x86/vmx/vmx_fast.c) call vcpu_fast_handle with a constant reason,
 * and what is left of it is that reason's handler with its counters, the
 * CPUID cache's hit in place.
 *
 * Called from those loops, a handler sees the guest's RAX, RBX, RCX,
 * RDX, RSI, RDI and R8-R11 in v->regs, but not RBP and R12-R15: the entry
 * stubs keep those in the registers across the call (they are
 * callee-saved) and store them only when the loop ends
 * (arch/x86/guest_regs.inc). Nothing here, nor anything it calls, may
 * read or write them.
 */
#ifndef X2HV_VMM_VCPU_FAST_H
#define X2HV_VMM_VCPU_FAST_H

#include "include/abi.h"
#include "vmm/vm.h"

/* The slot of (leaf, sub) in the vCPU's direct-mapped CPUID cache: the
 * basic, hypervisor (0x4000_xxxx) and extended (0x8000_xxxx) leaves
 * apart. */
static inline unsigned int cpuid_slot(uint32_t leaf, uint32_t sub)
{
	return ((leaf ^ (leaf >> 29)) + sub) % CPUID_CACHE;
}

/* CPUID from the cache (vmm/cpuid.c fills it): false on a miss. */
static inline bool cpuid_cached(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
	const struct cpuid_entry *e = &v->cpuid_cache[cpuid_slot(leaf, sub)];

	if (!e->valid || e->leaf != leaf || e->sub != sub)
		return false;
	v->regs.rax = e->eax;
	v->regs.rbx = e->ebx;
	v->regs.rcx = e->ecx;
	v->regs.rdx = e->edx;
	return true;
}

static inline void vcpu_count_exit(struct vcpu *v, enum exit_reason reason)
{
	v->exits[reason]++;
	v->exits_total++;
}

/* The vlapic writes worth a fast exit; a value the vlapic refuses takes
 * the full path, which injects the #GP (nothing changed meanwhile). */
static inline __attribute__((always_inline)) bool
vcpu_fast_wrmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	struct vlapic *vl = v->vlapic;

	switch (msr) {
	case X2APIC_MSR(APIC_TPR):
		if (vlapic_write_tpr(vl, val))
			return false;
		break;
	case X2APIC_MSR(APIC_EOI):
		if (vlapic_write_eoi(vl, val))
			return false;
		break;
	case MSR_IA32_TSC_DEADLINE:
		/* The vlapic keeps host-TSC deadlines (vmm/msr.c); its
		 * ops raise the request (vl_set_timer). */
		vlapic_write_tsc_deadline(vl, vcpu_deadline_to_host(v, val));
		return true;
	case X2APIC_MSR(APIC_SELF_IPI):
		/* vl_notify raises the request. */
		return !vlapic_write_self_ipi(vl, val);
	case X2APIC_MSR(APIC_ICR):
		return !vlapic_wrmsr(vl, msr, val);
	default:
		return false;
	}
	/* TPR and EOI: PPR may fall, and an interrupt the guest would now
	 * accept needs the entry work; with nothing pending (the summary
	 * says so at once, vlapic.h) there is none. */
	if (vlapic_may_be_pending(vl) && vlapic_pending(vl) >= 0)
		__atomic_fetch_or(&v->req, VCPU_REQ_EVENTS, __ATOMIC_RELAXED);
	return true;
}

/*
 * Counted and handled, the instruction not yet skipped, or false with
 * nothing changed (vmm/vcpu_fast.c explains the choice of exits).
 */
static inline __attribute__((always_inline)) bool
vcpu_fast_handle(struct vcpu *v, enum exit_reason reason)
{
	switch (reason) {
	case EXIT_CPUID:
		vcpu_count_exit(v, reason);
		if (!cpuid_cached(v))
			handle_cpuid(v);
		return true;
	case EXIT_HYPERCALL:
		if (v->regs.rax == X2HV_HC_TEST_EXIT)
			return false;
		/* Counted first, as the slow path does: EXIT_COUNT sees
		 * itself. */
		vcpu_count_exit(v, reason);
		handle_hypercall(v);
		return true;
	case EXIT_WRMSR:
		if (!vcpu_fast_wrmsr(v))
			return false;
		vcpu_count_exit(v, reason);
		return true;
	default:
		return false;
	}
}

#endif
