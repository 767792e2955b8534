// SPDX-License-Identifier: MIT
/*
 * Architectural MSRs a guest expects (issue 12, item 8; docs/msr.md):
 * - a WRMSR to IA32_TIME_STAMP_COUNTER moves this vCPU's TSC (RDTSC and
 *   RDMSR agree), IA32_TSC_ADJUST moves by the same amount and a write to
 *   it moves the TSC (SDM vol. 3B 18.17.3); an armed TSC deadline fires
 *   at its value of the new TSC, not earlier;
 * - MTRRs exist (CPUID.1:EDX[12]) with write-back defaults, and writes
 *   are validated (#GP on reserved types and bits, SDM vol. 3A 13.11);
 * - vendor MSRs Linux touches without a fault handler answer.
 */
#include "tests/guest/lib/guest.h"

#define MSR_TSC 0x10
#define MSR_TSC_ADJUST 0x3b
#define MSR_MTRRCAP 0xfe
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_PHYSMASK0 0x201
#define MSR_MTRR_FIX64K 0x250
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_PLATFORM_INFO 0xce
#define MSR_AMD_SYSCFG 0xc0010010
#define MSR_AMD_NB_CFG 0xc001001f
#define MSR_AMD_HWCR 0xc0010015
#define HWCR_TSC_FREQ_SEL (1ull << 24)
#define CPUID_1_EDX_MTRR (1u << 12)
#define CPUID_7_EBX_TSC_ADJUST (1u << 1)
#define TSC_JUMP (1ull << 40) /* far from anything the host TSC reads */
#define SLACK 2000000000ull /* generous: emulators under load */
#define TIMER_VECTOR 0x40
#define DEADLINE_FAR (1ull << 44)
#define DEADLINE_NEAR 10000000ull /* 0.2 s of Bochs, 4 ms of QEMU */

static volatile unsigned int fired;
static volatile uint64_t fired_tsc;

static void timer_handler(struct regs *r)
{
	fired_tsc = rdtsc();
	fired++;
	apic_eoi();
}

static bool near(uint64_t v, uint64_t want)
{
	return v >= want && v - want < SLACK;
}

static void tsc_write(void)
{
	uint64_t adj0 = 0, t, adj;
	uint32_t a, b, c, d;

	cpuid_count(7, 0, &a, &b, &c, &d);
	ok(b & CPUID_7_EBX_TSC_ADJUST, "CPUID.7:EBX[1] TSC_ADJUST");
	ok(rdmsr_safe(MSR_TSC_ADJUST, &adj0) == 0 && adj0 == 0,
	   "TSC_ADJUST starts at 0 (%llx)", (unsigned long long)adj0);
	t = rdtsc();
	wrmsr(MSR_TSC, TSC_JUMP);
	ok(near(rdtsc(), TSC_JUMP), "RDTSC follows a TSC write (%llx)",
	   (unsigned long long)rdtsc());
	ok(near(rdmsr(MSR_TSC), TSC_JUMP), "RDMSR TSC follows it too");
	adj = rdmsr(MSR_TSC_ADJUST);
	ok(adj - (TSC_JUMP - t) + SLACK < 2 * SLACK,
	   "TSC_ADJUST moved by the same (%llx)", (unsigned long long)adj);
	wrmsr(MSR_TSC_ADJUST, adj - TSC_JUMP);
	t = rdtsc();
	ok(t < TSC_JUMP, "a TSC_ADJUST write moves the TSC back (%llx)",
	   (unsigned long long)t);
	wrmsr(MSR_TSC, 0x1000);
	ok(rdtsc() < 0x1000 + SLACK, "TSC written near zero");
}

/*
 * A deadline armed before TSC writes stays at its value of the vCPU's TSC:
 * far away, it reads back unchanged across a write; moved close, it fires
 * once the new TSC reaches it (the handler notes the TSC), not before.
 */
static void tsc_deadline_after_write(void)
{
	uint64_t dl = DEADLINE_FAR, t0, v;

	set_handler(TIMER_VECTOR, timer_handler);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSCDEADLINE | TIMER_VECTOR);
	wrmsr(MSR_TSC, dl - DEADLINE_FAR / 2);
	wrmsr(MSR_TSC_DEADLINE, dl);
	v = rdmsr(MSR_TSC_DEADLINE);
	ok(v == dl, "TSC_DEADLINE reads back (%llx)", (unsigned long long)v);
	wrmsr(MSR_TSC, dl - DEADLINE_FAR / 4);
	v = rdmsr(MSR_TSC_DEADLINE);
	ok(v == dl, "still there after a TSC write (%llx)",
	   (unsigned long long)v);
	ok(!fired, "not fired");
	wrmsr(MSR_TSC, dl - DEADLINE_NEAR);
	sti();
	t0 = rdtsc();
	while (!fired && rdtsc() - t0 < 100 * DEADLINE_NEAR)
		cpu_relax();
	cli();
	ok(fired == 1, "fired after the TSC was moved close (%u)", fired);
	ok(fired_tsc >= dl, "not before the TSC reached it (%llx after)",
	   (unsigned long long)(fired_tsc - dl));
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
}

static void mtrrs(void)
{
	uint32_t a, b, c, d;
	uint64_t v = 0;

	cpuid(1, &a, &b, &c, &d);
	ok(d & CPUID_1_EDX_MTRR, "CPUID.1:EDX[12] MTRR");
	v = rdmsr(MSR_MTRRCAP);
	ok((v & 0xff) >= 1 && (v & (1u << 8)),
	   "MTRRCAP: variable and fixed ranges (%llx)", (unsigned long long)v);
	v = rdmsr(MSR_MTRR_DEF_TYPE);
	ok(v == 0x806, "DEF_TYPE: enabled, write-back (%llx)",
	   (unsigned long long)v);
	ok(wrmsr_safe(MSR_MTRRCAP, 0) == FAULT_GP, "MTRRCAP is read-only");
	ok(wrmsr_safe(MSR_MTRR_DEF_TYPE, 0x802) == FAULT_GP,
	   "reserved type 2 #GP");
	ok(wrmsr_safe(MSR_MTRR_DEF_TYPE, 0x1806) == FAULT_GP,
	   "reserved bit 12 #GP");
	ok(wrmsr_safe(MSR_MTRR_FIX64K, 0x0606060606060606ull) == 0 &&
		   rdmsr(MSR_MTRR_FIX64K) == 0x0606060606060606ull,
	   "fixed range written and read back");
	ok(wrmsr_safe(MSR_MTRR_FIX64K, 0x0706060606060606ull) == FAULT_GP,
	   "fixed range with type 7 #GP");
	ok(wrmsr_safe(MSR_MTRR_PHYSBASE0, 0x80000000ull) == 0 &&
		   wrmsr_safe(MSR_MTRR_PHYSMASK0, 0xf80000800ull) == 0 &&
		   rdmsr(MSR_MTRR_PHYSMASK0) == 0xf80000800ull,
	   "variable range 0: 2 GiB UC");
	ok(wrmsr_safe(MSR_MTRR_PHYSMASK0, 0x800 | 0x400) == FAULT_GP,
	   "PHYSMASK reserved bit 10 #GP");
	ok(wrmsr_safe(MSR_MTRR_PHYSBASE0, 1ull << 63) == FAULT_GP,
	   "PHYSBASE above MAXPHYADDR #GP");
	ok(wrmsr_safe(MSR_MTRR_DEF_TYPE, 0) == 0 &&
		   rdmsr(MSR_MTRR_DEF_TYPE) == 0,
	   "MTRRs disabled, as Linux does around an update");
	wrmsr(MSR_MTRR_DEF_TYPE, 0x806);
}

/*
 * The TSC frequency x2hv gives the guest, from kvmclock's scale: guest
 * nanoseconds = ((ticks << shift) * mul) >> 32 (shift < 0: right).
 */
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
static struct {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags, pad[2];
} pvclock __attribute__((aligned(64)));

static uint64_t tsc_khz_from_kvmclock(void)
{
	uint64_t ticks_per_ms = 1000000ull << 32;

	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)&pvclock | 1);
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (!pvclock.tsc_to_system_mul)
		return 0;
	ticks_per_ms /= pvclock.tsc_to_system_mul;
	return pvclock.tsc_shift >= 0 ? ticks_per_ms >> pvclock.tsc_shift :
					ticks_per_ms << -pvclock.tsc_shift;
}

static void vendor_msrs(void)
{
	uint64_t v = 0;

	if (cpu_is_amd()) {
		v = 0;
		ok(rdmsr_safe(MSR_AMD_NB_CFG, &v) == 0 &&
			   wrmsr_safe(MSR_AMD_NB_CFG, v | (1ull << 46)) == 0,
		   "NB_CFG: Linux's write is taken");
		ok(rdmsr_safe(MSR_AMD_SYSCFG, &v) == 0, "SYSCFG reads");
		v = 0;
		ok(rdmsr_safe(MSR_AMD_HWCR, &v) == 0 && (v & HWCR_TSC_FREQ_SEL),
		   "HWCR.TscFreqSel: the TSC runs at P0 (%llx)",
		   (unsigned long long)v);
		ok(rdmsr_safe(MSR_PLATFORM_INFO, &v) == FAULT_GP,
		   "no PLATFORM_INFO on AMD");
	} else {
		int r = rdmsr_safe(MSR_PLATFORM_INFO, &v);
		int64_t khz = (int64_t)tsc_khz_from_kvmclock();
		int64_t off = (int64_t)((v >> 8) & 0xff) * 100000 - khz;

		/* The nearest ratio, give or take kvmclock's rounding (at
		 * Bochs' 50 MHz either 0 or 1 is nearest). */
		ok(r == 0 && khz > 0 && off <= 50000 + khz / 1000 &&
			   -off <= 50000 + khz / 1000,
		   "PLATFORM_INFO: the TSC's ratio to the 100 MHz bus (%llx, "
		   "TSC %llu kHz)",
		   (unsigned long long)v, (unsigned long long)khz);
		ok(wrmsr_safe(MSR_PLATFORM_INFO, v) == FAULT_GP,
		   "PLATFORM_INFO is read-only");
		ok(rdmsr_safe(MSR_AMD_NB_CFG, &v) == FAULT_GP,
		   "no NB_CFG on Intel");
	}
}

void test_main(void)
{
	if (!x2hv_present()) {
		skip("x2hv's MSR policy (bare CPUs differ)");
		return;
	}
	require_x2apic();
	tsc_write();
	tsc_deadline_after_write();
	mtrrs();
	vendor_msrs();
}
