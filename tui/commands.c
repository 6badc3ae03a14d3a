/* SPDX-License-Identifier: ISC */
/*
 * ':' commands, and what a typed protocol line becomes.
 *
 * A line without ':' goes to the server as typed (the core adds CRLF and
 * IMAP tags); one that carries a credential where :auth would refuse
 * waits for a yes.  :auth asks for the secret with no echo, only when the
 * core says it may go; the secret lives only until session_auth() has
 * queued its base64 forms, and is never in the history, the transcript
 * (the core redacts) or on the screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui.h"

static void	cmd_help(struct tui *, const char *);
static void	cmd_quit(struct tui *, const char *);
static void	cmd_starttls(struct tui *, const char *);
static void	cmd_auth(struct tui *, const char *);
static void	cmd_note(struct tui *, const char *);
static void	cmd_mark(struct tui *, const char *);
static void	cmd_reconnect(struct tui *, const char *);
static void	cmd_compare(struct tui *, const char *);
static void	cmd_theme(struct tui *, const char *);
static void	cmd_time(struct tui *, const char *);
static void	cmd_raw(struct tui *, const char *);
static void	cmd_pipeline(struct tui *, const char *);
static void	cmd_bdat(struct tui *, const char *);
static void	cmd_append(struct tui *, const char *);
static void	cmd_tls(struct tui *, const char *);
static void	cmd_search(struct tui *, const char *);
static void	cmd_explain(struct tui *, const char *);
static void	cmd_present(struct tui *, const char *);
static void	cmd_save_chain(struct tui *, const char *);
static void	cmd_ports(struct tui *, const char *);
static void	cmd_reveal(struct tui *, const char *);
static bool	confirm_secret(struct tui *, const char *, size_t, bool);

const struct command commands[] = {
	{ "help", "", "show every key and command (also F1)", cmd_help },
	{ "quit", "", "leave; QUIT/LOGOUT is sent first when connected "
	    "(also Ctrl-D)", cmd_quit },
	{ "starttls", "[CMD]", "send the protocol's STARTTLS (STLS for POP3); "
	    "with CMD, CMD too in the same write (command injection test)",
	    cmd_starttls },
	{ "auth", "[MECH] USER", "authenticate (SASL: scram-*, cram-md5, "
	    "digest-md5, plain, login; oauthbearer, xoauth2 with a token; "
	    "external with the client certificate, USER optional); the "
	    "secret is asked for with no echo and never stored (ManageSieve: "
	    "the mechanism and each response as quoted strings)", cmd_auth },
	{ "note", "TEXT", "add a note to the transcript", cmd_note },
	{ "mark", "NAME", "add a bookmark to the transcript (' and \" jump "
	    "between marks)", cmd_mark },
	{ "record", "[FILE]", "record into FILE from the start of the "
	    "session; no FILE: stop recording", cmd_record },
	{ "reconnect", "[--fresh] [PRIORITY]", "close and connect again, "
	    "resuming the TLS session when the server lets it; --fresh: a "
	    "full handshake; PRIORITY: from now on with that GnuTLS priority "
	    "string (default: the one at the start), fresh: a what-if",
	    cmd_reconnect },
	{ "probe", "", "run mailscope probe on this target (its own "
	    "connections): each finding a line of the transcript",
	    tui_probe },
	{ "compare", "[off]", "the TLS panel puts the last connection's "
	    "facts beside this one's, differences marked", cmd_compare },
	{ "save-chain", "FILE", "write the certificate chain as the server "
	    "sent it (PEM) to FILE", cmd_save_chain },
	{ "theme", "[NAME]", "switch colour theme (no NAME: list them)",
	    cmd_theme },
	{ "time", "[absolute|relative|off]", "timestamps: set or cycle "
	    "(also F3)", cmd_time },
	{ "raw", "TEXT", "send bytes exactly, with C escapes (\\r \\n \\t "
	    "\\xHH \\\\), no CRLF added", cmd_raw },
	{ "pipeline", "[-f] CMD; CMD; ...", "SMTP, LMTP: the commands in "
	    "one write, up to the first that waits (EHLO, DATA, QUIT, ...); "
	    "replies matched in order (RFC 2920); without PIPELINING offered "
	    "refused, -f sends anyway", cmd_pipeline },
	{ "bdat", "FILE", "SMTP: the message FILE as BDAT chunks of 1 MiB "
	    "(one chunk without PIPELINING), its bytes as they are (RFC 3030)",
	    cmd_bdat },
	{ "append", "MAILBOX FILE", "IMAP: APPEND the message FILE to "
	    "MAILBOX as a literal ({n+} when LITERAL+ is offered)",
	    cmd_append },
	{ "tls", "", "show or hide the TLS panel (also F2)", cmd_tls },
	{ "ladder", "[on|off]", "the sequence diagram under the transcript "
	    "(also F7)", cmd_ladder },
	{ "search", "TEXT", "search the transcript (also / in it)",
	    cmd_search },
	{ "explain", "[on|off]", "plain-language glosses under each line "
	    "(also F4)", cmd_explain },
	{ "present", "[on|off]", "a lesson on a projector: no timestamps, "
	    "room around the STARTTLS boundary, the lines the lesson is about "
	    "highlighted (also --present)", cmd_present },
	{ "next", "", "the guided tour's next step (also Enter on an empty "
	    "line)", tour_cmd_next },
	{ "tour", "[N|next|back|skip|off]", "the guided tour's chapters (also "
	    "F5); N: jump to chapter N; back, skip: the step before, after; "
	    "off: hide the banner", tour_cmd_show },
	{ "answer", "TEXT", "answer the tour's checkpoint question, checked "
	    "against what the session showed", tour_cmd_answer },
	{ "ports", "", "the lab's ports in the transcript, with what 25, "
	    "587, 2525, 465, 143, 993, 110, 995 and 4190 are for", cmd_ports },
	{ "reveal", "", "name the lab's mystery scenario and the lines that "
	    "give it away", cmd_reveal },
	{ NULL, NULL, NULL, NULL },
};

static void
cmd_save_chain(struct tui *t, const char *args)
{
	char	err[512];

	if (*args == '\0') {
		tui_message(t, true, ":save-chain FILE: where to write the "
		    "chain");
		return;
	}
	if (session_save_chain(t->session, args, err, sizeof err) == -1) {
		tui_message(t, true, ":save-chain: %s", err);
		return;
	}
	tui_message(t, false, "the chain as the server sent it (PEM) saved "
	    "to %s", args);
}

static bool
connected(struct tui *t)
{
	enum session_state	st = session_state(t->session);

	return st == STATE_PLAIN || st == STATE_TLS;
}

/*
 * The command of a table that line names (exact, or an unambiguous
 * prefix: ":q", ":star"), with *args after it; NULL with a message.
 */
const struct command *
command_find(struct tui *t, const struct command *table, const char *line,
    const char **args)
{
	size_t	len, i, found = SIZE_MAX, n = 0;

	while (*line == ' ')
		line++;
	len = strcspn(line, " ");
	*args = line + len;
	while (**args == ' ')
		(*args)++;
	if (len == 0) {
		tui_message(t, true, "a command name follows ':' (:help "
		    "lists them)");
		return NULL;
	}
	for (i = 0; table[i].name != NULL; i++) {
		if (strlen(table[i].name) == len &&
		    strncmp(table[i].name, line, len) == 0) {
			found = i;
			n = 1;
			break;
		}
		if (strncmp(table[i].name, line, len) == 0) {
			found = i;
			n++;
		}
	}
	if (n != 1) {
		tui_message(t, true, "%s command :%.*s (nothing sent; :help "
		    "lists them)", n == 0 ? "unknown" : "ambiguous",
		    (int)(len > 40 ? 40 : len), line);
		return NULL;
	}
	return &table[found];
}

void
command_run(struct tui *t, const char *line)
{
	const struct command	*c;
	const char		*args;

	if ((c = command_find(t, commands, line, &args)) != NULL)
		c->fn(t, args);
}

void
command_send(struct tui *t, const char *line)
{
	/* An empty line is data only in DATA or a continuation. */
	if (*line == '\0' && !session_data_mode(t->session) &&
	    !session_wants_continuation(t->session)) {
		tour_enter(t);
		return;
	}
	if (confirm_secret(t, line, strlen(line), false))
		return;
	session_send(t->session, line, strlen(line));
	sidebyside_send(t, line);
}

static const char *
word(const char *p, size_t *len)
{
	while (*p == ' ')
		p++;
	*len = strcspn(p, " ");
	return p;
}

/*
 * Lines that carry a credential stay out of the history: the redactor
 * judges them, :raw text once unescaped.
 */
bool
command_is_secret(struct tui *t, const char *line)
{
	struct buf	 raw = { 0 };
	char		 err[128];
	bool		 secret;

	if (t->session == NULL)
		return false;
	if (session_wants_continuation(t->session))
		return true;
	if (strncmp(line, ":raw ", 5) == 0) {
		if (c_unescape(line + 5, strlen(line + 5), &raw, err,
		    sizeof err) == -1)
			secret = session_is_secret(t->session, line + 5,
			    strlen(line + 5));
		else
			secret = session_is_secret(t->session, raw.p, raw.len);
		if (raw.p != NULL)
			explicit_bzero(raw.p, raw.cap);
		buf_free(&raw);
		return secret;
	}
	if (line[0] == ':' && line[1] != ':')
		return false;	/* a command of ours */
	if (line[0] == ':')
		line++;		/* "::TEXT" sends ":TEXT" */
	return session_is_secret(t->session, line, strlen(line));
}

static void
cmd_help(struct tui *t, const char *args)
{
	(void)args;
	t->help = true;
	t->help_top = 0;
	tui_dirty(t, D_ALL);
}

static void
cmd_quit(struct tui *t, const char *args)
{
	(void)args;
	tui_quit(t);
}

static void
cmd_starttls(struct tui *t, const char *args)
{
	if (*args == '\0')
		session_starttls(t->session);
	else if (strpbrk(args, "\r\n") != NULL)
		tui_message(t, true, ":starttls CMD: one line only");
	else if (session_starttls_inject(t->session, args) == -1)
		tui_message(t, true, ":starttls CMD: only in plaintext, when "
		    "the server is idle");
}

struct auth_req {
	char	*mech;
	char	*user;
	bool	 token;		/* the secret asked is a bearer token */
};

static void
auth_secret(struct tui *t, char *secret, void *arg)
{
	struct auth_req	*a = arg;

	if (secret == NULL)
		tui_message(t, false, ":auth cancelled, nothing sent");
	else if (!connected(t))
		tui_message(t, true, ":auth: not connected, nothing sent");
	else if (session_auth(t->session, a->mech, a->user, secret,
	    a->token) == -1)
		tui_message(t, true, ":auth: nothing sent (the transcript "
		    "says why)");
	free(a->mech);
	free(a->user);
	free(a);
}

/*
 * A line typed by hand that carries a credential, where :auth would
 * refuse: sent only after a yes, which holds for this connection.
 */
struct confirm_req {
	char	*line;
	size_t	 len;
	bool	 raw;
};

static void
confirm_done(struct tui *t, char *answer, void *arg)
{
	struct confirm_req	*c = arg;
	size_t			 len = c->len;

	if (answer != NULL && (strcasecmp(answer, "y") == 0 ||
	    strcasecmp(answer, "yes") == 0) && connected(t)) {
		session_secret_consent(t->session);
		if (c->raw)
			session_send_raw(t->session, c->line, len);
		else
			session_send(t->session, c->line, len);
	} else
		tui_message(t, false, "not sent");
	explicit_bzero(c->line, len);
	free(c->line);
	free(c);
}

/* true: the line waits for the user's yes (or no). */
static bool
confirm_secret(struct tui *t, const char *line, size_t len, bool raw)
{
	struct secret_verdict	 v;
	struct confirm_req	*c;
	char			*prompt;

	if (!connected(t) || session_data_mode(t->session) ||
	    !session_is_secret(t->session, line, len))
		return false;
	session_secret_verdict(t->session, &v);
	if (!v.ask)
		return false;	/* safe, consented, or never: the core says */
	c = xcalloc(1, sizeof *c);
	c->line = xmalloc(len + 1);
	memcpy(c->line, line, len);
	c->line[len] = '\0';
	c->len = len;
	c->raw = raw;
	/* The prompt short enough to show whole; the reason beside it. */
	xasprintf(&prompt, "Send a credential %s? [y/N] ",
	    session_chan(t->session) == CHAN_TLS ? "to an unverified server" :
	    "in plaintext");
	cmdline_ask(t, prompt, confirm_done, c);
	tui_message(t, true, "This line carries a credential; %s", v.why);
	free(prompt);
	return true;
}

static void
cmd_auth(struct tui *t, const char *args)
{
	struct secret_verdict	 v;
	struct auth_req		*a;
	const char		*m, *u;
	size_t			 mlen, ulen, rest;
	char			*prompt, *name, err[256];
	int			 kind;

	/* [MECH] USER: no MECH, the best the server offers; EXTERNAL
	 * and GSSAPI take no secret, and the user is whom to act as. */
	m = word(args, &mlen);
	u = word(m + mlen, &ulen);
	if (ulen == 0) {
		name = xstrndup(m, mlen);
		if (sasl_secret_kind(name) != SASL_NO_SECRET) {
			u = m;
			ulen = mlen;
			mlen = 0;
		}
		free(name);
	}
	word(u + ulen, &rest);
	if ((ulen == 0 && mlen == 0) || rest != 0) {
		tui_message(t, true, "usage: :auth [MECH] USER");
		return;
	}
	if (!connected(t)) {
		tui_message(t, true, ":auth: not connected");
		return;
	}
	/* Before the prompt: never ask for a secret that cannot go. */
	session_secret_verdict(t->session, &v);
	if (!v.may) {
		tui_message(t, true, ":auth refused, nothing asked or sent: "
		    "%s", v.why);
		return;
	}
	a = xcalloc(1, sizeof *a);
	a->mech = mlen > 0 ? xstrndup(m, mlen) : NULL;
	if (session_auth_check(t->session, a->mech, err, sizeof err) == -1) {
		tui_message(t, true, ":auth: nothing asked or sent: %s", err);
		free(a->mech);
		free(a);
		return;
	}
	a->user = ulen > 0 ? xstrndup(u, ulen) : NULL;
	kind = a->mech != NULL ? sasl_secret_kind(a->mech) : SASL_PASSWORD;
	if (kind == SASL_NO_SECRET) {
		/* Nothing to ask: the certificate or the ticket. */
		if (session_auth(t->session, a->mech, a->user, NULL,
		    false) == -1)
			tui_message(t, true, ":auth: nothing sent (the "
			    "transcript says why)");
		free(a->mech);
		free(a->user);
		free(a);
		return;
	}
	a->token = kind == SASL_TOKEN;
	xasprintf(&prompt, "%s for %.40s (not shown): ", a->token ?
	    "Bearer token" : "Password", a->user);
	cmdline_secret(t, prompt, auth_secret, a);
	free(prompt);
}

static void
cmd_note(struct tui *t, const char *args)
{
	if (*args == '\0') {
		tui_message(t, true, "usage: :note TEXT");
		return;
	}
	ev_local(t->log, EV_NOTE, session_chan(t->session), NULL, "%s", args);
}

static void
cmd_mark(struct tui *t, const char *args)
{
	struct event	ev;

	if (*args == '\0') {
		tui_message(t, true, "usage: :mark NAME");
		return;
	}
	memset(&ev, 0, sizeof ev);
	ev.kind = EV_MARK;
	ev.dir = DIR_LOCAL;
	ev.chan = (uint8_t)session_chan(t->session);
	evlog_append(t->log, &ev, args, strlen(args));
}

static void
cmd_reconnect(struct tui *t, const char *args)
{
	char			 err[256];
	bool			 fresh = false;

	if (strncmp(args, "--fresh", 7) == 0 &&
	    (args[7] == '\0' || args[7] == ' ')) {
		fresh = true;
		args += 7;
		args += strspn(args, " ");
	}
	if (session_reconnect(t->session, fresh, *args != '\0' ? args : NULL,
	    "closed for :reconnect", err, sizeof err) == -1)
		tui_message(t, true, ":reconnect: %s", err);
}

static void
cmd_compare(struct tui *t, const char *args)
{
	if (strcmp(args, "off") == 0)
		t->m.compare = false;
	else if (*args == '\0')
		t->m.compare = !t->m.compare;
	else {
		tui_message(t, true, "usage: :compare [off]");
		return;
	}
	if (t->m.compare && t->tp_h == 0)
		tui_message(t, false, ":compare: the TLS panel is hidden (F2 "
		    "shows it)");
	tui_dirty(t, D_TLS);
}

static void
cmd_theme(struct tui *t, const char *args)
{
	struct strv	names = { 0 };
	struct buf	b = { 0 };
	size_t		i;

	if (*args == '\0') {
		theme_names(&names);
		for (i = 0; i < names.n; i++)
			buf_printf(&b, " %s", names.v[i]);
		tui_message(t, false, "theme %s; available:%s",
		    t->theme.name, b.p != NULL ? b.p : " (none found)");
		buf_free(&b);
		strv_clear(&names);
		return;
	}
	tui_set_theme(t, args);
}

static void
cmd_time(struct tui *t, const char *args)
{
	int	m;

	if (*args == '\0')
		m = (t->opts.time + 1) % TIME_MAX;
	else if ((m = tui_time_from_name(args)) == -1) {
		tui_message(t, true, "usage: :time [absolute|relative|off]");
		return;
	}
	t->opts.time = (enum tui_time)m;
	transcript_invalidate(t->ts);
	tui_message(t, false, "timestamps: %s", tui_time_name(t->opts.time));
	tui_dirty(t, D_ALL);
}

static void
cmd_raw(struct tui *t, const char *args)
{
	struct buf	b = { 0 };
	char		err[128];

	if (*args == '\0') {
		tui_message(t, true, "usage: :raw TEXT (e.g. :raw NOOP\\r\\n)");
		return;
	}
	if (c_unescape(args, strlen(args), &b, err, sizeof err) == -1) {
		tui_message(t, true, ":raw: %s; nothing sent", err);
		buf_free(&b);
		return;
	}
	if (!confirm_secret(t, b.p, b.len, true))
		session_send_raw(t->session, b.p, b.len);
	explicit_bzero(b.p, b.cap);
	buf_free(&b);
}

/*
 * One write for the group: each command through the engine, which
 * matches the replies in order; a command that waits (DATA, EHLO, ...)
 * ends it.  A credential never goes in one: it may need a yes first.
 */
static void
cmd_pipeline(struct tui *t, const char *args)
{
	char	*copy, *cmd, *next;
	bool	 force = strncmp(args, "-f ", 3) == 0;
	size_t	 n = 0;

	if (force)
		args += 3;
	if (t->session == NULL || *args == '\0') {
		tui_message(t, true, "usage: :pipeline [-f] CMD; CMD; ...");
		return;
	}
	if (session_pipeline_check(t->session, force) == -1) {
		tui_message(t, true, ":pipeline: nothing sent (-f sends the "
		    "group anyway)");
		return;
	}
	copy = xstrdup(args);
	session_cork(t->session, true);
	for (cmd = copy; cmd != NULL; cmd = next) {
		if ((next = strchr(cmd, ';')) != NULL)
			*next++ = '\0';
		cmd += strspn(cmd, " ");
		if (*cmd == '\0')
			continue;
		if (command_is_secret(t, cmd)) {
			tui_message(t, true, ":pipeline: a credential goes "
			    "alone; the group stops before it");
			break;
		}
		if (n > 0 && pp_sync_point(session_engine(t->session), cmd,
		    strlen(cmd)) && next != NULL && next[strspn(next, " ;")]
		    != '\0') {
			session_send(t->session, cmd, strlen(cmd));
			n++;
			tui_message(t, true, ":pipeline: %s waits for its "
			    "reply; what follows it was not sent", cmd);
			break;
		}
		session_send(t->session, cmd, strlen(cmd));
		n++;
	}
	session_cork(t->session, false);
	free(copy);
}

/* The file of :bdat and :append, or a message saying why not. */
static bool
load_message(struct tui *t, const char *path, struct buf *msg)
{
	char	err[512];

	if (file_load(path, MESSAGE_MAX, msg, err, sizeof err) == 0)
		return true;
	tui_message(t, true, "%s; nothing sent", err);
	buf_free(msg);
	return false;
}

static void
cmd_bdat(struct tui *t, const char *args)
{
	struct buf	msg = { 0 };

	if (t->session == NULL || *args == '\0') {
		tui_message(t, true, "usage: :bdat FILE");
		return;
	}
	if (load_message(t, args, &msg))
		session_bdat(t->session, msg.p, msg.len, BDAT_CHUNK);
	buf_free(&msg);
}

static void
cmd_append(struct tui *t, const char *args)
{
	struct buf	 msg = { 0 };
	size_t		 m = strcspn(args, " ");
	char		*mailbox;

	if (t->session == NULL || args[m] != ' ' || args[m + 1] == '\0') {
		tui_message(t, true, "usage: :append MAILBOX FILE");
		return;
	}
	mailbox = xstrndup(args, m);
	if (load_message(t, args + m + 1, &msg))
		session_append(t->session, mailbox, msg.p, msg.len);
	free(mailbox);
	buf_free(&msg);
}

static void
cmd_tls(struct tui *t, const char *args)
{
	(void)args;
	t->panel = t->tp_h > 0 ? PANEL_HIDDEN : PANEL_SHOWN;
	tui_relayout(t);
}

static void
cmd_search(struct tui *t, const char *args)
{
	if (*args == '\0') {
		cmdline_search(t, 1);
		return;
	}
	t->focus = FOCUS_TRANSCRIPT;
	transcript_search(t->ts, args, 1);
	tui_dirty(t, D_ALL);
}

static void
cmd_present(struct tui *t, const char *args)
{
	if (strcmp(args, "on") == 0)
		t->opts.present = true;
	else if (strcmp(args, "off") == 0)
		t->opts.present = false;
	else if (*args == '\0')
		t->opts.present = !t->opts.present;
	else {
		tui_message(t, true, "usage: :present [on|off]");
		return;
	}
	transcript_invalidate(t->ts);
	tui_message(t, false, "present %s", t->opts.present ? "on: the "
	    "STARTTLS offer, the go-ahead, stripped and injected lines "
	    "highlighted; no timestamps" : "off");
}

static void
cmd_explain(struct tui *t, const char *args)
{
	if (strcmp(args, "on") == 0)
		t->opts.explain = true;
	else if (strcmp(args, "off") == 0)
		t->opts.explain = false;
	else if (*args == '\0')
		t->opts.explain = !t->opts.explain;
	else {
		tui_message(t, true, "usage: :explain [on|off]");
		return;
	}
	transcript_invalidate(t->ts);
	tui_message(t, false, "explain %s", t->opts.explain ? "on: glosses "
	    "under each line" : "off");
}

/* Lines of text as notes in the transcript: they stay in the record. */
static void
notes(struct tui *t, char *text)
{
	char	*line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		ev_local(t->log, EV_NOTE, session_chan(t->session), NULL, "%s",
		    line);
}

static bool
have_lab(const struct tui *t)
{
	return t->opts.lab != NULL && t->opts.lab->pid > 0;
}

static void
cmd_ports(struct tui *t, const char *args)
{
	struct buf	b = { NULL, 0, 0 };

	(void)args;
	/* Without a lab the table still says what each port is for. */
	lab_ports_text(have_lab(t) ? "127.0.0.1" : NULL, have_lab(t) ?
	    t->opts.lab->port : NULL, &b);
	notes(t, b.p);
	buf_free(&b);
}

static void
cmd_reveal(struct tui *t, const char *args)
{
	struct buf	b = { NULL, 0, 0 };

	(void)args;
	if (!have_lab(t)) {
		tui_message(t, true, ":reveal names the lab's mystery "
		    "(mailscope --lab --mystery)");
		return;
	}
	if (!t->opts.lab->mystery) {
		tui_message(t, false, "no mystery: the lab plays %s",
		    t->opts.lab->scenario);
		return;
	}
	lab_mystery_reveal(t->opts.lab->seed, &b);
	notes(t, b.p);
	buf_free(&b);
}
