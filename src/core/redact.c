/* SPDX-License-Identifier: ISC */
/*
 * Credentials never reach a view or a file.  The session shows every
 * client line to redact_client() before logging it; when it returns true
 * the line held a secret and the display form it wrote is logged instead.
 * Every server line goes to redact_server() as the engine classified it.
 *
 * Recognised: SMTP/LMTP and POP3 AUTH (any mechanism, initial response and
 * every answer to a 334 / "+" challenge), POP3 PASS and APOP, IMAP LOGIN
 * (atom, quoted and literal arguments, the literal arriving as the next
 * client line) and AUTHENTICATE, ManageSieve AUTHENTICATE (its words
 * quoted strings, a response also a literal "{n+}" whose bytes are the
 * next client line).  The display form keeps the verb, the
 * mechanism, the user name when it is not secret, and the number of bytes
 * hidden from the line as sent; never any part of the secret.
 *
 * Every client line inside an exchange is treated as secret, whatever the
 * server said last: a response typed before its challenge arrived is
 * still hidden.
 *
 * An exchange begins with the client's command and ends with the client's
 * "*" or with the reply the engine pairs with that command (its tag and
 * verb as the engine files them), never with server bytes read again: a
 * piece of a line cut at the cap, a literal or the rest of a response
 * after one, a message body, all look like a reply and are not.  A line
 * the engine could pair with no command ends it only when that command
 * cannot be in the engine (":raw").  A challenge (334, "+") the engine
 * says awaits the client starts an exchange the client did not name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/proto/proto_int.h"

#define USER_MAX	128	/* longest user name shown */

enum red_state {
	STATE_IDLE,
	STATE_SASL,		/* AUTH / AUTHENTICATE exchange */
	STATE_LITERAL,		/* IMAP LOGIN argument as a literal */
};

enum mech {
	MECH_OTHER,
	MECH_PLAIN,
	MECH_LOGIN,
	MECH_CRAM_MD5,
	MECH_XOAUTH2,
	MECH_OAUTHBEARER,
	MECH_SCRAM,
	MECH_DIGEST_MD5,
	MECH_EXTERNAL,
};

/* What the last AUTH LOGIN challenge asked for. */
enum prompt {
	PROMPT_NONE,
	PROMPT_USER,
	PROMPT_PASSWORD,
};

struct redactor {
	const struct proto_ops *ops;
	enum red_state	 state;
	enum mech	 mech;
	enum prompt	 prompt;
	bool		 user_sent;	/* AUTH LOGIN: the first answer went */
	char		 verb[PP_VERB_MAX];	/* the verb its replies answer */
	char		 tag[PP_TAG_MAX];	/* ... and tag (IMAP) */
	unsigned	 login_arg;	/* next IMAP LOGIN argument */
	uint64_t	 lit_left;	/* literal bytes still to come */
	bool		 lit_secret;	/* the literal is the password */

	/* Server framing, kept across exchanges. */
	bool		 in_resp;	/* a response is being received */
	bool		 resp_new;	/* ... begun inside this exchange */
	bool		 cut;		/* the last line was a cut piece */
	bool		 line_ours;	/* its line began with our tag */
	bool		 line_ours_whole;	/* ... not cut to fit */
};

static const struct {
	const char	*name;
	enum mech	 mech;
	bool		 prefix;
} mechs[] = {
	{ "PLAIN", MECH_PLAIN, false },
	{ "LOGIN", MECH_LOGIN, false },
	{ "CRAM-MD5", MECH_CRAM_MD5, false },
	{ "XOAUTH2", MECH_XOAUTH2, false },
	{ "OAUTHBEARER", MECH_OAUTHBEARER, false },
	{ "SCRAM-", MECH_SCRAM, true },
	{ "DIGEST-MD5", MECH_DIGEST_MD5, false },
	{ "EXTERNAL", MECH_EXTERNAL, false },
};

struct redactor *
redactor_new(enum proto_id proto)
{
	struct redactor	*r;

	r = xcalloc(1, sizeof *r);
	r->ops = proto_ops_for(proto);
	return r;
}

void
redactor_free(struct redactor *r)
{
	free(r);
}

static void
reset(struct redactor *r)
{
	const struct proto_ops	*ops = r->ops;
	bool			 in_resp = r->in_resp, cut = r->cut;

	memset(r, 0, sizeof *r);
	r->ops = ops;
	r->in_resp = in_resp;
	r->cut = cut;
}

/*
 * The tag and verb the engine files the command p under (proto.c,
 * imap.c): its reply carries them.  Words are split at spaces only, as
 * the engine does.
 */
static void
engine_names(struct redactor *r, const char *p, size_t len)
{
	size_t	s = 0, n = 0;

	if (r->ops->tagged) {
		s = pp_word(p, len, 0, &n);
		snprintf(r->tag, sizeof r->tag, "%.*s", (int)n, p + s);
		s = pp_word(p, len, s + n, &n);
	} else
		s = pp_word(p, len, 0, &n);
	pp_verb(p + s, n, r->verb, sizeof r->verb);
}

/*
 * The protocols separate words with a space; a tab is taken as one too,
 * so "AUTH<TAB>PLAIN<TAB>secret" is not missed.
 */
static bool
is_sep(char c)
{
	return c == ' ' || c == '\t';
}

/* The next word from *pos; its length, 0 at the end. */
static size_t
next_word(const char *p, size_t len, size_t *pos, const char **word)
{
	size_t	start;

	while (*pos < len && is_sep(p[*pos]))
		(*pos)++;
	start = *pos;
	while (*pos < len && !is_sep(p[*pos]))
		(*pos)++;
	*word = p + start;
	return *pos - start;
}

static enum mech
mech_lookup(const char *w, size_t wl)
{
	size_t	i, n;

	for (i = 0; i < sizeof mechs / sizeof mechs[0]; i++) {
		n = strlen(mechs[i].name);
		if (mechs[i].prefix ? (wl > n &&
		    strncasecmp(w, mechs[i].name, n) == 0) :
		    word_is(w, wl, mechs[i].name))
			return mechs[i].mech;
	}
	return MECH_OTHER;
}

/* The value of key (like "a=") in a comma-separated list, up to a comma. */
static bool
find_attr(const char *d, size_t n, const char *key, const char **u,
    size_t *ulen)
{
	size_t	kl = strlen(key), i = 0, end;

	while (i < n) {
		end = i;
		while (end < n && d[end] != ',')
			end++;
		if (end < n && end - i > kl && memcmp(d + i, key, kl) == 0) {
			*u = d + i + kl;
			*ulen = end - i - kl;
			return true;
		}
		i = end + 1;
	}
	return false;
}

/*
 * The user name inside a decoded SASL response, only where the format
 * separates it from the secret by a delimiter that must be present.
 */
static bool
mech_user(enum mech mech, const char *d, size_t n, const char **u,
    size_t *ulen)
{
	const char	*a, *b;
	size_t		 i;

	switch (mech) {
	case MECH_PLAIN:
		/* authzid NUL authcid NUL passwd */
		if ((a = memchr(d, '\0', n)) == NULL)
			return false;
		a++;
		if ((b = memchr(a, '\0', n - (size_t)(a - d))) == NULL)
			return false;
		*u = a;
		*ulen = (size_t)(b - a);
		return true;
	case MECH_CRAM_MD5:
		/* user SP digest */
		for (i = n; i > 0; i--) {
			if (d[i - 1] == ' ') {
				*u = d;
				*ulen = i - 1;
				return i > 1;
			}
		}
		return false;
	case MECH_XOAUTH2:
		/* user=NAME ^A auth=Bearer TOKEN ^A ^A */
		if (n < 5 || memcmp(d, "user=", 5) != 0 ||
		    (a = memchr(d, '\001', n)) == NULL)
			return false;
		*u = d + 5;
		*ulen = (size_t)(a - d) - 5;
		return true;
	case MECH_OAUTHBEARER:
		/* gs2 header "n,a=NAME," then ^A-separated pairs */
		if ((a = memchr(d, '\001', n)) != NULL)
			n = (size_t)(a - d);
		return find_attr(d, n, "a=", u, ulen);
	case MECH_SCRAM:
		/* client-first "n,,n=NAME,r=NONCE" */
		return find_attr(d, n, "n=", u, ulen);
	case MECH_DIGEST_MD5:
		for (i = 0; i + 10 <= n; i++) {
			if (memcmp(d + i, "username=\"", 10) != 0)
				continue;
			a = d + i + 10;
			if ((b = memchr(a, '"', n - i - 10)) == NULL)
				return false;
			*u = a;
			*ulen = (size_t)(b - a);
			return true;
		}
		return false;
	case MECH_EXTERNAL:
		/* the authorization identity alone, a user name */
		*u = d;
		*ulen = n;
		return n > 0 && memchr(d, '\0', n) == NULL;
	case MECH_LOGIN:
	case MECH_OTHER:
		break;
	}
	return false;
}

static void
add_user(struct buf *out, const char *u, size_t ulen)
{
	buf_adds(out, "user=");
	buf_add(out, u, ulen > USER_MAX ? USER_MAX : ulen);
}

/* "[redacted: what, user=NAME, N bytes]" for a base64 SASL response. */
static void
sasl_redacted(struct redactor *r, const char *what, const char *tok,
    size_t len, struct buf *out)
{
	struct buf	 d = { 0 };
	const char	*u;
	size_t		 ulen;

	buf_adds(out, "[redacted: ");
	if (what != NULL)
		buf_printf(out, "%s, ", what);
	if (b64_decode(tok, len, &d) == -1)
		buf_adds(out, "invalid base64, ");
	else if (d.len > 0 && mech_user(r->mech, d.p, d.len, &u, &ulen)) {
		add_user(out, u, ulen);
		buf_adds(out, ", ");
	}
	buf_printf(out, "%zu bytes]", len);
	/* The decoded secret must not linger in freed memory. */
	if (d.p != NULL)
		explicit_bzero(d.p, d.cap);
	buf_free(&d);
}

/*
 * An AUTH LOGIN user name is not secret but base64: shown decoded,
 * "[what user=alice]".  Undecodable, it may be a misplaced password.
 */
static void
login_user(const char *what, const char *tok, size_t len, struct buf *out)
{
	struct buf	d = { 0 };

	if (b64_decode(tok, len, &d) == -1)
		buf_printf(out, "[redacted: AUTH LOGIN username, invalid "
		    "base64, %zu bytes]", len);
	else {
		buf_printf(out, "[%s", what);
		add_user(out, d.p != NULL ? d.p : "", d.len);
		buf_adds(out, "]");
	}
	buf_free(&d);
}

static bool
empty_response(const char *p, size_t len)
{
	return len == 0 || (len == 1 && p[0] == '=');
}

/* The client's answer to a challenge in a SASL exchange. */
static bool
sasl_response(struct redactor *r, const char *p, size_t len,
    struct buf *out)
{
	if (len == 1 && p[0] == '*') {
		reset(r);	/* cancelled */
		return false;
	}
	if (empty_response(p, len))
		return false;
	/* Only the first answer can be the user: a server asking for the
	 * password first must not have the next one shown. */
	if (r->mech != MECH_LOGIN)
		sasl_redacted(r, "SASL response", p, len, out);
	else if (!r->user_sent && r->prompt != PROMPT_PASSWORD)
		login_user("AUTH LOGIN ", p, len, out);
	else
		sasl_redacted(r, "AUTH LOGIN password", p, len, out);
	r->user_sent = true;
	r->prompt = PROMPT_NONE;
	return true;
}

/*
 * "AUTH mech [initial]" (and IMAP "tag AUTHENTICATE mech [initial]"):
 * pos is just after the verb, a mechanism follows (without one, AUTH
 * lists them in POP3).
 */
static bool
sasl_start(struct redactor *r, const char *p, size_t len, size_t pos,
    struct buf *out)
{
	const char	*w, *tok;
	size_t		 wl, toklen;

	wl = next_word(p, len, &pos, &w);
	reset(r);
	r->state = STATE_SASL;
	r->mech = mech_lookup(w, wl);
	engine_names(r, p, len);
	while (pos < len && is_sep(p[pos]))
		pos++;
	tok = p + pos;
	toklen = len - pos;
	while (toklen > 0 && is_sep(tok[toklen - 1]))
		toklen--;
	if (empty_response(tok, toklen))
		return false;
	buf_add(out, p, pos);
	if (r->mech == MECH_LOGIN) {
		r->user_sent = true;
		login_user("", tok, toklen, out);
	} else
		sasl_redacted(r, NULL, tok, toklen, out);
	if ((size_t)(tok - p) + toklen < len)
		buf_add(out, tok + toklen, len - (size_t)(tok - p) - toklen);
	return true;
}

/* "VERB [redacted: N bytes]": everything after the verb is secret. */
static bool
rest_secret(const char *p, size_t len, size_t pos, struct buf *out)
{
	while (pos < len && is_sep(p[pos]))
		pos++;
	if (pos == len)
		return false;
	buf_add(out, p, pos);
	buf_printf(out, "[redacted: %zu bytes]", len - pos);
	return true;
}

/*
 * Words follow pos: the verb has a mechanism.  No SASL answer has a
 * space (base64), so such a line starts an exchange, even inside one.
 */
static bool
more_words(const char *p, size_t len, size_t pos)
{
	const char	*w;

	return next_word(p, len, &pos, &w) > 0;
}

static bool
smtp_client(struct redactor *r, const char *p, size_t len, struct buf *out)
{
	const struct cred_verb	*cv;
	const char		*w;
	size_t			 wl, pos = 0;
	int			 i;

	wl = next_word(p, len, &pos, &w);
	if (word_is(w, wl, r->ops->auth_cmd) && more_words(p, len, pos))
		return sasl_start(r, p, len, pos, out);
	if (r->state == STATE_SASL)
		return sasl_response(r, p, len, out);
	for (cv = r->ops->cred_verbs; cv != NULL && cv->verb != NULL; cv++) {
		if (!word_is(w, wl, cv->verb))
			continue;
		for (i = 0; i < cv->skip; i++)
			if (next_word(p, len, &pos, &w) == 0)
				return false;
		return rest_secret(p, len, pos, out);
	}
	return false;
}

/* Parse an IMAP literal "{n}" or "{n+}" ending the line; n or -1. */
static int64_t
imap_literal(const char *w, size_t wl, bool last)
{
	int64_t	n = 0;
	size_t	i, end;

	if (!last || wl < 3 || w[0] != '{' || w[wl - 1] != '}')
		return -1;
	end = wl - 1;
	if (w[end - 1] == '+')
		end--;
	if (end == 1)
		return -1;
	for (i = 1; i < end; i++) {
		if (w[i] < '0' || w[i] > '9' || n > INT64_MAX / 20)
			return -1;
		n = n * 10 + (w[i] - '0');
	}
	return n;
}

/*
 * The end of an IMAP astring at pos: atom, quoted string (with \" and \\)
 * or, when the line ends, a literal.  *unterminated for a quote that
 * never closes.
 */
static size_t
imap_astring_end(const char *p, size_t len, size_t pos, bool *unterminated)
{
	*unterminated = false;
	if (p[pos] != '"') {
		while (pos < len && !is_sep(p[pos]))
			pos++;
		return pos;
	}
	for (pos++; pos < len; pos++) {
		if (p[pos] == '\\' && pos + 1 < len)
			pos++;
		else if (p[pos] == '"')
			return pos + 1;
	}
	*unterminated = true;
	return len;
}

/* LOGIN arguments from pos on: user (kept), password (hidden). */
static bool
imap_login_args(struct redactor *r, const char *p, size_t len, size_t pos,
    struct buf *out)
{
	size_t	 start, end;
	int64_t	 lit;
	bool	 unterminated, changed = false;

	while (r->login_arg < 2) {
		start = pos;
		while (pos < len && is_sep(p[pos]))
			pos++;
		if (pos == len)
			break;
		end = imap_astring_end(p, len, pos, &unterminated);
		buf_add(out, p + start, pos - start);
		lit = imap_literal(p + pos, end - pos, end == len);
		if (lit >= 0) {
			buf_add(out, p + pos, end - pos);
			if (lit > 0) {
				r->state = STATE_LITERAL;
				r->lit_left = (uint64_t)lit;
				r->lit_secret = r->login_arg == 1;
			}
			r->login_arg++;
			return changed;
		}
		if (r->login_arg == 1 || unterminated) {
			/* Whatever follows the user is hidden, junk too. */
			buf_printf(out, "[redacted: %zu bytes]", len - pos);
			r->login_arg = 2;
			return true;
		}
		buf_add(out, p + pos, end - pos);
		r->login_arg++;
		pos = end;
	}
	buf_add(out, p + pos, len - pos);
	return changed;
}

/* A client line that is (or starts with) the content of a literal. */
static bool
imap_literal_line(struct redactor *r, const char *p, size_t len,
    struct buf *out)
{
	size_t	take;
	bool	changed = false;

	take = r->lit_left < len ? (size_t)r->lit_left : len;
	if (r->lit_secret && len > 0) {
		/* The password and whatever follows it: nothing should. */
		buf_printf(out, "[redacted: %zu bytes]", len);
		changed = true;
	} else if (!r->lit_secret)
		buf_add(out, p, take);
	r->lit_left -= take;
	if (r->lit_left > 0) {
		/* The line break the session adds is part of the literal. */
		r->lit_left -= r->lit_left < 2 ? r->lit_left : 2;
		return changed;
	}
	if (r->lit_secret) {
		reset(r);
		return changed;
	}
	r->state = STATE_IDLE;
	if (imap_login_args(r, p, len, take, out))
		changed = true;
	if (r->state != STATE_LITERAL)
		reset(r);
	return changed;
}

static bool
imap_client(struct redactor *r, const char *p, size_t len, struct buf *out)
{
	const char	*tag, *cmd;
	size_t		 tl, cl, pos = 0;
	bool		 changed;

	if (r->state == STATE_LITERAL)
		return imap_literal_line(r, p, len, out);
	tl = next_word(p, len, &pos, &tag);
	cl = next_word(p, len, &pos, &cmd);
	if (!word_is(cmd, cl, "LOGIN") && !word_is(cmd, cl, "AUTHENTICATE") &&
	    (word_is(tag, tl, "LOGIN") || word_is(tag, tl, "AUTHENTICATE"))) {
		/* No tag: the command is the first word. */
		cmd = tag;
		cl = tl;
		tl = 0;
		pos = (size_t)(cmd - p) + cl;
	}
	if (word_is(cmd, cl, "AUTHENTICATE") && more_words(p, len, pos))
		return sasl_start(r, p, len, pos, out);
	if (r->state == STATE_SASL)
		return sasl_response(r, p, len, out);
	if (!word_is(cmd, cl, "LOGIN"))
		return false;
	reset(r);
	engine_names(r, p, len);
	buf_add(out, p, pos);
	changed = imap_login_args(r, p, len, pos, out);
	if (r->state != STATE_LITERAL)
		reset(r);
	return changed;
}

/*
 * A ManageSieve SASL word: a quoted string (its content is the base64),
 * or a literal announced on this line, whose bytes come as the next.
 */
static bool
sieve_word(const char *p, size_t len, const char **tok, size_t *toklen)
{
	if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
		*tok = p + 1;
		*toklen = len - 2;
		return true;
	}
	*tok = p;
	*toklen = len;
	return imap_literal(p, len, true) < 0;
}

/* AUTHENTICATE "MECH" ["initial" | {n+}], then one string per answer. */
static bool
sieve_client(struct redactor *r, const char *p, size_t len, struct buf *out)
{
	const char	*w, *tok;
	size_t		 wl, toklen, pos = 0, start;

	wl = next_word(p, len, &pos, &w);
	if (r->state != STATE_SASL || r->lit_left == 0) {
		if (word_is(w, wl, r->ops->auth_cmd) &&
		    more_words(p, len, pos)) {
			reset(r);
			r->state = STATE_SASL;
			engine_names(r, p, len);
			wl = next_word(p, len, &pos, &w);
			if (wl >= 2 && w[0] == '"' && w[wl - 1] == '"')
				r->mech = mech_lookup(w + 1, wl - 2);
			else
				r->mech = mech_lookup(w, wl);
			while (pos < len && is_sep(p[pos]))
				pos++;
			start = pos;
			while (len > start && is_sep(p[len - 1]))
				len--;
			if (start == len)
				return false;
			if (!sieve_word(p + start, len - start, &tok, &toklen)) {
				r->lit_left = 1;	/* its line is next */
				return false;
			}
			buf_add(out, p, start);
			if (r->mech == MECH_LOGIN) {
				r->user_sent = true;
				login_user("", tok, toklen, out);
			} else
				sasl_redacted(r, NULL, tok, toklen, out);
			return true;
		}
		if (r->state != STATE_SASL)
			return false;
		if (!sieve_word(p, len, &tok, &toklen)) {
			r->lit_left = 1;
			return false;
		}
	} else {
		/* The bytes of a literal: the answer itself. */
		r->lit_left = 0;
		tok = p;
		toklen = len;
	}
	if (toklen == 1 && tok[0] == '*') {
		reset(r);	/* cancelled */
		return false;
	}
	if (toklen == 0)
		return false;
	if (!sasl_response(r, tok, toklen, out))
		return false;
	return true;
}

bool
redact_client(struct redactor *r, const char *p, size_t len, struct buf *out)
{
	size_t	was = out->len;
	bool	changed;

	/* Literals change how a line is read: IMAP's own parser. */
	if (r->ops->sasl_strings)
		changed = sieve_client(r, p, len, out);
	else if (r->ops->literals)
		changed = imap_client(r, p, len, out);
	else
		changed = smtp_client(r, p, len, out);
	if (!changed) {
		/* Leave the caller's buffer as it was. */
		out->len = was;
		if (out->cap > 0)
			out->p[was] = '\0';
	}
	return changed;
}

/*
 * What redact_client would make of a line, leaving the state as it is:
 * for a line not complete yet, or one that may never be sent.
 */
bool
redact_peek(const struct redactor *r, const char *p, size_t len,
    struct buf *out)
{
	struct redactor	copy = *r;

	return redact_client(&copy, p, len, out);
}

/*
 * An AUTH LOGIN challenge: does it ask for the user or the password?
 * Only a whole line is decoded; a prompt not understood asks for nothing,
 * and only the first answer of an exchange can be taken for the user.
 */
static void
challenge(struct redactor *r, const char *p, size_t len, bool whole)
{
	struct buf	d = { 0 };

	while (len > 0 && is_sep(p[0])) {
		p++;
		len--;
	}
	r->prompt = PROMPT_NONE;
	if (!whole || r->mech != MECH_LOGIN || b64_decode(p, len, &d) == -1 ||
	    d.len == 0) {
		buf_free(&d);
		return;
	}
	if (strncasecmp(d.p, "user", 4) == 0)
		r->prompt = PROMPT_USER;
	else if (strncasecmp(d.p, "pass", 4) == 0)
		r->prompt = PROMPT_PASSWORD;
	buf_free(&d);
}

/* A continuation the engine says awaits the client. */
static void
continuation(struct redactor *r, const struct event *ev, bool whole)
{
	bool	sasl;
	size_t	skip, n;

	if (r->ops->sasl_cont_code != 0) {
		/* Only AUTH is answered with 334 (354 is DATA's). */
		sasl = ev->cls.code == r->ops->sasl_cont_code;
		skip = 3;
	} else if (r->ops->literals) {
		/* "+" also asks for literals: only AUTHENTICATE is SASL. */
		sasl = r->state == STATE_SASL || (r->state == STATE_IDLE &&
		    ev_verb_is(ev, r->ops->auth_cmd));
		skip = 1;
	} else if (r->ops->sasl_strings) {
		/* ManageSieve: only AUTHENTICATE is answered with a string;
		 * its challenge is inside the quotes. */
		sasl = true;
		skip = ev->len > 0 && ev->data[0] == '"' ? 1 : 0;
	} else {
		/* POP3: only AUTH is answered with "+ ". */
		sasl = true;
		skip = 1;
	}
	if (!sasl)
		return;
	if (r->state != STATE_SASL) {
		/* An exchange the client did not name: every answer hidden. */
		reset(r);
		r->state = STATE_SASL;
		/* "?": a verb, though none of the protocol's. */
		snprintf(r->verb, sizeof r->verb, "%s", ev_verb(ev) != NULL ?
		    ev_verb(ev) : "?");
	}
	n = ev->len > skip ? ev->len - skip : 0;
	if (skip == 1 && r->ops->sasl_strings && n > 0 &&
	    ev->data[ev->len - 1] == '"')
		n--;
	challenge(r, ev->data + skip, n, whole);
}

/*
 * Does the line start with the exchange's tag?  The kept tag is cut to
 * PP_TAG_MAX - 1 like the engine's: a longer one matches on what was kept
 * only when cut is allowed.
 */
static bool
tag_is_ours(const struct redactor *r, const struct event *ev, bool cut)
{
	const char	*tag;
	size_t		 tl = ev_tag(ev, &tag), n = strlen(r->tag);

	if (tl == 0)
		return false;
	if (tl >= PP_TAG_MAX - 1 && n == PP_TAG_MAX - 1)
		return cut && memcmp(tag, r->tag, n) == 0;
	return tl == n && memcmp(tag, r->tag, n) == 0;
}

/*
 * Does a complete response end the exchange?  Not one begun before it:
 * the engine paired that with an earlier command when it began, maybe
 * one of the same verb.  A final piece of a cut line is judged by the tag
 * its first piece began with.
 */
static bool
ends_exchange(const struct redactor *r, const struct event *ev)
{
	const uint32_t	unsol = EVF_END | EVF_UNSOLICITED;

	if (!r->resp_new)
		return false;
	if (ev->cls.bits & EVC_FINAL)
		return (r->tag[0] == '\0' || r->line_ours) &&
		    (r->verb[0] == '\0' || ev->cls.verb ==
		    ev_verb_id(r->verb));
	if ((ev->flags & unsol) != unsol || ev->cls.status == RS_NONE)
		return false;
	/*
	 * Paired with nothing: the engine holds no command with this tag,
	 * so not ours (a tag cut to the engine's size could be another's).
	 * SMTP and POP3: it held none at all when this response began.
	 */
	if (r->ops->tagged)
		return r->line_ours_whole;
	return true;
}

void
redact_server(struct redactor *r, const struct event *ev)
{
	bool	whole = !r->cut;
	uint8_t	bits = ev->cls.bits;

	if (!r->in_resp)
		r->resp_new = true;
	if (whole) {
		r->line_ours = tag_is_ours(r, ev, true);
		r->line_ours_whole = tag_is_ours(r, ev, false);
	}
	r->in_resp = (ev->flags & EVF_END) == 0;
	r->cut = (ev->flags & EVF_SPLIT) != 0;
	/* A piece or a chunk completes nothing: the engine says final on
	 * the last piece of a line, with the first piece's classification. */
	if (ev->cls.status == RS_INTERMEDIATE && (bits & EVC_FINAL) &&
	    !(bits & EVC_GREETING))
		continuation(r, ev, whole);
	else if (r->state != STATE_IDLE &&
	    ev->cls.status != RS_INTERMEDIATE && ends_exchange(r, ev))
		reset(r);
}
