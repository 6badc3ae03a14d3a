/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for targets (URLs) and capability lists that offer a
 * credential.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/core.h"

static void
test_target_defaults(void **state)
{
	static const struct {
		const char	*url;
		const char	*host;
		const char	*port;
		enum proto_id	 proto;
		bool		 tls;
	} cases[] = {
		{ "smtp://mail.example.org", "mail.example.org", "25",
		    PROTO_SMTP, false },
		{ "submission://m", "m", "587", PROTO_SMTP, false },
		{ "smtps://m", "m", "465", PROTO_SMTP, true },
		{ "lmtp://m", "m", "24", PROTO_LMTP, false },
		{ "imap://m", "m", "143", PROTO_IMAP, false },
		{ "imaps://m", "m", "993", PROTO_IMAP, true },
		{ "sieve://m", "m", "4190", PROTO_SIEVE, false },
		{ "pop3://m", "m", "110", PROTO_POP3, false },
		{ "pop3s://m/", "m", "995", PROTO_POP3, true },
		{ "SMTP://127.0.0.1:2525", "127.0.0.1", "2525", PROTO_SMTP,
		    false },
		{ "imap://[::1]:1143", "::1", "1143", PROTO_IMAP, false },
		{ "pop3s://[fe80::1]", "fe80::1", "995", PROTO_POP3, true },
		{ "smtp://[fe80::1%lo]:25", "fe80::1%lo", "25", PROTO_SMTP,
		    false },
		{ "mx://example.org", "example.org", "25", PROTO_SMTP, false },
		{ "MX://example.org:2525", "example.org", "2525", PROTO_SMTP,
		    false },
	};
	struct target	t;
	char		err[256];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(target_parse(cases[i].url, &t, err,
		    sizeof err), 0);
		assert_string_equal(t.host, cases[i].host);
		assert_string_equal(t.port, cases[i].port);
		assert_int_equal(t.proto, cases[i].proto);
		assert_int_equal(t.implicit_tls, cases[i].tls);
		/* Only mx:// names a mail domain. */
		assert_int_equal(t.mx, strncasecmp(cases[i].url, "mx:", 3) ==
		    0);
		target_free(&t);
	}
}

static void
test_target_errors(void **state)
{
	static const struct {
		const char	*url;
		const char	*says;
	} cases[] = {
		{ "mail.example.org", "not a URL" },
		{ "http://x", "unknown scheme 'http'" },
		{ "smtp://", "missing host" },
		{ "smtp://:25", "missing host" },
		{ "smtp://h:0", "bad port '0'" },
		{ "smtp://h:65536", "bad port '65536'" },
		{ "smtp://h:2x", "bad port '2x'" },
		{ "smtp://h:", "empty port" },
		{ "smtp://[::1", "unterminated IPv6" },
		{ "smtp://[::1]x", "after IPv6 literal" },
		{ "smtp://::1:25", "must be in brackets" },
		{ "smtp://u@h", "unexpected path, user, query or fragment" },
		{ "smtp://h/path", "unexpected path, user, query or fragment" },
		{ "smtp://h#frag", "unexpected path, user, query or fragment" },
		{ "smtp://[zz]:25", "'zz' in brackets is not an IPv6 address" },
		{ "smtp://[127.0.0.1]", "not an IPv6 address" },
		{ "smtp://[::1%]", "not an IPv6 address" },
		{ "smtp://h\x1b[2J", "bad character" },
		{ "mx://[::1]", "mx:// takes a mail domain, not an address" },
		{ "mx://d/x", "unexpected path" },
	};
	struct target	t;
	char		err[256];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		assert_int_equal(target_parse(cases[i].url, &t, err,
		    sizeof err), -1);
		if (strstr(err, cases[i].says) == NULL)
			fail_msg("%s: got '%s'", cases[i].url, err);
	}
}

/* openssl's host:port: the URL whose scheme has that port. */
static void
test_target_suggest(void **state)
{
	struct target	t;
	char		out[128], err[256];

	(void)state;
	assert_int_equal(target_suggest("mail.example.org:587", out,
	    sizeof out), 0);
	assert_string_equal(out, "submission://mail.example.org:587");
	assert_int_equal(target_suggest("h:25", out, sizeof out), 0);
	assert_string_equal(out, "smtp://h:25");
	assert_int_equal(target_suggest("[::1]:995", out, sizeof out), 0);
	assert_string_equal(out, "pop3s://[::1]:995");
	assert_int_equal(target_suggest("h:4190", out, sizeof out), 0);
	assert_string_equal(out, "sieve://h:4190");
	/* No scheme has it, no port, a bare IPv6 address, a path. */
	assert_int_equal(target_suggest("h:2525", out, sizeof out), -1);
	assert_int_equal(target_suggest("h", out, sizeof out), -1);
	assert_int_equal(target_suggest("::1:25", out, sizeof out), -1);
	assert_int_equal(target_suggest(":25", out, sizeof out), -1);
	assert_int_equal(target_suggest("h/x:25", out, sizeof out), -1);
	assert_int_equal(target_parse("h.test:993", &t, err, sizeof err), -1);
	assert_string_equal(err, "'h.test:993' is not a URL; did you mean "
	    "imaps://h.test:993 ?");
	assert_string_equal(target_scheme(0), "smtp");
	assert_string_equal(target_scheme(8), "sieve");
	assert_string_equal(target_scheme(10), "lmtp+unix");
	assert_null(target_scheme(11));
}

static void
test_target_string(void **state)
{
	struct target	t;
	char		err[64], *s;

	(void)state;
	assert_int_equal(target_parse("imaps://[::1]", &t, err, sizeof err),
	    0);
	s = target_string(&t);
	assert_string_equal(s, "imaps://[::1]:993");
	free(s);
	target_free(&t);
}

/* --dns ADDR[:PORT]: what libunbound is told, and the words for it. */
static void
test_dns_server(void **state)
{
	static const struct {
		const char	*arg;
		const char	*ub;	/* NULL: refused */
	} cases[] = {
		{ "127.0.0.1", "127.0.0.1@53" },
		{ "127.0.0.1:5353", "127.0.0.1@5353" },
		{ "::1", "::1@53" },
		{ "[::1]:5353", "::1@5353" },
		{ "[::1]", "::1@53" },
		{ "localhost", NULL },
		{ "127.0.0.1:0", NULL },
		{ "127.0.0.1:65536", NULL },
		{ "127.0.0.1:", NULL },
		{ "[::1]x", NULL },
		{ "[127.0.0.1", NULL },
		{ "", NULL },
	};
	char	err[256], *ub, *words;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		if (cases[i].ub == NULL) {
			assert_int_equal(dns_server_parse(cases[i].arg, &ub,
			    &words, err, sizeof err), -1);
			assert_non_null(strstr(err, "bad --dns"));
			continue;
		}
		assert_int_equal(dns_server_parse(cases[i].arg, &ub, &words,
		    err, sizeof err), 0);
		assert_string_equal(ub, cases[i].ub);
		assert_non_null(strstr(words, " port "));
		free(ub);
		free(words);
	}
}

/* EXTERNAL's credential is the TLS client certificate: no password. */
static void
test_offers_credentials(void **state)
{
	static const struct {
		const char	*cap;
		const char	*word;
		bool		 secret;
	} t[] = {
		{ "AUTH EXTERNAL", "AUTH", false },
		{ "AUTH=EXTERNAL", "AUTH", false },
		{ "auth external", "AUTH", false },
		{ "SASL EXTERNAL", "SASL", false },
		{ "AUTH EXTERNAL PLAIN", "AUTH", true },
		{ "AUTH=LOGIN", "AUTH", true },
		{ "SASL PLAIN", "SASL", true },
		{ "AUTH", "AUTH", true },
		{ "AUTHX PLAIN", "AUTH", false },
		{ "AUTH EXTERNALS", "AUTH", true },
		{ "8BITMIME", "AUTH", false },
	};
	struct strv	sv = { 0 };
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		strv_add(&sv, t[i].cap);
		if (strv_offers_credentials(&sv, t[i].word) != t[i].secret)
			fail_msg("%s: %s", t[i].cap, t[i].secret ?
			    "a credential missed" : "no credential there");
		strv_clear(&sv);
	}
}

/* lmtp+unix:///PATH, and IDN names in both forms. */
static void
test_target_paths(void **state)
{
	struct target	t;
	char		err[256], *u;

	(void)state;
	assert_int_equal(target_parse("lmtp+unix:///run/dovecot/lmtp", &t,
	    err, sizeof err), 0);
	assert_string_equal(t.unix_path, "/run/dovecot/lmtp");
	assert_int_equal(t.proto, PROTO_LMTP);
	u = target_string(&t);
	assert_string_equal(u, "lmtp+unix:///run/dovecot/lmtp");
	free(u);
	target_free(&t);
	assert_int_equal(target_parse("lmtp+unix://run/lmtp", &t, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "absolute path"));

	assert_int_equal(target_parse("smtp://b\xc3\xbc" "cher.example:2525",
	    &t, err, sizeof err), 0);
	assert_string_equal(t.host, "xn--bcher-kva.example");
	assert_string_equal(t.host_u, "b\xc3\xbc" "cher.example");
	assert_string_equal(t.port, "2525");
	target_free(&t);
	assert_int_equal(target_parse("smtp://xn--bcher-kva.example", &t,
	    err, sizeof err), 0);
	assert_string_equal(t.host_u, "b\xc3\xbc" "cher.example");
	target_free(&t);
	assert_int_equal(target_parse("smtp://mail.example", &t, err,
	    sizeof err), 0);
	assert_null(t.host_u);
	target_free(&t);
	/* A bidi control has no IDNA2008 form. */
	assert_int_equal(target_parse("smtp://a\xe2\x80\xae" "b.example", &t,
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "no IDNA2008 form"));
}

/* --proxy's URL and the PROXY header's addresses. */
static void
test_proxy_parse(void **state)
{
	struct proxy		px;
	struct sockaddr_storage	ss;
	char			err[256];

	(void)state;
	assert_int_equal(proxy_parse("socks5://127.0.0.1", &px, err,
	    sizeof err), 0);
	assert_string_equal(px.host, "127.0.0.1");
	assert_string_equal(px.port, "1080");
	assert_null(px.user);
	assert_false(px.remote_dns);
	proxy_clear(&px);
	assert_int_equal(proxy_parse("socks5h://u%40x:p%3Aw@[::1]:9050", &px,
	    err, sizeof err), 0);
	assert_string_equal(px.host, "::1");
	assert_string_equal(px.port, "9050");
	assert_string_equal(px.user, "u@x");
	assert_string_equal(px.pass, "p:w");
	assert_true(px.remote_dns);
	proxy_clear(&px);
	assert_int_equal(proxy_parse("http://proxy:3128", &px, err,
	    sizeof err), -1);
	assert_int_equal(proxy_parse("socks5://u:%zz@h", &px, err,
	    sizeof err), -1);
	assert_int_equal(proxy_parse("socks5://:pw@h", &px, err,
	    sizeof err), -1);
	assert_int_equal(proxy_parse("socks5://h:0", &px, err, sizeof err),
	    -1);

	assert_int_equal(path_addr_parse("192.0.2.1:25", &ss, err,
	    sizeof err), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(path_addr_parse("[2001:db8::1]:25", &ss, err,
	    sizeof err), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(path_addr_parse("192.0.2.1", &ss, err, sizeof err),
	    -1);
	assert_int_equal(path_addr_parse("mail.test:25", &ss, err,
	    sizeof err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_defaults),
		cmocka_unit_test(test_target_errors),
		cmocka_unit_test(test_target_suggest),
		cmocka_unit_test(test_target_string),
		cmocka_unit_test(test_target_paths),
		cmocka_unit_test(test_proxy_parse),
		cmocka_unit_test(test_dns_server),
		cmocka_unit_test(test_offers_credentials),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
