// SPDX-License-Identifier: MIT
/*
 * Privilege levels and paging for the hostile tests: a GDT with ring-3
 * segments and one 64-bit TSS per CPU (Intel SDM Vol. 3A, 8.2.3 and 8.7),
 * running code at CPL 3, a 4 KiB code page followed by a not-present
 * page, and control-register writes that report their fault.
 *
 * Global mutable state (all documented): gdt[] and tss[] (built once by
 * the first cpu_tss_init(), then each CPU only loads its own TR),
 * user_ksp/user_stack (one user_call() at a time, BSP), test_pt and
 * test_code (test_page_init(), BSP).
 */
#include "tests/guest/lib/guest.h"

#define GDT_BASE_ENTRIES 4 /* null, code32, data, code64 from entry.S */
#define GDT_USER_DATA 0x00cff2000000ffffull /* DPL 3, writable */
#define GDT_USER_CODE64 0x00affa000000ffffull /* DPL 3, L = 1 */
#define GDT_TSS_INDEX 6 /* two 8-byte slots per 64-bit TSS descriptor */
#define GDT_ENTRIES (GDT_TSS_INDEX + 2 * GUEST_MAX_CPUS)
#define TSS_TYPE_AVAIL 0x9ull
#define DESC_P (1ull << 47)
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000ffffffffff000ull
#define PT_ENTRIES 512
#define USER_STACK_SIZE 4096
#define LARGE_PAGE 0x200000ull

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap;
} __attribute__((packed));

extern char gdt[]; /* entry.S: the boot GDT */

static uint64_t gdt2[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss[GUEST_MAX_CPUS] __attribute__((aligned(16)));
static volatile bool gdt2_ready;
static spinlock_t gdt2_lock;
uint64_t user_ksp; /* ring3.S: kernel RSP while user code runs */
static uint8_t user_stack[USER_STACK_SIZE] __attribute__((aligned(16)));
static uint64_t test_pt[PT_ENTRIES] __attribute__((aligned(4096)));
static uint8_t test_code[TEST_PAGE_SIZE] __attribute__((aligned(4096)));

uint64_t user_call_asm(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t usp,
		       uint64_t *rsp0);
uint64_t exec_at_asm(uint64_t addr, struct insn_regs *r,
		     volatile uint64_t *resume, bool sti);
extern char user_return[];

static void gdt2_build(void)
{
	const uint64_t *boot = (const uint64_t *)gdt;

	for (int i = 0; i < GDT_BASE_ENTRIES; i++)
		gdt2[i] = boot[i];
	gdt2[4] = GDT_USER_DATA;
	gdt2[5] = GDT_USER_CODE64;
	for (int c = 0; c < GUEST_MAX_CPUS; c++) {
		uint64_t base = (uint64_t)&tss[c];
		uint64_t limit = sizeof(struct tss64) - 1;

		tss[c].iomap = sizeof(struct tss64); /* no I/O bitmap */
		gdt2[GDT_TSS_INDEX + 2 * c] = (limit & 0xffff) |
					      (base & 0xffffff) << 16 |
					      TSS_TYPE_AVAIL << 40 | DESC_P |
					      ((limit >> 16) & 0xf) << 48 |
					      ((base >> 24) & 0xff) << 56;
		gdt2[GDT_TSS_INDEX + 2 * c + 1] = base >> 32;
	}
}

static void user_return_handler(struct regs *r)
{
	/* INT 0x81 from ring 3: back to the kernel frame of user_call(),
	 * with the user function's RAX as the result. */
	r->rip = (uint64_t)user_return;
	r->cs = 0x18;
	r->ss = 0x10;
	r->rsp = user_ksp;
}

void cpu_tss_init(uint64_t ist1)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { sizeof(gdt2) - 1, (uint64_t)gdt2 };
	unsigned int cpu = this_cpu()->cpu;
	uint16_t sel = (uint16_t)((GDT_TSS_INDEX + 2 * cpu) * 8);

	spin_lock(&gdt2_lock);
	if (!gdt2_ready) {
		gdt2_build();
		set_handler(VEC_USER_RETURN, user_return_handler);
		idt_set_gate(VEC_USER_RETURN, 3, 0);
		gdt2_ready = true;
	}
	spin_unlock(&gdt2_lock);
	tss[cpu].ist[0] = ist1;
	/* The same descriptors at the same indexes: CS/SS stay valid. */
	asm volatile("lgdt %0" ::"m"(desc));
	asm volatile("ltr %0" ::"r"(sel));
}

static uint64_t *table_of(uint64_t entry)
{
	return (uint64_t *)(entry & PTE_ADDR);
}

void user_pages_init(void)
{
	uint64_t cr3, *pml4, *pdpt;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = table_of(cr3);
	pml4[0] |= PTE_US;
	pdpt = table_of(pml4[0]);
	for (int i = 0; i < 4; i++) {
		uint64_t *pd = table_of(pdpt[i]);

		pdpt[i] |= PTE_US;
		for (int j = 0; j < PT_ENTRIES; j++)
			pd[j] |= PTE_US;
	}
	asm volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
}

uint64_t user_call(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	return user_call_asm(fn, arg, (uint64_t)user_stack + USER_STACK_SIZE,
			     (uint64_t *)((char *)&tss[this_cpu()->cpu] +
					  offsetof(struct tss64, rsp)));
}

void test_page_init(void)
{
	uint64_t cr3, *pml4, *pdpt, *pd;
	uint64_t va = TEST_PAGE_VA;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = table_of(cr3);
	pdpt = table_of(pml4[0]);
	pd = table_of(pdpt[(va >> 30) & 511]);
	memset(test_pt, 0, sizeof(test_pt));
	test_pt[0] = (uint64_t)test_code | PTE_P | PTE_RW | PTE_US;
	/* test_pt[1] stays 0: the page after the code page is not present. */
	pd[(va >> 21) & 511] = (uint64_t)test_pt | PTE_P | PTE_RW | PTE_US;
	asm volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
}

uint64_t exec_at_page_end(const uint8_t *insn, unsigned int len,
			  struct insn_regs *r, bool sti)
{
	struct percpu *pc = this_cpu();
	uint64_t addr = TEST_PAGE_VA + TEST_PAGE_SIZE - len;

	memset(test_code, 0xcc, sizeof(test_code)); /* INT3 before it */
	memcpy(test_code + TEST_PAGE_SIZE - len, insn, len);
	pc->fault = 0;
	pc->fault_rip = 0;
	exec_at_asm(addr, r, &pc->expect_resume, sti);
	pc->expect_resume = 0;
	return pc->fault == FAULT(X86_PF) ? pc->fault_rip : 0;
}

#define DEFINE_WRITE_SAFE(name, insn)                                          \
	int name(uint64_t v)                                                   \
	{                                                                      \
		struct percpu *pc = this_cpu();                                \
                                                                               \
		pc->fault = 0;                                                 \
		asm volatile("1: " insn "\n2:\n" EXTABLE(1b, 2b)::"r"(v)       \
			     : "memory");                                      \
		return pc->fault;                                              \
	}
DEFINE_WRITE_SAFE(write_cr0_safe, "mov %0, %%cr0")
DEFINE_WRITE_SAFE(write_cr4_safe, "mov %0, %%cr4")
DEFINE_WRITE_SAFE(write_cr8_safe, "mov %0, %%cr8")

int xsetbv_safe(uint32_t xcr, uint64_t v)
{
	struct percpu *pc = this_cpu();

	pc->fault = 0;
	asm volatile("1: xsetbv\n2:\n" EXTABLE(1b, 2b)::"c"(xcr),
		     "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
	return pc->fault;
}
