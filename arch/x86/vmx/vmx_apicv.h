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

#endif
