/* SPDX-License-Identifier: ISC */
/*
 * The lab's message store: demo's mailboxes (INBOX, Sent, Drafts, Trash
 * and what a client creates), bounded by LAB_STORE_MAX messages and
 * LAB_STORE_BYTES in all, the oldest dropped first.  With --store DIR
 * every change is written through, one file a message, so a bad file
 * costs that message alone:
 *
 *	DIR/mbox-<name in hex>/state	"mailscope-lab-mailbox 1", then the
 *					name, uidvalidity and uidnext lines
 *	DIR/mbox-<name in hex>/<uid>.<flags>	the message, CRLF lines;
 *					flags "-" or S (\Seen) and D (\Deleted)
 *
 * Files are written aside and renamed into place, so a crash leaves the
 * old file or the new one.  A file the lab did not write is named in a
 * warning and left as it is.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lab/lab_int.h"

#define STORE_MAGIC	"mailscope-lab-mailbox 1"
#define STORE_STATE_MAX	4096

static const struct {
	const char	*name;
	const char	*special;
} store_boxes[] = {
	{ "INBOX", NULL },
	{ "Sent", "\\Sent" },
	{ "Drafts", "\\Drafts" },
	{ "Trash", "\\Trash" },
};

static void PRINTFLIKE(2, 3)
store_warn(struct lab_store *st, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (st->warn != NULL)
		st->warn(st->warn_arg, msg);
}

/*
 * A name the lab accepts: printable ASCII without the wildcards and
 * quoting characters, "/" between non-empty parts.
 */
bool
lab_mbox_name_ok(const char *name)
{
	size_t	i, len = strlen(name);

	if (len == 0 || len > LAB_MBOX_NAME_MAX || name[0] == '/' ||
	    name[len - 1] == '/' || strstr(name, "//") != NULL)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 ||
		    (unsigned char)name[i] >= 0x7f ||
		    strchr("%*\"\\", name[i]) != NULL)
			return false;
	return true;
}

static bool
store_is_inbox(const char *name)
{
	return strcasecmp(name, "INBOX") == 0;
}

struct lab_mbox *
lab_store_box(const struct lab_store *st, const char *name)
{
	size_t	i;

	for (i = 0; i < st->nboxes; i++)
		if (strcmp(st->boxes[i]->name, name) == 0 ||
		    (i == 0 && store_is_inbox(name)))
			return st->boxes[i];
	return NULL;
}

struct lab_mbox *
lab_store_inbox(const struct lab_store *st)
{
	return st->boxes[0];
}

static char *
store_path(const struct lab_store *st, const struct lab_mbox *b,
    const char *file)
{
	struct buf	 p = { NULL, 0, 0 };
	const char	*s;

	buf_printf(&p, "%s/mbox-", st->dir);
	for (s = b->name; *s != '\0'; s++)
		buf_printf(&p, "%02x", (unsigned char)*s);
	if (file != NULL)
		buf_printf(&p, "/%s", file);
	return p.p;
}

static void
store_msg_file(const struct lab_msg *m, char *out, size_t len)
{
	snprintf(out, len, "%u.%s%s%s", m->uid, !m->seen && !m->deleted ?
	    "-" : "", m->seen ? "S" : "", m->deleted ? "D" : "");
}

/* Write data as dir's file, by way of a temporary name and rename(2). */
static int
store_write(struct lab_store *st, const struct lab_mbox *b, const char *file,
    const char *data, size_t len)
{
	char	*tmp, *path, err[512];
	int	 fd, saved, ret = -1;
	ssize_t	 w;
	size_t	 off = 0;
	bool	 ok;

	path = store_path(st, b, file);
	xasprintf(&tmp, "%s.tmp", path);
	if ((fd = file_open_write(tmp, O_TRUNC, true, err, sizeof err)) == -1) {
		store_warn(st, "store: %s", err);
		goto out;
	}
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	/* On disk before it takes the old file's name. */
	ok = off == len && fsync(fd) == 0;
	saved = errno;
	if (close(fd) == -1 && ok) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		store_warn(st, "store: %s: write failed: %s", tmp,
		    strerror(saved));
		(void)unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) == -1) {
		store_warn(st, "store: %s: %s", path, strerror(errno));
		(void)unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	free(path);
	return ret;
}

static void
store_save_state(struct lab_store *st, const struct lab_mbox *b)
{
	char	*s;
	int	 n;

	if (st->dir == NULL)
		return;
	n = xasprintf(&s, "%s\nname %s\nuidvalidity %u\nuidnext %u\n",
	    STORE_MAGIC, b->name, b->uidvalidity, b->uidnext);
	(void)store_write(st, b, "state", s, (size_t)n);
	free(s);
}

static struct lab_mbox *
store_box_new(struct lab_store *st, const char *name, const char *special)
{
	struct lab_mbox	*b;

	b = xcalloc(1, sizeof *b);
	b->name = xstrdup(name);
	b->special = special;
	/* Distinct per mailbox, so a UID never means two messages. */
	b->uidvalidity = (uint32_t)time(NULL) + (uint32_t)st->nboxes;
	b->uidnext = 1;
	st->boxes = xreallocarray(st->boxes, st->nboxes + 1,
	    sizeof *st->boxes);
	st->boxes[st->nboxes++] = b;
	return b;
}

static void
store_mkdir(struct lab_store *st, const struct lab_mbox *b)
{
	char	*path;

	if (st->dir == NULL)
		return;
	path = store_path(st, b, NULL);
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		store_warn(st, "store: %s: %s", path, strerror(errno));
	free(path);
}

void
lab_store_init(struct lab_store *st)
{
	size_t	i;

	memset(st, 0, sizeof *st);
	for (i = 0; i < sizeof store_boxes / sizeof store_boxes[0]; i++)
		store_box_new(st, store_boxes[i].name, store_boxes[i].special);
}

static void
lab_msg_free(struct lab_msg *m)
{
	buf_free(&m->data);
	free(m);
}

void
lab_store_free(struct lab_store *st)
{
	size_t	i, j;

	for (i = 0; i < st->nboxes; i++) {
		for (j = 0; j < st->boxes[i]->n; j++)
			lab_msg_free(st->boxes[i]->msgs[j]);
		free(st->boxes[i]->msgs);
		free(st->boxes[i]->name);
		free(st->boxes[i]);
	}
	free(st->boxes);
	free(st->dir);
	memset(st, 0, sizeof *st);
}

/* 0, or why not: LAB_CREATE_BAD, LAB_CREATE_EXISTS, LAB_CREATE_FULL. */
int
lab_store_create(struct lab_store *st, const char *name)
{
	struct lab_mbox	*b;

	if (lab_store_box(st, name) != NULL)
		return LAB_CREATE_EXISTS;
	if (!lab_mbox_name_ok(name))
		return LAB_CREATE_BAD;
	if (st->nboxes >= LAB_MBOX_MAX)
		return LAB_CREATE_FULL;
	b = store_box_new(st, name, NULL);
	store_mkdir(st, b);
	store_save_state(st, b);
	return 0;
}

static void
store_unlink(struct lab_store *st, const struct lab_mbox *b,
    const struct lab_msg *m)
{
	char	 file[64], *path;

	if (st->dir == NULL)
		return;
	store_msg_file(m, file, sizeof file);
	path = store_path(st, b, file);
	if (unlink(path) == -1 && errno != ENOENT)
		store_warn(st, "store: %s: %s", path, strerror(errno));
	free(path);
}

static void
store_drop(struct lab_store *st, struct lab_mbox *b, size_t i)
{
	store_unlink(st, b, b->msgs[i]);
	st->bytes -= b->msgs[i]->data.len;
	st->nmsgs--;
	lab_msg_free(b->msgs[i]);
	memmove(&b->msgs[i], &b->msgs[i + 1],
	    (b->n - i - 1) * sizeof *b->msgs);
	b->n--;
}

/* The oldest message of all mailboxes makes room. */
static bool
store_drop_oldest(struct lab_store *st)
{
	struct lab_mbox	*ob = NULL;
	size_t		 i;

	for (i = 0; i < st->nboxes; i++)
		if (st->boxes[i]->n > 0 && (ob == NULL ||
		    st->boxes[i]->msgs[0]->when < ob->msgs[0]->when))
			ob = st->boxes[i];
	if (ob == NULL)
		return false;
	store_drop(st, ob, 0);
	return true;
}

static struct lab_msg *
store_insert(struct lab_store *st, struct lab_mbox *b, uint32_t uid,
    struct buf *data, int64_t when)
{
	struct lab_msg	*m;

	m = xcalloc(1, sizeof *m);
	m->uid = uid;
	m->when = when;
	m->data = *data;
	memset(data, 0, sizeof *data);
	b->msgs = xreallocarray(b->msgs, b->n + 1, sizeof *b->msgs);
	b->msgs[b->n++] = m;
	st->bytes += m->data.len;
	st->nmsgs++;
	return m;
}

/*
 * A new message in b: its UID, or 0 when it can never fit.  The bytes
 * are copied first, so data may point into a message dropped for room.
 */
uint32_t
lab_store_add(struct lab_store *st, struct lab_mbox *b, const char *data,
    size_t len, bool seen)
{
	struct buf	 copy = { NULL, 0, 0 };
	struct lab_msg	*m;
	char		 file[64];

	if (len > LAB_STORE_BYTES)
		return 0;
	buf_add(&copy, data, len);
	while (st->nmsgs >= LAB_STORE_MAX ||
	    st->bytes + len > LAB_STORE_BYTES)
		if (!store_drop_oldest(st))
			break;
	m = store_insert(st, b, b->uidnext++, &copy, (int64_t)time(NULL));
	m->seen = seen;
	st->serial++;
	if (st->dir != NULL) {
		store_save_state(st, b);
		store_msg_file(m, file, sizeof file);
		(void)store_write(st, b, file, m->data.p != NULL ? m->data.p :
		    "", m->data.len);
	}
	return m->uid;
}

struct lab_msg *
lab_store_find(const struct lab_mbox *b, uint32_t uid)
{
	size_t	i;

	for (i = 0; i < b->n; i++)
		if (b->msgs[i]->uid == uid)
			return b->msgs[i];
	return NULL;
}

/* Flags change: on disk the file is renamed. */
void
lab_store_set_flags(struct lab_store *st, struct lab_mbox *b,
    struct lab_msg *m, bool seen, bool deleted)
{
	char	 from[64], to[64], *pf, *pt;

	if (m->seen == seen && m->deleted == deleted)
		return;
	store_msg_file(m, from, sizeof from);
	m->seen = seen;
	m->deleted = deleted;
	if (st->dir == NULL)
		return;
	store_msg_file(m, to, sizeof to);
	pf = store_path(st, b, from);
	pt = store_path(st, b, to);
	if (rename(pf, pt) == -1)
		store_warn(st, "store: %s: %s", pf, strerror(errno));
	free(pf);
	free(pt);
}

void
lab_store_remove(struct lab_store *st, struct lab_mbox *b, uint32_t uid)
{
	size_t	i;

	for (i = 0; i < b->n; i++)
		if (b->msgs[i]->uid == uid) {
			store_drop(st, b, i);
			return;
		}
}

void
lab_store_expunge(struct lab_store *st, struct lab_mbox *b)
{
	size_t	i = 0;

	while (i < b->n) {
		if (b->msgs[i]->deleted)
			store_drop(st, b, i);
		else
			i++;
	}
}

/* Reading a store back. */

/* "<uid>.<flags>": the UID, or 0 for a name the lab did not write. */
uint32_t
lab_store_parse_name(const char *name, bool *seen, bool *deleted)
{
	unsigned long	 v;
	char		*end;
	const char	*f;

	if (*name < '1' || *name > '9')
		return 0;
	errno = 0;
	v = strtoul(name, &end, 10);
	if (errno != 0 || v == 0 || v > UINT32_MAX - 1 || *end != '.')
		return 0;
	f = end + 1;
	*seen = *deleted = false;
	if (strcmp(f, "-") == 0)
		return (uint32_t)v;
	if (*f == 'S') {
		*seen = true;
		f++;
	}
	if (*f == 'D') {
		*deleted = true;
		f++;
	}
	if (*f != '\0' || f == end + 1)
		return 0;
	return (uint32_t)v;
}

/*
 * A state file: 0 with the counters, -1 when it is not one the lab wrote
 * (bytes and length as read).  Its name line is for people: the
 * directory's name says which mailbox it is.
 */
int
lab_store_parse_state(const char *p, size_t len, uint32_t *uidvalidity,
    uint32_t *uidnext)
{
	char		*s, *line, *save = NULL, *end;
	unsigned long	 v;
	int		 got = 0, ret = -1;

	if (len == 0 || len > STORE_STATE_MAX || memchr(p, '\0', len) != NULL)
		return -1;
	s = xstrndup(p, len);
	line = strtok_r(s, "\n", &save);
	if (line == NULL || strcmp(line, STORE_MAGIC) != 0)
		goto out;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		if (strncmp(line, "name ", 5) == 0)
			continue;
		if (strncmp(line, "uidvalidity ", 12) == 0)
			line += 12;
		else if (strncmp(line, "uidnext ", 8) == 0)
			line += 8;
		else
			goto out;
		errno = 0;
		v = strtoul(line, &end, 10);
		if (errno != 0 || *end != '\0' || v == 0 || v > UINT32_MAX ||
		    *line < '0' || *line > '9')
			goto out;
		if (line[-2] == 'y') {
			*uidvalidity = (uint32_t)v;
			got |= 2;
		} else {
			*uidnext = (uint32_t)v;
			got |= 4;
		}
	}
	ret = got == 6 ? 0 : -1;
out:
	free(s);
	return ret;
}

/* "mbox-<hex>": the mailbox name, or NULL. */
char *
lab_store_dir_name(const char *sub)
{
	const char	*h = sub + 5;
	size_t		 len, i;
	unsigned int	 c;
	char		*name;

	if (strncmp(sub, "mbox-", 5) != 0)
		return NULL;
	len = strlen(h);
	if (len == 0 || len % 2 != 0 || len / 2 > LAB_MBOX_NAME_MAX)
		return NULL;
	name = xmalloc(len / 2 + 1);
	for (i = 0; i < len / 2; i++) {
		if (sscanf(h + 2 * i, "%2x", &c) != 1 ||
		    strchr("0123456789abcdef", h[2 * i]) == NULL ||
		    strchr("0123456789abcdef", h[2 * i + 1]) == NULL) {
			free(name);
			return NULL;
		}
		name[i] = (char)c;
	}
	name[len / 2] = '\0';
	if (!lab_mbox_name_ok(name)) {
		free(name);
		return NULL;
	}
	return name;
}

static int
msg_cmp(const void *a, const void *b)
{
	const struct lab_msg	*x = *(struct lab_msg *const *)a;
	const struct lab_msg	*y = *(struct lab_msg *const *)b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static void
store_load_box(struct lab_store *st, const char *sub)
{
	struct buf	 b = { NULL, 0, 0 };
	struct lab_mbox	*box;
	struct dirent	*de;
	struct stat	 sb;
	struct lab_msg	*m;
	DIR		*d;
	char		*path, *name, err[512];
	uint32_t	 uidv = 0, uidn = 0, uid, maxuid = 0;
	bool		 seen, del, good;

	if ((name = lab_store_dir_name(sub)) == NULL) {
		store_warn(st, "store: %s/%s: not a mailbox the lab wrote; "
		    "left alone", st->dir, sub);
		return;
	}
	if ((box = lab_store_box(st, name)) == NULL) {
		if (st->nboxes >= LAB_MBOX_MAX) {
			store_warn(st, "store: %s/%s: more than %d mailboxes; "
			    "left alone", st->dir, sub, LAB_MBOX_MAX);
			free(name);
			return;
		}
		box = store_box_new(st, name, NULL);
	}
	free(name);
	xasprintf(&path, "%s/%s/state", st->dir, sub);
	good = file_load(path, STORE_STATE_MAX, &b, err, sizeof err) == 0 &&
	    lab_store_parse_state(b.p, b.len, &uidv, &uidn) == 0;
	buf_free(&b);
	if (good) {
		box->uidvalidity = uidv;
		box->uidnext = uidn;
	} else if (access(path, F_OK) == 0) {
		/* Kept aside; new counters tell clients to sync again. */
		store_warn(st, "store: %s: not a lab state file; kept as "
		    "state.bad, the mailbox gets a new UIDVALIDITY", path);
		xasprintf(&name, "%s.bad", path);
		(void)rename(path, name);
		free(name);
	}
	free(path);
	xasprintf(&path, "%s/%s", st->dir, sub);
	if ((d = opendir(path)) == NULL) {
		store_warn(st, "store: %s: %s", path, strerror(errno));
		free(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char	*fp;

		if (de->d_name[0] == '.' ||
		    strncmp(de->d_name, "state", 5) == 0)
			continue;
		xasprintf(&fp, "%s/%s", path, de->d_name);
		if ((uid = lab_store_parse_name(de->d_name, &seen, &del)) ==
		    0 || lstat(fp, &sb) == -1 || !S_ISREG(sb.st_mode)) {
			/* The lab's own leftover from a crash, or not ours. */
			if (strstr(de->d_name, ".tmp") == NULL)
				store_warn(st, "store: %s: not a lab message "
				    "file; left alone", fp);
			free(fp);
			continue;
		}
		if (lab_store_find(box, uid) != NULL) {
			store_warn(st, "store: %s: a second file for UID %u; "
			    "left alone", fp, uid);
			free(fp);
			continue;
		}
		if (st->nmsgs >= LAB_STORE_MAX || (size_t)sb.st_size >
		    LAB_STORE_BYTES - st->bytes) {
			store_warn(st, "store: %s: the lab keeps %d messages, "
			    "%d MiB at most; left on disk, not loaded", fp,
			    LAB_STORE_MAX, LAB_STORE_BYTES >> 20);
			free(fp);
			continue;
		}
		if (file_load(fp, LAB_MSG_MAX, &b, err, sizeof err) == -1) {
			store_warn(st, "store: %s; left alone", err);
			buf_reset(&b);
			free(fp);
			continue;
		}
		m = store_insert(st, box, uid, &b, (int64_t)sb.st_mtime);
		m->seen = seen;
		m->deleted = del;
		if (uid > maxuid)
			maxuid = uid;
		free(fp);
	}
	closedir(d);
	free(path);
	buf_free(&b);
	if (box->n > 1)
		qsort(box->msgs, box->n, sizeof *box->msgs, msg_cmp);
	/* Never hand out a UID twice. */
	if (maxuid >= box->uidnext)
		box->uidnext = maxuid + 1;
}

/*
 * --store DIR: the mailboxes found there, created when missing.  Bad
 * files are named through st->warn and left untouched.
 */
int
lab_store_open(struct lab_store *st, const char *dir, char *err,
    size_t errlen)
{
	struct dirent	*de;
	DIR		*d;
	struct stat	 sb;
	char		*path;
	size_t		 i;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "--store %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "--store %s: not a directory", dir);
		return -1;
	}
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "--store %s: %s", dir, strerror(errno));
		return -1;
	}
	st->dir = xstrdup(dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		/* A link would take the lab's writes somewhere else. */
		if (strncmp(de->d_name, "mbox-", 5) == 0 &&
		    lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			store_load_box(st, de->d_name);
		else
			store_warn(st, "store: %s: not the lab's; left alone",
			    path);
		free(path);
	}
	closedir(d);
	/* Every mailbox on disk with its state, the standard ones too. */
	for (i = 0; i < st->nboxes; i++) {
		store_mkdir(st, st->boxes[i]);
		store_save_state(st, st->boxes[i]);
	}
	return 0;
}
