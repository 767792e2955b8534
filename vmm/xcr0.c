// SPDX-License-Identifier: MIT
/* The XCR0 rules of XSETBV (vmm/xcr0.h). */
#include "vmm/xcr0.h"

/* All of @bits or none of them. */
static bool all_or_none(uint64_t val, uint64_t bits)
{
	return (val & bits) == 0 || (val & bits) == bits;
}

bool xcr0_valid(uint64_t val, uint64_t allowed)
{
	/* SDM Vol. 2D XSETBV, "Operation" and #GP(0) conditions. */
	if (val & ~allowed)
		return false; /* reserved or unsupported components */
	if (!(val & XCR0_X87))
		return false; /* x87 state is always enabled */
	if ((val & XCR0_AVX) && !(val & XCR0_SSE))
		return false; /* AVX needs SSE */
	if (!all_or_none(val, XCR0_MPX))
		return false; /* BNDREGS and BNDCSR together */
	if (!all_or_none(val, XCR0_AVX512))
		return false; /* opmask, ZMM_Hi256 and Hi16_ZMM together */
	if ((val & XCR0_AVX512) && !(val & XCR0_AVX))
		return false; /* AVX-512 needs AVX */
	if (!all_or_none(val, XCR0_AMX))
		return false; /* XTILECFG and XTILEDATA together */
	return true;
}
