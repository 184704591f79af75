/* SPDX-License-Identifier: MIT */
/* The payload's environment (DESIGN.md section 4), computed outside. */
#ifndef SBX_ENV_H
#define SBX_ENV_H

#include "cli.h"

/* Build the payload's environment from the caller's: keep the allowed
 * names, then apply -e (KEY=VAL sets, KEY passes the caller's value).
 * HOME is set to home.  Returns a NULL-terminated array of owned strings,
 * or NULL with the error recorded. */
char **env_build(char *const *caller_env, const struct plan *plan, const char *home);
void env_free(char **env);
/* Is this variable kept by default? ("LC_ALL=C" or "LC_ALL") */
int env_is_kept(const char *entry);

#endif
