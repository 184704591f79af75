/* SPDX-License-Identifier: MIT */
/* Shared by the option parser (cli.c) and the profile reader (profile.c). */
#ifndef SBX_CLI_INTERNAL_H
#define SBX_CLI_INTERNAL_H

#include "cli.h"

/* One option at argv[*i] (and its value, advancing *i): 0, 1 for --help,
 * or -1 with the error recorded. */
int cli_parse_one(struct plan *plan, int argc, char **argv, int *i);
/* --profile NAME|FILE: read it and apply its options to plan. */
int cli_load_profile(struct plan *plan, const char *v);

#endif
