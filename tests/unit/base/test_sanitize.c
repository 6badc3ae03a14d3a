/* SPDX-License-Identifier: ISC */
/*
 * sanitize.c: every byte class, terminal attack sequences, and a property
 * test over random bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

/* Sanitize a string literal of known length; the result is static. */
static const char *
san(const char *in, size_t len, size_t *nesc)
{
	static struct buf	out;
	size_t			n;

	buf_free(&out);
	n = sanitize(in, len, &out);
	if (nesc != NULL)
		*nesc = n;
	return out.p;
}

#define SAN(lit)	san((lit), sizeof(lit) - 1, NULL)

static void
check(const char *in, size_t len, const char *want, size_t want_esc)
{
	size_t		 n;
	const char	*got = san(in, len, &n);

	assert_string_equal(got, want);
	assert_int_equal(n, want_esc);
}

#define CHECK(lit, want, nesc)	check((lit), sizeof(lit) - 1, (want), (nesc))

/* Strict validator, independent of sanitize.c. */
static bool
valid_utf8(const unsigned char *p, size_t len)
{
	size_t		i = 0, n, k;
	uint32_t	cp, min;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 2;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 3;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 4;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return false;
		if (i + n > len)
			return false;
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if (cp >= 0x80 && cp <= 0x9f)	/* C1 */
			return false;
		i += n;
	}
	return true;
}

static void
assert_safe(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		assert_true(c >= 0x20 || c == '\t');
		assert_true(c != 0x7f);
	}
	assert_true(valid_utf8((const unsigned char *)s, len));
}

static void
test_plain(void **state)
{
	(void)state;
	CHECK("", "", 0);
	CHECK("250-mail.test Hello", "250-mail.test Hello", 0);
	CHECK("a\tb", "a\tb", 0);
	CHECK("C:\\path\\x41", "C:\\path\\x41", 0);
	CHECK("gr\xc3\xbc\xc3\x9f dich", "gr\xc3\xbc\xc3\x9f dich", 0);
	/* Wide CJK and astral characters pass. */
	CHECK("\xe9\x82\xae\xe4\xbb\xb6 \xf0\x9f\x93\xa7",
	    "\xe9\x82\xae\xe4\xbb\xb6 \xf0\x9f\x93\xa7", 0);
	/* Highest valid code points on each boundary. */
	CHECK("\xdf\xbf\xef\xbf\xbd\xf4\x8f\xbf\xbf",
	    "\xdf\xbf\xef\xbf\xbd\xf4\x8f\xbf\xbf", 0);
}

static void
test_c0(void **state)
{
	(void)state;
	CHECK("a\0b", "a\\0b", 1);
	CHECK("\x1b", "\\e", 1);
	CHECK("x\r\n", "x\\r\\n", 2);
	CHECK("\x01\x07\x1f", "\\x01\\x07\\x1f", 3);
	CHECK("\x7f", "\\x7f", 1);
	/* BS, CR, VT, FF cannot move the cursor to hide text. */
	CHECK("secret\b\b\b\b\b\bpublic", "secret\\x08\\x08\\x08\\x08\\x08"
	    "\\x08public", 6);
	CHECK("evil\rgood", "evil\\rgood", 1);
	CHECK("a\vb\fc", "a\\x0bb\\x0cc", 2);
}

static void
test_escape_sequences(void **state)
{
	(void)state;
	CHECK("+OK \x1b[31;1;4mPOP3\x1b[0m",
	    "+OK \\e[31;1;4mPOP3\\e[0m", 2);
	CHECK("\x1b[2J\x1b[H", "\\e[2J\\e[H", 2);
	/* Window title, OSC 0 and 2, BEL terminated. */
	CHECK("\x1b]0;pwned\x07", "\\e]0;pwned\\x07", 2);
	CHECK("\x1b]2;pwned\x1b\\", "\\e]2;pwned\\e\\", 2);
	/* Clipboard write, OSC 52. */
	CHECK("\x1b]52;c;cm0gLXJmIH4=\x07", "\\e]52;c;cm0gLXJmIH4=\\x07", 2);
	/* Hyperlink, OSC 8. */
	CHECK("\x1b]8;;http://evil.test/\x1b\\click\x1b]8;;\x1b\\",
	    "\\e]8;;http://evil.test/\\e\\click\\e]8;;\\e\\", 4);
	/* DECRQSS. */
	CHECK("\x1bP$qm\x1b\\", "\\eP$qm\\e\\", 2);
}

static void
test_c1(void **state)
{
	(void)state;
	/* C1 CSI encoded as UTF-8 and as a raw byte. */
	CHECK("\xc2\x9b" "31m", "<U+009B>31m", 1);
	CHECK("\x9b" "31m", "\\x9b31m", 1);
	CHECK("\xc2\x80\xc2\x9f\xc2\xa0", "<U+0080><U+009F>\xc2\xa0", 2);
	CHECK("\x85\x8d\x90", "\\x85\\x8d\\x90", 3);
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	/* Overlong encodings: '/' and ESC-CSI. */
	CHECK("\xc0\xaf", "\\xc0\\xaf", 2);
	CHECK("\xc0\x9b", "\\xc0\\x9b", 2);
	CHECK("\xc1\xbf", "\\xc1\\xbf", 2);
	CHECK("\xe0\x80\xaf", "\\xe0\\x80\\xaf", 3);
	CHECK("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf", 4);
	/* Surrogates. */
	CHECK("\xed\xa0\x80", "\\xed\\xa0\\x80", 3);
	CHECK("\xed\xbf\xbf", "\\xed\\xbf\\xbf", 3);
	/* Above U+10FFFF and bytes never used. */
	CHECK("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80", 4);
	CHECK("\xf5\xfe\xff", "\\xf5\\xfe\\xff", 3);
	/* Truncated sequences, at the end and followed by ASCII. */
	CHECK("\xe2\x82", "\\xe2\\x82", 2);
	CHECK("\xe2\x82" "A", "\\xe2\\x82A", 2);
	CHECK("\xf0\x9f\x93", "\\xf0\\x9f\\x93", 3);
	/* A stray continuation byte. */
	CHECK("a\xbf" "b", "a\\xbfb", 1);
	/* Latin-1 text. */
	CHECK("caf\xe9", "caf\\xe9", 1);
}

static void
test_invisible(void **state)
{
	(void)state;
	CHECK("abc\xe2\x80\xae" "cba", "abc<U+202E>cba", 1);
	CHECK("\xd8\x9c", "<U+061C>", 1);
	CHECK("\xe2\x80\x8e\xe2\x80\x8f", "<U+200E><U+200F>", 2);
	CHECK("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	    "<U+202A><U+202B><U+202C><U+202D>", 4);
	CHECK("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
	    "<U+2066><U+2067><U+2068><U+2069>", 4);
	CHECK("in\xe2\x80\x8b" "box", "in<U+200B>box", 1);
	CHECK("\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0",
	    "<U+200C><U+200D><U+2060>", 3);
	CHECK("\xef\xbb\xbf" "BOM", "<U+FEFF>BOM", 1);
	CHECK("soft\xc2\xad" "hyphen", "soft<U+00AD>hyphen", 1);
	CHECK("\xf3\xa0\x80\x81", "<U+E0001>", 1);
}

static void
test_combining(void **state)
{
	struct buf	in = { 0 }, out = { 0 };
	size_t		i;

	(void)state;
	buf_addc(&in, 'Z');
	for (i = 0; i < 10000; i++)
		buf_add(&in, "\xcc\x81", 2);	/* U+0301 */
	assert_int_equal(sanitize(in.p, in.len, &out), 0);
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.p, in.p, in.len);
	buf_free(&in);
	buf_free(&out);
}

struct spans {
	struct buf	text;
	size_t		nspans;
	size_t		nesc;
	bool		last_escape;
	bool		adjacent_text;
};

static void
collect(const struct san_span *sp, void *arg)
{
	struct spans	*s = arg;

	assert_true(sp->len > 0);
	if (s->nspans > 0 && !sp->escape && !s->last_escape)
		s->adjacent_text = true;
	s->nspans++;
	if (sp->escape)
		s->nesc++;
	s->last_escape = sp->escape;
	buf_add(&s->text, sp->p, sp->len);
}

static void
test_spans(void **state)
{
	struct spans	 s;
	const char	 in[] = "ab\x1b[1mcd\x9b\xe2\x80\xae" "ef";
	size_t		 n;

	(void)state;
	memset(&s, 0, sizeof s);
	n = sanitize_spans(in, sizeof in - 1, collect, &s);
	assert_int_equal(n, 3);
	assert_int_equal(s.nesc, 3);
	/* ab, \e, [1mcd, \x9b, <U+202E>, ef */
	assert_int_equal(s.nspans, 6);
	assert_false(s.adjacent_text);
	assert_string_equal(s.text.p, "ab\\e[1mcd\\x9b<U+202E>ef");
	assert_string_equal(s.text.p, SAN(in));
	buf_free(&s.text);

	memset(&s, 0, sizeof s);
	assert_int_equal(sanitize_spans("", 0, collect, &s), 0);
	assert_int_equal(s.nspans, 0);
}

static void
test_appends(void **state)
{
	struct buf	out = { 0 };

	(void)state;
	buf_adds(&out, "S: ");
	sanitize("\x1b", 1, &out);
	assert_string_equal(out.p, "S: \\e");
	buf_free(&out);
	sanitize("", 0, &out);
	assert_non_null(out.p);
	assert_string_equal(out.p, "");
	buf_free(&out);
}

/* Random bytes, biased toward the interesting ones. */
static void
test_property(void **state)
{
	static const unsigned char pool[] = {
		0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0x9b, 0x9f, 0xa0,
		0xad, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef,
		0xf0, 0xf4, 0xf5, 0xff, 0x80, 0x81, 0xae, 0x8b, 0x5b, 0x41,
	};
	unsigned char	 in[512];
	struct buf	 out = { 0 };
	size_t		 round, i, len;
	unsigned int	 seed = 20261122;

	(void)state;
	for (round = 0; round < 20000; round++) {
		len = (size_t)rand_r(&seed) % sizeof in;
		for (i = 0; i < len; i++) {
			int	r = rand_r(&seed);

			in[i] = (r & 1) ? pool[(r >> 1) % sizeof pool] :
			    (unsigned char)(r >> 8);
		}
		buf_reset(&out);
		sanitize((const char *)in, len, &out);
		assert_safe(out.p, out.len);
		/* Valid input that needs no escape comes out unchanged. */
		if (valid_utf8(in, len) && memchr(in, 0x1b, len) == NULL &&
		    out.len == len)
			assert_memory_equal(out.p, in, len);
	}
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_c0),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_c1),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_invisible),
		cmocka_unit_test(test_combining),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_property),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
