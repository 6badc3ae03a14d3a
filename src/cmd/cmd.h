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
	SOPT_TLSA,
	SOPT_PIN,
	SOPT_DNS,
	SOPT_DNSSEC_ANCHOR,
	SOPT_MTA_STS_POLICY,
	SOPT_CONFIG,
	SOPT_NO_CONFIG,
};
#define SOPTS_CONNECTION						\
	{ NULL, no_argument, '4', OPTK_NONE, NULL,			\
	    "IPv4 or IPv6 only", 0 },					\
	{ NULL, no_argument, '6', OPTK_NONE, NULL, NULL, OPTF_JOIN },	\
	{ "timeout", required_argument, SOPT_TIMEOUT, OPTK_NONE, "SECONDS", \
	    "connect and per-reply timeout (default 30)", 0 }
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
	{ "password-file", required_argument, SOPT_PASSWORD_FILE, OPTK_FILE, \
	    "FILE", "the secret is FILE's first line (else\n"		\
	    "$MAILSCOPE_PASSWORD), never from -c", 0 },			\
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

/* batch.c: the batch view (text and --json) and its driver. */
struct batch_opts {
	bool		 json;
	const char	*script;	/* file of commands */
	struct strv	 commands;	/* -c */
	const char	*record;
	bool		 explain;	/* glosses under the lines (text) */
	bool		 resume;	/* a second connection, resuming TLS */
	const char	*compare;	/* a second one with this priority */
	bool		 pipeline;	/* groups up to a sync point */
	const char	*append;	/* IMAP: APPEND data_file here */
	const char	*data_file;	/* the message ("-": stdin) */
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
int	 fleet_jobs_parse(const char *);	/* 0: bad */
int	 fleet_main(const struct probe_conf *, const char *, int);

/* export.c: mailscope export --format txt|md|html FILE. */
extern const struct optcmd export_cmd;
int	 export_main(int, char **);

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
