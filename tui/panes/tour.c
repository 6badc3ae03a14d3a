/* SPDX-License-Identifier: ISC */
/*
 * The guided tour (mailscope --lab --tour): chapters of steps, each a
 * banner of at most three rows above the status bar that says what to
 * type and why.  A step watches the event log for what the learner did
 * and goes on when it happened and the learner presses Enter (or types
 * :next); :tour back, :tour skip and :tour N (or F5's list) move freely.
 * A step names the lab scenario and port it happens on: entering it
 * restarts the lab or moves the session when they differ.  A chapter
 * may end with a question answered with :answer and checked against
 * the session summary (the digest), never against fixed text.
 */
#include <curses.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui.h"

#define BANNER_ROWS	3

enum tour_wait {
	TW_NONE,	/* reading only */
	TW_GREETING,	/* the server's first reply */
	TW_EHLO,	/* the last line of a 250 reply to EHLO */
	TW_VERIFY,	/* the verdict after a handshake */
	TW_CAPDIFF,	/* capabilities asked again inside TLS */
	TW_MAIL,	/* 250 after the "." that ends DATA */
	TW_LITERAL,	/* a message body from FETCH */
	TW_WARNING,	/* a warning or error with the step's code */
	TW_REPLY,	/* a final reply with the step's code */
	TW_PANEL,	/* ? in the TLS panel */
};

/* Where on the lab a step happens. */
enum tour_place {
	TP_SUBMISSION,	/* 587's stand-in, plaintext */
	TP_SMTPS,	/* 465's, implicit TLS */
	TP_IMAPS,	/* 993's */
	TP_POP3S,	/* 995's */
	TP_IMAP_TLS,	/* 143's, STARTTLS done by mailscope */
	TP_IMAP,	/* 143's, plaintext */
	TP_POP3,	/* 110's, plaintext */
};

static const struct {
	const char	*scheme;
	bool		 starttls;
} places[] = {
	[TP_SUBMISSION] = { "submission", false },
	[TP_SMTPS] = { "smtps", false },
	[TP_IMAPS] = { "imaps", false },
	[TP_POP3S] = { "pop3s", false },
	[TP_IMAP_TLS] = { "imap", true },
	[TP_IMAP] = { "imap", false },
	[TP_POP3] = { "pop3", false },
};

/* What a chapter's question is about, read from the digest. */
enum tour_check {
	CK_NONE,
	CK_STARTTLS,	/* is STARTTLS in the last capability list? */
	CK_VERSION,	/* the TLS version negotiated */
	CK_ADDED,	/* a capability offered only inside TLS */
	CK_VERIFIED,	/* was the certificate verified? */
	CK_SECRET,	/* did the last credential cross in plaintext? */
	CK_ENFORCED,	/* did the server take MAIL FROM in plaintext? */
	CK_PLAIN,	/* did this connection carry plaintext lines? */
	CK_REMOVED,	/* a capability offered only in plaintext */
	CK_INJECTED,	/* how many lines were injected */
	CK_SMUGGLED,	/* the command sent with STARTTLS */
	CK_PROBE,	/* how many probe findings were warn or bad */
};

struct tour_chapter {
	const char	*title;
	enum tour_check	 check;
	const char	*question;
};

static const struct tour_chapter chapters[] = {
	{ "The greeting and EHLO", CK_STARTTLS,
	  "Does this server offer STARTTLS?  :answer yes or no" },
	{ "STARTTLS and the handshake", CK_VERSION,
	  "Which TLS version was negotiated?  :answer VERSION" },
	{ "Capabilities before and after", CK_ADDED,
	  "Name a capability offered only inside TLS.  :answer NAME" },
	{ "Send a mail, read it back", CK_SECRET,
	  "Did the password cross in plaintext or inside TLS?  "
	  ":answer plain or tls" },
	{ "Version negotiation", CK_VERSION,
	  "Which version was negotiated, and why?  :answer VERSION" },
	{ "Enforced or opportunistic", CK_ENFORCED,
	  "Did the server take MAIL FROM before TLS?  :answer yes or no" },
	{ "Implicit TLS: 465, 993, 995", CK_PLAIN,
	  "Did any line of this connection cross in plaintext?  "
	  ":answer yes or no" },
	{ "POP3 STLS and IMAP STARTTLS", CK_REMOVED,
	  "Type a CAPABILITY inside TLS: which capability went away?  "
	  ":answer NAME" },
	{ "Stripping", CK_STARTTLS,
	  "Does the server, as this client sees it, offer STARTTLS?  "
	  ":answer yes or no" },
	{ "The client's side", CK_SECRET,
	  "Did the password cross in plaintext or inside TLS?  "
	  ":answer plain or tls" },
	{ "Response injection", CK_INJECTED,
	  "How many lines came injected after the go-ahead?  :answer N" },
	{ "Command injection", CK_SMUGGLED,
	  "Which command was sent with STARTTLS in one write?  "
	  ":answer COMMAND" },
	{ "Certificate failures", CK_VERIFIED,
	  "Was the certificate verified?  :answer yes or no" },
	{ "Test it: :probe", CK_PROBE,
	  "How many of the probe's findings were warn or bad?  :answer N" },
	{ "The end", CK_NONE, NULL },
};
#define NCHAPTERS	(sizeof chapters / sizeof chapters[0])

struct tour_step {
	size_t		 ch;		/* its chapter */
	const char	*type;		/* what to type; NULL: nothing */
	const char	*why;
	enum tour_wait	 wait;
	const char	*code;		/* TW_WARNING, TW_REPLY */
	const char	*seen;		/* once the learner did it */
	const char	*scenario;	/* the lab's */
	enum tour_place	 place;
	bool		 fresh;		/* a new connection to begin with */
	bool		 panel;		/* once done, show the TLS panel */
	const char	*plain_type;	/* what to type on a plaintext
					 * connection (a jump, :tour back) */
};

static const struct tour_step steps[] = {
	{ 0, NULL,
	  "mailscope connected to the lab's stand-in for 587 (submission) in "
	  "plaintext; 25 is server to server.  A mail server speaks first.",
	  TW_GREETING, NULL,
	  "S: 220 is the greeting: the server is ready.  2xx means success "
	  "(RFC 5321 §4.2).",
	  "good", TP_SUBMISSION, true, false, NULL },
	{ 0, "EHLO me",
	  "EHLO names the client and asks for the server's extensions, one "
	  "per 250- line (RFC 5321 §4.1.1.1).",
	  TW_EHLO, NULL,
	  "250-STARTTLS: the offer to encrypt this connection.  No AUTH: "
	  "passwords only inside TLS.",
	  "good", TP_SUBMISSION, false, false, NULL },
	{ 1, "STARTTLS",
	  "STARTTLS asks to encrypt this same connection (RFC 3207); the "
	  "server answers 220, then the TLS handshake runs.",
	  TW_VERIFY, NULL,
	  "The rule marks where TLS began; the status bar shows the "
	  "verdict.  Tab, the STARTTLS line, F1: the lesson.",
	  "good", TP_SUBMISSION, false, true, NULL },
	{ 1, "Tab  Tab  then  ?",
	  "The TLS panel sums up the handshake: version (the highest both "
	  "sides speak), cipher, key exchange, certificate, verdict.",
	  TW_PANEL, NULL,
	  "Every field in plain words with its RFC; Esc gives the facts "
	  "back.",
	  "good", TP_SUBMISSION, false, true, NULL },
	{ 2, "EHLO me",
	  "What the server said before TLS could have been forged on the "
	  "way: a client forgets it and asks again (RFC 3207 §4.2).",
	  TW_CAPDIFF, NULL,
	  "The capability diff: AUTH appeared inside TLS, STARTTLS went.",
	  "good", TP_SUBMISSION, false, false,
	  "EHLO me  STARTTLS  then  EHLO me" },
	{ 3, ":auth plain demo (password: demo)  MAIL FROM:<you>  "
	  "RCPT TO:<demo>  DATA  text  .",
	  "Submission wants a login first (RFC 6409 §4.3); a lone dot ends "
	  "the message (RFC 5321 §3.3).",
	  TW_MAIL, NULL,
	  "250 after the dot: the server took the message for demo's "
	  "mailbox.",
	  "good", TP_SUBMISSION, false, false,
	  "EHLO me  STARTTLS  :auth plain demo (password: demo)  "
	  "MAIL FROM:<you>  RCPT TO:<demo>  DATA  text  ." },
	{ 3, "a LOGIN demo demo  a SELECT INBOX  a FETCH 1 BODY[]",
	  "Now on IMAP (143's stand-in), in TLS.  A tag (a) starts each "
	  "command (RFC 9051).",
	  TW_LITERAL, NULL,
	  "The {N} literal is the message as stored, with the server's "
	  "Received: line.  The password was redacted.",
	  "good", TP_IMAP_TLS, false, false, NULL },
	{ 4, "EHLO me  then  STARTTLS",
	  "The lab restarted as a server that speaks TLS 1.2 at most.  "
	  "mailscope offers 1.3 and 1.2: the server chooses.",
	  TW_VERIFY, NULL,
	  "The panel's first lines: TLS1.3 and TLS1.2 offered, TLS1.2 "
	  "chosen.",
	  "tls12-only", TP_SUBMISSION, false, true, NULL },
	{ 5, "EHLO me  then  MAIL FROM:<you>",
	  "Opportunistic TLS takes mail in plaintext; this lab enforces TLS "
	  "(RFC 8314).",
	  TW_REPLY, "530",
	  "530: STARTTLS first.  Senders enforce too: MTA-STS, DANE, "
	  "mailscope --require-tls.",
	  "enforced", TP_SUBMISSION, false, false, NULL },
	{ 6, NULL,
	  "Now on the lab's port 465 (smtps): the handshake comes first, "
	  "no plaintext, nothing to strip.",
	  TW_GREETING, NULL,
	  "The greeting came with a lock: nothing crossed in plaintext.  "
	  "RFC 8314 prefers this to STARTTLS.",
	  "good", TP_SMTPS, true, false, NULL },
	{ 6, NULL,
	  "Now on the lab's IMAPS port (993's stand-in): TLS first, then "
	  "the IMAP greeting.",
	  TW_GREETING, NULL,
	  "* OK with a lock: a mail reader's password never crosses in "
	  "plaintext here.",
	  "good", TP_IMAPS, true, false, NULL },
	{ 6, NULL,
	  "Now on the lab's POP3S port (995's stand-in): the same for POP3.",
	  TW_GREETING, NULL,
	  "+OK with a lock.  Ports 465, 993, 995: TLS before any mail "
	  "protocol byte.",
	  "good", TP_POP3S, true, false, NULL },
	{ 7, "CAPA  then  STLS",
	  "Now on the lab's POP3 port (110's stand-in).  CAPA lists what it "
	  "can do; STLS is POP3's STARTTLS (RFC 2595 §4).",
	  TW_VERIFY, NULL,
	  "+OK, then the same handshake as SMTP's.  CAPA again inside TLS: "
	  "the plaintext list is forgotten.",
	  "good", TP_POP3, true, false, NULL },
	{ 7, "a CAPABILITY  then  a STARTTLS",
	  "Now on IMAP (143's stand-in), plaintext: LOGINDISABLED, no "
	  "password before TLS.",
	  TW_VERIFY, NULL,
	  "a OK, then the handshake.  A client asks CAPABILITY again: "
	  "LOGINDISABLED is gone.",
	  "good", TP_IMAP, true, false, NULL },
	{ 8, "EHLO me",
	  "The lab now plays a man in the middle who overwrites "
	  "250-STARTTLS in the list the client sees.",
	  TW_WARNING, "starttls-stripped",
	  "XXXXXXXA where STARTTLS was: mailscope warns (!!).",
	  "strip", TP_SUBMISSION, false, false, NULL },
	{ 9, ":auth demo",
	  "mailscope is a client too: :auth logs in as a mail program would, "
	  "and after stripping it refuses.",
	  TW_NONE, NULL, NULL,
	  "strip", TP_SUBMISSION, false, false, NULL },
	{ 9, "AUTH PLAIN AGRlbW8AZGVtbw==, y",
	  "Typed by hand, AUTH is what a broken client does after stripping "
	  "(curl CVE-2021-22946): mailscope asks, then lets it go.",
	  TW_WARNING, "plaintext-auth",
	  "The password crossed in plaintext (!!).  mailscope judge grades "
	  "a real mail client.",
	  "strip", TP_SUBMISSION, false, false, NULL },
	{ 10, "EHLO me  then  STARTTLS",
	  "The lab now adds replies to the packet of the go-ahead, hoping "
	  "they are read as if inside TLS (CVE-2020-14954).",
	  TW_WARNING, "response-injection",
	  "The bytes after 220 were marked injected; mailscope closed "
	  "instead of trusting them.",
	  "inject-response", TP_SUBMISSION, false, false, NULL },
	{ 11, "EHLO me  then  :starttls NOOP",
	  "The lab now keeps plaintext read with STARTTLS.  :starttls NOOP "
	  "sends both in one write, as an attacker would inject.",
	  TW_WARNING, "command-injection",
	  "NOOP was answered inside TLS: the server executed plaintext "
	  "(CVE-2011-0411).",
	  "inject-command", TP_SUBMISSION, false, false, NULL },
	{ 12, "EHLO me  then  STARTTLS",
	  "The lab now shows a certificate that expired in 2020.  mailscope "
	  "verifies every handshake and says why it failed.",
	  TW_VERIFY, NULL,
	  "NOT VERIFIED, and the reason.  The lab's wrong-host and "
	  "self-signed fail too.",
	  "expired-cert", TP_SUBMISSION, false, true, NULL },
	{ 13, ":probe",
	  "Test a server before trusting it: :probe runs mailscope probe on "
	  "this target (STARTTLS, versions, certificate, injection).",
	  TW_WARNING, "probe-done",
	  "Each finding is a line in the transcript; mailscope probe URL "
	  "does it from a shell.",
	  "good", TP_SUBMISSION, true, false, NULL },
	{ 14, NULL,
	  "The end.  F5 or :tour N: any chapter again.  Tab, a line, F1: its "
	  "lesson.  mailscope judge grades a client.  Ctrl-D leaves.",
	  TW_NONE, NULL, NULL,
	  "good", TP_SUBMISSION, false, false, NULL },
};
#define NSTEPS	(sizeof steps / sizeof steps[0])

struct tour {
	size_t		  step;
	bool		  done;		/* the step's check passed */
	bool		  hidden;	/* :tour shows it again */
	bool		  ehlo;		/* the last command was EHLO */
	bool		  dot;		/* the last client line was "." */
	bool		  helo;		/* ... was HELO */
	char		  hint[160];	/* why the step is not done yet */
	char		  verdict[160];	/* on the learner's answer */
	int		  answer[NCHAPTERS];	/* 1 right, -1 wrong, 0 */
	bool		  finished[NCHAPTERS];	/* its last step was done */
	bool		  shown;	/* the tour showed the TLS panel */
	const char	 *scenario;	/* the lab's now */
	enum tour_place	  place;	/* where the session is */
	struct target	  target;	/* ours once the tour moved */
	bool		  own_target;
	char		 *lab_note;
	struct session	**old;		/* closed sessions, freed at the end */
	size_t		  nold;
	WINDOW		 *win;
	int		  y, w;
	struct rtext	  lines[2];
};

void
tour_start(struct tui *t)
{
	t->tour = xcalloc(1, sizeof *t->tour);
	t->tour->scenario = steps[0].scenario;
	t->tour->place = steps[0].place;
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

/* The chapter's question is asked: its last step is done. */
static bool
asking(const struct tour *tr)
{
	const struct tour_step	*s = &steps[tr->step];

	return tr->done && chapters[s->ch].check != CK_NONE &&
	    (tr->step + 1 == NSTEPS || steps[tr->step + 1].ch != s->ch);
}

/* Which step of its chapter, and how many it has. */
static void
step_of(size_t i, size_t *nth, size_t *n)
{
	size_t	j;

	*nth = *n = 0;
	for (j = 0; j < NSTEPS; j++) {
		if (steps[j].ch != steps[i].ch)
			continue;
		(*n)++;
		if (j <= i)
			(*nth)++;
	}
}

static struct rtext *
banner_line(struct tour *tr, size_t n, int indent)
{
	struct rtext	*r = &tr->lines[n];

	rtext_reset(r);
	r->words = true;
	r->indent = indent;
	return r;
}

/*
 * The banner's two texts: the chapter and what to type, then why (or
 * what went wrong), or once done what the learner saw and what next.
 */
static void
build(struct tui *t, bool done)
{
	struct tour		*tr = t->tour;
	const struct tour_step	*s = &steps[tr->step];
	const struct tour_chapter *c = &chapters[s->ch];
	const char		*ok = t->utf8 ? "\xe2\x9c\x94 " : "OK ";
	const char		*no = t->utf8 ? "\xe2\x9c\x98 " : "NO ";
	struct rtext		*r;
	size_t			 nth, n;

	step_of(tr->step, &nth, &n);
	r = banner_line(tr, 0, 2);
	rtext_printf(r, SLOT_HELP_TITLE, "Tour %zu/%zu: %s", s->ch + 1,
	    NCHAPTERS, c->title);
	if (n > 1)
		rtext_printf(r, SLOT_HELP, " (%zu/%zu)", nth, n);
	if (s->type != NULL && !done) {
		rtext_adds(r, SLOT_HELP, "  Type: ");
		rtext_adds(r, SLOT_HELP_KEY, s->plain_type != NULL &&
		    t->m.dg.phase == DG_TLS_PLAIN ? s->plain_type : s->type);
	}
	r = banner_line(tr, 1, 2);
	if (!done) {
		if (tr->hint[0] != '\0') {
			rtext_adds(r, SLOT_HELP_KEY, "! ");
			rtext_adds(r, SLOT_HELP, tr->hint);
		} else
			rtext_adds(r, SLOT_HELP, s->why);
		if (s->wait == TW_NONE)
			rtext_adds(r, SLOT_HELP_KEY, tr->step + 1 == NSTEPS ?
			    "" : "  Enter: go on.");
		return;
	}
	if (s->seen != NULL && tr->answer[s->ch] == 0) {
		rtext_adds(r, SLOT_HELP_KEY, ok);
		rtext_adds(r, SLOT_HELP, s->seen);
	}
	if (!asking(tr)) {
		rtext_adds(r, SLOT_HELP_KEY, "  Enter: go on.");
		return;
	}
	if (tr->answer[s->ch] == 0) {
		rtext_adds(r, SLOT_HELP_KEY, "  ? ");
		rtext_adds(r, SLOT_HELP_KEY, c->question);
		return;
	}
	rtext_adds(r, SLOT_HELP_KEY, tr->answer[s->ch] > 0 ? ok : no);
	rtext_adds(r, SLOT_HELP, tr->verdict);
	rtext_adds(r, SLOT_HELP_KEY, tr->answer[s->ch] > 0 ?
	    "  Enter: go on." : "  :answer again, or Enter.");
}

static int
text_rows(struct tui *t)
{
	size_t	i;
	int	rows = 0;

	for (i = 0; i < sizeof t->tour->lines / sizeof t->tour->lines[0];
	    i++)
		rows += rtext_rows(&t->tour->lines[i], t->cols - 2,
		    t->tour->lines[i].indent);
	return rows;
}

/* Room for the step before and after it is done, so it never jumps;
 * at most three rows, whatever the text. */
int
tour_rows(struct tui *t)
{
	int	a, b;

	if (t->tour == NULL || t->tour->hidden || t->cols < 20)
		return 0;
	build(t, false);
	a = text_rows(t);
	build(t, true);
	b = text_rows(t);
	a = a > b ? a : b;
	if (a > BANNER_ROWS)
		a = BANNER_ROWS;
	return a > (t->rows - 2) / 2 ? (t->rows - 2) / 2 : a;
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
	size_t		 i;
	int		 row = 0, h;

	if (tr == NULL || tr->win == NULL || tr->hidden)
		return;
	h = getmaxy(tr->win);
	colour_bkgd(tr->win, SLOT_HELP);
	werase(tr->win);
	build(t, tr->done);
	for (i = 0; i < sizeof tr->lines / sizeof tr->lines[0] && row < h;
	    i++)
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
		return (ev->kind == EV_WARNING || ev->kind == EV_ERROR ||
		    ev->kind == EV_INFO) && ev_code_is(ev, s->code);
	case TW_REPLY:
		return end && (ev->cls.bits & EVC_FINAL) &&
		    ev->cls.code == strtoul(s->code, NULL, 10);
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
	if (t->tour->step + 1 == NSTEPS ||
	    steps[t->tour->step + 1].ch != steps[t->tour->step].ch)
		t->tour->finished[steps[t->tour->step].ch] = true;
	/* A small terminal hides the panel the step talks about. */
	if (steps[t->tour->step].panel && t->tp_h == 0) {
		t->panel = PANEL_SHOWN;
		t->tour->shown = true;
	}
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
	if (s->type == NULL || s->wait == TW_WARNING || s->wait == TW_REPLY)
		return;
	if (refused(ev, code, sizeof code))
		hint(t, "The server answered %s: it refused that command.  "
		    "Compare what you typed with Type: and try again (Tab, "
		    "then F1 explains the reply).", code);
	else if (tr->helo && (s->wait == TW_EHLO || s->wait == TW_CAPDIFF) &&
	    ev->kind == EV_DATA && ev->dir == DIR_SERVER &&
	    (ev->flags & EVF_END))
		hint(t, "That was HELO, the old greeting: its reply lists no "
		    "extensions.  Type EHLO me instead.");
}

static void	enter(struct tui *, size_t, bool);
static void	chapter_list(struct tui *);

/*
 * ? in the TLS panel: what the panel step waits for (the explanation
 * pane after this one shows it).  Enter in a pane once the step is
 * done goes on, back on the command line; F5 lists the chapters.
 */
static bool
tour_key(struct tui *t, const struct binding *b)
{
	struct tour	*tr = t->tour;

	if (b->action == A_TOUR) {
		chapter_list(t);
		return true;
	}
	if (tr == NULL || tr->hidden)
		return false;
	if (b->action == A_EXPLAIN_PANEL && !tr->done &&
	    steps[tr->step].wait == TW_PANEL)
		step_done(t);
	if (b->action == A_TOUR_NEXT && (tr->done ||
	    steps[tr->step].wait == TW_NONE)) {
		t->focus = FOCUS_CMDLINE;
		tour_cmd_next(t, "");
		return true;
	}
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

static int
place_port(const struct lab_info *li, enum tour_place p)
{
	switch (p) {
	case TP_SUBMISSION:
		return li->port[LP_SUBMISSION];
	case TP_SMTPS:
		return li->port[LP_SMTPS];
	case TP_IMAPS:
		return li->port[LP_IMAPS];
	case TP_POP3S:
		return li->port[LP_POP3S];
	case TP_IMAP_TLS:
	case TP_IMAP:
		return li->port[LP_IMAP];
	case TP_POP3:
		return li->port[LP_POP3];
	}
	return li->port[LP_SUBMISSION];
}

/* The lab as the step needs it, the session on its port. */
static void
go_to(struct tui *t, const struct tour_step *s)
{
	struct tour	*tr = t->tour;
	struct lab_info	*li = t->opts.lab;
	struct lab_opts	 lo;
	char		 url[128], err[512];

	if (li == NULL) {
		tui_message(t, true, "the tour needs the lab (--lab)");
		return;
	}
	if (strcmp(s->scenario, tr->scenario) != 0) {
		if (t->session != NULL &&
		    session_state(t->session) != STATE_CLOSED &&
		    session_state(t->session) != STATE_DISCONNECTED)
			session_close(t->session, "closed: the tour restarts "
			    "the lab");
		lab_stop(li);
		memset(&lo, 0, sizeof lo);
		lo.scenario = s->scenario;
		if (lab_spawn(&lo, li, err, sizeof err) == -1) {
			tui_message(t, true, "tour: the lab did not start: %s",
			    err);
			return;
		}
		tr->scenario = s->scenario;
		free(tr->lab_note);
		xasprintf(&tr->lab_note, "lab: scenario %s, CA %s (trusted "
		    "for this session only)", s->scenario, li->ca_path);
		t->opts.lab_info = tr->lab_note;
		t->sopts.cafile = li->ca_path;
	}
	tr->place = s->place;
	t->sopts.starttls = places[s->place].starttls;
	snprintf(url, sizeof url, "%s://127.0.0.1:%d", places[s->place].scheme,
	    place_port(li, s->place));
	reconnect(t, url);
}

/* Begin step i; jump: from elsewhere, on a connection of its own. */
static void
enter(struct tui *t, size_t i, bool jump)
{
	struct tour		*tr = t->tour;
	const struct tour_step	*s = &steps[i];

	tr->step = i;
	tr->done = false;
	tr->hidden = false;
	tr->ehlo = tr->dot = tr->helo = false;
	tr->hint[0] = '\0';
	tr->verdict[0] = '\0';
	tr->answer[s->ch] = 0;
	/* The panel a step showed gives the small screen back, unless
	 * this step is about it too. */
	if (tr->shown && !s->panel && t->panel == PANEL_SHOWN) {
		t->panel = PANEL_AUTO;
		tr->shown = false;
	}
	if (s->wait == TW_PANEL && t->tp_h == 0) {
		t->panel = PANEL_SHOWN;
		tr->shown = true;
	}
	if (jump || s->fresh || strcmp(s->scenario, tr->scenario) != 0 ||
	    s->place != tr->place)
		go_to(t, s);
	tui_relayout(t);
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
		tui_message(t, false, "tour: %s (:tour skip goes on anyway)",
		    s->type != NULL ? "type what the banner says first" :
		    "wait for the server first");
		tui_relayout(t);
		return;
	}
	if (tr->step + 1 == NSTEPS) {
		tui_message(t, false, "the tour is over; :tour N goes back to "
		    "a chapter, Ctrl-D leaves");
		return;
	}
	enter(t, tr->step + 1, false);
}

/* F5 and :tour: the chapters, where the learner is and what was
 * answered. */
static void
chapter_list(struct tui *t)
{
	struct tour	*tr = t->tour;
	struct buf	 b = { 0 };
	size_t		 i;

	if (tr == NULL) {
		tui_message(t, true, "no tour (mailscope --lab --tour)");
		return;
	}
	buf_printf(&b, "Chapters (:tour N jumps, :tour back|skip):");
	for (i = 0; i < NCHAPTERS; i++)
		buf_printf(&b, "  %s%zu. %s%s", i == steps[tr->step].ch ?
		    (t->utf8 ? "\xe2\x96\xb8" : ">") : "", i + 1,
		    chapters[i].title, tr->answer[i] > 0 ? " (answered)" :
		    tr->finished[i] ? " (done)" : "");
	tui_message(t, false, "%s", b.p);
	buf_free(&b);
	tr->hidden = false;
	tui_relayout(t);
}

/* :tour [N|next|back|skip|off]: the chapters, or a move among them. */
void
tour_cmd_show(struct tui *t, const char *args)
{
	struct tour	*tr = t->tour;
	char		*end;
	unsigned long	 n;
	size_t		 i;

	if (tr == NULL) {
		tui_message(t, true, "no tour (mailscope --lab --tour)");
		return;
	}
	if (*args == '\0') {
		chapter_list(t);
		return;
	}
	if (strcmp(args, "off") == 0) {
		tr->hidden = true;
		tui_relayout(t);
		return;
	}
	if (strcmp(args, "next") == 0) {
		tour_cmd_next(t, "");
		return;
	}
	if (strcmp(args, "skip") == 0 || strcmp(args, "back") == 0) {
		if (args[0] == 's' ? tr->step + 1 == NSTEPS : tr->step == 0)
			tui_message(t, false, "tour: no step %s this one",
			    args[0] == 's' ? "after" : "before");
		else
			enter(t, args[0] == 's' ? tr->step + 1 : tr->step - 1,
			    false);
		return;
	}
	n = strtoul(args, &end, 10);
	if (!isdigit((unsigned char)*args) || *end != '\0' || n == 0 ||
	    n > NCHAPTERS) {
		tui_message(t, true, "usage: :tour [1-%zu|next|back|skip|off]",
		    NCHAPTERS);
		return;
	}
	for (i = 0; steps[i].ch != n - 1; i++)
		;
	enter(t, i, true);
}

/* Is the capability (its first word) in the list? */
static bool
listed(const struct strv *caps, const char *word, size_t len)
{
	size_t	i, n;

	for (i = 0; i < caps->n; i++) {
		n = strcspn(caps->v[i], " =");
		if (n == len && strncasecmp(caps->v[i], word, len) == 0)
			return true;
	}
	return false;
}

/* yes 1, no 0, neither -1 */
static int
yes_no(const char *a)
{
	size_t	n = strcspn(a, " ,.;:!");

	if ((n == 1 && strncasecmp(a, "y", 1) == 0) ||
	    (n == 3 && strncasecmp(a, "yes", 3) == 0))
		return 1;
	if ((n == 1 && strncasecmp(a, "n", 1) == 0) ||
	    (n == 2 && strncasecmp(a, "no", 2) == 0))
		return 0;
	return -1;
}

/* The first version number in an answer ("1.2", "TLS 1.2, ..."). */
static size_t
version_in(const char *a, const char **p)
{
	for (; *a != '\0'; a++)
		if (isdigit((unsigned char)a[0]) && a[1] == '.' &&
		    isdigit((unsigned char)a[2])) {
			*p = a;
			return 3;
		}
	return 0;
}

/* The number at the start of an answer, or -1. */
static long
number_in(const char *a)
{
	char	*end;
	long	 n;

	a += strspn(a, " ");
	if (!isdigit((unsigned char)*a))
		return -1;
	n = strtol(a, &end, 10);
	return *end == '\0' || strchr(" ,.;:", *end) != NULL ? n : -1;
}

/* The first event of the connection the log ends in. */
static size_t
conn_start(const struct evlog *log)
{
	size_t	i = evlog_count(log);

	while (i > 0 && evlog_at(log, i - 1)->kind != EV_CONNECT)
		i--;
	return i > 0 ? i - 1 : 0;
}

/* The line's first word, compared with the answer's. */
static bool
same_word(const struct event *ev, const char *a)
{
	size_t	n = strcspn(ev->data, " "), m;

	a += strspn(a, " ");
	m = strcspn(a, " ,.;:");
	return n == m && n > 0 && strncasecmp(ev->data, a, n) == 0;
}

/* The event after i (not a trace) that the server sent last in its turn. */
static const struct event *
reply_after(const struct evlog *log, size_t i)
{
	const struct event	*ev;

	for (i++; i < evlog_count(log); i++) {
		ev = evlog_at(log, i);
		if (ev->kind == EV_DATA && ev->dir == DIR_SERVER &&
		    (ev->cls.bits & EVC_FINAL))
			return ev;
		if (ev->kind == EV_DATA && ev->dir == DIR_CLIENT)
			return NULL;
	}
	return NULL;
}

/*
 * The questions about lines rather than facts, read from the log:
 * 1 right, 0 wrong, -1 not shown yet (v says why).
 */
static int
judge_lines(struct tui *t, enum tour_check ck, const char *a, char *v,
    size_t vlen)
{
	const struct evlog	*log = t->log;
	const struct event	*ev, *hit = NULL;
	size_t			 i, n = 0, from = conn_start(log);
	long			 want;
	int			 yn;
	bool			 plain, partial;

	switch (ck) {
	case CK_SECRET:
		for (i = evlog_count(log); i > 0 && hit == NULL; i--) {
			ev = evlog_at(log, i - 1);
			if (ev->kind == EV_DATA && ev->dir == DIR_CLIENT &&
			    (ev->cls.bits & EVC_SECRET))
				hit = ev;
		}
		if (hit == NULL) {
			snprintf(v, vlen, "no password sent yet");
			return -1;
		}
		n = strcspn(a, " ,.;:");
		if ((n == 3 && strncasecmp(a, "tls", 3) == 0) ||
		    (n == 9 && strncasecmp(a, "encrypted", 9) == 0))
			plain = false;
		else if ((n == 5 && strncasecmp(a, "plain", 5) == 0) ||
		    (n == 9 && strncasecmp(a, "plaintext", 9) == 0) ||
		    (n == 5 && strncasecmp(a, "clear", 5) == 0))
			plain = true;
		else {
			snprintf(v, vlen, "plain or tls");
			return -1;
		}
		snprintf(v, vlen, "%s: %s.", plain == (hit->chan != CHAN_TLS) ?
		    "Right" : "Not so", hit->chan == CHAN_TLS ? "inside TLS "
		    "(the lock on its line), redacted here, encrypted on the "
		    "wire" : "in plaintext (no lock on its line): anyone on "
		    "the path could read it");
		return plain == (hit->chan != CHAN_TLS);
	case CK_ENFORCED:
		for (i = evlog_count(log); i > 0 && hit == NULL; i--) {
			ev = evlog_at(log, i - 1);
			if (ev->kind == EV_DATA && ev->dir == DIR_CLIENT &&
			    ev->chan == CHAN_PLAIN && ev->len >= 5 &&
			    strncasecmp(ev->data, "MAIL ", 5) == 0)
				hit = ev;
		}
		if (hit != NULL)
			hit = reply_after(log, i);
		if (hit == NULL || hit->len < 3) {
			snprintf(v, vlen, "no reply to MAIL FROM in plaintext "
			    "yet");
			return -1;
		}
		if ((yn = yes_no(a)) == -1) {
			snprintf(v, vlen, "yes or no");
			return -1;
		}
		snprintf(v, vlen, "%s: it answered %.3s, %s.", yn ==
		    (hit->data[0] == '2') ? "Right" : "Not so", hit->data,
		    hit->data[0] == '2' ? "opportunistic: mail in plaintext "
		    "is taken" : "it enforces TLS");
		return yn == (hit->data[0] == '2');
	case CK_PLAIN:
		for (i = from; i < evlog_count(log); i++) {
			ev = evlog_at(log, i);
			if (ev->kind == EV_DATA && ev->chan == CHAN_PLAIN)
				n++;
		}
		if (evlog_count(log) == 0 || evlog_at(log, from)->kind !=
		    EV_CONNECT) {
			snprintf(v, vlen, "not connected yet");
			return -1;
		}
		if ((yn = yes_no(a)) == -1) {
			snprintf(v, vlen, "yes or no");
			return -1;
		}
		if (n == 0)
			snprintf(v, vlen, "%s: none, TLS came before the first "
			    "byte.", yn == 0 ? "Right" : "Not so");
		else
			snprintf(v, vlen, "%s: %zu line%s without a lock.",
			    yn == 1 ? "Right" : "Not so", n, n == 1 ? "" : "s");
		return yn == (n > 0);
	case CK_INJECTED:
		/* Lines, not events: one read may carry several. */
		for (i = from; i < evlog_count(log); i++) {
			ev = evlog_at(log, i);
			partial = false;
			if (ev->kind == EV_DATA && (ev->flags & EVF_INJECTED))
				n += ev_lines(ev->data, ev->len, &partial);
		}
		if (n == 0) {
			snprintf(v, vlen, "nothing injected on this connection: "
			    "EHLO, then STARTTLS");
			return -1;
		}
		if ((want = number_in(a)) == -1) {
			snprintf(v, vlen, "a number");
			return -1;
		}
		snprintf(v, vlen, "%s: %zu, in the bytes marked injected.",
		    (size_t)want == n ? "Right" : "Not so", n);
		return (size_t)want == n;
	case CK_SMUGGLED:
		for (i = evlog_count(log); i > 0 && hit == NULL; i--) {
			ev = evlog_at(log, i - 1);
			if (ev->kind == EV_DATA && ev->dir == DIR_CLIENT &&
			    (ev->cls.bits & EVC_TLS_CMD))
				hit = ev;
		}
		/* The client's next line, still in plaintext. */
		for (ev = NULL; hit != NULL && i + 1 < evlog_count(log); i++) {
			ev = evlog_at(log, i + 1);
			if (ev->kind == EV_TLS_ESTABLISHED ||
			    (ev->kind == EV_DATA && ev->dir == DIR_SERVER)) {
				ev = NULL;
				break;
			}
			if (ev->kind == EV_DATA && ev->dir == DIR_CLIENT)
				break;
			ev = NULL;
		}
		if (ev == NULL) {
			snprintf(v, vlen, "no command sent with STARTTLS yet: "
			    ":starttls NOOP");
			return -1;
		}
		snprintf(v, vlen, "%s: %.*s, sent with STARTTLS before the "
		    "go-ahead.", same_word(ev, a) ? "Right" : "Not so",
		    (int)strcspn(ev->data, " "), ev->data);
		return same_word(ev, a);
	case CK_PROBE:
		for (i = evlog_count(log); i > 0; i--) {
			ev = evlog_at(log, i - 1);
			if (ev_code_is(ev, "probe-done")) {
				if (hit != NULL)
					break;
				hit = ev;
			} else if (hit != NULL && ev_code_is(ev, "probe") &&
			    (strncmp(ev->data, "probe warn", 10) == 0 ||
			    strncmp(ev->data, "probe bad", 9) == 0))
				n++;
		}
		if (hit == NULL) {
			snprintf(v, vlen, "no probe yet: :probe");
			return -1;
		}
		if ((want = number_in(a)) == -1) {
			snprintf(v, vlen, "a number");
			return -1;
		}
		snprintf(v, vlen, "%s: %zu, the lines marked warn or bad.",
		    (size_t)want == n ? "Right" : "Not so", n);
		return (size_t)want == n;
	default:
		break;
	}
	snprintf(v, vlen, "no question here");
	return -1;
}

/*
 * The answer against what the session showed: 1 right, 0 wrong, -1 the
 * session has not shown it (the verdict says why).
 */
static int
judge(struct tui *t, enum tour_check ck, const char *a, char *v, size_t vlen)
{
	const struct digest	*dg = &t->m.dg;
	const char		*p, *q;
	size_t			 n;
	int			 yn, want;

	switch (ck) {
	case CK_STARTTLS:
		if (!dg->caps_known) {
			snprintf(v, vlen, "no capability list yet: EHLO first");
			return -1;
		}
		want = listed(&dg->caps, "STARTTLS", 8);
		if ((yn = yes_no(a)) == -1) {
			snprintf(v, vlen, "yes or no");
			return -1;
		}
		snprintf(v, vlen, "%s: the last list %s STARTTLS.",
		    yn == want ? "Right" : "Not so", want ? "names" :
		    "does not name");
		return yn == want;
	case CK_VERSION:
		if (dg->tls == NULL || dg->tls->version == NULL) {
			snprintf(v, vlen, "no handshake yet");
			return -1;
		}
		if (version_in(dg->tls->version, &q) == 0) {
			snprintf(v, vlen, "the session shows %s",
			    dg->tls->version);
			return -1;
		}
		if (version_in(a, &p) == 0) {
			snprintf(v, vlen, "a version, such as 1.3");
			return -1;
		}
		if (strncmp(p, q, 3) == 0) {
			snprintf(v, vlen, "Right: %s, the highest version both "
			    "sides speak.", dg->tls->version);
			return 1;
		}
		snprintf(v, vlen, "Not what the session shows: the TLS "
		    "panel's first lines (F2) say it, or the summary above the "
		    "status bar.");
		return 0;
	case CK_ADDED:
		if (!dg->capdiff) {
			snprintf(v, vlen, "no difference yet: EHLO inside TLS");
			return -1;
		}
		n = strcspn(a, " ,.;");
		if (n > 0 && listed(&dg->added, a, n)) {
			snprintf(v, vlen, "Right: %.*s came only inside TLS.",
			    (int)n, a);
			return 1;
		}
		snprintf(v, vlen, "Not so: %s.  The capability diff above "
		    "lists what came (+).", n > 0 && listed(&dg->removed, a,
		    n) ? "that one went away inside TLS" : "not among those "
		    "added");
		return 0;
	case CK_VERIFIED:
		if (dg->verified == -1) {
			snprintf(v, vlen, "no verdict yet: STARTTLS first");
			return -1;
		}
		if ((yn = yes_no(a)) == -1) {
			snprintf(v, vlen, "yes or no");
			return -1;
		}
		p = dg->tls != NULL && dg->tls->verify.reasons.n > 0 ?
		    dg->tls->verify.reasons.v[0] : NULL;
		snprintf(v, vlen, "%s: %s%s%s.", yn == dg->verified ? "Right" :
		    "Not so", dg->verified ? "verified" : "not verified",
		    p != NULL ? ", " : "", p != NULL ? p : "");
		return yn == dg->verified;
	case CK_REMOVED:
		if (!dg->capdiff) {
			snprintf(v, vlen, "no difference yet: CAPABILITY (CAPA) "
			    "inside TLS");
			return -1;
		}
		n = strcspn(a, " ,.;");
		if (n > 0 && listed(&dg->removed, a, n)) {
			snprintf(v, vlen, "Right: %.*s was offered only in "
			    "plaintext.", (int)n, a);
			return 1;
		}
		snprintf(v, vlen, "Not so: %s.  The capability diff above "
		    "lists what went (-).", n > 0 && listed(&dg->added, a,
		    n) ? "that one came inside TLS" : "not among those gone");
		return 0;
	case CK_NONE:
		break;
	default:
		return judge_lines(t, ck, a, v, vlen);
	}
	snprintf(v, vlen, "no question here");
	return -1;
}

/* :answer TEXT: the chapter's question, checked. */
void
tour_cmd_answer(struct tui *t, const char *args)
{
	struct tour		*tr = t->tour;
	const struct tour_step	*s;
	char			 v[sizeof tr->verdict];
	int			 r;

	if (tr == NULL) {
		tui_message(t, true, "no tour (mailscope --lab --tour)");
		return;
	}
	s = &steps[tr->step];
	if (!asking(tr)) {
		tui_message(t, true, ":answer: no question now (%s)",
		    chapters[s->ch].check == CK_NONE ? "this chapter asks "
		    "none" : "finish the chapter's steps first");
		return;
	}
	if (*args == '\0') {
		tui_message(t, true, "usage: :answer TEXT");
		return;
	}
	if ((r = judge(t, chapters[s->ch].check, args, v, sizeof v)) == -1) {
		tui_message(t, true, ":answer: %s", v);
		return;
	}
	memcpy(tr->verdict, v, sizeof v);
	tr->answer[s->ch] = r ? 1 : -1;
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
