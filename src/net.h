/* SPDX-License-Identifier: MIT */
/* The sandbox's network.  --net none: its own namespace with lo up.
 * slirp4netns (--net slirp) arrives with the networking issue. */
#ifndef SBX_NET_H
#define SBX_NET_H

/* Inside the sandbox's net namespace: bring the loopback interface up. */
int net_loopback_up(void);

#endif
