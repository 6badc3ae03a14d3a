/* SPDX-License-Identifier: ISC */
/*
 * The help overlay: every key, every ':' command, the marker legend.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static WINDOW	*hwin;

static const struct {
	const char	*keys;
	const char	*what;
} legend[] = {
	{ "C:  S:", "what the client sent, what the server sent" },
	{ "lock or ~", "the line crossed the network inside TLS" },
	{ "--  !!  ##  >>", "info, warning or error, note, mark" },
	{ "<flag>", "what the framer noticed: bare-lf, no-eol, redacted, "
	    "injected, ..." },
	{ "highlighted", "escaped bytes: controls, ESC sequences, bidi, "
	    "invalid UTF-8" },
};

static void
help_done(struct tui *t)
{
	(void)t;
	if (hwin != NULL)
		delwin(hwin);
	hwin = NULL;
}

static void
build(struct tui *t, struct rtext **lines, size_t *n)
{
	const struct command *cmds;
	struct rtext	*r;
	struct buf	 label = { 0 };
	size_t		 i, j, k, cap = 256;
	char		 b[64];

	*lines = xcalloc(cap, sizeof **lines);
	*n = 0;
#define LINE() (r = &(*lines)[(*n)++], r->words = true)
	LINE();
	rtext_printf(r, SLOT_HELP_TITLE, "mailscope %s: keys and commands",
	    MAILSCOPE_VERSION);
	for (k = 0; k < nkeys_sections; k++) {
		LINE();
		LINE();
		rtext_adds(r, SLOT_HELP_TITLE, kctx_title(keys_sections[k]));
		for (i = 0; i < nbindings; i = j) {
			j = keys_group(i);
			/* Everywhere: the command line's raw keys too. */
			if (!keys_in_section(&bindings[i], keys_sections[k]))
				continue;
			buf_reset(&label);
			keys_label(&bindings[i], j - i, &label);
			LINE();
			rtext_printf(r, SLOT_HELP_KEY, "  %-20s ", label.p);
			rtext_adds(r, SLOT_HELP, bindings[i].help);
		}
	}
	buf_free(&label);
	LINE();
	LINE();
	rtext_adds(r, SLOT_HELP_TITLE, "Markers");
	for (i = 0; i < sizeof legend / sizeof legend[0]; i++) {
		LINE();
		rtext_printf(r, SLOT_HELP_KEY, "  %-20s ", legend[i].keys);
		rtext_adds(r, SLOT_HELP, legend[i].what);
	}
	LINE();
	LINE();
	rtext_adds(r, SLOT_HELP_TITLE, ": commands (a unique prefix is "
	    "enough)");
	/* A replay has commands of its own. */
	cmds = t->replay != NULL ? replay_commands : commands;
	for (i = 0; cmds[i].name != NULL && *n + 2 < cap; i++) {
		LINE();
		snprintf(b, sizeof b, ":%s %s", cmds[i].name, cmds[i].args);
		rtext_printf(r, SLOT_HELP_KEY, "  %-20s ", b);
		rtext_adds(r, SLOT_HELP, cmds[i].help);
	}
	LINE();
	LINE();
	rtext_printf(r, SLOT_HELP, "Theme: %s.  History: %s", t->theme.name,
	    history_path(t) != NULL ? history_path(t) : "(none)");
#undef LINE
}

static void
help_draw(struct tui *t)
{
	struct rtext	*lines;
	size_t		 n, i;
	int		 h = t->rows - 4, w = t->cols - 4, row, total = 0, r;

	if (!t->help || h < 4 || w < 20)
		return;
	help_done(t);
	hwin = newwin(h, w, 1, 2);
	colour_bkgd(hwin, SLOT_HELP);
	werase(hwin);
	/* A frame: without colours nothing else sets the overlay apart. */
	colour_set(hwin, SLOT_HELP);
	box(hwin, 0, 0);
	build(t, &lines, &n);
	for (i = 0; i < n; i++)
		total += rtext_rows(&lines[i], w - 4, 25);
	if (t->help_top > total - (h - 2))
		t->help_top = total - (h - 2);
	if (t->help_top < 0)
		t->help_top = 0;
	row = 1;
	r = 0;
	for (i = 0; i < n && row < h - 1; i++) {
		int	rr = rtext_rows(&lines[i], w - 4, 25);

		if (r + rr > t->help_top)
			row += rtext_draw(hwin, &lines[i], row, 2, w - 4, 25,
			    t->help_top > r ? t->help_top - r : 0,
			    h - 1 - row);
		r += rr;
	}
	colour_set(hwin, SLOT_HELP_KEY);
	mvwprintw(hwin, h - 1, 2, " Esc/q/F1 close  Up/Down/PgUp/PgDn "
	    "scroll  %d%% ", total > 0 ? (t->help_top + h - 2) * 100 /
	    total > 100 ? 100 : (t->help_top + h - 2) * 100 / total : 100);
	for (i = 0; i < n; i++)
		rtext_free(&lines[i]);
	free(lines);
	wnoutrefresh(hwin);
}

static bool
help_key(struct tui *t, const struct binding *b)
{
	int	page = t->rows > 8 ? t->rows - 8 : 1;

	if (b->ctx != KC_HELP)
		return false;
	switch (b->action) {
	case A_UP:
		t->help_top--;
		break;
	case A_DOWN:
		t->help_top++;
		break;
	case A_PAGE_UP:
		t->help_top -= page;
		break;
	case A_PAGE_DOWN:
		t->help_top += page;
		break;
	case A_HOME:
		t->help_top = 0;
		break;
	case A_END:
		t->help_top = 1 << 20;
		break;
	default:
		t->help = false;
		help_done(t);
		break;
	}
	tui_dirty(t, D_ALL);
	return true;
}

const struct pane_ops help_pane = {
	.name = "help",
	.overlay = true,
	.done = help_done,
	.draw = help_draw,
	.key = help_key,
};
