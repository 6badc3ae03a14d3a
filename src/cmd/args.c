/* SPDX-License-Identifier: ISC */
/*
 * What every front door does alike with its command line: one line for
 * a bad option, --help from the command's option table, the
 * configuration files read before the options.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "tui.h"

/* One line on stderr, never the whole help; exit 1. */
void
cmd_bad_option(const struct optcmd *c, int ch, char **argv)
{
	struct buf	b = { 0 };

	opt_error(c, ch, argv, &b);
	fputs(b.p, stderr);
	buf_free(&b);
	exit(EXIT_USAGE);
}

/* The synopsis, the options from the table, what follows them. */
void
cmd_help(const struct optcmd *c, const char *head, const char *tail)
{
	struct buf	b = { 0 };

	buf_adds(&b, head);
	opt_help(c, &b);
	if (tail != NULL)
		buf_adds(&b, tail);
	fwrite(b.p, 1, b.len, stdout);
	buf_free(&b);
	exit(fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_WRITE);
}

/*
 * Before the options, so that they win: --config FILE, --no-config, or
 * the system's and the user's files.  A first pass of getopt finds
 * those two; optind is reset for the real one.  -1: a default file was
 * bad, said on stderr and in err for the screen.
 */
int
cmd_config(const struct optcmd *c, int argc, char **argv,
    struct session_opts *so, struct tui_opts *to, char *err, size_t errlen)
{
	struct opt_getopt	 g;
	const char		*given = NULL;
	bool			 none = false;
	int			 ch, rc = 0;

	opt_getopt(c, &g);
	optind = 1;
	while ((ch = opt_next(&g, argc, argv)) != -1) {
		if (ch == SOPT_CONFIG)
			given = optarg;
		else if (ch == SOPT_NO_CONFIG)
			none = true;
	}
	opt_getopt_free(&g);
	/* 0, not 1: glibc's getopt starts over, its state forgotten. */
	optind = 0;
	if (none && given != NULL) {
		fprintf(stderr, "%s: --config and --no-config: give one "
		    "(see %s --help)\n", c->prog, c->prog);
		exit(EXIT_USAGE);
	}
	if (!none && config_load(given, so, to, err, errlen) == -1) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		/* Asked for by name, it must be right; the usual ones are
		 * said and the session goes on without the rest of them. */
		if (given != NULL)
			exit(EXIT_USAGE);
		rc = -1;
	}
	return rc;
}
