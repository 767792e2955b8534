// SPDX-License-Identifier: MIT
/*
 * Host MADT parsing, round-tripped through x2hv's own ACPI builder
 * (loader/acpi.c makes RSDP/XSDT/MADT with x2APIC entries), plus hand-made
 * xAPIC entries, an RSDT-only RSDP, the BIOS-area scan, and corruption.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "loader/acpi.h"
#include "boot/madt.h"

#define BASE 0xe0000ull
#define SIZE 0x20000ull

static uint8_t mem[SIZE];

static const void *phys(uint64_t pa, size_t len)
{
	if (pa < BASE || pa + len > BASE + SIZE || pa + len < pa)
		return NULL;
	return mem + (pa - BASE);
}

static uint64_t build(unsigned int n, const uint32_t *ids)
{
	struct acpi_cfg cfg = { n, ids };
	uint64_t rsdp = 0;

	memset(mem, 0, sizeof(mem));
	assert_true(acpi_build(mem + 0x100, 0x8000, BASE + 0x100, &cfg, &rsdp) >
		    0);
	return rsdp;
}

static void test_roundtrip(void **state)
{
	static const uint32_t ids[] = { 0, 1, 2, 0x1234 };
	uint32_t out[8];
	unsigned int n;
	const char *err = NULL;
	uint64_t rsdp = build(4, ids);

	assert_int_equal(madt_apic_ids(phys, rsdp, out, 8, &n, &err), 0);
	assert_int_equal(n, 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(out[i], ids[i]);
}

static void test_max_limits(void **state)
{
	static const uint32_t ids[] = { 0, 1, 2, 3 };
	uint32_t out[2];
	unsigned int n;
	const char *err = NULL;

	assert_int_equal(madt_apic_ids(phys, build(4, ids), out, 2, &n, &err),
			 0);
	assert_int_equal(n, 2);
}

static void test_scan_finds_rsdp(void **state)
{
	static const uint32_t ids[] = { 0 };
	uint64_t rsdp = build(1, ids);

	/* No EBDA pointer is mapped here: the scan covers the BIOS area. */
	assert_int_equal(madt_scan_rsdp(phys), rsdp);
	mem[rsdp - BASE] ^= 1; /* signature broken */
	assert_int_equal(madt_scan_rsdp(phys), 0);
}

static void test_corruption(void **state)
{
	static const uint32_t ids[] = { 0, 1 };
	uint32_t out[4];
	unsigned int n;
	const char *err = NULL;
	uint64_t rsdp = build(2, ids);
	uint64_t xsdt;
	uint32_t madt_off = 0;

	memcpy(&xsdt, mem + (rsdp - BASE) + 24, 8);
	/* Find the MADT through the XSDT and corrupt its checksum. */
	for (uint32_t off = 36; off < 36 + 8 * 4; off += 8) {
		uint64_t pa;

		memcpy(&pa, mem + (xsdt - BASE) + off, 8);
		if (pa >= BASE && pa < BASE + SIZE &&
		    !memcmp(mem + (pa - BASE), "APIC", 4)) {
			madt_off = (uint32_t)(pa - BASE);
			break;
		}
	}
	assert_true(madt_off != 0);
	mem[madt_off + 9] ^= 0xff;
	assert_int_equal(madt_apic_ids(phys, rsdp, out, 4, &n, &err), -1);
	assert_string_equal(err, "bad MADT");
	mem[madt_off + 9] ^= 0xff;
	/* An entry whose length runs past the table. */
	mem[madt_off + 44 + 1] = 0xf0;
	mem[madt_off + 9] -= 0xf0 - 16;
	assert_int_equal(madt_apic_ids(phys, rsdp, out, 4, &n, &err), -1);
	assert_string_equal(err, "MADT entry runs past the table");
	/* A bad RSDP. */
	assert_int_equal(madt_apic_ids(phys, BASE, out, 4, &n, &err), -1);
	assert_string_equal(err, "bad RSDP");
}

static uint8_t csum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return (uint8_t)-s;
}

/* A revision-0 RSDP with an RSDT and xAPIC (type 0) entries, one of them
 * disabled and one listed twice. */
static void test_rsdt_xapic(void **state)
{
	uint8_t *rsdp = mem + 0x40, *rsdt = mem + 0x100, *madt = mem + 0x200;
	static const uint8_t lapics[][8] = {
		{ 0, 8, 0, 0, 1, 0, 0, 0 },
		{ 0, 8, 1, 3, 1, 0, 0, 0 },
		{ 0, 8, 2, 5, 0, 0, 0, 0 },
		{ 0, 8, 3, 3, 1, 0, 0, 0 },
	};
	uint32_t madt_pa = BASE + 0x200, rsdt_pa = BASE + 0x100;
	uint32_t len = 44 + sizeof(lapics), rlen = 36 + 4;
	uint32_t out[4];
	unsigned int n;
	const char *err = NULL;

	memset(mem, 0, sizeof(mem));
	memcpy(madt, "APIC", 4);
	memcpy(madt + 4, &len, 4);
	memcpy(madt + 44, lapics, sizeof(lapics));
	madt[9] = csum(madt, len);
	memcpy(rsdt, "RSDT", 4);
	memcpy(rsdt + 4, &rlen, 4);
	memcpy(rsdt + 36, &madt_pa, 4);
	rsdt[9] = csum(rsdt, rlen);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 16, &rsdt_pa, 4);
	rsdp[8] = csum(rsdp, 20);
	assert_int_equal(madt_apic_ids(phys, BASE + 0x40, out, 4, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 3);
}

/* A server's MADT: xAPIC entries with gaps in the IDs, x2APIC entries
 * for IDs above 255 (ACPI 6.5 5.2.12.12: firmware uses type 9 for IDs
 * that do not fit 8 bits, and may list a CPU both ways), disabled ones. */
static void test_sparse_x2apic(void **state)
{
	static const uint8_t ents[] = {
		/* type 0: UID, APIC ID, flags */
		0, 8, 0, 0, 1, 0, 0, 0, /* 0 */
		0, 8, 1, 2, 1, 0, 0, 0, /* 2 */
		0, 8, 2, 4, 0, 0, 0, 0, /* 4, disabled */
		0, 8, 3, 6, 1, 0, 0, 0, /* 6 */
		/* type 9: reserved, x2APIC ID, flags, UID */
		9, 16, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, /* 256 */
		9, 16, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, /* 2, again */
		9, 16, 0, 0, 0xff, 1, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, /* off */
		9, 16, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 7, 0, 0, 0, /* 65536 */
		9, 16, 0, 0, 0xfe, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, /* 254 */
		9, 16, 0, 0, 0xff, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, /* 255 */
	};
	static const uint32_t want[] = { 0, 2, 6, 256, 65536, 254, 255 };
	uint8_t *rsdp = mem + 0x40, *rsdt = mem + 0x100, *madt = mem + 0x200;
	uint32_t madt_pa = BASE + 0x200, rsdt_pa = BASE + 0x100;
	uint32_t len = 44 + sizeof(ents), rlen = 36 + 4;
	uint32_t out[16];
	unsigned int n, skipped;
	const char *err = NULL;

	memset(mem, 0, sizeof(mem));
	memcpy(madt, "APIC", 4);
	memcpy(madt + 4, &len, 4);
	memcpy(madt + 44, ents, sizeof(ents));
	madt[9] = csum(madt, len);
	memcpy(rsdt, "RSDT", 4);
	memcpy(rsdt + 4, &rlen, 4);
	memcpy(rsdt + 36, &madt_pa, 4);
	rsdt[9] = csum(rsdt, rlen);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 16, &rsdt_pa, 4);
	rsdp[8] = csum(rsdp, 20);
	assert_int_equal(madt_apic_ids(phys, BASE + 0x40, out, 16, &n, &err),
			 0);
	assert_int_equal(n, 7);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(out[i], want[i]);

	/* x2APIC host, BSP 2: every other CPU can be started. */
	assert_int_equal(madt_startable(out, n, 2, 1, &skipped), 6);
	assert_int_equal(skipped, 0);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 6);
	assert_int_equal(out[2], 256);
	assert_int_equal(out[3], 65536);
	/* xAPIC host, BSP 0: 256, 65536 and 255 cannot be addressed. */
	assert_int_equal(madt_startable(out, 6, 0, 0, &skipped), 2);
	assert_int_equal(skipped, 3);
	assert_int_equal(out[0], 6);
	assert_int_equal(out[1], 254);
}

/* 256 CPUs (the builder's limit) with x2APIC IDs 0, 5, 10, ... 1275:
 * all found in order, and @max (MAX_CPUS) cuts the list without error. */
static void test_many_sparse(void **state)
{
	static uint32_t ids[256], out[256];
	unsigned int n;
	const char *err = NULL;
	struct acpi_cfg cfg = { 256, ids };
	uint64_t rsdp = 0;

	for (unsigned int i = 0; i < 256; i++)
		ids[i] = i * 5;
	memset(mem, 0, sizeof(mem));
	assert_true(acpi_build(mem + 0x100, 0x10000, BASE + 0x100, &cfg,
			       &rsdp) > 0);
	assert_int_equal(madt_apic_ids(phys, rsdp, out, 256, &n, &err), 0);
	assert_int_equal(n, 256);
	for (unsigned int i = 0; i < 256; i++)
		assert_int_equal(out[i], i * 5);
	assert_int_equal(madt_apic_ids(phys, rsdp, out, 100, &n, &err), 0);
	assert_int_equal(n, 100);
	assert_int_equal(out[99], 495);
}

/* An RSDT listing one SPCR (80 bytes, revision 2) of @type whose base
 * address is @addr in address space @space. Returns the RSDP's address. */
static uint64_t spcr_tables(uint8_t type, uint8_t space, uint64_t addr)
{
	uint8_t *rsdp = mem + 0x40, *rsdt = mem + 0x100, *spcr = mem + 0x200;
	uint32_t spcr_pa = BASE + 0x200, rsdt_pa = BASE + 0x100;
	uint32_t len = 80, rlen = 36 + 4;

	memset(mem, 0, sizeof(mem));
	memcpy(spcr, "SPCR", 4);
	memcpy(spcr + 4, &len, 4);
	spcr[8] = 2;
	spcr[36] = type;
	spcr[40] = space;
	spcr[41] = 8;
	spcr[43] = 1;
	memcpy(spcr + 44, &addr, 8);
	spcr[58] = 7; /* 115200 baud */
	spcr[9] = csum(spcr, len);
	memcpy(rsdt, "RSDT", 4);
	memcpy(rsdt + 4, &rlen, 4);
	memcpy(rsdt + 36, &spcr_pa, 4);
	rsdt[9] = csum(rsdt, rlen);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 16, &rsdt_pa, 4);
	rsdp[8] = csum(rsdp, 20);
	return BASE + 0x40;
}

/* console=auto: the port from the SPCR, or a reason why there is none. */
static void test_spcr(void **state)
{
	static const uint32_t ids[] = { 0 };
	uint16_t port = 0;
	const char *err = NULL;
	uint64_t r;

	r = spcr_tables(0, 1, 0x2f8);
	assert_int_equal(acpi_spcr_port(phys, r, &port, &err), 0);
	assert_int_equal(port, 0x2f8);
	r = spcr_tables(0x12, 1, 0x3e8);
	assert_int_equal(acpi_spcr_port(phys, r, &port, &err), 0);
	assert_int_equal(port, 0x3e8);
	r = spcr_tables(0, 0, 0xfe030000);
	assert_int_equal(acpi_spcr_port(phys, r, &port, &err), -1);
	assert_string_equal(
		err, "SPCR names a memory-mapped UART (x2hv drives I/O ports)");
	r = spcr_tables(3, 0, 0x9000000); /* Arm PL011 */
	assert_int_equal(acpi_spcr_port(phys, r, &port, &err), -1);
	assert_string_equal(err, "SPCR names a UART that is not a 16550");
	r = spcr_tables(0, 1, 0);
	assert_int_equal(acpi_spcr_port(phys, r, &port, &err), -1);
	assert_string_equal(err, "SPCR names no usable I/O port");
	r = spcr_tables(0, 1, 0x3f8);
	mem[0x200 + 9]++; /* broken checksum */
	assert_int_equal(acpi_spcr_port(phys, r, &port, &err), -1);
	assert_string_equal(err, "bad SPCR table");
	/* x2hv's own tables (a guest's) have no SPCR. */
	assert_int_equal(acpi_spcr_port(phys, build(1, ids), &port, &err), -1);
	assert_string_equal(err, "no SPCR table");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_max_limits),
		cmocka_unit_test(test_scan_finds_rsdp),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_rsdt_xapic),
		cmocka_unit_test(test_sparse_x2apic),
		cmocka_unit_test(test_many_sparse),
		cmocka_unit_test(test_spcr),
	};

	return cmocka_run_group_tests_name("madt", tests, NULL, NULL);
}
