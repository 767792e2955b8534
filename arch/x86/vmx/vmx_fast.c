// SPDX-License-Identifier: MIT
/*
 * The VMX exits finished inside vmx_enter's loop (vmx_entry.S), the mirror
 * of arch/x86/svm/svm_fast.c: CPUID, hypercalls and the vlapic writes of
 * vmm/vcpu_fast.c that still exit (with APICv: TSC_DEADLINE and ICR),
 * handled right after the exit and the guest resumed at once. No
 * vmx_run, no exit decoding into struct vm_exit, no run loop.
 *
 * This runs after every VM exit: first the posted interrupts of the
 * exit (vmx_apicv_after_exit), which vmx_run used to take. Anything
 * unusual goes to vmx_run as before: an entry failure, an event the exit
 * cut short (IDT-vectoring information), a single-step. After the
 * handler, INIT or SIPI sends the vCPU back to the run loop; other
 * requests are served here, then the entry work of vmx_run
 * (vmx_apicv_before_entry).
 */
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "vmm/vcpu_fast.h"

/* Its neutral reason, or EXIT_NONE: the full 32-bit exit reason, so an
 * entry failure (bit 31) is never one of these. */
static enum exit_reason vmx_fast_reason(uint32_t reason)
{
	switch (reason) {
	case EXIT_REASON_CPUID:
		return EXIT_CPUID;
	case EXIT_REASON_VMCALL:
		return EXIT_HYPERCALL;
	case EXIT_REASON_WRMSR:
		return EXIT_WRMSR;
	default:
		return EXIT_NONE;
	}
}

enum vmx_fast vmx_fast_exit(struct vcpu *v)
{
	struct vmx_vcpu *s = v->arch;
	enum exit_reason reason;
	unsigned int req;
	uint64_t len;

	if (vmx_caps.apicv)
		vmx_apicv_after_exit(v);
	reason = vmx_fast_reason((uint32_t)vmcs_read(VMCS_EXIT_REASON));
	if (reason == EXIT_NONE || s->step || v->bus.active ||
	    (vmcs_read(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID))
		return VMX_FAST_NO;
	/* As vmx_run after every exit: the CPU keeps VPPR in the page. */
	if (vmx_caps.apicv)
		vlapic_update_ppr(v->vlapic);
	len = vmcs_read(VMCS_EXIT_INSN_LEN);
	if (!vcpu_fast_handle(v, reason))
		return VMX_FAST_NO;
	s->launched = true;
	vmx_skip(len);
	/* INIT and SIPI need the run loop's checks; the rest is the entry
	 * work the run loop and vmx_run would do. Another vCPU's step over
	 * unbacked space is seen at the next pass through the run loop
	 * (vmm/empty_bus.h). */
	req = __atomic_load_n(&v->req, __ATOMIC_RELAXED);
	if (req & VCPU_REQ_LOOP)
		return VMX_FAST_DONE;
	if (req)
		vcpu_prepare_entry(v, 0);
	if (vmx_caps.apicv)
		vmx_apicv_before_entry(v);
	return VMX_FAST_AGAIN;
}
