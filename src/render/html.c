/* SPDX-License-Identifier: ISC */
/*
 * HTML: one self-contained XHTML file with an SVG sequence diagram.
 * Every byte from the network is sanitized, then escaped for XML.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

/* XML text: sanitized first, then the five special characters. */
static void
xml_text(struct buf *out, const char *s, size_t len)
{
	struct buf	tmp = { 0 };
	size_t		i;

	sanitize(s, len, &tmp);
	for (i = 0; i < tmp.len; i++) {
		switch (tmp.p[i]) {
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		case '"':
			buf_adds(out, "&quot;");
			break;
		case '\'':
			buf_adds(out, "&#39;");
			break;
		default:
			buf_addc(out, tmp.p[i]);
		}
	}
	buf_free(&tmp);
}

static void
xml_str(struct buf *out, const char *s)
{
	if (s == NULL)
		buf_addc(out, '-');
	else
		xml_text(out, s, strlen(s));
}

#define SVG_W		900
#define SVG_CLIENT	140
#define SVG_SERVER	560
#define SVG_ROW		26
#define SVG_LABEL	60	/* characters in an arrow label */

/* The lines that end in a chunk: a literal's are cut anywhere. */
static size_t
chunk_lines(const struct event *ev)
{
	const char	*line;
	size_t		 pos = 0, n, lines = 0;
	bool		 eol;

	while (ev_chunk_line(ev, &pos, &line, &n, &eol))
		lines += eol;
	return lines;
}

/*
 * The sequence diagram: one arrow per command, one per server reply
 * (its first line and the count of the rest), the TLS boundary drawn
 * across, notes beside.
 */
static void
html_svg(const struct evlog *log, struct buf *out)
{
	const struct event	*ev;
	struct buf		 body = { 0 };
	size_t			 i, rows = 0, extra = 0;
	int			 y;
	bool			 in_reply = false;
	const struct event	*first = NULL;

	for (i = 0; i < evlog_count(log); i++) {
		ev = evlog_at(log, i);
		y = 60 + (int)rows * SVG_ROW;
		if (ev->kind == EV_DATA && ev->dir == DIR_SERVER) {
			if (ev_is_chunk(ev)) {
				extra += chunk_lines(ev);
				continue;
			}
			if (!in_reply) {
				first = ev;
				extra = 0;
				in_reply = true;
			} else
				extra++;
			if (!(ev->flags & EVF_END) && !(ev->flags &
			    EVF_NOEOL))
				continue;
			in_reply = false;
			buf_printf(&body, "<line class=\"%s\" x1=\"%d\" "
			    "y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			    "marker-end=\"url(#arrow)\"/>\n",
			    first->chan == CHAN_TLS ? "tls" : "plain",
			    SVG_SERVER, y, SVG_CLIENT + 4, y);
			buf_printf(&body, "<text%s x=\"%d\" y=\"%d\" "
			    "text-anchor=\"end\">%s", (first->flags &
			    EVF_INJECTED) ? " class=\"warn\"" : "",
			    SVG_SERVER - 6, y - 5, (first->flags &
			    EVF_INJECTED) ? "!! " : "");
			xml_text(&body, first->data, first->len > SVG_LABEL ?
			    SVG_LABEL : first->len);
			if (extra > 0)
				buf_printf(&body, " (+%zu line%s)", extra,
				    extra == 1 ? "" : "s");
			buf_adds(&body, "</text>\n");
			rows++;
		} else if (ev->kind == EV_DATA && ev->dir == DIR_CLIENT) {
			buf_printf(&body, "<line class=\"%s\" x1=\"%d\" "
			    "y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			    "marker-end=\"url(#arrow)\"/>\n",
			    ev->chan == CHAN_TLS ? "tls" : "plain",
			    SVG_CLIENT, y, SVG_SERVER - 4, y);
			buf_printf(&body, "<text x=\"%d\" y=\"%d\">",
			    SVG_CLIENT + 6, y - 5);
			xml_text(&body, ev->data, ev->len > SVG_LABEL ?
			    SVG_LABEL : ev->len);
			buf_adds(&body, "</text>\n");
			rows++;
		} else if (ev->kind == EV_TLS_ESTABLISHED) {
			buf_printf(&body, "<rect class=\"boundary\" x=\"20\" "
			    "y=\"%d\" width=\"%d\" height=\"%d\"/>\n", y - 16,
			    SVG_W - 40, SVG_ROW - 4);
			buf_printf(&body, "<text class=\"boundary\" "
			    "x=\"%d\" y=\"%d\" text-anchor=\"middle\">TLS "
			    "established: ", SVG_W / 2, y);
			xml_text(&body, ev->data, ev->len);
			buf_adds(&body, "</text>\n");
			rows++;
		} else if (ev->kind == EV_NOTE || ev->kind == EV_MARK ||
		    ev->kind == EV_WARNING || ev->kind == EV_VERDICT) {
			buf_printf(&body, "<text class=\"%s\" x=\"%d\" "
			    "y=\"%d\">", ev->kind == EV_WARNING ||
			    ev_code_is(ev, "vulnerable") ? "warn" : "note",
			    SVG_SERVER + 20, y - 5);
			xml_text(&body, ev->data, ev->len > SVG_LABEL ?
			    SVG_LABEL : ev->len);
			buf_adds(&body, "</text>\n");
			rows++;
		}
	}
	y = 60 + (int)rows * SVG_ROW;
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" aria-label=\"client/server sequence diagram\">\n",
	    SVG_W, y, SVG_W, y);
	buf_adds(out, "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" "
	    "refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
	    "orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 "
	    "z\"/></marker></defs>\n");
	buf_printf(out, "<text class=\"actor\" x=\"%d\" y=\"24\" "
	    "text-anchor=\"middle\">Client</text>\n", SVG_CLIENT);
	buf_printf(out, "<text class=\"actor\" x=\"%d\" y=\"24\" "
	    "text-anchor=\"middle\">Server</text>\n", SVG_SERVER);
	buf_printf(out, "<line class=\"life\" x1=\"%d\" y1=\"32\" x2=\"%d\" "
	    "y2=\"%d\"/>\n", SVG_CLIENT, SVG_CLIENT, y);
	buf_printf(out, "<line class=\"life\" x1=\"%d\" y1=\"32\" x2=\"%d\" "
	    "y2=\"%d\"/>\n", SVG_SERVER, SVG_SERVER, y);
	buf_add(out, body.p, body.len);
	buf_adds(out, "</svg>\n");
	buf_free(&body);
}

static const char html_style[] =
"body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#111}\n"
"pre{background:#f4f4f4;padding:.6em;white-space:pre-wrap;"
"word-break:break-all}\n"
".c{color:#0645ad}.s{color:#222}.tls{color:#116611}\n"
".note{background:#fff7cc;border-left:4px solid #e0b000;padding:.3em .6em}\n"
".warn{color:#a40000;font-weight:bold}\n"
".inj{color:#a40000;background:#fde0e0}\n"
"table{border-collapse:collapse}td,th{border:1px solid #bbb;"
"padding:.2em .5em;text-align:left;vertical-align:top}\n"
"svg line.plain{stroke:#a40000}svg line.tls{stroke:#116611}\n"
"svg line.life{stroke:#888;stroke-dasharray:4 3}\n"
"svg rect.boundary{fill:#e6f4e6;stroke:#116611}\n"
"svg text{font:12px monospace}svg text.actor{font:bold 14px sans-serif}\n"
"svg text.note{fill:#8a6d00}svg text.warn{fill:#a40000}\n"
"@media print{body{max-width:none}pre{white-space:pre-wrap}}\n";

static void
html_row(struct buf *out, const char *name, const char *value)
{
	buf_printf(out, "<tr><th>%s</th><td>", name);
	xml_str(out, value);
	buf_adds(out, "</td></tr>\n");
}

static void
html_tls(const struct tls_facts *f, struct buf *out)
{
	const struct tls_cert	*c;
	struct tls_field	 rows[TLS_FIELDS];
	char			 d[64];
	size_t			 i, j;

	buf_adds(out, "<h2>TLS</h2>\n<table>\n");
	tls_facts_fields(f, rows);
	for (i = 0; i < TLS_FIELDS; i++)
		html_row(out, rows[i].title, rows[i].value);
	buf_adds(out, "</table>\n<h2>Verdict</h2>\n");
	if (f->verify.ok) {
		buf_adds(out, "<p><strong>Verified</strong>");
		if (f->verify.matched != NULL) {
			buf_adds(out, ": the host name matched ");
			xml_str(out, f->verify.matched);
		}
		buf_adds(out, ".</p>\n");
	} else {
		buf_adds(out, "<p class=\"warn\">NOT verified</p>\n<ul>\n");
		for (i = 0; i < f->verify.reasons.n; i++) {
			buf_adds(out, "<li>");
			xml_str(out, f->verify.reasons.v[i]);
			buf_adds(out, "</li>\n");
		}
		buf_adds(out, "</ul>\n");
	}
	if (f->dane.checked) {
		buf_adds(out, f->dane.ok || !f->dane.usable ? "<p><strong>" :
		    "<p class=\"warn\"><strong>");
		xml_str(out, f->dane.verdict);
		buf_adds(out, "</strong></p>\n<table>\n");
		/* A recording's records are anyone's text: escaped. */
		for (i = 0; i < f->dane.nrrs; i++) {
			buf_adds(out, "<tr><th>");
			xml_str(out, f->dane.rrs[i].rr);
			buf_adds(out, "</th><td>");
			xml_str(out, f->dane.rrs[i].result);
			buf_adds(out, "</td></tr>\n");
		}
		buf_adds(out, "</table>\n");
	}
	if (f->sts.checked) {
		buf_adds(out, f->sts.fails ? "<p class=\"warn\"><strong>" :
		    "<p><strong>");
		xml_str(out, f->sts.verdict);
		buf_adds(out, "</strong></p>\n<p>Policy ");
		xml_str(out, f->sts.source);
		for (i = 0; i < f->sts.mx.n; i++) {
			buf_adds(out, i == 0 ? ": mx " : ", ");
			xml_str(out, f->sts.mx.v[i]);
		}
		if (f->sts.mx_total > f->sts.mx.n)
			buf_printf(out, " and %zu more",
			    f->sts.mx_total - f->sts.mx.n);
		buf_adds(out, "</p>\n");
	}
	if (f->sts.tlsrpt != NULL) {
		buf_adds(out, "<p>TLS-RPT: reports to ");
		xml_str(out, f->sts.tlsrpt);
		buf_adds(out, "</p>\n");
	}
	if (f->pin.checked) {
		buf_adds(out, f->pin.ok ? "<p>Pin matched: " :
		    "<p class=\"warn\">Pin NOT matched: the server's is ");
		xml_str(out, f->pin.actual);
		buf_adds(out, "</p>\n");
	}
	buf_adds(out, "<h2>Certificate chain</h2>\n");
	for (i = 0; i < f->nchain; i++) {
		c = &f->chain[i];
		buf_printf(out, "<h3>Certificate %zu</h3>\n<table>\n", i);
		html_row(out, "Subject", c->subject);
		html_row(out, "Issuer", c->issuer);
		buf_adds(out, "<tr><th>SANs</th><td>");
		for (j = 0; j < c->san.n; j++) {
			if (j > 0)
				buf_adds(out, ", ");
			xml_str(out, c->san.v[j]);
		}
		buf_adds(out, "</td></tr>\n");
		format_secs(c->not_before, d, sizeof d);
		html_row(out, "Not before", d);
		format_secs(c->not_after, d, sizeof d);
		html_row(out, "Not after", d);
		html_row(out, "Key", c->key);
		html_row(out, "Serial", c->serial);
		html_row(out, "SHA-256", c->sha256);
		html_row(out, "pin-sha256", c->pin_sha256);
		buf_adds(out, "</table>\n");
	}
}

/*
 * A transcript line in its span; arrow: not the rest of a cut line.
 * Injected bytes are marked "!!" as in the text export.
 */
static void
html_line(struct buf *out, const struct event *ev, const char *p, size_t len,
    bool arrow, bool eol)
{
	struct buf	flags = { 0 };

	buf_printf(out, "<span class=\"%s%s%s\">%s",
	    ev->dir == DIR_CLIENT ? "c" : "s", ev->chan == CHAN_TLS ? " tls" : "",
	    (ev->flags & EVF_INJECTED) ? " inj" : "",
	    !arrow ? "" : (ev->flags & EVF_INJECTED) ? "!! " :
	    ev->dir == DIR_CLIENT ? (ev->chan == CHAN_TLS ?
	    "~&gt; " : "-&gt; ") : (ev->chan == CHAN_TLS ? "&lt;~ " :
	    "&lt;- "));
	xml_text(out, p, len);
	if (eol && !ev_is_chunk(ev)) {
		render_flags(ev, &flags);
		xml_text(out, flags.p, flags.len);
		buf_free(&flags);
	}
	buf_adds(out, eol ? "</span>\n" : "</span>");
}

/* A chunk's lines; *open: its last line goes on in the next chunk. */
static void
html_chunk(struct buf *out, const struct event *ev, bool *open)
{
	const char	*line;
	size_t		 pos = 0, n;
	bool		 eol;

	while (ev_chunk_line(ev, &pos, &line, &n, &eol)) {
		html_line(out, ev, line, n, !*open, eol);
		*open = !eol;
	}
}

void
render_html(const struct evlog *log, const struct recording_info *ri,
    struct buf *out)
{
	const struct event	*ev;
	struct digest		 d;
	char			 start[64];
	size_t			 i;
	bool			 open = false, warn, judged = false;

	format_wall(ri->start, start, sizeof start);
	buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
	    "lang=\"en\">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>Mail "
	    "session: ");
	xml_str(out, ri->target);
	buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
	    "<h1>Mail session: ", html_style);
	xml_str(out, ri->target);
	buf_adds(out, "</h1>\n<p>Recorded ");
	xml_str(out, start);
	buf_adds(out, " with mailscope.</p>\n<h2>Sequence</h2>\n");
	html_svg(log, out);
	buf_adds(out, "<h2>Transcript</h2>\n<pre>");
	for (i = 0; i < evlog_count(log); i++) {
		ev = evlog_at(log, i);
		if (ev_is_trace(ev))
			continue;
		if (ev->kind == EV_NOTE || ev->kind == EV_MARK) {
			buf_adds(out, "</pre>\n<p class=\"note\">");
			xml_text(out, ev->data, ev->len);
			buf_adds(out, "</p>\n<pre>");
			continue;
		}
		if (ev_is_chunk(ev)) {
			html_chunk(out, ev, &open);
			continue;
		}
		if (open)
			buf_addc(out, '\n');
		open = false;
		if (ev->kind == EV_DATA) {
			html_line(out, ev, ev->data, ev->len, true, true);
			continue;
		}
		warn = ev->kind == EV_WARNING || ev->kind == EV_ERROR ||
		    ev_dns_bogus(ev) || ev_code_is(ev, "vulnerable");
		buf_printf(out, "<span class=\"%s\">%s %s", warn ? "warn" :
		    "info", warn ? "**" : "==", ev->kind == EV_VERDICT ?
		    "verdict: " : "");
		judged |= ev->kind == EV_VERDICT;
		xml_text(out, ev->data, ev->len);
		buf_adds(out, "</span>\n");
	}
	buf_adds(out, "</pre>\n");
	if (ri->damage != NULL) {
		buf_adds(out, "<p class=\"warn\">The recording could not be "
		    "read past this point: ");
		xml_str(out, ri->damage);
		buf_adds(out, "; nothing after it is shown.</p>\n");
	}
	digest_log(&d, log);
	if (d.tls != NULL)
		html_tls(d.tls, out);
	/* A judge's verdicts are no session of their own: no TLS to tell. */
	else if (ri->damage == NULL && !judged)
		buf_adds(out, "<h2>TLS</h2>\n<p class=\"warn\">No TLS: "
		    "everything in this session crossed the network in "
		    "plaintext.</p>\n");
	digest_free(&d);
	buf_adds(out, "</body>\n</html>\n");
}
