/* SPDX-License-Identifier: MIT */
/*
 * The guest's MSRs as one table: for every MSR x2hv answers, what a read
 * returns and what a write does. Pure data and a lookup, tested on the
 * host (tests/unit/test_msr.c), which also keeps docs/msr.md in step.
 * vmm/msr.c applies it; an MSR the table does not list raises #GP, as on
 * a CPU without it. MSRs the guest reaches without an exit are in
 * vmm/msr_bitmap.c.
 */
#ifndef X2HV_VMM_MSR_POLICY_H
#define X2HV_VMM_MSR_POLICY_H

#include <stdbool.h>
#include <stdint.h>

enum msr_vendor {
	MSR_ANY,
	MSR_INTEL, /* #GP on AMD guests, as on AMD CPUs */
	MSR_AMD, /* #GP on Intel guests */
};

enum msr_how {
	MSR_RO, /* reads .value, writes #GP */
	MSR_RAZ_WI, /* reads .value, writes ignored */
	MSR_W_SAME, /* reads .value; writing it again is fine, else #GP */
	MSR_EMULATED, /* vmm/msr.c, by .emu */
};

enum msr_emu {
	EMU_NONE,
	EMU_TSC,
	EMU_TSC_ADJUST,
	EMU_EFER,
	EMU_PAT,
	EMU_MTRR, /* vmm/mtrr.c */
	EMU_PLATFORM_INFO,
	EMU_DEBUGCTL,
	EMU_VLAPIC, /* vlapic/ */
	EMU_KVMCLOCK, /* vmm/kvmclock.c */
};

struct msr_rule {
	uint32_t first, last; /* inclusive */
	enum msr_vendor vendor;
	enum msr_how how;
	enum msr_emu emu;
	uint64_t value;
	const char *name;
	const char *why; /* docs/msr.md */
};

extern const struct msr_rule msr_rules[];
extern const unsigned int msr_rules_count;

/* The rule for @msr on an AMD (@amd) or Intel guest, NULL: #GP. */
const struct msr_rule *msr_rule_find(uint32_t msr, bool amd);

#endif
