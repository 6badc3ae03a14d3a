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

void
statusbar_layout(int y, int w)
{
	if (sbwin != NULL)
		delwin(sbwin);
	sbwin = newwin(1, w, y, 0);
	sb_w = w;
}

void
statusbar_free(void)
{
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

/* The channel as a person reads it: PLAIN, HANDSHAKE, TLS, CLOSED. */
static const char *
channel(enum session_state st, enum slot *s)
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

/*
 * Everything but the byte counts and the focus, left to right; short
 * leaves the scheme out of the target (the protocol follows it anyway).
 */
static void
draw_left(struct tui *t, bool short_target)
{
	struct pp	*pp = t->session != NULL ? session_pp(t->session) :
	    NULL;
	enum session_state st = t->session != NULL ?
	    session_state(t->session) : STATE_DISCONNECTED;
	struct buf	 safe = { 0 };
	const char	*ch, *rec, *shown;
	char		*target, right[160], in[32], a[32], b[40];
	enum slot	 s;
	int64_t		 got, want, el;
	int		 v;

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
	free(target);
	wprintw(sbwin, " %s", proto_name(t->sopts.target.proto));
	ch = t->replay != NULL ? replay_channel(t, &s) : channel(st, &s);
	if (st == STATE_CLOSED && session_exit_code(t->session) == EXIT_OK)
		s = SLOT_STATUS;
	badge(s, ch);
	v = tlspanel_verdict(t->tp);
	if (v == 1)
		badge(SLOT_STATUS_TLS, "VERIFIED");
	else if (v == 0)
		badge(SLOT_STATUS_BAD, "NOT VERIFIED");
	if (pp != NULL && pp_data_mode(pp))
		badge(SLOT_MODE, "DATA");
	if (t->opts.explain)
		badge(SLOT_MODE, "EXPLAIN");
	if ((rec = recording_badge(t, &s)) != NULL)
		badge(s, rec);
	if (t->replay != NULL) {
		replay_status(t, right, sizeof right);
		badge(SLOT_MODE, right);
		if (replay_damage(t, right, sizeof right))
			badge(SLOT_STATUS_BAD, right);
	}
	/*
	 * A sized transfer (literal, POP3 body) has its percent; a long
	 * reply of unknown size shows bytes and rate after a second.
	 */
	el = mono_ns() - (t->progress ? t->progress_start : t->reply_start);
	if (!t->progress && t->reply_start != 0 && pp != NULL &&
	    pp_pending(pp) > 0 && el >= 1000000000) {
		size_str(t->reply_bytes, a, sizeof a);
		size_str((uint64_t)((double)t->reply_bytes * 1e9 /
		    (double)el), in, sizeof in);
		snprintf(right, sizeof right, "%s %s/s", a, in);
		badge(SLOT_STATUS_PROGRESS, right);
	}
	if (t->progress && pp != NULL) {
		got = pp_received_size(pp);
		want = pp_expected_size(pp);
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

void
statusbar_draw(struct tui *t)
{
	static const char *focus_names[] = { "cmdline", "transcript", "tls" };
	char		 right[160], in[32], out[32];
	uint64_t	 bin = 0, bout = 0;
	int		 x;

	if (sbwin == NULL)
		return;
	draw_left(t, false);
	if (t->session != NULL) {
		bin = session_bytes_in(t->session);
		bout = session_bytes_out(t->session);
	} else if (t->replay != NULL)
		replay_bytes(t, &bin, &bout);
	size_str(bin, in, sizeof in);
	size_str(bout, out, sizeof out);
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
