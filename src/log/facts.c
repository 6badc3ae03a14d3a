/* SPDX-License-Identifier: ISC */
/*
 * What a TLS handshake taught, as the log keeps it: copied into events,
 * freed with them, listed in one order with one wording by every view.
 */
#include <stdlib.h>
#include <string.h>

#include "log/log.h"

static const char *proto_names[] = {
	"SMTP", "LMTP", "IMAP", "POP3", "ManageSieve"
};

const char *
proto_name(enum proto_id p)
{
	return (unsigned)p <= PROTO_SIEVE ? proto_names[p] : "?";
}

void
tls_offer_free(struct tls_offer *o)
{
	strv_clear(&o->versions);
	strv_clear(&o->groups);
	free(o->words);
	free(o->vwords);
	memset(o, 0, sizeof *o);
}

void
tls_offer_copy(struct tls_offer *d, const struct tls_offer *o)
{
	tls_offer_free(d);
	strv_copy(&d->versions, &o->versions);
	strv_copy(&d->groups, &o->groups);
	d->ciphers = o->ciphers;
	tls_offer_words(d);
}

/* The one wording of an offer, from its lists; NULL when not known. */
void
tls_offer_words(struct tls_offer *o)
{
	struct buf	b = { 0 }, v = { 0 };
	size_t		i;

	free(o->words);
	free(o->vwords);
	o->words = o->vwords = NULL;
	if (o->versions.n == 0)
		return;
	for (i = 0; i < o->versions.n; i++)
		buf_printf(&v, "%s%s", i > 0 ? ", " : "", o->versions.v[i]);
	buf_adds(&b, v.p);
	for (i = 0; i < o->groups.n; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "; groups ",
		    o->groups.v[i]);
	buf_printf(&b, "; %lld cipher suite%s", (long long)o->ciphers,
	    o->ciphers == 1 ? "" : "s");
	o->vwords = v.p;
	o->words = b.p;
}

static void
cert_free(struct tls_cert *tc)
{
	free(tc->subject);
	free(tc->issuer);
	strv_clear(&tc->san);
	free(tc->serial);
	free(tc->key);
	free(tc->key_type);
	free(tc->key_curve);
	free(tc->sigalg);
}

/*
 * "RSA 2048" for keys whose size says their strength, "ECDSA SECP256R1"
 * where the curve does, the type alone otherwise.
 */
void
tls_cert_set_key(struct tls_cert *tc, const char *type, unsigned bits,
    const char *curve)
{
	free(tc->key);
	free(tc->key_type);
	free(tc->key_curve);
	tc->key_type = xstrdup(type != NULL ? type : "unknown");
	tc->key_bits = bits;
	tc->key_curve = xstrdup_or_null(curve);
	if (curve != NULL)
		xasprintf(&tc->key, "%s %s", tc->key_type, curve);
	else if (bits > 0 && (strncmp(tc->key_type, "RSA", 3) == 0 ||
	    strcmp(tc->key_type, "DSA") == 0))
		xasprintf(&tc->key, "%s %u", tc->key_type, bits);
	else
		tc->key = xstrdup(tc->key_type);
}

void
tls_dane_free(struct tls_dane *d)
{
	size_t	i;

	for (i = 0; i < d->nrrs; i++) {
		free(d->rrs[i].rr);
		free(d->rrs[i].result);
	}
	free(d->rrs);
	free(d->source);
	free(d->dnssec);
	free(d->rules);
	free(d->verdict);
	memset(d, 0, sizeof *d);
}

void
tls_dane_copy(struct tls_dane *d, const struct tls_dane *f)
{
	size_t	i;

	*d = *f;
	d->source = xstrdup_or_null(f->source);
	d->dnssec = xstrdup_or_null(f->dnssec);
	d->rules = xstrdup_or_null(f->rules);
	d->verdict = xstrdup_or_null(f->verdict);
	d->rrs = f->nrrs > 0 ? xcalloc(f->nrrs, sizeof *d->rrs) : NULL;
	for (i = 0; i < f->nrrs; i++) {
		d->rrs[i] = f->rrs[i];
		d->rrs[i].rr = xstrdup_or_null(f->rrs[i].rr);
		d->rrs[i].result = xstrdup_or_null(f->rrs[i].result);
	}
}

void
tls_sts_free(struct tls_sts *s)
{
	free(s->source);
	free(s->id);
	free(s->unavailable);
	free(s->mode);
	strv_clear(&s->mx);
	free(s->host);
	free(s->matched);
	free(s->verdict);
	free(s->tlsrpt);
	memset(s, 0, sizeof *s);
}

void
tls_sts_copy(struct tls_sts *d, const struct tls_sts *s)
{
	*d = *s;
	d->source = xstrdup_or_null(s->source);
	d->id = xstrdup_or_null(s->id);
	d->unavailable = xstrdup_or_null(s->unavailable);
	d->mode = xstrdup_or_null(s->mode);
	memset(&d->mx, 0, sizeof d->mx);
	strv_copy(&d->mx, &s->mx);
	d->host = xstrdup_or_null(s->host);
	d->matched = xstrdup_or_null(s->matched);
	d->verdict = xstrdup_or_null(s->verdict);
	d->tlsrpt = xstrdup_or_null(s->tlsrpt);
}

void
tls_facts_free(struct tls_facts *f)
{
	size_t	i;

	if (f == NULL)
		return;
	tls_offer_free(&f->offer);
	free(f->version);
	free(f->cipher);
	free(f->kx);
	free(f->group);
	free(f->mac);
	free(f->sigalg);
	free(f->sni);
	free(f->alpn);
	free(f->resumption);
	free(f->ocsp);
	free(f->desc);
	for (i = 0; i < f->nchain; i++)
		cert_free(&f->chain[i]);
	free(f->chain);
	free(f->verify.hostname);
	free(f->verify.matched);
	free(f->verify.trust);
	strv_clear(&f->verify.reasons);
	tls_dane_free(&f->dane);
	tls_sts_free(&f->sts);
	strv_clear(&f->pin.pins);
	free(f->pin.actual);
	free(f);
}

struct tls_facts *
tls_facts_dup(const struct tls_facts *f)
{
	struct tls_facts	*d;
	size_t			 i;

	if (f == NULL)
		return NULL;
	d = xcalloc(1, sizeof *d);
	tls_offer_copy(&d->offer, &f->offer);
	d->version = xstrdup_or_null(f->version);
	d->cipher = xstrdup_or_null(f->cipher);
	d->kx = xstrdup_or_null(f->kx);
	d->group = xstrdup_or_null(f->group);
	d->mac = xstrdup_or_null(f->mac);
	d->sigalg = xstrdup_or_null(f->sigalg);
	d->sni = xstrdup_or_null(f->sni);
	d->alpn = xstrdup_or_null(f->alpn);
	d->resumed = f->resumed;
	d->resumption = xstrdup_or_null(f->resumption);
	d->ocsp = xstrdup_or_null(f->ocsp);
	d->desc = xstrdup_or_null(f->desc);
	if (f->nchain > 0)
		d->chain = xcalloc(f->nchain, sizeof *d->chain);
	for (i = 0; i < f->nchain; i++) {
		d->chain[i] = f->chain[i];
		d->chain[i].subject = xstrdup_or_null(f->chain[i].subject);
		d->chain[i].issuer = xstrdup_or_null(f->chain[i].issuer);
		memset(&d->chain[i].san, 0, sizeof d->chain[i].san);
		strv_copy(&d->chain[i].san, &f->chain[i].san);
		d->chain[i].serial = xstrdup_or_null(f->chain[i].serial);
		d->chain[i].key = xstrdup_or_null(f->chain[i].key);
		d->chain[i].key_type = xstrdup_or_null(f->chain[i].key_type);
		d->chain[i].key_curve = xstrdup_or_null(f->chain[i].key_curve);
		d->chain[i].sigalg = xstrdup_or_null(f->chain[i].sigalg);
	}
	d->nchain = f->nchain;
	d->verify = f->verify;
	d->verify.hostname = xstrdup_or_null(f->verify.hostname);
	d->verify.matched = xstrdup_or_null(f->verify.matched);
	d->verify.trust = xstrdup_or_null(f->verify.trust);
	memset(&d->verify.reasons, 0, sizeof d->verify.reasons);
	strv_copy(&d->verify.reasons, &f->verify.reasons);
	tls_dane_copy(&d->dane, &f->dane);
	tls_sts_copy(&d->sts, &f->sts);
	d->pin = f->pin;
	memset(&d->pin.pins, 0, sizeof d->pin.pins);
	strv_copy(&d->pin.pins, &f->pin.pins);
	d->pin.actual = xstrdup_or_null(f->pin.actual);
	d->verified = f->verified;
	return d;
}

/* The verdict on the server's identity: DANE's or PKIX's, and the pins. */
static void
verdict_words(const struct tls_facts *f, struct buf *b)
{
	if (f->dane.checked && f->dane.usable)
		buf_adds(b, f->dane.ok ? "DANE verified" : "DANE failed");
	else if (f->verify.ok)
		buf_adds(b, "certificate verified");
	else
		buf_printf(b, "certificate NOT verified: %s",
		    f->verify.reasons.n > 0 ? f->verify.reasons.v[0] :
		    "verification failed");
	if (f->pin.checked)
		buf_adds(b, f->pin.ok ? ", pin matched" : ", pin NOT matched");
	if (f->sts.fails)
		buf_adds(b, ", MTA-STS failed");
}

const char *
tls_facts_summary(const struct tls_facts *f, struct buf *b)
{
	buf_printf(b, "%s, %s", f->version != NULL ? f->version : "?",
	    f->cipher != NULL ? f->cipher : "?");
	if (f->group != NULL)
		buf_printf(b, ", %s", f->group);
	buf_adds(b, ", ");
	verdict_words(f, b);
	return b->p;
}

/*
 * The first certificate of the chain as sent that does not issue the one
 * before it (by name), 0 when each does.  TLS 1.2 requires that order
 * (RFC 5246 7.4.2); TLS 1.3 lets a client cope without it (RFC 8446
 * 4.4.2), and GnuTLS sorts, so verification alone would never show it.
 */
size_t
tls_chain_misorder(const struct tls_facts *f)
{
	size_t	i;

	for (i = 1; i < f->nchain; i++) {
		if (f->chain[i].subject == NULL ||
		    f->chain[i - 1].issuer == NULL ||
		    strcmp(f->chain[i].subject, f->chain[i - 1].issuer) != 0)
			return i;
	}
	return 0;
}

void
tls_facts_fields(const struct tls_facts *f, struct tls_field out[TLS_FIELDS])
{
	const struct tls_field fields[TLS_FIELDS] = {
		{ "version",	"Version",	f->version },
		{ "cipher",	"Cipher suite",	f->cipher },
		{ "kx",		"Key exchange",	f->kx },
		{ "group",	"Group",	f->group },
		{ "mac",	"MAC",		f->mac },
		{ "signature",	"Signature",	f->sigalg },
		{ "SNI",	"SNI",		f->sni },
		{ "ALPN",	"ALPN",		f->alpn },
		{ "resumed",	"Resumed",	f->resumption != NULL ?
		    f->resumption : f->resumed ? "yes" : "no" },
		{ "OCSP",	"OCSP staple",	f->ocsp },
		{ "session",	"Session",	f->desc },
		{ "offered",	"Client offered", f->offer.words },
	};

	memcpy(out, fields, sizeof fields);
}

static void
compare_row(struct strv *rows, const char *label, const char *a,
    const char *b)
{
	strv_add(rows, label);
	strv_add(rows, a != NULL ? a : "-");
	strv_add(rows, b != NULL ? b : "-");
}

static char *
chain_word(const struct tls_facts *f)
{
	char	*s;

	if (f->nchain == 0)
		return xstrdup("none sent");
	xasprintf(&s, "%zu certificate%s, leaf SHA-256 %.23s...", f->nchain,
	    f->nchain == 1 ? "" : "s", f->chain[0].sha256);
	return s;
}

/*
 * What a what-if changes, in the order of the fields: the negotiation,
 * the resumption, the chain by its leaf and the verdict.
 */
void
tls_facts_compare(const struct tls_facts *a, const struct tls_facts *b,
    struct strv *rows)
{
	struct tls_field	 fa[TLS_FIELDS], fb[TLS_FIELDS];
	struct buf		 va = { 0 }, vb = { 0 };
	char			*x, *y;
	size_t			 i;

	tls_facts_fields(a, fa);
	tls_facts_fields(b, fb);
	for (i = 0; i < TLS_FIELDS; i++)
		if (strcmp(fa[i].label, "session") != 0 &&
		    strcmp(fa[i].label, "SNI") != 0)
			compare_row(rows, fa[i].label, fa[i].value,
			    fb[i].value);
	x = chain_word(a);
	y = chain_word(b);
	compare_row(rows, "chain", x, y);
	free(x);
	free(y);
	verdict_words(a, &va);
	verdict_words(b, &vb);
	compare_row(rows, "verdict", va.p, vb.p);
	buf_free(&va);
	buf_free(&vb);
}
