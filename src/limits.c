/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "limits.h"
#include "cli.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#define CPU_PERIOD_US 100000

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"as", RLIMIT_AS},		 {"core", RLIMIT_CORE},		{"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},	 {"fsize", RLIMIT_FSIZE},	{"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},	 {"nproc", RLIMIT_NPROC},	{"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},	 {"rttime", RLIMIT_RTTIME},	{"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

static int parse_limit_value(const char *s, size_t n, rlim_t *out)
{
	char buf[32];
	unsigned long long v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strcmp(buf, "unlimited") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	/* Sizes may carry k, m or g, as for --tmpfs. */
	if (cli_parse_size(buf, &v) < 0 && strcmp(buf, "0") != 0)
		return -1;
	if (strcmp(buf, "0") == 0)
		v = 0;
	if (v >= (unsigned long long)RLIM_INFINITY)
		return -1;
	*out = (rlim_t)v;
	return 0;
}

int limits_parse_rlimit(const char *spec, struct rlimit_req *out)
{
	const char *eq = strchr(spec, '='), *colon;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!eq || eq == spec)
		return err_set(0, "invalid --rlimit '%s': expected NAME=SOFT[:HARD]", spec);
	n = (size_t)(eq - spec);
	out->name = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (strlen(rlimit_names[i].name) == n &&
		    strncasecmp(spec, rlimit_names[i].name, n) == 0) {
			out->name = rlimit_names[i].name;
			out->resource = rlimit_names[i].resource;
		}
	if (!out->name) {
		err_set(0, "invalid --rlimit '%s': unknown resource '%.*s'", spec, (int)n, spec);
		err_hint(
		    "one of as core cpu data fsize locks memlock msgqueue nice nofile nproc rss "
		    "rtprio rttime sigpending stack");
		return -1;
	}
	colon = strchr(eq + 1, ':');
	if (parse_limit_value(eq + 1, colon ? (size_t)(colon - eq - 1) : strlen(eq + 1),
			      &out->lim.rlim_cur) < 0 ||
	    (colon && parse_limit_value(colon + 1, strlen(colon + 1), &out->lim.rlim_max) < 0))
		return err_set(
		    0, "invalid --rlimit '%s': values are numbers (k, m, g allowed) or unlimited",
		    spec);
	if (!colon)
		out->lim.rlim_max = out->lim.rlim_cur;
	if (out->lim.rlim_max != RLIM_INFINITY &&
	    (out->lim.rlim_cur == RLIM_INFINITY || out->lim.rlim_cur > out->lim.rlim_max))
		return err_set(0, "invalid --rlimit '%s': the soft limit is above the hard one",
			       spec);
	return 0;
}

int limits_parse_seconds(const char *opt, const char *s, bool min_exclusive, double *out)
{
	char *end;
	double v;

	if (!(*s >= '0' && *s <= '9') && *s != '.')
		return err_set(0, "invalid --%s '%s': expected seconds, e.g. 30 or 0.5", opt, s);
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0 || (min_exclusive && v <= 0) ||
	    v > 1e8)
		return err_set(0, "invalid --%s '%s': expected seconds, e.g. 30 or 0.5", opt, s);
	*out = v;
	return 0;
}

int limits_check_rlimits(const struct rlimit_req *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct rlimit cur;
		if (getrlimit(r[i].resource, &cur) < 0)
			return err_set(errno, "getrlimit %s", r[i].name);
		/* Without privileges nobody may raise a hard limit, so say so
		 * here rather than fail inside. */
		if (cur.rlim_max != RLIM_INFINITY &&
		    (r[i].lim.rlim_max == RLIM_INFINITY || r[i].lim.rlim_max > cur.rlim_max)) {
			err_set(0, "--rlimit %s: the hard limit is above yours (%llu)", r[i].name,
				(unsigned long long)cur.rlim_max);
			err_hint("ask for at most %llu, see ulimit -H",
				 (unsigned long long)cur.rlim_max);
			return -1;
		}
	}
	return 0;
}

int limits_apply_rlimits(const struct rlimit_req *r, size_t n)
{
	/* No core dumps by default: they land in the shared directory, with
	 * whatever secrets were in memory.  Only the soft limit, so that a
	 * --rlimit core=... below can still raise it. */
	struct rlimit core;

	if (getrlimit(RLIMIT_CORE, &core) < 0)
		return err_set(errno, "getrlimit core");
	core.rlim_cur = 0;
	if (setrlimit(RLIMIT_CORE, &core) < 0)
		return err_set(errno, "setrlimit core");
	for (size_t i = 0; i < n; i++)
		if (setrlimit(r[i].resource, &r[i].lim) < 0)
			return err_set(errno, "setrlimit %s", r[i].name);
	return 0;
}

int limits_cpu_max(double cpus, char *buf, size_t len)
{
	double quota = cpus * CPU_PERIOD_US;

	if (!(cpus > 0) || quota < 1000 || quota > 1e12)
		return err_set(0, "invalid --cpus %g: expected 0.01 or more", cpus);
	snprintf(buf, len, "%llu %d", (unsigned long long)(quota + 0.5), CPU_PERIOD_US);
	return 0;
}

/* ---- cgroup v2 -------------------------------------------------------- */

static int cgroup_fail(const char *why)
{
	err_set(0, "--memory, --pids and --cpus need a delegated cgroup v2, and %s", why);
	err_hint(
	    "run sbx inside a delegated scope, e.g. systemd-run --user --scope -p Delegate=yes "
	    "sbx run ...; or use --rlimit instead");
	return -1;
}

/* The cgroup2 mount point (unified, or /sys/fs/cgroup/unified on hybrid). */
char *limits_cgroup2_mount(void)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *found = NULL;

	if (!f)
		return NULL;
	while (!found && getline(&line, &cap, f) > 0) {
		/* ... MOUNTPOINT OPTS [optional...] - FSTYPE SOURCE SUPEROPTS */
		char mnt[PATH_MAX], fstype[64];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(dash, " - %63s", fstype) != 1 || strcmp(fstype, "cgroup2") != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1)
			found = strdup(mnt);
	}
	fclose(f);
	return found;
}

char *limits_own_cgroup(void)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/cgroup", "re");
	char *found = NULL;

	if (!f)
		return NULL;
	while (!found && getline(&line, &cap, f) > 0)
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			found = strdup(line + 3);
		}
	fclose(f);
	return found;
}

static int cg_write(const char *dir, const char *file, const char *value)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);

	if (!path)
		return -1;
	return write_file(path, value);
}

static bool cg_has_word(const char *dir, const char *file, const char *word)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	char buf[1024];
	ssize_t n;

	if (fd < 0 || (n = read_full(fd, buf, sizeof(buf) - 1)) < 0)
		return false;
	buf[n] = '\0';
	for (char *w = strtok(buf, " \n"); w; w = strtok(NULL, " \n"))
		if (strcmp(w, word) == 0)
			return true;
	return false;
}

/* Sandbox cgroups of earlier runs that were killed before they could
 * remove theirs: empty ones named sbx-* go. */
static void remove_stale(const char *parent)
{
	DIR *d = opendir(parent);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "sbx-", 4) == 0 && e->d_type == DT_DIR)
			(void)unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR); /* fails unless empty */
	closedir(d);
}

static int move_self(const char *dir)
{
	char pid[24];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return cg_write(dir, "cgroup.procs", pid);
}

int limits_cgroup_prepare(const struct cgroup_limits *l, struct cgroup_ctx *c)
{
	_cleanup_free_ char *mnt = limits_cgroup2_mount();
	_cleanup_free_ char *rel = limits_own_cgroup();
	const char *need[3];
	size_t n_need = 0;
	struct statfs sf;
	char value[64];

	memset(c, 0, sizeof(*c));
	if (!mnt || statfs(mnt, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
		return cgroup_fail("this host has no cgroup v2 hierarchy (cgroup v1)");
	if (!rel)
		return cgroup_fail(
		    "this process is in no cgroup v2 group (a hybrid cgroup v1 host)");
	if (!(c->parent = xasprintf("%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel)))
		return -1;
	if (l->memory_bytes)
		need[n_need++] = "memory";
	if (l->pids)
		need[n_need++] = "pids";
	if (l->cpus > 0)
		need[n_need++] = "cpu";
	/* On a hybrid host the unified hierarchy exists but holds no
	 * controllers: they are all in cgroup v1. */
	for (size_t i = 0; i < n_need; i++)
		if (!cg_has_word(c->parent, "cgroup.controllers", need[i]))
			return cgroup_fail(
			    strcmp(mnt, "/sys/fs/cgroup") != 0
				? "this is a hybrid cgroup v1 host (controllers live in v1)"
				: "the controllers you asked for are not available to you");
	if (access(c->parent, W_OK) < 0)
		return cgroup_fail("your cgroup is not delegated to you");
	remove_stale(c->parent);

	/* A cgroup with processes cannot hand controllers to children: sbx
	 * moves itself to a leaf of its own first. */
	if (!(c->supervisor = xasprintf("%s/sbx-%d-sbx", c->parent, (int)getpid())) ||
	    !(c->sandbox = xasprintf("%s/sbx-%d", c->parent, (int)getpid())))
		return -1;
	if (mkdir(c->supervisor, 0755) < 0 || move_self(c->supervisor) < 0)
		return err_set(errno, "create %s", c->supervisor);
	for (size_t i = 0; i < n_need; i++) {
		char ctl[16];
		snprintf(ctl, sizeof(ctl), "+%s", need[i]);
		if (!cg_has_word(c->parent, "cgroup.subtree_control", need[i]) &&
		    cg_write(c->parent, "cgroup.subtree_control", ctl) < 0) {
			err_hint(
			    "other processes share your cgroup; start sbx in a scope of its own: "
			    "systemd-run --user --scope -p Delegate=yes sbx run ...");
			return -1;
		}
	}
	if (mkdir(c->sandbox, 0755) < 0)
		return err_set(errno, "create %s", c->sandbox);
	if (l->memory_bytes) {
		snprintf(value, sizeof(value), "%llu", l->memory_bytes);
		if (cg_write(c->sandbox, "memory.max", value) < 0)
			return -1;
		/* Swap would let the sandbox use more than --memory. */
		(void)cg_write(c->sandbox, "memory.swap.max", "0");
	}
	if (l->pids) {
		snprintf(value, sizeof(value), "%llu", l->pids);
		if (cg_write(c->sandbox, "pids.max", value) < 0)
			return -1;
	}
	if (l->cpus > 0 && (limits_cpu_max(l->cpus, value, sizeof(value)) < 0 ||
			    cg_write(c->sandbox, "cpu.max", value) < 0))
		return -1;
	/* The clone that follows creates the sandbox's cgroup namespace
	 * rooted wherever sbx is: be in the sandbox's cgroup for it. */
	return move_self(c->sandbox);
}

int limits_cgroup_attach(const struct cgroup_ctx *c, pid_t pid)
{
	(void)pid; /* pid 1 was cloned inside c->sandbox already */
	if (!c->sandbox)
		return 0;
	/* sbx itself goes back to its own leaf; pid 1 stays limited. */
	return move_self(c->supervisor);
}

void limits_cgroup_remove(struct cgroup_ctx *c)
{
	if (c->sandbox && rmdir(c->sandbox) < 0 && errno != ENOENT)
		warn_line("could not remove %s: %s", c->sandbox, strerror(errno));
	/* The supervisor leaf holds sbx until it exits; the next run removes
	 * it as stale. */
	free(c->parent);
	free(c->sandbox);
	free(c->supervisor);
	memset(c, 0, sizeof(*c));
}
