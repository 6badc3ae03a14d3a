/* SPDX-License-Identifier: ISC */
/*
 * Fuzz redaction along the session's path: server bytes through the
 * engine (pp_feed) to redact_server(), client lines through pp_command()
 * and redact_client(), logged as session_command() logs them, with SASL
 * exchanges carrying a known secret interleaved.  The secret, its base64
 * and the PLAIN blob's never appear in a client event.
 *
 * The client answers as ":auth" does: only while the engine holds the
 * exchange's command (the engine's view, not the redactor's), one
 * exchange at a time, never after its own "*", and an IMAP LOGIN
 * literal only as the first line after its announcement, once the
 * engine awaits it.  Server events are not checked for secrets: they
 * hold whatever the server sent; their classification must be what a
 * fresh engine rebuilds from the log alone (a format-1 recording).
 *
 * Input: a protocol byte, then operations of two bytes (kind, argument),
 * some followed by raw server bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "log/log.h"
#include "core/proto/proto_int.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

#define PW	"Fz-Secret-Pw-77"

static const char *const lines[] = {
	"220 x\r\n", "250 ok\r\n", "250-x\r\n", "334 VXNlcm5hbWU6\r\n",
	"334 UGFzc3dvcmQ6\r\n", "334 ", "334 \r\n", "235 ok\r\n",
	"535 no\r\n", "354 go\r\n", "421 bye\r\n", "+ \r\n", "+ ",
	"+ UGFzc3dvcmQ6\r\n", "+OK\r\n", "-ERR no\r\n", ".\r\n", "+OK ",
	"* OK x\r\n", "* 1 FETCH (BODY[] {3}\r\n", "abc", ")\r\n",
	"a001 OK x\r\n", "a002 OK x\r\n", "a003 OK x\r\n", "a001 NO x\r\n",
	"a001 OK ", "* BYE x\r\n", "\r\n", "\n", "\r",
};

static const char *const commands[] = {
	"EHLO x", "NOOP", "DATA", ".", "RSET", "STARTTLS", "CAPA", "RETR 1",
	"LIST", "CAPABILITY", "a1 FETCH 1 BODY[]", "APPEND x {5}", "hello",
	"*", "", "QUIT", "SELECT INBOX", "IDLE", "DONE", "USER alice",
	"a1 APPEND x {3+}", "STAT",
};

/* The answers of an exchange; -1: the password as an IMAP literal. */
enum { ANS_USER = 1, ANS_PW, ANS_PLAIN };

static struct buf	 pw64, plain64, user64;
static struct pp	*pp;
static struct redactor	*red;
static struct evlog	*slog;	/* what the session would log */

static void
secrets_init(void)
{
	static const char	plain[] = "\0alice\0" PW;

	if (pw64.len > 0)
		return;
	b64_encode(PW, strlen(PW), &pw64);
	b64_encode(plain, sizeof plain - 1, &plain64);
	b64_encode("alice", 5, &user64);
}

static bool
holds(const char *p, size_t len, const char *s, size_t n)
{
	return n > 0 && memmem(p, len, s, n) != NULL;
}

/* What the session would log for a client line: no secret in it. */
static void
check_client(const char *p, size_t len)
{
	const char	*forms[] = { PW, pw64.p, plain64.p };
	size_t		 i, n;

	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		n = strlen(forms[i]);
		while (n > 0 && forms[i][n - 1] == '=')
			n--;
		if (holds(p, len, forms[i], n)) {
			fprintf(stderr, "secret in a client event: %.*s\n",
			    (int)len, p);
			__builtin_trap();
		}
	}
}

static void
on_line(const struct pp_line *l, void *arg)
{
	struct event	 ev = { 0 };

	(void)arg;
	ev.kind = EV_DATA;
	ev.dir = DIR_SERVER;
	ev.flags = l->flags;
	pp_class(l, &ev.cls);
	redact_server(red, evlog_append(slog, &ev, l->buf, l->len));
	/* As the session logs them: a reload rebuilds them the same. */
	if (l->caps) {
		struct ev_extra	*x;
		struct buf	 b = { 0 };

		pp_caps_event(pp, l, CHAN_PLAIN, &ev, &x, &b);
		evlog_append_x(slog, &ev, x, b.p != NULL ? b.p : "", b.len);
		buf_free(&b);
	}
}

static bool
class_equal(const struct event *a, const struct event *b)
{
	const char	*va = ev_verb(a), *vb = ev_verb(b);

	return a->cls.code == b->cls.code && a->cls.status == b->cls.status &&
	    a->cls.tag == b->cls.tag && a->cls.bits == b->cls.bits &&
	    a->cls.esc_off == b->cls.esc_off &&
	    a->cls.esc_len == b->cls.esc_len && (va == vb ||
	    (va != NULL && vb != NULL && strcmp(va, vb) == 0));
}

/* Every server event as a fresh engine classifies it from the log. */
static void
check_reclassified(enum proto_id proto)
{
	static const char *const urls[] = {
		"smtp://x", "lmtp://x", "imap://x", "pop3://x",
	};
	struct evlog		*again = evlog_new(true);
	const struct event	*a, *b;
	size_t			 i;

	evlog_reclassify(slog, urls[proto], again);
	if (evlog_count(again) != evlog_count(slog))
		__builtin_trap();
	for (i = 0; i < evlog_count(slog); i++) {
		a = evlog_get(slog, i);
		b = evlog_get(again, i);
		if ((a->dir == DIR_SERVER || a->kind == EV_CAPS) &&
		    (a->kind != b->kind || !class_equal(a, b))) {
			fprintf(stderr, "event %zu reclassified differently: "
			    "%.*s\n", i, (int)a->len, a->data);
			__builtin_trap();
		}
	}
	evlog_free(again);
}

/* session_command(): the engine frames the line, the redactor judges. */
static void
send_line(const char *line, size_t len)
{
	struct buf	 wire = { 0 }, shown = { 0 };
	struct event	 ev = { 0 };
	bool		 data_mode = pp_data_mode(pp);
	const char	*w;
	size_t		 wl;

	if (pp_command(pp, line, len, &wire, &ev.cls) == -1)
		return;
	ev.kind = EV_DATA;
	ev.dir = DIR_CLIENT;
	w = wire.p;
	wl = wire.len - 2;
	if (data_mode) {
		ev.flags = EVF_BODY;
		/* The body line as typed: the flag says a dot was added. */
		if (wl > 1 && w[0] == '.' && w[1] == '.') {
			ev.flags |= EVF_DOTSTUFF;
			w++;
			wl--;
		}
	}
	/*
	 * Logged as with --no-redact: a redacted line keeps too little of
	 * its words for the engine to read them again.
	 */
	if (redact_client(red, wire.p, wire.len - 2, &shown)) {
		check_client(shown.p, shown.len);
		ev.flags |= EVF_NOREDACT;
		ev.cls.bits |= EVC_SECRET;
	} else
		check_client(wire.p, wire.len - 2);
	evlog_append(slog, &ev, w, wl);
	buf_free(&wire);
	buf_free(&shown);
}

/*
 * Does the engine hold the exchange's command (verb, and tag in IMAP),
 * awaiting the client if asked?
 */
static bool
engine_holds(const char *verb, const char *tag, bool awaiting)
{
	size_t	i;

	for (i = 0; i < pp->ncmds; i++)
		if (strcmp(pp->cmds[i].verb, verb) == 0 &&
		    (tag[0] == '\0' || strcmp(pp->cmds[i].tag, tag) == 0) &&
		    (!awaiting || pp->cmds[i].await_client))
			return true;
	return false;
}

static const char *
answer_text(int a)
{
	switch (a) {
	case ANS_USER:
		return user64.p;
	case ANS_PW:
		return pw64.p;
	case ANS_PLAIN:
		return plain64.p;
	}
	return PW;	/* an IMAP LOGIN literal */
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Commands that carry the secret, and the answers that follow. */
	static const struct {
		const char	*cmd;
		int		 answers[2];
	} sasl[] = {
		{ "AUTH LOGIN", { ANS_USER, ANS_PW } },
		{ "AUTH PLAIN", { ANS_PLAIN, 0 } },
		{ "AUTH PLAIN %s", { 0, 0 } },
		{ "AUTH LOGIN %u", { ANS_PW, 0 } },
		{ "PASS " PW, { 0, 0 } },		/* POP3 */
	}, imap[] = {
		{ "AUTHENTICATE LOGIN", { ANS_USER, ANS_PW } },
		{ "AUTHENTICATE PLAIN", { ANS_PLAIN, 0 } },
		{ "AUTHENTICATE PLAIN %s", { 0, 0 } },
		{ "LOGIN alice " PW, { 0, 0 } },
		{ "LOGIN alice \"" PW "\"", { 0, 0 } },
		{ "LOGIN alice {15}", { -1, 0 } },
	};
	const char	*verb = NULL, *fmt;
	char		 tag[PP_TAG_MAX] = "", line[256];
	const int	*answers = NULL;
	enum proto_id	 proto;
	size_t		 off = 1, n, next = 0, nex, pads = 0;
	uint8_t		 op, arg;
	struct buf	 junk = { 0 };
	char		 fill[1024];

	if (size < 1)
		return 0;
	secrets_init();
	memset(fill, 'A', sizeof fill);
	proto = (enum proto_id)(data[0] % 4);
	red = redactor_new(proto);
	slog = evlog_new(true);
	ev_local(slog, EV_CONNECT, CHAN_PLAIN, NULL, "connected");
	pp = pp_new(proto, on_line, NULL);
	pp_expect_greeting(pp);
	nex = proto == PROTO_IMAP ? sizeof imap / sizeof imap[0] :
	    proto == PROTO_POP3 ? sizeof sasl / sizeof sasl[0] :
	    sizeof sasl / sizeof sasl[0] - 1;
	while (off + 1 < size) {
		op = data[off++];
		arg = data[off++];
		switch (op % 8) {
		case 0:
		case 1:
			/* Raw server bytes. */
			n = (size_t)arg % 64 + 1;
			if (n > size - off)
				n = size - off;
			pp_feed(pp, (const char *)data + off, n);
			off += n;
			break;
		case 2:
		case 7:
			fmt = lines[arg % (sizeof lines / sizeof lines[0])];
			pp_feed(pp, fmt, strlen(fmt));
			break;
		case 3:
			/* Up to the line cap: what follows is a new piece. */
			if (++pads > 4)
				break;
			for (n = LINE_MAX_BYTES - pp->line.len; n > 0;
			    n -= n < sizeof fill ? n : sizeof fill)
				pp_feed(pp, fill, n < sizeof fill ? n :
				    sizeof fill);
			break;
		case 4:
			fmt = commands[arg % (sizeof commands /
			    sizeof commands[0])];
			/* The client's "*" ends its own exchange; a line
			 * sent after LOGIN's literal announcement is the
			 * literal. */
			if (strcmp(fmt, "*") == 0 || (answers != NULL &&
			    next < 2 && answers[next] == -1))
				answers = NULL;
			send_line(fmt, strlen(fmt));
			break;
		case 5:
			if (answers == NULL || next == 2 || answers[next] == 0 ||
			    !engine_holds(verb, tag, false)) {
				answers = NULL;
				break;
			}
			/* SASL answers may go before their challenge; a
			 * literal waits for its "+". */
			if (answers[next] == -1 && !engine_holds(verb, tag, true))
				break;
			fmt = answer_text(answers[next++]);
			send_line(fmt, strlen(fmt));
			break;
		case 6:
			/* One exchange at a time, started as a command. */
			if (pp_data_mode(pp) || pp_wants_continuation(pp) ||
			    engine_holds("AUTH", "", false) ||
			    engine_holds("AUTHENTICATE", "", false) ||
			    engine_holds("LOGIN", "", false))
				break;
			n = arg % nex;
			fmt = proto == PROTO_IMAP ? imap[n].cmd : sasl[n].cmd;
			answers = proto == PROTO_IMAP ? imap[n].answers :
			    sasl[n].answers;
			next = 0;
			if (strstr(fmt, "%s") != NULL)
				snprintf(line, sizeof line, "%.*s%s",
				    (int)(strstr(fmt, "%s") - fmt), fmt,
				    plain64.p);
			else if (strstr(fmt, "%u") != NULL)
				snprintf(line, sizeof line, "%.*s%s",
				    (int)(strstr(fmt, "%u") - fmt), fmt,
				    user64.p);
			else
				snprintf(line, sizeof line, "%s", fmt);
			send_line(line, strlen(line));
			verb = proto == PROTO_IMAP && strncmp(fmt, "LOGIN",
			    5) == 0 ? "LOGIN" : proto == PROTO_IMAP ?
			    "AUTHENTICATE" : "AUTH";
			snprintf(tag, sizeof tag, "%s", proto == PROTO_IMAP &&
			    pp->ncmds > 0 ? pp->cmds[pp->ncmds - 1].tag : "");
			break;
		}
		/* The session starts TLS here; the engine goes on. */
		buf_reset(&junk);
		pp_take_buffered(pp, &junk);
	}
	pp_eof(pp);
	check_reclassified(proto);
	pp_free(pp);
	evlog_free(slog);
	redactor_free(red);
	buf_free(&junk);
	return 0;
}
