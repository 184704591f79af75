/* SPDX-License-Identifier: MIT */
/*
 * sbx diff STATE [--json] [--apply DIR [--dry-run]]
 *
 * Reads the overlayfs upper directory the way the kernel merges it (with
 * userxattr, no redirect, no metacopy): a character device 0/0 is a
 * whiteout, a directory with user.overlay.opaque=y hides everything below
 * it in the lower layer, and a copied-up file that still matches the lower
 * one is no change.  The walk happens first and yields a sorted list; the
 * report and --apply both read only that list.
 */
#define _GNU_SOURCE
#include "diff.h"
#include "log.h"
#include "status.h"
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

#define DIFF_COPY_CHUNK_BYTES 65536

static const char diff_usage[] = "usage: sbx diff STATE [--json] [--apply DIR [--dry-run]]\n";

static inline void cleanup_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
#define _cleanup_closedir_ __attribute__((cleanup(cleanup_closedirp)))

/* ---- pure parts ------------------------------------------------------- */

bool diff_is_whiteout(const struct diff_side *s)
{
	return s->present && S_ISCHR(s->mode) && major(s->rdev) == 0 && minor(s->rdev) == 0;
}

enum diff_change diff_classify(const struct diff_side *lower, const struct diff_side *upper,
			       bool same_content)
{
	if (!upper->present)
		return DIFF_NONE;
	/* A whiteout over nothing is left behind by create-then-delete. */
	if (diff_is_whiteout(upper))
		return lower->present ? DIFF_DELETED : DIFF_NONE;
	if (!lower->present)
		return DIFF_ADDED;
	if ((lower->mode & S_IFMT) != (upper->mode & S_IFMT))
		return DIFF_TYPE_CHANGED;
	/* A symlink's own mode is always 0777 and means nothing. */
	if (S_ISLNK(upper->mode))
		return same_content ? DIFF_NONE : DIFF_MODIFIED;
	if ((lower->mode & 07777) != (upper->mode & 07777))
		return DIFF_MODIFIED;
	if (S_ISREG(upper->mode))
		return same_content ? DIFF_NONE : DIFF_MODIFIED;
	if ((S_ISCHR(upper->mode) || S_ISBLK(upper->mode)) && lower->rdev != upper->rdev)
		return DIFF_MODIFIED;
	return DIFF_NONE;
}

const char *diff_type_name(mode_t mode)
{
	if (S_ISREG(mode))
		return "file";
	if (S_ISDIR(mode))
		return "dir";
	if (S_ISLNK(mode))
		return "symlink";
	return "other";
}

bool diff_symlink_escapes(const char *link_path, const char *target)
{
	long depth = 0;
	bool named = false;

	if (target[0] == '/' || target[0] == '\0')
		return true;
	for (const char *p = link_path; *p; p++)
		depth += *p == '/';
	for (const char *c = target; *c;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (named || --depth < 0)
				return true;
		} else if (n > 0 && !(n == 1 && c[0] == '.')) {
			named = true;
		}
		c += n + (c[n] == '/');
	}
	return false;
}

/* Length of the valid UTF-8 sequence at s, or 0 (overlong forms,
 * surrogates and values past U+10FFFF are not valid). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned int cp;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		/* Also stops at the terminating NUL. */
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void diff_json_string(FILE *out, const char *s)
{
	static const char short_esc[] = "\bb\ff\nn\rr\tt\"\"\\\\";
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	while (*p) {
		const char *e = *p < 0x80 ? strchr(short_esc, *p) : NULL;
		size_t n;

		if (e && (e - short_esc) % 2 == 0) {
			fputc('\\', out);
			fputc(e[1], out);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p);
		} else if (*p < 0x80) {
			fputc(*p, out);
		} else if ((n = utf8_len(p)) > 0) {
			fwrite(p, 1, n, out);
			p += n;
			continue;
		} else {
			fprintf(out, "\\u%04x", *p);
		}
		p++;
	}
	fputc('"', out);
}

void diff_text_path(FILE *out, const char *s)
{
	static const char short_esc[] = "\aa\bb\tt\nn\vv\ff\rr\"\"\\\\";
	const unsigned char *p = (const unsigned char *)s;

	if (!s[strcspn(s,
		       "\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
		       "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177\"\\")]) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *p; p++) {
		const char *e = strchr(short_esc, *p);

		if (e && (e - short_esc) % 2 == 0)
			fprintf(out, "\\%c", e[1]);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\%03o", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* ---- the walk: upper against lower, into a sorted list ---------------- */

struct diff_entry {
	char *path;  /* relative to DIR */
	char change; /* enum diff_change */
	mode_t mode; /* of the new entry; of the removed one for D */
};

struct diff_list {
	struct diff_entry *v;
	size_t n, cap;
};

static void list_free(struct diff_list *l)
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

/* Byte order, as the report promises; strcmp compares unsigned chars. */
static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct diff_entry *)a)->path, ((const struct diff_entry *)b)->path);
}

static char *path_join(const char *rel, const char *name)
{
	return xasprintf("%s%s%s", rel, *rel ? "/" : "", name);
}

/* Every walk opens with O_NOFOLLOW: a symlink in either layer is an entry
 * to report, never a way into another directory. */
static DIR *dir_open(int at, const char *name)
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
	_cleanup_closedir_ DIR *d = dir_open(lower_parent, name);
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

static bool dir_is_opaque(int fd)
{
	static const char *const names[] = {"user.overlay.opaque", "trusted.overlay.opaque"};
	char v[4];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (fgetxattr(fd, names[i], v, sizeof(v)) == 1 && v[0] == 'y')
			return true;
	return false;
}

static int walk_upper(struct diff_list *l, int upper_parent, const char *name, int lower_fd,
		      const char *rel, bool opaque);

static int walk_entry(struct diff_list *l, int upper_fd, int lower_fd, const char *name,
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
	if (c != DIFF_NONE && list_add(l, rel, (char)c, c == DIFF_DELETED ? low.mode : up.mode) < 0)
		return -1;
	if (!low.present || !S_ISDIR(low.mode))
		return S_ISDIR(up.mode) ? walk_upper(l, upper_fd, name, -1, rel, opaque) : 0;
	/* A whiteout or a non-directory over a directory hides it all. */
	if (!S_ISDIR(up.mode))
		return walk_lower(l, lower_fd, name, rel, -1);
	low_sub = openat(lower_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (low_sub < 0)
		return err_set(errno, "diff: open %s in the source", rel);
	return walk_upper(l, upper_fd, name, low_sub, rel, opaque);
}

/* Upper directory name and lower_fd (-1: no lower directory) are the same
 * directory of both layers.  Below an opaque directory the kernel looks at
 * no lower layer at all, so opacity is inherited. */
static int walk_upper(struct diff_list *l, int upper_parent, const char *name, int lower_fd,
		      const char *rel, bool opaque)
{
	_cleanup_closedir_ DIR *d = dir_open(upper_parent, name);
	struct dirent *de;

	if (!d)
		return err_set(errno, "diff: open upper/%s", rel);
	opaque = opaque || dir_is_opaque(dirfd(d));
	while ((errno = 0, de = readdir(d))) {
		_cleanup_free_ char *child = NULL;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!(child = path_join(rel, de->d_name)) ||
		    walk_entry(l, dirfd(d), lower_fd, de->d_name, child, opaque) < 0)
			return -1;
	}
	if (errno)
		return err_set(errno, "diff: read upper/%s", rel);
	if (opaque && lower_fd >= 0)
		return walk_lower(l, lower_fd, ".", rel, dirfd(d));
	return 0;
}

/* ---- --apply: check everything, then change DIR ----------------------- */

struct apply {
	int upper_fd;
	int dir_fd;
	const char *dir;
	bool dry_run, json;
	unsigned int tmp_seq;
};

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
		e = bsearch(&key, l->v, l->n, sizeof(*e), entry_cmp);
		if (e && e->change != DIFF_MODIFIED)
			return true;
	}
	return false;
}

static int check_entry(const struct apply *a, const struct diff_list *l, const struct diff_entry *e)
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
	if (!(d = dir_open(parent, name)))
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
static int put_nondir(struct apply *a, int parent, const char *name, const struct diff_entry *e)
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

static void print_would(const struct apply *a, const struct diff_entry *e)
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

static int apply_entry(struct apply *a, const struct diff_list *l, const struct diff_entry *e)
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
static int apply_dir_modes(struct apply *a, const struct diff_list *l)
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

static int apply_all(struct apply *a, const struct diff_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (apply_entry(a, l, &l->v[i]) < 0)
			return -1;
	return a->dry_run ? 0 : apply_dir_modes(a, l);
}

/* ---- the command ------------------------------------------------------ */

struct diff_opts {
	const char *state, *apply_dir;
	bool json, dry_run, help;
};

static int parse_opts(int argc, char **argv, struct diff_opts *o)
{
	bool options = true;

	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (options && strcmp(s, "--") == 0)
			options = false;
		else if (options && strcmp(s, "--json") == 0)
			o->json = true;
		else if (options && strcmp(s, "--dry-run") == 0)
			o->dry_run = true;
		else if (options && (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0))
			o->help = true;
		else if (options && strncmp(s, "--apply=", 8) == 0)
			o->apply_dir = s + 8;
		else if (options && strcmp(s, "--apply") == 0) {
			if (++i == argc)
				return err_set(0, "diff: --apply needs a directory");
			o->apply_dir = argv[i];
		} else if (options && s[0] == '-' && s[1] != '\0')
			return err_set(0, "diff: unknown option %s", s);
		else if (o->state)
			return err_set(0, "diff: unexpected argument %s", s);
		else
			o->state = s;
	}
	if (o->help)
		return 0;
	if (!o->state)
		return err_set(0, "diff: missing the STATE directory (%s)",
			       "sbx diff STATE [--json]");
	if (o->dry_run && !o->apply_dir)
		return err_set(0, "diff: --dry-run needs --apply DIR");
	if (o->apply_dir && !o->apply_dir[0])
		return err_set(0, "diff: --apply needs a directory");
	return 0;
}

/* STATE/source: the real path of DIR, one line. */
static int open_source(int state_fd, const char *state)
{
	_cleanup_close_ int fd = openat(state_fd, "source", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char buf[PATH_MAX + 1];
	ssize_t n;
	int src;

	if (fd < 0 || (n = read_full(fd, buf, sizeof(buf) - 1)) < 0) {
		err_set(errno, "diff: %s/source", state);
		err_hint("not a state directory of sbx run --overlay DIR:STATE");
		return -1;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (buf[0] != '/' || strlen(buf) != (size_t)n)
		return err_set(0, "diff: %s/source does not hold an absolute path", state);
	if ((src = open(buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set(errno, "diff: source directory %s", buf);
	return src;
}

static void print_entry(const struct diff_entry *e, bool json)
{
	if (json) {
		printf("{\"change\": \"%c\", \"path\": ", e->change);
		diff_json_string(stdout, e->path);
		printf(", \"type\": \"%s\"}\n", diff_type_name(e->mode));
		return;
	}
	printf("%c ", e->change);
	diff_text_path(stdout, e->path);
	putchar('\n');
}

static int diff_run(const struct diff_opts *o, struct diff_list *l)
{
	_cleanup_close_ int state_fd = open(o->state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int upper_fd = -1, lower_fd = -1, dir_fd = -1;
	struct apply a = {.dir = o->apply_dir, .dry_run = o->dry_run, .json = o->json};

	if (state_fd < 0)
		return err_set(errno, "diff: %s", o->state);
	upper_fd = openat(state_fd, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (upper_fd < 0) {
		err_set(errno, "diff: %s/upper", o->state);
		err_hint("not a state directory of sbx run --overlay DIR:STATE");
		return -1;
	}
	if ((lower_fd = open_source(state_fd, o->state)) < 0 ||
	    walk_upper(l, upper_fd, ".", lower_fd, "", false) < 0)
		return -1;
	if (l->n > 0)
		qsort(l->v, l->n, sizeof(*l->v), entry_cmp);
	if (o->apply_dir) {
		dir_fd = open(o->apply_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir_fd < 0)
			return err_set(errno, "diff: --apply %s", o->apply_dir);
		a.upper_fd = upper_fd;
		a.dir_fd = dir_fd;
		for (size_t i = 0; i < l->n; i++)
			if (check_entry(&a, l, &l->v[i]) < 0)
				return -1;
	}
	for (size_t i = 0; i < l->n; i++)
		print_entry(&l->v[i], o->json);
	/* The report is out before DIR changes: a failure halfway is then
	 * against a list the user has seen. */
	if (fflush(stdout) != 0)
		return err_set(errno, "diff: write the report");
	return o->apply_dir ? apply_all(&a, l) : 0;
}

int diff_main(int argc, char **argv)
{
	struct diff_opts o = {0};
	struct diff_list l = {0};
	int r;

	if (parse_opts(argc, argv, &o) < 0) {
		err_print();
		return EXIT_SBX_FAILED;
	}
	if (o.help) {
		fputs(diff_usage, stdout);
		return 0;
	}
	r = diff_run(&o, &l);
	list_free(&l);
	if (r == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		r = err_set(errno, "diff: write the report");
	if (r < 0) {
		err_print();
		return EXIT_SBX_FAILED;
	}
	return 0;
}
