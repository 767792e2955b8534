// SPDX-License-Identifier: MIT
/* Control-register and EFER write checks (vmm/cr_policy.h). */
#include "vmm/cr_policy.h"

#include "include/x86.h"

/* PE MP EM TS ET NE (5:0), WP (16), AM (18), NW CD PG (31:29). */
#define CR0_DEFINED 0xe005003full

/* A CR4 bit and the CPUID flag that offers it (SDM Vol. 3A, 2.5). */
struct cr4_feature {
	uint64_t bit;
	uint8_t word; /* index into the words below */
	uint8_t flag;
};

enum {
	W_L1_ECX,
	W_L1_EDX,
	W_L7_EBX,
	W_L7_ECX,
	W_L7_EDX,
	NR_WORDS
};

static const struct cr4_feature cr4_features[] = {
	{ CR4_VME, W_L1_EDX, 1 },      { CR4_PVI, W_L1_EDX, 1 },
	{ CR4_TSD, W_L1_EDX, 4 },      { CR4_DE, W_L1_EDX, 2 },
	{ CR4_PSE, W_L1_EDX, 3 },      { CR4_PAE, W_L1_EDX, 6 },
	{ CR4_MCE, W_L1_EDX, 7 },      { CR4_PGE, W_L1_EDX, 13 },
	{ CR4_OSFXSR, W_L1_EDX, 24 },  { CR4_OSXMMEXCPT, W_L1_EDX, 25 },
	{ CR4_UMIP, W_L7_ECX, 2 },     { CR4_LA57, W_L7_ECX, 16 },
	{ CR4_FSGSBASE, W_L7_EBX, 0 }, { CR4_PCIDE, W_L1_ECX, 17 },
	{ CR4_OSXSAVE, W_L1_ECX, 26 }, { CR4_SMEP, W_L7_EBX, 7 },
	{ CR4_SMAP, W_L7_EBX, 20 },    { CR4_PKE, W_L7_ECX, 3 },
	{ CR4_CET, W_L7_ECX, 7 },
};

void cr_policy_init(struct cr_policy *p, const struct cr_cpuid *c)
{
	const uint32_t words[NR_WORDS] = { c->l1_ecx, c->l1_edx, c->l7_ebx,
					   c->l7_ecx, c->l7_edx };

	/* PCE has no CPUID flag (RDPMC exists on every x86-64 CPU). */
	p->cr4_allowed = CR4_PCE;
	for (unsigned int i = 0;
	     i < sizeof(cr4_features) / sizeof(cr4_features[0]); i++)
		if ((words[cr4_features[i].word] >> cr4_features[i].flag) & 1)
			p->cr4_allowed |= cr4_features[i].bit;
	/* SYSCALL, LM and NX in 0x80000001:EDX (SDM Vol. 2A CPUID). */
	p->efer_allowed = 0;
	if (c->e1_edx & (1u << 11))
		p->efer_allowed |= EFER_SCE;
	if (c->e1_edx & (1u << 29))
		p->efer_allowed |= EFER_LME;
	if (c->e1_edx & (1u << 20))
		p->efer_allowed |= EFER_NXE;
}

int cr0_write_check(const struct cr_state *s, uint64_t val, uint64_t *out)
{
	bool lma = s->efer & EFER_LMA;

	if ((val & CR0_RESERVED_HI) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return -1;
	/* Paging on with EFER.LME enters IA-32e mode: needs PAE. */
	if (!(s->cr0 & CR0_PG) && (val & CR0_PG) && (s->efer & EFER_LME) &&
	    !(s->cr4 & CR4_PAE))
		return -1;
	/* Paging off: not from 64-bit code, nor with PCIDE on. */
	if ((s->cr0 & CR0_PG) && !(val & CR0_PG) &&
	    ((lma && s->cs_l) || (s->cr4 & CR4_PCIDE)))
		return -1;
	if (!(val & CR0_WP) && (s->cr4 & CR4_CET))
		return -1;
	*out = (val & CR0_DEFINED) | CR0_ET;
	return 0;
}

int cr4_write_check(const struct cr_policy *p, const struct cr_state *s,
		    uint64_t val, uint64_t *out)
{
	bool lma = s->efer & EFER_LMA;

	if (val & ~p->cr4_allowed)
		return -1; /* reserved, or the guest's CPUID hides it */
	if (lma && !(val & CR4_PAE))
		return -1; /* cannot leave PAE in IA-32e mode */
	if (lma && ((s->cr4 ^ val) & CR4_LA57))
		return -1; /* paging depth changes only outside it */
	if (!(s->cr4 & CR4_PCIDE) && (val & CR4_PCIDE) &&
	    (!lma || (s->cr3 & CR3_PCID_MASK)))
		return -1;
	if ((val & CR4_CET) && !(s->cr0 & CR0_WP))
		return -1;
	*out = val;
	return 0;
}

int efer_write_check(const struct cr_policy *p, const struct cr_state *s,
		     uint64_t val, uint64_t *out)
{
	if (val & ~(p->efer_allowed | EFER_LMA))
		return -1;
	/* LME cannot change while paging is on (SDM Vol. 3A, 10.8.5). */
	if ((s->cr0 & CR0_PG) && ((s->efer ^ val) & EFER_LME))
		return -1;
	*out = (val & ~EFER_LMA) | (s->efer & EFER_LMA);
	return 0;
}
