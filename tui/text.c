/* SPDX-License-Identifier: ISC */
/*
 * Styled text: UTF-8 that is already terminal-safe, in runs of semantic
 * slots, wrapped at character boundaries (protocol data is shown exactly,
 * so no word wrapping).  Network bytes enter only through rtext_net(),
 * which passes them through the core's sanitizer.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "tui.h"

static size_t	char_at(const char *, size_t, int *);

void
rtext_reset(struct rtext *r)
{
	buf_reset(&r->text);
	r->nruns = 0;
	r->nhl = 0;
	r->indent = 0;
	r->words = false;
}

/* The slot of the run at byte i; *ri only moves forward. */
static enum slot
run_slot(const struct rtext *r, size_t i, size_t *ri)
{
	while (*ri < r->nruns && r->runs[*ri].off + r->runs[*ri].len <= i)
		(*ri)++;
	return *ri < r->nruns ? r->runs[*ri].slot : SLOT_DEFAULT;
}

/*
 * Prose only (a panel, the help, explanations) and the spaces before the
 * framer's flags: at a space, break if the next word does not fit.
 * Protocol text wraps at any character.
 */
static bool
word_break(const struct rtext *r, size_t i, int col, int width, int indent,
    size_t *ri)
{
	size_t	j, n;
	int	w, ww = 0;

	if (r->text.p[i] != ' ' || col <= indent)
		return false;
	if (!r->words && run_slot(r, i, ri) != SLOT_EXPLAIN &&
	    run_slot(r, i, ri) != SLOT_MARKER)
		return false;
	for (j = i + 1; j < r->text.len && r->text.p[j] != ' ' &&
	    r->text.p[j] != '\n'; j += n) {
		n = char_at(r->text.p + j, r->text.len - j, &w);
		ww += w;
	}
	return col + 1 + ww > width && ww <= width - indent;
}

void
rtext_free(struct rtext *r)
{
	buf_free(&r->text);
	free(r->runs);
	free(r->hl);
	memset(r, 0, sizeof *r);
}

void
rtext_add(struct rtext *r, enum slot s, const char *p, size_t len)
{
	struct run	*last;

	if (len == 0)
		return;
	last = r->nruns > 0 ? &r->runs[r->nruns - 1] : NULL;
	if (last != NULL && last->slot == s &&
	    last->off + last->len == r->text.len) {
		last->len += len;
	} else {
		if (r->nruns == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 8;
			r->runs = xreallocarray(r->runs, r->cap,
			    sizeof *r->runs);
		}
		r->runs[r->nruns].off = r->text.len;
		r->runs[r->nruns].len = len;
		r->runs[r->nruns].slot = s;
		r->nruns++;
	}
	buf_add(&r->text, p, len);
}

void
rtext_adds(struct rtext *r, enum slot s, const char *p)
{
	rtext_add(r, s, p, strlen(p));
}

void
rtext_printf(struct rtext *r, enum slot s, const char *fmt, ...)
{
	struct buf	b = { 0 };
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rtext_add(r, s, b.p, b.len);
	buf_free(&b);
}

struct net_ctx {
	struct rtext	*r;
	enum slot	 slot;
};

/*
 * A TAB becomes spaces to the next stop of 8 from the start of its line:
 * curses would expand it at its own column and draw wider than counted.
 */
static void
net_span(const struct san_span *sp, void *arg)
{
	struct net_ctx	*c = arg;
	const char	*p = sp->p, *end = sp->p + sp->len, *tab, *nl;
	size_t		 start;
	int		 col;

	if (sp->escape) {
		rtext_add(c->r, SLOT_ESCAPE, sp->p, sp->len);
		return;
	}
	while ((tab = memchr(p, '\t', (size_t)(end - p))) != NULL) {
		rtext_add(c->r, c->slot, p, (size_t)(tab - p));
		nl = c->r->text.len > 0 ? memrchr(c->r->text.p, '\n',
		    c->r->text.len) : NULL;
		start = nl != NULL ? (size_t)(nl - c->r->text.p) + 1 : 0;
		col = text_width(c->r->text.p + start, c->r->text.len - start);
		rtext_add(c->r, c->slot, "        ", (size_t)(8 - col % 8));
		p = tab + 1;
	}
	rtext_add(c->r, c->slot, p, (size_t)(end - p));
}

/* Bytes from the network (or any untrusted source): sanitized. */
void
rtext_net(struct rtext *r, enum slot s, const char *p, size_t len)
{
	struct net_ctx	c = { r, s };

	sanitize_spans(p, len, net_span, &c);
}

/* Mark every case-insensitive occurrence of needle. */
void
rtext_highlight(struct rtext *r, const char *needle, enum slot s)
{
	size_t	n = strlen(needle), i;

	if (n == 0 || r->text.len < n)
		return;
	for (i = 0; i + n <= r->text.len; i++) {
		if (strncasecmp(r->text.p + i, needle, n) != 0)
			continue;
		if (r->nhl == r->hlcap) {
			r->hlcap = r->hlcap ? r->hlcap * 2 : 4;
			r->hl = xreallocarray(r->hl, r->hlcap, sizeof *r->hl);
		}
		r->hl[r->nhl].off = i;
		r->hl[r->nhl].len = n;
		r->hl[r->nhl].slot = s;
		r->nhl++;
		i += n - 1;
	}
}

/* One character at p: its length in bytes and its width in cells. */
static size_t
char_at(const char *p, size_t left, int *width)
{
	mbstate_t	st;
	wchar_t		wc;
	size_t		n;
	int		w;

	/* Printable ASCII, most of any screen: one byte, one cell. */
	if ((unsigned char)(*p - 0x20) < 0x5f) {
		*width = 1;
		return 1;
	}
	memset(&st, 0, sizeof st);
	n = mbrtowc(&wc, p, left, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*width = 1;
		return 1;
	}
	w = wcwidth(wc);
	*width = w < 0 ? 1 : w;
	return n;
}

int
text_width(const char *p, size_t len)
{
	size_t	i = 0, n;
	int	w, total = 0;

	while (i < len) {
		n = char_at(p + i, len - i, &w);
		total += w;
		i += n;
	}
	return total;
}

int
rtext_rows(const struct rtext *r, int width, int indent)
{
	size_t	i = 0, n, ri = 0;
	int	col = 0, rows = 1, w;

	if (width <= indent + 1)
		indent = 0;
	if (width < 1)
		return 1;
	while (i < r->text.len) {
		if (r->text.p[i] == '\n') {	/* only ours: a hard break */
			rows++;
			col = indent;
			i++;
			continue;
		}
		if (word_break(r, i, col, width, indent, &ri)) {
			rows++;
			col = indent;
			i++;
			continue;
		}
		n = char_at(r->text.p + i, r->text.len - i, &w);
		if (col + w > width && col > indent) {
			rows++;
			col = indent;
		}
		col += w;
		i += n;
	}
	return rows;
}

static enum slot
slot_at(const struct rtext *r, size_t off, size_t *ri, size_t *hi)
{
	while (*hi < r->nhl && r->hl[*hi].off + r->hl[*hi].len <= off)
		(*hi)++;
	if (*hi < r->nhl && r->hl[*hi].off <= off)
		return r->hl[*hi].slot;
	while (*ri < r->nruns && r->runs[*ri].off + r->runs[*ri].len <= off)
		(*ri)++;
	return *ri < r->nruns ? r->runs[*ri].slot : SLOT_DEFAULT;
}

/*
 * Draw wrapped rows [skip, skip + maxrows) at window row y, columns
 * x0 .. x0 + width - 1; continuation rows start at indent.  Returns the
 * number of rows drawn.
 */
int
rtext_draw(WINDOW *win, const struct rtext *r, int y, int x0, int width,
    int indent, int skip, int maxrows)
{
	size_t		 i = 0, n, ri = 0, hi = 0, wi = 0;
	int		 col = 0, row = 0, w, drawn = 0;
	enum slot	 cur = SLOT_MAX, s;

	if (width <= indent + 1)
		indent = 0;
	if (maxrows <= 0 || width < 1)
		return 0;
	if (skip == 0) {
		wmove(win, y, x0);
		drawn = 1;
	}
	while (i < r->text.len) {
		if (r->text.p[i] == '\n' || word_break(r, i, col, width,
		    indent, &wi)) {
			w = width + 1;	/* forces the break below */
			n = 1;
		} else
			n = char_at(r->text.p + i, r->text.len - i, &w);
		if (col + w > width && (col > indent || w > width)) {
			row++;
			col = indent;
			if (row - skip >= maxrows)
				break;
			if (row >= skip) {
				wmove(win, y + row - skip, x0 + indent);
				drawn = row - skip + 1;
			}
		}
		if (w > width) {	/* the newline or space broken at */
			i++;
			continue;
		}
		if (row >= skip) {
			s = slot_at(r, i, &ri, &hi);
			if (s != cur) {
				colour_set(win, s);
				cur = s;
			}
			if (w > 0 || col > 0)
				waddnstr(win, r->text.p + i, (int)n);
		}
		col += w;
		i += n;
	}
	return drawn;
}

/*
 * The slot a line of the log is drawn in, in every pane: the client's or
 * the server's (inside TLS or not), a warning for what went wrong, a
 * note, the boundary, or information.
 */
enum slot
event_slot(const struct event *ev)
{
	const struct ev_extra	*x = ev_extra(ev);
	bool			 tls = ev->chan == CHAN_TLS;

	switch (ev->kind) {
	case EV_DATA:
		if (ev->dir == DIR_CLIENT)
			return tls ? SLOT_CLIENT_TLS : SLOT_CLIENT;
		return tls ? SLOT_SERVER_TLS : SLOT_SERVER;
	case EV_WARNING:
		return SLOT_WARNING;
	case EV_ERROR:
		return SLOT_ERROR;
	case EV_VERIFY:
		return x != NULL && x->tls != NULL && x->tls->verified ?
		    SLOT_INFO : SLOT_WARNING;
	case EV_DNS:
		return ev_dns_bogus(ev) ? SLOT_WARNING : SLOT_INFO;
	case EV_VERDICT:
		return ev_code_is(ev, "vulnerable") ? SLOT_WARNING : SLOT_INFO;
	case EV_TLS_ESTABLISHED:
		return SLOT_BOUNDARY;
	case EV_NOTE:
	case EV_MARK:
		return SLOT_NOTE;
	default:
		return SLOT_INFO;
	}
}
