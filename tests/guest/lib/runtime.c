// SPDX-License-Identifier: MIT
/*
 * Guest test runtime: IDT, trap dispatch, hypercalls, test exit, x2APIC
 * bring-up. Global mutable state here (all documented):
 *   idt, handlers[]   - shared by every vCPU; handlers are set by the test
 *   hv_*, boot_*      - written once by the BSP before any AP starts
 */
#include "tests/guest/lib/guest.h"

#define IDT_ENTRIES 256
#define IDT_TYPE_INTR_GATE 0x8e /* P=1, DPL=0, 64-bit interrupt gate */
#define KERNEL_CS 0x18
#define HVM_START_MAGIC 0x336ec578u
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define IDT_STUB_SIZE 16
#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
#define PIC_MASK_ALL 0xff

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t rsvd;
} __attribute__((packed));

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
};

extern char idt_stubs[];
extern const struct extable_entry __start_ex_table[], __stop_ex_table[];
extern char cpu_stacks[];

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
static irq_handler_t handlers[IDT_ENTRIES];
static bool hv_x2hv, hv_amd, have_x2apic;

uint64_t boot_apic_base, boot_svr;
bool boot_x2apic_was_enabled;

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

struct percpu *percpu_of(unsigned int cpu)
{
	return (struct percpu *)(cpu_stacks + (size_t)cpu * GUEST_STACK_SIZE);
}

bool x2hv_present(void)
{
	return hv_x2hv;
}

bool cpu_is_amd(void)
{
	return hv_amd;
}

void idt_set_gate(uint8_t vec, unsigned int dpl, unsigned int ist)
{
	idt[vec].type = IDT_TYPE_INTR_GATE | (uint8_t)((dpl & 3) << 5);
	idt[vec].ist = (uint8_t)(ist & 7);
}

void set_handler(uint8_t vec, irq_handler_t fn)
{
	__atomic_store_n(&handlers[vec], fn, __ATOMIC_SEQ_CST);
}

static void spurious_handler(struct regs *regs)
{
	/* A spurious interrupt is not in service: no EOI (SDM 11.9). */
}

static void load_idt(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint64_t)idt };

	asm volatile("lidt %0" ::"m"(desc));
}

static void idt_init(void)
{
	for (int v = 0; v < IDT_ENTRIES; v++) {
		uint64_t a = (uint64_t)idt_stubs + (uint64_t)v * IDT_STUB_SIZE;

		idt[v].off0 = (uint16_t)a;
		idt[v].sel = KERNEL_CS;
		idt[v].ist = 0;
		idt[v].type = IDT_TYPE_INTR_GATE;
		idt[v].off1 = (uint16_t)(a >> 16);
		idt[v].off2 = (uint32_t)(a >> 32);
		idt[v].rsvd = 0;
	}
	handlers[APIC_SPURIOUS_VECTOR] = spurious_handler;
}

void trap_dispatch(struct regs *r)
{
	struct percpu *pc = this_cpu();
	irq_handler_t fn;

	if (r->vector < 32) {
		for (const struct extable_entry *e = __start_ex_table;
		     e < __stop_ex_table; e++) {
			if (e->fault != r->rip)
				continue;
			pc->fault = FAULT(r->vector);
			pc->fault_error = r->error;
			pc->fault_rip = r->rip;
			pc->fault_cr2 = read_cr2();
			r->rip = e->fixup;
			return;
		}
		if (pc->expect_resume) {
			pc->fault = FAULT(r->vector);
			pc->fault_error = r->error;
			pc->fault_rip = r->rip;
			pc->fault_cr2 = read_cr2();
			r->rip = pc->expect_resume;
			pc->expect_resume = 0;
			return;
		}
	}
	fn = __atomic_load_n(&handlers[r->vector], __ATOMIC_SEQ_CST);
	if (fn) {
		fn(r);
		return;
	}
	printf("unexpected %s vector %lu on cpu%u: rip=%lx err=%lx cr2=%lx\n",
	       r->vector < 32 && exc_names[r->vector] ? exc_names[r->vector] :
							"interrupt",
	       r->vector, pc->cpu, r->rip, r->error, read_cr2());
	fail("unexpected vector %lu", r->vector);
	test_done();
}

uint64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t ret;

	/* VMCALL: Intel SDM Vol. 3C 25.1.3; VMMCALL: AMD APM Vol. 3. */
	if (hv_amd)
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
			     : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
			     : "memory");
	return ret;
}

uint64_t exit_count(uint32_t reason)
{
	if (!hv_x2hv)
		return ~0ull;
	return hypercall(X2HV_HC_EXIT_COUNT, reason, 0, 0);
}

uint64_t vcpu_exit_count(unsigned int vcpu, uint32_t reason)
{
	if (!hv_x2hv)
		return ~0ull;
	return hypercall(X2HV_HC_VCPU_EXIT_COUNT, vcpu, reason, 0);
}

void __attribute__((noreturn)) test_exit(unsigned int status)
{
	if (hv_x2hv) {
		hypercall(X2HV_HC_TEST_EXIT, status, 0, 0);
		printf("test_exit: hypercall returned\n");
	} else {
		/*
		 * No x2hv: QEMU's isa-debug-exit exits with (value << 1) | 1;
		 * Bochs powers off on "Shutdown" written to port 0x8900.
		 */
		printf("note: no x2hv hypervisor, exiting via port 0x%x\n",
		       QEMU_DEBUG_EXIT_PORT);
		serial_flush();
		outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
		for (const char *p = "Shutdown"; *p; p++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	}
	for (;;) {
		cli();
		hlt();
	}
}

void tsc_delay(uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < ticks)
		cpu_relax();
}

bool apic_vec_set(uint32_t base, uint8_t vec)
{
	return (apic_read(base + vec / 32) >> (vec % 32)) & 1;
}

static void percpu_init(unsigned int cpu)
{
	struct percpu *pc = this_cpu();

	pc->cpu = cpu;
	if (!have_x2apic)
		goto out;
	pc->apic_id = apic_id();
	apic_write(X2APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
out:
	atomic_set(&pc->online, true);
}

static void detect_cpu(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	/* "AuthenticAMD": EBX="Auth", EDX="enti", ECX="cAMD". */
	hv_amd = b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;
	cpuid(1, &a, &b, &c, &d);
	if (c & CPUID_1_ECX_HYPERVISOR) {
		uint32_t sb, sc, sd;

		cpuid(X2HV_CPUID_BASE, &a, &sb, &sc, &sd);
		hv_x2hv = sb == X2HV_CPUID_SIG_EBX &&
			  sc == X2HV_CPUID_SIG_EBX && sd == X2HV_CPUID_SIG_EBX;
	}
}

static void x2apic_init_bsp(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	boot_apic_base = rdmsr(MSR_APIC_BASE);
	boot_x2apic_was_enabled = boot_apic_base & APIC_BASE_EXTD;
	if (!boot_x2apic_was_enabled) {
		if (!(c & CPUID_1_ECX_X2APIC)) {
			/* Bare QEMU TCG: the test decides (require_x2apic). */
			printf("note: no x2APIC on this CPU\n");
			return;
		}
		/* xAPIC -> x2APIC: set EXTD with EN (SDM 11.12.5). */
		wrmsr(MSR_APIC_BASE,
		      boot_apic_base | APIC_BASE_EN | APIC_BASE_EXTD);
	}
	boot_svr = rdmsr(X2APIC_SVR);
	have_x2apic = true;
}

void require_x2apic(void)
{
	if (have_x2apic)
		return;
	if (hv_x2hv) {
		/* x2hv must always offer the x2APIC. */
		fail("x2APIC missing under x2hv");
	} else {
		skip("no x2APIC on this (bare) CPU");
	}
	test_done();
}

void runtime_main(uint32_t start_info)
{
	const struct hvm_start_info *si =
		(const struct hvm_start_info *)(uint64_t)start_info;

	serial_init();
	idt_init();
	load_idt();
	detect_cpu();
	printf("guest: %s, start_info magic %s, x2hv %s\n",
	       hv_amd ? "AMD" : "Intel",
	       si && si->magic == HVM_START_MAGIC ? "ok" : "BAD",
	       hv_x2hv ? "present" : "absent");
	if (!hv_x2hv) {
		/*
		 * Bare emulators have an 8259 PIC that the BIOS left with IRQ0
		 * at vector 8; mask it (x2hv has no PIC).
		 */
		outb(PIC1_DATA, PIC_MASK_ALL);
		outb(PIC2_DATA, PIC_MASK_ALL);
	}
	x2apic_init_bsp();
	percpu_init(0);
	test_main();
	test_done();
}

/* ------------------------------------------------------------ SMP */
extern char ap_tramp_start[], ap_tramp_end[], ap_tramp_info[], ap_tramp_stack[];

#define TRAMP_ADDR(sym)                                                        \
	((void *)(uint64_t)(AP_TRAMPOLINE + (uint64_t)((sym)-ap_tramp_start)))
#define INIT_DELAY_TICKS 1000000ull
#define SIPI_WAIT_TICKS 200000000ull

static volatile ap_entry_t ap_fn;
static volatile unsigned int ap_cpu;

void ap_main(void)
{
	unsigned int cpu = ap_cpu;
	ap_entry_t fn = ap_fn;

	load_idt();
	if (!(rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD))
		wrmsr(MSR_APIC_BASE,
		      rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
	percpu_init(cpu);
	fn(cpu);
	for (;;) {
		cli();
		hlt();
	}
}

void smp_send_init_sipi(uint32_t apic_id, uint8_t vector)
{
	/* INIT-SIPI-SIPI (SDM Vol. 3A, 9.4.4.1); x2APIC has no delivery status. */
	apic_icr(apic_id, APIC_DM_INIT | APIC_LEVEL_ASSERT);
	tsc_delay(INIT_DELAY_TICKS);
	apic_icr(apic_id, APIC_DM_STARTUP | vector);
}

bool smp_start_ap(uint32_t apic_id, unsigned int cpu, ap_entry_t fn,
		  struct ap_boot_info *info)
{
	struct percpu *pc = percpu_of(cpu);
	uint64_t *stack = TRAMP_ADDR(ap_tramp_stack);
	uint64_t t0;

	if (cpu == 0 || cpu >= GUEST_MAX_CPUS)
		return false;
	memcpy((void *)(uint64_t)AP_TRAMPOLINE, ap_tramp_start,
	       (size_t)(ap_tramp_end - ap_tramp_start));
	*stack = (uint64_t)pc + GUEST_STACK_SIZE;
	pc->online = false;
	ap_fn = fn;
	ap_cpu = cpu;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	for (int tries = 0; tries < 2; tries++) {
		if (tries == 0)
			smp_send_init_sipi(apic_id, AP_SIPI_VECTOR);
		else
			apic_icr(apic_id, APIC_DM_STARTUP | AP_SIPI_VECTOR);
		t0 = rdtsc();
		while (!atomic_read(&pc->online) &&
		       rdtsc() - t0 < SIPI_WAIT_TICKS)
			cpu_relax();
		if (atomic_read(&pc->online))
			break;
	}
	if (!atomic_read(&pc->online))
		return false;
	if (info)
		memcpy(info, TRAMP_ADDR(ap_tramp_info), sizeof(*info));
	return true;
}
