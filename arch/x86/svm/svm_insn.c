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

/* Keep the instruction just found when its bytes are RAM in one page. */
static void icache_fill(struct vcpu *v, const struct vmcb *c,
			const struct guest_paging *pg, enum svm_insn which,
			uint64_t lin, const struct insn_info *info)
{
	struct svm_vcpu *s = v->arch;
	struct svm_insn_cache *ic = &s->icache[svm_icache_index(c->rip)];
	uint64_t gpa;
	const uint8_t *p;

	ic[1] = ic[0]; /* the newer way becomes the older */
	ic->rip = SVM_ICACHE_EMPTY;
	if ((lin & (GUEST_PAGE - 1)) + info->len > GUEST_PAGE ||
	    guest_linear_to_phys(pg, lin, read_guest_ram, v->vm, &gpa))
		return;
	p = gpa_to_hva(v->vm, gpa, info->len);
	if (!p)
		return;
	memcpy(ic->bytes, p, info->len);
	ic->word = ic->mask = 0;
	if (info->len <= sizeof(ic->word) &&
	    ((uintptr_t)p & (GUEST_PAGE - 1)) <=
		    GUEST_PAGE - sizeof(ic->word)) {
		memcpy(&ic->word, p, sizeof(ic->word));
		ic->mask = (uint32_t)(~0ull >> (64 - 8 * info->len));
		ic->word &= ic->mask;
	}
	ic->cs_base = c->cs.base;
	ic->cr3 = c->cr3;
	ic->info = *info;
	ic->which = which;
	ic->code = p;
	ic->rip = c->rip;
}

int svm_insn_fetch(struct vcpu *v, enum svm_insn which, struct insn_info *info)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = vmcb_of(v);
	bool lm = svm_insn_long_mode(c);
	uint64_t lin = svm_insn_linear(c, lm);
	struct guest_paging pg;
	unsigned int n;
	uint8_t code[INSN_MAX_LEN];

	if (svm_icache_len(s->icache, c) &&
	    svm_icache_find(s->icache, c)->which == which) {
		*info = svm_icache_find(s->icache, c)->info;
		return 0;
	}
	if (which == SVM_INSN_NONE || which >= NR_SVM_INSNS)
		return -1;
	pg = (struct guest_paging){ c->cr0, c->cr3, c->cr4, c->efer };
	n = GUEST_PAGE - (lin & (GUEST_PAGE - 1));
	/* The bytes up to the end of the page first: the next page is read
	 * only when the instruction goes on there (it may not be mapped). */
	if (n > INSN_MAX_LEN)
		n = INSN_MAX_LEN;
	if (guest_read_linear(&pg, lin, code, n, read_guest_ram, v->vm))
		return -1;
	if (insn_len_known(code, n, lm, &svm_insn_ops[which], info)) {
		if (n == INSN_MAX_LEN ||
		    guest_read_linear(&pg, lin + n, code + n, INSN_MAX_LEN - n,
				      read_guest_ram, v->vm) ||
		    insn_len_known(code, INSN_MAX_LEN, lm, &svm_insn_ops[which],
				   info))
			return -1;
	}
	icache_fill(v, c, &pg, which, lin, info);
	return 0;
}
