/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "cli.h"
#include "cli_internal.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum opt_id {
	OPT_USER,
	OPT_NET,
	OPT_ALLOW_HOST_LOOPBACK,
	OPT_PUBLISH,
	OPT_MTU,
	OPT_HOSTNAME,
	OPT_BIND,
	OPT_RO_BIND,
	OPT_TMPFS,
	OPT_CWD,
	OPT_HOME,
	OPT_ROOTFS,
	OPT_OVERLAY,
	OPT_ROOTFS_RW,
	OPT_WORKDIR,
	OPT_ENV,
	OPT_CLEARENV,
	OPT_TIMEOUT,
	OPT_KILL_AFTER,
	OPT_MEMORY,
	OPT_PIDS,
	OPT_CPUS,
	OPT_RLIMIT,
	OPT_CAP_ADD,
	OPT_SECCOMP,
	OPT_ALLOW_USERNS,
	OPT_PRINT_SECCOMP,
	OPT_TTY,
	OPT_TTY_ALWAYS,
	OPT_PROFILE,
	OPT_JSON_STATUS_FD,
	OPT_STATS,
	OPT_VERBOSE,
	OPT_HELP,
};

struct opt {
	const char *name;
	char short_name;
	bool has_arg;
	enum opt_id id;
	bool short_only; /* -t is --tty always; there is no long form of it */
};

static const struct opt opts[] = {
    {"user", 0, true, OPT_USER},
    {"net", 0, true, OPT_NET},
    {"allow-host-loopback", 0, false, OPT_ALLOW_HOST_LOOPBACK},
    {"publish", 'p', true, OPT_PUBLISH},
    {"mtu", 0, true, OPT_MTU},
    {"hostname", 0, true, OPT_HOSTNAME},
    {"bind", 0, true, OPT_BIND},
    {"ro-bind", 0, true, OPT_RO_BIND},
    {"tmpfs", 0, true, OPT_TMPFS},
    {"cwd", 0, true, OPT_CWD},
    {"home", 0, true, OPT_HOME},
    {"rootfs", 0, true, OPT_ROOTFS},
    {"rootfs-rw", 0, false, OPT_ROOTFS_RW},
    {"overlay", 0, true, OPT_OVERLAY},
    {"workdir", 'w', true, OPT_WORKDIR},
    {"env", 'e', true, OPT_ENV},
    {"clearenv", 0, false, OPT_CLEARENV},
    {"timeout", 0, true, OPT_TIMEOUT},
    {"kill-after", 0, true, OPT_KILL_AFTER},
    {"memory", 0, true, OPT_MEMORY},
    {"pids", 0, true, OPT_PIDS},
    {"cpus", 0, true, OPT_CPUS},
    {"rlimit", 0, true, OPT_RLIMIT},
    {"cap-add", 0, true, OPT_CAP_ADD},
    {"seccomp", 0, true, OPT_SECCOMP},
    {"allow-userns", 0, false, OPT_ALLOW_USERNS},
    {"print-seccomp", 0, false, OPT_PRINT_SECCOMP},
    {"tty", 0, true, OPT_TTY},
    {"tty", 't', false, OPT_TTY_ALWAYS, true},
    {"profile", 0, true, OPT_PROFILE},
    {"json-status-fd", 0, true, OPT_JSON_STATUS_FD},
    {"stats", 0, false, OPT_STATS},
    {"verbose", 'v', false, OPT_VERBOSE},
    {"help", 'h', false, OPT_HELP},
};

const char cli_usage[] =
    "usage: sbx run [OPTIONS] [--] COMMAND [ARG...]\n"
    "       sbx diff UPPER [--json] | UPPER --apply DIR [--dry-run]\n"
    "       sbx profiles\n"
    "       sbx doctor\n"
    "       sbx --version | --help | run --help\n"
    "\n"
    "Run COMMAND in a rootless sandbox: its own user, PID, mount, network,\n"
    "UTS, IPC and cgroup namespaces, no capabilities, a read-only view of the\n"
    "system, an empty $HOME and the current directory shared read-write.\n"
    "See 'sbx run --help' for the options.\n";

const char cli_run_usage[] =
    "usage: sbx run [OPTIONS] [--] COMMAND [ARG...]\n"
    "\n"
    "  --user keep|root|UID[:GID]   identity inside (default keep: your own ids)\n"
    "  --net slirp|none             own network namespace served by slirp4netns\n"
    "                               (default), or with loopback only\n"
    "  --allow-host-loopback        let 10.0.2.2 reach the host's 127.0.0.1\n"
    "  -p, --publish [IP:]HPORT:PORT[/tcp|/udp]\n"
    "                               forward a host port (IP 127.0.0.1) into the sandbox\n"
    "  --mtu N                      MTU of tap0 with slirp (default 65520)\n"
    "  --hostname NAME              UTS hostname (default sbx)\n"
    "  --bind SRC[:DST]             bind SRC read-write at DST (default SRC)\n"
    "  --ro-bind SRC[:DST]          bind SRC read-only at DST\n"
    "  --tmpfs DST[:size=BYTES]     empty tmpfs at DST\n"
    "  --cwd rw|ro|none             how the current directory is shared (default rw)\n"
    "  --home tmpfs|ro|rw           what the sandbox sees at $HOME (default tmpfs)\n"
    "  -w, --workdir DIR            working directory inside\n"
    "  -e, --env KEY=VAL | KEY      set a variable, or pass KEY from outside\n"
    "  --clearenv                   start the environment from nothing\n"
    "  -t, --tty auto|always|never  relay through a new pty (-t: always; auto: when\n"
    "                               stdin is a terminal)\n"
    "  --seccomp default|FILE       the default filter, or a compiled BPF program\n"
    "  --allow-userns               permit nested user namespaces\n"
    "  --cap-add CAP                keep one capability, in the sandbox's namespace\n"
    "  --print-seccomp              print the filter's rules and exit\n"
    "  --timeout SECONDS            SIGTERM after SECONDS, then SIGKILL; exit 124\n"
    "  --kill-after SECONDS         from that SIGTERM to SIGKILL (default 2)\n"
    "  --rlimit NAME=SOFT[:HARD]    setrlimit for the payload (nofile, nproc, fsize, ...)\n"
    "  --memory SIZE, --pids N, --cpus N\n"
    "                               cgroup v2 limits (needs a delegated cgroup)\n"
    "  --stats                      one line on stderr at exit: wall, cpu, peak RSS\n"
    "  --json-status-fd FD          JSON lines on FD: started, exited\n"
    "  --overlay DIR[:UPPER]        DIR copy-on-write; writes kept in UPPER (see sbx diff)\n"
    "  --rootfs DIR, --rootfs-rw    use DIR as / (read-only unless --rootfs-rw)\n"
    "  --profile NAME|FILE          read options from a profile (see sbx profiles)\n"
    "  -v, --verbose                trace each setup step on stderr\n"
    "  -h, --help                   this text\n"
    "\n"
    "Exit status: the command's own; 128+N when signal N killed it; 125 when\n"
    "sbx failed; 126 when COMMAND is not executable; 127 when not found.\n";

int cli_normalize_path(const char *in, char **out)
{
	size_t len = strlen(in);
	char *buf, *w;
	const char *p = in;

	*out = NULL;
	if (in[0] != '/')
		return err_set(0, "path '%s' must be absolute", in);
	if (len >= PATH_MAX)
		return err_set(ENAMETOOLONG, "path '%.64s...'", in);
	buf = malloc(len + 1);
	if (!buf)
		return err_set(ENOMEM, "out of memory");
	w = buf;
	while (*p) {
		const char *seg;
		size_t n;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			free(buf);
			return err_set(0, "path '%s' must not contain '..'", in);
		}
		*w++ = '/';
		memcpy(w, seg, n);
		w += n;
	}
	if (w == buf)
		*w++ = '/';
	*w = '\0';
	*out = buf;
	return 0;
}

static int parse_choice(const char *opt, const char *v, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return (int)i;
	return err_set(0, "invalid --%s '%s'", opt, v);
}

static int push_mount(struct plan *plan, struct user_mount m)
{
	if (plan->n_mounts >= SBX_MOUNTS_MAX) {
		free(m.src);
		free(m.dst);
		return err_set(0, "more than %d --bind, --ro-bind and --tmpfs options",
			       SBX_MOUNTS_MAX);
	}
	struct user_mount *nm = realloc(plan->mounts, (plan->n_mounts + 1) * sizeof(*nm));

	if (!nm) {
		free(m.src);
		free(m.dst);
		return err_set(ENOMEM, "out of memory");
	}
	plan->mounts = nm;
	plan->mounts[plan->n_mounts++] = m;
	return 0;
}

/* --bind SRC[:DST]: SRC may be relative (resolved against the caller's
 * directory before launch); DST must be absolute. */
static int parse_bind(struct plan *plan, enum mount_kind kind, const char *v)
{
	const char *name = kind == MOUNT_BIND ? "bind" : "ro-bind";
	const char *colon = strchr(v, ':');
	struct user_mount m = {.kind = kind, .src_fd = -1};
	size_t n = colon ? (size_t)(colon - v) : strlen(v);

	if (n == 0)
		return err_set(0, "invalid --%s '%s': expected SRC[:DST]", name, v);
	m.src = strndup(v, n);
	if (!m.src)
		return err_set(ENOMEM, "out of memory");
	if (colon) {
		if (cli_normalize_path(colon + 1, &m.dst) < 0) {
			free(m.src);
			return err_set(
			    0, "invalid --%s '%s': DST must be an absolute path without '..'", name,
			    v);
		}
		if (strcmp(m.dst, "/") == 0) {
			free(m.src);
			free(m.dst);
			return err_set(0,
				       "invalid --%s '%s': cannot replace / (--rootfs is for that)",
				       name, v);
		}
	}
	return push_mount(plan, m);
}

static int parse_tmpfs(struct plan *plan, const char *v)
{
	const char *colon = strchr(v, ':');
	struct user_mount m = {.kind = MOUNT_TMPFS, .src_fd = -1};
	_cleanup_free_ char *dst = strndup(v, colon ? (size_t)(colon - v) : strlen(v));

	if (!dst)
		return err_set(ENOMEM, "out of memory");
	if (colon) {
		if (strncmp(colon + 1, "size=", 5) != 0)
			return err_set(0, "invalid --tmpfs '%s': expected DST[:size=BYTES]", v);
		if (cli_parse_size(colon + 6, &m.size_bytes) < 0)
			return -1;
	}
	if (cli_normalize_path(dst, &m.dst) < 0)
		return err_set(0, "invalid --tmpfs '%s': DST must be an absolute path without '..'",
			       v);
	if (strcmp(m.dst, "/") == 0) {
		free(m.dst);
		return err_set(0, "invalid --tmpfs '%s': cannot replace /", v);
	}
	return push_mount(plan, m);
}

static int parse_env(struct plan *plan, const char *v)
{
	const char *eq = strchr(v, '=');
	char **ne;

	if (v[0] == '\0' || eq == v)
		return err_set(0, "invalid --env '%s': expected KEY=VALUE or KEY", v);
	ne = realloc(plan->env_set, (plan->n_env_set + 2) * sizeof(*ne));
	if (!ne)
		return err_set(ENOMEM, "out of memory");
	plan->env_set = ne;
	ne[plan->n_env_set] = strdup(v);
	if (!ne[plan->n_env_set])
		return err_set(ENOMEM, "out of memory");
	ne[++plan->n_env_set] = NULL;
	return 0;
}

static int push_publish(struct plan *plan, const char *v)
{
	struct publish p, *np;

	if (cli_parse_publish(v, &p) < 0)
		return -1;
	p.spec = strdup(v);
	if (!p.spec)
		return err_set(ENOMEM, "out of memory");
	np = realloc(plan->publish, (plan->n_publish + 1) * sizeof(*np));
	if (!np) {
		free(p.spec);
		return err_set(ENOMEM, "out of memory");
	}
	plan->publish = np;
	plan->publish[plan->n_publish++] = p;
	return 0;
}

static bool hostname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return false;
	return true;
}

static int replace_str(char **slot, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return err_set(ENOMEM, "out of memory");
	free(*slot);
	*slot = s;
	return 0;
}

static int push_overlay(struct plan *plan, const char *v)
{
	const char *colon = strchr(v, ':');
	struct overlay_req r = {0}, *nr;

	if (v[0] == '\0' || colon == v || (colon && colon[1] == '\0'))
		return err_set(0, "invalid --overlay '%s': expected DIR[:UPPER]", v);
	r.dir = strndup(v, colon ? (size_t)(colon - v) : strlen(v));
	r.state = colon ? strdup(colon + 1) : NULL;
	nr = realloc(plan->overlays, (plan->n_overlays + 1) * sizeof(*nr));
	if (!r.dir || (colon && !r.state) || !nr) {
		free(r.dir);
		free(r.state);
		if (nr)
			plan->overlays = nr;
		return err_set(ENOMEM, "out of memory");
	}
	plan->overlays = nr;
	plan->overlays[plan->n_overlays++] = r;
	return 0;
}

static int apply_opt(struct plan *plan, const struct opt *o, const char *v)
{
	static const char *const nets[] = {"none", "slirp"};
	static const char *const shares[] = {"rw", "ro", "none"};
	static const char *const homes[] = {"tmpfs", "ro", "rw"};
	static const char *const ttys[] = {"auto", "always", "never"};
	int i;

	switch (o->id) {
	case OPT_USER:
		return cli_parse_user(v, plan);
	case OPT_NET:
		if ((i = parse_choice("net", v, nets, ARRAY_SIZE(nets))) < 0)
			return err_set(0, "invalid --net '%s': expected slirp or none", v);
		plan->net = i == 0 ? NET_NONE : NET_SLIRP;
		return 0;
	case OPT_ALLOW_HOST_LOOPBACK:
		plan->allow_host_loopback = true;
		return 0;
	case OPT_PUBLISH:
		return push_publish(plan, v);
	case OPT_MTU: {
		unsigned int mtu;
		if (cli_parse_id(v, &mtu) < 0 || mtu < SBX_MTU_MIN || mtu > SBX_MTU_MAX)
			return err_set(0, "invalid --mtu '%s': expected %d to %d", v, SBX_MTU_MIN,
				       SBX_MTU_MAX);
		plan->mtu = mtu;
		plan->mtu_given = true;
		return 0;
	}
	case OPT_HOSTNAME:
		if (!hostname_valid(v))
			return err_set(
			    0, "invalid --hostname '%s': use 1-64 letters, digits, '-' or '.'", v);
		return replace_str(&plan->hostname, v);
	case OPT_BIND:
		return parse_bind(plan, MOUNT_BIND, v);
	case OPT_RO_BIND:
		return parse_bind(plan, MOUNT_RO_BIND, v);
	case OPT_TMPFS:
		return parse_tmpfs(plan, v);
	case OPT_CWD:
		if ((i = parse_choice("cwd", v, shares, ARRAY_SIZE(shares))) < 0)
			return err_set(0, "invalid --cwd '%s': expected rw, ro or none", v);
		plan->cwd = (enum share_mode)i;
		plan->cwd_given = true;
		return 0;
	case OPT_HOME:
		if ((i = parse_choice("home", v, homes, ARRAY_SIZE(homes))) < 0)
			return err_set(0, "invalid --home '%s': expected tmpfs, ro or rw", v);
		plan->home = (enum home_mode)i;
		return 0;
	case OPT_WORKDIR: {
		char *p;
		if (cli_normalize_path(v, &p) < 0)
			return err_set(
			    0, "invalid --workdir '%s': expected an absolute path without '..'", v);
		/* /proc/self/cwd and /proc/N/fd/M lead out of the sandbox's root
		 * (the runc escape, CVE-2024-21626). */
		if (path_is_within(p, "/proc")) {
			free(p);
			return err_set(0, "invalid --workdir '%s': not under /proc", v);
		}
		free(plan->workdir);
		plan->workdir = p;
		return 0;
	}
	case OPT_ENV:
		return parse_env(plan, v);
	case OPT_CLEARENV:
		plan->clearenv = true;
		return 0;
	case OPT_TTY:
		if ((i = parse_choice("tty", v, ttys, ARRAY_SIZE(ttys))) < 0)
			return err_set(0, "invalid --tty '%s': expected auto, always or never", v);
		plan->tty = (enum tty_mode)i;
		return 0;
	case OPT_TTY_ALWAYS:
		plan->tty = TTY_ALWAYS;
		return 0;
	case OPT_OVERLAY:
		return push_overlay(plan, v);
	case OPT_ROOTFS:
		if (v[0] == '\0')
			return err_set(0, "invalid --rootfs '': expected a directory");
		return replace_str(&plan->rootfs, v);
	case OPT_ROOTFS_RW:
		plan->rootfs_rw = true;
		return 0;
	case OPT_PROFILE:
		return cli_load_profile(plan, v);
	case OPT_SECCOMP:
		if (v[0] == '\0')
			return err_set(0, "invalid --seccomp '': expected default or FILE");
		free(plan->seccomp_file);
		plan->seccomp_file = NULL;
		if (strcmp(v, "default") == 0)
			return 0;
		return replace_str(&plan->seccomp_file, v);
	case OPT_TIMEOUT:
		return limits_parse_seconds("timeout", v, true, &plan->timeout_s);
	case OPT_KILL_AFTER:
		return limits_parse_seconds("kill-after", v, false, &plan->kill_after_s);
	case OPT_RLIMIT: {
		struct rlimit_req r, *nr;
		if (limits_parse_rlimit(v, &r) < 0)
			return -1;
		/* The last one for a resource wins, as with ulimit. */
		for (size_t k = 0; k < plan->n_rlimits; k++)
			if (plan->rlimits[k].resource == r.resource) {
				plan->rlimits[k] = r;
				return 0;
			}
		nr = realloc(plan->rlimits, (plan->n_rlimits + 1) * sizeof(*nr));
		if (!nr)
			return err_set(ENOMEM, "out of memory");
		plan->rlimits = nr;
		plan->rlimits[plan->n_rlimits++] = r;
		return 0;
	}
	case OPT_MEMORY:
		if (cli_parse_size(v, &plan->cgroup.memory_bytes) < 0)
			return err_set(
			    0, "invalid --memory '%s': expected BYTES with an optional k, m or g",
			    v);
		return 0;
	case OPT_PIDS: {
		unsigned int n;
		if (cli_parse_id(v, &n) < 0 || n == 0)
			return err_set(0, "invalid --pids '%s': expected a number above 0", v);
		plan->cgroup.pids = n;
		return 0;
	}
	case OPT_CPUS: {
		char buf[64];
		if (limits_parse_seconds("cpus", v, true, &plan->cgroup.cpus) < 0 ||
		    limits_cpu_max(plan->cgroup.cpus, buf, sizeof(buf)) < 0)
			return err_set(
			    0, "invalid --cpus '%s': expected a number of CPUs, 0.01 or more", v);
		return 0;
	}
	case OPT_STATS:
		plan->stats = true;
		return 0;
	case OPT_JSON_STATUS_FD: {
		unsigned int fd;
		if (cli_parse_id(v, &fd) < 0 || fd > INT_MAX)
			return err_set(
			    0, "invalid --json-status-fd '%s': expected a descriptor number", v);
		plan->json_fd = (int)fd;
		return 0;
	}
	case OPT_ALLOW_USERNS:
		plan->allow_userns = true;
		return 0;
	case OPT_PRINT_SECCOMP:
		plan->print_seccomp = true;
		return 0;
	case OPT_VERBOSE:
		plan->verbose = true;
		return 0;
	case OPT_CAP_ADD: {
		unsigned int cap;
		if (cli_parse_cap(v, &cap) < 0)
			return -1;
		plan->cap_add |= 1ULL << cap;
		return 0;
	}
	default:
		return err_set(EINVAL, "option --%s: not handled", o->name);
	}
}

static const struct opt *find_long(const char *name, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (!opts[i].short_only && strlen(opts[i].name) == n &&
		    strncmp(opts[i].name, name, n) == 0)
			return &opts[i];
	return NULL;
}

static const struct opt *find_short(char c)
{
	/* Long-only options have short_name 0: "-" alone is no option. */
	if (c == '\0')
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (opts[i].short_name == c)
			return &opts[i];
	return NULL;
}

/* One option word at argv[*i]; consumes its value.  Returns 1 for --help. */
int cli_parse_one(struct plan *plan, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	const struct opt *o;
	const char *value = NULL;

	if (arg[1] == '-') {
		const char *name = arg + 2;
		const char *eq = strchr(name, '=');
		o = find_long(name, eq ? (size_t)(eq - name) : strlen(name));
		if (!o) {
			err_set(0, "unknown option '%s'", arg);
			err_hint("see 'sbx run --help'");
			return -1;
		}
		if (eq) {
			if (!o->has_arg)
				return err_set(0, "option --%s takes no value", o->name);
			value = eq + 1;
		}
	} else {
		o = find_short(arg[1]);
		if (!o) {
			err_set(0, "unknown option '%s'", arg);
			err_hint("see 'sbx run --help'");
			return -1;
		}
		if (arg[2] != '\0') {
			if (!o->has_arg)
				return err_set(
				    0, "option -%c takes no value (write short options apart)",
				    arg[1]);
			value = arg + 2;
		}
	}
	if (o->has_arg && !value) {
		if (*i + 1 >= argc)
			return err_set(0, "option --%s needs a value", o->name);
		value = argv[++*i];
	}
	if (o->id == OPT_HELP)
		return 1;
	return apply_opt(plan, o, value);
}

static void plan_defaults(struct plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->user = USER_KEEP;
	plan->net = NET_SLIRP;
	plan->mtu = SBX_MTU_DEFAULT;
	plan->kill_after_s = 2;
	plan->json_fd = -1;
	plan->cwd = SHARE_RW;
	plan->home = HOME_TMPFS;
}

static int parse_run(int argc, char **argv, struct plan *plan)
{
	int i;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		int r;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		r = cli_parse_one(plan, argc, argv, &i);
		if (r < 0)
			return -1;
		if (r == 1)
			return CLI_RUN_HELP;
	}
	/* --print-seccomp shows the filter the other options give; no COMMAND. */
	if (plan->print_seccomp)
		return CLI_PRINT_SECCOMP;
	if (i >= argc) {
		err_set(0, "missing COMMAND");
		err_hint("usage: sbx run [OPTIONS] [--] COMMAND [ARG...]");
		return -1;
	}
	if (argv[i][0] == '\0')
		return err_set(0, "COMMAND is an empty string");
	if (plan->net == NET_NONE &&
	    (plan->n_publish > 0 || plan->allow_host_loopback || plan->mtu_given))
		return err_set(0, "--%s needs the slirp network; drop --net none",
			       plan->n_publish > 0	   ? "publish"
			       : plan->allow_host_loopback ? "allow-host-loopback"
							   : "mtu");
	/* libslirp drops the replies of forwarded UDP (sent to 10.0.2.2) while
	 * host loopback is blocked: say so rather than forward into silence. */
	for (size_t k = 0; k < plan->n_publish; k++)
		if (plan->publish[k].udp && !plan->allow_host_loopback) {
			err_set(0, "--publish '%s': UDP forwarding needs --allow-host-loopback",
				plan->publish[k].spec);
			err_hint("slirp4netns drops the replies of forwarded UDP while host "
				 "loopback is blocked");
			return -1;
		}
	plan->argv = &argv[i];
	if (!plan->hostname && replace_str(&plan->hostname, "sbx") < 0)
		return -1;
	return CLI_RUN;
}

int cli_parse(int argc, char **argv, struct plan *plan)
{
	plan_defaults(plan);
	if (argc < 2) {
		err_set(0, "missing subcommand");
		err_hint("usage: sbx run [OPTIONS] [--] COMMAND [ARG...]; see 'sbx --help'");
		return -1;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return argc == 2 ? CLI_VERSION : err_set(0, "--version takes no arguments");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return CLI_HELP;
	if (strcmp(argv[1], "profiles") == 0)
		return argc == 2 ? CLI_PROFILES : err_set(0, "profiles takes no arguments");
	if (strcmp(argv[1], "doctor") == 0)
		return argc == 2 ? CLI_DOCTOR : err_set(0, "doctor takes no arguments");
	if (strcmp(argv[1], "run") == 0)
		return parse_run(argc, argv, plan);
	err_set(0, "unknown command '%s'", argv[1]);
	err_hint("see 'sbx --help'");
	return -1;
}

void plan_free(struct plan *plan)
{
	for (size_t i = 0; i < plan->n_mounts; i++) {
		free(plan->mounts[i].src);
		free(plan->mounts[i].dst);
		if (plan->mounts[i].src_fd >= 0)
			close(plan->mounts[i].src_fd);
	}
	free(plan->mounts);
	for (size_t i = 0; i < plan->n_publish; i++)
		free(plan->publish[i].spec);
	free(plan->publish);
	for (size_t i = 0; i < plan->n_env_set; i++)
		free(plan->env_set[i]);
	free(plan->env_set);
	free(plan->hostname);
	free(plan->workdir);
	free(plan->seccomp_file);
	free(plan->rlimits);
	for (size_t i = 0; i < plan->n_overlays; i++) {
		free(plan->overlays[i].dir);
		free(plan->overlays[i].state);
	}
	free(plan->overlays);
	free(plan->rootfs);
	memset(plan, 0, sizeof(*plan));
}
