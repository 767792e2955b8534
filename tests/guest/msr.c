// SPDX-License-Identifier: MIT
/*
 * MSR policy seen from the guest: unknown MSRs #GP both ways, the x2APIC
 * lock is advertised (IA32_ARCH_CAPABILITIES[21], MSR 0xBD = 1 read-only),
 * EFER shows long mode, and a few MSRs Linux needs behave.
 */
#include "tests/guest/lib/guest.h"

/* Does the CPUID brand string (leaves 0x80000002-4) contain @what? */
static bool cpu_brand_has(const char *what)
{
	uint32_t w[13], a, b, c, d;
	const char *brand = (const char *)w;
	unsigned int n = 0;

	cpuid(0x80000000, &a, &b, &c, &d);
	if (a < 0x80000004)
		return false;
	for (uint32_t leaf = 0; leaf < 3; leaf++)
		cpuid(0x80000002 + leaf, &w[4 * leaf], &w[4 * leaf + 1],
		      &w[4 * leaf + 2], &w[4 * leaf + 3]);
	w[12] = 0;
	while (what[n])
		n++;
	for (unsigned int i = 0; brand[i]; i++) {
		unsigned int k = 0;

		while (k < n && brand[i + k] == what[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

#define MSR_BOGUS 0x12345678u
#define MSR_TSC 0x10
#define MSR_GS_BASE 0xc0000101u
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define GS_BASE_PATTERN 0x123456789000ull

void test_main(void)
{
	uint64_t v = 0, t0 = 0, t1, old;
	int r;

	ok(rdmsr_safe(MSR_BOGUS, &v) == FAULT_GP, "rdmsr 0x%x #GP", MSR_BOGUS);
	ok(this_cpu()->fault_error == 0, "#GP error code 0");
	ok(wrmsr_safe(MSR_BOGUS, 0) == FAULT_GP, "wrmsr 0x%x #GP", MSR_BOGUS);

	r = rdmsr_safe(MSR_EFER, &v);
	ok(r == 0 && (v & EFER_LME) && (v & EFER_LMA),
	   "EFER readable, LME and LMA set (%lx)", v);

	r = rdmsr_safe(MSR_TSC, &t0);
	ok(r == 0, "IA32_TSC readable");
	t1 = rdtsc();
	ok(t1 >= t0, "RDTSC (%lx) not behind IA32_TSC (%lx)", t1, t0);

	old = rdmsr(MSR_GS_BASE);
	ok(wrmsr_safe(MSR_GS_BASE, GS_BASE_PATTERN) == 0 &&
		   rdmsr(MSR_GS_BASE) == GS_BASE_PATTERN,
	   "IA32_GS_BASE round-trips");
	wrmsr(MSR_GS_BASE, old);
	/*
	 * x2hv passes IA32_GS_BASE through, so the CPU itself checks the
	 * address. QEMU's TCG does not (it stores any value), so there the
	 * check would test the emulator, not x2hv.
	 */
	if (cpu_brand_has("QEMU TCG"))
		skip("QEMU TCG does not check canonical IA32_GS_BASE writes");
	else
		ok(wrmsr_safe(MSR_GS_BASE, 1ull << 63) == FAULT_GP,
		   "non-canonical IA32_GS_BASE #GP");

	if (!x2hv_present()) {
		skip("not under x2hv: x2APIC lock MSRs not checked");
		return;
	}
	r = rdmsr_safe(MSR_ARCH_CAPABILITIES, &v);
	ok(r == 0 && (v & ARCH_CAP_XAPIC_DISABLE),
	   "IA32_ARCH_CAPABILITIES bit 21 set (%lx)", v);
	ok(wrmsr_safe(MSR_ARCH_CAPABILITIES, v) == FAULT_GP,
	   "IA32_ARCH_CAPABILITIES is read-only");
	r = rdmsr_safe(MSR_XAPIC_DISABLE_STATUS, &v);
	ok(r == 0 && v == 1, "IA32_XAPIC_DISABLE_STATUS reads 1 (%lx)", v);
	ok(wrmsr_safe(MSR_XAPIC_DISABLE_STATUS, 1) == FAULT_GP,
	   "IA32_XAPIC_DISABLE_STATUS write #GP");
	ok(wrmsr_safe(MSR_XAPIC_DISABLE_STATUS, 0) == FAULT_GP,
	   "IA32_XAPIC_DISABLE_STATUS write 0 #GP");
	ok(rdmsr(MSR_XAPIC_DISABLE_STATUS) == 1, "still 1 after the writes");
}
