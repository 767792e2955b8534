// SPDX-License-Identifier: MIT
//! vcpus: 2
/*
 * Illegal vectors (0-15) through the LVT and the ICR: the APIC sets the
 * ESR "received/send illegal vector" bits and raises the LVT error
 * interrupt (Intel SDM Vol. 3A, 11.5.3), the illegal vector itself is
 * never delivered (it would arrive as an exception and fail the test),
 * there is no interrupt storm, and both vCPUs keep running.
 */
#include "tests/guest/lib/guest.h"

#define ERR_VEC 0xe0
#define ILLEGAL_TIMER_VEC 5
#define ILLEGAL_IPI_VEC 3
#define SMALL_COUNT 1000
#define WAIT 3000000
#define STORM_LIMIT 4

static volatile unsigned int errors;

static void error_handler(struct regs *r)
{
	errors++;
	apic_eoi();
}

static uint32_t read_esr(void)
{
	/* A write latches the errors seen so far into the ESR (11.5.3). */
	apic_write(X2APIC_ESR, 0);
	return apic_read(X2APIC_ESR);
}

static void window(void)
{
	sti();
	tsc_delay(WAIT);
	cli();
}

void test_main(void)
{
	uint32_t esr;

	require_x2apic();
	ok(heartbeat_start(), "heartbeat vCPU started");
	set_handler(ERR_VEC, error_handler);
	cli();
	read_esr();
	read_esr();
	apic_write(X2APIC_LVT_ERROR, ERR_VEC);

	apic_write(X2APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(X2APIC_LVT_TIMER,
		   APIC_LVT_TIMER_ONESHOT | ILLEGAL_TIMER_VEC);
	apic_write(X2APIC_TMICT, SMALL_COUNT);
	window();
	esr = read_esr();
	printf("timer with vector %u: ESR %x, %u error interrupts\n",
	       ILLEGAL_TIMER_VEC, esr, errors);
	ok(esr & APIC_ESR_RECV_ILLEGAL, "ESR receive-illegal-vector set");
	ok(errors >= 1 && errors <= STORM_LIMIT, "error interrupt, no storm");
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
	ok(read_esr() == 0, "ESR clear after the next latch");

	errors = 0;
	apic_icr(1, APIC_DM_FIXED | ILLEGAL_IPI_VEC);
	window();
	esr = read_esr();
	printf("IPI with vector %u: ESR %x, %u error interrupts\n",
	       ILLEGAL_IPI_VEC, esr, errors);
	ok(esr & APIC_ESR_SEND_ILLEGAL, "ESR send-illegal-vector set");
	ok(errors >= 1 && errors <= STORM_LIMIT, "error interrupt, no storm");

	errors = 0;
	window();
	ok(errors == 0, "quiet afterwards");
	ok(heartbeat_alive(), "other vCPU still running");
}
