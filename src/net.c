/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "net.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

enum { SLIRP_SANDBOX = 1, SLIRP_SECCOMP = 2 };

int net_loopback_up(void)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (fd < 0)
		return err_set(errno, "socket for loopback setup");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return err_set(errno, "read flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return err_set(errno, "bring lo up");
	return 0;
}

/*
 * Destroying a tap device costs the process that does it an RCU barrier,
 * some 25 ms here.  When slirp4netns creates tap0, that process is
 * slirp4netns closing it at exit, and sbx, waiting for slirp4netns, pays it
 * on every run.  A persistent tap0 made here survives slirp4netns' close
 * and is destroyed with the namespace by the kernel's own cleanup worker,
 * which nobody waits for; slirp4netns attaches to it by name.
 */
int net_tap_create(void)
{
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	struct ifreq ifr;

	if (fd < 0) {
		err_set(errno, "open /dev/net/tun");
		err_hint("slirp networking needs it; run with --net none");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "tap0");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return err_set(errno, "create tap0");
	if (ioctl(fd, TUNSETPERSIST, 1) < 0)
		return err_set(errno, "make tap0 persistent");
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll one descriptor until it is ready or the deadline passes; 0 = timeout. */
static int poll_until(int fd, short events, long deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		long left = deadline - now_ms();
		int r;

		if (left < 0)
			left = 0;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		return r;
	}
}

/* The whole log slirp4netns wrote (its first 4 KiB). */
static void log_read(int log_fd, char *buf, size_t len)
{
	ssize_t n = pread(log_fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

/* The line of the log that says why slirp4netns failed, for a one-line
 * error: its warnings (seccomp is "experimental"), its chatter about the
 * tap fd and the parent's echo of the child's exit are not the reason. */
static void log_reason(const char *log, char *out, size_t len)
{
	static const char *const noise[] = {
	    "WARNING:",	      "child failed",	     "sent tapfd",
	    "received tapfd", "do_slirp is exiting", "exitfd event"};
	const char *line = log;

	out[0] = '\0';
	while (*line) {
		size_t n = strcspn(line, "\n");
		bool skip = n == 0;
		for (size_t i = 0; i < ARRAY_SIZE(noise) && !skip; i++)
			skip = strncmp(line, noise[i], strlen(noise[i])) == 0;
		if (!skip) {
			snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), line);
			return;
		}
		line += n;
		if (*line == '\n')
			line++;
	}
}

static __attribute__((noreturn)) void slirp_child(pid_t parent, int ready_w, int exit_r, int log_fd,
						  char **argv)
{
	char *envp[] = {NULL};
	sigset_t none;
	int r, e, l, devnull;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Its own process group: Ctrl-C at the caller's terminal is for the
	 * sandbox (through sbx), never for its network. */
	(void)setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(127);
	/* slirp4netns becomes root of the sandbox's user namespace before it
	 * binds the API socket, so the socket belongs to a subordinate id and
	 * we, its caller, need the "other" write bit to connect.  The socket
	 * sits in our 0700 directory, which nobody else can traverse. */
	umask(0);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* Move everything it keeps above the target numbers first, so no
	 * dup2 below overwrites a descriptor still needed. */
	r = fcntl(ready_w, F_DUPFD_CLOEXEC, 10);
	e = fcntl(exit_r, F_DUPFD_CLOEXEC, 10);
	l = fcntl(log_fd, F_DUPFD_CLOEXEC, 10);
	if (devnull < 0 || r < 0 || e < 0 || l < 0 || dup2(devnull, 0) < 0 || dup2(l, 1) < 0 ||
	    dup2(l, 2) < 0 || dup2(r, 3) < 0 || dup2(e, 4) < 0)
		_exit(127);
	/* Only the ready and exit descriptors (3, 4) and stdio go on. */
	int keep[] = {3, 4};
	(void)fd_close_others(keep, 2, false);
	execve(SBX_SLIRP4NETNS, argv, envp);
	dprintf(2, "exec %s: %s\n", SBX_SLIRP4NETNS, strerror(errno));
	_exit(127);
}

static int spawn(const struct plan *plan, pid_t child, const char *api_path, int flags,
		 struct net_slirp *ns, int *ready_r)
{
	char mtu[32], pid[16];
	char *argv[16];
	int argc = 0, ready[2], exitp[2];
	pid_t parent = getpid();

	snprintf(mtu, sizeof(mtu), "--mtu=%u", plan->mtu);
	snprintf(pid, sizeof(pid), "%d", (int)child);
	argv[argc++] = "slirp4netns";
	argv[argc++] = "--configure";
	argv[argc++] = mtu;
	if (!plan->allow_host_loopback)
		argv[argc++] = "--disable-host-loopback";
	if (flags & SLIRP_SANDBOX)
		argv[argc++] = "--enable-sandbox";
	if (flags & SLIRP_SECCOMP)
		argv[argc++] = "--enable-seccomp";
	argv[argc++] = "--ready-fd=3";
	argv[argc++] = "--exit-fd=4";
	if (api_path) {
		argv[argc++] = "--api-socket";
		argv[argc++] = (char *)api_path;
	}
	argv[argc++] = pid;
	argv[argc++] = "tap0";
	argv[argc] = NULL;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	if (pipe2(exitp, O_CLOEXEC) < 0) {
		close_nointr(ready[0]);
		close_nointr(ready[1]);
		return err_set(errno, "pipe");
	}
	if (ftruncate(ns->log_fd, 0) < 0)
		return err_set(errno, "reset the slirp4netns log");
	ns->pid = fork();
	if (ns->pid < 0) {
		ns->pid = 0;
		err_set(errno, "fork slirp4netns");
	} else if (ns->pid == 0) {
		slirp_child(parent, ready[1], exitp[0], ns->log_fd, argv);
	}
	close_nointr(ready[1]);
	close_nointr(exitp[0]);
	if (ns->pid == 0) {
		close_nointr(ready[0]);
		close_nointr(exitp[1]);
		return -1;
	}
	ns->exit_w = exitp[1];
	*ready_r = ready[0];
	ns->pidfd = (int)syscall(SYS_pidfd_open, ns->pid, 0);
	return 0;
}

static void reap(struct net_slirp *ns)
{
	int status;

	while (waitpid(ns->pid, &status, 0) < 0 && errno == EINTR)
		;
	ns->pid = 0;
	if (ns->pidfd >= 0)
		close_nointr(steal_fd(&ns->pidfd));
	if (ns->exit_w >= 0)
		close_nointr(steal_fd(&ns->exit_w));
}

/* 1 ready, 0 it died before being ready (reaped), -1 timeout (killed). */
static int wait_ready(struct net_slirp *ns, int ready_r)
{
	long start = now_ms();
	char c = 0;
	ssize_t n;
	int r = poll_until(ready_r, POLLIN, start + SLIRP_READY_TIMEOUT_MS);

	if (r == 0) {
		kill(ns->pid, SIGKILL);
		reap(ns);
		return -1;
	}
	do
		n = read(ready_r, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1 && c == '1') {
		log_verbose("slirp4netns pid %d ready in %ld ms", (int)ns->pid, now_ms() - start);
		return 1;
	}
	reap(ns);
	return 0;
}

/* The API socket of slirp4netns: one JSON request per connection, sent in
 * one write, then half-close and read the answer to EOF. */
static int api_request(const char *path, const char *req, char *resp, size_t len)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	long deadline = now_ms() + SLIRP_API_TIMEOUT_MS;
	size_t got = 0;

	if (fd < 0)
		return err_set(errno, "socket");
	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(ENAMETOOLONG, "slirp4netns API socket %s", path);
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return err_set(errno, "connect to the slirp4netns API socket");
	if (write_full(fd, req, strlen(req)) < 0 || shutdown(fd, SHUT_WR) < 0)
		return err_set(errno, "send to the slirp4netns API socket");
	while (got + 1 < len) {
		if (poll_until(fd, POLLIN, deadline) <= 0)
			return err_set(ETIMEDOUT, "slirp4netns API answer");
		ssize_t n = read(fd, resp + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(errno, "read the slirp4netns API answer");
		if (n == 0)
			break;
		got += (size_t)n;
	}
	resp[got] = '\0';
	return 0;
}

static int publish_one(const char *api, const struct publish *p)
{
	char req[256], resp[1024];
	const char *desc;

	/* "proto" always: slirp4netns 1.2.0 crashes on a request without it. */
	snprintf(req, sizeof(req),
		 "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"%s\", "
		 "\"host_addr\": \"%s\", \"host_port\": %u, \"guest_port\": %u}}",
		 p->udp ? "udp" : "tcp", p->host_ip, p->host_port, p->guest_port);
	if (api_request(api, req, resp, sizeof(resp)) < 0) {
		err_set(0, "--publish '%s': %s", p->spec, err_line());
		return -1;
	}
	if (strstr(resp, "\"return\"") && !strstr(resp, "\"error\""))
		return 0;
	desc = strstr(resp, "\"desc\"");
	if (desc && (desc = strchr(desc + 6, '"')) != NULL) {
		char msg[256];
		size_t n = strcspn(desc + 1, "\"");
		snprintf(msg, sizeof(msg), "%.*s", (int)n, desc + 1);
		err_set(0, "--publish '%s': slirp4netns refused it: %s", p->spec, msg);
	} else {
		err_set(0, "--publish '%s': slirp4netns gave no answer", p->spec);
	}
	err_hint("is %s:%u already in use?", p->host_ip, p->host_port);
	return -1;
}

/* Leftovers of a run killed (SIGKILL) in the few milliseconds its run
 * directory exists: ours, older than this, and not locked by a live sbx. */
#define RUN_DIR_STALE_S 10
#define RUN_DIR_PREFIX "sbx-"

static void sweep_run_dirs(const char *base)
{
	_cleanup_close_ int base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = base_fd < 0 ? NULL : fdopendir(dup(base_fd));
	time_t now = time(NULL);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		int fd;

		if (strncmp(de->d_name, RUN_DIR_PREFIX, strlen(RUN_DIR_PREFIX)) != 0 ||
		    strlen(de->d_name) != strlen(RUN_DIR_PREFIX) + 6)
			continue;
		fd = openat(base_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && st.st_uid == getuid() &&
		    now - st.st_mtime > RUN_DIR_STALE_S && flock(fd, LOCK_EX | LOCK_NB) == 0) {
			(void)unlinkat(fd, "api.sock", 0);
			if (unlinkat(base_fd, de->d_name, AT_REMOVEDIR) == 0)
				log_verbose("removed %s/%s, left by a killed sbx", base,
					    de->d_name);
		}
		close_nointr(fd);
	}
	closedir(d);
}

/* A private directory for the API socket: 0700, in $XDG_RUNTIME_DIR when
 * that is ours, else /tmp.  It lives only while ports are published, locked
 * (*lock_fd) so that a later run can tell it from a killed run's. */
static char *make_run_dir(int *lock_fd)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	char *dir;

	if (!base || base[0] != '/' || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != getuid() || strlen(base) > 64)
		base = "/tmp";
	sweep_run_dirs(base);
	dir = xasprintf("%s/" RUN_DIR_PREFIX "XXXXXX", base);
	if (dir && !mkdtemp(dir)) {
		err_set(errno, "create a private directory in %s", base);
		if (errno == ENOSPC || errno == EDQUOT)
			err_hint("%s is full; free space there, or run without -p", base);
		free(dir);
		return NULL;
	}
	if (dir && ((*lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
		    flock(*lock_fd, LOCK_EX) < 0)) {
		err_set(errno, "lock %s", dir);
		(void)rmdir(dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static int start_with_retries(const struct plan *plan, pid_t child, const char *api, int flags,
			      struct net_slirp *ns)
{
	char log[4096], reason[512];

	for (;;) {
		int ready_r = -1, r;

		if (api)
			(void)unlink(api);
		if (spawn(plan, child, api, flags, ns, &ready_r) < 0)
			return -1;
		r = wait_ready(ns, ready_r);
		close_nointr(ready_r);
		if (r == 1)
			return 0;
		log_read(ns->log_fd, log, sizeof(log));
		log_reason(log, reason, sizeof(reason));
		if (r < 0) {
			err_set(0, "slirp4netns did not get ready within %d ms",
				SLIRP_READY_TIMEOUT_MS);
			err_hint("%s", reason[0] ? reason : "it printed nothing; try --net none");
			return -1;
		}
		/* Degrade rather than fail where the host lacks a feature: an
		 * old slirp4netns without the option, a kernel without seccomp,
		 * or a host where its pivot_root sandbox cannot be built. */
		if ((flags & SLIRP_SECCOMP) &&
		    (strstr(log, "unrecognized option '--enable-seccomp'") ||
		     strstr(reason, "seccomp"))) {
			warn_line("slirp4netns without --enable-seccomp (%s)", reason);
			flags &= ~SLIRP_SECCOMP;
			continue;
		}
		if ((flags & SLIRP_SANDBOX) &&
		    (strstr(log, "unrecognized option '--enable-sandbox'") ||
		     strstr(reason, "sandbox") || strstr(reason, "pivot_root"))) {
			warn_line("slirp4netns without --enable-sandbox (%s)", reason);
			flags &= ~SLIRP_SANDBOX;
			continue;
		}
		err_set(0, "slirp4netns failed to start: %s", reason[0] ? reason : "no message");
		if (api && strstr(reason, "api_bindlisten") && strstr(reason, "No space left"))
			err_hint(
			    "its API socket %s has no room: free space there, or run without -p",
			    api);
		else
			err_hint("see slirp4netns(1), or run with --net none");
		return -1;
	}
}

int net_slirp_start(const struct plan *plan, pid_t child, bool ids_have_root, struct net_slirp *ns)
{
	/* --enable-sandbox makes slirp4netns root of the sandbox's user
	 * namespace (setegid(0)), which a single-id map cannot offer. */
	int flags = SLIRP_SECCOMP | (ids_have_root ? SLIRP_SANDBOX : 0);
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *api = NULL;
	_cleanup_close_ int lock_fd = -1;
	int r = -1;

	ns->pid = 0;
	ns->exit_w = ns->pidfd = ns->log_fd = -1;
	if (access(SBX_SLIRP4NETNS, X_OK) < 0) {
		err_set(errno, "slirp4netns at %s", SBX_SLIRP4NETNS);
		err_hint("install the slirp4netns package, or run with --net none");
		return -1;
	}
	/* slirp4netns opens the tun device as the caller; udev makes it 0666
	 * on the usual distributions, a bare VM or container may not. */
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		err_set(errno, "/dev/net/tun, which slirp4netns needs");
		err_hint(errno == ENOENT
			     ? "load the tun module (modprobe tun), or run with --net none"
			     : "make it mode 0666 as udev does (chmod 0666 /dev/net/tun), "
			       "or run with --net none");
		return -1;
	}
	ns->log_fd = memfd_create("slirp4netns-log", MFD_CLOEXEC);
	if (ns->log_fd < 0)
		return err_set(errno, "memfd_create");
	if (plan->n_publish > 0) {
		if (!(dir = make_run_dir(&lock_fd)) || !(api = xasprintf("%s/api.sock", dir)))
			return -1;
	}
	if (start_with_retries(plan, child, api, flags, ns) < 0)
		goto out;
	for (size_t i = 0; i < plan->n_publish; i++)
		if (publish_one(api, &plan->publish[i]) < 0)
			goto out;
	r = 0;
out:
	/* Every port is set up before the payload starts: the socket and its
	 * directory go now, so nothing is left even if sbx is killed later. */
	if (api)
		(void)unlink(api);
	if (dir)
		(void)rmdir(dir);
	return r;
}

bool net_slirp_reaped(struct net_slirp *ns)
{
	int status;

	if (ns->pid <= 0 || waitpid(ns->pid, &status, WNOHANG) != ns->pid)
		return false;
	ns->pid = 0;
	if (WIFSIGNALED(status))
		warn_line("slirp4netns was killed by signal %d; the sandbox has no network now",
			  WTERMSIG(status));
	else
		warn_line("slirp4netns exited with status %d; the sandbox has no network now",
			  WEXITSTATUS(status));
	return true;
}

void net_slirp_stop(struct net_slirp *ns)
{
	if (ns->pid > 0) {
		/* EOF on its exit fd is slirp4netns' signal to quit. */
		close_nointr(steal_fd(&ns->exit_w));
		if (ns->pidfd < 0 ||
		    poll_until(ns->pidfd, POLLIN, now_ms() + SLIRP_EXIT_TIMEOUT_MS) <= 0)
			kill(ns->pid, SIGKILL);
		reap(ns);
	}
	if (ns->exit_w >= 0)
		close_nointr(steal_fd(&ns->exit_w));
	if (ns->pidfd >= 0)
		close_nointr(steal_fd(&ns->pidfd));
	if (ns->log_fd >= 0)
		close_nointr(steal_fd(&ns->log_fd));
}
