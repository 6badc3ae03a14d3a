/* SPDX-License-Identifier: ISC */
/*
 * render: curses-free views of a log.  The text view (batch, export txt),
 * a Markdown handout, a self-contained HTML page with an SVG sequence
 * diagram, and the sequence (ladder) model that diagram and the screen's
 * ladder pane both draw.  Every byte from the network goes through the
 * sanitizer.
 */
#ifndef MAILSCOPE_RENDER_H
#define MAILSCOPE_RENDER_H

#include "base/base.h"
#include "log/log.h"
#include "explain/explain.h"

/* text.c: one event as batch prints it; open says a chunked body is
 * being printed (it ends with a newline of its own when closed). */
void	 render_event(const struct evlog *, const struct event *,
	    struct buf *, bool *);
/* The marks before each line: batch's and the text export's (->, <~,
 * **, ==, #) or the screen's and the Markdown's (C:, S~, !!, --, ##). */
enum render_marks {
	RM_TEXT,
	RM_SCREEN,
};
void	 render_event_marked(const struct evlog *, const struct event *,
	    struct buf *, bool *, enum render_marks);
const char *render_mark(const struct event *, enum render_marks);
void	 render_chunk(const struct event *, const char *, struct buf *,
	    bool *);
void	 render_tls(const struct tls_facts *, int64_t, struct buf *);
void	 render_compare(const struct tls_facts *, const struct tls_facts *,
	    struct buf *);
void	 render_flags(const struct event *, struct buf *);

/* "Now" for a recording: its end. */
int64_t	 render_now(const struct evlog *, const struct recording_info *);

/*
 * A whole recording, for export.  With explain set (the protocol given),
 * the handouts carry the glosses under each line.
 */
struct render_opts {
	bool		 explain;
	enum proto_id	 proto;
};
/* With explain: each gloss of a line as a line of its own, lead and tail
 * around the text esc writes. */
typedef void	(*render_esc)(struct buf *, const char *, size_t);
void	 render_glosses(const struct event *, const struct render_opts *,
	    const char *, const char *, render_esc, struct buf *);
void	 render_txt(const struct evlog *, const struct recording_info *,
	    struct buf *);
void	 render_md(const struct evlog *, const struct recording_info *,
	    const struct render_opts *, struct buf *);
void	 render_html(const struct evlog *, const struct recording_info *,
	    const struct render_opts *, struct buf *);

/*
 * ladder.c: the sequence (ladder) diagram as rows, built from the events
 * and their classes alone.  One row per line that crossed the wire (the
 * lines of a reply each their own: an EHLO reply is never folded), bytes
 * injected after the STARTTLS go-ahead as their own kind, the TLS
 * boundary, notes, warnings, and where a connection ends.  Only a message
 * body or a literal is one row for all its lines.  Rows name their event
 * by its place in the log; ladder_label() words a row for every view.
 */
enum ladder_kind {
	LR_CLIENT,		/* an arrow from the client to the server */
	LR_SERVER,		/* an arrow from the server to the client */
	LR_INJECTED,		/* bytes sent after the STARTTLS go-ahead */
	LR_HANDSHAKE,		/* TLS handshake messages, in one row */
	LR_TLS,			/* the TLS boundary: the handshake done */
	LR_NOTE,		/* a note, a mark, what TLS changed */
	LR_WARNING,		/* a warning or an error */
	LR_BREAK,		/* the connection ended */
	LR_MAX
};

#define LRF_TLS		0x01	/* inside TLS */
#define LRF_LESSON	0x02	/* STARTTLS, its answer, stripping, injection */
#define LRF_BODY	0x04	/* a body or literal: lines in one row */

struct ladder_row {
	uint32_t	 seq;		/* the event (a body's first) */
	uint32_t	 nlines;		/* a body's lines, a handshake's
					 * messages; 1 otherwise */
	uint16_t	 conn;		/* the connection, from 0 */
	uint8_t		 kind;		/* enum ladder_kind */
	uint8_t		 bits;		/* LRF_* */
	uint8_t		 dir;		/* enum ev_dir of an arrow */
	uint32_t	 facts;		/* a handshake's end: the event
					 * with its TLS facts; 0 none yet */
};

struct ladder {
	struct ladder_row	*rows;
	size_t			 n, cap;
	uint16_t		 conn;
	bool			 closed;	/* the next event: a new one */
	bool			 partial;	/* a chunk ended inside a line */
};

void	 ladder_init(struct ladder *);
void	 ladder_free(struct ladder *);		/* and ready for reuse */
void	 ladder_event(struct ladder *, const struct evlog *,
	    const struct event *);
void	 ladder_log(struct ladder *, const struct evlog *);
size_t	 ladder_find(const struct ladder *, uint32_t);	/* row of seq */
void	 ladder_label(const struct evlog *, const struct ladder_row *,
	    struct buf *);
/* The legend of every drawing of it: a name and what it means. */
struct ladder_key {
	const char	*name;
	const char	*css;		/* the SVG's class for it */
	bool		 arrow;		/* drawn as an arrow, else a box */
	const char	*desc;
};
size_t	 ladder_legend(const struct ladder_key **);
/* The connections: how many, and the last event of each. */
size_t	 ladder_conns(const struct ladder *, const struct evlog *);
size_t	 ladder_conn_end(const struct ladder *, const struct evlog *,
	    size_t);

/*
 * sidebyside.c: two logs cut into protocol steps (from the events'
 * classes), the steps paired, and what differs in each pair: the model
 * the side-by-side screen and export --compare both draw.
 */
enum sbs_kind {
	SBS_START,		/* connecting, until the server speaks */
	SBS_GREETING,
	SBS_COMMAND,		/* a client line and what answers it */
	SBS_STARTTLS,
	SBS_HANDSHAKE,
	SBS_CLOSE,
};

struct sbs_step {
	enum sbs_kind	 kind;
	uint8_t		 verb;		/* the command's ev_verb_id() */
	size_t		 first;		/* its events: [first, end) */
	size_t		 end;
};

#define SBS_ONLY	0x01	/* one side has no such step */
#define SBS_REPLY	0x02	/* a different reply code or status */
#define SBS_CAPS	0x04	/* the capability lists differ */
#define SBS_TLS		0x08	/* version, cipher or verdict */
#define SBS_WARN	0x10	/* a warning on one side only */
#define SBS_INJECTED	0x20	/* injected lines on one side */

struct sbs_row {
	struct sbs_step	 side[2];
	bool		 has[2];
	unsigned	 diff;		/* SBS_*, 0: alike */
	char		*note;		/* the difference in words, or NULL */
	struct strv	 only[2];	/* SBS_CAPS: listed by this side only */
	size_t		 reply[2];	/* SBS_REPLY: the final replies */
};

struct sbs {
	struct sbs_row	*rows;
	size_t		 nrows, cap;
	size_t		 ndiff;		/* rows that differ */
};

void	 sbs_build(struct sbs *, const struct evlog *const[2],
	    const char *const[2]);
void	 sbs_free(struct sbs *);	/* and ready for reuse */
const char *sbs_step_name(const struct evlog *, const struct sbs_step *);
const char *sbs_row_name(const struct evlog *const[2],
	    const struct sbs_row *);
void	 sbs_lines(const struct evlog *, const struct sbs_row *, int, size_t,
	    struct strv *);
void	 sbs_tls_line(const struct digest *, struct buf *);
void	 render_sidebyside(const struct sbs *, const struct evlog *const[2],
	    const char *const[2], int, struct buf *);

#endif /* MAILSCOPE_RENDER_H */
