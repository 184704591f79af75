/* SPDX-License-Identifier: MIT */
/*
 * cli_parse() on arbitrary argv: NUL-separated words after "sbx".  Beyond
 * memory safety it checks what the rest of sbx relies on in a parsed
 * plan: a non-empty COMMAND, normalised absolute paths, a valid
 * hostname, an env list of well-formed entries, one-line errors.  The
 * same bytes as profile text get the checks that hold option by option.
 */
#include "fuzz_common.h"

#include "cli.h"
#include "log.h"

/* whole: the plan cli_parse() returned, after its checks across options
 * (--publish needs the slirp network, UDP needs --allow-host-loopback).
 * Profile text on its own is checked option by option only: cli_parse()
 * runs those checks after the --profile that read it. */
static void check_plan(const struct plan *p, bool whole)
{
	FUZZ_CHECK(p->argv && p->argv[0] && p->argv[0][0] != '\0');
	FUZZ_CHECK(p->hostname && p->hostname[0] != '\0' && strlen(p->hostname) <= 64);
	FUZZ_CHECK(!p->workdir || fuzz_path_is_normal(p->workdir));
	FUZZ_CHECK(p->user == USER_KEEP || p->user == USER_ROOT || p->user == USER_ID);
	if (p->user == USER_ID)
		FUZZ_CHECK(p->uid != (uid_t)-1 && p->gid != (gid_t)-1);
	FUZZ_CHECK(p->net == NET_NONE || p->net == NET_SLIRP);
	FUZZ_CHECK(p->mtu >= SBX_MTU_MIN && p->mtu <= SBX_MTU_MAX);
	if (whole)
		FUZZ_CHECK(p->net == NET_SLIRP || (p->n_publish == 0 && !p->allow_host_loopback));
	for (size_t i = 0; i < p->n_publish; i++) {
		const struct publish *pub = &p->publish[i];
		FUZZ_CHECK(pub->spec && pub->host_ip[0] != '\0');
		FUZZ_CHECK(!whole || !pub->udp || p->allow_host_loopback);
		FUZZ_CHECK(pub->host_port >= 1 && pub->host_port <= 65535);
		FUZZ_CHECK(pub->guest_port >= 1 && pub->guest_port <= 65535);
		/* It goes into a JSON request unescaped: digits and dots only. */
		FUZZ_CHECK(strspn(pub->host_ip, "0123456789.") == strlen(pub->host_ip));
	}
	for (size_t i = 0; i < p->n_mounts; i++) {
		const struct user_mount *m = &p->mounts[i];
		if (m->kind == MOUNT_TMPFS) {
			FUZZ_CHECK(!m->src && fuzz_path_is_normal(m->dst) &&
				   strcmp(m->dst, "/") != 0);
		} else {
			FUZZ_CHECK(m->src && m->src[0] != '\0' && !strchr(m->src, ':'));
			FUZZ_CHECK(!m->dst || fuzz_path_is_normal(m->dst));
		}
	}
	for (size_t i = 0; i < p->n_env_set; i++)
		FUZZ_CHECK(p->env_set[i] && p->env_set[i][0] != '\0' && p->env_set[i][0] != '=');
	FUZZ_CHECK(p->n_env_set == 0 || p->env_set[p->n_env_set] == NULL);
}

/* The single-value parsers on one word. */
static void parse_values(const char *w)
{
	unsigned long long size;
	unsigned int id;
	char *norm = NULL;
	struct plan p;

	memset(&p, 0, sizeof(p));
	if (cli_parse_size(w, &size) == 0)
		FUZZ_CHECK(size > 0);
	if (cli_parse_id(w, &id) == 0)
		FUZZ_CHECK(id != (unsigned int)-1);
	if (cli_normalize_path(w, &norm) == 0) {
		FUZZ_CHECK(fuzz_path_is_normal(norm));
		FUZZ_CHECK(strlen(norm) <= strlen(w));
	} else {
		FUZZ_CHECK(norm == NULL);
	}
	free(norm);
	if (cli_parse_user(w, &p) == 0 && p.user == USER_ID)
		FUZZ_CHECK(p.uid != (uid_t)-1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_argv a;
	struct plan plan;
	int r;

	if (fuzz_argv_split(data, size, &a) < 0)
		return 0;
	r = cli_parse(a.argc, a.argv, &plan);
	if (r == CLI_RUN)
		check_plan(&plan, true);
	else if (r < 0)
		FUZZ_CHECK(err_line()[0] != '\0' && !strchr(err_line(), '\n'));
	else
		FUZZ_CHECK(r == CLI_HELP || r == CLI_RUN_HELP || r == CLI_VERSION ||
			   r == CLI_DOCTOR || r == CLI_PRINT_SECCOMP || r == CLI_PROFILES);
	plan_free(&plan);

	/* The same bytes as a profile's text (NULs end lines early). */
	char *text = malloc(size + 1);
	char *run[] = {"sbx", "run", "true", NULL};
	if (text && cli_parse(3, run, &plan) == CLI_RUN) {
		memcpy(text, data, size);
		text[size] = '\0';
		r = cli_parse_profile_text(text, "fuzz", "/home/u", "/work", &plan);
		FUZZ_CHECK(r == 0 || r == -1);
		FUZZ_CHECK(!plan.in_profile);
		if (r == 0)
			check_plan(&plan, false);
		else
			FUZZ_CHECK(err_line()[0] != '\0' && !strchr(err_line(), '\n'));
	}
	plan_free(&plan);
	free(text);
	for (int i = 1; i < a.argc && i <= 4; i++)
		parse_values(a.argv[i]);
	fuzz_argv_free(&a);
	return 0;
}
