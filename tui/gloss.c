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
#include <strings.h>

#include "tui.h"

static WINDOW		*gwin;
static bool		 shown;
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
	shown = true;
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

static bool
starttls_word(const char *p, size_t len)
{
	return (len == 8 && strncasecmp(p, "STARTTLS", 8) == 0) ||
	    (len == 4 && strncasecmp(p, "STLS", 4) == 0);
}

/* The boundary, the capability diff, a STARTTLS command (tagged or not). */
static bool
about_starttls(const struct event *ev)
{
	size_t	n;

	if (ev->kind == EV_TLS_ESTABLISHED || ev->kind == EV_CAPDIFF)
		return true;
	if (ev->kind != EV_DATA || ev->dir != DIR_CLIENT)
		return false;
	n = strcspn(ev->data, " ");
	if (starttls_word(ev->data, n))
		return true;
	return n < ev->len && starttls_word(ev->data + n + 1,
	    strcspn(ev->data + n + 1, " "));
}

/* The full explanation of one event. */
void
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
void
gloss_panel(struct tui *t)
{
	const struct tls_facts	*f = tlspanel_facts(t->tp);
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
	add_title("Fields");
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
		add_field(fields[i], explain_tls_field(fields[i]));
	panel_steps(t);
	add_starttls(t);
}

bool
gloss_draw(struct tui *t, bool focus)
{
	const char	*vbar = t->utf8 ? "\xe2\x94\x82" : "|";
	const char	*hbar = t->utf8 ? "\xe2\x94\x80" : "-";
	enum slot	 b = focus ? SLOT_BORDER_FOCUS : SLOT_BORDER;
	int		 row, x0, w, h, i, total, r, n;
	size_t		 k;
	char		 hdr[96];

	if (!shown || t->tp_h == 0)
		return false;
	if (gwin != NULL)
		delwin(gwin);
	gwin = newwin(t->tp_h, t->tp_w, t->tp_y, t->tp_x);
	if (gwin == NULL)
		return false;
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
	return true;
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
		    ev->kind != EV_CLOSE)
			return ev;
	}
	return NULL;
}

int
gloss_key(struct tui *t, int key)
{
	const struct event	*ev;
	int			 page = t->tp_h > 3 ? t->tp_h - 2 : 1;

	/* ? without a selection stays the backward search. */
	if (t->focus == FOCUS_TRANSCRIPT && (key == TK_F1 || (key == '?' &&
	    transcript_selected(t->ts) != NULL))) {
		if ((ev = transcript_selected(t->ts)) == NULL)
			ev = last_line(t);
		if (ev == NULL)
			tui_message(t, true, "nothing to explain yet");
		else
			gloss_event(t, ev);
		return 1;
	}
	if (t->focus == FOCUS_TLS && key == '?') {
		gloss_panel(t);
		tour_panel(t);
		return 1;
	}
	if (!shown || t->focus == FOCUS_CMDLINE)
		return 0;
	if (key == '\033') {
		shown = false;
		tui_dirty(t, D_TLS);
		return 1;
	}
	if (t->focus != FOCUS_TLS)
		return 0;
	switch (key) {
	case 'q':
		shown = false;
		break;
	case TK_UP:
	case 'k':
		top--;
		break;
	case TK_DOWN:
	case 'j':
		top++;
		break;
	case TK_PPAGE:
	case 'b':
		top -= page;
		break;
	case TK_NPAGE:
	case ' ':
		top += page;
		break;
	case TK_HOME:
	case 'g':
		top = 0;
		break;
	case TK_END:
	case 'G':
		top = 1 << 20;
		break;
	default:
		return 0;
	}
	tui_dirty(t, D_TLS);
	return 1;
}

/* The mouse wheel over the explanation. */
bool
gloss_scroll(struct tui *t, int rows)
{
	if (!shown)
		return false;
	top += rows;
	tui_dirty(t, D_TLS);
	return true;
}

void
gloss_free(void)
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
	shown = false;
}
