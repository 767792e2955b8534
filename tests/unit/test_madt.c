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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_max_limits),
		cmocka_unit_test(test_scan_finds_rsdp),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_rsdt_xapic),
	};

	return cmocka_run_group_tests_name("madt", tests, NULL, NULL);
}
