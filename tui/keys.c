/* SPDX-License-Identifier: ISC */
/*
 * The one key table.  The panes' key handlers, the readline bindings,
 * the help overlay (F1, :help) and the Keys sections of README.md and
 * mailscope.1 are all read from it, so none of them can disagree with
 * the keys.  Order matters: with a pane focused, a key goes to the first
 * binding whose context is active and whose owner takes it.  No curses
 * here: the unit test reads the table as it is.
 */
#include <stdio.h>
#include <string.h>

#include "tui.h"

#define K(...)	{ __VA_ARGS__ }

const struct binding bindings[] = {
	{ KC_ALWAYS, K(0x03), A_INTERRUPT, NULL, "cancel the line, the "
	    "search or the password prompt; in SMTP DATA: asks, e ends the "
	    "message with \".\", d drops the connection (the only abort); "
	    "nothing is sent until then" },
	{ KC_ALWAYS, K(0x1a), A_SUSPEND, NULL, "suspend (fg resumes)" },

	{ KC_DATA, K('e', 'E'), A_DATA_END, NULL, "end the message: send "
	    "\".\"" },
	{ KC_DATA, K('d', 'D'), A_DATA_DROP, NULL, "drop the connection "
	    "(any other key goes on writing)" },

	{ KC_HELP, K(TK_UP, 'k'), A_UP, NULL, "scroll this help" },
	{ KC_HELP, K(TK_DOWN, 'j'), A_DOWN, NULL, "scroll this help" },
	{ KC_HELP, K(TK_PPAGE, 'b'), A_PAGE_UP, NULL, "scroll a page" },
	{ KC_HELP, K(TK_NPAGE, ' '), A_PAGE_DOWN, NULL, "scroll a page" },
	{ KC_HELP, K(TK_HOME, 'g'), A_HOME, NULL, "top, bottom" },
	{ KC_HELP, K(TK_END, 'G'), A_END, NULL, "top, bottom" },
	{ KC_HELP, K(0x1b, 'q', TK_F1, '\r'), A_CLOSE, NULL, "close this "
	    "help (any other key too)" },

	{ KC_PANE, K('\t'), A_FOCUS_NEXT, NULL, "focus: command line > "
	    "transcript > TLS panel" },
	{ KC_PANE, K('\r', '\n', TK_ENTER), A_TOUR_NEXT, NULL, "in the tour, "
	    "once its step is done: the next step, on the command line" },

	{ KC_TRANSCRIPT, K(TK_F1), A_EXPLAIN_LINE, NULL, "explain the "
	    "selected line (else the last): every gloss, with references, "
	    "in the TLS panel's place" },
	{ KC_TRANSCRIPT, K('?'), A_EXPLAIN_SELECTED, NULL, "on a selected "
	    "line: the same (else the backward search)" },
	{ KC_TLS, K('?'), A_EXPLAIN_PANEL, NULL, "explain every field, "
	    "the verdict and its reasons" },
	{ KC_GLOSS, K(0x1b), A_GLOSS_BACK, NULL, "back to the TLS facts" },
	{ KC_GLOSS, K('q'), A_GLOSS_CLOSE, NULL, "back to the TLS facts "
	    "(panel focus)" },
	{ KC_GLOSS, K(TK_UP, 'k'), A_UP, NULL, "scroll the explanation "
	    "(panel focus)" },
	{ KC_GLOSS, K(TK_DOWN, 'j'), A_DOWN, NULL, "scroll the explanation "
	    "(panel focus)" },
	{ KC_GLOSS, K(TK_PPAGE, 'b'), A_PAGE_UP, NULL, "scroll a page "
	    "(panel focus)" },
	{ KC_GLOSS, K(TK_NPAGE, ' '), A_PAGE_DOWN, NULL, "scroll a page "
	    "(panel focus)" },
	{ KC_GLOSS, K(TK_HOME, 'g'), A_HOME, NULL, "top, bottom (panel "
	    "focus)" },
	{ KC_GLOSS, K(TK_END, 'G'), A_END, NULL, "top, bottom (panel "
	    "focus)" },

	{ KC_GLOBAL, K(TK_F1), A_HELP, "mailscope-help", "this help (also "
	    ":help)" },
	{ KC_GLOBAL, K(TK_F2), A_TOGGLE_TLS, "mailscope-toggle-tls", "show "
	    "or hide the TLS panel (also :tls)" },
	{ KC_GLOBAL, K(TK_F8), A_TLS_COMPACT, "mailscope-tls-compact", "the "
	    "full TLS panel, or the compact summary above the status bar "
	    "(channel, version, cipher, verdict, offered versions)" },
	{ KC_GLOBAL, K(TK_F3), A_TIME, "mailscope-time", "timestamps: "
	    "absolute, relative, off (also :time)" },
	{ KC_GLOBAL, K(TK_F4), A_EXPLAIN, "mailscope-explain", "plain-"
	    "language glosses under each line, with references (also "
	    ":explain)" },
	{ KC_GLOBAL, K(TK_F5), A_TOUR, "mailscope-tour", "the guided "
	    "tour's chapters (also :tour; :tour N jumps)" },
	{ KC_GLOBAL, K(TK_F6), A_FOCUS_NEXT, "mailscope-focus-next",
	    "focus: command line > transcript > TLS panel" },
	{ KC_GLOBAL, K(TK_F7), A_LADDER, "mailscope-ladder", "show or hide "
	    "the sequence diagram under the transcript: one arrow per line, "
	    "the TLS boundary, injected bytes in red; it follows the "
	    "transcript's selection (also :ladder)" },
	{ KC_GLOBAL, K(TK_BTAB), A_FOCUS_PREV, "mailscope-focus-prev",
	    "focus backwards" },
	{ KC_GLOBAL, K(TK_WHEEL_UP), A_WHEEL_UP, "mailscope-mouse",
	    "scroll the pane under the pointer" },
	{ KC_GLOBAL, K(TK_WHEEL_DOWN), A_WHEEL_DOWN, "mailscope-mouse",
	    "scroll the pane under the pointer" },
	{ KC_GLOBAL, K(TK_MOUSE), A_CLICK, "mailscope-mouse", "select a "
	    "transcript line (n adds a note on it)" },
	{ KC_GLOBAL, K(0x0c), A_REDRAW, "mailscope-redraw", "redraw the "
	    "screen" },
	{ KC_GLOBAL, K(0x04), A_QUIT, NULL, "leave (QUIT/LOGOUT is sent "
	    "first; in DATA it drops the connection; also :quit)" },

	{ KC_REPLAY, K(' '), A_STEP, NULL, "next event (side by side: the "
	    "next step of both)" },
	{ KC_REPLAY, K(0x7f, 0x08), A_STEP_BACK, NULL, "previous event "
	    "(side by side: step)" },
	{ KC_REPLAY, K('p', '\r', TK_ENTER), A_PLAY, NULL, "play or pause "
	    "at the recorded speed" },
	{ KC_REPLAY, K('+', '='), A_FASTER, NULL, "play faster (x2 steps; "
	    "the status bar shows it)" },
	{ KC_REPLAY, K('-'), A_SLOWER, NULL, "play slower" },
	{ KC_REPLAY, K(TK_HOME), A_FIRST, NULL, "the first event" },
	{ KC_REPLAY, K(TK_END), A_LAST, NULL, "the last event" },
	{ KC_REPLAY, K('\''), A_MARK_NEXT, NULL, "the next mark (wraps; "
	    "side by side: the next step that differs)" },
	{ KC_REPLAY, K('"'), A_MARK_PREV, NULL, "the previous mark "
	    "(wraps; side by side: the previous step that differs)" },

	{ KC_PANE, K(0x1b, 'q', 'i'), A_CMDLINE, NULL, "back to the command "
	    "line (typing does too)" },

	{ KC_TRANSCRIPT, K(TK_UP, 'k'), A_UP, NULL, "select the previous, "
	    "next line (scrolls to keep it in view)" },
	{ KC_TRANSCRIPT, K(TK_DOWN, 'j'), A_DOWN, NULL, "select the "
	    "previous, next line (scrolls to keep it in view)" },
	{ KC_TRANSCRIPT, K('\r'), A_SCROLL_LINE, NULL, "scroll a line" },
	{ KC_TRANSCRIPT, K(TK_PPAGE, 'b'), A_PAGE_UP, NULL, "scroll a "
	    "page" },
	{ KC_TRANSCRIPT, K(TK_NPAGE, ' '), A_PAGE_DOWN, NULL, "scroll a "
	    "page" },
	{ KC_TRANSCRIPT, K(TK_HOME, 'g'), A_HOME, NULL, "top; bottom and "
	    "follow new lines" },
	{ KC_TRANSCRIPT, K(TK_END, 'G'), A_END, NULL, "top; bottom and "
	    "follow new lines" },
	{ KC_TRANSCRIPT, K('/'), A_SEARCH_FWD, NULL, "search forward" },
	{ KC_TRANSCRIPT, K('?'), A_SEARCH_BACK, NULL, "search backward" },
	{ KC_TRANSCRIPT, K('n'), A_NOTE_OR_NEXT, NULL, "note on the "
	    "selected line (\":note on #SEQ: \" is typed in for you); with "
	    "no line selected (a search unselects): next match" },
	{ KC_TRANSCRIPT, K('N'), A_PREV_MATCH, NULL, "previous match" },
	{ KC_TRANSCRIPT, K('\''), A_MARK_NEXT, NULL, "select the next, "
	    "previous mark (wraps)" },
	{ KC_TRANSCRIPT, K('"'), A_MARK_PREV, NULL, "select the next, "
	    "previous mark (wraps)" },
	{ KC_TRANSCRIPT, K('z'), A_FOLD, NULL, "fold or expand the last "
	    "body or literal on screen" },
	{ KC_TRANSCRIPT, K('Z'), A_FOLD_ALL, NULL, "fold or expand every "
	    "body and literal" },

	{ KC_TLS, K(TK_UP, 'k'), A_UP, NULL, "select a certificate of the "
	    "chain (then scroll)" },
	{ KC_TLS, K(TK_DOWN, 'j'), A_DOWN, NULL, "select a certificate of "
	    "the chain (then scroll)" },
	{ KC_TLS, K('\r', '\n', TK_ENTER), A_DETAIL, NULL, "details of the "
	    "selected certificate (they follow the selection); Enter again "
	    "hides them" },
	{ KC_TLS, K(TK_PPAGE), A_PAGE_UP, NULL, "scroll the panel" },
	{ KC_TLS, K(TK_NPAGE), A_PAGE_DOWN, NULL, "scroll the panel" },
	{ KC_TLS, K(TK_HOME, 'g'), A_HOME, NULL, "top, bottom of the "
	    "panel" },
	{ KC_TLS, K(TK_END, 'G'), A_END, NULL, "top, bottom of the panel" },

	/* The command line's page keys when no pane took them. */
	{ KC_GLOBAL, K(TK_PPAGE), A_PAGE_UP, "mailscope-page-up", "scroll "
	    "the transcript (the TLS panel when it has the focus)" },
	{ KC_GLOBAL, K(TK_NPAGE), A_PAGE_DOWN, "mailscope-page-down",
	    "scroll the transcript (the TLS panel when it has the focus)" },

	{ KC_CMDLINE, K('\r'), A_READLINE, NULL, "send the line as typed "
	    "plus CRLF (IMAP tags added); on an empty line in the tour: "
	    "the next step" },
	{ KC_CMDLINE, K('\t'), A_COMPLETE_OR_FOCUS,
	    "mailscope-complete-or-focus", "complete protocol verbs and : "
	    "commands; on an empty line: the focus moves" },
	{ KC_CMDLINE, K(TK_UP, TK_DOWN), A_READLINE, NULL, "history (kept "
	    "in $XDG_STATE_HOME/mailscope/history)" },
	{ KC_CMDLINE, K(0x12), A_READLINE, NULL, "search the history" },
	{ KC_CMDLINE, K(0x04), A_READLINE, NULL, "on an empty line: leave, "
	    "as :quit" },
};

const size_t nbindings = sizeof bindings / sizeof bindings[0];

static const char *const titles[KC_MAX] = {
	[KC_ALWAYS] = "Everywhere",
	[KC_GLOBAL] = "Everywhere",
	[KC_PANE] = "A pane (transcript, TLS panel) with the focus",
	[KC_CMDLINE] = ("Command line (GNU readline: ~/.inputrc, "
	    "$if mailscope)"),
	[KC_TRANSCRIPT] = "Transcript (when it has the focus)",
	[KC_TLS] = "TLS panel (when it has the focus)",
	[KC_GLOSS] = "Explanations (in the TLS panel's place)",
	[KC_REPLAY] = "Replay (mailscope replay FILE.jsonl)",
	[KC_DATA] = "After Ctrl-C in SMTP DATA",
	[KC_HELP] = "This help",
};

/* The sections of help and documentation, in order; Everywhere holds
 * the KC_ALWAYS bindings too. */
const enum kctx keys_sections[] = {
	KC_GLOBAL, KC_CMDLINE, KC_PANE, KC_TRANSCRIPT, KC_TLS, KC_GLOSS,
	KC_REPLAY, KC_DATA, KC_HELP,
};
const size_t nkeys_sections = sizeof keys_sections /
    sizeof keys_sections[0];

/* Does binding b belong in section c? */
bool
keys_in_section(const struct binding *b, enum kctx c)
{
	return b->ctx == c || (c == KC_GLOBAL && b->ctx == KC_ALWAYS);
}

const char *
kctx_title(enum kctx c)
{
	return c < KC_MAX ? titles[c] : "";
}

/* The first binding of this context with this key, NULL if none. */
const struct binding *
keys_find(enum kctx c, int key)
{
	size_t	i, k;

	for (i = 0; i < nbindings; i++) {
		if (bindings[i].ctx != c)
			continue;
		for (k = 0; k < KEYS_PER_BINDING && bindings[i].keys[k] != 0;
		    k++)
			if (bindings[i].keys[k] == key)
				return &bindings[i];
	}
	return NULL;
}

const char *
keys_name(int key, char *b, size_t len)
{
	static const struct {
		int		 key;
		const char	*name;
	} names[] = {
		{ TK_UP, "Up" }, { TK_DOWN, "Down" }, { TK_LEFT, "Left" },
		{ TK_RIGHT, "Right" }, { TK_PPAGE, "PgUp" },
		{ TK_NPAGE, "PgDn" }, { TK_HOME, "Home" }, { TK_END, "End" },
		{ TK_BTAB, "Shift-Tab" }, { TK_ENTER, "Enter" },
		{ TK_WHEEL_UP, "mouse wheel" }, { TK_WHEEL_DOWN, "mouse wheel" },
		{ TK_MOUSE, "mouse click" }, { '\t', "Tab" }, { '\r', "Enter" },
		{ '\n', "Enter" }, { 0x1b, "Esc" }, { ' ', "Space" },
		{ 0x7f, "Backspace" }, { 0x08, "Backspace" },
	};
	size_t	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].key == key)
			return names[i].name;
	if (key >= TK_F1 && key <= TK_F10)
		snprintf(b, len, "F%d", key - TK_F1 + 1);
	else if (key > 0 && key < 0x20)
		snprintf(b, len, "Ctrl-%c", key + '@');
	else
		snprintf(b, len, "%c", key);
	return b;
}

/*
 * Bindings next to each other with one context and one help are one
 * line of help: the first index after the group that starts at i.
 */
size_t
keys_group(size_t i)
{
	size_t	j = i + 1;

	while (j < nbindings && bindings[j].ctx == bindings[i].ctx &&
	    strcmp(bindings[j].help, bindings[i].help) == 0)
		j++;
	return j;
}

/* "Up, k, Down, j": the keys of n bindings from b, each name once. */
void
keys_label(const struct binding *b, size_t n, struct buf *out)
{
	const char	*seen[KEYS_PER_BINDING * 8];
	size_t		 nseen = 0, i, k, s;
	char		 nb[16];
	const char	*name;

	for (i = 0; i < n; i++) {
		for (k = 0; k < KEYS_PER_BINDING && b[i].keys[k] != 0; k++) {
			name = keys_name(b[i].keys[k], nb, sizeof nb);
			for (s = 0; s < nseen; s++)
				if (strcmp(seen[s], name) == 0)
					break;
			if (s < nseen)
				continue;
			buf_printf(out, "%s%s", out->len > 0 ? ", " : "", name);
			/* nb is reused: what stays is the copy in out. */
			if (name != nb && nseen < sizeof seen / sizeof seen[0])
				seen[nseen++] = name;
		}
	}
}
