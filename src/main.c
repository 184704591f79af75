/* SPDX-License-Identifier: MIT */
/* Command dispatch only. */
#include "cli.h"
#include "diff.h"
#include "doctor.h"
#include "launch.h"
#include "log.h"
#include "seccomp.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* sbx profiles: NAME<TAB>PATH of each profile --profile NAME would find,
 * the first directory's shadowing later ones of the same name. */
static int list_profiles(void)
{
	char *dirs[4] = {NULL};
	char seen[4096] = "\n";
	int rc = 0;

	if (cli_profile_dirs(getenv("XDG_CONFIG_HOME"), getenv("HOME"), dirs) < 0) {
		err_print();
		return EXIT_SBX_FAILED;
	}
	for (size_t i = 0; i < 4 && dirs[i]; i++) {
		struct dirent **names;
		int n = scandir(dirs[i], &names, NULL, alphasort);
		for (int k = 0; k < n; k++) {
			char key[300];
			snprintf(key, sizeof(key), "\n%s\n", names[k]->d_name);
			if (names[k]->d_name[0] != '.' && !strstr(seen, key) &&
			    strlen(seen) + strlen(key) < sizeof(seen)) {
				printf("%s\t%s/%s\n", names[k]->d_name, dirs[i], names[k]->d_name);
				strcat(seen, key + 1);
			}
			free(names[k]);
		}
		if (n >= 0)
			free(names);
		free(dirs[i]);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct plan plan;
	int action, rc;

	ensure_std_fds();
	/* sbx diff has its own small command line. */
	if (argc >= 2 && strcmp(argv[1], "diff") == 0)
		return diff_main(argc - 1, argv + 1);
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
		rc = doctor_main();
		break;
	case CLI_PROFILES:
		rc = list_profiles();
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
