/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the lab: certificates (and why bad ones fail), the
 * scenario table, the SMTP/IMAP/POP3 machines fed without a socket, and
 * a spawned lab reached over loopback with a GnuTLS client.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab_int.h"

/* Certificates. */

static gnutls_x509_crt_t
crt_of(const char *pem)
{
	gnutls_x509_crt_t	crt;
	gnutls_datum_t		d;

	d.data = (unsigned char *)(uintptr_t)pem;
	d.size = (unsigned int)strlen(pem);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM),
	    0);
	return crt;
}

/* Verify leaf against ca for host; the gnutls status bits. */
static unsigned
verify(const char *ca_pem, const char *leaf_pem, const char *host)
{
	gnutls_x509_trust_list_t	 tl;
	gnutls_x509_crt_t		 ca, leaf;
	gnutls_typed_vdata_st		 vd;
	unsigned			 status = 0;

	ca = crt_of(ca_pem);
	leaf = crt_of(leaf_pem);
	assert_int_equal(gnutls_x509_trust_list_init(&tl, 0), 0);
	assert_int_equal(gnutls_x509_trust_list_add_cas(tl, &ca, 1, 0), 1);
	memset(&vd, 0, sizeof vd);
	vd.type = GNUTLS_DT_DNS_HOSTNAME;
	vd.data = (unsigned char *)(uintptr_t)host;
	assert_int_equal(gnutls_x509_trust_list_verify_crt2(tl, &leaf, 1, &vd,
	    1, 0, &status, NULL), 0);
	gnutls_x509_trust_list_deinit(tl, 1);
	gnutls_x509_crt_deinit(leaf);
	return status;
}

struct pems {
	char	*ca, *cakey, *crt, *key;
};

static void
make(struct pems *p, const char *cn, int64_t nb, int64_t na, bool self)
{
	struct certgen_opts	o;
	char			err[256];

	memset(&o, 0, sizeof o);
	memset(p, 0, sizeof *p);
	assert_int_equal(certgen_ca("test CA", &p->ca, &p->cakey, err,
	    sizeof err), 0);
	o.cn = cn;
	strv_add(&o.dns, cn);
	if (strcmp(cn, "lab.mailscope.test") == 0) {
		strv_add(&o.dns, "localhost");
		strv_add(&o.ip, "127.0.0.1");
	}
	o.not_before = nb;
	o.not_after = na;
	o.self_signed = self;
	assert_int_equal(certgen_server(&o, p->ca, p->cakey, &p->crt, &p->key,
	    err, sizeof err), 0);
	assert_non_null(strstr(p->crt, "BEGIN CERTIFICATE"));
	assert_non_null(strstr(p->key, "PRIVATE KEY"));
	strv_clear(&o.dns);
	strv_clear(&o.ip);
}

static void
pems_free(struct pems *p)
{
	free(p->ca);
	free(p->cakey);
	free(p->crt);
	free(p->key);
}

static void
test_certgen_good(void **state)
{
	struct pems		p;
	gnutls_x509_crt_t	crt;

	(void)state;
	make(&p, "lab.mailscope.test", 0, 0, false);
	assert_int_equal(verify(p.ca, p.crt, "lab.mailscope.test"), 0);
	assert_int_equal(verify(p.ca, p.crt, "localhost"), 0);
	assert_int_equal(verify(p.ca, p.crt, "LOCALHOST"), 0);
	assert_int_equal(verify(p.ca, p.crt, "mail.example.org"),
	    GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER);
	crt = crt_of(p.crt);
	assert_true(gnutls_x509_crt_check_hostname(crt, "127.0.0.1"));
	assert_false(gnutls_x509_crt_check_hostname(crt, "127.0.0.2"));
	gnutls_x509_crt_deinit(crt);
	/* The CA is a CA, the leaf is not. */
	crt = crt_of(p.ca);
	assert_int_equal(gnutls_x509_crt_get_ca_status(crt, NULL), 1);
	gnutls_x509_crt_deinit(crt);
	crt = crt_of(p.crt);
	assert_int_equal(gnutls_x509_crt_get_ca_status(crt, NULL), 0);
	gnutls_x509_crt_deinit(crt);
	pems_free(&p);
}

static void
test_certgen_expired(void **state)
{
	struct pems	p;
	unsigned	st;

	(void)state;
	make(&p, "lab.mailscope.test", 1546300800, 1577836800, false);
	st = verify(p.ca, p.crt, "localhost");
	assert_true(st & GNUTLS_CERT_INVALID);
	assert_true(st & GNUTLS_CERT_EXPIRED);
	assert_false(st & GNUTLS_CERT_SIGNER_NOT_FOUND);
	assert_false(st & GNUTLS_CERT_UNEXPECTED_OWNER);
	pems_free(&p);
}

static void
test_certgen_wrong_host(void **state)
{
	struct pems	p;

	(void)state;
	make(&p, "wrong.example.net", 0, 0, false);
	assert_int_equal(verify(p.ca, p.crt, "wrong.example.net"), 0);
	assert_int_equal(verify(p.ca, p.crt, "localhost"),
	    GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER);
	pems_free(&p);
}

static void
test_certgen_self_signed(void **state)
{
	struct pems	p;
	unsigned	st;

	(void)state;
	make(&p, "lab.mailscope.test", 0, 0, true);
	st = verify(p.ca, p.crt, "localhost");
	assert_true(st & GNUTLS_CERT_INVALID);
	assert_true(st & GNUTLS_CERT_SIGNER_NOT_FOUND);
	assert_false(st & GNUTLS_CERT_EXPIRED);
	/* Trusted as its own anchor it verifies: the signature is sound. */
	assert_int_equal(verify(p.crt, p.crt, "localhost"), 0);
	pems_free(&p);
}

static void
test_certgen_errors(void **state)
{
	struct certgen_opts	 o;
	char			 err[256], *c = NULL, *k = NULL;

	(void)state;
	memset(&o, 0, sizeof o);
	o.cn = "x";
	o.not_before = 2000;
	o.not_after = 1000;
	o.self_signed = true;
	err[0] = '\0';
	assert_int_equal(certgen_server(&o, NULL, NULL, &c, &k, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "expires"));
	assert_null(c);
	o.not_before = o.not_after = 0;
	strv_add(&o.ip, "not-an-ip");
	assert_int_equal(certgen_server(&o, NULL, NULL, &c, &k, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "not-an-ip"));
	strv_clear(&o.ip);
	o.self_signed = false;
	assert_int_equal(certgen_server(&o, NULL, NULL, &c, &k, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "no CA"));
	assert_int_equal(certgen_server(&o, "junk", "junk", &c, &k, err,
	    sizeof err), -1);
	assert_null(c);
	assert_null(k);
}

/* Scenarios. */

static void
test_scenarios(void **state)
{
	static const char *const want[] = {
		"good", "no-starttls", "starttls-refused", "strip",
		"inject-response", "inject-command", "expired-cert",
		"wrong-host", "self-signed", "tls12-only", "enforced", "slow",
		"inject-later", "tamper", "preauth", "unknown-ca",
		"tls10-only",
	};
	const char *const	*names = lab_scenarios();
	size_t			 i, j, n;
	const char		*d;

	(void)state;
	for (n = 0; names[n] != NULL; n++) {
		d = lab_scenario_desc(names[n]);
		assert_non_null(d);
		assert_true(strlen(d) > 20);
		assert_null(strchr(d, '\n'));
		assert_string_equal(lab_scn_name((enum lab_scn)n), names[n]);
		for (j = 0; j < n; j++)
			assert_string_not_equal(names[j], names[n]);
	}
	assert_int_equal(n, SCN_MAX);
	assert_int_equal(n, sizeof want / sizeof want[0]);
	for (i = 0; i < n; i++)
		assert_non_null(lab_scenario_desc(want[i]));
	assert_null(lab_scenario_desc("nonsense"));
	assert_null(lab_scenario_desc(NULL));
}

/* The machines, fed without a socket. */

static struct lab_store	 store;
#define inbox0	(store.boxes[0]->msgs[0])
static struct lab_conn	 conn;
static char		*outp;

static void
start(enum lab_proto proto, enum lab_scn scn, bool implicit)
{
	lab_store_free(&store);
	lab_store_init(&store);
	lab_conn_init(&conn, proto, scn, &store, implicit);
	lab_conn_start(&conn);
}

static void
stop(void)
{
	lab_conn_free(&conn);
	lab_store_free(&store);
	free(outp);
	outp = NULL;
}

/* Feed text, return (and clear) everything the server said. */
static const char *
say(const char *text)
{
	free(outp);
	if (text != NULL)
		lab_conn_input(&conn, text, strlen(text));
	outp = xstrndup(conn.out.p != NULL ? conn.out.p : "", conn.out.len);
	buf_reset(&conn.out);
	return outp;
}

static void
test_smtp_plain(void **state)
{
	const char	*o;

	(void)state;
	start(LAB_SMTP, SCN_GOOD, false);
	assert_string_equal(say(NULL), "220 lab.mailscope.test ESMTP "
	    "mailscope-lab (scenario good)\r\n");
	o = say("EHLO client.test\r\n");
	assert_non_null(strstr(o,
	    "250-lab.mailscope.test Hello client.test\r\n"));
	assert_non_null(strstr(o, "250-PIPELINING\r\n"));
	assert_non_null(strstr(o, "250-SIZE 2097152\r\n"));
	assert_non_null(strstr(o, "250-STARTTLS\r\n"));
	assert_non_null(strstr(o, "250-ENHANCEDSTATUSCODES\r\n"));
	assert_non_null(strstr(o, "250 8BITMIME\r\n"));
	assert_null(strstr(o, "AUTH"));
	assert_string_equal(say("AUTH PLAIN AGRlbW8AZGVtbw==\r\n"),
	    "538 5.7.11 Encryption required for requested authentication "
	    "mechanism\r\n");
	assert_string_equal(say("RCPT TO:<demo@lab.mailscope.test>\r\n"),
	    "503 5.5.1 Error: need MAIL command\r\n");
	assert_string_equal(say("DATA\r\n"),
	    "503 5.5.1 Error: need RCPT command\r\n");
	assert_string_equal(say("VRFY demo\r\n"), "252 2.0.0 Cannot VRFY "
	    "user, but will accept message\r\n");
	assert_string_equal(say("BDAT 10\r\n"),
	    "500 5.5.2 Error: command not recognized\r\n");
	/* Pipelined transaction, dot-unstuffing, relay refusal. */
	o = say("MAIL FROM:<a@b.test> SIZE=100\r\n"
	    "RCPT TO:<someone@elsewhere.test>\r\n"
	    "RCPT TO:<Demo@LAB.mailscope.test>\r\n"
	    "DATA\r\nSubject: x\r\n\r\n..dot\r\nline\r\n.\r\n");
	assert_string_equal(o, "250 2.1.0 Ok\r\n"
	    "554 5.7.1 <someone@elsewhere.test>: Relay access denied\r\n"
	    "250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n"
	    "250 2.0.0 Ok: queued as 1\r\n");
	assert_int_equal(store.boxes[0]->n, 1);
	assert_true(strcasecmp_prefix(inbox0->data.p,
	    inbox0->data.len, "Return-Path: <a@b.test>\r\n"
	    "Received: from client.test (localhost [127.0.0.1])\r\n"));
	assert_non_null(strstr(inbox0->data.p, "with ESMTP\r\n"));
	assert_non_null(strstr(inbox0->data.p,
	    "\r\n\r\n.dot\r\nline\r\n"));
	assert_string_equal(say("MAIL FROM:<a@b.test> SIZE=99999999\r\n"),
	    "552 5.3.4 Message size exceeds fixed limit\r\n");
	assert_string_equal(say("MAIL FROM:a@b.test\r\n"),
	    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
	assert_string_equal(say("MAIL FROM:<> BODY=8BITMIME\r\n"),
	    "250 2.1.0 Ok\r\n");
	assert_string_equal(say("MAIL FROM:<>\r\n"),
	    "503 5.5.1 Error: nested MAIL command\r\n");
	assert_string_equal(say("DATA\r\n"),
	    "554 5.5.1 Error: no valid recipients\r\n");
	assert_string_equal(say("RSET\r\nNOOP\r\n"),
	    "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n");
	assert_string_equal(say("QUIT\r\n"), "221 2.0.0 Bye\r\n");
	assert_true(conn.want_close);
	stop();
}

static void
test_smtp_starttls_auth(void **state)
{
	const char	*o;

	(void)state;
	start(LAB_SMTP, SCN_GOOD, false);
	say("EHLO c\r\n");
	/* The pipelined command after STARTTLS is thrown away. */
	assert_string_equal(say("STARTTLS\r\nMAIL FROM:<evil@x>\r\n"),
	    "220 2.0.0 Ready to start TLS\r\n");
	assert_true(conn.want_tls);
	assert_int_equal(conn.in.len, 0);
	assert_int_equal(conn.injected, strlen("MAIL FROM:<evil@x>\r\n"));
	lab_conn_tls_up(&conn);
	assert_string_equal(say(NULL), "");
	assert_string_equal(say("MAIL FROM:<a@b>\r\n"),
	    "503 5.5.1 Error: send HELO/EHLO first\r\n");
	o = say("EHLO c\r\n");
	assert_non_null(strstr(o, "250-AUTH PLAIN LOGIN\r\n"));
	assert_null(strstr(o, "STARTTLS"));
	assert_string_equal(say("STARTTLS\r\n"),
	    "554 5.5.1 Error: TLS already active\r\n");
	assert_string_equal(say("AUTH PLAIN AGRlbW8Ad3Jvbmc=\r\n"),
	    "535 5.7.8 Authentication credentials invalid\r\n");
	assert_string_equal(say("AUTH PLAIN\r\n"), "334 \r\n");
	assert_string_equal(say("!!!\r\n"),
	    "501 5.5.2 Cannot decode response\r\n");
	assert_string_equal(say("AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
	assert_string_equal(say("ZGVtbw==\r\n"), "334 UGFzc3dvcmQ6\r\n");
	assert_string_equal(say("ZGVtbw==\r\n"),
	    "235 2.7.0 Authentication successful\r\n");
	assert_true(conn.authed);
	assert_string_equal(say("AUTH PLAIN AGRlbW8AZGVtbw==\r\n"),
	    "503 5.5.1 Error: already authenticated\r\n");
	/* Authenticated: relaying is allowed (the lab keeps it anyway). */
	o = say("MAIL FROM:<a@b>\r\nRCPT TO:<x@elsewhere.test>\r\n"
	    "DATA\r\nhi\r\n.\r\n");
	assert_non_null(strstr(o, "250 2.0.0 Ok: queued as 1\r\n"));
	assert_non_null(strstr(inbox0->data.p, "with ESMTPSA\r\n"));
	stop();
}

static void
test_smtp_scenarios(void **state)
{
	const char	*o;

	(void)state;
	start(LAB_SMTP, SCN_NO_STARTTLS, false);
	o = say("EHLO c\r\n");
	assert_null(strstr(o, "STARTTLS"));
	assert_non_null(strstr(o, "AUTH PLAIN LOGIN"));
	assert_string_equal(say("STARTTLS\r\n"),
	    "502 5.5.1 Error: command not recognized\r\n");
	stop();

	start(LAB_SMTP, SCN_STRIP, false);
	o = say("EHLO c\r\n");
	assert_null(strstr(o, "STARTTLS"));
	assert_non_null(strstr(o, "250-XXXXXXXA\r\n"));
	assert_null(strstr(o, "AUTH"));
	assert_string_equal(say("STARTTLS\r\n"),
	    "500 5.5.2 Error: command not recognized\r\n");
	stop();

	start(LAB_SMTP, SCN_STARTTLS_REFUSED, false);
	assert_non_null(strstr(say("EHLO c\r\n"), "250-STARTTLS"));
	assert_string_equal(say("STARTTLS\r\n"), "454 4.7.0 TLS not "
	    "available due to temporary reason\r\n");
	assert_false(conn.want_tls);
	stop();

	start(LAB_SMTP, SCN_ENFORCED, false);
	say("EHLO c\r\n");
	assert_string_equal(say("MAIL FROM:<a@b>\r\n"),
	    "530 5.7.0 Must issue a STARTTLS command first\r\n");
	say("STARTTLS\r\n");
	lab_conn_tls_up(&conn);
	say("EHLO c\r\n");
	assert_string_equal(say("MAIL FROM:<a@b>\r\n"), "250 2.1.0 Ok\r\n");
	stop();

	/* The injected replies share the go-ahead's buffer. */
	start(LAB_SMTP, SCN_INJECT_RESPONSE, false);
	say("EHLO c\r\n");
	assert_string_equal(say("STARTTLS\r\n"),
	    "220 2.0.0 Ready to start TLS\r\n"
	    "250-evil.example injected before TLS\r\n"
	    "250 AUTH " JUDGE_CANARY "\r\n");
	stop();

	/* A mystery's injected lines do not name the attack. */
	lab_store_free(&store);
	lab_store_init(&store);
	lab_conn_init(&conn, LAB_SMTP, SCN_INJECT_RESPONSE, &store, false);
	conn.mystery = true;
	lab_conn_start(&conn);
	assert_null(strstr(say(NULL), "inject"));
	say("EHLO c\r\n");
	o = say("STARTTLS\r\n");
	assert_non_null(strstr(o, "250-lab.mailscope.test at your service"));
	assert_null(strstr(o, "inject"));
	assert_null(strstr(o, "evil"));
	stop();

	/* CVE-2011-0411: plaintext after STARTTLS answered inside TLS. */
	start(LAB_SMTP, SCN_INJECT_COMMAND, false);
	say("EHLO c\r\n");
	assert_string_equal(say("STARTTLS\r\nEHLO injected\r\nNOOP\r\n"),
	    "220 2.0.0 Ready to start TLS\r\n");
	assert_true(conn.want_tls);
	assert_true(conn.in.len > 0);
	assert_int_equal(conn.injected, strlen("EHLO injected\r\nNOOP\r\n"));
	lab_conn_tls_up(&conn);
	o = say(NULL);
	assert_non_null(strstr(o, "250-lab.mailscope.test Hello injected"));
	assert_non_null(strstr(o, "250 2.0.0 Ok\r\n"));
	stop();

	/* Implicit TLS: AUTH offered from the start, no STARTTLS. */
	start(LAB_SMTP, SCN_GOOD, true);
	o = say("EHLO c\r\n");
	assert_null(strstr(o, "STARTTLS"));
	assert_non_null(strstr(o, "AUTH PLAIN LOGIN"));
	stop();
}

static void
test_smtp_garbage(void **state)
{
	struct buf	 big = { NULL, 0, 0 };
	const char	*o = "";
	int		 i;

	(void)state;
	start(LAB_SMTP, SCN_GOOD, false);
	say(NULL);
	assert_string_equal(say("EH"), "");	/* no end of line yet */
	lab_conn_input(&conn, "NO\0OP\r\n", 7);
	assert_string_equal(say(NULL),
	    "500 5.5.2 Error: NUL byte in command\r\n");
	for (i = 0; i < LAB_LINE_MAX + 100; i++)
		buf_addc(&big, 'A');
	lab_conn_input(&conn, big.p, big.len);
	assert_true(conn.in.len <= LAB_LINE_MAX);
	lab_conn_input(&conn, big.p, big.len);
	assert_string_equal(say("still\r\nNOOP\r\n"),
	    "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n");
	/* A bare LF ends a line too; a lone CR does not. */
	assert_string_equal(say("NOOP\n"), "250 2.0.0 Ok\r\n");
	/* Control bytes are not echoed back. */
	assert_string_equal(say("HELO a\x1b[2Jb\rc\r\n"),
	    "250 lab.mailscope.test\r\n");
	assert_string_equal(conn.helo, "a?[2Jb?c");
	buf_free(&big);
	/* Too many errors: the server hangs up. */
	for (i = 0; i < 30 && !conn.want_close; i++)
		o = say("\x01\x02garbage\r\n");
	assert_true(conn.want_close);
	assert_non_null(strstr(o, "421 4.7.0"));
	stop();

	/* Oversized message: 552 at the end, nothing stored. */
	start(LAB_SMTP, SCN_GOOD, false);
	say("EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<demo>\r\nDATA\r\n");
	for (i = 0; i < 300; i++)
		buf_adds(&big, "0123456789012345678901234567890123456789\r\n");
	for (i = 0; i < 200; i++)
		lab_conn_input(&conn, big.p, big.len);
	assert_true(conn.msg.len <= LAB_MSG_MAX);
	assert_string_equal(say(".\r\n"),
	    "552 5.3.4 Error: message file too big\r\n");
	assert_int_equal(store.boxes[0]->n, 0);
	buf_free(&big);
	stop();
}

static void
test_store_bounded(void **state)
{
	struct lab_store	 st;
	struct lab_mbox		*box;
	char			 msg[64];
	uint32_t		 i, uid = 0;

	(void)state;
	lab_store_init(&st);
	for (i = 0; i < LAB_STORE_MAX + 20; i++) {
		snprintf(msg, sizeof msg, "Subject: %u\r\n\r\nx\r\n", i);
		uid = lab_store_add(&st, lab_store_inbox(&st), msg,
		    strlen(msg), false);
	}
	box = lab_store_inbox(&st);
	assert_int_equal(box->n, LAB_STORE_MAX);
	assert_int_equal(uid, LAB_STORE_MAX + 20);
	assert_null(lab_store_find(box, 1));
	assert_non_null(lab_store_find(box, uid));
	assert_int_equal(box->msgs[0]->uid, 21);
	lab_store_set_flags(&st, box, box->msgs[0], false, true);
	lab_store_expunge(&st, box);
	assert_int_equal(box->n, LAB_STORE_MAX - 1);
	/* Across mailboxes: the oldest goes, wherever it is. */
	assert_int_equal(lab_store_create(&st, "Lessons"), 0);
	assert_int_equal(lab_store_create(&st, "Lessons"), LAB_CREATE_EXISTS);
	assert_int_equal(lab_store_create(&st, "inbox"), LAB_CREATE_EXISTS);
	assert_int_equal(lab_store_create(&st, "a%b"), LAB_CREATE_BAD);
	assert_int_equal(lab_store_create(&st, "a//b"), LAB_CREATE_BAD);
	assert_int_equal(lab_store_create(&st, "x\033y"), LAB_CREATE_BAD);
	lab_store_add(&st, lab_store_box(&st, "Lessons"), "a", 1, true);
	lab_store_add(&st, lab_store_box(&st, "Lessons"), "b", 1, true);
	assert_int_equal(st.nmsgs, LAB_STORE_MAX);
	assert_int_equal(box->n, LAB_STORE_MAX - 2);
	assert_int_equal(box->msgs[0]->uid, 23);
	lab_store_free(&st);
}

static void
deliver(const char *body)
{
	lab_store_add(&store, lab_store_inbox(&store), body, strlen(body),
	    false);
}

static void
test_imap(void **state)
{
	const char	*o;
	int		 i;

	(void)state;
	start(LAB_IMAP, SCN_GOOD, false);
	deliver("Subject: one\r\nFrom: a@b\r\n\r\nfirst\r\n");
	assert_string_equal(say(NULL), "* OK [CAPABILITY IMAP4rev1 STARTTLS "
	    "LOGINDISABLED IDLE LITERAL+ UNSELECT MOVE UIDPLUS SPECIAL-USE] "
	    "mailscope lab ready (scenario good)\r\n");
	assert_string_equal(say("a1 LOGIN demo demo\r\n"), "a1 NO "
	    "[PRIVACYREQUIRED] Log in after STARTTLS (LOGINDISABLED)\r\n");
	assert_string_equal(say("a2 SELECT INBOX\r\n"),
	    "a2 BAD Command not allowed in state NOTAUTH\r\n");
	assert_string_equal(say("garbage\r\n"),
	    "garbage BAD Missing command\r\n");
	assert_string_equal(say("* LOGIN\r\n"),
	    "* BAD Error in IMAP command: bad tag\r\n");
	assert_string_equal(say("a3 FROB\r\n"), "a3 BAD Unknown command\r\n");
	assert_string_equal(say("a4 STARTTLS\r\n"),
	    "a4 OK Begin TLS negotiation now\r\n");
	lab_conn_tls_up(&conn);
	o = say("a5 CAPABILITY\r\n");
	assert_string_equal(o, "* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR "
	    "IDLE LITERAL+ UNSELECT MOVE UIDPLUS SPECIAL-USE\r\n"
	    "a5 OK CAPABILITY completed\r\n");
	/* Literals: synchronising gets "+", LITERAL+ does not. */
	assert_string_equal(say("l1 LOGIN {4}\r\n"),
	    "+ Ready for literal data\r\n");
	assert_string_equal(say("de"), "");
	lab_conn_input(&conn, "mo {5+}\r\nwr\0ng\r\n", 16);
	assert_string_equal(say(NULL), "* BAD NUL byte in command\r\n");
	assert_string_equal(say("l2 LOGIN {10000}\r\n"), "l2 BAD Literal "
	    "too long (the lab takes 8192 bytes a command)\r\n");
	assert_string_equal(say("l3 LOGIN {10000+}\r\n"), "l3 BAD Literal "
	    "too long (the lab takes 8192 bytes a command)\r\n");
	for (i = 0; i < 1000; i++)
		say("0123456789");
	assert_string_equal(say("\r\nl4 NOOP\r\n"),
	    "l4 OK NOOP completed\r\n");
	assert_string_equal(say("a6 LOGIN demo wrong\r\n"),
	    "a6 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
	assert_string_equal(say("a7 AUTHENTICATE PLAIN\r\n"), "+ \r\n");
	assert_non_null(strstr(say("AGRlbW8AZGVtbw==\r\n"), "a7 OK "));
	assert_string_equal(say("a7 CLOSE\r\n"),
	    "a7 BAD Command not allowed in state AUTH\r\n");
	lab_imap_tls(&conn);
	assert_string_equal(say("l5 LOGIN {4+}\r\ndemo {4}\r\n"),
	    "+ Ready for literal data\r\n");
	assert_non_null(strstr(say("demo\r\n"), "l5 OK [CAPABILITY"));
	o = say("a8 SELECT inbox\r\n");
	assert_non_null(strstr(o, "* 1 EXISTS\r\n"));
	assert_non_null(strstr(o, "* 0 RECENT\r\n"));
	assert_non_null(strstr(o, "* OK [UIDVALIDITY "));
	assert_non_null(strstr(o, "* OK [UIDNEXT 2]"));
	assert_non_null(strstr(o, "* FLAGS ("));
	assert_non_null(strstr(o, "a8 OK [READ-WRITE] SELECT completed\r\n"));
	assert_string_equal(
	    say("a9 FETCH 1 (FLAGS RFC822.SIZE BODY.PEEK[])\r\n"),
	    "* 1 FETCH (FLAGS () RFC822.SIZE 34 BODY[] {34}\r\n"
	    "Subject: one\r\nFrom: a@b\r\n\r\nfirst\r\n)\r\n"
	    "a9 OK FETCH completed\r\n");
	assert_string_equal(say("b1 FETCH 1 BODY[TEXT]\r\n"),
	    "* 1 FETCH (BODY[TEXT] {7}\r\nfirst\r\n FLAGS (\\Seen))\r\n"
	    "b1 OK FETCH completed\r\n");
	assert_string_equal(say("b2 UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS "
	    "(FROM)]<0.4>)\r\n"),
	    "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (FROM)]<0> {4}\r\nFrom)\r\n"
	    "b2 OK UID FETCH completed\r\n");
	assert_string_equal(say("b3 FETCH 1 ENVELOPE\r\n"), "b3 BAD Invalid "
	    "FETCH arguments (ENVELOPE and BODYSTRUCTURE are not served by "
	    "the lab)\r\n");
	assert_string_equal(say("b4 FETCH x:y FLAGS\r\n"), "b4 BAD Invalid "
	    "FETCH arguments (ENVELOPE and BODYSTRUCTURE are not served by "
	    "the lab)\r\n");
	assert_string_equal(say("b4 FETCH 1 (FLAGS RFC822.TEXT)\r\n"),
	    "* 1 FETCH (FLAGS (\\Seen) RFC822.TEXT {7}\r\nfirst\r\n)\r\n"
	    "b4 OK FETCH completed\r\n");
	assert_string_equal(say("b5 FETCH 5 FLAGS\r\n"),
	    "b5 OK FETCH completed\r\n");
	deliver("Subject: two\r\n\r\nsecond\r\n");
	assert_string_equal(say("b6 NOOP\r\n"),
	    "* 2 EXISTS\r\nb6 OK NOOP completed\r\n");
	/* IDLE: new mail is announced, DONE ends it. */
	assert_string_equal(say("i1 IDLE\r\n"), "+ idling\r\n");
	lab_imap_notify(&conn);
	assert_string_equal(say(NULL), "");
	deliver("Subject: three\r\n\r\nthird\r\n");
	lab_imap_notify(&conn);
	assert_string_equal(say(NULL), "* 3 EXISTS\r\n");
	assert_string_equal(say("done\r\n"), "i1 OK IDLE terminated\r\n");
	assert_string_equal(say("i2 IDLE\r\nNOOP\r\n"),
	    "+ idling\r\ni2 BAD Expected DONE\r\n");
	assert_string_equal(say("b7 SEARCH UNSEEN\r\n"),
	    "* SEARCH 2 3\r\nb7 OK SEARCH completed\r\n");
	assert_string_equal(say("b8 UID SEARCH ALL\r\n"),
	    "* SEARCH 1 2 3\r\nb8 OK UID SEARCH completed\r\n");
	assert_string_equal(say("b9 LIST \"\" \"*\"\r\n"),
	    "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"
	    "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"\r\n"
	    "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"\r\n"
	    "* LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\"\r\n"
	    "b9 OK LIST completed\r\n");
	assert_string_equal(say("c1 STORE 1 +FLAGS (\\Deleted)\r\n"),
	    "* 1 FETCH (FLAGS (\\Seen \\Deleted))\r\n"
	    "c1 OK STORE completed\r\n");
	assert_string_equal(say("c2 EXPUNGE\r\n"),
	    "* 1 EXPUNGE\r\nc2 OK EXPUNGE completed\r\n");
	assert_int_equal(store.boxes[0]->n, 2);
	assert_string_equal(say("c3 STATUS INBOX (MESSAGES UNSEEN)\r\n"),
	    "* STATUS \"INBOX\" (MESSAGES 2 UNSEEN 2)\r\n"
	    "c3 OK STATUS completed\r\n");
	assert_string_equal(say("c4 CLOSE\r\n"), "c4 OK CLOSE completed\r\n");
	assert_string_equal(say("c5 LOGOUT\r\n"),
	    "* BYE mailscope lab logging out\r\nc5 OK LOGOUT completed\r\n");
	assert_true(conn.want_close);
	stop();

	start(LAB_IMAP, SCN_INJECT_RESPONSE, false);
	say(NULL);
	assert_string_equal(say("a009 STARTTLS\r\n"),
	    "a009 OK Begin TLS negotiation now\r\n"
	    "* CAPABILITY IMAP4rev1 AUTH=" JUDGE_CANARY "\r\n"
	    "a010 OK CAPABILITY completed (injected before TLS)\r\n");
	stop();

	start(LAB_IMAP, SCN_STARTTLS_REFUSED, false);
	say(NULL);
	assert_string_equal(say("t STARTTLS\r\n"),
	    "t NO [UNAVAILABLE] TLS is not available right now\r\n");
	stop();
}

/* A logged-in IMAP connection inside TLS, greeting read. */
static void
imap_in(void)
{
	start(LAB_IMAP, SCN_GOOD, true);
	say(NULL);
	assert_true(strcasecmp_prefix(say("a LOGIN demo demo\r\n"), 14,
	    "a OK [CAPABILI"));
}

static void
test_imap_append_parse(void **state)
{
	struct lab_append	 a;
	const char		*s;

	(void)state;
	s = "Sent (\\Seen) {5}";
	assert_int_equal(lab_imap_append_parse(s, strlen(s), &a), 1);
	assert_string_equal(a.mbox, "Sent");
	assert_true(a.seen && !a.deleted && a.sync);
	assert_int_equal(a.size, 5);
	free(a.mbox);
	s = "\"My Sent\" (\\Seen \\Deleted $Forwarded) "
	    "\"07-Dec-2026 10:00:00 +0000\" {3+}\r\nx\0y";
	assert_int_equal(lab_imap_append_parse(s, strlen(s) + 2, &a), 0);
	assert_string_equal(a.mbox, "My Sent");
	assert_true(a.seen && a.deleted && !a.sync);
	assert_int_equal(a.size, 3);
	assert_memory_equal(a.msg, "x\0y", 3);
	free(a.mbox);
	/* The mailbox as a literal of its own. */
	s = "{4}\r\nSent {2}\r\nhi";
	assert_int_equal(lab_imap_append_parse(s, strlen(s), &a), 0);
	assert_string_equal(a.mbox, "Sent");
	free(a.mbox);
	s = "{4}";
	assert_int_equal(lab_imap_append_parse(s, strlen(s), &a), -1);
	/* Not APPEND: too few or too many bytes, MULTIAPPEND, no size. */
	s = "Sent {3}\r\nhi";
	assert_int_equal(lab_imap_append_parse(s, strlen(s), &a), -1);
	s = "Sent {1}\r\nhi";
	assert_int_equal(lab_imap_append_parse(s, strlen(s), &a), -1);
	s = "Sent {1}\r\nh {1}";
	assert_int_equal(lab_imap_append_parse(s, strlen(s), &a), -1);
	s = "Sent";
	assert_int_equal(lab_imap_append_parse(s, strlen(s), &a), -1);
	s = "Sent (\\Seen {2}";
	assert_int_equal(lab_imap_append_parse(s, strlen(s), &a), -1);
	s = "\"Se\0nt\" {2}";
	assert_int_equal(lab_imap_append_parse(s, 11, &a), -1);
	s = "Sent {99999999999999999999999}";
	assert_int_equal(lab_imap_append_parse(s, strlen(s), &a), -1);
	assert_true(lab_imap_match("*", "Lessons/One"));
	assert_false(lab_imap_match("%", "Lessons/One"));
	assert_true(lab_imap_match("Lessons/%", "Lessons/One"));
	assert_true(lab_imap_match("S%t", "Sent"));
	assert_false(lab_imap_match("Sent", "Sentx"));
}

static void
test_imap_mailboxes(void **state)
{
	const char	*o;
	struct lab_mbox	*sent, *trash;
	char		 big[64], want[128], *lit;

	(void)state;
	imap_in();
	deliver("Subject: one\r\n\r\nfirst\r\n");
	deliver("Subject: two\r\n\r\nsecond\r\n");
	/* A copy in Sent, as a mail program keeps one. */
	assert_string_equal(say("s1 APPEND Sent (\\Seen) {17}\r\n"),
	    "+ Ready for literal data\r\n");
	sent = lab_store_box(&store, "Sent");
	snprintf(want, sizeof want, "s1 OK [APPENDUID %u 1] APPEND "
	    "completed\r\n", sent->uidvalidity);
	assert_string_equal(say("Subject: s\r\n\r\nx\r\n\r\n"), want);
	assert_int_equal(sent->n, 1);
	assert_true(sent->msgs[0]->seen);
	assert_memory_equal(sent->msgs[0]->data.p,
	    "Subject: s\r\n\r\nx\r\n", 17);
	/* LITERAL+, and a message with a NUL: kept as it is. */
	lab_conn_input(&conn, "s2 APPEND Sent {3+}\r\na\0b\r\n", 26);
	o = say(NULL);
	assert_true(strstr(o, "s2 OK [APPENDUID ") != NULL);
	assert_int_equal(sent->msgs[sent->n - 1]->data.len, 3);
	assert_string_equal(say("s3 APPEND Nowhere {1+}\r\nx\r\n"),
	    "s3 NO [TRYCREATE] No such mailbox (LIST shows them; CREATE "
	    "makes one)\r\n");
	/* Larger than a command, smaller than a message: taken. */
	snprintf(big, sizeof big, "s4 APPEND Sent {%d}\r\n", LAB_LINE_MAX * 2);
	assert_string_equal(say(big), "+ Ready for literal data\r\n");
	snprintf(big, sizeof big, "s5 APPEND Sent {%d}\r\n", LAB_MSG_MAX + 1);
	lit = xmalloc(LAB_LINE_MAX * 2 + 3);
	memset(lit, 'x', LAB_LINE_MAX * 2);
	memcpy(lit + LAB_LINE_MAX * 2, "\r\n", 3);
	o = say(lit);
	free(lit);
	assert_true(strcasecmp_prefix(o, strlen(o), "s4 OK [APPENDUID"));
	assert_int_equal(sent->msgs[sent->n - 1]->data.len, LAB_LINE_MAX * 2);
	o = say(big);
	assert_true(strcasecmp_prefix(o, strlen(o), "s5 NO [TOOBIG] Message "
	    "too long"));
	/* CREATE, LIST with patterns, STATUS of the new one. */
	assert_string_equal(say("c1 CREATE Lessons/\r\n"),
	    "c1 OK CREATE completed\r\n");
	assert_string_equal(say("c2 CREATE \"Lessons/One\"\r\n"),
	    "c2 OK CREATE completed\r\n");
	assert_string_equal(say("c3 CREATE Lessons\r\n"),
	    "c3 NO [ALREADYEXISTS] Mailbox exists\r\n");
	assert_true(strcasecmp_prefix(say("c4 CREATE \"a*b\"\r\n"), 14,
	    "c4 NO [CANNOT]"));
	assert_string_equal(say("c5 LIST \"\" Lessons%\r\n"),
	    "* LIST (\\HasChildren) \"/\" \"Lessons\"\r\n"
	    "c5 OK LIST completed\r\n");
	assert_string_equal(say("c6 LSUB \"Lessons/\" \"%\"\r\n"),
	    "* LSUB (\\HasNoChildren) \"/\" \"Lessons/One\"\r\n"
	    "c6 OK LSUB completed\r\n");
	assert_string_equal(say("c7 LIST (SPECIAL-USE) \"\" Trash RETURN "
	    "(SPECIAL-USE)\r\n"),
	    "* LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\"\r\n"
	    "c7 OK LIST completed\r\n");
	assert_string_equal(say("c8 SUBSCRIBE Lessons\r\n"),
	    "c8 OK SUBSCRIBE completed\r\n");
	assert_string_equal(say("c9 STATUS Sent (MESSAGES UNSEEN)\r\n"),
	    "* STATUS \"Sent\" (MESSAGES 3 UNSEEN 2)\r\n"
	    "c9 OK STATUS completed\r\n");
	/* COPY to a new mailbox, MOVE to Trash (RFC 6851). */
	say("d1 SELECT INBOX\r\n");
	snprintf(want, sizeof want, "d2 OK [COPYUID %u 1,2 1,2] COPY "
	    "completed\r\n", lab_store_box(&store, "Lessons")->uidvalidity);
	assert_string_equal(say("d2 COPY 1:2 Lessons\r\n"), want);
	trash = lab_store_box(&store, "Trash");
	o = say("d3 UID MOVE 1 Trash\r\n");
	assert_true(strstr(o, "* OK [COPYUID ") != NULL);
	assert_true(strstr(o, " 1 1] Moved\r\n* 1 EXPUNGE\r\n"
	    "d3 OK UID MOVE completed\r\n") != NULL);
	assert_int_equal(trash->n, 1);
	assert_int_equal(lab_store_inbox(&store)->n, 1);
	assert_string_equal(say("d4 COPY 1 Nowhere\r\n"),
	    "d4 NO [TRYCREATE] No such mailbox (LIST shows them; CREATE "
	    "makes one)\r\n");
	/* UID EXPUNGE takes only the UIDs named. */
	say("e1 SELECT Lessons\r\n");
	say("e2 STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n");
	assert_string_equal(say("e3 UID EXPUNGE 2\r\n"),
	    "* 2 EXPUNGE\r\ne3 OK UID EXPUNGE completed\r\n");
	assert_int_equal(lab_store_box(&store, "Lessons")->n, 1);
	assert_string_equal(say("e4 EXPUNGE\r\n"),
	    "* 1 EXPUNGE\r\ne4 OK EXPUNGE completed\r\n");
	assert_int_equal(lab_store_box(&store, "Lessons")->n, 0);
	stop();
	/* Before LOGIN no APPEND, and no literal larger than a command. */
	start(LAB_IMAP, SCN_GOOD, true);
	say(NULL);
	assert_string_equal(say("x APPEND INBOX {3}\r\n"),
	    "+ Ready for literal data\r\n");
	assert_string_equal(say("abc\r\n"),
	    "x BAD Command not allowed in state NOTAUTH\r\n");
	snprintf(big, sizeof big, "y APPEND INBOX {%d}\r\n", LAB_LINE_MAX);
	o = say(big);
	assert_true(strcasecmp_prefix(o, strlen(o), "y BAD Literal too long"));
	stop();
}

static void
test_imap_move_flags(void **state)
{
	(void)state;
	/* COPY keeps the flags; EXAMINE refuses MOVE. */
	imap_in();
	deliver("Subject: one\r\n\r\nfirst\r\n");
	say("a SELECT INBOX\r\n");
	say("b STORE 1 +FLAGS.SILENT (\\Seen)\r\n");
	say("c COPY 1 Trash\r\n");
	assert_true(lab_store_box(&store, "Trash")->msgs[0]->seen);
	say("d EXAMINE INBOX\r\n");
	assert_string_equal(say("e MOVE 1 Trash\r\n"),
	    "e NO Mailbox is read-only\r\n");
	stop();
}

static void
test_submission_auth(void **state)
{
	(void)state;
	/* good: 530 before TLS, 530 inside TLS until AUTH, then mail. */
	start(LAB_SMTP, SCN_GOOD, false);
	conn.submission = true;
	say(NULL);
	say("EHLO c\r\n");
	assert_string_equal(say("MAIL FROM:<a@b.test>\r\n"), "530 5.7.0 Must "
	    "issue a STARTTLS command first, then AUTH\r\n");
	say("STARTTLS\r\n");
	lab_conn_tls_up(&conn);
	say("EHLO c\r\n");
	assert_string_equal(say("MAIL FROM:<a@b.test>\r\n"),
	    "530 5.7.0 Authentication required\r\n");
	assert_string_equal(say("AUTH PLAIN AGRlbW8AZGVtbw==\r\n"),
	    "235 2.7.0 Authentication successful\r\n");
	assert_string_equal(say("MAIL FROM:<a@b.test>\r\n"),
	    "250 2.1.0 Ok\r\n");
	stop();
	/* no-starttls: AUTH in clear text, still required. */
	start(LAB_SMTP, SCN_NO_STARTTLS, false);
	conn.submission = true;
	say(NULL);
	say("EHLO c\r\n");
	assert_string_equal(say("MAIL FROM:<a@b.test>\r\n"),
	    "530 5.7.0 Authentication required\r\n");
	stop();
	/* strip: AUTH can never be had, so local mail goes through. */
	start(LAB_SMTP, SCN_STRIP, false);
	conn.submission = true;
	say(NULL);
	say("EHLO c\r\n");
	assert_string_equal(say("MAIL FROM:<a@b.test>\r\n"),
	    "250 2.1.0 Ok\r\n");
	stop();
	assert_true(lab_submission_auth(SCN_TLS12_ONLY));
	assert_false(lab_submission_auth(SCN_STARTTLS_REFUSED));
}

/* Write a file for the store tests. */
static void
put(const char *dir, const char *name, const char *data)
{
	char	*path;
	FILE	*f;

	xasprintf(&path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(data, f);
	fclose(f);
	free(path);
}

static void
collect_warn(void *arg, const char *msg)
{
	strv_add(arg, msg);
}

static void
test_store_disk(void **state)
{
	struct lab_store	 st;
	struct lab_mbox		*b;
	struct strv		 warn = { NULL, 0 };
	char			 dir[] = "/tmp/mailscope-store.XXXXXX";
	char			 err[256];
	char			*path, *name;
	const char		*s;
	uint32_t		 uidv, uidn;
	bool			 seen, del;
	size_t			 i;
	struct stat		 sb;

	(void)state;
	/* The pieces of the format. */
	assert_int_equal(lab_store_parse_name("12.S", &seen, &del), 12);
	assert_true(seen && !del);
	assert_int_equal(lab_store_parse_name("3.SD", &seen, &del), 3);
	assert_true(seen && del);
	assert_int_equal(lab_store_parse_name("7.-", &seen, &del), 7);
	assert_true(!seen && !del);
	assert_int_equal(lab_store_parse_name("7.", &seen, &del), 0);
	assert_int_equal(lab_store_parse_name("07.S", &seen, &del), 0);
	assert_int_equal(lab_store_parse_name("7.DS", &seen, &del), 0);
	assert_int_equal(lab_store_parse_name("x", &seen, &del), 0);
	assert_int_equal(lab_store_parse_name("99999999999.S", &seen, &del), 0);
	s = "mailscope-lab-mailbox 1\nname Sent\nuidvalidity 5\nuidnext 9\n";
	assert_int_equal(lab_store_parse_state(s, strlen(s), &uidv, &uidn), 0);
	assert_int_equal(uidv, 5);
	assert_int_equal(uidn, 9);
	s = "mailscope-lab-mailbox 2\nuidvalidity 5\nuidnext 9\n";
	assert_int_equal(lab_store_parse_state(s, strlen(s), &uidv, &uidn),
	    -1);
	s = "mailscope-lab-mailbox 1\nuidvalidity 5\n";
	assert_int_equal(lab_store_parse_state(s, strlen(s), &uidv, &uidn),
	    -1);
	s = "mailscope-lab-mailbox 1\nuidvalidity -5\nuidnext 9\n";
	assert_int_equal(lab_store_parse_state(s, strlen(s), &uidv, &uidn),
	    -1);
	assert_string_equal(name = lab_store_dir_name("mbox-53656e74"), "Sent");
	free(name);
	assert_null(lab_store_dir_name("mbox-2e2e2f"));	/* "../" */
	assert_null(lab_store_dir_name("mbox-1b5b"));	/* ESC [ */
	assert_null(lab_store_dir_name("mbox-5"));
	assert_null(lab_store_dir_name("mbox-zz"));

	/* Written through, read back: UIDs, flags, mailboxes. */
	assert_non_null(mkdtemp(dir));
	lab_store_init(&st);
	assert_int_equal(lab_store_open(&st, dir, err, sizeof err), 0);
	lab_store_add(&st, lab_store_inbox(&st), "one\r\n", 5, false);
	lab_store_add(&st, lab_store_inbox(&st), "two\r\n", 5, false);
	lab_store_add(&st, lab_store_box(&st, "Sent"), "sent\r\n", 6, true);
	assert_int_equal(lab_store_create(&st, "Lessons"), 0);
	lab_store_add(&st, lab_store_box(&st, "Lessons"), "l\r\n", 3, false);
	b = lab_store_inbox(&st);
	lab_store_set_flags(&st, b, b->msgs[1], true, false);
	lab_store_remove(&st, b, 1);
	uidv = b->uidvalidity;
	lab_store_free(&st);

	lab_store_init(&st);
	st.warn = collect_warn;
	st.warn_arg = &warn;
	assert_int_equal(lab_store_open(&st, dir, err, sizeof err), 0);
	assert_int_equal(warn.n, 0);
	b = lab_store_inbox(&st);
	assert_int_equal(b->uidvalidity, uidv);
	assert_int_equal(b->uidnext, 3);
	assert_int_equal(b->n, 1);
	assert_int_equal(b->msgs[0]->uid, 2);
	assert_true(b->msgs[0]->seen);
	assert_memory_equal(b->msgs[0]->data.p, "two\r\n", 5);
	assert_non_null(b = lab_store_box(&st, "Lessons"));
	assert_int_equal(b->n, 1);
	assert_int_equal(lab_store_box(&st, "Sent")->n, 1);
	assert_true(lab_store_box(&st, "Sent")->msgs[0]->seen);
	lab_store_free(&st);

	/* Bad files: named, left as they are, the rest still read. */
	xasprintf(&path, "%s/mbox-494e424f58", dir);
	put(path, "junk", "x");
	put(path, "9.Q", "x");
	put(dir, "notes.txt", "x");
	free(path);
	xasprintf(&path, "%s/mbox-4c696e6b", dir);	/* "Link" */
	assert_int_equal(symlink("/tmp", path), 0);
	free(path);
	xasprintf(&path, "%s/mbox-53656e74", dir);
	put(path, "state", "garbage\n");
	free(path);
	lab_store_init(&st);
	st.warn = collect_warn;
	st.warn_arg = &warn;
	assert_int_equal(lab_store_open(&st, dir, err, sizeof err), 0);
	assert_int_equal(warn.n, 5);
	assert_null(lab_store_box(&st, "Link"));
	for (i = 0; i < warn.n; i++)
		assert_non_null(strstr(warn.v[i], dir));
	assert_int_equal(lab_store_inbox(&st)->n, 1);
	/* Sent's messages stay, with UIDs that never come again. */
	b = lab_store_box(&st, "Sent");
	assert_int_equal(b->n, 1);
	assert_true(b->uidnext > b->msgs[0]->uid);
	lab_store_free(&st);
	xasprintf(&path, "%s/mbox-494e424f58/junk", dir);
	assert_int_equal(stat(path, &sb), 0);
	free(path);
	xasprintf(&path, "%s/mbox-53656e74/state.bad", dir);
	assert_int_equal(stat(path, &sb), 0);
	free(path);
	strv_clear(&warn);

	/* Not a directory: said, not used. */
	xasprintf(&path, "%s/notes.txt", dir);
	lab_store_init(&st);
	assert_int_equal(lab_store_open(&st, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "notes.txt"));
	lab_store_free(&st);
	free(path);
	xasprintf(&path, "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	free(path);
}

static void
test_classroom(void **state)
{
	const char *const	*names = lab_scenarios();
	struct sockaddr_storage	 ss;
	struct strv		 ip = { NULL, 0 };
	struct buf		 b = { NULL, 0, 0 };
	socklen_t		 len;
	char			 dir[] = "/tmp/mailscope-keep.XXXXXX";
	char			*ca, *cakey, *key, *ca2, *cakey2, *key2, *cmd;
	char			 note[256], err[256];
	bool			 lo, seen[SCN_MAX] = { false };
	uint64_t		 seed;
	int			 i, n = 0;

	(void)state;
	/* Every scenario says where it shows; a seed picks one for good. */
	for (i = 0; names[i] != NULL; i++)
		assert_non_null(lab_scenario_tell(names[i]));
	assert_null(lab_scenario_tell("nonsense"));
	assert_string_equal(lab_mystery_pick(7), lab_mystery_pick(7));
	for (seed = 0; seed < 200; seed++)
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(lab_mystery_pick(seed), names[i]) == 0 &&
			    !seen[i]) {
				seen[i] = true;
				n++;
			}
	assert_int_equal(n, SCN_MAX);
	lab_mystery_reveal(7, &b);
	assert_non_null(strstr(b.p, lab_mystery_pick(7)));
	assert_non_null(strstr(b.p, "look at "));
	buf_free(&b);
	/* --listen: literals only; loopback known. */
	assert_int_equal(lab_listen_parse("127.0.0.1", &ss, &len, &lo), 0);
	assert_true(lo);
	assert_int_equal(lab_listen_parse("::1", &ss, &len, &lo), 0);
	assert_true(lo && ss.ss_family == AF_INET6);
	assert_int_equal(lab_listen_parse("192.0.2.7", &ss, &len, &lo), 0);
	assert_false(lo);
	assert_int_equal(lab_listen_parse("0.0.0.0", &ss, &len, &lo), 0);
	assert_false(lo);
	assert_int_equal(lab_listen_parse("lab.example", &ss, &len, &lo), -1);
	lab_cert_addrs("192.0.2.7", &ip);
	assert_true(strv_has(&ip, "127.0.0.1") && strv_has(&ip, "192.0.2.7"));
	strv_clear(&ip);
	lab_cert_addrs("0.0.0.0", &ip);
	assert_true(strv_has(&ip, "127.0.0.1"));
	assert_false(strv_has(&ip, "0.0.0.0"));
	strv_clear(&ip);
	/* --keep-certs: the same CA and key the second time. */
	assert_non_null(mkdtemp(dir));
	assert_int_equal(lab_kept_keys(dir, &ca, &cakey, &key, note,
	    sizeof note, err, sizeof err), 0);
	assert_null(key);
	assert_int_equal(certgen_check(ca, cakey, err, sizeof err), 0);
	put(dir, "ca.pem", ca);
	put(dir, "ca.key", cakey);
	put(dir, "server.key", cakey);
	assert_int_equal(lab_kept_keys(dir, &ca2, &cakey2, &key2, note,
	    sizeof note, err, sizeof err), 0);
	assert_string_equal(ca, ca2);
	assert_string_equal(cakey, cakey2);
	assert_non_null(key2);
	assert_string_equal(note, "");
	free(ca2);
	free(cakey2);
	free(key2);
	/* A key that is not the CA's: a new CA, and the note says why. */
	assert_int_equal(certgen_ca("other", &ca2, &cakey2, err, sizeof err),
	    0);
	assert_int_equal(certgen_check(ca, cakey2, err, sizeof err), -1);
	assert_string_equal(err, "the key is not the certificate's");
	put(dir, "ca.key", cakey2);
	free(ca2);
	free(cakey2);
	assert_int_equal(lab_kept_keys(dir, &ca2, &cakey2, &key2, note,
	    sizeof note, err, sizeof err), 0);
	assert_string_not_equal(ca, ca2);
	assert_non_null(strstr(note, "a new CA"));
	free(ca);
	free(cakey);
	free(key);
	free(ca2);
	free(cakey2);
	free(key2);
	xasprintf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void
test_pop3(void **state)
{
	const char	*o;

	(void)state;
	start(LAB_POP3, SCN_GOOD, false);
	deliver("Subject: one\r\n\r\n.leading dot\r\nline2\r\nline3\r\n");
	deliver("Subject: two\r\n\r\nx\r\n");
	assert_string_equal(say(NULL),
	    "+OK mailscope lab POP3 ready (scenario good)\r\n");
	o = say("CAPA\r\n");
	assert_non_null(strstr(o, "\r\nSTLS\r\n"));
	assert_null(strstr(o, "USER"));
	assert_string_equal(say("USER demo\r\n"), "-ERR [AUTH] Plaintext "
	    "authentication disallowed before STLS\r\n");
	assert_string_equal(say("STAT\r\n"),
	    "-ERR STAT not allowed in state AUTHORIZATION\r\n");
	assert_string_equal(say("STLS\r\n"), "+OK Begin TLS negotiation\r\n");
	lab_conn_tls_up(&conn);
	o = say("CAPA\r\n");
	assert_null(strstr(o, "STLS"));
	assert_non_null(strstr(o, "\r\nUSER\r\nSASL PLAIN\r\n"));
	assert_string_equal(say("USER demo\r\nPASS demo\r\n"),
	    "+OK\r\n+OK Logged in, 2 messages\r\n");
	assert_string_equal(say("STAT\r\n"), "+OK 2 63\r\n");
	assert_string_equal(say("LIST\r\n"),
	    "+OK Scan listing follows\r\n1 44\r\n2 19\r\n.\r\n");
	assert_string_equal(say("RETR 1\r\n"), "+OK 44 octets\r\n"
	    "Subject: one\r\n\r\n..leading dot\r\nline2\r\nline3\r\n.\r\n");
	assert_string_equal(say("TOP 1 1\r\n"),
	    "+OK\r\nSubject: one\r\n\r\n..leading dot\r\n.\r\n");
	assert_string_equal(say("RETR 3\r\n"), "-ERR No such message\r\n");
	assert_string_equal(say("DELE 1\r\n"), "+OK Marked to be deleted\r\n");
	assert_string_equal(say("RETR 1\r\n"), "-ERR Message is deleted\r\n");
	assert_string_equal(say("RSET\r\nDELE 2\r\n"),
	    "+OK\r\n+OK Marked to be deleted\r\n");
	assert_string_equal(say("QUIT\r\n"),
	    "+OK Logging out, 1 messages deleted\r\n");
	assert_int_equal(store.boxes[0]->n, 1);
	assert_int_equal(inbox0->uid, 1);
	stop();

	start(LAB_POP3, SCN_GOOD, true);
	say(NULL);
	assert_string_equal(say("AUTH PLAIN\r\n"), "+ \r\n");
	assert_string_equal(say("AGRlbW8AZGVtbw==\r\n"),
	    "+OK Logged in, 0 messages\r\n");
	stop();
}

/* Random command soup: no crash, no leak, replies stay bounded. */
static void
test_machines_soup(void **state)
{
	static const char *const words[] = {
		"EHLO x\r\n", "HELO\r\n", "STARTTLS\r\n", "AUTH PLAIN\r\n",
		"AUTH LOGIN ZGVtbw==\r\n", "AGRlbW8AZGVtbw==\r\n",
		"MAIL FROM:<a@b>\r\n", "RCPT TO:<demo>\r\n", "DATA\r\n",
		".\r\n", "..x\r\n", "RSET\r\n", "QUIT\r\n", "*\r\n",
		"a LOGIN demo demo\r\n", "a SELECT INBOX\r\n",
		"a FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (X)]<1.2>)\r\n",
		"a UID FETCH * RFC822\r\n", "a STORE 1 +FLAGS (\\Deleted)\r\n",
		"a EXPUNGE\r\n", "a LOGIN {3}\r\n", "a LOGIN {4+}\r\n",
		"a AUTHENTICATE PLAIN\r\n", "a SEARCH UNSEEN\r\n",
		"USER demo\r\n", "PASS demo\r\n", "STLS\r\n", "LIST\r\n",
		"RETR 1\r\n", "TOP 1 0\r\n", "DELE 1\r\n", "CAPA\r\n",
		"UIDL 1\r\n", "\r\n", "\n", "\r", " ", "{", "}", "\"",
		"1", ":", "*", "(", ")", "[", "]", "\\",
	};
	static const enum lab_proto protos[] = {
		LAB_SMTP, LAB_IMAP, LAB_POP3
	};
	char		 junk[64];
	unsigned	 seed = 12345;
	size_t		 p, i, j, n;
	int		 scn;

	(void)state;
	for (p = 0; p < 3; p++) {
		for (scn = 0; scn < SCN_MAX; scn++) {
			start(protos[p], (enum lab_scn)scn, false);
			deliver("Subject: s\r\n\r\nbody\r\n");
			for (i = 0; i < 400; i++) {
				seed = seed * 1103515245 + 12345;
				if (seed % 7 == 0) {
					n = (seed >> 8) % sizeof junk;
					for (j = 0; j < n; j++)
						junk[j] =
						    (char)(seed >> (j % 24));
					lab_conn_input(&conn, junk, n);
				} else {
					j = (seed >> 8) % (sizeof words /
					    sizeof words[0]);
					lab_conn_input(&conn, words[j],
					    strlen(words[j]));
				}
				if (conn.want_tls)
					lab_conn_tls_up(&conn);
				if (conn.want_close) {
					lab_conn_free(&conn);
					lab_conn_init(&conn, protos[p],
					    (enum lab_scn)scn, &store, false);
					lab_conn_start(&conn);
				}
				assert_true(conn.in.len <= 2 * LAB_LINE_MAX +
				    sizeof junk);
				assert_true(conn.msg.len <= LAB_MSG_MAX);
				buf_reset(&conn.out);
			}
			stop();
		}
	}
}

/* A spawned lab, reached over loopback. */

static int
tcp(int port)
{
	struct sockaddr_in	sin;
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	return fd;
}

static void
readline(int fd, char *buf, size_t len)
{
	size_t	n = 0;

	while (n + 1 < len && read(fd, buf + n, 1) == 1)
		if (buf[n++] == '\n')
			break;
	buf[n] = '\0';
}

/* Implicit TLS with a blocking GnuTLS client: version and verdict. */
static void
tls_check(int port, const char *cafile, const char *host, const char *ver,
    unsigned want_status)
{
	gnutls_certificate_credentials_t	 cred;
	gnutls_session_t			 s;
	unsigned				 status = 99;
	char					 line[256];
	ssize_t					 r;
	int					 fd, rc;

	fd = tcp(port);
	assert_int_equal(gnutls_certificate_allocate_credentials(&cred), 0);
	assert_true(gnutls_certificate_set_x509_trust_file(cred, cafile,
	    GNUTLS_X509_FMT_PEM) >= 1);
	assert_int_equal(gnutls_init(&s, GNUTLS_CLIENT), 0);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(s, fd);
	do
		rc = gnutls_handshake(s);
	while (rc < 0 && !gnutls_error_is_fatal(rc));
	assert_int_equal(rc, 0);
	assert_string_equal(gnutls_protocol_get_name(
	    gnutls_protocol_get_version(s)), ver);
	assert_int_equal(gnutls_certificate_verify_peers3(s, host, &status),
	    0);
	assert_int_equal(status, want_status);
	r = gnutls_record_recv(s, line, sizeof line - 1);
	assert_true(r > 0);
	line[r] = '\0';
	assert_non_null(strstr(line, "220 lab.mailscope.test ESMTP"));
	gnutls_bye(s, GNUTLS_SHUT_WR);
	gnutls_deinit(s);
	gnutls_certificate_free_credentials(cred);
	close(fd);
}

static void
test_spawn(void **state)
{
	struct lab_opts	 o;
	struct lab_info	 li;
	struct stat	 sb;
	char		 err[512], line[256], *dir;
	pid_t		 pid;
	int		 fd;

	(void)state;
	memset(&o, 0, sizeof o);
	assert_int_equal(lab_spawn(&o, &li, err, sizeof err), 0);
	assert_true(li.pid > 0);
	assert_true(li.port[LP_SMTP] > 0 && li.port[LP_SUBMISSION] > 0 &&
	    li.port[LP_SMTPS] > 0 && li.port[LP_IMAP] > 0 && li.port[LP_IMAPS] > 0 &&
	    li.port[LP_POP3] > 0 && li.port[LP_POP3S] > 0);
	assert_int_equal(stat(li.ca_path, &sb), 0);
	assert_int_equal(stat(li.dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	fd = tcp(li.port[LP_SUBMISSION]);
	readline(fd, line, sizeof line);
	assert_string_equal(line, "220 lab.mailscope.test ESMTP mailscope-lab "
	    "(scenario good)\r\n");
	assert_int_equal(write(fd, "QUIT\r\n", 6), 6);
	readline(fd, line, sizeof line);
	assert_string_equal(line, "221 2.0.0 Bye\r\n");
	close(fd);
	fd = tcp(li.port[LP_IMAP]);
	readline(fd, line, sizeof line);
	assert_non_null(strstr(line, "* OK [CAPABILITY IMAP4rev1 STARTTLS"));
	close(fd);
	tls_check(li.port[LP_SMTPS], li.ca_path, "localhost", "TLS1.3", 0);
	tls_check(li.port[LP_SMTPS], li.ca_path, "127.0.0.1", "TLS1.3", 0);
	tls_check(li.port[LP_SMTPS], li.ca_path, "mail.example.org", "TLS1.3",
	    GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER);
	dir = xstrdup(li.dir);
	pid = li.pid;
	lab_stop(&li);
	assert_int_equal(stat(dir, &sb), -1);
	assert_int_equal(kill(pid, 0), -1);
	assert_null(li.dir);
	free(dir);

	o.scenario = "tls12-only";
	assert_int_equal(lab_spawn(&o, &li, err, sizeof err), 0);
	tls_check(li.port[LP_SMTPS], li.ca_path, "localhost", "TLS1.2", 0);
	lab_stop(&li);

	o.scenario = "expired-cert";
	assert_int_equal(lab_spawn(&o, &li, err, sizeof err), 0);
	tls_check(li.port[LP_SMTPS], li.ca_path, "localhost", "TLS1.3",
	    GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED);
	lab_stop(&li);

	o.scenario = "nonsense";
	assert_int_equal(lab_spawn(&o, &li, err, sizeof err), -1);
	assert_non_null(strstr(err, "nonsense"));
	/* Stopping what never started touches nothing (stdin stays). */
	memset(&li, 0, sizeof li);
	lab_stop(&li);
	assert_true(fcntl(STDIN_FILENO, F_GETFD) != -1);
}

/* The lifeline: closing the parent's end stops the lab. */
static void
test_spawn_lifeline(void **state)
{
	struct lab_opts	 o;
	struct lab_info	 li, other;
	struct stat	 sb;
	char		 err[512];
	int		 status, i;
	pid_t		 r = 0;

	(void)state;
	memset(&o, 0, sizeof o);
	assert_int_equal(lab_spawn(&o, &li, err, sizeof err), 0);
	/* A second lab must not hold the first one's lifeline open. */
	assert_int_equal(lab_spawn(&o, &other, err, sizeof err), 0);
	close(li.lifeline);
	li.lifeline = -1;
	for (i = 0; i < 500 && r == 0; i++) {
		r = waitpid(li.pid, &status, WNOHANG);
		if (r == 0)
			usleep(10000);
	}
	assert_int_equal(r, li.pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The lab cleaned its own directory on the way out. */
	assert_int_equal(stat(li.dir, &sb), -1);
	li.pid = -1;
	lab_stop(&li);
	assert_int_equal(kill(other.pid, 0), 0);
	lab_stop(&other);
}

/* The parent dies without lab_stop: the lab goes too, and cleans up. */
static void
test_spawn_parent_death(void **state)
{
	struct lab_opts	 o;
	struct lab_info	 li;
	struct stat	 sb;
	char		 err[512], dir[512];
	int		 p[2], status, i;
	pid_t		 mid, labpid = -1, r = 0;

	(void)state;
	/* Orphans come to us, so the lab's exit status can be read. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(pipe(p), 0);
	memset(dir, 0, sizeof dir);
	if ((mid = fork()) == 0) {
		memset(&o, 0, sizeof o);
		if (lab_spawn(&o, &li, err, sizeof err) == 0) {
			snprintf(dir, sizeof dir, "%s", li.dir);
			(void)!write(p[1], &li.pid, sizeof li.pid);
			(void)!write(p[1], dir, sizeof dir);
		}
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &labpid, sizeof labpid),
	    sizeof labpid);
	assert_int_equal(read(p[0], dir, sizeof dir), sizeof dir);
	close(p[0]);
	assert_int_equal(waitpid(mid, &status, 0), mid);
	for (i = 0; i < 500 && r == 0; i++) {
		r = waitpid(labpid, &status, WNOHANG);
		if (r == 0)
			usleep(10000);
	}
	assert_int_equal(r, labpid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(stat(dir, &sb), -1);
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

/* --- every word the lab can say has a gloss in explain mode --- */

static void
glossed(enum explain_table t, const char *w, size_t n, const char *line)
{
	char	key[64];

	snprintf(key, sizeof key, "%.*s", (int)n, w);
	if (explain_lookup(t, key) == NULL)
		fail_msg("%s \"%s\" (in \"%s\") has no gloss",
		    explain_table_name(t), key, line);
}

/* Each space-separated word of p .. end in table t. */
static void
glossed_words(enum explain_table t, const char *p, const char *end,
    const char *line)
{
	size_t	n;

	while (p < end) {
		n = strcspn(p, " ]");
		if (p + n > end)
			n = (size_t)(end - p);
		if (n > 0)
			glossed(t, p, n, line);
		p += n;
		if (p < end && *p == ']')
			return;
		p += strspn(p, " ");
	}
}

/* An enhanced status code after an SMTP reply code. */
static void
glossed_esc(const char *p, const char *line)
{
	unsigned	c, sub, det;
	char		key[32];

	if (sscanf(p, "%1u.%3u.%3u", &c, &sub, &det) != 3)
		return;
	snprintf(key, sizeof key, "X.%u.%u", sub, det);
	if (explain_lookup(XT_ESC_DETAIL, key) != NULL)
		return;
	snprintf(key, sizeof key, "X.%u.X", sub);
	glossed(XT_ESC_SUBJECT, key, strlen(key), line);
}

/* Every line of a lab's answer, as explain mode would look at it. */
static void
glossed_reply(enum lab_proto proto, const char *out, bool ehlo)
{
	const char	*p, *e, *b;
	char		 line[512];

	for (p = out; *p != '\0'; p = e + (*e != '\0' ? 2 : 0)) {
		if ((e = strstr(p, "\r\n")) == NULL)
			e = p + strlen(p);
		snprintf(line, sizeof line, "%.*s", (int)(e - p), p);
		switch (proto) {
		case LAB_SMTP:
			glossed(XT_SMTP_CODE, line, 3, line);
			if (e - p > 4)
				glossed_esc(line + 4, line);
			/* The EHLO answer: one extension per line after the
			 * first; AUTH lists SASL mechanisms. */
			if (ehlo && p != out && e - p > 4) {
				b = line + 4;
				glossed(XT_EHLO, b, strcspn(b, " "), line);
				if (strncmp(b, "AUTH ", 5) == 0)
					glossed_words(XT_SASL, b + 5,
					    line + strlen(line), line);
			}
			break;
		case LAB_IMAP:
			if (strncmp(line, "* CAPABILITY ", 13) == 0)
				glossed_words(XT_IMAP_CAP, line + 13,
				    line + strlen(line), line);
			else if ((b = strstr(line, "[CAPABILITY ")) != NULL)
				glossed_words(XT_IMAP_CAP, b + 12,
				    line + strlen(line), line);
			if ((b = strchr(line, '[')) != NULL)
				glossed(XT_IMAP_CODE, b + 1,
				    strcspn(b + 1, " ]"), line);
			break;
		case LAB_POP3:
			if (line[0] != '+' && line[0] != '-' &&
			    strcmp(line, ".") != 0 && ehlo)
				glossed(XT_POP3_CAPA, line, strcspn(line, " "),
				    line);
			if (strncmp(line, "-ERR [", 6) == 0)
				glossed(XT_POP3_CODE, line + 6,
				    strcspn(line + 6, "]"), line);
			break;
		case LAB_SIEVE:
			/* "NAME" "value": the capabilities, the greeting's
			 * too; "(CODE ...)" after a status. */
			if (line[0] == '"' && ehlo)
				glossed(XT_SIEVE_CAP, line + 1,
				    strcspn(line + 1, "\""), line);
			if (strncmp(line, "\"SASL\" \"", 8) == 0)
				glossed_words(XT_SASL, line + 8,
				    line + strlen(line) - 1, line);
			if ((b = strchr(line, ' ')) != NULL && b[1] == '(')
				glossed(XT_SIEVE_CODE, b + 2,
				    strcspn(b + 2, " )"), line);
			if (line[0] != '"' && line[0] != '{' &&
			    line[0] != '\0' && (b = strchr(line, ' ')) != NULL)
				glossed(XT_SIEVE_STATUS, line,
				    (size_t)(b - line), line);
			break;
		}
		if (*e == '\0')
			break;
	}
}

static void
test_lab_glossed(void **state)
{
	static const char *const smtp[] = { "HELO c", "MAIL FROM:<a@b>",
	    "RCPT TO:<x@elsewhere.test>", "RCPT TO:<demo@lab.mailscope.test>",
	    "DATA", "hi\r\n.", "AUTH PLAIN AGRlbW8Ad3Jvbmc=", "AUTH LOGIN",
	    "*", "VRFY demo", "BDAT 1", "MAIL FROM:<a@b> SIZE=99999999",
	    "NOOP", "RSET", "QUIT", NULL };
	static const char *const imap[] = { "a CAPABILITY",
	    "a LOGIN demo wrong", "a LOGIN demo demo", "a SELECT INBOX",
	    "a SELECT nothing", "a EXAMINE INBOX", "a FETCH 1 BODY[]",
	    "a NOOP", "a UNSELECT", "bogus", "a LOGOUT", NULL };
	static const char *const pop3[] = { "USER demo", "PASS wrong",
	    "USER demo", "PASS demo", "STAT", "LIST", "RETR 9", "UIDL",
	    "BOGUS", "QUIT", NULL };
	static const char *const sieve[] = { "AUTHENTICATE \"PLAIN\" "
	    "\"AGRlbW8Ad3Jvbmc=\"", "AUTHENTICATE \"PLAIN\" "
	    "\"AGRlbW8AZGVtbw==\"", "PUTSCRIPT \"a\" {4+}\r\n{}\r\n",
	    "CHECKSCRIPT {3+}\r\n{\r\n", "GETSCRIPT \"a\"",
	    "GETSCRIPT \"b\"", "SETACTIVE \"a\"", "DELETESCRIPT \"a\"",
	    "LISTSCRIPTS", "HAVESPACE \"x\" 99999999", "NOOP \"t\"", "BOGUS",
	    "LOGOUT", NULL };
	const char *const	*script;
	const char		*o, *caps, *stls;
	enum lab_proto		 proto;
	int			 scn, pi, tls;
	char			 cmd[128];
	size_t			 i;

	(void)state;
	for (scn = 0; scn < SCN_MAX; scn++) {
		for (pi = 0; pi < 4; pi++) {
			proto = pi == 0 ? LAB_SMTP : pi == 1 ? LAB_IMAP :
			    pi == 2 ? LAB_POP3 : LAB_SIEVE;
			script = pi == 0 ? smtp : pi == 1 ? imap : pi == 2 ?
			    pop3 : sieve;
			caps = pi == 0 ? "EHLO c\r\n" : pi == 1 ?
			    "a CAPABILITY\r\n" : pi == 2 ? "CAPA\r\n" :
			    "CAPABILITY\r\n";
			stls = pi == 0 ? "STARTTLS\r\n" : pi == 1 ?
			    "a STARTTLS\r\n" : pi == 2 ? "STLS\r\n" :
			    "STARTTLS\r\n";
			for (tls = 0; tls < 2; tls++) {
				start(proto, (enum lab_scn)scn, false);
				glossed_reply(proto, say(NULL), false);
				glossed_reply(proto, say(caps), true);
				if (tls) {
					o = say(stls);
					glossed_reply(proto, o, false);
					if (!conn.want_tls) {
						stop();
						continue;
					}
					lab_conn_tls_up(&conn);
					glossed_reply(proto, say(NULL), false);
					glossed_reply(proto, say(caps), true);
				}
				for (i = 0; script[i] != NULL; i++) {
					snprintf(cmd, sizeof cmd, "%s\r\n",
					    script[i]);
					glossed_reply(proto, say(cmd), false);
				}
				stop();
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certgen_good),
		cmocka_unit_test(test_certgen_expired),
		cmocka_unit_test(test_certgen_wrong_host),
		cmocka_unit_test(test_certgen_self_signed),
		cmocka_unit_test(test_certgen_errors),
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_smtp_plain),
		cmocka_unit_test(test_smtp_starttls_auth),
		cmocka_unit_test(test_smtp_scenarios),
		cmocka_unit_test(test_smtp_garbage),
		cmocka_unit_test(test_store_bounded),
		cmocka_unit_test(test_imap),
		cmocka_unit_test(test_imap_append_parse),
		cmocka_unit_test(test_imap_mailboxes),
		cmocka_unit_test(test_imap_move_flags),
		cmocka_unit_test(test_submission_auth),
		cmocka_unit_test(test_store_disk),
		cmocka_unit_test(test_classroom),
		cmocka_unit_test(test_pop3),
		cmocka_unit_test(test_machines_soup),
		cmocka_unit_test(test_lab_glossed),
		cmocka_unit_test(test_spawn),
		cmocka_unit_test(test_spawn_lifeline),
		cmocka_unit_test(test_spawn_parent_death),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
