/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the recording reader: any line either loads as an event or is
 * refused with a message; an event that loads converts back to JSON.
 */
#include <stdint.h>
#include <stdlib.h>
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
	struct evlog	*log = evlog_new(true);
	char		*line, err[256], *back;

	line = xstrndup((const char *)data, size);
	if (event_from_json(log, line, err, sizeof err) == 0) {
		back = event_to_json(log, evlog_get(log, 0));
		free(back);
	} else if (err[0] == '\0')
		__builtin_trap();
	free(line);
	evlog_free(log);
	return 0;
}
