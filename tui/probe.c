/* SPDX-License-Identifier: ISC */
/*
 * :probe: mailscope probe --json on the current target, run as a child
 * of this very program, its findings logged as lines of the transcript.
 * The probe lives in src/cmd, above the TUI; its JSON (probe.schema.json)
 * is the contract between the two, so no arrow goes up a layer, and the
 * probe's sessions never touch this one's log.  The child's output is
 * read on the loop and bounded; it ends when we do.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tui.h"

#define PROBE_OUT_MAX	(1024 * 1024)	/* a result is a few KiB */
#define PROBE_ERR_MAX	512

struct tprobe {
	struct tui	*t;
	pid_t		 pid;
	int		 out, err;	/* -1 once at EOF */
	struct buf	 obuf, ebuf;
	char		*target;
};

static struct tprobe	*running;

static void
fd_done(struct tprobe *p, int *fd)
{
	loop_del_fd(p->t->loop, *fd);
	close(*fd);
	*fd = -1;
}

static void
tprobe_free(struct tprobe *p)
{
	if (p->out != -1)
		fd_done(p, &p->out);
	if (p->err != -1)
		fd_done(p, &p->err);
	buf_free(&p->obuf);
	buf_free(&p->ebuf);
	free(p->target);
	free(p);
	running = NULL;
}

/* Each finding a line: "probe: LEVEL CHECK: FINDING". */
static void
tprobe_report(struct tprobe *p, int status)
{
	struct tui	*t = p->t;
	enum ev_chan	 chan = t->session != NULL ?
			    session_chan(t->session) : CHAN_PLAIN;
	json_t		*root, *fs, *f;
	json_error_t	 jerr;
	size_t		 i, n[5] = { 0 };
	const char	*lv, *check, *text;
	int		 code = -1;

	root = json_loadb(p->obuf.p != NULL ? p->obuf.p : "", p->obuf.len, 0,
	    &jerr);
	fs = root != NULL ? json_object_get(root, "findings") : NULL;
	if (!json_is_array(fs)) {
		/* A usage error or a crash: its first line says which. */
		buf_add(&p->ebuf, "", 1);
		ev_local(t->log, EV_ERROR, chan, "probe-done", "probe of %s: "
		    "no result (%s %d)%s%.*s", p->target, WIFEXITED(status) ?
		    "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) :
		    WTERMSIG(status), p->ebuf.len > 1 ? ": " : "",
		    (int)strcspn(p->ebuf.p, "\n"), p->ebuf.p);
		json_decref(root);
		return;
	}
	json_array_foreach(fs, i, f) {
		lv = json_string_value(json_object_get(f, "level"));
		check = json_string_value(json_object_get(f, "check"));
		text = json_string_value(json_object_get(f, "finding"));
		if (lv == NULL || check == NULL || text == NULL)
			continue;
		if (strcmp(lv, "ok") == 0)
			n[0]++;
		else if (strcmp(lv, "warn") == 0)
			n[2]++;
		else if (strcmp(lv, "bad") == 0)
			n[3]++;
		ev_local(t->log, EV_INFO, chan, "probe", "probe %-4s %s: %s",
		    lv, check, text);
	}
	if (json_is_integer(json_object_get(root, "exit")))
		code = (int)json_integer_value(json_object_get(root, "exit"));
	ev_local(t->log, EV_INFO, chan, "probe-done", "probe of %s: %zu ok, "
	    "%zu warn, %zu bad (mailscope probe would exit %d)", p->target,
	    n[0], n[2], n[3], code);
	json_decref(root);
}

static void
tprobe_read(int fd, short revents, void *arg)
{
	struct tprobe	*p = arg;
	struct buf	*b = fd == p->out ? &p->obuf : &p->ebuf;
	size_t		 max = fd == p->out ? PROBE_OUT_MAX : PROBE_ERR_MAX;
	char		 chunk[4096];
	ssize_t		 n;
	int		 status = 0;

	(void)revents;
	n = read(fd, chunk, sizeof chunk);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0 && b->len + (size_t)n <= max) {
		buf_add(b, chunk, (size_t)n);
		return;
	}
	if (n > 0) {
		/* More than any result: not a probe's output. */
		kill(p->pid, SIGTERM);
		b->len = 0;
	}
	fd_done(p, fd == p->out ? &p->out : &p->err);
	if (p->out != -1 || p->err != -1)
		return;
	/* Both ends closed: the child has exited or is about to. */
	while (waitpid(p->pid, &status, 0) == -1 && errno == EINTR)
		;
	tprobe_report(p, status);
	tprobe_free(p);
}

/* The probe's options from this session's: the same target, trust. */
static void
tprobe_argv(struct tui *t, const char *target, const char **argv, size_t max)
{
	size_t	n = 0;

	argv[n++] = "mailscope";
	argv[n++] = "probe";
	argv[n++] = "--json";
	if (t->sopts.cafile != NULL) {
		argv[n++] = "--cafile";
		argv[n++] = t->sopts.cafile;
	}
	if (t->sopts.sni != NULL) {
		argv[n++] = "--sni";
		argv[n++] = t->sopts.sni;
	}
	if (t->sopts.priority != NULL) {
		argv[n++] = "--tls-priority";
		argv[n++] = t->sopts.priority;
	}
	argv[n++] = target;
	argv[n] = NULL;
	if (n >= max)
		fatalx("probe: too many arguments");
}

void
tui_probe(struct tui *t, const char *args)
{
	struct tprobe	*p;
	const char	*argv[16];
	int		 o[2], e[2], null;

	if (*args != '\0') {
		tui_message(t, true, "usage: :probe (the current target)");
		return;
	}
	if (running != NULL) {
		tui_message(t, true, ":probe: one is running already");
		return;
	}
	if (t->replay != NULL || t->session == NULL) {
		tui_message(t, true, ":probe: no live target");
		return;
	}
	if (t->sopts.target.unix_path != NULL || t->sopts.target.mx) {
		tui_message(t, true, ":probe: runs on host:port targets; "
		    "mailscope probe takes the others from a shell");
		return;
	}
	if (pipe2(o, O_CLOEXEC) == -1)
		goto fail;
	if (pipe2(e, O_CLOEXEC) == -1) {
		close(o[0]);
		close(o[1]);
		goto fail;
	}
	p = xcalloc(1, sizeof *p);
	p->t = t;
	p->target = target_string(&t->sopts.target);
	tprobe_argv(t, p->target, argv, sizeof argv / sizeof argv[0]);
	if ((p->pid = fork()) == -1) {
		close(o[0]);
		close(o[1]);
		close(e[0]);
		close(e[1]);
		free(p->target);
		free(p);
		goto fail;
	}
	if (p->pid == 0) {
		null = open("/dev/null", O_RDONLY);
		if (null == -1 || dup2(null, STDIN_FILENO) == -1 ||
		    dup2(o[1], STDOUT_FILENO) == -1 ||
		    dup2(e[1], STDERR_FILENO) == -1)
			_exit(127);
		closefrom(STDERR_FILENO + 1);
		signal(SIGPIPE, SIG_DFL);
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	p->out = o[0];
	p->err = e[0];
	running = p;
	loop_add_fd(t->loop, p->out, POLLIN, tprobe_read, p);
	loop_add_fd(t->loop, p->err, POLLIN, tprobe_read, p);
	ev_local(t->log, EV_INFO, session_chan(t->session), "probe",
	    "mailscope probe %s: running (its own connections, a few "
	    "seconds)", p->target);
	return;
fail:
	tui_message(t, true, ":probe: %s", strerror(errno));
}

/* We are leaving: so is the probe. */
void
tui_probe_stop(struct tui *t)
{
	struct tprobe	*p = running;

	(void)t;
	if (p == NULL)
		return;
	kill(p->pid, SIGTERM);
	while (waitpid(p->pid, NULL, 0) == -1 && errno == EINTR)
		;
	tprobe_free(p);
}
