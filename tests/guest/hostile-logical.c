// SPDX-License-Identifier: MIT
//! vcpus: 2
/*
 * Odd IPI destinations (Intel SDM Vol. 3A, 11.12.9-10): physical and
 * logical 0xFFFFFFFF are broadcasts, a cluster 0xFFFF or an empty mask
 * reaches nobody, cluster 0 with all 16 bits reaches both vCPUs. Both
 * vCPUs keep running.
 */
#include "tests/guest/lib/guest.h"

#define VEC 0x61
#define WAIT 3000000
#define LONG_WAIT 400000000ull

static volatile unsigned int hits[GUEST_MAX_CPUS];

static void handler(struct regs *r)
{
	atomic_inc(&hits[this_cpu()->cpu]);
	apic_eoi();
}

/* Send, let both vCPUs take it, return (BSP hits, AP hits) as 2 digits. */
/*
 * Send and count who took it. When the AP should get the IPI, wait for it
 * as long as a loaded host may take to schedule the AP's thread (stopping
 * as soon as it arrives); when nobody should, a short wait suffices.
 */
static unsigned int send(uint32_t dest, uint32_t low, bool ap_expected)
{
	unsigned int b0 = hits[0], a0 = hits[1];
	uint64_t t0, limit = ap_expected ? LONG_WAIT : WAIT * 10;

	apic_icr(dest, low | APIC_DM_FIXED | VEC);
	sti();
	tsc_delay(WAIT);
	t0 = rdtsc();
	while (hits[1] == a0 && rdtsc() - t0 < limit)
		cpu_relax();
	cli();
	return (hits[0] - b0) * 10 + (hits[1] - a0);
}

void test_main(void)
{
	unsigned int r;

	require_x2apic();
	set_handler(VEC, handler);
	ok(heartbeat_start(), "heartbeat vCPU started");
	cli();

	r = send(0xffffffffu, 0, true);
	ok(r == 11, "physical 0xffffffff broadcasts (%02u)", r);
	r = send(0xffffffffu, APIC_DEST_LOGICAL, true);
	ok(r == 11, "logical 0xffffffff broadcasts (%02u)", r);
	r = send(0xffff0000u, APIC_DEST_LOGICAL, false);
	ok(r == 0, "cluster 0xffff, empty mask: nobody (%02u)", r);
	r = send(0xfffeffffu, APIC_DEST_LOGICAL, false);
	ok(r == 0, "cluster 0xfffe, all bits: nobody (%02u)", r);
	r = send(0x00000000u, APIC_DEST_LOGICAL, false);
	ok(r == 0, "cluster 0, empty mask: nobody (%02u)", r);
	r = send(0x0000ffffu, APIC_DEST_LOGICAL, true);
	ok(r == 11, "cluster 0, all bits: both (%02u)", r);
	r = send(0xfffffffeu, 0, false);
	ok(r == 0, "physical 0xfffffffe: nobody (%02u)", r);
	ok(heartbeat_alive(), "other vCPU still running");
}
