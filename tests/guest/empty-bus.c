// SPDX-License-Identifier: MIT
//! hvargs: mem=64M
//! expect: RESULT: PASS
//! expect: x2hv: vm0: [1-9][0-9]* writes to unbacked guest-physical space dropped
/*
 * Guest-physical space below 4 GiB with nothing behind it is an empty
 * bus (DESIGN.md principle 5): every read returns all-ones and every
 * write vanishes, so nothing written there can be read back, at any
 * width, by the instruction that wrote it or later, and the IOAPIC
 * window and the old xAPIC page are not one shared scratch block. The
 * writes x2hv drops run once against a scratch page under single-step
 * (monitor trap flag on VMX, TF on SVM), so the rest checks that the
 * step is invisible: a store half in RAM keeps its RAM half, REP STOS
 * across RAM's end and across pages leaves its registers as on hardware,
 * an instruction whose bytes straddle two pages works, and a PUSHF onto
 * an unbacked stack pushes nothing. hostile-empty-bus covers the guest's
 * own single-step, interrupts arriving during steps and the bound on a
 * write that never completes.
 *
 * Without x2hv (tests/guest/run-bare.sh) RAM or real devices answer at
 * some of these addresses: the all-ones checks SKIP there, the
 * architectural ones (registers, RAM halves) still run.
 */
#include "tests/guest/lib/guest.h"

#define RAM_END 0x4000000ull /* mem=64M */
#define ALL_ONES 0xffffffffffffffffull
#define PATTERN 0x0123456789abcdefull

static const uint64_t unbacked[] = {
	0xfee00080ull, /* xAPIC TPR */
	0xfee00300ull, /* xAPIC ICR */
	0xfec00000ull, /* IOAPIC index */
	0xfec00010ull, /* IOAPIC window */
	0xfed000f0ull, /* HPET counter */
	0xc0000000ull, /* 3 GiB */
	RAM_END, /* the first byte after RAM */
	0xfffff000ull, /* the last page below 4 GiB */
};
#define N_UNBACKED (sizeof(unbacked) / sizeof(unbacked[0]))

static bool bare;

static uint64_t rd64(uint64_t a)
{
	return *(volatile uint64_t *)a;
}

/* Write @a at every width, read it back at every width. */
static bool widths_read_ones(uint64_t a)
{
	*(volatile uint8_t *)a = 0x5a;
	if (*(volatile uint8_t *)a != 0xff)
		return false;
	*(volatile uint16_t *)a = 0x5a5a;
	if (*(volatile uint16_t *)a != 0xffff)
		return false;
	*(volatile uint32_t *)a = 0x5a5a5a5a;
	if (*(volatile uint32_t *)a != 0xffffffffu)
		return false;
	*(volatile uint64_t *)a = PATTERN;
	return rd64(a) == ALL_ONES;
}

static void check_ones(bool cond, const char *what)
{
	if (bare)
		skip("bare: %s not asserted (RAM or a device may answer)",
		     what);
	else
		ok(cond, "%s", what);
}

static void test_plain_writes(void)
{
	for (unsigned int i = 0; i < N_UNBACKED; i++) {
		bool ones = widths_read_ones(unbacked[i]);

		if (!bare)
			ok(ones, "%lx: writes of 1-8 bytes read back all-ones",
			   unbacked[i]);
	}
	/* Before x2hv's fix the IOAPIC window and the xAPIC page were the
	 * same writable 0xff block. */
	*(volatile uint32_t *)0xfec00000ull = 0x12345678;
	check_ones(*(volatile uint32_t *)0xfee00000ull == 0xffffffffu &&
			   *(volatile uint32_t *)0xfec00000ull == 0xffffffffu,
		   "IOAPIC write not seen at the IOAPIC or the xAPIC page");
}

static void test_rmw(void)
{
	uint32_t v = 1, x = 7;
	volatile uint32_t *p = (volatile uint32_t *)0xc0000040ull;

	asm volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p)::"memory");
	asm volatile("xchgl %0, %1" : "+r"(x), "+m"(*p)::"memory");
	asm volatile("incl %0" : "+m"(*p)::"memory");
	check_ones(v == 0xffffffffu && x == 0xffffffffu && *p == 0xffffffffu,
		   "lock xadd / xchg / inc on unbacked space see all-ones");
}

/* One 8-byte store, 4 bytes in RAM and 4 beyond its end. */
static void test_straddle(void)
{
	volatile uint32_t *lo = (volatile uint32_t *)(RAM_END - 4);

	*lo = 0;
	*(volatile uint64_t *)(RAM_END - 4) = PATTERN;
	ok(*lo == (uint32_t)PATTERN, "RAM half of a straddling store kept (%x)",
	   *lo);
	check_ones(*(volatile uint32_t *)RAM_END == 0xffffffffu,
		   "unbacked half of a straddling store dropped");
	/* Across two unbacked regions mapped apart (HPET page to xAPIC
	 * page; 2 MiB boundary below the IOAPIC). */
	*(volatile uint64_t *)0xfedffffcull = PATTERN;
	*(volatile uint64_t *)0xfebffffcull = PATTERN;
	check_ones(rd64(0xfedffffcull) == ALL_ONES &&
			   rd64(0xfebffffcull) == ALL_ONES,
		   "stores across two unbacked regions dropped");
}

static void test_rep_stos(void)
{
	uint64_t dst = RAM_END - 16, cnt = 64, end_ok = 1;
	uint8_t *ram = (uint8_t *)(RAM_END - 16);

	memset(ram, 0, 16);
	asm volatile("cld; rep stosb"
		     : "+D"(dst), "+c"(cnt)
		     : "a"(0x5a)
		     : "memory");
	ok(cnt == 0 && dst == RAM_END + 48,
	   "rep stosb across RAM's end: rcx %lx rdi %lx", cnt, dst);
	for (int i = 0; i < 16; i++)
		end_ok &= ram[i] == 0x5a;
	ok(end_ok, "rep stosb: RAM part written");
	check_ones(rd64(RAM_END) == ALL_ONES && rd64(RAM_END + 40) == ALL_ONES,
		   "rep stosb: unbacked part dropped");

	dst = 0xc0000ff0ull;
	cnt = 8;
	asm volatile("rep stosq"
		     : "+D"(dst), "+c"(cnt)
		     : "a"(PATTERN)
		     : "memory");
	ok(cnt == 0 && dst == 0xc0001030ull,
	   "rep stosq across an unbacked page boundary: rcx %lx rdi %lx", cnt,
	   dst);
	check_ones(rd64(0xc0000ff0ull) == ALL_ONES &&
			   rd64(0xc0001028ull) == ALL_ONES,
		   "rep stosq: all dropped");
}

/* movl $imm32, (%rdi): 6 bytes, 3 on each side of a page boundary. */
asm(".text\n.p2align 12\n"
    "straddle_page:\n.skip 4093, 0x90\n"
    "movl $0x5a5a5a5a, (%rdi)\nret\n");
void straddle_page(uint64_t rdi);

static void test_straddling_insn(void)
{
	volatile uint32_t word = 0;

	straddle_page((uint64_t)&word);
	ok(word == 0x5a5a5a5a, "page-straddling store to RAM works");
	straddle_page(0xc0000100ull);
	check_ones(*(volatile uint32_t *)0xc0000100ull == 0xffffffffu,
		   "page-straddling store to unbacked space dropped");
}

/* PUSHF and POP with the stack in unbacked space (the slot inside one
 * page): the pushed flags vanish, TF included. */
static void test_pushf(void)
{
	uint64_t popped, flags;

	asm volatile("mov %%rsp, %%rbx\n"
		     "mov %2, %%rsp\n"
		     "pushfq\n"
		     "popq %0\n"
		     "mov %%rbx, %%rsp\n"
		     "pushfq\n"
		     "popq %1\n"
		     : "=r"(popped), "=r"(flags)
		     : "r"(0xc0000800ull)
		     : "rbx", "memory");
	check_ones(popped == ALL_ONES,
		   "pushfq to unbacked stack: pop reads ones");
	ok(!(flags & (1u << 8)), "TF clear after the step (rflags %lx)", flags);
}

void test_main(void)
{
	bare = !x2hv_present();
	test_plain_writes();
	test_rmw();
	test_straddle();
	test_rep_stos();
	test_straddling_insn();
	test_pushf();
}
