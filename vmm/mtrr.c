// SPDX-License-Identifier: MIT
/* Virtual MTRRs (mtrr.h). */
#include "vmm/mtrr.h"

#define MSR_MTRRCAP 0xfe
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_FIX64K 0x250
#define MSR_MTRR_FIX16K_80000 0x258
#define MSR_MTRR_FIX16K_A0000 0x259
#define MSR_MTRR_FIX4K_C0000 0x268
#define MSR_MTRR_FIX4K_F8000 0x26f
#define MSR_MTRR_DEF_TYPE 0x2ff

/* Memory types (SDM vol. 3A table 13-8): 2, 3 and 7 and up are reserved. */
#define MT_WB 6
#define DEF_TYPE_FE (1ull << 10)
#define DEF_TYPE_E (1ull << 11)
#define DEF_TYPE_VALID (0xffull | DEF_TYPE_FE | DEF_TYPE_E)
#define PHYSBASE_LOW 0xffull /* type; 11:8 reserved */
#define PHYSMASK_V (1ull << 11) /* 10:0 reserved */
#define PAGE_MASK_ ~0xfffull

static bool type_valid(uint64_t t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

void mtrr_reset(struct vmtrr *m)
{
	*m = (struct vmtrr){ .def_type = DEF_TYPE_E | MT_WB };
}

/* Index into m->fixed[] of a fixed-range MSR, or -1. */
static int fixed_index(uint32_t msr)
{
	if (msr == MSR_MTRR_FIX64K)
		return 0;
	if (msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000)
		return 1 + (int)(msr - MSR_MTRR_FIX16K_80000);
	if (msr >= MSR_MTRR_FIX4K_C0000 && msr <= MSR_MTRR_FIX4K_F8000)
		return 3 + (int)(msr - MSR_MTRR_FIX4K_C0000);
	return -1;
}

static bool var_msr(uint32_t msr)
{
	return msr >= MSR_MTRR_PHYSBASE0 &&
	       msr < MSR_MTRR_PHYSBASE0 + 2 * MTRR_VAR_COUNT;
}

bool mtrr_msr(uint32_t msr)
{
	return msr == MSR_MTRRCAP || msr == MSR_MTRR_DEF_TYPE ||
	       fixed_index(msr) >= 0 || var_msr(msr);
}

int mtrr_rdmsr(const struct vmtrr *m, uint32_t msr, uint64_t *val)
{
	int f = fixed_index(msr);

	if (msr == MSR_MTRRCAP)
		*val = MTRR_CAP;
	else if (msr == MSR_MTRR_DEF_TYPE)
		*val = m->def_type;
	else if (f >= 0)
		*val = m->fixed[f];
	else if (var_msr(msr))
		*val = m->var[(msr - MSR_MTRR_PHYSBASE0) / 2][msr & 1];
	else
		return -1;
	return 0;
}

static bool fixed_valid(uint64_t val)
{
	for (int i = 0; i < 8; i++)
		if (!type_valid((val >> (8 * i)) & 0xff))
			return false;
	return true;
}

/* PHYSBASE: type in 7:0, base from bit 12; PHYSMASK: V in bit 11, mask
 * from bit 12; both up to MAXPHYADDR - 1 (SDM vol. 3A 13.11.2.3). */
static bool var_valid(uint32_t msr, uint64_t val, unsigned int phys_bits)
{
	uint64_t addr = (phys_bits >= 64 ? ~0ull : (1ull << phys_bits) - 1) &
			PAGE_MASK_;

	if (msr & 1)
		return !(val & ~(addr | PHYSMASK_V));
	return !(val & ~(addr | PHYSBASE_LOW)) && type_valid(val & 0xff);
}

int mtrr_wrmsr(struct vmtrr *m, uint32_t msr, uint64_t val,
	       unsigned int phys_bits)
{
	int f = fixed_index(msr);

	if (msr == MSR_MTRR_DEF_TYPE) {
		if ((val & ~DEF_TYPE_VALID) || !type_valid(val & 0xff))
			return -1;
		m->def_type = val;
	} else if (f >= 0) {
		if (!fixed_valid(val))
			return -1;
		m->fixed[f] = val;
	} else if (var_msr(msr)) {
		if (!var_valid(msr, val, phys_bits))
			return -1;
		m->var[(msr - MSR_MTRR_PHYSBASE0) / 2][msr & 1] = val;
	} else {
		return -1; /* MTRRCAP is read-only */
	}
	return 0;
}
