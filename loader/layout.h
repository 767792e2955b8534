/* SPDX-License-Identifier: MIT */
/*
 * The guest-physical layout of a PVH VM, all of it derived from
 * include/abi.h: RAM at [0, X2HV_GPA_LOW_RAM_END) and from
 * X2HV_GPA_HIGH_RAM to the end of the RAM below 4 GiB (at most
 * X2HV_GPA_LOW_RAM_MAX), the rest of a larger VM's RAM from
 * X2HV_GPA_ABOVE_4G; the hole below 1 MiB is reserved and holds the ACPI
 * tables (X2HV_GPA_ACPI) and the hvm_start_info (X2HV_GPA_START_INFO,
 * Xen's docs/misc/pvh.pandoc). Pure and host-tested
 * (tests/unit/test_layout.c): it writes into the host view of guest RAM it
 * is given and nowhere else.
 */
#ifndef X2HV_LOADER_LAYOUT_H
#define X2HV_LOADER_LAYOUT_H

#include <stdint.h>

#include "loader/pvh.h"

/* Low RAM, the reserved hole, RAM from 1 MiB, RAM above 4 GiB. */
#define LAYOUT_MEMMAP_MAX 4

struct layout_cfg {
	uint8_t *ram; /* host view of guest-physical 0, low_size bytes */
	uint64_t ram_size; /* all of the VM's RAM */
	uint64_t low_size; /* RAM below 4 GiB: above X2HV_GPA_HIGH_RAM */
	unsigned int nr_vcpus; /* vCPU i has x2APIC ID i */
	const char *cmdline; /* the kernel's; NULL: none */
	const struct pvh_module *modules;
	unsigned int n_modules;
};

/* The memory map (hvm_start_info, E820) for a VM with @low_size bytes
 * of RAM below 4 GiB of @ram_size in all; returns the number of entries
 * (3, or 4 with RAM above 4 GiB). */
unsigned int
layout_memmap(uint64_t low_size, uint64_t ram_size,
	      struct hvm_memmap_table_entry map[LAYOUT_MEMMAP_MAX]);

/*
 * Write the ACPI tables and the hvm_start_info into guest RAM. Returns
 * the GPA of the hvm_start_info (the guest's EBX at entry), or 0 with
 * static strings in *what (which table) and *err.
 */
uint64_t layout_boot_tables(const struct layout_cfg *cfg, const char **what,
			    const char **err);

#endif
