/* SPDX-License-Identifier: ISC */
/*
 * POP3 responses (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034
 * AUTH): "+OK"/"-ERR" status lines, dot-ended multi-line bodies with
 * dot-unstuffing, "+ " SASL continuations.
 *
 * A body line that starts with a dot but not with two (". x") breaks the
 * stuffing rule; RFC 1939 would drop the dot, but the line is delivered
 * whole and flagged EVF_MALFORMED so no server byte is hidden.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/proto/proto_int.h"

static const char *const pop3_verbs[] = {
	"USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE", "NOOP",
	"RSET", "QUIT", "TOP", "UIDL", "CAPA", "STLS", "AUTH", "UTF8", NULL
};

static bool
has_word(const char *p, size_t len, const char *w)
{
	size_t	n = strlen(w);

	return strcasecmp_prefix(p, len, w) && (len == n || p[n] == ' ');
}

/* The decimal word at p (n bytes), or -1. */
static int64_t
number(const char *p, size_t n)
{
	size_t	i;
	int64_t	v = 0;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "+OK 1234 octets": the size of the message that follows. */
static int64_t
octets(const char *p, size_t len)
{
	size_t	s, n;
	int64_t	v;

	s = pp_word(p, len, 3, &n);
	if ((v = number(p + s, n)) == -1)
		return -1;
	s = pp_word(p, len, s + n, &n);
	if (!has_word(p + s, len - s, "octets"))
		return -1;
	return v;
}

/*
 * Where msg is or belongs in the sizes, kept in order of message number:
 * a LIST comes in that order, so the common case is the end at once.
 */
static size_t
sizes_find(const struct pp *pp, uint32_t msg)
{
	size_t	lo = 0, hi = pp->nsizes, mid;

	if (hi > 0 && pp->sizes[hi - 1].msgno < msg)
		return hi;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pp->sizes[mid].msgno < msg)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A scan listing "msg size" (RFC 1939 §5 LIST) from off: remember it. */
static void
list_size(struct pp *pp, const char *p, size_t len, size_t off)
{
	size_t	s, n, k;
	int64_t	msg, size;

	s = pp_word(p, len, off, &n);
	msg = number(p + s, n);
	s = pp_word(p, len, s + n, &n);
	size = number(p + s, n);
	if (msg <= 0 || msg > UINT32_MAX || size < 0)
		return;
	k = sizes_find(pp, (uint32_t)msg);
	if (k == pp->nsizes || pp->sizes[k].msgno != (uint32_t)msg) {
		if (pp->nsizes == POP3_SIZES_MAX)
			return;
		if (pp->nsizes == pp->sizes_cap) {
			pp->sizes_cap = pp->sizes_cap ? pp->sizes_cap * 2 : 64;
			pp->sizes = xreallocarray(pp->sizes, pp->sizes_cap,
			    sizeof *pp->sizes);
		}
		memmove(pp->sizes + k + 1, pp->sizes + k,
		    (pp->nsizes - k) * sizeof *pp->sizes);
		pp->nsizes++;
	}
	pp->sizes[k].msgno = (uint32_t)msg;
	pp->sizes[k].octets = size;
}

/* The size LIST gave for msg, or -1. */
static int64_t
listed_size(const struct pp *pp, uint32_t msg)
{
	size_t	k = sizes_find(pp, msg);

	return k < pp->nsizes && pp->sizes[k].msgno == msg ?
	    pp->sizes[k].octets : -1;
}

/* A line of a multi-line body, or its terminating dot. */
static void
body_line(struct pp *pp, struct pp_line *l, bool first, bool last)
{
	struct pp_cmd	*c;

	bool		 dot = first && last && l->len == 1 && l->buf[0] == '.';

	if ((pp->resp_flags & EVF_BODY) && !dot)
		pp->xfer_recv += (int64_t)l->len + (last ?
		    ((l->flags & (EVF_BARE_LF | EVF_NOEOL)) ? 1 : 2) : 0);
	if (!first)
		return;
	pp_line_flags(pp, l);
	if (l->len > 0 && l->buf[0] == '.') {
		if (dot) {
			/* The final line carries the response's status. */
			l->status = RS_OK;
			l->flags &= ~EVF_BODY;
			l->flags |= EVF_END;
			pp->resp_active = false;
			if (pp->resp_caps) {
				pp->caps_known = true;
				l->caps = true;
			}
			if ((l->flags & EVF_UNSOLICITED) == 0 &&
			    (c = pp_cmd_oldest(pp)) != NULL) {
				l->final = true;
				pp_cmd_remove(pp, c);
			}
			return;
		}
		if (l->len > 1 && l->buf[1] == '.') {
			l->buf++;
			l->len--;
			l->flags |= EVF_DOTSTUFF;
		} else
			l->flags |= EVF_MALFORMED;
	}
	if (pp->resp_caps)
		pp_cap_add(pp, l->buf, l->len);
	else if ((c = pp_cmd_oldest(pp)) != NULL &&
	    strcmp(c->verb, "LIST") == 0)
		list_size(pp, l->buf, l->len, 0);
}

static void
pop3_line(struct pp *pp, struct pp_line *l, bool first, bool last)
{
	struct pp_cmd	*c;
	bool		 cont = false;

	if (pp->resp_active) {
		body_line(pp, l, first, last);
		return;
	}
	if (!first)
		return;
	if (has_word(l->buf, l->len, "+OK"))
		l->status = RS_OK;
	else if (has_word(l->buf, l->len, "-ERR"))
		l->status = RS_NO;
	else if (l->len > 0 && l->buf[0] == '+' &&
	    (l->len == 1 || l->buf[1] == ' ')) {
		l->status = RS_INTERMEDIATE;
		cont = true;
	} else
		l->flags |= EVF_MALFORMED;
	c = pp_cmd_oldest(pp);
	pp_cmd_answer(pp, c, l);
	pp->resp_caps = false;
	l->flags |= EVF_END;
	if (c == NULL)
		return;
	l->final = true;
	if (c->greeting) {
		l->greeting = true;
		if (l->status != RS_OK && l->status != RS_NO)
			l->flags |= EVF_MALFORMED;
		pp_cmd_remove(pp, c);
		return;
	}
	if (cont) {
		c->await_client = true;
		return;
	}
	if (strcmp(c->verb, "STLS") == 0) {
		if (l->status == RS_OK)
			l->starttls_ok = true;
		else
			l->starttls_refused = true;
	}
	if (l->status == RS_OK && c->multiline) {
		l->final = false;
		l->flags &= ~EVF_END;
		pp->resp_active = true;
		if (strcmp(c->verb, "CAPA") == 0) {
			pp->resp_caps = true;
			strv_clear(&pp->caps);
		}
		if (c->body) {
			pp->resp_flags |= EVF_BODY;
			pp->xfer_size = octets(l->buf, l->len);
			/* Most servers say nothing of the size: LIST did. */
			if (pp->xfer_size == -1 && strcmp(c->verb, "RETR") == 0)
				pp->xfer_size = listed_size(pp, c->msgno);
			pp->xfer_recv = 0;
		}
		return;
	}
	if (l->status == RS_OK && strcmp(c->verb, "LIST") == 0)
		list_size(pp, l->buf, l->len, 3);
	pp_cmd_remove(pp, c);
}

static void
pop3_command(struct pp *pp, struct pp_cmd *c, const char *line, size_t len,
    struct buf *out)
{
	size_t	s, n;
	bool	arg;

	(void)pp;
	pp_verb(line, len, c->verb, sizeof c->verb);
	s = pp_word(line, len, 0, &n);
	s = pp_word(line, len, s + n, &n);
	arg = n > 0;
	if (number(line + s, n) > 0 && number(line + s, n) <= UINT32_MAX)
		c->msgno = (uint32_t)number(line + s, n);
	if (strcmp(c->verb, "RETR") == 0 || strcmp(c->verb, "TOP") == 0)
		c->multiline = c->body = true;
	else if (strcmp(c->verb, "CAPA") == 0)
		c->multiline = true;
	else if (strcmp(c->verb, "LIST") == 0 ||
	    strcmp(c->verb, "UIDL") == 0 || strcmp(c->verb, "AUTH") == 0)
		c->multiline = !arg;
	buf_add(out, line, len);
	buf_add(out, "\r\n", 2);
}

static const char *
pop3_plain_auth(const struct strv *caps)
{
	return strv_has(caps, "USER") || strv_offers_credentials(caps,
	    "SASL") ? "USER/SASL offered before TLS: credentials could cross "
	    "the network in plaintext" : NULL;
}

/* APOP user digest: the digest can be cracked offline. */
static const struct cred_verb pop3_cred_verbs[] = {
	{ "PASS", 0 },
	{ "APOP", 1 },
	{ NULL, 0 },
};

const struct proto_ops pop3_ops = {
	.line = pop3_line,
	.command = pop3_command,
	.starttls_cmd = "STLS",
	.caps_cmd = "CAPA",
	.quit_cmd = "QUIT",
	.starttls_cap = "STLS",
	.auth_cmd = "AUTH",
	.sasl_cap = "SASL",
	.sasl_service = "pop",
	.plain_auth = pop3_plain_auth,
	.cred_verbs = pop3_cred_verbs,
	.inject_cmd = "CAPA",
	.typed_hello = "CAPA",
	.typed_starttls = "STLS",
	.verbs = pop3_verbs,
	.dissector = "pop",
	.ws_ports = "110",
	.ws_tls_ports = "995",
};
