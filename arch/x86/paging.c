// SPDX-License-Identifier: MIT
/* Extending x2hv's identity map above the boot map (see paging.h). */
#include "arch/x86/paging.h"
#include "arch/x86/cpu.h"
#include "lib/mm.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull
#define GIB (1ull << 30)
#define PT_ENTRIES 512
#define PML4_SHIFT 39
#define PDPT_SHIFT 30
#define PD_SHIFT 21

static uint64_t mapped_end; /* set by the first paging_extend() */
static int gib_pages;

uint64_t host_mapped_end(void)
{
	return mapped_end;
}

int paging_gib_pages(void)
{
	return gib_pages;
}

static uint64_t *table(uint64_t *e)
{
	if (!(*e & PTE_P)) {
		uint64_t *t = page_try_alloc(PAGE_SIZE, PAGE_SIZE);

		if (!t)
			return NULL;
		*e = (uint64_t)(uintptr_t)t | PTE_P | PTE_W;
	}
	return (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
}

/* Map the GiB at @a: one PDPT leaf, or a page directory of 2 MiB pages. */
static int map_gib(uint64_t *pml4, uint64_t a)
{
	uint64_t *pdpt = table(&pml4[(a >> PML4_SHIFT) % PT_ENTRIES]);
	uint64_t *e, *pd;

	if (!pdpt)
		return -1;
	e = &pdpt[(a >> PDPT_SHIFT) % PT_ENTRIES];
	if (gib_pages) {
		*e = a | PTE_P | PTE_W | PTE_PS;
		return 0;
	}
	pd = table(e);
	if (!pd)
		return -1;
	for (int i = 0; i < PT_ENTRIES; i++)
		pd[i] = (a + ((uint64_t)i << PD_SHIFT)) | PTE_P | PTE_W |
			PTE_PS;
	return 0;
}

int paging_extend(uint64_t boot_end, uint64_t end)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR);

	if (!mapped_end)
		mapped_end = boot_end;
	gib_pages = cpuid_has(CPUID_LEAF_EXT_FEATURES, CPUID_REG_EDX,
			      CPUID_80000001_EDX_PAGE1GB);
	end = (end + GIB - 1) & ~(GIB - 1);
	for (; mapped_end < end; mapped_end += GIB)
		if (map_gib(pml4, mapped_end))
			return -1;
	/* Only new entries: nothing stale can be cached, but a full flush
	 * costs nothing here and keeps the rule simple. */
	write_cr3(read_cr3());
	return 0;
}
