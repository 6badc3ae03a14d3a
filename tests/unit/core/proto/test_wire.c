/* SPDX-License-Identifier: ISC */
/*
 * The engine's count of what the client sends as content: IMAP client
 * literals typed across lines ({n} after its "+", {n+} at once), BDAT
 * chunks, and pipelined groups whose replies are matched in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "log/log.h"
#include "core/proto/proto_int.h"

struct seen {
	uint32_t	 flags[8];
	char		 verb[8][PP_VERB_MAX];
	size_t		 n;
};

static void
seen_cb(const struct pp_line *l, void *arg)
{
	struct seen	*s = arg;

	if (s->n < 8) {
		s->flags[s->n] = l->flags;
		snprintf(s->verb[s->n], PP_VERB_MAX, "%s", l->verb != NULL ?
		    l->verb : "");
		s->n++;
	}
}

/* Send a line; its wire form is returned in out (reset first). */
static int
cmd(struct pp *pp, const char *line, struct buf *out)
{
	buf_reset(out);
	return pp_command(pp, line, strlen(line), out, NULL);
}

static void
feed(struct pp *pp, const char *s)
{
	pp_feed(pp, s, strlen(s));
}

static void
test_literal_sync_across_lines(void **state)
{
	struct seen	 s = { 0 };
	struct pp	*pp = pp_new(PROTO_IMAP, seen_cb, &s);
	struct buf	 out = { 0 };

	(void)state;
	assert_int_equal(cmd(pp, "a APPEND INBOX {12}", &out), 0);
	/* Nothing of the literal goes before the server's "+". */
	assert_int_equal(pp_pending(pp), 1);
	assert_int_equal(pp_literal_due(pp), -1);
	assert_false(pp_line_is_body(pp, 3));
	feed(pp, "+ go ahead\r\n");
	assert_true(pp_wants_continuation(pp));
	assert_int_equal(pp_literal_due(pp), 12);
	assert_true(pp_line_is_body(pp, 3));
	assert_int_equal(cmd(pp, "abc", &out), 0);
	assert_int_equal(out.len, 5);
	assert_int_equal(pp_literal_due(pp), 7);
	/* An empty line is two bytes of the literal. */
	assert_int_equal(cmd(pp, "", &out), 0);
	assert_int_equal(pp_literal_due(pp), 5);
	assert_int_equal(cmd(pp, "xyz", &out), 0);
	/* The literal is complete; the command line is not. */
	assert_int_equal(pp_literal_due(pp), 0);
	assert_int_equal(pp_pending(pp), 0);
	assert_true(pp_wants_continuation(pp));
	assert_false(pp_line_is_body(pp, 0));
	assert_int_equal(cmd(pp, "", &out), 0);
	assert_memory_equal(out.p, "\r\n", 2);
	assert_int_equal(pp_literal_due(pp), -1);
	assert_int_equal(pp_pending(pp), 1);
	assert_false(pp_wants_continuation(pp));
	feed(pp, "a OK APPEND completed\r\n");
	assert_int_equal(pp_pending(pp), 0);
	assert_string_equal(s.verb[s.n - 1], "APPEND");
	buf_free(&out);
	pp_free(pp);
}

static void
test_literal_line_reaches_past(void **state)
{
	struct seen	 s = { 0 };
	struct pp	*pp = pp_new(PROTO_IMAP, seen_cb, &s);
	struct buf	 out = { 0 };

	(void)state;
	cmd(pp, "a LOGIN {5}", &out);
	feed(pp, "+ ok\r\n");
	/* "alice" is the literal; " {2+}" goes on with the command and
	 * announces a literal sent at once. */
	assert_int_equal(cmd(pp, "alice {2+}", &out), 0);
	assert_int_equal(pp_literal_due(pp), 2);
	assert_true(pp_wants_continuation(pp));
	cmd(pp, "", &out);
	assert_int_equal(pp_literal_due(pp), 0);
	cmd(pp, "", &out);
	assert_int_equal(pp_pending(pp), 1);
	assert_false(pp_wants_continuation(pp));
	buf_free(&out);
	pp_free(pp);
}

static void
test_literal_plus_and_bytes(void **state)
{
	struct seen	 s = { 0 };
	struct pp	*pp = pp_new(PROTO_IMAP, seen_cb, &s);
	struct buf	 out = { 0 };

	(void)state;
	cmd(pp, "APPEND Sent {4096+}", &out);
	/* No "+" for a non-synchronising literal: the client goes on. */
	assert_int_equal(pp_pending(pp), 0);
	assert_int_equal(pp_literal_due(pp), 4096);
	pp_client_bytes(pp, 4000);
	assert_int_equal(pp_literal_due(pp), 96);
	pp_client_bytes(pp, 96);
	assert_int_equal(pp_literal_due(pp), 0);
	cmd(pp, "", &out);
	assert_int_equal(pp_pending(pp), 1);
	/* A synchronising one whose "+" never comes sends nothing. */
	cmd(pp, "b APPEND INBOX {3}", &out);
	assert_int_equal(pp_pending(pp), 2);
	assert_int_equal(pp_literal_due(pp), -1);
	assert_false(pp_wants_continuation(pp));
	/* A refusal instead of "+": the next line is a command again. */
	feed(pp, "b NO [TOOBIG] no\r\n");
	assert_int_equal(pp_pending(pp), 1);
	assert_false(pp_line_is_body(pp, 0));
	buf_free(&out);
	pp_free(pp);
}

static void
test_bdat_chunk(void **state)
{
	struct seen	 s = { 0 };
	struct pp	*pp = pp_new(PROTO_SMTP, seen_cb, &s);
	struct buf	 out = { 0 };

	(void)state;
	assert_int_equal(cmd(pp, "BDAT 10 LAST", &out), 0);
	/* The chunk goes before any reply. */
	assert_int_equal(pp_chunk_due(pp), 10);
	assert_int_equal(pp_pending(pp), 0);
	assert_true(pp_wants_continuation(pp));
	assert_true(pp_line_is_body(pp, 100));
	/* Longer than what is due: refused, nothing counted. */
	assert_int_equal(cmd(pp, "0123456789x", &out), -2);
	assert_int_equal(pp_chunk_due(pp), 10);
	assert_int_equal(cmd(pp, "Hi:", &out), 0);
	assert_int_equal(pp_chunk_due(pp), 5);
	/* What is due exactly: sent without a line end. */
	assert_int_equal(cmd(pp, "there", &out), 0);
	assert_int_equal(out.len, 5);
	assert_int_equal(pp_chunk_due(pp), 0);
	assert_int_equal(pp_pending(pp), 1);
	assert_false(pp_wants_continuation(pp));
	feed(pp, "250 2.0.0 Ok: 10 octets\r\n");
	assert_int_equal(pp_pending(pp), 0);
	assert_string_equal(s.verb[0], "BDAT");
	/* BDAT 0 LAST has no chunk: its reply is awaited at once. */
	cmd(pp, "BDAT 0 LAST", &out);
	assert_int_equal(pp_chunk_due(pp), 0);
	assert_int_equal(pp_pending(pp), 1);
	buf_free(&out);
	pp_free(pp);
}

static void
test_pipelined_group(void **state)
{
	struct seen	 s = { 0 };
	struct pp	*pp = pp_new(PROTO_SMTP, seen_cb, &s);
	struct buf	 out = { 0 };

	(void)state;
	assert_false(pp_sync_point(pp, "MAIL FROM:<a@b>", 15));
	assert_false(pp_sync_point(pp, "RCPT TO:<c@d>", 13));
	assert_true(pp_sync_point(pp, "DATA", 4));
	assert_true(pp_sync_point(pp, "EHLO x", 6));
	assert_true(pp_sync_point(pp, "QUIT", 4));
	assert_false(pp_pipelining(pp));
	pp_pipeline(pp, true);
	cmd(pp, "MAIL FROM:<a@b>", &out);
	cmd(pp, "RCPT TO:<c@d>", &out);
	cmd(pp, "RCPT TO:<e@f>", &out);
	cmd(pp, "DATA", &out);
	pp_pipeline(pp, false);
	assert_int_equal(pp_pending(pp), 4);
	/* One reply short of the group: the rest stay awaited. */
	feed(pp, "250 ok\r\n250 ok\r\n550 no\r\n");
	assert_int_equal(pp_pending(pp), 1);
	assert_string_equal(s.verb[0], "MAIL");
	assert_string_equal(s.verb[1], "RCPT");
	assert_string_equal(s.verb[2], "RCPT");
	assert_true(s.flags[2] & EVF_PIPELINED);
	feed(pp, "354 go\r\n");
	assert_true(pp_data_mode(pp));
	/* Message lines never end a group. */
	assert_false(pp_sync_point(pp, "QUIT", 4));
	/* A reply past the group is unsolicited, never matched. */
	cmd(pp, ".", &out);
	feed(pp, "250 queued\r\n250 extra\r\n");
	assert_int_equal(pp_pending(pp), 0);
	assert_true(s.flags[s.n - 1] & EVF_UNSOLICITED);
	assert_false(s.flags[s.n - 2] & EVF_PIPELINED);
	buf_free(&out);
	pp_free(pp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_sync_across_lines),
		cmocka_unit_test(test_literal_line_reaches_past),
		cmocka_unit_test(test_literal_plus_and_bytes),
		cmocka_unit_test(test_bdat_chunk),
		cmocka_unit_test(test_pipelined_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
