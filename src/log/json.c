/* SPDX-License-Identifier: ISC */
/*
 * Events as JSON Lines, the format of recordings and of batch --json.
 *
 * Bytes that are valid UTF-8 go in "text", anything else in "b64", so a
 * line always gives back the exact bytes.  Lines are written as ASCII with
 * every control character escaped (DEL aside, which terminals ignore):
 * `cat` of a recording cannot drive the terminal (no ESC, no C1, no bidi
 * controls).  Strings from a certificate that are not UTF-8 are written
 * as {"b64": "..."}.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log/log.h"

#define DUMP_FLAGS	(JSON_COMPACT | JSON_ENSURE_ASCII | \
			    JSON_REAL_PRECISION(15))
#define LOAD_FLAGS	(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
/* 2: events carry their classification; 3: header and trailer say their
 * kind, the trailer the exit code, a certificate key its type and bits;
 * 4: the TLS facts say what the client offered, a server line whether it
 * lists STARTTLS or a masked one. */
#define FORMAT		4
#define FORMAT_MIN	1

static char *
dump(json_t *o)
{
	char	*s;

	if ((s = json_dumps(o, DUMP_FLAGS)) == NULL)
		fatalx("json_dumps failed");
	json_decref(o);
	return s;
}

static json_t *
jstr(const char *s)
{
	struct buf	 b = { 0 };
	json_t		*v;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) != NULL)
		return v;
	if (b64_encode(s, strlen(s), &b) == -1)
		fatalx("base64 of %zu bytes", strlen(s));
	v = json_pack("{s:s}", "b64", b.p != NULL ? b.p : "");
	buf_free(&b);
	return v;
}

static json_t *
jstrv(const struct strv *sv)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < sv->n; i++)
		json_array_append_new(a, jstr(sv->v[i]));
	return a;
}

static json_t *
jwall(int64_t ns)
{
	char	tmp[64];

	format_wall(ns, tmp, sizeof tmp);
	return json_string(tmp);
}

/* Certificate dates, to the second. */
static json_t *
jdate(int64_t secs)
{
	time_t		t = (time_t)secs;
	struct tm	tm;
	char		tmp[64];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return json_null();
	return json_string(tmp);
}

static json_t *
cert_to_json(const struct tls_cert *c)
{
	json_t	*o = json_object();

	json_object_set_new(o, "subject", jstr(c->subject));
	json_object_set_new(o, "issuer", jstr(c->issuer));
	json_object_set_new(o, "san", jstrv(&c->san));
	json_object_set_new(o, "serial", jstr(c->serial));
	json_object_set_new(o, "not_before", jdate(c->not_before));
	json_object_set_new(o, "not_after", jdate(c->not_after));
	json_object_set_new(o, "key", jstr(c->key));
	json_object_set_new(o, "key_type", jstr(c->key_type));
	json_object_set_new(o, "key_bits", json_integer(c->key_bits));
	json_object_set_new(o, "key_curve", jstr(c->key_curve));
	json_object_set_new(o, "sigalg", jstr(c->sigalg));
	json_object_set_new(o, "sha256", jstr(c->sha256));
	json_object_set_new(o, "pin_sha256", jstr(c->pin_sha256));
	json_object_set_new(o, "is_ca", json_boolean(c->is_ca));
	return o;
}

static json_t *
dane_to_json(const struct tls_dane *d)
{
	json_t	*o = json_object(), *a = json_array(), *r;
	size_t	 i;

	json_object_set_new(o, "ok", json_boolean(d->ok));
	json_object_set_new(o, "usable", json_boolean(d->usable));
	json_object_set_new(o, "source", jstr(d->source));
	json_object_set_new(o, "dnssec", jstr(d->dnssec));
	json_object_set_new(o, "rules", jstr(d->rules));
	json_object_set_new(o, "verdict", jstr(d->verdict));
	for (i = 0; i < d->nrrs; i++) {
		r = json_object();
		json_object_set_new(r, "rr", jstr(d->rrs[i].rr));
		json_object_set_new(r, "usable",
		    json_boolean(d->rrs[i].usable));
		json_object_set_new(r, "matched",
		    json_boolean(d->rrs[i].matched));
		json_object_set_new(r, "result", jstr(d->rrs[i].result));
		json_array_append_new(a, r);
	}
	json_object_set_new(o, "records", a);
	return o;
}

static json_t *
sts_to_json(const struct tls_sts *s)
{
	json_t	*o = json_object();

	json_object_set_new(o, "checked", json_boolean(s->checked));
	json_object_set_new(o, "ok", json_boolean(s->ok));
	json_object_set_new(o, "cert_ok", json_boolean(s->cert_ok));
	json_object_set_new(o, "fails", json_boolean(s->fails));
	json_object_set_new(o, "source", jstr(s->source));
	json_object_set_new(o, "id", jstr(s->id));
	json_object_set_new(o, "unavailable", jstr(s->unavailable));
	json_object_set_new(o, "mode", jstr(s->mode));
	json_object_set_new(o, "max_age", json_integer(s->max_age));
	json_object_set_new(o, "mx", jstrv(&s->mx));
	json_object_set_new(o, "mx_total", json_integer((json_int_t)
	    s->mx_total));
	json_object_set_new(o, "host", jstr(s->host));
	json_object_set_new(o, "matched", jstr(s->matched));
	json_object_set_new(o, "verdict", jstr(s->verdict));
	json_object_set_new(o, "tlsrpt", jstr(s->tlsrpt));
	return o;
}

static json_t *
tls_to_json(const struct tls_facts *f)
{
	const struct tls_verify	*v = &f->verify;
	json_t			*o = json_object(), *chain, *vo;
	size_t			 i;

	if (f->offer.versions.n > 0) {
		vo = json_object();
		json_object_set_new(vo, "versions", jstrv(&f->offer.versions));
		json_object_set_new(vo, "groups", jstrv(&f->offer.groups));
		json_object_set_new(vo, "ciphers",
		    json_integer(f->offer.ciphers));
		json_object_set_new(o, "offered", vo);
	}
	json_object_set_new(o, "version", jstr(f->version));
	json_object_set_new(o, "cipher", jstr(f->cipher));
	json_object_set_new(o, "kx", jstr(f->kx));
	json_object_set_new(o, "group", jstr(f->group));
	json_object_set_new(o, "mac", jstr(f->mac));
	json_object_set_new(o, "sigalg", jstr(f->sigalg));
	json_object_set_new(o, "sni", jstr(f->sni));
	json_object_set_new(o, "alpn", jstr(f->alpn));
	json_object_set_new(o, "resumed", json_boolean(f->resumed));
	json_object_set_new(o, "resumption", jstr(f->resumption));
	json_object_set_new(o, "ocsp", jstr(f->ocsp));
	json_object_set_new(o, "desc", jstr(f->desc));
	chain = json_array();
	for (i = 0; i < f->nchain; i++)
		json_array_append_new(chain, cert_to_json(&f->chain[i]));
	json_object_set_new(o, "chain", chain);
	vo = json_object();
	json_object_set_new(vo, "checked", json_boolean(v->checked));
	json_object_set_new(vo, "ok", json_boolean(v->ok));
	json_object_set_new(vo, "status", json_integer(v->status));
	json_object_set_new(vo, "hostname", jstr(v->hostname));
	json_object_set_new(vo, "matched", jstr(v->matched));
	json_object_set_new(vo, "trust", jstr(v->trust));
	json_object_set_new(vo, "reasons", jstrv(&v->reasons));
	json_object_set_new(o, "verify", vo);
	if (f->dane.checked)
		json_object_set_new(o, "dane", dane_to_json(&f->dane));
	if (f->pin.checked) {
		vo = json_object();
		json_object_set_new(vo, "ok", json_boolean(f->pin.ok));
		json_object_set_new(vo, "pins", jstrv(&f->pin.pins));
		json_object_set_new(vo, "actual", jstr(f->pin.actual));
		json_object_set_new(o, "pin", vo);
	}
	if (f->sts.checked || f->sts.tlsrpt != NULL)
		json_object_set_new(o, "mta_sts", sts_to_json(&f->sts));
	json_object_set_new(o, "verified", json_boolean(f->verified));
	return o;
}

/* The facts alone, as the "tls" member of an event has them (probe). */
char *
tls_facts_json(const struct tls_facts *f)
{
	return dump(tls_to_json(f));
}

/*
 * A recording writes one line per event, and a large transfer is hundreds
 * of thousands of them: the envelope, whose names and numbers never need
 * escaping, is written directly, and jansson writes every string that
 * came from outside and every nested value.
 */

/* v as JSON at the end of b (jansson's encoder, no allocation). */
static void
add_json(struct buf *b, json_t *v)
{
	size_t	n, room = 256;

	for (;;) {
		buf_reserve(b, room);
		n = json_dumpb(v, b->p + b->len, room, DUMP_FLAGS |
		    JSON_ENCODE_ANY);
		if (n == 0)
			fatalx("json_dumpb failed");
		if (n <= room)
			break;
		room = n;
	}
	b->len += n;
	b->p[b->len] = '\0';
	json_decref(v);
}

/*
 * The envelope of an event is written through a pointer into room
 * reserved once: per-call reserves and strlen were most of the cost of a
 * body line.
 */
static char *
put(char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}

#define PUT_LIT(o, lit)	put((o), (lit), sizeof(lit) - 1)

/* Numbers without printf. */
static char *
put_uint(char *o, uint64_t v)
{
	char	tmp[24], *p = tmp + sizeof tmp;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return put(o, p, (size_t)(tmp + sizeof tmp - p));
}

/* Microseconds as seconds, the shortest exact decimal ("0.00062"). */
static char *
put_seconds(char *o, int64_t us)
{
	char	frac[6];
	int	i, n = 6;

	if (us < 0)
		us = 0;
	o = put_uint(o, (uint64_t)us / 1000000);
	for (i = 5, us %= 1000000; i >= 0; i--, us /= 10)
		frac[i] = (char)('0' + us % 10);
	while (n > 1 && frac[n - 1] == '0')
		n--;
	*o++ = '.';
	return put(o, frac, (size_t)n);
}

/*
 * ","kind":...,"len": for a kind, direction, channel and flags, from our
 * tables (no escape needed).  The last one is kept: the lines of a body
 * share it.
 */
static const char *
envelope_names(const struct event *ev, size_t *len)
{
	static struct {
		bool		 valid;
		uint8_t		 kind, dir, chan;
		uint32_t	 flags;
		size_t		 len;
		char		 s[768];
	} c;
	char		*o = c.s;
	const char	*name, *sep = "";
	uint32_t	 bit;

	if (c.valid && c.kind == ev->kind && c.dir == ev->dir &&
	    c.chan == ev->chan && c.flags == ev->flags) {
		*len = c.len;
		return c.s;
	}
	/* At most 32 flag names of 16 bytes and three short names. */
	o = PUT_LIT(o, "\",\"kind\":\"");
	name = ev_kind_name(ev->kind);
	o = put(o, name, strlen(name));
	o = PUT_LIT(o, "\",\"dir\":\"");
	name = ev_dir_name(ev->dir);
	o = put(o, name, strlen(name));
	o = PUT_LIT(o, "\",\"chan\":\"");
	name = ev_chan_name(ev->chan);
	o = put(o, name, strlen(name));
	*o++ = '"';
	if (ev->flags != 0) {
		o = PUT_LIT(o, ",\"flags\":[");
		for (bit = 1; bit != 0; bit <<= 1) {
			if ((ev->flags & bit) &&
			    (name = ev_flag_name(bit)) != NULL) {
				o = put(o, sep, strlen(sep));
				*o++ = '"';
				o = put(o, name, strlen(name));
				*o++ = '"';
				sep = ",";
			}
		}
		*o++ = ']';
	}
	o = PUT_LIT(o, ",\"len\":");
	c.valid = true;
	c.kind = ev->kind;
	c.dir = ev->dir;
	c.chan = ev->chan;
	c.flags = ev->flags;
	c.len = (size_t)(o - c.s);
	*len = c.len;
	return c.s;
}

/*
 * How the fast path writes a byte: 0 as itself, a letter as backslash and
 * that letter, ESC_SLOW not at all (jansson decides).
 */
#define ESC_SLOW	1

static const unsigned char *
escapes(void)
{
	static unsigned char	esc[256];
	static bool		ready;
	int			c;

	if (!ready) {
		for (c = 0; c < 256; c++)
			esc[c] = c < 0x20 || c > 0x7e ? ESC_SLOW : 0;
		esc['\r'] = 'r';
		esc['\n'] = 'n';
		esc['\t'] = 't';
		esc['"'] = '"';
		esc['\\'] = '\\';
		ready = true;
	}
	return esc;
}

/*
 * A string as JSON: printable ASCII with CR, LF and TAB, the common case
 * (a body line, a literal), is escaped here, skipping what needs no look
 * with ascii_run(); jansson checks and escapes anything else.
 * Returns false for bytes that are not UTF-8.
 */
static bool
add_string(struct buf *b, const char *p, size_t len)
{
	const unsigned char	*u = (const unsigned char *)p;
	const unsigned char	*esc = escapes();
	json_t			*v;
	const char		*q;
	size_t			 i = 0, run;
	char			*o;

	buf_reserve(b, 2 * len + 2);
	o = b->p + b->len;
	*o++ = '"';
	while (i < len) {
		/* A run that needs no escape, copied at once: printable
		 * ASCII up to the first quote or backslash. */
		run = i + ascii_run(p + i, len - i);
		if ((q = memchr(p + i, '"', run - i)) != NULL)
			run = (size_t)(q - p);
		if ((q = memchr(p + i, '\\', run - i)) != NULL)
			run = (size_t)(q - p);
		o = put(o, p + i, run - i);
		if ((i = run) == len || esc[u[i]] == ESC_SLOW)
			break;
		*o++ = '\\';
		*o++ = (char)esc[u[i++]];
	}
	if (i == len) {
		*o++ = '"';
		b->len = (size_t)(o - b->p);
		b->p[b->len] = '\0';
		return true;
	}
	if ((v = json_stringn(p, len)) == NULL)
		return false;
	add_json(b, v);
	return true;
}

/*
 * The class bits as JSON members, in this order.  A bit may mean one
 * thing on a server line, another on a client line or a capability list:
 * its name says which.
 */
enum bit_where { BW_ANY, BW_SERVER, BW_CLIENT, BW_CAPS };

static const struct {
	uint8_t		 bit;
	enum bit_where	 where;
	const char	*name;
} class_bits[] = {
	{ EVC_FINAL, BW_ANY, "final" },
	{ EVC_CONT, BW_ANY, "continuation" },
	{ EVC_GREETING, BW_ANY, "greeting" },
	{ EVC_TLS_GO, BW_SERVER, "starttls_go" },
	{ EVC_TLS_CMD, BW_CLIENT, "starttls_cmd" },
	{ EVC_OFFERS_TLS, BW_CAPS, "offers_starttls" },
	{ EVC_TLS_NO, BW_ANY, "starttls_refused" },
	{ EVC_SECRET, BW_CLIENT, "credential" },
	{ EVC_TLS_CAP, BW_SERVER, "starttls_cap" },
	{ EVC_PARTIAL, BW_CAPS, "partial" },
	{ EVC_TLS_MASKED, BW_SERVER, "starttls_masked" },
	{ EVC_AUTHED, BW_CAPS, "after_login" },
};

static enum bit_where
bit_where(const struct event *ev)
{
	if (ev->kind == EV_CAPS)
		return BW_CAPS;
	return ev->dir == DIR_CLIENT ? BW_CLIENT : BW_SERVER;
}

/* ,"class":{...} when the event has one: what the engine made of it. */
static void
class_json(const struct event *ev, struct buf *b)
{
	const struct ev_class	*c = &ev->cls;
	const char		*p, *verb = ev_verb(ev);
	size_t			 i, n, at = b->len;

	if (c->code == 0 && c->status == RS_NONE && c->verb == 0 &&
	    c->tag == 0 && c->bits == 0 && c->esc_len == 0)
		return;
	buf_adds(b, ",\"class\":{");
	if (c->status != RS_NONE)
		buf_printf(b, "\"status\":\"%s\",",
		    ev_status_name(c->status));
	if (c->code != 0)
		buf_printf(b, "\"code\":%u,", c->code);
	if ((n = ev_esc(ev, &p)) > 0) {
		buf_adds(b, "\"esc\":");
		add_string(b, p, n);	/* digits and dots */
		buf_addc(b, ',');
	}
	if ((n = ev_tag(ev, &p)) > 0) {
		i = b->len;
		buf_adds(b, "\"tag\":");
		if (add_string(b, p, n))
			buf_addc(b, ',');
		else
			b->len = i;	/* not UTF-8: a tag nobody sent */
	}
	if (verb != NULL) {
		buf_adds(b, "\"verb\":");
		add_string(b, verb, strlen(verb));
		buf_addc(b, ',');
	}
	for (i = 0; i < sizeof class_bits / sizeof class_bits[0]; i++)
		if ((c->bits & class_bits[i].bit) &&
		    (class_bits[i].where == BW_ANY ||
		    class_bits[i].where == bit_where(ev)))
			buf_printf(b, "\"%s\":true,", class_bits[i].name);
	if (b->p[b->len - 1] == '{') {
		b->len = at;
		b->p[b->len] = '\0';
		return;
	}
	b->p[b->len - 1] = '}';
}

static json_t *
dns_to_json(const struct dns_answer *a)
{
	json_t	*o = json_object();

	json_object_set_new(o, "name", jstr(a->name));
	json_object_set_new(o, "type", jstr(a->type));
	json_object_set_new(o, "rcode", jstr(a->rcode));
	json_object_set_new(o, "security", jstr(dns_sec_name(a->sec)));
	json_object_set_new(o, "why_bogus", jstr(a->why_bogus));
	json_object_set_new(o, "error", jstr(a->error));
	json_object_set_new(o, "resolver", jstr(a->resolver));
	json_object_set_new(o, "canonical", jstr(a->canon));
	json_object_set_new(o, "ttl", json_integer(a->ttl));
	json_object_set_new(o, "records", jstrv(&a->records));
	return o;
}

/* Append ev as one JSON object (no newline) to b. */
void
event_json(const struct evlog *log, const struct event *ev, struct buf *b)
{
	const struct ev_extra	*x = ev_extra(ev);
	json_t			*o;
	char			 tmp[64], *w;
	const char		*names;
	size_t			 at, nlen;
	int64_t			 us = ev->t_ns / 1000;

	names = envelope_names(ev, &nlen);
	/* Digits of seq, t and len, the time and the member names. */
	buf_reserve(b, nlen + sizeof tmp + 128);
	w = b->p + b->len;
	w = PUT_LIT(w, "{\"seq\":");
	w = put_uint(w, ev_seq(log, ev));
	/* Microseconds: the precision a recording keeps. */
	w = PUT_LIT(w, ",\"t\":");
	w = put_seconds(w, us);
	/* From the same microseconds a reader gets back from the file. */
	format_wall((evlog_wall_base(log) / 1000 + us) * 1000, tmp, sizeof tmp);
	w = PUT_LIT(w, ",\"time\":\"");
	w = put(w, tmp, strlen(tmp));
	w = put(w, names, nlen);
	w = put_uint(w, ev->len);
	b->len = (size_t)(w - b->p);
	b->p[b->len] = '\0';
	/* A literal is text too when it is UTF-8: readable, and smaller. */
	at = b->len;
	buf_adds(b, ",\"text\":");
	if (!add_string(b, ev->data, ev->len)) {
		b->len = at;
		buf_adds(b, ",\"b64\":\"");
		if (b64_encode(ev->data, ev->len, b) == -1)
			fatalx("base64 of %u bytes", ev->len);
		buf_addc(b, '"');
	}
	class_json(ev, b);
	if (x != NULL) {
		o = json_object();
		if (x->code != NULL)
			json_object_set_new(o, "code", jstr(x->code));
		if ((ev->kind == EV_TLS_ESTABLISHED ||
		    ev->kind == EV_VERIFY) && x->tls != NULL)
			json_object_set_new(o, "tls", tls_to_json(x->tls));
		if (ev->kind == EV_CAPDIFF) {
			json_object_set_new(o, "added", jstrv(&x->added));
			json_object_set_new(o, "removed", jstrv(&x->removed));
		}
		if (ev->kind == EV_CAPS)
			json_object_set_new(o, "caps", jstrv(&x->caps));
		if (ev->kind == EV_DNS && x->dns != NULL)
			json_object_set_new(o, "dns", dns_to_json(x->dns));
		/* Its members after the others: "{...}" without its "{". */
		if (json_object_size(o) > 0) {
			buf_addc(b, ',');
			at = b->len;
			add_json(b, o);
			memmove(b->p + at, b->p + at + 1, b->len - at);
			b->len--;
			return;
		}
		json_decref(o);
	}
	buf_addc(b, '}');
}

char *
event_to_json(const struct evlog *log, const struct event *ev)
{
	struct buf	b = { 0 };

	event_json(log, ev, &b);
	return b.p;
}

/* Reading: every helper says what was wrong with which field. */

static int
fail(char *err, size_t errlen, const char *fmt, ...) PRINTFLIKE(3, 4);

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A string, null, or {"b64": ...}: *out malloc'd or NULL, *len bytes. */
static int
get_bytes(json_t *v, const char *key, char **out, size_t *len, char *err,
    size_t errlen)
{
	struct buf	 b = { 0 };
	json_t		*e;
	const char	*s;

	*out = NULL;
	*len = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		*len = json_string_length(v);
		*out = xstrndup(json_string_value(v), *len);
		return 0;
	}
	if (!json_is_object(v) || (e = json_object_get(v, "b64")) == NULL ||
	    !json_is_string(e))
		return fail(err, errlen, "\"%s\": not a string", key);
	s = json_string_value(e);
	if (b64_decode(s, json_string_length(e), &b) == -1)
		return fail(err, errlen, "\"%s\": bad base64", key);
	*len = b.len;
	*out = b.p != NULL ? b.p : xstrdup("");
	return 0;
}

static int
get_str(json_t *o, const char *key, char **out, char *err, size_t errlen)
{
	size_t	len;

	return get_bytes(json_object_get(o, key), key, out, &len, err,
	    errlen);
}

static int
get_strv(json_t *o, const char *key, struct strv *sv, char *err,
    size_t errlen)
{
	json_t	*a = json_object_get(o, key);
	char	*s;
	size_t	 i, len;

	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return fail(err, errlen, "\"%s\": not an array", key);
	for (i = 0; i < json_array_size(a); i++) {
		if (json_is_null(json_array_get(a, i)))
			return fail(err, errlen, "\"%s\": null in the list",
			    key);
		if (get_bytes(json_array_get(a, i), key, &s, &len, err,
		    errlen) == -1)
			return -1;
		strv_addn(sv, s, len);
		free(s);
	}
	return 0;
}

static int
get_bool(json_t *o, const char *key, bool *out, char *err, size_t errlen)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL) {
		*out = false;
		return 0;
	}
	if (!json_is_boolean(v))
		return fail(err, errlen, "\"%s\": not true or false", key);
	*out = json_is_true(v);
	return 0;
}

/*
 * ISO 8601 UTC, "2026-11-22T14:00:00Z" or with ".uuuuuu" before Z:
 * seconds since the epoch and the nanoseconds of the fraction.
 */
static int
parse_iso(const char *s, int64_t *secs, int64_t *frac)
{
	struct tm	 tm;
	const char	*end;
	int64_t		 scale = 100000000;

	memset(&tm, 0, sizeof tm);
	*frac = 0;
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*end == '.') {
		for (end++; *end >= '0' && *end <= '9'; end++) {
			*frac += (*end - '0') * scale;
			scale /= 10;
		}
	}
	if (strcmp(end, "Z") != 0)
		return -1;
	*secs = (int64_t)timegm(&tm);
	return 0;
}

/*
 * An event's time, in nanoseconds; dates: a certificate's, in seconds
 * (9999-12-31 is a valid notAfter, far past what ns in int64_t reach).
 */
static int
get_iso(json_t *o, const char *key, bool required, bool dates,
    int64_t *out, char *err, size_t errlen)
{
	json_t	*v = json_object_get(o, key);
	int64_t	 secs, frac;

	*out = 0;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return fail(err, errlen, "missing \"%s\"", key);
		return 0;
	}
	if (!json_is_string(v) ||
	    parse_iso(json_string_value(v), &secs, &frac) == -1)
		return fail(err, errlen, "\"%s\": not an ISO 8601 UTC time",
		    key);
	if (dates) {
		*out = secs;
		return 0;
	}
	/* Nanoseconds in int64_t reach 1677..2262; a file may say more. */
	if (secs <= INT64_MIN / 1000000000 || secs >= INT64_MAX / 1000000000)
		return fail(err, errlen, "\"%s\": out of range (1678 to "
		    "2261)", key);
	*out = secs * 1000000000 + frac;
	return 0;
}

static int
get_time(json_t *o, const char *key, bool required, int64_t *ns, char *err,
    size_t errlen)
{
	return get_iso(o, key, required, false, ns, err, errlen);
}

static int
get_date(json_t *o, const char *key, int64_t *secs, char *err,
    size_t errlen)
{
	return get_iso(o, key, false, true, secs, err, errlen);
}

static int
get_fixed(json_t *o, const char *key, char *dst, size_t dstlen, char *err,
    size_t errlen)
{
	char	*s;

	if (get_str(o, key, &s, err, errlen) == -1)
		return -1;
	if (s != NULL && strlen(s) >= dstlen) {
		free(s);
		return fail(err, errlen, "\"%s\": too long", key);
	}
	snprintf(dst, dstlen, "%s", s != NULL ? s : "");
	free(s);
	return 0;
}

/*
 * The key's type, bits and curve; a recording before format 3 has only
 * the string, "RSA 2048" or "ECDSA SECP256R1", which says them too.
 */
static int
cert_key_from_json(json_t *o, struct tls_cert *c, char *err, size_t errlen)
{
	json_t		*bits = json_object_get(o, "key_bits");
	char		*type = NULL, *curve = NULL, *key = NULL, *sp;
	unsigned	 n = 0;
	int		 rv = -1;

	if (bits != NULL && (!json_is_integer(bits) ||
	    json_integer_value(bits) < 0 ||
	    json_integer_value(bits) > 65536))
		return fail(err, errlen, "\"key_bits\": not a key size");
	if (get_str(o, "key_type", &type, err, errlen) == -1 ||
	    get_str(o, "key_curve", &curve, err, errlen) == -1 ||
	    get_str(o, "key", &key, err, errlen) == -1)
		goto out;
	if (bits != NULL)
		n = (unsigned)json_integer_value(bits);
	if (type == NULL && key != NULL) {
		if ((sp = strrchr(key, ' ')) != NULL && sp[1] != '\0' &&
		    strspn(sp + 1, "0123456789") == strlen(sp + 1) &&
		    strlen(sp + 1) <= 5) {
			n = (unsigned)strtoul(sp + 1, NULL, 10);
			*sp = '\0';
		} else if (sp != NULL && strncmp(key, "ECDSA ", 6) == 0) {
			curve = xstrdup(sp + 1);
			*sp = '\0';
		}
		type = key;
		key = NULL;
	}
	if (type != NULL)
		tls_cert_set_key(c, type, n, curve);
	rv = 0;
out:
	free(type);
	free(curve);
	free(key);
	return rv;
}

static int
cert_from_json(json_t *o, struct tls_cert *c, char *err, size_t errlen)
{
	if (!json_is_object(o))
		return fail(err, errlen, "\"chain\": not a list of objects");
	if (get_str(o, "subject", &c->subject, err, errlen) == -1 ||
	    get_str(o, "issuer", &c->issuer, err, errlen) == -1 ||
	    get_strv(o, "san", &c->san, err, errlen) == -1 ||
	    get_str(o, "serial", &c->serial, err, errlen) == -1 ||
	    get_date(o, "not_before", &c->not_before, err, errlen) == -1 ||
	    get_date(o, "not_after", &c->not_after, err, errlen) == -1 ||
	    cert_key_from_json(o, c, err, errlen) == -1 ||
	    get_str(o, "sigalg", &c->sigalg, err, errlen) == -1 ||
	    get_fixed(o, "sha256", c->sha256, sizeof c->sha256, err,
	    errlen) == -1 ||
	    get_fixed(o, "pin_sha256", c->pin_sha256, sizeof c->pin_sha256,
	    err, errlen) == -1 ||
	    get_bool(o, "is_ca", &c->is_ca, err, errlen) == -1)
		return -1;
	return 0;
}

static int
verify_from_json(json_t *o, struct tls_verify *v, char *err, size_t errlen)
{
	json_t	*st;

	if (o == NULL)
		return 0;
	if (!json_is_object(o))
		return fail(err, errlen, "\"verify\": not an object");
	if ((st = json_object_get(o, "status")) != NULL) {
		if (!json_is_integer(st) || json_integer_value(st) < 0 ||
		    json_integer_value(st) > UINT32_MAX)
			return fail(err, errlen, "\"status\": not a number");
		v->status = (unsigned)json_integer_value(st);
	}
	if (get_bool(o, "checked", &v->checked, err, errlen) == -1 ||
	    get_bool(o, "ok", &v->ok, err, errlen) == -1 ||
	    get_str(o, "hostname", &v->hostname, err, errlen) == -1 ||
	    get_str(o, "matched", &v->matched, err, errlen) == -1 ||
	    get_str(o, "trust", &v->trust, err, errlen) == -1 ||
	    get_strv(o, "reasons", &v->reasons, err, errlen) == -1)
		return -1;
	return 0;
}

static int
dane_from_json(json_t *o, struct tls_dane *d, char *err, size_t errlen)
{
	json_t	*a, *r;
	size_t	 i;

	if (o == NULL)
		return 0;
	if (!json_is_object(o))
		return fail(err, errlen, "\"dane\": not an object");
	d->checked = true;
	if (get_bool(o, "ok", &d->ok, err, errlen) == -1 ||
	    get_bool(o, "usable", &d->usable, err, errlen) == -1 ||
	    get_str(o, "source", &d->source, err, errlen) == -1 ||
	    get_str(o, "dnssec", &d->dnssec, err, errlen) == -1 ||
	    get_str(o, "rules", &d->rules, err, errlen) == -1 ||
	    get_str(o, "verdict", &d->verdict, err, errlen) == -1)
		return -1;
	if ((a = json_object_get(o, "records")) == NULL)
		return 0;
	if (!json_is_array(a))
		return fail(err, errlen, "\"records\": not an array");
	if (json_array_size(a) > 0)
		d->rrs = xcalloc(json_array_size(a), sizeof *d->rrs);
	for (i = 0; i < json_array_size(a); i++) {
		r = json_array_get(a, i);
		if (!json_is_object(r))
			return fail(err, errlen, "\"records\": not a list of "
			    "objects");
		d->nrrs++;
		if (get_str(r, "rr", &d->rrs[i].rr, err, errlen) == -1 ||
		    get_bool(r, "usable", &d->rrs[i].usable, err,
		    errlen) == -1 ||
		    get_bool(r, "matched", &d->rrs[i].matched, err,
		    errlen) == -1 ||
		    get_str(r, "result", &d->rrs[i].result, err, errlen) == -1)
			return -1;
	}
	return 0;
}

static int
pin_from_json(json_t *o, struct tls_pins *p, char *err, size_t errlen)
{
	if (o == NULL)
		return 0;
	if (!json_is_object(o))
		return fail(err, errlen, "\"pin\": not an object");
	p->checked = true;
	if (get_bool(o, "ok", &p->ok, err, errlen) == -1 ||
	    get_strv(o, "pins", &p->pins, err, errlen) == -1 ||
	    get_str(o, "actual", &p->actual, err, errlen) == -1)
		return -1;
	return 0;
}

static int
get_count(json_t *o, const char *key, int64_t *out, char *err,
    size_t errlen)
{
	json_t	*v = json_object_get(o, key);

	*out = 0;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return fail(err, errlen, "\"%s\": not a count", key);
	*out = json_integer_value(v);
	return 0;
}

static int
sts_from_json(json_t *o, struct tls_sts *s, char *err, size_t errlen)
{
	int64_t	total;

	if (o == NULL)
		return 0;
	if (!json_is_object(o))
		return fail(err, errlen, "\"mta_sts\": not an object");
	if (get_bool(o, "checked", &s->checked, err, errlen) == -1 ||
	    get_bool(o, "ok", &s->ok, err, errlen) == -1 ||
	    get_bool(o, "cert_ok", &s->cert_ok, err, errlen) == -1 ||
	    get_bool(o, "fails", &s->fails, err, errlen) == -1 ||
	    get_str(o, "source", &s->source, err, errlen) == -1 ||
	    get_str(o, "id", &s->id, err, errlen) == -1 ||
	    get_str(o, "unavailable", &s->unavailable, err, errlen) == -1 ||
	    get_str(o, "mode", &s->mode, err, errlen) == -1 ||
	    get_count(o, "max_age", &s->max_age, err, errlen) == -1 ||
	    get_strv(o, "mx", &s->mx, err, errlen) == -1 ||
	    get_count(o, "mx_total", &total, err, errlen) == -1 ||
	    get_str(o, "host", &s->host, err, errlen) == -1 ||
	    get_str(o, "matched", &s->matched, err, errlen) == -1 ||
	    get_str(o, "verdict", &s->verdict, err, errlen) == -1 ||
	    get_str(o, "tlsrpt", &s->tlsrpt, err, errlen) == -1)
		return -1;
	s->mx_total = (size_t)total;
	return 0;
}

/* What the client offered (format 4); absent: not known. */
static int
offer_from_json(json_t *o, struct tls_offer *of, char *err, size_t errlen)
{
	if (o == NULL)
		return 0;
	if (!json_is_object(o))
		return fail(err, errlen, "\"offered\": not an object");
	if (get_strv(o, "versions", &of->versions, err, errlen) == -1 ||
	    get_strv(o, "groups", &of->groups, err, errlen) == -1 ||
	    get_count(o, "ciphers", &of->ciphers, err, errlen) == -1)
		return -1;
	tls_offer_words(of);
	return 0;
}

/* The facts, freed with tls_facts_free on failure. */
static struct tls_facts *
tls_from_json(json_t *o, char *err, size_t errlen)
{
	struct tls_facts	*f;
	json_t			*chain;
	size_t			 i;

	if (!json_is_object(o)) {
		fail(err, errlen, "\"tls\": not an object");
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	chain = json_object_get(o, "chain");
	if (chain != NULL && !json_is_array(chain)) {
		fail(err, errlen, "\"chain\": not an array");
		goto bad;
	}
	if (chain != NULL && json_array_size(chain) > 0) {
		f->nchain = json_array_size(chain);
		f->chain = xcalloc(f->nchain, sizeof *f->chain);
		for (i = 0; i < f->nchain; i++)
			if (cert_from_json(json_array_get(chain, i),
			    &f->chain[i], err, errlen) == -1)
				goto bad;
	}
	if (offer_from_json(json_object_get(o, "offered"), &f->offer, err,
	    errlen) == -1 ||
	    get_str(o, "version", &f->version, err, errlen) == -1 ||
	    get_str(o, "cipher", &f->cipher, err, errlen) == -1 ||
	    get_str(o, "kx", &f->kx, err, errlen) == -1 ||
	    get_str(o, "group", &f->group, err, errlen) == -1 ||
	    get_str(o, "mac", &f->mac, err, errlen) == -1 ||
	    get_str(o, "sigalg", &f->sigalg, err, errlen) == -1 ||
	    get_str(o, "sni", &f->sni, err, errlen) == -1 ||
	    get_str(o, "alpn", &f->alpn, err, errlen) == -1 ||
	    get_bool(o, "resumed", &f->resumed, err, errlen) == -1 ||
	    get_str(o, "resumption", &f->resumption, err, errlen) == -1 ||
	    get_str(o, "ocsp", &f->ocsp, err, errlen) == -1 ||
	    get_str(o, "desc", &f->desc, err, errlen) == -1 ||
	    verify_from_json(json_object_get(o, "verify"), &f->verify, err,
	    errlen) == -1 ||
	    dane_from_json(json_object_get(o, "dane"), &f->dane, err,
	    errlen) == -1 ||
	    pin_from_json(json_object_get(o, "pin"), &f->pin, err,
	    errlen) == -1 ||
	    sts_from_json(json_object_get(o, "mta_sts"), &f->sts, err,
	    errlen) == -1)
		goto bad;
	/* Recordings from before DANE and pins: PKIX's verdict. */
	f->verified = f->verify.ok;
	if (json_object_get(o, "verified") != NULL &&
	    get_bool(o, "verified", &f->verified, err, errlen) == -1)
		goto bad;
	return f;
bad:
	tls_facts_free(f);
	return NULL;
}

static int
get_name(json_t *o, const char *key, int (*lookup)(const char *), int *out,
    char *err, size_t errlen)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL)
		return fail(err, errlen, "missing \"%s\"", key);
	if (!json_is_string(v))
		return fail(err, errlen, "\"%s\": not a string", key);
	if ((*out = lookup(json_string_value(v))) < 0)
		return fail(err, errlen, "\"%s\": unknown value \"%.40s\"",
		    key, json_string_value(v));
	return 0;
}

static int
get_flags(json_t *o, uint32_t *flags, char *err, size_t errlen)
{
	json_t		*a = json_object_get(o, "flags"), *v;
	uint32_t	 bit;
	size_t		 i;

	*flags = 0;
	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return fail(err, errlen, "\"flags\": not an array");
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return fail(err, errlen, "\"flags\": not a string");
		if ((bit = ev_flag_from_name(json_string_value(v))) == 0)
			return fail(err, errlen, "\"flags\": unknown flag "
			    "\"%.40s\"", json_string_value(v));
		*flags |= bit;
	}
	return 0;
}

/* The exact bytes of an event, from "text" or "b64", checked by "len". */
static int
get_data(json_t *o, struct buf *data, char *err, size_t errlen)
{
	json_t	*text = json_object_get(o, "text");
	json_t	*b64 = json_object_get(o, "b64");
	json_t	*len = json_object_get(o, "len");

	if ((text == NULL) == (b64 == NULL))
		return fail(err, errlen, "need exactly one of \"text\" and "
		    "\"b64\"");
	if (text != NULL) {
		if (!json_is_string(text))
			return fail(err, errlen, "\"text\": not a string");
		buf_add(data, json_string_value(text),
		    json_string_length(text));
	} else {
		if (!json_is_string(b64))
			return fail(err, errlen, "\"b64\": not a string");
		if (b64_decode(json_string_value(b64),
		    json_string_length(b64), data) == -1)
			return fail(err, errlen, "\"b64\": bad base64");
	}
	if (len == NULL)
		return fail(err, errlen, "missing \"len\"");
	if (!json_is_integer(len) || json_integer_value(len) < 0)
		return fail(err, errlen, "\"len\": not a number");
	if ((uint64_t)json_integer_value(len) != data->len)
		return fail(err, errlen, "\"len\" is %lld but the data has "
		    "%zu bytes", (long long)json_integer_value(len), data->len);
	if (data->len > UINT32_MAX)
		return fail(err, errlen, "event too long");
	return 0;
}

static struct dns_answer *
dns_from_json(json_t *o, char *err, size_t errlen)
{
	struct dns_answer	*a;
	json_t			*ttl = json_object_get(o, "ttl");
	char			*sec = NULL;
	int			 n;

	if (!json_is_object(o)) {
		fail(err, errlen, "\"dns\": not an object");
		return NULL;
	}
	a = xcalloc(1, sizeof *a);
	if (get_str(o, "name", &a->name, err, errlen) == -1 ||
	    get_str(o, "type", &a->type, err, errlen) == -1 ||
	    get_str(o, "rcode", &a->rcode, err, errlen) == -1 ||
	    get_str(o, "security", &sec, err, errlen) == -1 ||
	    get_str(o, "why_bogus", &a->why_bogus, err, errlen) == -1 ||
	    get_str(o, "error", &a->error, err, errlen) == -1 ||
	    get_str(o, "resolver", &a->resolver, err, errlen) == -1 ||
	    get_str(o, "canonical", &a->canon, err, errlen) == -1 ||
	    get_strv(o, "records", &a->records, err, errlen) == -1)
		goto bad;
	if (sec != NULL && (n = dns_sec_from_name(sec)) == -1) {
		fail(err, errlen, "\"dns\": unknown security \"%s\"", sec);
		goto bad;
	}
	a->sec = sec != NULL ? (enum dns_sec)n : DNS_INSECURE;
	if (ttl != NULL && !json_is_integer(ttl)) {
		fail(err, errlen, "\"dns\": \"ttl\": not a number");
		goto bad;
	}
	a->ttl = ttl != NULL ? json_integer_value(ttl) : 0;
	free(sec);
	return a;
bad:
	free(sec);
	dns_answer_free(a);
	return NULL;
}

static int
extra_from_json(json_t *o, enum ev_kind kind, struct ev_extra **xp,
    char *err, size_t errlen)
{
	struct ev_extra	*x;
	json_t		*tls = json_object_get(o, "tls");

	*xp = NULL;
	if (json_object_get(o, "code") == NULL && tls == NULL &&
	    json_object_get(o, "added") == NULL &&
	    json_object_get(o, "removed") == NULL &&
	    json_object_get(o, "caps") == NULL &&
	    json_object_get(o, "dns") == NULL)
		return 0;
	x = xcalloc(1, sizeof *x);
	if (get_str(o, "code", &x->code, err, errlen) == -1)
		goto bad;
	if (tls != NULL && (kind == EV_TLS_ESTABLISHED || kind == EV_VERIFY) &&
	    (x->tls = tls_from_json(tls, err, errlen)) == NULL)
		goto bad;
	if (kind == EV_CAPDIFF &&
	    (get_strv(o, "added", &x->added, err, errlen) == -1 ||
	    get_strv(o, "removed", &x->removed, err, errlen) == -1))
		goto bad;
	if (kind == EV_CAPS &&
	    get_strv(o, "caps", &x->caps, err, errlen) == -1)
		goto bad;
	if (kind == EV_DNS && json_object_get(o, "dns") != NULL &&
	    (x->dns = dns_from_json(json_object_get(o, "dns"), err,
	    errlen)) == NULL)
		goto bad;
	*xp = x;
	return 0;
bad:
	ev_extra_free(x);
	return -1;
}

/* A short string member of "class", or NULL. */
static int
class_str(json_t *c, const char *key, const char **out, char *err,
    size_t errlen)
{
	json_t	*v = json_object_get(c, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > UINT8_MAX ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return fail(err, errlen, "\"class\": \"%s\": not a short "
		    "string", key);
	*out = json_string_value(v);
	return 0;
}

/* The classification of an event at data, from its "class" object. */
static int
class_from_json(json_t *o, const struct buf *data, struct ev_class *c,
    char *err, size_t errlen)
{
	json_t		*cl = json_object_get(o, "class"), *v;
	const char	*st, *esc, *tag, *verb, *at;
	size_t		 i, n;
	bool		 on = false;
	int		 k;

	memset(c, 0, sizeof *c);
	if (cl == NULL)
		return 0;
	if (!json_is_object(cl))
		return fail(err, errlen, "\"class\": not an object");
	if (class_str(cl, "status", &st, err, errlen) == -1 ||
	    class_str(cl, "esc", &esc, err, errlen) == -1 ||
	    class_str(cl, "tag", &tag, err, errlen) == -1 ||
	    class_str(cl, "verb", &verb, err, errlen) == -1)
		return -1;
	if (st != NULL) {
		if ((k = ev_status_from_name(st)) < 0)
			return fail(err, errlen, "\"class\": unknown status "
			    "\"%s\"", st);
		c->status = (uint8_t)k;
	}
	if ((v = json_object_get(cl, "code")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 100 ||
		    json_integer_value(v) > 999)
			return fail(err, errlen, "\"class\": \"code\": not a "
			    "reply code");
		c->code = (uint16_t)json_integer_value(v);
	}
	if (esc != NULL) {
		n = strlen(esc);
		if (data->len < n || (at = memmem(data->p, data->len, esc,
		    n)) == NULL || at - data->p > UINT8_MAX)
			return fail(err, errlen, "\"class\": \"esc\" is not "
			    "in the line");
		c->esc_off = (uint8_t)(at - data->p);
		c->esc_len = (uint8_t)n;
	}
	if (tag != NULL) {
		n = strlen(tag);
		if (data->len < n || memcmp(data->p, tag, n) != 0)
			return fail(err, errlen, "\"class\": \"tag\" does "
			    "not start the line");
		c->tag = (uint8_t)n;
	}
	if (verb != NULL)
		c->verb = (uint8_t)ev_verb_id(verb);	/* unknown: none */
	for (i = 0; i < sizeof class_bits / sizeof class_bits[0]; i++) {
		if (get_bool(cl, class_bits[i].name, &on, err, errlen) == -1)
			return -1;
		if (on)
			c->bits |= class_bits[i].bit;
	}
	return 0;
}

static int
event_from_object(struct evlog *log, const struct rec_sink *sink, json_t *o,
    char *err, size_t errlen)
{
	struct event	 ev;
	struct ev_extra	*x = NULL;
	struct buf	 data = { 0 };
	json_t		*t;
	int		 kind, dir, chan;
	uint32_t	 flags;
	double		 secs;

	memset(&ev, 0, sizeof ev);
	if (get_name(o, "kind", ev_kind_from_name, &kind, err, errlen) == -1 ||
	    get_name(o, "dir", ev_dir_from_name, &dir, err, errlen) == -1 ||
	    get_name(o, "chan", ev_chan_from_name, &chan, err, errlen) == -1 ||
	    get_flags(o, &flags, err, errlen) == -1)
		return -1;
	ev.flags = flags;
	if ((t = json_object_get(o, "t")) == NULL)
		return fail(err, errlen, "missing \"t\"");
	secs = json_number_value(t);
	if (!json_is_number(t) || !isfinite(secs) || secs < 0 ||
	    secs > 1e9)
		return fail(err, errlen, "\"t\": not a time in seconds");
	ev.t_ns = (int64_t)(secs * 1e6 + 0.5) * 1000;
	ev.kind = (uint8_t)kind;
	ev.dir = (uint8_t)dir;
	ev.chan = (uint8_t)chan;
	if (get_data(o, &data, err, errlen) == -1 ||
	    extra_from_json(o, (enum ev_kind)kind, &x, err, errlen) == -1 ||
	    class_from_json(o, &data, &ev.cls, err, errlen) == -1) {
		ev_extra_free(x);
		buf_free(&data);
		return -1;
	}
	if (sink != NULL)
		sink->event(sink->arg, &ev, x, data.p != NULL ? data.p : "",
		    data.len);
	else
		evlog_append_x(log, &ev, x, data.p != NULL ? data.p : "",
		    data.len);
	buf_free(&data);
	return 0;
}

static json_t *
load(const char *line, char *err, size_t errlen)
{
	json_error_t	 je;
	json_t		*o;

	if ((o = json_loads(line, LOAD_FLAGS, &je)) == NULL) {
		fail(err, errlen, "not JSON: %s (column %d)", je.text,
		    je.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		fail(err, errlen, "not a JSON object");
		return NULL;
	}
	return o;
}

int
event_from_json(struct evlog *log, const char *line, char *err,
    size_t errlen)
{
	json_t	*o;
	int	 rv;

	if ((o = load(line, err, errlen)) == NULL)
		return -1;
	rv = event_from_object(log, NULL, o, err, errlen);
	json_decref(o);
	return rv;
}

/* The options object of a recording header, from its key/value list. */
char *
recording_options_json(const struct rec_option *o, size_t n)
{
	json_t	*opt = json_object();
	size_t	 i;

	for (i = 0; i < n; i++) {
		switch (o[i].type) {
		case RO_STR:
			json_object_set_new(opt, o[i].key, jstr(o[i].s));
			break;
		case RO_BOOL:
			json_object_set_new(opt, o[i].key, json_boolean(o[i].i));
			break;
		case RO_INT:
			json_object_set_new(opt, o[i].key,
			    json_integer((json_int_t)o[i].i));
			break;
		}
	}
	return dump(opt);
}

static char *
trailer_json(int64_t end, const char *reason, uint64_t events, int exit)
{
	json_t	*o = json_object();

	json_object_set_new(o, "kind", json_string("trailer"));
	json_object_set_new(o, "end", jwall(end));
	json_object_set_new(o, "reason", jstr(reason));
	json_object_set_new(o, "events", json_integer((json_int_t)events));
	if (exit >= 0)
		json_object_set_new(o, "exit", json_integer(exit));
	return dump(o);
}

/* exit: the exit code mailscope returns, or -1 when it has none yet. */
char *
recording_trailer_json(const struct evlog *log, const char *reason,
    int exit)
{
	return trailer_json(evlog_wall_base(log) + evlog_now(log), reason,
	    evlog_count(log), exit);
}

/*
 * The header and trailer of a recording rebuilt from what was loaded, for
 * a copy of it (an annotated replay saved to a new file).
 */
char *
recording_info_header_json(const struct recording_info *info)
{
	json_t	*o = json_object(), *opt = NULL;

	json_object_set_new(o, "mailscope", json_string("recording"));
	json_object_set_new(o, "kind", json_string("header"));
	json_object_set_new(o, "format", json_integer(FORMAT));
	json_object_set_new(o, "version", jstr(info->version));
	json_object_set_new(o, "target", jstr(info->target));
	json_object_set_new(o, "start", jwall(info->start));
	if (info->options != NULL)
		opt = json_loads(info->options, LOAD_FLAGS, NULL);
	if (json_is_object(opt))
		json_object_set_new(o, "options", opt);
	else
		json_decref(opt);
	json_object_set_new(o, "redacted", json_boolean(info->redacted));
	return dump(o);
}

char *
recording_info_trailer_json(const struct recording_info *info,
    uint64_t events)
{
	return trailer_json(info->end, info->reason, events,
	    info->has_exit ? info->exit : -1);
}

void
recording_info_free(struct recording_info *info)
{
	free(info->version);
	free(info->target);
	free(info->options);
	free(info->reason);
	free(info->damage);
	memset(info, 0, sizeof *info);
}

static int
header_from_object(json_t *o, struct recording_info *info, char *err,
    size_t errlen)
{
	json_t	*fmt = json_object_get(o, "format"), *opt, *r;

	if (!json_is_string(json_object_get(o, "mailscope")) ||
	    strcmp(json_string_value(json_object_get(o, "mailscope")),
	    "recording") != 0)
		return fail(err, errlen, "not a mailscope recording");
	if (!json_is_integer(fmt))
		return fail(err, errlen, "missing \"format\"");
	if (json_integer_value(fmt) < FORMAT_MIN ||
	    json_integer_value(fmt) > FORMAT)
		return fail(err, errlen, "recording format %lld, this "
		    "mailscope reads formats %d to %d",
		    (long long)json_integer_value(fmt), FORMAT_MIN, FORMAT);
	r = json_object_get(o, "redacted");
	if (!json_is_boolean(r))
		return fail(err, errlen, "missing \"redacted\"");
	recording_info_free(info);
	info->redacted = json_is_true(r);
	info->format = (int)json_integer_value(fmt);
	if (get_str(o, "version", &info->version, err, errlen) == -1 ||
	    get_str(o, "target", &info->target, err, errlen) == -1 ||
	    get_time(o, "start", true, &info->start, err, errlen) == -1)
		goto bad;
	if ((opt = json_object_get(o, "options")) != NULL) {
		if (!json_is_object(opt)) {
			fail(err, errlen, "\"options\": not an object");
			goto bad;
		}
		info->options = dump(json_incref(opt));
	}
	return REC_HEADER;
bad:
	recording_info_free(info);
	return -1;
}

static int
trailer_from_object(json_t *o, struct recording_info *info, char *err,
    size_t errlen)
{
	json_t	*n = json_object_get(o, "events");
	json_t	*x = json_object_get(o, "exit");
	char	*reason;

	if (!json_is_integer(n) || json_integer_value(n) < 0)
		return fail(err, errlen, "\"events\": not a number");
	if (x != NULL && (!json_is_integer(x) || json_integer_value(x) < 0 ||
	    json_integer_value(x) > 255))
		return fail(err, errlen, "\"exit\": not an exit code");
	if (get_str(o, "reason", &reason, err, errlen) == -1)
		return -1;
	if (get_time(o, "end", true, &info->end, err, errlen) == -1) {
		free(reason);
		return -1;
	}
	free(info->reason);
	info->reason = reason;
	info->events = (uint64_t)json_integer_value(n);
	info->has_exit = x != NULL;
	info->exit = x != NULL ? (int)json_integer_value(x) : 0;
	info->ended = true;
	return REC_TRAILER;
}

/*
 * One line of a recording: an event is appended to the log (refused when
 * log is NULL), a header or a trailer fills info.
 */
int
recording_parse_line(struct evlog *log, const char *line,
    struct recording_info *info, char *err, size_t errlen)
{
	return recording_parse_line_sink(log, NULL, line, info, err, errlen);
}

int
recording_parse_line_sink(struct evlog *log, const struct rec_sink *sink,
    const char *line, struct recording_info *info, char *err, size_t errlen)
{
	json_t	*o, *kind;
	int	 rv;

	if ((o = load(line, err, errlen)) == NULL)
		return -1;
	kind = json_object_get(o, "kind");
	if (json_object_get(o, "mailscope") != NULL)
		rv = header_from_object(o, info, err, errlen);
	else if (kind != NULL ? json_is_string(kind) &&
	    strcmp(json_string_value(kind), "trailer") == 0 :
	    json_object_get(o, "end") != NULL)	/* formats 1 and 2 */
		rv = trailer_from_object(o, info, err, errlen);
	else if (log == NULL)
		rv = fail(err, errlen, "an event where the recording header "
		    "should be");
	else if ((rv = event_from_object(log, sink, o, err, errlen)) == 0)
		rv = REC_EVENT;
	json_decref(o);
	return rv;
}
