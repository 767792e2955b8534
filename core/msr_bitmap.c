// SPDX-License-Identifier: MIT
/* MSR bitmap builders (see msr_bitmap.h). */
#include <string.h>

#include "core/msr_bitmap.h"

/*
 * Passed through on both vendors. FS/GS base and SYSENTER_* are switched
 * by the VMCS/VMCB; KERNEL_GS_BASE, the SYSCALL MSRs and TSC_AUX are not
 * switched by VMX but the host never uses them and every physical CPU
 * runs exactly one vCPU (static partitioning), so the guest may own the
 * hardware registers; on SVM VMLOAD/VMSAVE switch them.
 */
const struct msr_pass msr_passthrough[] = {
	{ 0xc0000100, MSR_PASS_R | MSR_PASS_W }, /* FS_BASE */
	{ 0xc0000101, MSR_PASS_R | MSR_PASS_W }, /* GS_BASE */
	{ 0xc0000102, MSR_PASS_R | MSR_PASS_W }, /* KERNEL_GS_BASE */
	{ 0xc0000081, MSR_PASS_R | MSR_PASS_W }, /* STAR */
	{ 0xc0000082, MSR_PASS_R | MSR_PASS_W }, /* LSTAR */
	{ 0xc0000083, MSR_PASS_R | MSR_PASS_W }, /* CSTAR */
	{ 0xc0000084, MSR_PASS_R | MSR_PASS_W }, /* SFMASK */
	{ 0x174, MSR_PASS_R | MSR_PASS_W }, /* SYSENTER_CS */
	{ 0x175, MSR_PASS_R | MSR_PASS_W }, /* SYSENTER_ESP */
	{ 0x176, MSR_PASS_R | MSR_PASS_W }, /* SYSENTER_EIP */
	{ 0xc0000103, MSR_PASS_R | MSR_PASS_W }, /* TSC_AUX */
};
const unsigned int msr_passthrough_count =
	sizeof(msr_passthrough) / sizeof(msr_passthrough[0]);

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
