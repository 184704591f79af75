/* SPDX-License-Identifier: MIT */
/* Capabilities (libcap), no_new_privs and, with its own issue, seccomp. */
#ifndef SBX_SECURITY_H
#define SBX_SECURITY_H

#include <stdint.h>
#include <sys/types.h>

/* Just before exec (the payload, the fuse-overlayfs daemon): set
 * no_new_privs, become uid/gid inside and empty every capability set but
 * for the capabilities of keep (bit N keeps capability N: --cap-add, the
 * daemon's few), kept in the bounding, permitted, effective, inheritable
 * and ambient sets so that they survive the exec.  Returns -1 with the error
 * recorded. */
int security_drop_privileges(uid_t uid, gid_t gid, uint64_t keep);

/* Make every permitted capability effective again (after setfsuid()
 * dropped the filesystem ones). */
int security_raise_effective(void);

#endif
