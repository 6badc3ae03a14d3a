/* SPDX-License-Identifier: ISC */
/*
 * Batch without a script: --auth logs in, --from/--to send a test
 * message (swaks's job).  The steps are the ones a person types on the
 * screen, sent through the same session, so the transcript is the
 * screen's: greeting, EHLO (or CAPABILITY, CAPA), STARTTLS when offered
 * (always with --require-tls) and the capabilities again, AUTH, MAIL,
 * RCPT for each recipient, DATA with the message dot-stuffed, QUIT.
 * --quit-after STAGE stops after a stage; a refusal stops where it
 * happened, and the exit code says which stage that was.
 *
 * Also here: where a login's secret comes from, for :auth in batch and
 * for --auth alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"


/* --quit-after's stages, in order; the names are the option's words. */
enum stage {
	STAGE_CONNECT,
	STAGE_GREETING,
	STAGE_EHLO,
	STAGE_TLS,
	STAGE_AUTH,
	STAGE_MAIL,
	STAGE_RCPT,
	STAGE_DATA,
};
static const char *const stage_names[] = {
	"connect", "greeting", "ehlo", "tls", "auth", "mail", "rcpt", "data",
};
#define NSTAGES	(sizeof stage_names / sizeof stage_names[0])

/* What is awaited: the reply to the step named. */
enum step {
	STEP_GREETING,
	STEP_CAPS,
	STEP_STARTTLS,
	STEP_CAPS_TLS,
	STEP_AUTH,
	STEP_MAIL,
	STEP_RCPT,
	STEP_DATA,
	STEP_MESSAGE,
	STEP_OVER,
};

struct compose {
	struct session		*s;
	const struct session_opts *so;
	struct evlog		*log;
	const struct compose_opts *co;
	enum step		 step;
	struct buf		 secret;
	bool			 have_secret;
	bool			 token;		/* the secret is a token */
	struct strv		 msg;		/* the message's lines */
	size_t			 rcpt;		/* recipients asked */
	size_t			 rcpt_ok;
	uint8_t			 status;	/* the last final reply's */
	int			 exit;
};

/* --- where a login's secret comes from ------------------------------- */

/*
 * ":auth [MECH] USER" and --auth: a single word is the user, unless it
 * names a mechanism that takes no secret (EXTERNAL: the user is then
 * optional, whom to act as).
 */
void
login_args(const char *args, char **mech, char **user)
{
	size_t	m = strcspn(args, " ");

	*mech = *user = NULL;
	if (args[m] == ' ') {
		*mech = xstrndup(args, m);
		*user = xstrdup(args + m + 1);
	} else if (sasl_secret_kind(args) == SASL_NO_SECRET)
		*mech = xstrdup(args);
	else
		*user = xstrdup(args);
}

/*
 * The secret mech takes (NULL: a token when a token file is given, else
 * a password): 1 in out with *token set, 0 none needed, -1 with err.
 */
int
login_secret(const struct session_opts *so, const char *mech,
    struct buf *out, bool *token, char *err, size_t errlen)
{
	struct strv	names = { 0 };
	struct buf	list = { 0 };
	size_t		i;
	int		kind, rc;

	kind = mech != NULL ? sasl_secret_kind(mech) : so->token_file != NULL ?
	    SASL_TOKEN : SASL_PASSWORD;
	*token = kind == SASL_TOKEN;
	if (kind == -1) {
		sasl_mech_names(&names);
		for (i = 0; i < names.n; i++)
			buf_printf(&list, "%s%s", i > 0 ? ", " : "",
			    names.v[i]);
		snprintf(err, errlen, "mechanism %.40s unknown (%s)", mech,
		    list.p);
		strv_clear(&names);
		buf_free(&list);
		return -1;
	}
	if (kind == SASL_NO_SECRET)
		return 0;
	if (kind == SASL_TOKEN)
		rc = secret_read(so->token_file, NULL, out, err, errlen);
	else
		rc = secret_read(so->password_file, "MAILSCOPE_PASSWORD", out,
		    err, errlen);
	if (rc == 0)
		snprintf(err, errlen, "%s", kind == SASL_TOKEN ? "no token "
		    "(give --auth-token-file FILE)" : "no secret (give "
		    "--auth-password-file FILE or set MAILSCOPE_PASSWORD)");
	return rc == 1 ? 1 : -1;
}

/* --- the options ------------------------------------------------------ */

static int
stage_parse(const char *name)
{
	size_t	i;

	for (i = 0; i < NSTAGES; i++)
		if (strcasecmp(name, stage_names[i]) == 0)
			return (int)i;
	return -1;
}

/* 1: ch was one of COMPOSE_OPTS, 0 not, -1 with err. */
int
compose_option(struct compose_opts *co, int ch, const char *arg, char *err,
    size_t errlen)
{
	switch (ch) {
	case COPT_AUTH:
		co->auth_mech = arg;
		co->auth = true;
		break;
	case COPT_AUTH_USER:
		co->auth_user = arg;
		co->auth = true;
		break;
	case COPT_FROM:
		co->from = arg;
		break;
	case COPT_TO:
		strv_add(&co->to, arg);
		break;
	case COPT_HEADER:
		if (strchr(arg, ':') == NULL || *arg == ':' ||
		    strpbrk(arg, "\r\n") != NULL) {
			snprintf(err, errlen, "--header takes 'Name: value' "
			    "on one line, not '%.60s'", arg);
			return -1;
		}
		strv_add(&co->headers, arg);
		break;
	case COPT_BODY:
		co->body = arg;
		break;
	case COPT_DATA:
		co->data = arg;
		break;
	case COPT_QUIT_AFTER:
		if ((co->quit_after = stage_parse(arg)) == -1) {
			snprintf(err, errlen, "--quit-after takes connect, "
			    "greeting, ehlo, tls, auth, mail, rcpt or data, "
			    "not '%.40s'", arg);
			return -1;
		}
		co->quit_after++;	/* 0: not given */
		break;
	default:
		return 0;
	}
	return 1;
}

static bool
sending(const struct compose_opts *co)
{
	return co->from != NULL || co->to.n > 0 || co->headers.n > 0 ||
	    co->body != NULL || co->data != NULL;
}

bool
compose_wanted(const struct compose_opts *co)
{
	return co->auth || sending(co) || co->quit_after != 0;
}

/* What only the whole set can tell; before connecting. */
int
compose_check(const struct compose_opts *co, const struct session_opts *so,
    bool script, char *err, size_t errlen)
{
	int	qa = co->quit_after - 1;

	if (!compose_wanted(co))
		return 0;
	if (sending(co)) {
		if (pp_data_cmd(so->target.proto) == NULL) {
			snprintf(err, errlen, "--from, --to, --header, --body "
			    "and --data compose a message for SMTP or LMTP");
			return -1;
		}
		if (co->from == NULL || co->to.n == 0) {
			snprintf(err, errlen, "a message needs --from ADDR "
			    "and at least one --to ADDR");
			return -1;
		}
		if (strpbrk(co->from, "\r\n<>") != NULL) {
			snprintf(err, errlen, "--from: an address on one "
			    "line, without <>");
			return -1;
		}
		if (co->body != NULL && co->data != NULL) {
			snprintf(err, errlen, "--body and --data each give "
			    "the message: give one");
			return -1;
		}
		if (script) {
			snprintf(err, errlen, "a composed message is sent "
			    "without a script: no -c or --script with --from");
			return -1;
		}
	} else if (qa >= STAGE_MAIL) {
		snprintf(err, errlen, "--quit-after %s needs a message "
		    "(--from, --to)", stage_names[qa]);
		return -1;
	}
	if (co->auth_mech != NULL && sasl_secret_kind(co->auth_mech) == -1) {
		snprintf(err, errlen, "--auth: mechanism %.40s unknown",
		    co->auth_mech);
		return -1;
	}
	if (co->auth && co->auth_user == NULL && (co->auth_mech == NULL ||
	    sasl_secret_kind(co->auth_mech) != SASL_NO_SECRET)) {
		snprintf(err, errlen, "--auth needs --auth-user USER");
		return -1;
	}
	return 0;
}

void
compose_opts_free(struct compose_opts *co)
{
	strv_clear(&co->to);
	strv_clear(&co->headers);
}

/* --- the message ------------------------------------------------------ */

/* The file, whole (base's loader); NUL refused (a line could not carry
 * it). */
static int
data_read(const char *path, struct buf *out, char *err, size_t errlen)
{
	char	why[256];

	if (file_load(path, MESSAGE_MAX, out, why, sizeof why) == -1) {
		snprintf(err, errlen, "--data %s", why);
		return -1;
	}
	if (out->len > 0 && memchr(out->p, '\0', out->len) != NULL) {
		snprintf(err, errlen, "--data %s: holds a NUL byte", path);
		return -1;
	}
	return 0;
}

/* Lines at LF, a CR before it dropped: the session ends each with CRLF. */
static void
split_lines(const char *p, size_t len, struct strv *out)
{
	const char	*nl;
	size_t		 n;

	while (len > 0) {
		if ((nl = memchr(p, '\n', len)) == NULL)
			nl = p + len;
		n = (size_t)(nl - p);
		strv_addn(out, p, n > 0 && p[n - 1] == '\r' ? n - 1 : n);
		if (nl == p + len)
			break;
		len -= n + 1;
		p = nl + 1;
	}
}

static bool
header_is(const char *line, const char *h)
{
	size_t	n = strcspn(h, ":");

	return strncasecmp(line, h, n) == 0 && line[n] == ':';
}

/* h replaces the header of its name (and its folded lines), or ends
 * the header block. */
static void
header_set(struct strv *msg, const char *h)
{
	struct strv	out = { 0 };
	size_t		i;
	bool		done = false, skip = false, head = true;

	for (i = 0; i < msg->n; i++) {
		if (head && msg->v[i][0] == '\0') {
			if (!done)
				strv_add(&out, h);
			done = true;
			head = false;
		}
		if (head && skip && (msg->v[i][0] == ' ' ||
		    msg->v[i][0] == '\t'))
			continue;
		skip = false;
		if (head && header_is(msg->v[i], h)) {
			if (!done)
				strv_add(&out, h);
			done = skip = true;
			continue;
		}
		strv_add(&out, msg->v[i]);
	}
	if (!done) {
		strv_add(&out, h);
		strv_add(&out, "");
	}
	strv_clear(msg);
	*msg = out;
}

static int
message_build(struct compose *c, char *err, size_t errlen)
{
	const struct compose_opts *co = c->co;
	const char	*ehlo = c->so->ehlo;
	struct buf	 b = { 0 };
	char		 date[64];
	time_t		 now = time(NULL);
	size_t		 i;

	if (co->data != NULL) {
		/* The file is the message; only --header changes it. */
		if (data_read(co->data, &b, err, errlen) == -1) {
			buf_free(&b);
			return -1;
		}
		split_lines(b.p != NULL ? b.p : "", b.len, &c->msg);
		buf_free(&b);
	} else {
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z",
		    localtime(&now));
		buf_printf(&b, "Date: %s", date);
		strv_add(&c->msg, b.p);
		buf_reset(&b);
		buf_printf(&b, "From: %s", co->from);
		strv_add(&c->msg, b.p);
		buf_reset(&b);
		buf_adds(&b, "To: ");
		for (i = 0; i < co->to.n; i++)
			buf_printf(&b, "%s%s", i > 0 ? ", " : "", co->to.v[i]);
		strv_add(&c->msg, b.p);
		buf_reset(&b);
		buf_printf(&b, "Subject: test %s", date);
		strv_add(&c->msg, b.p);
		buf_reset(&b);
		buf_printf(&b, "Message-ID: <%lld.%ld@%s>", (long long)now,
		    (long)getpid(), ehlo != NULL ? ehlo :
		    "mailscope.localhost");
		strv_add(&c->msg, b.p);
		buf_reset(&b);
		strv_add(&c->msg, "X-Mailer: mailscope " MAILSCOPE_VERSION);
		strv_add(&c->msg, "");
		if (co->body != NULL)
			split_lines(co->body, strlen(co->body), &c->msg);
		else
			strv_add(&c->msg, "This is a test message sent by "
			    "mailscope.");
		buf_free(&b);
	}
	for (i = 0; i < co->headers.n; i++)
		header_set(&c->msg, co->headers.v[i]);
	return 0;
}

/* --- the driver ------------------------------------------------------- */

static void
compose_event(const struct event *ev, void *arg)
{
	struct compose	*c = arg;

	if (ev->kind == EV_DATA && ev->dir == DIR_SERVER &&
	    (ev->cls.bits & EVC_FINAL))
		c->status = ev->cls.status;
}

/*
 * Before connecting: the secret and the message are read now (a file
 * that cannot be is a usage error, and --data - reads standard input
 * before the session could).
 */
struct compose *
compose_new(const struct session_opts *so, struct evlog *log,
    const struct compose_opts *co, char *err, size_t errlen)
{
	struct compose	*c;
	int		 rc;

	c = xcalloc(1, sizeof *c);
	c->so = so;
	c->log = log;
	c->co = co;
	if (co->auth) {
		rc = login_secret(so, co->auth_mech, &c->secret,
		    &c->token, err, errlen);
		if (rc == -1) {
			compose_free(c);
			return NULL;
		}
		c->have_secret = rc == 1;
	}
	if (sending(co) && message_build(c, err, errlen) == -1) {
		compose_free(c);
		return NULL;
	}
	evlog_subscribe(log, compose_event, c);
	return c;
}

void
compose_start(struct compose *c, struct session *s)
{
	c->s = s;
}

void
compose_free(struct compose *c)
{
	size_t	i;

	if (c == NULL)
		return;
	evlog_unsubscribe(c->log, compose_event, c);
	buf_wipe(&c->secret);
	for (i = 0; i < c->msg.n; i++)
		explicit_bzero(c->msg.v[i], strlen(c->msg.v[i]));
	strv_clear(&c->msg);
	free(c);
}

/* The stage just done: stop here if --quit-after says so. */
static bool
stage_done(struct compose *c, enum stage stage)
{
	return c->co->quit_after - 1 == (int)stage;
}

/* A refusal at stage: said, the code kept, QUIT. */
static int
refused(struct compose *c, enum stage stage, int code)
{
	ev_local(c->log, EV_ERROR, session_chan(c->s), "refused",
	    "stopped at %s: the server refused it", stage_names[stage]);
	c->exit = code;
	c->step = STEP_OVER;
	return COMPOSE_QUIT;
}

static bool
ok(const struct compose *c)
{
	return c->status == RS_OK || c->status == RS_PREAUTH;
}

/*
 * The capabilities of this channel, asked for unless they are in already
 * and whole: a ManageSieve server lists them in its greeting and again,
 * unasked, after STARTTLS (RFC 5804 1.7, 2.2).  SMTP always says EHLO.
 */
static int
caps(struct compose *c, enum step next)
{
	const struct pp	*e = session_engine(c->s);
	const char	*cmd = session_caps_cmd(c->s, session_opts(c->s)->ehlo);

	c->step = next;
	if (pp_caps_known(e) && !pp_caps_partial(e) &&
	    pp_data_cmd(session_opts(c->s)->target.proto) == NULL)
		return compose_next(c);
	session_send(c->s, cmd, strlen(cmd));
	return COMPOSE_BUSY;
}

static int
mail(struct compose *c)
{
	struct buf	b = { 0 };

	if (c->co->from == NULL) {
		c->step = STEP_OVER;
		return COMPOSE_OVER;
	}
	buf_printf(&b, "MAIL FROM:<%s>", c->co->from);
	c->step = STEP_MAIL;
	session_send(c->s, b.p, b.len);
	buf_free(&b);
	return COMPOSE_BUSY;
}

static int
rcpt(struct compose *c)
{
	struct buf	b = { 0 };

	buf_printf(&b, "RCPT TO:<%s>", c->co->to.v[c->rcpt++]);
	c->step = STEP_RCPT;
	session_send(c->s, b.p, b.len);
	buf_free(&b);
	return COMPOSE_BUSY;
}

static int
auth(struct compose *c)
{
	if (stage_done(c, STAGE_TLS))
		return COMPOSE_QUIT;
	if (!c->co->auth)
		return stage_done(c, STAGE_AUTH) ? COMPOSE_QUIT : mail(c);
	c->step = STEP_AUTH;
	if (session_auth(c->s, c->co->auth_mech, c->co->auth_user,
	    c->have_secret ? c->secret.p : NULL, c->token) == -1) {
		c->step = STEP_OVER;
		buf_wipe(&c->secret);
		return COMPOSE_QUIT;	/* the session said why */
	}
	buf_wipe(&c->secret);
	return COMPOSE_BUSY;
}

/* After the capabilities in plaintext: STARTTLS when offered. */
static int
tls(struct compose *c)
{
	if (session_chan(c->s) == CHAN_TLS)
		return auth(c);
	if (session_cap_starttls(c->s)) {
		c->step = STEP_STARTTLS;
		session_starttls(c->s);
		return COMPOSE_BUSY;
	}
	if (session_opts(c->s)->require_tls) {
		ev_local(c->log, EV_ERROR, CHAN_PLAIN, "no-starttls",
		    "STARTTLS not offered by the server; --require-tls "
		    "stops here");
		c->exit = EXIT_NOSTARTTLS;
		c->step = STEP_OVER;
		return COMPOSE_QUIT;
	}
	return auth(c);
}

/* The message (the engine dot-stuffs it, RFC 5321 4.5.2), and its ".". */
static int
message(struct compose *c)
{
	size_t	i;

	for (i = 0; i < c->msg.n; i++)
		session_send_body(c->s, c->msg.v[i], strlen(c->msg.v[i]));
	c->step = STEP_MESSAGE;
	session_send(c->s, ".", 1);
	return COMPOSE_BUSY;
}

/*
 * The session is idle: the reply to the last step is in.  BUSY: a
 * command went; QUIT: stop here (QUIT, or a close inside DATA); OVER:
 * nothing more to do here, the script (if any) goes on.
 */
int
compose_next(struct compose *c)
{
	switch (c->step) {
	case STEP_GREETING:
		if (stage_done(c, STAGE_CONNECT)) {
			c->step = STEP_OVER;
			session_close(c->s, "--quit-after connect: closed "
			    "without a word");
			return COMPOSE_QUIT;
		}
		if (!ok(c))
			return refused(c, STAGE_GREETING, EXIT_PROTO);
		if (stage_done(c, STAGE_GREETING))
			return COMPOSE_QUIT;
		/* --starttls did the capabilities and STARTTLS already. */
		if (session_chan(c->s) == CHAN_TLS &&
		    !session_opts(c->s)->target.implicit_tls)
			return stage_done(c, STAGE_EHLO) ? COMPOSE_QUIT : auth(c);
		return caps(c, session_chan(c->s) == CHAN_TLS ?
		    STEP_CAPS_TLS : STEP_CAPS);
	case STEP_CAPS:
		if (!ok(c))
			return refused(c, STAGE_EHLO, EXIT_PROTO);
		return stage_done(c, STAGE_EHLO) ? COMPOSE_QUIT : tls(c);
	case STEP_STARTTLS:
		if (session_chan(c->s) != CHAN_TLS) {
			c->exit = EXIT_NOSTARTTLS;
			c->step = STEP_OVER;
			return COMPOSE_QUIT;
		}
		return caps(c, STEP_CAPS_TLS);
	case STEP_CAPS_TLS:
		if (!ok(c))
			return refused(c, STAGE_TLS, EXIT_PROTO);
		if (stage_done(c, STAGE_EHLO))
			return COMPOSE_QUIT;
		return auth(c);
	case STEP_AUTH:
		if (session_auth_result(c->s) != AUTH_OK)
			return refused(c, STAGE_AUTH, EXIT_AUTH);
		return stage_done(c, STAGE_AUTH) ? COMPOSE_QUIT : mail(c);
	case STEP_MAIL:
		if (!ok(c))
			return refused(c, STAGE_MAIL, EXIT_MAIL);
		return stage_done(c, STAGE_MAIL) ? COMPOSE_QUIT : rcpt(c);
	case STEP_RCPT:
		if (ok(c))
			c->rcpt_ok++;
		if (c->rcpt < c->co->to.n)
			return rcpt(c);
		if (c->rcpt_ok == 0)
			return refused(c, STAGE_RCPT, EXIT_RCPT);
		if (stage_done(c, STAGE_RCPT))
			return COMPOSE_QUIT;
		c->step = STEP_DATA;
		session_send(c->s, "DATA", 4);
		return COMPOSE_BUSY;
	case STEP_DATA:
		if (!session_data_mode(c->s))
			return refused(c, STAGE_DATA, EXIT_DATA);
		if (stage_done(c, STAGE_DATA)) {
			/* Inside DATA a QUIT would be a line of the
			 * message. */
			c->step = STEP_OVER;
			session_close(c->s, "--quit-after data: closed at "
			    "the go-ahead, no message sent");
			return COMPOSE_QUIT;
		}
		return message(c);
	case STEP_MESSAGE:
		if (!ok(c))
			return refused(c, STAGE_DATA, EXIT_DATA);
		c->step = STEP_OVER;
		return COMPOSE_OVER;
	case STEP_OVER:
		break;
	}
	return COMPOSE_OVER;
}

/* Where it stopped, when the server refused a stage; 0 otherwise. */
int
compose_exit(const struct compose *c)
{
	return c->exit;
}
