/* SPDX-License-Identifier: MIT */
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>

const char *const status_ns_names[7] = {"user", "pid", "mnt", "net", "uts", "ipc", "cgroup"};

int status_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return EXIT_SIGNAL_BASE + WTERMSIG(wstatus);
	return EXIT_SBX_FAILED;
}

int status_exec_code(int err)
{
	/* As the shells do: a name that resolves to nothing is 127, a file
	 * that exists but cannot be run is 126. */
	return err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
}

static int fits(int n, size_t len)
{
	return n >= 0 && (size_t)n < len ? n : -1;
}

int status_format_started(const struct status_started *s, char *buf, size_t len)
{
	int n =
	    snprintf(buf, len, "{\"started\": {\"pid\": %d, \"slirp4netns_pid\": ", (int)s->pid);
	int m;

	if (fits(n, len) < 0)
		return -1;
	m = s->slirp_pid > 0 ? snprintf(buf + n, len - (size_t)n, "%d", (int)s->slirp_pid)
			     : snprintf(buf + n, len - (size_t)n, "null");
	if (fits(m, len - (size_t)n) < 0)
		return -1;
	n += m;
	m = snprintf(buf + n, len - (size_t)n, ", \"namespaces\": {");
	for (size_t i = 0; i < 7 && fits(m, len - (size_t)n) >= 0; i++) {
		n += m;
		m = snprintf(buf + n, len - (size_t)n, "%s\"%s\": %llu", i ? ", " : "",
			     status_ns_names[i], s->ns[i]);
	}
	if (fits(m, len - (size_t)n) < 0)
		return -1;
	n += m;
	m = snprintf(buf + n, len - (size_t)n, "}}}\n");
	return fits(m, len - (size_t)n) < 0 ? -1 : n + m;
}

int status_format_exited(const struct status_exited *e, char *buf, size_t len)
{
	char status[16] = "null", sig[16] = "null";

	if (e->have_status && WIFEXITED(e->wstatus))
		snprintf(status, sizeof(status), "%d", WEXITSTATUS(e->wstatus));
	if (e->have_status && WIFSIGNALED(e->wstatus))
		snprintf(sig, sizeof(sig), "%d", WTERMSIG(e->wstatus));
	return fits(
	    snprintf(buf, len,
		     "{\"exited\": {\"status\": %s, \"signal\": %s, \"timed_out\": %s, "
		     "\"exit_code\": %d, \"wall_ms\": %llu.%03llu, \"cpu_ms\": %llu.%03llu, "
		     "\"max_rss_kb\": %ld}}\n",
		     status, sig, e->timed_out ? "true" : "false", e->exit_code, e->wall_us / 1000,
		     e->wall_us % 1000, e->cpu_us / 1000, e->cpu_us % 1000, e->max_rss_kb),
	    len);
}

int status_format_stats(const struct status_exited *e, char *buf, size_t len)
{
	/* Seconds with three decimals: milliseconds, rounded. */
	unsigned long long wall = (e->wall_us + 500) / 1000, cpu = (e->cpu_us + 500) / 1000;

	return fits(snprintf(buf, len,
			     "wall %llu.%03llu s, cpu %llu.%03llu s, max rss %ld KiB, exit %d%s",
			     wall / 1000, wall % 1000, cpu / 1000, cpu % 1000, e->max_rss_kb,
			     e->exit_code, e->timed_out ? " (timed out)" : ""),
		    len);
}
