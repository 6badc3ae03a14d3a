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
} keyhelp[] = {
	{ NULL, "Everywhere" },
	{ "F1, :help", "this help (Esc, q or F1 closes it)" },
	{ "Tab, F6", "focus: command line > transcript > TLS panel "
	    "(Tab completes when the line is not empty)" },
	{ "Shift-Tab", "focus backwards" },
	{ "F2, :tls", "show or hide the TLS panel" },
	{ "F3, :time", "timestamps: absolute, relative, off" },
	{ "F4, :explain", "plain-language glosses under each line, with "
	    "references" },
	{ "PgUp, PgDn", "scroll the transcript (the TLS panel when it "
	    "has the focus)" },
	{ "mouse wheel", "scroll the pane under the pointer" },
	{ "mouse click", "select a transcript line (n adds a note on it)" },
	{ "Ctrl-L", "redraw the screen" },
	{ "Ctrl-C", "cancel the line, the search or the password prompt; "
	    "in SMTP DATA: asks, e ends the message with \".\", d drops "
	    "the connection (the only abort); nothing is sent until then" },
	{ "Ctrl-D, :quit", "leave (QUIT/LOGOUT is sent first; Ctrl-D in "
	    "DATA drops the connection)" },
	{ "Ctrl-Z", "suspend (fg resumes)" },
	{ NULL, "Command line (GNU readline: ~/.inputrc, $if mailscope)" },
	{ "Enter", "send the line as typed plus CRLF (IMAP tags added)" },
	{ "Tab", "complete protocol verbs and : commands" },
	{ "Up, Down", "history (kept in $XDG_STATE_HOME/mailscope/history)" },
	{ "Ctrl-R", "search the history" },
	{ "::TEXT", "send a line that starts with ':'" },
	{ NULL, "Transcript (when it has the focus)" },
	{ "Up, Down, j, k", "select the previous, next line (scrolls "
	    "to keep it in view)" },
	{ "Enter", "scroll a line" },
	{ "PgUp, PgDn, b, Space", "scroll a page" },
	{ "Home, End, g, G", "top; bottom and follow new lines" },
	{ "/, ?", "search forward, backward" },
	{ "n", "note on the selected line (\":note on #SEQ: \" is typed "
	    "in for you); with no line selected (a search unselects): "
	    "next match" },
	{ "N", "previous match" },
	{ "'  \"", "select the next, previous mark (wraps)" },
	{ "z", "fold or expand the last body or literal on screen" },
	{ "Z", "fold or expand every body and literal" },
	{ "Esc, q, i", "back to the command line (typing does too)" },
	{ NULL, "TLS panel (when it has the focus)" },
	{ "Up, Down, j, k", "select a certificate of the chain (then "
	    "scroll)" },
	{ "Enter", "details of the selected certificate (they follow the "
	    "selection); Enter again hides them" },
	{ "PgUp, PgDn", "scroll the panel" },
	{ "Home, End, g, G", "top, bottom of the panel" },
	{ "?", "explain every field, the verdict and its reasons" },
	{ NULL, "Explanations (in the TLS panel's place)" },
	{ "F1 in the transcript", "explain the selected line (else the "
	    "last): every gloss, with references" },
	{ "? on a selected line", "the same" },
	{ "Up, Down, PgUp, PgDn", "scroll the explanation (panel focus)" },
	{ "Esc", "back to the TLS facts" },
	{ NULL, "Guided tour (mailscope --lab --tour)" },
	{ "Enter, :next", "next step, once you did what it asks (Enter "
	    "on an empty line)" },
	{ ":tour [off]", "show the step again; hide it" },
	{ "PgUp, PgDn, g, G", "scroll the panel" },
	{ NULL, "Replay (mailscope replay FILE.jsonl)" },
	{ "Space", "next event" },
	{ "Backspace", "previous event" },
	{ "p, Enter", "play or pause at the recorded speed" },
	{ "+, -", "play faster, slower (x2 steps; the status bar shows it)" },
	{ "Home, End", "the first, the last event" },
	{ "'  \"", "the next, previous mark (wraps)" },
	{ ":", "command line: only :note :mark :save :quit :help" },
	{ NULL, "Markers" },
	{ "C:  S:", "what the client sent, what the server sent" },
	{ "lock or ~", "the line crossed the network inside TLS" },
	{ "--  !!  ##  >>", "info, warning or error, note, mark" },
	{ "<flag>", "what the framer noticed: bare-lf, no-eol, redacted, "
	    "injected, ..." },
	{ "highlighted", "escaped bytes: controls, ESC sequences, bidi, "
	    "invalid UTF-8" },
};

void
help_free(void)
{
	if (hwin != NULL)
		delwin(hwin);
	hwin = NULL;
}

static void
build(struct tui *t, struct rtext **lines, size_t *n)
{
	const struct command *cmds;
	struct rtext	*r;
	size_t		 i, cap = 256;
	char		 b[64];

	*lines = xcalloc(cap, sizeof **lines);
	*n = 0;
#define LINE() (r = &(*lines)[(*n)++], r->words = true)
	LINE();
	rtext_printf(r, SLOT_HELP_TITLE, "mailscope %s: keys and commands",
	    MAILSCOPE_VERSION);
	for (i = 0; i < sizeof keyhelp / sizeof keyhelp[0]; i++) {
		if (keyhelp[i].keys == NULL) {
			LINE();
			LINE();
			rtext_adds(r, SLOT_HELP_TITLE, keyhelp[i].what);
			continue;
		}
		LINE();
		rtext_printf(r, SLOT_HELP_KEY, "  %-20s ", keyhelp[i].keys);
		rtext_adds(r, SLOT_HELP, keyhelp[i].what);
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

void
help_draw(struct tui *t)
{
	struct rtext	*lines;
	size_t		 n, i;
	int		 h = t->rows - 4, w = t->cols - 4, row, total = 0, r;

	if (h < 4 || w < 20)
		return;
	help_free();
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

int
help_key(struct tui *t, int key)
{
	int	page = t->rows > 8 ? t->rows - 8 : 1;

	switch (key) {
	case TK_UP:
	case 'k':
		t->help_top--;
		break;
	case TK_DOWN:
	case 'j':
		t->help_top++;
		break;
	case TK_PPAGE:
	case 'b':
		t->help_top -= page;
		break;
	case TK_NPAGE:
	case ' ':
		t->help_top += page;
		break;
	case TK_HOME:
	case 'g':
		t->help_top = 0;
		break;
	case TK_END:
	case 'G':
		t->help_top = 1 << 20;
		break;
	case -1:
		return 0;
	default:
		/* Esc, q, F1, Enter and anything else close it. */
		t->help = false;
		help_free();
		tui_dirty(t, D_ALL);
		return 1;
	}
	tui_dirty(t, D_ALL);
	return 1;
}
