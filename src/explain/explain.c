/* SPDX-License-Identifier: ISC */
/*
 * Explain mode: plain words for one transcript event.  The text lives in
 * explain_data.c; this file finds the parts of a line that have a gloss.
 * Every gloss is one output line, "label: text (reference)" or, for what
 * concerns the event as a whole, "text (reference)"; every byte that came
 * from the wire goes through sanitize().
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "explain/explain.h"

/* Lower case letters and digits only: "CLIENT HELLO" ~ "ClientHello". */
static size_t
squash(const char *s, char *out, size_t size)
{
	size_t	n = 0;

	for (; *s != '\0' && n + 1 < size; s++)
		if (isalnum((unsigned char)*s))
			out[n++] = (char)tolower((unsigned char)*s);
	out[n] = '\0';
	return n;
}

/* Handshake step names vary ("ServerHello received", "SERVER HELLO"). */
static const struct explain_entry *
lookup_step(const struct explain_entry *v, size_t n, const char *key)
{
	const struct explain_entry	*best = NULL;
	char				 k[128], e[64];
	size_t				 i, len, bestlen = 0;

	squash(key, k, sizeof k);
	for (i = 0; i < n; i++) {
		len = squash(v[i].key, e, sizeof e);
		if (len > bestlen && strstr(k, e) != NULL) {
			best = &v[i];
			bestlen = len;
		}
	}
	return best;
}

/* Verification reasons begin with a stable phrase; the longest wins. */
static const struct explain_entry *
lookup_prefix(const struct explain_entry *v, size_t n, const char *key)
{
	const struct explain_entry	*best = NULL;
	size_t				 i, len, bestlen = 0;

	for (i = 0; i < n; i++) {
		len = strlen(v[i].key);
		if (len > bestlen && strncasecmp(key, v[i].key, len) == 0) {
			best = &v[i];
			bestlen = len;
		}
	}
	return best;
}

const struct explain_entry *
explain_lookup(enum explain_table t, const char *key)
{
	const struct explain_entry	*v;
	size_t				 n, i, len;

	if (key == NULL || (n = explain_table(t, &v)) == 0)
		return NULL;
	if (t == XT_TLS_STEP)
		return lookup_step(v, n, key);
	if (t == XT_VERIFY)
		return lookup_prefix(v, n, key);
	for (i = 0; i < n; i++)
		if (strcasecmp(key, v[i].key) == 0)
			return &v[i];
	/* Families such as AUTH= and THREAD= cover every value. */
	for (i = 0; i < n; i++) {
		len = strlen(v[i].key);
		if (len > 1 && v[i].key[len - 1] == '=' &&
		    strncasecmp(key, v[i].key, len) == 0)
			return &v[i];
	}
	return NULL;
}

const char *
explain_gloss(enum explain_table t, const char *key)
{
	const struct explain_entry	*e = explain_lookup(t, key);

	return e != NULL ? e->text : NULL;
}

const char *
explain_warning(const char *code)
{
	return explain_gloss(XT_WARNING, code);
}

/* The verb alone: completion offers "MAIL FROM:" and "RCPT TO:". */
const char *
explain_command(enum proto_id p, const char *verb)
{
	char	v[32];
	size_t	n;

	if (verb == NULL || (n = strcspn(verb, " :")) >= sizeof v)
		return NULL;
	memcpy(v, verb, n);
	v[n] = '\0';
	switch (p) {
	case PROTO_IMAP:
		return explain_gloss(XT_CMD_IMAP, v);
	case PROTO_POP3:
		return explain_gloss(XT_CMD_POP3, v);
	case PROTO_SIEVE:
		return explain_gloss(XT_CMD_SIEVE, v);
	case PROTO_SMTP:
	case PROTO_LMTP:
		break;
	}
	return explain_gloss(XT_CMD_SMTP, v);
}

const char *
explain_tls_field(const char *field)
{
	return explain_gloss(XT_TLS_FIELD, field);
}

const char *
explain_tls_step(const char *step)
{
	return explain_gloss(XT_TLS_STEP, step);
}

const char *
explain_verify_reason(const char *reason)
{
	return explain_gloss(XT_VERIFY, reason);
}

/* Output state: the buffer and how many glosses went in. */
struct gl {
	struct buf	*out;
	int		 n;
};

/* One gloss line; the label is wire bytes and is sanitized. */
static void
add(struct gl *g, const char *label, size_t len, const char *text)
{
	if (text == NULL)
		return;
	sanitize(label, len, g->out);
	buf_adds(g->out, ": ");
	buf_adds(g->out, text);
	buf_addc(g->out, '\n');
	g->n++;
}

static void
add_key(struct gl *g, enum explain_table t, const char *key)
{
	const struct explain_entry	*e = explain_lookup(t, key);

	if (e != NULL)
		add(g, key, strlen(key), e->text);
}

static void
add_lesson(struct gl *g, const char *key)
{
	const struct explain_entry	*e = explain_lookup(XT_LESSON, key);

	if (e == NULL)
		return;
	buf_adds(g->out, e->text);
	buf_addc(g->out, '\n');
	g->n++;
}

/* A bounded word: [p, p+len) copied out for the table lookups. */
struct word {
	char	s[64];
	size_t	len;
};

/*
 * Next word (up to a space or one of stop) at *pp; advances past it.  A
 * word too long or holding a NUL is passed over, never looked up.
 */
static bool
next_word(const char **pp, const char *end, const char *stop,
    struct word *w)
{
	const char	*p = *pp, *q;

	while (p < end && *p == ' ')
		p++;
	for (q = p; q < end && *q != ' ' && (*q == '\0' ||
	    strchr(stop, *q) == NULL); q++)
		;
	*pp = q;
	if (q == p || (size_t)(q - p) >= sizeof w->s ||
	    memchr(p, '\0', (size_t)(q - p)) != NULL)
		return false;
	memcpy(w->s, p, (size_t)(q - p));
	w->s[q - p] = '\0';
	w->len = (size_t)(q - p);
	return true;
}

/* Strict base64: the alphabet, padding at the end, length % 4 == 0. */
static bool
is_base64(const char *p, size_t len)
{
	size_t	i, pad = 0;

	if (len == 0 || len % 4 != 0)
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || !(isalnum((unsigned char)p[i]) ||
		    p[i] == '+' || p[i] == '/'))
			return false;
	}
	return pad <= 2;
}

/*
 * A SASL challenge: show what the base64 says when it is plain text (no
 * escape needed by sanitize()).  sasl: the line is known to be a challenge,
 * so an empty or binary one deserves a word too.
 */
static void
add_challenge(struct gl *g, const char *line, size_t linelen,
    const char *p, const char *end, bool sasl)
{
	struct buf	 dec = { 0 }, txt = { 0 };

	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	if (p == end) {
		if (sasl)
			add_lesson(g, "empty-challenge");
		return;
	}
	if (!is_base64(p, (size_t)(end - p)) ||
	    b64_decode(p, (size_t)(end - p), &dec) == -1 || dec.len == 0)
		goto out;
	if (sanitize(dec.p, dec.len, &txt) > 0) {
		if (sasl)
			add_lesson(g, "base64-binary");
		goto out;
	}
	sanitize(line, linelen, g->out);
	buf_adds(g->out, " = base64 for \"");
	buf_add(g->out, txt.p, txt.len);
	buf_adds(g->out, "\" (RFC 4648 §4, RFC 4954 §4)\n");
	g->n++;
out:
	buf_free(&dec);
	buf_free(&txt);
}

/* The enhanced status code the engine found: class, then detail or
 * subject ("5.7.8": "5", then "X.7.8" or "X.7.X"). */
static void
add_esc(struct gl *g, const struct event *ev)
{
	const char	*esc, *dot;
	char		 key[24];
	size_t		 n;

	if ((n = ev_esc(ev, &esc)) == 0 || n + 2 > sizeof key ||
	    (dot = memchr(esc + 2, '.', n - 2)) == NULL)
		return;
	snprintf(key, sizeof key, "%c", esc[0]);
	add(g, esc, n, explain_gloss(XT_ESC_CLASS, key));
	snprintf(key, sizeof key, "X.%.*s", (int)(n - 2), esc + 2);
	if (explain_lookup(XT_ESC_DETAIL, key) != NULL) {
		add(g, esc, n, explain_gloss(XT_ESC_DETAIL, key));
		return;
	}
	snprintf(key, sizeof key, "X.%.*s.X", (int)(dot - (esc + 2)), esc + 2);
	add(g, esc, n, explain_gloss(XT_ESC_SUBJECT, key));
}

/* The mechanisms after AUTH, SASL or AUTHENTICATE. */
static void
add_mechs(struct gl *g, const char *p, const char *end)
{
	struct word	w;

	while (p < end)
		if (next_word(&p, end, "", &w))
			add_key(g, XT_SASL, w.s);
}

static void
smtp_server(struct gl *g, const struct event *ev, const char *verb)
{
	const char	*p, *end = ev->data + ev->len;
	struct word	 w;
	char		 code[8], cls[2];

	if (ev->cls.code == 0)
		return;
	p = ev->data + (ev->len > 3 ? 4 : ev->len);
	/* An EHLO line names one extension: that is the news. */
	if (ev->cls.code == 250 && (verb == NULL ||
	    strcmp(verb, "EHLO") == 0 || strcmp(verb, "LHLO") == 0)) {
		const char	*q = p;

		if (next_word(&q, end, "=", &w) &&
		    explain_lookup(XT_EHLO, w.s) != NULL) {
			add_key(g, XT_EHLO, w.s);
			if (strcasecmp(w.s, "AUTH") == 0)
				add_mechs(g, q < end && *q == '=' ? q + 1 : q,
				    end);
			return;
		}
	}
	snprintf(code, sizeof code, "%03u", ev->cls.code);
	snprintf(cls, sizeof cls, "%c", code[0]);
	add(g, code, 3, explain_gloss(XT_SMTP_CLASS, cls));
	add(g, code, 3, explain_gloss(XT_SMTP_CODE, code));
	if (ev->cls.code == 334) {
		add_challenge(g, ev->data, ev->len, p, end, true);
		return;
	}
	add_esc(g, ev);
}

/* The words after "[CAPABILITY" or "* CAPABILITY". */
static void
imap_caps(struct gl *g, const char *p, const char *end)
{
	struct word	 w;
	const char	*eq;

	while (p < end) {
		if (!next_word(&p, end, "]", &w)) {
			if (p < end && *p == ']')
				return;
			continue;
		}
		add_key(g, XT_IMAP_CAP, w.s);
		if (strncasecmp(w.s, "AUTH=", 5) == 0 &&
		    (eq = strchr(w.s, '=')) != NULL)
			add_key(g, XT_SASL, eq + 1);
	}
}

/* "[CODE ...]" after a status word. */
static void
imap_code(struct gl *g, const char *p, const char *end)
{
	struct word	w;

	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != '[')
		return;
	p++;
	if (!next_word(&p, end, "]", &w))
		return;
	add_key(g, XT_IMAP_CODE, w.s);
	if (strcasecmp(w.s, "CAPABILITY") == 0)
		imap_caps(g, p, end);
}

/* The status words of IMAP and POP3 by the engine's status. */
static const char *const imap_status[RS_MAX] = {
	[RS_OK] = "OK", [RS_NO] = "NO", [RS_BAD] = "BAD", [RS_BYE] = "BYE",
	[RS_PREAUTH] = "PREAUTH",
};
static const char *const pop3_status[RS_MAX] = {
	[RS_OK] = "+OK", [RS_NO] = "-ERR",
};

static void
imap_server(struct gl *g, const struct event *ev, const char *verb)
{
	const char	*p = ev->data, *end = p + ev->len, *tag, *st;
	struct word	 w;
	size_t		 tl;

	if (ev->cls.status == RS_INTERMEDIATE) {
		add_key(g, XT_IMAP_STATUS, "+");
		add_challenge(g, ev->data, ev->len, p + 1, end, verb != NULL &&
		    strcmp(verb, "AUTHENTICATE") == 0);
		return;
	}
	if ((tl = ev_tag(ev, &tag)) > 0) {
		add(g, tag, tl, explain_gloss(XT_IMAP_STATUS, "TAGGED"));
		p += tl;
	} else if (!next_word(&p, end, "", &w) || strcmp(w.s, "*") != 0)
		return;
	else
		add_key(g, XT_IMAP_STATUS, "*");
	if ((st = imap_status[ev->cls.status]) != NULL) {
		add_key(g, XT_IMAP_STATUS, st);
		next_word(&p, end, "", &w);
		imap_code(g, p, end);
		return;
	}
	if (!next_word(&p, end, "", &w))
		return;
	if (isdigit((unsigned char)w.s[0]) && !next_word(&p, end, "(", &w))
		return;
	add_key(g, XT_IMAP_DATA, w.s);
	if (strcasecmp(w.s, "CAPABILITY") == 0)
		imap_caps(g, p, end);
}

static void
pop3_server(struct gl *g, const struct event *ev, const char *verb)
{
	const char	*p = ev->data, *end = p + ev->len, *st;
	struct word	 w;

	if (ev->cls.status == RS_INTERMEDIATE) {
		add_key(g, XT_POP3_STATUS, "+");
		add_challenge(g, ev->data, ev->len, p + 1, end, verb != NULL &&
		    strcmp(verb, "AUTH") == 0);
		return;
	}
	/* The end of a multi-line response carries its status. */
	if (ev->cls.status == RS_OK && ev->len == 1 && p[0] == '.') {
		add_key(g, XT_POP3_STATUS, ".");
		return;
	}
	if (!next_word(&p, end, "", &w))
		return;
	if ((st = pop3_status[ev->cls.status]) != NULL) {
		add_key(g, XT_POP3_STATUS, st);
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '[') {
			p++;
			if (next_word(&p, end, "]", &w))
				add_key(g, XT_POP3_CODE, w.s);
		}
		return;
	}
	/* A CAPA listing line. */
	if (verb != NULL && strcmp(verb, "CAPA") != 0)
		return;
	add_key(g, XT_POP3_CAPA, w.s);
	if (strcasecmp(w.s, "SASL") == 0)
		add_mechs(g, p, end);
}

static const char *const sieve_status[RS_MAX] = {
	[RS_OK] = "OK", [RS_NO] = "NO", [RS_BYE] = "BYE",
};

/* The first quoted string from p: its content as a word. */
static bool
sieve_string(const char **pp, const char *end, struct word *w)
{
	const char	*p = *pp;

	while (p < end && *p == ' ')
		p++;
	if (p == end || *p != '"')
		return false;
	p++;
	*pp = p;
	return next_word(pp, end, "\"", w);
}

static void
sieve_server(struct gl *g, const struct event *ev, const char *verb)
{
	const char	*p = ev->data, *end = p + ev->len, *st;
	struct word	 w;

	if (ev->cls.status == RS_INTERMEDIATE) {
		add_key(g, XT_SIEVE_STATUS, "challenge");
		if (ev->len >= 2 && p[0] == '"' && end[-1] == '"')
			add_challenge(g, ev->data, ev->len, p + 1, end - 1,
			    true);
		return;
	}
	if (ev->len > 2 && end[-1] == '}' && memchr(p, '{', ev->len) != NULL)
		add_key(g, XT_SIEVE_STATUS, "literal");
	if ((st = sieve_status[ev->cls.status]) != NULL) {
		add_key(g, XT_SIEVE_STATUS, st);
		next_word(&p, end, "", &w);
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '(') {
			p++;
			if (next_word(&p, end, ")", &w))
				add_key(g, XT_SIEVE_CODE, w.s);
		}
		return;
	}
	/* A capability line: "NAME" "value". */
	if (!(ev->cls.bits & EVC_GREETING) &&
	    (verb == NULL || strcmp(verb, "CAPABILITY") != 0))
		return;
	if (!sieve_string(&p, end, &w))
		return;
	add_key(g, XT_SIEVE_CAP, w.s);
	if (strcasecmp(w.s, "SASL") == 0 && p < end) {
		p++;
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '"')
			p++;
		add_mechs(g, p, end[-1] == '"' ? end - 1 : end);
	}
}

/* A line the client sent: its verb as the engine read it. */
static void
client_line(struct gl *g, const struct event *ev, enum proto_id proto)
{
	const char		*p = ev->data, *end = p + ev->len, *verb, *tag;
	struct word		 w;
	enum explain_table	 t = XT_CMD_SMTP;
	bool			 literal = proto == PROTO_IMAP && ev->len > 2 &&
				    p[ev->len - 1] == '}';

	if (proto == PROTO_IMAP)
		t = XT_CMD_IMAP;
	else if (proto == PROTO_POP3)
		t = XT_CMD_POP3;
	else if (proto == PROTO_SIEVE)
		t = XT_CMD_SIEVE;
	verb = ev_verb(ev);
	/* The one answer IDLE's continuation takes (RFC 2177). */
	if ((ev->cls.bits & EVC_CONT) && verb != NULL &&
	    strcmp(verb, "IDLE") == 0) {
		add_key(g, t, "DONE");
		return;
	}
	if ((ev->cls.bits & EVC_CONT) || verb == NULL ||
	    explain_lookup(t, verb) == NULL) {
		if (literal)
			add_lesson(g, "imap-literal");
		return;
	}
	add_key(g, t, verb);
	/* Past the tag and the verb: the argument that says more. */
	p += ev_tag(ev, &tag);
	next_word(&p, end, ":", &w);
	if (strcmp(verb, "UID") == 0 && next_word(&p, end, "", &w))
		add_key(g, t, w.s);
	if (strcmp(verb, "AUTH") == 0 || strcmp(verb, "AUTHENTICATE") == 0) {
		/* ManageSieve quotes the mechanism. */
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '"')
			p++;
		if (next_word(&p, end, "\"", &w))
			add_key(g, XT_SASL, w.s);
	}
	if (literal)
		add_lesson(g, "imap-literal");
}

/* What the framer noticed about the bytes, one gloss per flag. */
static void
add_flags(struct gl *g, uint32_t flags)
{
	const char	*name;
	uint32_t	 bit;

	for (bit = 1; bit != 0 && bit <= flags; bit <<= 1) {
		if ((flags & bit) == 0 || bit == EVF_END ||
		    bit == EVF_SECURITY)
			continue;
		if ((name = ev_flag_name(bit)) != NULL)
			add_key(g, XT_FLAG, name);
	}
}

static void
explain_data(struct gl *g, const struct event *ev, enum proto_id proto)
{
	const char	*verb = ev_verb(ev);

	if (ev->flags & (EVF_LITERAL | EVF_BODY | EVF_INJECTED))
		;	/* content, not protocol: the flags say it all */
	else if (ev->dir == DIR_CLIENT) {
		client_line(g, ev, proto);
		if (g->n == 0 && (ev->flags & EVF_REDACTED))
			add_lesson(g, "auth-continue");
	} else if (proto == PROTO_IMAP)
		imap_server(g, ev, verb);
	else if (proto == PROTO_POP3)
		pop3_server(g, ev, verb);
	else if (proto == PROTO_SIEVE)
		sieve_server(g, ev, verb);
	else
		smtp_server(g, ev, verb);
	if (ev->dir == DIR_SERVER && (ev->cls.bits & EVC_TLS_GO))
		add_lesson(g, "starttls-go");
	add_flags(g, ev->flags);
}

/* The summary fields present, and a word on old versions. */
static void
explain_facts(struct gl *g, const struct tls_facts *f)
{
	const char	*names[] = { "version", "cipher", "kx", "group", "mac",
			    "signature", "SNI", "ALPN", "OCSP" };
	const char	*vals[] = { f->version, f->cipher, f->kx, f->group,
			    f->mac, f->sigalg, f->sni, f->alpn, f->ocsp };
	const char	*v = f->version;
	size_t		 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (vals[i] != NULL)
			add_key(g, XT_TLS_FIELD, names[i]);
	if (f->resumed)
		add_key(g, XT_TLS_FIELD, "resumed");
	if (v != NULL && (strncasecmp(v, "SSL", 3) == 0 ||
	    strcasecmp(v, "TLS1.0") == 0 || strcasecmp(v, "TLS1.1") == 0))
		add_lesson(g, "deprecated-version");
	else if (v != NULL && strcasecmp(v, "TLS1.2") == 0)
		add_lesson(g, "tls12");
}

static void
explain_verify(struct gl *g, const struct tls_facts *f)
{
	const struct tls_verify	*vf;
	const char		*r;
	size_t			 i;

	if (f == NULL)
		return;
	vf = &f->verify;
	add_lesson(g, vf->ok ? "verified" : "not-verified");
	if (!vf->ok)
		add_lesson(g, "client-unverified");
	if (vf->trust != NULL)
		add_key(g, XT_TRUST, vf->trust);
	for (i = 0; i < vf->reasons.n; i++) {
		r = vf->reasons.v[i];
		add(g, r, strlen(r), explain_verify_reason(r));
	}
	if (f->dane.checked) {
		/* A recording may lack any of them. */
		if ((r = f->dane.verdict) != NULL)
			add(g, r, strlen(r), explain_verify_reason(r));
		for (i = 0; i < f->dane.nrrs; i++)
			if ((r = f->dane.rrs[i].result) != NULL)
				add(g, r, strlen(r), explain_verify_reason(r));
	}
	if (f->sts.checked && (r = f->sts.verdict) != NULL)
		add(g, r, strlen(r), explain_verify_reason(r));
	if (f->pin.checked && !f->pin.ok)
		add(g, "pin NOT matched", 15,
		    explain_verify_reason("pin NOT matched"));
}

static bool
is_login_cap(enum proto_id proto, const char *cap)
{
	switch (proto) {
	case PROTO_IMAP:
		return strncasecmp(cap, "AUTH=", 5) == 0;
	case PROTO_POP3:
		return strcasecmp(cap, "USER") == 0 ||
		    strncasecmp(cap, "SASL", 4) == 0;
	case PROTO_SIEVE:
		return strncasecmp(cap, "SASL", 4) == 0;
	case PROTO_SMTP:
	case PROTO_LMTP:
		break;
	}
	return strncasecmp(cap, "AUTH", 4) == 0;
}

static void
explain_capdiff(struct gl *g, const struct ev_extra *x, enum proto_id proto)
{
	size_t	i;
	bool	auth = false, other_add = false, other_rm = false;

	add_lesson(g, proto == PROTO_IMAP ? "capdiff-imap" :
	    proto == PROTO_POP3 ? "capdiff-pop3" : proto == PROTO_SIEVE ?
	    "capdiff-sieve" : "capdiff-smtp");
	if (x == NULL)
		return;
	for (i = 0; i < x->added.n; i++) {
		if (is_login_cap(proto, x->added.v[i]))
			auth = true;
		else
			other_add = true;
	}
	if (auth)
		add_lesson(g, "capdiff-auth-added");
	if (other_add)
		add_lesson(g, "capdiff-added");
	for (i = 0; i < x->removed.n; i++) {
		const char	*c = x->removed.v[i];

		if (strcasecmp(c, "STARTTLS") == 0)
			add_lesson(g, "capdiff-starttls-removed");
		else if (strcasecmp(c, "STLS") == 0)
			add_lesson(g, "capdiff-stls-removed");
		else if (strcasecmp(c, "LOGINDISABLED") == 0)
			add_lesson(g, "capdiff-logindisabled-removed");
		else
			other_rm = true;
	}
	if (other_rm)
		add_lesson(g, "capdiff-removed");
	if (x->added.n == 0 && x->removed.n == 0)
		add_lesson(g, "capdiff-unchanged");
}

static void
explain_dns(struct gl *g, const struct ev_extra *x)
{
	const struct dns_answer	*a = x != NULL ? x->dns : NULL;
	size_t			 i;

	if (a == NULL || a->error != NULL)
		return;
	add_lesson(g, a->sec == DNS_SECURE ? "dns-secure" :
	    a->sec == DNS_BOGUS ? "dns-bogus" : "dns-insecure");
	if (a->type == NULL)
		return;
	if (strcmp(a->type, "MX") == 0) {
		for (i = 0; i < a->records.n; i++)
			if (strcmp(a->records.v[i], "0 .") == 0)
				add_key(g, XT_WARNING, "null-mx");
		if (a->records.n == 0 && a->rcode != NULL &&
		    strcmp(a->rcode, "NOERROR") == 0)
			add_lesson(g, "implicit-mx");
	}
	if (strcmp(a->type, "TXT") == 0 && a->name != NULL &&
	    strncasecmp(a->name, "_smtp._tls.", 11) == 0)
		add_lesson(g, "dns-tlsrpt");
	if (strcmp(a->type, "TXT") == 0 && a->name != NULL &&
	    strncasecmp(a->name, "_mta-sts.", 9) == 0)
		add_lesson(g, "dns-mta-sts");
}

/* What a client must do about an attack a warning names. */
static const char *
client_lesson(const char *code)
{
	static const struct {
		const char	*code, *lesson;
	} map[] = {
		{ "starttls-stripped", "client-stripped" },
		{ "no-starttls", "client-stripped" },
		{ "starttls-refused", "client-refused" },
		{ "response-injection", "client-injection" },
		{ "plaintext-auth", "client-plaintext-auth" },
	};
	size_t	i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].code, code) == 0)
			return map[i].lesson;
	return "";
}

int
explain_event(const struct event *ev, enum proto_id proto,
    struct buf *out)
{
	struct gl	 g = { out, 0 };
	const char	*code;

	if (ev == NULL || ev->data == NULL)
		return 0;
	switch ((enum ev_kind)ev->kind) {
	case EV_DATA:
		explain_data(&g, ev, proto);
		break;
	case EV_CONNECT:
		add_lesson(&g, ev->chan == CHAN_TLS ? "connect-tls" :
		    "connect-plain");
		break;
	case EV_TLS_STEP:
		add(&g, ev->data, ev->len, explain_tls_step(ev->data));
		break;
	case EV_TLS_ESTABLISHED:
		add_lesson(&g, "tls-established");
		if (ev_extra(ev) != NULL && ev_extra(ev)->tls != NULL)
			explain_facts(&g, ev_extra(ev)->tls);
		break;
	case EV_VERIFY:
		explain_verify(&g, ev_extra(ev) != NULL ? ev_extra(ev)->tls : NULL);
		break;
	case EV_CAPDIFF:
		explain_capdiff(&g, ev_extra(ev), proto);
		break;
	case EV_INFO:
	case EV_WARNING:
	case EV_ERROR:
		if (ev_extra(ev) != NULL && (code = ev_extra(ev)->code) != NULL) {
			add(&g, code, strlen(code), explain_warning(code));
			add_lesson(&g, client_lesson(code));
		}
		break;
	case EV_DNS:
		explain_dns(&g, ev_extra(ev));
		break;
	case EV_NOTE:
	case EV_MARK:
	case EV_CLOSE:
	case EV_STATE:
	case EV_CAPS:
	case EV_READY:
	case EV_VERDICT:
	case EV_KIND_MAX:
		break;
	}
	return g.n;
}
