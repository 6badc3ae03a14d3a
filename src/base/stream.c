/* SPDX-License-Identifier: ISC */
/*
 * A non-blocking byte stream over one fd, in plaintext or inside TLS,
 * client or server side: the transport under the inspector's session
 * and the lab's clients (OpenSMTPD's ioev idea, without the callbacks:
 * the owner polls and asks which way to wait).
 *
 * Who sets TLS up decides everything about trust: the stream only moves
 * records.  A fatal TLS error is put into words by the owner's explain
 * hook when it has one (the client knows what an alert means to it).
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "base/base.h"

#define TLS_RECORD_MAX	16384

struct stream {
	int			 fd;
	int			 flags;		/* STREAM_* */
	gnutls_session_t	 tls;		/* NULL: plaintext */
	bool			 server;
	stream_explain_cb	 explain;
	void			*explain_arg;
	size_t			 send_pending;	/* a record held back */
	unsigned char		 first[STREAM_FIRST_BYTES];
	size_t			 nfirst;
	bool			 eof;
	int			 last_errno;
	char			 err[512];
};

/*
 * Acknowledge at once: a server that writes a reply in two small pieces
 * (a TLS ticket then a greeting) otherwise waits for our delayed ACK
 * under Nagle, 40 ms each time.  Linux resets the flag, so set it after
 * every read.
 */
static void
stream_quickack(struct stream *st)
{
	int	one = 1;

	if (st->flags & STREAM_QUICKACK)
		setsockopt(st->fd, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof one);
}

static ssize_t
stream_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	struct stream	*st = ptr;
	ssize_t		 n;

	/* MSG_NOSIGNAL: a closed peer is an error, never SIGPIPE. */
	n = send(st->fd, data, len, MSG_NOSIGNAL);
	if (n == -1) {
		st->last_errno = errno;
		gnutls_transport_set_errno(st->tls, errno);
	}
	return n;
}

static ssize_t
stream_pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct stream	*st = ptr;
	ssize_t		 n;
	size_t		 keep;

	n = recv(st->fd, data, len, 0);
	if (n > 0)
		stream_quickack(st);
	if (n > 0 && st->nfirst < STREAM_FIRST_BYTES) {
		/* Kept to explain a handshake that meets plaintext. */
		keep = (size_t)n < STREAM_FIRST_BYTES - st->nfirst ?
		    (size_t)n : STREAM_FIRST_BYTES - st->nfirst;
		memcpy(st->first + st->nfirst, data, keep);
		st->nfirst += keep;
	} else if (n == 0)
		st->eof = true;
	else if (n == -1) {
		st->last_errno = errno;
		gnutls_transport_set_errno(st->tls, errno);
	}
	return n;
}

static int
stream_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct stream	*st = ptr;
	struct pollfd	 pfd = { st->fd, POLLIN, 0 };

	return poll(&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
}

struct stream *
stream_new(int fd, int flags)
{
	struct stream	*st;

	st = xcalloc(1, sizeof *st);
	st->fd = fd;
	st->flags = flags;
	return st;
}

void
stream_free(struct stream *st)
{
	if (st == NULL)
		return;
	if (st->tls != NULL)
		gnutls_deinit(st->tls);
	if (st->fd != -1)
		close(st->fd);
	free(st);
}

int
stream_fd(const struct stream *st)
{
	return st->fd;
}

void
stream_tls(struct stream *st, struct gnutls_session_int *s, bool server)
{
	st->tls = s;
	st->server = server;
	gnutls_transport_set_ptr(s, st);
	gnutls_transport_set_push_function(s, stream_push);
	gnutls_transport_set_pull_function(s, stream_pull);
	gnutls_transport_set_pull_timeout_function(s, stream_pull_timeout);
}

int
stream_tls_server(struct stream *st,
    struct gnutls_certificate_credentials_st *cred,
    struct gnutls_priority_st *prio)
{
	gnutls_session_t	s;
	int			rc;

	if ((rc = gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NONBLOCK)) < 0) {
		snprintf(st->err, sizeof st->err, "%s", gnutls_strerror(rc));
		return -1;
	}
	if ((rc = gnutls_priority_set(s, prio)) < 0 ||
	    (rc = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
	    cred)) < 0) {
		snprintf(st->err, sizeof st->err, "%s", gnutls_strerror(rc));
		gnutls_deinit(s);
		return -1;
	}
	gnutls_certificate_server_set_request(s, GNUTLS_CERT_IGNORE);
	stream_tls(st, s, true);
	return 0;
}

struct gnutls_session_int *
stream_tls_session(const struct stream *st)
{
	return st->tls;
}

void
stream_set_explain(struct stream *st, stream_explain_cb cb, void *arg)
{
	st->explain = cb;
	st->explain_arg = arg;
}

static void
stream_tls_error(struct stream *st, int rc, bool handshake)
{
	st->err[0] = '\0';
	if (st->explain != NULL)
		st->explain(rc, handshake, st->err, sizeof st->err,
		    st->explain_arg);
	if (st->err[0] == '\0')
		snprintf(st->err, sizeof st->err, "%s", gnutls_strerror(rc));
}

static void
stream_sys_error(struct stream *st, int e)
{
	st->last_errno = e;
	snprintf(st->err, sizeof st->err, "%s", strerror(e));
}

int
stream_handshake(struct stream *st)
{
	int	rc;

	for (;;) {
		rc = gnutls_handshake(st->tls);
		if (rc == GNUTLS_E_SUCCESS)
			return 1;
		if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
			return STREAM_AGAIN;
		/* Warning alerts are not fatal: go on. */
		if (!gnutls_error_is_fatal(rc))
			continue;
		stream_tls_error(st, rc, true);
		/* As a real server would: the client learns why. */
		if (st->server)
			gnutls_alert_send_appropriate(st->tls, rc);
		return -1;
	}
}

ssize_t
stream_read(struct stream *st, void *buf, size_t len)
{
	ssize_t	n;

	if (st->tls == NULL) {
		n = recv(st->fd, buf, len, 0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return STREAM_AGAIN;
		if (n == -1) {
			stream_sys_error(st, errno);
			return -1;
		}
		if (n > 0)
			stream_quickack(st);
		return n;
	}
	for (;;) {
		n = gnutls_record_recv(st->tls, buf, len);
		if (n >= 0)
			return n;
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			return STREAM_AGAIN;
		/* Many peers close without close_notify: an end all the
		 * same, since every byte before it was authenticated. */
		if (n == GNUTLS_E_PREMATURE_TERMINATION)
			return 0;
		if (!gnutls_error_is_fatal((int)n))
			continue;
		stream_tls_error(st, (int)n, false);
		return -1;
	}
}

ssize_t
stream_write(struct stream *st, const void *buf, size_t len)
{
	ssize_t	n;

	if (st->tls == NULL) {
		n = send(st->fd, buf, len, MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return STREAM_AGAIN;
		if (n == -1) {
			stream_sys_error(st, errno);
			return -1;
		}
		return n;
	}
	/* After AGAIN GnuTLS wants the same record again: NULL resends. */
	if (st->send_pending > 0)
		n = gnutls_record_send(st->tls, NULL, 0);
	else {
		if (len > TLS_RECORD_MAX)
			len = TLS_RECORD_MAX;
		n = gnutls_record_send(st->tls, buf, len);
	}
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
		if (st->send_pending == 0)
			st->send_pending = len;
		return STREAM_AGAIN;
	}
	if (n < 0) {
		stream_tls_error(st, (int)n, false);
		return -1;
	}
	if (st->send_pending > 0) {
		n = (ssize_t)st->send_pending;
		st->send_pending = 0;
	}
	return n;
}

int
stream_flush(struct stream *st, struct buf *out)
{
	ssize_t	n;

	while (out->len > 0) {
		n = stream_write(st, out->p, out->len);
		if (n == STREAM_AGAIN || n < 0)
			return (int)n;
		if (n == 0) {
			stream_sys_error(st, EPIPE);
			return -1;
		}
		buf_consume(out, (size_t)n);
	}
	return 1;
}

int
stream_bye(struct stream *st)
{
	int	rc;

	if (st->tls == NULL)
		return 1;
	/* Our close_notify is enough: waiting for the peer's costs a
	 * delayed-ACK round trip and proves nothing after the end. */
	rc = gnutls_bye(st->tls, GNUTLS_SHUT_WR);
	if (rc == GNUTLS_E_SUCCESS)
		return 1;
	if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
		return STREAM_AGAIN;
	stream_tls_error(st, rc, false);
	return -1;
}

bool
stream_want_write(const struct stream *st)
{
	return st->tls != NULL && gnutls_record_get_direction(st->tls) == 1;
}

size_t
stream_pending(const struct stream *st)
{
	return st->tls != NULL ? gnutls_record_check_pending(st->tls) : 0;
}

const char *
stream_error(const struct stream *st)
{
	return st->err[0] != '\0' ? st->err : "unknown error";
}

int
stream_errno(const struct stream *st)
{
	return st->last_errno;
}

bool
stream_eof(const struct stream *st)
{
	return st->eof;
}

size_t
stream_first_bytes(const struct stream *st, const unsigned char **p)
{
	*p = st->first;
	return st->nfirst;
}
