/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the side-by-side model: two logs cut into protocol steps
 * by their classes, paired, and their differences named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "render/render.h"

static const char *const names[2] = { "A", "B" };

static void
line(struct evlog *log, enum ev_dir dir, enum ev_chan chan, const char *text,
    const char *verb, uint16_t code, uint8_t bits)
{
	struct event	ev = { 0 };

	ev.kind = EV_DATA;
	ev.dir = (uint8_t)dir;
	ev.chan = (uint8_t)chan;
	ev.cls.verb = (uint8_t)ev_verb_id(verb);
	ev.cls.code = code;
	if (code != 0)
		ev.cls.status = code >= 500 ? RS_NO : code >= 400 ?
		    RS_TEMPFAIL : code >= 300 ? RS_INTERMEDIATE : RS_OK;
	ev.cls.bits = bits;
	evlog_append(log, &ev, text, strlen(text));
}

static void
caps(struct evlog *log, enum ev_chan chan, bool tls, const char *a,
    const char *b)
{
	struct event	 ev = { 0 };
	struct ev_extra	*x = xcalloc(1, sizeof *x);

	strv_add(&x->caps, a);
	strv_add(&x->caps, b);
	ev.kind = EV_CAPS;
	ev.dir = DIR_LOCAL;
	ev.chan = (uint8_t)chan;
	ev.cls.verb = (uint8_t)ev_verb_id("EHLO");
	ev.cls.bits = tls ? EVC_OFFERS_TLS : 0;
	evlog_append_x(log, &ev, x, "", 0);
}

static void
tls_up(struct evlog *log, const char *version)
{
	struct event	 ev = { 0 };
	struct ev_extra	*x = xcalloc(1, sizeof *x);

	ev_local(log, EV_TLS_STEP, CHAN_PLAIN, NULL, "ClientHello sent");
	x->tls = xcalloc(1, sizeof *x->tls);
	x->tls->version = xstrdup(version);
	x->tls->cipher = xstrdup("AES");
	x->tls->verified = true;
	ev.kind = EV_TLS_ESTABLISHED;
	ev.dir = DIR_LOCAL;
	ev.chan = CHAN_TLS;
	evlog_append_x(log, &ev, x, version, strlen(version));
}

/* connect, greeting, EHLO with its list; tls: STARTTLS offered. */
static struct evlog *
opening(bool tls)
{
	struct evlog	*log = evlog_new(true);

	ev_local(log, EV_CONNECT, CHAN_PLAIN, NULL, "connected");
	line(log, DIR_SERVER, CHAN_PLAIN, "220 hi", NULL, 220,
	    EVC_GREETING | EVC_FINAL);
	line(log, DIR_CLIENT, CHAN_PLAIN, "EHLO x", "EHLO", 0, 0);
	line(log, DIR_SERVER, CHAN_PLAIN, "250-hi", "EHLO", 250, 0);
	line(log, DIR_SERVER, CHAN_PLAIN, tls ? "250 STARTTLS" : "250 XXXXXXXA",
	    "EHLO", 250, EVC_FINAL);
	caps(log, CHAN_PLAIN, tls, "PIPELINING", tls ? "STARTTLS" :
	    "XXXXXXXA");
	return log;
}

static void
quit(struct evlog *log, enum ev_chan chan)
{
	line(log, DIR_CLIENT, chan, "QUIT", "QUIT", 0, 0);
	line(log, DIR_SERVER, chan, "221 bye", "QUIT", 221, EVC_FINAL);
	ev_local(log, EV_CLOSE, chan, NULL, "closed after QUIT");
}

static void
build(struct sbs *m, struct evlog *a, struct evlog *b)
{
	sbs_build(m, (const struct evlog *[]){ a, b }, names);
}

/* The same session twice: steps in order, nothing differs. */
static void
test_alike(void **state)
{
	struct evlog	*a = opening(true), *b = opening(true);
	struct sbs	 m = { 0 };
	static const char *const want[] = { "connect", "greeting", "EHLO",
	    "QUIT", "close" };
	size_t		 i;

	(void)state;
	quit(a, CHAN_PLAIN);
	quit(b, CHAN_PLAIN);
	build(&m, a, b);
	assert_int_equal(m.nrows, 5);
	assert_int_equal(m.ndiff, 0);
	for (i = 0; i < m.nrows; i++) {
		assert_string_equal(sbs_row_name((const struct evlog *[]){ a,
		    b }, &m.rows[i]), want[i]);
		assert_int_equal(m.rows[i].diff, 0);
		assert_null(m.rows[i].note);
		assert_true(m.rows[i].has[0] && m.rows[i].has[1]);
	}
	/* The EHLO step holds its command, its replies and its list. */
	assert_int_equal(m.rows[2].side[0].end - m.rows[2].side[0].first, 4);
	sbs_free(&m);
	evlog_free(a);
	evlog_free(b);
}

/* Stripped: the list, the STARTTLS reply, a handshake on one side only. */
static void
test_stripped(void **state)
{
	struct evlog	*a = opening(true), *b = opening(false);
	struct sbs	 m = { 0 };
	struct buf	 out = { 0 };
	const char	*p, *nl;

	(void)state;
	line(a, DIR_CLIENT, CHAN_PLAIN, "STARTTLS", "STARTTLS", 0,
	    EVC_TLS_CMD);
	line(a, DIR_SERVER, CHAN_PLAIN, "220 go ahead", "STARTTLS", 220,
	    EVC_FINAL | EVC_TLS_GO);
	tls_up(a, "TLS1.3");
	quit(a, CHAN_TLS);
	line(b, DIR_CLIENT, CHAN_PLAIN, "STARTTLS", "STARTTLS", 0,
	    EVC_TLS_CMD);
	line(b, DIR_SERVER, CHAN_PLAIN, "500 what", "STARTTLS", 500,
	    EVC_FINAL);
	ev_local(b, EV_WARNING, CHAN_PLAIN, "starttls-refused", "refused");
	quit(b, CHAN_PLAIN);
	build(&m, a, b);
	/* connect greeting EHLO STARTTLS handshake QUIT close */
	assert_int_equal(m.nrows, 7);
	assert_int_equal(m.rows[2].diff, SBS_CAPS);
	assert_non_null(strstr(m.rows[2].note, "STARTTLS offered by A only"));
	assert_non_null(strstr(m.rows[2].note, "only A: STARTTLS"));
	assert_non_null(strstr(m.rows[2].note, "only B: XXXXXXXA"));
	assert_int_equal(m.rows[2].only[0].n, 1);
	assert_string_equal(m.rows[2].only[0].v[0], "STARTTLS");
	assert_string_equal(m.rows[2].only[1].v[0], "XXXXXXXA");
	assert_int_equal(m.rows[3].side[0].kind, SBS_STARTTLS);
	assert_true(m.rows[3].diff & SBS_REPLY);
	assert_true(m.rows[3].diff & SBS_WARN);
	assert_non_null(strstr(m.rows[3].note, "reply 220 vs 500"));
	/* The replies that differ, by their place in each log. */
	assert_int_equal(evlog_at(a, m.rows[3].reply[0])->cls.code, 220);
	assert_int_equal(evlog_at(b, m.rows[3].reply[1])->cls.code, 500);
	assert_non_null(strstr(m.rows[3].note, "B warns: starttls-refused"));
	assert_int_equal(m.rows[4].diff, SBS_ONLY);
	assert_true(m.rows[4].has[0]);
	assert_false(m.rows[4].has[1]);
	assert_string_equal(m.rows[4].note, "B has no such step");
	/* QUIT is paired again after the gap, inside TLS on A only. */
	assert_string_equal(sbs_row_name((const struct evlog *[]){ a, b },
	    &m.rows[5]), "QUIT");
	assert_true(m.rows[5].has[1]);
	assert_int_equal(m.rows[5].diff, SBS_TLS);
	assert_int_equal(m.rows[6].diff, 0);
	assert_int_equal(m.ndiff, 4);
	render_sidebyside(&m, (const struct evlog *[]){ a, b }, names, 80,
	    &out);
	assert_non_null(strstr(out.p, "!= STARTTLS -"));
	assert_non_null(strstr(out.p, "-- greeting -"));
	assert_non_null(strstr(out.p, "(no such step)"));
	assert_non_null(strstr(out.p, "<- 220 go ahead"));
	assert_non_null(strstr(out.p, " | <- 500 what"));
	buf_free(&out);
	/* Narrow: every line within the width, the notes wrapped. */
	render_sidebyside(&m, (const struct evlog *[]){ a, b }, names, 30,
	    &out);
	for (p = out.p; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl - p <= 30);
	}
	assert_non_null(strstr(out.p, "\n!! STARTTLS offered by A only;"));
	assert_non_null(strstr(out.p, "\n   only A: STARTTLS;"));
	buf_free(&out);
	sbs_free(&m);
	evlog_free(a);
	evlog_free(b);
}

/* Version negotiation: the handshakes pair, their versions differ. */
static void
test_versions(void **state)
{
	struct evlog	*a = opening(true), *b = opening(true);
	struct sbs	 m = { 0 };
	int		 s;

	(void)state;
	for (s = 0; s < 2; s++) {
		line(s ? b : a, DIR_CLIENT, CHAN_PLAIN, "STARTTLS", "STARTTLS",
		    0, EVC_TLS_CMD);
		line(s ? b : a, DIR_SERVER, CHAN_PLAIN, "220 go", "STARTTLS",
		    220, EVC_FINAL | EVC_TLS_GO);
		tls_up(s ? b : a, s ? "TLS1.2" : "TLS1.3");
	}
	build(&m, a, b);
	assert_int_equal(m.nrows, 5);
	assert_int_equal(m.rows[4].side[0].kind, SBS_HANDSHAKE);
	assert_int_equal(m.rows[4].diff, SBS_TLS);
	assert_string_equal(m.rows[4].note, "TLS1.3 vs TLS1.2");
	assert_int_equal(m.ndiff, 1);
	sbs_free(&m);
	evlog_free(a);
	evlog_free(b);
}

/* An answer to a continuation stays in its command's step. */
static void
test_continuation(void **state)
{
	struct evlog	*a = opening(true), *b = opening(true);
	struct sbs	 m = { 0 };

	(void)state;
	line(a, DIR_CLIENT, CHAN_PLAIN, "AUTH LOGIN", "AUTH", 0, 0);
	line(a, DIR_SERVER, CHAN_PLAIN, "334 VXNlcm5hbWU6", "AUTH", 334,
	    EVC_CONT);
	line(a, DIR_CLIENT, CHAN_PLAIN, "dXNlcg==", NULL, 0, 0);
	line(a, DIR_SERVER, CHAN_PLAIN, "535 no", "AUTH", 535, EVC_FINAL);
	line(b, DIR_CLIENT, CHAN_PLAIN, "AUTH LOGIN", "AUTH", 0, 0);
	line(b, DIR_SERVER, CHAN_PLAIN, "235 yes", "AUTH", 235, EVC_FINAL);
	build(&m, a, b);
	assert_int_equal(m.nrows, 4);
	assert_int_equal(m.rows[3].side[0].end - m.rows[3].side[0].first, 4);
	assert_int_equal(m.rows[3].diff, SBS_REPLY);
	assert_string_equal(m.rows[3].note, "reply 535 vs 235");
	sbs_free(&m);
	evlog_free(a);
	evlog_free(b);
}

/* One log empty: every step of the other is its own. */
static void
test_empty(void **state)
{
	struct evlog	*a = opening(true), *b = evlog_new(true);
	struct sbs	 m = { 0 };
	size_t		 i;

	(void)state;
	build(&m, a, b);
	assert_int_equal(m.nrows, 3);
	assert_int_equal(m.ndiff, 3);
	for (i = 0; i < m.nrows; i++)
		assert_true(m.rows[i].has[0] && !m.rows[i].has[1]);
	sbs_free(&m);
	evlog_free(a);
	evlog_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alike),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
