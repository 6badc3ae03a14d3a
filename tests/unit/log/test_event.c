/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the event log: retention, streaming, chunked lines and
 * the name tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log/log.h"

struct seen {
	struct evlog	*log;
	size_t		n;
	uint32_t	last_seq;
	char		last[32];
};

static void
on_event(const struct event *ev, void *arg)
{
	struct seen	*s = arg;

	s->n++;
	s->last_seq = ev_seq(s->log, ev);
	snprintf(s->last, sizeof s->last, "%.*s", (int)ev->len, ev->data);
}

static void
test_evlog_retain(void **state)
{
	struct evlog		*log = evlog_new(true);
	struct event		 ev;
	struct seen		 s = { NULL, 0, 0, "" };
	const struct event	*e;
	char			 big[300000];
	size_t			 i;

	(void)state;
	s.log = log;
	evlog_subscribe(log, on_event, &s);
	memset(&ev, 0, sizeof ev);
	ev.kind = EV_DATA;
	ev.dir = DIR_SERVER;
	for (i = 0; i < 10000; i++)
		evlog_append(log, &ev, "250 ok", 6);
	memset(big, 'x', sizeof big);
	evlog_append(log, &ev, big, sizeof big);
	evlog_append(log, &ev, "a\0b", 3);
	assert_int_equal(evlog_count(log), 10002);
	assert_int_equal(s.n, 10002);
	assert_int_equal(s.last_seq, 10001);
	e = evlog_get(log, 5000);
	assert_non_null(e);
	assert_int_equal(e->len, 6);
	assert_memory_equal(e->data, "250 ok", 7);
	e = evlog_get(log, 10000);
	assert_int_equal(e->len, sizeof big);
	assert_int_equal(e->data[sizeof big - 1], 'x');
	e = evlog_get(log, 10001);
	assert_memory_equal(e->data, "a\0b", 4);
	assert_null(evlog_get(log, 10002));
	/* Earlier events stay valid after big ones were added. */
	assert_memory_equal(evlog_get(log, 0)->data, "250 ok", 6);
	evlog_unsubscribe(log, on_event, &s);
	evlog_append(log, &ev, "x", 1);
	assert_int_equal(s.n, 10002);
	evlog_free(log);
}

static void
test_evlog_stream(void **state)
{
	struct evlog	*log = evlog_new(false);
	struct seen	 s = { NULL, 0, 0, "" };

	(void)state;
	s.log = log;
	evlog_subscribe(log, on_event, &s);
	ev_local(log, EV_WARNING, CHAN_PLAIN, "response-injection",
	    "%d bytes", 12);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.last, "12 bytes");
	/* A streaming log keeps nothing. */
	assert_null(evlog_get(log, 0));
	assert_int_equal(evlog_count(log), 1);
	evlog_free(log);
}

/* Chunk lines: CRLF or LF ends, and a literal cut inside a line. */
static void
test_chunk_lines(void **state)
{
	struct event	 ev;
	const char	*line;
	size_t		 pos = 0, n;
	bool		 eol;

	(void)state;
	memset(&ev, 0, sizeof ev);
	ev.kind = EV_DATA;
	ev.flags = EVF_BODY | EVF_LINES;
	ev.data = "ab\r\n\r\nc\nd\re\r\nf";
	ev.len = (uint32_t)strlen(ev.data);
	assert_true(ev_is_chunk(&ev));
	assert_true(ev_chunk_line(&ev, &pos, &line, &n, &eol));
	assert_true(eol && n == 2 && memcmp(line, "ab", 2) == 0);
	assert_true(ev_chunk_line(&ev, &pos, &line, &n, &eol));
	assert_true(eol && n == 0);
	assert_true(ev_chunk_line(&ev, &pos, &line, &n, &eol));
	assert_true(eol && n == 1 && line[0] == 'c');
	/* A CR inside a line stays in it: the sanitizer shows it. */
	assert_true(ev_chunk_line(&ev, &pos, &line, &n, &eol));
	assert_true(eol && n == 3 && memcmp(line, "d\re", 3) == 0);
	assert_true(ev_chunk_line(&ev, &pos, &line, &n, &eol));
	assert_true(!eol && n == 1 && line[0] == 'f');
	assert_false(ev_chunk_line(&ev, &pos, &line, &n, &eol));
	ev.flags = EVF_BODY;
	assert_false(ev_is_chunk(&ev));
	ev.flags = EVF_LITERAL | EVF_BODY;
	assert_true(ev_is_chunk(&ev));
}

static void
test_names(void **state)
{
	int	k;

	(void)state;
	for (k = 0; k < EV_KIND_MAX; k++)
		assert_int_equal(ev_kind_from_name(ev_kind_name(k)), k);
	assert_int_equal(ev_dir_from_name("server"), DIR_SERVER);
	assert_int_equal(ev_chan_from_name("tls"), CHAN_TLS);
	assert_int_equal(ev_flag_from_name("bare-lf"), EVF_BARE_LF);
	assert_string_equal(ev_flag_name(EVF_INJECTED), "injected");
	assert_int_equal(ev_flag_from_name("lines"), EVF_LINES);
	assert_int_equal(ev_kind_from_name("nonsense"), -1);
	assert_int_equal(ev_flag_from_name("nonsense"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evlog_retain),
		cmocka_unit_test(test_evlog_stream),
		cmocka_unit_test(test_chunk_lines),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
