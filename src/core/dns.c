/* SPDX-License-Identifier: ISC */
/*
 * DNS through libunbound (NLnet Labs), DNSSEC validated in-process, on
 * the session's poll loop: ub_fd() is watched, ub_process() delivers the
 * answers.  libunbound's cache keeps every answer for the life of the
 * resolver, so a name asked twice in a session goes out once.  Here only
 * the records are put into words; resolving and validating are
 * libunbound's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unbound.h>

#include "core/core.h"

#define DNS_ROOT_ANCHOR	"/usr/share/dns/root.key"	/* dns-root-data */

struct dns_query {
	struct dns_query *next;		/* the queries out */
	int		 id;
	struct dns	*dns;
	dns_cb		 cb;
	void		*arg;
	char		*name;
	int		 type;
};

struct dns {
	struct loop	*loop;
	struct ub_ctx	*ctx;
	int		 fd;
	char		*resolver;	/* in words */
	char		*anchor;
	struct dns_query *out;
};

static void
query_unlink(struct dns_query *q)
{
	struct dns_query	**pp;

	for (pp = &q->dns->out; *pp != NULL; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	free(q->name);
	free(q);
}

static const struct {
	int		 type;
	const char	*name;
} types[] = {
	{ DNS_T_A, "A" }, { DNS_T_NS, "NS" }, { DNS_T_CNAME, "CNAME" },
	{ DNS_T_MX, "MX" }, { DNS_T_TXT, "TXT" }, { DNS_T_AAAA, "AAAA" },
	{ DNS_T_TLSA, "TLSA" },
};

static const char *rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
};

const char *
dns_type_name(int type)
{
	size_t	i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (types[i].type == type)
			return types[i].name;
	return NULL;
}

/*
 * "ADDR[:PORT]", an IPv6 address bare or in brackets: unbound's
 * "addr@port" and the words for it.  -1 with err set when it is not.
 */
int
dns_server_parse(const char *s, char **ub, char **words, char *err,
    size_t errlen)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const char	*port = "53", *colon;
	char		*addr;
	char		*end;
	long		 p;
	bool		 v6;

	if (*s == '[') {
		if ((colon = strchr(s, ']')) == NULL)
			goto bad;
		addr = xstrndup(s + 1, (size_t)(colon - s - 1));
		if (colon[1] == ':')
			port = colon + 2;
		else if (colon[1] != '\0') {
			free(addr);
			goto bad;
		}
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		addr = xstrndup(s, (size_t)(colon - s));
		port = colon + 1;
	} else
		addr = xstrdup(s);
	v6 = inet_pton(AF_INET6, addr, &a6) == 1;
	errno = 0;
	p = strtol(port, &end, 10);
	if ((!v6 && inet_pton(AF_INET, addr, &a4) != 1) || *port == '\0' ||
	    *end != '\0' || errno != 0 || p < 1 || p > 65535) {
		free(addr);
		goto bad;
	}
	if (ub != NULL)
		xasprintf(ub, "%s@%ld", addr, p);
	if (words != NULL)
		xasprintf(words, "%s port %ld", addr, p);
	free(addr);
	return 0;
bad:
	snprintf(err, errlen, "bad --dns '%s': expected an IP address and "
	    "an optional port, e.g. 127.0.0.1:5353 or [::1]:53", s);
	return -1;
}

static void
dns_io(int fd, short revents, void *arg)
{
	struct dns	*d = arg;

	(void)fd;
	(void)revents;
	/* Delivers every answer that is in: their callbacks run here. */
	ub_process(d->ctx);
}

struct dns *
dns_new(struct loop *loop, const char *server, const char *anchor,
    char *err, size_t errlen)
{
	struct dns	*d;
	FILE		*f;
	char		*fwd = NULL;
	int		 rc;

	d = xcalloc(1, sizeof *d);
	d->loop = loop;
	d->fd = -1;
	if (server != NULL && dns_server_parse(server, &fwd, &d->resolver,
	    err, errlen) == -1)
		goto fail;
	if (server == NULL)
		d->resolver = xstrdup("the system's resolver (resolv.conf)");
	d->anchor = xstrdup(anchor != NULL ? anchor : DNS_ROOT_ANCHOR);
	/* libunbound reads it late, at the first query: say now. */
	if ((f = fopen(d->anchor, "r")) == NULL) {
		if (anchor == NULL)
			snprintf(err, errlen, "no DNSSEC trust anchor: %s: %s "
			    "(install dns-root-data, or give "
			    "--dnssec-anchor FILE)", d->anchor,
			    strerror(errno));
		else
			snprintf(err, errlen, "--dnssec-anchor %s: %s",
			    d->anchor, strerror(errno));
		goto fail;
	}
	fclose(f);
	if ((d->ctx = ub_ctx_create()) == NULL) {
		snprintf(err, errlen, "cannot create a DNS resolver");
		goto fail;
	}
	/* A thread, not a forked process, answers; a resolver on loopback
	 * (a local cache, a test server) may be asked. */
	if ((rc = ub_ctx_async(d->ctx, 1)) != 0 ||
	    (rc = ub_ctx_set_option(d->ctx, "do-not-query-localhost:",
	    "no")) != 0 ||
	    (rc = fwd != NULL ? ub_ctx_set_fwd(d->ctx, fwd) :
	    ub_ctx_resolvconf(d->ctx, NULL)) != 0 ||
	    (rc = ub_ctx_add_ta_file(d->ctx, d->anchor)) != 0 ||
	    /* Unbound answers .test (RFC 6761) itself, NXDOMAIN; a resolver
	     * named by --dns is asked instead (a test zone).  Last: this
	     * reads the settings above. */
	    (fwd != NULL && (rc = ub_ctx_zone_remove(d->ctx, "test.")) !=
	    0)) {
		snprintf(err, errlen, "DNS resolver setup: %s",
		    ub_strerror(rc));
		goto fail;
	}
	if ((d->fd = ub_fd(d->ctx)) == -1) {
		snprintf(err, errlen, "DNS resolver setup: no descriptor");
		goto fail;
	}
	loop_add_fd(loop, d->fd, POLLIN, dns_io, d);
	free(fwd);
	return d;
fail:
	free(fwd);
	dns_free(d);
	return NULL;
}

void
dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	if (d->fd != -1)
		loop_del_fd(d->loop, d->fd);
	/* Queries still out are dropped with the context, unanswered. */
	if (d->ctx != NULL)
		ub_ctx_delete(d->ctx);
	while (d->out != NULL)
		query_unlink(d->out);
	free(d->resolver);
	free(d->anchor);
	free(d);
}

const char *
dns_resolver(const struct dns *d)
{
	return d->resolver;
}

const char *
dns_anchor(const struct dns *d)
{
	return d->anchor;
}

/* A name in rdata (uncompressed: libunbound expands them) in
 * presentation format; false when it runs past the end. */
static bool
put_name(const unsigned char **pp, const unsigned char *end, struct buf *b)
{
	const unsigned char	*p = *pp;
	size_t			 n, i;

	if (p < end && *p == 0) {
		buf_addc(b, '.');
		*pp = p + 1;
		return true;
	}
	while (p < end && *p != 0) {
		n = *p++;
		if (n > 63 || (size_t)(end - p) < n)
			return false;
		for (i = 0; i < n; i++, p++) {
			if (*p == '.' || *p == '\\')
				buf_printf(b, "\\%c", *p);
			else if (*p <= ' ' || *p >= 0x7f)
				buf_printf(b, "\\%03u", *p);
			else
				buf_addc(b, (char)*p);
		}
		buf_addc(b, '.');
	}
	if (p >= end)
		return false;
	*pp = p + 1;
	return true;
}

static void
put_hex(const unsigned char *p, size_t n, struct buf *b)
{
	while (n-- > 0)
		buf_printf(b, "%02x", *p++);
}

/*
 * One record's data in presentation format (RFC 1035 5.1, RFC 6698 2.2).
 * A TXT's text stays as it was sent, but for the quote, the backslash and
 * NUL: the sanitizer shows it, like every byte from the network.
 */
void
dns_rdata_text(int type, const unsigned char *p, size_t len, struct buf *b)
{
	const unsigned char	*end = p + len, *q = p;
	char			 addr[INET6_ADDRSTRLEN];
	size_t			 n, i;
	size_t			 at = b->len;

	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (len != (type == DNS_T_A ? 4u : 16u) ||
		    inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, p, addr,
		    sizeof addr) == NULL)
			break;
		buf_adds(b, addr);
		return;
	case DNS_T_NS:
	case DNS_T_CNAME:
		if (put_name(&q, end, b) && q == end)
			return;
		break;
	case DNS_T_MX:
		if (len < 3)
			break;
		buf_printf(b, "%u ", (unsigned)(p[0] << 8 | p[1]));
		q = p + 2;
		if (put_name(&q, end, b) && q == end)
			return;
		break;
	case DNS_T_TXT:
		while (q < end) {
			n = *q++;
			if ((size_t)(end - q) < n)
				goto bad;
			buf_adds(b, q - 1 == p ? "\"" : " \"");
			for (i = 0; i < n; i++, q++) {
				if (*q == '"' || *q == '\\')
					buf_printf(b, "\\%c", *q);
				else if (*q == '\0')
					buf_adds(b, "\\000");
				else
					buf_addc(b, (char)*q);
			}
			buf_addc(b, '"');
		}
		return;
	case DNS_T_TLSA:
		if (len < 3)
			break;
		buf_printf(b, "%u %u %u ", p[0], p[1], p[2]);
		put_hex(p + 3, len - 3, b);
		return;
	default:
		break;
	}
bad:
	/* Unknown or malformed: RFC 3597's generic form. */
	b->len = at;
	buf_printf(b, "\\# %zu ", len);
	put_hex(p, len, b);
}

static void
dns_done(void *arg, int err, struct ub_result *r)
{
	struct dns_query	*q = arg;
	struct dns_result	*res;
	dns_cb			 cb;
	void			*cbarg;
	struct dns_answer	*a;
	struct buf		 b = { 0 };
	const char		*tn;
	size_t			 i, n = 0;

	res = xcalloc(1, sizeof *res);
	a = &res->a;
	a->name = q->name;
	q->name = NULL;
	if ((tn = dns_type_name(q->type)) != NULL)
		a->type = xstrdup(tn);
	else
		xasprintf(&a->type, "TYPE%d", q->type);
	a->resolver = xstrdup(q->dns->resolver);
	res->type = q->type;
	res->id = q->id;
	if (err != 0 || r == NULL) {
		a->error = xstrdup(ub_strerror(err));
		a->rcode = xstrdup("SERVFAIL");
		res->rcode = 2;
		goto out;
	}
	res->rcode = r->rcode;
	res->nxdomain = r->nxdomain != 0;
	if ((unsigned)r->rcode < sizeof rcodes / sizeof rcodes[0])
		a->rcode = xstrdup(rcodes[r->rcode]);
	else
		xasprintf(&a->rcode, "RCODE%d", r->rcode);
	a->sec = r->secure ? DNS_SECURE : r->bogus ? DNS_BOGUS :
	    DNS_INSECURE;
	if (r->bogus && r->why_bogus != NULL)
		a->why_bogus = xstrdup(r->why_bogus);
	a->ttl = r->ttl;
	if (r->canonname != NULL && r->qname != NULL &&
	    strcasecmp(r->canonname, r->qname) != 0)
		a->canon = xstrdup(r->canonname);
	while (r->havedata && r->data[n] != NULL)
		n++;
	res->n = n;
	res->rdata = xcalloc(n + 1, sizeof *res->rdata);
	res->rdlen = xcalloc(n + 1, sizeof *res->rdlen);
	for (i = 0; i < n; i++) {
		res->rdlen[i] = (size_t)r->len[i];
		res->rdata[i] = xmalloc(res->rdlen[i] + 1);
		memcpy(res->rdata[i], r->data[i], res->rdlen[i]);
		buf_reset(&b);
		dns_rdata_text(q->type, res->rdata[i], res->rdlen[i], &b);
		strv_add(&a->records, b.p);
	}
	buf_free(&b);
out:
	if (r != NULL)
		ub_resolve_free(r);
	cb = q->cb;
	cbarg = q->arg;
	query_unlink(q);
	cb(res, cbarg);
}

int
dns_query(struct dns *d, const char *name, int type, dns_cb cb, void *arg,
    char *err, size_t errlen)
{
	struct dns_query	*q;
	int			 id, rc;

	q = xcalloc(1, sizeof *q);
	q->dns = d;
	q->cb = cb;
	q->arg = arg;
	q->name = xstrdup(name);
	q->type = type;
	if ((rc = ub_resolve_async(d->ctx, name, type, 1, q, dns_done,
	    &id)) != 0) {
		snprintf(err, errlen, "cannot ask for %s %s: %s",
		    dns_type_name(type) != NULL ? dns_type_name(type) : "?",
		    name, ub_strerror(rc));
		free(q->name);
		free(q);
		return -1;
	}
	q->id = id;
	q->next = d->out;
	d->out = q;
	return id;
}

/* The callback will not run. */
void
dns_cancel(struct dns *d, int id)
{
	struct dns_query	*q;

	for (q = d->out; q != NULL; q = q->next)
		if (q->id == id) {
			(void)ub_cancel(d->ctx, id);
			query_unlink(q);
			return;
		}
}

void
dns_result_free(struct dns_result *res)
{
	size_t	i;

	if (res == NULL)
		return;
	dns_answer_clear(&res->a);
	for (i = 0; i < res->n; i++)
		free(res->rdata[i]);
	free(res->rdata);
	free(res->rdlen);
	free(res);
}

/* The answer as the log keeps it: an EV_DNS event. */
void
dns_event(struct evlog *log, enum ev_chan chan, const struct dns_result *res)
{
	struct event	 ev;
	struct ev_extra	*x;
	struct buf	 b = { 0 };

	memset(&ev, 0, sizeof ev);
	ev.kind = EV_DNS;
	ev.dir = DIR_LOCAL;
	ev.chan = chan;
	if (res->a.sec == DNS_BOGUS)
		ev.flags = EVF_SECURITY;
	x = xcalloc(1, sizeof *x);
	x->dns = dns_answer_dup(&res->a);
	dns_answer_summary(&res->a, &b);
	evlog_append_x(log, &ev, x, b.p, b.len);
	buf_free(&b);
}

static void
dns_batch_answer(struct dns_result *res, void *arg)
{
	struct dns_batch	*b = arg;
	size_t			 i;

	for (i = 0; i < b->nq; i++)
		if (b->res[i] == NULL && b->ids[i] == res->id)
			break;
	if (i == b->nq) {
		dns_result_free(res);
		return;
	}
	b->res[i] = res;
	if (++b->ndone < b->nq)
		return;
	for (i = 0; i < b->nq; i++)
		dns_event(b->log, CHAN_PLAIN, b->res[i]);
	b->then(b->arg);
}

int
dns_batch_ask(struct dns_batch *b, const char *name, int type)
{
	char	err[256];
	int	id;

	if (b->nq == DNS_BATCH_MAX)
		fatalx("%s: more than %d queries at once", __func__,
		    DNS_BATCH_MAX);
	if ((id = dns_query(b->dns, name, type, dns_batch_answer, b, err,
	    sizeof err)) == -1) {
		ev_local(b->log, EV_ERROR, CHAN_PLAIN, "dns", "%s", err);
		return -1;
	}
	b->ids[b->nq] = id;
	b->res[b->nq] = NULL;
	b->nq++;
	return 0;
}

/* Forget the answers, cancel what is still out. */
void
dns_batch_clear(struct dns_batch *b)
{
	size_t	i;

	for (i = 0; i < b->nq; i++) {
		if (b->res[i] == NULL)
			dns_cancel(b->dns, b->ids[i]);
		dns_result_free(b->res[i]);
		b->res[i] = NULL;
	}
	b->nq = b->ndone = 0;
}
