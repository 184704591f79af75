/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "userns.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define SUBID_FILE_MAX (1024 * 1024)

/* ---- pure part ------------------------------------------------------- */

static int parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int subid_parse_line(const char *line, const char *user, uint32_t id, struct id_range *out)
{
	const char *f[3];
	size_t len[3];
	const char *p = line;
	uint32_t start, count;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '#' || *p == '\0' || *p == '\n')
		return 0;
	for (int i = 0; i < 3; i++) {
		f[i] = p;
		while (*p && *p != ':' && *p != '\n')
			p++;
		len[i] = (size_t)(p - f[i]);
		if (i < 2) {
			if (*p != ':')
				return 0;
			p++;
		}
	}
	/* Trailing blanks after the count are tolerated, anything else not. */
	while (len[2] > 0 && isspace((unsigned char)f[2][len[2] - 1]))
		len[2]--;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p != '\0')
		return 0;
	if (parse_u32(f[1], len[1], &start) < 0 || parse_u32(f[2], len[2], &count) < 0)
		return 0;
	/* (uint32_t)-1 is not an id; a range may not reach it. */
	if (count == 0 || (uint64_t)start + count > UINT32_MAX)
		return 0;

	/* shadow compares the owner field as a string: the name, or the uid
	 * printed in decimal ("01000" is nobody's). */
	char idbuf[16];
	int idlen = snprintf(idbuf, sizeof(idbuf), "%u", id);
	bool mine =
	    len[0] > 0 && ((user && strlen(user) == len[0] && strncmp(f[0], user, len[0]) == 0) ||
			   ((size_t)idlen == len[0] && strncmp(f[0], idbuf, len[0]) == 0));
	if (!mine)
		return 0;
	out->start = start;
	out->count = count;
	return 1;
}

int subid_find(const char *text, const char *user, uint32_t id, struct id_range *out)
{
	char line[512];

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		/* An overlong line is malformed: skip it whole. */
		if (n < sizeof(line)) {
			memcpy(line, text, n);
			line[n] = '\0';
			if (subid_parse_line(line, user, id, out) == 1)
				return 1;
		}
		text += n;
		if (*text == '\n')
			text++;
	}
	return 0;
}

int passwd_find_name(const char *text, uint32_t uid, char *out, size_t len)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		const char *c1 = memchr(text, ':', n);
		const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - text)) : NULL;
		const char *c3 = c2 ? memchr(c2 + 1, ':', n - (size_t)(c2 + 1 - text)) : NULL;
		size_t name_len = c1 ? (size_t)(c1 - text) : 0;
		uint32_t v;

		/* "+name" and "-name" are NIS compat entries, not users. */
		if (c3 && name_len > 0 && text[0] != '+' && text[0] != '-' &&
		    parse_u32(c2 + 1, (size_t)(c3 - c2 - 1), &v) == 0 && v == uid) {
			if (name_len >= len)
				return 0;
			memcpy(out, text, name_len);
			out[name_len] = '\0';
			return 1;
		}
		text += n;
		if (*text == '\n')
			text++;
	}
	return 0;
}

static void add_line(struct id_map *m, uint32_t inside, uint32_t outside, uint32_t count)
{
	m->lines[m->n++] = (struct id_map_line){inside, outside, count};
	if (inside == 0)
		m->zero_mapped = true;
}

const char *userns_range_problem(const struct id_range *range, uint32_t caller)
{
	/* A range holding host id 0 or the caller's own id would map host root
	 * into the sandbox, or map one host id twice (which the kernel refuses
	 * with a message nobody could act on). */
	if (range->start == 0)
		return "host id 0";
	if (caller >= range->start && caller - range->start < range->count)
		return "your own id";
	return NULL;
}

int userns_layout(enum user_mode mode, uint32_t want, uint32_t caller, const struct id_range *range,
		  struct id_map *out, const char *what)
{
	const char *problem = range ? userns_range_problem(range, caller) : NULL;

	memset(out, 0, sizeof(*out));
	if (problem) {
		err_set(0, "the subordinate %s range %u-%u in /etc/sub%s contains %s", what,
			range->start, range->start + range->count - 1, what, problem);
		err_hint("%s", USERNS_RANGE_FIX);
		return -1;
	}
	if (caller == 0) {
		/* Real root: the sandbox gets root's subordinate range only, so
		 * no id inside is host root (files it writes are not root's). */
		if (!range) {
			err_set(0, "running sbx as root needs a subordinate %s range for root",
				what);
			err_hint(
			    "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 root, "
			    "or run sbx as a normal user");
			return -1;
		}
		if (mode == USER_ID && want >= range->count)
			return err_set(
			    0, "--user: %s %u is not mapped (root's subordinate range has %u ids)",
			    what, want, range->count);
		add_line(out, 0, range->start, range->count);
		out->target = mode == USER_ID ? want : 0;
		return 0;
	}

	if (mode == USER_KEEP || (mode == USER_ID && !range && want == caller)) {
		/* podman's keep-id: the caller is itself, the range fills the
		 * ids around it. */
		if (range && caller > 0)
			add_line(out, 0, range->start,
				 caller < range->count ? caller : range->count);
		add_line(out, caller, caller, 1);
		if (range && range->count > caller)
			add_line(out, caller + 1, range->start + caller, range->count - caller);
		out->target = caller;
		return 0;
	}

	/* root layout: the caller is 0, the range is 1..N. */
	if (mode == USER_ID && want > (range ? range->count : 0)) {
		if (range)
			return err_set(0,
				       "--user: %s %u is not mapped (use 0 to %u, or add more "
				       "subordinate ids)",
				       what, want, range->count);
		err_set(0, "--user: %s %u cannot be mapped without a subordinate %s range", what,
			want, what);
		err_hint("usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER");
		return -1;
	}
	add_line(out, 0, caller, 1);
	if (range)
		add_line(out, 1, range->start, range->count);
	out->target = mode == USER_ID ? want : 0;
	return 0;
}

int userns_map_text(const struct id_map *map, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < map->n; i++) {
		int n = snprintf(buf + off, len - off, "%u %u %u\n", map->lines[i].inside,
				 map->lines[i].outside, map->lines[i].count);
		if (n < 0 || (size_t)n >= len - off)
			return err_set(ENOBUFS, "id map too long");
		off += (size_t)n;
	}
	return 0;
}

/* ---- effects --------------------------------------------------------- */

const char *userns_user_name(uid_t uid, char *buf, size_t len)
{
	_cleanup_free_ char *text = read_text_file("/etc/passwd", SUBID_FILE_MAX);
	struct passwd *pw;

	if (text && passwd_find_name(text, (uint32_t)uid, buf, len) == 1)
		return buf;
	pw = getpwuid(uid);
	if (!pw || !pw->pw_name || snprintf(buf, len, "%s", pw->pw_name) >= (int)len)
		return NULL;
	return buf;
}

bool userns_find_range(const char *file, const char *user, uint32_t id, struct id_range *out)
{
	_cleanup_free_ char *text = read_text_file(file, SUBID_FILE_MAX);

	return text && subid_find(text, user, id, out) == 1;
}

/* shadow's helpers are setuid root on Debian and carry file capabilities
 * on Fedora; either makes them able to write a map for us. */
const char *userns_helper_problem(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return strerror(errno);
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
		return "not an executable file";
	/* A helper anyone but root could have rewritten is not one to hand
	 * our process to: it would write whatever map it liked. */
	if (st.st_uid != 0)
		return "not owned by root";
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return "writable by group or others";
	if (!(st.st_mode & S_ISUID) && getxattr(path, "security.capability", NULL, 0) <= 0)
		return "neither setuid nor given file capabilities";
	return NULL;
}

static bool helper_usable(const char *path)
{
	return userns_helper_problem(path) == NULL;
}

int userns_prepare(const struct plan *plan, struct userns_ids *ids)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char name[256];
	const char *user = userns_user_name(uid, name, sizeof(name));
	struct id_range ur, gr;
	bool have_ur = userns_find_range("/etc/subuid", user, uid, &ur);
	bool have_gr = userns_find_range("/etc/subgid", user, uid, &gr);
	bool helpers = helper_usable(SBX_NEWUIDMAP) && helper_usable(SBX_NEWGIDMAP);
	bool ranged;

	memset(ids, 0, sizeof(*ids));
	if (uid == 0) {
		/* Root may write any map itself; the helpers are not needed. */
		ranged = true;
	} else {
		ranged = have_ur && have_gr && helpers;
		if (!have_ur || !have_gr)
			warn_line(
			    "no subordinate ids for %s in /etc/subuid and /etc/subgid; only your "
			    "own "
			    "uid and gid are mapped (fix: sudo usermod --add-subuids 100000-165535 "
			    "--add-subgids 100000-165535 %s)",
			    user ? user : "you", user ? user : "$USER");
		else if (!helpers)
			warn_line("%s or %s is missing or not setuid; only your own uid and gid "
				  "are mapped "
				  "(fix: install the uidmap package)",
				  SBX_NEWUIDMAP, SBX_NEWGIDMAP);
		ids->uid_helper = ids->gid_helper = ranged;
	}
	if (userns_layout(plan->user, plan->uid, uid, ranged && have_ur ? &ur : NULL, &ids->uid,
			  "uid") < 0)
		return -1;
	uint32_t want_gid = plan->gid;
	if (plan->user == USER_ID && !plan->gid_given && plan->uid == uid && !ranged)
		want_gid = gid;
	if (userns_layout(plan->user, want_gid, gid, ranged && have_gr ? &gr : NULL, &ids->gid,
			  "gid") < 0)
		return -1;
	return 0;
}

struct helper_run {
	const char *path;
	pid_t pid;
	int out; /* its stdout and stderr, for the one-line error */
};

static int spawn_map_helper(const char *path, const struct id_map *map, pid_t child,
			    struct helper_run *h)
{
	char args[1 + 3 * ID_MAP_MAX_LINES][16];
	char *argv[2 + 3 * ID_MAP_MAX_LINES + 1];
	char *envp[] = {NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int pipefd[2], rc;
	size_t argc = 0;

	argv[argc++] = (char *)path;
	snprintf(args[0], sizeof(args[0]), "%d", (int)child);
	argv[argc++] = args[0];
	for (size_t i = 0; i < map->n; i++) {
		snprintf(args[1 + 3 * i], 16, "%u", map->lines[i].inside);
		snprintf(args[2 + 3 * i], 16, "%u", map->lines[i].outside);
		snprintf(args[3 + 3 * i], 16, "%u", map->lines[i].count);
		for (size_t k = 1; k <= 3; k++)
			argv[argc++] = args[k + 3 * i];
	}
	argv[argc] = NULL;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	/* Descriptors our caller left open are none of the helper's business. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	/* Absolute path, empty environment: nothing of the caller's steers a
	 * setuid program (no $PATH lookup, no LD_ or locale variables). */
	rc = posix_spawn(&h->pid, path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close_nointr(pipefd[1]);
	if (rc != 0) {
		close_nointr(pipefd[0]);
		err_set(rc, "run %s", path);
		err_hint("install the uidmap package");
		return -1;
	}
	h->path = path;
	h->out = pipefd[0];
	return 0;
}

static int finish_map_helper(struct helper_run *h)
{
	char msg[512];
	int status;
	ssize_t n = read_full(h->out, msg, sizeof(msg) - 1);

	close_nointr(h->out);
	msg[n > 0 ? n : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	while (waitpid(h->pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(errno, "wait for %s", h->path);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		err_set(0, "%s failed: %s", h->path, msg[0] ? msg : "no message");
		err_hint("check your ranges in /etc/subuid and /etc/subgid");
		return -1;
	}
	return 0;
}

static int write_map_directly(const char *file, const struct id_map *map, pid_t child)
{
	char path[64], text[256];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)child, file);
	if (userns_map_text(map, text, sizeof(text)) < 0 || write_file(path, text) < 0)
		return -1;
	return 0;
}

int userns_write_maps(const struct userns_ids *ids, pid_t child)
{
	struct helper_run uh, gh;
	char path[64];
	int r = 0;

	if (ids->uid_helper && ids->gid_helper) {
		/* The two setuid helpers take a millisecond or two each to
		 * start; they touch different files, so run them together. */
		if (spawn_map_helper(SBX_NEWUIDMAP, &ids->uid, child, &uh) < 0)
			return -1;
		if (spawn_map_helper(SBX_NEWGIDMAP, &ids->gid, child, &gh) < 0) {
			(void)finish_map_helper(&uh);
			return -1;
		}
		r = finish_map_helper(&uh);
		/* Keep the first error: finish the second into a scratch one. */
		if (r < 0) {
			char first[SBX_ERR_MAX];
			snprintf(first, sizeof(first), "%s", err_line());
			(void)finish_map_helper(&gh);
			return err_set(0, "%s", first);
		}
		return finish_map_helper(&gh);
	}
	if (ids->uid_helper) {
		if (spawn_map_helper(SBX_NEWUIDMAP, &ids->uid, child, &uh) < 0 ||
		    finish_map_helper(&uh) < 0)
			return -1;
	} else if (write_map_directly("uid_map", &ids->uid, child) < 0) {
		return -1;
	}
	if (ids->gid_helper)
		return spawn_map_helper(SBX_NEWGIDMAP, &ids->gid, child, &gh) < 0
			   ? -1
			   : finish_map_helper(&gh);
	/* Without CAP_SETGID outside, the kernel accepts our own gid only once
	 * setgroups is denied, so the payload cannot drop a group that a
	 * file's permissions deny (CVE-2014-8989). */
	if (getuid() != 0) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)child);
		if (write_file(path, "deny") < 0)
			return -1;
	}
	return write_map_directly("gid_map", &ids->gid, child);
}
