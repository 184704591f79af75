/* SPDX-License-Identifier: MIT */
/*
 * Why a host refuses sbx a user namespace (src/diagnose.c), decided from
 * recorded inputs: the errno of the first clone or of the first privileged
 * step inside, the sysctls as the hosts in question have them, and the
 * "Seccomp:" field of /proc/self/status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "diagnose.h"

/* A Debian 12 or Fedora host as it comes: everything allowed. */
static struct userns_facts host(void)
{
	return (struct userns_facts){.max_user_namespaces = 63319,
				     .unprivileged_userns_clone = -1,
				     .apparmor_restrict = -1,
				     .seccomp_mode = 0};
}

static void assert_says(const struct userns_facts *f, enum userns_block want, const char *in_cause,
			const char *in_fix)
{
	const char *cause, *fix;

	assert_int_equal(diagnose_userns(f), want);
	diagnose_text(want, f, &cause, &fix);
	if (!in_cause) {
		assert_null(cause);
		assert_null(fix);
		return;
	}
	assert_non_null(cause);
	assert_non_null(fix);
	assert_non_null(strstr(cause, in_cause));
	assert_non_null(strstr(fix, in_fix));
	/* One line each, ready for "sbx: <cause> (<fix>)". */
	assert_null(strchr(cause, '\n'));
	assert_null(strchr(fix, '\n'));
}

static void test_all_well(void **state)
{
	struct userns_facts f = host();

	(void)state;
	assert_says(&f, USERNS_OK, NULL, NULL);
	/* Ubuntu 24.04 with sbx's profile loaded: the sysctl is 1 and yet
	 * everything works. */
	f.apparmor_restrict = 1;
	assert_says(&f, USERNS_OK, NULL, NULL);
}

static void test_max_user_namespaces_zero(void **state)
{
	struct userns_facts f = host();

	(void)state;
	f.max_user_namespaces = 0;
	f.clone_errno = ENOSPC;
	assert_says(&f, USERNS_MAX_ZERO, "user.max_user_namespaces is 0",
		    "sysctl -w user.max_user_namespaces=");
	/* Older kernels said EUSERS. */
	f.clone_errno = EUSERS;
	assert_says(&f, USERNS_MAX_ZERO, "user.max_user_namespaces is 0",
		    "sysctl -w user.max_user_namespaces=");
}

static void test_limit_reached(void **state)
{
	struct userns_facts f = host();

	(void)state;
	/* Our count is at an ancestor's limit: this namespace's own value is
	 * not 0 (seen with unshare -r and a lowered limit outside). */
	f.clone_errno = ENOSPC;
	assert_says(&f, USERNS_LIMIT_REACHED, "is reached", "raise user.max_user_namespaces");
}

static void test_debian_sysctl(void **state)
{
	struct userns_facts f = host();

	(void)state;
	f.unprivileged_userns_clone = 0;
	f.clone_errno = EPERM;
	assert_says(&f, USERNS_DEBIAN_SYSCTL, "kernel.unprivileged_userns_clone is 0",
		    "sysctl -w kernel.unprivileged_userns_clone=1");
	/* Switched on: EPERM then has another cause. */
	f.unprivileged_userns_clone = 1;
	assert_says(&f, USERNS_POLICY, "refused by a security policy", "allow user namespaces");
}

static void test_policy(void **state)
{
	struct userns_facts f = host();

	(void)state;
	/* Docker's default seccomp profile: EPERM, sysctls fine, and we run
	 * under a filter. */
	f.clone_errno = EPERM;
	f.seccomp_mode = 2;
	assert_says(&f, USERNS_POLICY, "seccomp filter", "seccomp=unconfined");
	f.seccomp_mode = 0;
	assert_says(&f, USERNS_POLICY, "security policy", "run sbx on the host");
}

static void test_apparmor(void **state)
{
	struct userns_facts f = host();

	(void)state;
	/* Ubuntu 23.10+: the namespace is made, its first mount fails. */
	f.apparmor_restrict = 1;
	f.inside_errno = EPERM;
	assert_says(&f, USERNS_APPARMOR, "apparmor_restrict_unprivileged_userns is 1",
		    "apparmor_parser -r /etc/apparmor.d/sbx");
	f.inside_errno = EACCES;
	assert_says(&f, USERNS_APPARMOR, "AppArmor", SBX_DATADIR "/apparmor/sbx");
	/* The same failure without the sysctl is not AppArmor's doing. */
	f.apparmor_restrict = 0;
	assert_says(&f, USERNS_UNKNOWN, NULL, NULL);
	f.apparmor_restrict = -1;
	assert_says(&f, USERNS_UNKNOWN, NULL, NULL);
	/* A failure inside that is no permission problem is not either. */
	f.apparmor_restrict = 1;
	f.inside_errno = ENOMEM;
	assert_says(&f, USERNS_UNKNOWN, NULL, NULL);
}

static void test_no_kernel_support_and_unknown(void **state)
{
	struct userns_facts f = host();

	(void)state;
	f.clone_errno = EINVAL;
	assert_says(&f, USERNS_NO_KERNEL_SUPPORT, "CONFIG_USER_NS", "CONFIG_USER_NS=y");
	f.clone_errno = ENOMEM;
	assert_says(&f, USERNS_UNKNOWN, NULL, NULL);
}

static void test_read_facts_on_this_host(void **state)
{
	struct userns_facts f = {.clone_errno = EPERM, .inside_errno = EACCES};

	(void)state;
	diagnose_read_facts(&f);
	/* The errnos are the caller's, left alone. */
	assert_int_equal(f.clone_errno, EPERM);
	assert_int_equal(f.inside_errno, EACCES);
	/* Every kernel sbx supports has the limit; our own mode is 0 or 2. */
	assert_true(f.max_user_namespaces >= 0);
	assert_true(f.seccomp_mode == 0 || f.seccomp_mode == 2);
	assert_true(f.unprivileged_userns_clone >= -1 && f.apparmor_restrict >= -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_well),
	    cmocka_unit_test(test_max_user_namespaces_zero),
	    cmocka_unit_test(test_limit_reached),
	    cmocka_unit_test(test_debian_sysctl),
	    cmocka_unit_test(test_policy),
	    cmocka_unit_test(test_apparmor),
	    cmocka_unit_test(test_no_kernel_support_and_unknown),
	    cmocka_unit_test(test_read_facts_on_this_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
