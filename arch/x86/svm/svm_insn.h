/* SPDX-License-Identifier: MIT */
/*
 * The intercepted instruction on CPUs without NRIP or decode assists
 * (APM vol. 2 15.7.1, 15.33): which one it was comes with the exit, its
 * length and, for MOV to CR, its register operand come from its bytes,
 * read through the guest's page tables (vmm/guest_walk.c) and checked by
 * arch/x86/insn_len.c: prefixes up to the known opcode, nothing else.
 */
#ifndef X2HV_ARCH_X86_SVM_SVM_INSN_H
#define X2HV_ARCH_X86_SVM_SVM_INSN_H

#include "arch/x86/cpu.h"
#include "arch/x86/insn_len.h"
#include "arch/x86/svm/vmcb.h"

struct vcpu;

enum svm_insn {
	SVM_INSN_NONE, /* not an instruction x2hv skips or decodes */
	SVM_INSN_CPUID,
	SVM_INSN_RDMSR,
	SVM_INSN_WRMSR,
	SVM_INSN_HLT,
	SVM_INSN_VMMCALL,
	SVM_INSN_XSETBV,
	SVM_INSN_PAUSE,
	SVM_INSN_INVD,
	SVM_INSN_MOV_TO_CR,
	NR_SVM_INSNS
};

/*
 * The last instructions found, per vCPU (two-way, by RIP, so that the
 * instructions of a hot loop, an interrupt handler's EOI and the main
 * line's WRMSR, stay even where they fall on the same set): where its bytes lie in the host's mapping of guest RAM and what
 * they were. The next exit at the same RIP, CS base and CR3 (the VMCB's
 * fields as they are: no linear address to compute) whose bytes there
 * are still the same takes its length without a page walk (a CPUID or
 * VMMCALL loop, a guest's idle HLT). The bytes are compared at every use,
 * so code written in place is seen. The same bytes are the same
 * instruction of the same length in every mode: a prefix that only long
 * mode takes (REX) ends an instruction elsewhere, so its exit comes at
 * another RIP. A mapping the guest changes under the same CR3 without a
 * CR3 write (paging turned off, a page table edited) is not seen, which
 * can only misplace that guest's own RIP, as a guest could by writing RIP
 * itself.
 */
#define SVM_INSN_SETS 4
#define SVM_INSN_CACHE (2 * SVM_INSN_SETS)
#define SVM_ICACHE_EMPTY (~0ull) /* a RIP no exit has: not canonical */

struct svm_insn_cache {
	uint64_t rip, cs_base, cr3; /* rip SVM_ICACHE_EMPTY: empty */
	const uint8_t *code;
	/* The instruction's bytes as one load, when it has at most 4 and
	 * the 4 bytes at @code lie in one page: @mask covers them; else 0
	 * and @bytes are compared one by one. */
	uint32_t word, mask;
	struct insn_info info;
	uint8_t which; /* enum svm_insn */
	uint8_t bytes[INSN_MAX_LEN];
};

static inline void svm_icache_clear(struct svm_insn_cache *cache)
{
	for (unsigned int i = 0; i < SVM_INSN_CACHE; i++)
		cache[i].rip = SVM_ICACHE_EMPTY;
}

/* Find @which at the guest's CS:RIP: 0 and @info, or -1 (the bytes
 * are not readable RAM, or not that instruction). */
int svm_insn_fetch(struct vcpu *v, enum svm_insn which, struct insn_info *info);

/* 64-bit code: CS.L in long mode (APM vol. 2 4.8.1). */
static inline bool svm_insn_long_mode(const struct vmcb *c)
{
	return (c->efer & EFER_LMA) && (c->cs.attr & SVM_SEG_ATTR_L);
}

/* The linear address of CS:RIP; outside 64-bit code it is 32 bits. */
static inline uint64_t svm_insn_linear(const struct vmcb *c, bool lm)
{
	return lm ? c->rip : (uint32_t)(c->cs.base + c->rip);
}

/* The first of the set's two entries (the newer; svm_insn.c fills). */
static inline unsigned int svm_icache_index(uint64_t rip)
{
	return 2 * (rip % SVM_INSN_SETS);
}

static inline bool svm_icache_match(const struct svm_insn_cache *ic,
				    const struct vmcb *c)
{
	return ic->rip == c->rip && ic->cr3 == c->cr3 &&
	       ic->cs_base == c->cs.base;
}

/* The entry for the guest's CS:RIP and CR3 as they are, or NULL. */
static inline const struct svm_insn_cache *
svm_icache_find(const struct svm_insn_cache *cache, const struct vmcb *c)
{
	const struct svm_insn_cache *ic = &cache[svm_icache_index(c->rip)];

	if (svm_icache_match(ic, c))
		return ic;
	return svm_icache_match(ic + 1, c) ? ic + 1 : NULL;
}

/*
 * The cache's half of svm_insn_fetch, inline for the exit decoder: the
 * length of the instruction at the guest's CS:RIP when @cache holds it
 * and its bytes are the same, else 0 (svm_skip_insn then takes the whole
 * svm_insn_fetch, which fills the cache). A hit costs no call and no
 * page walk: the common case of every exit that skips an instruction
 * on a CPU without NRIP.
 */
static inline uint8_t svm_icache_len(const struct svm_insn_cache *cache,
				     const struct vmcb *c)
{
	const struct svm_insn_cache *ic = svm_icache_find(cache, c);
	uint32_t now;

	if (!ic)
		return 0;
	if (ic->mask) {
		__builtin_memcpy(&now, ic->code, sizeof(now));
		return (now ^ ic->word) & ic->mask ? 0 : ic->info.len;
	}
	for (unsigned int i = 0; i < ic->info.len; i++)
		if (ic->code[i] != ic->bytes[i])
			return 0;
	return ic->info.len;
}

#endif
