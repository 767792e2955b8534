/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator. Built once from the boot memory map minus the
 * hypervisor image, the boot modules, the boot information and everything
 * below 1 MiB; hands out zeroed, aligned, physically contiguous blocks.
 * Memory is identity mapped, so a physical address is also a pointer.
 * Nothing is freed: partitions are static (a VM that restarts reuses what
 * it was given).
 */
#ifndef X2HV_CORE_MM_H
#define X2HV_CORE_MM_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096ull
#define MM_MAX_RANGES 128

struct mm_range {
	uint64_t base, end; /* [base, end) */
};

struct mm_pool {
	struct mm_range r[MM_MAX_RANGES];
	unsigned int n;
};

/* Add usable [base, end); overlapping/adjacent ranges are kept apart. */
void mm_pool_add(struct mm_pool *p, uint64_t base, uint64_t end);
/* Remove [base, end) from every range (splitting as needed). */
void mm_pool_reserve(struct mm_pool *p, uint64_t base, uint64_t end);
/* Carve @size bytes aligned to @align (power of two) from the highest
 * fitting range; returns the physical address or 0. */
uint64_t mm_pool_take(struct mm_pool *p, uint64_t size, uint64_t align);
uint64_t mm_pool_free_bytes(const struct mm_pool *p);
/*
 * Zero [p, p + size), @p 8-byte aligned and @size a multiple of 64,
 * writing only the 64-byte blocks that are not zero already. Real
 * hardware reads about as fast as it writes, but an emulator allocates
 * and tracks each page on its first write, and memory nobody used since
 * power-on reads as zero: zeroing the 512 MiB of the Linux test's guest
 * RAM took most of x2hv's start under QEMU (issue 14).
 */
void mm_zero(void *p, uint64_t size);

/* The hypervisor's pool (arch side fills it at boot). */
extern struct mm_pool mm_host;
/* Zeroed allocation from mm_host; panics when memory runs out. */
void *page_alloc(uint64_t size, uint64_t align);
/* Like page_alloc but returns NULL instead of panicking. */
void *page_try_alloc(uint64_t size, uint64_t align);
/* The same without zeroing: the caller zeroes (vmm/vm_mem.c, guest RAM
 * on every CPU at once). */
void *page_try_alloc_unzeroed(uint64_t size, uint64_t align);
/*
 * A zeroed object of @size bytes, 64-byte aligned, never freed: objects of
 * up to half a page share pages (a 16-byte per-CPU struct no longer holds
 * a page of its own, issue 14); larger ones get whole pages. NULL when
 * memory runs out. Not for what the hardware wants page-aligned.
 */
void *obj_try_alloc(uint64_t size);

#endif
