/* SPDX-License-Identifier: MIT */
/*
 * argv -> plan -> mount plan and environment, with fixed facts about the
 * host.  Bind sources, --overlay directories and --rootfs are made
 * absolute the way sbx does before it builds the plan, but lexically (no
 * filesystem access).  Checks the view's invariants: the
 * system steps (or the --rootfs) come first, every destination is absolute, the workdir is
 * set, an unsafe cwd is never shared unless asked, the environment holds
 * only well-formed entries and no dropped variable.
 */
#include "fuzz_common.h"

#include "cli.h"
#include "env.h"
#include "log.h"
#include "mounts.h"

static char *caller_env[] = {
    "PATH=/usr/bin:/bin",
    "TERM=xterm",
    "HOME=/home/alice",
    "LANG=C.UTF-8",
    "LC_ALL=C",
    "SBX_CANARY=canary",
    "LD_PRELOAD=/evil.so",
    "SSH_AUTH_SOCK=/tmp/agent",
    "NOEQUALS",
    NULL,
};

static const char *const cwds[] = {
    "/home/alice/proj", "/home/alice", "/", "/tmp", "/tmp/x", "/usr/src", NULL,
};

/* cwd/path (or path, when absolute) normalised lexically into *p, which
 * it replaces.  -1 when that needs the filesystem (a ".."). */
static int make_absolute(char **p, const char *cwd)
{
	char *joined, *norm;

	if ((*p)[0] == '/') {
		joined = strdup(*p);
	} else {
		joined = malloc(strlen(cwd) + strlen(*p) + 2);
		if (joined)
			sprintf(joined, "%s/%s", cwd, *p);
	}
	if (!joined)
		return -1;
	if (cli_normalize_path(joined, &norm) < 0) {
		free(joined);
		return -1;
	}
	free(joined);
	free(*p);
	*p = norm;
	return 0;
}

/* Emulate mounts_resolve_sources() and mounts_resolve_overlays() (and the
 * realpath of --rootfs) without touching the filesystem.  Returns -1 when
 * a path would need the filesystem to resolve, or sbx refuses it there. */
static int resolve_sources(struct plan *plan, const char *cwd)
{
	for (size_t i = 0; i < plan->n_mounts; i++) {
		struct user_mount *m = &plan->mounts[i];

		if (m->kind == MOUNT_TMPFS)
			continue;
		if (make_absolute(&m->src, cwd) < 0)
			return -1;
		if (!m->dst && !(m->dst = strdup(m->src)))
			return -1;
	}
	for (size_t i = 0; i < plan->n_overlays; i++) {
		struct overlay_req *o = &plan->overlays[i];

		if (make_absolute(&o->dir, cwd) < 0 ||
		    (o->state && make_absolute(&o->state, cwd) < 0))
			return -1;
		/* overlayfs splits its options on ',' and ':': sbx refuses. */
		if (strpbrk(o->dir, ",:") || (o->state && strpbrk(o->state, ",:")))
			return -1;
	}
	if (plan->rootfs && make_absolute(&plan->rootfs, cwd) < 0)
		return -1;
	return 0;
}

static void check_mount_plan(const struct plan *plan, const struct host_facts *host,
			     const struct mount_plan *mp)
{
	if (!plan->rootfs) {
		FUZZ_CHECK(mp->n >= 15 && !mp->rootfs_rw);
		FUZZ_CHECK(mp->steps[0].kind == STEP_SYSDIR &&
			   strcmp(mp->steps[0].dst, "/usr") == 0);
	} else if (plan->rootfs_rw) {
		/* DIR itself is the root: none of the host's system directories. */
		FUZZ_CHECK(mp->rootfs_rw && strcmp(mp->rootfs_rw, plan->rootfs) == 0);
	} else {
		FUZZ_CHECK(!mp->rootfs_rw && mp->n >= 1 && mp->steps[0].kind == STEP_ROOTFS);
		FUZZ_CHECK(strcmp(mp->steps[0].src, plan->rootfs) == 0 &&
			   strcmp(mp->steps[0].dst, "/") == 0 && mp->steps[0].ro);
	}
	for (size_t i = 0; i < mp->n; i++) {
		const struct mount_step *s = &mp->steps[i];
		FUZZ_CHECK(s->dst && s->dst[0] == '/');
		FUZZ_CHECK(!plan->rootfs || (s->kind != STEP_SYSDIR && s->kind != STEP_ETC));
		FUZZ_CHECK(s->kind != STEP_ROOTFS || (i == 0 && plan->rootfs && !plan->rootfs_rw));
		if (s->kind == STEP_BIND || s->kind == STEP_SYSDIR || s->kind == STEP_ETC)
			FUZZ_CHECK(s->src != NULL);
		if (s->kind == STEP_SYSDIR)
			FUZZ_CHECK(s->ro);
	}
	FUZZ_CHECK(mp->workdir && mp->workdir[0] == '/');
	FUZZ_CHECK(mp->etc_hosts && mp->etc_resolv);
	FUZZ_CHECK((strstr(mp->etc_resolv, "nameserver") != NULL) == (plan->net == NET_SLIRP));
	FUZZ_CHECK(mp->home && strcmp(mp->home, host->home) == 0);
	FUZZ_CHECK(!(mp->cwd_shared && mp->cwd_withheld));
	if (host->cwd && mounts_cwd_is_unsafe(host->cwd, host->home) && !plan->cwd_given)
		FUZZ_CHECK(!mp->cwd_shared);
	if (plan->cwd == SHARE_NONE)
		FUZZ_CHECK(!mp->cwd_shared && !mp->cwd_withheld);
	if (plan->workdir)
		FUZZ_CHECK(strcmp(mp->workdir, plan->workdir) == 0);
	else if (!mp->cwd_shared)
		FUZZ_CHECK(strcmp(mp->workdir, host->home) == 0);
}

static void check_env(const struct plan *plan, char **env)
{
	for (char **e = env; *e; e++) {
		FUZZ_CHECK(strchr(*e, '=') != NULL);
		if (strncmp(*e, "SBX_CANARY=", 11) == 0 || strncmp(*e, "LD_PRELOAD=", 11) == 0) {
			int named = 0;
			for (size_t i = 0; i < plan->n_env_set; i++)
				if (strncmp(plan->env_set[i], *e, 10) == 0 &&
				    (plan->env_set[i][10] == '\0' || plan->env_set[i][10] == '='))
					named = 1;
			FUZZ_CHECK(named);
		}
		for (char **f = e + 1; *f; f++)
			FUZZ_CHECK(strcspn(*e, "=") != strcspn(*f, "=") ||
				   strncmp(*e, *f, strcspn(*e, "=")) != 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_argv a;
	struct plan plan;
	struct mount_plan mp;
	struct host_facts host = {.home = "/home/alice"};
	char **env;

	if (fuzz_argv_split(data, size, &a) < 0)
		return 0;
	/* The last byte picks the cwd, so the corpus reaches every rule. */
	host.cwd = cwds[size ? data[size - 1] % (sizeof(cwds) / sizeof(cwds[0])) : 0];
	if (cli_parse(a.argc, a.argv, &plan) == CLI_RUN &&
	    resolve_sources(&plan, host.cwd ? host.cwd : "/") == 0) {
		if (mounts_plan_build(&plan, &host, &mp) == 0) {
			check_mount_plan(&plan, &host, &mp);
			env = env_build(caller_env, &plan, mp.home);
			FUZZ_CHECK(env != NULL);
			check_env(&plan, env);
			env_free(env);
			mounts_plan_free(&mp);
		}
	}
	plan_free(&plan);
	fuzz_argv_free(&a);
	return 0;
}
