// SPDX-License-Identifier: MIT
//! timeout: 240
/*
 * RDMSR sweep over 0x0-0x1FFF, 0x40000000-0x400000FF and
 * 0xC0000000-0xC0001FFF: each index either reads or raises #GP, never any
 * other exception, never a hang. The counts are printed so runs can be
 * compared. Nothing is written.
 */
#include "tests/guest/lib/guest.h"

struct range {
	uint32_t lo, hi;
};

static const struct range ranges[] = {
	{ 0x0, 0x1fff },
	{ 0x40000000u, 0x400000ffu },
	{ 0xc0000000u, 0xc0001fffu },
};

void test_main(void)
{
	unsigned int other = 0;

	for (unsigned int i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		unsigned int readable = 0, gp = 0;

		for (uint32_t msr = ranges[i].lo;; msr++) {
			uint64_t v;
			int r = rdmsr_safe(msr, &v);

			if (r == 0)
				readable++;
			else if (r == FAULT_GP)
				gp++;
			else if (other++ < 4)
				printf("msr %x: fault %x\n", msr, r);
			if (msr == ranges[i].hi)
				break;
		}
		printf("hostile-msr-unknown: %x-%x: %u readable, %u #GP\n",
		       ranges[i].lo, ranges[i].hi, readable, gp);
		ok(readable + gp == ranges[i].hi - ranges[i].lo + 1,
		   "range %x-%x swept", ranges[i].lo, ranges[i].hi);
	}
	ok(other == 0, "no exception but #GP (%u)", other);
	ok(rdmsr(MSR_APIC_BASE) & APIC_BASE_EN || !x2hv_present(),
	   "guest intact after the sweep");
}
