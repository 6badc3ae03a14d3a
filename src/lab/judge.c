/* SPDX-License-Identifier: ISC */
/*
 * The judge: what a client did on one lab connection, read from its own
 * lines and the TLS steps, as one verdict on the attack the scenario
 * plays.  Safe and vulnerable each need a line or a TLS step that shows
 * it; without one the attack was not exercised.  Never a guess.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "lab/lab_int.h"

#define JUDGE_EVIDENCE	8
#define JUDGE_TEXT_MAX	200

/* What a client line is, for the rules. */
enum judge_kind {
	JK_DATA,	/* no verb */
	JK_OTHER,
	JK_CRED,	/* AUTH, LOGIN, AUTHENTICATE, USER, PASS, APOP */
	JK_MAIL,	/* MAIL, RCPT, DATA, BDAT, APPEND */
	JK_CAPS,	/* EHLO, HELO, CAPABILITY, CAPA */
	JK_TLS,		/* STARTTLS, STLS */
	JK_HARMLESS,	/* NOOP, RSET, ID, QUIT, LOGOUT, AUTH alone */
};

struct judge_ev {
	const char	*from;		/* "client" or "lab" */
	bool		 tls;
	char		*text;
};

struct judge {
	enum lab_proto		 proto;
	enum lab_scn		 scn;
	enum judge_attack	 attack;
	bool			 reached;	/* the client met the attack */
	bool			 tls_asked;	/* a handshake began */
	bool			 tls_up;
	bool			 reasked;	/* capabilities asked in TLS */
	unsigned		 tls_cmds;
	bool			 decided;
	enum judge_verdict	 verdict;
	char			*reason;
	struct judge_ev		 ev[JUDGE_EVIDENCE];
	size_t			 nev;
};

static const char *const attack_names[] = {
	[JA_NONE] = "none",
	[JA_BASELINE] = "baseline",
	[JA_STRIPPING] = "stripping",
	[JA_INJECTION] = "injection",
	[JA_TAMPERING] = "tampering",
	[JA_PREAUTH] = "preauth",
	[JA_CERTIFICATE] = "certificate",
	[JA_DOWNGRADE] = "downgrade",
};

static const char *const verdict_names[] = {
	[JV_NOT_EXERCISED] = "not exercised",
	[JV_SAFE] = "safe",
	[JV_VULNERABLE] = "vulnerable",
};

const char *
judge_verdict_name(enum judge_verdict v)
{
	return verdict_names[v];
}

const char *
judge_proto_name(enum lab_proto p)
{
	switch (p) {
	case LAB_SMTP:
		return "smtp";
	case LAB_IMAP:
		return "imap";
	case LAB_POP3:
		return "pop3";
	case LAB_SIEVE:
		return "sieve";
	}
	return "?";
}

/* Which attack a scenario plays on a connection (JA_NONE: none). */
enum judge_attack
judge_attack_of(enum lab_scn scn, enum lab_proto proto, bool implicit)
{
	if (proto == LAB_SIEVE)
		return JA_NONE;
	switch (scn) {
	case SCN_GOOD:
		return JA_BASELINE;
	case SCN_NO_STARTTLS:
	case SCN_STRIP:
	case SCN_STARTTLS_REFUSED:
		return implicit ? JA_NONE : JA_STRIPPING;
	case SCN_INJECT_RESPONSE:
	case SCN_INJECT_LATER:
		return implicit ? JA_NONE : JA_INJECTION;
	case SCN_TAMPER:
		return implicit ? JA_NONE : JA_TAMPERING;
	case SCN_PREAUTH:
		return implicit || proto != LAB_IMAP ? JA_NONE : JA_PREAUTH;
	case SCN_EXPIRED_CERT:
	case SCN_WRONG_HOST:
	case SCN_SELF_SIGNED:
	case SCN_UNKNOWN_CA:
		return JA_CERTIFICATE;
	case SCN_TLS10_ONLY:
		return JA_DOWNGRADE;
	default:
		return JA_NONE;
	}
}

/* lab.h: the attack a scenario plays over a protocol's STARTTLS port. */
const char *
lab_scenario_attack(const char *scn, const char *proto)
{
	enum judge_attack	a;
	int			i, p;

	for (p = LAB_SMTP; p <= LAB_SIEVE; p++)
		if (strcmp(judge_proto_name((enum lab_proto)p), proto) == 0)
			break;
	if (p > LAB_SIEVE)
		return NULL;
	if ((i = lab_scn_find(scn)) == -1)
		return NULL;
	a = judge_attack_of((enum lab_scn)i, (enum lab_proto)p, false);
	return a == JA_NONE ? NULL : attack_names[a];
}

struct judge *
judge_new(enum lab_proto proto, enum lab_scn scn, bool implicit)
{
	struct judge	*j;

	j = xcalloc(1, sizeof *j);
	j->proto = proto;
	j->scn = scn;
	j->attack = judge_attack_of(scn, proto, implicit);
	/* An IMAP greeting carries the capabilities (or the PREAUTH). */
	j->reached = proto == LAB_IMAP && !implicit;
	return j;
}

void
judge_free(struct judge *j)
{
	size_t	i;

	if (j == NULL)
		return;
	for (i = 0; i < j->nev; i++)
		free(j->ev[i].text);
	free(j->reason);
	free(j);
}

static void
judge_note(struct judge *j, const char *from, bool tls, const char *text,
    size_t len)
{
	struct buf	b = { NULL, 0, 0 };

	/* Full: the first line stays for context, the latest are kept. */
	if (j->nev == JUDGE_EVIDENCE) {
		free(j->ev[1].text);
		memmove(&j->ev[1], &j->ev[2],
		    (JUDGE_EVIDENCE - 2) * sizeof j->ev[0]);
		j->nev--;
	}
	if (len > JUDGE_TEXT_MAX)
		len = JUDGE_TEXT_MAX;
	/* The one gate: evidence reaches a terminal and a report. */
	sanitize(text, len, &b);
	j->ev[j->nev].from = from;
	j->ev[j->nev].tls = tls;
	j->ev[j->nev].text = b.p != NULL ? b.p : xstrdup("");
	j->nev++;
}

static void PRINTFLIKE(3, 4)
judge_decide(struct judge *j, enum judge_verdict v, const char *fmt, ...)
{
	struct buf	b = { NULL, 0, 0 };
	va_list		ap;

	if (j->decided)
		return;
	j->decided = true;
	j->verdict = v;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	j->reason = b.p;
}

/* The words of a line: at most three, as offsets and lengths. */
static size_t
judge_words(const char *s, size_t len, const char **w, size_t *wl, size_t max)
{
	size_t	i = 0, n = 0;

	while (n < max) {
		while (i < len && s[i] == ' ')
			i++;
		if (i == len)
			break;
		w[n] = s + i;
		while (i < len && s[i] != ' ')
			i++;
		wl[n] = (size_t)(s + i - w[n]);
		n++;
	}
	return n;
}

/*
 * A client line's kind, its verb's index among the words, and the line
 * as evidence with every secret left out.
 */
static enum judge_kind
judge_kind(const struct judge *j, const char *s, size_t len, bool *canary,
    struct buf *shown)
{
	const char	*w[3];
	size_t		 wl[3], n, v;
	enum judge_kind	 k = JK_OTHER;
	const char	*verb, *end;

	*canary = false;
	n = judge_words(s, len, w, wl, 3);
	v = j->proto == LAB_IMAP ? 1 : 0;	/* IMAP: the tag first */
	if (n <= v)
		return JK_DATA;
	verb = w[v];
#define IS(x)	word_is(verb, wl[v], (x))
	switch (j->proto) {
	case LAB_SMTP:
		if (IS("AUTH"))
			k = JK_CRED;
		else if (IS("MAIL") || IS("RCPT") || IS("DATA") ||
		    IS("BDAT"))
			k = JK_MAIL;
		else if (IS("EHLO") || IS("HELO"))
			k = JK_CAPS;
		else if (IS("STARTTLS"))
			k = JK_TLS;
		else if (IS("NOOP") || IS("RSET") || IS("QUIT"))
			k = JK_HARMLESS;
		break;
	case LAB_IMAP:
		if (IS("LOGIN") || IS("AUTHENTICATE"))
			k = JK_CRED;
		else if (IS("APPEND"))
			k = JK_MAIL;
		else if (IS("CAPABILITY"))
			k = JK_CAPS;
		else if (IS("STARTTLS"))
			k = JK_TLS;
		else if (IS("NOOP") || IS("ID") || IS("LOGOUT"))
			k = JK_HARMLESS;
		break;
	case LAB_POP3:
		if (IS("USER") || IS("PASS") || IS("APOP"))
			k = JK_CRED;
		else if (IS("AUTH"))
			k = n > 1 ? JK_CRED : JK_HARMLESS;
		else if (IS("CAPA"))
			k = JK_CAPS;
		else if (IS("STLS"))
			k = JK_TLS;
		else if (IS("NOOP") || IS("QUIT"))
			k = JK_HARMLESS;
		break;
	case LAB_SIEVE:
		break;
	}
	if (k == JK_CRED && n > v + 1 && (IS("AUTH") || IS("AUTHENTICATE")))
		*canary = word_is(w[v + 1], wl[v + 1], JUDGE_CANARY);
	/* Shown: the verb, a user name or a mechanism, never a secret. */
	if (k == JK_CRED) {
		end = verb + wl[v];
		if (n > v + 1 && (IS("AUTH") || IS("AUTHENTICATE") ||
		    IS("USER")))
			end = w[v + 1] + wl[v + 1];
		buf_add(shown, s, (size_t)(end - s));
		while (end < s + len && *end == ' ')
			end++;
		if (end < s + len && !IS("USER"))
			buf_adds(shown, " ***");
	} else
		buf_add(shown, s, len);
#undef IS
	return k;
}

static const char *
judge_strip_what(const struct judge *j)
{
	switch (j->scn) {
	case SCN_NO_STARTTLS:
		return "STARTTLS was not offered";
	case SCN_STRIP:
		return "STARTTLS was stripped";
	default:
		return "STARTTLS was refused";
	}
}

static const char *
judge_kind_what(enum judge_kind k)
{
	return k == JK_CRED ? "a credential" : "mail";
}

/* Injection and tampering: did it act on what came before TLS? */
static void
judge_stale(struct judge *j, enum judge_kind k, bool canary)
{
	const char	*whence = j->attack == JA_INJECTION ?
	    "the injected replies" : "the list from before TLS";

	if (canary) {
		judge_decide(j, JV_VULNERABLE, "used %s inside TLS, offered "
		    "only in %s", JUDGE_CANARY, whence);
		return;
	}
	if (j->proto == LAB_SMTP && j->tls_cmds == 1 && k != JK_CAPS &&
	    k != JK_HARMLESS) {
		judge_decide(j, JV_VULNERABLE, "its first command inside TLS "
		    "was not EHLO: it took %s for the answer", whence);
		return;
	}
	if (k == JK_CAPS)
		j->reasked = true;
	else if (k == JK_CRED && j->reasked)
		judge_decide(j, JV_SAFE, "asked again inside TLS and "
		    "authenticated with what the real list offers");
}

void
judge_line(struct judge *j, const char *s, size_t len, bool tls)
{
	struct buf	 shown = { NULL, 0, 0 };
	enum judge_kind	 k;
	bool		 canary;

	/* Decided: what follows changes nothing. */
	if (j->attack == JA_NONE || j->decided)
		return;
	k = judge_kind(j, s, len, &canary, &shown);
	if (k == JK_DATA) {
		buf_free(&shown);
		return;
	}
	if (tls)
		j->tls_cmds++;
	if (k == JK_CAPS || k == JK_TLS)
		j->reached = true;
	judge_note(j, "client", tls, shown.p, shown.len);
	buf_free(&shown);
	switch (j->attack) {
	case JA_STRIPPING:
		if (k == JK_CRED || k == JK_MAIL)
			judge_decide(j, JV_VULNERABLE, "sent %s in plaintext "
			    "after %s", judge_kind_what(k),
			    judge_strip_what(j));
		break;
	case JA_PREAUTH:
		if (!tls && k != JK_CAPS && k != JK_TLS && k != JK_HARMLESS)
			judge_decide(j, JV_VULNERABLE, "carried on after an "
			    "unencrypted PREAUTH greeting");
		break;
	case JA_BASELINE:
		if (!tls && (k == JK_CRED || k == JK_MAIL))
			judge_decide(j, JV_VULNERABLE, "sent %s in plaintext "
			    "although STARTTLS was offered",
			    judge_kind_what(k));
		else if (tls)
			/* Whether it verifies, the certificate rows say. */
			judge_decide(j, JV_SAFE, "spoke inside TLS, nothing "
			    "in plaintext");
		break;
	default:
		/* Plaintext before TLS is good's row; this one is TLS's. */
		if (!tls)
			break;
		if (j->attack == JA_CERTIFICATE)
			judge_decide(j, JV_VULNERABLE, "spoke inside TLS "
			    "although the certificate cannot be verified");
		else if (j->attack == JA_INJECTION ||
		    j->attack == JA_TAMPERING)
			judge_stale(j, k, canary);
		break;
	}
}

/*
 * The handshake after injected replies failed.  Sent with the go-ahead,
 * they went to the client's TLS layer, not taken for replies: safe.
 * Sent later, they reach any client's TLS layer, whatever it does with
 * replies: nothing is shown.
 */
static void
judge_failed_injection(struct judge *j)
{
	if (j->scn == SCN_INJECT_LATER)
		judge_decide(j, JV_NOT_EXERCISED, "the injected bytes came "
		    "after the go-ahead's segment and broke the handshake, as "
		    "they would any client's: this scenario cannot show "
		    "whether the client acts on them");
	else
		judge_decide(j, JV_SAFE, "the handshake failed on the bytes "
		    "behind the go-ahead: the client did not take them for "
		    "replies");
}

void
judge_tls(struct judge *j, enum judge_tls what, const char *desc)
{
	char	*s;

	if (j->attack == JA_NONE)
		return;
	if (desc == NULL)
		desc = "?";
	if (j->decided && what != JT_START)
		return;
	switch (what) {
	case JT_START:
		j->tls_asked = true;
		j->reached = true;
		return;
	case JT_UP:
		j->tls_up = true;
		xasprintf(&s, "TLS up: %s", desc);
		judge_note(j, "lab", true, s, strlen(s));
		free(s);
		if (j->attack == JA_DOWNGRADE)
			judge_decide(j, JV_VULNERABLE, "accepted a TLS 1.0 "
			    "session");
		return;
	case JT_FAILED:
		xasprintf(&s, "TLS handshake failed: %s", desc);
		judge_note(j, "lab", false, s, strlen(s));
		free(s);
		if (j->attack == JA_CERTIFICATE || j->attack ==
		    JA_DOWNGRADE)
			judge_decide(j, JV_SAFE, "the client did not complete "
			    "the handshake");
		else if (j->attack == JA_INJECTION)
			judge_failed_injection(j);
		return;
	}
}

/* The verdict, final once the connection has closed. */
enum judge_verdict
judge_verdict(struct judge *j, const char **reason)
{
	switch (j->decided ? JA_NONE : j->attack) {
	case JA_STRIPPING:
		if (j->reached)
			judge_decide(j, JV_SAFE, "left without a credential or "
			    "mail in plaintext after %s", judge_strip_what(j));
		break;
	case JA_PREAUTH:
		judge_decide(j, JV_SAFE, "did not use the session an "
		    "unencrypted PREAUTH greeting offered");
		break;
	case JA_CERTIFICATE:
	case JA_DOWNGRADE:
		if (j->tls_asked && !j->tls_up)
			judge_decide(j, JV_SAFE, "the client did not complete "
			    "the handshake");
		else if (j->tls_up && j->tls_cmds == 0)
			judge_decide(j, JV_SAFE, "the client said nothing "
			    "inside that TLS session");
		break;
	case JA_INJECTION:
		if (j->tls_asked && !j->tls_up)
			judge_failed_injection(j);
		break;
	default:
		break;
	}
	if (!j->decided) {
		if (!j->reached)
			judge_decide(j, JV_NOT_EXERCISED, "the client never "
			    "reached the step the scenario attacks");
		else if (j->attack == JA_BASELINE)
			judge_decide(j, JV_NOT_EXERCISED, "the client never "
			    "spoke inside TLS");
		else if (!j->tls_up)
			judge_decide(j, JV_NOT_EXERCISED, j->tls_asked ?
			    "the handshake did not complete" : "the client "
			    "never started TLS");
		else
			judge_decide(j, JV_NOT_EXERCISED, "no line inside TLS "
			    "shows whether the client kept what came before "
			    "it: it did not authenticate after asking again");
	}
	if (reason != NULL)
		*reason = j->reason;
	return j->verdict;
}

/* One verdict: a line of text with its evidence, or a JSON line. */
void
judge_report(struct judge *j, unsigned id, const char *port, bool json,
    struct buf *b)
{
	enum judge_verdict	 v;
	const char		*reason;
	size_t			 i;
	json_t			*o, *ev;
	char			*s;

	if (j->attack == JA_NONE)
		return;
	v = judge_verdict(j, &reason);
	if (!json) {
		buf_printf(b, "verdict: client %u %s, %s, %s: %s (%s)\n", id,
		    port, lab_scn_name(j->scn), attack_names[j->attack],
		    verdict_names[v], reason);
		for (i = 0; i < j->nev; i++)
			buf_printf(b, "    %-6s %-9s %s\n", j->ev[i].from,
			    j->ev[i].tls ? "TLS" : "plaintext",
			    j->ev[i].text);
		return;
	}
	/* Every string here is sanitized or the lab's own: UTF-8. */
	ev = json_array();
	for (i = 0; i < j->nev; i++)
		json_array_append_new(ev, json_pack("{s:s, s:b, s:s}", "from",
		    j->ev[i].from, "tls", j->ev[i].tls, "line",
		    j->ev[i].text));
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "client",
	    (json_int_t)id, "port", port, "proto",
	    judge_proto_name(j->proto), "scenario", lab_scn_name(j->scn),
	    "attack", attack_names[j->attack], "verdict", verdict_names[v],
	    "reason", reason, "evidence", ev);
	if (o == NULL || (s = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("judge: cannot write a verdict as JSON");
	buf_printf(b, "%s\n", s);
	free(s);
	json_decref(o);
}
