/* SPDX-License-Identifier: MIT */
/*
 * The host's ACPI MADT: which local APICs the firmware says exist and are
 * enabled, so x2hv starts exactly those CPUs (a broadcast INIT-SIPI would
 * also wake CPUs the firmware left disabled). Pure: physical memory is
 * read through @phys (identity mapped in the hypervisor, a buffer in the
 * unit test); every length and checksum is checked.
 */
#ifndef X2HV_CORE_MADT_H
#define X2HV_CORE_MADT_H

#include <stddef.h>
#include <stdint.h>

typedef const void *(*madt_phys_fn)(uint64_t pa, size_t len);

/* Find the RSDP in the BIOS areas (the EBDA's first KiB, then
 * 0xE0000-0xFFFFF; ACPI 6.5 section 5.2.5.1). 0 if there is none. */
uint64_t madt_scan_rsdp(madt_phys_fn phys);

/*
 * Collect the APIC IDs of the enabled processors (MADT types 0 and 9,
 * "enabled" flag; online-capable ones are not started) into ids[0..max),
 * *n = how many (at most @max: further CPUs are left out). Returns 0, or
 * -1 with a static *err.
 */
int madt_apic_ids(madt_phys_fn phys, uint64_t rsdp_pa, uint32_t *ids,
		  unsigned int max, unsigned int *n, const char **err);

/*
 * The serial console port the firmware names in the ACPI SPCR table
 * (console=auto): 0, or -1 with a static *err when there is no SPCR, it is
 * corrupt, or it names a UART x2hv cannot drive (not a 16550 on I/O
 * ports).
 */
int acpi_spcr_port(madt_phys_fn phys, uint64_t rsdp_pa, uint16_t *port,
		   const char **err);

/*
 * Of the @n APIC IDs the MADT lists, keep in place those x2hv can start:
 * not @self (the BSP), and in xAPIC mode none above 254, since an xAPIC
 * ICR has an 8-bit destination and 0xFF is the broadcast (Intel SDM vol.
 * 3A 11.6.1). Returns how many remain; *skipped = how many were left out
 * for being unaddressable.
 */
unsigned int madt_startable(uint32_t *ids, unsigned int n, uint32_t self,
			    int x2apic, unsigned int *skipped);

#endif
