/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "security.h"
#include "log.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

int security_drop_privileges(uid_t uid, gid_t gid, uint64_t keep)
{
	cap_value_t kept[64];
	int n = 0, r;
	cap_t caps;

	for (cap_value_t c = 0; c < 64; c++)
		if (keep & (1ULL << c))
			kept[n++] = c;

	/* no_new_privs first: from here on no execve can gain privileges
	 * (setuid bits, file capabilities), whatever the rest does. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set(errno, "set no_new_privs");

	/* The bounding set can shrink only while CAP_SETPCAP is held, so it
	 * goes before the identity change below drops the effective set.  A
	 * uid 0 payload regains at execve exactly what is left in it. */
	for (cap_value_t c = 0; CAP_IS_SUPPORTED(c); c++) {
		if (!(keep & (1ULL << c)) && cap_drop_bound(c) < 0)
			return err_set(errno, "drop capability %d from the bounding set", (int)c);
	}
	if (cap_reset_ambient() < 0)
		return err_set(errno, "clear the ambient capabilities");
	/* Without it a non-root setresuid empties the permitted set too. */
	if (n > 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_set(errno, "prctl keepcaps");

	if (setresgid(gid, gid, gid) < 0)
		return err_set(errno, "setresgid %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		return err_set(errno, "setresuid %u", (unsigned)uid);

	/* A uid 0 payload keeps its capabilities across setresuid: set the
	 * permitted, effective and inheritable sets to exactly keep. */
	if (!(caps = cap_init()))
		return err_set(errno, "cap_init");
	r = n == 0 ? 0
		   : cap_set_flag(caps, CAP_PERMITTED, n, kept, CAP_SET) |
			 cap_set_flag(caps, CAP_INHERITABLE, n, kept, CAP_SET) |
			 cap_set_flag(caps, CAP_EFFECTIVE, n, kept, CAP_SET);
	r = r < 0 ? -1 : cap_set_proc(caps);
	cap_free(caps);
	if (r < 0)
		return err_set(errno, "set capabilities");
	/* Ambient capabilities are what a non-root execve keeps; they had to
	 * be permitted and inheritable first. */
	for (int i = 0; i < n; i++)
		if (cap_set_ambient(kept[i], CAP_SET) < 0)
			return err_set(errno, "raise ambient capability %d", (int)kept[i]);
	return 0;
}

int security_raise_effective(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v;
	int r;

	if (!caps)
		return err_set(errno, "cap_get_proc");
	for (cap_value_t c = 0; CAP_IS_SUPPORTED(c); c++)
		if (cap_get_flag(caps, c, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET);
	r = cap_set_proc(caps);
	cap_free(caps);
	return r < 0 ? err_set(errno, "raise capabilities") : 0;
}
