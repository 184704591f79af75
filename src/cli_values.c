/* SPDX-License-Identifier: MIT */
/*
 * The values of sbx run's options that have a grammar of their own: ids,
 * --user, sizes, capability names and --publish specs.  Pure; unit-tested
 * and fuzzed (tests/fuzz/fuzz_specs.c).
 */
#define _GNU_SOURCE
#include "cli.h"
#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

int cli_parse_cap(const char *s, unsigned int *out)
{
	char name[32] = "cap_";
	const char *bare = strncasecmp(s, "cap_", 4) == 0 ? s + 4 : s;
	cap_value_t cap;
	size_t n = strlen(bare);

	/* libcap knows the names in lower case, with the prefix. */
	if (n == 0 || n >= sizeof(name) - 4 ||
	    strspn(bare, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != n)
		goto bad;
	for (size_t i = 0; i < n; i++)
		name[4 + i] = (char)tolower((unsigned char)bare[i]);
	if (cap_from_name(name, &cap) < 0 || cap < 0 || cap > 63)
		goto bad;
	*out = (unsigned int)cap;
	return 0;
bad:
	err_set(0, "--cap-add '%.64s': not a capability name", s);
	err_hint("a name from capabilities(7), e.g. --cap-add CAP_NET_ADMIN");
	return -1;
}

int cli_parse_id(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!s || s[0] < '0' || s[0] > '9')
		return err_set(0, "invalid id '%s': expected a number", s ? s : "");
	errno = 0;
	v = strtoul(s, &end, 10);
	/* 4294967295 is (uid_t)-1, which the kernel reserves as "no change". */
	if (errno != 0 || *end != '\0' || v >= UINT32_MAX)
		return err_set(0, "invalid id '%s': expected a number below 4294967295", s);
	*out = (unsigned int)v;
	return 0;
}

int cli_parse_user(const char *s, struct plan *plan)
{
	unsigned int uid, gid;
	const char *colon;

	if (strcmp(s, "keep") == 0) {
		plan->user = USER_KEEP;
		return 0;
	}
	if (strcmp(s, "root") == 0) {
		plan->user = USER_ROOT;
		return 0;
	}
	colon = strchr(s, ':');
	if (colon) {
		char buf[32];
		size_t n = (size_t)(colon - s);
		if (n == 0 || n >= sizeof(buf))
			return err_set(0, "invalid --user '%s': expected keep, root or UID[:GID]",
				       s);
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (cli_parse_id(buf, &uid) < 0 || cli_parse_id(colon + 1, &gid) < 0)
			return err_set(0, "invalid --user '%s': expected keep, root or UID[:GID]",
				       s);
		plan->gid_given = true;
	} else {
		if (cli_parse_id(s, &uid) < 0)
			return err_set(0, "invalid --user '%s': expected keep, root or UID[:GID]",
				       s);
		gid = uid;
		plan->gid_given = false;
	}
	plan->user = USER_ID;
	plan->uid = uid;
	plan->gid = gid;
	return 0;
}

int cli_parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return err_set(0, "invalid size '%s': expected BYTES with an optional k, m or g",
			       s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return err_set(0, "invalid size '%s': too large", s);
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		end++;
		break;
	default:
		return err_set(0, "invalid size '%s': expected BYTES with an optional k, m or g",
			       s);
	}
	if (*end != '\0')
		return err_set(0, "invalid size '%s': expected BYTES with an optional k, m or g",
			       s);
	if (v == 0)
		return err_set(0, "invalid size '%s': must be more than 0", s);
	if (v > ULLONG_MAX / mult)
		return err_set(0, "invalid size '%s': too large", s);
	*out = v * mult;
	return 0;
}

static int parse_port(const char *s, size_t n, unsigned int *out)
{
	unsigned int v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_publish(const char *s, struct publish *out)
{
	const char *end = s + strlen(s);
	const char *slash = strchr(s, '/');
	const char *c1, *c2;
	struct in_addr addr;

	memset(out, 0, sizeof(*out));
	if (slash) {
		if (strcmp(slash, "/tcp") == 0)
			out->udp = false;
		else if (strcmp(slash, "/udp") == 0)
			out->udp = true;
		else
			return err_set(0, "invalid --publish '%s': the protocol must be tcp or udp",
				       s);
		end = slash;
	}
	c2 = memrchr(s, ':', (size_t)(end - s));
	if (!c2)
		return err_set(0, "invalid --publish '%s': expected [IP:]HOSTPORT:PORT[/tcp|/udp]",
			       s);
	c1 = memrchr(s, ':', (size_t)(c2 - s));
	if (parse_port(c2 + 1, (size_t)(end - c2 - 1), &out->guest_port) < 0 ||
	    parse_port(c1 ? c1 + 1 : s, (size_t)(c2 - (c1 ? c1 + 1 : s)), &out->host_port) < 0)
		return err_set(0, "invalid --publish '%s': ports must be 1 to 65535", s);
	if (c1) {
		size_t n = (size_t)(c1 - s);
		if (n == 0 || n >= sizeof(out->host_ip))
			return err_set(
			    0, "invalid --publish '%s': expected an IPv4 address before the ports",
			    s);
		memcpy(out->host_ip, s, n);
		out->host_ip[n] = '\0';
		if (inet_pton(AF_INET, out->host_ip, &addr) != 1)
			return err_set(0, "invalid --publish '%s': '%s' is not an IPv4 address", s,
				       out->host_ip);
	} else {
		/* Published ports are for this machine unless asked otherwise. */
		strcpy(out->host_ip, "127.0.0.1");
	}
	return 0;
}
