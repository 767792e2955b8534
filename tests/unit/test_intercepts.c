// SPDX-License-Identifier: MIT
/*
 * docs/security.md's intercept table against the intercepts every VMCB
 * and VMCS starts with (arch/x86/svm/svm_intercepts.h,
 * arch/x86/vmx/vmx_intercepts.h): each row's VMX and SVM cells must say
 * what the masks say, every row must be one this test knows, and every
 * intercept bit the backends set must have its row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/svm/svm_intercepts.h"
#include "arch/x86/vmx/vmx_intercepts.h"

#define DOC "docs/security.md"
#define MAX_ROWS 64
#define CELL 64

/* Where the bits of a cell live. */
enum word {
	W_NONE, /* a fixed word: "always", "mask", "n/a", "pass" */
	W_VMX_EXC,
	W_VMX_PIN,
	W_VMX_PROC,
	W_VMX_PROC2,
	W_SVM_EXC,
	W_SVM_CR,
	W_SVM_DR,
	W_SVM_I1,
	W_SVM_I2,
};

struct side {
	enum word word;
	uint64_t bits; /* W_NONE: unused */
	const char *fixed; /* W_NONE: the word the doc must say */
};

struct expect {
	const char *id;
	struct side vmx, svm;
};

#define BIT(n) (1ull << (n))
#define V(w, b)                                                                \
	{                                                                      \
		W_VMX_##w, (b), NULL                                           \
	}
#define S(w, b)                                                                \
	{                                                                      \
		W_SVM_##w, (b), NULL                                           \
	}
#define FIXED(s)                                                               \
	{                                                                      \
		W_NONE, 0, (s)                                                 \
	}

static const struct expect expects[] = {
	{ "exc-db", V(EXC, BIT(VEC_DB)), S(EXC, BIT(VEC_DB)) },
	{ "exc-ac", V(EXC, BIT(VEC_AC)), S(EXC, BIT(VEC_AC)) },
	{ "exc-other", V(EXC, 0xffffffffull & ~(BIT(VEC_DB) | BIT(VEC_AC))),
	  S(EXC, 0xffffffffull & ~(BIT(VEC_DB) | BIT(VEC_AC))) },
	{ "ev-intr", V(PIN, PIN_EXT_INTR), S(I1, SVM_I1_INTR) },
	{ "ev-nmi", V(PIN, PIN_NMI), S(I1, SVM_I1_NMI) },
	{ "ev-vnmi", V(PIN, PIN_VIRTUAL_NMI), FIXED("n/a") },
	{ "ev-nmi-window", V(PROC, PROC_NMI_WINDOW), FIXED("n/a") },
	{ "ev-iret", FIXED("n/a"), S(I1, SVM_I1_IRET) },
	{ "ev-intr-window", V(PROC, PROC_INTR_WINDOW), S(I1, SVM_I1_VINTR) },
	{ "ev-smi", FIXED("n/a"), S(I1, SVM_I1_SMI) },
	{ "ev-init", FIXED("always"), S(I1, SVM_I1_INIT) },
	{ "ev-shutdown", FIXED("always"), S(I1, SVM_I1_SHUTDOWN) },
	{ "ev-task-switch", FIXED("always"), S(I1, SVM_I1_TASK_SWITCH) },
	{ "insn-cpuid", FIXED("always"), S(I1, SVM_I1_CPUID) },
	{ "insn-hlt", V(PROC, PROC_HLT), S(I1, SVM_I1_HLT) },
	{ "insn-invd", FIXED("always"), S(I1, SVM_I1_INVD) },
	{ "insn-monitor", V(PROC, PROC_MONITOR), S(I2, SVM_I2_MONITOR) },
	{ "insn-mwait", V(PROC, PROC_MWAIT),
	  S(I2, SVM_I2_MWAIT | SVM_I2_MWAIT_COND) },
	{ "insn-pause", V(PROC, PROC_PAUSE), S(I1, SVM_I1_PAUSE) },
	{ "insn-rdtsc", V(PROC, PROC_RDTSC),
	  S(I1, SVM_I1_RDTSC) /* and RDTSCP below */ },
	{ "insn-rdpmc", V(PROC, PROC_RDPMC), S(I1, SVM_I1_RDPMC) },
	{ "insn-invlpg", V(PROC, PROC_INVLPG), S(I1, SVM_I1_INVLPG) },
	{ "insn-wbinvd", V(PROC2, PROC2_WBINVD), S(I2, SVM_I2_WBINVD) },
	{ "insn-xsetbv", FIXED("always"), S(I2, SVM_I2_XSETBV) },
	{ "insn-vmcall", FIXED("always"), S(I2, SVM_I2_VMMCALL) },
	{ "insn-vmx", FIXED("always"), FIXED("n/a") },
	{ "insn-getsec", FIXED("always"), FIXED("n/a") },
	{ "insn-svm", FIXED("n/a"),
	  S(I2, SVM_I2_VMRUN | SVM_I2_VMLOAD | SVM_I2_VMSAVE | SVM_I2_STGI |
			SVM_I2_CLGI | SVM_I2_SKINIT) },
	{ "insn-invlpga", FIXED("n/a"), S(I1, SVM_I1_INVLPGA) },
	{ "insn-rdpru", FIXED("n/a"), S(I2, SVM_I2_RDPRU) },
	{ "insn-rsm", FIXED("n/a"), S(I1, SVM_I1_RSM) },
	{ "insn-icebp", FIXED("pass"), S(I2, SVM_I2_ICEBP) },
	{ "io", V(PROC, PROC_UNCOND_IO), S(I1, SVM_I1_IOIO) },
	{ "msr", V(PROC, PROC_MSR_BITMAPS), S(I1, SVM_I1_MSR) },
	{ "cr0", FIXED("mask"), S(CR, SVM_CR_WRITE(0)) },
	{ "cr3", V(PROC, PROC_CR3_LOAD | PROC_CR3_STORE),
	  S(CR, SVM_CR_WRITE(3)) },
	{ "cr4", FIXED("mask"), S(CR, SVM_CR_WRITE(4)) },
	{ "cr8", V(PROC, PROC_CR8_LOAD | PROC_CR8_STORE),
	  S(CR, SVM_CR_WRITE(8)) },
	{ "dr", V(PROC, PROC_MOV_DR), S(DR, 0xffffffffull) },
};

#define NR_EXPECTS (sizeof(expects) / sizeof(expects[0]))

/* Controls that enable a feature rather than an exit. */
#define VMX_PROC_ENABLES (PROC_SECONDARY | PROC_TSC_OFFSET)
#define VMX_PROC2_ENABLES                                                      \
	(PROC2_EPT | PROC2_UNRESTRICTED | PROC2_RDTSCP | PROC2_VPID)

static uint64_t word_static(enum word w)
{
	switch (w) {
	case W_VMX_EXC:
		return VMX_EXC_BITMAP;
	case W_VMX_PIN:
		return VMX_PIN_WANT;
	case W_VMX_PROC:
		return VMX_PROC_WANT;
	case W_VMX_PROC2:
		return VMX_PROC2_WANT;
	case W_SVM_EXC:
		return SVM_EXC_INTERCEPTS;
	case W_SVM_CR:
		return SVM_CR_INTERCEPTS;
	case W_SVM_DR:
		return SVM_DR_INTERCEPTS;
	case W_SVM_I1:
		return SVM_I1_INTERCEPTS;
	case W_SVM_I2:
		return SVM_I2_INTERCEPTS;
	default:
		return 0;
	}
}

static uint64_t word_dynamic(enum word w)
{
	if (w == W_VMX_PROC)
		return VMX_PROC_DYNAMIC;
	if (w == W_SVM_I1)
		return SVM_I1_DYNAMIC;
	return 0;
}

/* What the masks say about @s: "exit", "pass", "dyn", or the fixed word. */
static const char *cell_of(const struct side *s)
{
	uint64_t on = word_static(s->word) & s->bits;

	if (s->word == W_NONE)
		return s->fixed;
	if (on == s->bits)
		return "exit";
	if (on)
		return "partly"; /* never right */
	if ((word_dynamic(s->word) & s->bits) == s->bits)
		return "dyn";
	return "pass";
}

struct row {
	char id[CELL], vmx[CELL], svm[CELL];
};

static void trim_cell(char *dst, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '`')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '`'))
		n--;
	if (n >= CELL)
		n = CELL - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

/* The table's rows: lines "| id | what | VMX | SVM | ... |" after the
 * "## Intercept table" heading, up to the next heading. */
static unsigned int read_rows(struct row *rows)
{
	FILE *f = fopen(DOC, "r");
	char line[1024];
	unsigned int n = 0;
	int in_table = 0;

	if (!f) {
		fail_msg("%s: cannot open (run from the repository root)", DOC);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *c[6];
		int k = 0;

		if (!strncmp(line, "## ", 3)) {
			in_table = !strncmp(line, "## Intercept table", 18);
			continue;
		}
		if (!in_table || line[0] != '|' || !strncmp(line, "| id ", 5) ||
		    !strncmp(line, "|---", 4))
			continue;
		for (const char *p = line; *p && k < 6; p++)
			if (*p == '|')
				c[k++] = p;
		assert_true(k >= 5);
		assert_true(n < MAX_ROWS);
		trim_cell(rows[n].id, c[0] + 1, c[1] - c[0] - 1);
		trim_cell(rows[n].vmx, c[2] + 1, c[3] - c[2] - 1);
		trim_cell(rows[n].svm, c[3] + 1, c[4] - c[3] - 1);
		n++;
	}
	fclose(f);
	return n;
}

static void test_rows_match(void **state)
{
	static struct row rows[MAX_ROWS];
	unsigned int n = read_rows(rows), seen[NR_EXPECTS] = { 0 };
	int bad = 0;

	assert_true(n > 0);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int j;

		for (j = 0; j < NR_EXPECTS; j++)
			if (!strcmp(rows[i].id, expects[j].id))
				break;
		if (j == NR_EXPECTS) {
			printf("%s: row '%s' is not one this test knows\n", DOC,
			       rows[i].id);
			bad++;
			continue;
		}
		seen[j]++;
		if (strcmp(rows[i].vmx, cell_of(&expects[j].vmx))) {
			printf("%s: %s: VMX says '%s', the controls say '%s'\n",
			       DOC, rows[i].id, rows[i].vmx,
			       cell_of(&expects[j].vmx));
			bad++;
		}
		if (strcmp(rows[i].svm, cell_of(&expects[j].svm))) {
			printf("%s: %s: SVM says '%s', the intercepts say '%s'\n",
			       DOC, rows[i].id, rows[i].svm,
			       cell_of(&expects[j].svm));
			bad++;
		}
	}
	for (unsigned int j = 0; j < NR_EXPECTS; j++)
		if (seen[j] != 1) {
			printf("%s: row '%s' appears %u times\n", DOC,
			       expects[j].id, seen[j]);
			bad++;
		}
	/* RDTSCP shares the insn-rdtsc row. */
	if (SVM_I2_INTERCEPTS & SVM_I2_RDTSCP) {
		printf("RDTSCP is intercepted but insn-rdtsc says pass\n");
		bad++;
	}
	assert_int_equal(bad, 0);
}

/* Every bit the backends set has a row. */
static void test_every_intercept_has_a_row(void **state)
{
	static const enum word words[] = { W_VMX_EXC,	W_VMX_PIN, W_VMX_PROC,
					   W_VMX_PROC2, W_SVM_EXC, W_SVM_CR,
					   W_SVM_DR,	W_SVM_I1,  W_SVM_I2 };

	for (unsigned int w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		uint64_t left = word_static(words[w]) | word_dynamic(words[w]);

		if (words[w] == W_VMX_PROC)
			left &= ~(uint64_t)VMX_PROC_ENABLES;
		if (words[w] == W_VMX_PROC2)
			left &= ~(uint64_t)VMX_PROC2_ENABLES;
		for (unsigned int j = 0; j < NR_EXPECTS; j++) {
			if (expects[j].vmx.word == words[w])
				left &= ~expects[j].vmx.bits;
			if (expects[j].svm.word == words[w])
				left &= ~expects[j].svm.bits;
		}
		if (left)
			printf("word %u: bits %llx have no row\n", words[w],
			       (unsigned long long)left);
		assert_int_equal(left, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_match),
		cmocka_unit_test(test_every_intercept_has_a_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
