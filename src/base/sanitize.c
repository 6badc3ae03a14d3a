/* SPDX-License-Identifier: ISC */
/*
 * The one gate between bytes from a server, the user or a file and any
 * view.  Decoding is strict UTF-8 (RFC 3629): printable text passes as is,
 * everything a terminal could act on becomes a visible escape:
 *
 *	NUL \0, ESC \e, CR \r, LF \n, other C0 and DEL \xNN,
 *	C1 (U+0080-U+009F) <U+009B>, bidi and invisible characters <U+202E>,
 *	bytes that are not valid UTF-8 (overlong, surrogate, > U+10FFFF,
 *	truncated, stray continuation) \xNN one byte at a time.
 *
 * TAB passes: views expand it.  The output is valid UTF-8 without a single
 * control byte, and the work is one pass over the input.
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"

/*
 * Characters that change the direction of or hide text (CVE-2021-42574):
 * Unicode format characters (category Cf), the line and paragraph
 * separators and the invisible fillers.
 */
static const struct {
	uint32_t	lo;
	uint32_t	hi;
} invisible[] = {
	{ 0x00ad, 0x00ad },	/* soft hyphen */
	{ 0x034f, 0x034f },	/* combining grapheme joiner */
	{ 0x061c, 0x061c },	/* arabic letter mark */
	{ 0x115f, 0x1160 },	/* hangul fillers */
	{ 0x180e, 0x180e },	/* mongolian vowel separator */
	{ 0x200b, 0x200f },	/* zero width space, joiners, LRM, RLM */
	{ 0x2028, 0x202e },	/* separators, embeddings and overrides */
	{ 0x2060, 0x206f },	/* word joiner, invisible operators,
				   isolates, deprecated format */
	{ 0x3164, 0x3164 },	/* hangul filler */
	{ 0xfeff, 0xfeff },	/* zero width no-break space, BOM */
	{ 0xffa0, 0xffa0 },	/* halfwidth hangul filler */
	{ 0xfff9, 0xfffb },	/* interlinear annotation */
	{ 0x1bca0, 0x1bca3 },	/* shorthand format controls */
	{ 0x1d173, 0x1d17a },	/* musical format controls */
	{ 0xe0000, 0xe007f },	/* tag characters */
};

static bool
is_invisible(uint32_t cp)
{
	size_t	i;

	if (cp < 0x00ad)
		return false;
	for (i = 0; i < sizeof invisible / sizeof invisible[0]; i++)
		if (cp >= invisible[i].lo && cp <= invisible[i].hi)
			return true;
	return false;
}

/*
 * Length of the valid UTF-8 sequence at p (at most n bytes) and its code
 * point, or 0 when the bytes are not valid UTF-8.
 */
static size_t
utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char	c = p[0], lo = 0x80, hi = 0xbf;
	size_t		len, i;
	uint32_t	v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;	/* continuation, C0/C1 overlong, F5-FF */
	if (n < len)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	v = (v << 6) | (p[1] & 0x3f);
	for (i = 2; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	*cp = v;
	return len;
}

/* The escape for one byte below 0x80 that needs one, or NULL. */
static const char *
ascii_escape(unsigned char c, char *tmp, size_t tmplen)
{
	switch (c) {
	case '\t':
		return NULL;
	case '\0':
		return "\\0";
	case 0x1b:
		return "\\e";
	case '\r':
		return "\\r";
	case '\n':
		return "\\n";
	case 0x7f:
		return "\\x7f";
	default:
		if (c >= 0x20)
			return NULL;
		snprintf(tmp, tmplen, "\\x%02x", c);
		return tmp;
	}
}

size_t
sanitize_spans(const char *in, size_t len, san_cb cb, void *arg)
{
	const unsigned char	*p = (const unsigned char *)in;
	struct san_span		 text, esc;
	const char		*e;
	char			 tmp[16];
	size_t			 i = 0, start = 0, n, count = 0;
	uint32_t		 cp;

	esc.escape = true;
	text.escape = false;
	while (i < len) {
		/* Printable ASCII is most of any transcript: skip it fast. */
		i += ascii_run(in + i, len - i);
		if (i == len)
			break;
		e = NULL;
		n = 1;
		if (p[i] < 0x80)
			e = ascii_escape(p[i], tmp, sizeof tmp);
		else if ((n = utf8_decode(p + i, len - i, &cp)) == 0) {
			snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
			e = tmp;
			n = 1;
		} else if (cp <= 0x9f || is_invisible(cp)) {
			snprintf(tmp, sizeof tmp, "<U+%04X>", (unsigned)cp);
			e = tmp;
		}
		if (e == NULL) {
			i += n;
			continue;
		}
		if (i > start) {
			text.p = in + start;
			text.len = i - start;
			cb(&text, arg);
		}
		esc.p = e;
		esc.len = strlen(e);
		cb(&esc, arg);
		count++;
		i += n;
		start = i;
	}
	if (i > start) {
		text.p = in + start;
		text.len = i - start;
		cb(&text, arg);
	}
	return count;
}

static void
sanitize_add(const struct san_span *sp, void *arg)
{
	buf_add(arg, sp->p, sp->len);
}

size_t
sanitize(const char *in, size_t len, struct buf *out)
{
	/* Keep the buffer a string even when nothing is added. */
	buf_add(out, "", 0);
	return sanitize_spans(in, len, sanitize_add, out);
}

size_t
u8_count(const char *s, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

size_t
u8_prefix(const char *s, size_t len, size_t n)
{
	size_t	i = 0;

	while (i < len && n > 0) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		n--;
	}
	return i;
}
