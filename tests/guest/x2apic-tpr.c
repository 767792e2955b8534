// SPDX-License-Identifier: MIT
/*
 * TPR masks interrupt priority classes at or below it (Intel SDM Vol. 3A,
 * 11.8.3.1: delivered only if vector[7:4] > PPR[7:4]); lowering TPR
 * releases what was held in IRR. PPR follows TPR when nothing is in
 * service.
 */
#include "tests/guest/lib/guest.h"

#define VEC_LOW 0x45
#define VEC_HIGH 0x65
#define TPR_CLASS5 0x50
#define TPR_CLASS4 0x40
#define WAIT 200000

static volatile unsigned int hits[256];

static void handler(struct regs *r)
{
	hits[r->vector]++;
	apic_eoi();
}

static void window(void)
{
	sti();
	tsc_delay(WAIT);
	cli();
}

void test_main(void)
{
	require_x2apic();
	set_handler(VEC_LOW, handler);
	set_handler(VEC_HIGH, handler);

	cli();
	apic_write(X2APIC_TPR, TPR_CLASS5);
	ok(apic_read(X2APIC_PPR) == TPR_CLASS5, "PPR follows TPR (%x)",
	   apic_read(X2APIC_PPR));
	apic_self_ipi(VEC_LOW);
	window();
	ok(hits[VEC_LOW] == 0, "class 4 held by TPR 0x50");
	ok(apic_vec_set(X2APIC_IRR0, VEC_LOW), "held vector stays in IRR");

	apic_self_ipi(VEC_HIGH);
	window();
	ok(hits[VEC_HIGH] == 1, "class 6 passes TPR 0x50");
	ok(hits[VEC_LOW] == 0, "class 4 still held");

	apic_write(X2APIC_TPR, TPR_CLASS4);
	window();
	ok(hits[VEC_LOW] == 0, "TPR 0x40 still holds vector 0x45 (same class)");

	apic_write(X2APIC_TPR, 0);
	window();
	ok(hits[VEC_LOW] == 1, "lowering TPR to 0 releases vector 0x45");
	ok(!apic_vec_set(X2APIC_IRR0, VEC_LOW), "IRR clear");
	ok(apic_read(X2APIC_TPR) == 0 && apic_read(X2APIC_PPR) == 0,
	   "TPR and PPR back to 0");
}
