/* SPDX-License-Identifier: MIT */
/*
 * The rules of sbx's default seccomp programs, compiled with libseccomp.
 * Only the build's generator (tools/seccomp-gen.c) and the unit tests link
 * this: sbx itself loads what the generator wrote, so it needs neither
 * libseccomp nor its milliseconds of CPU at run time.
 */
#define _GNU_SOURCE
#include "seccomp.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#define X32_SYSCALL_BIT 0x40000000U

/* The new mount API and clone3 get ENOSYS, not EPERM: libc and programs
 * then fall back to mount(2) (refused below) and clone(2), whose flags a
 * filter can read, unlike clone3's, which sit behind a pointer. */
static const char *const enosys[] = {
    "clone3", "fsopen", "fsconfig", "fsmount", "fspick", "open_tree", "move_mount", "mount_setattr",
};

static const char *const eperm[] = {
    /* filesystem views: the sandbox's own mounts stay as sbx left them */
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    /* the kernel keyring is not namespaced: keys of the host user */
    "add_key",
    "keyctl",
    "request_key",
    /* large kernel attack surface, the usual source of escapes */
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    /* the machine, not the sandbox */
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
    "quotactl_fd",
    "syslog",
    "vhangup",
    "iopl",
    "ioperm",
    "open_by_handle_at",
    "lookup_dcookie",
    "nfsservctl",
    "fanotify_init",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    /* obsolete interfaces with a history of bugs */
    "uselib",
    "_sysctl",
    "ustat",
    "sysfs",
    "vm86",
    "vm86old",
    "modify_ldt",
    /* NUMA policy of pages other processes may share */
    "mbind",
    "set_mempolicy",
    "migrate_pages",
    "move_pages",
    /* i386 multiplexes every socket call through socketcall, whose
     * arguments sit behind a pointer no filter can read */
    "socketcall",
};

/* Unless --allow-userns: no new namespaces from inside. */
static const char *const userns_calls[] = {"unshare", "setns"};

static const unsigned long clone_new_flags[] = {
    CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET,
};

static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned int n,
		const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);
	int r;

	/* A syscall this libseccomp does not know is above its newest one,
	 * and the ENOSYS filter already refuses it. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	r = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (r < 0)
		return err_set(-r, "seccomp rule for %s", name);
	return 0;
}

static int deny_all(scmp_filter_ctx ctx, int err, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rule(ctx, SCMP_ACT_ERRNO((uint32_t)err), names[i], 0, NULL) < 0)
			return -1;
	return 0;
}

/* personality: only PER_LINUX, PER_LINUX32, UNAME26 and the query.  A rule
 * holds one comparison per argument, so "not one of these" is written as
 * the cubes that cover the complement: for every bit b outside the two
 * allowed ones, "bit 31 clear and bit b set" (low half: only bits 3 and 17
 * may be set), and "bit 31 set and bit b clear" (high half: only all-ones,
 * the query, is allowed); plus anything above 32 bits. */
static int personality_rules(scmp_filter_ctx ctx)
{
	const uint64_t top = 1ULL << 31, allowed = 0x20008;
	uint32_t act = SCMP_ACT_ERRNO(EPERM);

	for (int b = 0; b < 31; b++) {
		uint64_t bit = 1ULL << b;
		struct scmp_arg_cmp hi = SCMP_A0(SCMP_CMP_MASKED_EQ, top | bit, top);
		struct scmp_arg_cmp lo = SCMP_A0(SCMP_CMP_MASKED_EQ, top | bit, bit);
		if (rule(ctx, act, "personality", 1, &hi) < 0)
			return -1;
		if (!(allowed & bit) && rule(ctx, act, "personality", 1, &lo) < 0)
			return -1;
	}
	struct scmp_arg_cmp wide = SCMP_A0(SCMP_CMP_GT, 0xffffffffULL);
	return rule(ctx, act, "personality", 1, &wide);
}

/* socket(): AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK only (not audit). */
static int socket_rules(scmp_filter_ctx ctx)
{
	uint32_t act = SCMP_ACT_ERRNO(EAFNOSUPPORT);

	for (uint64_t af = 0; af < AF_NETLINK; af++) {
		if (af == AF_UNIX || af == AF_INET || af == AF_INET6)
			continue;
		struct scmp_arg_cmp eq = SCMP_A0(SCMP_CMP_EQ, af);
		if (rule(ctx, act, "socket", 1, &eq) < 0)
			return -1;
	}
	struct scmp_arg_cmp above = SCMP_A0(SCMP_CMP_GT, AF_NETLINK);
	if (rule(ctx, act, "socket", 1, &above) < 0)
		return -1;
	/* The protocol is an int: compare its low 32 bits only. */
	struct scmp_arg_cmp audit[] = {
	    SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
	    SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffULL, 9 /* NETLINK_AUDIT */)};
	return rule(ctx, act, "socket", 2, audit);
}

static int build(scmp_filter_ctx ctx, bool allow_userns)
{
	/* Syscalls of an architecture the filter was not built for kill. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0)
		return err_set(EINVAL, "seccomp: bad-architecture action");
	/* A binary tree of syscall numbers instead of one long chain: the
	 * kernel, when it attaches a filter, runs it for every syscall number
	 * of both architectures to find the ones it may always allow, and that
	 * pass over a chain was a quarter of a millisecond of every start. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		return err_set(EINVAL, "seccomp: binary-tree optimisation");
#if defined(__x86_64__)
	if (seccomp_arch_add(ctx, SCMP_ARCH_X86) < 0)
		return err_set(EINVAL, "seccomp: add the x86 architecture");
#elif defined(__aarch64__)
	if (seccomp_arch_add(ctx, SCMP_ARCH_ARM) < 0)
		return err_set(EINVAL, "seccomp: add the arm architecture");
#endif
	if (deny_all(ctx, ENOSYS, enosys, ARRAY_SIZE(enosys)) < 0 ||
	    deny_all(ctx, EPERM, eperm, ARRAY_SIZE(eperm)) < 0 || personality_rules(ctx) < 0 ||
	    socket_rules(ctx) < 0)
		return -1;

	/* TIOCSTI and TIOCLINUX push input into a terminal; the kernel reads
	 * the request as 32 bits, so compare only those (CVE-2019-10063). */
	static const unsigned long ttyioctls[] = {TIOCSTI, TIOCLINUX};
	for (size_t i = 0; i < ARRAY_SIZE(ttyioctls); i++) {
		struct scmp_arg_cmp req = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, ttyioctls[i]);
		if (rule(ctx, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &req) < 0)
			return -1;
	}
	if (allow_userns)
		return 0;
	if (deny_all(ctx, EPERM, userns_calls, ARRAY_SIZE(userns_calls)) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(clone_new_flags); i++) {
		struct scmp_arg_cmp f =
		    SCMP_A0(SCMP_CMP_MASKED_EQ, clone_new_flags[i], clone_new_flags[i]);
		if (rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &f) < 0)
			return -1;
	}
	return 0;
}

/* The newest syscall number libseccomp knows for an architecture.  All
 * architectures share the numbers from 424 (pidfd_send_signal) on; scan
 * up from there until a run of unknown numbers. */
static uint32_t newest_known(uint32_t arch)
{
	uint32_t newest = 423;

	for (uint32_t nr = 424; nr < newest + 32; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, (int)nr);
		if (name) {
			newest = nr;
			free(name);
		}
	}
	return newest;
}

static const struct {
	uint32_t audit_arch;
	uint32_t scmp_arch;
	bool x32_bit; /* x86_64 numbers with the x32 bit are another ABI */
} known_arches[] = {
#if defined(__x86_64__)
    {AUDIT_ARCH_X86_64, SCMP_ARCH_X86_64, true},
    {AUDIT_ARCH_I386, SCMP_ARCH_X86, false},
#elif defined(__aarch64__)
    {AUDIT_ARCH_AARCH64, SCMP_ARCH_AARCH64, false},
    {AUDIT_ARCH_ARM, SCMP_ARCH_ARM, false},
#endif
};

/*
 * libseccomp cannot write "every number above N"; this filter, stacked
 * under the libseccomp one (the kernel applies the stricter answer), can:
 * per architecture, numbers above the newest known get ENOSYS, and on
 * x86_64 the x32 ABI kills, as an architecture never reviewed.
 *
 *	ld arch
 *	per arch:  jeq ARCH ? next : skip block
 *	           ld nr
 *	           [jge X32_BIT -> kill]
 *	           jgt NEWEST -> enosys
 *	           ja allow
 *	allow:     ret ALLOW
 *	enosys:    ret ERRNO(ENOSYS)
 *	kill:      ret KILL_PROCESS
 */
enum { TO_ALLOW = 1, TO_ENOSYS, TO_KILL };

#define ENOSYS_PROG_MAX (1 + 5 * ARRAY_SIZE(known_arches) + 3)
_Static_assert(ENOSYS_PROG_MAX <= SECCOMP_ENOSYS_MAX, "the ENOSYS filter outgrew its bound");

static size_t enosys_prog(struct sock_filter f[static ENOSYS_PROG_MAX])
{
	uint8_t to[ENOSYS_PROG_MAX] = {0}; /* pending jump target of each instruction */
	size_t n = 0, ret;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < ARRAY_SIZE(known_arches); i++) {
		uint8_t block = known_arches[i].x32_bit ? 4 : 3;
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      known_arches[i].audit_arch, 0, block);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						      offsetof(struct seccomp_data, nr));
		if (known_arches[i].x32_bit) {
			to[n] = TO_KILL;
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
							      X32_SYSCALL_BIT, 0, 0);
		}
		to[n] = TO_ENOSYS;
		f[n++] = (struct sock_filter)BPF_JUMP(
		    BPF_JMP | BPF_JGT | BPF_K, newest_known(known_arches[i].scmp_arch), 0, 0);
		to[n] = TO_ALLOW;
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0);
	}
	/* An unknown architecture falls through to allow here; the libseccomp
	 * filter kills it. */
	ret = n;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	for (size_t i = 0; i < ret; i++) {
		if (!to[i])
			continue;
		size_t off = ret + (size_t)(to[i] - TO_ALLOW) - i - 1;
		if (BPF_OP(f[i].code) == BPF_JA)
			f[i].k = (uint32_t)off;
		else
			f[i].jt = (uint8_t)off;
	}
	return n;
}

int seccomp_compile_fresh(bool allow_userns, int fd)
{
	struct sock_filter f[ENOSYS_PROG_MAX];
	uint32_t n;
	scmp_filter_ctx ctx;
	int r;

	n = (uint32_t)enosys_prog(f);
	if (write_full(fd, &n, sizeof(n)) < 0 || write_full(fd, f, n * sizeof(f[0])) < 0)
		return err_set(errno, "write the seccomp program");
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return err_set(ENOMEM, "seccomp_init");
	if (build(ctx, allow_userns) < 0) {
		seccomp_release(ctx);
		return -1;
	}
	r = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (r < 0)
		return err_set(-r, "compile the seccomp filter");
	return 0;
}

int seccomp_print_fresh(FILE *out, bool allow_userns)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return err_set(ENOMEM, "seccomp_init");
	if (build(ctx, allow_userns) < 0) {
		seccomp_release(ctx);
		return -1;
	}
	fflush(out);
	r = seccomp_export_pfc(ctx, fileno(out));
	seccomp_release(ctx);
	if (r < 0)
		return err_set(-r, "print the seccomp filter");
	for (size_t i = 0; i < ARRAY_SIZE(known_arches); i++)
		fprintf(out, "# and a second filter: arch %u, syscall > %u -> ERRNO(ENOSYS)%s\n",
			known_arches[i].audit_arch, newest_known(known_arches[i].scmp_arch),
			known_arches[i].x32_bit ? "; x32 (syscall >= 0x40000000) -> KILL_PROCESS"
						: "");
	return 0;
}
