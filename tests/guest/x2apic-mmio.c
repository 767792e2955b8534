// SPDX-License-Identifier: MIT
//! expect: RESULT: PASS
//! expect: xAPIC page fee00000: (accessed by the guest|access not tracked)
/*
 * In x2APIC mode the xAPIC MMIO page is gone (Intel SDM Vol. 3A, 11.12.2:
 * it behaves like a globally disabled xAPIC); x2hv backs nothing at
 * 0xFEE00000, so reads return all-ones and writes vanish (DESIGN.md,
 * "unbacked guest-physical space is an empty bus"). A write to the old
 * TPR offset must not reach the x2APIC TPR.
 */
#include "tests/guest/lib/guest.h"

#define XAPIC_ID_OFF 0x20
#define XAPIC_VERSION_OFF 0x30
#define XAPIC_TPR_OFF 0x80
#define TPR_PATTERN 0xf0
#define ALL_ONES 0xffffffffu

static volatile uint32_t *xapic_reg(uint64_t off)
{
	return (volatile uint32_t *)(APIC_BASE_ADDR + off);
}

void test_main(void)
{
	uint32_t id, ver;

	require_x2apic();
	apic_write(X2APIC_TPR, 0);
	id = *xapic_reg(XAPIC_ID_OFF);
	ver = *xapic_reg(XAPIC_VERSION_OFF);
	if (!x2hv_present()) {
		printf("bare: 0xfee00020 = %x, 0xfee00030 = %x\n", id, ver);
		skip("not under x2hv: MMIO contents not asserted");
	} else {
		ok(id == ALL_ONES, "0xfee00020 reads %x", id);
		ok(ver == ALL_ONES, "0xfee00030 reads %x", ver);
	}
	*xapic_reg(XAPIC_TPR_OFF) = TPR_PATTERN;
	ok(apic_read(X2APIC_TPR) == 0,
	   "MMIO TPR write did not reach the x2APIC");
	ok(apic_read(X2APIC_ID) == this_cpu()->apic_id, "x2APIC ID intact");
	ok(true, "guest survived the MMIO accesses");
}
