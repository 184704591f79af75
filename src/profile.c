/* SPDX-License-Identifier: MIT */
/*
 * Profiles: a text file of sbx options, one per line, "#" comments and
 * blank lines ignored, ${HOME} and ${PWD} expanded and nothing else (no
 * shell).  Found by NAME in $XDG_CONFIG_HOME/sbx/profiles, /etc/sbx/profiles
 * and the installed data directory, or given as a FILE.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "cli_internal.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ${HOME} and ${PWD}, nothing else: a profile is data, not a script. */
static char *expand(const char *in, const char *home, const char *pwd)
{
	size_t cap = strlen(in) + 1, len = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (const char *p = in; *p;) {
		const char *with = NULL;
		size_t skip = 0;
		if (strncmp(p, "${HOME}", 7) == 0)
			with = home, skip = 7;
		else if (strncmp(p, "${PWD}", 6) == 0)
			with = pwd, skip = 6;
		size_t add = with ? strlen(with) : 1;
		if (len + add + 1 > cap) {
			char *n = realloc(out, (cap = (len + add + 1) * 2));
			if (!n) {
				free(out);
				return NULL;
			}
			out = n;
		}
		if (with) {
			memcpy(out + len, with, add);
			p += skip;
		} else {
			out[len] = *p++;
		}
		len += add;
	}
	out[len] = '\0';
	return out;
}

static int profile_line(struct plan *plan, char *line, const char *name, int lineno,
			const char *home, const char *pwd)
{
	_cleanup_free_ char *expanded = NULL;
	char *argv[3] = {NULL, NULL, NULL};
	char *sp;
	int i = 0, r;

	if (line[0] != '-')
		return err_set(0, "%s:%d: expected an option, like --net none", name, lineno);
	if (!(expanded = expand(line, home ? home : "", pwd ? pwd : "")))
		return err_set(ENOMEM, "out of memory");
	/* "--opt value": the value is the rest of the line, spaces and all. */
	argv[0] = expanded;
	sp = expanded + strcspn(expanded, " \t");
	if (*sp) {
		*sp++ = '\0';
		sp += strspn(sp, " \t");
		if (*sp)
			argv[1] = sp;
	}
	r = cli_parse_one(plan, argv[1] ? 2 : 1, argv, &i);
	if (r == 0 && argv[1] && i == 0)
		return err_set(0, "%s:%d: %s takes no value", name, lineno, argv[0]);
	if (r != 0) {
		char why[SBX_ERR_MAX];
		snprintf(why, sizeof(why), "%s",
			 r == 1 ? "--help is not for profiles" : err_line());
		return err_set(0, "%s:%d: %s", name, lineno, why);
	}
	return 0;
}

int cli_parse_profile_text(const char *text, const char *name, const char *home, const char *pwd,
			   struct plan *plan)
{
	_cleanup_free_ char *copy = strdup(text);
	int lineno = 0, r = 0;

	if (!copy)
		return err_set(ENOMEM, "out of memory");
	plan->in_profile = true;
	/* strsep keeps empty lines, so line numbers stay true. */
	for (char *rest = copy, *line; (line = strsep(&rest, "\n")) != NULL;) {
		lineno++;
		line += strspn(line, " \t\r");
		size_t n = strlen(line);
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if ((r = profile_line(plan, line, name, lineno, home, pwd)) < 0)
			break;
	}
	plan->in_profile = false;
	return r;
}

int cli_profile_dirs(const char *xdg, const char *home, char *dirs[4])
{
	size_t n = 0;

	memset(dirs, 0, 4 * sizeof(char *));
	if (xdg && xdg[0] == '/')
		dirs[n++] = xasprintf("%s/sbx/profiles", xdg);
	else if (home && home[0] == '/')
		dirs[n++] = xasprintf("%s/.config/sbx/profiles", home);
	dirs[n++] = xstrdup("/etc/sbx/profiles");
	dirs[n++] = xstrdup(SBX_DATADIR "/profiles");
	for (size_t i = 0; i < n; i++)
		if (!dirs[i])
			return -1;
	return 0;
}

#define PROFILE_MAX_BYTES (64 * 1024)

int cli_load_profile(struct plan *plan, const char *v)
{
	_cleanup_free_ char *path = NULL;
	char *dirs[4] = {NULL};
	char buf[PROFILE_MAX_BYTES + 1], cwd[4096];
	ssize_t n;
	int fd, r;

	if (plan->in_profile)
		return err_set(0, "--profile inside a profile is not allowed");
	if (v[0] == '\0')
		return err_set(0, "invalid --profile '': expected NAME or FILE");
	if (strchr(v, '/')) {
		path = xstrdup(v);
	} else {
		if (cli_profile_dirs(getenv("XDG_CONFIG_HOME"), getenv("HOME"), dirs) < 0)
			goto fail;
		for (size_t i = 0; i < 4 && dirs[i] && !path; i++) {
			char *p = xasprintf("%s/%s", dirs[i], v);
			if (p && access(p, F_OK) == 0)
				path = p;
			else
				free(p);
		}
		if (!path) {
			err_set(0, "profile '%s' not found in %s, %s or %s", v, dirs[0], dirs[1],
				dirs[2] ? dirs[2] : "");
			err_hint("see 'sbx profiles'");
			goto fail;
		}
	}
	if (!path)
		goto fail;
	/* O_NONBLOCK: opening a FIFO would block until a writer came. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		err_set(errno, "profile %s", path);
		goto fail;
	}
	/* A regular file only: a FIFO or /dev/stdin would block in read. */
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		err_set(0, "profile %s: not a regular file", path);
		goto fail;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || n > PROFILE_MAX_BYTES) {
		err_set(n < 0 ? errno : EFBIG, "profile %s", path);
		goto fail;
	}
	buf[n] = '\0';
	if (strlen(buf) != (size_t)n) {
		err_set(0, "profile %s: not a text file", path);
		goto fail;
	}
	r = cli_parse_profile_text(buf, path, getenv("HOME"), getcwd(cwd, sizeof(cwd)), plan);
	for (size_t i = 0; i < 4; i++)
		free(dirs[i]);
	return r;
fail:
	for (size_t i = 0; i < 4; i++)
		free(dirs[i]);
	return -1;
}
