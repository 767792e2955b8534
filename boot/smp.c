// SPDX-License-Identifier: MIT
/*
 * AP start-up: copy the real-mode trampoline below 1 MiB and send
 * INIT-SIPI-SIPI (Intel SDM vol. 3A 9.4.4.1) to each processor the
 * host's MADT lists as enabled, one at a time, so CPUs the firmware left
 * disabled stay off. Without a usable MADT, one broadcast INIT-SIPI-SIPI
 * (the MP spec's universal algorithm) starts whatever is there. APs
 * queue on the trampoline lock, each takes the next CPU number and a
 * stack prepared here, and reports in.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "boot/smp.h"
#include "arch/x86/time.h"
#include "boot/boot.h"
#include "boot/bootinfo.h"
#include "boot/madt.h"
#include "lib/mm.h"
#include "lib/printk.h"
#include "vmm/vm.h"

#define AP_WAIT_US 200000 /* after the SIPIs, APs get this long to arrive */

volatile uint32_t ap_next_cpu = 1;
uint64_t ap_stack_tops[MAX_CPUS];

void cpu_bringup(void)
{
	struct percpu *p = this_cpu();

	/* The guest's XSETBV is executed by the host (vmm/exit.c), which
	 * needs CR4.OSXSAVE; the host itself never uses extended state. */
	if (cpuid_has(1, CPUID_REG_ECX, CPUID_1_ECX_XSAVE))
		write_cr4(read_cr4() | CR4_OSXSAVE);
	idt_load();
	lapic_init();
	p->apic_id = lapic_id();
	if (virt.enable && virt.enable() == 0)
		p->virt_ok = true;
	__atomic_store_n(&p->online, true, __ATOMIC_RELEASE);
}

#define SMI_SOURCE_US 10000

static bool smi_source;

void smp_set_smi_source(bool on)
{
	smi_source = on;
}

/* testfault=smi: CPU 1 sends CPU 0 an SMI every 10 ms forever, so some
 * arrive while CPU 0 runs its guest (docs/boot.md). */
static __attribute__((noreturn)) void smi_source_loop(void)
{
	while (!__atomic_load_n(&percpu[0].online, __ATOMIC_ACQUIRE))
		cpu_relax();
	for (;;) {
		tsc_delay_us(SMI_SOURCE_US);
		lapic_send_smi(percpu[0].apic_id);
	}
}

void ap_main(unsigned int cpu)
{
	percpu_setup(cpu);
	cpu_bringup();
	if (smi_source && cpu == 1)
		smi_source_loop();
	vcpu_idle_loop();
}

static const void *host_phys(uint64_t pa, size_t len)
{
	if (pa + len < pa || pa + len > host_mapped_end())
		return NULL;
	return (const void *)(uintptr_t)pa;
}

/* Stack and IST stacks for CPU @cpu, before it is started. */
static void alloc_stacks(unsigned int cpu)
{
	percpu[cpu].stack = page_alloc(HOST_STACK_SIZE, PAGE_SIZE);
	ap_stack_tops[cpu] = (uint64_t)percpu[cpu].stack + HOST_STACK_SIZE;
	percpu[cpu].ist_stacks = page_alloc(3 * IST_STACK_SIZE, PAGE_SIZE);
}

static uint32_t madt_ids[MAX_CPUS];

/*
 * Start the MADT's enabled CPUs one by one; false if there is no MADT.
 * *@all: every CPU started came up within AP_WAIT_US.
 */
static bool start_from_madt(const void *loader_rsdp, bool efi, bool *all)
{
	uint32_t *ids = madt_ids, self = lapic_id();
	unsigned int n, skipped;
	const char *err = "no RSDP from the loader or in the BIOS areas";
	uint64_t rsdp = (uint64_t)(uintptr_t)loader_rsdp;

	/* A UEFI machine may have no legacy BIOS areas at all (no CSM):
	 * only the loader's copy of the RSDP counts there. */
	if (!rsdp && efi)
		err = "no RSDP from the UEFI loader";
	else if (!rsdp)
		rsdp = madt_scan_rsdp(host_phys);

	if (!rsdp || madt_apic_ids(host_phys, rsdp, ids, MAX_CPUS, &n, &err)) {
		pr_info("smp: %s: starting APs by broadcast", err);
		return false;
	}
	pr_info("smp: MADT (RSDP %s) lists %u enabled CPUs%s",
		loader_rsdp ? "from the loader" : "found in the BIOS area", n,
		n == MAX_CPUS ? " (MAX_CPUS: any further are not started)" :
				"");
	n = madt_startable(ids, n, self, lapic_is_x2apic(), &skipped);
	if (skipped)
		pr_warn("smp: %u CPUs have APIC IDs above 254, which an xAPIC cannot address: not started",
			skipped);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t before = ap_next_cpu;
		uint64_t end;

		if (before >= MAX_CPUS)
			break;
		/* Stacks for this CPU, and for one more in case a CPU that
		 * timed out below arrives late and takes this number. */
		for (unsigned int c = before; c <= before + 1 && c < MAX_CPUS;
		     c++)
			if (!percpu[c].stack)
				alloc_stacks(c);
		lapic_start_ap(ids[i], TRAMPOLINE_BASE >> 12);
		end = rdtsc() + AP_WAIT_US * tsc_khz / 1000;
		while (__atomic_load_n(&ap_next_cpu, __ATOMIC_ACQUIRE) ==
			       before &&
		       rdtsc() < end)
			cpu_relax();
		if (ap_next_cpu == before) {
			pr_warn("smp: CPU with APIC id %u did not start",
				ids[i]);
			*all = false;
		}
	}
	return true;
}

void smp_start_aps(const void *loader_rsdp, bool efi)
{
	uint64_t end, free_before = mm_pool_free_bytes(&mm_host);
	unsigned int n, last = 0;
	bool broadcast = false, all = true;

	memcpy((void *)TRAMPOLINE_BASE, trampoline,
	       trampoline_end - trampoline);
	*(volatile uint64_t *)(TRAMPOLINE_BASE + TRAMP_CR3) = read_cr3();
	*(volatile uint32_t *)(TRAMPOLINE_BASE + TRAMP_LOCK) = 0;
	if (!start_from_madt(loader_rsdp, efi, &all)) {
		/* Every AP may arrive: each needs its stacks ready. */
		for (unsigned int i = 1; i < MAX_CPUS; i++)
			alloc_stacks(i);
		lapic_start_aps(TRAMPOLINE_BASE >> 12);
		broadcast = true;
	}

	/* After a broadcast, or when a listed CPU timed out (it may still
	 * arrive and take a number), wait until no new AP has arrived for
	 * AP_WAIT_US. When every listed CPU came, none is left to wait for:
	 * under an emulator the wait was a fifth of x2hv's start. */
	end = broadcast || !all ? rdtsc() + AP_WAIT_US * tsc_khz / 1000 : 0;
	while (rdtsc() < end) {
		n = __atomic_load_n(&ap_next_cpu, __ATOMIC_ACQUIRE);
		if (n != last) {
			last = n;
			end = rdtsc() + AP_WAIT_US * tsc_khz / 1000;
		}
		cpu_relax();
	}
	nr_cpus = __atomic_load_n(&ap_next_cpu, __ATOMIC_ACQUIRE);
	if (nr_cpus > MAX_CPUS)
		nr_cpus = MAX_CPUS;
	for (unsigned int i = 1; i < nr_cpus; i++)
		while (!__atomic_load_n(&percpu[i].online, __ATOMIC_ACQUIRE))
			cpu_relax();
	/* What each CPU costs: what the APs took from the pool (their
	 * stacks and the backend's per-CPU state, less the spare stacks
	 * made for a late CPU), and the static area. */
	if (nr_cpus < MAX_CPUS && percpu[nr_cpus].stack && !broadcast)
		free_before -= HOST_STACK_SIZE + 3 * IST_STACK_SIZE;
	pr_info("smp: %u CPUs; per CPU %lu KiB allocated (stacks, %s state) and %lu bytes static; MAX_CPUS %u: %lu KiB static",
		nr_cpus,
		nr_cpus > 1 && !broadcast ?
			(free_before - mm_pool_free_bytes(&mm_host)) /
					(nr_cpus - 1) >>
				10 :
			0ul,
		virt.name ? virt.name : "no backend", sizeof(struct percpu),
		MAX_CPUS, sizeof(percpu) >> 10);
}
