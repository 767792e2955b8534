/* SPDX-License-Identifier: MIT */
/*
 * SVM AVIC in x2AVIC mode (AMD APM vol. 2 15.29 "Advanced Virtual
 * Interrupt Controller", and its x2AVIC extension): the formats of the tables and
 * VMCB fields, the exit information of the two AVIC exits, and the policy
 * of which x2APIC MSRs the hardware handles. docs/avic.md has the design.
 *
 * Pure (no arch calls) and unit-tested on the host
 * (tests/unit/test_avic.c); the glue that uses it is in vmcb.c and
 * svm_exit.c (svm.h).
 *
 * AVIC is used only together with x2AVIC: x2hv guests are x2APIC-only, so
 * plain AVIC (which virtualizes the xAPIC MMIO page) would accelerate
 * nothing but the doorbell.
 */
#ifndef X2HV_ARCH_X86_SVM_AVIC_H
#define X2HV_ARCH_X86_SVM_AVIC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/svm/vmcb.h"
#include "vmm/msr_bitmap.h"

/* CPUID Fn8000_000A_EDX (APM vol. 3 appendix E.4.9). */
#define AVIC_CPUID_AVIC (1u << 13)
#define AVIC_CPUID_X2AVIC (1u << 18)

/* Every VMCB pointer field and table entry holds a 4 KiB-aligned
 * system-physical address in bits 51:12 (APM 15.29, appendix B). */
#define AVIC_PA_MASK 0x000ffffffffff000ull
#define AVIC_PAGE_OFFSET_MASK 0xfffull

/*
 * Physical APIC ID table entry, 64 bits, indexed by guest physical APIC ID
 * (APM 15.29, "Physical APIC ID Table"): host physical
 * APIC ID in the low bits, backing page in 51:12, IsRunning 62, Valid 63.
 * The host ID field is 7:0 on AVIC-only parts; x2AVIC parts widen it
 * (11:0 in newer manuals, bits 11:8 were reserved before). x2hv stays with
 * IDs that fit the 8-bit field on every part: AVIC_HOST_ID_MAX.
 */
#define AVIC_PHYS_HOST_ID_MASK 0xfffull
#define AVIC_HOST_ID_MAX 0xffu
#define AVIC_PHYS_BACKING_MASK AVIC_PA_MASK
#define AVIC_PHYS_IS_RUNNING (1ull << 62)
#define AVIC_PHYS_VALID (1ull << 63)
#define AVIC_PHYS_ENTRY_SIZE 8u

/*
 * VMCB 0x0F8, AVIC_PHYSICAL_TABLE: table pointer in 51:12 and the highest
 * valid index in the low bits (7:0 for AVIC, max 0xFE; x2AVIC uses 8:0,
 * max 0x1FF: a 4 KiB table of 512 entries).
 */
#define AVIC_PHYS_MAX_INDEX_MASK 0x1ffull
#define X2AVIC_MAX_INDEX 0x1ffu

/*
 * Logical APIC ID table entry (APM 15.29, "Logical APIC ID Table"): guest physical APIC ID in
 * 7:0, Valid in 31. x2AVIC does not use the table: in x2APIC mode the
 * logical ID is fixed by the x2APIC ID (SDM 11.12.10.2) and the hardware
 * derives cluster and bit itself (KVM skips the table in x2APIC mode for
 * the same reason). x2hv still points the VMCB field at a zeroed page
 * (all entries invalid) so that no reserved/invalid pointer is ever given
 * to the CPU.
 */
#define AVIC_LOG_GUEST_ID_MASK 0xffu
#define AVIC_LOG_VALID (1u << 31)

/* The doorbell (APM 15.29, "Interrupt Delivery"; MSR C001_011B): write the host physical
 * APIC ID of a CPU running a guest with AVIC to make it scan its vCPU's
 * IRR. */
#define AVIC_MSR_DOORBELL 0xc001011bu

/* The guest's APIC base: the VMCB AVIC_APIC_BAR (0x098, bits 51:12). */
#define AVIC_GUEST_APIC_BAR 0xfee00000ull

/*
 * VMEXIT_AVIC_INCOMPLETE_IPI (0x401, APM 15.29 and appendix C): trap-like, RIP is
 * already past the WRMSR. EXITINFO1 = the ICR (63:32 destination, 31:0
 * low word); EXITINFO2 63:32 = failure cause, 8:0 = physical-table index
 * of the target (x2AVIC; 7:0 on AVIC).
 */
#define AVIC_IPI_INFO2_CAUSE_SHIFT 32
#define AVIC_IPI_INFO2_INDEX_MASK 0x1ffull

enum avic_ipi_cause {
	AVIC_IPI_INVALID_INT_TYPE = 0, /* not fixed+edge: VMM sends it */
	AVIC_IPI_TARGET_NOT_RUNNING = 1, /* IRR already set: wake target */
	AVIC_IPI_INVALID_TARGET = 2, /* no valid table entry: VMM routes */
	AVIC_IPI_INVALID_BACKING_PAGE = 3, /* VMM bug */
	AVIC_IPI_INVALID_VECTOR = 4, /* vector 0-15 (newer parts) */
};

/* What the VMM does about an incomplete IPI. */
enum avic_ipi_action {
	AVIC_ACT_EMULATE, /* send it through the vlapic (ICR write) */
	AVIC_ACT_KICK, /* only wake the not-running targets */
	AVIC_ACT_FAIL, /* stop the VM with a report */
};

struct avic_ipi_exit {
	uint64_t icr; /* x2APIC ICR as written (SDM figure 11-28) */
	uint32_t cause; /* enum avic_ipi_cause, or an unknown value */
	uint32_t index; /* physical-table index the CPU stopped at */
};

/*
 * VMEXIT_AVIC_NOACCEL (0x402, APM 15.29 and appendix C): EXITINFO1 11:4 = register
 * offset in the backing page (for x2AVIC, MSR - 0x800 shifted left by 4),
 * bit 32 = write; EXITINFO2 31:0 = the vector (EOI of a level-triggered
 * interrupt). Writes to the registers listed in avic_noaccel_is_trap()
 * are trap-like (the value is already in the backing page, RIP past the
 * instruction); reads and all other writes are fault-like.
 */
#define AVIC_NOACCEL_OFFSET_MASK 0xff0ull
#define AVIC_NOACCEL_WRITE (1ull << 32)
#define AVIC_NOACCEL_VECTOR_MASK 0xffffffffull

struct avic_noaccel_exit {
	uint32_t offset; /* backing-page offset, 16-byte aligned */
	uint32_t msr; /* the x2APIC MSR of that offset */
	uint32_t vector; /* EXITINFO2 31:0 */
	bool write;
	bool trap; /* trap-like (instruction retired) or fault-like */
};

/* ------------------------------------------------------------ pure part */

/* Both CPUID bits present: the only configuration x2hv enables. */
bool avic_supported(uint32_t cpuid_8000000a_edx);

/*
 * Physical APIC ID table entry for a vCPU whose backing page is at
 * @backing_pa and which runs on the host CPU with APIC ID @host_apic_id:
 * Valid set, IsRunning clear. 0 (an invalid entry) when @backing_pa is not
 * 4 KiB aligned or above 51 bits, or @host_apic_id > AVIC_HOST_ID_MAX.
 */
uint64_t avic_phys_entry(uint64_t backing_pa, uint32_t host_apic_id);
/* @entry with IsRunning set or cleared; no other bit changes. */
uint64_t avic_phys_set_running(uint64_t entry, bool running);
bool avic_phys_is_running(uint64_t entry);
uint32_t avic_phys_host_id(uint64_t entry);
uint64_t avic_phys_backing(uint64_t entry);

/* Logical table entry (xAPIC-mode AVIC only; not used by x2AVIC). */
uint32_t avic_logical_entry(uint8_t guest_phys_id);

/* VMCB AVIC_PHYSICAL_TABLE value, or 0 when @table_pa is unaligned or
 * @max_index > X2AVIC_MAX_INDEX. */
uint64_t avic_physical_table_field(uint64_t table_pa, uint32_t max_index);
/* VMCB AVIC_APIC_BAR / AVIC_BACKING_PAGE / AVIC_LOGICAL_TABLE value: the
 * page address, or 0 when @pa is unaligned or too wide. */
uint64_t avic_page_field(uint64_t pa);
/*
 * VMCB V_INTR (0x060) with AVIC and x2AVIC enabled (@on) or disabled. On
 * enable, V_IRQ, V_IGN_TPR and V_INTR_PRIO are cleared: with AVIC the CPU
 * takes interrupts from the backing page's IRR and the V_IRQ interrupt
 * window is not available (KVM disables AVIC whenever it needs one).
 * V_INTR_MASKING and every other bit are kept.
 */
uint64_t avic_vintr(uint64_t vintr, bool on);

/* x2APIC writes x2AVIC handles beyond core's x2apic_page_msrs. */
extern const struct msr_pass avic_x2apic_writes[];
extern const unsigned int avic_x2apic_writes_count;
/*
 * The SVM MSR permission map for x2AVIC guests: msr_passthrough,
 * x2apic_page_msrs and avic_x2apic_writes, built by msr_bitmap_svm() (one
 * source of truth for the bit layout). -1 when they do not fit.
 */
int avic_msr_bitmap(uint8_t *bm);

void avic_decode_ipi_exit(uint64_t exitinfo1, uint64_t exitinfo2,
			  struct avic_ipi_exit *out);
enum avic_ipi_action avic_ipi_action(uint32_t cause);
/*
 * vCPU IDs (bit i = x2APIC ID i, i < @nr <= 32) that the x2APIC @icr sent
 * by @self selects: shorthands, physical ID, broadcast 0xFFFFFFFF and
 * x2APIC logical cluster/bitmap (SDM 11.12.10). For waking the targets of
 * a TARGET_NOT_RUNNING exit.
 */
uint32_t avic_ipi_targets(uint64_t icr, uint32_t self, unsigned int nr);

void avic_decode_noaccel_exit(uint64_t exitinfo1, uint64_t exitinfo2,
			      struct avic_noaccel_exit *out);
/* APM 15.29, table of AVIC register accesses: trap-like write offsets. */
bool avic_noaccel_is_trap(uint32_t offset, bool write);

#endif
