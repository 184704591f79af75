/* SPDX-License-Identifier: MIT */
/*
 * The outside half of the lifecycle (DESIGN.md section 1): prepare the
 * plan, clone the sandbox's pid 1, write its id maps, release it, forward
 * signals, wait and turn what happened into one exit code.
 */
#ifndef SBX_LAUNCH_H
#define SBX_LAUNCH_H

#include "cli.h"
#include "limits.h"
#include "log.h"
#include "mounts.h"
#include "net.h"
#include "seccomp.h"
#include "tty.h"
#include "userns.h"

#include <signal.h>
#include <stdint.h>

/* What the inside tells sbx, one record per write(2) (atomic below
 * PIPE_BUF), over a CLOEXEC pipe: setup failures and exec errors are
 * printed once, by sbx, and a successful exec closes the payload's end. */
enum report_kind {
	REPORT_FAIL = 1,
	REPORT_EXEC = 2,
	REPORT_STATUS = 3,
	REPORT_TAP = 4,
	REPORT_NAMESPACES = 5, /* pid 1 made the namespaces the clone did not */
};

/* Bytes sbx sends pid 1 on the sync pipe: maps written; network up and,
 * with a terminal, its relay started, so the payload may start. */
#define SYNC_GO 'G'
#define SYNC_READY 'R'

struct report {
	int32_t kind;
	int32_t code;	 /* exit code for FAIL/EXEC */
	int32_t wstatus; /* payload's wait status for STATUS */
	char msg[SBX_ERR_MAX + SBX_ERR_MAX / 2];
};

struct sandbox {
	const struct plan *plan;
	struct mount_plan mounts;
	struct userns_ids ids;
	char **env;
	sigset_t forwarded; /* signals passed on to the payload, plus SIGCHLD */
	int sync_r, sync_w;
	int report_r, report_w;
	struct net_slirp slirp;
	struct seccomp_prog seccomp; /* --seccomp FILE, read outside */
	struct tty_relay tty;
	int tty_slave; /* pid 1: the pty slave it keeps for the payload */
	int timer_fd;  /* --timeout */
	bool timed_out;
	struct cgroup_ctx cgroup;
};

/* Run the plan; returns sbx's exit code. */
int launch_run(const struct plan *plan);

void report_send(int fd, enum report_kind kind, int code, int wstatus, const char *msg);

#endif
