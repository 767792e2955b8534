/* SPDX-License-Identifier: MIT */
/*
 * The guest's ACPI tables (ACPI 6.5): RSDP, XSDT, a hardware-reduced FADT,
 * a DSDT that only defines \_S5, and a MADT of Processor Local x2APIC
 * structures. Built into one buffer that the guest sees at a given GPA
 * (normally X2HV_GPA_ACPI); every table address is a GPA in that buffer.
 * docs/boot.md explains each choice.
 */
#ifndef X2HV_CORE_ACPI_H
#define X2HV_CORE_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_VCPUS 256
#define ACPI_X2APIC_ID_INVALID 0xffffffffu /* Linux ignores this id */

/* Return codes of acpi_build() (negative), see acpi_strerror(). */
#define ACPI_E_NOSPACE (-1) /* buffer too small */
#define ACPI_E_VCPUS (-2) /* n_vcpus 0 or above ACPI_MAX_VCPUS */
#define ACPI_E_APIC_ID (-3) /* duplicate or invalid x2APIC id */
#define ACPI_E_ALIGN (-4) /* gpa not 16-byte aligned */
#define ACPI_E_ADDR (-5) /* gpa + used length overflows */

struct acpi_cfg {
	unsigned int n_vcpus; /* 1..ACPI_MAX_VCPUS */
	const uint32_t *x2apic_ids; /* [n_vcpus]; vCPU i has ACPI UID i */
};

/*
 * Build the tables into [buf, buf+len), which the guest sees at @gpa
 * (16-byte aligned, as the RSDP must be: ACPI 6.5, 5.2.5.1). On success
 * returns the number of bytes used (> 0) and sets *rsdp_gpa (== gpa: the
 * RSDP comes first). Otherwise returns an ACPI_E_* code and leaves
 * *rsdp_gpa alone. Bytes past the used length are not touched.
 */
int acpi_build(void *buf, size_t len, uint64_t gpa, const struct acpi_cfg *cfg,
	       uint64_t *rsdp_gpa);

/* A static message for an ACPI_E_* code. */
const char *acpi_strerror(int rc);

#endif
