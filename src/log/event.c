/* SPDX-License-Identifier: ISC */
/*
 * The event log: append-only, the single source of truth for every view.
 *
 * Event headers live in fixed blocks and their bytes in an arena, so a
 * million transcript lines cost little more than their text.  A log made
 * with retain=false keeps only the event being delivered (batch mode):
 * memory then stays flat whatever the server sends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"

/* What a transcript line costs besides its bytes (make bench, TUI memory). */
_Static_assert(sizeof(struct event) <= 40, "struct event grew");

/* The memory of a million lines rests on these. */
_Static_assert(sizeof(struct event) == 32, "struct event grew");
_Static_assert(EV_KIND_MAX <= 32, "enum ev_kind outgrew its bits");

#define BLOCK_EVENTS	4096
#define ARENA_CHUNK	(1024 * 1024)
#define ARENA_BIG	(ARENA_CHUNK / 4)	/* own allocation above this */

struct sub {
	ev_sub	 fn;
	void	*arg;
};

struct evlog {
	bool		  retain;
	bool		  keep_times;	/* events come with their time */
	struct event	**blocks;
	size_t		  nblocks;
	size_t		  count;
	char		**chunks;	/* arena chunks and big payloads */
	size_t		  nchunks;
	size_t		  chunk_used;	/* in chunks[cur] */
	size_t		  cur;		/* current arena chunk, or SIZE_MAX */
	size_t		  bytes;	/* blocks and arena held */
	struct event	  scratch;	/* !retain: the event in delivery */
	struct buf	  scratch_data;
	struct sub	 *subs;
	size_t		  nsubs;
	int64_t		  mono_base;
	int64_t		  wall_base;
};

static const char *kind_names[EV_KIND_MAX] = {
	"connect", "data", "tls-step", "tls-established", "verify",
	"capability-diff", "info", "warning", "error", "note", "mark",
	"close", "state", "capabilities", "ready", "dns", "verdict",
};
static const char *status_names[RS_MAX] = {
	"none", "ok", "intermediate", "tempfail", "no", "bad", "bye",
	"preauth",
};

/*
 * The verbs of the five protocols, one id each (index + 1): a class
 * names its command in one byte; anything else goes in the extra.
 */
static const char *const verb_names[] = {
	"APOP", "APPEND", "AUTH", "AUTHENTICATE", "BDAT", "CAPA",
	"CAPABILITY", "CHECK", "CHECKSCRIPT", "CLOSE", "COMPRESS",
	"COPY", "CREATE", "DATA", "DELE", "DELETE", "DELETEACL",
	"DELETESCRIPT", "DONE", "EHLO", "ENABLE", "ESEARCH", "ETRN",
	"EXAMINE", "EXPN", "EXPUNGE", "FETCH", "GETACL", "GETMETADATA",
	"GETQUOTA", "GETQUOTAROOT", "GETSCRIPT", "HAVESPACE", "HELO",
	"HELP", "ID", "IDLE", "LAST", "LHLO", "LIST", "LISTRIGHTS",
	"LISTSCRIPTS", "LOGIN", "LOGOUT", "LSUB", "MAIL", "MOVE",
	"MYRIGHTS", "NAMESPACE", "NOOP", "NOTIFY", "PASS", "PUTSCRIPT",
	"QUIT", "RCPT", "RENAME", "RENAMESCRIPT", "REPLACE", "RETR",
	"RSET", "SEARCH", "SELECT", "SETACL", "SETACTIVE",
	"SETMETADATA", "SETQUOTA", "SORT", "STARTTLS", "STAT",
	"STATUS", "STLS", "STORE", "SUBSCRIBE", "THREAD", "TOP", "UID",
	"UIDL", "UNAUTHENTICATE", "UNSELECT", "UNSUBSCRIBE", "USER",
	"UTF8", "VRFY", "XLIST",
};
#define NVERBS	(sizeof verb_names / sizeof verb_names[0])
_Static_assert(NVERBS < UINT8_MAX, "verb ids fit a byte");

static const char *dir_names[] = { "client", "server", "local" };
static const char *chan_names[] = { "plain", "tls" };
static const char *flag_names[] = {
	"bare-lf", "bare-cr", "split", "nul", "no-eol", "literal",
	"dot-stuffed", "redacted", "injected", "end", "late", "body",
	"malformed", "unsolicited", "not-redacted", "security", "lines",
	"pipelined",
};

struct evlog *
evlog_new(bool retain)
{
	struct evlog	*log;

	log = xcalloc(1, sizeof *log);
	log->retain = retain;
	log->cur = SIZE_MAX;
	log->mono_base = mono_ns();
	log->wall_base = wall_ns();
	return log;
}

/* The extra of an event sits in the word before its bytes. */
#define XSIZE	sizeof(struct ev_extra *)

const struct ev_extra *
ev_extra(const struct event *ev)
{
	struct ev_extra	*x;

	if (!ev->has_x)
		return NULL;
	memcpy(&x, ev->data - XSIZE, XSIZE);
	return x;
}

/* The log's own, to free it. */
static struct ev_extra *
extra_of(const struct event *ev)
{
	return (struct ev_extra *)ev_extra(ev);
}

void
ev_extra_free(struct ev_extra *x)
{
	if (x == NULL)
		return;
	free(x->code);
	tls_facts_free(x->tls);
	strv_clear(&x->added);
	strv_clear(&x->removed);
	strv_clear(&x->caps);
	dns_answer_free(x->dns);
	free(x);
}

struct ev_extra *
ev_extra_dup(const struct ev_extra *x)
{
	struct ev_extra	*y;

	if (x == NULL)
		return NULL;
	y = xcalloc(1, sizeof *y);
	y->code = x->code != NULL ? xstrdup(x->code) : NULL;
	y->tls = x->tls != NULL ? tls_facts_dup(x->tls) : NULL;
	strv_copy(&y->added, &x->added);
	strv_copy(&y->removed, &x->removed);
	strv_copy(&y->caps, &x->caps);
	y->dns = dns_answer_dup(x->dns);
	return y;
}

void
evlog_free(struct evlog *log)
{
	size_t	i;

	if (log == NULL)
		return;
	for (i = 0; i < log->count && log->retain; i++)
		ev_extra_free(extra_of(
		    &log->blocks[i / BLOCK_EVENTS][i % BLOCK_EVENTS]));
	for (i = 0; i < log->nblocks; i++)
		free(log->blocks[i]);
	for (i = 0; i < log->nchunks; i++)
		free(log->chunks[i]);
	ev_extra_free(extra_of(&log->scratch));
	buf_free(&log->scratch_data);
	free(log->blocks);
	free(log->chunks);
	free(log->subs);
	free(log);
}

void
evlog_subscribe(struct evlog *log, ev_sub fn, void *arg)
{
	log->subs = xreallocarray(log->subs, log->nsubs + 1,
	    sizeof *log->subs);
	log->subs[log->nsubs].fn = fn;
	log->subs[log->nsubs].arg = arg;
	log->nsubs++;
}

void
evlog_unsubscribe(struct evlog *log, ev_sub fn, void *arg)
{
	size_t	i;

	for (i = 0; i < log->nsubs; i++) {
		if (log->subs[i].fn == fn && log->subs[i].arg == arg) {
			memmove(&log->subs[i], &log->subs[i + 1],
			    (log->nsubs - i - 1) * sizeof *log->subs);
			log->nsubs--;
			return;
		}
	}
}

/* Copy the bytes (after x when there is one), NUL-terminated. */
static char *
arena_copy(struct evlog *log, struct ev_extra *x, const void *data,
    size_t len)
{
	char	*p;
	size_t	 pre = x != NULL ? XSIZE : 0;

	len += pre;
	if (len + 1 > ARENA_BIG) {
		log->chunks = xreallocarray(log->chunks, log->nchunks + 1,
		    sizeof *log->chunks);
		p = xmalloc(len + 1);
		log->bytes += len + 1;
		/* Keep the current chunk current: insert before it. */
		if (log->cur != SIZE_MAX) {
			log->chunks[log->nchunks] = log->chunks[log->cur];
			log->chunks[log->cur] = p;
			log->cur = log->nchunks;
		} else
			log->chunks[log->nchunks] = p;
		log->nchunks++;
	} else {
		if (log->cur == SIZE_MAX ||
		    log->chunk_used + len + 1 > ARENA_CHUNK) {
			log->chunks = xreallocarray(log->chunks,
			    log->nchunks + 1, sizeof *log->chunks);
			log->chunks[log->nchunks] = xmalloc(ARENA_CHUNK);
			log->bytes += ARENA_CHUNK;
			log->cur = log->nchunks++;
			log->chunk_used = 0;
		}
		p = log->chunks[log->cur] + log->chunk_used;
		log->chunk_used += len + 1;
	}
	if (x != NULL) {
		memcpy(p, &x, XSIZE);
		p += XSIZE;
		len -= XSIZE;
	}
	if (len > 0)
		memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

const struct event *
evlog_append(struct evlog *log, const struct event *tmpl, const void *data,
    size_t len)
{
	return evlog_append_x(log, tmpl, NULL, data, len);
}

const struct event *
evlog_append_x(struct evlog *log, const struct event *tmpl,
    struct ev_extra *x, const void *data, size_t len)
{
	struct event	*ev;
	size_t		 i;

	if (len > UINT32_MAX - XSIZE)
		fatalx("event of %zu bytes", len);
	if (log->retain) {
		if (log->count / BLOCK_EVENTS >= log->nblocks) {
			log->blocks = xreallocarray(log->blocks,
			    log->nblocks + 1, sizeof *log->blocks);
			log->blocks[log->nblocks++] = xcalloc(BLOCK_EVENTS,
			    sizeof **log->blocks);
			log->bytes += BLOCK_EVENTS * sizeof **log->blocks;
		}
		ev = &log->blocks[log->count / BLOCK_EVENTS]
		    [log->count % BLOCK_EVENTS];
		*ev = *tmpl;
		ev->data = arena_copy(log, x, data, len);
	} else {
		ev_extra_free(extra_of(&log->scratch));
		ev = &log->scratch;
		*ev = *tmpl;
		buf_reset(&log->scratch_data);
		if (x != NULL)
			buf_add(&log->scratch_data, &x, XSIZE);
		buf_add(&log->scratch_data, data, len);
		ev->data = log->scratch_data.p + (x != NULL ? XSIZE : 0);
	}
	ev->has_x = x != NULL;
	ev->len = (uint32_t)len;
	log->count++;
	if (!log->keep_times)
		ev->t_ns = mono_ns() - log->mono_base;
	for (i = 0; i < log->nsubs; i++)
		log->subs[i].fn(ev, log->subs[i].arg);
	return ev;
}

/*
 * A data event that holds lines with their ends of line, not one line
 * without it: an IMAP literal chunk (cut anywhere) or a run of body lines.
 */
bool
ev_is_chunk(const struct event *ev)
{
	return ev->kind == EV_DATA && (ev->flags & (EVF_LITERAL | EVF_LINES));
}

/*
 * The next line of a chunk from *pos (0 to begin): *line and *len without
 * its end of line; false at the end.  *eol is false for the last line of
 * a literal chunk cut inside a line: the next chunk goes on with it.
 */
bool
ev_chunk_line(const struct event *ev, size_t *pos, const char **line,
    size_t *len, bool *eol)
{
	const char	*p = ev->data + *pos, *nl;
	size_t		 left;

	if (*pos >= ev->len)
		return false;
	left = ev->len - *pos;
	nl = memchr(p, '\n', left);
	*line = p;
	*len = nl != NULL ? (size_t)(nl - p) : left;
	*pos += *len + (nl != NULL);
	*eol = nl != NULL;
	if (*eol && *len > 0 && p[*len - 1] == '\r')
		(*len)--;
	return true;
}

/*
 * The lines a body event adds to its body: a DATA body line is one event,
 * a chunk holds several (a literal's are cut anywhere), so its lines are
 * those that begin in it.  *partial: the previous chunk ended inside a
 * line (false before the first); set for the next.
 */
uint64_t
ev_body_lines(const struct event *ev, bool *partial)
{
	if (!ev_is_chunk(ev))
		return 1;
	return ev_lines(ev->data, ev->len, partial);
}

/* The lines that begin in len bytes of text, *partial as above. */
uint64_t
ev_lines(const char *p, size_t len, bool *partial)
{
	const char	*end = p + len, *lf;
	uint64_t	 n;

	if (len == 0)
		return 0;
	n = *partial ? 0 : 1;
	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL &&
	    lf + 1 != end) {
		n++;
		p = lf + 1;
	}
	*partial = end[-1] != '\n';
	return n;
}

/* What a retained log holds in memory: compared with evlog_max(). */
size_t
evlog_bytes(const struct evlog *log)
{
	return log->bytes;
}

/*
 * The most a retained log (the interactive screen, replay, export) may
 * hold: MAILSCOPE_LOG_MAX MiB, 128 by default.  Past it the screen ends
 * the connection and a recording stops loading, each saying so; batch
 * mode keeps nothing and has no limit.
 */
size_t
evlog_max(void)
{
	const char	*s = getenv("MAILSCOPE_LOG_MAX");
	char		*end;
	unsigned long	 v;

	if (s != NULL && *s >= '1' && *s <= '9') {
		v = strtoul(s, &end, 10);
		if (*end == '\0' && v <= 1024 * 1024)
			return (size_t)v * 1024 * 1024;
	}
	return EVLOG_MAX_DEFAULT;
}

size_t
evlog_count(const struct evlog *log)
{
	return log->count;
}

const struct event *
evlog_get(const struct evlog *log, size_t seq)
{
	if (!log->retain || seq >= log->count)
		return NULL;
	return &log->blocks[seq / BLOCK_EVENTS][seq % BLOCK_EVENTS];
}

/* An event the caller knows is there: a walk below evlog_count(). */
const struct event *
evlog_at(const struct evlog *log, size_t seq)
{
	const struct event	*ev = evlog_get(log, seq);

	if (ev == NULL)
		fatalx("event %zu is not in the log", seq);
	return ev;
}

/*
 * An event's place in the log: the last one appended (what subscribers and
 * the streaming log hand out) at once, any other one by its block.
 */
uint32_t
ev_seq(const struct evlog *log, const struct event *ev)
{
	const struct event	*b;
	size_t			 i;

	if (ev == &log->scratch || (log->count > 0 &&
	    ev == evlog_get(log, log->count - 1)))
		return (uint32_t)(log->count - 1);
	for (i = 0; i < log->nblocks; i++) {
		b = log->blocks[i];
		if (ev >= b && ev < b + BLOCK_EVENTS)
			return (uint32_t)(i * BLOCK_EVENTS + (size_t)(ev - b));
	}
	fatalx("an event not of this log");
}

/* A log loaded from a recording keeps the recorded times. */
void
evlog_keep_times(struct evlog *log)
{
	log->keep_times = true;
}

int64_t
evlog_wall_base(const struct evlog *log)
{
	return log->wall_base;
}

void
evlog_set_wall_base(struct evlog *log, int64_t wall)
{
	log->wall_base = wall;
}

int64_t
evlog_wall(const struct evlog *log, const struct event *ev)
{
	return log->wall_base + ev->t_ns;
}

int64_t
evlog_now(const struct evlog *log)
{
	return mono_ns() - log->mono_base;
}

const char *
ev_kind_name(enum ev_kind k)
{
	return (unsigned)k < EV_KIND_MAX ? kind_names[k] : "unknown";
}

const char *
ev_dir_name(enum ev_dir d)
{
	return (unsigned)d <= DIR_LOCAL ? dir_names[d] : "unknown";
}

const char *
ev_chan_name(enum ev_chan c)
{
	return (unsigned)c <= CHAN_TLS ? chan_names[c] : "unknown";
}

static int
name_index(const char *const *names, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

int
ev_kind_from_name(const char *name)
{
	return name_index(kind_names, EV_KIND_MAX, name);
}

int
ev_dir_from_name(const char *name)
{
	return name_index(dir_names, 3, name);
}

int
ev_chan_from_name(const char *name)
{
	return name_index(chan_names, 2, name);
}

const char *
ev_flag_name(uint32_t bit)
{
	size_t	i;

	for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
		if (bit == (1U << i))
			return flag_names[i];
	return NULL;
}

uint32_t
ev_flag_from_name(const char *name)
{
	int	i;

	i = name_index(flag_names, sizeof flag_names / sizeof flag_names[0],
	    name);
	return i < 0 ? 0 : 1U << i;
}

/* A local event (info, warning, error, note, mark) with a message. */
void
ev_local(struct evlog *log, enum ev_kind kind, enum ev_chan chan,
    const char *code, const char *fmt, ...)
{
	struct event	 ev;
	struct ev_extra	*x = NULL;
	struct buf	 b = { 0 };
	va_list		 ap;

	memset(&ev, 0, sizeof ev);
	ev.kind = (uint8_t)kind;
	ev.dir = DIR_LOCAL;
	ev.chan = (uint8_t)chan;
	if (code != NULL) {
		x = xcalloc(1, sizeof *x);
		x->code = xstrdup(code);
	}
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	evlog_append_x(log, &ev, x, b.p, b.len);
	buf_free(&b);
}

/* State changes and capability lists: data for --json, recordings and
 * exports, not lines of a transcript. */
bool
ev_is_trace(const struct event *ev)
{
	return ev->kind == EV_STATE || ev->kind == EV_CAPS ||
	    ev->kind == EV_READY;
}

static int
verb_cmp(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

/* The id of a verb (upper case), 0 when it is none of ours. */
unsigned
ev_verb_id(const char *verb)
{
	const char *const	*v;

	if (verb == NULL)
		return 0;
	v = bsearch(verb, verb_names, NVERBS, sizeof verb_names[0], verb_cmp);
	return v != NULL ? (unsigned)(v - verb_names) + 1 : 0;
}

/* The command a line is (client) or answers (server), upper case. */
const char *
ev_verb(const struct event *ev)
{
	if (ev->cls.verb == 0 || ev->cls.verb > NVERBS)
		return NULL;
	return verb_names[ev->cls.verb - 1];
}

bool
ev_verb_is(const struct event *ev, const char *verb)
{
	const char	*v = ev_verb(ev);

	return v != NULL && strcmp(v, verb) == 0;
}

/* The IMAP tag the line starts with: its length, 0 for none. */
size_t
ev_tag(const struct event *ev, const char **tag)
{
	*tag = ev->data;
	return ev->cls.tag <= ev->len ? ev->cls.tag : 0;
}

/* The enhanced status code (RFC 3463) of an SMTP reply line. */
size_t
ev_esc(const struct event *ev, const char **esc)
{
	const struct ev_class	*c = &ev->cls;

	if (c->esc_len == 0 || (size_t)c->esc_off + c->esc_len > ev->len)
		return 0;
	*esc = ev->data + c->esc_off;
	return c->esc_len;
}

const char *
ev_status_name(enum reply_status st)
{
	return (unsigned)st < RS_MAX ? status_names[st] : "unknown";
}

int
ev_status_from_name(const char *name)
{
	return name_index(status_names, RS_MAX, name);
}

/*
 * The bytes an event stands for on the wire: its data and the line end
 * the log leaves out (a run of body lines and a literal chunk keep
 * theirs, and so does a raw client line that ended with one), plus the
 * dot dot-stuffing added or took off.  A redacted line counts as shown.
 */
size_t
ev_wire_len(const struct event *ev)
{
	size_t	n = ev->len;

	if (ev->kind != EV_DATA)
		return 0;
	if (ev->flags & EVF_DOTSTUFF)
		n++;
	if (ev->flags & (EVF_LINES | EVF_LITERAL | EVF_SPLIT | EVF_NOEOL))
		return n;
	if (ev->dir == DIR_CLIENT && ev->len > 0 && ev->data[ev->len - 1] ==
	    '\n')
		return n;
	return n + (ev->flags & EVF_BARE_LF ? 1 : 2);
}

/* Is this a warning, error or info of that class (x->code)? */
bool
ev_code_is(const struct event *ev, const char *code)
{
	const struct ev_extra	*x = ev_extra(ev);

	return x != NULL && x->code != NULL && strcmp(x->code, code) == 0;
}

