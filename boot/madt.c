// SPDX-License-Identifier: MIT
/* Host MADT parsing (see madt.h). Offsets: ACPI 6.5 sections 5.2.5-5.2.12. */
#include <string.h>

#include "boot/madt.h"
#include "lib/acpi_tables.h"
#include "lib/unaligned.h"

#define RSDP_V2_MIN_LEN sizeof(struct acpi_rsdp) /* up to the XSDT */
#define SDT_HDR_LEN sizeof(struct acpi_header)
#define SDT_MAX_LEN (1u << 20)
#define MADT_ENTRIES sizeof(struct acpi_madt)
#define EBDA_SEG_PTR 0x40e
#define BIOS_AREA 0xe0000ull
#define BIOS_AREA_LEN 0x20000ull
#define XAPIC_MAX_ID 0xfe /* 0xff is the xAPIC broadcast destination */

static uint64_t scan(madt_phys_fn phys, uint64_t base, uint64_t len)
{
	const uint8_t *p = phys(base, len);

	if (!p)
		return 0;
	for (uint64_t off = 0; off + RSDP_V1_LENGTH <= len; off += RSDP_ALIGN)
		if (!memcmp(p + off, RSDP_SIGNATURE,
			    sizeof(RSDP_SIGNATURE) - 1) &&
		    !acpi_checksum(p + off, RSDP_V1_LENGTH))
			return base + off;
	return 0;
}

uint64_t madt_scan_rsdp(madt_phys_fn phys)
{
	const uint8_t *seg = phys(EBDA_SEG_PTR, 2);
	uint64_t r = 0;

	if (seg) {
		uint64_t ebda = (uint64_t)(seg[0] | seg[1] << 8) << 4;

		if (ebda)
			r = scan(phys, ebda, 1024);
	}
	return r ? r : scan(phys, BIOS_AREA, BIOS_AREA_LEN);
}

/* A whole, checksummed table at @pa, or NULL. */
static const uint8_t *table(madt_phys_fn phys, uint64_t pa, uint32_t *len)
{
	const uint8_t *h = phys(pa, SDT_HDR_LEN);

	if (!h)
		return NULL;
	*len = rd32(h + offsetof(struct acpi_header, length));
	if (*len < SDT_HDR_LEN || *len > SDT_MAX_LEN)
		return NULL;
	h = phys(pa, *len);
	if (!h || acpi_checksum(h, *len))
		return NULL;
	return h;
}

/* The table with signature @sig that the RSDP's XSDT (else RSDT) lists:
 * whole and checksummed, or NULL with *err. */
static const uint8_t *find_table(madt_phys_fn phys, uint64_t rsdp_pa,
				 const char *sig, uint32_t *len,
				 const char **err)
{
	const uint8_t *r = phys(rsdp_pa, RSDP_V1_LENGTH);
	const uint8_t *root;
	uint64_t root_pa;
	uint32_t root_len;
	unsigned int width = 4;

	if (!r || memcmp(r, RSDP_SIGNATURE, sizeof(RSDP_SIGNATURE) - 1) ||
	    acpi_checksum(r, RSDP_V1_LENGTH)) {
		*err = "bad RSDP";
		return NULL;
	}
	root_pa = rd32(r + offsetof(struct acpi_rsdp, rsdt_address));
	if (r[offsetof(struct acpi_rsdp, revision)] >= RSDP_REVISION) {
		const uint8_t *r2 = phys(rsdp_pa, RSDP_V2_MIN_LEN);

		if (r2 &&
		    rd32(r2 + offsetof(struct acpi_rsdp, length)) >=
			    RSDP_V2_MIN_LEN &&
		    !acpi_checksum(r2, RSDP_V2_MIN_LEN) &&
		    rd64(r2 + offsetof(struct acpi_rsdp, xsdt_address))) {
			root_pa = rd64(
				r2 + offsetof(struct acpi_rsdp, xsdt_address));
			width = 8;
		}
	}
	root = table(phys, root_pa, &root_len);
	if (!root) {
		*err = "bad RSDT/XSDT";
		return NULL;
	}
	for (uint32_t off = SDT_HDR_LEN; off + width <= root_len;
	     off += width) {
		uint64_t pa = width == 8 ? rd64(root + off) : rd32(root + off);
		const uint8_t *h = phys(pa, SDT_HDR_LEN);

		if (h && !memcmp(h, sig, SDT_SIGNATURE_LEN)) {
			const uint8_t *m = table(phys, pa, len);

			if (m)
				return m;
			*err = "bad checksum or length";
			return NULL;
		}
	}
	*err = "not listed";
	return NULL;
}

static const uint8_t *find_madt(madt_phys_fn phys, uint64_t rsdp_pa,
				uint32_t *len, const char **err)
{
	const uint8_t *m = find_table(phys, rsdp_pa, "APIC", len, err);

	if (m && *len >= MADT_ENTRIES)
		return m;
	if (!m && !strcmp(*err, "not listed"))
		*err = "no MADT";
	else if (m || !strcmp(*err, "bad checksum or length"))
		*err = "bad MADT";
	return NULL;
}

/* Microsoft's Serial Port Console Redirection Table, revision 2: interface
 * type at 36, the base address as an ACPI Generic Address Structure at 40
 * (ACPI 6.5 5.2.3.2: address space, bit width, bit offset, access size,
 * 64-bit address). */
#define SPCR_IFTYPE 36
#define SPCR_GAS 40
#define SPCR_MIN_LEN 52
#define SPCR_16550 0x00 /* fully 16550-compatible */
#define SPCR_16450 0x01 /* 16550 subset compatible with DBGP rev. 1 */
#define SPCR_16550_GAS 0x12 /* 16550-compatible, parameters in the GAS */
#define GAS_SYSTEM_IO 1
#define UART_PORT_MAX 0xfff8 /* base + 7 must be a port */

int acpi_spcr_port(madt_phys_fn phys, uint64_t rsdp_pa, uint16_t *port,
		   const char **err)
{
	uint32_t len;
	const uint8_t *t = find_table(phys, rsdp_pa, "SPCR", &len, err);
	uint8_t type;
	uint64_t addr;

	if (!t) {
		*err = !strcmp(*err, "not listed") ? "no SPCR table" :
						     "bad SPCR table";
		return -1;
	}
	if (len < SPCR_MIN_LEN) {
		*err = "SPCR table too short";
		return -1;
	}
	type = t[SPCR_IFTYPE];
	if (type != SPCR_16550 && type != SPCR_16450 &&
	    type != SPCR_16550_GAS) {
		*err = "SPCR names a UART that is not a 16550";
		return -1;
	}
	addr = rd64(t + SPCR_GAS + 4);
	if (t[SPCR_GAS] != GAS_SYSTEM_IO) {
		*err = "SPCR names a memory-mapped UART (x2hv drives I/O ports)";
		return -1;
	}
	if (addr == 0 || addr > UART_PORT_MAX) {
		*err = "SPCR names no usable I/O port";
		return -1;
	}
	*port = (uint16_t)addr;
	return 0;
}

int madt_apic_ids(madt_phys_fn phys, uint64_t rsdp_pa, uint32_t *ids,
		  unsigned int max, unsigned int *n, const char **err)
{
	uint32_t len;
	const uint8_t *m = find_madt(phys, rsdp_pa, &len, err);

	*n = 0;
	if (!m)
		return -1;
	for (uint32_t off = MADT_ENTRIES; off + 2 <= len;) {
		uint8_t type = m[off], elen = m[off + 1];
		uint32_t id = 0, flags = 0;
		int have = 0;

		if (elen < 2 || off + elen > len) {
			*err = "MADT entry runs past the table";
			return -1;
		}
		if (type == MADT_TYPE_LOCAL_APIC &&
		    elen >= sizeof(struct acpi_madt_lapic)) {
			id = m[off + offsetof(struct acpi_madt_lapic, apic_id)];
			flags = rd32(m + off +
				     offsetof(struct acpi_madt_lapic, flags));
			have = 1;
		} else if (type == MADT_TYPE_LOCAL_X2APIC &&
			   elen >= sizeof(struct acpi_madt_x2apic)) {
			id = rd32(m + off +
				  offsetof(struct acpi_madt_x2apic, x2apic_id));
			flags = rd32(m + off +
				     offsetof(struct acpi_madt_x2apic, flags));
			have = 1;
		}
		if (have && (flags & MADT_LAPIC_ENABLED)) {
			unsigned int i;

			for (i = 0; i < *n && ids[i] != id; i++)
				;
			/* Firmware may list a CPU twice; past @max the rest
			 * are not started (the caller says so). */
			if (i == *n && *n < max)
				ids[(*n)++] = id;
		}
		off += elen;
	}
	return 0;
}

unsigned int madt_startable(uint32_t *ids, unsigned int n, uint32_t self,
			    int x2apic, unsigned int *skipped)
{
	unsigned int k = 0;

	*skipped = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (ids[i] == self)
			continue;
		if (!x2apic && ids[i] > XAPIC_MAX_ID) {
			(*skipped)++;
			continue;
		}
		ids[k++] = ids[i];
	}
	return k;
}
