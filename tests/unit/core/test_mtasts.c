/* SPDX-License-Identifier: ISC */
/*
 * mtasts.c: the _mta-sts and _smtp._tls records, the policy parser
 * (RFC 8461 3.2) with hostile input (control bytes, NUL, huge lines,
 * thousands of mx lines, binary), the mx patterns (RFC 8461 4.1) and
 * the verdict on a connection's facts, and the facts' copy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"

static int
parse(const char *text, struct sts_policy *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	return sts_policy_parse(text, strlen(text), p, err, errlen);
}

static void
test_record(void **state)
{
	char	*id, err[256];

	(void)state;
	assert_int_equal(sts_record_parse("v=STSv1; id=20160831085700Z;",
	    &id, err, sizeof err), 0);
	assert_string_equal(id, "20160831085700Z");
	free(id);
	assert_int_equal(sts_record_parse("v=STSv1;id=abc", &id, err,
	    sizeof err), 0);
	assert_string_equal(id, "abc");
	free(id);
	/* An extension field is allowed; the id may come after it. */
	assert_int_equal(sts_record_parse("v=STSv1; ext=1.2; id=x1 ;", &id,
	    err, sizeof err), 0);
	assert_string_equal(id, "x1");
	free(id);
	assert_int_equal(sts_record_parse("v=STSv1;", &id, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "no id"));
	assert_int_equal(sts_record_parse("v=STSv1; id=a-b;", &id, err,
	    sizeof err), -1);
	assert_int_equal(sts_record_parse("v=STSv1; id=a; id=b", &id, err,
	    sizeof err), -1);
	assert_int_equal(sts_record_parse("v=STSv1; id=\033[31m", &id, err,
	    sizeof err), -1);
	assert_int_equal(sts_record_parse("v=STSv1; id="
	    "123456789012345678901234567890123", &id, err, sizeof err), -1);
	assert_int_equal(sts_record_parse("v=STSv2; id=a", &id, err,
	    sizeof err), -1);
	assert_null(id);
}

static void
test_tlsrpt(void **state)
{
	char	*rua, err[256];

	(void)state;
	assert_int_equal(tlsrpt_record_parse("v=TLSRPTv1; rua=mailto:r@x.org",
	    &rua, err, sizeof err), 0);
	assert_string_equal(rua, "mailto:r@x.org");
	free(rua);
	assert_int_equal(tlsrpt_record_parse("v=TLSRPTv1;rua=mailto:a@b,"
	    "https://r.example/x ; ext=1", &rua, err, sizeof err), 0);
	assert_string_equal(rua, "mailto:a@b,https://r.example/x");
	free(rua);
	assert_int_equal(tlsrpt_record_parse("v=TLSRPTv1;", &rua, err,
	    sizeof err), -1);
	assert_int_equal(tlsrpt_record_parse("v=TLSRPTv1; rua=a; rua=b",
	    &rua, err, sizeof err), -1);
	assert_null(rua);
}

/* Several records, one of them ours: RFC 8461 3.1's selection. */
static void
test_pick(void **state)
{
	unsigned char		 r1[] = "\x10v=STSv1; id=one;";
	unsigned char		 r2[] = "\x0bspf1 other.";
	unsigned char		 r3[] = "\x08v=STSv1;\x07 id=two";
	unsigned char		*rd[3];
	size_t			 rl[3];
	struct dns_result	 r;
	char			*id, err[256];

	(void)state;
	memset(&r, 0, sizeof r);
	rd[0] = r1;
	rl[0] = sizeof r1 - 1;
	rd[1] = r2;
	rl[1] = sizeof r2 - 1;
	rd[2] = r3;
	rl[2] = sizeof r3 - 1;
	r.rdata = rd;
	r.rdlen = rl;
	r.n = 2;
	assert_int_equal(sts_txt_pick(&r, "v=STSv1", sts_record_parse, &id,
	    err, sizeof err), 1);
	assert_string_equal(id, "one");
	free(id);
	/* Strings of one record are joined. */
	rd[0] = r3;
	rl[0] = sizeof r3 - 1;
	r.n = 1;
	assert_int_equal(sts_txt_pick(&r, "v=STSv1", sts_record_parse, &id,
	    err, sizeof err), 1);
	assert_string_equal(id, "two");
	free(id);
	/* Two records: none. */
	rd[0] = r1;
	rl[0] = sizeof r1 - 1;
	r.n = 3;
	assert_int_equal(sts_txt_pick(&r, "v=STSv1", sts_record_parse, &id,
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "2 records"));
	assert_null(id);
	r.n = 0;
	assert_int_equal(sts_txt_pick(&r, "v=STSv1", sts_record_parse, &id,
	    err, sizeof err), 0);
}

static void
test_policy(void **state)
{
	struct sts_policy	p;
	char			err[256];

	(void)state;
	assert_int_equal(parse("version: STSv1\r\nmode: enforce\r\n"
	    "mx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
	    &p, err, sizeof err), 0);
	assert_int_equal(p.mode, STS_ENFORCE);
	assert_int_equal(p.max_age, 604800);
	assert_int_equal(p.mx.n, 2);
	assert_string_equal(p.mx.v[1], "*.example.net");
	sts_policy_clear(&p);
	/* LF alone, blanks, no final line end, unknown keys ignored. */
	assert_int_equal(parse("version:STSv1\nmode:  testing \nx-new: what"
	    "ever\nmx: a.example\nmax_age: 0", &p, err, sizeof err), 0);
	assert_int_equal(p.mode, STS_TESTING);
	assert_int_equal(p.max_age, 0);
	sts_policy_clear(&p);
	/* Mode none needs no mx. */
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 1\n", &p,
	    err, sizeof err), 0);
	sts_policy_clear(&p);
	assert_int_equal(parse("version: STSv1\nmode: enforce\nmax_age: 1\n",
	    &p, err, sizeof err), -1);
	assert_non_null(strstr(err, "no mx"));
	sts_policy_clear(&p);
	assert_int_equal(parse("version: STSv1\nmode: enforce\nmx: a.b\n"
	    "max_age: 31557601\n", &p, err, sizeof err), -1);
	assert_non_null(strstr(err, "line 4"));
	sts_policy_clear(&p);
	assert_int_equal(parse("version: STSv2\nmode: enforce\nmx: a.b\n"
	    "max_age: 1\n", &p, err, sizeof err), -1);
	sts_policy_clear(&p);
	assert_int_equal(parse("version: STSv1\nmode: strict\nmx: a.b\n"
	    "max_age: 1\n", &p, err, sizeof err), -1);
	sts_policy_clear(&p);
	assert_int_equal(parse("version: STSv1\nmode: enforce\nmode: none\n"
	    "mx: a.b\nmax_age: 1\n", &p, err, sizeof err), -1);
	sts_policy_clear(&p);
	assert_int_equal(parse("version: STSv1\nmode: enforce\nmx: a.b\n",
	    &p, err, sizeof err), -1);
	assert_non_null(strstr(err, "max_age"));
	sts_policy_clear(&p);
	assert_int_equal(parse("version: STSv1\nmode: enforce\nmx: a..b\n"
	    "max_age: 1\n", &p, err, sizeof err), -1);
	sts_policy_clear(&p);
	assert_int_equal(parse("version: STSv1\nmode: enforce\nmx: *\n"
	    "max_age: 1\n", &p, err, sizeof err), -1);
	sts_policy_clear(&p);
	assert_int_equal(parse("<html>not a policy</html>\n", &p, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "line 1"));
	sts_policy_clear(&p);
}

/* What a hostile server sends: a clear error, memory bounded, no byte
 * of it in the message. */
static void
test_hostile(void **state)
{
	struct sts_policy	 p;
	struct buf		 b = { 0 };
	char			 err[256];
	size_t			 i;

	(void)state;
	memset(&p, 0, sizeof p);
	assert_int_equal(parse("version: STSv1\nmode: enforce\nmx: a\033[2J.b"
	    "\nmax_age: 1\n", &p, err, sizeof err), -1);
	assert_non_null(strstr(err, "control byte (0x1b)"));
	assert_null(strchr(err, '\033'));
	sts_policy_clear(&p);
	assert_int_equal(sts_policy_parse("version: STSv1\n\0mode: none\n",
	    26, &p, err, sizeof err), -1);
	assert_non_null(strstr(err, "NUL"));
	sts_policy_clear(&p);
	/* One huge line. */
	buf_adds(&b, "version: STSv1\nmode: enforce\nmax_age: 1\nmx: ");
	for (i = 0; i < 60000; i++)
		buf_addc(&b, 'a');
	assert_int_equal(sts_policy_parse(b.p, b.len, &p, err, sizeof err),
	    -1);
	assert_true(strlen(err) < 100);
	sts_policy_clear(&p);
	/* Over the limit: refused before it is read. */
	for (i = 0; i < 10000; i++)
		buf_adds(&b, "a");
	assert_int_equal(sts_policy_parse(b.p, b.len, &p, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "larger than 65536"));
	sts_policy_clear(&p);
	/* Thousands of mx lines within the limit: all parsed. */
	buf_reset(&b);
	buf_adds(&b, "version: STSv1\nmode: testing\nmax_age: 86400\n");
	for (i = 0; i < 3000; i++)
		buf_printf(&b, "mx: m%04zu.example\n", i);
	assert_true(b.len <= STS_POLICY_MAX);
	assert_int_equal(sts_policy_parse(b.p, b.len, &p, err, sizeof err),
	    0);
	assert_int_equal(p.mx.n, 3000);
	buf_reset(&b);
	sts_policy_summary(&p, &b);
	assert_non_null(strstr(b.p, "and 2968 more"));
	sts_policy_clear(&p);
	/* Binary. */
	buf_reset(&b);
	for (i = 0; i < 4096; i++)
		buf_addc(&b, (char)(i * 7 + 1));
	assert_int_equal(sts_policy_parse(b.p, b.len, &p, err, sizeof err),
	    -1);
	sts_policy_clear(&p);
	buf_free(&b);
}

static void
test_match(void **state)
{
	(void)state;
	assert_true(sts_mx_match("mail.example.com", "mail.example.com"));
	assert_true(sts_mx_match("mail.example.com", "MAIL.Example.COM."));
	assert_true(sts_mx_match("*.example.com", "mx1.example.com"));
	/* The wildcard is one left-most label, no more, no less. */
	assert_false(sts_mx_match("*.example.com", "a.mx1.example.com"));
	assert_false(sts_mx_match("*.example.com", "example.com"));
	assert_false(sts_mx_match("*.example.com", ".example.com"));
	assert_false(sts_mx_match("*.example.com", "mx1.example.co"));
	assert_false(sts_mx_match("mail.example.com", "mail.example.com.evil"));
	assert_false(sts_mx_match("example.com", "mail.example.com"));
}

static struct tls_facts *
facts(bool pkix)
{
	struct tls_facts	*f;

	f = xcalloc(1, sizeof *f);
	f->verify.checked = true;
	f->verify.ok = pkix;
	if (!pkix)
		strv_add(&f->verify.reasons, "the certificate has expired");
	return f;
}

static void
test_verdict(void **state)
{
	struct sts_policy	 p;
	struct tls_facts	*f, *g;
	char			 err[256];

	(void)state;
	assert_int_equal(parse("version: STSv1\nmode: enforce\nmx: *.example."
	    "com\nmax_age: 86400\n", &p, err, sizeof err), 0);
	p.present = true;
	p.tlsrpt = xstrdup("mailto:r@example.com");
	f = facts(true);
	sts_verdict(&p, "mx1.example.com", f);
	assert_true(f->sts.checked);
	assert_true(f->sts.ok);
	assert_false(f->sts.fails);
	assert_string_equal(f->sts.verdict, "MTA-STS: enforce, "
	    "mx1.example.com matches *.example.com, certificate valid: pass");
	assert_string_equal(f->sts.tlsrpt, "mailto:r@example.com");
	g = tls_facts_dup(f);
	tls_facts_free(f);
	assert_string_equal(g->sts.matched, "*.example.com");
	assert_string_equal(g->sts.mx.v[0], "*.example.com");
	tls_facts_free(g);
	/* Enforce: a host the policy does not name fails. */
	f = facts(true);
	sts_verdict(&p, "mx.other.org", f);
	assert_true(f->sts.fails);
	assert_non_null(strstr(f->sts.verdict, "matches no mx pattern"));
	tls_facts_free(f);
	/* ... and a certificate that is not valid. */
	f = facts(false);
	sts_verdict(&p, "mx1.example.com", f);
	assert_true(f->sts.fails);
	assert_non_null(strstr(f->sts.verdict, "certificate NOT valid for "
	    "mx1.example.com (the certificate has expired)"));
	tls_facts_free(f);
	/* DANE takes precedence: judged, never enforced. */
	f = facts(true);
	f->dane.checked = f->dane.usable = f->dane.ok = true;
	sts_verdict(&p, "mx.other.org", f);
	assert_false(f->sts.fails);
	assert_non_null(strstr(f->sts.verdict, "DANE applies"));
	tls_facts_free(f);
	/* Testing: a warning, no stop. */
	p.mode = STS_TESTING;
	f = facts(true);
	sts_verdict(&p, "mx.other.org", f);
	assert_false(f->sts.fails);
	assert_false(f->sts.ok);
	assert_non_null(strstr(f->sts.verdict, "testing"));
	tls_facts_free(f);
	/* Unavailable: said, nothing enforced. */
	p.unavailable = xstrdup("HTTP 404");
	f = facts(true);
	sts_verdict(&p, "mx.other.org", f);
	assert_false(f->sts.fails);
	assert_non_null(strstr(f->sts.verdict, "unavailable: HTTP 404"));
	tls_facts_free(f);
	sts_policy_clear(&p);
}

static void
test_load(void **state)
{
	struct sts_policy	 p;
	char			 path[] = "/tmp/mailscope-sts-XXXXXX", err[512];
	int			 fd;

	(void)state;
	memset(&p, 0, sizeof p);
	assert_true((fd = mkstemp(path)) != -1);
	assert_true(write(fd, "version: STSv1\nmode: none\nmax_age: 5\n", 37)
	    == 37);
	close(fd);
	assert_int_equal(sts_policy_load(path, &p, err, sizeof err), 0);
	assert_true(p.present);
	assert_int_equal(p.mode, STS_NONE);
	assert_non_null(strstr(p.source, path));
	sts_policy_clear(&p);
	unlink(path);
	assert_int_equal(sts_policy_load(path, &p, err, sizeof err), -1);
	assert_non_null(strstr(err, "No such file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_tlsrpt),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
