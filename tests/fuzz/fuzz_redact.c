/* SPDX-License-Identifier: ISC */
/*
 * Fuzz redaction: lines alternate between client and server as the
 * input says; the redactor never crashes, and a line it calls secret
 * never comes back unchanged.  A server line comes with whatever
 * classification its first bytes say (fuzz_session.c has the engine's).
 */
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

static const enum reply_status statuses[] = {
	RS_NONE, RS_OK, RS_INTERMEDIATE, RS_TEMPFAIL, RS_NO, RS_BAD, RS_BYE,
	RS_PREAUTH,
};

/* A server line: two bytes of classification, then its text. */
static void
server(struct redactor *r, const char *p, size_t len)
{
	static const char *const names[] = { NULL, "AUTH", "AUTHENTICATE",
	    "LOGIN", "a1", "" };
	struct pp_line	l;

	if (len < 2)
		return;
	memset(&l, 0, sizeof l);
	l.status = statuses[p[0] & 7];
	l.final = (p[0] & 8) != 0;
	l.flags = ((p[0] & 16) ? EVF_END : 0) | ((p[0] & 32) ? EVF_SPLIT : 0) |
	    ((p[0] & 64) ? EVF_UNSOLICITED : 0) | ((p[0] & 128) ? EVF_BODY : 0);
	l.verb = names[(unsigned char)p[1] % 6];
	l.tag = names[((unsigned char)p[1] / 6) % 6];
	l.code = (p[1] & 1) ? 334 : -1;
	l.buf = p + 2;
	l.len = len - 2;
	redact_server(r, &l);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redactor	*r;
	struct buf	 shown = { 0 };
	const char	*p = (const char *)data, *end = p + size, *nl;
	size_t		 len;

	if (size < 1)
		return 0;
	r = redactor_new((enum proto_id)(data[0] % (PROTO_SIEVE + 1)));
	p++;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (len > 0 && (p[0] & 1))
			server(r, p + 1, len - 1);
		else if (len > 0) {
			buf_reset(&shown);
			/* A line that already reads like a redaction may
			 * come back the same; any other may not. */
			if (redact_client(r, p + 1, len - 1, &shown) &&
			    shown.len == len - 1 &&
			    memcmp(shown.p, p + 1, len - 1) == 0 &&
			    memmem(p + 1, len - 1, "[redacted", 9) == NULL)
				__builtin_trap();
		}
		p += len + (nl != NULL);
	}
	redactor_free(r);
	buf_free(&shown);
	return 0;
}
