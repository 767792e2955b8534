// SPDX-License-Identifier: MIT
/*
 * The control registers the SVM backend handles itself, mirror of
 * vmx_cr.c: MOV to CR4, checked against the guest's CPUID and the SDM's
 * rules (vmm/cr_policy.c), and CR8, which is the vlapic's TPR (APM vol. 2
 * 16.6.4). The register operand comes from the decode assists, or from
 * the instruction's bytes (svm_insn.c). Runs on the vCPU's own CPU.
 */
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/svm_insn.h"
#include "arch/x86/svm/vmcb.h"
#include "lib/printk.h"
#include "vmm/vm.h"

#define GPR_RSP 4
#define NR_GPRS 16
#define REX_B 0x1u
#define REX_R 0x4u
#define MODRM_REG(m) (((m) >> 3) & 7u)
#define MODRM_RM(m) ((m)&7u)
#define TLB_FLUSH_ALL 1

/* GPR number (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15) to value;
 * RSP is in the VMCB. */
static uint64_t svm_gpr_read(struct vcpu *v, unsigned int n)
{
	const struct guest_regs *r = &v->regs;
	const uint64_t *const map[NR_GPRS] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL,    &r->rbp,
		&r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
		&r->r12, &r->r13, &r->r14, &r->r15,
	};

	n &= NR_GPRS - 1;
	return n == GPR_RSP ? vmcb_of(v)->rsp : *map[n];
}

/* The GPR the MOV to CR@cr reads: 0 and *@gpr, or -1. */
static int svm_cr_operand(struct vcpu *v, unsigned int cr, unsigned int *gpr)
{
	struct insn_info info;

	if ((svm_features & SVM_F_DECODE) && (v->exit.qual & SVM_CR_INFO_MOV)) {
		*gpr = v->exit.qual & SVM_CR_INFO_GPR_MASK;
		return 0;
	}
	if (svm_insn_fetch(v, SVM_INSN_MOV_TO_CR, &info) ||
	    (MODRM_REG(info.modrm) | ((info.rex & REX_R) ? 8u : 0u)) != cr)
		return -1;
	*gpr = MODRM_RM(info.modrm) | ((info.rex & REX_B) ? 8u : 0u);
	if (!v->exit.insn_len)
		v->exit.insn_len = info.len;
	return 0;
}

static enum exit_action svm_mov_to_cr4(struct vcpu *v, uint64_t val)
{
	struct vmcb *c = vmcb_of(v);
	struct cr_state st;
	uint64_t cr4;

	vcpu_cr_state(v, &st);
	if (cr4_write_check(vcpu_cr_policy(v), &st, val, &cr4)) {
		vcpu_event(v, GEV_CR);
		return ACT_INJECT_GP;
	}
	/* Paging bits (PGE, PAE, PSE, PCIDE, SMEP, LA57...) change what is
	 * cached: flush the guest's translations as the CPU would. */
	if (cr4 != c->cr4)
		c->tlb_control = TLB_FLUSH_ALL;
	c->cr4 = cr4;
	return ACT_SKIP;
}

enum exit_action svm_cr_access(struct vcpu *v)
{
	struct vmcb *c = vmcb_of(v);
	unsigned int cr = v->exit.hw_reason - SVM_EXIT_CR0_WRITE, gpr;
	uint64_t val;

	if (svm_cr_operand(v, cr, &gpr)) {
		if (guest_msg_ok(v->vm))
			pr_err("vm%u: vcpu%u: MOV to CR%u at %lx: not the instruction the exit names",
			       v->vm->id, v->id, cr, c->rip);
		return ACT_STOP;
	}
	val = svm_gpr_read(v, gpr);
	/* Outside 64-bit mode the operand is 32 bits (APM vol. 3 MOV CRn). */
	if (!((c->efer & EFER_LMA) && (c->cs.attr & SVM_SEG_ATTR_L)))
		val = (uint32_t)val;
	switch (cr) {
	case 4:
		return svm_mov_to_cr4(v, val);
	case 8:
		return vcpu_write_cr8(v, val);
	default:
		return ACT_STOP;
	}
}
