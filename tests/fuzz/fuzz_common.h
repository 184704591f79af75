/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets: the input as an argv, and a check that
 * turns a broken invariant into a crash the fuzzer reports.
 */
#ifndef SBX_FUZZ_COMMON_H
#define SBX_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_WORDS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct fuzz_argv {
	char *buf;
	char *argv[FUZZ_MAX_WORDS + 2];
	int argc;
};

/* "sbx" followed by the input's NUL-separated words (a trailing NUL ends
 * the last word and adds none).  Returns -1 when out of memory. */
static inline int fuzz_argv_split(const uint8_t *data, size_t size, struct fuzz_argv *a)
{
	a->buf = malloc(size + 1);
	if (!a->buf)
		return -1;
	if (size)
		memcpy(a->buf, data, size);
	a->buf[size] = '\0';
	a->argc = 0;
	a->argv[a->argc++] = "sbx";
	for (size_t i = 0; i < size && a->argc <= FUZZ_MAX_WORDS;) {
		a->argv[a->argc++] = a->buf + i;
		i += strlen(a->buf + i) + 1;
	}
	a->argv[a->argc] = NULL;
	return 0;
}

static inline void fuzz_argv_free(struct fuzz_argv *a)
{
	free(a->buf);
	a->buf = NULL;
}

/* An absolute path without "//", "/./", "/../", nor a trailing slash. */
static inline int fuzz_path_is_normal(const char *p)
{
	if (!p || p[0] != '/')
		return 0;
	if (strcmp(p, "/") == 0)
		return 1;
	if (p[strlen(p) - 1] == '/' || strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
		return 0;
	size_t n = strlen(p);
	if ((n >= 2 && strcmp(p + n - 2, "/.") == 0) || (n >= 3 && strcmp(p + n - 3, "/..") == 0))
		return 0;
	return 1;
}

#endif
