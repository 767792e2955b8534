// SPDX-License-Identifier: MIT
/* MSR bitmap builders (see msr_bitmap.h). */
#include <string.h>

#include "include/x86.h"
#include "vmm/msr_bitmap.h"
#include "vlapic/vlapic_regs.h"

/*
 * Passed through on both vendors. FS/GS base and SYSENTER_* are switched
 * by the VMCS/VMCB; KERNEL_GS_BASE, the SYSCALL MSRs and TSC_AUX are not
 * switched by VMX but the host never uses them and every physical CPU
 * runs exactly one vCPU (static partitioning), so the guest may own the
 * hardware registers; on SVM VMLOAD/VMSAVE switch them.
 */
const struct msr_pass msr_passthrough[] = {
	{ MSR_FS_BASE, MSR_PASS_R | MSR_PASS_W },
	{ MSR_GS_BASE, MSR_PASS_R | MSR_PASS_W },
	{ MSR_KERNEL_GS_BASE, MSR_PASS_R | MSR_PASS_W },
	{ MSR_STAR, MSR_PASS_R | MSR_PASS_W },
	{ MSR_LSTAR, MSR_PASS_R | MSR_PASS_W },
	{ MSR_CSTAR, MSR_PASS_R | MSR_PASS_W },
	{ MSR_SFMASK, MSR_PASS_R | MSR_PASS_W },
	{ MSR_IA32_SYSENTER_CS, MSR_PASS_R | MSR_PASS_W },
	{ MSR_IA32_SYSENTER_ESP, MSR_PASS_R | MSR_PASS_W },
	{ MSR_IA32_SYSENTER_EIP, MSR_PASS_R | MSR_PASS_W },
	{ MSR_TSC_AUX, MSR_PASS_R | MSR_PASS_W },
};
const unsigned int msr_passthrough_count =
	sizeof(msr_passthrough) / sizeof(msr_passthrough[0]);

#define RW (MSR_PASS_R | MSR_PASS_W)
#define X2(off) X2APIC_MSR(off)
#define X2_VEC(base, i) X2APIC_MSR((base) + (i)*APIC_VECTOR_STRIDE)

const struct msr_pass x2apic_page_msrs[] = {
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
};
const unsigned int x2apic_page_msrs_count =
	sizeof(x2apic_page_msrs) / sizeof(x2apic_page_msrs[0]);

int msr_table_with_x2apic(struct msr_pass *out, unsigned int max,
			  const struct msr_pass *extra, unsigned int n_extra)
{
	unsigned int n = msr_passthrough_count;

	if (n + x2apic_page_msrs_count + n_extra > max)
		return -1;
	memcpy(out, msr_passthrough, n * sizeof(*out));
	memcpy(out + n, x2apic_page_msrs,
	       x2apic_page_msrs_count * sizeof(*out));
	n += x2apic_page_msrs_count;
	memcpy(out + n, extra, n_extra * sizeof(*out));
	return (int)(n + n_extra);
}

#define LOW_END 0x2000u
#define HIGH_BASE 0xc0000000u
#define SVM_RANGE2_BASE 0xc0010000u
#define VMX_READ_LOW 0
#define VMX_READ_HIGH 1024
#define VMX_WRITE_LOW 2048
#define VMX_WRITE_HIGH 3072
#define SVM_VEC_BYTES 2048

/* Byte offset of @msr's read bit, or -1 when not covered. */
static long vmx_read_bit(uint32_t msr)
{
	if (msr < LOW_END)
		return VMX_READ_LOW * 8L + msr;
	if (msr >= HIGH_BASE && msr - HIGH_BASE < LOW_END)
		return VMX_READ_HIGH * 8L + (msr - HIGH_BASE);
	return -1;
}

static long svm_bit(uint32_t msr)
{
	if (msr < LOW_END)
		return 2L * msr;
	if (msr >= HIGH_BASE && msr - HIGH_BASE < LOW_END)
		return SVM_VEC_BYTES * 8L + 2L * (msr - HIGH_BASE);
	if (msr >= SVM_RANGE2_BASE && msr - SVM_RANGE2_BASE < LOW_END)
		return 2 * SVM_VEC_BYTES * 8L + 2L * (msr - SVM_RANGE2_BASE);
	return -1;
}

static void clear_bit(uint8_t *bm, long bit)
{
	bm[bit / 8] &= ~(1u << (bit % 8));
}

static bool test_bit(const uint8_t *bm, long bit)
{
	return bm[bit / 8] & (1u << (bit % 8));
}

void msr_bitmap_vmx(uint8_t *bm, const struct msr_pass *t, unsigned int n)
{
	memset(bm, 0xff, VMX_MSR_BITMAP_SIZE);
	for (unsigned int i = 0; i < n; i++) {
		long r = vmx_read_bit(t[i].msr);

		if (r < 0)
			continue;
		if (t[i].how & MSR_PASS_R)
			clear_bit(bm, r);
		if (t[i].how & MSR_PASS_W)
			clear_bit(bm, r + (VMX_WRITE_LOW - VMX_READ_LOW) * 8L);
	}
}

void msr_bitmap_svm(uint8_t *bm, const struct msr_pass *t, unsigned int n)
{
	memset(bm, 0xff, SVM_MSR_BITMAP_SIZE);
	for (unsigned int i = 0; i < n; i++) {
		long b = svm_bit(t[i].msr);

		if (b < 0)
			continue;
		if (t[i].how & MSR_PASS_R)
			clear_bit(bm, b);
		if (t[i].how & MSR_PASS_W)
			clear_bit(bm, b + 1);
	}
}

bool msr_bitmap_vmx_intercepts(const uint8_t *bm, uint32_t msr, bool write)
{
	long r = vmx_read_bit(msr);

	if (r < 0)
		return true;
	return test_bit(bm,
			write ? r + (VMX_WRITE_LOW - VMX_READ_LOW) * 8L : r);
}

bool msr_bitmap_svm_intercepts(const uint8_t *bm, uint32_t msr, bool write)
{
	long b = svm_bit(msr);

	if (b < 0)
		return true;
	return test_bit(bm, b + (write ? 1 : 0));
}
