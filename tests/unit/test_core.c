/*
 * Unit tests for the core plumbing: targets, helpers, the poll loop and
 * the event log.
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

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

static void
test_target_defaults(void **state)
{
	static const struct {
		const char	*url;
		const char	*host;
		const char	*port;
		enum proto_id	 proto;
		bool		 tls;
	} cases[] = {
		{ "smtp://mail.example.org", "mail.example.org", "25",
		    PROTO_SMTP, false },
		{ "submission://m", "m", "587", PROTO_SMTP, false },
		{ "smtps://m", "m", "465", PROTO_SMTP, true },
		{ "lmtp://m", "m", "24", PROTO_LMTP, false },
		{ "imap://m", "m", "143", PROTO_IMAP, false },
		{ "imaps://m", "m", "993", PROTO_IMAP, true },
		{ "pop3://m", "m", "110", PROTO_POP3, false },
		{ "pop3s://m/", "m", "995", PROTO_POP3, true },
		{ "SMTP://127.0.0.1:2525", "127.0.0.1", "2525", PROTO_SMTP,
		    false },
		{ "imap://[::1]:1143", "::1", "1143", PROTO_IMAP, false },
		{ "pop3s://[fe80::1]", "fe80::1", "995", PROTO_POP3, true },
		{ "smtp://[fe80::1%lo]:25", "fe80::1%lo", "25", PROTO_SMTP,
		    false },
	};
	struct target	t;
	char		err[256];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(target_parse(cases[i].url, &t, err,
		    sizeof err), 0);
		assert_string_equal(t.host, cases[i].host);
		assert_string_equal(t.port, cases[i].port);
		assert_int_equal(t.proto, cases[i].proto);
		assert_int_equal(t.implicit_tls, cases[i].tls);
		target_free(&t);
	}
}

static void
test_target_errors(void **state)
{
	static const struct {
		const char	*url;
		const char	*says;
	} cases[] = {
		{ "mail.example.org", "not a URL" },
		{ "http://x", "unknown scheme 'http'" },
		{ "smtp://", "missing host" },
		{ "smtp://:25", "missing host" },
		{ "smtp://h:0", "bad port '0'" },
		{ "smtp://h:65536", "bad port '65536'" },
		{ "smtp://h:2x", "bad port '2x'" },
		{ "smtp://h:", "empty port" },
		{ "smtp://[::1", "unterminated IPv6" },
		{ "smtp://[::1]x", "after IPv6 literal" },
		{ "smtp://::1:25", "must be in brackets" },
		{ "smtp://u@h", "unexpected path, user, query or fragment" },
		{ "smtp://h/path", "unexpected path, user, query or fragment" },
		{ "smtp://h#frag", "unexpected path, user, query or fragment" },
		{ "smtp://[zz]:25", "'zz' in brackets is not an IPv6 address" },
		{ "smtp://[127.0.0.1]", "not an IPv6 address" },
		{ "smtp://[::1%]", "not an IPv6 address" },
		{ "smtp://h\x1b[2J", "bad character" },
	};
	struct target	t;
	char		err[256];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		assert_int_equal(target_parse(cases[i].url, &t, err,
		    sizeof err), -1);
		if (strstr(err, cases[i].says) == NULL)
			fail_msg("%s: got '%s'", cases[i].url, err);
	}
}

static void
test_timeout_parse(void **state)
{
	(void)state;
	assert_int_equal(timeout_parse("30"), 30000);
	assert_int_equal(timeout_parse("1.5"), 1500);
	assert_int_equal(timeout_parse("0.001"), 1);
	assert_int_equal(timeout_parse("86400"), 86400000);
	/* 0 ms would mean no timeout at all; NaN compares false. */
	assert_int_equal(timeout_parse("0.0004"), -1);
	assert_int_equal(timeout_parse("0"), -1);
	assert_int_equal(timeout_parse("-1"), -1);
	assert_int_equal(timeout_parse("nan"), -1);
	assert_int_equal(timeout_parse("inf"), -1);
	assert_int_equal(timeout_parse("86401"), -1);
	assert_int_equal(timeout_parse("1x"), -1);
	assert_int_equal(timeout_parse(""), -1);
}

static void
test_target_string(void **state)
{
	struct target	t;
	char		err[64], *s;

	(void)state;
	assert_int_equal(target_parse("imaps://[::1]", &t, err, sizeof err),
	    0);
	s = target_string(&t);
	assert_string_equal(s, "imaps://[::1]:993");
	free(s);
	target_free(&t);
}

/* EXTERNAL's credential is the TLS client certificate: no password. */
static void
test_offers_credentials(void **state)
{
	static const struct {
		const char	*cap;
		const char	*word;
		bool		 secret;
	} t[] = {
		{ "AUTH EXTERNAL", "AUTH", false },
		{ "AUTH=EXTERNAL", "AUTH", false },
		{ "auth external", "AUTH", false },
		{ "SASL EXTERNAL", "SASL", false },
		{ "AUTH EXTERNAL PLAIN", "AUTH", true },
		{ "AUTH=LOGIN", "AUTH", true },
		{ "SASL PLAIN", "SASL", true },
		{ "AUTH", "AUTH", true },
		{ "AUTHX PLAIN", "AUTH", false },
		{ "AUTH EXTERNALS", "AUTH", true },
		{ "8BITMIME", "AUTH", false },
	};
	struct strv	sv = { 0 };
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		strv_add(&sv, t[i].cap);
		if (strv_offers_credentials(&sv, t[i].word) != t[i].secret)
			fail_msg("%s: %s", t[i].cap, t[i].secret ?
			    "a credential missed" : "no credential there");
		strv_clear(&sv);
	}
}

static void
test_buf_and_strv(void **state)
{
	struct buf	b = { 0 };
	struct strv	sv = { 0 }, copy = { 0 };

	(void)state;
	buf_add(&b, "ab\0cd", 5);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.p, "ab\0cd", 5);
	buf_printf(&b, "%d", 42);
	assert_int_equal(b.len, 7);
	buf_consume(&b, 3);
	assert_memory_equal(b.p, "cd42", 5);
	buf_free(&b);

	strv_add(&sv, "STARTTLS");
	strv_add(&sv, "AUTH PLAIN LOGIN");
	assert_true(strv_has(&sv, "starttls"));
	assert_false(strv_has(&sv, "AUTH"));
	assert_true(strv_offers_credentials(&sv, "auth"));
	strv_copy(&copy, &sv);
	assert_int_equal(copy.n, 2);
	assert_string_equal(copy.v[1], "AUTH PLAIN LOGIN");
	strv_clear(&sv);
	strv_clear(&copy);
}

static void
test_base64(void **state)
{
	struct buf	b = { 0 };

	(void)state;
	assert_int_equal(b64_decode("VXNlcm5hbWU6", 12, &b), 0);
	assert_string_equal(b.p, "Username:");
	buf_reset(&b);
	assert_int_equal(b64_encode("\0alice\0pw", 9, &b), 0);
	assert_string_equal(b.p, "AGFsaWNlAHB3");
	buf_reset(&b);
	assert_int_equal(b64_decode("!!!", 3, &b), -1);
	buf_free(&b);
}

static void
test_c_unescape(void **state)
{
	struct buf	b = { 0 };
	char		err[64];

	(void)state;
	assert_int_equal(c_unescape("a\\r\\n\\x41\\e\\0\\\\", 16, &b, err,
	    sizeof err), 0);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.p, "a\r\nA\033\0\\", 8);
	buf_reset(&b);
	assert_int_equal(c_unescape("\\x4", 3, &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "two hex digits"));
	assert_int_equal(c_unescape("\\q", 2, &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown escape"));
	assert_int_equal(c_unescape("x\\", 2, &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "lone backslash"));
	buf_free(&b);
}

static void
test_format_wall(void **state)
{
	char	tmp[64];

	(void)state;
	format_wall(1609459200123456000LL, tmp, sizeof tmp);
	assert_string_equal(tmp, "2021-01-01T00:00:00.123456Z");
}

struct counter {
	int		 fired;
	struct loop	*loop;
};

static void
count_fire(void *arg)
{
	struct counter	*c = arg;

	c->fired++;
	loop_break(c->loop);
}

static void
test_loop_timer(void **state)
{
	struct counter	 c = { 0, NULL };
	struct timer	*t;
	int64_t		 start = mono_ns();

	(void)state;
	c.loop = loop_new();
	t = timer_new(c.loop, count_fire, &c);
	timer_set(t, 20);
	assert_true(timer_pending(t));
	loop_run(c.loop);
	assert_int_equal(c.fired, 1);
	assert_false(timer_pending(t));
	assert_true(mono_ns() - start >= 20 * 1000000LL);
	timer_free(t);
	loop_free(c.loop);
}

static void
test_loop_nothing_to_wait(void **state)
{
	struct loop	*loop = loop_new();

	(void)state;
	/* With no fds and no timers the loop says so, never sleeps. */
	assert_int_equal(loop_run_once(loop), -1);
	loop_free(loop);
}

static void
test_loop_defer(void **state)
{
	struct counter	c = { 0, NULL };

	(void)state;
	c.loop = loop_new();
	loop_defer(c.loop, count_fire, &c);
	loop_run(c.loop);
	assert_int_equal(c.fired, 1);
	loop_free(c.loop);
}

static int	sig_seen;

static void
on_signal(int signo, void *arg)
{
	struct loop	*loop = arg;

	sig_seen = signo;
	loop_break(loop);
}

static void
test_loop_signal(void **state)
{
	struct loop	*loop = loop_new();

	(void)state;
	loop_add_signal(loop, SIGUSR1, on_signal, loop);
	raise(SIGUSR1);
	loop_run(loop);
	assert_int_equal(sig_seen, SIGUSR1);
	loop_free(loop);
}

struct pipe_state {
	struct loop	*loop;
	char		 got[16];
	ssize_t		 n;
};

static void
on_read(int fd, short revents, void *arg)
{
	struct pipe_state *ps = arg;

	(void)revents;
	ps->n = read(fd, ps->got, sizeof ps->got);
	loop_del_fd(ps->loop, fd);
	loop_break(ps->loop);
}

static void
test_loop_fd(void **state)
{
	struct pipe_state	ps;
	int			fds[2];

	(void)state;
	memset(&ps, 0, sizeof ps);
	assert_int_equal(pipe(fds), 0);
	ps.loop = loop_new();
	loop_add_fd(ps.loop, fds[0], 1 /* POLLIN */, on_read, &ps);
	assert_int_equal(write(fds[1], "hi", 2), 2);
	loop_run(ps.loop);
	assert_int_equal(ps.n, 2);
	assert_memory_equal(ps.got, "hi", 2);
	loop_free(ps.loop);
	close(fds[0]);
	close(fds[1]);
}

struct seen {
	size_t		n;
	uint32_t	last_seq;
	char		last[32];
};

static void
on_event(const struct event *ev, void *arg)
{
	struct seen	*s = arg;

	s->n++;
	s->last_seq = ev->seq;
	snprintf(s->last, sizeof s->last, "%.*s", (int)ev->len, ev->data);
}

static void
test_evlog_retain(void **state)
{
	struct evlog		*log = evlog_new(true);
	struct event		 ev;
	struct seen		 s = { 0, 0, "" };
	const struct event	*e;
	char			 big[300000];
	size_t			 i;

	(void)state;
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
	struct seen	 s = { 0, 0, "" };

	(void)state;
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

/* ascii_run against the obvious loop, at every length and offset. */
static void
test_ascii_run(void **state)
{
	char	 s[200];
	size_t	 len, at, want;
	int	 c;

	(void)state;
	for (len = 0; len < 100; len++) {
		memset(s, 'a', sizeof s);
		assert_int_equal(ascii_run(s, len), len);
		for (at = 0; at < len; at++) {
			for (c = 0; c < 256; c += 7) {
				memset(s, ' ', len);
				s[len / 2] = '~';
				s[at] = (char)c;
				want = c >= 0x20 && c <= 0x7e ? len : at;
				assert_int_equal(ascii_run(s, len), want);
			}
		}
	}
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
		cmocka_unit_test(test_target_defaults),
		cmocka_unit_test(test_chunk_lines),
		cmocka_unit_test(test_ascii_run),
		cmocka_unit_test(test_target_errors),
		cmocka_unit_test(test_timeout_parse),
		cmocka_unit_test(test_target_string),
		cmocka_unit_test(test_buf_and_strv),
		cmocka_unit_test(test_offers_credentials),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_c_unescape),
		cmocka_unit_test(test_format_wall),
		cmocka_unit_test(test_loop_timer),
		cmocka_unit_test(test_loop_nothing_to_wait),
		cmocka_unit_test(test_loop_defer),
		cmocka_unit_test(test_loop_signal),
		cmocka_unit_test(test_loop_fd),
		cmocka_unit_test(test_evlog_retain),
		cmocka_unit_test(test_evlog_stream),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
