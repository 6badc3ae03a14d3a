/*
 * The model the panes read: the session summary the TLS panel and the
 * status bar show, folded from the events, and what only the session
 * knows (state, DATA mode, sizes, capabilities), read here once per
 * redraw.  This is the one place the TUI asks the engine; no pane does.
 */
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static void
push(const struct event ***v, size_t *n, size_t *cap, const struct event *ev)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = ev;
}

/* A new connection, or a replay started over. */
void
model_reset(struct tui_model *m)
{
	m->phase = TP_NONE;
	m->nsteps = 0;
	m->est = m->ver = m->capdiff = m->caps = m->failure = NULL;
	m->nwarn = 0;
	m->facts = NULL;
	m->verdict = -1;
}

void
model_free(struct tui_model *m)
{
	free(m->steps);
	free(m->warn);
	m->steps = m->warn = NULL;
	m->nsteps = m->stepcap = m->nwarn = m->warncap = 0;
}

static void
facts_verdict(struct tui_model *m)
{
	const struct tls_facts	*f = NULL;

	if (m->ver != NULL && ev_extra(m->ver) != NULL &&
	    ev_extra(m->ver)->tls != NULL)
		f = ev_extra(m->ver)->tls;
	else if (m->est != NULL && ev_extra(m->est) != NULL)
		f = ev_extra(m->est)->tls;
	m->facts = f;
	if (m->phase == TP_FAILED)
		m->verdict = 0;
	else if (f == NULL || !f->verify.checked)
		m->verdict = f == NULL ? -1 : 0;
	else
		m->verdict = f->verify.ok ? 1 : 0;
}

void
model_event(struct tui_model *m, const struct event *ev)
{
	switch (ev->kind) {
	case EV_CONNECT:
		model_reset(m);
		m->phase = TP_PLAIN;
		m->rchan = RC_PLAIN;
		break;
	case EV_TLS_STEP:
		/* A NewSessionTicket after the handshake is inside TLS. */
		if (m->rchan != RC_TLS)
			m->rchan = RC_HANDSHAKE;
		/* TLS 1.3 tickets come after the handshake: keep them. */
		if (m->phase != TP_HANDSHAKE && m->phase != TP_TLS) {
			m->nsteps = 0;
			m->hs_start = ev->t_ns;
			m->failure = NULL;
			m->phase = TP_HANDSHAKE;
		}
		push(&m->steps, &m->nsteps, &m->stepcap, ev);
		break;
	case EV_CAPS:
		m->caps = ev;
		break;
	case EV_TLS_ESTABLISHED:
		/* The session forgot what plaintext listed. */
		m->caps = NULL;
		m->est = ev;
		m->phase = TP_TLS;
		m->rchan = RC_TLS;
		break;
	case EV_VERIFY:
		m->ver = ev;
		break;
	case EV_CAPDIFF:
		m->capdiff = ev;
		break;
	case EV_INFO:
		/* The session's word on why there is no difference. */
		if (ev_extra(ev) != NULL && ev_extra(ev)->code != NULL &&
		    strcmp(ev_extra(ev)->code, "capdiff-unknown") == 0)
			m->capdiff = ev;
		break;
	case EV_WARNING:
		push(&m->warn, &m->nwarn, &m->warncap, ev);
		break;
	case EV_CLOSE:
		m->rchan = RC_CLOSED;
		if (m->phase == TP_HANDSHAKE) {
			m->failure = ev;
			m->phase = TP_FAILED;
		}
		break;
	case EV_DATA:
		if (ev->dir == DIR_SERVER)
			m->bytes_in += ev->len;
		else
			m->bytes_out += ev->len;
		break;
	default:
		break;
	}
	facts_verdict(m);
}

/* The channel as a person reads it: PLAIN, HANDSHAKE, TLS, CLOSED. */
static const char *
live_channel(enum session_state st, enum slot *s)
{
	switch (st) {
	case STATE_DISCONNECTED:
	case STATE_CONNECTING:
		*s = SLOT_STATUS_PLAIN;
		return "CONNECTING";
	case STATE_PLAIN:
	case STATE_STARTTLS_WAIT:
		*s = SLOT_STATUS_PLAIN;
		return "PLAIN";
	case STATE_TLS_CONNECT:
	case STATE_HANDSHAKE:
		*s = SLOT_STATUS_PLAIN;
		return "HANDSHAKE";
	case STATE_TLS:
		*s = SLOT_STATUS_TLS;
		return "TLS";
	default:
		*s = SLOT_STATUS_BAD;
		return "CLOSED";
	}
}

/* A replay's channel, from the events shown so far. */
static const char *
replay_channel(const struct tui_model *m, enum slot *s)
{
	switch (m->rchan) {
	case RC_NONE:
		*s = SLOT_STATUS;
		return "START";
	case RC_PLAIN:
		*s = SLOT_STATUS_PLAIN;
		return "PLAIN";
	case RC_HANDSHAKE:
		*s = SLOT_STATUS_PLAIN;
		return "HANDSHAKE";
	case RC_TLS:
		*s = SLOT_STATUS_TLS;
		return "TLS";
	default:
		*s = SLOT_STATUS;
		return "CLOSED";
	}
}

/* What only the session knows, read before each redraw. */
void
model_sync(struct tui *t)
{
	struct tui_model	*m = &t->m;
	struct pp		*pp = t->session != NULL ?
	    session_pp(t->session) : NULL;
	enum session_state	 st;

	m->data_mode = pp != NULL && pp_data_mode(pp);
	m->continuation = pp != NULL && pp_wants_continuation(pp);
	m->pending = pp != NULL ? pp_pending(pp) : 0;
	m->expected = pp != NULL ? pp_expected_size(pp) : -1;
	m->received = pp != NULL ? pp_received_size(pp) : 0;
	if (t->replay != NULL) {
		m->channel = replay_channel(m, &m->channel_slot);
		replay_status(t, m->replay_status, sizeof m->replay_status);
		if (!replay_damage(t, m->replay_damage,
		    sizeof m->replay_damage))
			m->replay_damage[0] = '\0';
		return;
	}
	st = t->session != NULL ? session_state(t->session) :
	    STATE_DISCONNECTED;
	m->channel = live_channel(st, &m->channel_slot);
	if (st == STATE_CLOSED && session_exit_code(t->session) == EXIT_OK)
		m->channel_slot = SLOT_STATUS;
	if (t->session != NULL) {
		m->bytes_in = session_bytes_in(t->session);
		m->bytes_out = session_bytes_out(t->session);
	}
}
