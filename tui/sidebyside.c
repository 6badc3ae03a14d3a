/* SPDX-License-Identifier: ISC */
/*
 * Two sessions side by side.  Side 0 is the TUI's own log (and, live, its
 * session); side 1's log and session are kept here.  Replayed, both
 * recordings step together one protocol step at a time (the rows of
 * render's model); live, every line typed goes to both sessions and the
 * rows follow as the events come.  The columns pane draws it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

#define PLAY_MS		1000	/* a step a second when playing */
#define PLAY_MS_MIN	15
#define PLAY_MS_MAX	64000

static struct sidebyside *
sidebyside_new(const char *na, const char *nb, const char *ta,
    const char *tb)
{
	struct sidebyside	*sb = xcalloc(1, sizeof *sb);

	sb->name[0] = xstrdup(na);
	sb->name[1] = xstrdup(nb);
	sb->title[0] = xstrdup(ta);
	sb->title[1] = xstrdup(tb);
	sb->stale = true;
	sb->period_ms = PLAY_MS;
	return sb;
}

/* The file's name without its folders: a column is narrow. */
static const char *
file_name(const char *path)
{
	const char	*p = strrchr(path, '/');

	return p != NULL && p[1] != '\0' ? p + 1 : path;
}

/*
 * Two recordings, owned by the caller: A and B, titled by file name,
 * played at speed steps a second.
 */
struct sidebyside *
sidebyside_replay(struct evlog *a, struct evlog *b, const char *pa,
    const char *pb, double speed)
{
	struct sidebyside	*sb = sidebyside_new("A", "B", file_name(pa),
				    file_name(pb));
	double			 ms = PLAY_MS / speed;

	sb->period_ms = ms < PLAY_MS_MIN ? PLAY_MS_MIN : ms > PLAY_MS_MAX ?
	    PLAY_MS_MAX : (int)ms;
	sb->log[0] = a;
	sb->log[1] = b;
	sb->upto = 1;
	return sb;
}

/* Side 1 connects with these options (copied) when the screen is up. */
struct sidebyside *
sidebyside_live(const struct session_opts *so, const char *na,
    const char *nb)
{
	struct sidebyside	*sb = sidebyside_new(na, nb, na, nb);

	sb->live = true;
	sb->sopts = *so;
	return sb;
}

void
sidebyside_free(struct sidebyside *sb)
{
	if (sb == NULL)
		return;
	sbs_free(&sb->m);
	free(sb->name[0]);
	free(sb->name[1]);
	free(sb->title[0]);
	free(sb->title[1]);
	free(sb);
}

static void
on_event(const struct event *ev, void *arg)
{
	struct tui	*t = arg;

	(void)ev;
	t->sbs->stale = true;
	tui_dirty(t, D_TRANSCRIPT | D_STATUS);
}

static void	play_tick(void *);
static void	go(struct tui *, size_t);

/* After the screen is up: side 1's session (live), the play timer. */
void
sidebyside_start(struct tui *t)
{
	struct sidebyside	*sb = t->sbs;

	sb->timer = timer_new(t->loop, play_tick, t);
	if (!sb->live) {
		go(t, 1);
		return;
	}
	sb->log[0] = t->log;
	sb->log[1] = evlog_new(true);
	evlog_subscribe(sb->log[1], on_event, t);
	sb->session = session_new(t->loop, sb->log[1], &sb->sopts);
	session_connect(sb->session);
	t->focus = FOCUS_CMDLINE;
}

void
sidebyside_end(struct tui *t)
{
	struct sidebyside	*sb = t->sbs;

	timer_free(sb->timer);
	sb->timer = NULL;
	if (!sb->live)
		return;
	session_free(sb->session);
	sb->session = NULL;
	evlog_unsubscribe(sb->log[1], on_event, t);
	sbs_free(&sb->m);
	evlog_free(sb->log[1]);
	sb->log[0] = sb->log[1] = NULL;
}

/* The rows again when a log grew; live, every row is shown. */
void
sidebyside_sync(struct tui *t)
{
	struct sidebyside	*sb = t->sbs;

	if (sb->stale && sb->log[0] != NULL && sb->log[1] != NULL) {
		sbs_build(&sb->m, (const struct evlog *const *)sb->log,
		    (const char *const *)sb->name);
		sb->stale = false;
	}
	if (sb->live || sb->upto > sb->m.nrows)
		sb->upto = sb->m.nrows;
}

/*
 * A line typed (not a command of ours): side 1 gets it too, unless it
 * carries a credential side 1 may not send (in plaintext, to an
 * unverified server): the consent given on the left is not for it.
 */
void
sidebyside_send(struct tui *t, const char *line)
{
	struct secret_verdict	 v;
	struct session		*s;
	size_t			 len = strlen(line);

	if (t->sbs == NULL || (s = t->sbs->session) == NULL)
		return;
	/* What is typed is answered at the bottom: back there. */
	t->sbs->scroll = 0;
	if (!session_data_mode(s) && session_is_secret(s, line, len)) {
		session_secret_verdict(s, &v);
		if (!v.may) {
			tui_message(t, true, "not sent to %s: %s",
			    t->sbs->name[1], v.why);
			return;
		}
	}
	session_send(s, line, len);
}

/* Leaving: side 1 says goodbye as side 0 does. */
void
sidebyside_quit(struct tui *t)
{
	struct session		*s;
	enum session_state	 st;

	if (t->sbs == NULL || (s = t->sbs->session) == NULL)
		return;
	st = session_state(s);
	if (st != STATE_CLOSED && st != STATE_DISCONNECTED &&
	    !session_data_mode(s))
		session_quit(s);
}

/* The events a side has shown: up to the last row shown that has it. */
size_t
sidebyside_shown(const struct sidebyside *sb, int side)
{
	size_t	i;

	for (i = sb->upto; i > 0; i--)
		if (sb->m.rows[i - 1].has[side])
			return sb->m.rows[i - 1].side[side].end;
	return 0;
}

/*
 * Show the first k rows.  The status bar is A's, as far as it is shown:
 * the model folds A's events again.
 */
static void
go(struct tui *t, size_t k)
{
	struct sidebyside	*sb = t->sbs;
	size_t			 i, n;

	sidebyside_sync(t);
	if (k > sb->m.nrows)
		k = sb->m.nrows;
	sb->upto = k;
	sb->scroll = 0;
	model_reset(&t->m);
	n = sidebyside_shown(sb, 0);
	for (i = 0; i < n; i++)
		model_event(&t->m, evlog_at(sb->log[0], i));
	tui_dirty(t, D_ALL);
}

static void
play_stop(struct tui *t)
{
	t->sbs->playing = false;
	timer_cancel(t->sbs->timer);
	tui_dirty(t, D_STATUS);
}

static void
play_tick(void *arg)
{
	struct tui		*t = arg;
	struct sidebyside	*sb = t->sbs;

	if (!sb->playing)
		return;
	go(t, sb->upto + 1);
	if (sb->upto >= sb->m.nrows) {
		play_stop(t);
		tui_message(t, false, "the last step of both recordings");
		return;
	}
	timer_set(sb->timer, sb->period_ms);
}

/* The next (previous) step that differs, wrapping. */
static void
diff_jump(struct tui *t, int dir)
{
	struct sidebyside	*sb = t->sbs;
	ssize_t			 n = (ssize_t)sb->m.nrows, c, i, k;

	c = (ssize_t)sb->upto - 1;
	if (c < 0 && dir < 0)
		c = n;
	for (k = 1; k <= n; k++) {
		i = ((c + dir * k) % n + n) % n;
		if (sb->m.rows[i].diff != 0) {
			go(t, (size_t)i + 1);
			return;
		}
	}
	tui_message(t, false, "no step differs");
}

static void
period(struct tui *t, int mul, int div)
{
	struct sidebyside	*sb = t->sbs;
	int			 ms = sb->period_ms * mul / div;

	if (ms < PLAY_MS_MIN || ms > PLAY_MS_MAX) {
		tui_message(t, true, "a step every %d ms stays (%d to %d)",
		    sb->period_ms, PLAY_MS_MIN, PLAY_MS_MAX);
		return;
	}
	sb->period_ms = ms;
	tui_dirty(t, D_STATUS);
}

/* The replay's keys step both recordings together. */
bool
sidebyside_key(struct tui *t, const struct binding *b)
{
	struct sidebyside	*sb = t->sbs;

	sidebyside_sync(t);
	switch (b->action) {
	case A_STEP:
		go(t, sb->upto + 1);
		break;
	case A_STEP_BACK:
		if (sb->upto > 1)
			go(t, sb->upto - 1);
		break;
	case A_PLAY:
		if (sb->playing) {
			play_stop(t);
			return true;
		}
		if (sb->upto >= sb->m.nrows)
			go(t, 1);
		sb->playing = true;
		timer_set(sb->timer, sb->period_ms);
		tui_dirty(t, D_STATUS);
		return true;
	case A_FASTER:
		period(t, 1, 2);
		return true;
	case A_SLOWER:
		period(t, 2, 1);
		return true;
	case A_FIRST:
		go(t, 1);
		break;
	case A_LAST:
		go(t, sb->m.nrows);
		break;
	case A_MARK_NEXT:
		diff_jump(t, 1);
		break;
	case A_MARK_PREV:
		diff_jump(t, -1);
		break;
	default:
		return false;
	}
	if (sb->playing)
		play_stop(t);
	return true;
}

void
sidebyside_status(struct tui *t, char *b, size_t len)
{
	struct sidebyside	*sb = t->sbs;

	sidebyside_sync(t);
	if (sb->live)
		snprintf(b, len, "SIDE BY SIDE %zu step%s, %zu differ%s",
		    sb->m.nrows, sb->m.nrows == 1 ? "" : "s", sb->m.ndiff,
		    sb->m.ndiff == 1 ? "s" : "");
	else
		snprintf(b, len, "STEP %zu/%zu %s %zu differ%s", sb->upto,
		    sb->m.nrows, sb->playing ? (t->utf8 ? "\xe2\x96\xb6" :
		    ">") : (t->utf8 ? "\xe2\x8f\xb8" : "||"), sb->m.ndiff,
		    sb->m.ndiff == 1 ? "s" : "");
}
