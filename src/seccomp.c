/* SPDX-License-Identifier: MIT */
/*
 * The seccomp layer at run time: pid 1 loads the default programs that the
 * build compiled with libseccomp (src/seccomp_rules.c, tools/seccomp-gen.c),
 * or the one --seccomp FILE names.  No libseccomp here.
 */
#define _GNU_SOURCE
#include "seccomp.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECCOMP_FILE_MAX_INSNS 4096

int seccomp_split(const unsigned char *buf, size_t len, struct sock_fprog *enosys,
		  struct sock_fprog *main_prog)
{
	const size_t insn = sizeof(struct sock_filter);
	uint32_t n;

	if (len < sizeof(n))
		return -1;
	memcpy(&n, buf, sizeof(n));
	if (n > SECCOMP_ENOSYS_MAX || (len - sizeof(n)) / insn < n ||
	    (len - sizeof(n)) % insn != 0 || (len - sizeof(n)) / insn - n > USHRT_MAX)
		return -1;
	enosys->len = (unsigned short)n;
	enosys->filter = (struct sock_filter *)(uintptr_t)(buf + sizeof(n));
	main_prog->len = (unsigned short)((len - sizeof(n)) / insn - n);
	main_prog->filter = (struct sock_filter *)(uintptr_t)(buf + sizeof(n) + n * insn);
	return 0;
}

static int no_prebuilt(void)
{
	err_set(0, "this sbx was built without its seccomp programs");
	err_hint("rebuild it with make, which compiles them");
	return -1;
}

static int load_prog(const struct sock_fprog *fp, const char *what)
{
	if (fp->len == 0)
		return 0;
	/* pid 1 holds CAP_SYS_ADMIN in its namespace, so it needs no
	 * no_new_privs to load; the payload sets that itself. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fp, 0, 0) < 0) {
		err_set(errno, "load the %s", what);
		err_hint("the kernel rejected it; a --seccomp FILE must be a classic BPF seccomp "
			 "program");
		return -1;
	}
	return 0;
}

int seccomp_apply(bool allow_userns, const struct seccomp_prog *prog)
{
	struct sock_fprog enosys, main_prog;
	const unsigned char *pre;
	size_t len;

	if (prog && prog->n > 0) {
		/* --seccomp FILE replaces both of ours. */
		main_prog.len = (unsigned short)prog->n;
		main_prog.filter = prog->insns;
		return load_prog(&main_prog, "seccomp filter");
	}
	pre = seccomp_prebuilt(allow_userns, &len);
	if (!pre || seccomp_split(pre, len, &enosys, &main_prog) < 0)
		return no_prebuilt();
	if (load_prog(&enosys, "seccomp ENOSYS filter") < 0)
		return -1;
	return load_prog(&main_prog, "seccomp filter");
}

int seccomp_print(FILE *out, bool allow_userns)
{
	const char *text = seccomp_prebuilt_text(allow_userns);

	if (!text)
		return no_prebuilt();
	if (fputs(text, out) < 0)
		return err_set(errno, "print the seccomp filter");
	return 0;
}

int seccomp_read_file(const char *path, struct seccomp_prog *out)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_set(errno, "--seccomp %s", path);
	if (!S_ISREG(st.st_mode) || st.st_size == 0 ||
	    st.st_size % sizeof(struct sock_filter) != 0 ||
	    st.st_size > (off_t)(SECCOMP_FILE_MAX_INSNS * sizeof(struct sock_filter))) {
		err_set(0, "--seccomp %s: not a compiled BPF program", path);
		err_hint(
		    "expected a file of 8-byte struct sock_filter instructions, 1 to %d of them",
		    SECCOMP_FILE_MAX_INSNS);
		return -1;
	}
	out->insns = malloc((size_t)st.st_size);
	if (!out->insns)
		return err_set(ENOMEM, "out of memory");
	n = read_full(fd, out->insns, (size_t)st.st_size);
	if (n != st.st_size) {
		seccomp_prog_free(out);
		return err_set(n < 0 ? errno : EIO, "read --seccomp %s", path);
	}
	out->n = (size_t)st.st_size / sizeof(struct sock_filter);
	return 0;
}

void seccomp_prog_free(struct seccomp_prog *p)
{
	free(p->insns);
	p->insns = NULL;
	p->n = 0;
}
