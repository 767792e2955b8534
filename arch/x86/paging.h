/* SPDX-License-Identifier: MIT */
/*
 * x2hv's own identity map. boot/head.S maps the first BOOT_MAP_GIB GiB
 * with 2 MiB pages; a host with RAM above that gets the rest mapped here,
 * with 1 GiB pages where the CPU has them (Intel SDM vol. 3A 5.5.4, AMD
 * APM vol. 2 5.3.5; CPUID 8000_0001h EDX[26]), 2 MiB pages otherwise.
 */
#ifndef X2HV_ARCH_X86_PAGING_H
#define X2HV_ARCH_X86_PAGING_H

#include <stdint.h>

/* Identity-map [host_mapped_end(), @end) (rounded up to 1 GiB) into the
 * current page tables; the first call says where the boot map ends
 * (@boot_end, a GiB multiple). Page tables come from lib/mm's pool, which
 * must hold only mapped memory then. 0, or -1 when out of memory. */
int paging_extend(uint64_t boot_end, uint64_t end);
/* Everything below this physical address is identity mapped. */
uint64_t host_mapped_end(void);
/* Whether paging_extend() used 1 GiB pages. */
int paging_gib_pages(void);

#endif
