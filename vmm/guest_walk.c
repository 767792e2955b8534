// SPDX-License-Identifier: MIT
/* The guest page-table walk (vmm/guest_walk.h). */
#include "vmm/guest_walk.h"

#include "include/x86.h"

#define PTE_P 1ull
#define PTE_PS (1ull << 7)
#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define ADDR_MASK 0x000ffffffffff000ull /* bits 51:12 */
#define PDPTE_CR3_MASK 0xffffffe0ull /* PAE: CR3 bits 31:5 */
#define PSE_HI_SHIFT 13 /* 4 MiB PDE bits 20:13 are address 39:32 */
#define PSE_HI_MASK 0xffull

/* 32-bit paging (SDM 4.3): 1024-entry tables of 4-byte entries. */
static int walk32(const struct guest_paging *p, uint32_t lin, gpa_read_fn rd,
		  void *ctx, uint64_t *gpa)
{
	uint32_t pde, pte;

	if (rd(ctx, (p->cr3 & 0xfffff000u) + (lin >> 22) * 4, &pde, 4) ||
	    !(pde & PTE_P))
		return -1;
	if ((pde & PTE_PS) && (p->cr4 & CR4_PSE)) {
		*gpa = (pde & 0xffc00000u) |
		       (((uint64_t)pde >> PSE_HI_SHIFT) & PSE_HI_MASK) << 32 |
		       (lin & 0x3fffffu);
		return 0;
	}
	if (rd(ctx, (pde & 0xfffff000u) + ((lin >> 12) & 0x3ff) * 4, &pte, 4) ||
	    !(pte & PTE_P))
		return -1;
	*gpa = (pte & 0xfffff000u) | (lin & 0xfffu);
	return 0;
}

/*
 * PAE and 4/5-level paging: 512-entry tables of 8-byte entries. @levels
 * tables from @table; a PS entry at the PDPT (1 GiB) or PD (2 MiB) level
 * ends the walk.
 */
static int walk64(uint64_t table, unsigned int levels, uint64_t lin,
		  gpa_read_fn rd, void *ctx, uint64_t *gpa)
{
	for (unsigned int level = levels; level >= 1; level--) {
		unsigned int shift = PAGE_SHIFT + 9 * (level - 1);
		uint64_t e;

		if (rd(ctx, (table & ADDR_MASK) + ((lin >> shift) & 511) * 8,
		       &e, 8) ||
		    !(e & PTE_P))
			return -1;
		if (level == 1 ||
		    ((level == 2 || level == 3) && (e & PTE_PS))) {
			uint64_t off = lin & ((1ull << shift) - 1);

			*gpa = ((e & ADDR_MASK) & ~((1ull << shift) - 1)) | off;
			return 0;
		}
		table = e;
	}
	return -1;
}

int guest_linear_to_phys(const struct guest_paging *p, uint64_t linear,
			 gpa_read_fn rd, void *ctx, uint64_t *gpa)
{
	uint64_t pdpte;

	if (!(p->cr0 & CR0_PG)) {
		*gpa = linear;
		return 0;
	}
	if (p->efer & EFER_LMA)
		return walk64(p->cr3, (p->cr4 & CR4_LA57) ? 5 : 4, linear, rd,
			      ctx, gpa);
	if (!(p->cr4 & CR4_PAE))
		return walk32(p, (uint32_t)linear, rd, ctx, gpa);
	/* PAE (SDM 4.4): four PDPTEs at CR3[31:5], then a 2-level walk. */
	linear = (uint32_t)linear;
	if (rd(ctx, (p->cr3 & PDPTE_CR3_MASK) + (linear >> 30) * 8, &pdpte,
	       8) ||
	    !(pdpte & PTE_P))
		return -1;
	return walk64(pdpte, 2, linear, rd, ctx, gpa);
}

int guest_read_linear(const struct guest_paging *p, uint64_t linear, void *buf,
		      unsigned int len, gpa_read_fn rd, void *ctx)
{
	uint8_t *out = buf;

	while (len) {
		uint64_t gpa;
		unsigned int chunk = PAGE_SIZE - (linear & (PAGE_SIZE - 1));

		if (chunk > len)
			chunk = len;
		if (guest_linear_to_phys(p, linear, rd, ctx, &gpa) ||
		    rd(ctx, gpa, out, chunk))
			return -1;
		out += chunk;
		linear += chunk;
		len -= chunk;
	}
	return 0;
}
