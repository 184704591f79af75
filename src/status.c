/* SPDX-License-Identifier: MIT */
#include "status.h"

#include <errno.h>
#include <sys/wait.h>

int status_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return EXIT_SIGNAL_BASE + WTERMSIG(wstatus);
	return EXIT_SBX_FAILED;
}

int status_exec_code(int err)
{
	/* As the shells do: a name that resolves to nothing is 127, a file
	 * that exists but cannot be run is 126. */
	return err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
}
