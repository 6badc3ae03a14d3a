/* SPDX-License-Identifier: ISC */
/*
 * DANE: TLSA records (RFC 6698) and the verdict on the chain a server
 * sent, with RFC 7671's rules, and RFC 7672's for SMTP.  GnuTLS's DANE
 * library does every match (dane_raw_tlsa, dane_verify_crt_raw); this
 * file decides which records are usable, asks one record at a time so
 * the verdict can name the one that matched, and adds what the library
 * does not do:
 * - DANE-TA(2): libdane finds the trust anchor among the certificates
 *   sent after the leaf and checks that one of them issued the leaf.  The
 *   chain from the leaf to the anchor and the names are checked here with
 *   GnuTLS's trust list, the anchor as its one CA.  An anchor the server
 *   did not send cannot be found (RFC 7671 5.2.2 asks servers to send it).
 * - PKIX-TA(0), PKIX-EE(1): unusable for SMTP (RFC 7672 3.1.3); elsewhere
 *   a match counts only when PKIX validation passed as well, and a PKIX-TA
 *   anchor must be among the certificates sent (libdane looks no further).
 * - The DNSSEC state of the set: an insecure set is not used, a bogus one
 *   fails (RFC 7672 2.1.1, 2.2).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/dane.h>
#include <gnutls/x509.h>

#include "core/core.h"

#define TLSA_DATA_MAX	65535		/* an RDATA's limit */
#define TLSA_SET_MAX	32		/* records in one set */

static const char *usage_names[] = {
	"PKIX-TA", "PKIX-EE", "DANE-TA", "DANE-EE"
};

static int
field(const char **p, unsigned *out)
{
	char		*end;
	unsigned long	 v;

	while (isspace((unsigned char)**p))
		(*p)++;
	if (!isdigit((unsigned char)**p))
		return -1;
	v = strtoul(*p, &end, 10);
	if (v > 255 || (*end != '\0' && !isspace((unsigned char)*end)))
		return -1;
	*p = end;
	*out = (unsigned)v;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * "U S M HEX" as in a zone file or openssl's -dane_tlsa_rrdata: three
 * numbers, then the data in hex (blanks allowed inside it).
 */
int
tlsa_parse(const char *s, struct tlsa_rr *rr, char *err, size_t errlen)
{
	const char	*p = s;
	unsigned	 u, sel, m;
	struct buf	 b = { 0 };
	int		 hi = -1, v;

	memset(rr, 0, sizeof *rr);
	if (field(&p, &u) == -1 || field(&p, &sel) == -1 ||
	    field(&p, &m) == -1) {
		snprintf(err, errlen, "--tlsa '%s': want 'USAGE SELECTOR "
		    "MTYPE HEX', three numbers 0-255 then the data, e.g. "
		    "'3 1 1 9F86D0...'", s);
		return -1;
	}
	for (; *p != '\0'; p++) {
		if (isspace((unsigned char)*p))
			continue;
		if ((v = hexval((unsigned char)*p)) == -1) {
			snprintf(err, errlen, "--tlsa '%s': '%c' is not a hex "
			    "digit", s, isprint((unsigned char)*p) ? *p : '?');
			goto fail;
		}
		if (hi == -1)
			hi = v;
		else {
			buf_addc(&b, (char)(hi << 4 | v));
			hi = -1;
		}
		if (b.len > TLSA_DATA_MAX) {
			snprintf(err, errlen, "--tlsa: data over %d bytes",
			    TLSA_DATA_MAX);
			goto fail;
		}
	}
	if (hi != -1) {
		snprintf(err, errlen, "--tlsa '%s': an odd number of hex "
		    "digits", s);
		goto fail;
	}
	if (b.len == 0) {
		snprintf(err, errlen, "--tlsa '%s': no data after the three "
		    "numbers", s);
		goto fail;
	}
	if ((m == 1 && b.len != 32) || (m == 2 && b.len != 64)) {
		snprintf(err, errlen, "--tlsa '%s': matching type %u is "
		    "SHA2-%u, %u bytes (%u hex digits), not %zu", s, m,
		    m == 1 ? 256 : 512, m == 1 ? 32 : 64, m == 1 ? 64 : 128,
		    b.len);
		goto fail;
	}
	rr->usage = (uint8_t)u;
	rr->selector = (uint8_t)sel;
	rr->mtype = (uint8_t)m;
	rr->data = (unsigned char *)b.p;
	rr->len = b.len;
	return 0;
fail:
	buf_free(&b);
	return -1;
}

void
tlsa_set_add(struct tlsa_set *set, const struct tlsa_rr *rr)
{
	set->rr = xreallocarray(set->rr, set->n + 1, sizeof *set->rr);
	set->rr[set->n++] = *rr;
}

void
tlsa_set_free(struct tlsa_set *set)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		free(set->rr[i].data);
	free(set->rr);
	strv_clear(&set->names);
	set->rr = NULL;
	set->n = 0;
}

static void
hex(struct buf *b, const unsigned char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%02X", p[i]);
}

void
tlsa_rr_string(const struct tlsa_rr *rr, struct buf *b)
{
	buf_printf(b, "%u %u %u ", rr->usage, rr->selector, rr->mtype);
	hex(b, rr->data, rr->len);
}

/* "the leaf's public key", "certificate 2's full certificate" */
static void
what(struct buf *b, size_t i, const struct tlsa_rr *rr)
{
	if (i == 0)
		buf_adds(b, "the leaf's ");
	else
		buf_printf(b, "certificate %zu's ", i + 1);
	buf_adds(b, rr->selector == 1 ? "public key" : "certificate");
}

static char *
subject(const struct der *c)
{
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 in = { (unsigned char *)c->p,
				    (unsigned)c->len }, d;
	char			*s = NULL;

	if (gnutls_x509_crt_init(&crt) < 0)
		return xstrdup("?");
	if (gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_x509_crt_get_dn3(crt, &d, 0) >= 0) {
		s = xstrndup((const char *)d.data, d.size);
		gnutls_free(d.data);
	}
	gnutls_x509_crt_deinit(crt);
	return s != NULL ? s : xstrdup("(not a certificate)");
}

/*
 * What certificate i holds where rr looks (its key or itself, digested as
 * rr says), so a mismatch can show what the record should have said.
 */
static void
actual(const struct der *c, const struct tlsa_rr *rr, struct buf *b)
{
	gnutls_pubkey_t		 pk;
	gnutls_datum_t		 in = { (unsigned char *)c->p,
				    (unsigned)c->len }, spki = { NULL, 0 };
	const gnutls_datum_t	*d = &in;
	unsigned char		 md[64];

	if (rr->selector == 1) {
		if (gnutls_pubkey_init(&pk) < 0)
			return;
		if (gnutls_pubkey_import_x509_raw(pk, &in,
		    GNUTLS_X509_FMT_DER, 0) < 0 || gnutls_pubkey_export2(pk,
		    GNUTLS_X509_FMT_DER, &spki) < 0) {
			gnutls_pubkey_deinit(pk);
			return;
		}
		gnutls_pubkey_deinit(pk);
		d = &spki;
	}
	if (rr->mtype == 0)
		buf_printf(b, "%u bytes", d->size);
	else if (gnutls_hash_fast(rr->mtype == 1 ? GNUTLS_DIG_SHA256 :
	    GNUTLS_DIG_SHA512, d->data, d->size, md) == 0) {
		buf_printf(b, "%u %u %u ", rr->usage, rr->selector,
		    rr->mtype);
		hex(b, md, rr->mtype == 1 ? 32 : 64);
	}
	gnutls_free(spki.data);
}

/*
 * One record against a chain, by libdane: 1 matched, 0 not, -1 the
 * library could not check it (a TA record with no certificate after the
 * leaf).
 */
static int
lib_match(dane_state_t st, const struct tlsa_rr *rr, unsigned usage,
    const struct der *chain, size_t n)
{
	gnutls_datum_t	*dc;
	dane_query_t	 q = NULL;
	struct buf	 raw = { 0 };
	char		*data[2];
	int		 len[2], rc;
	unsigned	 status = 0;
	size_t		 i;

	buf_addc(&raw, (char)usage);
	buf_addc(&raw, (char)rr->selector);
	buf_addc(&raw, (char)rr->mtype);
	buf_add(&raw, rr->data, rr->len);
	data[0] = raw.p;
	data[1] = NULL;
	len[0] = (int)raw.len;
	len[1] = 0;
	dc = xcalloc(n, sizeof *dc);
	for (i = 0; i < n; i++) {
		dc[i].data = (unsigned char *)chain[i].p;
		dc[i].size = (unsigned)chain[i].len;
	}
	/* The DNSSEC state was judged before: only trusted sets get here. */
	rc = dane_raw_tlsa(st, &q, data, len, 1, 0);
	if (rc >= 0)
		rc = dane_verify_crt_raw(st, dc, (unsigned)n, GNUTLS_CRT_X509,
		    q, 0, DANE_VFLAG_FAIL_IF_NOT_CHECKED, &status);
	if (q != NULL)
		dane_query_deinit(q);
	free(dc);
	buf_free(&raw);
	if (rc < 0)
		return -1;
	return status == 0;
}

/*
 * DANE-TA: which certificate after the leaf is the anchor (the record
 * read as DANE-EE against each, by libdane), then the chain from the
 * leaf up to it and the reference identifiers, GnuTLS checking.
 */
static bool
ta_check(dane_state_t st, const struct tlsa_rr *rr, const struct der *chain,
    size_t n, const struct tlsa_set *set, const struct tlsa_ctx *ctx,
    struct buf *why)
{
	gnutls_x509_trust_list_t	 tl;
	gnutls_x509_crt_t		*crts;
	gnutls_datum_t			 in;
	unsigned			 status = 0;
	size_t				 i, ta = 0, k, imported = 0;
	const char			*name = NULL;
	char				*subj;
	bool				 ok = false;

	for (i = 1; i < n && ta == 0; i++)
		if (lib_match(st, rr, DANE_CERT_USAGE_LOCAL_EE, &chain[i],
		    1) == 1)
			ta = i;
	if (ta == 0) {
		if (n == 1)
			buf_adds(why, "no match: the server sent the leaf "
			    "alone, and DANE-TA needs the trust anchor in the "
			    "chain (RFC 7671 5.2.2)");
		else {
			buf_printf(why, "no match: compared with the %zu "
			    "certificate%s the server sent after the leaf",
			    n - 1, n == 2 ? "" : "s");
			buf_adds(why, " (");
			for (i = 1; i < n; i++) {
				subj = subject(&chain[i]);
				buf_printf(why, "%s%s: ", i > 1 ? "; " : "",
				    subj);
				free(subj);
				actual(&chain[i], rr, why);
			}
			buf_adds(why, ")");
		}
		return false;
	}
	subj = subject(&chain[ta]);
	buf_printf(why, "matched certificate %zu (%s), the trust anchor",
	    ta + 1, subj);
	free(subj);
	/* libdane's own check: an issuer among those sent, its signature
	 * and the leaf's dates. */
	if (lib_match(st, rr, rr->usage, chain, n) != 1) {
		buf_adds(why, ", but the chain does not verify to it (the "
		    "leaf's issuer, signature or dates)");
		return false;
	}

	/* The whole chain as sent: GnuTLS sorts it and stops at the
	 * anchor, wherever the server put it. */
	crts = xcalloc(n, sizeof *crts);
	for (k = 0; k < n; k++, imported++) {
		in.data = (unsigned char *)chain[k].p;
		in.size = (unsigned)chain[k].len;
		if (gnutls_x509_crt_init(&crts[k]) < 0)
			break;
		if (gnutls_x509_crt_import(crts[k], &in,
		    GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crts[k]);
			break;
		}
	}
	if (imported != n || gnutls_x509_trust_list_init(&tl, 0) < 0) {
		buf_adds(why, "; the chain could not be read");
		goto out;
	}
	/* The trust list takes the anchor; the chain stops at it. */
	if (gnutls_x509_trust_list_add_cas(tl, &crts[ta], 1, 0) != 1 ||
	    gnutls_x509_trust_list_verify_crt2(tl, crts, (unsigned)n,
	    NULL, 0, 0, &status, NULL) < 0 || status != 0) {
		gnutls_datum_t	out;

		buf_adds(why, ", but the chain does not verify to it");
		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &out, 0) >= 0) {
			buf_printf(why, ": %.*s", (int)out.size, out.data);
			gnutls_free(out.data);
		}
	} else {
		if (ctx->host != NULL && gnutls_x509_crt_check_hostname2(
		    crts[0], ctx->host, 0))
			name = ctx->host;
		for (i = 0; name == NULL && i < set->names.n; i++)
			if (gnutls_x509_crt_check_hostname2(crts[0],
			    set->names.v[i], 0))
				name = set->names.v[i];
		if (name != NULL) {
			buf_printf(why, "; chain verified to it, name %s "
			    "matched", name);
			ok = true;
		} else {
			buf_printf(why, "; chain verified to it, but the leaf "
			    "does not hold the name %s", ctx->host != NULL ?
			    ctx->host : "(none given)");
			for (i = 0; i < set->names.n; i++)
				buf_printf(why, " or %s", set->names.v[i]);
		}
	}
	/* The list owns the anchor now and frees it. */
	gnutls_x509_trust_list_deinit(tl, 1);
	crts[ta] = NULL;
out:
	for (k = 0; k < imported; k++)
		if (crts[k] != NULL)
			gnutls_x509_crt_deinit(crts[k]);
	free(crts);
	return ok;
}

/* Whether the rules let rr count at all; why not in why. */
static bool
usable(const struct tlsa_rr *rr, const struct tlsa_ctx *ctx, struct buf *why)
{
	if (rr->usage > 3)
		buf_printf(why, "unusable: usage %u is not defined (RFC 6698 "
		    "2.1.1)", rr->usage);
	else if (rr->selector > 1)
		buf_printf(why, "unusable: selector %u is not defined",
		    rr->selector);
	else if (rr->mtype > 2)
		buf_printf(why, "unusable: matching type %u is not defined",
		    rr->mtype);
	else if (ctx->smtp && rr->usage < 2)
		buf_printf(why, "unusable: %s(%u) is not used for SMTP (RFC "
		    "7672 3.1.3), only DANE-TA(2) and DANE-EE(3)",
		    usage_names[rr->usage], rr->usage);
	else
		return true;
	return false;
}

static void
one(dane_state_t st, const struct tlsa_rr *rr, const struct tlsa_set *set,
    const struct tlsa_ctx *ctx, const struct der *chain, size_t n,
    struct tls_tlsa *out)
{
	struct buf	why = { 0 };
	int		m;

	if (!(out->usable = usable(rr, ctx, &why)))
		goto done;
	if (n == 0) {
		buf_adds(&why, "no match: the server sent no certificate");
		goto done;
	}
	switch (rr->usage) {
	case DANE_CERT_USAGE_LOCAL_CA:
		out->matched = ta_check(st, rr, chain, n, set, ctx, &why);
		break;
	case DANE_CERT_USAGE_LOCAL_EE:
	case DANE_CERT_USAGE_EE:
		if ((m = lib_match(st, rr, rr->usage, chain, n)) == 1) {
			buf_adds(&why, "matched ");
			what(&why, 0, rr);
			out->matched = rr->usage == 3 || ctx->pkix_ok;
			if (rr->usage == 3)
				buf_adds(&why, " (DANE-EE: names and dates "
				    "are not checked, RFC 7672 3.1.1)");
			else if (!ctx->pkix_ok)
				buf_adds(&why, ", but PKIX-EE also needs PKIX "
				    "validation, which failed");
			break;
		}
		buf_adds(&why, m == 0 ? "digest mismatch: compared with " :
		    "not checked: could not read ");
		what(&why, 0, rr);
		buf_adds(&why, ", which is ");
		actual(&chain[0], rr, &why);
		break;
	default:			/* PKIX-TA, RFC 6698 */
		if ((m = lib_match(st, rr, rr->usage, chain, n)) == 1) {
			out->matched = ctx->pkix_ok;
			buf_adds(&why, ctx->pkix_ok ? "matched a certificate "
			    "the server sent after the leaf, and PKIX "
			    "validation passed" : "matched a certificate "
			    "after the leaf, but PKIX-TA also needs PKIX "
			    "validation, which failed");
		} else
			buf_printf(&why, "no match among the %zu certificate%s "
			    "after the leaf (PKIX-TA: libdane looks only at "
			    "those the server sent)", n - 1, n == 2 ? "" : "s");
		break;
	}
done:
	out->result = why.p != NULL ? why.p : xstrdup("");
}

/* The length of "U S M" at the start of a record's text. */
static int
head(const char *rr)
{
	const char	*p = rr;
	int		 i;

	for (i = 0; i < 3 && (p = strchr(p, ' ')) != NULL; i++)
		p++;
	return p != NULL ? (int)(p - rr - 1) : (int)strlen(rr);
}

/* The one-line verdict, naming the record that decided it. */
static char *
verdict(const struct tls_dane *d, const struct tlsa_set *set)
{
	struct buf	 b = { 0 };
	size_t		 i;
	char		*s;

	if (set->dnssec == TLSA_INSECURE)
		return xstrdup("DANE not used: the TLSA records are not "
		    "DNSSEC-signed (insecure); PKIX decides");
	if (set->dnssec == TLSA_BOGUS)
		return xstrdup("DANE failed: the TLSA answer did not "
		    "validate (DNSSEC bogus)");
	for (i = 0; i < d->nrrs; i++) {
		if (!d->rrs[i].matched)
			continue;
		xasprintf(&s, "DANE verified: %.*s %s", head(d->rrs[i].rr),
		    d->rrs[i].rr, d->rrs[i].result);
		return s;
	}
	if (!d->usable)
		buf_printf(&b, "DANE not usable: %s TLSA record%s usable%s, "
		    "so PKIX decides", d->nrrs == 1 ? "the" : "no",
		    d->nrrs == 1 ? " is not" : " is", strstr(d->rules,
		    "7672") != NULL ? " for SMTP" : "");
	else if (d->nrrs == 1)
		buf_adds(&b, "DANE failed: the TLSA record did not match");
	else
		buf_printf(&b, "DANE failed: none of the %zu TLSA records "
		    "matched", d->nrrs);
	/* Why, record by record: "3 1 1: digest mismatch: ..." */
	for (i = 0; i < d->nrrs; i++)
		buf_printf(&b, "; %.*s: %s", head(d->rrs[i].rr), d->rrs[i].rr,
		    d->rrs[i].result);
	return b.p;
}

static const char *
dnssec_name(enum tlsa_dnssec s)
{
	switch (s) {
	case TLSA_SECURE:
		return "secure";
	case TLSA_INSECURE:
		return "insecure";
	case TLSA_BOGUS:
		return "bogus";
	default:
		return "given";
	}
}

void
tlsa_verify(const struct tlsa_set *set, const struct tlsa_ctx *ctx,
    const struct der *chain, size_t n, struct tls_dane *out)
{
	dane_state_t	 st = NULL;
	struct buf	 b = { 0 };
	char		*s;
	size_t		 i, nrr = set->n < TLSA_SET_MAX ? set->n : TLSA_SET_MAX;
	bool		 trusted;

	memset(out, 0, sizeof *out);
	if (set->n == 0)
		return;
	out->checked = true;
	out->source = xstrdup(set->source != NULL ? set->source : "--tlsa");
	out->dnssec = xstrdup(dnssec_name(set->dnssec));
	out->rules = xstrdup(ctx->smtp ? "RFC 7672 (SMTP)" : "RFC 6698, "
	    "RFC 7671");
	out->rrs = xcalloc(nrr, sizeof *out->rrs);
	out->nrrs = nrr;
	trusted = set->dnssec == TLSA_GIVEN || set->dnssec == TLSA_SECURE;
	/* No resolver: libdane only holds the records we pass. */
	if (trusted && dane_state_init(&st, DANE_F_IGNORE_LOCAL_RESOLVER |
	    DANE_F_IGNORE_DNSSEC | DANE_F_INSECURE) < 0)
		st = NULL;
	for (i = 0; i < nrr; i++) {
		tlsa_rr_string(&set->rr[i], &b);
		out->rrs[i].rr = xstrdup(b.p);
		buf_reset(&b);
		if (!trusted)
			out->rrs[i].result = xstrdup(set->dnssec ==
			    TLSA_BOGUS ? "not used: the answer is bogus" :
			    "not used: the answer is insecure");
		else if (st == NULL)
			out->rrs[i].result = xstrdup("not checked: GnuTLS's "
			    "DANE library did not start");
		else
			one(st, &set->rr[i], set, ctx, chain, n,
			    &out->rrs[i]);
		out->usable |= out->rrs[i].usable;
		out->ok |= out->rrs[i].matched;
	}
	/* A bogus answer is a failure, never a fallback to PKIX. */
	if (set->dnssec == TLSA_BOGUS)
		out->usable = true;
	out->verdict = verdict(out, set);
	if (set->n > nrr) {
		xasprintf(&s, "%s (only the first %zu of %zu records were "
		    "checked)", out->verdict, nrr, set->n);
		free(out->verdict);
		out->verdict = s;
	}
	if (st != NULL)
		dane_state_deinit(st);
	buf_free(&b);
}

/*
 * curl's --pinnedpubkey syntax: "sha256//BASE64", several joined by ';'.
 * Each must be the base64 of 32 bytes.
 */
int
pin_parse(const char *arg, struct strv *pins, char *err, size_t errlen)
{
	char		*copy = xstrdup(arg), *p, *next;
	struct buf	 raw = { 0 };
	int		 rc = -1;

	for (p = copy; p != NULL; p = next) {
		if ((next = strchr(p, ';')) != NULL)
			*next++ = '\0';
		buf_reset(&raw);
		if (strncmp(p, "sha256//", 8) != 0) {
			snprintf(err, errlen, "--pin '%s': want sha256//BASE64 "
			    "(the base64 SHA-256 of the public key, as the TLS "
			    "panel shows it)", p);
			goto out;
		}
		if (b64_decode(p + 8, strlen(p + 8), &raw) == -1 ||
		    raw.len != 32) {
			snprintf(err, errlen, "--pin '%s': not the base64 of a "
			    "SHA-256 (32 bytes)", p);
			goto out;
		}
		strv_add(pins, p);
	}
	rc = 0;
out:
	buf_free(&raw);
	free(copy);
	return rc;
}
