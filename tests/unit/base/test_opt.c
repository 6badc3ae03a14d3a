/* SPDX-License-Identifier: ISC */
/*
 * opt.c: getopt's tables, --help's layout and the one-line error, from
 * one option table.
 */
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

enum { T_LONG = 256, T_MODE, T_LAB, T_HIDDEN };

static const struct opt rows[] = {
	{ NULL, 0, 0, 0, NULL, "Section:", 0 },
	{ NULL, no_argument, '4', OPTK_NONE, NULL, "IPv4 or IPv6", 0 },
	{ NULL, no_argument, '6', OPTK_NONE, NULL, NULL, OPTF_JOIN },
	{ "command", required_argument, 'c', OPTK_NONE, "CMD",
	    "first line\nsecond line", 0 },
	{ "a-very-long-option-name", required_argument, T_LONG, OPTK_FILE,
	    "FILE", "help", 0 },
	{ "mode", required_argument, T_MODE, OPTK_WORDS, "MODE:on|off",
	    "on or off", 0 },
	{ "lab", optional_argument, T_LAB, OPTK_SCENARIO, "SCENARIO", "", 0 },
	{ "hidden", no_argument, T_HIDDEN, OPTK_NONE, NULL, NULL,
	    OPTF_HIDDEN },
};
static const struct optcmd cmd = {
	"t", "prog t", rows, sizeof rows / sizeof rows[0], OPTK_URL
};

static void
test_getopt(void **state)
{
	struct opt_getopt	 g;
	char			*argv[] = { "t", "-6", "--mode=on", "-cX",
				    "--lab", "--hidden", "URL", NULL };
	int			 ch, seen = 0;

	(void)state;
	opt_getopt(&cmd, &g);
	assert_string_equal(g.shortopts, ":46c:");
	optind = 1;
	while ((ch = opt_next(&g, 7, argv)) != -1) {
		switch (ch) {
		case '6':
			seen |= 1;
			break;
		case T_MODE:
			assert_string_equal(optarg, "on");
			seen |= 2;
			break;
		case 'c':
			assert_string_equal(optarg, "X");
			seen |= 4;
			break;
		case T_LAB:
			assert_null(optarg);
			seen |= 8;
			break;
		case T_HIDDEN:
			seen |= 16;
			break;
		default:
			fail();
		}
	}
	assert_int_equal(seen, 31);
	assert_string_equal(argv[optind], "URL");
	opt_getopt_free(&g);
	assert_string_equal(opt_words(&rows[5]), "on|off");
	assert_string_equal(opt_words(&rows[3]), "");
}

static void
test_help(void **state)
{
	struct buf	b = { 0 };

	(void)state;
	opt_help(&cmd, &b);
	assert_string_equal(b.p,
	    "Section:\n"
	    "  -4, -6                  IPv4 or IPv6\n"
	    "  -c, --command CMD       first line\n"
	    "                          second line\n"
	    "  --a-very-long-option-name FILE help\n"
	    "  --mode MODE             on or off\n"
	    "  --lab [SCENARIO]\n");
	buf_free(&b);
}

static void
error_of(char **argv, int argc, const char *want)
{
	struct opt_getopt	 g;
	struct buf		 b = { 0 };
	int			 ch;

	opt_getopt(&cmd, &g);
	optind = 0;
	ch = opt_next(&g, argc, argv);
	assert_true(ch == '?' || ch == ':');
	opt_error(&cmd, ch, argv, &b);
	assert_string_equal(b.p, want);
	buf_free(&b);
	opt_getopt_free(&g);
}

static void
test_error(void **state)
{
	char	*a1[] = { "t", "--frob", NULL };
	char	*a2[] = { "t", "-z", NULL };
	char	*a3[] = { "t", "--mode", NULL };
	char	*a4[] = { "t", "-c", NULL };
	char	*a5[] = { "t", "--hidden=x", NULL };
	char	*a6[] = { "t", "--\x1b[2J", NULL };

	(void)state;
	error_of(a1, 2, "prog t: unknown option '--frob' (see prog t "
	    "--help)\n");
	error_of(a2, 2, "prog t: unknown option -z (see prog t --help)\n");
	error_of(a3, 2, "prog t: --mode needs an argument (see prog t "
	    "--help)\n");
	error_of(a4, 2, "prog t: --command needs an argument (see prog t "
	    "--help)\n");
	error_of(a5, 2, "prog t: '--hidden=x': --hidden takes no argument "
	    "(see prog t --help)\n");
	/* What was typed reaches the terminal escaped. */
	error_of(a6, 2, "prog t: unknown option '--\\e[2J' (see prog t "
	    "--help)\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getopt),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
