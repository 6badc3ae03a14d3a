/* SPDX-License-Identifier: ISC */
/*
 * Certificates made in memory with the GnuTLS x509 API: a CA for the lab
 * and server certificates it signs (or that sign themselves).  Keys are
 * ECDSA P-256: quick to make, so every lab start has fresh keys, unless
 * --keep-certs brings back the ones it kept (certgen_check).
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "lab/lab_int.h"

#define CERTGEN_ORG	"mailscope lab"
#define DAY		(24 * 60 * 60)

static int
cg_err(char *err, size_t errlen, const char *what, int rc)
{
	snprintf(err, errlen, "%s: %s", what, gnutls_strerror(rc));
	return -1;
}

static int
cg_key(gnutls_x509_privkey_t *key, char *err, size_t errlen)
{
	int	rc;

	if ((rc = gnutls_x509_privkey_init(key)) < 0)
		return cg_err(err, errlen, "key init", rc);
	rc = gnutls_x509_privkey_generate(*key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	if (rc < 0) {
		gnutls_x509_privkey_deinit(*key);
		*key = NULL;
		return cg_err(err, errlen, "key generation", rc);
	}
	return 0;
}

/* Version, serial, validity, subject and public key: common to both. */
static int
cg_base(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *cn,
    int64_t not_before, int64_t not_after, char *err, size_t errlen)
{
	unsigned char	serial[16];
	int		rc;

	if ((rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
		return cg_err(err, errlen, "serial", rc);
	serial[0] &= 0x7f;	/* positive */
	serial[0] |= 0x01;	/* and no leading zero byte */
	if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
	    (rc = gnutls_x509_crt_set_activation_time(crt,
	    (time_t)not_before)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(crt,
	    (time_t)not_after)) < 0 ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_ORGANIZATION_NAME, 0, CERTGEN_ORG,
	    strlen(CERTGEN_ORG))) < 0 ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn))) < 0 ||
	    (rc = gnutls_x509_crt_set_key(crt, key)) < 0)
		return cg_err(err, errlen, "certificate fields", rc);
	return 0;
}

static int
cg_key_id(gnutls_x509_crt_t crt, unsigned char *id, size_t *idlen,
    char *err, size_t errlen)
{
	int	rc;

	if ((rc = gnutls_x509_crt_get_key_id(crt, 0, id, idlen)) < 0)
		return cg_err(err, errlen, "key id", rc);
	return 0;
}

static int
cg_export(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, char **cert_pem,
    char **key_pem, char *err, size_t errlen)
{
	gnutls_datum_t	c = { NULL, 0 }, k = { NULL, 0 };
	int		rc;

	if ((rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &c)) < 0)
		return cg_err(err, errlen, "certificate export", rc);
	if ((rc = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM,
	    &k)) < 0) {
		gnutls_free(c.data);
		return cg_err(err, errlen, "key export", rc);
	}
	*cert_pem = xstrndup((char *)c.data, c.size);
	*key_pem = xstrndup((char *)k.data, k.size);
	gnutls_free(c.data);
	gnutls_free(k.data);
	return 0;
}

int
certgen_ca(const char *cn, char **cert_pem, char **key_pem, char *err,
    size_t errlen)
{
	gnutls_x509_privkey_t	 key = NULL;
	gnutls_x509_crt_t	 crt = NULL;
	unsigned char		 id[64];
	size_t			 idlen = sizeof id;
	int64_t			 now = (int64_t)time(NULL);
	int			 rc, ret = -1;

	*cert_pem = *key_pem = NULL;
	if (cg_key(&key, err, errlen) == -1)
		return -1;
	if ((rc = gnutls_x509_crt_init(&crt)) < 0) {
		cg_err(err, errlen, "certificate init", rc);
		goto out;
	}
	/* Valid from well before any back-dated leaf it signs. */
	if (cg_base(crt, key, cn, now - 3650 * (int64_t)DAY,
	    now + 3650 * (int64_t)DAY, err, errlen) == -1)
		goto out;
	if ((rc = gnutls_x509_crt_set_basic_constraints(crt, 1, 0)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN | GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0) {
		cg_err(err, errlen, "CA extensions", rc);
		goto out;
	}
	if (cg_key_id(crt, id, &idlen, err, errlen) == -1)
		goto out;
	if ((rc = gnutls_x509_crt_set_subject_key_id(crt, id, idlen)) < 0 ||
	    (rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256,
	    0)) < 0) {
		cg_err(err, errlen, "CA signature", rc);
		goto out;
	}
	ret = cg_export(crt, key, cert_pem, key_pem, err, errlen);
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return ret;
}

static int
cg_import_ca(const char *ca_cert_pem, const char *ca_key_pem,
    gnutls_x509_crt_t *cacrt, gnutls_x509_privkey_t *cakey, char *err,
    size_t errlen)
{
	gnutls_datum_t	d;
	int		rc;

	*cacrt = NULL;
	*cakey = NULL;
	if (ca_cert_pem == NULL || ca_key_pem == NULL) {
		snprintf(err, errlen, "no CA to sign with");
		return -1;
	}
	if ((rc = gnutls_x509_crt_init(cacrt)) < 0)
		return cg_err(err, errlen, "CA init", rc);
	d.data = (unsigned char *)(uintptr_t)ca_cert_pem;
	d.size = (unsigned int)strlen(ca_cert_pem);
	if ((rc = gnutls_x509_crt_import(*cacrt, &d, GNUTLS_X509_FMT_PEM)) < 0)
		return cg_err(err, errlen, "CA certificate", rc);
	if ((rc = gnutls_x509_privkey_init(cakey)) < 0)
		return cg_err(err, errlen, "CA key init", rc);
	d.data = (unsigned char *)(uintptr_t)ca_key_pem;
	d.size = (unsigned int)strlen(ca_key_pem);
	if ((rc = gnutls_x509_privkey_import(*cakey, &d,
	    GNUTLS_X509_FMT_PEM)) < 0)
		return cg_err(err, errlen, "CA key", rc);
	return 0;
}

static int
cg_import_key(const char *pem, gnutls_x509_privkey_t *key, char *err,
    size_t errlen)
{
	gnutls_datum_t	d;
	int		rc;

	if ((rc = gnutls_x509_privkey_init(key)) < 0)
		return cg_err(err, errlen, "key init", rc);
	d.data = (unsigned char *)(uintptr_t)pem;
	d.size = (unsigned int)strlen(pem);
	if ((rc = gnutls_x509_privkey_import(*key, &d,
	    GNUTLS_X509_FMT_PEM)) < 0) {
		gnutls_x509_privkey_deinit(*key);
		*key = NULL;
		return cg_err(err, errlen, "key", rc);
	}
	return 0;
}

/*
 * A kept CA: 0 when the certificate and key belong together, the
 * certificate is a CA and valid for at least another day; -1 with err.
 * A NULL certificate checks the key alone.
 */
int
certgen_check(const char *cert_pem, const char *key_pem, char *err,
    size_t errlen)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_x509_privkey_t	 key = NULL;
	unsigned char		 a[64], b[64];
	size_t			 alen = sizeof a, blen = sizeof b;
	unsigned int		 ca = 0;
	int			 rc, ret = -1;

	if (cert_pem == NULL) {
		if (cg_import_key(key_pem, &key, err, errlen) == -1)
			return -1;
		gnutls_x509_privkey_deinit(key);
		return 0;
	}
	if (cg_import_ca(cert_pem, key_pem, &crt, &key, err, errlen) == -1)
		goto out;
	if (gnutls_x509_crt_get_basic_constraints(crt, NULL, &ca, NULL) < 0 ||
	    !ca) {
		snprintf(err, errlen, "not a CA certificate");
		goto out;
	}
	if (gnutls_x509_crt_get_expiration_time(crt) < time(NULL) + DAY) {
		snprintf(err, errlen, "expired or about to");
		goto out;
	}
	if ((rc = gnutls_x509_crt_get_key_id(crt, 0, a, &alen)) < 0 ||
	    (rc = gnutls_x509_privkey_get_key_id(key, 0, b, &blen)) < 0) {
		cg_err(err, errlen, "key id", rc);
		goto out;
	}
	if (alen != blen || memcmp(a, b, alen) != 0) {
		snprintf(err, errlen, "the key is not the certificate's");
		goto out;
	}
	ret = 0;
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	return ret;
}

static int
cg_san(gnutls_x509_crt_t crt, const struct certgen_opts *opts, char *err,
    size_t errlen)
{
	unsigned char	addr[16];
	size_t		i;
	int		rc, alen;

	for (i = 0; i < opts->dns.n; i++) {
		rc = gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_DNSNAME, opts->dns.v[i],
		    (unsigned int)strlen(opts->dns.v[i]), GNUTLS_FSAN_APPEND);
		if (rc < 0)
			return cg_err(err, errlen, "DNS name", rc);
	}
	for (i = 0; i < opts->ip.n; i++) {
		if (inet_pton(AF_INET, opts->ip.v[i], addr) == 1)
			alen = 4;
		else if (inet_pton(AF_INET6, opts->ip.v[i], addr) == 1)
			alen = 16;
		else {
			snprintf(err, errlen, "bad IP address: %s",
			    opts->ip.v[i]);
			return -1;
		}
		rc = gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_IPADDRESS, addr, (unsigned int)alen,
		    GNUTLS_FSAN_APPEND);
		if (rc < 0)
			return cg_err(err, errlen, "IP address", rc);
	}
	return 0;
}

int
certgen_server(const struct certgen_opts *opts, const char *ca_cert_pem,
    const char *ca_key_pem, char **cert_pem, char **key_pem, char *err,
    size_t errlen)
{
	gnutls_x509_privkey_t	 key = NULL, cakey = NULL;
	gnutls_x509_crt_t	 crt = NULL, cacrt = NULL;
	unsigned char		 id[64];
	size_t			 idlen;
	int64_t			 now = (int64_t)time(NULL), nb, na;
	int			 rc, ret = -1;

	*cert_pem = *key_pem = NULL;
	nb = opts->not_before != 0 ? opts->not_before : now - DAY;
	na = opts->not_after != 0 ? opts->not_after : now + 365 * DAY;
	if (na <= nb) {
		snprintf(err, errlen, "certificate expires before it begins");
		return -1;
	}
	if (!opts->self_signed && cg_import_ca(ca_cert_pem, ca_key_pem,
	    &cacrt, &cakey, err, errlen) == -1)
		goto out;
	if (opts->key_pem != NULL ? cg_import_key(opts->key_pem, &key, err,
	    errlen) == -1 : cg_key(&key, err, errlen) == -1)
		goto out;
	if ((rc = gnutls_x509_crt_init(&crt)) < 0) {
		cg_err(err, errlen, "certificate init", rc);
		goto out;
	}
	if (cg_base(crt, key, opts->cn != NULL ? opts->cn : "localhost", nb, na,
	    err, errlen) == -1 || cg_san(crt, opts, err, errlen) == -1)
		goto out;
	if ((rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(crt,
	    GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_purpose_oid(crt,
	    GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0) {
		cg_err(err, errlen, "server extensions", rc);
		goto out;
	}
	idlen = sizeof id;
	if (cg_key_id(crt, id, &idlen, err, errlen) == -1)
		goto out;
	if ((rc = gnutls_x509_crt_set_subject_key_id(crt, id, idlen)) < 0) {
		cg_err(err, errlen, "subject key id", rc);
		goto out;
	}
	if (opts->self_signed)
		rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
	else {
		idlen = sizeof id;
		if (cg_key_id(cacrt, id, &idlen, err, errlen) == -1)
			goto out;
		if ((rc = gnutls_x509_crt_set_authority_key_id(crt, id,
		    idlen)) < 0) {
			cg_err(err, errlen, "authority key id", rc);
			goto out;
		}
		rc = gnutls_x509_crt_sign2(crt, cacrt, cakey,
		    GNUTLS_DIG_SHA256, 0);
	}
	if (rc < 0) {
		cg_err(err, errlen, "signature", rc);
		goto out;
	}
	ret = cg_export(crt, key, cert_pem, key_pem, err, errlen);
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (cacrt != NULL)
		gnutls_x509_crt_deinit(cacrt);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	if (cakey != NULL)
		gnutls_x509_privkey_deinit(cakey);
	return ret;
}
