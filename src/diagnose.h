/* SPDX-License-Identifier: MIT */
/*
 * Why a host will not give sbx a user namespace, and the exact fix: the
 * kernel's switches (user.max_user_namespaces, Debian's old
 * kernel.unprivileged_userns_clone, Ubuntu's
 * kernel.apparmor_restrict_unprivileged_userns), a container or seccomp
 * policy that refuses clone(CLONE_NEWUSER).  The decision is pure and
 * unit-tested against recorded inputs; diagnose_read_facts() gathers them.
 */
#ifndef SBX_DIAGNOSE_H
#define SBX_DIAGNOSE_H

#include <stdbool.h>

struct userns_facts {
	int clone_errno;	  /* of the first clone/unshare(CLONE_NEWUSER); 0: it worked */
	int inside_errno;	  /* of the first privileged step inside it; 0: fine */
	long max_user_namespaces; /* user.max_user_namespaces; -1: unknown */
	long unprivileged_userns_clone; /* Debian's sysctl; -1: this kernel has none */
	long apparmor_restrict;		/* kernel.apparmor_restrict_unprivileged_userns; -1: none */
	int seccomp_mode;		/* "Seccomp:" of /proc/self/status; -1: unknown */
};

enum userns_block {
	USERNS_OK,
	USERNS_NO_KERNEL_SUPPORT, /* EINVAL: built without CONFIG_USER_NS */
	USERNS_MAX_ZERO,	  /* user.max_user_namespaces=0 */
	USERNS_LIMIT_REACHED,	  /* the count is at a non-zero limit */
	USERNS_DEBIAN_SYSCTL,	  /* kernel.unprivileged_userns_clone=0 */
	USERNS_POLICY,		  /* a seccomp filter or container policy refuses it */
	USERNS_APPARMOR,	  /* created, but without capabilities (AppArmor) */
	USERNS_UNKNOWN,		  /* failed for a reason none of the above explains */
};

enum userns_block diagnose_userns(const struct userns_facts *f);

/* The cause and its fix for b, one phrase each (no trailing period); for
 * USERNS_OK and USERNS_UNKNOWN both are NULL. */
void diagnose_text(enum userns_block b, const struct userns_facts *f, const char **cause,
		   const char **fix);

/* The sysctls and our own seccomp mode; the errnos are left as they are. */
void diagnose_read_facts(struct userns_facts *f);

/* For a failure whose errnos f already holds: read the rest of the facts,
 * decide, and set *cause and *fix (both NULL when no known cause fits). */
void diagnose_host(struct userns_facts *f, const char **cause, const char **fix);

#endif
