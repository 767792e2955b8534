// SPDX-License-Identifier: MIT
/*
 * The vlapic's MSR interface (vlapic.h: vlapic_rdmsr, vlapic_wrmsr):
 * IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC registers 0x800-0x8FF
 * with their #GP rules (docs/vlapic.md).
 */
#include <string.h>

#include "vlapic/vlapic_internal.h"

bool vlapic_handles_msr(uint32_t msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
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
	uint32_t w = vlapic_lvt_writable(off);
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
	default:
		/* Read-only (ID, version, PPR, LDR, ISR/TMR/IRR, current count) or absent. */
		return -1;
	}
}

static __attribute__((noinline)) int wrmsr_other(struct vlapic *vl,
						 uint32_t msr, uint64_t val)
{
	if (msr == MSR_IA32_APIC_BASE)
		return write_apic_base(vl, val);
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST)
		return -1;
	return write_x2apic(vl, msr, val);
}

int vlapic_wrmsr(struct vlapic *vl, uint32_t msr, uint64_t val)
{
	VLAPIC_OWNER_ONLY(vl);
	/* The writes of every interrupt and timer tick first, each a few
	 * instructions; the rest out of line (the same rules). */
	switch (msr) {
	case X2APIC_MSR(APIC_TPR):
		return vlapic_write_tpr(vl, val);
	case X2APIC_MSR(APIC_EOI):
		return vlapic_write_eoi(vl, val);
	case MSR_IA32_TSC_DEADLINE:
		vlapic_write_tsc_deadline(vl, val);
		return 0;
	case X2APIC_MSR(APIC_SELF_IPI):
		return vlapic_write_self_ipi(vl, val);
	default:
		return wrmsr_other(vl, msr, val);
	}
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
	VLAPIC_OWNER_ONLY(vl);
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
