/* SPDX-License-Identifier: ISC */
/*
 * The ladder pane: the session as a sequence diagram under the
 * transcript (F7, :ladder).  Client and server columns, one arrow per
 * line, the handshake's messages and the TLS boundary, injected bytes
 * their own arrow in their own slot, notes and warnings between the
 * columns.  The rows are
 * the render layer's ladder model, the one the HTML export draws; this
 * file only draws them, ending at the transcript's selected line or, with
 * none, at the last line it shows (struct tui_model), so the two scroll
 * together.  A row the lesson is about is marked in the margin.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

#define LADDER_MIN_ROWS	6	/* fewer: the transcript keeps them */
#define NOTE_ROWS	3	/* a note or a warning wraps over as many */

struct ladderpane {
	WINDOW		*win;
	struct ladder	 l;
	bool		 shown;
	struct rtext	 rt;
	struct buf	 label;
};

static void
lp_init(struct tui *t)
{
	t->lp = xcalloc(1, sizeof *t->lp);
	ladder_init(&t->lp->l);
}

static void
lp_done(struct tui *t)
{
	struct ladderpane	*lp = t->lp;

	if (lp == NULL)
		return;
	if (lp->win != NULL)
		delwin(lp->win);
	ladder_free(&lp->l);
	rtext_free(&lp->rt);
	buf_free(&lp->label);
	free(lp);
	t->lp = NULL;
}

static void
lp_reset(struct tui *t)
{
	ladder_free(&t->lp->l);
	tui_dirty(t, D_TRANSCRIPT);
}

static void
lp_event(struct tui *t, const struct event *ev)
{
	ladder_event(&t->lp->l, t->log, ev);
}

/*
 * Its rows come from the transcript's, at the bottom of them: called by
 * tui_relayout() before the panes lay themselves out.
 */
void
ladder_carve(struct tui *t)
{
	int	h;

	t->lp_h = 0;
	if (t->lp == NULL || !t->lp->shown)
		return;
	h = t->ts_h / 2;
	if (h < LADDER_MIN_ROWS)
		return;
	t->ts_h -= h;
	t->lp_y = t->ts_y + t->ts_h;
	t->lp_x = t->ts_x;
	t->lp_w = t->ts_w;
	t->lp_h = h;
}

static void
lp_layout(struct tui *t)
{
	struct ladderpane	*lp = t->lp;

	if (lp->win != NULL)
		delwin(lp->win);
	lp->win = NULL;
	if (t->lp_h > 0)
		lp->win = newwin(t->lp_h, t->lp_w, t->lp_y, t->lp_x);
}

/* The bytes of s that fit in width columns. */
static size_t
fit(const char *s, size_t len, int width)
{
	size_t	i = 0, n;
	int	w = 0, cw;

	while (i < len) {
		for (n = 1; i + n < len && ((unsigned char)s[i + n] & 0xc0) ==
		    0x80; n++)
			;
		cw = text_width(s + i, n);
		if (w + cw > width)
			break;
		w += cw;
		i += n;
	}
	return i;
}

/* The bytes of s for one row of width columns: cut at a space. */
static size_t
wrap(const char *s, size_t len, int width)
{
	size_t	n = fit(s, len, width), k;

	if (n < len)
		for (k = n; k > n / 2; k--)
			if (s[k] == ' ')
				return k + 1;
	return n;
}

static void
repeat(struct rtext *rt, enum slot s, const char *c, int n)
{
	while (n-- > 0)
		rtext_adds(rt, s, c);
}

/* A label cut to width columns, an ellipsis where it was cut. */
static int
add_label(struct tui *t, struct rtext *rt, enum slot s, const char *p,
    size_t len, int width)
{
	size_t	n;

	if (width <= 0)
		return 0;
	if (text_width(p, len) <= width) {
		rtext_add(rt, s, p, len);
		return text_width(p, len);
	}
	n = fit(p, len, width - 1);
	rtext_add(rt, s, p, n);
	rtext_adds(rt, SLOT_MARKER, t->utf8 ? "\xe2\x80\xa6" : "~");
	return text_width(p, n) + 1;
}

/* One row of the model as one screen row of width w. */
static void
build_row(struct tui *t, const struct ladder_row *r, int w, bool sel)
{
	struct ladderpane	*lp = t->lp;
	struct rtext		*rt = &lp->rt;
	const char		*life = t->utf8 ? "\xe2\x94\x82" : "|";
	const char		*dash, *lesson;
	enum slot		 s, ls = SLOT_MARKER;
	bool			 tls = r->bits & LRF_TLS;
	int			 inner = w - 6, used;
	const char		*p;
	size_t			 k, n, shown, left;

	rtext_reset(rt);
	buf_reset(&lp->label);
	/* What the lesson is about: STARTTLS, its answer, the attacks. */
	lesson = !(r->bits & LRF_LESSON) ? "  " : t->utf8 ? "\xe2\x96\xb8 " :
	    "> ";
	if (r->kind == LR_INJECTED)
		buf_adds(&lp->label, "!! ");
	ladder_label(t->log, r, &lp->label);
	switch (r->kind) {
	case LR_TLS:
	case LR_BREAK:
		/* Across both columns. */
		s = r->kind == LR_TLS ? SLOT_BOUNDARY : SLOT_INFO;
		dash = r->kind == LR_TLS ? (t->utf8 ? "\xe2\x95\x90" : "=") :
		    (t->utf8 ? "\xe2\x94\x84" : "-");
		repeat(rt, s, dash, 3);
		rtext_adds(rt, s, " ");
		used = 4 + add_label(t, rt, s, lp->label.p, lp->label.len,
		    w - 8);
		rtext_adds(rt, s, " ");
		repeat(rt, s, dash, w - used - 1);
		break;
	case LR_HANDSHAKE:
	case LR_NOTE:
	case LR_WARNING:
		/* Wrapped at words between the columns, a few rows at most. */
		s = r->kind == LR_NOTE ? SLOT_NOTE : r->kind == LR_WARNING ?
		    SLOT_WARNING : SLOT_INFO;
		p = lp->label.p;
		left = lp->label.len;
		for (k = 0; k < NOTE_ROWS && (k == 0 || left > 0); k++) {
			if (k > 0)
				rtext_adds(rt, ls, "\n");
			rtext_adds(rt, ls, k == 0 ? lesson : "  ");
			rtext_adds(rt, ls, life);
			rtext_adds(rt, s, k > 0 ? "   " : r->kind == LR_NOTE ?
			    " # " : r->kind == LR_WARNING ? " ! " : " ~ ");
			/* The last row takes the rest, an ellipsis where
			 * cut; the others end before the space they were
			 * cut at, which may be one column past the row. */
			n = k + 1 == NOTE_ROWS ? left : wrap(p, left,
			    inner - 3);
			for (shown = n; k + 1 < NOTE_ROWS && shown > 0 &&
			    p[shown - 1] == ' '; shown--)
				;
			used = 3 + add_label(t, rt, s, p, shown, inner - 3);
			repeat(rt, s, " ", inner - used);
			rtext_adds(rt, ls, life);
			p += n;
			left -= n;
		}
		break;
	default:
		if (r->kind == LR_INJECTED)
			s = SLOT_LADDER_INJECTED;
		else if (r->dir == DIR_CLIENT)
			s = tls ? SLOT_CLIENT_TLS : SLOT_CLIENT;
		else
			s = tls ? SLOT_SERVER_TLS : SLOT_SERVER;
		dash = r->kind == LR_INJECTED ? (t->utf8 ? "\xe2\x94\x81" :
		    "=") : (t->utf8 ? "\xe2\x94\x80" : "-");
		rtext_adds(rt, ls, lesson);
		rtext_adds(rt, ls, life);
		if (r->dir == DIR_CLIENT) {
			rtext_adds(rt, s, dash);
			rtext_adds(rt, s, " ");
			used = 2 + add_label(t, rt, s, lp->label.p,
			    lp->label.len, inner - 4);
			rtext_adds(rt, s, " ");
			repeat(rt, s, dash, inner - used - 2);
			rtext_adds(rt, s, t->utf8 ? "\xe2\x96\xb6" : ">");
		} else {
			rtext_adds(rt, s, t->utf8 ? "\xe2\x97\x80" : "<");
			rtext_adds(rt, s, dash);
			rtext_adds(rt, s, " ");
			used = 3 + add_label(t, rt, s, lp->label.p,
			    lp->label.len, inner - 4);
			rtext_adds(rt, s, " ");
			repeat(rt, s, dash, inner - used - 1);
		}
		rtext_adds(rt, ls, life);
		break;
	}
	if (sel)
		for (k = 0; k < rt->nruns; k++)
			rt->runs[k].slot = SLOT_SELECTED;
}

static void
lp_draw(struct tui *t)
{
	struct ladderpane	*lp = t->lp;
	const struct event	*at;
	struct rtext		 head = { 0 };
	size_t			 last, first, i;
	int			 w, h, row, pad, need, skip;

	if (lp->win == NULL || t->lp_h == 0)
		return;
	w = t->lp_w;
	h = t->lp_h;
	colour_bkgd(lp->win, SLOT_DEFAULT);
	werase(lp->win);
	/* The columns' names, and how to close it. */
	rtext_adds(&head, SLOT_TLS_TITLE, " Client");
	pad = w - 7 - 7 - 22;
	if (pad > 0) {
		rtext_printf(&head, SLOT_BORDER, "%*s", pad / 2, "");
		rtext_adds(&head, SLOT_BORDER, "sequence diagram (F7)");
		rtext_printf(&head, SLOT_BORDER, "%*s", pad - pad / 2 + 1, "");
	} else
		rtext_printf(&head, SLOT_BORDER, "%*s", w > 14 ? w - 14 : 0,
		    "");
	rtext_adds(&head, SLOT_TLS_TITLE, "Server");
	rtext_draw(lp->win, &head, 0, 0, w, 0, 0, 1);
	rtext_free(&head);
	if (lp->l.n == 0) {
		wnoutrefresh(lp->win);
		return;
	}
	/* Where the transcript is: its selection, else its last line. */
	at = t->m.selected != NULL ? t->m.selected : t->m.shown;
	last = at != NULL ? ladder_find(&lp->l, ev_seq(t->log, at)) :
	    lp->l.n - 1;
	/* Up from there until the pane is full; a note may take rows. */
	for (first = last + 1, need = 0; first > 0 && need < h - 1; first--) {
		build_row(t, &lp->l.rows[first - 1], w, false);
		need += rtext_rows(&lp->rt, w, 0);
	}
	skip = need > h - 1 ? need - (h - 1) : 0;
	for (i = first, row = 1; i <= last && row < h; i++) {
		build_row(t, &lp->l.rows[i], w, t->m.selected != NULL &&
		    i == last);
		row += rtext_draw(lp->win, &lp->rt, row, 0, w, 0, skip,
		    h - row);
		skip = 0;
	}
	wnoutrefresh(lp->win);
}

static bool
lp_key(struct tui *t, const struct binding *b)
{
	if (b->action != A_LADDER)
		return false;
	cmd_ladder(t, "");
	return true;
}

/* :ladder [on|off], F7: show or hide it. */
void
cmd_ladder(struct tui *t, const char *args)
{
	struct ladderpane	*lp = t->lp;

	if (strcmp(args, "on") == 0)
		lp->shown = true;
	else if (strcmp(args, "off") == 0)
		lp->shown = false;
	else if (*args == '\0')
		lp->shown = !lp->shown;
	else {
		tui_message(t, true, ":ladder takes on or off");
		return;
	}
	tui_relayout(t);
	if (lp->shown && t->lp_h == 0)
		tui_message(t, true, "the sequence diagram takes half of "
		    "the transcript's rows, which needs %d at least",
		    2 * LADDER_MIN_ROWS);
}

const struct pane_ops ladder_pane = {
	.name = "ladder",
	.dirty = D_TRANSCRIPT,
	.init = lp_init,
	.reset = lp_reset,
	.done = lp_done,
	.layout = lp_layout,
	.draw = lp_draw,
	.key = lp_key,
	.event = lp_event,
};
