// SPDX-License-Identifier: MIT
/*
 * The control-register accesses the VMX backend handles itself, from the
 * exit qualification alone (SDM 28.2.1): MOV to CR0/CR4 that changes a bit
 * x2hv owns (vmx_cr0_mask/vmx_cr4_mask), MOV to/from CR8 (the vlapic's
 * TPR) and CR3 where the CPU forces CR3 exiting; and the guest's view of
 * CR0/CR4/EFER shared with vmcs.c. Runs on the vCPU's own CPU.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "vmm/vm.h"

#define GPR_RSP 4 /* register numbers in exit qualifications (28-3) */
#define NR_GPRS 16

/* Offsets of the GPRs in struct guest_regs by exit-qualification number
 * (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15); RSP is in the VMCS. */
static uint64_t *gpr(struct vcpu *v, unsigned int n)
{
	struct guest_regs *r = &v->regs;
	uint64_t *const map[NR_GPRS] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL,    &r->rbp,
		&r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
		&r->r12, &r->r13, &r->r14, &r->r15,
	};

	return map[n & (NR_GPRS - 1)];
}

static uint64_t gpr_read(struct vcpu *v, unsigned int n)
{
	return n == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : *gpr(v, n);
}

static void gpr_write(struct vcpu *v, unsigned int n, uint64_t val)
{
	if (n == GPR_RSP)
		vmcs_write(VMCS_GUEST_RSP, val);
	else
		*gpr(v, n) = val;
}

/* The guest's view: its own bits from the shadow where x2hv owns them. */
uint64_t vmx_visible_cr(uint32_t real_f, uint32_t shadow_f, uint64_t mask)
{
	return (vmcs_read(real_f) & ~mask) | (vmcs_read(shadow_f) & mask);
}

void vmx_guest_write_cr0(uint64_t val)
{
	vmcs_write(VMCS_CR0_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, vmx_real_cr0(val));
}

void vmx_guest_write_cr4(uint64_t val)
{
	vmcs_write(VMCS_CR4_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, vmx_real_cr4(val));
}

/* EFER.LMA = LME && CR0.PG (SDM 9.8.5); VM entry takes it from the
 * "IA-32e mode guest" control, which must agree with EFER.LMA (27.3.1.1). */
void vmx_guest_write_efer(uint64_t efer, uint64_t cr0)
{
	uint32_t entry = vmcs_read(VMCS_ENTRY_CTLS);

	if ((efer & EFER_LME) && (cr0 & CR0_PG))
		efer |= EFER_LMA;
	else
		efer &= ~EFER_LMA;
	vmcs_write(VMCS_GUEST_EFER, efer);
	if (efer & EFER_LMA)
		entry |= ENTRY_IA32E_GUEST;
	else
		entry &= ~ENTRY_IA32E_GUEST;
	vmcs_write(VMCS_ENTRY_CTLS, entry);
}

void vmx_flush_vpid(struct vcpu *v)
{
	uint64_t cap = vmx_caps.ept_vpid;

	if (!(vmx_caps.proc2 & PROC2_VPID))
		return;
	if (cap & VPID_CAP_INVVPID_SINGLE)
		invvpid(INVVPID_SINGLE, v->pcpu + 1);
	else
		invvpid(INVVPID_ALL, 0);
}

/* MOV to CR0 that changed a bit x2hv owns (NE, CD, NW): the checks and
 * the value the CPU would load (vmm/cr_policy.c: SDM vol. 2B MOV to CR,
 * 10.8.5 for IA-32e mode activation), then EFER.LMA follows PG. */
static enum exit_action emulate_mov_cr0(struct vcpu *v, uint64_t val)
{
	struct cr_state st;
	uint64_t cr0;

	vcpu_cr_state(v, &st);
	if (cr0_write_check(&st, val, &cr0)) {
		vcpu_event(v, GEV_CR);
		return ACT_INJECT_GP;
	}
	vmx_guest_write_cr0(cr0);
	if ((st.cr0 ^ cr0) & CR0_PG)
		vmx_guest_write_efer(st.efer, cr0);
	return ACT_SKIP;
}

/* MOV to CR4 that would change a bit x2hv owns (vmx_cr4_mask): a bit the
 * guest may not set, so the check gives #GP; anything it lets through
 * is loaded, and the VPID's translations go (paging bits). */
static enum exit_action emulate_mov_cr4(struct vcpu *v, uint64_t val)
{
	struct cr_state st;
	uint64_t cr4;

	vcpu_cr_state(v, &st);
	if (cr4_write_check(vcpu_cr_policy(v), &st, val, &cr4)) {
		vcpu_event(v, GEV_CR);
		return ACT_INJECT_GP;
	}
	vmx_guest_write_cr4(cr4);
	vmx_flush_vpid(v);
	return ACT_SKIP;
}

/* CR-access exits (SDM 28.2.1, table 28-3): the action for the core to
 * apply; ACT_STOP if the access is not one x2hv asked for (the core then
 * stops the VM). */
enum exit_action vmx_cr_access(struct vcpu *v, uint64_t qual)
{
	unsigned int cr = qual & QUAL_CR_NUM_MASK;
	unsigned int type = (qual >> QUAL_CR_TYPE_SHIFT) & QUAL_CR_TYPE_MASK;
	unsigned int reg = (qual >> QUAL_CR_GPR_SHIFT) & QUAL_CR_GPR_MASK;
	uint64_t val;

	if (type == QUAL_CR_TYPE_TO_CR) {
		val = gpr_read(v, reg);
		switch (cr) {
		case 0:
			return emulate_mov_cr0(v, val);
		case 3:
			vmcs_write(VMCS_GUEST_CR3, val & ~CR3_NOFLUSH);
			vmx_flush_vpid(v);
			return ACT_SKIP;
		case 4:
			return emulate_mov_cr4(v, val);
		case 8:
			return vcpu_write_cr8(v, val);
		}
	} else if (type == QUAL_CR_TYPE_FROM_CR) {
		switch (cr) {
		case 3:
			gpr_write(v, reg, vmcs_read(VMCS_GUEST_CR3));
			return ACT_SKIP;
		case 8:
			gpr_write(v, reg, vcpu_read_cr8(v));
			return ACT_SKIP;
		}
	}
	return ACT_STOP;
}
