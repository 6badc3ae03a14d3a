/* SPDX-License-Identifier: ISC */
/*
 * redact.c: every mechanism and form; the display form says what it hides
 * and never contains the secret or its base64.  Lines go through the
 * engine as in the session: client lines framed by pp_command, server
 * lines classified by pp_feed and handed to redact_server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "log/log.h"
#include "core/proto/proto_int.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

static struct buf	shown;
static struct pp	*eng;	/* the engine of the redactor under test */

static struct evlog	*rlog;	/* the lines as events, as the session logs */

static void
on_line(const struct pp_line *l, void *arg)
{
	struct event	 ev = { 0 };

	ev.kind = EV_DATA;
	ev.dir = DIR_SERVER;
	ev.flags = l->flags;
	pp_class(l, &ev.cls);
	if (rlog == NULL)
		rlog = evlog_new(false);
	redact_server(arg, evlog_append(rlog, &ev, l->buf, l->len));
}

/* A redactor and its engine, as the session pairs them. */
static struct redactor *
fx_new(enum proto_id proto)
{
	struct redactor	*r = redactor_new(proto);

	eng = pp_new(proto, on_line, r);
	return r;
}

static void
fx_free(struct redactor *r)
{
	pp_free(eng);
	eng = NULL;
	redactor_free(r);
}

/* Base64 of len bytes, static storage until the next call. */
static const char *
b64(const char *s, size_t len)
{
	static struct buf	b;

	buf_free(&b);
	assert_int_equal(b64_encode(s, len, &b), 0);
	return b.p;
}

/*
 * Send a client line as the session does; return the display form or NULL
 * if unchanged.  Lines are typed with their IMAP tag.
 */
static const char *
client(struct redactor *r, const char *line)
{
	struct buf	wire = { 0 };
	bool		secret;

	buf_reset(&shown);
	assert_int_equal(pp_command(eng, line, strlen(line), &wire, NULL), 0);
	secret = redact_client(r, wire.p, wire.len - 2, &shown);
	buf_free(&wire);
	if (!secret)
		return NULL;
	assert_non_null(shown.p);
	return shown.p;
}

/* Server bytes, as many lines as they hold. */
static void
feed(const char *bytes, size_t len)
{
	pp_feed(eng, bytes, len);
}

static void
server(struct redactor *r, const char *line)
{
	(void)r;
	feed(line, strlen(line));
	feed("\r\n", 2);
}

static void
assert_hidden(const char *out, const char *secret)
{
	assert_non_null(out);
	assert_null(strstr(out, secret));
}

static void
assert_pass(struct redactor *r, const char *line)
{
	assert_null(client(r, line));
}

static void
teardown_buf(void)
{
	buf_free(&shown);
}

static void
test_smtp_plain_initial(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	const char	 raw[] = "\0alice\0hunter2-Secret";
	char		*line, *want, *enc;
	const char	*out;

	(void)state;
	enc = xstrdup(b64(raw, sizeof raw - 1));
	xasprintf(&line, "AUTH PLAIN %s", enc);
	xasprintf(&want, "AUTH PLAIN [redacted: user=alice, %zu bytes]",
	    strlen(enc));
	assert_pass(r, "EHLO client.test");
	server(r, "250 mail.test");
	out = client(r, line);
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_hidden(out, "hunter2");
	assert_hidden(out, enc);
	server(r, "235 2.7.0 Authentication successful");
	assert_pass(r, "MAIL FROM:<alice@example.test>");
	assert_pass(r, "RCPT TO:<bob@example.test>");
	free(line);
	free(want);
	free(enc);
	fx_free(r);
	teardown_buf();
}

static void
test_smtp_plain_challenge(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	const char	 raw[] = "admin\0alice\0pw-Secret-9";
	char		*want, *enc;
	const char	*out;

	(void)state;
	enc = xstrdup(b64(raw, sizeof raw - 1));
	assert_pass(r, "AUTH PLAIN");
	server(r, "334 ");
	out = client(r, enc);
	xasprintf(&want, "[redacted: SASL response, user=alice, %zu bytes]",
	    strlen(enc));
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_hidden(out, enc);
	assert_hidden(out, "Secret");
	assert_hidden(out, "admin");
	server(r, "535 5.7.8 Authentication credentials invalid");
	assert_pass(r, "EHLO again");
	assert_pass(r, enc);	/* outside an exchange: not a secret */
	free(want);
	free(enc);
	fx_free(r);
	teardown_buf();
}

static void
test_smtp_login(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	char		*pw, *user, *want;
	const char	*out;

	(void)state;
	user = xstrdup(b64("alice", 5));
	pw = xstrdup(b64("Tr0ub4dor&3x", 12));
	assert_pass(r, "AUTH LOGIN");
	server(r, "334 VXNlcm5hbWU6");
	out = client(r, user);
	assert_non_null(out);
	assert_string_equal(out, "[AUTH LOGIN user=alice]");
	server(r, "334 UGFzc3dvcmQ6");
	out = client(r, pw);
	xasprintf(&want, "[redacted: AUTH LOGIN password, %zu bytes]",
	    strlen(pw));
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_hidden(out, pw);
	assert_hidden(out, "Tr0ub4dor");
	server(r, "235 2.7.0 ok");
	assert_pass(r, "QUIT");
	free(want);
	free(user);
	free(pw);
	fx_free(r);
	teardown_buf();
}

static void
test_smtp_login_initial(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	char		*pw, *line;
	const char	*out;

	(void)state;
	pw = xstrdup(b64("s3cret-pass", 11));
	xasprintf(&line, "AUTH LOGIN %s", b64("alice", 5));
	out = client(r, line);
	assert_non_null(out);
	assert_string_equal(out, "AUTH LOGIN [user=alice]");
	server(r, "334 UGFzc3dvcmQ6");
	out = client(r, pw);
	assert_hidden(out, pw);
	assert_non_null(strstr(out, "AUTH LOGIN password"));
	server(r, "535 5.7.8 no");
	assert_pass(r, "NOOP");
	free(line);
	free(pw);
	fx_free(r);
	teardown_buf();
}

/* Responses typed before the challenges arrived are still hidden. */
static void
test_smtp_login_fast(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	char		*pw;
	const char	*out;

	(void)state;
	pw = xstrdup(b64("fastpassword", 12));
	assert_pass(r, "AUTH LOGIN");
	out = client(r, "YWxpY2U=");
	assert_non_null(strstr(out, "user=alice"));
	out = client(r, pw);
	assert_hidden(out, pw);
	server(r, "334 VXNlcm5hbWU6");
	server(r, "334 UGFzc3dvcmQ6");
	server(r, "235 ok");
	assert_pass(r, "QUIT");
	free(pw);
	fx_free(r);
	teardown_buf();
}

static void
test_smtp_cram_md5(void **state)
{
	struct redactor	*r = fx_new(PROTO_LMTP);
	const char	 raw[] = "alice b913a602c7eda7a495b4e6e7334d3890";
	char		*enc, *want;
	const char	*out;

	(void)state;
	enc = xstrdup(b64(raw, sizeof raw - 1));
	assert_pass(r, "AUTH CRAM-MD5");
	server(r, "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UudGVzdD4=");
	out = client(r, enc);
	xasprintf(&want, "[redacted: SASL response, user=alice, %zu bytes]",
	    strlen(enc));
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_hidden(out, "b913a602");
	assert_hidden(out, enc);
	server(r, "235 2.7.0 ok");
	assert_pass(r, "LHLO x");
	free(want);
	free(enc);
	fx_free(r);
	teardown_buf();
}

static void
test_smtp_xoauth2(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	const char	 raw[] = "user=alice@example.test\001auth=Bearer "
			    "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
			    "\001\001";
	char		*enc, *line;
	const char	*out;

	(void)state;
	enc = xstrdup(b64(raw, sizeof raw - 1));
	xasprintf(&line, "AUTH XOAUTH2 %s", enc);
	out = client(r, line);
	assert_non_null(out);
	assert_non_null(strstr(out, "AUTH XOAUTH2 [redacted: "
	    "user=alice@example.test, "));
	assert_hidden(out, "ya29");
	assert_hidden(out, enc);
	/* The error challenge is answered with an empty line. */
	server(r, "334 eyJzdGF0dXMiOiI0MDEifQ==");
	assert_pass(r, "");
	server(r, "535 5.7.8 invalid");
	assert_pass(r, "RSET");
	free(line);
	free(enc);
	fx_free(r);
	teardown_buf();
}

static void
test_smtp_oauthbearer(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	const char	 raw[] = "n,a=alice@example.test,\001host=mail.test"
			    "\001port=587\001auth=Bearer vF9dft4qmTc2Nvb3"
			    "\001\001";
	char		*enc;
	const char	*out;

	(void)state;
	enc = xstrdup(b64(raw, sizeof raw - 1));
	assert_pass(r, "AUTH OAUTHBEARER");
	server(r, "334 ");
	out = client(r, enc);
	assert_non_null(out);
	assert_non_null(strstr(out, "[redacted: SASL response, "
	    "user=alice@example.test, "));
	assert_hidden(out, "vF9dft4q");
	assert_hidden(out, enc);
	server(r, "235 ok");
	assert_pass(r, "DATA");
	free(enc);
	fx_free(r);
	teardown_buf();
}

/*
 * What mailscope's own client sends: IMAP's XOAUTH2 and OAUTHBEARER on
 * the command (SASL-IR), DIGEST-MD5's response, EXTERNAL's authzid.
 */
static void
test_mech_wire_forms(void **state)
{
	struct redactor	*r = fx_new(PROTO_IMAP);
	const char	 xo[] = "user=alice\001auth=Bearer tok-SECRET-9\001\001";
	const char	 ob[] = "n,a=alice,\001host=mail.test\001port=143"
			    "\001auth=Bearer tok-SECRET-9\001\001";
	const char	 dg[] = "username=\"alice\",realm=\"mail.test\","
			    "nonce=\"abc\",cnonce=\"xyz\",nc=00000001,"
			    "qop=auth,digest-uri=\"imap/mail.test\","
			    "response=0123456789abcdef0123456789abcdef";
	char		*enc, *line;
	const char	*out;

	(void)state;
	enc = xstrdup(b64(xo, sizeof xo - 1));
	xasprintf(&line, "a1 AUTHENTICATE XOAUTH2 %s", enc);
	out = client(r, line);
	assert_non_null(strstr(out, "[redacted: user=alice, "));
	assert_hidden(out, "tok-SECRET");
	assert_hidden(out, enc);
	server(r, "+ eyJzdGF0dXMiOiI0MDEifQ==");
	assert_pass(r, "");
	server(r, "a1 NO [AUTHENTICATIONFAILED] failed");
	free(line);
	free(enc);

	enc = xstrdup(b64(ob, sizeof ob - 1));
	xasprintf(&line, "a2 AUTHENTICATE OAUTHBEARER %s", enc);
	out = client(r, line);
	assert_non_null(strstr(out, "[redacted: user=alice, "));
	assert_hidden(out, "tok-SECRET");
	assert_hidden(out, enc);
	/* Its error answered with ^A: hidden too, as any answer. */
	server(r, "+ eyJzdGF0dXMiOiI0MDEifQ==");
	out = client(r, "AQ==");
	assert_hidden(out, "AQ==");
	server(r, "a2 NO [AUTHENTICATIONFAILED] failed");
	free(line);
	free(enc);

	assert_pass(r, "a3 AUTHENTICATE DIGEST-MD5");
	server(r, "+ cmVhbG09Im1haWwudGVzdCIsbm9uY2U9ImFiYyI=");
	enc = xstrdup(b64(dg, sizeof dg - 1));
	out = client(r, enc);
	assert_non_null(strstr(out, "user=alice, "));
	assert_hidden(out, "0123456789abcdef");
	assert_hidden(out, enc);
	server(r, "+ cnNwYXV0aD0xMjM0");
	assert_pass(r, "");
	server(r, "a3 OK done");
	free(enc);

	enc = xstrdup(b64("bob", 3));
	xasprintf(&line, "a4 AUTHENTICATE EXTERNAL %s", enc);
	out = client(r, line);
	assert_string_equal(out, "a4 AUTHENTICATE EXTERNAL [redacted: "
	    "user=bob, 4 bytes]");
	server(r, "a4 OK done");
	/* No authzid: "=", nothing to hide. */
	assert_pass(r, "a5 AUTHENTICATE EXTERNAL =");
	free(line);
	free(enc);
	fx_free(r);
	teardown_buf();
}

/* Mechanisms without a known layout hide everything. */
static void
test_smtp_other_mech(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	const char	*out;

	(void)state;
	out = client(r, "AUTH SCRAM-SHA-256 biwsbj1hbGljZSxyPXJPcHJOR2ZJRQ==");
	assert_non_null(out);
	assert_string_equal(out, "AUTH SCRAM-SHA-256 [redacted: user=alice, "
	    "32 bytes]");
	server(r, "334 cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTI=");
	out = client(r, "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8scD1kSHpi");
	assert_hidden(out, "Yz1iaXdz");
	assert_non_null(strstr(out, "SASL response"));
	server(r, "235 ok");
	out = client(r, "AUTH NTLM TlRMTVNTUAABAAAA");
	assert_string_equal(out, "AUTH NTLM [redacted: 16 bytes]");
	server(r, "504 no");
	assert_pass(r, "QUIT");
	fx_free(r);
	teardown_buf();
}

static void
test_smtp_invalid_b64(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	const char	*out;

	(void)state;
	out = client(r, "AUTH PLAIN !!secretpassword!!");
	assert_non_null(out);
	assert_string_equal(out, "AUTH PLAIN [redacted: invalid base64, "
	    "18 bytes]");
	server(r, "501 5.5.2 cannot decode");
	assert_pass(r, "AUTH LOGIN");
	out = client(r, "not*base64");
	assert_hidden(out, "not*base64");
	assert_non_null(strstr(out, "invalid base64"));
	out = client(r, "my-secret-password");
	assert_string_equal(out, "[redacted: AUTH LOGIN password, invalid "
	    "base64, 18 bytes]");
	fx_free(r);
	teardown_buf();
}

static void
test_smtp_cancel(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);

	(void)state;
	assert_pass(r, "AUTH PLAIN");
	server(r, "334 ");
	assert_pass(r, "*");
	server(r, "501 5.0.0 canceled");
	assert_pass(r, "EHLO x");
	server(r, "250 mail.test");
	assert_pass(r, "MAIL FROM:<>");
	server(r, "250 ok");
	/* AUTH alone and the empty initial response hide nothing. */
	assert_pass(r, "AUTH");
	server(r, "501 5.5.4 no mechanism");
	assert_pass(r, "AUTH PLAIN =");
	server(r, "334 ");
	assert_non_null(client(r, "AGFsaWNlAHB3"));
	server(r, "454 4.7.0 temporary failure");
	assert_pass(r, "NOOP");
	fx_free(r);
	teardown_buf();
}

/* Tabs separate words too; a 334 alone starts an exchange. */
static void
test_smtp_fail_safe(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	const char	*out;

	(void)state;
	out = client(r, "AUTH\tPLAIN\tAGFsaWNlAHNlY3JldHB3");
	assert_non_null(out);
	assert_hidden(out, "AGFsaWNlAHNlY3JldHB3");
	assert_non_null(strstr(out, "user=alice"));
	server(r, "235 ok");
	assert_pass(r, "X-UNKNOWN-AUTH");
	server(r, "334 UGFzc3dvcmQ6");
	out = client(r, "c2VjcmV0cGFzcw==");
	assert_hidden(out, "c2VjcmV0cGFzcw==");
	server(r, "235 ok");
	assert_pass(r, "QUIT");
	fx_free(r);

	r = fx_new(PROTO_POP3);
	assert_pass(r, "X-AUTH");
	server(r, "+ ");
	assert_hidden(client(r, "AGFsaWNlAHNlY3JldHB3"), "AGFsaWNlAHNlY3J");
	server(r, "+OK");
	out = client(r, "PASS\tsecret");
	assert_string_equal(out, "PASS\t[redacted: 6 bytes]");
	fx_free(r);

	/* IMAP "+" also asks for literals: no exchange starts. */
	r = fx_new(PROTO_IMAP);
	assert_pass(r, "a APPEND INBOX {5}");
	server(r, "+ go ahead");
	assert_pass(r, "hello");
	out = client(r, "b\tLOGIN\talice\tsecret");
	assert_string_equal(out, "b\tLOGIN\talice\t[redacted: 6 bytes]");
	fx_free(r);
	teardown_buf();
}

static void
test_imap_login_atom(void **state)
{
	struct redactor	*r = fx_new(PROTO_IMAP);
	const char	*out;

	(void)state;
	assert_pass(r, "a000 CAPABILITY");
	out = client(r, "a001 LOGIN alice secret");
	assert_non_null(out);
	assert_string_equal(out, "a001 LOGIN alice [redacted: 6 bytes]");
	server(r, "a001 OK LOGIN completed");
	assert_pass(r, "a002 SELECT INBOX");
	/* Lower case and without a tag. */
	out = client(r, "a003 login alice hunter2");
	assert_string_equal(out, "a003 login alice [redacted: 7 bytes]");
	/* Without a tag (":raw"; the engine adds one to commands). */
	buf_reset(&shown);
	assert_true(redact_client(r, "LOGIN alice hunter2", 19, &shown));
	assert_string_equal(shown.p, "LOGIN alice [redacted: 7 bytes]");
	out = client(r, "LOGIN alice hunter2");
	assert_string_equal(out, "a001 LOGIN alice [redacted: 7 bytes]");
	/* Trailing junk is hidden with the password. */
	out = client(r, "a004 LOGIN alice pass word");
	assert_string_equal(out, "a004 LOGIN alice [redacted: 9 bytes]");
	/* A LOGIN without password hides nothing. */
	assert_pass(r, "a005 LOGIN alice");
	fx_free(r);
	teardown_buf();
}

static void
test_imap_login_quoted(void **state)
{
	struct redactor	*r = fx_new(PROTO_IMAP);
	const char	*out;

	(void)state;
	out = client(r, "a1 LOGIN \"alice smith\" \"p\\\"w0rd x\"");
	assert_non_null(out);
	assert_string_equal(out, "a1 LOGIN \"alice smith\" "
	    "[redacted: 11 bytes]");
	assert_hidden(out, "w0rd");
	out = client(r, "a2 LOGIN \"a\\\\b\" \"\"");
	assert_string_equal(out, "a2 LOGIN \"a\\\\b\" [redacted: 2 bytes]");
	/* An unterminated user quote: the rest is hidden. */
	out = client(r, "a3 LOGIN \"alice secret");
	assert_string_equal(out, "a3 LOGIN [redacted: 13 bytes]");
	server(r, "a3 BAD syntax");
	assert_pass(r, "a4 NOOP");
	fx_free(r);
	teardown_buf();
}

static void
test_imap_login_literal(void **state)
{
	struct redactor	*r = fx_new(PROTO_IMAP);
	const char	*out;

	(void)state;
	/* Password as a literal: the next line is the secret. */
	assert_pass(r, "a1 LOGIN alice {6}");
	server(r, "+ Ready for literal data");
	out = client(r, "secret");
	assert_non_null(out);
	assert_string_equal(out, "[redacted: 6 bytes]");
	server(r, "a1 OK LOGIN completed");
	assert_pass(r, "a2 SELECT INBOX");

	/* Non-synchronising literal. */
	assert_pass(r, "b1 LOGIN alice {7+}");
	out = client(r, "hunter2");
	assert_string_equal(out, "[redacted: 7 bytes]");
	assert_pass(r, "b2 NOOP");

	/* User and password both literals. */
	assert_pass(r, "c1 LOGIN {5}");
	server(r, "+ go ahead");
	assert_pass(r, "alice {9}");
	server(r, "+ go ahead");
	out = client(r, "pw-secret");
	assert_string_equal(out, "[redacted: 9 bytes]");
	server(r, "c1 NO [AUTHENTICATIONFAILED] failed");
	assert_pass(r, "c2 LOGOUT");

	/* Text after a password literal is hidden with it. */
	assert_pass(r, "e1 LOGIN alice {3}");
	out = client(r, "pw-and-more");
	assert_string_equal(out, "[redacted: 11 bytes]");
	assert_pass(r, "e2 NOOP");

	/* User literal followed by the password atom on the same line. */
	assert_pass(r, "d1 LOGIN {5}");
	out = client(r, "alice s3cr3t");
	assert_string_equal(out, "alice [redacted: 6 bytes]");
	assert_pass(r, "d2 NOOP");
	fx_free(r);
	teardown_buf();
}

static void
test_imap_literal_multiline(void **state)
{
	struct redactor	*r = fx_new(PROTO_IMAP);
	const char	*out;

	(void)state;
	/* 11 bytes + CRLF + 7 bytes = 20. */
	assert_pass(r, "a LOGIN alice {20}");
	out = client(r, "line1secret");
	assert_string_equal(out, "[redacted: 11 bytes]");
	out = client(r, "pwpart7");
	assert_string_equal(out, "[redacted: 7 bytes]");
	assert_pass(r, "b NOOP");
	fx_free(r);
	teardown_buf();
}

static void
test_imap_literal_refused(void **state)
{
	struct redactor	*r = fx_new(PROTO_IMAP);

	(void)state;
	assert_pass(r, "a LOGIN alice {6}");
	server(r, "* OK still here");
	server(r, "a BAD literal too long");
	assert_pass(r, "b CAPABILITY");
	fx_free(r);
	teardown_buf();
}

static void
test_imap_authenticate(void **state)
{
	struct redactor	*r = fx_new(PROTO_IMAP);
	const char	 raw[] = "\0alice\0imap-Secret";
	char		*enc, *line, *want, *pw;
	const char	*out;

	(void)state;
	enc = xstrdup(b64(raw, sizeof raw - 1));
	xasprintf(&line, "a1 AUTHENTICATE PLAIN %s", enc);
	xasprintf(&want, "a1 AUTHENTICATE PLAIN [redacted: user=alice, "
	    "%zu bytes]", strlen(enc));
	out = client(r, line);
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_hidden(out, enc);
	server(r, "* CAPABILITY IMAP4rev1");
	server(r, "a1 OK done");
	assert_pass(r, "a2 LIST \"\" *");

	/* LOGIN mechanism answering "+" challenges, ended by NO. */
	pw = xstrdup(b64("imap-pw-123", 11));
	assert_pass(r, "a3 AUTHENTICATE LOGIN");
	server(r, "+ VXNlcm5hbWU6");
	out = client(r, "YWxpY2U=");
	assert_non_null(strstr(out, "user=alice"));
	server(r, "+ UGFzc3dvcmQ6");
	out = client(r, pw);
	assert_hidden(out, pw);
	assert_non_null(strstr(out, "AUTH LOGIN password"));
	server(r, "a3 NO failed");
	assert_pass(r, "a4 LOGOUT");

	/* PLAIN without initial response, then cancelled. */
	assert_pass(r, "a5 AUTHENTICATE PLAIN");
	server(r, "+ ");
	assert_pass(r, "*");
	server(r, "a5 BAD cancelled");
	assert_pass(r, "a6 NOOP");
	free(pw);
	free(enc);
	free(line);
	free(want);
	fx_free(r);
	teardown_buf();
}

/*
 * ManageSieve: AUTHENTICATE's words are quoted strings; the initial
 * response quoted or a literal whose line follows; answers to string
 * challenges quoted or literals too; a script's literal is no secret.
 */
static void
test_sieve_authenticate(void **state)
{
	struct redactor	*r = fx_new(PROTO_SIEVE);
	const char	 raw[] = "\0alice\0sieve-Secret";
	char		*enc, *line, *want, *pw, *qpw;
	const char	*out;

	(void)state;
	server(r, "OK \"ready\"");
	enc = xstrdup(b64(raw, sizeof raw - 1));
	xasprintf(&line, "AUTHENTICATE \"PLAIN\" \"%s\"", enc);
	xasprintf(&want, "AUTHENTICATE \"PLAIN\" [redacted: user=alice, "
	    "%zu bytes]", strlen(enc));
	out = client(r, line);
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_hidden(out, enc);
	server(r, "OK \"Logged in\"");
	assert_pass(r, "LISTSCRIPTS");
	server(r, "OK \"done\"");
	free(line);

	/* The initial response as a literal: its line is the secret. */
	xasprintf(&line, "AUTHENTICATE \"PLAIN\" {%zu+}", strlen(enc));
	assert_pass(r, line);
	out = client(r, enc);
	assert_hidden(out, enc);
	assert_non_null(strstr(out, "user=alice"));
	server(r, "NO \"failed\"");
	assert_pass(r, "NOOP");
	server(r, "OK \"done\"");

	/* LOGIN answering string challenges, one answer a literal. */
	pw = xstrdup(b64("sieve-pw-123", 12));
	xasprintf(&qpw, "{%zu+}", strlen(pw));
	assert_pass(r, "AUTHENTICATE \"LOGIN\"");
	server(r, "\"VXNlcm5hbWU6\"");
	out = client(r, "\"YWxpY2U=\"");
	assert_non_null(strstr(out, "user=alice"));
	server(r, "\"UGFzc3dvcmQ6\"");
	assert_pass(r, qpw);
	out = client(r, pw);
	assert_hidden(out, pw);
	assert_non_null(strstr(out, "AUTH LOGIN password"));
	server(r, "OK \"in\"");
	/* A script is not a secret, even a line that looks like a login. */
	assert_pass(r, "PUTSCRIPT \"s\" {14+}");
	assert_pass(r, "keep;");
	assert_pass(r, "stop;");
	assert_pass(r, "");
	server(r, "OK \"stored\"");

	/* Cancelled with "*" as a string. */
	assert_pass(r, "AUTHENTICATE \"PLAIN\"");
	server(r, "\"\"");
	assert_pass(r, "\"*\"");
	server(r, "NO \"cancelled\"");
	assert_pass(r, "NOOP");
	free(pw);
	free(qpw);
	free(enc);
	free(line);
	free(want);
	fx_free(r);
	teardown_buf();
}

static void
test_imap_plain_session(void **state)
{
	struct redactor	*r = fx_new(PROTO_IMAP);

	(void)state;
	server(r, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready");
	assert_pass(r, "a1 CAPABILITY");
	server(r, "a1 OK done");
	assert_pass(r, "a2 STARTTLS");
	assert_pass(r, "a3 SELECT INBOX");
	assert_pass(r, "a4 FETCH 1:* (FLAGS BODY[HEADER.FIELDS (SUBJECT)])");
	assert_pass(r, "a5 APPEND INBOX {12}");
	assert_pass(r, "Subject: hi");
	assert_pass(r, "a6 LOGOUT");
	fx_free(r);
	teardown_buf();
}

static void
test_pop3(void **state)
{
	struct redactor	*r = fx_new(PROTO_POP3);
	const char	 raw[] = "\0alice\0pop-Secret";
	char		*enc, *want;
	const char	*out;

	(void)state;
	assert_pass(r, "CAPA");
	server(r, "+OK\r\nUSER\r\n.");
	assert_pass(r, "USER alice");
	server(r, "+OK");
	out = client(r, "PASS secret");
	assert_non_null(out);
	assert_string_equal(out, "PASS [redacted: 6 bytes]");
	server(r, "-ERR no");
	out = client(r, "pass with spaces inside");
	assert_string_equal(out, "pass [redacted: 18 bytes]");
	server(r, "+OK logged in");
	out = client(r, "APOP alice c4c9334bac560ecc979e58001b3e22fb");
	assert_string_equal(out, "APOP alice [redacted: 32 bytes]");
	assert_hidden(out, "c4c9334b");
	server(r, "-ERR no");
	assert_pass(r, "STAT");
	server(r, "+OK 0 0");
	assert_pass(r, "AUTH");
	server(r, "+OK\r\nPLAIN\r\n+ looks like a challenge\r\n.");

	enc = xstrdup(b64(raw, sizeof raw - 1));
	assert_pass(r, "AUTH PLAIN");
	server(r, "+ ");
	out = client(r, enc);
	xasprintf(&want, "[redacted: SASL response, user=alice, %zu bytes]",
	    strlen(enc));
	assert_string_equal(out, want);
	server(r, "+OK maildrop locked");
	assert_pass(r, "LIST");
	server(r, "+OK\r\n.");
	assert_pass(r, "AUTH LOGIN");
	server(r, "+ VXNlcm5hbWU6");
	assert_non_null(client(r, "YWxpY2U="));
	server(r, "-ERR no");
	assert_pass(r, "QUIT");
	free(want);
	free(enc);
	fx_free(r);
	teardown_buf();
}

/*
 * A line longer than the cap: head, then filler up to the cap, then tail
 * in the next piece, then the line end.
 */
static void
server_long(const char *head, const char *tail)
{
	char	fill[4096];
	size_t	n = strlen(head);

	memset(fill, 'A', sizeof fill);
	feed(head, n);
	for (; n < LINE_MAX_BYTES; n += sizeof fill)
		feed(fill, LINE_MAX_BYTES - n < sizeof fill ?
		    LINE_MAX_BYTES - n : sizeof fill);
	feed(tail, strlen(tail));
	feed("\r\n", 2);
}

/* The AUTH LOGIN password after a user name: hidden, and how. */
static void
assert_password_hidden(struct redactor *r, const char *pw)
{
	const char	*out;

	out = client(r, pw);
	assert_hidden(out, pw);
	assert_non_null(strstr(out, "AUTH LOGIN password"));
}

/*
 * A challenge longer than the line cap whose next piece reads like the
 * final reply: the engine still awaits the password, so the exchange
 * goes on (SMTP 235, POP3 +OK, IMAP tagged OK).
 */
static void
test_split_challenge(void **state)
{
	static const struct {
		enum proto_id	 proto;
		const char	*auth, *user, *pass, *tail, *done;
	} c[] = {
		{ PROTO_SMTP, "AUTH LOGIN", "334 VXNlcm5hbWU6",
		    "334 UGFzc3dvcmQ6", "235 2.7.0 ok", "235 2.7.0 ok" },
		{ PROTO_LMTP, "AUTH LOGIN", "334 VXNlcm5hbWU6",
		    "334 UGFzc3dvcmQ6", "503 5.5.1 no", "235 2.7.0 ok" },
		{ PROTO_POP3, "AUTH LOGIN", "+ VXNlcm5hbWU6",
		    "+ UGFzc3dvcmQ6", "+OK locked", "+OK locked" },
		{ PROTO_POP3, "AUTH LOGIN", "+ VXNlcm5hbWU6",
		    "+ UGFzc3dvcmQ6", "-ERR no", "-ERR no" },
		{ PROTO_IMAP, "a001 AUTHENTICATE LOGIN", "+ VXNlcm5hbWU6",
		    "+ UGFzc3dvcmQ6", "a001 OK in", "a001 OK in" },
	};
	const char	*pw = "SG9zdGlsZS1Qdy00MjQy";
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct redactor	*r = fx_new(c[i].proto);

		assert_pass(r, c[i].auth);
		server(r, c[i].user);
		assert_non_null(strstr(client(r, "YWxpY2U="), "user=alice"));
		server_long(c[i].pass, c[i].tail);
		assert_true(pp_wants_continuation(eng));
		assert_password_hidden(r, pw);
		/* The real end ends it. */
		server(r, c[i].done);
		assert_false(pp_wants_continuation(eng));
		assert_pass(r, c[i].proto == PROTO_IMAP ? "a002 NOOP" :
		    "NOOP");
		fx_free(r);
	}
	teardown_buf();
}

/*
 * IMAP: the rest of an untagged response after a literal is part of that
 * response, however it reads; a literal's content too.
 */
static void
test_imap_literal_tail(void **state)
{
	static const char	tail[] = "* 1 FETCH (BODY[] {3}\r\nabca001 OK "
				    "in\r\n* 2 FETCH (BODY[] {12}\r\na001 OK "
				    "in\r\n)\r\n";
	struct redactor		*r = fx_new(PROTO_IMAP);

	(void)state;
	assert_pass(r, "AUTHENTICATE LOGIN");
	server(r, "+ VXNlcm5hbWU6");
	assert_non_null(client(r, "YWxpY2U="));
	feed(tail, sizeof tail - 1);
	server(r, "+ UGFzc3dvcmQ6");
	assert_password_hidden(r, "SG9zdGlsZS1Qdy00MjQy");
	/* Another command's tag ends nothing either. */
	server(r, "a000 OK not yours");
	assert_non_null(client(r, "dHlwZWQgYWdhaW4="));
	server(r, "a001 NO failed");
	assert_pass(r, "a002 NOOP");
	fx_free(r);
	teardown_buf();
}

/* Another command's reply, pipelined before AUTH, ends nothing. */
static void
test_pipelined(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);

	(void)state;
	assert_pass(r, "EHLO client.test");
	assert_pass(r, "AUTH LOGIN");
	server(r, "250 mail.test");
	/* Answers typed before the challenges. */
	assert_non_null(client(r, "YWxpY2U="));
	assert_password_hidden(r, "SG9zdGlsZS1Qdy00MjQy");
	server(r, "334 VXNlcm5hbWU6");
	server(r, "334 UGFzc3dvcmQ6");
	server(r, "235 2.7.0 ok");
	assert_pass(r, "QUIT");
	fx_free(r);
	teardown_buf();
}

/*
 * A continuation the engine pairs with a command the client did not send
 * as AUTH starts an exchange: IMAP AUTHENTICATE without a mechanism, a
 * 334 to anything; its answers are hidden until that command's reply.
 */
static void
test_unnamed_exchange(void **state)
{
	struct redactor	*r = fx_new(PROTO_IMAP);

	(void)state;
	assert_pass(r, "a1 AUTHENTICATE");
	server(r, "+ ");
	assert_hidden(client(r, "AGFsaWNlAHB3"), "AGFsaWNlAHB3");
	server(r, "a1 OK done");
	assert_pass(r, "a2 NOOP");
	/* A literal's "+" asks for no secret. */
	assert_pass(r, "a3 APPEND INBOX {5}");
	server(r, "+ go");
	assert_pass(r, "hello");
	fx_free(r);

	r = fx_new(PROTO_SMTP);
	assert_pass(r, "XAUTH");
	server(r, "334 ");
	assert_hidden(client(r, "c2VjcmV0"), "c2VjcmV0");
	server(r, "250 ok");
	assert_pass(r, "NOOP");
	/* DATA's 354 asks for the message, no secret. */
	server(r, "250 ok");
	assert_pass(r, "DATA");
	server(r, "354 go");
	assert_pass(r, "Subject: x");
	fx_free(r);

	/* A message body's "+" lines are content, not challenges. */
	r = fx_new(PROTO_POP3);
	assert_pass(r, "RETR 1");
	server(r, "+OK\r\n+ VXNlcm5hbWU6\r\n+\r\n.");
	assert_pass(r, "DELE 1");
	fx_free(r);
	teardown_buf();
}

/*
 * An exchange the engine never saw (":raw" bytes): a reply it pairs with
 * nothing ends it, but only one begun after the exchange (SMTP, POP3) or
 * with its tag whole (IMAP).
 */
static void
test_raw_exchange(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	struct buf	 b = { 0 };
	const char	*line = "t0123456789012345678901234567890 "
			    "AUTHENTICATE PLAIN";

	(void)state;
	/* A response already under way when the exchange began. */
	server(r, "250-unsolicited");
	assert_false(redact_client(r, "AUTH LOGIN", 10, &b));
	server(r, "250 done");
	assert_true(redact_client(r, "YWxpY2U=", 8, &b));
	server(r, "535 5.7.8 no");
	assert_pass(r, "NOOP");
	fx_free(r);

	r = fx_new(PROTO_IMAP);
	assert_false(redact_client(r, "x1 AUTHENTICATE PLAIN", 21, &b));
	server(r, "+ ");
	server(r, "x2 OK another tag");
	assert_true(redact_client(r, "AGFsaWNlAHB3", 12, &b));
	server(r, "x1 NO failed");
	assert_pass(r, "a1 NOOP");
	/* A tag longer than the engine keeps is cut: not known as ours. */
	assert_false(redact_client(r, line, strlen(line), &b));
	server(r, "t0123456789012345678901234567890xyz OK cut to the same");
	assert_true(redact_client(r, "AGFsaWNlAHB3", 12, &b));
	buf_free(&b);
	fx_free(r);
	teardown_buf();
}

/*
 * AUTH LOGIN: a server asking for the password first has the first
 * answer hidden, and never the next one shown as the user.
 */
static void
test_login_password_first(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	const char	*pw = "SG9zdGlsZS1Qdy00MjQy";

	(void)state;
	assert_pass(r, "AUTH LOGIN");
	server(r, "334 UGFzc3dvcmQ6");
	assert_password_hidden(r, "YWxpY2U=");
	server(r, "334 VXNlcm5hbWU6");
	assert_password_hidden(r, pw);
	server(r, "235 ok");
	assert_pass(r, "QUIT");
	fx_free(r);
	teardown_buf();
}

/*
 * AUTH with a mechanism inside an exchange is a new command (no answer
 * has a space): its initial response is shown as such, and a response
 * under way when it was sent ends neither.
 */
static void
test_auth_restart(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	struct buf	 b = { 0 };
	const char	*out;

	(void)state;
	/* An exchange the engine never saw (":raw"). */
	assert_false(redact_client(r, "AUTH LOGIN", 10, &b));
	server(r, "250-unsolicited");
	out = client(r, "AUTH PLAIN AGFsaWNlAHB3");
	assert_string_equal(out, "AUTH PLAIN [redacted: user=alice, 12 bytes]");
	server(r, "250 still unsolicited");
	assert_non_null(client(r, "AGFsaWNlAHB3"));
	server(r, "235 ok");
	assert_pass(r, "NOOP");
	buf_free(&b);
	fx_free(r);

	r = fx_new(PROTO_IMAP);
	assert_pass(r, "a1 AUTHENTICATE LOGIN");
	server(r, "+ VXNlcm5hbWU6");
	out = client(r, "a2 AUTHENTICATE PLAIN AGFsaWNlAHB3");
	assert_string_equal(out, "a2 AUTHENTICATE PLAIN [redacted: user=alice, "
	    "12 bytes]");
	fx_free(r);
	teardown_buf();
}

/*
 * The engine pairs a reply with its command when the reply begins: the
 * end of a reply to one AUTH, cut at the cap, does not end another AUTH
 * sent while it was arriving.
 */
static void
test_reply_begun_before(void **state)
{
	struct redactor	*r = fx_new(PROTO_POP3);
	char		 fill[1024];
	size_t		 n;

	(void)state;
	memset(fill, 'A', sizeof fill);
	server(r, "+OK ready");
	assert_pass(r, "AUTH LOGIN");
	feed("-ERR ", 5);
	for (n = 5; n < LINE_MAX_BYTES; n += sizeof fill)
		feed(fill, LINE_MAX_BYTES - n < sizeof fill ?
		    LINE_MAX_BYTES - n : sizeof fill);
	feed("x", 1);
	/* The first AUTH is over for the engine: this is a new command. */
	assert_false(pp_wants_continuation(eng));
	assert_non_null(strstr(client(r, "AUTH LOGIN YWxpY2U="),
	    "[user=alice]"));
	feed("\r\n", 2);
	assert_password_hidden(r, "SG9zdGlsZS1Qdy00MjQy");
	fx_free(r);
	teardown_buf();
}

/* The caller's buffer is untouched when nothing was hidden. */
static void
test_buffer_untouched(void **state)
{
	struct redactor	*r = fx_new(PROTO_IMAP);
	struct buf	 b = { 0 };

	(void)state;
	buf_adds(&b, "keep");
	assert_false(redact_client(r, "a1 LOGIN alice {6}", 18, &b));
	assert_string_equal(b.p, "keep");
	assert_int_equal(b.len, 4);
	assert_true(redact_client(r, "secret", 6, &b));
	assert_string_equal(b.p, "keep[redacted: 6 bytes]");
	buf_free(&b);
	fx_free(r);
}

/* redact_peek judges a line without moving the exchange on. */
static void
test_peek(void **state)
{
	struct redactor	*r = fx_new(PROTO_SMTP);
	struct buf	 b = { 0 };

	(void)state;
	assert_true(redact_peek(r, "PASS x", 6, &b) == false);
	assert_true(redact_peek(r, "AUTH\tPLAIN\tAGFsaWNlAHB3", 24, &b));
	assert_null(strstr(b.p, "AGFsaWNlAHB3"));
	buf_reset(&b);
	assert_false(redact_peek(r, "AUTH LOGIN", 10, &b));
	/* Peeking at AUTH LOGIN started no exchange... */
	assert_false(redact_peek(r, "NOOP", 4, &b));
	/* ...sending it did. */
	assert_false(redact_client(r, "AUTH LOGIN", 10, &b));
	assert_true(redact_peek(r, "YWxpY2U=", 8, &b));
	buf_free(&b);
	fx_free(r);
}

/* Random lines in both directions: no crash, no overread (ASan). */
static void
test_random(void **state)
{
	static const char *const words[] = {
		"AUTH ", "LOGIN ", "PLAIN ", "a1 ", "{5}", "{0}", "{9+}",
		"\"", "\\", "334 ", "+ ", "+OK", "235 ", "a1 OK", "*", "=",
		"PASS ", "APOP ", "AUTHENTICATE ", "XOAUTH2 ", "YWxp", " ",
		"CRAM-MD5 ", "SCRAM-SHA-1 ", "DIGEST-MD5 ", "OAUTHBEARER ",
	};
	struct buf	 line = { 0 }, out = { 0 }, wire = { 0 };
	unsigned int	 seed = 7;
	int		 p, round, i, n;

	(void)state;
	for (p = PROTO_SMTP; p <= PROTO_SIEVE; p++) {
		struct redactor	*r = fx_new((enum proto_id)p);

		for (round = 0; round < 5000; round++) {
			buf_reset(&line);
			n = rand_r(&seed) % 6;
			for (i = 0; i < n; i++) {
				int	 k = rand_r(&seed);

				if (k & 1)
					buf_adds(&line, words[(k >> 1) %
					    (int)(sizeof words /
					    sizeof words[0])]);
				else
					buf_addc(&line, (char)(k >> 8));
			}
			if (line.p == NULL)
				buf_add(&line, "", 0);
			buf_reset(&out);
			buf_reset(&wire);
			if (rand_r(&seed) & 1) {
				feed(line.p, line.len);
				feed("\r\n", 2);
			} else if (pp_command(eng, line.p, line.len, &wire, NULL) == 0)
				redact_client(r, wire.p, wire.len - 2, &out);
		}
		fx_free(r);
	}
	buf_free(&line);
	buf_free(&out);
	buf_free(&wire);
}

int
main(void)
{
	int	rc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_plain_initial),
		cmocka_unit_test(test_smtp_plain_challenge),
		cmocka_unit_test(test_smtp_login),
		cmocka_unit_test(test_smtp_login_initial),
		cmocka_unit_test(test_smtp_login_fast),
		cmocka_unit_test(test_smtp_cram_md5),
		cmocka_unit_test(test_smtp_xoauth2),
		cmocka_unit_test(test_smtp_oauthbearer),
		cmocka_unit_test(test_smtp_other_mech),
		cmocka_unit_test(test_mech_wire_forms),
		cmocka_unit_test(test_smtp_invalid_b64),
		cmocka_unit_test(test_smtp_cancel),
		cmocka_unit_test(test_smtp_fail_safe),
		cmocka_unit_test(test_imap_login_atom),
		cmocka_unit_test(test_imap_login_quoted),
		cmocka_unit_test(test_imap_login_literal),
		cmocka_unit_test(test_imap_literal_multiline),
		cmocka_unit_test(test_imap_literal_refused),
		cmocka_unit_test(test_imap_authenticate),
		cmocka_unit_test(test_sieve_authenticate),
		cmocka_unit_test(test_imap_plain_session),
		cmocka_unit_test(test_pop3),
		cmocka_unit_test(test_split_challenge),
		cmocka_unit_test(test_imap_literal_tail),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_unnamed_exchange),
		cmocka_unit_test(test_raw_exchange),
		cmocka_unit_test(test_login_password_first),
		cmocka_unit_test(test_auth_restart),
		cmocka_unit_test(test_reply_begun_before),
		cmocka_unit_test(test_buffer_untouched),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_random),
	};

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	evlog_free(rlog);
	return rc;
}
