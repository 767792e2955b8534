// SPDX-License-Identifier: MIT
//! reject: hostile-hypercall-user: LEAK
//! reject: test exit, status 77
/*
 * Hypercalls from CPL 3 (core/abi.h): a user process must not write to
 * the hypervisor console, read the counters or stop the VM. VMCALL and
 * VMMCALL exit at any privilege level; every hypercall made at CPL > 0
 * returns X2HV_HC_EPERM and does nothing. The same calls from CPL 0 keep
 * working.
 */
#include "tests/guest/lib/guest.h"

#define LEAK_STATUS 77

static const char leak[] = "hostile-hypercall-user: LEAK\n";
static volatile unsigned int user_cpl;

struct call {
	uint64_t nr, a0, a1;
	const char *what;
};

static const struct call calls[] = {
	{ X2HV_HC_CONSOLE_WRITE, (uint64_t)leak, sizeof(leak) - 1,
	  "CONSOLE_WRITE" },
	{ X2HV_HC_TEST_EXIT, LEAK_STATUS, 0, "TEST_EXIT" },
	{ X2HV_HC_EXIT_COUNT, X2HV_EXIT_ANY, 0, "EXIT_COUNT" },
	{ X2HV_HC_VCPU_ID, 0, 0, "VCPU_ID" },
	{ 0x1234, 0, 0, "an unknown number" },
};

static uint64_t user_hypercall(uint64_t i)
{
	user_cpl = read_cpl();
	return hypercall(calls[i].nr, calls[i].a0, calls[i].a1, 0);
}

void test_main(void)
{
	unsigned int n = sizeof(calls) / sizeof(calls[0]);
	uint64_t r;

	if (!x2hv_present()) {
		skip("not under x2hv: no hypercalls to test");
		return;
	}
	user_pages_init();
	cpu_tss_init(0);
	for (unsigned int i = 0; i < n; i++) {
		r = user_call(user_hypercall, i);
		ok(user_cpl == 3 && r == X2HV_HC_EPERM,
		   "%s from CPL %u returns EPERM (%lx)", calls[i].what,
		   user_cpl, r);
	}
	r = hypercall(X2HV_HC_VCPU_ID, 0, 0, 0);
	ok(r == 0, "VCPU_ID from CPL 0 still works (%lx)", r);
	r = exit_count(X2HV_EXIT_ANY);
	ok(r != X2HV_HC_EPERM && r > 0, "EXIT_COUNT from CPL 0 works (%lu)", r);
}
