/* SPDX-License-Identifier: ISC */
/*
 * explain.c and explain_data.c: specific glosses for codes, keywords,
 * capabilities, base64 challenges and local events; every table entry
 * carries a reference; and coverage: every warning or error code raised
 * anywhere in src/ (read from the sources at test time) has a gloss, so
 * adding one without fails here.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "base/base.h"
#include "log/log.h"
#include "core/proto/proto_int.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

static struct evlog	*elog;
static struct buf	 eout;
static struct pp	*epp;		/* classifies the lines, in order */
static enum proto_id	 eproto;
static struct ev_class	 ecls;		/* the last server line's */

static int
setup(void **state)
{
	(void)state;
	elog = evlog_new(true);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	evlog_free(elog);
	buf_free(&eout);
	pp_free(epp);
	return 0;
}

static void
eline(const struct pp_line *l, void *arg)
{
	(void)arg;
	pp_class(l, &ecls);
}

/* Log one line and explain it with the log as context. */
static const char *
exn(enum proto_id proto, enum ev_dir dir, const char *line, size_t len,
    uint32_t flags)
{
	struct event		 tmpl = { 0 };
	const struct event	*ev;
	struct buf		 wire = { 0 };

	/*
	 * What the engine makes of the line, as in a session.  A command
	 * begins a dialogue of its own: the lines of a test answer it, not
	 * one an earlier check left waiting (an answer to a challenge, a
	 * body line goes on with the dialogue).
	 */
	if (epp == NULL || eproto != proto || (dir == DIR_CLIENT &&
	    (flags & (EVF_REDACTED | EVF_BODY)) == 0)) {
		pp_free(epp);
		epp = pp_new(proto, eline, NULL);
		eproto = proto;
	}
	memset(&ecls, 0, sizeof ecls);
	if (dir == DIR_CLIENT) {
		if (pp_command(epp, line, len, &wire, &ecls) == -1)
			memset(&ecls, 0, sizeof ecls);
		buf_free(&wire);
	} else {
		pp_feed(epp, line, len);
		pp_feed(epp, "\r\n", 2);
		/* A go-ahead holds what follows: the test goes on. */
		pp_take_buffered(epp, &wire);
		buf_free(&wire);
	}
	tmpl.kind = EV_DATA;
	tmpl.dir = (uint8_t)dir;
	tmpl.flags = flags;
	tmpl.cls = ecls;
	ev = evlog_append(elog, &tmpl, line, len);
	buf_reset(&eout);
	buf_adds(&eout, "");
	explain_event(ev, proto, &eout);
	return eout.p;
}

static const char *
ex(enum proto_id proto, enum ev_dir dir, const char *line, uint32_t flags)
{
	return exn(proto, dir, line, strlen(line), flags);
}

#define SRV(p, l)	ex((p), DIR_SERVER, (l), 0)
#define CLI(p, l)	ex((p), DIR_CLIENT, (l), 0)

static void
has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("missing \"%s\" in:\n%s", want, text);
}

static void
hasnt(const char *text, const char *want)
{
	if (strstr(text, want) != NULL)
		fail_msg("unexpected \"%s\" in:\n%s", want, text);
}

static void
test_smtp_replies(void **state)
{
	const char	*o;

	(void)state;
	o = SRV(PROTO_SMTP, "250 OK");
	has(o, "250: 2xx: success");
	has(o, "250: Requested action okay");
	has(o, "(RFC 5321 §4.2.2)");

	o = SRV(PROTO_SMTP, "354 End data with <CR><LF>.<CR><LF>");
	has(o, "354: 3xx: intermediate");
	has(o, "354: Start mail input");

	o = SRV(PROTO_SMTP, "530 5.7.0 Must issue a STARTTLS command first");
	has(o, "530: 5xx: permanent failure");
	has(o, "530: Authentication required, or STARTTLS must come first");
	has(o, "5.7.0: Enhanced status 5.X.X: permanent failure");
	has(o, "5.7.0: Other or undefined security status");

	o = SRV(PROTO_SMTP, "454 4.7.0 TLS not available due to local "
	    "problem");
	has(o, "454: 4xx: temporary failure");
	has(o, "454: Temporary failure: TLS not available");
	has(o, "4.7.0: Enhanced status 4.X.X");
	has(o, "4.7.0: Other or undefined security status");

	/* Unknown detail: the subject still says something. */
	o = SRV(PROTO_SMTP, "550 5.7.99 blocked");
	has(o, "5.7.99: Subject: security or policy");

	o = SRV(PROTO_SMTP, "550-5.1.1 no such user");
	has(o, "5.1.1: Bad destination mailbox address");

	/* Not a reply line: nothing to say. */
	buf_reset(&eout);
	o = SRV(PROTO_SMTP, "hello there");
	assert_string_equal(o, "");
	o = SRV(PROTO_SMTP, "25");
	assert_string_equal(o, "");
}

static void
test_ehlo_keywords(void **state)
{
	const char	*o;

	(void)state;
	CLI(PROTO_SMTP, "EHLO client.test");
	o = SRV(PROTO_SMTP, "250-mail.test Hello");
	has(o, "250: Requested action okay");
	o = SRV(PROTO_SMTP, "250-STARTTLS");
	has(o, "STARTTLS: The server offers to switch this connection to "
	    "TLS");
	has(o, "(RFC 3207 §4)");
	hasnt(o, "2xx");
	o = SRV(PROTO_SMTP, "250-AUTH PLAIN LOGIN SCRAM-SHA-256");
	has(o, "AUTH: SMTP AUTH");
	has(o, "PLAIN: User name and password in one base64 string");
	has(o, "LOGIN: User name and password, each in base64");
	has(o, "SCRAM-SHA-256: Salted");
	o = SRV(PROTO_SMTP, "250-AUTH=LOGIN PLAIN");
	has(o, "AUTH: SMTP AUTH");
	has(o, "LOGIN: ");
	o = SRV(PROTO_SMTP, "250-SIZE 10240000");
	has(o, "SIZE: The largest message");
	o = SRV(PROTO_SMTP, "250 ENHANCEDSTATUSCODES");
	has(o, "ENHANCEDSTATUSCODES: Replies carry");
	/* A middlebox's footprint: the strip lesson's key line. */
	o = SRV(PROTO_SMTP, "250-XXXXXXXA");
	has(o, "XXXXXXXA: Not an extension: STARTTLS overwritten");
	has(o, "STARTTLS stripping");
	hasnt(o, "Requested action okay");

	/* The go-ahead for the handshake. */
	CLI(PROTO_SMTP, "STARTTLS");
	o = SRV(PROTO_SMTP, "220 2.0.0 Ready to start TLS");
	has(o, "The go-ahead: the next bytes are the TLS handshake");
	/* Without an enhanced code, and unsolicited: the engine decides. */
	o = SRV(PROTO_SMTP, "220 mail.test ESMTP");
	hasnt(o, "The go-ahead");
	CLI(PROTO_SMTP, "STARTTLS");
	o = SRV(PROTO_SMTP, "220 mail.test ESMTP");
	has(o, "The go-ahead");
	CLI(PROTO_SMTP, "STARTTLS");
	o = SRV(PROTO_SMTP, "454 4.7.0 TLS not available");
	hasnt(o, "The go-ahead");
	CLI(PROTO_IMAP, "a9 STARTTLS");
	o = SRV(PROTO_IMAP, "* OK still plaintext");
	hasnt(o, "The go-ahead");
	o = SRV(PROTO_IMAP, "a9 OK Begin TLS negotiation now");
	has(o, "The go-ahead");
	CLI(PROTO_POP3, "STLS");
	o = SRV(PROTO_POP3, "+OK Begin TLS");
	has(o, "The go-ahead");
	CLI(PROTO_POP3, "STAT");
	o = SRV(PROTO_POP3, "+OK 2 320");
	hasnt(o, "The go-ahead");

	/* Not after EHLO: "250 HELP" is no keyword list. */
	CLI(PROTO_SMTP, "NOOP");
	o = SRV(PROTO_SMTP, "250 HELP");
	hasnt(o, "HELP: ");
	has(o, "250: Requested action okay");

	/* Without a log, a keyword still reads as one. */
	{
		struct event	e = { 0 };

		e.kind = EV_DATA;
		e.dir = DIR_SERVER;
		e.data = "250-PIPELINING";
		e.len = 14;
		e.cls.code = 250;
		buf_reset(&eout);
		assert_int_equal(explain_event(&e, PROTO_LMTP, &eout), 1);
		has(eout.p, "PIPELINING: The client may send several");
	}
}

static void
test_auth_challenges(void **state)
{
	const char	*o;

	(void)state;
	o = SRV(PROTO_SMTP, "334 VXNlcm5hbWU6");
	has(o, "334: AUTH challenge");
	has(o, "334 VXNlcm5hbWU6 = base64 for \"Username:\"");
	o = SRV(PROTO_SMTP, "334 UGFzc3dvcmQ6");
	has(o, "334 UGFzc3dvcmQ6 = base64 for \"Password:\"");
	o = SRV(PROTO_SMTP, "334 ");
	has(o, "An empty challenge");
	o = SRV(PROTO_SMTP, "334");
	has(o, "An empty challenge");
	/* Binary: no decoded text, no raw bytes. */
	o = SRV(PROTO_SMTP, "334 AAEC/w==");
	has(o, "binary SASL data");
	hasnt(o, "base64 for");
	/* Escape sequences count as binary. */
	o = SRV(PROTO_SMTP, "334 G1sybUhp");	/* ESC [2mHi */
	has(o, "binary SASL data");
	hasnt(o, "\x1b");
	/* Text with a bidi override is no plain text. */
	o = SRV(PROTO_SMTP, "334 YeKArmI=");	/* a U+202E b */
	has(o, "binary SASL data");
	hasnt(o, "\xe2\x80\xae");
	/* UTF-8 text is fine. */
	o = SRV(PROTO_SMTP, "334 TsOkbWU6");	/* Name: with a-umlaut */
	has(o, "base64 for \"N\xc3\xa4me:\"");
	/* Not base64. */
	o = SRV(PROTO_SMTP, "334 not base64!");
	hasnt(o, "base64 for");

	CLI(PROTO_IMAP, "a1 AUTHENTICATE LOGIN");
	o = SRV(PROTO_IMAP, "+ VXNlcm5hbWU6");
	has(o, "+: Continuation request");
	has(o, "= base64 for \"Username:\"");
	ex(PROTO_IMAP, DIR_CLIENT, "[redacted: AUTH LOGIN username]",
	    EVF_REDACTED);
	o = SRV(PROTO_IMAP, "+ AAEC");
	has(o, "binary SASL data");
	o = SRV(PROTO_IMAP, "+");
	has(o, "An empty challenge");
	/* A literal's go-ahead is no challenge. */
	CLI(PROTO_IMAP, "a2 APPEND INBOX {10}");
	o = SRV(PROTO_IMAP, "+ Ready for literal data");
	has(o, "+: Continuation request");
	hasnt(o, "base64 for");
	o = SRV(PROTO_IMAP, "+ Send");
	hasnt(o, "base64");
	hasnt(o, "binary");
	o = SRV(PROTO_IMAP, "+");
	has(o, "+: Continuation request");
	hasnt(o, "empty challenge");
	CLI(PROTO_POP3, "AUTH LOGIN");
	o = SRV(PROTO_POP3, "+ UGFzc3dvcmQ6");
	has(o, "+: Continuation");
	has(o, "= base64 for \"Password:\"");
}

static void
test_imap(void **state)
{
	const char	*o;

	(void)state;
	o = SRV(PROTO_IMAP, "* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS "
	    "LOGINDISABLED AUTH=PLAIN THREAD=REFERENCES] Dovecot ready.");
	has(o, "*: Untagged response");
	has(o, "OK: Success (tagged)");
	has(o, "CAPABILITY: The capability list");
	has(o, "IMAP4rev1: The server speaks IMAP4rev1");
	has(o, "SASL-IR: ");
	has(o, "STARTTLS: The server offers to switch");
	has(o, "LOGINDISABLED: LOGIN is refused on this connection");
	has(o, "AUTH=PLAIN: AUTHENTICATE with the named SASL mechanism");
	has(o, "PLAIN: User name and password");
	has(o, "THREAD=REFERENCES: The server threads");

	o = SRV(PROTO_IMAP, "* OK [ALERT] System shutdown in 10 minutes");
	has(o, "ALERT: A message the client must show the user");
	o = SRV(PROTO_IMAP, "a1 NO [PRIVACYREQUIRED] Connection not secure");
	has(o, "a1: Tagged response");
	has(o, "NO: The command failed");
	has(o, "PRIVACYREQUIRED: Refused because the connection is not "
	    "private");
	o = SRV(PROTO_IMAP, "a2 NO [AUTHENTICATIONFAILED] bad");
	has(o, "AUTHENTICATIONFAILED: Wrong user name");
	o = SRV(PROTO_IMAP, "* 23 EXISTS");
	has(o, "EXISTS: The number of messages");
	o = SRV(PROTO_IMAP, "* 1 FETCH (FLAGS (\\Seen))");
	has(o, "FETCH: Data about one message");
	o = SRV(PROTO_IMAP, "* CAPABILITY IMAP4rev2 IDLE LITERAL+");
	has(o, "CAPABILITY: The list of what the server supports");
	has(o, "IDLE: The server pushes");
	has(o, "LITERAL+: Non-synchronising literals");
	o = SRV(PROTO_IMAP, "* BYE Autologout");
	has(o, "BYE: The server is closing");
	o = SRV(PROTO_IMAP, "* PREAUTH welcome");
	has(o, "PREAUTH greeting");
	o = SRV(PROTO_IMAP, "a3 OK [READ-WRITE] SELECT completed");
	has(o, "READ-WRITE: The mailbox is selected read-write");
	o = SRV(PROTO_IMAP, "* OK [UIDVALIDITY 3857529045] UIDs valid");
	has(o, "UIDVALIDITY: Identifies this generation");
}

static void
test_pop3(void **state)
{
	const char	*o;

	(void)state;
	o = SRV(PROTO_POP3, "+OK POP3 server ready");
	has(o, "+OK: Success: the server did");
	o = SRV(PROTO_POP3, "-ERR [IN-USE] mailbox locked");
	has(o, "-ERR: Failure;");
	has(o, "IN-USE: The mailbox is locked");
	o = SRV(PROTO_POP3, "-ERR [SYS/TEMP] try later");
	has(o, "SYS/TEMP: A temporary server problem");
	CLI(PROTO_POP3, "CAPA");
	SRV(PROTO_POP3, "+OK Capability list follows");
	o = SRV(PROTO_POP3, "STLS");
	has(o, "STLS: The server offers to switch this connection to TLS");
	has(o, "(RFC 2595 §4)");
	o = SRV(PROTO_POP3, "SASL PLAIN SCRAM-SHA-1");
	has(o, "SASL: AUTH with the listed SASL mechanisms");
	has(o, "SCRAM-SHA-1: Salted");
	o = SRV(PROTO_POP3, ".");
	has(o, ".: A lone dot ends");
	/* A LIST line is no CAPA tag. */
	CLI(PROTO_POP3, "LIST");
	o = SRV(PROTO_POP3, "USER 1");
	hasnt(o, "USER: ");
}

static void
test_commands(void **state)
{
	const char	*o;

	(void)state;
	o = CLI(PROTO_SMTP, "STARTTLS");
	has(o, "STARTTLS: Ask to switch to TLS");
	o = CLI(PROTO_SMTP, "MAIL FROM:<a@b.test>");
	has(o, "MAIL: Start a transaction");
	o = CLI(PROTO_LMTP, "LHLO me");
	has(o, "LHLO: LMTP's hello");
	o = ex(PROTO_SMTP, DIR_CLIENT, "AUTH PLAIN [redacted: 12 bytes]",
	    EVF_REDACTED);
	has(o, "AUTH: Log in with a SASL mechanism");
	has(o, "PLAIN: ");
	has(o, "redacted: Credentials were replaced");
	o = ex(PROTO_SMTP, DIR_CLIENT, "[redacted: SASL response, 8 bytes]",
	    EVF_REDACTED);
	has(o, "Client answer inside an AUTH exchange");
	o = CLI(PROTO_IMAP, "a1 LOGIN alice secret");
	has(o, "LOGIN: Log in with user name and password in clear");
	o = CLI(PROTO_IMAP, "a2 UID FETCH 1:* FLAGS");
	has(o, "UID: Run COPY");
	has(o, "FETCH: Fetch message data");
	o = CLI(PROTO_IMAP, "a3 APPEND INBOX {310}");
	has(o, "APPEND: ");
	has(o, "{n}: n bytes of raw data");
	o = CLI(PROTO_IMAP, "DONE");
	has(o, "DONE: End IDLE");
	o = CLI(PROTO_POP3, "STLS");
	has(o, "STLS: Ask to switch to TLS");
	assert_non_null(explain_command(PROTO_POP3, "retr"));
	assert_null(explain_command(PROTO_POP3, "LOGIN"));
	assert_non_null(explain_command(PROTO_LMTP, "LHLO"));
}

static void
test_flags(void **state)
{
	const char	*o;
	uint32_t	 bit;
	const char	*name;

	(void)state;
	o = ex(PROTO_SMTP, DIR_SERVER, "250 OK", EVF_BARE_LF | EVF_END);
	has(o, "bare-lf: The line ended with LF alone");
	hasnt(o, "end: ");
	o = ex(PROTO_SMTP, DIR_SERVER, "250 OK", EVF_INJECTED);
	has(o, "injected: ");
	hasnt(o, "250: ");
	o = ex(PROTO_IMAP, DIR_SERVER, "* OK [ALERT] in a body",
	    EVF_LITERAL);
	hasnt(o, "ALERT");
	for (bit = 1; bit != 0; bit <<= 1)
		if ((name = ev_flag_name(bit)) != NULL &&
		    explain_gloss(XT_FLAG, name) == NULL)
			fail_msg("flag %s has no gloss", name);
}

/* A local event through ev_local and explain_event. */
static const char *
local(enum ev_kind kind, enum ev_chan chan, const char *code)
{
	const struct event	*ev;

	ev_local(elog, kind, chan, code, "%s", "text");
	ev = evlog_get(elog, evlog_count(elog) - 1);
	assert_non_null(ev);
	buf_reset(&eout);
	buf_adds(&eout, "");
	explain_event(ev, PROTO_SMTP, &eout);
	return eout.p;
}

/* e with a copy of x, as the log keeps it (the log owns the copy). */
static const struct event *
with_extra(const struct event *e, const struct ev_extra *x, const char *data)
{
	return evlog_append_x(elog, e, ev_extra_dup(x), data, strlen(data));
}

/* An attack's warning carries what a client must do about it. */
static void
test_client_side(void **state)
{
	struct event		 e = { 0 };
	struct ev_extra		 x = { 0 };
	struct tls_facts	 f = { 0 };
	const char		*o;

	(void)state;
	o = local(EV_WARNING, CHAN_PLAIN, "starttls-stripped");
	has(o, "The client's side: a client that wants TLS stops here");
	has(o, "mailscope judge");
	o = local(EV_ERROR, CHAN_PLAIN, "no-starttls");
	has(o, "The client's side: a client that wants TLS stops here");
	o = local(EV_WARNING, CHAN_PLAIN, "starttls-refused");
	has(o, "curl had (CVE-2021-22946)");
	o = local(EV_WARNING, CHAN_PLAIN, "response-injection");
	has(o, "curl CVE-2021-22947");
	o = local(EV_WARNING, CHAN_PLAIN, "plaintext-auth");
	has(o, "(:auth refuses)");
	/* Not an attack: no client lesson. */
	o = local(EV_INFO, CHAN_PLAIN, "keylog");
	hasnt(o, "The client's side");

	/* A failed verification: a careful client closes. */
	x.tls = &f;
	e.kind = EV_VERIFY;
	e.dir = DIR_LOCAL;
	buf_reset(&eout);
	explain_event(with_extra(&e, &x, "not verified"), PROTO_SMTP, &eout);
	has(eout.p, "after a failed verification a careful client closes");
	f.verify.ok = true;
	buf_reset(&eout);
	explain_event(with_extra(&e, &x, "verified"), PROTO_SMTP, &eout);
	hasnt(eout.p, "The client's side");
}

static void
test_local_events(void **state)
{
	struct event		 e = { 0 };
	struct ev_extra		 x = { 0 };
	struct tls_facts	 f = { 0 };
	const char		*o;

	(void)state;
	o = local(EV_WARNING, CHAN_PLAIN, "response-injection");
	has(o, "response-injection: Bytes arrived after the STARTTLS");
	/* The client-side class, not Postfix's server-side command one. */
	has(o, "CVE-2020-14954");
	hasnt(o, "CVE-2011-0411");
	has(o, "USENIX Security 2021");
	o = local(EV_WARNING, CHAN_PLAIN, "plaintext-auth");
	has(o, "plaintext-auth: Login is offered before TLS");
	o = local(EV_INFO, CHAN_PLAIN, "keylog");
	has(o, "keylog: TLS secrets");
	o = local(EV_ERROR, CHAN_PLAIN, "no-such-code");
	assert_string_equal(o, "");
	o = local(EV_CONNECT, CHAN_PLAIN, NULL);
	has(o, "starts in plaintext");
	/* Implicit TLS: the connection is TLS from its first byte. */
	o = local(EV_CONNECT, CHAN_TLS, NULL);
	has(o, "handshake comes first");
	hasnt(o, "STARTTLS");

	e.kind = EV_TLS_STEP;
	e.dir = DIR_LOCAL;
	e.data = "ClientHello sent";
	e.len = (uint32_t)strlen(e.data);
	buf_reset(&eout);
	assert_int_equal(explain_event(&e, PROTO_SMTP, &eout), 1);
	has(eout.p, "ClientHello sent: The client's offer");
	assert_ptr_equal(explain_tls_step("SERVER HELLO DONE"),
	    explain_gloss(XT_TLS_STEP, "ServerHelloDone"));
	assert_ptr_equal(explain_tls_step("Certificate Verify received"),
	    explain_gloss(XT_TLS_STEP, "CertificateVerify"));
	assert_ptr_equal(explain_tls_step("Certificate received"),
	    explain_gloss(XT_TLS_STEP, "Certificate"));
	assert_non_null(explain_tls_step("Finished"));
	assert_null(explain_tls_step("bogus"));

	/* Established: the fields present are explained. */
	f.version = "TLS1.1";
	f.cipher = "AES-128-CBC";
	f.group = "X25519";
	x.tls = &f;
	e.kind = EV_TLS_ESTABLISHED;
	buf_reset(&eout);
	explain_event(with_extra(&e, &x, "TLS1.1"), PROTO_SMTP, &eout);
	has(eout.p, "TLS is on");
	has(eout.p, "version: The TLS protocol version");
	has(eout.p, "cipher: ");
	has(eout.p, "group: ");
	hasnt(eout.p, "ALPN: ");
	has(eout.p, "This TLS version is deprecated");
	hasnt(eout.p, "TLS 1.2, not 1.3");
	f.version = "TLS1.2";
	buf_reset(&eout);
	explain_event(with_extra(&e, &x, "TLS1.2"), PROTO_SMTP, &eout);
	has(eout.p, "the server picks the highest one it shares");
	has(eout.p, "TLS 1.2, not 1.3: the highest version both sides "
	    "speak");
	hasnt(eout.p, "This TLS version is deprecated");
	f.version = "TLS1.1";

	/* Verify: verdict, trust level and each reason. */
	f.verify.ok = false;
	f.verify.trust = "Untrusted";
	strv_add(&f.verify.reasons, "issuer unknown: no trusted root");
	strv_add(&f.verify.reasons, "name mail.test not in certificate");
	strv_add(&f.verify.reasons, "\x1b[31mself-signed");
	e.kind = EV_VERIFY;
	buf_reset(&eout);
	explain_event(with_extra(&e, &x, "TLS1.1"), PROTO_SMTP, &eout);
	has(eout.p, "NOT verified");
	has(eout.p, "Untrusted: Verification failed, so nothing proves");
	has(eout.p, "issuer unknown: no trusted root: The chain does not "
	    "lead");
	has(eout.p, "name mail.test not in certificate: The certificate is "
	    "not valid for the host name");
	hasnt(eout.p, "\x1b");
	strv_clear(&f.verify.reasons);
	f.verify.ok = true;
	f.verify.trust = "Verified";
	buf_reset(&eout);
	explain_event(with_extra(&e, &x, "TLS1.1"), PROTO_SMTP, &eout);
	has(eout.p, "The certificate was verified");

	/* Capabilities after STARTTLS. */
	memset(&x, 0, sizeof x);
	strv_add(&x.added, "AUTH PLAIN LOGIN");
	strv_add(&x.removed, "STARTTLS");
	e.kind = EV_CAPDIFF;
	buf_reset(&eout);
	explain_event(with_extra(&e, &x, ""), PROTO_SMTP, &eout);
	has(eout.p, "(RFC 3207 §4.2)");
	has(eout.p, "EHLO is sent again after STARTTLS");
	has(eout.p, "Login appeared only inside TLS");
	has(eout.p, "STARTTLS vanished inside TLS");
	strv_clear(&x.added);
	strv_clear(&x.removed);
	strv_add(&x.removed, "LOGINDISABLED");
	strv_add(&x.added, "AUTH=PLAIN");
	buf_reset(&eout);
	explain_event(with_extra(&e, &x, ""), PROTO_IMAP, &eout);
	has(eout.p, "RFC 9051 §6.2.1, RFC 3501 §6.2.1");
	has(eout.p, "LOGINDISABLED vanished");
	has(eout.p, "Login appeared only inside TLS");
	strv_clear(&x.added);
	strv_clear(&x.removed);
	strv_add(&x.removed, "STLS");
	buf_reset(&eout);
	explain_event(with_extra(&e, &x, ""), PROTO_POP3, &eout);
	has(eout.p, "STLS vanished inside TLS");
	hasnt(eout.p, "STARTTLS vanished");
	strv_clear(&x.removed);
	buf_reset(&eout);
	explain_event(with_extra(&e, &x, ""), PROTO_POP3, &eout);
	has(eout.p, "(RFC 2595 §4)");
	has(eout.p, "The list is the same as in plaintext");
}

static void
test_lookups(void **state)
{
	static const char *fields[] = { "version", "cipher", "kx", "group",
	    "mac", "signature", "SNI", "ALPN", "resumed", "OCSP", "verdict",
	    "subject", "issuer", "SAN", "valid", "key", "serial", "sha256",
	    "pin-sha256", "chain", "reason", "trust", "sigalg", "CA",
	    "matched" };
	static const char *reasons[] = { "issuer unknown", "self-signed",
	    "expired on 2020-01-01", "not valid before 2030-01-01",
	    "name mail.test does not match", "revoked",
	    "insecure signature algorithm SHA1",
	    "signature verification failed", "issuer is not a CA",
	    "certificate chain too long",
	    "OCSP response invalid" };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (explain_tls_field(fields[i]) == NULL)
			fail_msg("TLS field %s has no gloss", fields[i]);
	assert_ptr_equal(explain_tls_field("sni"), explain_tls_field("SNI"));
	assert_null(explain_tls_field("nonsense"));
	for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (explain_verify_reason(reasons[i]) == NULL)
			fail_msg("reason %s has no gloss", reasons[i]);
	assert_null(explain_verify_reason("everything fine"));
	assert_null(explain_verify_reason("nam"));
	assert_ptr_equal(explain_gloss(XT_IMAP_CAP, "AUTH=SCRAM-SHA-256"),
	    explain_gloss(XT_IMAP_CAP, "AUTH="));
	assert_ptr_equal(explain_gloss(XT_IMAP_CAP, "imap4rev1"),
	    explain_gloss(XT_IMAP_CAP, "IMAP4rev1"));
	assert_null(explain_gloss(XT_IMAP_CAP, "AUTH"));
	assert_null(explain_gloss(XT_MAX, "x"));
	assert_null(explain_gloss(XT_EHLO, NULL));
	assert_non_null(explain_warning("starttls-refused"));
}

static void
test_starttls_lessons(void **state)
{
	static const struct {
		enum proto_id	 p;
		const char	*ports[3];
	} c[] = {
		{ PROTO_SMTP, { "25", "587", "465" } },
		{ PROTO_IMAP, { "143", "993", "RFC 2595" } },
		{ PROTO_POP3, { "110", "995", "RFC 2595 §4" } },
		{ PROTO_LMTP, { "LHLO", "RFC 3207 §4.2", "220" } },
	};
	const char	*t;
	size_t		 i, j;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		t = explain_starttls(c[i].p);
		assert_non_null(t);
		for (j = 0; j < 3; j++)
			has(t, c[i].ports[j]);
		has(t, "man in the middle");
		has(t, "CVE-2020-14954");
	}
	has(explain_starttls(PROTO_SMTP), "2525");
	has(explain_starttls(PROTO_SMTP), "Opportunistic");
	has(explain_starttls(PROTO_SMTP), "enforced");
}

/* What the issue and the views promise must be in the tables. */
static void
test_required_entries(void **state)
{
	static const struct {
		enum explain_table	 t;
		const char		*keys;
	} req[] = {
		{ XT_SMTP_CODE, "211 214 220 221 235 250 251 252 334 354 421 "
		    "450 451 452 454 455 500 501 502 503 504 521 530 534 535 "
		    "538 550 551 552 553 554 555 556" },
		{ XT_ESC_DETAIL, "X.0.0 X.1.1 X.1.2 X.2.2 X.3.4 X.4.1 X.4.7 "
		    "X.5.1 X.5.2 X.7.0 X.7.1 X.7.8 X.7.9 X.7.11" },
		{ XT_EHLO, "PIPELINING SIZE 8BITMIME ENHANCEDSTATUSCODES "
		    "STARTTLS AUTH CHUNKING BINARYMIME DSN SMTPUTF8 DELIVERBY "
		    "ETRN EXPN VRFY HELP REQUIRETLS MT-PRIORITY FUTURERELEASE "
		    "LIMITS XCLIENT XFORWARD XOAUTH2" },
		{ XT_SASL, "PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 "
		    "SCRAM-SHA-256 SCRAM-SHA-256-PLUS EXTERNAL ANONYMOUS "
		    "GSSAPI NTLM OAUTHBEARER XOAUTH2" },
		{ XT_IMAP_STATUS, "OK NO BAD BYE PREAUTH * + TAGGED" },
		{ XT_IMAP_CODE, "ALERT BADCHARSET CAPABILITY PARSE "
		    "PERMANENTFLAGS READ-ONLY READ-WRITE TRYCREATE UIDNEXT "
		    "UIDVALIDITY UNSEEN PRIVACYREQUIRED AUTHENTICATIONFAILED "
		    "UNAVAILABLE AUTHORIZATIONFAILED EXPIRED CONTACTADMIN "
		    "NOPERM INUSE EXPUNGEISSUED CORRUPTION SERVERBUG CLIENTBUG "
		    "CANNOT LIMIT OVERQUOTA ALREADYEXISTS NONEXISTENT CLOSED" },
		{ XT_IMAP_CAP, "IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED "
		    "AUTH=PLAIN SASL-IR IDLE NAMESPACE UIDPLUS LITERAL+ "
		    "LITERAL- ENABLE CONDSTORE QRESYNC MOVE SPECIAL-USE ID "
		    "UNSELECT CHILDREN LIST-EXTENDED ESEARCH SORT "
		    "THREAD=ORDEREDSUBJECT COMPRESS=DEFLATE QUOTA ACL BINARY "
		    "CATENATE UTF8=ACCEPT" },
		{ XT_IMAP_DATA, "EXISTS RECENT EXPUNGE FETCH FLAGS LIST SEARCH "
		    "STATUS CAPABILITY" },
		{ XT_POP3_STATUS, "+OK -ERR + ." },
		{ XT_POP3_CAPA, "TOP USER SASL RESP-CODES LOGIN-DELAY "
		    "PIPELINING EXPIRE UIDL IMPLEMENTATION STLS UTF8 LANG" },
		{ XT_POP3_CODE, "IN-USE LOGIN-DELAY SYS/TEMP SYS/PERM AUTH" },
		{ XT_CMD_SMTP, "HELO EHLO LHLO MAIL RCPT DATA BDAT RSET VRFY "
		    "EXPN HELP NOOP QUIT STARTTLS AUTH ETRN" },
		{ XT_CMD_IMAP, "CAPABILITY NOOP LOGOUT STARTTLS AUTHENTICATE "
		    "LOGIN SELECT EXAMINE CREATE DELETE RENAME SUBSCRIBE "
		    "UNSUBSCRIBE LIST LSUB NAMESPACE STATUS APPEND IDLE CHECK "
		    "CLOSE UNSELECT EXPUNGE SEARCH FETCH STORE COPY MOVE UID "
		    "ENABLE ID" },
		{ XT_CMD_POP3, "USER PASS APOP STAT LIST RETR DELE NOOP RSET "
		    "QUIT TOP UIDL CAPA STLS AUTH" },
		{ XT_TLS_STEP, "ClientHello ServerHello Certificate "
		    "CertificateVerify Finished EncryptedExtensions "
		    "NewSessionTicket ServerKeyExchange ClientKeyExchange" },
		{ XT_TRUST, "Verified Trusted Untrusted Anonymous" },
	};
	char		 buf[1024], *p, *k;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof req / sizeof req[0]; i++) {
		snprintf(buf, sizeof buf, "%s", req[i].keys);
		for (k = strtok_r(buf, " ", &p); k != NULL;
		    k = strtok_r(NULL, " ", &p))
			if (explain_gloss(req[i].t, k) == NULL)
				fail_msg("%s: %s has no gloss",
				    explain_table_name(req[i].t), k);
	}
}

/* Every entry: a key, plain text that ends in "(ref)", no duplicates. */
static void
test_tables_well_formed(void **state)
{
	const struct explain_entry	*v;
	size_t				 n, i, j, tl, rl;
	int				 t;
	const unsigned char		*c;

	(void)state;
	for (t = 0; t < XT_MAX; t++) {
		n = explain_table((enum explain_table)t, &v);
		assert_non_null(explain_table_name((enum explain_table)t));
		if (n == 0)
			fail_msg("table %d is empty", t);
		for (i = 0; i < n; i++) {
			assert_non_null(v[i].key);
			assert_true(v[i].key[0] != '\0');
			assert_non_null(v[i].ref);
			rl = strlen(v[i].ref);
			tl = strlen(v[i].text);
			if (rl < 3 || tl < rl + 12 ||
			    v[i].text[tl - 1] != ')' ||
			    strncmp(v[i].text + tl - rl - 1, v[i].ref, rl) != 0)
				fail_msg("%s %s: no reference at the end",
				    explain_table_name((enum explain_table)t),
				    v[i].key);
			if (tl > 420)
				fail_msg("%s: gloss too long", v[i].key);
			for (c = (const unsigned char *)v[i].text; *c; c++)
				if (*c < 0x20 || *c == 0x7f)
					fail_msg("%s: control byte", v[i].key);
			for (j = 0; j < i; j++)
				if (strcasecmp(v[i].key, v[j].key) == 0)
					fail_msg("%s: duplicate key",
					    v[i].key);
			/* Every key finds its own entry. */
			if (explain_lookup((enum explain_table)t, v[i].key) !=
			    &v[i])
				fail_msg("%s: lookup finds another entry",
				    v[i].key);
		}
	}
	n = explain_table(XT_ESC_DETAIL, &v);
	assert_true(n >= 40);
	n = explain_table(XT_MAX, &v);
	assert_int_equal(n, 0);
	assert_null(v);
}

/* Random lines: no crash, and nothing a terminal could act on. */
static void
test_random_lines(void **state)
{
	static const char	 alpha[] = "0123456789 .-+*[]=(){}\"\\:/"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh"
				    "\x1b\x07\x7f\r\x80\xc3\xa4\xe2\x80\xae\0";
	static const char	*seeds[] = { "250-", "334 ", "* OK [", "+ ",
				    "-ERR [", "a1 ", "550 5.", "* 1 " };
	char			 line[256];
	size_t			 i, j, n;
	unsigned		 r = 12345;
	int			 k;
	const char		*o;

	(void)state;
	for (i = 0; i < 4000; i++) {
		r = r * 1103515245 + 12345;
		n = strlen(seeds[(r >> 8) % 8]);
		memcpy(line, seeds[(r >> 8) % 8], n);
		r = r * 1103515245 + 12345;
		for (j = (r >> 8) % 120; j > 0 && n + 1 < sizeof line; j--) {
			r = r * 1103515245 + 12345;
			line[n++] = alpha[(r >> 8) % (sizeof alpha - 1)];
		}
		line[n] = '\0';
		k = (int)(i % 8);
		o = exn((enum proto_id)(k % 4), k < 4 ? DIR_SERVER :
		    DIR_CLIENT, line, n, 0);
		for (; *o != '\0'; o++)
			if ((*o != '\n' && (unsigned char)*o < 0x20) ||
			    *o == 0x7f || strncmp(o, "\xe2\x80\xae", 3) == 0)
				fail_msg("raw control byte for line %zu", i);
	}
}

/* NUL bytes inside words: passed over, and the scan goes on. */
static void
test_nul_bytes(void **state)
{
#define NUL(p, d, lit)	exn((p), (d), (lit), sizeof(lit) - 1, EVF_NUL)
	const char	*o;

	(void)state;
	CLI(PROTO_SMTP, "EHLO x");
	o = NUL(PROTO_SMTP, DIR_SERVER, "250-AUTH PLAIN\0X LOGIN");
	has(o, "LOGIN: ");
	hasnt(o, "PLAIN: ");
	has(o, "nul: ");
	o = NUL(PROTO_SMTP, DIR_SERVER, "250-AUTH \0 \0\0");
	has(o, "AUTH: ");
	o = NUL(PROTO_IMAP, DIR_SERVER, "* OK [CAPABILITY A\0B \0 IDLE]");
	has(o, "IDLE: ");
	o = NUL(PROTO_IMAP, DIR_SERVER, "* CAPABILITY \0\0 \0");
	has(o, "CAPABILITY: ");
	CLI(PROTO_POP3, "CAPA");
	o = NUL(PROTO_POP3, DIR_SERVER, "SASL \0 PLAIN\0");
	has(o, "SASL: ");
	o = NUL(PROTO_IMAP, DIR_CLIENT, "a1 LOGIN \0");
	has(o, "LOGIN: ");
	o = NUL(PROTO_SMTP, DIR_SERVER, "334 VXNl\0cm5hbWU6");
	hasnt(o, "base64 for");
#undef NUL
}

/* --- coverage: codes raised in the sources --- */

static char *
slurp(const char *path)
{
	FILE	*f;
	char	*p;
	long	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1) {
		fclose(f);
		return NULL;
	}
	p = xmalloc((size_t)n + 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(p);
		return NULL;
	}
	p[n] = '\0';
	fclose(f);
	return p;
}

static bool
ident_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Skip a string or character literal starting at p (the quote). */
static const char *
skip_literal(const char *p)
{
	char	q = *p++;

	while (*p != '\0' && *p != q) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		p++;
	}
	return *p != '\0' ? p + 1 : p;
}

/* Split "(a, b, ...)" at depth 0; p points after the '('. */
static size_t
split_args(const char *p, const char **start, const char **end, size_t max)
{
	size_t	n = 0;
	int	depth = 0;

	start[0] = p;
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\'') {
			p = skip_literal(p) - 1;
			continue;
		}
		if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if ((*p == ')' || *p == ']' || *p == '}') && depth > 0)
			depth--;
		else if (*p == ')' || (*p == ',' && depth == 0)) {
			if (n < max)
				end[n] = p;
			n++;
			if (*p == ')' || n >= max)
				return n;
			start[n] = p + 1;
		}
	}
	return n;
}

static const char *
trim(const char **s, const char *e)
{
	while (*s < e && (**s == ' ' || **s == '\t' || **s == '\n'))
		(*s)++;
	while (e > *s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		e--;
	return e;
}

/*
 * Adjacent string literals ("untagged-before-" "starttls") joined, or
 * -1 when the argument is not made of literals only.
 */
static int
literal_value(const char *s, const char *e, char *out, size_t size)
{
	size_t	n = 0;

	e = trim(&s, e);
	if (s == e || *s != '"')
		return -1;
	while (s < e) {
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			s++;
			continue;
		}
		if (*s != '"')
			return -1;
		for (s++; s < e && *s != '"'; s++) {
			if (*s == '\\')
				return -1;	/* codes are plain words */
			if (n + 1 < size)
				out[n++] = *s;
		}
		s++;
	}
	out[n] = '\0';
	return 0;
}

static bool
span_is(const char *s, const char *e, const char *w)
{
	e = trim(&s, e);
	return (size_t)(e - s) == strlen(w) && strncmp(s, w, strlen(w)) == 0;
}

/* Codes of ev_local(.., EV_WARNING|EV_ERROR|EV_INFO, .., "code", ..). */
/* One code a source file writes: it must have a gloss. */
static void
check_code(const char *path, const char *code, struct strv *seen)
{
	if (explain_warning(code) == NULL)
		fail_msg("%s: warning code \"%s\" has no gloss in "
		    "src/explain/data.c", path, code);
	if (!strv_has(seen, code))
		strv_add(seen, code);
}

static size_t
check_file(const char *path, struct strv *seen)
{
	const char	*start[8], *end[8], *p;
	char		*text, code[128];
	size_t		 n, found = 0;

	if ((text = slurp(path)) == NULL)
		fail_msg("cannot read %s", path);
	for (p = text; (p = strstr(p, "ev_local(")) != NULL; p++) {
		if (p > text && ident_char(p[-1]))
			continue;
		n = split_args(p + 9, start, end, 8);
		if (n < 5)
			continue;
		if (!span_is(start[1], end[1], "EV_WARNING") &&
		    !span_is(start[1], end[1], "EV_ERROR") &&
		    !span_is(start[1], end[1], "EV_INFO"))
			continue;
		if (span_is(start[3], end[3], "NULL"))
			continue;
		/* tls_weak()'s codes: checked where weak.c writes them. */
		if (span_is(start[3], end[3], "weak[i].code"))
			continue;
		if (literal_value(start[3], end[3], code, sizeof code) == -1)
			fail_msg("%s: a warning code that is not a string "
			    "literal cannot be checked for a gloss", path);
		check_code(path, code, seen);
		found++;
	}
	/* src/core/weak.c: weak(w, &n, "code", ...). */
	for (p = text; (p = strstr(p, "weak(w, &n, ")) != NULL; p++) {
		n = split_args(p + 5, start, end, 8);
		if (n < 4 || literal_value(start[2], end[2], code,
		    sizeof code) == -1)
			fail_msg("%s: a weakness code that is not a string "
			    "literal cannot be checked for a gloss", path);
		check_code(path, code, seen);
		found++;
	}
	free(text);
	return found;
}

/* The first literal argument after p, up to its first '%'. */
static int
first_literal(const char *p, char *out, size_t size)
{
	const char	*start[8], *end[8];
	size_t		 n, i;
	char		*pct;

	n = split_args(p, start, end, 8);
	for (i = 0; i < n && i < 8; i++)
		if (literal_value(start[i], end[i], out, size) == 0) {
			if ((pct = strchr(out, '%')) != NULL)
				*pct = '\0';
			return 0;
		}
	return -1;
}

/*
 * tls.c: every verification reason (strv_add to reasons, or the format
 * of an xasprintf in verify_reasons) and every handshake step name.
 */
static void
check_tls(const char *path)
{
	const char	*start[4], *end[4], *p, *fn, *fnend;
	char		*text, lit[256];
	size_t		 n, reasons = 0, steps = 0;

	if ((text = slurp(path)) == NULL)
		return;
	for (p = text; (p = strstr(p, "strv_add(")) != NULL; p++) {
		n = split_args(p + 9, start, end, 4);
		if (n != 2 || memmem(start[0], (size_t)(end[0] - start[0]),
		    "reasons", 7) == NULL ||
		    literal_value(start[1], end[1], lit, sizeof lit) == -1)
			continue;
		if (explain_verify_reason(lit) == NULL)
			fail_msg("%s: reason \"%s\" has no gloss", path, lit);
		reasons++;
	}
	if ((fn = strstr(text, "\nverify_reasons(")) != NULL &&
	    (fnend = strstr(fn, "\n}\n")) != NULL)
		for (p = fn; (p = strstr(p, "xasprintf(")) != NULL &&
		    p < fnend; p++) {
			if (first_literal(p + 10, lit, sizeof lit) == -1 ||
			    lit[0] == '\0')
				continue;
			if (explain_verify_reason(lit) == NULL)
				fail_msg("%s: reason \"%s...\" has no gloss",
				    path, lit);
			reasons++;
		}
	for (p = text; (p = strstr(p, "{ GNUTLS_HANDSHAKE_")) != NULL; p++) {
		const char	*q = strchr(p, '"'), *close = strchr(p, '}');

		if (q == NULL || close == NULL || q > close ||
		    literal_value(q, close, lit, sizeof lit) == -1)
			continue;
		if (explain_tls_step(lit) == NULL)
			fail_msg("%s: handshake step \"%s\" has no gloss",
			    path, lit);
		steps++;
	}
	/* Trust words: every literal of "trust = ...;". */
	for (p = text; (p = strstr(p, "trust = ")) != NULL; p++) {
		const char	*q = p, *semi = strchr(p, ';'), *e;

		while (semi != NULL && (q = strchr(q, '"')) != NULL &&
		    q < semi && (e = strchr(q + 1, '"')) != NULL) {
			if (literal_value(q, e + 1, lit, sizeof lit) == 0 &&
			    explain_gloss(XT_TRUST, lit) == NULL)
				fail_msg("%s: trust \"%s\" has no gloss", path,
				    lit);
			q = e + 1;
		}
	}
	if (reasons < 10 || steps < 10)
		fail_msg("%s: found only %zu reasons and %zu steps", path,
		    reasons, steps);
	free(text);
}

static void
scan_dir(const char *dir, struct strv *seen, size_t *calls)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[1024];
	size_t		 len;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		/* Every layer: the folders below too. */
		if (de->d_type == DT_DIR && de->d_name[0] != '.') {
			scan_dir(path, seen, calls);
			continue;
		}
		if (len < 3 || strcmp(de->d_name + len - 2, ".c") != 0)
			continue;
		*calls += check_file(path, seen);
	}
	closedir(d);
}

static void
test_warning_coverage(void **state)
{
	static const char *known[] = { "response-injection",
	    "starttls-refused", "no-starttls", "plaintext-auth",
	    "starttls-after-tls", "untagged-before-starttls",
	    "plaintext-alert", "insecure", "sslkeylogfile", "keylog",
	    "timeout", "require-tls", "connect", "resolve", "not-connected",
	    "usage", "starttls-in-tls", "starttls-stripped", "command-injection",
	    "weak-dh", "weak-cipher", "weak-kx", "weak-version" };
	const char	*src = getenv("MAILSCOPE_SRCDIR");
	struct strv	 seen = { 0 };
	size_t		 calls = 0, i;
	char		 path[1024];

	(void)state;
	if (src == NULL)
		src = "src";
	scan_dir(src, &seen, &calls);
	scan_dir("tui", &seen, &calls);
	/* The scan must see the session's warnings, or it proves nothing. */
	if (!strv_has(&seen, "response-injection") ||
	    !strv_has(&seen, "untagged-before-starttls") || seen.n < 12)
		fail_msg("the scan of %s found only %zu codes in %zu calls: "
		    "run the tests from the repository root", src, seen.n,
		    calls);
	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (explain_warning(known[i]) == NULL)
			fail_msg("%s has no gloss", known[i]);
	strv_clear(&seen);
	snprintf(path, sizeof path, "%s/core/tls.c", src);
	check_tls(path);
}

/* Every label the TLS panel draws with field() has a gloss. */
static void
test_tls_panel_coverage(void **state)
{
	static const char *more[] = { "Not after", "SAN", "verdict",
	    "chain" };
	const char	*p, *q, *e;
	char		*text, lit[128];
	size_t		 i, n = 0;

	(void)state;
	for (i = 0; i < sizeof more / sizeof more[0]; i++)
		if (explain_tls_field(more[i]) == NULL)
			fail_msg("TLS panel label %s has no gloss", more[i]);
	if ((text = slurp("tui/tlspanel.c")) == NULL)
		return;		/* no TUI in this tree */
	for (p = text; (p = strstr(p, "field(tp, \"")) != NULL; p++) {
		q = p + 10;
		if ((e = strchr(q + 1, '"')) == NULL ||
		    literal_value(q, e + 1, lit, sizeof lit) == -1)
			continue;
		if (explain_tls_field(lit) == NULL)
			fail_msg("TLS panel label \"%s\" has no gloss", lit);
		n++;
	}
	free(text);
	assert_true(n >= 10);
}

/* Every verb the command line offers for each protocol has a gloss. */
static void
test_verb_coverage(void **state)
{
	static const enum proto_id	 protos[] = { PROTO_SMTP, PROTO_LMTP,
					    PROTO_IMAP, PROTO_POP3,
					    PROTO_SIEVE };
	const char *const		*v;
	size_t				 i, n;

	(void)state;
	for (i = 0; i < sizeof protos / sizeof protos[0]; i++) {
		v = pp_verbs(protos[i]);
		assert_non_null(v);
		for (n = 0; v[n] != NULL; n++)
			if (explain_command(protos[i], v[n]) == NULL)
				fail_msg("%s verb %s has no gloss",
				    proto_name(protos[i]), v[n]);
		assert_true(n >= 10);
	}
	assert_ptr_equal(explain_command(PROTO_SMTP, "MAIL FROM:"),
	    explain_command(PROTO_SMTP, "mail"));
	assert_null(explain_command(PROTO_SMTP, ""));
	assert_null(explain_command(PROTO_SMTP, NULL));
	assert_null(explain_command(PROTO_SMTP,
	    "AVERYLONGVERBTHATISLONGERTHANANYBUFFER"));
}

/* The scanner itself: literals joined, non-warnings ignored. */
static void
test_scanner(void **state)
{
	const char	*s = "x, EV_WARNING, c, \"untagged-before-\"\n"
			    "\t    \"starttls\", \"f(%d)\", g(1, 2))";
	const char	*start[8], *end[8];
	char		 code[64];
	size_t		 n;

	(void)state;
	n = split_args(s, start, end, 8);
	assert_int_equal(n, 6);
	assert_true(span_is(start[1], end[1], "EV_WARNING"));
	assert_int_equal(literal_value(start[3], end[3], code, sizeof code),
	    0);
	assert_string_equal(code, "untagged-before-starttls");
	assert_int_equal(literal_value(start[5], end[5], code, sizeof code),
	    -1);
}

/*
 * Batch keeps no log: the verb a server line answers travels in the
 * line's classification, so no earlier event is needed.
 */
static void
test_verb_in_class(void **state)
{
	struct event	 e = { 0 };
	struct buf	 b = { 0 };

	(void)state;
	e.kind = EV_DATA;
	e.dir = DIR_SERVER;
	e.data = "250 HELP";
	e.len = 8;
	e.cls.code = 250;
	e.cls.verb = (uint8_t)ev_verb_id("NOOP");
	buf_adds(&b, "");
	explain_event(&e, PROTO_SMTP, &b);
	hasnt(b.p, "HELP: ");
	e.cls.verb = (uint8_t)ev_verb_id("EHLO");
	buf_reset(&b);
	buf_adds(&b, "");
	explain_event(&e, PROTO_SMTP, &b);
	has(b.p, "HELP: ");
	/* The code is the engine's: a line it did not read as a reply has
	 * no code gloss, whatever its first bytes. */
	e.cls.code = 0;
	e.cls.verb = 0;
	buf_reset(&b);
	buf_adds(&b, "");
	assert_int_equal(explain_event(&e, PROTO_SMTP, &b), 0);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_replies),
		cmocka_unit_test(test_ehlo_keywords),
		cmocka_unit_test(test_auth_challenges),
		cmocka_unit_test(test_imap),
		cmocka_unit_test(test_pop3),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_random_lines),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_local_events),
		cmocka_unit_test(test_client_side),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_starttls_lessons),
		cmocka_unit_test(test_required_entries),
		cmocka_unit_test(test_tables_well_formed),
		cmocka_unit_test(test_warning_coverage),
		cmocka_unit_test(test_tls_panel_coverage),
		cmocka_unit_test(test_verb_coverage),
		cmocka_unit_test(test_scanner),
		cmocka_unit_test(test_verb_in_class),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
