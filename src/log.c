/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char err_what[SBX_ERR_MAX];
static char err_fix[SBX_ERR_MAX / 2];
static char err_full[SBX_ERR_MAX + SBX_ERR_MAX / 2 + 8];

bool log_verbose_on;

int err_set(int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(err_what, sizeof(err_what), fmt, ap);
	va_end(ap);
	len = strlen(err_what);
	if (errnum != 0 && len < sizeof(err_what))
		snprintf(err_what + len, sizeof(err_what) - len, ": %s", strerror(errnum));
	err_fix[0] = '\0';
	return -1;
}

void err_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_fix, sizeof(err_fix), fmt, ap);
	va_end(ap);
}

const char *err_line(void)
{
	if (err_what[0] == '\0')
		snprintf(err_full, sizeof(err_full), "internal error without a message");
	else if (err_fix[0] != '\0')
		snprintf(err_full, sizeof(err_full), "%s (%s)", err_what, err_fix);
	else
		snprintf(err_full, sizeof(err_full), "%s", err_what);
	/* Keep the promise of one line even when a path holds a newline. */
	for (char *p = err_full; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return err_full;
}

void err_print(void)
{
	fprintf(stderr, "sbx: %s\n", err_line());
}

static void vline(const char *prefix, const char *fmt, va_list ap)
{
	char buf[SBX_ERR_MAX];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "sbx: %s%s\n", prefix, buf);
}

void warn_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("warning: ", fmt, ap);
	va_end(ap);
}

void notice_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("", fmt, ap);
	va_end(ap);
}

void log_verbose(const char *fmt, ...)
{
	static struct timespec start;
	struct timespec now;
	char buf[SBX_ERR_MAX];
	va_list ap;
	double ms;

	if (!log_verbose_on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (start.tv_sec == 0 && start.tv_nsec == 0)
		start = now;
	ms =
	    (double)(now.tv_sec - start.tv_sec) * 1e3 + (double)(now.tv_nsec - start.tv_nsec) / 1e6;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sbx: [%8.3f ms pid %d] %s\n", ms, (int)getpid(), buf);
}
