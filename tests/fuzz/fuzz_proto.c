/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the line-protocol engine: arbitrary server bytes, split at
 * arbitrary points, with commands interleaved.  The first byte picks the
 * protocol and the split pattern.
 */
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "log/log.h"
#include "core/proto/proto_int.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

static size_t	lines;

static void
on_line(const struct pp_line *l, void *arg)
{
	(void)arg;
	/* Touch every byte so ASan sees out-of-bounds lines. */
	if (l->len > 0 && l->buf[0] == l->buf[l->len - 1])
		lines++;
	if (l->len > LINE_MAX_BYTES)
		__builtin_trap();
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cmds[] = {
		"EHLO x", "STARTTLS", "DATA", "AUTH LOGIN", "CAPABILITY",
		"a1 FETCH 1 BODY[]", "LOGIN a {3}", "RETR 1", "CAPA",
		"LIST", ".", "STLS",
	};
	struct pp	*pp;
	struct buf	 out = { 0 };
	size_t		 off = 0, step;
	unsigned	 sel;

	if (size < 2)
		return 0;
	sel = data[0];
	pp = pp_new((enum proto_id)(sel % (PROTO_SIEVE + 1)), on_line, NULL);
	pp_expect_greeting(pp);
	data++;
	size--;
	while (off < size) {
		step = 1 + (data[off] % 97);
		if (step > size - off)
			step = size - off;
		if ((data[off] & 0xe0) == 0xe0) {
			const char *c = cmds[data[off] % 12];

			buf_reset(&out);
			pp_command(pp, c, strlen(c), &out, NULL);
		}
		pp_feed(pp, (const char *)data + off, step);
		if (sel & 0x80)
			pp_take_buffered(pp, &out);
		off += step;
	}
	pp_eof(pp);
	pp_free(pp);
	buf_free(&out);
	return 0;
}
