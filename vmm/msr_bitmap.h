/* SPDX-License-Identifier: MIT */
/*
 * MSR bitmaps as a whitelist built from one table: every MSR is
 * intercepted unless the table lets the guest touch it directly.
 */
#ifndef X2HV_CORE_MSR_BITMAP_H
#define X2HV_CORE_MSR_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_PASS_R 1u
#define MSR_PASS_W 2u

struct msr_pass {
	uint32_t msr;
	unsigned int how; /* MSR_PASS_R | MSR_PASS_W */
};

extern const struct msr_pass msr_passthrough[];
extern const unsigned int msr_passthrough_count;

/*
 * The x2APIC registers APIC virtualization may serve from the vlapic page
 * (VMX APIC-register virtualization, SDM 31.5; SVM x2AVIC, APM 15.29):
 * reads of every register whose RDMSR value is exactly the page content
 * (vlapic_rdmsr), plus writes of TPR and EOI, which both vendors complete
 * in hardware. Not the timer current count (computed by the vlapic) nor
 * any register whose write has side effects in the vlapic.
 */
extern const struct msr_pass x2apic_page_msrs[];
extern const unsigned int x2apic_page_msrs_count;
#define MSR_TABLE_MAX 128
/* @out = msr_passthrough + x2apic_page_msrs + @extra (vendor-specific
 * writes). Returns the entry count, or -1 if more than @max. */
int msr_table_with_x2apic(struct msr_pass *out, unsigned int max,
			  const struct msr_pass *extra, unsigned int n_extra);

/* Intel SDM vol. 3C 25.6.9: 4 KiB; read-low, read-high, write-low,
 * write-high quarters for MSRs 0-0x1fff and 0xc0000000-0xc0001fff. */
#define VMX_MSR_BITMAP_SIZE 4096
void msr_bitmap_vmx(uint8_t *bm, const struct msr_pass *t, unsigned int n);
/* AMD APM vol. 2 15.11: 8 KiB, two bits (read, write) per MSR in three
 * 2 KiB vectors for 0-0x1fff, 0xc0000000-, 0xc0010000-. */
#define SVM_MSR_BITMAP_SIZE 8192
void msr_bitmap_svm(uint8_t *bm, const struct msr_pass *t, unsigned int n);

/* Is @msr intercepted for a read (@write false) or a write? */
bool msr_bitmap_vmx_intercepts(const uint8_t *bm, uint32_t msr, bool write);
bool msr_bitmap_svm_intercepts(const uint8_t *bm, uint32_t msr, bool write);

#endif
