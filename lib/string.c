// SPDX-License-Identifier: MIT
/* The freestanding string functions the hypervisor image needs. */
#include <stdint.h>
#include <string.h>

/* A 64-bit load from any address: x86 allows it, C needs the type to say
 * so. */
typedef uint64_t __attribute__((aligned(1))) unaligned_u64;

/* Like memset below: the guest kernel and initrd (tens of MB) are copied
 * once per VM start, and under an emulator a string instruction costs per
 * element. */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) void *
memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = *s++;
	for (; n >= 64; n -= 64, d += 64, s += 64) {
		uint64_t *q = (uint64_t *)d;
		const unaligned_u64 *r = (const unaligned_u64 *)s;
		uint64_t a = r[0], b = r[1], c = r[2], e = r[3];

		q[0] = a;
		q[1] = b;
		q[2] = c;
		q[3] = e;
		a = r[4], b = r[5], c = r[6], e = r[7];
		q[4] = a;
		q[5] = b;
		q[6] = c;
		q[7] = e;
	}
	for (; n; n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s || d >= s + n) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

/* The compiler must not turn the loop below back into a memset call. */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) void *
memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t v = 0x0101010101010101ull * (uint8_t)c;

	/* 64 bytes a step once aligned: zeroing gigabytes of guest RAM
	 * under an emulator costs per iteration, and a string instruction
	 * iterates per element there. */
	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = (uint8_t)c;
	for (; n >= 64; n -= 64, d += 64) {
		uint64_t *q = (uint64_t *)d;

		q[0] = v;
		q[1] = v;
		q[2] = v;
		q[3] = v;
		q[4] = v;
		q[5] = v;
		q[6] = v;
		q[7] = v;
	}
	for (; n; n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
