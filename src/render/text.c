/* SPDX-License-Identifier: ISC */
/*
 * The text view of a log: swaks-style arrows, one line per event, the
 * anomalies in brackets, and the TLS facts in the same words as the
 * screen.  Batch prints it as events come; export txt from a recording.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

void
render_glosses(const struct event *ev, const struct render_opts *ro,
    const char *lead, const char *tail, render_esc esc, struct buf *out)
{
	struct buf	 b = { 0 };
	const char	*p, *nl, *end;

	if (ro == NULL || !ro->explain || explain_event(ev, ro->proto,
	    &b) == 0) {
		buf_free(&b);
		return;
	}
	end = b.p + b.len;
	for (p = b.p; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		buf_adds(out, lead);
		esc(out, p, (size_t)(nl - p));
		buf_adds(out, tail);
	}
	buf_free(&b);
}

/* "  [flag,flag]": the anomalies of a line, as the screen shows them. */
void
render_flags(const struct event *ev, struct buf *b)
{
	uint32_t	 bit;
	bool		 first = true;

	if ((ev->flags & EVF_SHOWN) == 0)
		return;
	buf_adds(b, "  [");
	for (bit = 1; bit != 0; bit <<= 1) {
		if ((ev->flags & EVF_SHOWN & bit) == 0)
			continue;
		buf_printf(b, "%s%s", first ? "" : ",", ev_flag_name(bit));
		/* Which command of the group a reply answers. */
		if (bit == EVF_PIPELINED && ev->dir == DIR_SERVER &&
		    ev_verb(ev) != NULL)
			buf_printf(b, ": answers %s", ev_verb(ev));
		first = false;
	}
	buf_addc(b, ']');
}

/* Each vocabulary's marks, by what a line is. */
static const struct marks {
	const char	*client, *client_tls, *server, *server_tls;
	const char	*injected, *info, *warn, *note;
} marks[] = {
	[RM_TEXT] = { "-> ", "~> ", "<- ", "<~ ", "!! ", "== ", "** ", "# " },
	[RM_SCREEN] = { "C: ", "C~ ", "S: ", "S~ ", "!! ", "-- ", "!! ",
	    "## " },
};

/* The mark before a line that crossed the wire. */
const char *
render_mark(const struct event *ev, enum render_marks rm)
{
	const struct marks	*m = &marks[rm];

	if (ev->flags & EVF_INJECTED)
		return m->injected;
	if (ev->dir == DIR_CLIENT)
		return ev->chan == CHAN_TLS ? m->client_tls : m->client;
	return ev->chan == CHAN_TLS ? m->server_tls : m->server;
}

/*
 * Chunks hold message lines with their ends: print them as lines, each
 * after prefix.  *open: the last line printed goes on in the next chunk.
 */
void
render_chunk(const struct event *ev, const char *prefix, struct buf *b,
    bool *open)
{
	const char	*line;
	size_t		 pos = 0, n;
	bool		 eol;

	while (ev_chunk_line(ev, &pos, &line, &n, &eol)) {
		if (!*open)
			buf_adds(b, prefix);
		sanitize(line, n, b);
		if (eol)
			buf_addc(b, '\n');
		*open = !eol;
	}
}

void
render_event(const struct evlog *log, const struct event *ev,
    struct buf *b, bool *literal_open)
{
	render_event_marked(log, ev, b, literal_open, RM_TEXT);
}

void
render_event_marked(const struct evlog *log, const struct event *ev,
    struct buf *b, bool *literal_open, enum render_marks rm)
{
	const struct marks	*m = &marks[rm];

	(void)log;
	if (ev_is_trace(ev))
		return;
	if (*literal_open && !ev_is_chunk(ev)) {
		buf_addc(b, '\n');
		*literal_open = false;
	}
	switch (ev->kind) {
	case EV_DATA:
		if (ev_is_chunk(ev)) {
			render_chunk(ev, render_mark(ev, rm), b,
			    literal_open);
			return;
		}
		buf_adds(b, render_mark(ev, rm));
		sanitize(ev->data, ev->len, b);
		render_flags(ev, b);
		break;
	case EV_TLS_STEP:
		buf_printf(b, "%sTLS ", m->info);
		sanitize(ev->data, ev->len, b);
		buf_printf(b, " (+%.1f ms)", (double)ev->t_ns / 1e6);
		break;
	case EV_TLS_ESTABLISHED:
		buf_printf(b, "%sTLS established: ", m->info);
		sanitize(ev->data, ev->len, b);
		break;
	case EV_VERIFY:
		buf_adds(b, ev_extra(ev) != NULL && ev_extra(ev)->tls != NULL &&
		    ev_extra(ev)->tls->verified ? m->info : m->warn);
		sanitize(ev->data, ev->len, b);
		break;
	case EV_CAPDIFF:
		buf_printf(b, "%scapabilities after TLS: ", m->info);
		sanitize(ev->data, ev->len, b);
		break;
	case EV_WARNING:
		buf_adds(b, m->warn);
		sanitize(ev->data, ev->len, b);
		break;
	case EV_DNS:
		buf_adds(b, ev_dns_bogus(ev) ? m->warn : m->info);
		sanitize(ev->data, ev->len, b);
		break;
	case EV_ERROR:
		buf_printf(b, "%serror: ", m->warn);
		sanitize(ev->data, ev->len, b);
		break;
	case EV_NOTE:
		buf_adds(b, m->note);
		sanitize(ev->data, ev->len, b);
		break;
	case EV_MARK:
		buf_printf(b, "%smark: ", m->note);
		sanitize(ev->data, ev->len, b);
		break;
	case EV_VERDICT:
		buf_printf(b, "%sverdict: ", ev_code_is(ev, "vulnerable") ?
		    m->warn : m->info);
		sanitize(ev->data, ev->len, b);
		break;
	default:
		buf_adds(b, m->info);
		sanitize(ev->data, ev->len, b);
		break;
	}
	buf_addc(b, '\n');
}

static void
print_date(struct buf *b, int64_t secs)
{
	char	tmp[64];

	format_secs(secs, tmp, sizeof tmp);
	tmp[10] = '\0';
	buf_adds(b, tmp);
}

/* A recording's field may hold anything: through the sanitizer. */
static void
print_value(struct buf *b, const char *value)
{
	if (value != NULL)
		sanitize(value, strlen(value), b);
	else
		buf_addc(b, '-');
}

static void
print_field(struct buf *b, const char *label, const char *value)
{
	buf_printf(b, "   %-10s ", label);
	print_value(b, value);
	buf_addc(b, '\n');
}

/* Validity is told as of now: the clock, or a recording's own end. */
void
render_tls(const struct tls_facts *f, int64_t now, struct buf *b)
{
	const struct tls_cert	*c;
	struct tls_field	 fields[TLS_FIELDS];
	size_t			 i, j;
	char			 label[32];

	if (f == NULL) {
		buf_adds(b, "== no TLS: everything above crossed the network "
		    "in plaintext\n");
		return;
	}
	buf_adds(b, "== TLS summary\n");
	tls_facts_fields(f, fields);
	for (i = 0; i < TLS_FIELDS; i++)
		print_field(b, fields[i].label, fields[i].value);
	buf_printf(b, "   %-10s %s", "verdict", f->verify.ok ?
	    "verified" : "NOT verified");
	if (f->verify.hostname != NULL) {
		buf_adds(b, " for ");
		sanitize(f->verify.hostname, strlen(f->verify.hostname), b);
	}
	if (f->verify.matched != NULL) {
		buf_adds(b, ", matched ");
		sanitize(f->verify.matched, strlen(f->verify.matched), b);
	}
	buf_addc(b, '\n');
	for (i = 0; i < f->verify.reasons.n; i++)
		print_field(b, "reason", f->verify.reasons.v[i]);
	if (f->dane.checked) {
		print_field(b, "DANE", f->dane.verdict);
		buf_printf(b, "   %-10s ", "");
		print_value(b, f->dane.rules);
		buf_adds(b, ", records ");
		print_value(b, f->dane.source);
		buf_adds(b, " (DNSSEC: ");
		print_value(b, f->dane.dnssec);
		buf_adds(b, ")\n");
		for (i = 0; i < f->dane.nrrs; i++) {
			print_field(b, "TLSA", f->dane.rrs[i].rr);
			buf_printf(b, "   %-10s ", "");
			print_value(b, f->dane.rrs[i].result);
			buf_addc(b, '\n');
		}
	}
	if (f->sts.checked) {
		print_field(b, "MTA-STS", f->sts.verdict);
		buf_printf(b, "   %-10s policy ", "");
		print_value(b, f->sts.source);
		if (f->sts.id != NULL) {
			buf_adds(b, ", id ");
			print_value(b, f->sts.id);
		}
		if (f->sts.mode != NULL)
			buf_printf(b, ", max_age %lld",
			    (long long)f->sts.max_age);
		buf_addc(b, '\n');
		for (i = 0; i < f->sts.mx.n; i++)
			print_field(b, "mx", f->sts.mx.v[i]);
		if (f->sts.mx_total > f->sts.mx.n)
			buf_printf(b, "   %-10s and %zu more\n", "",
			    f->sts.mx_total - f->sts.mx.n);
	}
	if (f->sts.tlsrpt != NULL)
		print_field(b, "TLS-RPT", f->sts.tlsrpt);
	if (f->pin.checked) {
		buf_printf(b, "   %-10s %s ", "pin", f->pin.ok ? "matched" :
		    "NOT matched: the server's is");
		print_value(b, f->pin.actual);
		buf_addc(b, '\n');
	}
	for (i = 0; i < f->nchain; i++) {
		c = &f->chain[i];
		snprintf(label, sizeof label, "chain[%zu]", i);
		buf_printf(b, "   %-10s subject ", label);
		sanitize(c->subject, strlen(c->subject), b);
		buf_printf(b, "\n   %-10s issuer  ", "");
		sanitize(c->issuer, strlen(c->issuer), b);
		buf_printf(b, "\n   %-10s SAN     ", "");
		for (j = 0; j < c->san.n; j++) {
			if (j > 0)
				buf_adds(b, ", ");
			sanitize(c->san.v[j], strlen(c->san.v[j]), b);
		}
		if (c->san.n == 0)
			buf_addc(b, '-');
		buf_printf(b, "\n   %-10s valid   ", "");
		print_date(b, c->not_before);
		buf_adds(b, " .. ");
		print_date(b, c->not_after);
		if (c->not_after < now)
			buf_printf(b, " (expired %lld days ago)",
			    (long long)(now - c->not_after) / 86400);
		else
			buf_printf(b, " (%lld days left)",
			    (long long)(c->not_after - now) / 86400);
		buf_printf(b, "\n   %-10s key     ", "");
		print_value(b, c->key);
		buf_printf(b, "%s\n   %-10s serial  ", c->is_ca ? " (CA)" : "",
		    "");
		print_value(b, c->serial);
		buf_printf(b, "\n   %-10s sha256  ", "");
		print_value(b, c->sha256);
		buf_printf(b, "\n   %-10s pin     pin-sha256:", "");
		print_value(b, c->pin_sha256);
		buf_addc(b, '\n');
	}
}


/* Two connections' TLS facts, what changed marked. */
void
render_compare(const struct tls_facts *a, const struct tls_facts *b,
    struct buf *out)
{
	struct strv	rows = { 0 };
	size_t		i;

	if (a == NULL || b == NULL) {
		buf_printf(out, "== TLS compared: nothing to compare, the %s "
		    "connection had no TLS\n", a == NULL ? "first" : "second");
		return;
	}
	buf_adds(out, "== TLS compared: first connection -> second\n");
	tls_facts_compare(a, b, &rows);
	for (i = 0; i + 2 < rows.n; i += 3) {
		buf_printf(out, "   %-10s ", rows.v[i]);
		print_value(out, rows.v[i + 1]);
		if (strcmp(rows.v[i + 1], rows.v[i + 2]) == 0)
			buf_adds(out, " (same)\n");
		else {
			buf_adds(out, " -> ");
			print_value(out, rows.v[i + 2]);
			buf_adds(out, "  [changed]\n");
		}
	}
	strv_clear(&rows);
}

/* "Now" for a recording: its end, or its last event. */
int64_t
render_now(const struct evlog *log, const struct recording_info *ri)
{
	size_t	n = evlog_count(log);

	if (ri->ended)
		return ri->end / 1000000000;
	if (n == 0)
		return ri->start / 1000000000;
	return evlog_wall(log, evlog_at(log, n - 1)) / 1000000000;
}

void
render_txt(const struct evlog *log, const struct recording_info *ri,
    struct buf *out)
{
	struct digest	d;
	char		start[64];
	bool		open = false, judged = false;
	size_t		i;

	format_wall(ri->start, start, sizeof start);
	buf_adds(out, "# mailscope recording of ");
	sanitize(ri->target, strlen(ri->target), out);
	buf_printf(out, ", started %s%s\n", start, ri->redacted ? "" :
	    " (credentials NOT redacted)");
	for (i = 0; i < evlog_count(log); i++) {
		render_event(log, evlog_at(log, i), out, &open);
		judged |= evlog_at(log, i)->kind == EV_VERDICT;
	}
	if (open)
		buf_addc(out, '\n');
	if (ri->damage != NULL) {
		buf_adds(out, "!! the recording could not be read past this "
		    "point: ");
		sanitize(ri->damage, strlen(ri->damage), out);
		buf_adds(out, "; nothing after it is shown\n");
	}
	/*
	 * Cut short, no TLS seen is not no TLS at all: say nothing.  A
	 * judge's verdicts are no session of their own: nothing either.
	 */
	digest_log(&d, log);
	if ((ri->damage == NULL && !judged) || d.tls != NULL)
		render_tls(d.tls, render_now(log, ri), out);
	digest_free(&d);
}
