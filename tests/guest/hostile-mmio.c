// SPDX-License-Identifier: MIT
//! vcpus: 2
/*
 * Loads and stores to guest-physical space with nothing behind it: the old
 * xAPIC page at 0xFEE00000, 0xC0000000 (above RAM), the HPET at 0xFED00000
 * and the IOAPIC at 0xFEC00000. Under x2hv reads return all-ones and
 * writes are dropped (DESIGN.md principle 5, vmm/empty_bus.h; empty-bus.c
 * checks the reads after writes), nothing faults, and the other vCPU
 * keeps running.
 */
#include "tests/guest/lib/guest.h"

#define PAGE 4096
#define STRIDE 16
#define ALL_ONES 0xffffffffu
#define BARE_AREAS 2

static const uint64_t areas[] = { 0xfee00000ull, 0xc0000000ull, 0xfed00000ull,
				  0xfec00000ull };

void test_main(void)
{
	unsigned int not_ones = 0, reads = 0,
		     n_areas = sizeof(areas) / sizeof(areas[0]);

	require_x2apic();
	ok(heartbeat_start(), "heartbeat vCPU started");
	if (!x2hv_present()) {
		/* Bare emulators have a real HPET and IOAPIC there. */
		n_areas = BARE_AREAS;
		skip("bare: HPET and IOAPIC pages not touched");
	}
	for (unsigned int i = 0; i < n_areas; i++) {
		for (uint64_t off = 0; off < PAGE; off += STRIDE) {
			uint32_t v = *(volatile uint32_t *)(areas[i] + off);

			reads++;
			if (v != ALL_ONES && not_ones++ < 4)
				printf("%lx reads %x\n", areas[i] + off, v);
		}
		ok(true, "read page %lx", areas[i]);
	}
	printf("hostile-mmio: %u reads, %u not all-ones\n", reads, not_ones);
	if (x2hv_present())
		ok(not_ones == 0, "unbacked space reads all-ones");
	else
		skip("bare: real devices may answer here");

	for (unsigned int i = 0; i < n_areas; i++) {
		for (uint64_t off = 0; off < PAGE; off += STRIDE)
			*(volatile uint32_t *)(areas[i] + off) = 0;
		*(volatile uint64_t *)(areas[i] + PAGE - 8) = 0;
		*(volatile uint8_t *)(areas[i] + 1) = 0;
	}
	ok(true, "writes of every width returned");
	ok(apic_read(X2APIC_TPR) == 0 && apic_id() == this_cpu()->apic_id,
	   "x2APIC untouched by the stores");
	ok(heartbeat_alive(), "other vCPU still running");
}
