/* SPDX-License-Identifier: ISC */
/*
 * The status bar: target, protocol, channel state, verdict badge,
 * recording indicator, progress of a long response, bytes in and out,
 * and which pane has the focus.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static WINDOW	*sbwin;
static int	 sb_w;

static void
sb_layout(struct tui *t)
{
	if (sbwin != NULL)
		delwin(sbwin);
	sbwin = newwin(1, t->cols, t->rows - 2, 0);
	sb_w = t->cols;
}

static void
sb_done(struct tui *t)
{
	(void)t;
	if (sbwin != NULL)
		delwin(sbwin);
	sbwin = NULL;
}

static void
size_str(uint64_t n, char *b, size_t len)
{
	if (n < 10000)
		snprintf(b, len, "%lluB", (unsigned long long)n);
	else if (n < 10 * 1024 * 1024)
		snprintf(b, len, "%.1fK", (double)n / 1024);
	else
		snprintf(b, len, "%.1fM", (double)n / (1024 * 1024));
}

static void
badge(enum slot s, const char *text)
{
	colour_set(sbwin, SLOT_STATUS);
	waddstr(sbwin, " ");
	colour_set(sbwin, s);
	wprintw(sbwin, " %s ", text);
}

/*
 * Everything but the byte counts and the focus, left to right; short
 * leaves the scheme out of the target (the protocol follows it anyway).
 */
static void
draw_left(struct tui *t, bool short_target)
{
	const struct tui_model *m = &t->m;
	struct buf	 safe = { 0 };
	const char	*rec, *shown;
	char		*target, right[160], in[32], a[32], b[40];
	enum slot	 s;
	int64_t		 got, want, el;

	colour_bkgd(sbwin, SLOT_STATUS);
	werase(sbwin);
	target = target_string(&t->sopts.target);
	shown = short_target && strstr(target, "://") != NULL ?
	    strstr(target, "://") + 3 : target;
	colour_set(sbwin, SLOT_STATUS);
	wmove(sbwin, 0, 0);
	/* The target came from the user; still never print it raw. */
	sanitize(shown, strlen(shown), &safe);
	wprintw(sbwin, " %.*s ", sb_w / 2, safe.p != NULL ? safe.p : "");
	buf_free(&safe);
	/* An IDN: the A-label above, the name as typed here. */
	if (!short_target && t->sopts.target.host_u != NULL) {
		sanitize(t->sopts.target.host_u,
		    strlen(t->sopts.target.host_u), &safe);
		wprintw(sbwin, "(%.*s) ", sb_w / 4, safe.p != NULL ? safe.p :
		    "");
		buf_free(&safe);
	}
	free(target);
	wprintw(sbwin, " %s", proto_name(t->sopts.target.proto));
	badge(m->channel_slot, m->channel);
	if (m->dg.verified == 1)
		badge(SLOT_STATUS_TLS, "VERIFIED");
	else if (m->dg.verified == 0)
		badge(SLOT_STATUS_BAD, "NOT VERIFIED");
	if (m->data_mode)
		badge(SLOT_MODE, "DATA");
	if (t->opts.explain)
		badge(SLOT_MODE, "EXPLAIN");
	if (t->opts.present)
		badge(SLOT_MODE, "PRESENT");
	if ((rec = recording_badge(t, &s)) != NULL)
		badge(s, rec);
	if (m->replay_status[0] != '\0')
		badge(SLOT_MODE, m->replay_status);
	if (m->replay_damage[0] != '\0')
		badge(SLOT_STATUS_BAD, m->replay_damage);
	/*
	 * A sized transfer (literal, POP3 body) has its percent; a long
	 * reply of unknown size shows bytes and rate after a second.
	 */
	el = mono_ns() - (t->progress ? t->progress_start : t->reply_start);
	if (!t->progress && t->reply_start != 0 && m->pending > 0 &&
	    el >= 1000000000) {
		size_str(t->reply_bytes, a, sizeof a);
		size_str((uint64_t)((double)t->reply_bytes * 1e9 /
		    (double)el), in, sizeof in);
		snprintf(right, sizeof right, "%s %s/s", a, in);
		badge(SLOT_STATUS_PROGRESS, right);
	}
	if (t->progress && t->session != NULL) {
		got = m->received;
		want = m->expected;
		size_str(got > 0 ? (uint64_t)got : 0, a, sizeof a);
		/*
		 * The average since the transfer was first seen; the first
		 * chunk arrives all at once, so wait a tick for a rate.
		 */
		b[0] = '\0';
		if (el >= 1000000000) {
			size_str((uint64_t)((double)got * 1e9 / (double)el),
			    in, sizeof in);
			snprintf(b, sizeof b, " %s/s", in);
		}
		if (want > 0)
			snprintf(right, sizeof right, "%s/%s %d%%%s", a,
			    (size_str((uint64_t)want, in, sizeof in), in),
			    (int)(got * 100 / want), b);
		else
			snprintf(right, sizeof right, "%s%s", a, b);
		badge(SLOT_STATUS_PROGRESS, right);
	}
}

static void
sb_draw(struct tui *t)
{
	static const char *focus_names[] = { "cmdline", "transcript", "tls" };
	char		 right[160], in[32], out[32];
	int		 x;

	if (sbwin == NULL)
		return;
	draw_left(t, false);
	/* The bytes of a line still arriving count as they come. */
	size_str(t->m.dg.bytes_in + t->m.partial_len, in, sizeof in);
	size_str(t->m.dg.bytes_out, out, sizeof out);
	/*
	 * Bytes always; the focus when there is room for it, if need be
	 * with the target's scheme left out.
	 */
	snprintf(right, sizeof right, "in %s out %s  [%s] ", in, out,
	    focus_names[t->focus]);
	x = sb_w - (int)strlen(right);
	if (x <= getcurx(sbwin))
		draw_left(t, true);
	if (x <= getcurx(sbwin)) {
		snprintf(right, sizeof right, "in %s out %s ", in, out);
		x = sb_w - (int)strlen(right);
	}
	if (x > getcurx(sbwin)) {
		colour_set(sbwin, SLOT_STATUS);
		mvwaddstr(sbwin, 0, x, right);
	}
	wnoutrefresh(sbwin);
}

const struct pane_ops statusbar_pane = {
	.name = "status",
	.dirty = D_STATUS | D_CMDLINE,
	.done = sb_done,
	.layout = sb_layout,
	.draw = sb_draw,
};
