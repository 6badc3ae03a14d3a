/* SPDX-License-Identifier: ISC */
/*
 * Loading a recording for a view (export, replay, the screen).  Format 2
 * carries each event's classification; format 1 holds only the bytes, so
 * its lines are run back through a fresh engine, as the session ran them:
 * server lines fed to it, client lines through pp_command(), and each
 * capability list the engine completes logged as the session logs it.
 * Every loader caller goes through here, so a view never sees the
 * difference.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/*
 * An event kept back until the engine has classified it.  The engine
 * cuts a long line when the bytes after the cut arrive, so a server line
 * may be classified only by the next server event's feed: what the
 * session did in between (a command sent, a greeting awaited) waits in
 * order and runs as soon as every server line before it is classified,
 * from inside the engine's callback if need be, as it ran live.
 */
enum held_what {
	HELD_READY,		/* nothing to do */
	HELD_SERVER,		/* awaits its line from the engine */
	HELD_ACTION,		/* the session's step, not run yet */
};

struct held {
	struct event	 ev;
	struct ev_extra	*x;
	struct buf	 data;
	enum held_what	 what;
};

struct reload {
	struct evlog		*log;
	const struct recording_info *info;
	struct pp		*pp;
	bool			 tried;		/* the target was looked at */
	bool			 implicit_tls;
	struct held		*q;
	size_t			 nq, cap;
	size_t			 next;		/* the oldest not done */
};

static void
flush(struct reload *r, bool all)
{
	struct held	*h;
	size_t		 i;

	for (i = 0; i < r->nq && (all || r->q[i].what == HELD_READY); i++) {
		h = &r->q[i];
		evlog_append_x(r->log, &h->ev, h->x, h->data.p != NULL ?
		    h->data.p : "", h->data.len);
		buf_free(&h->data);
	}
	if (i == 0)
		return;
	memmove(r->q, r->q + i, (r->nq - i) * sizeof *r->q);
	r->nq -= i;
	r->next = r->next > i ? r->next - i : 0;
}

/* Hold an event at place at of the queue. */
static void
hold_at(struct reload *r, size_t at, const struct event *ev,
    struct ev_extra *x, const void *data, size_t len, enum held_what what)
{
	struct held	*h;

	if (r->nq == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->q = xreallocarray(r->q, r->cap, sizeof *r->q);
	}
	memmove(r->q + at + 1, r->q + at, (r->nq - at) * sizeof *r->q);
	r->nq++;
	h = &r->q[at];
	memset(h, 0, sizeof *h);
	h->ev = *ev;
	h->x = x;
	buf_add(&h->data, data, len);
	h->what = what;
}

static void
hold(struct reload *r, const struct event *ev, struct ev_extra *x,
    const void *data, size_t len, enum held_what what)
{
	hold_at(r, r->nq, ev, x, data, len, what);
}

/* What the session did to the engine for this event. */
static void
act(struct reload *r, struct held *h)
{
	struct event	*ev = &h->ev;
	struct buf	 wire = { 0 };
	const char	*p = h->data.p != NULL ? h->data.p : "";

	h->what = HELD_READY;
	if (ev->kind == EV_CONNECT && !r->implicit_tls)
		pp_expect_greeting(r->pp);
	if (ev->kind == EV_TLS_ESTABLISHED && r->implicit_tls)
		pp_expect_greeting(r->pp);
	if (ev->kind != EV_DATA || ev->dir != DIR_CLIENT)
		return;
	/*
	 * A line redacted whole was a secret: the engine reads a word it
	 * takes for no verb and the class keeps no tag, as the session's
	 * did (the secret's own words are gone; an answer to a continuation
	 * is one whatever its words).  A line with CR or LF went raw, past
	 * the engine.
	 */
	if ((ev->flags & EVF_REDACTED) && h->data.len > 0 && p[0] == '[') {
		pp_command(r->pp, "*", 1, &wire, &ev->cls);
		ev->cls.tag = 0;
	} else if (pp_command(r->pp, p, h->data.len, &wire, &ev->cls) == -1)
		memset(&ev->cls, 0, sizeof ev->cls);
	if (ev->flags & (EVF_REDACTED | EVF_NOREDACT))
		ev->cls.bits |= EVC_SECRET;
	buf_free(&wire);
}

/* Run the steps now due: up to the first line the engine still owes. */
static void
advance(struct reload *r)
{
	for (; r->next < r->nq; r->next++) {
		if (r->q[r->next].what == HELD_SERVER)
			return;
		if (r->q[r->next].what == HELD_ACTION)
			act(r, &r->q[r->next]);
	}
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
	advance(r);
	if (r->next == r->nq)
		return;
	h = &r->q[r->next++];
	pp_class(l, &h->ev.cls);
	h->what = HELD_READY;
	if (l->caps) {
		struct event	 ev;
		struct ev_extra	*x;
		struct buf	 b = { 0 };

		pp_caps_event(r->pp, l, h->ev.chan, &ev, &x, &b);
		ev.t_ns = h->ev.t_ns;
		hold_at(r, r->next++, &ev, x, b.p != NULL ? b.p : "", b.len,
		    HELD_READY);
		buf_free(&b);
	}
	advance(r);
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
	if (f & EVF_NOEOL)
		pp_eof(r->pp);
	if (f & (EVF_SPLIT | EVF_NOEOL))
		return;
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
	if (r->pp == NULL) {
		hold(r, &ev, x, data, len, HELD_READY);
	} else if (ev.kind == EV_CAPS) {
		/* The engine's lists replace any the source had. */
		ev_extra_free(x);
	} else if (ev.kind == EV_DATA && ev.dir == DIR_SERVER &&
	    !(ev.flags & EVF_INJECTED)) {
		memset(&ev.cls, 0, sizeof ev.cls);
		hold(r, &ev, x, data, len, HELD_SERVER);
		advance(r);
		feed(r, &ev, data, len);
	} else {
		hold(r, &ev, x, data, len, (ev.flags & EVF_INJECTED) ?
		    HELD_READY : HELD_ACTION);
		advance(r);
	}
	flush(r, false);
}

static void
reload_end(void *arg)
{
	struct reload	*r = arg;

	if (r->pp != NULL)
		pp_eof(r->pp);
	advance(r);
	flush(r, true);
}

/*
 * The events of src into dst with every data event's classification
 * rebuilt by a fresh engine for target, as a format-1 recording loads.
 */
void
evlog_reclassify(const struct evlog *src, const char *target,
    struct evlog *dst)
{
	struct recording_info	 info = { 0 };
	struct reload		 r;
	const struct event	*ev;
	struct event		 e;
	struct ev_extra		*x;
	size_t			 i;

	memset(&r, 0, sizeof r);
	r.log = dst;
	r.info = &info;
	info.target = xstrdup(target);
	for (i = 0; (ev = evlog_get(src, i)) != NULL; i++) {
		e = *ev;
		memset(&e.cls, 0, sizeof e.cls);
		x = ev_extra_dup(ev_extra(ev));
		reload_event(&r, &e, x, ev->data, ev->len);
	}
	reload_end(&r);
	free(r.q);
	pp_free(r.pp);
	recording_info_free(&info);
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
