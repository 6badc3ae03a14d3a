/* SPDX-License-Identifier: ISC */
/*
 * IMAP4 responses (RFC 3501, RFC 9051): tagged completions matched by
 * tag, untagged data, "+" continuations, literals "{n}" and "{n+}"
 * (RFC 7888), capabilities from CAPABILITY responses and response codes.
 *
 * Commands typed without a tag get the next one ("a001", ...): a line
 * whose first word is a known command has no tag.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/proto/proto_int.h"

enum imap_resp {
	IR_OTHER,
	IR_UNTAGGED,	/* may carry literals and continue after them */
};

static const char *const imap_verbs[] = {
	"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN",
	"SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE",
	"UNSUBSCRIBE", "LIST", "LSUB", "STATUS", "APPEND", "CHECK", "CLOSE",
	"EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE", "UID", "IDLE",
	"NAMESPACE", "ENABLE", "ID", "UNSELECT", "GETQUOTA", "GETQUOTAROOT",
	"SETQUOTA", "GETACL", "SETACL", "DELETEACL", "LISTRIGHTS", "MYRIGHTS",
	"COMPRESS", "XLIST", "SORT", "THREAD", "GETMETADATA", "SETMETADATA",
	"NOTIFY", "REPLACE", "ESEARCH", "UNAUTHENTICATE", "DONE", NULL
};

/* Completion offers DONE (it ends IDLE) but it is never a tagged command. */
#define NOT_TAGGED	"DONE"

static bool
known_command(const char *p, size_t len)
{
	size_t	i;

	if (word_is(p, len, NOT_TAGGED))
		return false;
	for (i = 0; imap_verbs[i] != NULL; i++) {
		if (strlen(imap_verbs[i]) == len &&
		    strncasecmp(imap_verbs[i], p, len) == 0)
			return true;
	}
	return false;
}

static enum reply_status
status_word(const char *p, size_t len)
{
	if (word_is(p, len, "OK"))
		return RS_OK;
	if (word_is(p, len, "NO"))
		return RS_NO;
	if (word_is(p, len, "BAD"))
		return RS_BAD;
	if (word_is(p, len, "BYE"))
		return RS_BYE;
	if (word_is(p, len, "PREAUTH"))
		return RS_PREAUTH;
	return RS_NONE;
}

/* Replace the capabilities by the atoms of p. */
static void
set_caps(struct pp *pp, struct pp_line *l, const char *p, size_t len)
{
	size_t	off = 0, s, n;

	strv_clear(&pp->caps);
	while ((s = pp_word(p, len, off, &n)), n > 0) {
		pp_cap_add(pp, p + s, n);
		off = s + n;
	}
	pp->caps_known = true;
	pp->caps_partial = false;
	l->caps = true;
}

/* "[CAPABILITY ...]" response code at offset off of a status response. */
static void
code_caps(struct pp *pp, struct pp_line *l, const char *p, size_t len,
    size_t off)
{
	static const char	 pfx[] = "[CAPABILITY ";
	const char		*end;
	size_t			 s, n;

	s = pp_word(p, len, off, &n);
	if (!strcasecmp_prefix(p + s, len - s, pfx))
		return;
	s += sizeof pfx - 1;
	if ((end = memchr(p + s, ']', len - s)) == NULL)
		return;
	set_caps(pp, l, p + s, (size_t)(end - (p + s)));
}

/* "* OK", "* PREAUTH" or "* BYE"; anything else is a broken greeting. */
static void
greeting(struct pp *pp, struct pp_cmd *c, struct pp_line *l)
{
	size_t	s, n;
	bool	ok = false;

	if (l->len > 2 && l->buf[0] == '*' && l->buf[1] == ' ') {
		s = pp_word(l->buf, l->len, 1, &n);
		l->status = status_word(l->buf + s, n);
		ok = l->status == RS_OK || l->status == RS_PREAUTH ||
		    l->status == RS_BYE;
		if (ok) {
			code_caps(pp, l, l->buf, l->len, s + n);
			pp->caps_partial = pp->caps_known;
		}
	}
	pp_cmd_answer(pp, c, l);
	l->greeting = true;
	l->final = true;
	l->flags |= EVF_END;
	if (!ok)
		l->flags |= EVF_MALFORMED;
	pp_cmd_remove(pp, c);
}

static void
continuation(struct pp *pp, struct pp_line *l)
{
	struct pp_cmd	*c = pp_cmd_newest(pp);

	l->status = RS_INTERMEDIATE;
	l->flags |= EVF_END;
	pp_cmd_answer(pp, c, l);
	if (c != NULL) {
		c->await_client = true;
		l->final = true;
		if (c->lit_wait) {
			/* The go-ahead for the literal the command announced. */
			c->lit_wait = false;
			c->lit_left = c->lit_size;
			c->lit_rest = c->lit_size == 0;
		}
	}
}

static void
untagged(struct pp *pp, struct pp_line *l)
{
	const char	*p = l->buf;
	size_t		 len = l->len, s, n;

	s = pp_word(p, len, 1, &n);
	l->status = status_word(p + s, n);
	pp_cmd_answer(pp, pp_cmd_oldest(pp), l);
	/* Untagged data is never unsolicited in IMAP. */
	pp->resp_flags &= ~EVF_UNSOLICITED;
	l->flags &= ~EVF_UNSOLICITED;
	if (word_is(p + s, n, "CAPABILITY"))
		set_caps(pp, l, p + s + n, len - s - n);
	else if (l->status != RS_NONE)
		code_caps(pp, l, p, len, s + n);
	pp->resp_kind = IR_UNTAGGED;
}

static void
tagged(struct pp *pp, struct pp_line *l)
{
	const char	*p = l->buf;
	size_t		 len = l->len, s, n, tlen;
	struct pp_cmd	*c;

	s = pp_word(p, len, 0, &tlen);
	c = pp_cmd_find_tag(pp, p + s, tlen);
	pp_cmd_answer(pp, c, l);
	if (c == NULL) {
		n = tlen < sizeof pp->tag ? tlen : sizeof pp->tag - 1;
		memcpy(pp->tag, p + s, n);
		pp->tag[n] = '\0';
	}
	l->tag = pp->tag[0] != '\0' ? pp->tag : NULL;
	l->flags |= EVF_END;
	s = pp_word(p, len, s + tlen, &n);
	l->status = status_word(p + s, n);
	if (l->status != RS_OK && l->status != RS_NO && l->status != RS_BAD) {
		l->status = RS_NONE;
		l->flags |= EVF_MALFORMED;
	}
	if (l->status == RS_OK)
		code_caps(pp, l, p, len, s + n);
	if (c == NULL)
		return;
	l->final = true;
	if (strcmp(c->verb, "STARTTLS") == 0) {
		if (l->status == RS_OK)
			l->starttls_ok = true;
		else
			l->starttls_refused = true;
	}
	pp_cmd_remove(pp, c);
}

static void
imap_line(struct pp *pp, struct pp_line *l, bool first, bool last)
{
	struct pp_cmd	*c;
	int64_t		 n;
	bool		 nonsync;
	int		 r;

	if (first && pp->resp_active) {
		/* The rest of a response after a literal. */
		pp_line_flags(pp, l);
	} else if (first) {
		pp->resp_kind = IR_OTHER;
		c = pp_cmd_oldest(pp);
		if (c != NULL && c->greeting) {
			greeting(pp, c, l);
			return;
		}
		if (l->len > 0 && l->buf[0] == '+' &&
		    (l->len == 1 || l->buf[1] == ' '))
			continuation(pp, l);
		else if (l->len > 1 && l->buf[0] == '*' && l->buf[1] == ' ')
			untagged(pp, l);
		else if (l->len > 0 && l->buf[0] != ' ')
			tagged(pp, l);
		else {
			pp_cmd_answer(pp, pp_cmd_oldest(pp), l);
			l->flags |= EVF_MALFORMED | EVF_END;
		}
	}
	if (!last || (pp->resp_kind != IR_UNTAGGED && !pp->resp_active))
		return;
	r = pp_line_literal(pp, l, first, &n, &nonsync);
	if (r > 0) {
		pp->resp_active = true;
		pp_literal_start(pp, n);
		l->literal = n;
		return;
	}
	if (r < 0)
		l->flags |= EVF_MALFORMED;
	pp->resp_active = false;
	pp->resp_kind = IR_OTHER;
	l->flags |= EVF_END;
}

static void
imap_command(struct pp *pp, struct pp_cmd *c, const char *line, size_t len,
    struct buf *out)
{
	size_t	s, n, vs, vn;

	s = pp_word(line, len, 0, &n);
	if (n == 0) {
		/* A blank line has no tag: nothing can answer it. */
		buf_add(out, line, len);
		buf_add(out, "\r\n", 2);
		pp_cmd_remove(pp, c);
		return;
	}
	if (word_is(line + s, n, NOT_TAGGED)) {
		/* DONE outside IDLE: untagged, nothing answers it. */
		vs = s;
		vn = n;
	} else if (known_command(line + s, n)) {
		pp->tagno++;
		snprintf(c->tag, sizeof c->tag, "a%03u", pp->tagno);
		buf_printf(out, "%s ", c->tag);
		vs = s;
		vn = n;
	} else {
		if (n >= sizeof c->tag)
			n = sizeof c->tag - 1;
		memcpy(c->tag, line + s, n);
		c->tag[n] = '\0';
		vs = pp_word(line, len, s + n, &vn);
	}
	pp_verb(line + vs, vn, c->verb, sizeof c->verb);
	buf_add(out, line, len);
	buf_add(out, "\r\n", 2);
	/* A literal waits for "+"; a non-synchronizing one goes at once. */
	pp_cmd_literal(pp, c, line, len);
}

static const char *
imap_plain_auth(const struct strv *caps)
{
	if (!strv_has(caps, "LOGINDISABLED"))
		return "LOGINDISABLED is missing before TLS: LOGIN would send "
		    "the password in plaintext";
	if (strv_has(caps, "AUTH=PLAIN") || strv_has(caps, "AUTH=LOGIN"))
		return "AUTH=PLAIN/LOGIN offered before TLS: AUTHENTICATE "
		    "would send the password in plaintext";
	return NULL;
}

const struct proto_ops imap_ops = {
	.pipe_cap = NULL,	/* RFC 9051 5.5: its own rules, not groups */
	.line = imap_line,
	.command = imap_command,
	.starttls_cmd = "STARTTLS",
	.caps_cmd = "CAPABILITY",
	.quit_cmd = "LOGOUT",
	.starttls_cap = "STARTTLS",
	.auth_cmd = "AUTHENTICATE",
	.sasl_cap = "AUTH",		/* AUTH=PLAIN */
	.sasl_service = "imap",
	.sasl_ir_cap = "SASL-IR",	/* RFC 4959 */
	.tagged = true,
	.literals = true,
	.client_literals = true,
	.plain_auth = imap_plain_auth,
	.inject_cmd = "PRB1 NOOP",
	.typed_hello = "a CAPABILITY",
	.typed_starttls = "a STARTTLS",
	.verbs = imap_verbs,
	.dissector = "imap",
	.ws_ports = "143",
	.ws_tls_ports = "993",
};
