// SPDX-License-Identifier: MIT
/*
 * The x2APIC is locked on: IA32_APIC_BASE reads 0xFEE00000 | EN | EXTD
 * (| BSP on vCPU 0), a write that clears EXTD or EN raises #GP (the
 * IA32_XAPIC_DISABLE_STATUS.LEGACY_XAPIC_DISABLED semantics, Intel ISE
 * "x2APIC lock"), rewriting the same value is fine, and MSR 0xBD reads 1.
 * On bare hardware without the lock only the architectural part runs:
 * EN=1,EXTD=0 from x2APIC mode is an invalid transition (SDM 11.12.5).
 */
#include "tests/guest/lib/guest.h"

void test_main(void)
{
	uint64_t base, v = 0;
	int r;

	require_x2apic();
	base = rdmsr(MSR_APIC_BASE);
	ok((base & APIC_BASE_EN) && (base & APIC_BASE_EXTD),
	   "APIC base %lx: EN and EXTD set", base);
	ok(base & APIC_BASE_BSP, "BSP flag set on vCPU 0");
	ok((base & ~0xfffull) == APIC_BASE_ADDR, "base address 0xfee00000");

	ok(wrmsr_safe(MSR_APIC_BASE, base) == 0, "rewriting the same value ok");
	ok(wrmsr_safe(MSR_APIC_BASE, base & ~APIC_BASE_EXTD) == FAULT_GP,
	   "clearing EXTD alone #GP (x2APIC -> xAPIC is illegal)");
	ok(wrmsr_safe(MSR_APIC_BASE, base | 1) == FAULT_GP,
	   "reserved bit 0 #GP");
	ok(rdmsr(MSR_APIC_BASE) == base, "APIC base unchanged");

	if (!x2hv_present()) {
		skip("no x2hv: lock-specific checks not run");
		return;
	}
	ok(boot_x2apic_was_enabled, "x2APIC already on at entry");
	ok(boot_apic_base == (APIC_BASE_ADDR | APIC_BASE_EN | APIC_BASE_EXTD |
			      APIC_BASE_BSP),
	   "reset APIC base %lx", boot_apic_base);
	ok(wrmsr_safe(MSR_APIC_BASE, base & ~(APIC_BASE_EXTD | APIC_BASE_EN)) ==
		   FAULT_GP,
	   "disabling the APIC (EN=EXTD=0) #GP under the lock");
	ok(wrmsr_safe(MSR_APIC_BASE, base & ~APIC_BASE_EN) == FAULT_GP,
	   "clearing EN #GP");
	ok(rdmsr(MSR_APIC_BASE) == base, "APIC base still unchanged");
	ok(apic_read(X2APIC_SVR) == (APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR),
	   "x2APIC registers still accessible");
	r = rdmsr_safe(MSR_XAPIC_DISABLE_STATUS, &v);
	ok(r == 0 && v == 1, "MSR 0xBD reads 1 (%lx)", v);
	ok(wrmsr_safe(MSR_XAPIC_DISABLE_STATUS, 0) == FAULT_GP,
	   "MSR 0xBD write #GP");
}
