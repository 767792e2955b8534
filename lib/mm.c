// SPDX-License-Identifier: MIT
/* Range-carving physical allocator (see mm.h). */
#include <stdbool.h>
#include <string.h>

#include "lib/mm.h"

#ifndef X2HV_HOST_TEST
#include "lib/printk.h"
#endif

struct mm_pool mm_host;

void mm_pool_add(struct mm_pool *p, uint64_t base, uint64_t end)
{
	if (end <= base || p->n >= MM_MAX_RANGES)
		return;
	p->r[p->n].base = base;
	p->r[p->n].end = end;
	p->n++;
}

static void pool_delete(struct mm_pool *p, unsigned int i)
{
	p->r[i] = p->r[--p->n];
}

void mm_pool_reserve(struct mm_pool *p, uint64_t base, uint64_t end)
{
	if (end <= base)
		return;
	for (unsigned int i = 0; i < p->n;) {
		struct mm_range *r = &p->r[i];

		if (end <= r->base || base >= r->end) {
			i++;
			continue;
		}
		if (base > r->base && end < r->end) {
			/* Split: keep the low part here, add the high part. */
			uint64_t hi = r->end;

			r->end = base;
			mm_pool_add(p, end, hi);
			i++;
		} else if (base > r->base) {
			r->end = base;
			i++;
		} else if (end < r->end) {
			r->base = end;
			i++;
		} else {
			pool_delete(p, i);
		}
	}
}

uint64_t mm_pool_take(struct mm_pool *p, uint64_t size, uint64_t align)
{
	int best = -1;
	uint64_t best_addr = 0;

	if (!size || !align || (align & (align - 1)))
		return 0;
	for (unsigned int i = 0; i < p->n; i++) {
		struct mm_range *r = &p->r[i];
		uint64_t a;

		if (r->end - r->base < size)
			continue;
		a = (r->end - size) & ~(align - 1);
		if (a < r->base || a == 0)
			continue;
		if (best < 0 || a > best_addr) {
			best = i;
			best_addr = a;
		}
	}
	if (best < 0)
		return 0;
	mm_pool_reserve(p, best_addr, best_addr + size);
	return best_addr;
}

#define ZERO_BLOCK 64

void mm_zero(void *p, uint64_t size)
{
	uint64_t *q = p;

	for (uint64_t i = 0; i < size / 8; i += ZERO_BLOCK / 8) {
		if (!(q[i] | q[i + 1] | q[i + 2] | q[i + 3] | q[i + 4] |
		      q[i + 5] | q[i + 6] | q[i + 7]))
			continue;
		q[i] = q[i + 1] = q[i + 2] = q[i + 3] = 0;
		q[i + 4] = q[i + 5] = q[i + 6] = q[i + 7] = 0;
	}
}

uint64_t mm_pool_free_bytes(const struct mm_pool *p)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < p->n; i++)
		sum += p->r[i].end - p->r[i].base;
	return sum;
}

#ifndef X2HV_HOST_TEST
#include "lib/lock.h"

static spinlock_t mm_lock;

void *page_try_alloc_unzeroed(uint64_t size, uint64_t align)
{
	uint64_t pa;

	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	spin_lock(&mm_lock);
	pa = mm_pool_take(&mm_host, size, align);
	spin_unlock(&mm_lock);
	return (void *)(uintptr_t)pa;
}

void *page_try_alloc(uint64_t size, uint64_t align)
{
	void *p = page_try_alloc_unzeroed(size, align);

	if (p)
		mm_zero(p, (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
	return p;
}

#define OBJ_ALIGN 64

static uint8_t *obj_page;
static uint64_t obj_used = PAGE_SIZE;

void *obj_try_alloc(uint64_t size)
{
	uint8_t *p = NULL;

	size = (size + OBJ_ALIGN - 1) & ~(uint64_t)(OBJ_ALIGN - 1);
	if (size > PAGE_SIZE / 2)
		return page_try_alloc(size, PAGE_SIZE);
	spin_lock(&mm_lock);
	if (obj_used + size > PAGE_SIZE) {
		/* A new page; what the old one has left stays unused. */
		uint64_t pa = mm_pool_take(&mm_host, PAGE_SIZE, PAGE_SIZE);

		if (pa) {
			obj_page = (uint8_t *)(uintptr_t)pa;
			memset(obj_page, 0, PAGE_SIZE);
			obj_used = 0;
		}
	}
	if (obj_used + size <= PAGE_SIZE) {
		p = obj_page + obj_used;
		obj_used += size;
	}
	spin_unlock(&mm_lock);
	return p;
}

void *page_alloc(uint64_t size, uint64_t align)
{
	void *p = page_try_alloc(size, align);

	if (!p)
		panic("out of memory allocating %lu bytes", size);
	return p;
}
#endif
