// SPDX-License-Identifier: MIT
/*
 * The run loop's fast path (vcpu_run): the hottest exits, handled with
 * host interrupts off and the guest re-entered at once.
 */
#include "vmm/vcpu_fast.h"

/*
 * The hottest exits, handled right after the exit with host interrupts
 * still off and the guest re-entered at once (KVM's
 * handle_fastpath_set_msr_irqoff is the model): CPUID, hypercalls but the
 * one that stops the VM, and the vlapic writes of vcpu_fast.h. No
 * interrupt window, exit ring or dispatch; the entry work runs only for
 * the requests the exit raised. Anything else that needs attention (a
 * kick, a stop, the host timer) arrives as a host interrupt and makes the
 * next entry exit at once, into the slow path.
 *
 * Most of them never get here: the backends finish them inside their
 * entry stub's loop (svm_fast.c, vmx_fast.c: EXIT_HANDLED). What they
 * leave, the same exits with something unusual about them (an event the
 * exit cut short, AVIC), comes here first.
 */
bool vcpu_fastpath(struct vcpu *v)
{
	/* The backend's own loop finished it. */
	if (v->exit.reason == EXIT_HANDLED)
		return true;
	/* Never while a step over a store to unbacked space is armed: its
	 * exits are the step's (vmm/empty_bus.h). */
	if (v->bus.active || !vcpu_fast_handle(v, v->exit.reason))
		return false;
	virt.skip_insn(v);
	return true;
}
