// SPDX-License-Identifier: MIT
/* The guest-physical layout (see layout.h). */
#include "loader/layout.h"

#include "include/abi.h"
#include "loader/acpi.h"

_Static_assert(
	X2HV_GPA_LOW_RAM_END <= X2HV_GPA_ACPI &&
		X2HV_GPA_ACPI + X2HV_GPA_ACPI_SIZE <= X2HV_GPA_START_INFO &&
		X2HV_GPA_START_INFO + X2HV_GPA_START_INFO_SIZE <=
			X2HV_GPA_RESET_VECTOR &&
		X2HV_GPA_RESET_VECTOR < X2HV_GPA_HIGH_RAM,
	"the ACPI and start-info windows and the reset vector lie apart, "
	"in the hole");

unsigned int layout_memmap(uint64_t low_size, uint64_t ram_size,
			   struct hvm_memmap_table_entry map[LAYOUT_MEMMAP_MAX])
{
	map[0] = (struct hvm_memmap_table_entry){ 0, X2HV_GPA_LOW_RAM_END,
						  HVM_MEMMAP_TYPE_RAM, 0 };
	map[1] = (struct hvm_memmap_table_entry){ X2HV_GPA_LOW_RAM_END,
						  X2HV_GPA_HIGH_RAM -
							  X2HV_GPA_LOW_RAM_END,
						  HVM_MEMMAP_TYPE_RESERVED, 0 };
	map[2] = (struct hvm_memmap_table_entry){ X2HV_GPA_HIGH_RAM,
						  low_size - X2HV_GPA_HIGH_RAM,
						  HVM_MEMMAP_TYPE_RAM, 0 };
	if (ram_size <= low_size)
		return 3;
	map[3] = (struct hvm_memmap_table_entry){ X2HV_GPA_ABOVE_4G,
						  ram_size - low_size,
						  HVM_MEMMAP_TYPE_RAM, 0 };
	return 4;
}

static uint64_t fail(const char **what, const char *w, const char **err,
		     const char *e)
{
	*what = w;
	*err = e;
	return 0;
}

uint64_t layout_boot_tables(const struct layout_cfg *cfg, const char **what,
			    const char **err)
{
	uint32_t ids[ACPI_MAX_VCPUS];
	struct acpi_cfg acfg = { cfg->nr_vcpus, ids };
	struct hvm_memmap_table_entry map[LAYOUT_MEMMAP_MAX];
	struct pvh_start_cfg scfg = { 0 };
	uint64_t rsdp = 0;
	int rc;

	if (cfg->low_size <= X2HV_GPA_HIGH_RAM ||
	    cfg->low_size > X2HV_GPA_LOW_RAM_MAX ||
	    cfg->ram_size < cfg->low_size)
		return fail(what, "guest RAM", err,
			    "not between 1 MiB and the 32-bit hole");
	if (cfg->nr_vcpus > ACPI_MAX_VCPUS)
		return fail(what, "ACPI tables", err,
			    acpi_strerror(ACPI_E_VCPUS));
	for (unsigned int i = 0; i < cfg->nr_vcpus; i++)
		ids[i] = i;
	rc = acpi_build(cfg->ram + X2HV_GPA_ACPI, X2HV_GPA_ACPI_SIZE,
			X2HV_GPA_ACPI, &acfg, &rsdp);
	if (rc < 0)
		return fail(what, "ACPI tables", err, acpi_strerror(rc));
	scfg.n_memmap = layout_memmap(cfg->low_size, cfg->ram_size, map);
	scfg.cmdline = cfg->cmdline;
	scfg.modules = cfg->modules;
	scfg.n_modules = cfg->n_modules;
	scfg.rsdp_gpa = rsdp;
	scfg.memmap = map;
	*what = "hvm_start_info";
	if (pvh_build_start_info(cfg->ram + X2HV_GPA_START_INFO,
				 X2HV_GPA_START_INFO_SIZE, X2HV_GPA_START_INFO,
				 &scfg, err) < 0)
		return 0;
	return X2HV_GPA_START_INFO;
}
