/* SPDX-License-Identifier: ISC */
/*
 * mailscope export: a recording rendered for people who were not there.
 *   txt   the batch transcript (swaks-style arrows), notes as # lines;
 *   md    a teaching handout: C:/S: blocks, notes as quotes, TLS tables;
 *   html  one self-contained XHTML file with an SVG sequence diagram.
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

static const char export_usage[] =
"usage: mailscope export [--format txt|md|html] [-o OUT] [--session N] "
    "FILE.jsonl\n";

int
export_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format",	required_argument,	NULL, 'f' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "session",	required_argument,	NULL, 'n' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct recording_info	 ri;
	struct evlog		*log;
	struct buf		 out = { 0 };
	const char		*format = "txt", *path = NULL;
	char			 err[512];
	FILE			*f;
	int			 n, nth = 1, fd = -1;
	int			 ch, rc = EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			path = optarg;
			break;
		case 'n':
			if ((nth = session_number_arg("export", optarg)) == 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(export_usage, stdout);
			return EXIT_OK;
		default:
			fputs(export_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || (strcmp(format, "txt") != 0 &&
	    strcmp(format, "md") != 0 && strcmp(format, "html") != 0)) {
		fputs(export_usage, stderr);
		return EXIT_USAGE;
	}
	log = evlog_new(true);
	memset(&ri, 0, sizeof ri);
	n = recording_load_classified(argv[optind], (unsigned)nth, log, &ri, err,
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
		    argv[optind], ri.count, ri.nth);
	if (strcmp(format, "txt") == 0)
		render_txt(log, &ri, &out);
	else if (strcmp(format, "md") == 0)
		render_md(log, &ri, &out);
	else
		render_html(log, &ri, &out);

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
			fprintf(stderr, "mailscope export: write: %s\n",
			    strerror(errno));
			rc = EXIT_PROTO;
		}
	}
	recording_info_free(&ri);
	buf_free(&out);
	evlog_free(log);
	return rc;
}
