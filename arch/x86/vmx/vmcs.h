/* SPDX-License-Identifier: MIT */
/*
 * VMCS field encodings, VMX control bits, capability MSRs and basic exit
 * reasons (Intel SDM vol. 3C chapter 25 and appendices A, B, C), and the
 * VMX instructions as inline functions. Encodings are "width | type |
 * index" (SDM appendix B); only the fields x2hv uses are named.
 */
#ifndef X2HV_ARCH_X86_VMX_VMCS_H
#define X2HV_ARCH_X86_VMX_VMCS_H

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>
#endif

/* Capability MSRs (SDM appendix A). */
#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED_CTLS 0x481
#define MSR_VMX_PROCBASED_CTLS 0x482
#define MSR_VMX_EXIT_CTLS 0x483
#define MSR_VMX_ENTRY_CTLS 0x484
#define MSR_VMX_MISC 0x485
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_PROCBASED_CTLS2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_VMX_TRUE_ENTRY_CTLS 0x490
#define MSR_VMX_PROCBASED_CTLS3 0x492

/* IA32_VMX_BASIC (A.1). */
#define VMX_BASIC_REVISION_MASK 0x7fffffffull
#define VMX_BASIC_SIZE_SHIFT 32
#define VMX_BASIC_SIZE_MASK 0x1fffull
#define VMX_BASIC_MEMTYPE_SHIFT 50
#define VMX_BASIC_MEMTYPE_MASK 0xfull
#define VMX_BASIC_TRUE_CTLS (1ull << 55)

/* IA32_FEATURE_CONTROL (SDM vol. 4, MSR 0x3a; vol. 3C 24.7). */
#define FEATURE_CONTROL_LOCK (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define EPT_CAP_WALK_4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_2M (1ull << 16)
#define EPT_CAP_1G (1ull << 17)
#define EPT_CAP_INVEPT (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE (1ull << 25)
#define EPT_CAP_INVEPT_ALL (1ull << 26)
#define VPID_CAP_INVVPID (1ull << 32)
#define VPID_CAP_INVVPID_SINGLE (1ull << 41)
#define VPID_CAP_INVVPID_ALL (1ull << 42)

/* IA32_VMX_MISC (A.6). */
#define VMX_MISC_PREEMPT_RATE_MASK 0x1full
#define VMX_MISC_UG_LMA_STORE (1ull << 5)

/* Pin-based VM-execution controls (25.6.1). */
#define PIN_EXT_INTR (1u << 0)
#define PIN_NMI (1u << 3)
#define PIN_VIRTUAL_NMI (1u << 5)
#define PIN_PREEMPT_TIMER (1u << 6)
#define PIN_POSTED_INTR (1u << 7)

/* Primary processor-based VM-execution controls (25.6.2). */
#define PROC_INTR_WINDOW (1u << 2)
#define PROC_TSC_OFFSET (1u << 3)
#define PROC_HLT (1u << 7)
#define PROC_INVLPG (1u << 9)
#define PROC_MWAIT (1u << 10)
#define PROC_RDPMC (1u << 11)
#define PROC_RDTSC (1u << 12)
#define PROC_CR3_LOAD (1u << 15)
#define PROC_CR3_STORE (1u << 16)
#define PROC_TERTIARY (1u << 17)
#define PROC_CR8_LOAD (1u << 19)
#define PROC_CR8_STORE (1u << 20)
#define PROC_TPR_SHADOW (1u << 21)
#define PROC_NMI_WINDOW (1u << 22)
#define PROC_MOV_DR (1u << 23)
#define PROC_UNCOND_IO (1u << 24)
#define PROC_IO_BITMAPS (1u << 25)
#define PROC_MTF (1u << 27) /* monitor trap flag (SDM 25.5.2) */
#define PROC_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR (1u << 29)
#define PROC_PAUSE (1u << 30)
#define PROC_SECONDARY (1u << 31)

/* Secondary processor-based VM-execution controls (25.6.2). */
#define PROC2_VIRT_APIC_ACCESS (1u << 0)
#define PROC2_EPT (1u << 1)
#define PROC2_RDTSCP (1u << 3)
#define PROC2_X2APIC_MODE (1u << 4)
#define PROC2_VPID (1u << 5)
#define PROC2_WBINVD (1u << 6)
#define PROC2_UNRESTRICTED (1u << 7)
#define PROC2_APIC_REG_VIRT (1u << 8)
#define PROC2_VIRT_INTR_DELIVERY (1u << 9)
#define PROC2_INVPCID (1u << 12)
#define PROC2_XSAVES (1u << 20)

/* Tertiary processor-based VM-execution controls (25.6.2). */
#define PROC3_IPI_VIRT (1ull << 4)

/* VM-exit controls (25.7.1). */
#define EXIT_SAVE_DEBUG (1u << 2)
#define EXIT_HOST_64 (1u << 9)
#define EXIT_ACK_INTR (1u << 15)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)

/* VM-entry controls (25.8.1). */
#define ENTRY_LOAD_DEBUG (1u << 2)
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* 16-bit fields (B.1). */
#define VMCS_VPID 0x0000
#define VMCS_POSTED_INTR_NV 0x0002
#define VMCS_GUEST_INTR_STATUS 0x0810 /* RVI in 7:0, SVI in 15:8 */
#define VMCS_GUEST_ES_SEL 0x0800 /* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 */
#define VMCS_HOST_ES_SEL 0x0c00
#define VMCS_HOST_CS_SEL 0x0c02
#define VMCS_HOST_SS_SEL 0x0c04
#define VMCS_HOST_DS_SEL 0x0c06
#define VMCS_HOST_FS_SEL 0x0c08
#define VMCS_HOST_GS_SEL 0x0c0a
#define VMCS_HOST_TR_SEL 0x0c0c

/* 64-bit fields (B.2). */
#define VMCS_IO_BITMAP_A 0x2000
#define VMCS_IO_BITMAP_B 0x2002
#define VMCS_MSR_BITMAP 0x2004
#define VMCS_TSC_OFFSET 0x2010
#define VMCS_VIRT_APIC_ADDR 0x2012
#define VMCS_POSTED_INTR_DESC 0x2016
#define VMCS_EPT_POINTER 0x201a
#define VMCS_EOI_EXIT_BITMAP0 0x201c /* four fields, +2 each */
#define VMCS_EOI_EXIT_STRIDE 2
#define VMCS_GUEST_PHYS_ADDR 0x2400
#define VMCS_LINK_POINTER 0x2800
#define VMCS_GUEST_DEBUGCTL 0x2802
#define VMCS_GUEST_PAT 0x2804
#define VMCS_GUEST_EFER 0x2806
#define VMCS_HOST_PAT 0x2c00
#define VMCS_HOST_EFER 0x2c02

/* 32-bit fields (B.3). */
#define VMCS_PIN_CTLS 0x4000
#define VMCS_PROC_CTLS 0x4002
#define VMCS_EXCEPTION_BITMAP 0x4004
#define VMCS_PF_ERROR_MASK 0x4006
#define VMCS_PF_ERROR_MATCH 0x4008
#define VMCS_CR3_TARGET_COUNT 0x400a
#define VMCS_EXIT_CTLS 0x400c
#define VMCS_EXIT_MSR_STORE_COUNT 0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010
#define VMCS_ENTRY_CTLS 0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTR_INFO 0x4016
#define VMCS_ENTRY_EXC_ERROR 0x4018
#define VMCS_ENTRY_INSN_LEN 0x401a
#define VMCS_TPR_THRESHOLD 0x401c
#define VMCS_PROC_CTLS2 0x401e
#define VMCS_INSN_ERROR 0x4400
#define VMCS_EXIT_REASON 0x4402
#define VMCS_EXIT_INTR_INFO 0x4404
#define VMCS_EXIT_INTR_ERROR 0x4406
#define VMCS_IDT_VECTORING_INFO 0x4408
#define VMCS_IDT_VECTORING_ERROR 0x440a
#define VMCS_EXIT_INSN_LEN 0x440c
#define VMCS_GUEST_ES_LIMIT 0x4800 /* ES .. TR: +2 each, then: */
#define VMCS_GUEST_GDTR_LIMIT 0x4810
#define VMCS_GUEST_IDTR_LIMIT 0x4812
#define VMCS_GUEST_ES_AR 0x4814 /* ES .. TR: +2 each */
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY 0x4826
#define VMCS_GUEST_SYSENTER_CS 0x482a
#define VMCS_HOST_SYSENTER_CS 0x4c00

/* Natural-width fields (B.4). */
#define VMCS_CR0_MASK 0x6000
#define VMCS_CR4_MASK 0x6002
#define VMCS_CR0_SHADOW 0x6004
#define VMCS_CR4_SHADOW 0x6006
#define VMCS_EXIT_QUAL 0x6400
#define VMCS_GUEST_CR0 0x6800
#define VMCS_GUEST_CR3 0x6802
#define VMCS_GUEST_CR4 0x6804
#define VMCS_GUEST_ES_BASE 0x6806 /* ES .. TR: +2 each, then: */
#define VMCS_GUEST_GDTR_BASE 0x6816
#define VMCS_GUEST_IDTR_BASE 0x6818
#define VMCS_GUEST_DR7 0x681a
#define VMCS_GUEST_RSP 0x681c
#define VMCS_GUEST_RIP 0x681e
#define VMCS_GUEST_RFLAGS 0x6820
#define VMCS_GUEST_PENDING_DBG 0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0 0x6c00
#define VMCS_HOST_CR3 0x6c02
#define VMCS_HOST_CR4 0x6c04
#define VMCS_HOST_FS_BASE 0x6c06
#define VMCS_HOST_GS_BASE 0x6c08
#define VMCS_HOST_TR_BASE 0x6c0a
#define VMCS_HOST_GDTR_BASE 0x6c0c
#define VMCS_HOST_IDTR_BASE 0x6c0e
#define VMCS_HOST_SYSENTER_ESP 0x6c10
#define VMCS_HOST_SYSENTER_EIP 0x6c12
#define VMCS_HOST_RSP 0x6c14
#define VMCS_HOST_RIP 0x6c16

/* Guest segment registers in VMCS order (B.1.2): field = base + 2 * i. */
#define VSEG_ES 0
#define VSEG_CS 1
#define VSEG_SS 2
#define VSEG_DS 3
#define VSEG_FS 4
#define VSEG_GS 5
#define VSEG_LDTR 6
#define VSEG_TR 7
#define VMCS_SEG_STRIDE 2

/* Segment access rights (25.4.1, table 25-2). */
#define AR_TYPE_ACCESSED (1u << 0)
#define AR_DPL_SHIFT 5
#define AR_DPL_MASK 3u
#define AR_L (1u << 13) /* 64-bit code segment */
#define AR_S (1u << 4)
#define AR_UNUSABLE (1u << 16)
#define AR_LOW_MASK 0xffu /* type, S, DPL, P */
#define AR_HIGH_SHIFT 4 /* AVL, L, D/B, G: attr bits 8-11 -> AR 12-15 */
#define AR_HIGH_MASK 0xf000u

/* Event injection / interruption information (25.8.3, 27.6). */
#define INTR_INFO_VECTOR_MASK 0xffu
#define INTR_INFO_TYPE_SHIFT 8
#define INTR_INFO_TYPE_MASK (7u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_EXT_INTR (0u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_NMI (2u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_HW_EXC (3u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_SW_INTR (4u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_PRIV_SW_EXC (5u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_SW_EXC (6u << INTR_INFO_TYPE_SHIFT)
#define INTR_INFO_DELIVER_ERR (1u << 11)
#define INTR_INFO_NMI_UNBLOCK (1u << 12)
#define INTR_INFO_VALID (1u << 31)

/* Guest interruptibility state (25.4.2, table 25-3). */
#define INTERRUPTIBILITY_STI (1u << 0)
#define INTERRUPTIBILITY_MOV_SS (1u << 1)
#define INTERRUPTIBILITY_NMI (1u << 3)
#define ACTIVITY_ACTIVE 0

/* Basic exit reasons (appendix C). */
#define EXIT_REASON_EXC_NMI 0
#define EXIT_REASON_EXT_INTR 1
#define EXIT_REASON_TRIPLE_FAULT 2
#define EXIT_REASON_INIT 3
#define EXIT_REASON_SIPI 4
#define EXIT_REASON_INTR_WINDOW 7
#define EXIT_REASON_NMI_WINDOW 8
#define EXIT_REASON_TASK_SWITCH 9
#define EXIT_REASON_CPUID 10
#define EXIT_REASON_GETSEC 11
#define EXIT_REASON_HLT 12
#define EXIT_REASON_INVD 13
#define EXIT_REASON_VMCALL 18
#define EXIT_REASON_VMCLEAR 19 /* 19-27: VMCLEAR .. VMXON */
#define EXIT_REASON_VMXON 27
#define EXIT_REASON_CR_ACCESS 28
#define EXIT_REASON_IO 30
#define EXIT_REASON_RDMSR 31
#define EXIT_REASON_WRMSR 32
#define EXIT_REASON_BAD_GUEST 33
#define EXIT_REASON_MSR_LOADING 34
#define EXIT_REASON_MWAIT 36
#define EXIT_REASON_MTF 37
#define EXIT_REASON_MONITOR 39
#define EXIT_REASON_PAUSE 40
#define EXIT_REASON_MCE_DURING_ENTRY 41
#define EXIT_REASON_EOI_INDUCED 45
#define EXIT_REASON_EPT_VIOLATION 48
#define EXIT_REASON_EPT_MISCONFIG 49
#define EXIT_REASON_INVEPT 50
#define EXIT_REASON_RDTSCP 51
#define EXIT_REASON_PREEMPT_TIMER 52
#define EXIT_REASON_INVVPID 53
#define EXIT_REASON_WBINVD 54
#define EXIT_REASON_XSETBV 55
#define EXIT_REASON_APIC_WRITE 56
#define EXIT_REASON_VMFUNC 59
#define VMX_EXIT_REASONS 60 /* basic reasons vmx_exit.c maps: 0-59 */
#define EXIT_REASON_BASIC_MASK 0xffffu
#define EXIT_REASON_ENTRY_FAIL (1u << 31)

/* Exit qualification layouts (28.2.1). */
#define QUAL_IO_SIZE_MASK 7u /* size - 1 */
#define QUAL_IO_IN (1u << 3)
#define QUAL_IO_STRING (1u << 4)
#define QUAL_IO_REP (1u << 5)
#define QUAL_IO_PORT_SHIFT 16
#define QUAL_CR_NUM_MASK 0xfu
#define QUAL_CR_TYPE_SHIFT 4
#define QUAL_CR_TYPE_MASK 3u
#define QUAL_CR_TYPE_TO_CR 0
#define QUAL_CR_TYPE_FROM_CR 1
#define QUAL_CR_GPR_SHIFT 8
#define QUAL_CR_GPR_MASK 0xfu
#define QUAL_EPT_READ (1u << 0)
#define QUAL_EPT_WRITE (1u << 1)
#define QUAL_EPT_FETCH (1u << 2)
#define QUAL_EPT_PERM_MASK (7u << 3) /* the entry's R/W/X: 0 = not present */
/* EOI-induced exit: the vector (28.2.1, table 28-1 "EOI virtualization"). */
#define QUAL_EOI_VECTOR_MASK 0xffu
/* APIC-write exit: the page offset written (28.2.1). */
#define QUAL_APIC_WRITE_OFF_MASK 0xfffu

/* EPT (29.3.2, 29.3.7). */
#define EPT_R (1ull << 0)
#define EPT_W (1ull << 1)
#define EPT_X (1ull << 2)
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_WB 6ull
#define EPT_LARGE (1ull << 7)
#define EPTP_WALK_SHIFT 3
#define EPTP_WALK_4 (3ull << EPTP_WALK_SHIFT) /* length - 1 */
#define INVEPT_SINGLE 1
#define INVEPT_ALL 2
#define INVVPID_SINGLE 1
#define INVVPID_ALL 2

#define VMCS_LINK_NONE (~0ull)
#define DR7_INIT 0x400ull
#define PAT_POWER_ON 0x0007040600070406ull

#ifndef __ASSEMBLY__
/*
 * The instructions. Failure is CF (VMfailInvalid) or ZF (VMfailValid,
 * error number in VMCS_INSN_ERROR) (SDM 31.2); "setna" catches both.
 */
static inline bool vmx_on(uint64_t pa)
{
	bool fail;

	__asm__ volatile("vmxon %1; setna %0"
			 : "=qm"(fail)
			 : "m"(pa)
			 : "cc", "memory");
	return !fail;
}

static inline bool vmcs_clear(uint64_t pa)
{
	bool fail;

	__asm__ volatile("vmclear %1; setna %0"
			 : "=qm"(fail)
			 : "m"(pa)
			 : "cc", "memory");
	return !fail;
}

static inline bool vmcs_load(uint64_t pa)
{
	bool fail;

	__asm__ volatile("vmptrld %1; setna %0"
			 : "=qm"(fail)
			 : "m"(pa)
			 : "cc", "memory");
	return !fail;
}

static inline uint64_t vmcs_read(uint32_t field)
{
	uint64_t v;

	__asm__ volatile("vmread %1, %0"
			 : "=r"(v)
			 : "r"((uint64_t)field)
			 : "cc");
	return v;
}

/* Returns false when the write failed (unsupported field or value). */
static inline bool vmcs_write_raw(uint32_t field, uint64_t val)
{
	bool fail;

	__asm__ volatile("vmwrite %1, %2; setna %0"
			 : "=qm"(fail)
			 : "r"(val), "r"((uint64_t)field)
			 : "cc");
	return !fail;
}

struct invept_desc {
	uint64_t eptp, rsvd;
};

struct invvpid_desc {
	uint64_t vpid, gla;
};

static inline void invept(uint64_t type, uint64_t eptp)
{
	struct invept_desc d = { eptp, 0 };

	__asm__ volatile("invept %0, %1" ::"m"(d), "r"(type) : "cc", "memory");
}

static inline void invvpid(uint64_t type, uint16_t vpid)
{
	struct invvpid_desc d = { vpid, 0 };

	__asm__ volatile("invvpid %0, %1" ::"m"(d), "r"(type) : "cc", "memory");
}
#endif /* __ASSEMBLY__ */

#endif
