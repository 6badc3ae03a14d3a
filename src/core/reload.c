/*
 * Loading a recording for a view (export, replay, the screen).  Format 2
 * carries each event's classification; format 1 holds only the bytes, so
 * its lines are run back through a fresh engine, as the session ran them:
 * server lines fed to it, client lines through pp_command().  Every
 * loader caller goes through here, so a view never sees the difference.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* An event kept back until the engine has classified it. */
struct held {
	struct event	 ev;
	struct ev_extra	*x;
	struct buf	 data;
	bool		 ready;
};

struct reload {
	struct evlog		*log;
	const struct recording_info *info;
	struct pp		*pp;
	bool			 tried;		/* the target was looked at */
	bool			 implicit_tls;
	struct held		*q;
	size_t			 nq, cap;
	size_t			 next;		/* the oldest not classified */
};

static void
flush(struct reload *r, bool all)
{
	struct held	*h;
	size_t		 i;

	for (i = 0; i < r->nq && (all || r->q[i].ready); i++) {
		h = &r->q[i];
		evlog_append_x(r->log, &h->ev, h->x, h->data.p != NULL ?
		    h->data.p : "", h->data.len);
		buf_free(&h->data);
	}
	memmove(r->q, r->q + i, (r->nq - i) * sizeof *r->q);
	r->nq -= i;
	r->next = r->next > i ? r->next - i : 0;
}

static struct held *
hold(struct reload *r, const struct event *ev, struct ev_extra *x,
    const void *data, size_t len, bool ready)
{
	struct held	*h;

	if (r->nq == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->q = xreallocarray(r->q, r->cap, sizeof *r->q);
	}
	h = &r->q[r->nq++];
	memset(h, 0, sizeof *h);
	h->ev = *ev;
	h->x = x;
	buf_add(&h->data, data, len);
	h->ready = ready;
	return h;
}

/* The engine's word on the oldest server line still waiting for it. */
static void
reload_line(const struct pp_line *l, void *arg)
{
	struct reload	*r = arg;
	struct buf	 rest = { 0 };
	struct held	*h;

	/* What followed a go-ahead was logged as injected, not fed. */
	if (l->starttls_ok)
		pp_take_buffered(r->pp, &rest);
	buf_free(&rest);
	while (r->next < r->nq && r->q[r->next].ready)
		r->next++;
	if (r->next == r->nq)
		return;
	h = &r->q[r->next++];
	pp_class(l, &h->ev.cls, &h->x);
	h->ready = true;
}

/* The bytes of a server event as they came off the wire. */
static void
feed(struct reload *r, const struct event *ev, const char *data, size_t len)
{
	uint32_t	f = ev->flags;

	if (ev_is_chunk(ev)) {
		pp_feed(r->pp, data, len);
		return;
	}
	if (f & EVF_DOTSTUFF)
		pp_feed(r->pp, ".", 1);
	pp_feed(r->pp, data, len);
	if (f & (EVF_SPLIT | EVF_NOEOL)) {
		if (f & EVF_NOEOL)
			pp_eof(r->pp);
		return;
	}
	pp_feed(r->pp, (f & EVF_BARE_LF) ? "\n" : "\r\n",
	    (f & EVF_BARE_LF) ? 1 : 2);
}

static void
reload_event(void *arg, const struct event *ev0, struct ev_extra *x,
    const void *data, size_t len)
{
	struct reload	*r = arg;
	struct event	 ev = *ev0;
	struct target	 t;
	struct buf	 wire = { 0 };
	char		 err[128];

	if (!r->tried) {
		r->tried = true;
		if (r->info->target != NULL &&
		    target_parse(r->info->target, &t, err, sizeof err) == 0) {
			r->pp = pp_new(t.proto, reload_line, r);
			r->implicit_tls = t.implicit_tls;
			target_free(&t);
		}
	}
	if (r->pp == NULL || ev.kind != EV_DATA ||
	    (ev.flags & EVF_INJECTED)) {
		if (r->pp != NULL && ev.kind == EV_CONNECT && !r->implicit_tls)
			pp_expect_greeting(r->pp);
		if (r->pp != NULL && ev.kind == EV_TLS_ESTABLISHED &&
		    r->implicit_tls)
			pp_expect_greeting(r->pp);
		hold(r, &ev, x, data, len, true);
		flush(r, false);
		return;
	}
	if (ev.dir == DIR_CLIENT) {
		/* A line with CR or LF went raw, past the engine. */
		if (pp_command(r->pp, data, len, &wire, &ev.cls, &x) == -1)
			memset(&ev.cls, 0, sizeof ev.cls);
		if (ev.flags & (EVF_REDACTED | EVF_NOREDACT))
			ev.cls.bits |= EVC_SECRET;
		buf_free(&wire);
		hold(r, &ev, x, data, len, true);
		flush(r, false);
		return;
	}
	hold(r, &ev, x, data, len, false);
	feed(r, &ev, data, len);
	flush(r, false);
}

static void
reload_end(void *arg)
{
	struct reload	*r = arg;

	if (r->pp != NULL)
		pp_eof(r->pp);
	flush(r, true);
}

/*
 * recording_load() for views: the nth recording of the file into log,
 * every event with its classification, whatever the format.
 */
int
recording_load_classified(const char *path, unsigned nth, struct evlog *log,
    struct recording_info *info, char *err, size_t errlen)
{
	struct reload	 r;
	struct rec_sink	 sink = { reload_event, reload_end, &r };
	int		 n;

	memset(&r, 0, sizeof r);
	r.log = log;
	r.info = info;
	n = recording_load_sink(path, nth, log, &sink, info, err, errlen);
	flush(&r, true);
	free(r.q);
	pp_free(r.pp);
	return n;
}
