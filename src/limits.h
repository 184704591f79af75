/* SPDX-License-Identifier: MIT */
/*
 * Resource limits: rlimits of the payload, the wall-clock timeout sbx
 * enforces from outside, and cgroup v2 limits where the caller has a
 * delegated cgroup.  The parsers are pure (unit-tested and fuzzed).
 */
#ifndef SBX_LIMITS_H
#define SBX_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

struct rlimit_req {
	int resource;
	const char *name; /* static */
	struct rlimit lim;
};

/* "nofile=16", "fsize=1M:2M", "core=unlimited".  HARD defaults to SOFT. */
int limits_parse_rlimit(const char *spec, struct rlimit_req *out);
/* Seconds with an optional fraction; min_exclusive: must be above 0. */
int limits_parse_seconds(const char *opt, const char *s, bool min_exclusive, double *out);
/* Check each request against the caller's hard limit (outside). */
int limits_check_rlimits(const struct rlimit_req *r, size_t n);
/* In the payload: RLIMIT_CORE 0 unless asked otherwise, then the requests. */
int limits_apply_rlimits(const struct rlimit_req *r, size_t n);

/* cgroup v2, for --memory, --pids and --cpus. */
struct cgroup_limits {
	unsigned long long memory_bytes; /* 0: none */
	unsigned long long pids;	 /* 0: none */
	double cpus;			 /* 0: none */
};

struct cgroup_ctx {
	char *parent;	  /* the caller's delegated cgroup directory */
	char *sandbox;	  /* the sandbox's cgroup, removed at teardown */
	char *supervisor; /* where sbx itself moved, so parent has no processes */
};

static inline bool limits_cgroup_wanted(const struct cgroup_limits *l)
{
	return l->memory_bytes || l->pids || l->cpus > 0;
}

/* Outside, before clone: find a delegated cgroup v2 of the caller's and
 * create the sandbox's cgroup with the limits; -1 with one line saying
 * what is missing and how to get it. */
int limits_cgroup_prepare(const struct cgroup_limits *l, struct cgroup_ctx *c);
/* Outside, after clone and before the payload starts. */
int limits_cgroup_attach(const struct cgroup_ctx *c, pid_t pid);
/* Outside, after the sandbox is gone; also removes stale sandbox cgroups
 * of earlier runs that were killed. */
void limits_cgroup_remove(struct cgroup_ctx *c);

/* The cgroup2 mount point (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a
 * hybrid host) and this process's path in it; NULL when there is none. */
char *limits_cgroup2_mount(void);
char *limits_own_cgroup(void);

/* cpu.max for N CPUs, e.g. "150000 100000" for 1.5. */
int limits_cpu_max(double cpus, char *buf, size_t len);

#endif
