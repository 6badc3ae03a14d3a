/* SPDX-License-Identifier: ISC */
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
#include <strings.h>
#include <time.h>

#include "tui.h"


struct tlspanel {
	struct tui		*t;
	WINDOW			*win;
	int			 y, x, h, w;
	bool			 right;		/* beside the transcript */
	size_t			 sel;		/* selected certificate */
	bool			 detail;
	int			 scroll;
	int			 sel_row;	/* row of the selection */
	struct rtext		*lines;
	size_t			 nlines, linecap;
};

static void
tp_init(struct tui *t)
{
	t->tp = xcalloc(1, sizeof *t->tp);
	t->tp->t = t;
}

static void
lines_reset(struct tlspanel *tp)
{
	size_t	i;

	for (i = 0; i < tp->nlines; i++)
		rtext_reset(&tp->lines[i]);
	tp->nlines = 0;
}

static void
tp_done(struct tui *t)
{
	struct tlspanel	*tp = t->tp;
	size_t		 i;

	if (tp == NULL)
		return;
	t->tp = NULL;
	if (tp->win != NULL)
		delwin(tp->win);
	for (i = 0; i < tp->linecap; i++)
		rtext_free(&tp->lines[i]);
	free(tp->lines);
	free(tp);
}

/* A new connection: the selection belonged to the old one. */
static void
tp_event(struct tui *t, const struct event *ev)
{
	struct tlspanel	*tp = t->tp;

	switch (ev->kind) {
	case EV_CONNECT:
		tp->sel = 0;
		tp->detail = false;
		tp->scroll = 0;
		break;
	case EV_TLS_ESTABLISHED:
		tp->sel = 0;
		break;
	case EV_INFO:
		if (!ev_code_is(ev, "capdiff-unknown"))
			return;
		break;
	case EV_TLS_STEP:
	case EV_VERIFY:
	case EV_CAPDIFF:
	case EV_WARNING:
	case EV_CLOSE:
		break;
	default:
		return;
	}
	tui_dirty(t, D_TLS | D_STATUS);
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

/* A verdict mark: a tick or a cross, and the words. */
static void
mark(struct tlspanel *tp, bool ok, const char *words)
{
	struct rtext	*r = line(tp);

	if (ok)
		rtext_adds(r, SLOT_TLS_OK, tp->t->utf8 ? "  \xe2\x9c\x94 " :
		    "  OK ");
	else
		rtext_adds(r, SLOT_TLS_BAD, tp->t->utf8 ? "  \xe2\x9c\x98 " :
		    "  X ");
	rtext_adds(r, ok ? SLOT_TLS_OK : SLOT_TLS_BAD, words);
}

/* DANE beside PKIX: the verdict, then each record and what came of it. */
static void
dane(struct tlspanel *tp, const struct tls_dane *d)
{
	const struct tls_tlsa	*t;
	struct rtext		*r;
	enum slot		 s;
	size_t			 i, len;

	title(tp, "DANE");
	if (d->usable)
		mark(tp, d->ok, d->ok ? "DANE VERIFIED" : "DANE FAILED");
	else
		text(tp, SLOT_TLS_WARN, "  not used: PKIX decides");
	field(tp, "Rules", d->rules, SLOT_TLS_VALUE);
	r = line(tp);
	r->indent = 14;
	rtext_printf(r, SLOT_TLS_LABEL, "  %-11s ", "Records");
	rtext_net(r, SLOT_TLS_VALUE, d->source, d->source != NULL ?
	    strlen(d->source) : 0);
	rtext_adds(r, SLOT_TLS_VALUE, ", DNSSEC ");
	rtext_net(r, SLOT_TLS_VALUE, d->dnssec, d->dnssec != NULL ?
	    strlen(d->dnssec) : 0);
	for (i = 0; i < d->nrrs; i++) {
		t = &d->rrs[i];
		s = t->matched ? SLOT_TLS_OK : t->usable ? SLOT_TLS_BAD :
		    SLOT_TLS_WARN;
		r = line(tp);
		r->indent = 6;
		/* "3 1 1 BB4E64AD63CF..." : the data's head is enough. */
		len = t->rr != NULL ? strlen(t->rr) : 0;
		rtext_adds(r, SLOT_TLS_LABEL, "  TLSA ");
		rtext_net(r, s, t->rr, len > 24 ? 24 : len);
		if (len > 24)
			rtext_adds(r, s, "...");
		r = line(tp);
		r->indent = 6;
		rtext_adds(r, SLOT_TLS_LABEL, "    ");
		rtext_net(r, s, t->result, t->result != NULL ?
		    strlen(t->result) : 0);
	}
}

/* MTA-STS beside DANE and PKIX: the verdict, the policy, TLS-RPT. */
static void
sts(struct tlspanel *tp, const struct tls_sts *s)
{
	struct rtext	*r;
	char		 age[32];
	size_t		 i;

	title(tp, "MTA-STS");
	if (!s->checked)
		text(tp, SLOT_TLS_VALUE, "  no policy published");
	else if (s->unavailable != NULL)
		text(tp, SLOT_TLS_WARN, "  POLICY UNAVAILABLE: nothing "
		    "enforced");
	else if (s->mode != NULL && strcmp(s->mode, "none") == 0)
		text(tp, SLOT_TLS_VALUE, "  mode none: nothing to check");
	else
		mark(tp, s->ok, s->ok ? "MTA-STS PASS" : s->fails ?
		    "MTA-STS FAILED (enforce)" : "MTA-STS fails (not "
		    "enforced)");
	if (s->verdict != NULL) {
		r = line(tp);
		r->indent = 4;
		rtext_adds(r, SLOT_TLS_LABEL, "  ");
		rtext_net(r, s->ok ? SLOT_TLS_VALUE : SLOT_TLS_WARN,
		    s->verdict, strlen(s->verdict));
	}
	if (s->checked) {
		field(tp, "Policy", s->source, SLOT_TLS_VALUE);
		field(tp, "Id", s->id, SLOT_TLS_VALUE);
	}
	if (s->mode != NULL) {
		field(tp, "Mode", s->mode, strcmp(s->mode, "enforce") == 0 ?
		    SLOT_TLS_VALUE : SLOT_TLS_WARN);
		snprintf(age, sizeof age, "%lld s", (long long)s->max_age);
		field(tp, "Max age", age, SLOT_TLS_VALUE);
	}
	for (i = 0; i < s->mx.n; i++)
		field(tp, i == 0 ? "MX" : "", s->mx.v[i], s->matched != NULL &&
		    strcmp(s->matched, s->mx.v[i]) == 0 ? SLOT_TLS_MATCH :
		    SLOT_TLS_VALUE);
	if (s->mx_total > s->mx.n)
		text(tp, SLOT_TLS_VALUE, "  %-11s and %zu more", "",
		    s->mx_total - s->mx.n);
	field(tp, "TLS-RPT", s->tlsrpt != NULL ? s->tlsrpt : "(no record)",
	    SLOT_TLS_VALUE);
}

static void
facts(struct tlspanel *tp, const struct tls_facts *f)
{
	const struct tls_cert	*c;
	struct rtext		*r;
	char			 kx[128];
	size_t			 i;

	title(tp, f->dane.checked ? "Verification (PKIX)" : "Verification");
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
	/* An IDN: the A-label was verified; its Unicode form beside it. */
	if (tp->t->sopts.target.host_u != NULL && f->verify.hostname !=
	    NULL && strcasecmp(f->verify.hostname,
	    tp->t->sopts.target.host) == 0)
		field(tp, "IDN", tp->t->sopts.target.host_u, SLOT_TLS_VALUE);
	field(tp, "Matched", f->verify.matched != NULL ? f->verify.matched :
	    "(no name matched)", f->verify.matched != NULL ? SLOT_TLS_MATCH :
	    SLOT_TLS_BAD);
	if (f->pin.checked) {
		field(tp, "Pin", f->pin.ok ? "matched" : "NOT matched: the "
		    "server's is", f->pin.ok ? SLOT_TLS_OK : SLOT_TLS_BAD);
		field(tp, "", f->pin.actual, f->pin.ok ? SLOT_TLS_OK :
		    SLOT_TLS_BAD);
	}
	if (f->dane.checked)
		dane(tp, &f->dane);
	if (f->sts.checked || f->sts.tlsrpt != NULL)
		sts(tp, &f->sts);

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
	field(tp, "Resumed", f->resumption != NULL ? f->resumption :
	    f->resumed ? "yes" : "no", SLOT_TLS_VALUE);
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

/* :compare: the last connection's facts beside this one's. */
static void
compare(struct tlspanel *tp, const struct digest *d)
{
	struct strv	 rows = { 0 };
	struct buf	 b = { 0 };
	const char	*arrow = tp->t->utf8 ? " \xe2\x86\x92 " : " -> ";
	size_t		 i;
	bool		 same;

	title(tp, "Compared with the last connection");
	if (d->prev_tls == NULL || d->tls == NULL) {
		text(tp, SLOT_TLS_LABEL, "  %s", d->prev_tls == NULL ?
		    "no earlier TLS connection (:reconnect, then look here)" :
		    "this connection has no TLS facts yet");
		return;
	}
	tls_facts_compare(d->prev_tls, d->tls, &rows);
	for (i = 0; i + 2 < rows.n; i += 3) {
		buf_reset(&b);
		same = strcmp(rows.v[i + 1], rows.v[i + 2]) == 0;
		if (same)
			buf_printf(&b, "%s (same)", rows.v[i + 2]);
		else
			buf_printf(&b, "%s%s%s", rows.v[i + 1], arrow,
			    rows.v[i + 2]);
		field(tp, rows.v[i], b.p, same ? SLOT_TLS_VALUE :
		    SLOT_TLS_WARN);
	}
	buf_free(&b);
	strv_clear(&rows);
}

/*
 * Under the channel: the versions the hello offered and the one the
 * server chose; the groups and suites by number (their names are in the
 * batch summary and the exports).
 */
static void
negotiation(struct tlspanel *tp, const struct tls_facts *f)
{
	struct rtext	*r;

	if (f == NULL || f->offer.vwords == NULL)
		return;
	r = line(tp);
	r->indent = 14;
	rtext_printf(r, SLOT_TLS_LABEL, "  %-11s ", "offered");
	rtext_net(r, SLOT_TLS_VALUE, f->offer.vwords,
	    strlen(f->offer.vwords));
	rtext_adds(r, SLOT_TLS_LABEL, tp->t->utf8 ? " \xe2\x86\x92 " :
	    " -> ");
	/* From a recording in a replay: through the sanitizer too. */
	rtext_net(r, SLOT_TLS_MATCH, f->version != NULL ? f->version : "?",
	    f->version != NULL ? strlen(f->version) : 1);
	r = line(tp);
	r->indent = 14;
	rtext_printf(r, SLOT_TLS_LABEL, "  %-11s %lld cipher suites, %zu "
	    "groups", "", (long long)f->offer.ciphers, f->offer.groups.n);
}

static void
lab(struct tlspanel *tp)
{
	if (tp->t->opts.lab_info == NULL)
		return;
	title(tp, "Lab");
	text(tp, SLOT_TLS_VALUE, "  %s", tp->t->opts.lab_info);
}

static void
build(struct tlspanel *tp)
{
	const struct digest	*d = &tp->t->m.dg;
	const struct tui_model	*m = &tp->t->m;
	const struct tls_facts	*f = d->tls;
	struct rtext		*r;
	size_t			 i;
	bool			 tls, ver_shown = false;
	bool			 offered;

	lines_reset(tp);
	tp->sel_row = -1;
	/* Below the transcript the panel is short: the facts come first. */
	if (tp->right)
		lab(tp);
	/* mx://: the mail hosts DNS named, and whether DNSSEC vouched. */
	if (d->mx != NULL) {
		title(tp, "Mail domain (MX)");
		text(tp, d->mx_secure ? SLOT_TLS_VALUE : SLOT_TLS_WARN, "  %s",
		    d->mx);
	}
	title(tp, "Channel");
	r = line(tp);
	switch (d->phase) {
	case DG_TLS_NONE:
		rtext_adds(r, SLOT_TLS_LABEL, "  not connected");
		break;
	case DG_TLS_PLAIN:
		rtext_adds(r, SLOT_TLS_WARN, "  PLAINTEXT");
		text(tp, SLOT_TLS_VALUE, "  everything in the transcript is "
		    "readable on the path");
		break;
	case DG_TLS_HANDSHAKE:
		rtext_adds(r, SLOT_TLS_WARN, "  HANDSHAKE in progress");
		break;
	case DG_TLS_UP:
		rtext_adds(r, SLOT_TLS_OK, "  TLS");
		if (d->tls_summary != NULL)
			text(tp, SLOT_TLS_VALUE, "  %s", d->tls_summary);
		/* The lesson of version negotiation, where it is seen. */
		negotiation(tp, f);
		break;
	case DG_TLS_FAILED:
		rtext_adds(r, SLOT_TLS_BAD, "  TLS FAILED");
		break;
	}
	if (d->failure != NULL) {
		r = line(tp);
		rtext_adds(r, SLOT_TLS_BAD, "  ");
		rtext_net(r, SLOT_TLS_BAD, d->failure, strlen(d->failure));
	}
	if (f != NULL)
		facts(tp, f);
	if (m->compare)
		compare(tp, d);
	if (d->caps_known) {
		tls = d->caps_chan == CHAN_TLS;
		title(tp, tls ? "Capabilities (inside TLS)" :
		    "Capabilities (plaintext)");
		/* Where the list came from, when it is not the full one. */
		if (d->caps_bits & EVC_AUTHED)
			text(tp, SLOT_TLS_LABEL, "  listed after login");
		else if (d->caps_bits & EVC_PARTIAL)
			text(tp, SLOT_TLS_LABEL, "  from the greeting: may "
			    "be partial");
		offered = d->caps_bits & EVC_OFFERS_TLS;
		if (!tls)
			text(tp, offered ? SLOT_TLS_OK : SLOT_TLS_BAD,
			    "  STARTTLS %s", offered ? "offered" :
			    "NOT offered");
		for (i = 0; i < d->caps.n; i++)
			text(tp, SLOT_TLS_VALUE, "  %s", d->caps.v[i]);
	}
	if (m->nsteps > 0) {
		title(tp, d->phase == DG_TLS_HANDSHAKE ? "Handshake" :
		    "Handshake steps");
		for (i = 0; i <= m->nsteps; i++) {
			/* The verification, in its place in time. */
			if (d->verify_t_ns != 0 && !ver_shown &&
			    (i == m->nsteps ||
			    m->steps[i]->t_ns > d->verify_t_ns)) {
				r = line(tp);
				rtext_printf(r, SLOT_TLS_LABEL, "  %+8.1f ms ",
				    (double)(d->verify_t_ns - m->hs_start) /
				    1e6);
				rtext_adds(r, d->verified == 1 ?
				    SLOT_TLS_VALUE : SLOT_TLS_BAD,
				    d->verified == 1 ? "certificate verified" :
				    "certificate NOT verified");
				ver_shown = true;
			}
			if (i == m->nsteps)
				break;
			r = line(tp);
			rtext_printf(r, SLOT_TLS_LABEL, "  %+8.1f ms ",
			    (double)(m->steps[i]->t_ns - m->hs_start) / 1e6);
			rtext_net(r, SLOT_TLS_VALUE, m->steps[i]->data,
			    m->steps[i]->len);
		}
	}
	if (d->capdiff) {
		title(tp, "Capabilities after STARTTLS");
		if (d->capdiff_note != NULL) {
			r = line(tp);
			rtext_adds(r, SLOT_TLS_VALUE, "  ");
			rtext_net(r, SLOT_TLS_VALUE, d->capdiff_note,
			    strlen(d->capdiff_note));
		} else {
			for (i = 0; i < d->added.n; i++)
				text(tp, SLOT_TLS_OK, "  + %s", d->added.v[i]);
			for (i = 0; i < d->removed.n; i++)
				text(tp, SLOT_TLS_WARN, "  - %s",
				    d->removed.v[i]);
			if (d->added.n + d->removed.n == 0)
				text(tp, SLOT_TLS_VALUE, "  unchanged");
		}
	}
	if (d->warnings.n > 0) {
		title(tp, "Warnings");
		for (i = 0; i < d->warnings.n; i++) {
			r = line(tp);
			rtext_adds(r, SLOT_TLS_WARN, "  ! ");
			rtext_net(r, SLOT_TLS_WARN, d->warnings.v[i],
			    strlen(d->warnings.v[i]));
		}
	}
	if (!tp->right)
		lab(tp);
	title(tp, "Legend");
	text(tp, SLOT_TLS_LABEL, "  C: client  S: server  %s inside TLS",
	    tp->t->utf8 ? "\xf0\x9f\x94\x92" : "~");
	text(tp, SLOT_TLS_LABEL, "  -- info  !! warning  ## note");
}

static void
tp_layout(struct tui *t)
{
	struct tlspanel	*tp = t->tp;
	int		 y = t->tp_y, x = t->tp_x, h = t->tp_h, w = t->tp_w;

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

static void
tp_draw(struct tui *t)
{
	struct tlspanel	*tp = t->tp;
	bool		 focus = t->focus == FOCUS_TLS;
	const char	*vbar = tp->t->utf8 ? "\xe2\x94\x82" : "|";
	const char	*hbar = tp->t->utf8 ? "\xe2\x94\x80" : "-";
	enum slot	 b = focus ? SLOT_BORDER_FOCUS : SLOT_BORDER;
	int		 row, x0, w, h, i, n, total;
	size_t		 k;
	char		 hdr[64];

	/* An explanation has the panel's place. */
	if (tp->win == NULL || t->m.gloss)
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

static bool
under_pointer(struct tui *t)
{
	return t->tp_h > 0 && t->m.ptr_y >= t->tp_y &&
	    t->m.ptr_y < t->tp_y + t->tp_h && t->m.ptr_x >= t->tp_x &&
	    t->m.ptr_x < t->tp_x + t->tp_w;
}

/* Keys when the panel has the focus; the wheel over it, whatever has. */
static bool
tp_key(struct tui *t, const struct binding *b)
{
	struct tlspanel		*tp = t->tp;
	const struct tls_facts	*f = t->m.dg.tls;
	int			 page = tp->h > 3 ? tp->h - 2 : 1;

	if ((b->action == A_WHEEL_UP || b->action == A_WHEEL_DOWN) &&
	    under_pointer(t)) {
		tp->scroll += b->action == A_WHEEL_UP ? -3 : 3;
		tui_dirty(t, D_TLS);
		return true;
	}
	if (b->ctx != KC_TLS)
		return false;
	switch (b->action) {
	case A_UP:
		if (f != NULL && f->nchain > 0 && tp->sel > 0)
			tp->sel--;
		else
			tp->scroll--;
		break;
	case A_DOWN:
		if (f != NULL && tp->sel + 1 < f->nchain)
			tp->sel++;
		else
			tp->scroll++;
		break;
	case A_DETAIL:
		tp->detail = !tp->detail;
		/* The details follow the selection: bring them into view. */
		build(tp);
		if (tp->detail && tp->sel_row >= 0)
			tp->scroll = tp->sel_row > 0 ? tp->sel_row - 1 : 0;
		break;
	case A_PAGE_UP:
		tp->scroll -= page;
		break;
	case A_PAGE_DOWN:
		tp->scroll += page;
		break;
	case A_HOME:
		tp->scroll = 0;
		break;
	case A_END:
		tp->scroll = 1 << 20;
		break;
	default:
		return false;
	}
	/* Keep the selection in view after moving it. */
	if ((b->action == A_UP || b->action == A_DOWN ||
	    b->action == A_DETAIL) && f != NULL && f->nchain > 0) {
		build(tp);
		if (tp->sel_row >= 0 && tp->sel_row < tp->scroll)
			tp->scroll = tp->sel_row;
		else if (tp->sel_row >= tp->scroll + page)
			tp->scroll = tp->sel_row - page / 2;
	}
	tui_dirty(t, D_TLS);
	return true;
}

static void
tp_reset(struct tui *t)
{
	tp_done(t);
	tp_init(t);
	if (!t->too_small && t->ts_h > 0)
		tp_layout(t);
}

const struct pane_ops tlspanel_pane = {
	.name = "tls",
	.dirty = D_TLS,
	.init = tp_init,
	.reset = tp_reset,
	.done = tp_done,
	.layout = tp_layout,
	.draw = tp_draw,
	.key = tp_key,
	.event = tp_event,
};
