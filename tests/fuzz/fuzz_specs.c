/* SPDX-License-Identifier: MIT */
/*
 * The small value parsers of the command line: --publish, sizes, ids,
 * --user, --rlimit and the seconds of --timeout / --kill-after.
 *
 * Input: a selector byte, then the value (up to the first NUL).  The
 * selector is one of "psiurtT" (publish, size, id, user, rlimit, seconds,
 * seconds above 0); any other byte picks one by its value.  Each parser's
 * promise is checked on success, against an independent reading of the
 * value where that is short (sizes and ids exactly; publish and --user by
 * writing the result back and parsing it again); on failure the error is
 * a fresh, non-empty, single line.
 */
#include "fuzz_common.h"

#include <arpa/inet.h>
#include <math.h>
#include <strings.h>

#include "cli.h"
#include "limits.h"
#include "log.h"

/* <limits.h> is src/limits.h under -Isrc. */
#define ULL_MAX ((unsigned long long)-1)

static const char no_message[] = "internal error without a message";

static void clear_error(void)
{
	err_set(0, "%s", "");
}

static void check_error(void)
{
	const char *e = err_line();

	FUZZ_CHECK(e[0] != '\0' && strcmp(e, no_message) != 0);
	FUZZ_CHECK(!strchr(e, '\n') && !strchr(e, '\r'));
}

/* An independent reading of DIGITS[k|m|g]: 1 and the value when it is a
 * size above 0 that fits an unsigned long long, else 0. */
static int oracle_size(const char *s, unsigned long long *out)
{
	unsigned __int128 v = 0, mult = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > ULL_MAX)
			return 0;
	}
	switch (*p) {
	case 'k':
	case 'K':
		mult = 1 << 10, p++;
		break;
	case 'm':
	case 'M':
		mult = 1 << 20, p++;
		break;
	case 'g':
	case 'G':
		mult = 1 << 30, p++;
		break;
	}
	if (*p != '\0' || v == 0 || v * mult > ULL_MAX)
		return 0;
	*out = (unsigned long long)(v * mult);
	return 1;
}

/* DIGITS below 4294967295, read independently. */
static int oracle_id(const char *s, unsigned int *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned)(*p - '0');
		if (v >= UINT32_MAX)
			return 0;
	}
	*out = (unsigned int)v;
	return 1;
}

static void fuzz_publish(const char *s)
{
	struct publish p, again;
	struct in_addr addr;
	char canon[64];
	const char *slash = strchr(s, '/');

	clear_error();
	if (cli_parse_publish(s, &p) < 0) {
		check_error();
		return;
	}
	FUZZ_CHECK(p.host_port >= 1 && p.host_port <= 65535);
	FUZZ_CHECK(p.guest_port >= 1 && p.guest_port <= 65535);
	FUZZ_CHECK(memchr(p.host_ip, '\0', sizeof(p.host_ip)) != NULL);
	FUZZ_CHECK(p.host_ip[0] != '\0');
	/* It goes into a JSON request unescaped: digits and dots only. */
	FUZZ_CHECK(strspn(p.host_ip, "0123456789.") == strlen(p.host_ip));
	FUZZ_CHECK(inet_pton(AF_INET, p.host_ip, &addr) == 1);
	/* The protocol is tcp unless the value ends in /udp, and a '/' is
	 * only ever that suffix. */
	FUZZ_CHECK(!slash || strcmp(slash, "/tcp") == 0 || strcmp(slash, "/udp") == 0);
	FUZZ_CHECK(p.udp == (slash && strcmp(slash, "/udp") == 0));
	/* Two colons (before the protocol) name the address; one does not and
	 * publishes on loopback only. */
	size_t colons = 0;
	for (const char *c = s; *c && c != slash; c++)
		colons += *c == ':';
	FUZZ_CHECK(colons == 1 || colons == 2);
	if (colons == 1)
		FUZZ_CHECK(strcmp(p.host_ip, "127.0.0.1") == 0);
	/* What it parsed, written out again, parses to the same. */
	snprintf(canon, sizeof(canon), "%s:%u:%u/%s", p.host_ip, p.host_port, p.guest_port,
		 p.udp ? "udp" : "tcp");
	FUZZ_CHECK(cli_parse_publish(canon, &again) == 0);
	FUZZ_CHECK(strcmp(again.host_ip, p.host_ip) == 0 && again.host_port == p.host_port &&
		   again.guest_port == p.guest_port && again.udp == p.udp);
}

static void fuzz_size(const char *s)
{
	unsigned long long v = 0, want = 0;
	int ok = oracle_size(s, &want);

	clear_error();
	if (cli_parse_size(s, &v) < 0) {
		check_error();
		FUZZ_CHECK(!ok);
		return;
	}
	FUZZ_CHECK(ok);
	FUZZ_CHECK(v > 0 && v == want);
}

static void fuzz_id(const char *s)
{
	unsigned int v = 0, want = 0;
	int ok = oracle_id(s, &want);

	clear_error();
	if (cli_parse_id(s, &v) < 0) {
		check_error();
		FUZZ_CHECK(!ok);
		return;
	}
	FUZZ_CHECK(ok);
	FUZZ_CHECK(v == want && v != (unsigned int)-1);
}

static void fuzz_user(const char *s)
{
	struct plan p, again;
	const char *colon = strchr(s, ':');
	char canon[32];

	memset(&p, 0, sizeof(p));
	clear_error();
	if (cli_parse_user(s, &p) < 0) {
		check_error();
		/* Refused only what is not keep, root, UID or UID:GID (a UID of
		 * 32 characters or more, leading zeros, is too long). */
		unsigned int id;
		FUZZ_CHECK(strcmp(s, "keep") != 0 && strcmp(s, "root") != 0);
		if (!colon)
			FUZZ_CHECK(!oracle_id(s, &id));
		return;
	}
	if (strcmp(s, "keep") == 0 || strcmp(s, "root") == 0) {
		FUZZ_CHECK(p.user == (s[0] == 'k' ? USER_KEEP : USER_ROOT));
		return;
	}
	FUZZ_CHECK(p.user == USER_ID);
	FUZZ_CHECK(p.uid != (uid_t)-1 && p.gid != (gid_t)-1);
	FUZZ_CHECK(p.gid_given == (colon != NULL));
	if (!colon)
		FUZZ_CHECK(p.gid == p.uid);
	snprintf(canon, sizeof(canon), "%u:%u", (unsigned)p.uid, (unsigned)p.gid);
	memset(&again, 0, sizeof(again));
	FUZZ_CHECK(cli_parse_user(canon, &again) == 0);
	FUZZ_CHECK(again.user == USER_ID && again.uid == p.uid && again.gid == p.gid);
}

/* The value of one side of NAME=SOFT[:HARD], as parse_limit_value promises:
 * "unlimited", "0", or a size. */
static void check_limit_value(const char *s, size_t n, rlim_t got)
{
	char buf[40];
	unsigned long long v;

	FUZZ_CHECK(n > 0 && n < sizeof(buf));
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strcmp(buf, "unlimited") == 0) {
		FUZZ_CHECK(got == RLIM_INFINITY);
		return;
	}
	FUZZ_CHECK(got != RLIM_INFINITY);
	if (strcmp(buf, "0") == 0)
		FUZZ_CHECK(got == 0);
	else
		FUZZ_CHECK(oracle_size(buf, &v) && got == (rlim_t)v);
}

static void fuzz_rlimit(const char *s)
{
	struct rlimit_req r;
	const char *eq = strchr(s, '='), *colon;

	clear_error();
	if (limits_parse_rlimit(s, &r) < 0) {
		check_error();
		return;
	}
	FUZZ_CHECK(eq && eq > s);
	FUZZ_CHECK(r.name && strlen(r.name) == (size_t)(eq - s) &&
		   strncasecmp(r.name, s, (size_t)(eq - s)) == 0);
	FUZZ_CHECK(r.resource >= 0 && r.resource < RLIM_NLIMITS);
	/* Soft never above hard; unlimited soft only under unlimited hard. */
	FUZZ_CHECK(r.lim.rlim_max == RLIM_INFINITY ||
		   (r.lim.rlim_cur != RLIM_INFINITY && r.lim.rlim_cur <= r.lim.rlim_max));
	colon = strchr(eq + 1, ':');
	check_limit_value(eq + 1, colon ? (size_t)(colon - eq - 1) : strlen(eq + 1),
			  r.lim.rlim_cur);
	if (colon)
		check_limit_value(colon + 1, strlen(colon + 1), r.lim.rlim_max);
	else
		FUZZ_CHECK(r.lim.rlim_max == r.lim.rlim_cur);
}

static void fuzz_seconds(const char *s, bool min_exclusive)
{
	double v = -1;

	clear_error();
	if (limits_parse_seconds("timeout", s, min_exclusive, &v) < 0) {
		check_error();
		FUZZ_CHECK(strstr(err_line(), "--timeout") != NULL);
		return;
	}
	FUZZ_CHECK((s[0] >= '0' && s[0] <= '9') || s[0] == '.');
	FUZZ_CHECK(isfinite(v) && v >= 0 && v <= 1e8);
	if (min_exclusive)
		FUZZ_CHECK(v > 0);
	/* The whole value was the number. */
	FUZZ_CHECK(strtod(s, NULL) == v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char selectors[] = "psiurtT";
	const char *sel;
	size_t len;
	char *s;
	int which;

	if (size == 0)
		return 0;
	sel = data[0] ? strchr(selectors, data[0]) : NULL;
	which = sel ? (int)(sel - selectors) : data[0] % (int)(sizeof(selectors) - 1);
	len = strnlen((const char *)data + 1, size - 1);
	/* Exactly the value's size, so an over-read is an ASan report. */
	s = malloc(len + 1);
	if (!s)
		return 0;
	memcpy(s, data + 1, len);
	s[len] = '\0';
	switch (which) {
	case 0:
		fuzz_publish(s);
		break;
	case 1:
		fuzz_size(s);
		break;
	case 2:
		fuzz_id(s);
		break;
	case 3:
		fuzz_user(s);
		break;
	case 4:
		fuzz_rlimit(s);
		break;
	default:
		fuzz_seconds(s, which == 6);
		break;
	}
	free(s);
	return 0;
}
