// SPDX-License-Identifier: MIT
/*
 * RDMSR/WRMSR exits, applying the table of vmm/msr_policy.c: constants
 * and ignored writes from the table, the rest emulated here (TSC and
 * TSC_ADJUST, EFER, PAT, MTRRs, PLATFORM_INFO, DEBUGCTL) or by the vlapic
 * and kvmclock. An MSR the table lacks raises #GP. Passed-through MSRs
 * never get here (vmm/msr_bitmap.c).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/time.h"
#include "vmm/kvmclock.h"
#include "vmm/msr_policy.h"
#include "vmm/mtrr.h"
#include "vmm/vm.h"

#define DEBUGCTL_LBR (1ull << 0)
#define DEBUGCTL_BTF (1ull << 1)
#define PLATFORM_INFO_RATIO_SHIFT 8 /* maximum non-turbo ratio, 15:8 */
#define BUS_KHZ 100000 /* the ratio's unit, 100 MHz */
#define PHYS_BITS_DEFAULT 36

static bool pat_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (pat >> (8 * i)) & 0xff;

		/* Types 2, 3 and >= 8 are reserved (SDM vol. 3A 13.12.2). */
		if (t == 2 || t == 3 || t >= 8)
			return false;
	}
	return true;
}

/* The guest's vendor (the host's) and MAXPHYADDR, the same on every CPU. */
static bool guest_amd(void)
{
	static int amd = -1;

	if (amd < 0) {
		uint32_t ebx = cpuid(0, 0).ebx;

		amd = ebx == CPUID_VENDOR_AMD_EBX ||
		      ebx == CPUID_VENDOR_HYGON_EBX;
	}
	return amd;
}

static unsigned int guest_phys_bits(void)
{
	static unsigned int bits;

	if (!bits)
		bits = cpuid(CPUID_LEAF_EXT_MAX, 0).eax >= 0x80000008 ?
			       cpuid(0x80000008, 0).eax & 0xff :
			       PHYS_BITS_DEFAULT;
	return bits;
}

uint64_t vcpu_guest_tsc(struct vcpu *v)
{
	return rdtsc() + (uint64_t)v->tsc_offset;
}

static uint64_t deadline_to_guest(struct vcpu *v, uint64_t host)
{
	uint64_t guest = host + (uint64_t)v->tsc_offset;

	if (!host)
		return 0;
	if (v->tsc_offset > 0 && guest < host)
		return UINT64_MAX;
	return guest;
}

/* Move this vCPU's TSC by @delta (SDM vol. 3B 18.17.3: a TSC write and a
 * TSC_ADJUST write both change the TSC and TSC_ADJUST by the same). An
 * armed TSC deadline stays where it was in the guest's TSC. The offset
 * wraps modulo 2^64 as the CPU's addition does (any 64-bit value may be
 * written), so the sum is taken unsigned. */
static void tsc_move(struct vcpu *v, uint64_t delta)
{
	uint64_t host_dl = 0, guest_dl;

	vlapic_rdmsr(v->vlapic, MSR_IA32_TSC_DEADLINE, &host_dl);
	guest_dl = deadline_to_guest(v, host_dl);
	v->tsc_offset = (int64_t)((uint64_t)v->tsc_offset + delta);
	v->tsc_adjust += delta;
	virt.set_reg(v, VREG_TSC_OFFSET, (uint64_t)v->tsc_offset);
	if (guest_dl)
		vlapic_wrmsr(v->vlapic, MSR_IA32_TSC_DEADLINE,
			     vcpu_deadline_to_host(v, guest_dl));
	kvmclock_tsc_changed(v);
}

static int emu_read(struct vcpu *v, enum msr_emu emu, uint32_t msr,
		    uint64_t *val)
{
	switch (emu) {
	case EMU_TSC:
		*val = vcpu_guest_tsc(v);
		return 0;
	case EMU_TSC_ADJUST:
		*val = v->tsc_adjust;
		return 0;
	case EMU_EFER:
		*val = virt.get_reg(v, VREG_EFER);
		return 0;
	case EMU_PAT:
		*val = virt.get_reg(v, VREG_PAT);
		return 0;
	case EMU_MTRR:
		return mtrr_rdmsr(&v->mtrr, msr, val);
	case EMU_PLATFORM_INFO: {
		uint64_t ratio = (tsc_khz + BUS_KHZ / 2) / BUS_KHZ;

		*val = (ratio > 0xff ? 0xff : ratio)
		       << PLATFORM_INFO_RATIO_SHIFT;
		return 0;
	}
	case EMU_DEBUGCTL:
		*val = 0;
		return 0;
	case EMU_VLAPIC:
		if (vlapic_rdmsr(v->vlapic, msr, val))
			return -1;
		if (msr == MSR_IA32_TSC_DEADLINE)
			*val = deadline_to_guest(v, *val);
		return 0;
	case EMU_KVMCLOCK:
		return kvmclock_rdmsr(v, msr, val) ? -1 : 0;
	default:
		return -1;
	}
}

static int emu_write(struct vcpu *v, enum msr_emu emu, uint32_t msr,
		     uint64_t val)
{
	switch (emu) {
	case EMU_TSC:
		tsc_move(v, val - vcpu_guest_tsc(v));
		return 0;
	case EMU_TSC_ADJUST:
		tsc_move(v, val - v->tsc_adjust);
		return 0;
	case EMU_EFER: {
		struct cr_state s;
		uint64_t efer;

		/* Reserved and CPUID-hidden bits, LME with paging on: #GP
		 * (vmm/cr_policy.c). */
		vcpu_cr_state(v, &s);
		if (efer_write_check(vcpu_cr_policy(v), &s, val, &efer))
			return -1;
		virt.set_reg(v, VREG_EFER, efer);
		return 0;
	}
	case EMU_PAT:
		if (!pat_valid(val))
			return -1;
		virt.set_reg(v, VREG_PAT, val);
		return 0;
	case EMU_MTRR:
		return mtrr_wrmsr(&v->mtrr, msr, val, guest_phys_bits());
	case EMU_DEBUGCTL:
		/* No LBR or branch single-step: dropped as KVM does where
		 * it cannot offer them; anything else is reserved here. */
		return val & ~(DEBUGCTL_LBR | DEBUGCTL_BTF) ? -1 : 0;
	case EMU_VLAPIC:
		if (msr == MSR_IA32_TSC_DEADLINE)
			val = vcpu_deadline_to_host(v, val);
		return vlapic_wrmsr(v->vlapic, msr, val);
	case EMU_KVMCLOCK:
		return kvmclock_wrmsr(v, msr, val) ? -1 : 0;
	default:
		return -1; /* read-only */
	}
}

static int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	const struct msr_rule *r = msr_rule_find(msr, guest_amd());

	if (!r)
		return -1;
	if (r->how == MSR_EMULATED)
		return emu_read(v, r->emu, msr, val);
	*val = r->value;
	return 0;
}

static int msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	const struct msr_rule *r = msr_rule_find(msr, guest_amd());

	if (!r)
		return -1;
	switch (r->how) {
	case MSR_EMULATED:
		return emu_write(v, r->emu, msr, val);
	case MSR_RAZ_WI:
		return 0;
	case MSR_W_SAME:
		return val == r->value ? 0 : -1;
	default:
		return -1;
	}
}

enum exit_action handle_rdmsr(struct vcpu *v)
{
	uint64_t val = 0;

	if (msr_read(v, (uint32_t)v->regs.rcx, &val)) {
		vcpu_event(v, GEV_MSR);
		return ACT_INJECT_GP;
	}
	v->regs.rax = (uint32_t)val;
	v->regs.rdx = val >> 32;
	return ACT_SKIP;
}

enum exit_action handle_wrmsr(struct vcpu *v)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;

	if (msr_write(v, (uint32_t)v->regs.rcx, val)) {
		vcpu_event(v, GEV_MSR);
		return ACT_INJECT_GP;
	}
	return ACT_SKIP;
}

void vcpu_msrs_reset(struct vcpu *v, bool on_its_cpu)
{
	v->tsc_offset = 0;
	v->tsc_adjust = 0;
	if (on_its_cpu)
		virt.set_reg(v, VREG_TSC_OFFSET, 0);
	mtrr_reset(&v->mtrr);
}
