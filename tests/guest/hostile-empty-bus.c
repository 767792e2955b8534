// SPDX-License-Identifier: MIT
//! vcpus: 2
//! hvargs: mem=64M
//! expect: RESULT: PASS
//! expect: x2hv: vm0: [1-9][0-9]* writes to unbacked guest-physical space dropped
/*
 * The empty bus's single-step (empty-bus.c) against a guest that uses the
 * same machinery: its own single-step (RFLAGS.TF: the #DB after a store
 * to unbacked space arrives exactly once, at the next instruction, with
 * DR6.BS, as on hardware; SDM Vol. 3A, 17.3.1.4), a periodic timer
 * interrupting the dropped stores, a REP STOSQ over 16 unbacked pages
 * (a step per iteration), and a second vCPU storing to the same page at
 * the same time. None of it may stop the VM, hang a vCPU or let
 * a store be read back.
 */
#include "tests/guest/lib/guest.h"

#define UNBACKED 0xfec00000ull /* IOAPIC index register */
#define RFLAGS_TF (1ull << 8)
#define DR6_BS (1ull << 14)
#define MAX_DB 8
#define TIMER_VEC 0x41
#define TIMER_COUNT 20000
#define STORES 2000
/* Stores of each vCPU to one shared unbacked page: enough rounds that
 * one vCPU's step ending (the read-only mapping back) lands inside the
 * other's step many times. */
#define SHARED_STORES 5000
#define MIN_TICKS 3
#define MAX_STORES 10000000u
#define AP_CPU 1
#define REP_FLOOD_AT 0xc0100000ull /* unbacked with mem=64M */
#define REP_FLOOD_BYTES (64u << 10)

static volatile uint64_t db_rip[MAX_DB], db_dr6[MAX_DB];
static volatile unsigned int db_count, timer_ticks, ap_stores;
static volatile bool ap_stop, ap_done;
static bool bare;

static uint64_t read_dr6(void)
{
	uint64_t v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static void db_handler(struct regs *r)
{
	unsigned int n = db_count++;

	if (n < MAX_DB) {
		db_rip[n] = r->rip;
		db_dr6[n] = read_dr6();
	}
	/* DR6 is sticky (SDM 17.2.3): clear it for the next #DB. */
	asm volatile("mov %0, %%dr6" ::"r"(0xffff0ff0ull));
}

extern char after_store[], after_nop[];

static void test_guest_tf(void)
{
	set_handler(X86_DB, db_handler);
	asm volatile("mov %0, %%dr6" ::"r"(0xffff0ff0ull));
	asm volatile("pushfq\n"
		     "orq %1, (%%rsp)\n"
		     "popfq\n"
		     "movl $0x5a5a5a5a, (%0)\n"
		     ".globl after_store\nafter_store:\n"
		     "nop\n"
		     ".globl after_nop\nafter_nop:\n"
		     "pushfq\n"
		     "andq %2, (%%rsp)\n"
		     "popfq\n"
		     :
		     : "r"(UNBACKED), "i"(RFLAGS_TF), "i"(~RFLAGS_TF)
		     : "memory", "cc");
	set_handler(X86_DB, NULL);
	ok(db_count >= 2, "guest single-step: %u #DBs", db_count);
	ok(db_rip[0] == (uint64_t)after_store,
	   "first #DB right after the unbacked store (%lx, want %lx)",
	   db_rip[0], (uint64_t)after_store);
	ok(db_rip[1] == (uint64_t)after_nop,
	   "second #DB after the next instruction (%lx, want %lx)", db_rip[1],
	   (uint64_t)after_nop);
	ok(db_dr6[0] & DR6_BS, "DR6.BS set on the store's #DB (%lx)",
	   db_dr6[0]);
	if (!bare)
		ok(*(volatile uint32_t *)UNBACKED == 0xffffffffu,
		   "the single-stepped store was dropped");
}

static void timer_handler(struct regs *r)
{
	timer_ticks++;
	apic_eoi();
}

/* Dropped stores with a periodic timer interrupting them. */
static void test_interrupts(void)
{
	unsigned int bad = 0, i;

	set_handler(TIMER_VEC, timer_handler);
	apic_write(X2APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | TIMER_VEC);
	apic_write(X2APIC_TMICT, TIMER_COUNT);
	sti();
	/* At least STORES stores and a few ticks among them (bounded). */
	for (i = 0; (i < STORES || timer_ticks < MIN_TICKS) && i < MAX_STORES;
	     i++) {
		*(volatile uint32_t *)(UNBACKED + (i % 64) * 4) = i;
		if (*(volatile uint32_t *)(UNBACKED + (i % 64) * 4) !=
		    0xffffffffu)
			bad++;
	}
	cli();
	apic_write(X2APIC_TMICT, 0);
	ok(timer_ticks > 0, "timer interrupts taken during the stores (%u)",
	   timer_ticks);
	if (!bare)
		ok(bad == 0, "%u stores, %u read back", i, bad);
}

/* One REP STOSQ over 16 unbacked pages: every iteration is a dropped
 * store (a step per iteration), and the instruction must still finish
 * with RCX and RDI as on hardware, nothing read back. */
static void test_rep_flood(void)
{
	uint64_t dst = REP_FLOOD_AT, cnt = REP_FLOOD_BYTES / 8, bad = 0;

	asm volatile("cld\n"
		     "rep stosq"
		     : "+D"(dst), "+c"(cnt)
		     : "a"(0x5a5a5a5a5a5a5a5aull)
		     : "memory");
	ok(cnt == 0 && dst == REP_FLOOD_AT + REP_FLOOD_BYTES,
	   "rep stosq of %u KiB over unbacked space: rcx %lu rdi %lx",
	   REP_FLOOD_BYTES >> 10, cnt, dst);
	for (uint64_t a = REP_FLOOD_AT; a < dst; a += 0x7f8)
		bad += *(volatile uint64_t *)a != ~0ull;
	if (!bare)
		ok(bad == 0, "rep stosq: nothing read back (%lu)", bad);
}

/* vCPU 1 stores to the same page until told to stop. */
static void ap_fn(unsigned int cpu)
{
	volatile uint32_t *p = (volatile uint32_t *)(UNBACKED + 0x800);

	while (!atomic_read(&ap_stop)) {
		*p = 0x5a5a5a5a;
		atomic_inc(&ap_stores);
	}
	atomic_set(&ap_done, true);
}

static void test_two_vcpus(void)
{
	unsigned int mine = 0;

	if (!smp_start_ap(AP_CPU, AP_CPU, ap_fn, NULL)) {
		fail("vCPU 1 did not start");
		return;
	}
	while (atomic_read(&ap_stores) < SHARED_STORES ||
	       mine < SHARED_STORES) {
		*(volatile uint32_t *)(UNBACKED + 0x400) = mine++;
		cpu_relax();
	}
	atomic_set(&ap_stop, true);
	/* While one vCPU's store is stepped, the other can see it
	 * (vmm/empty_bus.h): look once both are done. */
	while (!atomic_read(&ap_done))
		cpu_relax();
	ok(true, "both vCPUs stored to one unbacked page (%u, %u)", mine,
	   atomic_read(&ap_stores));
	if (!bare)
		ok(*(volatile uint32_t *)(UNBACKED + 0x400) == 0xffffffffu &&
			   *(volatile uint32_t *)(UNBACKED + 0x800) ==
				   0xffffffffu,
		   "nothing of either read back");
}

void test_main(void)
{
	bare = !x2hv_present();
	test_guest_tf();
	test_rep_flood();
	require_x2apic();
	test_interrupts();
	test_two_vcpus();
}
