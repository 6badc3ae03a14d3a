/* SPDX-License-Identifier: ISC */
/*
 * Targets: scheme://host[:port] with the scheme naming protocol, default
 * port and whether TLS starts at connect.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>

#include "core/core.h"

static const struct scheme {
	const char	*name;
	enum proto_id	 proto;
	const char	*port;
	bool		 implicit_tls;
	bool		 mx;
} schemes[] = {
	{ "smtp",	PROTO_SMTP,	"25",	false,	false },
	{ "submission",	PROTO_SMTP,	"587",	false,	false },
	{ "smtps",	PROTO_SMTP,	"465",	true,	false },
	{ "lmtp",	PROTO_LMTP,	"24",	false,	false },
	{ "imap",	PROTO_IMAP,	"143",	false,	false },
	{ "imaps",	PROTO_IMAP,	"993",	true,	false },
	{ "pop3",	PROTO_POP3,	"110",	false,	false },
	{ "pop3s",	PROTO_POP3,	"995",	true,	false },
	{ "sieve",	PROTO_SIEVE,	"4190",	false,	false },	/* RFC 5804 */
	/* A mail domain: its MX hosts, SMTP with STARTTLS on port 25. */
	{ "mx",		PROTO_SMTP,	"25",	false,	true },
};

#define NSCHEMES	(sizeof schemes / sizeof schemes[0])

/* The schemes target_parse() takes, in order (lmtp+unix, which names a
 * path and no port, last); NULL past the last. */
const char *
target_scheme(size_t i)
{
	if (i == NSCHEMES)
		return "lmtp+unix";
	return i < NSCHEMES ? schemes[i].name : NULL;
}

/*
 * openssl's habit, "host:port": the URL that names the same server, by
 * the first scheme whose default port it is.  -1: none fits.
 */
int
target_suggest(const char *hostport, char *out, size_t outlen)
{
	const char	*colon, *port;
	size_t		 i, hlen;

	if ((colon = strrchr(hostport, ':')) == NULL || colon == hostport)
		return -1;
	port = colon + 1;
	hlen = (size_t)(colon - hostport);
	/* An IPv6 address has colons of its own: only "[addr]:port". */
	if (memchr(hostport, ':', hlen) != NULL && (hostport[0] != '[' ||
	    hostport[hlen - 1] != ']'))
		return -1;
	if (strpbrk(hostport, "/@?# \t") != NULL)
		return -1;
	for (i = 0; i < NSCHEMES; i++) {
		if (!schemes[i].mx && strcmp(schemes[i].port, port) == 0) {
			snprintf(out, outlen, "%s://%s", schemes[i].name,
			    hostport);
			return 0;
		}
	}
	return -1;
}

/* The text of "[...]": an IPv6 address, with an optional "%zone". */
static bool
ipv6_literal(const char *p, size_t len)
{
	struct in6_addr	 a;
	char		 tmp[INET6_ADDRSTRLEN];
	const char	*zone;

	if ((zone = memchr(p, '%', len)) != NULL) {
		if (zone + 1 == p + len)
			return false;
		len = (size_t)(zone - p);
	}
	if (len == 0 || len >= sizeof tmp)
		return false;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	return inet_pton(AF_INET6, tmp, &a) == 1;
}

static int
parse_port(const char *s, size_t len, char *err, size_t errlen)
{
	size_t	i;
	long	v = 0;

	if (len == 0) {
		snprintf(err, errlen, "empty port");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || (v = v * 10 + s[i] - '0') >
		    65535) {
			snprintf(err, errlen, "bad port '%.*s' (expected "
			    "1-65535)", (int)len, s);
			return -1;
		}
	}
	if (v == 0) {
		snprintf(err, errlen, "bad port '%.*s' (expected 1-65535)",
		    (int)len, s);
		return -1;
	}
	return 0;
}

/*
 * A host name in Unicode goes out as its A-label (IDNA2008, GnuTLS's
 * mapping: libidn2); an A-label typed is shown in Unicode too.  The
 * A-label is the one name for DNS, SNI, verification and the proxy.
 */
static int
target_idn(struct target *t, const char *host, size_t len, char *err,
    size_t errlen)
{
	gnutls_datum_t	 out = { NULL, 0 };
	size_t		 i;
	bool		 ascii = true;
	int		 rc;

	for (i = 0; i < len; i++)
		if ((unsigned char)host[i] >= 0x80)
			ascii = false;
	t->host = xstrndup(host, len);
	if (ascii) {
		if (strncasecmp(t->host, "xn--", 4) != 0 &&
		    strstr(t->host, ".xn--") == NULL &&
		    strstr(t->host, ".XN--") == NULL)
			return 0;
		if (gnutls_idna_reverse_map(t->host, (unsigned)len, &out,
		    0) == 0) {
			t->host_u = xstrndup((char *)out.data, out.size);
			gnutls_free(out.data);
		}
		return 0;
	}
	if ((rc = gnutls_idna_map(t->host, (unsigned)len, &out, 0)) != 0) {
		snprintf(err, errlen, "host name '%s' has no IDNA2008 form: "
		    "%s", t->host, gnutls_strerror(rc));
		free(t->host);
		t->host = NULL;
		return -1;
	}
	t->host_u = t->host;
	t->host = xstrndup((char *)out.data, out.size);
	gnutls_free(out.data);
	return 0;
}

/* lmtp+unix:///PATH: LMTP on a unix socket, where it mostly lives. */
static int
target_unix(const char *url, const char *rest, struct target *t, char *err,
    size_t errlen)
{
	if (*rest != '/' || rest[1] == '\0') {
		snprintf(err, errlen, "'%s': expected lmtp+unix:///path/to/"
		    "socket (an absolute path after the two slashes)", url);
		return -1;
	}
	t->scheme = xstrdup("lmtp+unix");
	t->host = xstrdup("localhost");
	t->port = xstrdup("0");
	t->unix_path = xstrdup(rest);
	t->proto = PROTO_LMTP;
	return 0;
}

int
target_parse(const char *url, struct target *t, char *err, size_t errlen)
{
	const struct scheme	*sc = NULL;
	const char		*p, *host, *hend, *port = NULL, *end;
	size_t			 i, n;

	memset(t, 0, sizeof *t);
	if ((p = strstr(url, "://")) == NULL) {
		char	try[512];

		if (target_suggest(url, try, sizeof try) == 0) {
			snprintf(err, errlen, "'%s' is not a URL; did you mean "
			    "%s ?", url, try);
			return -1;
		}
		snprintf(err, errlen, "'%s' is not a URL: expected "
		    "scheme://host[:port], e.g. smtp://mail.example.org",
		    url);
		return -1;
	}
	n = (size_t)(p - url);
	if (n == 9 && strncasecmp(url, "lmtp+unix", 9) == 0)
		return target_unix(url, p + 3, t, err, errlen);
	for (i = 0; i < NSCHEMES; i++) {
		if (strlen(schemes[i].name) == n &&
		    strncasecmp(url, schemes[i].name, n) == 0)
			sc = &schemes[i];
	}
	if (sc == NULL) {
		snprintf(err, errlen, "unknown scheme '%.*s' (expected smtp, "
		    "submission, smtps, lmtp, lmtp+unix, imap, imaps, pop3, "
		    "pop3s, sieve or mx)",
		    (int)n, url);
		return -1;
	}
	host = p + 3;
	end = host + strlen(host);
	if (end > host && end[-1] == '/')
		end--;
	if (memchr(host, '/', (size_t)(end - host)) != NULL ||
	    memchr(host, '@', (size_t)(end - host)) != NULL ||
	    memchr(host, '?', (size_t)(end - host)) != NULL ||
	    memchr(host, '#', (size_t)(end - host)) != NULL) {
		snprintf(err, errlen, "unexpected path, user, query or "
		    "fragment in '%s': expected %s://host[:port]", url,
		    sc->name);
		return -1;
	}
	if (*host == '[' && sc->mx) {
		snprintf(err, errlen, "mx:// takes a mail domain, not an "
		    "address: '%s' (smtp://[address] connects to one)", url);
		return -1;
	}
	if (*host == '[') {
		host++;
		if ((hend = memchr(host, ']', (size_t)(end - host))) ==
		    NULL) {
			snprintf(err, errlen, "unterminated IPv6 literal in "
			    "'%s' (expected [address])", url);
			return -1;
		}
		if (hend + 1 < end) {
			if (hend[1] != ':') {
				snprintf(err, errlen, "unexpected '%.*s' "
				    "after IPv6 literal in '%s'",
				    (int)(end - hend - 1), hend + 1, url);
				return -1;
			}
			port = hend + 2;
		}
		if (hend > host && !ipv6_literal(host,
		    (size_t)(hend - host))) {
			snprintf(err, errlen, "'%.*s' in brackets is not an "
			    "IPv6 address (in '%s')", (int)(hend - host),
			    host, url);
			return -1;
		}
	} else {
		hend = memchr(host, ':', (size_t)(end - host));
		if (hend == NULL)
			hend = end;
		else
			port = hend + 1;
		if (port != NULL && memchr(port, ':',
		    (size_t)(end - port)) != NULL) {
			snprintf(err, errlen, "IPv6 address in '%s' must be "
			    "in brackets, e.g. %s://[::1]:%s", url, sc->name,
			    sc->port);
			return -1;
		}
	}
	if (hend == host) {
		snprintf(err, errlen, "missing host in '%s'", url);
		return -1;
	}
	if (port != NULL && parse_port(port, (size_t)(end - port), err,
	    errlen) == -1)
		return -1;
	for (p = host; p < hend; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f) {
			snprintf(err, errlen, "bad character in host of "
			    "'%s'", url);
			return -1;
		}
	}
	if (target_idn(t, host, (size_t)(hend - host), err, errlen) == -1)
		return -1;
	t->scheme = xstrdup(sc->name);
	t->port = port != NULL ? xstrndup(port, (size_t)(end - port)) :
	    xstrdup(sc->port);
	t->proto = sc->proto;
	t->implicit_tls = sc->implicit_tls;
	t->mx = sc->mx;
	return 0;
}

void
target_free(struct target *t)
{
	free(t->scheme);
	free(t->host);
	free(t->host_u);
	free(t->port);
	free(t->unix_path);
	memset(t, 0, sizeof *t);
}

void
target_copy(struct target *dst, const struct target *src)
{
	*dst = *src;
	dst->scheme = xstrdup(src->scheme);
	dst->host = xstrdup(src->host);
	dst->port = xstrdup(src->port);
	dst->host_u = src->host_u != NULL ? xstrdup(src->host_u) : NULL;
	dst->unix_path = src->unix_path != NULL ? xstrdup(src->unix_path) :
	    NULL;
}

char *
target_string(const struct target *t)
{
	char	*s;

	if (t->unix_path != NULL)
		xasprintf(&s, "%s://%s", t->scheme, t->unix_path);
	else if (strchr(t->host, ':') != NULL)
		xasprintf(&s, "%s://[%s]:%s", t->scheme, t->host, t->port);
	else
		xasprintf(&s, "%s://%s:%s", t->scheme, t->host, t->port);
	return s;
}
