/* SPDX-License-Identifier: ISC */
/*
 * core: socket -> session -> log.  Targets, connection, the TLS client,
 * the line-protocol engine (its internals in proto/proto_int.h), the
 * credential rules and the redactor, and the session that runs them.
 */
#ifndef MAILSCOPE_CORE_H
#define MAILSCOPE_CORE_H

#include <sys/socket.h>

#include "base/base.h"
#include "log/log.h"


#define LITERAL_ABSURD		INT64_C(0xffffffff)	/* over: warned */

/* url.c: targets. */
struct target {
	char		*scheme;	/* as written: smtp, submission, ... */
	char		*host;		/* without brackets; an IDN's A-label */
	char		*host_u;	/* an IDN's U-label, else NULL */
	char		*port;
	char		*unix_path;	/* lmtp+unix:///PATH, else NULL */
	enum proto_id	 proto;
	bool		 implicit_tls;	/* smtps, imaps, pop3s */
	bool		 mx;		/* mx://: host is a mail domain */
};

int		 target_parse(const char *, struct target *, char *, size_t);
void		 target_free(struct target *);
void		 target_copy(struct target *, const struct target *);
const char	*proto_name(enum proto_id);
char		*target_string(const struct target *);
const char	*target_scheme(size_t);
int		 target_suggest(const char *, char *, size_t);


/* net.c: resolution and non-blocking connect. */
struct addrinfo;
struct sockaddr;
int	 net_resolve(const char *, const char *, int, struct addrinfo **,
	    char *, size_t);
int	 net_connect_start(const struct sockaddr *, socklen_t, char *,
	    size_t);
int	 net_connect_done(int, char *, size_t);
void	 net_addr_string(const struct sockaddr *, char *, size_t);
void	 net_local_string(int, char *, size_t);
int	 net_unix_addr(const char *, struct sockaddr_storage *, socklen_t *,
	    char *, size_t);

/* path.c: the way to the server once a socket is up: a SOCKS5 proxy,
 * then the PROXY protocol header. */
struct proxy {
	char		*host;		/* NULL: no proxy */
	char		*port;
	char		*user;		/* NULL: no login offered */
	char		*pass;
	bool		 remote_dns;	/* socks5h: the proxy resolves */
};
struct path;
struct sockaddr_storage;
int		 proxy_parse(const char *, struct proxy *, char *, size_t);
void		 proxy_clear(struct proxy *);
int		 path_addr_parse(const char *, struct sockaddr_storage *,
		    char *, size_t);
struct path	*path_new(struct evlog *, enum ev_chan, const struct proxy *,
		    const char *, const char *, const struct sockaddr_storage *,
		    int, const char *, const char *);
int		 path_start(struct path *, int, char *, size_t);
int		 path_io(struct path *, struct stream *, char *, size_t);
bool		 path_want_write(const struct path *);
void		 path_free(struct path *);


/*
 * dane.c: TLSA records (RFC 6698) and the DANE verdict on a chain,
 * matched by GnuTLS's DANE library.  A set comes with its DNSSEC state:
 * given by hand (--tlsa), or as a validating resolver found it.
 */
enum tlsa_dnssec {
	TLSA_GIVEN,		/* by hand: trusted as given */
	TLSA_SECURE,		/* DNSSEC-validated answer */
	TLSA_INSECURE,		/* unsigned: not used (RFC 7672 2.2) */
	TLSA_BOGUS,		/* validation failed: nothing is trusted */
};

struct tlsa_rr {
	uint8_t		 usage;		/* 0 PKIX-TA .. 3 DANE-EE */
	uint8_t		 selector;	/* 0 certificate, 1 public key */
	uint8_t		 mtype;		/* 0 full, 1 SHA-256, 2 SHA-512 */
	unsigned char	*data;
	size_t		 len;
};

struct tlsa_set {
	struct tlsa_rr	*rr;
	size_t		 n;
	enum tlsa_dnssec dnssec;
	const char	*source;	/* "--tlsa", or the DNS name asked */
	struct strv	 names;		/* reference identifiers beyond the
					 * host (RFC 7672 3.2.2) */
};

/* What the verdict needs besides the records. */
struct tlsa_ctx {
	bool		 smtp;		/* RFC 7672's rules, else RFC 6698's */
	bool		 pkix_ok;	/* PKIX-TA/PKIX-EE need it */
	const char	*host;		/* the reference identifier */
};

/* A certificate as sent, DER. */
struct der {
	const unsigned char	*p;
	size_t			 len;
};

int	 tlsa_parse(const char *, struct tlsa_rr *, char *, size_t);
void	 tlsa_set_add(struct tlsa_set *, const struct tlsa_rr *);
void	 tlsa_set_free(struct tlsa_set *);
void	 tlsa_rr_string(const struct tlsa_rr *, struct buf *);
void	 tlsa_verify(const struct tlsa_set *, const struct tlsa_ctx *,
	    const struct der *, size_t, struct tls_dane *);
int	 pin_parse(const char *, struct strv *, char *, size_t);

/*
 * dns.c: DNS through libunbound, DNSSEC validated in-process, answered
 * on the loop; libunbound's cache keeps the answers for the life of the
 * resolver.  A result carries the log's view of the answer (records in
 * presentation format, the security state, why_bogus) and the raw rdata
 * of each record (a TLSA RRset for DANE).  The callback owns the result
 * (dns_result_free).
 */
#define DNS_T_A		1
#define DNS_T_NS	2
#define DNS_T_CNAME	5
#define DNS_T_MX	15
#define DNS_T_TXT	16
#define DNS_T_AAAA	28
#define DNS_T_TLSA	52

struct dns;
struct dns_result {
	struct dns_answer	 a;
	int			 id;		/* dns_query's */
	int			 type;
	int			 rcode;		/* 0: NOERROR */
	bool			 nxdomain;
	size_t			 n;		/* records, in wire format: */
	unsigned char		**rdata;
	size_t			*rdlen;
};
typedef void	(*dns_cb)(struct dns_result *, void *);

struct dns	*dns_new(struct loop *, const char *, const char *, char *,
		    size_t);	/* server "ADDR[:PORT]" or NULL, anchor */
void		 dns_free(struct dns *);
int		 dns_query(struct dns *, const char *, int, dns_cb, void *,
		    char *, size_t);	/* an id for dns_cancel, -1 */
void		 dns_cancel(struct dns *, int);
void		 dns_result_free(struct dns_result *);
void		 dns_event(struct evlog *, enum ev_chan,
		    const struct dns_result *);
const char	*dns_resolver(const struct dns *);
const char	*dns_anchor(const struct dns *);
const char	*dns_type_name(int);
void		 dns_rdata_text(int, const unsigned char *, size_t,
		    struct buf *);	/* presentation format */
int		 dns_server_parse(const char *, char **, char **, char *,
		    size_t);

/*
 * A few queries asked together (A and AAAA, two TXT records): once every
 * answer is in, they are logged in the order asked, then then(arg) runs
 * and reads res[].  A query that cannot be asked is an error event.
 */
#define DNS_BATCH_MAX	2
struct dns_batch {
	struct dns		*dns;
	struct evlog		*log;
	int			 ids[DNS_BATCH_MAX];
	struct dns_result	*res[DNS_BATCH_MAX];
	size_t			 nq;
	size_t			 ndone;
	void			(*then)(void *);
	void			*arg;
};
int		 dns_batch_ask(struct dns_batch *, const char *, int);
void		 dns_batch_clear(struct dns_batch *);

/*
 * mx.c: the hosts to connect to, through DNS: a domain's mail hosts
 * (RFC 5321 5.1: MX in preference order, the implicit MX, RFC 7505's
 * null MX) or one host's addresses.  One host at a time: the callback
 * has a host and its addresses; mxwalk_next() when none of them would
 * do; host NULL with why when nothing is left to try.
 */
struct mxwalk;
struct mxwalk_addr {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};
typedef void	(*mxwalk_cb)(const char *, const struct mxwalk_addr *,
		    size_t, const char *, void *);
struct mxwalk	*mxwalk_new(struct dns *, struct evlog *, const char *, bool,
		    const char *, int, mxwalk_cb, void *);
void		 mxwalk_start(struct mxwalk *);
void		 mxwalk_next(struct mxwalk *);
void		 mxwalk_free(struct mxwalk *);

/*
 * mtasts.c: MTA-STS (RFC 8461): the policy record, the policy (from the
 * HTTPS fetch of stsfetch.c, or a file), its verdict on a connection;
 * TLS-RPT's record (RFC 8460) beside it.
 */
enum sts_mode {
	STS_NONE,
	STS_TESTING,
	STS_ENFORCE,
};
#define STS_POLICY_MAX	(64 * 1024)	/* bytes, RFC 8461 3.3 */
#define STS_MAX_AGE_MAX	31557600	/* seconds, RFC 8461 3.2 */

struct sts_policy {
	bool		 present;	/* a record (or --mta-sts-policy) */
	char		*source;	/* the URL, or "--mta-sts-policy FILE" */
	char		*id;		/* the record's id */
	char		*unavailable;	/* present, no policy: why */
	enum sts_mode	 mode;
	int64_t		 max_age;
	struct strv	 mx;		/* the patterns */
	char		*tlsrpt;	/* _smtp._tls's rua, or NULL */
};

struct dns_result;
const char	*sts_mode_name(enum sts_mode);
void		 sts_policy_clear(struct sts_policy *);
int		 sts_record_parse(const char *, char **, char *, size_t);
int		 tlsrpt_record_parse(const char *, char **, char *, size_t);
int		 sts_txt_pick(const struct dns_result *, const char *,
		    int (*)(const char *, char **, char *, size_t), char **,
		    char *, size_t);	/* 1 found, 0 none, -1 why */
bool		 sts_mx_match(const char *, const char *);
int		 sts_policy_parse(const char *, size_t, struct sts_policy *,
		    char *, size_t);
int		 sts_policy_load(const char *, struct sts_policy *, char *,
		    size_t);
void		 sts_policy_summary(const struct sts_policy *, struct buf *);
void		 sts_verdict(const struct sts_policy *, const char *,
		    struct tls_facts *);

/* stsfetch.c: a domain's records and policy, fetched on the loop; the
 * callback has the policy (the fetch's: valid until it is freed). */
struct sts_fetch;
typedef void	(*sts_cb)(const struct sts_policy *, void *);
struct sts_fetch *sts_fetch_new(struct loop *, struct dns *, struct evlog *,
		    const char *, const char *, int, sts_cb, void *);
void		 sts_fetch_start(struct sts_fetch *);
void		 sts_fetch_free(struct sts_fetch *);

/* tls.c: GnuTLS client side (credentials, verification, facts, key
 * log) over a base stream. */
struct tls_opts {
	const char	*cafile;	/* NULL: system trust */
	const char	*priority;	/* NULL: NORMAL without TLS 1.0/1.1 */
	const char	*sni;		/* NULL: host unless an IP literal */
	const char	*verify_host;	/* name the certificate must hold */
	const char	*client_cert;
	const char	*client_key;
	const char	*keylog;	/* NSS key log file */
	int		 timeout_ms;
	const struct tls_resume *resume; /* a session to offer, or NULL */
	const struct tlsa_set *tlsa;	/* NULL or empty: no DANE */
	bool		 smtp;		/* DANE by RFC 7672 */
	const struct strv *pins;	/* sha256//BASE64, the leaf's key */
	const struct sts_policy *sts;	/* NULL: no MTA-STS */
};

/* What a TLS session leaves for the next connection to resume. */
struct tls_resume {
	struct buf	 data;		/* gnutls_session_get_data2() */
	char		*kind;		/* "TLS 1.3 ticket", "session ID" */
	char		*why_not;	/* nothing to offer: why */
};
void		 tls_resume_forget(struct tls_resume *, const char *);

struct tls_client;
typedef void	(*tls_step_cb)(const char *, void *);

/* The stream carries the records and owns the GnuTLS session from here
 * on; free the stream before its client.  stream_error() then speaks of
 * a failure in the client's words. */
struct tls_client *tls_client_new(const struct tls_opts *, struct stream *,
		    tls_step_cb, void *, char *, size_t);
struct tls_facts *tls_get_facts(struct tls_client *);	/* caller frees */
char		*tls_channel_binding(struct tls_client *);	/* base64 */
void		 tls_client_free(struct tls_client *);
struct tls_facts *tls_facts_dup(const struct tls_facts *);
bool		 tls_keylog_env(void);	/* SSLKEYLOGFILE is set */
unsigned	 tls_dh_bits(struct tls_client *);	/* 0: no finite-field DH */
void		 tls_resume_keep(struct tls_client *, struct tls_resume *);
int		 tls_priority_check(const char *, char *, size_t);
void		 tls_chain_pem(struct tls_client *, struct buf *);

/* weak.c: what is weak in a connection's parameters, the one rule set
 * for the session's warnings and probe --scan's findings. */
struct tls_params {
	int		 version;	/* GnuTLS's numbers: the protocol, */
	int		 kx;		/* ... key exchange, */
	int		 cipher;	/* ... cipher */
	int		 mac;		/* ... and MAC */
	unsigned	 dh_bits;	/* 0: no finite-field DH or unknown */
};
#define TLS_WEAK_MAX	6
/* Where scanners know a weakness: testssl.sh's name and severity for
 * it, its CVE and CWE ids (space-separated when several, or NULL). */
struct tls_weak_ref {
	const char	*id;		/* "SWEET32", "cipherlist_aNULL" */
	const char	*severity;	/* LOW, MEDIUM, HIGH */
	const char	*cve;
	const char	*cwe;
};
struct tls_weakness {
	const char	*code;		/* weak-version, weak-kx, weak-cipher, */
	bool		 bad;		/* ... weak-dh; broken, not just weak */
	const struct tls_weak_ref *ref;
	char		 why[160];	/* "anonymous: no authentication, ..." */
};
size_t		 tls_weak(const struct tls_params *,
		    struct tls_weakness[TLS_WEAK_MAX]);
void		 tls_client_params(struct tls_client *, struct tls_params *);

/* tls.c: what the linked GnuTLS can offer, one thing at a time (scan). */
struct tls_suite {
	const char	*name;		/* GnuTLS's: TLS_DH_ANON_AES_128_CBC_SHA1 */
	unsigned char	 id[2];		/* the IANA code point */
	struct tls_params p;		/* version: the lowest it runs on */
	const char	*untestable;	/* NULL, or why it cannot be offered */
};
size_t		 tls_suites(struct tls_suite **);	/* caller frees */
int		 tls_suite_priority(const struct tls_suite *, const char *,
		    struct buf *);
int		 tls_only_priority(const char *, const char *, const char *,
		    struct buf *);
void		 tls_groups(struct strv *);
void		 tls_sigalgs(struct strv *);
int		 tls_version_id(const char *);
bool		 tls_version_offerable(const char *);
void		 tls_scan_limits(struct strv *, struct strv *);

/* proto.c: one line-protocol engine, per-protocol hooks (smtp.c, imap.c,
 * pop3.c). */
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
	bool		 piece;		/* a later piece of a split line */
	bool		 caps;		/* completes a capability list */
	bool		 starttls_cap;	/* lists STARTTLS (STLS) */
	size_t		 cap_first;	/* the capabilities it listed: */
	size_t		 cap_n;		/* pp_caps() from cap_first on */
};

struct pp;
typedef void	(*pp_line_cb)(const struct pp_line *, void *);

struct pp	*pp_new(enum proto_id, pp_line_cb, void *);
void		 pp_free(struct pp *);
void		 pp_feed(struct pp *, const char *, size_t);
void		 pp_eof(struct pp *);	/* flush a partial line */
int		 pp_command(struct pp *, const char *, size_t, struct buf *,
		    struct ev_class *);
void		 pp_class(const struct pp_line *, struct ev_class *);
size_t		 pp_pending(const struct pp *);	/* replies awaited */
bool		 pp_data_mode(const struct pp *);	/* SMTP after 354 */
size_t		 pp_partial(const struct pp *, const char **);
bool		 pp_wants_continuation(const struct pp *);
size_t		 pp_take_buffered(struct pp *, struct buf *);
const struct strv *pp_caps(const struct pp *);
bool		 pp_caps_known(const struct pp *);
bool		 pp_caps_partial(const struct pp *);	/* a greeting's */
void		 pp_caps_reset(struct pp *);
void		 pp_expect_greeting(struct pp *);
bool		 pp_expect_tls_caps(struct pp *);
void		 pp_sasl_word(const struct pp *, const char *, struct buf *);
void		 pp_timeout(struct pp *);	/* oldest pending timed out */
const char	*pp_starttls_cmd(const struct pp *);
const char	*pp_caps_cmd(const struct pp *, const char *);
const char	*pp_quit_cmd(const struct pp *);
const char	*pp_next_tag(const struct pp *);
bool		 pp_tagged(enum proto_id);	/* commands carry a tag */
const char	*pp_data_cmd(enum proto_id);	/* NULL: none */
const char	*pp_inject_cmd(enum proto_id);	/* probe's, with STARTTLS */
const char	*pp_mail_probe(enum proto_id);	/* NULL: no such check */
void		 pp_tshark(enum proto_id, const char *, bool, const char *,
		    struct buf *);
const char	*pp_addr_check(const struct pp *, const char *, size_t);
const char	*pp_typed_hello(enum proto_id);	/* "EHLO me", "a CAPABILITY" */
const char	*pp_typed_starttls(enum proto_id);
const char	*pp_plain_auth_risk(const struct pp *);	/* caps in clear */
const char	*pp_auth_cmd(const struct pp *);	/* AUTH, AUTHENTICATE */
bool		 pp_sasl_ir(const struct pp *);
void		 pp_body_line(struct pp *);
const char	*pp_sasl_service(const struct pp *);
void		 pp_sasl_mechs(const struct pp *, struct strv *);
void		 pp_sasl_challenge(const char *, size_t, struct buf *);
bool		 pp_cap_starttls(const struct pp *);
bool		 pp_answers_auth(const struct pp_line *);	/* a login's */
void		 pp_caps_event(const struct pp *, const struct pp_line *,
		    uint8_t, struct event *, struct ev_extra **, struct buf *);
const char *const *pp_verbs(enum proto_id);
int64_t		 pp_expected_size(const struct pp *);	/* -1: none known */
int64_t		 pp_received_size(const struct pp *);
int64_t		 pp_literal_due(const struct pp *);	/* -1: none open */
int64_t		 pp_chunk_due(const struct pp *);	/* BDAT bytes */
void		 pp_client_bytes(struct pp *, size_t);	/* of either */
bool		 pp_line_is_body(const struct pp *, size_t);
bool		 pp_sync_point(const struct pp *, const char *, size_t);
bool		 pp_pipelining(const struct pp *);	/* offered */
void		 pp_pipeline(struct pp *, bool);	/* a group goes */
const char	*pp_pipeline_cap(enum proto_id);	/* NULL: none */

/*
 * Notes on the engine's promises:
 * - The final line of a response carries its status (a POP3 "." too).
 * - line->final is also set on a continuation (SMTP 334, IMAP "+", POP3
 *   "+ "): it ends the server's turn; the command stays pending and
 *   pp_wants_continuation() is true until the client's next line.
 * - pp_expected_size()/pp_received_size() describe the IMAP literal or
 *   POP3 message being received; both reset when its response ends.
 * - pp_pending() counts commands whose reply is awaited, leaving out
 *   those that timed out (pp_timeout) and those waiting for the client;
 *   while a BDAT chunk is due (pp_chunk_due) it is 0 and
 *   pp_wants_continuation() is true: the client sends before any reply.
 * - A client literal ("{n}" after its "+", "{n+}" at once) takes the
 *   next lines, each with its CRLF, until n bytes (pp_literal_due);
 *   the line that reaches past n goes on with the command.  pp_command
 *   returns -2 for a line longer than the chunk due.
 * - After a line with starttls_ok every later byte is held, unparsed,
 *   until pp_take_buffered(); calling it from the callback of that line
 *   already returns the rest of the same feed.
 * - The callback may call pp_command, pp_feed, pp_eof, pp_timeout,
 *   pp_take_buffered and the queries; never pp_free.
 */


/* redact.c: credentials never reach a view or a file. */
struct redactor;
struct redactor	*redactor_new(enum proto_id);
void		 redactor_free(struct redactor *);
bool		 redact_client(struct redactor *, const char *, size_t,
		    struct buf *);
bool		 redact_peek(const struct redactor *, const char *, size_t,
		    struct buf *);
void		 redact_server(struct redactor *, const struct event *);

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
	const char	*token_file;	/* ... a bearer token */
	bool		 allow_injection;
	bool		 no_redact;
	int		 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	int		 timeout_ms;
	struct tlsa_set	 tlsa;		/* --tlsa; owned by the caller */
	struct strv	 pins;		/* --pin, "sha256//BASE64" */
	const char	*save_chain;	/* write the chain here (PEM) */
	const char	*dns;		/* --dns ADDR[:PORT], NULL: system */
	const char	*dnssec_anchor;	/* NULL: the system's root key */
	struct sts_policy sts_policy;	/* --mta-sts-policy; the caller's */
	struct proxy	 proxy;		/* --proxy; the caller's */
	int		 proxy_header;	/* --proxy-header: 0, 1 or 2 */
	const char	*proxy_source;	/* ... its addresses, NULL: the */
	const char	*proxy_dest;	/* socket's */
	const char	*proxy_password_file;
};

/*
 * The session tells its owner everything through the log: an EV_READY
 * event when nothing is awaited (the next command may go), an EV_ERROR
 * "timeout" when a reply did not complete in time, the EV_STATE of
 * STATE_CLOSED when the connection is gone and the exit code final.
 */
struct session;

struct session	*session_new(struct loop *, struct evlog *,
		    const struct session_opts *);
void		 session_free(struct session *);
int		 session_connect(struct session *);
int		 session_send(struct session *, const char *, size_t);
int		 session_send_raw(struct session *, const char *, size_t);
int		 session_send_body(struct session *, const char *, size_t);
void		 session_send_bytes(struct session *, const char *, size_t);
void		 session_hold_literal(struct session *, const char *, size_t);
void		 session_cork(struct session *, bool);
bool		 session_has_cap(const struct session *, const char *);
const struct pp	*session_engine(const struct session *);
struct evlog	*session_log(const struct session *);
/* wire.c: content from a file, and pipelined groups. */
#define BDAT_CHUNK	(1024 * 1024)	/* :bdat's chunks, with PIPELINING */
int		 session_append(struct session *, const char *, const char *,
		    size_t);
int		 session_bdat(struct session *, const char *, size_t, size_t);
int		 session_pipeline_check(struct session *, bool);
bool		 session_is_secret(const struct session *, const char *,
		    size_t);
void		 session_secret_verdict(const struct session *,
		    struct secret_verdict *);
void		 session_secret_consent(struct session *);
int		 session_auth_check(const struct session *, const char *,
		    char *, size_t);
int		 session_auth(struct session *, const char *, const char *,
		    const char *, bool);
int		 session_starttls(struct session *);
int		 session_starttls_inject(struct session *, const char *);
void		 session_quit(struct session *);
enum auth_result {
	AUTH_NONE,		/* no :auth on this connection */
	AUTH_PENDING,
	AUTH_OK,
	AUTH_REFUSED,		/* refused, cancelled or cut short */
};
enum auth_result session_auth_result(const struct session *);
void		 session_close(struct session *, const char *);
enum session_state session_state(const struct session *);
enum ev_chan	 session_chan(const struct session *);
const char	*session_state_name(enum session_state);
int		 session_exit_code(const struct session *);
const char	*session_end_reason(const struct session *, int, int);
bool		 session_idle(const struct session *);
bool		 session_data_mode(const struct session *);
bool		 session_wants_continuation(const struct session *);
size_t		 session_pending(const struct session *);
/* The bytes of a server line still arriving (never logged until it
 * ends), 0: none. */
size_t		 session_partial(const struct session *, const char **);
int64_t		 session_expected_size(const struct session *);
int64_t		 session_received_size(const struct session *);
const char	*session_quit_cmd(const struct session *);
const char	*session_caps_cmd(const struct session *, const char *);
int		 session_reconnect(struct session *, bool, const char *,
		    const char *, char *, size_t);
bool		 session_cap_starttls(const struct session *);
const struct session_opts *session_opts(const struct session *);
int		 session_save_chain(const struct session *, const char *,
		    char *, size_t);

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
int	 secret_read(const char *, const char *, struct buf *, char *,
	    size_t);
void	 secret_protect_process(void);

bool	 strv_offers_credentials(const struct strv *, const char *);

/* sasl.c: the one SASL client (GNU SASL builds the messages). */
enum sasl_secret {
	SASL_PASSWORD,
	SASL_TOKEN,		/* an OAuth 2.0 bearer token */
	SASL_NO_SECRET,		/* EXTERNAL, GSSAPI */
};
struct sasl_login {
	const char	*user;		/* no secret: whom to act as, or NULL */
	const char	*secret;
	bool		 token;		/* secret is a bearer token */
	const char	*cb;		/* tls-exporter binding, base64 */
	const char	*service;	/* GSSAPI, DIGEST-MD5: "imap" */
	const char	*host;
	const char	*port;
};
struct sasl;
struct sasl	*sasl_new(const char *, const struct strv *,
		    const struct sasl_login *, char *, size_t);
const char	*sasl_choose(const struct strv *, bool, enum sasl_secret);
int		 sasl_secret_kind(const char *);
const char	*sasl_mech(const struct sasl *);
bool		 sasl_client_first(const struct sasl *);
int		 sasl_step(struct sasl *, const char *, struct buf *, char *,
		    size_t);
void		 sasl_note(const struct sasl *, bool, const char *,
		    struct buf *);
void		 sasl_free(struct sasl *);
void		 sasl_mech_names(struct strv *);

/* header.c: the first line of a recording: target and options. */
char	*recording_header_json(const struct evlog *,
	    const struct session_opts *);

/* reload.c: a recording for a view, format 1 classified by the engine. */
int	 recording_load_classified(const char *, unsigned, struct evlog *,
	    struct recording_info *, char *, size_t);
void	 evlog_reclassify(const struct evlog *, const char *, struct evlog *);

#endif /* MAILSCOPE_CORE_H */
