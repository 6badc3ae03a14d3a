/* SPDX-License-Identifier: ISC */
/*
 * The engine's private header: the state shared by engine.c and the
 * protocol hooks (smtp.c, imap.c, pop3.c, sieve.c).  Only src/core includes it.
 */
#ifndef MAILSCOPE_PROTO_INT_H
#define MAILSCOPE_PROTO_INT_H

#include "core/core.h"

#define LINE_MAX_BYTES		(64 * 1024)	/* longer lines are split */
#define LITERAL_CHUNK		(64 * 1024)	/* IMAP literal event size */
#define RUN_CHUNK		(64 * 1024)	/* body lines in one event */

#define PP_VERB_MAX	24
#define PP_TAG_MAX	32
#define PP_CAPS_MAX	256	/* an endless EHLO reply stays bounded */

struct pop3_size {
	uint32_t	 msgno;
	int64_t		 octets;
};
#define POP3_SIZES_MAX	65536	/* an endless LIST stays bounded */

struct pp_cmd {
	char		 verb[PP_VERB_MAX];	/* upper case, "" greeting */
	char		 tag[PP_TAG_MAX];	/* IMAP */
	int		 replies;		/* LMTP replies after DATA */
	bool		 greeting;
	bool		 late;			/* pp_timeout hit it */
	bool		 await_client;		/* continuation pending */
	bool		 multiline;		/* POP3: +OK starts a body */
	bool		 body;			/* POP3: RETR/TOP */
	uint32_t	 msgno;			/* POP3: its message, 0 none */
	bool		 data_end;		/* SMTP: the final "." */
	/* IMAP: a literal "{n}" ends the line; its "+" is awaited. */
	bool		 lit_wait;
	int64_t		 lit_size;
	/* IMAP: client literal bytes still to send (await_client set);
	 * lit_rest: the literal is complete, the command line goes on. */
	int64_t		 lit_left;
	bool		 lit_rest;
	bool		 sync;			/* ends a pipelined group */
	bool		 piped;			/* sent in a group */
};

struct proto_ops {
	/* Classify one piece of a server line (first and last piece of the
	 * line); pieces after the first come pre-filled from the first. */
	void		 (*line)(struct pp *, struct pp_line *, bool, bool);
	/* A new client command (not data, not a continuation answer). */
	void		 (*command)(struct pp *, struct pp_cmd *,
			    const char *, size_t, struct buf *);
	const char	*starttls_cmd;
	const char	*caps_cmd;	/* SMTP/LMTP add the client name */
	const char	*quit_cmd;
	const char	*starttls_cap;
	const char	*auth_cmd;	/* starts a SASL exchange */
	const char	*sasl_cap;	/* the capability listing mechanisms */
	const char	*sasl_service;	/* GSSAPI's service name (RFC 4752) */
	bool		 sasl_ir;	/* initial response on the command */
	const char	*sasl_ir_cap;	/* ... when this is offered */
	bool		 tagged;	/* commands carry a tag (IMAP) */
	bool		 literals;	/* {n}: "+" also asks for a literal */
	int		 sasl_cont_code;	/* a challenge's reply code, 0 none */
	bool		 sasl_strings;	/* SASL words are quoted (ManageSieve) */
	bool		 tls_caps;	/* capabilities re-sent after STARTTLS */
	bool		 client_literals;	/* a client's "{n}", "{n+}" counted */
	/* Verbs whose rest, after skip words, is a credential. */
	const struct cred_verb {
		const char	*verb;
		int		 skip;
	}		*cred_verbs;
	/* What a capability list seen in plaintext risks; NULL: nothing. */
	const char	*(*plain_auth)(const struct strv *);
	/* A command's addresses against the capabilities (SMTPUTF8):
	 * a warning, or NULL. */
	const char	*(*addr_check)(const struct strv *, bool,
			    const char *, size_t);
	const char	*data_cmd;	/* its body ends with "." (SMTP) */
	const char	*pipe_cap;	/* commands may go in groups */
	/* Commands after which a pipelined group waits (RFC 2920 3.1);
	 * NULL: every command does. */
	const char *const *sync_verbs;
	const char	*inject_cmd;	/* probe: sent with STARTTLS */
	const char	*mail_probe;	/* probe: refused before STARTTLS? */
	const char	*typed_hello;	/* as a person types them first */
	const char	*typed_starttls;
	const char *const *verbs;
	/* Wireshark's dissector, and the ports it takes by itself: in
	 * plaintext (STARTTLS) and inside TLS from the first byte. */
	const char	*dissector;
	const char	*ws_ports;
	const char	*ws_tls_ports;
};

extern const struct proto_ops smtp_ops, lmtp_ops, imap_ops, pop3_ops,
    sieve_ops;
const struct proto_ops *proto_ops_for(enum proto_id);

struct pp {
	const struct proto_ops *ops;
	enum proto_id	 proto;
	pp_line_cb	 cb;
	void		*arg;

	/* Framer: the current piece of a line, never over LINE_MAX_BYTES. */
	struct buf	 line;
	uint32_t	 lflags;	/* EVF_NUL, EVF_BARE_CR of the piece */
	bool		 cr;		/* a CR ended the last feed */
	bool		 in_line;	/* pieces of this line were delivered */
	struct pp_line	 head;		/* first piece's classification */
	size_t		 line_caps;	/* capabilities this piece added */
	char		 tail[64];	/* end of the previous piece */
	size_t		 ntail;
	const char	*in;		/* the feed being parsed */
	size_t		 inlen;
	size_t		 inpos;
	const char	*lf;		/* next LF in the feed, NULL unknown */
	int		 in_cb;
	struct buf	 reenter;	/* fed from inside the callback */
	bool		 eof_pending;
	bool		 stopped;	/* after the STARTTLS go-ahead */
	struct buf	 held;

	/* IMAP literal being streamed. */
	bool		 lit_active;
	int64_t		 lit_left;
	struct buf	 lit;
	/* A client literal being typed: its bytes still to come. */
	/* Plain body lines waiting to go out as one EVF_LINES event. */
	struct buf	 run;
	size_t		 run_lines;
	int64_t		 xfer_size;	/* -1 unknown */
	int64_t		 xfer_recv;
	/* POP3: message sizes from LIST, for RETR's progress. */
	struct pop3_size *sizes;	/* by message number */
	size_t		 nsizes;
	size_t		 sizes_cap;

	/* Commands awaiting replies, oldest first. */
	struct pp_cmd	*cmds;
	size_t		 ncmds;
	unsigned	 tagno;
	bool		 data_mode;
	bool		 body_dot;	/* next "." is the message's */
	int64_t		 chunk_left;	/* SMTP: BDAT bytes still to send */
	bool		 piping;	/* commands now go in a group */
	int		 rcpt_ok;	/* LMTP: accepted RCPTs */

	/* The response being received. */
	bool		 resp_active;	/* more lines of it follow */
	int		 resp_code;
	int		 resp_kind;	/* per-protocol */
	uint32_t	 resp_flags;	/* LATE, UNSOLICITED, BODY */
	bool		 resp_caps;	/* its lines are capabilities */
	bool		 resp_greeting;
	char		 verb[PP_VERB_MAX];
	char		 tag[PP_TAG_MAX];

	struct strv	 caps;
	bool		 caps_known;
	bool		 caps_partial;	/* from a greeting: may lack some */
	bool		 authed;	/* a login was accepted */
	char		*capscmd;
	char		 tagbuf[PP_TAG_MAX];
};

/* Engine helpers for the hooks. */
struct pp_cmd	*pp_cmd_oldest(struct pp *);
struct pp_cmd	*pp_cmd_newest(struct pp *);
struct pp_cmd	*pp_cmd_find_tag(struct pp *, const char *, size_t);
void		 pp_cmd_answer(struct pp *, struct pp_cmd *, struct pp_line *);
void		 pp_cmd_remove(struct pp *, struct pp_cmd *);
void		 pp_line_flags(struct pp *, struct pp_line *);
void		 pp_cap_add(struct pp *, const char *, size_t);
void		 pp_literal_start(struct pp *, int64_t);
int		 pp_literal_parse(const char *, size_t, int64_t *, bool *);
int		 pp_line_literal(const struct pp *, const struct pp_line *,
		    bool, int64_t *, bool *);
void		 pp_verb(const char *, size_t, char *, size_t);
void		 pp_cmd_literal(const struct pp *, struct pp_cmd *, const char *,
		    size_t);
size_t		 pp_word(const char *, size_t, size_t, size_t *);

#endif /* MAILSCOPE_PROTO_INT_H */
