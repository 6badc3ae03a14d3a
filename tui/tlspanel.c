/*
 * The TLS panel: what protects the session, built from events alone
 * (EV_TLS_STEP, EV_TLS_ESTABLISHED, EV_VERIFY, EV_CAPDIFF, warnings), so
 * a replayed recording shows the same panel as the live session.
 * Everything that came from the server, certificate fields included,
 * passes through the sanitizer.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui.h"

enum tp_phase {
	TP_NONE,		/* not connected yet */
	TP_PLAIN,
	TP_HANDSHAKE,
	TP_TLS,
	TP_FAILED,
};

struct tlspanel {
	struct tui		*t;
	WINDOW			*win;
	int			 y, x, h, w;
	bool			 right;		/* beside the transcript */
	enum tp_phase		 phase;
	const struct event	**steps;
	size_t			 nsteps, stepcap;
	int64_t			 hs_start;
	const struct event	*est;
	const struct event	*ver;
	const struct event	*capdiff;
	const struct event	*caps;		/* the last list, EV_CAPS */
	const struct event	*failure;
	const struct event	**warn;
	size_t			 nwarn, warncap;
	size_t			 sel;		/* selected certificate */
	bool			 detail;
	int			 scroll;
	int			 sel_row;	/* row of the selection */
	struct rtext		*lines;
	size_t			 nlines, linecap;
};

struct tlspanel *
tlspanel_new(struct tui *t)
{
	struct tlspanel	*tp;

	tp = xcalloc(1, sizeof *tp);
	tp->t = t;
	return tp;
}

static void
lines_reset(struct tlspanel *tp)
{
	size_t	i;

	for (i = 0; i < tp->nlines; i++)
		rtext_reset(&tp->lines[i]);
	tp->nlines = 0;
}

void
tlspanel_free(struct tlspanel *tp)
{
	size_t	i;

	if (tp == NULL)
		return;
	if (tp->win != NULL)
		delwin(tp->win);
	for (i = 0; i < tp->linecap; i++)
		rtext_free(&tp->lines[i]);
	free(tp->lines);
	free(tp->steps);
	free(tp->warn);
	free(tp);
}

static void
push(const struct event ***v, size_t *n, size_t *cap, const struct event *ev)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = ev;
}

static void
reset(struct tlspanel *tp)
{
	tp->phase = TP_NONE;
	tp->nsteps = 0;
	tp->est = tp->ver = tp->capdiff = tp->caps = tp->failure = NULL;
	tp->nwarn = 0;
	tp->sel = 0;
	tp->detail = false;
	tp->scroll = 0;
}

void
tlspanel_event(const struct event *ev, void *arg)
{
	struct tlspanel	*tp = arg;

	switch (ev->kind) {
	case EV_CONNECT:
		reset(tp);
		tp->phase = TP_PLAIN;
		break;
	case EV_TLS_STEP:
		/* TLS 1.3 tickets come after the handshake: keep them. */
		if (tp->phase != TP_HANDSHAKE && tp->phase != TP_TLS) {
			tp->nsteps = 0;
			tp->hs_start = ev->t_ns;
			tp->failure = NULL;
			tp->phase = TP_HANDSHAKE;
		}
		push(&tp->steps, &tp->nsteps, &tp->stepcap, ev);
		break;
	case EV_CAPS:
		tp->caps = ev;
		break;
	case EV_TLS_ESTABLISHED:
		/* The session forgot what plaintext listed. */
		tp->caps = NULL;
		tp->est = ev;
		tp->phase = TP_TLS;
		tp->sel = 0;
		break;
	case EV_VERIFY:
		tp->ver = ev;
		break;
	case EV_CAPDIFF:
		tp->capdiff = ev;
		break;
	case EV_INFO:
		/* The session's word on why there is no difference. */
		if (ev_extra(ev) == NULL || ev_extra(ev)->code == NULL ||
		    strcmp(ev_extra(ev)->code, "capdiff-unknown") != 0)
			return;
		tp->capdiff = ev;
		break;
	case EV_WARNING:
		push(&tp->warn, &tp->nwarn, &tp->warncap, ev);
		break;
	case EV_CLOSE:
		if (tp->phase == TP_HANDSHAKE) {
			tp->failure = ev;
			tp->phase = TP_FAILED;
		}
		break;
	default:
		return;
	}
	tui_dirty(tp->t, D_TLS | D_STATUS);
}

const struct tls_facts *
tlspanel_facts(const struct tlspanel *tp)
{
	if (tp->ver != NULL && ev_extra(tp->ver) != NULL && ev_extra(tp->ver)->tls != NULL)
		return ev_extra(tp->ver)->tls;
	if (tp->est != NULL && ev_extra(tp->est) != NULL)
		return ev_extra(tp->est)->tls;
	return NULL;
}

int
tlspanel_verdict(const struct tlspanel *tp)
{
	const struct tls_facts	*f = tlspanel_facts(tp);

	if (tp->phase == TP_FAILED)
		return 0;
	if (f == NULL || !f->verify.checked)
		return f == NULL ? -1 : 0;
	return f->verify.ok ? 1 : 0;
}

static struct rtext *
line(struct tlspanel *tp)
{
	struct rtext	*r;

	if (tp->nlines == tp->linecap) {
		tp->linecap = tp->linecap ? tp->linecap * 2 : 64;
		tp->lines = xreallocarray(tp->lines, tp->linecap,
		    sizeof *tp->lines);
		memset(tp->lines + tp->nlines, 0, (tp->linecap - tp->nlines) *
		    sizeof *tp->lines);
	}
	r = &tp->lines[tp->nlines++];
	rtext_reset(r);
	r->indent = 4;
	r->words = true;
	return r;
}

static void
title(struct tlspanel *tp, const char *s)
{
	if (tp->nlines > 0)
		line(tp);
	rtext_adds(line(tp), SLOT_TLS_TITLE, s);
}

/* "  Label     value" with the value sanitized. */
static void
field(struct tlspanel *tp, const char *label, const char *value,
    enum slot s)
{
	struct rtext	*r = line(tp);

	r->indent = 14;
	rtext_printf(r, SLOT_TLS_LABEL, "  %-11s ", label);
	if (value == NULL || *value == '\0')
		rtext_adds(r, SLOT_TLS_LABEL, "-");
	else
		rtext_net(r, s, value, strlen(value));
}

/* A fingerprint "AA:BB:...", broken between bytes, never inside one. */
static void
field_hex(struct tlspanel *tp, const char *label, const char *value)
{
	struct rtext	*r;
	size_t		 len, per, i;
	int		 cw = (tp->right ? tp->w - 2 : tp->w) - 14;

	per = cw > 0 ? (size_t)(cw / 3) * 3 : 0;
	if (value == NULL || per == 0) {
		field(tp, label, value, SLOT_TLS_VALUE);
		return;
	}
	r = line(tp);
	r->indent = 14;
	rtext_printf(r, SLOT_TLS_LABEL, "  %-11s ", label);
	len = strlen(value);
	for (i = 0; i < len; i += per) {
		if (i > 0)
			rtext_add(r, SLOT_TLS_VALUE, "\n", 1);
		rtext_net(r, SLOT_TLS_VALUE, value + i, len - i < per ?
		    len - i : per);
	}
}

static void
text(struct tlspanel *tp, enum slot s, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
text(struct tlspanel *tp, enum slot s, const char *fmt, ...)
{
	struct buf	b = { 0 };
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rtext_net(line(tp), s, b.p, b.len);
	buf_free(&b);
}

static void
date(int64_t t, char *b, size_t len)
{
	struct tm	tm;
	time_t		s = (time_t)t;

	gmtime_r(&s, &tm);
	strftime(b, len, "%Y-%m-%d %H:%M UTC", &tm);
}

static void
cert_detail(struct tlspanel *tp, const struct tls_facts *f,
    const struct tls_cert *c)
{
	struct rtext	*r;
	char		 a[40], b[40];
	int64_t		 now = wall_ns() / 1000000000, days;
	size_t		 i;
	enum slot	 s;

	field(tp, "Subject", c->subject, SLOT_TLS_VALUE);
	field(tp, "Issuer", c->issuer, SLOT_TLS_VALUE);
	for (i = 0; i < c->san.n; i++) {
		r = line(tp);
		r->indent = 14;
		rtext_printf(r, SLOT_TLS_LABEL, "  %-11s ", i == 0 ? "SAN" :
		    "");
		s = f->verify.matched != NULL &&
		    strcmp(f->verify.matched, c->san.v[i]) == 0 ?
		    SLOT_TLS_MATCH : SLOT_TLS_VALUE;
		rtext_net(r, s, c->san.v[i], strlen(c->san.v[i]));
		if (s == SLOT_TLS_MATCH)
			rtext_adds(r, SLOT_TLS_MATCH, " (matched)");
	}
	date(c->not_before, a, sizeof a);
	date(c->not_after, b, sizeof b);
	field(tp, "Not before", a, now < c->not_before ? SLOT_TLS_BAD :
	    SLOT_TLS_VALUE);
	days = (c->not_after - now) / 86400;
	r = line(tp);
	r->indent = 14;
	rtext_printf(r, SLOT_TLS_LABEL, "  %-11s ", "Not after");
	rtext_adds(r, SLOT_TLS_VALUE, b);
	if (c->not_after < now)
		rtext_adds(r, SLOT_TLS_BAD, " (expired)");
	else
		rtext_printf(r, days < 14 ? SLOT_TLS_WARN : SLOT_TLS_OK,
		    " (%lld day%s left)", (long long)days, days == 1 ? "" :
		    "s");
	field(tp, "Key", c->key, SLOT_TLS_VALUE);
	field(tp, "Signature", c->sigalg, SLOT_TLS_VALUE);
	field(tp, "Serial", c->serial, SLOT_TLS_VALUE);
	field_hex(tp, "SHA-256", c->sha256);
	field(tp, "pin-sha256", c->pin_sha256, SLOT_TLS_VALUE);
	field(tp, "CA", c->is_ca ? "yes" : "no", SLOT_TLS_VALUE);
}

static void
facts(struct tlspanel *tp, const struct tls_facts *f)
{
	const struct tls_cert	*c;
	struct rtext		*r;
	char			 kx[128];
	size_t			 i;

	title(tp, "Verification");
	if (!f->verify.checked)
		text(tp, SLOT_TLS_WARN, "  not checked");
	else if (f->verify.ok) {
		r = line(tp);
		rtext_adds(r, SLOT_TLS_OK, tp->t->utf8 ? "  \xe2\x9c\x94 " :
		    "  OK ");
		rtext_adds(r, SLOT_TLS_OK, "VERIFIED");
	} else {
		r = line(tp);
		rtext_adds(r, SLOT_TLS_BAD, tp->t->utf8 ? "  \xe2\x9c\x98 " :
		    "  X ");
		rtext_adds(r, SLOT_TLS_BAD, "NOT VERIFIED");
		for (i = 0; i < f->verify.reasons.n; i++)
			text(tp, SLOT_TLS_BAD, "    - %s",
			    f->verify.reasons.v[i]);
	}
	field(tp, "Host", f->verify.hostname, SLOT_TLS_VALUE);
	field(tp, "Matched", f->verify.matched != NULL ? f->verify.matched :
	    "(no name matched)", f->verify.matched != NULL ? SLOT_TLS_MATCH :
	    SLOT_TLS_BAD);

	title(tp, "Connection");
	field(tp, "Version", f->version, SLOT_TLS_VALUE);
	field(tp, "Cipher", f->cipher, SLOT_TLS_VALUE);
	snprintf(kx, sizeof kx, "%s%s%s", f->kx != NULL ? f->kx : "-",
	    f->group != NULL ? ", " : "", f->group != NULL ? f->group : "");
	field(tp, "Key exch.", kx, SLOT_TLS_VALUE);
	field(tp, "Signature", f->sigalg, SLOT_TLS_VALUE);
	field(tp, "MAC", f->mac, SLOT_TLS_VALUE);
	field(tp, "SNI", f->sni != NULL ? f->sni : "(none sent)",
	    SLOT_TLS_VALUE);
	field(tp, "ALPN", f->alpn != NULL ? f->alpn : "(none)",
	    SLOT_TLS_VALUE);
	field(tp, "Resumed", f->resumed ? "yes" : "no", SLOT_TLS_VALUE);
	field(tp, "OCSP", f->ocsp != NULL ? f->ocsp : "none",
	    f->ocsp != NULL && strcmp(f->ocsp, "good") == 0 ? SLOT_TLS_OK :
	    SLOT_TLS_WARN);

	if (f->nchain == 0)
		return;
	if (tp->sel >= f->nchain)
		tp->sel = f->nchain - 1;
	title(tp, "Certificate chain (Up/Down, Enter)");
	for (i = 0; i < f->nchain; i++) {
		c = &f->chain[i];
		if (i == tp->sel)
			tp->sel_row = (int)tp->nlines;
		r = line(tp);
		rtext_printf(r, i == tp->sel ? SLOT_TLS_SELECTED :
		    SLOT_TLS_LABEL, "%s%zu ", i == tp->sel ? ">" : " ", i);
		rtext_net(r, i == tp->sel ? SLOT_TLS_SELECTED : SLOT_TLS_VALUE,
		    c->subject != NULL ? c->subject : "?",
		    c->subject != NULL ? strlen(c->subject) : 1);
		if (c->not_after < wall_ns() / 1000000000)
			rtext_adds(r, SLOT_TLS_BAD, " expired");
		if (i == tp->sel && tp->detail)
			cert_detail(tp, f, c);
	}
}

static void
build(struct tlspanel *tp)
{
	const struct tls_facts	*f = tlspanel_facts(tp);
	const struct strv	*caps;
	struct rtext		*r;
	size_t			 i;
	bool			 tls, ver_shown = false;
	bool			 offered;

	lines_reset(tp);
	tp->sel_row = -1;
	if (tp->t->opts.lab_info != NULL) {
		title(tp, "Lab");
		text(tp, SLOT_TLS_VALUE, "  %s", tp->t->opts.lab_info);
	}
	title(tp, "Channel");
	r = line(tp);
	switch (tp->phase) {
	case TP_NONE:
		rtext_adds(r, SLOT_TLS_LABEL, "  not connected");
		break;
	case TP_PLAIN:
		rtext_adds(r, SLOT_TLS_WARN, "  PLAINTEXT");
		text(tp, SLOT_TLS_VALUE, "  everything in the transcript is "
		    "readable on the path");
		break;
	case TP_HANDSHAKE:
		rtext_adds(r, SLOT_TLS_WARN, "  HANDSHAKE in progress");
		break;
	case TP_TLS:
		rtext_adds(r, SLOT_TLS_OK, "  TLS");
		if (tp->est != NULL)
			text(tp, SLOT_TLS_VALUE, "  %s", tp->est->data);
		break;
	case TP_FAILED:
		rtext_adds(r, SLOT_TLS_BAD, "  TLS FAILED");
		break;
	}
	if (tp->failure != NULL) {
		r = line(tp);
		rtext_adds(r, SLOT_TLS_BAD, "  ");
		rtext_net(r, SLOT_TLS_BAD, tp->failure->data,
		    tp->failure->len);
	}
	if (f != NULL)
		facts(tp, f);
	if (tp->caps != NULL && ev_extra(tp->caps) != NULL) {
		caps = &ev_extra(tp->caps)->caps;
		tls = tp->caps->chan == CHAN_TLS;
		title(tp, tls ? "Capabilities (inside TLS)" :
		    "Capabilities (plaintext)");
		/* Where the list came from, when it is not the full one. */
		if (tp->caps->cls.bits & EVC_AUTHED)
			text(tp, SLOT_TLS_LABEL, "  listed after login");
		else if (tp->caps->cls.bits & EVC_PARTIAL)
			text(tp, SLOT_TLS_LABEL, "  from the greeting: may "
			    "be partial");
		offered = strv_has(caps, "STARTTLS") || strv_has(caps, "STLS");
		if (!tls)
			text(tp, offered ? SLOT_TLS_OK : SLOT_TLS_BAD,
			    "  STARTTLS %s", offered ? "offered" :
			    "NOT offered");
		for (i = 0; i < caps->n; i++)
			text(tp, SLOT_TLS_VALUE, "  %s", caps->v[i]);
	}
	if (tp->nsteps > 0) {
		title(tp, tp->phase == TP_HANDSHAKE ? "Handshake" :
		    "Handshake steps");
		for (i = 0; i <= tp->nsteps; i++) {
			/* The verification, in its place in time. */
			if (tp->ver != NULL && !ver_shown && (i == tp->nsteps ||
			    tp->steps[i]->t_ns > tp->ver->t_ns)) {
				r = line(tp);
				rtext_printf(r, SLOT_TLS_LABEL, "  %+8.1f ms ",
				    (double)(tp->ver->t_ns - tp->hs_start) /
				    1e6);
				rtext_adds(r, f != NULL && f->verify.ok ?
				    SLOT_TLS_VALUE : SLOT_TLS_BAD, f != NULL &&
				    f->verify.ok ? "certificate verified" :
				    "certificate NOT verified");
				ver_shown = true;
			}
			if (i == tp->nsteps)
				break;
			r = line(tp);
			rtext_printf(r, SLOT_TLS_LABEL, "  %+8.1f ms ",
			    (double)(tp->steps[i]->t_ns - tp->hs_start) /
			    1e6);
			rtext_net(r, SLOT_TLS_VALUE, tp->steps[i]->data,
			    tp->steps[i]->len);
		}
	}
	if (tp->capdiff != NULL) {
		title(tp, "Capabilities after STARTTLS");
		if (tp->capdiff->kind == EV_INFO) {
			r = line(tp);
			rtext_adds(r, SLOT_TLS_VALUE, "  ");
			rtext_net(r, SLOT_TLS_VALUE, tp->capdiff->data,
			    tp->capdiff->len);
		} else if (ev_extra(tp->capdiff) != NULL) {
			for (i = 0; i < ev_extra(tp->capdiff)->added.n; i++)
				text(tp, SLOT_TLS_OK, "  + %s",
				    ev_extra(tp->capdiff)->added.v[i]);
			for (i = 0; i < ev_extra(tp->capdiff)->removed.n; i++)
				text(tp, SLOT_TLS_WARN, "  - %s",
				    ev_extra(tp->capdiff)->removed.v[i]);
			if (ev_extra(tp->capdiff)->added.n +
			    ev_extra(tp->capdiff)->removed.n == 0)
				text(tp, SLOT_TLS_VALUE, "  unchanged");
		}
	}
	if (tp->nwarn > 0) {
		title(tp, "Warnings");
		for (i = 0; i < tp->nwarn; i++) {
			r = line(tp);
			rtext_adds(r, SLOT_TLS_WARN, "  ! ");
			rtext_net(r, SLOT_TLS_WARN, tp->warn[i]->data,
			    tp->warn[i]->len);
		}
	}
	title(tp, "Legend");
	text(tp, SLOT_TLS_LABEL, "  C: client  S: server  %s inside TLS",
	    tp->t->utf8 ? "\xf0\x9f\x94\x92" : "~");
	text(tp, SLOT_TLS_LABEL, "  -- info  !! warning  ## note");
}

void
tlspanel_layout(struct tlspanel *tp, int y, int x, int h, int w)
{
	if (tp->win != NULL)
		delwin(tp->win);
	tp->win = NULL;
	tp->y = y;
	tp->x = x;
	tp->h = h;
	tp->w = w;
	tp->right = x > 0;
	if (h > 1 && w > 4)
		tp->win = newwin(h, w, y, x);
}

void
tlspanel_draw(struct tlspanel *tp, bool focus)
{
	const char	*vbar = tp->t->utf8 ? "\xe2\x94\x82" : "|";
	const char	*hbar = tp->t->utf8 ? "\xe2\x94\x80" : "-";
	enum slot	 b = focus ? SLOT_BORDER_FOCUS : SLOT_BORDER;
	int		 row, x0, w, h, i, n, total;
	size_t		 k;
	char		 hdr[64];

	if (tp->win == NULL)
		return;
	build(tp);
	colour_bkgd(tp->win, SLOT_DEFAULT);
	werase(tp->win);
	colour_set(tp->win, b);
	/* Border on the side that touches the transcript, title in it. */
	if (tp->right) {
		for (i = 0; i < tp->h; i++)
			mvwaddstr(tp->win, i, 0, vbar);
		x0 = 2;
		w = tp->w - 2;
		h = tp->h;
		row = 0;
	} else {
		for (i = 0; i < tp->w; i++)
			mvwaddstr(tp->win, 0, i, hbar);
		x0 = 0;
		w = tp->w;
		h = tp->h - 1;
		row = 1;
	}
	snprintf(hdr, sizeof hdr, " TLS panel%s ", focus ? " (focus)" : "");
	mvwaddstr(tp->win, 0, tp->right ? 2 : 2, hdr);
	if (tp->right) {
		row = 1;
		h--;
	}
	/* Total rows, then keep the selected certificate in view. */
	total = 0;
	for (k = 0; k < tp->nlines; k++)
		total += rtext_rows(&tp->lines[k], w,
		    tp->lines[k].indent);
	if (tp->scroll > total - h)
		tp->scroll = total - h;
	if (tp->scroll < 0)
		tp->scroll = 0;
	n = 0;
	for (k = 0; k < tp->nlines && row < tp->h; k++) {
		int	r = rtext_rows(&tp->lines[k], w,
		    tp->lines[k].indent);

		if (n + r <= tp->scroll) {
			n += r;
			continue;
		}
		row += rtext_draw(tp->win, &tp->lines[k], row, x0, w,
		    tp->lines[k].indent,
		    tp->scroll > n ? tp->scroll - n : 0, tp->h - row);
		n += r;
	}
	if (total > h) {
		colour_set(tp->win, b);
		snprintf(hdr, sizeof hdr, " %d%% ", (tp->scroll + h) * 100 /
		    total);
		mvwaddstr(tp->win, 0, tp->w - (int)strlen(hdr) - 1, hdr);
	}
	wnoutrefresh(tp->win);
}

/* The mouse wheel over the panel: scroll, whatever has the focus. */
void
tlspanel_scroll(struct tlspanel *tp, int rows)
{
	tp->scroll += rows;
	tui_dirty(tp->t, D_TLS);
}

/* Keys when the panel has the focus; 0 when not ours. */
int
tlspanel_key(struct tlspanel *tp, int key)
{
	const struct tls_facts	*f = tlspanel_facts(tp);
	int			 page = tp->h > 3 ? tp->h - 2 : 1;

	switch (key) {
	case TK_UP:
	case 'k':
		if (f != NULL && f->nchain > 0 && tp->sel > 0)
			tp->sel--;
		else
			tp->scroll--;
		break;
	case TK_DOWN:
	case 'j':
		if (f != NULL && tp->sel + 1 < f->nchain)
			tp->sel++;
		else
			tp->scroll++;
		break;
	case '\r':
	case '\n':
	case TK_ENTER:
		tp->detail = !tp->detail;
		/* The details follow the selection: bring them into view. */
		build(tp);
		if (tp->detail && tp->sel_row >= 0)
			tp->scroll = tp->sel_row > 0 ? tp->sel_row - 1 : 0;
		break;
	case TK_PPAGE:
		tp->scroll -= page;
		break;
	case TK_NPAGE:
		tp->scroll += page;
		break;
	case TK_HOME:
	case 'g':
		tp->scroll = 0;
		break;
	case TK_END:
	case 'G':
		tp->scroll = 1 << 20;
		break;
	default:
		return 0;
	}
	/* Keep the selection in view after moving it. */
	if ((key == TK_UP || key == TK_DOWN || key == 'j' || key == 'k' ||
	    key == '\r') && f != NULL && f->nchain > 0) {
		build(tp);
		if (tp->sel_row >= 0 && tp->sel_row < tp->scroll)
			tp->scroll = tp->sel_row;
		else if (tp->sel_row >= tp->scroll + page)
			tp->scroll = tp->sel_row - page / 2;
	}
	tui_dirty(tp->t, D_TLS);
	return 1;
}
