/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the judge's rules (src/lab/judge.c): each attack's
 * safe, vulnerable and not exercised, from client lines and TLS steps
 * fed without a socket; secrets left out of the evidence; the report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lab/lab_int.h"

static struct judge *j;

static void
begin(enum lab_proto proto, enum lab_scn scn)
{
	j = judge_new(proto, scn, false);
}

static void
line(const char *s, bool tls)
{
	judge_line(j, s, strlen(s), tls);
}

/* The verdict once the connection closed; the judge freed. */
static enum judge_verdict
end(void)
{
	enum judge_verdict	v;

	v = judge_verdict(j, NULL);
	judge_free(j);
	j = NULL;
	return v;
}

static void
starttls(void)
{
	judge_tls(j, JT_START, NULL);
	judge_tls(j, JT_UP, "(TLS1.3)");
}

/*
 * Lines through the lab's machine, as a client sends them: the machine
 * says which are commands (a message's lines and SASL answers are not).
 */
static struct lab_store	store;
static struct lab_conn	conn;

static void
conn_begin(enum lab_proto proto, enum lab_scn scn)
{
	lab_store_init(&store);
	lab_conn_init(&conn, proto, scn, &store, false);
	j = conn.judge = judge_new(proto, scn, false);
	lab_conn_start(&conn);
}

static void
conn_say(const char *s)
{
	lab_conn_input(&conn, s, strlen(s));
	buf_reset(&conn.out);
}

static void
conn_starttls(void)
{
	conn_say("STARTTLS\r\n");
	judge_tls(j, JT_START, NULL);
	lab_conn_tls_up(&conn);
	judge_tls(j, JT_UP, "(TLS1.3)");
}

/* The verdict; the connection and its judge freed. */
static enum judge_verdict
conn_end(void)
{
	enum judge_verdict	v;

	v = judge_verdict(j, NULL);
	j = NULL;
	lab_conn_free(&conn);
	lab_store_free(&store);
	return v;
}

static void
test_attacks_of(void **state)
{
	(void)state;
	assert_int_equal(judge_attack_of(SCN_GOOD, LAB_SMTP, false),
	    JA_BASELINE);
	assert_int_equal(judge_attack_of(SCN_STRIP, LAB_POP3, false),
	    JA_STRIPPING);
	/* Implicit TLS: nothing to strip, inject or tamper with. */
	assert_int_equal(judge_attack_of(SCN_STRIP, LAB_SMTP, true), JA_NONE);
	assert_int_equal(judge_attack_of(SCN_INJECT_LATER, LAB_IMAP, true),
	    JA_NONE);
	assert_int_equal(judge_attack_of(SCN_UNKNOWN_CA, LAB_IMAP, true),
	    JA_CERTIFICATE);
	assert_int_equal(judge_attack_of(SCN_PREAUTH, LAB_SMTP, false),
	    JA_NONE);
	assert_int_equal(judge_attack_of(SCN_SLOW, LAB_SMTP, false), JA_NONE);
	assert_int_equal(judge_attack_of(SCN_GOOD, LAB_SIEVE, false), JA_NONE);
	assert_string_equal(lab_scenario_attack("preauth", "imap"), "preauth");
	assert_null(lab_scenario_attack("preauth", "pop3"));
	assert_string_equal(lab_scenario_attack("tls10-only", "smtp"),
	    "downgrade");
	assert_null(lab_scenario_attack("inject-command", "smtp"));
	assert_null(lab_scenario_attack("nonsense", "smtp"));
	assert_null(lab_scenario_attack("good", "lmtp"));
}

static void
test_baseline(void **state)
{
	(void)state;
	begin(LAB_SMTP, SCN_GOOD);
	line("EHLO c", false);
	line("STARTTLS", false);
	starttls();
	line("EHLO c", true);
	assert_int_equal(end(), JV_SAFE);

	begin(LAB_SMTP, SCN_GOOD);
	line("EHLO c", false);
	line("MAIL FROM:<a@b.c>", false);
	assert_int_equal(end(), JV_VULNERABLE);

	/* Refused the lab's certificate: it proves nothing here. */
	begin(LAB_IMAP, SCN_GOOD);
	line("a STARTTLS", false);
	judge_tls(j, JT_START, NULL);
	judge_tls(j, JT_FAILED, "alert");
	assert_int_equal(end(), JV_NOT_EXERCISED);
}

static void
test_stripping(void **state)
{
	(void)state;
	begin(LAB_SMTP, SCN_STRIP);
	line("EHLO c", false);
	line("AUTH PLAIN AGRlbW8AZGVtbw==", false);
	assert_int_equal(end(), JV_VULNERABLE);

	begin(LAB_IMAP, SCN_STARTTLS_REFUSED);
	line("a STARTTLS", false);
	line("b LOGOUT", false);
	assert_int_equal(end(), JV_SAFE);

	begin(LAB_POP3, SCN_NO_STARTTLS);
	line("CAPA", false);
	line("USER demo", false);
	assert_int_equal(end(), JV_VULNERABLE);

	/* It never saw the capabilities: not exercised. */
	begin(LAB_SMTP, SCN_NO_STARTTLS);
	assert_int_equal(end(), JV_NOT_EXERCISED);
	begin(LAB_POP3, SCN_STRIP);
	line("QUIT", false);
	assert_int_equal(end(), JV_NOT_EXERCISED);
	/* An IMAP greeting carries them. */
	begin(LAB_IMAP, SCN_STRIP);
	assert_int_equal(end(), JV_SAFE);
}

static void
test_injection(void **state)
{
	(void)state;
	/* The canary, offered only behind the go-ahead. */
	begin(LAB_IMAP, SCN_INJECT_RESPONSE);
	line("a1 STARTTLS", false);
	starttls();
	line("a2 CAPABILITY", true);
	line("a3 AUTHENTICATE CRAM-MD5", true);
	assert_int_equal(end(), JV_VULNERABLE);

	/* SMTP: its own EHLO skipped inside TLS. */
	begin(LAB_SMTP, SCN_INJECT_LATER);
	line("EHLO c", false);
	line("STARTTLS", false);
	starttls();
	line("MAIL FROM:<a@b.c>", true);
	assert_int_equal(end(), JV_VULNERABLE);

	begin(LAB_POP3, SCN_INJECT_RESPONSE);
	line("STLS", false);
	starttls();
	line("CAPA", true);
	line("AUTH PLAIN", true);
	assert_int_equal(end(), JV_SAFE);

	/* Logged in without asking again: nothing shows either way. */
	begin(LAB_IMAP, SCN_INJECT_RESPONSE);
	line("a1 STARTTLS", false);
	starttls();
	line("a2 LOGIN demo demo", true);
	assert_int_equal(end(), JV_NOT_EXERCISED);

	/* The bytes sent with the go-ahead broke its handshake: it did
	 * not take them for replies. */
	begin(LAB_SMTP, SCN_INJECT_RESPONSE);
	line("EHLO c", false);
	line("STARTTLS", false);
	judge_tls(j, JT_START, NULL);
	judge_tls(j, JT_FAILED, "unexpected packet");
	assert_int_equal(end(), JV_SAFE);

	/* Sent later, they break any client's handshake: nothing shown. */
	begin(LAB_SMTP, SCN_INJECT_LATER);
	line("EHLO c", false);
	line("STARTTLS", false);
	judge_tls(j, JT_START, NULL);
	judge_tls(j, JT_FAILED, "unexpected packet");
	assert_int_equal(end(), JV_NOT_EXERCISED);

	/* TLS up, nothing said inside it: nothing shown either. */
	begin(LAB_SMTP, SCN_INJECT_RESPONSE);
	line("EHLO c", false);
	line("STARTTLS", false);
	starttls();
	assert_int_equal(end(), JV_NOT_EXERCISED);

	/* A message's lines are not commands. */
	conn_begin(LAB_SMTP, SCN_INJECT_RESPONSE);
	conn_say("EHLO c\r\n");
	conn_starttls();
	conn_say("EHLO c\r\n");
	conn_say("MAIL FROM:<a@b.c>\r\nRCPT TO:<demo@lab.mailscope.test>\r\n");
	conn_say("DATA\r\n");
	assert_true(lab_smtp_data(&conn));
	conn_say("AUTH CRAM-MD5\r\n.\r\n");
	conn_say("AUTH PLAIN AGRlbW8AZGVtbw==\r\n");
	assert_int_equal(conn_end(), JV_SAFE);

	/* A DATA refused starts no message: what follows is a command. */
	conn_begin(LAB_SMTP, SCN_TAMPER);
	conn_say("EHLO c\r\n");
	conn_starttls();
	conn_say("EHLO c\r\n");
	conn_say("DATA\r\n");
	assert_false(lab_smtp_data(&conn));
	conn_say("AUTH CRAM-MD5\r\n");
	assert_int_equal(conn_end(), JV_VULNERABLE);
}

static void
test_tampering(void **state)
{
	(void)state;
	begin(LAB_POP3, SCN_TAMPER);
	line("CAPA", false);
	line("STLS", false);
	starttls();
	line("AUTH CRAM-MD5", true);
	assert_int_equal(end(), JV_VULNERABLE);

	begin(LAB_SMTP, SCN_TAMPER);
	line("EHLO c", false);
	line("STARTTLS", false);
	starttls();
	line("EHLO c", true);
	line("AUTH LOGIN", true);
	assert_int_equal(end(), JV_SAFE);

	/* Credentials in clear are good's row, not this one's. */
	begin(LAB_SMTP, SCN_TAMPER);
	line("EHLO c", false);
	line("AUTH CRAM-MD5", false);
	assert_int_equal(end(), JV_NOT_EXERCISED);
}

static void
test_preauth(void **state)
{
	(void)state;
	begin(LAB_IMAP, SCN_PREAUTH);
	line("a CAPABILITY", false);
	line("b SELECT INBOX", false);
	assert_int_equal(end(), JV_VULNERABLE);

	begin(LAB_IMAP, SCN_PREAUTH);
	line("a CAPABILITY", false);
	line("b STARTTLS", false);
	line("c LOGOUT", false);
	assert_int_equal(end(), JV_SAFE);
}

static void
test_certificates(void **state)
{
	(void)state;
	begin(LAB_SMTP, SCN_EXPIRED_CERT);
	line("STARTTLS", false);
	starttls();
	line("EHLO c", true);
	assert_int_equal(end(), JV_VULNERABLE);

	begin(LAB_IMAP, SCN_SELF_SIGNED);
	line("a STARTTLS", false);
	judge_tls(j, JT_START, NULL);
	judge_tls(j, JT_FAILED, "bad certificate");
	assert_int_equal(end(), JV_SAFE);

	/* Up, then it hung up without a word (it verified afterwards). */
	begin(LAB_POP3, SCN_UNKNOWN_CA);
	line("STLS", false);
	starttls();
	assert_int_equal(end(), JV_SAFE);

	begin(LAB_SMTP, SCN_WRONG_HOST);
	line("EHLO c", false);
	line("QUIT", false);
	assert_int_equal(end(), JV_NOT_EXERCISED);

	begin(LAB_SMTP, SCN_TLS10_ONLY);
	line("STARTTLS", false);
	judge_tls(j, JT_START, NULL);
	judge_tls(j, JT_UP, "(TLS1.0)");
	assert_int_equal(end(), JV_VULNERABLE);

	begin(LAB_SMTP, SCN_TLS10_ONLY);
	line("STARTTLS", false);
	judge_tls(j, JT_START, NULL);
	judge_tls(j, JT_FAILED, "no common version");
	assert_int_equal(end(), JV_SAFE);
}

/* The report: secrets left out, control bytes escaped, JSON escaped. */
static void
test_report(void **state)
{
	struct buf	b = { NULL, 0, 0 };

	(void)state;
	begin(LAB_IMAP, SCN_NO_STARTTLS);
	line("a1 CAPABILITY \"\x1b[2J\"", false);
	line("a2 LOGIN demo s3cret", false);
	judge_report(j, 7, "imap", false, &b);
	assert_non_null(strstr(b.p, "verdict: client 7 imap, no-starttls, "
	    "stripping: vulnerable (sent a credential in plaintext after "
	    "STARTTLS was not offered)\n"));
	assert_non_null(strstr(b.p, "a2 LOGIN ***\n"));
	assert_null(strstr(b.p, "s3cret"));
	assert_null(strchr(b.p, '\x1b'));
	buf_reset(&b);
	judge_report(j, 7, "imap", true, &b);
	assert_non_null(strstr(b.p, "{\"client\":7,\"port\":\"imap\","
	    "\"proto\":\"imap\",\"scenario\":\"no-starttls\",\"attack\":"
	    "\"stripping\",\"verdict\":\"vulnerable\","));
	assert_non_null(strstr(b.p, "a1 CAPABILITY \\\""));
	assert_null(strstr(b.p, "s3cret"));
	assert_int_equal(b.p[b.len - 1], '\n');
	assert_null(memchr(b.p, '\n', b.len - 1));
	end();
	buf_reset(&b);

	/* USER names the account; PASS and APOP show no argument. */
	begin(LAB_POP3, SCN_NO_STARTTLS);
	line("CAPA", false);
	line("PASS s3cret", false);
	judge_report(j, 1, "pop3", false, &b);
	assert_non_null(strstr(b.p, "PASS ***\n"));
	assert_null(strstr(b.p, "s3cret"));
	end();
	buf_reset(&b);

	/* SASL answers (here AUTH LOGIN's) are data, never evidence. */
	conn_begin(LAB_SMTP, SCN_INJECT_RESPONSE);
	conn_say("EHLO c\r\n");
	conn_starttls();
	conn_say("EHLO c\r\n");
	conn_say("AUTH LOGIN\r\n");
	assert_true(lab_smtp_data(&conn));
	conn_say("ZGVtbw==\r\n");
	conn_say("czNjcmV0\r\n");
	judge_report(j, 1, "submission", false, &b);
	assert_non_null(strstr(b.p, "AUTH LOGIN\n"));
	assert_null(strstr(b.p, "czNjcmV0"));
	assert_null(strstr(b.p, "ZGVtbw=="));
	conn_end();
	buf_reset(&b);

	/* No attack on this connection: no verdict at all. */
	j = judge_new(LAB_SMTP, SCN_SLOW, false);
	line("EHLO c", false);
	judge_report(j, 1, "smtp", false, &b);
	assert_int_equal(b.len, 0);
	end();
	buf_free(&b);
}

/* Evidence stays bounded however long the client talks. */
static void
test_bounded(void **state)
{
	struct buf	b = { NULL, 0, 0 };
	char		big[4096];
	int		i;

	(void)state;
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	begin(LAB_SMTP, SCN_GOOD);
	for (i = 0; i < 10000; i++)
		line(i % 2 ? "NOOP" : big, false);
	judge_report(j, 1, "smtp", true, &b);
	assert_true(b.len < 8 * 1024);
	end();
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attacks_of),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_stripping),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_preauth),
		cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
