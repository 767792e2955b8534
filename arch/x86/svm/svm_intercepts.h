/* SPDX-License-Identifier: MIT */
/*
 * What x2hv intercepts on SVM (APM vol. 2 15.9-15.14): every VMCB starts
 * with exactly these (vmcb.c), the others come and go at run time (the
 * interrupt window, IRET while an NMI is in service). docs/security.md
 * gives the reason for each; tests/unit/test_intercepts.c checks that
 * table against these masks.
 */
#ifndef X2HV_ARCH_X86_SVM_SVM_INTERCEPTS_H
#define X2HV_ARCH_X86_SVM_SVM_INTERCEPTS_H

#include "arch/x86/svm/vmcb.h"
#include "include/x86.h"

/* #DB and #AC: their delivery can raise them again (XSA-156). */
#define SVM_EXC_INTERCEPTS ((1u << VEC_DB) | (1u << VEC_AC))
/* Writes to CR4 (x2hv checks them against the guest's CPUID) and CR8
 * (the vlapic's TPR); reads go to the VMCB. */
#define SVM_CR_INTERCEPTS (SVM_CR_WRITE(4) | SVM_CR_WRITE(8))
#define SVM_DR_INTERCEPTS 0u
#define SVM_I1_INTERCEPTS                                                      \
	(SVM_I1_INTR | SVM_I1_NMI | SVM_I1_SMI | SVM_I1_INIT | SVM_I1_CPUID |  \
	 SVM_I1_RSM | SVM_I1_INVD | SVM_I1_HLT | SVM_I1_INVLPGA |              \
	 SVM_I1_IOIO | SVM_I1_MSR | SVM_I1_TASK_SWITCH | SVM_I1_SHUTDOWN)
/* VMRUN must be intercepted (APM 15.5.1, consistency checks). */
#define SVM_I2_INTERCEPTS                                                      \
	(SVM_I2_VMRUN | SVM_I2_VMMCALL | SVM_I2_VMLOAD | SVM_I2_VMSAVE |       \
	 SVM_I2_STGI | SVM_I2_CLGI | SVM_I2_SKINIT | SVM_I2_MONITOR |          \
	 SVM_I2_MWAIT | SVM_I2_MWAIT_COND | SVM_I2_XSETBV | SVM_I2_RDPRU)
/* Set and cleared at run time: the interrupt window, IRET while an NMI
 * is in service (svm_event.c). */
#define SVM_I1_DYNAMIC (SVM_I1_VINTR | SVM_I1_IRET)

#endif
