// SPDX-License-Identifier: MIT
/*
 * Fuzz cmdline_parse() and cmdline_skip_filename() with the input as a
 * NUL-terminated string, and check the parser's contract: on error the
 * token lies inside the string and holds no blank; on success every field
 * is in its documented range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cmdline.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct hv_config cfg;
	const char *tok = NULL, *msg = NULL, *rest;
	size_t tok_len = 0, n;
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);

	cmdline_defaults(&cfg);
	rc = cmdline_parse(s, &cfg, &tok, &tok_len, &msg);
	if (rc) {
		check(rc == -1);
		check(msg != NULL && tok != NULL && tok_len > 0);
		check(tok >= s && tok + tok_len <= s + n);
		for (size_t i = 0; i < tok_len; i++)
			check(tok[i] != ' ' && tok[i] != '\t' &&
			      tok[i] != '\n' && tok[i] != '\r');
	} else {
		/* A real port, or the SPCR marker console=auto leaves for
		 * boot/main.c to resolve. */
		check(cfg.console_port <= HV_CONSOLE_PORT_MAX ||
		      cfg.console_port == HV_CONSOLE_AUTO);
		check(cfg.vcpus <= HV_CONFIG_MAX_VCPUS);
		check(cfg.mem >= HV_MEM_MIN && cfg.mem <= HV_MEM_MAX);
		check((cfg.mem & (HV_MEM_ALIGN - 1)) == 0);
		check(cfg.loglvl <= HV_LOG_DEBUG);
	}

	rest = cmdline_skip_filename(s);
	check(rest >= s && rest <= s + n);

	free(s);
	return 0;
}
