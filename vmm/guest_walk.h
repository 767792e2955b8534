/* SPDX-License-Identifier: MIT */
/*
 * Reading guest memory by linear address: a walk of the guest's own page
 * tables (Intel SDM Vol. 3A, 4.3 32-bit, 4.4 PAE, 4.5 4- and 5-level
 * paging; AMD APM Vol. 2, 5.2-5.3), used to read the code bytes of an
 * intercepted instruction (SVM without NRIP). Only presence is checked:
 * the CPU has just fetched these bytes, so a walk that fails means the
 * tables changed under us (another vCPU) and the caller gives up. Pure:
 * host-tested with a fake memory.
 */
#ifndef X2HV_VMM_GUEST_WALK_H
#define X2HV_VMM_GUEST_WALK_H

#include <stdint.h>

struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
};

/* Copy @len bytes of guest-physical memory at @gpa to @buf: 0 or -1. */
typedef int (*gpa_read_fn)(void *ctx, uint64_t gpa, void *buf,
			   unsigned int len);

/* Translate @linear: 0 and *@gpa, or -1 (not present, unreadable table). */
int guest_linear_to_phys(const struct guest_paging *p, uint64_t linear,
			 gpa_read_fn rd, void *ctx, uint64_t *gpa);

/* Read @len bytes at @linear, across pages: 0 or -1. */
int guest_read_linear(const struct guest_paging *p, uint64_t linear, void *buf,
		      unsigned int len, gpa_read_fn rd, void *ctx);

#endif
