/* SPDX-License-Identifier: MIT */
/*
 * The guest's XCR0 policy (Intel SDM Vol. 1, 13.3 "Enabling the XSAVE
 * Feature Set and XSAVE-Enabled Features"; Vol. 2D XSETBV; AMD APM
 * Vol. 3 XSETBV): which state components a guest may enable and the
 * rules that tie them together. Pure: host-tested and fuzzed.
 */
#ifndef X2HV_VMM_XCR0_H
#define X2HV_VMM_XCR0_H

#include <stdbool.h>
#include <stdint.h>

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_BNDREGS (1ull << 3)
#define XCR0_BNDCSR (1ull << 4)
#define XCR0_MPX (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_OPMASK (1ull << 5)
#define XCR0_ZMM_HI256 (1ull << 6)
#define XCR0_HI16_ZMM (1ull << 7)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_PKRU (1ull << 9)
#define XCR0_XTILECFG (1ull << 17)
#define XCR0_XTILEDATA (1ull << 18)
#define XCR0_AMX (XCR0_XTILECFG | XCR0_XTILEDATA)

/*
 * The user state components whose rules x2hv knows: the only ones a
 * guest may enable (and the only ones its CPUID leaf 0xD shows).
 * Supervisor components (PT, CET, ...) belong to IA32_XSS, never XCR0.
 */
#define XCR0_KNOWN                                                             \
	(XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_MPX | XCR0_AVX512 | XCR0_PKRU | \
	 XCR0_AMX)

/* What a guest may enable, from the host's CPUID.(EAX=0DH,ECX=0):EDX:EAX. */
static inline uint64_t xcr0_guest_allowed(uint64_t host_supported)
{
	return host_supported & XCR0_KNOWN;
}

/* Would XSETBV accept @val for XCR0 with @allowed supported? */
bool xcr0_valid(uint64_t val, uint64_t allowed);

#endif
