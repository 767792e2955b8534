// SPDX-License-Identifier: MIT
/*
 * Fuzz pvh_parse() and pvh_load() into a fake 64 MiB guest whose gpa_ptr
 * is bounds-checked. The image is copied into a buffer exactly as long as
 * the input so ASan sees any read past it. After a successful parse the
 * description must honour its contract (segments inside the image and
 * disjoint, entry inside a file-backed part); after a successful load the
 * guest must hold each segment's bytes followed by zeros.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader/pvh.h"

#define GUEST_SIZE (64u << 20)

static uint8_t *guest;

static void check(int cond)
{
	if (!cond)
		abort();
}

static void *gpa_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	check(len != 0);
	if (gpa >= GUEST_SIZE || len > GUEST_SIZE - gpa)
		return NULL;
	return guest + gpa;
}

static void check_image(const struct pvh_image *pi, size_t size)
{
	bool entry_ok = false;

	check(pi->n_segs > 0 && pi->n_segs <= PVH_MAX_SEGS);
	for (unsigned int i = 0; i < pi->n_segs; i++) {
		const struct pvh_segment *s = &pi->seg[i];

		check(s->filesz <= s->memsz && s->memsz > 0);
		check(s->offset <= size && s->filesz <= size - s->offset);
		check(s->paddr + s->memsz > s->paddr);
		check(s->paddr >= pi->lowest &&
		      s->paddr + s->memsz <= pi->highest);
		for (unsigned int j = 0; j < i; j++)
			check(s->paddr + s->memsz <= pi->seg[j].paddr ||
			      pi->seg[j].paddr + pi->seg[j].memsz <= s->paddr);
		if (pi->entry >= s->paddr && pi->entry - s->paddr < s->filesz)
			entry_ok = true;
	}
	check(entry_ok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pvh_image pi;
	const char *err = NULL;
	uint8_t *img;

	if (!guest) {
		guest = malloc(GUEST_SIZE);
		if (!guest)
			return 0;
	}
	img = malloc(size ? size : 1);
	if (!img)
		return 0;
	memcpy(img, data, size);

	if (pvh_parse(img, size, &pi, &err) == 0) {
		check_image(&pi, size);
		if (pvh_load(img, &pi, gpa_ptr, NULL, &err) == 0) {
			for (unsigned int i = 0; i < pi.n_segs; i++) {
				const struct pvh_segment *s = &pi.seg[i];
				const uint8_t *g = guest + s->paddr;

				check(memcmp(g, img + s->offset, s->filesz) ==
				      0);
				for (uint64_t k = s->filesz; k < s->memsz; k++)
					check(g[k] == 0);
			}
		} else {
			check(err != NULL);
		}
	} else {
		check(err != NULL);
	}
	free(img);
	return 0;
}
