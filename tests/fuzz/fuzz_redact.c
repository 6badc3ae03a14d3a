/*
 * Fuzz redaction: lines alternate between client and server as the
 * input says; the redactor never crashes, and a line it calls secret
 * never comes back unchanged.
 */
#include <stdint.h>
#include <string.h>

#include "mailscope.h"

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
	r = redactor_new((enum proto_id)(data[0] % 4));
	p++;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (len > 0 && (p[0] & 1))
			redact_server(r, p + 1, len - 1);
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
