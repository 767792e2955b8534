// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for vlapic/: the input is a program of operations on a
 * VM of four vlapics (MSR reads/writes as a guest would issue them,
 * interrupts from devices and other CPUs, injection, EOI, clock advances
 * with the core's timer handling, IPI routing, INIT). After every
 * operation the architectural invariants are checked; a violation traps.
 *
 * Operation encoding: one opcode byte, then its operands, little-endian;
 * a truncated operand reads as zero bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vlapic/vlapic.h"

#define NR 4
#define MAX_OPS 4096
#define MAX_DEPTH 2 /* send_ipi -> route -> notify/init/sipi/nmi */

#define check(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)

static const uint32_t ids[NR] = { 0, 1, 0x12, 0xffff3 };

static struct vlapic lapics_store[NR];
static struct vlapic *lapics[NR];

static struct sim {
	uint64_t now;
	uint64_t deadline[NR]; /* the "host timer" of each vCPU */
	bool init_pending[NR];
	int depth;
	int in_op; /* bitmask of ops callbacks active: no re-entry */
} sim;

static int idx(struct vlapic *vl)
{
	check(vl >= lapics_store && vl < lapics_store + NR);
	return (int)(vl - lapics_store);
}

static void enter(int op)
{
	check(!(sim.in_op & (1 << op)));
	sim.in_op |= 1 << op;
	check(++sim.depth <= MAX_DEPTH);
}

static void leave(int op)
{
	sim.in_op &= ~(1 << op);
	sim.depth--;
}

enum {
	OP_NOW,
	OP_TIMER,
	OP_NOTIFY,
	OP_IPI,
	OP_INIT,
	OP_SIPI,
	OP_NMI,
	OP_EOI
};

static uint64_t f_now(struct vlapic *vl)
{
	idx(vl);
	return sim.now;
}

static void f_set_timer(struct vlapic *vl, uint64_t deadline)
{
	enter(OP_TIMER);
	sim.deadline[idx(vl)] = deadline;
	leave(OP_TIMER);
}

static void f_notify(struct vlapic *vl)
{
	enter(OP_NOTIFY);
	idx(vl);
	leave(OP_NOTIFY);
}

static void f_send_ipi(struct vlapic *src, const struct vlapic_ipi *ipi)
{
	int n;

	enter(OP_IPI);
	n = vlapic_route_ipi(lapics, NR, src, ipi);
	check(n >= 0 && n <= NR);
	leave(OP_IPI);
}

static void f_init(struct vlapic *vl)
{
	enter(OP_INIT);
	/* The target's CPU resets its own vlapic later (as the core does). */
	sim.init_pending[idx(vl)] = true;
	leave(OP_INIT);
}

static void f_sipi(struct vlapic *vl, uint8_t vector)
{
	enter(OP_SIPI);
	idx(vl);
	leave(OP_SIPI);
}

static void f_nmi(struct vlapic *vl)
{
	enter(OP_NMI);
	idx(vl);
	leave(OP_NMI);
}

static void f_eoi(struct vlapic *vl, uint8_t vector)
{
	enter(OP_EOI);
	check(vector >= 16);
	idx(vl);
	leave(OP_EOI);
}

static const struct vlapic_ops ops = {
	.now = f_now,
	.set_timer = f_set_timer,
	.notify = f_notify,
	.send_ipi = f_send_ipi,
	.init = f_init,
	.sipi = f_sipi,
	.nmi = f_nmi,
	.eoi_level = f_eoi,
};

/* ---------------------------------------------------------------- input */

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take_bytes(struct input *in, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!in->left)
			break;
		v |= (uint64_t)*in->p << (8 * i);
		in->p++;
		in->left--;
	}
	return v;
}

static uint32_t reg(struct vlapic *vl, uint32_t off)
{
	uint32_t v;

	memcpy(&v, &vl->regs[off], sizeof(v));
	return v;
}

/* An MSR from two selector bytes: mostly the x2APIC range. */
static uint32_t pick_msr(uint16_t sel)
{
	switch (sel >> 8 & 7) {
	case 0:
		return MSR_IA32_APIC_BASE;
	case 1:
		return MSR_IA32_TSC_DEADLINE;
	case 2:
		return 0x700 + (sel & 0xff); /* outside: must be refused */
	default:
		return MSR_X2APIC_FIRST + (sel & 0xff);
	}
}

/* ---------------------------------------------------------------- checks */

static int highest(struct vlapic *vl, uint32_t base)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = reg(vl, base + (uint32_t)i * 0x10);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

static void check_lapic(int i)
{
	struct vlapic *vl = lapics[i];
	uint32_t id = ids[i];
	uint32_t tpr = reg(vl, APIC_TPR), svr = reg(vl, APIC_SVR);
	int isrv = highest(vl, APIC_ISR), pend;
	uint32_t exp_ppr;
	uint64_t v;
	static const struct {
		uint32_t off, w;
	} lvts[] = {
		{ APIC_LVT_CMCI, 0x107ff },    { APIC_LVT_TIMER, 0x700ff },
		{ APIC_LVT_THERMAL, 0x107ff }, { APIC_LVT_PMC, 0x107ff },
		{ APIC_LVT_LINT0, 0x1a7ff },   { APIC_LVT_LINT1, 0x1a7ff },
		{ APIC_LVT_ERROR, 0x100ff },
	};

	/* The lock and the identity never change. */
	check(vl->apic_base == (APIC_BASE_ADDR | APIC_BASE_EN | APIC_BASE_EXTD |
				(i == 0 ? APIC_BASE_BSP : 0)));
	check(vlapic_rdmsr(vl, MSR_IA32_APIC_BASE, &v) == 0 &&
	      v == vl->apic_base);
	check(reg(vl, APIC_ID) == id);
	check(reg(vl, APIC_LVR) == APIC_LVR_VALUE);
	check(reg(vl, APIC_LDR) ==
	      ((id >> 4 & 0xffff) << 16 | 1u << (id & 0xf)));

	/* PPR from TPR and ISR (SDM 11.8.3.1). */
	check(!(tpr & ~0xffu));
	if (isrv < 0 || (tpr >> 4) >= ((uint32_t)isrv >> 4))
		exp_ppr = tpr;
	else
		exp_ppr = (uint32_t)isrv & 0xf0;
	check(reg(vl, APIC_PPR) == exp_ppr);

	/* Reserved bits never stored. */
	check(!(svr & ~0x3ffu));
	for (size_t k = 0; k < sizeof(lvts) / sizeof(lvts[0]); k++) {
		uint32_t lvt = reg(vl, lvts[k].off);

		check(!(lvt & ~lvts[k].w));
		if (!(svr & APIC_SVR_ENABLE))
			check(lvt & APIC_LVT_MASKED);
	}
	check(((reg(vl, APIC_LVT_TIMER) >> 17) & 3) != 3);
	check(!(reg(vl, APIC_TDCR) & ~0xbu));
	check(!(reg(vl, APIC_ESR) &
		~(APIC_ESR_SEND_ILLEGAL | APIC_ESR_RECV_ILLEGAL)));
	check(!(vl->esr_pending &
		~(APIC_ESR_SEND_ILLEGAL | APIC_ESR_RECV_ILLEGAL)));
	check(!(reg(vl, APIC_ICR) & 0xfff33000u));
	/* Vectors 0-15 are never requested or in service. */
	check(!(reg(vl, APIC_IRR) & 0xffff) && !(reg(vl, APIC_ISR) & 0xffff));

	/* vlapic_pending agrees with IRR and PPR. */
	pend = vlapic_pending(vl);
	if (pend >= 0) {
		check(pend == highest(vl, APIC_IRR));
		check(((uint32_t)pend >> 4) > (exp_ppr >> 4));
	}

	/*
	 * Timer: an armed vlapic timer has the host timer at its deadline
	 * (the host timer may outlive it: a stray expiry call disarms
	 * without a cancel, and the real expiry then finds nothing).
	 */
	check(!vl->timer_deadline || sim.deadline[i] == vl->timer_deadline);
	check(vlapic_rdmsr(vl, X2APIC_MSR(APIC_TMCCT), &v) == 0);
	check(v <= reg(vl, APIC_TMICT));
	/* A stopped or run-out one-shot timer reads 0. */
	if (((reg(vl, APIC_LVT_TIMER) >> 17) & 3) == APIC_LVT_TIMER_ONESHOT &&
	    (!vl->timer_deadline || sim.now >= vl->timer_deadline))
		check(v == 0);
	if (!vl->timer_deadline)
		check(v == 0);
	check(vlapic_rdmsr(vl, MSR_IA32_TSC_DEADLINE, &v) == 0);
	if (((reg(vl, APIC_LVT_TIMER) >> 17) & 3) != APIC_LVT_TIMER_TSCDEADLINE)
		check(v == 0);
	else
		check(v == vl->timer_deadline);
	check(sim.depth == 0 && sim.in_op == 0);
}

/* The core: fire every host timer whose deadline has passed, once. */
static void run_timers(void)
{
	for (int i = 0; i < NR; i++) {
		uint64_t d = sim.deadline[i];

		if (!d || d > sim.now)
			continue;
		sim.deadline[i] = 0; /* the host timer is one-shot */
		vlapic_timer_expired(lapics[i]);
		/* Fired once: disarmed, or a periodic deadline in the future. */
		check(!sim.deadline[i] || sim.deadline[i] > sim.now ||
		      sim.deadline[i] == UINT64_MAX);
	}
}

static void run_inits(void)
{
	for (int i = 0; i < NR; i++) {
		if (!sim.init_pending[i])
			continue;
		sim.init_pending[i] = false;
		vlapic_reset(lapics[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	memset(&sim, 0, sizeof(sim));
	for (int i = 0; i < NR; i++) {
		lapics[i] = &lapics_store[i];
		vlapic_init(lapics[i], ids[i], i == 0, 1 + i, &ops, NULL);
	}
	for (int n = 0; n < MAX_OPS && in.left; n++) {
		uint8_t op = (uint8_t)take_bytes(&in, 1);
		struct vlapic *vl = lapics[op >> 4 & (NR - 1)];
		uint64_t v;
		int rc;

		switch (op & 0xf) {
		case 0: /* guest WRMSR */
		case 1: {
			uint32_t msr = pick_msr((uint16_t)take_bytes(&in, 2));
			uint64_t val = take_bytes(&in, (op & 1) ? 8 : 4);

			rc = vlapic_wrmsr(vl, msr, val);
			check(rc == 0 || rc == -1);
			if (!vlapic_handles_msr(msr))
				check(rc == -1);
			break;
		}
		case 2: { /* guest RDMSR */
			uint32_t msr = pick_msr((uint16_t)take_bytes(&in, 2));

			rc = vlapic_rdmsr(vl, msr, &v);
			check(rc == 0 || rc == -1);
			if (rc == 0 && msr != X2APIC_MSR(APIC_ICR) &&
			    msr != MSR_IA32_APIC_BASE &&
			    msr != MSR_IA32_TSC_DEADLINE)
				check(v >> 32 == 0);
			break;
		}
		case 3: { /* a device or another CPU posts an interrupt */
			uint16_t a = (uint16_t)take_bytes(&in, 2);

			vlapic_set_irq(vl, (uint8_t)a, a >> 8 & 1);
			break;
		}
		case 4: { /* the core injects what is pending */
			int p = vlapic_pending(vl);

			if (p >= 0) {
				vlapic_ack(vl, (uint8_t)p);
				check(reg(vl, APIC_ISR + (uint32_t)(p >> 5) *
								 0x10) &
				      1u << (p & 31));
			}
			break;
		}
		case 5: /* a bogus ack */
			vlapic_ack(vl, (uint8_t)take_bytes(&in, 1));
			break;
		case 6: /* EOI */
			check(vlapic_wrmsr(vl, X2APIC_MSR(APIC_EOI), 0) == 0);
			break;
		case 7: /* time passes */
			sim.now += take_bytes(&in, (op >> 6) ? 2 : 4);
			run_timers();
			break;
		case 8: /* a stray timer expiry */
			vlapic_timer_expired(vl);
			break;
		case 9: { /* a routed IPI from a device or a vlapic */
			uint64_t icr = take_bytes(&in, 8);
			struct vlapic_ipi ipi;
			uint8_t s = (uint8_t)take_bytes(&in, 1);

			vlapic_icr_decode(icr, &ipi);
			rc = vlapic_route_ipi(lapics, s & 3,
					      (s & 4) ? NULL : vl, &ipi);
			check(rc >= 0 && rc <= (s & 3));
			break;
		}
		case 10: /* a structured ICR write: dest is one of ours */
			v = take_bytes(&in, 3) & 0xcdfff; /* no reserved bits */
			v |= (uint64_t)ids[take_bytes(&in, 1) & 3] << 32;
			rc = vlapic_wrmsr(vl, X2APIC_MSR(APIC_ICR), v);
			check(rc == 0);
			break;
		case 11: /* a local interrupt source */
			vlapic_raise_lvt(
				vl,
				0x2f0 + 0x10 * (uint32_t)(take_bytes(&in, 1) %
							  9));
			break;
		case 12: /* INIT from outside */
			vlapic_reset(vl);
			check(vl->timer_deadline == 0);
			break;
		case 13: /* software enable, so that interrupts flow */
			check(vlapic_wrmsr(vl, X2APIC_MSR(APIC_SVR),
					   0x100 | take_bytes(&in, 1)) == 0);
			break;
		case 14: /* timer setup shortcut: LVT timer mode/vector + count */
			v = take_bytes(&in, 1);
			vlapic_wrmsr(vl, X2APIC_MSR(APIC_LVT_TIMER),
				     (v & 3) << 17 | 0x20 | (v >> 2));
			vlapic_wrmsr(vl, X2APIC_MSR(APIC_TMICT),
				     take_bytes(&in, 2));
			vlapic_wrmsr(vl, MSR_IA32_TSC_DEADLINE,
				     sim.now + take_bytes(&in, 2) - 0x100);
			break;
		default: /* latch ESR */
			check(vlapic_wrmsr(vl, X2APIC_MSR(APIC_ESR), 0) == 0);
			break;
		}
		run_inits();
		for (int i = 0; i < NR; i++)
			check_lapic(i);
	}
	return 0;
}
