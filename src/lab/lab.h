/* SPDX-License-Identifier: ISC */
/*
 * lab: the teaching server on loopback, a program of its own that
 * needs only base.  This is what its callers see.
 */
#ifndef MAILSCOPE_LAB_H
#define MAILSCOPE_LAB_H

#include "base/base.h"

/* certgen.c: CA and server certificates made in memory (lab, tests). */
struct certgen_opts {
	const char	*cn;
	struct strv	 dns;		/* SAN DNS names */
	struct strv	 ip;		/* SAN IP addresses */
	int64_t		 not_before;
	int64_t		 not_after;
	bool		 self_signed;
	const char	*key_pem;	/* the key to use, or NULL: a new one */
};
int	 certgen_ca(const char *, char **, char **, char *, size_t);
int	 certgen_server(const struct certgen_opts *, const char *,
	    const char *, char **, char **, char *, size_t);
int	 certgen_check(const char *, const char *, char *, size_t);

/* lab.c: the teaching server on loopback (smtp.c, imap.c, pop3.c,
 * sieve.c hold the per-protocol state machines). */
struct lab_opts {
	const char	*scenario;	/* NULL: "good" */
	int		 port_base;	/* 0: the kernel picks free ports */
	const char	*keep_certs;	/* NULL: a private temp dir */
	const char	*store;		/* NULL: mail in memory only */
	const char	*listen;	/* NULL: 127.0.0.1 */
	bool		 mystery;	/* scenario from the seed, unnamed */
	bool		 seeded;
	uint64_t	 seed;
	bool		 judge;		/* a verdict per client connection */
	bool		 json;		/* lab_main: verdicts as JSON lines */
	const char	*verdicts;	/* lab_spawn: JSON lines appended here */
};

/* The lab's ports, base+0 up, in this order. */
enum lab_port {
	LP_SMTP,		/* STARTTLS offered */
	LP_SUBMISSION,		/* STARTTLS */
	LP_SMTPS,		/* implicit TLS */
	LP_IMAP,		/* STARTTLS */
	LP_IMAPS,
	LP_POP3,		/* STLS */
	LP_POP3S,
	LP_SIEVE,		/* ManageSieve */
	LAB_NPORTS
};

struct lab_info {
	int		 port[LAB_NPORTS];	/* by enum lab_port */
	char		*ca_path;
	char		*dir;
	pid_t		 pid;		/* lab_spawn: the child */
	int		 lifeline;	/* lab_spawn: its end closes the lab */
	bool		 keep;		/* dir is --keep-certs: left alone */
	char		*scenario;	/* the one served, even a mystery */
	bool		 mystery;
	uint64_t	 seed;
};

extern const struct optcmd lab_cmd;
int		 lab_main(int, char **);
int		 lab_spawn(const struct lab_opts *, struct lab_info *, char *,
		    size_t);
void		 lab_stop(struct lab_info *);
const char *const *lab_scenarios(void);
const char	*lab_scenario_desc(const char *);
const char	*lab_scenario_tell(const char *);	/* where to look */
const char	*lab_mystery_pick(uint64_t);
void		 lab_mystery_reveal(uint64_t, struct buf *);
void		 lab_ports_text(const char *, const int *, struct buf *);
const char	*lab_scenario_attack(const char *, const char *);

/* A verdict, in order of gravity: the worst of several wins. */
enum judge_verdict {
	JV_NOT_EXERCISED,
	JV_SAFE,
	JV_VULNERABLE,
};
const char	*judge_verdict_name(enum judge_verdict);
#define LAB_CA_FILE	"ca.pem"	/* in the lab's dir, --keep-certs DIR */
#define LAB_MSG_MAX	(2 * 1024 * 1024)	/* SMTP SIZE */
#define LAB_STORE_MAX	100			/* oldest dropped */
#define LAB_STORE_BYTES	(32 * 1024 * 1024)

#endif /* MAILSCOPE_LAB_H */
