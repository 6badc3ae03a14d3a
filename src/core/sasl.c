/* SPDX-License-Identifier: ISC */
/*
 * The one SASL client, for :auth (screen and batch) and probe --auth:
 * GNU SASL builds each mechanism's messages; the session carries them
 * (the protocol's verb, continuations, the rule on whether the secret
 * may go at all).  With no mechanism named, the best one the server
 * offers for the kind of secret given is taken: SCRAM (bound to the TLS
 * channel where it can be) over CRAM-MD5 over DIGEST-MD5 over PLAIN over
 * LOGIN for a password, OAUTHBEARER over XOAUTH2 for a bearer token.
 *
 * OAUTHBEARER (RFC 7628) and XOAUTH2 are built here: this GNU SASL has
 * neither, and each is one message.  Everything else is GNU SASL's.
 *
 * sasl_note() words one message of the exchange for the transcript:
 * what it carries, decoded where that teaches and is not secret.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsasl.h>

#include "core/core.h"

enum own {
	OWN_NONE,		/* GNU SASL's */
	OWN_OAUTHBEARER,
	OWN_XOAUTH2,
};

struct sasl {
	Gsasl_session	*s;
	int		 i;		/* in mechs[] */
	int		 step;		/* client messages made */
	struct buf	 first;		/* own: the initial message */
};

/* Best first within a kind of secret; those sending it last. */
static const struct {
	const char	*name;
	bool		 client_first;	/* has an initial response */
	bool		 cb;		/* needs channel binding */
	enum sasl_secret secret;
	enum own	 own;
} mechs[] = {
	{ "SCRAM-SHA-256-PLUS",	true,	true,	SASL_PASSWORD,	OWN_NONE },
	{ "SCRAM-SHA-1-PLUS",	true,	true,	SASL_PASSWORD,	OWN_NONE },
	{ "SCRAM-SHA-256",	true,	false,	SASL_PASSWORD,	OWN_NONE },
	{ "SCRAM-SHA-1",	true,	false,	SASL_PASSWORD,	OWN_NONE },
	{ "CRAM-MD5",		false,	false,	SASL_PASSWORD,	OWN_NONE },
	{ "DIGEST-MD5",		false,	false,	SASL_PASSWORD,	OWN_NONE },
	{ "PLAIN",		true,	false,	SASL_PASSWORD,	OWN_NONE },
	{ "LOGIN",		false,	false,	SASL_PASSWORD,	OWN_NONE },
	{ "OAUTHBEARER",	true,	false,	SASL_TOKEN,	OWN_OAUTHBEARER },
	{ "XOAUTH2",		true,	false,	SASL_TOKEN,	OWN_XOAUTH2 },
	/* The identity is the certificate's or the ticket's: never
	 * chosen unasked. */
	{ "EXTERNAL",		true,	false,	SASL_NO_SECRET,	OWN_NONE },
	{ "GSSAPI",		true,	false,	SASL_NO_SECRET,	OWN_NONE },
};
#define NMECHS	(sizeof mechs / sizeof mechs[0])

static Gsasl	*ctx;

static const char	*sasl_names(void);

static Gsasl *
sasl_ctx(void)
{
	if (ctx == NULL && gsasl_init(&ctx) != GSASL_OK)
		fatalx("GNU SASL cannot start");
	return ctx;
}

static int
mech_index(const char *name)
{
	size_t	i;

	for (i = 0; i < NMECHS; i++)
		if (strcasecmp(mechs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool
mech_built(size_t i)
{
	return mechs[i].own != OWN_NONE ||
	    gsasl_client_support_p(sasl_ctx(), mechs[i].name);
}

/* What mech needs: a password, a token or nothing; -1: unknown. */
int
sasl_secret_kind(const char *mech)
{
	int	i;

	if ((i = mech_index(mech)) == -1 || !mech_built((size_t)i))
		return -1;
	return (int)mechs[i].secret;
}

/* The best mechanism of offered we speak for this secret; NULL: none. */
const char *
sasl_choose(const struct strv *offered, bool cb, enum sasl_secret kind)
{
	size_t	i;

	for (i = 0; i < NMECHS; i++)
		if (mechs[i].secret == kind && kind != SASL_NO_SECRET &&
		    (cb || !mechs[i].cb) && strv_has(offered, mechs[i].name) &&
		    mech_built(i))
			return mechs[i].name;
	return NULL;
}

/* OAUTHBEARER's and XOAUTH2's one message. */
static void
own_first(struct sasl *a, const struct sasl_login *l)
{
	const char	*user = l->user != NULL ? l->user : "";

	if (mechs[a->i].own == OWN_XOAUTH2)
		buf_printf(&a->first, "user=%s\001auth=Bearer %s\001\001",
		    user, l->secret);
	else {
		/* RFC 7628 3.1: gs2 header, then key=value pairs. */
		buf_printf(&a->first, "n,a=%s,\001", user);
		if (l->host != NULL)
			buf_printf(&a->first, "host=%s\001", l->host);
		if (l->port != NULL)
			buf_printf(&a->first, "port=%s\001", l->port);
		buf_printf(&a->first, "auth=Bearer %s\001\001", l->secret);
	}
}

/*
 * A client for mech (NULL: the best of offered for l's secret) with
 * what l gives.  Its strings are copied.
 */
struct sasl *
sasl_new(const char *mech, const struct strv *offered,
    const struct sasl_login *l, char *err, size_t errlen)
{
	static const char *const kinds[] = {
		"a password (--auth-password-file, MAILSCOPE_PASSWORD)",
		"a bearer token (--auth-token-file)",
		"no secret",
	};
	struct sasl	*a;
	int		 i, rc;

	if (mech == NULL && (mech = sasl_choose(offered, l->cb != NULL,
	    l->token ? SASL_TOKEN : SASL_PASSWORD)) == NULL) {
		snprintf(err, errlen, "the server offers no mechanism "
		    "mailscope speaks for a %s (%s)", l->token ? "token" :
		    "password", sasl_names());
		return NULL;
	}
	if ((i = mech_index(mech)) == -1 || !mech_built((size_t)i)) {
		snprintf(err, errlen, "mechanism %.40s unknown (%s)", mech,
		    (i != -1 && strcmp(mechs[i].name, "GSSAPI") == 0) ?
		    "this GNU SASL is built without GSSAPI" : sasl_names());
		return NULL;
	}
	if (mechs[i].cb && l->cb == NULL) {
		snprintf(err, errlen, "%s needs TLS 1.3 (its channel "
		    "binding)", mechs[i].name);
		return NULL;
	}
	if (mechs[i].secret != SASL_NO_SECRET && (l->secret == NULL ||
	    l->token != (mechs[i].secret == SASL_TOKEN))) {
		snprintf(err, errlen, "%s takes %s", mechs[i].name,
		    kinds[mechs[i].secret]);
		return NULL;
	}
	if (mechs[i].secret != SASL_NO_SECRET && (l->user == NULL ||
	    *l->user == '\0')) {
		snprintf(err, errlen, "%s needs a user name", mechs[i].name);
		return NULL;
	}
	a = xcalloc(1, sizeof *a);
	a->i = i;
	if (mechs[i].own != OWN_NONE) {
		own_first(a, l);
		return a;
	}
	if ((rc = gsasl_client_start(sasl_ctx(), mechs[i].name, &a->s)) !=
	    GSASL_OK) {
		snprintf(err, errlen, "%s: %s", mechs[i].name,
		    gsasl_strerror(rc));
		free(a);
		return NULL;
	}
	if (mechs[i].secret == SASL_NO_SECRET) {
		/* The user names whom to act as; none: the credential's. */
		if (l->user != NULL && *l->user != '\0')
			gsasl_property_set(a->s, GSASL_AUTHZID, l->user);
	} else {
		gsasl_property_set(a->s, GSASL_AUTHID, l->user);
		gsasl_property_set(a->s, GSASL_PASSWORD, l->secret);
	}
	if (l->service != NULL)
		gsasl_property_set(a->s, GSASL_SERVICE, l->service);
	if (l->host != NULL)
		gsasl_property_set(a->s, GSASL_HOSTNAME, l->host);
	/* Only for -PLUS: GNU SASL's plain SCRAM fails when it is set. */
	if (l->cb != NULL && mechs[i].cb)
		gsasl_property_set(a->s, GSASL_CB_TLS_EXPORTER, l->cb);
	return a;
}

const char *
sasl_mech(const struct sasl *a)
{
	return mechs[a->i].name;
}

/* Whether the first message may ride on the command itself. */
bool
sasl_client_first(const struct sasl *a)
{
	return mechs[a->i].client_first;
}

/*
 * The answer (base64) to the server's challenge (base64, NULL before
 * the first).  Returns 0 with out set, -1 with err: the caller cancels.
 */
int
sasl_step(struct sasl *a, const char *challenge, struct buf *out,
    char *err, size_t errlen)
{
	char	*msg = NULL;
	int	 rc;

	if (mechs[a->i].own != OWN_NONE) {
		/*
		 * One message; a challenge after it is the server's error
		 * (RFC 7628 3.2.3): OAUTHBEARER ends it with ^A, XOAUTH2
		 * with an empty answer.
		 */
		if (a->step++ == 0)
			b64_encode(a->first.p, a->first.len, out);
		else if (mechs[a->i].own == OWN_OAUTHBEARER)
			buf_adds(out, "AQ==");
		else
			buf_adds(out, "");
		buf_wipe(&a->first);
		return 0;
	}
	a->step++;
	rc = gsasl_step64(a->s, challenge != NULL ? challenge : "", &msg);
	if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE) {
		snprintf(err, errlen, "%s: %s", mechs[a->i].name,
		    gsasl_strerror(rc));
		free(msg);
		return -1;
	}
	buf_adds(out, msg != NULL ? msg : "");
	if (msg != NULL) {
		explicit_bzero(msg, strlen(msg));
		gsasl_free(msg);
	}
	return 0;
}

void
sasl_free(struct sasl *a)
{
	if (a == NULL)
		return;
	if (a->s != NULL)
		gsasl_finish(a->s);
	buf_wipe(&a->first);
	free(a);
}

/* The mechanisms we speak, lower case: completion. */
void
sasl_mech_names(struct strv *out)
{
	const char	*m;
	char		 name[32];
	size_t		 i, j;

	for (i = 0; i < NMECHS; i++) {
		if (!mech_built(i))
			continue;
		m = mechs[i].name;
		for (j = 0; m[j] != '\0'; j++)
			name[j] = (char)tolower((unsigned char)m[j]);
		name[j] = '\0';
		strv_add(out, name);
	}
}

/* ... and for messages. */
static const char *
sasl_names(void)
{
	static struct buf	names;
	struct strv		sv = { 0 };
	size_t			i;

	if (names.len == 0) {
		sasl_mech_names(&sv);
		for (i = 0; i < sv.n; i++)
			buf_printf(&names, "%s%s", i > 0 ? ", " : "",
			    sv.v[i]);
		strv_clear(&sv);
	}
	return names.p;
}

/* --- the exchange in words ------------------------------------------- */

/* The value of "key=" in a comma-separated list; its length or -1. */
static int
attr(const char *d, size_t n, const char *key, const char **v)
{
	size_t	kl = strlen(key), i = 0, end;

	while (i < n) {
		end = i;
		while (end < n && d[end] != ',')
			end++;
		if (end - i > kl && memcmp(d + i, key, kl) == 0 &&
		    d[i + kl] == '=') {
			*v = d + i + kl + 1;
			return (int)(end - i - kl - 1);
		}
		i = end + 1;
	}
	return -1;
}

/* A JSON error or a prompt: shown as it came, sanitized by the views. */
static void
quoted(struct buf *out, const char *d, size_t n)
{
	buf_addc(out, '"');
	buf_add(out, d, n > 200 ? 200 : n);
	if (n > 200)
		buf_adds(out, "...");
	buf_addc(out, '"');
}

static void
scram_server(const char *d, size_t n, struct buf *out)
{
	const char	*r, *s, *it, *v;
	struct buf	 salt = { 0 };
	int		 rl, sl, il, vl;

	if ((vl = attr(d, n, "e", &v)) >= 0) {
		buf_printf(out, "SCRAM server-final: error \"%.*s\"", vl, v);
		return;
	}
	if ((vl = attr(d, n, "v", &v)) >= 0) {
		buf_adds(out, "SCRAM server-final: the server's signature "
		    "(v=) proves it holds the salted password too; GNU SASL "
		    "checked it (a mismatch cancels)");
		return;
	}
	rl = attr(d, n, "r", &r);
	sl = attr(d, n, "s", &s);
	il = attr(d, n, "i", &it);
	if (rl < 0 || sl < 0 || il < 0) {
		buf_adds(out, "SCRAM: a message without r=, s= and i=");
		return;
	}
	b64_decode(s, (size_t)sl, &salt);
	buf_printf(out, "SCRAM server-first: nonce %.*s (the client's, "
	    "then the server's part), salt %.*s (%zu bytes), %.*s "
	    "iterations: each side derives the salted password with PBKDF2 "
	    "locally; the password itself never crosses the wire", rl, r,
	    sl, s, salt.len, il, it);
	buf_free(&salt);
}

static void
scram_client(const char *d, size_t n, int step, struct buf *out)
{
	const char	*u, *r, *c;
	int		 ul, rl, cl;

	if (step == 1) {
		ul = attr(d, n, "n", &u);
		rl = attr(d, n, "r", &r);
		buf_printf(out, "SCRAM client-first: user %.*s, client nonce "
		    "%.*s, channel binding %s", ul < 0 ? 0 : ul, u,
		    rl < 0 ? 0 : rl, r, n > 0 && d[0] == 'p' ? "tls-exporter "
		    "(the proof will be bound to this TLS session)" : n > 0 &&
		    d[0] == 'y' ? "possible but not offered by the server" :
		    "none");
		return;
	}
	cl = attr(d, n, "c", &c);
	buf_printf(out, "SCRAM client-final: the channel binding (c=%.*s), "
	    "the whole nonce and the proof (p=, hidden): an HMAC over this "
	    "exchange keyed from the salted password, proving the password "
	    "without sending it", cl < 0 ? 0 : cl, c);
}

/* DIGEST-MD5's attributes, response= left out. */
static void
digest_attrs(const char *d, size_t n, struct buf *out)
{
	size_t	i = 0, end;
	bool	q = false, first = true;

	while (i < n) {
		while (i < n && (d[i] == ' ' || d[i] == '\t'))
			i++;
		for (end = i; end < n && (q || d[end] != ','); end++)
			if (d[end] == '"')
				q = !q;
		if (end - i < 9 || strncmp(d + i, "response=", 9) != 0) {
			buf_adds(out, first ? "" : ", ");
			buf_add(out, d + i, end - i);
			first = false;
		} else
			buf_adds(out, first ? "response= (hidden)" :
			    ", response= (hidden)");
		i = end + 1;
	}
}

/*
 * One message of the exchange in words: from the server (a challenge)
 * or the client (what sasl_step made; call right after it), base64 as
 * on the wire.  Never a secret nor what an offline guess could test.
 */
void
sasl_note(const struct sasl *a, bool server, const char *b64,
    struct buf *out)
{
	struct buf	 d = { 0 };
	const char	*m = mechs[a->i].name, *v;
	int		 vl;

	if (b64 == NULL || b64_decode(b64, strlen(b64), &d) == -1) {
		buf_printf(out, "%s: %s sent something that is not base64",
		    m, server ? "the server" : "mailscope");
		return;
	}
	if (d.p == NULL)
		buf_adds(&d, "");
	if (server && d.len == 0)
		buf_printf(out, "%s: the server asks for the first message", m);
	else if (!server && d.len == 0 && mechs[a->i].own == OWN_NONE &&
	    mechs[a->i].secret != SASL_NO_SECRET)
		buf_printf(out, "%s: an empty answer, nothing more to say", m);
	else if (strncmp(m, "SCRAM-", 6) == 0) {
		if (server)
			scram_server(d.p, d.len, out);
		else
			scram_client(d.p, d.len, a->step, out);
	} else if (server && (mechs[a->i].own != OWN_NONE)) {
		buf_printf(out, "%s: the server refused the token: ", m);
		quoted(out, d.p, d.len);
		buf_printf(out, "; mailscope ends the exchange (%s)",
		    mechs[a->i].own == OWN_OAUTHBEARER ? "^A, RFC 7628 3.2.3" :
		    "an empty answer");
	} else if (mechs[a->i].own != OWN_NONE && a->step > 1)
		buf_printf(out, "%s: the end of a refused exchange", m);
	else if (mechs[a->i].own != OWN_NONE)
		buf_printf(out, "%s: the user and the bearer token (hidden): "
		    "whoever holds the token may use it until it expires%s", m,
		    mechs[a->i].own == OWN_OAUTHBEARER ? "; the gs2 header, "
		    "host and port as RFC 7628 3.1 says" : "");
	else if (strcmp(m, "CRAM-MD5") == 0 && server) {
		buf_adds(out, "CRAM-MD5 challenge ");
		quoted(out, d.p, d.len);
		buf_adds(out, ": the answer is the user and HMAC-MD5(password,"
		    " challenge); the password does not cross the wire, but "
		    "one who records it can test guesses offline");
	} else if (strcmp(m, "CRAM-MD5") == 0)
		buf_adds(out, "CRAM-MD5 response: the user and the digest "
		    "(hidden)");
	else if (strcmp(m, "DIGEST-MD5") == 0 && server &&
	    (vl = attr(d.p, d.len, "rspauth", &v)) >= 0)
		buf_adds(out, "DIGEST-MD5: rspauth proves the server knows "
		    "the password too; GNU SASL checked it");
	else if (strcmp(m, "DIGEST-MD5") == 0) {
		buf_printf(out, "DIGEST-MD5 %s: ", server ? "challenge" :
		    "response");
		digest_attrs(d.p, d.len, out);
		if (!server)
			buf_adds(out, "; the response= digest is keyed from "
			    "the password, which does not cross the wire");
	} else if (strcmp(m, "LOGIN") == 0 && server) {
		buf_adds(out, "LOGIN prompt ");
		quoted(out, d.p, d.len);
	} else if (strcmp(m, "LOGIN") == 0)
		buf_adds(out, a->step == 1 ? "LOGIN: the user name, base64 "
		    "encoded" : "LOGIN: the password itself, base64 encoded "
		    "(an encoding, not a cipher: only TLS protects it)");
	else if (strcmp(m, "PLAIN") == 0 && !server)
		buf_adds(out, "PLAIN: authorization identity, user and the "
		    "password itself, base64 encoded (an encoding, not a "
		    "cipher: only TLS protects it)");
	else if (strcmp(m, "EXTERNAL") == 0 && !server) {
		buf_adds(out, "EXTERNAL: the identity is the TLS client "
		    "certificate's; ");
		if (d.len == 0)
			buf_adds(out, "no authorization identity asked");
		else {
			buf_adds(out, "acting as ");
			quoted(out, d.p, d.len);
		}
	} else if (strcmp(m, "GSSAPI") == 0)
		buf_printf(out, "GSSAPI %s: a Kerberos token of %zu bytes",
		    server ? "challenge" : "response", d.len);
	else
		buf_printf(out, "%s %s: %zu bytes", m, server ? "challenge" :
		    "response", d.len);
	explicit_bzero(d.p, d.cap);
	buf_free(&d);
}
