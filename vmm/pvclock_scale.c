// SPDX-License-Identifier: MIT
/*
 * pvclock scale factors (kvmclock.h): pure arithmetic, also compiled into
 * the host unit test tests/unit/test_pvclock.c.
 */
#include <stdint.h>

#include "vmm/kvmclock.h"

#define NSEC_PER_MSEC 1000000ull

void pvclock_scale_for(uint64_t tsc_khz, uint32_t *mul, int8_t *shift)
{
	/* ns per tick = 1e6 / kHz, as a 32.32 fraction scaled by 2^shift. */
	uint64_t frac = (NSEC_PER_MSEC << 32) / (tsc_khz ? tsc_khz : 1);
	int s = 0;

	while (frac >= (1ull << 32)) {
		frac >>= 1;
		s++;
	}
	while (frac && frac < (1ull << 31) && s > -31) {
		frac <<= 1;
		s--;
	}
	*mul = (uint32_t)frac;
	*shift = (int8_t)s;
}

uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}
