/* SPDX-License-Identifier: MIT */
/*
 * The filesystem view of DESIGN.md section 3 as a plan: which steps, in
 * which order, whether the current directory is shared, where the
 * payload starts.  mounts_plan_build() is pure, so no namespace is needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cli.h"
#include "log.h"
#include "mounts.h"

#define HOME "/home/alice"
#define PROJECT "/home/alice/src/proj"

#define PARSE(plan, ...) parse_words((plan), (char *[]){"sbx", "run", __VA_ARGS__, NULL})

static int parse_words(struct plan *plan, char **words)
{
	int argc = 0;

	while (words[argc])
		argc++;
	return cli_parse(argc, words, plan);
}

static const char *const sysdirs[] = {
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt",
};
#define N_SYSDIRS (sizeof(sysdirs) / sizeof(sysdirs[0]))
/* sysdirs, proc, dev, sys, /tmp, /var/tmp, /run */
#define N_BASE (N_SYSDIRS + 6)

/* Index of the first step with this destination, or -1. */
static int find_dst(const struct mount_plan *mp, const char *dst)
{
	for (size_t i = 0; i < mp->n; i++)
		if (strcmp(mp->steps[i].dst, dst) == 0)
			return (int)i;
	return -1;
}

static void build(const struct plan *plan, const char *cwd, struct mount_plan *mp)
{
	const struct host_facts host = {.cwd = cwd, .home = HOME};

	if (mounts_plan_build(plan, &host, mp) < 0)
		fail_msg("mounts_plan_build: %s", err_line());
}

/* ---- mounts_cwd_is_unsafe ------------------------------------------------ */

static void unsafe_directories(void **state)
{
	static const char *const unsafe[] = {
	    "/",
	    HOME,
	    "/home",
	    "/usr",
	    "/usr/local/src",
	    "/usr/share/doc/x",
	    "/etc",
	    "/etc/ssh",
	    "/bin",
	    "/lib64",
	    "/opt",
	    "/opt/tool",
	    "/boot",
	    "/proc",
	    "/proc/1",
	    "/sys/class",
	    "/dev",
	    "/run",
	    "/run/user/1000",
	    "/tmp",
	    "/var/tmp",
	    "/var",
	    "/srv",
	    "/mnt",
	    "/media",
	    "/dev/shm",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
		if (!mounts_cwd_is_unsafe(unsafe[i], HOME))
			fail_msg("cwd %s is shared by default", unsafe[i]);
}

static void safe_directories(void **state)
{
	static const char *const safe[] = {
	    PROJECT,	 HOME "/proj", "/tmp/proj",	 "/tmp/a/b",   "/var/tmp/build", "/srv/www",
	    "/mnt/data", "/media/usb", "/var/lib/thing", "/home/bob",  "/home/alicex",	 "/usrx",
	    "/etcetera", "/optional",  "/tmpx",		 "/data/proj",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (mounts_cwd_is_unsafe(safe[i], HOME))
			fail_msg("cwd %s is withheld by default", safe[i]);
}

static void unsafe_follows_home(void **state)
{
	(void)state;
	/* $HOME and its ancestors, wherever $HOME is. */
	assert_true(mounts_cwd_is_unsafe("/data/users/alice", "/data/users/alice"));
	assert_true(mounts_cwd_is_unsafe("/data/users", "/data/users/alice"));
	assert_true(mounts_cwd_is_unsafe("/data", "/data/users/alice"));
	assert_false(mounts_cwd_is_unsafe("/data/users/alice/proj", "/data/users/alice"));
	assert_false(mounts_cwd_is_unsafe("/data/users/bob", "/data/users/alice"));
	/* Without a home only the fixed rules apply. */
	assert_false(mounts_cwd_is_unsafe("/home/alice", NULL));
	assert_true(mounts_cwd_is_unsafe("/", NULL));
	assert_true(mounts_cwd_is_unsafe("/usr/bin", NULL));
}

/* ---- mounts_plan_build: the default view ---------------------------------- */

static void default_order(void **state)
{
	struct plan plan;
	struct mount_plan mp;
	size_t i = 0;

	(void)state;
	assert_int_equal(PARSE(&plan, "--bind", "/data", "--ro-bind", "/srv/ref:/ref", "--tmpfs",
			       "/scratch:size=1m", "--bind", "/x:/y", "make"),
			 CLI_RUN);
	build(&plan, PROJECT, &mp);

	assert_int_equal(mp.n, N_BASE + 1 + 1 + 4);
	for (; i < N_SYSDIRS; i++) {
		/* /etc is the host's with the sandbox's own network files. */
		assert_int_equal(mp.steps[i].kind,
				 strcmp(sysdirs[i], "/etc") == 0 ? STEP_ETC : STEP_SYSDIR);
		assert_string_equal(mp.steps[i].src, sysdirs[i]);
		assert_string_equal(mp.steps[i].dst, sysdirs[i]);
		assert_true(mp.steps[i].ro);
	}
	assert_int_equal(mp.steps[i].kind, STEP_PROC);
	assert_string_equal(mp.steps[i++].dst, "/proc");
	assert_int_equal(mp.steps[i].kind, STEP_DEV);
	assert_string_equal(mp.steps[i++].dst, "/dev");
	assert_int_equal(mp.steps[i].kind, STEP_SYS);
	assert_true(mp.steps[i].ro);
	assert_string_equal(mp.steps[i++].dst, "/sys");

	static const char *const tmps[] = {"/tmp", "/var/tmp", "/run"};
	static const unsigned int modes[] = {01777, 01777, 0755};
	for (size_t t = 0; t < 3; t++, i++) {
		assert_int_equal(mp.steps[i].kind, STEP_TMPFS);
		assert_string_equal(mp.steps[i].dst, tmps[t]);
		assert_int_equal(mp.steps[i].mode, modes[t]);
		assert_false(mp.steps[i].owned_by_target);
		assert_null(mp.steps[i].src);
	}

	/* $HOME: an empty tmpfs of the payload's own, private. */
	assert_int_equal(mp.steps[i].kind, STEP_TMPFS);
	assert_string_equal(mp.steps[i].dst, HOME);
	assert_int_equal(mp.steps[i].mode, 0700);
	assert_true(mp.steps[i].owned_by_target);
	i++;

	/* The project, read-write, on top of the home tmpfs. */
	assert_int_equal(mp.steps[i].kind, STEP_BIND);
	assert_string_equal(mp.steps[i].src, PROJECT);
	assert_string_equal(mp.steps[i].dst, PROJECT);
	assert_false(mp.steps[i].ro);
	i++;

	/* The default network is slirp4netns: its resolver, never the host's. */
	assert_non_null(strstr(mp.etc_hosts, "127.0.0.1\tlocalhost\n"));
	assert_non_null(strstr(mp.etc_hosts, "127.0.1.1\tsbx\n"));
	assert_string_equal(mp.etc_resolv, "nameserver 10.0.2.3\n");

	/* User mounts last, in command-line order. */
	assert_int_equal(mp.steps[i].kind, STEP_BIND);
	assert_string_equal(mp.steps[i].src, "/data");
	assert_string_equal(mp.steps[i].dst, "/data");
	assert_false(mp.steps[i].ro);
	i++;
	assert_int_equal(mp.steps[i].kind, STEP_BIND);
	assert_string_equal(mp.steps[i].src, "/srv/ref");
	assert_string_equal(mp.steps[i].dst, "/ref");
	assert_true(mp.steps[i].ro);
	i++;
	assert_int_equal(mp.steps[i].kind, STEP_TMPFS);
	assert_string_equal(mp.steps[i].dst, "/scratch");
	assert_int_equal(mp.steps[i].size_bytes, 1ULL << 20);
	assert_true(mp.steps[i].owned_by_target);
	assert_null(mp.steps[i].src);
	i++;
	assert_int_equal(mp.steps[i].kind, STEP_BIND);
	assert_string_equal(mp.steps[i].src, "/x");
	assert_string_equal(mp.steps[i].dst, "/y");
	i++;
	assert_int_equal(i, mp.n);

	assert_true(mp.cwd_shared);
	assert_false(mp.cwd_withheld);
	assert_string_equal(mp.workdir, PROJECT);
	assert_string_equal(mp.home, HOME);

	mounts_plan_free(&mp);
	plan_free(&plan);
}

static void nothing_else_of_the_host(void **state)
{
	static const char *const absent[] = {"/root",  "/var",	"/srv", "/mnt",
					     "/media", "/home", "/"};
	struct plan plan;
	struct mount_plan mp;

	(void)state;
	assert_int_equal(PARSE(&plan, "ls"), CLI_RUN);
	build(&plan, PROJECT, &mp);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if (find_dst(&mp, absent[i]) >= 0)
			fail_msg("%s is in the default view", absent[i]);
	/* Only the home tmpfs and the cwd reach below /home. */
	for (size_t i = 0; i < mp.n; i++)
		if (strncmp(mp.steps[i].dst, "/home/", 6) == 0 &&
		    strcmp(mp.steps[i].dst, HOME) != 0 && strcmp(mp.steps[i].dst, PROJECT) != 0)
			fail_msg("unexpected step at %s", mp.steps[i].dst);
	mounts_plan_free(&mp);
	plan_free(&plan);
}

static void hostname_in_hosts_file(void **state)
{
	struct plan plan;
	struct mount_plan mp;
	int i;

	(void)state;
	assert_int_equal(PARSE(&plan, "--hostname", "box-1", "ls"), CLI_RUN);
	build(&plan, PROJECT, &mp);
	i = find_dst(&mp, "/etc/hosts");
	assert_int_equal(i, -1); /* part of the /etc overlay, not a mount */
	assert_non_null(strstr(mp.etc_hosts, "127.0.1.1\tbox-1\n"));
	assert_null(strstr(mp.etc_hosts, "\tsbx\n"));
	mounts_plan_free(&mp);
	plan_free(&plan);
}

static void resolv_conf_follows_the_network(void **state)
{
	struct plan plan;
	struct mount_plan mp;

	(void)state;
	/* --net none: no nameserver at all, not the host's. */
	assert_int_equal(PARSE(&plan, "--net", "none", "ls"), CLI_RUN);
	build(&plan, PROJECT, &mp);
	assert_null(strstr(mp.etc_resolv, "nameserver"));
	mounts_plan_free(&mp);
	plan_free(&plan);
	assert_int_equal(PARSE(&plan, "--net=slirp", "ls"), CLI_RUN);
	build(&plan, PROJECT, &mp);
	assert_string_equal(mp.etc_resolv, "nameserver 10.0.2.3\n");
	mounts_plan_free(&mp);
	plan_free(&plan);
}

/* ---- the current directory ------------------------------------------------- */

static void cwd_withheld_when_unsafe(void **state)
{
	static const char *const cwds[] = {HOME, "/home", "/", "/usr/lib", "/etc", "/tmp"};
	struct plan plan;
	struct mount_plan mp;

	(void)state;
	assert_int_equal(PARSE(&plan, "ls"), CLI_RUN);
	for (size_t c = 0; c < sizeof(cwds) / sizeof(cwds[0]); c++) {
		build(&plan, cwds[c], &mp);
		assert_false(mp.cwd_shared);
		assert_true(mp.cwd_withheld);
		/* The payload starts in the sandbox's (empty) $HOME. */
		assert_string_equal(mp.workdir, HOME);
		for (size_t i = 0; i < mp.n; i++)
			if (mp.steps[i].kind == STEP_BIND)
				fail_msg("cwd %s: unexpected bind %s", cwds[c], mp.steps[i].dst);
		mounts_plan_free(&mp);
	}
	plan_free(&plan);
}

static void cwd_below_tmp_is_shared(void **state)
{
	struct plan plan;
	struct mount_plan mp;
	int i;

	(void)state;
	assert_int_equal(PARSE(&plan, "ls"), CLI_RUN);
	build(&plan, "/tmp/proj", &mp);
	assert_true(mp.cwd_shared);
	assert_false(mp.cwd_withheld);
	i = find_dst(&mp, "/tmp/proj");
	assert_true(i > find_dst(&mp, "/tmp")); /* on top of the /tmp tmpfs */
	assert_int_equal(mp.steps[i].kind, STEP_BIND);
	assert_string_equal(mp.workdir, "/tmp/proj");
	mounts_plan_free(&mp);
	plan_free(&plan);
}

static void explicit_cwd_overrides_the_rule(void **state)
{
	struct plan plan;
	struct mount_plan mp;
	int i;

	(void)state;
	assert_int_equal(PARSE(&plan, "--cwd", "rw", "ls"), CLI_RUN);
	build(&plan, HOME, &mp);
	assert_true(mp.cwd_shared);
	assert_false(mp.cwd_withheld);
	i = find_dst(&mp, HOME);
	/* The home tmpfs first, then the explicit bind over it. */
	assert_int_equal(mp.steps[i].kind, STEP_TMPFS);
	assert_int_equal(mp.steps[i + 1].kind, STEP_BIND);
	assert_string_equal(mp.steps[i + 1].dst, HOME);
	assert_false(mp.steps[i + 1].ro);
	assert_string_equal(mp.workdir, HOME);
	mounts_plan_free(&mp);
	plan_free(&plan);

	assert_int_equal(PARSE(&plan, "--cwd", "ro", "ls"), CLI_RUN);
	build(&plan, "/etc", &mp);
	assert_true(mp.cwd_shared);
	i = find_dst(&mp, "/etc");
	assert_int_equal(mp.steps[i].kind, STEP_ETC);
	i = (int)mp.n - 1; /* the last step */
	assert_int_equal(mp.steps[i].kind, STEP_BIND);
	assert_string_equal(mp.steps[i].dst, "/etc");
	assert_true(mp.steps[i].ro);
	assert_string_equal(mp.workdir, "/etc");
	mounts_plan_free(&mp);
	plan_free(&plan);
}

static void cwd_ro_and_none(void **state)
{
	struct plan plan;
	struct mount_plan mp;
	int i;

	(void)state;
	assert_int_equal(PARSE(&plan, "--cwd", "ro", "ls"), CLI_RUN);
	build(&plan, PROJECT, &mp);
	i = find_dst(&mp, PROJECT);
	assert_int_equal(mp.steps[i].kind, STEP_BIND);
	assert_true(mp.steps[i].ro);
	assert_string_equal(mp.workdir, PROJECT);
	mounts_plan_free(&mp);
	plan_free(&plan);

	/* none: not shared, and no notice either since the user asked. */
	assert_int_equal(PARSE(&plan, "--cwd", "none", "ls"), CLI_RUN);
	build(&plan, PROJECT, &mp);
	assert_false(mp.cwd_shared);
	assert_false(mp.cwd_withheld);
	assert_int_equal(find_dst(&mp, PROJECT), -1);
	assert_string_equal(mp.workdir, HOME);
	mounts_plan_free(&mp);
	plan_free(&plan);
}

static void cwd_unknown(void **state)
{
	struct plan plan;
	struct mount_plan mp;

	(void)state;
	/* The caller's directory could not be resolved (deleted): nothing to share. */
	assert_int_equal(PARSE(&plan, "ls"), CLI_RUN);
	build(&plan, NULL, &mp);
	assert_false(mp.cwd_shared);
	assert_false(mp.cwd_withheld);
	assert_string_equal(mp.workdir, HOME);
	assert_int_equal(mp.n, N_BASE + 1);
	mounts_plan_free(&mp);
	plan_free(&plan);
}

/* ---- workdir and home ------------------------------------------------------ */

static void workdir_choice(void **state)
{
	struct plan plan;
	struct mount_plan mp;

	(void)state;
	assert_int_equal(PARSE(&plan, "-w", "/build", "make"), CLI_RUN);
	build(&plan, PROJECT, &mp);
	assert_string_equal(mp.workdir, "/build");
	assert_true(mp.cwd_shared);
	mounts_plan_free(&mp);
	/* Also when the cwd is withheld. */
	build(&plan, HOME, &mp);
	assert_string_equal(mp.workdir, "/build");
	assert_true(mp.cwd_withheld);
	mounts_plan_free(&mp);
	plan_free(&plan);
}

static void home_modes(void **state)
{
	struct plan plan;
	struct mount_plan mp;
	int i;

	(void)state;
	assert_int_equal(PARSE(&plan, "--home", "ro", "ls"), CLI_RUN);
	build(&plan, PROJECT, &mp);
	i = find_dst(&mp, HOME);
	assert_int_equal(mp.steps[i].kind, STEP_BIND);
	assert_string_equal(mp.steps[i].src, HOME);
	assert_true(mp.steps[i].ro);
	/* The project is still bound read-write over the read-only home. */
	assert_int_equal(find_dst(&mp, PROJECT), i + 1);
	assert_false(mp.steps[i + 1].ro);
	mounts_plan_free(&mp);
	plan_free(&plan);

	assert_int_equal(PARSE(&plan, "--home", "rw", "ls"), CLI_RUN);
	build(&plan, PROJECT, &mp);
	i = find_dst(&mp, HOME);
	assert_int_equal(mp.steps[i].kind, STEP_BIND);
	assert_false(mp.steps[i].ro);
	assert_string_equal(mp.home, HOME);
	mounts_plan_free(&mp);
	plan_free(&plan);
}

static void bad_home_is_refused(void **state)
{
	static const char *const homes[] = {"/", "relative/home", ""};
	struct plan plan;
	struct mount_plan mp;

	(void)state;
	assert_int_equal(PARSE(&plan, "ls"), CLI_RUN);
	for (size_t h = 0; h < sizeof(homes) / sizeof(homes[0]); h++) {
		const struct host_facts host = {.cwd = PROJECT, .home = homes[h]};
		assert_int_equal(mounts_plan_build(&plan, &host, &mp), -1);
		assert_non_null(strstr(err_line(), "cannot be the sandbox's $HOME"));
		assert_null(mp.steps);
		assert_null(mp.workdir);
	}
	const struct host_facts nohome = {.cwd = PROJECT, .home = NULL};
	assert_int_equal(mounts_plan_build(&plan, &nohome, &mp), -1);
	plan_free(&plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unsafe_directories),
	    cmocka_unit_test(safe_directories),
	    cmocka_unit_test(unsafe_follows_home),
	    cmocka_unit_test(default_order),
	    cmocka_unit_test(nothing_else_of_the_host),
	    cmocka_unit_test(hostname_in_hosts_file),
	    cmocka_unit_test(resolv_conf_follows_the_network),
	    cmocka_unit_test(cwd_withheld_when_unsafe),
	    cmocka_unit_test(cwd_below_tmp_is_shared),
	    cmocka_unit_test(explicit_cwd_overrides_the_rule),
	    cmocka_unit_test(cwd_ro_and_none),
	    cmocka_unit_test(cwd_unknown),
	    cmocka_unit_test(workdir_choice),
	    cmocka_unit_test(home_modes),
	    cmocka_unit_test(bad_home_is_refused),
	};

	return cmocka_run_group_tests_name("mountplan", tests, NULL, NULL);
}
