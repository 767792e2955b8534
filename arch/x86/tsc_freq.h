/* SPDX-License-Identifier: MIT */
/*
 * Deciding the TSC frequency: pure functions, host-tested
 * (tests/unit/test_tsc_freq.c). arch/x86/time.c does the port I/O and
 * CPUID and hands the raw numbers here.
 *
 * Two kinds of source:
 *  - architectural: a hypervisor's timing leaf 0x40000010 (VMware's
 *    convention, also offered by QEMU/KVM with invtsc: EAX = TSC kHz,
 *    EBX = LAPIC timer kHz) or Intel's CPUID 0x15 (TSC/crystal ratio and
 *    crystal Hz; SDM vol. 2A CPUID, 18.7.3), with 0x16's base MHz where
 *    0x15 leaves the crystal out, as Linux's native_calibrate_tsc does;
 *  - measured: windows of PIT channel 2 counting down at 1.193182 MHz,
 *    each endpoint a PIT read bracketed by two RDTSCs.
 * An emulator's CPUID can describe a CPU whose TSC it does not emulate
 * (Bochs' Skylake says 3.5 GHz while its TSC counts its 50 M
 * instructions/s), so an architectural figure is used only when the
 * PIT agrees with it, or when the PIT gave no clean window at all.
 */
#ifndef X2HV_ARCH_X86_TSC_FREQ_H
#define X2HV_ARCH_X86_TSC_FREQ_H

#include <stdbool.h>
#include <stdint.h>

#define TSC_PIT_HZ 1193182u
/* A window is clean when its endpoints pin it down to this many parts
 * per million (bracket latency plus one PIT tick at each end). */
#define TSC_CLEAN_PPM 1000u
/* An architectural figure must agree with a clean PIT figure this well. */
#define TSC_ARCH_AGREE_PPM 20000u

/* The CPUID leaves that can give a frequency, as read on the CPU. */
struct tsc_cpuid {
	bool intel; /* vendor GenuineIntel */
	bool hypervisor; /* CPUID.1:ECX[31] */
	uint32_t max_basic; /* CPUID.0:EAX */
	uint32_t l15[3]; /* CPUID.15H EAX, EBX, ECX */
	uint32_t l16_eax; /* CPUID.16H:EAX, base MHz */
	uint32_t hv_max; /* CPUID.40000000H:EAX */
	char hv_sig[13]; /* CPUID.40000000H EBX, ECX, EDX */
	uint32_t l40000010[2]; /* EAX TSC kHz, EBX LAPIC timer kHz */
};

/* The architectural TSC frequency in kHz, or 0; *src names the leaf. */
uint64_t tsc_khz_from_cpuid(const struct tsc_cpuid *c, const char **src);

/* One PIT read: its count and the TSC before and after it. */
struct tsc_sample {
	uint64_t tsc_before, tsc_after;
	uint16_t count;
};

/* Of @n samples, the one read fastest (least disturbed). */
const struct tsc_sample *tsc_best_sample(const struct tsc_sample *s,
					 unsigned int n);

struct tsc_window {
	uint64_t khz;
	uint32_t ppm; /* how well the endpoints pin the window down */
};

/*
 * The window from @a to @b of a PIT counting down (mode 0 from 0xffff).
 * @wrapped: the PIT's output went high (terminal count) before the last
 * read, so a count may have been lost. Returns false for no window.
 */
bool tsc_window_eval(const struct tsc_sample *a, const struct tsc_sample *b,
		     bool wrapped, struct tsc_window *w);

enum tsc_source {
	TSC_SRC_NONE, /* nothing usable: the caller's fallback */
	TSC_SRC_ARCH, /* architectural, confirmed by the PIT or unchecked */
	TSC_SRC_PIT, /* the best clean PIT window */
	TSC_SRC_PIT_DISTURBED, /* no clean window: the least bad one */
};

struct tsc_choice {
	enum tsc_source src;
	uint64_t khz;
	uint64_t pit_khz; /* best PIT window, 0 if none */
	uint32_t pit_ppm;
	unsigned int clean, total; /* clean windows of all measured */
	uint32_t spread_ppm; /* (max - min) / best over clean windows */
	bool arch_rejected; /* an architectural figure the PIT contradicts */
};

/*
 * May calibration stop after these @n windows? Yes once TSC_ENOUGH_TIGHT
 * of them are tight (endpoints within TSC_TIGHT_PPM) and agree within
 * TSC_TIGHT_PPM: more windows would not change the verdict beyond that,
 * and each costs 40 ms of x2hv's start. A disturbed machine (issue 12's
 * load) gives fewer tight windows and measures them all.
 */
#define TSC_ENOUGH_TIGHT 3u
#define TSC_TIGHT_PPM 100u
bool tsc_windows_enough(const struct tsc_window *w, unsigned int n);

/* Decide from @n windows and an architectural figure (0: none). */
void tsc_choose(const struct tsc_window *w, unsigned int n, uint64_t arch_khz,
		struct tsc_choice *c);

#endif
