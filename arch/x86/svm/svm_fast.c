// SPDX-License-Identifier: MIT
/*
 * The SVM exits finished inside svm_enter's loop (svm_entry.S): CPUID,
 * hypercalls and the vlapic writes of vmm/vcpu_fast.c, handled right after
 * the exit, with GIF still clear, and the guest entered again at once. No
 * svm_run, no exit decoding into struct vm_exit, no run loop: what is
 * left of an exit is VMRUN, the register switch, the host VMLOAD, the
 * handler and the RIP advance (the floor of issue 14's table).
 *
 * Anything unusual goes to svm_run as before, untouched: an event the exit
 * cut short (EXITINTINFO), a single-step, AVIC (IsRunning and PPR are
 * svm_run's), a store to unbacked space being stepped, an instruction
 * whose length is not known without reading it. After the handler, a
 * request (an interrupt to offer, a timer to arm) or another vCPU's
 * change of the empty bus sends the vCPU back to the run loop.
 */
#include "arch/x86/svm/svm.h"
#include "include/abi.h"
#include "vmm/vcpu_fast.h"

/*
 * Can this exit end here, and how long is its instruction? 0 sends it to
 * svm_run: an event the exit cut short, a step, AVIC, an unknown length.
 * Otherwise svm_run's work after every exit is done, for an exit that cut
 * nothing short: the offer settled, no TLB flush and no event again.
 */
static inline __attribute__((always_inline)) unsigned int
svm_fast_begin(struct vcpu *v, struct svm_vcpu *s, struct vmcb *c)
{
	unsigned int len;

	/* A step over unbacked space (v->bus.active) is a step too. */
	if ((c->exitintinfo & SVM_EVT_VALID) || s->step.armed || s->avic.entry)
		return 0;
	if ((svm_features & SVM_F_NRIP) && c->nrip > c->rip)
		len = (unsigned int)(c->nrip - c->rip);
	else
		len = svm_icache_len(s->icache, c);
	if (!len)
		return 0;
	svm_irq_settle_ran(v, s, c);
	c->tlb_control = 0;
	c->eventinj = 0;
	return len;
}

/*
 * The requests the exit raised (an interrupt to offer, a timer to arm),
 * served here as the run loop's inner loop would; INIT and SIPI need the
 * loop. A new interrupt for the V_IRQ offer (a SELF IPI, a TPR or EOI that
 * uncovered one) is all vcpu_inject_events would do: with no NMI waiting
 * its window is closed already.
 */
static __attribute__((noinline)) enum svm_fast
svm_fast_requests(struct vcpu *v, unsigned int req)
{
	if (req & VCPU_REQ_LOOP)
		return SVM_FAST_DONE;
	/* svm_fast_begin settled the last offer: nothing is offered. */
	if (req == VCPU_REQ_EVENTS && svm_virq && !v->nmi_pending) {
		__atomic_fetch_and(&v->req, ~VCPU_REQ_EVENTS, __ATOMIC_ACQUIRE);
		svm_offer_pending(v, v->arch,
				  ((struct svm_vcpu *)v->arch)->vmcb);
	} else {
		vcpu_prepare_entry(v, 0);
	}
	return SVM_FAST_AGAIN;
}

/*
 * The instruction skipped, then the requests. Another vCPU's step over
 * unbacked space (vcpu_bus_before_entry) is seen at the next slow exit,
 * as by a vCPU that has not left the guest meanwhile: its stale
 * translations reach only this VM's own scratch pages (vmm/empty_bus.h).
 */
static inline __attribute__((always_inline)) enum svm_fast
svm_fast_end(struct vcpu *v, struct vmcb *c, unsigned int len)
{
	unsigned int req;

	c->rip += len;
	c->int_state &= ~SVM_INT_SHADOW;
	req = __atomic_load_n(&v->req, __ATOMIC_RELAXED);
	if (req)
		return svm_fast_requests(v, req);
	return SVM_FAST_AGAIN;
}

/* An exit of @reason, handled here or left (nothing changed that
 * svm_run would not do the same way: svm_fast_begin's work is its). */
static inline __attribute__((always_inline)) enum svm_fast
svm_fast_one(struct vcpu *v, struct svm_vcpu *s, struct vmcb *c,
	     enum exit_reason reason)
{
	unsigned int len = svm_fast_begin(v, s, c);

	if (!len || !vcpu_fast_handle(v, reason))
		return SVM_FAST_NO;
	if (reason == EXIT_WRMSR &&
	    (uint32_t)v->regs.rcx == X2APIC_MSR(APIC_TPR))
		svm_tpr_load(v); /* V_TPR follows the TPR */
	return svm_fast_end(v, c, len);
}

/* One function per exit, each with only the registers it needs; the
 * dispatch below jumps to them. */
static __attribute__((noinline)) enum svm_fast
svm_fast_cpuid(struct vcpu *v, struct svm_vcpu *s, struct vmcb *c)
{
	return svm_fast_one(v, s, c, EXIT_CPUID);
}

static __attribute__((noinline)) enum svm_fast
svm_fast_vmmcall(struct vcpu *v, struct svm_vcpu *s, struct vmcb *c)
{
	return svm_fast_one(v, s, c, EXIT_HYPERCALL);
}

static __attribute__((noinline)) enum svm_fast
svm_fast_wrmsr(struct vcpu *v, struct svm_vcpu *s, struct vmcb *c)
{
	return svm_fast_one(v, s, c, EXIT_WRMSR);
}

enum svm_fast svm_fast_exit(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = s->vmcb;

	switch (c->exitcode) {
	case SVM_EXIT_CPUID:
		return svm_fast_cpuid(v, s, c);
	case SVM_EXIT_VMMCALL:
		return svm_fast_vmmcall(v, s, c);
	case SVM_EXIT_MSR: /* EXITINFO1: 0 RDMSR, 1 WRMSR */
		return c->exitinfo1 ? svm_fast_wrmsr(v, s, c) : SVM_FAST_NO;
	default:
		return SVM_FAST_NO;
	}
}
