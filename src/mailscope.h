/*
 * mailscope core: everything below the user interface.
 *
 * Data flows one way: socket -> session/protocol -> event log -> views.
 * Nothing in src/ includes curses or readline.  Sections follow the files
 * that implement them.
 */
#ifndef MAILSCOPE_H
#define MAILSCOPE_H

#include <sys/types.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MAILSCOPE_VERSION	"0.1.0"

/* Exit codes, documented in README and mailscope.1. */
#define EXIT_OK			0
#define EXIT_USAGE		1
#define EXIT_PROTO		2	/* connect or protocol failure */
#define EXIT_NOSTARTTLS		3	/* STARTTLS not offered or refused */
#define EXIT_HANDSHAKE		4	/* TLS handshake failed */
#define EXIT_VERIFY		5	/* certificate not verified */
#define EXIT_SECURITY		6	/* security warning: injection */
#define EXIT_PROBE_CMDINJ	7	/* probe: command injection */
#define EXIT_PROBE_WEAK		8	/* probe: TLS < 1.2 or plaintext AUTH */

#define LINE_MAX_BYTES		(64 * 1024)	/* longer lines are split */
#define LITERAL_CHUNK		(64 * 1024)	/* IMAP literal event size */
#define RUN_CHUNK		(64 * 1024)	/* body lines in one event */
#define LITERAL_ABSURD		INT64_C(0xffffffff)	/* over: warned */

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif
#define PRINTFLIKE(a, b) __attribute__((__format__(__printf__, a, b)))

/* util.c */
struct buf {
	char	*p;		/* always NUL-terminated when cap > 0 */
	size_t	 len;
	size_t	 cap;
};

struct strv {
	char	**v;
	size_t	  n;
};

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...) PRINTFLIKE(2, 3);
__dead void fatal(const char *, ...) PRINTFLIKE(1, 2);
__dead void fatalx(const char *, ...) PRINTFLIKE(1, 2);
void	 fatal_set_hook(void (*)(void));

void	 buf_reserve(struct buf *, size_t);	/* room for n more and NUL */
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
void	 buf_vprintf(struct buf *, const char *, va_list);
void	 buf_consume(struct buf *, size_t);
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);

void	 strv_add(struct strv *, const char *);
void	 strv_addn(struct strv *, const char *, size_t);
bool	 strv_has(const struct strv *, const char *);
bool	 strv_offers_credentials(const struct strv *, const char *);
void	 strv_copy(struct strv *, const struct strv *);
void	 strv_clear(struct strv *);

int64_t	 mono_ns(void);
int64_t	 wall_ns(void);
void	 format_wall(int64_t, char *, size_t);	/* ISO 8601 UTC, microseconds */
void	 format_secs(int64_t, char *, size_t);	/* the same from seconds */
size_t	 ascii_run(const char *, size_t);	/* printable ASCII prefix */
int	 b64_encode(const void *, size_t, struct buf *);
int	 b64_decode(const char *, size_t, struct buf *);
int	 strcasecmp_prefix(const char *, size_t, const char *);
int	 c_unescape(const char *, size_t, struct buf *, char *, size_t);
int	 timeout_parse(const char *);	/* seconds to ms, -1: bad */
int	 session_number_arg(const char *, const char *);	/* 0: bad, said */
int	 file_open_write(const char *, int, bool, char *, size_t);
bool	 ehlo_name_ok(const char *);	/* no CR, no LF */

/* loop.c: single-threaded poll loop with fds, timers and signals. */
struct loop;
struct timer;
typedef void	(*io_cb)(int fd, short revents, void *arg);
typedef void	(*timer_cb)(void *arg);
typedef void	(*signal_cb)(int signo, void *arg);

struct loop	*loop_new(void);
void		 loop_free(struct loop *);
void		 loop_add_fd(struct loop *, int, short, io_cb, void *);
void		 loop_set_events(struct loop *, int, short);
void		 loop_del_fd(struct loop *, int);
void		 loop_add_signal(struct loop *, int, signal_cb, void *);
void		 loop_defer(struct loop *, timer_cb, void *);
int		 loop_run_once(struct loop *);	/* -1 when nothing to wait for */
void		 loop_run(struct loop *);	/* until loop_break */
void		 loop_break(struct loop *);
bool		 loop_broken(const struct loop *);
struct timer	*timer_new(struct loop *, timer_cb, void *);
void		 timer_set(struct timer *, int64_t);	/* milliseconds */
void		 timer_cancel(struct timer *);
bool		 timer_pending(const struct timer *);
void		 timer_free(struct timer *);

/* url.c: targets. */
enum proto_id {
	PROTO_SMTP,
	PROTO_LMTP,
	PROTO_IMAP,
	PROTO_POP3,
};

struct target {
	char		*scheme;	/* as written: smtp, submission, ... */
	char		*host;		/* without brackets */
	char		*port;
	enum proto_id	 proto;
	bool		 implicit_tls;	/* smtps, imaps, pop3s */
};

int		 target_parse(const char *, struct target *, char *, size_t);
void		 target_free(struct target *);
const char	*proto_name(enum proto_id);
char		*target_string(const struct target *);

/* net.c: resolution and non-blocking connect. */
struct addrinfo;
struct sockaddr;
int	 net_resolve(const char *, const char *, int, struct addrinfo **,
	    char *, size_t);
int	 net_connect_start(const struct addrinfo *, char *, size_t);
int	 net_connect_done(int, char *, size_t);
void	 net_addr_string(const struct sockaddr *, char *, size_t);
void	 net_local_string(int, char *, size_t);
void	 net_quickack(int);

/* event.c: the event log, the single source of truth. */
enum ev_kind {
	EV_CONNECT,		/* connection up (or attempt described) */
	EV_DATA,		/* bytes one side sent */
	EV_TLS_STEP,		/* a handshake message, data = step name */
	EV_TLS_ESTABLISHED,	/* x->tls holds the facts */
	EV_VERIFY,		/* x->tls holds the verdict */
	EV_CAPDIFF,		/* x->added, x->removed */
	EV_INFO,
	EV_WARNING,		/* x->code names the class */
	EV_ERROR,
	EV_NOTE,		/* user annotation */
	EV_MARK,		/* user bookmark, data = name */
	EV_CLOSE,
	EV_KIND_MAX
};

enum ev_dir {
	DIR_CLIENT,
	DIR_SERVER,
	DIR_LOCAL,
};

enum ev_chan {
	CHAN_PLAIN,
	CHAN_TLS,
};

/* Event flags: what the framer or the session noticed about the bytes. */
#define EVF_BARE_LF	0x0001	/* line ended with LF alone */
#define EVF_BARE_CR	0x0002	/* CR not followed by LF inside the line */
#define EVF_SPLIT	0x0004	/* over LINE_MAX_BYTES: continues in next */
#define EVF_NUL		0x0008	/* contains NUL bytes */
#define EVF_NOEOL	0x0010	/* connection ended before the line did */
#define EVF_LITERAL	0x0020	/* IMAP literal content chunk */
#define EVF_DOTSTUFF	0x0040	/* a leading dot was removed (POP3/SMTP) */
#define EVF_REDACTED	0x0080	/* data is the redacted form */
#define EVF_INJECTED	0x0100	/* bytes after the STARTTLS go-ahead */
#define EVF_END		0x0200	/* last line of a response */
#define EVF_LATE	0x0400	/* reply to a command that timed out */
#define EVF_BODY	0x0800	/* message body (SMTP DATA, RETR, FETCH) */
#define EVF_MALFORMED	0x1000	/* did not parse as the protocol says */
#define EVF_UNSOLICITED	0x2000	/* server spoke with nothing pending */
#define EVF_NOREDACT	0x4000	/* secret kept on request (--no-redact) */
#define EVF_SECURITY	0x8000	/* security relevant: flush recordings */
#define EVF_LINES	0x10000	/* body lines, each with its CRLF, in one */

/*
 * The flags every view shows beside a line: the screen, batch and each
 * export.  A redacted line says "[redacted: ...]" itself.
 */
#define EVF_SHOWN	(EVF_BARE_LF | EVF_BARE_CR | EVF_SPLIT | EVF_NUL | \
	EVF_NOEOL | EVF_DOTSTUFF | EVF_INJECTED | EVF_LATE | EVF_MALFORMED | \
	EVF_UNSOLICITED | EVF_NOREDACT)

struct tls_facts;

struct ev_extra {
	char			*code;	/* warning/error class */
	struct tls_facts	*tls;
	struct strv		 added;
	struct strv		 removed;
};

/*
 * 32 bytes: a million transcript lines cost little more than their text.
 * The rare extra (ev_extra()) is kept in the log just before the bytes.
 */
struct event {
	int64_t		 t_ns;	/* monotonic, since the log began */
	const char	*data;	/* exact bytes, NUL-terminated for ease */
	uint32_t	 seq;
	uint32_t	 len;
	uint32_t	 flags;
	uint8_t		 kind;
	uint8_t		 dir;
	uint8_t		 chan;
	uint8_t		 has_x;	/* set by the log */
};

/*
 * evlog_append copies the template and the bytes; evlog_append_x also
 * takes ownership of x.  Subscribers run synchronously, in subscription
 * order.  With retain=false the event passed to them is valid only during
 * the call.
 */
struct evlog;
typedef void	(*ev_sub)(const struct event *, void *);

struct evlog	*evlog_new(bool);	/* true: keep every event */
void		 evlog_free(struct evlog *);
void		 evlog_subscribe(struct evlog *, ev_sub, void *);
void		 evlog_unsubscribe(struct evlog *, ev_sub, void *);
const struct event *evlog_append(struct evlog *, const struct event *,
		    const void *, size_t);
const struct event *evlog_append_x(struct evlog *, const struct event *,
		    struct ev_extra *, const void *, size_t);
const struct ev_extra *ev_extra(const struct event *);
bool		 ev_is_chunk(const struct event *);
bool		 ev_chunk_line(const struct event *, size_t *, const char **,
		    size_t *, bool *);
size_t		 evlog_count(const struct evlog *);
size_t		 evlog_bytes(const struct evlog *);
#define EVLOG_MAX_DEFAULT	((size_t)128 * 1024 * 1024)
size_t		 evlog_max(void);	/* MAILSCOPE_LOG_MAX, in bytes */
const struct event *evlog_get(const struct evlog *, size_t);
void		 evlog_keep_times(struct evlog *);
struct ev_extra	*ev_extra_dup(const struct ev_extra *);
void		 ev_extra_free(struct ev_extra *);
int64_t		 evlog_wall_base(const struct evlog *);
void		 evlog_set_wall_base(struct evlog *, int64_t);
int64_t		 evlog_wall(const struct evlog *, const struct event *);
int64_t		 evlog_now(const struct evlog *);
const char	*ev_kind_name(enum ev_kind);
const char	*ev_dir_name(enum ev_dir);
const char	*ev_chan_name(enum ev_chan);
int		 ev_kind_from_name(const char *);
int		 ev_dir_from_name(const char *);
int		 ev_chan_from_name(const char *);
const char	*ev_flag_name(uint32_t);	/* one bit */
uint32_t	 ev_flag_from_name(const char *);
void		 ev_local(struct evlog *, enum ev_kind, enum ev_chan,
		    const char *, const char *, ...) PRINTFLIKE(5, 6);

/* sanitize.c: bytes -> terminal-safe text.  The one gate to every view. */
struct san_span {
	const char	*p;
	size_t		 len;
	bool		 escape;	/* a visible escape, not the text */
};
typedef void	(*san_cb)(const struct san_span *, void *);

size_t		 sanitize(const char *, size_t, struct buf *);
size_t		 sanitize_spans(const char *, size_t, san_cb, void *);

/* tls.c: GnuTLS client side, non-blocking, and the facts it learns. */
struct tls_cert {
	char		*subject;
	char		*issuer;
	struct strv	 san;		/* "DNS:mail.test", "IP:127.0.0.1" */
	char		*serial;	/* hex */
	int64_t		 not_before;	/* unix seconds */
	int64_t		 not_after;
	char		*key;		/* "RSA 2048", "ECDSA P-256" */
	char		*sigalg;
	char		 sha256[96];	/* AB:CD:... */
	char		 pin_sha256[64];	/* base64 of the SPKI hash */
	bool		 is_ca;
};

struct tls_verify {
	bool		 checked;
	bool		 ok;
	unsigned	 status;	/* gnutls_certificate_status_t bits */
	char		*hostname;	/* the name checked */
	char		*matched;	/* the SAN/CN that matched, if any */
	struct strv	 reasons;	/* plain words, one per failure */
	char		*trust;		/* Verified, Untrusted, ... */
};

struct tls_facts {
	char		*version;	/* "TLS1.3" */
	char		*cipher;	/* "TLS_AES_256_GCM_SHA384" */
	char		*kx;		/* "ECDHE-RSA", "(EC)DHE" */
	char		*group;		/* "X25519" */
	char		*mac;
	char		*sigalg;	/* server signature */
	char		*sni;		/* NULL when none sent */
	char		*alpn;
	bool		 resumed;
	char		*ocsp;		/* "none", "good", "revoked", "invalid" */
	char		*desc;		/* gnutls_session_get_desc */
	struct tls_cert	*chain;
	size_t		 nchain;
	struct tls_verify verify;
};

struct tls_opts {
	const char	*cafile;	/* NULL: system trust */
	const char	*priority;	/* NULL: NORMAL without TLS 1.0/1.1 */
	const char	*sni;		/* NULL: host unless an IP literal */
	const char	*verify_host;	/* name the certificate must hold */
	const char	*client_cert;
	const char	*client_key;
	const char	*keylog;	/* NSS key log file */
	int		 timeout_ms;
};

#define TLS_AGAIN	(-2)
struct tls_client;
typedef void	(*tls_step_cb)(const char *, void *);

struct tls_client *tls_client_new(const struct tls_opts *, int,
		    tls_step_cb, void *, char *, size_t);
int		 tls_handshake(struct tls_client *);	/* 1 done, TLS_AGAIN, -1 */
ssize_t		 tls_read(struct tls_client *, void *, size_t);
ssize_t		 tls_write(struct tls_client *, const void *, size_t);
int		 tls_bye(struct tls_client *);	/* 1 done, TLS_AGAIN, -1 */
bool		 tls_want_write(struct tls_client *);
size_t		 tls_pending(struct tls_client *);
const char	*tls_error(struct tls_client *);
struct tls_facts *tls_get_facts(struct tls_client *);	/* caller frees */
void		 tls_client_free(struct tls_client *);
struct tls_facts *tls_facts_dup(const struct tls_facts *);
void		 tls_facts_free(struct tls_facts *);
bool		 tls_keylog_env(void);	/* SSLKEYLOGFILE is set */
const char	*tls_facts_summary(const struct tls_facts *, struct buf *);
size_t		 tls_chain_misorder(const struct tls_facts *);
unsigned	 tls_dh_bits(struct tls_client *);	/* 0: no finite-field DH */

/* The session facts every view lists, in one order with one wording. */
struct tls_field {
	const char	*label;		/* short: "kx" */
	const char	*title;		/* for handouts: "Key exchange" */
	const char	*value;		/* NULL when unknown */
};
#define TLS_FIELDS	11
void		 tls_facts_fields(const struct tls_facts *,
		    struct tls_field[TLS_FIELDS]);

/* certgen.c: CA and server certificates made in memory (lab, tests). */
struct certgen_opts {
	const char	*cn;
	struct strv	 dns;		/* SAN DNS names */
	struct strv	 ip;		/* SAN IP addresses */
	int64_t		 not_before;
	int64_t		 not_after;
	bool		 self_signed;
};
int	 certgen_ca(const char *, char **, char **, char *, size_t);
int	 certgen_server(const struct certgen_opts *, const char *,
	    const char *, char **, char **, char *, size_t);

/* lab.c: the teaching server on loopback (lab_smtp.c, lab_imap.c,
 * lab_pop3.c hold the per-protocol state machines). */
struct lab_opts {
	const char	*scenario;	/* NULL: "good" */
	int		 port_base;	/* 0: the kernel picks free ports */
	const char	*keep_certs;	/* NULL: a private temp dir */
};

struct lab_info {
	int		 smtp_port;		/* base+0, STARTTLS offered */
	int		 submission_port;	/* base+1, STARTTLS */
	int		 smtps_port;		/* base+2, implicit TLS */
	int		 imap_port;		/* base+3, STARTTLS */
	int		 imaps_port;		/* base+4 */
	int		 pop3_port;		/* base+5, STLS */
	int		 pop3s_port;		/* base+6 */
	char		*ca_path;
	char		*dir;
	pid_t		 pid;		/* lab_spawn: the child */
	int		 lifeline;	/* lab_spawn: its end closes the lab */
	bool		 keep;		/* dir is --keep-certs: left alone */
};

int		 lab_main(int, char **);
int		 lab_spawn(const struct lab_opts *, struct lab_info *, char *,
		    size_t);
void		 lab_stop(struct lab_info *);
const char *const *lab_scenarios(void);
const char	*lab_scenario_desc(const char *);

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
	SCN_MAX
};

#define LAB_HOST	"lab.mailscope.test"
#define LAB_USER	"demo"
#define LAB_PASS	"demo"
#define LAB_LINE_MAX	(8 * 1024)
#define LAB_MSG_MAX	(2 * 1024 * 1024)	/* SMTP SIZE */
#define LAB_STORE_MAX	100			/* oldest dropped */
#define LAB_STORE_BYTES	(32 * 1024 * 1024)
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

struct lab_store {
	struct lab_msg	**msgs;
	size_t		  n;
	size_t		  bytes;
	uint32_t	  uidvalidity;
	uint32_t	  uidnext;
};

/*
 * One client as the protocol machines see it: bytes in, bytes out, and
 * flags the socket side acts on.  No socket here, so tests can drive it.
 */
struct lab_conn {
	enum proto_id	 proto;
	enum lab_scn	 scn;
	struct lab_store *store;
	bool		 tls;		/* inside TLS now */
	bool		 authed;
	int		 state;		/* the protocol's STATE_* */
	struct buf	 in;
	struct buf	 out;
	bool		 discarding;	/* inside an overlong line */
	bool		 want_tls;	/* go-ahead queued: handshake next */
	size_t		 injected;	/* plaintext after the go-ahead */
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
	/* IMAP (msg holds a command that carries literals) */
	size_t		 literal;	/* literal bytes still to come */
	bool		 literal_drop;	/* refused: read and forget them */
	char		*tag;		/* AUTHENTICATE waiting for data */
	uint32_t	*uids;		/* selected mailbox snapshot */
	size_t		 nuids;
	bool		 selected;
	bool		 readonly;
	/* POP3 */
	char		*user;
	bool		*dele;		/* per message of uids */
};

const char	*lab_scn_name(enum lab_scn);
void		 lab_conn_init(struct lab_conn *, enum proto_id, enum lab_scn,
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
void		 lab_store_init(struct lab_store *);
void		 lab_store_free(struct lab_store *);
uint32_t	 lab_store_add(struct lab_store *, const char *, size_t);
struct lab_msg	*lab_store_find(const struct lab_store *, uint32_t);
void		 lab_store_expunge(struct lab_store *);

void		 lab_smtp_start(struct lab_conn *);
void		 lab_smtp_line(struct lab_conn *, char *, size_t, bool);
void		 lab_smtp_tls(struct lab_conn *);
const char	*lab_smtp_state_name(int);
void		 lab_imap_start(struct lab_conn *);
void		 lab_imap_line(struct lab_conn *, char *, size_t, bool);
void		 lab_imap_literal(struct lab_conn *, const char *, size_t);
void		 lab_imap_notify(struct lab_conn *);	/* new mail */
void		 lab_imap_tls(struct lab_conn *);
const char	*lab_imap_state_name(int);
void		 lab_pop3_start(struct lab_conn *);
void		 lab_pop3_line(struct lab_conn *, char *, size_t, bool);
void		 lab_pop3_tls(struct lab_conn *);
const char	*lab_pop3_state_name(int);

/* proto.c: one line-protocol engine, per-protocol hooks (smtp.c, imap.c,
 * pop3.c). */
enum reply_status {
	RS_NONE,		/* not a status line (data, untagged info) */
	RS_OK,			/* 2xx, OK, +OK */
	RS_INTERMEDIATE,	/* 3xx, "+ " continuation */
	RS_TEMPFAIL,		/* 4xx */
	RS_NO,			/* 5xx, NO, -ERR */
	RS_BAD,			/* IMAP BAD */
	RS_BYE,			/* IMAP BYE */
	RS_PREAUTH,		/* IMAP PREAUTH greeting */
};

struct pp_line {
	const char	*buf;		/* the line without its end of line */
	size_t		 len;
	uint32_t	 flags;		/* EVF_* */
	enum reply_status status;
	int		 code;		/* SMTP reply code, -1 if none */
	char		 esc[16];	/* enhanced status code "5.7.0" */
	const char	*tag;		/* IMAP tag of a tagged reply */
	bool		 greeting;	/* part of the greeting */
	bool		 final;		/* completes the pending command */
	bool		 starttls_ok;	/* STARTTLS go-ahead */
	bool		 starttls_refused;
	const char	*verb;		/* command this answers, if known */
	int64_t		 literal;	/* IMAP: octets announced by {n} */
};

struct pp;
typedef void	(*pp_line_cb)(const struct pp_line *, void *);

struct pp	*pp_new(enum proto_id, pp_line_cb, void *);
void		 pp_free(struct pp *);
void		 pp_feed(struct pp *, const char *, size_t);
void		 pp_eof(struct pp *);	/* flush a partial line */
int		 pp_command(struct pp *, const char *, size_t, struct buf *);
size_t		 pp_pending(const struct pp *);	/* replies awaited */
bool		 pp_data_mode(const struct pp *);	/* SMTP after 354 */
bool		 pp_wants_continuation(const struct pp *);
size_t		 pp_take_buffered(struct pp *, struct buf *);
const struct strv *pp_caps(const struct pp *);
bool		 pp_caps_known(const struct pp *);
bool		 pp_caps_partial(const struct pp *);	/* a greeting's */
void		 pp_caps_reset(struct pp *);
void		 pp_expect_greeting(struct pp *);
void		 pp_timeout(struct pp *);	/* oldest pending timed out */
const char	*pp_starttls_cmd(const struct pp *);
const char	*pp_caps_cmd(const struct pp *, const char *);
const char	*pp_quit_cmd(const struct pp *);
const char	*pp_next_tag(const struct pp *);
bool		 pp_cap_starttls(const struct pp *);
const char *const *pp_verbs(enum proto_id);
int64_t		 pp_expected_size(const struct pp *);	/* -1: none known */
int64_t		 pp_received_size(const struct pp *);

/*
 * Notes on the engine's promises:
 * - The final line of a response carries its status (a POP3 "." too).
 * - line->final is also set on a continuation (SMTP 334, IMAP "+", POP3
 *   "+ "): it ends the server's turn; the command stays pending and
 *   pp_wants_continuation() is true until the client's next line.
 * - pp_expected_size()/pp_received_size() describe the IMAP literal or
 *   POP3 message being received; both reset when its response ends.
 * - pp_pending() counts commands whose reply is awaited, leaving out
 *   those that timed out (pp_timeout) and those waiting for the client.
 * - After a line with starttls_ok every later byte is held, unparsed,
 *   until pp_take_buffered(); calling it from the callback of that line
 *   already returns the rest of the same feed.
 * - The callback may call pp_command, pp_feed, pp_eof, pp_timeout,
 *   pp_take_buffered and the queries; never pp_free.
 */

/* Engine state shared by proto.c and the hooks in smtp.c, imap.c and
 * pop3.c; other parts use only the functions above. */
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
	const char *const *verbs;
};

extern const struct proto_ops smtp_ops, lmtp_ops, imap_ops, pop3_ops;

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
size_t		 pp_word(const char *, size_t, size_t, size_t *);

/* redact.c: credentials never reach a view or a file. */
struct redactor;
struct redactor	*redactor_new(enum proto_id);
void		 redactor_free(struct redactor *);
bool		 redact_client(struct redactor *, const char *, size_t,
		    struct buf *);
bool		 redact_peek(const struct redactor *, const char *, size_t,
		    struct buf *);
void		 redact_server(struct redactor *, const struct pp_line *);

/* session.c: connection + protocol + TLS + event log. */
struct secret_verdict;

enum session_state {
	STATE_DISCONNECTED,
	STATE_CONNECTING,
	STATE_TLS_CONNECT,	/* implicit TLS handshake */
	STATE_PLAIN,
	STATE_STARTTLS_WAIT,	/* STARTTLS sent, go-ahead awaited */
	STATE_HANDSHAKE,
	STATE_TLS,
	STATE_CLOSING,
	STATE_CLOSED,
	STATE_MAX
};

struct session_opts {
	struct target	 target;
	const char	*cafile;
	bool		 insecure;
	const char	*priority;
	const char	*sni;
	const char	*client_cert;
	const char	*client_key;
	const char	*keylog;
	const char	*ehlo;		/* EHLO/LHLO name */
	bool		 starttls;	/* do STARTTLS by itself */
	bool		 require_tls;	/* never send secrets in plaintext */
	bool		 allow_plaintext_auth;	/* consent: secrets without TLS */
	bool		 allow_unverified_auth;	/* consent: unverified TLS */
	const char	*password_file;	/* batch :auth, probe --auth */
	bool		 allow_injection;
	bool		 no_redact;
	int		 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	int		 timeout_ms;
};

/* What the session tells its owner. */
enum session_note {
	SN_STATE,		/* state changed */
	SN_READY,		/* no reply pending: next command may go */
	SN_CLOSED,		/* connection gone; exit code is final */
	SN_PROGRESS,		/* bytes of a long response arrived */
	SN_TIMEOUT,		/* a reply did not complete in time */
};

struct session;
typedef void	(*session_cb)(struct session *, enum session_note, void *);

struct session	*session_new(struct loop *, struct evlog *,
		    const struct session_opts *, session_cb, void *);
void		 session_free(struct session *);
int		 session_connect(struct session *);
int		 session_send(struct session *, const char *, size_t);
int		 session_send_raw(struct session *, const char *, size_t);
bool		 session_is_secret(const struct session *, const char *,
		    size_t);
void		 session_secret_verdict(const struct session *,
		    struct secret_verdict *);
void		 session_secret_consent(struct session *);
int		 session_auth(struct session *, const char *, const char *,
		    const char *);
int		 session_starttls(struct session *);
int		 session_starttls_inject(struct session *, const char *);
void		 session_quit(struct session *);
void		 session_close(struct session *, const char *);
enum session_state session_state(const struct session *);
enum ev_chan	 session_chan(const struct session *);
const char	*session_state_name(enum session_state);
const struct tls_facts *session_tls(const struct session *);
int		 session_exit_code(const struct session *);
const char	*session_end_reason(const struct session *, int, int);
bool		 session_idle(const struct session *);
struct pp	*session_pp(const struct session *);
const struct session_opts *session_opts(const struct session *);
uint64_t	 session_bytes_in(const struct session *);
uint64_t	 session_bytes_out(const struct session *);

/* auth.c: when a credential may leave, and how it is built. */
struct secret_state {
	bool		 tls;		/* inside TLS now */
	bool		 verified;	/* its certificate verified */
	bool		 require_tls;
	bool		 allow_plaintext;	/* the option, or a yes */
	bool		 allow_unverified;
};

struct secret_verdict {
	bool		 may;		/* it may go now */
	bool		 ask;		/* not now; the user's consent would do */
	const char	*code;		/* NULL: safe; else the warning class */
	const char	*why;		/* one sentence, with the override */
	const char	*risk;		/* "in plaintext", ... NULL: safe */
};

void	 secret_verdict(const struct secret_state *, struct secret_verdict *);
int	 sasl_build(enum proto_id, const char *, const char *, const char *,
	    bool, struct buf *, struct strv *);
void	 sasl_clear(struct buf *, struct strv *);
int	 secret_read(const char *, struct buf *, char *, size_t);
void	 secret_protect_process(void);

/*
 * options.c: the connection, TLS and consent options the main command
 * and probe share, parsed by one function.  SESSION_LONGOPTS goes into a
 * getopt_long table; session_option() returns 1 when ch was one of
 * them, 0 when not, -1 with err set.
 */
enum {
	SOPT_TIMEOUT = 512,
	SOPT_CAFILE,
	SOPT_PRIORITY,
	SOPT_SNI,
	SOPT_CLIENT_CERT,
	SOPT_CLIENT_KEY,
	SOPT_EHLO,
	SOPT_ALLOW_PLAINTEXT_AUTH,
	SOPT_ALLOW_UNVERIFIED_AUTH,
	SOPT_PASSWORD_FILE,
};
#define SESSION_LONGOPTS						\
	{ "timeout",		required_argument, NULL, SOPT_TIMEOUT },	\
	{ "cafile",		required_argument, NULL, SOPT_CAFILE },	\
	{ "tls-priority",	required_argument, NULL, SOPT_PRIORITY },	\
	{ "sni",		required_argument, NULL, SOPT_SNI },	\
	{ "client-cert",	required_argument, NULL, SOPT_CLIENT_CERT }, \
	{ "client-key",		required_argument, NULL, SOPT_CLIENT_KEY }, \
	{ "ehlo",		required_argument, NULL, SOPT_EHLO },	\
	{ "allow-plaintext-auth", no_argument, NULL,			\
	    SOPT_ALLOW_PLAINTEXT_AUTH },					\
	{ "allow-unverified-auth", no_argument, NULL,			\
	    SOPT_ALLOW_UNVERIFIED_AUTH },					\
	{ "password-file",	required_argument, NULL, SOPT_PASSWORD_FILE }
#define SESSION_SHORTOPTS	"46"

int	 session_option(struct session_opts *, int, const char *, char *,
	    size_t);
int	 session_options_check(const struct session_opts *, char *, size_t);

/* batch.c: the batch view (text and --json) and its driver. */
struct batch_opts {
	bool		 json;
	const char	*script;	/* file of commands */
	struct strv	 commands;	/* -c */
	const char	*record;
	bool		 explain;	/* glosses under the lines (text) */
};
int	 batch_main(const struct session_opts *, const struct batch_opts *);
void	 batch_print_event(const struct evlog *, const struct event *,
	    struct buf *, bool *);
void	 batch_print_chunk(const struct event *, const char *, struct buf *,
	    bool *);
void	 batch_print_tls(const struct tls_facts *, int64_t, struct buf *);
void	 batch_print_flags(const struct event *, struct buf *);

/* probe.c: mailscope probe URL. */
int	 probe_main(int, char **);

/* export.c: mailscope export --format txt|md|html FILE. */
int	 export_main(int, char **);

/*
 * json.c: events <-> JSON Lines (jansson), and the header and trailer
 * lines of a recording.  Strings are returned malloc'd, on one line, in
 * ASCII with every control character but DEL escaped.
 */
struct recording_info {
	char		*version;	/* mailscope version that wrote it */
	char		*target;
	int64_t		 start;		/* wall clock, ns since the epoch */
	bool		 redacted;
	char		*options;	/* the options object, as JSON */
	bool		 ended;		/* a trailer was read */
	int64_t		 end;
	char		*reason;	/* quit, server closed, error, signal */
	uint64_t	 events;	/* as the trailer counts them */
	bool		 truncated;	/* loading stopped at a bad line */
	char		*damage;	/* then: "line N: why" */
	unsigned	 nth;		/* the one loaded, from 1 */
	unsigned	 count;		/* recordings in the file */
};

enum rec_line {
	REC_EVENT,
	REC_HEADER,
	REC_TRAILER,
};

void	 event_json(const struct evlog *, const struct event *, struct buf *);
char	*event_to_json(const struct evlog *, const struct event *);
int	 event_from_json(struct evlog *, const char *, char *, size_t);
char	*recording_header_json(const struct evlog *,
	    const struct session_opts *);
char	*recording_trailer_json(const struct evlog *, const char *);
char	*recording_info_header_json(const struct recording_info *);
char	*recording_info_trailer_json(const struct recording_info *,
	    uint64_t);
int	 recording_parse_line(struct evlog *, const char *,
	    struct recording_info *, char *, size_t);	/* enum rec_line */
void	 recording_info_free(struct recording_info *);

/*
 * record.c: crash-safe recordings.  One event is one line, never split
 * over two write(2)s on an O_APPEND descriptor (with a loop, those of one
 * turn of it go in one write), security events are flushed to the disk,
 * and a write error stops the recording, never the session.  The owner
 * must ignore SIGXFSZ so a file size limit is an error, not the end.
 */
struct recorder;
typedef void	(*recorder_fail_cb)(const char *, void *);

struct recorder	*recorder_open(const char *, struct evlog *, const char *,
		    char *, size_t);
/* The same, then every event already in the (retained) log first. */
struct recorder	*recorder_open_replaying(const char *, struct evlog *,
		    const char *, char *, size_t);
void		 recorder_set_loop(struct recorder *, struct loop *);
void		 recorder_set_fail_cb(struct recorder *, recorder_fail_cb,
		    void *);
void		 recorder_close(struct recorder *, const char *);
bool		 recorder_failed(const struct recorder *);
const char	*recorder_error(const struct recorder *);
int		 recording_load(const char *, unsigned, struct evlog *,
		    struct recording_info *, char *, size_t);
/* A whole log as a new file (never an existing one), header and trailer
 * rebuilt from info. */
int		 recording_save(const char *, const struct evlog *,
		    const struct recording_info *, char *, size_t);

/*
 * explain.c, explain_data.c: plain-language glosses with references, all
 * in one set of tables.  Lookups ignore case; XT_VERIFY matches by prefix
 * (the longest wins), XT_TLS_STEP by the message name inside the step.
 * explain_event appends one line per gloss, "label: text (ref)\n" (the
 * label is sanitized wire text) or "text (ref)\n", and returns how many;
 * with a retained log it uses the command each reply answers.
 */
enum explain_table {
	XT_SMTP_CLASS,		/* "2".."5": reply code classes */
	XT_SMTP_CODE,		/* "250" */
	XT_ESC_CLASS,		/* "2", "4", "5": enhanced status classes */
	XT_ESC_SUBJECT,		/* "X.7.X" */
	XT_ESC_DETAIL,		/* "X.7.1" */
	XT_EHLO,		/* EHLO keywords */
	XT_SASL,		/* SASL mechanisms */
	XT_IMAP_STATUS,		/* "*", "+", "TAGGED", OK ... PREAUTH */
	XT_IMAP_CODE,		/* [ALERT] ... */
	XT_IMAP_CAP,		/* capability atoms; "AUTH=" is a family */
	XT_IMAP_DATA,		/* untagged data: EXISTS, FETCH ... */
	XT_POP3_STATUS,		/* +OK, -ERR, "+", "." */
	XT_POP3_CAPA,		/* CAPA tags */
	XT_POP3_CODE,		/* [IN-USE] ... */
	XT_CMD_SMTP,		/* SMTP and LMTP verbs */
	XT_CMD_IMAP,
	XT_CMD_POP3,
	XT_TLS_STEP,		/* handshake messages */
	XT_TLS_FIELD,		/* TLS panel field names */
	XT_TRUST,		/* Verified, Trusted, Untrusted, Anonymous */
	XT_VERIFY,		/* verification failure reason prefixes */
	XT_WARNING,		/* x->code of warnings, errors and infos */
	XT_FLAG,		/* ev_flag_name() names */
	XT_LESSON,		/* explain_event's own sentences */
	XT_MAX
};

struct explain_entry {
	const char	*key;
	const char	*text;		/* plain words ending in "(ref)" */
	const char	*ref;		/* RFC, CVE or paper */
};

size_t		 explain_table(enum explain_table,
		    const struct explain_entry **);
const char	*explain_table_name(enum explain_table);
const struct explain_entry *explain_lookup(enum explain_table, const char *);
const char	*explain_gloss(enum explain_table, const char *);
const char	*explain_warning(const char *);
const char	*explain_command(enum proto_id, const char *);
const char	*explain_tls_field(const char *);
const char	*explain_tls_step(const char *);
const char	*explain_verify_reason(const char *);
const char	*explain_starttls(enum proto_id);
int		 explain_event(const struct evlog *, const struct event *,
		    enum proto_id, struct buf *);	/* glosses added */
/* The same for events as they come, in a log that keeps none (batch):
 * st, zeroed at the start, carries the verb of the last command. */
struct explain_state {
	char		 verb[64];
};
int		 explain_stream(struct explain_state *, const struct event *,
		    enum proto_id, struct buf *);

#endif /* MAILSCOPE_H */
