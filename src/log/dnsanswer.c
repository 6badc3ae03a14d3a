/* SPDX-License-Identifier: ISC */
/*
 * A DNS answer as the log keeps it (EV_DNS): what was asked, what came
 * back, and what DNSSEC validation made of it.  One wording of it for
 * every view: dns_answer_summary() is the event's text.
 */
#include <stdlib.h>
#include <string.h>

#include "log/log.h"

static const char *sec_names[DNS_SEC_MAX] = {
	"insecure", "secure", "bogus",
};

const char *
dns_sec_name(enum dns_sec s)
{
	return (unsigned)s < DNS_SEC_MAX ? sec_names[s] : "unknown";
}

int
dns_sec_from_name(const char *name)
{
	int	i;

	for (i = 0; i < DNS_SEC_MAX; i++)
		if (strcmp(sec_names[i], name) == 0)
			return i;
	return -1;
}

struct dns_answer *
dns_answer_dup(const struct dns_answer *a)
{
	struct dns_answer	*b;

	if (a == NULL)
		return NULL;
	b = xcalloc(1, sizeof *b);
	b->name = xstrdup_or_null(a->name);
	b->type = xstrdup_or_null(a->type);
	b->rcode = xstrdup_or_null(a->rcode);
	b->sec = a->sec;
	b->why_bogus = xstrdup_or_null(a->why_bogus);
	b->error = xstrdup_or_null(a->error);
	b->resolver = xstrdup_or_null(a->resolver);
	b->canon = xstrdup_or_null(a->canon);
	b->ttl = a->ttl;
	strv_copy(&b->records, &a->records);
	return b;
}

void
dns_answer_clear(struct dns_answer *a)
{
	free(a->name);
	free(a->type);
	free(a->rcode);
	free(a->why_bogus);
	free(a->error);
	free(a->resolver);
	free(a->canon);
	strv_clear(&a->records);
	memset(a, 0, sizeof *a);
}

void
dns_answer_free(struct dns_answer *a)
{
	if (a == NULL)
		return;
	dns_answer_clear(a);
	free(a);
}

bool
ev_dns_bogus(const struct event *ev)
{
	const struct ev_extra	*x = ev_extra(ev);

	return ev->kind == EV_DNS && x != NULL && x->dns != NULL &&
	    x->dns->sec == DNS_BOGUS;
}

/* "MX example.org (secure): 10 mx1.example.org., 20 mx2.example.org." */
void
dns_answer_summary(const struct dns_answer *a, struct buf *b)
{
	size_t	i;

	buf_printf(b, "DNS %s %s", a->type != NULL ? a->type : "?",
	    a->name != NULL ? a->name : "?");
	if (a->error != NULL) {
		buf_printf(b, ": no answer: %s", a->error);
		return;
	}
	buf_printf(b, " (%s", dns_sec_name(a->sec));
	if (a->sec == DNS_BOGUS && a->why_bogus != NULL)
		buf_printf(b, ": %s", a->why_bogus);
	buf_adds(b, "): ");
	if (a->canon != NULL)
		buf_printf(b, "alias of %s, ", a->canon);
	if (a->rcode != NULL && strcmp(a->rcode, "NOERROR") != 0)
		buf_adds(b, a->rcode);
	else if (a->records.n == 0)
		buf_adds(b, "no records");
	for (i = 0; i < a->records.n; i++)
		buf_printf(b, "%s%s", i ? ", " : "", a->records.v[i]);
}
