// SPDX-License-Identifier: MIT
/*
 * Guest ACPI table builder (see acpi.h). Section numbers are ACPI 6.5.
 *
 * Layout in the buffer, each table 16-byte aligned:
 *   RSDP | XSDT -> {FADT, MADT} | FADT -> DSDT | DSDT | MADT
 * No RSDT (the RSDP's RsdtAddress is 0: every OS that reads revision 2
 * RSDPs uses the XSDT) and no FACS (optional when HW_REDUCED_ACPI is set,
 * 5.2.9: "If the HARDWARE_REDUCED_ACPI flag is set ... FIRMWARE_CTRL and
 * X_FIRMWARE_CTRL ... may be zero").
 */
#include "loader/acpi.h"

#include <stdbool.h>
#include <string.h>

#include "include/abi.h"
#include "lib/acpi_tables.h"

#define TABLE_ALIGN 16

#define ACPI_OEM_ID "X2HV  " /* 6 bytes */
#define ACPI_OEM_REVISION 1
#define ACPI_CREATOR_ID "X2HV"
#define ACPI_CREATOR_REVISION 1

#define XSDT_REVISION 1
#define FADT_REVISION 6 /* ACPI 6.x */
#define FADT_MINOR_REVISION 5 /* ACPI 6.5 */
#define DSDT_REVISION 2 /* 2+: integers are 64 bits (19.6.120) */
#define MADT_REVISION 5 /* 6.3 and later */

/* 5.2.9, Table 5.10: FADT flags. */
#define FADT_F_PWR_BUTTON (1u << 4) /* no fixed-feature power button */
#define FADT_F_SLP_BUTTON (1u << 5) /* no fixed-feature sleep button */
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_HW_REDUCED_ACPI (1u << 20)

/* 5.2.9.3, Table 5.11: IA-PC boot architecture flags. */
#define FADT_BOOT_VGA_NOT_PRESENT (1u << 2)
#define FADT_BOOT_CMOS_RTC_NOT_PRESENT (1u << 5)

/* 5.2.3.2 Generic Address Structure. */
#define GAS_SPACE_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_WIDTH_8 8

/* 5.2.12 MADT and its interrupt controller structures. */
#define MADT_UID_ALL 0xffffffffu /* NMI applies to all processors */
#define MADT_LINT1 1 /* the NMI pin, as on PC hardware */
#define MADT_NMI_FLAGS_CONFORMS 0 /* MPS INTI: bus-default polarity, trigger */

/*
 * The DSDT body: Name (_S5, Package () { S5, S5, Zero, Zero }), hand
 * assembled from the AML grammar (20.2):
 *   08               NameOp
 *   5F 53 35 5F      NameSeg "_S5_"
 *   12               PackageOp
 *   08               PkgLength: 1 byte, counts itself and the 7 after
 *   04               NumElements
 *   0A <S5>          BytePrefix SLP_TYPa   (PM1a_CNT.SLP_TYP value)
 *   0A <S5>          BytePrefix SLP_TYPb   (unused: no PM1b)
 *   00 00            ZeroOp ZeroOp         (reserved)
 * With a hardware-reduced FADT, OSPM writes SLP_TYPa << 2 | SLP_EN to the
 * sleep control register (4.8.3.7, 7.4.2).
 */
#define AML_NAME_OP 0x08
#define AML_PACKAGE_OP 0x12
#define AML_BYTE_PREFIX 0x0a
#define AML_ZERO_OP 0x00
#define AML_S5_PKG_LENGTH 8
#define AML_S5_NUM_ELEMENTS 4
#define AML_EXT_OP_PREFIX 0x5b
#define AML_DEVICE_OP 0x82
#define AML_ROOT_CHAR 0x5c
#define AML_DUAL_NAME_PREFIX 0x2e
#define AML_DWORD_PREFIX 0x0c
#define AML_BUFFER_OP 0x11
#define AML_COM1_PKG_LENGTH 46
#define AML_CRS_PKG_LENGTH 13
#define AML_CRS_SIZE 10
#define ACPI_RES_IO 0x47 /* small item, I/O port descriptor, 7 bytes */
#define ACPI_RES_IO_DECODE16 0x01
#define ACPI_RES_END_TAG 0x79

static const uint8_t dsdt_aml[] = {
	AML_NAME_OP,
	'_',
	'S',
	'5',
	'_',
	AML_PACKAGE_OP,
	AML_S5_PKG_LENGTH,
	AML_S5_NUM_ELEMENTS,
	AML_BYTE_PREFIX,
	X2HV_SLP_TYP_S5,
	AML_BYTE_PREFIX,
	X2HV_SLP_TYP_S5,
	AML_ZERO_OP,
	AML_ZERO_OP,
	/*
	 * Device (\_SB.COM1) { Name (_HID, EisaId ("PNP0501"))
	 *   Name (_UID, Zero)
	 *   Name (_CRS, ResourceTemplate () { IO (Decode16, 0x3F8, 0x3F8,
	 *                                         1, 8) }) }
	 * The UART has no interrupt (there is no interrupt controller but
	 * the local APICs), and saying so lets Linux's 8250_pnp replace the
	 * legacy ttyS0 (hard-wired to IRQ 4) with a polled port; without it
	 * user-space output on ttyS0 would wait for an interrupt forever.
	 *   5B 82 <len>       DeviceOp, PkgLength 46
	 *   5C 2E _SB_ COM1   RootChar DualNamePrefix
	 *   08 _HID 0C <id>   EisaId PNP0501 = 0x0105D041 (6.1.5)
	 *   08 _UID 00
	 *   08 _CRS 11 0D 0A 0A <IO descriptor 47 ...> 79 00 (6.4.2.5)
	 */
	AML_EXT_OP_PREFIX,
	AML_DEVICE_OP,
	AML_COM1_PKG_LENGTH,
	AML_ROOT_CHAR,
	AML_DUAL_NAME_PREFIX,
	'_',
	'S',
	'B',
	'_',
	'C',
	'O',
	'M',
	'1',
	AML_NAME_OP,
	'_',
	'H',
	'I',
	'D',
	AML_DWORD_PREFIX,
	0x41,
	0xd0,
	0x05,
	0x01,
	AML_NAME_OP,
	'_',
	'U',
	'I',
	'D',
	AML_ZERO_OP,
	AML_NAME_OP,
	'_',
	'C',
	'R',
	'S',
	AML_BUFFER_OP,
	AML_CRS_PKG_LENGTH,
	AML_BYTE_PREFIX,
	AML_CRS_SIZE,
	ACPI_RES_IO,
	ACPI_RES_IO_DECODE16,
	X2HV_PORT_COM1 & 0xff,
	X2HV_PORT_COM1 >> 8,
	X2HV_PORT_COM1 & 0xff,
	X2HV_PORT_COM1 >> 8,
	1,
	8,
	ACPI_RES_END_TAG,
	0,
};

/* "x2hv" in the low bytes, as CPUID 0x40000000 spells it. */
#define HYPERVISOR_VENDOR_ID 0x76683278ull

static size_t align_up(size_t v)
{
	return (v + TABLE_ALIGN - 1) & ~(size_t)(TABLE_ALIGN - 1);
}

static void fill_header(struct acpi_header *h, const char *sig,
			const char *table_id, uint32_t length, uint8_t revision)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = length;
	h->revision = revision;
	memcpy(h->oem_id, ACPI_OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, table_id, sizeof(h->oem_table_id));
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = ACPI_CREATOR_REVISION;
}

/* Set the checksum byte of the table at @t so all @len bytes sum to 0. */
static void seal(uint8_t *t, size_t len)
{
	struct acpi_header *h = (struct acpi_header *)t;

	h->checksum = 0;
	h->checksum = (uint8_t)-acpi_checksum(t, len);
}

static struct acpi_gas io_gas(uint16_t port)
{
	struct acpi_gas g = {
		.space_id = GAS_SPACE_SYSTEM_IO,
		.bit_width = GAS_WIDTH_8,
		.bit_offset = 0,
		.access_size = GAS_ACCESS_BYTE,
		.address = port,
	};
	return g;
}

static void build_fadt(uint8_t *t, uint64_t dsdt_gpa)
{
	struct acpi_fadt f;

	memset(&f, 0, sizeof(f));
	fill_header(&f.hdr, "FACP", "X2HVFACP", sizeof(f), FADT_REVISION);
	f.minor_version = FADT_MINOR_REVISION;
	/*
	 * Hardware-reduced (4.1): no PM1/PM2/PM timer/GPE blocks, no SCI,
	 * SMI or FACS; every legacy fixed field stays 0. The DSDT is given
	 * only in X_DSDT (5.2.9: DSDT is ignored when X_DSDT is non-zero).
	 */
	f.flags = FADT_F_HW_REDUCED_ACPI | FADT_F_RESET_REG_SUP |
		  FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON;
	/*
	 * IAPC_BOOT_ARCH: Linux (arch/x86/kernel/acpi/boot.c) reads
	 * - 8042 clear: the i8042 driver is told the firmware reports no
	 *   keyboard controller and does not probe ports 0x60/0x64;
	 * - VGA Not Present: no probing of the legacy VGA ranges;
	 * - CMOS RTC Not Present: rtc_cmos is not registered (Xen sets it
	 *   for PVH guests too); wall time comes from kvmclock or is absent;
	 * - LEGACY_DEVICES clear: no ISA/LPC devices (no PNP BIOS probing).
	 * MSI Not Supported stays clear: there is no PCI to say it about.
	 */
	f.iapc_boot_arch = FADT_BOOT_VGA_NOT_PRESENT |
			   FADT_BOOT_CMOS_RTC_NOT_PRESENT;
	f.reset_reg = io_gas(X2HV_PORT_RESET);
	f.reset_value = X2HV_RESET_VALUE;
	f.x_dsdt = dsdt_gpa;
	f.sleep_control_reg = io_gas(X2HV_PORT_SLEEP_CONTROL);
	f.sleep_status_reg = io_gas(X2HV_PORT_SLEEP_STATUS);
	f.hypervisor_vendor_id = HYPERVISOR_VENDOR_ID;
	memcpy(t, &f, sizeof(f));
	seal(t, sizeof(f));
}

static size_t madt_size(unsigned int n)
{
	return sizeof(struct acpi_madt) + n * sizeof(struct acpi_madt_x2apic) +
	       sizeof(struct acpi_madt_x2apic_nmi);
}

static void build_madt(uint8_t *t, const struct acpi_cfg *cfg)
{
	struct acpi_madt m;
	struct acpi_madt_x2apic x;
	struct acpi_madt_x2apic_nmi nmi;
	size_t off = sizeof(m);

	memset(&m, 0, sizeof(m));
	fill_header(&m.hdr, "APIC", "X2HVAPIC",
		    (uint32_t)madt_size(cfg->n_vcpus), MADT_REVISION);
	/* The field is mandatory; nothing answers there (x2APIC only). */
	m.lapic_address = (uint32_t)X2HV_GPA_LAPIC;
	m.flags = 0; /* no PCAT_COMPAT: there is no 8259 pair */
	memcpy(t, &m, sizeof(m));

	for (unsigned int i = 0; i < cfg->n_vcpus; i++) {
		memset(&x, 0, sizeof(x));
		x.type = MADT_TYPE_LOCAL_X2APIC;
		x.length = sizeof(x);
		x.x2apic_id = cfg->x2apic_ids[i];
		x.flags = MADT_LAPIC_ENABLED;
		x.uid = i;
		memcpy(t + off, &x, sizeof(x));
		off += sizeof(x);
	}
	memset(&nmi, 0, sizeof(nmi));
	nmi.type = MADT_TYPE_LOCAL_X2APIC_NMI;
	nmi.length = sizeof(nmi);
	nmi.flags = MADT_NMI_FLAGS_CONFORMS;
	nmi.uid = MADT_UID_ALL;
	nmi.lint = MADT_LINT1;
	memcpy(t + off, &nmi, sizeof(nmi));
	seal(t, madt_size(cfg->n_vcpus));
}

static int check_cfg(const struct acpi_cfg *cfg)
{
	if (cfg->n_vcpus == 0 || cfg->n_vcpus > ACPI_MAX_VCPUS ||
	    !cfg->x2apic_ids)
		return ACPI_E_VCPUS;
	for (unsigned int i = 0; i < cfg->n_vcpus; i++) {
		if (cfg->x2apic_ids[i] == ACPI_X2APIC_ID_INVALID)
			return ACPI_E_APIC_ID;
		for (unsigned int j = 0; j < i; j++)
			if (cfg->x2apic_ids[i] == cfg->x2apic_ids[j])
				return ACPI_E_APIC_ID;
	}
	return 0;
}

int acpi_build(void *buf, size_t len, uint64_t gpa, const struct acpi_cfg *cfg,
	       uint64_t *rsdp_gpa)
{
	uint8_t *b = buf;
	struct acpi_rsdp rsdp;
	struct acpi_header xsdt;
	size_t xsdt_off, fadt_off, dsdt_off, madt_off, end;
	size_t xsdt_len = sizeof(xsdt) + 2 * sizeof(uint64_t);
	size_t dsdt_len = sizeof(struct acpi_header) + sizeof(dsdt_aml);
	uint64_t entry;
	int rc;

	rc = check_cfg(cfg);
	if (rc)
		return rc;
	if (gpa % TABLE_ALIGN)
		return ACPI_E_ALIGN;
	xsdt_off = align_up(sizeof(rsdp));
	fadt_off = align_up(xsdt_off + xsdt_len);
	dsdt_off = align_up(fadt_off + sizeof(struct acpi_fadt));
	madt_off = align_up(dsdt_off + dsdt_len);
	end = madt_off + madt_size(cfg->n_vcpus);
	if (end > len)
		return ACPI_E_NOSPACE;
	if (gpa + end < gpa)
		return ACPI_E_ADDR;
	memset(b, 0, end);

	build_fadt(b + fadt_off, gpa + dsdt_off);

	fill_header((struct acpi_header *)(b + dsdt_off), "DSDT", "X2HVDSDT",
		    (uint32_t)dsdt_len, DSDT_REVISION);
	memcpy(b + dsdt_off + sizeof(struct acpi_header), dsdt_aml,
	       sizeof(dsdt_aml));
	seal(b + dsdt_off, dsdt_len);

	build_madt(b + madt_off, cfg);

	fill_header(&xsdt, "XSDT", "X2HVXSDT", (uint32_t)xsdt_len,
		    XSDT_REVISION);
	memcpy(b + xsdt_off, &xsdt, sizeof(xsdt));
	entry = gpa + fadt_off;
	memcpy(b + xsdt_off + sizeof(xsdt), &entry, sizeof(entry));
	entry = gpa + madt_off;
	memcpy(b + xsdt_off + sizeof(xsdt) + sizeof(entry), &entry,
	       sizeof(entry));
	seal(b + xsdt_off, xsdt_len);

	/* 5.2.5.3: checksum over the first 20 bytes, then over all. */
	memset(&rsdp, 0, sizeof(rsdp));
	memcpy(rsdp.signature, RSDP_SIGNATURE, sizeof(rsdp.signature));
	memcpy(rsdp.oem_id, ACPI_OEM_ID, sizeof(rsdp.oem_id));
	rsdp.revision = RSDP_REVISION;
	rsdp.length = sizeof(rsdp);
	rsdp.xsdt_address = gpa + xsdt_off;
	rsdp.checksum = (uint8_t)-acpi_checksum(&rsdp, RSDP_V1_LENGTH);
	rsdp.extended_checksum = (uint8_t)-acpi_checksum(&rsdp, sizeof(rsdp));
	memcpy(b, &rsdp, sizeof(rsdp));

	*rsdp_gpa = gpa;
	return (int)end;
}

const char *acpi_strerror(int rc)
{
	switch (rc) {
	case 0:
		return "success";
	case ACPI_E_NOSPACE:
		return "ACPI: buffer too small";
	case ACPI_E_VCPUS:
		return "ACPI: vCPU count out of range";
	case ACPI_E_APIC_ID:
		return "ACPI: duplicate or invalid x2APIC id";
	case ACPI_E_ALIGN:
		return "ACPI: tables not 16-byte aligned";
	case ACPI_E_ADDR:
		return "ACPI: table address overflows";
	default:
		return rc > 0 ? "success" : "ACPI: unknown error";
	}
}
