/* SPDX-License-Identifier: ISC */
/*
 * The target list of probe --targets: read as it goes, a buffer's worth
 * at a time, so a list of any length costs the same memory.  The caller
 * polls the fd and calls targets_fill() when it is readable: one read(2)
 * each, which never blocks then, and the fd stays as it was given (no
 * O_NONBLOCK on a shared standard input).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

#define STR(x)		STR1(x)
#define STR1(x)		#x
#define ROOM		(TARGETS_LINE_MAX + 1)	/* a whole line and its LF */
#define SHOWN		64	/* of an overlong line, in its result */

void
targets_init(struct targets *t, int fd)
{
	memset(t, 0, sizeof *t);
	t->fd = fd;
}

int
targets_fill(struct targets *t)
{
	ssize_t	n;

	if (t->off > 0) {
		memmove(t->buf, t->buf + t->off, t->len - t->off);
		t->len -= t->off;
		t->off = 0;
	}
	n = read(t->fd, t->buf + t->len, ROOM - t->len);
	if (n == -1)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		t->eof = true;
	t->len += (size_t)n;
	return 0;
}

int
targets_next(struct targets *t, struct target_line *tl)
{
	char	*p, *end, *nl;
	size_t	 n, len;

	for (;;) {
		p = t->buf + t->off;
		n = t->len - t->off;
		if ((nl = memchr(p, '\n', n)) == NULL) {
			if (t->skip) {
				/* The rest of an overlong line: dropped. */
				t->off = t->len = 0;
				return t->eof ? -1 : 0;
			}
			if (n == ROOM) {
				t->skip = true;
				t->line++;
				p[SHOWN] = '\0';
				tl->url = p;
				tl->error = "the line is longer than "
				    STR(TARGETS_LINE_MAX) " bytes";
				tl->line = t->line;
				/* The bytes stay until the next fill. */
				t->off = t->len = 0;
				return 1;
			}
			if (!t->eof)
				return 0;
			if (n == 0)
				return -1;
			nl = p + n;	/* the last line, without its LF */
		}
		*nl = '\0';
		t->off = (size_t)(nl - t->buf) + (nl < t->buf + t->len);
		if (t->skip) {
			t->skip = false;
			continue;
		}
		t->line++;
		tl->line = t->line;
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			p[--len] = '\0';
		end = p + len;
		if (strlen(p) < len) {
			tl->url = p;
			tl->error = "the line holds a NUL byte";
			return 1;
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (p == end || *p == '#')
			continue;
		tl->url = p;
		tl->error = NULL;
		return 1;
	}
}
