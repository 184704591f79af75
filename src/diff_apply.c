/* SPDX-License-Identifier: MIT */
/*
 * sbx diff --apply: copy the changes a walk found into DIR.  Everything is
 * checked first; then DIR changes one entry at a time, each resolved below
 * DIR without following any symlink already there.
 */
#define _GNU_SOURCE
#include "diff_impl.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Resolve path below dir_fd refusing every symlink on the way, so a
 * planted DIR/a -> /etc cannot turn a/b into /etc/b (openat2(2)). */
static int open_beneath(int dir_fd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
}

/* The directory holding path, as an O_PATH descriptor; *name is the last
 * component. */
static int open_parent(int dir_fd, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *parent = slash ? strndup(path, (size_t)(slash - path)) : NULL;

	*name = slash ? slash + 1 : path;
	if (slash && !parent)
		return errno = ENOMEM, -1;
	return open_beneath(dir_fd, parent ? parent : ".", O_PATH | O_DIRECTORY);
}

/* Does the plan itself create or remove an ancestor of path?  Then what
 * DIR holds there now does not matter: it is replaced without following. */
static bool ancestor_replaced(const struct diff_list *l, const char *path)
{
	char buf[PATH_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	while ((slash = strrchr(buf, '/'))) {
		struct diff_entry key = {.path = buf}, *e;

		*slash = '\0';
		e = bsearch(&key, l->v, l->n, sizeof(*e), diff_entry_cmp);
		if (e && e->change != DIFF_MODIFIED)
			return true;
	}
	return false;
}

static int check_entry(const struct diff_apply *a, const struct diff_list *l,
		       const struct diff_entry *e)
{
	_cleanup_close_ int parent = -1, src = -1;
	char target[PATH_MAX];
	const char *name;
	ssize_t n;

	if (e->change != DIFF_DELETED && !S_ISREG(e->mode) && !S_ISDIR(e->mode) &&
	    !S_ISLNK(e->mode))
		return err_set(0, "diff: refusing to apply %s: a device node, socket or fifo",
			       e->path);
	if (S_ISLNK(e->mode) && e->change != DIFF_DELETED) {
		if ((parent = open_parent(a->upper_fd, e->path, &name)) < 0 ||
		    (n = readlinkat(parent, name, target, sizeof(target) - 1)) < 0)
			return err_set(errno, "diff: read upper/%s", e->path);
		target[n] = '\0';
		if (diff_symlink_escapes(e->path, target))
			return err_set(
			    0, "diff: refusing to apply symlink %s -> %s: it points outside %s",
			    e->path, target, a->dir);
	}
	if (S_ISREG(e->mode) && e->change != DIFF_DELETED &&
	    (src = open_beneath(a->upper_fd, e->path, O_RDONLY | O_NOFOLLOW)) < 0)
		return err_set(errno, "diff: open upper/%s", e->path);
	if (ancestor_replaced(l, e->path))
		return 0;
	if ((parent = open_parent(a->dir_fd, e->path, &name)) >= 0)
		return 0;
	if (e->change == DIFF_DELETED && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (errno == ELOOP)
		err_set(0, "diff: refusing to apply %s: its path in %s goes through a symlink",
			e->path, a->dir);
	else
		err_set(errno, "diff: %s/%s", a->dir, e->path);
	return -1;
}

/* Remove name below parent and everything in it, never following. */
static int remove_tree(int parent, const char *name)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	if (!(d = diff_dir_open(parent, name)))
		return -1;
	/* A read-only directory (a Go module cache) could not be emptied. */
	(void)fchmod(dirfd(d), 0700);
	while ((errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    remove_tree(dirfd(d), de->d_name) < 0)
			return -1;
	if (errno)
		return -1;
	return unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -1 : 0;
}

/* rename(2) cannot replace a directory with a non-directory. */
static int remove_tree_if_dir(int parent, const char *name)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	return S_ISDIR(st.st_mode) ? remove_tree(parent, name) : 0;
}

static int copy_fd(int src, int dst)
{
	_cleanup_free_ char *buf = malloc(DIFF_COPY_CHUNK_BYTES);
	ssize_t n;

	if (!buf)
		return errno = ENOMEM, -1;
	while ((n = read_full(src, buf, DIFF_COPY_CHUNK_BYTES)) > 0)
		if (write_full(dst, buf, (size_t)n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

/* Write the new file or symlink under a fresh name, then rename it over
 * the old one: writing in place would also change every hard link to it,
 * possibly one planted to a file outside DIR. */
static int put_nondir(struct diff_apply *a, int parent, const char *name,
		      const struct diff_entry *e)
{
	_cleanup_close_ int up_parent = -1, src = -1, dst = -1;
	char tmp[64], target[PATH_MAX];
	const char *up_name;
	ssize_t n;
	int r = 0;

	snprintf(tmp, sizeof(tmp), ".sbx-apply.%d.%u", (int)getpid(), a->tmp_seq++);
	if (S_ISLNK(e->mode)) {
		if ((up_parent = open_parent(a->upper_fd, e->path, &up_name)) < 0 ||
		    (n = readlinkat(up_parent, up_name, target, sizeof(target) - 1)) < 0)
			return -1;
		target[n] = '\0';
		if (symlinkat(target, parent, tmp) < 0)
			return -1;
	} else {
		src = open_beneath(a->upper_fd, e->path, O_RDONLY | O_NOFOLLOW);
		dst = src < 0 ? -1
			      : openat(parent, tmp,
				       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (dst < 0)
			return -1;
		r = copy_fd(src, dst) < 0 || fchmod(dst, e->mode & 07777) < 0 ? -1 : 0;
	}
	if (r == 0 && remove_tree_if_dir(parent, name) == 0 &&
	    renameat(parent, tmp, parent, name) == 0)
		return 0;
	r = errno;
	(void)unlinkat(parent, tmp, 0);
	errno = r;
	return -1;
}

/* A new directory is made 0700 and gets its mode at the end, so children
 * can still be written into one that ends up read-only. */
static int put_dir(int parent, const char *name)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		if (unlinkat(parent, name, 0) < 0)
			return -1;
	} else if (errno != ENOENT) {
		return -1;
	}
	return mkdirat(parent, name, 0700);
}

static const char *apply_verb(const struct diff_entry *e)
{
	if (e->change == DIFF_DELETED)
		return "remove";
	if (S_ISDIR(e->mode))
		return e->change == DIFF_MODIFIED ? "chmod" : "mkdir";
	return S_ISLNK(e->mode) ? "symlink" : "copy";
}

static void print_would(const struct diff_apply *a, const struct diff_entry *e)
{
	if (a->json) {
		printf("{\"would\": \"%s\", \"path\": ", apply_verb(e));
		diff_json_string(stdout, e->path);
		printf(", \"mode\": \"%04o\"}\n", (unsigned int)(e->mode & 07777));
		return;
	}
	printf("would %s ", apply_verb(e));
	if (S_ISDIR(e->mode) && e->change != DIFF_DELETED)
		printf("%04o ", (unsigned int)(e->mode & 07777));
	diff_text_path(stdout, e->path);
	putchar('\n');
}

static int apply_entry(struct diff_apply *a, const struct diff_list *l, const struct diff_entry *e)
{
	_cleanup_close_ int parent = -1;
	const char *name;
	int r;

	if (a->dry_run) {
		print_would(a, e);
		return 0;
	}
	/* Removed already, with the directory it was in. */
	if (e->change == DIFF_DELETED && ancestor_replaced(l, e->path))
		return 0;
	parent = open_parent(a->dir_fd, e->path, &name);
	if (parent < 0 && e->change == DIFF_DELETED && (errno == ENOENT || errno == ENOTDIR))
		return 0; /* went with a directory removed before it */
	if (parent < 0)
		return err_set(errno, "diff: apply %s/%s", a->dir, e->path);
	if (e->change == DIFF_DELETED)
		r = remove_tree(parent, name);
	else if (S_ISDIR(e->mode))
		r = put_dir(parent, name);
	else
		r = put_nondir(a, parent, name, e);
	return r < 0 ? err_set(errno, "diff: apply %s/%s", a->dir, e->path) : 0;
}

/* Directory modes last, deepest first: a parent made 0500 early would
 * refuse its children, one made 0600 would refuse even their chmod. */
static int apply_dir_modes(struct diff_apply *a, const struct diff_list *l)
{
	for (size_t i = l->n; i-- > 0;) {
		const struct diff_entry *e = &l->v[i];
		_cleanup_close_ int parent = -1;
		const char *name;

		if (e->change == DIFF_DELETED || !S_ISDIR(e->mode))
			continue;
		/* glibc does AT_SYMLINK_NOFOLLOW through an O_PATH descriptor. */
		if ((parent = open_parent(a->dir_fd, e->path, &name)) < 0 ||
		    fchmodat(parent, name, e->mode & 07777, AT_SYMLINK_NOFOLLOW) < 0)
			return err_set(errno, "diff: chmod %s/%s", a->dir, e->path);
	}
	return 0;
}

int diff_apply_all(struct diff_apply *a, const struct diff_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (apply_entry(a, l, &l->v[i]) < 0)
			return -1;
	return a->dry_run ? 0 : apply_dir_modes(a, l);
}

int diff_apply_check(const struct diff_apply *a, const struct diff_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (check_entry(a, l, &l->v[i]) < 0)
			return -1;
	return 0;
}
