// SPDX-License-Identifier: MIT
/*
 * VMX APIC virtualization, pure part (see vmx_apicv.h): the x2APIC MSR
 * policy, guest interrupt status, EOI-exit bitmaps and posted-interrupt
 * descriptor operations. Section numbers: Intel SDM vol. 3C, 2023.
 */
#include <string.h>

#include "arch/x86/vmx/vmx_apicv.h"
#include "vlapic/vlapic_regs.h"

#define RW (MSR_PASS_R | MSR_PASS_W)
#define X2(off) X2APIC_MSR(off)
#define X2_VEC(base, i) X2APIC_MSR((base) + (i)*APIC_VECTOR_STRIDE)

/*
 * With "virtualize x2APIC mode" and "APIC-register virtualization", an
 * RDMSR of 0x800-0x8FF that the MSR bitmap does not intercept reads the
 * virtual-APIC page at offset (MSR & 0xFF) << 4 (SDM 31.5), but only for
 * the registers that section lists (ID, version, TPR, PPR, LDR, SVR,
 * ISR, TMR, IRR, ESR, the LVTs, ICR, initial and current count, divide
 * configuration); any other MSR in the range would reach the physical
 * x2APIC, so it must stay intercepted. Of the listed ones, every register
 * whose value is the page content (vlapic_rdmsr returns exactly the page
 * for them, vlapic/vlapic.c) is passed; the timer current count (0x839)
 * is computed by the vlapic and stays intercepted.
 *
 * Writes (SDM 31.5): with "virtual-interrupt delivery", WRMSR to TPR
 * (TPR virtualization, 31.1.2), EOI (EOI virtualization, 31.1.3; level-
 * triggered vectors exit through the EOI-exit bitmap) and SELF IPI
 * (self-IPI virtualization, 31.1.4) complete in the CPU without an exit.
 * Every other write has side effects in the vlapic (ICR sends IPIs, LVT
 * and timer writes arm timers, SVR, ESR) and stays intercepted, as does
 * IA32_TSC_DEADLINE (0x6E0, not an APIC register).
 */
const struct msr_pass vmx_x2apic_msrs[] = {
	{ X2(APIC_ID), MSR_PASS_R },
	{ X2(APIC_LVR), MSR_PASS_R },
	{ X2(APIC_TPR), RW },
	{ X2(APIC_PPR), MSR_PASS_R },
	{ X2(APIC_EOI), MSR_PASS_W },
	{ X2(APIC_LDR), MSR_PASS_R },
	{ X2(APIC_SVR), MSR_PASS_R },
	{ X2_VEC(APIC_ISR, 0), MSR_PASS_R },
	{ X2_VEC(APIC_ISR, 1), MSR_PASS_R },
	{ X2_VEC(APIC_ISR, 2), MSR_PASS_R },
	{ X2_VEC(APIC_ISR, 3), MSR_PASS_R },
	{ X2_VEC(APIC_ISR, 4), MSR_PASS_R },
	{ X2_VEC(APIC_ISR, 5), MSR_PASS_R },
	{ X2_VEC(APIC_ISR, 6), MSR_PASS_R },
	{ X2_VEC(APIC_ISR, 7), MSR_PASS_R },
	{ X2_VEC(APIC_TMR, 0), MSR_PASS_R },
	{ X2_VEC(APIC_TMR, 1), MSR_PASS_R },
	{ X2_VEC(APIC_TMR, 2), MSR_PASS_R },
	{ X2_VEC(APIC_TMR, 3), MSR_PASS_R },
	{ X2_VEC(APIC_TMR, 4), MSR_PASS_R },
	{ X2_VEC(APIC_TMR, 5), MSR_PASS_R },
	{ X2_VEC(APIC_TMR, 6), MSR_PASS_R },
	{ X2_VEC(APIC_TMR, 7), MSR_PASS_R },
	{ X2_VEC(APIC_IRR, 0), MSR_PASS_R },
	{ X2_VEC(APIC_IRR, 1), MSR_PASS_R },
	{ X2_VEC(APIC_IRR, 2), MSR_PASS_R },
	{ X2_VEC(APIC_IRR, 3), MSR_PASS_R },
	{ X2_VEC(APIC_IRR, 4), MSR_PASS_R },
	{ X2_VEC(APIC_IRR, 5), MSR_PASS_R },
	{ X2_VEC(APIC_IRR, 6), MSR_PASS_R },
	{ X2_VEC(APIC_IRR, 7), MSR_PASS_R },
	{ X2(APIC_ESR), MSR_PASS_R },
	{ X2(APIC_LVT_CMCI), MSR_PASS_R },
	{ X2(APIC_ICR), MSR_PASS_R },
	{ X2(APIC_LVT_TIMER), MSR_PASS_R },
	{ X2(APIC_LVT_THERMAL), MSR_PASS_R },
	{ X2(APIC_LVT_PMC), MSR_PASS_R },
	{ X2(APIC_LVT_LINT0), MSR_PASS_R },
	{ X2(APIC_LVT_LINT1), MSR_PASS_R },
	{ X2(APIC_LVT_ERROR), MSR_PASS_R },
	{ X2(APIC_TMICT), MSR_PASS_R },
	{ X2(APIC_TDCR), MSR_PASS_R },
	{ X2(APIC_SELF_IPI), MSR_PASS_W },
};
const unsigned int vmx_x2apic_msrs_count =
	sizeof(vmx_x2apic_msrs) / sizeof(vmx_x2apic_msrs[0]);

int vmx_apicv_msr_bitmap(uint8_t *bm)
{
	struct msr_pass t[VMX_APICV_MSR_TABLE_MAX];
	unsigned int n = msr_passthrough_count;

	if (n + vmx_x2apic_msrs_count > VMX_APICV_MSR_TABLE_MAX)
		return -1;
	memcpy(t, msr_passthrough, n * sizeof(t[0]));
	memcpy(t + n, vmx_x2apic_msrs, vmx_x2apic_msrs_count * sizeof(t[0]));
	msr_bitmap_vmx(bm, t, n + vmx_x2apic_msrs_count);
	return 0;
}

#define VMX_INTR_STATUS_SVI_SHIFT 8

uint16_t vmx_guest_intr_status(int highest_irr, int highest_isr)
{
	uint16_t rvi = highest_irr >= 0 ? (uint16_t)(highest_irr & 0xff) : 0;
	uint16_t svi = highest_isr >= 0 ? (uint16_t)(highest_isr & 0xff) : 0;

	return rvi | (uint16_t)(svi << VMX_INTR_STATUS_SVI_SHIFT);
}

#define TMR_WORDS 8 /* 32-bit TMR words, one per 16 bytes */

void vmx_eoi_exit_bitmap(const uint8_t *page, uint64_t out[VMX_EOI_EXIT_WORDS])
{
	for (unsigned int i = 0; i < VMX_EOI_EXIT_WORDS; i++) {
		uint32_t lo, hi;

		memcpy(&lo, page + APIC_TMR + 2 * i * APIC_VECTOR_STRIDE,
		       sizeof(lo));
		memcpy(&hi, page + APIC_TMR + (2 * i + 1) * APIC_VECTOR_STRIDE,
		       sizeof(hi));
		out[i] = (uint64_t)lo | ((uint64_t)hi << 32);
	}
}

void vmx_pi_init(struct vmx_pi_desc *d, uint8_t nv, uint32_t ndst)
{
	memset(d, 0, sizeof(*d));
	d->control = ((uint64_t)nv << VMX_PI_NV_SHIFT) |
		     ((uint64_t)ndst << VMX_PI_NDST_SHIFT);
}

#define BITS_PER_PIR_WORD 64

bool vmx_pi_post(struct vmx_pi_desc *d, uint8_t vector)
{
	uint64_t old;

	__atomic_fetch_or(&d->pir[vector / BITS_PER_PIR_WORD],
			  1ull << (vector % BITS_PER_PIR_WORD),
			  __ATOMIC_SEQ_CST);
	old = __atomic_fetch_or(&d->control, VMX_PI_ON, __ATOMIC_SEQ_CST);
	return !(old & (VMX_PI_ON | VMX_PI_SN));
}

void vmx_pi_drain(struct vmx_pi_desc *d, uint64_t pir[VMX_PI_PIR_WORDS])
{
	__atomic_fetch_and(&d->control, ~VMX_PI_ON, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < VMX_PI_PIR_WORDS; i++)
		pir[i] = __atomic_exchange_n(&d->pir[i], 0, __ATOMIC_SEQ_CST);
}
