/* SPDX-License-Identifier: ISC */
/*
 * explain: plain-language glosses with references, read from tables.
 */
#ifndef MAILSCOPE_EXPLAIN_H
#define MAILSCOPE_EXPLAIN_H

#include "base/base.h"
#include "log/log.h"

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
	XT_SIEVE_STATUS,	/* OK, NO, BYE, "challenge", "literal" */
	XT_SIEVE_CAP,		/* ManageSieve capability names */
	XT_SIEVE_CODE,		/* (QUOTA) ... */
	XT_CMD_SIEVE,
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
/* The glosses of one event, from the classification it carries. */
int		 explain_event(const struct event *, enum proto_id,
		    struct buf *);	/* glosses added */

#endif /* MAILSCOPE_EXPLAIN_H */
