// SPDX-License-Identifier: MIT
/*
 * SVM events (APM vol. 2 15.20 event injection, 15.21 interrupt
 * control): skipping the intercepted instruction, injecting exceptions,
 * interrupts and NMIs, and reflecting the exceptions x2hv intercepts
 * (docs/security.md). Mirror of vmx_event.c. Runs on the vCPU's own CPU.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/vmcb.h"
#include "vmm/vm.h"

void svm_skip_insn(struct vcpu *v)
{
	struct vmcb *c = vmcb_of(v);

	c->rip += v->exit.insn_len;
	c->int_state &= ~1ull; /* the interrupt shadow ends */
	/* Single-stepping the guest (TF) is not virtualized. */
}

void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
			  uint32_t err)
{
	struct vmcb *c = vmcb_of(v);

	c->eventinj = SVM_EVT_VALID | SVM_EVT_TYPE_EXC | vector |
		      (has_err ? SVM_EVT_ERR | ((uint64_t)err << 32) : 0);
}

bool svm_irq_injectable(struct vcpu *v)
{
	struct vmcb *c = vmcb_of(v);

	return (c->rflags & RFLAGS_IF) && !(c->int_state & 1) &&
	       !(c->eventinj & SVM_EVT_VALID);
}

void svm_inject_irq(struct vcpu *v, uint8_t vector)
{
	vmcb_of(v)->eventinj = SVM_EVT_VALID | SVM_EVT_TYPE_INTR | vector;
}

void svm_inject_nmi(struct vcpu *v)
{
	vmcb_of(v)->eventinj = SVM_EVT_VALID | SVM_EVT_TYPE_NMI | VEC_NMI;
}

void svm_set_irq_window(struct vcpu *v, bool on)
{
	struct vmcb *c = vmcb_of(v);

	/* A virtual interrupt that ignores TPR exits with VINTR as soon as
	 * the guest could take it (APM 15.21.4). */
	if (on) {
		c->vintr |= SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR |
			    (0xfull << SVM_VINTR_PRIO_SHIFT);
		c->intercept1 |= SVM_I1_VINTR;
	} else {
		c->vintr &= ~(SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR |
			      (0xfull << SVM_VINTR_PRIO_SHIFT));
		c->intercept1 &= ~SVM_I1_VINTR;
	}
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

	if (vec != VEC_DB && vec != VEC_AC)
		return ACT_STOP; /* not one x2hv intercepts */
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
