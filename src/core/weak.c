/* SPDX-License-Identifier: ISC */
/*
 * What is weak in a TLS connection's parameters: the one rule set behind
 * the live session's warnings (weak-version, weak-kx, weak-cipher,
 * weak-dh) and probe --scan's findings.  RFC 9325 (and RFC 7525 before
 * it) is the yardstick; RFC 7465 for RC4, RFC 8996 for TLS 1.0 and 1.1.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "core/core.h"

/* testssl.sh's ids and severities, so a pipeline keys on either tool. */
static const struct tls_weak_ref
    ref_ssl3 = { "SSLv3", "HIGH", "CVE-2014-3566", "CWE-310" },
    ref_tls1 = { "TLS1", "LOW", NULL, "CWE-327" },
    ref_tls1_1 = { "TLS1_1", "LOW", NULL, "CWE-327" },
    ref_anon = { "cipherlist_aNULL", "HIGH", NULL, "CWE-327" },
    ref_rsa_kx = { "FS", "LOW", NULL, "CWE-310" },
    ref_freak = { "FREAK", "HIGH", "CVE-2015-0204", "CWE-310" },
    ref_null = { "cipherlist_NULL", "HIGH", NULL, "CWE-327" },
    ref_rc4 = { "RC4", "HIGH", "CVE-2013-2566 CVE-2015-2808", "CWE-310" },
    ref_export = { "cipherlist_EXPORT", "HIGH", NULL, "CWE-327" },
    ref_sweet32 = { "SWEET32", "LOW", "CVE-2016-2183 CVE-2016-6329",
	"CWE-327" },
    ref_lucky13 = { "LUCKY13", "LOW", "CVE-2013-0169", "CWE-310" },
    ref_logjam = { "LOGJAM", "MEDIUM", "CVE-2015-4000", "CWE-310" };

static void PRINTFLIKE(6, 7)
weak(struct tls_weakness *w, size_t *n, const char *code, bool bad,
    const struct tls_weak_ref *ref, const char *fmt, ...)
{
	va_list	ap;

	if (*n == TLS_WEAK_MAX)
		return;
	w[*n].code = code;
	w[*n].bad = bad;
	w[*n].ref = ref;
	va_start(ap, fmt);
	vsnprintf(w[*n].why, sizeof w[*n].why, fmt, ap);
	va_end(ap);
	(*n)++;
}

static bool
is_cbc(int cipher)
{
	const char	*name = gnutls_cipher_get_name(cipher);

	return name != NULL && strstr(name, "-CBC") != NULL;
}

size_t
tls_weak(const struct tls_params *p, struct tls_weakness w[TLS_WEAK_MAX])
{
	const char	*v = gnutls_protocol_get_name(p->version);
	size_t		 n = 0;

	if (p->version == GNUTLS_SSL3 || p->version == GNUTLS_TLS1_0 ||
	    p->version == GNUTLS_TLS1_1)
		weak(w, &n, "weak-version", false, p->version == GNUTLS_SSL3 ?
		    &ref_ssl3 : p->version == GNUTLS_TLS1_0 ? &ref_tls1 :
		    &ref_tls1_1, "%s: deprecated since RFC 8996 (SHA-1 and "
		    "MD5 in its handshake, no AEAD ciphers)",
		    v != NULL ? v : "?");
	switch (p->kx) {
	case GNUTLS_KX_ANON_DH:
	case GNUTLS_KX_ANON_ECDH:
		weak(w, &n, "weak-kx", true, &ref_anon, "%s", "anonymous: "
		    "no authentication, a man in the middle needs no "
		    "certificate");
		break;
	case GNUTLS_KX_RSA:
		weak(w, &n, "weak-kx", false, &ref_rsa_kx, "%s", "RSA key "
		    "exchange: no forward secrecy, the server's key decrypts "
		    "every recorded session");
		break;
	case GNUTLS_KX_RSA_EXPORT:
		weak(w, &n, "weak-kx", true, &ref_freak, "%s", "export-grade "
		    "RSA key exchange (512 bits, FREAK)");
		break;
	default:
		break;
	}
	switch (p->cipher) {
	case GNUTLS_CIPHER_NULL:
		weak(w, &n, "weak-cipher", true, &ref_null, "%s", "NULL "
		    "cipher: nothing is encrypted");
		break;
	case GNUTLS_CIPHER_ARCFOUR_128:
		weak(w, &n, "weak-cipher", true, &ref_rc4, "%s", "RC4: "
		    "biased key stream, prohibited by RFC 7465");
		break;
	case GNUTLS_CIPHER_ARCFOUR_40:
	case GNUTLS_CIPHER_RC2_40_CBC:
	case GNUTLS_CIPHER_DES_CBC:
		weak(w, &n, "weak-cipher", true, &ref_export, "export-grade "
		    "cipher %s: a key of 56 bits or less",
		    gnutls_cipher_get_name(p->cipher));
		break;
	case GNUTLS_CIPHER_3DES_CBC:
		weak(w, &n, "weak-cipher", false, &ref_sweet32, "%s", "3DES: "
		    "64-bit blocks, a long session leaks plaintext "
		    "(Sweet32)");
		break;
	default:
		break;
	}
	if (is_cbc(p->cipher) && p->mac == GNUTLS_MAC_SHA1)
		weak(w, &n, "weak-cipher", false, &ref_lucky13, "%s", "CBC "
		    "with HMAC-SHA1: MAC-then-encrypt, open to padding "
		    "oracles (Lucky13); RFC 9325 asks for AEAD");
	if (p->dh_bits > 0 && p->dh_bits < 2048)
		weak(w, &n, "weak-dh", false, &ref_logjam, "weak key "
		    "exchange: the server's Diffie-Hellman group has %u bits, "
		    "under 2048; an attacker who can break it reads the "
		    "session",
		    p->dh_bits);
	return n;
}
