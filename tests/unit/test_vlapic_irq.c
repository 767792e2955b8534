// SPDX-License-Identifier: MIT
/*
 * Unit tests of the vlapic's interrupt logic (vlapic/vlapic.c): acceptance,
 * priorities and PPR, EOI order, level/TMR, SVR software disable, ESR and
 * illegal-vector errors (no recursion), LVT sources, and vlapic_set_irq
 * from other threads.
 */
#include <pthread.h>

#include "tests/unit/test_vlapic.h"

/* ------------------------------------------------------------ interrupts */

static void test_set_irq_pending(void **state)
{
	struct vlapic *vl = bsp();

	assert_int_equal(vlapic_pending(vl), -1);
	vlapic_set_irq(vl, 0x31, false);
	assert_true(irr(vl, 0x31));
	assert_int_equal(fake_of(vl)->notify_calls, 1);
	assert_int_equal(vlapic_pending(vl), 0x31);
	assert_int_equal(vlapic_highest_irr(vl), 0x31);
}

static void test_set_irq_boundaries(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 16, false);
	assert_int_equal(vlapic_pending(vl), 16);
	vlapic_set_irq(vl, 255, false);
	assert_int_equal(vlapic_pending(vl), 255);
	assert_int_equal(esr(vl), 0);
}

static void test_set_irq_disabled_dropped(void **state)
{
	struct vlapic *vl = test_lapic(0, 0, 1); /* SVR reset: disabled */

	vlapic_set_irq(vl, 0x40, false);
	assert_false(irr(vl, 0x40));
	assert_int_equal(fake_of(vl)->notify_calls, 0);
	assert_int_equal(vlapic_pending(vl), -1);
}

static void test_edge_merges(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x40, false);
	vlapic_set_irq(vl, 0x40, false);
	assert_int_equal(take(vl), 0x40);
	assert_int_equal(vlapic_pending(vl), -1);
}

static void test_highest_first(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x41, false);
	vlapic_set_irq(vl, 0x92, false);
	vlapic_set_irq(vl, 0x63, false);
	assert_int_equal(vlapic_pending(vl), 0x92);
}

static void test_ack_moves_to_isr(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x45, false);
	vlapic_ack(vl, 0x45);
	assert_false(irr(vl, 0x45));
	assert_true(isr(vl, 0x45));
	assert_int_equal(vlapic_highest_isr(vl), 0x45);
	assert_int_equal(rd(vl, 0x80a), 0x40);
}

static void test_ack_not_requested_ignored(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_ack(vl, 0x45);
	assert_false(isr(vl, 0x45));
	assert_int_equal(vlapic_highest_isr(vl), -1);
	assert_int_equal(rd(vl, 0x80a), 0);
}

/* An offer the CPU did not take goes back, merging with a new copy. */
static void test_unack_restores_irr(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x45, false);
	vlapic_ack(vl, 0x45);
	vlapic_unack(vl, 0x45);
	assert_true(irr(vl, 0x45));
	assert_false(isr(vl, 0x45));
	assert_int_equal(vlapic_pending(vl), 0x45); /* the summaries too */
	assert_int_equal(vl->isr_words, 0);
	vlapic_ack(vl, 0x45);
	vlapic_set_irq(vl, 0x45, false); /* arrives while offered */
	vlapic_unack(vl, 0x45);
	assert_true(irr(vl, 0x45));
	assert_false(isr(vl, 0x45));
	assert_int_equal(vlapic_highest_isr(vl), -1);
	assert_int_equal(rd(vl, 0x80a), 0);
	assert_int_equal(vlapic_pending(vl), 0x45);
	vlapic_unack(vl, 0x46); /* not in service: nothing */
	assert_false(irr(vl, 0x46));
}

/* vlapic_take_pending is vlapic_pending + vlapic_ack in one: the same
 * vector, the same page (IRR, ISR, PPR) and summaries, over a few
 * thousand pseudo-random steps of interrupts, TPR writes and EOIs, run
 * side by side on two vlapics. */
static void test_take_pending_is_pending_ack(void **state)
{
	struct vlapic *a = test_lapic(0, 0, 1), *b = test_lapic(1, 0, 1);
	uint32_t seed = 12345;

	enable(a);
	enable(b);
	for (int i = 0; i < 4000; i++) {
		int pa, pb;
		uint8_t vec;

		seed = seed * 1103515245u + 12345u;
		vec = (uint8_t)(16 + (seed >> 8) % 240);
		switch ((seed >> 20) % 4) {
		case 0:
		case 1:
			vlapic_set_irq(a, vec, false);
			vlapic_set_irq(b, vec, false);
			break;
		case 2:
			wr(a, 0x808, (seed >> 4) & 0xff);
			wr(b, 0x808, (seed >> 4) & 0xff);
			break;
		default:
			eoi(a);
			eoi(b);
			break;
		}
		pa = vlapic_take_pending(a);
		pb = vlapic_pending(b);
		if (pb >= 0)
			vlapic_ack(b, (uint8_t)pb);
		assert_int_equal(pa, pb);
		assert_memory_equal(a->regs, b->regs, sizeof(a->regs));
		assert_int_equal(a->irr_words, b->irr_words);
		assert_int_equal(a->isr_words, b->isr_words);
	}
}

static void test_take_pending_blocked(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x808, 0x70);
	vlapic_set_irq(vl, 0x75, false);
	assert_int_equal(vlapic_take_pending(vl), -1); /* class 7 <= TPR's */
	assert_true(irr(vl, 0x75));
	assert_int_equal(vl->isr_words, 0);
	vlapic_set_irq(vl, 0x91, false);
	assert_int_equal(vlapic_take_pending(vl), 0x91);
	assert_true(isr(vl, 0x91));
	assert_false(irr(vl, 0x91));
	assert_int_equal(rd(vl, 0x80a), 0x90); /* its class, not TPR */
	assert_int_equal(vlapic_take_pending(vl), -1); /* 0x75 below */
}

static void test_tpr_blocks_same_class(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x808, 0x50);
	vlapic_set_irq(vl, 0x5f, false);
	assert_int_equal(vlapic_pending(vl), -1); /* class 5 <= 5 */
	vlapic_set_irq(vl, 0x60, false);
	assert_int_equal(vlapic_pending(vl), 0x60);
	wr(vl, 0x808, 0x6f);
	assert_int_equal(vlapic_pending(vl), -1);
	wr(vl, 0x808, 0x4f);
	assert_int_equal(vlapic_pending(vl), 0x60);
}

static void test_isr_blocks_lower_and_equal_class(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x55, false);
	assert_int_equal(take(vl), 0x55);
	vlapic_set_irq(vl, 0x51, false);
	vlapic_set_irq(vl, 0x5f, false);
	vlapic_set_irq(vl, 0x30, false);
	assert_int_equal(vlapic_pending(vl), -1);
	vlapic_set_irq(vl, 0x60, false);
	assert_int_equal(vlapic_pending(vl), 0x60); /* nests */
}

static void test_ppr_rules(void **state)
{
	struct vlapic *vl = bsp();

	/* TPR class >= ISR class: PPR = TPR (SDM 11.8.3.1). */
	vlapic_set_irq(vl, 0x21, false);
	take(vl);
	wr(vl, 0x808, 0x35);
	assert_int_equal(rd(vl, 0x80a), 0x35);
	/* Same class: still TPR, with its sub-class. */
	wr(vl, 0x808, 0x2a);
	assert_int_equal(rd(vl, 0x80a), 0x2a);
	/* ISR class above: PPR = ISRV[7:4] << 4. */
	wr(vl, 0x808, 0x15);
	assert_int_equal(rd(vl, 0x80a), 0x20);
	eoi(vl);
	assert_int_equal(rd(vl, 0x80a), 0x15);
}

static void test_eoi_order(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x40, false);
	assert_int_equal(take(vl), 0x40);
	vlapic_set_irq(vl, 0x80, false);
	assert_int_equal(take(vl), 0x80);
	vlapic_set_irq(vl, 0xc0, false);
	assert_int_equal(take(vl), 0xc0);
	assert_int_equal(rd(vl, 0x80a), 0xc0);
	eoi(vl);
	assert_false(isr(vl, 0xc0));
	assert_true(isr(vl, 0x80));
	assert_int_equal(rd(vl, 0x80a), 0x80);
	eoi(vl);
	assert_false(isr(vl, 0x80));
	assert_int_equal(rd(vl, 0x80a), 0x40);
	eoi(vl);
	assert_int_equal(vlapic_highest_isr(vl), -1);
	assert_int_equal(rd(vl, 0x80a), 0);
}

static void test_eoi_unblocks_pending(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x80, false);
	take(vl);
	vlapic_set_irq(vl, 0x70, false);
	assert_int_equal(vlapic_pending(vl), -1);
	eoi(vl);
	assert_int_equal(vlapic_pending(vl), 0x70);
}

static void test_same_vector_while_in_service(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x80, false);
	take(vl);
	vlapic_set_irq(vl, 0x80, false); /* held in IRR */
	assert_true(irr(vl, 0x80));
	assert_int_equal(vlapic_pending(vl), -1);
	eoi(vl);
	assert_int_equal(take(vl), 0x80);
	assert_true(isr(vl, 0x80));
}

static void test_level_sets_tmr_and_eoi_broadcast(void **state)
{
	struct vlapic *vl = bsp();
	struct fake *f = fake_of(vl);

	vlapic_set_irq(vl, 0x61, true);
	assert_true(tmr(vl, 0x61));
	take(vl);
	eoi(vl);
	assert_int_equal(f->eoi_calls, 1);
	assert_int_equal(f->eoi_vector, 0x61);
}

static void test_edge_clears_tmr_no_broadcast(void **state)
{
	struct vlapic *vl = bsp();
	struct fake *f = fake_of(vl);

	vlapic_set_irq(vl, 0x61, true);
	take(vl);
	eoi(vl);
	vlapic_set_irq(vl, 0x61, false);
	assert_false(tmr(vl, 0x61));
	take(vl);
	eoi(vl);
	assert_int_equal(f->eoi_calls, 1);
}

static void test_level_eoi_of_highest_only(void **state)
{
	struct vlapic *vl = bsp();
	struct fake *f = fake_of(vl);

	vlapic_set_irq(vl, 0x41, true);
	take(vl);
	vlapic_set_irq(vl, 0x81, false);
	take(vl);
	eoi(vl); /* retires edge 0x81 */
	assert_int_equal(f->eoi_calls, 0);
	eoi(vl); /* retires level 0x41 */
	assert_int_equal(f->eoi_calls, 1);
	assert_int_equal(f->eoi_vector, 0x41);
}

static void test_svr_disable_masks_lvts(void **state)
{
	struct vlapic *vl = bsp();

	for (uint32_t m = 0x832; m <= 0x837; m++)
		wr(vl, m, 0x40);
	wr(vl, 0x82f, 0x40);
	wr(vl, 0x80f, 0xff);
	assert_false(vlapic_sw_enabled(vl));
	for (uint32_t m = 0x832; m <= 0x837; m++)
		assert_int_equal(rd(vl, m), 0x10040);
	assert_int_equal(rd(vl, 0x82f), 0x10040);
}

static void test_svr_disabled_cannot_unmask(void **state)
{
	struct vlapic *vl = test_lapic(0, 0, 1);

	wr(vl, 0x837, 0x40); /* accepted, but stays masked */
	assert_int_equal(rd(vl, 0x837), 0x10040);
	wr(vl, 0x835, 0x8041);
	assert_int_equal(rd(vl, 0x835), 0x18041);
	enable(vl);
	/* Re-enabling does not unmask (SDM 11.4.7.2). */
	assert_int_equal(rd(vl, 0x837), 0x10040);
	wr(vl, 0x837, 0x40);
	assert_int_equal(rd(vl, 0x837), 0x40);
}

static void test_svr_disable_keeps_pending(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x50, false);
	vlapic_set_irq(vl, 0x60, false);
	take(vl);
	wr(vl, 0x80f, 0xff);
	assert_int_equal(vlapic_pending(vl), -1); /* 0x60 in service */
	eoi(vl);
	assert_int_equal(vlapic_pending(vl), 0x50);
	vlapic_set_irq(vl, 0x70, false); /* new ones are dropped */
	assert_int_equal(vlapic_pending(vl), 0x50);
}

static void test_disabled_lvt_error_silent(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x837, 0x40);
	wr(vl, 0x80f, 0xff);
	wr(vl, 0x830, 0x05); /* fixed, vector 5: send illegal */
	assert_int_equal(vlapic_highest_irr(vl), -1);
	enable(vl);
	assert_int_equal(esr(vl), APIC_ESR_SEND_ILLEGAL);
}

/* ------------------------------------------------------------ errors */

static void test_error_raises_lvt_error(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x837, 0xfe);
	vlapic_set_irq(vl, 7, false);
	assert_int_equal(vlapic_pending(vl), 0xfe);
	assert_false(irr(vl, 7));
	assert_int_equal(esr(vl), APIC_ESR_RECV_ILLEGAL);
}

static void test_error_masked_still_latched(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 7, false);
	assert_int_equal(vlapic_pending(vl), -1);
	assert_int_equal(fake_of(vl)->notify_calls, 0);
	assert_int_equal(esr(vl), APIC_ESR_RECV_ILLEGAL);
}

static void test_error_illegal_lvt_vector_no_recursion(void **state)
{
	struct vlapic *vl = bsp();
	struct fake *f = fake_of(vl);

	/* XSA-462 class: the LVT error vector is itself illegal. */
	wr(vl, 0x837, 0x05);
	wr(vl, 0x83f, 0x03);
	assert_int_equal(vlapic_highest_irr(vl), -1);
	assert_int_equal(f->notify_calls, 0);
	assert_true(f->max_depth <= 1);
	assert_int_equal(esr(vl),
			 APIC_ESR_SEND_ILLEGAL | APIC_ESR_RECV_ILLEGAL);
	/* Again after the latch: same result, still no interrupt. */
	vlapic_set_irq(vl, 0, false);
	assert_int_equal(vlapic_highest_irr(vl), -1);
	assert_int_equal(esr(vl), APIC_ESR_RECV_ILLEGAL);
}

static void test_error_zero_vector_lvt(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x837, 0x00); /* unmasked, vector 0 */
	wr(vl, 0x830, 0x00); /* fixed IPI, vector 0 */
	assert_int_equal(vlapic_highest_irr(vl), -1);
	assert_int_equal(esr(vl),
			 APIC_ESR_SEND_ILLEGAL | APIC_ESR_RECV_ILLEGAL);
}

static void test_error_raised_once_per_new_bit(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x837, 0xe0);
	vlapic_set_irq(vl, 1, false);
	assert_int_equal(take(vl), 0xe0);
	eoi(vl);
	vlapic_set_irq(vl, 2, false); /* same error bit, not latched yet */
	assert_int_equal(vlapic_pending(vl), -1);
	wr(vl, 0x83f, 3); /* a new bit (send illegal) raises again */
	assert_int_equal(take(vl), 0xe0);
	eoi(vl);
	esr(vl); /* latch clears pending errors */
	vlapic_set_irq(vl, 2, false);
	assert_int_equal(vlapic_pending(vl), 0xe0);
}

static void test_send_illegal_vector_lowest(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x830, (uint64_t)APIC_DM_LOWEST << 8 | 0x0f);
	assert_int_equal(esr(vl), APIC_ESR_SEND_ILLEGAL);
	/* Not for NMI/INIT/SIPI, whose vector field is not a vector. */
	wr(vl, 0x830, (uint64_t)APIC_DM_NMI << 8);
	wr(vl, 0x830, (uint64_t)APIC_DM_INIT << 8 | APIC_ICR_ASSERT);
	wr(vl, 0x830, (uint64_t)APIC_DM_STARTUP << 8 | 0x01);
	assert_int_equal(esr(vl), 0);
}

/* ------------------------------------------------------------ LVT sources */

static void test_raise_lvt_lint0_level(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x835, APIC_LVT_LEVEL | 0x51);
	vlapic_raise_lvt(vl, APIC_LVT_LINT0);
	assert_int_equal(vlapic_pending(vl), 0x51);
	assert_true(tmr(vl, 0x51));
}

static void test_raise_lvt_nmi(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x836, APIC_DM_NMI << APIC_LVT_DM_SHIFT);
	vlapic_raise_lvt(vl, APIC_LVT_LINT1);
	assert_int_equal(fake_of(vl)->nmi_calls, 1);
	assert_int_equal(vlapic_highest_irr(vl), -1);
}

static void test_raise_lvt_masked_or_other(void **state)
{
	struct vlapic *vl = bsp();

	wr(vl, 0x834, APIC_LVT_MASKED | 0x51);
	vlapic_raise_lvt(vl, APIC_LVT_PMC);
	wr(vl, 0x833, APIC_DM_EXTINT << APIC_LVT_DM_SHIFT | 0x52);
	vlapic_raise_lvt(vl, APIC_LVT_THERMAL);
	vlapic_raise_lvt(vl, APIC_TPR); /* not an LVT */
	assert_int_equal(vlapic_highest_irr(vl), -1);
	assert_int_equal(fake_of(vl)->nmi_calls, 0);
}

/* ------------------------------------------------------------ concurrency */

struct poster {
	struct vlapic *vl;
	uint8_t first;
};

static void *post_vectors(void *arg)
{
	struct poster *p = arg;

	for (int round = 0; round < 2000; round++)
		for (int v = 0; v < 8; v++)
			vlapic_set_irq(p->vl, (uint8_t)(p->first + v * 4),
				       round & 1);
	return NULL;
}

static void test_set_irq_concurrent(void **state)
{
	struct vlapic *vl = bsp();
	struct poster p[4];
	pthread_t t[4];
	int seen[256] = { 0 };
	int v;

	for (int i = 0; i < 4; i++) {
		p[i].vl = vl;
		p[i].first = (uint8_t)(0x20 +
				       i); /* 0x20..0x3f, 0x40..: 32 vectors */
		assert_int_equal(
			pthread_create(&t[i], NULL, post_vectors, &p[i]), 0);
	}
	/* The owner injects and retires concurrently. */
	for (int i = 0; i < 20000; i++) {
		v = take(vl);
		if (v >= 0) {
			seen[v]++;
			eoi(vl);
		}
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	while ((v = take(vl)) >= 0) {
		seen[v]++;
		eoi(vl);
	}
	/* Every posted vector got through; nothing else did. */
	for (v = 0; v < 256; v++) {
		bool posted = v >= 0x20 && v < 0x40;

		if (posted)
			assert_true(seen[v] > 0);
		else
			assert_int_equal(seen[v], 0);
	}
	assert_int_equal(vlapic_highest_irr(vl), -1);
	assert_int_equal(vlapic_highest_isr(vl), -1);
}

/* ------------------------------------------ IRR/ISR summaries (vlapic.h) */

/* One vector in every IRR word: taken highest first across the words,
 * each EOI retiring the highest ISR word's vector; PPR follows. */
static void test_summary_every_word(void **state)
{
	struct vlapic *vl = bsp();

	for (int w = 0; w < APIC_VECTOR_WORDS; w++)
		vlapic_set_irq(vl, (uint8_t)(w * 32 + 17), false);
	for (int w = APIC_VECTOR_WORDS - 1; w >= 0; w--) {
		uint8_t vec = (uint8_t)(w * 32 + 17);

		assert_int_equal(vlapic_highest_irr(vl), vec);
		if (vlapic_pending(vl) < 0)
			break; /* PPR blocks the lower ones: retire below */
		assert_int_equal(take(vl), vec);
		assert_int_equal(vlapic_highest_isr(vl), vec);
		assert_int_equal(rd(vl, X2APIC_MSR(APIC_PPR)), vec & 0xf0);
	}
	/* Retire in service order: the highest ISR word goes first. */
	for (int w = APIC_VECTOR_WORDS - 1; w >= 0; w--) {
		int hi = vlapic_highest_isr(vl);

		if (hi < 0)
			break;
		eoi(vl);
		assert_false(isr(vl, (uint8_t)hi));
		assert_true(vlapic_highest_isr(vl) < hi);
	}
	assert_int_equal(rd(vl, X2APIC_MSR(APIC_PPR)), 0);
	/* What PPR held back is delivered now, highest first. */
	for (int v; (v = take(vl)) >= 0;)
		eoi(vl);
	assert_int_equal(vlapic_highest_irr(vl), -1);
	assert_int_equal(vlapic_highest_isr(vl), -1);
	assert_int_equal(vl->irr_words, 0);
	assert_int_equal(vl->isr_words, 0);
}

/* Two vectors of one word: acking one leaves the word's summary bit; the
 * other stays pending; the last ack clears it. */
static void test_summary_shared_word(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x41, false);
	vlapic_set_irq(vl, 0x5e, false);
	assert_int_equal(take(vl), 0x5e);
	assert_int_equal(vl->irr_words, 1u << 2);
	assert_int_equal(vlapic_highest_irr(vl), 0x41);
	assert_int_equal(vlapic_pending(vl), -1); /* same class as ISR */
	eoi(vl);
	assert_int_equal(vl->isr_words, 0);
	assert_int_equal(take(vl), 0x41);
	assert_int_equal(vl->irr_words, 0);
	assert_int_equal(vl->isr_words, 1u << 2);
	eoi(vl);
	assert_int_equal(vlapic_pending(vl), -1);
	assert_int_equal(vl->isr_words, 0);
}

/* Vectors merged from a posted-interrupt request are in the summary. */
static void test_summary_accept_posted(void **state)
{
	struct vlapic *vl = bsp();
	uint64_t req[VLAPIC_REQ_WORDS] = { 0 };

	req[1] = 1ull << (0x55 - 64); /* IRR word 2 */
	req[3] = 1ull << (0xe3 - 192); /* IRR word 7 */
	assert_int_equal(vlapic_accept_posted(vl, req), 0xe3);
	assert_int_equal(vlapic_pending(vl), 0xe3);
	assert_int_equal(take(vl), 0xe3);
	eoi(vl);
	assert_int_equal(take(vl), 0x55);
	eoi(vl);
	assert_int_equal(vlapic_pending(vl), -1);
}

/* INIT empties IRR, ISR and their summaries. */
static void test_summary_reset(void **state)
{
	struct vlapic *vl = bsp();

	vlapic_set_irq(vl, 0x80, false);
	vlapic_set_irq(vl, 0x30, false);
	assert_int_equal(take(vl), 0x80);
	vlapic_reset(vl);
	enable(vl);
	assert_int_equal(vl->irr_words, 0);
	assert_int_equal(vl->isr_words, 0);
	assert_int_equal(vlapic_pending(vl), -1);
	assert_int_equal(vlapic_highest_isr(vl), -1);
	vlapic_set_irq(vl, 0x30, false);
	assert_int_equal(take(vl), 0x30);
	assert_int_equal(vlapic_highest_isr(vl), 0x30);
}

/* With hw_page the CPU sets IRR and ISR bits in the page itself (VMX
 * virtual-interrupt delivery, AVIC): the vlapic must see them without a
 * summary. */
static void test_hw_page_scans(void **state)
{
	struct vlapic *vl = bsp();
	uint32_t *irr6 = (uint32_t *)(void *)&vl->regs[APIC_IRR + 6 * 16];
	uint32_t *isr3 = (uint32_t *)(void *)&vl->regs[APIC_ISR + 3 * 16];

	vlapic_set_hw_page(vl, true);
	*irr6 |= 1u << 4; /* vector 0xc4, as posted-interrupt processing */
	assert_int_equal(vlapic_highest_irr(vl), 0xc4);
	assert_int_equal(vlapic_pending(vl), 0xc4);
	*isr3 |= 1u << 1; /* vector 0x61, as virtual-interrupt delivery */
	assert_int_equal(vlapic_highest_isr(vl), 0x61);
	vlapic_update_ppr(vl);
	assert_int_equal(rd(vl, X2APIC_MSR(APIC_PPR)), 0x60);
	eoi(vl);
	assert_false(isr(vl, 0x61));
	vlapic_set_hw_page(vl, false);
}

int run_vlapic_irq_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_irq_pending),
		cmocka_unit_test(test_set_irq_boundaries),
		cmocka_unit_test(test_set_irq_disabled_dropped),
		cmocka_unit_test(test_edge_merges),
		cmocka_unit_test(test_highest_first),
		cmocka_unit_test(test_ack_moves_to_isr),
		cmocka_unit_test(test_ack_not_requested_ignored),
		cmocka_unit_test(test_unack_restores_irr),
		cmocka_unit_test(test_take_pending_is_pending_ack),
		cmocka_unit_test(test_take_pending_blocked),
		cmocka_unit_test(test_tpr_blocks_same_class),
		cmocka_unit_test(test_isr_blocks_lower_and_equal_class),
		cmocka_unit_test(test_ppr_rules),
		cmocka_unit_test(test_eoi_order),
		cmocka_unit_test(test_eoi_unblocks_pending),
		cmocka_unit_test(test_same_vector_while_in_service),
		cmocka_unit_test(test_level_sets_tmr_and_eoi_broadcast),
		cmocka_unit_test(test_edge_clears_tmr_no_broadcast),
		cmocka_unit_test(test_level_eoi_of_highest_only),
		cmocka_unit_test(test_svr_disable_masks_lvts),
		cmocka_unit_test(test_svr_disabled_cannot_unmask),
		cmocka_unit_test(test_svr_disable_keeps_pending),
		cmocka_unit_test(test_disabled_lvt_error_silent),
		cmocka_unit_test(test_error_raises_lvt_error),
		cmocka_unit_test(test_error_masked_still_latched),
		cmocka_unit_test(test_error_illegal_lvt_vector_no_recursion),
		cmocka_unit_test(test_error_zero_vector_lvt),
		cmocka_unit_test(test_error_raised_once_per_new_bit),
		cmocka_unit_test(test_send_illegal_vector_lowest),
		cmocka_unit_test(test_raise_lvt_lint0_level),
		cmocka_unit_test(test_raise_lvt_nmi),
		cmocka_unit_test(test_raise_lvt_masked_or_other),
		cmocka_unit_test(test_set_irq_concurrent),
		cmocka_unit_test(test_summary_every_word),
		cmocka_unit_test(test_summary_shared_word),
		cmocka_unit_test(test_summary_accept_posted),
		cmocka_unit_test(test_summary_reset),
		cmocka_unit_test(test_hw_page_scans),
	};

	return cmocka_run_group_tests_name("vlapic interrupts", tests, NULL,
					   NULL);
}
