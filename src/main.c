/* SPDX-License-Identifier: MIT */
/* Command dispatch only. */
#include "cli.h"
#include "launch.h"
#include "log.h"
#include "seccomp.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#ifndef SBX_VERSION
#define SBX_VERSION "unknown"
#endif

/* A caller that closed 0, 1 or 2 would otherwise have our pipes land on
 * them and handed to the payload as its stdio. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EXIT_SBX_FAILED);
	}
}

int main(int argc, char **argv)
{
	struct plan plan;
	int action, rc;

	ensure_std_fds();
	action = cli_parse(argc, argv, &plan);

	switch (action) {
	case CLI_VERSION:
		printf("sbx %s\n", SBX_VERSION);
		rc = 0;
		break;
	case CLI_HELP:
		fputs(cli_usage, stdout);
		rc = 0;
		break;
	case CLI_RUN_HELP:
		fputs(cli_run_usage, stdout);
		rc = 0;
		break;
	case CLI_DOCTOR:
		fprintf(stderr, "sbx: doctor is not implemented yet in this version of sbx\n");
		rc = EXIT_SBX_FAILED;
		break;
	case CLI_PRINT_SECCOMP:
		rc = 0;
		if (seccomp_print(stdout, plan.allow_userns) < 0) {
			err_print();
			rc = EXIT_SBX_FAILED;
		}
		break;
	case CLI_RUN:
		log_verbose_on = plan.verbose;
		rc = launch_run(&plan);
		break;
	default:
		err_print();
		rc = EXIT_SBX_FAILED;
		break;
	}
	plan_free(&plan);
	return rc;
}
