// SPDX-License-Identifier: MIT
//! expect: hello from the x2hv guest runtime
//! expect: fmt: -42 42 beef 0123456789ab 18446744073709551615 str c 0x100000
//! expect: RESULT: PASS
//! expect: xAPIC page fee00000: (never accessed|access not tracked)
/* The smallest guest test: the runtime boots, prints and exits. */
#include "tests/guest/lib/guest.h"

void test_main(void)
{
	printf("hello from the x2hv guest runtime (%s)\n",
	       x2hv_present() ? "x2hv" : "no x2hv");
	/* The harness checks this line: it exercises the printf formats. */
	printf("fmt: %d %u %x %012llx %lu %s %c %p\n", -42, 42u, 0xbeefu,
	       0x123456789abull, ~0ul, "str", 'c', (void *)0x100000);
	ok(this_cpu()->cpu == 0, "running on the BSP");
	require_x2apic();
	ok(this_cpu()->apic_id == apic_id(),
	   "per-CPU area holds the x2APIC ID");
}
