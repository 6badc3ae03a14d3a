/* SPDX-License-Identifier: ISC */
/*
 * Two sessions side by side: each log cut into protocol steps (the
 * connection, the greeting, each command with its replies, STARTTLS, the
 * TLS handshake, the close), the two lists paired, and what differs in a
 * pair said once.  The screen (mailscope replay A B, --lab
 * --side-by-side) and export --compare draw this one model.
 *
 * Steps come from the events' classes alone: a client line with a verb,
 * or with the STARTTLS bit, starts one; so do the greeting, the first
 * handshake message and the close.  Everything else joins the step
 * before it (replies, capability lists, warnings, a continuation's
 * answer, a message body).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

/* How far ahead a step is looked for before it is called missing. */
#define LOOKAHEAD	16

static void
step_add(struct sbs_step **v, size_t *n, size_t *cap, enum sbs_kind kind,
    uint8_t verb, size_t first)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[*n].kind = kind;
	(*v)[*n].verb = verb;
	(*v)[*n].first = first;
	(*v)[*n].end = first;
	(*n)++;
}

/* The step an event starts, or -1 when it joins the current one. */
static int
starts(const struct event *ev, const struct sbs_step *cur, bool cont)
{
	switch (ev->kind) {
	case EV_DATA:
		if (ev->dir == DIR_SERVER)
			return (ev->cls.bits & EVC_GREETING) &&
			    cur->kind != SBS_GREETING ? SBS_GREETING : -1;
		if (ev->dir != DIR_CLIENT || ev_is_chunk(ev) ||
		    (ev->flags & (EVF_BODY | EVF_LITERAL)))
			return -1;
		if (ev->cls.bits & EVC_TLS_CMD)
			return SBS_STARTTLS;
		/* A line without a verb answers a continuation. */
		return ev->cls.verb != 0 || !cont ? SBS_COMMAND : -1;
	case EV_TLS_STEP:
		return cur->kind != SBS_HANDSHAKE ? SBS_HANDSHAKE : -1;
	case EV_CLOSE:
		return cur->kind != SBS_CLOSE ? SBS_CLOSE : -1;
	default:
		return -1;
	}
}

static void
cut(const struct evlog *log, struct sbs_step **v, size_t *n)
{
	const struct event	*ev;
	size_t			 i, cap = 0, count = evlog_count(log);
	bool			 cont = false;
	int			 k;

	*v = NULL;
	*n = 0;
	for (i = 0; i < count; i++) {
		ev = evlog_at(log, i);
		if (*n == 0)
			step_add(v, n, &cap, SBS_START, 0, i);
		k = starts(ev, &(*v)[*n - 1], cont);
		if (k != -1) {
			(*v)[*n - 1].end = i;
			step_add(v, n, &cap, (enum sbs_kind)k,
			    k == SBS_COMMAND || k == SBS_STARTTLS ?
			    ev->cls.verb : 0, i);
		}
		if (ev->kind == EV_DATA && ev->dir == DIR_SERVER)
			cont = (ev->cls.bits & EVC_CONT) != 0;
		(*v)[*n - 1].end = i + 1;
	}
}

/* A row's step, named from the side that has it. */
const char *
sbs_row_name(const struct evlog *const log[2], const struct sbs_row *r)
{
	int	s = r->has[0] ? 0 : 1;

	return sbs_step_name(log[s], &r->side[s]);
}

static bool
same(const struct sbs_step *a, const struct sbs_step *b)
{
	return a->kind == b->kind && (a->kind != SBS_COMMAND ||
	    a->verb == b->verb);
}

const char *
sbs_step_name(const struct evlog *log, const struct sbs_step *s)
{
	const char	*v;

	switch (s->kind) {
	case SBS_START:
		return "connect";
	case SBS_GREETING:
		return "greeting";
	case SBS_HANDSHAKE:
		return "TLS handshake";
	case SBS_CLOSE:
		return "close";
	case SBS_STARTTLS:
	case SBS_COMMAND:
		v = ev_verb(evlog_at(log, s->first));
		return v != NULL ? v : s->kind == SBS_STARTTLS ? "STARTTLS" :
		    "(a line)";
	}
	return "?";
}

/* What one side's step holds that a comparison reads. */
struct facts {
	const struct event	*reply;		/* the final status line */
	size_t			 reply_i;	/* ... its place in the log */
	const struct event	*caps;		/* the last capability list */
	const struct tls_facts	*tls;		/* established */
	const struct tls_facts	*verify;	/* the verdict */
	struct strv		 codes;		/* warning and error codes */
	size_t			 injected;
};

static void
facts(const struct evlog *log, const struct sbs_step *s, struct facts *f)
{
	const struct event	*ev;
	const struct ev_extra	*x;
	size_t			 i;

	memset(f, 0, sizeof *f);
	for (i = s->first; i < s->end; i++) {
		ev = evlog_at(log, i);
		x = ev_extra(ev);
		switch (ev->kind) {
		case EV_DATA:
			if (ev->flags & EVF_INJECTED)
				f->injected++;
			if (ev->dir == DIR_SERVER &&
			    ev->cls.status != RS_NONE &&
			    (f->reply == NULL || (ev->cls.bits & EVC_FINAL) ||
			    !(f->reply->cls.bits & EVC_FINAL))) {
				f->reply = ev;
				f->reply_i = i;
			}
			break;
		case EV_CAPS:
			f->caps = ev;
			break;
		case EV_TLS_ESTABLISHED:
			if (x != NULL && x->tls != NULL)
				f->tls = x->tls;
			break;
		case EV_VERIFY:
			if (x != NULL && x->tls != NULL)
				f->verify = x->tls;
			break;
		case EV_WARNING:
		case EV_ERROR:
			if (x != NULL && x->code != NULL &&
			    !strv_has(&f->codes, x->code))
				strv_add(&f->codes, x->code);
			break;
		default:
			break;
		}
	}
}

static void
note(struct buf *b, const char *fmt, ...) PRINTFLIKE(2, 3);

static void
note(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	if (b->len > 0)
		buf_adds(b, "; ");
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

static void
reply_word(const struct event *ev, char *w, size_t len)
{
	if (ev == NULL)
		snprintf(w, len, "none");
	else if (ev->cls.code != 0)
		snprintf(w, len, "%u", ev->cls.code);
	else
		snprintf(w, len, "%s", ev_status_name(ev->cls.status));
}

static bool
str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

/* "only A: STARTTLS" for what one list has that the other lacks. */
static bool
caps_only(const struct strv *a, const struct strv *b, const char *name,
    struct strv *only, struct buf *n)
{
	struct buf	 w = { 0 };
	size_t		 i;
	bool		 any = false;

	for (i = 0; i < a->n; i++) {
		if (strv_has(b, a->v[i]))
			continue;
		buf_printf(&w, "%s%s", any ? ", " : "", a->v[i]);
		strv_add(only, a->v[i]);
		any = true;
	}
	if (any)
		note(n, "only %s: %s", name, w.p);
	buf_free(&w);
	return any;
}

static const char *
verdict_word(const struct tls_facts *f)
{
	return f == NULL ? "no verdict" : f->verified ? "verified" :
	    "NOT verified";
}

/* Both sides have the step: what differs, in words. */
static void
differ(const struct evlog *const log[2], struct sbs_row *r,
    const char *const name[2])
{
	struct facts		 f[2];
	const struct strv	*c[2];
	struct buf		 n = { 0 };
	char			 w[2][32];
	bool			 more[2];
	int			 s;
	size_t			 i;

	for (s = 0; s < 2; s++)
		facts(log[s], &r->side[s], &f[s]);
	/* The same command in the clear on one side, in TLS on the other. */
	if (r->side[0].kind == SBS_COMMAND && evlog_at(log[0],
	    r->side[0].first)->chan !=
	    evlog_at(log[1], r->side[1].first)->chan) {
		r->diff |= SBS_TLS;
		note(&n, "inside TLS on %s only", name[evlog_at(log[0],
		    r->side[0].first)->chan == CHAN_TLS ? 0 : 1]);
	}
	reply_word(f[0].reply, w[0], sizeof w[0]);
	reply_word(f[1].reply, w[1], sizeof w[1]);
	if (strcmp(w[0], w[1]) != 0) {
		r->diff |= SBS_REPLY;
		r->reply[0] = f[0].reply != NULL ? f[0].reply_i : SIZE_MAX;
		r->reply[1] = f[1].reply != NULL ? f[1].reply_i : SIZE_MAX;
		note(&n, "reply %s vs %s", w[0], w[1]);
	}
	if (f[0].caps != NULL && f[1].caps != NULL) {
		c[0] = &ev_extra(f[0].caps)->caps;
		c[1] = &ev_extra(f[1].caps)->caps;
		if ((f[0].caps->cls.bits & EVC_OFFERS_TLS) !=
		    (f[1].caps->cls.bits & EVC_OFFERS_TLS))
			note(&n, "STARTTLS offered by %s only",
			    name[(f[0].caps->cls.bits & EVC_OFFERS_TLS) ? 0 :
			    1]);
		/* Both sides said, whichever has some. */
		more[0] = caps_only(c[0], c[1], name[0], &r->only[0], &n);
		more[1] = caps_only(c[1], c[0], name[1], &r->only[1], &n);
		if (more[0] || more[1])
			r->diff |= SBS_CAPS;
	} else if ((f[0].caps == NULL) != (f[1].caps == NULL)) {
		r->diff |= SBS_CAPS;
		note(&n, "capabilities listed by %s only",
		    name[f[0].caps != NULL ? 0 : 1]);
	}
	if ((f[0].tls == NULL) != (f[1].tls == NULL)) {
		r->diff |= SBS_TLS;
		note(&n, "TLS established by %s only",
		    name[f[0].tls != NULL ? 0 : 1]);
	} else if (f[0].tls != NULL) {
		if (str_differs(f[0].tls->version, f[1].tls->version)) {
			r->diff |= SBS_TLS;
			note(&n, "%s vs %s", f[0].tls->version != NULL ?
			    f[0].tls->version : "-", f[1].tls->version !=
			    NULL ? f[1].tls->version : "-");
		}
		if (str_differs(f[0].tls->cipher, f[1].tls->cipher)) {
			r->diff |= SBS_TLS;
			note(&n, "cipher %s vs %s", f[0].tls->cipher != NULL ?
			    f[0].tls->cipher : "-", f[1].tls->cipher != NULL ?
			    f[1].tls->cipher : "-");
		}
	}
	if ((f[0].verify != NULL || f[1].verify != NULL) &&
	    strcmp(verdict_word(f[0].verify), verdict_word(f[1].verify)) !=
	    0) {
		r->diff |= SBS_TLS;
		note(&n, "%s vs %s", verdict_word(f[0].verify),
		    verdict_word(f[1].verify));
	}
	for (s = 0; s < 2; s++)
		for (i = 0; i < f[s].codes.n; i++)
			if (!strv_has(&f[!s].codes, f[s].codes.v[i])) {
				r->diff |= SBS_WARN;
				note(&n, "%s warns: %s", name[s],
				    f[s].codes.v[i]);
			}
	if (f[0].injected != f[1].injected) {
		r->diff |= SBS_INJECTED;
		note(&n, "injected lines: %zu vs %zu", f[0].injected,
		    f[1].injected);
	}
	for (s = 0; s < 2; s++)
		strv_clear(&f[s].codes);
	r->note = n.p;
}

static struct sbs_row *
row_add(struct sbs *m)
{
	if (m->nrows == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 32;
		m->rows = xreallocarray(m->rows, m->cap, sizeof *m->rows);
	}
	memset(&m->rows[m->nrows], 0, sizeof m->rows[0]);
	m->rows[m->nrows].reply[0] = m->rows[m->nrows].reply[1] = SIZE_MAX;
	return &m->rows[m->nrows++];
}

static void
only(struct sbs *m, const struct sbs_step *s, int side,
    const char *const name[2])
{
	struct sbs_row	*r = row_add(m);

	r->side[side] = *s;
	r->has[side] = true;
	r->diff = SBS_ONLY;
	xasprintf(&r->note, "%s has no such step", name[!side]);
}

/* How many of b's steps to pass to meet a's, 0 when not near. */
static size_t
ahead(const struct sbs_step *a, const struct sbs_step *b, size_t nb)
{
	size_t	d;

	for (d = 1; d <= LOOKAHEAD && d < nb; d++)
		if (same(a, &b[d]))
			return d;
	return 0;
}

void
sbs_build(struct sbs *m, const struct evlog *const log[2],
    const char *const name[2])
{
	struct sbs_step	*v[2];
	struct sbs_row	*r;
	size_t		 n[2], i = 0, j = 0, da, db;

	sbs_free(m);
	cut(log[0], &v[0], &n[0]);
	cut(log[1], &v[1], &n[1]);
	while (i < n[0] || j < n[1]) {
		if (i < n[0] && j < n[1] && same(&v[0][i], &v[1][j])) {
			r = row_add(m);
			r->side[0] = v[0][i++];
			r->side[1] = v[1][j++];
			r->has[0] = r->has[1] = true;
			differ(log, r, name);
		} else if (i >= n[0])
			only(m, &v[1][j++], 1, name);
		else if (j >= n[1])
			only(m, &v[0][i++], 0, name);
		else {
			/* The nearer meeting point wins; none: a's first. */
			da = ahead(&v[1][j], &v[0][i], n[0] - i);
			db = ahead(&v[0][i], &v[1][j], n[1] - j);
			if (db != 0 && (da == 0 || db < da))
				only(m, &v[1][j++], 1, name);
			else
				only(m, &v[0][i++], 0, name);
		}
		if (m->rows[m->nrows - 1].diff != 0)
			m->ndiff++;
	}
	free(v[0]);
	free(v[1]);
}

void
sbs_free(struct sbs *m)
{
	size_t	i;

	for (i = 0; i < m->nrows; i++) {
		free(m->rows[i].note);
		strv_clear(&m->rows[i].only[0]);
		strv_clear(&m->rows[i].only[1]);
	}
	free(m->rows);
	memset(m, 0, sizeof *m);
}

/*
 * The one line over a column: the channel; in TLS the version, the
 * verdict and the cipher, in that order, as a narrow column cuts it.
 */
void
sbs_tls_line(const struct digest *d, struct buf *b)
{
	const struct tls_facts	*f = d->tls;

	switch (d->phase) {
	case DG_TLS_NONE:
		buf_adds(b, d->closed ? "closed" : "not connected");
		return;
	case DG_TLS_PLAIN:
		buf_adds(b, d->closed ? "plaintext, closed" : "plaintext");
		return;
	case DG_TLS_HANDSHAKE:
		buf_adds(b, "TLS handshake...");
		return;
	case DG_TLS_FAILED:
		buf_adds(b, "TLS failed");
		return;
	case DG_TLS_UP:
		break;
	}
	if (f == NULL) {
		buf_adds(b, "TLS");
		return;
	}
	sanitize(f->version != NULL ? f->version : "TLS", f->version != NULL ?
	    strlen(f->version) : 3, b);
	buf_adds(b, d->verified == 1 ? " verified" : d->verified == 0 ?
	    " NOT verified" : "");
	if (f->cipher != NULL) {
		buf_addc(b, ' ');
		sanitize(f->cipher, strlen(f->cipher), b);
	}
}

/* One step's events of one side as text lines cut to w columns. */
void
sbs_lines(const struct evlog *log, const struct sbs_row *r, int side,
    size_t w, struct strv *out)
{
	struct buf	 b = { 0 };
	const char	*p, *e, *nl;
	size_t		 i, k;
	bool		 open = false;

	if (!r->has[side]) {
		strv_add(out, "(no such step)");
		return;
	}
	for (i = r->side[side].first; i < r->side[side].end; i++)
		render_event(log, evlog_at(log, i), &b, &open);
	if (open)
		buf_addc(&b, '\n');
	for (p = b.p; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		e = nl != NULL ? nl : p + strlen(p);
		do {
			k = u8_prefix(p, (size_t)(e - p), w);
			strv_addn(out, p, k);
			p += k;
		} while (p < e);
		if (nl == NULL)
			break;
	}
	buf_free(&b);
}

/*
 * Prose after a prefix, wrapped at spaces to w columns, the rows after
 * the first indented under it; a word longer than a row is cut.
 */
static void
prose(struct buf *b, const char *prefix, const char *s, size_t w)
{
	size_t	 ind = strlen(prefix), room, n, k;

	room = w > ind + 10 ? w - ind : 10;
	buf_adds(b, prefix);
	while (*s != '\0') {
		n = strlen(s);
		k = u8_prefix(s, n, room);
		if (k < n) {
			/* The last space that fits, else cut the word. */
			while (k > 0 && s[k] != ' ')
				k--;
			if (k == 0)
				k = u8_prefix(s, n, room);
		}
		buf_add(b, s, k);
		buf_addc(b, '\n');
		s += k;
		while (*s == ' ')
			s++;
		if (*s != '\0')
			buf_printf(b, "%*s", (int)ind, "");
	}
}

static void
pad(struct buf *b, const char *s, size_t w)
{
	size_t	n = u8_count(s, strlen(s));

	buf_adds(b, s);
	for (; n < w; n++)
		buf_addc(b, ' ');
}

/*
 * The comparison as text, width columns wide (export --compare): the
 * rows' notes name the sides as the model was built (A and B), the head
 * says which recording each is.
 */
void
render_sidebyside(const struct sbs *m, const struct evlog *const log[2],
    const char *const name[2], int width, struct buf *b)
{
	const struct sbs_row	*r;
	struct strv		 l[2];
	struct digest		 d;
	struct buf		 t = { 0 };
	size_t			 w, i, k, n;
	int			 s;

	w = width > 23 ? (size_t)(width - 3) / 2 : 10;
	for (s = 0; s < 2; s++) {
		digest_init(&d);
		digest_log(&d, log[s]);
		buf_adds(&t, s == 0 ? "A " : "B ");
		sanitize(name[s], strlen(name[s]), &t);
		buf_adds(&t, ": ");
		sbs_tls_line(&d, &t);
		buf_addc(&t, '\n');
		digest_free(&d);
	}
	buf_add(b, t.p, t.len);
	buf_reset(&t);
	buf_printf(b, "%zu steps, %zu differ\n", m->nrows, m->ndiff);
	for (i = 0; i < m->nrows; i++) {
		r = &m->rows[i];
		buf_printf(&t, "%s %s ", r->diff != 0 ? "!=" : "--",
		    sbs_row_name(log, r));
		for (k = u8_count(t.p, t.len); k < (size_t)width; k++)
			buf_addc(&t, '-');
		buf_add(b, t.p, t.len);
		buf_addc(b, '\n');
		buf_reset(&t);
		if (r->note != NULL) {
			sanitize(r->note, strlen(r->note), &t);
			prose(b, "!! ", t.p, (size_t)width);
			buf_reset(&t);
		}
		memset(l, 0, sizeof l);
		for (s = 0; s < 2; s++)
			sbs_lines(log[s], r, s, w, &l[s]);
		n = l[0].n > l[1].n ? l[0].n : l[1].n;
		for (k = 0; k < n; k++) {
			pad(b, k < l[0].n ? l[0].v[k] : "", w);
			buf_adds(b, " | ");
			if (k < l[1].n)
				buf_adds(b, l[1].v[k]);
			while (b->len > 0 && b->p[b->len - 1] == ' ')
				b->len--;
			buf_addc(b, '\n');
		}
		strv_clear(&l[0]);
		strv_clear(&l[1]);
	}
	buf_free(&t);
}
