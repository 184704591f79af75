/* SPDX-License-Identifier: MIT */
/*
 * The terminal relay.  With a terminal on stdin, the payload gets a pty of
 * the sandbox's own devpts instead of the caller's terminal (which it could
 * push keystrokes into, CVE-2017-5226), and sbx copies bytes between the
 * caller's terminal, in raw mode, and the pty's master.
 */
#ifndef SBX_TTY_H
#define SBX_TTY_H

#include "cli.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <poll.h>
#include <termios.h>

#define TTY_BUF_BYTES (64 * 1024)

struct tty_pipe {
	char *buf;	 /* TTY_BUF_BYTES, allocated by tty_start() */
	size_t off, len; /* pending bytes buf[off .. off+len) */
};

struct tty_relay {
	bool on;
	unsigned int slave_fds; /* bit i: the payload's fd i is the pty */
	int sock[2];		/* pid 1 sends the master over it */
	int master;
	bool raw;	      /* the caller's terminal is in raw mode */
	struct termios saved; /* to restore it exactly */
	bool in_eof;	      /* the caller's stdin ended */
	bool out_eof;	      /* the pty has no writer left */
	struct tty_pipe to_pty, from_pty;
};

/* Outside, before clone: relay or not (auto: when stdin is a terminal). */
int tty_prepare(enum tty_mode mode, struct tty_relay *t);

/* Inside pid 1, after pivot_root: open a pty of our devpts, give the slave
 * to uid/gid, bind it on /dev/console, and send the master to sbx.  Returns
 * the slave descriptor, kept for the payload. */
int tty_open_inside(struct tty_relay *t, uid_t uid, gid_t gid);
/* In the payload: the slave becomes its controlling terminal and the fds
 * of slave_fds. */
int tty_attach_payload(const struct tty_relay *t, int slave);

/* Outside: receive the master, copy the window size, and make the caller's
 * terminal raw.  EOF (pid 1 died first) returns 0 with t->master < 0. */
int tty_start(struct tty_relay *t);
/* SIGWINCH: copy the caller's window size to the pty. */
void tty_resize(struct tty_relay *t);
/* Restore the caller's terminal exactly; safe to call more than once. */
void tty_restore(struct tty_relay *t);
void tty_close(struct tty_relay *t);

/* The relay's share of a poll loop: fill pollfds (returns how many), then
 * handle their events.  Done when the pty has no writer and all its output
 * is written out. */
size_t tty_poll_fds(struct tty_relay *t, struct pollfd *p);
void tty_poll_handle(struct tty_relay *t, const struct pollfd *p, size_t n);
bool tty_drained(const struct tty_relay *t);

#endif
