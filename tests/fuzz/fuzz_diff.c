/* SPDX-License-Identifier: MIT */
/*
 * sbx diff: the pure parts (diff_text_path, diff_json_string,
 * diff_symlink_escapes, diff_classify) and diff_walk() over a real tree.
 *
 * The input is text.  Its first byte's low bit says whether the upper
 * layer was written by fuse-overlayfs ("1") or the kernel ("0"); the rest
 * of the first line is ignored.  Every other line builds one entry:
 *
 *   <side><kind> <path>[ <arg>]
 *
 *   side  L (lower = DIR), U (upper = STATE/upper), B (both)
 *   kind  f file (arg: contents)      d directory
 *         l symlink (arg: target)     w whiteout (char device 0/0)
 *         c char device 1/N (root)    p fifo
 *         m chmod (arg: octal mode)   o opaque xattr (arg: one of u t f
 *           for user.overlay, trusted.overlay, user.fuseoverlayfs, then
 *           the value, e.g. "uy")
 *
 * Missing parent directories are made; "." is the layer's root (for m and
 * o).  fuse-overlayfs's ".wh.NAME" and ".wh..wh..opq" are plain f lines.
 * FUZZ_DIFF_VERBOSE=1 prints the walk's list.  The tree goes in a fresh directory under
 * $FUZZ_TMPDIR, /dev/shm or $TMPDIR (else /tmp), and is removed after each input.
 *
 * Checks: diff_walk() succeeds; its list is sorted strictly by strcmp;
 * every path is relative and has no empty, "." or ".." component; each
 * change agrees with both layers (D: in lower; A: not in lower; M and T: in
 * both, T of another type), and the list is exactly what an independent
 * model of the overlay merge expects.  Every line and every reported path
 * goes through diff_text_path (one line, round-trips) and diff_json_string
 * (a valid JSON string, round-trips); every symlink through
 * diff_symlink_escapes (an absolute target or a ".." climbing out always
 * escapes).
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "diff.h"
#include "diff_impl.h"
#include "log.h"

#define MAX_OPS 48
#define MAX_DEPTH 6
#define MAX_COMPS 32
#define MAX_NAME 64
#define MAX_LINE 512
#define MAX_MODEL 4096

/* ---- the pure parts --------------------------------------------------- */

static char *render(void (*fn)(FILE *, const char *), const char *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	FUZZ_CHECK(f != NULL);
	fn(f, s);
	FUZZ_CHECK(fclose(f) == 0);
	return buf;
}

static int octal(char c)
{
	return c >= '0' && c <= '7';
}

/* As is, or in double quotes with C escapes that give s back. */
static void check_text_path(const char *s)
{
	static const char esc[] = "a\ab\bt\tn\nv\vf\fr\r\"\"\\\\";
	size_t len, n = 0;
	char *out = render(diff_text_path, s, &len);
	char *back = malloc(len + 1);
	bool quote = false;

	FUZZ_CHECK(back != NULL);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		quote |= *p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\';
	FUZZ_CHECK(strlen(out) == len);
	if (!quote) {
		FUZZ_CHECK(strcmp(out, s) == 0);
		goto done;
	}
	FUZZ_CHECK(len >= 2 && out[0] == '"' && out[len - 1] == '"');
	for (size_t i = 1; i < len - 1; i++) {
		unsigned char c = (unsigned char)out[i];
		const char *e;

		/* No raw control character, so no file name forges a line. */
		FUZZ_CHECK(c >= 0x20 && c != 0x7f && c != '"');
		if (c != '\\') {
			back[n++] = (char)c;
			continue;
		}
		FUZZ_CHECK(i + 1 < len - 1);
		c = (unsigned char)out[++i];
		if (octal((char)c)) {
			FUZZ_CHECK(i + 2 < len - 1 && octal(out[i + 1]) && octal(out[i + 2]));
			back[n++] =
			    (char)((c - '0') * 64 + (out[i + 1] - '0') * 8 + (out[i + 2] - '0'));
			i += 2;
			continue;
		}
		e = strchr(esc, c);
		FUZZ_CHECK(c != '\0' && e && (e - esc) % 2 == 0);
		back[n++] = e[1];
	}
	back[n] = '\0';
	FUZZ_CHECK(n == strlen(s) && memcmp(back, s, n) == 0);
done:
	free(back);
	free(out);
}

/* Length of the well-formed UTF-8 sequence at p (Unicode table 3-7), or 0. */
static size_t utf8_ok(const unsigned char *p, size_t left)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A valid JSON string (RFC 8259) whose bytes, reading each \u00XX as the
 * byte XX, are s again. */
static void check_json_string(const char *s)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	size_t len, n = 0;
	char *out = render(diff_json_string, s, &len);
	char *back = malloc(len + 1);

	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(strlen(out) == len);
	FUZZ_CHECK(len >= 2 && out[0] == '"' && out[len - 1] == '"');
	for (size_t i = 1; i < len - 1;) {
		const unsigned char *p = (const unsigned char *)out + i;
		const char *e;
		size_t u;

		FUZZ_CHECK(*p >= 0x20 && *p != '"');
		if (*p >= 0x80) {
			u = utf8_ok(p, len - 1 - i);
			FUZZ_CHECK(u > 0);
			memcpy(back + n, p, u);
			n += u, i += u;
			continue;
		}
		if (*p != '\\') {
			back[n++] = (char)*p;
			i++;
			continue;
		}
		FUZZ_CHECK(i + 1 < len - 1);
		if (p[1] == 'u') {
			int v = 0;
			FUZZ_CHECK(i + 5 < len - 1);
			for (int k = 2; k < 6; k++) {
				FUZZ_CHECK(hexval((char)p[k]) >= 0);
				v = v * 16 + hexval((char)p[k]);
			}
			/* Only ever a control character or a byte of invalid UTF-8. */
			FUZZ_CHECK(v > 0 && v < 0x100);
			back[n++] = (char)v;
			i += 6;
			continue;
		}
		e = strchr(esc, p[1]);
		FUZZ_CHECK(p[1] != '\0' && e && (e - esc) % 2 == 0);
		back[n++] = e[1];
		i += 2;
	}
	back[n] = '\0';
	FUZZ_CHECK(n == strlen(s) && memcmp(back, s, n) == 0);
	free(back);
	free(out);
}

/* A relative path as the walk yields them: non-empty components, none of
 * them "." or "..". */
static bool rel_path_ok(const char *p)
{
	if (p[0] == '\0' || p[0] == '/')
		return false;
	for (const char *c = p;;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (c[n] == '\0')
			return true;
		c += n + 1;
	}
}

static void check_escapes(const char *link, const char *target)
{
	bool esc, named = false, climbs = false, after_name = false, dotdot = false;
	long depth = 0;

	if (!rel_path_ok(link))
		return;
	esc = diff_symlink_escapes(link, target);
	if (target[0] == '/' || target[0] == '\0') {
		FUZZ_CHECK(esc);
		return;
	}
	for (const char *p = link; *p; p++)
		depth += *p == '/';
	/* The target read lexically from the link's directory. */
	for (const char *c = target; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			dotdot = true;
			after_name |= named;
			climbs |= --depth < 0;
		} else if (n > 0 && !(n == 1 && c[0] == '.')) {
			named = true;
			depth++;
		}
		c += n + (c[n] == '/');
	}
	/* Climbing out of DIR always escapes, and so (conservatively) does a
	 * ".." after a name; a target without ".." never does. */
	if (climbs || after_name)
		FUZZ_CHECK(esc);
	if (!dotdot)
		FUZZ_CHECK(!esc);
}

static void check_classify(const uint8_t *b, size_t n)
{
	static const mode_t types[] = {S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO};
	struct diff_side low, up;
	enum diff_change c;
	bool same;

	if (n < 6)
		return;
	low = (struct diff_side){b[0] & 1, types[(b[0] >> 1) % 6] | (b[1] & 07),
				 (b[0] & 0x80) ? makedev(0, 0) : makedev(1, b[1] >> 4), 0};
	up = (struct diff_side){b[2] & 1, types[(b[2] >> 1) % 6] | (b[3] & 07),
				(b[2] & 0x80) ? makedev(0, 0) : makedev(1, b[3] >> 4), 0};
	same = b[4] & 1;
	c = diff_classify(&low, &up, same);
	FUZZ_CHECK(c == DIFF_NONE || c == DIFF_ADDED || c == DIFF_MODIFIED || c == DIFF_DELETED ||
		   c == DIFF_TYPE_CHANGED);
	if (!up.present)
		FUZZ_CHECK(c == DIFF_NONE);
	else if (diff_is_whiteout(&up))
		FUZZ_CHECK(c == (low.present ? DIFF_DELETED : DIFF_NONE));
	else if (!low.present)
		FUZZ_CHECK(c == DIFF_ADDED);
	else if ((low.mode & S_IFMT) != (up.mode & S_IFMT))
		FUZZ_CHECK(c == DIFF_TYPE_CHANGED);
	else
		FUZZ_CHECK(c == DIFF_NONE || c == DIFF_MODIFIED);
	if (c == DIFF_NONE && up.present && low.present && !diff_is_whiteout(&up))
		FUZZ_CHECK(S_ISLNK(up.mode) || (low.mode & 07777) == (up.mode & 07777));
}

/* ---- the tree --------------------------------------------------------- */

static char base[4096];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

static int rm_path(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void rm_tree(const char *name)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", base, name);
	FUZZ_CHECK(rm_path(path) == 0);
}

static void remove_base(void)
{
	if (base[0])
		rmdir(base);
}

/* What a crashed run left behind: sbx-fuzz-diff.PID of our own whose PID
 * is gone. */
static void sweep_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4200], *end;
		struct stat st;
		long pid;

		if (strncmp(de->d_name, "sbx-fuzz-diff.", 14) != 0)
			continue;
		pid = strtol(de->d_name + 14, &end, 10);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (*end == '\0' && pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH &&
		    lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid())
			(void)rm_path(path);
	}
	closedir(d);
}

static int make_base(void)
{
	const char *dirs[] = {getenv("FUZZ_TMPDIR"), "/dev/shm", getenv("TMPDIR"), "/tmp"};

	if (base[0])
		return 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i] || !dirs[i][0] || access(dirs[i], W_OK | X_OK) < 0)
			continue;
		sweep_stale(dirs[i]);
		snprintf(base, sizeof(base), "%s/sbx-fuzz-diff.%ld", dirs[i], (long)getpid());
		if (mkdir(base, 0700) == 0) {
			atexit(remove_base);
			return 0;
		}
	}
	base[0] = '\0';
	return -1;
}

struct path {
	char comp[MAX_DEPTH][MAX_NAME + 1];
	size_t n; /* 0: the root */
};

static bool split_path(const char *s, struct path *p)
{
	p->n = 0;
	if (strcmp(s, ".") == 0)
		return true;
	if (!rel_path_ok(s))
		return false;
	for (const char *c = s;;) {
		size_t n = strcspn(c, "/");
		if (p->n == MAX_DEPTH || n > MAX_NAME)
			return false;
		memcpy(p->comp[p->n], c, n);
		p->comp[p->n++][n] = '\0';
		if (c[n] == '\0')
			return true;
		c += n + 1;
	}
}

/* The directory holding p's last component, made if missing, never
 * through a symlink; -1 when that cannot be. */
static int open_parent(int root, const struct path *p, bool make)
{
	int fd = dup(root);

	for (size_t i = 0; fd >= 0 && i + 1 < p->n; i++) {
		int sub;
		if (make)
			(void)mkdirat(fd, p->comp[i], 0755);
		sub = openat(fd, p->comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = sub;
	}
	return fd;
}

static void set_opaque(int dfd, const char *arg)
{
	static const char *const names[] = {"user.overlay.opaque", "trusted.overlay.opaque",
					    "user.fuseoverlayfs.opaque"};
	const char *sel = arg[0] ? strchr("utf", arg[0]) : NULL;
	const char *value = arg[0] ? arg + 1 : "y";

	(void)fsetxattr(dfd, names[sel ? sel - "utf" : 0], value, strlen(value), 0);
}

static void apply_op(int root, const struct path *p, char kind, const char *arg)
{
	const char *name = p->n ? p->comp[p->n - 1] : ".";
	int pfd = open_parent(root, p, kind != 'm' && kind != 'o');
	struct stat st;

	if (pfd < 0)
		return;
	switch (kind) {
	case 'f': {
		int fd =
		    openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0) {
			(void)!write(fd, arg, strlen(arg));
			close(fd);
		}
		break;
	}
	case 'd':
		(void)mkdirat(pfd, name, 0755);
		break;
	case 'l':
		(void)!symlinkat(arg, pfd, name);
		break;
	case 'w':
		(void)mknodat(pfd, name, S_IFCHR | 0, makedev(0, 0));
		break;
	case 'c':
		(void)mknodat(pfd, name, S_IFCHR | 0644, makedev(1, (unsigned)arg[0] % 8));
		break;
	case 'p':
		(void)mkfifoat(pfd, name, 0644);
		break;
	case 'm':
		/* No set-id bits; the owner keeps what the walk and the clean-up
		 * need, so a run without privileges goes the same way. */
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode)) {
			mode_t m = (mode_t)strtoul(arg, NULL, 8) & 01777;
			m |= S_ISDIR(st.st_mode) ? 0700 : S_ISREG(st.st_mode) ? 0600 : 0;
			(void)!fchmodat(pfd, name, m, 0);
		}
		break;
	case 'o': {
		int dfd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd >= 0) {
			set_opaque(dfd, arg);
			close(dfd);
		}
		break;
	}
	}
	close(pfd);
}

static bool has_fuse_name(const struct path *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (strncmp(p->comp[i], ".wh.", 4) == 0)
			return true;
	return false;
}

/* One line: build the entry, and give its text to the pure checks. */
static void run_line(int lower, int upper, bool fuse, char *line)
{
	char *path, *arg, *sp;
	struct path p;
	char side, kind;

	check_text_path(line);
	check_json_string(line);
	if (strlen(line) < 4 || line[2] != ' ')
		return;
	side = line[0], kind = line[1];
	path = line + 3;
	sp = strchr(path, ' ');
	arg = sp ? sp + 1 : "";
	if (sp)
		*sp = '\0';
	if (kind == 'l')
		check_escapes(path, arg);
	if (!strchr("LUB", side) || !strchr("fdlwcpmo", kind) || !split_path(path, &p) ||
	    (p.n == 0 && kind != 'm' && kind != 'o'))
		return;
	/* fuse-overlayfs keeps such names for itself: DIR has none. */
	if ((side == 'L' || side == 'B') && !(fuse && has_fuse_name(&p)))
		apply_op(lower, &p, kind, arg);
	if (side == 'U' || side == 'B')
		apply_op(upper, &p, kind, arg);
}

/* ---- the model -------------------------------------------------------- */

struct model {
	struct diff_entry v[MAX_MODEL];
	size_t n;
	bool fuse;
	int lower, upper;
};

static void model_add(struct model *m, const char *path, char change, mode_t mode)
{
	FUZZ_CHECK(m->n < MAX_MODEL);
	m->v[m->n].path = strdup(path);
	FUZZ_CHECK(m->v[m->n].path != NULL);
	m->v[m->n].change = change;
	m->v[m->n++].mode = mode;
}

static bool whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
}

/* lstat of rel under root, never through a symlink. */
static bool lookup(int root, const char *rel, struct stat *st)
{
	struct path p;
	int fd;
	bool ok;

	if (!split_path(rel, &p) || p.n == 0)
		return false;
	fd = open_parent(root, &p, false);
	if (fd < 0)
		return false;
	ok = fstatat(fd, p.comp[p.n - 1], st, AT_SYMLINK_NOFOLLOW) == 0;
	close(fd);
	return ok;
}

static bool opaque(const struct model *m, int dfd)
{
	static const char *const names[] = {"user.overlay.opaque", "trusted.overlay.opaque",
					    "user.fuseoverlayfs.opaque"};
	char v[8];

	for (size_t i = 0; i < (m->fuse ? 3u : 2u); i++)
		if (fgetxattr(dfd, names[i], v, sizeof(v)) == 1 && v[0] == 'y')
			return true;
	return m->fuse && faccessat(dfd, ".wh..wh..opq", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool same_bytes(int ufd, int lfd)
{
	char a[512], b[512];
	ssize_t x, y;

	do {
		x = read(ufd, a, sizeof(a));
		y = read(lfd, b, sizeof(b));
		if (x != y || x < 0 || memcmp(a, b, (size_t)x) != 0)
			return false;
	} while (x > 0);
	return true;
}

static char model_change(const struct model *m, const char *rel, const struct stat *up,
			 const struct stat *low)
{
	if ((up->st_mode & S_IFMT) != (low->st_mode & S_IFMT))
		return DIFF_TYPE_CHANGED;
	if (S_ISLNK(up->st_mode)) {
		char a[256], b[256];
		ssize_t x = readlinkat(m->upper, rel, a, sizeof(a));
		ssize_t y = readlinkat(m->lower, rel, b, sizeof(b));
		FUZZ_CHECK(x >= 0 && y >= 0);
		return x == y && memcmp(a, b, (size_t)x) == 0 ? DIFF_NONE : DIFF_MODIFIED;
	}
	if ((up->st_mode & 07777) != (low->st_mode & 07777))
		return DIFF_MODIFIED;
	if (S_ISREG(up->st_mode)) {
		/* Both are regular files without a symlink above them: the walk
		 * of the upper side came down directories only, and lookup()
		 * found the lower one so. */
		int u = openat(m->upper, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		int l = openat(m->lower, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		bool same;
		FUZZ_CHECK(u >= 0 && l >= 0);
		same = up->st_size == low->st_size && same_bytes(u, l);
		close(u);
		close(l);
		return same ? DIFF_NONE : DIFF_MODIFIED;
	}
	if ((S_ISCHR(up->st_mode) || S_ISBLK(up->st_mode)) && up->st_rdev != low->st_rdev)
		return DIFF_MODIFIED;
	return DIFF_NONE;
}

static char *join(const char *rel, const char *name)
{
	char *s;

	FUZZ_CHECK(asprintf(&s, "%s%s%s", rel, *rel ? "/" : "", name) > 0);
	return s;
}

/* Every entry of the upper layer the payload saw, against the lower one. */
static void model_upper(struct model *m, const char *rel)
{
	int fd = *rel ? openat(m->upper, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		      : dup(m->upper);
	struct dirent *de;
	DIR *d;

	FUZZ_CHECK(fd >= 0);
	d = fdopendir(fd);
	FUZZ_CHECK(d != NULL);
	while ((de = readdir(d))) {
		struct stat up, low;
		char *child;
		char c;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (m->fuse && strncmp(de->d_name, ".wh.", 4) == 0)
			continue;
		child = join(rel, de->d_name);
		FUZZ_CHECK(fstatat(fd, de->d_name, &up, AT_SYMLINK_NOFOLLOW) == 0);
		if (!whiteout(&up)) {
			c = lookup(m->lower, child, &low) ? model_change(m, child, &up, &low)
							  : DIFF_ADDED;
			if (c != DIFF_NONE)
				model_add(m, child, c, up.st_mode);
			if (S_ISDIR(up.st_mode))
				model_upper(m, child);
		}
		free(child);
	}
	closedir(d);
}

/* Is lower path rel gone from the merged view? */
static bool merged_gone(const struct model *m, const char *rel)
{
	struct path p;
	struct stat st;
	int up = dup(m->upper);
	bool low_visible, gone = false;
	char wh[MAX_NAME + 8];

	FUZZ_CHECK(split_path(rel, &p) && p.n > 0 && up >= 0);
	low_visible = !opaque(m, up);
	for (size_t i = 0; i < p.n; i++) {
		const char *c = p.comp[i];
		bool last = i + 1 == p.n;
		char prefix[MAX_DEPTH * (MAX_NAME + 1)];
		int sub;

		if (up >= 0 && !(m->fuse && strncmp(c, ".wh.", 4) == 0) &&
		    fstatat(up, c, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			/* The upper layer has it: a whiteout, a non-directory, or
			 * a directory that may let the lower one show through. */
			if (whiteout(&st) || !S_ISDIR(st.st_mode)) {
				gone = whiteout(&st) || !last;
				break;
			}
			if (last)
				break;
			prefix[0] = '\0';
			for (size_t k = 0; k <= i; k++) {
				if (k)
					strcat(prefix, "/");
				strcat(prefix, p.comp[k]);
			}
			sub = openat(up, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			FUZZ_CHECK(sub >= 0);
			low_visible = low_visible && lookup(m->lower, prefix, &st) &&
				      S_ISDIR(st.st_mode) && !opaque(m, sub);
			close(up);
			up = sub;
			continue;
		}
		snprintf(wh, sizeof(wh), ".wh.%s", c);
		if ((up >= 0 && m->fuse && strcmp(wh, ".wh..wh..opq") != 0 &&
		     faccessat(up, wh, F_OK, AT_SYMLINK_NOFOLLOW) == 0) ||
		    !low_visible) {
			gone = true;
			break;
		}
		/* Only the lower layer from here on down. */
		if (up >= 0)
			close(up);
		up = -1;
	}
	if (up >= 0)
		close(up);
	return gone;
}

/* Every entry of the lower layer that the merge hides. */
static void model_lower(struct model *m, const char *rel)
{
	int fd = *rel ? openat(m->lower, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		      : dup(m->lower);
	DIR *d;
	struct dirent *de;

	FUZZ_CHECK(fd >= 0);
	d = fdopendir(fd);
	FUZZ_CHECK(d != NULL);
	while ((de = readdir(d))) {
		struct stat low;
		char *child;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		child = join(rel, de->d_name);
		FUZZ_CHECK(fstatat(fd, de->d_name, &low, AT_SYMLINK_NOFOLLOW) == 0);
		if (merged_gone(m, child))
			model_add(m, child, DIFF_DELETED, low.st_mode);
		if (S_ISDIR(low.st_mode))
			model_lower(m, child);
		free(child);
	}
	closedir(d);
}

/* ---- the walk --------------------------------------------------------- */

static void check_entry(const struct model *m, const struct diff_entry *e)
{
	struct stat low = {0}, up = {0};
	bool in_low = lookup(m->lower, e->path, &low);
	bool in_up = lookup(m->upper, e->path, &up);

	FUZZ_CHECK(e->path && rel_path_ok(e->path));
	check_text_path(e->path);
	check_json_string(e->path);
	switch (e->change) {
	case DIFF_DELETED:
		FUZZ_CHECK(in_low && e->mode == low.st_mode);
		break;
	case DIFF_ADDED:
		FUZZ_CHECK(!in_low && in_up && !whiteout(&up) && e->mode == up.st_mode);
		break;
	case DIFF_MODIFIED:
	case DIFF_TYPE_CHANGED:
		FUZZ_CHECK(in_low && in_up && !whiteout(&up) && e->mode == up.st_mode);
		FUZZ_CHECK(((low.st_mode & S_IFMT) != (up.st_mode & S_IFMT)) ==
			   (e->change == DIFF_TYPE_CHANGED));
		break;
	default:
		FUZZ_CHECK(!"a change letter");
	}
	if (e->change != DIFF_DELETED && S_ISLNK(up.st_mode)) {
		char target[256];
		ssize_t n = readlinkat(m->upper, e->path, target, sizeof(target) - 1);
		FUZZ_CHECK(n >= 0);
		target[n] = '\0';
		check_escapes(e->path, target);
	}
}

static void check_walk(int lower, int upper, bool fuse)
{
	static struct model m;
	struct diff_list l = {0};
	int r = diff_walk(upper, lower, fuse, &l);

	if (r != 0)
		fprintf(stderr, "diff_walk: %s\n", err_line());
	FUZZ_CHECK(r == 0);
	if (getenv("FUZZ_DIFF_VERBOSE"))
		for (size_t i = 0; i < l.n; i++)
			fprintf(stderr, "%c %s\n", l.v[i].change, l.v[i].path);
	m.n = 0;
	m.fuse = fuse, m.lower = lower, m.upper = upper;
	for (size_t i = 0; i < l.n; i++) {
		if (i > 0)
			FUZZ_CHECK(strcmp(l.v[i - 1].path, l.v[i].path) < 0);
		check_entry(&m, &l.v[i]);
	}
	model_upper(&m, "");
	model_lower(&m, "");
	qsort(m.v, m.n, sizeof(m.v[0]), diff_entry_cmp);
	for (size_t i = 0; i < m.n || i < l.n; i++) {
		if (i < m.n && i < l.n && strcmp(m.v[i].path, l.v[i].path) == 0 &&
		    m.v[i].change == l.v[i].change && m.v[i].mode == l.v[i].mode)
			continue;
		fprintf(stderr, "diff_walk: entry %zu is %c %s (%o), the model says %c %s (%o)\n",
			i, i < l.n ? l.v[i].change : '-', i < l.n ? l.v[i].path : "",
			i < l.n ? (unsigned)l.v[i].mode : 0u, i < m.n ? m.v[i].change : '-',
			i < m.n ? m.v[i].path : "", i < m.n ? (unsigned)m.v[i].mode : 0u);
		FUZZ_CHECK(!"the walk's list is the model's");
	}
	for (size_t i = 0; i < m.n; i++)
		free(m.v[i].path);
	diff_list_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[MAX_LINE + 1];
	char lp[4200], up[4200];
	size_t pos = 0, ops = 0;
	bool fuse = size > 0 && (data[0] & 1);
	int lower, upper;

	if (make_base() < 0)
		return 0;
	check_classify(data, size);
	snprintf(lp, sizeof(lp), "%s/lower", base);
	snprintf(up, sizeof(up), "%s/upper", base);
	rm_tree("lower");
	rm_tree("upper");
	FUZZ_CHECK(mkdir(lp, 0755) == 0 && mkdir(up, 0755) == 0);
	lower = open(lp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	upper = open(up, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(lower >= 0 && upper >= 0);

	/* The first line is the header. */
	while (pos < size && data[pos] != '\n')
		pos++;
	pos++;
	while (pos < size && ops < MAX_OPS) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : size - pos;

		if (n <= MAX_LINE) {
			memcpy(line, data + pos, n);
			line[n] = '\0';
			run_line(lower, upper, fuse, line);
			ops++;
		}
		pos += n + 1;
	}
	check_walk(lower, upper, fuse);
	close(lower);
	close(upper);
	rm_tree("lower");
	rm_tree("upper");
	return 0;
}
