/* SPDX-License-Identifier: ISC */
/*
 * The optional configuration file, $XDG_CONFIG_HOME/mailscope/config
 * (default ~/.config/mailscope/config): defaults for options, one
 * "key value" per line, '#' comments.  Command line options given
 * afterwards override it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static const char *time_names[TIME_MAX] = { "absolute", "relative", "off" };

/* The strings handed out: options given later replace the pointers, so
 * they are kept here, for the life of the process. */
static struct strv	 kept;

static const char *
keep(const char *v)
{
	strv_add(&kept, v);
	return kept.v[kept.n - 1];
}

const char *
tui_time_name(enum tui_time m)
{
	return (unsigned)m < TIME_MAX ? time_names[m] : "?";
}

int
tui_time_from_name(const char *name)
{
	int	i;

	for (i = 0; i < TIME_MAX; i++)
		if (strcmp(name, time_names[i]) == 0)
			return i;
	return -1;
}

static char *
config_path(void)
{
	const char	*x, *home;
	char		*p;

	if ((x = getenv("XDG_CONFIG_HOME")) != NULL && *x == '/')
		xasprintf(&p, "%s/mailscope/config", x);
	else if ((home = getenv("HOME")) != NULL && *home != '\0')
		xasprintf(&p, "%s/.config/mailscope/config", home);
	else
		return NULL;
	return p;
}

static int
yesno(const char *v, bool *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "off") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

int
config_load(const char *path, struct session_opts *so, struct tui_opts *to,
    char *err, size_t errlen)
{
	FILE	*f;
	char	*owned = NULL, *line = NULL, *p, *key, *val, *end;
	size_t	 cap = 0, lineno = 0;
	int	 m, rc = -1;
	bool	 b;

	if (path == NULL) {
		if ((owned = config_path()) == NULL)
			return 0;
		path = owned;
	}
	if ((f = fopen(path, "r")) == NULL) {
		rc = errno == ENOENT && owned != NULL ? 0 : -1;
		if (rc == -1)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(owned);
		return rc;
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (*p == '\0')
			continue;
		key = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		val = p;
		end = val + strlen(val);
		while (end > val && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*val == '\0') {
			snprintf(err, errlen, "%s:%zu: %s needs a value", path,
			    lineno, key);
			goto out;
		}
		if (strcmp(key, "theme") == 0)
			to->theme = keep(val);
		else if (strcmp(key, "timestamps") == 0) {
			if ((m = tui_time_from_name(val)) == -1) {
				snprintf(err, errlen, "%s:%zu: timestamps is "
				    "absolute, relative or off", path, lineno);
				goto out;
			}
			to->time = (enum tui_time)m;
		} else if (strcmp(key, "cafile") == 0)
			so->cafile = keep(val);
		else if (strcmp(key, "ehlo") == 0)
			so->ehlo = keep(val);
		else if (strcmp(key, "color") == 0 ||
		    strcmp(key, "colour") == 0) {
			if (yesno(val, &b) == -1) {
				snprintf(err, errlen, "%s:%zu: %s is yes or no",
				    path, lineno, key);
				goto out;
			}
			to->no_color = !b;
		} else if (strcmp(key, "ascii") == 0) {
			if (yesno(val, &b) == -1) {
				snprintf(err, errlen, "%s:%zu: ascii is yes or "
				    "no", path, lineno);
				goto out;
			}
			to->ascii = b;
		} else {
			snprintf(err, errlen, "%s:%zu: unknown key \"%.40s\" "
			    "(theme, timestamps, cafile, ehlo, color, ascii)",
			    path, lineno, key);
			goto out;
		}
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	free(owned);
	return rc;
}
