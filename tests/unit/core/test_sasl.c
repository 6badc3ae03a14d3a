/* SPDX-License-Identifier: ISC */
/*
 * sasl.c, the one SASL client: each mechanism's messages against known
 * vectors (PLAIN, LOGIN, CRAM-MD5 from RFC 2195), SCRAM against a GNU
 * SASL server, the choice of mechanism, and what the engine tells the
 * session about SASL in each protocol (its verb, initial responses, the
 * mechanisms offered, the challenge in a continuation).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsasl.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"

/* sasl_new with a password (token false) or a token. */
static struct sasl *
client(const char *mech, const struct strv *offered, const char *user,
    const char *secret, bool token, const char *cb, char *err, size_t len)
{
	struct sasl_login	l = { 0 };

	l.user = user;
	l.secret = secret;
	l.token = token;
	l.cb = cb;
	l.service = "imap";
	l.host = "mail.test";
	l.port = "143";
	return sasl_new(mech, offered, &l, err, len);
}

static void
step_is(struct sasl *a, const char *challenge, const char *want)
{
	struct buf	out = { 0 };
	char		err[256];

	assert_int_equal(sasl_step(a, challenge, &out, err, sizeof err), 0);
	assert_string_equal(out.p, want);
	buf_wipe(&out);
}

static void
test_plain_login(void **state)
{
	struct sasl	*a;
	char		 err[256];

	(void)state;
	/* RFC 4616: NUL alice NUL pw. */
	a = client("plain", NULL, "alice", "pw", false, NULL, err, sizeof err);
	assert_non_null(a);
	assert_string_equal(sasl_mech(a), "PLAIN");
	assert_true(sasl_client_first(a));
	step_is(a, NULL, "AGFsaWNlAHB3");
	sasl_free(a);

	/* LOGIN: the user name, then the password, each asked for. */
	a = client("LOGIN", NULL, "alice", "pw", false, NULL, err, sizeof err);
	assert_non_null(a);
	assert_false(sasl_client_first(a));
	step_is(a, "VXNlcm5hbWU6", "YWxpY2U=");
	step_is(a, "UGFzc3dvcmQ6", "cHc=");
	sasl_free(a);
}

static void
test_cram_md5(void **state)
{
	struct sasl	*a;
	struct buf	 ch = { 0 }, want = { 0 };
	const char	*c = "<1896.697170952@postoffice.reston.mci.net>";
	const char	*r = "tim b913a602c7eda7a495b4e6e7334d3890";
	char		 err[256];

	(void)state;
	/* RFC 2195 2. */
	a = client("cram-md5", NULL, "tim", "tanstaaftanstaaf", false, NULL,
	    err, sizeof err);
	assert_non_null(a);
	assert_false(sasl_client_first(a));
	b64_encode(c, strlen(c), &ch);
	b64_encode(r, strlen(r), &want);
	step_is(a, ch.p, want.p);
	sasl_free(a);
	buf_free(&ch);
	buf_free(&want);
}

static const char *server_cb_data;

static int
server_cb(Gsasl *ctx, Gsasl_session *s, Gsasl_property prop)
{
	(void)ctx;
	switch (prop) {
	case GSASL_PASSWORD:
		return gsasl_property_set(s, GSASL_PASSWORD, "pencil");
	case GSASL_CB_TLS_EXPORTER:
		return gsasl_property_set(s, GSASL_CB_TLS_EXPORTER,
		    server_cb_data);
	default:
		return GSASL_NO_CALLBACK;
	}
}

/* Client and a GNU SASL server to the end: 0 both agree, -1 not. */
static int
scram(const char *mech, const char *pass, const char *ccb, const char *scb)
{
	Gsasl		*ctx;
	Gsasl_session	*srv;
	struct sasl	*a;
	struct buf	 out = { 0 };
	char		 err[256], *reply = NULL;
	int		 rc = GSASL_NEEDS_MORE, i;

	assert_int_equal(gsasl_init(&ctx), GSASL_OK);
	gsasl_callback_set(ctx, server_cb);
	server_cb_data = scb;
	assert_int_equal(gsasl_server_start(ctx, mech, &srv), GSASL_OK);
	a = client(mech, NULL, "user", pass, false, ccb, err, sizeof err);
	assert_non_null(a);
	assert_true(sasl_client_first(a));
	assert_int_equal(sasl_step(a, NULL, &out, err, sizeof err), 0);
	for (i = 0; i < 4 && rc == GSASL_NEEDS_MORE; i++) {
		rc = gsasl_step64(srv, out.p, &reply);
		buf_reset(&out);
		if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
			break;
		/* The server's last message is checked by the client too. */
		if (sasl_step(a, reply, &out, err, sizeof err) == -1) {
			rc = -1;
			break;
		}
		gsasl_free(reply);
		reply = NULL;
	}
	gsasl_free(reply);
	buf_wipe(&out);
	sasl_free(a);
	gsasl_finish(srv);
	gsasl_done(ctx);
	return rc == GSASL_OK ? 0 : -1;
}

static void
test_scram(void **state)
{
	(void)state;
	assert_int_equal(scram("SCRAM-SHA-256", "pencil", NULL, NULL), 0);
	assert_int_equal(scram("SCRAM-SHA-1", "pencil", NULL, NULL), 0);
	assert_int_equal(scram("SCRAM-SHA-256", "wrong", NULL, NULL), -1);
	/* Bound to the channel: the same binding on both ends only. */
	assert_int_equal(scram("SCRAM-SHA-256-PLUS", "pencil", "Y2hhbm5lbA==",
	    "Y2hhbm5lbA=="), 0);
	assert_int_equal(scram("SCRAM-SHA-256-PLUS", "pencil", "Y2hhbm5lbA==",
	    "b3RoZXI="), -1);
}

static void
test_choose(void **state)
{
	struct strv	 offered = { 0 };
	struct sasl	*a;
	char		 err[256];

	(void)state;
	assert_null(sasl_choose(&offered, true, SASL_PASSWORD));
	strv_add(&offered, "LOGIN");
	strv_add(&offered, "PLAIN");
	assert_string_equal(sasl_choose(&offered, false, SASL_PASSWORD), "PLAIN");
	strv_add(&offered, "CRAM-MD5");
	assert_string_equal(sasl_choose(&offered, false, SASL_PASSWORD), "CRAM-MD5");
	strv_add(&offered, "SCRAM-SHA-1");
	strv_add(&offered, "SCRAM-SHA-256");
	strv_add(&offered, "SCRAM-SHA-256-PLUS");
	assert_string_equal(sasl_choose(&offered, false, SASL_PASSWORD), "SCRAM-SHA-256");
	assert_string_equal(sasl_choose(&offered, true, SASL_PASSWORD),
	    "SCRAM-SHA-256-PLUS");
	/* No name: the best offered. */
	a = client(NULL, &offered, "u", "p", false, NULL, err, sizeof err);
	assert_non_null(a);
	assert_string_equal(sasl_mech(a), "SCRAM-SHA-256");
	sasl_free(a);
	strv_clear(&offered);

	strv_add(&offered, "GSSAPI");
	assert_null(client(NULL, &offered, "u", "p", false, NULL, err,
	    sizeof err));
	assert_non_null(strstr(err, "offers no mechanism"));
	assert_null(client("XOAUTH9", NULL, "u", "p", false, NULL, err,
	    sizeof err));
	assert_non_null(strstr(err, "unknown"));
	assert_null(client("scram-sha-256-plus", NULL, "u", "p", false, NULL,
	    err, sizeof err));
	assert_non_null(strstr(err, "TLS 1.3"));
	strv_clear(&offered);
}

/* The decoded message of a step, and its note. */
static void
decoded_is(struct sasl *a, const char *challenge, const char *want,
    size_t wantlen, struct buf *note)
{
	struct buf	out = { 0 }, d = { 0 };
	char		err[256];

	assert_int_equal(sasl_step(a, challenge, &out, err, sizeof err), 0);
	assert_int_equal(b64_decode(out.p, out.len, &d), 0);
	assert_int_equal(d.len, wantlen);
	assert_memory_equal(d.p, want, wantlen);
	buf_reset(note);
	sasl_note(a, false, out.p, note);
	buf_wipe(&out);
	buf_wipe(&d);
}

static void
test_oauth(void **state)
{
	static const char xo[] = "user=alice\001auth=Bearer tok-123\001\001";
	static const char ob[] = "n,a=alice,\001host=mail.test\001port=143"
	    "\001auth=Bearer tok-123\001\001";
	struct sasl	*a;
	struct buf	 note = { 0 }, ch = { 0 };
	char		 err[256];

	(void)state;
	/* A token goes only to a token mechanism, and back. */
	assert_null(client("xoauth2", NULL, "alice", "pw", false, NULL, err,
	    sizeof err));
	assert_non_null(strstr(err, "bearer token"));
	assert_null(client("plain", NULL, "alice", "tok", true, NULL, err,
	    sizeof err));
	assert_non_null(strstr(err, "password"));

	a = client("xoauth2", NULL, "alice", "tok-123", true, NULL, err,
	    sizeof err);
	assert_non_null(a);
	assert_true(sasl_client_first(a));
	decoded_is(a, NULL, xo, sizeof xo - 1, &note);
	assert_null(strstr(note.p, "tok-123"));
	/* A challenge after it is the error: an empty answer ends it. */
	b64_encode("{\"status\":\"401\"}", 16, &ch);
	buf_reset(&note);
	sasl_note(a, true, ch.p, &note);
	assert_non_null(strstr(note.p, "\"status\":\"401\""));
	step_is(a, ch.p, "");
	sasl_free(a);

	/* RFC 7628 3.1; its error answered with ^A. */
	a = client("OAUTHBEARER", NULL, "alice", "tok-123", true, NULL, err,
	    sizeof err);
	assert_non_null(a);
	decoded_is(a, NULL, ob, sizeof ob - 1, &note);
	assert_null(strstr(note.p, "tok-123"));
	step_is(a, ch.p, "AQ==");
	sasl_free(a);
	buf_free(&ch);
	buf_free(&note);

	/* A token given, no name: the best token mechanism offered. */
	{
		struct strv	offered = { 0 };

		strv_add(&offered, "PLAIN");
		strv_add(&offered, "XOAUTH2");
		strv_add(&offered, "OAUTHBEARER");
		assert_string_equal(sasl_choose(&offered, false, SASL_TOKEN),
		    "OAUTHBEARER");
		assert_string_equal(sasl_choose(&offered, false,
		    SASL_PASSWORD), "PLAIN");
		strv_clear(&offered);
	}
}

static void
test_external_digest(void **state)
{
	struct sasl	*a;
	struct buf	 note = { 0 }, ch = { 0 }, out = { 0 }, d = { 0 };
	const char	*c = "realm=\"mail.test\",nonce=\"OA6MG9tEQGm2hh\","
	    "qop=\"auth\",algorithm=md5-sess,charset=utf-8";
	char		 err[256], *rsp;

	(void)state;
	assert_int_equal(sasl_secret_kind("external"), SASL_NO_SECRET);
	assert_int_equal(sasl_secret_kind("XOAUTH2"), SASL_TOKEN);
	assert_int_equal(sasl_secret_kind("digest-md5"), SASL_PASSWORD);
	assert_int_equal(sasl_secret_kind("XOAUTH9"), -1);
	/* EXTERNAL: no secret; the user, if any, is the authzid. */
	a = client("EXTERNAL", NULL, NULL, NULL, false, NULL, err,
	    sizeof err);
	assert_non_null(a);
	decoded_is(a, NULL, "", 0, &note);
	assert_non_null(strstr(note.p, "certificate"));
	sasl_free(a);
	a = client("EXTERNAL", NULL, "bob", NULL, false, NULL, err,
	    sizeof err);
	assert_non_null(a);
	decoded_is(a, NULL, "bob", 3, &note);
	sasl_free(a);
	/* Never chosen unasked. */
	{
		struct strv	offered = { 0 };

		strv_add(&offered, "EXTERNAL");
		assert_null(sasl_choose(&offered, true, SASL_PASSWORD));
		strv_clear(&offered);
	}

	/* DIGEST-MD5: the response names the service and host; its
	 * note leaves the digest out. */
	a = client("DIGEST-MD5", NULL, "alice", "secret-pw", false, NULL, err,
	    sizeof err);
	assert_non_null(a);
	assert_false(sasl_client_first(a));
	b64_encode(c, strlen(c), &ch);
	sasl_note(a, true, ch.p, &note);
	assert_non_null(strstr(note.p, "OA6MG9tEQGm2hh"));
	assert_int_equal(sasl_step(a, ch.p, &out, err, sizeof err), 0);
	assert_int_equal(b64_decode(out.p, out.len, &d), 0);
	assert_non_null(strstr(d.p, "digest-uri=\"imap/mail.test\""));
	assert_non_null(strstr(d.p, "response="));
	buf_reset(&note);
	sasl_note(a, false, out.p, &note);
	assert_non_null(strstr(note.p, "username=\"alice\""));
	rsp = strstr(d.p, "response=") + 9;
	rsp[strcspn(rsp, ",")] = '\0';
	assert_null(strstr(note.p, rsp));
	assert_non_null(strstr(note.p, "response= (hidden)"));
	sasl_free(a);
	buf_free(&note);
	buf_free(&ch);
	buf_free(&out);
	buf_free(&d);
}

/* SCRAM's notes: what the server sent, decoded; never the proof. */
static void
test_scram_notes(void **state)
{
	struct sasl	*a;
	struct buf	 note = { 0 }, out = { 0 }, ch = { 0 }, d = { 0 };
	const char	*p;
	char		 err[256];

	(void)state;
	a = client("SCRAM-SHA-256", NULL, "alice", "pencil", false, NULL, err,
	    sizeof err);
	assert_non_null(a);
	assert_int_equal(sasl_step(a, NULL, &out, err, sizeof err), 0);
	sasl_note(a, false, out.p, &note);
	assert_non_null(strstr(note.p, "client-first: user alice"));
	assert_int_equal(b64_decode(out.p, out.len, &d), 0);
	p = strstr(d.p, "r=");
	assert_non_null(p);
	buf_printf(&ch, "%sSERVERPART,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
	    p);
	buf_reset(&out);
	b64_encode(ch.p, ch.len, &out);
	buf_reset(&note);
	sasl_note(a, true, out.p, &note);
	assert_non_null(strstr(note.p, "SERVERPART"));
	assert_non_null(strstr(note.p, "4096 iterations"));
	assert_non_null(strstr(note.p, "(16 bytes)"));
	assert_non_null(strstr(note.p, "never crosses the wire"));
	buf_reset(&ch);
	buf_adds(&ch, out.p);
	buf_reset(&out);
	assert_int_equal(sasl_step(a, ch.p, &out, err, sizeof err), 0);
	buf_reset(&note);
	sasl_note(a, false, out.p, &note);
	assert_non_null(strstr(note.p, "client-final"));
	buf_reset(&d);
	assert_int_equal(b64_decode(out.p, out.len, &d), 0);
	p = strstr(d.p, "p=");
	assert_non_null(p);
	assert_null(strstr(note.p, p + 2));
	sasl_free(a);
	buf_free(&note);
	buf_free(&out);
	buf_free(&ch);
	buf_free(&d);
}

static void
no_line(const struct pp_line *l, void *arg)
{
	(void)l;
	(void)arg;
}

/* Feed a greeting, ask for the capabilities, feed the answer. */
static struct pp *
pp_with_caps(enum proto_id proto, const char *greeting, const char *cmd,
    const char *reply)
{
	struct pp	*pp;
	struct buf	 wire = { 0 };

	pp = pp_new(proto, no_line, NULL);
	pp_expect_greeting(pp);
	pp_feed(pp, greeting, strlen(greeting));
	assert_int_equal(pp_command(pp, cmd, strlen(cmd), &wire, NULL), 0);
	pp_feed(pp, reply, strlen(reply));
	buf_free(&wire);
	return pp;
}

static void
test_engine(void **state)
{
	struct pp	*pp;
	struct strv	 m = { 0 };
	struct buf	 ch = { 0 };

	(void)state;
	pp = pp_with_caps(PROTO_SMTP, "220 x\r\n", "EHLO me",
	    "250-x\r\n250-AUTH PLAIN login\r\n250 AUTH=LOGIN\r\n");
	assert_string_equal(pp_auth_cmd(pp), "AUTH");
	assert_true(pp_sasl_ir(pp));
	pp_sasl_mechs(pp, &m);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.v[0], "PLAIN");
	assert_string_equal(m.v[1], "LOGIN");
	strv_clear(&m);
	pp_free(pp);

	pp = pp_with_caps(PROTO_IMAP, "* OK x\r\n", "CAPABILITY",
	    "* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=SCRAM-SHA-256\r\n"
	    "a1 OK done\r\n");
	assert_string_equal(pp_auth_cmd(pp), "AUTHENTICATE");
	assert_false(pp_sasl_ir(pp));
	pp_sasl_mechs(pp, &m);
	assert_true(strv_has(&m, "PLAIN"));
	assert_true(strv_has(&m, "SCRAM-SHA-256"));
	strv_clear(&m);
	pp_free(pp);
	pp = pp_with_caps(PROTO_IMAP, "* OK x\r\n", "CAPABILITY",
	    "* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\na1 OK done\r\n");
	assert_true(pp_sasl_ir(pp));
	pp_free(pp);

	pp = pp_with_caps(PROTO_POP3, "+OK x\r\n", "CAPA",
	    "+OK\r\nUSER\r\nSASL PLAIN CRAM-MD5\r\n.\r\n");
	assert_string_equal(pp_auth_cmd(pp), "AUTH");
	assert_false(pp_sasl_ir(pp));
	pp_sasl_mechs(pp, &m);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.v[1], "CRAM-MD5");
	strv_clear(&m);
	pp_free(pp);

	pp_sasl_challenge("334 VXNlcm5hbWU6", 16, &ch);
	assert_string_equal(ch.p, "VXNlcm5hbWU6");
	buf_reset(&ch);
	pp_sasl_challenge("+", 1, &ch);
	assert_string_equal(ch.p, "");
	buf_free(&ch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_login),
		cmocka_unit_test(test_cram_md5),
		cmocka_unit_test(test_scram),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_oauth),
		cmocka_unit_test(test_external_digest),
		cmocka_unit_test(test_scram_notes),
		cmocka_unit_test(test_engine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
