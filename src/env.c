/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "env.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Everything else (tokens, SSH_AUTH_SOCK, DBUS_SESSION_BUS_ADDRESS,
 * DISPLAY, LD_PRELOAD, ...) is dropped unless named with -e. */
static const char *const kept[] = {
    "PATH", "TERM", "LANG", "TZ", "HOME", "USER", "LOGNAME", "SHELL",
};

static size_t name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');
	return eq ? (size_t)(eq - entry) : strlen(entry);
}

int env_is_kept(const char *entry)
{
	size_t n = name_len(entry);

	if (n > 3 && strncmp(entry, "LC_", 3) == 0)
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		if (strlen(kept[i]) == n && strncmp(entry, kept[i], n) == 0)
			return 1;
	return 0;
}

struct envbuf {
	char **v;
	size_t n, cap;
};

/* Set or replace NAME in the array; takes ownership of entry. */
static int env_put(struct envbuf *e, char *entry)
{
	size_t n;

	if (!entry)
		return -1; /* xstrdup/xasprintf recorded ENOMEM */
	n = name_len(entry);
	for (size_t i = 0; i < e->n; i++) {
		if (name_len(e->v[i]) == n && strncmp(e->v[i], entry, n) == 0) {
			free(e->v[i]);
			e->v[i] = entry;
			return 0;
		}
	}
	if (e->n + 2 > e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 32;
		char **nv = realloc(e->v, cap * sizeof(*nv));
		if (!nv) {
			free(entry);
			return err_set(ENOMEM, "out of memory");
		}
		e->v = nv;
		e->cap = cap;
	}
	e->v[e->n++] = entry;
	e->v[e->n] = NULL;
	return 0;
}

static const char *lookup(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env && *env; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env;
	return NULL;
}

char **env_build(char *const *caller_env, const struct plan *plan, const char *home)
{
	struct envbuf e = {.v = calloc(32, sizeof(char *)), .cap = 32};

	if (!e.v) {
		err_set(ENOMEM, "out of memory");
		return NULL;
	}

	if (!plan->clearenv) {
		for (char *const *p = caller_env; p && *p; p++)
			if (strchr(*p, '=') && env_is_kept(*p) && env_put(&e, xstrdup(*p)) < 0)
				goto fail;
		if (home && env_put(&e, xasprintf("HOME=%s", home)) < 0)
			goto fail;
	}
	for (size_t i = 0; i < plan->n_env_set; i++) {
		const char *s = plan->env_set[i];
		if (strchr(s, '=')) {
			if (env_put(&e, xstrdup(s)) < 0)
				goto fail;
		} else {
			const char *v = lookup(caller_env, s);
			if (v && env_put(&e, xstrdup(v)) < 0)
				goto fail;
		}
	}
	return e.v;
fail:
	env_free(e.v);
	return NULL;
}

void env_free(char **env)
{
	for (char **p = env; p && *p; p++)
		free(*p);
	free(env);
}
