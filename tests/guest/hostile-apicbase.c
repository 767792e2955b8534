// SPDX-License-Identifier: MIT
/*
 * Every way of trying to leave x2APIC mode through IA32_APIC_BASE (clear
 * EXTD, clear EN, clear both, reserved bits, a moved base) and writes to
 * IA32_XAPIC_DISABLE_STATUS (0xBD). Under x2hv the lock makes each mode
 * change #GP; a moved base may be refused or ignored, but the APIC stays
 * enabled in x2APIC mode and still delivers a self-IPI afterwards.
 */
#include "tests/guest/lib/guest.h"

#define VEC 0x63
#define OTHER_BASE 0xfed00000ull
#define RSVD_BIT9 (1ull << 9)
#define RSVD_HIGH (1ull << 62)

static volatile unsigned int hits;

static void handler(struct regs *r)
{
	hits++;
	apic_eoi();
}

void test_main(void)
{
	uint64_t base, v = 0;
	int r;

	require_x2apic();
	set_handler(VEC, handler);
	base = rdmsr(MSR_APIC_BASE);

	ok(wrmsr_safe(MSR_APIC_BASE, base & ~APIC_BASE_EXTD) == FAULT_GP,
	   "EN=1 EXTD=0 #GP");
	ok(wrmsr_safe(MSR_APIC_BASE, base | RSVD_BIT9) == FAULT_GP,
	   "reserved bit 9 #GP");
	ok(wrmsr_safe(MSR_APIC_BASE, base | RSVD_HIGH) == FAULT_GP,
	   "reserved bit 62 #GP");
	if (x2hv_present()) {
		ok(wrmsr_safe(MSR_APIC_BASE, base & ~APIC_BASE_EN) == FAULT_GP,
		   "EN=0 EXTD=1 #GP");
		ok(wrmsr_safe(MSR_APIC_BASE,
			      base & ~(APIC_BASE_EN | APIC_BASE_EXTD)) ==
			   FAULT_GP,
		   "EN=0 EXTD=0 #GP (locked)");
		ok(wrmsr_safe(MSR_APIC_BASE, 0) == FAULT_GP, "write 0 #GP");
		r = wrmsr_safe(MSR_APIC_BASE, (base & 0xfff) | OTHER_BASE);
		printf("moving the base: %s\n", r ? "#GP" : "accepted");
		for (uint32_t val = 0; val < 4; val++)
			if (wrmsr_safe(MSR_XAPIC_DISABLE_STATUS, val) !=
			    FAULT_GP)
				fail("MSR 0xBD write %u accepted", val);
		r = rdmsr_safe(MSR_XAPIC_DISABLE_STATUS, &v);
		ok(r == 0 && v == 1, "MSR 0xBD still 1");
	} else {
		skip("no x2hv: lock-only writes not attempted");
	}
	v = rdmsr(MSR_APIC_BASE);
	ok((v & APIC_BASE_EN) && (v & APIC_BASE_EXTD),
	   "still enabled in x2APIC mode (%lx)", v);
	wrmsr_safe(MSR_APIC_BASE, base);
	apic_self_ipi(VEC);
	sti();
	tsc_delay(1000000);
	cli();
	ok(hits == 1, "self-IPI still delivered (%u)", hits);
}
