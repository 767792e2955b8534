/* SPDX-License-Identifier: MIT */
/*
 * The host's own local APIC: x2APIC (MSRs) when the CPU has it, xAPIC
 * (MMIO at IA32_APIC_BASE) otherwise. QEMU's TCG has no x2APIC.
 */
#ifndef X2HV_ARCH_X86_LAPIC_H
#define X2HV_ARCH_X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

void lapic_init(void); /* per CPU: enable, spurious vector, mask LVTs */
/* The LAPIC was already in x2APIC mode when x2hv started (on the BSP:
 * the last lapic_init() on this CPU). */
bool lapic_x2apic_by_firmware(void);
bool lapic_is_x2apic(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* An SMI to @apic_id (testfault=smi only: the firmware handles it). */
void lapic_send_smi(uint32_t apic_id);
/* INIT-SIPI-SIPI to one CPU (Intel SDM vol. 3A 9.4.4.1). */
void lapic_start_ap(uint32_t apic_id, uint8_t sipi_vector);
/* INIT-SIPI-SIPI to every CPU but this one (Intel SDM vol. 3A 9.4.4.1). */
void lapic_start_aps(uint8_t sipi_vector);
/* Calibrate the LAPIC timer against the TSC (BSP, once). */
/* The timer's rate from two (TSC, current count) pairs of one countdown
 * that lapic_timer_start_calibration() began; re-arms it for use. */
void lapic_timer_calibrate(uint64_t tsc0, uint32_t count0, uint64_t tsc1,
			   uint32_t count1);
void lapic_timer_start_calibration(void);
uint32_t lapic_timer_current(void);
/* Fire VEC_TIMER once, at (about) TSC value @deadline; 0 cancels. */
void lapic_timer_arm(uint64_t deadline);

#endif
