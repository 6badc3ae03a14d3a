/* SPDX-License-Identifier: ISC */
/*
 * The lab: a teaching mail server, on 127.0.0.1 unless --listen says
 * otherwise.  SMTP, IMAP and POP3 with STARTTLS and implicit TLS, one
 * scenario per lesson, messages in memory or --store.  This file holds
 * the scenario table, the connection core the protocol machines talk
 * to, and the socket side: listeners, clients, server-side GnuTLS in the
 * poll loop.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "lab/lab_int.h"

#define LAB_ADDR	"127.0.0.1"

enum {
	LAB_OPT_STORE = 256,
	LAB_OPT_LISTEN,
	LAB_OPT_MYSTERY,
	LAB_OPT_SEED,
	LAB_OPT_REVEAL,
};
#define LAB_TRICKLE_MS	50
#define LAB_READY_MS	20000
#define LAB_ERRORS_MAX	20
#define LAB_FD_READY	3	/* in the child */
#define LAB_FD_LIFE	4

static const struct {
	const char	*name;
	const char	*desc;
} scenarios[SCN_MAX] = {
	[SCN_GOOD] = { "good",
	    "a well configured server: STARTTLS offered, valid certificate, "
	    "AUTH only after TLS" },
	[SCN_NO_STARTTLS] = { "no-starttls",
	    "STARTTLS is not offered at all, so login and mail travel in "
	    "clear text, as a stripping attacker would leave it" },
	[SCN_STRIP] = { "strip",
	    "a man in the middle overwrote STARTTLS in the capability list "
	    "(XXXXXXXA) and blocks the command; the real server offers it" },
	[SCN_STARTTLS_REFUSED] = { "starttls-refused",
	    "STARTTLS is offered but refused with 454 (IMAP NO, POP3 -ERR); "
	    "a client must not carry on in clear text" },
	[SCN_INJECT_RESPONSE] = { "inject-response",
	    "extra plaintext replies arrive in the same packet as the "
	    "STARTTLS go-ahead; a client must not read them as TLS replies" },
	[SCN_INJECT_COMMAND] = { "inject-command",
	    "commands sent in clear text right after STARTTLS are executed "
	    "and answered inside TLS (CVE-2011-0411)" },
	[SCN_EXPIRED_CERT] = { "expired-cert",
	    "the certificate expired on 1 January 2020; verification must "
	    "fail" },
	[SCN_WRONG_HOST] = { "wrong-host",
	    "the certificate is for wrong.example.net, not the name you "
	    "connected to; verification must fail" },
	[SCN_SELF_SIGNED] = { "self-signed",
	    "the certificate signed itself, not by the lab CA; verification "
	    "must fail even with the lab CA trusted" },
	[SCN_TLS12_ONLY] = { "tls12-only",
	    "the server speaks TLS 1.2 at most: watch version negotiation" },
	[SCN_ENFORCED] = { "enforced",
	    "the server refuses mail before STARTTLS: 530 5.7.0 Must issue "
	    "a STARTTLS command first" },
	[SCN_SLOW] = { "slow",
	    "the greeting trickles in one byte every 50 ms: see how a "
	    "client waits for a complete line" },
	[SCN_INJECT_LATER] = { "inject-later",
	    "extra plaintext replies follow the STARTTLS go-ahead in a "
	    "segment of their own; a client must not read them as TLS "
	    "replies" },
	[SCN_TAMPER] = { "tamper",
	    "a man in the middle added AUTH CRAM-MD5 to the capabilities "
	    "before TLS; a client must forget them once TLS is up" },
	[SCN_PREAUTH] = { "preauth",
	    "IMAP greets with PREAUTH in plaintext, so STARTTLS can never "
	    "come (CVE-2020-12398); a client that wants TLS must hang up" },
	[SCN_UNKNOWN_CA] = { "unknown-ca",
	    "the certificate is signed by a CA nobody trusts, not the lab "
	    "CA; verification must fail" },
	[SCN_TLS10_ONLY] = { "tls10-only",
	    "the server speaks TLS 1.0 only, long deprecated (RFC 8996); a "
	    "client must refuse it" },
};

static const char *scenario_names[SCN_MAX + 1];

const char *const *
lab_scenarios(void)
{
	int	i;

	for (i = 0; i < SCN_MAX; i++)
		scenario_names[i] = scenarios[i].name;
	scenario_names[SCN_MAX] = NULL;
	return scenario_names;
}

const char *
lab_scenario_desc(const char *name)
{
	int	i;

	for (i = 0; i < SCN_MAX; i++)
		if (name != NULL && strcmp(scenarios[i].name, name) == 0)
			return scenarios[i].desc;
	return NULL;
}

/* The scenario as the greetings name it: a mystery stays one. */
const char *
lab_conn_scn(const struct lab_conn *c)
{
	return c->mystery ? "mystery" : lab_scn_name(c->scn);
}

const char *
lab_scn_name(enum lab_scn scn)
{
	if ((int)scn < 0 || scn >= SCN_MAX)
		return "?";
	return scenarios[scn].name;
}

int
lab_scn_find(const char *name)
{
	int	i;

	for (i = 0; i < SCN_MAX; i++)
		if (strcmp(scenarios[i].name, name) == 0)
			return i;
	return -1;
}

/* The connection core: framing, dispatch, helpers for the machines. */

void
lab_conn_init(struct lab_conn *c, enum lab_proto proto, enum lab_scn scn,
    struct lab_store *store, bool implicit)
{
	memset(c, 0, sizeof *c);
	c->proto = proto;
	c->scn = scn;
	c->store = store;
	c->tls = implicit;
}

void
lab_conn_start(struct lab_conn *c)
{
	switch (c->proto) {
	case LAB_SMTP:
		lab_smtp_start(c);
		break;
	case LAB_IMAP:
		lab_imap_start(c);
		break;
	case LAB_POP3:
		lab_pop3_start(c);
		break;
	case LAB_SIEVE:
		lab_sieve_start(c);
		break;
	}
}

/* Is the next line data (a message's, a SASL answer), not a command? */
static bool
lab_conn_data(const struct lab_conn *c)
{
	switch (c->proto) {
	case LAB_SMTP:
		return lab_smtp_data(c);
	case LAB_IMAP:
		return lab_imap_data(c);
	case LAB_POP3:
		return lab_pop3_data(c);
	case LAB_SIEVE:
		return lab_sieve_data(c);
	}
	return false;
}

static void
lab_conn_line(struct lab_conn *c, char *line, size_t len, bool toolong)
{
	switch (c->proto) {
	case LAB_SMTP:
		lab_smtp_line(c, line, len, toolong);
		break;
	case LAB_IMAP:
		lab_imap_line(c, line, len, toolong);
		break;
	case LAB_POP3:
		lab_pop3_line(c, line, len, toolong);
		break;
	case LAB_SIEVE:
		lab_sieve_line(c, line, len, toolong);
		break;
	}
	if (c->errors >= LAB_ERRORS_MAX && !c->want_close) {
		switch (c->proto) {
		case LAB_SMTP:
			lab_reply(c, "421 4.7.0 %s Error: too many errors",
			    LAB_HOST);
			break;
		case LAB_IMAP:
			lab_reply(c, "* BYE Too many invalid commands");
			break;
		case LAB_POP3:
			lab_reply(c, "-ERR Too many invalid commands");
			break;
		case LAB_SIEVE:
			lab_reply(c, "BYE \"Too many invalid commands\"");
			break;
		}
		c->want_close = true;
	}
}

/*
 * Take complete lines while the client may still talk.  After a STARTTLS
 * go-ahead the rest of the buffer is plaintext sent before TLS: a correct
 * server throws it away; inject-command keeps it for after the handshake.
 */
void
lab_conn_run(struct lab_conn *c)
{
	char	*nl, *line;
	size_t	 n, len;
	bool	 toolong;

	while (!c->want_tls && !c->want_close && c->out.len < LAB_OUT_HIGH) {
		if (c->in.len == 0)
			break;
		if (c->literal > 0) {
			n = c->in.len < c->literal ? c->in.len : c->literal;
			lab_imap_literal(c, c->in.p, n);
			buf_consume(&c->in, n);
			c->literal -= n;
			continue;
		}
		nl = memchr(c->in.p, '\n', c->in.len);
		if (nl == NULL) {
			if (c->in.len > LAB_LINE_MAX) {
				c->discarding = true;
				buf_reset(&c->in);
			}
			break;
		}
		n = (size_t)(nl - c->in.p);
		len = n;
		if (len > 0 && c->in.p[len - 1] == '\r')
			len--;
		toolong = c->discarding || len > LAB_LINE_MAX;
		if (toolong)
			len = 0;
		line = xmalloc(len + 1);
		memcpy(line, c->in.p, len);
		line[len] = '\0';
		buf_consume(&c->in, n + 1);
		c->discarding = false;
		/* The judge weighs commands: the machine knows which. */
		if (c->judge != NULL && !toolong && !lab_conn_data(c))
			judge_line(c->judge, line, len, c->tls);
		lab_conn_line(c, line, len, toolong);
		free(line);
	}
	if (c->want_tls && c->injected == 0)
		c->injected = c->in.len;
	if (c->want_tls && c->scn != SCN_INJECT_COMMAND)
		buf_reset(&c->in);
}

void
lab_conn_input(struct lab_conn *c, const void *data, size_t len)
{
	buf_add(&c->in, data, len);
	lab_conn_run(c);
}

void
lab_conn_tls_up(struct lab_conn *c)
{
	c->tls = true;
	c->want_tls = false;
	c->injected = 0;
	switch (c->proto) {
	case LAB_SMTP:
		lab_smtp_tls(c);
		break;
	case LAB_IMAP:
		lab_imap_tls(c);
		break;
	case LAB_POP3:
		lab_pop3_tls(c);
		break;
	case LAB_SIEVE:
		lab_sieve_tls(c);
		break;
	}
	/* inject-command: what came before TLS is now answered inside. */
	lab_conn_run(c);
}

void
lab_conn_free(struct lab_conn *c)
{
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->msg);
	strv_clear(&c->rcpt);
	free(c->helo);
	free(c->mail_from);
	free(c->sasl_user);
	free(c->tag);
	free(c->uids);
	free(c->user);
	free(c->dele);
	strv_clear(&c->sv_names);
	strv_clear(&c->sv_bodies);
	free(c->sv_active);
	judge_free(c->judge);
	memset(c, 0, sizeof *c);
}

const char *
lab_conn_state_name(const struct lab_conn *c)
{
	switch (c->proto) {
	case LAB_SMTP:
		return lab_smtp_state_name(c->state);
	case LAB_IMAP:
		return lab_imap_state_name(c->state);
	case LAB_POP3:
		return lab_pop3_state_name(c->state);
	case LAB_SIEVE:
		return lab_sieve_state_name(c->state);
	}
	return "?";
}

void
lab_reply(struct lab_conn *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(&c->out, fmt, ap);
	va_end(ap);
	buf_add(&c->out, "\r\n", 2);
}

/*
 * Control bytes in a command become '?': replies echo parts of commands
 * and the Received header quotes them.  NUL stays, for the NUL check.
 */
void
lab_clean(char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if ((s[i] > 0 && s[i] < 0x20) || s[i] == 0x7f)
			s[i] = '?';
}

bool
lab_login_ok(const char *user, const char *pass)
{
	return user != NULL && pass != NULL && strcmp(user, LAB_USER) == 0 &&
	    strcmp(pass, LAB_PASS) == 0;
}

/* RFC 4616: [authzid] NUL authcid NUL passwd, base64. */
int
lab_sasl_plain(const char *b64, size_t len)
{
	struct buf	 d = { NULL, 0, 0 };
	const char	*authz, *user, *pass, *end;
	int		 ok;

	if (b64_decode(b64, len, &d) == -1 || d.len == 0) {
		buf_free(&d);
		return -1;
	}
	authz = d.p;
	end = d.p + d.len;
	user = memchr(authz, '\0', d.len);
	if (user == NULL || ++user >= end ||
	    (pass = memchr(user, '\0', (size_t)(end - user))) == NULL) {
		buf_free(&d);
		return -1;
	}
	pass++;
	ok = (*authz == '\0' || strcmp(authz, user) == 0) &&
	    lab_login_ok(user, pass) && strlen(pass) == (size_t)(end - pass);
	buf_free(&d);
	return ok ? 1 : 0;
}

/*
 * Does the submission port (and smtps) take mail only after AUTH?  As a
 * real one does wherever AUTH can be had; under strip and
 * starttls-refused it never can, so mail for the lab's own domain goes
 * through in clear text there, for the lesson to see it.
 */
bool
lab_submission_auth(enum lab_scn scn)
{
	return scn != SCN_STRIP && scn != SCN_STARTTLS_REFUSED;
}

/* Is STARTTLS (STLS) advertised and accepted on this connection now? */
bool
lab_tls_offered(const struct lab_conn *c)
{
	return !c->tls && c->scn != SCN_NO_STARTTLS && c->scn != SCN_STRIP &&
	    !(c->scn == SCN_PREAUTH && c->proto == LAB_IMAP);
}

/*
 * Right after a go-ahead: does the scenario inject replies behind it?
 * inject-later sends them in a write of their own.
 */
bool
lab_inject(struct lab_conn *c)
{
	if (c->scn == SCN_INJECT_LATER)
		c->split = c->out.len;
	return c->scn == SCN_INJECT_RESPONSE || c->scn == SCN_INJECT_LATER;
}

/* The socket side. */

static const struct {
	const char	*name;
	enum lab_proto	 proto;
	bool		 implicit;
	const char	*what;
} lab_ports[LAB_NPORTS] = {	/* the port table: lab_ports_text */
	{ "smtp", LAB_SMTP, false, "SMTP, STARTTLS (like 25: server to "
	    "server)" },
	{ "submission", LAB_SMTP, false, "SMTP, STARTTLS (like 587, or "
	    "2525 where 587 is blocked: mail programs to their server)" },
	{ "smtps", LAB_SMTP, true, "SMTP, implicit TLS (like 465: "
	    "submission with TLS from the first byte)" },
	{ "imap", LAB_IMAP, false, "IMAP, STARTTLS (like 143)" },
	{ "imaps", LAB_IMAP, true, "IMAP, implicit TLS (like 993)" },
	{ "pop3", LAB_POP3, false, "POP3, STLS (like 110)" },
	{ "pop3s", LAB_POP3, true, "POP3, implicit TLS (like 995)" },
	{ "sieve", LAB_SIEVE, false, "ManageSieve, STARTTLS (like 4190)" },
};

/*
 * The port table, one line a port: the banner and the TUI's :ports.
 * No address: what each is for, without the lab's numbers.
 */
void
lab_ports_text(const char *addr, const int *port, struct buf *b)
{
	char	hp[80];
	int	i;

	for (i = 0; i < LAB_NPORTS; i++) {
		if (addr == NULL) {
			buf_printf(b, "  %-11s %s\n", lab_ports[i].name,
			    lab_ports[i].what);
			continue;
		}
		snprintf(hp, sizeof hp, strchr(addr, ':') != NULL ?
		    "[%s]:%d" : "%s:%d", addr, port[i]);
		buf_printf(b, "  %-11s %-16s %s\n", lab_ports[i].name, hp,
		    lab_ports[i].what);
	}
}

enum client_state {
	CL_PLAIN,
	CL_HANDSHAKE,
	CL_TLS,
};

struct lab;

struct lab_client {
	struct lab		*lab;
	struct lab_client	*next;
	struct lab_client	*prev;
	struct stream		*st;
	enum lab_port		 port;
	enum client_state	 phase;
	struct lab_conn		 conn;
	struct timer		*idle;
	struct timer		*trickle;
	size_t			 trickle_left;	/* slow bytes */
	bool			 greeted;
	bool			 dead;
	uint64_t		 nread;		/* bytes received */
	unsigned		 id;
	char			 peer[64];
};

struct lab {
	struct loop				*loop;
	enum lab_scn				 scn;
	struct lab_store			 store;
	gnutls_certificate_credentials_t	 creds;
	gnutls_priority_t			 prio;
	int					 lfd[LAB_NPORTS];
	int					 port[LAB_NPORTS];
	struct lab_client			*clients;
	size_t					 nclients;
	unsigned				 nextid;
	char					*dir;
	char					*ca_path;
	char					*listen;
	char					 note[512];	/* certs */
	struct strv				 early;	/* warnings */
	bool					 mystery;
	uint64_t				 seed;
	bool					 keep;
	bool					 made_dir;
	FILE					*log;
	bool					 judge;
	FILE					*vout;	/* JSON verdicts */
	int					 lifeline;
	uint64_t				 notified;	/* serial */
};

static const char *const lab_files[] = {
	LAB_CA_FILE, "ca.key", "server.pem", "server.key", "lab.log", NULL
};

static void	cl_after(struct lab_client *);
static void	lab_verdict(struct lab *, struct lab_client *);

static void PRINTFLIKE(2, 3)
lab_log(struct lab *lab, const char *fmt, ...)
{
	va_list	ap;
	char	ts[64];

	if (lab->log == NULL)
		return;
	format_wall(wall_ns(), ts, sizeof ts);
	fprintf(lab->log, "%s ", ts);
	va_start(ap, fmt);
	vfprintf(lab->log, fmt, ap);
	va_end(ap);
	fputc('\n', lab->log);
	fflush(lab->log);
}

static void
cl_free(struct lab_client *c)
{
	struct lab	*lab = c->lab;

	lab_log(lab, "client %u %s closed in %s%s", c->id,
	    lab_ports[c->port].name, lab_conn_state_name(&c->conn),
	    c->phase == CL_TLS ? " (TLS)" : "");
	if (c->conn.judge != NULL)
		lab_verdict(lab, c);
	loop_del_fd(lab->loop, stream_fd(c->st));
	if (c->phase == CL_TLS)
		(void)stream_bye(c->st);
	stream_free(c->st);
	timer_free(c->idle);
	timer_free(c->trickle);
	lab_conn_free(&c->conn);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		lab->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	lab->nclients--;
	free(c);
}

/* Called at the end of every callback: free a client marked dead. */
static void
cl_done(struct lab_client *c)
{
	if (c->dead)
		cl_free(c);
	else
		cl_after(c);
}

static void
cl_idle(void *arg)
{
	struct lab_client	*c = arg;

	lab_log(c->lab, "client %u idle for too long", c->id);
	c->dead = true;
	cl_free(c);
}

static void
cl_tls_start(struct lab_client *c)
{
	struct lab	*lab = c->lab;

	if (stream_tls_server(c->st, lab->creds, lab->prio) == -1) {
		lab_log(lab, "client %u TLS setup: %s", c->id,
		    stream_error(c->st));
		c->dead = true;
		return;
	}
	c->phase = CL_HANDSHAKE;
	if (c->conn.judge != NULL)
		judge_tls(c->conn.judge, JT_START, NULL);
}

static void
cl_greet(struct lab_client *c)
{
	c->greeted = true;
	lab_conn_start(&c->conn);
	if (c->conn.scn == SCN_SLOW)
		c->trickle_left = c->conn.out.len;
}

static void
cl_handshake(struct lab_client *c)
{
	int	rc;
	char	*desc;

	rc = stream_handshake(c->st);
	if (rc == STREAM_AGAIN)
		return;
	if (rc < 0) {
		/* The stream has told the client why, in an alert. */
		lab_log(c->lab, "client %u handshake failed: %s", c->id,
		    stream_error(c->st));
		if (c->conn.judge != NULL)
			judge_tls(c->conn.judge, JT_FAILED,
			    stream_error(c->st));
		c->dead = true;
		return;
	}
	c->phase = CL_TLS;
	desc = gnutls_session_get_desc(stream_tls_session(c->st));
	lab_log(c->lab, "client %u TLS up: %s", c->id,
	    desc != NULL ? desc : "?");
	if (c->conn.judge != NULL)
		judge_tls(c->conn.judge, JT_UP, desc);
	gnutls_free(desc);
	if (c->conn.injected > 0)
		lab_log(c->lab, "client %u sent %zu bytes in plaintext after "
		    "STARTTLS: %s", c->id, c->conn.injected,
		    c->conn.scn == SCN_INJECT_COMMAND ?
		    "answering them inside TLS (inject-command)" :
		    "discarded");
	if (!c->greeted)
		cl_greet(c);
	else
		lab_conn_tls_up(&c->conn);
}

/* Send what is queued; slow bytes go one at a time from a timer. */
static void
cl_flush(struct lab_client *c)
{
	struct buf	*out = &c->conn.out;
	size_t		 n;
	ssize_t		 w;

	while (out->len > 0 && !c->dead) {
		n = out->len;
		if (c->trickle_left > 0) {
			if (timer_pending(c->trickle))
				return;
			n = 1;
		}
		if (c->conn.split > 0 && n > c->conn.split)
			n = c->conn.split;
		/* One write: injected bytes share the go-ahead's (but
		 * inject-later's, which come in a write of their own). */
		w = stream_write(c->st, out->p, n);
		if (w == STREAM_AGAIN)
			return;
		if (w <= 0) {
			c->dead = true;
			return;
		}
		buf_consume(out, (size_t)w);
		c->conn.split -= c->conn.split > (size_t)w ? (size_t)w :
		    c->conn.split;
		if (c->trickle_left > 0) {
			c->trickle_left--;
			if (c->trickle_left > 0)
				timer_set(c->trickle, LAB_TRICKLE_MS);
		}
	}
}

static void
cl_trickle(void *arg)
{
	struct lab_client	*c = arg;

	cl_flush(c);
	cl_done(c);
}

/* A message arrived: IMAP clients in IDLE hear of it at once. */
static void
lab_notify(void *arg)
{
	struct lab		*lab = arg;
	struct lab_client	*c, *next;

	for (c = lab->clients; c != NULL; c = next) {
		next = c->next;
		if (c->conn.proto != LAB_IMAP || c->phase == CL_HANDSHAKE)
			continue;
		lab_imap_notify(&c->conn);
		cl_done(c);
	}
}

static bool
cl_can_read(const struct lab_client *c)
{
	const struct lab_conn	*k = &c->conn;

	return c->phase != CL_HANDSHAKE && c->greeted && !k->want_tls &&
	    !k->want_close && k->in.len <= 2 * LAB_LINE_MAX &&
	    k->out.len < LAB_OUT_HIGH;
}

/*
 * A TLS ClientHello on a plaintext port: a client that wanted the
 * implicit TLS port.  Say so in clear text and in the log.
 */
static void
cl_tls_too_soon(struct lab_client *c)
{
	struct lab_conn	*k = &c->conn;

	lab_log(c->lab, "client %u sent a TLS handshake to the plaintext %s "
	    "port", c->id, lab_ports[c->port].name);
	switch (k->proto) {
	case LAB_SMTP:
		lab_reply(k, "500 5.5.2 This port starts in plaintext: send "
		    "STARTTLS first, or use the smtps port");
		break;
	case LAB_IMAP:
		lab_reply(k, "* BYE This port starts in plaintext: send "
		    "STARTTLS first, or use the imaps port");
		break;
	case LAB_POP3:
		lab_reply(k, "-ERR This port starts in plaintext: send STLS "
		    "first, or use the pop3s port");
		break;
	case LAB_SIEVE:
		lab_reply(k, "BYE \"This port starts in plaintext: send "
		    "STARTTLS first\"");
		break;
	}
	k->want_close = true;
}

static void
cl_read(struct lab_client *c)
{
	char	tmp[16384];
	ssize_t	r;

	while (cl_can_read(c) && !c->dead) {
		r = stream_read(c->st, tmp, sizeof tmp);
		if (r == STREAM_AGAIN)
			return;
		if (r <= 0) {
			c->dead = true;
			return;
		}
		timer_set(c->idle, LAB_IDLE_MS);
		if (c->nread == 0 && c->phase == CL_PLAIN && tmp[0] == 0x16) {
			cl_tls_too_soon(c);
			return;
		}
		c->nread += (uint64_t)r;
		lab_conn_input(&c->conn, tmp, (size_t)r);
		cl_flush(c);
		if (c->lab->store.serial != c->lab->notified) {
			c->lab->notified = c->lab->store.serial;
			loop_defer(c->lab->loop, lab_notify, c->lab);
		}
	}
}

/* Drive the client after any event and choose what to wait for. */
static void
cl_after(struct lab_client *c)
{
	struct lab_conn	*k = &c->conn;
	short		 ev;
	int		 guard;

	for (guard = 0; guard < 64 && !c->dead; guard++) {
		cl_flush(c);
		if (c->dead || k->out.len > 0)
			break;
		if (k->want_close) {
			c->dead = true;
			break;
		}
		if (k->want_tls && c->phase == CL_PLAIN) {
			cl_tls_start(c);
			if (!c->dead)
				cl_handshake(c);
			continue;
		}
		if (c->phase == CL_HANDSHAKE)
			break;
		/* Lines kept while output was high, or decrypted data. */
		if (k->in.len > 0 && k->out.len < LAB_OUT_HIGH) {
			size_t	before = k->out.len;

			lab_conn_run(k);
			if (k->out.len != before || k->want_close ||
			    k->want_tls)
				continue;
		}
		if (c->phase == CL_TLS && cl_can_read(c) &&
		    stream_pending(c->st) > 0) {
			cl_read(c);
			continue;
		}
		break;
	}
	if (c->dead) {
		cl_free(c);
		return;
	}
	ev = 0;
	if (c->phase == CL_HANDSHAKE)
		ev = stream_want_write(c->st) ? POLLOUT : POLLIN;
	else {
		if (k->out.len > 0 && c->trickle_left == 0)
			ev |= POLLOUT;
		if (cl_can_read(c))
			ev |= POLLIN;
	}
	loop_set_events(c->lab->loop, stream_fd(c->st), ev);
}

static void
cl_io(int fd, short revents, void *arg)
{
	struct lab_client	*c = arg;

	(void)fd;
	if (revents & (POLLERR | POLLNVAL)) {
		c->dead = true;
		cl_done(c);
		return;
	}
	if (c->phase == CL_HANDSHAKE) {
		timer_set(c->idle, LAB_IDLE_MS);
		cl_handshake(c);
	} else {
		if (revents & POLLOUT)
			cl_flush(c);
		if (!c->dead && (revents & (POLLIN | POLLHUP)))
			cl_read(c);
		/* Hung up while we could not read: nobody is listening. */
		if (!c->dead && (revents & POLLHUP) && !cl_can_read(c))
			c->dead = true;
	}
	cl_done(c);
}

static void
lab_refuse(int fd, enum lab_port port)
{
	const char	*msg = NULL;

	switch (lab_ports[port].proto) {
	case LAB_SMTP:
		msg = "421 4.7.0 " LAB_HOST " Too many connections\r\n";
		break;
	case LAB_IMAP:
		msg = "* BYE Too many connections\r\n";
		break;
	case LAB_POP3:
		msg = "-ERR [SYS/TEMP] Too many connections\r\n";
		break;
	case LAB_SIEVE:
		msg = "BYE (TRYLATER) \"Too many connections\"\r\n";
		break;
	}
	if (!lab_ports[port].implicit && msg != NULL)
		(void)!send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void
lab_accept(int lfd, short revents, void *arg)
{
	struct lab		*lab = arg;
	struct lab_client	*c;
	struct sockaddr_storage	 ss;
	socklen_t		 slen;
	enum lab_port		 port;
	char			 addr[INET6_ADDRSTRLEN];
	int			 fd;

	(void)revents;
	for (port = LP_SMTP; port < LAB_NPORTS; port++)
		if (lab->lfd[port] == lfd)
			break;
	if (port == LAB_NPORTS)
		return;
	for (;;) {
		slen = sizeof ss;
		fd = accept4(lfd, (struct sockaddr *)&ss, &slen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				lab_log(lab, "accept: %s", strerror(errno));
			return;
		}
		if (lab->nclients >= LAB_CLIENTS_MAX) {
			lab_log(lab, "%s: too many clients, refused",
			    lab_ports[port].name);
			lab_refuse(fd, port);
			continue;
		}
		c = xcalloc(1, sizeof *c);
		c->lab = lab;
		c->st = stream_new(fd, 0);
		c->port = port;
		c->id = ++lab->nextid;
		if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->
			    sin6_addr, addr, sizeof addr);
		else
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->
			    sin_addr, addr, sizeof addr);
		snprintf(c->peer, sizeof c->peer, ss.ss_family == AF_INET6 ?
		    "[%s]:%u" : "%s:%u", addr, (unsigned)ntohs(ss.ss_family ==
		    AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port));
		lab_conn_init(&c->conn, lab_ports[port].proto, lab->scn,
		    &lab->store, lab_ports[port].implicit);
		c->conn.submission = port == LP_SUBMISSION || port == LP_SMTPS;
		c->conn.mystery = lab->mystery;
		if (lab->judge)
			c->conn.judge = judge_new(lab_ports[port].proto,
			    lab->scn, lab_ports[port].implicit);
		c->idle = timer_new(lab->loop, cl_idle, c);
		c->trickle = timer_new(lab->loop, cl_trickle, c);
		timer_set(c->idle, LAB_IDLE_MS);
		c->next = lab->clients;
		if (lab->clients != NULL)
			lab->clients->prev = c;
		lab->clients = c;
		lab->nclients++;
		lab_log(lab, "client %u %s from %s", c->id,
		    lab_ports[port].name, c->peer);
		loop_add_fd(lab->loop, fd, POLLIN, cl_io, c);
		if (lab_ports[port].implicit) {
			cl_tls_start(c);
			if (!c->dead)
				cl_handshake(c);
		} else
			cl_greet(c);
		cl_done(c);
	}
}

/* A closed connection's verdict: JSON for programs, text for people. */
static void
lab_verdict(struct lab *lab, struct lab_client *c)
{
	struct buf	b = { NULL, 0, 0 };

	if (lab->vout != NULL) {
		judge_report(c->conn.judge, c->id, lab_ports[c->port].name,
		    true, &b);
		if (b.len > 0) {
			fwrite(b.p, 1, b.len, lab->vout);
			fflush(lab->vout);
		}
		buf_reset(&b);
	}
	if (lab->log != NULL && lab->log != lab->vout) {
		judge_report(c->conn.judge, c->id, lab_ports[c->port].name,
		    false, &b);
		if (b.len > 0) {
			fwrite(b.p, 1, b.len, lab->log);
			fflush(lab->log);
		}
	}
	buf_free(&b);
}

/*
 * Stopping while judging: what clients sent before they went is still
 * in the sockets.  Read it, so that every verdict sees every line.
 */
static void
lab_drain(struct lab *lab)
{
	struct lab_client	*c, *next;
	int			 i, round;

	for (i = 0; i < LAB_NPORTS; i++)
		if (lab->lfd[i] != -1)
			lab_accept(lab->lfd[i], POLLIN, lab);
	for (round = 0; round < 8 && lab->clients != NULL; round++) {
		for (c = lab->clients; c != NULL; c = next) {
			next = c->next;
			if (c->phase == CL_HANDSHAKE)
				cl_handshake(c);
			else
				cl_read(c);
			cl_done(c);
		}
	}
}

static int
lab_write_file(const char *dir, const char *name, const char *data,
    bool secret, char **pathp, char *err, size_t errlen)
{
	char	*path;
	size_t	 len = strlen(data);
	ssize_t	 w;
	int	 fd;

	xasprintf(&path, "%s/%s", dir, name);
	/* --keep-certs DIR may hold files already: the key stays private. */
	if ((fd = file_open_write(path, O_TRUNC, secret, err, errlen)) == -1) {
		free(path);
		return -1;
	}
	w = write(fd, data, len);
	if (w != (ssize_t)len || close(fd) == -1) {
		snprintf(err, errlen, "%s: write failed", path);
		free(path);
		return -1;
	}
	if (pathp != NULL)
		*pathp = path;
	else
		free(path);
	return 0;
}

static void
lab_rmdir(const char *dir)
{
	char	*path;
	size_t	 i;

	for (i = 0; lab_files[i] != NULL; i++) {
		xasprintf(&path, "%s/%s", dir, lab_files[i]);
		(void)unlink(path);
		free(path);
	}
	(void)rmdir(dir);
}

/* Certificates for the scenario, written where clients can find the CA. */
static int
lab_certs(struct lab *lab, char *err, size_t errlen)
{
	struct certgen_opts	 o;
	char			*ca = NULL, *cakey = NULL, *crt = NULL;
	char			*key = NULL, *srvkey;
	char			*other = NULL, *otherkey = NULL;
	gnutls_datum_t		 dc, dk;
	int			 rc, ret = -1;

	memset(&o, 0, sizeof o);
	if (lab_kept_keys(lab->keep ? lab->dir : NULL, &ca, &cakey, &key,
	    lab->note, sizeof lab->note, err, errlen) == -1)
		return -1;
	if (lab->scn == SCN_WRONG_HOST) {
		o.cn = "wrong.example.net";
		strv_add(&o.dns, "wrong.example.net");
	} else {
		o.cn = LAB_HOST;
		strv_add(&o.dns, LAB_HOST);
		strv_add(&o.dns, "localhost");
		lab_cert_addrs(lab->listen, &o.ip);
	}
	o.key_pem = key;
	if (lab->scn == SCN_EXPIRED_CERT) {
		o.not_before = 1546300800;	/* 2019-01-01 */
		o.not_after = 1577836800;	/* 2020-01-01 */
	}
	o.self_signed = lab->scn == SCN_SELF_SIGNED;
	/* unknown-ca: a second CA signs, and only the first is written. */
	if (lab->scn == SCN_UNKNOWN_CA && certgen_ca("mailscope unknown CA",
	    &other, &otherkey, err, errlen) == -1)
		goto out;
	if (certgen_server(&o, other != NULL ? other : ca,
	    otherkey != NULL ? otherkey : cakey, &crt, &srvkey, err,
	    errlen) == -1)
		goto out;
	free(key);
	key = srvkey;
	/* The CA's key only where it is kept: to sign again next time. */
	if (lab_write_file(lab->dir, LAB_CA_FILE, ca, false, &lab->ca_path,
	    err, errlen) == -1 || (lab->keep && lab_write_file(lab->dir,
	    "ca.key", cakey, true, NULL, err, errlen) == -1) ||
	    lab_write_file(lab->dir, "server.pem", crt, false, NULL, err,
	    errlen) == -1 ||
	    lab_write_file(lab->dir, "server.key", key, true, NULL, err,
	    errlen) == -1)
		goto out;
	if ((rc = gnutls_certificate_allocate_credentials(&lab->creds)) < 0) {
		snprintf(err, errlen, "credentials: %s", gnutls_strerror(rc));
		goto out;
	}
	dc.data = (unsigned char *)crt;
	dc.size = (unsigned int)strlen(crt);
	dk.data = (unsigned char *)key;
	dk.size = (unsigned int)strlen(key);
	if ((rc = gnutls_certificate_set_x509_key_mem(lab->creds, &dc, &dk,
	    GNUTLS_X509_FMT_PEM)) < 0) {
		snprintf(err, errlen, "server key: %s", gnutls_strerror(rc));
		goto out;
	}
	ret = 0;
out:
	strv_clear(&o.dns);
	strv_clear(&o.ip);
	free(ca);
	free(cakey);
	free(other);
	free(otherkey);
	free(crt);
	free(key);
	return ret;
}

static void
lab_free(struct lab *lab)
{
	int	i;

	if (lab->judge)
		lab_drain(lab);
	while (lab->clients != NULL)
		cl_free(lab->clients);
	for (i = 0; i < LAB_NPORTS; i++) {
		if (lab->lfd[i] != -1) {
			loop_del_fd(lab->loop, lab->lfd[i]);
			close(lab->lfd[i]);
		}
	}
	if (lab->creds != NULL)
		gnutls_certificate_free_credentials(lab->creds);
	if (lab->prio != NULL)
		gnutls_priority_deinit(lab->prio);
	if (lab->vout != NULL && lab->vout != stdout)
		fclose(lab->vout);
	lab_store_free(&lab->store);
	if (lab->made_dir && !lab->keep)
		lab_rmdir(lab->dir);
	loop_free(lab->loop);
	free(lab->dir);
	free(lab->ca_path);
	free(lab->listen);
	strv_clear(&lab->early);
	free(lab);
}

/* A mystery is named on the console when the lab stops, or on SIGUSR1. */
static void
lab_reveal(struct lab *lab)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*line, *save = NULL;

	if (!lab->mystery)
		return;
	lab_mystery_reveal(lab->seed, &b);
	for (line = strtok_r(b.p, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		lab_log(lab, "%s", line);
	buf_free(&b);
}

static void
lab_signal(int signo, void *arg)
{
	struct lab	*lab = arg;

	if (signo == SIGUSR1) {
		lab_reveal(lab);
		return;
	}
	lab_log(lab, "signal %d: stopping", signo);
	lab_reveal(lab);
	loop_break(lab->loop);
}

/* Store warnings: kept for the banner until the console is there. */
static void
lab_store_warn(void *arg, const char *msg)
{
	struct lab	*lab = arg;

	if (lab->log != NULL)
		lab_log(lab, "%s", msg);
	else
		strv_add(&lab->early, msg);
}

static struct lab *
lab_new(const struct lab_opts *opts, char *err, size_t errlen)
{
	struct lab		*lab;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	const char		*tmp, *prio, *name;
	uint64_t		 seed = 0;
	int			 i, scn, rc;
	bool			 lo;

	if (opts->mystery)
		seed = opts->seeded ? opts->seed : lab_mystery_seed();
	name = opts->mystery ? lab_mystery_pick(seed) : opts->scenario != NULL ?
	    opts->scenario : "good";
	if ((scn = lab_scn_find(name)) == -1) {
		snprintf(err, errlen, "unknown scenario: %s (see mailscope "
		    "lab --list)", name);
		return NULL;
	}
	if (opts->listen != NULL && lab_listen_parse(opts->listen, &ss,
	    &sslen, &lo) == -1) {
		snprintf(err, errlen, "--listen %s: not an IPv4 or IPv6 "
		    "address", opts->listen);
		return NULL;
	}
	lab = xcalloc(1, sizeof *lab);
	lab->scn = (enum lab_scn)scn;
	lab->mystery = opts->mystery;
	lab->seed = seed;
	lab->listen = xstrdup(opts->listen != NULL ? opts->listen : LAB_ADDR);
	lab->judge = opts->judge || opts->verdicts != NULL;
	lab->lifeline = -1;
	for (i = 0; i < LAB_NPORTS; i++)
		lab->lfd[i] = -1;
	lab->loop = loop_new();
	/* From here a signal stops the lab cleanly, even during startup. */
	loop_add_signal(lab->loop, SIGINT, lab_signal, lab);
	loop_add_signal(lab->loop, SIGTERM, lab_signal, lab);
	loop_add_signal(lab->loop, SIGHUP, lab_signal, lab);
	loop_add_signal(lab->loop, SIGUSR1, lab_signal, lab);
	lab_store_init(&lab->store);
	lab->store.warn = lab_store_warn;
	lab->store.warn_arg = lab;
	if (opts->store != NULL && lab_store_open(&lab->store, opts->store,
	    err, errlen) == -1)
		goto fail;
	lab->notified = lab->store.serial;
	if (opts->keep_certs != NULL) {
		lab->keep = true;
		lab->dir = xstrdup(opts->keep_certs);
		if (mkdir(lab->dir, 0700) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", lab->dir,
			    strerror(errno));
			goto fail;
		}
	} else {
		if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
			tmp = "/tmp";
		xasprintf(&lab->dir, "%s/mailscope-lab.XXXXXX", tmp);
		if (mkdtemp(lab->dir) == NULL) {
			snprintf(err, errlen, "%s: %s", lab->dir,
			    strerror(errno));
			goto fail;
		}
	}
	lab->made_dir = true;
	if (lab_certs(lab, err, errlen) == -1)
		goto fail;
	/* TLS 1.0 and 1.1 are gone (RFC 8996), but for the one lesson. */
	if (lab->scn == SCN_TLS12_ONLY)
		prio = "NORMAL:-VERS-ALL:+VERS-TLS1.2";
	else if (lab->scn == SCN_TLS10_ONLY)
		prio = "NORMAL:-VERS-ALL:+VERS-TLS1.0:+SHA1:+SIGN-ALL";
	else
		prio = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
	if ((rc = gnutls_priority_init(&lab->prio, prio, NULL)) < 0) {
		snprintf(err, errlen, "priority %s: %s", prio,
		    gnutls_strerror(rc));
		goto fail;
	}
	return lab;
fail:
	lab_free(lab);
	return NULL;
}

static int
lab_listen(struct lab *lab, int base, char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 slen, len;
	in_port_t		*pp;
	int			 i, fd, one = 1;
	bool			 lo;

	if (base < 0 || base > 65535 - LAB_NPORTS) {
		snprintf(err, errlen, "port base %d out of range", base);
		return -1;
	}
	for (i = 0; i < LAB_NPORTS; i++) {
		/* Checked in lab_new: 127.0.0.1 unless --listen. */
		(void)lab_listen_parse(lab->listen, &ss, &len, &lo);
		pp = ss.ss_family == AF_INET6 ?
		    &((struct sockaddr_in6 *)&ss)->sin6_port :
		    &((struct sockaddr_in *)&ss)->sin_port;
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1) {
			snprintf(err, errlen, "socket: %s", strerror(errno));
			return -1;
		}
		lab->lfd[i] = fd;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof one);
		if (ss.ss_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof one);
		*pp = htons((uint16_t)(base != 0 ? base + i : 0));
		if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
		    listen(fd, 128) == -1) {
			snprintf(err, errlen, "%s port %d: %s", lab->listen,
			    base != 0 ? base + i : 0, strerror(errno));
			return -1;
		}
		slen = sizeof ss;
		if (getsockname(fd, (struct sockaddr *)&ss, &slen) == -1) {
			snprintf(err, errlen, "getsockname: %s",
			    strerror(errno));
			return -1;
		}
		lab->port[i] = ntohs(*pp);
		loop_add_fd(lab->loop, fd, POLLIN, lab_accept, lab);
	}
	return 0;
}

static void
lab_lifeline(int fd, short revents, void *arg)
{
	struct lab	*lab = arg;
	char		 tmp[64];

	(void)revents;
	/* The parent closed its end (or died): the lab goes with it. */
	if (read(fd, tmp, sizeof tmp) <= 0) {
		lab_log(lab, "parent gone: stopping");
		loop_del_fd(lab->loop, fd);
		loop_break(lab->loop);
	}
}

static void
lab_run(struct lab *lab)
{
	signal(SIGPIPE, SIG_IGN);
	loop_run(lab->loop);
}

static void
lab_list(FILE *f)
{
	int	i;

	for (i = 0; i < SCN_MAX; i++)
		fprintf(f, "%-17s %s\n", scenarios[i].name, scenarios[i].desc);
}

static const struct opt lab_opts[] = {
	{ "scenario", required_argument, 's', OPTK_SCENARIO, "NAME",
	    "the scenario to play (default good; --list)", 0 },
	{ "port-base", required_argument, 'p', OPTK_NONE, "N",
	    "listen on N and the ports after it (default: free\n"
	    "ones)", 0 },
	{ "keep-certs", required_argument, 'k', OPTK_DIR, "DIR",
	    "keep the lab's CA and keys in DIR: the same CA\n"
	    "after a restart (made anew when missing or\n"
	    "expired)", 0 },
	{ "store", required_argument, LAB_OPT_STORE, OPTK_DIR, "DIR",
	    "keep demo's mail in DIR across restarts (one\n"
	    "file a message)", 0 },
	{ "listen", required_argument, LAB_OPT_LISTEN, OPTK_NONE, "ADDR",
	    "serve ADDR (IPv4 or IPv6; 0.0.0.0 or :: for\n"
	    "every interface) instead of 127.0.0.1", 0 },
	{ "mystery", no_argument, LAB_OPT_MYSTERY, OPTK_NONE, NULL,
	    "serve a scenario picked at random, without\n"
	    "naming it (--reveal names it)", 0 },
	{ "seed", required_argument, LAB_OPT_SEED, OPTK_NONE, "N",
	    "with --mystery: pick by N (the same N, the same\n"
	    "scenario)", 0 },
	{ "reveal", required_argument, LAB_OPT_REVEAL, OPTK_NONE, "SEED",
	    "name the mystery scenario of SEED and where it\n"
	    "shows", 0 },
	{ "judge", no_argument, 'j', OPTK_NONE, NULL,
	    "judge each client: a verdict per connection on the\n"
	    "attack the scenario plays, with the client's lines\n"
	    "that show it", 0 },
	{ "json", no_argument, 'J', OPTK_NONE, NULL,
	    "--judge's verdicts as JSON lines on standard output\n"
	    "(the rest goes to standard error)", 0 },
	{ "list", no_argument, 'l', OPTK_NONE, NULL,
	    "the scenarios, one a line", 0 },
	{ "help", no_argument, 'h', OPTK_NONE, NULL, "this help", 0 },
};

const struct optcmd lab_cmd = {
	"lab", "mailscope lab", lab_opts, sizeof lab_opts / sizeof lab_opts[0],
	OPTK_SCENARIO
};

static const char lab_head[] =
"usage: mailscope lab [--scenario NAME | --mystery [--seed N]] "
    "[--port-base N]\n"
"                     [--keep-certs DIR] [--store DIR] [--listen ADDR]\n"
"                     [--judge [--json]]\n"
"       mailscope lab --reveal SEED\n"
"       mailscope lab --list\n\n"
"The lab's CA is DIR/" LAB_CA_FILE " (its path is printed at start): a "
    "client that\ntrusts it passes the good scenario.\n\n";

static void
lab_banner(const struct lab *lab, FILE *f)
{
	struct buf		 b = { NULL, 0, 0 };
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*host;
	size_t			 i;
	bool			 lo;

	if (lab->mystery)
		fprintf(f, "mailscope lab, scenario mystery (seed %llu: "
		    "mailscope lab --reveal %llu names it, so do SIGUSR1 and "
		    "Ctrl-C)\n\n", (unsigned long long)lab->seed,
		    (unsigned long long)lab->seed);
	else
		fprintf(f, "mailscope lab, scenario %s: %s\n\n",
		    scenarios[lab->scn].name, scenarios[lab->scn].desc);
	(void)lab_listen_parse(lab->listen, &ss, &len, &lo);
	if (!lo)
		fprintf(f, "  WARNING: serving %s, not loopback: whoever can "
		    "reach this machine\n  can use the lab and its demo "
		    "account.  Only on a classroom network.\n\n",
		    lab->listen);
	lab_ports_text(lab->listen, lab->port, &b);
	fputs(b.p, f);
	buf_free(&b);
	fprintf(f, "\n  CA certificate  %s\n", lab->ca_path);
	if (lab->keep && lab->note[0] == '\0')
		fprintf(f, "  CA kept         the same after a restart: import "
		    "it once\n");
	if (lab->note[0] != '\0')
		fprintf(f, "  note            %s\n", lab->note);
	fprintf(f, "  demo account    user %s, password %s\n", LAB_USER,
	    LAB_PASS);
	fprintf(f, "  mail to         anyone@%s (kept in demo's mailbox)\n",
	    LAB_HOST);
	if (lab_submission_auth(lab->scn))
		fprintf(f, "  submission      mail only after AUTH (smtp takes "
		    "mail for %s without)\n", LAB_HOST);
	if (lab->store.dir != NULL)
		fprintf(f, "  mail kept in    %s (%zu messages)\n",
		    lab->store.dir, lab->store.nmsgs);
	for (i = 0; i < lab->early.n; i++)
		fprintf(f, "  ! %s\n", lab->early.v[i]);
	/* Where this machine reaches it: a wildcard through loopback. */
	host = strcmp(lab->listen, "0.0.0.0") == 0 ? LAB_ADDR :
	    strcmp(lab->listen, "::") == 0 ? "::1" : lab->listen;
	fprintf(f, strchr(host, ':') != NULL ? "\n  try: mailscope --cafile "
	    "%s submission://[%s]:%d\n" : "\n  try: mailscope --cafile %s "
	    "submission://%s:%d\n", lab->ca_path, host,
	    lab->port[LP_SUBMISSION]);
	if (lab->judge)
		fprintf(f, "  judging         a verdict on each client as it "
		    "leaves\n");
	fprintf(f, "  stop with Ctrl-C\n\n");
	fflush(f);
}

int
lab_main(int argc, char **argv)
{
	struct opt_getopt g;
	struct buf	 b = { 0 };
	struct lab_opts	 opts;
	struct lab	*lab;
	char		 err[512], *end;
	long		 v;
	int		 ch;

	memset(&opts, 0, sizeof opts);
	opt_getopt(&lab_cmd, &g);
	optind = 1;
	while ((ch = opt_next(&g, argc, argv)) != -1) {
		switch (ch) {
		case 's':
			opts.scenario = optarg;
			break;
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 ||
			    v > 65535 - LAB_NPORTS) {
				fprintf(stderr, "mailscope lab: bad port base: "
				    "%s\n", optarg);
				opt_getopt_free(&g);
				return EXIT_USAGE;
			}
			opts.port_base = (int)v;
			break;
		case 'k':
			opts.keep_certs = optarg;
			break;
		case LAB_OPT_STORE:
			opts.store = optarg;
			break;
		case LAB_OPT_LISTEN:
			opts.listen = optarg;
			break;
		case LAB_OPT_MYSTERY:
			opts.mystery = true;
			break;
		case LAB_OPT_SEED:
		case LAB_OPT_REVEAL:
			errno = 0;
			opts.seed = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || *optarg < '0' ||
			    *optarg > '9') {
				fprintf(stderr, "mailscope lab: bad seed: %s "
				    "(a number)\n", optarg);
				opt_getopt_free(&g);
				return EXIT_USAGE;
			}
			opts.seeded = true;
			if (ch == LAB_OPT_REVEAL) {
				opt_getopt_free(&g);
				lab_mystery_reveal(opts.seed, &b);
				fputs(b.p, stdout);
				buf_free(&b);
				return EXIT_OK;
			}
			break;
		case 'j':
			opts.judge = true;
			break;
		case 'J':
			opts.json = true;
			break;
		case 'l':
			opt_getopt_free(&g);
			lab_list(stdout);
			return EXIT_OK;
		case 'h':
			buf_adds(&b, lab_head);
			opt_help(&lab_cmd, &b);
			fwrite(b.p, 1, b.len, stdout);
			buf_free(&b);
			opt_getopt_free(&g);
			return EXIT_OK;
		default:
			opt_error(&lab_cmd, ch, argv, &b);
			fputs(b.p, stderr);
			buf_free(&b);
			opt_getopt_free(&g);
			return EXIT_USAGE;
		}
	}
	opt_getopt_free(&g);
	if (opts.seeded && !opts.mystery) {
		fprintf(stderr, "mailscope lab: --seed goes with --mystery\n");
		return EXIT_USAGE;
	}
	if (optind < argc) {
		/* A bare scenario name is accepted too. */
		if (opts.scenario == NULL && optind + 1 == argc)
			opts.scenario = argv[optind];
		else {
			fprintf(stderr, "mailscope lab: one scenario only (see "
			    "mailscope lab --help)\n");
			return EXIT_USAGE;
		}
	}
	if (opts.mystery && opts.scenario != NULL) {
		fprintf(stderr, "mailscope lab: --mystery picks the scenario: "
		    "give no other\n");
		return EXIT_USAGE;
	}
	if (opts.json && !opts.judge) {
		fprintf(stderr, "mailscope lab: --json goes with --judge\n");
		return EXIT_USAGE;
	}
	if ((lab = lab_new(&opts, err, sizeof err)) == NULL) {
		fprintf(stderr, "mailscope lab: %s\n", err);
		return EXIT_USAGE;
	}
	if (lab_listen(lab, opts.port_base, err, sizeof err) == -1) {
		fprintf(stderr, "mailscope lab: %s\n", err);
		lab_free(lab);
		return EXIT_PROTO;
	}
	/* --json: standard output holds the verdicts alone. */
	lab->log = opts.json ? stderr : stdout;
	lab_banner(lab, lab->log);
	if (opts.json)
		lab->vout = stdout;
	lab_run(lab);
	lab_free(lab);
	return EXIT_OK;
}

static void
lab_child(const struct lab_opts *opts, int ready, int life,
    const sigset_t *oldmask)
{
	struct lab	*lab;
	char		 err[512], *logpath;
	FILE		*f;
	int		 fd, i;

	/* Away from the terminal: its signals and its screen. */
	fatal_set_hook(NULL);
	(void)setsid();
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	f = fdopen(ready, "w");
	if (f == NULL)
		_exit(EXIT_PROTO);
	lab = lab_new(opts, err, sizeof err);
	/* Signals held since the fork now reach the lab's handlers. */
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	if (lab != NULL && lab_listen(lab, opts->port_base, err,
	    sizeof err) == -1) {
		lab_free(lab);
		lab = NULL;
	}
	if (lab == NULL) {
		fprintf(f, "error %s\n", err);
		fclose(f);
		_exit(EXIT_PROTO);
	}
	xasprintf(&logpath, "%s/lab.log", lab->dir);
	if ((fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) != -1) {
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		close(fd);
	}
	free(logpath);
	lab_banner(lab, stdout);
	lab->log = stdout;
	if (opts->verdicts != NULL && (lab->vout = fopen(opts->verdicts,
	    "ae")) == NULL) {
		fprintf(f, "error %s: %s\n", opts->verdicts, strerror(errno));
		fclose(f);
		lab_free(lab);
		_exit(EXIT_PROTO);
	}
	for (i = 0; i < LAB_NPORTS; i++)
		fprintf(f, "port %d %d\n", i, lab->port[i]);
	fprintf(f, "ca %s\ndir %s\nkeep %d\nscenario %s\n", lab->ca_path,
	    lab->dir, lab->keep ? 1 : 0, scenarios[lab->scn].name);
	if (lab->mystery)
		fprintf(f, "mystery %llu\n", (unsigned long long)lab->seed);
	fprintf(f, "ok\n");
	fclose(f);
	lab->lifeline = life;
	loop_add_fd(lab->loop, life, POLLIN, lab_lifeline, lab);
	lab_run(lab);
	lab_free(lab);
	fflush(stdout);
	_exit(EXIT_OK);
}

/* Read the child's report: "port I N", "ca PATH", "dir PATH", "ok". */
static int
lab_read_ready(int fd, struct lab_info *info, char *err, size_t errlen)
{
	struct buf	 b = { NULL, 0, 0 };
	struct pollfd	 pfd;
	char		 tmp[1024], *line, *save = NULL;
	int64_t		 deadline;
	ssize_t		 r;
	int		 ports[LAB_NPORTS] = { 0 }, i, n, rc, ret = -1;
	bool		 ok = false;

	deadline = mono_ns() + (int64_t)LAB_READY_MS * 1000000;
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, (int)((deadline - mono_ns()) / 1000000));
		if (rc == 0) {
			snprintf(err, errlen, "lab did not start in time");
			goto out;
		}
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "poll: %s", strerror(errno));
			goto out;
		}
		r = read(fd, tmp, sizeof tmp);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (b.len + (size_t)r > 65536) {
			snprintf(err, errlen, "lab report too long");
			goto out;
		}
		buf_add(&b, tmp, (size_t)r);
	}
	snprintf(err, errlen, "lab exited before it was ready");
	for (line = b.len > 0 ? strtok_r(b.p, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "error ", 6) == 0) {
			snprintf(err, errlen, "%s", line + 6);
			goto out;
		} else if (sscanf(line, "port %d %d", &i, &n) == 2 &&
		    i >= 0 && i < LAB_NPORTS)
			ports[i] = n;
		else if (strncmp(line, "ca ", 3) == 0) {
			free(info->ca_path);
			info->ca_path = xstrdup(line + 3);
		} else if (strncmp(line, "dir ", 4) == 0) {
			free(info->dir);
			info->dir = xstrdup(line + 4);
		} else if (strncmp(line, "scenario ", 9) == 0) {
			free(info->scenario);
			info->scenario = xstrdup(line + 9);
		} else if (strncmp(line, "mystery ", 8) == 0) {
			info->mystery = true;
			info->seed = strtoull(line + 8, NULL, 10);
		} else if (strcmp(line, "keep 1") == 0)
			info->keep = true;
		else if (strcmp(line, "ok") == 0)
			ok = true;
	}
	if (!ok || info->ca_path == NULL || info->dir == NULL)
		goto out;
	memcpy(info->port, ports, sizeof info->port);
	ret = 0;
out:
	buf_free(&b);
	return ret;
}

int
lab_spawn(const struct lab_opts *opts, struct lab_info *info, char *err,
    size_t errlen)
{
	sigset_t	block, oldmask;
	int		ready[2], life[2];
	pid_t		pid, parent = getpid();

	memset(info, 0, sizeof *info);
	info->pid = -1;
	info->lifeline = -1;
	if (!opts->mystery && opts->scenario != NULL &&
	    lab_scn_find(opts->scenario) == -1) {
		snprintf(err, errlen, "unknown scenario: %s", opts->scenario);
		return -1;
	}
	if (pipe2(ready, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(life, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	fflush(NULL);
	/* The child holds stop signals until it can clean up after them. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	if ((pid = fork()) == -1) {
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(ready[0]);
		close(ready[1]);
		close(life[0]);
		close(life[1]);
		return -1;
	}
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(EXIT_PROTO);
		/*
		 * Keep only the two pipes: another lab's lifeline or the
		 * parent's connections held here would outlive their owner.
		 */
		if ((ready[1] = fcntl(ready[1], F_DUPFD, 10)) == -1 ||
		    (life[0] = fcntl(life[0], F_DUPFD, 10)) == -1 ||
		    dup2(ready[1], LAB_FD_READY) == -1 ||
		    dup2(life[0], LAB_FD_LIFE) == -1)
			_exit(EXIT_PROTO);
		(void)close_range(LAB_FD_LIFE + 1, ~0U, 0);
		lab_child(opts, LAB_FD_READY, LAB_FD_LIFE, &oldmask);
	}
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	close(ready[1]);
	close(life[0]);
	info->pid = pid;
	info->lifeline = life[1];
	if (lab_read_ready(ready[0], info, err, errlen) == -1) {
		close(ready[0]);
		lab_stop(info);
		return -1;
	}
	close(ready[0]);
	return 0;
}

void
lab_stop(struct lab_info *info)
{
	int	i, status;

	/* A zeroed lab_info (no lab started) holds nothing to close. */
	if (info->pid > 0 && info->lifeline != -1)
		close(info->lifeline);
	info->lifeline = -1;
	if (info->pid > 0) {
		(void)kill(info->pid, SIGTERM);
		/* It stops at once; a stuck child gets SIGKILL after 3 s. */
		for (i = 0; i < 300; i++) {
			if (waitpid(info->pid, &status, WNOHANG) != 0)
				break;
			usleep(10000);
		}
		if (i == 300) {
			(void)kill(info->pid, SIGKILL);
			(void)waitpid(info->pid, &status, 0);
		}
	}
	info->pid = -1;
	if (info->dir != NULL && !info->keep)
		lab_rmdir(info->dir);
	free(info->dir);
	free(info->ca_path);
	free(info->scenario);
	info->dir = NULL;
	info->ca_path = NULL;
	info->scenario = NULL;
}
