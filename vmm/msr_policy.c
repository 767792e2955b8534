// SPDX-License-Identifier: MIT
/*
 * The MSR table (msr_policy.h). Sources: Intel SDM vol. 4 (model-specific
 * registers), AMD APM vol. 2 appendix A and the BKDGs/PPRs of families
 * 0xf-0x19; what Linux 6.1 touches on each (arch/x86/kernel/cpu/amd.c,
 * intel.c, mtrr/, events/) decided the entries.
 */
#include <stddef.h>

#include "include/x86.h"
#include "vmm/msr_policy.h"

/* IA32_ARCH_CAPABILITIES bit 21: XAPIC_DISABLE_STATUS MSR exists. */
#define ARCH_CAP_XAPIC_DISABLE (1ull << 21)
/* IA32_XAPIC_DISABLE_STATUS bit 0: LEGACY_XAPIC_DISABLED. */
#define XAPIC_DISABLED 1ull
/* Fast strings; BTS and PEBS unavailable (SDM vol. 4 table 2-2). */
#define MISC_ENABLE_VALUE ((1ull << 0) | (1ull << 11) | (1ull << 12))
#define FEATURE_CONTROL_LOCKED 1ull
/* HWCR bit 24, TscFreqSel (BKDG for family 0x10 and later; APM vol. 2
 * 17.1): the guest's TSC is invariant, at one constant rate. */
#define HWCR_TSC_FREQ_SEL (1ull << 24)

#define R(a, b, v, h, val, n, w)                                               \
	{                                                                      \
		a, b, v, h, EMU_NONE, val, n, w                                \
	}
#define E(a, b, v, e, n, w)                                                    \
	{                                                                      \
		a, b, v, MSR_EMULATED, e, 0, n, w                              \
	}

const struct msr_rule msr_rules[] = {
	E(0x10, 0x10, MSR_ANY, EMU_TSC, "IA32_TIME_STAMP_COUNTER",
	  "the host's TSC plus this vCPU's offset; a write moves it (TSC offsetting) and IA32_TSC_ADJUST with it"),
	R(0x17, 0x17, MSR_INTEL, MSR_RO, 0, "IA32_PLATFORM_ID",
	  "read by the microcode loader; no platform bits"),
	E(0x1b, 0x1b, MSR_ANY, EMU_VLAPIC, "IA32_APIC_BASE",
	  "x2APIC enabled and locked (docs/vlapic.md)"),
	R(0x3a, 0x3a, MSR_INTEL, MSR_RO, FEATURE_CONTROL_LOCKED,
	  "IA32_FEATURE_CONTROL", "locked with VMX off, as firmware leaves it"),
	E(0x3b, 0x3b, MSR_ANY, EMU_TSC_ADJUST, "IA32_TSC_ADJUST",
	  "SDM vol. 3B 18.17.3: writes move the TSC by the difference"),
	R(0x8b, 0x8b, MSR_ANY, MSR_RAZ_WI, 0, "IA32_BIOS_SIGN_ID / PATCH_LEVEL",
	  "microcode revision 0; Linux writes 0 before reading it"),
	R(0xc1, 0xc2, MSR_INTEL, MSR_RAZ_WI, 0, "IA32_PMC0-1",
	  "no PMU (CPUID 0xa is 0); read as zero, write ignored, as KVM without a vPMU"),
	E(0xce, 0xce, MSR_INTEL, EMU_PLATFORM_INFO, "MSR_PLATFORM_INFO",
	  "read-only: the maximum non-turbo ratio of the TSC frequency (100 MHz bus), no CPUID faulting"),
	E(0xfe, 0xfe, MSR_ANY, EMU_MTRR, "IA32_MTRRCAP",
	  "read-only: 8 variable ranges, fixed ranges, write-combining, no SMRR"),
	R(0x10a, 0x10a, MSR_ANY, MSR_RO, ARCH_CAP_XAPIC_DISABLE,
	  "IA32_ARCH_CAPABILITIES",
	  "bit 21: the x2APIC lock is reported (both vendors)"),
	R(0x179, 0x179, MSR_ANY, MSR_RO, 0, "IA32_MCG_CAP",
	  "no machine-check banks (CPUID hides MCE and MCA)"),
	R(0x17a, 0x17a, MSR_ANY, MSR_W_SAME, 0, "IA32_MCG_STATUS",
	  "no machine check in progress; only 0 may be written"),
	R(0x186, 0x187, MSR_INTEL, MSR_RAZ_WI, 0, "IA32_PERFEVTSEL0-1",
	  "no PMU; read as zero, write ignored"),
	R(0x1a0, 0x1a0, MSR_INTEL, MSR_W_SAME, MISC_ENABLE_VALUE,
	  "IA32_MISC_ENABLE", "fast strings on, no BTS/PEBS; other values #GP"),
	E(0x1d9, 0x1d9, MSR_ANY, EMU_DEBUGCTL, "IA32_DEBUGCTL",
	  "reads 0; writes of LBR and BTF are ignored (no branch tracing), other bits #GP"),
	E(0x200, 0x20f, MSR_ANY, EMU_MTRR, "IA32_MTRR_PHYSBASE/PHYSMASK0-7",
	  "virtual MTRRs (vmm/mtrr.c), validated; bookkeeping only, the memory type comes from EPT/NPT"),
	E(0x250, 0x250, MSR_ANY, EMU_MTRR, "IA32_MTRR_FIX64K_00000",
	  "fixed-range MTRR, each byte a valid type"),
	E(0x258, 0x259, MSR_ANY, EMU_MTRR, "IA32_MTRR_FIX16K_80000/A0000",
	  "fixed-range MTRRs"),
	E(0x268, 0x26f, MSR_ANY, EMU_MTRR, "IA32_MTRR_FIX4K_C0000-F8000",
	  "fixed-range MTRRs"),
	E(0x277, 0x277, MSR_ANY, EMU_PAT, "IA32_PAT",
	  "the guest's PAT in the VMCS/VMCB; reserved types #GP"),
	E(0x2ff, 0x2ff, MSR_ANY, EMU_MTRR, "IA32_MTRR_DEF_TYPE",
	  "reset to enabled, write-back, fixed ranges off (as firmware would leave it)"),
	R(0xbd, 0xbd, MSR_ANY, MSR_RO, XAPIC_DISABLED,
	  "IA32_XAPIC_DISABLE_STATUS", "legacy xAPIC disabled (the lock)"),
	E(0x6e0, 0x6e0, MSR_ANY, EMU_VLAPIC, "IA32_TSC_DEADLINE",
	  "the vlapic's TSC-deadline timer, in the vCPU's TSC"),
	E(0x800, 0x8ff, MSR_ANY, EMU_VLAPIC, "x2APIC registers",
	  "the vlapic (docs/vlapic.md); some reads and writes never exit (APIC virtualization)"),
	E(0xc0000080, 0xc0000080, MSR_ANY, EMU_EFER, "IA32_EFER",
	  "SCE, LME, NXE writable; LMA follows the mode; other bits #GP"),
	R(0xc0010000, 0xc0010007, MSR_AMD, MSR_RAZ_WI, 0,
	  "PERF_CTL0-3, PERF_CTR0-3",
	  "legacy counters every AMD family has; no PMU: read as zero, write ignored (Linux then finds no PMU)"),
	R(0xc0010010, 0xc0010010, MSR_AMD, MSR_RAZ_WI, 0, "SYSCFG",
	  "read by Linux's MTRR code (MtrrFixDramModEn); no memory-controller bits"),
	R(0xc0010015, 0xc0010015, MSR_AMD, MSR_RAZ_WI, HWCR_TSC_FREQ_SEL,
	  "HWCR",
	  "TscFreqSel: the TSC counts at the P0 frequency (Linux warns otherwise on families above 0x10); writes (family 0xf's flush-filter bit) ignored"),
	R(0xc001001f, 0xc001001f, MSR_AMD, MSR_RAZ_WI, 0, "NB_CFG",
	  "Linux (amd_bus_cpu_online) sets extended config space access on families >= 0x10; no northbridge"),
	R(0xc0010055, 0xc0010055, MSR_AMD, MSR_RO, 0, "INT_PENDING",
	  "read by Linux's E400 check: no C1E"),
	R(0xc0010114, 0xc0010114, MSR_AMD, MSR_RO, VM_CR_SVMDIS, "VM_CR",
	  "SVM disabled (no nesting)"),
	R(0xc0010140, 0xc0010141, MSR_AMD, MSR_RO, 0,
	  "OSVW_ID_LENGTH, OSVW_STATUS", "no erratum workarounds listed"),
	R(0xc0011029, 0xc0011029, MSR_AMD, MSR_RAZ_WI, 0, "DE_CFG",
	  "Linux sets LFENCE_SERIALIZE; the host's setting stays"),
	E(0x4b564d00, 0x4b564d01, MSR_ANY, EMU_KVMCLOCK,
	  "MSR_KVM_WALL_CLOCK_NEW, MSR_KVM_SYSTEM_TIME_NEW",
	  "kvmclock (README, Time)"),
};
const unsigned int msr_rules_count = sizeof(msr_rules) / sizeof(msr_rules[0]);

const struct msr_rule *msr_rule_find(uint32_t msr, bool amd)
{
	for (unsigned int i = 0; i < msr_rules_count; i++) {
		const struct msr_rule *r = &msr_rules[i];

		if (msr < r->first || msr > r->last)
			continue;
		if ((r->vendor == MSR_INTEL && amd) ||
		    (r->vendor == MSR_AMD && !amd))
			return NULL;
		return r;
	}
	return NULL;
}
