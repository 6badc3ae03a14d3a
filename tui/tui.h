/* SPDX-License-Identifier: ISC */
/*
 * mailscope terminal front end: the one header of tui/.
 *
 * The public part (struct tui_opts, tui_main, config_load) is what
 * src/main.c uses.  The rest is shared between the files of tui/ and is
 * grouped by file.  This header includes neither curses nor readline:
 * windows are named by curses' own struct tag.
 */
#ifndef TUI_H
#define TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

enum tui_time {
	TIME_ABSOLUTE,		/* wall clock, local time */
	TIME_RELATIVE,		/* since the previous line */
	TIME_OFF,
	TIME_MAX
};

struct replay;
struct sidebyside;

struct tui_opts {
	const char	*theme;		/* NULL: "default" */
	enum tui_time	 time;
	const char	*lab_info;	/* lab server/CA note, NULL if none */
	const char	*config_error;	/* "file:line: ...", NULL if none */
	const char	*record;	/* --record FILE, NULL: not recording */
	const char	*history;	/* NULL: $XDG_STATE_HOME/mailscope */
	bool		 no_color;	/* also set by NO_COLOR */
	bool		 ascii;		/* ASCII markers only */
	bool		 explain;	/* plain-language glosses */
	bool		 present;	/* --present: a lesson on a projector */
	struct lab_info	*lab;		/* --lab: the tour restarts it */
	bool		 tour;		/* --tour: the guided tour */
	struct replay	*replay;	/* mailscope replay: no session */
	struct sidebyside *sbs;		/* two columns: replay A B, or --lab
					 * --side-by-side */
};

/* tui.c: returns the session's exit code. */
int	 tui_main(const struct session_opts *, const struct tui_opts *);

/* config.c: $XDG_CONFIG_HOME/mailscope/config, "key value" lines.
 * path NULL means the default location; a missing default file is not
 * an error.  Strings set in the options stay allocated for the process.
 * Returns -1 with err set as "file:line: message". */
int	 config_load(const char *, struct session_opts *, struct tui_opts *,
	    char *, size_t);
int	 tui_time_from_name(const char *);
const char *tui_time_name(enum tui_time);

/* theme.c: semantic slots and theme files (no curses here). */
#define SLOTS							\
	X(SLOT_DEFAULT,		"default")			\
	X(SLOT_CLIENT,		"transcript.client")		\
	X(SLOT_SERVER,		"transcript.server")		\
	X(SLOT_CLIENT_TLS,	"transcript.client.tls")	\
	X(SLOT_SERVER_TLS,	"transcript.server.tls")	\
	X(SLOT_MARKER,		"transcript.marker")		\
	X(SLOT_LOCK,		"transcript.lock")		\
	X(SLOT_ESCAPE,		"transcript.escape")		\
	X(SLOT_INFO,		"transcript.info")		\
	X(SLOT_WARNING,		"transcript.warning")		\
	X(SLOT_ERROR,		"transcript.error")		\
	X(SLOT_NOTE,		"transcript.note")		\
	X(SLOT_BOUNDARY,	"transcript.boundary")		\
	X(SLOT_TIME,		"transcript.time")		\
	X(SLOT_FOLD,		"transcript.fold")		\
	X(SLOT_SELECTED,	"transcript.selected")		\
	X(SLOT_EXPLAIN,		"transcript.explain")		\
	X(SLOT_LADDER_INJECTED,	"ladder.injected")		\
	X(SLOT_PRESENT_OFFER,	"present.offer")		\
	X(SLOT_PRESENT_STARTTLS, "present.starttls")		\
	X(SLOT_PRESENT_STRIPPED, "present.stripped")		\
	X(SLOT_PRESENT_INJECTED, "present.injected")		\
	X(SLOT_TLS_TITLE,	"tls.title")			\
	X(SLOT_TLS_LABEL,	"tls.label")			\
	X(SLOT_TLS_VALUE,	"tls.value")			\
	X(SLOT_TLS_OK,		"tls.ok")			\
	X(SLOT_TLS_BAD,		"tls.bad")			\
	X(SLOT_TLS_WARN,	"tls.warn")			\
	X(SLOT_TLS_SELECTED,	"tls.selected")			\
	X(SLOT_TLS_MATCH,	"tls.match")			\
	X(SLOT_BORDER,		"border")			\
	X(SLOT_BORDER_FOCUS,	"border.focus")			\
	X(SLOT_STATUS,		"status.bar")			\
	X(SLOT_STATUS_PLAIN,	"status.plain")			\
	X(SLOT_STATUS_TLS,	"status.tls")			\
	X(SLOT_STATUS_BAD,	"status.bad")			\
	X(SLOT_STATUS_REC,	"status.rec")			\
	X(SLOT_STATUS_PROGRESS,	"status.progress")		\
	X(SLOT_PROMPT,		"cmdline.prompt")		\
	X(SLOT_MODE,		"cmdline.mode")			\
	X(SLOT_INPUT,		"cmdline.input")		\
	X(SLOT_MESSAGE,		"message")			\
	X(SLOT_MESSAGE_ERROR,	"message.error")		\
	X(SLOT_HELP,		"help.text")			\
	X(SLOT_HELP_KEY,	"help.key")			\
	X(SLOT_HELP_TITLE,	"help.title")			\
	X(SLOT_MATCH,		"search.match")

#define X(e, n) e,
enum slot { SLOTS SLOT_MAX };
#undef X

#define TA_BOLD		0x01
#define TA_DIM		0x02
#define TA_UNDERLINE	0x04
#define TA_REVERSE	0x08
#define TA_ITALIC	0x10
#define TA_BLINK	0x20
#define TA_STANDOUT	0x40

#define THEME_DEFAULT_COLOUR	(-1)	/* the terminal's own */

struct theme_slot {
	int		 fg;		/* -1 default, 0-255 */
	int		 bg;
	unsigned	 attrs;		/* TA_* */
	bool		 defined;	/* set by the file */
};

struct theme {
	char			*name;
	char			*path;	/* NULL for the built-in default */
	struct theme_slot	 slot[SLOT_MAX];
};

const char	*slot_name(enum slot);
int		 slot_from_name(const char *);
void		 theme_builtin(struct theme *);
int		 theme_parse(const char *, const char *, struct theme *, char *,
		    size_t);
char		*theme_find(const char *);
int		 theme_load(const char *, struct theme *, char *, size_t);
void		 theme_free(struct theme *);
void		 theme_names(struct strv *);

/* The TUI's state, shared between its files. */
enum focus {
	FOCUS_CMDLINE,
	FOCUS_TRANSCRIPT,
	FOCUS_TLS,
	FOCUS_MAX
};

enum panel_mode {
	PANEL_AUTO,		/* right when wide, below when tall enough */
	PANEL_SHOWN,
	PANEL_HIDDEN,
};

/* Keys that are not bytes, from the terminal's terminfo strings. */
enum {
	TK_NONE = 0x110000,
	TK_UP, TK_DOWN, TK_LEFT, TK_RIGHT, TK_PPAGE, TK_NPAGE, TK_HOME,
	TK_END, TK_BTAB, TK_ENTER, TK_WHEEL_UP, TK_WHEEL_DOWN, TK_MOUSE,
	TK_F1, TK_F2, TK_F3, TK_F4, TK_F5, TK_F6, TK_F7, TK_F8, TK_F9,
	TK_F10,
};

/*
 * keys.c: the one key table.  Every binding names the context it acts
 * in, its keys, the action and its help; key dispatch, the readline
 * bindings, the help overlay and the documentation all read it.
 */
enum kctx {
	KC_ALWAYS,	/* every focus, the command line too (raw bytes) */
	KC_GLOBAL,	/* a pane has the focus; readline binds them too */
	KC_PANE,	/* the transcript or the TLS panel has the focus */
	KC_CMDLINE,	/* readline's own keys on the command line */
	KC_TRANSCRIPT,
	KC_TLS,
	KC_GLOSS,	/* an explanation in the TLS panel's place */
	KC_REPLAY,
	KC_DATA,	/* the question after Ctrl-C in SMTP DATA */
	KC_HELP,	/* this help overlay */
	KC_MAX
};

enum action {
	A_NONE,
	A_READLINE,		/* readline acts on it */
	A_INTERRUPT, A_SUSPEND, A_QUIT, A_REDRAW,
	A_HELP, A_TOGGLE_TLS, A_TLS_COMPACT, A_TIME, A_EXPLAIN,
	A_FOCUS_NEXT, A_FOCUS_PREV, A_COMPLETE_OR_FOCUS, A_CMDLINE,
	A_WHEEL_UP, A_WHEEL_DOWN, A_CLICK,
	A_UP, A_DOWN, A_SCROLL_LINE, A_PAGE_UP, A_PAGE_DOWN, A_HOME, A_END,
	A_SEARCH_FWD, A_SEARCH_BACK, A_NOTE_OR_NEXT, A_PREV_MATCH,
	A_MARK_NEXT, A_MARK_PREV, A_FOLD, A_FOLD_ALL,
	A_DETAIL,
	A_EXPLAIN_LINE, A_EXPLAIN_SELECTED, A_EXPLAIN_PANEL,
	A_GLOSS_BACK, A_GLOSS_CLOSE,
	A_STEP, A_STEP_BACK, A_PLAY, A_FASTER, A_SLOWER, A_FIRST, A_LAST,
	A_DATA_END, A_DATA_DROP,
	A_LADDER,
	A_CLOSE,
	A_TOUR, A_TOUR_NEXT,
	A_MAX
};

#define KEYS_PER_BINDING	4

struct binding {
	enum kctx	 ctx;
	int		 keys[KEYS_PER_BINDING];	/* 0 ends */
	enum action	 action;
	const char	*rl;		/* readline function, NULL if none */
	const char	*help;
};

extern const struct binding bindings[];
extern const size_t nbindings;
extern const enum kctx keys_sections[];
extern const size_t nkeys_sections;
bool		 keys_in_section(const struct binding *, enum kctx);
const char	*kctx_title(enum kctx);
const struct binding *keys_find(enum kctx, int);
const char	*keys_name(int, char *, size_t);
void		 keys_label(const struct binding *, size_t, struct buf *);
size_t		 keys_group(size_t);

struct _win_st;			/* curses WINDOW */
struct tui;
struct transcript;
struct tlspanel;
struct tour;
struct ladderpane;

/*
 * What several panes show, owned by tui.c (model.c) and filled from the
 * events and the session: panes read it, never each other.
 */
struct tui_model {
	/* the session summary, folded from the events (src/log/digest.c) */
	struct digest		 dg;
	/* the current handshake's steps, for the TLS panel's timeline */
	const struct event	**steps;
	size_t			 nsteps, stepcap;
	int64_t			 hs_start;
	const char		*channel;	/* the status bar's words */
	enum slot		 channel_slot;
	/* the engine's word, read by the TUI core */
	bool			 data_mode;	/* SMTP DATA */
	bool			 continuation;	/* a continuation is awaited */
	size_t			 pending;	/* replies awaited */
	int64_t			 expected;	/* sized transfer, -1 none */
	int64_t			 received;
	/* a server line still arriving: its first bytes, its length */
	char			 partial[256];
	size_t			 partial_len;
	bool			 partial_tls;
	/* replay */
	char			 replay_status[96];	/* "" live */
	char			 replay_damage[160];	/* "" none */
	/* shared view state */
	const struct event	*selected;	/* in the transcript, NULL */
	const struct event	*shown;		/* its last line drawn, NULL */
	bool			 gloss;		/* an explanation in the panel */
	bool			 compare;	/* :compare in the TLS panel */
	int			 msg_rows;	/* the message covers these */
	int			 ptr_y, ptr_x;	/* where the wheel turned */
};

/*
 * A pane (tig's view_ops).  tui.c holds the list and calls them: layout
 * after a resize, draw when one of its dirty bits is set, key with a
 * binding of the table (true: handled), event for each event of the log.
 * A pane never calls the engine or another pane.
 */
struct pane_ops {
	const char	*name;
	unsigned	 dirty;		/* D_* bits that redraw it */
	bool		 overlay;	/* drawn last, over the message */
	void		(*init)(struct tui *);
	void		(*reset)(struct tui *);	/* forget the events */
	void		(*done)(struct tui *);
	void		(*layout)(struct tui *);
	void		(*draw)(struct tui *);
	bool		(*key)(struct tui *, const struct binding *);
	void		(*event)(struct tui *, const struct event *);
};

extern const struct pane_ops transcript_pane, tlspanel_pane, tour_pane,
	    gloss_pane, statusbar_pane, help_pane, ladder_pane, columns_pane,
	    tlssummary_pane;

struct tui {
	struct loop		*loop;
	struct evlog		*log;
	struct session		*session;
	struct session_opts	 sopts;
	struct tui_opts		 opts;
	struct tui_model	 m;
	struct transcript	*ts;		/* the transcript pane's own */
	struct tlspanel		*tp;		/* the TLS panel's own */
	struct tour		*tour;		/* NULL: no guided tour */
	struct ladderpane	*lp;		/* the ladder pane's own */
	struct theme		 theme;
	bool			 mono;		/* attributes only */
	bool			 utf8;
	enum focus		 focus;
	enum panel_mode		 panel;
	bool			 help;
	int			 help_top;
	bool			 too_small;
	bool			 redraw_due;	/* a redraw is deferred */
	unsigned		 dirty;		/* D_* panes to draw */
	bool			 full_redraw;	/* clearok on next redraw */
	bool			 quitting;
	bool			 terminal_gone;	/* stdin hit EOF or EIO */
	bool			 secret;	/* reading a secret */
	bool			 searching;	/* reading a search string */
	bool			 data_ask;	/* Ctrl-C in DATA: end or drop? */
	int			 signo;		/* the signal that ended us */
	char			*message;	/* one-line message */
	bool			 message_error;
	int			 exit_code;
	size_t			 log_max;	/* evlog_max() */
	bool			 log_full;	/* past it: closing */
	struct recorder		*rec;		/* NULL: not recording */
	char			*rec_path;
	struct replay		*replay;	/* NULL: a live session */
	struct sidebyside	*sbs;		/* NULL: one session */
	/* progress of a long response */
	bool			 progress;
	int64_t			 progress_start;	/* first seen */
	struct timer		*progress_timer;
	struct timer		*partial_timer;	/* a line still arriving */
	int			 partial_quiet;	/* ticks with nothing new */
	int64_t			 reply_start;	/* a reply's first line, 0 */
	uint64_t		 reply_bytes;	/* its lines so far */
	/* layout */
	int			 cols;
	int			 rows;
	int			 ts_y, ts_x, ts_h, ts_w;
	/* tp_h is 0 when the TLS panel is not shown */
	int			 tp_y, tp_x, tp_h, tp_w;
	/* the compact TLS summary, when the panel is not shown */
	int			 sum_y, sum_h;
	int			 tour_h;	/* the tour's banner */
	/* lp_h is 0 when the ladder pane is not shown */
	int			 lp_y, lp_x, lp_h, lp_w;
};

/* tui.c */
#define D_TRANSCRIPT	0x01
#define D_TLS		0x02
#define D_STATUS	0x04
#define D_CMDLINE	0x08
#define D_ALL		0x0f
void	 tui_dirty(struct tui *, unsigned);
void	 tui_relayout(struct tui *);
void	 tui_message(struct tui *, bool, const char *, ...)
	    PRINTFLIKE(3, 4);
void	 tui_focus_next(struct tui *, int);
void	 tui_quit(struct tui *);
void	 tui_suspend(struct tui *);
void	 tui_set_theme(struct tui *, const char *);
void	 tui_connect(struct tui *);	/* a new session on t->sopts */
void	 tui_feed(struct tui *, const struct event *);	/* to every pane */
void	 tui_panes_reset(struct tui *);
bool	 tui_offer(struct tui *, const struct binding *);
bool	 tui_key(struct tui *, int);	/* cmdline.c: a pane has the focus */
bool	 tui_action(struct tui *, const struct binding *);	/* cmdline.c */

/* model.c: the summary the panes read. */
void	 model_reset(struct tui_model *);
void	 model_event(struct tui_model *, const struct event *);
void	 model_sync(struct tui *);
void	 model_free(struct tui_model *);

/* colour.c: the only file that knows curses attributes. */
void	 colour_init(struct tui *);
void	 colour_apply(struct tui *);
void	 colour_set(struct _win_st *, enum slot);
void	 colour_bkgd(struct _win_st *, enum slot);

/* text.c: sanitized, styled, wrapped text rows. */
struct run {
	size_t		 off;
	size_t		 len;
	enum slot	 slot;
};

struct rtext {
	struct buf	 text;		/* UTF-8, terminal-safe */
	struct run	*runs;
	size_t		 nruns;
	size_t		 cap;
	struct run	*hl;		/* highlighted ranges, in order */
	size_t		 nhl;
	size_t		 hlcap;
	int		 indent;	/* where wrapped rows start */
	bool		 words;		/* wrap prose at spaces */
};

void	 rtext_reset(struct rtext *);
void	 rtext_free(struct rtext *);
void	 rtext_add(struct rtext *, enum slot, const char *, size_t);
void	 rtext_adds(struct rtext *, enum slot, const char *);
void	 rtext_printf(struct rtext *, enum slot, const char *, ...)
	    PRINTFLIKE(3, 4);
void	 rtext_net(struct rtext *, enum slot, const char *, size_t);
void	 rtext_highlight(struct rtext *, const char *, enum slot);
int	 rtext_rows(const struct rtext *, int, int);
int	 rtext_draw(struct _win_st *, const struct rtext *, int, int, int,
	    int, int, int);
int	 text_width(const char *, size_t);
enum slot	 event_slot(const struct event *);	/* every pane's */

/* panes/transcript.c: what tui.c, the commands and replay ask of it. */
void	 transcript_page(struct transcript *, int);
int	 transcript_search(struct transcript *, const char *, int);
bool	 transcript_click(struct tui *, int, int);
void	 transcript_invalidate(struct transcript *);

/* panes/ladder.c: the sequence diagram under the transcript. */
void	 ladder_carve(struct tui *);	/* its rows, from the transcript's */
void	 cmd_ladder(struct tui *, const char *);

/* framelog.c: MAILSCOPE_FRAMELOG=PATH, one line per frame (make bench). */
#define FC_KEY		0x01
#define FC_EVENT	0x02
#define FC_SIGNAL	0x04
#define FC_TIMER	0x08
void	 framelog_open(void);
void	 framelog_close(void);
void	 framelog_cause(unsigned);
void	 framelog_frame(int64_t);

/* panes/tour.c: the guided tour of mailscope --lab --tour. */
void	 tour_start(struct tui *);
void	 tour_free(struct tui *);
int	 tour_rows(struct tui *);		/* rows of its banner */
void	 tour_enter(struct tui *);	/* Enter on an empty line */
void	 tour_cmd_next(struct tui *, const char *);
void	 tour_cmd_show(struct tui *, const char *);
void	 tour_cmd_answer(struct tui *, const char *);

/* cmdline.c: GNU readline through its callback interface. */
void	 cmdline_init(struct tui *);
void	 cmdline_layout(int, int);
void	 cmdline_draw(struct tui *);
void	 cmdline_input(struct tui *);	/* stdin readable */
void	 cmdline_interrupt(struct tui *);
void	 cmdline_secret(struct tui *, const char *,
	    void (*)(struct tui *, char *, void *), void *);
void	 cmdline_ask(struct tui *, const char *,
	    void (*)(struct tui *, char *, void *), void *);
void	 cmdline_search(struct tui *, int);
void	 cmdline_preset(struct tui *, const char *);
bool	 input_click(int *, int *);
void	 cmdline_end(struct tui *);
void	 cmdline_resume(struct tui *);
int	 input_key(void);
const char *history_path(struct tui *);

/* crash.c: a crash still gives the terminal back. */
void	 crash_save_modes(void);
void	 crash_install(void);
void	 crash_remove(void);

/* commands.c: ':' commands. */
struct command {
	const char	*name;
	const char	*args;
	const char	*help;
	void		(*fn)(struct tui *, const char *);
};
extern const struct command commands[];
const struct command *command_find(struct tui *, const struct command *,
	    const char *, const char **);
void	 command_run(struct tui *, const char *);
void	 command_send(struct tui *, const char *);
bool	 command_is_secret(struct tui *, const char *);

/* recording.c: --record and :record in the live inspector. */
int	 recording_start(struct tui *, const char *, char *, size_t);
void	 recording_stop(struct tui *, const char *, int);
const char *recording_badge(struct tui *, enum slot *);
void	 cmd_record(struct tui *, const char *);

/* probe.c: :probe, mailscope probe --json as a child process. */
void	 tui_probe(struct tui *, const char *);
void	 tui_probe_stop(struct tui *);

/* annotate.c: a note on the line selected in the transcript. */
void	 annotate_prompt(struct tui *, const struct event *);

/*
 * sidebyside.c: two sessions in two columns, step by step (the model is
 * render's sidebyside.c): two recordings (replay A B), or two labs live
 * (--lab --side-by-side), every line typed sent to both.  Side 0 is the
 * TUI's own log and session; side 1's are kept here.
 */
struct sidebyside {
	struct evlog		*log[2];
	char			*name[2];	/* in the notes: A, or good */
	char			*title[2];	/* over the columns */
	bool			 live;
	struct session_opts	 sopts;		/* live: side 1's */
	struct session		*session;	/* live: side 1's */
	struct sbs		 m;		/* the steps, paired */
	bool			 stale;		/* a log grew since */
	size_t			 upto;		/* rows shown (replay) */
	int			 scroll;	/* rows up from the last */
	bool			 playing;
	int			 period_ms;	/* a step every */
	struct timer		*timer;
};
struct sidebyside *sidebyside_replay(struct evlog *, struct evlog *,
	    const char *, const char *, double);
struct sidebyside *sidebyside_live(const struct session_opts *,
	    const char *, const char *);
void	 sidebyside_free(struct sidebyside *);
void	 sidebyside_start(struct tui *);
void	 sidebyside_end(struct tui *);
void	 sidebyside_sync(struct tui *);	/* the model, if stale */
size_t	 sidebyside_shown(const struct sidebyside *, int);
void	 sidebyside_send(struct tui *, const char *);
void	 sidebyside_quit(struct tui *);
bool	 sidebyside_key(struct tui *, const struct binding *);
void	 sidebyside_status(struct tui *, char *, size_t);

/* replay.c: mailscope replay FILE.jsonl, the TUI over a recording. */
extern const struct optcmd replay_cmd;
int	 replay_main(int, char **);
struct evlog *replay_log(struct replay *);
void	 replay_start(struct tui *);
void	 replay_end(struct tui *);
bool	 replay_key(struct tui *, const struct binding *);
void	 replay_line(struct tui *, char *);
void	 replay_quit(struct tui *);
void	 replay_status(struct tui *, char *, size_t);
bool	 replay_damage(struct tui *, char *, size_t);
extern const struct command replay_commands[];

#endif /* TUI_H */
