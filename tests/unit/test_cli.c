/* SPDX-License-Identifier: MIT */
/*
 * cli_parse(): the command line of DESIGN.md section 2 into struct plan.
 * Every test releases the plan with plan_free(), also after a failure, so
 * the sanitizer build catches a leak on any error path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

/* PARSE(&plan, "run", "ls") parses { "sbx", "run", "ls" }.  The words live
 * in a compound literal of the calling block, so plan.argv (borrowed)
 * stays valid for the rest of the test. */
#define PARSE(plan, ...) parse_words((plan), (char *[]){"sbx", __VA_ARGS__, NULL})

static int parse_words(struct plan *plan, char **words)
{
	int argc = 0;

	while (words[argc])
		argc++;
	return cli_parse(argc, words, plan);
}

/* The parse fails and the recorded message contains needle. */
static void expect_error(int rc, const char *needle)
{
	assert_int_equal(rc, -1);
	if (!strstr(err_line(), needle))
		fail_msg("error '%s' does not contain '%s'", err_line(), needle);
}

/* ---- subcommands ----------------------------------------------------- */

static void no_subcommand_is_an_error(void **state)
{
	struct plan p;
	char *argv[] = {"sbx", NULL};

	(void)state;
	expect_error(cli_parse(1, argv, &p), "missing subcommand");
	plan_free(&p);
}

static void version_and_help(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "--version"), CLI_VERSION);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "-V"), CLI_VERSION);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "--help"), CLI_HELP);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "-h"), CLI_HELP);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "help"), CLI_HELP);
	plan_free(&p);
	expect_error(PARSE(&p, "--version", "x"), "--version takes no arguments");
	plan_free(&p);
}

static void doctor(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "doctor"), CLI_DOCTOR);
	plan_free(&p);
	expect_error(PARSE(&p, "doctor", "--fix"), "doctor takes no arguments");
	plan_free(&p);
}

static void run_help(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--help"), CLI_RUN_HELP);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "-h"), CLI_RUN_HELP);
	plan_free(&p);
	/* --help wins even without a COMMAND and after other options. */
	assert_int_equal(PARSE(&p, "run", "-v", "--cwd", "ro", "--help"), CLI_RUN_HELP);
	plan_free(&p);
	/* After COMMAND it is the command's own option. */
	assert_int_equal(PARSE(&p, "run", "ls", "--help"), CLI_RUN);
	assert_string_equal(p.argv[1], "--help");
	plan_free(&p);
	assert_non_null(strstr(cli_run_usage, "--workdir"));
	assert_non_null(strstr(cli_usage, "sbx run"));
}

static void unknown_command(void **state)
{
	struct plan p;

	(void)state;
	expect_error(PARSE(&p, "frobnicate"), "unknown command 'frobnicate'");
	plan_free(&p);
	/* Options of run are not global options. */
	expect_error(PARSE(&p, "--user", "root", "run", "ls"), "unknown command '--user'");
	plan_free(&p);
}

/* ---- run: defaults, COMMAND and option termination ------------------- */

static void run_defaults(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "ls", "-l"), CLI_RUN);
	assert_string_equal(p.argv[0], "ls");
	assert_string_equal(p.argv[1], "-l");
	assert_null(p.argv[2]);
	assert_int_equal(p.user, USER_KEEP);
	assert_int_equal(p.net, NET_SLIRP);
	assert_false(p.allow_host_loopback);
	assert_int_equal(p.mtu, 65520);
	assert_int_equal(p.n_publish, 0);
	assert_string_equal(p.hostname, "sbx");
	assert_int_equal(p.cwd, SHARE_RW);
	assert_false(p.cwd_given);
	assert_int_equal(p.home, HOME_TMPFS);
	assert_null(p.workdir);
	assert_int_equal(p.n_mounts, 0);
	assert_int_equal(p.n_env_set, 0);
	assert_false(p.clearenv);
	assert_false(p.verbose);
	plan_free(&p);
}

static void options_stop_at_the_first_non_option(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "-v", "make", "--user", "root", "-e", "X=1"), CLI_RUN);
	assert_true(p.verbose);
	assert_int_equal(p.user, USER_KEEP);
	assert_int_equal(p.n_env_set, 0);
	assert_string_equal(p.argv[0], "make");
	assert_string_equal(p.argv[1], "--user");
	assert_string_equal(p.argv[3], "-e");
	assert_string_equal(p.argv[4], "X=1");
	assert_null(p.argv[5]);
	plan_free(&p);

	/* A lone "-" is an argument (stdin by convention), not an option. */
	assert_int_equal(PARSE(&p, "run", "-", "x"), CLI_RUN);
	assert_string_equal(p.argv[0], "-");
	plan_free(&p);
}

static void double_dash(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--", "make", "test"), CLI_RUN);
	assert_string_equal(p.argv[0], "make");
	assert_string_equal(p.argv[1], "test");
	assert_null(p.argv[2]);
	plan_free(&p);

	/* After "--" a word that looks like an option is the COMMAND. */
	assert_int_equal(PARSE(&p, "run", "-v", "--", "-x", "--", "y"), CLI_RUN);
	assert_true(p.verbose);
	assert_string_equal(p.argv[0], "-x");
	assert_string_equal(p.argv[1], "--");
	assert_string_equal(p.argv[2], "y");
	plan_free(&p);

	assert_int_equal(PARSE(&p, "run", "--", "--"), CLI_RUN);
	assert_string_equal(p.argv[0], "--");
	assert_null(p.argv[1]);
	plan_free(&p);
}

static void missing_command(void **state)
{
	struct plan p;

	(void)state;
	expect_error(PARSE(&p, "run"), "missing COMMAND");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-v", "--cwd", "ro"), "missing COMMAND");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--"), "missing COMMAND");
	plan_free(&p);
	/* The hint shows the usage. */
	expect_error(PARSE(&p, "run", "--bind", "/a"), "usage: sbx run");
	plan_free(&p);
	expect_error(PARSE(&p, "run", ""), "COMMAND is an empty string");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--", ""), "COMMAND is an empty string");
	plan_free(&p);
}

static void unknown_options(void **state)
{
	struct plan p;

	(void)state;
	expect_error(PARSE(&p, "run", "--frobnicate", "ls"), "unknown option '--frobnicate'");
	assert_non_null(strstr(err_line(), "sbx run --help"));
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-x", "ls"), "unknown option '-x'");
	plan_free(&p);
	/* No abbreviations: a prefix of a long name is not that option. */
	expect_error(PARSE(&p, "run", "--verb", "ls"), "unknown option '--verb'");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--user-id=3", "ls"), "unknown option '--user-id=3'");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--=x", "ls"), "unknown option");
	plan_free(&p);
	/* Names are case-sensitive. */
	expect_error(PARSE(&p, "run", "--USER", "root", "ls"), "unknown option");
	plan_free(&p);
}

static void cap_add(void **state)
{
	struct plan p;
	unsigned int cap;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--cap-add", "CAP_CHOWN", "--cap-add=net_admin",
			       "--cap-add", "Sys_Admin", "ls"),
			 CLI_RUN);
	assert_int_equal(p.cap_add, (1ULL << 0) | (1ULL << 12) | (1ULL << 21));
	plan_free(&p);
	assert_int_equal(cli_parse_cap("CAP_LAST_CAP", &cap), -1);
	assert_int_equal(cli_parse_cap("cap_audit_read", &cap), 0);
	assert_int_equal(cap, 37);
	assert_int_equal(cli_parse_cap("CAP_", &cap), -1);
	assert_int_equal(cli_parse_cap("", &cap), -1);
	assert_int_equal(cli_parse_cap("12", &cap), -1);
	assert_int_equal(cli_parse_cap("CAP_NET ADMIN", &cap), -1);
	expect_error(PARSE(&p, "run", "--cap-add", "CAP_BOGUS", "ls"), "not a capability name");
	assert_non_null(strstr(err_line(), "--cap-add 'CAP_BOGUS'"));
	plan_free(&p);
}

static void overlay_and_rootfs(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--overlay", "src", "--overlay=/a:/st", "--rootfs", "/r",
			       "--rootfs-rw", "ls"),
			 CLI_RUN);
	assert_int_equal(p.n_overlays, 2);
	assert_string_equal(p.overlays[0].dir, "src");
	assert_null(p.overlays[0].state);
	assert_string_equal(p.overlays[1].dir, "/a");
	assert_string_equal(p.overlays[1].state, "/st");
	assert_string_equal(p.rootfs, "/r");
	assert_true(p.rootfs_rw);
	plan_free(&p);
	static const char *const bad[] = {"", ":/st", "/a:"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_error(PARSE(&p, "run", "--overlay", (char *)bad[i], "ls"),
			     "invalid --overlay");
		plan_free(&p);
	}
	expect_error(PARSE(&p, "run", "--rootfs", "", "ls"), "invalid --rootfs");
	plan_free(&p);
}

static void profile_text(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "ls"), CLI_RUN);
	assert_int_equal(
	    cli_parse_profile_text("# a comment\n\n  --net none  \n--hostname=box\n"
				   "-e GREETING=hello world\n--bind ${HOME}/src:${PWD}/s\n"
				   "-e LITERAL=$HOME '${X}'\n--clearenv\r\n",
				   "p", "/home/u", "/work", &p),
	    0);
	assert_int_equal(p.net, NET_NONE);
	assert_string_equal(p.hostname, "box");
	assert_int_equal(p.n_env_set, 2);
	/* The value is the rest of the line, spaces included. */
	assert_string_equal(p.env_set[0], "GREETING=hello world");
	/* Only ${HOME} and ${PWD}: nothing else is interpreted. */
	assert_string_equal(p.env_set[1], "LITERAL=$HOME '${X}'");
	assert_string_equal(p.mounts[0].src, "/home/u/src");
	assert_string_equal(p.mounts[0].dst, "/work/s");
	assert_true(p.clearenv);
	plan_free(&p);

	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"--net none\nnet none\n", "f:2: expected an option"},
	    {"\n\n--bogus\n", "f:3: unknown option '--bogus'"},
	    {"--net bogus\n", "f:1: invalid --net 'bogus'"},
	    {"--clearenv yes\n", "f:1: --clearenv takes no value"},
	    {"--hostname\n", "f:1: option --hostname needs a value"},
	    {"--help\n", "f:1: --help is not for profiles"},
	    /* Found by the fuzzer: a lone dash read past its string. */
	    {"-\n", "f:1: unknown option '-'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(PARSE(&p, "run", "ls"), CLI_RUN);
		int rc = cli_parse_profile_text(bad[i].text, "f", "/h", "/w", &p);
		if (rc != -1 || !strstr(err_line(), bad[i].msg))
			fail_msg("profile %zu gave %d, '%s' (wanted '%s')", i, rc, err_line(),
				 bad[i].msg);
		plan_free(&p);
	}
	/* A profile inside a profile is refused. */
	assert_int_equal(PARSE(&p, "run", "ls"), CLI_RUN);
	assert_int_equal(cli_parse_profile_text("--profile other\n", "f", "/h", "/w", &p), -1);
	assert_non_null(strstr(err_line(), "f:1: --profile inside a profile is not allowed"));
	plan_free(&p);
}

static void limits_options(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "ls"), CLI_RUN);
	assert_true(p.timeout_s == 0);
	assert_true(p.kill_after_s == 2);
	assert_int_equal(p.json_fd, -1);
	assert_false(p.stats);
	assert_int_equal(p.n_rlimits, 0);
	plan_free(&p);

	assert_int_equal(PARSE(&p, "run", "--timeout", "1.5", "--kill-after=0", "--rlimit",
			       "nofile=16", "--rlimit", "fsize=1M:2M", "--rlimit", "NOFILE=32",
			       "--rlimit=core=unlimited", "--stats", "--json-status-fd", "3",
			       "--memory", "512m", "--pids", "100", "--cpus", "1.5", "ls"),
			 CLI_RUN);
	assert_true(p.timeout_s == 1.5);
	assert_true(p.kill_after_s == 0);
	/* The last --rlimit for a resource wins. */
	assert_int_equal(p.n_rlimits, 3);
	assert_string_equal(p.rlimits[0].name, "nofile");
	assert_int_equal(p.rlimits[0].lim.rlim_cur, 32);
	assert_int_equal(p.rlimits[0].lim.rlim_max, 32);
	assert_int_equal(p.rlimits[1].lim.rlim_cur, 1 << 20);
	assert_int_equal(p.rlimits[1].lim.rlim_max, 2 << 20);
	assert_true(p.rlimits[2].lim.rlim_cur == RLIM_INFINITY);
	assert_true(p.stats);
	assert_int_equal(p.json_fd, 3);
	assert_int_equal(p.cgroup.memory_bytes, 512ULL << 20);
	assert_int_equal(p.cgroup.pids, 100);
	assert_true(p.cgroup.cpus == 1.5);
	plan_free(&p);

	static const struct {
		const char *opt, *val, *msg;
	} bad[] = {
	    {"--timeout", "0", "invalid --timeout"},
	    {"--timeout", "-1", "invalid --timeout"},
	    {"--timeout", "abc", "invalid --timeout"},
	    {"--timeout", "1e999", "invalid --timeout"},
	    {"--timeout", "nan", "invalid --timeout"},
	    {"--kill-after", "-2", "invalid --kill-after"},
	    {"--rlimit", "nofile", "expected NAME=SOFT"},
	    {"--rlimit", "=5", "expected NAME=SOFT"},
	    {"--rlimit", "bogus=1", "unknown resource"},
	    {"--rlimit", "nofile=", "values are numbers"},
	    {"--rlimit", "nofile=-1", "values are numbers"},
	    {"--rlimit", "nofile=10:5", "soft limit is above"},
	    {"--rlimit", "nofile=unlimited:5", "soft limit is above"},
	    {"--rlimit", "nofile=1:2:3", "values are numbers"},
	    {"--memory", "0", "invalid --memory"},
	    {"--memory", "lots", "invalid --memory"},
	    {"--pids", "0", "invalid --pids"},
	    {"--cpus", "0", "invalid --cpus"},
	    {"--cpus", "0.001", "invalid --cpus"},
	    {"--json-status-fd", "x", "invalid --json-status-fd"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = PARSE(&p, "run", (char *)bad[i].opt, (char *)bad[i].val, "ls");
		if (rc != -1 || !strstr(err_line(), bad[i].msg))
			fail_msg("%s '%s' gave %d, '%s' (wanted '%s')", bad[i].opt, bad[i].val, rc,
				 err_line(), bad[i].msg);
		plan_free(&p);
	}
}

static void tty_modes(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "ls"), CLI_RUN);
	assert_int_equal(p.tty, TTY_AUTO);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--tty", "always", "ls"), CLI_RUN);
	assert_int_equal(p.tty, TTY_ALWAYS);
	plan_free(&p);
	/* -t is --tty always, and takes no value. */
	assert_int_equal(PARSE(&p, "run", "-t", "ls"), CLI_RUN);
	assert_int_equal(p.tty, TTY_ALWAYS);
	assert_string_equal(p.argv[0], "ls");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-tnever", "ls"), "takes no value");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--tty=bogus", "ls"), "invalid --tty 'bogus'");
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--tty=auto", "ls"), CLI_RUN);
	assert_int_equal(p.tty, TTY_AUTO);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "-t", "--tty", "never", "ls"), CLI_RUN);
	assert_int_equal(p.tty, TTY_NEVER);
	plan_free(&p);
}

static void missing_values_at_the_end(void **state)
{
	struct plan p;

	(void)state;
	expect_error(PARSE(&p, "run", "--user"), "option --user needs a value");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-e"), "option --env needs a value");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-w"), "option --workdir needs a value");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--bind", "/a", "--tmpfs"), "option --tmpfs needs a value");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--hostname"), "option --hostname needs a value");
	plan_free(&p);
	/* "--opt=" is an empty value, not a missing one. */
	expect_error(PARSE(&p, "run", "--hostname=", "ls"), "invalid --hostname ''");
	plan_free(&p);
}

static void booleans_take_no_value(void **state)
{
	struct plan p;

	(void)state;
	expect_error(PARSE(&p, "run", "--clearenv=yes", "ls"), "option --clearenv takes no value");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--verbose=1", "ls"), "option --verbose takes no value");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--help=1", "ls"), "option --help takes no value");
	plan_free(&p);
	/* Short booleans cannot be bundled or given a value. */
	expect_error(PARSE(&p, "run", "-vv", "ls"), "option -v takes no value");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-v=1", "ls"), "option -v takes no value");
	plan_free(&p);

	assert_int_equal(PARSE(&p, "run", "--clearenv", "-v", "ls"), CLI_RUN);
	assert_true(p.clearenv);
	assert_true(p.verbose);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--verbose", "ls"), CLI_RUN);
	assert_true(p.verbose);
	plan_free(&p);
}

/* ---- --user ------------------------------------------------------------ */

static void user_modes(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--user", "root", "id"), CLI_RUN);
	assert_int_equal(p.user, USER_ROOT);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--user=keep", "id"), CLI_RUN);
	assert_int_equal(p.user, USER_KEEP);
	plan_free(&p);

	assert_int_equal(PARSE(&p, "run", "--user", "1234", "id"), CLI_RUN);
	assert_int_equal(p.user, USER_ID);
	assert_int_equal(p.uid, 1234);
	assert_int_equal(p.gid, 1234);
	assert_false(p.gid_given);
	plan_free(&p);

	assert_int_equal(PARSE(&p, "run", "--user=1234:5678", "id"), CLI_RUN);
	assert_int_equal(p.user, USER_ID);
	assert_int_equal(p.uid, 1234);
	assert_int_equal(p.gid, 5678);
	assert_true(p.gid_given);
	plan_free(&p);

	assert_int_equal(PARSE(&p, "run", "--user", "0:0", "id"), CLI_RUN);
	assert_int_equal(p.user, USER_ID);
	assert_int_equal(p.uid, 0);
	assert_int_equal(p.gid, 0);
	plan_free(&p);

	/* 4294967294 is the largest id; -1 is the kernel's "no change". */
	assert_int_equal(PARSE(&p, "run", "--user", "4294967294", "id"), CLI_RUN);
	assert_int_equal(p.uid, 4294967294U);
	plan_free(&p);

	/* Repeated: the last one counts. */
	assert_int_equal(PARSE(&p, "run", "--user", "5:6", "--user", "root", "id"), CLI_RUN);
	assert_int_equal(p.user, USER_ROOT);
	plan_free(&p);
}

static void user_invalid(void **state)
{
	static const char *const bad[] = {
	    "",
	    "nobody",
	    "Root",
	    "12:",
	    ":12",
	    "1:x",
	    "x:1",
	    "-1",
	    "+5",
	    " 5",
	    "5 ",
	    "4294967295",
	    "1:4294967295",
	    "99999999999999999999",
	    "1:2:3",
	    "0x10",
	    "123456789012345678901234567890123:1",
	};
	struct plan p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {"sbx", "run", "--user", (char *)bad[i], "id", NULL};
		int rc = cli_parse(5, argv, &p);
		if (rc != -1 || !strstr(err_line(), "invalid --user"))
			fail_msg("--user '%s' gave %d, '%s'", bad[i], rc, err_line());
		plan_free(&p);
	}
}

/* ---- --net, --hostname ------------------------------------------------- */

static void net(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--net", "none", "ls"), CLI_RUN);
	assert_int_equal(p.net, NET_NONE);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--net=none", "ls"), CLI_RUN);
	assert_int_equal(p.net, NET_NONE);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--net", "slirp", "--allow-host-loopback", "ls"),
			 CLI_RUN);
	assert_int_equal(p.net, NET_SLIRP);
	assert_true(p.allow_host_loopback);
	plan_free(&p);
	/* Options that need slirp are refused with --net none, in any order. */
	expect_error(PARSE(&p, "run", "--allow-host-loopback", "--net", "none", "ls"),
		     "--allow-host-loopback needs the slirp network");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--net=none", "-p", "8080:80", "ls"),
		     "--publish needs the slirp network");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--net", "host", "ls"), "invalid --net 'host'");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--net", "", "ls"), "invalid --net ''");
	plan_free(&p);
}

static void mtu(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--mtu", "1500", "ls"), CLI_RUN);
	assert_int_equal(p.mtu, 1500);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--mtu=68", "ls"), CLI_RUN);
	assert_int_equal(p.mtu, 68);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--mtu=65521", "ls"), CLI_RUN);
	assert_int_equal(p.mtu, 65521);
	plan_free(&p);
	static const char *const bad[] = {"67",	 "65522", "0",	   "-1",
					  "abc", "",	  "1500x", "99999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_error(PARSE(&p, "run", "--mtu", (char *)bad[i], "ls"), "invalid --mtu");
		plan_free(&p);
	}
}

static void publish(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "-p", "8080:80", "--publish=0.0.0.0:53:5353/udp", "-p",
			       "10.1.2.3:1:65535/tcp", "--allow-host-loopback", "ls"),
			 CLI_RUN);
	assert_int_equal(p.n_publish, 3);
	assert_string_equal(p.publish[0].host_ip, "127.0.0.1");
	assert_int_equal(p.publish[0].host_port, 8080);
	assert_int_equal(p.publish[0].guest_port, 80);
	assert_false(p.publish[0].udp);
	assert_string_equal(p.publish[0].spec, "8080:80");
	assert_string_equal(p.publish[1].host_ip, "0.0.0.0");
	assert_int_equal(p.publish[1].host_port, 53);
	assert_int_equal(p.publish[1].guest_port, 5353);
	assert_true(p.publish[1].udp);
	assert_string_equal(p.publish[2].host_ip, "10.1.2.3");
	assert_int_equal(p.publish[2].host_port, 1);
	assert_int_equal(p.publish[2].guest_port, 65535);
	assert_false(p.publish[2].udp);
	plan_free(&p);

	static const struct {
		const char *spec, *msg;
	} bad[] = {
	    {"8080", "expected [IP:]HOSTPORT:PORT"},
	    {"abc", "expected [IP:]HOSTPORT:PORT"},
	    {"0:80", "ports must be 1 to 65535"},
	    {"80:0", "ports must be 1 to 65535"},
	    {"70000:80", "ports must be 1 to 65535"},
	    {"80:123456", "ports must be 1 to 65535"},
	    {":80", "ports must be 1 to 65535"},
	    {"80:", "ports must be 1 to 65535"},
	    {"8080:80/sctp", "the protocol must be tcp or udp"},
	    {"8080:80/", "the protocol must be tcp or udp"},
	    {"8080:80/tcp/udp", "the protocol must be tcp or udp"},
	    {"1.2.3:80:80", "'1.2.3' is not an IPv4 address"},
	    {"::1:80:80", "IPv4 address"},
	    {"localhost:80:80", "'localhost' is not an IPv4 address"},
	    {"1.2.3.4.5.6.7.8:80:80", "'1.2.3.4.5.6.7.8' is not an IPv4 address"},
	    {"111.222.333.444.5:80:80", "expected an IPv4 address"},
	    {"+80:80", "ports must be 1 to 65535"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = PARSE(&p, "run", "-p", (char *)bad[i].spec, "ls");
		if (rc != -1 || !strstr(err_line(), bad[i].msg) || !strstr(err_line(), bad[i].spec))
			fail_msg("-p '%s' gave %d, '%s' (wanted '%s')", bad[i].spec, rc, err_line(),
				 bad[i].msg);
		assert_int_equal(p.n_publish, 0);
		plan_free(&p);
	}
}

static void publish_rules_that_need_the_whole_command_line(void **state)
{
	struct plan p;

	(void)state;
	/* libslirp drops forwarded UDP replies while host loopback is blocked. */
	expect_error(PARSE(&p, "run", "-p", "53:53/udp", "ls"),
		     "'53:53/udp': UDP forwarding needs --allow-host-loopback");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--net", "none", "--mtu", "1500", "ls"),
		     "--mtu needs the slirp network");
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "-p", "53:53/tcp", "ls"), CLI_RUN);
	plan_free(&p);
}

static void seccomp_options(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "ls"), CLI_RUN);
	assert_null(p.seccomp_file);
	assert_false(p.allow_userns);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--seccomp", "/x.bpf", "--allow-userns", "ls"), CLI_RUN);
	assert_string_equal(p.seccomp_file, "/x.bpf");
	assert_true(p.allow_userns);
	plan_free(&p);
	/* The last --seccomp wins; default clears a file given before. */
	assert_int_equal(PARSE(&p, "run", "--seccomp=/x.bpf", "--seccomp=default", "ls"), CLI_RUN);
	assert_null(p.seccomp_file);
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--seccomp=", "ls"), "invalid --seccomp ''");
	plan_free(&p);
	/* --print-seccomp needs no COMMAND and sees the options before it. */
	assert_int_equal(PARSE(&p, "run", "--allow-userns", "--print-seccomp"), CLI_PRINT_SECCOMP);
	assert_true(p.allow_userns);
	plan_free(&p);
	/* -w into /proc leads out of the root (CVE-2024-21626). */
	expect_error(PARSE(&p, "run", "-w", "/proc/self/cwd", "ls"), "not under /proc");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-w", "/proc", "ls"), "not under /proc");
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "-w", "/process", "ls"), CLI_RUN);
	plan_free(&p);
}

static void hostname(void **state)
{
	char h64[65], h65[66];
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--hostname", "build-box.example", "ls"), CLI_RUN);
	assert_string_equal(p.hostname, "build-box.example");
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--hostname=A1", "--hostname", "b2", "ls"), CLI_RUN);
	assert_string_equal(p.hostname, "b2");
	plan_free(&p);

	memset(h64, 'a', 64);
	h64[64] = '\0';
	memset(h65, 'a', 65);
	h65[65] = '\0';
	assert_int_equal(PARSE(&p, "run", "--hostname", h64, "ls"), CLI_RUN);
	assert_string_equal(p.hostname, h64);
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--hostname", h65, "ls"), "invalid --hostname");
	plan_free(&p);

	static const char *const bad[] = {"",	   "a b",	"a_b", "a/b",
					  "box\n", "h\xc3\xa9", "a:b", "$(id)"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {"sbx", "run", "--hostname", (char *)bad[i], "ls", NULL};
		int rc = cli_parse(5, argv, &p);
		if (rc != -1 || !strstr(err_line(), "invalid --hostname"))
			fail_msg("--hostname '%s' gave %d, '%s'", bad[i], rc, err_line());
		/* The message stays one line even for a name with a newline. */
		assert_null(strchr(err_line(), '\n'));
		plan_free(&p);
	}
}

/* ---- --bind, --ro-bind, --tmpfs ---------------------------------------- */

static void binds(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--bind", "/data", "--ro-bind=/srv/a:/b//c/./d/",
			       "--bind", "rel/dir:/mnt", "ls"),
			 CLI_RUN);
	assert_int_equal(p.n_mounts, 3);
	assert_int_equal(p.mounts[0].kind, MOUNT_BIND);
	assert_string_equal(p.mounts[0].src, "/data");
	assert_null(p.mounts[0].dst); /* DST defaults to SRC once SRC is resolved */
	assert_int_equal(p.mounts[1].kind, MOUNT_RO_BIND);
	assert_string_equal(p.mounts[1].src, "/srv/a");
	assert_string_equal(p.mounts[1].dst, "/b/c/d");
	assert_int_equal(p.mounts[2].kind, MOUNT_BIND);
	assert_string_equal(p.mounts[2].src, "rel/dir");
	assert_string_equal(p.mounts[2].dst, "/mnt");
	plan_free(&p);
}

static void binds_invalid(void **state)
{
	struct plan p;

	(void)state;
	expect_error(PARSE(&p, "run", "--bind", "", "ls"), "invalid --bind ''");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--bind", ":/x", "ls"), "expected SRC[:DST]");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--bind", "/a:rel", "ls"), "DST must be an absolute path");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--ro-bind", "/a:", "ls"), "invalid --ro-bind '/a:'");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--ro-bind", "/a:/b/../etc", "ls"), "without '..'");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--bind", "/a:/", "ls"), "cannot replace /");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--ro-bind", "/a://.", "ls"), "cannot replace /");
	plan_free(&p);
	/* An error after earlier mounts: plan_free releases those too. */
	expect_error(PARSE(&p, "run", "--bind", "/a", "--tmpfs", "/t", "--bind", "/b:x", "ls"),
		     "invalid --bind '/b:x'");
	assert_int_equal(p.n_mounts, 2);
	plan_free(&p);
}

static void tmpfs(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--tmpfs", "/scratch", "--tmpfs=/a:size=1024", "--tmpfs",
			       "/k:size=4k", "--tmpfs", "/m:size=2M", "--tmpfs", "//g/./:size=1g",
			       "ls"),
			 CLI_RUN);
	assert_int_equal(p.n_mounts, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(p.mounts[i].kind, MOUNT_TMPFS);
		assert_null(p.mounts[i].src);
	}
	assert_string_equal(p.mounts[0].dst, "/scratch");
	assert_int_equal(p.mounts[0].size_bytes, 0);
	assert_string_equal(p.mounts[1].dst, "/a");
	assert_int_equal(p.mounts[1].size_bytes, 1024);
	assert_int_equal(p.mounts[2].size_bytes, 4096);
	assert_int_equal(p.mounts[3].size_bytes, 2ULL << 20);
	assert_string_equal(p.mounts[4].dst, "/g");
	assert_int_equal(p.mounts[4].size_bytes, 1ULL << 30);
	plan_free(&p);

	assert_int_equal(PARSE(&p, "run", "--tmpfs", "/big:size=16G", "ls"), CLI_RUN);
	assert_int_equal(p.mounts[0].size_bytes, 16ULL << 30);
	plan_free(&p);
}

static void tmpfs_invalid(void **state)
{
	static const struct {
		const char *arg, *msg;
	} bad[] = {
	    {"/t:size=0", "must be more than 0"},
	    {"/t:size=0k", "must be more than 0"},
	    {"/t:size=", "invalid size ''"},
	    {"/t:size=k", "invalid size 'k'"},
	    {"/t:size=-1", "invalid size '-1'"},
	    {"/t:size=+1", "invalid size '+1'"},
	    {"/t:size= 1", "invalid size ' 1'"},
	    {"/t:size=12x", "invalid size '12x'"},
	    {"/t:size=1kb", "invalid size '1kb'"},
	    {"/t:size=1t", "invalid size '1t'"},
	    {"/t:size=1.5g", "invalid size '1.5g'"},
	    {"/t:size=99999999999999999999", "too large"},
	    {"/t:size=18446744073709551615k", "too large"},
	    {"/t:size=17179869184g", "too large"},
	    {"/t:mode=700", "expected DST[:size=BYTES]"},
	    {"/t:", "expected DST[:size=BYTES]"},
	    {"t", "DST must be an absolute path"},
	    {"", "DST must be an absolute path"},
	    {"/a/../b", "DST must be an absolute path without '..'"},
	    {"/", "cannot replace /"},
	    {"//.//", "cannot replace /"},
	};
	struct plan p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {"sbx", "run", "--tmpfs", (char *)bad[i].arg, "ls", NULL};
		int rc = cli_parse(5, argv, &p);
		if (rc != -1 || !strstr(err_line(), bad[i].msg))
			fail_msg("--tmpfs '%s' gave %d, '%s' (wanted '%s')", bad[i].arg, rc,
				 err_line(), bad[i].msg);
		assert_int_equal(p.n_mounts, 0);
		plan_free(&p);
	}
}

static void size_parser(void **state)
{
	unsigned long long v = 0;

	(void)state;
	assert_int_equal(cli_parse_size("1", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cli_parse_size("3K", &v), 0);
	assert_int_equal(v, 3072);
	assert_int_equal(cli_parse_size("18446744073709551615", &v), 0);
	assert_int_equal(v, 18446744073709551615ULL);
	assert_int_equal(cli_parse_size("17179869183g", &v), 0);
	assert_int_equal(v, 17179869183ULL << 30);
	/* A failure leaves the output alone. */
	v = 42;
	assert_int_equal(cli_parse_size("", &v), -1);
	assert_int_equal(cli_parse_size("17179869184g", &v), -1);
	assert_int_equal(v, 42);
}

/* ---- --cwd, --home, -w ------------------------------------------------- */

static void cwd_and_home(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--cwd", "ro", "--home", "rw", "ls"), CLI_RUN);
	assert_int_equal(p.cwd, SHARE_RO);
	assert_true(p.cwd_given);
	assert_int_equal(p.home, HOME_RW);
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--cwd=none", "--home=ro", "ls"), CLI_RUN);
	assert_int_equal(p.cwd, SHARE_NONE);
	assert_int_equal(p.home, HOME_RO);
	plan_free(&p);
	/* An explicit --cwd rw is "given" even though it is the default. */
	assert_int_equal(PARSE(&p, "run", "--cwd", "rw", "--home", "tmpfs", "ls"), CLI_RUN);
	assert_int_equal(p.cwd, SHARE_RW);
	assert_true(p.cwd_given);
	assert_int_equal(p.home, HOME_TMPFS);
	plan_free(&p);

	expect_error(PARSE(&p, "run", "--cwd", "yes", "ls"),
		     "invalid --cwd 'yes': expected rw, ro or none");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--home", "RW", "ls"),
		     "invalid --home 'RW': expected tmpfs, ro or rw");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--home", "none", "ls"), "invalid --home");
	plan_free(&p);
}

static void workdir(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "-w", "/src/proj", "make"), CLI_RUN);
	assert_string_equal(p.workdir, "/src/proj");
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "--workdir=/a//b/./c/", "make"), CLI_RUN);
	assert_string_equal(p.workdir, "/a/b/c");
	plan_free(&p);
	assert_int_equal(PARSE(&p, "run", "-w/x", "-w", "/", "make"), CLI_RUN);
	assert_string_equal(p.workdir, "/");
	plan_free(&p);
	/* "..." and ".x" are names, not parent references. */
	assert_int_equal(PARSE(&p, "run", "-w", "/a/.../.x/..y", "make"), CLI_RUN);
	assert_string_equal(p.workdir, "/a/.../.x/..y");
	plan_free(&p);

	expect_error(PARSE(&p, "run", "-w", "src", "make"), "invalid --workdir 'src'");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-w", "", "make"), "invalid --workdir");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-w", "/a/../../etc", "make"), "without '..'");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "--workdir", "/a/..", "make"), "invalid --workdir");
	plan_free(&p);
}

static void normalize_path(void **state)
{
	char long_path[5000];
	char *out = (char *)1;

	(void)state;
	assert_int_equal(cli_normalize_path("///", &out), 0);
	assert_string_equal(out, "/");
	free(out);
	assert_int_equal(cli_normalize_path("/./a/./", &out), 0);
	assert_string_equal(out, "/a");
	free(out);
	assert_int_equal(cli_normalize_path("a/b", &out), -1);
	assert_null(out);
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	assert_int_equal(cli_normalize_path(long_path, &out), -1);
	assert_null(out);
}

/* ---- -e, --env ----------------------------------------------------------- */

static void env_options(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(
	    PARSE(&p, "run", "-e", "A=1", "-eB=2", "--env", "C", "--env=D=x=y", "-e", "E=", "env"),
	    CLI_RUN);
	assert_int_equal(p.n_env_set, 5);
	assert_string_equal(p.env_set[0], "A=1");
	assert_string_equal(p.env_set[1], "B=2");
	assert_string_equal(p.env_set[2], "C");
	assert_string_equal(p.env_set[3], "D=x=y");
	assert_string_equal(p.env_set[4], "E=");
	assert_null(p.env_set[5]);
	plan_free(&p);

	expect_error(PARSE(&p, "run", "-e", "=x", "env"), "invalid --env '=x'");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-e", "", "env"), "expected KEY=VALUE or KEY");
	plan_free(&p);
	expect_error(PARSE(&p, "run", "-e", "A=1", "--env=", "env"), "invalid --env ''");
	assert_int_equal(p.n_env_set, 1);
	plan_free(&p);
}

/* ---- the plan after an error is safe to free twice ---------------------- */

static void plan_free_is_idempotent(void **state)
{
	struct plan p;

	(void)state;
	assert_int_equal(PARSE(&p, "run", "--bind", "/a", "-e", "X=1", "-w", "/w", "ls"), CLI_RUN);
	plan_free(&p);
	assert_null(p.mounts);
	assert_null(p.env_set);
	assert_null(p.hostname);
	assert_null(p.workdir);
	plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(no_subcommand_is_an_error),
	    cmocka_unit_test(version_and_help),
	    cmocka_unit_test(doctor),
	    cmocka_unit_test(run_help),
	    cmocka_unit_test(unknown_command),
	    cmocka_unit_test(run_defaults),
	    cmocka_unit_test(options_stop_at_the_first_non_option),
	    cmocka_unit_test(double_dash),
	    cmocka_unit_test(missing_command),
	    cmocka_unit_test(unknown_options),
	    cmocka_unit_test(cap_add),
	    cmocka_unit_test(missing_values_at_the_end),
	    cmocka_unit_test(booleans_take_no_value),
	    cmocka_unit_test(user_modes),
	    cmocka_unit_test(user_invalid),
	    cmocka_unit_test(net),
	    cmocka_unit_test(mtu),
	    cmocka_unit_test(publish),
	    cmocka_unit_test(tty_modes),
	    cmocka_unit_test(overlay_and_rootfs),
	    cmocka_unit_test(profile_text),
	    cmocka_unit_test(limits_options),
	    cmocka_unit_test(seccomp_options),
	    cmocka_unit_test(publish_rules_that_need_the_whole_command_line),
	    cmocka_unit_test(hostname),
	    cmocka_unit_test(binds),
	    cmocka_unit_test(binds_invalid),
	    cmocka_unit_test(tmpfs),
	    cmocka_unit_test(tmpfs_invalid),
	    cmocka_unit_test(size_parser),
	    cmocka_unit_test(cwd_and_home),
	    cmocka_unit_test(workdir),
	    cmocka_unit_test(normalize_path),
	    cmocka_unit_test(env_options),
	    cmocka_unit_test(plan_free_is_idempotent),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
