/* SPDX-License-Identifier: ISC */
/*
 * Small helpers shared by every part: allocation that never returns NULL,
 * growable buffers, string vectors, clocks, base64 and files to write.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "base/base.h"

static void (*fatal_hook)(void);

void
fatal_set_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

static __dead void vfatal(int, const char *, va_list) PRINTFLIKE(2, 0);

static __dead void
vfatal(int with_errno, const char *fmt, va_list ap)
{
	int	saved = errno;

	/* Restore the terminal first so the message is readable. */
	if (fatal_hook != NULL)
		fatal_hook();
	fprintf(stderr, "mailscope: ");
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	exit(EXIT_PROTO);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfatal(1, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfatal(0, fmt, ap);
}

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		fatal("malloc %zu", size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = calloc(n, size)) == NULL)
		fatal("calloc %zu x %zu", n, size);
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0)
		n = size = 1;
	if (size != 0 && n > SIZE_MAX / size)
		fatalx("reallocarray: %zu x %zu overflows", n, size);
	if ((p = realloc(old, n * size)) == NULL)
		fatal("realloc %zu x %zu", n, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return p;
}

char *
xstrdup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("vasprintf");
	return n;
}

void
buf_reserve(struct buf *b, size_t more)
{
	size_t	need, cap;

	if (more > SIZE_MAX - b->len - 1)
		fatalx("buffer size overflows");
	need = b->len + more + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->p = xreallocarray(b->p, cap, 1);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	ap2;
	int	n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatalx("vsnprintf failed");
	buf_reserve(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
	b->p[b->len] = '\0';
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->cap > 0)
		b->p[0] = '\0';
}

/* Zero, then free: the buffer held a secret. */
void
buf_wipe(struct buf *b)
{
	if (b->p != NULL)
		explicit_bzero(b->p, b->cap);
	buf_free(b);
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
strv_addn(struct strv *sv, const char *s, size_t len)
{
	sv->v = xreallocarray(sv->v, sv->n + 2, sizeof *sv->v);
	sv->v[sv->n++] = xstrndup(s, len);
	sv->v[sv->n] = NULL;
}

void
strv_add(struct strv *sv, const char *s)
{
	strv_addn(sv, s, strlen(s));
}

/* The len bytes at p are the word w, in any case. */
bool
word_is(const char *p, size_t len, const char *w)
{
	return strlen(w) == len && strncasecmp(p, w, len) == 0;
}

bool
strv_has(const struct strv *sv, const char *s)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		if (strcasecmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void
strv_copy(struct strv *dst, const struct strv *src)
{
	size_t	i;

	strv_clear(dst);
	for (i = 0; i < src->n; i++)
		strv_add(dst, src->v[i]);
}

void
strv_clear(struct strv *sv)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

int64_t
mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
wall_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
format_wall(int64_t ns, char *out, size_t outlen)
{
	static time_t	last = -1;
	static char	tmp[32];	/* the date and time of last */
	time_t		secs = (time_t)(ns / 1000000000);
	long		usec = (long)((ns % 1000000000) / 1000);
	struct tm	tm;
	size_t		n;
	int		i;

	/* A recording asks for every event's time: the second rarely moves. */
	if (secs != last) {
		gmtime_r(&secs, &tm);
		strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
		last = secs;
	}
	/* "%s.%06ldZ" without printf, the cost of a body line otherwise. */
	n = strlen(tmp);
	if (outlen < n + 9) {
		snprintf(out, outlen, "%s", tmp);
		return;
	}
	memcpy(out, tmp, n);
	out[n] = '.';
	for (i = 6; i > 0; i--, usec /= 10)
		out[n + i] = (char)('0' + usec % 10);
	out[n + 7] = 'Z';
	out[n + 8] = '\0';
}

/*
 * A date in unix seconds (a certificate's validity) in format_wall()'s
 * form.  Not through nanoseconds: int64_t ns end in 2262, and
 * certificates say 9999-12-31.
 */
void
format_secs(int64_t secs, char *out, size_t outlen)
{
	time_t		t = (time_t)secs;
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%dT%H:%M:%S.000000Z", &tm) == 0)
		snprintf(out, outlen, "(%lld: out of range)", (long long)secs);
}

/*
 * How many bytes at s are printable ASCII (0x20-0x7e), most of any mail
 * text.  ASCII_STEP at a time with a fixed count and no early exit, so
 * the compiler checks them at once (SSE2 on x86-64 at -O2).
 */
#define ASCII_STEP	32

size_t
ascii_run(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned char		 bad;
	size_t			 i = 0, k;

	while (len - i >= ASCII_STEP) {
		bad = 0;
		for (k = 0; k < ASCII_STEP; k++)
			bad |= (unsigned char)(p[i + k] - 0x20) > 0x5e;
		if (bad)
			break;
		i += ASCII_STEP;
	}
	while (i < len && (unsigned char)(p[i] - 0x20) <= 0x5e)
		i++;
	return i;
}

int
b64_encode(const void *data, size_t len, struct buf *out)
{
	gnutls_datum_t	in = { (unsigned char *)(uintptr_t)data,
			    (unsigned int)len }, res = { NULL, 0 };

	if (len > UINT32_MAX / 2)
		return -1;
	if (len == 0)
		return 0;
	if (gnutls_base64_encode2(&in, &res) < 0)
		return -1;
	buf_add(out, res.data, res.size);
	/* It may be a secret's base64 form. */
	explicit_bzero(res.data, res.size);
	gnutls_free(res.data);
	return 0;
}

int
b64_decode(const char *s, size_t len, struct buf *out)
{
	gnutls_datum_t	in = { (unsigned char *)(uintptr_t)s,
			    (unsigned int)len }, res = { NULL, 0 };

	if (len > UINT32_MAX / 2)
		return -1;
	if (len == 0)
		return 0;
	if (gnutls_base64_decode2(&in, &res) < 0)
		return -1;
	buf_add(out, res.data, res.size);
	explicit_bzero(res.data, res.size);
	gnutls_free(res.data);
	return 0;
}

/* Does the text start with prefix (ASCII, any case)? */
int
strcasecmp_prefix(const char *s, size_t len, const char *prefix)
{
	size_t	n = strlen(prefix);

	if (len < n)
		return 0;
	return strncasecmp(s, prefix, n) == 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* C-style escapes (\r \n \t \e \0 \xNN \\ ...) for :raw experiments. */
int
c_unescape(const char *s, size_t len, struct buf *out, char *err,
    size_t errlen)
{
	size_t	i;
	int	hi, lo;
	char	c;

	for (i = 0; i < len; i++) {
		if (s[i] != '\\') {
			buf_addc(out, s[i]);
			continue;
		}
		if (++i == len) {
			snprintf(err, errlen, "a lone backslash ends the text");
			return -1;
		}
		switch (s[i]) {
		case 'r': c = '\r'; break;
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case 'e': c = '\033'; break;
		case 'a': c = '\a'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'v': c = '\v'; break;
		case '0': c = '\0'; break;
		case '\\': c = '\\'; break;
		case '"': c = '"'; break;
		case '\'': c = '\''; break;
		case 'x':
			if (i + 2 >= len ||
			    (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0) {
				snprintf(err, errlen, "\\x needs two hex "
				    "digits");
				return -1;
			}
			c = (char)(hi << 4 | lo);
			i += 2;
			break;
		default:
			snprintf(err, errlen, "unknown escape \\%c", s[i]);
			return -1;
		}
		buf_addc(out, c);
	}
	return 0;
}

/*
 * --timeout: seconds, fractions allowed, from 1 ms to a day.  NaN fails
 * every comparison, so it is refused too.
 */
int
timeout_parse(const char *s)
{
	char	*end;
	double	 v;

	v = strtod(s, &end);
	if (end == s || *end != '\0' || !(v >= 0.001 && v <= 86400))
		return -1;
	return (int)(v * 1000 + 0.5);
}

/* A whole number from lo to hi (an option's), or -1. */
int
int_arg(const char *s, int lo, int hi)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < lo || n > hi)
		return -1;
	return (int)n;
}

/*
 * --session N of export and replay: which recording of a file, 1 to
 * 65535; 0 when s is not one, said on stderr for command cmd.
 */
int
session_number_arg(const char *cmd, const char *s)
{
	char	*end;
	long	 v = 0;

	if (*s >= '1' && *s <= '9') {
		errno = 0;
		v = strtol(s, &end, 10);
		if (*end != '\0' || errno != 0 || v > 65535)
			v = 0;
	}
	if (v == 0)
		fprintf(stderr, "mailscope %s: bad --session '%s' (1 is the "
		    "first recording)\n", cmd, s);
	return (int)v;
}

/*
 * Open path for writing: never through a symbolic link (O_NOFOLLOW), only
 * a regular file (a FIFO must not hang the open: O_NONBLOCK until it is
 * known to be a file).  flags adds O_APPEND, O_EXCL or O_TRUNC; O_TRUNC
 * cuts the file only once it is known to be a plain file.  secret: the
 * file will hold TLS secrets or a transcript, so an existing one must be
 * ours and readable by us alone; a loose one is refused, not changed, so
 * nothing already in it stays readable by others without a word.
 * Returns the descriptor, or -1 with err set.
 */
int
file_open_write(const char *path, int flags, bool secret, char *err,
    size_t errlen)
{
	struct stat	 st;
	int		 fd, fl;

	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK | (flags & (O_APPEND | O_EXCL)), secret ? 0600 : 0666);
	if (fd == -1) {
		if (errno == ELOOP)
			snprintf(err, errlen, "%s: is a symbolic link; not "
			    "following it (give the real path)", path);
		else if (errno == EEXIST && (flags & O_EXCL))
			snprintf(err, errlen, "%s: exists; give a new file "
			    "name", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if (secret && st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: belongs to uid %lu, not to you; "
		    "refused (it would hold secrets): give a file of your "
		    "own", path, (unsigned long)st.st_uid);
		goto fail;
	}
	if (secret && (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: mode %04o lets others read it; "
		    "refused (it would hold secrets): chmod 600 it or give "
		    "a new file", path, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1 ||
	    ((flags & O_TRUNC) && ftruncate(fd, 0) == -1)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * The whole of a message file ("-": standard input), at most max bytes:
 * 0, or -1 with err set.
 */
int
file_load(const char *path, size_t max, struct buf *out, char *err,
    size_t errlen)
{
	char	 tmp[64 * 1024];
	ssize_t	 n;
	int	 fd, saved;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, tmp, sizeof tmp)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || out->len + (size_t)n > max) {
			saved = errno;
			if (n == -1)
				snprintf(err, errlen, "%s: %s", path,
				    strerror(saved));
			else
				snprintf(err, errlen, "%s: larger than %zu "
				    "MiB", path, max >> 20);
			if (fd != STDIN_FILENO)
				close(fd);
			return -1;
		}
		buf_add(out, tmp, (size_t)n);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
}
