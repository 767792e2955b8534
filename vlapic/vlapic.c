// SPDX-License-Identifier: MIT
/*
 * x2APIC-only virtual local APIC: reset, the MSR interface and the
 * interrupt acceptance/priority logic. Timer in vlapic_timer.c, IPI routing
 * in vlapic_ipi.c. Contracts in vlapic.h, model in docs/vlapic.md.
 */
#include <string.h>

#include "vlapic/vlapic_internal.h"

/*
 * Writable bits of the LVT entries (SDM figure 11-8). Delivery status and
 * remote IRR are read-only: written ones are ignored. Every other bit is
 * reserved and a write that sets one raises #GP (SDM 11.12.1.3).
 */
#define LVT_BASIC (APIC_LVT_VECTOR | APIC_LVT_MASKED)
#define LVT_WITH_DM (LVT_BASIC | APIC_LVT_DM_MASK)
#define LVT_LINT_W (LVT_WITH_DM | APIC_LVT_POLARITY | APIC_LVT_LEVEL)
#define LVT_TIMER_W (LVT_BASIC | APIC_LVT_TIMER_MASK)
#define LVT_RO_BITS (APIC_LVT_DELIV_STATUS | APIC_LVT_REMOTE_IRR)

/*
 * SVR: vector, enable, focus-processor-check disable (kept, no effect: we
 * have no focus processor). Bit 12 (EOI-broadcast suppression) only exists
 * with version bit 24, which we do not advertise.
 */
#define SVR_WRITABLE                                                           \
	(APIC_SVR_VECTOR | APIC_SVR_ENABLE | APIC_SVR_FOCUS_DISABLE)

static const uint32_t lvt_offsets[] = {
	APIC_LVT_CMCI,	APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PMC,
	APIC_LVT_LINT0, APIC_LVT_LINT1, APIC_LVT_ERROR,
};

#define NR_LVT (sizeof(lvt_offsets) / sizeof(lvt_offsets[0]))

/* Writable bits of the LVT at @off, 0 if @off is not an LVT. */
static uint32_t lvt_writable(uint32_t off)
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

/* Highest set bit of the 256-bit vector at @base, or -1. */
static int highest_vector(struct vlapic *vl, uint32_t base)
{
	for (int i = APIC_VECTOR_WORDS - 1; i >= 0; i--) {
		uint32_t w =
			vlapic_get(vl, base + (uint32_t)i * APIC_VECTOR_STRIDE);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

int vlapic_highest_isr(struct vlapic *vl)
{
	return highest_vector(vl, APIC_ISR);
}

int vlapic_highest_irr(struct vlapic *vl)
{
	return highest_vector(vl, APIC_IRR);
}

/* SDM 11.8.3.1: PPR from TPR and the highest in-service vector. */
void vlapic_update_ppr(struct vlapic *vl)
{
	uint32_t tpr = vlapic_get(vl, APIC_TPR) & APIC_TPR_MASK;
	int isr = vlapic_highest_isr(vl);
	uint32_t isrv = isr < 0 ? 0 : (uint32_t)isr;
	uint32_t ppr;

	if (APIC_PRIO_CLASS(tpr) >= APIC_PRIO_CLASS(isrv))
		ppr = tpr;
	else
		ppr = isrv & APIC_PRIO_CLASS_MASK;
	vlapic_set(vl, APIC_PPR, ppr);
}

static void write_ldr(struct vlapic *vl, uint32_t id)
{
	/* SDM 11.12.10.2: logical ID = ID[19:4] << 16 | 1 << ID[3:0]. */
	uint32_t cluster = (id >> X2APIC_LDR_ID_BITS) & X2APIC_LDR_CLUSTER_MASK;
	uint32_t ldr = cluster << X2APIC_LDR_CLUSTER_SHIFT |
		       1u << (id & X2APIC_LDR_ID_MASK);

	vlapic_set(vl, APIC_LDR, ldr);
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
	vlapic_reset(vl);
}

void vlapic_reset(struct vlapic *vl)
{
	uint32_t id = vlapic_id(vl);

	vlapic_timer_disarm(vl);
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

bool vlapic_handles_msr(uint32_t msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

/*
 * Accept fixed @vector (>= 16, the caller checked) unless software-disabled.
 * Any CPU. TMR first, so the owner never sees the IRR bit with a stale
 * trigger mode.
 */
static void accept_fixed(struct vlapic *vl, uint8_t vector, bool level)
{
	uint32_t bit = vlapic_vec_bit(vector);

	if (!vlapic_sw_enabled(vl))
		return;
	if (level)
		__atomic_fetch_or(
			vlapic_reg_ptr(vl, vlapic_vec_off(APIC_TMR, vector)),
			bit, __ATOMIC_ACQ_REL);
	else
		__atomic_fetch_and(
			vlapic_reg_ptr(vl, vlapic_vec_off(APIC_TMR, vector)),
			~bit, __ATOMIC_ACQ_REL);
	__atomic_fetch_or(vlapic_reg_ptr(vl, vlapic_vec_off(APIC_IRR, vector)),
			  bit, __ATOMIC_ACQ_REL);
	if (vl->ops && vl->ops->notify)
		vl->ops->notify(vl);
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
	accept_fixed(vl, vector, false);
}

void vlapic_set_irq(struct vlapic *vl, uint8_t vector, bool level)
{
	if (vector < APIC_FIRST_LEGAL_VECTOR) {
		/* Discarded by a software-disabled APIC before any check. */
		if (vlapic_sw_enabled(vl))
			vlapic_error(vl, APIC_ESR_RECV_ILLEGAL);
		return;
	}
	accept_fixed(vl, vector, level);
}

int vlapic_pending(struct vlapic *vl)
{
	int irr = vlapic_highest_irr(vl);
	uint32_t ppr = vlapic_get(vl, APIC_PPR);

	if (irr < 0 || APIC_PRIO_CLASS((uint32_t)irr) <= APIC_PRIO_CLASS(ppr))
		return -1;
	return irr;
}

void vlapic_ack(struct vlapic *vl, uint8_t vector)
{
	uint32_t bit = vlapic_vec_bit(vector);
	uint32_t old;

	old = __atomic_fetch_and(
		vlapic_reg_ptr(vl, vlapic_vec_off(APIC_IRR, vector)), ~bit,
		__ATOMIC_ACQ_REL);
	if (!(old & bit))
		return;
	vlapic_set(vl, vlapic_vec_off(APIC_ISR, vector),
		   vlapic_get(vl, vlapic_vec_off(APIC_ISR, vector)) | bit);
	vlapic_update_ppr(vl);
	vlapic_timer_unpark(vl);
}

bool vlapic_vector_is_level(struct vlapic *vl, uint8_t vector)
{
	return vlapic_get(vl, vlapic_vec_off(APIC_TMR, vector)) &
	       vlapic_vec_bit(vector);
}

/* SDM 11.8.5: EOI retires the highest in-service interrupt. */
static void do_eoi(struct vlapic *vl)
{
	int isr = vlapic_highest_isr(vl);
	uint8_t vector;
	uint32_t off, bit;

	if (isr < 0)
		return;
	vector = (uint8_t)isr;
	off = vlapic_vec_off(APIC_ISR, vector);
	bit = vlapic_vec_bit(vector);
	vlapic_set(vl, off, vlapic_get(vl, off) & ~bit);
	vlapic_update_ppr(vl);
	if ((vlapic_get(vl, vlapic_vec_off(APIC_TMR, vector)) & bit) &&
	    vl->ops && vl->ops->eoi_level)
		vl->ops->eoi_level(vl, vector);
}

void vlapic_raise_lvt(struct vlapic *vl, uint32_t lvt)
{
	uint32_t v;

	if (!lvt_writable(lvt))
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

static void write_svr(struct vlapic *vl, uint32_t val)
{
	vlapic_set(vl, APIC_SVR, val);
	if (val & APIC_SVR_ENABLE)
		return;
	/* SDM 11.4.7.2: software disable masks every LVT entry. */
	for (size_t i = 0; i < NR_LVT; i++)
		vlapic_set(vl, lvt_offsets[i],
			   vlapic_get(vl, lvt_offsets[i]) | APIC_LVT_MASKED);
}

static int write_lvt(struct vlapic *vl, uint32_t off, uint32_t val)
{
	uint32_t w = lvt_writable(off);
	uint32_t old = vlapic_get(vl, off);

	val &= ~LVT_RO_BITS;
	if (val & ~w)
		return -1;
	if (off == APIC_LVT_TIMER &&
	    (val & APIC_LVT_TIMER_MASK) >> APIC_LVT_TIMER_SHIFT ==
		    APIC_LVT_TIMER_RESERVED)
		return -1;
	/* Masks cannot be cleared while software-disabled (SDM 11.4.7.2). */
	if (!vlapic_sw_enabled(vl))
		val |= APIC_LVT_MASKED;
	vlapic_set(vl, off, val);
	if (off == APIC_LVT_TIMER)
		vlapic_timer_write_lvt(vl, old, val);
	return 0;
}

/* SDM 11.12.9: the ICR is written as one 64-bit MSR in x2APIC mode. */
static int write_icr(struct vlapic *vl, uint64_t val)
{
	struct vlapic_ipi ipi;

	val &= ~APIC_ICR_BUSY;
	if (val & ~APIC_ICR_WRITABLE)
		return -1;
	vlapic_set(vl, APIC_ICR, (uint32_t)val);
	vlapic_set(vl, APIC_ICR + 4, (uint32_t)(val >> APIC_ICR_DEST_SHIFT));
	vlapic_set(vl, APIC_ICR2, (uint32_t)(val >> APIC_ICR_DEST_SHIFT));
	vlapic_icr_decode(val, &ipi);
	/* SDM 11.5.3: the sender flags an illegal vector it sends. */
	if ((ipi.mode == APIC_DM_FIXED || ipi.mode == APIC_DM_LOWEST) &&
	    ipi.vector < APIC_FIRST_LEGAL_VECTOR)
		vlapic_error(vl, APIC_ESR_SEND_ILLEGAL);
	if (vl->ops && vl->ops->send_ipi)
		vl->ops->send_ipi(vl, &ipi);
	return 0;
}

/* SDM 11.12.11: SELF IPI is a fixed, edge-triggered IPI to this APIC. */
static int write_self_ipi(struct vlapic *vl, uint64_t val)
{
	uint8_t vector;

	if (val & ~(uint64_t)APIC_VECTOR_MASK)
		return -1;
	vector = (uint8_t)val;
	if (vector < APIC_FIRST_LEGAL_VECTOR)
		vlapic_error(vl, APIC_ESR_SEND_ILLEGAL);
	vlapic_set_irq(vl, vector, false);
	return 0;
}

static int write_apic_base(struct vlapic *vl, uint64_t val)
{
	/*
	 * The lock (IA32_XAPIC_DISABLE_STATUS.LEGACY_XAPIC_DISABLED): EN,
	 * EXTD, BSP and the base are fixed and the rest is reserved, so only
	 * the current value may be written (SDM 11.4.4, 11.12.1).
	 */
	return val == vl->apic_base ? 0 : -1;
}

static int write_x2apic(struct vlapic *vl, uint32_t msr, uint64_t val)
{
	uint32_t off = X2APIC_OFFSET(msr);
	uint32_t v = (uint32_t)val;

	if (msr == X2APIC_MSR(APIC_ICR))
		return write_icr(vl, val);
	/* Every other x2APIC register is 32 bits wide (table 11-6). */
	if (val >> 32)
		return -1;
	switch (off) {
	case APIC_TPR:
		if (v & ~APIC_TPR_MASK)
			return -1;
		vlapic_set(vl, APIC_TPR, v);
		vlapic_update_ppr(vl);
		return 0;
	case APIC_EOI:
		/* SDM 11.12.1.3: a non-zero EOI write raises #GP. */
		if (v)
			return -1;
		do_eoi(vl);
		return 0;
	case APIC_SVR:
		if (v & ~SVR_WRITABLE)
			return -1;
		write_svr(vl, v);
		return 0;
	case APIC_ESR:
		/* Must be 0 in x2APIC mode; the write latches the errors. */
		if (v)
			return -1;
		vlapic_set(vl, APIC_ESR,
			   __atomic_exchange_n(&vl->esr_pending, 0,
					       __ATOMIC_ACQ_REL));
		return 0;
	case APIC_LVT_CMCI:
	case APIC_LVT_TIMER:
	case APIC_LVT_THERMAL:
	case APIC_LVT_PMC:
	case APIC_LVT_LINT0:
	case APIC_LVT_LINT1:
	case APIC_LVT_ERROR:
		return write_lvt(vl, off, v);
	case APIC_TMICT:
		vlapic_timer_write_tmict(vl, v);
		return 0;
	case APIC_TDCR:
		if (v & ~APIC_TDCR_MASK)
			return -1;
		vlapic_timer_write_tdcr(vl, v);
		return 0;
	case APIC_SELF_IPI:
		return write_self_ipi(vl, val);
	default:
		/* Read-only (ID, version, PPR, LDR, ISR/TMR/IRR, current count) or absent. */
		return -1;
	}
}

int vlapic_wrmsr(struct vlapic *vl, uint32_t msr, uint64_t val)
{
	if (msr == MSR_IA32_APIC_BASE)
		return write_apic_base(vl, val);
	if (msr == MSR_IA32_TSC_DEADLINE) {
		vlapic_timer_write_deadline(vl, val);
		return 0;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST)
		return -1;
	return write_x2apic(vl, msr, val);
}

static bool is_vector_reg(uint32_t off, uint32_t base)
{
	return off >= base &&
	       off < base + APIC_VECTOR_WORDS * APIC_VECTOR_STRIDE;
}

static int read_x2apic(struct vlapic *vl, uint32_t msr, uint64_t *val)
{
	uint32_t off = X2APIC_OFFSET(msr);

	switch (off) {
	case APIC_ICR:
		*val = vlapic_get(vl, APIC_ICR) |
		       (uint64_t)vlapic_get(vl, APIC_ICR + 4)
			       << APIC_ICR_DEST_SHIFT;
		return 0;
	case APIC_TMCCT:
		*val = vlapic_timer_read_tmcct(vl);
		return 0;
	case APIC_ID:
	case APIC_LVR:
	case APIC_TPR:
	case APIC_PPR:
	case APIC_LDR:
	case APIC_SVR:
	case APIC_ESR:
	case APIC_LVT_CMCI:
	case APIC_LVT_TIMER:
	case APIC_LVT_THERMAL:
	case APIC_LVT_PMC:
	case APIC_LVT_LINT0:
	case APIC_LVT_LINT1:
	case APIC_LVT_ERROR:
	case APIC_TMICT:
	case APIC_TDCR:
		*val = vlapic_get(vl, off);
		return 0;
	default:
		if (is_vector_reg(off, APIC_ISR) ||
		    is_vector_reg(off, APIC_TMR) ||
		    is_vector_reg(off, APIC_IRR)) {
			*val = vlapic_get(vl, off);
			return 0;
		}
		/* EOI and SELF IPI are write-only; the rest does not exist. */
		return -1;
	}
}

int vlapic_rdmsr(struct vlapic *vl, uint32_t msr, uint64_t *val)
{
	if (msr == MSR_IA32_APIC_BASE) {
		*val = vl->apic_base;
		return 0;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		*val = vlapic_timer_read_deadline(vl);
		return 0;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST)
		return -1;
	return read_x2apic(vl, msr, val);
}
