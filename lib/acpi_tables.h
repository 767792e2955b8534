/* SPDX-License-Identifier: MIT */
/*
 * ACPI table formats (ACPI 6.5 chapter 5) and the one checksum function,
 * shared by the guest's table builder (loader/acpi.c) and the parser of
 * the host's MADT (boot/madt.c). Layout only: no allocation, no printing.
 * The parser reads firmware memory through lib/unaligned.h at the
 * offsetof() of these structs.
 */
#ifndef X2HV_LIB_ACPI_TABLES_H
#define X2HV_LIB_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

/* 5.2.5.3 Root System Description Pointer structure. */
#define RSDP_SIGNATURE "RSD PTR "
#define RSDP_REVISION 2 /* ACPI 2.0+: XsdtAddress and Length valid */
#define RSDP_V1_LENGTH 20 /* the part covered by the first checksum */
#define RSDP_ALIGN 16 /* on a 16-byte boundary (5.2.5.1) */

/* 5.2.6 System Description Table header: signature and length first. */
#define SDT_SIGNATURE_LEN 4

/* 5.2.12 MADT and its interrupt controller structures. */
#define MADT_TYPE_LOCAL_APIC 0 /* 5.2.12.2 */
#define MADT_TYPE_LOCAL_X2APIC 9 /* 5.2.12.12 */
#define MADT_TYPE_LOCAL_X2APIC_NMI 10 /* 5.2.12.13 */
#define MADT_LAPIC_ENABLED (1u << 0)

struct __attribute__((packed)) acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
};

struct __attribute__((packed)) acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
};

struct __attribute__((packed)) acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

/* 5.2.9, Table 5.9. */
struct __attribute__((packed)) acpi_fadt {
	struct acpi_header hdr;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
};

struct __attribute__((packed)) acpi_madt {
	struct acpi_header hdr;
	uint32_t lapic_address;
	uint32_t flags;
};

struct __attribute__((packed)) acpi_madt_x2apic {
	uint8_t type;
	uint8_t length;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t uid;
};

struct __attribute__((packed)) acpi_madt_x2apic_nmi {
	uint8_t type;
	uint8_t length;
	uint16_t flags;
	uint32_t uid;
	uint8_t lint;
	uint8_t reserved[3];
};

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size (5.2.5.3)");
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header (5.2.6)");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS size (5.2.3.2)");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT size (5.2.9)");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109,
	       "FADT IAPC_BOOT_ARCH offset");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT flags");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "RESET_REG");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "X_DSDT offset");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244,
	       "SLEEP_CONTROL_REG offset");
_Static_assert(offsetof(struct acpi_fadt, hypervisor_vendor_id) == 268,
	       "hypervisor vendor identity offset");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT fixed part");
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "x2APIC entry");
_Static_assert(sizeof(struct acpi_madt_x2apic_nmi) == 12, "x2APIC NMI");

/* 5.2.12.2 Processor Local APIC structure. */
struct __attribute__((packed)) acpi_madt_lapic {
	uint8_t type;
	uint8_t length;
	uint8_t uid;
	uint8_t apic_id;
	uint32_t flags;
};

_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "local APIC entry");

/* 8-bit sum of [p, p+n): 0 over a table whose checksum is right (5.2.5.3,
 * 5.2.6). */
static inline uint8_t acpi_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += b[i];
	return sum;
}

#endif
