/* SPDX-License-Identifier: ISC */
/*
 * The command line: GNU readline's callback interface drawn inside a
 * curses window, and the terminal input that feeds it.
 *
 * curses owns the terminal; readline never touches it (no prep/deprep,
 * no signal handlers, no LINES/COLUMNS).  stdin is read here, byte by
 * byte into a queue: readline takes bytes from it through
 * rl_getc_function; when a pane has the focus, keys are decoded from the
 * same queue with the terminal's own terminfo strings.  Application keys
 * are readline functions ("mailscope-*") so ~/.inputrc can rebind them
 * under "$if mailscope".
 */
#include <sys/stat.h>

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <term.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "tui.h"

#define QUEUE_SIZE	4096
#define SEQ_WAIT_MS	40	/* rest of an escape sequence */

static struct tui	*T;
static WINDOW		*cwin;
static int		 c_w;
static unsigned char	 queue[QUEUE_SIZE];
static size_t		 qlen, qoff;
static char		*hist_path;
static char		*prompt_now;
static char		*secret_prompt;
static void		(*secret_cb)(struct tui *, char *, void *);
static void		*secret_arg;
static bool		 secret_echo;	/* a question (cmdline_ask) */
static int		 search_dir;
static int		 click_y = -1, click_x;	/* last button 1 press */
static int		 wheel_y = -1, wheel_x;	/* where the wheel turned */

struct keyseq {
	const char	*seq;
	int		 key;
};
static struct keyseq	*keys;
static size_t		 nkeys;

static const struct {
	const char	*capname;
	int		 key;
} capkeys[] = {
	{ "kcuu1", TK_UP }, { "kcud1", TK_DOWN }, { "kcub1", TK_LEFT },
	{ "kcuf1", TK_RIGHT }, { "kpp", TK_PPAGE }, { "knp", TK_NPAGE },
	{ "khome", TK_HOME }, { "kend", TK_END }, { "kcbt", TK_BTAB },
	{ "kent", TK_ENTER }, { "kf1", TK_F1 }, { "kf2", TK_F2 },
	{ "kf3", TK_F3 }, { "kf4", TK_F4 }, { "kf5", TK_F5 },
	{ "kf6", TK_F6 }, { "kf7", TK_F7 }, { "kf8", TK_F8 },
	{ "kf9", TK_F9 }, { "kf10", TK_F10 },
};

/* What terminals send in either cursor mode, whatever terminfo says. */
static const struct keyseq fixedkeys[] = {
	{ "\033[A", TK_UP }, { "\033OA", TK_UP },
	{ "\033[B", TK_DOWN }, { "\033OB", TK_DOWN },
	{ "\033[C", TK_RIGHT }, { "\033OC", TK_RIGHT },
	{ "\033[D", TK_LEFT }, { "\033OD", TK_LEFT },
	{ "\033[5~", TK_PPAGE }, { "\033[6~", TK_NPAGE },
	{ "\033[H", TK_HOME }, { "\033OH", TK_HOME }, { "\033[1~", TK_HOME },
	{ "\033[7~", TK_HOME },
	{ "\033[F", TK_END }, { "\033OF", TK_END }, { "\033[4~", TK_END },
	{ "\033[8~", TK_END },
	{ "\033[Z", TK_BTAB },
	{ "\033OP", TK_F1 }, { "\033[11~", TK_F1 }, { "\033[[A", TK_F1 },
	{ "\033OQ", TK_F2 }, { "\033[12~", TK_F2 }, { "\033[[B", TK_F2 },
	{ "\033OR", TK_F3 }, { "\033[13~", TK_F3 },
	{ "\033OS", TK_F4 }, { "\033[14~", TK_F4 },
	{ "\033[15~", TK_F5 }, { "\033[17~", TK_F6 },
	{ "\033[19~", TK_F8 },
	{ "\033[M", TK_MOUSE }, { "\033[<", TK_MOUSE },
};

static void
key_add(const char *seq, int key)
{
	size_t	i;

	if (seq == NULL || seq == (char *)-1 || seq[0] != '\033' ||
	    seq[1] == '\0')
		return;
	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].seq, seq) == 0)
			return;
	keys = xreallocarray(keys, nkeys + 1, sizeof *keys);
	keys[nkeys].seq = xstrdup(seq);
	keys[nkeys].key = key;
	nkeys++;
}

static void
keys_init(void)
{
	size_t	i;

	for (i = 0; i < sizeof capkeys / sizeof capkeys[0]; i++)
		key_add(tigetstr(capkeys[i].capname), capkeys[i].key);
	for (i = 0; i < sizeof fixedkeys / sizeof fixedkeys[0]; i++)
		key_add(fixedkeys[i].seq, fixedkeys[i].key);
}

/* Read what the terminal has; wait up to ms for something. */
static bool
fill(int ms)
{
	struct pollfd	pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	ssize_t		n;

	if (qoff > 0 && qoff == qlen)
		qoff = qlen = 0;
	if (qoff > 0) {
		memmove(queue, queue + qoff, qlen - qoff);
		qlen -= qoff;
		qoff = 0;
	}
	if (qlen == sizeof queue)
		return true;
	if (ms >= 0 && poll(&pfd, 1, ms) <= 0)
		return false;
	n = read(STDIN_FILENO, queue + qlen, sizeof queue - qlen);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	if (n <= 0) {
		/*
		 * The terminal is gone (EOF, or EIO from a hung-up tty, which
		 * poll would report forever): stop reading it, say goodbye to
		 * the server as Ctrl-D does, and leave.
		 */
		loop_del_fd(T->loop, STDIN_FILENO);
		if (!T->terminal_gone && T->session != NULL)
			ev_local(T->log, EV_INFO, session_chan(T->session), "terminal-closed",
			    "the terminal closed: leaving");
		T->terminal_gone = true;
		if (T->replay != NULL)
			loop_break(T->loop);
		else
			tui_quit(T);
		return false;
	}
	qlen += (size_t)n;
	return true;
}

/* Wheel events and clicks; both the X10 and the SGR (1006) encodings. */
static int
mouse_key(const char *seq)
{
	int	b = 0, c, v[3] = { 0, 0, 0 }, n = 0;
	bool	press = true;

	if (seq[2] == 'M') {
		while (qlen - qoff < 3 && fill(SEQ_WAIT_MS))
			;
		if (qlen - qoff < 3)
			return TK_NONE;
		b = queue[qoff] - 32;
		v[1] = queue[qoff + 1] - 32;
		v[2] = queue[qoff + 2] - 32;
		qoff += 3;
		press = (b & 3) != 3;
	} else {
		/* ESC [ < b ; x ; y M|m */
		for (;;) {
			if (qoff == qlen && !fill(SEQ_WAIT_MS))
				return TK_NONE;
			c = queue[qoff++];
			if (c == 'M' || c == 'm') {
				press = c == 'M';
				break;
			}
			if (c == ';' && n < 2)
				n++;
			else if (c >= '0' && c <= '9' && v[n] < 10000)
				v[n] = v[n] * 10 + (c - '0');
		}
		b = v[0];
	}
	if ((b & 0x42) == 0x40) {
		wheel_x = v[1] - 1;
		wheel_y = v[2] - 1;
		return (b & 1) ? TK_WHEEL_DOWN : TK_WHEEL_UP;
	}
	/* Button 1 pressed: 1-based column and row. */
	if ((b & 0x63) == 0 && press && v[1] > 0 && v[2] > 0) {
		click_x = v[1] - 1;
		click_y = v[2] - 1;
	}
	return TK_MOUSE;
}

/* The position of the last click, once. */
bool
input_click(int *y, int *x)
{
	if (click_y < 0)
		return false;
	*y = click_y;
	*x = click_x;
	click_y = -1;
	return true;
}

/* One key from the queue for the panes: a byte or a TK_* code. */
int
input_key(void)
{
	size_t	 i, have, sl;
	bool	 prefix;
	int	 tries;

	if (qoff == qlen)
		return -1;
	if (queue[qoff] != '\033')
		return queue[qoff++];
	for (tries = 0; tries < 3; tries++) {
		have = qlen - qoff;
		prefix = false;
		for (i = 0; i < nkeys; i++) {
			sl = strlen(keys[i].seq);
			if (have >= sl &&
			    memcmp(queue + qoff, keys[i].seq, sl) == 0) {
				qoff += sl;
				if (keys[i].key == TK_MOUSE)
					return mouse_key(keys[i].seq);
				return keys[i].key;
			}
			if (have < sl &&
			    memcmp(queue + qoff, keys[i].seq, have) == 0)
				prefix = true;
		}
		if (!prefix || !fill(SEQ_WAIT_MS))
			break;
	}
	qoff++;
	return '\033';
}

static int
rl_getc_queue(FILE *f)
{
	(void)f;
	if (qoff == qlen && !fill(1000))
		return 7;	/* nothing came: abort the key sequence */
	return queue[qoff++];
}

static int
rl_input_queued(void)
{
	struct pollfd	pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	return qoff < qlen || poll(&pfd, 1, 0) > 0;
}

static void
rl_redisplay_dirty(void)
{
	tui_dirty(T, D_CMDLINE);
}

/* A click on a transcript line selects it and gives the pane the focus. */
static void
pane_click(struct tui *t)
{
	int	y, x;

	if (!input_click(&y, &x) || !transcript_click(t, y, x))
		return;
	t->focus = FOCUS_TRANSCRIPT;
	tui_dirty(t, D_ALL);
}

/* Is a binding of this context live now?  Readline has the others. */
static bool
ctx_active(struct tui *t, enum kctx c)
{
	switch (c) {
	case KC_ALWAYS:
		return true;
	case KC_GLOBAL:
	case KC_PANE:
	case KC_GLOSS:
		return t->focus != FOCUS_CMDLINE;
	case KC_TRANSCRIPT:
		return t->focus == FOCUS_TRANSCRIPT;
	case KC_TLS:
		return t->focus == FOCUS_TLS;
	case KC_REPLAY:
		return t->replay != NULL;
	case KC_HELP:
		return t->help;
	case KC_DATA:
		return t->data_ask;
	default:
		return false;
	}
}

/* What a binding does: the core's own actions, else the panes'. */
bool
tui_action(struct tui *t, const struct binding *b)
{
	switch (b->action) {
	case A_INTERRUPT:
		cmdline_interrupt(t);
		break;
	case A_SUSPEND:
		tui_suspend(t);
		break;
	case A_QUIT:
		tui_quit(t);
		break;
	case A_REDRAW:
		t->full_redraw = true;
		tui_dirty(t, D_ALL);
		break;
	case A_HELP:
		t->help = !t->help;
		t->help_top = 0;
		tui_dirty(t, D_ALL);
		break;
	case A_TOGGLE_TLS:
	case A_TLS_COMPACT:
		t->panel = t->tp_h > 0 ? PANEL_HIDDEN : PANEL_SHOWN;
		tui_relayout(t);
		break;
	case A_TIME:
		command_run(t, "time");
		break;
	case A_EXPLAIN:
		command_run(t, "explain");
		break;
	case A_FOCUS_NEXT:
	case A_FOCUS_PREV:
		tui_focus_next(t, b->action == A_FOCUS_NEXT ? 1 : -1);
		break;
	case A_CMDLINE:
		t->focus = FOCUS_CMDLINE;
		tui_dirty(t, D_ALL);
		break;
	case A_CLICK:
		pane_click(t);
		break;
	case A_WHEEL_UP:
	case A_WHEEL_DOWN:
		/* The pane under the pointer takes it. */
		t->m.ptr_y = wheel_y;
		t->m.ptr_x = wheel_x;
		return tui_offer(t, b);
	default:
		if (b->ctx == KC_REPLAY)
			return replay_key(t, b);
		return tui_offer(t, b);
	}
	return true;
}

/* A key while a pane has the focus: the first live binding that acts. */
bool
tui_key(struct tui *t, int key)
{
	size_t	i, k;

	for (i = 0; i < nbindings; i++) {
		if (!ctx_active(t, bindings[i].ctx))
			continue;
		for (k = 0; k < KEYS_PER_BINDING && bindings[i].keys[k] != 0;
		    k++)
			if (bindings[i].keys[k] == key)
				break;
		if (k < KEYS_PER_BINDING && bindings[i].keys[k] == key &&
		    tui_action(t, &bindings[i]))
			return true;
	}
	return false;
}

/* Readline runs the table's global actions by their function names. */
static int
rl_action(enum action a)
{
	size_t	i;

	for (i = 0; i < nbindings; i++)
		if (bindings[i].action == a && bindings[i].rl != NULL) {
			tui_action(T, &bindings[i]);
			break;
		}
	return 0;
}

#define RL_FN(name, a)						\
static int							\
name(int count, int key)					\
{								\
	(void)count;						\
	(void)key;						\
	return rl_action(a);					\
}
RL_FN(fn_page_up, A_PAGE_UP)
RL_FN(fn_page_down, A_PAGE_DOWN)
RL_FN(fn_help, A_HELP)
RL_FN(fn_toggle_tls, A_TOGGLE_TLS)
RL_FN(fn_tls_compact, A_TLS_COMPACT)
RL_FN(fn_time, A_TIME)
RL_FN(fn_explain, A_EXPLAIN)
RL_FN(fn_ladder, A_LADDER)
RL_FN(fn_tour, A_TOUR)
RL_FN(fn_focus_next, A_FOCUS_NEXT)
RL_FN(fn_focus_prev, A_FOCUS_PREV)
RL_FN(fn_redraw, A_REDRAW)
#undef RL_FN

static int
fn_mouse(int count, int key)
{
	const struct binding	*b;
	int			 k;

	(void)count;
	(void)key;
	/* The prefix was ESC [ M or ESC [ <: read the rest ourselves. */
	k = mouse_key(rl_executing_keyseq != NULL &&
	    rl_key_sequence_length > 2 && rl_executing_keyseq[2] == '<' ?
	    "\033[<" : "\033[M");
	if ((b = keys_find(KC_GLOBAL, k)) != NULL)
		tui_action(T, b);
	return 0;
}

/* Tab completes; on an empty line it moves the focus. */
static int
fn_complete_or_focus(int count, int key)
{
	if (rl_end == 0 && !T->secret && !T->searching) {
		tui_focus_next(T, 1);
		return 0;
	}
	/* A second Tab lists the matches, as with rl_complete itself. */
	if (rl_last_func == fn_complete_or_focus)
		rl_last_func = rl_complete;
	return rl_complete(count, key);
}

/* The readline function of each action the table gives a name. */
static const struct {
	enum action		 action;
	rl_command_func_t	*fn;
} functions[] = {
	{ A_PAGE_UP, fn_page_up }, { A_PAGE_DOWN, fn_page_down },
	{ A_HELP, fn_help }, { A_TOGGLE_TLS, fn_toggle_tls },
	{ A_TLS_COMPACT, fn_tls_compact },
	{ A_TIME, fn_time }, { A_EXPLAIN, fn_explain },
	{ A_LADDER, fn_ladder },
	{ A_TOUR, fn_tour },
	{ A_FOCUS_NEXT, fn_focus_next }, { A_FOCUS_PREV, fn_focus_prev },
	{ A_WHEEL_UP, fn_mouse }, { A_WHEEL_DOWN, fn_mouse },
	{ A_CLICK, fn_mouse }, { A_REDRAW, fn_redraw },
	{ A_COMPLETE_OR_FOCUS, fn_complete_or_focus },
};

static void
bind_functions(void)
{
	rl_command_func_t	*fn;
	const struct binding	*b;
	size_t			 i, f, k, n;
	char			 seq[2];

	for (i = 0; i < nbindings; i++) {
		b = &bindings[i];
		if (b->rl == NULL)
			continue;
		fn = NULL;
		for (f = 0; f < sizeof functions / sizeof functions[0]; f++)
			if (functions[f].action == b->action)
				fn = functions[f].fn;
		if (fn == NULL)
			fatalx("key table: no readline function for %s", b->rl);
		rl_add_funmap_entry(b->rl, fn);
		for (k = 0; k < KEYS_PER_BINDING && b->keys[k] != 0; k++) {
			if (b->keys[k] < 0x80) {
				seq[0] = (char)b->keys[k];
				seq[1] = '\0';
				rl_bind_keyseq(seq, fn);
				continue;
			}
			for (n = 0; n < nkeys; n++)
				if (keys[n].key == b->keys[k])
					rl_bind_keyseq(keys[n].seq, fn);
		}
	}
}

/* Completion: ':' commands, their arguments, the protocol's verbs. */
static struct strv	 cands;
static size_t		 cand_i;

static char *
cand_next(const char *text, int state)
{
	size_t	len = strlen(text);

	if (state == 0)
		cand_i = 0;
	while (cand_i < cands.n) {
		const char *c = cands.v[cand_i++];

		if (strncasecmp(c, text, len) == 0) {
			/* Keep the case the user started typing in. */
			if (len > 0 && text[0] >= 'a' && text[0] <= 'z') {
				char	*l = xstrdup(c), *p;

				for (p = l; *p != '\0'; p++)
					if (*p >= 'A' && *p <= 'Z')
						*p = (char)(*p - 'A' + 'a');
				return l;
			}
			return xstrdup(c);
		}
	}
	return NULL;
}

/* The word just before the one being completed is w. */
static bool
prev_word_is(const char *line, int start, const char *w)
{
	int	e = start, b;

	while (e > 0 && line[e - 1] == ' ')
		e--;
	for (b = e; b > 0 && line[b - 1] != ' '; b--)
		;
	return (size_t)(e - b) == strlen(w) &&
	    strncasecmp(line + b, w, (size_t)(e - b)) == 0;
}

static char **
complete(const char *text, int start, int end)
{
	static const char *const uid_verbs[] = { "COPY", "EXPUNGE", "FETCH",
	    "MOVE", "SEARCH", "SORT", "STORE", "THREAD", NULL };
	const char *const *v;
	const char	*line = rl_line_buffer, *sp;
	char		**matches;
	size_t		 i, len;
	int		 words = 0;

	(void)end;
	rl_attempted_completion_over = 1;
	strv_clear(&cands);
	if (T->secret || T->searching)
		return NULL;
	for (i = 0; i < (size_t)start; i++)
		if (line[i] == ' ' && (i == 0 || line[i - 1] != ' '))
			words++;
	if (line[0] == ':') {
		if (start == 0) {
			for (i = 0; commands[i].name != NULL; i++) {
				char	*c;

				xasprintf(&c, ":%s", commands[i].name);
				strv_add(&cands, c);
				free(c);
			}
		} else if (words == 1 && strncmp(line, ":theme ", 7) == 0)
			theme_names(&cands);
		else if (words == 1 && strncmp(line, ":time ", 6) == 0) {
			for (i = 0; i < TIME_MAX; i++)
				strv_add(&cands,
				    tui_time_name((enum tui_time)i));
		} else if (words == 1 && strncmp(line, ":auth ", 6) == 0)
			sasl_mech_names(&cands);
		else if (words == 1 && (strncmp(line, ":save-chain ", 12) ==
		    0 || strncmp(line, ":record ", 8) == 0))
			return rl_completion_matches(text,
			    rl_filename_completion_function);
	} else if (!T->secret) {
		/* The verb: first word, or second after an IMAP tag. */
		sp = strchr(line, ' ');
		if (pp_tagged(T->sopts.target.proto) && words >= 1 &&
		    words <= 2 && prev_word_is(line, start, "UID")) {
			for (v = uid_verbs; *v != NULL; v++)
				strv_add(&cands, *v);
		} else if (words == 0 || (words == 1 &&
		    pp_tagged(T->sopts.target.proto) && sp != NULL)) {
			for (v = pp_verbs(T->sopts.target.proto);
			    v != NULL && *v != NULL; v++)
				strv_add(&cands, *v);
		}
	}
	matches = rl_completion_matches(text, cand_next);
	/* "MAIL FROM:<a>": RFC 5321 has no space after the colon. */
	if (matches != NULL && matches[1] == NULL &&
	    (len = strlen(matches[0])) > 0 && matches[0][len - 1] == ':')
		rl_completion_append_character = '\0';
	return matches;
}

static void
show_matches(char **matches, int n, int maxlen)
{
	struct buf	b = { 0 };
	int		i;

	(void)maxlen;
	for (i = 1; i <= n; i++)
		buf_printf(&b, "%s%s", i > 1 ? "  " : "", matches[i]);
	tui_message(T, false, "%s", b.p != NULL ? b.p : "");
	buf_free(&b);
}

const char *
history_path(struct tui *t)
{
	const char	*x, *home;
	char		*dir, *p;

	if (hist_path != NULL)
		return hist_path;
	if (t->opts.history != NULL) {
		hist_path = xstrdup(t->opts.history);
		return hist_path;
	}
	if ((x = getenv("XDG_STATE_HOME")) != NULL && *x == '/')
		xasprintf(&dir, "%s/mailscope", x);
	else if ((home = getenv("HOME")) != NULL && *home != '\0')
		xasprintf(&dir, "%s/.local/state/mailscope", home);
	else
		return NULL;
	/* mkdir -p, private: the history holds what was typed. */
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	mkdir(dir, 0700);
	xasprintf(&hist_path, "%s/history", dir);
	free(dir);
	return hist_path;
}

static void
history_add(const char *line)
{
	const char	*path = history_path(T);
	int		 fd;

	add_history(line);
	if (path == NULL)
		return;
	/* readline opens it again itself: never through a link. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		return;
	close(fd);
	append_history(1, path);
}

static void
set_prompt(const char *p)
{
	if (prompt_now != NULL && strcmp(prompt_now, p) == 0)
		return;
	free(prompt_now);
	prompt_now = xstrdup(p);
	rl_set_prompt(p);
}

static const char *
wanted_prompt(struct tui *t)
{
	static char	 b[64];
	char		*p;

	if (t->secret)
		return secret_prompt;
	if (t->searching)
		return search_dir > 0 ? "/" : "?";
	if (t->replay != NULL)
		return "replay> ";
	if (session_data_mode(t->session))
		return "DATA> ";
	/* Inside a counted body: the bytes still due, CRLF counted. */
	if (t->session != NULL &&
	    pp_chunk_due(session_engine(t->session)) > 0) {
		snprintf(b, sizeof b, "BDAT %lld> ", (long long)
		    pp_chunk_due(session_engine(t->session)));
		return b;
	}
	if (t->session != NULL &&
	    pp_literal_due(session_engine(t->session)) > 0) {
		snprintf(b, sizeof b, "literal %lld> ", (long long)
		    pp_literal_due(session_engine(t->session)));
		return b;
	}
	if (session_wants_continuation(t->session))
		return "continue> ";
	snprintf(b, sizeof b, "%s> ", proto_name(t->sopts.target.proto));
	for (p = b; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return b;
}

static void
on_line(char *line)
{
	struct tui	*t = T;
	void		(*cb)(struct tui *, char *, void *);
	bool		 secret;

	if (t->secret) {
		cb = secret_cb;
		t->secret = false;
		secret_cb = NULL;
		if (line != NULL)
			explicit_bzero(rl_line_buffer, strlen(line));
		rl_free_undo_list();
		cb(t, line, secret_arg);
		if (line != NULL) {
			explicit_bzero(line, strlen(line));
			free(line);
		}
		tui_dirty(t, D_CMDLINE | D_STATUS);
		return;
	}
	if (line == NULL) {
		tui_quit(t);
		return;
	}
	if (t->replay != NULL && !t->searching) {
		replay_line(t, line);
		free(line);
		tui_dirty(t, D_ALL);
		return;
	}
	if (t->searching) {
		t->searching = false;
		if (*line != '\0' || search_dir != 0)
			transcript_search(t->ts, *line != '\0' ? line : NULL,
			    search_dir);
		t->focus = FOCUS_TRANSCRIPT;
		free(line);
		tui_dirty(t, D_ALL);
		return;
	}
	secret = *line != '\0' && command_is_secret(t, line);
	if (*line != '\0' && !secret && !session_data_mode(t->session))
		history_add(line);
	if (line[0] == ':' && line[1] != ':' && !session_data_mode(t->session))
		command_run(t, line + 1);
	else
		command_send(t, line[0] == ':' && line[1] == ':' ? line + 1 :
		    line);
	if (secret) {
		/* Readline's copy and ours held a credential. */
		if (rl_line_buffer != NULL)
			explicit_bzero(rl_line_buffer, strlen(rl_line_buffer));
		rl_free_undo_list();
		explicit_bzero(line, strlen(line));
	}
	free(line);
	tui_dirty(t, D_CMDLINE | D_STATUS);
}

void
cmdline_init(struct tui *t)
{
	const char	*path;

	T = t;
	keys_init();
	rl_readline_name = "mailscope";
	rl_prep_term_function = NULL;
	rl_deprep_term_function = NULL;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	/* Nothing of readline's own output may reach the screen. */
	if (rl_outstream == NULL || rl_outstream == stdout)
		rl_outstream = fopen("/dev/null", "we");
	rl_getc_function = rl_getc_queue;
	rl_input_available_hook = rl_input_queued;
	rl_redisplay_function = rl_redisplay_dirty;
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_completion_query_items = 1000;
	/* Bound before readline reads ~/.inputrc, so users can rebind. */
	bind_functions();
	using_history();
	stifle_history(2000);
	if ((path = history_path(t)) != NULL)
		read_history(path);
	set_prompt(wanted_prompt(t));
	rl_callback_handler_install(prompt_now, on_line);
	/* readline set the terminal's size from its own idea: ours wins. */
	rl_set_screen_size(LINES, COLS);
}

void
cmdline_layout(int y, int w)
{
	if (cwin != NULL)
		delwin(cwin);
	cwin = newwin(1, w, y, 0);
	c_w = w;
	rl_set_screen_size(LINES, COLS);
}

/* Display width of typed text; control characters show as ^X. */
static int
input_width(const char *p, size_t len)
{
	size_t	i;
	int	w = 0;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			w += 1;
	return w + text_width(p, len);
}

void
cmdline_draw(struct tui *t)
{
	struct buf	 safe = { 0 };
	const char	*p;
	int		 pw, avail, cur;
	size_t		 start = 0, len;
	enum slot	 ps;

	if (cwin == NULL)
		return;
	set_prompt(wanted_prompt(t));
	colour_bkgd(cwin, SLOT_INPUT);
	werase(cwin);
	ps = t->secret || t->searching || strcmp(prompt_now, "DATA> ") == 0 ?
	    SLOT_MODE : SLOT_PROMPT;
	if (t->focus != FOCUS_CMDLINE && !t->searching && !t->secret)
		ps = SLOT_BORDER;
	p = rl_display_prompt != NULL ? rl_display_prompt : prompt_now;
	sanitize(p, strlen(p), &safe);
	colour_set(cwin, ps);
	mvwaddnstr(cwin, 0, 0, safe.p != NULL ? safe.p : "", c_w - 1);
	pw = text_width(safe.p != NULL ? safe.p : "", safe.len);
	buf_free(&safe);
	if (pw > c_w / 2)
		pw = c_w / 2;
	wmove(cwin, 0, pw);
	colour_set(cwin, SLOT_INPUT);
	cur = pw;
	if ((!t->secret || secret_echo) && rl_line_buffer != NULL) {
		avail = c_w - pw - 1;
		/* Scroll horizontally so the point stays visible. */
		while (start < (size_t)rl_point && input_width(rl_line_buffer +
		    start, (size_t)rl_point - start) > avail - 1)
			start++;
		while (start > 0 && start < (size_t)rl_end &&
		    (rl_line_buffer[start] & 0xc0) == 0x80)
			start++;
		len = (size_t)rl_end - start;
		waddnstr(cwin, rl_line_buffer + start, (int)len);
		cur = pw + input_width(rl_line_buffer + start,
		    (size_t)rl_point - start);
	}
	if (cur >= c_w)
		cur = c_w - 1;
	wmove(cwin, 0, cur);
	curs_set(t->focus == FOCUS_CMDLINE || t->searching || t->secret ?
	    1 : 0);
	wnoutrefresh(cwin);
}

static void	data_answer(struct tui *, const struct binding *);

/* The terminal has input. */
void
cmdline_input(struct tui *t)
{
	const struct binding	*b;
	int			 key;

	if (!fill(-1))
		return;
	while (qoff < qlen && !t->quitting) {
		/* Any key dismisses the message, Ctrl-C too. */
		if (t->message != NULL) {
			free(t->message);
			t->message = NULL;
			tui_dirty(t, D_ALL);
		}
		if (t->data_ask) {
			data_answer(t, keys_find(KC_DATA, input_key()));
			continue;
		}
		/* Ctrl-C, Ctrl-Z: never readline's. */
		if ((b = keys_find(KC_ALWAYS, queue[qoff])) != NULL) {
			qoff++;
			tui_action(t, b);
			continue;
		}
		if (t->help) {
			/* Any key not in the table closes the help too. */
			if ((key = input_key()) == -1)
				continue;
			if ((b = keys_find(KC_HELP, key)) != NULL)
				tui_action(t, b);
			else {
				t->help = false;
				tui_dirty(t, D_ALL);
			}
			continue;
		}
		if (t->focus != FOCUS_CMDLINE && !t->searching &&
		    !t->secret) {
			key = input_key();
			if (tui_key(t, key))
				;
			else if (key == ':' || (key >= 0x20 && key < 0x7f) ||
			    (key >= 0xc2 && key <= 0xf4)) {
				/*
				 * Typing goes to the command line; a UTF-8
				 * lead byte takes the rest of its character.
				 */
				t->focus = FOCUS_CMDLINE;
				qoff--;
				queue[qoff] = (unsigned char)key;
				tui_dirty(t, D_ALL);
			}
			continue;
		}
		rl_callback_read_char();
	}
	tui_dirty(t, D_CMDLINE);
}

static void
clear_line(void)
{
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	rl_free_undo_list();
}

/*
 * The answer to Ctrl-C in DATA.  RFC 5321 has no command to abort a
 * message once DATA was accepted: it ends with "." or the connection.
 */
static void
data_answer(struct tui *t, const struct binding *b)
{
	enum action	a = b != NULL ? b->action : A_NONE;

	t->data_ask = false;
	if (t->session == NULL || !session_data_mode(t->session))
		return;
	if (a == A_DATA_END) {
		clear_line();
		session_send(t->session, ".", 1);
	} else if (a == A_DATA_DROP) {
		clear_line();
		session_close(t->session, "dropped in DATA by the user: the "
		    "message was never ended with \".\", the only way a "
		    "server accepts one");
	} else
		tui_message(t, false, "still in DATA: nothing was sent");
}

/* ^C: leave whatever mode we are in, else clear the line. */
void
cmdline_interrupt(struct tui *t)
{

	if (t->help) {
		t->help = false;
		tui_dirty(t, D_ALL);
		return;
	}
	if (t->secret) {
		void (*cb)(struct tui *, char *, void *) = secret_cb;

		if (rl_line_buffer != NULL)
			explicit_bzero(rl_line_buffer, (size_t)rl_end);
		clear_line();
		t->secret = false;
		secret_cb = NULL;
		cb(t, NULL, secret_arg);
		tui_dirty(t, D_ALL);
		return;
	}
	if (t->searching) {
		t->searching = false;
		clear_line();
		t->focus = FOCUS_TRANSCRIPT;
		tui_dirty(t, D_ALL);
		return;
	}
	if (session_data_mode(t->session)) {
		/* Nothing goes until the user says which. */
		t->data_ask = true;
		tui_message(t, false, "Ctrl-C in DATA: e ends the message "
		    "(sends \".\"), d drops the connection (the only abort), "
		    "any other key goes on writing");
		return;
	}
	if (rl_end == 0 && t->focus == FOCUS_CMDLINE)
		tui_message(t, false, "Ctrl-D or :quit leaves, F1 shows "
		    "every key");
	clear_line();
	tui_dirty(t, D_CMDLINE);
}

/* Read one line without echo and without history (:auth). */
void
cmdline_secret(struct tui *t, const char *prompt,
    void (*cb)(struct tui *, char *, void *), void *arg)
{
	clear_line();
	free(secret_prompt);
	secret_prompt = xstrdup(prompt);
	secret_cb = cb;
	secret_arg = arg;
	secret_echo = false;
	t->secret = true;
	t->focus = FOCUS_CMDLINE;
	tui_dirty(t, D_ALL);
}

/* A question answered on the command line, shown as typed; like a
 * secret it stays out of the history. */
void
cmdline_ask(struct tui *t, const char *prompt,
    void (*cb)(struct tui *, char *, void *), void *arg)
{
	cmdline_secret(t, prompt, cb, arg);
	secret_echo = true;
}

/* Open the command line with text typed in (a note to finish). */
void
cmdline_preset(struct tui *t, const char *text)
{
	clear_line();
	rl_insert_text(text);
	t->focus = FOCUS_CMDLINE;
	tui_dirty(t, D_ALL);
}

void
cmdline_search(struct tui *t, int dir)
{
	clear_line();
	search_dir = dir;
	t->searching = true;
	tui_dirty(t, D_ALL);
}

/* Before endwin: readline lets go of the line. */
void
cmdline_end(struct tui *t)
{
	const char	*path = history_path(t);

	rl_callback_handler_remove();
	if (path != NULL)
		history_truncate_file(path, 2000);
	if (cwin != NULL)
		delwin(cwin);
	cwin = NULL;
	free(prompt_now);
	prompt_now = NULL;
	free(secret_prompt);
	secret_prompt = NULL;
	free(hist_path);
	hist_path = NULL;
	strv_clear(&cands);
	while (nkeys > 0)
		free((char *)keys[--nkeys].seq);
	free(keys);
	keys = NULL;
	clear_history();
}

void
cmdline_resume(struct tui *t)
{
	(void)t;
	rl_set_screen_size(LINES, COLS);
}
