/* SPDX-License-Identifier: MIT */
/*
 * --overlay through fuse-overlayfs, for kernels that refuse overlayfs in a
 * user namespace (before Linux 5.11, or a lower directory on a filesystem
 * overlayfs cannot use).
 *
 * pid 1 opens /dev/fuse and mounts the FUSE file system itself, then starts
 * fuse-overlayfs on the open connection ("/dev/fd/3", which libfuse takes
 * as an already mounted device).  The daemon therefore never mounts, and
 * runs confined: its root is a small tree of its own that holds the
 * sandbox's system directories (read-only, for its binary and libraries),
 * the sandbox's /proc and /dev/null, DIR read-only at /lower and the
 * directory that holds UPPER and its work directory at /state, nothing
 * else; it runs as the payload's ids with only the file
 * capabilities it needs to act for the payload, with no_new_privs.  It is
 * a child of pid 1, outside the payload's reach (ptrace needs its
 * capabilities), and dies with the sandbox's PID namespace.
 */
#define _GNU_SOURCE
#include "fuseovl.h"
#include "kernel_api.h"
#include "log.h"
#include "security.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SBX_FUSE_OVERLAYFS
#define SBX_FUSE_OVERLAYFS "/usr/bin/fuse-overlayfs"
#endif

/* The descriptors the daemon's process has before its execve: the FUSE
 * connection (which it keeps) and the error pipe (closed at execve). */
enum { FD_FUSE = 3, FD_ERR = 4, FD_ROOT = 5 };

#define ERR_OUTPUT_MAX 512

/* What it needs to create files as, and for, the payload: set owners,
 * pass permission checks the kernel already made (default_permissions),
 * keep set-id bits and times as asked. */
#define DAEMON_CAPS                                                                                \
	(1ULL << CAP_CHOWN | 1ULL << CAP_DAC_OVERRIDE | 1ULL << CAP_DAC_READ_SEARCH |              \
	 1ULL << CAP_FOWNER | 1ULL << CAP_FSETID)

static int bind_into(const char *src, const char *root, const char *name, bool is_dir, bool ro)
{
	struct sbx_mount_attr attr = {.attr_set = SBX_ATTR_RDONLY};
	char dst[PATH_MAX];
	int fd;

	if (snprintf(dst, sizeof(dst), "%s/%s", root, name) >= (int)sizeof(dst))
		return err_set(ENAMETOOLONG, "%s/%s", root, name);
	if (is_dir ? mkdir(dst, 0755) < 0
		   : (fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0)
		return err_set(errno, "create %s", dst);
	if (!is_dir)
		close_nointr(fd);
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_set(errno, "bind %s", src);
	if (ro &&
	    syscall(SYS_mount_setattr, AT_FDCWD, dst, SBX_AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return err_set(errno, "make %s read-only", dst);
	return 0;
}

/* The daemon's root at o->scratch.  Symlinks among the system directories
 * (/lib -> usr/lib) are copied as they are. */
static int make_daemon_root(const struct fuseovl *o)
{
	static const char *const sys[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"};
	char path[PATH_MAX], link[PATH_MAX];
	struct stat st;

	if (mkdir(o->scratch, 0755) < 0 ||
	    mount("tmpfs", o->scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") < 0)
		return err_set(errno, "tmpfs for fuse-overlayfs");
	for (size_t i = 0; i < ARRAY_SIZE(sys); i++) {
		snprintf(path, sizeof(path), "%s/%s", o->newroot, sys[i]);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(path, link, sizeof(link) - 1);
			char dst[PATH_MAX];
			if (n < 0)
				return err_set(errno, "readlink %s", path);
			link[n] = '\0';
			snprintf(dst, sizeof(dst), "%s/%s", o->scratch, sys[i]);
			if (symlink(link, dst) < 0)
				return err_set(errno, "symlink %s", dst);
		} else if (S_ISDIR(st.st_mode) &&
			   bind_into(path, o->scratch, sys[i], true, true) < 0) {
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/proc", o->newroot);
	if (bind_into(path, o->scratch, "proc", true, false) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/dev", o->scratch);
	if (mkdir(path, 0755) < 0)
		return err_set(errno, "create %s", path);
	snprintf(path, sizeof(path), "%s/dev/null", o->newroot);
	return bind_into(path, o->scratch, "dev/null", false, false) < 0 ||
		       bind_into(o->lower, o->scratch, "lower", true, true) < 0 ||
		       bind_into(o->state, o->scratch, "state", true, false) < 0
		   ? -1
		   : 0;
}

#define PLACED_MAX 3

/* Put fds[i] at 3 + i, inheritable, and close everything else above 2. */
static int place_fds(int *fds, size_t n)
{
	int keep[PLACED_MAX];

	if (n > PLACED_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10)) < 0)
			return -1;
	for (size_t i = 0; i < n; i++) {
		keep[i] = 3 + (int)i;
		if (dup2(fds[i], keep[i]) < 0)
			return -1;
	}
	return fd_close_others(keep, n, false);
}

/* In the forked child: become the daemon.  Failures go back as an errno
 * over err_w (close-on-exec: EOF means the exec worked). */
static __attribute__((noreturn)) void exec_daemon(const struct fuseovl *o, int fuse_fd, int root_fd,
						  int out_w, int err_w)
{
	char opts[2 * PATH_MAX + 64];
	char *const argv[] = {"fuse-overlayfs", "-o", opts, "/dev/fd/3", NULL};
	char *const envp[] = {NULL};
	int all[PLACED_MAX] = {fuse_fd, err_w, root_fd};
	sigset_t none;
	int e, null_fd;

	snprintf(opts, sizeof(opts), "lowerdir=/lower,upperdir=/state/%s,workdir=/state/%s",
		 o->upper_rel, o->work_rel);

	/* pid 1's blocked signals are not the daemon's business. */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0 || dup2(out_w, 2) < 0 ||
	    place_fds(all, PLACED_MAX) < 0)
		goto fail;
	err_w = FD_ERR;
	root_fd = FD_ROOT;
	/* Its root is a detached copy of the tree built at o->scratch: pid 1
	 * later detaches the scaffolding that holds o->scratch, which would
	 * cut the tree's own mounts (/proc, /lower, /state) off from it. */
	if (fcntl(err_w, F_SETFD, FD_CLOEXEC) < 0 || fchdir(root_fd) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0)
		goto fail;
	/* stdin and stdout: nothing; stderr: the pipe pid 1 reads on failure. */
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0)
		goto fail;
	if (security_drop_privileges(o->uid, o->gid, DAEMON_CAPS) < 0)
		goto fail;
	if (o->marker_rel) {
		/* As the payload's ids, so the marker is the user's to delete. */
		char marker[PATH_MAX + 8];
		snprintf(marker, sizeof(marker), "/state/%s", o->marker_rel);
		int m = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (m < 0)
			goto fail;
		close_nointr(m);
	}
	execve(SBX_FUSE_OVERLAYFS, argv, envp);
fail:
	e = errno;
	if (write_full(err_w, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

/* Start the daemon on the mounted connection fuse_fd, in the root root_fd;
 * wait until it has daemonized (libfuse's foreground process exits once
 * the daemon runs). */
static int start_daemon(const struct fuseovl *o, int fuse_fd, int root_fd)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, e = 0, status, r = -1;
	char text[ERR_OUTPUT_MAX];
	ssize_t n;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		err_set(errno, "--overlay %s: pipe", o->name);
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		err_set(errno, "--overlay %s: fork fuse-overlayfs", o->name);
		goto out;
	}
	if (pid == 0)
		exec_daemon(o, fuse_fd, root_fd, out[1], err[1]);
	close_nointr(steal_fd(&out[1]));
	close_nointr(steal_fd(&err[1]));
	if (read_full(err[0], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
		(void)waitpid(pid, NULL, 0);
		err_set(e, "--overlay %s: start " SBX_FUSE_OVERLAYFS, o->name);
		if (e == ENOENT)
			err_hint("the kernel refused overlayfs and fuse-overlayfs is not installed "
				 "in the sandbox's root: install the package fuse-overlayfs");
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			err_set(errno, "--overlay %s: wait for fuse-overlayfs", o->name);
			goto out;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		r = 0;
		goto out;
	}
	/* Its own words, on one line: the daemon keeps nothing open on the
	 * pipe once it runs, and a failed start has exited by now. */
	n = read(out[0], text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = '\0';
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	err_set(0, "--overlay %s: fuse-overlayfs failed (%s %d)%s%s", o->name,
		WIFEXITED(status) ? "exit status" : "signal",
		WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), *text ? ": " : "",
		text);
out:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close_nointr(out[i]);
		if (err[i] >= 0)
			close_nointr(err[i]);
	}
	return r;
}

int fuseovl_mount(const struct fuseovl *o)
{
	_cleanup_close_ int dev = -1, root = -1;
	char data[160];

	log_verbose("--overlay %s: fuse-overlayfs", o->name);
	if ((dev = open(o->fuse_dev, O_RDWR | O_CLOEXEC)) < 0) {
		err_set(errno, "--overlay %s: the kernel refused overlayfs, and /dev/fuse",
			o->name);
		err_hint("fuse-overlayfs needs /dev/fuse readable and writable by you (mode 0666, "
			 "as udev makes it)");
		return -1;
	}
	if (make_daemon_root(o) < 0)
		return -1;
	root = (int)syscall(SYS_open_tree, AT_FDCWD, o->scratch,
			    SBX_OPEN_TREE_CLONE | SBX_AT_RECURSIVE | O_CLOEXEC);
	if (root < 0)
		return err_set(errno, "--overlay %s: copy the root of fuse-overlayfs", o->name);
	snprintf(data, sizeof(data),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0,default_permissions,allow_other", dev);
	if (mount("fuse-overlayfs", o->target, "fuse.fuse-overlayfs", MS_NOSUID | MS_NODEV, data) <
	    0)
		return err_set(errno, "--overlay %s: mount FUSE", o->name);
	return start_daemon(o, dev, root);
}
