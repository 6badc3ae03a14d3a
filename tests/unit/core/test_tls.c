/* SPDX-License-Identifier: ISC */
/*
 * tls.c over a base stream against a GnuTLS server in the same process,
 * over a socketpair.
 * The server's transport randomly answers EAGAIN, the client's socket is
 * non-blocking: the handshake must complete across both.  Certificates
 * are made here, in memory, with certgen.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

#define DAY	86400

static char	*ca_cert, *ca_key, *ca_path;
static char	 tmpdir[] = "/tmp/mailscope-tls-XXXXXX";

struct server {
	gnutls_session_t			 s;
	gnutls_certificate_credentials_t	 cred;
	gnutls_anon_server_credentials_t	 anon;
	int					 fd;
	bool					 done;
};

static ssize_t
srv_push(gnutls_transport_ptr_t p, const void *d, size_t n)
{
	struct server	*sv = p;

	if (rand() % 3 == 0) {
		gnutls_transport_set_errno(sv->s, EAGAIN);
		return -1;
	}
	return send(sv->fd, d, n > 7 ? n / 2 + 1 : n, MSG_NOSIGNAL);
}

static ssize_t
srv_pull(gnutls_transport_ptr_t p, void *d, size_t n)
{
	struct server	*sv = p;
	ssize_t		 r;

	if (rand() % 3 == 0) {
		gnutls_transport_set_errno(sv->s, EAGAIN);
		return -1;
	}
	r = recv(sv->fd, d, n, 0);
	if (r == -1)
		gnutls_transport_set_errno(sv->s, errno);
	return r;
}

static void
server_init(struct server *sv, int fd, const char *cert, const char *key,
    const char *prio)
{
	gnutls_datum_t	c = { (unsigned char *)(uintptr_t)cert,
			    (unsigned int)strlen(cert) };
	gnutls_datum_t	k = { (unsigned char *)(uintptr_t)key,
			    (unsigned int)strlen(key) };

	memset(sv, 0, sizeof *sv);
	sv->fd = fd;
	assert_int_equal(gnutls_certificate_allocate_credentials(&sv->cred),
	    0);
	assert_int_equal(gnutls_certificate_set_x509_key_mem(sv->cred, &c,
	    &k, GNUTLS_X509_FMT_PEM), 0);
	assert_int_equal(gnutls_init(&sv->s, GNUTLS_SERVER |
	    GNUTLS_NONBLOCK), 0);
	assert_int_equal(gnutls_priority_set_direct(sv->s, prio != NULL ?
	    prio : "NORMAL", NULL), 0);
	gnutls_credentials_set(sv->s, GNUTLS_CRD_CERTIFICATE, sv->cred);
	/* Anonymous suites too, when the server's priority names them. */
	assert_int_equal(gnutls_anon_allocate_server_credentials(&sv->anon),
	    0);
	gnutls_anon_set_server_known_dh_params(sv->anon,
	    GNUTLS_SEC_PARAM_HIGH);
	gnutls_credentials_set(sv->s, GNUTLS_CRD_ANON, sv->anon);
	gnutls_transport_set_ptr(sv->s, sv);
	gnutls_transport_set_push_function(sv->s, srv_push);
	gnutls_transport_set_pull_function(sv->s, srv_pull);
}

static void
server_free(struct server *sv)
{
	gnutls_deinit(sv->s);
	gnutls_certificate_free_credentials(sv->cred);
	gnutls_anon_free_server_credentials(sv->anon);
}

struct steps {
	char	seen[2048];
};

static void
on_step(const char *step, void *arg)
{
	struct steps	*st = arg;

	strncat(st->seen, step, sizeof st->seen - strlen(st->seen) - 2);
	strcat(st->seen, "|");
}

/* Drive both ends until the client is done; returns the handshake's. */
static int
run_handshake(struct stream *c, struct server *sv)
{
	int	i, rc = STREAM_AGAIN, s;

	for (i = 0; i < 20000 && rc == STREAM_AGAIN; i++) {
		rc = stream_handshake(c);
		if (!sv->done) {
			s = gnutls_handshake(sv->s);
			if (s == 0)
				sv->done = true;
			else if (gnutls_error_is_fatal(s)) {
				/* As a real server does: tell the client. */
				while (gnutls_alert_send_appropriate(sv->s, s) ==
				    GNUTLS_E_AGAIN)
					;
				sv->done = true;
			}
		}
	}
	/* Let the server finish its side (TLS 1.3 tickets and the like). */
	for (i = 0; i < 200 && !sv->done; i++)
		if (gnutls_handshake(sv->s) == 0)
			sv->done = true;
	return rc;
}

struct pair {
	struct tls_client	*c;
	struct stream		*io;
	struct server		 sv;
	struct steps		 st;
	int			 fds[2];
	char			 err[512];
};

static int
connect_pair(struct pair *p, const char *cert, const char *key,
    const char *host, const char *cprio, const char *sprio,
    const char *keylog)
{
	struct tls_opts	o;

	memset(p, 0, sizeof *p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK,
	    0, p->fds), 0);
	server_init(&p->sv, p->fds[1], cert, key, sprio);
	memset(&o, 0, sizeof o);
	o.cafile = ca_path;
	o.verify_host = host;
	o.priority = cprio;
	o.keylog = keylog;
	p->io = stream_new(p->fds[0], 0);
	p->c = tls_client_new(&o, p->io, on_step, &p->st, p->err,
	    sizeof p->err);
	if (p->c == NULL)
		return -1;
	return run_handshake(p->io, &p->sv);
}

static void
pair_free(struct pair *p)
{
	stream_free(p->io);
	tls_client_free(p->c);
	server_free(&p->sv);
	close(p->fds[1]);
}

static void
make_leaf(const char *cn, const char *dns, const char *ip, int64_t nb,
    int64_t na, bool self, char **cert, char **key)
{
	struct certgen_opts	o;
	char			err[256];

	memset(&o, 0, sizeof o);
	o.cn = cn;
	if (dns != NULL)
		strv_add(&o.dns, dns);
	if (ip != NULL)
		strv_add(&o.ip, ip);
	o.not_before = nb;
	o.not_after = na;
	o.self_signed = self;
	if (certgen_server(&o, ca_cert, ca_key, cert, key, err,
	    sizeof err) == -1)
		fail_msg("certgen: %s", err);
	strv_clear(&o.dns);
	strv_clear(&o.ip);
}

static int
setup(void **state)
{
	char	err[256];
	FILE	*f;

	(void)state;
	srand(42);
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	if (certgen_ca("mailscope test CA", &ca_cert, &ca_key, err,
	    sizeof err) == -1)
		return -1;
	xasprintf(&ca_path, "%s/ca.pem", tmpdir);
	if ((f = fopen(ca_path, "w")) == NULL)
		return -1;
	fputs(ca_cert, f);
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	char	*cmd;

	(void)state;
	xasprintf(&cmd, "rm -rf %s", tmpdir);
	(void)!system(cmd);
	free(cmd);
	free(ca_cert);
	free(ca_key);
	free(ca_path);
	return 0;
}

static void
fingerprint_of(const char *pem, char *out, size_t outlen)
{
	gnutls_x509_crt_t	crt;
	gnutls_datum_t		d = { (unsigned char *)(uintptr_t)pem,
				    (unsigned int)strlen(pem) };
	unsigned char		raw[32];
	size_t			n = sizeof raw, i;

	gnutls_x509_crt_init(&crt);
	assert_int_equal(gnutls_x509_crt_import(crt, &d,
	    GNUTLS_X509_FMT_PEM), 0);
	assert_int_equal(gnutls_x509_crt_get_fingerprint(crt,
	    GNUTLS_DIG_SHA256, raw, &n), 0);
	gnutls_x509_crt_deinit(crt);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), outlen - strlen(out), "%s%02X",
		    i ? ":" : "", raw[i]);
}

static void
test_good(void **state)
{
	struct pair		 p;
	struct tls_facts	*f;
	char			*cert, *key, fp[128];
	struct buf		 b = { 0 };

	(void)state;
	make_leaf("mail.test", "mail.test", "127.0.0.1", 0, 0, false,
	    &cert, &key);
	assert_int_equal(connect_pair(&p, cert, key, "mail.test", NULL,
	    NULL, NULL), 1);
	f = tls_get_facts(p.c);
	assert_string_equal(f->version, gnutls_protocol_get_name(
	    gnutls_protocol_get_version(p.sv.s)));
	assert_string_equal(f->cipher, gnutls_ciphersuite_get(p.sv.s));
	assert_string_equal(f->group, gnutls_group_get_name(
	    gnutls_group_get(p.sv.s)));
	assert_string_equal(f->sni, "mail.test");
	assert_int_equal(f->nchain, 1);
	assert_non_null(strstr(f->chain[0].subject, "CN=mail.test"));
	assert_int_equal(f->chain[0].san.n, 2);
	assert_string_equal(f->chain[0].san.v[0], "DNS:mail.test");
	assert_string_equal(f->chain[0].san.v[1], "IP:127.0.0.1");
	fingerprint_of(cert, fp, sizeof fp);
	assert_string_equal(f->chain[0].sha256, fp);
	assert_true(strlen(f->chain[0].pin_sha256) == 44);
	assert_true(f->verify.ok);
	assert_string_equal(f->verify.trust, "Verified");
	assert_string_equal(f->verify.matched, "DNS:mail.test");
	assert_int_equal(f->verify.reasons.n, 0);
	tls_facts_summary(f, &b);
	assert_non_null(strstr(b.p, "certificate verified"));
	assert_non_null(strstr(p.st.seen, "ClientHello sent"));
	assert_non_null(strstr(p.st.seen, "ServerHello received"));
	assert_non_null(strstr(p.st.seen, "Certificate received"));
	assert_non_null(strstr(p.st.seen, "Finished received"));
	/* The copy is deep and equal. */
	{
		struct tls_facts *d = tls_facts_dup(f);

		assert_string_equal(d->chain[0].san.v[0], "DNS:mail.test");
		assert_string_equal(d->verify.matched, "DNS:mail.test");
		tls_facts_free(d);
	}
	buf_free(&b);
	tls_facts_free(f);
	pair_free(&p);
	free(cert);
	free(key);
}

static void
test_data_roundtrip(void **state)
{
	struct pair	 p;
	char		*cert, *key, got[64];
	ssize_t		 n = STREAM_AGAIN;
	int		 i;

	(void)state;
	make_leaf("mail.test", "mail.test", NULL, 0, 0, false, &cert, &key);
	assert_int_equal(connect_pair(&p, cert, key, "mail.test", NULL,
	    NULL, NULL), 1);
	for (i = 0; i < 1000 && gnutls_record_send(p.sv.s, "250 ok\r\n", 8)
	    != 8; i++)
		;
	for (i = 0; i < 1000 && n == STREAM_AGAIN; i++)
		n = stream_read(p.io, got, sizeof got);
	assert_int_equal(n, 8);
	assert_memory_equal(got, "250 ok\r\n", 8);
	n = STREAM_AGAIN;
	for (i = 0; i < 1000 && n == STREAM_AGAIN; i++)
		n = stream_write(p.io, "QUIT\r\n", 6);
	assert_int_equal(n, 6);
	pair_free(&p);
	free(cert);
	free(key);
}

static void
test_ip_literal(void **state)
{
	struct pair		 p;
	struct tls_facts	*f;
	char			*cert, *key;

	(void)state;
	make_leaf("mail.test", "mail.test", "127.0.0.1", 0, 0, false,
	    &cert, &key);
	assert_int_equal(connect_pair(&p, cert, key, "127.0.0.1", NULL,
	    NULL, NULL), 1);
	f = tls_get_facts(p.c);
	assert_true(f->verify.ok);
	assert_string_equal(f->verify.matched, "IP:127.0.0.1");
	/* No SNI for an address (RFC 6066 3). */
	assert_null(f->sni);
	tls_facts_free(f);
	pair_free(&p);
	free(cert);
	free(key);
}

/* A Unicode name goes out, and is matched, as its A-label. */
static void
test_idn_name(void **state)
{
	struct pair		 p;
	struct tls_facts	*f;
	char			*cert, *key;

	(void)state;
	make_leaf("idn", "xn--bcher-kva.example", NULL, 0, 0, false, &cert,
	    &key);
	assert_int_equal(connect_pair(&p, cert, key, "b\xc3\xbc" "cher.example",
	    NULL, NULL, NULL), 1);
	f = tls_get_facts(p.c);
	assert_true(f->verify.ok);
	assert_string_equal(f->sni, "xn--bcher-kva.example");
	assert_non_null(f->verify.matched);
	assert_string_equal(f->verify.matched, "DNS:xn--bcher-kva.example");
	tls_facts_free(f);
	pair_free(&p);
	free(cert);
	free(key);
}

static void
expect_reason(const char *cert, const char *key, const char *host,
    const char *says, const char *also)
{
	struct pair		 p;
	struct tls_facts	*f;
	size_t			 i;
	bool			 found = false, found2 = also == NULL;

	assert_int_equal(connect_pair(&p, cert, key, host, NULL, NULL,
	    NULL), 1);
	f = tls_get_facts(p.c);
	assert_false(f->verify.ok);
	assert_string_equal(f->verify.trust, "Untrusted");
	for (i = 0; i < f->verify.reasons.n; i++) {
		if (strstr(f->verify.reasons.v[i], says) != NULL)
			found = true;
		if (also != NULL && strstr(f->verify.reasons.v[i], also))
			found2 = true;
	}
	if (!found || !found2)
		fail_msg("no reason '%s'/'%s' among %zu (first: %s)", says,
		    also != NULL ? also : "", f->verify.reasons.n,
		    f->verify.reasons.n ? f->verify.reasons.v[0] : "-");
	tls_facts_free(f);
	pair_free(&p);
}

static void
test_expired(void **state)
{
	char	*cert, *key;

	(void)state;
	/* 2020-01-01 .. 2021-01-01 */
	make_leaf("mail.test", "mail.test", NULL, 1577836800, 1609459200,
	    false, &cert, &key);
	expect_reason(cert, key, "mail.test", "expired on 2021-01-01",
	    "days ago");
	free(cert);
	free(key);
}

static void
test_wrong_host(void **state)
{
	char	*cert, *key;

	(void)state;
	make_leaf("wrong.example", "wrong.example", NULL, 0, 0, false, &cert,
	    &key);
	expect_reason(cert, key, "mail.test", "name mail.test not in "
	    "certificate (it holds: wrong.example)", NULL);
	free(cert);
	free(key);
}

static void
test_expired_and_wrong_host(void **state)
{
	char	*cert, *key;

	(void)state;
	make_leaf("wrong.example", "wrong.example", NULL, 1577836800,
	    1609459200, false, &cert, &key);
	expect_reason(cert, key, "mail.test", "expired", "not in "
	    "certificate");
	free(cert);
	free(key);
}

static void
test_self_signed(void **state)
{
	char	*cert, *key;

	(void)state;
	make_leaf("mail.test", "mail.test", NULL, 0, 0, true, &cert, &key);
	expect_reason(cert, key, "mail.test", "self-signed", NULL);
	free(cert);
	free(key);
}

static void
test_unknown_issuer(void **state)
{
	char		*cert, *key, *oc, *ok, *save_c, *save_k, err[128];

	(void)state;
	assert_int_equal(certgen_ca("other CA", &oc, &ok, err, sizeof err),
	    0);
	save_c = ca_cert;
	save_k = ca_key;
	ca_cert = oc;
	ca_key = ok;
	make_leaf("mail.test", "mail.test", NULL, 0, 0, false, &cert, &key);
	ca_cert = save_c;
	ca_key = save_k;
	expect_reason(cert, key, "mail.test", "issuer unknown", NULL);
	free(cert);
	free(key);
	free(oc);
	free(ok);
}

/* A DNS name with an embedded NUL must never match the prefix host. */
static void
test_embedded_nul(void **state)
{
	gnutls_x509_crt_t	 crt, ca;
	gnutls_x509_privkey_t	 key, cakey;
	gnutls_datum_t		 d, out;
	static const char	 evil[] = "mail.test\0.evil.example";
	unsigned char		 serial[] = { 7 }, san[64];
	char			*cert, *keypem;
	struct pair		 p;
	struct tls_facts	*f;

	(void)state;
	gnutls_x509_crt_init(&ca);
	gnutls_x509_privkey_init(&cakey);
	d.data = (unsigned char *)ca_cert;
	d.size = (unsigned int)strlen(ca_cert);
	assert_int_equal(gnutls_x509_crt_import(ca, &d, GNUTLS_X509_FMT_PEM),
	    0);
	d.data = (unsigned char *)ca_key;
	d.size = (unsigned int)strlen(ca_key);
	assert_int_equal(gnutls_x509_privkey_import(cakey, &d,
	    GNUTLS_X509_FMT_PEM), 0);
	gnutls_x509_privkey_init(&key);
	assert_int_equal(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	gnutls_x509_crt_init(&crt);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, sizeof serial);
	gnutls_x509_crt_set_activation_time(crt, time(NULL) - DAY);
	gnutls_x509_crt_set_expiration_time(crt, time(NULL) + DAY);
	gnutls_x509_crt_set_key(crt, key);
	/* GnuTLS refuses to write such a name: the DER by hand. */
	san[0] = 0x30;
	san[1] = (unsigned char)(sizeof evil - 1 + 2);
	san[2] = 0x82;
	san[3] = (unsigned char)(sizeof evil - 1);
	memcpy(san + 4, evil, sizeof evil - 1);
	assert_int_equal(gnutls_x509_crt_set_extension_by_oid(crt,
	    "2.5.29.17", san, sizeof evil - 1 + 4, 0), 0);
	assert_int_equal(gnutls_x509_crt_sign2(crt, ca, cakey,
	    GNUTLS_DIG_SHA256, 0), 0);
	gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &out);
	cert = xstrndup((char *)out.data, out.size);
	gnutls_free(out.data);
	gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &out);
	keypem = xstrndup((char *)out.data, out.size);
	gnutls_free(out.data);

	assert_int_equal(connect_pair(&p, cert, keypem, "mail.test", NULL,
	    NULL, NULL), 1);
	f = tls_get_facts(p.c);
	if (f->verify.ok)
		fail_msg("verified against SAN %s", f->chain[0].san.v[0]);
	assert_null(f->verify.matched);
	/* Shown in full, the NUL visible. */
	assert_string_equal(f->chain[0].san.v[0],
	    "DNS:mail.test\\0.evil.example");
	tls_facts_free(f);
	pair_free(&p);
	free(cert);
	free(keypem);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_privkey_deinit(key);
	gnutls_x509_privkey_deinit(cakey);
}

static void
test_tls12(void **state)
{
	struct pair		 p;
	struct tls_facts	*f;
	char			*cert, *key;

	(void)state;
	make_leaf("mail.test", "mail.test", NULL, 0, 0, false, &cert, &key);
	assert_int_equal(connect_pair(&p, cert, key, "mail.test", NULL,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.2", NULL), 1);
	f = tls_get_facts(p.c);
	assert_string_equal(f->version, "TLS1.2");
	assert_true(f->verify.ok);
	assert_non_null(strstr(p.st.seen, "ServerKeyExchange received"));
	tls_facts_free(f);
	pair_free(&p);
	free(cert);
	free(key);
}

static void
test_no_common_version(void **state)
{
	struct pair	 p;
	char		*cert, *key;

	(void)state;
	make_leaf("mail.test", "mail.test", NULL, 0, 0, false, &cert, &key);
	assert_int_equal(connect_pair(&p, cert, key, "mail.test",
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3", "NORMAL:-VERS-ALL:+VERS-TLS1.2",
	    NULL), -1);
	if (strstr(stream_error(p.io), "fatal alert from the server during the "
	    "TLS handshake") == NULL)
		fail_msg("got: %s", stream_error(p.io));
	pair_free(&p);
	free(cert);
	free(key);
}

/*
 * A server that speaks anonymous suites only: the ordinary client offers
 * none and fails; a priority naming them (probe --scan's) gets one, and
 * the one weakness rule calls it bad.
 */
static void
test_anon(void **state)
{
	static const char	*anon_only = "NONE:+VERS-TLS1.2:+AES-128-GCM:"
				    "+AEAD:+ANON-DH:+COMP-NULL:+GROUP-ALL:"
				    "+SIGN-ALL";
	struct pair		 p;
	struct tls_facts	*f;
	struct tls_params	 tp;
	struct tls_weakness	 w[TLS_WEAK_MAX];
	char			*cert, *key;

	(void)state;
	make_leaf("mail.test", "mail.test", NULL, 0, 0, false, &cert, &key);
	assert_int_equal(connect_pair(&p, cert, key, "mail.test", NULL,
	    anon_only, NULL), -1);
	pair_free(&p);
	if (connect_pair(&p, cert, key, "mail.test", "NORMAL:+ANON-DH",
	    anon_only, NULL) != 1)
		fail_msg("anonymous: %s", stream_error(p.io));
	f = tls_get_facts(p.c);
	assert_string_equal(f->kx, "ANON-DH");
	assert_false(f->verify.ok);
	tls_client_params(p.c, &tp);
	assert_int_equal(tls_weak(&tp, w), 1);
	assert_string_equal(w[0].code, "weak-kx");
	assert_true(w[0].bad);
	tls_facts_free(f);
	pair_free(&p);
	free(cert);
	free(key);
}

/*
 * What the hello offered comes from the priority string: the default
 * offers TLS 1.3 then 1.2 and never 1.1; a TLS 1.2-only priority offers
 * 1.2 alone, and the facts say so beside the version chosen.
 */
static void
test_offer(void **state)
{
	struct pair		 p;
	struct tls_facts	*f;
	char			*cert, *key;

	(void)state;
	make_leaf("mail.test", "mail.test", "127.0.0.1", 0, 0, false,
	    &cert, &key);
	assert_int_equal(connect_pair(&p, cert, key, "mail.test", NULL,
	    "NORMAL:-VERS-TLS1.3", NULL), 1);
	f = tls_get_facts(p.c);
	assert_true(f->offer.versions.n >= 2);
	assert_string_equal(f->offer.versions.v[0], "TLS1.3");
	assert_string_equal(f->offer.versions.v[1], "TLS1.2");
	assert_false(strv_has(&f->offer.versions, "TLS1.1"));
	assert_true(f->offer.groups.n > 0);
	assert_true(strv_has(&f->offer.groups, f->group));
	assert_true(f->offer.ciphers > 1);
	assert_string_equal(f->version, "TLS1.2");
	assert_non_null(strstr(f->offer.words, "TLS1.3, TLS1.2; groups "));
	assert_non_null(strstr(f->offer.words, " cipher suites"));
	assert_string_equal(f->offer.vwords, "TLS1.3, TLS1.2");
	tls_facts_free(f);
	pair_free(&p);

	assert_int_equal(connect_pair(&p, cert, key, "mail.test",
	    "NORMAL:-VERS-ALL:+VERS-TLS1.2", NULL, NULL), 1);
	f = tls_get_facts(p.c);
	assert_int_equal(f->offer.versions.n, 1);
	assert_string_equal(f->offer.vwords, "TLS1.2");
	tls_facts_free(f);
	pair_free(&p);
	free(cert);
	free(key);
}

static void
test_bad_priority(void **state)
{
	struct tls_opts	 o;
	struct stream	*io;
	char		 err[256];
	int		 fds[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	io = stream_new(fds[0], 0);
	memset(&o, 0, sizeof o);
	o.priority = "NORMAL:+NONSENSE";
	o.verify_host = "mail.test";
	assert_null(tls_client_new(&o, io, NULL, NULL, err, sizeof err));
	assert_non_null(strstr(err, "priority"));
	assert_non_null(strstr(err, "NONSENSE"));
	o.priority = NULL;
	o.cafile = "/nonexistent/ca.pem";
	assert_null(tls_client_new(&o, io, NULL, NULL, err, sizeof err));
	assert_non_null(strstr(err, "cannot read CA file"));
	/* A failed client leaves the stream in plaintext. */
	assert_null(stream_tls_session(io));
	stream_free(io);
	close(fds[1]);
}

static void
test_plaintext_answer(void **state)
{
	struct tls_client	*c;
	struct stream		*io;
	struct tls_opts		 o;
	char			 err[256], buf[4096];
	int			 fds[2], i, rc = STREAM_AGAIN;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK,
	    0, fds), 0);
	memset(&o, 0, sizeof o);
	o.cafile = ca_path;
	o.verify_host = "mail.test";
	io = stream_new(fds[0], 0);
	c = tls_client_new(&o, io, NULL, NULL, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(stream_handshake(io), STREAM_AGAIN);
	assert_true(read(fds[1], buf, sizeof buf) > 0);
	assert_int_equal(write(fds[1], "554 5.5.1 Error: no TLS\x1b[2J\r\n",
	    29), 29);
	for (i = 0; i < 100 && rc == STREAM_AGAIN; i++)
		rc = stream_handshake(io);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(stream_error(io), "plaintext"));
	if (strstr(stream_error(io), "554 5.5.1") == NULL)
		fail_msg("got: %s", stream_error(io));
	/* The escape sequence is shown escaped, never raw. */
	assert_null(strchr(stream_error(io), '\x1b'));
	stream_free(io);
	tls_client_free(c);
	close(fds[1]);
}

static void
test_peer_closes(void **state)
{
	struct tls_client	*c;
	struct stream		*io;
	struct tls_opts		 o;
	char			 err[256], buf[4096];
	int			 fds[2], i, rc = STREAM_AGAIN;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK,
	    0, fds), 0);
	memset(&o, 0, sizeof o);
	o.cafile = ca_path;
	o.verify_host = "mail.test";
	io = stream_new(fds[0], 0);
	c = tls_client_new(&o, io, NULL, NULL, err, sizeof err);
	assert_int_equal(stream_handshake(io), STREAM_AGAIN);
	assert_true(read(fds[1], buf, sizeof buf) > 0);
	close(fds[1]);
	for (i = 0; i < 100 && rc == STREAM_AGAIN; i++)
		rc = stream_handshake(io);
	assert_int_equal(rc, -1);
	if (strstr(stream_error(io), "closed the connection during the TLS "
	    "handshake") == NULL && strstr(stream_error(io), "connection reset "
	    "during the TLS handshake") == NULL)
		fail_msg("got: %s", stream_error(io));
	stream_free(io);
	tls_client_free(c);
}

static void
test_keylog(void **state)
{
	struct pair	 p;
	struct stat	 st;
	char		*cert, *key, *path, *link, line[512];
	FILE		*f;
	bool		 cr = false;
	struct tls_opts	 o;
	char		 err[256];
	struct stream	*io;

	(void)state;
	xasprintf(&path, "%s/keys.log", tmpdir);
	make_leaf("mail.test", "mail.test", NULL, 0, 0, false, &cert, &key);
	assert_int_equal(connect_pair(&p, cert, key, "mail.test", NULL,
	    NULL, path), 1);
	pair_free(&p);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ", 32) ==
		    0 && strlen(line) > 32 + 64 + 1 + 64)
			cr = true;
	fclose(f);
	assert_true(cr);

	xasprintf(&link, "%s/link.log", tmpdir);
	assert_int_equal(symlink(path, link), 0);
	memset(&o, 0, sizeof o);
	o.keylog = link;
	o.verify_host = "mail.test";
	io = stream_new(-1, 0);
	assert_null(tls_client_new(&o, io, NULL, NULL, err, sizeof err));
	stream_free(io);
	assert_non_null(strstr(err, "symbolic link"));
	free(link);
	free(path);
	free(cert);
	free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_data_roundtrip),
		cmocka_unit_test(test_ip_literal),
		cmocka_unit_test(test_idn_name),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_wrong_host),
		cmocka_unit_test(test_expired_and_wrong_host),
		cmocka_unit_test(test_self_signed),
		cmocka_unit_test(test_unknown_issuer),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_tls12),
		cmocka_unit_test(test_no_common_version),
		cmocka_unit_test(test_anon),
		cmocka_unit_test(test_offer),
		cmocka_unit_test(test_bad_priority),
		cmocka_unit_test(test_plaintext_answer),
		cmocka_unit_test(test_peer_closes),
		cmocka_unit_test(test_keylog),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
