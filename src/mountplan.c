/* SPDX-License-Identifier: MIT */
/*
 * The pure half of mounts: which directories the sandbox sees, in which
 * order, and where the payload starts.  No system calls here, so the
 * rules are unit-tested; mounts.c executes the result.
 */
#define _GNU_SOURCE
#include "mounts.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read-only system directories of the host view; absent ones are skipped
 * and symlinks (merged /usr) stay symlinks. */
static const char *const sysdirs[] = {
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt",
};

/* Directories whose whole subtree is system territory: sharing them (or
 * a directory below them) read-write would hand the payload the host's
 * own files, so they are never shared by default. */
static const char *const system_trees[] = {
    "/usr", "/bin", "/sbin", "/lib",  "/lib32", "/lib64", "/libx32",
    "/etc", "/opt", "/boot", "/proc", "/sys",	"/dev",	  "/run",
};

/* Shared places where other programs keep their sockets and secrets
 * (ssh-agent and X11 sockets in /tmp): refuse the directory itself; a
 * project below it is fine. */
static const char *const shared_roots[] = {
    "/tmp", "/var/tmp", "/var", "/home", "/srv", "/mnt", "/media", "/dev/shm",
};

bool mounts_cwd_is_unsafe(const char *cwd, const char *home)
{
	if (strcmp(cwd, "/") == 0)
		return true;
	/* $HOME itself or an ancestor of it would expose ~/.ssh. */
	if (home && path_is_within(home, cwd))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(system_trees); i++)
		if (path_is_within(cwd, system_trees[i]))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(shared_roots); i++)
		if (strcmp(cwd, shared_roots[i]) == 0)
			return true;
	return false;
}

static int add_step(struct mount_plan *mp, struct mount_step s, const char *src, const char *dst)
{
	struct mount_step *ns = realloc(mp->steps, (mp->n + 1) * sizeof(*ns));

	if (!ns)
		return err_set(ENOMEM, "out of memory");
	mp->steps = ns;
	s.src = src ? strdup(src) : NULL;
	s.dst = strdup(dst);
	if ((src && !s.src) || !s.dst) {
		free(s.src);
		free(s.dst);
		return err_set(ENOMEM, "out of memory");
	}
	mp->steps[mp->n++] = s;
	return 0;
}

static int add_tmpfs(struct mount_plan *mp, const char *dst, unsigned int mode, bool owned,
		     unsigned long long size)
{
	struct mount_step s = {.kind = STEP_TMPFS,
			       .mode = mode,
			       .owned_by_target = owned,
			       .size_bytes = size,
			       .src_fd = -1};
	return add_step(mp, s, NULL, dst);
}

static int add_bind(struct mount_plan *mp, const char *src, const char *dst, bool ro, int src_fd)
{
	struct mount_step s = {.kind = STEP_BIND, .ro = ro, .src_fd = src_fd};
	return add_step(mp, s, src, dst);
}

unsigned long long mounts_default_tmpfs_cap(unsigned long long ram_bytes)
{
	unsigned long long cap = ram_bytes / 4;

	if (ram_bytes == 0)
		return TMPFS_CAP_FALLBACK;
	return cap < (64ULL << 20) ? 64ULL << 20 : cap;
}

static int add_system_steps(struct mount_plan *mp, unsigned long long cap, const struct plan *plan)
{
	if (plan->rootfs && plan->rootfs_rw) {
		/* Writable: DIR itself is the root (see mounts_apply). */
		if (!(mp->rootfs_rw = strdup(plan->rootfs)))
			return err_set(ENOMEM, "out of memory");
	} else if (plan->rootfs) {
		/* Read-only: its entries, one by one, in a root of our own. */
		struct mount_step s = {.kind = STEP_ROOTFS, .ro = true};
		if (add_step(mp, s, plan->rootfs, "/") < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sysdirs) && !plan->rootfs; i++) {
		struct mount_step s = {
		    .kind = strcmp(sysdirs[i], "/etc") == 0 ? STEP_ETC : STEP_SYSDIR, .ro = true};
		if (add_step(mp, s, sysdirs[i], sysdirs[i]) < 0)
			return -1;
	}
	if (add_step(mp, (struct mount_step){.kind = STEP_PROC}, NULL, "/proc") < 0 ||
	    add_step(mp, (struct mount_step){.kind = STEP_DEV}, NULL, "/dev") < 0 ||
	    add_step(mp, (struct mount_step){.kind = STEP_SYS, .ro = true}, NULL, "/sys") < 0)
		return -1;
	if (add_tmpfs(mp, "/tmp", 01777, false, cap) < 0 ||
	    add_tmpfs(mp, "/var/tmp", 01777, false, cap) < 0)
		return -1;
	/* A rootfs without /var gets no /var from us. */
	mp->steps[mp->n - 1].if_parent = plan->rootfs != NULL;
	if (add_tmpfs(mp, "/run", 0755, false, TMPFS_RUN_BYTES) < 0)
		return -1;
	return 0;
}

/* /etc/hosts and /etc/resolv.conf describe the sandbox's network, not
 * the host's: slirp4netns' resolver, or none at all with --net none. */
static int make_net_files(struct mount_plan *mp, const struct plan *plan)
{
	mp->etc_hosts = xasprintf("127.0.0.1\tlocalhost\n"
				  "::1\tlocalhost ip6-localhost ip6-loopback\n"
				  "127.0.1.1\t%s\n",
				  plan->hostname ? plan->hostname : "sbx");
	mp->etc_resolv =
	    xstrdup(plan->net == NET_SLIRP
			? "nameserver 10.0.2.3\n"
			: "# sbx --net none: this sandbox has no network and no resolver\n");
	return mp->etc_hosts && mp->etc_resolv ? 0 : -1;
}

static int add_user_mounts(struct mount_plan *mp, const struct plan *plan, unsigned long long cap)
{
	for (size_t i = 0; i < plan->n_overlays; i++) {
		struct mount_step s = {.kind = STEP_OVERLAY, .src_fd = -1};
		if (add_step(mp, s, plan->overlays[i].dir, plan->overlays[i].dir) < 0)
			return -1;
		if (plan->overlays[i].state &&
		    !(mp->steps[mp->n - 1].aux = strdup(plan->overlays[i].state)))
			return err_set(ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < plan->n_mounts; i++) {
		const struct user_mount *m = &plan->mounts[i];
		int r;

		if (m->kind == MOUNT_TMPFS)
			r = add_tmpfs(mp, m->dst, 0755, true, m->size_bytes ? m->size_bytes : cap);
		else
			r = add_bind(mp, m->src, m->dst ? m->dst : m->src, m->kind == MOUNT_RO_BIND,
				     m->src_fd);
		if (r < 0)
			return -1;
	}
	return 0;
}

int mounts_plan_build(const struct plan *plan, const struct host_facts *host,
		      struct mount_plan *out)
{
	const char *home = host->home;
	const char *cwd = host->cwd;
	unsigned long long cap = host->tmpfs_cap ? host->tmpfs_cap : TMPFS_CAP_FALLBACK;

	memset(out, 0, sizeof(*out));
	if (!home || home[0] != '/' || strcmp(home, "/") == 0) {
		err_set(0, "home directory '%s' cannot be the sandbox's $HOME", home ? home : "");
		err_hint("set HOME to your own home directory");
		goto fail;
	}
	out->home = strdup(home);
	if (!out->home) {
		err_set(ENOMEM, "out of memory");
		goto fail;
	}

	if (cwd && plan->cwd != SHARE_NONE) {
		if (plan->cwd_given || !mounts_cwd_is_unsafe(cwd, home))
			out->cwd_shared = true;
		else
			out->cwd_withheld = true;
	}
	/* A cwd inside an --overlay DIR is seen through the overlay: a plain
	 * read-write bind on top would let writes through to the host. */
	bool cwd_bound = out->cwd_shared;
	for (size_t i = 0; i < plan->n_overlays && cwd; i++)
		if (path_is_within(cwd, plan->overlays[i].dir))
			cwd_bound = false;

	out->tmpfs_cap = cap;
	if (add_system_steps(out, cap, plan) < 0)
		goto fail;
	if (plan->home == HOME_TMPFS) {
		if (add_tmpfs(out, home, 0700, true, cap) < 0)
			goto fail;
	} else if (add_bind(out, home, home, plan->home == HOME_RO, -1) < 0) {
		goto fail;
	}
	if (cwd_bound && add_bind(out, cwd, cwd, plan->cwd == SHARE_RO, -1) < 0)
		goto fail;
	if (plan->rootfs && out->n > 0)
		/* In a read-only rootfs there may be no place for them. */
		for (size_t i = out->n - (cwd_bound ? 2 : 1); i < out->n; i++)
			out->steps[i].optional = true;
	if (make_net_files(out, plan) < 0 || add_user_mounts(out, plan, cap) < 0)
		goto fail;

	if (plan->workdir)
		out->workdir = strdup(plan->workdir);
	else
		out->workdir = strdup(out->cwd_shared ? cwd : home);
	if (!out->workdir) {
		err_set(ENOMEM, "out of memory");
		goto fail;
	}
	return 0;
fail:
	mounts_plan_free(out);
	return -1;
}

void mounts_plan_free(struct mount_plan *mp)
{
	for (size_t i = 0; i < mp->n; i++) {
		free(mp->steps[i].src);
		free(mp->steps[i].dst);
		free(mp->steps[i].aux);
	}
	free(mp->steps);
	free(mp->workdir);
	free(mp->home);
	free(mp->etc_hosts);
	free(mp->etc_resolv);
	free(mp->rootfs_rw);
	memset(mp, 0, sizeof(*mp));
}
