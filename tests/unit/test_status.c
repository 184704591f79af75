/* SPDX-License-Identifier: MIT */
/*
 * Exit status of sbx run (DESIGN.md section 2): the payload's own code,
 * 128+N for signal N, 125 for sbx's own failure, 126 not executable, 127
 * not found.  Checked on real wait statuses of real children.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "status.h"

/* The wait status of a child that exits with code, or kills itself with
 * sig when sig is not 0. */
static int child_status(int code, int sig)
{
	int wstatus;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (sig) {
			/* No core file from the test run. */
			signal(sig, SIG_DFL);
			raise(sig);
		}
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	return wstatus;
}

static void exit_codes_pass_through(void **state)
{
	(void)state;
	assert_int_equal(status_exit_code(child_status(0, 0)), 0);
	assert_int_equal(status_exit_code(child_status(7, 0)), 7);
	assert_int_equal(status_exit_code(child_status(125, 0)), 125);
	assert_int_equal(status_exit_code(child_status(255, 0)), 255);
	/* exit(256) is 0 to the parent, as in a shell. */
	assert_int_equal(status_exit_code(child_status(256, 0)), 0);
}

static void signals_are_128_plus_n(void **state)
{
	(void)state;
	assert_int_equal(status_exit_code(child_status(0, SIGKILL)), 128 + SIGKILL);
	assert_int_equal(status_exit_code(child_status(0, SIGTERM)), 128 + SIGTERM);
	assert_int_equal(status_exit_code(child_status(0, SIGINT)), 130);
	assert_int_equal(status_exit_code(child_status(0, SIGHUP)), 129);
	assert_int_equal(status_exit_code(child_status(0, SIGUSR1)), 128 + SIGUSR1);
}

static void constructed_statuses(void **state)
{
	(void)state;
	/* The encodings of wait(2) on Linux: code << 8, signal in the low
	 * bits, 0x80 for a core dump, 0x7f for stopped. */
	assert_int_equal(status_exit_code(0), 0);
	assert_int_equal(status_exit_code(7 << 8), 7);
	assert_int_equal(status_exit_code(255 << 8), 255);
	assert_int_equal(status_exit_code(SIGSEGV), 128 + SIGSEGV);
	assert_int_equal(status_exit_code(SIGSEGV | 0x80), 128 + SIGSEGV);
	assert_int_equal(status_exit_code(SIGABRT | 0x80), 134);
	assert_int_equal(status_exit_code(64), 128 + 64); /* SIGRTMAX */
	/* A stopped child is no final status: sbx's own failure. */
	assert_int_equal(status_exit_code((SIGSTOP << 8) | 0x7f), EXIT_SBX_FAILED);
}

static void exec_errors(void **state)
{
	(void)state;
	assert_int_equal(status_exec_code(ENOENT), 127);
	assert_int_equal(status_exec_code(ENOTDIR), 127);
	assert_int_equal(status_exec_code(EACCES), 126);
	assert_int_equal(status_exec_code(ENOEXEC), 126);
	assert_int_equal(status_exec_code(EISDIR), 126);
	assert_int_equal(status_exec_code(EPERM), 126);
	assert_int_equal(status_exec_code(ETXTBSY), 126);
	assert_int_equal(EXIT_SBX_FAILED, 125);
	assert_int_equal(EXIT_NOT_EXECUTABLE, 126);
	assert_int_equal(EXIT_NOT_FOUND, 127);
	assert_int_equal(EXIT_SIGNAL_BASE, 128);
}

static void json_lines(void **state)
{
	struct status_started st = {.pid = 4242, .slirp_pid = 0, .ns = {1, 2, 3, 4, 5, 6, 7}};
	struct status_exited ex = {.have_status = true,
				   .wstatus = 3 << 8,
				   .exit_code = 3,
				   .wall_us = 12500,
				   .cpu_us = 1250,
				   .max_rss_kb = 1024};
	char buf[512];

	(void)state;
	assert_true(status_format_started(&st, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
			    "{\"started\": {\"pid\": 4242, \"slirp4netns_pid\": null, "
			    "\"namespaces\": {\"user\": 1, \"pid\": 2, \"mnt\": 3, \"net\": 4, "
			    "\"uts\": 5, \"ipc\": 6, \"cgroup\": 7}}}\n");
	st.slirp_pid = 99;
	assert_true(status_format_started(&st, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\"slirp4netns_pid\": 99,"));

	assert_true(status_format_exited(&ex, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
			    "{\"exited\": {\"status\": 3, \"signal\": null, \"timed_out\": false, "
			    "\"exit_code\": 3, \"wall_ms\": 12.500, \"cpu_ms\": 1.250, "
			    "\"max_rss_kb\": 1024}}\n");
	/* Killed by SIGKILL after a timeout: a signal, no status. */
	ex.wstatus = SIGKILL;
	ex.timed_out = true;
	ex.exit_code = 124;
	assert_true(status_format_exited(&ex, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\"status\": null, \"signal\": 9, \"timed_out\": true, "
				    "\"exit_code\": 124"));
	/* Nothing is known when the payload never ran. */
	ex.have_status = false;
	assert_true(status_format_exited(&ex, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\"status\": null, \"signal\": null"));
	/* Microseconds as milliseconds: leading zeros kept in the decimals. */
	ex.wall_us = 7;
	ex.cpu_us = 1000042;
	assert_true(status_format_exited(&ex, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\"wall_ms\": 0.007, \"cpu_ms\": 1000.042,"));
	/* Too small a buffer is an error, not a cut line. */
	assert_int_equal(status_format_exited(&ex, buf, 20), -1);
	assert_int_equal(status_format_started(&st, buf, 30), -1);
}

static void stats_line(void **state)
{
	struct status_exited ex = {
	    .exit_code = 0, .wall_us = 1234500, .cpu_us = 250000, .max_rss_kb = 2048};
	char buf[256];

	(void)state;
	assert_true(status_format_stats(&ex, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "wall 1.235 s, cpu 0.250 s, max rss 2048 KiB, exit 0");
	ex.timed_out = true;
	ex.exit_code = 124;
	assert_true(status_format_stats(&ex, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
			    "wall 1.235 s, cpu 0.250 s, max rss 2048 KiB, exit 124 (timed out)");
	/* Rounded to the millisecond, carrying into the seconds. */
	ex.timed_out = false;
	ex.wall_us = 999500;
	ex.cpu_us = 499;
	assert_true(status_format_stats(&ex, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "wall 1.000 s, cpu 0.000 s, max rss 2048 KiB, exit 124");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exit_codes_pass_through),
	    cmocka_unit_test(signals_are_128_plus_n),
	    cmocka_unit_test(constructed_statuses),
	    cmocka_unit_test(exec_errors),
	    cmocka_unit_test(json_lines),
	    cmocka_unit_test(stats_line),
	};

	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
