/* SPDX-License-Identifier: MIT */
/*
 * What a guest may write to CR0, CR4 and EFER, and the checks the CPU
 * makes on those writes (Intel SDM Vol. 2B "MOV--Move to/from Control
 * Registers", Vol. 3A 2.5 and 2.2.1, Vol. 4 IA32_EFER; AMD APM Vol. 2,
 * 3.1 and 3.1.7; Vol. 3 MOV CRn). A bit is writable only when the guest's
 * CPUID shows its feature: a hidden feature's bit is reserved, as on a
 * CPU without it. Pure: host-tested and fuzzed; the backends apply the
 * result (VMX: the CR4 guest/host mask owns every bit the guest may not
 * set, SVM: CR4 writes are intercepted; EFER is an intercepted MSR).
 */
#ifndef X2HV_VMM_CR_POLICY_H
#define X2HV_VMM_CR_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* The guest's CPUID words the policy reads (vmm/cpuid.c fills them). */
struct cr_cpuid {
	uint32_t l1_ecx, l1_edx; /* leaf 1 */
	uint32_t l7_ebx, l7_ecx, l7_edx; /* leaf 7, sub-leaf 0 */
	uint32_t e1_ecx, e1_edx; /* leaf 0x80000001 */
};

struct cr_policy {
	uint64_t cr4_allowed; /* CR4 bits the guest may set */
	uint64_t efer_allowed; /* EFER bits it may write (LMA aside) */
};

/* The register state a check depends on. */
struct cr_state {
	uint64_t cr0, cr3, cr4, efer;
	bool cs_l; /* CS.L: 64-bit code (with EFER.LMA) */
};

void cr_policy_init(struct cr_policy *p, const struct cr_cpuid *c);

/*
 * MOV to CR0 / CR4 and WRMSR to EFER with value @val in state @s: 0 and
 * the value to load in *@out, or -1 for #GP(0). CR0 bits 28:19, 17 and
 * 15:6 are ignored (read as 0) and ET reads as 1, as on current CPUs;
 * EFER.LMA is read-only (the written bit is ignored).
 */
int cr0_write_check(const struct cr_state *s, uint64_t val, uint64_t *out);
int cr4_write_check(const struct cr_policy *p, const struct cr_state *s,
		    uint64_t val, uint64_t *out);
int efer_write_check(const struct cr_policy *p, const struct cr_state *s,
		     uint64_t val, uint64_t *out);

#endif
