/* SPDX-License-Identifier: ISC */
/*
 * The session against a scripted SMTP server on loopback, in one poll
 * loop, driven as every owner drives it: from its events alone (ready,
 * closed).  The events it logs (state transitions in order, the
 * capability list with its source, the engine's class on each reply, one
 * ready per turn of the client) and the digest they fold into, whose byte
 * counts must be what crossed the socket.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"

struct server {
	struct loop	*loop;
	int		 lfd;
	int		 fd;
	struct buf	 in;
	size_t		 sent;		/* bytes written to the client */
	size_t		 got;		/* bytes read from it */
};

struct run {
	struct session	*s;
	struct loop	*loop;
	const char	**cmds;		/* sent one at a time when ready */
	size_t		 next;
};

static void
reply(struct server *sv, const char *text)
{
	size_t	len = strlen(text);

	assert_int_equal(write(sv->fd, text, len), (ssize_t)len);
	sv->sent += len;
}

static void
on_client(int fd, short revents, void *arg)
{
	struct server	*sv = arg;
	char		 tmp[512], *eol;
	ssize_t		 n;
	size_t		 len;

	(void)revents;
	if ((n = read(fd, tmp, sizeof tmp)) <= 0) {
		loop_del_fd(sv->loop, fd);
		close(fd);
		sv->fd = -1;
		return;
	}
	sv->got += (size_t)n;
	buf_add(&sv->in, tmp, (size_t)n);
	while ((eol = memchr(sv->in.p, '\n', sv->in.len)) != NULL) {
		len = (size_t)(eol - sv->in.p) + 1;
		if (strncmp(sv->in.p, "EHLO", 4) == 0)
			reply(sv, "250-t.test\r\n250-PIPELINING\r\n"
			    "250 8BITMIME\r\n");
		else if (strncmp(sv->in.p, "QUIT", 4) == 0)
			/* The client hangs up first, as it should. */
			reply(sv, "221 2.0.0 Bye\r\n");
		else
			reply(sv, "250 2.0.0 Ok\r\n");
		buf_consume(&sv->in, len);
	}
}

static void
on_accept(int fd, short revents, void *arg)
{
	struct server	*sv = arg;

	(void)revents;
	if ((sv->fd = accept(fd, NULL, NULL)) == -1)
		fail_msg("accept: %s", strerror(errno));
	loop_del_fd(sv->loop, fd);
	loop_add_fd(sv->loop, sv->fd, POLLIN, on_client, sv);
	reply(sv, "220 t.test ESMTP scripted\r\n");
}

static int
server_listen(struct server *sv)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sv->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(sv->lfd != -1);
	assert_int_equal(bind(sv->lfd, (struct sockaddr *)&sin, sizeof sin),
	    0);
	assert_int_equal(listen(sv->lfd, 1), 0);
	assert_int_equal(getsockname(sv->lfd, (struct sockaddr *)&sin, &len),
	    0);
	loop_add_fd(sv->loop, sv->lfd, POLLIN, on_accept, sv);
	return ntohs(sin.sin_port);
}

/* The owner's side: the session speaks through the log. */
static void
on_event(const struct event *ev, void *arg)
{
	struct run	*r = arg;
	const char	*c;

	if (ev->kind == EV_READY) {
		if ((c = r->cmds[r->next]) == NULL) {
			session_quit(r->s);
			return;
		}
		r->next++;
		assert_int_equal(session_send(r->s, c, strlen(c)), 0);
	} else if (ev->kind == EV_STATE && session_state(r->s) == STATE_CLOSED)
		loop_break(r->loop);
}

/* The events of one kind, their data joined by spaces. */
static void
joined(const struct evlog *log, enum ev_kind kind, struct buf *b)
{
	const struct event	*ev;
	size_t			 i;

	for (i = 0; i < evlog_count(log); i++) {
		ev = evlog_get(log, i);
		if (ev->kind != kind)
			continue;
		if (b->len > 0)
			buf_addc(b, ' ');
		buf_add(b, ev->data, ev->len);
	}
}

static void
test_plain_session(void **state)
{
	const char		*cmds[] = { "EHLO me", "NOOP", NULL };
	struct server		 sv = { 0 };
	struct run		 r = { 0 };
	struct session_opts	 so = { 0 };
	struct evlog		*log = evlog_new(true);
	struct digest		 d;
	struct buf		 b = { 0 };
	const struct event	*ev, *caps = NULL;
	char			 url[64], err[256];
	size_t			 i, replies = 0, readies;

	(void)state;
	sv.loop = loop_new();
	sv.fd = -1;
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d",
	    server_listen(&sv));
	assert_int_equal(target_parse(url, &so.target, err, sizeof err), 0);
	so.timeout_ms = 5000;
	digest_init(&d);
	evlog_subscribe(log, digest_event, &d);
	r.loop = sv.loop;
	r.cmds = cmds;
	evlog_subscribe(log, on_event, &r);
	r.s = session_new(sv.loop, log, &so);
	assert_int_equal(session_connect(r.s), 0);
	loop_run(sv.loop);

	assert_int_equal(session_exit_code(r.s), EXIT_OK);
	joined(log, EV_STATE, &b);
	/* Plaintext: no TLS to close first, so no CLOSING. */
	assert_string_equal(b.p, "CONNECTING PLAIN CLOSED");
	for (i = 0; i < evlog_count(log); i++) {
		ev = evlog_get(log, i);
		if (ev->kind == EV_CAPS)
			caps = ev;
		if (ev->kind != EV_DATA || ev->dir != DIR_SERVER ||
		    !(ev->cls.bits & EVC_FINAL))
			continue;
		/* Each final reply: its code, its status, its command. */
		replies++;
		assert_int_equal(ev->cls.status, RS_OK);
		if (strncmp(ev->data, "250 8BITMIME", 12) == 0) {
			assert_int_equal(ev->cls.code, 250);
			assert_true(ev_verb_is(ev, "EHLO"));
		}
		if (strncmp(ev->data, "221", 3) == 0)
			assert_true(ev_verb_is(ev, "QUIT"));
	}
	assert_int_equal(replies, 4);	/* greeting, EHLO, NOOP, QUIT */
	/* The client's turns: after the greeting, EHLO and NOOP. */
	for (i = 0, readies = 0; i < evlog_count(log); i++)
		readies += evlog_get(log, i)->kind == EV_READY;
	assert_int_equal(readies, 3);
	assert_int_equal(r.next, 2);
	assert_non_null(caps);
	assert_int_equal(ev_extra(caps)->caps.n, 2);
	assert_string_equal(ev_extra(caps)->caps.v[0], "PIPELINING");
	assert_true(ev_verb_is(caps, "EHLO"));
	assert_int_equal(caps->chan, CHAN_PLAIN);
	/* The digest: the wire's bytes each way, the channel closed. */
	assert_int_equal(d.bytes_in, sv.sent);
	assert_int_equal(d.bytes_out, sv.got);
	assert_int_equal(d.channel, DG_CLOSED);
	assert_int_equal(d.phase, DG_TLS_PLAIN);
	assert_true(d.caps_known);

	buf_free(&b);
	buf_free(&sv.in);
	digest_free(&d);
	session_free(r.s);
	target_free(&so.target);
	evlog_free(log);
	close(sv.lfd);
	loop_free(sv.loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
