/* SPDX-License-Identifier: ISC */
/*
 * The lab's private header: one client as the protocol state machines
 * see it (lab.c drives the sockets; smtp.c, imap.c, pop3.c, sieve.c the
 * talk).
 */
#ifndef MAILSCOPE_LAB_INT_H
#define MAILSCOPE_LAB_INT_H

#include <sys/socket.h>

#include "lab/lab.h"

/* The protocols the lab speaks. */
enum lab_proto {
	LAB_SMTP,
	LAB_IMAP,
	LAB_POP3,
	LAB_SIEVE,
};

enum lab_scn {
	SCN_GOOD,
	SCN_NO_STARTTLS,
	SCN_STARTTLS_REFUSED,
	SCN_STRIP,
	SCN_INJECT_RESPONSE,
	SCN_INJECT_COMMAND,
	SCN_EXPIRED_CERT,
	SCN_WRONG_HOST,
	SCN_SELF_SIGNED,
	SCN_TLS12_ONLY,
	SCN_ENFORCED,
	SCN_SLOW,
	SCN_INJECT_LATER,
	SCN_TAMPER,
	SCN_PREAUTH,
	SCN_UNKNOWN_CA,
	SCN_TLS10_ONLY,
	SCN_MAX
};

#define LAB_HOST	"lab.mailscope.test"
#define LAB_USER	"demo"
#define LAB_PASS	"demo"
#define LAB_LINE_MAX	(8 * 1024)
#define LAB_CLIENTS_MAX	256
#define LAB_IDLE_MS	(5 * 60 * 1000)
#define LAB_OUT_HIGH	(256 * 1024)	/* stop reading commands above */

struct lab_msg {
	uint32_t	 uid;
	bool		 seen;
	bool		 deleted;	/* IMAP \Deleted */
	int64_t		 when;		/* unix seconds */
	struct buf	 data;		/* CRLF lines, dots unstuffed */
};

#define LAB_MBOX_MAX		32	/* mailboxes a client may have */
#define LAB_MBOX_NAME_MAX	100

struct lab_mbox {
	char		 *name;
	const char	 *special;	/* RFC 6154: "\\Sent", or NULL */
	struct lab_msg	**msgs;		/* by UID */
	size_t		  n;
	uint32_t	  uidvalidity;
	uint32_t	  uidnext;
};

/* store.c: demo's mailboxes, boxes[0] is INBOX; --store writes through. */
struct lab_store {
	struct lab_mbox	**boxes;
	size_t		  nboxes;
	size_t		  nmsgs;	/* in all mailboxes */
	size_t		  bytes;
	uint64_t	  serial;	/* messages ever added: IDLE's cue */
	char		 *dir;		/* --store DIR, or NULL */
	void		(*warn)(void *, const char *);
	void		 *warn_arg;
};

/*
 * One client as the protocol machines see it: bytes in, bytes out, and
 * flags the socket side acts on.  No socket here, so tests can drive it.
 */
struct lab_conn {
	enum lab_proto	 proto;
	enum lab_scn	 scn;
	struct lab_store *store;
	bool		 tls;		/* inside TLS now */
	bool		 submission;	/* SMTP: mail only after AUTH */
	bool		 mystery;	/* the greeting does not name scn */
	bool		 authed;
	int		 state;		/* the protocol's STATE_* */
	struct buf	 in;
	struct buf	 out;
	bool		 discarding;	/* inside an overlong line */
	bool		 want_tls;	/* go-ahead queued: handshake next */
	size_t		 injected;	/* plaintext after the go-ahead */
	size_t		 split;		/* inject-later: the go-ahead's bytes */
	struct judge	*judge;		/* --judge: what the client does */
	bool		 want_close;	/* flush, then close */
	unsigned	 errors;	/* too many: the server hangs up */
	/* SMTP */
	char		*helo;
	char		*mail_from;
	struct strv	 rcpt;
	struct buf	 msg;
	bool		 msg_toolong;
	bool		 msg_big;
	char		*sasl_user;	/* AUTH LOGIN, between steps */
	/* IMAP and ManageSieve (msg holds a literal's bytes) */
	size_t		 literal;	/* literal bytes still to come */
	bool		 literal_drop;	/* refused: read and forget them */
	char		*tag;		/* AUTHENTICATE waiting for data */
	struct lab_mbox	*box;		/* selected mailbox */
	uint32_t	*uids;		/* its snapshot */
	size_t		 nuids;
	bool		 selected;
	bool		 readonly;
	/* POP3 */
	char		*user;
	bool		*dele;		/* per message of uids */
	/* ManageSieve: the scripts, in memory for the connection */
	struct strv	 sv_names;
	struct strv	 sv_bodies;
	char		*sv_active;
};

const char	*lab_scn_name(enum lab_scn);
int		 lab_scn_find(const char *);	/* -1: no such scenario */
const char	*lab_conn_scn(const struct lab_conn *);	/* as greeted */
void		 lab_conn_init(struct lab_conn *, enum lab_proto, enum lab_scn,
		    struct lab_store *, bool);	/* true: implicit TLS */
void		 lab_conn_start(struct lab_conn *);	/* the greeting */
void		 lab_conn_input(struct lab_conn *, const void *, size_t);
void		 lab_conn_run(struct lab_conn *);	/* after out drains */
void		 lab_conn_tls_up(struct lab_conn *);
void		 lab_conn_free(struct lab_conn *);
const char	*lab_conn_state_name(const struct lab_conn *);
void		 lab_reply(struct lab_conn *, const char *, ...)
		    PRINTFLIKE(2, 3);
void		 lab_clean(char *, size_t);
bool		 lab_login_ok(const char *, const char *);
int		 lab_sasl_plain(const char *, size_t);	/* 1 ok, 0 no, -1 bad */
bool		 lab_tls_offered(const struct lab_conn *);
bool		 lab_submission_auth(enum lab_scn);

/* class.c */
struct sockaddr_storage;
int		 lab_listen_parse(const char *, struct sockaddr_storage *,
		    socklen_t *, bool *);	/* true: loopback */
void		 lab_cert_addrs(const char *, struct strv *);
int		 lab_kept_keys(const char *, char **, char **, char **,
		    char *, size_t, char *, size_t);
uint32_t	 lab_mystery_seed(void);

bool		 lab_inject(struct lab_conn *);
void		 lab_store_init(struct lab_store *);
int		 lab_store_open(struct lab_store *, const char *, char *,
		    size_t);
void		 lab_store_free(struct lab_store *);
bool		 lab_mbox_name_ok(const char *);
struct lab_mbox	*lab_store_box(const struct lab_store *, const char *);
struct lab_mbox	*lab_store_inbox(const struct lab_store *);
int		 lab_store_create(struct lab_store *, const char *);
#define LAB_CREATE_BAD		(-1)
#define LAB_CREATE_EXISTS	(-2)
#define LAB_CREATE_FULL		(-3)
uint32_t	 lab_store_add(struct lab_store *, struct lab_mbox *,
		    const char *, size_t, bool);	/* true: \Seen */
struct lab_msg	*lab_store_find(const struct lab_mbox *, uint32_t);
void		 lab_store_set_flags(struct lab_store *, struct lab_mbox *,
		    struct lab_msg *, bool, bool);
void		 lab_store_remove(struct lab_store *, struct lab_mbox *,
		    uint32_t);
void		 lab_store_expunge(struct lab_store *, struct lab_mbox *);
uint32_t	 lab_store_parse_name(const char *, bool *, bool *);
int		 lab_store_parse_state(const char *, size_t, uint32_t *,
		    uint32_t *);
char		*lab_store_dir_name(const char *);

void		 lab_smtp_start(struct lab_conn *);
void		 lab_smtp_line(struct lab_conn *, char *, size_t, bool);
void		 lab_smtp_tls(struct lab_conn *);
const char	*lab_smtp_state_name(int);
bool		 lab_smtp_data(const struct lab_conn *);
/* imap.c: APPEND's arguments, the literal's bytes pointing into them. */
struct lab_append {
	char		*mbox;
	bool		 seen;
	bool		 deleted;
	size_t		 size;		/* the message literal's */
	bool		 sync;		/* {n}, not {n+} */
	const char	*msg;		/* once complete */
};
int		 lab_imap_append_parse(const char *, size_t,
		    struct lab_append *);	/* 0 all, 1 head, -1 bad */
bool		 lab_imap_match(const char *, const char *);
void		 lab_imap_start(struct lab_conn *);
void		 lab_imap_line(struct lab_conn *, char *, size_t, bool);
void		 lab_imap_literal(struct lab_conn *, const char *, size_t);
void		 lab_imap_notify(struct lab_conn *);	/* new mail */
void		 lab_imap_tls(struct lab_conn *);
const char	*lab_imap_state_name(int);
bool		 lab_imap_data(const struct lab_conn *);
void		 lab_pop3_start(struct lab_conn *);
void		 lab_pop3_line(struct lab_conn *, char *, size_t, bool);
void		 lab_pop3_tls(struct lab_conn *);
const char	*lab_pop3_state_name(int);
bool		 lab_pop3_data(const struct lab_conn *);
void		 lab_sieve_start(struct lab_conn *);
void		 lab_sieve_line(struct lab_conn *, char *, size_t, bool);
void		 lab_sieve_tls(struct lab_conn *);
const char	*lab_sieve_state_name(int);
bool		 lab_sieve_data(const struct lab_conn *);

/*
 * judge.c: what a client did on one connection, as one verdict on the
 * attack its scenario plays (mailscope lab --judge).
 */
#define JUDGE_CANARY	"CRAM-MD5"	/* offered only by an attacker */

enum judge_attack {
	JA_NONE,		/* the scenario plays no attack here */
	JA_BASELINE,
	JA_STRIPPING,
	JA_INJECTION,
	JA_TAMPERING,
	JA_PREAUTH,
	JA_CERTIFICATE,
	JA_DOWNGRADE,
};

enum judge_tls {
	JT_START,
	JT_UP,
	JT_FAILED,
};

struct judge;
enum judge_attack judge_attack_of(enum lab_scn, enum lab_proto, bool);
const char	*judge_proto_name(enum lab_proto);
struct judge	*judge_new(enum lab_proto, enum lab_scn, bool);
void		 judge_line(struct judge *, const char *, size_t, bool);
void		 judge_tls(struct judge *, enum judge_tls, const char *);
enum judge_verdict judge_verdict(struct judge *, const char **);
void		 judge_report(struct judge *, unsigned, const char *, bool,
		    struct buf *);
void		 judge_free(struct judge *);

#endif /* MAILSCOPE_LAB_INT_H */
