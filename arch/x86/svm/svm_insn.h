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

#include "arch/x86/insn_len.h"

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

/* Find @which at the guest's CS:RIP: 0 and @info, or -1 (the bytes
 * are not readable RAM, or not that instruction). */
int svm_insn_fetch(struct vcpu *v, enum svm_insn which, struct insn_info *info);

#endif
