/* SPDX-License-Identifier: ISC */
/*
 * render: curses-free views of a log.  The text view (batch, export txt),
 * a Markdown handout and a self-contained HTML page with an SVG sequence
 * diagram.  Every byte from the network goes through the sanitizer.
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
void	 render_chunk(const struct event *, const char *, struct buf *,
	    bool *);
void	 render_tls(const struct tls_facts *, int64_t, struct buf *);
void	 render_compare(const struct tls_facts *, const struct tls_facts *,
	    struct buf *);
void	 render_flags(const struct event *, struct buf *);

/* "Now" for a recording: its end. */
int64_t	 render_now(const struct evlog *, const struct recording_info *);

/* A whole recording, for export. */
void	 render_txt(const struct evlog *, const struct recording_info *,
	    struct buf *);
void	 render_md(const struct evlog *, const struct recording_info *,
	    struct buf *);
void	 render_html(const struct evlog *, const struct recording_info *,
	    struct buf *);

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
