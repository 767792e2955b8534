// SPDX-License-Identifier: MIT
/* Deciding the TSC frequency from CPUID and PIT windows (tsc_freq.h). */
#include <string.h>

#include "arch/x86/tsc_freq.h"

#define HV_TIMING_LEAF 0x40000010u
#define HV_LEAF_LIMIT 0x40000100u /* past the first hypervisor range */
#define PPM 1000000u
/* Longer windows than this many TSC ticks (minutes) are no windows: the
 * arithmetic below stays within 64 bits. */
#define WINDOW_MAX_TICKS (1ull << 42)

/* Hypervisors whose leaf 0x40000010 is VMware's timing leaf. */
static bool hv_has_timing_leaf(const struct tsc_cpuid *c)
{
	static const char *const sigs[] = { "VMwareVMware", "KVMKVMKVM\0\0\0" };

	if (!c->hypervisor || c->hv_max < HV_TIMING_LEAF ||
	    c->hv_max >= HV_LEAF_LIMIT)
		return false;
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!memcmp(c->hv_sig, sigs[i], 12))
			return true;
	return false;
}

uint64_t tsc_khz_from_cpuid(const struct tsc_cpuid *c, const char **src)
{
	const uint32_t *l15 = c->l15;

	if (hv_has_timing_leaf(c) && c->l40000010[0]) {
		*src = "CPUID 0x40000010";
		return c->l40000010[0];
	}
	/* Leaf 0x15 is Intel's (SDM vol. 2A, CPUID): TSC = crystal * EBX /
	 * EAX. Where ECX leaves the crystal out, the TSC runs at the base
	 * frequency of leaf 0x16 (18.7.3). */
	if (!c->intel || c->max_basic < 0x15 || !l15[0] || !l15[1])
		return 0;
	if (l15[2]) {
		*src = "CPUID 0x15";
		return (uint64_t)l15[2] * l15[1] / l15[0] / 1000;
	}
	if (c->max_basic >= 0x16 && c->l16_eax) {
		*src = "CPUID 0x15/0x16";
		return (uint64_t)c->l16_eax * 1000;
	}
	return 0;
}

const struct tsc_sample *tsc_best_sample(const struct tsc_sample *s,
					 unsigned int n)
{
	const struct tsc_sample *best = n ? &s[0] : NULL;

	for (unsigned int i = 1; i < n; i++)
		if (s[i].tsc_after - s[i].tsc_before <
		    best->tsc_after - best->tsc_before)
			best = &s[i];
	return best;
}

/* The PIT latched its count somewhere between the two RDTSCs. */
static uint64_t sample_mid(const struct tsc_sample *s)
{
	return s->tsc_before + (s->tsc_after - s->tsc_before) / 2;
}

bool tsc_window_eval(const struct tsc_sample *a, const struct tsc_sample *b,
		     bool wrapped, struct tsc_window *w)
{
	uint16_t ticks = (uint16_t)(a->count - b->count);
	uint64_t ta = sample_mid(a), tb = sample_mid(b), dt, unc;

	if (wrapped || !ticks || tb <= ta || a->tsc_after < a->tsc_before ||
	    b->tsc_after < b->tsc_before || tb - ta >= WINDOW_MAX_TICKS)
		return false;
	dt = tb - ta;
	w->khz = (dt * TSC_PIT_HZ + ticks * 500ull) / (ticks * 1000ull);
	/* Half of each bracket, plus one PIT tick of quantization at each
	 * end. */
	unc = (a->tsc_after - a->tsc_before) / 2 +
	      (b->tsc_after - b->tsc_before) / 2 + 2 * (dt / ticks);
	w->ppm = unc >= dt ? UINT32_MAX : (uint32_t)(unc * PPM / dt);
	return true;
}

static uint32_t ppm_apart(uint64_t x, uint64_t ref)
{
	uint64_t d = x > ref ? x - ref : ref - x;

	if (!ref || d >= ref || d > UINT64_MAX / PPM)
		return UINT32_MAX;
	return (uint32_t)(d * PPM / ref);
}

/* The PIT's verdict: the clean window with the tightest endpoints, or
 * without one the least disturbed window. */
static void pit_verdict(const struct tsc_window *w, unsigned int n,
			struct tsc_choice *c)
{
	const struct tsc_window *best = NULL, *least = NULL;
	uint64_t lo = UINT64_MAX, hi = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (!least || w[i].ppm < least->ppm)
			least = &w[i];
		if (w[i].ppm > TSC_CLEAN_PPM)
			continue;
		c->clean++;
		if (!best || w[i].ppm < best->ppm)
			best = &w[i];
		lo = w[i].khz < lo ? w[i].khz : lo;
		hi = w[i].khz > hi ? w[i].khz : hi;
	}
	if (best) {
		c->pit_khz = best->khz;
		c->pit_ppm = best->ppm;
		c->spread_ppm = ppm_apart(hi, lo);
	} else if (least) {
		c->pit_khz = least->khz;
		c->pit_ppm = least->ppm;
	}
}

bool tsc_windows_enough(const struct tsc_window *w, unsigned int n)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned int tight = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (w[i].ppm > TSC_TIGHT_PPM)
			continue;
		tight++;
		lo = w[i].khz < lo ? w[i].khz : lo;
		hi = w[i].khz > hi ? w[i].khz : hi;
	}
	return tight >= TSC_ENOUGH_TIGHT && ppm_apart(hi, lo) <= TSC_TIGHT_PPM;
}

void tsc_choose(const struct tsc_window *w, unsigned int n, uint64_t arch_khz,
		struct tsc_choice *c)
{
	memset(c, 0, sizeof(*c));
	c->total = n;
	pit_verdict(w, n, c);
	if (arch_khz && c->clean &&
	    ppm_apart(arch_khz, c->pit_khz) > TSC_ARCH_AGREE_PPM) {
		c->arch_rejected = true;
		arch_khz = 0;
	}
	if (arch_khz) {
		c->src = TSC_SRC_ARCH;
		c->khz = arch_khz;
	} else if (c->pit_khz) {
		c->src = c->clean ? TSC_SRC_PIT : TSC_SRC_PIT_DISTURBED;
		c->khz = c->pit_khz;
	}
}
