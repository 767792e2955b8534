// SPDX-License-Identifier: MIT
//! reject: x2hv: vm0: stopped
/*
 * CR8 is the TPR (Intel SDM Vol. 3A, 11.8.6.1; AMD APM Vol. 2, 16.6.4):
 * MOV to CR8 sets TPR[7:4] and clears TPR[3:0], MOV from CR8 reads
 * TPR[7:4], both views are one register, and a CR8 value masks interrupts
 * exactly as the same TPR written through the x2APIC MSR does.
 */
#include "tests/guest/lib/guest.h"

#define VEC 0x50
#define WAIT 2000000ull

static volatile unsigned int hits;

static void handler(struct regs *r)
{
	hits++;
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
	uint64_t v;

	require_x2apic();
	set_handler(VEC, handler);
	cli();

	ok(write_cr8_safe(5) == 0, "MOV CR8, 5");
	v = apic_read(X2APIC_TPR);
	ok(v == 0x50, "x2APIC TPR reads 0x50 after CR8 = 5 (%lx)", v);
	apic_write(X2APIC_TPR, 0x73);
	v = read_cr8();
	ok(v == 7, "CR8 reads 7 after TPR = 0x73 (%lx)", v);
	ok(write_cr8_safe(0x10) == FAULT_GP, "CR8 bits 63:4 are reserved: #GP");
	v = apic_read(X2APIC_TPR);
	ok(v == 0x73, "the refused write left TPR alone (%lx)", v);

	write_cr8_safe(6);
	ok(apic_read(X2APIC_PPR) == 0x60, "PPR follows CR8 (%x)",
	   apic_read(X2APIC_PPR));
	apic_self_ipi(VEC);
	window();
	ok(hits == 0, "CR8 = 6 holds vector 0x50 back (%u)", hits);
	ok(apic_vec_set(X2APIC_IRR0, VEC), "and it stays in IRR");
	write_cr8_safe(0);
	window();
	ok(hits == 1, "CR8 = 0 lets it through (%u)", hits);

	write_cr8_safe(4);
	apic_self_ipi(VEC);
	window();
	ok(hits == 2, "CR8 = 4 does not hold vector 0x50 (%u)", hits);
	write_cr8_safe(0);
}
