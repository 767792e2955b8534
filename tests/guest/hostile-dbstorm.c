// SPDX-License-Identifier: MIT
//! vcpus: 2
//! timeout: 300
//! expect: RESULT: PASS
//! expect: x2hv: vm0: all 2 vCPUs stopped
/*
 * #DB and #AC are always intercepted and reflected (XSA-156,
 * CVE-2015-8104 and CVE-2015-5307): a guest can otherwise keep a CPU in
 * microcode forever, delivering one exception after another with no
 * instruction boundary at which the host could take an interrupt.
 *
 * First the reflection: data breakpoint (trap, DR6.B0), ICEBP (trap after
 * the instruction), single step (DR6.BS), instruction breakpoint (fault at
 * the instruction) and #AC(0) at CPL 3 each reach the guest's handler as
 * on hardware, and each exits to the hypervisor once.
 *
 * Then the storm, on vCPU 1: the #DB gate uses an IST stack and a data
 * breakpoint watches the slot where delivering #DB pushes SS, so every
 * #DB delivery raises the next #DB. vCPU 0 then ends the test: the VM
 * stop has to reach vCPU 1, which only works if its CPU still leaves the
 * guest (the harness needs "all 2 vCPUs stopped" and "system halted").
 */
#include "tests/guest/lib/guest.h"

#define X86_AC 17
#define DR7_L0 (1ull << 0)
#define DR7_RW0_WRITE (1ull << 16)
#define DR7_LEN0_8 (2ull << 18)
#define DR7_FIXED (1ull << 10)
#define DR6_B0 (1ull << 0)
#define DR6_BS (1ull << 14)
#define DR6_INIT 0xffff0ff0ull
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_RF (1ull << 16)
#define RFLAGS_AC (1ull << 18)
#define CR0_AM (1ull << 18)
#define IST_SIZE 4096
#define STORM_WAIT 5000000ull
#define AP_ID 1

static volatile uint64_t watch __attribute__((aligned(8)));
static volatile unsigned int db_hits, ac_hits, ap_db_hits;
static volatile uint64_t db_rip, db_dr6, ac_err, ac_rip;
static volatile bool storm_armed;
static uint8_t ist_bsp[IST_SIZE] __attribute__((aligned(16)));
static uint8_t ist_ap[IST_SIZE] __attribute__((aligned(16)));

static void set_dr7(uint64_t v)
{
	asm volatile("mov %0, %%dr7" ::"r"(v | DR7_FIXED));
}

static void set_dr0(uint64_t v)
{
	asm volatile("mov %0, %%dr0" ::"r"(v));
}

static void set_dr6(uint64_t v)
{
	asm volatile("mov %0, %%dr6" ::"r"(v));
}

static uint64_t get_dr6(void)
{
	uint64_t v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static void db_handler(struct regs *r)
{
	if (this_cpu()->cpu != 0) {
		atomic_inc(&ap_db_hits);
		return;
	}
	db_hits++;
	db_rip = r->rip;
	db_dr6 = get_dr6();
	set_dr6(DR6_INIT);
	r->rflags &= ~RFLAGS_TF;
	/* An instruction breakpoint is a fault: resume with RF so it does
	 * not fire again (SDM Vol. 3B, 17.3.1.1). */
	r->rflags |= RFLAGS_RF;
}

static void ac_handler(struct regs *r)
{
	ac_hits++;
	ac_err = r->error;
	ac_rip = r->rip;
	r->rflags &= ~RFLAGS_AC;
}

/*
 * Bochs 3.0's SVM does not update the VMCB's DR6 before a #DB intercept
 * (the guest's handler then sees DR6 as it set it); AMD CPUs do, which
 * KVM relies on too. Only there is a missing DR6 bit not x2hv's.
 */
static void dr6_check(uint64_t bit, const char *what)
{
	if (!(db_dr6 & bit) && cpu_is_amd() && db_dr6 == DR6_INIT)
		skip("%s: DR6 not updated at the #DB (Bochs's SVM)", what);
	else
		ok(db_dr6 & bit, "%s: DR6 has %lx (%lx)", what, bit, db_dr6);
}

static uint64_t exc_exits(void)
{
	return exit_count(X2HV_EXIT_EXCEPTION);
}

static uint64_t user_misaligned(uint64_t addr)
{
	uint64_t v;

	/* RFLAGS.AC at CPL 3 with CR0.AM: a misaligned load is #AC(0). */
	asm volatile("pushf\n"
		     "orq %2, (%%rsp)\n"
		     "popf\n"
		     "movl (%1), %k0\n"
		     : "=r"(v)
		     : "r"(addr), "i"(RFLAGS_AC)
		     : "memory", "cc");
	return v;
}

static void check_reflection(void)
{
	uint64_t e0, rip;
	static uint32_t buf[4];

	set_dr6(DR6_INIT);
	set_dr0((uint64_t)&watch);
	set_dr7(DR7_L0 | DR7_RW0_WRITE | DR7_LEN0_8);
	e0 = exc_exits();
	watch = 1;
	set_dr7(0);
	ok(db_hits == 1, "data breakpoint: one #DB (hits %u)", db_hits);
	dr6_check(DR6_B0, "data breakpoint");
	ok(exc_exits() > e0, "the #DB exited to the hypervisor (%lu)",
	   exc_exits() - e0);

	db_hits = 0;
	this_cpu()->fault = 0;
	asm volatile("lea 2f(%%rip), %0\n"
		     "1: .byte 0xf1\n" /* ICEBP / INT1 */
		     "2:\n" EXTABLE(1b, 2b)
		     : "=r"(rip));
	if (this_cpu()->fault == FAULT(X86_UD))
		skip("ICEBP raises #UD on this CPU (QEMU TCG)");
	else
		ok(db_hits == 1 && db_rip == rip,
		   "ICEBP: #DB after it (%u, %lx/%lx)", db_hits, db_rip, rip);

	db_hits = 0;
	asm volatile("pushf\n"
		     "orq %1, (%%rsp)\n"
		     "popf\n"
		     "nop\n"
		     "lea 0(%%rip), %0\n"
		     : "=r"(rip)
		     : "i"(RFLAGS_TF)
		     : "cc");
	ok(db_hits >= 1, "single step: #DB (hits %u)", db_hits);
	dr6_check(DR6_BS, "single step");

	db_hits = 0;
	asm volatile("lea 1f(%%rip), %0\n"
		     "mov %0, %%dr0\n"
		     "mov %1, %%dr7\n"
		     "1: nop\n"
		     : "=&r"(rip)
		     : "r"(DR7_L0 | DR7_FIXED));
	set_dr7(0);
	ok(db_hits == 1 && db_rip == rip,
	   "instruction breakpoint: one #DB at it (%u, %lx/%lx)", db_hits,
	   db_rip, rip);
	dr6_check(DR6_B0, "instruction breakpoint");

	user_pages_init();
	e0 = exc_exits();
	write_cr0_safe(read_cr0() | CR0_AM);
	user_call(user_misaligned, (uint64_t)buf + 1);
	write_cr0_safe(read_cr0() & ~CR0_AM);
	if (!ac_hits && exc_exits() == e0) {
		skip("no alignment check on this CPU (QEMU TCG has no #AC)");
		return;
	}
	ok(ac_hits == 1 && ac_err == 0, "#AC(0) at CPL 3 (hits %u, err %lx)",
	   ac_hits, ac_err);
	ok(exc_exits() > e0, "the #AC exited to the hypervisor (%lu)",
	   exc_exits() - e0);
}

static void storm_fn(unsigned int cpu)
{
	uint64_t top = (uint64_t)ist_ap + IST_SIZE;

	cpu_tss_init(top);
	/* Delivering #DB on IST 1 pushes SS at top - 8 (16-byte aligned,
	 * SDM Vol. 3A, 6.14.4 and 6.14.5): watch that write. */
	set_dr6(DR6_INIT);
	set_dr0(top - 8);
	set_dr7(DR7_L0 | DR7_RW0_WRITE | DR7_LEN0_8);
	atomic_set(&storm_armed, true);
	*(volatile uint64_t *)(top - 8) = 0; /* the first #DB */
	for (;;)
		cpu_relax();
}

void test_main(void)
{
	uint64_t t0;

	set_handler(X86_DB, db_handler);
	set_handler(X86_AC, ac_handler);
	cpu_tss_init((uint64_t)ist_bsp + IST_SIZE);
	check_reflection();

	idt_set_gate(X86_DB, 0, 1);
	if (!ok(smp_start_ap(AP_ID, 1, storm_fn, NULL), "vCPU 1 started"))
		return;
	t0 = rdtsc();
	while (!atomic_read(&storm_armed) && rdtsc() - t0 < STORM_WAIT)
		cpu_relax();
	tsc_delay(STORM_WAIT);
	if (atomic_read(&ap_db_hits))
		skip("no #DB storm here: the handler ran %u times (breakpoints "
		     "not re-checked during delivery)",
		     atomic_read(&ap_db_hits));
	else
		printf("hostile-dbstorm: vCPU 1 is in the #DB storm; stopping the VM\n");
	ok(atomic_read(&storm_armed), "storm armed on vCPU 1");
}
