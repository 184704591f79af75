/* SPDX-License-Identifier: MIT */
/*
 * The default seccomp programs sbx loads come compiled at build time
 * (tools/seccomp-gen.c); they must be byte for byte what libseccomp
 * compiles from the rules now, or the build is stale.
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

#include "seccomp.h"

/* What f(allow_userns, fd) writes, in a malloc'ed buffer. */
static unsigned char *written(bool allow_userns, bool fresh, size_t *len)
{
	int fd = memfd_create("test-seccomp", MFD_CLOEXEC);
	unsigned char *buf;
	struct stat st;

	assert_true(fd >= 0);
	if (fresh)
		assert_int_equal(seccomp_compile_fresh(allow_userns, fd), 0);
	else
		assert_int_equal(seccomp_compile(allow_userns, NULL, fd), 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void check(bool allow_userns)
{
	size_t pre_len, fresh_len, used_len;
	const unsigned char *pre = seccomp_prebuilt(allow_userns, &pre_len);
	unsigned char *fresh = written(allow_userns, true, &fresh_len);
	unsigned char *used = written(allow_userns, false, &used_len);

	assert_non_null(pre);
	assert_int_equal(pre_len, fresh_len);
	assert_memory_equal(pre, fresh, fresh_len);
	/* And sbx run writes the prebuilt one. */
	assert_int_equal(used_len, pre_len);
	assert_memory_equal(used, pre, pre_len);
	free(fresh);
	free(used);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
