/* SPDX-License-Identifier: ISC */
/*
 * The compact TLS summary: one or two rows above the status bar whenever
 * the full TLS panel is not on screen (a projector's 100x30 or 80x24),
 * so the channel, the version, the cipher and the verdict stay in view.
 * It reads the digest in the model and nothing else; F8 trades it for
 * the full panel.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static WINDOW		*swin;
static struct rtext	 sum;

static void
sum_layout(struct tui *t)
{
	if (swin != NULL)
		delwin(swin);
	swin = t->sum_h > 0 ? newwin(t->sum_h, t->cols, t->sum_y, 0) : NULL;
}

static void
sum_done(struct tui *t)
{
	(void)t;
	if (swin != NULL)
		delwin(swin);
	swin = NULL;
	rtext_free(&sum);
}

/* What the connection's TLS is, in the words of the full panel. */
static void
build(struct tui *t, struct rtext *r)
{
	const struct digest	*d = &t->m.dg;
	const struct tls_facts	*f = d->tls;
	const char		*tick = t->utf8 ? "\xe2\x9c\x94 " : "OK ";
	const char		*cross = t->utf8 ? "\xe2\x9c\x98 " : "X ";
	const char		*arrow = t->utf8 ? " \xe2\x86\x92 " : " -> ";

	rtext_reset(r);
	r->words = true;
	r->indent = 5;
	rtext_adds(r, SLOT_TLS_TITLE, "TLS  ");
	switch (d->phase) {
	case DG_TLS_NONE:
		rtext_adds(r, SLOT_TLS_LABEL, "not connected");
		break;
	case DG_TLS_PLAIN:
		rtext_adds(r, SLOT_TLS_WARN, "PLAINTEXT");
		rtext_adds(r, SLOT_TLS_LABEL, ": readable on the path");
		if (d->caps_known && d->caps_chan == CHAN_PLAIN)
			rtext_adds(r, d->caps_bits & EVC_OFFERS_TLS ?
			    SLOT_TLS_OK : SLOT_TLS_BAD, d->caps_bits &
			    EVC_OFFERS_TLS ? "; STARTTLS offered" :
			    "; STARTTLS NOT offered");
		break;
	case DG_TLS_HANDSHAKE:
		rtext_adds(r, SLOT_TLS_WARN, "HANDSHAKE in progress");
		break;
	case DG_TLS_UP:
		if (f == NULL) {
			rtext_adds(r, SLOT_TLS_OK, "up");
			break;
		}
		rtext_net(r, SLOT_TLS_VALUE, f->version != NULL ? f->version :
		    "?", f->version != NULL ? strlen(f->version) : 1);
		rtext_adds(r, SLOT_TLS_VALUE, "  ");
		rtext_net(r, SLOT_TLS_VALUE, f->cipher != NULL ? f->cipher :
		    "?", f->cipher != NULL ? strlen(f->cipher) : 1);
		rtext_adds(r, SLOT_TLS_VALUE, "  ");
		if (d->verified == 1)
			rtext_printf(r, SLOT_TLS_OK, "%sVERIFIED", tick);
		else if (d->verified == 0)
			rtext_printf(r, SLOT_TLS_BAD, "%sNOT VERIFIED", cross);
		else
			rtext_adds(r, SLOT_TLS_WARN, "not checked");
		if (f->offer.vwords != NULL) {
			rtext_adds(r, SLOT_TLS_LABEL, "  offered ");
			rtext_net(r, SLOT_TLS_VALUE, f->offer.vwords,
			    strlen(f->offer.vwords));
			rtext_adds(r, SLOT_TLS_LABEL, arrow);
			rtext_adds(r, SLOT_TLS_LABEL, "chose ");
			rtext_net(r, SLOT_TLS_VALUE, f->version != NULL ?
			    f->version : "?", f->version != NULL ?
			    strlen(f->version) : 1);
		}
		break;
	case DG_TLS_FAILED:
		rtext_adds(r, SLOT_TLS_BAD, "FAILED");
		if (d->failure != NULL) {
			rtext_adds(r, SLOT_TLS_BAD, ": ");
			rtext_net(r, SLOT_TLS_BAD, d->failure,
			    strlen(d->failure));
		}
		break;
	}
	if (d->warnings.n > 0)
		rtext_printf(r, SLOT_TLS_WARN, "  !! %zu warning%s",
		    d->warnings.n, d->warnings.n == 1 ? "" : "s");
	rtext_adds(r, SLOT_TLS_LABEL, "  (F8: full panel)");
}

static void
sum_draw(struct tui *t)
{
	if (swin == NULL)
		return;
	build(t, &sum);
	colour_bkgd(swin, SLOT_DEFAULT);
	werase(swin);
	rtext_draw(swin, &sum, 0, 1, t->cols - 2, sum.indent, 0, t->sum_h);
	wnoutrefresh(swin);
}

const struct pane_ops tlssummary_pane = {
	.name = "tls-summary",
	.dirty = D_TLS | D_STATUS,
	.done = sum_done,
	.layout = sum_layout,
	.draw = sum_draw,
};
