/* SPDX-License-Identifier: ISC */
/*
 * The base stream over a socketpair: plaintext both ways, then TLS with
 * both ends streams (server side as the lab uses it, client side with a
 * bare GnuTLS session) and certificates from certgen.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "base/base.h"
#include "lab/lab.h"

struct pair {
	struct stream	*c;
	struct stream	*s;
	int		 fds[2];
};

static void
pair_open(struct pair *p)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK,
	    0, p->fds), 0);
	p->c = stream_new(p->fds[0], STREAM_QUICKACK);
	p->s = stream_new(p->fds[1], 0);
	assert_int_equal(stream_fd(p->c), p->fds[0]);
}

/* Read what one end has, up to want bytes, driving nothing else. */
static size_t
drain(struct stream *st, struct buf *got, size_t want)
{
	char	tmp[4096];
	ssize_t	n;
	int	i;

	for (i = 0; i < 10000 && got->len < want; i++) {
		n = stream_read(st, tmp, sizeof tmp);
		if (n == STREAM_AGAIN)
			continue;
		if (n <= 0)
			break;
		buf_add(got, tmp, (size_t)n);
	}
	return got->len;
}

static void
test_plain(void **state)
{
	struct pair	p;
	struct buf	out = { 0 }, got = { 0 };
	char		tmp[16];

	(void)state;
	pair_open(&p);
	assert_int_equal(stream_read(p.s, tmp, sizeof tmp), STREAM_AGAIN);
	assert_false(stream_want_write(p.c));
	assert_int_equal(stream_pending(p.c), 0);
	/* Plaintext has no handshake and nothing to say goodbye with. */
	assert_int_equal(stream_bye(p.c), 1);
	buf_adds(&out, "EHLO mailscope.test\r\n");
	assert_int_equal(stream_flush(p.c, &out), 1);
	assert_int_equal(out.len, 0);
	assert_int_equal(drain(p.s, &got, 21), 21);
	assert_memory_equal(got.p, "EHLO mailscope.test\r\n", 21);
	assert_int_equal(stream_write(p.s, "250 ok\r\n", 8), 8);
	buf_reset(&got);
	assert_int_equal(drain(p.c, &got, 8), 8);
	/* The end is 0; a write to a closed peer an error with words. */
	stream_free(p.s);
	assert_int_equal(stream_read(p.c, tmp, sizeof tmp), 0);
	assert_int_equal(stream_write(p.c, "QUIT\r\n", 6), -1);
	assert_int_equal(stream_errno(p.c), EPIPE);
	assert_non_null(strstr(stream_error(p.c), "pipe"));
	stream_free(p.c);
	buf_free(&out);
	buf_free(&got);
}

/* A full socket: flush says AGAIN, keeps the rest, and finishes later. */
static void
test_plain_backpressure(void **state)
{
	struct pair	 p;
	struct buf	 out = { 0 }, got = { 0 };
	size_t		 total = 4 * 1024 * 1024, i;
	int		 rc = STREAM_AGAIN, rounds;

	(void)state;
	pair_open(&p);
	for (i = 0; i < total; i++)
		buf_addc(&out, (char)('a' + i % 26));
	rc = stream_flush(p.c, &out);
	assert_int_equal(rc, STREAM_AGAIN);
	assert_true(out.len > 0 && out.len < total);
	for (rounds = 0; rounds < 100000 && (rc != 1 || got.len < total);
	    rounds++) {
		if (rc != 1)
			rc = stream_flush(p.c, &out);
		drain(p.s, &got, got.len + 1);
	}
	assert_int_equal(rc, 1);
	assert_int_equal(got.len, total);
	for (i = 0; i < total; i += 4093)
		assert_int_equal(got.p[i], (char)('a' + i % 26));
	stream_free(p.c);
	stream_free(p.s);
	buf_free(&out);
	buf_free(&got);
}

static char	*ca, *cakey, *crt, *key;

static int
setup(void **state)
{
	struct certgen_opts	o;
	char			err[256];

	(void)state;
	memset(&o, 0, sizeof o);
	if (certgen_ca("stream test CA", &ca, &cakey, err, sizeof err) != 0)
		return -1;
	o.cn = "mail.test";
	strv_add(&o.dns, "mail.test");
	if (certgen_server(&o, ca, cakey, &crt, &key, err, sizeof err) != 0)
		return -1;
	strv_clear(&o.dns);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(ca);
	free(cakey);
	free(crt);
	free(key);
	return 0;
}

struct tls_pair {
	struct pair				 p;
	gnutls_certificate_credentials_t	 scred;
	gnutls_certificate_credentials_t	 ccred;
	gnutls_priority_t			 prio;
};

static void
explain(int rc, bool handshake, char *err, size_t len, void *arg)
{
	int	*calls = arg;

	(*calls)++;
	snprintf(err, len, "explained %d %s", rc, handshake ? "handshake" :
	    "record");
}

/* Both handshakes to the end, alternating. */
static void
tls_open(struct tls_pair *t, const char *sprio)
{
	gnutls_datum_t		c = { (unsigned char *)crt,
				    (unsigned int)strlen(crt) };
	gnutls_datum_t		k = { (unsigned char *)key,
				    (unsigned int)strlen(key) };
	gnutls_datum_t		a = { (unsigned char *)ca,
				    (unsigned int)strlen(ca) };
	gnutls_session_t	cs;
	int			i, rc = STREAM_AGAIN, src = STREAM_AGAIN;

	pair_open(&t->p);
	assert_int_equal(gnutls_certificate_allocate_credentials(&t->scred),
	    0);
	assert_int_equal(gnutls_certificate_set_x509_key_mem(t->scred, &c, &k,
	    GNUTLS_X509_FMT_PEM), 0);
	assert_int_equal(gnutls_priority_init(&t->prio, sprio, NULL), 0);
	assert_int_equal(stream_tls_server(t->p.s, t->scred, t->prio), 0);
	assert_int_equal(gnutls_certificate_allocate_credentials(&t->ccred),
	    0);
	assert_true(gnutls_certificate_set_x509_trust_mem(t->ccred, &a,
	    GNUTLS_X509_FMT_PEM) == 1);
	assert_int_equal(gnutls_init(&cs, GNUTLS_CLIENT | GNUTLS_NONBLOCK),
	    0);
	gnutls_set_default_priority(cs);
	gnutls_credentials_set(cs, GNUTLS_CRD_CERTIFICATE, t->ccred);
	stream_tls(t->p.c, cs, false);
	assert_ptr_equal(stream_tls_session(t->p.c), cs);
	for (i = 0; i < 10000 && (rc == STREAM_AGAIN || src == STREAM_AGAIN);
	    i++) {
		if (rc == STREAM_AGAIN)
			rc = stream_handshake(t->p.c);
		if (src == STREAM_AGAIN)
			src = stream_handshake(t->p.s);
	}
	assert_int_equal(rc, 1);
	assert_int_equal(src, 1);
}

static void
tls_close(struct tls_pair *t)
{
	stream_free(t->p.c);
	stream_free(t->p.s);
	gnutls_certificate_free_credentials(t->scred);
	gnutls_certificate_free_credentials(t->ccred);
	gnutls_priority_deinit(t->prio);
}

/* A reply larger than a record, both ways, then close_notify. */
static void
test_tls_roundtrip(void **state)
{
	struct tls_pair	 t;
	struct buf	 out = { 0 }, got = { 0 };
	size_t		 total = 200000, i;
	int		 rc, rounds;
	char		 tmp[16];

	(void)state;
	tls_open(&t, "NORMAL");
	for (i = 0; i < total; i++)
		buf_addc(&out, (char)('A' + i % 26));
	rc = stream_flush(t.p.s, &out);
	for (rounds = 0; rounds < 100000 && (rc != 1 || got.len < total);
	    rounds++) {
		if (rc != 1)
			rc = stream_flush(t.p.s, &out);
		drain(t.p.c, &got, got.len + 1);
	}
	assert_int_equal(rc, 1);
	assert_int_equal(got.len, total);
	for (i = 0; i < total; i += 997)
		assert_int_equal(got.p[i], (char)('A' + i % 26));
	/* What GnuTLS already decrypted is there without a poll. */
	assert_int_equal(stream_write(t.p.c, "a1 LOGOUT\r\n", 11), 11);
	buf_reset(&got);
	assert_int_equal(drain(t.p.s, &got, 11), 11);
	assert_memory_equal(got.p, "a1 LOGOUT\r\n", 11);
	assert_int_equal(stream_bye(t.p.c), 1);
	for (rounds = 0; rounds < 1000; rounds++)
		if ((rc = (int)stream_read(t.p.s, tmp, sizeof tmp)) !=
		    STREAM_AGAIN)
			break;
	assert_int_equal(rc, 0);
	assert_false(stream_eof(t.p.s));
	tls_close(&t);
	buf_free(&out);
	buf_free(&got);
}

/* A fatal error goes through the owner's explain hook; a peer gone
 * without close_notify reads as the end. */
static void
test_tls_errors(void **state)
{
	struct tls_pair	t;
	char		tmp[16];
	ssize_t		n = STREAM_AGAIN;
	int		i, calls = 0;

	(void)state;
	tls_open(&t, "NORMAL");
	stream_set_explain(t.p.c, explain, &calls);
	/* Garbage where a record should be. */
	assert_int_equal(write(t.p.fds[1], "220 not TLS at all\r\n", 20), 20);
	for (i = 0; i < 1000 && n == STREAM_AGAIN; i++)
		n = stream_read(t.p.c, tmp, sizeof tmp);
	assert_int_equal(n, -1);
	assert_int_equal(calls, 1);
	assert_non_null(strstr(stream_error(t.p.c), "explained"));
	assert_non_null(strstr(stream_error(t.p.c), "record"));
	tls_close(&t);

	/* The peer's socket closes without close_notify. */
	tls_open(&t, "NORMAL");
	stream_free(t.p.s);
	t.p.s = NULL;
	n = STREAM_AGAIN;
	for (i = 0; i < 1000 && n == STREAM_AGAIN; i++)
		n = stream_read(t.p.c, tmp, sizeof tmp);
	assert_int_equal(n, 0);
	assert_true(stream_eof(t.p.c));
	tls_close(&t);
}

/* A server that cannot agree: the handshake fails on both ends, and
 * the server side sends the alert that says why. */
static void
test_tls_server_alert(void **state)
{
	struct pair				 p;
	gnutls_certificate_credentials_t	 scred, ccred;
	gnutls_priority_t			 prio;
	gnutls_session_t			 cs;
	gnutls_datum_t				 c, k;
	int					 i, rc = STREAM_AGAIN,
						    src = STREAM_AGAIN;

	(void)state;
	c.data = (unsigned char *)crt;
	c.size = (unsigned int)strlen(crt);
	k.data = (unsigned char *)key;
	k.size = (unsigned int)strlen(key);
	pair_open(&p);
	gnutls_certificate_allocate_credentials(&scred);
	gnutls_certificate_set_x509_key_mem(scred, &c, &k,
	    GNUTLS_X509_FMT_PEM);
	assert_int_equal(gnutls_priority_init(&prio,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.2", NULL), 0);
	assert_int_equal(stream_tls_server(p.s, scred, prio), 0);
	gnutls_certificate_allocate_credentials(&ccred);
	gnutls_init(&cs, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
	gnutls_priority_set_direct(cs, "NORMAL:-VERS-ALL:+VERS-TLS1.3", NULL);
	gnutls_credentials_set(cs, GNUTLS_CRD_CERTIFICATE, ccred);
	stream_tls(p.c, cs, false);
	for (i = 0; i < 10000 && (rc == STREAM_AGAIN || src == STREAM_AGAIN);
	    i++) {
		if (rc == STREAM_AGAIN)
			rc = stream_handshake(p.c);
		if (src == STREAM_AGAIN)
			src = stream_handshake(p.s);
	}
	assert_int_equal(src, -1);
	assert_int_equal(rc, -1);
	/* The client heard the alert rather than a closed socket. */
	assert_non_null(strstr(stream_error(p.c), "alert"));
	stream_free(p.c);
	stream_free(p.s);
	gnutls_certificate_free_credentials(scred);
	gnutls_certificate_free_credentials(ccred);
	gnutls_priority_deinit(prio);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_plain_backpressure),
		cmocka_unit_test(test_tls_roundtrip),
		cmocka_unit_test(test_tls_errors),
		cmocka_unit_test(test_tls_server_alert),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
