/* SPDX-License-Identifier: ISC */
/*
 * weak.c: the one rule set for weak TLS parameters, which the live
 * session's warnings and probe --scan's findings both read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"

/* The codes found, "code/bad" joined by spaces. */
static const char *
weigh(int version, int kx, int cipher, int mac, unsigned dh_bits)
{
	static char		 out[256];
	struct tls_params	 p = { version, kx, cipher, mac, dh_bits };
	struct tls_weakness	 w[TLS_WEAK_MAX];
	size_t			 i, n;

	out[0] = '\0';
	n = tls_weak(&p, w);
	for (i = 0; i < n; i++) {
		assert_true(w[i].why[0] != '\0');
		/* Each one as scanners know it. */
		assert_non_null(w[i].ref);
		assert_non_null(strstr(" LOW MEDIUM HIGH ", w[i].ref->severity));
		assert_int_equal(strncmp(w[i].ref->cwe, "CWE-", 4), 0);
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s%s",
		    i ? " " : "", w[i].code, w[i].bad ? "/bad" : "");
	}
	return out;
}

static void
test_strong(void **state)
{
	(void)state;
	assert_string_equal(weigh(GNUTLS_TLS1_3, GNUTLS_KX_UNKNOWN,
	    GNUTLS_CIPHER_AES_256_GCM, GNUTLS_MAC_AEAD, 0), "");
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA,
	    GNUTLS_CIPHER_CHACHA20_POLY1305, GNUTLS_MAC_AEAD, 0), "");
	/* CBC is weak with SHA-1 only; 2048-bit DH is enough. */
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_DHE_RSA,
	    GNUTLS_CIPHER_AES_128_CBC, GNUTLS_MAC_SHA256, 2048), "");
}

static void
test_weak(void **state)
{
	(void)state;
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_ANON_DH,
	    GNUTLS_CIPHER_AES_128_GCM, GNUTLS_MAC_AEAD, 0), "weak-kx/bad");
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_ANON_ECDH,
	    GNUTLS_CIPHER_AES_128_GCM, GNUTLS_MAC_AEAD, 0), "weak-kx/bad");
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_RSA,
	    GNUTLS_CIPHER_AES_128_GCM, GNUTLS_MAC_AEAD, 0), "weak-kx");
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA,
	    GNUTLS_CIPHER_NULL, GNUTLS_MAC_SHA1, 0), "weak-cipher/bad");
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA,
	    GNUTLS_CIPHER_ARCFOUR_128, GNUTLS_MAC_SHA1, 0),
	    "weak-cipher/bad");
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA,
	    GNUTLS_CIPHER_ARCFOUR_40, GNUTLS_MAC_MD5, 0), "weak-cipher/bad");
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA,
	    GNUTLS_CIPHER_3DES_CBC, GNUTLS_MAC_SHA1, 0),
	    "weak-cipher weak-cipher");
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA,
	    GNUTLS_CIPHER_AES_256_CBC, GNUTLS_MAC_SHA1, 0), "weak-cipher");
	assert_string_equal(weigh(GNUTLS_TLS1_0, GNUTLS_KX_ECDHE_RSA,
	    GNUTLS_CIPHER_AES_256_CBC, GNUTLS_MAC_SHA256, 0),
	    "weak-version");
	assert_string_equal(weigh(GNUTLS_TLS1_1, GNUTLS_KX_ECDHE_RSA,
	    GNUTLS_CIPHER_AES_256_CBC, GNUTLS_MAC_SHA256, 0),
	    "weak-version");
	assert_string_equal(weigh(GNUTLS_TLS1_2, GNUTLS_KX_DHE_RSA,
	    GNUTLS_CIPHER_AES_128_GCM, GNUTLS_MAC_AEAD, 1024), "weak-dh");
	/* Everything at once: all of it said, nothing lost. */
	assert_string_equal(weigh(GNUTLS_TLS1_0, GNUTLS_KX_ANON_DH,
	    GNUTLS_CIPHER_3DES_CBC, GNUTLS_MAC_SHA1, 1024),
	    "weak-version weak-kx/bad weak-cipher weak-cipher weak-dh");
}

/* The one weakness of these parameters, as testssl.sh names it. */
static const struct tls_weak_ref *
ref_of(int version, int kx, int cipher, int mac, unsigned dh_bits)
{
	struct tls_params	 p = { version, kx, cipher, mac, dh_bits };
	struct tls_weakness	 w[TLS_WEAK_MAX];

	assert_int_equal(tls_weak(&p, w), 1);
	return w[0].ref;
}

static void
test_refs(void **state)
{
	const struct tls_weak_ref	*r;

	(void)state;
	r = ref_of(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA, GNUTLS_CIPHER_3DES_CBC,
	    GNUTLS_MAC_AEAD, 0);
	assert_string_equal(r->id, "SWEET32");
	assert_string_equal(r->cve, "CVE-2016-2183 CVE-2016-6329");
	r = ref_of(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA,
	    GNUTLS_CIPHER_ARCFOUR_128, GNUTLS_MAC_AEAD, 0);
	assert_string_equal(r->id, "RC4");
	assert_string_equal(r->severity, "HIGH");
	r = ref_of(GNUTLS_TLS1_2, GNUTLS_KX_DHE_RSA,
	    GNUTLS_CIPHER_AES_128_GCM, GNUTLS_MAC_AEAD, 1024);
	assert_string_equal(r->id, "LOGJAM");
	assert_string_equal(r->cve, "CVE-2015-4000");
	r = ref_of(GNUTLS_TLS1_2, GNUTLS_KX_ANON_ECDH,
	    GNUTLS_CIPHER_AES_128_GCM, GNUTLS_MAC_AEAD, 0);
	assert_string_equal(r->id, "cipherlist_aNULL");
	assert_null(r->cve);
	r = ref_of(GNUTLS_TLS1_1, GNUTLS_KX_ECDHE_RSA,
	    GNUTLS_CIPHER_AES_128_GCM, GNUTLS_MAC_AEAD, 0);
	assert_string_equal(r->id, "TLS1_1");
	assert_string_equal(r->severity, "LOW");
}

/* The scan's suites: what GnuTLS lists, each offered alone. */
static void
test_suites(void **state)
{
	struct tls_suite	*v;
	struct buf		 b = { 0 };
	size_t			 i, n;
	bool			 anon = false, tls13 = false;

	(void)state;
	n = tls_suites(&v);
	assert_true(n > 20);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].name, "TLS_DH_ANON_AES_128_CBC_SHA1") == 0) {
			anon = true;
			assert_int_equal(v[i].id[0], 0x00);
			assert_int_equal(v[i].id[1], 0x34);
			assert_int_equal(tls_suite_priority(&v[i], "TLS1.2",
			    &b), 0);
			assert_non_null(strstr(b.p, "+ANON-DH"));
			assert_int_equal(tls_suite_priority(&v[i], "TLS1.3",
			    &b), -1);
		}
		if (strcmp(v[i].name, "TLS_AES_128_GCM_SHA256") == 0) {
			tls13 = true;
			assert_int_equal(tls_suite_priority(&v[i], "TLS1.3",
			    &b), 0);
			assert_int_equal(tls_suite_priority(&v[i], "TLS1.2",
			    &b), -1);
		}
		if (v[i].p.kx == GNUTLS_KX_PSK)
			assert_int_equal(tls_suite_priority(&v[i], "TLS1.2",
			    &b), -1);
	}
	assert_true(anon && tls13);
	free(v);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strong),
		cmocka_unit_test(test_weak),
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_suites),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
