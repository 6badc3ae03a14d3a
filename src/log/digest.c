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
	"START", "CONNECTING", "PLAIN", "HANDSHAKE", "TLS", "TLS FAILED",
	"CLOSED",
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

void
digest_free(struct digest *d)
{
	tls_facts_free(d->tls);
	free(d->tls_summary);
	free(d->failure);
	free(d->capdiff_note);
	strv_clear(&d->added);
	strv_clear(&d->removed);
	strv_clear(&d->warnings);
	free(d->close_reason);
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
	if (d->tls->verify.checked)
		d->verified = d->tls->verify.ok ? 1 : 0;
}

void
digest_event(const struct event *ev, void *arg)
{
	struct digest		*d = arg;
	const struct ev_extra	*x = ev_extra(ev);

	d->events++;
	switch (ev->kind) {
	case EV_CONNECT:
		/* A new connection: what the last one learnt is gone. */
		digest_free(d);
		d->events = 1;
		d->channel = ev->chan == CHAN_TLS ? DG_HANDSHAKE : DG_PLAIN;
		break;
	case EV_TLS_STEP:
		/* TLS 1.3 tickets come after the handshake, inside TLS. */
		if (d->channel != DG_TLS && d->channel != DG_HANDSHAKE) {
			d->channel = DG_HANDSHAKE;
			free(d->failure);
			d->failure = NULL;
		}
		break;
	case EV_TLS_ESTABLISHED:
		d->channel = DG_TLS;
		d->tls_seen = true;
		set_text(&d->tls_summary, ev);
		set_facts(d, ev);
		break;
	case EV_VERIFY:
		set_facts(d, ev);
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
		break;
	case EV_INFO:
		/* The session's word on why there is no difference. */
		if (x != NULL && x->code != NULL &&
		    strcmp(x->code, "capdiff-unknown") == 0) {
			d->capdiff = true;
			strv_clear(&d->added);
			strv_clear(&d->removed);
			set_text(&d->capdiff_note, ev);
		}
		break;
	case EV_WARNING:
		strv_addn(&d->warnings, ev->data, ev->len);
		break;
	case EV_CLOSE:
		if (d->channel == DG_HANDSHAKE) {
			d->channel = DG_FAILED;
			d->verified = 0;
			set_text(&d->failure, ev);
		} else
			d->channel = DG_CLOSED;
		d->closed = true;
		set_text(&d->close_reason, ev);
		break;
	default:
		break;
	}
}
