/* SPDX-License-Identifier: MIT */
/*
 * The pure parts of sbx diff: how one entry of the overlay's upper layer
 * is classified against the lower one, when a symlink target could leave
 * DIR, and how paths are written so no file name can forge a line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "diff.h"

static const struct diff_side absent = {false, 0, 0, 0};

static struct diff_side side(mode_t mode)
{
	return (struct diff_side){true, mode, 0, 0};
}

static void a_whiteout_is_a_char_device_0_0(void **state)
{
	struct diff_side wh = side(S_IFCHR), tty = {true, S_IFCHR | 0620, makedev(5, 0), 0};

	(void)state;
	assert_true(diff_is_whiteout(&wh));
	assert_false(diff_is_whiteout(&tty));
	assert_false(diff_is_whiteout(&absent));
	assert_int_equal(diff_classify(&(struct diff_side){true, S_IFREG | 0644, 0, 1}, &wh, false),
			 DIFF_DELETED);
	/* Created and deleted again within the run: nothing to report. */
	assert_int_equal(diff_classify(&absent, &wh, false), DIFF_NONE);
}

static void new_changed_and_retyped_entries(void **state)
{
	struct diff_side f644 = side(S_IFREG | 0644), f600 = side(S_IFREG | 0600);
	struct diff_side d755 = side(S_IFDIR | 0755), d700 = side(S_IFDIR | 0700);
	struct diff_side l = side(S_IFLNK | 0777);

	(void)state;
	assert_int_equal(diff_classify(&absent, &f644, false), DIFF_ADDED);
	assert_int_equal(diff_classify(&absent, &d755, false), DIFF_ADDED);
	/* Copy-up of an unchanged file (e.g. opened for writing only). */
	assert_int_equal(diff_classify(&f644, &f644, true), DIFF_NONE);
	assert_int_equal(diff_classify(&f644, &f644, false), DIFF_MODIFIED);
	assert_int_equal(diff_classify(&f644, &f600, true), DIFF_MODIFIED);
	assert_int_equal(diff_classify(&d755, &d755, true), DIFF_NONE);
	assert_int_equal(diff_classify(&d755, &d700, true), DIFF_MODIFIED);
	assert_int_equal(diff_classify(&l, &l, true), DIFF_NONE);
	assert_int_equal(diff_classify(&l, &l, false), DIFF_MODIFIED);
	assert_int_equal(diff_classify(&f644, &d755, true), DIFF_TYPE_CHANGED);
	assert_int_equal(diff_classify(&f644, &l, true), DIFF_TYPE_CHANGED);
	assert_int_equal(diff_classify(&d755, &f644, true), DIFF_TYPE_CHANGED);
	assert_int_equal(diff_classify(&f644, &absent, true), DIFF_NONE);
}

static void type_names(void **state)
{
	(void)state;
	assert_string_equal(diff_type_name(S_IFREG | 0644), "file");
	assert_string_equal(diff_type_name(S_IFDIR), "dir");
	assert_string_equal(diff_type_name(S_IFLNK), "symlink");
	assert_string_equal(diff_type_name(S_IFIFO), "other");
}

static void symlinks_that_stay_inside(void **state)
{
	(void)state;
	assert_false(diff_symlink_escapes("a", "b"));
	assert_false(diff_symlink_escapes("a", "./b/c"));
	assert_false(diff_symlink_escapes("d/a", "../b"));
	assert_false(diff_symlink_escapes("d/e/a", "../../b"));
	assert_false(diff_symlink_escapes("node_modules/.bin/x", "../x/bin/x.js"));
	assert_false(diff_symlink_escapes("d/a", "..//b/."));
	assert_false(diff_symlink_escapes("d/a", ".."));
}

static void symlinks_that_escape(void **state)
{
	(void)state;
	assert_true(diff_symlink_escapes("a", "/etc/passwd"));
	assert_true(diff_symlink_escapes("a", "/"));
	assert_true(diff_symlink_escapes("a", ""));
	assert_true(diff_symlink_escapes("a", ".."));
	assert_true(diff_symlink_escapes("a", "../x"));
	assert_true(diff_symlink_escapes("d/a", "../../x"));
	assert_true(diff_symlink_escapes("d/a", "./.././../x"));
	/* ".." after a name could climb out through a symlink: refused. */
	assert_true(diff_symlink_escapes("a", "b/../c"));
	assert_true(diff_symlink_escapes("d/e/a", "x/../.."));
}

/* What fn writes for s, as a string the caller frees. */
static char *written(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void check_written(void (*fn)(FILE *, const char *), const char *in, const char *want)
{
	char *got = written(fn, in);

	assert_string_equal(got, want);
	free(got);
}

static void json_strings(void **state)
{
	(void)state;
	check_written(diff_json_string, "dir/file", "\"dir/file\"");
	check_written(diff_json_string, "a\"b\\c", "\"a\\\"b\\\\c\"");
	check_written(diff_json_string, "t\tn\nr\rb\bf\f", "\"t\\tn\\nr\\rb\\bf\\f\"");
	check_written(diff_json_string, "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	/* Valid UTF-8 passes through as is. */
	check_written(diff_json_string, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		      "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* Each byte of an invalid sequence becomes \u00XX. */
	check_written(diff_json_string, "caf\xe9", "\"caf\\u00e9\"");
	check_written(diff_json_string, "\xc3", "\"\\u00c3\"");
	check_written(diff_json_string, "\xc0\xaf", "\"\\u00c0\\u00af\""); /* overlong "/" */
	check_written(diff_json_string, "\xed\xa0\x80",
		      "\"\\u00ed\\u00a0\\u0080\""); /* surrogate */
	check_written(diff_json_string, "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
	check_written(diff_json_string, "\xe2\x82", "\"\\u00e2\\u0082\""); /* cut short */
	check_written(diff_json_string, "", "\"\"");
}

static void text_paths(void **state)
{
	(void)state;
	check_written(diff_text_path, "dir/file name", "dir/file name");
	check_written(diff_text_path, "caf\xc3\xa9", "caf\xc3\xa9");
	/* A newline could forge a report line: quoted like git does. */
	check_written(diff_text_path, "a\nD etc", "\"a\\nD etc\"");
	check_written(diff_text_path, "q\"b\\", "\"q\\\"b\\\\\"");
	check_written(diff_text_path, "\x01\x7f\t", "\"\\001\\177\\t\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_whiteout_is_a_char_device_0_0),
	    cmocka_unit_test(new_changed_and_retyped_entries),
	    cmocka_unit_test(type_names),
	    cmocka_unit_test(symlinks_that_stay_inside),
	    cmocka_unit_test(symlinks_that_escape),
	    cmocka_unit_test(json_strings),
	    cmocka_unit_test(text_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
