/* SPDX-License-Identifier: ISC */
/*
 * cmd: the front doors.  Nothing outside src/cmd includes this.
 */
#ifndef MAILSCOPE_CMD_H
#define MAILSCOPE_CMD_H

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

#define EXIT_PROBE_CMDINJ	7	/* probe: command injection */
#define EXIT_PROBE_WEAK		8	/* probe: TLS < 1.2 or plaintext AUTH */
/* Batch's --auth and composed message: the stage the server refused. */
#define EXIT_AUTH		10	/* authentication refused */
#define EXIT_MAIL		11	/* MAIL FROM refused */
#define EXIT_RCPT		12	/* no recipient accepted */
#define EXIT_DATA		13	/* DATA or the message refused */
#define EXIT_JUDGE_UNTRUSTED	14	/* judge: a client failed good */


/*
 * options.c: the connection, TLS and consent options the main command
 * and probe share, parsed by one function.  The SOPTS_* rows go into a
 * command's option table (base's struct opt), by section; session_option()
 * returns 1 when ch was one of them, 0 when not, -1 with err set.
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
	SOPT_TOKEN_FILE,
	SOPT_TLSA,
	SOPT_PIN,
	SOPT_DNS,
	SOPT_DNSSEC_ANCHOR,
	SOPT_MTA_STS_POLICY,
	SOPT_CONFIG,
	SOPT_NO_CONFIG,
	SOPT_PROXY = 600,	/* the path options' rows; 640: compose's */
	SOPT_PROXY_PASSWORD_FILE,
	SOPT_PROXY_HEADER,
	SOPT_PROXY_SOURCE,
	SOPT_PROXY_DEST,
};
#define SOPTS_CONNECTION						\
	{ NULL, no_argument, '4', OPTK_NONE, NULL,			\
	    "IPv4 or IPv6 only", 0 },					\
	{ NULL, no_argument, '6', OPTK_NONE, NULL, NULL, OPTF_JOIN },	\
	{ "timeout", required_argument, SOPT_TIMEOUT, OPTK_NONE, "SECONDS", \
	    "connect and per-reply timeout (default 30)", 0 }
/* pathopt.c: the way to the server. */
#define SOPTS_PATH							\
	{ "proxy", required_argument, SOPT_PROXY, OPTK_NONE, "URL",	\
	    "through this SOCKS5 proxy (else $MAILSCOPE_PROXY):\n"	\
	    "socks5://[USER@]HOST[:PORT] (default port 1080),\n"	\
	    "socks5h://... to have the proxy resolve the name", 0 },	\
	{ "proxy-password-file", required_argument,			\
	    SOPT_PROXY_PASSWORD_FILE, OPTK_FILE, "FILE", "the proxy USER's "	\
	    "password is FILE's first\nline (else "				\
	    "$MAILSCOPE_PROXY_PASSWORD)", 0 },				\
	{ "proxy-header", required_argument, SOPT_PROXY_HEADER, OPTK_WORDS, \
	    "VERSION:v1|v2", "send the HAProxy PROXY protocol header "	\
	    "first", 0 },							\
	{ "proxy-source", required_argument, SOPT_PROXY_SOURCE, OPTK_NONE, \
	    "ADDR:PORT", "the client address it claims (default: the\n"	\
	    "socket's)", 0 },						\
	{ "proxy-dest", required_argument, SOPT_PROXY_DEST, OPTK_NONE,	\
	    "ADDR:PORT", "the server address it claims (default: the\n"	\
	    "socket's)", 0 }
#define SOPTS_DNS							\
	{ NULL, 0, 0, 0, NULL,						\
	    "DNS (mx://, and host names with --dns; DNSSEC validated):", 0 }, \
	{ "dns", required_argument, SOPT_DNS, OPTK_NONE, "ADDR[:PORT]",	\
	    "the resolver to ask (default: resolv.conf's)", 0 },		\
	{ "dnssec-anchor", required_argument, SOPT_DNSSEC_ANCHOR, OPTK_FILE, \
	    "FILE", "trust anchor, DS or DNSKEY records (default\n"	\
	    "/usr/share/dns/root.key)", 0 },				\
	{ NULL, 0, 0, 0, NULL, "MTA-STS (mx://: the policy of "		\
	    "https://mta-sts.DOMAIN, RFC 8461):", 0 },			\
	{ "mta-sts-policy", required_argument, SOPT_MTA_STS_POLICY,	\
	    OPTK_FILE, "FILE", "judge the MX host by this policy instead (also\n" \
	    "for smtp://); no record asked, nothing fetched", 0 }
#define SOPTS_TLS							\
	{ "cafile", required_argument, SOPT_CAFILE, OPTK_FILE, "FILE",	\
	    "trust these CAs instead of the system store", 0 },		\
	{ "tls-priority", required_argument, SOPT_PRIORITY, OPTK_NONE,	\
	    "STRING", "GnuTLS priority string (default NORMAL without\n"	\
	    "TLS 1.0 and 1.1)", 0 },					\
	{ "sni", required_argument, SOPT_SNI, OPTK_NONE, "NAME",	\
	    "server name sent and verified", 0 },			\
	{ "client-cert", required_argument, SOPT_CLIENT_CERT, OPTK_FILE, \
	    "FILE", "client certificate (PEM), with --client-key", 0 },	\
	{ "client-key", required_argument, SOPT_CLIENT_KEY, OPTK_FILE,	\
	    "FILE", "", 0 },						\
	{ "tlsa", required_argument, SOPT_TLSA, OPTK_NONE, "'U S M HEX'", \
	    "check the chain against this TLSA record (DANE,\n"		\
	    "repeatable): e.g. '3 1 1 <SHA-256 of the key>';\n"		\
	    "for SMTP by RFC 7672 (DANE-TA, DANE-EE only)", 0 },		\
	{ "pin", required_argument, SOPT_PIN, OPTK_NONE, "sha256//BASE64", \
	    "the leaf's public key must have this SHA-256\n"		\
	    "(curl's --pinnedpubkey; repeatable, or ';'-\n"		\
	    "separated); else exit 5 with the server's pin", 0 }
#define SOPTS_CREDENTIALS						\
	{ NULL, 0, 0, 0, NULL, "Credentials (a secret goes only inside TLS " \
	    "whose certificate verified):", 0 },				\
	{ "allow-plaintext-auth", no_argument, SOPT_ALLOW_PLAINTEXT_AUTH, \
	    OPTK_NONE, NULL,						\
	    "consent: credentials may be sent with no TLS", 0 },		\
	{ "allow-unverified-auth", no_argument, SOPT_ALLOW_UNVERIFIED_AUTH, \
	    OPTK_NONE, NULL, "consent: credentials may be sent over TLS whose\n" \
	    "certificate did not verify (--insecure is not\nthis)", 0 },	\
	{ "auth-password-file", required_argument, SOPT_PASSWORD_FILE,	\
	    OPTK_FILE, "FILE", "the password is FILE's first line (else\n" \
	    "$MAILSCOPE_PASSWORD), never from -c", 0 },			\
	{ "password-file", required_argument, SOPT_PASSWORD_FILE, OPTK_FILE, \
	    "FILE", NULL, OPTF_HIDDEN },	/* its old name */		\
	{ "auth-token-file", required_argument, SOPT_TOKEN_FILE, OPTK_FILE, \
	    "FILE", "an OAuth 2.0 bearer token, FILE's first line\n"	\
	    "(OAUTHBEARER, XOAUTH2)", 0 },				\
	{ NULL, 0, 0, 0, NULL, "Protocol:", 0 },			\
	{ "ehlo", required_argument, SOPT_EHLO, OPTK_NONE, "NAME",	\
	    "EHLO/LHLO name (default mailscope.localhost)", 0 }
#define SOPTS_CONFIG							\
	{ NULL, 0, 0, 0, NULL, "Configuration:", 0 },			\
	{ "config", required_argument, SOPT_CONFIG, OPTK_FILE, "FILE",	\
	    "read FILE instead of the system's and yours", 0 },	\
	{ "no-config", no_argument, SOPT_NO_CONFIG, OPTK_NONE, NULL,	\
	    "read no configuration file", 0 }

int	 session_option(struct session_opts *, int, const char *, char *,
	    size_t);
int	 session_options_check(const struct session_opts *, char *, size_t);
void	 session_options_free(struct session_opts *);
int	 path_option(struct session_opts *, int, char *, char *, size_t);
int	 path_options_finish(struct session_opts *, char *, size_t);

/*
 * args.c: what every front door does alike: one line for a bad option,
 * --help from the command's table, the configuration files read before
 * the options.
 */
struct tui_opts;
__dead void cmd_bad_option(const struct optcmd *, int, char **);
__dead void cmd_help(const struct optcmd *, const char *, const char *);
int	 cmd_config(const struct optcmd *, int, char **,
	    struct session_opts *, struct tui_opts *, char *, size_t);

/*
 * compose.c: batch without a script: --auth logs in, --from and --to
 * send a test message; where a login's secret comes from.
 */
enum {
	COPT_AUTH = 640,
	COPT_AUTH_USER,
	COPT_FROM,
	COPT_TO,
	COPT_HEADER,
	COPT_BODY,
	COPT_DATA,
	COPT_QUIT_AFTER,
};
#define COMPOSE_OPTS							\
	{ NULL, 0, 0, 0, NULL, "Batch without a script (swaks's job):", 0 }, \
	{ "auth", required_argument, COPT_AUTH, OPTK_NONE, "MECH",	\
	    "log in with MECH after STARTTLS (when offered):\n"		\
	    "scram-sha-256, cram-md5, plain, xoauth2,\n"		\
	    "external, ... (--auth-user alone: the best)", 0 },		\
	{ "auth-user", required_argument, COPT_AUTH_USER, OPTK_NONE,	\
	    "USER", "whom to log in as", 0 },				\
	{ "from", required_argument, COPT_FROM, OPTK_NONE, "ADDR",	\
	    "send a test message: MAIL FROM:<ADDR>", 0 },		\
	{ "to", required_argument, COPT_TO, OPTK_NONE, "ADDR",		\
	    "RCPT TO:<ADDR> (repeatable)", 0 },				\
	{ "header", required_argument, COPT_HEADER, OPTK_NONE,		\
	    "'NAME: VALUE'", "add or replace a header (repeatable)", 0 }, \
	{ "body", required_argument, COPT_BODY, OPTK_NONE, "TEXT",	\
	    "the body (default: a line saying it is a test)", 0 }, \
	{ "data", required_argument, COPT_DATA, OPTK_FILE, "FILE",	\
	    "the whole message from FILE (-: standard\n"		\
	    "input), sent as it is, dot-stuffed; IMAP: the\n"		\
	    "message --append appends", 0 },				\
	{ "quit-after", required_argument, COPT_QUIT_AFTER, OPTK_WORDS,	\
	    "STAGE:connect|greeting|ehlo|tls|auth|mail|rcpt|data",	\
	    "stop after STAGE (data: at DATA's go-ahead,\n"		\
	    "nothing sent)", 0 }

struct compose_opts {
	bool		 auth;		/* --auth or --auth-user */
	const char	*auth_mech;	/* NULL: the best offered */
	const char	*auth_user;
	const char	*from;
	struct strv	 to;
	struct strv	 headers;
	const char	*body;
	const char	*data;		/* a file, "-": stdin */
	int		 quit_after;	/* stage + 1, 0: none */
};
#define COMPOSE_BUSY	0	/* a command went: wait for its reply */
#define COMPOSE_QUIT	1	/* stop here */
#define COMPOSE_OVER	2	/* done: the script, if any, goes on */
struct compose;

int		 compose_option(struct compose_opts *, int, const char *,
		    char *, size_t);
bool		 compose_wanted(const struct compose_opts *);
int		 compose_check(const struct compose_opts *,
		    const struct session_opts *, bool, char *, size_t);
void		 compose_opts_free(struct compose_opts *);
struct compose	*compose_new(const struct session_opts *, struct evlog *,
		    const struct compose_opts *, char *, size_t);
void		 compose_start(struct compose *, struct session *);
void		 compose_free(struct compose *);
int		 compose_next(struct compose *);
int		 compose_exit(const struct compose *);
void		 login_args(const char *, char **, char **);
int		 login_secret(const struct session_opts *, const char *,
		    struct buf *, bool *, char *, size_t);

/* batch.c: the batch view (text and --json) and its driver. */
struct batch_opts {
	bool		 json;
	const char	*script;	/* file of commands */
	struct strv	 commands;	/* -c */
	const char	*record;
	bool		 explain;	/* glosses under the lines (text) */
	bool		 resume;	/* a second connection, resuming TLS */
	const char	*compare;	/* a second one with this priority */
	struct compose_opts co;
	bool		 pipeline;	/* groups up to a sync point */
	const char	*append;	/* IMAP: APPEND data_file here */
	const char	*data_file;	/* --data for --append ("-": stdin) */
	int		 idle_ms;	/* IMAP: IDLE this long, then DONE */
};
int	 batch_main(const struct session_opts *, const struct batch_opts *);

/*
 * probe.c: one target's probe, on a loop beside others; mailscope probe.
 * What every target of a run shares is a probe_conf.
 */
struct probe_conf {
	struct session_opts	 so;		/* the target is each probe's */
	bool			 json;
	bool			 scan;
	bool			 quiet;		/* no scan progress line */
	const char		*auth_user;	/* --auth: try once in TLS */
	const char		*auth_pass;
};
struct probe;
typedef void	(*probe_done_cb)(struct probe *, void *);

struct probe	*probe_new(struct loop *, const struct probe_conf *,
		    const char *, const char *, size_t, probe_done_cb, void *);
int		 probe_print(const struct probe *);
void		 probe_free(struct probe *);
int		 probe_worse(int, int);
int		 probe_main(int, char **);

/*
 * targets.c: a target list read as it goes, through a buffer of fixed
 * size: one URL a line, blank lines and '#' comments skipped, spaces
 * around a line and a CR before its LF dropped.  A line longer than the
 * buffer or holding a NUL byte comes back with an error.
 */
#define TARGETS_LINE_MAX	2048
struct targets {
	int	 fd;
	char	 buf[TARGETS_LINE_MAX + 2];	/* a line, its LF, a NUL */
	size_t	 off;		/* the first byte not yet returned */
	size_t	 len;
	size_t	 line;		/* the number of the last line returned */
	bool	 eof;
	bool	 skip;		/* the rest of an overlong line */
};
struct target_line {
	const char	*url;	/* valid until the next call */
	const char	*error;	/* NULL: url is the whole line */
	size_t		 line;
};

void	 targets_init(struct targets *, int);
int	 targets_fill(struct targets *);	/* one read: -1 with errno */
int	 targets_next(struct targets *, struct target_line *);
					/* 1 a line, 0 fill first, -1 end */

/* fleet.c: mailscope probe --targets FILE --jobs N. */
#define FLEET_JOBS		16
#define FLEET_JOBS_MAX		256
int	 fleet_main(const struct probe_conf *, const char *, int);

/* export.c: mailscope export --format txt|md|html FILE. */
extern const struct optcmd export_cmd;
int	 export_main(int, char **);

/* judge.c: mailscope judge --run CMD: clients graded against the lab. */
extern const struct optcmd judge_cmd;
int	 judge_main(int, char **);

/* main.c's table; probe.c's. */
extern const struct optcmd main_cmd;
extern const struct optcmd probe_cmd;

/*
 * complete.c: the bash, zsh and fish completion scripts, written from
 * the commands' option tables; the words of a kind (lab scenarios,
 * themes) the scripts ask for as they complete.
 */
int	 completion_print(const char *, const struct optcmd *const *, size_t);
int	 completion_words(const char *);

#endif /* MAILSCOPE_CMD_H */
