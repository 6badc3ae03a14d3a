/* SPDX-License-Identifier: ISC */
/*
 * json.c: events survive the trip to JSON and back byte for byte, the
 * lines never hold a raw control byte, malformed lines are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

/* Line to event in a fresh log and back; the event is in *out. */
static const struct event *
round_trip(struct evlog *src, const struct event *ev, struct evlog *dst)
{
	char	*line, err[256] = "";

	line = event_to_json(src, ev);
	assert_non_null(line);
	assert_null(strchr(line, '\n'));
	assert_null(strchr(line, '\x1b'));
	if (event_from_json(dst, line, err, sizeof err) != 0)
		fail_msg("%s: %s", line, err);
	free(line);
	return evlog_get(dst, evlog_count(dst) - 1);
}

static void
assert_same_event(const struct event *a, const struct event *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->dir, b->dir);
	assert_int_equal(a->chan, b->chan);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->data, b->data, a->len);
	assert_int_equal(b->data[b->len], '\0');
	assert_int_equal(a->t_ns / 1000, b->t_ns / 1000);
	assert_int_equal((ev_extra(a) == NULL), (ev_extra(b) == NULL));
	if (ev_extra(a) == NULL)
		return;
	if (ev_extra(a)->code == NULL)
		assert_null(ev_extra(b)->code);
	else
		assert_string_equal(ev_extra(a)->code, ev_extra(b)->code);
}

static const struct event *
add(struct evlog *log, enum ev_kind kind, enum ev_dir dir,
    enum ev_chan chan, uint32_t flags, int64_t t_ns, struct ev_extra *x,
    const char *data, size_t len)
{
	struct event	ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = (uint8_t)kind;
	ev.dir = (uint8_t)dir;
	ev.chan = (uint8_t)chan;
	ev.flags = flags;
	ev.t_ns = t_ns;
	return evlog_append_x(log, &ev, x, data, len);
}

/* Events here carry their own times, as a recording's do. */
static struct evlog *
timed_log(void)
{
	struct evlog	*log = evlog_new(true);

	evlog_keep_times(log);
	return log;
}

static void
test_every_kind(void **state)
{
	struct evlog		*a = timed_log(), *b = timed_log();
	const struct event	*ev, *got;
	struct ev_extra		*x;
	int			 k;

	(void)state;
	for (k = 0; k < EV_KIND_MAX; k++) {
		x = NULL;
		if (k == EV_WARNING || k == EV_ERROR) {
			x = xcalloc(1, sizeof *x);
			x->code = xstrdup("injection");
		}
		ev = add(a, (enum ev_kind)k, (enum ev_dir)(k % 3),
		    (enum ev_chan)(k % 2), k == EV_DATA ? EVF_END |
		    EVF_BARE_LF | EVF_SECURITY : 0, (k + 1) * 1234567000LL, x,
		    "250 OK", 6);
		got = round_trip(a, ev, b);
		assert_same_event(ev, got);
	}
	assert_int_equal(evlog_count(b), EV_KIND_MAX);
	evlog_free(a);
	evlog_free(b);
}

static void
test_fields(void **state)
{
	struct evlog		*a = timed_log(), *b;
	const struct event	*ev;
	char			*line, want[256], wall[64];

	(void)state;
	evlog_set_wall_base(a, 1700000000LL * 1000000000);
	ev = add(a, EV_DATA, DIR_SERVER, CHAN_TLS, EVF_END | EVF_LATE,
	    2500001000LL, NULL, "hi", 2);
	line = event_to_json(a, ev);
	format_wall(evlog_wall(a, ev) / 1000 * 1000, wall, sizeof wall);
	snprintf(want, sizeof want, "{\"seq\":0,\"t\":2.500001,\"time\":"
	    "\"%s\",\"kind\":\"data\",\"dir\":\"server\",\"chan\":\"tls\","
	    "\"flags\":[\"end\",\"late\"],\"len\":2,\"text\":\"hi\"}", wall);
	assert_string_equal(line, want);
	assert_string_equal(wall, "2023-11-14T22:13:22.500001Z");
	free(line);

	/* No flags: no "flags" member. */
	ev = add(a, EV_INFO, DIR_LOCAL, CHAN_PLAIN, 0, 1000, NULL, "", 0);
	line = event_to_json(a, ev);
	assert_null(strstr(line, "flags"));
	assert_non_null(strstr(line, "\"t\":0.000001,"));
	assert_non_null(strstr(line, "\"len\":0,\"text\":\"\""));
	free(line);

	/* Quotes and backslashes escaped; whole seconds keep a decimal. */
	ev = add(a, EV_DATA, DIR_SERVER, CHAN_PLAIN, 0, 3000000000LL, NULL,
	    "a\"b\\c", 5);
	line = event_to_json(a, ev);
	assert_non_null(strstr(line, "\"t\":3.0,"));
	assert_non_null(strstr(line, "\"text\":\"a\\\"b\\\\c\"}"));
	free(line);

	/* Body lines together: their CRLFs escaped, read back whole. */
	ev = add(a, EV_DATA, DIR_SERVER, CHAN_TLS, EVF_BODY | EVF_LINES,
	    4000000000LL, NULL, "a \"q\"\r\n\r\n\\b\r\n", 13);
	line = event_to_json(a, ev);
	assert_non_null(strstr(line, "\"flags\":[\"body\",\"lines\"],"
	    "\"len\":13,\"text\":\"a \\\"q\\\"\\r\\n\\r\\n\\\\b\\r\\n\"}"));
	b = evlog_new(true);
	assert_int_equal(event_from_json(b, line, want, sizeof want), 0);
	ev = evlog_get(b, 0);
	assert_int_equal(ev->flags, EVF_BODY | EVF_LINES);
	assert_int_equal(ev->len, 13);
	assert_memory_equal(ev->data, "a \"q\"\r\n\r\n\\b\r\n", 13);
	evlog_free(b);
	free(line);
	evlog_free(a);
}

static void
test_binary(void **state)
{
	static const char *const samples[] = {
		"a\0b",				/* NUL: valid UTF-8 */
		"\x1b[31mred\x1b[0m",		/* ESC */
		"caf\xe9",			/* Latin-1 */
		"\xc0\xaf\xed\xa0\x80\xff",	/* overlong, surrogate */
		("\xc2\x9b" "2J \xe2\x80\xae"),	/* C1 and bidi, valid */
		"\x7f\r\n\t",
		"say \"hi\" C:\\dir\\",		/* printable: escaped by hand */
	};
	static const size_t lens[] = { 3, 12, 4, 6, 8, 4, 16 };
	struct evlog		*a = timed_log(), *b = timed_log();
	const struct event	*ev, *got;
	char			*line;
	size_t			 i, j;

	(void)state;
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		ev = add(a, EV_DATA, DIR_SERVER, CHAN_PLAIN, EVF_NUL, 5000,
		    NULL, samples[i], lens[i]);
		line = event_to_json(a, ev);
		/* ASCII without controls: nothing a terminal acts on. */
		for (j = 0; line[j] != '\0'; j++)
			assert_true(line[j] >= 0x20 &&
			    (unsigned char)line[j] < 0x80);
		if (i == 2 || i == 3)
			assert_non_null(strstr(line, "\"b64\":"));
		else
			assert_non_null(strstr(line, "\"text\":"));
		free(line);
		got = round_trip(a, ev, b);
		assert_same_event(ev, got);
	}
	/* A large event with every byte value. */
	{
		char	big[70000];

		for (j = 0; j < sizeof big; j++)
			big[j] = (char)(j * 7);
		ev = add(a, EV_DATA, DIR_SERVER, CHAN_TLS, EVF_LITERAL |
		    EVF_BODY, 9000, NULL, big, sizeof big);
		got = round_trip(a, ev, b);
		assert_same_event(ev, got);
	}
	/* A literal of mail text is written as readable, escaped text. */
	{
		static const char body[] = "Subject: \"hi\"\r\n\r\n"
		    "a\tb C:\\dir\r\n";

		ev = add(a, EV_DATA, DIR_SERVER, CHAN_TLS, EVF_LITERAL |
		    EVF_BODY, 9500, NULL, body, sizeof body - 1);
		line = event_to_json(a, ev);
		assert_non_null(strstr(line, "\"text\":\"Subject: \\\"hi\\\""
		    "\\r\\n\\r\\na\\tb C:\\\\dir\\r\\n\""));
		free(line);
		got = round_trip(a, ev, b);
		assert_same_event(ev, got);
	}
	evlog_free(a);
	evlog_free(b);
}

/*
 * Every byte value at every place of the eight-byte steps: whatever the
 * escaping path, the line is ASCII without controls and gives the bytes
 * back, as "text" exactly when they are UTF-8.
 */
static void
test_every_byte_everywhere(void **state)
{
	struct evlog		*a = timed_log(), *b = timed_log();
	const struct event	*ev, *got;
	char			 s[19], *line;
	size_t			 pos, j;
	int			 c;

	(void)state;
	for (c = 0; c < 256; c++) {
		for (pos = 0; pos < sizeof s; pos++) {
			memset(s, 'a', sizeof s);
			s[pos] = (char)c;
			ev = add(a, EV_DATA, DIR_SERVER, CHAN_TLS, 0, 1000,
			    NULL, s, sizeof s);
			line = event_to_json(a, ev);
			for (j = 0; line[j] != '\0'; j++)
				assert_true(line[j] >= 0x20 &&
				    (unsigned char)line[j] < 0x80);
			assert_true((strstr(line, "\"b64\":") != NULL) ==
			    (c >= 0x80));
			free(line);
			got = round_trip(a, ev, b);
			assert_same_event(ev, got);
		}
	}
	evlog_free(a);
	evlog_free(b);
}

static struct tls_facts *
make_facts(void)
{
	struct tls_facts	*f = xcalloc(1, sizeof *f);
	size_t			 i;

	strv_add(&f->offer.versions, "TLS1.3");
	strv_add(&f->offer.versions, "TLS1.2");
	strv_add(&f->offer.groups, "X25519");
	strv_add(&f->offer.groups, "SECP256R1");
	f->offer.ciphers = 19;
	tls_offer_words(&f->offer);
	f->version = xstrdup("TLS1.3");
	f->cipher = xstrdup("TLS_AES_256_GCM_SHA384");
	f->kx = xstrdup("(EC)DHE");
	f->group = xstrdup("X25519");
	f->mac = xstrdup("AEAD");
	f->sigalg = xstrdup("RSA-PSS-RSAE-SHA256");
	f->sni = NULL;
	f->alpn = xstrdup("imap");
	f->resumed = true;
	f->ocsp = xstrdup("none");
	f->desc = xstrdup("(TLS1.3)-(ECDHE-X25519)-(RSA-PSS-RSAE-SHA256)");
	f->nchain = 3;
	f->chain = xcalloc(3, sizeof *f->chain);
	for (i = 0; i < 3; i++) {
		struct tls_cert	*c = &f->chain[i];

		xasprintf(&c->subject, "CN=cert %zu,O=Lab \xc3\xa9", i);
		xasprintf(&c->issuer, "CN=cert %zu", i + 1);
		if (i == 0) {
			strv_add(&c->san, "DNS:mail.test");
			strv_add(&c->san, "IP:127.0.0.1");
			/* Not UTF-8: stored as {"b64": ...}. */
			strv_add(&c->san, "DNS:bad\xff\x1b[2J");
		}
		xasprintf(&c->serial, "0%zuabcdef", i);
		c->not_before = 1700000000 + (int64_t)i;
		c->not_after = 1800000000 - (int64_t)i;
		if (i == 2)
			tls_cert_set_key(c, "RSA", 4096, NULL);
		else
			tls_cert_set_key(c, "ECDSA", 256, "SECP256R1");
		c->sigalg = xstrdup("ECDSA-SHA256");
		snprintf(c->sha256, sizeof c->sha256, "AB:CD:%02zu", i);
		snprintf(c->pin_sha256, sizeof c->pin_sha256, "pin%zu=", i);
		c->is_ca = i > 0;
	}
	f->chain[1].subject[0] = '\x9b';	/* invalid UTF-8 */
	f->verify.checked = true;
	f->verify.ok = false;
	f->verify.status = 0x42;
	f->verify.hostname = xstrdup("mail.test");
	f->verify.matched = NULL;
	f->verify.trust = xstrdup("Untrusted");
	strv_add(&f->verify.reasons, "signer not found");
	strv_add(&f->verify.reasons, "hostname mismatch");
	return f;
}

static void
assert_str_eq(const char *a, const char *b)
{
	if (a == NULL)
		assert_null(b);
	else {
		assert_non_null(b);
		assert_string_equal(a, b);
	}
}

static void
assert_strv_eq(const struct strv *a, const struct strv *b)
{
	size_t	i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

static void
assert_facts_eq(const struct tls_facts *a, const struct tls_facts *b)
{
	size_t	i;

	assert_strv_eq(&a->offer.versions, &b->offer.versions);
	assert_strv_eq(&a->offer.groups, &b->offer.groups);
	assert_int_equal(a->offer.ciphers, b->offer.ciphers);
	assert_str_eq(a->offer.words, b->offer.words);
	assert_str_eq(a->version, b->version);
	assert_str_eq(a->cipher, b->cipher);
	assert_str_eq(a->kx, b->kx);
	assert_str_eq(a->group, b->group);
	assert_str_eq(a->mac, b->mac);
	assert_str_eq(a->sigalg, b->sigalg);
	assert_str_eq(a->sni, b->sni);
	assert_str_eq(a->alpn, b->alpn);
	assert_int_equal(a->resumed, b->resumed);
	assert_str_eq(a->ocsp, b->ocsp);
	assert_str_eq(a->desc, b->desc);
	assert_int_equal(a->nchain, b->nchain);
	for (i = 0; i < a->nchain; i++) {
		const struct tls_cert *x = &a->chain[i], *y = &b->chain[i];

		assert_str_eq(x->subject, y->subject);
		assert_str_eq(x->issuer, y->issuer);
		assert_strv_eq(&x->san, &y->san);
		assert_str_eq(x->serial, y->serial);
		assert_int_equal(x->not_before, y->not_before);
		assert_int_equal(x->not_after, y->not_after);
		assert_str_eq(x->key, y->key);
		assert_str_eq(x->key_type, y->key_type);
		assert_int_equal(x->key_bits, y->key_bits);
		assert_str_eq(x->key_curve, y->key_curve);
		assert_str_eq(x->sigalg, y->sigalg);
		assert_string_equal(x->sha256, y->sha256);
		assert_string_equal(x->pin_sha256, y->pin_sha256);
		assert_int_equal(x->is_ca, y->is_ca);
	}
	assert_int_equal(a->verify.checked, b->verify.checked);
	assert_int_equal(a->verify.ok, b->verify.ok);
	assert_int_equal(a->verify.status, b->verify.status);
	assert_str_eq(a->verify.hostname, b->verify.hostname);
	assert_str_eq(a->verify.matched, b->verify.matched);
	assert_str_eq(a->verify.trust, b->verify.trust);
	assert_strv_eq(&a->verify.reasons, &b->verify.reasons);
}

static void
test_tls(void **state)
{
	struct evlog		*a = timed_log(), *b = timed_log();
	const struct event	*ev, *got;
	struct ev_extra		*x;
	char			*line;
	int			 k;

	(void)state;
	for (k = EV_TLS_ESTABLISHED; k <= EV_VERIFY; k++) {
		x = xcalloc(1, sizeof *x);
		x->tls = make_facts();
		ev = add(a, (enum ev_kind)k, DIR_LOCAL, CHAN_TLS,
		    EVF_SECURITY, 77000, x, "TLS1.3", 6);
		line = event_to_json(a, ev);
		assert_non_null(strstr(line, "\"not_before\":"
		    "\"2023-11-14T22:13:20Z\""));
		assert_non_null(strstr(line, "\"sni\":null"));
		assert_non_null(strstr(line, "\"offered\":{\"versions\":"
		    "[\"TLS1.3\",\"TLS1.2\"],\"groups\":[\"X25519\","
		    "\"SECP256R1\"],\"ciphers\":19}"));
		/* The key as a person reads it, and as fields. */
		assert_non_null(strstr(line, "\"key\":\"RSA 4096\","
		    "\"key_type\":\"RSA\",\"key_bits\":4096,"
		    "\"key_curve\":null"));
		assert_non_null(strstr(line, "\"key\":\"ECDSA SECP256R1\","
		    "\"key_type\":\"ECDSA\",\"key_bits\":256,"
		    "\"key_curve\":\"SECP256R1\""));
		assert_non_null(strstr(line, "{\"b64\":"));
		assert_null(strchr(line, '\x1b'));
		free(line);
		got = round_trip(a, ev, b);
		assert_same_event(ev, got);
		assert_non_null(ev_extra(got));
		assert_non_null(ev_extra(got)->tls);
		assert_facts_eq(ev_extra(ev)->tls, ev_extra(got)->tls);
	}
	evlog_free(a);
	evlog_free(b);
}

/* The offer's one wording, and none for an offer not known. */
static void
test_offer_words(void **state)
{
	struct tls_facts	*f = make_facts(), *d;
	struct tls_offer	 none = { 0 };

	(void)state;
	assert_string_equal(f->offer.words, "TLS1.3, TLS1.2; groups X25519, "
	    "SECP256R1; 19 cipher suites");
	assert_string_equal(f->offer.vwords, "TLS1.3, TLS1.2");
	d = tls_facts_dup(f);
	assert_string_equal(d->offer.words, f->offer.words);
	tls_facts_free(d);
	tls_facts_free(f);
	tls_offer_words(&none);
	assert_null(none.words);
	assert_null(none.vwords);
}

static void
test_capdiff(void **state)
{
	struct evlog		*a = timed_log(), *b = timed_log();
	const struct event	*ev, *got;
	struct ev_extra		*x;

	(void)state;
	x = xcalloc(1, sizeof *x);
	strv_add(&x->added, "AUTH PLAIN LOGIN");
	strv_add(&x->added, "SIZE 10240000");
	strv_add(&x->removed, "STARTTLS");
	ev = add(a, EV_CAPDIFF, DIR_LOCAL, CHAN_TLS, 0, 3000, x,
	    "capabilities changed", 20);
	got = round_trip(a, ev, b);
	assert_same_event(ev, got);
	assert_strv_eq(&ev_extra(ev)->added, &ev_extra(got)->added);
	assert_strv_eq(&ev_extra(ev)->removed, &ev_extra(got)->removed);

	/* Empty lists survive too. */
	x = xcalloc(1, sizeof *x);
	ev = add(a, EV_CAPDIFF, DIR_LOCAL, CHAN_TLS, 0, 4000, x, "", 0);
	got = round_trip(a, ev, b);
	assert_non_null(ev_extra(got));
	assert_int_equal(ev_extra(got)->added.n, 0);
	assert_int_equal(ev_extra(got)->removed.n, 0);
	evlog_free(a);
	evlog_free(b);
}

/* A DNS answer, hostile text in a record included, comes back whole. */
static void
test_dns(void **state)
{
	struct evlog		*a = timed_log(), *b = timed_log();
	const struct event	*ev, *got;
	const struct dns_answer	*d;
	struct ev_extra		*x;
	struct buf		 s = { 0 };

	(void)state;
	x = xcalloc(1, sizeof *x);
	x->dns = xcalloc(1, sizeof *x->dns);
	x->dns->name = xstrdup("bogus.example");
	x->dns->type = xstrdup("MX");
	x->dns->rcode = xstrdup("NOERROR");
	x->dns->sec = DNS_BOGUS;
	x->dns->why_bogus = xstrdup("signature crypto failed");
	x->dns->resolver = xstrdup("127.0.0.1 port 53");
	x->dns->ttl = 300;
	strv_add(&x->dns->records, "10 mx.example.");
	strv_add(&x->dns->records, "\"\x1b[31mred\x07\"");
	dns_answer_summary(x->dns, &s);
	assert_string_equal(s.p, "DNS MX bogus.example (bogus: signature "
	    "crypto failed): 10 mx.example., \"\x1b[31mred\x07\"");
	ev = add(a, EV_DNS, DIR_LOCAL, CHAN_PLAIN, EVF_SECURITY, 3000, x, s.p,
	    s.len);
	got = round_trip(a, ev, b);
	assert_same_event(ev, got);
	assert_true(ev_dns_bogus(got));
	d = ev_extra(got)->dns;
	assert_string_equal(d->name, "bogus.example");
	assert_string_equal(d->type, "MX");
	assert_string_equal(d->rcode, "NOERROR");
	assert_int_equal(d->sec, DNS_BOGUS);
	assert_string_equal(d->why_bogus, "signature crypto failed");
	assert_string_equal(d->resolver, "127.0.0.1 port 53");
	assert_null(d->error);
	assert_null(d->canon);
	assert_int_equal(d->ttl, 300);
	assert_strv_eq(&x->dns->records, &d->records);
	buf_free(&s);
	evlog_free(a);
	evlog_free(b);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"{",
		"[]",
		"42",
		"{}",
		"{\"kind\":\"data\"}",
		"{\"kind\":\"nonsense\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":0.1,\"len\":0,\"text\":\"\"}",
		"{\"kind\":\"data\",\"dir\":3,\"chan\":\"plain\",\"t\":0.1,"
		    "\"len\":0,\"text\":\"\"}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"len\":0,\"text\":\"\"}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":\"x\",\"len\":0,\"text\":\"\"}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":-1,\"len\":0,\"text\":\"\"}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":0.1,\"len\":3,\"text\":\"ab\"}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":0.1,\"text\":\"ab\"}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":0.1,\"len\":2}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":0.1,\"len\":2,\"text\":\"ab\",\"b64\":\"YWI=\"}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":0.1,\"len\":2,\"b64\":\"!!!\"}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":0.1,\"len\":2,\"b64\":7}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":0.1,\"flags\":[\"bogus\"],\"len\":0,\"text\":\"\"}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":0.1,\"flags\":\"end\",\"len\":0,\"text\":\"\"}",
		"{\"kind\":\"data\",\"kind\":\"data\",\"dir\":\"client\","
		    "\"chan\":\"plain\",\"t\":0.1,\"len\":0,\"text\":\"\"}",
		"{\"kind\":\"tls-established\",\"dir\":\"local\",\"chan\":"
		    "\"tls\",\"t\":0.1,\"len\":0,\"text\":\"\",\"tls\":[]}",
		"{\"kind\":\"tls-established\",\"dir\":\"local\",\"chan\":"
		    "\"tls\",\"t\":0.1,\"len\":0,\"text\":\"\",\"tls\":"
		    "{\"version\":\"TLS1.3\",\"chain\":[{\"subject\":\"a\"},"
		    "1]}}",
		"{\"kind\":\"tls-established\",\"dir\":\"local\",\"chan\":"
		    "\"tls\",\"t\":0.1,\"len\":0,\"text\":\"\",\"tls\":"
		    "{\"cipher\":\"x\",\"chain\":[{\"subject\":\"a\","
		    "\"not_after\":\"yesterday\"}]}}",
		"{\"kind\":\"tls-established\",\"dir\":\"local\",\"chan\":"
		    "\"tls\",\"t\":0.1,\"len\":0,\"text\":\"\",\"tls\":"
		    "{\"chain\":[{\"pin_sha256\":\"xxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "x\"}]}}",
		"{\"kind\":\"verify\",\"dir\":\"local\",\"chan\":\"tls\","
		    "\"t\":0.1,\"len\":0,\"text\":\"\",\"tls\":{\"verify\":"
		    "{\"hostname\":\"h\",\"reasons\":[\"a\",{\"b64\":"
		    "\"?\"}]}}}",
		"{\"kind\":\"verify\",\"dir\":\"local\",\"chan\":\"tls\","
		    "\"t\":0.1,\"len\":0,\"text\":\"\",\"tls\":{\"verify\":"
		    "{\"status\":-4}}}",
		"{\"kind\":\"capability-diff\",\"dir\":\"local\",\"chan\":"
		    "\"tls\",\"t\":0.1,\"len\":0,\"text\":\"\","
		    "\"added\":[\"A\"],\"removed\":\"B\"}",
		"{\"kind\":\"warning\",\"dir\":\"local\",\"chan\":\"tls\","
		    "\"t\":0.1,\"len\":0,\"text\":\"\",\"code\":5}",
		"{\"kind\":\"data\",\"dir\":\"client\",\"chan\":\"plain\","
		    "\"t\":0.1,\"len\":0,\"text\":\"\"} trailing",
	};
	struct evlog	*b = timed_log();
	char		 err[256];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (event_from_json(b, bad[i], err, sizeof err) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(evlog_count(b), 0);
	/* The messages name the problem. */
	event_from_json(b, bad[11], err, sizeof err);
	assert_string_equal(err, "\"len\" is 3 but the data has 2 bytes");
	event_from_json(b, bad[15], err, sizeof err);
	assert_string_equal(err, "\"b64\": bad base64");
	event_from_json(b, bad[5], err, sizeof err);
	assert_string_equal(err, "missing \"dir\"");
	evlog_free(b);
}

static void
test_header_trailer(void **state)
{
	struct evlog		*a = timed_log();
	struct session_opts	 so;
	struct recording_info	 info;
	char			*line, err[256], start[64];

	(void)state;
	memset(&so, 0, sizeof so);
	memset(&info, 0, sizeof info);
	assert_int_equal(target_parse("imap://127.0.0.1:1143", &so.target,
	    err, sizeof err), 0);
	so.starttls = true;
	so.ehlo = "client.test";
	evlog_set_wall_base(a, 1763820000123456000LL);
	line = recording_header_json(a, &so);
	assert_non_null(strstr(line, "{\"mailscope\":\"recording\","
	    "\"kind\":\"header\",\"format\":4,\"version\":\""
	    MAILSCOPE_VERSION "\","));
	assert_non_null(strstr(line, "\"redacted\":true"));
	assert_int_equal(recording_parse_line(a, line, &info, err,
	    sizeof err), REC_HEADER);
	free(line);
	assert_string_equal(info.target, "imap://127.0.0.1:1143");
	assert_string_equal(info.version, MAILSCOPE_VERSION);
	assert_int_equal(info.start, 1763820000123456000LL);
	assert_true(info.redacted);
	assert_non_null(strstr(info.options, "\"starttls\":true"));
	assert_non_null(strstr(info.options, "\"ehlo\":\"client.test\""));
	format_wall(info.start, start, sizeof start);
	assert_string_equal(start, "2025-11-22T14:00:00.123456Z");
	assert_false(info.ended);

	add(a, EV_INFO, DIR_LOCAL, CHAN_PLAIN, 0, 1000, NULL, "x", 1);
	line = recording_trailer_json(a, "server closed", 4);
	assert_non_null(strstr(line, "{\"kind\":\"trailer\",\"end\":"));
	assert_non_null(strstr(line, "\"events\":1,\"exit\":4}"));
	assert_int_equal(recording_parse_line(a, line, &info, err,
	    sizeof err), REC_TRAILER);
	free(line);
	assert_true(info.ended);
	assert_string_equal(info.reason, "server closed");
	assert_int_equal(info.events, 1);
	assert_true(info.end >= info.start);
	assert_true(info.has_exit);
	assert_int_equal(info.exit, 4);
	/* A copy of it says the same. */
	line = recording_info_trailer_json(&info, 1);
	assert_non_null(strstr(line, "\"exit\":4}"));
	free(line);
	/* No exit code yet (:record stopped while the session goes on). */
	line = recording_trailer_json(a, "quit", -1);
	assert_null(strstr(line, "\"exit\""));
	assert_int_equal(recording_parse_line(a, line, &info, err,
	    sizeof err), REC_TRAILER);
	assert_false(info.has_exit);
	free(line);
	/* Format 2's trailer, without a kind, still reads. */
	assert_int_equal(recording_parse_line(a, "{\"end\":"
	    "\"2025-11-22T14:00:01Z\",\"reason\":\"quit\",\"events\":1}",
	    &info, err, sizeof err), REC_TRAILER);
	assert_int_equal(recording_parse_line(a, "{\"kind\":\"trailer\","
	    "\"end\":\"2025-11-22T14:00:01Z\",\"events\":1,\"exit\":256}",
	    &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "exit"));

	/* --no-redact is written down. */
	so.no_redact = true;
	line = recording_header_json(a, &so);
	assert_int_equal(recording_parse_line(a, line, &info, err,
	    sizeof err), REC_HEADER);
	assert_false(info.redacted);
	free(line);

	/* Wrong format and missing fields are refused. */
	assert_int_equal(recording_parse_line(a, "{\"mailscope\":\"recording\","
	    "\"format\":5,\"redacted\":true}", &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "format 5"));
	assert_int_equal(recording_parse_line(a, "{\"mailscope\":\"recording\","
	    "\"format\":0,\"redacted\":true}", &info, err, sizeof err), -1);
	assert_int_equal(recording_parse_line(a, "{\"mailscope\":\"other\"}",
	    &info, err, sizeof err), -1);
	assert_int_equal(recording_parse_line(a, "{\"mailscope\":\"recording\","
	    "\"format\":1,\"redacted\":true,\"start\":\"now\"}", &info, err,
	    sizeof err), -1);
	assert_int_equal(recording_parse_line(a, "{\"end\":\"x\","
	    "\"events\":1}", &info, err, sizeof err), -1);
	/* A date past 2262 does not fit in nanoseconds: refused, not
	 * overflowed (found by fuzz_recording). */
	assert_int_equal(recording_parse_line(a, "{\"mailscope\":\"recording\","
	    "\"format\":1,\"redacted\":true,\"start\":"
	    "\"6684-01-01T00:00:00Z\"}", &info, err, sizeof err), -1);
	assert_int_equal(recording_parse_line(a, "{\"end\":"
	    "\"9999-12-31T23:59:59.999999Z\",\"events\":1}", &info, err,
	    sizeof err), -1);
	recording_info_free(&info);
	target_free(&so.target);
	evlog_free(a);
}

/* A certificate key of format 1 and 2, one string, gives its fields. */
static void
test_old_key(void **state)
{
	static const struct {
		const char	*json, *type, *curve, *shown;
		unsigned	 bits;
	} t[] = {
		{ "\"key\":\"RSA 2048\"", "RSA", NULL, "RSA 2048", 2048 },
		{ "\"key\":\"ECDSA SECP384R1\"", "ECDSA", "SECP384R1",
		    "ECDSA SECP384R1", 0 },
		{ "\"key\":\"EdDSA (Ed25519)\"", "EdDSA (Ed25519)", NULL,
		    "EdDSA (Ed25519)", 0 },
		{ "\"key_type\":\"ECDSA\",\"key_bits\":384,"
		    "\"key_curve\":\"SECP384R1\"", "ECDSA", "SECP384R1",
		    "ECDSA SECP384R1", 384 },
	};
	struct evlog		*log = timed_log();
	const struct tls_cert	*c;
	char			 line[512], err[256];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(line, sizeof line, "{\"seq\":0,\"t\":0.1,"
		    "\"kind\":\"verify\",\"dir\":\"local\",\"chan\":\"tls\","
		    "\"len\":0,\"text\":\"\",\"tls\":{\"chain\":[{%s}]}}",
		    t[i].json);
		assert_int_equal(event_from_json(log, line, err, sizeof err),
		    0);
		c = &ev_extra(evlog_at(log, i))->tls->chain[0];
		assert_string_equal(c->key_type, t[i].type);
		assert_str_eq(c->key_curve, t[i].curve);
		assert_string_equal(c->key, t[i].shown);
		assert_int_equal(c->key_bits, t[i].bits);
	}
	assert_int_equal(event_from_json(log, "{\"seq\":0,\"t\":0.1,"
	    "\"kind\":\"verify\",\"dir\":\"local\",\"chan\":\"tls\","
	    "\"len\":0,\"text\":\"\",\"tls\":{\"chain\":[{\"key_bits\":"
	    "\"2048\"}]}}", err, sizeof err), -1);
	assert_non_null(strstr(err, "key_bits"));
	evlog_free(log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_every_byte_everywhere),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_offer_words),
		cmocka_unit_test(test_capdiff),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_header_trailer),
		cmocka_unit_test(test_old_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
