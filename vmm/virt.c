// SPDX-License-Identifier: MIT
/* Backend selection by CPU vendor and feature (one image, two vendors). */
#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "vmm/virt.h"

struct virt_ops virt;
enum apicv_mode virt_apicv = APICV_POSTED;
bool virt_svm_eventinj;

const char *const exit_reason_names[NR_EXIT_REASONS] = {
	[EXIT_NONE] = "none",
	[EXIT_CPUID] = "cpuid",
	[EXIT_RDMSR] = "rdmsr",
	[EXIT_WRMSR] = "wrmsr",
	[EXIT_IO] = "io",
	[EXIT_HLT] = "hlt",
	[EXIT_HYPERCALL] = "hypercall",
	[EXIT_NPF] = "npf",
	[EXIT_EXCEPTION] = "exception",
	[EXIT_INTR] = "intr",
	[EXIT_INTR_WINDOW] = "intr-window",
	[EXIT_NMI] = "nmi",
	[EXIT_SHUTDOWN] = "shutdown",
	[EXIT_XSETBV] = "xsetbv",
	[EXIT_INIT] = "init",
	[EXIT_VIRT_INSN] = "virt-insn",
	[EXIT_INVALID_STATE] = "invalid-state",
	[EXIT_PAUSE] = "pause",
	[EXIT_PREEMPT_TIMER] = "preempt-timer",
	[EXIT_APIC_WRITE] = "apic-write",
	[EXIT_EOI_INDUCED] = "eoi-induced",
	[EXIT_AVIC_IPI] = "avic-ipi",
	[EXIT_AVIC_NOACCEL] = "avic-noaccel",
	[EXIT_CR_ACCESS] = "cr-access",
	[EXIT_STEP] = "step",
	[EXIT_STEP_ABORT] = "step-abort",
	[EXIT_SMI] = "smi",
	[EXIT_TASK_SWITCH] = "task-switch",
	[EXIT_INVD] = "invd",
	[EXIT_IRET] = "iret",
	[EXIT_HANDLED] = "handled",
	[EXIT_UNKNOWN] = "unknown",
};

bool virt_select(void)
{
	struct cpuid_regs v = cpuid(0, 0);
	uint32_t max_ext = cpuid(CPUID_LEAF_EXT_MAX, 0).eax;
	const struct virt_ops *ops;

	if (v.ebx == CPUID_VENDOR_INTEL_EBX &&
	    cpuid_has(1, CPUID_REG_ECX, CPUID_1_ECX_VMX)) {
		ops = vmx_probe();
	} else if (v.ebx == CPUID_VENDOR_AMD_EBX && max_ext >= 0x80000001 &&
		   cpuid_has(0x80000001, CPUID_REG_ECX,
			     CPUID_80000001_ECX_SVM)) {
		ops = svm_probe();
	} else {
		pr_err("cpu: neither VMX (Intel) nor SVM (AMD) is available");
		return false;
	}
	if (!ops)
		return false;
	virt = *ops;
	return true;
}
