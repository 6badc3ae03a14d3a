/* SPDX-License-Identifier: ISC */
/*
 * record.c: a recording loads back as the same events; the file is 0600,
 * never reached through a symlink, never truncated; a damaged file loads
 * up to the damage; a write error stops the recording, not the process.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

static char	dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/mailscope-test-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char	*cmd;
	int	 rv;

	(void)state;
	xasprintf(&cmd, "rm -rf '%s'", dir);
	rv = system(cmd);
	free(cmd);
	return rv == 0 ? 0 : -1;
}

static char *
path_of(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", dir, name);
	return p;
}

static char *
header_for(struct evlog *log)
{
	struct session_opts	 so;
	char			 err[256], *h;

	memset(&so, 0, sizeof so);
	assert_int_equal(target_parse("smtp://127.0.0.1:2525", &so.target,
	    err, sizeof err), 0);
	h = recording_header_json(log, &so);
	target_free(&so.target);
	return h;
}

static void
add(struct evlog *log, enum ev_kind kind, enum ev_dir d, uint32_t flags,
    struct ev_extra *x, const char *data, size_t len)
{
	struct event	ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = (uint8_t)kind;
	ev.dir = (uint8_t)d;
	ev.chan = CHAN_PLAIN;
	ev.flags = flags;
	evlog_append_x(log, &ev, x, data, len);
}

/* A small session: greeting with ESC, binary, warning, capdiff, close. */
#define ADD(log, kind, dir, flags, x, lit) \
	add((log), (kind), (dir), (flags), (x), (lit), sizeof(lit) - 1)

static void
session(struct evlog *log)
{
	struct ev_extra	*x;

	ADD(log, EV_CONNECT, DIR_LOCAL, 0, NULL, "connected to 127.0.0.1");
	ADD(log, EV_DATA, DIR_SERVER, EVF_END, NULL,
	    "220 \x1b[31mevil\x1b[0m ESMTP");
	ADD(log, EV_DATA, DIR_CLIENT, 0, NULL, "EHLO client.test");
	ADD(log, EV_DATA, DIR_SERVER, EVF_NUL | EVF_BARE_LF, NULL,
	    "250-\0\xff\xfe");
	x = xcalloc(1, sizeof *x);
	x->code = xstrdup("injection");
	ADD(log, EV_WARNING, DIR_LOCAL, EVF_SECURITY, x,
	    "bytes after go-ahead");
	x = xcalloc(1, sizeof *x);
	strv_add(&x->added, "AUTH PLAIN");
	strv_add(&x->removed, "STARTTLS");
	ADD(log, EV_CAPDIFF, DIR_LOCAL, 0, x, "caps");
	ADD(log, EV_DATA, DIR_CLIENT, EVF_REDACTED, NULL,
	    "AUTH PLAIN [redacted: user=alice, 24 bytes]");
	ADD(log, EV_CLOSE, DIR_LOCAL, 0, NULL, "closed");
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "r");
	char	*p;
	long	 n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = xmalloc((size_t)n + 1);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void
assert_same_log(struct evlog *a, struct evlog *b)
{
	const struct event	*x, *y;
	char			*lx, *ly;
	size_t			 i;

	assert_int_equal(evlog_count(a), evlog_count(b));
	for (i = 0; i < evlog_count(a); i++) {
		x = evlog_get(a, i);
		y = evlog_get(b, i);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->dir, y->dir);
		assert_int_equal(x->chan, y->chan);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->len, y->len);
		assert_memory_equal(x->data, y->data, x->len);
		assert_int_equal(x->t_ns / 1000, y->t_ns / 1000);
		assert_int_equal(ev_extra(x) == NULL, ev_extra(y) == NULL);
		/* The same line again: times, extras and all. */
		lx = event_to_json(a, x);
		ly = event_to_json(b, y);
		assert_string_equal(lx, ly);
		free(lx);
		free(ly);
	}
}

static void
test_round_trip(void **state)
{
	struct evlog		*a = evlog_new(true), *b = evlog_new(true);
	struct recording_info	 info;
	struct recorder		*rec;
	struct stat		 st;
	char			*path = path_of("rt.jsonl"), *h, err[256];
	char			*file;
	size_t			 len;
	mode_t			 old;

	(void)state;
	old = umask(0);
	h = header_for(a);
	rec = recorder_open(path, a, h, err, sizeof err);
	umask(old);
	free(h);
	assert_non_null(rec);
	session(a);
	assert_false(recorder_failed(rec));
	assert_null(recorder_error(rec));
	recorder_close(rec, "quit", -1);

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* No raw ESC (nor other control) in the file, one line each. */
	file = slurp(path, &len);
	assert_null(memchr(file, '\x1b', len));
	assert_int_equal(file[len - 1], '\n');
	free(file);

	assert_int_equal(recording_load(path, 1, b, &info, err, sizeof err), 8);
	assert_string_equal(err, "");
	assert_same_log(a, b);
	assert_string_equal(info.target, "smtp://127.0.0.1:2525");
	assert_true(info.redacted);
	assert_int_equal(info.start / 1000, evlog_wall_base(a) / 1000);
	assert_true(info.ended);
	assert_string_equal(info.reason, "quit");
	assert_int_equal(info.events, 8);
	assert_false(info.truncated);
	assert_int_equal(info.count, 1);
	assert_int_equal(info.nth, 1);
	recording_info_free(&info);
	evlog_free(a);
	evlog_free(b);
	free(path);
}

static void
test_symlink_refused(void **state)
{
	struct evlog	*a = evlog_new(true);
	char		*target = path_of("target"), *link = path_of("link");
	char		 err[512];
	struct stat	 st;

	(void)state;
	assert_int_equal(symlink(target, link), 0);
	assert_null(recorder_open(link, a, "{}", err, sizeof err));
	assert_non_null(strstr(err, "symbolic link"));
	/* Nothing was created through the link. */
	assert_int_equal(stat(target, &st), -1);
	assert_null(recorder_open(dir, a, "{}", err, sizeof err));
	assert_null(recorder_open("/dev/null", a, "{}", err, sizeof err));
	assert_non_null(strstr(err, "not a regular file"));
	evlog_free(a);
	free(target);
	free(link);
}

static void
test_append(void **state)
{
	struct evlog		*a = evlog_new(true), *b = evlog_new(true);
	struct recording_info	 info;
	struct recorder		*rec;
	struct stat		 st1, st2;
	char			*path = path_of("twice.jsonl"), *h, err[256];
	int			 fd;

	(void)state;
	h = header_for(a);
	rec = recorder_open(path, a, h, err, sizeof err);
	session(a);
	recorder_close(rec, "server closed", -1);
	assert_int_equal(stat(path, &st1), 0);

	/* A stray partial line, then a second recording. */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(write(fd, "{\"kind\":\"da", 11) == 11);
	close(fd);
	rec = recorder_open(path, a, h, err, sizeof err);
	assert_non_null(rec);
	add(a, EV_NOTE, DIR_LOCAL, 0, NULL, "second", 6);
	recorder_close(rec, "signal", -1);
	free(h);
	assert_int_equal(stat(path, &st2), 0);
	assert_true(st2.st_size > st1.st_size + 11);

	/* The first recording loads whole; the next one is announced. */
	assert_int_equal(recording_load(path, 1, b, &info, err, sizeof err), 8);
	assert_true(info.ended);
	assert_string_equal(info.reason, "server closed");
	/* The partial line stops loading before the second header. */
	assert_true(info.truncated);
	assert_non_null(strstr(err, "line 11: "));
	recording_info_free(&info);
	evlog_free(a);
	evlog_free(b);
	free(path);
}

static void
test_two_recordings(void **state)
{
	struct evlog		*a = evlog_new(true), *b = evlog_new(true);
	struct recording_info	 info;
	struct recorder		*rec;
	char			*path = path_of("two.jsonl"), *h, err[256];

	(void)state;
	h = header_for(a);
	rec = recorder_open(path, a, h, err, sizeof err);
	add(a, EV_NOTE, DIR_LOCAL, 0, NULL, "first", 5);
	/* While it records, a second recorder is refused. */
	assert_null(recorder_open(path, b, h, err, sizeof err));
	assert_non_null(strstr(err, "another mailscope"));
	recorder_close(rec, "quit", -1);
	rec = recorder_open(path, a, h, err, sizeof err);
	add(a, EV_NOTE, DIR_LOCAL, 0, NULL, "second", 6);
	recorder_close(rec, "quit", -1);
	free(h);
	assert_int_equal(recording_load(path, 1, b, &info, err, sizeof err), 1);
	assert_int_equal(info.count, 2);
	assert_false(info.truncated);
	assert_string_equal(evlog_get(b, 0)->data, "first");
	recording_info_free(&info);
	/* The second, whole: its own header, event and trailer. */
	assert_int_equal(recording_load(path, 2, b, &info, err, sizeof err), 1);
	assert_int_equal(info.count, 2);
	assert_int_equal(info.nth, 2);
	assert_true(info.ended);
	assert_string_equal(evlog_get(b, 1)->data, "second");
	recording_info_free(&info);
	assert_int_equal(recording_load(path, 3, b, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "holds 2 recordings, not 3"));
	evlog_free(a);
	evlog_free(b);
	free(path);
}

/* Cut the file inside line n (1-based). */
static void
cut_inside_line(const char *path, size_t n)
{
	size_t	 len, i, line = 1;
	char	*file = slurp(path, &len);

	for (i = 0; i < len && line < n; i++)
		if (file[i] == '\n')
			line++;
	assert_int_equal(truncate(path, (off_t)(i + 15)), 0);
	free(file);
}

static void
test_truncated(void **state)
{
	struct evlog		*a = evlog_new(true), *b = evlog_new(true);
	struct recording_info	 info;
	struct recorder		*rec;
	char			*path = path_of("cut.jsonl"), *h, err[256];
	int			 fd;

	(void)state;
	h = header_for(a);
	rec = recorder_open(path, a, h, err, sizeof err);
	free(h);
	session(a);
	recorder_close(rec, "quit", -1);
	/* As a crash leaves it: cut inside the 5th event (line 6). */
	cut_inside_line(path, 6);
	assert_int_equal(recording_load(path, 1, b, &info, err, sizeof err), 4);
	assert_true(info.truncated);
	assert_false(info.ended);
	assert_non_null(strstr(err, "line 6: "));
	assert_non_null(strstr(err, "the file ends inside this line"));
	assert_string_equal(evlog_get(b, 3)->data, "250-");
	recording_info_free(&info);
	evlog_free(b);

	/* Damage in the middle: garbage line 3. */
	b = evlog_new(true);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	h = header_for(a);
	assert_true(write(fd, h, strlen(h)) > 0);
	assert_true(write(fd, "\n", 1) == 1);
	free(h);
	h = event_to_json(a, evlog_get(a, 0));
	assert_true(write(fd, h, strlen(h)) > 0);
	free(h);
	assert_true(write(fd, "\n\xff\x1bgarbage\n{}\n", 13) == 13);
	close(fd);
	assert_int_equal(recording_load(path, 1, b, &info, err, sizeof err), 1);
	assert_non_null(strstr(err, "line 3: not JSON"));
	recording_info_free(&info);
	evlog_free(b);

	/* Not a recording at all. */
	b = evlog_new(true);
	fd = open(path, O_WRONLY | O_TRUNC);
	h = event_to_json(a, evlog_get(a, 0));
	assert_true(write(fd, h, strlen(h)) > 0);
	free(h);
	close(fd);
	assert_int_equal(recording_load(path, 1, b, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "line 1: "));
	assert_int_equal(evlog_count(b), 0);
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(recording_load(path, 1, b, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(recording_load("/nonexistent/x", 1, b, &info, err,
	    sizeof err), -1);
	evlog_free(a);
	evlog_free(b);
	free(path);
}

static int	fail_calls;
static char	fail_msg_seen[256];

static void
on_fail(const char *msg, void *arg)
{
	(void)arg;
	fail_calls++;
	snprintf(fail_msg_seen, sizeof fail_msg_seen, "%s", msg);
}

/*
 * In a child with a 16 KiB file size limit and SIGXFSZ ignored: the
 * recording stops with the reason, once, and the log keeps going.
 * Exit status: 0 when all held, else the number of the failed check.
 */
static int
fsize_child(const char *path)
{
	struct rlimit	 rl = { 16384, 16384 };
	struct evlog	*a = evlog_new(true);
	struct recorder	*rec;
	char		*h, err[256], data[600];
	int		 i;

	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
		return 1;
	h = header_for(a);
	if ((rec = recorder_open(path, a, h, err, sizeof err)) == NULL)
		return 2;
	free(h);
	recorder_set_fail_cb(rec, on_fail, NULL);
	memset(data, 'x', sizeof data);
	for (i = 0; i < 100; i++)
		add(a, EV_DATA, DIR_SERVER, EVF_SECURITY, NULL, data,
		    sizeof data);
	if (!recorder_failed(rec))
		return 3;
	if (strcmp(recorder_error(rec), "RECORDING STOPPED: File too "
	    "large") != 0)
		return 4;
	if (fail_calls != 1 || strcmp(fail_msg_seen, recorder_error(rec)) != 0)
		return 5;
	if (evlog_count(a) != 100)
		return 6;
	recorder_close(rec, "quit", -1);
	evlog_free(a);
	return 0;
}

static void
test_file_size_limit(void **state)
{
	struct evlog		*b = evlog_new(true);
	struct recording_info	 info;
	char			*path = path_of("limit.jsonl"), err[256];
	pid_t			 pid;
	int			 status, n;

	(void)state;
	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(fsize_child(path));
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));	/* not killed by SIGXFSZ */
	assert_int_equal(WEXITSTATUS(status), 0);
	/* What made it to the file loads; the cut line is reported. */
	n = recording_load(path, 1, b, &info, err, sizeof err);
	assert_true(n > 10 && n < 100);
	assert_true(info.truncated);
	assert_false(info.ended);
	recording_info_free(&info);
	evlog_free(b);
	free(path);
}

/* A non-retained log (batch mode) records just the same. */
static void
test_unretained(void **state)
{
	struct evlog		*a = evlog_new(false), *b = evlog_new(true);
	struct recording_info	 info;
	struct recorder		*rec;
	char			*path = path_of("batch.jsonl"), *h, err[256];

	(void)state;
	h = header_for(a);
	rec = recorder_open(path, a, h, err, sizeof err);
	free(h);
	session(a);
	recorder_close(rec, "server closed", -1);
	assert_int_equal(recording_load(path, 1, b, &info, err, sizeof err), 8);
	assert_int_equal(evlog_get(b, 4)->flags, EVF_SECURITY);
	assert_string_equal(ev_extra(evlog_get(b, 4))->code, "injection");
	recording_info_free(&info);
	evlog_free(a);
	evlog_free(b);
	free(path);
}

/* Recording started mid-session holds the events from the start. */
static void
test_replaying(void **state)
{
	struct evlog		*a = evlog_new(true), *b = evlog_new(true);
	struct recording_info	 info;
	struct recorder		*rec;
	char			*path = path_of("mid.jsonl"), *h, err[256];

	(void)state;
	session(a);
	h = header_for(a);
	rec = recorder_open_replaying(path, a, h, err, sizeof err);
	free(h);
	assert_non_null(rec);
	ADD(a, EV_NOTE, DIR_LOCAL, 0, NULL, "after the start");
	recorder_close(rec, "quit", -1);
	assert_int_equal(recording_load(path, 1, b, &info, err, sizeof err), 9);
	assert_same_log(a, b);
	assert_int_equal(info.events, 9);
	assert_string_equal(evlog_get(b, 8)->data, "after the start");
	recording_info_free(&info);
	evlog_free(a);
	evlog_free(b);
	free(path);
}

/* A loaded log saved to a new file loads back the same; never over a
 * file that exists. */
static void
test_save(void **state)
{
	struct evlog		*a = evlog_new(true), *b = evlog_new(true);
	struct evlog		*c = evlog_new(true);
	struct recording_info	 info, again;
	struct recorder		*rec;
	char			*path = path_of("orig.jsonl"), *h, err[256];
	char			*copy = path_of("copy.jsonl");

	(void)state;
	h = header_for(a);
	rec = recorder_open(path, a, h, err, sizeof err);
	free(h);
	session(a);
	recorder_close(rec, "server closed", -1);
	assert_int_equal(recording_load(path, 1, b, &info, err, sizeof err), 8);
	ADD(b, EV_NOTE, DIR_LOCAL, 0, NULL, "on #3: a note");
	assert_int_equal(recording_save(path, b, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "exists"));
	assert_int_equal(recording_save(copy, b, &info, err, sizeof err), 0);
	assert_int_equal(recording_load(copy, 1, c, &again, err, sizeof err), 9);
	assert_string_equal(err, "");
	assert_same_log(b, c);
	assert_string_equal(again.target, info.target);
	assert_int_equal(again.start / 1000, info.start / 1000);
	assert_string_equal(again.options, info.options);
	assert_string_equal(again.reason, "server closed");
	assert_int_equal(again.events, 9);
	recording_info_free(&info);
	recording_info_free(&again);
	evlog_free(a);
	evlog_free(b);
	evlog_free(c);
	free(path);
	free(copy);
}

/* The event of log whose data is text, or fail. */
static const struct event *
find(const struct evlog *log, enum ev_dir side, const char *text)
{
	const struct event	*ev;
	size_t			 i;

	for (i = 0; (ev = evlog_get(log, i)) != NULL; i++)
		if (ev->kind == EV_DATA && ev->dir == side &&
		    strcmp(ev->data, text) == 0)
			return ev;
	fail_msg("no event \"%s\"", text);
	return NULL;
}

static void
assert_class(const struct event *ev, unsigned code, enum reply_status st,
    const char *verb, uint8_t bits, const char *esc)
{
	const char	*e;
	size_t		 n = ev_esc(ev, &e);

	assert_int_equal(ev->cls.code, code);
	assert_int_equal(ev->cls.status, st);
	if (verb == NULL)
		assert_null(ev_verb(ev));
	else
		assert_string_equal(ev_verb(ev), verb);
	assert_int_equal(ev->cls.bits, bits);
	assert_int_equal(n, esc != NULL ? strlen(esc) : 0);
	if (esc != NULL)
		assert_memory_equal(e, esc, n);
}

/*
 * A stored format-1 recording (written before events carried their
 * classification) loads with every data event classified by the engine,
 * and saved again (format 4) gives back the same classes without it.
 */
static void
test_format1_classified(void **state)
{
	static const char *const files[] = {
		"tests/data/v1-smtp.jsonl", "tests/data/v1-imap.jsonl",
		"tests/data/v1-pop3.jsonl", "tests/data/session.jsonl",
	};
	struct recording_info	 info, again;
	struct evlog		*a, *b;
	const struct event	*x, *y, *ev;
	const char		*tag;
	char			*copy, err[256], name[32];
	size_t			 i, k;

	(void)state;
	a = evlog_new(true);
	assert_true(recording_load_classified(files[0], 1, a, &info, err,
	    sizeof err) > 0);
	assert_int_equal(info.format, 1);
	assert_class(find(a, DIR_SERVER, "220 lab.mailscope.test ESMTP "
	    "mailscope-lab (scenario good)"), 220, RS_OK, NULL,
	    EVC_FINAL | EVC_GREETING, NULL);
	assert_class(find(a, DIR_SERVER, "250-PIPELINING"), 250, RS_OK,
	    "EHLO", 0, NULL);
	assert_class(find(a, DIR_SERVER, "220 2.0.0 Ready to start TLS"), 220,
	    RS_OK, "STARTTLS", EVC_FINAL | EVC_TLS_GO, "2.0.0");
	assert_class(find(a, DIR_SERVER, "334 VXNlcm5hbWU6"), 334,
	    RS_INTERMEDIATE, "AUTH", EVC_FINAL | EVC_CONT, NULL);
	assert_class(find(a, DIR_CLIENT, "[redacted: AUTH LOGIN password, 8 "
	    "bytes]"), 0, RS_NONE, "AUTH", EVC_CONT | EVC_SECRET, NULL);
	assert_class(find(a, DIR_SERVER, "354 End data with <CR><LF>.<CR><LF>"),
	    354, RS_INTERMEDIATE, "DATA", EVC_FINAL | EVC_CONT, NULL);
	assert_class(find(a, DIR_SERVER, "250 2.1.5 Ok"), 250, RS_OK, "RCPT",
	    EVC_FINAL, "2.1.5");
	assert_class(find(a, DIR_CLIENT, "MAIL FROM:<a@b.c>"), 0, RS_NONE,
	    "MAIL", 0, NULL);
	recording_info_free(&info);
	evlog_free(a);

	a = evlog_new(true);
	assert_true(recording_load_classified(files[1], 1, a, &info, err,
	    sizeof err) > 0);
	ev = find(a, DIR_SERVER, "a006 OK FETCH completed");
	assert_class(ev, 0, RS_OK, "FETCH", EVC_FINAL, NULL);
	assert_int_equal(ev_tag(ev, &tag), 4);
	assert_class(find(a, DIR_SERVER, "+ Ready for literal data"), 0,
	    RS_INTERMEDIATE, "APPEND", EVC_FINAL | EVC_CONT, NULL);
	assert_class(find(a, DIR_SERVER, ")"), 0, RS_NONE, "FETCH", 0, NULL);
	assert_class(find(a, DIR_CLIENT, "hello"), 0, RS_NONE, "APPEND",
	    EVC_CONT, NULL);
	recording_info_free(&info);
	evlog_free(a);

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		a = evlog_new(true);
		b = evlog_new(true);
		assert_true(recording_load_classified(files[i], 1, a, &info,
		    err, sizeof err) > 0);
		snprintf(name, sizeof name, "v2-%zu.jsonl", i);
		copy = path_of(name);
		assert_int_equal(recording_save(copy, a, &info, err,
		    sizeof err), 0);
		assert_int_equal(recording_load(copy, 1, b, &again, err,
		    sizeof err), (int)evlog_count(a));
		assert_int_equal(again.format, 4);
		for (k = 0; k < evlog_count(a); k++) {
			x = evlog_get(a, k);
			y = evlog_get(b, k);
			assert_memory_equal(&x->cls, &y->cls, sizeof x->cls);
		}
		recording_info_free(&info);
		recording_info_free(&again);
		free(copy);
		evlog_free(a);
		evlog_free(b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_symlink_refused),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_two_recordings),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_file_size_limit),
		cmocka_unit_test(test_unretained),
		cmocka_unit_test(test_replaying),
		cmocka_unit_test(test_save),
		cmocka_unit_test(test_format1_classified),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
