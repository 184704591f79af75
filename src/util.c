/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "util.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void close_nointr(int fd)
{
	int saved = errno;

	/* Linux releases the descriptor even when close() reports EINTR,
	 * so retrying could close a descriptor another path just opened. */
	(void)close(fd);
	errno = saved;
}

ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int write_full(int fd, const void *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf = (const char *)buf + n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file(const char *path, const char *content)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = strlen(content);
	ssize_t n;

	if (fd < 0)
		return err_set(errno, "open %s", path);
	do
		n = write(fd, content, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_set(errno, "write %s", path);
	if ((size_t)n != len)
		return err_set(EIO, "short write to %s", path);
	return 0;
}

char *read_text_file(const char *path, size_t max)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	ssize_t n;

	if (fd < 0 || !(buf = malloc(max + 1)))
		return NULL;
	n = read_full(fd, buf, max);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int close_range_flags(unsigned int lo, unsigned int hi, bool cloexec)
{
	if (lo > hi)
		return 0;
	if (syscall(SYS_close_range, lo, hi, cloexec ? CLOSE_RANGE_CLOEXEC : 0) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -1;
	/* Kernels before 5.9 (or 5.11 for CLOEXEC): walk the range by hand,
	 * bounded by the descriptor limit. */
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (unsigned int fd = lo; fd <= hi && fd < (unsigned int)max; fd++) {
		if (cloexec) {
			int fl = fcntl((int)fd, F_GETFD);
			if (fl >= 0)
				(void)fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
		} else {
			close_nointr((int)fd);
		}
	}
	return 0;
}

int fd_close_others(const int *keep, size_t n, bool cloexec)
{
	unsigned int lo = 3;

	/* keep[] is small; walk it in ascending order without sorting it. */
	for (;;) {
		int next = -1;
		for (size_t i = 0; i < n; i++)
			if (keep[i] >= (int)lo && (next < 0 || keep[i] < next))
				next = keep[i];
		if (next < 0)
			break;
		if (close_range_flags(lo, (unsigned int)next - 1, cloexec) < 0)
			return err_set(errno, "close_range");
		lo = (unsigned int)next + 1;
	}
	if (close_range_flags(lo, ~0U, cloexec) < 0)
		return err_set(errno, "close_range");
	return 0;
}

char *xstrdup(const char *s)
{
	char *r = strdup(s);

	if (!r)
		err_set(ENOMEM, "out of memory");
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&r, fmt, ap);
	va_end(ap);
	if (n < 0) {
		err_set(ENOMEM, "out of memory");
		return NULL;
	}
	return r;
}

bool path_is_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
