// SPDX-License-Identifier: MIT
/*
 * kmain: the BSP's path from the multiboot loader to running the first VM.
 * Errors in boot input end here with one "x2hv: error: ..." line and a
 * clean halt, never a crash.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/system.h"
#include "arch/x86/time.h"
#include "arch/x86/uart.h"
#include "boot/boot.h"
#include "boot/bootinfo.h"
#include "boot/cmdline.h"
#include "boot/madt.h"
#include "boot/smp.h"
#include "lib/mm.h"
#include "lib/printk.h"
#include "vmm/virt.h"
#include "vmm/vm.h"

#define LOW_MEM_END 0x100000ull
#define MAPPED_END ((uint64_t)BOOT_MAP_GIB << 30)
#define BOOT_INFO_RESERVE 0x10000ull /* mb1 tables are small and low */

struct boot_info boot_info;
static struct hv_config hv_config;
static uint8_t bsp_ist[3 * IST_STACK_SIZE] __attribute__((aligned(4096)));

static const void *phys_ptr(uint64_t pa, size_t len)
{
	uint64_t end = host_mapped_end() ? host_mapped_end() : MAPPED_END;

	if (pa + len < pa || pa + len > end)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

static void boot_error(const char *what, const char *detail)
{
	pr_err("error: %s%s%s", what, detail ? ": " : "", detail ? detail : "");
	system_halt();
}

/* Give the pool the RAM in [lo, hi), less what must never be handed out:
 * reserved ranges overlapping RAM entries (firmware may list both), the
 * first MiB, x2hv's image, the boot modules and the boot information. */
static void mm_add_ram(uint64_t lo, uint64_t hi, uint64_t info_pa)
{
	const struct boot_info *bi = &boot_info;

	for (unsigned int i = 0; i < bi->n_mem; i++) {
		uint64_t b = bi->mem[i].base, e = b + bi->mem[i].len;

		if (bi->mem[i].type == BI_MEM_RAM && e > lo && b < hi)
			mm_pool_add(&mm_host, b > lo ? b : lo, e < hi ? e : hi);
	}
	for (unsigned int i = 0; i < bi->n_mem; i++)
		if (bi->mem[i].type != BI_MEM_RAM)
			mm_pool_reserve(&mm_host, bi->mem[i].base,
					bi->mem[i].base + bi->mem[i].len);
	mm_pool_reserve(&mm_host, 0, LOW_MEM_END);
	mm_pool_reserve(&mm_host, (uint64_t)__image_start,
			(uint64_t)__image_end);
	for (unsigned int i = 0; i < bi->n_mod; i++) {
		mm_pool_reserve(&mm_host, bi->mod[i].start & ~(PAGE_SIZE - 1),
				bi->mod[i].end + PAGE_SIZE);
		/* The module's string lives in loader memory too. */
		uint64_t s = (uint64_t)bi->mod[i].cmdline;

		mm_pool_reserve(&mm_host, s & ~(PAGE_SIZE - 1), s + PAGE_SIZE);
	}
	mm_pool_reserve(&mm_host, info_pa & ~(PAGE_SIZE - 1),
			info_pa + BOOT_INFO_RESERVE);
	if (bi->cmdline) {
		uint64_t s = (uint64_t)bi->cmdline;

		mm_pool_reserve(&mm_host, s & ~(PAGE_SIZE - 1), s + PAGE_SIZE);
	}
}

/* The pool from the boot map's RAM first; then, on a host with RAM above
 * the boot map, map the rest (its page tables come from the first part)
 * and add it too. */
static void mm_setup(uint64_t info_pa)
{
	uint64_t ram_end = 0;

	for (unsigned int i = 0; i < boot_info.n_mem; i++)
		if (boot_info.mem[i].type == BI_MEM_RAM &&
		    boot_info.mem[i].base + boot_info.mem[i].len > ram_end)
			ram_end = boot_info.mem[i].base + boot_info.mem[i].len;
	mm_add_ram(0, MAPPED_END, info_pa);
	if (paging_extend(MAPPED_END, ram_end))
		boot_error("out of memory mapping the host's RAM", NULL);
	if (ram_end > MAPPED_END)
		mm_add_ram(MAPPED_END, host_mapped_end(), info_pa);
	pr_info("memory: %lu MiB free for the hypervisor and guests, RAM ends at %lu MiB",
		mm_pool_free_bytes(&mm_host) >> 20, ram_end >> 20);
	if (ram_end > MAPPED_END)
		pr_info("memory: identity map extended from %u to %lu GiB with %s pages",
			BOOT_MAP_GIB, host_mapped_end() >> 30,
			paging_gib_pages() ? "1 GiB" : "2 MiB");
}

static void test_fault(void)
{
	switch (hv_config.testfault) {
	case HV_TESTFAULT_UD:
		pr_info("testfault: executing ud2");
		__asm__ volatile("ud2");
		break;
	case HV_TESTFAULT_PF:
		pr_info("testfault: reading an unmapped address");
		(void)*(volatile uint64_t *)0x0000700000000000ull;
		break;
	default:
		break;
	}
}

/* Host TSC at x2hv's entry: the VM start says how long x2hv took. */
static uint64_t entry_tsc;

/* VM 0 from the boot modules: the first is the kernel with its command
 * line, the second an optional initrd (the way Xen boots dom0). */
__attribute__((noreturn)) static void start_vm(void)
{
	const struct bi_module *k = &boot_info.mod[0];
	const struct bi_module *m = &boot_info.mod[1];
	struct vm_config cfg = {
		.mem = hv_config.mem,
		.vcpus = hv_config.vcpus,
		.reset_stops = hv_config.reboot == HV_REBOOT_STOP,
		.bad_entry = hv_config.testfault == HV_TESTFAULT_BADENTRY,
		.entry_tsc = entry_tsc,
	};

	if (boot_info.n_mod == 0)
		boot_error(
			"no guest kernel: add a module (module2 <kernel> <args>) or pass noguest",
			NULL);
	cfg.kernel = (const void *)k->start;
	cfg.kernel_size = k->end - k->start;
	cfg.kernel_cmdline = cmdline_skip_filename(k->cmdline);
	if (boot_info.n_mod > 1) {
		cfg.initrd = (const void *)m->start;
		cfg.initrd_size = m->end - m->start;
		cfg.initrd_cmdline = cmdline_skip_filename(m->cmdline);
	}
	vm_boot(&cfg);
}

/* console=auto: the port the firmware's SPCR table names, else COM1. */
static uint16_t console_auto(const char **why)
{
	uint64_t rsdp = (uint64_t)(uintptr_t)boot_info.rsdp;
	uint16_t port;

	if (!rsdp && !boot_info.efi)
		rsdp = madt_scan_rsdp(phys_ptr);
	if (!rsdp) {
		*why = "no ACPI RSDP";
		return HV_COM1_PORT;
	}
	if (acpi_spcr_port(phys_ptr, rsdp, &port, why))
		return HV_COM1_PORT;
	*why = NULL;
	return port;
}

/* The console the command line asks for. If no UART answers there, say
 * so on the first of COM1-4 that does answer, and use that one. */
static void console_setup(void)
{
	static const uint16_t com[] = { HV_COM1_PORT, HV_COM2_PORT,
					HV_COM3_PORT, HV_COM4_PORT };
	uint16_t port = hv_config.console_port;
	const char *why = NULL;

	if (port == HV_CONSOLE_AUTO)
		port = console_auto(&why);
	if (port && !uart_present(port)) {
		for (unsigned int i = 0; i < 4; i++) {
			if (!uart_present(com[i]))
				continue;
			uart_init(com[i]);
			pr_err("console: no UART answers at port %x; using COM%u (port %x) instead",
			       port, i + 1, com[i]);
			break;
		}
		return; /* no UART answers anywhere: nothing can be shown */
	}
	uart_init(port);
	if (hv_config.console_port == HV_CONSOLE_AUTO)
		pr_info("console=auto: port %x (%s)", port,
			why ? why : "from the ACPI SPCR table");
}

void kmain(uint32_t magic, uint32_t info_pa)
{
	const char *err = NULL, *tok = NULL;
	size_t toklen = 0;
	int rc;

	entry_tsc = rdtsc();
	uart_init(HV_COM1_PORT);
	console_set_putc(uart_putc);
	percpu[0].ist_stacks = bsp_ist;
	panic_set_halt(system_halt);
	percpu_setup(0);
	idt_init();
	idt_load();
	cmdline_defaults(&hv_config);

	if (bootinfo_parse(magic, info_pa, phys_ptr, &boot_info, &err))
		boot_error("boot information", err);
	rc = cmdline_parse(cmdline_skip_filename(boot_info.cmdline), &hv_config,
			   &tok, &toklen, &err);
	system_set_poweroff(hv_config.on_exit == HV_ON_EXIT_POWEROFF);
	if (rc) {
		char t[64];
		size_t n = toklen < sizeof(t) - 1 ? toklen : sizeof(t) - 1;

		memcpy(t, tok, n);
		t[n] = 0;
		pr_err("error: command line: %s: '%s'", err, t);
		system_halt();
	}
	console_setup();
	log_level = (enum log_level)hv_config.loglvl;
	pr_info("x2hv starting (%s, %s)",
		magic == MB2_BOOTLOADER_MAGIC ? "multiboot2" : "multiboot1",
		boot_info.loader ? boot_info.loader : "unknown loader");
	pr_info("command line: '%s'", boot_info.cmdline);
	if (boot_info.efi)
		pr_info("firmware: UEFI (system table at %lx)",
			boot_info.efi_systab);
	else
		pr_info("firmware: BIOS");
	for (unsigned int i = 0; i < boot_info.n_mem; i++)
		pr_debug("memory map: %016lx-%016lx type %u",
			 boot_info.mem[i].base,
			 boot_info.mem[i].base + boot_info.mem[i].len - 1,
			 boot_info.mem[i].type);

	mm_setup(info_pa);
	lapic_init();
	percpu[0].apic_id = lapic_id();
	pr_info("host LAPIC: %s mode%s", lapic_is_x2apic() ? "x2APIC" : "xAPIC",
		lapic_x2apic_by_firmware() ? " (enabled by firmware)" : "");
	tsc_calibrate();
	test_fault();

	virt_apicv = hv_config.apicv == HV_APICV_OFF	  ? APICV_OFF :
		     hv_config.apicv == HV_APICV_NOPOSTED ? APICV_NOPOSTED :
							    APICV_POSTED;
	virt_svm_eventinj = hv_config.svm_inject == HV_SVM_INJECT_EVENTINJ;
	virt_select();
	smp_set_smi_source(hv_config.testfault == HV_TESTFAULT_SMI);
	smp_start_aps(boot_info.rsdp, boot_info.efi);
	cpu_bringup();
	for (unsigned int i = 0; i < nr_cpus; i++)
		pr_info("cpu%u: %s %s (apic id %u)", i,
			virt.name ? virt.name : "virtualization",
			percpu[i].virt_ok ? "on" : "unavailable",
			percpu[i].apic_id);
	if (!virt.name)
		boot_error("no usable VMX or SVM on this CPU", NULL);
	for (unsigned int i = 0; i < nr_cpus; i++)
		if (!percpu[i].virt_ok)
			boot_error(
				"virtualization could not be enabled on every CPU",
				NULL);
	if (hv_config.noguest) {
		pr_info("noguest: nothing to run");
		system_halt();
	}
	start_vm();
}
