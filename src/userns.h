/* SPDX-License-Identifier: MIT */
/*
 * Subordinate id ranges and the uid/gid maps of the sandbox.
 *
 * The pure half (parsing /etc/subuid, computing a map layout) is unit
 * tested; userns_write_maps() runs the setuid helpers of shadow-utils by
 * absolute path, or writes a single-id map itself when there is no range.
 */
#ifndef SBX_USERNS_H
#define SBX_USERNS_H

#include "cli.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef SBX_NEWUIDMAP
#define SBX_NEWUIDMAP "/usr/bin/newuidmap"
#endif
#ifndef SBX_NEWGIDMAP
#define SBX_NEWGIDMAP "/usr/bin/newgidmap"
#endif

struct id_range {
	uint32_t start;
	uint32_t count;
};

struct id_map_line {
	uint32_t inside;
	uint32_t outside;
	uint32_t count;
};

#define ID_MAP_MAX_LINES 3

struct id_map {
	struct id_map_line lines[ID_MAP_MAX_LINES];
	size_t n;
	uint32_t target; /* the payload's id inside */
	bool zero_mapped;
};

/* One line of /etc/subuid ("name-or-uid:start:count").  Returns 1 and
 * fills *out when it is a well-formed range belonging to the caller (by
 * name or by numeric id, as shadow matches), 0 otherwise. */
int subid_parse_line(const char *line, const char *user, uint32_t id, struct id_range *out);
/* The caller's first range in a whole file's text; 1 found, 0 not. */
int subid_find(const char *text, const char *user, uint32_t id, struct id_range *out);

/* The login name of uid in the text of /etc/passwd ("name:x:uid:..."), the
 * first line with that uid, as NSS's files source reads it.  Returns 1 with
 * the name in out, 0 when no line has it or the name does not fit in len. */
int passwd_find_name(const char *text, uint32_t uid, char *out, size_t len);

/* Compute the map for one kind of id.  caller is the caller's own id;
 * range is NULL when the caller has none.  want is the id asked for with
 * --user UID[:GID].  Returns -1 with the error recorded when the request
 * cannot be mapped. */
/* The caller's login name, which /etc/subuid and /etc/subgid lines name:
 * from /etc/passwd, else from NSS (getpwuid: LDAP, sssd), whose machinery
 * costs sbx some 150 KiB of memory when the file has it anyway.  NULL when
 * neither knows uid. */
const char *userns_user_name(uid_t uid, char *buf, size_t len);

/* Why sbx refuses this range for caller ("host id 0", "your own id"), or
 * NULL when it is fine. */
const char *userns_range_problem(const struct id_range *range, uint32_t caller);
#define USERNS_RANGE_FIX "give yourself a range that starts above every real id, e.g. 100000-165535"

int userns_layout(enum user_mode mode, uint32_t want, uint32_t caller, const struct id_range *range,
		  struct id_map *out, const char *what);

/* Render "inside outside count" lines (for /proc/PID/uid_map) or the
 * argument list of newuidmap. */
int userns_map_text(const struct id_map *map, char *buf, size_t len);

struct userns_ids {
	struct id_map uid;
	struct id_map gid;
	bool uid_helper; /* write with newuidmap (else directly) */
	bool gid_helper;
};

/* The caller's first range in a subuid/subgid file; false if none or
 * unreadable. */
bool userns_find_range(const char *file, const char *user, uint32_t id, struct id_range *out);
/* Why a uidmap helper cannot be trusted or used, or NULL when it can. */
const char *userns_helper_problem(const char *path);

/* Outside, before clone: read the ranges, check the helpers, decide the
 * layout, and print one warning line when falling back to a single id. */
int userns_prepare(const struct plan *plan, struct userns_ids *ids);
/* Outside, after clone: write the child's maps. */
int userns_write_maps(const struct userns_ids *ids, pid_t child);

#endif
