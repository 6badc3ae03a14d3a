/* SPDX-License-Identifier: ISC */
/*
 * Recording from the live inspector: --record FILE from the start, or
 * :record FILE at any point (the file still begins with every event so
 * far).  A write error stops the recording, never the session: the
 * status bar and a red message say so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static void
on_fail(const char *why, void *arg)
{
	struct tui	*t = arg;

	/* why reads "RECORDING STOPPED: reason". */
	tui_message(t, true, "%s; the session goes on, %s is kept up to "
	    "here", why, t->rec_path);
	tui_dirty(t, D_STATUS);
}

/* Start recording into path, with every event the log already holds. */
int
recording_start(struct tui *t, const char *path, char *err, size_t errlen)
{
	char	*hdr;

	hdr = recording_header_json(t->log, &t->sopts);
	t->rec = recorder_open_replaying(path, t->log, hdr, err, errlen);
	free(hdr);
	if (t->rec == NULL)
		return -1;
	free(t->rec_path);
	t->rec_path = xstrdup(path);
	recorder_set_fail_cb(t->rec, on_fail, t);
	recorder_set_loop(t->rec, t->loop);
	tui_dirty(t, D_STATUS);
	return 0;
}

/* The trailer: see recorder_close(); exit is -1 while mailscope runs on. */
void
recording_stop(struct tui *t, const char *reason, int exit)
{
	if (t->rec == NULL)
		return;
	recorder_close(t->rec, reason, exit);
	t->rec = NULL;
	free(t->rec_path);
	t->rec_path = NULL;
	tui_dirty(t, D_STATUS);
}

const char *
recording_badge(struct tui *t, enum slot *s)
{
	if (t->rec == NULL)
		return NULL;
	if (recorder_failed(t->rec)) {
		*s = SLOT_STATUS_BAD;
		return "RECORDING STOPPED";
	}
	*s = SLOT_STATUS_REC;
	return t->utf8 ? "\xe2\x97\x8f REC" : "* REC";
}

void
cmd_record(struct tui *t, const char *args)
{
	char	err[512];

	if (*args == '\0') {
		if (t->rec == NULL) {
			tui_message(t, true, "not recording (:record FILE "
			    "starts)");
			return;
		}
		tui_message(t, false, "recording into %s ended", t->rec_path);
		recording_stop(t, "quit", -1);
		return;
	}
	if (t->rec != NULL && !recorder_failed(t->rec)) {
		tui_message(t, true, "already recording into %s (:record "
		    "alone stops)", t->rec_path);
		return;
	}
	/* After a write error a new file may be given. */
	recording_stop(t, "error", -1);
	if (recording_start(t, args, err, sizeof err) == -1) {
		tui_message(t, true, ":record: %s", err);
		return;
	}
	tui_message(t, false, "recording into %s, from the start of the "
	    "session (%zu events so far)", t->rec_path, evlog_count(t->log));
}
