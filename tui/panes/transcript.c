/* SPDX-License-Identifier: ISC */
/*
 * The transcript pane: every event of the log in its semantic style.
 *
 * Events are indexed as they arrive (O(1) each).  Wrapped row counts are
 * computed lazily for the items that are looked at and cached per width,
 * and a frame renders only the visible window, so a million-line
 * transcript draws as fast as a short one.  Consecutive body lines or
 * literal chunks form a group that folds to one line once it is large.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tui.h"

#define NO_GROUP	UINT32_MAX
#define FOLD_LINES	40		/* a body this long folds by itself */
#define FOLD_BYTES	(16 * 1024)

/* 8 bytes a line: a body's group is found from the groups' ranges. */
struct item {
	uint32_t	 seq;
	uint32_t	 rows;		/* at rows_width; 0 not known */
};

struct group {
	size_t		 first;
	size_t		 last;
	uint64_t	 bytes;
	uint64_t	 lines;		/* chunks are counted by LF */
	uint8_t		 dir;
	bool		 partial;	/* the last chunk ended inside a line */
	bool		 folded;
	bool		 touched;	/* the user folded or unfolded it */
};

struct transcript {
	struct tui	*t;
	WINDOW		*win;
	int		 y, x, h, w;
	int		 cover;		/* bottom rows under the message */
	int		 live;		/* rows of a line still arriving */
	struct rtext	 live_rt;
	struct item	*items;
	size_t		 n, cap;
	struct group	*groups;
	size_t		 ngroups, gcap;
	int		 rows_width;
	bool		 follow;
	size_t		 top;		/* first visible item (unit start) */
	int		 top_row;	/* rows of it above the window */
	size_t		 unseen;	/* items added while scrolled up */
	char		*search;
	size_t		 match;
	bool		 have_match;
	size_t		*visible;	/* units drawn in the last frame */
	int		*vrow;		/* and the row each one starts on */
	size_t		 nvisible;
	size_t		 sel;		/* the selected unit, for a note */
	bool		 have_sel;
	bool		 tls_failing;	/* a close now is a TLS failure */
	size_t		 failed_close;	/* the item of that close, or SIZE_MAX */
	struct rtext	 rt;
};

static void
tr_init(struct tui *t)
{
	struct transcript	*ts;

	ts = xcalloc(1, sizeof *ts);
	ts->t = t;
	ts->follow = true;
	ts->failed_close = SIZE_MAX;
	t->ts = ts;
}

static void
tr_done(struct tui *t)
{
	struct transcript	*ts = t->ts;

	if (ts == NULL)
		return;
	t->ts = NULL;
	t->m.selected = NULL;
	t->m.shown = NULL;
	if (ts->win != NULL)
		delwin(ts->win);
	free(ts->items);
	free(ts->groups);
	free(ts->search);
	free(ts->visible);
	free(ts->vrow);
	rtext_free(&ts->rt);
	rtext_free(&ts->live_rt);
	free(ts);
}

static const struct event *
item_event(const struct transcript *ts, size_t i)
{
	return evlog_at(ts->t->log, ts->items[i].seq);
}

static void	transcript_scroll(struct transcript *, int);
static void	transcript_end(struct transcript *);

/* The event the selection starts on. */
static const struct event *
selected(const struct transcript *ts)
{
	if (!ts->have_sel || ts->sel >= ts->n)
		return NULL;
	return item_event(ts, ts->sel);
}

/* The selection is the model's: the explanations read it there. */
static void
publish(const struct transcript *ts)
{
	ts->t->m.selected = selected(ts);
}

/* The rows the lines have: the message covers the bottom ones. */
static int
view_h(const struct transcript *ts)
{
	int	h = ts->h - ts->cover - ts->live;

	return h > 1 ? h : 1;
}

static bool
is_body(const struct event *ev)
{
	return ev->kind == EV_DATA && (ev->flags & (EVF_BODY | EVF_LITERAL));
}

/* Index the event, group bodies. */
static void
tr_event(struct tui *t, const struct event *ev)
{
	struct transcript	*ts = t->ts;
	struct item		*it;
	struct group		*g;

	if (ev_is_trace(ev))
		return;
	/*
	 * A close during the handshake, or after a certificate that did
	 * not verify with nothing sent since, is a TLS failure.  The TLS
	 * panel shows the steps.
	 */
	if (ev->kind == EV_TLS_STEP) {
		ts->tls_failing = true;
		return;
	}
	if (ev->kind == EV_VERIFY)
		ts->tls_failing = ev_extra(ev) == NULL ||
		    ev_extra(ev)->tls == NULL || !ev_extra(ev)->tls->verified;
	else if (ev->kind == EV_TLS_ESTABLISHED || ev->kind == EV_CONNECT ||
	    ev->kind == EV_DATA)
		ts->tls_failing = false;
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 1024;
		ts->items = xreallocarray(ts->items, ts->cap,
		    sizeof *ts->items);
	}
	it = &ts->items[ts->n];
	it->seq = ev_seq(ts->t->log, ev);
	it->rows = 0;
	if (ev->kind == EV_CLOSE && ts->tls_failing)
		ts->failed_close = ts->n;
	if (is_body(ev)) {
		g = ts->ngroups > 0 ? &ts->groups[ts->ngroups - 1] : NULL;
		if (g == NULL || g->last + 1 != ts->n || g->dir != ev->dir) {
			if (ts->ngroups == ts->gcap) {
				ts->gcap = ts->gcap ? ts->gcap * 2 : 16;
				ts->groups = xreallocarray(ts->groups,
				    ts->gcap, sizeof *ts->groups);
			}
			g = &ts->groups[ts->ngroups++];
			memset(g, 0, sizeof *g);
			g->first = ts->n;
			g->dir = ev->dir;
		}
		g->last = ts->n;
		g->bytes += ev->len;
		g->lines += ev_body_lines(ev, &g->partial);
		if (!g->folded && !g->touched &&
		    (g->last - g->first + 1 >= FOLD_LINES ||
		    g->bytes >= FOLD_BYTES))
			g->folded = true;
	}
	ts->n++;
	if (!ts->follow)
		ts->unseen++;
}

/* The body group holding item i, or NO_GROUP: groups are in item order. */
static uint32_t
group_of(const struct transcript *ts, size_t i)
{
	size_t	lo = 0, hi = ts->ngroups, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ts->groups[mid].last < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ts->ngroups && ts->groups[lo].first <= i)
		return (uint32_t)lo;
	return NO_GROUP;
}

static bool
folded(const struct transcript *ts, size_t i)
{
	uint32_t	g = group_of(ts, i);

	return g != NO_GROUP && ts->groups[g].folded &&
	    ts->groups[g].first != ts->groups[g].last;
}

static size_t
unit_start(const struct transcript *ts, size_t i)
{
	return folded(ts, i) ? ts->groups[group_of(ts, i)].first : i;
}

static size_t
unit_next(const struct transcript *ts, size_t i)
{
	return folded(ts, i) ? ts->groups[group_of(ts, i)].last + 1 :
	    i + 1;
}

static void
add_time(struct transcript *ts, struct rtext *rt, size_t i,
    const struct event *ev)
{
	const struct event	*prev;
	struct tm		 tm;
	time_t			 sec;
	int64_t			 wall;
	char			 b[32];

	/* A lesson on a projector: the lines, not the clock. */
	switch (ts->t->opts.present ? TIME_OFF : ts->t->opts.time) {
	case TIME_ABSOLUTE:
		if (ev == NULL) {
			/* A line still arriving has no time yet. */
			rtext_printf(rt, SLOT_TIME, "%13s", "");
			break;
		}
		wall = evlog_wall(ts->t->log, ev);
		sec = (time_t)(wall / 1000000000);
		localtime_r(&sec, &tm);
		strftime(b, sizeof b, "%H:%M:%S", &tm);
		rtext_printf(rt, SLOT_TIME, "%s.%03d ", b,
		    (int)((wall / 1000000) % 1000));
		break;
	case TIME_RELATIVE:
		if (ev == NULL) {
			rtext_printf(rt, SLOT_TIME, "%11s", "");
			break;
		}
		prev = i > 0 ? item_event(ts, i - 1) : NULL;
		rtext_printf(rt, SLOT_TIME, "%+10.3f ", (double)(ev->t_ns -
		    (prev != NULL ? prev->t_ns : 0)) / 1e9);
		break;
	default:
		break;
	}
}

/* ms: the marker's slot (a projected lesson draws C: and S: as bright
 * as their lines). */
static void
add_marker(struct transcript *ts, struct rtext *rt, const char *m,
    bool tls, enum slot ms)
{
	rtext_adds(rt, ms, m);
	if (tls)
		rtext_adds(rt, SLOT_LOCK, ts->t->utf8 ? "\xf0\x9f\x94\x92" :
		    "~ ");
	else
		rtext_adds(rt, SLOT_MARKER, "  ");
	rtext_adds(rt, SLOT_MARKER, " ");
}

static void
add_flags(struct transcript *ts, struct rtext *rt, const struct event *ev)
{
	uint32_t	 bit;
	const char	*verb = ev->dir == DIR_SERVER ? ev_verb(ev) : NULL;

	for (bit = 1; bit != 0 && bit <= EVF_PIPELINED; bit <<= 1) {
		if (!(ev->flags & bit & EVF_SHOWN) || ev_flag_name(bit) == NULL)
			continue;
		rtext_adds(rt, SLOT_MARKER, " ");
		/* Which command of the group a reply answers. */
		rtext_printf(rt, SLOT_ESCAPE, ts->t->utf8 ?
		    "\xe2\x9f\xa8%s%s%s\xe2\x9f\xa9" : "<%s%s%s>",
		    ev_flag_name(bit), bit == EVF_PIPELINED && verb != NULL ?
		    ": answers " : "", bit == EVF_PIPELINED && verb != NULL ?
		    verb : "");
	}
}

static void
human_size(uint64_t n, char *b, size_t len)
{
	if (n < 1024)
		snprintf(b, len, "%llu B", (unsigned long long)n);
	else if (n < 1024 * 1024)
		snprintf(b, len, "%.1f KiB", (double)n / 1024);
	else if (n < 1024ULL * 1024 * 1024)
		snprintf(b, len, "%.1f MiB", (double)n / (1024 * 1024));
	else
		snprintf(b, len, "%.2f GiB", (double)n / (1024.0 * 1024 *
		    1024));
}

/* Chunks hold many lines: show each on its own row. */
static void
add_lines(struct rtext *rt, enum slot s, const struct event *ev)
{
	const char	*line;
	size_t		 pos = 0, n;
	bool		 eol;

	while (ev_chunk_line(ev, &pos, &line, &n, &eol)) {
		rtext_net(rt, s, line, n);
		if (pos < ev->len)
			rtext_add(rt, s, "\n", 1);
	}
}

/*
 * The STARTTLS boundary, centred in dashes.  Too wide for the pane, it
 * wraps at words under its own start, with no dangling dash row.
 */
static void
add_rule(struct transcript *ts, struct rtext *rt, const struct event *ev,
    int width, int *indent)
{
	const char	*dash = ts->t->utf8 ? "\xe2\x94\x80" : "-";
	struct rtext	 tmp = { 0 };
	size_t		 k;
	int		 tw, left, i;
	bool		 fits;

	rtext_adds(&tmp, SLOT_BOUNDARY, "TLS established: ");
	rtext_net(&tmp, SLOT_BOUNDARY, ev->data, ev->len);
	tw = text_width(tmp.text.p, tmp.text.len);
	fits = tw + 2 + 2 * 3 <= width;
	left = fits ? (width - tw - 2) / 2 : 3;
	for (i = 0; i < left; i++)
		rtext_adds(rt, SLOT_BOUNDARY, dash);
	rtext_adds(rt, SLOT_BOUNDARY, " ");
	for (k = 0; k < tmp.nruns; k++)
		rtext_add(rt, tmp.runs[k].slot, tmp.text.p + tmp.runs[k].off,
		    tmp.runs[k].len);
	rtext_free(&tmp);
	if (!fits) {
		rt->words = true;
		*indent = left + 1;
		return;
	}
	rtext_adds(rt, SLOT_BOUNDARY, " ");
	for (i = left + tw + 2; i < width; i++)
		rtext_adds(rt, SLOT_BOUNDARY, dash);
}

/* :explain: the core's glosses, one row each under the line. */
static void
add_explain(struct transcript *ts, struct rtext *rt, const struct event *ev)
{
	struct buf	 b = { 0 };
	const char	*p, *nl;

	if (!ts->t->opts.explain || explain_event(ev,
	    ts->t->sopts.target.proto, &b) == 0) {
		buf_free(&b);
		return;
	}
	for (p = b.p; p < b.p + b.len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(b.p + b.len - p))) == NULL)
			nl = b.p + b.len;
		rtext_add(rt, SLOT_EXPLAIN, "\n", 1);
		rtext_adds(rt, SLOT_EXPLAIN, ts->t->utf8 ? "\xe2\x86\xb3 " :
		    "> ");
		rtext_net(rt, SLOT_EXPLAIN, p, (size_t)(nl - p));
	}
	buf_free(&b);
}

/*
 * --present: the lines a STARTTLS lesson is about, from what the engine
 * and the session decided they are (the class, the flags).
 */
static enum slot
lesson_slot(const struct event *ev, enum slot s)
{
	if (ev->flags & EVF_INJECTED)
		return SLOT_PRESENT_INJECTED;
	if (ev->dir == DIR_CLIENT)
		return (ev->cls.bits & EVC_TLS_CMD) ? SLOT_PRESENT_STARTTLS : s;
	if (ev->cls.bits & EVC_TLS_MASKED)
		return SLOT_PRESENT_STRIPPED;
	if (ev->cls.bits & EVC_TLS_GO)
		return SLOT_PRESENT_STARTTLS;
	if (ev->cls.bits & EVC_TLS_CAP)
		return SLOT_PRESENT_OFFER;
	return s;
}

/*
 * A server line still arriving (the engine's bytes so far, no event yet),
 * under the last line while following: marked incomplete, replaced by the
 * line's own event when it ends.  Returns its rows, at most LIVE_ROWS.
 */
#define LIVE_ROWS	2
static int
live_text(struct transcript *ts, int *indent)
{
	const struct tui_model	*m = &ts->t->m;
	struct rtext		*rt = &ts->live_rt;
	size_t			 n = m->partial_len;
	int			 rows;

	rtext_reset(rt);
	if (n == 0 || !ts->follow)
		return 0;
	add_time(ts, rt, 0, NULL);
	add_marker(ts, rt, "S:", m->partial_tls, SLOT_MARKER);
	*indent = text_width(rt->text.p, rt->text.len);
	rtext_net(rt, m->partial_tls ? SLOT_SERVER_TLS : SLOT_SERVER,
	    m->partial, n < sizeof m->partial ? n : sizeof m->partial);
	rtext_printf(rt, SLOT_MARKER, " %s incomplete (%zu byte%s so far)",
	    ts->t->utf8 ? "\xe2\x80\xa6" : "...", n, n == 1 ? "" : "s");
	rows = rtext_rows(rt, ts->w, *indent);
	return rows < LIVE_ROWS ? rows : LIVE_ROWS;
}

/* The styled text of one unit; *indent is where wrapped rows start. */
static void
build(struct transcript *ts, size_t i, struct rtext *rt, int *indent)
{
	const struct event	*ev = item_event(ts, i);
	const struct ev_extra	*x;
	const struct group	*g;
	enum slot		 s;
	bool			 tls = ev->chan == CHAN_TLS;
	char			 size[32];

	rtext_reset(rt);
	*indent = 0;
	if (ev->kind == EV_TLS_ESTABLISHED) {
		/* --present: the boundary stands apart (the go-ahead leaves
		 * a row above it). */
		add_rule(ts, rt, ev, ts->w, indent);
		add_explain(ts, rt, ev);
		if (ts->t->opts.present)
			rtext_add(rt, SLOT_BOUNDARY, "\n ", 2);
		return;
	}
	add_time(ts, rt, i, ev);
	/* What mailscope says is prose; what the peers sent is exact. */
	rt->words = ev->kind != EV_DATA;
	switch (ev->kind) {
	case EV_DATA:
		s = event_slot(ev);
		add_marker(ts, rt, ev->dir == DIR_CLIENT ? "C:" : "S:", tls,
		    ts->t->opts.present ? s : SLOT_MARKER);
		*indent = text_width(rt->text.p, rt->text.len);
		if (ts->t->opts.present)
			s = lesson_slot(ev, s);
		if (folded(ts, i)) {
			g = &ts->groups[group_of(ts, i)];
			human_size(g->bytes, size, sizeof size);
			rtext_printf(rt, SLOT_FOLD, "%s %ju line%s, %s of %s "
			    "folded (z to expand)", ts->t->utf8 ?
			    "\xe2\x96\xb8" : ">", (uintmax_t)g->lines,
			    g->lines == 1 ? "" : "s", size,
			    (ev->flags & EVF_LITERAL) ? "literal" : "body");
			return;
		}
		if (ev_is_chunk(ev))
			add_lines(rt, s, ev);
		else if (ev->len == 0 && ev->dir == DIR_CLIENT)
			/* The empty line a message's header ends with. */
			rtext_printf(rt, SLOT_FOLD, "%s empty line",
			    ts->t->utf8 ? "\xe2\x8f\x8e" : "<CRLF>");
		else
			rtext_net(rt, s, ev->data, ev->len);
		add_flags(ts, rt, ev);
		/* A row of the terminal's own ground, not the line's. */
		if (ts->t->opts.present && ev->dir == DIR_SERVER &&
		    (ev->cls.bits & EVC_TLS_GO)) {
			rtext_add(rt, s, "\n", 1);
			rtext_adds(rt, SLOT_DEFAULT, " ");
		}
		break;
	case EV_WARNING:
	case EV_ERROR:
		add_marker(ts, rt, "!!", tls, SLOT_MARKER);
		*indent = text_width(rt->text.p, rt->text.len);
		rtext_net(rt, event_slot(ev), ev->data, ev->len);
		break;
	case EV_CLOSE:
		s = i == ts->failed_close ? SLOT_WARNING : SLOT_INFO;
		add_marker(ts, rt, s == SLOT_INFO ? "--" : "!!", tls,
		    SLOT_MARKER);
		*indent = text_width(rt->text.p, rt->text.len);
		rtext_net(rt, s, ev->data, ev->len);
		break;
	case EV_NOTE:
		add_marker(ts, rt, "##", tls, SLOT_MARKER);
		*indent = text_width(rt->text.p, rt->text.len);
		rtext_net(rt, SLOT_NOTE, ev->data, ev->len);
		break;
	case EV_MARK:
		add_marker(ts, rt, ">>", tls, SLOT_MARKER);
		*indent = text_width(rt->text.p, rt->text.len);
		rtext_adds(rt, SLOT_NOTE, "mark ");
		rtext_net(rt, SLOT_NOTE, ev->data, ev->len);
		break;
	case EV_VERIFY:
	case EV_DNS:
		s = event_slot(ev);
		add_marker(ts, rt, s == SLOT_INFO ? "--" : "!!", tls,
		    SLOT_MARKER);
		*indent = text_width(rt->text.p, rt->text.len);
		rtext_net(rt, s, ev->data, ev->len);
		break;
	case EV_VERDICT:
		s = event_slot(ev);
		add_marker(ts, rt, s == SLOT_INFO ? "--" : "!!", tls,
		    SLOT_MARKER);
		*indent = text_width(rt->text.p, rt->text.len);
		rtext_adds(rt, s, "verdict: ");
		rtext_net(rt, s, ev->data, ev->len);
		break;
	case EV_CAPDIFF:
		add_marker(ts, rt, "--", tls, SLOT_MARKER);
		*indent = text_width(rt->text.p, rt->text.len);
		rtext_adds(rt, SLOT_INFO, "capabilities after STARTTLS: ");
		rtext_net(rt, SLOT_INFO, ev->data, ev->len);
		break;
	default:
		add_marker(ts, rt, "--", tls, SLOT_MARKER);
		*indent = text_width(rt->text.p, rt->text.len);
		rtext_net(rt, SLOT_INFO, ev->data, ev->len);
		break;
	}
	x = ev_extra(ev);
	if (x != NULL && x->code != NULL && (ev->kind == EV_WARNING ||
	    ev->kind == EV_ERROR)) {
		rtext_adds(rt, SLOT_MARKER, " [");
		rtext_net(rt, SLOT_MARKER, x->code, strlen(x->code));
		rtext_adds(rt, SLOT_MARKER, "]");
	}
	add_explain(ts, rt, ev);
	if (ts->search != NULL)
		rtext_highlight(rt, ts->search, SLOT_MATCH);
}

static void
check_width(struct transcript *ts)
{
	size_t	i;

	if (ts->rows_width == ts->w)
		return;
	for (i = 0; i < ts->n; i++)
		ts->items[i].rows = 0;
	ts->rows_width = ts->w;
}

/* Forget cached row counts (timestamps or theme changed). */
void
transcript_invalidate(struct transcript *ts)
{
	ts->rows_width = -1;
	check_width(ts);
}

static int
unit_rows(struct transcript *ts, size_t i)
{
	int	indent;

	check_width(ts);
	if (folded(ts, i))
		return 1;
	if (ts->items[i].rows == 0) {
		build(ts, i, &ts->rt, &indent);
		ts->items[i].rows = (uint32_t)rtext_rows(&ts->rt, ts->w,
		    indent);
	}
	return (int)ts->items[i].rows;
}

/* The top when following: walk back from the end until h rows. */
static void
bottom_top(struct transcript *ts, size_t *top, int *top_row)
{
	size_t	i = ts->n;
	int	rows = 0, r;

	*top = 0;
	*top_row = 0;
	while (i > 0) {
		i = unit_start(ts, i - 1);
		r = unit_rows(ts, i);
		if (rows + r >= view_h(ts)) {
			*top = i;
			*top_row = rows + r - view_h(ts);
			return;
		}
		rows += r;
	}
}

/*
 * The bottom rows are covered by the message: the newest line is drawn
 * above them, never under.
 */
static void
tr_layout(struct tui *t)
{
	struct transcript	*ts = t->ts;
	int			 y = t->ts_y, x = t->ts_x, h = t->ts_h;
	int			 w = t->ts_w;

	if (ts->win != NULL)
		delwin(ts->win);
	ts->y = y;
	ts->x = x;
	ts->h = h;
	ts->w = w;
	ts->win = newwin(h, w, y, x);
	ts->visible = xreallocarray(ts->visible, (size_t)(h > 0 ? h : 1),
	    sizeof *ts->visible);
	ts->vrow = xreallocarray(ts->vrow, (size_t)(h > 0 ? h : 1),
	    sizeof *ts->vrow);
	check_width(ts);
	if (!ts->follow && ts->n > 0) {
		ts->top = unit_start(ts, ts->top < ts->n ? ts->top : ts->n - 1);
		/* Fewer rows at the new width: stay inside the item. */
		if (ts->top_row >= unit_rows(ts, ts->top))
			ts->top_row = unit_rows(ts, ts->top) - 1;
	}
	if (ts->have_sel)
		ts->sel = unit_start(ts, ts->sel);
}

/* The selection is drawn over the whole unit, in one slot. */
static void
mark_selected(struct rtext *rt)
{
	size_t	k;

	for (k = 0; k < rt->nruns; k++)
		rt->runs[k].slot = SLOT_SELECTED;
	rt->nhl = 0;
}

static void
tr_draw(struct tui *t)
{
	struct transcript	*ts = t->ts;
	bool			 focus = t->focus == FOCUS_TRANSCRIPT;
	size_t			 i;
	int			 row = 0, skip, indent, n, r;
	int			 live, live_indent = 0;
	char			 more[96];

	/* The message covers the bottom rows: the newest line goes above. */
	ts->cover = t->m.msg_rows > 0 && t->m.msg_rows < ts->h ?
	    t->m.msg_rows : 0;
	ts->live = 0;
	live = live_text(ts, &live_indent);
	if (live > 0 && ts->h - ts->cover - live > 1)
		ts->live = live;
	publish(ts);
	/* Side by side, the columns pane has its place. */
	if (ts->win == NULL || t->sbs != NULL)
		return;
	colour_bkgd(ts->win, SLOT_DEFAULT);
	werase(ts->win);
	if (ts->follow) {
		bottom_top(ts, &ts->top, &ts->top_row);
		ts->unseen = 0;
	}
	ts->nvisible = 0;
	skip = ts->top_row;
	for (i = ts->top; i < ts->n && row < view_h(ts);
	    i = unit_next(ts, i)) {
		build(ts, i, &ts->rt, &indent);
		if (focus && ts->have_sel && i == ts->sel)
			mark_selected(&ts->rt);
		r = rtext_rows(&ts->rt, ts->w, indent);
		ts->items[i].rows = (uint32_t)r;
		n = rtext_draw(ts->win, &ts->rt, row, 0, ts->w, indent,
		    skip, view_h(ts) - row);
		row += n;
		skip = 0;
		ts->vrow[ts->nvisible] = row - n;
		ts->visible[ts->nvisible++] = i;
	}
	/* Where it is, for the ladder pane drawn after it. */
	t->m.shown = ts->nvisible > 0 ?
	    item_event(ts, ts->visible[ts->nvisible - 1]) : NULL;
	if (ts->live > 0)
		rtext_draw(ts->win, &ts->live_rt, row, 0, ts->w, live_indent,
		    0, ts->live);
	if (!ts->follow) {
		if (ts->unseen > 0)
			snprintf(more, sizeof more, " %zu new below - End "
			    "follows ", ts->unseen);
		else
			snprintf(more, sizeof more, " scrolled - End "
			    "follows ");
		colour_set(ts->win, SLOT_MESSAGE);
		mvwaddstr(ts->win, view_h(ts) - 1,
		    ts->w - (int)strlen(more) > 0 ?
		    ts->w - (int)strlen(more) : 0, more);
	}
	wnoutrefresh(ts->win);
}

/* Scroll by rows: negative up, positive down. */
static void
transcript_scroll(struct transcript *ts, int rows)
{
	size_t	i;
	int	total;

	if (ts->n == 0)
		return;
	if (ts->follow) {
		if (rows >= 0)
			return;
		bottom_top(ts, &ts->top, &ts->top_row);
		ts->follow = false;
		ts->unseen = 0;
	}
	ts->top_row += rows;
	while (ts->top_row < 0) {
		if (ts->top == 0) {
			ts->top_row = 0;
			break;
		}
		ts->top = unit_start(ts, ts->top - 1);
		ts->top_row += unit_rows(ts, ts->top);
	}
	while (ts->top_row > 0 && ts->top_row >= unit_rows(ts, ts->top)) {
		if (unit_next(ts, ts->top) >= ts->n)
			break;
		ts->top_row -= unit_rows(ts, ts->top);
		ts->top = unit_next(ts, ts->top);
	}
	/* Back at the bottom: follow again. */
	total = -ts->top_row;
	for (i = ts->top; i < ts->n && total <= view_h(ts);
	    i = unit_next(ts, i))
		total += unit_rows(ts, i);
	if (total <= view_h(ts))
		transcript_end(ts);
	tui_dirty(ts->t, D_TRANSCRIPT | D_STATUS);
}

void
transcript_page(struct transcript *ts, int dir)
{
	int	page = view_h(ts) > 2 ? view_h(ts) - 2 : 1;

	transcript_scroll(ts, dir * page);
}

static void
transcript_home(struct transcript *ts)
{
	if (ts->n == 0)
		return;
	ts->follow = false;
	ts->top = 0;
	ts->top_row = 0;
	tui_dirty(ts->t, D_TRANSCRIPT | D_STATUS);
}

static void
transcript_end(struct transcript *ts)
{
	ts->follow = true;
	ts->unseen = 0;
	tui_dirty(ts->t, D_TRANSCRIPT | D_STATUS);
}

/*
 * Whether needle is in the event; *line: the lines of a chunk before it,
 * so the window can show the match rather than the chunk's top (a wrapped
 * line takes more rows: the match is there or a little below).
 */
static bool
event_has(const struct event *ev, const char *needle, size_t nlen,
    int *line)
{
	size_t	i;
	bool	chunk = ev_is_chunk(ev);

	*line = 0;
	if (ev->len < nlen)
		return false;
	for (i = 0; i + nlen <= ev->len; i++) {
		if (strncasecmp(ev->data + i, needle, nlen) == 0)
			return true;
		if (chunk && ev->data[i] == '\n')
			(*line)++;
	}
	return false;
}

/* Item i in the window, its row `row` a third of the way down. */
static void
show_item(struct transcript *ts, size_t i, int row)
{
	uint32_t	g = group_of(ts, i);

	if (g != NO_GROUP && ts->groups[g].folded) {
		ts->groups[g].folded = false;
		ts->groups[g].touched = true;
	}
	ts->follow = false;
	ts->unseen = 0;
	ts->top = i;
	ts->top_row = 0;
	/* Keep a few rows of context above the match. */
	transcript_scroll(ts, row - view_h(ts) / 3);
}

/*
 * Search from the current match (or the window) in a direction; a NULL
 * needle repeats the last search.  Returns 0 when found.
 */
static int
search(struct transcript *ts, const char *needle, int dir)
{
	size_t	 cur, first, i, k, nlen;
	bool	 wrapped;
	int	 row;

	if (needle != NULL && *needle != '\0') {
		free(ts->search);
		ts->search = xstrdup(needle);
		ts->have_match = false;
	}
	if (ts->search == NULL) {
		tui_message(ts->t, true, "no previous search");
		return -1;
	}
	transcript_invalidate(ts);
	if (ts->n == 0)
		goto notfound;
	nlen = strlen(ts->search);
	if (ts->follow)
		bottom_top(ts, &ts->top, &ts->top_row);
	/* From the last match, else from the top of the window. */
	cur = ts->have_match ? ts->match : ts->top;
	first = ts->have_match || dir < 0 ? 1 : 0;
	for (k = first; k < ts->n + first; k++) {
		if (dir > 0) {
			i = (cur + k) % ts->n;
			wrapped = cur + k >= ts->n;
		} else {
			i = (cur + ts->n - k % ts->n) % ts->n;
			wrapped = k > cur;
		}
		if (event_has(item_event(ts, i), ts->search, nlen, &row)) {
			ts->match = i;
			ts->have_match = true;
			/* So that n and N go on searching. */
			ts->have_sel = false;
			show_item(ts, i, row);
			tui_message(ts->t, false, "/%s: line %zu of %zu%s",
			    ts->search, i + 1, ts->n, wrapped ?
			    " (wrapped)" : "");
			return 0;
		}
	}
notfound:
	tui_message(ts->t, true, "not found: %s", ts->search);
	tui_dirty(ts->t, D_TRANSCRIPT);
	return -1;
}

/* z: the last fold on screen (or the last one); all: every group. */
static void
transcript_fold_toggle(struct transcript *ts, bool all)
{
	struct group	*g = NULL;
	size_t		 k;
	uint32_t	 gi;
	bool		 to;

	if (ts->ngroups == 0) {
		tui_message(ts->t, true, "nothing to fold: no message body "
		    "or literal yet");
		return;
	}
	if (all) {
		to = !ts->groups[ts->ngroups - 1].folded;
		for (k = 0; k < ts->ngroups; k++) {
			ts->groups[k].folded = to;
			ts->groups[k].touched = true;
		}
	} else {
		for (k = ts->nvisible; k > 0 && g == NULL; k--)
			if ((gi = group_of(ts, ts->visible[k - 1])) != NO_GROUP)
				g = &ts->groups[gi];
		if (g == NULL)
			g = &ts->groups[ts->ngroups - 1];
		g->folded = !g->folded;
		g->touched = true;
		if (!ts->follow && ts->top >= g->first && ts->top <= g->last) {
			ts->top = g->first;
			ts->top_row = 0;
		}
	}
	if (!ts->follow && ts->top < ts->n)
		ts->top = unit_start(ts, ts->top);
	tui_dirty(ts->t, D_TRANSCRIPT | D_STATUS);
}

static bool
sel_visible(struct transcript *ts)
{
	size_t	k;

	/* Whole on screen: not cut at the top nor at the bottom. */
	for (k = 0; k < ts->nvisible; k++)
		if (ts->visible[k] == ts->sel)
			return (k > 0 || ts->top_row == 0) && ts->vrow[k] +
			    unit_rows(ts, ts->sel) <= view_h(ts);
	return false;
}

/* Scroll as little as needed to show the selected unit whole. */
static void
sel_show(struct transcript *ts, bool up)
{
	if (sel_visible(ts))
		return;
	ts->follow = false;
	ts->unseen = 0;
	ts->top = ts->sel;
	ts->top_row = 0;
	if (!up)
		transcript_scroll(ts, -(view_h(ts) - unit_rows(ts, ts->sel)));
}

/* Up/Down: move the selection a unit; the first press picks the last
 * (or first) line on screen. */
static void
transcript_select(struct transcript *ts, int dir)
{
	if (ts->n == 0)
		return;
	if (!ts->have_sel || ts->sel >= ts->n) {
		ts->have_sel = true;
		if (ts->nvisible > 0)
			ts->sel = ts->visible[dir < 0 ? ts->nvisible - 1 : 0];
		else
			ts->sel = unit_start(ts, ts->n - 1);
	} else if (dir < 0 && ts->sel > 0)
		ts->sel = unit_start(ts, ts->sel - 1);
	else if (dir > 0 && unit_next(ts, ts->sel) < ts->n)
		ts->sel = unit_next(ts, ts->sel);
	sel_show(ts, dir < 0);
	tui_dirty(ts->t, D_TRANSCRIPT | D_STATUS);
}

/* A click on row y of the screen selects the unit drawn there. */
bool
transcript_click(struct tui *t, int y, int x)
{
	struct transcript	*ts = t->ts;
	size_t			 k;

	if (y < ts->y || y >= ts->y + ts->h || x < ts->x ||
	    x >= ts->x + ts->w)
		return false;
	for (k = ts->nvisible; k > 0; k--) {
		if (ts->vrow[k - 1] <= y - ts->y) {
			ts->sel = ts->visible[k - 1];
			ts->have_sel = true;
			publish(ts);
			tui_dirty(ts->t, D_TRANSCRIPT);
			return true;
		}
	}
	return false;
}


/* ' and ": select the next (previous) mark, wrapping.  -1: none. */
static int
transcript_mark(struct transcript *ts, int dir)
{
	size_t	from, k, i;

	if (ts->n == 0)
		return -1;
	if (ts->have_sel && ts->sel < ts->n)
		from = ts->sel;
	else
		from = dir > 0 ? ts->n - 1 : 0;
	for (k = 1; k <= ts->n; k++) {
		i = dir > 0 ? (from + k) % ts->n : (from + ts->n - k) % ts->n;
		if (item_event(ts, i)->kind == EV_MARK) {
			ts->sel = i;
			ts->have_sel = true;
			sel_show(ts, true);
			tui_dirty(ts->t, D_TRANSCRIPT | D_STATUS);
			return 0;
		}
	}
	return -1;
}

/* Keys when the transcript has the focus; the wheel elsewhere. */
static bool
tr_key(struct tui *t, const struct binding *b)
{
	struct transcript	*ts = t->ts;

	if (b->action == A_WHEEL_UP || b->action == A_WHEEL_DOWN) {
		transcript_scroll(ts, b->action == A_WHEEL_UP ? -3 : 3);
		return true;
	}
	/* The command line's page keys scroll the transcript too. */
	if (b->ctx == KC_GLOBAL && t->focus == FOCUS_CMDLINE &&
	    (b->action == A_PAGE_UP || b->action == A_PAGE_DOWN)) {
		transcript_page(ts, b->action == A_PAGE_UP ? -1 : 1);
		return true;
	}
	if (b->ctx != KC_TRANSCRIPT)
		return false;
	switch (b->action) {
	case A_UP:
		transcript_select(ts, -1);
		break;
	case A_DOWN:
		transcript_select(ts, 1);
		break;
	case A_SCROLL_LINE:
		transcript_scroll(ts, 1);
		break;
	case A_PAGE_UP:
		transcript_page(ts, -1);
		break;
	case A_PAGE_DOWN:
		transcript_page(ts, 1);
		break;
	case A_HOME:
		transcript_home(ts);
		break;
	case A_END:
		transcript_end(ts);
		break;
	case A_SEARCH_FWD:
		cmdline_search(t, 1);
		break;
	case A_SEARCH_BACK:
		cmdline_search(t, -1);
		break;
	case A_NOTE_OR_NEXT:
		/* A note on the selected line; without one, the next match. */
		if (selected(ts) != NULL)
			annotate_prompt(t, selected(ts));
		else
			transcript_search(ts, NULL, 1);
		break;
	case A_MARK_NEXT:
	case A_MARK_PREV:
		if (transcript_mark(ts, b->action == A_MARK_PREV ? -1 : 1) ==
		    -1)
			tui_message(t, true, "no marks yet (:mark NAME adds "
			    "one)");
		break;
	case A_PREV_MATCH:
		transcript_search(ts, NULL, -1);
		break;
	case A_FOLD:
		transcript_fold_toggle(ts, false);
		break;
	case A_FOLD_ALL:
		transcript_fold_toggle(ts, true);
		break;
	default:
		return false;
	}
	publish(ts);
	return true;
}

int
transcript_search(struct transcript *ts, const char *needle, int dir)
{
	int	rc = search(ts, needle, dir);

	publish(ts);
	return rc;
}

static void
tr_reset(struct tui *t)
{
	tr_done(t);
	tr_init(t);
	if (!t->too_small && t->ts_h > 0)
		tr_layout(t);
}

const struct pane_ops transcript_pane = {
	.name = "transcript",
	.dirty = D_TRANSCRIPT,
	.init = tr_init,
	.reset = tr_reset,
	.done = tr_done,
	.layout = tr_layout,
	.draw = tr_draw,
	.key = tr_key,
	.event = tr_event,
};
