/* SPDX-License-Identifier: ISC */
/*
 * The model the panes read: the session summary is the digest (the
 * events folded once, in src/log/digest.c, the same way live and in
 * replay); the handshake's steps are kept for the TLS panel's timeline;
 * and what only the session knows (DATA mode, sizes) is read here once
 * per redraw.  No pane asks the session or another pane.
 */
#include <stdlib.h>
#include <string.h>

#include "tui.h"

/* A new connection, or a replay started over. */
void
model_reset(struct tui_model *m)
{
	digest_free(&m->dg);
	m->nsteps = 0;
	m->hs_start = 0;
}

void
model_free(struct tui_model *m)
{
	digest_free(&m->dg);
	free(m->steps);
	m->steps = NULL;
	m->nsteps = m->stepcap = 0;
}

void
model_event(struct tui_model *m, const struct event *ev)
{
	enum dg_phase	before = m->dg.phase;

	digest_event(ev, &m->dg);
	/* A new connection: the last one's handshake is not this one's. */
	if (ev->kind == EV_CONNECT) {
		m->nsteps = 0;
		m->hs_start = 0;
	}
	if (ev->kind != EV_TLS_STEP)
		return;
	/* A new handshake starts a new timeline; tickets join the last. */
	if (before != DG_TLS_HANDSHAKE && before != DG_TLS_UP) {
		m->nsteps = 0;
		m->hs_start = ev->t_ns;
	}
	if (m->nsteps == m->stepcap) {
		m->stepcap = m->stepcap ? m->stepcap * 2 : 16;
		m->steps = xreallocarray(m->steps, m->stepcap,
		    sizeof *m->steps);
	}
	m->steps[m->nsteps++] = ev;
}

/* The channel as the status bar says it, from the digest alone. */
static void
channel(struct tui *t)
{
	struct tui_model	*m = &t->m;

	m->channel = digest_channel_name(m->dg.channel);
	switch (m->dg.channel) {
	case DG_START:
		m->channel_slot = SLOT_STATUS;
		break;
	case DG_TLS:
		m->channel_slot = SLOT_STATUS_TLS;
		break;
	case DG_CLOSED:
		/* Red unless the live session ended as it should. */
		m->channel_slot = t->session != NULL &&
		    session_exit_code(t->session) == EXIT_OK ? SLOT_STATUS :
		    t->session != NULL ? SLOT_STATUS_BAD : SLOT_STATUS;
		break;
	default:
		m->channel_slot = SLOT_STATUS_PLAIN;
		break;
	}
}

/* What only the session knows, read before each redraw. */
void
model_sync(struct tui *t)
{
	struct tui_model	*m = &t->m;
	const char		*p;

	m->data_mode = session_data_mode(t->session);
	m->continuation = session_wants_continuation(t->session);
	m->pending = session_pending(t->session);
	m->expected = session_expected_size(t->session);
	m->received = session_received_size(t->session);
	/* A line still arriving (the slow lab): shown until it ends. */
	if ((m->partial_len = session_partial(t->session, &p)) > 0) {
		memcpy(m->partial, p, m->partial_len < sizeof m->partial ?
		    m->partial_len : sizeof m->partial);
		m->partial_tls = session_chan(t->session) == CHAN_TLS;
	}
	channel(t);
	if (t->sbs != NULL)
		sidebyside_status(t, m->replay_status,
		    sizeof m->replay_status);
	else if (t->replay != NULL)
		replay_status(t, m->replay_status, sizeof m->replay_status);
	if (t->replay != NULL && !replay_damage(t, m->replay_damage,
	    sizeof m->replay_damage))
		m->replay_damage[0] = '\0';
}
