/* SPDX-License-Identifier: MIT */
/*
 * Keeping a table in docs/ in step with the code's: the lines between
 * "<!-- NAME begin -->" and "<!-- NAME end -->" of a Markdown file must be
 * exactly the rows a unit test generates from the code's table. On a
 * mismatch the test fails and prints the rows to paste.
 */
#ifndef X2HV_TEST_DOC_TABLE_H
#define X2HV_TEST_DOC_TABLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 0 when the block of @name in @path equals @rows, else -1 (and the
 * expected block is printed). */
static inline int doc_table_check(const char *path, const char *name,
				  const char *rows)
{
	char begin[128], end[128], *text, *b, *e;
	FILE *f = fopen(path, "r");
	long len;
	int rc = -1;

	snprintf(begin, sizeof(begin), "<!-- %s begin -->\n", name);
	snprintf(end, sizeof(end), "<!-- %s end -->", name);
	if (!f) {
		printf("doc_table: cannot open %s (run from the source tree)\n",
		       path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	if (text && fread(text, 1, (size_t)len, f) == (size_t)len) {
		b = strstr(text, begin);
		e = b ? strstr(b, end) : NULL;
		if (b && e) {
			b += strlen(begin);
			rc = ((size_t)(e - b) == strlen(rows) &&
			      !memcmp(b, rows, strlen(rows))) ?
				     0 :
				     -1;
		}
	}
	if (rc)
		printf("doc_table: %s is out of step with the code; its %s "
		       "block should read:\n%s%s%s\n",
		       path, name, begin, rows, end);
	free(text);
	fclose(f);
	return rc;
}

#endif
