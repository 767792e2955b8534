/* SPDX-License-Identifier: MIT */
/*
 * The KVM paravirtual clock, the one source of the exact TSC frequency
 * that Debian's 6.1 kernel reads on both vendors. x2hv answers the KVM
 * CPUID signature at 0x40000100 (Linux scans 0x40000000-0x4000ff00 in
 * 0x100 steps for it) with only CLOCKSOURCE2, NOP_IO_DELAY and the stable
 * bit: no other KVM paravirtual feature is offered. Layouts follow
 * Linux's Documentation/virt/kvm/x86/msr.rst (pvclock_vcpu_time_info and
 * pvclock_wall_clock).
 */
#ifndef X2HV_CORE_KVMCLOCK_H
#define X2HV_CORE_KVMCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define KVM_CPUID_BASE 0x40000100u
#define KVM_CPUID_FEATURES 0x40000101u
#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u

struct vcpu;

struct pvclock_vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
};

struct pvclock_wall_clock {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
};

_Static_assert(sizeof(struct pvclock_vcpu_time_info) == 32, "pvclock layout");
_Static_assert(sizeof(struct pvclock_wall_clock) == 12, "pvclock layout");

/* mul/shift such that ns = ((delta << shift or >> -shift) * mul) >> 32. */
void pvclock_scale_for(uint64_t tsc_khz, uint32_t *mul, int8_t *shift);
uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift);

/* CPUID 0x40000100-0x400001ff; false if @leaf is not one of them. */
bool kvmclock_cpuid(uint32_t leaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx,
		    uint32_t *edx);
/* The vCPU's TSC moved: the time info the guest registered follows. */
void kvmclock_tsc_changed(struct vcpu *v);
/* MSR accesses; -1 means #GP, 1 means not a kvmclock MSR. */
int kvmclock_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
int kvmclock_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
