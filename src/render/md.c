/* SPDX-License-Identifier: ISC */
/*
 * Markdown: a teaching handout: C:/S: blocks, notes as quotes, TLS
 * tables.  Every byte from the network is sanitized first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

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

/* Text in Markdown, sanitized and escaped; nothing at all is "-". */
static void
md_text_escaped(struct buf *out, const char *s, size_t len)
{
	struct buf	tmp = { 0 };
	size_t		i;

	if (len == 0) {
		buf_addc(out, '-');
		return;
	}
	sanitize(s, len, &tmp);
	for (i = 0; i < tmp.len; i++) {
		if (tmp.p[i] == '|' || tmp.p[i] == '\\' || tmp.p[i] == '`' ||
		    tmp.p[i] == '*' || tmp.p[i] == '_' || tmp.p[i] == '<')
			buf_addc(out, '\\');
		buf_addc(out, tmp.p[i]);
	}
	buf_free(&tmp);
}

static void
md_cell(struct buf *out, const char *s)
{
	md_text_escaped(out, s, s != NULL ? strlen(s) : 0);
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
	if (f->dane.checked) {
		buf_adds(out, "\n**DANE**: ");
		md_cell(out, f->dane.verdict);
		buf_adds(out, "\n\n| TLSA record | result |\n|---|---|\n");
		for (i = 0; i < f->dane.nrrs; i++) {
			buf_adds(out, "| ");
			md_cell(out, f->dane.rrs[i].rr);
			buf_adds(out, " | ");
			md_cell(out, f->dane.rrs[i].result);
			buf_adds(out, " |\n");
		}
	}
	if (f->sts.checked) {
		buf_adds(out, "\n**MTA-STS**: ");
		md_cell(out, f->sts.verdict);
		buf_adds(out, "\n\nPolicy ");
		md_cell(out, f->sts.source);
		buf_adds(out, " (id ");
		md_cell(out, f->sts.id);
		buf_adds(out, ")");
		for (i = 0; i < f->sts.mx.n; i++) {
			buf_adds(out, i == 0 ? ", mx " : ", ");
			md_cell(out, f->sts.mx.v[i]);
		}
		if (f->sts.mx_total > f->sts.mx.n)
			buf_printf(out, " and %zu more",
			    f->sts.mx_total - f->sts.mx.n);
		buf_adds(out, ".\n");
	}
	if (f->sts.tlsrpt != NULL) {
		buf_adds(out, "\n**TLS-RPT**: reports to ");
		md_cell(out, f->sts.tlsrpt);
		buf_addc(out, '\n');
	}
	if (f->pin.checked) {
		buf_adds(out, f->pin.ok ? "\n**Pin** matched: " :
		    "\n**Pin NOT matched**: the server's is ");
		md_cell(out, f->pin.actual);
		buf_addc(out, '\n');
	}
}

static void
md_text(struct buf *out, const char *s, size_t len)
{
	sanitize(s, len, out);
}

/* --explain: the glosses of a line, one a line under it. */
static void
md_explain(struct buf *block, const struct event *ev,
    const struct render_opts *ro)
{
	render_glosses(ev, ro, "   > ", "\n", md_text, block);
}

/* A paragraph of its own; with --explain its glosses in a quote. */
static void
md_para(struct buf *out, const char *lead, const struct event *ev,
    const struct render_opts *ro)
{
	size_t	len;

	buf_adds(out, lead);
	md_cell(out, ev->data);
	buf_adds(out, "\n\n");
	len = out->len;
	render_glosses(ev, ro, "> *", "*\n", md_text_escaped, out);
	if (out->len > len)
		buf_addc(out, '\n');
}

static void
md_legend(struct buf *out)
{
	const struct ladder_key	*k;
	size_t			 i, n = ladder_legend(&k);

	buf_adds(out, "## Legend\n\n`C:` lines were sent by the client, "
	    "`S:` lines by the server; lines inside TLS are marked `~` "
	    "(`C~`, `S~`); `!!` lines were injected: plaintext sent after "
	    "the STARTTLS go-ahead, where only the TLS handshake belongs. "
	    "What mailscope noticed about a line follows it in brackets; "
	    "a `>` line under it explains it (with --explain). The HTML "
	    "export draws the same session as a diagram:\n\n");
	for (i = 0; i < n; i++)
		buf_printf(out, "- **%s**: %s\n", k[i].name, k[i].desc);
	buf_addc(out, '\n');
}

void
render_md(const struct evlog *log, const struct recording_info *ri,
    const struct render_opts *ro, struct buf *out)
{
	const struct event	*ev;
	struct ladder		 l;
	struct digest		 d;
	struct buf		 block = { 0 };
	char			 start[64];
	size_t			 i, c = 0, n, last;
	bool			 open = false;

	format_wall(ri->start, start, sizeof start);
	buf_adds(out, "# Mail session: ");
	md_cell(out, ri->target);
	buf_adds(out, "\n\nRecorded ");
	md_cell(out, start);
	buf_adds(out, " with mailscope.\n\n");
	md_legend(out);
	ladder_init(&l);
	ladder_log(&l, log);
	n = ladder_conns(&l, log);
	last = ladder_conn_end(&l, log, 0);
	buf_printf(out, "## Connection 1 of %zu\n\n", n);
	for (i = 0; i < evlog_count(log); i++) {
		ev = evlog_at(log, i);
		if (open && !ev_is_chunk(ev)) {
			buf_addc(&block, '\n');
			open = false;
		}
		if (i > last && c + 1 < n && !ev_is_trace(ev)) {
			/* A separator between connections. */
			md_flush_block(out, &block);
			c++;
			last = c + 1 < n ? ladder_conn_end(&l, log, c) :
			    evlog_count(log);
			buf_printf(out, "* * *\n\n## Connection %zu of %zu\n\n",
			    c + 1, n);
		}
		switch (ev->kind) {
		case EV_DATA:
			if (ev_is_chunk(ev)) {
				render_chunk(ev, render_mark(ev, RM_SCREEN),
				    &block, &open);
				break;
			}
			buf_adds(&block, render_mark(ev, RM_SCREEN));
			sanitize(ev->data, ev->len, &block);
			render_flags(ev, &block);
			buf_addc(&block, '\n');
			md_explain(&block, ev, ro);
			break;
		case EV_TLS_ESTABLISHED:
			md_flush_block(out, &block);
			buf_adds(out, "---\n\n");
			md_para(out, "**TLS established:** ", ev, ro);
			buf_adds(out, "---\n\n");
			break;
		case EV_NOTE:
		case EV_MARK:
			md_flush_block(out, &block);
			md_para(out, ev->kind == EV_MARK ? "> **Mark:** " :
			    "> ", ev, ro);
			break;
		case EV_WARNING:
		case EV_ERROR:
		case EV_VERIFY:
		case EV_CAPDIFF:
		case EV_DNS:
		case EV_VERDICT:
			md_flush_block(out, &block);
			md_para(out, ev->kind == EV_VERDICT ?
			    "**Client verdict:** " :
			    ev->kind == EV_ERROR ? "**Error:** " :
			    ev->kind == EV_WARNING ? "**Warning:** " :
			    ev->kind == EV_DNS ? ev_dns_bogus(ev) ?
			    "**DNS, bogus:** " : "**DNS:** " :
			    ev->kind == EV_CAPDIFF ?
			    "**Capabilities after TLS:** " : "**Verdict:** ",
			    ev, ro);
			break;
		default:
			break;
		}
	}
	ladder_free(&l);
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
	digest_log(&d, log);
	if (d.tls != NULL)
		md_tls(d.tls, out);
	else if (ri->damage == NULL)
		buf_adds(out, "## TLS\n\nNo TLS: everything in this session "
		    "crossed the network in plaintext.\n");
	digest_free(&d);
}
