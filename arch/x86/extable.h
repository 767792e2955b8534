/* SPDX-License-Identifier: MIT */
/*
 * Exception fixups for the few instructions the hypervisor runs with
 * guest-chosen operands (XSETBV): an exception at an address in the
 * table does not panic, trap_dispatch() resumes at the entry's fixup and
 * records the vector in this CPU's percpu.fixup_vector. Every such
 * operand is validated first (principle: a guest value reaches hardware
 * only after the SDM's rules are checked); the fixup is the second line,
 * so a rule the policy misses costs the guest a #GP, not the host.
 */
#ifndef X2HV_ARCH_X86_EXTABLE_H
#define X2HV_ARCH_X86_EXTABLE_H

#include <stdint.h>

#include "arch/x86/percpu.h"

struct extable_entry {
	uint64_t insn, fixup;
};

#define EXTABLE_ENTRY(insn, fixup)                                             \
	".pushsection .ex_table, \"a\"\n.balign 8\n.quad " #insn ", " #fixup   \
	"\n.popsection\n"

/* The table, sorted by nothing (linker.ld). */
extern const struct extable_entry __ex_table_start[], __ex_table_end[];

/* The fixup for @rip, or 0 (arch/x86/idt.c). */
uint64_t extable_fixup(uint64_t rip);

/* Marks percpu.fixup_vector as set: 0 is #DE, a real vector. */
#define FIXUP_VALID 0x100u

/* XSETBV that returns 0, or FIXUP_VALID | vector if the CPU refused it.
 * Host tests (fuzzers) provide their own, which checks the value. */
#ifdef X2HV_HOST_TEST
unsigned int xsetbv_safe(uint32_t idx, uint64_t v);
#else
static inline unsigned int xsetbv_safe(uint32_t idx, uint64_t v)
{
	struct percpu *p = this_cpu();

	p->fixup_vector = 0;
	__asm__ volatile("1: xsetbv\n2:\n" EXTABLE_ENTRY(1b, 2b)::"c"(idx),
			 "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
	return p->fixup_vector;
}
#endif

#endif
