// SPDX-License-Identifier: MIT
/*
 * Per-CPU GDT and TSS: the TSS carries IST stacks for NMI, #DF and #MC so
 * those run on a known-good stack even if the current one is corrupt
 * (Intel SDM vol. 3A 8.7 "Task management in 64-bit mode").
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "lib/mm.h"

#define DESC_CODE64 0x00af9a000000ffffull
#define DESC_DATA 0x00cf92000000ffffull
#define TSS_TYPE_AVAIL 0x89ull

struct percpu percpu[MAX_CPUS];
unsigned int nr_cpus = 1;

static void set_tss_desc(uint64_t *gdt, struct tss64 *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	gdt[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (TSS_TYPE_AVAIL << 40) | (((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	gdt[1] = base >> 32;
}

void percpu_setup(unsigned int cpu)
{
	struct percpu *p = &percpu[cpu];
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed))
	gdtr = { sizeof(p->gdt) - 1, (uint64_t)p->gdt };

	p->self = p;
	p->cpu = cpu;
	if (!p->ist_stacks)
		p->ist_stacks = page_alloc(3 * IST_STACK_SIZE, PAGE_SIZE);
	p->gdt[1] = DESC_CODE64;
	p->gdt[2] = DESC_DATA;
	set_tss_desc(&p->gdt[SEL_TSS / 8], &p->tss);
	p->tss.ist[IST_NMI - 1] = (uint64_t)p->ist_stacks + IST_STACK_SIZE;
	p->tss.ist[IST_DF - 1] = (uint64_t)p->ist_stacks + 2 * IST_STACK_SIZE;
	p->tss.ist[IST_MC - 1] = (uint64_t)p->ist_stacks + 3 * IST_STACK_SIZE;
	p->tss.iomap_base = sizeof(p->tss);

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"((uint64_t)SEL_CODE), "r"(SEL_DATA),
			   "r"(SEL_TSS)
			 : "rax", "memory");
	wrmsr(MSR_GS_BASE, (uint64_t)p);
}
