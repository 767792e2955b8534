// SPDX-License-Identifier: MIT
/*
 * Interprocessor interrupts in x2APIC mode: ICR decoding and routing among
 * the vlapics of a VM (SDM 11.6 and 11.12.9-11.12.10). Pure: touches only
 * the vlapics it is given.
 */
#include "vlapic/vlapic_internal.h"

void vlapic_icr_decode(uint64_t icr, struct vlapic_ipi *ipi)
{
	ipi->dest = (uint32_t)(icr >> APIC_ICR_DEST_SHIFT);
	ipi->vector = (uint8_t)(icr & APIC_ICR_VECTOR);
	ipi->mode = (uint8_t)((icr & APIC_ICR_DM_MASK) >> APIC_ICR_DM_SHIFT);
	ipi->shorthand =
		(uint8_t)((icr & APIC_ICR_SH_MASK) >> APIC_ICR_SH_SHIFT);
	ipi->logical = icr & APIC_ICR_LOGICAL;
	ipi->level = icr & APIC_ICR_LEVEL;
	ipi->assert = icr & APIC_ICR_ASSERT;
}

/* SDM 11.12.10.1/11.12.10.2: x2APIC physical and logical destinations. */
static bool dest_matches(struct vlapic *t, const struct vlapic_ipi *ipi)
{
	uint32_t ldr, cluster, bitmap;

	if (ipi->dest == X2APIC_BROADCAST)
		return true;
	if (!ipi->logical)
		return vlapic_id(t) == ipi->dest;
	ldr = vlapic_get(t, APIC_LDR);
	cluster = ipi->dest >> X2APIC_LDR_CLUSTER_SHIFT;
	bitmap = ipi->dest & X2APIC_LDR_BITMAP_MASK;
	return cluster == ldr >> X2APIC_LDR_CLUSTER_SHIFT &&
	       (bitmap & ldr & X2APIC_LDR_BITMAP_MASK);
}

static bool selected(struct vlapic *t, struct vlapic *src,
		     const struct vlapic_ipi *ipi)
{
	switch (ipi->shorthand & 3) {
	case APIC_SH_SELF:
		return t == src;
	case APIC_SH_ALL:
		return true;
	case APIC_SH_ALL_BUT_SELF:
		return t != src;
	default:
		return dest_matches(t, ipi);
	}
}

/*
 * Lowest priority (SDM 11.6.2.4): one software-enabled target with the
 * lowest PPR (we have no APR in x2APIC mode and no focus processor). Ties
 * go to the (vector mod ties)-th candidate, a stateless spread like KVM's
 * vector hashing. Returns the index in lapics[] or n.
 */
static size_t pick_lowest(struct vlapic *const *lapics, size_t n,
			  struct vlapic *src, const struct vlapic_ipi *ipi)
{
	uint32_t best = UINT32_MAX;
	size_t ties = 0, want, i;

	for (i = 0; i < n; i++) {
		struct vlapic *t = lapics[i];
		uint32_t ppr;

		if (!t || !selected(t, src, ipi) || !vlapic_sw_enabled(t))
			continue;
		ppr = vlapic_get(t, APIC_PPR);
		if (ppr < best) {
			best = ppr;
			ties = 1;
		} else if (ppr == best) {
			ties++;
		}
	}
	if (!ties)
		return n;
	want = ipi->vector % ties;
	for (i = 0; i < n; i++) {
		struct vlapic *t = lapics[i];

		if (!t || !selected(t, src, ipi) || !vlapic_sw_enabled(t) ||
		    vlapic_get(t, APIC_PPR) != best)
			continue;
		if (!want--)
			return i;
	}
	return n; /* a PPR changed under us (another CPU): drop, rare */
}

static void deliver(struct vlapic *t, const struct vlapic_ipi *ipi)
{
	const struct vlapic_ops *ops = t->ops;

	switch (ipi->mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		/* Level-triggered asserts act as edge (SDM table 11-3 note 2). */
		vlapic_set_irq(t, ipi->vector, false);
		break;
	case APIC_DM_NMI:
		if (ops && ops->nmi)
			ops->nmi(t);
		break;
	case APIC_DM_INIT:
		if (ops && ops->init)
			ops->init(t);
		break;
	case APIC_DM_STARTUP:
		if (ops && ops->sipi)
			ops->sipi(t, ipi->vector);
		break;
	default:
		break;
	}
}

int vlapic_route_ipi(struct vlapic *const *lapics, size_t n, struct vlapic *src,
		     const struct vlapic_ipi *ipi)
{
	int count = 0;
	size_t i;

	/* SDM table 11-3 note 2: a level de-assert message is ignored. */
	if (ipi->level && !ipi->assert)
		return 0;
	switch (ipi->mode) {
	case APIC_DM_FIXED:
	case APIC_DM_NMI:
	case APIC_DM_INIT:
	case APIC_DM_STARTUP:
		break;
	case APIC_DM_LOWEST:
		i = pick_lowest(lapics, n, src, ipi);
		if (i == n)
			return 0;
		deliver(lapics[i], ipi);
		return 1;
	default:
		/* SMI, reserved, ExtINT: not deliverable to x2hv guests. */
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct vlapic *t = lapics[i];

		if (!t || !selected(t, src, ipi))
			continue;
		deliver(t, ipi);
		count++;
	}
	return count;
}
