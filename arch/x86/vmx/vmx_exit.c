// SPDX-License-Identifier: MIT
/*
 * VMX guest entry and exit (SDM vol. 3C chapters 26-28): exit decoding
 * into struct vm_exit (a table from basic reason to neutral reason, code
 * only for the exits with operands), the exits only this backend
 * understands (vmx_handle_exit: CR accesses in vmx_cr.c, APICv), event
 * injection and re-injection. Every function runs on the vCPU's own CPU,
 * but vmx_post_irq, which runs on the sender's.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/lapic.h"
#include "arch/x86/idt.h"
#include "arch/x86/percpu.h"
#include "arch/x86/vmx/vmx_apicv.h"
#include "lib/printk.h"
#include "vmm/vm.h"

/* An event whose delivery the exit interrupted is delivered again on the
 * next entry (SDM 28.2.4, 27.6: IDT-vectoring information), with its
 * error code and, for software events, the instruction length. */
static void reinject_vectoring(void)
{
	uint32_t idt = vmcs_read(VMCS_IDT_VECTORING_INFO);
	uint32_t type = idt & INTR_INFO_TYPE_MASK;

	if (!(idt & INTR_INFO_VALID))
		return;
	vmcs_write(VMCS_ENTRY_INTR_INFO, idt & ~INTR_INFO_NMI_UNBLOCK);
	if (idt & INTR_INFO_DELIVER_ERR)
		vmcs_write(VMCS_ENTRY_EXC_ERROR,
			   vmcs_read(VMCS_IDT_VECTORING_ERROR));
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_PRIV_SW_EXC ||
	    type == INTR_TYPE_SW_EXC)
		vmcs_write(VMCS_ENTRY_INSN_LEN, vmcs_read(VMCS_EXIT_INSN_LEN));
}

static void decode_exception(struct vm_exit *e)
{
	uint32_t info = vmcs_read(VMCS_EXIT_INTR_INFO);

	e->info2 = info;
	if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI) {
		e->reason = EXIT_NMI;
		return;
	}
	e->reason = EXIT_EXCEPTION;
	e->exc.vector = info & INTR_INFO_VECTOR_MASK;
	e->exc.has_err = info & INTR_INFO_DELIVER_ERR;
	if (e->exc.has_err)
		e->exc.err = vmcs_read(VMCS_EXIT_INTR_ERROR);
	/* A #PF exit leaves CR2 alone; the address is the exit
	 * qualification (SDM 28.2.1). */
	if (e->exc.vector == VEC_PF)
		e->exc.cr2 = e->qual;
}

/*
 * Basic exit reason (SDM appendix C) -> vendor-neutral reason. What is not
 * listed (EPT misconfiguration, task switch, ...) is EXIT_UNKNOWN, which
 * stops the VM with a dump. Only the exits with operands need code
 * (vmx_decode_operands).
 */
static const uint8_t vmx_exit_reasons[VMX_EXIT_REASONS] = {
	[EXIT_REASON_EXC_NMI] = EXIT_EXCEPTION, /* or EXIT_NMI */
	[EXIT_REASON_EXT_INTR] = EXIT_INTR,
	[EXIT_REASON_TRIPLE_FAULT] = EXIT_SHUTDOWN,
	[EXIT_REASON_INIT] = EXIT_INIT,
	[EXIT_REASON_SIPI] = EXIT_INIT,
	[EXIT_REASON_INTR_WINDOW] = EXIT_INTR_WINDOW,
	[EXIT_REASON_MTF] = EXIT_STEP,
	[EXIT_REASON_NMI_WINDOW] = EXIT_INTR_WINDOW, /* the loop injects */
	[EXIT_REASON_CPUID] = EXIT_CPUID,
	[EXIT_REASON_GETSEC] = EXIT_VIRT_INSN,
	[EXIT_REASON_HLT] = EXIT_HLT,
	[EXIT_REASON_INVD] = EXIT_INVD,
	[EXIT_REASON_TASK_SWITCH] = EXIT_TASK_SWITCH,
	[EXIT_REASON_VMCALL] = EXIT_HYPERCALL,
	[EXIT_REASON_VMCLEAR... EXIT_REASON_VMXON] = EXIT_VIRT_INSN,
	[EXIT_REASON_CR_ACCESS] = EXIT_CR_ACCESS,
	[EXIT_REASON_IO] = EXIT_IO,
	[EXIT_REASON_RDMSR] = EXIT_RDMSR,
	[EXIT_REASON_WRMSR] = EXIT_WRMSR,
	[EXIT_REASON_BAD_GUEST] = EXIT_INVALID_STATE,
	[EXIT_REASON_MSR_LOADING] = EXIT_INVALID_STATE,
	[EXIT_REASON_MWAIT] = EXIT_VIRT_INSN,
	[EXIT_REASON_MONITOR] = EXIT_VIRT_INSN,
	[EXIT_REASON_PAUSE] = EXIT_PAUSE,
	[EXIT_REASON_MCE_DURING_ENTRY] = EXIT_INVALID_STATE,
	[EXIT_REASON_EOI_INDUCED] = EXIT_EOI_INDUCED,
	[EXIT_REASON_EPT_VIOLATION] = EXIT_NPF,
	[EXIT_REASON_INVEPT] = EXIT_VIRT_INSN,
	[EXIT_REASON_PREEMPT_TIMER] = EXIT_PREEMPT_TIMER,
	[EXIT_REASON_INVVPID] = EXIT_VIRT_INSN,
	[EXIT_REASON_XSETBV] = EXIT_XSETBV,
	[EXIT_REASON_APIC_WRITE] = EXIT_APIC_WRITE,
	[EXIT_REASON_VMFUNC] = EXIT_VIRT_INSN,
};

/* The exits that carry operands in the qualification or elsewhere. */
static void vmx_decode_operands(struct vm_exit *e)
{
	uint64_t q = e->qual;

	switch (e->reason) {
	case EXIT_EXCEPTION:
		decode_exception(e);
		break;
	case EXIT_INTR:
		/* With "acknowledge interrupt on exit" (posted interrupts)
		 * the CPU took the vector from the LAPIC: run its handler
		 * and EOI here, as the host IDT would have (SDM 28.2.2). */
		if (vmx_caps.posted) {
			uint32_t info =
				(uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO);

			if (info & INTR_INFO_VALID)
				irq_dispatch(info & INTR_INFO_VECTOR_MASK);
		}
		break;
	case EXIT_IO:
		e->io.port = q >> QUAL_IO_PORT_SHIFT;
		e->io.size = (q & QUAL_IO_SIZE_MASK) + 1;
		e->io.in = q & QUAL_IO_IN;
		e->io.string = q & QUAL_IO_STRING;
		e->io.rep = q & QUAL_IO_REP;
		break;
	case EXIT_NPF:
		e->gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
		e->npf.write = q & QUAL_EPT_WRITE;
		e->npf.fetch = q & QUAL_EPT_FETCH;
		e->npf.present = q & QUAL_EPT_PERM_MASK;
		break;
	default:
		break;
	}
}

static void vmx_decode(struct vcpu *v, uint32_t reason)
{
	struct vm_exit *e = &v->exit;
	uint32_t basic = reason & EXIT_REASON_BASIC_MASK;

	memset(e, 0, sizeof(*e));
	e->hw_reason = basic;
	e->qual = vmcs_read(VMCS_EXIT_QUAL);
	if (reason & EXIT_REASON_ENTRY_FAIL) {
		/* Invalid guest state, MSR loading or machine check during
		 * entry (27.8): the VMCS's guest state is as before. */
		pr_err("vmx: vcpu%u: VM entry failed, exit reason %u qualification %lx",
		       v->id, basic, e->qual);
		e->reason = EXIT_INVALID_STATE;
		return;
	}
	e->insn_len = vmcs_read(VMCS_EXIT_INSN_LEN);
	e->delivering = vmcs_read(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID;
	reinject_vectoring();
	e->reason = basic < VMX_EXIT_REASONS && vmx_exit_reasons[basic] ?
			    vmx_exit_reasons[basic] :
			    EXIT_UNKNOWN;
	vmx_decode_operands(e);
}

static const char *insn_error_name(uint64_t n)
{
	/* SDM 31.4, table 31-1 (the ones VMLAUNCH/VMRESUME can give). */
	switch (n) {
	case 4:
		return "VMLAUNCH with non-clear VMCS";
	case 5:
		return "VMRESUME with non-launched VMCS";
	case 7:
		return "invalid control fields";
	case 8:
		return "invalid host-state fields";
	case 26:
		return "events blocked by MOV SS";
	default:
		return "see SDM 31.4";
	}
}

/*
 * APICv exits (trap-like: RIP is past the WRMSR already, SDM 31.1.3,
 * 31.4.3.3), which only the backend understands: the core counts them
 * under their own reasons and hands them back through vmx_handle_exit.
 *
 * EOI-induced (reason 45, 31.1.3): EOI virtualization has already
 * cleared the vector's vISR bit and updated SVI and PPR; what is left is
 * the level-triggered side effect the vlapic does on an EOI of a vector
 * whose TMR bit is set (its eoi_level hook, vlapic/vlapic.c do_eoi).
 *
 * APIC-write (reason 56): with virtual-interrupt delivery, none of the
 * three writes x2hv passes (TPR, EOI, SELF IPI) gives one in x2APIC mode
 * (31.5); handled anyway by replaying the value the CPU stored in the
 * page through the vlapic, so the vlapic's side effects happen.
 */
static enum exit_action vmx_apicv_exit(struct vcpu *v)
{
	struct vlapic *vl = v->vlapic;
	uint8_t *page = vlapic_page(vl);
	uint32_t off, lo;
	uint64_t val;

	switch (v->exit.reason) {
	case EXIT_EOI_INDUCED: {
		uint8_t vec = v->exit.qual & QUAL_EOI_VECTOR_MASK;

		vlapic_update_ppr(vl);
		if (vl->ops && vl->ops->eoi_level &&
		    vlapic_vector_is_level(vl, vec))
			vl->ops->eoi_level(vl, vec);
		/* The guest took a parked timer's vector (the EOI-exit bitmap
		 * of vmx_apicv_before_entry asked for this EOI): the timer runs again; the core's loop
		 * arms the host timer for it on the way back in. */
		if (vlapic_timer_parked_vector(vl) >= 0)
			vlapic_timer_unpark(vl);
		return ACT_RESUME;
	}
	case EXIT_APIC_WRITE:
		off = v->exit.qual & QUAL_APIC_WRITE_OFF_MASK;
		memcpy(&lo, page + off, sizeof(lo));
		val = lo;
		if (off == APIC_ICR)
			memcpy(&val, page + off, sizeof(val));
		vlapic_wrmsr(vl, X2APIC_MSR(off), val);
		return ACT_RESUME;
	default:
		return ACT_STOP;
	}
}

/* virt_ops.handle_exit: the exits only this backend understands. */
enum exit_action vmx_handle_exit(struct vcpu *v)
{
	switch (v->exit.reason) {
	case EXIT_EXCEPTION:
		return vmx_reflect_exception(v);
	case EXIT_CR_ACCESS:
		return vmx_cr_access(v, v->exit.qual);
	case EXIT_EOI_INDUCED:
	case EXIT_APIC_WRITE:
		return vmx_caps.apicv ? vmx_apicv_exit(v) : ACT_STOP;
	default:
		return ACT_STOP;
	}
}

void vmx_run(struct vcpu *v)
{
	struct vmx_vcpu *s = v->arch;
	uint32_t reason;
	enum vmx_fast fast;

	vmx_load(v);
	if (vmx_caps.apicv)
		vmx_apicv_before_entry(v);
	/* The hottest exits end inside, which also takes the posted
	 * interrupts after every exit (vmx_fast.c). */
	fast = vmx_enter(v, s->launched);
	if (fast == VMX_FAST_DONE) {
		v->exit.reason = EXIT_HANDLED;
		return;
	}
	if (fast == VMX_FAST_FAILED) {
		uint64_t err = vmcs_read(VMCS_INSN_ERROR);

		if (vmx_caps.apicv)
			vmx_apicv_after_exit(v);
		pr_err("vmx: vcpu%u: %s failed: VM-instruction error %lu (%s)",
		       v->id, s->launched ? "VMRESUME" : "VMLAUNCH", err,
		       insn_error_name(err));
		memset(&v->exit, 0, sizeof(v->exit));
		v->exit.reason = EXIT_INVALID_STATE;
		v->exit.hw_reason = err;
		return;
	}
	reason = vmcs_read(VMCS_EXIT_REASON);
	if (!(reason & EXIT_REASON_ENTRY_FAIL))
		s->launched = true;
	vmx_decode(v, reason);
	vmx_step_decode(v);
	/* The CPU keeps VPPR in the page (PPR virtualization, 31.1.3);
	 * recomputing it is cheap and keeps the vlapic's own rule
	 * authoritative for vlapic_pending() (HLT wake-up in vmm/vcpu.c). */
	if (vmx_caps.apicv && !(reason & EXIT_REASON_ENTRY_FAIL))
		vlapic_update_ppr(v->vlapic);
}
