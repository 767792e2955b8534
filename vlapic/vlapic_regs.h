/* SPDX-License-Identifier: MIT */
/*
 * Architectural constants of the local APIC in x2APIC mode: register
 * offsets in the 4 KiB register page, MSR numbers and register bit fields.
 *
 * Intel SDM vol. 3A chapter 11 ("Advanced Programmable Interrupt
 * Controller"): figure 11-8 (LVT), 11-12 (ICR), 11-9 (ESR), 11-10 (DCR),
 * 11-18 (TPR), 11-19 (PPR), 11-23 (SVR), 11.12 and table 11-6 (x2APIC MSR
 * map).
 */
#ifndef X2HV_VLAPIC_REGS_H
#define X2HV_VLAPIC_REGS_H

#include "include/x86.h" /* MSR_IA32_APIC_BASE, MSR_X2APIC_FIRST, ... */

/* Register at page offset 0xXX0 <=> MSR 0x800 + (0xXX0 >> 4). */
#define X2APIC_MSR(off) (MSR_X2APIC_FIRST + ((off) >> 4))
#define X2APIC_OFFSET(msr) (((msr)-MSR_X2APIC_FIRST) << 4)

/* Register page offsets (SDM table 11-1, the xAPIC layout). */
#define APIC_ID 0x020
#define APIC_LVR 0x030 /* version */
#define APIC_TPR 0x080
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_LDR 0x0d0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100 /* eight words, 0x100..0x170 */
#define APIC_TMR 0x180 /* eight words, 0x180..0x1f0 */
#define APIC_IRR 0x200 /* eight words, 0x200..0x270 */
#define APIC_ESR 0x280
#define APIC_LVT_CMCI 0x2f0
#define APIC_ICR 0x300 /* 64 bits in x2APIC mode, see vlapic.h */
#define APIC_ICR2 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PMC 0x340
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMICT 0x380 /* timer initial count */
#define APIC_TMCCT 0x390 /* timer current count */
#define APIC_TDCR 0x3e0 /* timer divide configuration */
#define APIC_SELF_IPI 0x3f0 /* x2APIC only */

#define APIC_VECTOR_WORDS 8 /* IRR/ISR/TMR: 256 bits as 8 x 32 */
#define APIC_VECTOR_STRIDE 0x10 /* one 32-bit word per 16 bytes */

/* Version register (SDM figure 11-7). */
#define APIC_VERSION 0x14u /* integrated APIC */
#define APIC_MAX_LVT 6u /* 7 LVT entries: CMCI .. error */
#define APIC_LVR_MAXLVT_SHIFT 16
#define APIC_LVR_DIRECTED_EOI (1u << 24)
#define APIC_LVR_VALUE (APIC_VERSION | (APIC_MAX_LVT << APIC_LVR_MAXLVT_SHIFT))

/* Vectors and priorities (SDM 11.8.3). */
#define APIC_VECTOR_MASK 0xffu
#define APIC_PRIO_CLASS(v) ((v) >> 4)
#define APIC_PRIO_CLASS_MASK 0xf0u
#define APIC_PRIO_SUBCLASS_MASK 0x0fu
#define APIC_FIRST_LEGAL_VECTOR 16 /* 0..15 are illegal (SDM 11.5.2) */
#define APIC_TPR_MASK 0xffu

/* Spurious-interrupt vector register (SDM 11.9, figure 11-23). */
#define APIC_SVR_VECTOR 0xffu
#define APIC_SVR_ENABLE (1u << 8)
#define APIC_SVR_FOCUS_DISABLE (1u << 9)
#define APIC_SVR_EOI_SUPPRESS (1u << 12)
#define APIC_SVR_RESET 0xffu

/* Error status register bits (SDM 11.5.3, figure 11-9). */
#define APIC_ESR_SEND_CS (1u << 0)
#define APIC_ESR_RECV_CS (1u << 1)
#define APIC_ESR_SEND_ACCEPT (1u << 2)
#define APIC_ESR_RECV_ACCEPT (1u << 3)
#define APIC_ESR_REDIR_IPI (1u << 4)
#define APIC_ESR_SEND_ILLEGAL (1u << 5)
#define APIC_ESR_RECV_ILLEGAL (1u << 6)
#define APIC_ESR_ILLEGAL_REG (1u << 7)

/* LVT fields (SDM 11.5.1, figure 11-8). */
#define APIC_LVT_VECTOR 0xffu
#define APIC_LVT_DM_SHIFT 8
#define APIC_LVT_DM_MASK (7u << APIC_LVT_DM_SHIFT)
#define APIC_LVT_DELIV_STATUS (1u << 12) /* read-only */
#define APIC_LVT_POLARITY (1u << 13)
#define APIC_LVT_REMOTE_IRR (1u << 14) /* read-only */
#define APIC_LVT_LEVEL (1u << 15)
#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_TIMER_SHIFT 17
#define APIC_LVT_TIMER_MASK (3u << APIC_LVT_TIMER_SHIFT)
#define APIC_LVT_TIMER_ONESHOT 0u
#define APIC_LVT_TIMER_PERIODIC 1u
#define APIC_LVT_TIMER_TSCDEADLINE 2u
#define APIC_LVT_TIMER_RESERVED 3u

/* Delivery modes, shared by LVT and ICR (SDM 11.5.1, 11.6.1). */
#define APIC_DM_FIXED 0u
#define APIC_DM_LOWEST 1u
#define APIC_DM_SMI 2u
#define APIC_DM_RESERVED 3u
#define APIC_DM_NMI 4u
#define APIC_DM_INIT 5u
#define APIC_DM_STARTUP 6u
#define APIC_DM_EXTINT 7u

/* ICR in x2APIC mode (SDM 11.12.9, figure 11-28). */
#define APIC_ICR_VECTOR 0xffull
#define APIC_ICR_DM_SHIFT 8
#define APIC_ICR_DM_MASK (7ull << APIC_ICR_DM_SHIFT)
#define APIC_ICR_LOGICAL (1ull << 11)
#define APIC_ICR_BUSY (1ull << 12) /* not in x2APIC mode: ignored */
#define APIC_ICR_ASSERT (1ull << 14)
#define APIC_ICR_LEVEL (1ull << 15)
#define APIC_ICR_SH_SHIFT 18
#define APIC_ICR_SH_MASK (3ull << APIC_ICR_SH_SHIFT)
#define APIC_ICR_DEST_SHIFT 32
#define APIC_ICR_WRITABLE                                                      \
	(APIC_ICR_VECTOR | APIC_ICR_DM_MASK | APIC_ICR_LOGICAL |               \
	 APIC_ICR_ASSERT | APIC_ICR_LEVEL | APIC_ICR_SH_MASK |                 \
	 (0xffffffffull << APIC_ICR_DEST_SHIFT))

#define APIC_SH_NONE 0u
#define APIC_SH_SELF 1u
#define APIC_SH_ALL 2u
#define APIC_SH_ALL_BUT_SELF 3u

/* x2APIC destinations (SDM 11.12.10). */
#define X2APIC_BROADCAST 0xffffffffu
#define X2APIC_LDR_CLUSTER_SHIFT 16
#define X2APIC_LDR_CLUSTER_MASK 0xffffu /* x2APIC ID bits 19:4 */
#define X2APIC_LDR_ID_BITS 4
#define X2APIC_LDR_ID_MASK 0xfu
#define X2APIC_LDR_BITMAP_MASK 0xffffu

/* Divide configuration register (SDM 11.5.4, figure 11-10). */
#define APIC_TDCR_MASK 0xbu /* bits 0, 1 and 3; bit 2 is reserved */
#define APIC_TDCR_LOW 0x3u
#define APIC_TDCR_HIGH 0x8u
#define APIC_TDCR_HIGH_SHIFT 1 /* bit 3 becomes bit 2 of the code */
#define APIC_TDCR_CODES 8 /* code 7 is divide by 1 */

/* IA32_APIC_BASE (SDM 11.4.4, figure 11-5; 11.12.1). */
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_ADDR 0xfee00000ull

#endif
