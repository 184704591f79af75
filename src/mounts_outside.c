/* SPDX-License-Identifier: MIT */
/*
 * The part of the mount plan that runs outside, in sbx itself: before
 * clone, bind sources and --overlay directories are resolved (no symlinks)
 * and their UPPER directories made or checked while the caller's view is
 * still in place; after the sandbox is gone, the work directory is left
 * deletable.
 */
#define _GNU_SOURCE
#include "kernel_api.h"
#include "log.h"
#include "mounts.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Join a relative path to dir and fold "." and ".." lexically.  That is
 * the path's real meaning only because the caller then opens it with
 * RESOLVE_NO_SYMLINKS: with no symlink anywhere, ".." is the parent. */
static char *absolute_lexical(const char *dir, const char *path)
{
	_cleanup_free_ char *joined =
	    path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", dir, path);
	char *out, *w;

	if (!joined || !(out = malloc(strlen(joined) + 2)))
		return NULL;
	w = out;
	for (char *seg = strtok(joined, "/"); seg; seg = strtok(NULL, "/")) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			while (w > out && *--w != '/')
				;
			continue;
		}
		*w++ = '/';
		w = stpcpy(w, seg);
	}
	if (w == out)
		*w++ = '/';
	*w = '\0';
	return out;
}

/*
 * A bind source is opened here, before anything runs, with no symlink
 * allowed anywhere in its path, and mounted later through that very
 * descriptor.  A symlink planted in a shared directory by an earlier run
 * (project/data -> ~/.ssh) can therefore neither redirect a later --bind
 * nor swap the target between check and mount (flatpak CVE-2024-42472).
 */
int mounts_resolve_sources(struct plan *plan, const char *cwd)
{
	for (size_t i = 0; i < plan->n_mounts; i++) {
		struct user_mount *m = &plan->mounts[i];
		const char *opt = m->kind == MOUNT_BIND ? "bind" : "ro-bind";
		struct sbx_open_how how = {
		    .flags = O_PATH | O_CLOEXEC,
		    .resolve = SBX_RESOLVE_NO_SYMLINKS | SBX_RESOLVE_NO_MAGICLINKS,
		};
		char *abs;

		if (m->kind == MOUNT_TMPFS)
			continue;
		if (!(abs = absolute_lexical(cwd, m->src)))
			return err_set(ENOMEM, "out of memory");
		m->src_fd = (int)syscall(SYS_openat2, AT_FDCWD, abs, &how, sizeof(how));
		if (m->src_fd < 0) {
			int e = errno;
			free(abs);
			if (e == ELOOP) {
				err_set(0, "bind source %s is or passes through a symlink", m->src);
				err_hint(
				    "give --%s the real path, e.g. $(realpath %s), if you trust it",
				    opt, m->src);
			} else {
				err_set(e, "bind source %s", m->src);
				err_hint("check the path given to --%s", opt);
			}
			return -1;
		}
		free(m->src);
		m->src = abs;
		if (!m->dst && !(m->dst = xstrdup(abs)))
			return -1;
	}
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	if (strlen(path) >= sizeof(buf))
		return err_set(ENAMETOOLONG, "%s", path);
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return err_set(errno, "create %s", buf);
			*p = '/';
		}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return err_set(errno, "create %s", buf);
	return 0;
}

char *mounts_overlay_side(const char *upper)
{
	size_t n = strlen(upper);
	const char *slash;

	while (n > 1 && upper[n - 1] == '/')
		n--;
	slash = memrchr(upper, '/', n);
	if (n == 0 || (slash && slash == upper + n - 1) || (n == 1 && upper[0] == '/')) {
		err_set(EINVAL, "--overlay upper directory '%s'", upper);
		return NULL;
	}
	if (!slash)
		return xasprintf(".%.*s" OVERLAY_SIDE_SUFFIX, (int)n, upper);
	return xasprintf("%.*s/.%.*s" OVERLAY_SIDE_SUFFIX, (int)(slash - upper), upper,
			 (int)(n - (size_t)(slash - upper) - 1), slash + 1);
}

/* UPPER (created if missing) and, beside it, .NAME.sbx-work with work/ and
 * source (DIR's path): reused by later runs over the same DIR, read by
 * sbx diff. */
static int prepare_upper(const char *dir, const char *upper)
{
	_cleanup_free_ char *side = mounts_overlay_side(upper);
	_cleanup_free_ char *work = side ? xasprintf("%s/work", side) : NULL;
	_cleanup_free_ char *source = side ? xasprintf("%s/source", side) : NULL;
	_cleanup_free_ char *line = xasprintf("%s\n", dir);
	char old[PATH_MAX + 2];
	int fd;

	if (!side || !work || !source || !line)
		return -1;
	/* overlayfs refuses layers inside one another, and so do we, first. */
	if (path_is_within(upper, dir) || path_is_within(dir, upper)) {
		err_set(0, "--overlay %s:%s: the upper directory must be outside the directory",
			dir, upper);
		err_hint("e.g. --overlay %s:%s.sbx", dir, dir);
		return -1;
	}
	if (mkdir_p(upper, 0755) < 0 || mkdir_p(side, 0700) < 0 || mkdir_p(work, 0700) < 0)
		return -1;
	fd = open(source, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read_full(fd, old, sizeof(old) - 1);
		close_nointr(fd);
		old[n > 0 ? n : 0] = '\0';
		if (strcmp(old, line) != 0) {
			err_set(0, "--overlay upper directory %s belongs to %.*s, not %s", upper,
				(int)strcspn(old, "\n"), old, dir);
			err_hint("give each directory its own upper directory");
			return -1;
		}
		return 0;
	}
	fd = open(source, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write_full(fd, line, strlen(line)) < 0) {
		int e = errno;
		if (fd >= 0)
			close_nointr(fd);
		return err_set(e, "write %s", source);
	}
	close_nointr(fd);
	return 0;
}

int mounts_resolve_overlays(struct plan *plan, const char *cwd)
{
	for (size_t i = 0; i < plan->n_overlays; i++) {
		struct overlay_req *o = &plan->overlays[i];
		struct sbx_open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
					   .resolve =
					       SBX_RESOLVE_NO_SYMLINKS | SBX_RESOLVE_NO_MAGICLINKS};
		char *abs = absolute_lexical(cwd, o->dir);
		int fd;

		if (!abs)
			return err_set(ENOMEM, "out of memory");
		free(o->dir);
		o->dir = abs;
		fd = (int)syscall(SYS_openat2, AT_FDCWD, abs, &how, sizeof(how));
		if (fd < 0) {
			err_set(errno, "--overlay %s", abs);
			if (errno == ELOOP)
				err_hint("it is or passes through a symlink; give the real path");
			return -1;
		}
		close_nointr(fd);
		if (o->state) {
			char *st = absolute_lexical(cwd, o->state);
			if (!st)
				return err_set(ENOMEM, "out of memory");
			free(o->state);
			o->state = st;
		}
		/* overlayfs splits its options on ',' and ':'. */
		if (strpbrk(o->dir, ",:") || (o->state && strpbrk(o->state, ",:")))
			return err_set(0, "--overlay %s: paths with ',' or ':' cannot be overlaid",
				       o->dir);
		if (o->state && prepare_upper(o->dir, o->state) < 0)
			return -1;
	}
	if (plan->rootfs) {
		char *real = realpath(plan->rootfs, NULL);
		struct stat st;
		if (!real || stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
			err_set(real ? ENOTDIR : errno, "--rootfs %s", plan->rootfs);
			free(real);
			return -1;
		}
		free(plan->rootfs);
		plan->rootfs = real;
	}
	return 0;
}

void mounts_overlays_done(const struct plan *plan)
{
	/* overlayfs leaves work/work mode 000; open it back up so that
	 * `rm -rf .NAME.sbx-work` works without a chmod first. */
	for (size_t i = 0; i < plan->n_overlays; i++) {
		_cleanup_free_ char *side = NULL, *w = NULL;
		if (plan->overlays[i].state &&
		    (side = mounts_overlay_side(plan->overlays[i].state)) &&
		    (w = xasprintf("%s/work/work", side)))
			(void)chmod(w, 0700);
	}
}
