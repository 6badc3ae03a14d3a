/* SPDX-License-Identifier: ISC */
/*
 * Batch mode: commands from stdin, a script or -c, each sent after the
 * previous reply completed; the event log printed as a swaks-style
 * transcript (or JSON Lines), then a TLS summary.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/cmd.h"

struct batch {
	struct loop		*loop;
	struct evlog		*log;
	struct digest		 dg;	/* the summary printed at the end */
	struct session		*s;
	const struct batch_opts	*bo;
	struct recorder		*rec;
	struct compose		*compose;	/* --auth, --from: first */
	struct strv		 queue;
	size_t			 next;
	bool			 input_eof;
	struct buf		 in;
	struct buf		 out;
	bool			 literal_open;
	bool			 quit_asked;
	bool			 next_due;	/* batch_next deferred */
	bool			 refused;	/* a : command we do not run */
	int			 out_errno;	/* stdout failed: the output is lost */
	bool			 rec_failed;
	int			 signo;
	int			 conn;		/* connections made */
	struct buf		 message;	/* --data */
	bool			 appended;
	bool			 idled;
	bool			 idling;	/* IDLE sent, DONE not yet */
	struct timer		*idle_timer;
	bool			 pipe_checked;
	bool			 pipe_ok;	/* groups go in one write */
};

/*
 * The ':' commands of the screen that mean something without one; they
 * run as there, never go to the server as text.  Any other ':' line is
 * refused: exit 1, and from -c or --script before connecting.
 */
enum batch_cmd {
	BC_NONE,	/* not ours: a line for the server */
	BC_STARTTLS,
	BC_AUTH,
	BC_RAW,
	BC_BDAT,
	BC_APPEND,
	BC_NOTE,
	BC_MARK,
	BC_QUIT,
	BC_BAD,
};

static const struct {
	const char	*name;
	enum batch_cmd	 cmd;
	bool		 args;	/* needs an argument */
} batch_cmds[] = {
	{ "starttls",	BC_STARTTLS,	false },
	{ "auth",	BC_AUTH,	true },
	{ "raw",	BC_RAW,		true },
	{ "bdat",	BC_BDAT,	true },
	{ "append",	BC_APPEND,	true },
	{ "note",	BC_NOTE,	true },
	{ "mark",	BC_MARK,	true },
	{ "quit",	BC_QUIT,	false },
};

/* What line is, with *args after the name; BC_BAD with err set. */
static enum batch_cmd
batch_parse(const char *line, const char **args, char *err, size_t errlen)
{
	size_t	len, i;

	if (line[0] != ':' || line[1] == ':')
		return BC_NONE;
	len = strcspn(line + 1, " ");
	*args = line + 1 + len;
	while (**args == ' ')
		(*args)++;
	for (i = 0; i < sizeof batch_cmds / sizeof batch_cmds[0]; i++) {
		if (strlen(batch_cmds[i].name) != len ||
		    strncmp(batch_cmds[i].name, line + 1, len) != 0)
			continue;
		if (batch_cmds[i].args && **args == '\0')
			break;
		if (!batch_cmds[i].args && **args != '\0' &&
		    batch_cmds[i].cmd != BC_STARTTLS)
			break;
		/* MAILBOX FILE */
		if (batch_cmds[i].cmd == BC_APPEND &&
		    (*args)[strcspn(*args, " ")] == '\0')
			break;
		/* [MECH] USER: the core knows the mechanisms. */
		if (batch_cmds[i].cmd == BC_AUTH) {
			size_t	m = strcspn(*args, " ");

			if ((*args)[m] == ' ' && ((*args)[m + 1] == '\0' ||
			    strchr(*args + m + 1, ' ') != NULL))
				break;
		}
		return batch_cmds[i].cmd;
	}
	if (i < sizeof batch_cmds / sizeof batch_cmds[0])
		snprintf(err, errlen, "usage: :%s%s", batch_cmds[i].name,
		    batch_cmds[i].cmd == BC_AUTH ? " [MECH] USER" :
		    batch_cmds[i].cmd == BC_APPEND ? " MAILBOX FILE" :
		    batch_cmds[i].cmd == BC_BDAT ? " FILE" :
		    batch_cmds[i].args ? " TEXT" : "");
	else
		snprintf(err, errlen, ":%.*s is not a batch command (batch "
		    "runs :starttls, :auth, :raw, :bdat, :append, :note, "
		    ":mark and :quit; "
		    "::TEXT sends :TEXT)", (int)(len > 40 ? 40 : len),
		    line + 1);
	return BC_BAD;
}

/* :auth [MECH] USER: the secret from --auth-password-file or
 * $MAILSCOPE_PASSWORD, a token from --auth-token-file; no MECH: the
 * best the server offers. */
static int
batch_auth(struct batch *bt, const char *args)
{
	struct buf	 pw = { 0 };
	char		 err[512], *mech, *user;
	bool		 token;
	int		 rc;

	login_args(args, &mech, &user);
	rc = login_secret(session_opts(bt->s), mech, &pw, &token, err,
	    sizeof err);
	if (rc == -1)
		ev_local(bt->log, EV_ERROR, session_chan(bt->s), "usage",
		    ":auth: %s; nothing sent", err);
	else
		rc = session_auth(bt->s, mech, user, rc == 1 ? pw.p : NULL,
		    token);
	buf_wipe(&pw);
	free(mech);
	free(user);
	return rc;
}

/* :bdat FILE, :append MAILBOX FILE: the file's bytes as they are. */
static void
batch_file(struct batch *bt, const char *args)
{
	struct buf	 msg = { 0 };
	char		 err[512], *mailbox = NULL;
	const char	*path = args;
	size_t		 m;

	if (*args != '\0' && session_opts(bt->s)->target.proto == PROTO_IMAP) {
		m = strcspn(args, " ");
		mailbox = xstrndup(args, m);
		path = args + m + 1;
	}
	if (file_load(path, MESSAGE_MAX, &msg, err, sizeof err) == -1)
		ev_local(bt->log, EV_ERROR, session_chan(bt->s), "usage",
		    "%s; nothing sent", err);
	else if (mailbox != NULL)
		session_append(bt->s, mailbox, msg.p, msg.len);
	else
		session_bdat(bt->s, msg.p, msg.len, BDAT_CHUNK);
	free(mailbox);
	buf_free(&msg);
}

/* Run a ':' line; -1: stop here (the session is being closed). */
static int
batch_colon(struct batch *bt, const char *cmd)
{
	struct buf	 raw = { 0 };
	const char	*args;
	char		 err[256];
	int		 rc = 0;

	switch (batch_parse(cmd, &args, err, sizeof err)) {
	case BC_STARTTLS:
		if (*args == '\0')
			session_starttls(bt->s);
		else if (session_starttls_inject(bt->s, args) == -1)
			ev_local(bt->log, EV_ERROR, session_chan(bt->s),
			    "usage", ":starttls CMD: only in plaintext, when "
			    "the server is idle; nothing sent");
		break;
	case BC_AUTH:
		if (batch_auth(bt, args) == -1) {
			bt->quit_asked = true;
			session_quit(bt->s);
			rc = -1;
		}
		break;
	case BC_RAW:
		if (c_unescape(args, strlen(args), &raw, err,
		    sizeof err) == -1)
			ev_local(bt->log, EV_ERROR, session_chan(bt->s),
			    "usage", ":raw: %s; nothing sent", err);
		else
			session_send_raw(bt->s, raw.p, raw.len);
		if (raw.p != NULL)
			explicit_bzero(raw.p, raw.cap);
		buf_free(&raw);
		break;
	case BC_BDAT:
	case BC_APPEND:
		batch_file(bt, args);
		break;
	case BC_NOTE:
		ev_local(bt->log, EV_NOTE, session_chan(bt->s), NULL, "%s",
		    args);
		break;
	case BC_MARK:
		ev_local(bt->log, EV_MARK, session_chan(bt->s), NULL, "%s",
		    args);
		break;
	case BC_QUIT:
		bt->quit_asked = true;
		session_quit(bt->s);
		rc = -1;
		break;
	default:
		/* Only from stdin: -c and --script were checked before. */
		ev_local(bt->log, EV_ERROR, session_chan(bt->s), "usage",
		    "%s; nothing sent, closing", err);
		bt->refused = true;
		bt->quit_asked = true;
		session_quit(bt->s);
		rc = -1;
		break;
	}
	return rc;
}

/*
 * -c and --script: every ':' line makes sense, and :auth has its secret,
 * before anything is sent.  Lines of an SMTP message (DATA to a lone
 * ".") are the message's.
 */
static int
batch_check(const struct strv *queue, const struct session_opts *so)
{
	struct buf	 pw = { 0 }, shown = { 0 };
	const char	*args, *line;
	char		 err[512], *mech, *user;
	bool		 data = false, token;
	size_t		 i;
	int		 rc;

	for (i = 0; i < queue->n; i++) {
		line = queue->v[i];
		if (data) {
			data = strcmp(line, ".") != 0;
			continue;
		}
		if (pp_data_cmd(so->target.proto) != NULL &&
		    strcasecmp(line, pp_data_cmd(so->target.proto)) == 0)
			data = true;
		switch (batch_parse(line, &args, err, sizeof err)) {
		case BC_BAD:
			/* It quotes what was typed: shown escaped. */
			sanitize(err, strlen(err), &shown);
			fprintf(stderr, "mailscope: %s\n", shown.p);
			buf_free(&shown);
			return -1;
		case BC_AUTH:
			login_args(args, &mech, &user);
			rc = login_secret(so, mech, &pw, &token, err,
			    sizeof err);
			buf_wipe(&pw);
			free(mech);
			free(user);
			if (rc == -1) {
				fprintf(stderr, "mailscope: :auth: %s\n", err);
				return -1;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}


/* After a failed write nothing more is tried: what follows is lost. */
static void
batch_write(struct batch *bt)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < bt->out.len && bt->out_errno == 0) {
		n = write(STDOUT_FILENO, bt->out.p + off, bt->out.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The session goes on; the exit code will say. */
			bt->out_errno = n == 0 ? EIO : errno;
			break;
		}
		off += (size_t)n;
	}
	buf_reset(&bt->out);
}

/* An error is the transcript's, and also said where errors go. */
static void
batch_error(const struct event *ev)
{
	struct buf	b = { 0 };

	buf_adds(&b, "mailscope: ");
	sanitize(ev->data, ev->len, &b);
	buf_addc(&b, '\n');
	fputs(b.p, stderr);
	buf_free(&b);
}

/* --explain: the glosses of the line just printed, one a line under it. */
static void
batch_explain(struct batch *bt, const struct event *ev)
{
	struct buf	 b = { 0 };
	const char	*p, *nl, *end;

	if (explain_event(ev, session_opts(bt->s)->target.proto,
	    &b) > 0 && !bt->literal_open) {
		end = b.p + b.len;
		for (p = b.p; p < end; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			buf_adds(&bt->out, "   > ");
			sanitize(p, (size_t)(nl - p), &bt->out);
			buf_addc(&bt->out, '\n');
		}
	}
	buf_free(&b);
}

static void	batch_next_due(void *);
static void	batch_again(void *);
static void	batch_after_script(struct batch *);

static void
batch_event(const struct event *ev, void *arg)
{
	struct batch	*bt = arg;
	char		*json;

	if (bt->bo->json) {
		json = event_to_json(bt->log, ev);
		buf_adds(&bt->out, json);
		buf_addc(&bt->out, '\n');
		free(json);
	} else {
		render_event(bt->log, ev, &bt->out, &bt->literal_open);
		if (bt->bo->explain)
			batch_explain(bt, ev);
	}
	if (ev->kind == EV_ERROR)
		batch_error(ev);
	/* Large bodies are written in big slices, dialogue at once. */
	if (bt->out.len > 256 * 1024 || !(ev->flags & (EVF_LITERAL |
	    EVF_BODY)))
		batch_write(bt);
	/* What the session says to its owner. */
	if (ev->kind == EV_READY) {
		/*
		 * Not from inside the read: bytes already received cannot
		 * answer a command not sent yet, so they are parsed first
		 * (and shown as unsolicited).
		 */
		if (!bt->next_due) {
			bt->next_due = true;
			loop_defer(bt->loop, batch_next_due, bt);
		}
	} else if (ev->kind == EV_ERROR && ev_code_is(ev, "timeout"))
		session_close(bt->s, "closing after the timeout");
	else if (ev->kind == EV_STATE && session_state(bt->s) == STATE_CLOSED) {
		if (bt->conn == 1 && (bt->bo->resume ||
		    bt->bo->compare != NULL) && bt->signo == 0 && !bt->refused)
			loop_defer(bt->loop, batch_again, bt);
		else
			loop_break(bt->loop);
	}
}

/* Inside a message: a DATA body, a BDAT chunk, an IMAP literal and
 * the rest of its command line. */
static bool
batch_in_message(const struct batch *bt)
{
	const struct pp	*e = session_engine(bt->s);

	return session_data_mode(bt->s) || pp_literal_due(e) >= 0 ||
	    pp_chunk_due(e) > 0;
}

/*
 * --pipeline: a command that does not end a group opens one, and the
 * lines up to its sync point (DATA, EHLO, QUIT, ...) go in one write.
 * Whether the server allows it is asked once, at the first group.
 */
static bool
batch_group_open(struct batch *bt, const char *cmd)
{
	if (!bt->bo->pipeline || batch_in_message(bt) ||
	    pp_sync_point(session_engine(bt->s), cmd, strlen(cmd)))
		return false;
	if (!bt->pipe_checked) {
		bt->pipe_checked = true;
		bt->pipe_ok = session_pipeline_check(bt->s, false) == 0;
	}
	if (bt->pipe_ok)
		session_cork(bt->s, true);
	return bt->pipe_ok;
}

static void
batch_next(struct batch *bt)
{
	const char	*cmd;
	bool		 group = false, sync;

	if (session_state(bt->s) == STATE_CLOSED || !session_idle(bt->s) ||
	    bt->idling)
		return;
	if (bt->compose != NULL) {
		switch (compose_next(bt->compose)) {
		case COMPOSE_BUSY:
			return;
		case COMPOSE_QUIT:
			bt->quit_asked = true;
			session_quit(bt->s);
			return;
		default:
			break;
		}
	}
	while (bt->next < bt->queue.n) {
		cmd = bt->queue.v[bt->next++];
		/* Comments and blank lines, but never inside a message or
		 * a line the server or a literal awaits (as on the screen). */
		if ((cmd[0] == '#' || cmd[0] == '\0') &&
		    !batch_in_message(bt) &&
		    !session_wants_continuation(bt->s))
			continue;
		if (batch_in_message(bt)) {
			/* A message line, whatever it starts with. */
			session_send(bt->s, cmd, strlen(cmd));
			if (group || session_idle(bt->s))
				continue;
			return;
		}
		if (cmd[0] == ':' && cmd[1] != ':') {
			if (group)
				session_cork(bt->s, false);
			group = false;
			if (batch_colon(bt, cmd) == -1)
				return;
		} else {
			if (cmd[0] == ':')
				cmd++;
			if (!group)
				group = batch_group_open(bt, cmd);
			sync = pp_sync_point(session_engine(bt->s), cmd,
			    strlen(cmd));
			session_send(bt->s, cmd, strlen(cmd));
			if (group && !sync &&
			    session_state(bt->s) != STATE_CLOSED)
				continue;
			if (group)
				session_cork(bt->s, false);
			group = false;
		}
		if (!session_idle(bt->s))
			return;
	}
	if (group)
		session_cork(bt->s, false);
	if (bt->input_eof && !bt->quit_asked)
		batch_after_script(bt);
}

/* After the script: --append, --idle, then QUIT/LOGOUT. */
static void
batch_after_script(struct batch *bt)
{
	if (bt->bo->append != NULL && !bt->appended) {
		bt->appended = true;
		if (session_append(bt->s, bt->bo->append, bt->message.p,
		    bt->message.len) == 0 && !session_idle(bt->s))
			return;
	}
	if (bt->bo->idle_ms > 0 && !bt->idled) {
		bt->idled = true;
		if (session_send(bt->s, "IDLE", 4) == 0) {
			bt->idling = true;
			timer_set(bt->idle_timer, bt->bo->idle_ms);
			return;
		}
	}
	bt->quit_asked = true;
	session_quit(bt->s);
}

/* --idle's time is up: DONE, if the server did go idle. */
static void
batch_idle_done(void *arg)
{
	struct batch	*bt = arg;

	bt->idling = false;
	if (session_state(bt->s) == STATE_CLOSED)
		return;
	if (session_wants_continuation(bt->s))
		session_send(bt->s, "DONE", 4);
	batch_next(bt);
}

/*
 * --resume, --compare: a second connection that only reaches TLS (the
 * capabilities, STARTTLS) and leaves; the script is never run twice.
 */
static void
batch_again(void *arg)
{
	struct batch			*bt = arg;
	const struct session_opts	*so = session_opts(bt->s);
	char				 err[256];

	bt->conn++;
	bt->next = bt->queue.n;
	if (!so->target.implicit_tls && !so->starttls) {
		strv_add(&bt->queue, session_caps_cmd(bt->s, so->ehlo));
		strv_add(&bt->queue, ":starttls");
	}
	bt->quit_asked = false;
	bt->input_eof = true;
	ev_local(bt->log, EV_NOTE, CHAN_PLAIN, NULL, "second connection: %s",
	    bt->bo->compare != NULL ? "a full handshake with the priority "
	    "given to --compare" : "resuming the TLS session (--resume)");
	/* The priority was checked before the first connection. */
	if (session_reconnect(bt->s, false, bt->bo->compare, "", err,
	    sizeof err) == -1)
		loop_break(bt->loop);
}

static void
batch_next_due(void *arg)
{
	struct batch	*bt = arg;

	bt->next_due = false;
	batch_next(bt);
}

static void
batch_stdin(int fd, short revents, void *arg)
{
	struct batch	*bt = arg;
	char		 tmp[4096];
	ssize_t		 n;
	char		*nl;
	size_t		 len;

	(void)revents;
	n = read(fd, tmp, sizeof tmp);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		buf_add(&bt->in, tmp, (size_t)n);
	/* An empty buf has no storage yet: memchr(NULL) is undefined. */
	while (bt->in.len > 0 &&
	    (nl = memchr(bt->in.p, '\n', bt->in.len)) != NULL) {
		len = (size_t)(nl - bt->in.p);
		if (len > 0 && bt->in.p[len - 1] == '\r')
			len--;
		strv_addn(&bt->queue, bt->in.p, len);
		buf_consume(&bt->in, (size_t)(nl - bt->in.p) + 1);
	}
	if (n <= 0) {
		if (bt->in.len > 0)
			strv_addn(&bt->queue, bt->in.p, bt->in.len);
		buf_reset(&bt->in);
		bt->input_eof = true;
		loop_del_fd(bt->loop, fd);
	}
	batch_next(bt);
}

static int
batch_script(struct batch *bt, const char *path)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "mailscope: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		strv_addn(&bt->queue, line, (size_t)n);
	}
	free(line);
	fclose(f);
	return 0;
}

static void
batch_signal(int signo, void *arg)
{
	struct batch	*bt = arg;

	bt->signo = signo;
	session_close(bt->s, signo == SIGINT ? "interrupted" :
	    "terminated by a signal");
}

static void
batch_rec_failed(const char *why, void *arg)
{
	struct batch	*bt = arg;

	bt->rec_failed = true;
	/* why is "RECORDING STOPPED: <reason>" already. */
	fprintf(stderr, "mailscope: %s\n", why);
}

int
batch_main(const struct session_opts *so, const struct batch_opts *bo)
{
	struct batch	 bt;
	struct buf	 b = { 0 };
	char		 err[512];
	const char	*reason;
	size_t		 i;
	int		 rc;

	memset(&bt, 0, sizeof bt);
	bt.bo = bo;
	bt.loop = loop_new();
	bt.log = evlog_new(false);
	digest_init(&bt.dg);
	evlog_subscribe(bt.log, digest_event, &bt.dg);
	evlog_subscribe(bt.log, batch_event, &bt);
	if (bo->record != NULL) {
		char *hdr = recording_header_json(bt.log, so);

		bt.rec = recorder_open(bo->record, bt.log, hdr, err,
		    sizeof err);
		free(hdr);
		if (bt.rec == NULL) {
			fprintf(stderr, "mailscope: %s\n", err);
			rc = EXIT_USAGE;
			goto out;
		}
		recorder_set_fail_cb(bt.rec, batch_rec_failed, &bt);
		recorder_set_loop(bt.rec, bt.loop);
	}
	if (bo->script != NULL && batch_script(&bt, bo->script) == -1) {
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < bo->commands.n; i++)
		strv_add(&bt.queue, bo->commands.v[i]);
	if (batch_check(&bt.queue, so) == -1) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (compose_wanted(&bo->co) && (bt.compose = compose_new(so, bt.log,
	    &bo->co, err, sizeof err)) == NULL) {
		fprintf(stderr, "mailscope: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (bo->data_file != NULL && file_load(bo->data_file, MESSAGE_MAX,
	    &bt.message, err, sizeof err) == -1) {
		fprintf(stderr, "mailscope: --data %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	bt.idle_timer = timer_new(bt.loop, batch_idle_done, &bt);
	/* A composed message is all there is to send. */
	if (bo->script != NULL || bo->commands.n > 0 ||
	    isatty(STDIN_FILENO) || bo->co.from != NULL)
		bt.input_eof = true;
	else {
		fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) |
		    O_NONBLOCK);
		loop_add_fd(bt.loop, STDIN_FILENO, POLLIN, batch_stdin, &bt);
	}
	if (bo->json) {
		/* The same lines as a recording: export and replay read it. */
		char *hdr = recording_header_json(bt.log, so);

		buf_adds(&bt.out, hdr);
		buf_addc(&bt.out, '\n');
		free(hdr);
	}
	bt.s = session_new(bt.loop, bt.log, so);
	if (bt.compose != NULL)
		compose_start(bt.compose, bt.s);
	loop_add_signal(bt.loop, SIGINT, batch_signal, &bt);
	loop_add_signal(bt.loop, SIGTERM, batch_signal, &bt);
	loop_add_signal(bt.loop, SIGHUP, batch_signal, &bt);
	bt.conn = 1;
	if (session_connect(bt.s) == 0)
		loop_run(bt.loop);
	rc = bt.refused ? EXIT_USAGE : bt.compose != NULL &&
	    compose_exit(bt.compose) != 0 ? compose_exit(bt.compose) :
	    session_exit_code(bt.s);
	reason = session_end_reason(bt.s, bt.signo, rc);
	if (bo->json) {
		char *trl = recording_trailer_json(bt.log, reason, rc);

		buf_adds(&bt.out, trl);
		buf_addc(&bt.out, '\n');
		free(trl);
	} else if (bt.dg.tls == NULL && bt.dg.bytes_in == 0 &&
	    bt.dg.bytes_out == 0)
		buf_adds(&bt.out, "== no TLS: nothing was exchanged with the "
		    "server\n");
	else if (bt.conn == 2) {
		buf_adds(&b, "== first connection\n");
		render_tls(bt.dg.prev_tls, time(NULL), &b);
		buf_adds(&b, "== second connection\n");
		if (bt.dg.tls == NULL && bt.dg.failure != NULL) {
			buf_adds(&b, "== no TLS: the handshake failed: ");
			sanitize(bt.dg.failure, strlen(bt.dg.failure), &b);
			buf_addc(&b, '\n');
		} else
			render_tls(bt.dg.tls, time(NULL), &b);
		render_compare(bt.dg.prev_tls, bt.dg.tls, &b);
		buf_add(&bt.out, b.p, b.len);
	} else {
		render_tls(bt.dg.tls, time(NULL), &b);
		buf_add(&bt.out, b.p, b.len);
	}
	batch_write(&bt);
	if (bt.rec != NULL) {
		recorder_close(bt.rec, reason, rc);
		bt.rec = NULL;
	}
	/* What was written is not all there is: that comes first. */
	if (bt.out_errno != 0) {
		/* A reader that left (| head) knows; a full disk is said. */
		if (bt.out_errno != EPIPE)
			fprintf(stderr, "mailscope: standard output: %s; the "
			    "%s is incomplete\n", strerror(bt.out_errno),
			    bo->json ? "JSON" : "transcript");
		rc = EXIT_WRITE;
	} else if (bt.rec_failed)
		rc = EXIT_WRITE;
out:
	if (bt.rec != NULL)
		recorder_close(bt.rec, "error", rc);
	compose_free(bt.compose);
	session_free(bt.s);
	timer_free(bt.idle_timer);
	buf_free(&bt.message);
	evlog_free(bt.log);
	digest_free(&bt.dg);
	loop_free(bt.loop);
	/* Typed lines may hold a credential (LOGIN, PASS). */
	for (i = 0; i < bt.queue.n; i++)
		explicit_bzero(bt.queue.v[i], strlen(bt.queue.v[i]));
	strv_clear(&bt.queue);
	if (bt.in.p != NULL)
		explicit_bzero(bt.in.p, bt.in.cap);
	buf_free(&bt.in);
	buf_free(&bt.out);
	buf_free(&b);
	return rc;
}
