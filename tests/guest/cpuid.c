// SPDX-License-Identifier: MIT
/*
 * CPUID as x2hv presents it: hypervisor bit and signature, the x2APIC and
 * its lock advertised (CPUID.7.0:EDX[29] = IA32_ARCH_CAPABILITIES), VMX and
 * SVM hidden, and the x2APIC ID in leaf 0xB matching MSR 0x802.
 */
#include "tests/guest/lib/guest.h"

#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_7_EDX_ARCH_CAP (1u << 29)
#define CPUID_80000001_ECX_SVM (1u << 2)
#define LEAF_TOPOLOGY 0xb
#define LEAF_EXT_FEATURES 0x80000001u

void test_main(void)
{
	uint32_t a, b, c, d, max, maxext;
	char vendor[13];

	cpuid(0, &max, &b, &c, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	ok(!memcmp(vendor, "GenuineIntel", 12) ||
		   !memcmp(vendor, "AuthenticAMD", 12),
	   "vendor %s", vendor);

	cpuid(1, &a, &b, &c, &d);
	ok(c & CPUID_1_ECX_X2APIC || !x2hv_present(),
	   "CPUID.1:ECX[21] x2APIC set (ecx=%x)", c);
	if (!x2hv_present()) {
		skip("not running under x2hv: x2hv-specific leaves not checked");
	} else {
		ok(c & CPUID_1_ECX_HYPERVISOR, "CPUID.1:ECX[31] hypervisor");
		ok(!(c & CPUID_1_ECX_VMX), "CPUID.1:ECX[5] VMX hidden");
		cpuid(X2HV_CPUID_BASE, &a, &b, &c, &d);
		ok(b == X2HV_CPUID_SIG_EBX && c == X2HV_CPUID_SIG_EBX &&
			   d == X2HV_CPUID_SIG_EBX,
		   "leaf 0x40000000 signature x2hvx2hvx2hv");
		ok(a >= X2HV_CPUID_BASE, "leaf 0x40000000 max leaf %x", a);
		ok(max >= 7, "max basic leaf %u >= 7", max);
		cpuid_count(7, 0, &a, &b, &c, &d);
		ok(d & CPUID_7_EDX_ARCH_CAP,
		   "CPUID.7.0:EDX[29] IA32_ARCH_CAPABILITIES (edx=%x)", d);
		cpuid(0x80000000u, &maxext, &b, &c, &d);
		if (maxext >= LEAF_EXT_FEATURES) {
			cpuid(LEAF_EXT_FEATURES, &a, &b, &c, &d);
			ok(!(c & CPUID_80000001_ECX_SVM),
			   "CPUID.80000001:ECX[2] SVM hidden (ecx=%x)", c);
		}
	}

	require_x2apic();
	if (max >= LEAF_TOPOLOGY) {
		cpuid_count(LEAF_TOPOLOGY, 0, &a, &b, &c, &d);
		ok(d == apic_id(), "CPUID.0xB EDX x2APIC ID %u == MSR 0x802 %u",
		   d, apic_id());
		ok(b != 0, "CPUID.0xB.0 reports logical processors (ebx=%u)",
		   b);
	} else {
		ok(!x2hv_present(), "leaf 0xB present under x2hv");
	}
}
