/* SPDX-License-Identifier: MIT */
/* Exit codes of sbx run (DESIGN.md section 2). */
#ifndef SBX_STATUS_H
#define SBX_STATUS_H

enum {
	EXIT_SBX_FAILED = 125,
	EXIT_NOT_EXECUTABLE = 126,
	EXIT_NOT_FOUND = 127,
	EXIT_SIGNAL_BASE = 128,
};

/* The payload's wait status as sbx's exit code: its own code, or 128+N
 * when signal N killed it. */
int status_exit_code(int wstatus);
/* execve's errno as 126 or 127. */
int status_exec_code(int err);

#endif
