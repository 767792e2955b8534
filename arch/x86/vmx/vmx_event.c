// SPDX-License-Identifier: MIT
/*
 * VMX events (SDM vol. 3C 27.6 event injection, 26.7 interrupt and NMI
 * windows): skipping the exiting instruction, injecting exceptions,
 * interrupts and NMIs, and reflecting the exceptions x2hv intercepts
 * (docs/security.md). Mirror of svm_event.c. Runs on the vCPU's own CPU.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "vmm/vm.h"

void vmx_skip(uint64_t len)
{
	uint32_t intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + len);
	/* The STI / MOV SS shadow ends with the instruction (25.4.2). */
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(INTERRUPTIBILITY_STI |
				    INTERRUPTIBILITY_MOV_SS));
}

void vmx_skip_insn(struct vcpu *v)
{
	ASSERT(vmx_is_current(v));
	vmx_skip(v->exit.insn_len);
}

static bool exc_has_err(uint8_t vector)
{
	return vector == VEC_DF || (vector >= VEC_TS && vector <= VEC_PF) ||
	       vector == VEC_AC;
}

void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
			  uint32_t err)
{
	uint32_t info = INTR_INFO_VALID | INTR_TYPE_HW_EXC | vector;

	ASSERT(vmx_is_current(v));
	/* An error code is delivered exactly for these vectors in protected
	 * mode, never in real mode (27.2.1.3). */
	if (has_err && exc_has_err(vector) &&
	    (vmx_get_reg(v, VREG_CR0) & CR0_PE)) {
		info |= INTR_INFO_DELIVER_ERR;
		vmcs_write(VMCS_ENTRY_EXC_ERROR, err);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

bool vmx_irq_injectable(struct vcpu *v)
{
	ASSERT(vmx_is_current(v));
	return (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
	       !(vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

void vmx_inject_irq(struct vcpu *v, uint8_t vector)
{
	ASSERT(vmx_is_current(v));
	vmcs_write(VMCS_ENTRY_INTR_INFO,
		   INTR_INFO_VALID | INTR_TYPE_EXT_INTR | vector);
}

/*
 * With "NMI exiting" the CPU no longer blocks NMIs for the guest by
 * itself; with "virtual NMIs" it tracks the guest's NMI blocking as
 * virtual-NMI blocking, set by an injected NMI and cleared by the
 * guest's IRET (SDM 26.3, 27.7.1), in the interruptibility state. NMI
 * injection also needs no STI or MOV-SS blocking (27.3.1.5).
 */
bool vmx_nmi_injectable(struct vcpu *v)
{
	ASSERT(vmx_is_current(v));
	return !(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_STI |
		  INTERRUPTIBILITY_MOV_SS)) &&
	       !(vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

/* NMI-window exiting: exit before the first instruction at which no NMI
 * blocking remains (26.7.6); a pending event goes in first. */
void vmx_set_nmi_window(struct vcpu *v, bool on)
{
	struct vmx_vcpu *s = v->arch;
	uint32_t proc = on ? s->proc | PROC_NMI_WINDOW :
			     s->proc & ~PROC_NMI_WINDOW;

	if (proc != s->proc) {
		s->proc = proc;
		vmcs_write(VMCS_PROC_CTLS, proc);
	}
}

void vmx_inject_nmi(struct vcpu *v)
{
	ASSERT(vmx_is_current(v));
	vmcs_write(VMCS_ENTRY_INTR_INFO,
		   INTR_INFO_VALID | INTR_TYPE_NMI | VEC_NMI);
}

void vmx_set_irq_window(struct vcpu *v, bool on)
{
	struct vmx_vcpu *s = v->arch;
	uint32_t proc = on ? s->proc | PROC_INTR_WINDOW :
			     s->proc & ~PROC_INTR_WINDOW;

	/* Interrupt-window exiting: exit before the first instruction at
	 * which RFLAGS.IF = 1 and nothing blocks interrupts (25.6.2). */
	if (proc != s->proc) {
		s->proc = proc;
		vmcs_write(VMCS_PROC_CTLS, proc);
	}
}

/*
 * DR6 for a reflected #DB (SDM 28.1: a #DB that exits leaves DR6 alone
 * and reports in the exit qualification what it would have set): B0-B3
 * are those of this #DB, BD and BS are added, RTM is active low. DR6 is
 * the guest's own register on VMX. A general-detect #DB clears DR7.GD
 * on delivery (19.2.4), which injection does not do by itself.
 */
static void vmx_reflect_db(uint64_t qual)
{
	uint64_t dr6 = (read_dr6() & ~DR6_B0_B3) | DR6_ONES | DR6_RTM;

	dr6 |= qual & (DR6_B0_B3 | DR6_BD | DR6_BS);
	if (qual & DR6_RTM)
		dr6 &= ~DR6_RTM;
	write_dr6(dr6);
	if (qual & DR6_BD)
		vmcs_write(VMCS_GUEST_DR7, vmcs_read(VMCS_GUEST_DR7) & ~DR7_GD);
}

/*
 * The exceptions x2hv intercepts only so that it gets control, #DB and
 * #AC (XSA-156: their delivery can raise them again, forever, inside
 * the CPU): give them to the guest as the CPU would have, same type
 * (ICEBP is a privileged software exception with its length, 27.6.1.1),
 * same error code. An exit while an interrupt or NMI was being delivered
 * keeps that event (already set up again by reinject_vectoring): the
 * exception comes back when its instruction runs again. An exception on
 * an IRET that had unblocked NMIs blocks them again (28.2.3): the IRET
 * runs again after the handler.
 */
enum exit_action vmx_reflect_exception(struct vcpu *v)
{
	uint32_t info = v->exit.info2, type = info & INTR_INFO_TYPE_MASK;
	uint32_t pending = vmcs_read(VMCS_ENTRY_INTR_INFO);
	uint8_t vec = v->exit.exc.vector;

	if (vec != VEC_DB && vec != VEC_AC)
		return ACT_STOP; /* not one x2hv intercepts */
	if ((pending & INTR_INFO_VALID) &&
	    ((pending & INTR_INFO_TYPE_MASK) == INTR_TYPE_EXT_INTR ||
	     (pending & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI))
		return ACT_RESUME;
	if (info & INTR_INFO_NMI_UNBLOCK)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) |
				   INTERRUPTIBILITY_NMI);
	if (vec == VEC_DB)
		vmx_reflect_db(v->exit.qual);
	if (v->exit.exc.has_err)
		vmcs_write(VMCS_ENTRY_EXC_ERROR, v->exit.exc.err);
	if (type == INTR_TYPE_PRIV_SW_EXC || type == INTR_TYPE_SW_EXC)
		vmcs_write(VMCS_ENTRY_INSN_LEN, v->exit.insn_len);
	vmcs_write(VMCS_ENTRY_INTR_INFO,
		   INTR_INFO_VALID | type | vec |
			   (info & INTR_INFO_DELIVER_ERR));
	return ACT_RESUME;
}
