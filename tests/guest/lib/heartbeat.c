// SPDX-License-Identifier: MIT
/*
 * A second vCPU that counts a heartbeat with interrupts enabled, so hostile
 * tests can check the other vCPU kept running after a hostile action.
 * Global mutable state: heartbeat (written by the AP only).
 */
#include "tests/guest/lib/guest.h"

#define HEARTBEAT_CPU 1
#define HEARTBEAT_APIC_ID 1
#define HEARTBEAT_WAIT 2000000ull

static volatile uint64_t heartbeat;

static void heartbeat_fn(unsigned int cpu)
{
	sti();
	for (;;) {
		atomic_inc(&heartbeat);
		cpu_relax();
	}
}

bool heartbeat_start(void)
{
	return smp_start_ap(HEARTBEAT_APIC_ID, HEARTBEAT_CPU, heartbeat_fn,
			    NULL);
}

bool heartbeat_alive(void)
{
	uint64_t before = atomic_read(&heartbeat), t0 = rdtsc();

	while (atomic_read(&heartbeat) == before &&
	       rdtsc() - t0 < HEARTBEAT_WAIT * 1000)
		cpu_relax();
	return atomic_read(&heartbeat) != before;
}
