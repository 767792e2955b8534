// SPDX-License-Identifier: MIT
//! vcpus: 2
/*
 * IPIs between two vCPUs (Intel SDM Vol. 3A, 11.6 and 11.12.9-10): start
 * vCPU 1 by INIT/SIPI, fixed IPIs both ways in physical mode, the
 * all-excluding-self and all-including-self shorthands, and x2APIC
 * logical (cluster) destinations.
 */
#include "tests/guest/lib/guest.h"

#define VEC 0x60
/* Up to about 0.8 s at 2.6 GHz for an IPI to arrive: a loaded 2-core host
 * may not run the other vCPU's thread for a long while; the wait stops as
 * soon as the count is reached. */
#define WAIT 2000000000ull
#define AP_ID 1

static volatile unsigned int hits[GUEST_MAX_CPUS];
static volatile unsigned int ap_cmd, ap_done;
static volatile uint32_t ap_seen_id;

enum {
	CMD_NONE,
	CMD_IPI_BSP,
	CMD_LOGICAL_BSP
};

static void handler(struct regs *r)
{
	atomic_inc(&hits[this_cpu()->cpu]);
	apic_eoi();
}

static void ap_fn(unsigned int cpu)
{
	ap_seen_id = apic_id();
	sti();
	for (;;) {
		unsigned int cmd = atomic_read(&ap_cmd);

		if (cmd == CMD_IPI_BSP)
			apic_icr(0, APIC_DM_FIXED | VEC);
		else if (cmd == CMD_LOGICAL_BSP)
			apic_icr(1, APIC_DEST_LOGICAL | APIC_DM_FIXED | VEC);
		if (cmd != CMD_NONE) {
			atomic_set(&ap_cmd, CMD_NONE);
			atomic_inc(&ap_done);
		}
		cpu_relax();
	}
}

/* Wait (interrupts on) until hits[cpu] reaches @n. */
static bool wait_hits(unsigned int cpu, unsigned int n)
{
	uint64_t t0 = rdtsc();

	sti();
	while (atomic_read(&hits[cpu]) < n && rdtsc() - t0 < WAIT)
		cpu_relax();
	tsc_delay(WAIT / 1000);
	cli();
	return atomic_read(&hits[cpu]) == n;
}

void test_main(void)
{
	require_x2apic();
	set_handler(VEC, handler);
	if (!ok(smp_start_ap(AP_ID, 1, ap_fn, NULL), "vCPU 1 started")) {
		return;
	}
	ok(ap_seen_id == AP_ID, "AP x2APIC ID %u", ap_seen_id);

	apic_icr(AP_ID, APIC_DM_FIXED | VEC);
	ok(wait_hits(1, 1), "fixed IPI BSP -> AP");

	atomic_set(&ap_cmd, CMD_IPI_BSP);
	ok(wait_hits(0, 1), "fixed IPI AP -> BSP");

	apic_icr(0, APIC_DEST_ALLBUT | APIC_DM_FIXED | VEC);
	ok(wait_hits(1, 2) && hits[0] == 1, "all-but-self reaches only the AP");

	apic_icr(0, APIC_DEST_ALL | APIC_DM_FIXED | VEC);
	ok(wait_hits(1, 3) && wait_hits(0, 2),
	   "all-including-self reaches both");

	/* Cluster 0: BSP is bit 0 (LDR 0x1), the AP bit 1 (LDR 0x2). */
	ok(apic_read(X2APIC_LDR) == 1, "BSP LDR 1");
	apic_icr(1u << AP_ID, APIC_DEST_LOGICAL | APIC_DM_FIXED | VEC);
	ok(wait_hits(1, 4) && hits[0] == 2, "logical 0x2 reaches only the AP");
	apic_icr(0x3, APIC_DEST_LOGICAL | APIC_DM_FIXED | VEC);
	ok(wait_hits(1, 5) && wait_hits(0, 3), "logical 0x3 reaches both");
	apic_icr(1u << 16 | 0x3, APIC_DEST_LOGICAL | APIC_DM_FIXED | VEC);
	ok(wait_hits(1, 5) && wait_hits(0, 3), "cluster 1 reaches nobody");

	atomic_set(&ap_cmd, CMD_LOGICAL_BSP);
	ok(wait_hits(0, 4), "logical IPI AP -> BSP");
}
