/* SPDX-License-Identifier: MIT */
/*
 * sbx doctor.  Each check prints one line and reports whether sbx can run
 * with its defaults; informational checks (cgroup delegation, overlayfs in
 * a user namespace) never change the exit status.
 */
#define _GNU_SOURCE
#include "doctor.h"
#include "diagnose.h"

#include "limits.h"
#include "net.h"
#include "userns.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DOCTOR_FILE_MAX 65536
#define DOCTOR_SPAWN_TIMEOUT_MS 5000
#define DOCTOR_CGROUP2_MAGIC 0x63677270
#define SUBID_FIX "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535"

static bool doctor_failed;

static void __attribute__((format(printf, 2, 3))) report(const char *tag, const char *fmt, ...)
{
	va_list ap;

	if (strcmp(tag, "FAIL") == 0)
		doctor_failed = true;
	printf("%-4s ", tag);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout); /* before any fork, so no child repeats buffered lines */
}

/* Test-only overrides: the integration suite points doctor at fake subuid
 * files and missing helpers through these.  They are honoured here alone:
 * doctor only inspects (and, for slirp4netns, runs with --version) the
 * named files and never hands them privilege; the launcher always uses
 * the compiled-in absolute paths. */
static const char *doctor_path(const char *env, const char *builtin)
{
	const char *p = getenv(env);

	return p && *p ? p : builtin;
}

static char *read_text(const char *path)
{
	return read_text_file(path, DOCTOR_FILE_MAX);
}

/* Run fn in a forked child, which leaves its namespaces behind when it
 * exits; its one-line explanation comes back over a pipe.  0 on success. */
static int run_in_child(int (*fn)(void *arg, char *msg, size_t len), void *arg, char *msg,
			size_t len)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	snprintf(msg, len, "fork failed");
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int r = fn(arg, msg, len);

		(void)!write_full(p[1], msg, strlen(msg));
		_exit(r < 0 ? 1 : 0);
	}
	close_nointr(p[1]);
	if (pid < 0) {
		close_nointr(p[0]);
		return -1;
	}
	n = read_full(p[0], msg, len - 1);
	msg[n > 0 ? n : 0] = '\0';
	close_nointr(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* "what: strerror" after the errno itself, as "<errno> ", for the parent. */
static int child_fail(char *msg, size_t len, const char *what)
{
	int e = errno;

	snprintf(msg, len, "%c%d %s: %s", what[0], e, what + 1, strerror(e));
	return -1;
}

/* In the child: a user and mount namespace with our own uid and gid as 0,
 * then a mount that needs CAP_SYS_ADMIN there.  Ubuntu's AppArmor
 * restriction lets unshare succeed but strips those capabilities, so
 * unshare alone would not show it. */
static int enter_userns(void *arg, char *msg, size_t len)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	/* The first character tells check_userns() which step failed: C, the
	 * clone itself, I, a step inside the new namespace. */
	(void)arg;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return child_fail(msg, len, "Cunshare(CLONE_NEWUSER)");
	/* setgroups must be denied before an unprivileged gid_map write
	 * (user_namespaces(7), since Linux 3.19 for CVE-2014-8989). */
	if (write_file("/proc/self/setgroups", "deny") < 0)
		return child_fail(msg, len, "Ideny setgroups");
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		return child_fail(msg, len, "Iwrite uid_map");
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) < 0)
		return child_fail(msg, len, "Iwrite gid_map");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return child_fail(msg, len, "Imount in the new namespace");
	snprintf(msg, len, "ok");
	return 0;
}

static void check_userns(void)
{
	struct userns_facts f = {0};
	const char *cause, *fix, *text;
	char msg[256], stage = 0;
	int e = 0, n = 0;

	if (run_in_child(enter_userns, NULL, msg, sizeof(msg)) == 0) {
		report("OK", "user namespaces (unshare, id maps and mounts work)");
		return;
	}
	/* "C<errno> text" or "I<errno> text" (enter_userns); anything else
	 * (the fork failed) is shown as it is. */
	if (sscanf(msg, "%c%d %n", &stage, &e, &n) >= 2 && n > 0 &&
	    (stage == 'C' || stage == 'I')) {
		text = msg + n;
		if (stage == 'C')
			f.clone_errno = e;
		else
			f.inside_errno = e;
	} else {
		text = msg;
		f.clone_errno = -1;
	}
	diagnose_host(&f, &cause, &fix);
	/* The test above ran as this very binary, so a profile that exempts
	 * sbx would have made it pass. */
	if (cause)
		report("FAIL", "user namespaces: %s; %s (fix: %s)", text, cause, fix);
	else
		report("FAIL", "user namespaces: %s", text);
}

static void check_subids(const char *kind, const char *env, const char *file, uint32_t own)
{
	const char *path = doctor_path(env, file);
	char name[256];
	const char *user = userns_user_name(getuid(), name, sizeof(name));
	struct id_range r;

	/* The same lookup sbx run makes.  Root needs a range too: sbx maps
	 * only root's subordinate ids, so that nothing inside is host root. */
	if (userns_find_range(path, user, getuid(), &r)) {
		const char *problem = userns_range_problem(&r, own);
		if (problem)
			report("FAIL", "subordinate %s in %s: %u-%u contains %s (fix: %s)", kind,
			       path, r.start, r.start + r.count - 1, problem, USERNS_RANGE_FIX);
		else
			report("OK", "subordinate %s in %s: %u-%u", kind, path, r.start,
			       r.start + r.count - 1);
	} else
		report("FAIL", "subordinate %s: no range for %s in %s (fix: %s %s)", kind,
		       user ? user : "you", path, SUBID_FIX, user ? user : "$USER");
}

/* The same checks sbx run makes before trusting a helper with our maps. */
static void check_helper(const char *name, const char *env, const char *builtin)
{
	const char *path = doctor_path(env, builtin);
	const char *why = userns_helper_problem(path);
	struct stat st;

	if (why)
		report("FAIL",
		       "%s at %s: %s (fix: sudo apt-get install uidmap, or sudo dnf install "
		       "shadow-utils)",
		       name, path, why);
	else
		report("OK", "%s at %s: root-owned, %s", name, path,
		       stat(path, &st) == 0 && (st.st_mode & S_ISUID) ? "setuid"
								      : "file capabilities");
}

/* First line of `slirp4netns --version`, run with an empty environment
 * and a deadline so a broken helper cannot hang doctor. */
static int helper_version(const char *path, char *line, size_t len)
{
	char *const argv[] = {(char *)path, "--version", NULL};
	char *const envp[] = {NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int p[2], status, r;
	size_t off = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* Its own process group, so a hung helper dies with its children. */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	r = posix_spawn(&pid, path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close_nointr(p[1]);
	if (r != 0) {
		close_nointr(p[0]);
		errno = r;
		return -1;
	}
	for (;;) {
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		ssize_t n;

		if (off + 1 >= len || poll(&pfd, 1, DOCTOR_SPAWN_TIMEOUT_MS) <= 0)
			break;
		n = read(p[0], line + off, len - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close_nointr(p[0]);
	line[off] = '\0';
	line[strcspn(line, "\n")] = '\0';
	kill(-pid, SIGKILL); /* harmless when it has exited: it is not reaped yet */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return off > 0 ? 0 : -1;
}

static void check_slirp(void)
{
	const char *path = doctor_path("SBX_DOCTOR_SLIRP4NETNS", SBX_SLIRP4NETNS);
	char line[256];

	if (access(path, X_OK) < 0)
		report("FAIL", "slirp4netns at %s: %s (fix: sudo apt-get install slirp4netns)",
		       path, strerror(errno));
	else if (helper_version(path, line, sizeof(line)) < 0 || !*line)
		report("FAIL",
		       "slirp4netns at %s: `--version` printed nothing (fix: sudo apt-get "
		       "install --reinstall slirp4netns)",
		       path);
	else
		report("OK", "slirp4netns at %s: %s", path, line);
}

static void check_tun(void)
{
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		report("OK", "/dev/net/tun");
	else
		report("FAIL", "/dev/net/tun: %s (fix: %s)", strerror(errno),
		       errno == ENOENT || errno == ENODEV ? "sudo modprobe tun"
							  : "sudo chmod 0666 /dev/net/tun");
}

static void check_seccomp(void)
{
	_cleanup_free_ char *status = read_text("/proc/self/status");

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 || !status || !strstr(status, "\nSeccomp:"))
		report("FAIL", "seccomp: not available in this kernel (fix: boot a kernel built "
			       "with CONFIG_SECCOMP_FILTER=y)");
	else
		report("OK", "seccomp");
}

/* The cgroup sbx run would use for --memory, --pids and --cpus. */
static void check_cgroup(void)
{
	_cleanup_free_ char *mnt = limits_cgroup2_mount();
	_cleanup_free_ char *rel = limits_own_cgroup();
	_cleanup_free_ char *ctl = NULL;
	char dir[2048];

	if (!mnt || !rel) {
		report("INFO", "cgroup v2: none for this process; --memory, --pids and --cpus "
			       "are unavailable");
		return;
	}
	snprintf(dir, sizeof(dir), "%s%s/cgroup.controllers", mnt, strcmp(rel, "/") ? rel : "");
	if ((ctl = read_text(dir)))
		ctl[strcspn(ctl, "\n")] = '\0';
	*strrchr(dir, '/') = '\0';
	report("INFO", "cgroup v2: %s (controllers: %s) %s", dir, ctl && *ctl ? ctl : "none",
	       access(dir, W_OK) == 0 ? "is delegated to you"
				      : "is not writable; for limits use systemd-run --user "
					"--scope -p Delegate=yes");
}

static int try_overlay(void *arg, char *msg, size_t len)
{
	const char *dir = arg;
	char opts[1024], path[512];

	if (enter_userns(NULL, msg, len) < 0)
		return -1;
	if (mount("tmpfs", dir, "tmpfs", 0, "mode=0700") < 0)
		return child_fail(msg, len, "mount tmpfs");
	for (const char *const *d = (const char *const[]){"l", "u", "w", "m", NULL}; *d; d++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *d);
		if (mkdir(path, 0700) < 0)
			return child_fail(msg, len, "mkdir in tmpfs");
	}
	snprintf(opts, sizeof(opts), "lowerdir=%s/l,upperdir=%s/u,workdir=%s/w,userxattr", dir, dir,
		 dir);
	snprintf(path, sizeof(path), "%s/m", dir);
	if (mount("overlay", path, "overlay", 0, opts) < 0)
		return child_fail(msg, len, "mount overlay");
	snprintf(msg, len, "ok");
	return 0;
}

static void check_overlay(void)
{
	char dir[] = "/tmp/sbx-doctor.XXXXXX";
	char msg[256];

	if (!mkdtemp(dir)) {
		report("INFO", "overlayfs in a user namespace: untested (mkdtemp: %s)",
		       strerror(errno));
		return;
	}
	/* The tmpfs lives only in the child's mount namespace and is gone
	 * with it, so the empty directory is all there is to remove. */
	if (run_in_child(try_overlay, dir, msg, sizeof(msg)) == 0)
		report("INFO", "overlayfs in a user namespace: works");
	else
		report("INFO",
		       "overlayfs in a user namespace: unavailable (%s); --overlay will not work",
		       msg);
	rmdir(dir);
}

int doctor_main(void)
{
	check_userns();
	check_subids("uids", "SBX_DOCTOR_SUBUID", "/etc/subuid", getuid());
	check_subids("gids", "SBX_DOCTOR_SUBGID", "/etc/subgid", getgid());
	check_helper("newuidmap", "SBX_DOCTOR_NEWUIDMAP", SBX_NEWUIDMAP);
	check_helper("newgidmap", "SBX_DOCTOR_NEWGIDMAP", SBX_NEWGIDMAP);
	check_slirp();
	check_tun();
	check_seccomp();
	check_cgroup();
	check_overlay();
	return doctor_failed ? 1 : 0;
}
