/* SPDX-License-Identifier: ISC */
/*
 * The line-protocol engine shared by SMTP/LMTP, IMAP, POP3 and
 * ManageSieve: framing of server bytes into lines (and literal chunks),
 * the queue of commands awaiting replies, capabilities, and the STARTTLS
 * stop.  What a line means is decided by the per-protocol hook (smtp.c,
 * imap.c, pop3.c, sieve.c).
 *
 * Framing never holds more than LINE_MAX_BYTES of a line and looks at
 * every byte once, so an endless line or reply costs linear time and
 * bounded memory.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/proto/proto_int.h"

/* Flags that belong to one piece of a line, not to the whole line. */
#define PIECE_FLAGS	(EVF_BARE_LF | EVF_BARE_CR | EVF_SPLIT | EVF_NUL | \
			    EVF_NOEOL | EVF_DOTSTUFF)

const struct proto_ops *
proto_ops_for(enum proto_id proto)
{
	switch (proto) {
	case PROTO_SMTP:
		return &smtp_ops;
	case PROTO_LMTP:
		return &lmtp_ops;
	case PROTO_IMAP:
		return &imap_ops;
	case PROTO_POP3:
		return &pop3_ops;
	case PROTO_SIEVE:
		return &sieve_ops;
	}
	fatalx("unknown protocol %d", (int)proto);
}

static void
set_tagbuf(struct pp *pp)
{
	snprintf(pp->tagbuf, sizeof pp->tagbuf, "a%03u", pp->tagno + 1);
}

struct pp *
pp_new(enum proto_id proto, pp_line_cb cb, void *arg)
{
	struct pp	*pp;

	pp = xcalloc(1, sizeof *pp);
	pp->ops = proto_ops_for(proto);
	pp->proto = proto;
	pp->cb = cb;
	pp->arg = arg;
	pp->xfer_size = -1;
	set_tagbuf(pp);
	return pp;
}

void
pp_free(struct pp *pp)
{
	if (pp == NULL)
		return;
	buf_free(&pp->line);
	buf_free(&pp->reenter);
	buf_free(&pp->held);
	buf_free(&pp->lit);
	buf_free(&pp->run);
	free(pp->sizes);
	free(pp->cmds);
	strv_clear(&pp->caps);
	free(pp->capscmd);
	free(pp);
}

/*
 * Hand a line to the owner.  A STARTTLS go-ahead stops parsing first, so
 * that everything after it (rest of this feed, bytes fed from inside the
 * callback) is held and can be taken from within the callback already.
 */
/* A credential went with the command l answers: the session changes. */
bool
pp_answers_auth(const struct pp_line *l)
{
	static const char *const verbs[] = {
		"AUTH", "AUTHENTICATE", "LOGIN", "PASS", "APOP", NULL,
	};
	size_t	i;

	for (i = 0; l->verb != NULL && verbs[i] != NULL; i++)
		if (strcmp(l->verb, verbs[i]) == 0)
			return true;
	return false;
}

static void
deliver(struct pp *pp, const struct pp_line *l)
{
	if (l->final && l->status == RS_OK && pp_answers_auth(l))
		pp->authed = true;
	if (l->starttls_ok) {
		pp->stopped = true;
		if (pp->in != NULL && pp->inpos < pp->inlen)
			buf_add(&pp->held, pp->in + pp->inpos,
			    pp->inlen - pp->inpos);
		pp->inpos = pp->inlen;
		buf_add(&pp->held, pp->reenter.p, pp->reenter.len);
		buf_reset(&pp->reenter);
	}
	pp->in_cb++;
	pp->cb(l, pp->arg);
	pp->in_cb--;
}

/* The body lines gathered so far, as one event. */
static void
run_flush(struct pp *pp)
{
	struct pp_line	l;

	if (pp->run_lines == 0)
		return;
	memset(&l, 0, sizeof l);
	l.buf = pp->run.p;
	l.len = pp->run.len;
	l.code = -1;
	l.status = RS_NONE;
	l.flags = EVF_BODY | (pp->run_lines > 1 ? EVF_LINES : 0);
	/* Still the verb of the lines: a new response begins only after
	 * an end line, and that flushes the run first. */
	l.verb = pp->verb[0] != '\0' ? pp->verb : NULL;
	/* One line goes out as it came: without its end of line. */
	if (pp->run_lines == 1)
		l.len -= 2;
	pp->run_lines = 0;
	deliver(pp, &l);
	buf_reset(&pp->run);
}

/*
 * A message body is mostly plain lines (POP3 RETR, TOP): those of one
 * feed go out together, up to RUN_CHUNK bytes, like an IMAP literal's
 * chunks, so a 50 MB message is hundreds of events, not a million.  A
 * line with anything to say (dot-stuffed, bare LF, NUL, split, the end)
 * stays an event of its own, and everything else flushes the run first,
 * so the order never changes.
 */
static bool
joins_run(const struct pp_line *l)
{
	return l->flags == EVF_BODY && l->status == RS_NONE && l->code == -1 &&
	    !l->final && !l->greeting && !l->starttls_ok &&
	    !l->starttls_refused && l->tag == NULL && l->literal == 0;
}

static void
run_add(struct pp *pp, const struct pp_line *l)
{
	if (pp->run.len + l->len + 2 > RUN_CHUNK)
		run_flush(pp);
	buf_add(&pp->run, l->buf, l->len);
	buf_add(&pp->run, "\r\n", 2);
	pp->run_lines++;
}

static void
emit(struct pp *pp, const struct pp_line *l)
{
	run_flush(pp);
	deliver(pp, l);
}

/* Which capabilities the piece listed, and whether STARTTLS is one. */
static void
line_caps(const struct pp *pp, struct pp_line *l)
{
	size_t	i, n = pp->line_caps < pp->caps.n ? pp->line_caps : pp->caps.n;

	l->cap_first = pp->caps.n - n;
	l->cap_n = n;
	l->starttls_cap = false;
	for (i = l->cap_first; i < pp->caps.n; i++)
		if (strcasecmp(pp->caps.v[i], pp->ops->starttls_cap) == 0)
			l->starttls_cap = true;
}

/* Deliver the framed piece in pp->line. */
static void
piece(struct pp *pp, uint32_t flags, bool last)
{
	struct pp_line	l;
	bool		first = !pp->in_line;

	if (first) {
		memset(&l, 0, sizeof l);
		l.code = -1;
		l.status = RS_NONE;
	} else {
		l = pp->head;
		l.piece = true;
		l.caps = false;
	}
	l.buf = pp->line.len > 0 ? pp->line.p : "";
	l.len = pp->line.len;
	l.flags = (first ? 0 : pp->head.flags) | pp->lflags | flags;
	pp->line_caps = 0;
	pp->ops->line(pp, &l, first, last);
	line_caps(pp, &l);
	if (first) {
		pp->head = l;
		pp->head.flags &= ~PIECE_FLAGS;
	}
	if (!last) {
		/* Keep the end: a literal marker may straddle the cut. */
		pp->ntail = l.len < sizeof pp->tail ? l.len : sizeof pp->tail;
		memcpy(pp->tail, l.buf + l.len - pp->ntail, pp->ntail);
		l.final = false;
		l.starttls_ok = l.starttls_refused = false;
		l.flags &= ~EVF_END;
	}
	pp->in_line = !last;
	pp->lflags = 0;
	if (last) {
		pp->ntail = 0;
		if (l.flags & EVF_END) {
			/* A literal or body belongs to the response ending. */
			pp->xfer_size = -1;
			pp->xfer_recv = 0;
		}
	}
	if (first && last && joins_run(&l))
		run_add(pp, &l);
	else
		emit(pp, &l);
	buf_reset(&pp->line);
}

/* Add line bytes, cutting a piece whenever one is full and more comes. */
static void
add_bytes(struct pp *pp, const char *p, size_t n)
{
	size_t	m;

	while (n > 0) {
		if (pp->line.len == LINE_MAX_BYTES)
			piece(pp, EVF_SPLIT, false);
		m = LINE_MAX_BYTES - pp->line.len;
		if (m > n)
			m = n;
		if (memchr(p, '\0', m) != NULL)
			pp->lflags |= EVF_NUL;
		buf_add(&pp->line, p, m);
		p += m;
		n -= m;
	}
}

static void
add_bare_cr(struct pp *pp)
{
	add_bytes(pp, "\r", 1);
	pp->lflags |= EVF_BARE_CR;
}

static void
literal_chunk(struct pp *pp, uint32_t flags)
{
	struct pp_line	l;

	memset(&l, 0, sizeof l);
	l.buf = pp->lit.len > 0 ? pp->lit.p : "";
	l.len = pp->lit.len;
	l.code = -1;
	l.status = RS_NONE;
	l.flags = EVF_LITERAL | EVF_BODY | flags;
	pp_line_flags(pp, &l);
	emit(pp, &l);
	buf_reset(&pp->lit);
}

static void
parse_literal(struct pp *pp)
{
	size_t	m = pp->inlen - pp->inpos;

	if ((int64_t)m > pp->lit_left)
		m = (size_t)pp->lit_left;
	if (m > LITERAL_CHUNK - pp->lit.len)
		m = LITERAL_CHUNK - pp->lit.len;
	buf_add(&pp->lit, pp->in + pp->inpos, m);
	pp->inpos += m;
	pp->lit_left -= (int64_t)m;
	pp->xfer_recv += (int64_t)m;
	if (pp->lit_left == 0)
		pp->lit_active = false;
	if (pp->lit.len == LITERAL_CHUNK || pp->lit_left == 0)
		literal_chunk(pp, 0);
}

static void
parse_line(struct pp *pp)
{
	const char	*p = pp->in, *cr;
	size_t		 i = pp->inpos, j;

	if (pp->cr) {
		pp->cr = false;
		if (p[i] == '\n') {
			pp->inpos++;
			piece(pp, 0, true);
		} else
			add_bare_cr(pp);
		return;
	}
	/*
	 * The first CR or LF, with memchr (many bytes at a time).  The next
	 * LF is kept for the feed, so a run of bare CRs costs linear time.
	 */
	if (pp->lf == NULL || pp->lf < p + i) {
		pp->lf = memchr(p + i, '\n', pp->inlen - i);
		if (pp->lf == NULL)
			pp->lf = p + pp->inlen;
	}
	j = (size_t)(pp->lf - p);
	if ((cr = memchr(p + i, '\r', j - i)) != NULL)
		j = (size_t)(cr - p);
	add_bytes(pp, p + i, j - i);
	pp->inpos = j;
	if (j == pp->inlen)
		return;
	pp->inpos++;
	if (p[j] == '\n')
		piece(pp, EVF_BARE_LF, true);
	else
		pp->cr = true;
}

static void
parse(struct pp *pp, const char *p, size_t n)
{
	pp->in = p;
	pp->inlen = n;
	pp->inpos = 0;
	pp->lf = NULL;
	while (pp->inpos < pp->inlen && !pp->stopped) {
		if (pp->lit_active)
			parse_literal(pp);
		else
			parse_line(pp);
	}
	/* What arrived is shown before the loop waits again. */
	run_flush(pp);
	pp->in = pp->lf = NULL;
	pp->inlen = pp->inpos = 0;
}

static void
do_eof(struct pp *pp)
{
	/* A message cannot go on over a connection that is gone. */
	pp->data_mode = false;
	pp->chunk_left = 0;
	if (pp->lit_active) {
		pp->lit_active = false;
		pp->lit_left = 0;
		literal_chunk(pp, EVF_NOEOL);
		return;
	}
	if (pp->cr) {
		pp->cr = false;
		add_bare_cr(pp);
	}
	if (pp->line.len > 0 || pp->in_line)
		piece(pp, EVF_NOEOL, true);
}

/* Bytes and EOF that arrived from inside the callback, in order. */
static void
drain(struct pp *pp)
{
	struct buf	b;

	while (!pp->stopped && pp->reenter.len > 0) {
		b = pp->reenter;
		memset(&pp->reenter, 0, sizeof pp->reenter);
		parse(pp, b.p, b.len);
		buf_free(&b);
	}
	if (pp->eof_pending && !pp->stopped) {
		pp->eof_pending = false;
		do_eof(pp);
		drain(pp);
	}
}

void
pp_feed(struct pp *pp, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (pp->stopped) {
		buf_add(&pp->held, p, n);
		return;
	}
	if (pp->in_cb > 0) {
		buf_add(&pp->reenter, p, n);
		return;
	}
	parse(pp, p, n);
	drain(pp);
}

void
pp_eof(struct pp *pp)
{
	if (pp->stopped)
		return;
	if (pp->in_cb > 0) {
		pp->eof_pending = true;
		return;
	}
	do_eof(pp);
	drain(pp);
}

size_t
pp_take_buffered(struct pp *pp, struct buf *out)
{
	size_t	n = pp->held.len;

	buf_add(out, pp->held.p, pp->held.len);
	buf_reset(&pp->held);
	pp->stopped = false;
	return n;
}

static struct pp_cmd *
cmd_push(struct pp *pp)
{
	struct pp_cmd	*c;

	pp->cmds = xreallocarray(pp->cmds, pp->ncmds + 1, sizeof *pp->cmds);
	c = &pp->cmds[pp->ncmds++];
	memset(c, 0, sizeof *c);
	return c;
}

static struct pp_cmd *
cmd_awaiting_client(struct pp *pp)
{
	size_t	i;

	for (i = pp->ncmds; i > 0; i--)
		if (pp->cmds[i - 1].await_client)
			return &pp->cmds[i - 1];
	return NULL;
}

static void	literal_line(const struct pp *, struct pp_cmd *, const char *,
		    size_t);
static bool	is_sync(const struct pp *, const char *);

/* The tag a client line starts with, as a class counts it. */
static uint8_t
tag_len(const char *p, size_t len)
{
	size_t	s, n;

	s = pp_word(p, len, 0, &n);
	return s == 0 && n > 0 ? (uint8_t)(n > UINT8_MAX ? UINT8_MAX : n) : 0;
}

/*
 * A client line: the wire form goes to out; cls (if not NULL) says what
 * it is: the verb, the tag, an answer to a continuation.
 */
int
pp_command(struct pp *pp, const char *line, size_t len, struct buf *out,
    struct ev_class *cls)
{
	struct pp_cmd	*c;
	struct ev_class	 dummy;
	size_t		 at = out->len, ncmds;

	if (cls == NULL)
		cls = &dummy;
	memset(cls, 0, sizeof *cls);
	if (memchr(line, '\r', len) != NULL || memchr(line, '\n', len) != NULL)
		return -1;
	if (pp->data_mode) {
		if (len == 1 && line[0] == '.' && !pp->body_dot) {
			pp->data_mode = false;
			c = cmd_push(pp);
			snprintf(c->verb, sizeof c->verb, "DATA");
			c->data_end = true;
			cls->verb = (uint8_t)ev_verb_id(c->verb);
		} else if (len > 0 && line[0] == '.')
			buf_addc(out, '.');	/* RFC 5321 4.5.2 */
		pp->body_dot = false;
		buf_add(out, line, len);
		buf_add(out, "\r\n", 2);
		return 0;
	}
	if (pp->chunk_left > 0) {
		/* A BDAT chunk: exactly its size, the line end counted. */
		if ((int64_t)len + 2 <= pp->chunk_left) {
			buf_add(out, line, len);
			buf_add(out, "\r\n", 2);
			pp->chunk_left -= (int64_t)len + 2;
		} else if ((int64_t)len == pp->chunk_left) {
			buf_add(out, line, len);
			pp->chunk_left = 0;
		} else
			return -2;
		cls->verb = (uint8_t)ev_verb_id("BDAT");
		return 0;
	}
	if ((c = cmd_awaiting_client(pp)) != NULL) {
		/* A continuation answer, or literal bytes: sent as typed. */
		cls->bits |= EVC_CONT;
		cls->verb = (uint8_t)ev_verb_id(c->verb);
		buf_add(out, line, len);
		buf_add(out, "\r\n", 2);
		if (c->lit_left > 0 || c->lit_rest)
			literal_line(pp, c, line, len);
		else {
			c->await_client = false;
			if (pp->ops->client_literals)
				pp_cmd_literal(pp, c, line, len);
		}
		return 0;
	}
	c = cmd_push(pp);
	ncmds = pp->ncmds;
	pp->ops->command(pp, c, line, len, out);
	if (pp->ncmds == ncmds) {
		cls->verb = (uint8_t)ev_verb_id(c->verb);
		if (strcmp(c->verb, pp->ops->starttls_cmd) == 0)
			cls->bits |= EVC_TLS_CMD;
		if (c->tag[0] != '\0')
			cls->tag = tag_len(out->p + at, out->len - at - 2);
		c->sync = is_sync(pp, c->verb);
		c->piped = pp->piping;
	}
	set_tagbuf(pp);
	return 0;
}

/*
 * The end of a command line: a literal "{n}" there is sent after the
 * server's "+" (lit_wait), a "{n+}" at once (the client's turn goes on);
 * anything else completes the command.
 */
void
pp_cmd_literal(const struct pp *pp, struct pp_cmd *c, const char *line,
    size_t len)
{
	int64_t	n;
	bool	nonsync;

	c->lit_rest = false;
	if (pp_literal_parse(line, len, &n, &nonsync) <= 0) {
		c->await_client = false;
		return;
	}
	/* Where "+" never asks for one (ManageSieve), "{n}" goes at once. */
	if (nonsync || !pp->ops->literals) {
		c->await_client = true;
		c->lit_left = n;
		c->lit_rest = n == 0;
	} else {
		c->await_client = false;
		c->lit_wait = true;
		c->lit_size = n;
	}
}

/*
 * A typed line while a client literal is open: the line and its CRLF
 * count towards the literal; a line that reaches past it ends the
 * literal there and the rest of it goes on with the command.
 */
static void
literal_line(const struct pp *pp, struct pp_cmd *c, const char *line,
    size_t len)
{
	size_t	off = 0;

	if (c->lit_left > 0) {
		if ((int64_t)len + 2 <= c->lit_left) {
			c->lit_left -= (int64_t)len + 2;
			c->lit_rest = c->lit_left == 0;
			return;
		}
		off = (size_t)c->lit_left;
		c->lit_left = 0;
	}
	if (off > len)
		off = len;
	pp_cmd_literal(pp, c, line + off, len - off);
}

/* Raw literal or chunk bytes sent by the owner (a file, not lines). */
void
pp_client_bytes(struct pp *pp, size_t n)
{
	struct pp_cmd	*c;

	if (pp->chunk_left > 0) {
		pp->chunk_left -= (int64_t)n < pp->chunk_left ? (int64_t)n :
		    pp->chunk_left;
		return;
	}
	if ((c = cmd_awaiting_client(pp)) == NULL || c->lit_left == 0)
		return;
	c->lit_left -= (int64_t)n < c->lit_left ? (int64_t)n : c->lit_left;
	c->lit_rest = c->lit_left == 0;
}

/* The bytes of the open client literal still to send; -1: none open. */
int64_t
pp_literal_due(const struct pp *pp)
{
	size_t	i;

	for (i = pp->ncmds; i > 0; i--) {
		const struct pp_cmd *c = &pp->cmds[i - 1];

		if (c->await_client && (c->lit_left > 0 || c->lit_rest))
			return c->lit_left;
	}
	return -1;
}

/* The bytes of the BDAT chunk still to send. */
int64_t
pp_chunk_due(const struct pp *pp)
{
	return pp->chunk_left;
}

/* Would the typed line go out as message content (a body line)? */
bool
pp_line_is_body(const struct pp *pp, size_t len)
{
	int64_t	left = pp_literal_due(pp);

	return pp->data_mode || pp->chunk_left > 0 || left >= (int64_t)len + 2;
}

static bool
is_sync(const struct pp *pp, const char *verb)
{
	const char *const *v;

	if (pp->ops->sync_verbs == NULL)
		return true;
	for (v = pp->ops->sync_verbs; *v != NULL; v++)
		if (strcmp(*v, verb) == 0)
			return true;
	return false;
}

/*
 * Does a pipelined group end after this command (RFC 2920 3.1: EHLO,
 * DATA, QUIT, ... wait for their reply)?  Lines of a message or a chunk
 * never end one.
 */
bool
pp_sync_point(const struct pp *pp, const char *line, size_t len)
{
	char	verb[PP_VERB_MAX];

	if (pp->data_mode || pp->chunk_left > 0 || pp_literal_due(pp) >= 0)
		return false;
	pp_verb(line, len, verb, sizeof verb);
	return is_sync(pp, verb);
}

/* The capability that allows groups; NULL: the protocol has none. */
const char *
pp_pipeline_cap(enum proto_id proto)
{
	return proto_ops_for(proto)->pipe_cap;
}

/* The commands from now on go in a group (on) or one by one. */
void
pp_pipeline(struct pp *pp, bool on)
{
	pp->piping = on;
}

bool
pp_pipelining(const struct pp *pp)
{
	return pp->ops->pipe_cap != NULL && strv_has(&pp->caps,
	    pp->ops->pipe_cap);
}

/*
 * What the log keeps of a line's classification.  A later piece of a
 * split line keeps the status and the verb; the tag and the enhanced
 * code are in the first piece's bytes.
 */
void
pp_class(const struct pp_line *l, struct ev_class *c)
{
	memset(c, 0, sizeof *c);
	c->code = l->code > 0 ? (uint16_t)l->code : 0;
	c->status = (uint8_t)l->status;
	c->verb = (uint8_t)ev_verb_id(l->verb);
	if (l->tag != NULL && !l->piece)
		c->tag = tag_len(l->buf, l->len);
	if (l->esc[0] != '\0' && !l->piece && l->len > 4) {
		c->esc_off = 4;	/* "DDD-" or "DDD " */
		c->esc_len = (uint8_t)strlen(l->esc);
	}
	if (l->final)
		c->bits |= EVC_FINAL;
	if (l->final && l->status == RS_INTERMEDIATE)
		c->bits |= EVC_CONT;
	if (l->greeting)
		c->bits |= EVC_GREETING;
	if (l->starttls_ok)
		c->bits |= EVC_TLS_GO;
	if (l->starttls_refused)
		c->bits |= EVC_TLS_NO;
	if (l->starttls_cap)
		c->bits |= EVC_TLS_CAP;
}

size_t
pp_pending(const struct pp *pp)
{
	size_t	i, n = 0;

	/* A chunk is due: the client's turn, whatever is awaited. */
	if (pp->chunk_left > 0)
		return 0;
	for (i = 0; i < pp->ncmds; i++)
		if (!pp->cmds[i].late && !pp->cmds[i].await_client)
			n++;
	return n;
}

/* The next line is a message line even when it is a lone ".". */
void
pp_body_line(struct pp *pp)
{
	pp->body_dot = pp->data_mode;
}

/*
 * The server line being framed, as far as it came: what a view may show
 * as still arriving.  Not a literal's bytes, nor anything held after the
 * STARTTLS go-ahead (never parsed).
 */
size_t
pp_partial(const struct pp *pp, const char **p)
{
	*p = pp->line.p;
	if (pp->stopped || pp->lit_active || pp->line.p == NULL)
		return 0;
	return pp->line.len;
}

bool
pp_data_mode(const struct pp *pp)
{
	return pp->data_mode;
}

bool
pp_wants_continuation(const struct pp *pp)
{
	size_t	i;

	if (pp->chunk_left > 0)
		return true;
	for (i = 0; i < pp->ncmds; i++)
		if (pp->cmds[i].await_client)
			return true;
	return false;
}

const struct strv *
pp_caps(const struct pp *pp)
{
	return &pp->caps;
}

bool
pp_caps_known(const struct pp *pp)
{
	return pp->caps_known;
}

/* An IMAP greeting's [CAPABILITY] code: servers (Cyrus) list there only
 * a few of what CAPABILITY answers. */
bool
pp_caps_partial(const struct pp *pp)
{
	return pp->caps_partial;
}

void
pp_caps_reset(struct pp *pp)
{
	strv_clear(&pp->caps);
	pp->caps_known = false;
	pp->caps_partial = false;
}

void
pp_expect_greeting(struct pp *pp)
{
	struct pp_cmd	*c;

	c = cmd_push(pp);
	if (pp->ncmds > 1) {
		memmove(pp->cmds + 1, pp->cmds,
		    (pp->ncmds - 1) * sizeof *pp->cmds);
		c = &pp->cmds[0];
		memset(c, 0, sizeof *c);
	}
	c->greeting = true;
}

void
pp_timeout(struct pp *pp)
{
	size_t	i;

	for (i = 0; i < pp->ncmds; i++) {
		if (!pp->cmds[i].late && !pp->cmds[i].await_client) {
			pp->cmds[i].late = true;
			return;
		}
	}
}

const char *
pp_starttls_cmd(const struct pp *pp)
{
	return pp->ops->starttls_cmd;
}

const char *
pp_caps_cmd(const struct pp *cpp, const char *name)
{
	struct pp	*pp = (struct pp *)(uintptr_t)cpp;	/* cache only */

	free(pp->capscmd);
	if (pp->proto == PROTO_SMTP || pp->proto == PROTO_LMTP)
		xasprintf(&pp->capscmd, "%s %s", pp->ops->caps_cmd,
		    name != NULL && *name != '\0' ? name : "localhost");
	else
		pp->capscmd = xstrdup(pp->ops->caps_cmd);
	return pp->capscmd;
}

const char *
pp_quit_cmd(const struct pp *pp)
{
	return pp->ops->quit_cmd;
}

const char *
pp_auth_cmd(const struct pp *pp)
{
	return pp->ops->auth_cmd;
}

/* The service name GSSAPI and DIGEST-MD5 ask for. */
const char *
pp_sasl_service(const struct pp *pp)
{
	return pp->ops->sasl_service;
}

/* May the first SASL message ride on the command? */
bool
pp_sasl_ir(const struct pp *pp)
{
	return pp->ops->sasl_ir || (pp->ops->sasl_ir_cap != NULL &&
	    strv_has(&pp->caps, pp->ops->sasl_ir_cap));
}

/* A SASL word (mechanism, response, "*") as the protocol sends it:
 * quoted in ManageSieve (RFC 5804 2.1), bare elsewhere. */
void
pp_sasl_word(const struct pp *pp, const char *word, struct buf *out)
{
	buf_printf(out, pp->ops->sasl_strings ? "\"%s\"" : "%s", word);
}

/*
 * After a STARTTLS handshake: does the server send its capabilities
 * unasked (RFC 5804 2.2)?  Then they are awaited as if asked.
 */
bool
pp_expect_tls_caps(struct pp *pp)
{
	struct pp_cmd	*c;

	if (!pp->ops->tls_caps)
		return false;
	c = cmd_push(pp);
	snprintf(c->verb, sizeof c->verb, "%s", pp->ops->caps_cmd);
	return true;
}

/* The mechanisms the capabilities list, upper case, each once. */
void
pp_sasl_mechs(const struct pp *pp, struct strv *out)
{
	const char	*c, *word = pp->ops->sasl_cap;
	char		 name[64];
	size_t		 i, j, n = strlen(word), len, off, w, wl;
	int		 ch;

	for (i = 0; i < pp->caps.n; i++) {
		c = pp->caps.v[i];
		len = strlen(c);
		if (len <= n || strncasecmp(c, word, n) != 0 ||
		    (c[n] != ' ' && c[n] != '='))
			continue;
		for (off = n + 1; off < len; off = w + wl) {
			w = pp_word(c, len, off, &wl);
			if (wl == 0 || wl >= sizeof name)
				break;
			for (j = 0; j < wl; j++) {
				ch = (unsigned char)c[w + j];
				name[j] = (char)toupper(ch);
			}
			name[wl] = '\0';
			if (!strv_has(out, name))
				strv_add(out, name);
		}
	}
}

/* The base64 text of a continuation: what follows "334 " or "+ ", or
 * inside the quotes of a ManageSieve string. */
void
pp_sasl_challenge(const char *line, size_t len, struct buf *out)
{
	size_t	sp = 0;

	if (len >= 2 && line[0] == '"' && line[len - 1] == '"') {
		buf_add(out, line + 1, len - 2);
		buf_adds(out, "");
		return;
	}
	while (sp < len && line[sp] != ' ')
		sp++;
	if (sp < len)
		sp++;
	buf_add(out, line + sp, len - sp);
	buf_adds(out, "");	/* never NULL */
}

const char *
pp_next_tag(const struct pp *pp)
{
	return pp->ops->tagged ? pp->tagbuf : NULL;
}

/* What a protocol is, before any connection. */
bool
pp_tagged(enum proto_id proto)
{
	return proto_ops_for(proto)->tagged;
}

const char *
pp_data_cmd(enum proto_id proto)
{
	return proto_ops_for(proto)->data_cmd;
}

const char *
pp_inject_cmd(enum proto_id proto)
{
	return proto_ops_for(proto)->inject_cmd;
}

/* Is port one of the words of list? */
static bool
port_listed(const char *list, const char *port)
{
	size_t	n = strlen(port);
	const char *p;

	for (p = list; (p = strstr(p, port)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' ||
		    p[n] == '\0'))
			return true;
	return false;
}

/*
 * The tshark command that decrypts a capture of this connection with the
 * key log: the port mapped to the protocol when Wireshark would not take
 * it by itself.
 */
void
pp_tshark(enum proto_id proto, const char *port, bool implicit_tls,
    const char *keylog, struct buf *out)
{
	const struct proto_ops	*ops = proto_ops_for(proto);

	/* A path with a shell's special characters is quoted for it. */
	buf_adds(out, "tshark -r CAPTURE -o ");
	if (keylog[strspn(keylog, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789_./:+,@%-")] == '\0')
		buf_printf(out, "tls.keylog_file:%s", keylog);
	else {
		buf_adds(out, "'tls.keylog_file:");
		for (; *keylog != '\0'; keylog++) {
			if (*keylog == '\'')
				buf_adds(out, "'\\''");
			else
				buf_addc(out, *keylog);
		}
		buf_addc(out, '\'');
	}
	if (ops->dissector == NULL)
		return;
	if (implicit_tls && !port_listed(ops->ws_tls_ports, port))
		buf_printf(out, " -d tcp.port==%s,tls -d tls.port==%s,%s", port,
		    port, ops->dissector);
	else if (!implicit_tls && !port_listed(ops->ws_ports, port))
		buf_printf(out, " -d tcp.port==%s,%s", port, ops->dissector);
}

const char *
pp_mail_probe(enum proto_id proto)
{
	return proto_ops_for(proto)->mail_probe;
}

/* A warning on a command's addresses (SMTPUTF8), or NULL. */
const char *
pp_addr_check(const struct pp *pp, const char *line, size_t len)
{
	return pp->ops->addr_check == NULL ? NULL :
	    pp->ops->addr_check(&pp->caps, pp_caps_known(pp), line, len);
}

const char *
pp_typed_hello(enum proto_id proto)
{
	return proto_ops_for(proto)->typed_hello;
}

const char *
pp_typed_starttls(enum proto_id proto)
{
	return proto_ops_for(proto)->typed_starttls;
}

const char *
pp_plain_auth_risk(const struct pp *pp)
{
	return pp->ops->plain_auth(&pp->caps);
}

bool
pp_cap_starttls(const struct pp *pp)
{
	return strv_has(&pp->caps, pp->ops->starttls_cap);
}

/*
 * The capability list l completed, as its event: the list, the command
 * that listed it, whether it is a greeting's (maybe partial), whether it
 * describes a logged-in session (a list in the reply to a login does,
 * even on an untagged line before the verdict) and whether it offers
 * STARTTLS.  text gets the list in words; the caller appends the event.
 */
void
pp_caps_event(const struct pp *pp, const struct pp_line *l, uint8_t chan,
    struct event *ev, struct ev_extra **xp, struct buf *text)
{
	struct ev_extra	*x;
	size_t		 i;

	memset(ev, 0, sizeof *ev);
	ev->kind = EV_CAPS;
	ev->dir = DIR_LOCAL;
	ev->chan = chan;
	x = xcalloc(1, sizeof *x);
	strv_copy(&x->caps, &pp->caps);
	if (l->greeting)
		ev->cls.bits |= EVC_GREETING;
	else
		ev->cls.verb = (uint8_t)ev_verb_id(l->verb);
	if (pp->caps_partial)
		ev->cls.bits |= EVC_PARTIAL;
	if (pp->authed || pp_answers_auth(l))
		ev->cls.bits |= EVC_AUTHED;
	if (pp_cap_starttls(pp))
		ev->cls.bits |= EVC_OFFERS_TLS;
	for (i = 0; i < pp->caps.n; i++)
		buf_printf(text, "%s%s", i > 0 ? ", " : "", pp->caps.v[i]);
	*xp = x;
}

const char *const *
pp_verbs(enum proto_id proto)
{
	return proto_ops_for(proto)->verbs;
}

int64_t
pp_expected_size(const struct pp *pp)
{
	return pp->xfer_size;
}

int64_t
pp_received_size(const struct pp *pp)
{
	return pp->xfer_recv;
}

/* Helpers for the protocol hooks. */

struct pp_cmd *
pp_cmd_oldest(struct pp *pp)
{
	return pp->ncmds > 0 ? &pp->cmds[0] : NULL;
}

struct pp_cmd *
pp_cmd_newest(struct pp *pp)
{
	return pp->ncmds > 0 ? &pp->cmds[pp->ncmds - 1] : NULL;
}

struct pp_cmd *
pp_cmd_find_tag(struct pp *pp, const char *tag, size_t len)
{
	size_t	i;

	for (i = 0; i < pp->ncmds; i++) {
		if (pp->cmds[i].greeting || pp->cmds[i].tag[0] == '\0')
			continue;
		if (strlen(pp->cmds[i].tag) == len &&
		    memcmp(pp->cmds[i].tag, tag, len) == 0)
			return &pp->cmds[i];
	}
	return NULL;
}

/* A response to cmd (NULL: unsolicited) begins with line l. */
void
pp_cmd_answer(struct pp *pp, struct pp_cmd *c, struct pp_line *l)
{
	if (c == NULL) {
		pp->verb[0] = '\0';
		pp->tag[0] = '\0';
		pp->resp_flags = EVF_UNSOLICITED;
	} else {
		memcpy(pp->verb, c->verb, sizeof pp->verb);
		memcpy(pp->tag, c->tag, sizeof pp->tag);
		pp->resp_flags = (c->late ? EVF_LATE : 0) |
		    (c->piped ? EVF_PIPELINED : 0);
	}
	pp_line_flags(pp, l);
}

void
pp_cmd_remove(struct pp *pp, struct pp_cmd *c)
{
	size_t	i = (size_t)(c - pp->cmds);

	if (i >= pp->ncmds)
		fatalx("%s: bad command", __func__);
	memmove(c, c + 1, (pp->ncmds - i - 1) * sizeof *c);
	pp->ncmds--;
}

/* Mark l as part of the current response. */
void
pp_line_flags(struct pp *pp, struct pp_line *l)
{
	l->flags |= pp->resp_flags;
	l->verb = pp->verb[0] != '\0' ? pp->verb : NULL;
}

void
pp_cap_add(struct pp *pp, const char *p, size_t len)
{
	struct buf	b = { 0 };

	if (pp->caps.n >= PP_CAPS_MAX)
		return;
	pp->line_caps++;
	/* A NUL would cut "STARTTLS\0junk" to STARTTLS: keep it visible. */
	if (memchr(p, '\0', len) != NULL) {
		sanitize(p, len, &b);
		strv_addn(&pp->caps, b.p, b.len);
		buf_free(&b);
		return;
	}
	strv_addn(&pp->caps, p, len);
}

/* The next n bytes from the server are a literal. */
void
pp_literal_start(struct pp *pp, int64_t n)
{
	pp->lit_active = n > 0;
	pp->lit_left = n;
	pp->xfer_size = n;
	pp->xfer_recv = 0;
	buf_reset(&pp->lit);
}

/*
 * Does the text end with an IMAP literal marker "{n}" or "{n+}"?  1 with
 * *n set, 0 when there is none, -1 for a broken one ("{}", "{-1}", more
 * digits than int64_t holds).  n is never trusted for allocation.
 */
int
pp_literal_parse(const char *p, size_t len, int64_t *n, bool *nonsync)
{
	size_t	b, e, i;
	int64_t	v = 0;
	int	d;

	*n = 0;
	*nonsync = false;
	if (len < 2 || p[len - 1] != '}')
		return 0;
	for (b = len - 1; b > 0; b--) {
		if (!isdigit((unsigned char)p[b - 1]) && p[b - 1] != '+' &&
		    p[b - 1] != '-')
			break;
	}
	if (b == 0 || p[b - 1] != '{')
		return 0;
	e = len - 1;
	if (e > b && p[e - 1] == '+') {
		*nonsync = true;
		e--;
	}
	if (e == b)
		return -1;
	for (i = b; i < e; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		d = p[i] - '0';
		if (v > (INT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*n = v;
	return 1;
}

/* pp_literal_parse on the end of a whole line, even one cut in pieces. */
int
pp_line_literal(const struct pp *pp, const struct pp_line *l, bool first,
    int64_t *n, bool *nonsync)
{
	char	end[2 * sizeof pp->tail];
	size_t	len;

	if (first || l->len >= sizeof pp->tail)
		return pp_literal_parse(l->buf, l->len, n, nonsync);
	memcpy(end, pp->tail, pp->ntail);
	memcpy(end + pp->ntail, l->buf, l->len);
	len = pp->ntail + l->len;
	return pp_literal_parse(end, len, n, nonsync);
}

/* The first word of a command, upper case, for line->verb. */
void
pp_verb(const char *p, size_t len, char *out, size_t outlen)
{
	size_t	i, o = 0;

	for (i = 0; i < len && p[i] == ' '; i++)
		;
	for (; i < len && p[i] != ' ' && o + 1 < outlen; i++) {
		if (isprint((unsigned char)p[i]))
			out[o++] = (char)toupper((unsigned char)p[i]);
		else
			out[o++] = '?';
	}
	out[o] = '\0';
}

/* The word at or after offset off: returns its start, *wlen its length. */
size_t
pp_word(const char *p, size_t len, size_t off, size_t *wlen)
{
	size_t	s, i;

	for (s = off; s < len && p[s] == ' '; s++)
		;
	for (i = s; i < len && p[i] != ' '; i++)
		;
	*wlen = i - s;
	return s;
}

/*
 * The SASL list of a capability ("AUTH PLAIN LOGIN", "AUTH=LOGIN", "SASL
 * EXTERNAL") names a mechanism that carries a credential: anything but
 * EXTERNAL, whose credential is the TLS client certificate.  The word
 * alone counts: what it offers is unknown.
 */
bool
strv_offers_credentials(const struct strv *sv, const char *word)
{
	const char	*c;
	size_t		 i, n = strlen(word), len, off, w, wl;
	bool		 any;

	for (i = 0; i < sv->n; i++) {
		c = sv->v[i];
		len = strlen(c);
		if (len < n || strncasecmp(c, word, n) != 0 ||
		    (len > n && c[n] != ' ' && c[n] != '='))
			continue;
		any = false;
		for (off = n + 1; off < len; off = w + wl) {
			w = pp_word(c, len, off, &wl);
			if (wl == 0)
				break;
			any = true;
			if (wl != 8 || strncasecmp(c + w, "EXTERNAL", 8) != 0)
				return true;
		}
		if (!any)
			return true;
	}
	return false;
}
