// SPDX-License-Identifier: MIT
/*
 * x2APIC-only virtual local APIC: reset and the interrupt
 * acceptance/priority logic. The MSR interface is in vlapic_msr.c, the
 * timer in vlapic_timer.c, IPI routing in vlapic_ipi.c. Contracts in vlapic.h, model in docs/vlapic.md.
 */
#include <string.h>

#include "vlapic/vlapic_internal.h"

uint32_t vlapic_lvt_writable(uint32_t off)
{
	switch (off) {
	case APIC_LVT_TIMER:
		return LVT_TIMER_W;
	case APIC_LVT_CMCI:
	case APIC_LVT_THERMAL:
	case APIC_LVT_PMC:
		return LVT_WITH_DM;
	case APIC_LVT_LINT0:
	case APIC_LVT_LINT1:
		return LVT_LINT_W;
	case APIC_LVT_ERROR:
		return LVT_BASIC;
	default:
		return 0;
	}
}

uint32_t vlapic_id(const struct vlapic *vl)
{
	return *(const uint32_t *)(const void *)&vl->regs[APIC_ID];
}

bool vlapic_sw_enabled(struct vlapic *vl)
{
	return vlapic_get(vl, APIC_SVR) & APIC_SVR_ENABLE;
}

/*
 * Highest set bit of the 256-bit vector at @base, or -1, from the page
 * alone: for a page the CPU writes too (hw_page). Unrolled: three
 * instructions a word, 8 loads for the empty vector.
 */
static int highest_vector(struct vlapic *vl, uint32_t base)
{
#pragma GCC unroll 8
	for (int i = APIC_VECTOR_WORDS - 1; i >= 0; i--) {
		uint32_t w =
			vlapic_get(vl, base + (uint32_t)i * APIC_VECTOR_STRIDE);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/* The highest vector of the word the summary @words names first, or -1
 * with that word's bit cleared from @words (the summary over-stated). */
static inline __attribute__((always_inline)) int
summary_look(struct vlapic *vl, uint32_t base, uint32_t *words)
{
	int i = 31 ^ __builtin_clz(*words); /* BSR */
	uint32_t w = vlapic_get(vl, base + (uint32_t)i * APIC_VECTOR_STRIDE);

	if (w)
		return i * 32 + (31 ^ __builtin_clz(w));
	*words &= ~(1u << i);
	return -1;
}

/* The same through a summary (struct vlapic, irr_words): only the words
 * its bits name are read, none for the empty vector. The word it names
 * first is almost never empty (only an owner clearing it races with a
 * sender): one look, then the loop. */
static inline __attribute__((always_inline)) int
highest_in(struct vlapic *vl, uint32_t base, uint32_t words)
{
	int vec = words ? summary_look(vl, base, &words) : -1;

	while (vec < 0 && words)
		vec = summary_look(vl, base, &words);
	return vec;
}

static inline int highest_isr(struct vlapic *vl)
{
	if (vl->hw_page)
		return highest_vector(vl, APIC_ISR);
	return highest_in(vl, APIC_ISR, vl->isr_words);
}

int vlapic_highest_isr(struct vlapic *vl)
{
	return highest_isr(vl);
}

static inline int highest_irr(struct vlapic *vl)
{
	if (vl->hw_page)
		return highest_vector(vl, APIC_IRR);
	return highest_in(vl, APIC_IRR,
			  __atomic_load_n(&vl->irr_words, __ATOMIC_ACQUIRE));
}

int vlapic_highest_irr(struct vlapic *vl)
{
	return highest_irr(vl);
}

void vlapic_set_hw_page(struct vlapic *vl, bool on)
{
	vl->hw_page = on;
}

/* SDM 11.8.3.1: PPR from TPR and the highest in-service vector. */
static inline __attribute__((always_inline)) void update_ppr(struct vlapic *vl)
{
	uint32_t tpr = vlapic_get(vl, APIC_TPR) & APIC_TPR_MASK;
	int isr = highest_isr(vl);
	uint32_t isrv = isr < 0 ? 0 : (uint32_t)isr;
	uint32_t ppr;

	VLAPIC_OWNER_ONLY(vl);
	if (APIC_PRIO_CLASS(tpr) >= APIC_PRIO_CLASS(isrv))
		ppr = tpr;
	else
		ppr = isrv & APIC_PRIO_CLASS_MASK;
	vlapic_set(vl, APIC_PPR, ppr);
}

void vlapic_update_ppr(struct vlapic *vl)
{
	update_ppr(vl);
}

static void write_ldr(struct vlapic *vl, uint32_t id)
{
	/* SDM 11.12.10.2: logical ID = ID[19:4] << 16 | 1 << ID[3:0]. */
	uint32_t cluster = (id >> X2APIC_LDR_ID_BITS) & X2APIC_LDR_CLUSTER_MASK;
	uint32_t ldr = cluster << X2APIC_LDR_CLUSTER_SHIFT |
		       1u << (id & X2APIC_LDR_ID_MASK);

	vlapic_set(vl, APIC_LDR, ldr);
}

/* INIT's register reset (vlapic_reset), also the end of vlapic_init. */
static void reset_regs(struct vlapic *vl)
{
	uint32_t id = vlapic_id(vl);

	vlapic_timer_disarm(vl);
	__atomic_store_n(&vl->irr_words, 0, __ATOMIC_RELAXED);
	vl->isr_words = 0;
	vl->timer_period = 0;
	vl->tsc_deadline = 0;
	__atomic_store_n(&vl->esr_pending, 0, __ATOMIC_RELAXED);
	memset(vl->regs, 0, sizeof(vl->regs));
	vlapic_set(vl, APIC_ID, id);
	vlapic_set(vl, APIC_LVR, APIC_LVR_VALUE);
	write_ldr(vl, id);
	vlapic_set(vl, APIC_SVR, APIC_SVR_RESET);
	for (size_t i = 0; i < NR_LVT; i++)
		vlapic_set(vl, lvt_offsets[i], APIC_LVT_MASKED);
}

void vlapic_init(struct vlapic *vl, uint32_t x2apic_id, bool bsp,
		 uint32_t tsc_per_bus_tick, const struct vlapic_ops *ops,
		 void *opaque)
{
	memset(vl, 0, sizeof(*vl));
	vl->ops = ops;
	vl->opaque = opaque;
	vl->tsc_per_bus_tick = tsc_per_bus_tick ? tsc_per_bus_tick : 1;
	vl->apic_base = APIC_BASE_ADDR | APIC_BASE_EN | APIC_BASE_EXTD |
			(bsp ? APIC_BASE_BSP : 0);
	vlapic_set(vl, APIC_ID, x2apic_id);
	reset_regs(vl);
}

void vlapic_reset(struct vlapic *vl)
{
	VLAPIC_OWNER_ONLY(vl);
	reset_regs(vl);
}

/*
 * Accept fixed @vector (>= 16, the caller checked) unless software-disabled.
 * Any CPU. TMR first, so the owner never sees the IRR bit (or the posted
 * request) with a stale trigger mode. Then either the backend's posting
 * channel takes the vector (ops->post) or it goes into the IRR here; the
 * owner's own interrupts (@may_post false) always go there: it is in the
 * host, the CPU does not touch the page meanwhile.
 */
static inline __attribute__((always_inline)) void
accept_fixed(struct vlapic *vl, uint8_t vector, bool level, bool may_post)
{
	uint32_t bit = vlapic_vec_bit(vector);
	uint32_t *tmr = vlapic_vec_word(vl, APIC_TMR, vector);

	if (!(vlapic_get(vl, APIC_SVR) & APIC_SVR_ENABLE))
		return;
	if (level)
		__atomic_fetch_or(tmr, bit, __ATOMIC_ACQ_REL);
	else
		__atomic_fetch_and(tmr, ~bit, __ATOMIC_ACQ_REL);
	if (may_post && vl->ops && vl->ops->post && vl->ops->post(vl, vector))
		return;
	/* IRR bit, then summary bit: the summary never under-states
	 * (struct vlapic; vlapic_ack clears in the other order). */
	__atomic_fetch_or(vlapic_vec_word(vl, APIC_IRR, vector), bit,
			  __ATOMIC_ACQ_REL);
	__atomic_fetch_or(&vl->irr_words, 1u << (vector >> 5),
			  __ATOMIC_ACQ_REL);
	if (vl->ops && vl->ops->notify)
		vl->ops->notify(vl);
}

int vlapic_accept_posted(struct vlapic *vl,
			 const uint64_t req[VLAPIC_REQ_WORDS])
{
	int highest = -1;

	for (unsigned int i = 0; i < APIC_VECTOR_WORDS; i++) {
		uint32_t w = (uint32_t)(req[i / 2] >> (32 * (i % 2)));

		if (i == 0)
			w &= ~((1u << APIC_FIRST_LEGAL_VECTOR) - 1);
		if (!w)
			continue;
		__atomic_fetch_or(
			vlapic_reg_ptr(vl, APIC_IRR + i * APIC_VECTOR_STRIDE),
			w, __ATOMIC_ACQ_REL);
		__atomic_fetch_or(&vl->irr_words, 1u << i, __ATOMIC_ACQ_REL);
		highest = (int)(i * 32 + 31 - (unsigned int)__builtin_clz(w));
	}
	return highest;
}

/*
 * SDM 11.5.3: latch @bits and signal the LVT error interrupt, only when a
 * bit is new (a stuck error cannot storm). The call graph is acyclic: an
 * illegal LVT error vector only records "receive illegal vector" and never
 * re-enters (the Xen XSA-462 recursion cannot happen here).
 */
void vlapic_error(struct vlapic *vl, uint32_t bits)
{
	uint32_t old =
		__atomic_fetch_or(&vl->esr_pending, bits, __ATOMIC_ACQ_REL);
	uint32_t lvt;
	uint8_t vector;

	if ((old & bits) == bits)
		return;
	lvt = vlapic_get(vl, APIC_LVT_ERROR);
	if (lvt & APIC_LVT_MASKED)
		return;
	vector = lvt & APIC_LVT_VECTOR;
	if (vector < APIC_FIRST_LEGAL_VECTOR) {
		__atomic_fetch_or(&vl->esr_pending, APIC_ESR_RECV_ILLEGAL,
				  __ATOMIC_ACQ_REL);
		return;
	}
	accept_fixed(vl, vector, false, true);
}

void vlapic_set_irq(struct vlapic *vl, uint8_t vector, bool level)
{
	if (vector < APIC_FIRST_LEGAL_VECTOR) {
		/* Discarded by a software-disabled APIC before any check. */
		if (vlapic_sw_enabled(vl))
			vlapic_error(vl, APIC_ESR_RECV_ILLEGAL);
		return;
	}
	accept_fixed(vl, vector, level, true);
}

int vlapic_pending(struct vlapic *vl)
{
	int irr;

	VLAPIC_OWNER_ONLY(vl);
	/* The common answer, "nothing", from the summary alone. */
	irr = highest_irr(vl);
	if (irr < 0 || APIC_PRIO_CLASS((uint32_t)irr) <=
			       APIC_PRIO_CLASS(vlapic_get(vl, APIC_PPR)))
		return -1;
	return irr;
}

/*
 * IRR word @i just became empty: clear its summary bit, then look at the
 * word again. A sender sets its IRR bit before its summary bit, so either
 * its summary update comes after the clear, or this look sees its bit
 * and sets the summary bit back.
 */
static void irr_word_emptied(struct vlapic *vl, unsigned int i)
{
	__atomic_fetch_and(&vl->irr_words, ~(1u << i), __ATOMIC_ACQ_REL);
	if (vlapic_get(vl, APIC_IRR + i * APIC_VECTOR_STRIDE))
		__atomic_fetch_or(&vl->irr_words, 1u << i, __ATOMIC_ACQ_REL);
}

/* @vector from IRR to ISR, with the summaries; false when it was not in
 * the IRR. PPR is the caller's. */
static inline __attribute__((always_inline)) bool irr_to_isr(struct vlapic *vl,
							     uint8_t vector)
{
	uint32_t bit = vlapic_vec_bit(vector);
	uint32_t *irr = vlapic_vec_word(vl, APIC_IRR, vector);
	uint32_t *isr = vlapic_vec_word(vl, APIC_ISR, vector);

	if (!(__atomic_fetch_and(irr, ~bit, __ATOMIC_ACQ_REL) & bit))
		return false;
	if (!__atomic_load_n(irr, __ATOMIC_ACQUIRE))
		irr_word_emptied(vl, vector >> 5);
	__atomic_store_n(isr, __atomic_load_n(isr, __ATOMIC_RELAXED) | bit,
			 __ATOMIC_RELEASE);
	vl->isr_words |= 1u << (vector >> 5);
	return true;
}

void vlapic_ack(struct vlapic *vl, uint8_t vector)
{
	VLAPIC_OWNER_ONLY(vl);
	if (!irr_to_isr(vl, vector))
		return;
	vlapic_update_ppr(vl);
	vlapic_timer_unpark(vl);
}

/*
 * The pending vector outranks PPR, hence TPR and every vector in service:
 * in service now, it is the highest there and PPR becomes its class (SDM
 * 11.8.3.1) without a look at the ISR.
 */
int vlapic_take_pending(struct vlapic *vl)
{
	int vec = vlapic_pending(vl);

	if (vec < 0 || !irr_to_isr(vl, (uint8_t)vec))
		return -1;
	vlapic_set(vl, APIC_PPR, (uint32_t)vec & APIC_PRIO_CLASS_MASK);
	if (vl->timer_parked)
		vlapic_timer_unpark(vl);
	return vec;
}

void vlapic_unack(struct vlapic *vl, uint8_t vector)
{
	uint32_t bit = vlapic_vec_bit(vector);
	uint32_t isr = vlapic_get(vl, vlapic_vec_off(APIC_ISR, vector));

	VLAPIC_OWNER_ONLY(vl);
	if (!(isr & bit))
		return;
	vlapic_set(vl, vlapic_vec_off(APIC_ISR, vector), isr & ~bit);
	if (!(isr & ~bit))
		vl->isr_words &= ~(1u << (vector >> 5));
	/* IRR bit, then summary bit, as vlapic_set_irq. */
	__atomic_fetch_or(vlapic_reg_ptr(vl, vlapic_vec_off(APIC_IRR, vector)),
			  bit, __ATOMIC_ACQ_REL);
	__atomic_fetch_or(&vl->irr_words, 1u << (vector >> 5),
			  __ATOMIC_ACQ_REL);
	vlapic_update_ppr(vl);
}

bool vlapic_vector_is_level(struct vlapic *vl, uint8_t vector)
{
	return vlapic_get(vl, vlapic_vec_off(APIC_TMR, vector)) &
	       vlapic_vec_bit(vector);
}

/* SDM 11.8.5: EOI retires the highest in-service interrupt. */
static inline __attribute__((always_inline)) void do_eoi(struct vlapic *vl)
{
	int isr = highest_isr(vl);
	uint32_t *word, bit, left;
	uint8_t vector;

	if (isr < 0)
		return;
	vector = (uint8_t)isr;
	word = vlapic_vec_word(vl, APIC_ISR, vector);
	bit = vlapic_vec_bit(vector);
	left = __atomic_load_n(word, __ATOMIC_RELAXED) & ~bit;
	__atomic_store_n(word, left, __ATOMIC_RELEASE);
	if (!left)
		vl->isr_words &= ~(1u << (vector >> 5));
	update_ppr(vl);
	if ((__atomic_load_n(vlapic_vec_word(vl, APIC_TMR, vector),
			     __ATOMIC_ACQUIRE) &
	     bit) &&
	    vl->ops && vl->ops->eoi_level)
		vl->ops->eoi_level(vl, vector);
}

void vlapic_raise_lvt(struct vlapic *vl, uint32_t lvt)
{
	uint32_t v;

	VLAPIC_OWNER_ONLY(vl);
	if (!vlapic_lvt_writable(lvt))
		return;
	v = vlapic_get(vl, lvt);
	if (v & APIC_LVT_MASKED)
		return;
	switch ((v & APIC_LVT_DM_MASK) >> APIC_LVT_DM_SHIFT) {
	case APIC_DM_FIXED:
		/* Only LINT0/1 have a writable trigger-mode bit. */
		vlapic_set_irq(vl, v & APIC_LVT_VECTOR, v & APIC_LVT_LEVEL);
		break;
	case APIC_DM_NMI:
		if (vl->ops && vl->ops->nmi)
			vl->ops->nmi(vl);
		break;
	default:
		/* SMI, INIT, ExtINT: no such sources in x2hv guests. */
		break;
	}
}

void vlapic_do_eoi(struct vlapic *vl)
{
	do_eoi(vl);
}

/* The hot writes of vlapic_wrmsr (vlapic_msr.c), here so that what they
 * call inlines. */
int vlapic_write_eoi(struct vlapic *vl, uint64_t val)
{
	VLAPIC_OWNER_ONLY(vl);
	/* SDM 11.12.1.3: a non-zero EOI write raises #GP. */
	if (val)
		return -1;
	do_eoi(vl);
	return 0;
}

/* SDM 11.12.11: SELF IPI is a fixed, edge-triggered IPI to this APIC. */
int vlapic_write_self_ipi(struct vlapic *vl, uint64_t val)
{
	uint8_t vector;

	VLAPIC_OWNER_ONLY(vl);
	if (val & ~(uint64_t)APIC_VECTOR_MASK)
		return -1;
	vector = (uint8_t)val;
	if (vector < APIC_FIRST_LEGAL_VECTOR) {
		vlapic_error(vl, APIC_ESR_SEND_ILLEGAL);
		vlapic_set_irq(vl, vector, false); /* the receive error */
		return 0;
	}
	/* Into the IRR whatever ops->post would say: the owner is in the
	 * host, the CPU does not touch the page meanwhile. */
	accept_fixed(vl, vector, false, false);
	return 0;
}

int vlapic_write_tpr(struct vlapic *vl, uint64_t val)
{
	VLAPIC_OWNER_ONLY(vl);
	if (val & ~(uint64_t)APIC_TPR_MASK)
		return -1;
	vlapic_set(vl, APIC_TPR, (uint32_t)val);
	update_ppr(vl);
	return 0;
}
