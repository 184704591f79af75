/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "init.h"
#include "diagnose.h"
#include "limits.h"
#include "log.h"
#include "net.h"
#include "seccomp.h"
#include "security.h"
#include "status.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static __attribute__((noreturn)) void init_fail(struct sandbox *sb)
{
	report_send(sb->report_w, REPORT_FAIL, EXIT_SBX_FAILED, 0, err_line());
	_exit(EXIT_SBX_FAILED);
}

/* The payload: identity, privileges, directory, then exec.  Anything that
 * fails is reported to sbx, which prints it once. */
static __attribute__((noreturn)) void payload_exec(struct sandbox *sb)
{
	const char *cmd = sb->plan->argv[0];
	sigset_t none;
	char msg[SBX_ERR_MAX];
	int err, code;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* With the relay, the pty is its controlling terminal.  Without, a
	 * session of its own: no controlling terminal at all, so TIOCSTI
	 * cannot push keystrokes into the caller's shell (CVE-2017-5226). */
	if (sb->tty.on) {
		if (tty_attach_payload(&sb->tty, sb->tty_slave) < 0)
			init_fail(sb);
	} else if (setsid() < 0) {
		err_set(errno, "setsid");
		init_fail(sb);
	}
	if (security_drop_privileges(sb->ids.uid.target, sb->ids.gid.target, sb->plan->cap_add) < 0)
		init_fail(sb);
	/* In a --rootfs with no place for $HOME or the cwd, start in /. */
	if (chdir(sb->mounts.workdir) < 0 &&
	    !(sb->plan->rootfs && !sb->plan->workdir && chdir("/") == 0)) {
		err_set(errno, "working directory %s", sb->mounts.workdir);
		err_hint("pick an existing directory inside the sandbox with -w");
		init_fail(sb);
	}
	/* A directory outside the new root would read as "(unreachable)/..."
	 * and let the payload walk the host's tree (CVE-2024-21626). */
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/') {
		err_set(0, "working directory %s is outside the sandbox", sb->mounts.workdir);
		init_fail(sb);
	}
	/* RLIMIT_CORE 0 unless asked otherwise, then --rlimit. */
	if (limits_apply_rlimits(sb->plan->rlimits, sb->plan->n_rlimits) < 0)
		init_fail(sb);
	/* Only 0, 1 and 2 survive the exec; the report pipe closes with it. */
	int keep[] = {sb->report_w};
	if (fd_close_others(keep, 1, true) < 0)
		init_fail(sb);
	environ = sb->env;
	execvp(cmd, sb->plan->argv);
	err = errno;
	code = status_exec_code(err);
	if (code == EXIT_NOT_FOUND && !strchr(cmd, '/'))
		snprintf(msg, sizeof(msg), "%s: command not found (not in the sandbox's PATH)",
			 cmd);
	else
		snprintf(msg, sizeof(msg), "%s: %s", cmd, strerror(err));
	report_send(sb->report_w, REPORT_EXEC, code, 0, msg);
	_exit(code);
}

/* pid 1's own copy of the caller's environment would stay readable in its
 * memory (and /proc/1/environ) for as long as the sandbox lives. */
static void scrub_environment(void)
{
	for (char **p = environ; p && *p; p++)
		memset(*p, 0, strlen(*p));
	clearenv();
}

static int become_root_inside(const struct sandbox *sb)
{
	/* Mount points and the root belong to root inside where root is
	 * mapped; in a single-id sandbox they stay the caller's. */
	if (sb->ids.gid.zero_mapped && setresgid(0, 0, 0) < 0)
		return err_set(errno, "init: setresgid 0");
	if (sb->ids.uid.zero_mapped && setresuid(0, 0, 0) < 0)
		return err_set(errno, "init: setresuid 0");
	return 0;
}

/* Any change of our ids clears the parent-death signal and resets the
 * dumpable flag (see prctl(2)), so both are set after become_root_inside(),
 * and sbx's liveness is checked again once the signal is re-armed: sbx holds
 * the sync pipe's write end for its whole life, so a hang-up means it died. */
static int arm_parent_death(const struct sandbox *sb)
{
	struct pollfd p = {.fd = sb->sync_r, .events = POLLIN};

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return err_set(errno, "init: set the parent-death signal");
	if (poll(&p, 1, 0) < 0)
		return err_set(errno, "init: poll the sync pipe");
	if (p.revents & (POLLHUP | POLLERR))
		_exit(EXIT_SBX_FAILED);
	return 0;
}

/* One byte from sbx.  EOF or anything else: sbx died or gave up (it prints
 * why), so there is nothing for us to say. */
static int wait_sync(struct sandbox *sb, char want)
{
	char c;
	ssize_t n;

	do
		n = read(sb->sync_r, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 && c == want ? 0 : -1;
}

/* What needs our capabilities in the new namespaces but not the id maps,
 * done while sbx still runs the map helpers. */
static int prepare_namespaces(const struct sandbox *sb)
{
	/* Terminal signals reach sbx only, which forwards them once. */
	if (setsid() < 0)
		return err_set(errno, "setsid");
	if (sethostname(sb->plan->hostname, strlen(sb->plan->hostname)) < 0)
		return err_set(errno, "set hostname");
	return net_loopback_up();
}

static int setup(struct sandbox *sb)
{
	log_verbose("init: released");
	if (become_root_inside(sb) < 0 || arm_parent_death(sb) < 0)
		return -1;
	if (sb->plan->net == NET_SLIRP) {
		/* sbx starts slirp4netns on this tap device while we build the
		 * view; the payload waits for SYNC_READY below.  slirp4netns runs
		 * as the caller and opens /proc/1/ns/{user,net}, which the kernel
		 * allows only while pid 1 is dumpable (our id change just made
		 * it not); it is made non-dumpable again before any payload. */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
			return err_set(errno, "init: prctl dumpable");
		if (net_tap_create() < 0)
			return -1;
		report_send(sb->report_w, REPORT_TAP, 0, 0, "");
	}
	log_verbose("init: mounts");
	if (mounts_apply(&sb->mounts, sb->ids.uid.target, sb->ids.gid.target) < 0)
		return -1;
	for (size_t i = 0; i < sb->plan->n_mounts; i++)
		if (sb->plan->mounts[i].src_fd >= 0)
			close_nointr(sb->plan->mounts[i].src_fd);
	if (sb->tty.on &&
	    (sb->tty_slave = tty_open_inside(&sb->tty, sb->ids.uid.target, sb->ids.gid.target)) < 0)
		return -1;
	log_verbose("init: view ready");
	/* The network is up. */
	if (wait_sync(sb, SYNC_READY) < 0)
		_exit(EXIT_SBX_FAILED);
	close_nointr(steal_fd(&sb->sync_r));
	/* Nobody inside may ptrace pid 1 or read its memory. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return err_set(errno, "init: make init non-dumpable");
	return 0;
}

static __attribute__((noreturn)) void reap_loop(struct sandbox *sb, int sfd, pid_t payload)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	for (;;) {
		ssize_t n = read(sfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(si)) {
			/* Cannot happen short of a kernel bug; do not spin. */
			err_set(errno, "init: read signalfd");
			init_fail(sb);
		}
		if (si.ssi_signo != SIGCHLD) {
			/* Interrupts go to the payload's whole job, as a
			 * terminal would send them; the rest to the payload. */
			if (si.ssi_signo == SIGINT || si.ssi_signo == SIGQUIT)
				(void)kill(-payload, (int)si.ssi_signo);
			else
				(void)kill(payload, (int)si.ssi_signo);
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid != payload)
				continue;
			/* Leaving kills whatever the payload left behind: the
			 * kernel ends a PID namespace with its init. */
			report_send(sb->report_w, REPORT_STATUS, 0, status, "");
			_exit(status_exit_code(status));
		}
	}
}

/* The namespaces sbx's clone left to us: we make them while sbx runs the
 * uid/gid map helpers, which take longer (see clone_sandbox()).  This is
 * the first step that needs a capability in our user namespace, so one
 * made without capabilities (Ubuntu's AppArmor restriction) is named as
 * such here, not as some later step's EPERM. */
static int make_namespaces(void)
{
	struct userns_facts f = {0};
	const char *cause, *fix;

	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) == 0)
		return 0;
	f.inside_errno = errno;
	diagnose_host(&f, &cause, &fix);
	if (cause) {
		err_set(0, "%s", cause);
		err_hint("%s", fix);
		return -1;
	}
	err_set(f.inside_errno, "create the sandbox's mount, network, IPC and UTS namespaces");
	if (f.inside_errno == ENOSPC)
		err_hint("end other sandboxes or containers, or raise user.max_net_namespaces "
			 "and user.max_mnt_namespaces");
	return -1;
}

void init_main(struct sandbox *sb)
{
	/* The pipes and the bind sources opened outside. */
	int keep[3 + SBX_MOUNTS_MAX];
	size_t nkeep = 0;
	int sfd;
	pid_t payload;

	/* If sbx dies, so do we, and the kernel kills the namespace. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(EXIT_SBX_FAILED);
	/* The name ps shows for pid 1 inside and for this process outside. */
	(void)prctl(PR_SET_NAME, "sbx-init", 0, 0, 0);
	if (make_namespaces() < 0 || prepare_namespaces(sb) < 0)
		init_fail(sb);
	report_send(sb->report_w, REPORT_NAMESPACES, 0, 0, "");
	keep[nkeep++] = sb->sync_r;
	keep[nkeep++] = sb->report_w;
	if (sb->tty.sock[1] >= 0)
		keep[nkeep++] = sb->tty.sock[1];
	for (size_t i = 0; i < sb->plan->n_mounts; i++)
		if (sb->plan->mounts[i].src_fd >= 0)
			keep[nkeep++] = sb->plan->mounts[i].src_fd;
	/* Descriptors the caller left open are not for the sandbox. */
	if (fd_close_others(keep, nkeep, false) < 0)
		init_fail(sb);
	/* Blocks until the maps are written.  EOF: sbx died before the death
	 * signal was armed, or gave up; either way there is nothing to do. */
	if (wait_sync(sb, SYNC_GO) < 0)
		_exit(EXIT_SBX_FAILED);

	if (setup(sb) < 0)
		init_fail(sb);
	scrub_environment();

	sfd = signalfd(-1, &sb->forwarded, SFD_CLOEXEC);
	if (sfd < 0) {
		err_set(errno, "init: signalfd");
		init_fail(sb);
	}
	/* Last step of pid 1's own setup: from here on it and the payload it
	 * forks run under the filter. */
	if (seccomp_apply(sb->plan->allow_userns, &sb->seccomp) < 0)
		init_fail(sb);
	log_verbose("init: seccomp loaded");
	payload = fork();
	if (payload < 0) {
		err_set(errno, "fork the payload");
		init_fail(sb);
	}
	if (payload == 0) {
		close_nointr(sfd);
		payload_exec(sb);
	}
	/* Only the payload holds the pty now: its end is the master's EOF. */
	if (sb->tty_slave >= 0)
		close_nointr(steal_fd(&sb->tty_slave));
	reap_loop(sb, sfd, payload);
}
