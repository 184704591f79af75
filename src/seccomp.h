/* SPDX-License-Identifier: MIT */
/*
 * The seccomp layer (DESIGN.md section 5): a deny-list on the model of what
 * flatpak and Docker refuse, built with libseccomp for the native and the
 * compat architecture, plus a small classic-BPF filter that answers ENOSYS
 * to every syscall number newer than libseccomp knows (so a future syscall
 * is refused until the filter has been reviewed for it).
 */
#ifndef SBX_SECCOMP_H
#define SBX_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct seccomp_prog {
	void *insns; /* struct sock_filter[], for --seccomp FILE */
	size_t n;
};

/* Outside: read and check a compiled classic-BPF program. */
int seccomp_read_file(const char *path, struct seccomp_prog *out);
void seccomp_prog_free(struct seccomp_prog *p);

/* Outside, while pid 1 builds the view: write the default filters (or the
 * --seccomp program, when prog holds one) into fd, a memfd pid 1 also
 * holds.  The default ones come compiled at build time. */
int seccomp_compile(bool allow_userns, const struct seccomp_prog *prog, int fd);
/* The same, built now with libseccomp (the build's generator uses it). */
int seccomp_compile_fresh(bool allow_userns, int fd);
/* The default program for allow_userns as compiled when sbx was built, or
 * NULL in a build without it (src/seccomp_prebuilt.c). */
const unsigned char *seccomp_prebuilt(bool allow_userns, size_t *len);
/* Inside pid 1, after the view is built and before the payload is forked
 * (the payload inherits them): load what seccomp_compile() wrote. */
int seccomp_load_compiled(int fd);

/* --print-seccomp: the rules, as libseccomp's pseudo filter code. */
int seccomp_print(FILE *out, bool allow_userns);

#endif
