/* SPDX-License-Identifier: ISC */
/*
 * The lab's IMAP server (RFC 3501 subset): enough to log in, read what
 * arrived over SMTP and do what a mail program does with it: a copy in
 * Sent (APPEND), a move to Trash (MOVE, RFC 6851, or COPY, STORE
 * \Deleted, EXPUNGE), folders of its own (CREATE), with UIDPLUS (RFC
 * 4315) and SPECIAL-USE (RFC 6154).  LOGINDISABLED until TLS (RFC 3501
 * section 6.2.3); message bodies go out as literals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab/lab_int.h"

enum imap_state {
	STATE_IMAP_NOTAUTH,
	STATE_IMAP_AUTH,
	STATE_IMAP_SELECTED,
	STATE_IMAP_AUTHENTICATE,	/* waiting for the SASL response */
	STATE_IMAP_IDLE,		/* RFC 2177: until DONE */
	STATE_IMAP_LOGOUT,
	STATE_IMAP_MAX
};

static const char *const imap_state_names[STATE_IMAP_MAX] = {
	"NOTAUTH", "AUTH", "SELECTED", "AUTHENTICATE", "IDLE", "LOGOUT"
};

enum imap_cmd {
	IC_CAPABILITY,
	IC_NOOP,
	IC_LOGOUT,
	IC_STARTTLS,
	IC_LOGIN,
	IC_AUTHENTICATE,
	IC_SELECT,
	IC_EXAMINE,
	IC_LIST,
	IC_LSUB,
	IC_STATUS,
	IC_CHECK,
	IC_CLOSE,
	IC_UNSELECT,
	IC_EXPUNGE,
	IC_SEARCH,
	IC_FETCH,
	IC_STORE,
	IC_UID,
	IC_IDLE,
	IC_CREATE,
	IC_SUBSCRIBE,
	IC_UNSUBSCRIBE,
	IC_APPEND,
	IC_COPY,
	IC_MOVE,
	IC_UNKNOWN
};

static const char *const imap_verbs[IC_UNKNOWN] = {
	"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "LOGIN", "AUTHENTICATE",
	"SELECT", "EXAMINE", "LIST", "LSUB", "STATUS", "CHECK", "CLOSE",
	"UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE", "UID", "IDLE",
	"CREATE", "SUBSCRIBE", "UNSUBSCRIBE", "APPEND", "COPY", "MOVE"
};

/* FETCH data items. */
enum fetch_kind {
	FI_FLAGS,
	FI_UID,
	FI_SIZE,
	FI_INTERNALDATE,
	FI_RFC822,
	FI_RFC822_HEADER,
	FI_RFC822_TEXT,
	FI_BODY,		/* BODY[section]<partial> */
};

enum fetch_section {
	FS_ALL,
	FS_HEADER,
	FS_TEXT,
	FS_FIELDS,
	FS_FIELDS_NOT,
};

struct fetch_item {
	enum fetch_kind		 kind;
	enum fetch_section	 section;
	bool			 peek;
	struct strv		 fields;
	char			*name;	/* as echoed: BODY[HEADER] */
	bool			 partial;
	uint32_t		 start;
	uint32_t		 count;
};

struct fetch_req {
	struct fetch_item	*items;
	size_t			 n;
};

/* A SASL answer comes next, not a command (a literal never is a line). */
bool
lab_imap_data(const struct lab_conn *c)
{
	return c->state == STATE_IMAP_AUTHENTICATE;
}

const char *
lab_imap_state_name(int state)
{
	if (state < 0 || state >= STATE_IMAP_MAX)
		return "?";
	return imap_state_names[state];
}

static void
imap_caps(const struct lab_conn *c, struct buf *b)
{
	buf_adds(b, "IMAP4rev1");
	if (lab_tls_offered(c))
		buf_adds(b, " STARTTLS");
	if (!c->tls && c->scn != SCN_NO_STARTTLS)
		buf_adds(b, " LOGINDISABLED");
	else
		buf_adds(b, " AUTH=PLAIN SASL-IR");
	if (!c->tls && c->scn == SCN_TAMPER)
		buf_adds(b, " AUTH=" JUDGE_CANARY);	/* added on the way */
	buf_adds(b, " IDLE LITERAL+ UNSELECT MOVE UIDPLUS SPECIAL-USE");
}

void
lab_imap_start(struct lab_conn *c)
{
	struct buf	b = { NULL, 0, 0 };

	c->state = STATE_IMAP_NOTAUTH;
	imap_caps(c, &b);
	if (c->scn == SCN_PREAUTH && !c->tls) {
		/* Logged in already, in plaintext: STARTTLS is gone. */
		c->authed = true;
		c->state = STATE_IMAP_AUTH;
		lab_reply(c, "* PREAUTH [CAPABILITY %s] mailscope lab: logged "
		    "in as %s (scenario %s)", b.p, LAB_USER, lab_conn_scn(c));
	} else
		lab_reply(c, "* OK [CAPABILITY %s] mailscope lab ready "
		    "(scenario %s)", b.p, lab_conn_scn(c));
	buf_free(&b);
}

void
lab_imap_tls(struct lab_conn *c)
{
	c->state = STATE_IMAP_NOTAUTH;
	c->authed = false;
}

/*
 * An astring, in place: atom, quoted string or literal ("{n}" CRLF and n
 * bytes, already gathered by the framer).  NULL on a syntax error.
 */
static char *
imap_astring(char **pp)
{
	char		*p = *pp, *s, *o, *end;
	unsigned long	 n;

	if (*p == '{') {
		n = strtoul(p + 1, &end, 10);
		if (end == p + 1 || *end == '+')
			end++;
		if (end[0] != '}' || end[1] != '\r' || end[2] != '\n' ||
		    strlen(end + 3) < n)
			return NULL;
		s = end + 3;
		p = s + n;
		if (*p != '\0' && *p != ' ')
			return NULL;
		if (*p == ' ')
			*p++ = '\0';
		*pp = p;
		return s;
	}
	if (*p == '"') {
		s = o = ++p;
		while (*p != '"') {
			if (*p == '\0')
				return NULL;
			if (*p == '\\') {
				p++;
				if (*p != '\\' && *p != '"')
					return NULL;
			}
			*o++ = *p++;
		}
		p++;
		*o = '\0';
	} else {
		s = p;
		while (*p != '\0' && *p != ' ' && *p != '(' && *p != ')' &&
		    *p != '{' && *p != '"' && (unsigned char)*p > 0x20 &&
		    (unsigned char)*p < 0x7f)
			p++;
		if (p == s)
			return NULL;
		if (*p != '\0' && *p != ' ')
			return NULL;
		if (*p == ' ')
			*p++ = '\0';
		*pp = p;
		return s;
	}
	if (*p != '\0' && *p != ' ')
		return NULL;
	if (*p == ' ')
		p++;
	*pp = p;
	return s;
}

/* Take in messages that arrived since SELECT (or the last NOOP). */
static void
imap_refresh(struct lab_conn *c, bool announce)
{
	const struct lab_mbox	*box = c->box;
	uint32_t		 last;
	size_t			 i, before = c->nuids;

	last = c->nuids > 0 ? c->uids[c->nuids - 1] : 0;
	for (i = 0; i < box->n; i++) {
		if (box->msgs[i]->uid <= last)
			continue;
		c->uids = xreallocarray(c->uids, c->nuids + 1,
		    sizeof *c->uids);
		c->uids[c->nuids++] = box->msgs[i]->uid;
	}
	if (announce && c->nuids != before)
		lab_reply(c, "* %zu EXISTS", c->nuids);
}

static void
imap_unselect(struct lab_conn *c)
{
	free(c->uids);
	c->uids = NULL;
	c->nuids = 0;
	c->box = NULL;
	c->selected = false;
	c->state = STATE_IMAP_AUTH;
}

/* A mailbox named in a command; NULL said NO [TRYCREATE] already. */
static struct lab_mbox *
imap_box(struct lab_conn *c, const char *tag, const char *name)
{
	struct lab_mbox	*box;

	/* Not echoed: a literal name may hold any byte. */
	if ((box = lab_store_box(c->store, name)) == NULL)
		lab_reply(c, "%s NO [TRYCREATE] No such mailbox (LIST shows "
		    "them; CREATE makes one)", tag);
	return box;
}

static void
imap_select(struct lab_conn *c, const char *tag, char *args, bool examine)
{
	const char	*name;
	struct lab_mbox	*box;
	struct lab_msg	*m;
	size_t		 i, unseen = 0;

	if ((name = imap_astring(&args)) == NULL || *args != '\0') {
		lab_reply(c, "%s BAD Syntax: %s mailbox", tag,
		    examine ? "EXAMINE" : "SELECT");
		c->errors++;
		return;
	}
	imap_unselect(c);
	if ((box = lab_store_box(c->store, name)) == NULL) {
		lab_reply(c, "%s NO [NONEXISTENT] No such mailbox", tag);
		return;
	}
	c->box = box;
	imap_refresh(c, false);
	c->selected = true;
	c->readonly = examine;
	c->state = STATE_IMAP_SELECTED;
	for (i = 0; i < c->nuids && unseen == 0; i++)
		if ((m = lab_store_find(box, c->uids[i])) != NULL && !m->seen)
			unseen = i + 1;
	lab_reply(c, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen "
	    "\\Draft)");
	lab_reply(c, "* OK [PERMANENTFLAGS (%s)] Limited",
	    examine ? "" : "\\Deleted \\Seen");
	lab_reply(c, "* %zu EXISTS", c->nuids);
	lab_reply(c, "* 0 RECENT");
	if (unseen > 0)
		lab_reply(c, "* OK [UNSEEN %zu] First unseen", unseen);
	lab_reply(c, "* OK [UIDVALIDITY %u] UIDs valid", box->uidvalidity);
	lab_reply(c, "* OK [UIDNEXT %u] Predicted next UID", box->uidnext);
	lab_reply(c, "%s OK [%s] %s completed", tag,
	    examine ? "READ-ONLY" : "READ-WRITE", examine ? "EXAMINE" :
	    "SELECT");
}

/* LIST's wildcards: * matches anything, % anything but the "/". */
bool
lab_imap_match(const char *pat, const char *name)
{
	for (; *pat != '\0'; pat++, name++) {
		if (*pat == '*' || *pat == '%') {
			for (;; name++) {
				if (lab_imap_match(pat + 1, name))
					return true;
				if (*name == '\0' || (*pat == '%' &&
				    *name == '/'))
					return false;
			}
		}
		if (*pat != *name)
			return false;
	}
	return *name == '\0';
}

static void
imap_list(struct lab_conn *c, const char *tag, char *args, bool lsub)
{
	const struct lab_store	*st = c->store;
	const struct lab_mbox	*b;
	const char		*ref, *pat, *verb = lsub ? "LSUB" : "LIST";
	char			*full, *close;
	size_t			 i, j, len;
	bool			 kids;

	/* LIST-EXTENDED's selection options: every mailbox is shown. */
	if (!lsub && *args == '(' && (close = strchr(args, ')')) != NULL &&
	    close[1] == ' ')
		args = close + 2;
	if ((ref = imap_astring(&args)) == NULL ||
	    (pat = imap_astring(&args)) == NULL || (*args != '\0' &&
	    strncasecmp(args, "RETURN ", 7) != 0)) {
		lab_reply(c, "%s BAD Syntax: %s reference mailbox", tag, verb);
		c->errors++;
		return;
	}
	if (*pat == '\0' && !lsub) {
		lab_reply(c, "* LIST (\\Noselect) \"/\" \"\"");
		lab_reply(c, "%s OK LIST completed", tag);
		return;
	}
	xasprintf(&full, "%s%s", ref, pat);
	for (i = 0; i < st->nboxes; i++) {
		b = st->boxes[i];
		if (!lab_imap_match(full, b->name) && !(i == 0 &&
		    strcasecmp(full, "INBOX") == 0))
			continue;
		len = strlen(b->name);
		kids = false;
		for (j = 0; j < st->nboxes; j++)
			if (strncmp(st->boxes[j]->name, b->name, len) == 0 &&
			    st->boxes[j]->name[len] == '/')
				kids = true;
		lab_reply(c, "* %s (%s%s%s) \"/\" \"%s\"", verb,
		    kids ? "\\HasChildren" : "\\HasNoChildren",
		    b->special != NULL ? " " : "",
		    b->special != NULL ? b->special : "", b->name);
	}
	free(full);
	lab_reply(c, "%s OK %s completed", tag, verb);
}

static void
imap_status(struct lab_conn *c, const char *tag, char *args)
{
	const struct lab_mbox	*box;
	struct buf		 b = { NULL, 0, 0 };
	char			*name, *item, *save = NULL, *end;
	size_t			 i, unseen = 0;

	if ((name = imap_astring(&args)) == NULL || *args != '(' ||
	    (end = strchr(args, ')')) == NULL || end[1] != '\0') {
		lab_reply(c, "%s BAD Syntax: STATUS mailbox (items)", tag);
		c->errors++;
		return;
	}
	if ((box = lab_store_box(c->store, name)) == NULL) {
		lab_reply(c, "%s NO [NONEXISTENT] Mailbox doesn't exist", tag);
		return;
	}
	*end = '\0';
	for (i = 0; i < box->n; i++)
		if (!box->msgs[i]->seen)
			unseen++;
	for (item = strtok_r(args + 1, " ", &save); item != NULL;
	    item = strtok_r(NULL, " ", &save)) {
		if (b.len > 0)
			buf_addc(&b, ' ');
		if (strcasecmp(item, "MESSAGES") == 0)
			buf_printf(&b, "MESSAGES %zu", box->n);
		else if (strcasecmp(item, "RECENT") == 0)
			buf_adds(&b, "RECENT 0");
		else if (strcasecmp(item, "UIDNEXT") == 0)
			buf_printf(&b, "UIDNEXT %u", box->uidnext);
		else if (strcasecmp(item, "UIDVALIDITY") == 0)
			buf_printf(&b, "UIDVALIDITY %u", box->uidvalidity);
		else if (strcasecmp(item, "UNSEEN") == 0)
			buf_printf(&b, "UNSEEN %zu", unseen);
		else {
			lab_reply(c, "%s BAD Unknown STATUS item: %s", tag,
			    item);
			c->errors++;
			buf_free(&b);
			return;
		}
	}
	lab_reply(c, "* STATUS \"%s\" (%s)", box->name, b.len > 0 ? b.p : "");
	lab_reply(c, "%s OK STATUS completed", tag);
	buf_free(&b);
}

/* Sequence sets: "1", "2:4", "3:*", "1,5,7:9".  max stands for "*". */
static bool
seqset_valid(const char *s)
{
	bool	num = false;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			num = true;
		else if (*s == '*') {
			if (num)
				return false;
			num = true;
		} else if (*s == ':' || *s == ',') {
			if (!num)
				return false;
			num = false;
		} else
			return false;
	}
	return num;
}

static uint32_t
seq_num(const char **s, uint32_t max)
{
	unsigned long	v;
	char		*end;

	if (**s == '*') {
		(*s)++;
		return max;
	}
	v = strtoul(*s, &end, 10);
	*s = end;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static bool
seqset_has(const char *s, uint32_t n, uint32_t max)
{
	uint32_t	a, b, t;

	while (*s != '\0') {
		a = b = seq_num(&s, max);
		if (*s == ':') {
			s++;
			b = seq_num(&s, max);
		}
		if (a > b) {
			t = a;
			a = b;
			b = t;
		}
		if (n >= a && n <= b)
			return true;
		if (*s == ',')
			s++;
	}
	return false;
}

static void
imap_flags(const struct lab_msg *m, struct buf *b)
{
	buf_addc(b, '(');
	if (m->seen)
		buf_adds(b, "\\Seen");
	if (m->deleted)
		buf_printf(b, "%s\\Deleted", m->seen ? " " : "");
	buf_addc(b, ')');
}

static void
fetch_free(struct fetch_req *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++) {
		strv_clear(&r->items[i].fields);
		free(r->items[i].name);
	}
	free(r->items);
	r->items = NULL;
	r->n = 0;
}

static struct fetch_item *
fetch_add(struct fetch_req *r, enum fetch_kind kind)
{
	struct fetch_item	*it;

	r->items = xreallocarray(r->items, r->n + 1, sizeof *r->items);
	it = &r->items[r->n++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	return it;
}

/* BODY[section]<partial>, from just after "BODY[" or "BODY.PEEK[". */
static int
fetch_body(struct fetch_item *it, const char *p, size_t len)
{
	const char	*close, *q;
	char		*list, *f, *save = NULL;
	unsigned long	 a, b;
	char		*end;
	size_t		 n;

	if ((close = memchr(p, ']', len)) == NULL)
		return -1;
	n = (size_t)(close - p);
	if (n == 0)
		it->section = FS_ALL;
	else if (n == 6 && strncasecmp(p, "HEADER", 6) == 0)
		it->section = FS_HEADER;
	else if (n == 4 && strncasecmp(p, "TEXT", 4) == 0)
		it->section = FS_TEXT;
	else if (strcasecmp_prefix(p, n, "HEADER.FIELDS ") ||
	    strcasecmp_prefix(p, n, "HEADER.FIELDS.NOT ")) {
		it->section = strcasecmp_prefix(p, n, "HEADER.FIELDS.NOT ") ?
		    FS_FIELDS_NOT : FS_FIELDS;
		q = memchr(p, '(', n);
		if (q == NULL || close[-1] != ')')
			return -1;
		list = xstrndup(q + 1, (size_t)(close - 1 - (q + 1)));
		for (f = strtok_r(list, " ", &save); f != NULL;
		    f = strtok_r(NULL, " ", &save))
			strv_add(&it->fields, f);
		free(list);
		if (it->fields.n == 0)
			return -1;
	} else
		return -1;
	xasprintf(&it->name, "BODY[%.*s]", (int)n, p);
	q = close + 1;
	len -= (size_t)(q - p);
	if (len == 0)
		return 0;
	if (*q != '<' || q[len - 1] != '>')
		return -1;
	a = strtoul(q + 1, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end != '>' || a > UINT32_MAX || b > UINT32_MAX)
		return -1;
	it->partial = true;
	it->start = (uint32_t)a;
	it->count = (uint32_t)b;
	return 0;
}

static int
fetch_atom(struct fetch_req *r, const char *p, size_t len)
{
	struct fetch_item	*it;

#define IS(s)	(len == strlen(s) && strncasecmp(p, (s), len) == 0)
	if (IS("FLAGS"))
		fetch_add(r, FI_FLAGS);
	else if (IS("UID"))
		fetch_add(r, FI_UID);
	else if (IS("RFC822.SIZE"))
		fetch_add(r, FI_SIZE);
	else if (IS("INTERNALDATE"))
		fetch_add(r, FI_INTERNALDATE);
	else if (IS("RFC822"))
		fetch_add(r, FI_RFC822);
	else if (IS("RFC822.HEADER"))
		fetch_add(r, FI_RFC822_HEADER);
	else if (IS("RFC822.TEXT"))
		fetch_add(r, FI_RFC822_TEXT);
	else if (IS("FAST")) {
		fetch_add(r, FI_FLAGS);
		fetch_add(r, FI_INTERNALDATE);
		fetch_add(r, FI_SIZE);
	} else if (strcasecmp_prefix(p, len, "BODY[")) {
		it = fetch_add(r, FI_BODY);
		return fetch_body(it, p + 5, len - 5);
	} else if (strcasecmp_prefix(p, len, "BODY.PEEK[")) {
		it = fetch_add(r, FI_BODY);
		it->peek = true;
		return fetch_body(it, p + 10, len - 10);
	} else
		return -1;	/* ENVELOPE, BODYSTRUCTURE, ALL, FULL, ... */
#undef IS
	return 0;
}

/* Items: one atom or a parenthesised list; brackets may hold spaces. */
static int
fetch_parse(struct fetch_req *r, const char *s)
{
	size_t	len = strlen(s), i, start;
	int	depth = 0;

	if (len >= 2 && s[0] == '(' && s[len - 1] == ')') {
		s++;
		len -= 2;
	}
	if (len == 0)
		return -1;
	for (i = start = 0; i <= len; i++) {
		if (i < len && (s[i] == '[' || s[i] == '('))
			depth++;
		else if (i < len && (s[i] == ']' || s[i] == ')'))
			depth--;
		if (depth < 0)
			return -1;
		if (i == len || (s[i] == ' ' && depth == 0)) {
			if (i == start ||
			    fetch_atom(r, s + start, i - start) == -1)
				return -1;
			start = i + 1;
		}
	}
	return depth == 0 ? 0 : -1;
}

/* The header ends after the first empty line. */
static size_t
msg_header_len(const struct lab_msg *m)
{
	const char	*p = m->data.p, *e;

	if (p == NULL)
		return 0;
	if (m->data.len >= 2 && p[0] == '\r' && p[1] == '\n')
		return 2;
	e = memmem(p, m->data.len, "\r\n\r\n", 4);
	return e == NULL ? m->data.len : (size_t)(e - p) + 4;
}

static void
msg_fields(const struct lab_msg *m, const struct strv *fields, bool not,
    struct buf *out)
{
	const char	*p = m->data.p, *end = p + msg_header_len(m), *nl;
	const char	*colon;
	bool		 keep = false;
	size_t		 i, n;

	while (p < end && !(p + 2 <= end && p[0] == '\r' && p[1] == '\n')) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl == NULL ? (size_t)(end - p) : (size_t)(nl - p) + 1;
		if (*p != ' ' && *p != '\t') {
			colon = memchr(p, ':', n);
			keep = false;
			for (i = 0; colon != NULL && i < fields->n; i++)
				if (strlen(fields->v[i]) ==
				    (size_t)(colon - p) && strncasecmp(p,
				    fields->v[i], (size_t)(colon - p)) == 0)
					keep = true;
			if (not)
				keep = !keep;
		}
		if (keep)
			buf_add(out, p, n);
		p += n;
	}
	buf_adds(out, "\r\n");
}

static void
fetch_literal(struct buf *o, const char *name, const char *p, size_t len,
    const struct fetch_item *it)
{
	if (it != NULL && it->partial) {
		if (it->start >= len)
			len = 0;
		else {
			p += it->start;
			len -= it->start;
			if (len > it->count)
				len = it->count;
		}
		buf_printf(o, "%s<%u> {%zu}\r\n", name, it->start, len);
	} else
		buf_printf(o, "%s {%zu}\r\n", name, len);
	buf_add(o, p, len);
}

static void
fetch_one(struct lab_conn *c, const struct fetch_req *r, size_t seq,
    struct lab_msg *m, bool uid)
{
	struct buf		 o = { NULL, 0, 0 }, tmp = { NULL, 0, 0 };
	const struct fetch_item	*it;
	size_t			 i, hl = msg_header_len(m);
	bool			 flags = false, seen_before = m->seen;
	char			 ts[64];
	struct tm		 tm;
	time_t			 t = (time_t)m->when;

	/* Reading a body sets \Seen first, so FLAGS shows it. */
	for (i = 0; i < r->n && !c->readonly; i++) {
		it = &r->items[i];
		if (it->kind == FI_RFC822 || it->kind == FI_RFC822_TEXT ||
		    (it->kind == FI_BODY && !it->peek))
			lab_store_set_flags(c->store, c->box, m, true,
			    m->deleted);
	}
	buf_printf(&o, "* %zu FETCH (", seq);
	if (uid)
		buf_printf(&o, "UID %u", m->uid);
	for (i = 0; i < r->n; i++) {
		it = &r->items[i];
		if (it->kind == FI_UID && uid)
			continue;
		if (o.p[o.len - 1] != '(')
			buf_addc(&o, ' ');
		switch (it->kind) {
		case FI_FLAGS:
			flags = true;
			buf_adds(&o, "FLAGS ");
			imap_flags(m, &o);
			break;
		case FI_UID:
			buf_printf(&o, "UID %u", m->uid);
			break;
		case FI_SIZE:
			buf_printf(&o, "RFC822.SIZE %zu", m->data.len);
			break;
		case FI_INTERNALDATE:
			gmtime_r(&t, &tm);
			strftime(ts, sizeof ts, "%d-%b-%Y %H:%M:%S +0000", &tm);
			buf_printf(&o, "INTERNALDATE \"%s\"", ts);
			break;
		case FI_RFC822:
			fetch_literal(&o, "RFC822", m->data.p, m->data.len,
			    NULL);
			break;
		case FI_RFC822_HEADER:
			fetch_literal(&o, "RFC822.HEADER", m->data.p, hl, NULL);
			break;
		case FI_RFC822_TEXT:
			fetch_literal(&o, "RFC822.TEXT", m->data.p + hl,
			    m->data.len - hl, NULL);
			break;
		case FI_BODY:
			buf_reset(&tmp);
			switch (it->section) {
			case FS_ALL:
				buf_add(&tmp, m->data.p, m->data.len);
				break;
			case FS_HEADER:
				buf_add(&tmp, m->data.p, hl);
				break;
			case FS_TEXT:
				buf_add(&tmp, m->data.p + hl, m->data.len - hl);
				break;
			case FS_FIELDS:
			case FS_FIELDS_NOT:
				msg_fields(m, &it->fields,
				    it->section == FS_FIELDS_NOT, &tmp);
				break;
			}
			fetch_literal(&o, it->name, tmp.p != NULL ? tmp.p : "",
			    tmp.len, it);
			break;
		}
	}
	/* RFC 3501 6.4.5: a flag change the client caused is reported. */
	if (m->seen != seen_before && !flags) {
		buf_adds(&o, " FLAGS ");
		imap_flags(m, &o);
	}
	buf_addc(&o, ')');
	lab_reply(c, "%s", o.p);
	buf_free(&o);
	buf_free(&tmp);
}

static void
imap_fetch(struct lab_conn *c, const char *tag, char *args, bool uid)
{
	struct fetch_req	 r = { NULL, 0 };
	struct lab_msg		*m;
	char			*set, *sp;
	uint32_t		 max;
	size_t			 i;

	if ((sp = strchr(args, ' ')) == NULL) {
		lab_reply(c, "%s BAD Syntax: FETCH sequence-set items", tag);
		c->errors++;
		return;
	}
	*sp = '\0';
	set = args;
	if (!seqset_valid(set) || fetch_parse(&r, sp + 1) == -1) {
		lab_reply(c, "%s BAD Invalid FETCH arguments (ENVELOPE and "
		    "BODYSTRUCTURE are not served by the lab)", tag);
		c->errors++;
		fetch_free(&r);
		return;
	}
	if (uid)
		max = c->nuids > 0 ? c->uids[c->nuids - 1] : 0;
	else
		max = (uint32_t)c->nuids;
	for (i = 0; i < c->nuids; i++) {
		if (!seqset_has(set, uid ? c->uids[i] : (uint32_t)(i + 1),
		    max))
			continue;
		if ((m = lab_store_find(c->box, c->uids[i])) == NULL)
			continue;	/* gone from the store since SELECT */
		fetch_one(c, &r, i + 1, m, uid);
	}
	fetch_free(&r);
	lab_reply(c, "%s OK %sFETCH completed", tag, uid ? "UID " : "");
}

static void
imap_search(struct lab_conn *c, const char *tag, char *args, bool uid)
{
	struct buf	 b = { NULL, 0, 0 };
	struct lab_msg	*m;
	char		*key, *save = NULL, *copy;
	size_t		 i;
	bool		 match;

	copy = xstrdup(args);
	for (key = strtok_r(copy, " ", &save); key != NULL;
	    key = strtok_r(NULL, " ", &save)) {
		if (strcasecmp(key, "ALL") != 0 &&
		    strcasecmp(key, "SEEN") != 0 &&
		    strcasecmp(key, "UNSEEN") != 0 &&
		    strcasecmp(key, "DELETED") != 0 &&
		    strcasecmp(key, "UNDELETED") != 0) {
			lab_reply(c, "%s BAD Unsupported search key: %s "
			    "(the lab knows ALL SEEN UNSEEN DELETED "
			    "UNDELETED)", tag, key);
			c->errors++;
			free(copy);
			return;
		}
	}
	for (i = 0; i < c->nuids; i++) {
		if ((m = lab_store_find(c->box, c->uids[i])) == NULL)
			continue;
		match = true;
		strcpy(copy, args);
		save = NULL;
		for (key = strtok_r(copy, " ", &save); key != NULL;
		    key = strtok_r(NULL, " ", &save)) {
			if ((strcasecmp(key, "SEEN") == 0 && !m->seen) ||
			    (strcasecmp(key, "UNSEEN") == 0 && m->seen) ||
			    (strcasecmp(key, "DELETED") == 0 && !m->deleted) ||
			    (strcasecmp(key, "UNDELETED") == 0 && m->deleted))
				match = false;
		}
		if (match)
			buf_printf(&b, " %u", uid ? m->uid : (uint32_t)(i + 1));
	}
	lab_reply(c, "* SEARCH%s", b.len > 0 ? b.p : "");
	lab_reply(c, "%s OK %sSEARCH completed", tag, uid ? "UID " : "");
	buf_free(&b);
	free(copy);
}

static void
imap_store(struct lab_conn *c, const char *tag, char *args, bool uid)
{
	struct lab_msg	*m;
	struct buf	 b = { NULL, 0, 0 };
	char		*set, *op, *list, *f, *save = NULL;
	int		 mode;
	bool		 silent, seen = false, del = false;
	uint32_t	 max;
	size_t		 i, n;

	set = args;
	if ((op = strchr(set, ' ')) == NULL ||
	    (list = strchr(op + 1, ' ')) == NULL) {
		lab_reply(c, "%s BAD Syntax: STORE set FLAGS (flags)", tag);
		c->errors++;
		return;
	}
	*op++ = '\0';
	*list++ = '\0';
	mode = *op == '+' ? 1 : *op == '-' ? -1 : 0;
	if (mode != 0)
		op++;
	silent = strcasecmp(op, "FLAGS.SILENT") == 0;
	n = strlen(list);
	if (!seqset_valid(set) || (!silent && strcasecmp(op, "FLAGS") != 0)) {
		lab_reply(c, "%s BAD Syntax: STORE set [+-]FLAGS[.SILENT] "
		    "(flags)", tag);
		c->errors++;
		return;
	}
	if (n >= 2 && list[0] == '(' && list[n - 1] == ')') {
		list[n - 1] = '\0';
		list++;
	}
	for (f = strtok_r(list, " ", &save); f != NULL;
	    f = strtok_r(NULL, " ", &save)) {
		if (strcasecmp(f, "\\Seen") == 0)
			seen = true;
		else if (strcasecmp(f, "\\Deleted") == 0)
			del = true;
	}
	if (c->readonly) {
		lab_reply(c, "%s NO Mailbox is read-only", tag);
		return;
	}
	max = uid ? (c->nuids > 0 ? c->uids[c->nuids - 1] : 0) :
	    (uint32_t)c->nuids;
	for (i = 0; i < c->nuids; i++) {
		if (!seqset_has(set, uid ? c->uids[i] : (uint32_t)(i + 1),
		    max))
			continue;
		if ((m = lab_store_find(c->box, c->uids[i])) == NULL)
			continue;
		if (mode == 0)
			lab_store_set_flags(c->store, c->box, m, seen, del);
		else
			lab_store_set_flags(c->store, c->box, m,
			    seen ? mode > 0 : m->seen, del ? mode > 0 :
			    m->deleted);
		if (!silent) {
			buf_reset(&b);
			imap_flags(m, &b);
			if (uid)
				lab_reply(c, "* %zu FETCH (UID %u FLAGS %s)",
				    i + 1, m->uid, b.p);
			else
				lab_reply(c, "* %zu FETCH (FLAGS %s)", i + 1,
				    b.p);
		}
	}
	buf_free(&b);
	lab_reply(c, "%s OK %sSTORE completed", tag, uid ? "UID " : "");
}

/* UID set's "*": the highest UID, or the message count. */
static uint32_t
imap_max(const struct lab_conn *c, bool uid)
{
	if (uid)
		return c->nuids > 0 ? c->uids[c->nuids - 1] : 0;
	return (uint32_t)c->nuids;
}

/* Remove \Deleted messages (of set, if any); report each unless closing. */
static void
imap_expunge(struct lab_conn *c, bool report, const char *set)
{
	struct lab_msg	*m;
	uint32_t	 max = imap_max(c, true), uid;
	size_t		 i;

	for (i = c->nuids; i > 0; i--) {
		uid = c->uids[i - 1];
		m = lab_store_find(c->box, uid);
		if (m == NULL || !m->deleted ||
		    (set != NULL && !seqset_has(set, uid, max)))
			continue;
		if (report)
			lab_reply(c, "* %zu EXPUNGE", i);
		lab_store_remove(c->store, c->box, uid);
		memmove(&c->uids[i - 1], &c->uids[i],
		    (c->nuids - i) * sizeof *c->uids);
		c->nuids--;
	}
}

/* "1,3,5": COPYUID's sets, as plain lists. */
static void
uid_list(struct buf *b, uint32_t uid)
{
	buf_printf(b, "%s%u", b->len > 0 ? "," : "", uid);
}

/* COPY and MOVE (RFC 6851), with COPYUID (RFC 4315). */
static void
imap_copy(struct lab_conn *c, const char *tag, char *args, bool uid,
    bool move)
{
	struct buf	 from = { NULL, 0, 0 }, to = { NULL, 0, 0 };
	struct lab_mbox	*dst;
	struct lab_msg	*m;
	uint32_t	*pick, max = imap_max(c, uid), nu;
	const char	*verb = move ? "MOVE" : "COPY";
	char		*set = args, *name = NULL, *sp;
	size_t		 i, j, n = 0;
	bool		 full = false;

	if ((sp = strchr(args, ' ')) != NULL) {
		*sp++ = '\0';
		name = imap_astring(&sp);
	}
	if (name == NULL || *sp != '\0' || !seqset_valid(set)) {
		lab_reply(c, "%s BAD Syntax: %s sequence-set mailbox", tag,
		    verb);
		c->errors++;
		return;
	}
	if (move && c->readonly) {
		lab_reply(c, "%s NO Mailbox is read-only", tag);
		return;
	}
	if ((dst = imap_box(c, tag, name)) == NULL)
		return;
	/* The set is read first: copying into the same mailbox adds UIDs. */
	pick = xcalloc(c->nuids + 1, sizeof *pick);
	for (i = 0; i < c->nuids; i++)
		if (seqset_has(set, uid ? c->uids[i] : (uint32_t)(i + 1), max))
			pick[n++] = c->uids[i];
	for (i = 0; i < n; i++) {
		/* Gone, or dropped to make room for an earlier copy. */
		if ((m = lab_store_find(c->box, pick[i])) == NULL)
			continue;
		if ((nu = lab_store_add(c->store, dst, m->data.p, m->data.len,
		    m->seen)) == 0) {
			full = true;
			break;
		}
		uid_list(&from, pick[i]);
		uid_list(&to, nu);
	}
	if (full) {
		lab_reply(c, "%s NO [LIMIT] The lab's store is full", tag);
		goto out;
	}
	if (move && from.len > 0) {
		lab_reply(c, "* OK [COPYUID %u %s %s] Moved", dst->uidvalidity,
		    from.p, to.p);
		for (i = c->nuids; i > 0; i--) {
			for (j = 0; j < n && pick[j] != c->uids[i - 1]; j++)
				;
			if (j == n)
				continue;
			lab_reply(c, "* %zu EXPUNGE", i);
			lab_store_remove(c->store, c->box, c->uids[i - 1]);
			memmove(&c->uids[i - 1], &c->uids[i],
			    (c->nuids - i) * sizeof *c->uids);
			c->nuids--;
		}
		lab_reply(c, "%s OK %sMOVE completed", tag, uid ? "UID " : "");
	} else if (from.len > 0)
		lab_reply(c, "%s OK [COPYUID %u %s %s] %sCOPY completed", tag,
		    dst->uidvalidity, from.p, to.p, uid ? "UID " : "");
	else
		lab_reply(c, "%s OK %s%s completed", tag, uid ? "UID " : "",
		    verb);
out:
	free(pick);
	buf_free(&from);
	buf_free(&to);
}

static void
imap_create(struct lab_conn *c, const char *tag, char *args)
{
	char	*name;
	size_t	 len;

	if ((name = imap_astring(&args)) == NULL || *args != '\0') {
		lab_reply(c, "%s BAD Syntax: CREATE mailbox", tag);
		c->errors++;
		return;
	}
	/* "Lessons/" asks for a mailbox that will hold others: the same. */
	len = strlen(name);
	if (len > 1 && name[len - 1] == '/')
		name[len - 1] = '\0';
	switch (lab_store_create(c->store, name)) {
	case 0:
		lab_reply(c, "%s OK CREATE completed", tag);
		break;
	case LAB_CREATE_EXISTS:
		lab_reply(c, "%s NO [ALREADYEXISTS] Mailbox exists", tag);
		break;
	case LAB_CREATE_FULL:
		lab_reply(c, "%s NO [LIMIT] The lab keeps %d mailboxes at "
		    "most", tag, LAB_MBOX_MAX);
		break;
	default:
		lab_reply(c, "%s NO [CANNOT] The lab takes names of printable "
		    "ASCII, at most %d characters, without %% * \" \\", tag,
		    LAB_MBOX_NAME_MAX);
		break;
	}
}

/* Every mailbox counts as subscribed: LSUB lists them all. */
static void
imap_subscribe(struct lab_conn *c, const char *tag, char *args, bool sub)
{
	char	*name;

	if ((name = imap_astring(&args)) == NULL || *args != '\0') {
		lab_reply(c, "%s BAD Syntax: %s mailbox", tag, sub ?
		    "SUBSCRIBE" : "UNSUBSCRIBE");
		c->errors++;
		return;
	}
	if (imap_box(c, tag, name) != NULL)
		lab_reply(c, "%s OK %s completed", tag, sub ? "SUBSCRIBE" :
		    "UNSUBSCRIBE");
}

/* An astring within len bytes for APPEND: 1 when a literal is pending. */
static int
append_astring(const char **pp, const char *end, char **out)
{
	const char	*p = *pp, *s;
	struct buf	 b = { NULL, 0, 0 };
	unsigned long	 n;
	char		*e;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end && (p[1] == '\\' ||
			    p[1] == '"'))
				p++;
			else if (*p == '\\' || (unsigned char)*p < 0x20)
				break;
			buf_addc(&b, *p);
		}
		if (p >= end || *p != '"') {
			buf_free(&b);
			return -1;
		}
		p++;
	} else if (p < end && *p == '{') {
		if (memchr(p, '}', (size_t)(end - p < 16 ? end - p : 16)) ==
		    NULL)
			return -1;
		n = strtoul(p + 1, &e, 10);
		if (e != end && *e == '+')
			e++;
		if (e == p + 1 || e == end || *e != '}')
			return -1;
		p = e + 1;
		if (p == end)
			return 1;	/* the mailbox's literal is to come */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n' ||
		    (size_t)(end - p - 2) < n)
			return -1;
		p += 2;
		buf_add(&b, p, n);
		p += n;
	} else {
		for (s = p; p < end && *p != ' ' && *p != '(' && *p != ')' &&
		    *p != '{' && *p != '"' && *p != '\\' &&
		    (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f; p++)
			;
		if (p == s)
			return -1;
		buf_add(&b, s, (size_t)(p - s));
	}
	if (b.p == NULL || memchr(b.p, '\0', b.len) != NULL) {
		buf_free(&b);
		return -1;
	}
	*out = b.p;
	*pp = p;
	return 0;
}

/*
 * APPEND's arguments, p[len] from after "APPEND ": mailbox [(flags)]
 * [date-time] {size}, then CRLF and the size bytes.  1 when they end at
 * the message literal's "{size}" (its bytes are to come), 0 when they
 * are all here, -1 on anything else (MULTIAPPEND too).
 */
int
lab_imap_append_parse(const char *p, size_t len, struct lab_append *a)
{
	const char	*end = p + len, *q;
	unsigned long	 n;
	char		*e;
	int		 rc;

	memset(a, 0, sizeof *a);
	if ((rc = append_astring(&p, end, &a->mbox)) != 0)
		return -1;
	if (end - p < 2 || *p++ != ' ')
		goto bad;
	if (*p == '(') {
		if ((q = memchr(p, ')', (size_t)(end - p))) == NULL)
			goto bad;
		for (p++; p < q; ) {
			const char *w = p;

			while (p < q && *p != ' ')
				p++;
			if (word_is(w, (size_t)(p - w), "\\Seen"))
				a->seen = true;
			else if (word_is(w, (size_t)(p - w), "\\Deleted"))
				a->deleted = true;
			else if (p == w || memchr(w, '\0', (size_t)(p - w)))
				goto bad;
			if (p < q)
				p++;
		}
		p = q + 1;
		if (p >= end || *p++ != ' ')
			goto bad;
	}
	if (p < end && *p == '"') {
		/* "dd-Mon-yyyy hh:mm:ss +zzzz", not kept: arrival time is. */
		if ((q = memchr(p + 1, '"', (size_t)(end - p - 1))) == NULL ||
		    q - p > 40)
			goto bad;
		p = q + 1;
		if (p >= end || *p++ != ' ')
			goto bad;
	}
	if (p >= end || *p != '{' || end - p < 3)
		goto bad;
	n = strtoul(p + 1, &e, 10);
	if (e == p + 1 || e >= end || n > SIZE_MAX / 2)
		goto bad;
	a->sync = *e != '+';
	if (!a->sync)
		e++;
	if (e >= end || *e != '}')
		goto bad;
	a->size = n;
	p = e + 1;
	if (p == end)
		return 1;
	if (end - p < 2 || p[0] != '\r' || p[1] != '\n' ||
	    (size_t)(end - p - 2) != n)
		goto bad;
	a->msg = p + 2;
	return 0;
bad:
	free(a->mbox);
	a->mbox = NULL;
	return -1;
}

static void
imap_append(struct lab_conn *c, const char *tag, const char *args,
    size_t len)
{
	struct lab_append	 a;
	struct lab_mbox		*box;
	struct lab_msg		*m;
	uint32_t		 uid;

	if (lab_imap_append_parse(args, len, &a) != 0) {
		lab_reply(c, "%s BAD Syntax: APPEND mailbox [(flags)] "
		    "[date-time] {size}", tag);
		c->errors++;
		return;
	}
	if ((box = imap_box(c, tag, a.mbox)) != NULL) {
		uid = lab_store_add(c->store, box, a.msg, a.size, a.seen);
		if (uid == 0)
			lab_reply(c, "%s NO [TOOBIG] Larger than the lab's "
			    "store", tag);
		else {
			if (a.deleted && (m = lab_store_find(box, uid)) != NULL)
				lab_store_set_flags(c->store, box, m, m->seen,
				    true);
			if (c->selected && c->box == box)
				imap_refresh(c, true);
			lab_reply(c, "%s OK [APPENDUID %u %u] APPEND completed",
			    tag, box->uidvalidity, uid);
		}
	}
	free(a.mbox);
}

/* The tag a client counting up uses next: a001 after a000, t after t. */
static void
imap_next_tag(const char *tag, struct buf *b)
{
	size_t	len = strlen(tag), i = len;

	buf_adds(b, tag);
	while (i > 0 && tag[i - 1] >= '0' && tag[i - 1] <= '9')
		i--;
	/* Carry from the last digit; a run of nines grows by one. */
	while (len > i && b->p[len - 1] == '9')
		b->p[--len] = '0';
	if (len > i)
		b->p[len - 1]++;
	else if (i < b->len) {
		buf_reset(b);
		buf_add(b, tag, i);
		buf_addc(b, '1');
		buf_adds(b, tag + i);
	}
}

static void
imap_starttls(struct lab_conn *c, const char *tag)
{
	struct buf	b = { NULL, 0, 0 };

	if (c->tls) {
		lab_reply(c, "%s BAD TLS is already active", tag);
		c->errors++;
		return;
	}
	switch (c->scn) {
	case SCN_NO_STARTTLS:
	case SCN_STRIP:
		lab_reply(c, "%s BAD Unknown command", tag);
		c->errors++;
		return;
	case SCN_STARTTLS_REFUSED:
		lab_reply(c, "%s NO [UNAVAILABLE] TLS is not available right "
		    "now", tag);
		return;
	case SCN_PREAUTH:
		lab_reply(c, "%s BAD STARTTLS only before authentication",
		    tag);
		c->errors++;
		return;
	default:
		break;
	}
	lab_reply(c, "%s OK Begin TLS negotiation now", tag);
	if (lab_inject(c)) {
		/* The answer to the client's next command, made up. */
		lab_reply(c, "* CAPABILITY IMAP4rev1 AUTH=" JUDGE_CANARY);
		imap_next_tag(tag, &b);
		lab_reply(c, "%s OK CAPABILITY completed%s", b.p,
		    c->mystery ? "" : " (injected before TLS)");
		buf_free(&b);
	}
	c->want_tls = true;
}

static bool
imap_login_allowed(struct lab_conn *c, const char *tag)
{
	if (c->tls || c->scn == SCN_NO_STARTTLS)
		return true;
	lab_reply(c, "%s NO [PRIVACYREQUIRED] Log in after STARTTLS "
	    "(LOGINDISABLED)", tag);
	return false;
}

static void
imap_logged_in(struct lab_conn *c, const char *tag, bool ok)
{
	struct buf	b = { NULL, 0, 0 };

	if (!ok) {
		lab_reply(c, "%s NO [AUTHENTICATIONFAILED] Invalid "
		    "credentials", tag);
		c->errors++;
		c->state = STATE_IMAP_NOTAUTH;
		return;
	}
	c->authed = true;
	c->state = STATE_IMAP_AUTH;
	imap_caps(c, &b);
	lab_reply(c, "%s OK [CAPABILITY %s] Logged in", tag, b.p);
	buf_free(&b);
}

static void
imap_login(struct lab_conn *c, const char *tag, char *args)
{
	const char	*user, *pass;

	if ((user = imap_astring(&args)) == NULL ||
	    (pass = imap_astring(&args)) == NULL || *args != '\0') {
		lab_reply(c, "%s BAD Syntax: LOGIN user password", tag);
		c->errors++;
		return;
	}
	if (imap_login_allowed(c, tag))
		imap_logged_in(c, tag, lab_login_ok(user, pass));
}

static void
imap_authenticate(struct lab_conn *c, const char *tag, char *args)
{
	char	*ir;
	int	 ok;

	if ((ir = strchr(args, ' ')) != NULL)
		*ir++ = '\0';
	if (strcasecmp(args, "PLAIN") != 0) {
		lab_reply(c, "%s NO Unsupported authentication mechanism",
		    tag);
		return;
	}
	if (!imap_login_allowed(c, tag))
		return;
	if (ir == NULL) {
		free(c->tag);
		c->tag = xstrdup(tag);
		c->state = STATE_IMAP_AUTHENTICATE;
		lab_reply(c, "+ ");
		return;
	}
	if ((ok = lab_sasl_plain(ir, strlen(ir))) == -1) {
		lab_reply(c, "%s BAD Invalid base64 response", tag);
		c->errors++;
		return;
	}
	imap_logged_in(c, tag, ok == 1);
}

static void
imap_auth_step(struct lab_conn *c, const char *line, size_t len)
{
	char	*tag = c->tag;
	int	 ok;

	c->tag = NULL;
	c->state = STATE_IMAP_NOTAUTH;
	if (len == 1 && line[0] == '*')
		lab_reply(c, "%s BAD Authentication aborted", tag);
	else if ((ok = lab_sasl_plain(line, len)) == -1) {
		lab_reply(c, "%s BAD Invalid base64 response", tag);
		c->errors++;
	} else
		imap_logged_in(c, tag, ok == 1);
	free(tag);
}

static enum imap_cmd
imap_verb(const char *s)
{
	size_t	i;

	for (i = 0; i < IC_UNKNOWN; i++)
		if (strcasecmp(s, imap_verbs[i]) == 0)
			return (enum imap_cmd)i;
	return IC_UNKNOWN;
}

/* Which states each command is valid in. */
static bool
imap_allowed(const struct lab_conn *c, enum imap_cmd cmd)
{
	switch (cmd) {
	case IC_CAPABILITY:
	case IC_NOOP:
	case IC_LOGOUT:
		return true;
	case IC_STARTTLS:
	case IC_LOGIN:
	case IC_AUTHENTICATE:
		return c->state == STATE_IMAP_NOTAUTH;
	case IC_SELECT:
	case IC_EXAMINE:
	case IC_LIST:
	case IC_LSUB:
	case IC_STATUS:
	case IC_IDLE:
	case IC_CREATE:
	case IC_SUBSCRIBE:
	case IC_UNSUBSCRIBE:
	case IC_APPEND:
		return c->state == STATE_IMAP_AUTH ||
		    c->state == STATE_IMAP_SELECTED;
	case IC_CHECK:
	case IC_CLOSE:
	case IC_UNSELECT:
	case IC_EXPUNGE:
	case IC_SEARCH:
	case IC_FETCH:
	case IC_STORE:
	case IC_UID:
	case IC_COPY:
	case IC_MOVE:
		return c->state == STATE_IMAP_SELECTED;
	case IC_UNKNOWN:
		break;
	}
	return false;
}

static bool
imap_tag_ok(const char *tag)
{
	const char	*p;

	if (*tag == '\0' || strcmp(tag, "*") == 0 || strcmp(tag, "+") == 0)
		return false;
	for (p = tag; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("(){%\"\\", *p) != NULL)
			return false;
	return true;
}

/* "tag APPEND ": its arguments, which may hold any byte, or NULL. */
static char *
imap_is_append(char *line, size_t len)
{
	char	*sp = memchr(line, ' ', len);

	if (sp == NULL || memchr(line, '\0', (size_t)(sp - line)) != NULL ||
	    (size_t)(line + len - sp) < 8 ||
	    strncasecmp(sp + 1, "APPEND ", 7) != 0)
		return NULL;
	*sp = '\0';
	return sp + 8;
}

static void
imap_command(struct lab_conn *c, char *line, size_t len)
{
	struct buf	 b = { NULL, 0, 0 };
	enum imap_cmd	 cmd;
	char		*tag, *verb, *args, *sub;
	bool		 uid = false;

	if ((args = imap_is_append(line, len)) != NULL) {
		if (!imap_tag_ok(line)) {
			lab_reply(c, "* BAD Error in IMAP command: bad tag");
			c->errors++;
		} else if (!imap_allowed(c, IC_APPEND)) {
			lab_reply(c, "%s BAD Command not allowed in state %s",
			    line, lab_imap_state_name(c->state));
			c->errors++;
		} else
			imap_append(c, line, args, (size_t)(line + len - args));
		return;
	}
	if (strlen(line) != len) {
		lab_reply(c, "* BAD NUL byte in command");
		c->errors++;
		return;
	}
	tag = line;
	if ((verb = strchr(line, ' ')) != NULL)
		*verb++ = '\0';
	if (!imap_tag_ok(tag)) {
		lab_reply(c, "* BAD Error in IMAP command: bad tag");
		c->errors++;
		return;
	}
	if (verb == NULL || *verb == '\0') {
		lab_reply(c, "%s BAD Missing command", tag);
		c->errors++;
		return;
	}
	if ((args = strchr(verb, ' ')) != NULL)
		*args++ = '\0';
	else
		args = verb + strlen(verb);
	cmd = imap_verb(verb);
	if (cmd == IC_UID) {
		if ((sub = strchr(args, ' ')) != NULL)
			*sub++ = '\0';
		else
			sub = args + strlen(args);
		cmd = imap_verb(args);
		if (cmd != IC_FETCH && cmd != IC_SEARCH && cmd != IC_STORE &&
		    cmd != IC_COPY && cmd != IC_MOVE && cmd != IC_EXPUNGE) {
			lab_reply(c, "%s BAD UID takes FETCH, SEARCH, STORE, "
			    "COPY, MOVE or EXPUNGE", tag);
			c->errors++;
			return;
		}
		uid = true;
		args = sub;
	}
	if (cmd == IC_UNKNOWN) {
		lab_reply(c, "%s BAD Unknown command", tag);
		c->errors++;
		return;
	}
	if (!imap_allowed(c, cmd)) {
		lab_reply(c, "%s BAD Command not allowed in state %s", tag,
		    lab_imap_state_name(c->state));
		c->errors++;
		return;
	}
	switch (cmd) {
	case IC_CAPABILITY:
		imap_caps(c, &b);
		lab_reply(c, "* CAPABILITY %s", b.p);
		lab_reply(c, "%s OK CAPABILITY completed", tag);
		break;
	case IC_NOOP:
	case IC_CHECK:
		if (c->state == STATE_IMAP_SELECTED)
			imap_refresh(c, true);
		lab_reply(c, "%s OK %s completed", tag, imap_verbs[cmd]);
		break;
	case IC_LOGOUT:
		lab_reply(c, "* BYE mailscope lab logging out");
		lab_reply(c, "%s OK LOGOUT completed", tag);
		c->state = STATE_IMAP_LOGOUT;
		c->want_close = true;
		break;
	case IC_STARTTLS:
		imap_starttls(c, tag);
		break;
	case IC_LOGIN:
		imap_login(c, tag, args);
		break;
	case IC_AUTHENTICATE:
		imap_authenticate(c, tag, args);
		break;
	case IC_SELECT:
	case IC_EXAMINE:
		imap_select(c, tag, args, cmd == IC_EXAMINE);
		break;
	case IC_LIST:
	case IC_LSUB:
		imap_list(c, tag, args, cmd == IC_LSUB);
		break;
	case IC_STATUS:
		imap_status(c, tag, args);
		break;
	case IC_CLOSE:
	case IC_UNSELECT:
		if (cmd == IC_CLOSE && !c->readonly)
			imap_expunge(c, false, NULL);
		imap_unselect(c);
		lab_reply(c, "%s OK %s completed", tag, imap_verbs[cmd]);
		break;
	case IC_EXPUNGE:
		if (c->readonly) {
			lab_reply(c, "%s NO Mailbox is read-only", tag);
			break;
		}
		if (uid && !seqset_valid(args)) {
			lab_reply(c, "%s BAD Syntax: UID EXPUNGE uid-set", tag);
			c->errors++;
			break;
		}
		imap_expunge(c, true, uid ? args : NULL);
		lab_reply(c, "%s OK %sEXPUNGE completed", tag, uid ? "UID " :
		    "");
		break;
	case IC_CREATE:
		imap_create(c, tag, args);
		break;
	case IC_SUBSCRIBE:
	case IC_UNSUBSCRIBE:
		imap_subscribe(c, tag, args, cmd == IC_SUBSCRIBE);
		break;
	case IC_APPEND:
		imap_append(c, tag, args, strlen(args));
		break;
	case IC_COPY:
	case IC_MOVE:
		imap_copy(c, tag, args, uid, cmd == IC_MOVE);
		break;
	case IC_SEARCH:
		imap_search(c, tag, args, uid);
		break;
	case IC_FETCH:
		imap_fetch(c, tag, args, uid);
		break;
	case IC_STORE:
		imap_store(c, tag, args, uid);
		break;
	case IC_IDLE:
		free(c->tag);
		c->tag = xstrdup(tag);
		c->state = STATE_IMAP_IDLE;
		lab_reply(c, "+ idling");
		if (c->selected)
			imap_refresh(c, true);
		break;
	case IC_UID:
	case IC_UNKNOWN:
		break;
	}
	buf_free(&b);
}

static void
imap_idle_done(struct lab_conn *c, bool done)
{
	if (done)
		lab_reply(c, "%s OK IDLE terminated", c->tag);
	else {
		lab_reply(c, "%s BAD Expected DONE", c->tag);
		c->errors++;
	}
	free(c->tag);
	c->tag = NULL;
	c->state = c->selected ? STATE_IMAP_SELECTED : STATE_IMAP_AUTH;
}

/* New mail while idling: tell the client now (RFC 2177). */
void
lab_imap_notify(struct lab_conn *c)
{
	if (c->proto == LAB_IMAP && c->state == STATE_IMAP_IDLE &&
	    c->selected)
		imap_refresh(c, true);
}

/* A line ending in "{n}" or "{n+}" announces n bytes of literal. */
static bool
imap_literal_size(const char *line, size_t len, size_t *n, bool *sync)
{
	const char	*p;
	size_t		 v = 0;

	if (len < 3 || line[len - 1] != '}')
		return false;
	p = line + len - 2;
	*sync = *p != '+';
	if (!*sync)
		p--;
	if (p < line || *p < '0' || *p > '9')
		return false;
	while (p >= line && *p >= '0' && *p <= '9')
		p--;
	if (p < line || *p != '{' || line + len - 1 - p > 12)
		return false;
	for (p++; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (size_t)(*p - '0');
	*n = v;
	return true;
}

void
lab_imap_literal(struct lab_conn *c, const char *data, size_t len)
{
	if (!c->literal_drop)
		buf_add(&c->msg, data, len);
}

/* Is the command so far an APPEND whose message literal comes next? */
static bool
imap_append_head(const struct lab_conn *c)
{
	struct lab_append	 a;
	struct buf		 copy = { NULL, 0, 0 };
	char			*args;
	bool			 head;

	if (c->state != STATE_IMAP_AUTH && c->state != STATE_IMAP_SELECTED)
		return false;
	buf_add(&copy, c->msg.p, c->msg.len);
	head = (args = imap_is_append(copy.p, copy.len)) != NULL &&
	    lab_imap_append_parse(args, (size_t)(copy.p + copy.len - args),
	    &a) == 1;
	if (head)
		free(a.mbox);
	buf_free(&copy);
	return head;
}

void
lab_imap_line(struct lab_conn *c, char *line, size_t len, bool toolong)
{
	struct buf	 cmd;
	size_t		 n, taglen, max;
	bool		 sync;

	if (toolong || c->literal_drop) {
		if (toolong)
			lab_reply(c, "* BAD Line too long");
		c->errors++;
		buf_free(&c->msg);
		c->literal_drop = false;
		if (c->state == STATE_IMAP_AUTHENTICATE) {
			free(c->tag);
			c->tag = NULL;
			c->state = STATE_IMAP_NOTAUTH;
		} else if (c->state == STATE_IMAP_IDLE)
			imap_idle_done(c, false);
		return;
	}
	lab_clean(line, len);	/* literal bytes are left as they are */
	if (c->state == STATE_IMAP_AUTHENTICATE) {
		if (strlen(line) != len) {
			lab_reply(c, "* BAD NUL byte in command");
			c->errors++;
			return;
		}
		imap_auth_step(c, line, len);
		return;
	}
	if (c->state == STATE_IMAP_IDLE) {
		imap_idle_done(c, strcasecmp(line, "DONE") == 0 &&
		    strlen(line) == len);
		return;
	}
	buf_add(&c->msg, line, len);
	if (imap_literal_size(line, len, &n, &sync)) {
		/* APPEND's message may be larger than a command. */
		max = imap_append_head(c) ? LAB_MSG_MAX : LAB_LINE_MAX;
		if ((max == LAB_MSG_MAX ? n : c->msg.len + n) > max) {
			taglen = strcspn(c->msg.p, " ");
			lab_reply(c, "%.*s %s too long (the lab takes %zu "
			    "bytes %s)", (int)(taglen > 64 ? 64 : taglen),
			    c->msg.p, max == LAB_MSG_MAX ? "NO [TOOBIG] "
			    "Message" : "BAD Literal", max, max ==
			    LAB_MSG_MAX ? "a message" : "a command");
			c->errors++;
			buf_free(&c->msg);
			/* A synchronising client waits for "+": none comes. */
			if (!sync) {
				c->literal = n;
				c->literal_drop = true;
			}
			return;
		}
		/* The rest of the command follows the literal's bytes. */
		buf_add(&c->msg, "\r\n", 2);
		c->literal = n;
		if (sync)
			lab_reply(c, "+ Ready for literal data");
		return;
	}
	/* The whole command is here: take it out, then run it. */
	cmd = c->msg;
	memset(&c->msg, 0, sizeof c->msg);
	imap_command(c, cmd.p, cmd.len);
	buf_free(&cmd);
}
