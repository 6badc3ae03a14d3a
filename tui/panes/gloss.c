/* SPDX-License-Identifier: ISC */
/*
 * Explanations in the TLS panel's place: F1 or ? explains the line
 * selected in the transcript (F1 with no selection: the last line), ? in
 * the TLS panel explains what the panel shows.  Every word comes from the
 * core's tables (src/explain*.c); this file only chooses what to look up
 * and draws it.  Esc gives the panel back to the TLS facts.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static WINDOW		*gwin;
static int		 top;		/* first row shown */
static char		*title;
static struct rtext	*lines;
static size_t		 nlines, linecap;

static struct rtext *
gline(void)
{
	struct rtext	*r;

	if (nlines == linecap) {
		linecap = linecap ? linecap * 2 : 32;
		lines = xreallocarray(lines, linecap, sizeof *lines);
		memset(lines + nlines, 0, (linecap - nlines) * sizeof *lines);
	}
	r = &lines[nlines++];
	rtext_reset(r);
	r->words = true;
	r->indent = 2;
	return r;
}

static void
begin(struct tui *t, const char *what)
{
	size_t	i;

	for (i = 0; i < nlines; i++)
		rtext_reset(&lines[i]);
	nlines = 0;
	free(title);
	title = xstrdup(what);
	top = 0;
	t->m.gloss = true;
	/* The explanation needs the panel's area: show it. */
	if (t->tp_h == 0) {
		t->panel = PANEL_SHOWN;
		tui_relayout(t);
	}
	tui_dirty(t, D_TLS | D_STATUS);
}

/* One line per '\n'-ended line of text (the core's glosses). */
static void
add_text(const char *p, size_t len, enum slot s)
{
	const char	*nl, *end = p + len;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		rtext_net(gline(), s, p, (size_t)(nl - p));
	}
}

static void
add_title(const char *s)
{
	if (nlines > 0)
		gline();
	rtext_adds(gline(), SLOT_TLS_TITLE, s);
}

/* "label: gloss" for a panel field, when the core has one. */
static void
add_field(const char *label, const char *gloss)
{
	struct rtext	*r;

	if (gloss == NULL)
		return;
	r = gline();
	rtext_net(r, SLOT_TLS_LABEL, label, strlen(label));
	rtext_adds(r, SLOT_TLS_LABEL, ": ");
	rtext_adds(r, SLOT_TLS_VALUE, gloss);
}

static void
add_starttls(struct tui *t)
{
	const char	*m = explain_starttls(t->sopts.target.proto);

	add_title("STARTTLS, step by step");
	add_text(m, strlen(m), SLOT_TLS_VALUE);
}

/* The boundary, the capability diff, the STARTTLS command. */
static bool
about_starttls(const struct event *ev)
{
	if (ev->kind == EV_TLS_ESTABLISHED || ev->kind == EV_CAPDIFF)
		return true;
	return ev->kind == EV_DATA && ev->dir == DIR_CLIENT &&
	    (ev->cls.bits & EVC_TLS_CMD);
}

/* The full explanation of one event. */
static void
gloss_event(struct tui *t, const struct event *ev)
{
	enum proto_id	 proto = t->sopts.target.proto;
	struct buf	 b = { 0 };
	struct rtext	*r;
	const char	*m;

	begin(t, "Explain this line");
	r = gline();
	r->indent = 4;
	switch (ev->kind) {
	case EV_DATA:
		m = ev->dir == DIR_CLIENT ? "C: " : "S: ";
		break;
	case EV_WARNING:
	case EV_ERROR:
		m = "!! ";
		break;
	default:
		m = "-- ";
		break;
	}
	rtext_adds(r, SLOT_TLS_LABEL, m);
	rtext_net(r, SLOT_TLS_VALUE, ev->data, ev->len);
	gline();
	if (explain_event(ev, proto, &b) > 0)
		add_text(b.p, b.len, SLOT_EXPLAIN);
	else
		rtext_adds(gline(), SLOT_EXPLAIN, "Nothing to explain here: "
		    "no table of mailscope knows this line.");
	buf_free(&b);
	if (about_starttls(ev))
		add_starttls(t);
}

/* The handshake steps of the current connection, from the log. */
static void
panel_steps(struct tui *t)
{
	const struct event	*ev;
	size_t			 i, first = 0, n = evlog_count(t->log);
	bool			 any = false;

	for (i = n; i > 0; i--) {
		ev = evlog_get(t->log, i - 1);
		if (ev != NULL && ev->kind == EV_CONNECT) {
			first = i - 1;
			break;
		}
	}
	for (i = first; i < n; i++) {
		if ((ev = evlog_get(t->log, i)) == NULL ||
		    ev->kind != EV_TLS_STEP ||
		    explain_tls_step(ev->data) == NULL)
			continue;
		if (!any)
			add_title("Handshake steps");
		any = true;
		add_field(ev->data, explain_tls_step(ev->data));
	}
}

/* What every part of the TLS panel means, for the facts it shows. */
static void
gloss_panel(struct tui *t)
{
	const struct tls_facts	*f = t->m.dg.tls;
	static const char *const fields[] = { "version", "cipher",
	    "key exch.", "group", "signature", "mac", "SNI", "ALPN",
	    "resumed", "OCSP", "host", "matched", "chain", "subject",
	    "issuer", "SAN", "not before", "not after", "key", "serial",
	    "sha-256", "pin-sha256", "CA" };
	size_t			 i;

	begin(t, "The TLS panel explained");
	if (f == NULL) {
		rtext_adds(gline(), SLOT_TLS_VALUE, "No TLS yet: the channel "
		    "is plaintext, so the panel has no facts to explain.");
		add_starttls(t);
		return;
	}
	add_title("Verification");
	add_field("verdict", explain_tls_field("verdict"));
	if (f->verify.trust != NULL)
		add_field(f->verify.trust, explain_gloss(XT_TRUST,
		    f->verify.trust));
	for (i = 0; i < f->verify.reasons.n; i++)
		add_field(f->verify.reasons.v[i],
		    explain_verify_reason(f->verify.reasons.v[i]));
	if (f->pin.checked) {
		add_field("pin", explain_tls_field("pin"));
		if (!f->pin.ok)
			add_field("pin NOT matched",
			    explain_verify_reason("pin NOT matched"));
	}
	if (f->dane.checked) {
		add_title("DANE");
		add_field("DANE", explain_tls_field("DANE"));
		add_field("TLSA", explain_tls_field("TLSA"));
		if (f->dane.verdict != NULL)
			add_field(f->dane.verdict,
			    explain_verify_reason(f->dane.verdict));
		for (i = 0; i < f->dane.nrrs; i++)
			if (f->dane.rrs[i].result != NULL)
				add_field(f->dane.rrs[i].result,
				    explain_verify_reason(
				    f->dane.rrs[i].result));
	}
	if (f->sts.checked || f->sts.tlsrpt != NULL) {
		add_title("MTA-STS");
		add_field("MTA-STS", explain_tls_field("MTA-STS"));
		if (f->sts.verdict != NULL)
			add_field(f->sts.verdict,
			    explain_verify_reason(f->sts.verdict));
		if (f->sts.tlsrpt != NULL)
			add_field("TLS-RPT", explain_tls_field("TLS-RPT"));
	}
	add_title("Fields");
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
		add_field(fields[i], explain_tls_field(fields[i]));
	panel_steps(t);
	add_starttls(t);
}

static void
gloss_draw(struct tui *t)
{
	bool		 focus = t->focus == FOCUS_TLS;
	const char	*vbar = t->utf8 ? "\xe2\x94\x82" : "|";
	const char	*hbar = t->utf8 ? "\xe2\x94\x80" : "-";
	enum slot	 b = focus ? SLOT_BORDER_FOCUS : SLOT_BORDER;
	int		 row, x0, w, h, i, total, r, n;
	size_t		 k;
	char		 hdr[96];

	if (!t->m.gloss || t->tp_h == 0)
		return;
	if (gwin != NULL)
		delwin(gwin);
	gwin = newwin(t->tp_h, t->tp_w, t->tp_y, t->tp_x);
	if (gwin == NULL)
		return;
	colour_bkgd(gwin, SLOT_DEFAULT);
	werase(gwin);
	colour_set(gwin, b);
	if (t->tp_x > 0) {
		for (i = 0; i < t->tp_h; i++)
			mvwaddstr(gwin, i, 0, vbar);
		x0 = 2;
		w = t->tp_w - 2;
	} else {
		for (i = 0; i < t->tp_w; i++)
			mvwaddstr(gwin, 0, i, hbar);
		x0 = 0;
		w = t->tp_w;
	}
	snprintf(hdr, sizeof hdr, " %s (Esc returns) ", title);
	mvwaddnstr(gwin, 0, 2, hdr, t->tp_w - 3);
	row = 1;
	h = t->tp_h - 1;
	total = 0;
	for (k = 0; k < nlines; k++)
		total += rtext_rows(&lines[k], w, lines[k].indent);
	if (top > total - h)
		top = total - h;
	if (top < 0)
		top = 0;
	n = 0;
	for (k = 0; k < nlines && row < t->tp_h; k++) {
		r = rtext_rows(&lines[k], w, lines[k].indent);
		if (n + r <= top) {
			n += r;
			continue;
		}
		row += rtext_draw(gwin, &lines[k], row, x0, w, lines[k].indent,
		    top > n ? top - n : 0, t->tp_h - row);
		n += r;
	}
	wnoutrefresh(gwin);
}

/* The line F1 explains with no selection: the last one shown. */
static const struct event *
last_line(struct tui *t)
{
	const struct event	*ev;
	size_t			 i;

	for (i = evlog_count(t->log); i > 0; i--) {
		ev = evlog_get(t->log, i - 1);
		if (ev != NULL && ev->kind != EV_TLS_STEP &&
		    ev->kind != EV_CLOSE && !ev_is_trace(ev))
			return ev;
	}
	return NULL;
}

static bool
under_pointer(struct tui *t)
{
	return t->tp_h > 0 && t->m.ptr_y >= t->tp_y &&
	    t->m.ptr_y < t->tp_y + t->tp_h && t->m.ptr_x >= t->tp_x &&
	    t->m.ptr_x < t->tp_x + t->tp_w;
}

static bool
gloss_key(struct tui *t, const struct binding *b)
{
	const struct event	*ev;
	int			 page = t->tp_h > 3 ? t->tp_h - 2 : 1;

	switch (b->action) {
	case A_EXPLAIN_LINE:
	case A_EXPLAIN_SELECTED:
		/* ? without a selection stays the backward search. */
		if ((ev = t->m.selected) == NULL &&
		    b->action == A_EXPLAIN_SELECTED)
			return false;
		if (ev == NULL)
			ev = last_line(t);
		if (ev == NULL)
			tui_message(t, true, "nothing to explain yet");
		else
			gloss_event(t, ev);
		return true;
	case A_EXPLAIN_PANEL:
		gloss_panel(t);
		return true;
	case A_WHEEL_UP:
	case A_WHEEL_DOWN:
		if (!t->m.gloss || !under_pointer(t))
			return false;
		top += b->action == A_WHEEL_UP ? -3 : 3;
		tui_dirty(t, D_TLS);
		return true;
	default:
		break;
	}
	if (b->ctx != KC_GLOSS || !t->m.gloss || t->focus == FOCUS_CMDLINE)
		return false;
	if (b->action == A_GLOSS_BACK) {
		t->m.gloss = false;
		tui_dirty(t, D_TLS);
		return true;
	}
	if (t->focus != FOCUS_TLS)
		return false;
	switch (b->action) {
	case A_GLOSS_CLOSE:
		t->m.gloss = false;
		break;
	case A_UP:
		top--;
		break;
	case A_DOWN:
		top++;
		break;
	case A_PAGE_UP:
		top -= page;
		break;
	case A_PAGE_DOWN:
		top += page;
		break;
	case A_HOME:
		top = 0;
		break;
	case A_END:
		top = 1 << 20;
		break;
	default:
		return false;
	}
	tui_dirty(t, D_TLS);
	return true;
}

static void
gloss_done(struct tui *t)
{
	size_t	i;

	if (gwin != NULL)
		delwin(gwin);
	gwin = NULL;
	for (i = 0; i < linecap; i++)
		rtext_free(&lines[i]);
	free(lines);
	lines = NULL;
	nlines = linecap = 0;
	free(title);
	title = NULL;
	t->m.gloss = false;
}

const struct pane_ops gloss_pane = {
	.name = "gloss",
	.dirty = D_TLS,
	.done = gloss_done,
	.draw = gloss_draw,
	.key = gloss_key,
};
