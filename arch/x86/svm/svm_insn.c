// SPDX-License-Identifier: MIT
/* The intercepted instruction's bytes (svm_insn.h). */
#include <string.h>

#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/svm_insn.h"
#include "arch/x86/svm/vmcb.h"
#include "vmm/guest_walk.h"
#include "vmm/vm.h"

#define GUEST_PAGE 4096u

/* The opcode bytes of each instruction SVM intercepts and x2hv skips
 * (AMD APM vol. 3; PAUSE is F3 90, the F3 walks as a prefix). */
static const struct insn_opcode svm_insn_ops[NR_SVM_INSNS] = {
	[SVM_INSN_CPUID] = { 2, { 0x0f, 0xa2 }, false },
	[SVM_INSN_RDMSR] = { 2, { 0x0f, 0x32 }, false },
	[SVM_INSN_WRMSR] = { 2, { 0x0f, 0x30 }, false },
	[SVM_INSN_HLT] = { 1, { 0xf4 }, false },
	[SVM_INSN_VMMCALL] = { 3, { 0x0f, 0x01, 0xd9 }, false },
	[SVM_INSN_XSETBV] = { 3, { 0x0f, 0x01, 0xd1 }, false },
	[SVM_INSN_PAUSE] = { 1, { 0x90 }, false },
	[SVM_INSN_INVD] = { 2, { 0x0f, 0x08 }, false },
	[SVM_INSN_MOV_TO_CR] = { 2, { 0x0f, 0x22 }, true },
};

static int read_guest_ram(void *ctx, uint64_t gpa, void *buf, unsigned int len)
{
	const void *p = gpa_to_hva(ctx, gpa, len);

	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

int svm_insn_fetch(struct vcpu *v, enum svm_insn which, struct insn_info *info)
{
	struct vmcb *c = vmcb_of(v);
	struct guest_paging pg = { c->cr0, c->cr3, c->cr4, c->efer };
	bool lm = (c->efer & EFER_LMA) && (c->cs.attr & SVM_SEG_ATTR_L);
	/* Linear address of CS:RIP; outside 64-bit code it is 32 bits. */
	uint64_t lin = lm ? c->rip : (uint32_t)(c->cs.base + c->rip);
	unsigned int n = GUEST_PAGE - (lin & (GUEST_PAGE - 1));
	uint8_t code[INSN_MAX_LEN];

	if (which == SVM_INSN_NONE || which >= NR_SVM_INSNS)
		return -1;
	/* The bytes up to the end of the page first: the next page is read
	 * only when the instruction goes on there (it may not be mapped). */
	if (n > INSN_MAX_LEN)
		n = INSN_MAX_LEN;
	if (guest_read_linear(&pg, lin, code, n, read_guest_ram, v->vm))
		return -1;
	if (!insn_len_known(code, n, lm, &svm_insn_ops[which], info))
		return 0;
	if (n == INSN_MAX_LEN ||
	    guest_read_linear(&pg, lin + n, code + n, INSN_MAX_LEN - n,
			      read_guest_ram, v->vm))
		return -1;
	return insn_len_known(code, INSN_MAX_LEN, lm, &svm_insn_ops[which],
			      info);
}
