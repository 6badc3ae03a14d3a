/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the words of DNS records (dns_rdata_text): what every
 * view shows of an answer, from wire-format rdata as libunbound gives it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/core.h"

static void
check(int type, const char *rdata, size_t len, const char *want)
{
	struct buf	b = { 0 };

	dns_rdata_text(type, (const unsigned char *)rdata, len, &b);
	assert_string_equal(b.p != NULL ? b.p : "", want);
	buf_free(&b);
}

static void
test_rdata_text(void **state)
{
	(void)state;
	check(DNS_T_A, "\xc0\x00\x02\x19", 4, "192.0.2.25");
	check(DNS_T_AAAA, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16,
	    "2001:db8::1");
	check(DNS_T_MX, "\x00\x0a\x02mx\x07" "example\x03org\x00", 18,
	    "10 mx.example.org.");
	/* The null MX of RFC 7505. */
	check(DNS_T_MX, "\x00\x00\x00", 3, "0 .");
	/* A dot, a backslash and a control byte inside a label. */
	check(DNS_T_CNAME, "\x04" "a.b\x1b\x02\\x\x00", 9, "a\\.b\\027.\\\\x.");
	check(DNS_T_TLSA, "\x03\x01\x01\xab\xcd", 5, "3 1 1 abcd");
	/* Text as sent, but for the quote, the backslash and NUL. */
	check(DNS_T_TXT, "\x05v=a\"\\\x04\x1b[1m", 11,
	    "\"v=a\\\"\\\\\" \"\x1b[1m\"");
	check(DNS_T_TXT, "\x02\0x", 3, "\"\\000x\"");
	check(DNS_T_TXT, "", 0, "");
}

/* Malformed or unknown: RFC 3597's generic form, never a read past the
 * end. */
static void
test_rdata_generic(void **state)
{
	(void)state;
	check(DNS_T_A, "\x01\x02\x03", 3, "\\# 3 010203");
	check(DNS_T_MX, "\x00\x0a\x05mx", 5, "\\# 5 000a056d78");
	check(DNS_T_MX, "\x00\x0a\x02mx\x00\xff", 7, "\\# 7 000a026d7800ff");
	check(DNS_T_TXT, "\x05" "ab", 3, "\\# 3 056162");
	check(DNS_T_TLSA, "\x03\x01", 2, "\\# 2 0301");
	check(99, "\xff\x00", 2, "\\# 2 ff00");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rdata_text),
		cmocka_unit_test(test_rdata_generic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
