/* SPDX-License-Identifier: MIT */
/*
 * sbx-probe: make one named attempt and say how the kernel answered.
 *
 *     sbx-probe NAME [ARGS...]
 *
 * prints exactly one line, "NAME: ok" or "NAME: EPERM" (the errno's name),
 * and exits 0 either way; 2 on a usage error. A few attempts print a value
 * instead of "ok" (fds, ids, host_add_key).
 *
 * The escape suite (the .bats files beside this one) binds it into the
 * sandbox read-only. Each attempt passes harmless or invalid arguments,
 * chosen so that the kernel's own answer (EBADF, EFAULT, EINVAL, ENOTTY,
 * ok) differs from the seccomp filter's (EPERM, ENOSYS, EAFNOSUPPORT): a
 * test can then tell "refused by the filter" from "refused because the
 * arguments were bad". Every call is a raw syscall(), so no libc fallback
 * hides the result.
 *
 * Nothing here may do harm when it is NOT refused: no attempt writes to a
 * file it opens, reboots, loads or maps anything real.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Constants older headers may lack; the values are the kernel ABI. */
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_BLUETOOTH
#define AF_BLUETOOTH 31
#endif
#ifndef AF_PACKET
#define AF_PACKET 17
#endif
#ifndef AF_NETLINK
#define AF_NETLINK 16
#endif
#define PROBE_NETLINK_ROUTE 0
#define PROBE_NETLINK_AUDIT 9
#define PROBE_KEY_SPEC_USER_KEYRING (-4)
#define PROBE_KEYCTL_UNLINK 9
#define PROBE_KEYCTL_READ 11
#define PROBE_KCMP_VM 1
#define PROBE_UFFD_USER_MODE_ONLY 1
/* fanotify_init(FAN_REPORT_FID, bad event flags): EINVAL, unprivileged. */
#define PROBE_FAN_REPORT_FID 0x200
#define PROBE_REBOOT_BAD_MAGIC 0x12345678
#define PROBE_SYSLOG_ACTION_SIZE_BUFFER 10
#define PROBE_X32_SYSCALL_BIT 0x40000000L
/* personality(0xffffffff) only asks for the current persona. */
#define PROBE_PERSONALITY_QUERY 0xffffffffL

/* syscall numbers glibc 2.31 headers may not have (same on every arch
 * using the generic table for numbers >= 424). */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_fspick
#define SYS_fspick 433
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif
#ifndef SYS_io_uring_enter
#define SYS_io_uring_enter 426
#endif
#ifndef SYS_io_uring_register
#define SYS_io_uring_register 427
#endif

#define MAX_ARGS 7
#define DETAIL_LEN 256

#define MAX_ARGS 7
#define DETAIL_LEN 256

struct attempt;

/* One run of one attempt. */
struct call {
	const struct attempt *a;
	char **argv; /* the attempt's own arguments */
	int argc;
	char detail[DETAIL_LEN]; /* printed instead of "ok" when set */
};

struct attempt {
	const char *name;
	/* NULL: make system call nr with args. Else a function returning 0,
	 * the errno, or -1 for a bad argument. */
	int (*run)(struct call *c);
	long nr; /* the system call, or what run varies on */
	long args[6];
	bool ret_fd; /* the raw call returns a descriptor to close */
	int min_args, max_args;
	const char *usage;
};

static const struct {
	int num;
	const char *name;
} errno_names[] = {
    {EPERM, "EPERM"},
    {ENOENT, "ENOENT"},
    {ESRCH, "ESRCH"},
    {EINTR, "EINTR"},
    {EIO, "EIO"},
    {ENXIO, "ENXIO"},
    {E2BIG, "E2BIG"},
    {ENOEXEC, "ENOEXEC"},
    {EBADF, "EBADF"},
    {ECHILD, "ECHILD"},
    {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},
    {EFAULT, "EFAULT"},
    {ENOTBLK, "ENOTBLK"},
    {EBUSY, "EBUSY"},
    {EEXIST, "EEXIST"},
    {EXDEV, "EXDEV"},
    {ENODEV, "ENODEV"},
    {ENOTDIR, "ENOTDIR"},
    {EISDIR, "EISDIR"},
    {EINVAL, "EINVAL"},
    {ENFILE, "ENFILE"},
    {EMFILE, "EMFILE"},
    {ENOTTY, "ENOTTY"},
    {ETXTBSY, "ETXTBSY"},
    {EFBIG, "EFBIG"},
    {ENOSPC, "ENOSPC"},
    {ESPIPE, "ESPIPE"},
    {EROFS, "EROFS"},
    {EMLINK, "EMLINK"},
    {EPIPE, "EPIPE"},
    {ERANGE, "ERANGE"},
    {ENAMETOOLONG, "ENAMETOOLONG"},
    {ENOSYS, "ENOSYS"},
    {ELOOP, "ELOOP"},
    {ENOKEY, "ENOKEY"},
    {EKEYREVOKED, "EKEYREVOKED"},
    {ENOTSOCK, "ENOTSOCK"},
    {EPROTOTYPE, "EPROTOTYPE"},
    {ENOPROTOOPT, "ENOPROTOOPT"},
    {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
    {ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT"},
    {EOPNOTSUPP, "EOPNOTSUPP"},
    {EAFNOSUPPORT, "EAFNOSUPPORT"},
    {EADDRINUSE, "EADDRINUSE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {ENETUNREACH, "ENETUNREACH"},
    {ECONNREFUSED, "ECONNREFUSED"},
    {ETIMEDOUT, "ETIMEDOUT"},
    {EHOSTUNREACH, "EHOSTUNREACH"},
    {EIDRM, "EIDRM"},
    {ENOMSG, "ENOMSG"},
    {EDEADLK, "EDEADLK"},
    {EOVERFLOW, "EOVERFLOW"},
    {EUSERS, "EUSERS"},
};

static const char *errno_name(int e, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].num == e)
			return errno_names[i].name;
	snprintf(buf, len, "E%d", e);
	return buf;
}

/* 0 on success of a raw syscall result, else the errno it set. */
static int result(long r)
{
	return r < 0 ? errno : 0;
}

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 0);
	return (errno || end == s || *end) ? -1 : 0;
}

static int parse_ulong(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	return (errno || end == s || *end) ? -1 : 0;
}

static void close_if(long fd)
{
	if (fd >= 0)
		close((int)fd);
}

/* Wait for child pid; 0 when it exited with status 0, else EIO. */
static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, __WALL) < 0) {
		if (errno != EINTR)
			return errno;
	}
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0) ? 0 : EIO;
}

static int run_raw(const struct attempt *a)
{
	long r =
	    syscall(a->nr, a->args[0], a->args[1], a->args[2], a->args[3], a->args[4], a->args[5]);
	int e = result(r);

	if (a->ret_fd)
		close_if(r);
	return e;
}

/* --- terminals: CVE-2017-5226 (bubblewrap), CVE-2019-10063 (flatpak) --- */

/* ioctl(FD, request, &c) with FD 0 unless given. On /dev/null the kernel
 * answers ENOTTY, the filter EPERM. The request is an unsigned int in the
 * kernel, so one with high bits set (tiocsti_highbits) is still TIOCSTI
 * there: a filter comparing all 64 bits would let it through. */
static int try_ioctl(struct call *c)
{
	char ch = '#'; /* harmless if it ever lands in a shell */
	long fd = 0;

	if (c->argc > 0 && parse_long(c->argv[0], &fd) < 0)
		return -1;
	return result(syscall(SYS_ioctl, fd, (unsigned long)c->a->nr, &ch));
}

/* --- processes --- */

static int try_clone_flags(struct call *c)
{
	/* Raw clone without a new stack behaves like fork. */
	long pid = syscall(SYS_clone, (unsigned long)c->a->nr | SIGCHLD, NULL, NULL, NULL, NULL);

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	return reap((pid_t)pid);
}

static void *thread_main(void *arg)
{
	return arg;
}

/* libc tries clone3 first and falls back to clone on ENOSYS. */
static int try_thread(struct call *c)
{
	pthread_t t;
	void *ret;
	int e;

	(void)c;
	e = pthread_create(&t, NULL, thread_main, NULL);
	return e ? e : pthread_join(t, &ret);
}

static int try_fork(struct call *c)
{
	pid_t pid;

	(void)c;
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	return reap(pid);
}

static int try_kill(struct call *c)
{
	long pid, sig;

	if (parse_long(c->argv[0], &pid) < 0 || parse_long(c->argv[1], &sig) < 0)
		return -1;
	return result(syscall(SYS_kill, pid, sig));
}

static int try_ptrace_attach(struct call *c)
{
	long pid;
	int e;

	if (parse_long(c->argv[0], &pid) < 0)
		return -1;
	e = result(syscall(SYS_ptrace, PTRACE_ATTACH, pid, NULL, NULL));
	if (e == 0)
		syscall(SYS_ptrace, PTRACE_DETACH, pid, NULL, NULL);
	return e;
}

/* A debugger inside must work: attach to a child of our own. */
static int try_ptrace_child(struct call *c)
{
	pid_t pid;
	int e, st;

	(void)c;
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		for (int i = 0; i < 600; i++)
			usleep(100000);
		_exit(0);
	}
	e = result(syscall(SYS_ptrace, PTRACE_ATTACH, pid, NULL, NULL));
	if (e == 0 && waitpid(pid, &st, 0) < 0)
		e = errno;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return e;
}

static int try_process_vm_readv(struct call *c)
{
	char src[8] = "probe", dst[8];
	struct iovec local = {dst, sizeof(dst)}, remote = {src, sizeof(src)};

	(void)c;
	return result(syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0));
}

static int try_kcmp(struct call *c)
{
	(void)c;
	return result(syscall(SYS_kcmp, getpid(), getpid(), PROBE_KCMP_VM, 0, 0));
}

static int try_pidfd_getfd(struct call *c)
{
	long pidfd, fd;
	int e;

	(void)c;
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return errno;
	fd = syscall(SYS_pidfd_getfd, pidfd, 1, 0);
	e = result(fd);
	close_if(fd);
	close((int)pidfd);
	return e;
}

/* --- mounts --- */

/* With PATH a real unmount; without, invalid flags (EINVAL). */
static int try_umount2(struct call *c)
{
	if (c->argc > 0)
		return result(syscall(SYS_umount2, c->argv[0], 0));
	return result(syscall(SYS_umount2, "/", 0x7fffffff));
}

static int try_remount_rw(struct call *c)
{
	return result(syscall(SYS_mount, NULL, c->argv[0], NULL,
			      (unsigned long)(MS_REMOUNT | MS_BIND), NULL));
}

/* chroot(NULL) is EFAULT from the kernel: the path is read before the
 * capability check. */
static int try_chroot(struct call *c)
{
	return result(syscall(SYS_chroot, c->argc > 0 ? c->argv[0] : NULL));
}

/* Without OPEN_TREE_CLONE this is an O_PATH open of "/": ok. */
static int try_open_tree(struct call *c)
{
	long fd;
	int e;

	(void)c;
	fd = syscall(SYS_open_tree, AT_FDCWD, "/", 0);
	e = result(fd);
	close_if(fd);
	return e;
}

/* --- keyrings: CVE-2016-0728, and the keyring shared with the host --- */

static int try_keyctl_read(struct call *c)
{
	char buf[128];
	long serial, n;

	if (parse_long(c->argv[0], &serial) < 0)
		return -1;
	n = syscall(SYS_keyctl, PROBE_KEYCTL_READ, serial, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return errno;
	/* Show what was read, so a test can see a secret leak. */
	buf[n < (long)sizeof(buf) - 1 ? n : (long)sizeof(buf) - 1] = '\0';
	snprintf(c->detail, DETAIL_LEN, "read %s", buf);
	return 0;
}

/* For the test, outside the sandbox: a key in my user keyring. */
static int try_host_add_key(struct call *c)
{
	long serial = syscall(SYS_add_key, "user", c->argv[0], c->argv[1], strlen(c->argv[1]),
			      PROBE_KEY_SPEC_USER_KEYRING);

	if (serial < 0)
		return errno;
	snprintf(c->detail, DETAIL_LEN, "%ld", serial);
	return 0;
}

static int try_host_unlink_key(struct call *c)
{
	long serial;

	if (parse_long(c->argv[0], &serial) < 0)
		return -1;
	return result(
	    syscall(SYS_keyctl, PROBE_KEYCTL_UNLINK, serial, PROBE_KEY_SPEC_USER_KEYRING));
}

/* --- personalities and other ABIs --- */

static int try_personality(struct call *c)
{
	unsigned long persona = (unsigned long)c->a->nr;

	if (c->argc > 0 && parse_ulong(c->argv[0], &persona) < 0)
		return -1;
	return result(syscall(SYS_personality, persona));
}

#if defined(__x86_64__)
/* The 32-bit entry of a 64-bit process (int $0x80) is checked against the
 * i386 table (AUDIT_ARCH_I386): a filter for x86_64 alone would miss it. */
static int try_i386(struct call *c)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "0"(c->a->nr), "b"(c->a->args[0]), "c"(c->a->args[1]), "d"(c->a->args[2])
			 : "memory", "r8", "r9", "r10", "r11");
	return (ret < 0 && ret > -4096) ? (int)-ret : 0;
}
#endif

/* --- sockets --- */

/* socket FAMILY [TYPE [PROTOCOL]], SOCK_DGRAM and 0 unless given. */
static int try_socket(struct call *c)
{
	long family, type = SOCK_DGRAM, proto = 0, fd;
	int e;

	if (parse_long(c->argv[0], &family) < 0 ||
	    (c->argc > 1 && parse_long(c->argv[1], &type) < 0) ||
	    (c->argc > 2 && parse_long(c->argv[2], &proto) < 0))
		return -1;
	fd = syscall(SYS_socket, family, type | SOCK_CLOEXEC, proto);
	e = result(fd);
	close_if(fd);
	return e;
}

static int try_connect_abstract(struct call *c)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t n = strlen(c->argv[0]);
	socklen_t len;
	int fd, e;

	if (n + 1 > sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path + 1, c->argv[0], n); /* sun_path[0] == 0: abstract */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	e = result(syscall(SYS_connect, fd, &sun, len));
	close(fd);
	return e;
}

static int try_shm_attach(struct call *c)
{
	long id;
	void *p;

	if (parse_long(c->argv[0], &id) < 0)
		return -1;
	p = shmat((int)id, NULL, SHM_RDONLY);
	if (p == (void *)-1)
		return errno;
	shmdt(p);
	return 0;
}

/* --- files --- */

/* Never writes: open_write only asks whether writing would be allowed. */
static int try_open(struct call *c)
{
	long fd = syscall(SYS_openat, AT_FDCWD, c->argv[0], (int)c->a->nr | O_CLOEXEC | O_NOCTTY);
	int e = result(fd);

	close_if(fd);
	return e;
}

static int try_read_file(struct call *c)
{
	long fd = syscall(SYS_openat, AT_FDCWD, c->argv[0], O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char ch;
	int e;

	if (fd < 0)
		return errno;
	e = result(syscall(SYS_read, fd, &ch, 1));
	close((int)fd);
	return e;
}

/* Create PATH (O_EXCL), then remove it again. */
static int try_create(struct call *c)
{
	long fd = syscall(SYS_openat, AT_FDCWD, c->argv[0], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0600);

	if (fd < 0)
		return errno;
	close((int)fd);
	unlink(c->argv[0]);
	return 0;
}

static int try_list_dir(struct call *c)
{
	struct dirent *de;
	DIR *d = opendir(c->argv[0]);
	int n = 0;

	if (!d)
		return errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	snprintf(c->detail, DETAIL_LEN, "%d entries", n);
	return 0;
}

/* A character device, the same as /dev/null. */
static int try_mknod(struct call *c)
{
	if (syscall(SYS_mknodat, AT_FDCWD, c->argv[0], S_IFCHR | 0600, makedev(1, 3)) < 0)
		return errno;
	unlink(c->argv[0]);
	return 0;
}

static int try_sethostname(struct call *c)
{
	return result(syscall(SYS_sethostname, c->argv[0], strlen(c->argv[0])));
}

/* --- facts --- */

/* The open descriptors, without the one used to list them. */
static int try_fds(struct call *c)
{
	struct dirent *de;
	size_t used = 0;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return errno;
	while ((de = readdir(d)) && used < DETAIL_LEN) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		used += (size_t)snprintf(c->detail + used, DETAIL_LEN - used, "%s%s",
					 used ? " " : "", de->d_name);
	}
	closedir(d);
	return 0;
}

/* Real, effective and saved uid: what a setuid binary would change. */
static int try_ids(struct call *c)
{
	uid_t r, e, s;

	if (getresuid(&r, &e, &s) < 0)
		return errno;
	snprintf(c->detail, DETAIL_LEN, "%u %u %u", (unsigned)r, (unsigned)e, (unsigned)s);
	return 0;
}

/* syscall NR [ARG...]: any number with numeric arguments. */
static int try_syscall(struct call *c)
{
	long v[MAX_ARGS] = {0};

	for (int i = 0; i < c->argc; i++)
		if (parse_long(c->argv[i], &v[i]) < 0)
			return -1;
	return result(syscall(v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
}

/* The raw calls: each comment is the kernel's own answer, unfiltered and
 * without capabilities, where it differs from the filter's. */
#define RAW(n, sys, ...)                                                                           \
	{                                                                                          \
		.name = n, .nr = (sys), .args = { __VA_ARGS__ }                                    \
	}
#define RAW_FD(n, sys, ...)                                                                        \
	{                                                                                          \
		.name = n, .nr = (sys), .args = {__VA_ARGS__}, .ret_fd = true                      \
	}
#define FN(n, fn, param)                                                                           \
	{                                                                                          \
		.name = n, .run = fn, .nr = (param)                                                \
	}
#define FN_ARGS(n, fn, param, lo, hi, use)                                                         \
	{                                                                                          \
		.name = n, .run = fn, .nr = (param), .min_args = lo, .max_args = hi, .usage = use  \
	}
#define SOCKET(n, family, type, proto) RAW_FD(n, SYS_socket, family, (type) | SOCK_CLOEXEC, proto)

static const struct attempt attempts[] = {
    /* terminals */
    FN_ARGS("tiocsti", try_ioctl, TIOCSTI, 0, 1, "[FD]"), /* ENOTTY */
    FN_ARGS("tiocsti_highbits", try_ioctl, (long)(0xffffffff00000000UL | TIOCSTI), 0, 1, "[FD]"),
    FN_ARGS("tioclinux", try_ioctl, TIOCLINUX, 0, 1, "[FD]"), /* ENOTTY */
    /* namespaces */
    RAW("clone3", SYS_clone3, 0, 0),			 /* EINVAL: size 0 */
    FN("clone_newuser", try_clone_flags, CLONE_NEWUSER), /* ok */
    FN("clone_newns", try_clone_flags, CLONE_NEWNS),
    FN("clone_newnet", try_clone_flags, CLONE_NEWNET),
    FN("clone_newpid", try_clone_flags, CLONE_NEWPID),
    FN("clone_newipc", try_clone_flags, CLONE_NEWIPC),
    FN("clone_newuts", try_clone_flags, CLONE_NEWUTS),
    FN("clone_newcgroup", try_clone_flags, CLONE_NEWCGROUP),
    RAW("unshare_user", SYS_unshare, CLONE_NEWUSER),			/* ok */
    RAW("unshare_net", SYS_unshare, CLONE_NEWNET),			/* EPERM */
    RAW("unshare_user_net", SYS_unshare, CLONE_NEWUSER | CLONE_NEWNET), /* ok */
    RAW("unshare_ns", SYS_unshare, CLONE_NEWNS),			/* EPERM */
    RAW("setns", SYS_setns, -1, 0),					/* EBADF */
    /* processes */
    FN("thread", try_thread, 0),
    FN("fork", try_fork, 0),
    FN_ARGS("kill", try_kill, 0, 2, 2, "PID SIG"),
    FN_ARGS("ptrace_attach", try_ptrace_attach, 0, 1, 1, "PID"),
    FN("ptrace_child", try_ptrace_child, 0),
    FN("process_vm_readv", try_process_vm_readv, 0),
    FN("kcmp", try_kcmp, 0),
    FN("pidfd_getfd", try_pidfd_getfd, 0),
    /* mounts */
    RAW("mount", SYS_mount, 0, 0, 0, 0, 0), /* EFAULT */
    FN_ARGS("umount2", try_umount2, 0, 0, 1, "[PATH]"),
    FN_ARGS("remount_rw", try_remount_rw, 0, 1, 1, "PATH"),
    RAW("pivot_root", SYS_pivot_root, 0, 0), /* EPERM */
    FN_ARGS("chroot", try_chroot, 0, 0, 1, "[PATH]"),
    RAW_FD("fsopen", SYS_fsopen, 0, 0),			     /* EPERM */
    RAW("fsconfig", SYS_fsconfig, -1, 0, 0, 0, 0),	     /* EINVAL */
    RAW("fsmount", SYS_fsmount, -1, 0, 0),		     /* EPERM */
    RAW("fspick", SYS_fspick, -1, 0, 0),		     /* EPERM */
    FN("open_tree", try_open_tree, 0),			     /* ok */
    RAW("move_mount", SYS_move_mount, -1, 0, -1, 0, 0),	     /* EPERM */
    RAW("mount_setattr", SYS_mount_setattr, -1, 0, 0, 0, 0), /* EINVAL */
    /* keyrings */
    RAW("add_key", SYS_add_key, 0, 0, 0, 0, 0),	     /* EFAULT */
    RAW("request_key", SYS_request_key, 0, 0, 0, 0), /* EFAULT */
    RAW("keyctl", SYS_keyctl, -1, 0, 0, 0, 0),	     /* EOPNOTSUPP */
    FN_ARGS("keyctl_read", try_keyctl_read, 0, 1, 1, "SERIAL"),
    FN_ARGS("host_add_key", try_host_add_key, 0, 2, 2, "DESCRIPTION DATA"),
    FN_ARGS("host_unlink_key", try_host_unlink_key, 0, 1, 1, "SERIAL"),
    /* kernel attack surface */
    RAW("bpf", SYS_bpf, -1, 0, 0),				  /* EINVAL */
    RAW("perf_event_open", SYS_perf_event_open, 0, 0, -1, -1, 0), /* EFAULT */
    /* UFFD_USER_MODE_ONLY is what vm.unprivileged_userfaultfd=0 permits: ok */
    RAW_FD("userfaultfd", SYS_userfaultfd, O_CLOEXEC | PROBE_UFFD_USER_MODE_ONLY),
    RAW("io_uring_setup", SYS_io_uring_setup, 0, 0),		  /* EFAULT */
    RAW("io_uring_enter", SYS_io_uring_enter, -1, 0, 0, 0, 0, 0), /* EBADF */
    RAW("io_uring_register", SYS_io_uring_register, -1, 0, 0, 0), /* EINVAL */
    RAW("kexec_load", SYS_kexec_load, 0, 0, 0, 0),
#ifdef SYS_kexec_file_load
    RAW("kexec_file_load", SYS_kexec_file_load, -1, -1, 0, 0, 0),
#endif
    RAW("init_module", SYS_init_module, 0, 0, 0),
    RAW("finit_module", SYS_finit_module, -1, 0, 0),
    RAW("delete_module", SYS_delete_module, 0, 0),
    /* Bad magic: EINVAL if it ever got past the capability check. */
    RAW("reboot", SYS_reboot, PROBE_REBOOT_BAD_MAGIC, PROBE_REBOOT_BAD_MAGIC, 0, 0),
    RAW("swapon", SYS_swapon, 0, 0),
    RAW("swapoff", SYS_swapoff, 0),
    RAW("acct", SYS_acct, 0),
    RAW("quotactl", SYS_quotactl, 0, 0, 0, 0), /* ENODEV */
    RAW("syslog", SYS_syslog, PROBE_SYSLOG_ACTION_SIZE_BUFFER, 0, 0),
    RAW("vhangup", SYS_vhangup, 0),
    RAW("open_by_handle_at", SYS_open_by_handle_at, -1, 0, 0), /* EFAULT */
#ifdef SYS_lookup_dcookie
    RAW("lookup_dcookie", SYS_lookup_dcookie, 0, 0, 0),
#endif
    /* FAN_REPORT_FID with bad event flags: EINVAL */
    RAW("fanotify_init", SYS_fanotify_init, PROBE_FAN_REPORT_FID, 0xffffffffL),
    RAW("settimeofday", SYS_settimeofday, 1, 0),   /* EFAULT: read first */
    RAW("clock_settime", SYS_clock_settime, 0, 0), /* EFAULT */
    RAW("clock_adjtime", SYS_clock_adjtime, 0, 0), /* EFAULT */
#ifdef SYS_uselib
    RAW("uselib", SYS_uselib, 0),
#endif
#ifdef SYS_ustat
    RAW("ustat", SYS_ustat, 0, 0), /* EINVAL */
#endif
#ifdef SYS_sysfs
    RAW("sysfs", SYS_sysfs, 0, 0, 0), /* EINVAL */
#endif
    RAW("mbind", SYS_mbind, 0, 0, 99, 0, 0, 0),		 /* EINVAL: no mode 99 */
    RAW("set_mempolicy", SYS_set_mempolicy, 99, 0, 0),	 /* EINVAL */
    RAW("migrate_pages", SYS_migrate_pages, 0, 0, 0, 0), /* EINVAL */
    RAW("move_pages", SYS_move_pages, 0, 0, 0, 0, 0, 0), /* ok: no pages */
    FN_ARGS("personality", try_personality, ADDR_NO_RANDOMIZE, 0, 1, "[PERSONA]"),
    RAW("personality_query", SYS_personality, PROBE_PERSONALITY_QUERY),
#if defined(__x86_64__) || defined(__i386__)
    RAW("iopl", SYS_iopl, 99),		/* EINVAL: level > 3 */
    RAW("ioperm", SYS_ioperm, 0, 0, 1), /* EINVAL: no ports */
    /* Reads 0 bytes of the LDT: ok. (Not an invalid call: the kernel
     * returns modify_ldt's result as an unsigned int, so its own errors
     * would look like success.) */
    RAW("modify_ldt", SYS_modify_ldt, 0, 0, 0),
#endif
#if defined(__x86_64__)
    {.name = "i386_unshare_user", .run = try_i386, .nr = 310, .args = {CLONE_NEWUSER}}, /* ok */
    {.name = "i386_keyctl", .run = try_i386, .nr = 288, .args = {-1}}, /* EOPNOTSUPP */
    {.name = "i386_personality", .run = try_i386, .nr = 136, .args = {ADDR_NO_RANDOMIZE}},
    /* socketcall(SYS_SOCKET, NULL): its arguments are out of a filter's reach */
    {.name = "i386_socketcall", .run = try_i386, .nr = 102, .args = {1, 0}}, /* EFAULT */
    RAW("x32_getpid", PROBE_X32_SYSCALL_BIT | SYS_getpid, 0),		     /* ENOSYS unless x32 */
#endif
    /* sockets: the type each family accepts without privileges */
    SOCKET("socket_packet", AF_PACKET, SOCK_DGRAM, 0), /* EPERM */
    SOCKET("socket_vsock", AF_VSOCK, SOCK_STREAM, 0),  /* ok where vsock is built */
    SOCKET("socket_alg", AF_ALG, SOCK_SEQPACKET, 0),   /* ok where AF_ALG is built */
    SOCKET("socket_bluetooth", AF_BLUETOOTH, SOCK_RAW, 0),
    SOCKET("socket_inet", AF_INET, SOCK_STREAM, 0),
    SOCKET("socket_inet6", AF_INET6, SOCK_STREAM, 0),
    SOCKET("socket_unix", AF_UNIX, SOCK_STREAM, 0),
    SOCKET("socket_netlink", AF_NETLINK, SOCK_RAW, PROBE_NETLINK_ROUTE),
    SOCKET("socket_netlink_audit", AF_NETLINK, SOCK_RAW, PROBE_NETLINK_AUDIT), /* ok */
    FN_ARGS("socket", try_socket, 0, 1, 3, "FAMILY [TYPE [PROTOCOL]]"),
    FN_ARGS("connect_abstract", try_connect_abstract, 0, 1, 1, "NAME"),
    FN_ARGS("shm_attach", try_shm_attach, 0, 1, 1, "SHMID"),
    /* files */
    FN_ARGS("open_read", try_open, O_RDONLY, 1, 1, "PATH"),
    FN_ARGS("open_write", try_open, O_WRONLY, 1, 1, "PATH"),
    FN_ARGS("read_file", try_read_file, 0, 1, 1, "PATH"),
    FN_ARGS("create", try_create, 0, 1, 1, "PATH"),
    FN_ARGS("list_dir", try_list_dir, 0, 1, 1, "PATH"),
    FN_ARGS("mknod", try_mknod, 0, 1, 1, "PATH"),
    FN_ARGS("sethostname", try_sethostname, 0, 1, 1, "NAME"),
    /* facts */
    FN("fds", try_fds, 0),
    FN("ids", try_ids, 0),
    FN_ARGS("syscall", try_syscall, 0, 1, MAX_ARGS, "NR [ARG...]"),
};

#define N_ATTEMPTS (sizeof(attempts) / sizeof(attempts[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: sbx-probe NAME [ARGS...]\nattempts:\n");
	for (size_t i = 0; i < N_ATTEMPTS; i++)
		fprintf(f, "  %s%s%s\n", attempts[i].name, attempts[i].usage ? " " : "",
			attempts[i].usage ? attempts[i].usage : "");
}

int main(int argc, char **argv)
{
	struct call c = {.argv = argv + 2, .argc = argc - 2};
	char ebuf[16];
	int e;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--list") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < N_ATTEMPTS; i++)
		if (strcmp(attempts[i].name, argv[1]) == 0)
			c.a = &attempts[i];
	if (!c.a || c.argc < c.a->min_args || c.argc > c.a->max_args) {
		fprintf(stderr, "sbx-probe: %s '%s' (sbx-probe --list shows them all)\n",
			c.a ? "wrong arguments for" : "no attempt", argv[1]);
		return 2;
	}
	e = c.a->run ? c.a->run(&c) : run_raw(c.a);
	if (e < 0) {
		fprintf(stderr, "sbx-probe: %s: bad argument\n", c.a->name);
		return 2;
	}
	if (e == 0)
		printf("%s: %s\n", c.a->name, c.detail[0] ? c.detail : "ok");
	else
		printf("%s: %s\n", c.a->name, errno_name(e, ebuf, sizeof(ebuf)));
	return fflush(stdout) == 0 ? 0 : 1;
}
