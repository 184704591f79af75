/* SPDX-License-Identifier: MIT */
/*
 * The sandbox's network.  --net none: its own namespace with lo up.
 * --net slirp (default): slirp4netns serves a tap device in that
 * namespace; it runs outside, as the caller, for as long as sbx does.
 */
#ifndef SBX_NET_H
#define SBX_NET_H

#include "cli.h"

#include <stdbool.h>
#include <sys/types.h>

#ifndef SBX_SLIRP4NETNS
#define SBX_SLIRP4NETNS "/usr/bin/slirp4netns"
#endif

#define SLIRP_READY_TIMEOUT_MS 5000
#define SLIRP_EXIT_TIMEOUT_MS 1000
#define SLIRP_API_TIMEOUT_MS 5000

struct net_slirp {
	pid_t pid;  /* 0 when not running */
	int exit_w; /* closing it tells slirp4netns to exit */
	int log_fd; /* memfd holding its stdout and stderr */
	int pidfd;  /* to wait for it with a deadline */
};

/* Inside the sandbox's net namespace: bring the loopback interface up. */
int net_loopback_up(void);
/* Inside: create tap0 as a persistent device for slirp4netns to attach to. */
int net_tap_create(void);

/* Outside, after the maps are written and before pid 1 is released:
 * start slirp4netns against the sandbox's pid 1, wait until tap0 is
 * configured, and publish the ports of the plan.  ids_have_root: uid and
 * gid 0 are mapped (not a single-id sandbox). */
int net_slirp_start(const struct plan *plan, pid_t child, bool ids_have_root, struct net_slirp *ns);
/* Outside, on SIGCHLD: true (after one warning line) when pid was
 * slirp4netns dying while the sandbox still runs. */
bool net_slirp_reaped(struct net_slirp *ns);
/* Stop it and wait; nothing of it is left when this returns. */
void net_slirp_stop(struct net_slirp *ns);

#endif
