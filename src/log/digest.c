/* SPDX-License-Identifier: ISC */
/*
 * The digest: the events of a session folded into the one summary every
 * view reads (status bar, TLS panel, replay, batch, probe, exports).  A
 * fact shown in two places is read from here in both, so the screen live,
 * the screen in replay and an export cannot disagree.  It keeps copies,
 * never pointers into the log: a streaming log frees its events.
 */
#include <stdlib.h>
#include <string.h>

#include "log/log.h"

static const char *channel_names[] = {
	"START", "CONNECTING", "PLAIN", "HANDSHAKE", "TLS", "CLOSED",
};

/* The session's states (EV_STATE) as the channel a person reads. */
static const struct {
	const char	*state;
	enum dg_channel	 channel;
} states[] = {
	{ "DISCONNECTED",	DG_START },
	{ "CONNECTING",		DG_CONNECTING },
	{ "TLS-CONNECT",	DG_HANDSHAKE },
	{ "PLAIN",		DG_PLAIN },
	{ "STARTTLS-WAIT",	DG_PLAIN },
	{ "HANDSHAKE",		DG_HANDSHAKE },
	{ "TLS",		DG_TLS },
	{ "CLOSING",		DG_CLOSED },
	{ "CLOSED",		DG_CLOSED },
};

const char *
digest_channel_name(enum dg_channel c)
{
	return (unsigned)c <= DG_CLOSED ? channel_names[c] : "?";
}

void
digest_init(struct digest *d)
{
	memset(d, 0, sizeof *d);
	d->verified = -1;
}

/* What one connection taught; the count of events stays. */
static void
forget(struct digest *d)
{
	/* Kept for a comparison with the next connection's. */
	if (d->tls != NULL) {
		tls_facts_free(d->prev_tls);
		d->prev_tls = d->tls;
	}
	d->tls = NULL;
	free(d->tls_summary);
	free(d->failure);
	free(d->capdiff_note);
	free(d->capdiff_text);
	free(d->close_reason);
	free(d->greeting);
	d->tls_summary = d->failure = d->capdiff_note = d->close_reason = NULL;
	d->capdiff_text = d->greeting = NULL;
	strv_clear(&d->added);
	strv_clear(&d->removed);
	strv_clear(&d->warnings);
	strv_clear(&d->codes);
	strv_clear(&d->caps);
	d->caps_known = false;
	d->capdiff = false;
	d->closed = false;
	d->verified = -1;
	d->phase = DG_TLS_NONE;
	d->verify_t_ns = 0;
	d->bytes_in = d->bytes_out = 0;
}

void
digest_free(struct digest *d)
{
	forget(d);
	tls_facts_free(d->prev_tls);
	free(d->mx);
	digest_init(d);
}

static void
set_text(char **dst, const struct event *ev)
{
	free(*dst);
	*dst = xstrndup(ev->data, ev->len);
}

static void
set_facts(struct digest *d, const struct event *ev)
{
	const struct ev_extra	*x = ev_extra(ev);

	if (x == NULL || x->tls == NULL)
		return;
	tls_facts_free(d->tls);
	d->tls = tls_facts_dup(x->tls);
	/* Facts with no verification are facts of an unverified peer. */
	d->verified = d->tls->verify.checked && d->tls->verified ? 1 : 0;
}

static void
state(struct digest *d, const struct event *ev)
{
	size_t	i;

	for (i = 0; i < sizeof states / sizeof states[0]; i++) {
		if (strlen(states[i].state) != ev->len ||
		    memcmp(states[i].state, ev->data, ev->len) != 0)
			continue;
		/* A new connection: what the last one learnt is gone. */
		if (states[i].channel == DG_CONNECTING ||
		    (states[i].channel == DG_HANDSHAKE &&
		    d->channel == DG_CONNECTING))
			forget(d);
		d->channel = states[i].channel;
		d->states = true;
		return;
	}
}

void
digest_event(const struct event *ev, void *arg)
{
	struct digest		*d = arg;
	const struct ev_extra	*x = ev_extra(ev);

	d->events++;
	switch (ev->kind) {
	case EV_STATE:
		state(d, ev);
		break;
	case EV_CONNECT:
		/* Recordings without states: the connection begins here. */
		if (!d->states) {
			forget(d);
			d->channel = ev->chan == CHAN_TLS ? DG_HANDSHAKE :
			    DG_PLAIN;
		}
		d->phase = ev->chan == CHAN_TLS ? DG_TLS_HANDSHAKE :
		    DG_TLS_PLAIN;
		break;
	case EV_DATA:
		if (ev->dir == DIR_SERVER && d->greeting == NULL) {
			d->greeting = xmalloc(ev->len + 1);
			memcpy(d->greeting, ev->data, ev->len);
			d->greeting[ev->len] = '\0';
			d->greeting_len = ev->len;
		}
		if (ev->dir == DIR_SERVER)
			d->bytes_in += ev_wire_len(ev);
		else if (ev->dir == DIR_CLIENT)
			d->bytes_out += ev_wire_len(ev);
		break;
	case EV_TLS_STEP:
		/* TLS 1.3 tickets come after the handshake, inside TLS. */
		if (d->phase != DG_TLS_UP && d->phase != DG_TLS_HANDSHAKE) {
			d->phase = DG_TLS_HANDSHAKE;
			free(d->failure);
			d->failure = NULL;
		}
		if (!d->states && d->channel != DG_TLS)
			d->channel = DG_HANDSHAKE;
		break;
	case EV_TLS_ESTABLISHED:
		/* Up now: the session's state follows after the verdict. */
		d->phase = DG_TLS_UP;
		d->channel = DG_TLS;
		set_text(&d->tls_summary, ev);
		set_facts(d, ev);
		/* What plaintext listed is forgotten inside TLS. */
		strv_clear(&d->caps);
		d->caps_known = false;
		break;
	case EV_VERIFY:
		set_facts(d, ev);
		d->verify_t_ns = ev->t_ns;
		break;
	case EV_CAPS:
		strv_clear(&d->caps);
		if (x != NULL)
			strv_copy(&d->caps, &x->caps);
		d->caps_known = true;
		d->caps_chan = ev->chan;
		d->caps_bits = ev->cls.bits;
		break;
	case EV_CAPDIFF:
		d->capdiff = true;
		free(d->capdiff_note);
		d->capdiff_note = NULL;
		strv_clear(&d->added);
		strv_clear(&d->removed);
		if (x != NULL) {
			strv_copy(&d->added, &x->added);
			strv_copy(&d->removed, &x->removed);
		}
		set_text(&d->capdiff_text, ev);
		break;
	case EV_DNS:
		if (x != NULL && x->dns != NULL && x->dns->type != NULL &&
		    strcmp(x->dns->type, "MX") == 0)
			d->mx_secure = x->dns->sec == DNS_SECURE;
		break;
	case EV_INFO:
		/* The domain's mail hosts, before any connection. */
		if (ev_code_is(ev, "mx") && d->mx == NULL)
			set_text(&d->mx, ev);
		/* The session's word on why there is no difference. */
		if (ev_code_is(ev, "capdiff-unknown")) {
			d->capdiff = true;
			strv_clear(&d->added);
			strv_clear(&d->removed);
			free(d->capdiff_text);
			d->capdiff_text = NULL;
			set_text(&d->capdiff_note, ev);
		}
		break;
	case EV_WARNING:
		strv_addn(&d->warnings, ev->data, ev->len);
		if (x != NULL && x->code != NULL)
			strv_add(&d->codes, x->code);
		break;
	case EV_ERROR:
		if (x != NULL && x->code != NULL)
			strv_add(&d->codes, x->code);
		break;
	case EV_CLOSE:
		if (d->phase == DG_TLS_HANDSHAKE) {
			d->phase = DG_TLS_FAILED;
			d->verified = 0;
			set_text(&d->failure, ev);
		}
		if (!d->states)
			d->channel = DG_CLOSED;
		d->closed = true;
		set_text(&d->close_reason, ev);
		break;
	default:
		break;
	}
}

/* The summary of a whole log, as a view of a recording wants it. */
void
digest_log(struct digest *d, const struct evlog *log)
{
	size_t	i;

	digest_init(d);
	for (i = 0; i < evlog_count(log); i++)
		digest_event(evlog_at(log, i), d);
}

