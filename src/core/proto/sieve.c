/* SPDX-License-Identifier: ISC */
/*
 * ManageSieve responses (RFC 5804): lines up to "OK", "NO" or "BYE"
 * (with a response code in parentheses and a human text, quoted or a
 * literal), capability lines ("NAME" "value") in the greeting, after
 * CAPABILITY and, unasked, after STARTTLS (2.2), SASL challenges as
 * strings, and server literals "{n}" (a GETSCRIPT script) read as bytes,
 * never as responses.
 *
 * The client's literals "{n+}" (and "{n}", which no server waits for)
 * are counted by the engine: the lines typed after one are its bytes,
 * not commands.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/proto/proto_int.h"

/* What the response line being received is. */
enum sieve_resp {
	SR_DATA,	/* capability, script list, a script */
	SR_STATUS,	/* OK / NO / BYE: ends the response */
	SR_CHALLENGE,	/* a SASL challenge: the client answers */
};

static const char *const sieve_verbs[] = {
	"AUTHENTICATE", "STARTTLS", "LOGOUT", "CAPABILITY", "HAVESPACE",
	"PUTSCRIPT", "LISTSCRIPTS", "SETACTIVE", "GETSCRIPT", "DELETESCRIPT",
	"RENAMESCRIPT", "CHECKSCRIPT", "NOOP", "UNAUTHENTICATE", NULL
};

static enum reply_status
status_word(const char *p, size_t len)
{
	if (word_is(p, len, "OK"))
		return RS_OK;
	if (word_is(p, len, "NO"))
		return RS_NO;
	if (word_is(p, len, "BYE"))
		return RS_BYE;
	return RS_NONE;
}

/*
 * The quoted string at *pos (RFC 5804 4: "\" and "\\" escaped) appended
 * to out without its quotes; false when there is none or it never ends.
 */
static bool
quoted(const char *p, size_t len, size_t *pos, struct buf *out)
{
	size_t	i = *pos;

	while (i < len && p[i] == ' ')
		i++;
	if (i == len || p[i] != '"')
		return false;
	for (i++; i < len; i++) {
		if (p[i] == '\\' && i + 1 < len)
			i++;
		else if (p[i] == '"') {
			*pos = i + 1;
			return true;
		}
		buf_addc(out, p[i]);
	}
	return false;
}

/* "NAME" ["value"]: the capability "NAME value"; the line as it is
 * when it does not parse, so that no server byte is hidden. */
static void
cap_line(struct pp *pp, struct pp_line *l)
{
	struct buf	b = { 0 };
	size_t		pos = 0, at;

	if (!quoted(l->buf, l->len, &pos, &b)) {
		l->flags |= EVF_MALFORMED;
		pp_cap_add(pp, l->buf, l->len);
		buf_free(&b);
		return;
	}
	at = b.len;
	buf_addc(&b, ' ');
	if (!quoted(l->buf, l->len, &pos, &b) || b.len == at + 1)
		b.len = at;
	while (pos < l->len && l->buf[pos] == ' ')
		pos++;
	if (pos < l->len)
		l->flags |= EVF_MALFORMED;
	pp_cap_add(pp, b.p != NULL ? b.p : "", b.len);
	buf_free(&b);
}

/* The first piece of a line that begins a response line. */
static void
begin(struct pp *pp, struct pp_line *l)
{
	struct pp_cmd	*c = pp_cmd_oldest(pp);
	size_t		 s, n;

	pp_cmd_answer(pp, c, l);
	s = pp_word(l->buf, l->len, 0, &n);
	l->status = status_word(l->buf + s, n);
	if (c != NULL && c->greeting)
		l->greeting = true;
	if (l->status != RS_NONE) {
		pp->resp_kind = SR_STATUS;
		pp->resp_code = (int)l->status;
		return;
	}
	if (c != NULL && strcmp(c->verb, "AUTHENTICATE") == 0) {
		pp->resp_kind = SR_CHALLENGE;
		l->status = RS_INTERMEDIATE;
		return;
	}
	pp->resp_kind = SR_DATA;
	if (c == NULL || (!c->greeting && strcmp(c->verb, "CAPABILITY") != 0))
		return;
	if (!pp->resp_caps) {
		pp->resp_caps = true;
		strv_clear(&pp->caps);
	}
	cap_line(pp, l);
}

/* The end of a response line (after its literal, if it had one). */
static void
end(struct pp *pp, struct pp_line *l)
{
	struct pp_cmd	*c = pp_cmd_oldest(pp);

	if (pp->resp_kind == SR_CHALLENGE) {
		l->status = RS_INTERMEDIATE;
		l->flags |= EVF_END;
		if (c != NULL) {
			c->await_client = true;
			l->final = true;
		}
		return;
	}
	if (pp->resp_kind != SR_STATUS)
		return;
	l->status = (enum reply_status)pp->resp_code;
	l->flags |= EVF_END;
	if (pp->resp_caps && l->status == RS_OK) {
		pp->caps_known = true;
		pp->caps_partial = false;
		l->caps = true;
	}
	pp->resp_caps = false;
	if (c == NULL)
		return;
	l->final = true;
	if (c->greeting)
		l->greeting = true;
	else if (strcmp(c->verb, "STARTTLS") == 0) {
		if (l->status == RS_OK)
			l->starttls_ok = true;
		else
			l->starttls_refused = true;
	}
	pp_cmd_remove(pp, c);
}

static void
sieve_line(struct pp *pp, struct pp_line *l, bool first, bool last)
{
	int64_t	n;
	bool	nonsync;
	int	r;

	if (first && pp->resp_active)
		pp_line_flags(pp, l);	/* the rest of a line after a literal */
	else if (first)
		begin(pp, l);
	if (!last)
		return;
	r = pp_line_literal(pp, l, first, &n, &nonsync);
	if (r > 0 && !nonsync) {
		pp->resp_active = true;
		pp_literal_start(pp, n);
		l->literal = n;
		return;
	}
	if (r != 0)
		l->flags |= EVF_MALFORMED;	/* "{n+}" is the client's */
	pp->resp_active = false;
	end(pp, l);
}

static void
sieve_command(struct pp *pp, struct pp_cmd *c, const char *line, size_t len,
    struct buf *out)
{
	pp_verb(line, len, c->verb, sizeof c->verb);
	buf_add(out, line, len);
	buf_add(out, "\r\n", 2);
	pp_cmd_literal(pp, c, line, len);
}

/* "SASL" with an empty value offers nothing (Dovecot before TLS). */
static const char *
sieve_plain_auth(const struct strv *caps)
{
	struct strv	sasl = { 0 };
	size_t		i;
	bool		risk;

	for (i = 0; i < caps->n; i++)
		if (strncasecmp(caps->v[i], "SASL ", 5) == 0)
			strv_add(&sasl, caps->v[i]);
	risk = strv_offers_credentials(&sasl, "SASL");
	strv_clear(&sasl);
	return risk ? "SASL mechanisms offered before TLS: credentials "
	    "could cross the network in plaintext" : NULL;
}

const struct proto_ops sieve_ops = {
	.line = sieve_line,
	.command = sieve_command,
	.starttls_cmd = "STARTTLS",
	.caps_cmd = "CAPABILITY",
	.quit_cmd = "LOGOUT",
	.starttls_cap = "STARTTLS",
	.auth_cmd = "AUTHENTICATE",
	.sasl_cap = "SASL",
	.sasl_ir = true,
	.sasl_strings = true,
	.tls_caps = true,
	.client_literals = true,
	.plain_auth = sieve_plain_auth,
	.inject_cmd = "NOOP",
	.typed_hello = "CAPABILITY",
	.typed_starttls = "STARTTLS",
	.verbs = sieve_verbs,
	/* Wireshark has no ManageSieve dissector: the key log decrypts
	 * the TLS records, shown as data. */
	.dissector = NULL,
	.ws_ports = "",
	.ws_tls_ports = "",
};
