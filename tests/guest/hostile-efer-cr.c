// SPDX-License-Identifier: MIT
//! reject: x2hv: vm0: stopped
/*
 * Bad EFER, CR0 and CR4 writes raise #GP(0) in the guest, as the SDM and
 * APM specify (Intel SDM Vol. 2B MOV to CR, Vol. 3A 2.5 and 2.2.1, Vol. 4
 * IA32_EFER; AMD APM Vol. 2, 3.1): reserved bits, bits of features the
 * guest's CPUID does not show, and invalid combinations (leaving long
 * mode with paging on, PG without PE, NW without CD). None of them may
 * stop the VM, and a refused write changes nothing.
 */
#include "tests/guest/lib/guest.h"

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define EFER_FFXSR (1ull << 14)
#define EFER_TCE (1ull << 15)
#define CR0_PE (1ull << 0)
#define CR0_NE (1ull << 5)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_LA57 12

enum {
	EAX,
	EBX,
	ECX,
	EDX
};

/* CR4 bits and the CPUID flag that allows each (SDM Vol. 3A, 2.5). */
struct feature_bit {
	unsigned int bit;
	uint32_t leaf, sub;
	unsigned int reg, flag;
};

static const struct feature_bit cr4_bits[] = {
	{ 0, 1, 0, EDX, 1 }, /* VME */
	{ 1, 1, 0, EDX, 1 }, /* PVI */
	{ 2, 1, 0, EDX, 4 }, /* TSD */
	{ 3, 1, 0, EDX, 2 }, /* DE */
	{ 4, 1, 0, EDX, 3 }, /* PSE */
	{ 5, 1, 0, EDX, 6 }, /* PAE */
	{ 6, 1, 0, EDX, 7 }, /* MCE */
	{ 7, 1, 0, EDX, 13 }, /* PGE */
	{ 9, 1, 0, EDX, 24 }, /* OSFXSR */
	{ 10, 1, 0, EDX, 25 }, /* OSXMMEXCPT */
	{ 11, 7, 0, ECX, 2 }, /* UMIP */
	{ 13, 1, 0, ECX, 5 }, /* VMXE */
	{ 14, 1, 0, ECX, 6 }, /* SMXE */
	{ 16, 7, 0, EBX, 0 }, /* FSGSBASE */
	{ 17, 1, 0, ECX, 17 }, /* PCIDE */
	{ 18, 1, 0, ECX, 26 }, /* OSXSAVE */
	{ 19, 7, 0, ECX, 23 }, /* KL */
	{ 20, 7, 0, EBX, 7 }, /* SMEP */
	{ 21, 7, 0, EBX, 20 }, /* SMAP */
	{ 22, 7, 0, ECX, 3 }, /* PKE */
	{ 23, 7, 0, ECX, 7 }, /* CET */
	{ 24, 7, 0, ECX, 31 }, /* PKS */
	{ 25, 7, 0, EDX, 5 }, /* UINTR */
};

static bool cpuid_flag(uint32_t leaf, uint32_t sub, unsigned int reg,
		       unsigned int flag)
{
	uint32_t r[4], max;

	cpuid(leaf & 0x80000000u, &max, &r[1], &r[2], &r[3]);
	if (leaf > max)
		return false;
	cpuid_count(leaf, sub, &r[EAX], &r[EBX], &r[ECX], &r[EDX]);
	return (r[reg] >> flag) & 1;
}

/* Can the guest set CR4 bit @bit at all? PCE has no CPUID flag. */
static bool cr4_bit_allowed(unsigned int bit)
{
	if (bit == 8)
		return true;
	for (unsigned int i = 0; i < sizeof(cr4_bits) / sizeof(cr4_bits[0]);
	     i++)
		if (cr4_bits[i].bit == bit)
			return cpuid_flag(cr4_bits[i].leaf, cr4_bits[i].sub,
					  cr4_bits[i].reg, cr4_bits[i].flag);
	return false;
}

static bool efer_bit_allowed(unsigned int bit)
{
	switch (bit) {
	case 0:
		return cpuid_flag(0x80000001, 0, EDX, 11);
	case 8:
	case 10: /* LMA: read-only, writing its current value is fine */
		return true;
	case 11:
		return cpuid_flag(0x80000001, 0, EDX, 20);
	case 14:
		return cpuid_flag(0x80000001, 0, EDX, 25);
	case 15:
		return cpuid_flag(0x80000001, 0, ECX, 17);
	default:
		return false;
	}
}

static void check_efer(void)
{
	uint64_t efer = rdmsr(MSR_EFER), now;
	unsigned int bad = 0;
	int f;

	f = wrmsr_safe(MSR_EFER, efer & ~EFER_LME);
	now = rdmsr(MSR_EFER);
	ok(f == FAULT_GP && now == efer,
	   "clearing EFER.LME with paging on: #GP (%x, EFER %lx)", f, now);
	for (unsigned int bit = 0; bit < 64; bit++) {
		if (efer_bit_allowed(bit) || (efer & (1ull << bit)))
			continue;
		f = wrmsr_safe(MSR_EFER, efer | (1ull << bit));
		now = rdmsr(MSR_EFER);
		if (f != FAULT_GP || now != efer) {
			printf("  EFER bit %u: fault %x, EFER %lx\n", bit, f,
			       now);
			wrmsr_safe(MSR_EFER, efer);
			bad++;
		}
	}
	ok(!bad, "every EFER bit the guest's CPUID does not offer: #GP");
	f = wrmsr_safe(MSR_EFER, efer & ~EFER_LMA);
	ok(f == 0 && rdmsr(MSR_EFER) == efer,
	   "EFER.LMA is read-only: a write of 0 is ignored (%x)", f);
}

static void check_cr4(void)
{
	uint64_t cr4 = read_cr4(), now;
	unsigned int bad = 0;
	int f;

	for (unsigned int bit = 0; bit < 64; bit++) {
		if (cr4 & (1ull << bit))
			continue;
		/* LA57 cannot change in 64-bit mode (#GP) either way. */
		if (cr4_bit_allowed(bit) && bit != CR4_LA57)
			continue;
		f = write_cr4_safe(cr4 | (1ull << bit));
		now = read_cr4();
		if (f != FAULT_GP || now != cr4) {
			printf("  CR4 bit %u: fault %x, CR4 %lx\n", bit, f,
			       now);
			write_cr4_safe(cr4);
			bad++;
		}
	}
	ok(!bad, "every reserved or CPUID-hidden CR4 bit: #GP");
}

static void check_cr0(void)
{
	uint64_t cr0 = read_cr0(), now;
	int f;

	/*
	 * On SVM x2hv does not intercept CR0 writes (no decoder for LMSW's
	 * memory operand): the CPU checks them, as AMD CPUs do. QEMU's TCG
	 * checks neither CR0 bits 63:32 nor NW without CD, and the VMRUN
	 * after such a write fails (the VM stops: "VM entry failed: invalid
	 * guest state"): only the valid combinations are tried there.
	 */
	if (cpu_is_amd()) {
		skip("SVM: CR0 writes are the CPU's to check (not intercepted)");
		goto valid;
	}
	f = write_cr0_safe(cr0 | (1ull << 32));
	ok(f == FAULT_GP && read_cr0() == cr0, "CR0 bit 32: #GP (%x)", f);
	f = write_cr0_safe((cr0 | CR0_NW) & ~CR0_CD);
	ok(f == FAULT_GP && read_cr0() == cr0, "CR0.NW without CD: #GP (%x)",
	   f);
	f = write_cr0_safe(cr0 & ~CR0_PE);
	ok(f == FAULT_GP && read_cr0() == cr0, "CR0.PG without PE: #GP (%x)",
	   f);
	f = write_cr0_safe(cr0 & ~CR0_PG);
	ok(f == FAULT_GP && read_cr0() == cr0,
	   "clearing CR0.PG in 64-bit mode: #GP (%x)", f);
valid:
	f = write_cr0_safe(cr0 | CR0_CD | CR0_NW);
	now = read_cr0();
	ok(f == 0 && (now & (CR0_CD | CR0_NW)) == (CR0_CD | CR0_NW),
	   "CD|NW is valid and reads back (%x, %lx)", f, now);
	f = write_cr0_safe(cr0);
	ok(f == 0 && read_cr0() == cr0, "and back (%x)", f);
	/* Reserved bits 28:19 (but 18) are ignored or refused, never fatal. */
	f = write_cr0_safe((cr0 ^ CR0_NE) | (1ull << 20));
	ok(f == 0 || f == FAULT_GP, "CR0.NE toggled with reserved bit 20 (%x)",
	   f);
	write_cr0_safe(cr0);
	ok(read_cr0() == cr0, "CR0 restored (%lx)", read_cr0());
}

void test_main(void)
{
	check_efer();
	check_cr4();
	check_cr0();
}
