// SPDX-License-Identifier: MIT
/*
 * Every writable x2APIC register, with each reserved bit set in turn on
 * top of a harmless value, must raise #GP (Intel SDM Vol. 3A, 11.12.1.3:
 * RsvdZ) and change nothing: the registers keep their values and no
 * interrupt arrives (an unexpected vector would fail the test).
 * Delivery-status and remote-IRR bits (12, 14) are read-only status, not
 * reserved, and the ICR busy bit 12 differs by vendor: not probed.
 */
#include "tests/guest/lib/guest.h"

#define SAFE_VEC 0x40
#define ICR_NOBODY 0x7fffull
#define BIT(n) (1ull << (n))
#define VERSION_EOI_SUPPRESS BIT(24)
#define SVR_EOI_SUPPRESS BIT(12)

struct reg {
	uint32_t msr;
	const char *name;
	uint64_t base; /* a legal, harmless value */
	uint64_t valid; /* bits that are not reserved (or RO status) */
};

#define LVT_STATUS (BIT(12) | BIT(14))

static struct reg regs[] = {
	{ X2APIC_TPR, "TPR", 0, 0xff },
	{ X2APIC_EOI, "EOI", 0, 0 },
	/* Bit 9 (focus checking) is model-specific: not probed. */
	{ X2APIC_SVR, "SVR", APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR, 0x3ff },
	{ X2APIC_ESR, "ESR", 0, 0 },
	{ X2APIC_ICR, "ICR", ICR_NOBODY << 32 | SAFE_VEC,
	  0xffffffff000cdfffull | BIT(12) },
	{ X2APIC_LVT_TIMER, "LVT timer", APIC_LVT_MASKED | SAFE_VEC,
	  0x600ff | BIT(16) | LVT_STATUS },
	{ X2APIC_LVT_THERMAL, "LVT thermal", APIC_LVT_MASKED | SAFE_VEC,
	  0x107ff | LVT_STATUS },
	{ X2APIC_LVT_PMI, "LVT PMI", APIC_LVT_MASKED | SAFE_VEC,
	  0x107ff | LVT_STATUS },
	{ X2APIC_LVT_LINT0, "LINT0", APIC_LVT_MASKED | SAFE_VEC,
	  0x1a7ff | LVT_STATUS },
	{ X2APIC_LVT_LINT1, "LINT1", APIC_LVT_MASKED | SAFE_VEC,
	  0x1a7ff | LVT_STATUS },
	{ X2APIC_LVT_ERROR, "LVT error", APIC_LVT_MASKED | SAFE_VEC,
	  0x100ff | LVT_STATUS },
	{ X2APIC_TMICT, "TMICT", 0, 0xffffffffull },
	{ X2APIC_TDCR, "TDCR", APIC_TDCR_DIV1, 0xb },
	{ X2APIC_SELF_IPI, "SELF_IPI", SAFE_VEC, 0xff },
};

static volatile unsigned int strays;

static void stray_handler(struct regs *r)
{
	strays++;
	apic_eoi();
}

void test_main(void)
{
	unsigned int writes = 0, gps = 0, bad_regs = 0;
	uint64_t before[sizeof(regs) / sizeof(regs[0])];
	const unsigned int n = sizeof(regs) / sizeof(regs[0]);

	require_x2apic();
	set_handler(SAFE_VEC, stray_handler);
	cli();
	/* SVR bit 12 exists only with EOI-broadcast suppression (11.8.5). */
	if (apic_read(X2APIC_VERSION) & VERSION_EOI_SUPPRESS)
		regs[2].valid |= SVR_EOI_SUPPRESS;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t v;

		if (rdmsr_safe(regs[i].msr, &v) == 0)
			before[i] = v;
		else
			before[i] = ~0ull; /* write-only */
		/* Keep the current LVT/TPR/SVR/TDCR contents as the base. */
		if (regs[i].base != 0 && regs[i].msr != X2APIC_ICR &&
		    regs[i].msr != X2APIC_SELF_IPI && before[i] != ~0ull)
			regs[i].base = v;
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned int missed = 0;

		for (unsigned int bit = 0; bit < 64; bit++) {
			if (regs[i].valid & BIT(bit))
				continue;
			writes++;
			if (wrmsr_safe(regs[i].msr, regs[i].base | BIT(bit)) ==
			    FAULT_GP)
				gps++;
			else if (missed++ < 3)
				printf("%s: reserved bit %u accepted\n",
				       regs[i].name, bit);
		}
		if (missed)
			bad_regs++;
	}
	printf("hostile-msr-reserved: %u writes, %u #GP\n", writes, gps);
	ok(writes == gps, "every reserved bit #GPs (%u registers lax)",
	   bad_regs);

	for (unsigned int i = 0; i < n; i++) {
		uint64_t v;

		if (before[i] == ~0ull || regs[i].msr == X2APIC_TMCCT)
			continue;
		if (rdmsr_safe(regs[i].msr, &v) || v != before[i])
			fail("%s changed: %lx -> %lx", regs[i].name, before[i],
			     v);
	}
	sti();
	tsc_delay(1000000);
	cli();
	ok(strays == 0 && !apic_vec_set(X2APIC_IRR0, SAFE_VEC),
	   "no interrupt raised by the rejected writes (%u)", strays);
}
