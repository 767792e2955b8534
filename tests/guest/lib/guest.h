/* SPDX-License-Identifier: MIT */
/*
 * The guest test runtime: a tiny freestanding PVH kernel library in the
 * style of XTF and kvm-unit-tests. See docs/guest-tests.md.
 *
 * A test defines `void test_main(void)`. When it returns, the runtime
 * reports "RESULT: PASS" (no failed check) or "RESULT: FAIL" and ends the
 * VM with the X2HV_HC_TEST_EXIT hypercall (or, with no x2hv underneath,
 * QEMU's isa-debug-exit port).
 *
 * Global mutable state of the runtime: the interrupt handler table, the TAP
 * counters, the console lock and the per-vCPU areas (struct percpu, one per
 * vCPU at the bottom of its stack). All of it is documented in runtime.c.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "include/abi.h"

#define GUEST_MAX_CPUS 8
#define GUEST_STACK_SIZE 0x4000 /* per vCPU, aligned to its size */

/* X2HV_HC_EXIT_COUNT with this reason counts every exit. */
#ifndef X2HV_EXIT_ANY
#define X2HV_EXIT_ANY 0xffffffffu
#endif

/* Exception vectors (Intel SDM Vol. 3A, 6.15). */
#define X86_DE 0
#define X86_DB 1
#define X86_BP 3
#define X86_UD 6
#define X86_DF 8
#define X86_GP 13
#define X86_PF 14

/* Result of the *_safe helpers: 0, or FAULT(vector). */
#define FAULT_VALID 0x100
#define FAULT(vec) (FAULT_VALID | (vec))
#define FAULT_GP FAULT(X86_GP)

/* Interrupt frame as built by entry.S: GPRs, vector, error code, iret frame. */
struct regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*irq_handler_t)(struct regs *regs);

/* One per vCPU, at the lowest address of that vCPU's stack. */
struct percpu {
	uint32_t cpu; /* runtime index: 0 = BSP */
	uint32_t apic_id;
	/* Exception capture (set by trap_dispatch, read by the *_safe helpers). */
	volatile uint32_t fault; /* 0 or FAULT(vector) */
	volatile uint64_t fault_error, fault_rip, fault_cr2;
	volatile uint64_t expect_resume; /* !=0: resume here on any exception */
	volatile bool online;
};

/* Exception fixup table entry: a fault at @fault resumes at @fixup. */
struct extable_entry {
	uint64_t fault, fixup;
};

#define EXTABLE(fault, fixup)                                                  \
	".pushsection .ex_table, \"a\"\n.balign 8\n.quad " #fault ", " #fixup  \
	"\n.popsection\n"

/* ------------------------------------------------------------ console/TAP */
void serial_init(void);
void serial_flush(void);
void putchar_serial(char c);
void puts_serial(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void plan(unsigned int n);
bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned int tap_failures(void);
void __attribute__((noreturn)) test_done(void);
void __attribute__((noreturn)) test_exit(unsigned int status);

void test_main(void);

/* Leave long mode for real mode and jump to @cs:@ip (lib/realmode.S);
 * uses the memory at REALMODE_BLOB. */
#define REALMODE_BLOB 0x6000
void __attribute__((noreturn)) realmode_jump(uint16_t cs, uint16_t ip);

/* ------------------------------------------------------------ CPU helpers */
static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a,
			       uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	cpuid_count(leaf, 0, a, b, c, d);
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32))
		     : "memory");
}

static inline struct percpu *this_cpu(void)
{
	uint64_t rsp;

	asm volatile("mov %%rsp, %0" : "=r"(rsp));
	return (struct percpu *)(rsp & ~(uint64_t)(GUEST_STACK_SIZE - 1));
}

/* rdmsr/wrmsr that return 0 or FAULT(vector) instead of crashing. */
static inline int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	struct percpu *pc = this_cpu();
	uint32_t lo = 0, hi = 0;

	pc->fault = 0;
	asm volatile("1: rdmsr\n2:\n" EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi)
		     : "c"(msr)
		     : "memory");
	*val = (uint64_t)hi << 32 | lo;
	return pc->fault;
}

static inline int wrmsr_safe(uint32_t msr, uint64_t val)
{
	struct percpu *pc = this_cpu();

	pc->fault = 0;
	asm volatile("1: wrmsr\n2:\n" EXTABLE(1b, 2b)::"c"(msr),
		     "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
	return pc->fault;
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void sti(void)
{
	asm volatile("sti" ::: "memory");
}
static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}
static inline void hlt(void)
{
	asm volatile("hlt" ::: "memory");
}
/* STI's interrupt shadow covers HLT: no wakeup is lost in between. */
static inline void safe_halt(void)
{
	asm volatile("sti; hlt" ::: "memory");
}
static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}
static inline uint64_t read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* Busy-wait for @ticks TSC ticks (no calibrated time base here). */
void tsc_delay(uint64_t ticks);

/* ------------------------------------------------------------ hypervisor */
bool x2hv_present(void); /* CPUID 0x40000000 says "x2hvx2hvx2hv" */
bool cpu_is_amd(void);
uint64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);
/* All exits of this vCPU so far, or ~0 without x2hv. */
uint64_t exit_count(uint32_t reason);
/* Another vCPU's count (X2HV_HC_VCPU_EXIT_COUNT), read while it runs. */
uint64_t vcpu_exit_count(unsigned int vcpu, uint32_t reason);

/* ------------------------------------------------------------ x2APIC */
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_ADDR 0xfee00000ull
#define MSR_ARCH_CAPABILITIES 0x10a
#define ARCH_CAP_XAPIC_DISABLE (1ull << 21)
#define MSR_XAPIC_DISABLE_STATUS 0xbd
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_EFER 0xc0000080

#define X2APIC_ID 0x802
#define X2APIC_VERSION 0x803
#define X2APIC_TPR 0x808
#define X2APIC_PPR 0x80a
#define X2APIC_EOI 0x80b
#define X2APIC_LDR 0x80d
#define X2APIC_SVR 0x80f
#define X2APIC_ISR0 0x810 /* ISR 0x810-0x817, TMR 0x818-, IRR 0x820- */
#define X2APIC_TMR0 0x818
#define X2APIC_IRR0 0x820
#define X2APIC_ESR 0x828
#define X2APIC_LVT_CMCI 0x82f
#define X2APIC_ICR 0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_LVT_THERMAL 0x833
#define X2APIC_LVT_PMI 0x834
#define X2APIC_LVT_LINT0 0x835
#define X2APIC_LVT_LINT1 0x836
#define X2APIC_LVT_ERROR 0x837
#define X2APIC_TMICT 0x838
#define X2APIC_TMCCT 0x839
#define X2APIC_TDCR 0x83e
#define X2APIC_SELF_IPI 0x83f

#define APIC_SVR_ENABLE (1u << 8)
#define APIC_SPURIOUS_VECTOR 0xff
#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_TIMER_ONESHOT (0u << 17)
#define APIC_LVT_TIMER_PERIODIC (1u << 17)
#define APIC_LVT_TIMER_TSCDEADLINE (2u << 17)
#define APIC_TDCR_DIV1 0xb

/* ICR fields (Intel SDM Vol. 3A, 11.6.1 and 11.12.9). */
#define APIC_DM_FIXED (0u << 8)
#define APIC_DM_NMI (4u << 8)
#define APIC_DM_INIT (5u << 8)
#define APIC_DM_STARTUP (6u << 8)
#define APIC_DEST_LOGICAL (1u << 11)
#define APIC_LEVEL_ASSERT (1u << 14)
#define APIC_DEST_SELF (1u << 18)
#define APIC_DEST_ALL (2u << 18)
#define APIC_DEST_ALLBUT (3u << 18)

/* ESR bits (Intel SDM Vol. 3A, 11.5.3). */
#define APIC_ESR_SEND_ILLEGAL (1u << 5)
#define APIC_ESR_RECV_ILLEGAL (1u << 6)
#define APIC_ESR_ILLEGAL_REG (1u << 7)

static inline uint32_t apic_read(uint32_t msr)
{
	return (uint32_t)rdmsr(msr);
}
static inline void apic_write(uint32_t msr, uint64_t v)
{
	wrmsr(msr, v);
}
static inline void apic_eoi(void)
{
	wrmsr(X2APIC_EOI, 0);
}
static inline uint32_t apic_id(void)
{
	return (uint32_t)rdmsr(X2APIC_ID);
}
static inline void apic_icr(uint32_t dest, uint32_t low)
{
	wrmsr(X2APIC_ICR, (uint64_t)dest << 32 | low);
}
static inline void apic_self_ipi(uint8_t vec)
{
	wrmsr(X2APIC_SELF_IPI, vec);
}
/* Is @vec set in the 256-bit register starting at MSR @base (ISR/IRR/TMR)? */
bool apic_vec_set(uint32_t base, uint8_t vec);

/*
 * Returns if the x2APIC is usable. Otherwise ends the test: FAIL under
 * x2hv (which always offers it), SKIP + PASS on a bare emulator without one.
 */
void require_x2apic(void);

/* Values of the x2APIC MSRs seen when the runtime first ran on the BSP. */
extern uint64_t boot_apic_base, boot_svr;
extern bool boot_x2apic_was_enabled;

/* ------------------------------------------------------------ interrupts */
void set_handler(uint8_t vec, irq_handler_t fn);
/* Gate @vec: descriptor privilege level @dpl (3: INT n from ring 3) and
 * interrupt stack table slot @ist (0: none). The IDT is shared. */
void idt_set_gate(uint8_t vec, unsigned int dpl, unsigned int ist);

/* ------------------------------------------------------------ ring 3 (ring3.c) */
#define USER_DS 0x23 /* GDT index 4, RPL 3 */
#define USER_CS 0x2b /* GDT index 5, RPL 3, 64-bit */
#define VEC_USER_RETURN 0x81 /* INT 0x81 from ring 3 ends user_call() */

/*
 * Give this CPU its own TSS (and the GDT with ring-3 segments, built by
 * the first caller); @ist1 is the top of a stack for IST slot 1, or 0.
 * Each CPU that runs ring-3 code or uses an IST gate calls it once.
 */
void cpu_tss_init(uint64_t ist1);
/* Mark the identity map user-accessible (U/S in every level); BSP, once. */
void user_pages_init(void);
/*
 * Run fn(arg) at CPL 3 on a private stack and return its result. The
 * user function may not print or touch this_cpu(). An exception in it
 * with an EXTABLE entry resumes at the fixup (still at CPL 3).
 */
uint64_t user_call(uint64_t (*fn)(uint64_t), uint64_t arg);
/* Current privilege level (CS.RPL). */
static inline unsigned int read_cpl(void)
{
	uint16_t cs;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

/* ------------------------------------------------------------ 4 KiB test page */
/*
 * A 4 KiB code page mapped at linear TEST_PAGE_VA with the next page not
 * present: an instruction copied to the end of it and run with
 * exec_at_page_end() resumes after it by a #PF on the fetch at
 * TEST_PAGE_VA + 4096, so fault_rip shows where the CPU resumed.
 */
#define TEST_PAGE_VA 0x40000000ull
#define TEST_PAGE_SIZE 4096ull
struct insn_regs {
	uint64_t rax, rcx, rdx, rdi, rsi;
};
void test_page_init(void);
/* Copy @len bytes to the end of the page, run them with @r loaded (and
 * IF set if @sti); returns the RIP of the #PF that ended it (0: none) and
 * the registers after the instruction in @r. */
uint64_t exec_at_page_end(const uint8_t *insn, unsigned int len,
			  struct insn_regs *r, bool sti);

/* Control registers and XCR0 with fault capture: 0 or FAULT(vector). */
int write_cr0_safe(uint64_t v);
int write_cr4_safe(uint64_t v);
int write_cr8_safe(uint64_t v);
int xsetbv_safe(uint32_t xcr, uint64_t v);
static inline uint64_t read_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr8(void)
{
	uint64_t v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}
static inline uint64_t xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return (uint64_t)hi << 32 | lo;
}

/* ------------------------------------------------------------ SMP */
typedef struct {
	volatile uint32_t locked;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
}
static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
#define atomic_inc(p) __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define atomic_read(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define atomic_set(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

/* What the AP trampoline observed before leaving real mode. */
struct ap_boot_info {
	uint32_t real_cr0; /* CR0 as first seen by the AP (PE must be 0) */
	uint16_t real_cs; /* CS at the trampoline (SIPI vector << 8) */
};

typedef void (*ap_entry_t)(unsigned int cpu);

/* Physical address and SIPI vector of the real-mode trampoline. */
#define AP_TRAMPOLINE 0x8000u
#define AP_SIPI_VECTOR (AP_TRAMPOLINE >> 12)

/*
 * Start the vCPU with x2APIC ID @apic_id as runtime CPU @cpu (1..MAX-1) by
 * INIT + SIPI; it runs @fn(cpu) with interrupts disabled on its own stack
 * and halts forever if @fn returns. Returns true once the AP reports in.
 */
bool smp_start_ap(uint32_t apic_id, unsigned int cpu, ap_entry_t fn,
		  struct ap_boot_info *info);
/* Send INIT-SIPI-SIPI to @apic_id without waiting (hostile tests). */
void smp_send_init_sipi(uint32_t apic_id, uint8_t vector);
struct percpu *percpu_of(unsigned int cpu);

/*
 * Start vCPU 1 (x2APIC ID 1) counting a heartbeat with IF=1; handlers for
 * any vector sent to it must be set. heartbeat_alive() waits until the
 * count moves (bounded) and says whether it did.
 */
bool heartbeat_start(void);
bool heartbeat_alive(void);

#endif
