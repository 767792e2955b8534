/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture of the vlapic unit tests: a fake clock and recording ops.
 * Each vlapic under test has a struct fake as its opaque pointer.
 */
#ifndef X2HV_TEST_VLAPIC_H
#define X2HV_TEST_VLAPIC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vlapic/vlapic.h"

#define NR_TEST_LAPICS 8

struct fake {
	uint64_t now;
	int set_timer_calls;
	uint64_t deadline; /* last set_timer argument */
	int notify_calls;
	int send_ipi_calls;
	struct vlapic_ipi ipi;
	int init_calls, sipi_calls, nmi_calls, eoi_calls;
	uint8_t sipi_vector, eoi_vector;
	int depth, max_depth; /* nesting of ops calls */
	/* When set, send_ipi routes through vlapic_route_ipi over these. */
	struct vlapic *const *route_to;
	size_t route_n;
	int routed;
	/* ops->post: taken into posted[] when post_take, else refused. */
	bool post_take;
	int post_calls;
	uint8_t post_vector;
	bool post_saw_tmr; /* the vector's TMR bit when post was called */
	uint64_t posted[VLAPIC_REQ_WORDS];
	/* ops->sync_timer: counted; with remote_fired, the expiry another
	 * CPU delivered is taken (vlapic_timer_taken), as vmm/ does. */
	int sync_timer_calls;
	bool remote_fired;
};

extern struct vlapic test_lapics[NR_TEST_LAPICS];
extern struct fake test_fakes[NR_TEST_LAPICS];
extern const struct vlapic_ops test_ops;

/* Reset lapic @i to x2APIC ID @id with fresh fake state. */
struct vlapic *test_lapic(int i, uint32_t id, uint32_t tsc_per_bus_tick);

/* A software-enabled lapic 0 with x2APIC ID 0 (the BSP). */
struct vlapic *bsp(void);

static inline struct fake *fake_of(struct vlapic *vl)
{
	return vlapic_opaque(vl);
}

static inline uint64_t rd(struct vlapic *vl, uint32_t msr)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	assert_int_equal(vlapic_rdmsr(vl, msr, &v), 0);
	return v;
}

static inline void wr(struct vlapic *vl, uint32_t msr, uint64_t val)
{
	assert_int_equal(vlapic_wrmsr(vl, msr, val), 0);
}

static inline void rd_gp(struct vlapic *vl, uint32_t msr)
{
	uint64_t v = 0x1234;

	assert_int_equal(vlapic_rdmsr(vl, msr, &v), -1);
}

static inline void wr_gp(struct vlapic *vl, uint32_t msr, uint64_t val)
{
	assert_int_equal(vlapic_wrmsr(vl, msr, val), -1);
}

static inline bool vec_set(struct vlapic *vl, uint32_t base, uint8_t vector)
{
	const uint32_t *w =
		(const uint32_t *)(const void *)&vl
			->regs[base + (vector >> 5) * APIC_VECTOR_STRIDE];

	return *w & (1u << (vector & 31));
}

static inline bool irr(struct vlapic *vl, uint8_t v)
{
	return vec_set(vl, APIC_IRR, v);
}

static inline bool isr(struct vlapic *vl, uint8_t v)
{
	return vec_set(vl, APIC_ISR, v);
}

static inline bool tmr(struct vlapic *vl, uint8_t v)
{
	return vec_set(vl, APIC_TMR, v);
}

/* Software-enable the APIC (SVR = enable | vector 0xff). */
static inline void enable(struct vlapic *vl)
{
	wr(vl, X2APIC_MSR(APIC_SVR), APIC_SVR_ENABLE | APIC_SVR_VECTOR);
}

/* Latch and read the ESR. */
static inline uint32_t esr(struct vlapic *vl)
{
	wr(vl, X2APIC_MSR(APIC_ESR), 0);
	return (uint32_t)rd(vl, X2APIC_MSR(APIC_ESR));
}

/* Inject what vlapic_pending offers: ack it and return it (or -1). */
static inline int take(struct vlapic *vl)
{
	int v = vlapic_pending(vl);

	if (v >= 0)
		vlapic_ack(vl, (uint8_t)v);
	return v;
}

static inline void eoi(struct vlapic *vl)
{
	wr(vl, X2APIC_MSR(APIC_EOI), 0);
}

/* Groups in the other files, run by test_vlapic.c's main(). */
int run_vlapic_irq_tests(void);
int run_vlapic_timer_tests(void);
int run_vlapic_timer_guard_tests(void);
int run_vlapic_ipi_tests(void);
int run_vlapic_posted_tests(void);

#endif
