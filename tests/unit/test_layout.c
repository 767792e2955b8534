// SPDX-License-Identifier: MIT
/*
 * Unit tests of loader/layout.c: the boot tables land where include/abi.h
 * says, the memory map describes the VM's RAM and the reserved hole, and
 * nothing outside the two windows of guest RAM is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi.h"
#include "lib/acpi_tables.h"
#include "loader/acpi.h"
#include "loader/layout.h"

#define RAM_SIZE (4u << 20)
#define FILL 0xa5

static uint8_t *ram;

static int setup(void **state)
{
	ram = malloc(RAM_SIZE);
	memset(ram, FILL, RAM_SIZE);
	return ram ? 0 : -1;
}

static int teardown(void **state)
{
	free(ram);
	return 0;
}

static uint64_t build(unsigned int vcpus, const char **what, const char **err)
{
	static const struct pvh_module mod = { 0x200000, 0x1000, "initrd" };
	struct layout_cfg cfg = {
		.ram = ram,
		.ram_size = RAM_SIZE,
		.low_size = RAM_SIZE,
		.nr_vcpus = vcpus,
		.cmdline = "console=ttyS0",
		.modules = &mod,
		.n_modules = 1,
	};

	return layout_boot_tables(&cfg, what, err);
}

static void test_memmap(void **state)
{
	struct hvm_memmap_table_entry m[LAYOUT_MEMMAP_MAX];

	assert_int_equal(layout_memmap(RAM_SIZE, RAM_SIZE, m), 3);
	assert_int_equal(m[0].addr, 0);
	assert_int_equal(m[0].size, X2HV_GPA_LOW_RAM_END);
	assert_int_equal(m[0].type, HVM_MEMMAP_TYPE_RAM);
	assert_int_equal(m[1].addr, X2HV_GPA_LOW_RAM_END);
	assert_int_equal(m[1].addr + m[1].size, X2HV_GPA_HIGH_RAM);
	assert_int_equal(m[1].type, HVM_MEMMAP_TYPE_RESERVED);
	assert_int_equal(m[2].addr, X2HV_GPA_HIGH_RAM);
	assert_int_equal(m[2].addr + m[2].size, RAM_SIZE);
	assert_int_equal(m[2].type, HVM_MEMMAP_TYPE_RAM);
	/* Both windows lie in the reserved entry. */
	assert_true(X2HV_GPA_ACPI >= m[1].addr);
	assert_true(X2HV_GPA_START_INFO + X2HV_GPA_START_INFO_SIZE <=
		    m[1].addr + m[1].size);
}

/* A VM larger than the RAM below the 32-bit hole: the rest from 4 GiB. */
static void test_memmap_above_4g(void **state)
{
	struct hvm_memmap_table_entry m[LAYOUT_MEMMAP_MAX];
	uint64_t low = X2HV_GPA_LOW_RAM_MAX, all = 6ull << 30;

	assert_int_equal(layout_memmap(low, all, m), 4);
	assert_int_equal(m[2].addr + m[2].size, low);
	assert_int_equal(m[3].addr, X2HV_GPA_ABOVE_4G);
	assert_int_equal(m[3].size, all - low);
	assert_int_equal(m[3].type, HVM_MEMMAP_TYPE_RAM);
}

static void test_tables(void **state)
{
	const char *what = NULL, *err = NULL;
	uint64_t si_gpa = build(4, &what, &err);
	struct hvm_start_info si;
	struct hvm_memmap_table_entry e;
	const uint8_t *rsdp = ram + X2HV_GPA_ACPI;

	assert_int_equal(si_gpa, X2HV_GPA_START_INFO);
	memcpy(&si, ram + si_gpa, sizeof(si));
	assert_int_equal(si.magic, HVM_START_MAGIC_VALUE);
	assert_int_equal(si.rsdp_paddr, X2HV_GPA_ACPI);
	assert_memory_equal(rsdp, RSDP_SIGNATURE, 8);
	assert_int_equal(acpi_checksum(rsdp, RSDP_V1_LENGTH), 0);
	assert_int_equal(si.memmap_entries, 3);
	memcpy(&e, ram + si.memmap_paddr + 2 * sizeof(e), sizeof(e));
	assert_int_equal(e.addr + e.size, RAM_SIZE);
	assert_string_equal((const char *)ram + si.cmdline_paddr,
			    "console=ttyS0");
	assert_int_equal(si.nr_modules, 1);
	/* Every pointer stays in the start-info window. */
	assert_true(si.memmap_paddr >= X2HV_GPA_START_INFO &&
		    si.cmdline_paddr <
			    X2HV_GPA_START_INFO + X2HV_GPA_START_INFO_SIZE);
}

static void test_writes_only_windows(void **state)
{
	const char *what, *err;

	assert_int_not_equal(build(2, &what, &err), 0);
	for (uint64_t a = 0; a < RAM_SIZE; a++) {
		bool in_acpi = a >= X2HV_GPA_ACPI &&
			       a < X2HV_GPA_ACPI + X2HV_GPA_ACPI_SIZE;
		bool in_si = a >= X2HV_GPA_START_INFO &&
			     a < X2HV_GPA_START_INFO + X2HV_GPA_START_INFO_SIZE;

		if (!in_acpi && !in_si && ram[a] != FILL)
			fail_msg("byte at GPA %lx written", (unsigned long)a);
	}
}

static void test_errors(void **state)
{
	const char *what = NULL, *err = NULL;
	struct layout_cfg cfg = { .ram = ram,
				  .ram_size = X2HV_GPA_HIGH_RAM,
				  .low_size = X2HV_GPA_HIGH_RAM,
				  .nr_vcpus = 1 };

	assert_int_equal(layout_boot_tables(&cfg, &what, &err), 0);
	assert_string_equal(what, "guest RAM");
	assert_int_equal(build(0, &what, &err), 0);
	assert_string_equal(what, "ACPI tables");
	assert_int_equal(build(ACPI_MAX_VCPUS + 1, &what, &err), 0);
	assert_string_equal(what, "ACPI tables");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memmap),
		cmocka_unit_test(test_memmap_above_4g),
		cmocka_unit_test_setup_teardown(test_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writes_only_windows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
