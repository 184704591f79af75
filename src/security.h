/* SPDX-License-Identifier: MIT */
/* Capabilities (libcap), no_new_privs and, with its own issue, seccomp. */
#ifndef SBX_SECURITY_H
#define SBX_SECURITY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* In the payload, just before exec: become uid/gid inside, empty every
 * capability set but those of keep (--cap-add: bit N keeps capability N,
 * in the bounding, permitted, effective, inheritable and ambient sets, so
 * they survive the exec) and set no_new_privs.  Returns -1 with the error
 * recorded. */
int security_drop_privileges(uid_t uid, gid_t gid, uint64_t keep);

/* Make every permitted capability effective again (after setfsuid()
 * dropped the filesystem ones). */
int security_raise_effective(void);

/* Before executing a helper daemon (fuse-overlayfs): become uid/gid, keep
 * exactly the capabilities keep[0..n) across the execve (bounding set,
 * ambient set) and set no_new_privs.  -1 with the error recorded. */
int security_keep_for_exec(uid_t uid, gid_t gid, const int *keep, size_t n);

#endif
