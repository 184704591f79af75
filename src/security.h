/* SPDX-License-Identifier: MIT */
/* Capabilities (libcap), no_new_privs and, with its own issue, seccomp. */
#ifndef SBX_SECURITY_H
#define SBX_SECURITY_H

#include <sys/types.h>

/* In the payload, just before exec: become uid/gid inside, empty every
 * capability set and set no_new_privs.  Returns -1 with the error recorded. */
int security_drop_privileges(uid_t uid, gid_t gid);

/* Make every permitted capability effective again (after setfsuid()
 * dropped the filesystem ones). */
int security_raise_effective(void);

#endif
