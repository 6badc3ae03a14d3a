/* SPDX-License-Identifier: ISC */
/*
 * Format-1 recordings hold bytes only: loaded for a view, their lines go
 * back through the engine, which rebuilds each line's class and the
 * capability events the session of today would have logged, so replays
 * and exports of old recordings show the lists and where they came from.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"

/* Each capability event of a recording: "chan verb bits: list". */
static char *
caps_of(const char *path, struct digest *d)
{
	struct recording_info	 info;
	struct evlog		*log = evlog_new(true);
	const struct event	*ev;
	struct buf		 b = { 0 };
	const char		*v;
	char			 err[256];
	size_t			 i;

	memset(&info, 0, sizeof info);
	assert_true(recording_load_classified(path, 0, log, &info, err,
	    sizeof err) > 0);
	assert_int_equal(info.format, 1);
	for (i = 0; (ev = evlog_get(log, i)) != NULL; i++) {
		if (ev->kind != EV_CAPS)
			continue;
		v = ev_verb(ev);
		buf_printf(&b, "%s %s %s%s%s%s: %.*s\n",
		    ev->chan == CHAN_TLS ? "tls" : "plain", v != NULL ? v : "-",
		    ev->cls.bits & EVC_GREETING ? "G" : "",
		    ev->cls.bits & EVC_PARTIAL ? "P" : "",
		    ev->cls.bits & EVC_AUTHED ? "A" : "",
		    ev->cls.bits & EVC_OFFERS_TLS ? "S" : "",
		    (int)ev->len, ev->data);
		assert_non_null(ev_extra(ev));
	}
	digest_log(d, log);
	evlog_free(log);
	recording_info_free(&info);
	return b.p != NULL ? b.p : xstrdup("");
}

/* The client's STARTTLS (STLS) line carries the engine's mark. */
static int
starttls_cmds(const char *path)
{
	struct recording_info	 info;
	struct evlog		*log = evlog_new(true);
	const struct event	*ev;
	char			 err[256];
	size_t			 i;
	int			 n = 0;

	memset(&info, 0, sizeof info);
	assert_true(recording_load_classified(path, 0, log, &info, err,
	    sizeof err) > 0);
	for (i = 0; (ev = evlog_get(log, i)) != NULL; i++)
		if (ev->kind == EV_DATA && ev->dir == DIR_CLIENT &&
		    (ev->cls.bits & EVC_TLS_CMD))
			n++;
	evlog_free(log);
	recording_info_free(&info);
	return n;
}

static void
test_smtp(void **state)
{
	struct digest	 d;
	char		*got;

	(void)state;
	got = caps_of("tests/data/v1-smtp.jsonl", &d);
	assert_string_equal(got,
	    "plain EHLO S: PIPELINING, SIZE 2097152, STARTTLS, "
	    "ENHANCEDSTATUSCODES, 8BITMIME\n"
	    "tls EHLO : PIPELINING, SIZE 2097152, AUTH PLAIN LOGIN, "
	    "ENHANCEDSTATUSCODES, 8BITMIME\n");
	/* The summary a replay's panel reads: the last list, inside TLS. */
	assert_true(d.caps_known);
	assert_int_equal(d.caps_chan, CHAN_TLS);
	assert_true(strv_has(&d.caps, "AUTH PLAIN LOGIN"));
	assert_false(d.caps_bits & EVC_OFFERS_TLS);
	assert_string_equal(d.capdiff_text, "+AUTH PLAIN LOGIN, -STARTTLS");
	assert_int_equal(strncmp(d.greeting, "220 lab.mailscope.test", 22), 0);
	assert_int_equal(starttls_cmds("tests/data/v1-smtp.jsonl"), 1);
	free(got);
	digest_free(&d);
}

static void
test_imap(void **state)
{
	struct digest	 d;
	char		*got;

	(void)state;
	got = caps_of("tests/data/v1-imap.jsonl", &d);
	/* The greeting's list may be partial; the one in the answer to
	 * the login describes the logged-in session. */
	assert_string_equal(got,
	    "plain - GPS: IMAP4rev1, STARTTLS, LOGINDISABLED, IDLE, "
	    "LITERAL+, UNSELECT\n"
	    "plain CAPABILITY S: IMAP4rev1, STARTTLS, LOGINDISABLED, IDLE, "
	    "LITERAL+, UNSELECT\n"
	    "tls CAPABILITY : IMAP4rev1, AUTH=PLAIN, SASL-IR, IDLE, LITERAL+, "
	    "UNSELECT\n"
	    "tls AUTHENTICATE A: IMAP4rev1, AUTH=PLAIN, SASL-IR, IDLE, "
	    "LITERAL+, UNSELECT\n");
	assert_int_equal(d.caps_bits & EVC_AUTHED, EVC_AUTHED);
	assert_int_equal(starttls_cmds("tests/data/v1-imap.jsonl"), 1);
	free(got);
	digest_free(&d);
}

static void
test_pop3(void **state)
{
	struct digest	 d;
	char		*got;

	(void)state;
	got = caps_of("tests/data/v1-pop3.jsonl", &d);
	assert_string_equal(got,
	    "plain CAPA S: TOP, UIDL, RESP-CODES, PIPELINING, STLS, "
	    "IMPLEMENTATION mailscope-lab\n"
	    "tls CAPA : TOP, UIDL, RESP-CODES, PIPELINING, USER, SASL PLAIN, "
	    "IMPLEMENTATION mailscope-lab\n");
	assert_int_equal(starttls_cmds("tests/data/v1-pop3.jsonl"), 1);
	free(got);
	digest_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp),
		cmocka_unit_test(test_imap),
		cmocka_unit_test(test_pop3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
