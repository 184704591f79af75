/* SPDX-License-Identifier: MIT */
/*
 * Executes a mount plan inside the sandbox's own mount namespace.
 *
 * The sequence follows bubblewrap's: a scaffolding tmpfs becomes the root
 * with the host's tree at /oldroot, the new root is assembled in /newroot
 * from /oldroot sources, and a final pivot_root leaves nothing of the host
 * but what was bound.  Mount points inside the new root are resolved with
 * openat2(RESOLVE_IN_ROOT), so a symlink in a bound directory (an absolute
 * /etc/resolv.conf link, say) can never send a mount outside the new root.
 */
#define _GNU_SOURCE
#include "mounts.h"
#include "fuseovl.h"
#include "kernel_api.h"
#include "log.h"
#include "security.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BASE_DIR "/tmp"
#define OLDROOT "/oldroot"
#define NEWROOT "/newroot"
#define FILES_DIR "/files"

struct view {
	int root_fd;
	uid_t uid;
	gid_t gid;
	const char *home;
	bool home_tmpfs;
	bool user_tree; /* the root is the user's --rootfs-rw directory */
};

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static int open_in_root(const struct view *v, const char *path, int flags)
{
	struct sbx_open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = SBX_RESOLVE_IN_ROOT | SBX_RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = path;

	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	return (int)syscall(SYS_openat2, v->root_fd, rel, &how, sizeof(how));
}

/* A mount call wants a path; the magic link of an O_PATH descriptor names
 * exactly the object that was resolved in the root, with no second lookup. */
static const char *fd_path(int fd, char buf[static 64])
{
	snprintf(buf, 64, OLDROOT "/proc/self/fd/%d", fd);
	return buf;
}

static int set_attrs_fd(int fd, uint64_t attrs, bool recursive)
{
	struct sbx_mount_attr attr = {.attr_set = attrs};
	unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);

	return (int)syscall(SYS_mount_setattr, fd, "", flags, &attr, sizeof(attr));
}

/* Flags of a mount are set after it exists and for all its submounts at
 * once: a read-only bind of /usr must not leave /usr/local writable just
 * because it was a separate mount on the host. */
static int set_attrs(const struct view *v, const char *dst, uint64_t attrs, bool recursive)
{
	_cleanup_close_ int fd = open_in_root(v, dst, O_PATH);

	if (fd < 0)
		return err_set(errno, "reopen mount %s", dst);
	if (set_attrs_fd(fd, attrs, recursive) < 0) {
		if (errno == ENOSYS) {
			err_set(errno, "mount_setattr on %s", dst);
			err_hint("sbx needs Linux 5.12 or newer");
			return -1;
		}
		return err_set(errno, "set mount flags on %s", dst);
	}
	return 0;
}

static bool owned_dir(const struct view *v, const char *path)
{
	/* In a --rootfs-rw our mount points land in the user's own tree: they
	 * must be the user's, or the user could not remove them afterwards. */
	if (v->user_tree)
		return true;
	return v->home_tmpfs && path_is_within(path, v->home) && strcmp(path, v->home) != 0;
}

/* Create dst (and its parents) inside the new root if missing; return an
 * O_PATH descriptor of it. */
static int make_mountpoint(const struct view *v, const char *dst, bool is_dir)
{
	char prefix[PATH_MAX];
	size_t len = strlen(dst);

	if (len >= sizeof(prefix))
		return err_set(ENAMETOOLONG, "mount point %s", dst);
	for (size_t i = 1; i <= len; i++) {
		if (i < len && dst[i] != '/')
			continue;
		memcpy(prefix, dst, i);
		prefix[i] = '\0';

		bool last = i == len;
		int fd = open_in_root(v, prefix, O_PATH);
		if (fd >= 0) {
			if (last)
				return fd;
			close_nointr(fd);
			continue;
		}
		if (errno != ENOENT)
			return err_set(errno, "mount point %s", prefix);

		char *slash = strrchr(prefix, '/');
		*slash = '\0';
		_cleanup_close_ int parent =
		    open_in_root(v, prefix[0] ? prefix : "/", O_PATH | O_DIRECTORY);
		*slash = '/';
		if (parent < 0)
			return err_set(errno, "mount point %s", prefix);
		if (last && !is_dir) {
			int f = openat(parent, slash + 1,
				       O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
			if (f < 0 && errno != EEXIST)
				return err_set(errno, "create mount point %s", prefix);
			if (f >= 0)
				close_nointr(f);
		} else if (mkdirat(parent, slash + 1, 0755) < 0 && errno != EEXIST) {
			return err_set(errno, "create mount point %s", prefix);
		}
		if (owned_dir(v, prefix) &&
		    fchownat(parent, slash + 1, v->uid, v->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return err_set(errno, "chown %s", prefix);
		if (last) {
			fd = open_in_root(v, prefix, O_PATH);
			if (fd < 0)
				return err_set(errno, "mount point %s", prefix);
			return fd;
		}
	}
	return err_set(EINVAL, "mount point '%s'", dst);
}

static int bind_at(const struct view *v, const char *host_src, const char *dst, bool is_dir,
		   uint64_t attrs)
{
	_cleanup_close_ int fd = make_mountpoint(v, dst, is_dir);
	char path[64];

	if (fd < 0)
		return -1;
	if (mount(host_src, fd_path(fd, path), NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_set(errno, "bind %s on %s", host_src + strlen(OLDROOT), dst);
	return set_attrs(v, dst, attrs, true);
}

/* The source opened outside lives in sbx's mount namespace, from which the
 * kernel will not bind; open the same path again here, still with no
 * symlink allowed, and make sure it is the very same object. */
static int reopen_source(const struct mount_step *s)
{
	char path[PATH_MAX];
	struct sbx_open_how how = {
	    .flags = O_PATH | O_CLOEXEC,
	    .resolve = SBX_RESOLVE_NO_SYMLINKS | SBX_RESOLVE_NO_MAGICLINKS,
	};
	struct stat outside, inside;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), OLDROOT "%s", s->src) >= sizeof(path))
		return err_set(ENAMETOOLONG, "bind source %s", s->src);
	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0)
		return err_set(errno, "bind source %s", s->src);
	if (fstat(s->src_fd, &outside) < 0 || fstat(fd, &inside) < 0 ||
	    outside.st_dev != inside.st_dev || outside.st_ino != inside.st_ino) {
		close_nointr(fd);
		return err_set(0, "bind source %s changed while the sandbox was set up", s->src);
	}
	return fd;
}

static int step_bind(const struct view *v, const struct mount_step *s)
{
	char host_src[PATH_MAX];
	_cleanup_close_ int src = -1;
	struct stat st;

	if (s->src_fd >= 0) {
		if ((src = reopen_source(s)) < 0)
			return -1;
		fd_path(src, host_src);
	} else if ((size_t)snprintf(host_src, sizeof(host_src), OLDROOT "%s", s->src) >=
		   sizeof(host_src)) {
		return err_set(ENAMETOOLONG, "bind source %s", s->src);
	}
	if (stat(host_src, &st) < 0) {
		err_set(errno, "bind source %s", s->src);
		err_hint("check the path given to --bind/--ro-bind");
		return -1;
	}
	return bind_at(v, host_src, s->dst, S_ISDIR(st.st_mode),
		       SBX_ATTR_NOSUID | SBX_ATTR_NODEV | (s->ro ? SBX_ATTR_RDONLY : 0));
}

static int step_sysdir(const struct view *v, const struct mount_step *s)
{
	char host_src[PATH_MAX], target[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(host_src, sizeof(host_src), OLDROOT "%s", s->src);
	if (lstat(host_src, &st) < 0)
		return errno == ENOENT ? 0 : err_set(errno, "inspect %s", s->src);
	if (S_ISLNK(st.st_mode)) {
		/* Merged /usr: /bin -> usr/bin stays a link into the bound /usr. */
		n = readlink(host_src, target, sizeof(target) - 1);
		if (n < 0)
			return err_set(errno, "readlink %s", s->src);
		target[n] = '\0';
		if (symlinkat(target, v->root_fd, s->dst + 1) < 0)
			return err_set(errno, "symlink %s", s->dst);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	return bind_at(v, host_src, s->dst, true,
		       SBX_ATTR_RDONLY | SBX_ATTR_NOSUID | SBX_ATTR_NODEV);
}

static int mount_fs(const struct view *v, const char *dst, const char *type, unsigned long flags,
		    const char *data)
{
	_cleanup_close_ int fd = make_mountpoint(v, dst, true);
	char path[64];

	if (fd < 0)
		return -1;
	if (mount(type, fd_path(fd, path), type, flags, data) < 0)
		return err_set(errno, "mount %s on %s", type, dst);
	return 0;
}

static int step_tmpfs(const struct view *v, const struct mount_step *s)
{
	char data[128];
	int n = snprintf(data, sizeof(data), "mode=%04o", s->mode);

	if (s->size_bytes) {
		/* An inode cap to match: one inode per 4 KiB, at least 1024. */
		unsigned long long inodes = s->size_bytes / 4096;
		n += snprintf(data + n, sizeof(data) - (size_t)n, ",size=%llu,nr_inodes=%llu",
			      s->size_bytes, inodes < 1024 ? 1024 : inodes);
	}
	if (s->owned_by_target)
		snprintf(data + n, sizeof(data) - (size_t)n, ",uid=%u,gid=%u", (unsigned)v->uid,
			 (unsigned)v->gid);
	return mount_fs(v, s->dst, "tmpfs", MS_NOSUID | MS_NODEV, data);
}

static int step_dev(const struct view *v, const struct mount_step *s, bool console,
		    unsigned long long tmpfs_cap)
{
	static const struct {
		const char *name, *target;
	} links[] = {
	    {"ptmx", "pts/ptmx"},	   {"fd", "/proc/self/fd"},
	    {"stdin", "/proc/self/fd/0"},  {"stdout", "/proc/self/fd/1"},
	    {"stderr", "/proc/self/fd/2"},
	};
	char host[64], dst[64];

	if (mount_fs(v, s->dst, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     "mode=0755,size=64k,nr_inodes=256") < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		snprintf(host, sizeof(host), OLDROOT "/dev/%s", dev_nodes[i]);
		snprintf(dst, sizeof(dst), "/dev/%s", dev_nodes[i]);
		/* The device binds keep dev (they are devices) but never suid/exec. */
		if (bind_at(v, host, dst, false, SBX_ATTR_NOSUID | SBX_ATTR_NOEXEC) < 0)
			return -1;
	}
	/* Our own devpts instance: the payload's ptys are invisible outside,
	 * and the host's ptys are invisible inside. */
	if (mount_fs(v, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620") < 0)
		return -1;
	char shm[96];
	snprintf(shm, sizeof(shm), "mode=1777,size=%llu,nr_inodes=%llu", tmpfs_cap,
		 tmpfs_cap / 4096 < 1024 ? 1024 : tmpfs_cap / 4096);
	if (mount_fs(v, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, shm) < 0)
		return -1;
	/* With a relay, pid 1 binds the payload's pty here after pivot_root. */
	if (console) {
		int fd = make_mountpoint(v, "/dev/console", false);
		if (fd < 0)
			return -1;
		close_nointr(fd);
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		snprintf(dst, sizeof(dst), "dev/%s", links[i].name);
		if (symlinkat(links[i].target, v->root_fd, dst) < 0)
			return err_set(errno, "symlink /%s", dst);
	}
	return set_attrs(
	    v, "/dev", SBX_ATTR_RDONLY | SBX_ATTR_NOSUID | SBX_ATTR_NODEV | SBX_ATTR_NOEXEC, false);
}

static int write_new_file(const char *path, const char *content)
{
	_cleanup_close_ int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0 || write_full(fd, content, strlen(content)) < 0)
		return err_set(errno, "write %s", path);
	return 0;
}

/*
 * /etc is the host's, read-only, except hosts and resolv.conf, which are
 * the sandbox's own.  A read-only overlay with our two files as the upper
 * lower layer does that in one mount.  Binding files over the host's would
 * not: when the host replaces its resolv.conf (a DHCP client renames a new
 * file over it), the kernel detaches mounts sitting on the old dentry, and
 * the sandbox would see the host's resolver again.
 */
static int mount_etc(const struct view *v, const char *host_etc, const struct mount_plan *mp)
{
	char opts[PATH_MAX + 64];

	if (mkdir(FILES_DIR "/etc", 0755) < 0)
		return err_set(errno, "mkdir " FILES_DIR "/etc");
	if (write_new_file(FILES_DIR "/etc/hosts", mp->etc_hosts) < 0 ||
	    write_new_file(FILES_DIR "/etc/resolv.conf", mp->etc_resolv) < 0)
		return -1;
	snprintf(opts, sizeof(opts), "lowerdir=" FILES_DIR "/etc:%s", host_etc);
	if (mount_fs(v, "/etc", "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, opts) < 0) {
		err_hint("sbx needs overlayfs in user namespaces (Linux 5.11 or newer)");
		return -1;
	}
	return 0;
}

static int step_etc(const struct view *v, const struct mount_step *s, const struct mount_plan *mp)
{
	char host_src[PATH_MAX];
	struct stat st;

	snprintf(host_src, sizeof(host_src), OLDROOT "%s", s->src);
	if (lstat(host_src, &st) < 0 || !S_ISDIR(st.st_mode))
		return step_sysdir(v, s);
	return mount_etc(v, host_src, mp);
}

/* --rootfs: the entries of DIR, one by one, into our root, so that /proc,
 * /dev, /tmp and the rest stay ours and DIR is never written to. */
/* Bind (or link) the entries of host directory dir into our root at dst,
 * except the names in skip[]. */
static int bind_entries(const struct view *v, const char *dir, const char *dst_dir,
			const char *const *skip, size_t n_skip, uint64_t attrs,
			const struct mount_plan *mp)
{
	char path[PATH_MAX + 256], dst[PATH_MAX + 256];
	struct dirent *e;
	DIR *d = opendir(dir);
	int r = 0;

	if (!d)
		return err_set(errno, "--rootfs %s", dir + strlen(OLDROOT));
	while (r == 0 && (e = readdir(d))) {
		struct stat st;
		bool skipped = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
		for (size_t i = 0; i < n_skip && !skipped; i++)
			skipped = strcmp(e->d_name, skip[i]) == 0;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (skipped || lstat(path, &st) < 0)
			continue;
		snprintf(dst, sizeof(dst), "%s/%s", strcmp(dst_dir, "/") == 0 ? "" : dst_dir,
			 e->d_name);
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(path, target, sizeof(target) - 1);
			if (n < 0 || (target[n] = '\0', symlinkat(target, v->root_fd, dst + 1) < 0))
				r = err_set(errno, "symlink %s", dst);
		} else if (S_ISDIR(st.st_mode) && strcmp(dst, "/etc") == 0) {
			r = mount_etc(v, path, mp);
		} else if (S_ISDIR(st.st_mode) && strcmp(dst, "/var") == 0) {
			/* One level deeper, so that /var/tmp can be ours. */
			static const char *const var_skip[] = {"tmp"};
			_cleanup_close_ int fd = make_mountpoint(v, "/var", true);
			r = fd < 0 ? -1 : bind_entries(v, path, "/var", var_skip, 1, attrs, mp);
		} else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
			r = bind_at(v, path, dst, S_ISDIR(st.st_mode), attrs);
		}
	}
	closedir(d);
	return r;
}

/* --rootfs (read-only): the entries of DIR, one by one, into our root, so
 * that /proc, /dev, /tmp and the rest stay ours and DIR is never written. */
static int step_rootfs(const struct view *v, const struct mount_step *s,
		       const struct mount_plan *mp)
{
	static const char *const ours[] = {"proc", "dev", "sys", "tmp", "run"};
	char root[PATH_MAX];

	snprintf(root, sizeof(root), OLDROOT "%s", s->src);
	return bind_entries(v, root, "/", ours, ARRAY_SIZE(ours),
			    SBX_ATTR_NOSUID | SBX_ATTR_NODEV | SBX_ATTR_RDONLY, mp);
}

/* overlayfs writes the work dir and whiteouts with the mounter's
 * credentials, and everything in UPPER must belong to the user so that
 * `rm -rf UPPER` works afterwards: mount as the payload's fsuid.  In a
 * child, which shares pid 1's mount namespace: changing pid 1's own ids,
 * even the fsuid, clears its dumpable flag (prctl(2)), and slirp4netns,
 * joining pid 1's namespaces through /proc/1/ns at this very moment, then
 * gets EACCES.  0, or -1 with errno. */
static int mount_kernel_overlay(const struct view *v, const char *target, const char *opts)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		(void)setfsuid(v->uid);
		(void)setfsgid(v->gid);
		if (security_raise_effective() < 0 ||
		    mount("overlay", target, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
			_exit(errno > 0 && errno < 256 ? errno : EIO);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	errno = WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
	return -1;
}

/* --overlay DIR[:UPPER]: DIR copy-on-write at its own path.  Writes land
 * in UPPER (kept), or in a tmpfs of our own that dies with us.
 * Kernel overlayfs, or fuse-overlayfs where the kernel refuses it. */
static int step_overlay(const struct view *v, const struct mount_step *s,
			const struct mount_plan *mp)
{
	static unsigned int n_private, n_fuse;
	char state[PATH_MAX], lower[PATH_MAX], upper[PATH_MAX + 8], work[2 * PATH_MAX];
	char opts[4 * PATH_MAX + 64], path[64], scratch[64];
	_cleanup_free_ char *side = NULL, *work_rel = NULL, *marker_rel = NULL;
	const char *upper_rel;
	_cleanup_close_ int fd = -1;
	struct stat lst;

	if (s->aux) {
		/* UPPER itself, and its work directory beside it (see
		 * mounts_overlay_side()); fuse-overlayfs gets their parent. */
		const char *slash;
		if (!(side = mounts_overlay_side(s->aux)) || !(slash = strrchr(side, '/')))
			return -1;
		snprintf(state, sizeof(state), OLDROOT "%.*s", (int)(slash - side), side);
		upper_rel = strrchr(s->aux, '/') + 1;
		if (!(work_rel = xasprintf("%s/work", slash + 1)) ||
		    !(marker_rel = xasprintf("%s/" FUSEOVL_MARKER, slash + 1)))
			return -1;
	} else {
		char data[96];
		unsigned long long cap = mp->tmpfs_cap;
		snprintf(state, sizeof(state), FILES_DIR "/overlay%u", n_private++);
		snprintf(data, sizeof(data), "mode=0755,size=%llu,nr_inodes=%llu", cap,
			 cap / 4096 < 1024 ? 1024 : cap / 4096);
		if (mkdir(state, 0755) < 0 ||
		    mount("tmpfs", state, "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
			return err_set(errno, "tmpfs for --overlay %s", s->src);
		upper_rel = "upper";
		if (!(work_rel = xstrdup("work")))
			return -1;
	}
	snprintf(lower, sizeof(lower), OLDROOT "%s", s->src);
	snprintf(upper, sizeof(upper), "%s/%s", state, upper_rel);
	snprintf(work, sizeof(work), "%s/%s", state, work_rel);
	if (!s->aux && (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 ||
			chown(upper, v->uid, v->gid) < 0 || chown(work, v->uid, v->gid) < 0))
		return err_set(errno, "prepare --overlay %s", s->src);
	/* The overlay's root shows the upper directory's mode: make it DIR's. */
	if (stat(lower, &lst) < 0 || chmod(upper, lst.st_mode & 07777) < 0)
		return err_set(errno, "prepare --overlay %s", s->src);
	if ((fd = make_mountpoint(v, s->dst, true)) < 0)
		return -1;
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s,userxattr", lower, upper,
		 work);
	if (!mp->overlay_fuse && mount_kernel_overlay(v, fd_path(fd, path), opts) == 0)
		return 0;
	if (!mp->overlay_fuse)
		log_verbose("--overlay %s: the kernel refused overlayfs (%s)", s->src,
			    strerror(errno));
	snprintf(scratch, sizeof(scratch), FILES_DIR "/fuse%u", n_fuse++);
	struct fuseovl fo = {
	    .name = s->src,
	    .scratch = scratch,
	    .lower = lower,
	    .state = state,
	    .upper_rel = upper_rel,
	    .work_rel = work_rel,
	    .marker_rel = marker_rel,
	    .target = fd_path(fd, path),
	    .newroot = NEWROOT,
	    .fuse_dev = OLDROOT "/dev/fuse",
	    .uid = v->uid,
	    .gid = v->gid,
	};
	return fuseovl_mount(&fo);
}

static int apply_step(struct view *v, const struct mount_step *s, const struct mount_plan *mp)
{
	switch (s->kind) {
	case STEP_SYSDIR:
		return step_sysdir(v, s);
	case STEP_PROC:
		/* A procfs of this PID namespace; mounting it is allowed only
		 * because the host's /proc is still fully visible at /oldroot. */
		return mount_fs(v, s->dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	case STEP_DEV:
		return step_dev(v, s, mp->console, mp->tmpfs_cap);
	case STEP_SYS:
		/* sysfs of our own net namespace: /sys/class/net lists only ours. */
		return mount_fs(v, s->dst, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				NULL);
	case STEP_TMPFS:
		return step_tmpfs(v, s);
	case STEP_BIND:
		return step_bind(v, s);
	case STEP_ETC:
		return step_etc(v, s, mp);
	case STEP_ROOTFS:
		return step_rootfs(v, s, mp);
	case STEP_OVERLAY:
		return step_overlay(v, s, mp);
	}
	return err_set(EINVAL, "unknown mount step");
}

static bool parent_exists(const struct view *v, const char *dst)
{
	char parent[PATH_MAX];
	char *slash;
	int fd;

	snprintf(parent, sizeof(parent), "%s", dst);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return true;
	*slash = '\0';
	fd = open_in_root(v, parent, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return false;
	close_nointr(fd);
	return true;
}

static int scaffold(const char *rootfs_rw)
{
	/* Nothing we mount may propagate back to the host's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_set(errno, "make / private");
	if (mount("tmpfs", BASE_DIR, "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=0700,size=1m,nr_inodes=256") < 0)
		return err_set(errno, "mount scaffolding tmpfs on " BASE_DIR);
	if (chdir(BASE_DIR) < 0 || mkdir("newroot", 0755) < 0 || mkdir("oldroot", 0700) < 0 ||
	    mkdir("files", 0700) < 0)
		return err_set(errno, "prepare scaffolding");
	if (syscall(SYS_pivot_root, ".", "oldroot") < 0)
		return err_set(errno, "pivot_root into scaffolding");
	if (chdir("/") < 0)
		return err_set(errno, "chdir /");
	if (rootfs_rw) {
		/* --rootfs-rw: DIR itself is the root, writable; our mount points
		 * are made in it where missing. */
		char src[PATH_MAX];
		snprintf(src, sizeof(src), OLDROOT "%s", rootfs_rw);
		if (mount(src, NEWROOT, NULL, MS_BIND | MS_REC, NULL) < 0)
			return err_set(errno, "bind --rootfs %s", rootfs_rw);
		return 0;
	}
	if (mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=0755,size=1m,nr_inodes=4096") < 0)
		return err_set(errno, "mount root tmpfs");
	return 0;
}

static int enter_newroot(void)
{
	if (umount2(OLDROOT, MNT_DETACH) < 0)
		return err_set(errno, "detach the host's root");
	if (chdir(NEWROOT) < 0)
		return err_set(errno, "chdir " NEWROOT);
	/* pivot_root(".", ".") stacks the scaffolding on top of the new root;
	 * detaching "." then removes it (see pivot_root(2), NOTES). */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_set(errno, "pivot_root into the new root");
	if (umount2(".", MNT_DETACH) < 0)
		return err_set(errno, "detach the scaffolding");
	if (chdir("/") < 0)
		return err_set(errno, "chdir /");
	return 0;
}

int mounts_apply(const struct mount_plan *mp, uid_t uid, gid_t gid)
{
	struct view v = {.root_fd = -1,
			 .uid = uid,
			 .gid = gid,
			 .home = mp->home,
			 .user_tree = mp->rootfs_rw != NULL};
	int r = -1;

	for (size_t i = 0; i < mp->n; i++)
		if (mp->steps[i].kind == STEP_TMPFS && strcmp(mp->steps[i].dst, mp->home) == 0)
			v.home_tmpfs = true;
	if (scaffold(mp->rootfs_rw) < 0)
		return -1;
	v.root_fd = open(NEWROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (v.root_fd < 0)
		return err_set(errno, "open " NEWROOT);
	for (size_t i = 0; i < mp->n; i++) {
		log_verbose("mount step %zu: %s", i, mp->steps[i].dst);
		if (mp->steps[i].if_parent && !parent_exists(&v, mp->steps[i].dst))
			continue;
		if (apply_step(&v, &mp->steps[i], mp) < 0) {
			if (!mp->steps[i].optional)
				goto out;
			/* In a read-only --rootfs, $HOME or the cwd may have no
			 * place; the payload then starts in / (see init). */
			log_verbose("skipped %s: %s", mp->steps[i].dst, err_line());
		}
	}
	/* Nothing may be created at the top of the sandbox's tree (unless it
	 * is a --rootfs-rw, which is the point of that). */
	if (set_attrs_fd(v.root_fd,
			 (mp->rootfs_rw ? 0 : SBX_ATTR_RDONLY) | SBX_ATTR_NOSUID | SBX_ATTR_NODEV,
			 false) < 0) {
		err_set(errno, "make the new root read-only");
		goto out;
	}
	r = enter_newroot();
out:
	close_nointr(v.root_fd);
	return r;
}
