/* SPDX-License-Identifier: ISC */
/*
 * The way to the server once a socket is up: a SOCKS5 proxy (RFC 1928,
 * its username/password login RFC 1929), then the PROXY protocol header
 * (HAProxy's v1 text, v2 binary).  A machine stepped by the session's
 * loop, every step an event; the proxy's password never is one.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

enum path_step {
	P_SOCKS_HELLO,		/* methods offered, the choice awaited */
	P_SOCKS_AUTH,		/* RFC 1929 login sent */
	P_SOCKS_CONNECT,	/* CONNECT sent, the reply awaited */
	P_HEADER,		/* the PROXY header going out */
	P_DONE,
};

struct path {
	struct evlog		*log;
	enum ev_chan		 chan;
	const struct proxy	*proxy;		/* NULL: none */
	const char		*host;		/* the target, A-label */
	unsigned		 port;
	const struct sockaddr_storage *addr;	/* socks5: the target's */
	int			 header;	/* 0, 1, 2 */
	const char		*src;		/* NULL: the socket's */
	const char		*dst;
	enum path_step		 step;
	struct buf		 out;
	bool			 secret;	/* out holds the password */
	unsigned char		 in[4 + 1 + 255 + 2];
	size_t			 have;
};

static const char *socks_replies[] = {
	"succeeded",
	"general SOCKS server failure",
	"connection not allowed by ruleset",
	"network unreachable",
	"host unreachable",
	"connection refused",
	"TTL expired",
	"command not supported",
	"address type not supported",
};

static void	path_info(struct path *, const char *, ...) PRINTFLIKE(2, 3);

static void
path_info(struct path *p, const char *fmt, ...)
{
	struct buf	b = { 0 };
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (p->step == P_HEADER)
		ev_local(p->log, EV_INFO, p->chan, "proxy-header", "%s", b.p);
	else
		ev_local(p->log, EV_INFO, p->chan, "socks5", "%s", b.p);
	buf_free(&b);
}

static int
pct_decode(const char *s, size_t len, char **out, char *err, size_t errlen)
{
	struct buf	b = { 0 };
	size_t		i;
	unsigned	v;

	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			buf_add(&b, &s[i], 1);
			continue;
		}
		if (i + 2 >= len || !isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2]) ||
		    sscanf(s + i + 1, "%2x", &v) != 1) {
			snprintf(err, errlen, "bad %%-escape in the proxy's "
			    "user or password");
			buf_free(&b);
			return -1;
		}
		buf_add(&b, &(char){ (char)v }, 1);
		i += 2;
	}
	buf_add(&b, "", 1);
	*out = b.p;
	return 0;
}

/*
 * socks5://[user[:pass]@]host[:port], socks5h:// for the name resolved
 * by the proxy (curl's spelling).  A password in the URL is taken, but
 * the caller wipes it from the command line; the environment or a file
 * is the better place.
 */
int
proxy_parse(const char *url, struct proxy *px, char *err, size_t errlen)
{
	struct target	 t;
	const char	*rest, *at, *colon;
	char		*hp;
	int		 rc;

	memset(px, 0, sizeof *px);
	if (strncasecmp(url, "socks5://", 9) == 0)
		rest = url + 9;
	else if (strncasecmp(url, "socks5h://", 10) == 0) {
		rest = url + 10;
		px->remote_dns = true;
	} else {
		snprintf(err, errlen, "bad proxy '%s': expected "
		    "socks5://[user@]host[:port] or socks5h://...", url);
		return -1;
	}
	if ((at = strrchr(rest, '@')) != NULL) {
		colon = memchr(rest, ':', (size_t)(at - rest));
		if (pct_decode(rest, (size_t)((colon != NULL ? colon : at) -
		    rest), &px->user, err, errlen) == -1 ||
		    (colon != NULL && pct_decode(colon + 1, (size_t)(at -
		    colon - 1), &px->pass, err, errlen) == -1)) {
			proxy_clear(px);
			return -1;
		}
		if (strlen(px->user) > 255 || (px->pass != NULL &&
		    strlen(px->pass) > 255) || *px->user == '\0') {
			snprintf(err, errlen, "the proxy's user must be 1 to "
			    "255 bytes, its password at most 255 (RFC 1929)");
			proxy_clear(px);
			return -1;
		}
		rest = at + 1;
	}
	/* The host and port as a target's, for one set of rules. */
	xasprintf(&hp, "smtp://%s", rest);
	rc = target_parse(hp, &t, err, errlen);
	free(hp);
	if (rc == -1) {
		proxy_clear(px);
		return -1;
	}
	px->host = xstrdup(t.host);
	px->port = xstrdup(strchr(rest, ':') != NULL && rest[0] != '[' ?
	    t.port : strstr(rest, "]:") != NULL ? t.port : "1080");
	target_free(&t);
	return 0;
}

void
proxy_clear(struct proxy *px)
{
	free(px->host);
	free(px->user);
	if (px->pass != NULL) {
		explicit_bzero(px->pass, strlen(px->pass));
		free(px->pass);
	}
	free(px->port);
	memset(px, 0, sizeof *px);
}

/* --proxy-source, --proxy-dest: ADDR:PORT, [ADDR]:PORT for IPv6. */
int
path_addr_parse(const char *s, struct sockaddr_storage *ss, char *err,
    size_t errlen)
{
	struct target	 t;
	char		*u;
	int		 rc;

	memset(ss, 0, sizeof *ss);
	xasprintf(&u, "smtp://%s", s);
	rc = target_parse(u, &t, err, errlen);
	free(u);
	if (rc == -1)
		goto bad;
	if (strrchr(s, ':') == NULL || strrchr(s, ':')[1] == '\0')
		rc = -1;
	else if (strchr(t.host, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)atoi(t.port));
		if (inet_pton(AF_INET6, t.host, &sin6->sin6_addr) != 1)
			rc = -1;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)atoi(t.port));
		if (inet_pton(AF_INET, t.host, &sin->sin_addr) != 1)
			rc = -1;
	}
	target_free(&t);
	if (rc == 0)
		return 0;
bad:
	snprintf(err, errlen, "bad address '%s': expected ADDR:PORT "
		    "(an IPv4 address, or [IPv6]:PORT)", s);
	return -1;
}

struct path *
path_new(struct evlog *log, enum ev_chan chan, const struct proxy *px,
    const char *host, const char *port, const struct sockaddr_storage *addr,
    int header, const char *src, const char *dst)
{
	struct path	*p;

	p = xcalloc(1, sizeof *p);
	p->log = log;
	p->chan = chan;
	p->proxy = px != NULL && px->host != NULL ? px : NULL;
	p->host = host;
	p->port = (unsigned)atoi(port);
	p->addr = addr;
	p->header = header;
	p->src = src;
	p->dst = dst;
	p->step = P_DONE;
	return p;
}

void
path_free(struct path *p)
{
	if (p == NULL)
		return;
	if (p->secret && p->out.p != NULL)
		explicit_bzero(p->out.p, p->out.cap);
	buf_free(&p->out);
	free(p);
}

bool
path_want_write(const struct path *p)
{
	return p->out.len > 0;
}

static void
socks_hello(struct path *p)
{
	/* VER 5, the methods: none, and username/password with a user. */
	if (p->proxy->user != NULL) {
		buf_add(&p->out, "\x05\x02\x00\x02", 4);
		path_info(p, "SOCKS5: greeting sent, methods offered: no "
		    "authentication, username/password (RFC 1929)");
	} else {
		buf_add(&p->out, "\x05\x01\x00", 3);
		path_info(p, "SOCKS5: greeting sent, method offered: no "
		    "authentication");
	}
	p->step = P_SOCKS_HELLO;
}

static void
socks_connect(struct path *p)
{
	unsigned char	 req[4 + 1 + 255 + 2];
	size_t		 n = 4;
	char		 a[INET6_ADDRSTRLEN];
	const char	*form;

	req[0] = 5;
	req[1] = 1;		/* CONNECT */
	req[2] = 0;
	if (p->proxy->remote_dns || p->addr == NULL) {
		size_t	hl = strlen(p->host);

		req[3] = 3;	/* DOMAINNAME */
		req[n++] = (unsigned char)hl;
		memcpy(req + n, p->host, hl);
		n += hl;
		a[0] = '\0';
		form = "a domain name, resolved by the proxy";
	} else if (p->addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)p->addr;

		req[3] = 4;
		memcpy(req + n, &s6->sin6_addr, 16);
		n += 16;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		form = "an IPv6 address";
	} else {
		const struct sockaddr_in *s4 = (const void *)p->addr;

		req[3] = 1;
		memcpy(req + n, &s4->sin_addr, 4);
		n += 4;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		form = "an IPv4 address";
	}
	req[n++] = (unsigned char)(p->port >> 8);
	req[n++] = (unsigned char)p->port;
	buf_add(&p->out, req, n);
	path_info(p, "SOCKS5: CONNECT to %s port %u, as %s%s%s", p->host,
	    p->port, form, *a != '\0' ? " " : "", a);
	p->step = P_SOCKS_CONNECT;
	p->have = 0;
}

/* The PROXY header: its addresses given, or the socket's. */
static int
header_build(struct path *p, int fd, char *err, size_t errlen)
{
	struct sockaddr_storage	 src, dst;
	socklen_t		 len;
	char			 a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	char			 sw[128], dw[128];
	unsigned		 sp = 0, dp = 0;
	const char		*fam;
	size_t			 i, start = p->out.len;

	memset(&src, 0, sizeof src);
	memset(&dst, 0, sizeof dst);
	len = sizeof src;
	if (p->src != NULL) {
		if (path_addr_parse(p->src, &src, err, errlen) == -1)
			return -1;
	} else if (getsockname(fd, (struct sockaddr *)&src, &len) == -1)
		src.ss_family = AF_UNSPEC;
	len = sizeof dst;
	if (p->dst != NULL) {
		if (path_addr_parse(p->dst, &dst, err, errlen) == -1)
			return -1;
	} else if (getpeername(fd, (struct sockaddr *)&dst, &len) == -1)
		dst.ss_family = AF_UNSPEC;
	if (src.ss_family != dst.ss_family && p->src != NULL &&
	    p->dst != NULL) {
		snprintf(err, errlen, "--proxy-source and --proxy-dest must "
		    "be of one family (IPv4 or IPv6)");
		return -1;
	}
	if (src.ss_family != dst.ss_family || (src.ss_family != AF_INET &&
	    src.ss_family != AF_INET6)) {
		/* A unix socket, or a mix: the server keeps its own view. */
		if (p->header == 1)
			buf_adds(&p->out, "PROXY UNKNOWN\r\n");
		else
			buf_add(&p->out, "\r\n\r\n\0\r\nQUIT\n\x21\x00\0\0",
			    16);
		path_info(p, "PROXY protocol v%d header sent (%zu bytes): "
		    "addresses UNKNOWN (no IP addresses to claim: give "
		    "--proxy-source and --proxy-dest)", p->header,
		    p->out.len - start);
		return 0;
	}
	if (src.ss_family == AF_INET) {
		struct sockaddr_in *s = (void *)&src, *d = (void *)&dst;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
		inet_ntop(AF_INET, &d->sin_addr, b, sizeof b);
		sp = ntohs(s->sin_port);
		dp = ntohs(d->sin_port);
		fam = "TCP4";
	} else {
		struct sockaddr_in6 *s = (void *)&src, *d = (void *)&dst;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof a);
		inet_ntop(AF_INET6, &d->sin6_addr, b, sizeof b);
		sp = ntohs(s->sin6_port);
		dp = ntohs(d->sin6_port);
		fam = "TCP6";
	}
	net_addr_string((struct sockaddr *)&src, sw, sizeof sw);
	net_addr_string((struct sockaddr *)&dst, dw, sizeof dw);
	if (p->header == 1) {
		buf_printf(&p->out, "PROXY %s %s %s %u %u\r\n", fam, a, b, sp,
		    dp);
		path_info(p, "PROXY protocol v1 header sent: %.*s",
		    (int)(p->out.len - start - 2), p->out.p + start);
		return 0;
	}
	buf_add(&p->out, "\r\n\r\n\0\r\nQUIT\n\x21", 13);
	if (src.ss_family == AF_INET) {
		struct sockaddr_in *s = (void *)&src, *d = (void *)&dst;

		buf_add(&p->out, "\x11\x00\x0c", 3);
		buf_add(&p->out, &s->sin_addr, 4);
		buf_add(&p->out, &d->sin_addr, 4);
		buf_add(&p->out, &s->sin_port, 2);
		buf_add(&p->out, &d->sin_port, 2);
	} else {
		struct sockaddr_in6 *s = (void *)&src, *d = (void *)&dst;

		buf_add(&p->out, "\x21\x00\x24", 3);
		buf_add(&p->out, &s->sin6_addr, 16);
		buf_add(&p->out, &d->sin6_addr, 16);
		buf_add(&p->out, &s->sin6_port, 2);
		buf_add(&p->out, &d->sin6_port, 2);
	}
	{
		struct buf	hex = { 0 };

		for (i = start; i < p->out.len; i++)
			buf_printf(&hex, "%02x", (unsigned char)p->out.p[i]);
		path_info(p, "PROXY protocol v2 header sent (%zu bytes): "
		    "version 2, command PROXY, TCP over %s; source %s, "
		    "destination %s [%s]", p->out.len - start, src.ss_family == AF_INET ? "IPv4" : "IPv6", sw, dw,
		    hex.p);
		buf_free(&hex);
	}
	return 0;
}

/* After SOCKS (or at once): the header, if asked, else done. */
static int
path_after_socks(struct path *p, int fd, char *err, size_t errlen)
{
	if (p->header == 0) {
		p->step = P_DONE;
		return 0;
	}
	p->step = P_HEADER;
	return header_build(p, fd, err, errlen);
}

int
path_start(struct path *p, int fd, char *err, size_t errlen)
{
	if (p->proxy != NULL) {
		/* The request's length byte: no longer name fits. */
		if ((p->proxy->remote_dns || p->addr == NULL) &&
		    strlen(p->host) > 255) {
			snprintf(err, errlen, "SOCKS5: the host name is longer "
			    "than 255 bytes");
			return -1;
		}
		socks_hello(p);
		return 0;
	}
	return path_after_socks(p, fd, err, errlen);
}

/* Read until the reply holds want bytes, never past them: what follows
 * is the server's. */
static int
path_fill(struct path *p, struct stream *st, size_t want, char *err,
    size_t errlen)
{
	ssize_t	n;

	while (p->have < want) {
		n = stream_read(st, p->in + p->have, want - p->have);
		if (n == STREAM_AGAIN)
			return 0;
		if (n == 0) {
			snprintf(err, errlen, "SOCKS5: the proxy closed the "
			    "connection after %zu bytes of its reply "
			    "(expected %zu)", p->have, want);
			return -1;
		}
		if (n < 0) {
			snprintf(err, errlen, "SOCKS5: reading the proxy's "
			    "reply failed: %s", stream_error(st));
			return -1;
		}
		p->have += (size_t)n;
	}
	return 1;
}

static int
socks_reply(struct path *p, struct stream *st, char *err, size_t errlen)
{
	size_t		 want = 4;
	char		 a[INET6_ADDRSTRLEN + 8] = "";
	const char	*words;
	int		 rc;

	if ((rc = path_fill(p, st, want, err, errlen)) != 1)
		return rc;
	if (p->in[0] != 5) {
		snprintf(err, errlen, "SOCKS5: the proxy's reply is not "
		    "SOCKS version 5 (first byte 0x%02x)", p->in[0]);
		return -1;
	}
	words = p->in[1] < sizeof socks_replies / sizeof socks_replies[0] ?
	    socks_replies[p->in[1]] : "an unknown reply code";
	if (p->in[1] != 0) {
		snprintf(err, errlen, "SOCKS5: the proxy refused CONNECT to "
		    "%s port %u: %s (reply %u)", p->host, p->port, words,
		    p->in[1]);
		return -1;
	}
	switch (p->in[3]) {
	case 1:
		want = 4 + 4 + 2;
		break;
	case 4:
		want = 4 + 16 + 2;
		break;
	case 3:
		if ((rc = path_fill(p, st, 5, err, errlen)) != 1)
			return rc;
		want = 5 + p->in[4] + 2;
		break;
	default:
		snprintf(err, errlen, "SOCKS5: the proxy's reply has an "
		    "unknown address type %u", p->in[3]);
		return -1;
	}
	if ((rc = path_fill(p, st, want, err, errlen)) != 1)
		return rc;
	if (p->in[3] == 1)
		inet_ntop(AF_INET, p->in + 4, a, sizeof a);
	else if (p->in[3] == 4)
		inet_ntop(AF_INET6, p->in + 4, a, sizeof a);
	else {
		struct buf	b = { 0 };

		sanitize((const char *)p->in + 5, p->in[4], &b);
		snprintf(a, sizeof a, "%s", b.p != NULL ? b.p : "");
		buf_free(&b);
	}
	path_info(p, "SOCKS5: reply: %s; the proxy's side of the connection "
	    "is %s port %u", words, a, (unsigned)(p->in[want - 2] << 8 |
	    p->in[want - 1]));
	return 1;
}

/* 1 done, 0 again (path_want_write says which way), -1 with err. */
int
path_io(struct path *p, struct stream *st, char *err, size_t errlen)
{
	int	rc;

	for (;;) {
		if (p->out.len > 0) {
			rc = stream_flush(st, &p->out);
			if (rc == STREAM_AGAIN)
				return 0;
			if (rc < 0) {
				snprintf(err, errlen, "%s: sending failed: %s",
				    p->step == P_HEADER ? "PROXY header" :
				    "SOCKS5", stream_error(st));
				return -1;
			}
			if (p->secret) {
				explicit_bzero(p->out.p, p->out.cap);
				p->secret = false;
			}
		}
		switch (p->step) {
		case P_SOCKS_HELLO:
			if ((rc = path_fill(p, st, 2, err, errlen)) != 1)
				return rc;
			p->have = 0;
			if (p->in[0] != 5) {
				snprintf(err, errlen, "SOCKS5: the proxy's "
				    "answer is not SOCKS version 5 (first byte "
				    "0x%02x)", p->in[0]);
				return -1;
			}
			if (p->in[1] == 0) {
				path_info(p, "SOCKS5: the proxy chose no "
				    "authentication");
				socks_connect(p);
			} else if (p->in[1] == 2 && p->proxy->user != NULL) {
				const char	*pw = p->proxy->pass != NULL ?
				    p->proxy->pass : "";

				path_info(p, "SOCKS5: the proxy chose "
				    "username/password; logging in as %s "
				    "(password not shown)", p->proxy->user);
				buf_add(&p->out, "\x01", 1);
				buf_add(&p->out, &(char){ (char)strlen(
				    p->proxy->user) }, 1);
				buf_adds(&p->out, p->proxy->user);
				buf_add(&p->out, &(char){ (char)strlen(pw) },
				    1);
				buf_adds(&p->out, pw);
				p->secret = true;
				p->step = P_SOCKS_AUTH;
			} else if (p->in[1] == 0xff) {
				snprintf(err, errlen, "SOCKS5: the proxy "
				    "accepts none of the methods offered%s",
				    p->proxy->user == NULL ? " (it may want "
				    "a user: socks5://user@host)" : "");
				return -1;
			} else {
				snprintf(err, errlen, "SOCKS5: the proxy "
				    "chose method %u, which was not offered",
				    p->in[1]);
				return -1;
			}
			break;
		case P_SOCKS_AUTH:
			if ((rc = path_fill(p, st, 2, err, errlen)) != 1)
				return rc;
			p->have = 0;
			if (p->in[1] != 0) {
				snprintf(err, errlen, "SOCKS5: the proxy "
				    "refused the login as %s (status %u): "
				    "wrong user or password", p->proxy->user,
				    p->in[1]);
				return -1;
			}
			path_info(p, "SOCKS5: logged in as %s", p->proxy->user);
			socks_connect(p);
			break;
		case P_SOCKS_CONNECT:
			if ((rc = socks_reply(p, st, err, errlen)) != 1)
				return rc;
			if (path_after_socks(p, stream_fd(st), err,
			    errlen) == -1)
				return -1;
			break;
		case P_HEADER:
			p->step = P_DONE;
			break;
		case P_DONE:
			return 1;
		}
	}
}
