/* SPDX-License-Identifier: ISC */
/*
 * What goes out as bytes rather than typed lines: a message file as an
 * IMAP APPEND literal (RFC 3501 6.3.11, LITERAL+ of RFC 7888 when
 * offered) or as SMTP BDAT chunks (RFC 3030), and the check before a
 * pipelined group (RFC 2920).  The engine counts every byte, so the
 * replies stay matched to their commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define LITERAL_MINUS_MAX	4096	/* RFC 7888 4: LITERAL- takes this */

/* An IMAP astring: as it is when an atom, else a quoted string. */
static void
astring(const char *s, struct buf *out)
{
	const char	*p;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || strchr("(){%*\"\\]", *p) !=
		    NULL)
			break;
	if (*p == '\0' && p != s) {
		buf_adds(out, s);
		return;
	}
	buf_addc(out, '"');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(out, '\\');
		buf_addc(out, *p);
	}
	buf_addc(out, '"');
}

/*
 * APPEND the message to mailbox: the file is the literal, sent at once
 * with LITERAL+ (or LITERAL- for a small one), else after the "+".
 */
int
session_append(struct session *s, const char *mailbox, const char *data,
    size_t len)
{
	struct buf	cmd = { 0 };
	bool		plus;
	int		rc;

	if (session_opts(s)->target.proto != PROTO_IMAP || len == 0) {
		ev_local(session_log(s), EV_ERROR, session_chan(s), "usage",
		    "not sent: %s", len == 0 ? "the message is empty" :
		    "APPEND is an IMAP command");
		return -1;
	}
	plus = session_has_cap(s, "LITERAL+") ||
	    (session_has_cap(s, "LITERAL-") && len <= LITERAL_MINUS_MAX);
	buf_adds(&cmd, "APPEND ");
	astring(mailbox, &cmd);
	buf_printf(&cmd, " {%zu%s}", len, plus ? "+" : "");
	rc = session_send(s, cmd.p, cmd.len);
	buf_free(&cmd);
	if (rc == -1)
		return -1;
	if (!plus) {
		session_hold_literal(s, data, len);
		return 0;
	}
	session_send_bytes(s, data, len);
	return session_send(s, "", 0);
}

/*
 * The message as BDAT chunks of at most chunk bytes, the last one LAST.
 * Several chunks go in one write, which needs PIPELINING (RFC 3030 4.2);
 * without it the file is one chunk.
 */
int
session_bdat(struct session *s, const char *data, size_t len, size_t chunk)
{
	char	cmd[64];
	size_t	off = 0, n;
	bool	group;

	if (!pp_caps_known(session_engine(s)) ||
	    !session_has_cap(s, "CHUNKING")) {
		ev_local(session_log(s), EV_ERROR, session_chan(s), "usage",
		    "not sent: the server does not offer CHUNKING (RFC "
		    "3030)%s", pp_caps_known(session_engine(s)) ? "" :
		    "; EHLO first");
		return -1;
	}
	if (!pp_pipelining(session_engine(s)) || chunk == 0 || chunk > len)
		chunk = len;
	group = chunk < len;
	if (group)
		session_cork(s, true);
	do {
		n = len - off < chunk ? len - off : chunk;
		snprintf(cmd, sizeof cmd, "BDAT %zu%s", n, off + n == len ?
		    " LAST" : "");
		if (session_send(s, cmd, strlen(cmd)) == -1)
			break;
		session_send_bytes(s, data + off, n);
		off += n;
	} while (off < len);
	if (group)
		session_cork(s, false);
	return off == len ? 0 : -1;
}

/*
 * May a group go in one write?  Not where the protocol has no groups;
 * where the server does not offer PIPELINING, a warning and only with
 * force.
 */
int
session_pipeline_check(struct session *s, bool force)
{
	enum proto_id	proto = session_opts(s)->target.proto;

	if (pp_pipeline_cap(proto) == NULL) {
		ev_local(session_log(s), EV_ERROR, session_chan(s), "usage",
		    "not sent: pipelining is an SMTP and LMTP extension");
		return -1;
	}
	if (pp_pipelining(session_engine(s)))
		return 0;
	ev_local(session_log(s), EV_WARNING, session_chan(s),
	    "pipelining-unsupported", "the server does not offer %s (RFC "
	    "2920): a group in one write may lose commands or replies%s",
	    pp_pipeline_cap(proto), force ? "; sent as asked" :
	    "; sent one command at a time");
	return force ? 0 : -1;
}
