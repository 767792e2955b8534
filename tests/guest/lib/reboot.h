/* SPDX-License-Identifier: MIT */
/*
 * For the reboot-* tests: a boot counter in low RAM. A platform reset
 * keeps RAM (as on real hardware, and x2hv reloads only the kernel's
 * segments and the boot tables), so the count tells the boots apart.
 */
#ifndef GUEST_REBOOT_H
#define GUEST_REBOOT_H

#include <stdint.h>

#define REBOOT_MARKER_GPA 0x7000ull /* low RAM the runtime leaves alone */
#define REBOOT_MARKER 0x746f6f6265723278ull /* "x2reboot" */

struct reboot_marker {
	uint64_t magic;
	uint64_t boots;
};

/* This boot's number: 1 the first time, then 2, 3, ... */
static inline unsigned int reboot_boot_number(void)
{
	volatile struct reboot_marker *m =
		(volatile struct reboot_marker *)REBOOT_MARKER_GPA;

	if (m->magic != REBOOT_MARKER) {
		m->magic = REBOOT_MARKER;
		m->boots = 0;
	}
	return (unsigned int)++m->boots;
}

/* Forget the count, so that a later test starts from boot 1. */
static inline void reboot_forget(void)
{
	((volatile struct reboot_marker *)REBOOT_MARKER_GPA)->magic = 0;
}

#endif
