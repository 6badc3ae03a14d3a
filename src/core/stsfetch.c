/* SPDX-License-Identifier: ISC */
/*
 * The MTA-STS policy of a mail domain, found as a sending server finds
 * it (RFC 8461 3): the _mta-sts TXT record (and TLS-RPT's _smtp._tls
 * beside it), the addresses of mta-sts.DOMAIN, then the policy over
 * HTTPS.  Every DNS answer is ours (dns.c), logged like any other;
 * libcurl's multi interface fetches on the session's loop, handed the
 * addresses with CURLOPT_RESOLVE so it never resolves by itself.  The
 * RFC's rules: HTTPS with a certificate valid for mta-sts.DOMAIN, HTTP
 * 200 only (a redirect is a failure), text/plain, at most 64 KiB.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <dlfcn.h>

#include "core/core.h"

/*
 * libcurl is opened on the first fetch, not linked: what it links in turn
 * (OpenSSL, Kerberos, LDAP, SSH, RTMP...) costs every start of mailscope
 * about 9 ms, more than setting up a whole SMTP session, for a fetch
 * that only mx:// with a policy record makes.
 */
static struct {
	CURLcode	 (*global_init)(long);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
	CURLM		*(*multi_init)(void);
	CURLMcode	 (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode	 (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_socket_action)(CURLM *, curl_socket_t, int,
			    int *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	CURLMcode	 (*multi_cleanup)(CURLM *);
	CURL		*(*easy_init)(void);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char	*(*easy_strerror)(CURLcode);
	void		 (*easy_cleanup)(CURL *);
} lc;

/* Open libcurl and find its functions, once; NULL or why not. */
static const char *
lc_load(void)
{
	static const char	*why;
	static bool		 tried;
	void			*dl;

	if (tried)
		return why;
	tried = true;
	if ((dl = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return why = xstrdup(dlerror());
#define LC(f, name)	if ((*(void **)&lc.f = dlsym(dl, name)) == NULL) \
				return why = "no " name " in " CURL_SONAME
	LC(global_init, "curl_global_init");
	LC(slist_append, "curl_slist_append");
	LC(slist_free_all, "curl_slist_free_all");
	LC(multi_init, "curl_multi_init");
	LC(multi_setopt, "curl_multi_setopt");
	LC(multi_add_handle, "curl_multi_add_handle");
	LC(multi_remove_handle, "curl_multi_remove_handle");
	LC(multi_socket_action, "curl_multi_socket_action");
	LC(multi_info_read, "curl_multi_info_read");
	LC(multi_cleanup, "curl_multi_cleanup");
	LC(easy_init, "curl_easy_init");
	LC(easy_setopt, "curl_easy_setopt");
	LC(easy_getinfo, "curl_easy_getinfo");
	LC(easy_strerror, "curl_easy_strerror");
	LC(easy_cleanup, "curl_easy_cleanup");
#undef LC
	if (lc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return why = "curl_global_init failed";
	return NULL;
}

struct sts_fetch {
	struct loop		*loop;
	struct evlog		*log;
	char			*domain;
	char			*host;		/* mta-sts.DOMAIN */
	const char		*cafile;
	int			 timeout_ms;
	sts_cb			 cb;
	void			*arg;
	struct sts_policy	 policy;
	struct dns_batch	 q;		/* the DNS queries out */
	/* The fetch. */
	CURLM			*multi;
	CURL			*easy;
	struct curl_slist	*resolve;
	struct timer		*timer;
	struct buf		 body;
	bool			 too_big;
	char			 curl_err[CURL_ERROR_SIZE];
};

static void	sts_records_known(void *);
static void	sts_addrs_known(void *);
static void	sts_check(struct sts_fetch *);

/* The end: the callback may free f, so nothing touches it after. */
static void
sts_done(struct sts_fetch *f)
{
	f->cb(&f->policy, f->arg);
}

static void
sts_unavailable(struct sts_fetch *f, const char *fmt, ...) PRINTFLIKE(2, 3);

static void
sts_unavailable(struct sts_fetch *f, const char *fmt, ...)
{
	va_list	ap;
	struct buf	b = { 0 };

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f->policy.unavailable = b.p;
	ev_local(f->log, EV_WARNING, CHAN_PLAIN, "mta-sts-unavailable",
	    "MTA-STS: %s publishes a policy record, but the policy is "
	    "unavailable: %s; mail goes on as without MTA-STS (RFC 8461 5)",
	    f->domain, b.p);
	sts_done(f);
}

struct sts_fetch *
sts_fetch_new(struct loop *loop, struct dns *dns, struct evlog *log,
    const char *domain, const char *cafile, int timeout_ms, sts_cb cb,
    void *arg)
{
	struct sts_fetch	*f;

	f = xcalloc(1, sizeof *f);
	f->loop = loop;
	f->log = log;
	f->q.dns = dns;
	f->q.log = log;
	f->q.arg = f;
	f->domain = xstrdup(domain);
	xasprintf(&f->host, "mta-sts.%s", domain);
	f->cafile = cafile;
	f->timeout_ms = timeout_ms;
	f->cb = cb;
	f->arg = arg;
	return f;
}

/* Ask; the callback runs from the loop (from here only when nothing
 * could be asked). */
void
sts_fetch_start(struct sts_fetch *f)
{
	char	*sts, *rpt;

	xasprintf(&sts, "_mta-sts.%s", f->domain);
	xasprintf(&rpt, "_smtp._tls.%s", f->domain);
	f->q.then = sts_records_known;
	if (dns_batch_ask(&f->q, sts, DNS_T_TXT) == -1 ||
	    dns_batch_ask(&f->q, rpt, DNS_T_TXT) == -1) {
		dns_batch_clear(&f->q);
		free(sts);
		free(rpt);
		sts_done(f);
		return;
	}
	free(sts);
	free(rpt);
}

static void
sts_records_known(void *arg)
{
	struct sts_fetch	*f = arg;
	struct dns_result	*r;
	char			 err[256];
	int			 rc;

	/* A bogus answer carries nothing to trust: no record. */
	r = f->q.res[1];
	if (r->a.sec != DNS_BOGUS) {
		rc = sts_txt_pick(r, "v=TLSRPTv1", tlsrpt_record_parse,
		    &f->policy.tlsrpt, err, sizeof err);
		if (rc == 1)
			ev_local(f->log, EV_INFO, CHAN_PLAIN, "tlsrpt",
			    "TLS-RPT (RFC 8460): %s asks for reports of "
			    "failed TLS to %s", f->domain, f->policy.tlsrpt);
		else if (rc == -1)
			ev_local(f->log, EV_WARNING, CHAN_PLAIN, "tlsrpt",
			    "TLS-RPT: the record at %s is not used: %s (RFC "
			    "8460 3)", r->a.name, err);
	}
	r = f->q.res[0];
	rc = r->a.sec == DNS_BOGUS ? -1 : sts_txt_pick(r, "v=STSv1",
	    sts_record_parse, &f->policy.id, err, sizeof err);
	if (r->a.sec == DNS_BOGUS)
		snprintf(err, sizeof err, "the answer is bogus (DNSSEC "
		    "validation failed)");
	if (rc == 0 && (r->a.error != NULL || (r->rcode != 0 &&
	    !r->nxdomain))) {
		/* RFC 8461 3.1: a failed lookup is no policy either. */
		ev_local(f->log, EV_WARNING, CHAN_PLAIN, "mta-sts-record",
		    "MTA-STS: no answer for %s (%s): no policy known, mail "
		    "goes on as without MTA-STS", r->a.name, r->a.error !=
		    NULL ? r->a.error : r->a.rcode);
		dns_batch_clear(&f->q);
		sts_done(f);
		return;
	}
	if (rc == 0) {
		ev_local(f->log, EV_INFO, CHAN_PLAIN, "mta-sts-none",
		    "MTA-STS: %s publishes no policy record (%s): no "
		    "MTA-STS", f->domain, r->a.name);
		dns_batch_clear(&f->q);
		sts_done(f);
		return;
	}
	if (rc == -1) {
		/* RFC 8461 3.1: then the domain has no available policy. */
		ev_local(f->log, EV_WARNING, CHAN_PLAIN, "mta-sts-record",
		    "MTA-STS: the record at %s is not used: %s (RFC 8461 "
		    "3.1): no MTA-STS", r->a.name, err);
		dns_batch_clear(&f->q);
		sts_done(f);
		return;
	}
	f->policy.present = true;
	xasprintf(&f->policy.source, "https://%s/.well-known/mta-sts.txt",
	    f->host);
	ev_local(f->log, EV_INFO, CHAN_PLAIN, "mta-sts", "MTA-STS: %s "
	    "publishes a policy (id %s); fetching %s", f->domain,
	    f->policy.id, f->policy.source);
	dns_batch_clear(&f->q);
	f->q.then = sts_addrs_known;
	if (dns_batch_ask(&f->q, f->host, DNS_T_AAAA) == -1 ||
	    dns_batch_ask(&f->q, f->host, DNS_T_A) == -1) {
		dns_batch_clear(&f->q);
		sts_unavailable(f, "cannot resolve %s", f->host);
	}
}

static size_t
sts_write(char *p, size_t size, size_t n, void *arg)
{
	struct sts_fetch	*f = arg;

	/* More than the RFC allows: stop reading (a write error). */
	if (n > (STS_POLICY_MAX - f->body.len) / size) {
		f->too_big = true;
		return 0;
	}
	buf_add(&f->body, p, size * n);
	return size * n;
}

static void
sts_io(int fd, short revents, void *arg)
{
	struct sts_fetch	*f = arg;
	int			 flags = 0, running;

	if (revents & POLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		flags |= CURL_CSELECT_ERR;
	lc.multi_socket_action(f->multi, fd, flags, &running);
	sts_check(f);
}

static int
sts_socket(CURL *e, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct sts_fetch	*f = arg;
	short			 ev = 0;

	(void)e;
	(void)sockp;
	if (what == CURL_POLL_REMOVE) {
		loop_del_fd(f->loop, fd);
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= POLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= POLLOUT;
	loop_add_fd(f->loop, fd, ev, sts_io, f);
	return 0;
}

static void
sts_timeout(void *arg)
{
	struct sts_fetch	*f = arg;
	int			 running;

	lc.multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	sts_check(f);
}

static int
sts_timer(CURLM *m, long ms, void *arg)
{
	struct sts_fetch	*f = arg;

	(void)m;
	if (ms < 0)
		timer_cancel(f->timer);
	else
		timer_set(f->timer, ms);
	return 0;
}

/* Is the media type text/plain, parameters aside (RFC 8461 3.2)? */
static bool
text_plain(const char *ct)
{
	return ct != NULL && strncasecmp(ct, "text/plain", 10) == 0 &&
	    (ct[10] == '\0' || ct[10] == ';' || ct[10] == ' ');
}

static void
sts_fetched(struct sts_fetch *f, CURLcode rc)
{
	struct buf	 b = { 0 };
	char		 err[256];
	char		*ct = NULL, *loc = NULL;
	long		 code = 0;

	lc.easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &code);
	lc.easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct);
	lc.easy_getinfo(f->easy, CURLINFO_REDIRECT_URL, &loc);
	if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		sts_unavailable(f, "%s is larger than %d bytes, the limit of "
		    "RFC 8461 3.3: reading stopped", f->policy.source,
		    STS_POLICY_MAX);
		return;
	}
	if (rc != CURLE_OK) {
		sts_unavailable(f, "fetching %s failed: %s", f->policy.source,
		    f->curl_err[0] != '\0' ? f->curl_err :
		    lc.easy_strerror(rc));
		return;
	}
	if (code >= 300 && code < 400) {
		sts_unavailable(f, "%s answered HTTP %ld, a redirect%s%.200s: "
		    "RFC 8461 3.3 forbids following it", f->policy.source,
		    code, loc != NULL ? " to " : "", loc != NULL ? loc : "");
		return;
	}
	if (code != 200) {
		sts_unavailable(f, "%s answered HTTP %ld; only 200 carries a "
		    "policy (RFC 8461 3.3)", f->policy.source, code);
		return;
	}
	if (!text_plain(ct)) {
		sts_unavailable(f, "%s came as %.100s, not text/plain (RFC "
		    "8461 3.2)", f->policy.source, ct != NULL ? ct :
		    "no media type");
		return;
	}
	if (sts_policy_parse(f->body.p != NULL ? f->body.p : "",
	    f->body.len, &f->policy, err, sizeof err) == -1) {
		sts_unavailable(f, "the policy at %s is malformed: %s",
		    f->policy.source, err);
		return;
	}
	sts_policy_summary(&f->policy, &b);
	ev_local(f->log, EV_INFO, CHAN_PLAIN, "mta-sts-policy", "MTA-STS "
	    "policy of %s (HTTP 200, %zu bytes, valid certificate for %s): "
	    "%s", f->domain, f->body.len, f->host, b.p);
	buf_free(&b);
	sts_done(f);
}

static void
sts_check(struct sts_fetch *f)
{
	CURLMsg		*m;
	CURLcode	 rc = CURLE_OK;
	bool		 done = false;
	int		 left;

	while ((m = lc.multi_info_read(f->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE) {
			rc = m->data.result;
			done = true;
		}
	if (done)
		sts_fetched(f, rc);
}

/* The addresses of mta-sts.DOMAIN as curl takes them: "host:443:a,[b]". */
static bool
sts_resolve_list(struct sts_fetch *f, struct buf *b)
{
	char		 addr[INET6_ADDRSTRLEN];
	size_t		 q, i, n = 0;
	int		 af;

	buf_printf(b, "%s:443:", f->host);
	for (q = 0; q < f->q.nq; q++) {
		if (f->q.res[q]->a.sec == DNS_BOGUS)
			continue;
		for (i = 0; i < f->q.res[q]->n; i++) {
			af = f->q.res[q]->type == DNS_T_A ? AF_INET : AF_INET6;
			if (f->q.res[q]->rdlen[i] != (af == AF_INET ? 4u : 16u) ||
			    inet_ntop(af, f->q.res[q]->rdata[i], addr,
			    sizeof addr) == NULL)
				continue;
			buf_printf(b, af == AF_INET ? "%s%s" : "%s[%s]",
			    n++ > 0 ? "," : "", addr);
		}
	}
	return n > 0;
}

static void
sts_addrs_known(void *arg)
{
	struct sts_fetch	*f = arg;
	struct buf	 b = { 0 };
	const char	*why;
	CURL		*e;

	if (!sts_resolve_list(f, &b)) {
		buf_free(&b);
		dns_batch_clear(&f->q);
		sts_unavailable(f, "%s has no address", f->host);
		return;
	}
	dns_batch_clear(&f->q);
	if ((why = lc_load()) != NULL) {
		buf_free(&b);
		sts_unavailable(f, "cannot load libcurl: %s", why);
		return;
	}
	f->resolve = lc.slist_append(NULL, b.p);
	buf_free(&b);
	f->timer = timer_new(f->loop, sts_timeout, f);
	if ((f->multi = lc.multi_init()) == NULL ||
	    (e = f->easy = lc.easy_init()) == NULL) {
		sts_unavailable(f, "cannot set up the HTTPS client");
		return;
	}
	lc.multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, sts_socket);
	lc.multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	lc.multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, sts_timer);
	lc.multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	lc.easy_setopt(e, CURLOPT_URL, f->policy.source);
	lc.easy_setopt(e, CURLOPT_RESOLVE, f->resolve);
	/* HTTPS only, never a redirect, never a proxy: the policy comes
	 * from mta-sts.DOMAIN itself. */
	lc.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	lc.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	lc.easy_setopt(e, CURLOPT_PROXY, "");
	/* PKIX as the session's own: --cafile, or the system's store. */
	lc.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	lc.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (f->cafile != NULL)
		lc.easy_setopt(e, CURLOPT_CAINFO, f->cafile);
	lc.easy_setopt(e, CURLOPT_MAXFILESIZE, (long)STS_POLICY_MAX);
	lc.easy_setopt(e, CURLOPT_WRITEFUNCTION, sts_write);
	lc.easy_setopt(e, CURLOPT_WRITEDATA, f);
	lc.easy_setopt(e, CURLOPT_ERRORBUFFER, f->curl_err);
	lc.easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)f->timeout_ms);
	lc.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(e, CURLOPT_USERAGENT, "mailscope/"
	    MAILSCOPE_VERSION);
	if (lc.multi_add_handle(f->multi, e) != CURLM_OK)
		sts_unavailable(f, "cannot start the HTTPS fetch");
}

void
sts_fetch_free(struct sts_fetch *f)
{
	if (f == NULL)
		return;
	dns_batch_clear(&f->q);
	if (f->easy != NULL) {
		lc.multi_remove_handle(f->multi, f->easy);
		lc.easy_cleanup(f->easy);
	}
	if (f->multi != NULL)
		lc.multi_cleanup(f->multi);
	if (f->resolve != NULL)
		lc.slist_free_all(f->resolve);
	timer_free(f->timer);
	buf_free(&f->body);
	sts_policy_clear(&f->policy);
	free(f->domain);
	free(f->host);
	free(f);
}
