// SPDX-License-Identifier: MIT
/*
 * SVM AVIC / x2AVIC (AMD APM vol. 2 15.29): table and VMCB field
 * encodings, exit decoding, the x2APIC MSR policy, and the glue svm.c
 * calls around VMRUN. See avic.h and docs/avic.md.
 */
#include <string.h>

#include "arch/x86/svm/svm_avic.h"
#include "vlapic/vlapic_regs.h"

/* ------------------------------------------------------------ pure part */

bool avic_supported(uint32_t edx)
{
	return (edx & AVIC_CPUID_AVIC) && (edx & AVIC_CPUID_X2AVIC);
}

static bool page_pa_ok(uint64_t pa)
{
	return !(pa & ~AVIC_PA_MASK);
}

uint64_t avic_phys_entry(uint64_t backing_pa, uint32_t host_apic_id)
{
	if (!page_pa_ok(backing_pa) || host_apic_id > AVIC_HOST_ID_MAX)
		return 0;
	return AVIC_PHYS_VALID | (backing_pa & AVIC_PHYS_BACKING_MASK) |
	       ((uint64_t)host_apic_id & AVIC_PHYS_HOST_ID_MASK);
}

uint64_t avic_phys_set_running(uint64_t entry, bool running)
{
	return running ? entry | AVIC_PHYS_IS_RUNNING :
			 entry & ~AVIC_PHYS_IS_RUNNING;
}

bool avic_phys_is_running(uint64_t entry)
{
	return entry & AVIC_PHYS_IS_RUNNING;
}

uint32_t avic_phys_host_id(uint64_t entry)
{
	return (uint32_t)(entry & AVIC_PHYS_HOST_ID_MASK);
}

uint64_t avic_phys_backing(uint64_t entry)
{
	return entry & AVIC_PHYS_BACKING_MASK;
}

uint32_t avic_logical_entry(uint8_t guest_phys_id)
{
	return AVIC_LOG_VALID | (guest_phys_id & AVIC_LOG_GUEST_ID_MASK);
}

uint64_t avic_physical_table_field(uint64_t table_pa, uint32_t max_index)
{
	if (!page_pa_ok(table_pa) || max_index > X2AVIC_MAX_INDEX)
		return 0;
	return table_pa | ((uint64_t)max_index & AVIC_PHYS_MAX_INDEX_MASK);
}

uint64_t avic_page_field(uint64_t pa)
{
	return page_pa_ok(pa) ? pa : 0;
}

uint64_t avic_vintr(uint64_t vintr, bool on)
{
	const uint64_t window = SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR |
				(0xfull << SVM_VINTR_PRIO_SHIFT);

	if (!on)
		return vintr & ~(SVM_VINTR_AVIC | SVM_VINTR_X2AVIC);
	return (vintr & ~window) | SVM_VINTR_AVIC | SVM_VINTR_X2AVIC;
}

/*
 * x2APIC MSRs left to x2AVIC. With x2AVIC enabled, an RDMSR/WRMSR of
 * 0x800-0x8FF whose MSR-permission bit is clear is handled by the AVIC
 * logic against the backing page (register offset = (MSR - 0x800) << 4);
 * a set bit still gives an ordinary MSR exit (APM 15.29, x2AVIC; 15.11).
 * The common set (page reads, TPR and EOI writes) is vmm/msr_bitmap.c's
 * x2apic_page_msrs; x2AVIC also accelerates ICR writes (fixed edge-
 * triggered IPIs; the rest comes back as AVIC_INCOMPLETE_IPI; level-
 * triggered EOIs come back as a trap-like AVIC_NOACCEL). SELF IPI stays
 * intercepted: whether x2AVIC accelerates it was not verifiable.
 */
const struct msr_pass avic_x2apic_writes[] = {
	{ X2APIC_MSR(APIC_ICR), MSR_PASS_W },
};
const unsigned int avic_x2apic_writes_count =
	sizeof(avic_x2apic_writes) / sizeof(avic_x2apic_writes[0]);

int avic_msr_bitmap(uint8_t *bm)
{
	struct msr_pass t[MSR_TABLE_MAX];
	int n = msr_table_with_x2apic(t, MSR_TABLE_MAX, avic_x2apic_writes,
				      avic_x2apic_writes_count);

	if (n < 0)
		return -1;
	msr_bitmap_svm(bm, t, (unsigned int)n);
	return 0;
}

void avic_decode_ipi_exit(uint64_t info1, uint64_t info2,
			  struct avic_ipi_exit *out)
{
	out->icr = info1;
	out->cause = (uint32_t)(info2 >> AVIC_IPI_INFO2_CAUSE_SHIFT);
	out->index = (uint32_t)(info2 & AVIC_IPI_INFO2_INDEX_MASK);
}

enum avic_ipi_action avic_ipi_action(uint32_t cause)
{
	switch (cause) {
	case AVIC_IPI_INVALID_INT_TYPE:
	case AVIC_IPI_INVALID_TARGET:
	case AVIC_IPI_INVALID_VECTOR:
		/*
		 * Nothing was delivered: the vlapic sends it (INIT, SIPI, NMI,
		 * level, lowest priority, destinations without a table entry)
		 * and flags an illegal vector in the ESR (SDM 11.5.3).
		 */
		return AVIC_ACT_EMULATE;
	case AVIC_IPI_TARGET_NOT_RUNNING:
		/* The IRR bits are set in every target's backing page; only
		 * the ones not in guest mode need waking. Sending again would
		 * deliver twice. */
		return AVIC_ACT_KICK;
	default:
		/* INVALID_BACKING_PAGE means our table is wrong; an unknown
		 * cause means hardware newer than this code. */
		return AVIC_ACT_FAIL;
	}
}

#define ICR_DEST(icr) ((uint32_t)((icr) >> APIC_ICR_DEST_SHIFT))
#define MAX_TARGETS 32u

uint32_t avic_ipi_targets(uint64_t icr, uint32_t self, unsigned int nr)
{
	uint32_t all, dest = ICR_DEST(icr);
	uint32_t cluster, bitmap;

	if (nr > MAX_TARGETS)
		nr = MAX_TARGETS;
	all = nr == MAX_TARGETS ? 0xffffffffu : (1u << nr) - 1;
	switch ((icr & APIC_ICR_SH_MASK) >> APIC_ICR_SH_SHIFT) {
	case APIC_SH_SELF:
		return self < nr ? 1u << self : 0;
	case APIC_SH_ALL:
		return all;
	case APIC_SH_ALL_BUT_SELF:
		return self < nr ? all & ~(1u << self) : all;
	}
	if (dest == X2APIC_BROADCAST)
		return all;
	if (!(icr & APIC_ICR_LOGICAL))
		return dest < nr ? 1u << dest : 0;
	/* x2APIC logical: cluster in 31:16 holds IDs cluster * 16 + bit
	 * for each set bit of 15:0 (SDM 11.12.10.2). */
	cluster = dest >> X2APIC_LDR_CLUSTER_SHIFT;
	bitmap = dest & X2APIC_LDR_BITMAP_MASK;
	if (cluster >= (nr + X2APIC_LDR_ID_MASK) >> X2APIC_LDR_ID_BITS)
		return 0;
	return (uint32_t)(((uint64_t)bitmap
			   << (cluster << X2APIC_LDR_ID_BITS)) &
			  all);
}

void avic_decode_noaccel_exit(uint64_t info1, uint64_t info2,
			      struct avic_noaccel_exit *out)
{
	out->offset = (uint32_t)(info1 & AVIC_NOACCEL_OFFSET_MASK);
	out->msr = X2APIC_MSR(out->offset);
	out->write = info1 & AVIC_NOACCEL_WRITE;
	out->vector = (uint32_t)(info2 & AVIC_NOACCEL_VECTOR_MASK);
	out->trap = avic_noaccel_is_trap(out->offset, out->write);
}

/* xAPIC-only registers that appear in the APM's trap list. */
#define APIC_RRR_ 0x0c0
#define APIC_DFR_ 0x0e0

bool avic_noaccel_is_trap(uint32_t offset, bool write)
{
	if (!write)
		return false; /* unaccelerated reads are fault-like */
	switch (offset) {
	case APIC_ID:
	case APIC_EOI:
	case APIC_RRR_:
	case APIC_LDR:
	case APIC_DFR_:
	case APIC_SVR:
	case APIC_ESR:
	case APIC_ICR:
	case APIC_LVT_TIMER:
	case APIC_LVT_THERMAL:
	case APIC_LVT_PMC:
	case APIC_LVT_LINT0:
	case APIC_LVT_LINT1:
	case APIC_LVT_ERROR:
	case APIC_TMICT:
	case APIC_TDCR:
		return true;
	default:
		return false;
	}
}
