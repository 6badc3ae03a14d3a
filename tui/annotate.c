/* SPDX-License-Identifier: ISC */
/*
 * Notes on a line of the transcript: `n` on the selected line opens the
 * command line with ":note on #SEQ: " typed in, so the note says which
 * event it is about (SEQ is the event's number in the recording) and can
 * be edited or cancelled like any line.
 */
#include <stdio.h>

#include "tui.h"

void
annotate_prompt(struct tui *t, const struct event *ev)
{
	char	b[64];

	snprintf(b, sizeof b, ":note on #%u: ", ev_seq(t->log, ev));
	cmdline_preset(t, b);
	tui_message(t, false, "type the note, Enter adds it, Ctrl-C "
	    "cancels");
}
