/* SPDX-License-Identifier: MIT */
/* The VMCB (AMD APM vol. 2, appendix B, "Layout of VMCB"). */
#ifndef X2HV_ARCH_X86_SVM_VMCB_H
#define X2HV_ARCH_X86_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/virt.h"

struct vmcb_seg {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

struct vmcb {
	/* Control area, 0x000 - 0x3ff. */
	uint32_t intercept_cr; /* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr; /* 0x004 */
	uint32_t intercept_exc; /* 0x008 */
	uint32_t intercept1; /* 0x00c */
	uint32_t intercept2; /* 0x010 */
	uint32_t intercept3; /* 0x014 */
	uint8_t rsvd0[0x3c - 0x18];
	uint16_t pause_threshold; /* 0x03c */
	uint16_t pause_count; /* 0x03e */
	uint64_t iopm_pa; /* 0x040 */
	uint64_t msrpm_pa; /* 0x048 */
	uint64_t tsc_offset; /* 0x050 */
	uint32_t asid; /* 0x058 */
	uint8_t tlb_control; /* 0x05c */
	uint8_t rsvd1[3];
	uint64_t vintr; /* 0x060 */
	uint64_t int_state; /* 0x068: bit 0 interrupt shadow */
	uint64_t exitcode; /* 0x070 */
	uint64_t exitinfo1; /* 0x078 */
	uint64_t exitinfo2; /* 0x080 */
	uint64_t exitintinfo; /* 0x088 */
	uint64_t np_ctl; /* 0x090: bit 0 NP_ENABLE */
	uint64_t avic_apic_bar; /* 0x098 */
	uint64_t ghcb_pa; /* 0x0a0 */
	uint64_t eventinj; /* 0x0a8 */
	uint64_t n_cr3; /* 0x0b0 */
	uint64_t virt_ext; /* 0x0b8 */
	uint32_t clean; /* 0x0c0 */
	uint32_t rsvd2;
	uint64_t nrip; /* 0x0c8 */
	uint8_t insn_len; /* 0x0d0 */
	uint8_t insn_bytes[15];
	uint64_t avic_backing_pa; /* 0x0e0 */
	uint64_t rsvd3;
	uint64_t avic_logical_pa; /* 0x0f0 */
	uint64_t avic_physical_pa; /* 0x0f8 */
	uint8_t rsvd4[0x400 - 0x100];
	/* State save area, 0x400 -. */
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr,
		tr; /* 0x400 */
	uint8_t rsvd5[0x4cb - 0x4a0];
	uint8_t cpl; /* 0x4cb */
	uint32_t rsvd6;
	uint64_t efer; /* 0x4d0 */
	uint8_t rsvd7[0x548 - 0x4d8];
	uint64_t cr4; /* 0x548 */
	uint64_t cr3; /* 0x550 */
	uint64_t cr0; /* 0x558 */
	uint64_t dr7; /* 0x560 */
	uint64_t dr6; /* 0x568 */
	uint64_t rflags; /* 0x570 */
	uint64_t rip; /* 0x578 */
	uint8_t rsvd8[0x5d8 - 0x580];
	uint64_t rsp; /* 0x5d8 */
	uint8_t rsvd9[0x5f8 - 0x5e0];
	uint64_t rax; /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base; /* 0x600 */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip; /* 0x628 */
	uint64_t cr2; /* 0x640 */
	uint8_t rsvd10[0x668 - 0x648];
	uint64_t g_pat; /* 0x668 */
	uint8_t rsvd11[0x1000 - 0x670];
};

_Static_assert(offsetof(struct vmcb, vintr) == 0x60, "vmcb layout");
_Static_assert(offsetof(struct vmcb, eventinj) == 0xa8, "vmcb layout");
_Static_assert(offsetof(struct vmcb, avic_apic_bar) == 0x98, "vmcb layout");
_Static_assert(offsetof(struct vmcb, avic_backing_pa) == 0xe0, "vmcb layout");
_Static_assert(offsetof(struct vmcb, avic_logical_pa) == 0xf0, "vmcb layout");
_Static_assert(offsetof(struct vmcb, avic_physical_pa) == 0xf8, "vmcb layout");
_Static_assert(offsetof(struct vmcb, tr) == 0x490, "vmcb layout");
_Static_assert(offsetof(struct vmcb, efer) == 0x4d0, "vmcb layout");
_Static_assert(offsetof(struct vmcb, rip) == 0x578, "vmcb layout");
_Static_assert(offsetof(struct vmcb, rax) == 0x5f8, "vmcb layout");
_Static_assert(offsetof(struct vmcb, cr2) == 0x640, "vmcb layout");
_Static_assert(offsetof(struct vmcb, g_pat) == 0x668, "vmcb layout");
_Static_assert(sizeof(struct vmcb) == 0x1000, "vmcb layout");

/* intercept_cr (offset 0x000): reads in 15:0, writes in 31:16 */
#define SVM_CR_WRITE(n) (1u << (16 + (n)))
/* EXITINFO1 of a CR-write exit with decode assists (APM 15.33.1). */
#define SVM_CR_INFO_MOV (1ull << 63)
#define SVM_CR_INFO_GPR_MASK 0xfull

/* intercept1 (offset 0x00c) */
#define SVM_I1_INTR (1u << 0)
#define SVM_I1_NMI (1u << 1)
#define SVM_I1_SMI (1u << 2)
#define SVM_I1_INIT (1u << 3)
#define SVM_I1_VINTR (1u << 4)
#define SVM_I1_RDTSC (1u << 14)
#define SVM_I1_RDPMC (1u << 15)
#define SVM_I1_CPUID (1u << 18)
#define SVM_I1_RSM (1u << 19)
#define SVM_I1_IRET (1u << 20)
#define SVM_I1_INVD (1u << 22)
#define SVM_I1_PAUSE (1u << 23)
#define SVM_I1_HLT (1u << 24)
#define SVM_I1_INVLPG (1u << 25)
#define SVM_I1_INVLPGA (1u << 26)
#define SVM_I1_IOIO (1u << 27)
#define SVM_I1_MSR (1u << 28)
#define SVM_I1_TASK_SWITCH (1u << 29)
#define SVM_I1_SHUTDOWN (1u << 31)
/* intercept2 (offset 0x010) */
#define SVM_I2_VMRUN (1u << 0)
#define SVM_I2_VMMCALL (1u << 1)
#define SVM_I2_VMLOAD (1u << 2)
#define SVM_I2_VMSAVE (1u << 3)
#define SVM_I2_STGI (1u << 4)
#define SVM_I2_CLGI (1u << 5)
#define SVM_I2_SKINIT (1u << 6)
#define SVM_I2_RDTSCP (1u << 7)
#define SVM_I2_ICEBP (1u << 8)
#define SVM_I2_WBINVD (1u << 9)
#define SVM_I2_MONITOR (1u << 10)
#define SVM_I2_MWAIT (1u << 11)
#define SVM_I2_MWAIT_COND (1u << 12)
#define SVM_I2_XSETBV (1u << 13)
#define SVM_I2_RDPRU (1u << 14)

/* Segment attributes: L (64-bit code) is bit 9 (APM 15.5.1). */
#define SVM_SEG_ATTR_L 0x200u

/* int_state (offset 0x068) */
#define SVM_INT_SHADOW (1ull << 0)

/* vintr (offset 0x060) */
#define SVM_VINTR_TPR_MASK 0xfull /* V_TPR: the guest's CR8 */
#define SVM_VINTR_V_IRQ (1ull << 8)
#define SVM_VINTR_PRIO_SHIFT 16
#define SVM_VINTR_IGN_TPR (1ull << 20)
#define SVM_VINTR_MASKING (1ull << 24)
#define SVM_VINTR_AVIC (1ull << 31)
#define SVM_VINTR_X2AVIC (1ull << 30)
#define SVM_VINTR_VECTOR_SHIFT 32
/* The fields of one virtual interrupt (V_IRQ, its priority and vector). */
#define SVM_VINTR_IRQ_FIELDS                                                   \
	(SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR |                                 \
	 (0xfull << SVM_VINTR_PRIO_SHIFT) |                                    \
	 (0xffull << SVM_VINTR_VECTOR_SHIFT))

/* EVENTINJ / EXITINTINFO (APM 15.20) */
#define SVM_EVT_VALID (1ull << 31)
#define SVM_EVT_ERR (1ull << 11)
#define SVM_EVT_TYPE_MASK (7ull << 8)
#define SVM_EVT_TYPE_INTR (0ull << 8)
#define SVM_EVT_TYPE_NMI (2ull << 8)
#define SVM_EVT_TYPE_EXC (3ull << 8)
#define SVM_EVT_TYPE_MASK (7ull << 8)
#define SVM_EVT_VECTOR_MASK 0xffull

/* TLB_CONTROL (APM vol. 2 15.16.1) */
#define SVM_TLB_FLUSH_ALL 1
#define SVM_TLB_FLUSH_ASID 3 /* this guest's ASID only */

/* EXITCODEs (APM appendix C) */
#define SVM_EXIT_CR0_WRITE 0x10 /* + n for CRn */
#define SVM_EXIT_CR4_WRITE 0x14
#define SVM_EXIT_CR8_WRITE 0x18
#define SVM_EXIT_EXC_BASE 0x40
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_SMI 0x62
#define SVM_EXIT_INIT 0x63
#define SVM_EXIT_VINTR 0x64
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_RSM 0x73
#define SVM_EXIT_IRET 0x74
#define SVM_EXIT_INVD 0x76
#define SVM_EXIT_PAUSE 0x77
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_IOIO 0x7b
#define SVM_EXIT_MSR 0x7c
#define SVM_EXIT_TASK_SWITCH 0x7d
#define SVM_EXIT_SHUTDOWN 0x7f
#define SVM_EXIT_VMRUN 0x80
#define SVM_EXIT_VMMCALL 0x81
#define SVM_EXIT_VMLOAD 0x82
#define SVM_EXIT_VMSAVE 0x83
#define SVM_EXIT_STGI 0x84
#define SVM_EXIT_CLGI 0x85
#define SVM_EXIT_SKINIT 0x86
#define SVM_EXIT_ICEBP 0x88
#define SVM_EXIT_INVLPGA 0x7a
#define SVM_EXIT_MONITOR 0x8a
#define SVM_EXIT_MWAIT 0x8b
#define SVM_EXIT_MWAIT_COND 0x8c
#define SVM_EXIT_XSETBV 0x8d
#define SVM_EXIT_RDPRU 0x8e
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_AVIC_IPI 0x401
#define SVM_EXIT_AVIC_NOACCEL 0x402
#define SVM_EXIT_CODES 0x403 /* the codes svm_exit.c maps: 0-0x402 */
#define SVM_EXIT_INVALID ((uint64_t)-1)

/* IOIO EXITINFO1 (APM 15.10.2) */
#define SVM_IO_IN (1u << 0)
#define SVM_IO_STR (1u << 2)
#define SVM_IO_REP (1u << 3)
#define SVM_IO_SZ_SHIFT 4
#define SVM_IO_PORT_SHIFT 16

#define SVM_IOPM_SIZE (3 * 4096)
#define SVM_MSRPM_SIZE (2 * 4096)

#endif
