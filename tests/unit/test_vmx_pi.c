// SPDX-License-Identifier: MIT
/*
 * Unit tests of arch/x86/vmx/vmx_pi.c, the posted-interrupt descriptor and
 * the protocol of vmx_pi.h: the layout from the Intel SDM vol. 3C (2023)
 * 30.6 written out by hand, what a sender owes the owner in each state,
 * the owner's exit/take/enter steps around a notification on its way,
 * and a threaded run in which two senders and a simulated owner CPU
 * (host and guest mode, notifications processed the SDM's way or landing
 * in the host) account for every posted vector exactly once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/vmx/vmx_pi.h"

#define BIT(n) (1ull << (n))
#define NV 0xf2

static struct vmx_pi_desc d;
static struct vmx_pi_owner o;

static void test_layout(void **state)
{
	const uint8_t *b = (const uint8_t *)&d;

	/* 64 bytes; ON is bit 256 (bit 0 of byte 32), SN bit 257, NV bits
	 * 279:272 (byte 34), NDST 319:288 (bytes 36-39, little endian). */
	assert_int_equal(sizeof(d), 64);
	assert_int_equal(_Alignof(struct vmx_pi_desc), 64);
	assert_int_equal(offsetof(struct vmx_pi_desc, control), 32);
	memset(&d, 0xaa, sizeof(d));
	vmx_pi_init(&d, &o, NV, 0x12345678, true);
	for (unsigned int i = 0; i < 32; i++)
		assert_int_equal(b[i], 0); /* PIR */
	assert_int_equal(b[32], 0x02); /* SN set (not in guest), ON clear */
	assert_int_equal(b[33], 0);
	assert_int_equal(b[34], NV);
	assert_int_equal(b[35], 0);
	assert_int_equal(b[36], 0x78);
	assert_int_equal(b[37], 0x56);
	assert_int_equal(b[38], 0x34);
	assert_int_equal(b[39], 0x12);
	for (unsigned int i = 40; i < 64; i++)
		assert_int_equal(b[i], 0);
	assert_true(o.hw);
	assert_false(o.expect);
}

static void take_all(uint64_t host_irqs, uint64_t pir[VMX_PI_PIR_WORDS])
{
	assert_true(vmx_pi_take(&d, &o, host_irqs, pir));
}

/* Owner in guest mode (SN clear): the first post commits a
 * notification, later ones ride on it; in the host, posts signal
 * nothing. */
static void test_post_signals(void **state)
{
	uint64_t pir[VMX_PI_PIR_WORDS];

	vmx_pi_init(&d, &o, NV, 1, true);
	assert_int_equal(vmx_pi_post(&d, 0x30), VMX_PI_OUTSIDE);
	assert_int_equal(d.pir[0], BIT(48));
	assert_true(d.control & VMX_PI_ON);
	assert_false(vmx_pi_enter(&d, &o)); /* posted in the host: take */
	take_all(0, pir);
	assert_int_equal(pir[0], BIT(48));
	assert_true(vmx_pi_enter(&d, &o));
	assert_false(d.control & (VMX_PI_SN | VMX_PI_ON));
	assert_int_equal(vmx_pi_post(&d, 0x41), VMX_PI_SIGNAL);
	assert_int_equal(vmx_pi_post(&d, 0xff), VMX_PI_COVERED);
	assert_int_equal(d.pir[1], BIT(1));
	assert_int_equal(d.pir[3], BIT(63));
	assert_int_equal((d.control & VMX_PI_NV_MASK) >> VMX_PI_NV_SHIFT, NV);
	assert_int_equal(d.control >> VMX_PI_NDST_SHIFT, 1);
}

/* SDM 30.6 steps 2 and 5, as the CPU does them in guest mode. */
static uint64_t cpu_process(void)
{
	uint64_t any = 0;

	__atomic_fetch_and(&d.control, ~VMX_PI_ON, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < VMX_PI_PIR_WORDS; i++)
		any |= __atomic_exchange_n(&d.pir[i], 0, __ATOMIC_SEQ_CST);
	return any;
}

/* A notification committed in guest mode that the exit overtook: the
 * owner leaves the PIR to it, and enters with SN clear and ON set. */
static void test_notification_in_flight(void **state)
{
	uint64_t pir[VMX_PI_PIR_WORDS];

	vmx_pi_init(&d, &o, NV, 1, true);
	take_all(0, pir);
	assert_true(vmx_pi_enter(&d, &o));
	assert_int_equal(vmx_pi_post(&d, 0x50), VMX_PI_SIGNAL);
	vmx_pi_exit(&d, &o, 7);
	assert_true(o.expect);
	assert_true(d.control & VMX_PI_SN);
	assert_false(vmx_pi_take(&d, &o, 7, pir));
	assert_int_equal(d.pir[1], BIT(16)); /* left for the CPU */
	assert_int_equal(vmx_pi_post(&d, 0x51), VMX_PI_OUTSIDE);
	assert_true(vmx_pi_enter(&d, &o));
	assert_false(d.control & VMX_PI_SN);
	assert_int_equal(vmx_pi_post(&d, 0x52), VMX_PI_COVERED);
	/* It arrives in guest mode and brings in all three. */
	assert_int_equal(cpu_process(), BIT(16) | BIT(17) | BIT(18));
	vmx_pi_exit(&d, &o, 7);
	assert_false(o.expect);
	take_all(7, pir);
	assert_int_equal(pir[1], 0);
}

/* The same notification lands in the host handler instead (the owner
 * slept, or opened an interrupt window): then the owner takes. */
static void test_notification_lands_in_host(void **state)
{
	uint64_t pir[VMX_PI_PIR_WORDS];

	vmx_pi_init(&d, &o, NV, 1, true);
	take_all(0, pir);
	assert_true(vmx_pi_enter(&d, &o));
	assert_int_equal(vmx_pi_post(&d, 0x60), VMX_PI_SIGNAL);
	vmx_pi_exit(&d, &o, 3);
	assert_false(vmx_pi_take(&d, &o, 3, pir));
	take_all(4, pir);
	assert_int_equal(pir[1], BIT(32));
	assert_false(o.expect);
	assert_false(d.control & VMX_PI_ON);
	assert_true(vmx_pi_enter(&d, &o));
	assert_int_equal(vmx_pi_post(&d, 0x61), VMX_PI_SIGNAL);
}

/* Still in flight at a second exit: noted once, with the first count. */
static void test_expect_noted_once(void **state)
{
	uint64_t pir[VMX_PI_PIR_WORDS];

	vmx_pi_init(&d, &o, NV, 1, true);
	take_all(0, pir);
	assert_true(vmx_pi_enter(&d, &o));
	assert_int_equal(vmx_pi_post(&d, 0x70), VMX_PI_SIGNAL);
	vmx_pi_exit(&d, &o, 5);
	assert_true(vmx_pi_enter(&d, &o));
	vmx_pi_exit(&d, &o, 5);
	assert_true(o.expect);
	assert_int_equal(o.host_seen, 5);
	assert_false(vmx_pi_take(&d, &o, 5, pir));
	take_all(6, pir);
	assert_int_equal(pir[1], BIT(48));
}

/* Without posted-interrupt processing the descriptor is a mailbox: a
 * committed kick needs no waiting for. */
static void test_mailbox_mode(void **state)
{
	uint64_t pir[VMX_PI_PIR_WORDS];

	vmx_pi_init(&d, &o, NV, 1, false);
	take_all(0, pir);
	assert_true(vmx_pi_enter(&d, &o));
	assert_int_equal(vmx_pi_post(&d, 0x80), VMX_PI_SIGNAL);
	vmx_pi_exit(&d, &o, 0);
	assert_false(o.expect);
	take_all(0, pir);
	assert_int_equal(pir[2], BIT(0));
}

/* ------------------------------------------------------------ threads */

#define SENDERS 2
#define ROUNDS 20000
#define FIRST_VEC 32
#define STALL_PASSES 1000000

static volatile uint8_t outstanding[256];
static volatile uint64_t consumed, dups, empties;
static volatile int notif_pending, senders_done;

static void consume(const uint64_t *pir)
{
	for (unsigned int v = 0; v < 256; v++) {
		if (!(pir[v / 64] & BIT(v % 64)))
			continue;
		if (!__atomic_exchange_n(&outstanding[v], 0, __ATOMIC_SEQ_CST))
			__atomic_fetch_add(&dups, 1, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&consumed, 1, __ATOMIC_SEQ_CST);
	}
}

/* Sender t owns vectors FIRST_VEC + t, + 2 SENDERS, ...: it reposts one
 * only after it was accounted for, so each post must be seen once. */
static void *sender(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg;
	unsigned int nvec = (256 - FIRST_VEC) / SENDERS;

	for (unsigned int i = 0; i < ROUNDS; i++) {
		uint8_t v = (uint8_t)(FIRST_VEC + t + SENDERS * (i % nvec));

		while (__atomic_load_n(&outstanding[v], __ATOMIC_SEQ_CST))
			;
		__atomic_store_n(&outstanding[v], 1, __ATOMIC_SEQ_CST);
		if (vmx_pi_post(&d, v) == VMX_PI_SIGNAL)
			__atomic_store_n(&notif_pending, 1, __ATOMIC_SEQ_CST);
	}
	__atomic_fetch_add(&senders_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* One pass of the owner CPU: exit, host (where a pending notification
 * may land in the handler), take, enter, guest (where it is processed). */
static void owner_pass(unsigned int i, uint64_t *host_irqs)
{
	uint64_t pir[VMX_PI_PIR_WORDS];

	vmx_pi_exit(&d, &o, *host_irqs);
	if (i % 3 == 0 &&
	    __atomic_exchange_n(&notif_pending, 0, __ATOMIC_SEQ_CST))
		(*host_irqs)++;
	do {
		if (vmx_pi_take(&d, &o, *host_irqs, pir))
			consume(pir);
	} while (!vmx_pi_enter(&d, &o));
	for (unsigned int spin = 0; spin < 50; spin++) {
		if (__atomic_exchange_n(&notif_pending, 0, __ATOMIC_SEQ_CST)) {
			uint64_t got[VMX_PI_PIR_WORDS] = { 0 };

			__atomic_fetch_and(&d.control, ~VMX_PI_ON,
					   __ATOMIC_SEQ_CST);
			for (unsigned int w = 0; w < VMX_PI_PIR_WORDS; w++)
				got[w] = __atomic_exchange_n(&d.pir[w], 0,
							     __ATOMIC_SEQ_CST);
			if (!(got[0] | got[1] | got[2] | got[3]))
				empties++;
			consume(got);
		}
	}
}

static void test_threads_exactly_once(void **state)
{
	pthread_t th[SENDERS];
	uint64_t host_irqs = 0;
	unsigned int i = 0, stalled = 0;

	vmx_pi_init(&d, &o, NV, 1, true);
	memset((void *)outstanding, 0, sizeof(outstanding));
	consumed = dups = empties = 0;
	notif_pending = senders_done = 0;
	for (uintptr_t t = 0; t < SENDERS; t++)
		assert_int_equal(
			pthread_create(&th[t], NULL, sender, (void *)t), 0);
	while (__atomic_load_n(&senders_done, __ATOMIC_SEQ_CST) < SENDERS ||
	       __atomic_load_n(&consumed, __ATOMIC_SEQ_CST) <
		       SENDERS * ROUNDS) {
		uint64_t before = consumed;

		owner_pass(i++, &host_irqs);
		/* A lost vector stops its sender for good. */
		stalled = consumed == before ? stalled + 1 : 0;
		assert_true(stalled < STALL_PASSES);
	}
	for (int t = 0; t < SENDERS; t++)
		pthread_join(th[t], NULL);
	owner_pass(i, &host_irqs);
	assert_int_equal(consumed, SENDERS * ROUNDS);
	assert_int_equal(dups, 0);
	printf("# %u owner passes, %lu notifications landed in the host, "
	       "%lu found the PIR empty\n",
	       i, host_irqs, empties);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_post_signals),
		cmocka_unit_test(test_notification_in_flight),
		cmocka_unit_test(test_notification_lands_in_host),
		cmocka_unit_test(test_expect_noted_once),
		cmocka_unit_test(test_mailbox_mode),
		cmocka_unit_test(test_threads_exactly_once),
	};

	return cmocka_run_group_tests_name("vmx_pi", tests, NULL, NULL);
}
