/* SPDX-License-Identifier: MIT */
/*
 * sbx diff UPPER [--json] [--apply DIR [--dry-run]]
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
#include "diff_impl.h"
#include "fuseovl.h"
#include "log.h"
#include "mounts.h"
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

static const char diff_usage[] = "usage: sbx diff UPPER [--json] [--apply DIR [--dry-run]]\n";

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
		return err_set(0, "diff: missing the UPPER directory (%s)",
			       "sbx diff UPPER [--json]");
	if (o->dry_run && !o->apply_dir)
		return err_set(0, "diff: --dry-run needs --apply DIR");
	if (o->apply_dir && !o->apply_dir[0])
		return err_set(0, "diff: --apply needs a directory");
	return 0;
}

/* .NAME.sbx-work/source beside UPPER: the real path of DIR, one line. */
static int open_source(int side_fd, const char *side)
{
	_cleanup_close_ int fd = openat(side_fd, "source", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char buf[PATH_MAX + 1];
	ssize_t n;
	int src;

	if (fd < 0 || (n = read_full(fd, buf, sizeof(buf) - 1)) < 0) {
		err_set(errno, "diff: %s/source", side);
		err_hint("not the upper directory of an sbx run --overlay DIR:UPPER");
		return -1;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (buf[0] != '/' || strlen(buf) != (size_t)n)
		return err_set(0, "diff: %s/source does not hold an absolute path", side);
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
	_cleanup_free_ char *side = mounts_overlay_side(o->state);
	_cleanup_close_ int upper_fd = open(o->state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int side_fd = -1, lower_fd = -1, dir_fd = -1;
	struct diff_apply a = {.dir = o->apply_dir, .dry_run = o->dry_run, .json = o->json};
	bool fuse;

	if (!side)
		return -1;
	if (upper_fd < 0)
		return err_set(errno, "diff: %s", o->state);
	side_fd = open(side, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (side_fd < 0) {
		err_set(errno, "diff: %s", side);
		err_hint("not the upper directory of an sbx run --overlay DIR:UPPER");
		return -1;
	}
	fuse = faccessat(side_fd, FUSEOVL_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	if ((lower_fd = open_source(side_fd, side)) < 0 ||
	    diff_walk(upper_fd, lower_fd, fuse, l) < 0)
		return -1;
	if (o->apply_dir) {
		dir_fd = open(o->apply_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir_fd < 0)
			return err_set(errno, "diff: --apply %s", o->apply_dir);
		a.upper_fd = upper_fd;
		a.dir_fd = dir_fd;
		if (diff_apply_check(&a, l) < 0)
			return -1;
	}
	for (size_t i = 0; i < l->n; i++)
		print_entry(&l->v[i], o->json);
	/* The report is out before DIR changes: a failure halfway is then
	 * against a list the user has seen. */
	if (fflush(stdout) != 0)
		return err_set(errno, "diff: write the report");
	return o->apply_dir ? diff_apply_all(&a, l) : 0;
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
	diff_list_free(&l);
	if (r == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		r = err_set(errno, "diff: write the report");
	if (r < 0) {
		err_print();
		return EXIT_SBX_FAILED;
	}
	return 0;
}
