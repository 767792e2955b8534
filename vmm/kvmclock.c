// SPDX-License-Identifier: MIT
/* KVM-compatible paravirtual clock (see kvmclock.h). */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/time.h"
#include "vmm/kvmclock.h"
#include "vmm/vm.h"

#define KVM_SIGNATURE_EBX 0x4b4d564b /* "KVMK" */
#define KVM_SIGNATURE_ECX 0x564b4d56 /* "VMKV" */
#define KVM_SIGNATURE_EDX 0x0000004d /* "M\0\0\0" */
#define KVM_FEATURE_NOP_IO_DELAY (1u << 1)
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (1u << 24)
#define PVCLOCK_TSC_STABLE_BIT (1u << 0)
#define SYSTEM_TIME_ENABLE 1ull
#define PVCLOCK_ALIGN 8

bool kvmclock_cpuid(uint32_t leaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx,
		    uint32_t *edx)
{
	if (leaf == KVM_CPUID_BASE) {
		*eax = KVM_CPUID_FEATURES;
		*ebx = KVM_SIGNATURE_EBX;
		*ecx = KVM_SIGNATURE_ECX;
		*edx = KVM_SIGNATURE_EDX;
		return true;
	}
	if (leaf == KVM_CPUID_FEATURES) {
		*eax = KVM_FEATURE_NOP_IO_DELAY | KVM_FEATURE_CLOCKSOURCE2 |
		       KVM_FEATURE_CLOCKSOURCE_STABLE_BIT;
		*ebx = *ecx = *edx = 0;
		return true;
	}
	return false;
}

static void fill_time_info(struct vcpu *v, struct pvclock_vcpu_time_info *ti)
{
	uint32_t mul;
	int8_t shift;
	uint64_t now = rdtsc();

	pvclock_scale_for(tsc_khz, &mul, &shift);
	/* Odd version while updating (the guest retries), even after. */
	ti->version |= 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ti->tsc_timestamp = now + (uint64_t)v->tsc_offset; /* guest TSC */
	ti->system_time = pvclock_scale(now - v->vm->tsc_start, mul, shift);
	ti->tsc_to_system_mul = mul;
	ti->tsc_shift = shift;
	ti->flags = PVCLOCK_TSC_STABLE_BIT;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ti->version++;
}

#define WALL_CLOCK_ALIGN 4

int kvmclock_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (msr == MSR_KVM_SYSTEM_TIME_NEW) {
		*val = v->kvmclock_msr;
		return 0;
	}
	if (msr == MSR_KVM_WALL_CLOCK_NEW) {
		*val = 0;
		return 0;
	}
	return 1;
}

static void fill_if_enabled(struct vcpu *v)
{
	uint64_t gpa = v->kvmclock_msr & ~SYSTEM_TIME_ENABLE;
	struct pvclock_vcpu_time_info *ti;

	if (!(v->kvmclock_msr & SYSTEM_TIME_ENABLE))
		return;
	ti = gpa_to_hva(v->vm, gpa, sizeof(*ti));
	/* A bad address just leaves the clock disabled, as KVM does for
	 * memory it cannot map. */
	if (ti && !(gpa % PVCLOCK_ALIGN))
		fill_time_info(v, ti);
}

void kvmclock_tsc_changed(struct vcpu *v)
{
	fill_if_enabled(v);
}

int kvmclock_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (msr == MSR_KVM_SYSTEM_TIME_NEW) {
		v->kvmclock_msr = val;
		fill_if_enabled(v);
		return 0;
	}
	if (msr == MSR_KVM_WALL_CLOCK_NEW) {
		struct pvclock_wall_clock *wc =
			gpa_to_hva(v->vm, val, sizeof(*wc));

		/* No RTC: the VM's epoch is 1970-01-01 at VM start. The
		 * area is 4-byte aligned (KVM's msr.rst); any other address
		 * is ignored, like a system-time area the host cannot use. */
		if (wc && !(val % WALL_CLOCK_ALIGN)) {
			wc->version = (wc->version | 1) + 1;
			wc->sec = 0;
			wc->nsec = 0;
		}
		return 0;
	}
	return 1;
}
