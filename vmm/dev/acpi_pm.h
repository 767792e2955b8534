/* SPDX-License-Identifier: MIT */
/*
 * The ACPI hardware-reduced sleep control/status and reset registers
 * (ACPI 6.x 4.8.3.7 and 4.8.3.6) that the FADT names (include/abi.h has
 * their ports): S5 stops the VM as a poweroff.
 */
#ifndef X2HV_VMM_DEV_ACPI_PM_H
#define X2HV_VMM_DEV_ACPI_PM_H

#include <stdint.h>

struct vcpu;

/* Reads of both sleep registers: 0 (never asleep, WAK_STS clear). */
uint32_t acpi_pm_in(struct vcpu *v, uint16_t off);
/* Writes to SLEEP_CONTROL (@off 0 of its device). The reset register is
 * the chipset's RST_CNT (vmm/dev/reset.h). */
void acpi_sleep_out(struct vcpu *v, uint16_t off, uint32_t val);

#endif
