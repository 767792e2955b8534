// SPDX-License-Identifier: MIT
/*
 * The x2APIC register file's #GP rules, seen from the guest (Intel SDM
 * Vol. 3A, 11.12.1.2 Table 11-6 and 11.12.1.3 "Reserved Bit Checking"):
 * write-only registers #GP on read, read-only ones on write, holes in the
 * map #GP both ways, reserved bits and bits 63:32 of 32-bit registers #GP
 * on write. Also LDR derived from the ID (11.12.10.2) and the version.
 */
#include "tests/guest/lib/guest.h"

#define VERSION_MIN 0x10 /* integrated APIC (SDM 11.4.8) */
#define VERSION_MAX 0x15
#define MAXLVT_SHIFT 16
#define MAXLVT_MIN 5 /* timer, thermal, PMI, LINT0, LINT1, error */
#define HIGH_BIT (1ull << 32)
#define ICR_NOBODY 0x7fffu /* a destination with no vCPU */
#define SVR_RESET 0xff

static const uint32_t holes[] = {
	0x800, 0x801, 0x804, 0x805, 0x806, 0x807, 0x809, 0x80c,
	0x80e, 0x829, 0x82a, 0x82b, 0x82c, 0x82d, 0x82e, 0x831,
	0x83a, 0x83b, 0x83c, 0x83d, 0x840, 0x8ff,
};

static const uint32_t read_only[] = {
	X2APIC_ID, X2APIC_VERSION, X2APIC_PPR, X2APIC_LDR, X2APIC_TMCCT,
};

struct rsvd {
	uint32_t msr;
	uint64_t val;
	const char *what;
};

/* Each value is legal but for one reserved bit. */
static const struct rsvd reserved[] = {
	{ X2APIC_TPR, 1u << 8, "TPR bit 8" },
	{ X2APIC_TPR, HIGH_BIT, "TPR bit 32" },
	{ X2APIC_EOI, 1, "EOI non-zero" },
	{ X2APIC_EOI, HIGH_BIT, "EOI bit 32" },
	{ X2APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR | 1u << 10,
	  "SVR bit 10" },
	{ X2APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR | 1u << 13,
	  "SVR bit 13" },
	{ X2APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR | HIGH_BIT,
	  "SVR bit 32" },
	{ X2APIC_ESR, 1, "ESR non-zero" },
	{ X2APIC_LVT_TIMER, APIC_LVT_MASKED | 1u << 8, "LVT timer bit 8" },
	{ X2APIC_LVT_TIMER, APIC_LVT_MASKED | 1u << 20, "LVT timer bit 20" },
	{ X2APIC_LVT_TIMER, APIC_LVT_MASKED | HIGH_BIT, "LVT timer bit 32" },
	{ X2APIC_LVT_LINT0, APIC_LVT_MASKED | 1u << 17, "LINT0 bit 17" },
	{ X2APIC_LVT_LINT1, APIC_LVT_MASKED | 1u << 17, "LINT1 bit 17" },
	{ X2APIC_LVT_ERROR, APIC_LVT_MASKED | 1u << 8, "LVT error bit 8" },
	{ X2APIC_LVT_ERROR, APIC_LVT_MASKED | 1u << 13, "LVT error bit 13" },
	{ X2APIC_TDCR, 1u << 2, "TDCR bit 2" },
	{ X2APIC_TDCR, 1u << 4, "TDCR bit 4" },
	{ X2APIC_TMICT, HIGH_BIT, "TMICT bit 32" },
	{ X2APIC_SELF_IPI, 0x40 | 1u << 8, "SELF_IPI bit 8" },
	{ X2APIC_SELF_IPI, 0x40 | HIGH_BIT, "SELF_IPI bit 32" },
	{ X2APIC_ICR, (uint64_t)ICR_NOBODY << 32 | 0x40 | 1u << 16,
	  "ICR bit 16" },
	{ X2APIC_ICR, (uint64_t)ICR_NOBODY << 32 | 0x40 | 1u << 20,
	  "ICR bit 20" },
};

void test_main(void)
{
	uint64_t v;
	uint32_t id, ver, maxlvt, ldr;
	unsigned int bad;

	require_x2apic();

	ok(rdmsr_safe(X2APIC_EOI, &v) == FAULT_GP, "read EOI #GP");
	ok(rdmsr_safe(X2APIC_SELF_IPI, &v) == FAULT_GP, "read SELF_IPI #GP");

	bad = 0;
	for (unsigned int i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		if (rdmsr_safe(holes[i], &v) != FAULT_GP ||
		    wrmsr_safe(holes[i], 0) != FAULT_GP) {
			printf("hole %x did not #GP\n", holes[i]);
			bad++;
		}
	}
	ok(!bad, "%u nonexistent registers #GP on read and write",
	   (unsigned int)(sizeof(holes) / sizeof(holes[0])));

	bad = 0;
	for (unsigned int i = 0; i < sizeof(read_only) / sizeof(read_only[0]);
	     i++) {
		uint32_t msr = read_only[i];

		if (rdmsr_safe(msr, &v) != 0 ||
		    wrmsr_safe(msr, msr == X2APIC_TMCCT ? 0 : v) != FAULT_GP) {
			printf("read-only %x: bad\n", msr);
			bad++;
		}
	}
	for (uint32_t msr = X2APIC_ISR0; msr < X2APIC_IRR0 + 8; msr++) {
		if (rdmsr_safe(msr, &v) != 0 ||
		    wrmsr_safe(msr, v) != FAULT_GP) {
			printf("ISR/TMR/IRR %x: bad\n", msr);
			bad++;
		}
	}
	ok(!bad, "read-only registers read fine and #GP on write");

	bad = 0;
	for (unsigned int i = 0; i < sizeof(reserved) / sizeof(reserved[0]);
	     i++) {
		if (wrmsr_safe(reserved[i].msr, reserved[i].val) != FAULT_GP) {
			printf("reserved bit accepted: %s\n", reserved[i].what);
			bad++;
		}
	}
	ok(!bad, "%u reserved-bit writes #GP",
	   (unsigned int)(sizeof(reserved) / sizeof(reserved[0])));
	ok(apic_read(X2APIC_TPR) == 0, "TPR unchanged by the #GP writes");
	ok(apic_read(X2APIC_SVR) == (APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR),
	   "SVR unchanged by the #GP writes");

	ok(wrmsr_safe(X2APIC_TPR, 0x20) == 0 && apic_read(X2APIC_TPR) == 0x20,
	   "TPR 0x20 round-trips");
	apic_write(X2APIC_TPR, 0);
	ok(wrmsr_safe(X2APIC_ESR, 0) == 0, "ESR write of 0 is fine");
	ok(wrmsr_safe(X2APIC_EOI, 0) == 0, "EOI write of 0 is fine");

	id = apic_id();
	ldr = apic_read(X2APIC_LDR);
	ok(ldr == ((id >> 4) << 16 | 1u << (id & 0xf)),
	   "LDR %x derived from x2APIC ID %u", ldr, id);

	ver = apic_read(X2APIC_VERSION);
	maxlvt = (ver >> MAXLVT_SHIFT) & 0xff;
	ok((ver & 0xff) >= VERSION_MIN && (ver & 0xff) <= VERSION_MAX,
	   "version %x is an integrated APIC", ver & 0xff);
	ok(maxlvt >= MAXLVT_MIN, "max LVT entry %u >= %u", maxlvt, MAXLVT_MIN);
	if (x2hv_present())
		ok(boot_svr == SVR_RESET, "SVR reset value 0xff (%lx)",
		   boot_svr);
}
