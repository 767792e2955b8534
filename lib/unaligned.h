/* SPDX-License-Identifier: MIT */
/*
 * Reads of little-endian fields at any alignment from loader and firmware
 * structures (multiboot information, ACPI tables), without the undefined
 * behaviour of a misaligned pointer dereference.
 */
#ifndef X2HV_CORE_UNALIGNED_H
#define X2HV_CORE_UNALIGNED_H

#include <stdint.h>
#include <string.h>

static inline uint32_t rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t rd64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#endif
