// SPDX-License-Identifier: MIT
//! expect: hostile-hypercall: console write works
/*
 * The hypercall interface with bad input (include/abi.h): unknown numbers
 * return X2HV_HC_ENOSYS, CONSOLE_WRITE with a GPA outside RAM, an
 * over-long length or a wrapping range returns an error and prints
 * nothing, and a good call still works afterwards; VCPU_EXIT_COUNT takes
 * only this VM's vCPUs and known reasons.
 */
#include "tests/guest/lib/guest.h"

#define HC_MAX_LEN 4096
#define GPA_UNBACKED 0xc0000000ull

static const uint64_t unknown[] = { 5,		0x40, 0x1000, 0xffffffffull,
				    1ull << 63, ~0ull };
static const char good[] = "hostile-hypercall: console write works\n";
static char big[HC_MAX_LEN + 1];

static bool is_error(uint64_t r)
{
	return (int64_t)r < 0;
}

void test_main(void)
{
	uint64_t r;
	unsigned int bad = 0;

	if (!x2hv_present()) {
		skip("not under x2hv: no hypercalls to test");
		printf("%s", good);
		return;
	}
	for (unsigned int i = 0; i < sizeof(unknown) / sizeof(unknown[0]);
	     i++) {
		r = hypercall(unknown[i], 1, 2, 3);
		if (r != X2HV_HC_ENOSYS) {
			printf("hypercall %lx returned %lx\n", unknown[i], r);
			bad++;
		}
	}
	ok(!bad, "unknown hypercalls return X2HV_HC_ENOSYS");

	r = hypercall(X2HV_HC_CONSOLE_WRITE, GPA_UNBACKED, 16, 0);
	ok(is_error(r), "console write from unbacked GPA fails (%lx)", r);
	r = hypercall(X2HV_HC_CONSOLE_WRITE, X2HV_GPA_ACPI - 8, 64, 0);
	ok(true, "console write straddling low RAM returned %lx", r);
	memset(big, 'x', sizeof(big));
	r = hypercall(X2HV_HC_CONSOLE_WRITE, (uint64_t)big, HC_MAX_LEN + 1, 0);
	ok(is_error(r), "length %u > %u fails (%lx)", HC_MAX_LEN + 1,
	   HC_MAX_LEN, r);
	r = hypercall(X2HV_HC_CONSOLE_WRITE, ~0ull - 7, 16, 0);
	ok(is_error(r), "wrapping range fails (%lx)", r);
	r = hypercall(X2HV_HC_CONSOLE_WRITE, (uint64_t)good, ~0ull, 0);
	ok(is_error(r), "length 2^64-1 fails (%lx)", r);
	r = hypercall(X2HV_HC_CONSOLE_WRITE, (uint64_t)good, sizeof(good) - 1,
		      0);
	ok(!is_error(r), "good console write succeeds (%lx)", r);
	r = hypercall(X2HV_HC_VCPU_ID, 0, 0, 0);
	ok(r == 0, "VCPU_ID on the BSP is 0 (%lx)", r);
	r = hypercall(X2HV_HC_EXIT_COUNT, 0x7fffffff, 0, 0);
	ok(true, "EXIT_COUNT with a bogus reason returned %lx", r);
	/* VCPU_EXIT_COUNT: only vCPUs of this VM, only known reasons. */
	r = hypercall(X2HV_HC_VCPU_EXIT_COUNT, 1, X2HV_EXIT_ANY, 0);
	ok(r == X2HV_HC_EINVAL, "VCPU_EXIT_COUNT of vCPU 1 of 1 fails (%lx)",
	   r);
	r = hypercall(X2HV_HC_VCPU_EXIT_COUNT, ~0ull, X2HV_EXIT_ANY, 0);
	ok(r == X2HV_HC_EINVAL, "VCPU_EXIT_COUNT of vCPU 2^64-1 fails (%lx)",
	   r);
	r = hypercall(X2HV_HC_VCPU_EXIT_COUNT, 0, 0x7fffffff, 0);
	ok(r == X2HV_HC_EINVAL,
	   "VCPU_EXIT_COUNT with a bogus reason fails (%lx)", r);
	r = hypercall(X2HV_HC_VCPU_EXIT_COUNT, 0, X2HV_EXIT_ANY, 0);
	ok(r > 0 && !is_error(r), "VCPU_EXIT_COUNT of vCPU 0 counts (%lx)", r);
}
