// SPDX-License-Identifier: MIT
//! vcpus: 2
/*
 * INIT + SIPI starts vCPU 1 in real mode at CS = vector << 8, IP = 0
 * (Intel SDM Vol. 3A, 9.4.4 and 11.6.1); the trampoline records CR0 and
 * CS before leaving real mode. The AP then reports its own x2APIC ID,
 * APIC base (no BSP flag) and CPUID.0xB ID.
 */
#include "tests/guest/lib/guest.h"

#define AP_ID 1
#define REAL_MODE_CS (AP_SIPI_VECTOR << 8)
#define CR0_PE 1u
#define LEAF_TOPOLOGY 0xb

static volatile uint32_t ap_id, ap_cpuid_id, ap_cpu;
static volatile uint64_t ap_base;
static volatile bool ap_reported;

static void ap_fn(unsigned int cpu)
{
	uint32_t a, b, c, d;

	cpuid_count(LEAF_TOPOLOGY, 0, &a, &b, &c, &d);
	ap_cpuid_id = d;
	ap_id = apic_id();
	ap_base = rdmsr(MSR_APIC_BASE);
	ap_cpu = this_cpu()->cpu;
	atomic_set(&ap_reported, true);
}

void test_main(void)
{
	struct ap_boot_info info = { 0, 0 };

	require_x2apic();
	if (!ok(smp_start_ap(AP_ID, 1, ap_fn, &info), "vCPU 1 started"))
		return;
	while (!atomic_read(&ap_reported))
		cpu_relax();
	ok(!(info.real_cr0 & CR0_PE), "AP began in real mode (CR0 %x)",
	   info.real_cr0);
	ok(info.real_cs == REAL_MODE_CS, "AP CS %x = SIPI vector << 8",
	   info.real_cs);
	ok(ap_id == AP_ID, "AP reports x2APIC ID %u", ap_id);
	ok(ap_cpuid_id == AP_ID, "AP CPUID.0xB x2APIC ID %u", ap_cpuid_id);
	ok(!(ap_base & APIC_BASE_BSP) && (ap_base & APIC_BASE_EXTD),
	   "AP APIC base %lx: x2APIC, not BSP", ap_base);
	ok(ap_cpu == 1, "AP runs with its own per-CPU area");
	ok(this_cpu()->cpu == 0 && apic_id() == 0, "BSP unaffected");
}
