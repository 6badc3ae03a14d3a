/* SPDX-License-Identifier: ISC */
/*
 * The lab's ManageSieve server (RFC 5804): the greeting is the
 * capability list, STARTTLS re-sends it unasked, AUTHENTICATE "PLAIN",
 * and the scripts of the connection kept in memory (PUTSCRIPT,
 * GETSCRIPT, LISTSCRIPTS, SETACTIVE, DELETESCRIPT, CHECKSCRIPT,
 * HAVESPACE).  A script arrives as a literal "{n+}" ending the command
 * line; its bytes are gathered in msg (lab.c), the rest of the line
 * runs the command with them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab/lab_int.h"

enum sieve_state {
	STATE_SIEVE_NOAUTH,
	STATE_SIEVE_SASL,	/* AUTHENTICATE "PLAIN": response expected */
	STATE_SIEVE_AUTH,
	STATE_SIEVE_LOGOUT,
	STATE_SIEVE_MAX
};

static const char *const sieve_state_names[STATE_SIEVE_MAX] = {
	"NOAUTH", "SASL", "AUTHENTICATED", "LOGOUT"
};

#define SIEVE_SCRIPTS_MAX	16
#define SIEVE_SCRIPT_MAX	(64 * 1024)

/* A SASL answer comes next, not a command. */
bool
lab_sieve_data(const struct lab_conn *c)
{
	return c->state == STATE_SIEVE_SASL;
}

const char *
lab_sieve_state_name(int state)
{
	if (state < 0 || state >= STATE_SIEVE_MAX)
		return "?";
	return sieve_state_names[state];
}

static bool
sieve_auth_allowed(const struct lab_conn *c)
{
	return c->tls || c->scn == SCN_NO_STARTTLS;
}

static void
sieve_caps(struct lab_conn *c)
{
	lab_reply(c, "\"IMPLEMENTATION\" \"mailscope lab\"");
	lab_reply(c, "\"SIEVE\" \"fileinto reject envelope vacation\"");
	lab_reply(c, "\"SASL\" \"%s\"", sieve_auth_allowed(c) &&
	    c->state == STATE_SIEVE_NOAUTH ? "PLAIN" : "");
	if (lab_tls_offered(c))
		lab_reply(c, "\"STARTTLS\"");
	if (c->state == STATE_SIEVE_AUTH)
		lab_reply(c, "\"OWNER\" \"%s\"", LAB_USER);
	lab_reply(c, "\"VERSION\" \"1.0\"");
}

void
lab_sieve_start(struct lab_conn *c)
{
	c->state = STATE_SIEVE_NOAUTH;
	sieve_caps(c);
	lab_reply(c, "OK \"mailscope lab ManageSieve ready (scenario %s)\"",
	    lab_conn_scn(c));
}

/* RFC 5804 2.2: the capabilities again, unasked, inside TLS. */
void
lab_sieve_tls(struct lab_conn *c)
{
	c->state = STATE_SIEVE_NOAUTH;
	sieve_caps(c);
	lab_reply(c, "OK \"TLS negotiation successful\"");
}

/* A quoted string at *p (no escapes needed for script names). */
static char *
sieve_string(char **p)
{
	char	*s = *p, *e;

	while (*s == ' ')
		s++;
	if (*s != '"' || (e = strchr(s + 1, '"')) == NULL)
		return NULL;
	*e = '\0';
	*p = e + 1;
	return s + 1;
}

static int
script_find(const struct lab_conn *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->sv_names.n; i++)
		if (strcmp(c->sv_names.v[i], name) == 0)
			return (int)i;
	return -1;
}

/* What the lab checks of a script: its braces balance. */
static bool
script_check(struct lab_conn *c, const char *s, size_t len)
{
	size_t	i, line = 1;
	int	depth = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			line++;
		else if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && --depth < 0)
			break;
	}
	if (depth == 0)
		return true;
	lab_reply(c, "NO \"line %zu: %s\"", line, depth > 0 ?
	    "a block is never closed with '}'" : "'}' closes no block");
	return false;
}

static void
sieve_put(struct lab_conn *c, const char *name, bool store)
{
	const char	*s = c->msg.p != NULL ? c->msg.p : "";
	size_t		 len = c->msg.len;
	int		 k;

	if (memchr(s, '\0', len) != NULL) {
		lab_reply(c, "NO \"The script holds a NUL byte\"");
		return;
	}
	if (!script_check(c, s, len))
		return;
	if (!store) {
		lab_reply(c, "OK \"Script is valid\"");
		return;
	}
	if ((k = script_find(c, name)) == -1) {
		if (c->sv_names.n == SIEVE_SCRIPTS_MAX) {
			lab_reply(c, "NO (QUOTA/MAXSCRIPTS) \"Too many "
			    "scripts\"");
			return;
		}
		strv_add(&c->sv_names, name);
		strv_addn(&c->sv_bodies, s, len);
	} else {
		free(c->sv_bodies.v[k]);
		c->sv_bodies.v[k] = xstrndup(s, len);
	}
	lab_reply(c, "OK \"PUTSCRIPT completed\"");
}

static void
sieve_get(struct lab_conn *c, const char *name)
{
	int	k;

	if ((k = script_find(c, name)) == -1) {
		lab_reply(c, "NO (NONEXISTENT) \"No such script\"");
		return;
	}
	lab_reply(c, "{%zu}", strlen(c->sv_bodies.v[k]));
	buf_adds(&c->out, c->sv_bodies.v[k]);
	buf_adds(&c->out, "\r\n");
	lab_reply(c, "OK \"GETSCRIPT completed\"");
}

static void
sieve_list(struct lab_conn *c)
{
	size_t	i;

	for (i = 0; i < c->sv_names.n; i++)
		lab_reply(c, "\"%s\"%s", c->sv_names.v[i],
		    c->sv_active != NULL &&
		    strcmp(c->sv_active, c->sv_names.v[i]) == 0 ?
		    " ACTIVE" : "");
	lab_reply(c, "OK \"LISTSCRIPTS completed\"");
}

static void
sieve_setactive(struct lab_conn *c, const char *name)
{
	if (*name != '\0' && script_find(c, name) == -1) {
		lab_reply(c, "NO (NONEXISTENT) \"No such script\"");
		return;
	}
	free(c->sv_active);
	c->sv_active = *name != '\0' ? xstrdup(name) : NULL;
	lab_reply(c, "OK \"SETACTIVE completed\"");
}

static void
drop(struct strv *sv, size_t k)
{
	free(sv->v[k]);
	memmove(sv->v + k, sv->v + k + 1, (sv->n - k) * sizeof *sv->v);
	sv->n--;
}

static void
sieve_delete(struct lab_conn *c, const char *name)
{
	int	k;

	if ((k = script_find(c, name)) == -1) {
		lab_reply(c, "NO (NONEXISTENT) \"No such script\"");
		return;
	}
	if (c->sv_active != NULL && strcmp(c->sv_active, name) == 0) {
		lab_reply(c, "NO (ACTIVE) \"The active script cannot be "
		    "deleted\"");
		return;
	}
	drop(&c->sv_names, (size_t)k);
	drop(&c->sv_bodies, (size_t)k);
	lab_reply(c, "OK \"DELETESCRIPT completed\"");
}

static void
sieve_login(struct lab_conn *c, const char *b64, size_t len)
{
	int	ok = lab_sasl_plain(b64, len);

	c->state = STATE_SIEVE_NOAUTH;
	if (ok == -1) {
		lab_reply(c, "NO \"Invalid base64 response\"");
		c->errors++;
	} else if (ok == 0) {
		lab_reply(c, "NO \"Authentication failed\"");
		c->errors++;
	} else {
		c->authed = true;
		c->state = STATE_SIEVE_AUTH;
		lab_reply(c, "OK \"Logged in\"");
	}
}

static void
sieve_authenticate(struct lab_conn *c, char *args)
{
	char	*mech, *ir;

	if ((mech = sieve_string(&args)) == NULL) {
		lab_reply(c, "NO \"Syntax: AUTHENTICATE \\\"PLAIN\\\"\"");
		c->errors++;
		return;
	}
	if (strcasecmp(mech, "PLAIN") != 0) {
		lab_reply(c, "NO \"Unsupported authentication mechanism\"");
		return;
	}
	if (!sieve_auth_allowed(c)) {
		lab_reply(c, "NO (ENCRYPT-NEEDED) \"STARTTLS first\"");
		c->errors++;
		return;
	}
	if ((ir = sieve_string(&args)) == NULL) {
		c->state = STATE_SIEVE_SASL;
		lab_reply(c, "\"\"");
		return;
	}
	sieve_login(c, ir, strlen(ir));
}

static void
sieve_starttls(struct lab_conn *c)
{
	if (c->tls || c->state != STATE_SIEVE_NOAUTH) {
		lab_reply(c, "NO \"TLS is not possible now\"");
		c->errors++;
		return;
	}
	switch (c->scn) {
	case SCN_NO_STARTTLS:
	case SCN_STRIP:
		lab_reply(c, "NO \"Unknown command\"");
		c->errors++;
		return;
	case SCN_STARTTLS_REFUSED:
		lab_reply(c, "NO (TRYLATER) \"TLS not available right now\"");
		return;
	default:
		break;
	}
	lab_reply(c, "OK \"Begin TLS negotiation now\"");
	if (c->scn == SCN_INJECT_RESPONSE)
		lab_reply(c, c->mystery ? "OK" : "OK \"injected before TLS\"");
	c->want_tls = true;
}

/* A command whose last argument was a literal, now complete. */
static void
sieve_literal_cmd(struct lab_conn *c, char *head)
{
	char	*args = head, *name;
	size_t	 n = strcspn(head, " ");

	args = head + n;
	if (n == 9 && strncasecmp(head, "PUTSCRIPT", n) == 0 &&
	    (name = sieve_string(&args)) != NULL)
		sieve_put(c, name, true);
	else if (n == 11 && strncasecmp(head, "CHECKSCRIPT", n) == 0)
		sieve_put(c, NULL, false);
	else {
		lab_reply(c, "NO \"A literal is taken by PUTSCRIPT and "
		    "CHECKSCRIPT only\"");
		c->errors++;
	}
}

/* "{n+}" or "{n}" ending the line: n, or -1. */
static long long
literal_at_end(char *line, size_t len)
{
	char		*b;
	long long	 n;

	if (len < 3 || line[len - 1] != '}' ||
	    (b = strrchr(line, '{')) == NULL)
		return -1;
	n = strtoll(b + 1, NULL, 10);
	if (n < 0 || b[1] < '0' || b[1] > '9')
		return -1;
	*b = '\0';
	return n;
}

void
lab_sieve_line(struct lab_conn *c, char *line, size_t len, bool toolong)
{
	char		*args, *name;
	size_t		 n;
	long long	 lit;

	if (c->tag != NULL) {
		/* The rest of a command after its literal. */
		args = c->tag;
		c->tag = NULL;
		if (c->literal_drop || toolong)
			lab_reply(c, "NO (QUOTA/MAXSIZE) \"The script is "
			    "too big\"");
		else
			sieve_literal_cmd(c, args);
		c->literal_drop = false;
		buf_free(&c->msg);
		free(args);
		return;
	}
	if (toolong) {
		lab_reply(c, "NO \"Line too long\"");
		c->errors++;
		c->state = c->state == STATE_SIEVE_SASL ? STATE_SIEVE_NOAUTH :
		    c->state;
		return;
	}
	if (strlen(line) != len) {
		lab_reply(c, "NO \"NUL byte in command\"");
		c->errors++;
		return;
	}
	if (c->state == STATE_SIEVE_SASL) {
		if (len >= 2 && line[0] == '"' && line[len - 1] == '"')
			sieve_login(c, line + 1, len - 2);
		else {
			c->state = STATE_SIEVE_NOAUTH;
			lab_reply(c, "NO \"Authentication aborted\"");
		}
		return;
	}
	lab_clean(line, len);
	if ((lit = literal_at_end(line, len)) >= 0) {
		/* Its bytes follow at once: gather them, then the rest. */
		c->tag = xstrdup(line);
		buf_free(&c->msg);
		c->literal = (size_t)lit;
		c->literal_drop = lit > SIEVE_SCRIPT_MAX;
		return;
	}
	n = strcspn(line, " ");
	args = line + n;
#define IS(v)	(n == strlen(v) && strncasecmp(line, v, n) == 0)
	if (IS("CAPABILITY")) {
		sieve_caps(c);
		lab_reply(c, "OK \"Capability completed\"");
	} else if (IS("NOOP")) {
		if ((name = sieve_string(&args)) != NULL)
			lab_reply(c, "OK (TAG \"%s\") \"Done\"", name);
		else
			lab_reply(c, "OK \"Done\"");
	} else if (IS("LOGOUT")) {
		lab_reply(c, "OK \"Logout completed\"");
		c->state = STATE_SIEVE_LOGOUT;
		c->want_close = true;
	} else if (IS("STARTTLS"))
		sieve_starttls(c);
	else if (IS("AUTHENTICATE")) {
		if (c->state != STATE_SIEVE_NOAUTH) {
			lab_reply(c, "NO \"Already authenticated\"");
			c->errors++;
		} else
			sieve_authenticate(c, args);
	} else if (c->state != STATE_SIEVE_AUTH) {
		lab_reply(c, "NO \"Authenticate first\"");
		c->errors++;
	} else if (IS("LISTSCRIPTS"))
		sieve_list(c);
	else if (IS("UNAUTHENTICATE")) {
		c->authed = false;
		c->state = STATE_SIEVE_NOAUTH;
		lab_reply(c, "OK \"Logged out, still connected\"");
	} else if ((name = sieve_string(&args)) == NULL) {
		lab_reply(c, "NO \"Unknown command, or a script name in "
		    "quotes is missing\"");
		c->errors++;
	} else if (IS("GETSCRIPT"))
		sieve_get(c, name);
	else if (IS("SETACTIVE"))
		sieve_setactive(c, name);
	else if (IS("DELETESCRIPT"))
		sieve_delete(c, name);
	else if (IS("HAVESPACE")) {
		if (strtoll(args, NULL, 10) > SIEVE_SCRIPT_MAX)
			lab_reply(c, "NO (QUOTA/MAXSIZE) \"The script is too "
			    "big\"");
		else
			lab_reply(c, "OK \"Putscript would succeed\"");
	} else {
		lab_reply(c, "NO \"Unknown command\"");
		c->errors++;
	}
#undef IS
}
