/* SPDX-License-Identifier: MIT */
/*
 * The payload's environment (DESIGN.md section 4): PATH, TERM, LANG, LC_*,
 * TZ, HOME, USER, LOGNAME and SHELL are kept, everything else is dropped
 * unless named with -e; --clearenv starts from nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "env.h"

#define SANDBOX_HOME "/home/alice"

static char *caller_env[] = {
    "PATH=/usr/local/bin:/usr/bin:/bin",
    "TERM=xterm-256color",
    "LANG=en_US.UTF-8",
    "LC_ALL=C.UTF-8",
    "LC_TIME=de_DE.UTF-8",
    "TZ=Europe/Berlin",
    "HOME=/somewhere/else",
    "USER=alice",
    "LOGNAME=alice",
    "SHELL=/bin/bash",
    "SBX_CANARY=s3cret-canary",
    "LD_PRELOAD=/tmp/evil.so",
    "LD_LIBRARY_PATH=/tmp",
    "SSH_AUTH_SOCK=/tmp/ssh-XXXX/agent.1",
    "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus",
    "DISPLAY=:0",
    "GITHUB_TOKEN=ghp_xxx",
    "PATHX=/evil",
    "XPATH=/evil",
    "LC_=not-a-locale-variable",
    "TERMINFO_DIRS=/x",
    NULL,
};

/* The value of name in env, or NULL; fails when name occurs twice. */
static const char *env_get(char **env, const char *name)
{
	size_t n = strlen(name);
	const char *found = NULL;

	for (char **p = env; *p; p++)
		if (strncmp(*p, name, n) == 0 && (*p)[n] == '=') {
			if (found)
				fail_msg("%s occurs twice", name);
			found = *p + n + 1;
		}
	return found;
}

static size_t env_count(char **env)
{
	size_t n = 0;

	while (env[n])
		n++;
	return n;
}

/* A plan with only the environment options set. */
static struct plan plan_with(char **env_set, bool clearenv)
{
	struct plan p;

	memset(&p, 0, sizeof(p));
	p.env_set = env_set;
	while (env_set && env_set[p.n_env_set])
		p.n_env_set++;
	p.clearenv = clearenv;
	return p;
}

static void kept_names(void **state)
{
	struct plan p = plan_with(NULL, false);
	char **env = env_build(caller_env, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	assert_string_equal(env_get(env, "PATH"), "/usr/local/bin:/usr/bin:/bin");
	assert_string_equal(env_get(env, "TERM"), "xterm-256color");
	assert_string_equal(env_get(env, "LANG"), "en_US.UTF-8");
	assert_string_equal(env_get(env, "LC_ALL"), "C.UTF-8");
	assert_string_equal(env_get(env, "LC_TIME"), "de_DE.UTF-8");
	assert_string_equal(env_get(env, "TZ"), "Europe/Berlin");
	assert_string_equal(env_get(env, "USER"), "alice");
	assert_string_equal(env_get(env, "LOGNAME"), "alice");
	assert_string_equal(env_get(env, "SHELL"), "/bin/bash");
	assert_string_equal(env_get(env, "HOME"), SANDBOX_HOME);
	/* Exactly these ten and nothing else. */
	assert_int_equal(env_count(env), 10);
	env_free(env);
}

static void everything_else_is_dropped(void **state)
{
	static const char *const dropped[] = {
	    "SBX_CANARY",
	    "LD_PRELOAD",
	    "LD_LIBRARY_PATH",
	    "SSH_AUTH_SOCK",
	    "DBUS_SESSION_BUS_ADDRESS",
	    "DISPLAY",
	    "GITHUB_TOKEN",
	    "PATHX",
	    "XPATH",
	    "LC_",
	    "TERMINFO_DIRS",
	};
	struct plan p = plan_with(NULL, false);
	char **env = env_build(caller_env, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		if (env_get(env, dropped[i]))
			fail_msg("%s reached the payload", dropped[i]);
	for (char **e = env; *e; e++)
		assert_null(strstr(*e, "s3cret-canary"));
	env_free(env);
}

static void env_sets_and_overrides(void **state)
{
	char *set[] = {"PATH=/opt/bin", "FOO=bar", "EMPTY=", "EQ=a=b", NULL};
	struct plan p = plan_with(set, false);
	char **env = env_build(caller_env, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	assert_string_equal(env_get(env, "PATH"), "/opt/bin");
	assert_string_equal(env_get(env, "FOO"), "bar");
	assert_string_equal(env_get(env, "EMPTY"), "");
	assert_string_equal(env_get(env, "EQ"), "a=b");
	assert_int_equal(env_count(env), 13);
	env_free(env);
}

static void env_may_set_home_and_dropped_names(void **state)
{
	char *set[] = {"HOME=/work", "LD_PRELOAD=/usr/lib/libfoo.so", NULL};
	struct plan p = plan_with(set, false);
	char **env = env_build(caller_env, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	/* What the user names explicitly wins over the defaults. */
	assert_string_equal(env_get(env, "HOME"), "/work");
	assert_string_equal(env_get(env, "LD_PRELOAD"), "/usr/lib/libfoo.so");
	env_free(env);
}

static void later_env_wins(void **state)
{
	char *set[] = {"A=1", "A=2", "TERM=dumb", "TERM=vt100", NULL};
	struct plan p = plan_with(set, false);
	char **env = env_build(caller_env, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	assert_string_equal(env_get(env, "A"), "2");
	assert_string_equal(env_get(env, "TERM"), "vt100");
	assert_int_equal(env_count(env), 11);
	env_free(env);
}

static void env_key_passes_the_callers_value(void **state)
{
	char *set[] = {"SBX_CANARY", "GITHUB_TOKEN", "NOT_SET_ANYWHERE", "PATH", NULL};
	struct plan p = plan_with(set, false);
	char **env = env_build(caller_env, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	assert_string_equal(env_get(env, "SBX_CANARY"), "s3cret-canary");
	assert_string_equal(env_get(env, "GITHUB_TOKEN"), "ghp_xxx");
	/* The caller has none: ignored, not set empty. */
	assert_null(env_get(env, "NOT_SET_ANYWHERE"));
	for (char **e = env; *e; e++)
		assert_null(strstr(*e, "NOT_SET_ANYWHERE"));
	assert_string_equal(env_get(env, "PATH"), "/usr/local/bin:/usr/bin:/bin");
	assert_int_equal(env_count(env), 12);
	env_free(env);
}

static void env_key_is_not_a_prefix_match(void **state)
{
	char *set[] = {"PATHX", "SBX", "LD", NULL};
	char *caller[] = {"SBX_CANARY=x", "LD_PRELOAD=/evil.so", "PATH=/bin", NULL};
	struct plan p = plan_with(set, false);
	char **env = env_build(caller, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	assert_null(env_get(env, "PATHX"));
	assert_null(env_get(env, "SBX"));
	assert_null(env_get(env, "SBX_CANARY"));
	assert_null(env_get(env, "LD_PRELOAD"));
	assert_int_equal(env_count(env), 2); /* PATH, HOME */
	env_free(env);
}

static void clearenv_starts_from_nothing(void **state)
{
	char *set[] = {"FOO=bar", "TERM", NULL};
	struct plan p = plan_with(set, true);
	char **env = env_build(caller_env, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	assert_string_equal(env_get(env, "FOO"), "bar");
	/* -e KEY still passes the caller's value. */
	assert_string_equal(env_get(env, "TERM"), "xterm-256color");
	assert_null(env_get(env, "PATH"));
	assert_null(env_get(env, "HOME"));
	assert_int_equal(env_count(env), 2);
	env_free(env);

	struct plan empty = plan_with(NULL, true);
	env = env_build(caller_env, &empty, SANDBOX_HOME);
	assert_non_null(env);
	assert_int_equal(env_count(env), 0);
	env_free(env);
}

static void home_is_replaced_or_added(void **state)
{
	char *no_home[] = {"PATH=/bin", NULL};
	struct plan p = plan_with(NULL, false);
	char **env;

	(void)state;
	env = env_build(no_home, &p, "/home/bob");
	assert_non_null(env);
	assert_string_equal(env_get(env, "HOME"), "/home/bob");
	assert_int_equal(env_count(env), 2);
	env_free(env);

	/* No home given: the caller's stays. */
	env = env_build(caller_env, &p, NULL);
	assert_non_null(env);
	assert_string_equal(env_get(env, "HOME"), "/somewhere/else");
	env_free(env);
}

static void entries_without_equals_are_ignored(void **state)
{
	char *caller[] = {"PATH", "TERM=", "LANG", "HOME", "=x", "", "USER=bob", NULL};
	char *set[] = {"LANG", NULL};
	struct plan p = plan_with(set, false);
	char **env = env_build(caller, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	assert_null(env_get(env, "PATH"));
	assert_null(env_get(env, "LANG"));
	assert_string_equal(env_get(env, "TERM"), "");
	assert_string_equal(env_get(env, "USER"), "bob");
	assert_string_equal(env_get(env, "HOME"), SANDBOX_HOME);
	assert_int_equal(env_count(env), 3);
	for (char **e = env; *e; e++)
		assert_non_null(strchr(*e, '='));
	env_free(env);
}

static void duplicates_in_the_callers_env(void **state)
{
	char *caller[] = {"PATH=/first", "PATH=/second", NULL};
	struct plan p = plan_with(NULL, false);
	char **env = env_build(caller, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	assert_non_null(env_get(env, "PATH")); /* fails if it occurs twice */
	assert_int_equal(env_count(env), 2);
	env_free(env);
}

static void no_caller_env(void **state)
{
	char *set[] = {"A=1", "B", NULL};
	struct plan p = plan_with(set, false);
	char **env = env_build(NULL, &p, SANDBOX_HOME);

	(void)state;
	assert_non_null(env);
	assert_string_equal(env_get(env, "A"), "1");
	assert_string_equal(env_get(env, "HOME"), SANDBOX_HOME);
	assert_int_equal(env_count(env), 2);
	env_free(env);
}

static void many_entries_grow(void **state)
{
	char names[100][16];
	char *set[101];
	struct plan p;
	char **env;

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(names[i], sizeof(names[i]), "V%d=%d", i, i);
		set[i] = names[i];
	}
	set[100] = NULL;
	p = plan_with(set, false);
	env = env_build(caller_env, &p, SANDBOX_HOME);
	assert_non_null(env);
	assert_int_equal(env_count(env), 110);
	assert_string_equal(env_get(env, "V99"), "99");
	env_free(env);
}

static void is_kept(void **state)
{
	(void)state;
	assert_true(env_is_kept("PATH=/bin"));
	assert_true(env_is_kept("PATH"));
	assert_true(env_is_kept("LC_ALL=C"));
	assert_true(env_is_kept("LC_X"));
	assert_true(env_is_kept("HOME="));
	assert_false(env_is_kept("LC_=x"));
	assert_false(env_is_kept("LC"));
	assert_false(env_is_kept("PAT=x"));
	assert_false(env_is_kept("PATH_X=x"));
	assert_false(env_is_kept("path=/bin"));
	assert_false(env_is_kept("SBX_CANARY=1"));
	assert_false(env_is_kept(""));
	assert_false(env_is_kept("=PATH"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kept_names),
	    cmocka_unit_test(everything_else_is_dropped),
	    cmocka_unit_test(env_sets_and_overrides),
	    cmocka_unit_test(env_may_set_home_and_dropped_names),
	    cmocka_unit_test(later_env_wins),
	    cmocka_unit_test(env_key_passes_the_callers_value),
	    cmocka_unit_test(env_key_is_not_a_prefix_match),
	    cmocka_unit_test(clearenv_starts_from_nothing),
	    cmocka_unit_test(home_is_replaced_or_added),
	    cmocka_unit_test(entries_without_equals_are_ignored),
	    cmocka_unit_test(duplicates_in_the_callers_env),
	    cmocka_unit_test(no_caller_env),
	    cmocka_unit_test(many_entries_grow),
	    cmocka_unit_test(is_kept),
	};

	return cmocka_run_group_tests_name("env", tests, NULL, NULL);
}
