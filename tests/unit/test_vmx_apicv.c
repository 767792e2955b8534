// SPDX-License-Identifier: MIT
/*
 * Unit tests of arch/x86/vmx/vmx_apicv.c: the x2APIC MSR bitmap policy
 * under "virtualize x2APIC mode" + "APIC-register virtualization" +
 * "virtual-interrupt delivery", the guest interrupt status and the
 * EOI-exit bitmaps. Expected values are written out from the Intel SDM
 * vol. 3C (2023) chapter 31 and 25.4.2, not computed with the code under
 * test. Posted interrupts: test_vmx_pi.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/vmx/vmx_apicv.h"
#include "vmm/msr_bitmap.h"
#include "vlapic/vlapic.h"

#define BIT(n) (1ull << (n))

static uint8_t bm[VMX_MSR_BITMAP_SIZE];

/*
 * SDM 31.5: the x2APIC MSRs whose RDMSR reads the virtual-APIC page when
 * "APIC-register virtualization" is 1. A read of any other MSR in
 * 0x800-0x8FF that the bitmap passes would reach the physical x2APIC.
 */
static bool sdm_read_virtualized(uint32_t msr)
{
	return msr == 0x802 || msr == 0x803 || msr == 0x808 || msr == 0x80a ||
	       msr == 0x80d || msr == 0x80f || (msr >= 0x810 && msr <= 0x827) ||
	       msr == 0x828 || msr == 0x82f || msr == 0x830 ||
	       (msr >= 0x832 && msr <= 0x839) || msr == 0x83e;
}

static int setup_bitmap(void **state)
{
	memset(bm, 0, sizeof(bm));
	return vmx_apicv_msr_bitmap(bm);
}

static void test_reads_passed(void **state)
{
	static const uint32_t passed[] = {
		0x802, 0x803, 0x808, 0x80a, 0x80d, 0x80f, 0x810, 0x817,
		0x818, 0x81f, 0x820, 0x827, 0x828, 0x82f, 0x830, 0x832,
		0x833, 0x834, 0x835, 0x836, 0x837, 0x838, 0x83e,
	};

	for (unsigned int i = 0; i < sizeof(passed) / sizeof(passed[0]); i++)
		assert_false(msr_bitmap_vmx_intercepts(bm, passed[i], false));
}

static void test_reads_intercepted(void **state)
{
	/* Current count is computed by the vlapic, not in the page. */
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x839, false));
	/* EOI and SELF IPI are write-only: #GP from the vlapic. */
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x80b, false));
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x83f, false));
	/* Non-existent registers and the ICR2 slot. */
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x800, false));
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x831, false));
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x8ff, false));
	/* Not an APIC register: IA32_TSC_DEADLINE, IA32_APIC_BASE. */
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x6e0, false));
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x1b, false));
}

/* No passed read may fall outside the SDM's virtualized set. */
static void test_no_read_reaches_hardware(void **state)
{
	for (uint32_t msr = 0x800; msr <= 0x8ff; msr++)
		if (!msr_bitmap_vmx_intercepts(bm, msr, false))
			assert_true(sdm_read_virtualized(msr));
}

static void test_writes(void **state)
{
	for (uint32_t msr = 0x800; msr <= 0x8ff; msr++) {
		bool pass = msr == 0x808 || msr == 0x80b || msr == 0x83f;

		assert_int_equal(!msr_bitmap_vmx_intercepts(bm, msr, true),
				 pass);
	}
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x830, true)); /* ICR */
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x6e0, true));
	assert_true(msr_bitmap_vmx_intercepts(bm, 0x1b, true));
}

/* The core's whitelist is still in the merged bitmap. */
static void test_core_passthrough_kept(void **state)
{
	assert_true(msr_passthrough_count > 0);
	for (unsigned int i = 0; i < msr_passthrough_count; i++) {
		const struct msr_pass *p = &msr_passthrough[i];

		assert_int_equal(!msr_bitmap_vmx_intercepts(bm, p->msr, false),
				 !!(p->how & MSR_PASS_R));
		assert_int_equal(!msr_bitmap_vmx_intercepts(bm, p->msr, true),
				 !!(p->how & MSR_PASS_W));
	}
}

/*
 * What the CPU returns for a passed read (the page at (MSR & 0xFF) << 4,
 * 64 bits for the ICR, SDM 31.5) must be what vlapic_rdmsr returns.
 */
static void test_passed_reads_match_vlapic(void **state)
{
	static struct vlapic vl;
	const uint8_t *page;

	vlapic_init(&vl, 0x13, false, 1, NULL, NULL);
	assert_int_equal(vlapic_wrmsr(&vl, 0x80f, 0x1ff), 0); /* SVR */
	assert_int_equal(vlapic_wrmsr(&vl, 0x808, 0x20), 0); /* TPR */
	assert_int_equal(vlapic_wrmsr(&vl, 0x832, 0x10031), 0); /* LVTT */
	assert_int_equal(vlapic_wrmsr(&vl, 0x83e, 0xa), 0); /* TDCR */
	assert_int_equal(vlapic_wrmsr(&vl, 0x830, 0x500000000ull | 0x40), 0);
	vlapic_set_irq(&vl, 0x45, true);
	vlapic_set_irq(&vl, 0x81, false);
	page = vlapic_page(&vl);
	for (uint32_t msr = 0x800; msr <= 0x8ff; msr++) {
		uint64_t want, got = 0;
		uint32_t lo;
		unsigned int off = (msr & 0xff) << 4;

		if (msr_bitmap_vmx_intercepts(bm, msr, false))
			continue;
		assert_int_equal(vlapic_rdmsr(&vl, msr, &want), 0);
		if (msr == 0x830) {
			memcpy(&got, page + off, sizeof(got));
		} else {
			memcpy(&lo, page + off, sizeof(lo));
			got = lo;
		}
		assert_int_equal(got, want);
	}
}

static void test_intr_status(void **state)
{
	assert_int_equal(vmx_guest_intr_status(-1, -1), 0);
	assert_int_equal(vmx_guest_intr_status(0x31, -1), 0x0031);
	assert_int_equal(vmx_guest_intr_status(-1, 0x20), 0x2000);
	assert_int_equal(vmx_guest_intr_status(0xff, 0xfe), 0xfeff);
	assert_int_equal(vmx_guest_intr_status(0x10, 0x80), 0x8010);
}

static void test_eoi_exit_follows_tmr(void **state)
{
	static struct vlapic vl;
	uint64_t out[VMX_EOI_EXIT_WORDS];

	vlapic_init(&vl, 0, true, 1, NULL, NULL);
	assert_int_equal(vlapic_wrmsr(&vl, 0x80f, 0x1ff), 0);
	vmx_eoi_exit_bitmap(vlapic_page(&vl), out);
	for (unsigned int i = 0; i < VMX_EOI_EXIT_WORDS; i++)
		assert_int_equal(out[i], 0);
	vlapic_set_irq(&vl, 0x45, true); /* word 1, bit 5 */
	vlapic_set_irq(&vl, 0x46, false);
	vlapic_set_irq(&vl, 0xfe, true); /* word 3, bit 62 */
	vlapic_set_irq(&vl, 0x20, true); /* word 0, bit 32 */
	vmx_eoi_exit_bitmap(vlapic_page(&vl), out);
	assert_int_equal(out[0], BIT(32));
	assert_int_equal(out[1], BIT(5));
	assert_int_equal(out[2], 0);
	assert_int_equal(out[3], BIT(62));
	/* Accepted edge-triggered again: the TMR bit, and the exit, go. */
	vlapic_set_irq(&vl, 0x45, false);
	vmx_eoi_exit_bitmap(vlapic_page(&vl), out);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[3], BIT(62));
}

int main(void)
{
	const struct CMUnitTest bitmap[] = {
		cmocka_unit_test(test_reads_passed),
		cmocka_unit_test(test_reads_intercepted),
		cmocka_unit_test(test_no_read_reaches_hardware),
		cmocka_unit_test(test_writes),
		cmocka_unit_test(test_core_passthrough_kept),
		cmocka_unit_test(test_passed_reads_match_vlapic),
	};
	const struct CMUnitTest rest[] = {
		cmocka_unit_test(test_intr_status),
		cmocka_unit_test(test_eoi_exit_follows_tmr),
	};
	int fails = cmocka_run_group_tests_name("vmx_apicv_bitmap", bitmap,
						setup_bitmap, NULL);

	return fails +
	       cmocka_run_group_tests_name("vmx_apicv", rest, NULL, NULL);
}
