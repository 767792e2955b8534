// SPDX-License-Identifier: MIT
//! vcpus: 2
/*
 * INIT and SIPI aimed at x2APIC IDs that do not exist (2, 0xFF, 0xFFFF,
 * 0xFFFFFFFE, logical cluster 0xFFFF) and a SIPI to an already running
 * vCPU (ignored outside wait-for-SIPI, Intel SDM Vol. 3A, 9.4.4 and
 * 11.6.1): nothing happens, both vCPUs keep running.
 */
#include "tests/guest/lib/guest.h"

#define BOGUS_SIPI_VEC 0x9f /* 0x9f000: the end of low RAM */

static const uint32_t nobody[] = { 2,	   0x7f,       0xff,
				   0xffff, 0x12345678, 0xfffffffeu };

void test_main(void)
{
	require_x2apic();
	ok(heartbeat_start(), "heartbeat vCPU started");
	for (unsigned int i = 0; i < sizeof(nobody) / sizeof(nobody[0]); i++)
		smp_send_init_sipi(nobody[i], AP_SIPI_VECTOR);
	ok(true, "INIT/SIPI to %u nonexistent IDs returned",
	   (unsigned int)(sizeof(nobody) / sizeof(nobody[0])));
	apic_icr(0xffff0001u,
		 APIC_DEST_LOGICAL | APIC_DM_INIT | APIC_LEVEL_ASSERT);
	apic_icr(0xffff0001u,
		 APIC_DEST_LOGICAL | APIC_DM_STARTUP | AP_SIPI_VECTOR);
	ok(true, "logical INIT/SIPI to cluster 0xffff returned");

	/* vCPU 1 is running: a SIPI must not restart it. */
	apic_icr(1, APIC_DM_STARTUP | BOGUS_SIPI_VEC);
	apic_icr(1, APIC_DM_STARTUP | AP_SIPI_VECTOR);
	ok(heartbeat_alive(), "running vCPU ignored the SIPIs");
	ok(percpu_of(1)->online, "and did not re-enter the trampoline");
	ok(rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD, "BSP still in x2APIC mode");
	ok(this_cpu()->apic_id == apic_id(), "BSP x2APIC ID intact");
}
