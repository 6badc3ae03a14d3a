/* SPDX-License-Identifier: ISC */
/*
 * HTML: one self-contained XHTML file with an SVG sequence diagram.
 * Every byte from the network is sanitized, then escaped for XML.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

/* Text already sanitized, for XML: the five special characters. */
static void
xml_esc(struct buf *out, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
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
			buf_addc(out, s[i]);
		}
	}
}

/* XML text: sanitized first, then escaped. */
static void
xml_text(struct buf *out, const char *s, size_t len)
{
	struct buf	tmp = { 0 };

	sanitize(s, len, &tmp);
	xml_esc(out, tmp.p, tmp.len);
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

/*
 * The diagram's geometry.  Its text is 12 px monospace, 0.6 em a
 * character, and every line of it says so (textLength, lengthAdjust):
 * a label is wrapped to the characters its box holds, so no text is
 * wider than its box whatever font the reader has.  Its spaces are kept
 * (xml:space, white-space: pre): a browser that collapsed a run of them
 * would stretch the rest to textLength.
 */
#define SVG_W		900
#define SVG_CLIENT	150
#define SVG_SERVER	750
#define SVG_BOX_X	20		/* full-width boxes */
#define SVG_BOX_W	(SVG_W - 2 * SVG_BOX_X)
#define SVG_PAD		8
#define SVG_CHAR	7.2		/* 12 px monospace */
#define SVG_LINE	15
#define SVG_TOP		50		/* under the actors */
#define SVG_PAGE	1150		/* the most a part is: A4, scaled */
#define SVG_ARROW_CHARS	\
	((size_t)((SVG_SERVER - SVG_CLIENT - 2 * SVG_PAD) / SVG_CHAR))
#define SVG_BOX_CHARS	((size_t)((SVG_BOX_W - 2 * SVG_PAD) / SVG_CHAR))

/*
 * Where to cut sanitized text to a line of at most max characters: at a
 * space when one is in the second half of the line, else anywhere.
 */
static size_t
wrap_cut(const char *s, size_t len, size_t max)
{
	size_t	n = u8_prefix(s, len, max), k;

	if (n < len)
		for (k = n; k > n / 2; k--)
			if (s[k] == ' ')
				return k + 1;
	return n;
}

static int
wrapped_lines(const char *s, size_t len, size_t max)
{
	size_t	cut;
	int	lines = 0;

	do {
		cut = wrap_cut(s, len, max);
		lines++;
		s += cut;
		len -= cut;
	} while (len > 0);
	return lines;
}

/* Sanitized text wrapped, one <text> a line, from baseline y at x. */
static void
svg_lines(struct buf *out, const char *cls, const char *s, size_t len,
    size_t max, int x, int y)
{
	size_t	cut;
	int	lines = 0;

	do {
		cut = wrap_cut(s, len, max);
		buf_printf(out, "<text class=\"%s\" x=\"%d\" y=\"%d\" "
		    "textLength=\"%.1f\" lengthAdjust=\"spacingAndGlyphs\">",
		    cls, x, y + lines * SVG_LINE,
		    (double)u8_count(s, cut) * SVG_CHAR);
		xml_esc(out, s, cut);
		buf_adds(out, "</text>\n");
		lines++;
		s += cut;
		len -= cut;
	} while (len > 0);
}

/* One arrow (row_height() high): its label wrapped above it; the
 * lesson's highlighted. */
static void
svg_arrow(struct buf *out, const struct ladder_row *r, const char *label,
    size_t len, int top, size_t id)
{
	const char	*cls;
	int		 lines, y;
	bool		 right = r->dir == DIR_CLIENT;

	cls = r->kind == LR_INJECTED ? "inj" : (r->bits & LRF_TLS) ? "tls" :
	    "plain";
	lines = wrapped_lines(label, len, SVG_ARROW_CHARS);
	buf_printf(out, "<g class=\"arrow %s%s\">\n", cls,
	    (r->bits & LRF_LESSON) ? " lesson" : "");
	if (r->bits & LRF_LESSON)
		buf_printf(out, "<rect class=\"lesson\" x=\"%d\" y=\"%d\" "
		    "width=\"%d\" height=\"%d\"/>\n", SVG_CLIENT + 4, top,
		    SVG_SERVER - SVG_CLIENT - 8, lines * SVG_LINE + 4);
	svg_lines(out, r->kind == LR_INJECTED ? "inj" : "label", label, len,
	    SVG_ARROW_CHARS, SVG_CLIENT + SVG_PAD, top + 13);
	y = top + lines * SVG_LINE + 8;
	buf_printf(out, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\" marker-end=\"url(#%s-%zu)\"/>\n</g>\n", cls,
	    right ? SVG_CLIENT : SVG_SERVER, y,
	    right ? SVG_SERVER - 2 : SVG_CLIENT + 2, y,
	    r->kind == LR_INJECTED ? "arrow-inj" : "arrow", id);
}

/* A box across both lifelines: the handshake, the boundary, a note, a
 * warning, the end. */
static void
svg_box(struct buf *out, const char *cls, const char *label, size_t len,
    int top)
{
	int	lines = wrapped_lines(label, len, SVG_BOX_CHARS);

	buf_printf(out, "<g class=\"%s\">\n<rect class=\"%s\" x=\"%d\" "
	    "y=\"%d\" width=\"%d\" height=\"%d\"/>\n", cls, cls, SVG_BOX_X,
	    top, SVG_BOX_W, lines * SVG_LINE + 8);
	svg_lines(out, cls, label, len, SVG_BOX_CHARS, SVG_BOX_X + SVG_PAD,
	    top + 15);
	buf_adds(out, "</g>\n");
}

static void
svg_actor(struct buf *out, const char *name, int x)
{
	size_t	n = strlen(name);

	buf_printf(out, "<g class=\"actor\">\n<rect class=\"actor\" x=\"%d\" "
	    "y=\"8\" width=\"100\" height=\"26\"/>\n", x - 50);
	svg_lines(out, "actor", name, n, n, x - (int)((double)n * SVG_CHAR /
	    2), 26);
	buf_adds(out, "</g>\n");
}

/* The height a row takes: its label wrapped to its box. */
static int
row_height(const struct ladder_row *r, const struct buf *label)
{
	bool	arrow = r->kind == LR_CLIENT || r->kind == LR_SERVER ||
	    r->kind == LR_INJECTED;

	return wrapped_lines(label->p, label->len, arrow ? SVG_ARROW_CHARS :
	    SVG_BOX_CHARS) * SVG_LINE + 16;
}

/* One drawing: the columns, their names, the rows drawn in body. */
static void
svg_flush(struct buf *out, struct buf *body, int y, size_t conn,
    size_t part, size_t id)
{
	y += 10;
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "xml:space=\"preserve\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" aria-label=\"client/server sequence diagram, "
	    "connection %zu, part %zu\">\n", SVG_W, y, SVG_W, y, conn + 1,
	    part);
	/* Marker ids are the document's: one pair per drawing. */
	buf_printf(out, "<defs><marker id=\"arrow-%zu\" viewBox=\"0 0 10 "
	    "10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
	    "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 "
	    "0 L 10 5 L 0 10 z\"/></marker><marker id=\"arrow-inj-%zu\" "
	    "viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" "
	    "markerHeight=\"6\" orient=\"auto-start-reverse\"><path "
	    "class=\"inj\" d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>\n",
	    id, id);
	buf_printf(out, "<line class=\"life\" x1=\"%d\" y1=\"34\" x2=\"%d\" "
	    "y2=\"%d\"/>\n", SVG_CLIENT, SVG_CLIENT, y);
	buf_printf(out, "<line class=\"life\" x1=\"%d\" y1=\"34\" x2=\"%d\" "
	    "y2=\"%d\"/>\n", SVG_SERVER, SVG_SERVER, y);
	svg_actor(out, "Client", SVG_CLIENT);
	svg_actor(out, "Server", SVG_SERVER);
	buf_add(out, body->p, body->len);
	buf_adds(out, "</svg>\n");
	buf_reset(body);
}

/*
 * The sequence diagram of one connection, drawn from the ladder model:
 * one arrow per line, injected bytes their own red arrow, the TLS
 * boundary, notes and warnings across, wrapped, never cut.  A long one
 * is drawn in parts no taller than a printed page (a browser does not
 * split a drawing across pages: it would clip it); *id numbers them.
 */
static void
html_svg(const struct evlog *log, const struct ladder *l, size_t conn,
    size_t *id, struct buf *out)
{
	const struct ladder_row	*r;
	struct buf		 body = { 0 }, label = { 0 };
	size_t			 i, part = 1;
	int			 y = SVG_TOP, h;

	++*id;
	for (i = 0; i < l->n; i++) {
		r = &l->rows[i];
		if (r->conn != conn)
			continue;
		buf_reset(&label);
		if (r->kind == LR_INJECTED)
			buf_adds(&label, "!! ");
		ladder_label(log, r, &label);
		h = row_height(r, &label);
		if (y > SVG_TOP && y + h > SVG_PAGE) {
			svg_flush(out, &body, y, conn, part++, *id);
			++*id;
			y = SVG_TOP;
		}
		switch (r->kind) {
		case LR_CLIENT:
		case LR_SERVER:
		case LR_INJECTED:
			svg_arrow(&body, r, label.p, label.len, y, *id);
			break;
		case LR_HANDSHAKE:
			svg_box(&body, "handshake", label.p, label.len, y);
			break;
		case LR_TLS:
			svg_box(&body, "boundary", label.p, label.len, y);
			break;
		case LR_NOTE:
			svg_box(&body, (r->bits & LRF_LESSON) ?
			    "note lesson" : "note", label.p, label.len, y);
			break;
		case LR_WARNING:
			svg_box(&body, "warn", label.p, label.len, y);
			break;
		default:
			svg_box(&body, "break", label.p, label.len, y);
			break;
		}
		y += h;
	}
	svg_flush(out, &body, y, conn, part, *id);
	buf_free(&body);
	buf_free(&label);
}

/* The legend: a sample of each mark, and what it means. */
static void
html_legend(struct buf *out)
{
	const struct ladder_key	*k;
	size_t			 i, n = ladder_legend(&k);

	buf_adds(out, "<h2>Legend</h2>\n<table class=\"legend\">\n");
	for (i = 0; i < n; i++) {
		buf_printf(out, "<tr><td><svg xmlns=\"http://www.w3.org/2000/"
		    "svg\" width=\"60\" height=\"16\" viewBox=\"0 0 60 16\">"
		    "<g class=\"%s\">", k[i].name);
		if (k[i].arrow)
			buf_printf(out, "<line class=\"%s\" x1=\"2\" y1=\"8\" "
			    "x2=\"58\" y2=\"8\"/>", k[i].css);
		else
			buf_printf(out, "<rect class=\"%s\" x=\"2\" y=\"2\" "
			    "width=\"56\" height=\"12\"/>", k[i].css);
		buf_printf(out, "</g></svg></td><th>%s</th><td>%s</td></tr>\n",
		    k[i].name, k[i].desc);
	}
	buf_adds(out, "</table>\n");
}

static const char html_style[] =
"body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#111}\n"
"pre{background:#f4f4f4;padding:.6em;white-space:pre-wrap;"
"word-break:break-all}\n"
".c{color:#0645ad}.s{color:#222}.tls{color:#116611}\n"
".note{background:#fff7cc;border-left:4px solid #e0b000;padding:.3em .6em}\n"
".warn{color:#a40000;font-weight:bold}\n"
".inj{color:#c00000;background:#fde0e0}\n"
".gloss{color:#555;font-style:italic}\n"
"table{border-collapse:collapse}td,th{border:1px solid #bbb;"
"padding:.2em .5em;text-align:left;vertical-align:top}\n"
"svg{max-width:100%;height:auto}\n"
"svg line.plain{stroke:#b35c00}svg line.tls{stroke:#116611}\n"
"svg line.inj{stroke:#d00000;stroke-width:3;stroke-dasharray:6 3}\n"
"svg path.inj{fill:#d00000}\n"
"svg line.life{stroke:#888;stroke-dasharray:4 3}\n"
"svg rect.actor{fill:#eef;stroke:#447}\n"
"svg rect.boundary{fill:#e6f4e6;stroke:#116611}\n"
"svg rect.handshake{fill:#eef3fb;stroke:#5577aa;stroke-dasharray:3 2}\n"
"svg rect.lesson{fill:#fff3a8}\n"
"svg rect.note{fill:#fff7cc;stroke:#e0b000}\n"
"svg rect.warn{fill:#fde0e0;stroke:#a40000}\n"
"svg rect.break{fill:#f4f4f4;stroke:#888;stroke-dasharray:6 4}\n"
"svg text{font-family:monospace;font-size:12px;white-space:pre}\n"
"svg text.actor{font-weight:bold}\n"
"svg text.note{fill:#5c4800}svg text.warn{fill:#a40000}\n"
"svg text.inj{fill:#c00000;font-weight:bold}\n"
"svg text.boundary{fill:#0b4d0b;font-weight:bold}\n"
"svg text.handshake{fill:#2b3f66}\n"
"section.connection{border-top:3px double #888;margin-top:2em}\n"
"@page{size:A4;margin:15mm}\n"
"@media print{body{max-width:none;margin:0;font-size:10pt}"
"pre{white-space:pre-wrap;background:none;border:1px solid #ccc}"
"section.connection+section.connection{break-before:page}"
"svg{width:100%}h2,h3{break-after:avoid}tr{break-inside:avoid}}\n";

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

/* --explain: the glosses of a line, one a line under it. */
static void
html_explain(struct buf *out, const struct event *ev,
    const struct render_opts *ro)
{
	render_glosses(ev, ro, "<span class=\"gloss\">   &gt; ", "</span>\n",
	    xml_text, out);
}

/* The transcript of events first..last; true when it held a verdict. */
static bool
html_transcript(const struct evlog *log, size_t first, size_t last,
    const struct render_opts *ro, struct buf *out)
{
	const struct event	*ev;
	size_t			 i;
	bool			 open = false, warn, judged = false;

	buf_adds(out, "<h3>Transcript</h3>\n<pre>");
	for (i = first; i <= last && i < evlog_count(log); i++) {
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
			html_explain(out, ev, ro);
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
		html_explain(out, ev, ro);
	}
	if (open)
		buf_addc(out, '\n');
	buf_adds(out, "</pre>\n");
	return judged;
}

/* mailscope judge's recording: verdicts, and no line of a session. */
static bool
verdicts_only(const struct evlog *log)
{
	size_t	i;
	bool	any = false;

	for (i = 0; i < evlog_count(log); i++) {
		if (evlog_at(log, i)->kind == EV_DATA)
			return false;
		any |= evlog_at(log, i)->kind == EV_VERDICT;
	}
	return any;
}

/*
 * The judge's report: each cell's verdict in a table, its evidence under
 * it; what came before the first verdict (the clients' commands) above.
 */
static void
html_verdicts(const struct evlog *log, const struct recording_info *ri,
    const char *start, struct buf *out)
{
	const struct event	*ev;
	size_t			 i;
	bool			 row = false;

	buf_adds(out, "<h1>Client verdicts: ");
	xml_str(out, ri->target);
	buf_adds(out, "</h1>\n<p>Recorded ");
	xml_str(out, start);
	buf_adds(out, " with mailscope. Each row is a client against one "
	    "scenario over one protocol: <strong>safe</strong>, "
	    "<strong class=\"warn\">vulnerable</strong>, or not exercised "
	    "(it never reached the step the scenario attacks); the lines "
	    "under it are the evidence, each marked plaintext or TLS.</p>\n"
	    "<pre>");
	for (i = 0; i < evlog_count(log) && evlog_at(log, i)->kind !=
	    EV_VERDICT; i++) {
		ev = evlog_at(log, i);
		xml_text(out, ev->data, ev->len);
		buf_addc(out, '\n');
	}
	buf_adds(out, "</pre>\n<table class=\"verdicts\">\n<tr><th>verdict"
	    "</th><th>client, scenario, protocol (attack): reason (exit)"
	    "</th></tr>\n");
	for (; i < evlog_count(log); i++) {
		ev = evlog_at(log, i);
		if (ev->kind == EV_VERDICT) {
			if (row)
				buf_adds(out, "</pre></td></tr>\n");
			buf_printf(out, "<tr><td class=\"%s\">", ev_code_is(ev,
			    "vulnerable") ? "warn" : "info");
			if (ev_extra(ev) != NULL && ev_extra(ev)->code != NULL)
				xml_str(out, ev_extra(ev)->code);
			buf_adds(out, "</td><td>");
			xml_text(out, ev->data, ev->len);
			buf_adds(out, "<pre>");
			row = true;
			continue;
		}
		if (!row || ev_is_trace(ev))
			continue;
		xml_text(out, ev->data, ev->len);
		buf_addc(out, '\n');
	}
	if (row)
		buf_adds(out, "</pre></td></tr>\n");
	buf_adds(out, "</table>\n");
}

void
render_html(const struct evlog *log, const struct recording_info *ri,
    const struct render_opts *ro, struct buf *out)
{
	struct ladder	 l;
	struct digest	 d;
	char		 start[64];
	size_t		 c, n, first = 0, last, id = 0;
	bool		 judged = false;

	format_wall(ri->start, start, sizeof start);
	if (verdicts_only(log)) {
		buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/"
		    "xhtml\" lang=\"en\">\n<head>\n<meta charset=\"UTF-8\"/>"
		    "\n<title>Client verdicts: ");
		xml_str(out, ri->target);
		buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n"
		    "<body>\n", html_style);
		html_verdicts(log, ri, start, out);
		buf_adds(out, "</body>\n</html>\n");
		return;
	}
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
	buf_adds(out, " with mailscope. Each connection below has its "
	    "sequence diagram, one arrow per line, then its transcript: "
	    "<code>-&gt;</code> the client, <code>&lt;-</code> the server, "
	    "<code>~</code> inside TLS, <code>!!</code> injected.</p>\n");
	html_legend(out);
	ladder_init(&l);
	ladder_log(&l, log);
	n = ladder_conns(&l, log);
	for (c = 0; c < n; c++) {
		last = ladder_conn_end(&l, log, c);
		if (c + 1 == n && evlog_count(log) > 0)
			last = evlog_count(log) - 1;
		buf_printf(out, "<section class=\"connection\">\n"
		    "<h2>Connection %zu of %zu</h2>\n", c + 1, n);
		html_svg(log, &l, c, &id, out);
		judged |= html_transcript(log, first, last, ro, out);
		buf_adds(out, "</section>\n");
		first = last + 1;
	}
	ladder_free(&l);
	if (ri->damage != NULL) {
		buf_adds(out, "<p class=\"warn\">The recording could not be "
		    "read past this point: ");
		xml_str(out, ri->damage);
		buf_adds(out, "; nothing after it is shown.</p>\n");
	}
	digest_log(&d, log);
	buf_adds(out, "<section class=\"facts\">\n");
	if (d.tls != NULL)
		html_tls(d.tls, out);
	/* A judge's verdicts are no session of their own: no TLS to tell. */
	else if (ri->damage == NULL && !judged)
		buf_adds(out, "<h2>TLS</h2>\n<p class=\"warn\">No TLS: "
		    "everything in this session crossed the network in "
		    "plaintext.</p>\n");
	buf_adds(out, "</section>\n");
	digest_free(&d);
	buf_adds(out, "</body>\n</html>\n");
}
