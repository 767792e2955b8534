// SPDX-License-Identifier: MIT
/*
 * Fuzz bootinfo_parse_mb2(). The input is copied into an 8-byte aligned
 * heap buffer exactly as long as the input, so ASan catches any read past
 * it; inputs whose total_size exceeds the buffer are rejected first, as
 * the loader's contract (the information is total_size bytes) would be
 * broken otherwise. Results are checked against the contract: strings
 * terminated inside the buffer, modules ordered, counts bounded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bootinfo.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

static void check_str(const char *s, const uint8_t *buf, size_t size)
{
	const uint8_t *p = (const uint8_t *)s;

	check(p >= buf && p < buf + size);
	check(memchr(p, 0, size - (size_t)(p - buf)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	const char *err = NULL;
	uint32_t total;
	uint8_t *buf;

	if (size < 4)
		return 0;
	memcpy(&total, data, 4);
	if (total > size)
		return 0;
	/* malloc() returns 16-byte aligned memory on x86-64 glibc. */
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	if (bootinfo_parse_mb2(buf, &bi, &err) == 0) {
		check(bi.n_mem <= BI_MAX_MEM && bi.n_mod <= BI_MAX_MODS);
		/* The command line is in the buffer or the default "". */
		if ((const uint8_t *)bi.cmdline >= buf &&
		    (const uint8_t *)bi.cmdline < buf + size)
			check_str(bi.cmdline, buf, size);
		else
			check(bi.cmdline[0] == '\0');
		if (bi.loader)
			check_str(bi.loader, buf, size);
		for (unsigned int i = 0; i < bi.n_mod; i++) {
			check(bi.mod[i].start <= bi.mod[i].end);
			check_str(bi.mod[i].cmdline, buf, size);
		}
	} else {
		check(err != NULL);
	}
	free(buf);
	return 0;
}
