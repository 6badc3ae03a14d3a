/* SPDX-License-Identifier: ISC */
/*
 * Frame timing for `make bench`, off unless MAILSCOPE_FRAMELOG=PATH is
 * set: one line is appended to PATH per frame drawn,
 *
 *	since_us render_us causes mono_us
 *
 * since_us is the time from tui_main's start to the end of the frame,
 * render_us the time from the start of the redraw to after doupdate(),
 * causes what asked for the frame ("key", "event", "signal", "timer",
 * comma separated; "start" for none), and mono_us the end of the frame
 * on CLOCK_MONOTONIC, so a launcher that notes that clock before exec
 * can time the whole start-up.  Nothing is written when the variable is
 * unset, and the cost is one clock read per frame.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tui.h"

static int	 fl_fd = -1;
static int64_t	 fl_start;
static unsigned	 fl_causes;

void
framelog_open(void)
{
	const char	*path = getenv("MAILSCOPE_FRAMELOG");

	fl_start = mono_ns();
	if (path == NULL || *path == '\0')
		return;
	fl_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fl_fd != -1)
		dprintf(fl_fd, "# mailscope pid %ld: since_us render_us "
		    "causes mono_us\n", (long)getpid());
}

void
framelog_close(void)
{
	if (fl_fd != -1)
		close(fl_fd);
	fl_fd = -1;
}

/* Note what asks for the next frame. */
void
framelog_cause(unsigned what)
{
	fl_causes |= what;
}

/* A frame whose redraw started at start (mono_ns) is on the screen. */
void
framelog_frame(int64_t start)
{
	static const char *const names[] = { "key", "event", "signal",
	    "timer" };
	struct buf	 b = { 0 };
	int64_t		 now;
	size_t		 i;

	if (fl_fd == -1) {
		fl_causes = 0;
		return;
	}
	now = mono_ns();
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (fl_causes & (1U << i))
			buf_printf(&b, "%s%s", b.len > 0 ? "," : "", names[i]);
	fl_causes = 0;
	dprintf(fl_fd, "%lld %lld %s %lld\n",
	    (long long)((now - fl_start) / 1000),
	    (long long)((now - start) / 1000), b.len > 0 ? b.p : "start",
	    (long long)(now / 1000));
	buf_free(&b);
}
