/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the sanitizer: whatever the input, the output is valid UTF-8 with
 * no control byte but TAB and no C1 code point.
 */
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 b = { 0 };
	const uint8_t	*p, *end;

	sanitize((const char *)data, size, &b);
	p = (const uint8_t *)b.p;
	end = p + b.len;
	while (p != NULL && p < end) {
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			__builtin_trap();
		if (*p < 0x80) {
			p++;
			continue;
		}
		/* C1 as UTF-8 (C2 80..9F) must never come out. */
		if (*p == 0xc2 && p + 1 < end && p[1] < 0xa0)
			__builtin_trap();
		if ((*p & 0xe0) == 0xc0)
			p += 2;
		else if ((*p & 0xf0) == 0xe0)
			p += 3;
		else if ((*p & 0xf8) == 0xf0)
			p += 4;
		else
			__builtin_trap();
	}
	buf_free(&b);
	return 0;
}
