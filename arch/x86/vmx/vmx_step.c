// SPDX-License-Identifier: MIT
/*
 * Single-stepping one guest instruction on VMX (virt_ops.single_step,
 * vmm/empty_bus.h).
 *
 * With the monitor trap flag (SDM 25.5.2), which every VMX CPU since
 * Nehalem has: an MTF VM exit comes on the boundary after the
 * instruction, after one iteration of a REP string instruction, or after
 * the delivery of an event that came first. Nothing is visible to the
 * guest. While armed, every exception exits (the core reflects it once
 * the step is undone), #DB too: #DB always exits (XSA-156, its delivery
 * can raise it again with no boundary for an MTF exit to come at), so a
 * #DB trap of the guest's own TF or breakpoints ends the step as an
 * exception exit and is reflected (vmx_reflect_exception).
 *
 * Without it (Bochs 2.7's Skylake model has none) the step is SVM's:
 * RFLAGS.TF with every exception, #DB included, intercepted and IF clear
 * so no virtual interrupt comes first; the #DB exit's qualification says
 * which debug conditions hit (27.2.1), DR6 is left alone by the CPU and
 * gets the guest's own hits here. VMX cannot intercept PUSHF: a PUSHF
 * whose slot straddles unbacked space and RAM shows TF=1 and IF=0 in the
 * RAM half there.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "vmm/vm.h"

#define DR6_HITS DR6_B0_B3

/*
 * Nothing may be pending or blocked on the boundary the step starts
 * from: the instruction did not complete, so a single-step trap the
 * exit saved as pending (Bochs saves one when the guest's TF was set)
 * is not due, and an STI or MOV SS shadow, which ends with this
 * instruction anyway and has nothing to hold off (the core injects
 * nothing into a step), would need a pending trap with TF set (26.3.1.5)
 * that fires before the instruction. @shadow: clear the shadow too.
 */
static void step_clear_pending(bool shadow)
{
	uint32_t intr = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	if (shadow)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(INTERRUPTIBILITY_STI |
				    INTERRUPTIBILITY_MOV_SS));
}

/* The TF step: the guest's TF and IF kept aside. */
static void tf_arm(struct vmx_vcpu *s, bool on)
{
	uint64_t fl = vmcs_read(VMCS_GUEST_RFLAGS);

	if (on) {
		s->step_guest_tf = fl & RFLAGS_TF;
		s->step_guest_if = fl & RFLAGS_IF;
		vmcs_write(VMCS_GUEST_RFLAGS, (fl | RFLAGS_TF) & ~RFLAGS_IF);
		step_clear_pending(true);
		return;
	}
	fl &= ~(RFLAGS_TF | RFLAGS_IF);
	fl |= (s->step_guest_tf ? RFLAGS_TF : 0) |
	      (s->step_guest_if ? RFLAGS_IF : 0);
	vmcs_write(VMCS_GUEST_RFLAGS, fl);
}

bool vmx_single_step(struct vcpu *v, bool on)
{
	struct vmx_vcpu *s = v->arch;
	bool mtf = vmx_caps.proc1 & PROC_MTF;

	vmx_load(v);
	if (on == s->step)
		return true;
	s->step = on;
	if (on) {
		s->exc_bitmap = (uint32_t)vmcs_read(VMCS_EXCEPTION_BITMAP);
		vmcs_write(VMCS_EXCEPTION_BITMAP, ~0u);
	} else {
		vmcs_write(VMCS_EXCEPTION_BITMAP, s->exc_bitmap);
	}
	if (!mtf) {
		tf_arm(s, on);
		return true;
	}
	s->proc = on ? s->proc | PROC_MTF : s->proc & ~PROC_MTF;
	vmcs_write(VMCS_PROC_CTLS, s->proc);
	return true;
}

void vmx_step_decode(struct vcpu *v)
{
	struct vmx_vcpu *s = v->arch;
	struct vm_exit *e = &v->exit;
	uint64_t hits;

	if (!s->step || (vmx_caps.proc1 & PROC_MTF))
		return;
	if (e->reason != EXIT_EXCEPTION || e->exc.vector != VEC_DB) {
		/* The step goes on (another page, a host interrupt). */
		step_clear_pending(false);
		return;
	}
	hits = e->qual & DR6_HITS;
	e->reason = EXIT_STEP;
	e->step.guest_db = s->step_guest_tf || hits;
	if (e->step.guest_db)
		write_dr6(read_dr6() | hits | (s->step_guest_tf ? DR6_BS : 0));
}
