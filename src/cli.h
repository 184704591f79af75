/* SPDX-License-Identifier: MIT */
/*
 * argv -> struct plan, with no system calls (STYLE.md rule 2), so the
 * parser is unit-tested and fuzzed.  Everything after parsing reads the
 * plan and nothing else of the command line.
 */
#ifndef SBX_CLI_H
#define SBX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "limits.h"

enum user_mode { USER_KEEP, USER_ROOT, USER_ID };
enum net_mode { NET_NONE, NET_SLIRP };
enum share_mode { SHARE_RW, SHARE_RO, SHARE_NONE };
enum home_mode { HOME_TMPFS, HOME_RO, HOME_RW };
enum tty_mode { TTY_AUTO, TTY_ALWAYS, TTY_NEVER }; /* the order of the --tty words */
enum mount_kind { MOUNT_BIND, MOUNT_RO_BIND, MOUNT_TMPFS };

/* More --bind/--ro-bind/--tmpfs than anyone types; keeps pid 1's list of
 * descriptors to keep a fixed array. */
#define SBX_MOUNTS_MAX 256

#ifndef SBX_DATADIR
#define SBX_DATADIR "/usr/local/share/sbx"
#endif

struct user_mount {
	enum mount_kind kind;
	char *src;		       /* NULL for tmpfs; made absolute and real before launch */
	char *dst;		       /* absolute path inside */
	unsigned long long size_bytes; /* tmpfs; 0 = the default cap */
	int src_fd; /* O_PATH descriptor of src, opened before launch; -1 until then */
};

/* -p/--publish [IP:]HOSTPORT:PORT[/tcp|/udp] */
struct publish {
	char host_ip[16]; /* dotted IPv4 */
	unsigned int host_port;
	unsigned int guest_port;
	bool udp;
	char *spec; /* as the user wrote it, for messages */
};

#define SBX_MTU_DEFAULT 65520
#define SBX_MTU_MIN 68
#define SBX_MTU_MAX 65521

/* --overlay DIR[:UPPER] */
struct overlay_req {
	char *dir;   /* made absolute and real before launch */
	char *state; /* UPPER, where writes land; NULL: they vanish with the sandbox */
};

struct plan {
	enum user_mode user;
	uid_t uid; /* USER_ID only */
	gid_t gid;
	bool gid_given;

	enum net_mode net;
	bool allow_host_loopback;
	unsigned int mtu;
	bool mtu_given;
	struct publish *publish;
	size_t n_publish;
	char *hostname;

	enum share_mode cwd;
	bool cwd_given; /* an explicit --cwd overrides the safety rule */
	enum home_mode home;
	char *workdir;
	struct user_mount *mounts;
	size_t n_mounts;

	struct overlay_req *overlays;
	size_t n_overlays;
	char *rootfs; /* --rootfs DIR, or NULL for the host view */
	bool rootfs_rw;

	char **env_set; /* "KEY=VAL" or "KEY" (take the caller's value) */
	size_t n_env_set;
	bool clearenv;

	char *seccomp_file; /* --seccomp FILE; NULL for the default filter */
	bool allow_userns;
	uint64_t cap_add; /* --cap-add: bit N keeps capability N */
	bool print_seccomp;

	enum tty_mode tty;
	bool in_profile;

	double timeout_s;    /* 0: none */
	double kill_after_s; /* after the timeout's SIGTERM */
	struct rlimit_req *rlimits;
	size_t n_rlimits;
	struct cgroup_limits cgroup;
	bool stats;
	int json_fd; /* -1: none */

	bool verbose;
	char **argv; /* the payload's argv, NULL-terminated, borrowed */
};

enum cli_action {
	CLI_RUN,
	CLI_HELP,
	CLI_RUN_HELP,
	CLI_VERSION,
	CLI_DOCTOR,
	CLI_PRINT_SECCOMP,
	CLI_PROFILES
};

/* Parse the whole command line (argv[0] is "sbx").  Returns an action or
 * -1 with the error recorded; the plan owns what it allocated either way
 * and is released by plan_free(). */
int cli_parse(int argc, char **argv, struct plan *plan);
void plan_free(struct plan *plan);

/* A profile's text as options (one per line); name is for messages.
 * home and pwd expand ${HOME} and ${PWD}.  Pure: the caller reads the file. */
int cli_parse_profile_text(const char *text, const char *name, const char *home, const char *pwd,
			   struct plan *plan);
/* Where --profile NAME is looked for, in order (NULL-terminated list of
 * directories, built from $XDG_CONFIG_HOME or $HOME). */
int cli_profile_dirs(const char *xdg, const char *home, char *dirs[4]);

/* Parsers of single values, exported for unit tests and fuzzing. */
int cli_parse_user(const char *s, struct plan *plan);
int cli_parse_size(const char *s, unsigned long long *out);
int cli_parse_id(const char *s, unsigned int *out);
int cli_parse_publish(const char *s, struct publish *out);
/* A capability name, with or without "CAP_", any case: its number. */
int cli_parse_cap(const char *s, unsigned int *out);
/* Normalise an absolute path lexically: collapse "//", "/./", reject "..". */
int cli_normalize_path(const char *in, char **out);

extern const char cli_usage[];
extern const char cli_run_usage[];

#endif
