/* SPDX-License-Identifier: ISC */
/*
 * The side-by-side pane: two sessions in two columns, in the transcript's
 * place.  Over each column its title and its TLS in one line (channel,
 * version, cipher, verdict); below, the rows of render's model, each a
 * step: a rule naming it, marked with what differs, then each side's
 * lines of that step next to the other's.  A side without the step says
 * so in its column; a capability only one side listed and a reply that
 * differs are drawn as the difference.  The view ends at the current step
 * (replay) or the newest (live); the page keys scroll it.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

#define HEAD_ROWS	2	/* title, TLS line */
#define INDENT		3	/* wrapped rows start under the text */

static WINDOW		*cwin;
static int		 cw_h, cw_w;
static struct rtext	 rt;

/* One line of a side's step: its text in the side's buffer, its slot. */
struct unit {
	size_t		 off, len;
	enum slot	 slot;
};

struct side {
	struct buf	 text;
	struct unit	*u;
	size_t		 n, cap;
};

static struct side	 sides[2];

static void
co_layout(struct tui *t)
{
	if (cwin != NULL)
		delwin(cwin);
	cwin = NULL;
	if (t->sbs == NULL)
		return;
	cw_h = t->ts_h;
	cw_w = t->ts_w;
	cwin = newwin(cw_h, cw_w, t->ts_y, t->ts_x);
}

static void
co_done(struct tui *t)
{
	int	i;

	(void)t;
	if (cwin != NULL)
		delwin(cwin);
	cwin = NULL;
	rtext_free(&rt);
	for (i = 0; i < 2; i++) {
		buf_free(&sides[i].text);
		free(sides[i].u);
		memset(&sides[i], 0, sizeof sides[i]);
	}
}

static void
co_event(struct tui *t, const struct event *ev)
{
	(void)ev;
	if (t->sbs != NULL)
		t->sbs->stale = true;
}

/* The transcript's slots; injected bytes, without its flag, in red. */
static enum slot
ev_slot(const struct event *ev)
{
	if (ev->kind == EV_DATA && (ev->flags & EVF_INJECTED))
		return SLOT_ERROR;
	return event_slot(ev);
}

static void
unit_add(struct side *sd, size_t off, size_t len, enum slot s)
{
	if (sd->n == sd->cap) {
		sd->cap = sd->cap ? sd->cap * 2 : 32;
		sd->u = xreallocarray(sd->u, sd->cap, sizeof *sd->u);
	}
	sd->u[sd->n].off = off;
	sd->u[sd->n].len = len;
	sd->u[sd->n].slot = s;
	sd->n++;
}

/* One side's lines of a row, as render_event words them, with the
 * transcript's marks (C:, S~, !!, --, ##). */
static void
lines(struct tui *t, const struct sbs_row *r, int side, struct side *sd)
{
	const struct evlog	*log = t->sbs->log[side];
	const struct event	*ev;
	const char		*nl;
	enum slot		 s;
	size_t			 i, start, p;
	bool			 open = false;

	buf_reset(&sd->text);
	sd->n = 0;
	if (!r->has[side]) {
		buf_adds(&sd->text, t->utf8 ? "\xe2\x80\x94 no such step "
		    "\xe2\x80\x94" : "-- no such step --");
		unit_add(sd, 0, sd->text.len, SLOT_TLS_BAD);
		return;
	}
	for (i = r->side[side].first; i < r->side[side].end; i++) {
		ev = evlog_at(log, i);
		start = sd->text.len;
		render_event_marked(log, ev, &sd->text, &open, RM_SCREEN);
		if (open)
			buf_addc(&sd->text, '\n');
		open = false;
		s = i == r->reply[side] ? SLOT_TLS_BAD : ev_slot(ev);
		for (p = start; p < sd->text.len; p = (size_t)(nl -
		    sd->text.p) + 1) {
			if ((nl = memchr(sd->text.p + p, '\n', sd->text.len -
			    p)) == NULL)
				nl = sd->text.p + sd->text.len;
			unit_add(sd, p, (size_t)(nl - sd->text.p) - p, s);
		}
	}
}

/* A line's text, its difference highlighted. */
static void
unit_text(const struct sbs_row *r, int side, const struct side *sd,
    size_t k)
{
	size_t	j;

	rtext_reset(&rt);
	/* A column is narrow: a word that fits on the next row goes there,
	 * a greeting's as much as the prose's. */
	rt.words = true;
	/* render_event's text went through the sanitizer. */
	rtext_add(&rt, sd->u[k].slot, sd->text.p + sd->u[k].off,
	    sd->u[k].len);
	for (j = 0; j < r->only[side].n; j++)
		rtext_highlight(&rt, r->only[side].v[j], SLOT_TLS_BAD);
}

/* The left column's width; the divider, then the right one. */
static int
col_w(void)
{
	return (cw_w - 1) / 2;
}

/* Draw the rows of rt at view row y, if the view rows top..bottom show it. */
static void
put(WINDOW *win, int y, int n, int x, int w, int top, int bottom, int base)
{
	if (win == NULL || y + n <= top || y >= bottom)
		return;
	rtext_draw(win, &rt, base + (y > top ? y - top : 0), x, w, INDENT,
	    y < top ? top - y : 0, bottom - (y > top ? y : top));
}

/*
 * The two sides' lines of a row, the k-th of each on the same rows so
 * that they face each other; drawn (or, win NULL, only counted) from
 * view row y.  Returns the rows they take.
 */
static int
columns(struct tui *t, WINDOW *win, const struct sbs_row *r, int y,
    int top, int bottom, int base)
{
	int	side, rows = 0, n, h, k, x[2], w[2];
	size_t	i, most;

	w[0] = col_w();
	w[1] = cw_w - w[0] - 1;
	x[0] = 0;
	x[1] = w[0] + 1;
	for (side = 0; side < 2; side++)
		lines(t, r, side, &sides[side]);
	most = sides[0].n > sides[1].n ? sides[0].n : sides[1].n;
	for (i = 0; i < most; i++) {
		h = 1;
		for (side = 0; side < 2; side++) {
			if (i >= sides[side].n)
				continue;
			unit_text(r, side, &sides[side], i);
			n = rtext_rows(&rt, w[side], INDENT);
			put(win, y + rows, n, x[side], w[side], top, bottom,
			    base);
			if (n > h)
				h = n;
		}
		/* The divider beside the lines. */
		for (k = y + rows; win != NULL && k < y + rows + h; k++) {
			if (k < top || k >= bottom)
				continue;
			colour_set(win, SLOT_BORDER);
			mvwaddstr(win, base + k - top, w[0], t->utf8 ?
			    "\xe2\x94\x82" : "|");
		}
		rows += h;
	}
	return rows;
}

/* The rule over a row: its step, what differs.  Returns its rows. */
static int
rule(struct tui *t, WINDOW *win, size_t i, int y, int top, int bottom,
    int base)
{
	struct sidebyside	*sb = t->sbs;
	const struct sbs_row	*r = &sb->m.rows[i];
	enum slot		 s;
	int			 n, k;

	rtext_reset(&rt);
	rt.words = true;
	s = !sb->live && i + 1 == sb->upto ? SLOT_SELECTED : r->diff != 0 ?
	    SLOT_WARNING : SLOT_BORDER;
	rtext_adds(&rt, s, r->diff != 0 ? (t->utf8 ? "\xe2\x89\xa0 " : "!= ") :
	    (t->utf8 ? "\xe2\x94\x80 " : "-- "));
	rtext_adds(&rt, s, sbs_row_name((const struct evlog *const *)sb->log,
	    r));
	if (r->note != NULL) {
		rtext_adds(&rt, s, ": ");
		rtext_net(&rt, s, r->note, strlen(r->note));
	} else
		for (k = text_width(rt.text.p, rt.text.len); k < cw_w - 1;
		    k++)
			rtext_adds(&rt, s, t->utf8 ? "\xe2\x94\x80" : "-");
	n = rtext_rows(&rt, cw_w, INDENT);
	put(win, y, n, 0, cw_w, top, bottom, base);
	return n;
}

/* A row's rows: its rule, then its two sides' lines. */
static int
block(struct tui *t, WINDOW *win, size_t i, int y, int top, int bottom,
    int base)
{
	const struct sbs_row	*r = &t->sbs->m.rows[i];
	int			 h;

	h = rule(t, win, i, y, top, bottom, base);
	return h + columns(t, win, r, y + h, top, bottom, base);
}

static void
heads(struct tui *t)
{
	struct sidebyside	*sb = t->sbs;
	struct digest		 d;
	struct buf		 b = { 0 };
	size_t			 i, n;
	enum slot		 s;
	int			 side, w = col_w(), x;

	for (side = 0; side < 2; side++) {
		x = side == 0 ? 0 : w + 1;
		rtext_reset(&rt);
		rtext_adds(&rt, SLOT_TLS_TITLE, side == 0 ? "A " : "B ");
		rtext_net(&rt, SLOT_TLS_TITLE, sb->title[side],
		    strlen(sb->title[side]));
		rtext_draw(cwin, &rt, 0, x, side == 0 ? w : cw_w - w - 1, 0,
		    0, 1);
		digest_init(&d);
		n = sidebyside_shown(sb, side);
		for (i = 0; i < n; i++)
			digest_event(evlog_at(sb->log[side], i), &d);
		buf_reset(&b);
		sbs_tls_line(&d, &b);
		s = d.phase == DG_TLS_UP && d.verified == 1 ? SLOT_TLS_OK :
		    d.phase == DG_TLS_UP && d.verified == -1 ? SLOT_TLS_VALUE :
		    d.phase == DG_TLS_NONE || d.phase == DG_TLS_HANDSHAKE ?
		    SLOT_TLS_VALUE : SLOT_TLS_BAD;
		digest_free(&d);
		rtext_reset(&rt);
		rtext_add(&rt, s, b.p, b.len);
		rtext_draw(cwin, &rt, 1, x, side == 0 ? w : cw_w - w - 1, 0, 0,
		    1);
	}
	buf_free(&b);
}

static void
co_draw(struct tui *t)
{
	struct sidebyside	*sb = t->sbs;
	int			 h, total = 0, top, y, cover;
	size_t			 first, i;

	if (sb == NULL || cwin == NULL)
		return;
	sidebyside_sync(t);
	colour_bkgd(cwin, SLOT_DEFAULT);
	werase(cwin);
	heads(t);
	/* The message covers the bottom rows: the newest step goes above. */
	cover = t->m.msg_rows > 0 && t->m.msg_rows < cw_h - HEAD_ROWS ?
	    t->m.msg_rows : 0;
	h = cw_h - HEAD_ROWS - cover;
	/* From the last row shown up, until the view and the scroll fill. */
	for (first = sb->upto; first > 0 && total < h + sb->scroll; first--)
		total += block(t, NULL, first - 1, 0, 0, 0, 0);
	if (sb->scroll > total - h)
		sb->scroll = total - h > 0 ? total - h : 0;
	top = total > h ? total - h - sb->scroll : 0;
	for (i = first, y = 0; i < sb->upto && y < top + h; i++)
		y += block(t, cwin, i, y, top, top + h, HEAD_ROWS);
	if (sb->scroll > 0) {
		colour_set(cwin, SLOT_MESSAGE);
		mvwaddstr(cwin, HEAD_ROWS + h - 1, cw_w > 20 ? cw_w - 20 : 0,
		    " scrolled - End ");
	}
	wnoutrefresh(cwin);
}

static bool
co_key(struct tui *t, const struct binding *b)
{
	struct sidebyside	*sb = t->sbs;
	int			 page = cw_h > HEAD_ROWS + 2 ? cw_h - HEAD_ROWS -
				    1 : 1;

	/* The transcript's keys, and the page keys of every focus. */
	if (sb == NULL || (b->ctx != KC_TRANSCRIPT && b->ctx != KC_GLOBAL))
		return false;
	switch (b->action) {
	case A_PAGE_UP:
		sb->scroll += page;
		break;
	case A_PAGE_DOWN:
		sb->scroll = sb->scroll > page ? sb->scroll - page : 0;
		break;
	case A_UP:
	case A_WHEEL_UP:
		sb->scroll += b->action == A_UP ? 1 : 3;
		break;
	case A_DOWN:
	case A_WHEEL_DOWN:
		sb->scroll -= b->action == A_DOWN ? 1 : 3;
		if (sb->scroll < 0)
			sb->scroll = 0;
		break;
	case A_END:
		if (!sb->live)
			return false;
		sb->scroll = 0;
		break;
	default:
		/* The transcript is not shown: its keys do nothing. */
		return b->ctx == KC_TRANSCRIPT;
	}
	tui_dirty(t, D_TRANSCRIPT);
	return true;
}

const struct pane_ops columns_pane = {
	.name = "columns",
	.dirty = D_TRANSCRIPT,
	.done = co_done,
	.layout = co_layout,
	.draw = co_draw,
	.key = co_key,
	.event = co_event,
};
