// SPDX-License-Identifier: MIT
/*
 * Unit tests of arch/x86/svm/svm_avic.c, the pure half of SVM AVIC/x2AVIC:
 * physical/logical table entries, VMCB field values, the x2APIC MSR
 * permission map, and the decoding of the two AVIC exits. Expected values
 * are written out from the AMD APM vol. 2 15.29 layouts, not computed with
 * the code under test. No emulator implements AVIC, so these are the only
 * executable checks of the encodings (docs/avic.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/svm/svm_avic.h"
#include "vmm/msr_bitmap.h"
#include "vlapic/vlapic.h"

#define BIT(n) (1ull << (n))

/* ------------------------------------------------------------ CPUID */

static void test_supported_needs_both_bits(void **state)
{
	assert_false(avic_supported(0));
	assert_false(avic_supported(BIT(13))); /* AVIC alone */
	assert_false(avic_supported(BIT(18))); /* x2AVIC alone */
	assert_true(avic_supported(BIT(13) | BIT(18)));
	/* Other feature bits (NPT, NRIP, vGIF) do not matter. */
	assert_true(avic_supported(0xffffffffu));
	assert_false(avic_supported(0xffffffffu & ~(uint32_t)BIT(18)));
}

/* ------------------------------------------------- physical table entry */

static void test_phys_entry_fields(void **state)
{
	uint64_t pa = 0x000abcdef1234000ull; /* bits 51:12 */
	uint64_t e = avic_phys_entry(pa, 0x5a);

	assert_int_equal(e, BIT(63) | pa | 0x5a);
	assert_true(e & BIT(63)); /* Valid */
	assert_false(e & BIT(62)); /* IsRunning starts clear */
	assert_int_equal(e & 0xfff, 0x5a); /* host physical APIC ID */
	assert_int_equal(e & 0x000ffffffffff000ull, pa);
	/* Bits 61:52 are reserved and stay zero. */
	assert_int_equal(e & 0x3ff0000000000000ull, 0);
}

static void test_phys_entry_extremes(void **state)
{
	/* Highest page below 2^52, host ID 0 and 255. */
	assert_int_equal(avic_phys_entry(0x000ffffffffff000ull, 0),
			 BIT(63) | 0x000ffffffffff000ull);
	assert_int_equal(avic_phys_entry(0x1000, 255), BIT(63) | 0x1000 | 255);
	assert_int_equal(avic_phys_entry(0, 7), BIT(63) | 7);
}

static void test_phys_entry_rejects(void **state)
{
	assert_int_equal(avic_phys_entry(0x1234008, 1), 0); /* unaligned */
	assert_int_equal(avic_phys_entry(0x1000ull | BIT(52), 1), 0);
	assert_int_equal(avic_phys_entry(BIT(63), 1), 0);
	assert_int_equal(avic_phys_entry(0x1000, 256), 0); /* ID too wide */
	assert_int_equal(avic_phys_entry(0x1000, 0xffffffffu), 0);
}

static void test_set_running_only_bit62(void **state)
{
	uint64_t e = avic_phys_entry(0x7fff000, 0x21);
	uint64_t r = avic_phys_set_running(e, true);

	assert_int_equal(r, e | BIT(62));
	assert_true(avic_phys_is_running(r));
	assert_false(avic_phys_is_running(e));
	/* Setting twice changes nothing. */
	assert_int_equal(avic_phys_set_running(r, true), r);
}

static void test_clear_running_keeps_other_bits(void **state)
{
	/* Every bit set: only 62 may change. */
	assert_int_equal(avic_phys_set_running(~0ull, false), ~0ull & ~BIT(62));
	assert_int_equal(avic_phys_set_running(BIT(62), false), 0);
	assert_int_equal(avic_phys_set_running(0, true), BIT(62));
	assert_int_equal(avic_phys_set_running(~BIT(62), true), ~0ull);
}

static void test_running_roundtrip_many(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < 1000; i++) {
		uint64_t on, off;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		on = avic_phys_set_running(x, true);
		off = avic_phys_set_running(x, false);
		assert_int_equal(on ^ off, BIT(62));
		assert_int_equal(on & ~BIT(62), x & ~BIT(62));
		assert_int_equal(avic_phys_set_running(on, false), off);
	}
}

static void test_phys_accessors(void **state)
{
	uint64_t e =
		avic_phys_set_running(avic_phys_entry(0x345000, 0xc3), true);

	assert_int_equal(avic_phys_host_id(e), 0xc3);
	assert_int_equal(avic_phys_backing(e), 0x345000);
	/* Valid/IsRunning never leak into the host ID or the address. */
	assert_int_equal(avic_phys_host_id(BIT(63) | BIT(62)), 0);
	assert_int_equal(avic_phys_backing(BIT(63) | BIT(62) | 0xfff), 0);
}

static void test_logical_entry(void **state)
{
	assert_int_equal(avic_logical_entry(0), BIT(31));
	assert_int_equal(avic_logical_entry(0x7f), BIT(31) | 0x7f);
	assert_int_equal(avic_logical_entry(0xff), BIT(31) | 0xff);
}

/* ------------------------------------------------------------ VMCB fields */

static void test_physical_table_field(void **state)
{
	assert_int_equal(avic_physical_table_field(0x55000, 0), 0x55000);
	assert_int_equal(avic_physical_table_field(0x55000, 15), 0x5500f);
	/* x2AVIC's 512-entry table: index 0x1ff is the largest. */
	assert_int_equal(avic_physical_table_field(0x55000, 0x1ff), 0x551ff);
	assert_int_equal(avic_physical_table_field(0x55000, 0x200), 0);
	assert_int_equal(avic_physical_table_field(0x55000, 0xffffffffu), 0);
	assert_int_equal(avic_physical_table_field(0x55800, 1), 0);
	assert_int_equal(avic_physical_table_field(BIT(52), 1), 0);
}

static void test_page_field(void **state)
{
	assert_int_equal(avic_page_field(0xfee00000ull), 0xfee00000ull);
	assert_int_equal(avic_page_field(0x000ffffffffff000ull),
			 0x000ffffffffff000ull);
	assert_int_equal(avic_page_field(0xfee00010ull), 0);
	assert_int_equal(avic_page_field(BIT(52)), 0);
	assert_int_equal(AVIC_GUEST_APIC_BAR, 0xfee00000ull);
}

/* The AVIC fields sit where APM appendix B puts them. */
static void test_vmcb_avic_offsets(void **state)
{
	assert_int_equal(offsetof(struct vmcb, vintr), 0x060);
	assert_int_equal(offsetof(struct vmcb, avic_apic_bar), 0x098);
	assert_int_equal(offsetof(struct vmcb, avic_backing_pa), 0x0e0);
	assert_int_equal(offsetof(struct vmcb, avic_logical_pa), 0x0f0);
	assert_int_equal(offsetof(struct vmcb, avic_physical_pa), 0x0f8);
	assert_int_equal(SVM_EXIT_AVIC_IPI, 0x401);
	assert_int_equal(SVM_EXIT_AVIC_NOACCEL, 0x402);
	assert_int_equal(SVM_VINTR_AVIC, BIT(31));
	assert_int_equal(SVM_VINTR_X2AVIC, BIT(30));
}

static void test_vintr_enable(void **state)
{
	/* V_INTR_MASKING (24) set, an open interrupt window (V_IRQ 8,
	 * V_IGN_TPR 20, priority 19:16) and V_TPR 3:0 = 5. */
	uint64_t before = BIT(24) | BIT(8) | BIT(20) | (0xfull << 16) | 5;
	uint64_t v = avic_vintr(before, true);

	assert_true(v & BIT(31)); /* AVIC_ENABLE */
	assert_true(v & BIT(30)); /* x2AVIC_ENABLE */
	assert_true(v & BIT(24)); /* V_INTR_MASKING kept */
	assert_false(v & BIT(8)); /* no V_IRQ */
	assert_false(v & BIT(20));
	assert_int_equal(v & (0xfull << 16), 0);
	assert_int_equal(v & 0xf, 5);
	assert_int_equal(v, BIT(31) | BIT(30) | BIT(24) | 5);
}

static void test_vintr_disable(void **state)
{
	uint64_t on = BIT(31) | BIT(30) | BIT(24) | BIT(8);

	assert_int_equal(avic_vintr(on, false), BIT(24) | BIT(8));
	assert_int_equal(avic_vintr(0, false), 0);
	assert_int_equal(avic_vintr(BIT(24), true),
			 BIT(31) | BIT(30) | BIT(24));
}

/* ------------------------------------------------------- MSR permissions */

static uint8_t msrpm[SVM_MSR_BITMAP_SIZE];

/* Read bit of @msr in 0-0x1fff: bit 2 * msr of the map (APM 15.11). */
static int raw_bit(uint32_t msr, bool write)
{
	unsigned long b = 2ul * msr + (write ? 1 : 0);

	return (msrpm[b / 8] >> (b % 8)) & 1;
}

static bool intercepts(uint32_t msr, bool write)
{
	return msr_bitmap_svm_intercepts(msrpm, msr, write);
}

static void test_msr_accelerated_reads(void **state)
{
	const uint32_t reads[] = { 0x802, 0x803, 0x808, 0x80a, 0x80d, 0x80f,
				   0x828, 0x82f, 0x830, 0x832, 0x833, 0x834,
				   0x835, 0x836, 0x837, 0x838, 0x83e };

	assert_int_equal(avic_msr_bitmap(msrpm), 0);
	for (unsigned int i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		assert_false(intercepts(reads[i], false));
		assert_int_equal(raw_bit(reads[i], false), 0);
	}
	/* ISR 0x810-0x817, TMR 0x818-0x81f, IRR 0x820-0x827. */
	for (uint32_t m = 0x810; m <= 0x827; m++)
		assert_false(intercepts(m, false));
}

static void test_msr_accelerated_writes(void **state)
{
	assert_int_equal(avic_msr_bitmap(msrpm), 0);
	/* TPR 0x808, EOI 0x80b, ICR 0x830; byte 0x20c bit 1 is ICR write. */
	assert_false(intercepts(0x808, true));
	assert_false(intercepts(0x80b, true));
	assert_false(intercepts(0x830, true));
	assert_int_equal((msrpm[0x20c] >> 1) & 1, 0);
	assert_int_equal(msrpm[0x20c] & 1, 0); /* ICR read */
	/* EOI is write-only: its read still exits (vlapic: #GP). */
	assert_true(intercepts(0x80b, false));
}

static void test_msr_intercepted_x2apic(void **state)
{
	const uint32_t writes[] = { 0x802, 0x803, 0x80a, 0x80d, 0x80f, 0x828,
				    0x82f, 0x832, 0x833, 0x834, 0x835, 0x836,
				    0x837, 0x838, 0x839, 0x83e, 0x83f };

	assert_int_equal(avic_msr_bitmap(msrpm), 0);
	/* Timer current count: computed by the vlapic, never in the page. */
	assert_true(intercepts(0x839, false));
	/* SELF IPI both ways; the write side-effect registers. */
	assert_true(intercepts(0x83f, false));
	for (unsigned int i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		assert_true(intercepts(writes[i], true));
	/* ISR/TMR/IRR are read-only. */
	for (uint32_t m = 0x810; m <= 0x827; m++)
		assert_true(intercepts(m, true));
	/* Registers that do not exist must reach the vlapic (#GP). */
	assert_true(intercepts(0x800, false));
	assert_true(intercepts(0x801, false));
	assert_true(intercepts(0x809, false));
	assert_true(intercepts(0x831, false));
	assert_true(intercepts(0x83a, false));
	assert_true(intercepts(0x840, false));
	assert_true(intercepts(0x8ff, true));
}

static void test_msr_count_exact(void **state)
{
	unsigned int r = 0, w = 0;

	assert_int_equal(avic_msr_bitmap(msrpm), 0);
	for (uint32_t m = 0x800; m <= 0x8ff; m++) {
		r += !intercepts(m, false);
		w += !intercepts(m, true);
	}
	/* 17 single registers + 24 ISR/TMR/IRR words; 3 writes. */
	assert_int_equal(r, 41);
	assert_int_equal(w, 3);
	/* Neighbours of the range are untouched. */
	assert_true(intercepts(0x7ff, false));
	assert_true(intercepts(0x900, true));
}

static void test_msr_keeps_passthrough_list(void **state)
{
	assert_int_equal(avic_msr_bitmap(msrpm), 0);
	for (unsigned int i = 0; i < msr_passthrough_count; i++) {
		const struct msr_pass *p = &msr_passthrough[i];

		assert_int_equal(intercepts(p->msr, false),
				 !(p->how & MSR_PASS_R));
		assert_int_equal(intercepts(p->msr, true),
				 !(p->how & MSR_PASS_W));
	}
	/* APIC base and TSC deadline stay with the vlapic. */
	assert_true(intercepts(0x1b, false));
	assert_true(intercepts(0x1b, true));
	assert_true(intercepts(0x6e0, true));
	/* The doorbell is never the guest's. */
	assert_true(intercepts(AVIC_MSR_DOORBELL, true));
}

/*
 * The hardware reads a passed-through register straight from the backing
 * page, so each must be one the vlapic keeps in its page: compare every
 * accelerated read with vlapic_rdmsr after changing state. ICR: AVIC keeps
 * the destination at 0x310 (vlapic.h mirrors it there).
 */
static struct vlapic vl;

static uint32_t page32(uint32_t off)
{
	uint32_t v;

	memcpy(&v, (uint8_t *)vlapic_page(&vl) + off, sizeof(v));
	return v;
}

static void test_msr_reads_match_page(void **state)
{
	vlapic_init(&vl, 0x13, false, 1, NULL, NULL);
	assert_int_equal(vlapic_wrmsr(&vl, 0x80f, 0x1ff), 0); /* SVR on */
	assert_int_equal(vlapic_wrmsr(&vl, 0x808, 0x20), 0); /* TPR */
	assert_int_equal(vlapic_wrmsr(&vl, 0x835, 0x10031), 0); /* LINT0 */
	assert_int_equal(vlapic_wrmsr(&vl, 0x838, 12345), 0); /* TMICT */
	assert_int_equal(vlapic_wrmsr(&vl, 0x830, 0x0000000700000040ull), 0);
	vlapic_set_irq(&vl, 0x61, false);
	vlapic_set_irq(&vl, 0xe3, true);

	for (unsigned int i = 0; i < x2apic_page_msrs_count; i++) {
		const struct msr_pass *p = &x2apic_page_msrs[i];
		uint32_t off = (p->msr - 0x800) << 4;
		uint64_t val;

		assert_in_range(p->msr, 0x800, 0x8ff);
		if (!(p->how & MSR_PASS_R))
			continue;
		assert_int_equal(vlapic_rdmsr(&vl, p->msr, &val), 0);
		if (p->msr == 0x830) {
			assert_int_equal(val, 0x0000000700000040ull);
			assert_int_equal(page32(0x300), 0x40);
			assert_int_equal(page32(0x310), 7);
			continue;
		}
		assert_int_equal(val, page32(off));
	}
	assert_int_equal(page32(0x080), 0x20);
	assert_int_equal(page32(0x020), 0x13);
	assert_int_equal(page32(0x200 + 3 * 0x10), 1u << 1); /* IRR 0x61 */
}

/* ------------------------------------------------------ incomplete IPI */

static void test_decode_ipi_exit(void **state)
{
	struct avic_ipi_exit x;

	avic_decode_ipi_exit(0x00000003000040f1ull, (1ull << 32) | 0x1a5, &x);
	assert_int_equal(x.icr, 0x00000003000040f1ull);
	assert_int_equal(x.cause, AVIC_IPI_TARGET_NOT_RUNNING);
	assert_int_equal(x.index, 0x1a5);
	/* Index is 8:0 only; bits 31:9 are not part of it. */
	avic_decode_ipi_exit(0, (4ull << 32) | 0xfffffe03ull, &x);
	assert_int_equal(x.cause, 4);
	assert_int_equal(x.index, 0x003);
	avic_decode_ipi_exit(~0ull, ~0ull, &x);
	assert_int_equal(x.cause, 0xffffffffu);
	assert_int_equal(x.index, 0x1ff);
}

static void test_ipi_cause_values(void **state)
{
	/* The numbering is the APM's; exits carry the raw number. */
	assert_int_equal(AVIC_IPI_INVALID_INT_TYPE, 0);
	assert_int_equal(AVIC_IPI_TARGET_NOT_RUNNING, 1);
	assert_int_equal(AVIC_IPI_INVALID_TARGET, 2);
	assert_int_equal(AVIC_IPI_INVALID_BACKING_PAGE, 3);
	assert_int_equal(AVIC_IPI_INVALID_VECTOR, 4);
}

static void test_ipi_action(void **state)
{
	assert_int_equal(avic_ipi_action(0), AVIC_ACT_EMULATE);
	assert_int_equal(avic_ipi_action(1), AVIC_ACT_KICK);
	assert_int_equal(avic_ipi_action(2), AVIC_ACT_EMULATE);
	assert_int_equal(avic_ipi_action(3), AVIC_ACT_FAIL);
	assert_int_equal(avic_ipi_action(4), AVIC_ACT_EMULATE);
	assert_int_equal(avic_ipi_action(5), AVIC_ACT_FAIL);
	assert_int_equal(avic_ipi_action(0xffffffffu), AVIC_ACT_FAIL);
}

#define ICR(dest, low) (((uint64_t)(dest) << 32) | (low))
#define SH(n) ((uint32_t)(n) << 18)
#define LOGICAL (1u << 11)

static void test_ipi_targets_physical(void **state)
{
	assert_int_equal(avic_ipi_targets(ICR(2, 0x40), 0, 4), 1u << 2);
	assert_int_equal(avic_ipi_targets(ICR(0, 0x40), 3, 4), 1u << 0);
	/* No such vCPU. */
	assert_int_equal(avic_ipi_targets(ICR(4, 0x40), 0, 4), 0);
	assert_int_equal(avic_ipi_targets(ICR(0x10000, 0x40), 0, 4), 0);
	/* Broadcast, physical or logical. */
	assert_int_equal(avic_ipi_targets(ICR(0xffffffffu, 0x40), 1, 4), 0xf);
	assert_int_equal(
		avic_ipi_targets(ICR(0xffffffffu, 0x40 | LOGICAL), 1, 3), 0x7);
}

static void test_ipi_targets_shorthand(void **state)
{
	/* The destination field is ignored with a shorthand. */
	assert_int_equal(avic_ipi_targets(ICR(3, 0x40 | SH(1)), 1, 4), 1u << 1);
	assert_int_equal(avic_ipi_targets(ICR(3, 0x40 | SH(2)), 1, 4), 0xf);
	assert_int_equal(avic_ipi_targets(ICR(3, 0x40 | SH(3)), 1, 4), 0xd);
	assert_int_equal(avic_ipi_targets(ICR(0, 0x40 | SH(3)), 0, 32),
			 0xfffffffeu);
}

static void test_ipi_targets_logical(void **state)
{
	/* Cluster 0, bits 0 and 2: x2APIC IDs 0 and 2 (SDM 11.12.10.2). */
	assert_int_equal(avic_ipi_targets(ICR(0x5, 0x40 | LOGICAL), 0, 4), 0x5);
	/* Bits beyond the VM are dropped. */
	assert_int_equal(avic_ipi_targets(ICR(0x30, 0x40 | LOGICAL), 0, 5),
			 0x10);
	/* Cluster 1, bit 3: x2APIC ID 19. */
	assert_int_equal(avic_ipi_targets(ICR(0x10008, 0x40 | LOGICAL), 0, 20),
			 1u << 19);
	assert_int_equal(avic_ipi_targets(ICR(0x10008, 0x40 | LOGICAL), 0, 16),
			 0);
	/* Cluster 2 of a 20-vCPU VM: nobody. */
	assert_int_equal(avic_ipi_targets(ICR(0x20001, 0x40 | LOGICAL), 0, 20),
			 0);
}

/* -------------------------------------------------------- unaccelerated */

static void test_decode_noaccel(void **state)
{
	struct avic_noaccel_exit x;

	/* EOI write (offset 0xB0), vector 0x31 in EXITINFO2. */
	avic_decode_noaccel_exit(BIT(32) | 0xb0, 0x31, &x);
	assert_int_equal(x.offset, 0xb0);
	assert_int_equal(x.msr, 0x80b);
	assert_true(x.write);
	assert_true(x.trap);
	assert_int_equal(x.vector, 0x31);

	/* Timer current count read: fault-like. */
	avic_decode_noaccel_exit(0x390, 0, &x);
	assert_int_equal(x.msr, 0x839);
	assert_false(x.write);
	assert_false(x.trap);
}

static void test_decode_noaccel_masks(void **state)
{
	struct avic_noaccel_exit x;

	/* Bits 3:0 and 63:33 are not part of offset/write; EXITINFO2 63:32
	 * not part of the vector. */
	avic_decode_noaccel_exit(0xfffffffe0000f30full, 0xabcd00000000007full,
				 &x);
	assert_int_equal(x.offset, 0x300);
	assert_int_equal(x.msr, 0x830);
	assert_false(x.write);
	assert_int_equal(x.vector, 0x7f);
	avic_decode_noaccel_exit(0x1000003f0ull, 0, &x);
	assert_int_equal(x.msr, 0x83f);
	assert_true(x.write);
	assert_false(x.trap); /* SELF IPI is not in the trap list */
}

static void test_noaccel_trap_list(void **state)
{
	const uint32_t traps[] = { 0x020, 0x0b0, 0x0c0, 0x0d0, 0x0e0, 0x0f0,
				   0x280, 0x300, 0x320, 0x330, 0x340, 0x350,
				   0x360, 0x370, 0x380, 0x3e0 };
	unsigned int n = 0;

	for (unsigned int i = 0; i < sizeof(traps) / sizeof(traps[0]); i++) {
		assert_true(avic_noaccel_is_trap(traps[i], true));
		assert_false(avic_noaccel_is_trap(traps[i], false));
	}
	for (uint32_t off = 0; off < 0x1000; off += 0x10)
		n += avic_noaccel_is_trap(off, true);
	assert_int_equal(n, sizeof(traps) / sizeof(traps[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supported_needs_both_bits),
		cmocka_unit_test(test_phys_entry_fields),
		cmocka_unit_test(test_phys_entry_extremes),
		cmocka_unit_test(test_phys_entry_rejects),
		cmocka_unit_test(test_set_running_only_bit62),
		cmocka_unit_test(test_clear_running_keeps_other_bits),
		cmocka_unit_test(test_running_roundtrip_many),
		cmocka_unit_test(test_phys_accessors),
		cmocka_unit_test(test_logical_entry),
		cmocka_unit_test(test_physical_table_field),
		cmocka_unit_test(test_page_field),
		cmocka_unit_test(test_vmcb_avic_offsets),
		cmocka_unit_test(test_vintr_enable),
		cmocka_unit_test(test_vintr_disable),
		cmocka_unit_test(test_msr_accelerated_reads),
		cmocka_unit_test(test_msr_accelerated_writes),
		cmocka_unit_test(test_msr_intercepted_x2apic),
		cmocka_unit_test(test_msr_count_exact),
		cmocka_unit_test(test_msr_keeps_passthrough_list),
		cmocka_unit_test(test_msr_reads_match_page),
		cmocka_unit_test(test_decode_ipi_exit),
		cmocka_unit_test(test_ipi_cause_values),
		cmocka_unit_test(test_ipi_action),
		cmocka_unit_test(test_ipi_targets_physical),
		cmocka_unit_test(test_ipi_targets_shorthand),
		cmocka_unit_test(test_ipi_targets_logical),
		cmocka_unit_test(test_decode_noaccel),
		cmocka_unit_test(test_decode_noaccel_masks),
		cmocka_unit_test(test_noaccel_trap_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
