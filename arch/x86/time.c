// SPDX-License-Identifier: MIT
/*
 * The TSC frequency (tsc_freq.h decides) and the LAPIC timer's rate.
 *
 * The PIT windows are built for a busy host. Under QEMU's TCG the TSC is
 * the host's TSC and the PIT follows the host's monotonic clock, so both
 * run true; what goes wrong under load is the vCPU thread losing the
 * host CPU between reading one and the other (one 10 ms window measured
 * anything from 2089 to 5031 MHz on a 2096 MHz host). So every endpoint
 * is a PIT read bracketed by two RDTSCs, the fastest of several reads is
 * kept, a window whose endpoints took long is rejected, and PIT channel 2
 * counts down once per window in mode 0 (Intel 8254 data sheet), its
 * output (port 0x61 bit 5) telling whether the count wrapped.
 */
#include <string.h>

#include "arch/x86/time.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/tsc_freq.h"
#include "lib/printk.h"

#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61
#define PIT_GATE_ON 0x01
#define PIT_SPEAKER 0x02
#define PIT_OUT2 0x20
#define PIT_CMD_CH2_MODE0 0xb0 /* channel 2, lobyte/hibyte, mode 0 */
#define PIT_CMD_CH2_LATCH 0x80 /* channel 2, counter latch */
#define PIT_WINDOW_MS 40 /* of the 54.9 ms one countdown lasts */
#define PIT_WINDOWS 6
#define ENDPOINT_READS 8
#define PIT_STUCK_READS 1000u /* the same count this often: no PIT */
#define FALLBACK_TSC_KHZ 1000000ull
#define PPM_PER_PERCENT 10000u

uint64_t tsc_khz = FALLBACK_TSC_KHZ;

static uint16_t pit_count(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, PIT_CMD_CH2_LATCH);
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return (uint16_t)(lo | hi << 8);
}

static void pit_sample(struct tsc_sample *s)
{
	s->tsc_before = rdtsc();
	s->count = pit_count();
	s->tsc_after = rdtsc();
}

/* The least disturbed of ENDPOINT_READS reads in a row. */
static struct tsc_sample pit_endpoint(void)
{
	struct tsc_sample s[ENDPOINT_READS];

	for (unsigned int i = 0; i < ENDPOINT_READS; i++)
		pit_sample(&s[i]);
	return *tsc_best_sample(s, ENDPOINT_READS);
}

/* One window; false when the PIT does not count (no PIT). */
static bool pit_window(struct tsc_window *w, bool *valid)
{
	const uint16_t len = TSC_PIT_HZ * PIT_WINDOW_MS / 1000;
	struct tsc_sample a, b;
	unsigned int stuck = 0;
	uint16_t last;
	bool wrapped;

	outb(PIT_GATE, inb(PIT_GATE) & ~(PIT_SPEAKER | PIT_GATE_ON));
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	/* A rising gate starts the count on the next PIT clock: one read
	 * takes longer than that. */
	outb(PIT_GATE, (inb(PIT_GATE) & ~PIT_SPEAKER) | PIT_GATE_ON);
	(void)pit_count();
	a = pit_endpoint();
	last = a.count;
	do {
		pit_sample(&b);
		stuck = b.count == last ? stuck + 1 : 0;
		last = b.count;
		if (stuck >= PIT_STUCK_READS)
			return false;
	} while ((uint16_t)(a.count - b.count) < len);
	b = pit_endpoint();
	wrapped = inb(PIT_GATE) & PIT_OUT2;
	*valid = tsc_window_eval(&a, &b, wrapped, w);
	return true;
}

static void read_cpuid(struct tsc_cpuid *c)
{
	struct cpuid_regs r = cpuid(0, 0);

	c->max_basic = r.eax;
	/* "GenuineIntel" in EBX, EDX, ECX. */
	c->intel = r.ebx == 0x756e6547 && r.edx == 0x49656e69 &&
		   r.ecx == 0x6c65746e;
	c->hypervisor = cpuid_has(1, CPUID_REG_ECX, CPUID_1_ECX_HYPERVISOR);
	if (c->max_basic >= 0x15) {
		r = cpuid(0x15, 0);
		c->l15[0] = r.eax;
		c->l15[1] = r.ebx;
		c->l15[2] = r.ecx;
	}
	if (c->max_basic >= 0x16)
		c->l16_eax = cpuid(0x16, 0).eax;
	if (!c->hypervisor)
		return;
	r = cpuid(0x40000000, 0);
	c->hv_max = r.eax;
	memcpy(c->hv_sig, &r.ebx, 4);
	memcpy(c->hv_sig + 4, &r.ecx, 4);
	memcpy(c->hv_sig + 8, &r.edx, 4);
	if (c->hv_max >= 0x40000010 && c->hv_max < 0x40000100) {
		r = cpuid(0x40000010, 0);
		c->l40000010[0] = r.eax;
		c->l40000010[1] = r.ebx;
	}
}

/* One TSC/LAPIC-timer pair, the fastest of several reads. */
static void lapic_endpoint(uint64_t *tsc, uint32_t *count)
{
	uint64_t best = UINT64_MAX;

	for (unsigned int i = 0; i < ENDPOINT_READS; i++) {
		uint64_t t0 = rdtsc();
		uint32_t c = lapic_timer_current();
		uint64_t t1 = rdtsc();

		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2;
			*count = c;
		}
	}
}

static void report(const struct tsc_choice *c, unsigned int tried,
		   uint64_t arch, const char *src)
{
	static const char *const how[] = { "fallback, nothing measured",
					   "architectural", "PIT",
					   "PIT, every window disturbed" };

	pr_info("tsc: %lu kHz (%s%s%s)", c->khz, how[c->src],
		c->src == TSC_SRC_ARCH ? ": " : "",
		c->src == TSC_SRC_ARCH ? src : "");
	pr_info("tsc: PIT: %u of %u windows clean, best %lu kHz +-%u ppm, spread %u ppm",
		c->clean, tried, c->pit_khz, c->pit_ppm, c->spread_ppm);
	if (c->arch_rejected)
		pr_warn("tsc: %s says %lu kHz, %u%% from the PIT: not used",
			src, arch,
			(unsigned int)((arch > c->pit_khz ? arch - c->pit_khz :
							    c->pit_khz - arch) *
				       100 / c->pit_khz));
	if (c->src == TSC_SRC_PIT_DISTURBED || c->src == TSC_SRC_NONE)
		pr_warn("tsc: no trustworthy frequency: time may run wrong");
}

void tsc_calibrate(void)
{
	struct tsc_window w[PIT_WINDOWS];
	struct tsc_cpuid id = { 0 };
	struct tsc_choice c;
	const char *src = "";
	unsigned int n = 0, tried;
	uint64_t arch, l0 = 0, l1 = 0;
	uint32_t c0 = 0, c1 = 0;

	read_cpuid(&id);
	arch = tsc_khz_from_cpuid(&id, &src);
	lapic_timer_start_calibration();
	lapic_endpoint(&l0, &c0);
	for (tried = 0; tried < PIT_WINDOWS; tried++) {
		bool valid = false;

		if (!pit_window(&w[n], &valid))
			break; /* no PIT: another try takes as long */
		if (valid) {
			pr_debug("tsc: PIT window %u: %lu kHz +-%u ppm", tried,
				 w[n].khz, w[n].ppm);
			n++;
			if (tsc_windows_enough(w, n)) {
				tried++;
				break;
			}
		} else {
			pr_debug("tsc: PIT window %u: the count wrapped",
				 tried);
		}
	}
	lapic_endpoint(&l1, &c1);
	tsc_choose(w, n, arch, &c);
	if (c.src != TSC_SRC_NONE)
		tsc_khz = c.khz;
	report(&c, tried, arch, src);
	lapic_timer_calibrate(l0, c0, l1, c1);
}

void tsc_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz / 1000;

	while (rdtsc() < end)
		cpu_relax();
}
