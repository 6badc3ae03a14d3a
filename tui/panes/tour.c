/* SPDX-License-Identifier: ISC */
/*
 * The guided tour (mailscope --lab --tour): a banner above the status bar
 * says what to type and why; each step watches the event log for what
 * the learner did and goes on only when it happened and the learner
 * presses Enter on an empty line (or types :next).  Some steps move the
 * session to another lab port, or restart the lab with another scenario
 * to show an attack.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui.h"

enum tour_wait {
	TW_NONE,	/* reading only */
	TW_GREETING,	/* the server's first reply */
	TW_EHLO,	/* the last line of a 250 reply to EHLO */
	TW_VERIFY,	/* the verdict after a handshake */
	TW_CAPDIFF,	/* capabilities asked again inside TLS */
	TW_MAIL,	/* 250 after the "." that ends DATA */
	TW_LITERAL,	/* a message body from FETCH */
	TW_WARNING,	/* a warning or error with the step's code */
	TW_PANEL,	/* ? in the TLS panel */
};

enum tour_move {
	TM_STAY,
	TM_IMAP,	/* the lab's IMAP port, STARTTLS done by mailscope */
	TM_LAB,		/* the lab restarted with the step's scenario */
};

struct tour_step {
	const char	*title;
	const char	*type;		/* what to type; NULL: nothing */
	const char	*why;
	enum tour_wait	 wait;
	const char	*code;		/* TW_WARNING: the warning's code */
	const char	*seen;		/* once the learner did it */
	enum tour_move	 move;		/* done when the step begins */
	const char	*scenario;	/* TM_LAB */
	bool		 panel;		/* once done, show the TLS panel */
};

static const struct tour_step steps[] = {
	{ "The greeting",
	  NULL,
	  "mailscope connected to the lab's submission port, in plaintext: "
	  "like port 587, where mail programs hand mail to their server (25 "
	  "is server to server, 2525 an unofficial stand-in for 587, 465 "
	  "starts with TLS at once).  A mail server speaks first.",
	  TW_GREETING, NULL,
	  "The S: 220 line is the greeting: the server is ready.  Every "
	  "reply starts with a three-digit code; 2xx means success "
	  "(RFC 5321 §4.2).",
	  TM_STAY, NULL, false },
	{ "Ask what the server can do",
	  "EHLO me",
	  "EHLO says who the client is and asks the server to list its "
	  "extensions, one per 250- line (RFC 5321 §4.1.1.1).",
	  TW_EHLO, NULL,
	  "Find 250-STARTTLS: the server offers to turn this connection "
	  "into TLS.  No AUTH yet: the lab takes passwords only inside TLS.",
	  TM_STAY, NULL, false },
	{ "Switch to TLS",
	  "STARTTLS",
	  "STARTTLS asks to encrypt this same connection (RFC 3207).  The "
	  "server answers 220, then the TLS handshake runs.",
	  TW_VERIFY, NULL,
	  "The rule in the transcript marks where TLS began; later lines "
	  "carry a lock.  The status bar shows the verdict: VERIFIED, as "
	  "mailscope trusts the lab's CA for this session.",
	  TM_STAY, NULL, true },
	{ "The TLS panel",
	  "Tab  Tab  then  ?",
	  "The TLS panel sums up the handshake: the TLS version "
	  "both sides agreed on (the highest they share), the cipher, the "
	  "key exchange, the server's certificate and the verdict.  Tab "
	  "moves from the command line to the transcript, then to the "
	  "panel, where ? explains every field.",
	  TW_PANEL, NULL,
	  "Every field in plain words, with its RFC; Up/Down scroll.  Esc "
	  "gives the facts back, Esc again returns to the command line.",
	  TM_STAY, NULL, true },
	{ "Ask again",
	  "EHLO me",
	  "What the server said before TLS could have been forged on the "
	  "way, so a client forgets it and asks again (RFC 3207 §4.2).",
	  TW_CAPDIFF, NULL,
	  "The capability diff shows what changed: AUTH appeared now that "
	  "the channel is encrypted, and STARTTLS is gone.",
	  TM_STAY, NULL, false },
	{ "Send a mail",
	  ":auth plain demo  (password demo)  then  "
	  "MAIL FROM:<you@lab.mailscope.test>  then  "
	  "RCPT TO:<demo@lab.mailscope.test>  then  DATA  then a line of "
	  "text  then a lone .",
	  "A submission port takes mail only from its own users: log in "
	  "first (RFC 6409 §4.3).  MAIL names the sender, RCPT the "
	  "recipient, DATA the message; a line with only a dot ends it "
	  "(RFC 5321 §3.3).",
	  TW_MAIL, NULL,
	  "250 after the dot: the server took the message.  It waits in "
	  "demo's mailbox.",
	  TM_STAY, NULL, false },
	{ "Read it back over IMAP",
	  "a LOGIN demo demo  then  a SELECT INBOX  then  a FETCH 1 BODY[]",
	  "mailscope moved to the lab's IMAP port and did STARTTLS for you.  "
	  "An IMAP command starts with a tag (a); the answer carries the "
	  "same tag (RFC 9051).",
	  TW_LITERAL, NULL,
	  "The {N} literal is the message exactly as stored, with the "
	  "Received: line the server added.  The password was redacted.",
	  TM_IMAP, NULL, false },
	{ "Attack: STARTTLS removed",
	  "EHLO me",
	  "The lab restarted as a server without STARTTLS, as an attacker on "
	  "the path can make any server look.",
	  TW_WARNING, "no-starttls",
	  "No 250-STARTTLS, and AUTH offered in plaintext: mailscope warns "
	  "(the !! lines).  A careful client stops here instead of sending "
	  "a password.",
	  TM_LAB, "no-starttls", false },
	{ "Attack: injected replies",
	  "EHLO me  then  STARTTLS",
	  "The lab now plays an attacker who adds replies to the same packet "
	  "as the STARTTLS go-ahead, hoping they are read as if they came "
	  "inside TLS: response injection, a client bug (CVE-2020-14954).",
	  TW_WARNING, "response-injection",
	  "mailscope saw bytes after the 220 go-ahead, marked them "
	  "<injected> and closed the session instead of trusting them.",
	  TM_LAB, "inject-response", false },
	{ "The end",
	  NULL,
	  "That is the tour.  :explain glosses every line.  Tab, then "
	  "Up/Down select a line in the transcript and F1 or ? explains it; "
	  "? in the TLS panel explains the panel.  Ctrl-D leaves.",
	  TW_NONE, NULL, NULL, TM_STAY, NULL, false },
};
#define NSTEPS	(sizeof steps / sizeof steps[0])

static const char *const waiting[] = {
	[TW_NONE] = "Enter (or :next): go on.",
	[TW_GREETING] = "Waiting for the greeting...",
	[TW_EHLO] = "Waiting for your EHLO and its reply...",
	[TW_VERIFY] = "Waiting for STARTTLS and the handshake...",
	[TW_CAPDIFF] = "Waiting for EHLO inside TLS...",
	[TW_MAIL] = "Waiting for the 250 after your lone dot...",
	[TW_LITERAL] = "Waiting for the message from FETCH...",
	[TW_WARNING] = "Waiting for what mailscope notices...",
	[TW_PANEL] = "Waiting for ? in the TLS panel...",
};

struct tour {
	size_t		  step;
	bool		  done;		/* the step's check passed */
	bool		  hidden;	/* :tour shows it again */
	bool		  ehlo;		/* the last command was EHLO */
	bool		  dot;		/* the last client line was "." */
	bool		  helo;		/* ... was HELO */
	char		  hint[160];	/* why the step is not done yet */
	struct target	  target;	/* ours once the tour moved */
	bool		  own_target;
	char		 *lab_note;
	struct session	**old;		/* closed sessions, freed at the end */
	size_t		  nold;
	WINDOW		 *win;
	int		  y, w;
	struct rtext	  lines[5];
};

void
tour_start(struct tui *t)
{
	t->tour = xcalloc(1, sizeof *t->tour);
}

void
tour_free(struct tui *t)
{
	struct tour	*tr = t->tour;
	size_t		 i;

	if (tr == NULL)
		return;
	for (i = 0; i < tr->nold; i++)
		session_free(tr->old[i]);
	free(tr->old);
	if (tr->own_target)
		target_free(&tr->target);
	free(tr->lab_note);
	if (tr->win != NULL)
		delwin(tr->win);
	for (i = 0; i < sizeof tr->lines / sizeof tr->lines[0]; i++)
		rtext_free(&tr->lines[i]);
	free(tr);
	t->tour = NULL;
}

/* The next line of the banner, empty, wrapping at words. */
static struct rtext *
banner_line(struct tour *tr, size_t *n, int indent)
{
	struct rtext	*r = &tr->lines[(*n)++];

	rtext_reset(r);
	r->words = true;
	r->indent = indent;
	return r;
}

/* The banner's text, for the step as it is or once done. */
static size_t
build(struct tui *t, bool done)
{
	struct tour		*tr = t->tour;
	const struct tour_step	*s = &steps[tr->step];
	struct rtext		*r;
	size_t			 n = 0;

	r = banner_line(tr, &n, 0);
	rtext_printf(r, SLOT_HELP_TITLE, "Tour %zu/%zu: %s", tr->step + 1,
	    NSTEPS, s->title);
	if (s->type != NULL) {
		r = banner_line(tr, &n, 6);
		rtext_adds(r, SLOT_HELP, "Type: ");
		rtext_adds(r, SLOT_HELP_KEY, s->type);
	}
	r = banner_line(tr, &n, 0);
	rtext_adds(r, SLOT_HELP, s->why);
	if (tr->step + 1 == NSTEPS)
		return n;	/* the end: nothing to wait for */
	if (!done && tr->hint[0] != '\0') {
		r = banner_line(tr, &n, 2);
		rtext_adds(r, SLOT_HELP_KEY, "! ");
		rtext_adds(r, SLOT_HELP, tr->hint);
	}
	r = banner_line(tr, &n, 0);
	if (done && s->seen != NULL) {
		rtext_adds(r, SLOT_HELP_KEY, t->utf8 ? "\xe2\x9c\x94 " : "OK ");
		rtext_adds(r, SLOT_HELP, s->seen);
		rtext_adds(r, SLOT_HELP_KEY, "  Enter (or :next): go on.");
	} else
		rtext_adds(r, SLOT_HELP_KEY, waiting[s->wait]);
	return n;
}

static int
text_rows(struct tui *t, size_t n)
{
	size_t	i;
	int	rows = 0;

	for (i = 0; i < n; i++)
		rows += rtext_rows(&t->tour->lines[i], t->cols - 2,
		    t->tour->lines[i].indent);
	return rows;
}

/* Room for the step before and after it is done, so it never jumps. */
int
tour_rows(struct tui *t)
{
	int	a, b, max;

	if (t->tour == NULL || t->tour->hidden || t->cols < 20)
		return 0;
	a = text_rows(t, build(t, false));
	b = text_rows(t, build(t, true));
	max = (t->rows - 2) / 2;
	a = a > b ? a : b;
	return a > max ? max : a;
}

/* The banner: between the panes and the status bar. */
static void
tour_layout(struct tui *t)
{
	struct tour	*tr = t->tour;
	int		 h = tour_rows(t), y = t->rows - 2 - h, cols = t->cols;

	if (tr == NULL)
		return;
	if (tr->win != NULL)
		delwin(tr->win);
	tr->win = h > 0 ? newwin(h, cols, y, 0) : NULL;
	tr->y = y;
	tr->w = cols;
}

static void
tour_draw(struct tui *t)
{
	struct tour	*tr = t->tour;
	size_t		 i, n;
	int		 row = 0, h;

	if (tr == NULL || tr->win == NULL || tr->hidden)
		return;
	h = getmaxy(tr->win);
	colour_bkgd(tr->win, SLOT_HELP);
	werase(tr->win);
	n = build(t, tr->done);
	for (i = 0; i < n && row < h; i++)
		row += rtext_draw(tr->win, &tr->lines[i], row, 1, tr->w - 2,
		    tr->lines[i].indent, 0, h - row);
	wnoutrefresh(tr->win);
}

/* Did this event complete what the step waits for? */
static bool
check(struct tour *tr, const struct tour_step *s, const struct event *ev)
{
	bool	end = ev->kind == EV_DATA && ev->dir == DIR_SERVER &&
		    (ev->flags & EVF_END);

	switch (s->wait) {
	case TW_NONE:
		return false;
	case TW_GREETING:
		return end;
	case TW_EHLO:
		return end && tr->ehlo && ev->cls.code == 250;
	case TW_VERIFY:
		return ev->kind == EV_VERIFY;
	case TW_CAPDIFF:
		return ev->kind == EV_CAPDIFF;
	case TW_MAIL:
		return end && tr->dot && ev->cls.code == 250;
	case TW_LITERAL:
		return ev->kind == EV_DATA && ev->dir == DIR_SERVER &&
		    (ev->flags & EVF_LITERAL);
	case TW_WARNING:
		return (ev->kind == EV_WARNING || ev->kind == EV_ERROR) &&
		    ev_code_is(ev, s->code);
	case TW_PANEL:
		return false;	/* tour_panel() says so */
	}
	return false;
}

/* The step is done: the banner says what the learner saw. */
static void
step_done(struct tui *t)
{
	t->tour->done = true;
	t->tour->hint[0] = '\0';
	/* A small terminal hides the panel the step talks about. */
	if (steps[t->tour->step].panel && t->tp_h == 0)
		t->panel = PANEL_SHOWN;
	tui_relayout(t);
}

/* A final reply that refuses the learner's command, as the engine
 * classified it. */
static bool
refused(const struct event *ev, char *code, size_t size)
{
	const struct ev_class	*c = &ev->cls;
	const char		*p;
	size_t			 n;

	if (ev->kind != EV_DATA || ev->dir != DIR_SERVER ||
	    !(ev->flags & EVF_END) || (ev->flags & EVF_INJECTED))
		return false;
	/* A refusal completes the command: IMAP's "* NO" only informs. */
	if (!(c->bits & EVC_FINAL))
		return false;
	if (c->status != RS_TEMPFAIL && c->status != RS_NO &&
	    c->status != RS_BAD)
		return false;
	if (c->code != 0)
		snprintf(code, size, "%03u", c->code);
	else {
		/* The status word the engine read, after the tag. */
		p = ev->data + (c->tag != 0 ? c->tag + 1 : 0);
		n = strcspn(p, " ");
		snprintf(code, size, "%.*s", (int)(n < 8 ? n : 8), p);
	}
	return true;
}

static void	hint(struct tui *, const char *, ...) PRINTFLIKE(2, 3);

/* Tell the learner why the step does not go on, or stop telling. */
static void
hint(struct tui *t, const char *fmt, ...)
{
	struct tour	*tr = t->tour;
	char		 old[sizeof tr->hint];
	va_list		 ap;

	memcpy(old, tr->hint, sizeof old);
	tr->hint[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(tr->hint, sizeof tr->hint, fmt, ap);
		va_end(ap);
	}
	if (strcmp(old, tr->hint) != 0)
		tui_relayout(t);
}

static void
tour_event(struct tui *t, const struct event *ev)
{
	struct tour		*tr = t->tour;
	const struct tour_step	*s;
	char			 code[8];
	size_t			 n;

	if (tr == NULL)
		return;
	s = &steps[tr->step];
	if (ev->kind == EV_DATA && ev->dir == DIR_CLIENT) {
		tr->dot = ev->len == 1 && ev->data[0] == '.';
		if (!(ev->flags & EVF_BODY)) {
			n = strcspn(ev->data, " ");
			tr->ehlo = n == 4 && strncasecmp(ev->data, "EHLO",
			    4) == 0;
			tr->helo = n == 4 && strncasecmp(ev->data, "HELO",
			    4) == 0;
			if (!tr->done)
				hint(t, NULL);
		}
	}
	if (tr->done)
		return;
	if (check(tr, s, ev)) {
		step_done(t);
		return;
	}
	/* What the learner typed did not do it: say why. */
	if (s->type == NULL || s->wait == TW_WARNING)
		return;
	if (refused(ev, code, sizeof code))
		hint(t, "The server answered %s: it refused that command.  "
		    "Compare what you typed with the Type: line and try "
		    "again (Tab, then F1 explains the reply).", code);
	else if (tr->helo && (s->wait == TW_EHLO || s->wait == TW_CAPDIFF) &&
	    ev->kind == EV_DATA && ev->dir == DIR_SERVER &&
	    (ev->flags & EVF_END))
		hint(t, "That was HELO, the old greeting: its reply lists no "
		    "extensions.  Type EHLO me instead.");
}

/* ? in the TLS panel: what the panel step waits for.  The
 * explanation pane after this one shows it. */
static bool
tour_key(struct tui *t, const struct binding *b)
{
	struct tour	*tr = t->tour;

	if (b->action == A_EXPLAIN_PANEL && tr != NULL && !tr->done &&
	    steps[tr->step].wait == TW_PANEL)
		step_done(t);
	return false;
}

/* Leave the current session for one on t->sopts. */
static void
reconnect(struct tui *t, const char *url)
{
	struct tour	*tr = t->tour;
	struct target	 tg;
	char		 err[256];

	if (target_parse(url, &tg, err, sizeof err) == -1) {
		tui_message(t, true, "tour: %s", err);
		return;
	}
	if (t->session != NULL) {
		if (session_state(t->session) != STATE_CLOSED &&
		    session_state(t->session) != STATE_DISCONNECTED)
			session_close(t->session, "closed: the tour moves on");
		/* Kept until the end: the loop may still name it. */
		tr->old = xreallocarray(tr->old, tr->nold + 1,
		    sizeof *tr->old);
		tr->old[tr->nold++] = t->session;
		t->session = NULL;
	}
	if (tr->own_target)
		target_free(&tr->target);
	tr->target = tg;
	tr->own_target = true;
	t->sopts.target = tr->target;
	tui_connect(t);
}

static void
go_to(struct tui *t, const struct tour_step *s)
{
	struct tour	*tr = t->tour;
	struct lab_info	*li = t->opts.lab;
	struct lab_opts	 lo;
	char		 url[128], err[512];

	if (s->move == TM_STAY)
		return;
	if (li == NULL) {
		tui_message(t, true, "the tour needs the lab (--lab)");
		return;
	}
	if (s->move == TM_IMAP) {
		t->sopts.starttls = true;
		snprintf(url, sizeof url, "imap://127.0.0.1:%d", li->imap_port);
		reconnect(t, url);
		return;
	}
	if (t->session != NULL && session_state(t->session) != STATE_CLOSED &&
	    session_state(t->session) != STATE_DISCONNECTED)
		session_close(t->session, "closed: the tour restarts the lab");
	lab_stop(li);
	memset(&lo, 0, sizeof lo);
	lo.scenario = s->scenario;
	if (lab_spawn(&lo, li, err, sizeof err) == -1) {
		tui_message(t, true, "tour: the lab did not start: %s", err);
		return;
	}
	free(tr->lab_note);
	xasprintf(&tr->lab_note, "lab: scenario %s, CA %s (trusted for this "
	    "session only)", s->scenario, li->ca_path);
	t->opts.lab_info = tr->lab_note;
	t->sopts.cafile = li->ca_path;
	t->sopts.starttls = false;
	snprintf(url, sizeof url, "submission://127.0.0.1:%d",
	    li->submission_port);
	reconnect(t, url);
}

void
tour_cmd_next(struct tui *t, const char *args)
{
	struct tour		*tr = t->tour;
	const struct tour_step	*s;

	(void)args;
	if (tr == NULL) {
		tui_message(t, true, "no tour (mailscope --lab --tour)");
		return;
	}
	s = &steps[tr->step];
	tr->hidden = false;
	if (!tr->done && s->wait != TW_NONE) {
		tui_message(t, false, "tour step %zu: %s", tr->step + 1,
		    s->type != NULL ? "type what the banner says first" :
		    "wait for the server first");
		tui_relayout(t);
		return;
	}
	if (tr->step + 1 == NSTEPS) {
		tui_message(t, false, "the tour is over; Ctrl-D leaves");
		return;
	}
	tr->step++;
	tr->done = false;
	tr->ehlo = tr->dot = tr->helo = false;
	tr->hint[0] = '\0';
	tui_relayout(t);
	go_to(t, &steps[tr->step]);
}

/* :tour shows the banner again, :tour off hides it. */
void
tour_cmd_show(struct tui *t, const char *args)
{
	if (t->tour == NULL) {
		tui_message(t, true, "no tour (mailscope --lab --tour)");
		return;
	}
	if (*args != '\0' && strcmp(args, "off") != 0) {
		tui_message(t, true, "usage: :tour [off]");
		return;
	}
	t->tour->hidden = *args != '\0';
	tui_relayout(t);
}

void
tour_enter(struct tui *t)
{
	if (t->tour != NULL)
		tour_cmd_next(t, "");
}

const struct pane_ops tour_pane = {
	.name = "tour",
	.dirty = D_STATUS | D_CMDLINE,
	.layout = tour_layout,
	.draw = tour_draw,
	.key = tour_key,
	.event = tour_event,
};
