/* SPDX-License-Identifier: ISC */
/*
 * mailscope probe --targets FILE --jobs N: a list of targets probed N at
 * a time on the one loop, each probe an ordinary one (probe.c).  The list
 * is read as slots free up and each probe is freed once its result is
 * out, so memory follows N, never the length of the list.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

struct fleet {
	struct loop		*loop;
	const struct probe_conf	*conf;
	struct targets		 tf;
	int			 jobs;
	int			 active;
	bool			 reading;	/* the fd is in the loop */
	bool			 end;		/* no more targets */
	bool			 progress;	/* stderr is a terminal */
	size_t			 started;
	size_t			 done;
	size_t			 failed;
	int			 exit_code;
};

static void	fleet_fill(struct fleet *);

static void
fleet_progress(struct fleet *f)
{
	if (f->progress)
		fprintf(stderr, "\rprobe: %zu/%zu done, %zu failed ", f->done,
		    f->started, f->failed);
}

static void
fleet_done(struct probe *p, void *arg)
{
	struct fleet	*f = arg;
	int		 rc;

	/* Over the progress line, which comes back below the result. */
	if (f->progress)
		fprintf(stderr, "\r%-60s\r", "");
	rc = probe_print(p);
	probe_free(p);
	f->exit_code = probe_worse(f->exit_code, rc);
	f->failed += rc != EXIT_OK;
	f->done++;
	f->active--;
	fleet_progress(f);
	fleet_fill(f);
}

static void
fleet_read(int fd, short revents, void *arg)
{
	struct fleet	*f = arg;

	(void)fd;
	(void)revents;
	if (targets_fill(&f->tf) == -1) {
		fprintf(stderr, "%smailscope probe: reading the targets: %s\n",
		    f->progress ? "\n" : "", strerror(errno));
		f->exit_code = probe_worse(f->exit_code, EXIT_USAGE);
		f->end = true;
	}
	fleet_fill(f);
}

/* New probes while slots are free; the fd polled only when one is. */
static void
fleet_fill(struct fleet *f)
{
	struct target_line	tl;
	bool			want = false;

	while (!f->end && f->active < f->jobs) {
		switch (targets_next(&f->tf, &tl)) {
		case 1:
			f->active++;
			f->started++;
			probe_new(f->loop, f->conf, tl.url, tl.error, tl.line,
			    fleet_done, f);
			break;
		case 0:
			want = true;
			goto out;
		default:
			f->end = true;
			break;
		}
	}
out:
	if (want && !f->reading)
		loop_add_fd(f->loop, f->tf.fd, POLLIN, fleet_read, f);
	else if (!want && f->reading)
		loop_del_fd(f->loop, f->tf.fd);
	f->reading = want;
	if (f->end && f->active == 0)
		loop_break(f->loop);
}

/* The worst of the targets' exit codes (probe_worse()). */
int
fleet_main(const struct probe_conf *conf, const char *file, int jobs)
{
	struct fleet	*f;
	int		 fd, rc;

	if (strcmp(file, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "mailscope probe: %s: %s\n", file,
		    strerror(errno));
		return EXIT_USAGE;
	}
	f = xcalloc(1, sizeof *f);
	f->loop = loop_new();
	f->conf = conf;
	f->jobs = jobs;
	f->progress = isatty(STDERR_FILENO);
	targets_init(&f->tf, fd);
	fleet_fill(f);
	loop_run(f->loop);
	if (f->progress)
		fprintf(stderr, "\r%-60s\r", "");
	rc = f->exit_code;
	loop_free(f->loop);
	if (fd != STDIN_FILENO)
		close(fd);
	free(f);
	return rc;
}
