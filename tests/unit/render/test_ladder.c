/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the ladder model: one row per line (a capability list
 * never folded), injected bytes their own row, the TLS boundary, notes,
 * warnings and connection breaks; bodies one row; the same rows whether
 * fed live or from the whole log; the words every renderer shows, the
 * handshake's with what the hello offered and the server chose.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "render/render.h"

static void
line(struct evlog *log, enum ev_dir dir, enum ev_chan chan, uint32_t flags,
    uint8_t bits, const char *text)
{
	struct event	ev = { 0 };

	ev.kind = EV_DATA;
	ev.dir = dir;
	ev.chan = chan;
	ev.flags = flags;
	ev.cls.bits = bits;
	evlog_append(log, &ev, text, strlen(text));
}

static void
local(struct evlog *log, enum ev_kind kind, enum ev_chan chan,
    const char *code, const char *text)
{
	ev_local(log, kind, chan, code, "%s", text);
}

/* The end of a handshake, with what the hello offered (none: a
 * recording from before it was kept) and what the server chose. */
static void
established(struct evlog *log, bool offer)
{
	struct event	 ev = { 0 };
	struct ev_extra	*x = xcalloc(1, sizeof *x);

	x->tls = xcalloc(1, sizeof *x->tls);
	x->tls->version = xstrdup("TLS1.3");
	x->tls->group = xstrdup("X25519");
	if (offer) {
		strv_add(&x->tls->offer.versions, "TLS1.3");
		strv_add(&x->tls->offer.versions, "TLS1.2");
		strv_add(&x->tls->offer.groups, "X25519");
		strv_add(&x->tls->offer.groups, "SECP256R1");
		x->tls->offer.ciphers = 3;
		tls_offer_words(&x->tls->offer);
	}
	ev.kind = EV_TLS_ESTABLISHED;
	ev.dir = DIR_LOCAL;
	ev.chan = CHAN_TLS;
	evlog_append_x(log, &ev, x, "TLS1.3", 6);
}

/* A STARTTLS session with an injected reply, then a second connection. */
static struct evlog *
session(void)
{
	struct evlog	*log = evlog_new(true);

	local(log, EV_CONNECT, CHAN_PLAIN, NULL, "connected");
	line(log, DIR_SERVER, CHAN_PLAIN, EVF_END, EVC_FINAL, "220 hi");
	line(log, DIR_CLIENT, CHAN_PLAIN, 0, 0, "EHLO x");
	line(log, DIR_SERVER, CHAN_PLAIN, 0, 0, "250-lab Hello x");
	line(log, DIR_SERVER, CHAN_PLAIN, 0, EVC_TLS_CAP, "250-STARTTLS");
	line(log, DIR_SERVER, CHAN_PLAIN, EVF_END, EVC_FINAL, "250 8BITMIME");
	local(log, EV_CAPS, CHAN_PLAIN, NULL, "STARTTLS 8BITMIME");
	line(log, DIR_CLIENT, CHAN_PLAIN, 0, EVC_TLS_CMD, "STARTTLS");
	line(log, DIR_SERVER, CHAN_PLAIN, EVF_END, EVC_FINAL | EVC_TLS_GO,
	    "220 go ahead");
	line(log, DIR_SERVER, CHAN_PLAIN, EVF_INJECTED, 0, "250 evil");
	local(log, EV_WARNING, CHAN_PLAIN, "response-injection",
	    "response injection");
	local(log, EV_TLS_STEP, CHAN_PLAIN, NULL, "ClientHello sent");
	local(log, EV_STATE, CHAN_PLAIN, NULL, "HANDSHAKE");
	local(log, EV_TLS_STEP, CHAN_PLAIN, NULL, "ServerHello received");
	established(log, true);
	line(log, DIR_CLIENT, CHAN_TLS, 0, 0, "DATA");
	line(log, DIR_CLIENT, CHAN_TLS, EVF_BODY, 0, "Subject: hi");
	line(log, DIR_CLIENT, CHAN_TLS, EVF_BODY, 0, "");
	line(log, DIR_CLIENT, CHAN_TLS, EVF_BODY, 0, ".");
	line(log, DIR_SERVER, CHAN_TLS, EVF_END, EVC_FINAL, "250 queued");
	local(log, EV_NOTE, CHAN_PLAIN, NULL, "a note");
	local(log, EV_CLOSE, CHAN_TLS, NULL, "closed after QUIT");
	local(log, EV_STATE, CHAN_PLAIN, NULL, "CLOSED");
	local(log, EV_INFO, CHAN_PLAIN, NULL, "connecting");
	local(log, EV_CONNECT, CHAN_PLAIN, NULL, "connected");
	line(log, DIR_SERVER, CHAN_PLAIN, EVF_END, EVC_FINAL, "220 again");
	return log;
}

static const struct {
	enum ladder_kind	 kind;
	uint8_t			 bits;
	uint16_t		 conn;
	const char		*label;
} want[] = {
	{ LR_SERVER, 0, 0, "220 hi" },
	{ LR_CLIENT, 0, 0, "EHLO x" },
	{ LR_SERVER, 0, 0, "250-lab Hello x" },
	{ LR_SERVER, LRF_LESSON, 0, "250-STARTTLS" },
	{ LR_SERVER, 0, 0, "250 8BITMIME" },
	{ LR_CLIENT, LRF_LESSON, 0, "STARTTLS" },
	{ LR_SERVER, LRF_LESSON, 0, "220 go ahead" },
	{ LR_INJECTED, LRF_LESSON, 0, "250 evil  [injected]" },
	{ LR_WARNING, LRF_LESSON, 0,
	    "response injection [response-injection]" },
	{ LR_HANDSHAKE, 0, 0, "TLS handshake: offered TLS1.3, TLS1.2, chose "
	    "TLS1.3: ClientHello sent (groups X25519, SECP256R1; 3 cipher "
	    "suites), ServerHello received (X25519)" },
	{ LR_TLS, LRF_TLS, 0, "TLS established: TLS1.3" },
	{ LR_CLIENT, LRF_TLS, 0, "DATA" },
	{ LR_CLIENT, LRF_TLS | LRF_BODY, 0, "Subject: hi (body of 3 lines)" },
	{ LR_SERVER, LRF_TLS, 0, "250 queued" },
	{ LR_NOTE, 0, 0, "a note" },
	{ LR_BREAK, LRF_TLS, 0, "connection ended: closed after QUIT" },
	{ LR_SERVER, 0, 1, "220 again" },
};
#define NWANT	(sizeof want / sizeof want[0])

static void
check_rows(const struct evlog *log, const struct ladder *l)
{
	struct buf	b = { 0 };
	size_t		i;

	assert_int_equal(l->n, NWANT);
	for (i = 0; i < NWANT; i++) {
		assert_int_equal(l->rows[i].kind, want[i].kind);
		assert_int_equal(l->rows[i].bits, want[i].bits);
		assert_int_equal(l->rows[i].conn, want[i].conn);
		buf_reset(&b);
		ladder_label(log, &l->rows[i], &b);
		assert_string_equal(b.p, want[i].label);
	}
	buf_free(&b);
}

/* Every line its own row; the rest as the table above says. */
static void
test_rows(void **state)
{
	struct evlog	*log = session();
	struct ladder	 l;

	(void)state;
	ladder_init(&l);
	ladder_log(&l, log);
	check_rows(log, &l);
	assert_int_equal(ladder_conns(&l, log), 2);
	assert_int_equal(ladder_conn_end(&l, log, 0), l.rows[NWANT - 2].seq);
	assert_int_equal(ladder_conn_end(&l, log, 1), evlog_count(log) - 1);
	ladder_free(&l);
	assert_int_equal(l.n, 0);
	evlog_free(log);
}

/* Live, one event at a time as a subscriber sees them: the same rows. */
static void
test_live(void **state)
{
	struct evlog	*all = session(), *log = evlog_new(true);
	struct ladder	 l;
	size_t		 i;

	(void)state;
	ladder_init(&l);
	for (i = 0; i < evlog_count(all); i++) {
		const struct event	*ev = evlog_at(all, i);
		struct ev_extra		*x = ev_extra_dup(ev_extra(ev));

		ladder_event(&l, log, evlog_append_x(log, ev, x, ev->data,
		    ev->len));
	}
	check_rows(log, &l);
	ladder_free(&l);
	evlog_free(log);
	evlog_free(all);
}

/* The row of an event: the last at or before it. */
static void
test_find(void **state)
{
	struct evlog	*log = session();
	struct ladder	 l;
	size_t		 i;

	(void)state;
	ladder_init(&l);
	ladder_log(&l, log);
	for (i = 0; i < l.n; i++)
		assert_int_equal(ladder_find(&l, l.rows[i].seq), i);
	/* The CAPS event (a trace) is under the line before it. */
	assert_int_equal(ladder_find(&l, 6), 4);
	/* The body's last line is in the body's row. */
	assert_int_equal(ladder_find(&l, l.rows[12].seq + 2), 12);
	/* The handshake's second message (after a state) in its row. */
	assert_int_equal(l.rows[9].nlines, 2);
	assert_int_equal(ladder_find(&l, l.rows[9].seq + 2), 9);
	assert_int_equal(ladder_find(&l, 0), 0);
	ladder_free(&l);
	evlog_free(log);
}

/*
 * The handshake's words before its end is known (live, or a handshake
 * that failed), and from a recording that did not keep the offer.
 */
static void
test_handshake(void **state)
{
	struct evlog	*log = evlog_new(true);
	struct ladder	 l;
	struct buf	 b = { 0 };

	(void)state;
	ladder_init(&l);
	local(log, EV_TLS_STEP, CHAN_PLAIN, NULL, "ClientHello sent");
	ladder_event(&l, log, evlog_at(log, 0));
	local(log, EV_TLS_STEP, CHAN_PLAIN, NULL, "ServerHello received");
	ladder_event(&l, log, evlog_at(log, 1));
	ladder_label(log, &l.rows[0], &b);
	assert_string_equal(b.p, "TLS handshake: ClientHello sent, "
	    "ServerHello received");
	established(log, false);
	ladder_event(&l, log, evlog_at(log, 2));
	assert_int_equal(l.n, 2);
	assert_int_equal(l.rows[0].facts, 2);
	buf_reset(&b);
	ladder_label(log, &l.rows[0], &b);
	assert_string_equal(b.p, "TLS handshake: ClientHello sent, "
	    "ServerHello received (chose TLS1.3, X25519)");
	/* A message after the boundary (a ticket): no facts of its own. */
	local(log, EV_TLS_STEP, CHAN_TLS, NULL, "NewSessionTicket received");
	ladder_event(&l, log, evlog_at(log, 3));
	assert_int_equal(l.n, 3);
	assert_int_equal(l.rows[2].facts, 0);
	buf_reset(&b);
	ladder_label(log, &l.rows[2], &b);
	assert_string_equal(b.p, "TLS handshake: NewSessionTicket received");
	buf_free(&b);
	ladder_free(&l);
	evlog_free(log);
}

/* A literal cut inside a line: its lines counted once, in one row. */
static void
test_literal(void **state)
{
	struct evlog	*log = evlog_new(true);
	struct ladder	 l;
	struct buf	 b = { 0 };

	(void)state;
	line(log, DIR_SERVER, CHAN_TLS, 0, 0, "* 1 FETCH (BODY[] {9}");
	line(log, DIR_SERVER, CHAN_TLS, EVF_LITERAL | EVF_BODY, 0, "a\nb");
	line(log, DIR_SERVER, CHAN_TLS, EVF_LITERAL | EVF_BODY, 0, "c\nd\n");
	line(log, DIR_SERVER, CHAN_TLS, EVF_END, EVC_FINAL, ")");
	ladder_init(&l);
	ladder_log(&l, log);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.rows[1].bits, LRF_TLS | LRF_BODY);
	assert_int_equal(l.rows[1].nlines, 3);
	ladder_label(log, &l.rows[1], &b);
	assert_string_equal(b.p, "a (literal of 3 lines)");
	buf_free(&b);
	ladder_free(&l);
	evlog_free(log);
}

/* A legend names every mark the drawings use. */
static void
test_legend(void **state)
{
	const struct ladder_key	*k;
	size_t			 i, n = ladder_legend(&k);
	bool			 inj = false, boundary = false;

	(void)state;
	assert_true(n >= 6);
	for (i = 0; i < n; i++) {
		assert_non_null(k[i].desc);
		inj |= strcmp(k[i].name, "injected") == 0;
		boundary |= strcmp(k[i].name, "boundary") == 0;
	}
	assert_true(inj);
	assert_true(boundary);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_legend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
