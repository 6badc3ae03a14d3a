/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the target list reader of probe --targets: comments,
 * blank lines, spaces, CRLF, a last line without LF, lines across reads,
 * overlong lines and NUL bytes.
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

#include "cmd/cmd.h"

/* Every line the reader returns, "N url" or "N !error", one a line. */
static void
read_all(const char *in, size_t len, struct buf *out)
{
	struct targets		t;
	struct target_line	tl;
	char			path[] = "/tmp/test_targets.XXXXXX";
	int			fd, rc, fills = 0;

	assert_true((fd = mkstemp(path)) != -1);
	unlink(path);
	assert_int_equal(write(fd, in, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	targets_init(&t, fd);
	while ((rc = targets_next(&t, &tl)) != -1) {
		if (rc == 0) {
			assert_int_equal(targets_fill(&t), 0);
			/* Each read brings a line or the end closer. */
			assert_true(++fills <= (int)len / 64 + 4);
			continue;
		}
		if (tl.error != NULL)
			buf_printf(out, "%zu !%s [%s]\n", tl.line, tl.error,
			    tl.url);
		else
			buf_printf(out, "%zu %s\n", tl.line, tl.url);
	}
	close(fd);
}

static void
check(const char *in, size_t len, const char *want)
{
	struct buf	out = { 0 };

	read_all(in, len, &out);
	assert_string_equal(out.p != NULL ? out.p : "", want);
	buf_free(&out);
}

static void
test_comments_blanks(void **state)
{
	static const char in[] =
	    "# a list\n"
	    "\n"
	    "smtp://a\n"
	    "   \t\n"
	    "  imaps://b:993  \r\n"
	    "\t# indented comment\n"
	    "mx://c.example\r\n"
	    "pop3s://d";

	(void)state;
	check(in, sizeof in - 1,
	    "3 smtp://a\n5 imaps://b:993\n7 mx://c.example\n8 pop3s://d\n");
	check("", 0, "");
	check("\n\n# only comments\n", 17, "");
}

static void
test_many_lines(void **state)
{
	struct buf	in = { 0 }, want = { 0 };
	int		i;

	(void)state;
	/* Far more than one buffer: lines cut between reads. */
	for (i = 1; i <= 3000; i++) {
		buf_printf(&in, "smtp://host-%d.example:%d\n", i, i % 65535 + 1);
		buf_printf(&want, "%d smtp://host-%d.example:%d\n", i, i,
		    i % 65535 + 1);
	}
	check(in.p, in.len, want.p);
	buf_free(&in);
	buf_free(&want);
}

static void
test_long_lines(void **state)
{
	struct buf	in = { 0 }, want = { 0 };
	char		*fit, *over, *huge;

	(void)state;
	fit = xmalloc(TARGETS_LINE_MAX + 1);
	memset(fit, 'a', TARGETS_LINE_MAX);
	fit[TARGETS_LINE_MAX] = '\0';
	over = xmalloc(TARGETS_LINE_MAX + 2);
	memset(over, 'b', TARGETS_LINE_MAX + 1);
	over[TARGETS_LINE_MAX + 1] = '\0';
	huge = xmalloc(100001);
	memset(huge, 'c', 100000);
	huge[100000] = '\0';
	buf_printf(&in, "%s\n%s\nsmtp://after-over\n%s\nsmtp://after-huge\n%s",
	    fit, over, huge, huge);
	buf_printf(&want, "1 %s\n", fit);
	buf_printf(&want, "2 !the line is longer than %d bytes [%.64s]\n",
	    TARGETS_LINE_MAX, over);
	buf_adds(&want, "3 smtp://after-over\n");
	buf_printf(&want, "4 !the line is longer than %d bytes [%.64s]\n",
	    TARGETS_LINE_MAX, huge);
	buf_adds(&want, "5 smtp://after-huge\n");
	/* The last one without its LF. */
	buf_printf(&want, "6 !the line is longer than %d bytes [%.64s]\n",
	    TARGETS_LINE_MAX, huge);
	check(in.p, in.len, want.p);
	free(fit);
	free(over);
	free(huge);
	buf_free(&in);
	buf_free(&want);
}

static void
test_nul(void **state)
{
	static const char in[] = "smtp://a\nsmtp://b\0evil\n\0\nsmtp://c\n";

	(void)state;
	check(in, sizeof in - 1, "1 smtp://a\n"
	    "2 !the line holds a NUL byte [smtp://b]\n"
	    "3 !the line holds a NUL byte []\n"
	    "4 smtp://c\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comments_blanks),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
