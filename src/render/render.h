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

#endif /* MAILSCOPE_RENDER_H */
