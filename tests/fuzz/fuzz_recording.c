/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the recording reader as replay and export use it: a whole file,
 * header, events and trailer.  It loads or refuses with a reason; what
 * loads converts back to JSON.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
	static int		 fd = -1;
	static char		 path[64];
	struct recording_info	 info;
	struct evlog		*log;
	char			 err[512], *back;
	size_t			 i;
	unsigned		 nth;
	int			 n;

	if (fd == -1) {
		if ((fd = memfd_create("fuzz-recording", 0)) == -1)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	/* The first recording of the file, and the second when there is. */
	for (nth = 1; nth <= 2; nth++) {
		log = evlog_new(true);
		n = recording_load(path, nth, log, &info, err, sizeof err);
		if ((n == -1 || info.truncated) && err[0] == '\0')
			__builtin_trap();
		if (n != -1 && ((size_t)n != evlog_count(log) ||
		    info.nth != nth || info.count < nth))
			__builtin_trap();
		for (i = 0; i < evlog_count(log); i++) {
			back = event_to_json(log, evlog_get(log, i));
			free(back);
		}
		recording_info_free(&info);
		evlog_free(log);
	}
	return 0;
}
