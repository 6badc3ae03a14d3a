/* SPDX-License-Identifier: ISC */
/*
 * base: what every layer uses and that knows nothing of mail: memory,
 * buffers, string vectors, time, encodings, the poll loop, the byte
 * stream (plaintext or TLS), and the sanitizer, the one gate from bytes
 * to the terminal.
 */
#ifndef MAILSCOPE_BASE_H
#define MAILSCOPE_BASE_H

#include <sys/types.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MAILSCOPE_VERSION	"0.1.0"
#define MAILSCOPE_LICENCE	"ISC"	/* LICENSE; SPDX identifier */

/* Exit codes, the program's contract (README, mailscope.1). */
#define EXIT_OK			0
#define EXIT_USAGE		1
#define EXIT_PROTO		2	/* connect or protocol failure */
#define EXIT_NOSTARTTLS		3	/* STARTTLS not offered or refused */
#define EXIT_HANDSHAKE		4	/* TLS handshake failed */
#define EXIT_VERIFY		5	/* certificate not verified */
#define EXIT_SECURITY		6	/* security warning: injection */
#define EXIT_WRITE		9	/* output lost: a write failed */

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif
#define PRINTFLIKE(a, b) __attribute__((__format__(__printf__, a, b)))
/* gcc takes a comment for it, clang only the attribute. */
#define FALLTHROUGH __attribute__((__fallthrough__))

/* util.c */
struct buf {
	char	*p;		/* always NUL-terminated when cap > 0 */
	size_t	 len;
	size_t	 cap;
};

struct strv {
	char	**v;
	size_t	  n;
};

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrdup_or_null(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...) PRINTFLIKE(2, 3);
__dead void fatal(const char *, ...) PRINTFLIKE(1, 2);
__dead void fatalx(const char *, ...) PRINTFLIKE(1, 2);
void	 fatal_set_hook(void (*)(void));

void	 buf_reserve(struct buf *, size_t);	/* room for n more and NUL */
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
void	 buf_vprintf(struct buf *, const char *, va_list) PRINTFLIKE(2, 0);
void	 buf_consume(struct buf *, size_t);
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
void	 buf_wipe(struct buf *);		/* zeroed, then freed */

void	 strv_add(struct strv *, const char *);
void	 strv_addn(struct strv *, const char *, size_t);
bool	 strv_has(const struct strv *, const char *);
bool	 word_is(const char *, size_t, const char *);
void	 strv_copy(struct strv *, const struct strv *);
void	 strv_clear(struct strv *);

int64_t	 mono_ns(void);
int64_t	 wall_ns(void);
void	 format_wall(int64_t, char *, size_t);	/* ISO 8601 UTC, microseconds */
void	 format_secs(int64_t, char *, size_t);	/* the same from seconds */
size_t	 ascii_run(const char *, size_t);	/* printable ASCII prefix */
int	 b64_encode(const void *, size_t, struct buf *);
int	 b64_decode(const char *, size_t, struct buf *);
int	 strcasecmp_prefix(const char *, size_t, const char *);
int	 c_unescape(const char *, size_t, struct buf *, char *, size_t);
int	 timeout_parse(const char *);	/* seconds to ms, -1: bad */
int	 int_arg(const char *, int, int);	/* lo..hi, -1: bad */
int	 file_load(const char *, size_t, struct buf *, char *, size_t);
#define MESSAGE_MAX	(256U << 20)	/* a message file, in bytes */
int	 session_number_arg(const char *, const char *);	/* 0: bad, said */
int	 file_open_write(const char *, int, bool, char *, size_t);

/* loop.c: single-threaded poll loop with fds, timers and signals. */
struct loop;
struct timer;
typedef void	(*io_cb)(int fd, short revents, void *arg);
typedef void	(*timer_cb)(void *arg);
typedef void	(*signal_cb)(int signo, void *arg);

struct loop	*loop_new(void);
void		 loop_free(struct loop *);
void		 loop_add_fd(struct loop *, int, short, io_cb, void *);
void		 loop_set_events(struct loop *, int, short);
void		 loop_del_fd(struct loop *, int);
void		 loop_add_signal(struct loop *, int, signal_cb, void *);
void		 loop_defer(struct loop *, timer_cb, void *);
int		 loop_run_once(struct loop *);	/* -1 when nothing to wait for */
void		 loop_run(struct loop *);	/* until loop_break */
void		 loop_break(struct loop *);
bool		 loop_broken(const struct loop *);
struct timer	*timer_new(struct loop *, timer_cb, void *);
void		 timer_set(struct timer *, int64_t);	/* milliseconds */
void		 timer_cancel(struct timer *);
bool		 timer_pending(const struct timer *);
void		 timer_free(struct timer *);

/* stream.c: a non-blocking byte stream over an fd, plaintext or GnuTLS,
 * client or server side.  It owns the fd and, once given, the TLS
 * session.  Reads and writes return bytes, 0 at the end (reads),
 * STREAM_AGAIN, or -1 with stream_error(). */
#define STREAM_AGAIN		(-2)
#define STREAM_QUICKACK		0x1	/* ACK what arrives at once */
#define STREAM_FIRST_BYTES	32
struct stream;
struct gnutls_session_int;
struct gnutls_certificate_credentials_st;
struct gnutls_priority_st;
/* Words for a fatal TLS error (GnuTLS's rc; true: in the handshake). */
typedef void	(*stream_explain_cb)(int, bool, char *, size_t, void *);

struct stream	*stream_new(int, int);
void		 stream_free(struct stream *);	/* closes the fd */
int		 stream_fd(const struct stream *);
void		 stream_tls(struct stream *, struct gnutls_session_int *,
		    bool);			/* true: server side */
int		 stream_tls_server(struct stream *,
		    struct gnutls_certificate_credentials_st *,
		    struct gnutls_priority_st *);
struct gnutls_session_int *stream_tls_session(const struct stream *);
void		 stream_set_explain(struct stream *, stream_explain_cb,
		    void *);
int		 stream_handshake(struct stream *);	/* 1 done */
ssize_t		 stream_read(struct stream *, void *, size_t);
ssize_t		 stream_write(struct stream *, const void *, size_t);
int		 stream_flush(struct stream *, struct buf *);	/* 1: empty */
int		 stream_bye(struct stream *);		/* 1 done */
bool		 stream_want_write(const struct stream *);
size_t		 stream_pending(const struct stream *);
const char	*stream_error(const struct stream *);
int		 stream_errno(const struct stream *);
bool		 stream_eof(const struct stream *);
size_t		 stream_first_bytes(const struct stream *,
		    const unsigned char **);	/* read inside TLS */

/*
 * opt.c: a command's options as one table, from which getopt_long's
 * struct option, --help and the shell completions all come.  A row with
 * val 0 is a heading of --help.
 */
enum opt_kind {
	OPTK_NONE,	/* a free word: a number, a name */
	OPTK_FILE,
	OPTK_DIR,
	OPTK_URL,
	OPTK_SCENARIO,	/* a lab scenario */
	OPTK_THEME,
	OPTK_WORDS,	/* one of arg's words, '|'-separated */
};
#define OPTF_HIDDEN	0x1	/* not in --help, nor completed */
#define OPTF_JOIN	0x2	/* shares the label of the row before */

struct opt {
	const char	*name;		/* long name; NULL: short only */
	int		 has_arg;	/* getopt's no_argument, ... */
	int		 val;		/* a letter, or from 256 */
	enum opt_kind	 kind;		/* what the argument is */
	const char	*arg;		/* its name in --help; OPTK_WORDS:
					   "NAME:word|word|..." */
	const char	*help;		/* lines; a heading's text */
	int		 flags;
};
struct optcmd {
	const char		*name;		/* NULL: mailscope itself */
	const char		*prog;		/* "mailscope probe" */
	const struct opt	*opts;
	size_t			 nopts;
	enum opt_kind		 operand;	/* the words after them */
};
struct option;
struct opt_getopt {
	struct option	*longopts;
	char		*shortopts;
};

void		 opt_getopt(const struct optcmd *, struct opt_getopt *);
int		 opt_next(struct opt_getopt *, int, char **);
void		 opt_getopt_free(struct opt_getopt *);
const struct opt *opt_find(const struct optcmd *, int);
const char	*opt_words(const struct opt *);
int		 opt_arg_len(const struct opt *);
void		 opt_help(const struct optcmd *, struct buf *);
void		 opt_error(const struct optcmd *, int, char **, struct buf *);

/* sanitize.c: bytes -> terminal-safe text.  The one gate to every view. */
struct san_span {
	const char	*p;
	size_t		 len;
	bool		 escape;	/* a visible escape, not the text */
};
typedef void	(*san_cb)(const struct san_span *, void *);

size_t		 sanitize(const char *, size_t, struct buf *);
size_t		 sanitize_spans(const char *, size_t, san_cb, void *);
/* Sanitized text is UTF-8: its code points, and the bytes of the first n. */
size_t		 u8_count(const char *, size_t);
size_t		 u8_prefix(const char *, size_t, size_t);

#endif /* MAILSCOPE_BASE_H */
