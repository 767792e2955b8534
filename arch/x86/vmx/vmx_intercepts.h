/* SPDX-License-Identifier: MIT */
/*
 * What x2hv asks VMX to exit on (SDM vol. 3C 25.6, 26.1-26.2): the
 * controls every VMCS wants (vmx.c adjusts them to the capability MSRs;
 * the REQUIRED ones stop the boot when missing), the exception bitmap,
 * and the CR0/CR4 bits x2hv owns. Some exits are unconditional in VMX
 * non-root operation (CPUID, XSETBV, VMCALL, INVD, GETSEC, the VMX
 * instructions, INIT, SIPI, triple fault, task switch, 26.1.2).
 * docs/security.md gives the reason for each; tests/unit/test_intercepts.c
 * checks that table against these masks.
 */
#ifndef X2HV_ARCH_X86_VMX_VMX_INTERCEPTS_H
#define X2HV_ARCH_X86_VMX_VMX_INTERCEPTS_H

#include "arch/x86/vmx/vmcs.h"
#include "include/x86.h"

/* #DB and #AC: their delivery can raise them again (XSA-156). */
#define VMX_EXC_BITMAP ((1u << VEC_DB) | (1u << VEC_AC))

/* Virtual NMIs track the guest's NMI blocking and allow NMI-window
 * exiting (SDM 25.6.1, 26.7.6): every CPU with EPT has them. */
#define VMX_PIN_WANT (PIN_EXT_INTR | PIN_NMI | PIN_VIRTUAL_NMI)
#define VMX_PIN_REQUIRED (PIN_EXT_INTR | PIN_NMI | PIN_VIRTUAL_NMI)
/* CR8 exits unless APIC virtualization gives a TPR shadow (vmx.c). */
#define VMX_PROC_WANT                                                          \
	(PROC_HLT | PROC_MWAIT | PROC_MONITOR | PROC_CR8_LOAD |                \
	 PROC_CR8_STORE | PROC_UNCOND_IO | PROC_MSR_BITMAPS | PROC_SECONDARY | \
	 PROC_TSC_OFFSET)
#define VMX_PROC_REQUIRED                                                      \
	(PROC_HLT | PROC_UNCOND_IO | PROC_MSR_BITMAPS | PROC_SECONDARY |       \
	 PROC_CR8_LOAD | PROC_CR8_STORE | PROC_TSC_OFFSET)
/* Not exits but features the guest may use (RDTSCP) or needs. */
#define VMX_PROC2_WANT                                                         \
	(PROC2_EPT | PROC2_UNRESTRICTED | PROC2_RDTSCP | PROC2_VPID)
#define VMX_PROC2_REQUIRED (PROC2_EPT | PROC2_UNRESTRICTED)
/* Set and cleared at run time. */
#define VMX_PROC_DYNAMIC (PROC_INTR_WINDOW | PROC_NMI_WINDOW)

#endif
