/* SPDX-License-Identifier: ISC */
/*
 * The optional configuration files: the system's,
 * $XDG_CONFIG_DIRS/mailscope/config (default /etc/xdg), then the user's,
 * $XDG_CONFIG_HOME/mailscope/config (default ~/.config/mailscope/config),
 * each overriding the one before; or the one file --config names.
 * Defaults for options, one "key value" per line, '#' comments.  Command
 * line options given afterwards override them.
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
user_config_path(void)
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

/* One file; a missing one is an error only when must_exist. */
static int
config_file(const char *path, bool must_exist, struct session_opts *so,
    struct tui_opts *to, char *err, size_t errlen)
{
	FILE	*f;
	char	*line = NULL, *p, *key, *val, *end;
	size_t	 cap = 0, lineno = 0;
	int	 m, rc = -1;
	bool	 b;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
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
		else if (strcmp(key, "timeout") == 0) {
			if ((m = timeout_parse(val)) == -1) {
				snprintf(err, errlen, "%s:%zu: timeout is in "
				    "seconds, from 0.001 to 86400", path,
				    lineno);
				goto out;
			}
			so->timeout_ms = m;
		} else if (strcmp(key, "tls-priority") == 0) {
			char	perr[256];

			if (tls_priority_check(val, perr, sizeof perr) == -1) {
				snprintf(err, errlen, "%s:%zu: tls-priority: %s",
				    path, lineno, perr);
				goto out;
			}
			so->priority = keep(val);
		}
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
			    "(theme, timestamps, cafile, timeout, tls-priority, ehlo, "
			    "color, ascii)",
			    path, lineno, key);
			goto out;
		}
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	return rc;
}

/*
 * The file given, or the system's and the user's.  XDG_CONFIG_DIRS lists
 * the most important directory first: read last, it wins.
 */
int
config_load(const char *given, struct session_opts *so, struct tui_opts *to,
    char *err, size_t errlen)
{
	struct strv	 dirs = { 0 };
	const char	*x, *p, *colon;
	char		*path;
	size_t		 i;
	int		 rc = 0;

	if (given != NULL)
		return config_file(given, true, so, to, err, errlen);
	if ((x = getenv("XDG_CONFIG_DIRS")) == NULL || *x == '\0')
		x = "/etc/xdg";
	for (p = x; *p != '\0'; p = *colon != '\0' ? colon + 1 : colon) {
		if ((colon = strchr(p, ':')) == NULL)
			colon = p + strlen(p);
		/* Relative entries are ignored (the XDG base directory spec). */
		if (*p == '/')
			strv_addn(&dirs, p, (size_t)(colon - p));
	}
	for (i = dirs.n; i > 0 && rc == 0; i--) {
		xasprintf(&path, "%s/mailscope/config", dirs.v[i - 1]);
		rc = config_file(path, false, so, to, err, errlen);
		free(path);
	}
	strv_clear(&dirs);
	if (rc == 0 && (path = user_config_path()) != NULL) {
		rc = config_file(path, false, so, to, err, errlen);
		free(path);
	}
	return rc;
}
