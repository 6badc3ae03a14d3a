/* SPDX-License-Identifier: ISC */
/*
 * mailscope export: a recording rendered for people who were not there.
 *   txt   the batch transcript (swaks-style arrows), notes as # lines;
 *   md    a teaching handout: a legend, C:/S: blocks, notes as quotes,
 *         a separator between connections, TLS tables;
 *   html  the same as one self-contained XHTML file, each connection
 *         with its sequence diagram (the ladder model's), printable on A4.
 * --explain puts the plain-language glosses under the lines of both.
 * Every byte from the network goes through the sanitizer first, so no
 * export carries a raw control byte; secrets were redacted before they
 * were ever recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

static const struct opt export_opts[] = {
	{ "format", required_argument, 'f', OPTK_WORDS, "FORMAT:txt|md|html",
	    "txt (default): the batch transcript; md: a\n"
	    "handout; html: one file with a sequence diagram", 0 },
	{ "explain", no_argument, 'e', OPTK_NONE, NULL,
	    "md, html: the plain-language glosses under\n"
	    "each line, with references", 0 },
	{ "output", required_argument, 'o', OPTK_FILE, "OUT",
	    "write OUT (default, or -: standard output)", 0 },
	{ "session", required_argument, 'n', OPTK_NONE, "N",
	    "the Nth recording of the file (default 1)", 0 },
	{ "help", no_argument, 'h', OPTK_NONE, NULL, "this help", 0 },
};

const struct optcmd export_cmd = {
	"export", "mailscope export", export_opts,
	sizeof export_opts / sizeof export_opts[0], OPTK_FILE
};

static const char export_head[] =
"usage: mailscope export [--format txt|md|html] [--explain] [-o OUT]\n"
"                        [--session N] FILE.jsonl\n"
"FILE.jsonl may be -: the recording is read from standard input.\n\n";

int
export_main(int argc, char **argv)
{
	struct opt_getopt	 g;
	struct recording_info	 ri;
	struct render_opts	 ro = { 0 };
	struct target		 tg = { 0 };
	struct evlog		*log;
	struct buf		 out = { 0 };
	const char		*format = "txt", *path = NULL, *in;
	char			 err[512];
	FILE			*f;
	int			 n, nth = 1, fd = -1;
	int			 ch, rc = EXIT_OK;

	opt_getopt(&export_cmd, &g);
	optind = 1;
	while ((ch = opt_next(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'f':
			format = optarg;
			break;
		case 'e':
			ro.explain = true;
			break;
		case 'o':
			/* -: standard output, as without -o. */
			path = strcmp(optarg, "-") != 0 ? optarg : NULL;
			break;
		case 'n':
			if ((nth = session_number_arg("export", optarg)) == 0) {
				opt_getopt_free(&g);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			cmd_help(&export_cmd, export_head, NULL);
		default:
			cmd_bad_option(&export_cmd, ch, argv);
		}
	}
	opt_getopt_free(&g);
	if (argc - optind != 1) {
		fprintf(stderr, "mailscope export: %s (see mailscope export "
		    "--help)\n", argc == optind ? "missing FILE.jsonl" :
		    "one recording at a time");
		return EXIT_USAGE;
	}
	if (strcmp(format, "txt") != 0 && strcmp(format, "md") != 0 &&
	    strcmp(format, "html") != 0) {
		fprintf(stderr, "mailscope export: --format takes txt, md or "
		    "html (see mailscope export --help)\n");
		return EXIT_USAGE;
	}
	/* -: standard input, a pipe as well as a file. */
	in = strcmp(argv[optind], "-") == 0 ? "/dev/stdin" : argv[optind];
	log = evlog_new(true);
	memset(&ri, 0, sizeof ri);
	n = recording_load_classified(in, (unsigned)nth, log, &ri, err,
	    sizeof err);
	if (n < 0) {
		fprintf(stderr, "mailscope export: %s\n", err);
		evlog_free(log);
		return EXIT_USAGE;
	}
	if (err[0] != '\0')
		fprintf(stderr, "mailscope export: %s; exporting the %d "
		    "event%s before it\n", err, n, n == 1 ? "" : "s");
	if (ri.count > 1)
		fprintf(stderr, "mailscope export: %s holds %u recordings; "
		    "this is number %u (--session N picks another)\n",
		    in, ri.count, ri.nth);
	/* The glosses are the protocol's: the recording's target names it. */
	if (ri.target != NULL && target_parse(ri.target, &tg, err,
	    sizeof err) == 0)
		ro.proto = tg.proto;
	target_free(&tg);
	if (strcmp(format, "txt") == 0)
		render_txt(log, &ri, &out);
	else if (strcmp(format, "md") == 0)
		render_md(log, &ri, &ro, &out);
	else
		render_html(log, &ri, &ro, &out);

	/* Never through a symbolic link: its target would be cut. */
	f = stdout;
	if (path != NULL && ((fd = file_open_write(path, O_TRUNC, false, err,
	    sizeof err)) == -1 || (f = fdopen(fd, "w")) == NULL)) {
		if (fd != -1) {
			snprintf(err, sizeof err, "%s: %s", path,
			    strerror(errno));
			close(fd);
		}
		fprintf(stderr, "mailscope export: %s\n", err);
		rc = EXIT_USAGE;
	} else {
		if (fwrite(out.p, 1, out.len, f) != out.len ||
		    (f != stdout ? fclose(f) : fflush(f)) != 0) {
			fprintf(stderr, "mailscope export: %s: %s\n",
			    path != NULL ? path : "standard output",
			    strerror(errno));
			rc = EXIT_WRITE;
		}
	}
	recording_info_free(&ri);
	buf_free(&out);
	evlog_free(log);
	return rc;
}
