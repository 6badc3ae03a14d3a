/* SPDX-License-Identifier: ISC */
/*
 * log: the event log, the single source of truth, and what it carries:
 * the bytes each side sent with what was noticed about them, the TLS
 * facts, and their recordings (JSON Lines).
 */
#ifndef MAILSCOPE_LOG_H
#define MAILSCOPE_LOG_H

#include "base/base.h"

/* The protocol a session speaks. */
enum proto_id {
	PROTO_SMTP,
	PROTO_LMTP,
	PROTO_IMAP,
	PROTO_POP3,
	PROTO_SIEVE,
};
const char	*proto_name(enum proto_id);

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
	EV_STATE,		/* session state changed, data = its name */
	EV_CAPS,		/* a capability list completed, x->caps */
	EV_READY,		/* nothing awaited: the client's turn */
	EV_DNS,			/* a DNS answer used, x->dns */
	EV_VERDICT,		/* judge: a client's verdict, x->code */
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
#define EVF_PIPELINED	0x20000	/* sent in a group, or answers one of it */

/*
 * The flags every view shows beside a line: the screen, batch and each
 * export.  A redacted line says "[redacted: ...]" itself.
 */
#define EVF_SHOWN	(EVF_BARE_LF | EVF_BARE_CR | EVF_SPLIT | EVF_NUL | \
	EVF_NOEOL | EVF_DOTSTUFF | EVF_INJECTED | EVF_LATE | EVF_MALFORMED | \
	EVF_UNSOLICITED | EVF_NOREDACT | EVF_PIPELINED)

struct tls_facts;
struct dns_answer;

struct ev_extra {
	char			*code;	/* warning/error class */
	struct tls_facts	*tls;
	struct strv		 added;
	struct strv		 removed;
	struct strv		 caps;	/* EV_CAPS: the list */
	struct dns_answer	*dns;	/* EV_DNS */
};

/*
 * What the engine decided a line is (the one parser of replies is the
 * engine's, src/core/proto/).  Server lines: the status, the SMTP code,
 * the enhanced code, the tag, the command answered; client lines: the
 * verb, the tag, whether it carries a credential.  EV_CAPS: the command
 * that listed them (verb 0 with EVC_GREETING: the greeting).  A verb is
 * one of the protocols' own, never a word of whatever else a client sent
 * (that may be a secret's first word).
 */
enum reply_status {
	RS_NONE,		/* not a status line (data, untagged info) */
	RS_OK,			/* 2xx, OK, +OK */
	RS_INTERMEDIATE,	/* 3xx, "+ " continuation */
	RS_TEMPFAIL,		/* 4xx */
	RS_NO,			/* 5xx, NO, -ERR */
	RS_BAD,			/* IMAP BAD */
	RS_BYE,			/* IMAP BYE */
	RS_PREAUTH,		/* IMAP PREAUTH greeting */
	RS_MAX
};

#define EVC_FINAL	0x01	/* completes the command (or its turn) */
#define EVC_CONT	0x02	/* continuation: the client answers next */
#define EVC_GREETING	0x04	/* part of the greeting */
#define EVC_TLS_GO	0x08	/* STARTTLS go-ahead */
#define EVC_TLS_CMD	0x08	/* client line: the STARTTLS/STLS command */
#define EVC_OFFERS_TLS	0x08	/* EV_CAPS: the list offers STARTTLS/STLS */
#define EVC_TLS_NO	0x10	/* STARTTLS refused */
#define EVC_SECRET	0x20	/* client line bearing a credential */
#define EVC_TLS_CAP	0x20	/* server line: lists STARTTLS/STLS */
#define EVC_PARTIAL	0x40	/* EV_CAPS: a greeting's, may lack some */
#define EVC_TLS_MASKED	0x40	/* server line: X's where STARTTLS was */
#define EVC_AUTHED	0x80	/* EV_CAPS: after authentication */

struct ev_class {
	uint16_t	 code;		/* SMTP/LMTP reply code, 0: none */
	uint8_t		 status;	/* enum reply_status */
	uint8_t		 verb;		/* ev_verb_id(), 0: none or unknown */
	uint8_t		 tag;		/* IMAP: length of the tag the line
					 * starts with, 0: none */
	uint8_t		 bits;		/* EVC_* */
	uint8_t		 esc_off;	/* enhanced code "5.7.0" in the data */
	uint8_t		 esc_len;	/* 0: none */
};

/*
 * 32 bytes: a million transcript lines cost little more than their text.
 * The rare extra (ev_extra()) is kept in the log just before the bytes;
 * the sequence number is the event's place in the log (ev_seq()).
 */
struct event {
	int64_t		 t_ns;	/* monotonic, since the log began */
	const char	*data;	/* exact bytes, NUL-terminated for ease */
	uint32_t	 len;
	uint32_t	 flags : 20;	/* EVF_* */
	uint32_t	 kind : 5;	/* enum ev_kind */
	uint32_t	 dir : 2;	/* enum ev_dir */
	uint32_t	 chan : 2;	/* enum ev_chan */
	uint32_t	 has_x : 1;	/* set by the log */
	struct ev_class	 cls;
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
uint64_t	 ev_body_lines(const struct event *, bool *);
uint64_t	 ev_lines(const char *, size_t, bool *);
size_t		 evlog_count(const struct evlog *);
uint32_t	 ev_seq(const struct evlog *, const struct event *);
size_t		 evlog_bytes(const struct evlog *);
#define EVLOG_MAX_DEFAULT	((size_t)128 * 1024 * 1024)
size_t		 evlog_max(void);	/* MAILSCOPE_LOG_MAX, in bytes */
const struct event *evlog_get(const struct evlog *, size_t);
const struct event *evlog_at(const struct evlog *, size_t);
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
size_t		 ev_wire_len(const struct event *);	/* with its line end */
bool		 ev_code_is(const struct event *, const char *);
bool		 ev_is_trace(const struct event *);	/* no transcript line */
/* The classification, read. */
unsigned	 ev_verb_id(const char *);	/* 0: not a verb of ours */
const char	*ev_verb(const struct event *);	/* NULL: none */
bool		 ev_verb_is(const struct event *, const char *);
size_t		 ev_tag(const struct event *, const char **);
size_t		 ev_esc(const struct event *, const char **);
const char	*ev_status_name(enum reply_status);
int		 ev_status_from_name(const char *);


/* facts.c: what a TLS handshake taught, as the log keeps it. */
struct tls_cert {
	char		*subject;
	char		*issuer;
	struct strv	 san;		/* "DNS:mail.test", "IP:127.0.0.1" */
	char		*serial;	/* hex */
	int64_t		 not_before;	/* unix seconds */
	int64_t		 not_after;
	char		*key;		/* "RSA 2048", "ECDSA SECP256R1" */
	char		*key_type;	/* "RSA", "ECDSA", "EdDSA (Ed25519)" */
	unsigned	 key_bits;	/* 0: unknown */
	char		*key_curve;	/* "SECP256R1", or NULL */
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

/*
 * DANE (RFC 6698, RFC 7671; RFC 7672 for SMTP): each TLSA record checked
 * and what came of it, then the verdict on the set.
 */
struct tls_tlsa {
	char		*rr;		/* "3 1 1 9F86D0..." */
	bool		 usable;	/* by the rules in force */
	bool		 matched;
	char		*result;	/* plain words */
};

struct tls_dane {
	bool		 checked;	/* a TLSA set was given */
	bool		 usable;	/* it holds a usable record */
	bool		 ok;		/* a usable record matched */
	char		*source;	/* "--tlsa", or the DNS name asked */
	char		*dnssec;	/* "given", "secure", "insecure", "bogus" */
	char		*rules;		/* "RFC 7672 (SMTP)", "RFC 6698" */
	char		*verdict;	/* one line, "DANE verified: ..." */
	struct tls_tlsa	*rrs;
	size_t		 nrrs;
};

/* Public key pins (sha256//BASE64 of the leaf's SubjectPublicKeyInfo). */
struct tls_pins {
	bool		 checked;
	bool		 ok;
	struct strv	 pins;		/* as given, "sha256//..." */
	char		*actual;	/* the leaf's, "sha256//..." */
};

/*
 * MTA-STS (RFC 8461): the mail domain's policy and its verdict on this
 * connection; the TLS-RPT (RFC 8460) report address beside it.
 */
#define STS_MX_SHOWN	32		/* patterns kept for the views */
struct tls_sts {
	bool		 checked;	/* the domain has a policy record */
	bool		 ok;		/* host matched, certificate valid */
	bool		 cert_ok;	/* PKIX for the MX host */
	bool		 fails;		/* enforce failing: not verified */
	char		*source;	/* the URL or --mta-sts-policy FILE */
	char		*id;
	char		*unavailable;	/* no policy to be had: why */
	char		*mode;		/* "enforce", "testing", "none" */
	int64_t		 max_age;
	struct strv	 mx;		/* the first STS_MX_SHOWN patterns */
	size_t		 mx_total;
	char		*host;		/* the MX host judged */
	char		*matched;	/* the pattern it matched */
	char		*verdict;	/* one line, "MTA-STS: ..." */
	char		*tlsrpt;	/* rua, or NULL */
};

/*
 * What the client's hello offered, as the priority string in force
 * allows it (src/core/tls.c): the versions, best first, the key exchange
 * groups and the number of cipher suites.  No versions: not known (a
 * recording from before it was kept).
 */
struct tls_offer {
	struct strv	 versions;	/* "TLS1.3", "TLS1.2" */
	struct strv	 groups;	/* "X25519", "SECP256R1", ... */
	int64_t		 ciphers;
	char		*words;		/* "TLS1.3, TLS1.2; groups ...; 19
					 * cipher suites", tls_offer_words() */
	char		*vwords;	/* "TLS1.3, TLS1.2" */
};

struct tls_facts {
	struct tls_offer offer;		/* what the client offered */
	char		*version;	/* "TLS1.3" */
	char		*cipher;	/* "TLS_AES_256_GCM_SHA384" */
	char		*kx;		/* "ECDHE-RSA", "(EC)DHE" */
	char		*group;		/* "X25519" */
	char		*mac;
	char		*sigalg;	/* server signature */
	char		*sni;		/* NULL when none sent */
	char		*alpn;
	bool		 resumed;
	char		*resumption;	/* "yes (TLS 1.3 ticket)", "no: why" */
	char		*ocsp;		/* "none", "good", "revoked", "invalid" */
	char		*desc;		/* gnutls_session_get_desc */
	struct tls_cert	*chain;
	size_t		 nchain;
	struct tls_verify verify;	/* PKIX */
	struct tls_dane	 dane;
	struct tls_pins	 pin;
	struct tls_sts	 sts;
	/* The verdict on the server's identity: DANE's when the TLSA set
	 * holds a usable record, PKIX's otherwise; and the pins, if any. */
	bool		 verified;
};


void		 tls_offer_words(struct tls_offer *);
void		 tls_offer_free(struct tls_offer *);
void		 tls_offer_copy(struct tls_offer *, const struct tls_offer *);
struct tls_facts *tls_facts_dup(const struct tls_facts *);
void		 tls_facts_free(struct tls_facts *);
const char	*tls_facts_summary(const struct tls_facts *, struct buf *);
size_t		 tls_chain_misorder(const struct tls_facts *);
/* The key's type, size and curve, and the one string views show. */
void		 tls_cert_set_key(struct tls_cert *, const char *, unsigned,
		    const char *);
void		 tls_dane_free(struct tls_dane *);
void		 tls_dane_copy(struct tls_dane *, const struct tls_dane *);
void		 tls_sts_free(struct tls_sts *);
void		 tls_sts_copy(struct tls_sts *, const struct tls_sts *);

/* The session facts every view lists, in one order with one wording. */
struct tls_field {
	const char	*label;		/* short: "kx" */
	const char	*title;		/* for handouts: "Key exchange" */
	const char	*value;		/* NULL when unknown */
};
#define TLS_FIELDS	12
void		 tls_facts_fields(const struct tls_facts *,
		    struct tls_field[TLS_FIELDS]);
/* Two connections side by side: label, before, after, a triple a fact. */
void		 tls_facts_compare(const struct tls_facts *,
		    const struct tls_facts *, struct strv *);

/*
 * dnsanswer.c: a DNS answer as the log keeps it.  The security state is
 * the validator's (RFC 4033-4035): secure, insecure (no chain of trust
 * reaches the name) or bogus (a chain that failed, why_bogus says how).
 */
enum dns_sec {
	DNS_INSECURE,
	DNS_SECURE,
	DNS_BOGUS,
	DNS_SEC_MAX
};

struct dns_answer {
	char		*name;		/* the name asked */
	char		*type;		/* "MX", "AAAA", "TLSA", ... */
	char		*rcode;		/* "NOERROR", "NXDOMAIN", ... */
	enum dns_sec	 sec;
	char		*why_bogus;	/* the validator's reason, or NULL */
	char		*error;		/* no answer at all: why, or NULL */
	char		*resolver;	/* who was asked */
	char		*canon;		/* the name after a CNAME, or NULL */
	int64_t		 ttl;
	struct strv	 records;	/* presentation format; text of a TXT
					 * as sent, through the sanitizer
					 * like every byte shown */
};

struct dns_answer *dns_answer_dup(const struct dns_answer *);
void		 dns_answer_clear(struct dns_answer *);
void		 dns_answer_free(struct dns_answer *);
const char	*dns_sec_name(enum dns_sec);
int		 dns_sec_from_name(const char *);
void		 dns_answer_summary(const struct dns_answer *, struct buf *);
bool		 ev_dns_bogus(const struct event *);	/* shown as a warning */

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
	bool		 has_exit;	/* the trailer gives the exit code */
	int		 exit;
	bool		 truncated;	/* loading stopped at a bad line */
	char		*damage;	/* then: "line N: why" */
	int		 format;	/* 1: without classification */
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
char	*tls_facts_json(const struct tls_facts *);
int	 event_from_json(struct evlog *, const char *, char *, size_t);
/* The options object of a header: string (NULL: null), bool or int. */
struct rec_option {
	const char	*key;
	enum { RO_STR, RO_BOOL, RO_INT } type;
	const char	*s;
	int64_t		 i;
};
char	*recording_options_json(const struct rec_option *, size_t);
char	*recording_trailer_json(const struct evlog *, const char *, int);
char	*recording_info_header_json(const struct recording_info *);
char	*recording_info_trailer_json(const struct recording_info *,
	    uint64_t);
int	 recording_parse_line(struct evlog *, const char *,
	    struct recording_info *, char *, size_t);	/* enum rec_line */
/*
 * A recording of format 1 holds the bytes without their classification:
 * loaded with a sink, its events go to the sink (core's, which runs them
 * back through the engine) instead of the log; end() when it is done.
 */
struct rec_sink {
	void	(*event)(void *, const struct event *, struct ev_extra *,
		    const void *, size_t);
	void	(*end)(void *);
	void	*arg;
};
int	 recording_parse_line_sink(struct evlog *, const struct rec_sink *,
	    const char *, struct recording_info *, char *, size_t);
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
void		 recorder_close(struct recorder *, const char *, int);
bool		 recorder_failed(const struct recorder *);
const char	*recorder_error(const struct recorder *);
int		 recording_load(const char *, unsigned, struct evlog *,
		    struct recording_info *, char *, size_t);
int		 recording_load_sink(const char *, unsigned, struct evlog *,
		    const struct rec_sink *, struct recording_info *, char *,
		    size_t);
/* A whole log as a new file (never an existing one), header and trailer
 * rebuilt from info. */
int		 recording_save(const char *, const struct evlog *,
		    const struct recording_info *, char *, size_t);

/*
 * digest.c: the events folded into the one session summary every view
 * reads.  digest_event is an ev_sub: subscribe it, or feed it events.
 */
enum dg_channel {		/* what the status bar shows */
	DG_START,		/* nothing yet */
	DG_CONNECTING,
	DG_PLAIN,
	DG_HANDSHAKE,
	DG_TLS,
	DG_CLOSED,
};

enum dg_phase {			/* the connection's TLS, after it ends too */
	DG_TLS_NONE,		/* not connected */
	DG_TLS_PLAIN,
	DG_TLS_HANDSHAKE,
	DG_TLS_UP,
	DG_TLS_FAILED,		/* the handshake did not complete */
};

struct digest {
	size_t		 events;
	bool		 states;	/* the session logs its states */
	enum dg_channel	 channel;
	enum dg_phase	 phase;
	char		*mx;		/* mx://: the mail hosts, in words */
	bool		 mx_secure;	/* ... the MX answer was DNSSEC-secure */
	char		*greeting;	/* the connection's first server line, */
	size_t		 greeting_len;	/* ... its bytes (NUL included) */
	uint64_t	 bytes_in;	/* ev_wire_len() of each side's data */
	uint64_t	 bytes_out;
	char		*tls_summary;	/* "TLS1.3, TLS_AES_256_GCM_SHA384, ..." */
	struct tls_facts *tls;		/* the last facts learnt */
	struct tls_facts *prev_tls;	/* an earlier connection's last */
	int		 verified;	/* -1 unknown, 0 not verified, 1 yes */
	int64_t		 verify_t_ns;	/* when the verdict came */
	char		*failure;	/* why the handshake failed */
	bool		 caps_known;	/* the last capability list: */
	struct strv	 caps;
	uint8_t		 caps_chan;	/* ... its channel */
	uint8_t		 caps_bits;	/* ... EVC_PARTIAL, EVC_AUTHED */
	bool		 capdiff;	/* the difference across STARTTLS: */
	struct strv	 added;		/* ... capabilities inside TLS only */
	struct strv	 removed;	/* ... capabilities in plaintext only */
	char		*capdiff_note;	/* ... or why it is not known */
	char		*capdiff_text;	/* ... in words: "+AUTH PLAIN, -STARTTLS" */
	struct strv	 warnings;	/* the text of each warning */
	struct strv	 codes;		/* each warning's and error's code */
	bool		 closed;
	char		*close_reason;
};

void		 digest_init(struct digest *);
void		 digest_event(const struct event *, void *);
void		 digest_free(struct digest *);	/* and ready for reuse */
void		 digest_log(struct digest *, const struct evlog *);
const char	*digest_channel_name(enum dg_channel);

#endif /* MAILSCOPE_LOG_H */
