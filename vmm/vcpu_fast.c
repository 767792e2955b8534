// SPDX-License-Identifier: MIT
/*
 * The run loop's fast path (vcpu_run): the hottest exits, handled with
 * host interrupts off and the guest re-entered at once.
 */
#include "vmm/vcpu_fast.h"

/* The vlapic writes worth a fast exit; a value the vlapic refuses takes
 * the full path, which injects the #GP (nothing changed meanwhile). */
bool vcpu_fast_wrmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;

	switch (msr) {
	case X2APIC_MSR(APIC_TPR):
	case X2APIC_MSR(APIC_EOI):
		if (vlapic_wrmsr(v->vlapic, msr, val))
			return false;
		/* PPR may fall: an interrupt the guest would now accept
		 * needs the entry work; with nothing pending (the summary
		 * says so at once, vlapic.h) there is none. */
		if (vlapic_pending(v->vlapic) >= 0)
			__atomic_fetch_or(&v->req, VCPU_REQ_EVENTS,
					  __ATOMIC_RELAXED);
		return true;
	case MSR_IA32_TSC_DEADLINE:
		/* The vlapic keeps host-TSC deadlines (vmm/msr.c). */
		val = vcpu_deadline_to_host(v, val);
		/* fall through */
	case X2APIC_MSR(APIC_ICR):
	case X2APIC_MSR(APIC_SELF_IPI):
		/* The vlapic's ops raise the requests (vl_notify,
		 * vl_set_timer). */
		return !vlapic_wrmsr(v->vlapic, msr, val);
	default:
		return false;
	}
}

/*
 * The hottest exits, handled right after the exit with host interrupts
 * still off and the guest re-entered at once (KVM's
 * handle_fastpath_set_msr_irqoff is the model): CPUID, hypercalls but the
 * one that stops the VM, and the vlapic writes above. No interrupt
 * window, exit ring or dispatch; the entry work runs only for the
 * requests the exit raised. Anything else that needs attention (a kick,
 * a stop, the host timer) arrives as a host interrupt and makes the next
 * entry exit at once, into the slow path.
 */
bool vcpu_fastpath(struct vcpu *v)
{
	/* The backend's own loop finished it (svm_fast.c). */
	if (v->exit.reason == EXIT_HANDLED)
		return true;
	/* Never while a step over a store to unbacked space is armed: its
	 * exits are the step's (vmm/empty_bus.h). */
	if (v->bus.active || !vcpu_fast_handle(v, v->exit.reason))
		return false;
	virt.skip_insn(v);
	return true;
}
