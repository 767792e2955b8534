// SPDX-License-Identifier: MIT
/*
 * MSR policy for intercepted MSRs: the vlapic's, a few emulated ones, and
 * #GP for everything else. Passed-through MSRs never get here (see
 * vmm/msr_bitmap.c).
 */
#include "arch/x86/cpu.h"
#include "vmm/kvmclock.h"
#include "vmm/vm.h"

#define FEATURE_CONTROL_LOCKED 1ull
/* IA32_ARCH_CAPABILITIES bit 21: XAPIC_DISABLE_STATUS MSR exists. */
#define ARCH_CAP_XAPIC_DISABLE (1ull << 21)
/* IA32_XAPIC_DISABLE_STATUS bit 0: LEGACY_XAPIC_DISABLED. */
#define XAPIC_DISABLED 1ull
/* Fast strings; BTS and PEBS unavailable (SDM vol. 4 table 2-2). */
#define MISC_ENABLE_VALUE ((1ull << 0) | (1ull << 11) | (1ull << 12))
#define VM_CR_SVMDIS_ (1ull << 4)

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

static int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	int rc;

	if (vlapic_handles_msr(msr))
		return vlapic_rdmsr(v->vlapic, msr, val);
	rc = kvmclock_rdmsr(v, msr, val);
	if (rc <= 0)
		return rc;
	switch (msr) {
	case MSR_IA32_XAPIC_DISABLE_STATUS:
		*val = XAPIC_DISABLED;
		return 0;
	case MSR_IA32_ARCH_CAPABILITIES:
		*val = ARCH_CAP_XAPIC_DISABLE;
		return 0;
	case MSR_EFER:
		*val = virt.get_reg(v, VREG_EFER);
		return 0;
	case MSR_IA32_PAT:
		*val = virt.get_reg(v, VREG_PAT);
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc();
		return 0;
	case MSR_IA32_FEATURE_CONTROL:
		*val = FEATURE_CONTROL_LOCKED; /* locked, VMX off */
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = MISC_ENABLE_VALUE;
		return 0;
	case MSR_AMD_VM_CR:
		*val = VM_CR_SVMDIS_;
		return 0;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_AMD_HWCR:
	case MSR_AMD_NB_CFG:
	case MSR_AMD_OSVW_LEN:
	case MSR_AMD_OSVW_STATUS:
	case MSR_AMD_DE_CFG:
	case MSR_AMD_INT_PENDING:
		*val = 0;
		return 0;
	default:
		return -1;
	}
}

static int msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	int rc;

	if (vlapic_handles_msr(msr))
		return vlapic_wrmsr(v->vlapic, msr, val);
	rc = kvmclock_wrmsr(v, msr, val);
	if (rc <= 0)
		return rc;
	switch (msr) {
	case MSR_EFER: {
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
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return -1;
		virt.set_reg(v, VREG_PAT, val);
		return 0;
	case MSR_IA32_MISC_ENABLE:
		return val == MISC_ENABLE_VALUE ? 0 : -1;
	case MSR_IA32_TSC: /* the guest's TSC is the host's: ignored */
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_AMD_DE_CFG:
		return 0;
	case MSR_IA32_MCG_STATUS:
		return val ? -1 : 0;
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
