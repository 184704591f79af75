/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "diagnose.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FACT_FILE_MAX 4096

#ifndef SBX_DATADIR
#define SBX_DATADIR "/usr/share/sbx"
#endif

enum userns_block diagnose_userns(const struct userns_facts *f)
{
	if (f->clone_errno == 0)
		return f->inside_errno == 0 ? USERNS_OK
		       : (f->inside_errno == EPERM || f->inside_errno == EACCES) &&
			       f->apparmor_restrict == 1
			   ? USERNS_APPARMOR
			   : USERNS_UNKNOWN;
	switch (f->clone_errno) {
	case EINVAL:
		return USERNS_NO_KERNEL_SUPPORT;
	case ENOSPC:
	case EUSERS:
		return f->max_user_namespaces == 0 ? USERNS_MAX_ZERO : USERNS_LIMIT_REACHED;
	case EPERM:
		/* Debian's switch first: with it off, the limit does not matter. */
		if (f->unprivileged_userns_clone == 0)
			return USERNS_DEBIAN_SYSCTL;
		if (f->max_user_namespaces == 0)
			return USERNS_MAX_ZERO;
		return USERNS_POLICY;
	default:
		return USERNS_UNKNOWN;
	}
}

void diagnose_text(enum userns_block b, const struct userns_facts *f, const char **cause,
		   const char **fix)
{
	*cause = *fix = NULL;
	switch (b) {
	case USERNS_OK:
	case USERNS_UNKNOWN:
		return;
	case USERNS_NO_KERNEL_SUPPORT:
		*cause = "this kernel has no user namespaces (CONFIG_USER_NS)";
		*fix = "use a kernel built with CONFIG_USER_NS=y";
		return;
	case USERNS_MAX_ZERO:
		*cause = "user namespaces are switched off: user.max_user_namespaces is 0";
		*fix = "sudo sysctl -w user.max_user_namespaces=28633, and set it in "
		       "/etc/sysctl.d/ to keep it";
		return;
	case USERNS_LIMIT_REACHED:
		*cause = "the limit of user namespaces (user.max_user_namespaces) is reached";
		*fix = "end other sandboxes or containers, or raise user.max_user_namespaces";
		return;
	case USERNS_DEBIAN_SYSCTL:
		*cause = "unprivileged user namespaces are switched off: "
			 "kernel.unprivileged_userns_clone is 0";
		*fix = "sudo sysctl -w kernel.unprivileged_userns_clone=1, and set it in "
		       "/etc/sysctl.d/ to keep it";
		return;
	case USERNS_POLICY:
		*cause = f->seccomp_mode == 2
			     ? "clone(CLONE_NEWUSER) is refused by the seccomp filter sbx runs "
			       "under (a container's policy?)"
			     : "clone(CLONE_NEWUSER) is refused by a security policy (a container "
			       "or LSM)";
		*fix = "run sbx on the host, or allow user namespaces in the container, "
		       "e.g. docker run --security-opt seccomp=unconfined";
		return;
	case USERNS_APPARMOR:
		*cause = "AppArmor gives sbx no capabilities in its user namespace "
			 "(kernel.apparmor_restrict_unprivileged_userns is 1)";
		*fix = "install sbx's AppArmor profile: sudo install -m 644 " SBX_DATADIR
		       "/apparmor/sbx /etc/apparmor.d/sbx && sudo apparmor_parser "
		       "-r /etc/apparmor.d/sbx; it names /usr/bin/sbx";
		return;
	}
}

static long read_long(const char *path)
{
	_cleanup_free_ char *text = read_text_file(path, FACT_FILE_MAX);
	long v;

	return text && sscanf(text, "%ld", &v) == 1 ? v : -1;
}

void diagnose_read_facts(struct userns_facts *f)
{
	_cleanup_free_ char *status = read_text_file("/proc/self/status", FACT_FILE_MAX);
	const char *s = status ? strstr(status, "\nSeccomp:") : NULL;

	f->max_user_namespaces = read_long("/proc/sys/user/max_user_namespaces");
	f->unprivileged_userns_clone = read_long("/proc/sys/kernel/unprivileged_userns_clone");
	f->apparmor_restrict = read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
	f->seccomp_mode = s ? atoi(s + strlen("\nSeccomp:")) : -1;
}

void diagnose_host(struct userns_facts *f, const char **cause, const char **fix)
{
	diagnose_read_facts(f);
	diagnose_text(diagnose_userns(f), f, cause, fix);
}
