/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "tty.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

enum { P_STDIN, P_MASTER, P_STDOUT, P_COUNT };

int tty_prepare(enum tty_mode mode, struct tty_relay *t)
{
	memset(t, 0, sizeof(*t));
	t->sock[0] = t->sock[1] = t->master = -1;
	if (mode == TTY_NEVER || (mode == TTY_AUTO && !isatty(STDIN_FILENO)))
		return 0;
	t->on = true;
	/* auto: a pipe or file on stdout or stderr passes straight through,
	 * so `sbx run cmd > file` from a terminal stays byte-exact. */
	if (mode == TTY_ALWAYS)
		t->slave_fds = 07;
	else
		t->slave_fds =
		    1 | (isatty(STDOUT_FILENO) ? 2 : 0) | (isatty(STDERR_FILENO) ? 4 : 0);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, t->sock) < 0)
		return err_set(errno, "socketpair");
	return 0;
}

static int send_fd(int sock, int fd)
{
	char byte = 'M';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return err_set(errno, "send the pty to sbx");
	return 0;
}

/* 1 with *fd set, 0 on EOF, -1 on error. */
static int recv_fd(int sock, int *fd)
{
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_set(errno, "receive the pty from the sandbox");
	if (n == 0)
		return 0;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return err_set(EPROTO, "receive the pty from the sandbox");
	memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 1;
}

int tty_open_inside(struct tty_relay *t, uid_t uid, gid_t gid)
{
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int unlock = 0, n, slave;
	char path[32];

	if (master < 0)
		return err_set(errno, "open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
		return err_set(errno, "set up the pty");
	/* The slave through its master, not by path: nothing to race. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return err_set(errno, "open the pty's slave");
	/* It is the payload's terminal, as login would make it. */
	if (fchown(slave, uid, gid) < 0 || fchmod(slave, 0620) < 0) {
		close_nointr(slave);
		return err_set(errno, "give the pty to the payload");
	}
	snprintf(path, sizeof(path), "/dev/pts/%d", n);
	if (mount(path, "/dev/console", NULL, MS_BIND, NULL) < 0) {
		close_nointr(slave);
		return err_set(errno, "bind %s on /dev/console", path);
	}
	if (send_fd(t->sock[1], master) < 0) {
		close_nointr(slave);
		return -1;
	}
	close_nointr(steal_fd(&t->sock[1]));
	return slave;
}

int tty_attach_payload(const struct tty_relay *t, int slave)
{
	if (setsid() < 0)
		return err_set(errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return err_set(errno, "make the pty the controlling terminal");
	for (int fd = 0; fd <= 2; fd++)
		if ((t->slave_fds & (1U << fd)) && dup2(slave, fd) < 0)
			return err_set(errno, "dup2 the pty");
	if (slave > 2)
		close_nointr(slave);
	return 0;
}

/* The caller's terminal: stdin when it is one, else stdout or stderr. */
static int caller_terminal(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (isatty(fd))
			return fd;
	return -1;
}

void tty_resize(struct tty_relay *t)
{
	struct winsize ws;
	int fd = caller_terminal();

	if (t->master >= 0 && fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(t->master, TIOCSWINSZ, &ws);
}

static void pass_eof(struct tty_relay *t);

/* What the caller typed before the relay started was read by the terminal
 * in canonical mode: a pending Ctrl-D is an EOF marker that raw mode would
 * turn into a NUL byte.  Take complete lines and a pending EOF now. */
static void take_cooked_input(struct tty_relay *t)
{
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};

	while (!t->in_eof && t->to_pty.len < TTY_BUF_BYTES && poll(&p, 1, 0) == 1 &&
	       (p.revents & POLLIN)) {
		ssize_t n = read(STDIN_FILENO, t->to_pty.buf + t->to_pty.len,
				 TTY_BUF_BYTES - t->to_pty.len);
		if (n > 0)
			t->to_pty.len += (size_t)n;
		else if (n == 0)
			t->in_eof = true;
		else
			break;
	}
}

int tty_start(struct tty_relay *t)
{
	struct termios raw;
	int r;

	/* Only a relay needs them: sbx without one stays small. */
	if (!(t->to_pty.buf = malloc(TTY_BUF_BYTES)) || !(t->from_pty.buf = malloc(TTY_BUF_BYTES)))
		return err_set(ENOMEM, "out of memory");
	r = recv_fd(t->sock[0], &t->master);
	if (r <= 0)
		return r;
	if (fcntl(t->master, F_SETFL, fcntl(t->master, F_GETFL) | O_NONBLOCK) < 0)
		return err_set(errno, "set up the pty");
	/* Before the payload starts, so its first `stty size` is right. */
	tty_resize(t);
	if (isatty(STDIN_FILENO)) {
		take_cooked_input(t);
		if (tcgetattr(STDIN_FILENO, &t->saved) < 0)
			return err_set(errno, "read the terminal's settings");
		raw = t->saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
			return err_set(errno, "put the terminal in raw mode");
		t->raw = true;
	}
	if (t->in_eof)
		pass_eof(t);
	return 0;
}

void tty_restore(struct tty_relay *t)
{
	if (t->raw && tcsetattr(STDIN_FILENO, TCSANOW, &t->saved) == 0)
		t->raw = false;
}

void tty_close(struct tty_relay *t)
{
	tty_restore(t);
	for (int i = 0; i < 2; i++)
		if (t->sock[i] >= 0)
			close_nointr(steal_fd(&t->sock[i]));
	if (t->master >= 0)
		close_nointr(steal_fd(&t->master));
	free(t->to_pty.buf);
	free(t->from_pty.buf);
	t->to_pty.buf = t->from_pty.buf = NULL;
}

size_t tty_poll_fds(struct tty_relay *t, struct pollfd *p)
{
	for (int i = 0; i < P_COUNT; i++)
		p[i] = (struct pollfd){.fd = -1};
	if (t->master < 0)
		return P_COUNT;
	if (!t->in_eof && t->to_pty.len == 0)
		p[P_STDIN] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	/* Poll the master only for what we can take or give now: a hung-up
	 * master reports POLLHUP whatever we ask, and polling it while its
	 * output waits for a slow stdout would spin. */
	short ev = (short)((!t->out_eof && t->from_pty.len == 0 ? POLLIN : 0) |
			   (t->to_pty.len > 0 ? POLLOUT : 0));
	if (ev)
		p[P_MASTER] = (struct pollfd){.fd = t->master, .events = ev};
	if (t->from_pty.len > 0)
		p[P_STDOUT] = (struct pollfd){.fd = STDOUT_FILENO, .events = POLLOUT};
	return P_COUNT;
}

/* EOF on the caller's stdin: give the payload its terminal's EOF, which
 * ends a read in canonical mode the way Ctrl-D would. */
static void pass_eof(struct tty_relay *t)
{
	struct termios tio;
	struct tty_pipe *pp = &t->to_pty;

	t->in_eof = true;
	if (tcgetattr(t->master, &tio) == 0 && (tio.c_lflag & ICANON) &&
	    pp->off + pp->len < TTY_BUF_BYTES)
		pp->buf[pp->off + pp->len++] = (char)tio.c_cc[VEOF];
}

static void fill(struct tty_pipe *pp, int fd, bool *eof)
{
	ssize_t n = read(fd, pp->buf, TTY_BUF_BYTES);

	if (n > 0) {
		pp->off = 0;
		pp->len = (size_t)n;
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		/* EIO on the master: no slave is open any more. */
		*eof = true;
	}
}

static void drain(struct tty_pipe *pp, int fd)
{
	ssize_t n = write(fd, pp->buf + pp->off, pp->len);

	if (n > 0) {
		pp->off += (size_t)n;
		pp->len -= (size_t)n;
	} else if (n < 0 && errno != EINTR && errno != EAGAIN) {
		/* Nobody reads this side any more; drop what is pending. */
		pp->len = 0;
	}
}

void tty_poll_handle(struct tty_relay *t, const struct pollfd *p, size_t n)
{
	if (n < P_COUNT || t->master < 0)
		return;
	if (p[P_STDIN].revents) {
		bool eof = false;
		fill(&t->to_pty, STDIN_FILENO, &eof);
		if (eof)
			pass_eof(t);
	}
	if (p[P_MASTER].revents & (POLLOUT | POLLERR | POLLHUP) && t->to_pty.len > 0)
		drain(&t->to_pty, t->master);
	if (p[P_MASTER].revents & (POLLIN | POLLHUP | POLLERR) && !t->out_eof &&
	    t->from_pty.len == 0)
		fill(&t->from_pty, t->master, &t->out_eof);
	if (p[P_STDOUT].revents && t->from_pty.len > 0)
		drain(&t->from_pty, STDOUT_FILENO);
}

bool tty_drained(const struct tty_relay *t)
{
	return t->master < 0 || (t->out_eof && t->from_pty.len == 0);
}
