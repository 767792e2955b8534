// SPDX-License-Identifier: MIT
/*
 * VMX APIC virtualization, pure part (see vmx_apicv.h): the x2APIC MSR
 * policy, guest interrupt status and EOI-exit bitmaps (posted interrupts:
 * vmx_pi.c). Section numbers: Intel SDM vol. 3C, 2023.
 */
#include <string.h>

#include "arch/x86/vmx/vmx_apicv.h"
#include "vlapic/vlapic_regs.h"

/*
 * With "virtualize x2APIC mode" and "APIC-register virtualization", an
 * RDMSR of 0x800-0x8FF that the MSR bitmap does not intercept reads the
 * virtual-APIC page at offset (MSR & 0xFF) << 4 (SDM 31.5), but only for
 * the registers that section lists; any other MSR in the range would
 * reach the physical x2APIC, so it must stay intercepted. The common set
 * (vmm/msr_bitmap.c: x2apic_page_msrs, all within that list) covers the
 * page reads and the TPR (31.1.2) and EOI (31.1.3; level-triggered
 * vectors exit through the EOI-exit bitmap) writes; with virtual-
 * interrupt delivery VMX also completes SELF IPI writes (31.1.4). Every
 * other write has side effects in the vlapic and stays intercepted.
 */
const struct msr_pass vmx_x2apic_writes[] = {
	{ X2APIC_MSR(APIC_SELF_IPI), MSR_PASS_W },
};
const unsigned int vmx_x2apic_writes_count =
	sizeof(vmx_x2apic_writes) / sizeof(vmx_x2apic_writes[0]);

int vmx_apicv_msr_bitmap(uint8_t *bm)
{
	struct msr_pass t[MSR_TABLE_MAX];
	int n = msr_table_with_x2apic(t, MSR_TABLE_MAX, vmx_x2apic_writes,
				      vmx_x2apic_writes_count);

	if (n < 0)
		return -1;
	msr_bitmap_vmx(bm, t, (unsigned int)n);
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
