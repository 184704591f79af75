/* SPDX-License-Identifier: MIT */
/* Small helpers: cleanup attributes, EINTR-safe I/O, file descriptors. */
#ifndef SBX_UTIL_H
#define SBX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void cleanup_closep(int *fd);
static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))

/* Hand a resource on: the cleanup attribute then has nothing to release. */
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

void close_nointr(int fd);
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close_nointr(*fd);
}

ssize_t read_full(int fd, void *buf, size_t len);
int write_full(int fd, const void *buf, size_t len);
/* Write a whole small file (e.g. /proc/PID/uid_map) in one write(2):
 * the kernel accepts an id map only as a single write. */
int write_file(const char *path, const char *content);

/* A whole small text file, NUL-terminated, at most max bytes of it; NULL
 * when it cannot be read (errno set). */
char *read_text_file(const char *path, size_t max);

/* Close every descriptor >= 3 except those listed; CLOSE_RANGE_CLOEXEC
 * when cloexec is true (they then close at execve). */
int fd_close_others(const int *keep, size_t n, bool cloexec);

/* strdup that records ENOMEM with err_set() on failure. */
char *xstrdup(const char *s);
/* asprintf that records ENOMEM with err_set() on failure. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Is path equal to dir or below it?  Both absolute and normalised. */
bool path_is_within(const char *path, const char *dir);

#endif
