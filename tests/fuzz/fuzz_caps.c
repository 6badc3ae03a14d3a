/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the capability parsers: a greeting (IMAP's may carry
 * [CAPABILITY ...]), then the answer to EHLO/LHLO, CAPABILITY or CAPA, as
 * arbitrary server bytes.  The list stays bounded and every entry is a
 * non-empty piece of one line; for IMAP an atom, never two.
 */
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "log/log.h"
#include "core/proto/proto_int.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

static void
on_line(const struct pp_line *l, void *arg)
{
	(void)l;
	(void)arg;
}

static void
check_caps(const struct pp *pp, enum proto_id proto)
{
	const struct strv	*caps = pp_caps(pp);
	size_t			 i, len;

	if (caps->n > PP_CAPS_MAX)
		__builtin_trap();
	for (i = 0; i < caps->n; i++) {
		len = strlen(caps->v[i]);
		if (memchr(caps->v[i], '\n', len) != NULL)
			__builtin_trap();
		if (proto == PROTO_IMAP && (len == 0 ||
		    memchr(caps->v[i], ' ', len) != NULL))
			__builtin_trap();
	}
	/* The questions the session asks of the list. */
	(void)pp_cap_starttls(pp);
	(void)strv_offers_credentials(caps, "AUTH");
	(void)strv_offers_credentials(caps, "SASL");
	(void)strv_has(caps, "LOGINDISABLED");
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum proto_id	 proto;
	struct pp	*pp;
	struct buf	 out = { 0 };
	const char	*p, *nl, *cmd;
	size_t		 len;

	if (size < 1)
		return 0;
	proto = (enum proto_id)(data[0] % (PROTO_SIEVE + 1));
	p = (const char *)data + 1;
	len = size - 1;
	pp = pp_new(proto, on_line, NULL);
	pp_expect_greeting(pp);
	/* The first line is the greeting, the rest answers the request. */
	nl = memchr(p, '\n', len);
	pp_feed(pp, p, nl != NULL ? (size_t)(nl - p) + 1 : len);
	check_caps(pp, proto);
	if (nl != NULL) {
		cmd = pp_caps_cmd(pp, "fuzz.example");
		pp_command(pp, cmd, strlen(cmd), &out, NULL);
		len -= (size_t)(nl - p) + 1;
		pp_feed(pp, nl + 1, len);
		pp_eof(pp);
		check_caps(pp, proto);
	}
	pp_caps_reset(pp);
	if (pp_caps(pp)->n != 0)
		__builtin_trap();
	pp_free(pp);
	buf_free(&out);
	return 0;
}
