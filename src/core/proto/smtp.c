/* SPDX-License-Identifier: ISC */
/*
 * SMTP and LMTP replies (RFC 5321, RFC 2033): three-digit codes,
 * "250-" continuation lines, enhanced status codes (RFC 3463), EHLO
 * capabilities, STARTTLS, DATA and AUTH continuations.  Replies are
 * matched to commands first in, first out (PIPELINING, RFC 2920).
 *
 * Malformed lines ("25", "2500", "abc", a missing code): only a
 * well-formed "DDD-" line promises that the reply goes on, so every other
 * line ends the reply, flagged EVF_MALFORMED.  The client never waits for
 * a continuation nobody announced, and the next reply is still paired
 * with the next command.  A code that changes inside a reply ("250-a"
 * then "251 b") is flagged, and the separator still decides the end.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/proto/proto_int.h"

static const char *const smtp_verbs[] = {
	"EHLO", "HELO", "MAIL FROM:", "RCPT TO:", "DATA", "BDAT", "RSET",
	"NOOP", "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH", "ETRN",
	NULL
};

static const char *const lmtp_verbs[] = {
	"LHLO", "MAIL FROM:", "RCPT TO:", "DATA", "BDAT", "RSET", "NOOP",
	"QUIT", "VRFY", "HELP", "STARTTLS", "AUTH", NULL
};

static enum reply_status
code_status(int code)
{
	switch (code / 100) {
	case 2:
		return RS_OK;
	case 3:
		return RS_INTERMEDIATE;
	case 4:
		return RS_TEMPFAIL;
	case 5:
		return RS_NO;
	}
	return RS_NONE;
}

/* "DDD" alone, "DDD text" or "DDD-text"; *more for '-'.  -1: malformed. */
static int
parse_code(const char *p, size_t len, bool *more)
{
	*more = false;
	if (len < 3 || !isdigit((unsigned char)p[0]) ||
	    !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
		return -1;
	if (p[0] < '2' || p[0] > '5')
		return -1;
	if (len > 3) {
		if (p[3] == '-')
			*more = true;
		else if (p[3] != ' ')
			return -1;
	}
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* Enhanced status code at the start of the text: class.subject.detail. */
static void
parse_esc(const char *p, size_t len, char *esc, size_t esclen)
{
	size_t	i = 0, part, n;

	if (len == 0 || (p[0] != '2' && p[0] != '4' && p[0] != '5'))
		return;
	for (part = 0; part < 3; part++) {
		if (part > 0) {
			if (i >= len || p[i] != '.')
				return;
			i++;
		}
		for (n = 0; i < len && isdigit((unsigned char)p[i]); i++)
			n++;
		if (n == 0 || n > 3 || (part == 0 && n != 1))
			return;
	}
	if (i < len && p[i] != ' ')
		return;
	if (i >= esclen)
		return;
	memcpy(esc, p, i);
	esc[i] = '\0';
}

static bool
verb_is(const struct pp *pp, const char *verb)
{
	return strcmp(pp->verb, verb) == 0;
}

/* The last line of a reply to c arrived. */
static void
reply_done(struct pp *pp, struct pp_cmd *c, struct pp_line *l)
{
	int	code = l->code;

	l->final = true;
	if (c->greeting) {
		pp_cmd_remove(pp, c);
		return;
	}
	if (verb_is(pp, "STARTTLS")) {
		/* Only a clean 220 opens TLS; a garbled reply is a refusal. */
		if (code == 220 && (l->flags & EVF_MALFORMED) == 0)
			l->starttls_ok = true;
		else
			l->starttls_refused = true;
	}
	if (code / 100 == 3) {
		if (code == 354 && verb_is(pp, "DATA") && !c->data_end) {
			pp->data_mode = true;
			pp_cmd_remove(pp, c);
		} else
			c->await_client = true;	/* 334: client answers */
		return;
	}
	if (pp->resp_caps) {
		pp->caps_known = true;
		l->caps = true;
	}
	if (verb_is(pp, "RCPT") && code / 100 == 2)
		pp->rcpt_ok++;
	else if (verb_is(pp, "MAIL") || verb_is(pp, "RSET") ||
	    verb_is(pp, "EHLO") || verb_is(pp, "HELO") || verb_is(pp, "LHLO"))
		pp->rcpt_ok = 0;
	if (c->data_end && pp->proto == PROTO_LMTP) {
		/* LMTP answers the final dot once per accepted recipient. */
		if (++c->replies < pp->rcpt_ok) {
			l->final = false;
			return;
		}
		pp->rcpt_ok = 0;
	}
	pp_cmd_remove(pp, c);
}

static void
smtp_line(struct pp *pp, struct pp_line *l, bool first, bool last)
{
	struct pp_cmd	*c;
	bool		 more;
	int		 code;

	(void)last;
	if (!first)
		return;
	code = parse_code(l->buf, l->len, &more);
	if (!pp->resp_active) {
		c = pp_cmd_oldest(pp);
		pp_cmd_answer(pp, c, l);
		pp->resp_code = code;
		pp->resp_greeting = c != NULL && c->greeting;
		pp->resp_caps = c != NULL && code / 100 == 2 &&
		    (verb_is(pp, "EHLO") || verb_is(pp, "LHLO"));
		if (pp->resp_caps)
			strv_clear(&pp->caps);
	} else {
		pp_line_flags(pp, l);
		if (code != pp->resp_code)
			l->flags |= EVF_MALFORMED;
		else if (pp->resp_caps && l->len > 4)
			pp_cap_add(pp, l->buf + 4, l->len - 4);
	}
	l->greeting = pp->resp_greeting;
	l->code = code;
	l->status = code_status(code);
	if (code < 0)
		l->flags |= EVF_MALFORMED;
	else if (l->len > 4)
		parse_esc(l->buf + 4, l->len - 4, l->esc, sizeof l->esc);
	if (code >= 0 && more) {
		pp->resp_active = true;
		return;
	}
	pp->resp_active = false;
	l->flags |= EVF_END;
	if ((l->flags & EVF_UNSOLICITED) == 0 &&
	    (c = pp_cmd_oldest(pp)) != NULL)
		reply_done(pp, c, l);
}

/* RFC 2920 3.1: the commands a pipelined group ends with. */
static const char *const smtp_sync[] = {
	"EHLO", "HELO", "LHLO", "DATA", "VRFY", "EXPN", "TURN", "ATRN",
	"ETRN", "QUIT", "NOOP", "STARTTLS", "AUTH", "HELP", NULL
};

/* "BDAT n [LAST]" (RFC 3030): the size, -1 when it does not parse. */
static int64_t
chunk_size(const char *line, size_t len)
{
	size_t	s, n, i;
	int64_t	v = 0;

	s = pp_word(line, len, 0, &n);
	s = pp_word(line, len, s + n, &n);
	if (n == 0 || n > 18)
		return -1;
	for (i = s; i < s + n; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -1;
		v = v * 10 + (line[i] - '0');
	}
	return v;
}

static void
smtp_command(struct pp *pp, struct pp_cmd *c, const char *line, size_t len,
    struct buf *out)
{
	int64_t	n;

	pp_verb(line, len, c->verb, sizeof c->verb);
	buf_add(out, line, len);
	buf_add(out, "\r\n", 2);
	/* The chunk follows the command at once: no reply comes first. */
	if (strcmp(c->verb, "BDAT") == 0 && (n = chunk_size(line, len)) > 0)
		pp->chunk_left = n;
}

static const char *
smtp_plain_auth(const struct strv *caps)
{
	return strv_offers_credentials(caps, "AUTH") ? "AUTH is offered "
	    "before TLS: credentials could cross the network in plaintext" :
	    NULL;
}

/*
 * RFC 6531: an address in UTF-8 needs the server's SMTPUTF8, and MAIL
 * FROM's SMTPUTF8 parameter (3.4).  The bytes go as typed, UTF-8.
 */
static const char *
smtp_addr_check(const struct strv *caps, bool known, const char *line,
    size_t len)
{
	size_t	i;
	bool	mail, utf8 = false;

	mail = len >= 10 && strncasecmp(line, "MAIL FROM:", 10) == 0;
	if (!mail && (len < 8 || strncasecmp(line, "RCPT TO:", 8) != 0))
		return NULL;
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] >= 0x80)
			utf8 = true;
	if (!utf8)
		return NULL;
	if (!known || !strv_has(caps, "SMTPUTF8"))
		return "a non-ASCII address, but the server did not "
		    "advertise SMTPUTF8 (RFC 6531): it will likely refuse "
		    "it; the address's ASCII form (an A-label domain) may "
		    "pass";
	for (i = 0; mail && i + 9 <= len; i++)
		if (strncasecmp(line + i, " SMTPUTF8", 9) == 0 &&
		    (i + 9 == len || line[i + 9] == ' '))
			return NULL;
	return mail ? "a non-ASCII address without the SMTPUTF8 parameter: "
	    "RFC 6531 3.4 asks for MAIL FROM:<...> SMTPUTF8" : NULL;
}

const struct proto_ops smtp_ops = {
	.line = smtp_line,
	.command = smtp_command,
	.starttls_cmd = "STARTTLS",
	.caps_cmd = "EHLO",
	.quit_cmd = "QUIT",
	.starttls_cap = "STARTTLS",
	.auth_cmd = "AUTH",
	.sasl_cap = "AUTH",
	.sasl_service = "smtp",
	.sasl_ir = true,		/* RFC 4954 */
	.sasl_cont_code = 334,
	.plain_auth = smtp_plain_auth,
	.addr_check = smtp_addr_check,
	.data_cmd = "DATA",
	.pipe_cap = "PIPELINING",
	.sync_verbs = smtp_sync,
	.inject_cmd = "EHLO mailscope-probe",
	.mail_probe = "MAIL FROM:<>",
	.typed_hello = "EHLO me",
	.typed_starttls = "STARTTLS",
	.verbs = smtp_verbs,
	.dissector = "smtp",
	.ws_ports = "25 587",
	.ws_tls_ports = "465",
};

const struct proto_ops lmtp_ops = {
	.line = smtp_line,
	.command = smtp_command,
	.starttls_cmd = "STARTTLS",
	.caps_cmd = "LHLO",
	.quit_cmd = "QUIT",
	.starttls_cap = "STARTTLS",
	.auth_cmd = "AUTH",
	.sasl_cap = "AUTH",
	.sasl_service = "lmtp",
	.sasl_ir = true,
	.sasl_cont_code = 334,
	.plain_auth = smtp_plain_auth,
	.addr_check = smtp_addr_check,
	.data_cmd = "DATA",
	.pipe_cap = "PIPELINING",
	.sync_verbs = smtp_sync,
	.inject_cmd = "EHLO mailscope-probe",
	.typed_hello = "LHLO me",
	.typed_starttls = "STARTTLS",
	.verbs = lmtp_verbs,
	.dissector = "smtp",	/* Wireshark has no LMTP of its own */
	.ws_ports = "",
	.ws_tls_ports = "",
};
