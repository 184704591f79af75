/* SPDX-License-Identifier: MIT */
/* Command dispatch only. */
#include "cli.h"
#include "launch.h"
#include "log.h"
#include "status.h"

#include <stdio.h>

#ifndef SBX_VERSION
#define SBX_VERSION "unknown"
#endif

int main(int argc, char **argv)
{
	struct plan plan;
	int action = cli_parse(argc, argv, &plan);
	int rc;

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
