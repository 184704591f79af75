/* SPDX-License-Identifier: MIT */
/* Exit codes of sbx run (DESIGN.md section 2), --stats and --json-status-fd. */
#ifndef SBX_STATUS_H
#define SBX_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum {
	EXIT_TIMEOUT = 124,
	EXIT_SBX_FAILED = 125,
	EXIT_NOT_EXECUTABLE = 126,
	EXIT_NOT_FOUND = 127,
	EXIT_SIGNAL_BASE = 128,
};

/* The payload's wait status as sbx's exit code: its own code, or 128+N
 * when signal N killed it. */
int status_exit_code(int wstatus);
/* execve's errno as 126 or 127. */
int status_exec_code(int err);

struct status_started {
	pid_t pid;		  /* the sandbox's pid 1, as the host sees it */
	pid_t slirp_pid;	  /* 0 without slirp4netns */
	unsigned long long ns[7]; /* inode of each namespace, in status_ns_names order */
};

struct status_exited {
	bool have_status; /* the payload's wait status is known */
	int wstatus;
	bool timed_out;
	int exit_code; /* sbx's own */
	/* Microseconds, printed as milliseconds with three decimals by integer
	 * arithmetic: floating-point printf would pull a large part of libc
	 * into sbx's memory for two numbers. */
	unsigned long long wall_us, cpu_us;
	long max_rss_kb;
};

extern const char *const status_ns_names[7];

/* One JSON line each, newline included; -1 if buf is too small. */
int status_format_started(const struct status_started *s, char *buf, size_t len);
int status_format_exited(const struct status_exited *e, char *buf, size_t len);
/* The --stats line, without the "sbx: " prefix and newline. */
int status_format_stats(const struct status_exited *e, char *buf, size_t len);

#endif
