/* SPDX-License-Identifier: ISC */
/*
 * The sequence (ladder) model: the log as the rows of a client/server
 * diagram, one arrow per line.  The export's SVG and the screen's ladder
 * pane draw these rows; neither decides what a row is.  Everything comes
 * from the events' kinds, flags and classes: nothing parses a reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

/* What a drawing shows, in the words of a handout's legend. */
static const struct ladder_key legend[] = {
	{ "plaintext", "plain", true,
	    "an arrow: one line sent in plaintext, which anyone "
	    "on the path can read and change" },
	{ "tls", "tls", true,
	    "an arrow: one line sent inside TLS, encrypted and "
	    "authenticated" },
	{ "injected", "inj", true,
	    "bytes that arrived after the STARTTLS go-ahead and "
	    "before the handshake, where only TLS belongs: injected by "
	    "someone on the path (marked !!)" },
	{ "handshake", "handshake", false,
	    "the TLS handshake's messages, on the same "
	    "connection: after the go-ahead, before anything encrypted" },
	{ "boundary", "boundary", false,
	    "the TLS boundary: the handshake is done; what "
	    "follows is encrypted" },
	{ "lesson", "lesson", false,
	    "what the lesson is about: the line offering STARTTLS "
	    "(or where it was masked), the STARTTLS command and its answer, "
	    "stripping, injection, what changed across STARTTLS" },
	{ "note", "note", false,
	    "a note, a mark, or what mailscope noticed" },
	{ "warning", "warn", false,
	    "a warning or an error" },
	{ "break", "break", false,
	    "the connection ended; a new one starts below" },
};

/* Warnings about the attacks the lessons show. */
static const char *const lesson_codes[] = {
	"starttls-stripped", "response-injection", "command-injection",
	"no-starttls", "starttls-refused",
};

void
ladder_init(struct ladder *l)
{
	memset(l, 0, sizeof *l);
}

void
ladder_free(struct ladder *l)
{
	free(l->rows);
	ladder_init(l);
}

size_t
ladder_legend(const struct ladder_key **keys)
{
	*keys = legend;
	return sizeof legend / sizeof legend[0];
}

static bool
is_body(const struct event *ev)
{
	return ev->kind == EV_DATA && (ev->flags & (EVF_BODY | EVF_LITERAL));
}

static bool
lesson(const struct event *ev)
{
	size_t	i;

	if (ev->flags & EVF_INJECTED)
		return true;
	if (ev->kind == EV_DATA)
		return ev->dir == DIR_CLIENT ? (ev->cls.bits & EVC_TLS_CMD) :
		    (ev->cls.bits & (EVC_TLS_GO | EVC_TLS_NO | EVC_TLS_CAP |
		    EVC_TLS_MASKED));
	if (ev->kind == EV_CAPDIFF)
		return true;
	for (i = 0; i < sizeof lesson_codes / sizeof lesson_codes[0]; i++)
		if (ev_code_is(ev, lesson_codes[i]))
			return true;
	return false;
}

static struct ladder_row *
add_row(struct ladder *l, const struct evlog *log, const struct event *ev,
    enum ladder_kind kind)
{
	struct ladder_row	*r;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->rows = xreallocarray(l->rows, l->cap, sizeof *l->rows);
	}
	r = &l->rows[l->n++];
	memset(r, 0, sizeof *r);
	r->seq = ev_seq(log, ev);
	r->nlines = 1;
	r->conn = l->conn;
	r->kind = (uint8_t)kind;
	r->dir = (uint8_t)ev->dir;
	r->bits = (ev->chan == CHAN_TLS ? LRF_TLS : 0) |
	    (lesson(ev) ? LRF_LESSON : 0);
	return r;
}

/*
 * The handshake this connection's TLS came from learns where its facts
 * are: what the hello offered and what the server chose.
 */
static void
handshake_done(struct ladder *l, const struct evlog *log,
    const struct event *ev)
{
	size_t	i;

	for (i = l->n; i > 0 && l->rows[i - 1].conn == l->conn; i--) {
		if (l->rows[i - 1].kind == LR_TLS)
			return;
		if (l->rows[i - 1].kind == LR_HANDSHAKE) {
			l->rows[i - 1].facts = ev_seq(log, ev);
			return;
		}
	}
}

/* One event, as it comes: live (an ev_sub's event) or from a log. */
void
ladder_event(struct ladder *l, const struct evlog *log,
    const struct event *ev)
{
	struct ladder_row	*last = l->n > 0 ? &l->rows[l->n - 1] : NULL;
	const struct ev_extra	*x;
	enum ladder_kind	 kind;

	if (ev_is_trace(ev))
		return;
	if (l->closed) {
		l->conn++;
		l->closed = false;
	}
	switch (ev->kind) {
	case EV_DATA:
		kind = ev->dir == DIR_CLIENT ? LR_CLIENT : LR_SERVER;
		if (is_body(ev) && !(ev->flags & EVF_INJECTED)) {
			/* A body goes on in the row it began. */
			if (last != NULL && (last->bits & LRF_BODY) &&
			    last->kind == kind && last->conn == l->conn) {
				last->nlines += (uint32_t)ev_body_lines(ev,
				    &l->partial);
				return;
			}
			last = add_row(l, log, ev, kind);
			last->bits |= LRF_BODY;
			l->partial = false;
			last->nlines = (uint32_t)ev_body_lines(ev,
			    &l->partial);
			return;
		}
		add_row(l, log, ev, (ev->flags & EVF_INJECTED) ? LR_INJECTED :
		    kind);
		return;
	case EV_TLS_STEP:
		/* The messages of one handshake go in one row. */
		if (last != NULL && last->kind == LR_HANDSHAKE &&
		    last->conn == l->conn) {
			last->nlines++;
			return;
		}
		add_row(l, log, ev, LR_HANDSHAKE);
		return;
	case EV_TLS_ESTABLISHED:
		handshake_done(l, log, ev);
		add_row(l, log, ev, LR_TLS);
		return;
	case EV_NOTE:
	case EV_MARK:
	case EV_CAPDIFF:
		add_row(l, log, ev, LR_NOTE);
		return;
	case EV_WARNING:
	case EV_ERROR:
		add_row(l, log, ev, LR_WARNING);
		return;
	case EV_VERDICT:
		add_row(l, log, ev, ev_code_is(ev, "vulnerable") ?
		    LR_WARNING : LR_NOTE);
		return;
	case EV_VERIFY:
		x = ev_extra(ev);
		if (x == NULL || x->tls == NULL || !x->tls->verified)
			add_row(l, log, ev, LR_WARNING);
		return;
	case EV_DNS:
		if (ev_dns_bogus(ev))
			add_row(l, log, ev, LR_WARNING);
		return;
	case EV_CLOSE:
		add_row(l, log, ev, LR_BREAK);
		l->closed = true;
		return;
	default:
		return;
	}
}

void
ladder_log(struct ladder *l, const struct evlog *log)
{
	size_t	i;

	for (i = 0; i < evlog_count(log); i++)
		ladder_event(l, log, evlog_at(log, i));
}

/* The last row at or before event seq (0 when there is none). */
size_t
ladder_find(const struct ladder *l, uint32_t seq)
{
	size_t	lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->rows[mid].seq <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? lo - 1 : 0;
}

/* A fact from a recording: anyone's text. */
static void
fact(const char *s, struct buf *out)
{
	sanitize(s, strlen(s), out);
}

/*
 * Each message's name, as the session logged it (src/core/tls.c names
 * them); the client's hello with what it offered, the server's with what
 * it chose, once the facts at the handshake's end are known.  The
 * versions offered and the one chosen lead, so that a narrow row cut
 * short still shows the negotiation.
 */
static void
handshake_label(const struct evlog *log, const struct ladder_row *r,
    struct buf *out)
{
	const struct ev_extra	*x = NULL;
	const struct tls_facts	*f;
	const struct event	*ev;
	const char		*rest = NULL;
	size_t			 i, n, vl;
	bool			 offered = false, chose = false, lead;

	if (r->facts > r->seq && r->facts < evlog_count(log))
		x = ev_extra(evlog_at(log, r->facts));
	f = x != NULL ? x->tls : NULL;
	buf_adds(out, "TLS handshake: ");
	lead = f != NULL && f->offer.vwords != NULL && f->version != NULL;
	if (lead) {
		buf_adds(out, "offered ");
		fact(f->offer.vwords, out);
		buf_adds(out, ", chose ");
		fact(f->version, out);
		buf_adds(out, ": ");
		/* The hello's groups and suites: its versions are said. */
		vl = strlen(f->offer.vwords);
		if (f->offer.words != NULL && strncmp(f->offer.words,
		    f->offer.vwords, vl) == 0 && strncmp(f->offer.words + vl,
		    "; ", 2) == 0)
			rest = f->offer.words + vl + 2;
	}
	for (i = r->seq, n = 0; n < r->nlines && i < evlog_count(log); i++) {
		ev = evlog_at(log, i);
		if (ev->kind != EV_TLS_STEP)
			continue;
		if (n++ > 0)
			buf_adds(out, ", ");
		sanitize(ev->data, ev->len, out);
		if (f == NULL)
			continue;
		if (!offered && f->offer.words != NULL && ev->len > 12 &&
		    memcmp(ev->data, "ClientHello ", 12) == 0) {
			offered = true;
			buf_adds(out, lead ? " (" : " (offered ");
			fact(rest != NULL ? rest : f->offer.words, out);
			buf_addc(out, ')');
		} else if (!chose && f->version != NULL && ev->len > 12 &&
		    memcmp(ev->data, "ServerHello ", 12) == 0) {
			chose = true;
			if (lead && f->group == NULL)
				continue;
			buf_adds(out, lead ? " (" : " (chose ");
			if (!lead)
				fact(f->version, out);
			if (f->group != NULL) {
				buf_adds(out, lead ? "" : ", ");
				fact(f->group, out);
			}
			buf_addc(out, ')');
		}
	}
}

/* A row in words, sanitized: what every renderer writes beside it. */
void
ladder_label(const struct evlog *log, const struct ladder_row *r,
    struct buf *out)
{
	const struct event	*ev = evlog_at(log, r->seq);
	const struct ev_extra	*x = ev_extra(ev);
	const char		*line;
	size_t			 pos = 0, n;
	bool			 eol;

	switch (r->kind) {
	case LR_HANDSHAKE:
		handshake_label(log, r, out);
		return;
	case LR_TLS:
		buf_adds(out, "TLS established: ");
		break;
	case LR_NOTE:
		if (ev->kind == EV_MARK)
			buf_adds(out, "mark: ");
		else if (ev->kind == EV_CAPDIFF)
			buf_adds(out, "capabilities after STARTTLS: ");
		break;
	case LR_WARNING:
		if (ev->kind == EV_ERROR)
			buf_adds(out, "error: ");
		break;
	case LR_BREAK:
		buf_adds(out, "connection ended: ");
		break;
	default:
		break;
	}
	if (r->bits & LRF_BODY) {
		/* The first line of the body, and how many there are. */
		if (ev_is_chunk(ev) && ev_chunk_line(ev, &pos, &line, &n,
		    &eol))
			sanitize(line, n, out);
		else
			sanitize(ev->data, ev->len, out);
		buf_printf(out, " (%s of %u line%s)", (ev->flags &
		    EVF_LITERAL) ? "literal" : "body", r->nlines,
		    r->nlines == 1 ? "" : "s");
		return;
	}
	sanitize(ev->data, ev->len, out);
	if (ev->kind == EV_DATA)
		render_flags(ev, out);
	else if (r->kind == LR_WARNING && x != NULL && x->code != NULL) {
		buf_adds(out, " [");
		sanitize(x->code, strlen(x->code), out);
		buf_addc(out, ']');
	}
}

/* Connections: the last row's and one, or one for an empty log. */
size_t
ladder_conns(const struct ladder *l, const struct evlog *log)
{
	size_t	n, i;

	if (l->n == 0)
		return 1;
	n = (size_t)l->rows[l->n - 1].conn + 1;
	/* Events after the last close begin one more. */
	if (l->rows[l->n - 1].kind == LR_BREAK)
		for (i = l->rows[l->n - 1].seq + 1; i < evlog_count(log); i++)
			if (!ev_is_trace(evlog_at(log, i)))
				return n + 1;
	return n;
}

/* The last event of connection c: its close, or the log's last. */
size_t
ladder_conn_end(const struct ladder *l, const struct evlog *log, size_t c)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (l->rows[i].conn == c && l->rows[i].kind == LR_BREAK)
			return l->rows[i].seq;
	return evlog_count(log) > 0 ? evlog_count(log) - 1 : 0;
}
