// SPDX-License-Identifier: MIT
/*
 * The hypervisor's memcpy and memset (lib/string.c): byte head, 64-byte
 * body and byte tail, for every small size and alignment, against a
 * byte-at-a-time reference. The file is compiled here under other names
 * so that the host C library's functions stay in place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define memcpy hv_memcpy
#define memmove hv_memmove
#define memset hv_memset
#define memcmp hv_memcmp
#define strlen hv_strlen
#define strnlen hv_strnlen
#define strcmp hv_strcmp
#define strncmp hv_strncmp
#define strchr hv_strchr
#define strrchr hv_strrchr
#include "lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr

#define BUF 512
#define GUARD 0x5a

static uint8_t pattern(unsigned int i)
{
	return (uint8_t)(i * 7 + 3);
}

/* dst[off, off + n) must equal want[0, n), every other byte GUARD. */
static void check(const char *what, const uint8_t *dst, unsigned int off,
		  unsigned int n, const uint8_t *want)
{
	for (unsigned int i = 0; i < BUF; i++) {
		uint8_t w = i >= off && i < off + n ? want[i - off] : GUARD;

		if (dst[i] != w)
			fail_msg(
				"%s, dst+%u, %u bytes: byte %u is %02x, not %02x",
				what, off, n, i, dst[i], w);
	}
}

/* Every offset 0-15 of both buffers and every size up to 300 bytes: the
 * bytes in [off, off + n) are written, the guard bytes around them kept. */
static void test_memcpy_sizes_alignments(void **state)
{
	static uint8_t src[BUF], dst[BUF];

	for (unsigned int i = 0; i < BUF; i++)
		src[i] = pattern(i);
	for (unsigned int so = 0; so < 16; so++)
		for (unsigned int d = 0; d < 16; d++)
			for (unsigned int n = 0; n <= 300; n++) {
				for (unsigned int i = 0; i < BUF; i++)
					dst[i] = GUARD;
				assert_ptr_equal(hv_memcpy(dst + d, src + so,
							   n),
						 dst + d);
				check("memcpy", dst, d, n, src + so);
			}
}

static void test_memset_sizes_alignments(void **state)
{
	static uint8_t buf[BUF], want[BUF];

	for (unsigned int i = 0; i < BUF; i++)
		want[i] = 0xa5;
	for (unsigned int d = 0; d < 16; d++)
		for (unsigned int n = 0; n <= 300; n++) {
			for (unsigned int i = 0; i < BUF; i++)
				buf[i] = GUARD;
			/* Only the low byte of the value counts. */
			assert_ptr_equal(hv_memset(buf + d, 0x1a5, n), buf + d);
			check("memset", buf, d, n, want);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_sizes_alignments),
		cmocka_unit_test(test_memset_sizes_alignments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
