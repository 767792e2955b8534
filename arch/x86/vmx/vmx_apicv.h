/* SPDX-License-Identifier: MIT */
/*
 * VMX APIC virtualization (Intel SDM vol. 3C chapter 31 of the 2023 SDM,
 * "APIC virtualization and virtual interrupts"; chapter 29 in older
 * editions): the pure pieces, host-testable (tests/unit/test_vmx_apicv.c).
 * docs/vmx.md describes how vmcs.c and vmx_exit.c use them.
 */
#ifndef X2HV_ARCH_X86_VMX_VMX_APICV_H
#define X2HV_ARCH_X86_VMX_VMX_APICV_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/msr_bitmap.h"

/* x2APIC writes VMX completes beyond core's x2apic_page_msrs (the
 * reasons are in vmx_apicv.c). */
extern const struct msr_pass vmx_x2apic_writes[];
extern const unsigned int vmx_x2apic_writes_count;

/* Fill the VMX MSR bitmap @bm (VMX_MSR_BITMAP_SIZE bytes) from the
 * core's msr_passthrough, x2apic_page_msrs and vmx_x2apic_writes; -1 if
 * they do not fit. */
int vmx_apicv_msr_bitmap(uint8_t *bm);

/* Guest interrupt status (SDM 25.4.2): RVI in bits 7:0, SVI in 15:8, from
 * the highest IRR and ISR vectors (-1 for none: 0). */
uint16_t vmx_guest_intr_status(int highest_irr, int highest_isr);

/* The four 64-bit EOI-exit bitmaps (SDM 25.6.8) from the TMR of the
 * APIC register page @page (4 KiB, architectural layout): a vector's EOI
 * exits exactly when its interrupt was accepted level-triggered. */
#define VMX_EOI_EXIT_WORDS 4
void vmx_eoi_exit_bitmap(const uint8_t *page, uint64_t out[VMX_EOI_EXIT_WORDS]);

/*
 * Posted-interrupt descriptor (SDM 31.6, 64 bytes, 64-byte aligned):
 * bits 255:0 PIR (one per vector), bit 256 ON (outstanding notification),
 * bit 257 SN (suppress notification), 279:272 NV (notification vector),
 * 319:288 NDST (destination APIC ID; x2APIC: all 32 bits). The rest is
 * reserved (software may use it; x2hv leaves it 0).
 */
#define VMX_PI_DESC_ALIGN 64
#define VMX_PI_ON (1ull << 0) /* of control */
#define VMX_PI_SN (1ull << 1)
#define VMX_PI_NV_SHIFT 16
#define VMX_PI_NV_MASK (0xffull << VMX_PI_NV_SHIFT)
#define VMX_PI_NDST_SHIFT 32

#define VMX_PI_PIR_WORDS 4

struct vmx_pi_desc {
	uint64_t pir[VMX_PI_PIR_WORDS];
	uint64_t control; /* bits 319:256 of the descriptor */
	uint64_t rsvd[3];
} __attribute__((aligned(VMX_PI_DESC_ALIGN)));

/* Empty descriptor that notifies vector @nv at APIC ID @ndst. */
void vmx_pi_init(struct vmx_pi_desc *d, uint8_t nv, uint32_t ndst);
/*
 * Post @vector (any CPU): set its PIR bit, then ON. True when ON was
 * clear and SN is clear, i.e. the caller must send the notification IPI.
 * Both are locked read-modify-writes, in that order (SDM 31.6 requires
 * the PIR bit to be visible before the notification).
 */
bool vmx_pi_post(struct vmx_pi_desc *d, uint8_t vector);
/*
 * Owner, before VM entry: clear ON and take the PIR (returns it in
 * @pir, zeroed in @d). ON first, so a post that lands after this sees ON
 * clear and notifies again.
 */
void vmx_pi_drain(struct vmx_pi_desc *d, uint64_t pir[VMX_PI_PIR_WORDS]);

#endif
