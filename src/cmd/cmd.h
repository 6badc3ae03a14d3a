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
	SOPT_TLSA,
	SOPT_PIN,
	SOPT_DNS,
	SOPT_DNSSEC_ANCHOR,
	SOPT_MTA_STS_POLICY,
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
	{ "password-file",	required_argument, NULL, SOPT_PASSWORD_FILE }, \
	{ "tlsa",		required_argument, NULL, SOPT_TLSA },	\
	{ "pin",		required_argument, NULL, SOPT_PIN },	\
	{ "dns",		required_argument, NULL, SOPT_DNS },	\
	{ "dnssec-anchor",	required_argument, NULL, SOPT_DNSSEC_ANCHOR }, \
	{ "mta-sts-policy",	required_argument, NULL, SOPT_MTA_STS_POLICY }
#define SESSION_SHORTOPTS	"46"

int	 session_option(struct session_opts *, int, const char *, char *,
	    size_t);
int	 session_options_check(const struct session_opts *, char *, size_t);
void	 session_options_free(struct session_opts *);

/* batch.c: the batch view (text and --json) and its driver. */
struct batch_opts {
	bool		 json;
	const char	*script;	/* file of commands */
	struct strv	 commands;	/* -c */
	const char	*record;
	bool		 explain;	/* glosses under the lines (text) */
	bool		 resume;	/* a second connection, resuming TLS */
	const char	*compare;	/* a second one with this priority */
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
int	 export_main(int, char **);

#endif /* MAILSCOPE_CMD_H */
