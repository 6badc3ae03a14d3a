/* SPDX-License-Identifier: ISC */
/*
 * The lab's SMTP server: one state machine, one switch on the command.
 * Replies carry enhanced status codes (RFC 3463); AUTH is offered only
 * inside TLS, as a careful server does (RFC 4954 section 4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab/lab_int.h"

#define SMTP_RCPT_MAX	100

enum smtp_state {
	STATE_SMTP_INIT,	/* greeted, no EHLO yet */
	STATE_SMTP_HELO,	/* EHLO done, no transaction */
	STATE_SMTP_MAIL,	/* MAIL accepted */
	STATE_SMTP_RCPT,	/* at least one RCPT accepted */
	STATE_SMTP_DATA,	/* reading the message */
	STATE_SMTP_AUTH_PLAIN,	/* waiting for the PLAIN response */
	STATE_SMTP_AUTH_USER,	/* AUTH LOGIN: user name */
	STATE_SMTP_AUTH_PASS,	/* AUTH LOGIN: password */
	STATE_SMTP_QUIT,
	STATE_SMTP_MAX
};

static const char *const smtp_state_names[STATE_SMTP_MAX] = {
	"INIT", "HELO", "MAIL", "RCPT", "DATA", "AUTH_PLAIN", "AUTH_USER",
	"AUTH_PASS", "QUIT"
};

enum smtp_cmd {
	CMD_HELO,
	CMD_EHLO,
	CMD_STARTTLS,
	CMD_AUTH,
	CMD_MAIL,
	CMD_RCPT,
	CMD_DATA,
	CMD_RSET,
	CMD_NOOP,
	CMD_QUIT,
	CMD_VRFY,
	CMD_HELP,
	CMD_UNKNOWN
};

static const char *const smtp_verbs[CMD_UNKNOWN] = {
	"HELO", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "RSET",
	"NOOP", "QUIT", "VRFY", "HELP"
};

/* A message's lines or a SASL answer come next, not a command. */
bool
lab_smtp_data(const struct lab_conn *c)
{
	return c->state == STATE_SMTP_DATA ||
	    c->state == STATE_SMTP_AUTH_PLAIN ||
	    c->state == STATE_SMTP_AUTH_USER ||
	    c->state == STATE_SMTP_AUTH_PASS;
}

const char *
lab_smtp_state_name(int state)
{
	if (state < 0 || state >= STATE_SMTP_MAX)
		return "?";
	return smtp_state_names[state];
}

static void
smtp_reset(struct lab_conn *c)
{
	free(c->mail_from);
	c->mail_from = NULL;
	strv_clear(&c->rcpt);
	buf_free(&c->msg);
	c->msg_toolong = false;
	c->msg_big = false;
}

void
lab_smtp_start(struct lab_conn *c)
{
	c->state = STATE_SMTP_INIT;
	lab_reply(c, "220 %s ESMTP mailscope-lab (scenario %s)", LAB_HOST,
	    lab_conn_scn(c));
}

/* After the handshake the client starts again: RFC 3207 section 4.2. */
void
lab_smtp_tls(struct lab_conn *c)
{
	smtp_reset(c);
	free(c->helo);
	c->helo = NULL;
	free(c->sasl_user);
	c->sasl_user = NULL;
	c->authed = false;
	c->state = STATE_SMTP_INIT;
}

static bool
smtp_auth_allowed(const struct lab_conn *c)
{
	return c->tls || c->scn == SCN_NO_STARTTLS;
}

static void
smtp_ehlo(struct lab_conn *c, const char *arg, bool ehlo)
{
	struct strv	ext = { NULL, 0 };
	char		size[32];
	size_t		i;

	if (*arg == '\0' || strchr(arg, ' ') != NULL) {
		lab_reply(c, "501 5.5.4 Syntax: %s hostname",
		    ehlo ? "EHLO" : "HELO");
		c->errors++;
		return;
	}
	smtp_reset(c);
	free(c->helo);
	c->helo = xstrdup(arg);
	c->state = STATE_SMTP_HELO;
	if (!ehlo) {
		lab_reply(c, "250 %s", LAB_HOST);
		return;
	}
	strv_add(&ext, "PIPELINING");
	snprintf(size, sizeof size, "SIZE %d", LAB_MSG_MAX);
	strv_add(&ext, size);
	if (lab_tls_offered(c))
		strv_add(&ext, "STARTTLS");
	else if (c->scn == SCN_STRIP && !c->tls)
		strv_add(&ext, "XXXXXXXA");	/* a middlebox's footprint */
	if (smtp_auth_allowed(c))
		strv_add(&ext, "AUTH PLAIN LOGIN");
	else if (c->scn == SCN_TAMPER)
		strv_add(&ext, "AUTH " JUDGE_CANARY);	/* added on the way */
	strv_add(&ext, "ENHANCEDSTATUSCODES");
	strv_add(&ext, "8BITMIME");
	lab_reply(c, "250-%s Hello %s", LAB_HOST, arg);
	for (i = 0; i < ext.n; i++)
		lab_reply(c, "250%c%s", i + 1 == ext.n ? ' ' : '-', ext.v[i]);
	strv_clear(&ext);
}

static void
smtp_starttls(struct lab_conn *c, const char *arg)
{
	if (*arg != '\0') {
		lab_reply(c, "501 5.5.4 Syntax: STARTTLS");
		c->errors++;
		return;
	}
	if (c->tls) {
		lab_reply(c, "554 5.5.1 Error: TLS already active");
		c->errors++;
		return;
	}
	switch (c->scn) {
	case SCN_NO_STARTTLS:
		lab_reply(c, "502 5.5.1 Error: command not recognized");
		c->errors++;
		return;
	case SCN_STRIP:
		/* The middlebox mangled the command on its way. */
		lab_reply(c, "500 5.5.2 Error: command not recognized");
		c->errors++;
		return;
	case SCN_STARTTLS_REFUSED:
		lab_reply(c, "454 4.7.0 TLS not available due to temporary "
		    "reason");
		return;
	default:
		break;
	}
	smtp_reset(c);
	lab_reply(c, "220 2.0.0 Ready to start TLS");
	if (lab_inject(c)) {
		/*
		 * An EHLO answer with a mechanism the server never offers;
		 * a mystery's does not say what it is.
		 */
		lab_reply(c, c->mystery ? "250-lab.mailscope.test at your "
		    "service" : "250-evil.example injected before TLS");
		lab_reply(c, "250 AUTH " JUDGE_CANARY);
	}
	c->want_tls = true;
}

static void
smtp_auth_result(struct lab_conn *c, int ok)
{
	if (ok == 1) {
		c->authed = true;
		lab_reply(c, "235 2.7.0 Authentication successful");
	} else if (ok == 0) {
		lab_reply(c, "535 5.7.8 Authentication credentials invalid");
		c->errors++;
	} else {
		lab_reply(c, "501 5.5.2 Cannot decode response");
		c->errors++;
	}
	c->state = STATE_SMTP_HELO;
}

static void
smtp_auth(struct lab_conn *c, char *arg)
{
	struct buf	 d = { NULL, 0, 0 };
	char		*ir;

	if (c->state == STATE_SMTP_INIT) {
		lab_reply(c, "503 5.5.1 Error: send EHLO first");
		c->errors++;
		return;
	}
	if (!smtp_auth_allowed(c)) {
		lab_reply(c, "538 5.7.11 Encryption required for requested "
		    "authentication mechanism");
		c->errors++;
		return;
	}
	if (c->authed) {
		lab_reply(c, "503 5.5.1 Error: already authenticated");
		c->errors++;
		return;
	}
	if (c->state != STATE_SMTP_HELO) {
		lab_reply(c, "503 5.5.1 Error: MAIL transaction in progress");
		c->errors++;
		return;
	}
	if ((ir = strchr(arg, ' ')) != NULL)
		*ir++ = '\0';
	if (strcasecmp(arg, "PLAIN") == 0) {
		if (ir == NULL) {
			lab_reply(c, "334 ");
			c->state = STATE_SMTP_AUTH_PLAIN;
		} else
			smtp_auth_result(c, lab_sasl_plain(ir, strlen(ir)));
	} else if (strcasecmp(arg, "LOGIN") == 0) {
		if (ir == NULL) {
			lab_reply(c, "334 VXNlcm5hbWU6");	/* Username: */
			c->state = STATE_SMTP_AUTH_USER;
		} else if (b64_decode(ir, strlen(ir), &d) == -1 ||
		    d.len == 0) {
			smtp_auth_result(c, -1);
		} else {
			free(c->sasl_user);
			c->sasl_user = xstrndup(d.p, d.len);
			lab_reply(c, "334 UGFzc3dvcmQ6");	/* Password: */
			c->state = STATE_SMTP_AUTH_PASS;
		}
		buf_free(&d);
	} else {
		lab_reply(c, "504 5.5.4 Unrecognized authentication type");
		c->errors++;
	}
}

/* One SASL response line while AUTH is under way. */
static void
smtp_auth_step(struct lab_conn *c, const char *line, size_t len)
{
	struct buf	d = { NULL, 0, 0 };
	int		ok;

	if (len == 1 && line[0] == '*') {
		lab_reply(c, "501 5.7.0 Authentication aborted");
		c->state = STATE_SMTP_HELO;
		return;
	}
	switch (c->state) {
	case STATE_SMTP_AUTH_PLAIN:
		smtp_auth_result(c, lab_sasl_plain(line, len));
		break;
	case STATE_SMTP_AUTH_USER:
		if (b64_decode(line, len, &d) == -1 || d.len == 0) {
			smtp_auth_result(c, -1);
			break;
		}
		free(c->sasl_user);
		c->sasl_user = xstrndup(d.p, d.len);
		lab_reply(c, "334 UGFzc3dvcmQ6");
		c->state = STATE_SMTP_AUTH_PASS;
		break;
	case STATE_SMTP_AUTH_PASS:
		if (b64_decode(line, len, &d) == -1) {
			smtp_auth_result(c, -1);
			break;
		}
		buf_addc(&d, '\0');
		ok = strlen(d.p) == d.len - 1 &&
		    lab_login_ok(c->sasl_user, d.p);
		smtp_auth_result(c, ok ? 1 : 0);
		break;
	default:
		break;
	}
	buf_free(&d);
	if (c->state != STATE_SMTP_AUTH_PASS) {
		free(c->sasl_user);
		c->sasl_user = NULL;
	}
}

/*
 * "FROM:<addr> params" or "TO:<addr> params": the address without its
 * brackets, params left in *rest.  NULL on a syntax error.
 */
static char *
smtp_path(char *arg, const char *kw, char **rest)
{
	size_t	 n = strlen(kw);
	char	*p, *end;

	if (strncasecmp(arg, kw, n) != 0)
		return NULL;
	p = arg + n;
	while (*p == ' ')
		p++;
	if (*p != '<' || (end = strchr(p, '>')) == NULL)
		return NULL;
	*end++ = '\0';
	if (*end != '\0' && *end != ' ')
		return NULL;
	while (*end == ' ')
		end++;
	*rest = end;
	return p + 1;
}

static void
smtp_mail(struct lab_conn *c, char *arg)
{
	char	*addr, *rest, *param, *save = NULL, *end;
	long long size;

	if (c->state == STATE_SMTP_INIT) {
		lab_reply(c, "503 5.5.1 Error: send HELO/EHLO first");
		c->errors++;
		return;
	}
	if (c->state != STATE_SMTP_HELO) {
		lab_reply(c, "503 5.5.1 Error: nested MAIL command");
		c->errors++;
		return;
	}
	if (c->scn == SCN_ENFORCED && !c->tls) {
		lab_reply(c, "530 5.7.0 Must issue a STARTTLS command first");
		c->errors++;
		return;
	}
	if (c->submission && !c->authed && lab_submission_auth(c->scn)) {
		lab_reply(c, "530 5.7.0 %s", smtp_auth_allowed(c) ?
		    "Authentication required" :
		    "Must issue a STARTTLS command first, then AUTH");
		c->errors++;
		return;
	}
	if ((addr = smtp_path(arg, "FROM:", &rest)) == NULL) {
		lab_reply(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
		c->errors++;
		return;
	}
	for (param = strtok_r(rest, " ", &save); param != NULL;
	    param = strtok_r(NULL, " ", &save)) {
		if (strncasecmp(param, "SIZE=", 5) == 0) {
			size = strtoll(param + 5, &end, 10);
			if (*end != '\0' || size < 0) {
				lab_reply(c, "501 5.5.4 Bad SIZE parameter");
				c->errors++;
				return;
			}
			if (size > LAB_MSG_MAX) {
				lab_reply(c, "552 5.3.4 Message size exceeds "
				    "fixed limit");
				return;
			}
		} else if (strcasecmp(param, "BODY=8BITMIME") != 0 &&
		    strcasecmp(param, "BODY=7BIT") != 0) {
			lab_reply(c, "555 5.5.4 Unsupported option: %s",
			    param);
			c->errors++;
			return;
		}
	}
	c->mail_from = xstrdup(addr);
	c->state = STATE_SMTP_MAIL;
	lab_reply(c, "250 2.1.0 Ok");
}

/* Mail for the lab's domain, or for "demo", lands in demo's mailbox. */
static bool
smtp_local(const char *addr)
{
	const char	*at = strrchr(addr, '@');

	if (at == NULL)
		return strcasecmp(addr, LAB_USER) == 0 ||
		    strcasecmp(addr, "postmaster") == 0;
	return strcasecmp(at + 1, LAB_HOST) == 0 ||
	    strcasecmp(at + 1, "mailscope.test") == 0 ||
	    strcasecmp(at + 1, "localhost") == 0;
}

static void
smtp_rcpt(struct lab_conn *c, char *arg)
{
	char	*addr, *rest;

	if (c->state != STATE_SMTP_MAIL && c->state != STATE_SMTP_RCPT) {
		lab_reply(c, "503 5.5.1 Error: need MAIL command");
		c->errors++;
		return;
	}
	if ((addr = smtp_path(arg, "TO:", &rest)) == NULL || *addr == '\0') {
		lab_reply(c, "501 5.5.4 Syntax: RCPT TO:<address>");
		c->errors++;
		return;
	}
	if (*rest != '\0') {
		lab_reply(c, "555 5.5.4 Unsupported option: %s", rest);
		c->errors++;
		return;
	}
	if (c->rcpt.n >= SMTP_RCPT_MAX) {
		lab_reply(c, "452 4.5.3 Error: too many recipients");
		return;
	}
	if (!smtp_local(addr) && !c->authed) {
		lab_reply(c, "554 5.7.1 <%s>: Relay access denied", addr);
		c->errors++;
		return;
	}
	strv_add(&c->rcpt, addr);
	c->state = STATE_SMTP_RCPT;
	lab_reply(c, "250 2.1.5 Ok");
}

static void
smtp_data(struct lab_conn *c, const char *arg)
{
	char		ts[64];
	time_t		now = time(NULL);
	struct tm	tm;

	if (*arg != '\0') {
		lab_reply(c, "501 5.5.4 Syntax: DATA");
		c->errors++;
		return;
	}
	if (c->state == STATE_SMTP_MAIL) {
		lab_reply(c, "554 5.5.1 Error: no valid recipients");
		c->errors++;
		return;
	}
	if (c->state != STATE_SMTP_RCPT) {
		lab_reply(c, "503 5.5.1 Error: need RCPT command");
		c->errors++;
		return;
	}
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_reset(&c->msg);
	/* "with ESMTPSA": the lesson can see TLS and AUTH were used. */
	buf_printf(&c->msg, "Return-Path: <%s>\r\n", c->mail_from);
	buf_printf(&c->msg, "Received: from %s (localhost [127.0.0.1])\r\n"
	    "\tby %s (mailscope-lab) with ESMTP%s%s\r\n\tfor <%s>; %s\r\n",
	    c->helo != NULL ? c->helo : "unknown", LAB_HOST,
	    c->tls ? "S" : "", c->authed ? "A" : "", c->rcpt.v[0], ts);
	c->state = STATE_SMTP_DATA;
	lab_reply(c, "354 End data with <CR><LF>.<CR><LF>");
}

static void
smtp_data_line(struct lab_conn *c, const char *line, size_t len,
    bool toolong)
{
	uint32_t	uid;

	if (toolong) {
		c->msg_toolong = true;
		return;
	}
	if (len == 1 && line[0] == '.') {
		if (c->msg_toolong)
			lab_reply(c, "500 5.5.2 Error: message has a line "
			    "longer than %d bytes", LAB_LINE_MAX);
		else if (c->msg_big)
			lab_reply(c, "552 5.3.4 Error: message file too big");
		else {
			uid = lab_store_add(c->store, lab_store_inbox(c->store),
			    c->msg.p, c->msg.len, false);
			lab_reply(c, "250 2.0.0 Ok: queued as %u", uid);
		}
		smtp_reset(c);
		c->state = STATE_SMTP_HELO;
		return;
	}
	if (len > 0 && line[0] == '.') {
		line++;
		len--;
	}
	if (c->msg_big || c->msg.len + len + 2 > LAB_MSG_MAX) {
		c->msg_big = true;
		return;
	}
	buf_add(&c->msg, line, len);
	buf_add(&c->msg, "\r\n", 2);
}

static enum smtp_cmd
smtp_verb(const char *line, size_t *vlen)
{
	size_t	n, i;

	n = strcspn(line, " ");
	*vlen = n;
	for (i = 0; i < CMD_UNKNOWN; i++)
		if (strlen(smtp_verbs[i]) == n &&
		    strncasecmp(line, smtp_verbs[i], n) == 0)
			return (enum smtp_cmd)i;
	return CMD_UNKNOWN;
}

void
lab_smtp_line(struct lab_conn *c, char *line, size_t len, bool toolong)
{
	enum smtp_cmd	 cmd;
	size_t		 vlen;
	char		*arg;

	if (c->state == STATE_SMTP_DATA) {
		smtp_data_line(c, line, len, toolong);
		return;
	}
	if (toolong) {
		lab_reply(c, "500 5.5.2 Error: line too long");
		c->errors++;
		if (c->state >= STATE_SMTP_AUTH_PLAIN)
			c->state = STATE_SMTP_HELO;
		return;
	}
	if (strlen(line) != len) {
		lab_reply(c, "500 5.5.2 Error: NUL byte in command");
		c->errors++;
		return;
	}
	lab_clean(line, len);
	if (c->state == STATE_SMTP_AUTH_PLAIN ||
	    c->state == STATE_SMTP_AUTH_USER ||
	    c->state == STATE_SMTP_AUTH_PASS) {
		smtp_auth_step(c, line, len);
		return;
	}
	cmd = smtp_verb(line, &vlen);
	arg = line + vlen;
	while (*arg == ' ')
		arg++;
	switch (cmd) {
	case CMD_HELO:
	case CMD_EHLO:
		smtp_ehlo(c, arg, cmd == CMD_EHLO);
		break;
	case CMD_STARTTLS:
		smtp_starttls(c, arg);
		break;
	case CMD_AUTH:
		smtp_auth(c, arg);
		break;
	case CMD_MAIL:
		smtp_mail(c, arg);
		break;
	case CMD_RCPT:
		smtp_rcpt(c, arg);
		break;
	case CMD_DATA:
		smtp_data(c, arg);
		break;
	case CMD_RSET:
		smtp_reset(c);
		if (c->state != STATE_SMTP_INIT)
			c->state = STATE_SMTP_HELO;
		lab_reply(c, "250 2.0.0 Ok");
		break;
	case CMD_NOOP:
		lab_reply(c, "250 2.0.0 Ok");
		break;
	case CMD_QUIT:
		lab_reply(c, "221 2.0.0 Bye");
		c->state = STATE_SMTP_QUIT;
		c->want_close = true;
		break;
	case CMD_VRFY:
		lab_reply(c, "252 2.0.0 Cannot VRFY user, but will accept "
		    "message");
		break;
	case CMD_HELP:
		lab_reply(c, "214 2.0.0 Commands: HELO EHLO STARTTLS AUTH "
		    "MAIL RCPT DATA RSET NOOP QUIT VRFY HELP");
		break;
	case CMD_UNKNOWN:
		lab_reply(c, "500 5.5.2 Error: command not recognized");
		c->errors++;
		break;
	}
}
