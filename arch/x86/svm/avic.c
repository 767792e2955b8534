// SPDX-License-Identifier: MIT
/*
 * SVM AVIC / x2AVIC (AMD APM vol. 2 15.29): table and VMCB field
 * encodings, exit decoding, the x2APIC MSR policy, and the glue svm.c
 * calls around VMRUN. See avic.h and docs/avic.md.
 */
#include <string.h>

#include "arch/x86/svm/avic.h"
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

/* ------------------------------------------------- hypervisor glue part */
#ifndef X2HV_HOST_TEST
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "lib/mm.h"
#include "lib/printk.h"
#include "vmm/vm.h"

int avic_vcpu_init(struct vcpu *v, struct vmcb *vmcb, struct avic_vcpu *a)
{
	struct vm *vm = v->vm;
	uint32_t host_id = percpu[v->pcpu].apic_id;
	uint64_t entry, table;

	/* The CPU accepts and EOIs edge interrupts from the backing page
	 * without an exit: a parked periodic timer would never hear that
	 * its vector was taken. Keep the period floor only. */
	vlapic_timer_policy(v->vlapic, v->vlapic->timer_min_period, false);

	if (v->id == 0) {
		a->phys_table = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
		a->logical_table = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
		/* Zeroed: every entry invalid until its vCPU fills it. */
		if (!a->phys_table || !a->logical_table)
			return -1;
	} else {
		struct avic_vcpu *a0 = svm_avic_of(vm->vcpus[0]);

		a->phys_table = a0->phys_table;
		a->logical_table = a0->logical_table;
	}
	/* The guest physical APIC ID is the vCPU index (vmm/vm.h); memory
	 * is identity-mapped, so pointers are physical addresses. */
	entry = avic_phys_entry((uint64_t)vlapic_page(v->vlapic), host_id);
	table = avic_physical_table_field((uint64_t)a->phys_table,
					  vm->nr_vcpus - 1);
	if (!entry || !table || v->id >= vm->nr_vcpus) {
		pr_err("vm%u: vcpu%u: AVIC cannot describe host APIC ID %u",
		       vm->id, v->id, host_id);
		return -1;
	}
	a->entry = &a->phys_table[v->id];
	__atomic_store_n(a->entry, entry, __ATOMIC_SEQ_CST);

	vmcb->avic_apic_bar = avic_page_field(AVIC_GUEST_APIC_BAR);
	vmcb->avic_backing_pa = avic_page_field(avic_phys_backing(entry));
	vmcb->avic_logical_pa = avic_page_field((uint64_t)a->logical_table);
	vmcb->avic_physical_pa = table;
	vmcb->vintr = avic_vintr(vmcb->vintr, true);
	return 0;
}

/*
 * IsRunning is the hand-off with senders (APM 15.29, "Interrupt
 * Delivery"): a sender sets the IRR bit, then reads IsRunning; this CPU
 * sets IsRunning, then VMRUN scans the IRR. Both sides need a full
 * barrier between their store and their load, or an interrupt could be
 * left in the IRR with no doorbell and no kick: the sender's IRR update
 * is a locked RMW (vlapic_set_irq), the store here is a SEQ_CST store
 * (XCHG). Only the owner CPU writes its entry.
 */
void avic_vcpu_enter(struct avic_vcpu *a)
{
	uint64_t e = __atomic_load_n(a->entry, __ATOMIC_RELAXED);

	__atomic_store_n(a->entry, avic_phys_set_running(e, true),
			 __ATOMIC_SEQ_CST);
}

void avic_vcpu_exit(struct vcpu *v, struct avic_vcpu *a)
{
	uint64_t e = __atomic_load_n(a->entry, __ATOMIC_RELAXED);

	/* Cleared before anything reads the IRR (wake-up check, HLT):
	 * from here on senders kick instead of ringing the doorbell. */
	__atomic_store_n(a->entry, avic_phys_set_running(e, false),
			 __ATOMIC_SEQ_CST);
	/* The CPU changed TPR and ISR in the page; keep PPR in step for
	 * vlapic_pending() (vlapic.h: after hardware changed either). */
	vlapic_update_ppr(v->vlapic);
}

bool avic_post_irq(struct avic_vcpu *a)
{
	uint64_t e = __atomic_load_n(a->entry, __ATOMIC_SEQ_CST);

	if (!avic_phys_is_running(e))
		return false;
	/* If the target left guest mode meanwhile the doorbell is ignored
	 * and its next VMRUN (or the wake-up check) sees the IRR bit. */
	wrmsr(AVIC_MSR_DOORBELL, avic_phys_host_id(e));
	return true;
}

static bool avic_incomplete_ipi(struct vcpu *v)
{
	struct avic_ipi_exit x;
	uint32_t targets;

	avic_decode_ipi_exit(v->exit.qual, v->exit.info2, &x);
	switch (avic_ipi_action(x.cause)) {
	case AVIC_ACT_EMULATE:
		/* Trap-like: the WRMSR has retired. A value the vlapic
		 * refuses (reserved bits) can no longer #GP: dropped. */
		vlapic_wrmsr(v->vlapic, X2APIC_MSR(APIC_ICR), x.icr);
		return true;
	case AVIC_ACT_KICK:
		targets = avic_ipi_targets(x.icr, v->id, v->vm->nr_vcpus);
		for (unsigned int i = 0; i < v->vm->nr_vcpus; i++)
			if ((targets >> i) & 1 && i != v->id)
				vcpu_kick(v->vm->vcpus[i]);
		return true;
	case AVIC_ACT_FAIL:
		break;
	}
	pr_err("vm%u: vcpu%u: AVIC incomplete IPI, cause %u, ICR %lx",
	       v->vm->id, v->id, x.cause, x.icr);
	return false;
}

static bool avic_noaccel(struct vcpu *v)
{
	struct avic_noaccel_exit x;

	avic_decode_noaccel_exit(v->exit.qual, v->exit.info2, &x);
	/*
	 * With the MSR map above the only expected one is the EOI of a
	 * level-triggered interrupt (trap-like): the vlapic does the EOI
	 * (ISR, PPR, EOI broadcast). Any other register is intercepted, so
	 * reaching here means the policy and the hardware disagree.
	 */
	if (x.write && x.trap && x.offset == APIC_EOI) {
		vlapic_wrmsr(v->vlapic, X2APIC_MSR(APIC_EOI), 0);
		return true;
	}
	pr_err("vm%u: vcpu%u: AVIC unaccelerated %s of MSR %x (vector %u)",
	       v->vm->id, v->id, x.write ? "write" : "read", x.msr, x.vector);
	return false;
}

bool avic_handle_exit(struct vcpu *v)
{
	switch (v->exit.reason) {
	case EXIT_AVIC_IPI:
		return avic_incomplete_ipi(v);
	case EXIT_AVIC_NOACCEL:
		return avic_noaccel(v);
	default:
		return false;
	}
}
#endif
