/* SPDX-License-Identifier: MIT */
/*
 * Virtual MTRRs (Intel SDM vol. 3A 13.11; AMD APM vol. 2 7.7): every
 * x86-64 CPU has them and guests assume so. They are bookkeeping only:
 * the memory type the CPU uses comes from the EPT/NPT entries (write-back
 * for RAM) combined with the guest's PAT, never from these registers.
 * Each vCPU starts as firmware would leave it: MTRRs enabled, default
 * type write-back, fixed and variable ranges off. Writes are validated as
 * the CPU does (#GP on reserved bits and types). Pure: host-tested.
 */
#ifndef X2HV_VMM_MTRR_H
#define X2HV_VMM_MTRR_H

#include <stdbool.h>
#include <stdint.h>

#define MTRR_VAR_COUNT 8
#define MTRR_FIXED_COUNT 11

struct vmtrr {
	uint64_t def_type;
	uint64_t fixed[MTRR_FIXED_COUNT];
	uint64_t var[MTRR_VAR_COUNT][2]; /* PHYSBASE, PHYSMASK */
};

/* IA32_MTRRCAP: VCNT, FIX (bit 8), WC (bit 10), no SMRR. */
#define MTRR_CAP ((uint64_t)MTRR_VAR_COUNT | (1ull << 8) | (1ull << 10))

/* The reset state described above. */
void mtrr_reset(struct vmtrr *m);
/* Is @msr one of the MTRR MSRs (MTRRCAP, DEF_TYPE, fixed, variable)? */
bool mtrr_msr(uint32_t msr);
/* RDMSR/WRMSR of an mtrr_msr(): 0, or -1 for #GP. @phys_bits is the
 * guest's MAXPHYADDR (CPUID 0x80000008 EAX[7:0]); bits from it up are
 * reserved in PHYSBASE/PHYSMASK. */
int mtrr_rdmsr(const struct vmtrr *m, uint32_t msr, uint64_t *val);
int mtrr_wrmsr(struct vmtrr *m, uint32_t msr, uint64_t val,
	       unsigned int phys_bits);

#endif
