/* SPDX-License-Identifier: MIT */
/*
 * The walk of sbx diff: the upper directory read the way overlayfs merges
 * it (with userxattr, no redirect, no metacopy): a character device 0/0 is
 * a whiteout, a directory with user.overlay.opaque=y hides everything below
 * it in the lower layer, and a copied-up file that still matches the lower
 * one is no change.
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

void diff_list_free(struct diff_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
}

static int list_add(struct diff_list *l, const char *path, char change, mode_t mode)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct diff_entry *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return err_set(ENOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n].path = xstrdup(path)))
		return -1;
	l->v[l->n].change = change;
	l->v[l->n++].mode = mode;
	return 0;
}

/* strcmp compares unsigned chars. */
int diff_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct diff_entry *)a)->path, ((const struct diff_entry *)b)->path);
}

static char *path_join(const char *rel, const char *name)
{
	return xasprintf("%s%s%s", rel, *rel ? "/" : "", name);
}

/* Every walk opens with O_NOFOLLOW: a symlink in either layer is an entry
 * to report, never a way into another directory. */
DIR *diff_dir_open(int at, const char *name)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (fd >= 0 && !d)
		close_nointr(fd);
	return d;
}

static int side_stat(int dirfd, const char *name, struct diff_side *s)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (dirfd < 0)
		return 0;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	*s = (struct diff_side){true, st.st_mode, st.st_rdev, st.st_size};
	return 0;
}

static int files_equal(int upper_fd, int lower_fd, const char *name, bool *same)
{
	_cleanup_close_ int u = openat(upper_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int l = openat(lower_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *ub = malloc(DIFF_COPY_CHUNK_BYTES);
	_cleanup_free_ char *lb = malloc(DIFF_COPY_CHUNK_BYTES);
	ssize_t un, ln;

	if (u < 0 || l < 0)
		return -1;
	if (!ub || !lb)
		return errno = ENOMEM, -1;
	do {
		un = read_full(u, ub, DIFF_COPY_CHUNK_BYTES);
		ln = read_full(l, lb, DIFF_COPY_CHUNK_BYTES);
		if (un < 0 || ln < 0)
			return -1;
		if (un != ln || memcmp(ub, lb, (size_t)un) != 0) {
			*same = false;
			return 0;
		}
	} while (un > 0);
	*same = true;
	return 0;
}

static int same_content(int upper_fd, int lower_fd, const char *name, const struct diff_side *up,
			const struct diff_side *low, bool *same)
{
	char ut[PATH_MAX], lt[PATH_MAX];
	ssize_t un, ln;

	*same = true;
	if (!low->present || (low->mode & S_IFMT) != (up->mode & S_IFMT))
		return 0;
	if (S_ISREG(up->mode)) {
		if (up->size != low->size) {
			*same = false;
			return 0;
		}
		return files_equal(upper_fd, lower_fd, name, same);
	}
	if (!S_ISLNK(up->mode))
		return 0;
	un = readlinkat(upper_fd, name, ut, sizeof(ut));
	ln = readlinkat(lower_fd, name, lt, sizeof(lt));
	if (un < 0 || ln < 0)
		return -1;
	*same = un == ln && memcmp(ut, lt, (size_t)un) == 0;
	return 0;
}

static int walk_lower(struct diff_list *l, int lower_parent, const char *name, const char *rel,
		      int upper_fd);

/* lower/rel (named name in lower_fd) is gone: report it and all below. */
static int add_deleted(struct diff_list *l, int lower_fd, const char *name, const char *rel)
{
	struct diff_side low;

	if (side_stat(lower_fd, name, &low) < 0 || !low.present)
		return err_set(errno ? errno : ENOENT, "diff: %s", rel);
	if (list_add(l, rel, DIFF_DELETED, low.mode) < 0)
		return -1;
	return S_ISDIR(low.mode) ? walk_lower(l, lower_fd, name, rel, -1) : 0;
}

/* Report the entries of lower directory name that upper_fd does not have
 * (all of them when upper_fd is -1): what an opaque or deleted directory
 * hides. */
static int walk_lower(struct diff_list *l, int lower_parent, const char *name, const char *rel,
		      int upper_fd)
{
	_cleanup_closedir_ DIR *d = diff_dir_open(lower_parent, name);
	struct dirent *de;
	struct stat st;

	if (!d)
		return err_set(errno, "diff: open %s in the source", *rel ? rel : ".");
	while ((errno = 0, de = readdir(d))) {
		_cleanup_free_ char *child = NULL;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (upper_fd >= 0 && fstatat(upper_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (!(child = path_join(rel, de->d_name)) ||
		    add_deleted(l, dirfd(d), de->d_name, child) < 0)
			return -1;
	}
	return errno ? err_set(errno, "diff: read %s in the source", rel) : 0;
}

/* What the walk of one upper directory tree needs to know. */
struct walk {
	struct diff_list *l;
	bool fuse; /* written by fuse-overlayfs */
};

#define FUSE_WHITEOUT_PREFIX ".wh."
#define FUSE_OPAQUE_FILE ".wh..wh..opq"

static bool dir_is_opaque(const struct walk *w, int fd)
{
	static const char *const names[] = {"user.overlay.opaque", "trusted.overlay.opaque",
					    "user.fuseoverlayfs.opaque"};
	char v[4];

	for (size_t i = 0; i < ARRAY_SIZE(names) - !w->fuse; i++)
		if (fgetxattr(fd, names[i], v, sizeof(v)) == 1 && v[0] == 'y')
			return true;
	return w->fuse && faccessat(fd, FUSE_OPAQUE_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* fuse-overlayfs's own names in an upper directory: ".wh..wh..opq" (the
 * directory is opaque) and ".wh.NAME" where it could not make a 0/0 device
 * (NAME is deleted).  Neither is an entry the payload saw. */
static int fuse_special(const struct walk *w, int upper_fd, int lower_fd, const char *name,
			const char *rel, bool opaque)
{
	const char *victim = name + strlen(FUSE_WHITEOUT_PREFIX);
	_cleanup_free_ char *child = NULL;
	struct stat st;

	/* Below an opaque directory walk_upper() reports every lower entry. */
	if (strcmp(name, FUSE_OPAQUE_FILE) == 0 || opaque || lower_fd < 0 || *victim == '\0' ||
	    fstatat(upper_fd, victim, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    fstatat(lower_fd, victim, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (!(child = path_join(rel, victim)))
		return -1;
	return add_deleted(w->l, lower_fd, victim, child);
}

static int walk_upper(const struct walk *w, int upper_parent, const char *name, int lower_fd,
		      const char *rel, bool opaque);

static int walk_entry(const struct walk *w, int upper_fd, int lower_fd, const char *name,
		      const char *rel, bool opaque)
{
	_cleanup_close_ int low_sub = -1;
	struct diff_side up, low;
	enum diff_change c;
	bool same;

	if (side_stat(upper_fd, name, &up) < 0 || !up.present)
		return err_set(errno ? errno : ENOENT, "diff: upper/%s", rel);
	if (side_stat(lower_fd, name, &low) < 0)
		return err_set(errno, "diff: %s in the source", rel);
	if (same_content(upper_fd, lower_fd, name, &up, &low, &same) < 0)
		return err_set(errno, "diff: compare %s", rel);
	c = diff_classify(&low, &up, same);
	if (c != DIFF_NONE &&
	    list_add(w->l, rel, (char)c, c == DIFF_DELETED ? low.mode : up.mode) < 0)
		return -1;
	if (!low.present || !S_ISDIR(low.mode))
		return S_ISDIR(up.mode) ? walk_upper(w, upper_fd, name, -1, rel, opaque) : 0;
	/* A whiteout or a non-directory over a directory hides it all. */
	if (!S_ISDIR(up.mode))
		return walk_lower(w->l, lower_fd, name, rel, -1);
	low_sub = openat(lower_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (low_sub < 0)
		return err_set(errno, "diff: open %s in the source", rel);
	return walk_upper(w, upper_fd, name, low_sub, rel, opaque);
}

/* Upper directory name and lower_fd (-1: no lower directory) are the same
 * directory of both layers.  Below an opaque directory the kernel looks at
 * no lower layer at all, so opacity is inherited. */
static int walk_upper(const struct walk *w, int upper_parent, const char *name, int lower_fd,
		      const char *rel, bool opaque)
{
	_cleanup_closedir_ DIR *d = diff_dir_open(upper_parent, name);
	struct dirent *de;

	if (!d)
		return err_set(errno, "diff: open upper/%s", rel);
	opaque = opaque || dir_is_opaque(w, dirfd(d));
	while ((errno = 0, de = readdir(d))) {
		_cleanup_free_ char *child = NULL;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (w->fuse &&
		    strncmp(de->d_name, FUSE_WHITEOUT_PREFIX, strlen(FUSE_WHITEOUT_PREFIX)) == 0) {
			if (fuse_special(w, dirfd(d), lower_fd, de->d_name, rel, opaque) < 0)
				return -1;
			continue;
		}
		if (!(child = path_join(rel, de->d_name)) ||
		    walk_entry(w, dirfd(d), lower_fd, de->d_name, child, opaque) < 0)
			return -1;
	}
	if (errno)
		return err_set(errno, "diff: read upper/%s", rel);
	if (opaque && lower_fd >= 0)
		return walk_lower(w->l, lower_fd, ".", rel, dirfd(d));
	return 0;
}

int diff_walk(int upper_fd, int lower_fd, bool fuse, struct diff_list *l)
{
	struct walk w = {.l = l, .fuse = fuse};

	if (walk_upper(&w, upper_fd, ".", lower_fd, "", false) < 0)
		return -1;
	if (l->n > 0)
		qsort(l->v, l->n, sizeof(*l->v), diff_entry_cmp);
	return 0;
}
