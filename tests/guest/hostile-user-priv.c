// SPDX-License-Identifier: MIT
//! reject: reset requested
//! reject: stopped: poweroff
//! reject: x2hv: vm0: stopped
/*
 * Privileged instructions from a user process (CPL 3, IOPL 0, no I/O
 * bitmap), including every one x2hv intercepts: each must fault as on
 * hardware (#GP(0), or #UD where the instruction is undefined for the
 * guest), whether the CPU checks the privilege before the intercept or
 * x2hv must, and none may reach the emulated devices or registers
 * (no reset through port 0xCF9, no poweroff, no APIC or MSR change).
 */
#include "tests/guest/lib/guest.h"

enum {
	OP_IN80,
	OP_OUTCF9,
	OP_OUT404,
	OP_INCOM1,
	OP_RDMSR,
	OP_WRMSR,
	OP_HLT,
	OP_INVD,
	OP_WBINVD,
	OP_MOVCR4,
	OP_MOVCR8,
	OP_RDCR8,
	OP_CLTS,
	OP_RDPMC,
	OP_MONITOR,
	OP_MWAIT,
	NR_OPS
};

/*
 * @intercepted: x2hv asks for an exit on it (on one vendor at least,
 * docs/security.md), so a wrong answer may be x2hv's. The others only
 * the CPU checks: QEMU 10's TCG, for one, runs WBINVD at CPL 3.
 */
static const struct {
	const char *what;
	unsigned int fault; /* FAULT(vector) wanted */
	bool intercepted;
} ops[NR_OPS] = {
	[OP_IN80] = { "IN AL, 0x80", FAULT_GP, true },
	[OP_OUTCF9] = { "OUT 0xCF9 (reset)", FAULT_GP, true },
	[OP_OUT404] = { "OUT 0x404 (ACPI sleep)", FAULT_GP, true },
	[OP_INCOM1] = { "IN AL, DX (COM1)", FAULT_GP, true },
	[OP_RDMSR] = { "RDMSR APIC_BASE", FAULT_GP, true },
	[OP_WRMSR] = { "WRMSR x2APIC TPR", FAULT_GP, true },
	[OP_HLT] = { "HLT", FAULT_GP, true },
	[OP_INVD] = { "INVD", FAULT_GP, true },
	[OP_WBINVD] = { "WBINVD", FAULT_GP, false },
	[OP_MOVCR4] = { "MOV CR4, RAX", FAULT_GP, true },
	[OP_MOVCR8] = { "MOV CR8, RAX", FAULT_GP, true },
	[OP_RDCR8] = { "MOV RAX, CR8", FAULT_GP, true },
	[OP_CLTS] = { "CLTS", FAULT_GP, false },
	[OP_RDPMC] = { "RDPMC (CR4.PCE clear)", FAULT_GP, false },
	[OP_MONITOR] = { "MONITOR", FAULT(X86_UD), true },
	[OP_MWAIT] = { "MWAIT", FAULT(X86_UD), true },
};

/* The user side: one instruction under an exception-table entry. */
#define EX(insn) "1: " insn "\n2:\n" EXTABLE(1b, 2b)

static uint64_t user_op(uint64_t op)
{
	switch (op) {
	case OP_IN80:
		asm volatile(EX("inb $0x80, %%al")::"a"(0) : "memory");
		break;
	case OP_OUTCF9:
		asm volatile(EX("outb %%al, %%dx")::"a"(X2HV_RESET_VALUE),
			     "d"(X2HV_PORT_RESET)
			     : "memory");
		break;
	case OP_OUT404:
		asm volatile(EX("outb %%al, %%dx")::"a"(X2HV_SLP_EN |
							X2HV_SLP_TYP_S5 << 2),
			     "d"(X2HV_PORT_SLEEP_CONTROL)
			     : "memory");
		break;
	case OP_INCOM1:
		asm volatile(EX("inb %%dx, %%al")::"a"(0), "d"(X2HV_PORT_COM1)
			     : "memory");
		break;
	case OP_RDMSR:
		asm volatile(EX("rdmsr")::"c"(MSR_APIC_BASE)
			     : "rax", "rdx", "memory");
		break;
	case OP_WRMSR:
		asm volatile(EX("wrmsr")::"c"(X2APIC_TPR), "a"(0xf0), "d"(0)
			     : "memory");
		break;
	case OP_HLT:
		asm volatile(EX("hlt")::: "memory");
		break;
	case OP_INVD:
		asm volatile(EX("invd")::: "memory");
		break;
	case OP_WBINVD:
		asm volatile(EX("wbinvd")::: "memory");
		break;
	case OP_MOVCR4:
		asm volatile(EX("mov %%rax, %%cr4")::"a"(0) : "memory");
		break;
	case OP_MOVCR8:
		asm volatile(EX("mov %%rax, %%cr8")::"a"(0xf) : "memory");
		break;
	case OP_RDCR8:
		asm volatile(EX("mov %%cr8, %%rax")::: "rax", "memory");
		break;
	case OP_CLTS:
		asm volatile(EX("clts")::: "memory");
		break;
	case OP_RDPMC:
		asm volatile(EX("rdpmc")::"c"(0) : "rax", "rdx", "memory");
		break;
	case OP_MONITOR:
		asm volatile(EX("monitor")::"a"(0), "c"(0), "d"(0) : "memory");
		break;
	case OP_MWAIT:
		asm volatile(EX("mwait")::"a"(0), "c"(0) : "memory");
		break;
	}
	return 0;
}

void test_main(void)
{
	struct percpu *pc = this_cpu();
	uint64_t tpr = 0, base = rdmsr(MSR_APIC_BASE);
	unsigned int bad = 0, cpu_only = 0;

	user_pages_init();
	cpu_tss_init(0);
	if (x2hv_present() || boot_x2apic_was_enabled)
		tpr = rdmsr(X2APIC_TPR);
	for (unsigned int i = 0; i < NR_OPS; i++) {
		pc->fault = 0;
		user_call(user_op, i);
		if (pc->fault == ops[i].fault)
			continue;
		if (!ops[i].intercepted) {
			/* Not x2hv's to check: the CPU (emulator) ran it. */
			skip("%s at CPL 3: fault %x, want %x; x2hv does not "
			     "intercept it, so the CPU's answer",
			     ops[i].what, pc->fault, ops[i].fault);
			cpu_only++;
			continue;
		}
		printf("  %s at CPL 3: fault %x, want %x\n", ops[i].what,
		       pc->fault, ops[i].fault);
		bad++;
	}
	ok(!bad,
	   "%u privileged instructions fault at CPL 3 (%u wrong, "
	   "%u left to the CPU)",
	   (unsigned int)NR_OPS - cpu_only, bad, cpu_only);
	ok(rdmsr(MSR_APIC_BASE) == base, "IA32_APIC_BASE unchanged");
	if (x2hv_present() || boot_x2apic_was_enabled)
		ok(rdmsr(X2APIC_TPR) == tpr, "TPR unchanged (%lx)",
		   rdmsr(X2APIC_TPR));
}
