/* SPDX-License-Identifier: MIT */
#ifndef X2HV_BOOT_SMP_H
#define X2HV_BOOT_SMP_H

#include <stdbool.h>

/* Start every AP; returns once they are all online (sets nr_cpus). The
 * host MADT is found through @loader_rsdp (multiboot2's ACPI tag) or, when
 * NULL and not booted by UEFI (@efi), by scanning the BIOS areas. */
void smp_start_aps(const void *loader_rsdp, bool efi);
/* The AP's C entry (head.S ap_entry64), with its CPU number. */
__attribute__((noreturn)) void ap_main(unsigned int cpu);
/* testfault=smi: CPU 1 becomes an SMI source for CPU 0 (before the APs
 * start). */
void smp_set_smi_source(bool on);
/* Per-CPU bring-up common to the BSP and APs after percpu_setup(). */
void cpu_bringup(void);

#endif
