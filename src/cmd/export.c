/* SPDX-License-Identifier: ISC */
/*
 * mailscope export: a recording rendered for people who were not there.
 *   txt   the batch transcript (swaks-style arrows), notes as # lines;
 *   md    a teaching handout: a legend, C:/S: blocks, notes as quotes,
 *         a separator between connections, TLS tables;
 *   html  the same as one self-contained XHTML file, each connection
 *         with its sequence diagram (the ladder model's), printable on A4.
 * --explain puts the plain-language glosses under the lines of both.
 * With --compare B.jsonl, txt shows two recordings in two columns, step
 * by step (the model is render's sidebyside.c, which the screen draws).
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
	{ "compare", required_argument, 'c', OPTK_FILE, "B.jsonl",
	    "txt only: the two recordings side by side, step\n"
	    "by step, with what differs marked (!=)", 0 },
	{ "help", no_argument, 'h', OPTK_NONE, NULL, "this help", 0 },
};

const struct optcmd export_cmd = {
	"export", "mailscope export", export_opts,
	sizeof export_opts / sizeof export_opts[0], OPTK_FILE
};

static const char export_head[] =
"usage: mailscope export [--format txt|md|html] [--explain] [-o OUT]\n"
"                        [--session N] FILE.jsonl\n"
"       mailscope export --compare B.jsonl [-o OUT] A.jsonl\n"
"FILE.jsonl may be -: the recording is read from standard input.\n\n";

/* A recording into log; a cut is said and the events before it kept. */
static int
load(const char *arg, int nth, struct evlog *log, struct recording_info *ri)
{
	const char	*in;
	char		 err[512];
	int		 n;

	/* -: standard input, a pipe as well as a file. */
	in = strcmp(arg, "-") == 0 ? "/dev/stdin" : arg;
	memset(ri, 0, sizeof *ri);
	n = recording_load_classified(in, (unsigned)nth, log, ri, err,
	    sizeof err);
	if (n < 0) {
		fprintf(stderr, "mailscope export: %s\n", err);
		return -1;
	}
	if (err[0] != '\0')
		fprintf(stderr, "mailscope export: %s; exporting the %d "
		    "event%s before it\n", err, n, n == 1 ? "" : "s");
	if (ri->count > 1)
		fprintf(stderr, "mailscope export: %s holds %u recordings; "
		    "this is number %u (--session N picks another)\n",
		    in, ri->count, ri->nth);
	return 0;
}

/* Width of export --compare: two columns of 48. */
#define COMPARE_WIDTH	99

int
export_main(int argc, char **argv)
{
	struct opt_getopt	 g;
	struct recording_info	 ri, rib;
	struct render_opts	 ro = { 0 };
	struct target		 tg = { 0 };
	struct evlog		*log, *logb = NULL;
	struct sbs		 m = { 0 };
	struct buf		 out = { 0 };
	const char		*format = "txt", *path = NULL, *cmp = NULL;
	char			 err[512];
	FILE			*f;
	int			 nth = 1, fd = -1;
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
		case 'c':
			cmp = optarg;
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
		    "one recording at a time (--compare B.jsonl for two)");
		return EXIT_USAGE;
	}
	if (strcmp(format, "txt") != 0 && strcmp(format, "md") != 0 &&
	    strcmp(format, "html") != 0) {
		fprintf(stderr, "mailscope export: --format takes txt, md or "
		    "html (see mailscope export --help)\n");
		return EXIT_USAGE;
	}
	if (cmp != NULL && strcmp(format, "txt") != 0) {
		fprintf(stderr, "mailscope export: --compare writes text "
		    "(--format txt)\n");
		return EXIT_USAGE;
	}
	if (cmp != NULL && strcmp(cmp, "-") == 0 &&
	    strcmp(argv[optind], "-") == 0) {
		fprintf(stderr, "mailscope export: standard input holds one "
		    "recording, not both\n");
		return EXIT_USAGE;
	}
	log = evlog_new(true);
	if (load(argv[optind], nth, log, &ri) == -1) {
		evlog_free(log);
		return EXIT_USAGE;
	}
	/* The glosses are the protocol's: the recording's target names it. */
	if (ri.target != NULL && target_parse(ri.target, &tg, err,
	    sizeof err) == 0)
		ro.proto = tg.proto;
	target_free(&tg);
	if (cmp != NULL) {
		logb = evlog_new(true);
		if (load(cmp, 1, logb, &rib) == -1) {
			recording_info_free(&ri);
			evlog_free(logb);
			evlog_free(log);
			return EXIT_USAGE;
		}
		sbs_build(&m, (const struct evlog *[]){ log, logb },
		    (const char *[]){ "A", "B" });
		render_sidebyside(&m, (const struct evlog *[]){ log, logb },
		    (const char *[]){ argv[optind], cmp }, COMPARE_WIDTH,
		    &out);
		sbs_free(&m);
		recording_info_free(&rib);
		evlog_free(logb);
	} else if (strcmp(format, "txt") == 0)
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
