/* SPDX-License-Identifier: ISC */
/*
 * A mail session: one connection, its protocol engine, TLS upgraded in
 * place, and every byte and fact appended to the event log.
 *
 * The state machine follows the connection's phase; replies awaited are
 * the protocol engine's business (pp_pending).  --starttls adds a short
 * automatic prologue (capabilities, STARTTLS, capabilities again) before
 * the owner is told the session is ready for commands.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/core.h"

#define READ_CHUNK	(64 * 1024)
#define READ_BUDGET	(1024 * 1024)	/* per wakeup: keep the UI live */
#define BYE_MS		1000

static const char *state_names[STATE_MAX] = {
	"DISCONNECTED", "CONNECTING", "TLS-CONNECT", "PLAIN",
	"STARTTLS-WAIT", "HANDSHAKE", "TLS", "CLOSING", "CLOSED",
};

enum auto_step {
	AUTO_NONE,
	AUTO_CAPS1,		/* first capability request */
	AUTO_STARTTLS,		/* STARTTLS sent */
	AUTO_CAPS2,		/* capabilities asked again inside TLS */
};

struct session {
	struct loop		*loop;
	struct evlog		*log;
	struct session_opts	 opts;
	enum session_state	 state;
	struct stream		*st;		/* NULL: no connection */
	struct mxwalk_addr	*addrs;		/* of conn_host */
	size_t			 naddrs;
	size_t			 addr_cur;
	char			*conn_host;	/* the name connected to */
	struct dns		*dns;		/* NULL until DNS is asked */
	struct mxwalk		*walk;		/* the hosts DNS named */
	struct tlsa_set		 dns_tlsa;	/* the host's TLSA RRset */
	char			*tlsa_name;	/* ... "_25._tcp.HOST" */
	int			 tlsa_q;	/* its query, -1: none */
	struct sts_fetch	*sts;		/* mx://: the MTA-STS policy */
	const struct sts_policy	*sts_policy;	/* ... once it is known */
	struct path		*path;		/* SOCKS5, PROXY header: under way */
	struct sockaddr_storage	 via_target;	/* socks5: the target's address */
	bool			 via_resolved;
	struct tls_client	*tls;
	struct tls_facts	*facts;
	struct tls_resume	 resume;	/* for the next connection */
	char			*priority;	/* NULL: opts.priority */
	struct buf		 chain_pem;	/* as sent, for :save-chain */
	struct pp		*pp;
	struct redactor		*red;
	struct buf		 out;
	struct timer		*timer;		/* connect, reply, handshake */
	struct timer		*bye_timer;
	struct timer		*auto_timer;	/* the next automatic step */
	int			 exit_code;
	uint64_t		 bytes_in;
	uint64_t		 bytes_in_armed;	/* bytes_in when the wait began */
	bool			 quitting;
	bool			 server_closed;	/* before we asked to */
	bool			 ending;	/* session_end: only log now */
	bool			 auto_started;
	enum auto_step		 auto_step;
	bool			 auto_sent;	/* its command went out */
	struct strv		 caps_before;
	const char		*caps_before_gap;	/* NULL: full list */
	bool			 caps_diff_due;
	struct strv		 caps_after;	/* the first inside TLS */
	bool			 caps_after_seen;
	bool			 caps_warned;
	bool			 read_deferred;
	bool			 corked;
	bool			 cmd_injected;	/* sent with STARTTLS */
	bool			 withheld;	/* --require-tls kept back */
	int64_t			 hs_start;
	char			*wait_what;	/* what a timeout waits for */
	struct buf		 raw_line;	/* a line :raw left unfinished */
	bool			 raw_secret;	/* ... and it is secret */
	struct sasl		*sasl;		/* :auth under way */
	enum auth_result	 auth_result;
	bool			 said_plain;	/* a yes to a secret in clear */
	bool			 said_unverified;	/* ... to unverified TLS */
	bool			 out_secret;	/* out held a secret: wipe it */
	struct buf		 lit_held;	/* a literal awaiting its "+" */
	char			 phase[96];
};

static void	session_io(int, short, void *);
static int	session_secret_typed(struct session *);
static void	session_sasl_next(struct session *, const struct pp_line *);
static void	session_sasl_end(struct session *);
static void	session_flush(struct session *);
static void	session_set_state(struct session *, enum session_state);
static void	session_start_tls(struct session *);
static void	session_open(struct session *);
static void	session_read(struct session *);
static void	session_end(struct session *, int, const char *, ...)
		    PRINTFLIKE(3, 4);
static void	session_connect_failed(struct session *, const char *, ...)
		    PRINTFLIKE(2, 3);

const char *
session_state_name(enum session_state s)
{
	return (unsigned)s < STATE_MAX ? state_names[s] : "?";
}

/* The channel the session's next event belongs to. */
enum ev_chan
session_chan(const struct session *s)
{
	return s->tls != NULL && (s->state == STATE_TLS ||
	    s->state == STATE_CLOSING) ? CHAN_TLS : CHAN_PLAIN;
}

static void
session_exit(struct session *s, int code)
{
	if (s->exit_code == EXIT_OK)
		s->exit_code = code;
}

/* Every transition goes through here, and is an event. */
static void
session_set_state(struct session *s, enum session_state st)
{
	struct event	 ev;
	const char	*name = session_state_name(st);

	if (s->state == st)
		return;
	s->state = st;
	memset(&ev, 0, sizeof ev);
	ev.kind = EV_STATE;
	ev.dir = DIR_LOCAL;
	ev.chan = (uint8_t)session_chan(s);
	evlog_append(s->log, &ev, name, strlen(name));
}

static void
session_arm(struct session *s, const char *what)
{
	/* session_ready re-arms with the string it already holds. */
	if (what != s->wait_what) {
		free(s->wait_what);
		s->wait_what = xstrdup(what);
	}
	s->bytes_in_armed = s->bytes_in;
	if (s->opts.timeout_ms > 0)
		timer_set(s->timer, s->opts.timeout_ms);
}

static void
session_disarm(struct session *s)
{
	timer_cancel(s->timer);
}

/* Bytes as they crossed the wire, logged with their channel and what
 * the engine made of them (cls NULL: nothing). */
static const struct event *
session_log_data(struct session *s, enum ev_dir dir, uint32_t flags,
    const char *data, size_t len, const struct ev_class *cls)
{
	struct event	ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EV_DATA;
	ev.dir = (uint8_t)dir;
	ev.chan = (uint8_t)session_chan(s);
	ev.flags = flags;
	if (cls != NULL)
		ev.cls = *cls;
	return evlog_append(s->log, &ev, data, len);
}

static void
session_close_fd(struct session *s)
{
	path_free(s->path);
	s->path = NULL;
	if (s->st == NULL)
		return;
	loop_del_fd(s->loop, stream_fd(s->st));
	stream_free(s->st);
	s->st = NULL;
}

/* The connection is over; say why once and tell the owner. */
static void
session_end(struct session *s, int code, const char *fmt, ...)
{
	struct buf	b = { 0 };
	va_list		ap;

	if (s->state == STATE_CLOSED)
		return;
	session_exit(s, code);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	s->ending = true;
	session_sasl_end(s);
	pp_eof(s->pp);
	ev_local(s->log, EV_CLOSE, session_chan(s), NULL, "%s", b.p);
	buf_free(&b);
	session_disarm(s);
	timer_cancel(s->bye_timer);
	timer_cancel(s->auto_timer);
	/* Before the stream goes: it owns the GnuTLS session. */
	if (s->tls != NULL && s->facts != NULL)
		tls_resume_keep(s->tls, &s->resume);
	session_close_fd(s);
	if (s->tls != NULL) {
		tls_client_free(s->tls);
		s->tls = NULL;
	}
	/* Its queries still out are cancelled. */
	mxwalk_free(s->walk);
	s->walk = NULL;
	if (s->tlsa_q != -1) {
		dns_cancel(s->dns, s->tlsa_q);
		s->tlsa_q = -1;
	}
	if (s->sts_policy == NULL) {
		sts_fetch_free(s->sts);
		s->sts = NULL;
	}
	session_set_state(s, STATE_CLOSED);
}

static const char *
session_phase(struct session *s)
{
	switch (s->state) {
	case STATE_CONNECTING:
		return "while connecting";
	case STATE_TLS_CONNECT:
	case STATE_HANDSHAKE:
		return "during the TLS handshake";
	case STATE_STARTTLS_WAIT:
		return "while waiting for the STARTTLS reply";
	default:
		break;
	}
	if (s->quitting) {
		snprintf(s->phase, sizeof s->phase, "after %s",
		    pp_quit_cmd(s->pp));
		return s->phase;
	}
	if (pp_data_mode(s->pp))
		return "during the message body";
	if (pp_pending(s->pp) > 0 && s->wait_what != NULL) {
		/* "to NOOP", "for the greeting": say it is a wait. */
		snprintf(s->phase, sizeof s->phase, "while waiting %s%s",
		    strncmp(s->wait_what, "to ", 3) == 0 ? "for the reply " :
		    "", s->wait_what);
		return s->phase;
	}
	return "while idle";
}

static void
session_timeout(void *arg)
{
	struct session	*s = arg;

	switch (s->state) {
	case STATE_CONNECTING:
		if (s->st == NULL) {
			session_end(s, EXIT_PROTO, "no DNS answer within %d "
			    "ms (--timeout raises the limit)",
			    s->opts.timeout_ms);
			return;
		}
		if (s->path != NULL) {
			session_end(s, EXIT_PROTO, "no answer from the "
			    "SOCKS5 proxy within %d ms (--timeout raises the "
			    "limit)", s->opts.timeout_ms);
			return;
		}
		session_connect_failed(s, "timed out after %d ms",
		    s->opts.timeout_ms);
		return;
	case STATE_TLS_CONNECT:
	case STATE_HANDSHAKE:
		session_end(s, EXIT_HANDSHAKE, "TLS handshake timed out "
		    "after %d ms", s->opts.timeout_ms);
		return;
	default:
		break;
	}
	if (s->quitting) {
		session_end(s, EXIT_OK, "closed: no reply to %s within %d ms",
		    pp_quit_cmd(s->pp), s->opts.timeout_ms);
		return;
	}
	pp_timeout(s->pp);
	session_exit(s, EXIT_PROTO);
	/*
	 * Last: the owner decides on this event (close or carry on).  A
	 * long transfer that is still arriving needs a larger limit.
	 */
	if (s->bytes_in > s->bytes_in_armed)
		ev_local(s->log, EV_ERROR, session_chan(s), "timeout",
		    "no complete reply %s within %d ms (%llu bytes of it "
		    "had arrived; --timeout raises the limit)",
		    s->wait_what != NULL ? s->wait_what : "",
		    s->opts.timeout_ms,
		    (unsigned long long)(s->bytes_in - s->bytes_in_armed));
	else
		ev_local(s->log, EV_ERROR, session_chan(s), "timeout",
		    "no complete reply %s within %d ms", s->wait_what != NULL ?
		    s->wait_what : "", s->opts.timeout_ms);
}

/* Nothing awaited: the client's turn, an event its owner acts on. */
static void
session_log_ready(struct session *s)
{
	struct event	ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EV_READY;
	ev.dir = DIR_LOCAL;
	ev.chan = session_chan(s);
	evlog_append(s->log, &ev, "", 0);
}

static void
session_ready(struct session *s)
{
	if (pp_pending(s->pp) > 0) {
		session_arm(s, s->wait_what != NULL ? s->wait_what : "");
		return;
	}
	session_disarm(s);
	if (s->auto_step == AUTO_NONE && !s->quitting)
		session_log_ready(s);
}

/* A step of the exchange in words, under the line it explains. */
static void
session_sasl_say(struct session *s, struct buf *note)
{
	if (note->len == 0)
		return;
	ev_local(s->log, EV_INFO, session_chan(s), "sasl-step", "%s",
	    note->p);
	buf_reset(note);
}

static void
session_sasl_end(struct session *s)
{
	sasl_free(s->sasl);
	s->sasl = NULL;
}

static void
raw_line_clear(struct session *s)
{
	if (s->raw_line.p != NULL)
		explicit_bzero(s->raw_line.p, s->raw_line.cap);
	buf_free(&s->raw_line);
	s->raw_secret = false;
}

/*
 * Client bytes that are not one whole line (":raw"): each line through
 * the redactor, its line end kept.  A line sent in pieces is judged as a
 * whole; once it is secret each of its pieces is hidden.  Returns true if
 * shown differs from the bytes.
 */
static bool
redact_bytes(struct session *s, const char *p, size_t len, struct buf *shown)
{
	struct buf	 form = { 0 };
	const char	*nl;
	size_t		 n, body, ll;
	bool		 first, secret, any = false;

	while (len > 0) {
		nl = memchr(p, '\n', len);
		n = nl != NULL ? (size_t)(nl - p) + 1 : len;
		body = n;
		while (body > 0 && (p[body - 1] == '\n' || p[body - 1] == '\r'))
			body--;
		first = s->raw_line.len == 0;
		buf_add(&s->raw_line, p, n);
		ll = s->raw_line.len - (n - body);
		buf_reset(&form);
		if (nl != NULL)
			secret = redact_client(s->red, s->raw_line.p, ll, &form);
		else
			secret = redact_peek(s->red, s->raw_line.p, ll, &form);
		if (secret)
			s->raw_secret = true;
		if (!s->raw_secret)
			buf_add(shown, p, n);
		else {
			if (first)
				buf_add(shown, form.p, form.len);
			else
				buf_printf(shown, "[redacted: %zu bytes]", body);
			buf_add(shown, p + body, n - body);
			any = true;
		}
		if (nl != NULL)
			raw_line_clear(s);
		p += n;
		len -= n;
	}
	buf_free(&form);
	return any;
}

/* Would this client line be hidden, were it sent now? */
bool
session_is_secret(const struct session *s, const char *line, size_t len)
{
	struct buf	form = { 0 };
	const char	*nl;
	size_t		 n;
	bool		 secret = s->raw_secret;

	/* A line :raw left unfinished is continued by this one. */
	while (!secret && len > 0) {
		nl = memchr(line, '\n', len);
		n = nl != NULL ? (size_t)(nl - line) : len;
		secret = redact_peek(s->red, line, n, &form);
		buf_reset(&form);
		if (nl == NULL)
			break;
		line += n + 1;
		len -= n + 1;
	}
	buf_free(&form);
	return secret;
}

/*
 * STARTTLS is going out: what the capabilities after it are compared
 * with.  Only a full list compares: none, or a greeting's, may lack what
 * the server offers before TLS.
 */
static void
session_keep_caps(struct session *s)
{
	strv_copy(&s->caps_before, pp_caps(s->pp));
	if (!pp_caps_known(s->pp))
		s->caps_before_gap = "no capability list was seen before it";
	else if (pp_caps_partial(s->pp))
		s->caps_before_gap = "before it only the greeting listed "
		    "capabilities, and that list may be partial (CAPABILITY "
		    "before STARTTLS gives the full one)";
	else
		s->caps_before_gap = NULL;
}

/* Queue a command: the engine adds tags/CRLF; secrets are redacted. */
static int
session_command(struct session *s, const char *line, size_t len)
{
	struct buf	 wire = { 0 }, shown = { 0 };
	struct ev_class	 cls;
	uint32_t	 flags = 0;
	bool		 secret, data_mode = pp_data_mode(s->pp);
	const char	*w;
	size_t		 wl;
	int64_t		 due = pp_chunk_due(s->pp);
	int		 rc;

	if (pp_line_is_body(s->pp, len))
		flags |= EVF_BODY;
	else if (!pp_wants_continuation(s->pp) &&
	    (w = pp_addr_check(s->pp, line, len)) != NULL)
		ev_local(s->log, EV_WARNING, session_chan(s), "smtputf8", "%s",
		    w);
	if ((rc = pp_command(s->pp, line, len, &wire, &cls)) < 0) {
		if (rc == -2)
			ev_local(s->log, EV_ERROR, session_chan(s), "usage",
			    "not sent: the BDAT chunk has %lld bytes to go; "
			    "this line and its CRLF are %zu", (long long)due,
			    len + 2);
		else
			ev_local(s->log, EV_ERROR, session_chan(s), "usage",
			    "not sent: a command cannot contain CR or LF "
			    "(use :raw)");
		buf_free(&wire);
		return -1;
	}
	if (s->corked && !(flags & EVF_BODY))
		flags |= EVF_PIPELINED;
	if (s->raw_line.len > 0) {
		/* The line ends one :raw began. */
		secret = redact_bytes(s, wire.p, wire.len, &shown);
		if (shown.len >= 2)
			shown.len -= 2;
	} else
		secret = redact_client(s->red, wire.p, wire.len >= 2 ?
		    wire.len - 2 : wire.len, &shown);
	w = wire.p;
	/* A chunk's last line may go without its CRLF. */
	wl = wire.len >= 2 && wire.p[wire.len - 1] == '\n' ? wire.len - 2 :
	    wire.len;
	if (data_mode) {
		if (wl > 1 && w[0] == '.' && w[1] == '.') {
			/* Log what was typed; the flag says a dot was added. */
			flags |= EVF_DOTSTUFF;
			w++;
			wl--;
		}
	}
	if (secret)
		cls.bits |= EVC_SECRET;
	/*
	 * The redacted form keeps the tag when it still starts with it; a
	 * line redacted whole shows no verb of its own (an answer keeps the
	 * verb of the command it answers).
	 */
	if (secret && !s->opts.no_redact) {
		if (cls.tag > shown.len || memcmp(shown.p, wire.p, cls.tag) != 0)
			cls.tag = 0;
		if (shown.len > 0 && shown.p[0] == '[' &&
		    !(cls.bits & EVC_CONT))
			cls.verb = 0;
		session_log_data(s, DIR_CLIENT, flags | EVF_REDACTED,
		    shown.p, shown.len, &cls);
	} else
		session_log_data(s, DIR_CLIENT, flags |
		    (secret ? EVF_NOREDACT : 0), w, wl, &cls);
	buf_add(&s->out, wire.p, wire.len);
	if (secret) {
		s->out_secret = true;
		explicit_bzero(wire.p, wire.cap);
	}
	buf_free(&wire);
	buf_free(&shown);
	if (!pp_wants_continuation(s->pp) && pp_pending(s->pp) > 0) {
		char	*what;

		/* The length is the secret's: not for "(credentials)". */
		if (secret)
			what = xstrdup("to (credentials)");
		else
			xasprintf(&what, "to %.*s", (int)(len > 40 ? 40 :
			    len), line);
		session_arm(s, what);
		free(what);
	}
	session_flush(s);
	return 0;
}

static bool
first_word_is(const char *line, size_t len, const char *word)
{
	size_t	n = strlen(word);

	return len >= n && strncasecmp(line, word, n) == 0 &&
	    (len == n || line[n] == ' ');
}

/* The verb of a typed line, skipping an IMAP tag the user wrote. */
static const char *
command_verb(const struct session *s, const char *line, size_t len,
    size_t *vlen)
{
	const char	*sp;
	const char *const *v;

	if (pp_tagged(s->opts.target.proto)) {
		bool known = false;

		for (v = pp_verbs(s->opts.target.proto); v != NULL &&
		    *v != NULL; v++)
			if (first_word_is(line, len, *v))
				known = true;
		if (!known && (sp = memchr(line, ' ', len)) != NULL) {
			len -= (size_t)(sp + 1 - line);
			line = sp + 1;
		}
	}
	sp = memchr(line, ' ', len);
	*vlen = sp != NULL ? (size_t)(sp - line) : len;
	return line;
}

/* --require-tls: these never leave in plaintext. */
static const char *
session_guard(const struct session *s, const char *line, size_t len)
{
	static const char *const guarded[] = {
		"AUTH", "AUTHENTICATE", "LOGIN", "USER", "PASS", "APOP",
		"MAIL", "RCPT", "DATA", "BDAT", NULL,
	};
	const char	*verb;
	size_t		 vlen, i;

	if (!s->opts.require_tls || session_chan(s) == CHAN_TLS)
		return NULL;
	if (pp_wants_continuation(s->pp) || pp_data_mode(s->pp))
		return "continuation";
	verb = command_verb(s, line, len, &vlen);
	for (i = 0; guarded[i] != NULL; i++)
		if (vlen == strlen(guarded[i]) &&
		    strncasecmp(verb, guarded[i], vlen) == 0)
			return guarded[i];
	return NULL;
}

static bool
is_verb(const struct session *s, const char *line, size_t len,
    const char *want)
{
	const char	*verb;
	size_t		 vlen;

	verb = command_verb(s, line, len, &vlen);
	return vlen == strlen(want) && strncasecmp(verb, want, vlen) == 0;
}

/*
 * May a secret go now?  The one rule of auth.c applied to this
 * connection: its channel, its verdict, the options and what the user
 * said on the screen.
 */
void
session_secret_verdict(const struct session *s, struct secret_verdict *v)
{
	struct secret_state	st;

	memset(&st, 0, sizeof st);
	st.tls = session_chan(s) == CHAN_TLS;
	st.verified = st.tls && s->facts != NULL && s->facts->verified;
	st.require_tls = s->opts.require_tls;
	st.allow_plaintext = s->opts.allow_plaintext_auth || s->said_plain;
	st.allow_unverified = s->opts.allow_unverified_auth ||
	    s->said_unverified;
	secret_verdict(&st, v);
}

/* The user said yes to what the verdict asked, for this connection. */
void
session_secret_consent(struct session *s)
{
	if (session_chan(s) == CHAN_TLS)
		s->said_unverified = true;
	else
		s->said_plain = true;
}

/* What the verdict said, under its own code (each one glossed). */
static void
secret_event(struct session *s, enum ev_kind kind,
    const struct secret_verdict *v, const char *what)
{
	enum ev_chan	chan = session_chan(s);

	if (strcmp(v->code, "require-tls") == 0)
		ev_local(s->log, kind, chan, "require-tls", "%s; %s", what,
		    v->why);
	else if (strcmp(v->code, "unverified-auth") == 0)
		ev_local(s->log, kind, chan, "unverified-auth", "%s; %s",
		    what, v->why);
	else
		ev_local(s->log, kind, chan, "plaintext-auth", "%s; %s", what,
		    v->why);
}

/*
 * A credential typed by hand (or in a script): withheld only under
 * --require-tls; otherwise it goes as typed (the screen asked first) and
 * the log says what it risked.
 */
static int
session_secret_typed(struct session *s)
{
	struct secret_verdict	v;

	session_secret_verdict(s, &v);
	if (!v.may && !v.ask) {
		secret_event(s, EV_ERROR, &v, "not sent: the line carries a "
		    "credential");
		return -1;
	}
	if (v.code == NULL)
		return 0;
	/* Each glossed under its own code. */
	if (session_chan(s) == CHAN_TLS)
		ev_local(s->log, EV_WARNING, CHAN_TLS, "unverified-auth",
		    "a credential went %s, as typed%s", v.risk, v.may ? "" :
		    " (:auth would refuse; --allow-unverified-auth consents)");
	else
		ev_local(s->log, EV_WARNING, CHAN_PLAIN, "plaintext-auth",
		    "a credential went %s, as typed%s", v.risk, v.may ? "" :
		    " (:auth would refuse; --allow-plaintext-auth consents)");
	return 0;
}

/*
 * A mechanism can be picked: named, or a capability list of this channel
 * to choose from (STARTTLS forgets the plaintext one).  The screen asks
 * before it prompts for the secret; session_auth() asks again.
 */
int
session_auth_check(const struct session *s, const char *mech, char *err,
    size_t errlen)
{
	if (mech != NULL || pp_caps_known(s->pp))
		return 0;
	snprintf(err, errlen, "no capability list %s to choose a mechanism "
	    "from: send %s first, or name one (:auth MECH USER)",
	    session_chan(s) == CHAN_TLS ? "since TLS began" : "yet",
	    pp_caps_cmd(s->pp, s->opts.ehlo));
	return -1;
}

/*
 * :auth and probe --auth: refused unless the verdict allows it (the
 * screen checks the same verdict before it prompts for the secret).
 * mech NULL takes the best the server offers for the secret (a
 * password, or a bearer token).  The answers to the server's challenges
 * are made by sasl.c as they come, in session_line(); every copy of the
 * secret here is wiped.  Each message is also put in words (sasl_note).
 */
int
session_auth(struct session *s, const char *mech, const char *user,
    const char *secret, bool token)
{
	struct secret_verdict	 v;
	struct sasl_login	 l;
	struct strv		 offered = { 0 };
	struct buf		 cmd = { 0 }, ir = { 0 }, note = { 0 };
	char			 err[256], *cb = NULL;
	int			 rc;

	if (s->state != STATE_PLAIN && s->state != STATE_TLS) {
		ev_local(s->log, EV_ERROR, session_chan(s), "not-connected",
		    "not sent: the session is not connected");
		return -1;
	}
	session_secret_verdict(s, &v);
	if (!v.may) {
		secret_event(s, EV_ERROR, &v, "authentication not attempted, "
		    "nothing sent");
		session_exit(s, session_chan(s) == CHAN_TLS ? EXIT_VERIFY :
		    EXIT_NOSTARTTLS);
		return -1;
	}
	if (session_auth_check(s, mech, err, sizeof err) == -1) {
		ev_local(s->log, EV_ERROR, session_chan(s), "usage",
		    "not sent: %s", err);
		session_exit(s, EXIT_USAGE);
		return -1;
	}
	session_sasl_end(s);
	pp_sasl_mechs(s->pp, &offered);
	if (session_chan(s) == CHAN_TLS)
		cb = tls_channel_binding(s->tls);
	memset(&l, 0, sizeof l);
	l.user = user;
	l.secret = secret;
	l.token = token;
	l.cb = cb;
	l.service = pp_sasl_service(s->pp);
	l.host = s->opts.target.host;
	l.port = s->opts.target.port;
	s->sasl = sasl_new(mech, &offered, &l, err, sizeof err);
	strv_clear(&offered);
	free(cb);
	buf_printf(&cmd, "%s ", pp_auth_cmd(s->pp));
	if (s->sasl != NULL)
		pp_sasl_word(s->pp, sasl_mech(s->sasl), &cmd);
	if (s->sasl != NULL && sasl_client_first(s->sasl) &&
	    pp_sasl_ir(s->pp)) {
		if (sasl_step(s->sasl, NULL, &ir, err, sizeof err) == -1)
			session_sasl_end(s);
		else {	/* RFC 4954 4: "=" is an empty initial response */
			buf_addc(&cmd, ' ');
			pp_sasl_word(s->pp, ir.len > 0 ? ir.p : "=", &cmd);
			sasl_note(s->sasl, false, ir.p != NULL ? ir.p : "",
			    &note);
		}
		buf_wipe(&ir);
	}
	if (s->sasl == NULL) {
		ev_local(s->log, EV_ERROR, session_chan(s), "usage",
		    "not sent: %s", err);
		/* A name we do not know is the user's; none offered, the
		 * server's. */
		session_exit(s, mech != NULL ? EXIT_USAGE : EXIT_PROTO);
		buf_wipe(&cmd);
		return -1;
	}
	if (v.code != NULL)
		secret_event(s, EV_WARNING, &v, "authenticating anyway");
	if ((rc = session_command(s, cmd.p, cmd.len)) == -1)
		session_sasl_end(s);
	else {
		s->auth_result = AUTH_PENDING;
		session_sasl_say(s, &note);
	}
	buf_wipe(&cmd);
	buf_free(&note);
	return rc;
}

int
session_send(struct session *s, const char *line, size_t len)
{
	const char	*g;
	bool		 body;

	if (s->state != STATE_PLAIN && s->state != STATE_TLS) {
		ev_local(s->log, EV_ERROR, session_chan(s), "not-connected",
		    "not sent: the session is %s",
		    s->state == STATE_CLOSED ? "closed" : "not ready yet");
		return -1;
	}
	if ((g = session_guard(s, line, len)) != NULL) {
		s->withheld = true;
		ev_local(s->log, EV_ERROR, CHAN_PLAIN, "require-tls",
		    "not sent: %s would cross the network in plaintext "
		    "(--require-tls)", g);
		return -1;
	}
	/* A message body is content, whatever its lines look like. */
	if (!pp_data_mode(s->pp) && pp_chunk_due(s->pp) == 0 &&
	    session_is_secret(s, line, len) &&
	    session_secret_typed(s) == -1)
		return -1;
	if (!pp_data_mode(s->pp) && !pp_wants_continuation(s->pp) &&
	    is_verb(s, line, len, pp_starttls_cmd(s->pp))) {
		/* A go-ahead would start a second handshake on the raw
		 * socket, in the clear, beside the first session. */
		if (session_chan(s) == CHAN_TLS) {
			ev_local(s->log, EV_ERROR, CHAN_TLS,
			    "starttls-in-tls", "not sent: the session is "
			    "already inside TLS; a second %s would start a "
			    "new handshake in plaintext",
			    pp_starttls_cmd(s->pp));
			return -1;
		}
		session_keep_caps(s);
		if (session_command(s, line, len) == -1)
			return -1;
		session_set_state(s, STATE_STARTTLS_WAIT);
		return 0;
	}
	body = pp_line_is_body(s->pp, len);
	if (session_command(s, line, len) == -1)
		return -1;
	if (!body && !pp_data_mode(s->pp) &&
	    is_verb(s, line, len, pp_quit_cmd(s->pp)))
		s->quitting = true;
	return 0;
}

/*
 * A line of a message being sent in SMTP DATA, whatever it holds: a
 * lone "." too is the message's, dot-stuffed like every line that
 * starts with one; the caller ends the message with session_send(".").
 */
int
session_send_body(struct session *s, const char *line, size_t len)
{
	pp_body_line(s->pp);
	return session_send(s, line, len);
}

/*
 * Literal or chunk content that is bytes, not typed lines (a file): it
 * goes out as it is, logged in chunks like a literal the server sends.
 */
void
session_send_bytes(struct session *s, const char *data, size_t len)
{
	struct ev_class	cls;
	size_t		n;

	memset(&cls, 0, sizeof cls);
	for (; len > 0; data += n, len -= n) {
		n = len < 64 * 1024 ? len : 64 * 1024;
		session_log_data(s, DIR_CLIENT, EVF_LITERAL | EVF_BODY, data,
		    n, &cls);
		buf_add(&s->out, data, n);
		pp_client_bytes(s->pp, n);
	}
	session_flush(s);
}

/* Sent once the server's "+" asks for the literal the command announced. */
void
session_hold_literal(struct session *s, const char *data, size_t len)
{
	buf_reset(&s->lit_held);
	buf_add(&s->lit_held, data, len);
}

/* The commands from now on go in one write, until uncorked. */
void
session_cork(struct session *s, bool on)
{
	s->corked = on;
	pp_pipeline(s->pp, on);
	if (!on)
		session_flush(s);
}

bool
session_has_cap(const struct session *s, const char *cap)
{
	return strv_has(pp_caps(s->pp), cap);
}

const struct pp *
session_engine(const struct session *s)
{
	return s->pp;
}

struct evlog *
session_log(const struct session *s)
{
	return s->log;
}

int
session_send_raw(struct session *s, const char *data, size_t len)
{
	struct buf	shown = { 0 };
	struct ev_class	cls = { .bits = EVC_SECRET };

	if (s->state != STATE_PLAIN && s->state != STATE_TLS) {
		ev_local(s->log, EV_ERROR, session_chan(s), "not-connected",
		    "not sent: the session is not connected");
		return -1;
	}
	if (!pp_data_mode(s->pp) && session_is_secret(s, data, len) &&
	    session_secret_typed(s) == -1)
		return -1;
	if (redact_bytes(s, data, len, &shown)) {
		s->out_secret = true;
		if (s->opts.no_redact)
			session_log_data(s, DIR_CLIENT, EVF_NOREDACT, data,
			    len, &cls);
		else
			session_log_data(s, DIR_CLIENT, EVF_REDACTED,
			    shown.p, shown.len, &cls);
	} else
		session_log_data(s, DIR_CLIENT, 0, data, len, NULL);
	buf_free(&shown);
	buf_add(&s->out, data, len);
	session_flush(s);
	return 0;
}

/*
 * The command-injection probe: STARTTLS and a plaintext command in ONE
 * write.  The extra command is not registered with the engine, so a reply
 * to it inside TLS arrives unsolicited: proof the server executed
 * plaintext it had buffered (CVE-2011-0411 class).
 */
int
session_starttls_inject(struct session *s, const char *extra)
{
	const char	*cmd = pp_starttls_cmd(s->pp);

	if (s->state != STATE_PLAIN)
		return -1;
	session_keep_caps(s);
	/* Hold the bytes back until both are queued. */
	s->corked = true;
	if (session_command(s, cmd, strlen(cmd)) == -1) {
		s->corked = false;
		return -1;
	}
	session_log_data(s, DIR_CLIENT, EVF_INJECTED, extra, strlen(extra),
	    NULL);
	buf_add(&s->out, extra, strlen(extra));
	buf_add(&s->out, "\r\n", 2);
	s->cmd_injected = true;
	s->corked = false;
	session_set_state(s, STATE_STARTTLS_WAIT);
	session_flush(s);
	return 0;
}

int
session_starttls(struct session *s)
{
	const char	*cmd = pp_starttls_cmd(s->pp);

	return session_send(s, cmd, strlen(cmd));
}

void
session_quit(struct session *s)
{
	const char	*cmd;
	char		*what;

	if (s->state == STATE_CLOSED || s->state == STATE_DISCONNECTED)
		return;
	if (s->quitting || (s->state != STATE_PLAIN &&
	    s->state != STATE_TLS)) {
		session_end(s, EXIT_OK, "closed by the user");
		return;
	}
	s->quitting = true;
	s->auto_step = AUTO_NONE;
	cmd = pp_quit_cmd(s->pp);
	session_command(s, cmd, strlen(cmd));
	xasprintf(&what, "to %s", cmd);
	session_arm(s, what);
	free(what);
}

void
session_close(struct session *s, const char *why)
{
	session_end(s, EXIT_OK, "%s", why);
}

static void
session_bye_done(void *arg)
{
	struct session	*s = arg;

	session_end(s, EXIT_OK, "closed after %s", pp_quit_cmd(s->pp));
}

/* After QUIT's reply: close TLS politely with a deadline, then the fd. */
static void
session_finish(struct session *s)
{
	int	rc;

	if (s->tls == NULL) {
		session_end(s, EXIT_OK, "closed after %s", pp_quit_cmd(s->pp));
		return;
	}
	session_set_state(s, STATE_CLOSING);
	rc = stream_bye(s->st);
	if (rc == STREAM_AGAIN) {
		loop_set_events(s->loop, stream_fd(s->st),
		    stream_want_write(s->st) ? POLLOUT : POLLIN);
		if (!timer_pending(s->bye_timer))
			timer_set(s->bye_timer, BYE_MS);
		return;
	}
	session_end(s, EXIT_OK, "closed after %s", pp_quit_cmd(s->pp));
}

static void
session_no_capdiff(struct session *s, const char *why)
{
	ev_local(s->log, EV_INFO, CHAN_TLS, "capdiff-unknown", "capabilities "
	    "after STARTTLS not compared: %s", why);
}

/*
 * A capability list completed: one event with the list and where it came
 * from.  Inside TLS the first full list from before authentication is
 * kept: the difference compares it with the last one before STARTTLS.
 */
static void
session_caps(struct session *s, const struct pp_line *l)
{
	const struct strv	*caps = pp_caps(s->pp);
	struct event		 ev;
	struct ev_extra		*x;
	struct buf		 b = { 0 };

	pp_caps_event(s->pp, l, (uint8_t)session_chan(s), &ev, &x, &b);
	evlog_append_x(s->log, &ev, x, b.p != NULL ? b.p : "", b.len);
	buf_free(&b);
	if (s->caps_diff_due && !s->caps_after_seen &&
	    !(ev.cls.bits & EVC_AUTHED) && !pp_caps_partial(s->pp) &&
	    ev.chan == CHAN_TLS) {
		strv_copy(&s->caps_after, caps);
		s->caps_after_seen = true;
	}
}

/* The first list inside TLS against the full one before STARTTLS. */
static void
session_capdiff(struct session *s)
{
	const struct strv	*now = &s->caps_after;
	struct event		 ev;
	struct ev_extra		*x;
	struct buf		 b = { 0 };
	size_t			 i;

	x = xcalloc(1, sizeof *x);
	for (i = 0; i < now->n; i++)
		if (!strv_has(&s->caps_before, now->v[i]))
			strv_add(&x->added, now->v[i]);
	for (i = 0; i < s->caps_before.n; i++)
		if (!strv_has(now, s->caps_before.v[i]))
			strv_add(&x->removed, s->caps_before.v[i]);
	for (i = 0; i < x->added.n; i++)
		buf_printf(&b, "%s+%s", b.len ? ", " : "", x->added.v[i]);
	for (i = 0; i < x->removed.n; i++)
		buf_printf(&b, "%s-%s", b.len ? ", " : "", x->removed.v[i]);
	if (b.len == 0)
		buf_adds(&b, "unchanged");
	memset(&ev, 0, sizeof ev);
	ev.kind = EV_CAPDIFF;
	ev.dir = DIR_LOCAL;
	ev.chan = CHAN_TLS;
	evlog_append_x(s->log, &ev, x, b.p, b.len);
	buf_free(&b);
}

/*
 * A capability of STARTTLS's length made of X's ("XXXXXXXA"): a middlebox
 * overwrote the offer in place so the packet keeps its size.
 */
static bool
starttls_masked(const struct strv *caps, size_t from, size_t n)
{
	size_t	i;

	for (i = from; i < from + n && i < caps->n; i++)
		if (strncasecmp(caps->v[i], "XXXXXXX", 7) == 0 &&
		    strcspn(caps->v[i], " ") == strlen("STARTTLS"))
			return true;
	return false;
}

/* Warnings about capabilities seen in plaintext. */
static void
session_plain_caps(struct session *s)
{
	const struct strv	*caps = pp_caps(s->pp);
	const char		*risk;

	if (s->caps_warned)
		return;
	s->caps_warned = true;
	if ((risk = pp_plain_auth_risk(s->pp)) != NULL)
		ev_local(s->log, EV_WARNING, CHAN_PLAIN, "plaintext-auth",
		    "%s", risk);
	if (pp_cap_starttls(s->pp))
		return;
	ev_local(s->log, EV_WARNING, CHAN_PLAIN, "no-starttls",
	    "STARTTLS is not offered: everything stays plaintext "
	    "(or an attacker removed it)");
	if (starttls_masked(caps, 0, caps->n))
		ev_local(s->log, EV_WARNING, CHAN_PLAIN, "starttls-stripped",
		    "a capability is X's where STARTTLS belongs: something "
		    "on the path overwrote the offer (STARTTLS stripping)");
}

static void
session_auto_caps(struct session *s)
{
	const char	*cmd = pp_caps_cmd(s->pp, s->opts.ehlo);

	session_command(s, cmd, strlen(cmd));
}

/*
 * The automatic prologue of --starttls: each step's command goes out from
 * the loop, after whatever already arrived has been read and parsed, as
 * batch does for typed commands: a reply the server sent before the
 * command cannot answer it, and is shown unsolicited.
 */
static void
session_auto_next(struct session *s)
{
	s->auto_sent = false;
	timer_set(s->auto_timer, 0);
}

static void
session_auto_send(void *arg)
{
	struct session	*s = arg;
	const char	*cmd;

	if (s->state == STATE_PLAIN || s->state == STATE_TLS)
		session_read(s);
	if ((s->state != STATE_PLAIN && s->state != STATE_TLS) ||
	    s->quitting || s->auto_sent || pp_pending(s->pp) > 0)
		return;
	switch (s->auto_step) {
	case AUTO_CAPS1:
	case AUTO_CAPS2:
		session_auto_caps(s);
		break;
	case AUTO_STARTTLS:
		cmd = pp_starttls_cmd(s->pp);
		session_keep_caps(s);
		session_command(s, cmd, strlen(cmd));
		session_set_state(s, STATE_STARTTLS_WAIT);
		break;
	default:
		return;
	}
	s->auto_sent = true;
}

/* The reply to a step's command is complete: decide the next step. */
static void
session_auto(struct session *s)
{
	switch (s->auto_step) {
	case AUTO_CAPS1:
		/* A multi-line answer ends with "."; what counts is whether
		 * capabilities came back. */
		if (!pp_caps_known(s->pp)) {
			s->auto_step = AUTO_NONE;
			session_end(s, EXIT_PROTO, "capability request "
			    "refused; cannot continue");
			return;
		}
		if (!pp_cap_starttls(s->pp)) {
			s->auto_step = AUTO_NONE;
			ev_local(s->log, EV_ERROR, CHAN_PLAIN, "no-starttls",
			    "STARTTLS not offered by the server");
			session_exit(s, EXIT_NOSTARTTLS);
			session_quit(s);
			return;
		}
		s->auto_step = AUTO_STARTTLS;
		session_auto_next(s);
		break;
	case AUTO_CAPS2:
		s->auto_step = AUTO_NONE;
		break;
	default:
		break;
	}
}

static void
session_injection(struct session *s, struct buf *extra)
{
	session_log_data(s, DIR_SERVER, EVF_INJECTED | EVF_SECURITY,
	    extra->p, extra->len, NULL);
	ev_local(s->log, EV_WARNING, CHAN_PLAIN, "response-injection",
	    "response injection: %zu byte%s arrived after the STARTTLS "
	    "go-ahead and before the TLS handshake; they were discarded, "
	    "never parsed", extra->len, extra->len == 1 ? "" : "s");
	session_exit(s, EXIT_SECURITY);
}

/* The :auth answer to the challenge l: made now, sent, wiped. */
static void
session_sasl_next(struct session *s, const struct pp_line *l)
{
	struct buf	ch = { 0 }, ans = { 0 }, wire = { 0 }, note = { 0 };
	char		err[256];

	pp_sasl_challenge(l->buf, l->len, &ch);
	sasl_note(s->sasl, true, ch.p, &note);
	session_sasl_say(s, &note);
	if (sasl_step(s->sasl, ch.p, &ans, err, sizeof err) == -1) {
		/* RFC 4954 4, RFC 3501 6.2.2, RFC 5034 4: "*" cancels. */
		ev_local(s->log, EV_ERROR, session_chan(s), NULL,
		    "authentication cancelled: %s", err);
		session_sasl_end(s);
		buf_wipe(&ans);
		buf_adds(&ans, "*");
	} else
		sasl_note(s->sasl, false, ans.p != NULL ? ans.p : "", &note);
	pp_sasl_word(s->pp, ans.p != NULL ? ans.p : "", &wire);
	session_command(s, wire.p, wire.len);
	buf_wipe(&wire);
	session_sasl_say(s, &note);
	buf_wipe(&ans);
	buf_free(&ch);
	buf_free(&note);
}

/* One server line (or literal chunk) from the engine. */
static void
session_line(const struct pp_line *l, void *arg)
{
	struct session	*s = arg;
	struct buf	 extra = { 0 };
	struct ev_class	 cls;

	pp_class(l, &cls);
	/* The line the stripping is seen on, for the views to point at. */
	if (session_chan(s) == CHAN_PLAIN && starttls_masked(pp_caps(s->pp),
	    l->cap_first, l->cap_n))
		cls.bits |= EVC_TLS_MASKED;
	redact_server(s->red, session_log_data(s, DIR_SERVER, l->flags,
	    l->buf, l->len, &cls));
	if (l->caps)
		session_caps(s, l);
	/* Nothing asked inside TLS yet: this answers the injected command. */
	if (s->cmd_injected && session_chan(s) == CHAN_TLS &&
	    (l->flags & EVF_UNSOLICITED)) {
		s->cmd_injected = false;
		ev_local(s->log, EV_WARNING, CHAN_TLS, "command-injection",
		    "command injection: the server answered, inside TLS, a "
		    "command sent in plaintext with STARTTLS; it executes "
		    "what a man in the middle slips in before the handshake");
		session_exit(s, EXIT_SECURITY);
	}
	/* 0x16 0x03: a TLS handshake record, not a greeting. */
	if (l->greeting && session_chan(s) == CHAN_PLAIN && l->len >= 2 &&
	    l->buf[0] == 0x16 && l->buf[1] == 0x03)
		ev_local(s->log, EV_WARNING, CHAN_PLAIN, "tls-on-plain-port",
		    "the greeting is a TLS handshake record: this port "
		    "expects TLS from the start (smtps://, imaps://, "
		    "pop3s://)");
	/* The partial line flushed by session_end completes nothing. */
	if (s->ending)
		return;

	if (l->greeting && l->final) {
		if (l->status == RS_NO || l->status == RS_BYE ||
		    l->status == RS_TEMPFAIL) {
			session_end(s, EXIT_PROTO, "the server refused the "
			    "session in its greeting");
			return;
		}
		if (l->status == RS_PREAUTH && s->opts.require_tls &&
		    session_chan(s) == CHAN_PLAIN) {
			session_end(s, EXIT_NOSTARTTLS, "unencrypted PREAUTH "
			    "greeting while TLS is required: possible man in "
			    "the middle; closing");
			return;
		}
		/* CVE-2020-28896: no automatic step after a garbled greeting. */
		if ((l->flags & EVF_MALFORMED) && (s->opts.starttls ||
		    s->opts.require_tls)) {
			session_end(s, EXIT_PROTO, "the greeting is not a "
			    "valid %s greeting; closing without sending "
			    "anything", proto_name(s->opts.target.proto));
			return;
		}
	}
	/* In a tagged protocol a line before the reply is untagged. */
	if (s->state == STATE_STARTTLS_WAIT && !l->final &&
	    pp_tagged(s->opts.target.proto))
		ev_local(s->log, EV_WARNING, CHAN_PLAIN, "untagged-before-"
		    "starttls", "untagged response before the STARTTLS "
		    "reply: ignored, it cannot be trusted");
	/* Streamed in chunks whatever n is; a size past 32 bits is what
	 * overflows clients that allocate it, so it is pointed out. */
	if (l->literal > LITERAL_ABSURD)
		ev_local(s->log, EV_WARNING, session_chan(s), "literal-size",
		    "the server announces a literal of %lld octets (4 GiB "
		    "or more): it is streamed, never allocated up front",
		    (long long)l->literal);
	if (session_chan(s) == CHAN_PLAIN && l->len >= 7 &&
	    memmem(l->buf, l->len, "[ALERT]", 7) != NULL)
		ev_local(s->log, EV_WARNING, CHAN_PLAIN, "plaintext-alert",
		    "an [ALERT] arrived in plaintext: anyone on the path "
		    "could have written it");

	if (l->starttls_ok) {
		pp_take_buffered(s->pp, &extra);
		if (extra.len > 0) {
			session_injection(s, &extra);
			buf_free(&extra);
			if (!s->opts.allow_injection) {
				s->auto_step = AUTO_NONE;
				session_end(s, EXIT_SECURITY, "aborted: "
				    "response injection (use "
				    "--allow-injection to study it)");
				return;
			}
		}
		buf_free(&extra);
		session_start_tls(s);
		return;
	}
	if (l->starttls_refused) {
		session_set_state(s, STATE_PLAIN);
		ev_local(s->log, EV_WARNING, CHAN_PLAIN, "starttls-refused",
		    "the server refused STARTTLS: the session stays "
		    "plaintext");
		if (s->opts.starttls || s->opts.require_tls) {
			s->auto_step = AUTO_NONE;
			session_exit(s, EXIT_NOSTARTTLS);
			session_quit(s);
			return;
		}
	}
	if (!l->final)
		return;
	if (s->lit_held.len > 0 && l->status == RS_INTERMEDIATE &&
	    pp_literal_due(s->pp) == (int64_t)s->lit_held.len) {
		/* The go-ahead: the literal, then the end of the command. */
		session_send_bytes(s, s->lit_held.p, s->lit_held.len);
		buf_free(&s->lit_held);
		session_command(s, "", 0);
		return;
	}
	/* Refused instead of "+": the literal never goes. */
	if (s->lit_held.len > 0 && l->status != RS_INTERMEDIATE &&
	    l->verb != NULL && strcmp(l->verb, "APPEND") == 0)
		buf_free(&s->lit_held);
	if (s->sasl != NULL) {
		if (pp_wants_continuation(s->pp)) {
			session_sasl_next(s, l);
			return;
		}
		/* A final reply: the exchange ended early. */
		if (pp_pending(s->pp) == 0)
			session_sasl_end(s);
	}
	if (s->auth_result == AUTH_PENDING && pp_pending(s->pp) == 0 &&
	    !pp_wants_continuation(s->pp))
		s->auth_result = l->status == RS_OK ? AUTH_OK : AUTH_REFUSED;
	/* Even an IMAP greeting's [CAPABILITY] may be partial: ask. */
	if (l->greeting && s->opts.starttls && !s->auto_started &&
	    session_chan(s) == CHAN_PLAIN) {
		s->auto_started = true;
		s->auto_step = AUTO_CAPS1;
		session_auto_next(s);
		return;
	}
	/*
	 * The difference is decided once, from the first full list inside
	 * TLS from before authentication; lists after it never count: they
	 * describe the logged-in session.
	 */
	if (s->caps_diff_due && s->caps_after_seen &&
	    (pp_pending(s->pp) == 0 || pp_answers_auth(l))) {
		s->caps_diff_due = false;
		if (s->caps_before_gap != NULL)
			session_no_capdiff(s, s->caps_before_gap);
		else
			session_capdiff(s);
		if (strv_has(&s->caps_after, pp_starttls_cmd(s->pp)))
			ev_local(s->log, EV_WARNING, CHAN_TLS,
			    "starttls-after-tls", "the server still "
			    "offers STARTTLS inside TLS");
	} else if (s->caps_diff_due && pp_answers_auth(l)) {
		s->caps_diff_due = false;
		session_no_capdiff(s, "inside TLS no list came before "
		    "authentication, and lists after it describe the logged-in "
		    "session");
	}
	if (pp_caps_known(s->pp) && session_chan(s) == CHAN_PLAIN)
		session_plain_caps(s);
	if (s->quitting && pp_pending(s->pp) == 0) {
		session_finish(s);
		return;
	}
	/* A step not sent yet waits for what a typed command awaited. */
	if (s->auto_step != AUTO_NONE && pp_pending(s->pp) == 0) {
		if (s->auto_sent)
			session_auto(s);
		else
			session_auto_next(s);
	}
	if (s->state != STATE_CLOSED)
		session_ready(s);
}

static void
session_step(const char *step, void *arg)
{
	struct session	*s = arg;
	struct event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EV_TLS_STEP;
	ev.dir = DIR_LOCAL;
	/* A NewSessionTicket after the handshake comes inside TLS. */
	ev.chan = session_chan(s);
	evlog_append(s->log, &ev, step, strlen(step));
}

static void
session_start_tls(struct session *s)
{
	struct tls_opts	 o;
	char		 err[512];

	memset(&o, 0, sizeof o);
	o.cafile = s->opts.cafile;
	o.priority = s->priority != NULL ? s->priority : s->opts.priority;
	o.resume = &s->resume;
	o.sni = s->opts.sni;
	/* For mx:// the MX host's name (RFC 7672 3.2.2, as posttls-finger
	 * checks it). */
	o.verify_host = s->opts.sni != NULL ? s->opts.sni : s->conn_host;
	o.client_cert = s->opts.client_cert;
	o.client_key = s->opts.client_key;
	o.keylog = s->opts.keylog;
	o.timeout_ms = s->opts.timeout_ms;
	o.tlsa = s->opts.tlsa.n > 0 ? &s->opts.tlsa : &s->dns_tlsa;
	o.smtp = s->opts.target.proto == PROTO_SMTP;
	o.pins = &s->opts.pins;
	o.sts = s->opts.sts_policy.present ? &s->opts.sts_policy :
	    s->sts_policy;
	s->tls = tls_client_new(&o, s->st, session_step, s, err, sizeof err);
	if (s->tls == NULL) {
		session_end(s, EXIT_HANDSHAKE, "TLS setup failed: %s", err);
		return;
	}
	s->hs_start = mono_ns();
	session_set_state(s, s->opts.target.implicit_tls &&
	    s->state == STATE_CONNECTING ? STATE_TLS_CONNECT :
	    STATE_HANDSHAKE);
	session_arm(s, "during the TLS handshake");
	loop_set_events(s->loop, stream_fd(s->st), POLLOUT);
}

/* The chain as sent, PEM, to a file: never through a symbolic link. */
int
session_save_chain(const struct session *s, const char *path, char *err,
    size_t errlen)
{
	size_t	off;
	ssize_t	w = 0;
	int	fd;

	if (s->chain_pem.len == 0) {
		snprintf(err, errlen, "no certificate chain yet: the server "
		    "has not sent one on this connection");
		return -1;
	}
	if ((fd = file_open_write(path, O_TRUNC, false, err, errlen)) == -1)
		return -1;
	for (off = 0; off < s->chain_pem.len; off += (size_t)w)
		if ((w = write(fd, s->chain_pem.p + off,
		    s->chain_pem.len - off)) <= 0)
			break;
	if (off < s->chain_pem.len || close(fd) == -1) {
		snprintf(err, errlen, "%s: %s", path, w == 0 ? "short write" :
		    strerror(errno));
		if (off < s->chain_pem.len)
			close(fd);
		return -1;
	}
	return 0;
}

/* --save-chain: as soon as the chain is known, the outcome said. */
static void
session_write_chain(struct session *s, const char *path)
{
	char	err[512];

	if (session_save_chain(s, path, err, sizeof err) == -1)
		ev_local(s->log, EV_ERROR, CHAN_TLS, "save-chain", "chain not "
		    "saved: %s", err);
	else
		ev_local(s->log, EV_INFO, CHAN_TLS, "save-chain", "the "
		    "chain as sent (PEM) saved to %s", path);
}

static void
session_established(struct session *s)
{
	struct event		 ev;
	struct ev_extra		*x;
	struct buf		 b = { 0 };
	struct tls_facts	*f;
	bool			 implicit = s->state == STATE_TLS_CONNECT;
	struct tls_params	 params;
	struct tls_weakness	 weak[TLS_WEAK_MAX];
	const char		*why;
	size_t			 i, nweak;

	session_disarm(s);
	f = s->facts = tls_get_facts(s->tls);
	memset(&ev, 0, sizeof ev);
	ev.kind = EV_TLS_ESTABLISHED;
	ev.dir = DIR_LOCAL;
	ev.chan = CHAN_TLS;
	ev.flags = EVF_SECURITY;
	x = xcalloc(1, sizeof *x);
	x->tls = tls_facts_dup(f);
	tls_facts_summary(f, &b);
	evlog_append_x(s->log, &ev, x, b.p, b.len);
	buf_reset(&b);

	/* Before the verdict can close the session: the chain is the
	 * evidence a failure needs most. */
	buf_reset(&s->chain_pem);
	tls_chain_pem(s->tls, &s->chain_pem);
	if (s->opts.save_chain != NULL)
		session_write_chain(s, s->opts.save_chain);

	ev.kind = EV_VERIFY;
	x = xcalloc(1, sizeof *x);
	x->tls = tls_facts_dup(f);
	if (f->verify.ok)
		buf_printf(&b, "certificate verified%s%s",
		    f->verify.matched != NULL ? ": host name matched " : "",
		    f->verify.matched != NULL ? f->verify.matched : "");
	else {
		buf_adds(&b, "certificate NOT verified: ");
		for (i = 0; i < f->verify.reasons.n; i++)
			buf_printf(&b, "%s%s", i ? "; " : "",
			    f->verify.reasons.v[i]);
		if (f->verify.reasons.n == 0)
			buf_adds(&b, "verification failed");
	}
	if (f->dane.checked)
		buf_printf(&b, "; %s", f->dane.verdict);
	if (f->sts.checked)
		buf_printf(&b, "; %s", f->sts.verdict);
	if (f->pin.checked && f->pin.ok)
		buf_printf(&b, "; pin matched: %s", f->pin.actual);
	else if (f->pin.checked)
		buf_printf(&b, "; pin NOT matched: the server's public key "
		    "is %s", f->pin.actual != NULL ? f->pin.actual :
		    "unknown (no certificate)");
	evlog_append_x(s->log, &ev, x, b.p, b.len);
	buf_free(&b);

	/* What the connection negotiated, weighed by the one rule set. */
	tls_client_params(s->tls, &params);
	nweak = tls_weak(&params, weak);
	for (i = 0; i < nweak; i++)
		ev_local(s->log, EV_WARNING, CHAN_TLS, weak[i].code, "%s",
		    weak[i].why);
	if ((i = tls_chain_misorder(f)) != 0)
		ev_local(s->log, EV_WARNING, CHAN_TLS, "chain-order",
		    "the server sent its chain out of order: certificate %zu "
		    "does not issue certificate %zu before it (clients that "
		    "do not sort the chain fail here)", i, i - 1);

	/* RFC 3207 4.2, RFC 3501 6.2.1, RFC 2595 4: forget what plaintext
	 * said (and ask again); even a session closed here keeps none. */
	pp_caps_reset(s->pp);
	if (f->sts.checked && !f->sts.ok && !f->sts.fails &&
	    !f->dane.usable && f->sts.unavailable == NULL)
		ev_local(s->log, EV_WARNING, CHAN_TLS, "mta-sts-testing",
		    "%s", f->sts.verdict);
	if (!f->verified) {
		why = f->pin.checked && !f->pin.ok ? "the server's public key "
		    "does not match --pin" : f->dane.usable ? "no TLSA record "
		    "matched (DANE)" : f->sts.fails && f->verify.ok ? "the "
		    "domain's MTA-STS policy (enforce) does not allow this "
		    "mail host" : "the certificate is not verified";
		if (!s->opts.insecure) {
			s->auto_step = AUTO_NONE;
			session_end(s, EXIT_VERIFY, "closed before sending "
			    "anything inside TLS: %s (--insecure continues "
			    "anyway)", why);
			return;
		}
		if (f->dane.usable || f->pin.checked || f->sts.fails)
			ev_local(s->log, EV_WARNING, CHAN_TLS, "insecure",
			    "continuing although %s (--insecure): this "
			    "session may be intercepted", why);
		else
			ev_local(s->log, EV_WARNING, CHAN_TLS, "insecure",
			    "continuing without a verified certificate "
			    "(--insecure): this session may be intercepted");
		session_exit(s, EXIT_VERIFY);
	}
	session_set_state(s, STATE_TLS);
	loop_set_events(s->loop, stream_fd(s->st), POLLIN);
	if (implicit) {
		pp_expect_greeting(s->pp);
		session_arm(s, "for the greeting");
		return;
	}
	s->caps_diff_due = true;
	s->caps_after_seen = false;
	if (pp_expect_tls_caps(s->pp)) {
		/* The server lists them unasked: --starttls waits for that. */
		if (s->auto_step == AUTO_STARTTLS) {
			s->auto_step = AUTO_CAPS2;
			s->auto_sent = true;
		}
		session_arm(s, "for the capabilities");
		return;
	}
	if (s->auto_step == AUTO_STARTTLS) {
		s->auto_step = AUTO_CAPS2;
		session_auto_next(s);
		return;
	}
	session_ready(s);
}

static void
session_handshake(struct session *s)
{
	int	rc;

	rc = stream_handshake(s->st);
	if (rc == STREAM_AGAIN) {
		loop_set_events(s->loop, stream_fd(s->st),
		    stream_want_write(s->st) ? POLLOUT : POLLIN);
		return;
	}
	if (rc == 1) {
		session_established(s);
		return;
	}
	s->auto_step = AUTO_NONE;
	session_end(s, EXIT_HANDSHAKE, "TLS handshake failed: %s",
	    stream_error(s->st));
}

/* One step of the proxy's exchange or of the PROXY header. */
static void
session_path(struct session *s)
{
	char	err[512];
	int	rc;

	rc = path_io(s->path, s->st, err, sizeof err);
	if (rc == 0) {
		loop_set_events(s->loop, stream_fd(s->st),
		    path_want_write(s->path) ? POLLOUT : POLLIN);
		return;
	}
	if (rc == -1) {
		session_end(s, EXIT_PROTO, "%s", err);
		return;
	}
	path_free(s->path);
	s->path = NULL;
	session_open(s);
}

static void
session_connected(struct session *s)
{
	char	peer[128], local[128], err[256];

	net_addr_string((struct sockaddr *)&s->addrs[s->addr_cur].ss, peer,
	    sizeof peer);
	net_local_string(stream_fd(s->st), local, sizeof local);
	/* On an implicit TLS port nothing is exchanged before TLS. */
	ev_local(s->log, EV_CONNECT, s->opts.target.implicit_tls ? CHAN_TLS :
	    CHAN_PLAIN, NULL, "connected to %s from %s%s", peer, local,
	    s->opts.proxy.host != NULL ? " (the SOCKS5 proxy)" : "");
	if (s->opts.proxy.host != NULL || s->opts.proxy_header != 0) {
		s->path = path_new(s->log, CHAN_PLAIN, &s->opts.proxy,
		    s->opts.target.host, s->opts.target.port, s->via_resolved ?
		    &s->via_target : NULL, s->opts.proxy_header,
		    s->opts.proxy_source, s->opts.proxy_dest);
		if (path_start(s->path, stream_fd(s->st), err,
		    sizeof err) == -1) {
			session_end(s, EXIT_USAGE, "%s", err);
			return;
		}
		session_path(s);
		return;
	}
	session_open(s);
}

/* The way to the server is open: TLS at once, or the greeting. */
static void
session_open(struct session *s)
{
	session_disarm(s);
	if (s->opts.target.implicit_tls) {
		session_start_tls(s);
		return;
	}
	session_set_state(s, STATE_PLAIN);
	loop_set_events(s->loop, stream_fd(s->st), POLLIN);
	pp_expect_greeting(s->pp);
	session_arm(s, "for the greeting");
}

static void
session_try_connect(struct session *s)
{
	struct sockaddr	*sa;
	char		 err[256], peer[128];
	int		 fd;

	for (; s->addr_cur < s->naddrs; s->addr_cur++) {
		sa = (struct sockaddr *)&s->addrs[s->addr_cur].ss;
		net_addr_string(sa, peer, sizeof peer);
		if (s->opts.proxy.host != NULL)
			ev_local(s->log, EV_INFO, CHAN_PLAIN, NULL, "connecting "
			    "to %s (the SOCKS5 proxy %s, for %s)", peer,
			    s->opts.proxy.host, s->conn_host);
		else
			ev_local(s->log, EV_INFO, CHAN_PLAIN, NULL, "connecting "
			    "to %s (%s)", peer, s->conn_host);
		if ((fd = net_connect_start(sa, s->addrs[s->addr_cur].len, err,
		    sizeof err)) == -1) {
			ev_local(s->log, EV_ERROR, CHAN_PLAIN, "connect",
			    "connect to %s failed: %s", peer, err);
			continue;
		}
		s->st = stream_new(fd, STREAM_QUICKACK);
		loop_add_fd(s->loop, fd, POLLOUT, session_io, s);
		session_arm(s, "while connecting");
		return;
	}
	if (s->walk != NULL) {
		session_arm(s, "for DNS answers");
		mxwalk_next(s->walk);
	} else
		session_end(s, EXIT_PROTO, "could not connect to %s port %s",
		    s->opts.target.host, s->opts.target.port);
}

/* This address failed or timed out: say so, then try the next one. */
static void
session_connect_failed(struct session *s, const char *fmt, ...)
{
	struct buf	why = { 0 };
	char		peer[128];
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&why, fmt, ap);
	va_end(ap);
	net_addr_string((struct sockaddr *)&s->addrs[s->addr_cur].ss, peer,
	    sizeof peer);
	ev_local(s->log, EV_ERROR, CHAN_PLAIN, "connect", "connect to %s %s",
	    peer, why.p);
	buf_free(&why);
	session_close_fd(s);
	s->addr_cur++;
	session_try_connect(s);
}

static void
session_set_addrs(struct session *s, const char *host,
    const struct mxwalk_addr *addrs, size_t n)
{
	free(s->conn_host);
	s->conn_host = xstrdup(host);
	free(s->addrs);
	s->addrs = xreallocarray(NULL, n > 0 ? n : 1, sizeof *s->addrs);
	memcpy(s->addrs, addrs, n * sizeof *addrs);
	s->naddrs = n;
	s->addr_cur = 0;
}

/*
 * The TLSA RRset of the host about to be tried (RFC 7672 2.2): its
 * records and whether DNSSEC vouches for them, for the DANE verdict
 * after the handshake.  Only a secure set is used; the verdict says why
 * another is not.
 */
static void
session_tlsa(struct dns_result *r, void *arg)
{
	struct session	*s = arg;
	struct tlsa_rr	 rr;
	size_t		 i;

	s->tlsa_q = -1;
	dns_event(s->log, CHAN_PLAIN, r);
	tlsa_set_free(&s->dns_tlsa);
	for (i = 0; r->a.error == NULL && i < r->n; i++) {
		if (r->rdlen[i] < 4)
			continue;	/* no certificate data: no record */
		rr.usage = r->rdata[i][0];
		rr.selector = r->rdata[i][1];
		rr.mtype = r->rdata[i][2];
		rr.len = r->rdlen[i] - 3;
		rr.data = xmalloc(rr.len);
		memcpy(rr.data, r->rdata[i] + 3, rr.len);
		tlsa_set_add(&s->dns_tlsa, &rr);
	}
	s->dns_tlsa.dnssec = r->a.sec == DNS_SECURE ? TLSA_SECURE :
	    r->a.sec == DNS_BOGUS ? TLSA_BOGUS : TLSA_INSECURE;
	s->dns_tlsa.source = s->tlsa_name;
	if (s->dns_tlsa.n == 0)
		ev_local(s->log, EV_INFO, CHAN_PLAIN, "dane-none", "DANE: no "
		    "TLSA records at %s%s: the certificate is verified "
		    "as without DANE (PKIX)", s->tlsa_name, r->a.sec ==
		    DNS_SECURE ? " (a DNSSEC-secure denial)" : "");
	dns_result_free(r);
	session_try_connect(s);
}

/* DNS named the next host to try, or nothing is left (why). */
static void
session_route(const char *host, const struct mxwalk_addr *addrs, size_t n,
    const char *why, void *arg)
{
	struct session	*s = arg;
	char		 err[256];

	if (host == NULL) {
		session_end(s, EXIT_PROTO, "%s", why);
		return;
	}
	session_set_addrs(s, host, addrs, n);
	tlsa_set_free(&s->dns_tlsa);
	/* SMTP's DANE (RFC 7672): the host's own TLSA records, unless
	 * --tlsa gave some by hand. */
	if (s->opts.target.proto == PROTO_SMTP && s->opts.tlsa.n == 0) {
		free(s->tlsa_name);
		xasprintf(&s->tlsa_name, "_%s._tcp.%s", s->opts.target.port,
		    host);
		if ((s->tlsa_q = dns_query(s->dns, s->tlsa_name, DNS_T_TLSA,
		    session_tlsa, s, err, sizeof err)) != -1)
			return;
		ev_local(s->log, EV_ERROR, CHAN_PLAIN, "dns", "%s", err);
	}
	session_try_connect(s);
}

/* The system's resolver, as the session always did without --dns. */
static int
session_resolve(struct session *s, char *err, size_t errlen)
{
	struct addrinfo		*res, *ai;
	struct mxwalk_addr	*v = NULL;
	size_t			 n = 0;
	const struct proxy	*px = &s->opts.proxy;

	if (s->opts.target.unix_path != NULL) {
		struct mxwalk_addr	 u;

		if (net_unix_addr(s->opts.target.unix_path, &u.ss, &u.len, err,
		    errlen) == -1)
			return -1;
		session_set_addrs(s, s->opts.target.host, &u, 1);
		return 0;
	}
	/* socks5: the proxy is given the target's address, ours to find;
	 * socks5h: its name. */
	s->via_resolved = false;
	if (px->host != NULL && !px->remote_dns) {
		if (net_resolve(s->opts.target.host, s->opts.target.port,
		    s->opts.family, &res, err, errlen) == -1)
			return -1;
		memcpy(&s->via_target, res->ai_addr, res->ai_addrlen);
		s->via_resolved = true;
		freeaddrinfo(res);
	}
	if (net_resolve(px->host != NULL ? px->host : s->opts.target.host,
	    px->host != NULL ? px->port : s->opts.target.port,
	    px->host != NULL ? AF_UNSPEC : s->opts.family, &res, err,
	    errlen) == -1)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof v->ss)
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		memcpy(&v[n].ss, ai->ai_addr, ai->ai_addrlen);
		v[n].len = ai->ai_addrlen;
		n++;
	}
	freeaddrinfo(res);
	session_set_addrs(s, s->opts.target.host, v, n);
	free(v);
	return 0;
}

/* mx://, or a host name with --dns: the names go through DNS.  An
 * address (IPv6 with a zone too) is no name. */
static bool
session_uses_dns(const struct session *s)
{
	struct in_addr	a;

	if (s->opts.target.mx)
		return true;
	return s->opts.dns != NULL && strchr(s->opts.target.host, ':') ==
	    NULL && inet_pton(AF_INET, s->opts.target.host, &a) != 1;
}

/* The domain's MTA-STS policy is known (or that it has none): now its
 * mail hosts. */
static void
session_sts(const struct sts_policy *p, void *arg)
{
	struct session	*s = arg;

	s->sts_policy = p;
	session_arm(s, "for DNS answers");
	mxwalk_start(s->walk);
}

static int
session_dns_start(struct session *s, char *err, size_t errlen)
{
	if (s->dns == NULL) {
		if ((s->dns = dns_new(s->loop, s->opts.dns,
		    s->opts.dnssec_anchor, err, errlen)) == NULL)
			return -1;
		ev_local(s->log, EV_INFO, CHAN_PLAIN, "dns", "DNS: asking %s; "
		    "answers validated with DNSSEC from the trust anchor %s",
		    dns_resolver(s->dns), dns_anchor(s->dns));
	}
	/* RFC 8461 3: a sending server fetches the policy first (kept for
	 * the session, as its cache); not with --mta-sts-policy.  Within
	 * the session's own limit, so that a slow server is said. */
	if (s->opts.target.mx && !s->opts.sts_policy.present &&
	    s->sts == NULL)
		s->sts = sts_fetch_new(s->loop, s->dns, s->log,
		    s->opts.target.host, s->opts.cafile, s->opts.timeout_ms >
		    0 ? s->opts.timeout_ms - s->opts.timeout_ms / 4 : 30000,
		    session_sts, s);
	mxwalk_free(s->walk);
	s->walk = mxwalk_new(s->dns, s->log, s->opts.target.host,
	    s->opts.target.mx, s->opts.target.port, s->opts.family,
	    session_route, s);
	return 0;
}

int
session_connect(struct session *s)
{
	char	err[256];
	bool	dns;

	if (s->state != STATE_DISCONNECTED && s->state != STATE_CLOSED)
		return -1;
	if (tls_keylog_env())
		ev_local(s->log, EV_WARNING, CHAN_PLAIN, "sslkeylogfile",
		    "SSLKEYLOGFILE is set (%s): GnuTLS writes this "
		    "session's TLS secrets there, so anyone with that file "
		    "can decrypt it", getenv("SSLKEYLOGFILE"));
	if (s->opts.keylog != NULL) {
		struct buf	cmd = { 0 };

		ev_local(s->log, EV_INFO, CHAN_PLAIN, "keylog", "TLS secrets "
		    "of this session go to %s (NSS key log format)",
		    s->opts.keylog);
		pp_tshark(s->opts.target.proto, s->opts.target.port,
		    s->opts.target.implicit_tls, s->opts.keylog, &cmd);
		ev_local(s->log, EV_INFO, CHAN_PLAIN, "keylog-tshark",
		    "to decrypt a capture of it: %s", cmd.p);
		buf_free(&cmd);
	}
	if (s->opts.target.host_u != NULL)
		ev_local(s->log, EV_INFO, CHAN_PLAIN, "idn", "IDN: %s is %s "
		    "(IDNA2008; the A-label is the name for DNS, SNI and "
		    "verification)", s->opts.target.host_u,
		    s->opts.target.host);
	s->naddrs = s->addr_cur = 0;
	if ((dns = session_uses_dns(s)) ?
	    session_dns_start(s, err, sizeof err) :
	    session_resolve(s, err, sizeof err)) {
		if (dns)
			ev_local(s->log, EV_ERROR, CHAN_PLAIN, "dns", "%s",
			    err);
		else
			ev_local(s->log, EV_ERROR, CHAN_PLAIN, "resolve",
			    "%s", err);
		session_exit(s, EXIT_PROTO);
		session_set_state(s, STATE_CLOSED);
		return -1;
	}
	s->quitting = false;
	s->ending = false;
	s->auto_started = false;
	s->auto_step = AUTO_NONE;
	s->caps_warned = false;
	s->caps_diff_due = false;
	s->auth_result = AUTH_NONE;
	/* A yes on the screen holds for one connection. */
	s->said_plain = s->said_unverified = false;
	session_sasl_end(s);
	pp_free(s->pp);
	s->pp = pp_new(s->opts.target.proto, session_line, s);
	redactor_free(s->red);
	s->red = redactor_new(s->opts.target.proto);
	if (s->out.p != NULL)
		explicit_bzero(s->out.p, s->out.cap);
	buf_reset(&s->out);
	s->out_secret = false;
	tls_facts_free(s->facts);
	s->facts = NULL;
	buf_reset(&s->chain_pem);
	session_set_state(s, STATE_CONNECTING);
	if (s->walk != NULL) {
		session_arm(s, "for DNS answers");
		if (s->sts != NULL && s->sts_policy == NULL)
			sts_fetch_start(s->sts);
		else
			mxwalk_start(s->walk);
	} else
		session_try_connect(s);
	return 0;
}

static void
session_flush(struct session *s)
{
	int	rc;

	if (s->corked || s->st == NULL)
		return;
	rc = stream_flush(s->st, &s->out);
	if (rc == STREAM_AGAIN) {
		loop_set_events(s->loop, stream_fd(s->st), POLLIN | POLLOUT);
		return;
	}
	if (rc < 0) {
		session_end(s, EXIT_PROTO, "connection lost %s: sending "
		    "failed: %s", session_phase(s), stream_error(s->st));
		return;
	}
	if (s->out.len == 0 && s->out_secret) {
		/* What buf_consume moved aside held the secret too. */
		explicit_bzero(s->out.p, s->out.cap);
		s->out_secret = false;
	}
	loop_set_events(s->loop, stream_fd(s->st), POLLIN);
}

static void
session_read_more(void *arg)
{
	struct session	*s = arg;

	s->read_deferred = false;
	if (s->st != NULL)
		session_io(stream_fd(s->st), POLLIN, s);
}

static void
session_read(struct session *s)
{
	char	 buf[READ_CHUNK];
	size_t	 budget = READ_BUDGET;
	ssize_t	 n;

	while (budget > 0 && s->st != NULL) {
		n = stream_read(s->st, buf, sizeof buf);
		if (n == STREAM_AGAIN)
			return;
		if (n == 0) {
			if (s->quitting)
				session_end(s, EXIT_OK, "the server closed "
				    "the connection after %s",
				    pp_quit_cmd(s->pp));
			else {
				s->server_closed = true;
				session_end(s, EXIT_PROTO, "the server closed "
				    "the connection %s", session_phase(s));
			}
			return;
		}
		if (n < 0) {
			session_end(s, EXIT_PROTO, "%s %s", s->tls == NULL &&
			    stream_errno(s->st) == ECONNRESET ? "connection "
			    "reset by the server" : stream_error(s->st),
			    session_phase(s));
			return;
		}
		s->bytes_in += (uint64_t)n;
		budget -= (size_t)n > budget ? budget : (size_t)n;
		pp_feed(s->pp, buf, (size_t)n);
		/* A handshake begun inside pp_feed owns the socket now. */
		if (s->state == STATE_HANDSHAKE || s->state == STATE_CLOSED)
			return;
	}
	/* Budget spent: let the loop breathe, then continue. */
	if (s->st != NULL && !s->read_deferred) {
		s->read_deferred = true;
		loop_defer(s->loop, session_read_more, s);
	}
}

static void
session_io(int fd, short revents, void *arg)
{
	struct session	*s = arg;
	char		 err[256];

	(void)fd;
	switch (s->state) {
	case STATE_CONNECTING:
		if (s->path != NULL) {
			session_path(s);
			return;
		}
		if (net_connect_done(stream_fd(s->st), err, sizeof err) == -1) {
			session_connect_failed(s, "failed: %s", err);
			return;
		}
		session_connected(s);
		return;
	case STATE_TLS_CONNECT:
	case STATE_HANDSHAKE:
		session_handshake(s);
		return;
	case STATE_CLOSING:
		session_finish(s);
		return;
	case STATE_CLOSED:
	case STATE_DISCONNECTED:
		return;
	default:
		break;
	}
	if (revents & POLLOUT)
		session_flush(s);
	if (s->st != NULL && (revents & (POLLIN | POLLHUP | POLLERR)))
		session_read(s);
}

struct session *
session_new(struct loop *loop, struct evlog *log,
    const struct session_opts *opts)
{
	struct session	*s;

	s = xcalloc(1, sizeof *s);
	s->tlsa_q = -1;
	s->loop = loop;
	s->log = log;
	s->opts = *opts;
	target_copy(&s->opts.target, &opts->target);
	if (s->opts.ehlo == NULL)
		s->opts.ehlo = "mailscope.localhost";
	s->state = STATE_DISCONNECTED;
	s->timer = timer_new(loop, session_timeout, s);
	s->bye_timer = timer_new(loop, session_bye_done, s);
	s->auto_timer = timer_new(loop, session_auto_send, s);
	s->pp = pp_new(opts->target.proto, session_line, s);
	s->red = redactor_new(opts->target.proto);
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	session_close_fd(s);
	if (s->tls != NULL)
		tls_client_free(s->tls);
	tls_facts_free(s->facts);
	tls_resume_forget(&s->resume, NULL);
	free(s->priority);
	buf_free(&s->chain_pem);
	mxwalk_free(s->walk);
	if (s->tlsa_q != -1)
		dns_cancel(s->dns, s->tlsa_q);
	tlsa_set_free(&s->dns_tlsa);
	free(s->tlsa_name);
	sts_fetch_free(s->sts);
	dns_free(s->dns);
	free(s->addrs);
	free(s->conn_host);
	pp_free(s->pp);
	redactor_free(s->red);
	raw_line_clear(s);
	session_sasl_end(s);
	if (s->out.p != NULL)
		explicit_bzero(s->out.p, s->out.cap);
	buf_free(&s->out);
	buf_free(&s->lit_held);
	strv_clear(&s->caps_before);
	strv_clear(&s->caps_after);
	timer_free(s->timer);
	timer_free(s->bye_timer);
	timer_free(s->auto_timer);
	free(s->wait_what);
	target_free(&s->opts.target);
	free(s);
}

/* How the last :auth of this connection ended (its final reply). */
enum auth_result
session_auth_result(const struct session *s)
{
	return s->auth_result;
}

enum session_state
session_state(const struct session *s)
{
	return s->state;
}


/*
 * --require-tls promises 3 for a session that never reached TLS or kept
 * a command back, however calmly it ended.
 */
int
session_exit_code(const struct session *s)
{
	if (s->exit_code == EXIT_OK && s->opts.require_tls &&
	    (s->facts == NULL || s->withheld))
		return EXIT_NOSTARTTLS;
	return s->exit_code;
}

/* The reason a recording's trailer gives; rc: the exit status. */
const char *
session_end_reason(const struct session *s, int signo, int rc)
{
	if (signo != 0)
		return "signal";
	if (s != NULL && s->server_closed)
		return "server closed";
	return rc == EXIT_OK ? "quit" : "error";
}

bool
session_idle(const struct session *s)
{
	return (s->state == STATE_PLAIN || s->state == STATE_TLS) &&
	    pp_pending(s->pp) == 0 && s->auto_step == AUTO_NONE &&
	    !s->quitting;
}

/*
 * What the engine knows of the exchange, for the front ends: whether the
 * client is inside SMTP DATA or owes a continuation, how many replies are
 * awaited, the size of the transfer under way.  NULL: not connected.
 */
bool
session_data_mode(const struct session *s)
{
	return s != NULL && pp_data_mode(s->pp);
}

bool
session_wants_continuation(const struct session *s)
{
	return s != NULL && pp_wants_continuation(s->pp);
}

size_t
session_pending(const struct session *s)
{
	return s != NULL ? pp_pending(s->pp) : 0;
}

size_t
session_partial(const struct session *s, const char **p)
{
	*p = NULL;
	if (s == NULL || (s->state != STATE_PLAIN && s->state != STATE_TLS &&
	    s->state != STATE_STARTTLS_WAIT))
		return 0;
	return pp_partial(s->pp, p);
}

int64_t
session_expected_size(const struct session *s)
{
	return s != NULL ? pp_expected_size(s->pp) : -1;
}

int64_t
session_received_size(const struct session *s)
{
	return s != NULL ? pp_received_size(s->pp) : 0;
}

const char *
session_quit_cmd(const struct session *s)
{
	return pp_quit_cmd(s->pp);
}

const char *
session_caps_cmd(const struct session *s, const char *name)
{
	return pp_caps_cmd(s->pp, name);
}

bool
session_cap_starttls(const struct session *s)
{
	return pp_cap_starttls(s->pp);
}

const struct session_opts *
session_opts(const struct session *s)
{
	return &s->opts;
}

/*
 * Close (the TLS session kept to resume) and connect again: resuming
 * it, or with a full handshake (fresh), or with another TLS priority
 * string, which is a what-if and so fresh too (resuming would repeat
 * what was negotiated before).  -1: a bad priority, nothing closed.
 */
int
session_reconnect(struct session *s, bool fresh, const char *priority,
    const char *why, char *err, size_t errlen)
{
	if (priority != NULL && strcmp(priority, "default") != 0 &&
	    tls_priority_check(priority, err, errlen) == -1)
		return -1;
	if (s->state != STATE_CLOSED && s->state != STATE_DISCONNECTED)
		session_close(s, why);
	if (priority != NULL) {
		free(s->priority);
		/* "default": the priority the session began with. */
		s->priority = strcmp(priority, "default") == 0 ? NULL :
		    xstrdup(priority);
		tls_resume_forget(&s->resume, "a new priority string asks "
		    "for a full handshake");
	} else if (fresh)
		tls_resume_forget(&s->resume, "asked for a full handshake");
	/* A failure to connect is the session's events to tell. */
	(void)session_connect(s);
	return 0;
}
