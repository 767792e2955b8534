// SPDX-License-Identifier: MIT
//! vcpus: 2
/*
 * Every MSR in 0x800-0x8FF (the x2APIC range, Intel SDM Vol. 3A, 11.12.1.2)
 * and 0x900-0x90F, read and written: defined registers behave
 * architecturally, everything else raises #GP; nothing hangs and the other
 * vCPU keeps its heartbeat. Writes put back what was read, so defined
 * registers are not disturbed (ICR and the timer count are only read).
 */
#include "tests/guest/lib/guest.h"

#define RANGE_LO 0x800
#define RANGE_HI 0x90f
#define X2APIC_LAST 0x8ff
#define MAXLVT_SHIFT 16

enum kind {
	HOLE,
	RW,
	RO,
	WO
};

static enum kind classify(uint32_t msr, unsigned int maxlvt)
{
	if (msr > X2APIC_LAST)
		return HOLE;
	switch (msr) {
	case X2APIC_ID:
	case X2APIC_VERSION:
	case X2APIC_PPR:
	case X2APIC_LDR:
	case X2APIC_TMCCT:
		return RO;
	case X2APIC_TPR:
	case X2APIC_SVR:
	case X2APIC_ESR:
	case X2APIC_ICR:
	case X2APIC_LVT_TIMER:
	case X2APIC_LVT_LINT0:
	case X2APIC_LVT_LINT1:
	case X2APIC_LVT_ERROR:
	case X2APIC_TMICT:
	case X2APIC_TDCR:
		return RW;
	case X2APIC_LVT_THERMAL:
	case X2APIC_LVT_PMI:
	case X2APIC_LVT_CMCI:
		return RW; /* present or not per max LVT: checked loosely */
	case X2APIC_EOI:
	case X2APIC_SELF_IPI:
		return WO;
	}
	if (msr >= X2APIC_ISR0 && msr < X2APIC_IRR0 + 8)
		return RO;
	return HOLE;
}

void test_main(void)
{
	unsigned int maxlvt, holes = 0, hole_bad = 0, reg_bad = 0, defined = 0;
	uint64_t v;

	require_x2apic();
	ok(heartbeat_start(), "heartbeat vCPU started");
	cli();
	maxlvt = (apic_read(X2APIC_VERSION) >> MAXLVT_SHIFT) & 0xff;

	for (uint32_t msr = RANGE_LO; msr <= RANGE_HI; msr++) {
		enum kind k = classify(msr, maxlvt);
		int r = rdmsr_safe(msr, &v);
		bool optional = msr == X2APIC_LVT_THERMAL ||
				msr == X2APIC_LVT_PMI || msr == X2APIC_LVT_CMCI;

		if (k == HOLE) {
			holes++;
			if (r != FAULT_GP || wrmsr_safe(msr, 0) != FAULT_GP) {
				printf("hole %x: read %x\n", msr, r);
				hole_bad++;
			}
			continue;
		}
		defined++;
		if (k == WO) {
			if (r != FAULT_GP) {
				printf("write-only %x readable\n", msr);
				reg_bad++;
			}
			continue;
		}
		if (r != 0) {
			if (!optional) {
				printf("register %x: read fault %x\n", msr, r);
				reg_bad++;
			}
			continue;
		}
		if (k == RO) {
			if (wrmsr_safe(msr, v) != FAULT_GP) {
				printf("read-only %x writable\n", msr);
				reg_bad++;
			}
		} else if (msr != X2APIC_ICR && msr != X2APIC_TMICT) {
			if (wrmsr_safe(msr, msr == X2APIC_ESR ? 0 : v) != 0) {
				printf("register %x: write-back faulted\n",
				       msr);
				reg_bad++;
			}
		}
	}
	printf("hostile-msr-gaps: %u holes, %u defined registers\n", holes,
	       defined);
	ok(!hole_bad, "all %u holes #GP on read and write (%u bad)", holes,
	   hole_bad);
	ok(!reg_bad, "defined registers behave (%u bad)", reg_bad);
	ok(heartbeat_alive(), "other vCPU still running");
	ok(apic_read(X2APIC_SVR) == (APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR),
	   "SVR intact");
}
