/* SPDX-License-Identifier: ISC */
/*
 * dane.c: TLSA records as typed, and the DANE verdict on chains made
 * here with certgen.c (a CA, a leaf it issued, an expired leaf, a leaf
 * for another name), by RFC 7672's rules for SMTP and RFC 6698's
 * elsewhere; and --pin's syntax.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "lab/lab.h"

#define DAY	86400

static char		*ca_pem, *ca_key;
static gnutls_datum_t	 ca_der, leaf_der, old_der, other_der;

static void
der_of(const char *pem, gnutls_datum_t *der)
{
	gnutls_x509_crt_t	crt;
	gnutls_datum_t		in = { (unsigned char *)pem,
				    (unsigned)strlen(pem) };

	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_true(gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM) >=
	    0);
	assert_true(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, der) >=
	    0);
	gnutls_x509_crt_deinit(crt);
}

static void
leaf(const char *name, int64_t nb, int64_t na, gnutls_datum_t *der)
{
	struct certgen_opts	 o;
	char			*cert, *key, err[256];

	memset(&o, 0, sizeof o);
	o.cn = name;
	strv_add(&o.dns, name);
	o.not_before = nb;
	o.not_after = na;
	assert_int_equal(certgen_server(&o, ca_pem, ca_key, &cert, &key, err,
	    sizeof err), 0);
	der_of(cert, der);
	free(cert);
	free(key);
	strv_clear(&o.dns);
}

static int
setup(void **state)
{
	char	err[256];
	int64_t	now = (int64_t)time(NULL);

	(void)state;
	assert_int_equal(certgen_ca("dane test CA", &ca_pem, &ca_key, err,
	    sizeof err), 0);
	der_of(ca_pem, &ca_der);
	leaf("mx.example", 0, 0, &leaf_der);
	leaf("mx.example", now - 30 * DAY, now - DAY, &old_der);
	leaf("other.example", 0, 0, &other_der);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(ca_pem);
	free(ca_key);
	gnutls_free(ca_der.data);
	gnutls_free(leaf_der.data);
	gnutls_free(old_der.data);
	gnutls_free(other_der.data);
	return 0;
}

/* "U S M HEX" of what cert holds: its key or itself, SHA-256 or whole. */
static char *
record(unsigned u, unsigned sel, unsigned m, const gnutls_datum_t *cert)
{
	gnutls_pubkey_t		 pk;
	gnutls_datum_t		 spki = { NULL, 0 };
	const gnutls_datum_t	*d = cert;
	unsigned char		 md[32];
	struct buf		 b = { 0 };
	size_t			 i, n;
	const unsigned char	*p;

	if (sel == 1) {
		assert_int_equal(gnutls_pubkey_init(&pk), 0);
		assert_true(gnutls_pubkey_import_x509_raw(pk, cert,
		    GNUTLS_X509_FMT_DER, 0) >= 0);
		assert_true(gnutls_pubkey_export2(pk, GNUTLS_X509_FMT_DER,
		    &spki) >= 0);
		gnutls_pubkey_deinit(pk);
		d = &spki;
	}
	if (m == 1) {
		assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, d->data,
		    d->size, md), 0);
		p = md;
		n = sizeof md;
	} else {
		p = d->data;
		n = d->size;
	}
	buf_printf(&b, "%u %u %u ", u, sel, m);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%02x", p[i]);
	gnutls_free(spki.data);
	return b.p;
}

/* The verdict of the records on chain (cert, then the CA if ca). */
static void
check(const char *const *rrs, const gnutls_datum_t *cert, bool ca,
    bool smtp, bool pkix_ok, enum tlsa_dnssec sec, struct tls_dane *d)
{
	struct tlsa_set	 set;
	struct tlsa_rr	 rr;
	struct tlsa_ctx	 ctx;
	struct der	 chain[2];
	char		 err[256];

	memset(&set, 0, sizeof set);
	set.dnssec = sec;
	set.source = "--tlsa";
	for (; *rrs != NULL; rrs++) {
		assert_int_equal(tlsa_parse(*rrs, &rr, err, sizeof err), 0);
		tlsa_set_add(&set, &rr);
	}
	chain[0].p = cert->data;
	chain[0].len = cert->size;
	chain[1].p = ca_der.data;
	chain[1].len = ca_der.size;
	memset(&ctx, 0, sizeof ctx);
	ctx.smtp = smtp;
	ctx.pkix_ok = pkix_ok;
	ctx.host = "mx.example";
	tlsa_verify(&set, &ctx, chain, ca ? 2 : 1, d);
	tlsa_set_free(&set);
}

static void
test_parse(void **state)
{
	struct tlsa_rr	 rr;
	struct buf	 b = { 0 };
	char		 err[256];
	static const char *const bad[] = {
		"", "3", "3 1", "3 1 1", "3 1 1 ", "x 1 1 00",
		"256 1 1 00", "3 1 1 0", "3 1 1 zz",
		"3 1 1 00",		/* SHA-256 is 32 bytes */
		"3 1 2 00",		/* SHA-512 is 64 */
		"3 1 1 -1", "3,1,1 00", "-3 1 1 00",
	};
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(tlsa_parse(bad[i], &rr, err, sizeof err), -1);
		assert_true(strstr(err, "--tlsa") != NULL);
	}
	/* Blanks inside the data, as zone files split it, and any case. */
	assert_int_equal(tlsa_parse("3 1 1 AAAA aaaa aaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &rr, err, sizeof err), 0);
	assert_int_equal(rr.usage, 3);
	assert_int_equal(rr.selector, 1);
	assert_int_equal(rr.mtype, 1);
	assert_int_equal(rr.len, 32);
	tlsa_rr_string(&rr, &b);
	assert_string_equal(b.p, "3 1 1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	free(rr.data);
	buf_free(&b);
	/* Undefined numbers parse: the verdict calls them unusable. */
	assert_int_equal(tlsa_parse("255 7 9 0102", &rr, err, sizeof err),
	    0);
	assert_int_equal(rr.usage, 255);
	free(rr.data);
}

static void
test_pin_parse(void **state)
{
	struct strv	pins = { 0 };
	char		err[256];

	(void)state;
	assert_int_equal(pin_parse("sha256//u05krWPP9NhVRI80LjXhfFo71EEg3hpUo"
	    "P8f341E0uU=;sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    &pins, err, sizeof err), 0);
	assert_int_equal(pins.n, 2);
	assert_string_equal(pins.v[1], "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAA=");
	assert_int_equal(pin_parse("sha1//AAAA", &pins, err, sizeof err), -1);
	assert_true(strstr(err, "sha256//") != NULL);
	assert_int_equal(pin_parse("sha256//AAAA", &pins, err, sizeof err),
	    -1);
	assert_true(strstr(err, "32 bytes") != NULL);
	assert_int_equal(pin_parse("sha256//!!", &pins, err, sizeof err), -1);
	strv_clear(&pins);
}

/* DANE-EE: the leaf's key or the leaf; its dates and names do not count. */
static void
test_ee(void **state)
{
	struct tls_dane	 d;
	char		*r311 = record(3, 1, 1, &old_der);
	char		*r301 = record(3, 0, 1, &old_der);
	char		*r300 = record(3, 0, 0, &old_der);
	const char	*one[2] = { NULL, NULL };

	(void)state;
	one[0] = r311;
	check(one, &old_der, false, true, false, TLSA_GIVEN, &d);
	assert_true(d.checked && d.usable && d.ok);
	assert_int_equal(d.nrrs, 1);
	assert_true(d.rrs[0].matched);
	assert_true(strncmp(d.verdict, "DANE verified: 3 1 1 matched the "
	    "leaf's public key", 49) == 0);
	assert_string_equal(d.dnssec, "given");
	assert_string_equal(d.rules, "RFC 7672 (SMTP)");
	tls_dane_free(&d);

	one[0] = r301;
	check(one, &old_der, false, true, false, TLSA_GIVEN, &d);
	assert_true(d.ok);
	assert_true(strstr(d.verdict, "matched the leaf's certificate") !=
	    NULL);
	tls_dane_free(&d);

	one[0] = r300;
	check(one, &old_der, true, true, false, TLSA_GIVEN, &d);
	assert_true(d.ok);
	tls_dane_free(&d);

	/* Another leaf: the mismatch names what was compared and what
	 * the record should have said. */
	one[0] = r311;
	check(one, &leaf_der, true, true, true, TLSA_GIVEN, &d);
	assert_true(d.usable);
	assert_false(d.ok);
	assert_false(d.rrs[0].matched);
	assert_true(strncmp(d.rrs[0].result, "digest mismatch: compared with "
	    "the leaf's public key, which is 3 1 1 ", 67) == 0);
	assert_true(strncmp(d.verdict, "DANE failed: the TLSA record did not "
	    "match; 3 1 1: digest mismatch", 66) == 0);
	tls_dane_free(&d);
	free(r311);
	free(r301);
	free(r300);
}

/* DANE-TA: the anchor among the certificates sent, the chain to it
 * verified, the name checked. */
static void
test_ta(void **state)
{
	struct tls_dane	 d;
	char		*r201 = record(2, 0, 1, &ca_der);
	char		*r211 = record(2, 1, 1, &ca_der);
	char		*leaf211 = record(2, 1, 1, &leaf_der);
	const char	*one[2] = { NULL, NULL };

	(void)state;
	one[0] = r201;
	check(one, &leaf_der, true, true, false, TLSA_GIVEN, &d);
	assert_true(d.ok);
	assert_true(strstr(d.verdict, "DANE verified: 2 0 1 matched "
	    "certificate 2 (CN=dane test CA") != NULL);
	assert_true(strstr(d.verdict, "name mx.example matched") != NULL);
	tls_dane_free(&d);

	one[0] = r211;
	check(one, &leaf_der, true, true, false, TLSA_GIVEN, &d);
	assert_true(d.ok);
	tls_dane_free(&d);

	/* The anchor not sent: libdane cannot find it, and says so. */
	check(one, &leaf_der, false, true, false, TLSA_GIVEN, &d);
	assert_false(d.ok);
	assert_true(strstr(d.rrs[0].result, "sent the leaf alone") != NULL);
	tls_dane_free(&d);

	/* The name: DANE-TA checks it (RFC 7672 3.2.2). */
	check(one, &other_der, true, true, false, TLSA_GIVEN, &d);
	assert_false(d.ok);
	assert_true(strstr(d.rrs[0].result, "does not hold the name "
	    "mx.example") != NULL);
	tls_dane_free(&d);

	/* An expired leaf under DANE-TA: the chain check sees it. */
	check(one, &old_der, true, true, false, TLSA_GIVEN, &d);
	assert_false(d.ok);
	assert_true(strstr(d.rrs[0].result, "does not verify") != NULL);
	tls_dane_free(&d);

	/* A TA record for the leaf itself matches nothing after it. */
	one[0] = leaf211;
	check(one, &leaf_der, true, true, false, TLSA_GIVEN, &d);
	assert_false(d.ok);
	assert_true(strncmp(d.rrs[0].result, "no match: compared with the 1 "
	    "certificate", 40) == 0);
	tls_dane_free(&d);
	free(r201);
	free(r211);
	free(leaf211);
}

/* PKIX-TA/PKIX-EE: unusable for SMTP, PKIX-bound elsewhere. */
static void
test_pkix_usages(void **state)
{
	struct tls_dane	 d;
	char		*r111 = record(1, 1, 1, &leaf_der);
	char		*r011 = record(0, 1, 1, &ca_der);
	char		*r311 = record(3, 1, 1, &leaf_der);
	const char	*one[2] = { NULL, NULL }, *two[3] = { NULL, NULL,
			    NULL };

	(void)state;
	one[0] = r111;
	check(one, &leaf_der, true, true, true, TLSA_GIVEN, &d);
	assert_true(d.checked);
	assert_false(d.usable);
	assert_false(d.ok);
	assert_true(strstr(d.rrs[0].result, "RFC 7672 3.1.3") != NULL);
	assert_true(strncmp(d.verdict, "DANE not usable", 15) == 0);
	tls_dane_free(&d);

	/* With a usable record beside it, the usable one decides. */
	two[0] = r111;
	two[1] = r311;
	check(two, &leaf_der, true, true, false, TLSA_GIVEN, &d);
	assert_true(d.usable && d.ok);
	assert_false(d.rrs[0].usable);
	assert_true(d.rrs[1].matched);
	assert_true(strstr(d.verdict, "3 1 1 matched") != NULL);
	tls_dane_free(&d);

	/* RFC 6698 (IMAP, POP3): PKIX-EE counts when PKIX passed too. */
	check(one, &leaf_der, true, false, true, TLSA_GIVEN, &d);
	assert_true(d.usable && d.ok);
	assert_string_equal(d.rules, "RFC 6698, RFC 7671");
	tls_dane_free(&d);
	check(one, &leaf_der, true, false, false, TLSA_GIVEN, &d);
	assert_true(d.usable);
	assert_false(d.ok);
	assert_true(strstr(d.rrs[0].result, "PKIX validation, which failed")
	    != NULL);
	tls_dane_free(&d);
	one[0] = r011;
	check(one, &leaf_der, true, false, true, TLSA_GIVEN, &d);
	assert_true(d.ok);
	tls_dane_free(&d);
	one[0] = "255 1 1 00000000000000000000000000000000000000000000000000"
	    "00000000000000";
	check(one, &leaf_der, true, false, true, TLSA_GIVEN, &d);
	assert_false(d.usable);
	assert_true(strstr(d.rrs[0].result, "usage 255") != NULL);
	tls_dane_free(&d);
	free(r111);
	free(r011);
	free(r311);
}

/* The DNSSEC state a resolver gives: insecure is ignored, bogus fails. */
static void
test_dnssec(void **state)
{
	struct tls_dane	 d;
	char		*r311 = record(3, 1, 1, &leaf_der);
	const char	*one[2] = { NULL, NULL };

	(void)state;
	one[0] = r311;
	check(one, &leaf_der, false, true, false, TLSA_SECURE, &d);
	assert_true(d.ok);
	assert_string_equal(d.dnssec, "secure");
	tls_dane_free(&d);
	check(one, &leaf_der, false, true, false, TLSA_INSECURE, &d);
	assert_false(d.usable);
	assert_false(d.ok);
	assert_true(strstr(d.verdict, "not DNSSEC-signed") != NULL);
	tls_dane_free(&d);
	check(one, &leaf_der, false, true, true, TLSA_BOGUS, &d);
	assert_true(d.usable);
	assert_false(d.ok);
	assert_true(strstr(d.verdict, "bogus") != NULL);
	tls_dane_free(&d);
	free(r311);
}

/* A chain of garbage: no crash, no match, words that say so. */
static void
test_garbage_chain(void **state)
{
	struct tls_dane		 d;
	struct tlsa_set		 set;
	struct tlsa_rr		 rr;
	struct tlsa_ctx		 ctx;
	struct der		 chain[2];
	static const unsigned char junk[] = "\x30\x82\xff\xffnot a cert";
	char			*rrs[3], err[256];
	size_t			 i;

	(void)state;
	rrs[0] = record(3, 1, 1, &leaf_der);
	rrs[1] = record(2, 0, 1, &ca_der);
	rrs[2] = record(3, 0, 0, &leaf_der);
	memset(&set, 0, sizeof set);
	for (i = 0; i < 3; i++) {
		assert_int_equal(tlsa_parse(rrs[i], &rr, err, sizeof err), 0);
		tlsa_set_add(&set, &rr);
		free(rrs[i]);
	}
	chain[0].p = chain[1].p = junk;
	chain[0].len = chain[1].len = sizeof junk - 1;
	memset(&ctx, 0, sizeof ctx);
	ctx.smtp = true;
	ctx.host = "mx.example";
	tlsa_verify(&set, &ctx, chain, 2, &d);
	assert_true(d.usable);
	assert_false(d.ok);
	for (i = 0; i < d.nrrs; i++)
		assert_false(d.rrs[i].matched);
	tls_dane_free(&d);
	tlsa_verify(&set, &ctx, chain, 0, &d);
	assert_false(d.ok);
	assert_true(strstr(d.rrs[0].result, "no certificate") != NULL);
	tls_dane_free(&d);
	tlsa_set_free(&set);
}

/* The facts carry the verdict through a copy. */
static void
test_facts_copy(void **state)
{
	struct tls_facts	*f = xcalloc(1, sizeof *f), *g;
	char			*r311 = record(3, 1, 1, &leaf_der);
	const char		*one[2] = { NULL, NULL };

	(void)state;
	one[0] = r311;
	check(one, &leaf_der, false, true, false, TLSA_GIVEN, &f->dane);
	f->pin.checked = true;
	strv_add(&f->pin.pins, "sha256//x");
	f->pin.actual = xstrdup("sha256//y");
	f->verified = true;
	g = tls_facts_dup(f);
	tls_facts_free(f);
	assert_true(g->verified);
	assert_true(g->dane.ok);
	assert_int_equal(strcasecmp(g->dane.rrs[0].rr, r311), 0);
	assert_true(strncmp(g->dane.verdict, "DANE verified", 13) == 0);
	assert_string_equal(g->pin.pins.v[0], "sha256//x");
	assert_string_equal(g->pin.actual, "sha256//y");
	tls_facts_free(g);
	free(r311);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_pin_parse),
		cmocka_unit_test(test_ee),
		cmocka_unit_test(test_ta),
		cmocka_unit_test(test_pkix_usages),
		cmocka_unit_test(test_dnssec),
		cmocka_unit_test(test_garbage_chain),
		cmocka_unit_test(test_facts_copy),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
