/* SPDX-License-Identifier: MIT */
/*
 * The seccomp layer (DESIGN.md section 5): a deny-list on the model of what
 * flatpak and Docker refuse, built with libseccomp for the native and the
 * compat architecture, plus a small classic-BPF filter that answers ENOSYS
 * to every syscall number newer than libseccomp knows (so a future syscall
 * is refused until the filter has been reviewed for it).  Both are compiled
 * at build time; sbx does not link libseccomp.
 */
#ifndef SBX_SECCOMP_H
#define SBX_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct sock_fprog;

struct seccomp_prog {
	void *insns; /* struct sock_filter[], for --seccomp FILE */
	size_t n;
};

/* The compiled form of the default programs: [u32 n][n instructions of the
 * ENOSYS filter][the main program's instructions]. */
#define SECCOMP_ENOSYS_MAX 32

/* Outside: read and check a compiled classic-BPF program. */
int seccomp_read_file(const char *path, struct seccomp_prog *out);
void seccomp_prog_free(struct seccomp_prog *p);

/* Inside pid 1, after the view is built and before the payload is forked
 * (the payload inherits them): load the --seccomp program when prog holds
 * one, else the default two as compiled at build time. */
int seccomp_apply(bool allow_userns, const struct seccomp_prog *prog);
/* Cut the compiled form into its two programs, which point into buf; -1
 * when it is malformed. */
int seccomp_split(const unsigned char *buf, size_t len, struct sock_fprog *enosys,
		  struct sock_fprog *main_prog);

/* --print-seccomp: the rules, as libseccomp's pseudo filter code, printed
 * at build time. */
int seccomp_print(FILE *out, bool allow_userns);

/* The default program for allow_userns and its text as compiled when sbx
 * was built, or NULL in a build without them (src/seccomp_prebuilt.c). */
const unsigned char *seccomp_prebuilt(bool allow_userns, size_t *len);
const char *seccomp_prebuilt_text(bool allow_userns);

/* src/seccomp_rules.c, with libseccomp, for the build's generator and the
 * tests only: compile the default program now, in the form above, into fd;
 * print its rules. */
int seccomp_compile_fresh(bool allow_userns, int fd);
int seccomp_print_fresh(FILE *out, bool allow_userns);

#endif
