/* SPDX-License-Identifier: ISC */
/*
 * The terminal front end: curses setup, layout, the loop's callbacks and
 * the deferred redraw.
 *
 * State changes only mark panes dirty; one redraw runs per loop
 * iteration (loop_defer): each pane is drawn with wnoutrefresh, the
 * command line last so the cursor ends there, then doupdate().  Nothing
 * wakes the process while it is idle; a one-second timer runs only while
 * a progress display is shown.
 */
#include <sys/ioctl.h>

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "tui.h"

#define MIN_COLS	40
#define MIN_LINES	10
#define WIDE_COLS	120	/* TLS panel beside the transcript */
#define TALL_LINES	30	/* TLS panel below it by default */
#define SUMMARY_ROWS	2	/* the compact TLS summary */
#define PARTIAL_MS	100	/* a line still arriving looked at again */
#define PARTIAL_QUIET	100	/* ... until nothing came for 10 s */

/*
 * The panes.  Keys are offered in this order until one takes them (the
 * tour sees ? in the TLS panel before the explanation shows; the
 * explanation and the TLS panel see the wheel before the transcript);
 * panes are drawn in it too, an overlay after the message.
 */
static const struct pane_ops *const panes[] = {
	&tour_pane, &gloss_pane, &tlspanel_pane, &columns_pane,
	&transcript_pane, &ladder_pane, &tlssummary_pane, &statusbar_pane,
	&help_pane,
};
#define NPANES	(sizeof panes / sizeof panes[0])

static struct tui	*cur;		/* for the fatal hook */
static bool		 curses_on;
static WINDOW		*msgwin;

static void	tui_redraw(void *);
static void	tui_restore(void);

/* fatal(): the recording gets its trailer, then the terminal is ours. */
static void
tui_fatal(void)
{
	if (cur != NULL)
		recording_stop(cur, "error", -1);
	tui_restore();
}

void
tui_dirty(struct tui *t, unsigned what)
{
	t->dirty |= what;
	if (!t->redraw_due) {
		t->redraw_due = true;
		loop_defer(t->loop, tui_redraw, t);
	}
}

void
tui_message(struct tui *t, bool error, const char *fmt, ...)
{
	struct buf	b = { 0 };
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(t->message);
	t->message = b.p != NULL ? b.p : xstrdup("");
	t->message_error = error;
	tui_dirty(t, D_ALL);
}

/* Put the terminal back the way we found it; safe to call twice. */
static void
tui_restore(void)
{
	if (!curses_on)
		return;
	curses_on = false;
	crash_remove();
	if (cur != NULL)
		cmdline_end(cur);
	mousemask(0, NULL);
	curs_set(1);
	endwin();
	fflush(stdout);
}

void
tui_relayout(struct tui *t)
{
	struct winsize	ws;
	int		avail, tw;
	bool		wide, show;
	size_t		i;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	t->rows = LINES;
	t->cols = COLS;
	t->too_small = t->cols < MIN_COLS || t->rows < MIN_LINES;
	erase();
	wnoutrefresh(stdscr);
	if (t->too_small) {
		tui_dirty(t, D_ALL);
		return;
	}
	avail = t->rows - 2 - tour_rows(t);
	wide = t->cols >= WIDE_COLS;
	/* Side by side, each column has its TLS line instead. */
	if (t->panel == PANEL_HIDDEN || t->sbs != NULL)
		show = false;
	else if (t->panel == PANEL_SHOWN)
		show = true;
	else
		show = wide || avail >= TALL_LINES;
	t->ts_y = t->ts_x = 0;
	t->tp_h = t->tp_w = 0;
	/* Without the panel, its summary above the status bar. */
	t->sum_h = show || t->sbs != NULL ? 0 : SUMMARY_ROWS;
	avail -= t->sum_h;
	t->sum_y = avail;
	if (show && wide) {
		tw = t->cols * 36 / 100;
		if (tw > 60)
			tw = 60;
		t->ts_w = t->cols - tw;
		t->ts_h = avail;
		t->tp_y = 0;
		t->tp_x = t->ts_w;
		t->tp_w = tw;
		t->tp_h = avail;
	} else if (show) {
		t->tp_h = avail * 2 / 5;
		if (t->tp_h < 5)
			t->tp_h = 5;
		t->ts_h = avail - t->tp_h;
		t->ts_w = t->cols;
		t->tp_y = t->ts_h;
		t->tp_x = 0;
		t->tp_w = t->cols;
	} else {
		t->ts_h = avail;
		t->ts_w = t->cols;
	}
	if (t->focus == FOCUS_TLS && t->tp_h == 0)
		t->focus = FOCUS_CMDLINE;
	ladder_carve(t);
	for (i = 0; i < NPANES; i++)
		if (panes[i]->layout != NULL)
			panes[i]->layout(t);
	cmdline_layout(t->rows - 1, t->cols);
	t->full_redraw = true;
	tui_dirty(t, D_ALL);
}

/*
 * A message at the bottom of the transcript, wrapped at words over as
 * many rows as it needs (a long list of completions), up to half of it.
 * Its rows are counted before the panes are drawn: the transcript keeps
 * its newest line above them.
 */
static int
message_text(struct tui *t, struct rtext *r)
{
	int	rows, max = t->ts_h > 2 ? t->ts_h / 2 : 1;

	if (t->message == NULL)
		return 0;
	r->words = true;
	rtext_net(r, t->message_error ? SLOT_MESSAGE_ERROR : SLOT_MESSAGE,
	    t->message, strlen(t->message));
	rows = rtext_rows(r, t->cols - 2, 0);
	return rows > max ? max : rows;
}

static void
draw_message(struct tui *t, const struct rtext *r, int rows)
{
	if (t->message == NULL)
		return;
	if (msgwin != NULL)
		delwin(msgwin);
	msgwin = newwin(rows, t->cols, t->ts_h - rows, 0);
	if (msgwin == NULL)
		return;
	colour_bkgd(msgwin, t->message_error ? SLOT_MESSAGE_ERROR :
	    SLOT_MESSAGE);
	werase(msgwin);
	rtext_draw(msgwin, r, 0, 1, t->cols - 2, 0, 0, rows);
	wnoutrefresh(msgwin);
}

static void
tui_redraw(void *arg)
{
	struct tui	*t = arg;
	unsigned	 d = t->dirty;
	int64_t		 start = mono_ns();
	struct rtext	 msg = { 0 };
	int		 mrows;
	size_t		 i;
	char		 b[128];

	t->redraw_due = false;
	t->dirty = 0;
	if (!curses_on)
		return;
	if (t->full_redraw) {
		clearok(curscr, TRUE);
		t->full_redraw = false;
		d = D_ALL;
	}
	if (t->too_small) {
		erase();
		mvaddnstr(t->rows / 2 - 1, 0, "terminal too small", t->cols);
		snprintf(b, sizeof b, "%dx%d, need %dx%d", t->cols, t->rows,
		    MIN_COLS, MIN_LINES);
		mvaddnstr(t->rows / 2, 0, b, t->cols);
		wnoutrefresh(stdscr);
		doupdate();
		framelog_frame(start);
		return;
	}
	/* An overlay (message, help) covers parts of the panes. */
	if (t->message != NULL || t->help)
		d = D_ALL;
	model_sync(t);
	/* A reply awaited may arrive a byte at a time: look for them. */
	if ((t->m.partial_len > 0 || t->m.pending > 0) &&
	    !timer_pending(t->partial_timer)) {
		t->partial_quiet = 0;
		timer_set(t->partial_timer, PARTIAL_MS);
	}
	mrows = message_text(t, &msg);
	t->m.msg_rows = mrows;
	for (i = 0; i < NPANES; i++)
		if (!panes[i]->overlay && (d & panes[i]->dirty))
			panes[i]->draw(t);
	draw_message(t, &msg, mrows);
	rtext_free(&msg);
	for (i = 0; i < NPANES; i++)
		if (panes[i]->overlay)
			panes[i]->draw(t);
	cmdline_draw(t);
	doupdate();
	framelog_frame(start);
}

void
tui_focus_next(struct tui *t, int dir)
{
	int	f = (int)t->focus;

	do {
		f = (f + dir + FOCUS_MAX) % FOCUS_MAX;
	} while (f == FOCUS_TLS && t->tp_h == 0);
	t->focus = (enum focus)f;
	tui_dirty(t, D_ALL);
}

/* :quit and Ctrl-D: polite QUIT when connected, then leave. */
void
tui_quit(struct tui *t)
{
	enum session_state	st;

	if (t->replay != NULL) {
		replay_quit(t);
		return;
	}
	sidebyside_quit(t);
	st = session_state(t->session);
	if (t->quitting || st == STATE_CLOSED || st == STATE_DISCONNECTED) {
		t->quitting = true;
		loop_break(t->loop);
		return;
	}
	t->quitting = true;
	if (session_data_mode(t->session)) {
		/* QUIT would be a line of the message: close instead. */
		session_close(t->session, "closed in DATA to leave: the "
		    "message was never ended with \".\", the only way a "
		    "server accepts one");
		loop_break(t->loop);
		return;
	}
	tui_message(t, false, "leaving: %s sent, waiting for the reply",
	    session_quit_cmd(t->session));
	session_quit(t->session);
	if (session_state(t->session) == STATE_CLOSED)
		loop_break(t->loop);
}

static void
on_signal(int signo, void *arg)
{
	struct tui	*t = arg;

	framelog_cause(FC_SIGNAL);
	switch (signo) {
	case SIGWINCH:
		tui_relayout(t);
		cmdline_resume(t);
		break;
	case SIGINT:
		cmdline_interrupt(t);
		break;
	case SIGTSTP:
		tui_suspend(t);
		break;
	case SIGCONT:
		t->full_redraw = true;
		tui_relayout(t);
		break;
	default:
		/* SIGTERM, SIGHUP: leave at once, the terminal restored. */
		t->quitting = true;
		t->signo = signo;
		if (t->exit_code == EXIT_OK)
			t->exit_code = 128 + signo;
		loop_break(t->loop);
		break;
	}
}

void
tui_suspend(struct tui *t)
{
	struct sigaction	sa;

	def_prog_mode();
	mousemask(0, NULL);
	endwin();
	fflush(stdout);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, NULL);
	kill(getpid(), SIGTSTP);
	/* Resumed. */
	loop_add_signal(t->loop, SIGTSTP, on_signal, t);
	reset_prog_mode();
	mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	t->full_redraw = true;
	tui_relayout(t);
	cmdline_resume(t);
}

void
tui_set_theme(struct tui *t, const char *name)
{
	struct theme	th = { 0 };
	char		err[512];

	if (theme_load(name, &th, err, sizeof err) == -1) {
		theme_free(&th);
		tui_message(t, true, "%s; theme %s kept", err, t->theme.name);
		return;
	}
	theme_free(&t->theme);
	t->theme = th;
	colour_apply(t);
	t->full_redraw = true;
	tui_message(t, false, "theme %s%s", t->theme.name, t->mono ?
	    " (attributes only: no colours here or NO_COLOR set)" : "");
}

static void	progress_stop(struct tui *);

/*
 * The bytes of a line still arriving make no event: while a reply is
 * awaited, look for them, until nothing came for PARTIAL_QUIET ticks (an
 * IMAP IDLE, a server that stopped mid-line: the next event looks
 * again).  Idle, nothing ticks.
 */
static void
partial_tick(void *arg)
{
	struct tui	*t = arg;
	const char	*p;
	size_t		 n = session_partial(t->session, &p);

	if (n != t->m.partial_len) {
		framelog_cause(FC_TIMER);
		tui_dirty(t, D_TRANSCRIPT | D_STATUS);
	} else if ((n > 0 || session_pending(t->session) > 0) &&
	    ++t->partial_quiet < PARTIAL_QUIET)
		timer_set(t->partial_timer, PARTIAL_MS);
}

static void
progress_tick(void *arg)
{
	struct tui	*t = arg;

	framelog_cause(FC_TIMER);
	/* The sized part is over (literal done): no more ticks for it. */
	if (t->progress && session_expected_size(t->session) < 0)
		progress_stop(t);
	/* Tick only while a transfer or a long reply is under way. */
	if (!t->progress && (t->reply_start == 0 ||
	    session_pending(t->session) == 0)) {
		progress_stop(t);
		return;
	}
	tui_dirty(t, D_STATUS);
	timer_set(t->progress_timer, 1000);
}

static void
progress_stop(struct tui *t)
{
	if (!t->progress && t->reply_start == 0)
		return;
	t->progress = false;
	t->reply_start = 0;
	timer_cancel(t->progress_timer);
	tui_dirty(t, D_STATUS);
}

/* What the session says to its owner, through the log. */
static void
owner_event(struct tui *t, const struct event *ev)
{
	struct session	*s = t->session;

	if (ev->kind == EV_DATA && ev->dir == DIR_SERVER &&
	    session_expected_size(s) >= 0) {
		/* A sized transfer: its progress until it is complete. */
		if (session_received_size(s) >= session_expected_size(s))
			progress_stop(t);
		else if (!t->progress) {
			t->progress = true;
			t->progress_start = mono_ns();
			timer_set(t->progress_timer, 1000);
		}
	} else if (ev->kind == EV_READY)
		progress_stop(t);
	else if (ev->kind == EV_STATE && session_state(s) == STATE_CLOSED) {
		progress_stop(t);
		t->data_ask = false;
		if (t->quitting)
			loop_break(t->loop);
	} else
		return;
	tui_dirty(t, D_STATUS | D_CMDLINE | D_TLS);
}

/* A new session on t->sopts: the tour moves to another port or lab. */
void
tui_connect(struct tui *t)
{
	progress_stop(t);
	t->session = session_new(t->loop, t->log, &t->sopts);
	session_connect(t->session);
	tui_dirty(t, D_ALL);
}

/* One event for the model and every pane. */
void
tui_feed(struct tui *t, const struct event *ev)
{
	size_t	i;

	model_event(&t->m, ev);
	for (i = 0; i < NPANES; i++)
		if (panes[i]->event != NULL)
			panes[i]->event(t, ev);
}

/* A binding for the panes, in their order: true when one took it. */
bool
tui_offer(struct tui *t, const struct binding *b)
{
	size_t	i;

	for (i = 0; i < NPANES; i++)
		if (panes[i]->key != NULL && panes[i]->key(t, b))
			return true;
	return false;
}

/* A replay going back: the panes start again from the first event. */
void
tui_panes_reset(struct tui *t)
{
	size_t	i;

	model_reset(&t->m);
	t->m.selected = NULL;
	for (i = 0; i < NPANES; i++)
		if (panes[i]->reset != NULL)
			panes[i]->reset(t);
}

/*
 * The screen keeps every event; past evlog_max() it ends the connection
 * rather than grow without bound.  What is here stays to be read (and is
 * in the recording, if any).
 */
static void
log_full(void *arg)
{
	struct tui		*t = arg;
	enum session_state	 st = session_state(t->session);
	char			 why[256];

	if (st == STATE_CLOSED || st == STATE_DISCONNECTED)
		return;
	snprintf(why, sizeof why, "closed: the transcript reached %zu MiB, "
	    "the most the screen keeps (MAILSCOPE_LOG_MAX); mailscope "
	    "--batch --record FILE keeps no such limit", t->log_max >> 20);
	t->exit_code = EXIT_PROTO;
	session_close(t->session, why);
	tui_message(t, true, "%s", why);
}

static void
on_event(const struct event *ev, void *arg)
{
	struct tui	*t = arg;

	if (!t->log_full && evlog_bytes(t->log) > t->log_max) {
		t->log_full = true;
		loop_defer(t->loop, log_full, t);
	}
	framelog_cause(FC_EVENT);
	tui_feed(t, ev);
	/*
	 * Replies of unknown size: when the server began answering, for
	 * the status bar, until nothing is awaited (an IMAP untagged line
	 * is a response of its own, so EVF_END does not tell).
	 */
	if (ev->kind == EV_DATA && ev->dir == DIR_SERVER && t->session != NULL) {
		if (session_pending(t->session) == 0) {
			if (t->reply_start != 0 && !t->progress)
				timer_cancel(t->progress_timer);
			t->reply_start = 0;
		} else {
			if (t->reply_start == 0) {
				t->reply_start = mono_ns();
				t->reply_bytes = 0;
				if (!t->progress)
					timer_set(t->progress_timer, 1000);
			}
			t->reply_bytes += ev_wire_len(ev);
		}
	}
	if (t->session != NULL)
		owner_event(t, ev);
	tui_dirty(t, D_TRANSCRIPT | D_STATUS);
}

static void
on_stdin(int fd, short revents, void *arg)
{
	(void)fd;
	(void)revents;
	framelog_cause(FC_KEY);
	cmdline_input(arg);
}

/* A terminal that cannot move the cursor would show garbage. */
static int
tui_usable(void)
{
	const char	*term = getenv("TERM"), *cup;
	int		 err = 0;

	if (setupterm(NULL, STDOUT_FILENO, &err) != OK || err != 1) {
		fprintf(stderr, "mailscope: the terminal \"%s\" is unknown; "
		    "set TERM, or use --batch\n", term != NULL ? term : "");
		return -1;
	}
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1) {
		fprintf(stderr, "mailscope: the terminal \"%s\" cannot move "
		    "the cursor; use --batch (or -c, --script)\n",
		    term != NULL ? term : "");
		del_curterm(cur_term);
		return -1;
	}
	del_curterm(cur_term);
	return 0;
}

int
tui_main(const struct session_opts *sopts, const struct tui_opts *topts)
{
	struct tui	 t;
	char		 err[512];
	const char	*cs;
	size_t		 i;
	int		 rc;

	framelog_open();	/* start-up is timed from here */
	memset(&t, 0, sizeof t);
	setlocale(LC_ALL, "");
	if (tui_usable() == -1) {
		framelog_close();
		return EXIT_USAGE;
	}
	cs = nl_langinfo(CODESET);
	t.sopts = *sopts;
	t.opts = *topts;
	t.utf8 = !t.opts.ascii && cs != NULL && strcmp(cs, "UTF-8") == 0;
	t.loop = loop_new();
	t.replay = t.opts.replay;
	t.sbs = t.opts.sbs;
	t.log = t.replay != NULL ? replay_log(t.replay) : evlog_new(true);
	digest_init(&t.m.dg);
	for (i = 0; i < NPANES; i++)
		if (panes[i]->init != NULL)
			panes[i]->init(&t);
	t.progress_timer = timer_new(t.loop, progress_tick, &t);
	t.partial_timer = timer_new(t.loop, partial_tick, &t);
	t.log_max = evlog_max();
	if (t.replay == NULL)
		evlog_subscribe(t.log, on_event, &t);
	/* Before the screen: a file that cannot be written is a usage error. */
	if (t.opts.record != NULL && recording_start(&t, t.opts.record, err,
	    sizeof err) == -1) {
		fprintf(stderr, "mailscope: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	cur = &t;

	crash_save_modes();
	if (initscr() == NULL)
		fatalx("cannot initialise the terminal");
	curses_on = true;
	fatal_set_hook(tui_fatal);
	crash_install();
	raw();
	noecho();
	nonl();
	/* Application keypad mode: keys arrive as terminfo says. */
	keypad(stdscr, TRUE);
	mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	colour_init(&t);
	if (theme_load(t.opts.theme != NULL ? t.opts.theme : "default",
	    &t.theme, err, sizeof err) == -1)
		tui_message(&t, true, "%s; using the built-in theme", err);
	else if (t.opts.config_error != NULL)
		tui_message(&t, true, "%s", t.opts.config_error);
	else if (t.opts.lab_info != NULL && !t.opts.tour)
		/* "lab: scenario NAME", the CA is in the TLS panel. */
		tui_message(&t, false, "%.*s: type %s%s%s; F4 explains "
		    "every line; mailscope --lab --tour guides you",
		    (int)strcspn(t.opts.lab_info, ","), t.opts.lab_info,
		    pp_typed_hello(t.sopts.target.proto),
		    t.sopts.target.implicit_tls ? " (TLS came first: no " :
		    ", then ", t.sopts.target.implicit_tls ?
		    "STARTTLS here)" : pp_typed_starttls(t.sopts.target.proto));
	else if (t.opts.lab_info != NULL)
		tui_message(&t, false, "%s", t.opts.lab_info);
	colour_apply(&t);

	loop_add_fd(t.loop, STDIN_FILENO, POLLIN, on_stdin, &t);
	loop_add_signal(t.loop, SIGWINCH, on_signal, &t);
	loop_add_signal(t.loop, SIGINT, on_signal, &t);
	loop_add_signal(t.loop, SIGTERM, on_signal, &t);
	loop_add_signal(t.loop, SIGHUP, on_signal, &t);
	loop_add_signal(t.loop, SIGTSTP, on_signal, &t);
	loop_add_signal(t.loop, SIGCONT, on_signal, &t);
	signal(SIGPIPE, SIG_IGN);

	if (t.opts.tour)
		tour_start(&t);
	tui_relayout(&t);
	cmdline_init(&t);
	if (t.sbs != NULL)
		sidebyside_start(&t);
	if (t.replay != NULL)
		replay_start(&t);
	else {
		t.session = session_new(t.loop, t.log, sopts);
		session_connect(t.session);
	}
	tui_dirty(&t, D_ALL);
	loop_run(t.loop);

	tui_restore();
	fatal_set_hook(NULL);
	tui_probe_stop(&t);
	rc = t.exit_code != EXIT_OK || t.session == NULL ? t.exit_code :
	    session_exit_code(t.session);
	recording_stop(&t, t.terminal_gone && t.signo == 0 ?
	    "terminal closed" : session_end_reason(t.session, t.signo, rc),
	    rc);
	if (t.sbs != NULL)
		sidebyside_end(&t);
	session_free(t.session);
	tour_free(&t);
out:
	if (t.replay != NULL)
		replay_end(&t);
	else
		evlog_unsubscribe(t.log, on_event, &t);
	for (i = 0; i < NPANES; i++)
		if (panes[i]->done != NULL)
			panes[i]->done(&t);
	model_free(&t.m);
	if (msgwin != NULL)
		delwin(msgwin);
	msgwin = NULL;
	timer_free(t.progress_timer);
	timer_free(t.partial_timer);
	theme_free(&t.theme);
	free(t.message);
	if (t.replay == NULL)
		evlog_free(t.log);
	loop_free(t.loop);
	cur = NULL;
	framelog_close();
	return rc;
}
