// SPDX-License-Identifier: MIT
//! reject: x2hv: vm0: stopped
/*
 * XSETBV with every value the SDM forbids (Intel SDM Vol. 1, 13.3; Vol. 2D
 * XSETBV; AMD APM Vol. 3 XSETBV): each must raise #GP(0) in the guest and
 * leave XCR0 unchanged, never reach the real XSETBV (whose #GP would be
 * the hypervisor's). With CR4.OSXSAVE clear XSETBV raises #UD, and at
 * CPL 3 #GP. Valid values still work.
 */
#include "tests/guest/lib/guest.h"

#define CPUID_1_ECX_XSAVE (1u << 26)
#define CR4_OSXSAVE (1ull << 18)
#define X87 (1ull << 0)
#define SSE (1ull << 1)
#define AVX (1ull << 2)
#define BNDREGS (1ull << 3)
#define BNDCSR (1ull << 4)
#define OPMASK (1ull << 5)
#define ZMM_HI256 (1ull << 6)
#define HI16_ZMM (1ull << 7)
#define AVX512 (OPMASK | ZMM_HI256 | HI16_ZMM)
#define PT (1ull << 8) /* supervisor state: IA32_XSS only */
#define XTILECFG (1ull << 17)
#define XTILEDATA (1ull << 18)

struct bad {
	uint32_t xcr;
	uint64_t val;
	uint64_t needs; /* host XCR0 bits the case needs to be meaningful */
	const char *what;
};

static const struct bad bad[] = {
	{ 1, X87, 0, "XCR1 (only XCR0 exists for XSETBV)" },
	{ 0xffffffff, X87, 0, "XCR 0xffffffff" },
	{ 0, 0, 0, "x87 clear" },
	{ 0, SSE, 0, "SSE without x87" },
	{ 0, X87 | AVX, AVX, "AVX without SSE" },
	{ 0, X87 | SSE | OPMASK, AVX512,
	  "opmask alone (AVX-512 is 7:5 together)" },
	{ 0, X87 | SSE | AVX | OPMASK | ZMM_HI256, AVX512,
	  "AVX-512 bits 6:5 only" },
	{ 0, X87 | SSE | AVX512, AVX512, "AVX-512 without AVX" },
	{ 0, X87 | BNDREGS, BNDREGS, "MPX BNDREGS alone" },
	{ 0, X87 | BNDCSR, BNDCSR, "MPX BNDCSR alone" },
	{ 0, X87 | SSE | AVX | XTILECFG, XTILECFG, "AMX TILECFG alone" },
	{ 0, X87 | SSE | AVX | XTILEDATA, XTILEDATA, "AMX TILEDATA alone" },
	{ 0, X87 | PT, 0, "supervisor component (PT)" },
	{ 0, X87 | (1ull << 63), 0, "bit 63" },
	{ 0, ~0ull, 0, "all ones" },
};

static uint64_t user_xsetbv(uint64_t val)
{
	uint32_t fault = 0;

	/* At CPL 3 the CPU raises #GP(0) itself or the intercept must. */
	asm volatile("1: xsetbv\n"
		     "   jmp 3f\n"
		     "2: mov $1, %0\n"
		     "3:\n" EXTABLE(1b, 2b)
		     : "+r"(fault)
		     : "c"(0), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
	return fault;
}

void test_main(void)
{
	uint32_t a, b, c, d;
	uint64_t supported, before, now, e0;
	unsigned int bad_count = 0;
	int f;

	cpuid(1, &a, &b, &c, &d);
	if (!(c & CPUID_1_ECX_XSAVE)) {
		skip("no XSAVE on this CPU");
		return;
	}
	cpuid_count(0xd, 0, &a, &b, &c, &d);
	supported = a | (uint64_t)d << 32;
	printf("XCR0 supported %lx\n", supported);
	ok(write_cr4_safe(read_cr4() | CR4_OSXSAVE) == 0, "CR4.OSXSAVE set");
	e0 = exit_count(X2HV_EXIT_XSETBV);
	ok(xsetbv_safe(0, X87 | SSE) == 0, "XSETBV x87|SSE works");
	if (x2hv_present() && exit_count(X2HV_EXIT_XSETBV) == e0)
		skip("XSETBV does not exit on this CPU (QEMU TCG ignores the "
		     "intercept): only the CPU's own checks are tested");
	before = xgetbv(0);
	ok(before == (X87 | SSE), "XCR0 reads back %lx", before);

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if ((supported & bad[i].needs) != bad[i].needs) {
			printf("  (%s: not on this CPU, tried anyway)\n",
			       bad[i].what);
		}
		f = xsetbv_safe(bad[i].xcr, bad[i].val);
		now = xgetbv(0);
		if (f != FAULT_GP || this_cpu()->fault_error != 0 ||
		    now != before) {
			printf("  %s: xcr %x val %lx: fault %x err %lx, XCR0 %lx\n",
			       bad[i].what, bad[i].xcr, bad[i].val, f,
			       this_cpu()->fault_error, now);
			bad_count++;
		}
	}
	ok(!bad_count, "%u invalid XSETBVs give #GP(0), XCR0 unchanged",
	   (unsigned int)(sizeof(bad) / sizeof(bad[0])));

	/* The first unsupported bit (below 63): #GP. */
	for (unsigned int bit = 2; bit < 63; bit++) {
		if (!(supported & (1ull << bit))) {
			f = xsetbv_safe(0, X87 | SSE | (1ull << bit));
			ok(f == FAULT_GP, "unsupported bit %u: #GP (%x)", bit,
			   f);
			break;
		}
	}
	if ((supported & (AVX | AVX512)) == (AVX | AVX512)) {
		f = xsetbv_safe(0, X87 | SSE | AVX | AVX512);
		ok(f == 0, "full AVX-512 state accepted (%x)", f);
		xsetbv_safe(0, X87 | SSE);
	}
	if (supported & AVX) {
		f = xsetbv_safe(0, X87 | SSE | AVX);
		ok(f == 0 && xgetbv(0) == (X87 | SSE | AVX),
		   "x87|SSE|AVX accepted (%x)", f);
	}

	user_pages_init();
	cpu_tss_init(0);
	ok(user_call(user_xsetbv, X87 | SSE) == 1, "XSETBV at CPL 3: #GP");

	ok(write_cr4_safe(read_cr4() & ~CR4_OSXSAVE) == 0, "CR4.OSXSAVE clear");
	f = xsetbv_safe(0, X87 | SSE);
	ok(f == FAULT(X86_UD), "XSETBV with CR4.OSXSAVE clear: #UD (%x)", f);
}
