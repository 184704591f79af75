/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "launch.h"
#include "diagnose.h"
#include "fuseovl.h"
#include "env.h"
#include "init.h"
#include "log.h"
#include "status.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/timerfd.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

void report_send(int fd, enum report_kind kind, int code, int wstatus, const char *msg)
{
	struct report r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.code = code;
	r.wstatus = wstatus;
	snprintf(r.msg, sizeof(r.msg), "%s", msg);
	(void)write_full(fd, &r, sizeof(r));
}

/* The caller's home: $HOME when it is absolute, else the passwd entry. */
static char *caller_home(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;
	char *real;

	if (!h || h[0] != '/') {
		pw = getpwuid(getuid());
		h = pw ? pw->pw_dir : NULL;
	}
	if (!h) {
		err_set(0, "cannot tell your home directory");
		err_hint("set HOME");
		return NULL;
	}
	/* A home that does not exist still gets its tmpfs at that path. */
	real = realpath(h, NULL);
	return real ? real : xstrdup(h);
}

static int prepare(struct sandbox *sb, const struct plan *plan)
{
	_cleanup_free_ char *home = NULL;
	char cwd[PATH_MAX];
	struct host_facts host;
	bool have_cwd = getcwd(cwd, sizeof(cwd)) != NULL;

	if (!have_cwd)
		warn_line("cannot read the current directory (%s); it is not shared",
			  strerror(errno));
	if (!(home = caller_home()))
		return -1;
	if (userns_prepare(plan, &sb->ids) < 0)
		return -1;
	if (mounts_resolve_sources((struct plan *)plan, have_cwd ? cwd : "/") < 0 ||
	    mounts_resolve_overlays((struct plan *)plan, have_cwd ? cwd : "/") < 0)
		return -1;
	host.cwd = have_cwd ? cwd : NULL;
	host.home = home;
	struct sysinfo si;
	host.tmpfs_cap = mounts_default_tmpfs_cap(
	    sysinfo(&si) == 0 ? (unsigned long long)si.totalram * si.mem_unit : 0);
	if (limits_check_rlimits(plan->rlimits, plan->n_rlimits) < 0)
		return -1;
	if (plan->json_fd >= 0 && fcntl(plan->json_fd, F_SETFD, FD_CLOEXEC) < 0) {
		err_set(errno, "--json-status-fd %d", plan->json_fd);
		err_hint("open it first, e.g. sbx run --json-status-fd 3 ... 3>status.json");
		return -1;
	}
	if (mounts_plan_build(plan, &host, &sb->mounts) < 0)
		return -1;
	if (sb->mounts.cwd_withheld)
		notice_line("not sharing %s (your home, an ancestor of it, or a system directory); "
			    "starting in an empty $HOME (use --cwd rw to share it)",
			    cwd);
	if (!(sb->env = env_build(environ, plan, sb->mounts.home)))
		return -1;
	/* Read before the clone, so pid 1 has it in its copy of our memory. */
	if (plan->seccomp_file && seccomp_read_file(plan->seccomp_file, &sb->seccomp) < 0)
		return -1;

	sigemptyset(&sb->forwarded);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&sb->forwarded, forwarded_signals[i]);
	sigaddset(&sb->forwarded, SIGCHLD);
	if (tty_prepare(plan->tty, &sb->tty) < 0)
		return -1;
	sb->mounts.console = sb->tty.on;
	/* Test-only: the fuse-overlayfs fallback on a kernel that would not
	 * need it (see fuseovl.h). */
	const char *force = getenv(FUSEOVL_FORCE_ENV);
	sb->mounts.overlay_fuse = force && strcmp(force, "1") == 0;
	if (plan->timeout_s > 0 &&
	    (sb->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0)
		return err_set(errno, "timerfd_create");
	/* Last, since it moves sbx into the sandbox's new cgroup. */
	if (limits_cgroup_wanted(&plan->cgroup) &&
	    limits_cgroup_prepare(&plan->cgroup, &sb->cgroup) < 0)
		return -1;
	return 0;
}

static int make_pipes(struct sandbox *sb)
{
	int s[2], r[2];

	if (pipe2(s, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	if (pipe2(r, O_CLOEXEC) < 0) {
		close_nointr(s[0]);
		close_nointr(s[1]);
		return err_set(errno, "pipe");
	}
	sb->sync_r = s[0];
	sb->sync_w = s[1];
	sb->report_r = r[0];
	sb->report_w = r[1];
	return 0;
}

/* The user namespace, and the PID and cgroup ones that must exist from
 * pid 1's first instant on, in one clone; pid 1 makes the mount, network,
 * IPC and UTS namespaces itself (make_namespaces() in init.c), inside the
 * new user namespace, so each is owned by it as with one clone, and no
 * step needs privileges outside it.  It does so while we run newuidmap and
 * newgidmap, which take longer: the network namespace alone costs about
 * half a millisecond, which would otherwise come before them. */
static pid_t clone_sandbox(void)
{
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP | SIGCHLD;

	/* fork-like raw clone: the child runs on a copy of our stack.  The
	 * stack argument is NULL on every architecture we build for. */
	return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

static void explain_clone_failure(int err)
{
	struct userns_facts f = {.clone_errno = err};
	const char *cause, *fix;

	diagnose_host(&f, &cause, &fix);
	if (!cause) {
		err_set(err, "create the sandbox's namespaces");
		return;
	}
	err_set(0, "create the sandbox's namespaces: %s: %s", strerror(err), cause);
	err_hint("%s", fix);
}

/* Real root's supplementary groups (group 0 among them) would keep host
 * root's group access inside, though they show as nogroup there.  A normal
 * user's stay, as they must: dropping them could open files that deny
 * those groups (CVE-2014-8989), and it needs CAP_SETGID.  uid 0 in someone
 * else's user namespace (unshare -r) may not (EPERM) and has no host group
 * 0 to lose. */
static int drop_root_groups(void)
{
	if (getuid() == 0 && setgroups(0, NULL) < 0 && errno != EPERM)
		return err_set(errno, "drop root's supplementary groups");
	return 0;
}

/* Give up on a sandbox whose setup failed on our side.  If pid 1 failed
 * first (often the reason our step failed: slirp4netns cannot join the
 * namespaces of a dead pid 1), its report is the cause to show. */
static bool is_failure(const struct report *r)
{
	return r->kind == REPORT_FAIL || r->kind == REPORT_EXEC;
}

/* first: a report already read, or NULL.  Progress reports pid 1 sent
 * before it failed are skipped to reach its failure. */
static int abort_child_after(struct sandbox *sb, pid_t child, const struct report *first)
{
	struct pollfd p = {.fd = sb->report_r, .events = POLLIN};
	struct report r;
	bool have = first && is_failure(first);
	int status, rc = EXIT_SBX_FAILED;

	tty_restore(&sb->tty);
	if (have)
		r = *first;
	while (!have && sb->report_r >= 0 && poll(&p, 1, 0) == 1 &&
	       read_full(sb->report_r, &r, sizeof(r)) == sizeof(r))
		have = is_failure(&r);
	if (have) {
		r.msg[sizeof(r.msg) - 1] = '\0';
		fprintf(stderr, "sbx: %s\n", r.msg);
		rc = r.code;
	} else {
		err_print();
	}
	net_slirp_stop(&sb->slirp);
	kill(child, SIGKILL);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return rc;
}

static int abort_child(struct sandbox *sb, pid_t child)
{
	return abort_child_after(sb, child, NULL);
}

/* pid 1 reports its namespaces made (or why not) before anything else. */
static int await_namespaces(struct sandbox *sb, pid_t child)
{
	struct report r;
	ssize_t n = read_full(sb->report_r, &r, sizeof(r));

	if (n == sizeof(r) && r.kind == REPORT_NAMESPACES)
		return 0;
	err_set(0, "the sandbox's pid 1 ended while making its namespaces");
	return abort_child_after(sb, child, n == sizeof(r) ? &r : NULL);
}

struct outcome {
	bool child_done;
	int child_status;
	struct rusage ru; /* pid 1's, with every process it reaped */
	bool report_eof;
	struct report report; /* first FAIL/EXEC, or the STATUS */
	bool have_report;
};

static void read_report(int fd, struct outcome *o)
{
	struct report r;
	ssize_t n = read_full(fd, &r, sizeof(r));

	if (n <= 0) {
		o->report_eof = true;
		return;
	}
	if (n != sizeof(r))
		return;
	r.msg[sizeof(r.msg) - 1] = '\0';
	/* The first failure is the cause; keep it over what follows. */
	if (!o->have_report || o->report.kind == REPORT_STATUS) {
		o->report = r;
		o->have_report = true;
	}
}

static unsigned long long elapsed_us(const struct timespec *t0)
{
	struct timespec now;
	long long us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (long long)(now.tv_sec - t0->tv_sec) * 1000000LL + (now.tv_nsec - t0->tv_nsec) / 1000;
	return us > 0 ? (unsigned long long)us : 0;
}

/* The inode of each of pid 1's namespaces, read while it is still ours to
 * read (before its id change makes it non-dumpable). */
static void read_namespaces(pid_t child, struct status_started *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(s->ns); i++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)child, status_ns_names[i]);
		s->ns[i] = stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
	}
}

static void arm_timeout(struct sandbox *sb)
{
	double t = sb->plan->timeout_s;
	struct itimerspec it = {0};

	if (sb->timer_fd < 0)
		return;
	it.it_value.tv_sec = (time_t)t;
	it.it_value.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
	if (it.it_value.tv_sec == 0 && it.it_value.tv_nsec == 0)
		it.it_value.tv_nsec = 1;
	(void)timerfd_settime(sb->timer_fd, 0, &it, NULL);
}

static void report_json(const struct plan *plan, int len, const char *line)
{
	if (plan->json_fd >= 0 && len > 0 && write_full(plan->json_fd, line, (size_t)len) < 0)
		warn_line("--json-status-fd %d: %s", plan->json_fd, strerror(errno));
}

static int send_sync(struct sandbox *sb, char c)
{
	if (write_full(sb->sync_w, &c, 1) < 0)
		return err_set(errno, "release the sandbox");
	return 0;
}

/* --timeout: SIGTERM to the payload (through pid 1), then --kill-after
 * later SIGKILL to pid 1, which ends the whole PID namespace.  The timer
 * runs here, outside, where nothing inside can reach it. */
static void on_timer(struct sandbox *sb, pid_t child)
{
	uint64_t ticks;
	struct itimerspec next = {0};

	if (read(sb->timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	if (!sb->timed_out) {
		sb->timed_out = true;
		log_verbose("timeout: SIGTERM");
		kill(child, SIGTERM);
		double k = sb->plan->kill_after_s;
		next.it_value.tv_sec = (time_t)k;
		next.it_value.tv_nsec = (long)((k - (double)(time_t)k) * 1e9);
		if (next.it_value.tv_sec == 0 && next.it_value.tv_nsec == 0)
			next.it_value.tv_nsec = 1;
		(void)timerfd_settime(sb->timer_fd, 0, &next, NULL);
	} else {
		log_verbose("timeout: SIGKILL");
		kill(child, SIGKILL);
	}
}

static int supervise(struct sandbox *sb, pid_t child, const struct report *first,
		     struct status_exited *ex)
{
	struct outcome o = {0};
	sigset_t mine = sb->forwarded;
	_cleanup_close_ int sfd = -1;

	/* SIGWINCH is ours: the kernel tells the payload through the pty. */
	sigaddset(&mine, SIGWINCH);
	sfd = signalfd(-1, &mine, SFD_CLOEXEC);
	if (sfd < 0) {
		err_set(errno, "signalfd");
		return abort_child(sb, child);
	}
	if (first) {
		o.report = *first;
		o.report.msg[sizeof(o.report.msg) - 1] = '\0';
		o.have_report = true;
	}
	/* Until pid 1 is reaped, its reports are read, and the payload's last
	 * output has come through the pty. */
	while (!o.child_done || !o.report_eof || !tty_drained(&sb->tty)) {
		struct pollfd p[3 + 3] = {
		    {.fd = sfd, .events = POLLIN},
		    {.fd = o.report_eof ? -1 : sb->report_r, .events = POLLIN},
		    {.fd = o.child_done ? -1 : sb->timer_fd, .events = POLLIN}};
		size_t n = 3 + tty_poll_fds(&sb->tty, p + 3);

		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			err_set(errno, "poll");
			kill(child, SIGKILL);
			break;
		}
		tty_poll_handle(&sb->tty, p + 3, n - 3);
		if (p[2].revents & POLLIN)
			on_timer(sb, child);
		if (p[1].revents)
			read_report(sb->report_r, &o);
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read_full(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGWINCH) {
					tty_resize(&sb->tty);
				} else if (si.ssi_signo != SIGCHLD) {
					log_verbose("forwarding signal %u", si.ssi_signo);
					kill(child, (int)si.ssi_signo);
				} else {
					net_slirp_reaped(&sb->slirp);
				}
			}
		}
		if (!o.child_done) {
			pid_t w = wait4(child, &o.child_status, WNOHANG, &o.ru);
			if (w == child)
				o.child_done = true;
		}
	}
	/* Messages below go to a terminal in its normal mode again. */
	tty_restore(&sb->tty);
	if (!o.child_done && wait4(child, &o.child_status, 0, &o.ru) == child)
		o.child_done = true;
	ex->cpu_us =
	    (unsigned long long)(o.ru.ru_utime.tv_sec + o.ru.ru_stime.tv_sec) * 1000000ULL +
	    (unsigned long long)(o.ru.ru_utime.tv_usec + o.ru.ru_stime.tv_usec);
	ex->max_rss_kb = o.ru.ru_maxrss;
	if (o.have_report && o.report.kind == REPORT_STATUS) {
		ex->have_status = true;
		ex->wstatus = o.report.wstatus;
	}
	if (sb->timed_out) {
		fprintf(stderr, "sbx: --timeout %g s reached; the sandbox was stopped\n",
			sb->plan->timeout_s);
		return EXIT_TIMEOUT;
	}

	if (o.have_report && o.report.kind != REPORT_STATUS) {
		fprintf(stderr, "sbx: %s\n", o.report.msg);
		return o.report.code;
	}
	if (o.have_report)
		return status_exit_code(o.report.wstatus);
	if (WIFSIGNALED(o.child_status)) {
		fprintf(stderr, "sbx: the sandbox's init was killed by signal %d\n",
			WTERMSIG(o.child_status));
		return EXIT_SIGNAL_BASE + WTERMSIG(o.child_status);
	}
	fprintf(stderr, "sbx: the sandbox's init exited with status %d before the command ran\n",
		WIFEXITED(o.child_status) ? WEXITSTATUS(o.child_status) : -1);
	return EXIT_SBX_FAILED;
}

int launch_run(const struct plan *plan)
{
	struct sandbox sb = {.plan = plan,
			     .sync_r = -1,
			     .sync_w = -1,
			     .report_r = -1,
			     .report_w = -1,
			     .slirp = {.exit_w = -1, .log_fd = -1, .pidfd = -1},
			     .tty = {.sock = {-1, -1}, .master = -1},
			     .tty_slave = -1,
			     .timer_fd = -1};
	sigset_t blocked;
	struct status_started started = {0};
	struct status_exited ex = {0};
	struct timespec t0;
	char json[1024];
	struct report first;
	bool have_first = false, init_gone = false;
	pid_t child;
	int rc;

	log_verbose("prepare");
	if (drop_root_groups() < 0 || prepare(&sb, plan) < 0 || make_pipes(&sb) < 0) {
		err_print();
		rc = EXIT_SBX_FAILED;
		goto out;
	}
	/* Block before clone: the child inherits the mask and reads the same
	 * signals from its own signalfd; nothing is lost in between.  SIGPIPE
	 * too, so a dead child turns into EPIPE here, not a dead sbx. */
	blocked = sb.forwarded;
	sigaddset(&blocked, SIGPIPE);
	sigaddset(&blocked, SIGWINCH); /* read from supervise's signalfd */
	sigprocmask(SIG_BLOCK, &blocked, NULL);

	log_verbose("clone");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	child = clone_sandbox();
	if (child < 0) {
		explain_clone_failure(errno);
		err_print();
		rc = EXIT_SBX_FAILED;
		goto out_mask;
	}
	if (child == 0)
		init_main(&sb);

	close_nointr(steal_fd(&sb.sync_r));
	close_nointr(steal_fd(&sb.report_w));
	if (sb.tty.sock[1] >= 0)
		close_nointr(steal_fd(&sb.tty.sock[1]));
	started.pid = child;
	if (limits_cgroup_attach(&sb.cgroup, child) < 0) {
		rc = abort_child(&sb, child);
		goto out_mask;
	}
	log_verbose("write id maps for pid %d", (int)child);
	if (userns_write_maps(&sb.ids, child) < 0) {
		rc = abort_child(&sb, child);
		goto out_mask;
	}
	if ((rc = await_namespaces(&sb, child)) != 0)
		goto out_mask;
	read_namespaces(child, &started);
	if (send_sync(&sb, SYNC_GO) < 0) {
		rc = abort_child(&sb, child);
		goto out_mask;
	}
	/* pid 1 now builds the view; meanwhile, with the network on, we start
	 * slirp4netns once pid 1 has made tap0.  The payload waits for
	 * SYNC_READY. */
	if (plan->net == NET_SLIRP) {
		ssize_t n = read_full(sb.report_r, &first, sizeof(first));
		if (n == sizeof(first) && first.kind == REPORT_TAP) {
			if (net_slirp_start(plan, child,
					    sb.ids.uid.zero_mapped && sb.ids.gid.zero_mapped,
					    &sb.slirp) < 0) {
				rc = abort_child(&sb, child);
				goto out_mask;
			}
		} else {
			/* A failure report, or EOF: supervise tells which. */
			have_first = n == sizeof(first);
			init_gone = true;
		}
	}
	if (sb.tty.on && !init_gone) {
		/* pid 1 sends the pty's master once the view is built. */
		int r = tty_start(&sb.tty);
		if (r < 0) {
			rc = abort_child(&sb, child);
			goto out_mask;
		}
		init_gone = sb.tty.master < 0;
	}
	if (!init_gone && send_sync(&sb, SYNC_READY) < 0) {
		rc = abort_child(&sb, child);
		goto out_mask;
	}
	if (!init_gone) {
		arm_timeout(&sb);
		started.slirp_pid = sb.slirp.pid;
		report_json(plan, status_format_started(&started, json, sizeof(json)), json);
	}
	/* sync_w stays open until we exit: pid 1 reads a hang-up as our death. */
	rc = supervise(&sb, child, have_first ? &first : NULL, &ex);
	net_slirp_stop(&sb.slirp);
	mounts_overlays_done(plan);
	log_verbose("exit %d", rc);
	ex.exit_code = rc;
	ex.timed_out = sb.timed_out;
	ex.wall_us = elapsed_us(&t0);
	if (plan->stats && status_format_stats(&ex, json, sizeof(json)) > 0)
		fprintf(stderr, "sbx: %s\n", json);
	report_json(plan, status_format_exited(&ex, json, sizeof(json)), json);
	/* The mask stays on every path: a signal arriving now must not kill
	 * sbx before it reports, and a SIGPIPE from a dead child's pipe is
	 * still pending. */
out_mask:
out:
	for (size_t i = 0; i < 4; i++) {
		int fd = i == 0	  ? sb.sync_r
			 : i == 1 ? sb.sync_w
			 : i == 2 ? sb.report_r
				  : sb.report_w;
		if (fd >= 0)
			close_nointr(fd);
	}
	mounts_plan_free(&sb.mounts);
	env_free(sb.env);
	seccomp_prog_free(&sb.seccomp);
	tty_close(&sb.tty);
	if (sb.timer_fd >= 0)
		close_nointr(sb.timer_fd);
	limits_cgroup_remove(&sb.cgroup);
	return rc;
}
