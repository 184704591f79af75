/* SPDX-License-Identifier: MIT */
/*
 * The fuse-overlayfs fallback of --overlay, for kernels that refuse
 * overlayfs in a user namespace.  pid 1 mounts FUSE itself and hands the
 * connection to a fuse-overlayfs daemon that runs inside the sandbox with a
 * handful of capabilities and sees only DIR and the directory that holds UPPER.
 */
#ifndef SBX_FUSEOVL_H
#define SBX_FUSEOVL_H

#include <stdbool.h>
#include <sys/types.h>

/* A file beside UPPER (in .NAME.sbx-work) that tells sbx diff the upper
 * directory was written by fuse-overlayfs (whose whiteouts and opaque
 * markers differ a little). */
#define FUSEOVL_MARKER "fuse-overlayfs"

/* Test-only: set (to 1) in sbx's environment to skip kernel overlayfs and
 * take the fallback, which is otherwise only reached on kernels this
 * project's CI does not have. */
#define FUSEOVL_FORCE_ENV "SBX_TEST_FORCE_FUSE_OVERLAYFS"

struct fuseovl {
	const char *name;	/* DIR, for messages */
	const char *lower;	/* DIR in the caller's tree, reachable from pid 1 */
	const char *state;	/* holds the upper and work dirs, reachable from pid 1 */
	const char *upper_rel;	/* the upper directory, relative to state */
	const char *work_rel;	/* overlayfs' work directory, relative to state */
	const char *marker_rel; /* where to leave FUSEOVL_MARKER, or NULL */
	const char *target;	/* the mount point, a path pid 1 can mount on */
	const char *newroot;	/* the sandbox's root (its /usr, /proc, /dev/null) */
	const char *scratch;	/* a new directory for the daemon's own root */
	const char *fuse_dev;	/* the host's /dev/fuse, reachable from pid 1 */
	uid_t uid;		/* the payload's ids: the daemon's, and UPPER's owner */
	gid_t gid;
};

/* Mount fuse-overlayfs per o and start its daemon; returns once it serves
 * requests.  Returns -1 with the error recorded. */
int fuseovl_mount(const struct fuseovl *o);

#endif
