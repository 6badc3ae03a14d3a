/* SPDX-License-Identifier: ISC */
/*
 * Where a session connects when DNS decides it: the mail hosts of a
 * domain (mx://), or one host's addresses asked of --dns.  RFC 5321 5.1:
 * the MX records in preference order, the domain itself when it has none
 * (the implicit MX), nothing at all for a null MX (RFC 7505).  The hosts
 * are resolved one at a time, when the one before failed: every answer
 * used is an event, and none is asked that is not needed.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

struct mx_host {
	unsigned	 pref;
	char		*name;		/* presentation form, no final dot */
};

struct mxwalk {
	struct evlog		*log;
	char			*domain;
	bool			 mx;		/* false: domain is the host */
	uint16_t		 port;
	int			 family;
	mxwalk_cb		 cb;
	void			*arg;
	struct mx_host		*hosts;
	size_t			 nhosts;
	size_t			 cur;		/* the host asked or in use */
	struct dns_batch	 q;		/* the queries out */
	struct mxwalk_addr	*addrs;
	size_t			 naddrs;
};

static void	mx_hosts_known(void *);
static void	mx_addrs_known(void *);

static void
mx_end(struct mxwalk *w, const char *fmt, ...) PRINTFLIKE(2, 3);

/* Nothing more to try: say why, once. */
static void
mx_end(struct mxwalk *w, const char *fmt, ...)
{
	struct buf	b = { 0 };
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	w->cb(NULL, NULL, 0, b.p, w->arg);
	buf_free(&b);
}

static void
mx_add_host(struct mxwalk *w, unsigned pref, const char *name)
{
	size_t	len = strlen(name);

	w->hosts = xreallocarray(w->hosts, w->nhosts + 1, sizeof *w->hosts);
	w->hosts[w->nhosts].pref = pref;
	/* "mx.example.org." names the host mx.example.org. */
	if (len > 1 && name[len - 1] == '.')
		len--;
	w->hosts[w->nhosts].name = xstrndup(name, len);
	w->nhosts++;
}

static int
host_cmp(const void *a, const void *b)
{
	const struct mx_host	*x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	/* Equal preference: in the order of the answer (stable). */
	return x < y ? -1 : x > y;
}

/* Resolve the current host's addresses. */
static void
mx_resolve_current(struct mxwalk *w)
{
	const char	*host = w->hosts[w->cur].name;

	dns_batch_clear(&w->q);
	w->q.then = mx_addrs_known;
	/* IPv6 first, as getaddrinfo orders them (RFC 6724). */
	if ((w->family != AF_INET && dns_batch_ask(&w->q, host, DNS_T_AAAA) == -1) ||
	    (w->family != AF_INET6 && dns_batch_ask(&w->q, host, DNS_T_A) == -1)) {
		dns_batch_clear(&w->q);
		mx_end(w, "cannot resolve %s", host);
	}
}

static void
mx_hosts_known(void *arg)
{
	struct mxwalk		*w = arg;
	struct dns_result	*r = w->q.res[0];
	struct buf		 b = { 0 };
	const char		*p;
	char			*end;
	unsigned long		 pref;
	size_t			 i;
	bool			 null_mx = false;

	if (r->a.error != NULL) {
		mx_end(w, "no DNS answer for the MX records of %s: %s",
		    w->domain, r->a.error);
		return;
	}
	if (r->a.sec == DNS_BOGUS) {
		mx_end(w, "the MX answer for %s is bogus (DNSSEC validation "
		    "failed: %s): it cannot be trusted, so no mail host is "
		    "tried", w->domain, r->a.why_bogus != NULL ?
		    r->a.why_bogus : "no reason given");
		return;
	}
	if (r->nxdomain) {
		mx_end(w, "%s does not exist (NXDOMAIN): no mail host",
		    w->domain);
		return;
	}
	if (r->rcode != 0) {
		mx_end(w, "the MX lookup for %s failed: %s", w->domain,
		    r->a.rcode);
		return;
	}
	for (i = 0; i < r->a.records.n; i++) {
		p = r->a.records.v[i];
		pref = strtoul(p, &end, 10);
		if (end == p || *end != ' ')
			continue;
		if (strcmp(end + 1, ".") == 0) {
			null_mx = true;
			continue;
		}
		mx_add_host(w, (unsigned)pref, end + 1);
	}
	if (null_mx) {
		ev_local(w->log, EV_ERROR, CHAN_PLAIN, "null-mx", "%s "
		    "publishes a null MX: it accepts no mail", w->domain);
		mx_end(w, "%s accepts no mail: its MX is the null MX \"0 .\" "
		    "(RFC 7505)", w->domain);
		return;
	}
	if (w->nhosts == 0) {
		ev_local(w->log, EV_INFO, CHAN_PLAIN, "implicit-mx", "%s has "
		    "no MX record: the domain itself is its mail host "
		    "(implicit MX, RFC 5321 5.1)", w->domain);
		mx_add_host(w, 0, w->domain);
	} else {
		qsort(w->hosts, w->nhosts, sizeof *w->hosts, host_cmp);
		for (i = 0; i < w->nhosts; i++)
			buf_printf(&b, "%s%u %s", i ? ", " : "",
			    w->hosts[i].pref, w->hosts[i].name);
		ev_local(w->log, EV_INFO, CHAN_PLAIN, "mx", "mail hosts of %s "
		    "in preference order (the MX answer is %s): %s",
		    w->domain, r->a.sec == DNS_SECURE ? "DNSSEC-secure" :
		    "insecure, not signed", b.p);
		buf_free(&b);
	}
	w->cur = 0;
	mx_resolve_current(w);
}

static void
mx_add_addr(struct mxwalk *w, const struct dns_result *r, size_t i)
{
	struct mxwalk_addr	*a;

	w->addrs = xreallocarray(w->addrs, w->naddrs + 1, sizeof *w->addrs);
	a = &w->addrs[w->naddrs];
	memset(a, 0, sizeof *a);
	if (r->type == DNS_T_A && r->rdlen[i] == 4) {
		struct sockaddr_in	*sin = (struct sockaddr_in *)&a->ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(w->port);
		memcpy(&sin->sin_addr, r->rdata[i], 4);
		a->len = sizeof *sin;
	} else if (r->type == DNS_T_AAAA && r->rdlen[i] == 16) {
		struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&a->ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(w->port);
		memcpy(&sin6->sin6_addr, r->rdata[i], 16);
		a->len = sizeof *sin6;
	} else
		return;
	w->naddrs++;
}

static void
mx_addrs_known(void *arg)
{
	struct mxwalk		*w = arg;
	const char	*host = w->hosts[w->cur].name;
	size_t		 q, i;

	w->naddrs = 0;
	for (q = 0; q < w->q.nq; q++) {
		/* A bogus answer carries nothing to trust. */
		if (w->q.res[q]->a.sec == DNS_BOGUS)
			continue;
		for (i = 0; i < w->q.res[q]->n; i++)
			mx_add_addr(w, w->q.res[q], i);
	}
	if (w->naddrs > 0) {
		w->cb(host, w->addrs, w->naddrs, NULL, w->arg);
		return;
	}
	ev_local(w->log, EV_ERROR, CHAN_PLAIN, "resolve", "%s has no "
	    "address%s to connect to", host, w->family == AF_INET ?
	    " (IPv4 only)" : w->family == AF_INET6 ? " (IPv6 only)" : "");
	mxwalk_next(w);
}

/* The host in use failed: the next one, if any. */
void
mxwalk_next(struct mxwalk *w)
{
	if (w->nhosts == 0)
		return;
	if (++w->cur >= w->nhosts) {
		if (w->mx)
			mx_end(w, "could not connect to any mail host of %s "
			    "port %u", w->domain, w->port);
		else
			mx_end(w, "could not connect to %s port %u",
			    w->domain, w->port);
		return;
	}
	ev_local(w->log, EV_INFO, CHAN_PLAIN, "mx-next", "trying the next "
	    "mail host: %s", w->hosts[w->cur].name);
	mx_resolve_current(w);
}

struct mxwalk *
mxwalk_new(struct dns *dns, struct evlog *log, const char *name, bool mx,
    const char *port, int family, mxwalk_cb cb, void *arg)
{
	struct mxwalk	*w;

	w = xcalloc(1, sizeof *w);
	w->log = log;
	w->q.dns = dns;
	w->q.log = log;
	w->q.arg = w;
	w->domain = xstrdup(name);
	w->mx = mx;
	w->port = (uint16_t)strtoul(port, NULL, 10);
	w->family = family;
	w->cb = cb;
	w->arg = arg;
	return w;
}

/* Ask; the callback runs from the loop (from here only when nothing
 * could be asked). */
void
mxwalk_start(struct mxwalk *w)
{
	if (!w->mx) {
		mx_add_host(w, 0, w->domain);
		w->cur = 0;
		mx_resolve_current(w);
		return;
	}
	w->q.then = mx_hosts_known;
	if (dns_batch_ask(&w->q, w->domain, DNS_T_MX) == -1) {
		dns_batch_clear(&w->q);
		mx_end(w, "cannot resolve the MX records of %s", w->domain);
	}
}

void
mxwalk_free(struct mxwalk *w)
{
	size_t	i;

	if (w == NULL)
		return;
	dns_batch_clear(&w->q);
	for (i = 0; i < w->nhosts; i++)
		free(w->hosts[i].name);
	free(w->hosts);
	free(w->addrs);
	free(w->domain);
	free(w);
}
