// SPDX-License-Identifier: MIT
/* Single-stepping one guest instruction on SVM (svm_step.h). */
#include "arch/x86/cpu.h"
#include "arch/x86/svm/svm_step.h"
#include "arch/x86/svm/vmcb.h"
#include "vmm/virt.h"

#define DR6_BREAKPOINTS 0xfull /* B0-B3 */
#define VEC_DB 1
#define VEC_NMI 2
/* intercept1 bits and exit codes of APM vol. 2, table 15-7 / appendix C */
#define SVM_I1_PUSHF (1u << 16)
#define SVM_I1_POPF (1u << 17)
#define SVM_I1_IRET (1u << 20)
#define SVM_I1_INTN (1u << 21)
#define SVM_I1_STEP (SVM_I1_PUSHF | SVM_I1_POPF | SVM_I1_IRET | SVM_I1_INTN)
#define SVM_EXIT_PUSHF 0x70
#define SVM_EXIT_POPF 0x71
#define SVM_EXIT_IRET 0x74
#define SVM_EXIT_SWINT 0x75
#define SEG_ATTR_L (1u << 9)
#define SEG_ATTR_DB (1u << 10)
#define PUSHF_MAX 8 /* bytes PUSHF can push */
#define PAGE_MASK_ (~0xfffull)

void svm_step_arm(struct vmcb *c, struct svm_step *st, bool on)
{
	if (on) {
		st->armed = true;
		st->guest_tf = c->rflags & RFLAGS_TF;
		st->guest_if = c->rflags & RFLAGS_IF;
		st->guest_dr6 = c->dr6;
		st->intercept_exc = c->intercept_exc;
		st->intercept1 = c->intercept1 & SVM_I1_STEP;
		c->rflags = (c->rflags | RFLAGS_TF) & ~RFLAGS_IF;
		c->intercept_exc = ~(1u << VEC_NMI);
		c->intercept1 |= SVM_I1_STEP;
		return;
	}
	if (!st->armed)
		return;
	st->armed = false;
	c->rflags &= ~(RFLAGS_TF | RFLAGS_IF);
	c->rflags |= (st->guest_tf ? RFLAGS_TF : 0) |
		     (st->guest_if ? RFLAGS_IF : 0);
	c->intercept_exc = st->intercept_exc;
	/* The IRET intercept of an NMI in service (svm_event.c) stays. */
	c->intercept1 = (c->intercept1 & ~SVM_I1_STEP) | st->intercept1;
}

/*
 * Do the flags PUSHF is about to push stay in one page? Then that page
 * is the unbacked one being stepped (PUSHF writes nothing else) and the
 * flags, TF included, vanish with it. The stack pointer's width follows
 * the mode and SS.B (APM vol. 1, 2.2.2, 4.7.3).
 */
static bool pushf_in_one_page(const struct vmcb *c)
{
	bool lm = (c->efer & EFER_LMA) && (c->cs.attr & SEG_ATTR_L);
	uint64_t sp = c->rsp, top;

	if (!lm)
		sp = (c->ss.attr & SEG_ATTR_DB) ? (uint32_t)sp : (uint16_t)sp;
	top = (lm ? 0 : c->ss.base) + sp;
	return ((top - PUSHF_MAX) & PAGE_MASK_) == ((top - 1) & PAGE_MASK_);
}

enum svm_step_decode svm_step_decode(struct vmcb *c, struct svm_step *st,
				     struct vm_exit *e)
{
	uint64_t hits;

	switch (c->exitcode) {
	case SVM_EXIT_EXC_BASE + VEC_DB:
		hits = c->dr6 & DR6_BREAKPOINTS;
		e->reason = EXIT_STEP;
		e->step.guest_db = st->guest_tf || hits;
		c->dr6 = st->guest_dr6 | hits | (st->guest_tf ? DR6_BS : 0);
		return SVM_STEP_DECODED;
	case SVM_EXIT_PUSHF:
		/* Its flags hold our TF and IF. */
		if (pushf_in_one_page(c)) {
			c->intercept1 &= ~SVM_I1_PUSHF;
			return SVM_STEP_REENTER;
		}
		e->reason = EXIT_STEP_ABORT;
		return SVM_STEP_DECODED;
	case SVM_EXIT_POPF:
	case SVM_EXIT_IRET:
	case SVM_EXIT_SWINT:
		e->reason = EXIT_STEP_ABORT;
		return SVM_STEP_DECODED;
	default:
		return SVM_STEP_NOT_MINE;
	}
}
