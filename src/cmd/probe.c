/* SPDX-License-Identifier: ISC */
/*
 * mailscope probe: a one-shot check of a server's STARTTLS.
 *
 * Several short sessions run one after the other on the same loop, each
 * an ordinary session observed through its event log:
 *   STEP_MAIN     greeting, capabilities, STARTTLS, handshake, verdict,
 *                 capabilities again (response injection shows here too);
 *   STEP_VERSION  one handshake per TLS version, to find the lowest one
 *                 accepted and whether TLS 1.3 is offered;
 *   STEP_SCAN     --scan: one handshake per cipher suite at each
 *                 version accepted, per group and per signature
 *                 algorithm, each offering only that one; what is
 *                 accepted is weighed by the rules of src/core/weak.c,
 *                 those the live session warns with;
 *   STEP_INJECT   STARTTLS and a plaintext command in one write: a reply
 *                 to that command inside TLS means the server executed
 *                 buffered plaintext (CVE-2011-0411 class);
 *   STEP_ENFORCE  SMTP: is MAIL accepted before STARTTLS?
 * It never sends mail, and authenticates only when asked (--auth).
 */
#include <sys/socket.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "tui.h"

#define INJECT_WAIT_MS	1500	/* for an answer to the injected command */
#define SETTLE_MS	500	/* for stragglers after the real command */
#define SCAN_BUDGET_S	300	/* the whole scan, however slow the server */

enum probe_step {
	STEP_MAIN,
	STEP_VERSION,
	STEP_SCAN,
	STEP_INJECT,
	STEP_ENFORCE,
	STEP_DONE,
};

enum level {
	LV_OK,
	LV_INFO,
	LV_WARN,
	LV_BAD,
	LV_SKIP,
};

static const char *level_names[] = { "ok", "info", "warn", "bad", "skip" };

/*
 * A check in the words scanners use (testssl.sh's severities): what a
 * warning and a failure weigh, and the CVE and CWE it is about.  A level
 * ok is OK, info INFO, skip (not tested) WARN, as testssl.sh says a test
 * could not be made; warn and bad are MEDIUM and HIGH unless said here.
 */
static const struct check_ref {
	const char	*check;
	const char	*warn, *bad;
	const char	*cve, *cwe;
} check_refs[] = {
	{ "target", NULL, "WARN", NULL, NULL },
	{ "connect", NULL, "WARN", NULL, NULL },
	{ "mx", "LOW", NULL, NULL, NULL },
	{ "starttls", NULL, "HIGH", NULL, "CWE-319" },
	{ "plaintext-auth", "MEDIUM", NULL, NULL, "CWE-319" },
	{ "tls", NULL, "HIGH", NULL, "CWE-319" },
	{ "certificate", NULL, "HIGH", NULL, "CWE-295" },
	{ "dane", "MEDIUM", "HIGH", NULL, "CWE-295" },
	{ "mta-sts", "MEDIUM", "HIGH", NULL, "CWE-295" },
	{ "pin", NULL, "HIGH", NULL, "CWE-295" },
	{ "capabilities", "LOW", NULL, NULL, NULL },
	{ "auth", "MEDIUM", "MEDIUM", NULL, NULL },
	{ "response-injection", NULL, "HIGH", NULL, "CWE-74" },
	{ "lowest-version", "LOW", "HIGH", NULL, "CWE-327" },
	{ "command-injection", NULL, "HIGH", "CVE-2011-0411", "CWE-74" },
};

struct finding {
	char		*id;		/* stable: "starttls", "cipher-tls1_2_x9d" */
	char		*check;
	enum level	 level;
	const char	*severity;	/* OK, INFO, LOW, ... CRITICAL, WARN */
	char		*detail;
	char		*cve;		/* "CVE-2011-0411", or NULL */
	char		*cwe;		/* "CWE-74", or NULL */
	char		*name;		/* scan: the suite, group, ... or NULL */
	char		*version;	/* scan: "TLS1.2" or NULL */
	char		*iana;		/* scan: a suite's "0x00,0x34" */
};

enum scan_kind {
	SCAN_SUITE,
	SCAN_GROUP,
	SCAN_SIGALG,
};

/* One handshake of the scan: one thing offered at one version. */
struct scan_try {
	enum scan_kind	 kind;
	const char	*version;
	const char	*name;		/* GnuTLS's: suite, group, algorithm */
	size_t		 suite;		/* SCAN_SUITE: in the suite list */
	char		*priority;
	bool		 accepted;
	bool		 unknown;	/* no handshake ran: turned away */
	char		*iana_name;	/* an accepted suite's, from GnuTLS */
	char		*weak_dh;	/* the session's warning, if any */
};

static const struct version_probe {
	const char	*name;
	const char	*priority;
} versions[] = {
	{ "TLS1.0", "NORMAL:-VERS-ALL:+VERS-TLS1.0:+SHA1:+SIGN-ALL" },
	{ "TLS1.1", "NORMAL:-VERS-ALL:+VERS-TLS1.1:+SHA1:+SIGN-ALL" },
	{ "TLS1.2", "NORMAL:-VERS-ALL:+VERS-TLS1.2" },
	{ "TLS1.3", "NORMAL:-VERS-ALL:+VERS-TLS1.3" },
};
#define NVERSIONS (sizeof versions / sizeof versions[0])

struct probe {
	struct loop		*loop;
	const struct probe_conf	*conf;
	struct session_opts	 base;	/* conf's, with this target */
	char			*label;	/* the target as given, sanitized */
	char			*tls;	/* --json: the main session's facts */
	size_t			 line;	/* in the target list, or 0 */
	probe_done_cb		 done;
	void			*done_arg;
	bool			 next_due;	/* probe_next() deferred */
	enum probe_step		 step;
	struct session		*s;
	struct evlog		*log;
	struct digest		 dg;	/* the step's session, summed up */
	struct timer		*timer;
	struct finding		*f;
	size_t			 nf;
	int			 exit_code;

	/* STEP_MAIN */
	bool			 auth_sent;	/* tried: sent or withheld */
	bool			 auth_done;	/* its final reply came */
	char			*auth_refused;	/* why it was withheld */
	char			*auth_reply;
	bool			 auth_ok;	/* the session says accepted */

	/* STEP_VERSION */
	size_t			 vi;
	bool			 v_ok[NVERSIONS];
	bool			 v_ran[NVERSIONS];	/* a handshake ran */
	char			*v_why;		/* why one did not */
	char			*scan_why;	/* ... and in the scan */

	/* STEP_SCAN */
	struct tls_suite	*suites;
	size_t			 nsuites;
	struct strv		 groups;
	struct strv		 sigalgs;
	struct scan_try		*tries;
	size_t			 ntries;
	size_t			 ti;
	int64_t			 scan_deadline;

	/* STEP_INJECT */
	int			 ready_count;
	bool			 unsolicited;
	bool			 real_sent;
	bool			 inject_closed;

	/* STEP_ENFORCE */
	int			 mail_code;
	char			*mail_reply;	/* its line, sanitized */
};

static void	probe_next(struct probe *);

static void
probe_next_cb(void *arg)
{
	struct probe	*p = arg;

	p->next_due = false;
	probe_next(p);
}

/*
 * The next step, outside the session's own call stack; once: a failed
 * connect both says so and closes the session.
 */
static void
probe_defer(struct probe *p)
{
	if (p->next_due)
		return;
	p->next_due = true;
	loop_defer(p->loop, probe_next_cb, p);
}

static struct finding *finding(struct probe *, const char *, enum level,
		    const char *, ...) PRINTFLIKE(4, 5);

static struct finding *
finding(struct probe *p, const char *check, enum level lv, const char *fmt,
    ...)
{
	static const char	*const severity[] = { "OK", "INFO", "MEDIUM",
	    "HIGH", "WARN" };
	struct buf		 b = { 0 };
	struct finding		*f;
	const struct check_ref	*r = NULL;
	va_list			 ap;
	size_t			 i;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	for (i = 0; i < sizeof check_refs / sizeof check_refs[0]; i++)
		if (strcmp(check_refs[i].check, check) == 0)
			r = &check_refs[i];
	p->f = xreallocarray(p->f, p->nf + 1, sizeof *p->f);
	f = &p->f[p->nf++];
	memset(f, 0, sizeof *f);
	f->id = xstrdup(check);
	f->check = xstrdup(check);
	f->level = lv;
	f->severity = severity[lv];
	if (r != NULL && lv == LV_WARN && r->warn != NULL)
		f->severity = r->warn;
	if (r != NULL && lv == LV_BAD && r->bad != NULL)
		f->severity = r->bad;
	f->cve = xstrdup_or_null(r != NULL ? r->cve : NULL);
	f->cwe = xstrdup_or_null(r != NULL ? r->cwe : NULL);
	f->detail = b.p != NULL ? b.p : xstrdup("");
	return f;
}

/* "TLS1.2", "X25519" as part of an id: "tls1_2", "x25519". */
static void
id_part(struct buf *b, const char *s, bool dots)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'A' && *s <= 'Z')
			buf_addc(b, (char)(*s - 'A' + 'a'));
		else if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    (*s == '.' && dots))
			buf_addc(b, *s);
		else
			buf_addc(b, *s == '.' ? '_' : '-');
	}
}

/*
 * A scan finding: what it is about, at which version; its id says both
 * ("group-tls1_3-x25519", "ciphers-tls1_2", "untested-ssl2.0").
 */
static void
finding_of(struct finding *f, const char *name, const char *version)
{
	struct buf	b = { 0 };

	f->name = xstrdup_or_null(name);
	f->version = xstrdup_or_null(version);
	buf_adds(&b, f->check);
	if (version != NULL) {
		buf_addc(&b, '-');
		id_part(&b, version, false);
	}
	if (name != NULL) {
		buf_addc(&b, '-');
		id_part(&b, name, true);
	}
	free(f->id);
	f->id = b.p;
}

/* CVE or CWE ids, each once, from "CVE-2016-2183 CVE-2016-6329". */
static void
add_refs(struct strv *sv, const char *ids)
{
	char	*s, *w, *save;

	if (ids == NULL)
		return;
	s = xstrdup(ids);
	for (w = strtok_r(s, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		if (!strv_has(sv, w))
			strv_add(sv, w);
	free(s);
}

/* The ids as one string, as testssl.sh writes them; NULL for none. */
static char *
join_refs(const struct strv *sv)
{
	struct buf	b = { 0 };
	size_t		i;

	for (i = 0; i < sv->n; i++)
		buf_printf(&b, "%s%s", i > 0 ? " " : "", sv->v[i]);
	return b.p;
}

/*
 * Of two exit codes, the more severe: a probe's findings, then the
 * targets of a list, go by it.  A target that could not be read (1)
 * ranks below every finding.
 */
int
probe_worse(int a, int b)
{
	static const int order[] = { EXIT_PROBE_CMDINJ, EXIT_SECURITY,
	    EXIT_NOSTARTTLS, EXIT_HANDSHAKE, EXIT_VERIFY, EXIT_PROBE_WEAK,
	    EXIT_PROTO, EXIT_USAGE, EXIT_OK };
	size_t	i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		if (order[i] == a || order[i] == b)
			return order[i];
	return a;
}

static void
probe_exit(struct probe *p, int code)
{
	p->exit_code = probe_worse(p->exit_code, code);
}

static void	probe_ready(struct probe *);

static void
probe_event(const struct event *ev, void *arg)
{
	struct probe	*p = arg;

	switch (p->step) {
	case STEP_MAIN:
		/* The last line of the exchange: its final reply. */
		if (p->auth_sent && !p->auth_done && p->auth_refused == NULL &&
		    ev->kind == EV_DATA && ev->dir == DIR_SERVER &&
		    (ev->flags & EVF_END)) {
			struct buf	b = { 0 };

			sanitize(ev->data, ev->len, &b);
			free(p->auth_reply);
			p->auth_reply = b.p != NULL ? b.p : xstrdup("");
		}
		break;
	case STEP_INJECT:
		if (ev->kind == EV_DATA && ev->dir == DIR_SERVER &&
		    ev->chan == CHAN_TLS && (ev->flags & EVF_UNSOLICITED))
			p->unsolicited = true;
		break;
	case STEP_SCAN:
		/* The one rule, applied by the session to the server's own
		 * group, which only a handshake reveals. */
		if (ev->kind == EV_WARNING && ev_code_is(ev, "weak-dh") &&
		    p->tries[p->ti].weak_dh == NULL) {
			struct buf	b = { 0 };

			sanitize(ev->data, ev->len, &b);
			p->tries[p->ti].weak_dh = b.p != NULL ? b.p :
			    xstrdup("");
		}
		break;
	case STEP_ENFORCE:
		if (ev->kind == EV_DATA && ev->dir == DIR_SERVER &&
		    p->ready_count == 2 && p->mail_code == 0) {
			struct buf	b = { 0 };

			p->mail_code = ev->cls.code;
			sanitize(ev->data, ev->len, &b);
			p->mail_reply = b.p != NULL ? b.p : xstrdup("");
		}
		break;
	default:
		break;
	}	/* What the session says to its owner. */
	if (ev->kind == EV_READY)
		probe_ready(p);
	else if (ev->kind == EV_ERROR && ev_code_is(ev, "timeout"))
		session_close(p->s, "timeout");
	else if (ev->kind == EV_STATE && session_state(p->s) == STATE_CLOSED)
		probe_defer(p);
}

static void
probe_timer(void *arg)
{
	struct probe	*p = arg;
	const char	*noop = "NOOP";

	if (p->step != STEP_INJECT || p->s == NULL)
		return;
	if (!p->real_sent && !p->unsolicited &&
	    session_state(p->s) == STATE_TLS) {
		/* Nothing came: a real command inside TLS decides. */
		p->real_sent = true;
		session_send(p->s, noop, strlen(noop));
		return;
	}
	session_quit(p->s);
}

/*
 * --auth: one SASL login inside TLS with the best mechanism the server
 * offers, only where the one rule lets a secret go (a verified
 * certificate, or --allow-unverified-auth).
 */
static void
probe_auth(struct probe *p, struct session *s)
{
	struct secret_verdict	v;

	p->auth_sent = true;
	session_secret_verdict(s, &v);
	if (!v.may) {
		p->auth_refused = xstrdup(v.why);
		session_quit(s);
		return;
	}
	if (session_auth(s, NULL, p->conf->auth_user, p->conf->auth_pass,
	    false) == -1) {
		p->auth_refused = xstrdup("the session could not send it");
		session_quit(s);
	}
}

/* Nothing awaited: the next command of the step, or the end of it. */
static void
probe_ready(struct probe *p)
{
	struct session	*s = p->s;
	const char	*cmd;

	p->ready_count++;
	if (p->step == STEP_INJECT) {
		if (p->ready_count == 1) {
			cmd = session_caps_cmd(s,
			    p->base.ehlo);
			session_send(s, cmd, strlen(cmd));
		} else if (p->ready_count == 2) {
			if (!session_cap_starttls(s))
				session_quit(s);
			else
				session_starttls_inject(s,
				    pp_inject_cmd(
				    p->base.target.proto));
		} else if (p->dg.phase == DG_TLS_UP)
			timer_set(p->timer, p->real_sent ?
			    SETTLE_MS : INJECT_WAIT_MS);
		return;
	}
	if (p->step == STEP_ENFORCE) {
		if (p->ready_count == 1)
			cmd = session_caps_cmd(s,
			    p->base.ehlo);
		else if (p->ready_count == 2)
			cmd = pp_mail_probe(p->base.target.proto);
		else if (p->ready_count == 3)
			cmd = "RSET";
		else {
			session_quit(s);
			return;
		}
		session_send(s, cmd, strlen(cmd));
		return;
	}
	if (p->step == STEP_MAIN && p->conf->auth_user != NULL &&
	    !p->auth_sent && session_state(s) == STATE_TLS) {
		probe_auth(p, s);
		return;
	}
	if (p->auth_sent) {
		p->auth_done = true;
		p->auth_ok = session_auth_result(s) == AUTH_OK;
	}
	session_quit(s);
}

static void
probe_start(struct probe *p, const struct session_opts *so)
{
	session_free(p->s);
	evlog_free(p->log);
	digest_free(&p->dg);
	p->log = evlog_new(false);
	/* The digest first: the probe acts on events it has summed up. */
	evlog_subscribe(p->log, digest_event, &p->dg);
	evlog_subscribe(p->log, probe_event, p);
	p->ready_count = 0;
	p->s = session_new(p->loop, p->log, so);
	if (session_connect(p->s) == -1)
		probe_defer(p);
}

/*
 * Did this connection's handshake run, to its end or to an alert?  A
 * connection turned away before it (a greeting refusing the session, a
 * connection limit, STARTTLS refused for now) says nothing of what the
 * server would accept.
 */
static bool
handshake_ran(const struct probe *p)
{
	return p->dg.phase == DG_TLS_UP || p->dg.phase == DG_TLS_FAILED;
}

/* Why a connection said nothing, in the words of its end. */
static const char *
turned_away(const struct probe *p)
{
	return p->dg.close_reason != NULL ? p->dg.close_reason :
	    "the connection ended before the handshake";
}

static void
probe_main_findings(struct probe *p)
{
	const struct digest	*d = &p->dg;
	const struct tls_facts	*f = d->tls;
	const struct strv	*codes = &d->codes;
	const char		*closed = d->close_reason;
	bool			 implicit = p->base.target.implicit_tls;
	size_t			 i;

	/* Only a DNSSEC-secure MX answer is the domain's own. */
	if (d->mx != NULL) {
		struct buf	b = { 0 };

		sanitize(d->mx, strlen(d->mx), &b);
		finding(p, "mx", d->mx_secure ? LV_OK : LV_WARN, "%s", b.p);
		buf_free(&b);
	}
	if (d->greeting != NULL) {
		struct buf	b = { 0 };

		sanitize(d->greeting, d->greeting_len, &b);
		finding(p, "greeting", LV_INFO, "%s", b.p != NULL ? b.p : "");
		buf_free(&b);
	} else {
		finding(p, "connect", LV_BAD, "%s", closed != NULL ?
		    closed : "no greeting");
		probe_exit(p, EXIT_PROTO);
	}
	if (!implicit && d->greeting != NULL && !d->caps_known) {
		/* Turned away before a capability: nothing else is known. */
		finding(p, "session", LV_BAD, "%s", closed != NULL ? closed :
		    "ended before the capabilities");
		probe_exit(p, EXIT_PROTO);
		return;
	}
	if (!implicit && d->greeting != NULL) {
		if (strv_has(codes, "starttls-stripped")) {
			finding(p, "starttls", LV_BAD, "stripped: a capability "
			    "is X's where STARTTLS belongs (a man in the "
			    "middle overwrote it)");
			probe_exit(p, EXIT_NOSTARTTLS);
		} else if (strv_has(codes, "no-starttls")) {
			finding(p, "starttls", LV_BAD, "not offered: the "
			    "session stays plaintext (stripping would look "
			    "the same)");
			probe_exit(p, EXIT_NOSTARTTLS);
		} else if (strv_has(codes, "starttls-refused")) {
			finding(p, "starttls", LV_BAD, "offered but refused");
			probe_exit(p, EXIT_NOSTARTTLS);
		} else
			finding(p, "starttls", LV_OK, "offered");
		if (strv_has(codes, "plaintext-auth")) {
			finding(p, "plaintext-auth", LV_WARN, "credentials "
			    "can be sent before TLS (AUTH/USER offered or "
			    "LOGINDISABLED missing)");
			probe_exit(p, EXIT_PROBE_WEAK);
		} else
			finding(p, "plaintext-auth", LV_OK, "not offered "
			    "before TLS");
	}
	if (f == NULL) {
		/* Without STARTTLS the finding above says it all. */
		if ((d->greeting != NULL || implicit) &&
		    !strv_has(codes, "no-starttls") &&
		    !strv_has(codes, "starttls-refused")) {
			finding(p, "tls", LV_BAD, "no TLS session: %s",
			    closed != NULL ? closed : "");
			probe_exit(p, EXIT_HANDSHAKE);
		}
	} else {
		if (p->conf->json)
			p->tls = tls_facts_json(f);
		finding(p, "tls", LV_OK, "%s, %s, %s%s%s", f->version,
		    f->cipher, f->kx != NULL ? f->kx : "-",
		    f->group != NULL ? ", " : "",
		    f->group != NULL ? f->group : "");
		if (f->verify.ok)
			finding(p, "certificate", LV_OK, "%s for %s%s%s",
			    f->verify.trust != NULL ? f->verify.trust :
			    "verified", f->verify.hostname != NULL ?
			    f->verify.hostname : "?",
			    f->verify.matched != NULL ? ", matched " : "",
			    f->verify.matched != NULL ? f->verify.matched :
			    "");
		else {
			struct buf	b = { 0 };

			for (i = 0; i < f->verify.reasons.n; i++)
				buf_printf(&b, "%s%s", i ? "; " : "",
				    f->verify.reasons.v[i]);
			/* A usable TLSA set decides instead (RFC 7672). */
			finding(p, "certificate", f->dane.usable ? LV_INFO :
			    LV_BAD, "NOT verified%s: %s", f->dane.usable ?
			    " by PKIX (DANE decides)" : "", b.p != NULL ? b.p :
			    "verification failed");
			buf_free(&b);
		}
		if (f->dane.checked)
			finding(p, "dane", f->dane.ok ? LV_OK : f->dane.usable ?
			    LV_BAD : LV_WARN, "%s", f->dane.verdict);
		if (f->sts.checked)
			finding(p, "mta-sts", f->sts.fails ? LV_BAD : f->sts.ok ?
			    LV_OK : LV_WARN, "%s", f->sts.verdict);
		if (f->pin.checked && f->pin.ok)
			finding(p, "pin", LV_OK, "matched %s", f->pin.actual);
		else if (f->pin.checked)
			finding(p, "pin", LV_BAD, "NOT matched: the server's "
			    "public key is %s", f->pin.actual != NULL ?
			    f->pin.actual : "unknown");
		if (!f->verified)
			probe_exit(p, EXIT_VERIFY);
		if (!implicit)
			finding(p, "capabilities", strv_has(codes,
			    "starttls-after-tls") ? LV_WARN : LV_OK,
			    "after TLS: %s%s", d->capdiff_text != NULL ?
			    d->capdiff_text : "not asked again",
			    strv_has(codes, "starttls-after-tls") ?
			    " (STARTTLS still offered inside TLS)" : "");
	}
	if (p->conf->auth_user != NULL) {
		if (p->auth_refused != NULL)
			finding(p, "auth", LV_BAD, "not tried, nothing sent: %s",
			    p->auth_refused);
		else if (p->auth_reply == NULL)
			finding(p, "auth", LV_INFO, "not tried: no TLS session "
			    "to authenticate in");
		else if (p->auth_ok && f != NULL && !f->verified)
			finding(p, "auth", LV_WARN, "accepted over TLS whose "
			    "certificate is not verified "
			    "(--allow-unverified-auth): %s", p->auth_reply);
		else if (p->auth_ok)
			finding(p, "auth", LV_OK, "accepted inside TLS: %s",
			    p->auth_reply);
		else
			finding(p, "auth", LV_WARN, "refused: %s",
			    p->auth_reply);
	}
	if (!implicit && d->greeting != NULL) {
		if (strv_has(codes, "response-injection")) {
			finding(p, "response-injection", LV_BAD, "bytes "
			    "arrived after the STARTTLS go-ahead, before the "
			    "handshake");
			probe_exit(p, EXIT_SECURITY);
		} else if (f != NULL)
			finding(p, "response-injection", LV_OK, "none seen");
	}
}

static void
probe_version_findings(struct probe *p)
{
	struct buf	 refused = { 0 }, untested = { 0 };
	size_t		 i, lowest = NVERSIONS, below = 0;

	for (i = 0; i < NVERSIONS; i++) {
		if (!p->v_ran[i]) {
			buf_printf(&untested, "%s%s", untested.len ? ", " : "",
			    versions[i].name);
			if (lowest == NVERSIONS)
				below++;
			continue;
		}
		if (p->v_ok[i] && lowest == NVERSIONS)
			lowest = i;
		if (!p->v_ok[i] && i < 3)
			buf_printf(&refused, "%s%s", refused.len ? ", " : "",
			    versions[i].name);
	}
	if (untested.len > 0)
		finding(p, "versions", LV_SKIP, "%s not tested: %s",
		    untested.p, p->v_why != NULL ? p->v_why :
		    "turned away before the handshake");
	if (lowest == NVERSIONS && untested.len == 0)
		finding(p, "lowest-version", LV_BAD, "no version accepted");
	else if (lowest == NVERSIONS)
		finding(p, "lowest-version", LV_SKIP, "not known: no version "
		    "tested was accepted");
	else if (lowest < 2) {
		finding(p, "lowest-version", LV_WARN, "%s accepted (obsolete "
		    "since RFC 8996)", versions[lowest].name);
		probe_exit(p, EXIT_PROBE_WEAK);
	} else
		/* An untested older version may be accepted too. */
		finding(p, "lowest-version", below > 0 ? LV_SKIP : LV_OK,
		    "%s%s%s%s%s", versions[lowest].name, refused.len ? " (" :
		    "", refused.len ? refused.p : "", refused.len ?
		    " refused)" : "", below > 0 ? ", or older: not all "
		    "tested" : "");
	if (p->v_ran[3])
		finding(p, "tls1.3", p->v_ok[3] ? LV_OK : LV_INFO, "%s",
		    p->v_ok[3] ? "offered" : "not offered");
	buf_free(&refused);
	buf_free(&untested);
}

static void
probe_inject_findings(struct probe *p)
{
	if (p->unsolicited) {
		finding(p, "command-injection", LV_BAD, "VULNERABLE: the "
		    "server answered, inside TLS, a command sent in "
		    "plaintext with STARTTLS%s (CVE-2011-0411 class)",
		    p->real_sent ? ", once a real command followed" : "");
		probe_exit(p, EXIT_PROBE_CMDINJ);
	} else if (p->ready_count < 2)
		finding(p, "command-injection", LV_SKIP, "not tested: %s",
		    turned_away(p));
	else if (p->dg.phase != DG_TLS_UP)
		finding(p, "command-injection", LV_OK, "not vulnerable: the "
		    "server refused the handshake after pipelined "
		    "plaintext");
	else
		finding(p, "command-injection", LV_OK, "not vulnerable: "
		    "pipelined plaintext was discarded");
}

static void
scan_add(struct probe *p, enum scan_kind kind, const char *version,
    const char *name, size_t suite, const struct buf *prio)
{
	struct scan_try	*t;

	p->tries = xreallocarray(p->tries, p->ntries + 1, sizeof *p->tries);
	t = &p->tries[p->ntries++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->version = version;
	t->name = name;
	t->suite = suite;
	t->priority = xstrdup(prio->p);
}

/*
 * The handshakes to make: every suite the linked GnuTLS can offer at
 * each version the server accepted, then each group and signature
 * algorithm at TLS 1.2 and 1.3 (those accepted).  What cannot be
 * offered is said first.
 */
static void
scan_plan(struct probe *p)
{
	struct strv	 what = { 0 }, why = { 0 };
	struct buf	 prio = { 0 };
	size_t		 i, j;

	tls_scan_limits(&what, &why);
	for (i = 0; i < what.n; i++)
		finding_of(finding(p, "untested", LV_SKIP, "%s", why.v[i]),
		    what.v[i], NULL);
	strv_clear(&what);
	strv_clear(&why);
	p->nsuites = tls_suites(&p->suites);
	tls_groups(&p->groups);
	tls_sigalgs(&p->sigalgs);
	for (i = 0; i < NVERSIONS; i++) {
		if (!p->v_ok[i])
			continue;
		for (j = 0; j < p->nsuites; j++)
			if (tls_suite_priority(&p->suites[j],
			    versions[i].name, &prio) == 0)
				scan_add(p, SCAN_SUITE, versions[i].name,
				    p->suites[j].name, j, &prio);
	}
	for (i = 2; i < NVERSIONS; i++) {
		if (!p->v_ok[i])
			continue;
		for (j = 0; j < p->groups.n; j++)
			if (tls_only_priority(versions[i].name, "GROUP",
			    p->groups.v[j], &prio) == 0)
				scan_add(p, SCAN_GROUP, versions[i].name,
				    p->groups.v[j], 0, &prio);
		for (j = 0; j < p->sigalgs.n; j++)
			if (tls_only_priority(versions[i].name, "SIGN",
			    p->sigalgs.v[j], &prio) == 0)
				scan_add(p, SCAN_SIGALG, versions[i].name,
				    p->sigalgs.v[j], 0, &prio);
	}
	buf_free(&prio);
	p->ti = 0;
	p->scan_deadline = mono_ns() + (int64_t)SCAN_BUDGET_S * 1000000000;
}

/* The handshake just made: was the one thing offered taken? */
static void
scan_result(struct probe *p)
{
	struct scan_try		*t = &p->tries[p->ti];
	const struct tls_facts	*f = p->dg.tls;

	if (!handshake_ran(p)) {
		t->unknown = true;
		if (p->scan_why == NULL)
			p->scan_why = xstrdup(turned_away(p));
		return;
	}
	if (p->dg.phase != DG_TLS_UP || f == NULL)
		return;
	switch (t->kind) {
	case SCAN_SUITE:
		t->accepted = true;
		break;
	case SCAN_GROUP:
		/* A TLS 1.2 server may pick RSA key exchange instead. */
		t->accepted = f->group != NULL &&
		    strcasecmp(f->group, t->name) == 0;
		break;
	case SCAN_SIGALG:
		t->accepted = f->sigalg != NULL &&
		    strcasecmp(f->sigalg, t->name) == 0;
		break;
	}
	if (t->kind == SCAN_SUITE)
		t->iana_name = xstrdup(f->cipher);
}

/* Of two severities of a weakness, the graver. */
static const char *
graver(const char *a, const char *b)
{
	static const char *const order[] = { "CRITICAL", "HIGH", "MEDIUM",
	    "LOW" };
	size_t	i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		if (strcmp(a, order[i]) == 0 || strcmp(b, order[i]) == 0)
			return order[i];
	return a;
}

static void
scan_suite_finding(struct probe *p, const struct scan_try *t)
{
	const struct tls_suite	*su = &p->suites[t->suite];
	struct tls_params	 params = su->p, dh = { 0 };
	struct tls_weakness	 w[TLS_WEAK_MAX + 1], dw[TLS_WEAK_MAX];
	struct strv		 cve = { 0 }, cwe = { 0 };
	struct finding		*f;
	struct buf		 b = { 0 };
	enum level		 lv = LV_OK;
	const char		*severity = "OK";
	size_t			 i, n;
	char			 ver[16];

	params.version = tls_version_id(t->version);
	n = tls_weak(&params, w);
	/* The server's own group, which only the handshake showed: the
	 * session's words, the rule's references. */
	dh.dh_bits = 1;
	if (t->weak_dh != NULL && tls_weak(&dh, dw) == 1) {
		w[n] = dw[0];
		snprintf(w[n++].why, sizeof w[0].why, "%s", t->weak_dh);
	}
	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s%s", i ? "; " : "", w[i].why);
		if (w[i].bad)
			lv = LV_BAD;
		else if (lv == LV_OK)
			lv = LV_WARN;
		severity = i == 0 ? w[i].ref->severity : graver(severity,
		    w[i].ref->severity);
		add_refs(&cve, w[i].ref->cve);
		add_refs(&cwe, w[i].ref->cwe);
	}
	f = finding(p, "cipher", lv, "%s", n > 0 ? b.p : "accepted");
	finding_of(f, t->iana_name, t->version);
	xasprintf(&f->iana, "0x%02X,0x%02X", su->id[0], su->id[1]);
	/* testssl.sh's: "cipher-tls1_2_xc02f", "cipher-tls1_2_x9d". */
	buf_reset(&b);
	id_part(&b, t->version, false);
	snprintf(ver, sizeof ver, "%s", b.p);
	free(f->id);
	if (su->id[0] == 0)
		xasprintf(&f->id, "cipher-%s_x%02x", ver, su->id[1]);
	else
		xasprintf(&f->id, "cipher-%s_x%02x%02x", ver, su->id[0],
		    su->id[1]);
	f->severity = severity;
	f->cve = join_refs(&cve);
	f->cwe = join_refs(&cwe);
	if (lv != LV_OK)
		probe_exit(p, EXIT_PROBE_WEAK);
	strv_clear(&cve);
	strv_clear(&cwe);
	buf_free(&b);
}

static void
scan_findings(struct probe *p)
{
	static const char *const kinds[] = { "ciphers", "groups",
	    "sigalgs" };
	static const char *const what[] = { "cipher suites", "groups",
	    "signature algorithms" };
	const struct scan_try	*t;
	size_t			 i, k, v, tested, taken, unknown = 0;

	for (v = 0; v < NVERSIONS; v++)
		for (k = SCAN_SUITE; k <= SCAN_SIGALG; k++) {
			tested = taken = 0;
			for (i = 0; i < p->ntries; i++) {
				t = &p->tries[i];
				if (t->kind != k || strcmp(t->version,
				    versions[v].name) != 0 || i >= p->ti)
					continue;
				if (t->unknown) {
					unknown++;
					continue;
				}
				tested++;
				if (!t->accepted)
					continue;
				taken++;
				if (k == SCAN_SUITE)
					scan_suite_finding(p, t);
				else
					finding_of(finding(p, k == SCAN_GROUP ?
					    "group" : "sigalg", LV_OK,
					    "accepted"), t->name, t->version);
			}
			if (tested > 0)
				finding_of(finding(p, kinds[k], LV_INFO,
				    "%zu of the %zu %s tested accepted", taken,
				    tested, what[k]), NULL, versions[v].name);
		}
	if (unknown > 0)
		finding(p, "scan", LV_SKIP, "%zu of %zu handshakes not made: "
		    "the server turned the connection away (%s); what they "
		    "tried is not counted", unknown, p->ti, p->scan_why != NULL ?
		    p->scan_why : "before the handshake");
	if (p->ti < p->ntries)
		finding(p, "scan", LV_SKIP, "stopped after %d s: %zu of %zu "
		    "handshakes not made", SCAN_BUDGET_S, p->ntries - p->ti,
		    p->ntries);
}

/* The scan's next handshake, with a progress line on a terminal. */
static bool
scan_next(struct probe *p, struct session_opts *so)
{
	const struct scan_try	*t;

	if (p->ti >= p->ntries || mono_ns() > p->scan_deadline) {
		if (!p->conf->quiet && isatty(STDERR_FILENO))
			fprintf(stderr, "\r%-72s\r", "");
		scan_findings(p);
		return false;
	}
	t = &p->tries[p->ti];
	if (!p->conf->quiet && isatty(STDERR_FILENO))
		fprintf(stderr, "\rscan %zu/%zu: %s %-48.48s", p->ti + 1,
		    p->ntries, t->version, t->name);
	so->starttls = !p->base.target.implicit_tls;
	so->priority = t->priority;
	probe_start(p, so);
	return true;
}

static void
probe_next(struct probe *p)
{
	struct session_opts	so = p->base;
	bool			starttls_target;

	starttls_target = !p->base.target.implicit_tls;
	so.insecure = true;
	so.allow_injection = true;
	switch (p->step) {
	case STEP_MAIN:
		if (p->s == NULL) {
			so.starttls = starttls_target;
			probe_start(p, &so);
			return;
		}
		probe_main_findings(p);
		if (p->dg.tls == NULL) {
			if (p->conf->scan)
				finding(p, "scan", LV_SKIP, "not made: no TLS "
				    "session");
			p->step = STEP_DONE;
			break;
		}
		p->step = STEP_VERSION;
		p->vi = 0;
		so.starttls = starttls_target;
		so.priority = versions[0].priority;
		probe_start(p, &so);
		return;
	case STEP_VERSION:
		p->v_ok[p->vi] = p->dg.phase == DG_TLS_UP;
		p->v_ran[p->vi] = handshake_ran(p);
		if (!p->v_ran[p->vi] && p->v_why == NULL)
			p->v_why = xstrdup(turned_away(p));
		if (++p->vi < NVERSIONS) {
			so.starttls = starttls_target;
			so.priority = versions[p->vi].priority;
			probe_start(p, &so);
			return;
		}
		probe_version_findings(p);
		if (p->conf->scan) {
			p->step = STEP_SCAN;
			scan_plan(p);
			if (scan_next(p, &so))
				return;
		}
		FALLTHROUGH;
	case STEP_SCAN:
		if (p->step == STEP_SCAN && p->ti < p->ntries) {
			scan_result(p);
			p->ti++;
			if (scan_next(p, &so))
				return;
		}
		if (!starttls_target) {
			p->step = STEP_DONE;
			break;
		}
		p->step = STEP_INJECT;
		so.starttls = false;
		so.priority = p->base.priority;
		probe_start(p, &so);
		return;
	case STEP_INJECT:
		probe_inject_findings(p);
		if (pp_mail_probe(p->base.target.proto) == NULL) {
			p->step = STEP_DONE;
			break;
		}
		p->step = STEP_ENFORCE;
		probe_start(p, &so);
		return;
	case STEP_ENFORCE:
		if (p->mail_code == 530)
			finding(p, "enforced", LV_OK, "MAIL before STARTTLS "
			    "refused with 530: TLS is enforced");
		else if (p->mail_code >= 200 && p->mail_code < 300)
			finding(p, "enforced", LV_INFO, "MAIL before STARTTLS "
			    "accepted: TLS is opportunistic here");
		else if (p->mail_code == 0)
			finding(p, "enforced", LV_SKIP, "not tested: %s",
			    turned_away(p));
		else
			/* Not 530 (RFC 3207): its words say why. */
			finding(p, "enforced", LV_INFO, "MAIL before STARTTLS "
			    "answered: %s", p->mail_reply != NULL ?
			    p->mail_reply : "?");
		p->step = STEP_DONE;
		break;
	default:
		break;
	}
	/* The owner may free the probe: nothing touches it after. */
	p->done(p, p->done_arg);
}

/* Details may quote the server: sanitized, so always UTF-8. */
static json_t *
finding_json(const struct finding *f)
{
	json_t		*o = json_object();
	struct buf	 b = { 0 };

	sanitize(f->detail, strlen(f->detail), &b);
	json_object_set_new(o, "id", json_string(f->id));
	json_object_set_new(o, "check", json_string(f->check));
	json_object_set_new(o, "level", json_string(level_names[f->level]));
	json_object_set_new(o, "severity", json_string(f->severity));
	json_object_set_new(o, "finding", json_string(b.p != NULL ? b.p :
	    ""));
	if (f->cve != NULL)
		json_object_set_new(o, "cve", json_string(f->cve));
	if (f->cwe != NULL)
		json_object_set_new(o, "cwe", json_string(f->cwe));
	if (f->name != NULL)
		json_object_set_new(o, "name", json_string(f->name));
	if (f->version != NULL)
		json_object_set_new(o, "version", json_string(f->version));
	if (f->iana != NULL)
		json_object_set_new(o, "iana", json_string(f->iana));
	buf_free(&b);
	return o;
}

/* The result, printed at once (a list's results stream); its exit code. */
int
probe_print(const struct probe *p)
{
	json_t	*root, *arr;
	char	*s;
	size_t	 i;

	if (p->conf->json) {
		root = json_object();
		arr = json_array();
		json_object_set_new(root, "target", json_string(p->label));
		if (p->line > 0)
			json_object_set_new(root, "line",
			    json_integer((json_int_t)p->line));
		for (i = 0; i < p->nf; i++)
			json_array_append_new(arr, finding_json(&p->f[i]));
		json_object_set_new(root, "findings", arr);
		if (p->tls != NULL)
			json_object_set_new(root, "tls", json_loads(p->tls, 0,
			    NULL));
		json_object_set_new(root, "exit", json_integer(p->exit_code));
		/* ASCII, as recordings: no byte of it can drive a terminal. */
		s = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
		printf("%s\n", s);
		free(s);
		json_decref(root);
		fflush(stdout);
		return p->exit_code;
	}
	printf("mailscope probe %s\n", p->label);
	for (i = 0; i < p->nf; i++) {
		struct buf	b = { 0 };

		/* Details may quote the server: keep them safe. */
		sanitize(p->f[i].detail, strlen(p->f[i].detail), &b);
		printf("  %-6s %-20s ", level_names[p->f[i].level],
		    p->f[i].check);
		if (p->f[i].version != NULL)
			printf("%s ", p->f[i].version);
		if (p->f[i].name != NULL)
			printf("%s%s%s%s: ", p->f[i].name,
			    p->f[i].iana != NULL ? " (" : "",
			    p->f[i].iana != NULL ? p->f[i].iana : "",
			    p->f[i].iana != NULL ? ")" : "");
		printf("%s\n", b.p != NULL ? b.p : "");
		buf_free(&b);
	}
	printf("exit %d\n", p->exit_code);
	fflush(stdout);
	return p->exit_code;
}

/*
 * A probe of URL on the loop, started at once; DONE is called when its
 * result is known, from the loop, never from inside this call.  A
 * target that cannot be read (ERROR, or a URL that does not parse) is a
 * result of its own: one finding, exit 1.
 */
struct probe *
probe_new(struct loop *loop, const struct probe_conf *conf, const char *url,
    const char *error, size_t line, probe_done_cb done, void *arg)
{
	struct probe	*p;
	struct buf	 b = { 0 };
	char		 err[512];

	p = xcalloc(1, sizeof *p);
	p->loop = loop;
	p->conf = conf;
	p->base = conf->so;
	memset(&p->base.target, 0, sizeof p->base.target);
	sanitize(url, strlen(url), &b);
	p->label = b.p != NULL ? b.p : xstrdup("");
	p->line = line;
	p->done = done;
	p->done_arg = arg;
	p->timer = timer_new(loop, probe_timer, p);
	if (error == NULL && target_parse(url, &p->base.target, err,
	    sizeof err) == -1)
		error = err;
	if (error != NULL) {
		finding(p, "target", LV_BAD, "%s", error);
		p->exit_code = EXIT_USAGE;
		p->step = STEP_DONE;
		probe_defer(p);
		return p;
	}
	p->step = STEP_MAIN;
	probe_next(p);
	return p;
}

void
probe_free(struct probe *p)
{
	size_t	i;

	if (p == NULL)
		return;
	session_free(p->s);
	evlog_free(p->log);
	timer_free(p->timer);
	for (i = 0; i < p->nf; i++) {
		free(p->f[i].check);
		free(p->f[i].detail);
		free(p->f[i].id);
		free(p->f[i].name);
		free(p->f[i].cve);
		free(p->f[i].cwe);
		free(p->f[i].version);
		free(p->f[i].iana);
	}
	free(p->f);
	for (i = 0; i < p->ntries; i++) {
		free(p->tries[i].priority);
		free(p->tries[i].iana_name);
		free(p->tries[i].weak_dh);
	}
	free(p->tries);
	free(p->suites);
	strv_clear(&p->groups);
	strv_clear(&p->sigalgs);
	digest_free(&p->dg);
	free(p->auth_reply);
	free(p->auth_refused);
	free(p->mail_reply);
	free(p->v_why);
	free(p->scan_why);
	free(p->label);
	free(p->tls);
	target_free(&p->base.target);
	free(p);
}

/* The secret: --password-file, MAILSCOPE_PASSWORD, or asked on the
 * terminal without echo; never on the command line, where ps shows it. */
static int
probe_password(const struct session_opts *so, struct buf *pass)
{
	char	 err[512], *pw;
	int	 rc;

	if ((rc = secret_read(so->password_file, "MAILSCOPE_PASSWORD", pass,
	    err, sizeof err)) == 1)
		return 0;
	if (rc == -1) {
		fprintf(stderr, "mailscope probe: %s\n", err);
		return -1;
	}
	if (!isatty(STDIN_FILENO) || (pw = getpass("password: ")) == NULL ||
	    *pw == '\0') {
		fprintf(stderr, "mailscope probe: --auth needs a password "
		    "(--password-file, MAILSCOPE_PASSWORD or the terminal)\n");
		return -1;
	}
	buf_adds(pass, pw);
	explicit_bzero(pw, strlen(pw));
	return 0;
}

enum {
	PROBE_JSON = 256,
	PROBE_SCAN,
	PROBE_AUTH,
	PROBE_TARGETS,
	PROBE_JOBS,
};

static const struct opt probe_opts[] = {
	{ NULL, 0, 0, 0, NULL, "Probe:", 0 },
	{ "scan", no_argument, PROBE_SCAN, OPTK_NONE, NULL,
	    "also one handshake per cipher suite, group and\n"
	    "signature algorithm the linked GnuTLS can offer:\n"
	    "what the server accepts, weak ones flagged (at\n"
	    "most 300 s)", 0 },
	{ "json", no_argument, PROBE_JSON, OPTK_NONE, NULL,
	    "the findings as JSON", 0 },
	{ "auth", required_argument, PROBE_AUTH, OPTK_NONE, "USER",
	    "try to log in once, inside verified TLS", 0 },
	{ "targets", required_argument, PROBE_TARGETS, OPTK_FILE, "FILE",
	    "probe every URL of FILE (one a line, # comments;\n"
	    "-: standard input), each result printed as it\n"
	    "finishes; the options apply to every target\n"
	    "(not --auth)", 0 },
	{ "jobs", required_argument, PROBE_JOBS, OPTK_NONE, "N",
	    "--targets: N targets at once (1-256, default 16)", 0 },
	{ "help", no_argument, 'h', OPTK_NONE, NULL, "this help", 0 },
	{ NULL, 0, 0, 0, NULL, "Connection:", 0 },
	SOPTS_CONNECTION,
	SOPTS_DNS,
	{ NULL, 0, 0, 0, NULL, "TLS:", 0 },
	SOPTS_TLS,
	SOPTS_CREDENTIALS,
	SOPTS_CONFIG,
};

const struct optcmd probe_cmd = {
	"probe", "mailscope probe", probe_opts,
	sizeof probe_opts / sizeof probe_opts[0], OPTK_URL
};

static const char probe_head[] =
"usage: mailscope probe [options] URL\n"
"       mailscope probe [options] --targets FILE [--jobs N]\n"
"\n";

static void
probe_done_break(struct probe *p, void *arg)
{
	(void)p;
	loop_break(arg);
}

/* One URL: its result, its exit code. */
static int
probe_one(const struct probe_conf *conf, const char *url)
{
	struct loop	*loop;
	struct probe	*p;
	int		 rc;

	loop = loop_new();
	p = probe_new(loop, conf, url, NULL, 0, probe_done_break, loop);
	loop_run(loop);
	rc = probe_print(p);
	probe_free(p);
	loop_free(loop);
	return rc;
}

int
probe_main(int argc, char **argv)
{
	struct probe_conf conf;
	struct tui_opts	 to;
	struct opt_getopt g;
	struct target	 t;
	struct buf	 pass = { 0 };
	const char	*targets = NULL, *jobs = NULL;
	char		 err[512];
	int		 ch, njobs = FLEET_JOBS, rc;

	memset(&conf, 0, sizeof conf);
	memset(&to, 0, sizeof to);
	conf.so.family = AF_UNSPEC;
	conf.so.timeout_ms = 10000;
	/* The screen's keys (theme, ...) are read and left unused. */
	(void)cmd_config(&probe_cmd, argc, argv, &conf.so, &to, err,
	    sizeof err);
	opt_getopt(&probe_cmd, &g);
	while ((ch = opt_next(&g, argc, argv)) != -1) {
		switch (session_option(&conf.so, ch, optarg, err,
		    sizeof err)) {
		case 1:
			continue;
		case -1:
			fprintf(stderr, "mailscope probe: %s\n", err);
			session_options_free(&conf.so);
			opt_getopt_free(&g);
			return EXIT_USAGE;
		default:
			break;
		}
		switch (ch) {
		case PROBE_JSON:
			conf.json = true;
			break;
		case PROBE_SCAN:
			conf.scan = true;
			break;
		case PROBE_AUTH:
			conf.auth_user = optarg;
			break;
		case PROBE_TARGETS:
			targets = optarg;
			break;
		case PROBE_JOBS:
			jobs = optarg;
			break;
		case SOPT_CONFIG:
		case SOPT_NO_CONFIG:
			break;	/* read by cmd_config() */
		case 'h':
			cmd_help(&probe_cmd, probe_head, NULL);
		default:
			cmd_bad_option(&probe_cmd, ch, argv);
		}
	}
	opt_getopt_free(&g);
	rc = EXIT_USAGE;
	if (argc - optind != (targets != NULL ? 0 : 1)) {
		fprintf(stderr, "mailscope probe: %s (see mailscope probe "
		    "--help)\n", targets != NULL ? "--targets takes no URL" :
		    argc == optind ? "missing URL" : "one URL only");
		goto out;
	}
	if (session_options_check(&conf.so, err, sizeof err) == -1) {
		fprintf(stderr, "mailscope probe: %s\n", err);
		goto out;
	}
	if (jobs != NULL && targets == NULL) {
		fprintf(stderr, "mailscope probe: --jobs goes with --targets\n");
		goto out;
	}
	if (jobs != NULL && (njobs = int_arg(jobs, 1, FLEET_JOBS_MAX)) == -1) {
		fprintf(stderr, "mailscope probe: bad --jobs '%s' (1-%d)\n",
		    jobs, FLEET_JOBS_MAX);
		goto out;
	}
	if (targets != NULL) {
		/* One secret is not for a list of servers. */
		if (conf.auth_user != NULL) {
			fprintf(stderr, "mailscope probe: --auth does not go "
			    "with --targets\n");
			goto out;
		}
		conf.quiet = true;
		rc = fleet_main(&conf, targets, njobs);
		goto out;
	}
	if (target_parse(argv[optind], &t, err, sizeof err) == -1) {
		fprintf(stderr, "mailscope probe: %s\n", err);
		goto out;
	}
	target_free(&t);
	if (conf.auth_user != NULL) {
		if (probe_password(&conf.so, &pass) == -1)
			goto out;
		conf.auth_pass = pass.p;
	}
	rc = probe_one(&conf, argv[optind]);
out:
	buf_wipe(&pass);
	session_options_free(&conf.so);
	return rc;
}
