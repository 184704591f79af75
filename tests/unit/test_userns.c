/* SPDX-License-Identifier: MIT */
/*
 * Subordinate id ranges (/etc/subuid, /etc/subgid as shadow reads them)
 * and the uid/gid map layouts of DESIGN.md section 1 and issue 2:
 *   keep (caller U, range S,N):  0 S min(U,N) / U U 1 / U+1 S+U N-U
 *   root:                        0 U 1 / 1 S N
 *   caller is real root:         only root's own range, never host root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "userns.h"

/* ---- passwd_find_name ----------------------------------------------------- */

static void passwd_name_of_uid(void **state)
{
	static const char text[] = "root:x:0:0:root:/root:/bin/bash\n"
				   "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
				   "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
				   "bob:x:1001:1001::/home/bob:/bin/sh";
	char name[32];

	(void)state;
	assert_int_equal(passwd_find_name(text, 1000, name, sizeof(name)), 1);
	assert_string_equal(name, "alice");
	assert_int_equal(passwd_find_name(text, 0, name, sizeof(name)), 1);
	assert_string_equal(name, "root");
	/* The last line needs no newline. */
	assert_int_equal(passwd_find_name(text, 1001, name, sizeof(name)), 1);
	assert_string_equal(name, "bob");
	assert_int_equal(passwd_find_name(text, 1002, name, sizeof(name)), 0);
	assert_int_equal(passwd_find_name("", 0, name, sizeof(name)), 0);
}

static void passwd_first_line_wins_and_odd_lines_are_skipped(void **state)
{
	static const char text[] = "+::::::\n"			      /* NIS compat */
				   "+carol:x:1000:1000::/:/bin/sh\n"  /* NIS compat */
				   ":x:1000:1000::/:/bin/sh\n"	      /* no name */
				   "dave:x\n"			      /* too few fields */
				   "erin:x:1000\n"		      /* no field after the uid */
				   "frank:x:1o00:1000::/:/bin/sh\n"   /* not a number */
				   "gina:x:4294967296:0::/:/bin/sh\n" /* above 32 bits */
				   "alice:x:01000:1000::/:/bin/sh\r\n"
				   "alice2:x:1000:1000::/:/bin/sh\n";
	char name[32];

	(void)state;
	/* Leading zeros are the same number, as getpwent reads it. */
	assert_int_equal(passwd_find_name(text, 1000, name, sizeof(name)), 1);
	assert_string_equal(name, "alice");
	assert_int_equal(passwd_find_name(text, 0, name, sizeof(name)), 0);
}

static void passwd_name_too_long_for_the_buffer(void **state)
{
	char name[6];

	(void)state;
	assert_int_equal(passwd_find_name("alice:x:1000:1000::/:/bin/sh\n", 1000, name, 6), 1);
	assert_string_equal(name, "alice");
	assert_int_equal(passwd_find_name("alicia:x:1000:1000::/:/bin/sh\n", 1000, name, 6), 0);
}

/* ---- subid_parse_line ---------------------------------------------------- */

static void line_matches_by_name(void **state)
{
	struct id_range r = {0, 0};

	(void)state;
	assert_int_equal(subid_parse_line("alice:100000:65536", "alice", 1000, &r), 1);
	assert_int_equal(r.start, 100000);
	assert_int_equal(r.count, 65536);
}

static void line_matches_by_numeric_uid(void **state)
{
	struct id_range r = {0, 0};

	(void)state;
	assert_int_equal(subid_parse_line("1000:200000:1000", "alice", 1000, &r), 1);
	assert_int_equal(r.start, 200000);
	assert_int_equal(r.count, 1000);
	/* Without a name (no passwd entry) the number still matches. */
	assert_int_equal(subid_parse_line("1000:200000:1000", NULL, 1000, &r), 1);
	/* Another number is another user. */
	assert_int_equal(subid_parse_line("1001:200000:1000", "alice", 1000, &r), 0);
}

static void line_of_another_user(void **state)
{
	struct id_range r = {7, 7};

	(void)state;
	assert_int_equal(subid_parse_line("bob:100000:65536", "alice", 1000, &r), 0);
	/* Names are not prefixes of each other. */
	assert_int_equal(subid_parse_line("alicex:100000:65536", "alice", 1000, &r), 0);
	assert_int_equal(subid_parse_line("ali:100000:65536", "alice", 1000, &r), 0);
	assert_int_equal(subid_parse_line("Alice:100000:65536", "alice", 1000, &r), 0);
	/* No name, no number: nothing is ours. */
	assert_int_equal(subid_parse_line("alice:100000:65536", NULL, 1000, &r), 0);
	/* A miss leaves the output alone. */
	assert_int_equal(r.start, 7);
	assert_int_equal(r.count, 7);
}

static void comments_blanks_and_whitespace(void **state)
{
	struct id_range r = {0, 0};

	(void)state;
	assert_int_equal(subid_parse_line("# alice:100000:65536", "alice", 1000, &r), 0);
	assert_int_equal(subid_parse_line("  \t# alice:1:1", "alice", 1000, &r), 0);
	assert_int_equal(subid_parse_line("", "alice", 1000, &r), 0);
	assert_int_equal(subid_parse_line("   ", "alice", 1000, &r), 0);
	assert_int_equal(subid_parse_line("\n", "alice", 1000, &r), 0);

	/* Leading blanks and trailing blanks, CR and LF are tolerated. */
	assert_int_equal(subid_parse_line("  alice:100000:65536", "alice", 1000, &r), 1);
	assert_int_equal(subid_parse_line("\talice:100000:65536 \t", "alice", 1000, &r), 1);
	assert_int_equal(subid_parse_line("alice:100000:65536\r\n", "alice", 1000, &r), 1);
	assert_int_equal(r.count, 65536);
	/* Blanks inside a field are not. */
	assert_int_equal(subid_parse_line("alice :100000:65536", "alice", 1000, &r), 0);
	assert_int_equal(subid_parse_line("alice: 100000:65536", "alice", 1000, &r), 0);
	assert_int_equal(subid_parse_line("alice:100000: 65536", "alice", 1000, &r), 0);
	assert_int_equal(subid_parse_line("alice:100000:65 536", "alice", 1000, &r), 0);
	/* A comment after the fields is not a comment. */
	assert_int_equal(subid_parse_line("alice:100000:65536 # mine", "alice", 1000, &r), 0);
}

static void malformed_lines(void **state)
{
	static const char *const bad[] = {
	    "alice",			     /* one field */
	    "alice:100000",		     /* two fields */
	    "alice:100000:",		     /* empty count */
	    "alice::65536",		     /* empty start */
	    "alice:100000:65536:",	     /* a fourth, empty field */
	    "alice:100000:65536:1",	     /* a fourth field */
	    "alice:1e5:65536",		     /* not digits */
	    "alice:100000:0x10",	     /* not decimal */
	    "alice:-1:65536",		     /* negative */
	    "alice:+1:65536",		     /* sign */
	    "alice:100000:-65536",	     /* negative count */
	    "alice:4294967296:1",	     /* start beyond 2^32-1 */
	    "alice:1:4294967296",	     /* count beyond 2^32-1 */
	    "alice:99999999999:1",	     /* eleven digits */
	    "alice:00000000001:1",	     /* eleven digits, even with zeros */
	    "alice:100000:0",		     /* count 0 */
	    "alice:4294967295:1",	     /* reaches (uid_t)-1 */
	    "alice:4294967000:296",	     /* start+count = 2^32 */
	    "alice:4294967295:4294967295",   /* start+count overflows 32 bits */
	    "alice:100000:65536\nalice:1:1", /* two lines in one */
	};
	struct id_range r = {7, 7};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (subid_parse_line(bad[i], "alice", 1000, &r) != 0)
			fail_msg("malformed line '%s' was accepted", bad[i]);
	assert_int_equal(r.start, 7);
}

static void largest_ranges(void **state)
{
	struct id_range r = {0, 0};

	(void)state;
	/* The last valid id is 4294967294: start+count may equal 2^32-1. */
	assert_int_equal(subid_parse_line("alice:4294967294:1", "alice", 1000, &r), 1);
	assert_int_equal(r.start, 4294967294U);
	assert_int_equal(r.count, 1);
	assert_int_equal(subid_parse_line("alice:4294901759:65536", "alice", 1000, &r), 1);
	assert_int_equal(subid_parse_line("alice:100000:4294867295", "alice", 1000, &r), 1);
	assert_int_equal(r.count, 4294867295U);
	assert_int_equal(subid_parse_line("alice:100000:4294867296", "alice", 1000, &r), 0);
	/* Ten digits with a leading zero still fit. */
	assert_int_equal(subid_parse_line("alice:0100000000:10", "alice", 1000, &r), 1);
	assert_int_equal(r.start, 100000000);
}

/* ---- subid_find ------------------------------------------------------------ */

static const char subuid_text[] = "# /etc/subuid\n"
				  "\n"
				  "bob:100000:65536\n"
				  "  \n"
				  "alice:bad:65536\n"
				  "alice:165536:0\n"
				  "1000:231072:65536\n"
				  "alice:296608:65536\n"
				  "carol:362144:65536";

static void find_first_valid_range(void **state)
{
	struct id_range r = {0, 0};

	(void)state;
	/* alice's malformed lines are skipped; the numeric line comes first. */
	assert_int_equal(subid_find(subuid_text, "alice", 1000, &r), 1);
	assert_int_equal(r.start, 231072);
	assert_int_equal(r.count, 65536);
	/* Under another uid only her named line matches. */
	assert_int_equal(subid_find(subuid_text, "alice", 1005, &r), 1);
	assert_int_equal(r.start, 296608);
	assert_int_equal(subid_find(subuid_text, "bob", 1001, &r), 1);
	assert_int_equal(r.start, 100000);
	/* The last line needs no newline. */
	assert_int_equal(subid_find(subuid_text, "carol", 1002, &r), 1);
	assert_int_equal(r.start, 362144);
	/* Someone without a line. */
	assert_int_equal(subid_find(subuid_text, "dave", 1003, &r), 0);
	assert_int_equal(subid_find(subuid_text, NULL, 1003, &r), 0);
}

static void find_in_degenerate_texts(void **state)
{
	struct id_range r = {0, 0};

	(void)state;
	assert_int_equal(subid_find("", "alice", 1000, &r), 0);
	assert_int_equal(subid_find("\n\n\n", "alice", 1000, &r), 0);
	assert_int_equal(subid_find("# only a comment", "alice", 1000, &r), 0);
	assert_int_equal(subid_find("alice:1:1\r\nalice:2:2\r\n", "alice", 1000, &r), 1);
	assert_int_equal(r.start, 1);
	/* A line does not continue into the next one. */
	assert_int_equal(subid_find("alice:100000\n:65536\n", "alice", 1000, &r), 0);
	assert_int_equal(subid_find("alice\n:100000:65536\n", "alice", 1000, &r), 0);
}

static void find_skips_overlong_lines(void **state)
{
	char text[2048];
	struct id_range r = {0, 0};
	size_t n;

	(void)state;
	/* An overlong line whose head looks like alice's range is skipped
	 * whole; it must not be cut into a range. */
	n = (size_t)snprintf(text, sizeof(text), "alice:500000:65536");
	memset(text + n, ' ', 600);
	n += 600;
	snprintf(text + n, sizeof(text) - n, "x\nalice:100000:10\n");
	assert_int_equal(subid_find(text, "alice", 1000, &r), 1);
	assert_int_equal(r.start, 100000);
	assert_int_equal(r.count, 10);
}

/* ---- userns_layout ------------------------------------------------------- */

static void expect_line(const struct id_map *m, size_t i, uint32_t inside, uint32_t outside,
			uint32_t count)
{
	assert_true(i < m->n);
	if (m->lines[i].inside != inside || m->lines[i].outside != outside ||
	    m->lines[i].count != count)
		fail_msg("line %zu is '%u %u %u', expected '%u %u %u'", i, m->lines[i].inside,
			 m->lines[i].outside, m->lines[i].count, inside, outside, count);
}

/* No two lines may overlap inside or outside: the kernel refuses such a
 * map (user_namespaces(7)). */
static void expect_no_overlap(const struct id_map *m)
{
	for (size_t i = 0; i < m->n; i++)
		for (size_t j = i + 1; j < m->n; j++) {
			const struct id_map_line *a = &m->lines[i], *b = &m->lines[j];
			uint64_t ai = a->inside, bi = b->inside, ao = a->outside, bo = b->outside;
			if (ai < bi + b->count && bi < ai + a->count)
				fail_msg("lines %zu and %zu overlap inside", i, j);
			if (ao < bo + b->count && bo < ao + a->count)
				fail_msg("lines %zu and %zu overlap outside", i, j);
		}
}

static void keep_with_range(void **state)
{
	const struct id_range range = {100000, 65536};
	struct id_map m;

	(void)state;
	assert_int_equal(userns_layout(USER_KEEP, 0, 1000, &range, &m, "uid"), 0);
	assert_int_equal(m.n, 3);
	expect_line(&m, 0, 0, 100000, 1000);
	expect_line(&m, 1, 1000, 1000, 1);
	expect_line(&m, 2, 1001, 101000, 64536);
	assert_int_equal(m.target, 1000);
	assert_true(m.zero_mapped);
	expect_no_overlap(&m);
}

static void keep_with_a_small_range(void **state)
{
	const struct id_range small = {100000, 500};
	const struct id_range exact = {100000, 1000};
	struct id_map m;

	(void)state;
	/* N < U: the range fills 0..N-1 only; nothing above U. */
	assert_int_equal(userns_layout(USER_KEEP, 0, 1000, &small, &m, "uid"), 0);
	assert_int_equal(m.n, 2);
	expect_line(&m, 0, 0, 100000, 500);
	expect_line(&m, 1, 1000, 1000, 1);
	assert_int_equal(m.target, 1000);
	expect_no_overlap(&m);

	/* N == U: exactly 0..U-1, no third line. */
	assert_int_equal(userns_layout(USER_KEEP, 0, 1000, &exact, &m, "uid"), 0);
	assert_int_equal(m.n, 2);
	expect_line(&m, 0, 0, 100000, 1000);
	expect_line(&m, 1, 1000, 1000, 1);

	/* N == U+1: one id above U. */
	const struct id_range one_more = {100000, 1001};
	assert_int_equal(userns_layout(USER_KEEP, 0, 1000, &one_more, &m, "uid"), 0);
	assert_int_equal(m.n, 3);
	expect_line(&m, 2, 1001, 101000, 1);
}

static void keep_without_range(void **state)
{
	struct id_map m;

	(void)state;
	assert_int_equal(userns_layout(USER_KEEP, 0, 1000, NULL, &m, "uid"), 0);
	assert_int_equal(m.n, 1);
	expect_line(&m, 0, 1000, 1000, 1);
	assert_int_equal(m.target, 1000);
	assert_false(m.zero_mapped);
}

static void root_layout(void **state)
{
	const struct id_range range = {100000, 65536};
	struct id_map m;

	(void)state;
	assert_int_equal(userns_layout(USER_ROOT, 0, 1000, &range, &m, "uid"), 0);
	assert_int_equal(m.n, 2);
	expect_line(&m, 0, 0, 1000, 1);
	expect_line(&m, 1, 1, 100000, 65536);
	assert_int_equal(m.target, 0);
	assert_true(m.zero_mapped);
	expect_no_overlap(&m);

	assert_int_equal(userns_layout(USER_ROOT, 0, 1000, NULL, &m, "gid"), 0);
	assert_int_equal(m.n, 1);
	expect_line(&m, 0, 0, 1000, 1);
	assert_int_equal(m.target, 0);
}

static void explicit_id_with_range(void **state)
{
	const struct id_range range = {100000, 65536};
	struct id_map m;

	(void)state;
	/* --user UID: the root layout, the payload runs as UID inside. */
	assert_int_equal(userns_layout(USER_ID, 33, 1000, &range, &m, "uid"), 0);
	assert_int_equal(m.n, 2);
	expect_line(&m, 0, 0, 1000, 1);
	expect_line(&m, 1, 1, 100000, 65536);
	assert_int_equal(m.target, 33);

	assert_int_equal(userns_layout(USER_ID, 0, 1000, &range, &m, "uid"), 0);
	assert_int_equal(m.target, 0);
	/* 1..N are mapped, so N is the highest id. */
	assert_int_equal(userns_layout(USER_ID, 65536, 1000, &range, &m, "uid"), 0);
	assert_int_equal(m.target, 65536);
}

static void explicit_id_out_of_range(void **state)
{
	const struct id_range range = {100000, 65536};
	struct id_map m;

	(void)state;
	assert_int_equal(userns_layout(USER_ID, 65537, 1000, &range, &m, "uid"), -1);
	assert_non_null(strstr(err_line(), "uid 65537 is not mapped"));
	assert_int_equal(userns_layout(USER_ID, 4294967294U, 1000, &range, &m, "gid"), -1);
	assert_non_null(strstr(err_line(), "gid 4294967294 is not mapped"));
}

static void explicit_id_without_range(void **state)
{
	struct id_map m;

	(void)state;
	/* Only the caller's own id exists: as itself ... */
	assert_int_equal(userns_layout(USER_ID, 1000, 1000, NULL, &m, "uid"), 0);
	assert_int_equal(m.n, 1);
	expect_line(&m, 0, 1000, 1000, 1);
	assert_int_equal(m.target, 1000);
	/* ... or as 0 ... */
	assert_int_equal(userns_layout(USER_ID, 0, 1000, NULL, &m, "uid"), 0);
	assert_int_equal(m.n, 1);
	expect_line(&m, 0, 0, 1000, 1);
	assert_int_equal(m.target, 0);
	/* ... and nothing else, with the fix in the message. */
	assert_int_equal(userns_layout(USER_ID, 1, 1000, NULL, &m, "uid"), -1);
	assert_non_null(strstr(err_line(), "cannot be mapped without a subordinate uid range"));
	assert_non_null(strstr(err_line(), "usermod --add-subuids"));
	assert_int_equal(userns_layout(USER_ID, 500, 1000, NULL, &m, "gid"), -1);
	assert_non_null(strstr(err_line(), "gid 500"));
}

static void caller_is_root(void **state)
{
	const struct id_range range = {100000, 65536};
	struct id_map m;

	(void)state;
	/* Every mode maps only root's range: no id inside is host root. */
	for (int mode = USER_KEEP; mode <= USER_ROOT; mode++) {
		assert_int_equal(userns_layout((enum user_mode)mode, 0, 0, &range, &m, "uid"), 0);
		assert_int_equal(m.n, 1);
		expect_line(&m, 0, 0, 100000, 65536);
		assert_int_equal(m.target, 0);
	}
	assert_int_equal(userns_layout(USER_ID, 65535, 0, &range, &m, "uid"), 0);
	assert_int_equal(m.n, 1);
	expect_line(&m, 0, 0, 100000, 65536);
	assert_int_equal(m.target, 65535);

	/* Inside ids are 0..N-1 here. */
	assert_int_equal(userns_layout(USER_ID, 65536, 0, &range, &m, "uid"), -1);
	assert_non_null(strstr(err_line(), "uid 65536 is not mapped"));

	/* Without a range root is refused, never mapped to itself. */
	for (int mode = USER_KEEP; mode <= USER_ID; mode++) {
		assert_int_equal(userns_layout((enum user_mode)mode, 0, 0, NULL, &m, "uid"), -1);
		assert_non_null(
		    strstr(err_line(), "running sbx as root needs a subordinate uid range"));
	}
}

static void no_layout_maps_host_root_for_a_normal_caller(void **state)
{
	const struct id_range range = {100000, 65536};
	const uint32_t callers[] = {1, 999, 1000, 65535, 65536, 70000};
	struct id_map m;

	(void)state;
	for (size_t c = 0; c < sizeof(callers) / sizeof(callers[0]); c++)
		for (int mode = USER_KEEP; mode <= USER_ID; mode++) {
			if (userns_layout((enum user_mode)mode, 1, callers[c], &range, &m, "uid") <
			    0)
				continue;
			assert_true(m.n >= 1 && m.n <= ID_MAP_MAX_LINES);
			for (size_t i = 0; i < m.n; i++)
				assert_int_not_equal(m.lines[i].outside, 0);
			expect_no_overlap(&m);
		}
}

/* ---- userns_map_text ------------------------------------------------------ */

static void map_text(void **state)
{
	const struct id_range range = {100000, 65536};
	struct id_map m;
	char buf[128];

	(void)state;
	assert_int_equal(userns_layout(USER_KEEP, 0, 1000, &range, &m, "uid"), 0);
	assert_int_equal(userns_map_text(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0 100000 1000\n1000 1000 1\n1001 101000 64536\n");

	assert_int_equal(userns_layout(USER_ROOT, 0, 4294967294U, NULL, &m, "uid"), 0);
	assert_int_equal(userns_map_text(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0 4294967294 1\n");

	m.n = 0;
	assert_int_equal(userns_map_text(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void map_text_too_small(void **state)
{
	const struct id_range range = {100000, 65536};
	struct id_map m;
	char buf[20];

	(void)state;
	assert_int_equal(userns_layout(USER_KEEP, 0, 1000, &range, &m, "uid"), 0);
	assert_int_equal(userns_map_text(&m, buf, sizeof(buf)), -1);
	assert_non_null(strstr(err_line(), "id map too long"));
	/* Exactly the size needed, with its NUL, fits. */
	char exact[sizeof("0 100000 1000\n1000 1000 1\n1001 101000 64536\n")];
	assert_int_equal(userns_map_text(&m, exact, sizeof(exact)), 0);
	assert_int_equal(userns_map_text(&m, exact, sizeof(exact) - 1), -1);
}

static void numeric_owner_is_matched_as_shadow_prints_it(void **state)
{
	struct id_range r = {0, 0};

	(void)state;
	/* shadow compares the decimal string: a zero-padded uid is nobody's. */
	assert_int_equal(subid_parse_line("01000:300000:10", "alice", 1000, &r), 0);
	assert_int_equal(subid_find("01000:300000:10\nalice:100000:65536\n", "alice", 1000, &r), 1);
	assert_int_equal(r.start, 100000);
	/* An empty owner field belongs to nobody, even to an empty name. */
	assert_int_equal(subid_parse_line(":100000:65536", "", 1000, &r), 0);
}

static void ranges_holding_host_root_or_the_caller_are_refused(void **state)
{
	const struct id_range at_zero = {0, 65536};
	const struct id_range around_me = {1000, 65536};
	const struct id_range around_root_caller = {0, 10};
	struct id_map m;

	(void)state;
	assert_int_equal(userns_layout(USER_KEEP, 0, 1000, &at_zero, &m, "uid"), -1);
	assert_non_null(strstr(err_line(), "host id 0"));
	assert_int_equal(userns_layout(USER_ROOT, 0, 1000, &at_zero, &m, "uid"), -1);
	assert_int_equal(userns_layout(USER_KEEP, 0, 0, &around_root_caller, &m, "uid"), -1);
	assert_non_null(strstr(err_line(), "host id 0"));
	assert_int_equal(userns_layout(USER_KEEP, 0, 1000, &around_me, &m, "uid"), -1);
	assert_non_null(strstr(err_line(), "your own id"));
	assert_int_equal(userns_layout(USER_ROOT, 0, 65535, &around_me, &m, "uid"), -1);
	/* Just past the caller's id is fine. */
	const struct id_range above = {1001, 10};
	assert_int_equal(userns_layout(USER_KEEP, 0, 1000, &above, &m, "uid"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(passwd_name_of_uid),
	    cmocka_unit_test(passwd_first_line_wins_and_odd_lines_are_skipped),
	    cmocka_unit_test(passwd_name_too_long_for_the_buffer),
	    cmocka_unit_test(line_matches_by_name),
	    cmocka_unit_test(line_matches_by_numeric_uid),
	    cmocka_unit_test(line_of_another_user),
	    cmocka_unit_test(comments_blanks_and_whitespace),
	    cmocka_unit_test(malformed_lines),
	    cmocka_unit_test(largest_ranges),
	    cmocka_unit_test(find_first_valid_range),
	    cmocka_unit_test(find_in_degenerate_texts),
	    cmocka_unit_test(find_skips_overlong_lines),
	    cmocka_unit_test(keep_with_range),
	    cmocka_unit_test(keep_with_a_small_range),
	    cmocka_unit_test(keep_without_range),
	    cmocka_unit_test(root_layout),
	    cmocka_unit_test(explicit_id_with_range),
	    cmocka_unit_test(explicit_id_out_of_range),
	    cmocka_unit_test(explicit_id_without_range),
	    cmocka_unit_test(caller_is_root),
	    cmocka_unit_test(no_layout_maps_host_root_for_a_normal_caller),
	    cmocka_unit_test(map_text),
	    cmocka_unit_test(map_text_too_small),
	    cmocka_unit_test(numeric_owner_is_matched_as_shadow_prints_it),
	    cmocka_unit_test(ranges_holding_host_root_or_the_caller_are_refused),
	};

	return cmocka_run_group_tests_name("userns", tests, NULL, NULL);
}
