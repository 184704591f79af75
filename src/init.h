/* SPDX-License-Identifier: MIT */
/* pid 1 inside the sandbox ("sbx-init"): builds the view, starts the
 * payload, then only reaps and forwards signals. */
#ifndef SBX_INIT_H
#define SBX_INIT_H

#include "launch.h"

__attribute__((noreturn)) void init_main(struct sandbox *sb);

#endif
