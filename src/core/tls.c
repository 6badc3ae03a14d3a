/* SPDX-License-Identifier: ISC */
/*
 * TLS, client side, with GnuTLS: a non-blocking handshake driven by the
 * poll loop, then the facts of the session and the verdict on the
 * certificate in plain words.
 *
 * The handshake never fails on verification: an inspector completes it
 * so that it can show everything, verifies at once, and the session
 * refuses to send anything inside TLS when the verdict is negative.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/core.h"

/* RFC 8997: TLS 1.0 and 1.1 only when the user asks for them. */
#define DEFAULT_PRIORITY	"NORMAL:-VERS-TLS1.1:-VERS-TLS1.0"

struct tls_client {
	gnutls_session_t			 s;	/* the stream's */
	gnutls_certificate_credentials_t	 cred;
	gnutls_anon_client_credentials_t	 anon;
	struct stream				*st;
	tls_step_cb				 step;
	void					*arg;
	char					*host;	/* verified */
	char					*sni;	/* sent, or NULL */
	int					 keylog_fd;
	bool					 cert_requested;
	bool					 has_client_cert;
	const char				*offered; /* resume kind */
	char					*why_not;
	const struct tlsa_set			*tlsa;
	bool					 smtp;
	const struct strv			*pins;
	const struct sts_policy			*sts;
	struct tls_offer			 offer;	/* the hello's */
};

static const struct {
	unsigned	 type;
	const char	*name;
} hs_names[] = {
	{ GNUTLS_HANDSHAKE_HELLO_REQUEST,	"HelloRequest" },
	{ GNUTLS_HANDSHAKE_CLIENT_HELLO,	"ClientHello" },
	{ GNUTLS_HANDSHAKE_SERVER_HELLO,	"ServerHello" },
	{ GNUTLS_HANDSHAKE_HELLO_VERIFY_REQUEST, "HelloVerifyRequest" },
	{ GNUTLS_HANDSHAKE_NEW_SESSION_TICKET,	"NewSessionTicket" },
	{ GNUTLS_HANDSHAKE_END_OF_EARLY_DATA,	"EndOfEarlyData" },
	{ GNUTLS_HANDSHAKE_ENCRYPTED_EXTENSIONS, "EncryptedExtensions" },
	{ GNUTLS_HANDSHAKE_CERTIFICATE_PKT,	"Certificate" },
	{ GNUTLS_HANDSHAKE_SERVER_KEY_EXCHANGE,	"ServerKeyExchange" },
	{ GNUTLS_HANDSHAKE_CERTIFICATE_REQUEST,	"CertificateRequest" },
	{ GNUTLS_HANDSHAKE_SERVER_HELLO_DONE,	"ServerHelloDone" },
	{ GNUTLS_HANDSHAKE_CERTIFICATE_VERIFY,	"CertificateVerify" },
	{ GNUTLS_HANDSHAKE_CLIENT_KEY_EXCHANGE,	"ClientKeyExchange" },
	{ GNUTLS_HANDSHAKE_FINISHED,		"Finished" },
	{ GNUTLS_HANDSHAKE_CERTIFICATE_STATUS,	"CertificateStatus (OCSP)" },
	{ GNUTLS_HANDSHAKE_SUPPLEMENTAL,	"Supplemental" },
	{ GNUTLS_HANDSHAKE_KEY_UPDATE,		"KeyUpdate" },
	{ GNUTLS_HANDSHAKE_CHANGE_CIPHER_SPEC,	"ChangeCipherSpec" },
};

static void	tls_explain(int, bool, char *, size_t, void *);

static void
priority_error(int rc, const char *errpos, char *err, size_t errlen)
{
	if (rc == GNUTLS_E_INVALID_REQUEST && errpos != NULL)
		snprintf(err, errlen, "bad TLS priority string at '%s'",
		    errpos);
	else
		snprintf(err, errlen, "bad TLS priority string: %s",
		    gnutls_strerror(rc));
}

static int
tls_hook(gnutls_session_t s, unsigned int htype, unsigned when,
    unsigned int incoming, const gnutls_datum_t *msg)
{
	struct tls_client	*c = gnutls_session_get_ptr(s);
	const char		*name = NULL;
	char			 step[96];
	size_t			 i;

	(void)when;
	(void)msg;
	if (incoming && htype == GNUTLS_HANDSHAKE_CERTIFICATE_REQUEST)
		c->cert_requested = true;
	for (i = 0; i < sizeof hs_names / sizeof hs_names[0]; i++)
		if (hs_names[i].type == htype)
			name = hs_names[i].name;
	if (name == NULL)
		name = gnutls_handshake_description_get_name(htype);
	snprintf(step, sizeof step, "%s %s", name, incoming ? "received" :
	    "sent");
	if (c->step != NULL)
		c->step(step, c->arg);
	return 0;
}

static void
hex(struct buf *b, const unsigned char *p, size_t n, const char *sep)
{
	size_t	i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%s%02X", i > 0 ? sep : "", p[i]);
}

static int
tls_keylog(gnutls_session_t s, const char *label, const gnutls_datum_t *sec)
{
	struct tls_client	*c = gnutls_session_get_ptr(s);
	gnutls_datum_t		 crand, srand;
	struct buf		 line = { 0 };

	if (c->keylog_fd == -1)
		return 0;
	gnutls_session_get_random(s, &crand, &srand);
	buf_printf(&line, "%s ", label);
	hex(&line, crand.data, crand.size, "");
	buf_addc(&line, ' ');
	hex(&line, sec->data, sec->size, "");
	buf_addc(&line, '\n');
	/* One write per line: readers never see half a secret. */
	(void)!write(c->keylog_fd, line.p, line.len);
	buf_free(&line);
	return 0;
}

static bool
is_ip_literal(const char *host)
{
	unsigned char	tmp[16];

	return inet_pton(AF_INET, host, tmp) == 1 ||
	    inet_pton(AF_INET6, host, tmp) == 1;
}

/*
 * A host name as GnuTLS puts it in SNI and matches it against the
 * certificate: a Unicode name becomes its A-label (xn--...).
 */
static char *
idna_name(const char *name)
{
	gnutls_datum_t	 d;
	char		*s;

	if (gnutls_idna_map(name, strlen(name), &d, 0) < 0)
		return xstrdup(name);
	s = xstrndup((const char *)d.data, d.size);
	gnutls_free(d.data);
	return s;
}

/*
 * What a ClientHello under this priority string offers, as GnuTLS
 * compiles it: the versions (best first, DTLS left out), the key
 * exchange groups and how many cipher suites.
 */
static void
hello_offer(const char *priority, struct tls_offer *o)
{
	gnutls_priority_t	 p;
	const unsigned int	*list;
	const char		*name;
	unsigned int		 sidx, i;
	int			 n, rc;

	if (gnutls_priority_init(&p, priority, NULL) < 0)
		return;
	n = gnutls_priority_protocol_list(p, &list);
	for (i = 0; n > 0 && i < (unsigned int)n; i++)
		if ((name = gnutls_protocol_get_name(list[i])) != NULL &&
		    strncmp(name, "DTLS", 4) != 0)
			strv_add(&o->versions, name);
	n = gnutls_priority_group_list(p, &list);
	for (i = 0; n > 0 && i < (unsigned int)n; i++)
		if ((name = gnutls_group_get_name(list[i])) != NULL)
			strv_add(&o->groups, name);
	for (i = 0; (rc = gnutls_priority_get_cipher_suite_index(p, i,
	    &sidx)) != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE; i++)
		if (rc == 0)
			o->ciphers++;
	gnutls_priority_deinit(p);
	tls_offer_words(o);
}

struct tls_client *
tls_client_new(const struct tls_opts *o, struct stream *st, tls_step_cb step,
    void *arg, char *err, size_t errlen)
{
	struct tls_client	*c;
	const char		*errpos = NULL;
	int			 rc;

	c = xcalloc(1, sizeof *c);
	c->st = st;
	c->step = step;
	c->arg = arg;
	c->keylog_fd = -1;
	c->host = xstrdup(o->verify_host != NULL ? o->verify_host : "");
	if (o->sni != NULL)
		c->sni = idna_name(o->sni);
	else if (o->verify_host != NULL && !is_ip_literal(o->verify_host))
		c->sni = idna_name(o->verify_host);
	c->has_client_cert = o->client_cert != NULL;
	c->tlsa = o->tlsa;
	c->smtp = o->smtp;
	c->pins = o->pins;
	c->sts = o->sts;

	if ((rc = gnutls_init(&c->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL)) < 0) {
		snprintf(err, errlen, "TLS: %s", gnutls_strerror(rc));
		free(c->host);
		free(c->sni);
		free(c);
		return NULL;
	}
	gnutls_session_set_ptr(c->s, c);
	if ((rc = gnutls_certificate_allocate_credentials(&c->cred)) < 0) {
		snprintf(err, errlen, "TLS: %s", gnutls_strerror(rc));
		goto fail;
	}
	rc = gnutls_priority_set_direct(c->s, o->priority != NULL ?
	    o->priority : DEFAULT_PRIORITY, &errpos);
	if (rc < 0) {
		priority_error(rc, errpos, err, errlen);
		goto fail;
	}
	hello_offer(o->priority != NULL ? o->priority : DEFAULT_PRIORITY,
	    &c->offer);
	if (o->cafile != NULL) {
		rc = gnutls_certificate_set_x509_trust_file(c->cred, o->cafile,
		    GNUTLS_X509_FMT_PEM);
		if (rc < 0) {
			snprintf(err, errlen, "cannot read CA file %s: %s",
			    o->cafile, gnutls_strerror(rc));
			goto fail;
		}
		if (rc == 0) {
			snprintf(err, errlen, "no certificate in CA file %s",
			    o->cafile);
			goto fail;
		}
	} else
		gnutls_certificate_set_x509_system_trust(c->cred);
	if (o->client_cert != NULL && (rc =
	    gnutls_certificate_set_x509_key_file(c->cred, o->client_cert,
	    o->client_key, GNUTLS_X509_FMT_PEM)) < 0) {
		snprintf(err, errlen, "cannot load client certificate %s / "
		    "key %s: %s", o->client_cert, o->client_key,
		    gnutls_strerror(rc));
		goto fail;
	}
	if ((rc = gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE,
	    c->cred)) < 0) {
		snprintf(err, errlen, "TLS: %s", gnutls_strerror(rc));
		goto fail;
	}
	/* Anonymous suites are offered only when a priority names them
	 * (NORMAL never does); the scan needs them to find them. */
	if ((rc = gnutls_anon_allocate_client_credentials(&c->anon)) < 0 ||
	    (rc = gnutls_credentials_set(c->s, GNUTLS_CRD_ANON,
	    c->anon)) < 0) {
		snprintf(err, errlen, "TLS: %s", gnutls_strerror(rc));
		goto fail;
	}
	if (c->sni != NULL)
		gnutls_server_name_set(c->s, GNUTLS_NAME_DNS, c->sni,
		    strlen(c->sni));
	if (o->resume != NULL && o->resume->data.len > 0) {
		if ((rc = gnutls_session_set_data(c->s, o->resume->data.p,
		    o->resume->data.len)) < 0)
			xasprintf(&c->why_not, "the last session could not be "
			    "offered: %s", gnutls_strerror(rc));
		else
			c->offered = o->resume->kind;
	} else if (o->resume != NULL && o->resume->why_not != NULL)
		c->why_not = xstrdup(o->resume->why_not);
	if (o->keylog != NULL) {
		/* Checked before connecting too (main.c); again here,
		 * as the file may have changed since. */
		if ((c->keylog_fd = file_open_write(o->keylog, O_APPEND, true,
		    err, errlen)) == -1)
			goto fail;
		gnutls_session_set_keylog_function(c->s, tls_keylog);
	}
	gnutls_handshake_set_hook_function(c->s, GNUTLS_HANDSHAKE_ANY,
	    GNUTLS_HOOK_POST, tls_hook);
	/* From here on the stream owns the GnuTLS session. */
	stream_tls(st, c->s, false);
	stream_set_explain(st, tls_explain, c);
	return c;
fail:
	gnutls_deinit(c->s);
	c->s = NULL;
	tls_client_free(c);
	return NULL;
}

/* Did the server answer in plaintext?  Say so with its first bytes. */
static bool
tls_plaintext_answer(struct tls_client *c, char *err, size_t errlen)
{
	unsigned char		 first[STREAM_FIRST_BYTES];
	const unsigned char	*p;
	struct buf		 b = { 0 };
	size_t			 n;
	ssize_t			 r;

	n = stream_first_bytes(c->st, &p);
	memcpy(first, p, n);
	/* TLS records start with a content type 20..23 and major 3. */
	if (n == 0 || (first[0] >= 20 && first[0] <= 23 && (n < 2 ||
	    first[1] == 3)))
		return false;
	/* GnuTLS read a record header only: the rest tells more. */
	if (n < sizeof first && (r = recv(stream_fd(c->st), first + n,
	    sizeof first - n, MSG_DONTWAIT)) > 0)
		n += (size_t)r;
	sanitize((const char *)first, n, &b);
	snprintf(err, errlen, "the server answered the ClientHello with "
	    "plaintext, not TLS: \"%s%s\"", b.p, n == sizeof first ? "..." :
	    "");
	buf_free(&b);
	return true;
}

/*
 * What an alert most likely means here.  A server that asked for a
 * client certificate and got none ends a TLS 1.2 handshake with a bare
 * handshake_failure (OpenSSL does), which then is not about ciphers.
 */
static const char *
alert_gloss(const struct tls_client *c, int alert, char *b, size_t len)
{
	bool	no_cert = c->cert_requested && !c->has_client_cert;

	switch (alert) {
	case GNUTLS_A_PROTOCOL_VERSION:
		/* Version negotiation failed: what was offered says why. */
		if (c->offer.vwords == NULL)
			return " (it accepts none of the TLS versions offered)";
		snprintf(b, len, " (it accepts none of the TLS versions "
		    "offered: %s)", c->offer.vwords);
		return b;
	case GNUTLS_A_CERTIFICATE_REQUIRED:
		return " (the server requires a client certificate: "
		    "--client-cert)";
	case GNUTLS_A_HANDSHAKE_FAILURE:
		if (no_cert)
			return " (the server asked for a client certificate "
			    "and none was sent: it probably requires one, "
			    "--client-cert)";
		if (c->offer.vwords == NULL)
			return " (no TLS version, cipher suite or group in "
			    "common)";
		snprintf(b, len, " (no TLS version, cipher suite or group in "
		    "common; offered: %s)", c->offer.vwords);
		return b;
	default:
		return "";
	}
}

/* The stream's explain hook: a fatal TLS error in the client's words. */
static void
tls_explain(int rc, bool handshake, char *err, size_t errlen, void *arg)
{
	struct tls_client	*c = arg;
	const char		*when = handshake ?
				    "during the TLS handshake" : "inside TLS";
	int			 alert, e = stream_errno(c->st);
	char			 gloss[160];

	switch (rc) {
	case GNUTLS_E_FATAL_ALERT_RECEIVED:
		alert = (int)gnutls_alert_get(c->s);
		snprintf(err, errlen, "fatal alert from the server %s: %s%s",
		    when, gnutls_alert_get_name(alert), alert_gloss(c, alert,
		    gloss, sizeof gloss));
		return;
	case GNUTLS_E_PREMATURE_TERMINATION:
	case GNUTLS_E_PULL_ERROR:
	case GNUTLS_E_PUSH_ERROR:
		if (tls_plaintext_answer(c, err, errlen))
			return;
		if (e == ECONNRESET || e == EPIPE)
			snprintf(err, errlen, "connection reset %s", when);
		else if (stream_eof(c->st) ||
		    rc == GNUTLS_E_PREMATURE_TERMINATION)
			snprintf(err, errlen, "the server closed the "
			    "connection %s", when);
		else
			snprintf(err, errlen, "%s %s: %s",
			    rc == GNUTLS_E_PUSH_ERROR ? "send failed" :
			    "receive failed", when, e != 0 ? strerror(e) :
			    gnutls_strerror(rc));
		return;
	case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
	case GNUTLS_E_UNEXPECTED_PACKET:
	case GNUTLS_E_UNSUPPORTED_VERSION_PACKET:
	case GNUTLS_E_RECORD_OVERFLOW:
		if (tls_plaintext_answer(c, err, errlen))
			return;
		break;
	case GNUTLS_E_NO_CIPHER_SUITES:
	case GNUTLS_E_INSUFFICIENT_CREDENTIALS:
	case GNUTLS_E_NO_COMMON_KEY_SHARE:
		snprintf(err, errlen, "%s %s (no cipher suite, group or "
		    "version in common)", gnutls_strerror(rc), when);
		return;
	default:
		break;
	}
	snprintf(err, errlen, "%s %s", gnutls_strerror(rc), when);
}

void
tls_client_free(struct tls_client *c)
{
	if (c == NULL)
		return;
	if (c->cred != NULL)
		gnutls_certificate_free_credentials(c->cred);
	if (c->anon != NULL)
		gnutls_anon_free_client_credentials(c->anon);
	if (c->keylog_fd != -1)
		close(c->keylog_fd);
	free(c->host);
	free(c->sni);
	free(c->why_not);
	tls_offer_free(&c->offer);
	free(c);
}

/* One priority string, checked as the handshake would read it. */
int
tls_priority_check(const char *priority, char *err, size_t errlen)
{
	gnutls_priority_t	 p;
	const char		*errpos = NULL;
	int			 rc;

	if ((rc = gnutls_priority_init(&p, priority, &errpos)) < 0) {
		priority_error(rc, errpos, err, errlen);
		return -1;
	}
	gnutls_priority_deinit(p);
	return 0;
}

void
tls_resume_forget(struct tls_resume *r, const char *why)
{
	if (r->data.p != NULL)
		explicit_bzero(r->data.p, r->data.cap);
	buf_free(&r->data);
	free(r->kind);
	free(r->why_not);
	r->kind = NULL;
	r->why_not = why != NULL ? xstrdup(why) : NULL;
}

/*
 * What this session leaves to resume: a TLS 1.3 ticket (only once the
 * server sent one: GnuTLS would otherwise wait for it and hand out data
 * that cannot resume), a TLS 1.2 ticket or session ID.
 */
void
tls_resume_keep(struct tls_client *c, struct tls_resume *r)
{
	gnutls_datum_t	 d = { NULL, 0 };
	unsigned char	 id[GNUTLS_MAX_SESSION_ID_SIZE];
	size_t		 idlen = sizeof id;
	unsigned	 flags = gnutls_session_get_flags(c->s);
	const char	*kind;
	int		 rc;

	if (gnutls_protocol_get_version(c->s) == GNUTLS_TLS1_3) {
		if (!(flags & GNUTLS_SFLAGS_SESSION_TICKET)) {
			tls_resume_forget(r, "no session ticket had come "
			    "from the server");
			return;
		}
		kind = "TLS 1.3 ticket";
	} else if (flags & GNUTLS_SFLAGS_SESSION_TICKET)
		kind = "ticket";
	else if (gnutls_session_get_id(c->s, id, &idlen) == 0 && idlen > 0)
		kind = "session ID";
	else {
		tls_resume_forget(r, "the server gave neither a ticket nor a "
		    "session ID");
		return;
	}
	if ((rc = gnutls_session_get_data2(c->s, &d)) < 0) {
		tls_resume_forget(r, gnutls_strerror(rc));
		return;
	}
	tls_resume_forget(r, NULL);
	buf_add(&r->data, d.data, d.size);
	explicit_bzero(d.data, d.size);
	gnutls_free(d.data);
	r->kind = xstrdup(kind);
}

bool
tls_keylog_env(void)
{
	const char	*v = getenv("SSLKEYLOGFILE");

	return v != NULL && *v != '\0';
}

static char *
datum_string(const gnutls_datum_t *d)
{
	return xstrndup((const char *)d->data, d->size);
}

/* SAN bytes for display: an embedded NUL is shown, never a terminator. */
static void
san_add(struct strv *sv, const char *prefix, const char *p, size_t n)
{
	struct buf	b = { 0 };
	size_t		i;

	buf_adds(&b, prefix);
	for (i = 0; i < n; i++) {
		if (p[i] == '\0')
			buf_adds(&b, "\\0");
		else
			buf_addc(&b, p[i]);
	}
	strv_add(sv, b.p);
	buf_free(&b);
}

static void
cert_sans(gnutls_x509_crt_t crt, struct strv *sv)
{
	char		 data[1024], ip[INET6_ADDRSTRLEN];
	size_t		 size;
	unsigned int	 type, i;
	int		 rc;

	for (i = 0;; i++) {
		size = sizeof data;
		rc = gnutls_x509_crt_get_subject_alt_name2(crt, i, data,
		    &size, &type, NULL);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (rc == GNUTLS_E_SHORT_MEMORY_BUFFER) {
			strv_add(sv, "(name too long to show)");
			continue;
		}
		if (rc < 0)
			break;
		switch (type) {
		case GNUTLS_SAN_DNSNAME:
			san_add(sv, "DNS:", data, size);
			break;
		case GNUTLS_SAN_RFC822NAME:
			san_add(sv, "email:", data, size);
			break;
		case GNUTLS_SAN_URI:
			san_add(sv, "URI:", data, size);
			break;
		case GNUTLS_SAN_IPADDRESS:
			if (inet_ntop(size == 4 ? AF_INET : AF_INET6, data,
			    ip, sizeof ip) != NULL && (size == 4 ||
			    size == 16))
				san_add(sv, "IP:", ip, strlen(ip));
			else
				strv_add(sv, "IP:(malformed)");
			break;
		default:
			strv_add(sv, "othername");
			break;
		}
	}
}

static void
cert_key(gnutls_x509_crt_t crt, struct tls_cert *tc)
{
	unsigned int		 bits = 0;
	int			 pk;
	gnutls_ecc_curve_t	 curve;
	const char		*name;

	pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
	name = pk >= 0 ? gnutls_pk_algorithm_get_name(pk) : NULL;
	if (pk == GNUTLS_PK_ECDSA && gnutls_x509_crt_get_pk_ecc_raw(crt,
	    &curve, NULL, NULL) >= 0)
		tls_cert_set_key(tc, name, bits,
		    gnutls_ecc_curve_get_name(curve));
	else
		tls_cert_set_key(tc, name, pk >= 0 ? bits : 0, NULL);
}

static int
cert_facts(const gnutls_datum_t *der, struct tls_cert *tc)
{
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 d;
	unsigned char		 raw[64];
	size_t			 size;
	struct buf		 b = { 0 };
	int			 sig;

	if (gnutls_x509_crt_init(&crt) < 0)
		return -1;
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(crt);
		return -1;
	}
	if (gnutls_x509_crt_get_dn3(crt, &d, 0) >= 0) {
		tc->subject = datum_string(&d);
		gnutls_free(d.data);
	} else
		tc->subject = xstrdup("");
	if (gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) >= 0) {
		tc->issuer = datum_string(&d);
		gnutls_free(d.data);
	} else
		tc->issuer = xstrdup("");
	cert_sans(crt, &tc->san);
	size = sizeof raw;
	if (gnutls_x509_crt_get_serial(crt, raw, &size) >= 0)
		hex(&b, raw, size, "");
	tc->serial = xstrdup(b.p != NULL ? b.p : "");
	buf_reset(&b);
	tc->not_before = gnutls_x509_crt_get_activation_time(crt);
	tc->not_after = gnutls_x509_crt_get_expiration_time(crt);
	cert_key(crt, tc);
	sig = gnutls_x509_crt_get_signature_algorithm(crt);
	tc->sigalg = xstrdup(sig >= 0 && gnutls_sign_get_name(sig) != NULL ?
	    gnutls_sign_get_name(sig) : "unknown");
	size = sizeof raw;
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, raw,
	    &size) >= 0) {
		hex(&b, raw, size, ":");
		snprintf(tc->sha256, sizeof tc->sha256, "%s", b.p);
		buf_reset(&b);
	}
	size = sizeof raw;
	if (gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, raw,
	    &size) >= 0 && b64_encode(raw, size, &b) == 0)
		snprintf(tc->pin_sha256, sizeof tc->pin_sha256, "%s", b.p);
	tc->is_ca = gnutls_x509_crt_get_ca_status(crt, NULL) > 0;
	buf_free(&b);
	gnutls_x509_crt_deinit(crt);
	return 0;
}

static bool
name_matches(const char *pattern, const char *host)
{
	const char	*dot;

	if (strcasecmp(pattern, host) == 0)
		return true;
	/* One wildcard label, leftmost only (RFC 6125 6.4.3). */
	if (pattern[0] == '*' && pattern[1] == '.' &&
	    (dot = strchr(host, '.')) != NULL && dot != host)
		return strcasecmp(pattern + 1, dot) == 0;
	return false;
}

/* Which SAN (or CN) matched the host: shown highlighted in the panel. */
static char *
matched_name(const struct tls_cert *leaf, const char *host, bool ip)
{
	size_t		 i;
	const char	*v, *cn;

	for (i = 0; i < leaf->san.n; i++) {
		v = leaf->san.v[i];
		if (ip && strncmp(v, "IP:", 3) == 0 &&
		    strcasecmp(v + 3, host) == 0)
			return xstrdup(v);
		if (!ip && strncmp(v, "DNS:", 4) == 0 &&
		    name_matches(v + 4, host))
			return xstrdup(v);
	}
	if (leaf->san.n == 0 && (cn = strstr(leaf->subject, "CN=")) != NULL) {
		char	*s = xstrdup(cn + 3), *comma;

		if ((comma = strchr(s, ',')) != NULL)
			*comma = '\0';
		if (name_matches(s, host)) {
			char	*r;

			xasprintf(&r, "CN=%s", s);
			free(s);
			return r;
		}
		free(s);
	}
	return NULL;
}

static void
date_of(int64_t t, char *out, size_t len)
{
	format_secs(t, out, len);
	if (len > 10)
		out[10] = '\0';
}

static void
verify_reasons(struct tls_facts *f, const char *host, time_t now)
{
	struct tls_verify	*v = &f->verify;
	const struct tls_cert	*leaf = f->nchain > 0 ? &f->chain[0] : NULL;
	unsigned		 st = v->status;
	struct buf		 b = { 0 };
	char			 d[32], *s;
	size_t			 i;
	bool			 known = false;

	if (leaf == NULL) {
		strv_add(&v->reasons, "the server sent no certificate");
		return;
	}
	if (st & GNUTLS_CERT_SIGNER_NOT_FOUND) {
		if (f->nchain == 1 && strcmp(leaf->subject, leaf->issuer) ==
		    0)
			strv_add(&v->reasons, "self-signed certificate not "
			    "in the trust store");
		else {
			xasprintf(&s, "issuer unknown: no trusted CA signed "
			    "this certificate (issuer %s)",
			    f->chain[f->nchain - 1].issuer);
			strv_add(&v->reasons, s);
			free(s);
		}
		known = true;
	}
	if (st & GNUTLS_CERT_EXPIRED) {
		for (i = 0; i < f->nchain; i++) {
			if (f->chain[i].not_after >= now)
				continue;
			date_of(f->chain[i].not_after, d, sizeof d);
			xasprintf(&s, "%sexpired on %s (%lld days ago)",
			    i == 0 ? "" : "a certificate of the chain ", d,
			    (long long)(now - f->chain[i].not_after) / 86400);
			strv_add(&v->reasons, s);
			free(s);
			break;
		}
		if (i == f->nchain)
			strv_add(&v->reasons, "expired");
		known = true;
	}
	if (st & GNUTLS_CERT_NOT_ACTIVATED) {
		date_of(leaf->not_before, d, sizeof d);
		xasprintf(&s, "not valid before %s", d);
		strv_add(&v->reasons, s);
		free(s);
		known = true;
	}
	if (st & GNUTLS_CERT_UNEXPECTED_OWNER) {
		for (i = 0; i < leaf->san.n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "",
			    strchr(leaf->san.v[i], ':') != NULL ?
			    strchr(leaf->san.v[i], ':') + 1 : leaf->san.v[i]);
		if (leaf->san.n == 0)
			buf_printf(&b, "subject %s", leaf->subject);
		xasprintf(&s, "name %s not in certificate (it holds: %s)",
		    host, b.p);
		strv_add(&v->reasons, s);
		free(s);
		buf_free(&b);
		known = true;
	}
	if (st & GNUTLS_CERT_REVOKED) {
		strv_add(&v->reasons, "revoked");
		known = true;
	}
	if (st & GNUTLS_CERT_INSECURE_ALGORITHM) {
		strv_add(&v->reasons, "insecure signature algorithm");
		known = true;
	}
	if (st & GNUTLS_CERT_SIGNATURE_FAILURE) {
		strv_add(&v->reasons, "signature verification failed");
		known = true;
	}
	if (st & GNUTLS_CERT_SIGNER_NOT_CA) {
		strv_add(&v->reasons, "issuer is not a CA");
		known = true;
	}
	if (st & GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE) {
		strv_add(&v->reasons, "certificate chain too long or "
		    "issuer constraints violated");
		known = true;
	}
	if (st & GNUTLS_CERT_PURPOSE_MISMATCH) {
		strv_add(&v->reasons, "certificate not meant for a TLS "
		    "server (key usage)");
		known = true;
	}
	if (st & GNUTLS_CERT_MISSING_OCSP_STATUS) {
		strv_add(&v->reasons, "OCSP status missing although the "
		    "certificate requires it");
		known = true;
	}
	if (st & GNUTLS_CERT_INVALID_OCSP_STATUS) {
		strv_add(&v->reasons, "OCSP status invalid");
		known = true;
	}
	if (!known && st != 0) {
		gnutls_datum_t	out;

		if (gnutls_certificate_verification_status_print(st,
		    GNUTLS_CRT_X509, &out, 0) >= 0) {
			strv_addn(&v->reasons, (const char *)out.data,
			    out.size);
			gnutls_free(out.data);
		} else
			strv_add(&v->reasons, "verification failed");
	}
}

static void
tls_verify(struct tls_client *c, struct tls_facts *f)
{
	const gnutls_datum_t	*certs;
	gnutls_x509_crt_t	 leaf;
	unsigned int		 n = 0, status = 0;
	bool			 ip = is_ip_literal(c->host);
	char			*alabel;

	f->verify.checked = true;
	f->verify.hostname = xstrdup(c->host);
	certs = gnutls_certificate_get_peers(c->s, &n);
	if (certs == NULL || n == 0 ||
	    gnutls_certificate_verify_peers2(c->s, &status) < 0)
		status |= GNUTLS_CERT_INVALID;
	/* The name, checked by GnuTLS itself (IP literals included; a
	 * name with an embedded NUL never matches). */
	if (certs != NULL && n > 0 && gnutls_x509_crt_init(&leaf) >= 0) {
		if (gnutls_x509_crt_import(leaf, &certs[0],
		    GNUTLS_X509_FMT_DER) < 0 ||
		    !gnutls_x509_crt_check_hostname2(leaf, c->host, 0))
			status |= GNUTLS_CERT_UNEXPECTED_OWNER |
			    GNUTLS_CERT_INVALID;
		gnutls_x509_crt_deinit(leaf);
	}
	f->verify.status = status;
	f->verify.ok = status == 0;
	f->verify.trust = xstrdup(f->verify.ok ? "Verified" : "Untrusted");
	if (f->nchain > 0 && !(status & GNUTLS_CERT_UNEXPECTED_OWNER)) {
		/* The name GnuTLS matched: the A-label of a Unicode one. */
		alabel = idna_name(c->host);
		f->verify.matched = matched_name(&f->chain[0], alabel, ip);
		free(alabel);
	}
	if (!f->verify.ok)
		verify_reasons(f, c->host, time(NULL));
}

/* DANE, by the records given (dane.c), beside the PKIX verdict. */
static void
tls_dane(struct tls_client *c, struct tls_facts *f)
{
	const gnutls_datum_t	*certs;
	struct der		*chain;
	struct tlsa_ctx		 ctx;
	unsigned int		 n = 0, i;

	if (c->tlsa == NULL || c->tlsa->n == 0)
		return;
	certs = gnutls_certificate_get_peers(c->s, &n);
	if (certs == NULL)
		n = 0;
	chain = xcalloc(n + 1, sizeof *chain);
	for (i = 0; i < n; i++) {
		chain[i].p = certs[i].data;
		chain[i].len = certs[i].size;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.smtp = c->smtp;
	ctx.pkix_ok = f->verify.ok;
	ctx.host = c->host;
	tlsa_verify(c->tlsa, &ctx, chain, n, &f->dane);
	free(chain);
}

/* curl's --pinnedpubkey: the leaf's SubjectPublicKeyInfo, SHA-256. */
static void
tls_pins(struct tls_client *c, struct tls_facts *f)
{
	size_t	i;

	if (c->pins == NULL || c->pins->n == 0)
		return;
	f->pin.checked = true;
	strv_copy(&f->pin.pins, c->pins);
	if (f->nchain > 0 && f->chain[0].pin_sha256[0] != '\0')
		xasprintf(&f->pin.actual, "sha256//%s",
		    f->chain[0].pin_sha256);
	for (i = 0; f->pin.actual != NULL && i < c->pins->n; i++)
		if (strcmp(c->pins->v[i], f->pin.actual) == 0)
			f->pin.ok = true;
}

/*
 * The chain as the server sent it, PEM, leaf first: what --save-chain
 * and :save-chain write.
 */
void
tls_chain_pem(struct tls_client *c, struct buf *b)
{
	const gnutls_datum_t	*certs;
	gnutls_datum_t		 pem;
	unsigned int		 n = 0, i;

	certs = gnutls_certificate_get_peers(c->s, &n);
	for (i = 0; certs != NULL && i < n; i++) {
		if (gnutls_pem_base64_encode2("CERTIFICATE", &certs[i],
		    &pem) < 0)
			continue;
		buf_add(b, pem.data, pem.size);
		gnutls_free(pem.data);
	}
}

/*
 * GnuTLS checks a stapled response while it verifies the chain (its
 * signature by the issuer, the certificate it names, its dates), so the
 * answer is read after tls_verify.  A revoked staple sets REVOKED: no CRL
 * is loaded, so nothing else can.
 */
static const char *
ocsp_status(struct tls_client *c, const struct tls_verify *v)
{
	gnutls_datum_t	d;

	if (gnutls_ocsp_status_request_get(c->s, &d) < 0)
		return "none";
	if (gnutls_ocsp_status_request_is_checked(c->s, 0))
		return "good";
	if (v->status & GNUTLS_CERT_REVOKED)
		return "revoked";
	return "invalid";
}

unsigned
tls_dh_bits(struct tls_client *c)
{
	int	bits = gnutls_dh_get_prime_bits(c->s);

	return bits > 0 ? (unsigned)bits : 0;
}

/*
 * The tls-exporter channel binding (RFC 9266) in base64, for SCRAM's
 * -PLUS mechanisms; NULL before TLS 1.3, where it is not defined without
 * the extended master secret.
 */
char *
tls_channel_binding(struct tls_client *c)
{
	gnutls_datum_t	d;
	struct buf	b = { 0 };

	if (gnutls_protocol_get_version(c->s) != GNUTLS_TLS1_3 ||
	    gnutls_session_channel_binding(c->s, GNUTLS_CB_TLS_EXPORTER,
	    &d) < 0)
		return NULL;
	b64_encode(d.data, d.size, &b);
	gnutls_free(d.data);
	return b.p;
}

struct tls_facts *
tls_get_facts(struct tls_client *c)
{
	struct tls_facts	*f;
	const gnutls_datum_t	*certs;
	gnutls_datum_t		 alpn;
	unsigned int		 n = 0, i;
	int			 group;
	const char		*suite, *gname;
	char			*desc;

	f = xcalloc(1, sizeof *f);
	tls_offer_copy(&f->offer, &c->offer);
	f->version = xstrdup(gnutls_protocol_get_name(
	    gnutls_protocol_get_version(c->s)));
	suite = gnutls_ciphersuite_get(c->s);
	f->cipher = xstrdup(suite != NULL ? suite :
	    gnutls_cipher_suite_get_name(gnutls_kx_get(c->s),
	    gnutls_cipher_get(c->s), gnutls_mac_get(c->s)));
	group = (int)gnutls_group_get(c->s);
	gname = group != 0 ? gnutls_group_get_name(group) : NULL;
	f->group = xstrdup_or_null(gname);
	/* A server's own DH group has no name: its size is the fact. */
	if (gname == NULL && tls_dh_bits(c) > 0)
		xasprintf(&f->group, "DH %u bits (server's own group)",
		    tls_dh_bits(c));
	if (gnutls_protocol_get_version(c->s) == GNUTLS_TLS1_3)
		f->kx = xstrdup(gname != NULL && strncmp(gname, "FFDHE", 5) ==
		    0 ? "DHE" : "ECDHE");
	else
		f->kx = xstrdup_or_null(gnutls_kx_get_name(gnutls_kx_get(c->s)));
	f->mac = xstrdup_or_null(gnutls_mac_get_name(gnutls_mac_get(c->s)));
	f->sigalg = xstrdup_or_null(gnutls_sign_get_name(
	    gnutls_sign_algorithm_get(c->s)));
	f->sni = xstrdup_or_null(c->sni);
	if (gnutls_alpn_get_selected_protocol(c->s, &alpn) == 0)
		f->alpn = datum_string(&alpn);
	f->resumed = gnutls_session_is_resumed(c->s) != 0;
	if (f->resumed)
		xasprintf(&f->resumption, "yes (%s)", c->offered != NULL ?
		    c->offered : "?");
	else if (c->offered != NULL)
		xasprintf(&f->resumption, "no: the server did not resume the "
		    "%s offered (full handshake)", c->offered);
	else
		xasprintf(&f->resumption, "no: %s", c->why_not != NULL ?
		    c->why_not : "nothing to resume (first connection)");
	if ((desc = gnutls_session_get_desc(c->s)) != NULL) {
		f->desc = xstrdup(desc);
		gnutls_free(desc);
	}
	certs = gnutls_certificate_get_peers(c->s, &n);
	if (certs != NULL && n > 0) {
		f->chain = xcalloc(n, sizeof *f->chain);
		for (i = 0; i < n; i++)
			if (cert_facts(&certs[i], &f->chain[f->nchain]) == 0)
				f->nchain++;
	}
	tls_verify(c, f);
	f->ocsp = xstrdup(ocsp_status(c, &f->verify));
	tls_dane(c, f);
	tls_pins(c, f);
	sts_verdict(c->sts, c->host, f);
	/* RFC 7672 2.2, RFC 7671 5: a usable TLSA set replaces PKIX; an
	 * MTA-STS policy in enforce mode must allow the host (RFC 8461 5). */
	f->verified = (f->dane.usable ? f->dane.ok : f->verify.ok &&
	    !f->sts.fails) && (!f->pin.checked || f->pin.ok);
	return f;
}

/* What the session negotiated, for the one set of weakness rules. */
void
tls_client_params(struct tls_client *c, struct tls_params *p)
{
	memset(p, 0, sizeof *p);
	p->version = (int)gnutls_protocol_get_version(c->s);
	p->kx = (int)gnutls_kx_get(c->s);
	p->cipher = (int)gnutls_cipher_get(c->s);
	p->mac = (int)gnutls_mac_get(c->s);
	p->dh_bits = tls_dh_bits(c);
}

int
tls_version_id(const char *name)
{
	return (int)gnutls_protocol_get_id(name);
}

/* A priority string as the handshake would take it, or -1. */
static int
scan_priority(struct buf *b)
{
	char	err[256];

	return tls_priority_check(b->p, err, sizeof err);
}

/*
 * Every cipher suite the linked GnuTLS implements (gnutls_cipher_suite_info
 * lists its own table), with the lowest version each runs on.
 */
size_t
tls_suites(struct tls_suite **out)
{
	struct tls_suite	*v = NULL;
	gnutls_kx_algorithm_t	 kx;
	gnutls_cipher_algorithm_t cipher;
	gnutls_mac_algorithm_t	 mac;
	gnutls_protocol_t	 min;
	unsigned char		 id[2];
	const char		*name;
	size_t			 i, n = 0;

	for (i = 0; (name = gnutls_cipher_suite_info(i, id, &kx, &cipher,
	    &mac, &min)) != NULL; i++) {
		v = xreallocarray(v, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = name;
		memcpy(v[n].id, id, 2);
		v[n].p.version = (int)min;
		v[n].p.kx = (int)kx;
		v[n].p.cipher = (int)cipher;
		v[n].p.mac = (int)mac;
		switch (kx) {
		case GNUTLS_KX_PSK:
		case GNUTLS_KX_DHE_PSK:
		case GNUTLS_KX_ECDHE_PSK:
		case GNUTLS_KX_RSA_PSK:
			v[n].untestable = "needs a pre-shared key";
			break;
		case GNUTLS_KX_SRP:
		case GNUTLS_KX_SRP_RSA:
		case GNUTLS_KX_SRP_DSS:
			v[n].untestable = "needs an SRP password";
			break;
		default:
			break;
		}
		n++;
	}
	*out = v;
	return n;
}

/*
 * The priority that offers exactly this suite at this version (its key
 * exchange, cipher and MAC, nothing else), or -1 when the suite does not
 * run there or the linked GnuTLS refuses to offer it.
 */
int
tls_suite_priority(const struct tls_suite *s, const char *version,
    struct buf *b)
{
	int	v = tls_version_id(version);
	bool	v13 = v == GNUTLS_TLS1_3, s13 = s->p.version == GNUTLS_TLS1_3;

	buf_reset(b);
	if (s->untestable != NULL || v == GNUTLS_VERSION_UNKNOWN ||
	    v13 != s13 || s->p.version > v)
		return -1;
	buf_printf(b, "NONE:+VERS-%s:+%s:+%s:+COMP-NULL:+SIGN-ALL:"
	    "+GROUP-ALL:+CTYPE-X509", version,
	    gnutls_cipher_get_name(s->p.cipher),
	    gnutls_mac_get_name(s->p.mac));
	if (!v13)
		buf_printf(b, ":+%s", gnutls_kx_get_name(s->p.kx));
	return scan_priority(b);
}

/* The key-exchange groups the linked GnuTLS knows. */
void
tls_groups(struct strv *sv)
{
	const gnutls_group_t	*g = gnutls_group_list();

	for (; g != NULL && *g != 0; g++)
		if (gnutls_group_get_name(*g) != NULL)
			strv_add(sv, gnutls_group_get_name(*g));
}

/* The signature algorithms the linked GnuTLS knows. */
void
tls_sigalgs(struct strv *sv)
{
	const gnutls_sign_algorithm_t	*a = gnutls_sign_list();
	const char			*name;

	/* Some algorithms have two numbers and one name. */
	for (; a != NULL && *a != 0; a++)
		if ((name = gnutls_sign_get_name(*a)) != NULL &&
		    !strv_has(sv, name))
			strv_add(sv, name);
}

/* NORMAL at one version, with only this group ("GROUP") or signature
 * algorithm ("SIGN"), or -1 when GnuTLS will not offer it. */
int
tls_only_priority(const char *version, const char *what, const char *name,
    struct buf *b)
{
	buf_reset(b);
	buf_printf(b, "NORMAL:-VERS-ALL:+VERS-%s:-%s-ALL:+%s-%s", version,
	    what, what, name);
	return scan_priority(b);
}

/* Can the linked GnuTLS offer this version at all ("SSL3.0")? */
bool
tls_version_offerable(const char *version)
{
	struct buf	b = { 0 };
	int		rc;

	buf_printf(&b, "NORMAL:-VERS-ALL:+VERS-%s", version);
	rc = scan_priority(&b);
	buf_free(&b);
	return rc == 0 && tls_version_id(version) != GNUTLS_VERSION_UNKNOWN;
}

/*
 * What the scan cannot offer with the linked GnuTLS, as pairs of a name
 * and the reason: a server accepting it goes unseen.
 */
void
tls_scan_limits(struct strv *what, struct strv *why)
{
	struct tls_suite	*v;
	size_t			 i, n = tls_suites(&v);
	bool			 rc4 = false, null = false, des3 = false;
	bool			 export = false;

	for (i = 0; i < n; i++) {
		switch (v[i].p.cipher) {
		case GNUTLS_CIPHER_ARCFOUR_128:
			rc4 = true;
			break;
		case GNUTLS_CIPHER_NULL:
			null = true;
			break;
		case GNUTLS_CIPHER_3DES_CBC:
			des3 = true;
			break;
		case GNUTLS_CIPHER_ARCFOUR_40:
		case GNUTLS_CIPHER_RC2_40_CBC:
		case GNUTLS_CIPHER_DES_CBC:
			export = true;
			break;
		default:
			break;
		}
	}
	free(v);
	strv_add(what, "SSL2.0");
	strv_add(why, "GnuTLS never implemented SSL 2.0");
	if (!tls_version_offerable("SSL3.0")) {
		strv_add(what, "SSL3.0");
		strv_add(why, "the linked GnuTLS is built without SSL 3.0");
	}
	if (!export) {
		strv_add(what, "export");
		strv_add(why, "export-grade suites (40- and 56-bit keys): "
		    "not in the linked GnuTLS");
	}
	if (!rc4) {
		strv_add(what, "RC4");
		strv_add(why, "RC4 suites: not in the linked GnuTLS");
	}
	if (!null) {
		strv_add(what, "NULL");
		strv_add(why, "NULL-cipher suites: not in the linked GnuTLS");
	}
	if (!des3) {
		strv_add(what, "3DES");
		strv_add(why, "3DES suites: not in the linked GnuTLS");
	}
	strv_add(what, "static-DH");
	strv_add(why, "static (EC)DH suites (TLS_DH_RSA_*, TLS_ECDH_*), "
	    "ARIA and others GnuTLS does not implement");
	strv_add(what, "PSK-SRP");
	strv_add(why, "PSK and SRP suites need a shared secret");
}
