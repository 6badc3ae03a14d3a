/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the digest: the session summary every view reads, folded
 * from events alone, so a log replayed gives what the live log gave.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "log/log.h"

static void
local(struct evlog *log, enum ev_kind kind, enum ev_chan chan,
    const char *text)
{
	ev_local(log, kind, chan, NULL, "%s", text);
}

static void
with_facts(struct evlog *log, enum ev_kind kind, bool checked, bool ok)
{
	struct event	 ev = { 0 };
	struct ev_extra	*x = xcalloc(1, sizeof *x);

	x->tls = xcalloc(1, sizeof *x->tls);
	x->tls->version = xstrdup("TLS1.3");
	x->tls->verify.checked = checked;
	x->tls->verify.ok = ok;
	x->tls->verified = ok;
	ev.kind = (uint8_t)kind;
	ev.dir = DIR_LOCAL;
	ev.chan = CHAN_TLS;
	evlog_append_x(log, &ev, x, "TLS1.3 x", 8);
}

/* A STARTTLS session: the channel as each event leaves it. */
static void
test_channel(void **state)
{
	struct evlog	*log = evlog_new(true);
	struct digest	 d;

	(void)state;
	digest_init(&d);
	evlog_subscribe(log, digest_event, &d);
	assert_int_equal(d.channel, DG_START);
	local(log, EV_CONNECT, CHAN_PLAIN, "connected");
	assert_int_equal(d.channel, DG_PLAIN);
	local(log, EV_TLS_STEP, CHAN_PLAIN, "-> ClientHello");
	assert_int_equal(d.channel, DG_HANDSHAKE);
	with_facts(log, EV_TLS_ESTABLISHED, false, false);
	assert_int_equal(d.channel, DG_TLS);
	assert_int_equal(d.phase, DG_TLS_UP);
	assert_string_equal(d.tls_summary, "TLS1.3 x");
	/* Not checked (yet) is not verified. */
	assert_int_equal(d.verified, 0);
	with_facts(log, EV_VERIFY, true, true);
	assert_int_equal(d.verified, 1);
	assert_string_equal(d.tls->version, "TLS1.3");
	/* A ticket after the handshake is inside TLS, not a new one. */
	local(log, EV_TLS_STEP, CHAN_TLS, "<- NewSessionTicket");
	assert_int_equal(d.channel, DG_TLS);
	local(log, EV_CLOSE, CHAN_TLS, "quit");
	assert_int_equal(d.channel, DG_CLOSED);
	assert_true(d.closed);
	assert_string_equal(d.close_reason, "quit");
	assert_int_equal(d.events, 6);
	digest_free(&d);
	evlog_free(log);
}

/* A handshake cut short: failed, not verified, and why. */
static void
test_failed(void **state)
{
	struct evlog	*log = evlog_new(false);
	struct digest	 d;

	(void)state;
	digest_init(&d);
	evlog_subscribe(log, digest_event, &d);
	local(log, EV_CONNECT, CHAN_PLAIN, "connected");
	local(log, EV_TLS_STEP, CHAN_PLAIN, "-> ClientHello");
	local(log, EV_CLOSE, CHAN_PLAIN, "handshake failed: alert");
	assert_int_equal(d.phase, DG_TLS_FAILED);
	assert_int_equal(d.channel, DG_CLOSED);
	assert_int_equal(d.verified, 0);
	assert_string_equal(d.failure, "handshake failed: alert");
	/* A new connection starts from nothing. */
	local(log, EV_CONNECT, CHAN_PLAIN, "connected");
	assert_int_equal(d.channel, DG_PLAIN);
	assert_int_equal(d.phase, DG_TLS_PLAIN);
	assert_null(d.failure);
	assert_int_equal(d.verified, -1);
	digest_free(&d);
	evlog_free(log);
}

/* The capability difference and the warnings, copied: the log keeps no
 * event here (streaming), and the digest must not point into it. */
static void
test_capdiff_and_warnings(void **state)
{
	struct evlog	*log = evlog_new(false);
	struct digest	 d;
	struct event	 ev = { 0 };
	struct ev_extra	*x = xcalloc(1, sizeof *x);

	(void)state;
	digest_init(&d);
	evlog_subscribe(log, digest_event, &d);
	local(log, EV_CONNECT, CHAN_PLAIN, "connected");
	strv_add(&x->added, "AUTH PLAIN");
	strv_add(&x->removed, "STARTTLS");
	ev.kind = EV_CAPDIFF;
	ev.dir = DIR_LOCAL;
	ev.chan = CHAN_TLS;
	evlog_append_x(log, &ev, x, "capabilities after TLS", 22);
	assert_true(d.capdiff);
	assert_int_equal(d.added.n, 1);
	assert_string_equal(d.added.v[0], "AUTH PLAIN");
	assert_string_equal(d.removed.v[0], "STARTTLS");
	assert_string_equal(d.capdiff_text, "capabilities after TLS");
	ev_local(log, EV_INFO, CHAN_TLS, "capdiff-unknown", "no list before");
	assert_string_equal(d.capdiff_note, "no list before");
	assert_int_equal(d.added.n, 0);
	assert_null(d.capdiff_text);
	ev_local(log, EV_WARNING, CHAN_PLAIN, "no-starttls", "no STARTTLS");
	ev_local(log, EV_INFO, CHAN_PLAIN, "other", "not a warning");
	ev_local(log, EV_ERROR, CHAN_PLAIN, "timeout", "no reply");
	assert_int_equal(d.warnings.n, 1);
	assert_string_equal(d.warnings.v[0], "no STARTTLS");
	/* The codes a program acts on: warnings' and errors', no info's. */
	assert_int_equal(d.codes.n, 2);
	assert_string_equal(d.codes.v[0], "no-starttls");
	assert_string_equal(d.codes.v[1], "timeout");
	digest_free(&d);
	evlog_free(log);
}

static void
data(struct evlog *log, enum ev_dir dir, uint32_t flags, const char *text)
{
	struct event	ev = { 0 };

	ev.kind = EV_DATA;
	ev.dir = (uint8_t)dir;
	ev.flags = flags;
	evlog_append(log, &ev, text, strlen(text));
}

/*
 * A session that logs its states: the channel follows them (a ticket or
 * a late step changes nothing), a new connection forgets the old one,
 * and the bytes are the wire's, line ends and dot-stuffing included.
 */
static void
test_states_caps_bytes(void **state)
{
	struct evlog	*log = evlog_new(false);
	struct digest	 d;
	struct event	 ev = { 0 };
	struct ev_extra	*x = xcalloc(1, sizeof *x);

	(void)state;
	digest_init(&d);
	evlog_subscribe(log, digest_event, &d);
	local(log, EV_STATE, CHAN_PLAIN, "CONNECTING");
	assert_int_equal(d.channel, DG_CONNECTING);
	local(log, EV_CONNECT, CHAN_PLAIN, "connected");
	assert_int_equal(d.channel, DG_CONNECTING);
	assert_int_equal(d.phase, DG_TLS_PLAIN);
	local(log, EV_STATE, CHAN_PLAIN, "PLAIN");
	assert_int_equal(d.channel, DG_PLAIN);
	data(log, DIR_SERVER, 0, "220 hi");			/* 6 + 2 */
	assert_int_equal(d.greeting_len, 6);
	assert_string_equal(d.greeting, "220 hi");
	data(log, DIR_SERVER, EVF_BARE_LF, "250 x");		/* 5 + 1 */
	data(log, DIR_SERVER, EVF_LINES, "a\r\nb\r\n");	/* 6 */
	data(log, DIR_SERVER, EVF_NOEOL, "cut");		/* 3 */
	data(log, DIR_CLIENT, 0, "EHLO me");			/* 7 + 2 */
	data(log, DIR_CLIENT, EVF_DOTSTUFF, ".x");		/* 2 + 1 + 2 */
	assert_int_equal(d.bytes_in, 8 + 6 + 6 + 3);
	assert_int_equal(d.bytes_out, 9 + 5);
	strv_add(&x->caps, "STARTTLS");
	ev.kind = EV_CAPS;
	ev.dir = DIR_LOCAL;
	ev.chan = CHAN_PLAIN;
	ev.cls.bits = EVC_PARTIAL;
	evlog_append_x(log, &ev, x, "STARTTLS", 8);
	assert_true(d.caps_known);
	assert_string_equal(d.caps.v[0], "STARTTLS");
	assert_int_equal(d.caps_bits, EVC_PARTIAL);
	local(log, EV_STATE, CHAN_PLAIN, "HANDSHAKE");
	assert_int_equal(d.channel, DG_HANDSHAKE);
	with_facts(log, EV_TLS_ESTABLISHED, false, false);
	/* Up, before the session's state says so after the verdict. */
	assert_int_equal(d.channel, DG_TLS);
	assert_int_equal(d.phase, DG_TLS_UP);
	assert_false(d.caps_known);
	local(log, EV_STATE, CHAN_TLS, "TLS");
	local(log, EV_TLS_STEP, CHAN_TLS, "NewSessionTicket received");
	assert_int_equal(d.channel, DG_TLS);
	local(log, EV_STATE, CHAN_TLS, "CLOSING");
	assert_int_equal(d.channel, DG_CLOSED);
	/* Connecting again: nothing of the first connection is left. */
	local(log, EV_STATE, CHAN_PLAIN, "CONNECTING");
	assert_int_equal(d.bytes_in, 0);
	assert_null(d.tls_summary);
	assert_null(d.greeting);
	assert_int_equal(d.phase, DG_TLS_NONE);
	digest_free(&d);
	evlog_free(log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channel),
		cmocka_unit_test(test_failed),
		cmocka_unit_test(test_capdiff_and_warnings),
		cmocka_unit_test(test_states_caps_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
