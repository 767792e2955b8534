// SPDX-License-Identifier: MIT
/*
 * SVM events (APM vol. 2 15.20 event injection, 15.21 interrupt
 * control): skipping the intercepted instruction, injecting exceptions,
 * interrupts and NMIs, and reflecting the exceptions x2hv intercepts
 * (docs/security.md). Mirror of vmx_event.c. Runs on the vCPU's own CPU.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/svm_insn.h"
#include "arch/x86/svm/vmcb.h"
#include "lib/printk.h"
#include "vmm/vm.h"

/*
 * Past the intercepted instruction: NRIP's length, or EXITINFO2 (I/O),
 * or its length found from its bytes (svm_insn.c). A fixed length would
 * resume inside a prefixed instruction and run its tail as code. If the
 * bytes are not that instruction (the guest changed them meanwhile, or
 * runs code outside RAM), the VM stops: no guess.
 */
void svm_skip_insn(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = vmcb_of(v);
	struct insn_info info;

	if (!v->exit.insn_len) {
		if (svm_insn_fetch(v, s->insn, &info)) {
			pr_err("vm%u: vcpu%u: stopped: the intercepted instruction at %lx cannot be read (no NRIP)",
			       v->vm->id, v->id, c->rip);
			vm_request_stop(v->vm, VM_STOP_ERROR);
			return;
		}
		v->exit.insn_len = info.len;
	}
	c->rip += v->exit.insn_len;
	c->int_state &= ~SVM_INT_SHADOW; /* the shadow ends */
	/* Single-stepping the guest (TF) is not virtualized. */
}

void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
			  uint32_t err)
{
	struct vmcb *c = vmcb_of(v);

	c->eventinj = SVM_EVT_VALID | SVM_EVT_TYPE_EXC | vector |
		      (has_err ? SVM_EVT_ERR | ((uint64_t)err << 32) : 0);
}

/* svm_inject=eventinj: the core injects when the guest can take it
 * (vmm/vcpu.c) and opens the interrupt window otherwise. */
bool svm_irq_injectable(struct vcpu *v)
{
	struct vmcb *c = vmcb_of(v);

	return (c->rflags & RFLAGS_IF) && !(c->int_state & SVM_INT_SHADOW) &&
	       !(c->eventinj & SVM_EVT_VALID);
}

void svm_inject_irq(struct vcpu *v, uint8_t vector)
{
	vmcb_of(v)->eventinj = SVM_EVT_VALID | SVM_EVT_TYPE_INTR | vector;
}

/*
 * Without vNMI, SVM keeps no NMI-blocking state for the guest: x2hv
 * does. An injected NMI masks further ones until the guest's IRET has
 * run (APM vol. 2 15.21.4 suggests the IRET intercept): the intercept
 * comes before the IRET executes, so x2hv single-steps it (TF) and
 * unmasks at the #DB that follows it, which is always intercepted.
 * The interrupt shadow also holds NMIs back for one instruction.
 */
bool svm_nmi_injectable(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = vmcb_of(v);

	return !s->nmi_masked && !(c->int_state & SVM_INT_SHADOW) &&
	       !(c->eventinj & SVM_EVT_VALID);
}

void svm_inject_nmi(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = vmcb_of(v);

	c->eventinj = SVM_EVT_VALID | SVM_EVT_TYPE_NMI | VEC_NMI;
	s->nmi_masked = true;
	c->intercept1 |= SVM_I1_IRET;
}

/*
 * An NMI waits: while one is in service the IRET intercept brings it in;
 * behind an interrupt shadow or an event that goes in first, a kick to
 * this CPU makes the guest exit right after that (the host interrupt is
 * taken at the first instruction boundary, APM 15.21.1).
 */
void svm_set_nmi_window(struct vcpu *v, bool on)
{
	struct svm_vcpu *s = v->arch;

	if (on && !s->nmi_masked)
		lapic_send_ipi(this_cpu()->apic_id, VEC_KICK);
}

/*
 * The guest's IRET while an NMI is in service (the intercept comes before
 * it executes): let it run, one step. Should the IRET fault, the fault's
 * frame carries this TF, and the step comes after the IRET runs again.
 */
enum exit_action svm_iret_exit(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = vmcb_of(v);

	c->intercept1 &= ~SVM_I1_IRET;
	if (!s->nmi_masked || s->nmi_singlestep)
		return ACT_RESUME;
	s->nmi_singlestep = true;
	s->ss_rflags = c->rflags & (RFLAGS_TF | RFLAGS_RF);
	s->ss_dr6 = c->dr6;
	c->rflags |= RFLAGS_TF | RFLAGS_RF;
	return ACT_RESUME;
}

/*
 * The first #DB after an IRET x2hv single-stepped: the NMI handler is
 * done (the IRET ran, or faulted and its handler's IRET ran). DR6.BS is
 * not needed to tell: Bochs 3.0's SVM leaves the VMCB's DR6 as it was at
 * a #DB intercept. The IRET loaded the guest's own RFLAGS; DR6 gets back
 * what it had, and the #DB goes to the guest only if the guest was
 * single-stepping itself or a breakpoint of its own hit (B0-B3 set
 * anew). False: no step pending.
 */
static bool svm_nmi_step_done(struct vcpu *v, bool *reflect)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = vmcb_of(v);

	if (!s->nmi_singlestep)
		return false;
	s->nmi_singlestep = false;
	s->nmi_masked = false;
	*reflect = (s->ss_rflags & RFLAGS_TF) ||
		   (c->dr6 & ~s->ss_dr6 & DR6_B0_B3);
	if (!*reflect)
		c->dr6 = s->ss_dr6;
	return true;
}

void svm_set_irq_window(struct vcpu *v, bool on)
{
	struct vmcb *c = vmcb_of(v);

	if (!on)
		svm_irq_settle(v, false); /* an offer is withdrawn too */
	/* Closed already: the common case before an entry. */
	if (!on && !(c->intercept1 & SVM_I1_VINTR))
		return;
	/* A virtual interrupt that ignores TPR exits with VINTR as soon as
	 * the guest could take it (APM 15.21.4). */
	if (on) {
		c->vintr |= SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR |
			    (0xfull << SVM_VINTR_PRIO_SHIFT);
		c->intercept1 |= SVM_I1_VINTR;
	} else {
		c->vintr &= ~SVM_VINTR_IRQ_FIELDS;
		c->intercept1 &= ~SVM_I1_VINTR;
	}
}

/*
 * Without AVIC, external interrupts go in as virtual interrupts (APM vol.
 * 2 15.21.4), not through EVENTINJ: V_IRQ with the vlapic's highest
 * deliverable vector, taken by the CPU itself once the guest can take it
 * (RFLAGS.IF, no shadow), so there is no interrupt-window exit either.
 * TPR is ignored by the CPU (V_IGN_TPR): x2hv offers only what the
 * vlapic's PPR allows, and every TPR write exits, after which this runs
 * again. The vector moves to the ISR when offered, as if taken, so that
 * a copy arriving meanwhile stays in the IRR; svm_irq_settle gives it
 * back to the IRR after every exit where the guest had not taken it, so
 * that the exit handlers see the vlapic as the guest does (ISR, PPR,
 * which vector an EOI ends), and it is offered again before the entry.
 *
 * EVENTINJ is avoided because of QEMU's TCG: it delivers an injected
 * interrupt at VMRUN but leaves the vector as a pending exception, which
 * a later exit from its CPU loop (single-threaded TCG switching CPUs, a
 * cross-CPU TLB flush) delivers a second time, at the first instruction
 * of the handler with IF clear (docs/testing.md, "bochs-svm").
 */
void svm_offer_irq(struct vcpu *v)
{
	svm_irq_settle(v, false); /* nothing is outstanding normally */
	svm_offer_pending(v, v->arch, vmcb_of(v));
}

/* svm_irq_settle's other cases: the offer goes back to the IRR. */
void svm_irq_unoffer(struct vcpu *v, bool ran)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = vmcb_of(v);

	vlapic_unack(v->vlapic, (uint8_t)s->virq);
	/* Offered again before the next entry, even one straight from the
	 * fast path (vmm/vcpu_fast.c). */
	if (ran)
		__atomic_fetch_or(&v->req, VCPU_REQ_EVENTS, __ATOMIC_RELAXED);
	s->virq = -1;
	c->vintr &= ~SVM_VINTR_IRQ_FIELDS;
}

/*
 * #DB and #AC, intercepted only so that x2hv gets control (XSA-156, see
 * vmx_reflect_exception): given back to the guest. The #DB intercept
 * comes with DR6 already updated in the VMCB (APM 15.12); #AC carries
 * its error code in EXITINFO1 and, being a fault, resumes with RF set in
 * the pushed RFLAGS as a delivered fault would (APM 13.1.1.2). An exit
 * while an interrupt or NMI was being delivered keeps that event (set up
 * again by svm_run): the exception comes back when its instruction runs
 * again.
 */
enum exit_action svm_reflect_exception(struct vcpu *v)
{
	struct vmcb *c = vmcb_of(v);
	uint8_t vec = v->exit.exc.vector;
	uint64_t type = c->eventinj & SVM_EVT_TYPE_MASK;
	bool reflect;

	if (vec != VEC_DB && vec != VEC_AC)
		return ACT_STOP; /* not one x2hv intercepts */
	if (vec == VEC_DB && svm_nmi_step_done(v, &reflect) && !reflect)
		return ACT_RESUME;
	if ((c->eventinj & SVM_EVT_VALID) &&
	    (type == SVM_EVT_TYPE_INTR || type == SVM_EVT_TYPE_NMI))
		return ACT_RESUME;
	if (vec == VEC_AC) {
		c->rflags |= RFLAGS_RF;
		svm_inject_exception(v, vec, true, (uint32_t)c->exitinfo1);
	} else {
		svm_inject_exception(v, vec, false, 0);
	}
	return ACT_RESUME;
}
