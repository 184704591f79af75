/* SPDX-License-Identifier: MIT */
/*
 * The filesystem view of DESIGN.md section 3.  mounts_plan_build() is pure:
 * it turns the plan and a few facts about the caller into an ordered list
 * of steps.  mounts_apply() runs inside the sandbox (pid 1) and executes
 * them into a fresh tmpfs root, then pivots into it.
 */
#ifndef SBX_MOUNTS_H
#define SBX_MOUNTS_H

#include "cli.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct host_facts {
	const char *cwd;	      /* the caller's current directory, real path */
	const char *home;	      /* $HOME of the caller, real path */
	unsigned long long tmpfs_cap; /* default size of a writable tmpfs */
};

/* Writable tmpfs mounts are capped so that filling one gives ENOSPC inside
 * instead of eating the host's memory: a quarter of RAM each by default
 * (the kernel's own default is half), /run 16 MiB. */
#define TMPFS_RUN_BYTES (16ULL << 20)
#define TMPFS_CAP_FALLBACK (1ULL << 30)
unsigned long long mounts_default_tmpfs_cap(unsigned long long ram_bytes);

enum step_kind {
	STEP_SYSDIR, /* read-only bind of a system dir, or its symlink */
	STEP_PROC,
	STEP_DEV,
	STEP_SYS,
	STEP_TMPFS,
	STEP_BIND,
	STEP_ROOTFS,  /* --rootfs: each top-level entry of src bound into the root */
	STEP_OVERLAY, /* --overlay: src copy-on-write at dst, writes in aux (or a tmpfs) */
	STEP_ETC,     /* the host's /etc, read-only, with the sandbox's own hosts
			 and resolv.conf on top (an overlay) */
};

struct mount_step {
	enum step_kind kind;
	char *src; /* host path (bind) or file content (file) */
	char *dst;
	bool ro;
	bool owned_by_target; /* tmpfs root and created dirs belong to the payload's ids */
	unsigned int mode;    /* tmpfs */
	unsigned long long size_bytes;
	int src_fd;	/* bind: the source opened outside, or -1 to use src */
	char *aux;	/* overlay: the UPPER directory, or NULL */
	bool optional;	/* skip, with a note, where the mount point cannot be made */
	bool if_parent; /* only where its parent directory exists (a rootfs's /var) */
};

struct mount_plan {
	struct mount_step *steps;
	size_t n;
	char *workdir;	  /* where the payload starts */
	char *home;	  /* the payload's $HOME */
	char *etc_hosts;  /* content of /etc/hosts inside */
	char *etc_resolv; /* content of /etc/resolv.conf inside */
	bool cwd_shared;
	bool cwd_withheld;	      /* the safety rule kept the cwd out: say so */
	bool console;		      /* a pty is relayed: /dev/console is its slave */
	char *rootfs_rw;	      /* --rootfs DIR --rootfs-rw: DIR itself becomes the root */
	unsigned long long tmpfs_cap; /* for /dev/shm */
	bool overlay_fuse;	      /* skip kernel overlayfs (test only) */
};

/* Is sharing this directory unsafe by default (DESIGN.md section 3)? */
bool mounts_cwd_is_unsafe(const char *cwd, const char *home);

int mounts_plan_build(const struct plan *plan, const struct host_facts *host,
		      struct mount_plan *out);
void mounts_plan_free(struct mount_plan *mp);

/* Make every bind source absolute and real (symlinks resolved) while the
 * caller's view is still in place; a missing source is an error naming it.
 * Runs outside, before clone. */
int mounts_resolve_sources(struct plan *plan, const char *cwd);

/* Outside, before clone: make --overlay DIRs absolute (no symlinks), create
 * or check their UPPER directories, and resolve --rootfs. */
int mounts_resolve_overlays(struct plan *plan, const char *cwd);

/* --overlay DIR:UPPER: overlayfs writes straight into UPPER, and needs a
 * work directory on the same mount but outside UPPER.  sbx keeps that, and
 * DIR's path (for sbx diff), beside UPPER in ".NAME.sbx-work".  Returns
 * that path (malloc'ed; relative when upper is), or NULL with the error
 * recorded. */
char *mounts_overlay_side(const char *upper);
#define OVERLAY_SIDE_SUFFIX ".sbx-work"

/* Outside, after the sandbox is gone. */
void mounts_overlays_done(const struct plan *plan);

/* Inside the sandbox: build the view and pivot_root into it. */
int mounts_apply(const struct mount_plan *mp, uid_t uid, gid_t gid);

#endif
