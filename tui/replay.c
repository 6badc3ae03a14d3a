/* SPDX-License-Identifier: ISC */
/*
 * mailscope replay FILE.jsonl: the inspector, read-only, over a
 * recording.  The panes show the first `pos` events of the log, so the
 * transcript, the TLS panel and the status bar are the session as it was
 * after the current event.  Stepping forward feeds one more event to the
 * panes; stepping back builds them again from the first event (they are
 * built from events alone, and a few thousand events take well under a
 * frame).  Notes and marks added here go in after the current event, in
 * a new copy of the log, and :save writes that copy to a new file.
 * Given two recordings, the replay is side by side (sidebyside.c): the
 * keys step both, a protocol step at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui.h"

#define SPEED_MIN	(1.0 / 64)
#define SPEED_MAX	256.0

struct replay {
	struct tui		*t;
	struct evlog		*log;	/* the recording, notes added */
	struct recording_info	 info;
	char			*path;
	char			*damage;	/* "line N: why" when cut */
	size_t			 pos;		/* events shown */
	double			 speed;
	bool			 playing;
	struct timer		*timer;
	bool			 unsaved;	/* notes added since :save */
	bool			 quit_warned;
};

static void	cmd_note(struct tui *, const char *);
static void	cmd_mark(struct tui *, const char *);
static void	cmd_save(struct tui *, const char *);
static void	cmd_quit(struct tui *, const char *);
static void	cmd_help(struct tui *, const char *);

const struct command replay_commands[] = {
	{ "note", "TEXT", "add a note after the current event", cmd_note },
	{ "mark", "NAME", "add a bookmark after the current event",
	    cmd_mark },
	{ "save", "FILE", "write the recording with its notes to a new "
	    "file", cmd_save },
	{ "quit", "", "leave (asks once when notes are not saved)",
	    cmd_quit },
	{ "help", "", "every key and command (also F1)", cmd_help },
	{ NULL, NULL, NULL, NULL },
};

struct evlog *
replay_log(struct replay *rp)
{
	return rp->log;
}

/* Fresh panes: what they showed belongs to a later point. */
static void
panes_reset(struct replay *rp)
{
	tui_panes_reset(rp->t);
	rp->pos = 0;
}

/* Show the first k events: forward by feeding, back by rebuilding. */
static void
go(struct replay *rp, size_t k)
{
	size_t	n = evlog_count(rp->log);

	if (k > n)
		k = n;
	if (k < rp->pos)
		panes_reset(rp);
	for (; rp->pos < k; rp->pos++)
		tui_feed(rp->t, evlog_at(rp->log, rp->pos));
	tui_dirty(rp->t, D_ALL);
}

static void
play_stop(struct replay *rp)
{
	rp->playing = false;
	timer_cancel(rp->timer);
	tui_dirty(rp->t, D_STATUS);
}

/* Wait as long as the session did between this event and the next. */
static void
play_next(struct replay *rp)
{
	const struct event	*a, *b;
	int64_t			 gap;

	if (rp->pos >= evlog_count(rp->log)) {
		play_stop(rp);
		tui_message(rp->t, false, "end of the recording");
		return;
	}
	b = evlog_at(rp->log, rp->pos);
	a = rp->pos > 0 ? evlog_at(rp->log, rp->pos - 1) : b;
	gap = b->t_ns > a->t_ns ? b->t_ns - a->t_ns : 0;
	timer_set(rp->timer, (int64_t)((double)gap / 1e6 / rp->speed));
}

static void
play_tick(void *arg)
{
	struct replay	*rp = arg;

	if (!rp->playing)
		return;
	go(rp, rp->pos + 1);
	play_next(rp);
}

static void
play_toggle(struct replay *rp)
{
	if (rp->playing) {
		play_stop(rp);
		return;
	}
	if (rp->pos >= evlog_count(rp->log))
		go(rp, 0);
	rp->playing = true;
	play_next(rp);
	tui_dirty(rp->t, D_STATUS);
}

static void
speed(struct replay *rp, double f)
{
	double	s = rp->speed * f;

	if (s < SPEED_MIN || s > SPEED_MAX) {
		tui_message(rp->t, true, "speed stays x%g (x%g to x%g)",
		    rp->speed, SPEED_MIN, SPEED_MAX);
		return;
	}
	rp->speed = s;
	if (rp->playing)
		play_next(rp);
	tui_dirty(rp->t, D_STATUS);
}

/* The next (previous) mark after the current event, wrapping. */
static void
mark_jump(struct replay *rp, int dir)
{
	const struct event	*ev;
	ssize_t			 n = (ssize_t)evlog_count(rp->log), c, i, k;

	/* The current event is pos - 1; before the first, search from an
	 * end. */
	c = (ssize_t)rp->pos - 1;
	if (c < 0 && dir < 0)
		c = n;
	for (k = 1; k <= n; k++) {
		i = ((c + dir * k) % n + n) % n;
		ev = evlog_at(rp->log, (size_t)i);
		if (ev->kind == EV_MARK) {
			go(rp, (size_t)i + 1);
			tui_message(rp->t, false, "mark %s (event %zd of %zd)",
			    ev->data, i + 1, n);
			return;
		}
	}
	tui_message(rp->t, true, "no marks in this recording (:mark NAME "
	    "adds one)");
}

/* The replay's keys (KC_REPLAY in the key table). */
bool
replay_key(struct tui *t, const struct binding *b)
{
	struct replay	*rp = t->replay;

	if (t->sbs != NULL)
		return sidebyside_key(t, b);
	switch (b->action) {
	case A_STEP:
		go(rp, rp->pos + 1);
		break;
	case A_STEP_BACK:
		if (rp->pos > 0)
			go(rp, rp->pos - 1);
		break;
	case A_PLAY:
		play_toggle(rp);
		return true;
	case A_FASTER:
		speed(rp, 2);
		return true;
	case A_SLOWER:
		speed(rp, 0.5);
		return true;
	case A_FIRST:
		go(rp, 0);
		break;
	case A_LAST:
		go(rp, evlog_count(rp->log));
		break;
	case A_MARK_NEXT:
		mark_jump(rp, 1);
		break;
	case A_MARK_PREV:
		mark_jump(rp, -1);
		break;
	default:
		return false;
	}
	/* A step by hand pauses playing. */
	if (rp->playing)
		play_stop(rp);
	return true;
}

static void
copy_event(struct evlog *to, const struct event *ev)
{
	evlog_append_x(to, ev, ev_extra_dup(ev_extra(ev)), ev->data, ev->len);
}

/*
 * The log is append-only: a note after the current event makes a new
 * log with it in place, timed like the event it follows.
 */
static void
insert(struct replay *rp, enum ev_kind kind, const char *text)
{
	struct evlog		*old = rp->log, *log;
	const struct event	*prev;
	struct event		 ev;
	size_t			 i, n = evlog_count(old), at = rp->pos;

	log = evlog_new(true);
	evlog_keep_times(log);
	evlog_set_wall_base(log, evlog_wall_base(old));
	for (i = 0; i < at; i++)
		copy_event(log, evlog_at(old, i));
	prev = at > 0 ? evlog_at(old, at - 1) : NULL;
	memset(&ev, 0, sizeof ev);
	ev.kind = (uint8_t)kind;
	ev.dir = DIR_LOCAL;
	ev.chan = prev != NULL ? prev->chan : CHAN_PLAIN;
	ev.t_ns = prev != NULL ? prev->t_ns : 0;
	evlog_append(log, &ev, text, strlen(text));
	for (i = at; i < n; i++)
		copy_event(log, evlog_at(old, i));
	/* The panes point into the old log until they are rebuilt. */
	rp->log = rp->t->log = log;
	panes_reset(rp);
	go(rp, at + 1);
	evlog_free(old);
	rp->unsaved = true;
	rp->quit_warned = false;
}

static void
cmd_note(struct tui *t, const char *args)
{
	if (*args == '\0') {
		tui_message(t, true, "usage: :note TEXT");
		return;
	}
	insert(t->replay, EV_NOTE, args);
	tui_message(t, false, "note added after event %zu (:save FILE "
	    "keeps it)", t->replay->pos - 1);
}

static void
cmd_mark(struct tui *t, const char *args)
{
	if (*args == '\0') {
		tui_message(t, true, "usage: :mark NAME");
		return;
	}
	insert(t->replay, EV_MARK, args);
	tui_message(t, false, "mark %s added (:save FILE keeps it)", args);
}

static void
cmd_save(struct tui *t, const char *args)
{
	struct replay	*rp = t->replay;
	char		 err[512];

	if (*args == '\0') {
		tui_message(t, true, "usage: :save FILE (a new file; %s stays "
		    "as it is)", rp->path);
		return;
	}
	if (recording_save(args, rp->log, &rp->info, err, sizeof err) == -1) {
		tui_message(t, true, ":save: %s", err);
		return;
	}
	rp->unsaved = false;
	tui_message(t, false, "saved %zu events to %s", evlog_count(rp->log),
	    args);
}

static void
cmd_quit(struct tui *t, const char *args)
{
	(void)args;
	replay_quit(t);
}

static void
cmd_help(struct tui *t, const char *args)
{
	(void)args;
	t->help = true;
	t->help_top = 0;
	tui_dirty(t, D_ALL);
}

/* :quit and Ctrl-D: notes not saved are asked about once. */
void
replay_quit(struct tui *t)
{
	struct replay	*rp = t->replay;

	if (rp->unsaved && !rp->quit_warned) {
		rp->quit_warned = true;
		tui_message(t, true, "notes not saved: :save FILE keeps "
		    "them; :quit again leaves without");
		return;
	}
	t->quitting = true;
	loop_break(t->loop);
}

/* A line from the command line: only the replay's own commands. */
void
replay_line(struct tui *t, char *line)
{
	const struct command	*c;
	const char		*args;

	t->focus = FOCUS_TRANSCRIPT;
	if (*line == '\0')
		return;
	if (line[0] != ':' || line[1] == ':') {
		tui_message(t, true, "read-only replay: nothing is sent "
		    "(:note, :mark, :save, :quit, :help)");
		return;
	}
	if ((c = command_find(t, replay_commands, line + 1, &args)) != NULL) {
		/* Notes go in one recording: replay it alone. */
		if (t->sbs != NULL && c->fn != cmd_quit && c->fn != cmd_help)
			tui_message(t, true, ":%s is for one recording: "
			    "mailscope replay FILE.jsonl", c->name);
		else
			c->fn(t, args);
	}
	else {
		/* command_find said why; a live command gets a clearer no. */
		if (command_find(t, commands, line + 1, &args) != NULL)
			tui_message(t, true, "read-only replay: :%.40s is "
			    "for a live session", line + 1);
	}
}

void
replay_status(struct tui *t, char *b, size_t len)
{
	struct replay	*rp = t->replay;

	snprintf(b, len, "REPLAY %zu/%zu %s x%g", rp->pos,
	    evlog_count(rp->log), rp->playing ? (t->utf8 ? "\xe2\x96\xb6" :
	    ">") : (t->utf8 ? "\xe2\x8f\xb8" : "||"), rp->speed);
}

bool
replay_damage(struct tui *t, char *b, size_t len)
{
	if (t->replay->damage == NULL)
		return false;
	snprintf(b, len, "CUT: %s", t->replay->damage);
	return true;
}

/* After the screen is up: the first event, and why loading stopped. */
void
replay_start(struct tui *t)
{
	struct replay	*rp = t->replay;

	rp->t = t;
	rp->timer = timer_new(t->loop, play_tick, rp);
	t->focus = FOCUS_TRANSCRIPT;
	if (t->sbs != NULL) {
		tui_message(t, false, "side by side, a protocol step at a "
		    "time: Space steps both, ' the next difference, F1 "
		    "lists every key");
		return;
	}
	go(rp, 1);
	if (rp->damage != NULL)
		tui_message(t, true, "%s: loading stopped at %s; the %zu "
		    "events before it are here", rp->path, rp->damage,
		    evlog_count(rp->log));
	else if (rp->info.count > 1)
		tui_message(t, false, "%s holds %u recordings: this is number "
		    "%u, %zu events (--session N picks another)", rp->path,
		    rp->info.count, rp->info.nth, evlog_count(rp->log));
	else
		tui_message(t, false, "replay of %zu events: Space steps, "
		    "Backspace back, p plays, F1 lists every key",
		    evlog_count(rp->log));
}

void
replay_end(struct tui *t)
{
	timer_free(t->replay->timer);
	t->replay->timer = NULL;
}

static const struct opt replay_opts[] = {
	{ "speed", required_argument, 's', OPTK_NONE, "X",
	    "play at X times the recorded pace", 0 },
	{ "theme", required_argument, 't', OPTK_THEME, "NAME",
	    "colour theme", 0 },
	{ "session", required_argument, 'n', OPTK_NONE, "N",
	    "the Nth recording of the file (default 1)", 0 },
	{ "help", no_argument, 'h', OPTK_NONE, NULL, "this help", 0 },
};

const struct optcmd replay_cmd = {
	"replay", "mailscope replay", replay_opts,
	sizeof replay_opts / sizeof replay_opts[0], OPTK_FILE
};

static const char replay_head[] =
"usage: mailscope replay [--speed X] [--theme NAME] [--session N] "
    "FILE.jsonl\n"
"       mailscope replay [--speed X] [--theme NAME] [--session N] "
    "A.jsonl B.jsonl\n"
"FILE.jsonl may be -: the recording is read from standard input, then\n"
"the screen from the terminal (/dev/tty).  Two recordings play side by\n"
"side, step by step, what differs marked (--speed X: X steps a second,\n"
"--session N: A's Nth recording).\n\n";

/* replay -: the recording came on stdin; the keys come from the tty. */
static int
replay_tty(char *err, size_t errlen)
{
	int	fd;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "/dev/tty: %s", strerror(errno));
		return -1;
	}
	if (dup2(fd, STDIN_FILENO) == -1) {
		snprintf(err, errlen, "/dev/tty: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* A recording for the side-by-side replay; NULL: said why. */
static struct evlog *
load_side(const char *path, int nth, struct recording_info *ri)
{
	struct evlog	*log = evlog_new(true);
	char		 err[512];

	if (strcmp(path, "-") == 0) {
		fprintf(stderr, "mailscope replay: side by side, both "
		    "recordings are files (not -)\n");
		evlog_free(log);
		return NULL;
	}
	if (recording_load_classified(path, (unsigned)nth, log, ri, err,
	    sizeof err) < 0) {
		fprintf(stderr, "mailscope replay: %s\n", err);
		evlog_free(log);
		return NULL;
	}
	if (ri->truncated)
		fprintf(stderr, "mailscope replay: %s: loading stopped at %s; "
		    "the events before it are compared\n", path, err);
	return log;
}

/*
 * replay A.jsonl B.jsonl: the two side by side (--session N is A's;
 * --speed X plays X steps a second).
 */
static int
replay_two(struct session_opts *so, struct tui_opts *to, const char *a,
    const char *b, int nth, double speed)
{
	struct replay		 rp;
	struct recording_info	 ri[2];
	struct evlog		*log[2] = { NULL, NULL };
	char			 err[512];
	int			 rc = EXIT_USAGE;

	memset(&rp, 0, sizeof rp);
	memset(ri, 0, sizeof ri);
	rp.speed = 1;
	rp.path = (char *)a;
	if ((log[0] = load_side(a, nth, &ri[0])) == NULL ||
	    (log[1] = load_side(b, 1, &ri[1])) == NULL)
		goto out;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "mailscope replay: needs a terminal (mailscope "
		    "export --compare B.jsonl A.jsonl renders the two as "
		    "text)\n");
		goto out;
	}
	if (target_parse(ri[0].target, &so->target, err, sizeof err) == -1 &&
	    target_parse("smtp://recording", &so->target, err, sizeof err) ==
	    -1)
		fatalx("%s", err);
	rp.log = log[0];
	rp.info = ri[0];
	memset(&ri[0], 0, sizeof ri[0]);
	to->replay = &rp;
	to->sbs = sidebyside_replay(log[0], log[1], a, b, speed);
	rc = tui_main(so, to);
	sidebyside_free(to->sbs);
	target_free(&so->target);
	recording_info_free(&rp.info);
out:
	recording_info_free(&ri[0]);
	recording_info_free(&ri[1]);
	evlog_free(log[0]);
	evlog_free(log[1]);
	return rc;
}

int
replay_main(int argc, char **argv)
{
	struct replay		 rp;
	struct session_opts	 so;
	struct tui_opts		 to;
	struct opt_getopt	 g;
	struct buf		 b = { 0 };
	char			 err[512], *end;
	int			 ch, n, rc, nth = 1;

	memset(&rp, 0, sizeof rp);
	memset(&so, 0, sizeof so);
	memset(&to, 0, sizeof to);
	rp.speed = 1;
	/* On stderr for batch mode; the screen hides stderr. */
	if (config_load(NULL, &so, &to, err, sizeof err) == -1) {
		fprintf(stderr, "mailscope: %s\n", err);
		to.config_error = err;
	}
	opt_getopt(&replay_cmd, &g);
	optind = 1;
	while ((ch = opt_next(&g, argc, argv)) != -1) {
		switch (ch) {
		case 's':
			errno = 0;
			rp.speed = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || errno != 0 ||
			    !isfinite(rp.speed) || rp.speed < SPEED_MIN ||
			    rp.speed > SPEED_MAX) {
				fprintf(stderr, "mailscope replay: bad --speed "
				    "'%s' (%g to %g)\n", optarg, SPEED_MIN,
				    SPEED_MAX);
				opt_getopt_free(&g);
				return EXIT_USAGE;
			}
			break;
		case 't':
			to.theme = optarg;
			break;
		case 'n':
			if ((nth = session_number_arg("replay", optarg)) == 0) {
				opt_getopt_free(&g);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			buf_adds(&b, replay_head);
			opt_help(&replay_cmd, &b);
			fwrite(b.p, 1, b.len, stdout);
			buf_free(&b);
			opt_getopt_free(&g);
			return fflush(stdout) == 0 ? EXIT_OK : EXIT_WRITE;
		default:
			opt_error(&replay_cmd, ch, argv, &b);
			fputs(b.p, stderr);
			buf_free(&b);
			opt_getopt_free(&g);
			return EXIT_USAGE;
		}
	}
	opt_getopt_free(&g);
	if (argc - optind != 1 && argc - optind != 2) {
		fprintf(stderr, "mailscope replay: %s (see mailscope replay "
		    "--help)\n", argc == optind ? "missing FILE.jsonl" :
		    "one recording, or two side by side");
		return EXIT_USAGE;
	}
	if (argc - optind == 2)
		return replay_two(&so, &to, argv[optind], argv[optind + 1],
		    nth, rp.speed);
	rp.path = argv[optind];
	if (strcmp(rp.path, "-") == 0) {
		if (isatty(STDIN_FILENO)) {
			fprintf(stderr, "mailscope replay: -: the recording "
			    "comes on standard input, which is the terminal: "
			    "pipe or redirect it in\n");
			return EXIT_USAGE;
		}
		rp.path = "/dev/stdin";
	}
	rp.log = evlog_new(true);
	n = recording_load_classified(rp.path, (unsigned)nth, rp.log,
	    &rp.info, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "mailscope replay: %s\n", err);
		evlog_free(rp.log);
		return EXIT_USAGE;
	}
	if (rp.info.truncated)
		rp.damage = xstrdup(err);
	if (strcmp(argv[optind], "-") == 0 && isatty(STDOUT_FILENO) &&
	    replay_tty(err, sizeof err) == -1) {
		fprintf(stderr, "mailscope replay: -: the recording was read; "
		    "the keys need the terminal: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "mailscope replay: needs a terminal (mailscope "
		    "export renders a recording as text)\n");
		rc = EXIT_USAGE;
		goto out;
	}
	/* The target is only shown; a recording from elsewhere may not
	 * parse as one, and is still worth replaying. */
	if (target_parse(rp.info.target, &so.target, err, sizeof err) == -1 &&
	    target_parse("smtp://recording", &so.target, err, sizeof err) ==
	    -1)
		fatalx("%s", err);
	to.replay = &rp;
	rc = tui_main(&so, &to);
	target_free(&so.target);
out:
	recording_info_free(&rp.info);
	free(rp.damage);
	evlog_free(rp.log);
	return rc;
}
