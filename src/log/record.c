/* SPDX-License-Identifier: ISC */
/*
 * Recordings: the event log as JSON Lines in a file, written so that a
 * crash at any moment leaves every complete event readable.
 *
 * Each event is one line, never split over two write(2)s on an O_APPEND
 * descriptor, with no stdio buffer in between.  With a loop, the events
 * of one turn of the loop (one read from the server may be thousands of
 * body lines) go out in one write before the loop waits again; events
 * that matter for security are written at once and pushed to the disk
 * with fdatasync.  When the file cannot be written (full disk,
 * size limit, I/O error) the recording stops and says so once; the
 * session goes on.  An existing file is appended to with a new header,
 * never truncated, and a symbolic link is never followed; a file another
 * recorder holds, or one that another user owns or could read, is
 * refused before anything is sent.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log/log.h"

/* Written before this much waits, whatever the loop does. */
#define PENDING_MAX	(256 * 1024)
/* A longer line is a bad line (events are at most a few hundred KiB). */
#define REC_LINE_MAX	(16 * 1024 * 1024)

struct recorder {
	int			 fd;
	struct evlog		*log;
	struct buf		 pending;	/* whole lines not written yet */
	struct timer		*flush;		/* NULL: every event at once */
	bool			 failed;
	char			 error[256];
	recorder_fail_cb	 fail_cb;
	void			*fail_arg;
};

/* Write all of it, retrying short writes; 0 or an errno. */
static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (n == 0)
			return EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The JSON text and its newline, in a single write. */
static int
write_line(int fd, const char *json)
{
	struct buf	b = { 0 };
	int		rv;

	buf_adds(&b, json);
	buf_addc(&b, '\n');
	rv = write_all(fd, b.p, b.len);
	buf_free(&b);
	return rv;
}

static void
recorder_stop(struct recorder *rec, int error)
{
	rec->failed = true;
	snprintf(rec->error, sizeof rec->error, "RECORDING STOPPED: %s",
	    strerror(error));
	close(rec->fd);
	rec->fd = -1;
	if (rec->fail_cb != NULL)
		rec->fail_cb(rec->error, rec->fail_arg);
}

static bool
must_sync(const struct event *ev)
{
	return (ev->flags & EVF_SECURITY) || ev->kind == EV_TLS_ESTABLISHED ||
	    ev->kind == EV_VERIFY;
}

/* Write the pending lines (and sync them); false once stopped. */
static bool
flush_pending(struct recorder *rec, bool sync)
{
	int	error;

	if (rec->failed)
		return false;
	error = write_all(rec->fd, rec->pending.p, rec->pending.len);
	buf_reset(&rec->pending);
	if (error == 0 && sync && fdatasync(rec->fd) == -1)
		error = errno;
	if (error != 0) {
		recorder_stop(rec, error);
		return false;
	}
	return true;
}

static void
flush_cb(void *arg)
{
	flush_pending(arg, false);
}

static void
recorder_event(const struct event *ev, void *arg)
{
	struct recorder	*rec = arg;

	if (rec->failed)
		return;
	event_json(rec->log, ev, &rec->pending);
	buf_addc(&rec->pending, '\n');
	if (rec->flush == NULL || must_sync(ev) ||
	    rec->pending.len >= PENDING_MAX) {
		if (rec->flush != NULL)
			timer_cancel(rec->flush);
		flush_pending(rec, must_sync(ev));
	} else if (!timer_pending(rec->flush))
		timer_set(rec->flush, 0);
}

/*
 * Open path for writing, refusing what is not a plain file of ours that
 * only we can read (a recording holds the transcript and may hold
 * secrets); excl: the file must not exist yet.  Returns the descriptor
 * or -1.
 */
static int
open_file(const char *path, bool excl, char *err, size_t errlen)
{
	struct stat	 st;
	int		 fd, error;

	if ((fd = file_open_write(path, excl ? O_EXCL : O_APPEND, true, err,
	    errlen)) == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Two sessions in one file would interleave their events. */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "%s: another mailscope is "
			    "recording into it", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/*
	 * Appending: start on a fresh line even if the last recording was
	 * cut inside one.  Readers skip empty lines.
	 */
	if (st.st_size > 0 && (error = write_all(fd, "\n", 1)) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(error));
		close(fd);
		return -1;
	}
	return fd;
}

/* Every event of a retained log, in writes of many lines each. */
static int
write_events(int fd, const struct evlog *log)
{
	struct buf	 b = { 0 };
	size_t		 i, n = evlog_count(log);
	int		 error = 0;

	for (i = 0; i < n && error == 0; i++) {
		event_json(log, evlog_at(log, i), &b);
		buf_addc(&b, '\n');
		if (b.len >= 64 * 1024 || i + 1 == n) {
			error = write_all(fd, b.p, b.len);
			buf_reset(&b);
		}
	}
	buf_free(&b);
	return error;
}

static struct recorder *
open_recorder(const char *path, struct evlog *log, const char *header,
    bool replay, char *err, size_t errlen)
{
	struct recorder	*rec;
	int		 fd, error;

	if ((fd = open_file(path, false, err, errlen)) == -1)
		return NULL;
	error = write_line(fd, header);
	if (error == 0 && replay)
		error = write_events(fd, log);
	if (error == 0 && fdatasync(fd) == -1)
		error = errno;
	if (error != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(error));
		close(fd);
		return NULL;
	}
	rec = xcalloc(1, sizeof *rec);
	rec->fd = fd;
	rec->log = log;
	evlog_subscribe(log, recorder_event, rec);
	return rec;
}

struct recorder *
recorder_open(const char *path, struct evlog *log, const char *header,
    char *err, size_t errlen)
{
	return open_recorder(path, log, header, false, err, errlen);
}

/* Recording started mid-session: the file still begins at the start. */
struct recorder *
recorder_open_replaying(const char *path, struct evlog *log,
    const char *header, char *err, size_t errlen)
{
	return open_recorder(path, log, header, true, err, errlen);
}

int
recording_save(const char *path, const struct evlog *log,
    const struct recording_info *info, char *err, size_t errlen)
{
	char	*header, *trailer;
	int	 fd, error;

	if ((fd = open_file(path, true, err, errlen)) == -1)
		return -1;
	header = recording_info_header_json(info);
	trailer = recording_info_trailer_json(info, evlog_count(log));
	error = write_line(fd, header);
	if (error == 0)
		error = write_events(fd, log);
	if (error == 0)
		error = write_line(fd, trailer);
	if (error == 0 && fdatasync(fd) == -1)
		error = errno;
	if (close(fd) == -1 && error == 0)
		error = errno;
	free(header);
	free(trailer);
	if (error != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(error));
		return -1;
	}
	return 0;
}

/* Gather the events of each turn of loop into one write. */
void
recorder_set_loop(struct recorder *rec, struct loop *loop)
{
	if (rec->flush == NULL)
		rec->flush = timer_new(loop, flush_cb, rec);
}

void
recorder_set_fail_cb(struct recorder *rec, recorder_fail_cb cb, void *arg)
{
	rec->fail_cb = cb;
	rec->fail_arg = arg;
}

bool
recorder_failed(const struct recorder *rec)
{
	return rec->failed;
}

const char *
recorder_error(const struct recorder *rec)
{
	return rec->failed ? rec->error : NULL;
}

/*
 * Write the trailer ("quit", "server closed", "error", "signal",
 * "terminal closed") with the exit code, when known (else -1).
 */
void
recorder_close(struct recorder *rec, const char *reason, int exit)
{
	char	*json;
	int	 error;

	if (rec == NULL)
		return;
	evlog_unsubscribe(rec->log, recorder_event, rec);
	timer_free(rec->flush);
	if (flush_pending(rec, false)) {
		json = recording_trailer_json(rec->log, reason, exit);
		error = write_line(rec->fd, json);
		free(json);
		/* No fdatasync: the security events are on the disk
		 * already, and the rest (a 50 MB body) would make every
		 * exit wait for it. */
		if (error != 0)
			recorder_stop(rec, error);
		else
			close(rec->fd);
	}
	buf_free(&rec->pending);
	free(rec);
}

/*
 * A header line as mailscope writes it: "mailscope" is its first member.
 * Enough to count the recordings of a file without parsing every event.
 */
static bool
looks_like_header(const char *line)
{
	return strncmp(line, "{\"mailscope\":", 13) == 0;
}

/* A recording read in blocks, a line at a time. */
struct lines {
	FILE	*f;
	size_t	 pos, len;
	char	 in[64 * 1024];
};

/*
 * The next line into b, without its end of line, NUL-terminated; *eol
 * false when the file ends inside it.  Only the first REC_LINE_MAX bytes
 * are kept (the rest is read past), so a 1 GiB line costs no more than
 * that.  Returns its whole length, or -1 at the end of the file.
 */
static ssize_t
read_line(struct lines *l, struct buf *b, bool *eol)
{
	size_t	 total = 0, take, keep;
	char	*nl;

	buf_reset(b);
	*eol = false;
	for (;;) {
		if (l->pos == l->len) {
			l->pos = 0;
			if ((l->len = fread(l->in, 1, sizeof l->in, l->f)) == 0)
				break;
		}
		nl = memchr(l->in + l->pos, '\n', l->len - l->pos);
		take = (nl != NULL ? (size_t)(nl - l->in) : l->len) - l->pos;
		keep = total < REC_LINE_MAX ? REC_LINE_MAX - total : 0;
		buf_add(b, l->in + l->pos, take < keep ? take : keep);
		total += take;
		l->pos += take;
		if (nl != NULL) {
			l->pos++;
			*eol = true;
			break;
		}
	}
	if (total == 0 && !*eol)
		return -1;
	return (ssize_t)total;
}

/*
 * Load recording nth (from 1) of a file into a log; --record appends, so
 * a file may hold several.  A line that does not parse (a crash cut it,
 * or the file was damaged) ends the loading there: err says "line N:
 * why" and every event before it is kept; so does a line longer than
 * REC_LINE_MAX, or the log reaching evlog_max(): memory stays bounded
 * whatever the file holds.  info->count says how many
 * recordings the file holds.  Returns the number of events loaded, -1
 * when there is no such recording to load.
 */
int
recording_load(const char *path, unsigned nth, struct evlog *log,
    struct recording_info *info, char *err, size_t errlen)
{
	return recording_load_sink(path, nth, log, NULL, info, err, errlen);
}

int
recording_load_sink(const char *path, unsigned nth, struct evlog *log,
    const struct rec_sink *sink, struct recording_info *info, char *err,
    size_t errlen)
{
	struct recording_info	 next;
	FILE			*f;
	struct lines		 ls;
	struct buf		 b = { 0 };
	char			*line, msg[256];
	size_t			 lineno = 0, before, max = evlog_max();
	ssize_t			 n;
	unsigned		 count = 0;
	bool			 eol;
	int			 rv;
	enum { FIRST, SKIP, LOAD, DONE } st = FIRST;

	memset(info, 0, sizeof *info);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (nth == 0)
		nth = 1;
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	before = evlog_count(log);
	evlog_keep_times(log);
	ls.f = f;
	ls.pos = ls.len = 0;
	while ((n = read_line(&ls, &b, &eol)) != -1) {
		lineno++;
		line = b.p;
		if (n == 0)
			continue;
		/* Around the one loaded, headers are only counted. */
		if (st == SKIP || st == DONE) {
			if (!looks_like_header(line) || ++count != nth ||
			    st == DONE)
				continue;
		}
		if (st == LOAD && evlog_bytes(log) > max &&
		    !looks_like_header(line)) {
			snprintf(err, errlen, "line %zu: the events before it "
			    "fill %zu MiB, the most kept in memory "
			    "(MAILSCOPE_LOG_MAX); loading stops there", lineno,
			    max >> 20);
			info->truncated = true;
			st = DONE;
			continue;
		}
		if (n > REC_LINE_MAX) {
			snprintf(msg, sizeof msg, "longer than %d MiB, the "
			    "most a recording line may be", REC_LINE_MAX >> 20);
			rv = -1;
		} else if ((size_t)n != strlen(line)) {
			snprintf(msg, sizeof msg, "a NUL byte in the line");
			rv = -1;
		} else if (st != LOAD) {
			/* No log: an event here is an error, not loaded. */
			rv = recording_parse_line(NULL, line, info, msg,
			    sizeof msg);
		} else {
			memset(&next, 0, sizeof next);
			/* Only format 1 needs its classification rebuilt. */
			rv = recording_parse_line_sink(log, info->format < 2 ?
			    sink : NULL, line, &next, msg, sizeof msg);
		}
		if (rv == -1 && st == LOAD) {
			snprintf(err, errlen, "line %zu: %s%s", lineno, msg,
			    eol ? "" : " (the file ends inside this line)");
			info->truncated = true;
			st = DONE;
			continue;
		}
		if (st != LOAD) {
			if (rv != REC_HEADER) {
				snprintf(err, errlen, "%s: line %zu: %s", path,
				    lineno, rv == -1 ? msg :
				    "no recording header");
				goto fail;
			}
			if (st == FIRST)
				count = 1;
			if (count < nth) {
				recording_info_free(info);
				st = SKIP;
				continue;
			}
			st = LOAD;
			evlog_set_wall_base(log, info->start);
			continue;
		}
		if (rv == REC_HEADER) {
			recording_info_free(&next);
			count++;
			st = DONE;
			continue;
		}
		if (rv == REC_TRAILER) {
			free(info->reason);
			info->reason = next.reason;
			info->ended = true;
			info->end = next.end;
			info->events = next.events;
		}
	}
	if (ferror(f) && !info->truncated) {
		snprintf(err, errlen, "line %zu: %s", lineno + 1,
		    strerror(errno));
		info->truncated = true;
	}
	if (st == FIRST) {
		snprintf(err, errlen, "%s: empty, not a recording", path);
		goto fail;
	}
	if (st == SKIP) {
		snprintf(err, errlen, "%s holds %u recording%s, not %u", path,
		    count, count == 1 ? "" : "s", nth);
		goto fail;
	}
	buf_free(&b);
	fclose(f);
	if (sink != NULL && info->format < 2)
		sink->end(sink->arg);
	if (info->truncated)
		info->damage = xstrdup(err);
	info->nth = nth;
	info->count = count;
	return (int)(evlog_count(log) - before);

fail:
	recording_info_free(info);
	buf_free(&b);
	fclose(f);
	return -1;
}
