// SPDX-License-Identifier: MIT
//! vcpus: 2
//! timeout: 900
//! expect: irq-accounting: \d+ vCPUs, \d+ IPIs
/*
 * Interrupt accounting under stress: every vCPU sends fixed IPIs to
 * every other one (physical and logical-cluster destinations, random
 * vectors in every priority class 2-13), while each runs its own
 * TSC-deadline timer, raises its TPR now and then (Intel SDM vol. 3A,
 * 11.8.3) and halts now and then, so targets are hit running, halted,
 * in their handlers and behind their TPR. Every interrupt must arrive
 * exactly once: nothing lost, nothing duplicated.
 *
 * Exact counting needs IPIs that cannot coalesce (a vector pending twice
 * in an IRR is one interrupt, 11.8.4), so vector v belongs to source
 * v % NCPU, and a source sends v to a target only when its previous v
 * to that target has arrived (the flight[] flag, set before the ICR
 * write and cleared by the receiver's handler). A flag cleared twice is
 * a duplicate; one still set at the end is a lost interrupt. Each
 * ordered pair gets at least QUOTA deliveries: 100,000 or more in all
 * per run (irq-accounting-4.c: 4 vCPUs, 12 pairs).
 */
#include "tests/guest/lib/guest.h"

#ifndef NCPU
#define NCPU 2
#endif
/* Per ordered pair: 100,000 in all by default (make test), or
 * PAIR_QUOTA each (make test-stress: 100,000 per pair). */
#ifdef PAIR_QUOTA
#define QUOTA PAIR_QUOTA
#else
#define QUOTA ((100000 + NCPU * (NCPU - 1) - 1) / (NCPU * (NCPU - 1)))
#endif
#define VEC_FIRST 0x20 /* classes 2..13 for IPIs */
#define VEC_LAST 0xdf
#define VEC_TIMER 0xe8 /* class 14: above any TPR used here */
#define TPR_MAX_CLASS 0xb
#define TIMER_MIN_US 200
#define TIMER_SPAN_US 1800
#define APIC_BUS_MHZ 100 /* x2hv's virtual APIC timer clock */
#define WAIT_S 60 /* for stragglers; only a failure waits this long */
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

struct cpu_stats {
	uint64_t sent[NCPU], recv[NCPU]; /* [peer] */
	uint64_t logical, halts, tpr_raises, dups;
	uint64_t armed, fired, early;
	uint64_t deadline; /* of the armed timer, 0 when none */
	uint32_t dup_info;
	uint32_t irr_isr_left;
	uint32_t isr[8], irr[8]; /* at the end, when not empty */
	uint64_t rng;
};

static struct cpu_stats st[NCPU];
static volatile uint8_t flight[NCPU][NCPU][256]; /* [src][dst][vector] */
static volatile bool stop_timers;
static volatile unsigned int n_ready, n_drained, n_stopped;
static uint64_t tsc_per_us;
/* Per target and vector, over the run: names a lost interrupt's history. */
static uint32_t vec_recv[NCPU][256], vec_sent[NCPU][256];

static uint64_t rnd(struct cpu_stats *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static void ipi_handler(struct regs *r)
{
	unsigned int me = this_cpu()->cpu;
	unsigned int src = (unsigned int)r->vector % NCPU;
	struct cpu_stats *s = &st[me];

	if (!__atomic_exchange_n(&flight[src][me][r->vector], 0,
				 __ATOMIC_SEQ_CST)) {
		if (!s->dups++)
			s->dup_info = src << 16 | me << 8 | (uint32_t)r->vector;
	}
	s->recv[src]++;
	vec_recv[me][r->vector]++;
	apic_eoi();
}

static void arm_timer(struct cpu_stats *s)
{
	uint64_t us = TIMER_MIN_US + rnd(s) % TIMER_SPAN_US;

	s->deadline = rdtsc() + us * tsc_per_us;
	s->armed++;
	wrmsr(MSR_TSC_DEADLINE, s->deadline);
}

static void timer_handler(struct regs *r)
{
	struct cpu_stats *s = &st[this_cpu()->cpu];

	if (rdtsc() < s->deadline)
		s->early++;
	s->fired++;
	s->deadline = 0;
	if (!atomic_read(&stop_timers))
		arm_timer(s);
	apic_eoi();
}

/* A free vector of @src for every target in @mask, or 0. */
static uint8_t pick_vector(struct cpu_stats *s, unsigned int src,
			   unsigned int mask)
{
	for (int tries = 0; tries < 8; tries++) {
		unsigned int slots = (VEC_LAST - VEC_FIRST + 1) / NCPU;
		unsigned int v =
			VEC_FIRST + (unsigned int)(rnd(s) % slots) * NCPU;
		bool busy = false;

		v += (src + NCPU - v % NCPU) % NCPU;
		if (v > VEC_LAST)
			continue;
		for (unsigned int t = 0; t < NCPU; t++)
			if ((mask & (1u << t)) && flight[src][t][v])
				busy = true;
		if (!busy)
			return (uint8_t)v;
	}
	return 0;
}

/* One fixed IPI from @me: physical to one peer, or logical (cluster 0,
 * bitmap = the x2APIC IDs 0..NCPU-1) to a random set of peers. */
static void send_one(unsigned int me, struct cpu_stats *s)
{
	unsigned int peer =
		(me + 1 + (unsigned int)(rnd(s) % (NCPU - 1))) % NCPU;
	unsigned int mask = 1u << peer;
	bool logical = rnd(s) % 4 == 0;
	uint8_t v;

	if (logical)
		mask |= (unsigned int)rnd(s) & ((1u << NCPU) - 1) & ~(1u << me);
	v = pick_vector(s, me, mask);
	if (!v)
		return;
	for (unsigned int t = 0; t < NCPU; t++) {
		if (!(mask & (1u << t)))
			continue;
		__atomic_store_n(&flight[me][t][v], 1, __ATOMIC_SEQ_CST);
		s->sent[t]++;
		__atomic_fetch_add(&vec_sent[t][v], 1, __ATOMIC_RELAXED);
	}
	if (logical) {
		s->logical++;
		apic_icr(mask, APIC_DEST_LOGICAL | APIC_DM_FIXED | v);
	} else {
		apic_icr(peer, APIC_DM_FIXED | v);
	}
}

static bool quotas_met(unsigned int me, struct cpu_stats *s)
{
	for (unsigned int t = 0; t < NCPU; t++)
		if (t != me && s->sent[t] < QUOTA)
			return false;
	return true;
}

/* Now and then: a TPR that holds back some classes, or a HLT. */
static void disturb(struct cpu_stats *s)
{
	uint64_t r = rnd(s) % 64;

	if (r == 0) {
		apic_write(X2APIC_TPR, (rnd(s) % (TPR_MAX_CLASS + 1)) << 4);
		s->tpr_raises++;
	} else if (r < 8) {
		apic_write(X2APIC_TPR, 0);
	} else if (r == 8 && !atomic_read(&stop_timers)) {
		apic_write(X2APIC_TPR, 0);
		s->halts++;
		safe_halt(); /* the timer, at least, wakes it */
	}
}

static bool outgoing_clear(unsigned int me)
{
	for (unsigned int t = 0; t < NCPU; t++)
		for (unsigned int v = VEC_FIRST; v <= VEC_LAST; v++)
			if (flight[me][t][v])
				return false;
	return true;
}

static uint64_t wait_ticks(void)
{
	return WAIT_S * 1000000ull * tsc_per_us;
}

static bool wait_until(volatile unsigned int *counter, unsigned int n)
{
	uint64_t t0 = rdtsc();

	while (atomic_read(counter) < n)
		if (rdtsc() - t0 > wait_ticks())
			return false;
	return true;
}

/* Interrupts off: this vCPU's IRR/ISR must be empty (a stuck bit is a
 * lost or duplicated interrupt the counters missed). */
static void check_own_apic(struct cpu_stats *s)
{
	for (unsigned int i = 0; i < 8; i++) {
		s->isr[i] = (uint32_t)apic_read(X2APIC_ISR0 + i);
		s->irr[i] = (uint32_t)apic_read(X2APIC_IRR0 + i);
		if (s->isr[i] || s->irr[i])
			s->irr_isr_left |= 1u << i;
	}
}

/*
 * Every vCPU: send until its quotas are met (receiving all along), wait
 * until what it sent has arrived, then, once vCPU 0 saw everyone that
 * far and stopped the timers, let its last deadline fire and check its
 * own APIC with interrupts off.
 */
static void run(unsigned int me)
{
	struct cpu_stats *s = &st[me];
	uint64_t t0;

	s->rng = 0x9e3779b97f4a7c15ull * (me + 1) ^ rdtsc();
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSCDEADLINE | VEC_TIMER);
	sti();
	arm_timer(s);
	/* Nobody sends before every vCPU can receive: a fixed IPI to a
	 * vCPU still waiting for its SIPI, APIC software-disabled, is
	 * discarded (SDM 11.4.7.2), as on hardware. */
	atomic_inc(&n_ready);
	wait_until(&n_ready, NCPU);
	while (!quotas_met(me, s)) {
		send_one(me, s);
		disturb(s);
	}
	apic_write(X2APIC_TPR, 0);
	t0 = rdtsc();
	while (!outgoing_clear(me) && rdtsc() - t0 < wait_ticks())
		cpu_relax();
	atomic_inc(&n_drained);
	if (me == 0) {
		wait_until(&n_drained, NCPU);
		atomic_set(&stop_timers, true);
	}
	while (!atomic_read(&stop_timers))
		cpu_relax();
	t0 = rdtsc();
	while (s->deadline && rdtsc() - t0 < wait_ticks())
		cpu_relax();
	cli();
	check_own_apic(s);
	atomic_inc(&n_stopped);
}

static void ap_fn(unsigned int cpu)
{
	run(cpu);
	for (;;)
		hlt();
}

/* TSC ticks per microsecond, from x2hv's 100 MHz APIC timer clock. */
static uint64_t measure_tsc(void)
{
	uint64_t t0, t1;
	uint32_t c0, c1;

	apic_write(X2APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(X2APIC_TMICT, 0xffffffffu);
	t0 = rdtsc();
	c0 = apic_read(X2APIC_TMCCT);
	tsc_delay(2000000);
	c1 = apic_read(X2APIC_TMCCT);
	t1 = rdtsc();
	apic_write(X2APIC_TMICT, 0);
	if (c0 <= c1)
		return 0;
	return (t1 - t0) * APIC_BUS_MHZ / (c0 - c1);
}

/* A flight flag still set: an interrupt that never arrived. */
static unsigned int count_lost(void)
{
	unsigned int lost = 0;

	for (unsigned int src = 0; src < NCPU; src++)
		for (unsigned int dst = 0; dst < NCPU; dst++)
			for (unsigned int v = VEC_FIRST; v <= VEC_LAST; v++)
				if (flight[src][dst][v] && lost++ < 10)
					printf("lost: cpu%u -> cpu%u vector 0x%x sent %u recv %u\n",
					       src, dst, v, vec_sent[dst][v],
					       vec_recv[dst][v]);
	return lost;
}

/* The end state of every vCPU, printed before any check fails (the
 * harness stops at the first "not ok"). */
static void print_state(void)
{
	for (unsigned int c = 0; c < NCPU; c++) {
		const struct cpu_stats *s = &st[c];

		for (unsigned int t = 0; t < NCPU; t++)
			if (t != c)
				printf("cpu%u -> cpu%u: sent %lu, received %lu\n",
				       c, t, s->sent[t], st[t].recv[c]);
		printf("cpu%u: %lu duplicates, timer armed %lu fired %lu early %lu\n",
		       c, s->dups, s->armed, s->fired, s->early);
		for (unsigned int i = 0; i < 8; i++)
			if (s->irr_isr_left & (1u << i))
				printf("cpu%u: ISR%u 0x%08x IRR%u 0x%08x at the end\n",
				       c, i, s->isr[i], i, s->irr[i]);
	}
}

static void report(bool finished)
{
	uint64_t total = 0, timers = 0, halts = 0, logical = 0, tprs = 0;
	unsigned int lost = count_lost();

	print_state();
	ok(finished, "every vCPU finished");
	for (unsigned int src = 0; src < NCPU; src++) {
		struct cpu_stats *s = &st[src];

		for (unsigned int dst = 0; dst < NCPU; dst++) {
			if (dst == src)
				continue;
			total += st[dst].recv[src];
			if (st[dst].recv[src] != s->sent[dst] ||
			    s->sent[dst] < QUOTA)
				fail("cpu%u -> cpu%u: sent %lu, received %lu",
				     src, dst, s->sent[dst], st[dst].recv[src]);
		}
		if (s->dups)
			fail("cpu%u: %lu duplicates, first src %u vector 0x%x",
			     src, s->dups, s->dup_info >> 16,
			     s->dup_info & 0xff);
		if (s->fired != s->armed || s->early || !s->fired)
			fail("cpu%u: timer armed %lu, fired %lu, early %lu",
			     src, s->armed, s->fired, s->early);
		if (s->irr_isr_left)
			fail("cpu%u: IRR/ISR words 0x%x not empty at the end",
			     src, s->irr_isr_left);
		timers += s->fired;
		halts += s->halts;
		logical += s->logical;
		tprs += s->tpr_raises;
	}
	printf("irq-accounting: %u vCPUs, %lu IPIs (%u or more per pair), "
	       "%u lost, %lu logical sends, %lu timer interrupts, %lu halts, "
	       "%lu TPR raises\n",
	       NCPU, total, QUOTA, lost, logical, timers, halts, tprs);
	ok(!lost, "%u lost", lost);
	ok(halts > 0 && logical > 0 && tprs > 0,
	   "targets were halted, logical destinations and TPR were used");
}

void test_main(void)
{
	uint32_t a, b, c, d;

	require_x2apic();
	cpuid(1, &a, &b, &c, &d);
	if (!(c & CPUID_1_ECX_TSC_DEADLINE)) {
		skip("no TSC-deadline mode");
		return;
	}
	tsc_per_us = measure_tsc();
	if (!ok(tsc_per_us > 0, "TSC rate: %lu ticks/us", tsc_per_us))
		return;
	for (unsigned int v = VEC_FIRST; v <= VEC_LAST; v++)
		set_handler((uint8_t)v, ipi_handler);
	set_handler(VEC_TIMER, timer_handler);
	for (unsigned int cpu = 1; cpu < NCPU; cpu++)
		if (!ok(smp_start_ap(cpu, cpu, ap_fn, NULL), "vCPU %u started",
			cpu))
			return;
	run(0);
	report(wait_until(&n_stopped, NCPU));
}
