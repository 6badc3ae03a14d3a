/* SPDX-License-Identifier: ISC */
/*
 * The lab's POP3 server (RFC 1939, CAPA from RFC 2449, STLS from RFC
 * 2595, SASL from RFC 5034).  The maildrop is fixed at login: message
 * numbers stay put for the session, deletions happen at QUIT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab/lab_int.h"

enum pop3_state {
	STATE_POP3_AUTH,	/* AUTHORIZATION, no user yet */
	STATE_POP3_USER,	/* USER given, PASS expected */
	STATE_POP3_SASL,	/* AUTH PLAIN, response expected */
	STATE_POP3_TRANS,	/* TRANSACTION */
	STATE_POP3_UPDATE,	/* QUIT: deletions done */
	STATE_POP3_MAX
};

static const char *const pop3_state_names[STATE_POP3_MAX] = {
	"AUTHORIZATION", "USER", "SASL", "TRANSACTION", "UPDATE"
};

enum pop3_cmd {
	PC_CAPA,
	PC_STLS,
	PC_USER,
	PC_PASS,
	PC_AUTH,
	PC_STAT,
	PC_LIST,
	PC_UIDL,
	PC_RETR,
	PC_TOP,
	PC_DELE,
	PC_RSET,
	PC_NOOP,
	PC_QUIT,
	PC_UNKNOWN
};

static const char *const pop3_verbs[PC_UNKNOWN] = {
	"CAPA", "STLS", "USER", "PASS", "AUTH", "STAT", "LIST", "UIDL",
	"RETR", "TOP", "DELE", "RSET", "NOOP", "QUIT"
};

/* POP3 sees INBOX only (RFC 1939 has one maildrop). */
static struct lab_mbox *
pop3_box(const struct lab_conn *c)
{
	return lab_store_inbox(c->store);
}

/* A SASL answer comes next, not a command. */
bool
lab_pop3_data(const struct lab_conn *c)
{
	return c->state == STATE_POP3_SASL;
}

const char *
lab_pop3_state_name(int state)
{
	if (state < 0 || state >= STATE_POP3_MAX)
		return "?";
	return pop3_state_names[state];
}

void
lab_pop3_start(struct lab_conn *c)
{
	c->state = STATE_POP3_AUTH;
	lab_reply(c, "+OK mailscope lab POP3 ready (scenario %s)",
	    lab_conn_scn(c));
}

void
lab_pop3_tls(struct lab_conn *c)
{
	free(c->user);
	c->user = NULL;
	c->state = STATE_POP3_AUTH;
}

static bool
pop3_auth_allowed(const struct lab_conn *c)
{
	return c->tls || c->scn == SCN_NO_STARTTLS;
}

static void
pop3_capa(struct lab_conn *c)
{
	lab_reply(c, "+OK Capability list follows");
	lab_reply(c, "TOP");
	lab_reply(c, "UIDL");
	lab_reply(c, "RESP-CODES");
	lab_reply(c, "PIPELINING");
	if (lab_tls_offered(c) && c->state == STATE_POP3_AUTH)
		lab_reply(c, "STLS");
	if (pop3_auth_allowed(c) && c->state != STATE_POP3_TRANS) {
		lab_reply(c, "USER");
		lab_reply(c, "SASL PLAIN");
	} else if (c->scn == SCN_TAMPER && !c->tls)
		lab_reply(c, "SASL " JUDGE_CANARY);	/* added on the way */
	lab_reply(c, "IMPLEMENTATION mailscope-lab");
	lab_reply(c, ".");
}

/* Fix the maildrop: the messages present now, none marked. */
static void
pop3_login(struct lab_conn *c, bool ok)
{
	size_t	i;

	if (!ok) {
		lab_reply(c, "-ERR [AUTH] Authentication failed");
		c->errors++;
		c->state = STATE_POP3_AUTH;
		return;
	}
	c->authed = true;
	free(c->uids);
	free(c->dele);
	c->nuids = pop3_box(c)->n;
	c->uids = xcalloc(c->nuids + 1, sizeof *c->uids);
	c->dele = xcalloc(c->nuids + 1, sizeof *c->dele);
	for (i = 0; i < c->nuids; i++)
		c->uids[i] = pop3_box(c)->msgs[i]->uid;
	c->state = STATE_POP3_TRANS;
	lab_reply(c, "+OK Logged in, %zu messages", c->nuids);
}

/* Message number argument to a live, undeleted message. */
static struct lab_msg *
pop3_msg(struct lab_conn *c, const char *arg, size_t *nump)
{
	struct lab_msg	*m;
	unsigned long	 n;
	char		*end;

	if (*arg < '0' || *arg > '9') {
		lab_reply(c, "-ERR Syntax: message number expected");
		c->errors++;
		return NULL;
	}
	n = strtoul(arg, &end, 10);
	if ((*end != '\0' && *end != ' ') || n == 0 || n > c->nuids) {
		lab_reply(c, "-ERR No such message");
		return NULL;
	}
	if (c->dele[n - 1]) {
		lab_reply(c, "-ERR Message is deleted");
		return NULL;
	}
	if ((m = lab_store_find(pop3_box(c), c->uids[n - 1])) == NULL) {
		lab_reply(c, "-ERR Message vanished from the store");
		return NULL;
	}
	*nump = n;
	return m;
}

/* Send data dot-stuffed, at most maxbody body lines (-1: all). */
static void
pop3_send(struct lab_conn *c, const struct lab_msg *m, long maxbody)
{
	const char	*p = m->data.p, *end = p + m->data.len, *nl;
	bool		 body = false;
	long		 lines = 0;
	size_t		 n;

	while (p != NULL && p < end) {
		if (body && maxbody >= 0 && lines >= maxbody)
			break;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl == NULL ? (size_t)(end - p) : (size_t)(nl - p) + 1;
		if (*p == '.')
			buf_addc(&c->out, '.');
		buf_add(&c->out, p, n);
		if (nl == NULL)
			buf_add(&c->out, "\r\n", 2);
		if (body)
			lines++;
		else if (n == 2 && p[0] == '\r')
			body = true;
		p += n;
	}
	lab_reply(c, ".");
}

static void
pop3_list(struct lab_conn *c, const char *arg, bool uidl)
{
	struct lab_msg	*m;
	size_t		 i, n;

	if (*arg != '\0') {
		if ((m = pop3_msg(c, arg, &n)) == NULL)
			return;
		if (uidl)
			lab_reply(c, "+OK %zu %u.%u", n,
			    pop3_box(c)->uidvalidity, m->uid);
		else
			lab_reply(c, "+OK %zu %zu", n, m->data.len);
		return;
	}
	lab_reply(c, "+OK %s", uidl ? "Unique-ID listing follows" :
	    "Scan listing follows");
	for (i = 0; i < c->nuids; i++) {
		if (c->dele[i] ||
		    (m = lab_store_find(pop3_box(c), c->uids[i])) == NULL)
			continue;
		if (uidl)
			lab_reply(c, "%zu %u.%u", i + 1,
			    pop3_box(c)->uidvalidity, m->uid);
		else
			lab_reply(c, "%zu %zu", i + 1, m->data.len);
	}
	lab_reply(c, ".");
}

static void
pop3_stls(struct lab_conn *c)
{
	if (c->tls) {
		lab_reply(c, "-ERR Command not permitted when TLS active");
		c->errors++;
		return;
	}
	switch (c->scn) {
	case SCN_NO_STARTTLS:
	case SCN_STRIP:
		lab_reply(c, "-ERR Unknown command");
		c->errors++;
		return;
	case SCN_STARTTLS_REFUSED:
		lab_reply(c, "-ERR [SYS/TEMP] TLS not available right now");
		return;
	default:
		break;
	}
	lab_reply(c, "+OK Begin TLS negotiation");
	if (lab_inject(c)) {
		/* A CAPA answer with a mechanism the server never offers. */
		lab_reply(c, c->mystery ? "+OK capabilities follow" :
		    "+OK injected before TLS");
		lab_reply(c, "SASL " JUDGE_CANARY);
		lab_reply(c, ".");
	}
	c->want_tls = true;
}

static void
pop3_sasl(struct lab_conn *c, const char *line, size_t len)
{
	int	ok;

	if (len == 1 && line[0] == '*') {
		lab_reply(c, "-ERR Authentication aborted");
		c->state = STATE_POP3_AUTH;
		return;
	}
	if ((ok = lab_sasl_plain(line, len)) == -1) {
		lab_reply(c, "-ERR Invalid base64 response");
		c->errors++;
		c->state = STATE_POP3_AUTH;
		return;
	}
	pop3_login(c, ok == 1);
}

static void
pop3_auth(struct lab_conn *c, char *arg)
{
	char	*ir;
	int	 ok;

	if (*arg == '\0') {
		lab_reply(c, "+OK SASL mechanisms follow");
		if (pop3_auth_allowed(c))
			lab_reply(c, "PLAIN");
		lab_reply(c, ".");
		return;
	}
	if ((ir = strchr(arg, ' ')) != NULL)
		*ir++ = '\0';
	if (strcasecmp(arg, "PLAIN") != 0) {
		lab_reply(c, "-ERR Unsupported authentication mechanism");
		return;
	}
	if (!pop3_auth_allowed(c)) {
		lab_reply(c, "-ERR [AUTH] Plaintext authentication disallowed "
		    "before STLS");
		c->errors++;
		return;
	}
	if (ir == NULL) {
		c->state = STATE_POP3_SASL;
		lab_reply(c, "+ ");
		return;
	}
	if ((ok = lab_sasl_plain(ir, strlen(ir))) == -1) {
		lab_reply(c, "-ERR Invalid base64 response");
		c->errors++;
		return;
	}
	pop3_login(c, ok == 1);
}

static void
pop3_quit(struct lab_conn *c)
{
	size_t		 i, n = 0;

	if (c->state == STATE_POP3_TRANS) {
		for (i = 0; i < c->nuids; i++) {
			if (!c->dele[i] ||
			    lab_store_find(pop3_box(c), c->uids[i]) == NULL)
				continue;
			lab_store_remove(c->store, pop3_box(c), c->uids[i]);
			n++;
		}
		lab_reply(c, "+OK Logging out, %zu messages deleted", n);
	} else
		lab_reply(c, "+OK Logging out");
	c->state = STATE_POP3_UPDATE;
	c->want_close = true;
}

static enum pop3_cmd
pop3_verb(const char *line, size_t *vlen)
{
	size_t	n, i;

	n = strcspn(line, " ");
	*vlen = n;
	for (i = 0; i < PC_UNKNOWN; i++)
		if (strlen(pop3_verbs[i]) == n &&
		    strncasecmp(line, pop3_verbs[i], n) == 0)
			return (enum pop3_cmd)i;
	return PC_UNKNOWN;
}

static bool
pop3_allowed(const struct lab_conn *c, enum pop3_cmd cmd)
{
	switch (cmd) {
	case PC_CAPA:
	case PC_QUIT:
	case PC_NOOP:
		return true;
	case PC_STLS:
	case PC_USER:
	case PC_AUTH:
		return c->state == STATE_POP3_AUTH ||
		    c->state == STATE_POP3_USER;
	case PC_PASS:
		return c->state == STATE_POP3_USER;
	default:
		return c->state == STATE_POP3_TRANS;
	}
}

void
lab_pop3_line(struct lab_conn *c, char *line, size_t len, bool toolong)
{
	enum pop3_cmd	 cmd;
	struct lab_msg	*m;
	size_t		 vlen, n, i;
	char		*arg, *end;
	long		 lines;

	if (toolong) {
		lab_reply(c, "-ERR Line too long");
		c->errors++;
		if (c->state == STATE_POP3_SASL)
			c->state = STATE_POP3_AUTH;
		return;
	}
	if (strlen(line) != len) {
		lab_reply(c, "-ERR NUL byte in command");
		c->errors++;
		return;
	}
	lab_clean(line, len);
	if (c->state == STATE_POP3_SASL) {
		pop3_sasl(c, line, len);
		return;
	}
	cmd = pop3_verb(line, &vlen);
	arg = line + vlen;
	while (*arg == ' ')
		arg++;
	if (cmd == PC_UNKNOWN) {
		lab_reply(c, "-ERR Unknown command");
		c->errors++;
		return;
	}
	if (!pop3_allowed(c, cmd)) {
		lab_reply(c, "-ERR %s not allowed in state %s", pop3_verbs[cmd],
		    lab_pop3_state_name(c->state));
		c->errors++;
		return;
	}
	switch (cmd) {
	case PC_CAPA:
		pop3_capa(c);
		break;
	case PC_STLS:
		pop3_stls(c);
		break;
	case PC_USER:
		if (!pop3_auth_allowed(c)) {
			lab_reply(c, "-ERR [AUTH] Plaintext authentication "
			    "disallowed before STLS");
			c->errors++;
			break;
		}
		if (*arg == '\0') {
			lab_reply(c, "-ERR Syntax: USER name");
			c->errors++;
			break;
		}
		free(c->user);
		c->user = xstrdup(arg);
		c->state = STATE_POP3_USER;
		lab_reply(c, "+OK");
		break;
	case PC_PASS:
		/* The password may hold spaces: take the whole rest. */
		pop3_login(c, lab_login_ok(c->user, line + (vlen < len ?
		    vlen + 1 : vlen)));
		break;
	case PC_AUTH:
		pop3_auth(c, arg);
		break;
	case PC_STAT:
		for (i = n = 0, vlen = 0; i < c->nuids; i++) {
			if (c->dele[i] || (m = lab_store_find(pop3_box(c),
			    c->uids[i])) == NULL)
				continue;
			n++;
			vlen += m->data.len;
		}
		lab_reply(c, "+OK %zu %zu", n, vlen);
		break;
	case PC_LIST:
	case PC_UIDL:
		pop3_list(c, arg, cmd == PC_UIDL);
		break;
	case PC_RETR:
		if ((m = pop3_msg(c, arg, &n)) == NULL)
			break;
		lab_reply(c, "+OK %zu octets", m->data.len);
		pop3_send(c, m, -1);
		m->seen = true;
		break;
	case PC_TOP:
		if ((m = pop3_msg(c, arg, &n)) == NULL)
			break;
		end = strchr(arg, ' ');
		lines = end != NULL ? strtol(end + 1, &end, 10) : -1;
		if (lines < 0 || *end != '\0') {
			lab_reply(c, "-ERR Syntax: TOP msg lines");
			c->errors++;
			break;
		}
		lab_reply(c, "+OK");
		pop3_send(c, m, lines);
		break;
	case PC_DELE:
		if ((m = pop3_msg(c, arg, &n)) == NULL)
			break;
		c->dele[n - 1] = true;
		lab_reply(c, "+OK Marked to be deleted");
		break;
	case PC_RSET:
		for (i = 0; i < c->nuids; i++)
			c->dele[i] = false;
		lab_reply(c, "+OK");
		break;
	case PC_NOOP:
		lab_reply(c, "+OK");
		break;
	case PC_QUIT:
		pop3_quit(c);
		break;
	case PC_UNKNOWN:
		break;
	}
}
