// SPDX-License-Identifier: MIT
/*
 * Self-IPIs through SELF_IPI (MSR 0x83F) and the ICR "self" shorthand
 * reach their handlers; IRR/ISR move as in Intel SDM Vol. 3A, 11.8.4; a
 * higher-priority class nests inside a lower one, a lower one waits for
 * the EOI of the higher (11.8.3), and EOI retires the highest ISR bit.
 */
#include "tests/guest/lib/guest.h"

#define VEC_A 0x50
#define VEC_B 0x70
#define VEC_C 0x60
#define VEC_ICR 0x51
#define NEST_DELAY 200000
#define LOG_LEN 16

static volatile unsigned int hits[256];
static volatile bool isr_seen, nested_isr_ok;
static char order[LOG_LEN];
static volatile unsigned int order_len;

static void log_event(char c)
{
	if (order_len < LOG_LEN - 1)
		order[order_len++] = c;
}

static void count_handler(struct regs *r)
{
	hits[r->vector]++;
	isr_seen = apic_vec_set(X2APIC_ISR0, (uint8_t)r->vector) &&
		   !apic_vec_set(X2APIC_IRR0, (uint8_t)r->vector);
	apic_eoi();
}

static void handler_a(struct regs *r)
{
	log_event('A');
	apic_self_ipi(VEC_B);
	sti();
	tsc_delay(NEST_DELAY);
	cli();
	log_event('a');
	apic_eoi();
}

static void handler_b(struct regs *r)
{
	log_event('B');
	nested_isr_ok = apic_vec_set(X2APIC_ISR0, VEC_A) &&
			apic_vec_set(X2APIC_ISR0, VEC_B);
	/* Class 6 < in-service class 7: must wait for our EOI. */
	apic_self_ipi(VEC_C);
	sti();
	tsc_delay(NEST_DELAY);
	cli();
	log_event('b');
	apic_eoi();
}

static void handler_c(struct regs *r)
{
	log_event('C');
	apic_eoi();
}

void test_main(void)
{
	require_x2apic();
	set_handler(VEC_A, count_handler);
	set_handler(VEC_ICR, count_handler);

	cli();
	apic_self_ipi(VEC_A);
	tsc_delay(NEST_DELAY);
	ok(apic_vec_set(X2APIC_IRR0, VEC_A), "SELF_IPI sets IRR while IF=0");
	ok(!apic_vec_set(X2APIC_ISR0, VEC_A), "not yet in service");
	ok(hits[VEC_A] == 0, "not delivered with IF=0");
	sti();
	asm volatile("nop");
	cli();
	ok(hits[VEC_A] == 1, "delivered once after STI (%u)", hits[VEC_A]);
	ok(isr_seen, "ISR set and IRR clear inside the handler");
	ok(!apic_vec_set(X2APIC_ISR0, VEC_A), "ISR clear after EOI");

	apic_icr(0, APIC_DEST_SELF | APIC_DM_FIXED | VEC_ICR);
	sti();
	tsc_delay(NEST_DELAY);
	cli();
	ok(hits[VEC_ICR] == 1, "ICR self shorthand delivered (%u)",
	   hits[VEC_ICR]);

	apic_icr(apic_id(), APIC_DM_FIXED | VEC_ICR);
	sti();
	tsc_delay(NEST_DELAY);
	cli();
	ok(hits[VEC_ICR] == 2, "ICR physical self destination delivered (%u)",
	   hits[VEC_ICR]);

	set_handler(VEC_A, handler_a);
	set_handler(VEC_B, handler_b);
	set_handler(VEC_C, handler_c);
	apic_self_ipi(VEC_A);
	sti();
	tsc_delay(NEST_DELAY);
	cli();
	order[order_len] = 0;
	ok(!memcmp(order, "ABbCa", 6), "nesting order %s (want ABbCa)", order);
	ok(nested_isr_ok, "ISR holds both vectors while nested");
	for (unsigned int i = 0; i < 8; i++)
		if (apic_read(X2APIC_ISR0 + i))
			fail("ISR%u not empty: %x", i,
			     apic_read(X2APIC_ISR0 + i));
	ok(apic_read(X2APIC_PPR) == 0, "PPR 0 when idle");
}
