/* SPDX-License-Identifier: MIT */
/*
 * The guest's CPUID as a pure function of the host's: no CPU access, so
 * the host unit tests (tests/unit/test_cpuid.c) run it on made-up leaves.
 * vmm/cpuid.c feeds it the real ones. docs/cpuid.md explains each rule.
 */
#ifndef X2HV_VMM_CPUID_POLICY_H
#define X2HV_VMM_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/cpu.h"

struct cpuid_ctx {
	unsigned int vcpu_id, nr_vcpus;
	uint32_t host_max_basic, host_max_ext; /* leaf 0 / 0x80000000 EAX */
	bool amd; /* AMD (or Hygon) leaves and topology */
	bool guest_osxsave, guest_pke; /* the guest's CR4 bits, mirrored */
	bool rdtscp; /* the backend lets RDTSCP and RDPID run in the guest */
};

enum cpuid_reg {
	CPUID_EAX,
	CPUID_EBX,
	CPUID_ECX,
	CPUID_EDX
};

/*
 * A feature the guest never sees: its instruction is intercepted and
 * would #UD, its MSRs #GP, or x2hv does not virtualize it. The table is
 * also what the unit test checks with all-ones host leaves.
 */
struct cpuid_hidden {
	uint32_t leaf;
	enum cpuid_reg reg;
	uint32_t mask;
	const char *what;
};
extern const struct cpuid_hidden cpuid_hidden[];
extern const unsigned int cpuid_hidden_count;

/* The guest's leaf @leaf.@sub; @r holds the host's on entry (ignored for
 * leaves the guest does not get). Not for x2hv's own 0x40000000 range. */
void cpuid_guest_leaf(const struct cpuid_ctx *c, uint32_t leaf, uint32_t sub,
		      struct cpuid_regs *r);

#endif
