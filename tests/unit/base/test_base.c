/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for base: buffers, string vectors, encodings, time and the
 * poll loop.
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeout_parse),
		cmocka_unit_test(test_buf_and_strv),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_c_unescape),
		cmocka_unit_test(test_format_wall),
		cmocka_unit_test(test_loop_timer),
		cmocka_unit_test(test_loop_nothing_to_wait),
		cmocka_unit_test(test_loop_defer),
		cmocka_unit_test(test_loop_signal),
		cmocka_unit_test(test_loop_fd),
		cmocka_unit_test(test_ascii_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
