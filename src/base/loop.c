/* SPDX-License-Identifier: ISC */
/*
 * The poll loop.  One thread; fds with callbacks, one-shot timers and
 * signals delivered through a self-pipe so handlers only set a flag.
 * When nothing is pending it sleeps in poll() with no timeout: an idle
 * session costs no wakeups.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

#define NSIG_MAX	65

struct fdent {
	int	 fd;
	short	 events;
	io_cb	 cb;
	void	*arg;
	bool	 dead;
};

struct timer {
	struct loop	*loop;
	timer_cb	 cb;
	void		*arg;
	int64_t		 when;		/* mono ns, 0 when not armed */
	bool		 defer;		/* freed after it runs */
};

struct loop {
	struct fdent	*fds;
	size_t		 nfds;
	struct timer	**timers;
	size_t		 ntimers;
	bool		 broken;
	int		 sigpipe[2];
	signal_cb	 sigcb[NSIG_MAX];
	void		*sigarg[NSIG_MAX];
	size_t		 nsignals;
	struct pollfd	*pfd;
	size_t		 npfd;
};

static volatile sig_atomic_t	 sig_pending[NSIG_MAX];
static int			 sig_wfd = -1;

static void
loop_sighandler(int signo)
{
	int	saved = errno;
	char	c = (char)signo;

	if (signo > 0 && signo < NSIG_MAX)
		sig_pending[signo] = 1;
	if (sig_wfd != -1)
		(void)!write(sig_wfd, &c, 1);
	errno = saved;
}

static void
loop_sigread(int fd, short revents, void *arg)
{
	struct loop	*loop = arg;
	char		 tmp[64];
	int		 i;

	(void)revents;
	while (read(fd, tmp, sizeof tmp) > 0)
		;
	for (i = 1; i < NSIG_MAX; i++) {
		if (!sig_pending[i])
			continue;
		sig_pending[i] = 0;
		if (loop->sigcb[i] != NULL)
			loop->sigcb[i](i, loop->sigarg[i]);
	}
}

struct loop *
loop_new(void)
{
	struct loop	*loop;
	int		 i;

	loop = xcalloc(1, sizeof *loop);
	if (pipe2(loop->sigpipe, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("pipe");
	sig_wfd = loop->sigpipe[1];
	loop_add_fd(loop, loop->sigpipe[0], POLLIN, loop_sigread, loop);
	for (i = 0; i < NSIG_MAX; i++)
		sig_pending[i] = 0;
	return loop;
}

void
loop_free(struct loop *loop)
{
	size_t	i;

	if (loop == NULL)
		return;
	for (i = 1; i < NSIG_MAX; i++)
		if (loop->sigcb[i] != NULL)
			signal((int)i, SIG_DFL);
	for (i = 0; i < loop->ntimers; i++)
		free(loop->timers[i]);
	if (sig_wfd == loop->sigpipe[1])
		sig_wfd = -1;
	close(loop->sigpipe[0]);
	close(loop->sigpipe[1]);
	free(loop->timers);
	free(loop->fds);
	free(loop->pfd);
	free(loop);
}

static struct fdent *
loop_find(struct loop *loop, int fd)
{
	size_t	i;

	for (i = 0; i < loop->nfds; i++)
		if (loop->fds[i].fd == fd && !loop->fds[i].dead)
			return &loop->fds[i];
	return NULL;
}

void
loop_add_fd(struct loop *loop, int fd, short events, io_cb cb, void *arg)
{
	struct fdent	*e;

	if ((e = loop_find(loop, fd)) == NULL) {
		loop->fds = xreallocarray(loop->fds, loop->nfds + 1,
		    sizeof *loop->fds);
		e = &loop->fds[loop->nfds++];
	}
	e->fd = fd;
	e->events = events;
	e->cb = cb;
	e->arg = arg;
	e->dead = false;
}

void
loop_set_events(struct loop *loop, int fd, short events)
{
	struct fdent	*e;

	if ((e = loop_find(loop, fd)) != NULL)
		e->events = events;
}

void
loop_del_fd(struct loop *loop, int fd)
{
	struct fdent	*e;

	/* Marked now, removed after dispatch: callbacks may delete fds. */
	if ((e = loop_find(loop, fd)) != NULL)
		e->dead = true;
}

void
loop_add_signal(struct loop *loop, int signo, signal_cb cb, void *arg)
{
	struct sigaction	sa;

	if (signo <= 0 || signo >= NSIG_MAX)
		fatalx("signal %d out of range", signo);
	if (loop->sigcb[signo] == NULL)
		loop->nsignals++;
	loop->sigcb[signo] = cb;
	loop->sigarg[signo] = arg;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = loop_sighandler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(signo, &sa, NULL);
}

struct timer *
timer_new(struct loop *loop, timer_cb cb, void *arg)
{
	struct timer	*t;

	t = xcalloc(1, sizeof *t);
	t->loop = loop;
	t->cb = cb;
	t->arg = arg;
	loop->timers = xreallocarray(loop->timers, loop->ntimers + 1,
	    sizeof *loop->timers);
	loop->timers[loop->ntimers++] = t;
	return t;
}

void
timer_set(struct timer *t, int64_t ms)
{
	t->when = mono_ns() + ms * 1000000;
	if (t->when == 0)
		t->when = 1;
}

void
timer_cancel(struct timer *t)
{
	t->when = 0;
}

bool
timer_pending(const struct timer *t)
{
	return t->when != 0;
}

void
timer_free(struct timer *t)
{
	struct loop	*loop;
	size_t		 i;

	if (t == NULL)
		return;
	loop = t->loop;
	for (i = 0; i < loop->ntimers; i++) {
		if (loop->timers[i] == t) {
			loop->timers[i] = loop->timers[--loop->ntimers];
			break;
		}
	}
	free(t);
}

void
loop_defer(struct loop *loop, timer_cb cb, void *arg)
{
	struct timer	*t;

	t = timer_new(loop, cb, arg);
	t->defer = true;
	t->when = 1;	/* already due */
}

void
loop_break(struct loop *loop)
{
	loop->broken = true;
}

bool
loop_broken(const struct loop *loop)
{
	return loop->broken;
}

static void
loop_compact(struct loop *loop)
{
	size_t	i, j;

	for (i = j = 0; i < loop->nfds; i++)
		if (!loop->fds[i].dead)
			loop->fds[j++] = loop->fds[i];
	loop->nfds = j;
}

/* Run due timers; return ms until the next one, -1 if none. */
static int
loop_timers(struct loop *loop)
{
	int64_t		 now, next = -1;
	struct timer	*t;
	size_t		 i;
	bool		 ran;

	do {
		ran = false;
		now = mono_ns();
		for (i = 0; i < loop->ntimers; i++) {
			t = loop->timers[i];
			if (t->when == 0 || t->when > now)
				continue;
			t->when = 0;
			ran = true;
			if (t->defer) {
				timer_cb	 cb = t->cb;
				void		*arg = t->arg;

				timer_free(t);
				cb(arg);
			} else
				t->cb(t->arg);
			break;	/* the list may have changed */
		}
	} while (ran && !loop->broken);

	now = mono_ns();
	for (i = 0; i < loop->ntimers; i++) {
		t = loop->timers[i];
		if (t->when == 0)
			continue;
		if (next == -1 || t->when - now < next)
			next = t->when - now;
	}
	if (next < 0)
		return next == -1 ? -1 : 0;
	return (int)((next + 999999) / 1000000);
}

int
loop_run_once(struct loop *loop)
{
	size_t	 i, n;
	int	 timeout, rc;

	timeout = loop_timers(loop);
	if (loop->broken)
		return 0;
	loop_compact(loop);
	/* Only the signal pipe, nothing to wait for: say so. */
	if (loop->nfds <= 1 && timeout == -1 && loop->nsignals == 0)
		return -1;
	if (loop->npfd < loop->nfds) {
		loop->pfd = xreallocarray(loop->pfd, loop->nfds,
		    sizeof *loop->pfd);
		loop->npfd = loop->nfds;
	}
	n = loop->nfds;
	for (i = 0; i < n; i++) {
		loop->pfd[i].fd = loop->fds[i].fd;
		loop->pfd[i].events = loop->fds[i].events;
		loop->pfd[i].revents = 0;
	}
	rc = poll(loop->pfd, n, timeout);
	if (rc == -1) {
		if (errno == EINTR)
			return 0;
		fatal("poll");
	}
	for (i = 0; i < n && rc > 0 && !loop->broken; i++) {
		struct fdent	*e;
		size_t		 j;

		if (loop->pfd[i].revents == 0)
			continue;
		/* Find by fd: the array may have grown in a callback. */
		e = NULL;
		for (j = 0; j < loop->nfds; j++) {
			if (loop->fds[j].fd == loop->pfd[i].fd &&
			    !loop->fds[j].dead) {
				e = &loop->fds[j];
				break;
			}
		}
		if (e == NULL)
			continue;
		e->cb(e->fd, loop->pfd[i].revents, e->arg);
	}
	return 0;
}

void
loop_run(struct loop *loop)
{
	while (!loop->broken)
		if (loop_run_once(loop) == -1)
			break;
}
