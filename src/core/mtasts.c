/* SPDX-License-Identifier: ISC */
/*
 * MTA-STS (RFC 8461): the policy record (_mta-sts TXT), the policy
 * itself (parsed here, from an HTTPS fetch or a file), and its verdict
 * on a connection: does the MX host match a pattern, is its certificate
 * valid under PKIX.  TLS-RPT's record (_smtp._tls TXT, RFC 8460) is read
 * beside it.  The fetch is sts_fetch.c's; the words of the verdict are
 * decided here once for every view.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/core.h"

#define STS_ID_MAX	32
#define DOMAIN_MAX	253

static const char *mode_names[] = { "none", "testing", "enforce" };

const char *
sts_mode_name(enum sts_mode m)
{
	return (unsigned)m <= STS_ENFORCE ? mode_names[m] : "?";
}

void
sts_policy_clear(struct sts_policy *p)
{
	free(p->source);
	free(p->id);
	free(p->unavailable);
	strv_clear(&p->mx);
	free(p->tlsrpt);
	memset(p, 0, sizeof *p);
}

/* A TXT record's strings, joined (RFC 7208 3.3's rule, which RFC 8461
 * and RFC 8460 follow); false when it holds a NUL or is malformed. */
static bool
txt_join(const unsigned char *p, size_t len, struct buf *b)
{
	const unsigned char	*end = p + len;
	size_t			 n;

	buf_reset(b);
	buf_reserve(b, len);
	while (p < end) {
		n = *p++;
		if ((size_t)(end - p) < n || memchr(p, '\0', n) != NULL)
			return false;
		buf_add(b, p, n);
		p += n;
	}
	return true;
}

static const char *
skip_wsp(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * "v=STSv1; id=20160831085700Z;" (RFC 8461 3.1): the id, or -1 with why.
 * Fields after the version are "name=value", separated by ";" with
 * optional blanks; unknown ones are allowed.
 */
int
sts_record_parse(const char *s, char **id, char *err, size_t errlen)
{
	const char	*p = s, *name, *val;
	size_t		 nlen, vlen, i;
	char		*found = NULL;

	*id = NULL;
	if (strncmp(p, "v=STSv1", 7) != 0) {
		snprintf(err, errlen, "it does not begin with v=STSv1");
		return -1;
	}
	p += 7;
	for (;;) {
		p = skip_wsp(p);
		if (*p == '\0')
			break;
		if (*p != ';')
			goto bad;
		p = skip_wsp(p + 1);
		if (*p == '\0')
			break;
		name = p;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' ||
		    *p == '.')
			p++;
		nlen = (size_t)(p - name);
		if (nlen == 0 || nlen > 32 || *p != '=')
			goto bad;
		val = ++p;
		while (*p > ' ' && *p < 0x7f && *p != ';' && *p != '=')
			p++;
		vlen = (size_t)(p - val);
		if (vlen == 0)
			goto bad;
		if (nlen == 2 && strncmp(name, "id", 2) == 0) {
			for (i = 0; i < vlen; i++)
				if (!isalnum((unsigned char)val[i]))
					break;
			if (found != NULL || i < vlen || vlen > STS_ID_MAX) {
				free(found);
				snprintf(err, errlen, "its id must be 1 to 32 "
				    "letters and digits, once");
				return -1;
			}
			found = xstrndup(val, vlen);
		}
	}
	if (found == NULL) {
		snprintf(err, errlen, "it has no id");
		return -1;
	}
	*id = found;
	return 0;
bad:
	free(found);
	snprintf(err, errlen, "it is malformed at byte %zu",
	    (size_t)(p - s) + 1);
	return -1;
}

/* "v=TLSRPTv1; rua=mailto:a@example.org" (RFC 8460 3): the rua. */
int
tlsrpt_record_parse(const char *s, char **rua, char *err, size_t errlen)
{
	const char	*p = s, *val;
	size_t		 vlen;
	bool		 bad = false;

	*rua = NULL;
	if (strncmp(p, "v=TLSRPTv1", 10) != 0) {
		snprintf(err, errlen, "it does not begin with v=TLSRPTv1");
		return -1;
	}
	p += 10;
	while (*(p = skip_wsp(p)) == ';') {
		p = skip_wsp(p + 1);
		if (strncmp(p, "rua=", 4) != 0) {
			p = strchrnul(p, ';');
			continue;
		}
		val = p + 4;
		p = strchrnul(val, ';');
		vlen = (size_t)(p - val);
		while (vlen > 0 && (val[vlen - 1] == ' ' ||
		    val[vlen - 1] == '\t'))
			vlen--;
		if (vlen == 0 || *rua != NULL) {
			bad = true;
			break;
		}
		*rua = xstrndup(val, vlen);
	}
	if (bad || *p != '\0' || *rua == NULL) {
		free(*rua);
		*rua = NULL;
		snprintf(err, errlen, "it needs exactly one rua= field and "
		    "\"; \" between fields");
		return -1;
	}
	return 0;
}

/*
 * The one record of an RRset that begins with the version (RFC 8461
 * 3.1, RFC 8460 3): none, several or a malformed one is no record.
 * 1: found (*val set), 0: none, -1: why in err.
 */
int
sts_txt_pick(const struct dns_result *r, const char *version,
    int (*parse)(const char *, char **, char *, size_t), char **val,
    char *err, size_t errlen)
{
	struct buf	 b = { 0 };
	size_t		 i, n = 0, vlen = strlen(version);
	int		 rc = 0;

	*val = NULL;
	for (i = 0; r->a.error == NULL && i < r->n; i++) {
		if (!txt_join(r->rdata[i], r->rdlen[i], &b) ||
		    strncmp(b.p, version, vlen) != 0 ||
		    (b.p[vlen] != ';' && b.p[vlen] != ' ' &&
		    b.p[vlen] != '\t' && b.p[vlen] != '\0'))
			continue;
		if (n++ > 0)
			continue;
		free(*val);
		if (parse(b.p, val, err, errlen) == -1)
			rc = -1;
		else
			rc = 1;
	}
	buf_free(&b);
	if (n > 1) {
		free(*val);
		*val = NULL;
		snprintf(err, errlen, "%zu records begin with %s: there must "
		    "be one", n, version);
		rc = -1;
	}
	return rc;
}

/* A pattern: ["*."] domain, letters, digits, hyphens, dots. */
static bool
pattern_ok(const char *s)
{
	const char	*p = s;
	size_t		 label = 0;

	if (strncmp(p, "*.", 2) == 0)
		p += 2;
	if (*p == '\0' || strlen(p) > DOMAIN_MAX)
		return false;
	for (; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)*p) || *p == '-') {
			if (++label > 63)
				return false;
		} else
			return false;
	}
	return label > 0 || p[-1] == '.';
}

/*
 * RFC 8461 4.1: the host matches a pattern exactly, or "*.rest" with
 * one label in place of the "*"; case does not matter, nor a final dot.
 */
bool
sts_mx_match(const char *pattern, const char *host)
{
	size_t		 plen = strlen(pattern), hlen = strlen(host);
	const char	*dot;

	if (plen > 0 && pattern[plen - 1] == '.')
		plen--;
	if (hlen > 0 && host[hlen - 1] == '.')
		hlen--;
	if (plen > 2 && pattern[0] == '*' && pattern[1] == '.') {
		if ((dot = memchr(host, '.', hlen)) == NULL || dot == host)
			return false;
		return (size_t)(host + hlen - dot) == plen - 1 &&
		    strncasecmp(dot, pattern + 1, plen - 1) == 0;
	}
	return plen == hlen && strncasecmp(pattern, host, plen) == 0;
}

static int
policy_fail(char *err, size_t errlen, size_t line, const char *fmt, ...)
    PRINTFLIKE(4, 5);

static int
policy_fail(char *err, size_t errlen, size_t line, const char *fmt, ...)
{
	va_list	ap;
	int	n = 0;

	if (line > 0)
		n = snprintf(err, errlen, "line %zu: ", line);
	if (n < 0 || (size_t)n >= errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The policy (RFC 8461 3.2): "key: value" lines ending in CRLF or LF;
 * version, mode and max_age once each, mx once or more (none for mode
 * none), unknown keys ignored.  Bytes, not a string: a NUL is an error.
 */
int
sts_policy_parse(const char *text, size_t len, struct sts_policy *p,
    char *err, size_t errlen)
{
	const char	*s = text, *end = text + len, *eol, *colon, *v;
	size_t		 line = 0, klen, vlen, i;
	bool		 have_version = false, have_mode = false;
	bool		 have_age = false;
	char		 num[16], *nend;

	strv_clear(&p->mx);
	if (len > STS_POLICY_MAX)
		return policy_fail(err, errlen, 0, "the policy is larger "
		    "than %d bytes", STS_POLICY_MAX);
	if (memchr(text, '\0', len) != NULL)
		return policy_fail(err, errlen, 0, "the policy holds a NUL "
		    "byte: it is not text");
	while (s < end) {
		line++;
		if ((eol = memchr(s, '\n', (size_t)(end - s))) == NULL)
			eol = end;
		klen = (size_t)(eol - s);
		if (klen > 0 && s[klen - 1] == '\r')
			klen--;
		if (klen == 0) {
			s = eol + 1;
			continue;
		}
		for (i = 0; i < klen; i++)
			if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
				return policy_fail(err, errlen, line,
				    "a control byte (0x%02x)",
				    (unsigned char)s[i]);
		if ((colon = memchr(s, ':', klen)) == NULL)
			return policy_fail(err, errlen, line, "no \"key: "
			    "value\" (RFC 8461 3.2)");
		v = colon + 1;
		while (v < s + klen && (*v == ' ' || *v == '\t'))
			v++;
		vlen = (size_t)(s + klen - v);
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		klen = (size_t)(colon - s);
#define KEY(k)	(klen == sizeof(k) - 1 && strncmp(s, k, klen) == 0)
#define VAL(x)	(vlen == sizeof(x) - 1 && strncmp(v, x, vlen) == 0)
		if (KEY("version")) {
			if (have_version || !VAL("STSv1"))
				return policy_fail(err, errlen, line, "the "
				    "version must be STSv1, given once");
			have_version = true;
		} else if (KEY("mode")) {
			if (have_mode)
				return policy_fail(err, errlen, line, "mode "
				    "given twice");
			if (VAL("enforce"))
				p->mode = STS_ENFORCE;
			else if (VAL("testing"))
				p->mode = STS_TESTING;
			else if (VAL("none"))
				p->mode = STS_NONE;
			else
				return policy_fail(err, errlen, line, "the "
				    "mode must be enforce, testing or none");
			have_mode = true;
		} else if (KEY("max_age")) {
			for (i = 0; i < vlen && isdigit((unsigned char)v[i]);
			    i++)
				;
			if (have_age || vlen == 0 || vlen > 10 || i < vlen)
				return policy_fail(err, errlen, line, "max_age "
				    "must be 1 to 10 digits, given once");
			memcpy(num, v, vlen);
			num[vlen] = '\0';
			p->max_age = strtoll(num, &nend, 10);
			if (p->max_age > STS_MAX_AGE_MAX)
				return policy_fail(err, errlen, line, "max_age "
				    "%lld is over %d (a year, RFC 8461 3.2)",
				    (long long)p->max_age, STS_MAX_AGE_MAX);
			have_age = true;
		} else if (KEY("mx")) {
			strv_addn(&p->mx, v, vlen);
			if (!pattern_ok(p->mx.v[p->mx.n - 1]))
				return policy_fail(err, errlen, line, "not an "
				    "mx pattern (a domain, or \"*.\" and a "
				    "domain)");
		}
#undef KEY
#undef VAL
		s = eol + 1;
	}
	if (!have_version || !have_mode || !have_age)
		return policy_fail(err, errlen, 0, "the policy lacks %s "
		    "(RFC 8461 3.2)", !have_version ? "version" :
		    !have_mode ? "mode" : "max_age");
	if (p->mx.n == 0 && p->mode != STS_NONE)
		return policy_fail(err, errlen, 0, "the policy has no mx "
		    "pattern (mode %s needs one)", sts_mode_name(p->mode));
	return 0;
}

/* --mta-sts-policy FILE: read whole, at most the size a fetch allows. */
int
sts_policy_load(const char *path, struct sts_policy *p, char *err,
    size_t errlen)
{
	char	 buf[STS_POLICY_MAX + 1], why[256];
	size_t	 len = 0;
	ssize_t	 n;
	int	 fd;

	sts_policy_clear(p);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "--mta-sts-policy %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (len < sizeof buf && (n = read(fd, buf + len,
	    sizeof buf - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "--mta-sts-policy %s: %s", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	if (sts_policy_parse(buf, len, p, why, sizeof why) == -1) {
		snprintf(err, errlen, "--mta-sts-policy %s: not an MTA-STS "
		    "policy: %s", path, why);
		sts_policy_clear(p);
		return -1;
	}
	p->present = true;
	xasprintf(&p->source, "--mta-sts-policy %s", path);
	return 0;
}

/* The policy in one line, for the event that announces it. */
void
sts_policy_summary(const struct sts_policy *p, struct buf *b)
{
	size_t	i;

	buf_printf(b, "mode %s, max_age %lld", sts_mode_name(p->mode),
	    (long long)p->max_age);
	for (i = 0; i < p->mx.n && i < STS_MX_SHOWN; i++)
		buf_printf(b, "%s%s", i ? ", " : ", mx ", p->mx.v[i]);
	if (p->mx.n > STS_MX_SHOWN)
		buf_printf(b, " and %zu more", p->mx.n - STS_MX_SHOWN);
}

/*
 * The verdict on this connection (RFC 8461 4, 5): the MX host against
 * the patterns, PKIX for that name (the facts' own verdict: tls.c checks
 * the MX host's name).  DANE, when it applies, takes precedence (RFC 8461
 * 2): the policy is shown and judged, and stops nothing.
 */
void
sts_verdict(const struct sts_policy *p, const char *host,
    struct tls_facts *f)
{
	struct tls_sts	*s = &f->sts;
	struct buf	 b = { 0 };
	size_t		 i;
	bool		 dane = f->dane.checked && f->dane.usable;

	if (p == NULL)
		return;
	s->tlsrpt = xstrdup_or_null(p->tlsrpt);
	if (!p->present)
		return;
	s->checked = true;
	s->source = xstrdup_or_null(p->source);
	s->id = xstrdup_or_null(p->id);
	s->host = xstrdup_or_null(host);
	if (p->unavailable != NULL) {
		s->unavailable = xstrdup(p->unavailable);
		xasprintf(&s->verdict, "MTA-STS: policy unavailable: %s; "
		    "nothing is enforced (RFC 8461 5)", p->unavailable);
		return;
	}
	s->mode = xstrdup(sts_mode_name(p->mode));
	s->max_age = p->max_age;
	s->mx_total = p->mx.n;
	for (i = 0; i < p->mx.n && i < STS_MX_SHOWN; i++)
		strv_add(&s->mx, p->mx.v[i]);
	if (p->mode == STS_NONE) {
		s->ok = true;
		s->verdict = xstrdup("MTA-STS: none: the domain has "
		    "withdrawn its policy; nothing to check");
		return;
	}
	for (i = 0; host != NULL && i < p->mx.n; i++)
		if (sts_mx_match(p->mx.v[i], host)) {
			s->matched = xstrdup(p->mx.v[i]);
			break;
		}
	s->cert_ok = f->verify.ok;
	s->ok = s->matched != NULL && s->cert_ok;
	buf_printf(&b, "MTA-STS: %s, ", s->mode);
	if (s->matched != NULL)
		buf_printf(&b, "%s matches %s", host, s->matched);
	else
		buf_printf(&b, "%s matches no mx pattern of the policy",
		    host != NULL ? host : "the host");
	if (s->cert_ok)
		buf_adds(&b, ", certificate valid");
	else
		buf_printf(&b, ", certificate NOT valid for %s (%s)",
		    host != NULL ? host : "the host", f->verify.reasons.n > 0 ?
		    f->verify.reasons.v[0] : "PKIX verification failed");
	if (s->ok)
		buf_adds(&b, ": pass");
	else if (dane)
		buf_adds(&b, ": fails");
	else if (p->mode == STS_ENFORCE) {
		s->fails = true;
		buf_adds(&b, ": FAIL (enforce: no mail may go to this host)");
	} else
		buf_adds(&b, ": fails (testing: a warning only; TLS-RPT "
		    "would report it)");
	if (dane)
		buf_adds(&b, "; DANE applies (a secure TLSA set) and takes "
		    "precedence (RFC 8461 2)");
	s->verdict = b.p;
}
