/* SPDX-License-Identifier: ISC */
/*
 * Line-protocol engine tests: framing, SMTP/LMTP, IMAP, POP3, ManageSieve.
 *
 * Most tests describe a session as a script (commands and actions before
 * the server speaks, commands typed in answer to final lines) and the
 * exact trace of what the engine delivers.  Every such test runs the
 * server bytes whole, split at every byte position, and byte by byte:
 * the trace must be identical each time.
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
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

struct ctx {
	struct pp	 *pp;
	struct buf	  trace;
	const char	**script;	/* typed after a final line */
	size_t		  iscript;
	bool		  state;	/* trace pending/continuation/data */
	bool		  take_in_cb;
	size_t		  nlines;
	size_t		  nruns;	/* EVF_LINES events */
};

static const char *
status_name(enum reply_status st)
{
	static const char *names[] = {
		"", "OK", "INT", "TEMP", "NO", "BAD", "BYE", "PREAUTH"
	};

	return names[st];
}

/* Own names: the test links only the engine, not the event log. */
static const char *
flag_name(uint32_t bit)
{
	static const char *names[] = {
		"bare-lf", "bare-cr", "split", "nul", "no-eol", "literal",
		"dot-stuffed", "redacted", "injected", "end", "late", "body",
		"malformed", "unsolicited", "not-redacted", "security",
	};
	size_t	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (bit == 1U << i)
			return names[i];
	return "?";
}

static void
escape(struct buf *b, const char *p, size_t len)
{
	size_t	i;

	if (len > 200) {
		buf_printf(b, "<%zu bytes>", len);
		return;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf_addc(b, (char)c);
		else if (c == '\r')
			buf_adds(b, "\\r");
		else if (c == '\n')
			buf_adds(b, "\\n");
		else
			buf_printf(b, "\\x%02x", c);
	}
}

static void
send_line(struct ctx *c, const char *line)
{
	struct buf	out = { 0 };

	assert_int_equal(pp_command(c->pp, line, strlen(line), &out, NULL), 0);
	buf_adds(&c->trace, "> ");
	escape(&c->trace, out.p, out.len);
	buf_addc(&c->trace, '\n');
	buf_free(&out);
}

/* Script entries: commands separated by '\n', or actions "!timeout". */
static void
run_entry(struct ctx *c, const char *e)
{
	const char	*nl;
	char		*one;

	while (*e != '\0') {
		nl = strchr(e, '\n');
		one = nl ? xstrndup(e, (size_t)(nl - e)) : xstrdup(e);
		if (strcmp(one, "!timeout") == 0)
			pp_timeout(c->pp);
		else if (strcmp(one, "!greet") == 0)
			pp_expect_greeting(c->pp);
		else
			send_line(c, one);
		free(one);
		if (nl == NULL)
			break;
		e = nl + 1;
	}
}

static void	trace_line(const struct pp_line *, struct ctx *);

/*
 * How plain body lines are grouped into EVF_LINES events depends on where
 * the feeds were cut: trace them a line at a time, so every cut gives the
 * same trace.  c->nruns counts the groups.
 */
static void
trace_cb(const struct pp_line *l, void *arg)
{
	struct ctx	*c = arg;
	struct pp_line	 one;
	const char	*p = l->buf, *end = l->buf + l->len, *crlf;

	if (!(l->flags & EVF_LINES)) {
		trace_line(l, c);
		return;
	}
	c->nruns++;
	assert_true(l->len >= 4 && memcmp(end - 2, "\r\n", 2) == 0);
	one = *l;
	one.flags &= ~EVF_LINES;
	while (p < end) {
		crlf = memmem(p, (size_t)(end - p), "\r\n", 2);
		assert_non_null(crlf);
		one.buf = p;
		one.len = (size_t)(crlf - p);
		trace_line(&one, c);
		p = crlf + 2;
	}
}

static void
trace_line(const struct pp_line *l, struct ctx *c)
{
	struct buf	*t = &c->trace;
	struct buf	 held = { 0 };
	uint32_t	 bit;

	c->nlines++;
	buf_addc(t, '\'');
	escape(t, l->buf, l->len);
	buf_addc(t, '\'');
	for (bit = 1; bit != 0 && bit <= EVF_SECURITY; bit <<= 1)
		if (l->flags & bit)
			buf_printf(t, " %s", flag_name(bit));
	if (l->status != RS_NONE)
		buf_printf(t, " %s", status_name(l->status));
	if (l->code != -1)
		buf_printf(t, " %d", l->code);
	if (l->esc[0] != '\0')
		buf_printf(t, " esc=%s", l->esc);
	if (l->tag != NULL)
		buf_printf(t, " tag=%s", l->tag);
	if (l->verb != NULL)
		buf_printf(t, " v=%s", l->verb);
	if (l->greeting)
		buf_adds(t, " G");
	if (l->final)
		buf_adds(t, " F");
	if (l->starttls_ok)
		buf_adds(t, " TLS");
	if (l->starttls_refused)
		buf_adds(t, " REFUSED");
	if (c->state)
		buf_printf(t, " [p=%zu c=%d d=%d]", pp_pending(c->pp),
		    pp_wants_continuation(c->pp), pp_data_mode(c->pp));
	buf_addc(t, '\n');
	if (l->starttls_ok && c->take_in_cb) {
		pp_take_buffered(c->pp, &held);
		buf_adds(t, "taken '");
		escape(t, held.p, held.len);
		buf_adds(t, "'\n");
		buf_free(&held);
	}
	if (l->final && c->script != NULL && c->script[c->iscript] != NULL)
		run_entry(c, c->script[c->iscript++]);
}

struct scenario {
	enum proto_id	  proto;
	const char	 *setup;	/* entries before the server speaks */
	const char	**script;
	const char	 *input;
	size_t		  inlen;	/* 0: strlen(input) */
	bool		  eof;
	bool		  state;
	const char	 *expect;
};

/* One run with the input cut at the given points (sorted, in range). */
static char *
run_cuts(const struct scenario *s, const size_t *cuts, size_t ncuts)
{
	struct ctx	 c;
	struct buf	 held = { 0 };
	size_t		 len = s->inlen ? s->inlen : strlen(s->input);
	size_t		 i, from = 0;

	memset(&c, 0, sizeof c);
	c.pp = pp_new(s->proto, trace_cb, &c);
	c.script = s->script;
	c.state = s->state;
	if (s->setup != NULL)
		run_entry(&c, s->setup);
	for (i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		pp_feed(c.pp, s->input + from, to - from);
		from = to;
	}
	if (s->eof)
		pp_eof(c.pp);
	if (pp_take_buffered(c.pp, &held) > 0) {
		buf_adds(&c.trace, "held '");
		escape(&c.trace, held.p, held.len);
		buf_adds(&c.trace, "'\n");
	}
	buf_free(&held);
	pp_free(c.pp);
	buf_addc(&c.trace, '\0');
	return c.trace.p;
}

/* Whole, every two-way split, byte by byte: all give s->expect. */
static void
check(const struct scenario *s)
{
	size_t	 len = s->inlen ? s->inlen : strlen(s->input);
	size_t	 k, *cuts;
	char	*got;

	got = run_cuts(s, NULL, 0);
	assert_string_equal(got, s->expect);
	free(got);
	for (k = 1; k < len; k++) {
		got = run_cuts(s, &k, 1);
		if (strcmp(got, s->expect) != 0)
			print_error("split at %zu\n", k);
		assert_string_equal(got, s->expect);
		free(got);
	}
	cuts = xcalloc(len + 1, sizeof *cuts);
	for (k = 1; k < len; k++)
		cuts[k - 1] = k;
	got = run_cuts(s, cuts, len > 0 ? len - 1 : 0);
	assert_string_equal(got, s->expect);
	free(got);
	free(cuts);
}

/* Framing. */

static void
test_frame_endings(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.input = "* a\r\n* b\n* c\rd\r\n* e\r\r\n\r\n* f\r\r\r\n",
		.expect =
		    "'* a' end\n"
		    "'* b' bare-lf end\n"
		    "'* c\\rd' bare-cr end\n"
		    "'* e\\r' bare-cr end\n"
		    "'' end malformed unsolicited\n"
		    "'* f\\r\\r' bare-cr end\n",
	};

	(void)state;
	check(&s);
}

static void
test_frame_nul(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.input = "* a\0b\r\n* \0\0\r\n* c\r\n",
		.inlen = 18,
		.expect =
		    "'* a\\x00b' nul end\n"
		    "'* \\x00\\x00' nul end\n"
		    "'* c' end\n",
	};

	(void)state;
	check(&s);
}

static void
test_frame_eof_partial(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.input = "* a\r\n* partial",
		.eof = true,
		.expect =
		    "'* a' end\n"
		    "'* partial' no-eol end\n",
	};
	struct scenario s2 = {
		.proto = PROTO_IMAP,
		.input = "* x\r",
		.eof = true,
		.expect = "'* x\\r' bare-cr no-eol end\n",
	};
	struct scenario s3 = {
		.proto = PROTO_IMAP,
		.input = "* x\r\n",
		.eof = true,
		.expect = "'* x' end\n",
	};

	(void)state;
	check(&s);
	check(&s2);
	check(&s3);
}

struct count {
	size_t	pieces;
	size_t	split;
	size_t	bytes;
	size_t	maxlen;
	size_t	lastlen;
	uint32_t lastflags;
	bool	nul;
};

static void
count_cb(const struct pp_line *l, void *arg)
{
	struct count	*c = arg;

	c->pieces++;
	c->bytes += l->len;
	if (l->len > c->maxlen)
		c->maxlen = l->len;
	if (l->flags & EVF_SPLIT)
		c->split++;
	if (l->flags & EVF_NUL)
		c->nul = true;
	c->lastlen = l->len;
	c->lastflags = l->flags;
}

static void
feed_chunks(struct pp *pp, const char *p, size_t len, size_t chunk)
{
	size_t	off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		pp_feed(pp, p + off, n);
	}
}

static void
test_frame_long_lines(void **state)
{
	size_t		 sizes[] = { LINE_MAX_BYTES - 1, LINE_MAX_BYTES,
			    LINE_MAX_BYTES + 1, 2 * LINE_MAX_BYTES,
			    2 * LINE_MAX_BYTES + 5 };
	size_t		 chunks[] = { 1, 7, 4096, 65536, 1 << 20 };
	size_t		 i, j, len;
	struct count	 c;
	struct pp	*pp;
	char		*p;

	(void)state;
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		len = sizes[i];
		p = xmalloc(len + 2);
		memset(p, 'x', len);
		p[0] = '*';
		p[1] = ' ';
		memcpy(p + len, "\r\n", 2);
		for (j = 0; j < sizeof chunks / sizeof chunks[0]; j++) {
			memset(&c, 0, sizeof c);
			pp = pp_new(PROTO_IMAP, count_cb, &c);
			feed_chunks(pp, p, len + 2, chunks[j]);
			assert_int_equal(c.pieces,
			    (len + LINE_MAX_BYTES - 1) / LINE_MAX_BYTES);
			assert_int_equal(c.split, c.pieces - 1);
			assert_int_equal(c.bytes, len);
			assert_true(c.maxlen <= LINE_MAX_BYTES);
			assert_true(c.lastflags & EVF_END);
			assert_false(c.lastflags & (EVF_SPLIT | EVF_BARE_CR));
			pp_free(pp);
		}
		free(p);
	}
}

/* A full piece followed by a CR that turns out bare. */
static void
test_frame_cr_at_piece_boundary(void **state)
{
	size_t		 len = LINE_MAX_BYTES;
	struct count	 c;
	struct pp	*pp;
	char		*p;

	(void)state;
	p = xmalloc(len + 4);
	memset(p, 'y', len);
	memcpy(p + len, "\rz\r\n", 4);
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_IMAP, count_cb, &c);
	pp_feed(pp, p, len + 1);
	assert_int_equal(c.pieces, 0);
	pp_feed(pp, p + len + 1, 3);
	assert_int_equal(c.pieces, 2);
	assert_int_equal(c.split, 1);
	assert_int_equal(c.lastlen, 2);
	assert_true(c.lastflags & EVF_BARE_CR);
	pp_free(pp);
	free(p);
}

/*
 * SMTP DATA: every line starting with "." goes out with a second one; a
 * lone "." ends the message, unless pp_body_line() says it is the
 * message's own (a composed message's line).
 */
static void
test_data_dots(void **state)
{
	struct count	 c;
	struct pp	*pp;
	struct buf	 w = { 0 };

	(void)state;
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_SMTP, count_cb, &c);
	assert_int_equal(pp_command(pp, "DATA", 4, &w, NULL), 0);
	pp_feed(pp, "354 go\r\n", 8);
	assert_true(pp_data_mode(pp));
	buf_reset(&w);
	assert_int_equal(pp_command(pp, ".x", 2, &w, NULL), 0);
	assert_int_equal(w.len, 5);
	assert_memory_equal(w.p, "..x\r\n", 5);
	pp_body_line(pp);
	buf_reset(&w);
	assert_int_equal(pp_command(pp, ".", 1, &w, NULL), 0);
	assert_int_equal(w.len, 4);
	assert_memory_equal(w.p, "..\r\n", 4);
	assert_true(pp_data_mode(pp));
	/* Once only: the next lone dot ends the message. */
	buf_reset(&w);
	assert_int_equal(pp_command(pp, ".", 1, &w, NULL), 0);
	assert_memory_equal(w.p, ".\r\n", 3);
	assert_false(pp_data_mode(pp));
	/* Outside DATA it means nothing. */
	pp_body_line(pp);
	assert_false(pp->body_dot);
	buf_free(&w);
	pp_free(pp);
}

static void
test_frame_10mb_line(void **state)
{
	size_t		 len = 10 * 1024 * 1024;
	struct count	 c;
	struct pp	*pp;
	char		*p;

	(void)state;
	p = xmalloc(len);
	memset(p, 'z', len);
	p[12345] = '\0';
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_SMTP, count_cb, &c);
	pp_feed(pp, "250-", 4);
	feed_chunks(pp, p, len, 8191);
	/* Nothing beyond one piece is held while the line goes on. */
	assert_true(pp->line.cap <= 2 * LINE_MAX_BYTES);
	pp_feed(pp, "\r\n", 2);
	assert_int_equal(c.pieces, (len + 4 + LINE_MAX_BYTES - 1) /
	    LINE_MAX_BYTES);
	assert_int_equal(c.split, c.pieces - 1);
	assert_int_equal(c.bytes, len + 4);
	assert_true(c.maxlen <= LINE_MAX_BYTES);
	assert_true(c.nul);
	pp_free(pp);
	free(p);
}

/* The callback feeds and types; order stays that of the wire. */
struct reenter {
	struct pp	*pp;
	struct buf	 trace;
	struct buf	 wire;
	int		 n;
};

static void
reenter_cb(const struct pp_line *l, void *arg)
{
	struct reenter	*r = arg;

	buf_add(&r->trace, l->buf, l->len);
	buf_addc(&r->trace, '|');
	if (r->n++ == 0) {
		pp_feed(r->pp, "250 c\r\n", 7);
		assert_int_equal(pp_command(r->pp, "NOOP", 4, &r->wire, NULL), 0);
		pp_eof(r->pp);
	}
}

static void
test_reentrant_callback(void **state)
{
	struct reenter	r;

	(void)state;
	memset(&r, 0, sizeof r);
	r.pp = pp_new(PROTO_SMTP, reenter_cb, &r);
	pp_feed(r.pp, "250 a\r\n250 b\r\n250 d", 19);
	assert_string_equal(r.trace.p, "250 a|250 b|250 d250 c|");
	assert_string_equal(r.wire.p, "NOOP\r\n");
	assert_int_equal(pp_pending(r.pp), 0);
	buf_free(&r.trace);
	buf_free(&r.wire);
	pp_free(r.pp);
}

static void
test_command_rejects_crlf(void **state)
{
	struct pp	*pp;
	struct buf	 out = { 0 };
	struct count	 c;

	(void)state;
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_SMTP, count_cb, &c);
	assert_int_equal(pp_command(pp, "NOOP\r\nQUIT", 10, &out, NULL), -1);
	assert_int_equal(pp_command(pp, "NOOP\n", 5, &out, NULL), -1);
	assert_int_equal(pp_command(pp, "NO\rOP", 5, &out, NULL), -1);
	assert_int_equal(out.len, 0);
	assert_int_equal(pp_pending(pp), 0);
	assert_int_equal(pp_command(pp, "NO\0OP", 5, &out, NULL), 0);
	assert_int_equal(out.len, 7);
	assert_memory_equal(out.p, "NO\0OP\r\n", 7);
	buf_free(&out);
	pp_free(pp);
}

/* SMTP. */

static const char *ehlo_script[] = { "EHLO me", NULL };

static void
test_smtp_greeting_ehlo_caps(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "!greet",
		.script = ehlo_script,
		.input = "220-mx.test ESMTP\r\n220 second\r\n"
		    "250-mx.test hello\r\n250-SIZE 10240000\r\n"
		    "250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n",
		.expect =
		    "'220-mx.test ESMTP' OK 220 G\n"
		    "'220 second' end OK 220 G F\n"
		    "> EHLO me\\r\\n\n"
		    "'250-mx.test hello' OK 250 v=EHLO\n"
		    "'250-SIZE 10240000' OK 250 v=EHLO\n"
		    "'250-AUTH PLAIN LOGIN' OK 250 v=EHLO\n"
		    "'250 STARTTLS' end OK 250 v=EHLO F\n",
	};
	struct pp	*pp;
	struct count	 c;
	struct buf	 out = { 0 };
	const char	*in = s.input;

	(void)state;
	check(&s);

	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_SMTP, count_cb, &c);
	pp_expect_greeting(pp);
	assert_int_equal(pp_pending(pp), 1);
	pp_feed(pp, in, 31);
	assert_int_equal(pp_pending(pp), 0);
	assert_false(pp_caps_known(pp));
	assert_string_equal(pp_caps_cmd(pp, "me"), "EHLO me");
	assert_int_equal(pp_command(pp, "EHLO me", 7, &out, NULL), 0);
	pp_feed(pp, in + 31, strlen(in) - 31);
	assert_true(pp_caps_known(pp));
	assert_int_equal(pp_caps(pp)->n, 3);
	assert_string_equal(pp_caps(pp)->v[0], "SIZE 10240000");
	assert_string_equal(pp_caps(pp)->v[1], "AUTH PLAIN LOGIN");
	assert_string_equal(pp_caps(pp)->v[2], "STARTTLS");
	assert_true(pp_cap_starttls(pp));
	pp_caps_reset(pp);
	assert_false(pp_caps_known(pp));
	assert_false(pp_cap_starttls(pp));
	assert_int_equal(pp_caps(pp)->n, 0);
	buf_free(&out);
	pp_free(pp);
}

/* Per line: whether it lists STARTTLS (the class bit) and its range. */
static void
cap_cb(const struct pp_line *l, void *arg)
{
	struct buf	*b = arg;
	struct ev_class	 c;

	pp_class(l, &c);
	buf_printf(b, "%c%zu+%zu ", (c.bits & EVC_TLS_CAP) ? 'T' : '-',
	    l->cap_first, l->cap_n);
}

/*
 * The line that lists STARTTLS (STLS) is the engine's knowledge, whatever
 * the protocol lays its capabilities out as: one a line (SMTP, POP3), all
 * on one (IMAP, the greeting's too).
 */
static void
test_starttls_cap_line(void **state)
{
	struct pp	*pp;
	struct buf	 b = { 0 }, out = { 0 };
	const char	*smtp = "250-mx.test hello\r\n250-SIZE 1\r\n"
	    "250-STARTTLS\r\n250 8BITMIME\r\n";
	const char	*imap = "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n";
	const char	*imap2 = "* CAPABILITY IMAP4rev1 IDLE\r\n"
	    "a001 OK done\r\n";
	const char	*pop3 = "+OK\r\nUSER\r\nSTLS\r\n.\r\n";

	(void)state;
	pp = pp_new(PROTO_SMTP, cap_cb, &b);
	assert_int_equal(pp_command(pp, "EHLO me", 7, &out, NULL), 0);
	pp_feed(pp, smtp, strlen(smtp));
	buf_addc(&b, '\0');
	assert_string_equal(b.p, "-0+0 -0+1 T1+1 -2+1 ");
	pp_free(pp);

	buf_reset(&b);
	pp = pp_new(PROTO_IMAP, cap_cb, &b);
	pp_expect_greeting(pp);
	pp_feed(pp, imap, strlen(imap));
	buf_reset(&out);
	assert_int_equal(pp_command(pp, "a001 CAPABILITY", 15, &out, NULL),
	    0);
	pp_feed(pp, imap2, strlen(imap2));
	buf_addc(&b, '\0');
	assert_string_equal(b.p, "T0+2 -0+2 -2+0 ");
	pp_free(pp);

	buf_reset(&b);
	pp = pp_new(PROTO_POP3, cap_cb, &b);
	buf_reset(&out);
	assert_int_equal(pp_command(pp, "CAPA", 4, &out, NULL), 0);
	pp_feed(pp, pop3, strlen(pop3));
	buf_addc(&b, '\0');
	assert_string_equal(b.p, "-0+0 -0+1 T1+1 -2+0 ");
	pp_free(pp);
	buf_free(&b);
	buf_free(&out);
}

static void
test_smtp_greeting_554(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "!greet",
		.input = "554 5.3.2 go away\r\n",
		.expect = "'554 5.3.2 go away' end NO 554 esc=5.3.2 G F\n",
	};

	(void)state;
	check(&s);
}

static void
test_smtp_pipelining(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "MAIL FROM:<a@x>\nRCPT TO:<b@x>\nRCPT TO:<c@x>\nDATA",
		.state = true,
		.input = "250 2.1.0 ok\r\n550 5.1.1 unknown\r\n"
		    "450-4.2.0 busy\r\n450 4.2.0 later\r\n354 go ahead\r\n",
		.expect =
		    "> MAIL FROM:<a@x>\\r\\n\n"
		    "> RCPT TO:<b@x>\\r\\n\n"
		    "> RCPT TO:<c@x>\\r\\n\n"
		    "> DATA\\r\\n\n"
		    "'250 2.1.0 ok' end OK 250 esc=2.1.0 v=MAIL F"
		    " [p=3 c=0 d=0]\n"
		    "'550 5.1.1 unknown' end NO 550 esc=5.1.1 v=RCPT F"
		    " [p=2 c=0 d=0]\n"
		    "'450-4.2.0 busy' TEMP 450 esc=4.2.0 v=RCPT [p=2 c=0 d=0]\n"
		    "'450 4.2.0 later' end TEMP 450 esc=4.2.0 v=RCPT F"
		    " [p=1 c=0 d=0]\n"
		    "'354 go ahead' end INT 354 v=DATA F [p=0 c=0 d=1]\n",
	};

	(void)state;
	check(&s);
}

static const char *data_script[] = {
	"Subject: x\n.hidden\n..two\n\n. \n.",
	NULL
};

static void
test_smtp_data_dotstuff(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "DATA",
		.script = data_script,
		.state = true,
		.input = "354 end with .\r\n250 2.0.0 queued\r\n",
		.expect =
		    "> DATA\\r\\n\n"
		    "'354 end with .' end INT 354 v=DATA F [p=0 c=0 d=1]\n"
		    "> Subject: x\\r\\n\n"
		    "> ..hidden\\r\\n\n"
		    "> ...two\\r\\n\n"
		    "> \\r\\n\n"
		    "> .. \\r\\n\n"
		    "> .\\r\\n\n"
		    "'250 2.0.0 queued' end OK 250 esc=2.0.0 v=DATA F"
		    " [p=0 c=0 d=0]\n",
	};

	(void)state;
	check(&s);
}

static void
test_smtp_malformed(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "NOOP\nNOOP\nNOOP\nNOOP\nNOOP\nNOOP\nRSET",
		.state = true,
		.input = "25\r\n2500 x\r\nabc\r\n250-a\r\n251 b\r\n"
		    "250-c\r\n\r\n650 d\r\n250 ok\r\n",
		.expect =
		    "> NOOP\\r\\n\n> NOOP\\r\\n\n> NOOP\\r\\n\n> NOOP\\r\\n\n"
		    "> NOOP\\r\\n\n> NOOP\\r\\n\n> RSET\\r\\n\n"
		    "'25' end malformed v=NOOP F [p=6 c=0 d=0]\n"
		    "'2500 x' end malformed v=NOOP F [p=5 c=0 d=0]\n"
		    "'abc' end malformed v=NOOP F [p=4 c=0 d=0]\n"
		    "'250-a' OK 250 v=NOOP [p=4 c=0 d=0]\n"
		    "'251 b' end malformed OK 251 v=NOOP F [p=3 c=0 d=0]\n"
		    "'250-c' OK 250 v=NOOP [p=3 c=0 d=0]\n"
		    "'' end malformed v=NOOP F [p=2 c=0 d=0]\n"
		    "'650 d' end malformed v=NOOP F [p=1 c=0 d=0]\n"
		    "'250 ok' end OK 250 v=RSET F [p=0 c=0 d=0]\n",
	};

	(void)state;
	check(&s);
}

static void
test_smtp_code_only_and_esc(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "NOOP\nNOOP\nNOOP\nNOOP\nNOOP",
		.input = "250\r\n250 25.0.0 x\r\n250 2.0 x\r\n"
		    "550 5.7.1\r\n421 4.4.2x y\r\n",
		.expect =
		    "> NOOP\\r\\n\n> NOOP\\r\\n\n> NOOP\\r\\n\n> NOOP\\r\\n\n"
		    "> NOOP\\r\\n\n"
		    "'250' end OK 250 v=NOOP F\n"
		    "'250 25.0.0 x' end OK 250 v=NOOP F\n"
		    "'250 2.0 x' end OK 250 v=NOOP F\n"
		    "'550 5.7.1' end NO 550 esc=5.7.1 v=NOOP F\n"
		    "'421 4.4.2x y' end TEMP 421 v=NOOP F\n",
	};

	(void)state;
	check(&s);
}

static void
test_smtp_starttls_injection(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "STARTTLS",
		.input = "220 2.0.0 go ahead\r\n250-x\r\n"
		    "250 AUTH PLAIN LOGIN\r\n",
		.expect =
		    "> STARTTLS\\r\\n\n"
		    "'220 2.0.0 go ahead' end OK 220 esc=2.0.0 v=STARTTLS"
		    " F TLS\n"
		    "held '250-x\\r\\n250 AUTH PLAIN LOGIN\\r\\n'\n",
	};

	(void)state;
	check(&s);
}

static void
test_smtp_starttls_held_until_taken(void **state)
{
	struct ctx	 c;
	struct buf	 out = { 0 };

	(void)state;
	memset(&c, 0, sizeof c);
	c.pp = pp_new(PROTO_SMTP, trace_cb, &c);
	send_line(&c, pp_starttls_cmd(c.pp));
	pp_feed(c.pp, "220 go\r\n", 8);
	pp_feed(c.pp, "250 injected\r\n", 14);
	pp_eof(c.pp);
	assert_int_equal(c.nlines, 1);
	assert_int_equal(pp_take_buffered(c.pp, &out), 14);
	assert_string_equal(out.p, "250 injected\r\n");
	assert_int_equal(pp_take_buffered(c.pp, &out), 0);
	/* Parsing resumes once taken. */
	pp_feed(c.pp, "250 later\r\n", 11);
	assert_int_equal(c.nlines, 2);
	buf_addc(&c.trace, '\0');
	assert_string_equal(c.trace.p,
	    "> STARTTLS\\r\\n\n"
	    "'220 go' end OK 220 v=STARTTLS F TLS\n"
	    "'250 later' end unsolicited OK 250\n");
	buf_free(&out);
	buf_free(&c.trace);
	pp_free(c.pp);
}

static void
test_smtp_starttls_take_in_callback(void **state)
{
	struct ctx	 c;

	(void)state;
	memset(&c, 0, sizeof c);
	c.take_in_cb = true;
	c.pp = pp_new(PROTO_SMTP, trace_cb, &c);
	send_line(&c, "STARTTLS");
	pp_feed(c.pp, "220 go\r\n250 x\r\n", 15);
	buf_addc(&c.trace, '\0');
	assert_string_equal(c.trace.p,
	    "> STARTTLS\\r\\n\n"
	    "'220 go' end OK 220 v=STARTTLS F TLS\n"
	    "taken '250 x\\r\\n'\n");
	buf_free(&c.trace);
	pp_free(c.pp);
}

static void
test_smtp_starttls_refused(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "STARTTLS\nNOOP",
		.input = "454 4.7.0 TLS not available\r\n250 ok\r\n",
		.expect =
		    "> STARTTLS\\r\\n\n> NOOP\\r\\n\n"
		    "'454 4.7.0 TLS not available' end TEMP 454 esc=4.7.0"
		    " v=STARTTLS F REFUSED\n"
		    "'250 ok' end OK 250 v=NOOP F\n",
	};
	struct scenario garbled = {
		.proto = PROTO_SMTP,
		.setup = "STARTTLS",
		.input = "250-x\r\n220 go\r\n250 more\r\n",
		.expect =
		    "> STARTTLS\\r\\n\n"
		    "'250-x' OK 250 v=STARTTLS\n"
		    "'220 go' end malformed OK 220 v=STARTTLS F REFUSED\n"
		    "'250 more' end unsolicited OK 250\n",
	};

	(void)state;
	check(&s);
	check(&garbled);
}

static const char *auth_script[] = { "dXNlcg==", "cGFzcw==", NULL };

static void
test_smtp_auth_continuation(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "AUTH LOGIN",
		.script = auth_script,
		.state = true,
		.input = "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n"
		    "235 2.7.0 Authentication successful\r\n",
		.expect =
		    "> AUTH LOGIN\\r\\n\n"
		    "'334 VXNlcm5hbWU6' end INT 334 v=AUTH F [p=0 c=1 d=0]\n"
		    "> dXNlcg==\\r\\n\n"
		    "'334 UGFzc3dvcmQ6' end INT 334 v=AUTH F [p=0 c=1 d=0]\n"
		    "> cGFzcw==\\r\\n\n"
		    "'235 2.7.0 Authentication successful' end OK 235"
		    " esc=2.7.0 v=AUTH F [p=0 c=0 d=0]\n",
	};

	(void)state;
	check(&s);
}

static void
test_smtp_auth_rejected(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "AUTH PLAIN\nNOOP",
		.script = (const char *[]){ "*", NULL },
		.state = true,
		.input = "334 \r\n501 5.7.0 cancelled\r\n250 ok\r\n",
		.expect =
		    "> AUTH PLAIN\\r\\n\n> NOOP\\r\\n\n"
		    "'334 ' end INT 334 v=AUTH F [p=1 c=1 d=0]\n"
		    "> *\\r\\n\n"
		    "'501 5.7.0 cancelled' end NO 501 esc=5.7.0 v=AUTH F"
		    " [p=1 c=0 d=0]\n"
		    "'250 ok' end OK 250 v=NOOP F [p=0 c=0 d=0]\n",
	};

	(void)state;
	check(&s);
}

static void
test_smtp_late_reply(void **state)
{
	struct scenario s = {
		.proto = PROTO_SMTP,
		.setup = "NOOP\n!timeout\nRSET",
		.state = true,
		.input = "250-slow\r\n250 noop\r\n250 rset\r\n421 bye\r\n",
		.expect =
		    "> NOOP\\r\\n\n> RSET\\r\\n\n"
		    "'250-slow' late OK 250 v=NOOP [p=1 c=0 d=0]\n"
		    "'250 noop' end late OK 250 v=NOOP F [p=1 c=0 d=0]\n"
		    "'250 rset' end OK 250 v=RSET F [p=0 c=0 d=0]\n"
		    "'421 bye' end unsolicited TEMP 421 [p=0 c=0 d=0]\n",
	};
	struct pp	*pp;
	struct count	 c;
	struct buf	 out = { 0 };

	(void)state;
	check(&s);
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_SMTP, count_cb, &c);
	pp_command(pp, "NOOP", 4, &out, NULL);
	pp_command(pp, "NOOP", 4, &out, NULL);
	assert_int_equal(pp_pending(pp), 2);
	pp_timeout(pp);
	assert_int_equal(pp_pending(pp), 1);
	pp_timeout(pp);
	assert_int_equal(pp_pending(pp), 0);
	pp_feed(pp, "250 a\r\n", 7);
	assert_true(c.lastflags & EVF_LATE);
	pp_feed(pp, "250 b\r\n", 7);
	assert_true(c.lastflags & EVF_LATE);
	pp_feed(pp, "250 c\r\n", 7);
	assert_true(c.lastflags & EVF_UNSOLICITED);
	assert_false(c.lastflags & EVF_LATE);
	buf_free(&out);
	pp_free(pp);
}

static void
test_lmtp_data_replies(void **state)
{
	struct scenario s = {
		.proto = PROTO_LMTP,
		.setup = "LHLO me\nMAIL FROM:<a@x>\nRCPT TO:<b@x>\n"
		    "RCPT TO:<c@x>\nRCPT TO:<d@x>\nDATA",
		.script = (const char *[]){ "", "", "", "", "", "hi\n.", NULL },
		.input = "250-lmtp.test\r\n250 PIPELINING\r\n250 ok\r\n"
		    "250 ok b\r\n550 no c\r\n250 ok d\r\n354 go\r\n"
		    "250 2.0.0 b delivered\r\n452 4.2.2 d over quota\r\n",
		.expect =
		    "> LHLO me\\r\\n\n> MAIL FROM:<a@x>\\r\\n\n"
		    "> RCPT TO:<b@x>\\r\\n\n> RCPT TO:<c@x>\\r\\n\n"
		    "> RCPT TO:<d@x>\\r\\n\n> DATA\\r\\n\n"
		    "'250-lmtp.test' OK 250 v=LHLO\n"
		    "'250 PIPELINING' end OK 250 v=LHLO F\n"
		    "'250 ok' end OK 250 v=MAIL F\n"
		    "'250 ok b' end OK 250 v=RCPT F\n"
		    "'550 no c' end NO 550 v=RCPT F\n"
		    "'250 ok d' end OK 250 v=RCPT F\n"
		    "'354 go' end INT 354 v=DATA F\n"
		    "> hi\\r\\n\n> .\\r\\n\n"
		    "'250 2.0.0 b delivered' end OK 250 esc=2.0.0 v=DATA\n"
		    "'452 4.2.2 d over quota' end TEMP 452 esc=4.2.2"
		    " v=DATA F\n",
	};

	(void)state;
	check(&s);
}

static void
test_smtp_unsolicited_and_bounded_caps(void **state)
{
	struct pp	*pp;
	struct count	 c;
	struct buf	 out = { 0 };
	int		 i;

	(void)state;
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_SMTP, count_cb, &c);
	pp_command(pp, "EHLO me", 7, &out, NULL);
	pp_feed(pp, "250-hi\r\n", 8);
	for (i = 0; i < 100000; i++)
		pp_feed(pp, "250-CAP\r\n", 9);
	assert_int_equal(pp_caps(pp)->n, PP_CAPS_MAX);
	assert_true(pp->line.cap <= 2 * LINE_MAX_BYTES);
	assert_int_equal(c.pieces, 100001);
	assert_int_equal(pp_pending(pp), 1);
	pp_feed(pp, "250 END\r\n", 9);
	assert_int_equal(pp_pending(pp), 0);
	assert_true(pp_caps_known(pp));
	assert_true(c.lastflags & EVF_END);
	buf_free(&out);
	pp_free(pp);
}

/* IMAP. */

static void
test_imap_greeting_caps(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.setup = "!greet",
		.input = "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN "
		    "LOGINDISABLED] ready\r\n",
		.expect = "'* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN "
		    "LOGINDISABLED] ready' end OK G F\n",
	};
	struct pp	*pp;
	struct count	 c;

	(void)state;
	check(&s);
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_IMAP, count_cb, &c);
	pp_expect_greeting(pp);
	pp_feed(pp, s.input, strlen(s.input));
	assert_true(pp_caps_known(pp));
	assert_int_equal(pp_caps(pp)->n, 4);
	assert_string_equal(pp_caps(pp)->v[0], "IMAP4rev1");
	assert_string_equal(pp_caps(pp)->v[2], "AUTH=PLAIN");
	assert_string_equal(pp_caps(pp)->v[3], "LOGINDISABLED");
	assert_true(pp_cap_starttls(pp));
	assert_int_equal(pp_pending(pp), 0);
	pp_free(pp);

	/* A NUL inside an atom does not cut it to a capability it is not
	 * (found by fuzz_caps). */
	pp = pp_new(PROTO_IMAP, count_cb, &c);
	pp_expect_greeting(pp);
	pp_feed(pp, "* OK [CAPABILITY IMAP4rev1 STARTTLS\0x] hi\r\n", 43);
	assert_int_equal(pp_caps(pp)->n, 2);
	assert_string_equal(pp_caps(pp)->v[1], "STARTTLS\\0x");
	assert_false(pp_cap_starttls(pp));
	pp_free(pp);
}

static void
test_imap_greeting_kinds(void **state)
{
	struct scenario pre = {
		.proto = PROTO_IMAP,
		.setup = "!greet",
		.input = "* PREAUTH logged in\r\n* BYE\r\n",
		.expect = "'* PREAUTH logged in' end PREAUTH G F\n"
		    "'* BYE' end BYE\n",
	};
	struct scenario bad = {
		.proto = PROTO_IMAP,
		.setup = "!greet",
		.input = "+ hello\r\n* OK late\r\n",
		.expect = "'+ hello' end malformed G F\n"
		    "'* OK late' end OK\n",
	};
	struct scenario bye = {
		.proto = PROTO_IMAP,
		.setup = "!greet",
		.input = "* BYE too busy\r\n",
		.expect = "'* BYE too busy' end BYE G F\n",
	};

	(void)state;
	check(&pre);
	check(&bad);
	check(&bye);
}

static void
test_imap_autotag(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.setup = "capability\nx1 NOOP\nLOGIN alice secret\n"
		    "uid fetch 1:* FLAGS\nfoo bar",
		.state = true,
		.input = "* CAPABILITY IMAP4rev1 IDLE\r\n"
		    "x1 OK done\r\n"
		    "a001 OK [CAPABILITY IMAP4rev1 IDLE MOVE] ok\r\n"
		    "a003 BAD no\r\na002 NO [AUTHENTICATIONFAILED] bad\r\n"
		    "foo BYE weird\r\n",
		.expect =
		    "> a001 capability\\r\\n\n"
		    "> x1 NOOP\\r\\n\n"
		    "> a002 LOGIN alice secret\\r\\n\n"
		    "> a003 uid fetch 1:* FLAGS\\r\\n\n"
		    "> foo bar\\r\\n\n"
		    "'* CAPABILITY IMAP4rev1 IDLE' end v=CAPABILITY"
		    " [p=5 c=0 d=0]\n"
		    "'x1 OK done' end OK tag=x1 v=NOOP F [p=4 c=0 d=0]\n"
		    "'a001 OK [CAPABILITY IMAP4rev1 IDLE MOVE] ok' end OK"
		    " tag=a001 v=CAPABILITY F [p=3 c=0 d=0]\n"
		    "'a003 BAD no' end BAD tag=a003 v=UID F [p=2 c=0 d=0]\n"
		    "'a002 NO [AUTHENTICATIONFAILED] bad' end NO tag=a002"
		    " v=LOGIN F [p=1 c=0 d=0]\n"
		    "'foo BYE weird' end malformed tag=foo v=BAR F"
		    " [p=0 c=0 d=0]\n",
	};
	struct pp	*pp;
	struct count	 c;
	struct buf	 out = { 0 };

	(void)state;
	check(&s);
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_IMAP, count_cb, &c);
	assert_string_equal(pp_next_tag(pp), "a001");
	pp_command(pp, "NOOP", 4, &out, NULL);
	assert_string_equal(pp_next_tag(pp), "a002");
	pp_command(pp, "t9 NOOP", 7, &out, NULL);
	assert_string_equal(pp_next_tag(pp), "a002");
	pp_command(pp, "SELECT INBOX", 12, &out, NULL);
	assert_string_equal(pp_next_tag(pp), "a003");
	assert_string_equal(out.p,
	    "a001 NOOP\r\nt9 NOOP\r\na002 SELECT INBOX\r\n");
	pp_feed(pp, "* CAPABILITY IMAP4rev2 STARTTLS\r\n", 33);
	assert_int_equal(pp_caps(pp)->n, 2);
	assert_string_equal(pp_caps(pp)->v[0], "IMAP4rev2");
	assert_true(pp_cap_starttls(pp));
	buf_free(&out);
	pp_free(pp);
}

static void
test_imap_untagged_statuses(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.input = "* OK [ALERT] hi\r\n* NO x\r\n* BAD y\r\n* BYE z\r\n"
		    "* 5 EXISTS\r\nzz OK hm\r\n+ what\r\n+\r\n",
		.expect =
		    "'* OK [ALERT] hi' end OK\n"
		    "'* NO x' end NO\n"
		    "'* BAD y' end BAD\n"
		    "'* BYE z' end BYE\n"
		    "'* 5 EXISTS' end\n"
		    "'zz OK hm' end unsolicited OK tag=zz\n"
		    "'+ what' end unsolicited INT\n"
		    "'+' end unsolicited INT\n",
	};

	(void)state;
	check(&s);
}

static void
test_imap_literal_with_tagged_ok(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.setup = "FETCH 1 BODY[]",
		.state = true,
		.input = "* 1 FETCH (BODY[] {14}\r\na001 OK fake\r\n)\r\n"
		    "a001 OK done\r\n",
		.expect =
		    "> a001 FETCH 1 BODY[]\\r\\n\n"
		    "'* 1 FETCH (BODY[] {14}' v=FETCH [p=1 c=0 d=0]\n"
		    "'a001 OK fake\\r\\n' literal body v=FETCH [p=1 c=0 d=0]\n"
		    "')' end v=FETCH [p=1 c=0 d=0]\n"
		    "'a001 OK done' end OK tag=a001 v=FETCH F [p=0 c=0 d=0]\n",
	};

	(void)state;
	check(&s);
}

static void
test_imap_literal_chain_and_zero(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.input = "* 1 FETCH (A {3}\r\nabc B {0}\r\n C {2+}\r\n\r\n)\r\n"
		    "* 2 X {}\r\n* 3 X {-1}\r\n* 4 X {99999999999999999999}\r\n"
		    "* 5 X {foo}\r\n* 6 X {1+2}\r\n",
		.expect =
		    "'* 1 FETCH (A {3}'\n"
		    "'abc' literal body\n"
		    "' B {0}'\n"
		    "' C {2+}'\n"
		    "'\\r\\n' literal body\n"
		    "')' end\n"
		    "'* 2 X {}' end malformed\n"
		    "'* 3 X {-1}' end malformed\n"
		    "'* 4 X {99999999999999999999}' end malformed\n"
		    "'* 5 X {foo}' end\n"
		    "'* 6 X {1+2}' end malformed\n",
	};

	(void)state;
	check(&s);
}

static void
test_imap_literal_chunks(void **state)
{
	size_t		 n = 2 * LITERAL_CHUNK + 1234, hl;
	struct count	 c;
	struct pp	*pp;
	char		*p, hdr[64];

	(void)state;
	hl = (size_t)snprintf(hdr, sizeof hdr, "* 1 FETCH (BODY[] {%zu}\r\n",
	    n);
	p = xmalloc(hl + n + 3);
	memcpy(p, hdr, hl);
	memset(p + hl, '\n', n);
	memcpy(p + hl + n, ")\r\n", 3);
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_IMAP, count_cb, &c);
	pp_feed(pp, p, hl + 10);
	assert_int_equal(pp_expected_size(pp), (int64_t)n);
	assert_int_equal(pp_received_size(pp), 10);
	assert_int_equal(c.pieces, 1);
	feed_chunks(pp, p + hl + 10, n - 10, 999);
	assert_int_equal(c.pieces, 4);	/* line, 3 chunks */
	assert_int_equal(pp_received_size(pp), (int64_t)n);
	assert_int_equal(pp_expected_size(pp), (int64_t)n);
	pp_feed(pp, p + hl + n, 3);
	assert_int_equal(c.pieces, 5);	/* and ")" */
	assert_int_equal(c.bytes, hl - 2 + n + 1);
	assert_true(c.maxlen <= LITERAL_CHUNK);
	assert_true(c.lastflags & EVF_END);
	assert_int_equal(pp_expected_size(pp), -1);
	assert_int_equal(pp_received_size(pp), 0);
	pp_free(pp);
	free(p);
}

/* A literal marker cut by the LINE_MAX_BYTES split is still seen. */
static void
test_imap_literal_marker_at_split(void **state)
{
	struct ctx	 c;
	struct buf	 out = { 0 };
	size_t		 len, cut;
	char		*p;
	const char	*rest = "a001 OK x)\r\na001 OK done\r\n";

	(void)state;
	for (cut = 1; cut <= 4; cut++) {
		/* The marker "{09}" ends cut bytes after the piece end. */
		len = LINE_MAX_BYTES + cut;
		p = xmalloc(len + 2 + strlen(rest));
		memset(p, 'x', len);
		memcpy(p, "* 1 FETCH (", 11);
		memcpy(p + len - 4, "{09}", 4);
		memcpy(p + len, "\r\n", 2);
		memcpy(p + len + 2, rest, strlen(rest));
		memset(&c, 0, sizeof c);
		c.pp = pp_new(PROTO_IMAP, trace_cb, &c);
		pp_command(c.pp, "FETCH 1 BODY[]", 14, &out, NULL);
		pp_feed(c.pp, p, len + 2 + strlen(rest));
		buf_addc(&c.trace, '\0');
		assert_non_null(strstr(c.trace.p,
		    "'a001 OK x' literal body v=FETCH\n')' end v=FETCH\n"
		    "'a001 OK done' end OK tag=a001 v=FETCH F\n"));
		assert_int_equal(c.nlines, 5);
		assert_int_equal(pp_pending(c.pp), 0);
		buf_free(&c.trace);
		pp_free(c.pp);
		free(p);
	}
	buf_free(&out);
}

static void
test_imap_huge_literal_streams(void **state)
{
	struct count	 c;
	struct pp	*pp;
	char		*p;
	size_t		 i, n = 1 << 20;

	(void)state;
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_IMAP, count_cb, &c);
	pp_feed(pp, "* 1 FETCH (BODY[] {4294967296}\r\n", 32);
	assert_int_equal(pp_expected_size(pp), 4294967296LL);
	p = xmalloc(n);
	memset(p, 'A', n);
	memcpy(p, "\r\na001 OK x\r\n", 13);
	for (i = 0; i < 8; i++)
		pp_feed(pp, p, n);
	assert_int_equal(pp_received_size(pp), 8 * (int64_t)n);
	assert_int_equal(c.pieces, 1 + 8 * n / LITERAL_CHUNK);
	assert_true(c.lastflags & EVF_LITERAL);
	assert_true(pp->lit.cap <= 2 * LITERAL_CHUNK);
	/* EOF inside the literal delivers what is held. */
	pp_feed(pp, "tail", 4);
	pp_eof(pp);
	assert_int_equal(c.lastlen, 4);
	assert_true(c.lastflags & EVF_NOEOL);
	assert_true(c.lastflags & EVF_LITERAL);
	free(p);
	pp_free(pp);
}

static void
test_imap_client_literal(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.setup = "APPEND INBOX {5}",
		.script = (const char *[]){ "hello", NULL },
		.state = true,
		.input = "+ Ready\r\na001 OK APPEND done\r\n",
		.expect =
		    "> a001 APPEND INBOX {5}\\r\\n\n"
		    "'+ Ready' end INT v=APPEND F [p=0 c=1 d=0]\n"
		    "> hello\\r\\n\n"
		    "'a001 OK APPEND done' end OK tag=a001 v=APPEND F"
		    " [p=0 c=0 d=0]\n",
	};
	struct pp	*pp;
	struct count	 c;
	struct buf	 out = { 0 };

	(void)state;
	check(&s);
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_IMAP, count_cb, &c);
	pp_command(pp, "LOGIN {5}", 9, &out, NULL);
	assert_int_equal(pp_pending(pp), 1);
	assert_false(pp_wants_continuation(pp));
	pp_feed(pp, "+ go\r\n", 6);
	assert_int_equal(pp_pending(pp), 0);
	assert_true(pp_wants_continuation(pp));
	pp_command(pp, "alice {6+}", 10, &out, NULL);
	/* Non-synchronizing: the literal goes at once. */
	assert_true(pp_wants_continuation(pp));
	assert_string_equal(pp_next_tag(pp), "a002");
	pp_command(pp, "secret", 6, &out, NULL);
	assert_false(pp_wants_continuation(pp));
	assert_int_equal(pp_pending(pp), 1);
	assert_string_equal(out.p,
	    "a001 LOGIN {5}\r\nalice {6+}\r\nsecret\r\n");
	pp_feed(pp, "a001 OK\r\n", 9);
	assert_int_equal(pp_pending(pp), 0);
	buf_reset(&out);
	pp_command(pp, "APPEND INBOX {3+}", 17, &out, NULL);
	assert_true(pp_wants_continuation(pp));
	assert_int_equal(pp_pending(pp), 0);
	buf_free(&out);
	pp_free(pp);
}

static void
test_imap_authenticate_and_idle(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.setup = "AUTHENTICATE PLAIN",
		.script = (const char *[]){ "AGFsaWNlAHNlY3JldA==", "IDLE",
		    "DONE", NULL },
		.state = true,
		.input = "+ \r\na001 OK authenticated\r\n+ idling\r\n"
		    "* 3 EXISTS\r\na002 OK IDLE done\r\n",
		.expect =
		    "> a001 AUTHENTICATE PLAIN\\r\\n\n"
		    "'+ ' end INT v=AUTHENTICATE F [p=0 c=1 d=0]\n"
		    "> AGFsaWNlAHNlY3JldA==\\r\\n\n"
		    "'a001 OK authenticated' end OK tag=a001 v=AUTHENTICATE F"
		    " [p=0 c=0 d=0]\n"
		    "> a002 IDLE\\r\\n\n"
		    "'+ idling' end INT v=IDLE F [p=0 c=1 d=0]\n"
		    "> DONE\\r\\n\n"
		    "'* 3 EXISTS' end v=IDLE [p=1 c=0 d=0]\n"
		    "'a002 OK IDLE done' end OK tag=a002 v=IDLE F"
		    " [p=0 c=0 d=0]\n",
	};

	(void)state;
	check(&s);
}

static void
test_imap_starttls(void **state)
{
	struct scenario ok = {
		.proto = PROTO_IMAP,
		.setup = "STARTTLS",
		.input = "a001 OK Begin TLS\r\n"
		    "* CAPABILITY IMAP4rev1 AUTH=PLAIN"
		    "\r\na002 OK done\r\n",
		.expect =
		    "> a001 STARTTLS\\r\\n\n"
		    "'a001 OK Begin TLS' end OK tag=a001 v=STARTTLS F TLS\n"
		    "held '* CAPABILITY IMAP4rev1 AUTH=PLAIN\\r\\n"
		    "a002 OK done\\r\\n'\n",
	};
	struct scenario no = {
		.proto = PROTO_IMAP,
		.setup = "STARTTLS\nNOOP",
		.input = "a001 BAD no tls\r\na002 OK\r\n",
		.expect =
		    "> a001 STARTTLS\\r\\n\n> a002 NOOP\\r\\n\n"
		    "'a001 BAD no tls' end BAD tag=a001 v=STARTTLS F REFUSED\n"
		    "'a002 OK' end OK tag=a002 v=NOOP F\n",
	};

	(void)state;
	check(&ok);
	check(&no);
}

static void
test_imap_late(void **state)
{
	struct scenario s = {
		.proto = PROTO_IMAP,
		.setup = "NOOP\n!timeout\nNOOP",
		.state = true,
		.input = "a002 OK second\r\na001 OK first\r\n",
		.expect =
		    "> a001 NOOP\\r\\n\n> a002 NOOP\\r\\n\n"
		    "'a002 OK second' end OK tag=a002 v=NOOP F [p=0 c=0 d=0]\n"
		    "'a001 OK first' end late OK tag=a001 v=NOOP F"
		    " [p=0 c=0 d=0]\n",
	};

	(void)state;
	check(&s);
}

/* POP3. */

static void
test_pop3_greeting_capa(void **state)
{
	struct scenario s = {
		.proto = PROTO_POP3,
		.setup = "!greet",
		.script = (const char *[]){ "CAPA", NULL },
		.input = "+OK POP3 ready\r\n+OK Capability list follows\r\n"
		    "STLS\r\nSASL PLAIN LOGIN\r\nUSER\r\n.\r\n",
		.expect =
		    "'+OK POP3 ready' end OK G F\n"
		    "> CAPA\\r\\n\n"
		    "'+OK Capability list follows' OK v=CAPA\n"
		    "'STLS' v=CAPA\n"
		    "'SASL PLAIN LOGIN' v=CAPA\n"
		    "'USER' v=CAPA\n"
		    "'.' end OK v=CAPA F\n",
	};
	struct pp	*pp;
	struct count	 c;
	struct buf	 out = { 0 };

	(void)state;
	check(&s);
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_POP3, count_cb, &c);
	pp_command(pp, pp_caps_cmd(pp, "ignored"), 4, &out, NULL);
	assert_string_equal(out.p, "CAPA\r\n");
	pp_feed(pp, s.input + 16, strlen(s.input) - 16 - 3);
	assert_false(pp_caps_known(pp));
	assert_int_equal(pp_pending(pp), 1);
	pp_feed(pp, ".\r\n", 3);
	assert_int_equal(pp_pending(pp), 0);
	assert_true(pp_caps_known(pp));
	assert_int_equal(pp_caps(pp)->n, 3);
	assert_string_equal(pp_caps(pp)->v[0], "STLS");
	assert_string_equal(pp_caps(pp)->v[1], "SASL PLAIN LOGIN");
	assert_true(pp_cap_starttls(pp));
	buf_free(&out);
	pp_free(pp);
}

/*
 * Send cmd and feed the start of its reply: the size the engine expects
 * for it then, before the terminating dot ends the reply.
 */
static int64_t
size_of(struct pp *pp, const char *cmd, const char *start)
{
	struct buf	out = { 0 };
	int64_t		size;

	pp_command(pp, cmd, strlen(cmd), &out, NULL);
	pp_feed(pp, start, strlen(start));
	size = pp_expected_size(pp);
	pp_feed(pp, ".\r\n", 3);
	buf_free(&out);
	return size;
}

static void
test_pop3_retr_dotstuff(void **state)
{
	struct scenario s = {
		.proto = PROTO_POP3,
		.setup = "RETR 1\nNOOP",
		.input = "+OK 40 octets\r\nSubject: x\r\n\r\n..dot\r\n...\r\n"
		    ". space\r\n.x\r\nend\r\n..\r\n.\r\n+OK\r\n",
		.expect =
		    "> RETR 1\\r\\n\n> NOOP\\r\\n\n"
		    "'+OK 40 octets' OK v=RETR\n"
		    "'Subject: x' body v=RETR\n"
		    "'' body v=RETR\n"
		    "'.dot' dot-stuffed body v=RETR\n"
		    "'..' dot-stuffed body v=RETR\n"
		    "'. space' body malformed v=RETR\n"
		    "'.x' body malformed v=RETR\n"
		    "'end' body v=RETR\n"
		    "'.' dot-stuffed body v=RETR\n"
		    "'.' end OK v=RETR F\n"
		    "'+OK' end OK v=NOOP F\n",
	};
	struct pp	*pp;
	struct count	 c;
	struct buf	 out = { 0 };

	(void)state;
	check(&s);
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_POP3, count_cb, &c);
	pp_command(pp, "RETR 1", 6, &out, NULL);
	pp_feed(pp, "+OK 1234 octets\r\nabc\r\nde\n", 25);
	assert_int_equal(pp_expected_size(pp), 1234);
	assert_int_equal(pp_received_size(pp), 8);
	pp_feed(pp, ".\r\n", 3);
	assert_int_equal(pp_expected_size(pp), -1);
	assert_int_equal(pp_pending(pp), 0);

	/* No "octets": the size LIST gave (scan listing or "LIST n"). */
	pp_command(pp, "LIST", 4, &out, NULL);
	pp_feed(pp, "+OK 2 messages\r\n1 100\r\n2 5000\r\n.\r\n", 34);
	pp_command(pp, "LIST 3", 6, &out, NULL);
	pp_feed(pp, "+OK 3 777\r\n", 11);
	assert_int_equal(size_of(pp, "RETR 2", "+OK\r\nabc\r\n"), 5000);
	assert_int_equal(size_of(pp, "RETR 3", "+OK message follows\r\n"),
	    777);
	/* Not listed, or TOP (a part): unknown. */
	assert_int_equal(size_of(pp, "RETR 9", "+OK\r\n"), -1);
	assert_int_equal(size_of(pp, "TOP 2 0", "+OK\r\n"), -1);
	/* Listed again, out of order: the newest size of each counts. */
	pp_command(pp, "LIST", 4, &out, NULL);
	pp_feed(pp, "+OK\r\n2 6000\r\n1 150\r\n.\r\n", 23);
	assert_int_equal(size_of(pp, "RETR 1", "+OK\r\n"), 150);
	assert_int_equal(size_of(pp, "RETR 2", "+OK\r\n"), 6000);
	assert_int_equal(size_of(pp, "RETR 3", "+OK\r\n"), 777);
	assert_int_equal(pp_pending(pp), 0);
	buf_free(&out);
	pp_free(pp);
}

/* Plain body lines of one feed are one EVF_LINES event, cut at RUN_CHUNK. */
static void
test_pop3_body_runs(void **state)
{
	struct ctx	 c;
	struct buf	 out = { 0 }, body = { 0 };
	size_t		 i, lines;
	char		*t;

	(void)state;
	memset(&c, 0, sizeof c);
	c.pp = pp_new(PROTO_POP3, trace_cb, &c);
	pp_command(c.pp, "RETR 1", 6, &out, NULL);
	pp_feed(c.pp, "+OK\r\na\r\nb\r\n..c\r\nd\r\n", 19);
	/* a and b together, ..c alone (dot-stuffed), d alone: no CRLF. */
	assert_int_equal(c.nruns, 1);
	assert_int_equal(c.nlines, 5);
	t = c.trace.p;
	assert_non_null(strstr(t, "'a' body v=RETR\n'b' body v=RETR\n"
	    "'.c' dot-stuffed body v=RETR\n'd' body v=RETR\n"));
	/* A line arrives whole across feeds and still joins the next run. */
	pp_feed(c.pp, "e\r", 2);
	pp_feed(c.pp, "\nf\r\n.\r\n", 7);
	assert_int_equal(c.nruns, 2);
	assert_int_equal(pp_pending(c.pp), 0);
	buf_reset(&c.trace);
	c.nruns = c.nlines = 0;

	/* 300 KB of 100-byte lines in one feed: runs of at most RUN_CHUNK. */
	lines = 3000;
	buf_adds(&body, "+OK\r\n");
	for (i = 0; i < lines; i++)
		buf_printf(&body, "%098zu\r\n", i);
	buf_adds(&body, ".\r\n");
	pp_command(c.pp, "RETR 2", 6, &out, NULL);
	pp_feed(c.pp, body.p, body.len);
	assert_int_equal(c.nlines, lines + 2);
	assert_int_equal(c.nruns, (lines * 100 + RUN_CHUNK - 1) / RUN_CHUNK);
	buf_reset(&body);
	buf_printf(&body, "'%098zu' body v=RETR\n'.' end OK v=RETR F\n",
	    lines - 1);
	assert_non_null(strstr(c.trace.p, body.p));
	pp_free(c.pp);
	buf_free(&c.trace);
	buf_free(&body);
	buf_free(&out);
}

static void
test_pop3_terminators(void **state)
{
	struct scenario s = {
		.proto = PROTO_POP3,
		.setup = "TOP 1 0\nLIST\nLIST 1\nUIDL\nRETR 9\nSTAT",
		.input = "+OK\r\nh: v\r\n.\n+OK 2 messages\r\n1 100\r\n"
		    "2 200\r\n.\r\n+OK 1 100\r\n-ERR no uidl\r\n"
		    "-ERR no such message\r\n+OK 2 300\r\n",
		.expect =
		    "> TOP 1 0\\r\\n\n> LIST\\r\\n\n> LIST 1\\r\\n\n"
		    "> UIDL\\r\\n\n> RETR 9\\r\\n\n> STAT\\r\\n\n"
		    "'+OK' OK v=TOP\n"
		    "'h: v' body v=TOP\n"
		    "'.' bare-lf end OK v=TOP F\n"
		    "'+OK 2 messages' OK v=LIST\n"
		    "'1 100' v=LIST\n"
		    "'2 200' v=LIST\n"
		    "'.' end OK v=LIST F\n"
		    "'+OK 1 100' end OK v=LIST F\n"
		    "'-ERR no uidl' end NO v=UIDL F\n"
		    "'-ERR no such message' end NO v=RETR F\n"
		    "'+OK 2 300' end OK v=STAT F\n",
	};

	(void)state;
	check(&s);
}

static void
test_pop3_auth(void **state)
{
	struct scenario s = {
		.proto = PROTO_POP3,
		.setup = "AUTH\nAUTH PLAIN",
		.script = (const char *[]){ "", "AGFsaWNlAHNlY3JldA==", NULL },
		.state = true,
		.input = "+OK methods\r\nPLAIN\r\n.\r\n+ \r\n+OK welcome\r\n",
		.expect =
		    "> AUTH\\r\\n\n> AUTH PLAIN\\r\\n\n"
		    "'+OK methods' OK v=AUTH [p=2 c=0 d=0]\n"
		    "'PLAIN' v=AUTH [p=2 c=0 d=0]\n"
		    "'.' end OK v=AUTH F [p=1 c=0 d=0]\n"
		    "'+ ' end INT v=AUTH F [p=0 c=1 d=0]\n"
		    "> AGFsaWNlAHNlY3JldA==\\r\\n\n"
		    "'+OK welcome' end OK v=AUTH F [p=0 c=0 d=0]\n",
	};

	(void)state;
	check(&s);
}

static void
test_pop3_stls_injection(void **state)
{
	struct scenario s = {
		.proto = PROTO_POP3,
		.setup = "STLS",
		.input = "+OK begin TLS\r\n+OK\r\nPLAIN\r\n.\r\n\x16\x03\x01",
		.expect =
		    "> STLS\\r\\n\n"
		    "'+OK begin TLS' end OK v=STLS F TLS\n"
		    "held '+OK\\r\\nPLAIN\\r\\n.\\r\\n\\x16\\x03\\x01'\n",
	};
	struct scenario refused = {
		.proto = PROTO_POP3,
		.setup = "STLS",
		.input = "-ERR not now\r\n",
		.expect =
		    "> STLS\\r\\n\n"
		    "'-ERR not now' end NO v=STLS F REFUSED\n",
	};

	(void)state;
	check(&s);
	check(&refused);
}

static void
test_pop3_unsolicited_late_malformed(void **state)
{
	struct scenario s = {
		.proto = PROTO_POP3,
		.setup = "!greet\n!timeout\nNOOP",
		.input = "+OK hi\r\nhello\r\n-ERR what\r\n+OK spare\r\n",
		.expect =
		    "> NOOP\\r\\n\n"
		    "'+OK hi' end late OK G F\n"
		    "'hello' end malformed v=NOOP F\n"
		    "'-ERR what' end unsolicited NO\n"
		    "'+OK spare' end unsolicited OK\n",
	};

	(void)state;
	check(&s);
}

static void
test_imap_blank_command(void **state)
{
	struct pp	*pp;
	struct count	 c;
	struct buf	 out = { 0 };

	(void)state;
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_IMAP, count_cb, &c);
	assert_int_equal(pp_command(pp, "", 0, &out, NULL), 0);
	assert_int_equal(pp_command(pp, "  ", 2, &out, NULL), 0);
	assert_memory_equal(out.p, "\r\n  \r\n", 6);
	assert_int_equal(pp_pending(pp), 0);
	assert_string_equal(pp_next_tag(pp), "a001");
	buf_free(&out);
	pp_free(pp);
}

static void
test_imap_tagged_ok_caps(void **state)
{
	struct pp	*pp;
	struct count	 c;
	struct buf	 out = { 0 };
	const char	*in = "* CAPABILITY IMAP4rev1 STARTTLS\r\n"
			    "a001 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ok\r\n";

	(void)state;
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_IMAP, count_cb, &c);
	pp_command(pp, "LOGIN a b", 9, &out, NULL);
	pp_feed(pp, in, 33);
	assert_true(pp_caps_known(pp));
	assert_true(pp_cap_starttls(pp));
	pp_feed(pp, in + 33, strlen(in) - 33);
	assert_int_equal(pp_caps(pp)->n, 2);
	assert_string_equal(pp_caps(pp)->v[1], "AUTH=PLAIN");
	assert_false(pp_cap_starttls(pp));
	buf_free(&out);
	pp_free(pp);
}

static void
test_pop3_greeting_malformed(void **state)
{
	struct scenario s = {
		.proto = PROTO_POP3,
		.setup = "!greet",
		.input = "+ hi\r\n",
		.expect = "'+ hi' end malformed INT G F\n",
	};
	struct scenario err = {
		.proto = PROTO_POP3,
		.setup = "!greet",
		.input = "-ERR busy\r\n",
		.expect = "'-ERR busy' end NO G F\n",
	};

	(void)state;
	check(&s);
	check(&err);
}

/* Bytes fed from inside the go-ahead callback are held too, in order. */
static void
feed_in_cb(const struct pp_line *l, void *arg)
{
	struct ctx	*c = arg;

	c->nlines++;
	if (l->starttls_ok)
		pp_feed(c->pp, "X\r\n", 3);
}

static void
test_starttls_feed_in_callback(void **state)
{
	struct ctx	 c;
	struct buf	 out = { 0 };

	(void)state;
	memset(&c, 0, sizeof c);
	c.pp = pp_new(PROTO_IMAP, feed_in_cb, &c);
	pp_command(c.pp, "STARTTLS", 8, &out, NULL);
	buf_reset(&out);
	pp_feed(c.pp, "a001 OK go\r\n* BYE\r\n", 19);
	assert_int_equal(c.nlines, 1);
	assert_int_equal(pp_take_buffered(c.pp, &out), 10);
	assert_string_equal(out.p, "* BYE\r\nX\r\n");
	buf_free(&out);
	pp_free(c.pp);
}

/*
 * Random server bytes built from protocol fragments: cutting them
 * anywhere never changes what is delivered, and nothing crashes.
 */
static uint32_t
rnd(uint32_t *seed)
{
	*seed = *seed * 1103515245U + 12345U;
	return (*seed >> 16) & 0x7fff;
}

static void
test_random_split_invariance(void **state)
{
	static const char *head[] = {
		"250-", "250 ", "334 ", "220 ", "354 ", "25", "* ", "* OK ",
		"a001 OK ", "a002 NO ", "a004 OK ", "+ ", "+OK ", "-ERR ", ".",
		"..", "", "* 1 FETCH (", "235 ", "550 5.7.1 ",
	};
	static const char *body[] = {
		"x", " ", "{3}", "{0}", "{2+}", "{-1}", "\0", "2.0.0 ",
		"[CAPABILITY IMAP4rev1 STARTTLS]", "CAPABILITY ", "STARTTLS",
	};
	static const char *eol[] = { "\r\n", "\r\n", "\r\n", "\n", "\r" };
	static const char *setup[] = {
		"!greet\nEHLO a\nMAIL FROM:<a>\nRCPT TO:<b>\nDATA\nAUTH LOGIN",
		"!greet\nLHLO a\nSTARTTLS\nNOOP",
		"!greet\nFETCH 1 BODY[]\nAPPEND x {3}\nIDLE\nSTARTTLS",
		"!greet\nCAPA\nRETR 1\nTOP 1 2\nAUTH PLAIN\nLIST\nSTLS",
	};
	static const enum proto_id protos[] = {
		PROTO_SMTP, PROTO_LMTP, PROTO_IMAP, PROTO_POP3
	};
	struct scenario	 sc;
	struct buf	 in = { 0 };
	uint32_t	 seed = 42;
	size_t		 cuts[3], i, k, round;
	char		*whole, *got;

	(void)state;
	for (round = 0; round < 1000; round++) {
		buf_reset(&in);
		for (i = rnd(&seed) % 12; i > 0; i--) {
			const char	*f;
			size_t		 j;

			buf_adds(&in, head[rnd(&seed) % nitems(head)]);
			for (j = rnd(&seed) % 4; j > 0; j--) {
				f = body[rnd(&seed) % nitems(body)];
				buf_add(&in, f, *f == '\0' ? 1 : strlen(f));
			}
			buf_adds(&in, eol[rnd(&seed) % nitems(eol)]);
		}
		if (in.len == 0)
			continue;
		memset(&sc, 0, sizeof sc);
		sc.proto = protos[round % 4];
		sc.setup = setup[round % 4];
		sc.input = in.p;
		sc.inlen = in.len;
		sc.eof = round % 2 == 0;
		whole = run_cuts(&sc, NULL, 0);
		for (k = 0; k < 20; k++) {
			for (i = 0; i < 3; i++)
				cuts[i] = rnd(&seed) % in.len;
			if (cuts[0] > cuts[1]) {
				size_t t = cuts[0];
				cuts[0] = cuts[1];
				cuts[1] = t;
			}
			if (cuts[1] > cuts[2]) {
				size_t t = cuts[1];
				cuts[1] = cuts[2];
				cuts[2] = t;
			}
			if (cuts[0] > cuts[1]) {
				size_t t = cuts[0];
				cuts[0] = cuts[1];
				cuts[1] = t;
			}
			got = run_cuts(&sc, cuts, 3);
			assert_string_equal(got, whole);
			free(got);
		}
		free(whole);
	}
	buf_free(&in);
}

/* Commands, verbs and names per protocol. */

static bool
has_verb(enum proto_id proto, const char *verb)
{
	const char *const	*v;

	for (v = pp_verbs(proto); *v != NULL; v++)
		if (strcmp(*v, verb) == 0)
			return true;
	return false;
}

static void
test_command_names(void **state)
{
	struct pp	*s, *l, *i, *p;
	struct count	 c;

	(void)state;
	s = pp_new(PROTO_SMTP, count_cb, &c);
	l = pp_new(PROTO_LMTP, count_cb, &c);
	i = pp_new(PROTO_IMAP, count_cb, &c);
	p = pp_new(PROTO_POP3, count_cb, &c);
	assert_string_equal(pp_starttls_cmd(s), "STARTTLS");
	assert_string_equal(pp_starttls_cmd(i), "STARTTLS");
	assert_string_equal(pp_starttls_cmd(p), "STLS");
	assert_string_equal(pp_caps_cmd(s, "client.test"), "EHLO client.test");
	assert_string_equal(pp_caps_cmd(l, "client.test"), "LHLO client.test");
	assert_string_equal(pp_caps_cmd(s, NULL), "EHLO localhost");
	assert_string_equal(pp_caps_cmd(i, "x"), "CAPABILITY");
	assert_string_equal(pp_caps_cmd(p, "x"), "CAPA");
	assert_string_equal(pp_quit_cmd(s), "QUIT");
	assert_string_equal(pp_quit_cmd(i), "LOGOUT");
	assert_string_equal(pp_quit_cmd(p), "QUIT");
	assert_null(pp_next_tag(s));
	assert_null(pp_next_tag(p));
	assert_string_equal(pp_next_tag(i), "a001");
	assert_true(has_verb(PROTO_SMTP, "EHLO"));
	assert_true(has_verb(PROTO_SMTP, "MAIL FROM:"));
	assert_true(has_verb(PROTO_SMTP, "STARTTLS"));
	assert_false(has_verb(PROTO_LMTP, "EHLO"));
	assert_true(has_verb(PROTO_LMTP, "LHLO"));
	assert_true(has_verb(PROTO_IMAP, "AUTHENTICATE"));
	assert_true(has_verb(PROTO_IMAP, "UID"));
	assert_true(has_verb(PROTO_POP3, "STLS"));
	assert_true(has_verb(PROTO_POP3, "RETR"));
	assert_int_equal(pp_expected_size(s), -1);
	pp_free(s);
	pp_free(l);
	pp_free(i);
	pp_free(p);
}

/*
 * The classification the log keeps of each line (pp_class) and of each
 * client line (pp_command): "status code esc tag verb bits" with the
 * bits as F(inal) C(ontinuation) G(reeting) T(LS go) R(efused).
 */
static void
class_str(struct buf *b, const char *p, size_t len, const struct ev_class *c)
{
	static const char *const st[] = {
		"-", "ok", "int", "temp", "no", "bad", "bye", "preauth",
	};
	struct event	 ev = { 0 };
	const char	*e, *t, *v;
	size_t		 ne, nt;

	ev.data = p;
	ev.len = (uint32_t)len;
	ev.cls = *c;
	ne = ev_esc(&ev, &e);
	nt = ev_tag(&ev, &t);
	v = ev_verb(&ev);
	buf_printf(b, "%s %u %.*s %.*s %s %s%s%s%s%s\n", st[c->status],
	    c->code, (int)(ne ? ne : 1), ne ? e : "-", (int)(nt ? nt : 1),
	    nt ? t : "-", v != NULL ? v : "-", c->bits & EVC_FINAL ? "F" : "",
	    c->bits & EVC_CONT ? "C" : "", c->bits & EVC_GREETING ? "G" : "",
	    c->bits & EVC_TLS_GO ? "T" : "", c->bits & EVC_TLS_NO ? "R" : "");
}

static void
class_line(const struct pp_line *l, void *arg)
{
	struct ev_class	c;

	pp_class(l, &c);
	class_str(arg, l->buf, l->len, &c);
}

/* Client lines ("> ") and server bytes in turn; the classes. */
static char *
classify(enum proto_id proto, const char *const *steps)
{
	struct buf	 b = { 0 }, out = { 0 };
	struct ev_class	 c;
	struct pp	*pp = pp_new(proto, class_line, &b);

	pp_expect_greeting(pp);
	for (; *steps != NULL; steps++) {
		if (strncmp(*steps, "> ", 2) != 0) {
			pp_feed(pp, *steps, strlen(*steps));
			pp_take_buffered(pp, &out);
			continue;
		}
		buf_reset(&out);
		assert_int_equal(pp_command(pp, *steps + 2, strlen(*steps + 2),
		    &out, &c), 0);
		buf_adds(&b, "> ");
		class_str(&b, out.p, out.len - 2, &c);
	}
	pp_free(pp);
	buf_free(&out);
	return b.p;
}

/* ManageSieve: the greeting is the capability list, ended by OK. */
static void
test_sieve_greeting(void **state)
{
	struct scenario s = {
		.proto = PROTO_SIEVE,
		.setup = "!greet",
		.script = (const char *[]){ "STARTTLS", NULL },
		.input = "\"IMPLEMENTATION\" \"Pigeonhole\"\r\n"
		    "\"SASL\" \"\"\r\n\"STARTTLS\"\r\n\"VERSION\" \"1.0\"\r\n"
		    "OK \"ready\"\r\nOK \"Begin TLS\"\r\nleft",
		.expect =
		    "'\"IMPLEMENTATION\" \"Pigeonhole\"' G\n"
		    "'\"SASL\" \"\"' G\n"
		    "'\"STARTTLS\"' G\n"
		    "'\"VERSION\" \"1.0\"' G\n"
		    "'OK \"ready\"' end OK G F\n"
		    "> STARTTLS\\r\\n\n"
		    "'OK \"Begin TLS\"' end OK v=STARTTLS F TLS\n"
		    "held 'left'\n",
	};
	struct pp	*pp;
	struct count	 c;
	struct buf	 out = { 0 };
	const struct strv *caps;

	(void)state;
	check(&s);
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_SIEVE, count_cb, &c);
	pp_expect_greeting(pp);
	pp_feed(pp, s.input, strlen(s.input) - 4 - 16);
	assert_true(pp_caps_known(pp));
	assert_false(pp_caps_partial(pp));
	caps = pp_caps(pp);
	assert_int_equal(caps->n, 4);
	assert_string_equal(caps->v[0], "IMPLEMENTATION Pigeonhole");
	assert_string_equal(caps->v[1], "SASL");
	assert_true(pp_cap_starttls(pp));
	/* "SASL" "" offers no mechanism: nothing at risk in plaintext. */
	assert_null(pp_plain_auth_risk(pp));
	pp_caps_reset(pp);
	pp_command(pp, "CAPABILITY", 10, &out, NULL);
	pp_feed(pp, "\"SASL\" \"PLAIN LOGIN\"\r\nOK\r\n", 27);
	assert_true(pp_caps_known(pp));
	assert_int_equal(pp_caps(pp)->n, 1);
	assert_string_equal(pp_caps(pp)->v[0], "SASL PLAIN LOGIN");
	assert_non_null(pp_plain_auth_risk(pp));
	assert_true(pp_sasl_ir(pp));
	buf_free(&out);
	pp_free(pp);
}

/* After STARTTLS the capabilities come unasked (RFC 5804 2.2). */
static void
test_sieve_tls_caps(void **state)
{
	struct pp	*pp;
	struct count	 c;
	struct buf	 w = { 0 };

	(void)state;
	memset(&c, 0, sizeof c);
	pp = pp_new(PROTO_SIEVE, count_cb, &c);
	assert_true(pp_expect_tls_caps(pp));
	assert_int_equal(pp_pending(pp), 1);
	pp_feed(pp, "\"SASL\" \"PLAIN\"\r\nOK \"TLS\"\r\n", 27);
	assert_int_equal(pp_pending(pp), 0);
	assert_true(pp_caps_known(pp));
	pp_sasl_word(pp, "PLAIN", &w);
	assert_string_equal(w.p, "\"PLAIN\"");
	buf_reset(&w);
	pp_sasl_challenge("\"abc=\"", 6, &w);
	assert_string_equal(w.p, "abc=");
	buf_free(&w);
	pp_free(pp);
	pp = pp_new(PROTO_IMAP, count_cb, &c);
	assert_false(pp_expect_tls_caps(pp));
	pp_free(pp);
}

/*
 * GETSCRIPT: the script is a literal read as bytes ("OK" inside it is
 * not a response); a NO whose text is a literal ends after it.
 */
static void
test_sieve_literals(void **state)
{
	struct scenario s = {
		.proto = PROTO_SIEVE,
		.setup = "GETSCRIPT \"a\"\nCHECKSCRIPT {3+}\nx {\n"
		    "PUTSCRIPT \"b\" {4+}\nab\n\nNOOP",
		.state = true,
		.input = "{12}\r\nOK \"fake\"\r\n}\r\nOK\r\n"
		    "NO {9}\r\nline 1: x\r\nOK\r\nOK (TAG \"t\") \"Done\"\r\n",
		.expect =
		    "> GETSCRIPT \"a\"\\r\\n\n"
		    "> CHECKSCRIPT {3+}\\r\\n\n"
		    "> x {\\r\\n\n"
		    "> PUTSCRIPT \"b\" {4+}\\r\\n\n"
		    "> ab\\r\\n\n"
		    "> \\r\\n\n"
		    "> NOOP\\r\\n\n"
		    "'{12}' v=GETSCRIPT [p=4 c=0 d=0]\n"
		    "'OK \"fake\"\\r\\n}' literal body v=GETSCRIPT [p=4 c=0 d=0]\n"
		    "'' v=GETSCRIPT [p=4 c=0 d=0]\n"
		    "'OK' end OK v=GETSCRIPT F [p=3 c=0 d=0]\n"
		    "'NO {9}' NO v=CHECKSCRIPT [p=3 c=0 d=0]\n"
		    "'line 1: x' literal body v=CHECKSCRIPT [p=3 c=0 d=0]\n"
		    "'' end NO v=CHECKSCRIPT F [p=2 c=0 d=0]\n"
		    "'OK' end OK v=PUTSCRIPT F [p=1 c=0 d=0]\n"
		    "'OK (TAG \"t\") \"Done\"' end OK v=NOOP F [p=0 c=0 d=0]\n",
	};

	(void)state;
	check(&s);
}

/* AUTHENTICATE: a string challenge awaits the client's string. */
static void
test_sieve_sasl(void **state)
{
	struct scenario s = {
		.proto = PROTO_SIEVE,
		.setup = "AUTHENTICATE \"LOGIN\"",
		.script = (const char *[]){ "\"YWxpY2U=\"", NULL },
		.state = true,
		.input = "\"VXNlcm5hbWU6\"\r\nNO (AUTH-TOO-WEAK) \"no\"\r\n"
		    "BYE \"bye\"\r\n",
		.expect =
		    "> AUTHENTICATE \"LOGIN\"\\r\\n\n"
		    "'\"VXNlcm5hbWU6\"' end INT v=AUTHENTICATE F [p=0 c=1 d=0]\n"
		    "> \"YWxpY2U=\"\\r\\n\n"
		    "'NO (AUTH-TOO-WEAK) \"no\"' end NO v=AUTHENTICATE F [p=0 c=0 d=0]\n"
		    "'BYE \"bye\"' end unsolicited BYE [p=0 c=0 d=0]\n",
	};

	(void)state;
	check(&s);
}

static void
test_class(void **state)
{
	static const char *const smtp[] = {
		"220-mail.test\r\n220 ESMTP\r\n",
		"> EHLO me",
		"250-mail.test\r\n250-ENHANCEDSTATUSCODES\r\n250 STARTTLS\r\n",
		"> MAIL FROM:<a@b>", "250 2.1.0 Ok\r\n",
		"> RCPT TO:<c@d>", "550 5.1.1 No such user\r\n",
		"> AUTH LOGIN", "334 VXNlcm5hbWU6\r\n", "> dXNlcg==",
		"535 5.7.8 no\r\n",
		"> STARTTLS", "454 4.7.0 not now\r\n",
		"> STARTTLS", "220 2.0.0 go\r\n", NULL,
	}, *const lmtp[] = {
		"220 lmtp\r\n", "> LHLO me", "250 ok\r\n",
		"> MAIL FROM:<a@b>", "250 ok\r\n", "> RCPT TO:<c@d>",
		"250 ok\r\n", "> RCPT TO:<e@f>", "250 ok\r\n", "> DATA",
		"354 go\r\n", "> x", "> .",
		"250 2.6.0 c\r\n452 4.2.2 e full\r\n", NULL,
	}, *const imap[] = {
		"* OK [CAPABILITY IMAP4rev1] hi\r\n",
		"> CAPABILITY", "* CAPABILITY IMAP4rev1 IDLE\r\na001 OK done\r\n",
		"> t7 FETCH 1 BODY[]",
		"* 1 FETCH (BODY[] {4}\r\nab\r\n)\r\nt7 NO [ALERT] x\r\n",
		"> APPEND INBOX {3}", "+ go\r\n", "> abc", "a002 BAD x\r\n",
		"> IDLE", "+ idling\r\n", "> DONE", "a003 OK done\r\n",
		"> LOGOUT", "* BYE bye\r\na004 OK\r\n", NULL,
	}, *const pop3[] = {
		"+OK hi\r\n", "> CAPA", "+OK\r\nUSER\r\n.\r\n",
		"> RETR 1", "+OK\r\n..x\r\nbody\r\n.\r\n",
		"> AUTH PLAIN", "+ \r\n", "> AGEAYg==", "-ERR no\r\n",
		"> STLS", "+OK go\r\n", NULL,
	};
	char	*got;

	(void)state;
	got = classify(PROTO_SMTP, smtp);
	assert_string_equal(got,
	    "ok 220 - - - G\n"
	    "ok 220 - - - FG\n"
	    "> - 0 - - EHLO \n"
	    "ok 250 - - EHLO \n"
	    "ok 250 - - EHLO \n"
	    "ok 250 - - EHLO F\n"
	    "> - 0 - - MAIL \n"
	    "ok 250 2.1.0 - MAIL F\n"
	    "> - 0 - - RCPT \n"
	    "no 550 5.1.1 - RCPT F\n"
	    "> - 0 - - AUTH \n"
	    "int 334 - - AUTH FC\n"
	    "> - 0 - - AUTH C\n"
	    "no 535 5.7.8 - AUTH F\n"
	    "> - 0 - - STARTTLS T\n"
	    "temp 454 4.7.0 - STARTTLS FR\n"
	    "> - 0 - - STARTTLS T\n"
	    "ok 220 2.0.0 - STARTTLS FT\n");
	free(got);
	/* LMTP: one reply per accepted recipient, the last one final. */
	got = classify(PROTO_LMTP, lmtp);
	assert_non_null(strstr(got, "> - 0 - - DATA \n"
	    "ok 250 2.6.0 - DATA \n"
	    "temp 452 4.2.2 - DATA F\n"));
	assert_non_null(strstr(got, "int 354 - - DATA FC\n> - 0 - - - \n"));
	free(got);
	got = classify(PROTO_IMAP, imap);
	assert_string_equal(got,
	    "ok 0 - - - FG\n"
	    "> - 0 - a001 CAPABILITY \n"
	    "- 0 - - CAPABILITY \n"
	    "ok 0 - a001 CAPABILITY F\n"
	    "> - 0 - t7 FETCH \n"
	    "- 0 - - FETCH \n"
	    "- 0 - - FETCH \n"
	    "- 0 - - FETCH \n"
	    "no 0 - t7 FETCH F\n"
	    "> - 0 - a002 APPEND \n"
	    "int 0 - - APPEND FC\n"
	    "> - 0 - - APPEND C\n"
	    "bad 0 - a002 APPEND F\n"
	    "> - 0 - a003 IDLE \n"
	    "int 0 - - IDLE FC\n"
	    "> - 0 - - IDLE C\n"
	    "ok 0 - a003 IDLE F\n"
	    "> - 0 - a004 LOGOUT \n"
	    "bye 0 - - LOGOUT \n"
	    "ok 0 - a004 LOGOUT F\n");
	free(got);
	got = classify(PROTO_POP3, pop3);
	assert_string_equal(got,
	    "ok 0 - - - FG\n"
	    "> - 0 - - CAPA \n"
	    "ok 0 - - CAPA \n"
	    "- 0 - - CAPA \n"
	    "ok 0 - - CAPA F\n"
	    "> - 0 - - RETR \n"
	    "ok 0 - - RETR \n"
	    "- 0 - - RETR \n"
	    "- 0 - - RETR \n"
	    "ok 0 - - RETR F\n"
	    "> - 0 - - AUTH \n"
	    "int 0 - - AUTH FC\n"
	    "> - 0 - - AUTH C\n"
	    "no 0 - - AUTH F\n"
	    "> - 0 - - STLS T\n"
	    "ok 0 - - STLS FT\n");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class),
		cmocka_unit_test(test_sieve_greeting),
		cmocka_unit_test(test_sieve_tls_caps),
		cmocka_unit_test(test_sieve_literals),
		cmocka_unit_test(test_sieve_sasl),
		cmocka_unit_test(test_frame_endings),
		cmocka_unit_test(test_data_dots),
		cmocka_unit_test(test_frame_nul),
		cmocka_unit_test(test_frame_eof_partial),
		cmocka_unit_test(test_frame_long_lines),
		cmocka_unit_test(test_frame_cr_at_piece_boundary),
		cmocka_unit_test(test_frame_10mb_line),
		cmocka_unit_test(test_reentrant_callback),
		cmocka_unit_test(test_command_rejects_crlf),
		cmocka_unit_test(test_smtp_greeting_ehlo_caps),
		cmocka_unit_test(test_starttls_cap_line),
		cmocka_unit_test(test_smtp_greeting_554),
		cmocka_unit_test(test_smtp_pipelining),
		cmocka_unit_test(test_smtp_data_dotstuff),
		cmocka_unit_test(test_smtp_malformed),
		cmocka_unit_test(test_smtp_code_only_and_esc),
		cmocka_unit_test(test_smtp_starttls_injection),
		cmocka_unit_test(test_smtp_starttls_held_until_taken),
		cmocka_unit_test(test_smtp_starttls_take_in_callback),
		cmocka_unit_test(test_smtp_starttls_refused),
		cmocka_unit_test(test_smtp_auth_continuation),
		cmocka_unit_test(test_smtp_auth_rejected),
		cmocka_unit_test(test_smtp_late_reply),
		cmocka_unit_test(test_lmtp_data_replies),
		cmocka_unit_test(test_smtp_unsolicited_and_bounded_caps),
		cmocka_unit_test(test_imap_greeting_caps),
		cmocka_unit_test(test_imap_greeting_kinds),
		cmocka_unit_test(test_imap_autotag),
		cmocka_unit_test(test_imap_untagged_statuses),
		cmocka_unit_test(test_imap_literal_with_tagged_ok),
		cmocka_unit_test(test_imap_literal_chain_and_zero),
		cmocka_unit_test(test_imap_literal_chunks),
		cmocka_unit_test(test_imap_literal_marker_at_split),
		cmocka_unit_test(test_imap_huge_literal_streams),
		cmocka_unit_test(test_imap_client_literal),
		cmocka_unit_test(test_imap_authenticate_and_idle),
		cmocka_unit_test(test_imap_starttls),
		cmocka_unit_test(test_imap_late),
		cmocka_unit_test(test_pop3_greeting_capa),
		cmocka_unit_test(test_pop3_retr_dotstuff),
		cmocka_unit_test(test_pop3_terminators),
		cmocka_unit_test(test_pop3_body_runs),
		cmocka_unit_test(test_pop3_auth),
		cmocka_unit_test(test_pop3_stls_injection),
		cmocka_unit_test(test_pop3_unsolicited_late_malformed),
		cmocka_unit_test(test_imap_blank_command),
		cmocka_unit_test(test_imap_tagged_ok_caps),
		cmocka_unit_test(test_pop3_greeting_malformed),
		cmocka_unit_test(test_starttls_feed_in_callback),
		cmocka_unit_test(test_random_split_invariance),
		cmocka_unit_test(test_command_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
