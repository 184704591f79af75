/* SPDX-License-Identifier: MIT */
/*
 * The default seccomp programs sbx loads, and the text --print-seccomp
 * shows, come compiled at build time (tools/seccomp-gen.c); they must be
 * byte for byte what libseccomp makes of the rules now, or the build is
 * stale.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/filter.h>

#include "seccomp.h"

/* What seccomp_compile_fresh() writes now, in a malloc'ed buffer. */
static unsigned char *fresh_program(bool allow_userns, size_t *len)
{
	int fd = memfd_create("test-seccomp", MFD_CLOEXEC);
	unsigned char *buf;
	struct stat st;

	assert_true(fd >= 0);
	assert_int_equal(seccomp_compile_fresh(allow_userns, fd), 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* What seccomp_print_fresh() prints now, NUL-terminated (libseccomp
 * writes to a descriptor, so no memory stream). */
static char *fresh_text(bool allow_userns)
{
	int fd = memfd_create("test-seccomp-text", MFD_CLOEXEC);
	FILE *f;
	char *text;
	struct stat st;

	assert_true(fd >= 0);
	f = fdopen(dup(fd), "w");
	assert_non_null(f);
	assert_int_equal(seccomp_print_fresh(f, allow_userns), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(fstat(fd, &st), 0);
	text = calloc(1, (size_t)st.st_size + 1);
	assert_non_null(text);
	assert_int_equal(pread(fd, text, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	return text;
}

static void check(bool allow_userns)
{
	size_t pre_len, fresh_len;
	const unsigned char *pre = seccomp_prebuilt(allow_userns, &pre_len);
	unsigned char *fresh = fresh_program(allow_userns, &fresh_len);
	char *text = fresh_text(allow_userns);
	struct sock_fprog enosys, main_prog;

	assert_non_null(pre);
	assert_int_equal(pre_len, fresh_len);
	assert_memory_equal(pre, fresh, fresh_len);
	/* The two programs pid 1 loads: the ENOSYS one, then libseccomp's. */
	assert_int_equal(seccomp_split(pre, pre_len, &enosys, &main_prog), 0);
	assert_true(enosys.len > 0 && enosys.len <= SECCOMP_ENOSYS_MAX);
	assert_true(main_prog.len > 100);
	assert_int_equal(
	    sizeof(uint32_t) + (enosys.len + main_prog.len) * sizeof(struct sock_filter), pre_len);
	/* --print-seccomp shows what libseccomp prints for the same rules. */
	assert_non_null(seccomp_prebuilt_text(allow_userns));
	assert_string_equal(seccomp_prebuilt_text(allow_userns), text);
	assert_non_null(strstr(text, "# and a second filter"));
	free(fresh);
	free(text);
}

static void test_default_matches_libseccomp(void **state)
{
	(void)state;
	check(false);
}

static void test_allow_userns_matches_libseccomp(void **state)
{
	(void)state;
	check(true);
}

/* A malformed compiled form is refused, never read past its end. */
static void test_split_refuses_malformed(void **state)
{
	unsigned char buf[4 + 8 * 40] = {0};
	struct sock_fprog a, b;
	uint32_t n;

	(void)state;
	assert_int_equal(seccomp_split(buf, 3, &a, &b), -1);
	n = 2;
	memcpy(buf, &n, sizeof(n));
	assert_int_equal(seccomp_split(buf, 4 + 8 * 2 + 3, &a, &b), -1); /* not whole insns */
	assert_int_equal(seccomp_split(buf, 4 + 8 * 1, &a, &b), -1);	 /* n beyond the end */
	assert_int_equal(seccomp_split(buf, 4 + 8 * 5, &a, &b), 0);
	assert_int_equal(a.len, 2);
	assert_int_equal(b.len, 3);
	assert_ptr_equal(a.filter, (const void *)(buf + 4));
	assert_ptr_equal(b.filter, (const void *)(buf + 4 + 16));
	n = SECCOMP_ENOSYS_MAX + 1;
	memcpy(buf, &n, sizeof(n));
	assert_int_equal(seccomp_split(buf, sizeof(buf), &a, &b), -1);
}

static void test_the_two_differ(void **state)
{
	size_t a, b;
	const unsigned char *pa = seccomp_prebuilt(false, &a);
	const unsigned char *pb = seccomp_prebuilt(true, &b);

	(void)state;
	/* --allow-userns drops the rules against unshare, setns and clone's
	 * CLONE_NEW* flags: a shorter program. */
	assert_true(b < a);
	assert_true(memcmp(pa, pb, b) != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_matches_libseccomp),
	    cmocka_unit_test(test_allow_userns_matches_libseccomp),
	    cmocka_unit_test(test_the_two_differ),
	    cmocka_unit_test(test_split_refuses_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
