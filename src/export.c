/*
 * mailscope export: a recording rendered for people who were not there.
 *   txt   the batch transcript (swaks-style arrows), notes as # lines;
 *   md    a teaching handout: C:/S: blocks, notes as quotes, TLS tables;
 *   html  one self-contained XHTML file with an SVG sequence diagram.
 * Every byte from the network goes through the sanitizer first, so no
 * export carries a raw control byte; secrets were redacted before they
 * were ever recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailscope.h"

/* The last TLS facts in the log, if any. */
static const struct tls_facts *
last_facts(const struct evlog *log)
{
	const struct event	*ev;
	const struct tls_facts	*f = NULL;
	size_t			 i;

	for (i = 0; i < evlog_count(log); i++) {
		ev = evlog_get(log, i);
		if ((ev->kind == EV_VERIFY || ev->kind == EV_TLS_ESTABLISHED) &&
		    ev_extra(ev) != NULL && ev_extra(ev)->tls != NULL)
			f = ev_extra(ev)->tls;
	}
	return f;
}

/* "Now" for a recording: its end, or its last event. */
static int64_t
recording_now(const struct evlog *log, const struct recording_info *ri)
{
	size_t	n = evlog_count(log);

	if (ri->ended)
		return ri->end / 1000000000;
	if (n == 0)
		return ri->start / 1000000000;
	return evlog_wall(log, evlog_get(log, n - 1)) / 1000000000;
}

static void
export_txt(const struct evlog *log, const struct recording_info *ri,
    struct buf *out)
{
	char	start[64];
	bool	open = false;
	size_t	i;

	format_wall(ri->start, start, sizeof start);
	buf_adds(out, "# mailscope recording of ");
	sanitize(ri->target, strlen(ri->target), out);
	buf_printf(out, ", started %s%s\n", start, ri->redacted ? "" :
	    " (credentials NOT redacted)");
	for (i = 0; i < evlog_count(log); i++)
		batch_print_event(log, evlog_get(log, i), out, &open);
	if (open)
		buf_addc(out, '\n');
	if (ri->damage != NULL) {
		buf_adds(out, "!! the recording could not be read past this "
		    "point: ");
		sanitize(ri->damage, strlen(ri->damage), out);
		buf_adds(out, "; nothing after it is shown\n");
	}
	/* Cut short, no TLS seen is not no TLS at all: say nothing. */
	if (ri->damage == NULL || last_facts(log) != NULL)
		batch_print_tls(last_facts(log), recording_now(log, ri), out);
}

/* Markdown: a fence longer than any backtick run inside the block. */
static size_t
longest_backticks(const char *s, size_t len)
{
	size_t	i, run = 0, best = 0;

	for (i = 0; i < len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void
md_cell(struct buf *out, const char *s)
{
	struct buf	tmp = { 0 };
	size_t		i;

	if (s == NULL || *s == '\0') {
		buf_addc(out, '-');
		return;
	}
	sanitize(s, strlen(s), &tmp);
	for (i = 0; i < tmp.len; i++) {
		if (tmp.p[i] == '|' || tmp.p[i] == '\\' || tmp.p[i] == '`' ||
		    tmp.p[i] == '*' || tmp.p[i] == '_' || tmp.p[i] == '<')
			buf_addc(out, '\\');
		buf_addc(out, tmp.p[i]);
	}
	buf_free(&tmp);
}

static void
md_flush_block(struct buf *out, struct buf *block)
{
	size_t	fence, i;

	if (block->len == 0)
		return;
	fence = longest_backticks(block->p, block->len) + 1;
	if (fence < 3)
		fence = 3;
	for (i = 0; i < fence; i++)
		buf_addc(out, '`');
	buf_adds(out, "text\n");
	buf_add(out, block->p, block->len);
	for (i = 0; i < fence; i++)
		buf_addc(out, '`');
	buf_adds(out, "\n\n");
	buf_reset(block);
}

static void
md_tls(const struct tls_facts *f, struct buf *out)
{
	const struct tls_cert	*c;
	struct tls_field	 rows[TLS_FIELDS];
	char			 nb[64], na[64];
	size_t			 i, j;

	buf_adds(out, "## TLS\n\n| Field | Value |\n|---|---|\n");
	tls_facts_fields(f, rows);
	for (i = 0; i < TLS_FIELDS; i++) {
		buf_printf(out, "| %s | ", rows[i].title);
		md_cell(out, rows[i].value);
		buf_adds(out, " |\n");
	}
	buf_adds(out, "\n## Certificate chain\n\n| # | Subject | Issuer | "
	    "SANs | Valid | SHA-256 |\n|---|---|---|---|---|---|\n");
	for (i = 0; i < f->nchain; i++) {
		c = &f->chain[i];
		buf_printf(out, "| %zu | ", i);
		md_cell(out, c->subject);
		buf_adds(out, " | ");
		md_cell(out, c->issuer);
		buf_adds(out, " | ");
		for (j = 0; j < c->san.n; j++) {
			if (j > 0)
				buf_adds(out, ", ");
			md_cell(out, c->san.v[j]);
		}
		format_secs(c->not_before, nb, sizeof nb);
		format_secs(c->not_after, na, sizeof na);
		nb[10] = na[10] = '\0';
		buf_printf(out, " | %s to %s | ", nb, na);
		md_cell(out, c->sha256);
		buf_adds(out, " |\n");
	}
	buf_adds(out, "\n## Verdict\n\n");
	if (f->verify.ok) {
		buf_adds(out, "**Verified**");
		if (f->verify.matched != NULL) {
			buf_adds(out, ": the host name matched ");
			md_cell(out, f->verify.matched);
		}
		buf_adds(out, ".\n");
	} else {
		buf_adds(out, "**NOT verified**:\n\n");
		for (i = 0; i < f->verify.reasons.n; i++) {
			buf_adds(out, "- ");
			md_cell(out, f->verify.reasons.v[i]);
			buf_addc(out, '\n');
		}
	}
}

static const char *
md_prefix(const struct event *ev)
{
	if (ev->flags & EVF_INJECTED)
		return "!! ";
	if (ev->dir == DIR_CLIENT)
		return ev->chan == CHAN_TLS ? "C~ " : "C: ";
	return ev->chan == CHAN_TLS ? "S~ " : "S: ";
}

static void
export_md(const struct evlog *log, const struct recording_info *ri,
    struct buf *out)
{
	const struct event	*ev;
	const struct tls_facts	*f;
	struct buf		 block = { 0 };
	char			 start[64];
	size_t			 i;
	bool			 open = false;

	format_wall(ri->start, start, sizeof start);
	buf_adds(out, "# Mail session: ");
	md_cell(out, ri->target);
	buf_adds(out, "\n\nRecorded ");
	md_cell(out, start);
	buf_adds(out, " with mailscope. `C:` lines were sent by the client, "
	    "`S:` lines by the server; lines inside TLS are marked `~`; "
	    "`!!` lines were injected: plaintext sent after the STARTTLS "
	    "go-ahead, where only the TLS handshake belongs. What mailscope "
	    "noticed about a line follows it in brackets.\n\n"
	    "## Transcript\n\n");
	for (i = 0; i < evlog_count(log); i++) {
		ev = evlog_get(log, i);
		if (open && !ev_is_chunk(ev)) {
			buf_addc(&block, '\n');
			open = false;
		}
		switch (ev->kind) {
		case EV_DATA:
			if (ev_is_chunk(ev)) {
				batch_print_chunk(ev, md_prefix(ev), &block,
				    &open);
				break;
			}
			buf_adds(&block, md_prefix(ev));
			sanitize(ev->data, ev->len, &block);
			batch_print_flags(ev, &block);
			buf_addc(&block, '\n');
			break;
		case EV_TLS_ESTABLISHED:
			md_flush_block(out, &block);
			buf_adds(out, "---\n\n**TLS established:** ");
			md_cell(out, ev->data);
			buf_adds(out, "\n\n---\n\n");
			break;
		case EV_NOTE:
		case EV_MARK:
			md_flush_block(out, &block);
			buf_adds(out, ev->kind == EV_MARK ? "> **Mark:** " :
			    "> ");
			md_cell(out, ev->data);
			buf_adds(out, "\n\n");
			break;
		case EV_WARNING:
		case EV_ERROR:
		case EV_VERIFY:
		case EV_CAPDIFF:
			md_flush_block(out, &block);
			buf_adds(out, ev->kind == EV_ERROR ? "**Error:** " :
			    ev->kind == EV_WARNING ? "**Warning:** " :
			    ev->kind == EV_CAPDIFF ?
			    "**Capabilities after TLS:** " : "**Verdict:** ");
			md_cell(out, ev->data);
			buf_adds(out, "\n\n");
			break;
		default:
			break;
		}
	}
	if (open)
		buf_addc(&block, '\n');
	md_flush_block(out, &block);
	buf_free(&block);
	if (ri->damage != NULL) {
		buf_adds(out, "**Error:** the recording could not be read "
		    "past this point: ");
		md_cell(out, ri->damage);
		buf_adds(out, "; nothing after it is shown.\n\n");
	}
	if ((f = last_facts(log)) != NULL)
		md_tls(f, out);
	else if (ri->damage == NULL)
		buf_adds(out, "## TLS\n\nNo TLS: everything in this session "
		    "crossed the network in plaintext.\n");
}

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
		ev = evlog_get(log, i);
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
		    ev->kind == EV_WARNING) {
			buf_printf(&body, "<text class=\"%s\" x=\"%d\" "
			    "y=\"%d\">", ev->kind == EV_WARNING ? "warn" :
			    "note", SVG_SERVER + 20, y - 5);
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
		batch_print_flags(ev, &flags);
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

static void
export_html(const struct evlog *log, const struct recording_info *ri,
    struct buf *out)
{
	const struct event	*ev;
	const struct tls_facts	*f;
	char			 start[64];
	size_t			 i;
	bool			 open = false;

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
		ev = evlog_get(log, i);
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
		buf_printf(out, "<span class=\"%s\">%s ",
		    ev->kind == EV_WARNING || ev->kind == EV_ERROR ? "warn" :
		    "info", ev->kind == EV_WARNING || ev->kind == EV_ERROR ?
		    "**" : "==");
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
	if ((f = last_facts(log)) != NULL)
		html_tls(f, out);
	else if (ri->damage == NULL)
		buf_adds(out, "<h2>TLS</h2>\n<p class=\"warn\">No TLS: "
		    "everything in this session crossed the network in "
		    "plaintext.</p>\n");
	buf_adds(out, "</body>\n</html>\n");
}

static const char export_usage[] =
"usage: mailscope export [--format txt|md|html] [-o OUT] [--session N] "
    "FILE.jsonl\n";

int
export_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format",	required_argument,	NULL, 'f' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "session",	required_argument,	NULL, 'n' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct recording_info	 ri;
	struct evlog		*log;
	struct buf		 out = { 0 };
	const char		*format = "txt", *path = NULL;
	char			 err[512];
	FILE			*f;
	int			 n, nth = 1, fd = -1;
	int			 ch, rc = EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			path = optarg;
			break;
		case 'n':
			if ((nth = session_number_arg("export", optarg)) == 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(export_usage, stdout);
			return EXIT_OK;
		default:
			fputs(export_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || (strcmp(format, "txt") != 0 &&
	    strcmp(format, "md") != 0 && strcmp(format, "html") != 0)) {
		fputs(export_usage, stderr);
		return EXIT_USAGE;
	}
	log = evlog_new(true);
	memset(&ri, 0, sizeof ri);
	n = recording_load(argv[optind], (unsigned)nth, log, &ri, err,
	    sizeof err);
	if (n < 0) {
		fprintf(stderr, "mailscope export: %s\n", err);
		evlog_free(log);
		return EXIT_USAGE;
	}
	if (err[0] != '\0')
		fprintf(stderr, "mailscope export: %s; exporting the %d "
		    "event%s before it\n", err, n, n == 1 ? "" : "s");
	if (ri.count > 1)
		fprintf(stderr, "mailscope export: %s holds %u recordings; "
		    "this is number %u (--session N picks another)\n",
		    argv[optind], ri.count, ri.nth);
	if (strcmp(format, "txt") == 0)
		export_txt(log, &ri, &out);
	else if (strcmp(format, "md") == 0)
		export_md(log, &ri, &out);
	else
		export_html(log, &ri, &out);

	/* Never through a symbolic link: its target would be cut. */
	f = stdout;
	if (path != NULL && ((fd = file_open_write(path, O_TRUNC, false, err,
	    sizeof err)) == -1 || (f = fdopen(fd, "w")) == NULL)) {
		if (fd != -1) {
			snprintf(err, sizeof err, "%s: %s", path,
			    strerror(errno));
			close(fd);
		}
		fprintf(stderr, "mailscope export: %s\n", err);
		rc = EXIT_USAGE;
	} else {
		if (fwrite(out.p, 1, out.len, f) != out.len ||
		    (f != stdout ? fclose(f) : fflush(f)) != 0) {
			fprintf(stderr, "mailscope export: write: %s\n",
			    strerror(errno));
			rc = EXIT_PROTO;
		}
	}
	recording_info_free(&ri);
	buf_free(&out);
	evlog_free(log);
	return rc;
}
