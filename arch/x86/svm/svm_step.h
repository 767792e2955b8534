/* SPDX-License-Identifier: MIT */
/*
 * Single-stepping one guest instruction on SVM (virt_ops.single_step,
 * vmm/empty_bus.h): RFLAGS.TF with #DB intercepted, AMD having no
 * monitor trap flag. The guest must not see the TF it did not set, so
 * while the step is armed:
 *  - every exception is intercepted (a frame pushed now would hold TF),
 *    and reflected by the core once the step is undone;
 *  - RFLAGS.IF is clear, so no virtual interrupt (V_IRQ, AVIC) is taken
 *    before the instruction; the core injects nothing;
 *  - PUSHF is intercepted: its flags may go ahead only where they land
 *    in the page being stepped (they vanish with it); POPF, IRET and
 *    INT n (they read or push TF) end the step before they run;
 *  - DR6 gets back the guest's value, plus what the guest's own TF or
 *    breakpoints set (then the core reflects a #DB): on SVM the CPU
 *    updates DR6 before a #DB intercept.
 */
#ifndef X2HV_ARCH_X86_SVM_STEP_H
#define X2HV_ARCH_X86_SVM_STEP_H

#include <stdbool.h>
#include <stdint.h>

struct vmcb;
struct vm_exit;

struct svm_step {
	bool armed;
	bool guest_tf, guest_if;
	uint64_t guest_dr6;
	uint32_t intercept_exc; /* the intercepts to restore */
	uint32_t intercept1; /* of the step's, those set before (IRET) */
};

void svm_step_arm(struct vmcb *c, struct svm_step *st, bool on);

enum svm_step_decode {
	SVM_STEP_NOT_MINE, /* decode the exit as usual */
	SVM_STEP_DECODED, /* e->reason is EXIT_STEP or EXIT_STEP_ABORT */
	SVM_STEP_REENTER, /* handled here: enter the guest again */
};

/* An exit while armed: the step's #DB and the intercepts it added. */
enum svm_step_decode svm_step_decode(struct vmcb *c, struct svm_step *st,
				     struct vm_exit *e);

#endif
