/* SPDX-License-Identifier: ISC */
/*
 * Themes: one line per semantic slot, "slot fg bg [attrs...]".
 *
 * Colours are names (default, black, red, ..., brightwhite) or 0-255;
 * attributes are bold, dim, underline, reverse, italic, blink, standout
 * or none.  This file knows no curses: colour.c turns a theme into
 * attributes, and the unit tests parse every shipped theme.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tui.h"

#define X(e, n) n,
static const char *slot_names[SLOT_MAX] = { SLOTS };
#undef X

static const char *colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan",
	"white", "brightblack", "brightred", "brightgreen", "brightyellow",
	"brightblue", "brightmagenta", "brightcyan", "brightwhite",
};

static const struct {
	const char	*name;
	unsigned	 bit;
} attr_names[] = {
	{ "bold", TA_BOLD },
	{ "dim", TA_DIM },
	{ "underline", TA_UNDERLINE },
	{ "reverse", TA_REVERSE },
	{ "italic", TA_ITALIC },
	{ "blink", TA_BLINK },
	{ "standout", TA_STANDOUT },
	{ "none", 0 },
};

/* The built-in dark theme, used when no file can be read. */
static const struct {
	enum slot	 slot;
	int		 fg, bg;
	unsigned	 attrs;
} builtin[] = {
	{ SLOT_DEFAULT, -1, -1, 0 },
	{ SLOT_CLIENT, 6, -1, 0 },
	{ SLOT_SERVER, 7, -1, 0 },
	{ SLOT_CLIENT_TLS, 14, -1, 0 },
	{ SLOT_SERVER_TLS, 10, -1, 0 },
	{ SLOT_MARKER, 8, -1, 0 },
	{ SLOT_LOCK, 10, -1, TA_BOLD },
	{ SLOT_ESCAPE, 0, 3, 0 },
	{ SLOT_INFO, 4, -1, 0 },
	{ SLOT_WARNING, 11, -1, TA_BOLD },
	{ SLOT_ERROR, 9, -1, TA_BOLD },
	{ SLOT_NOTE, 13, -1, TA_ITALIC },
	{ SLOT_BOUNDARY, 10, -1, TA_BOLD },
	{ SLOT_TIME, 8, -1, 0 },
	{ SLOT_FOLD, 3, -1, TA_UNDERLINE },
	{ SLOT_SELECTED, -1, -1, TA_REVERSE },
	{ SLOT_EXPLAIN, 12, -1, TA_ITALIC },
	{ SLOT_LADDER_INJECTED, 9, -1, TA_BOLD },
	{ SLOT_PRESENT_OFFER, 0, 10, TA_BOLD },
	{ SLOT_PRESENT_STARTTLS, 0, 14, TA_BOLD },
	{ SLOT_PRESENT_STRIPPED, 15, 9, TA_BOLD },
	{ SLOT_PRESENT_INJECTED, 11, 1, TA_BOLD | TA_UNDERLINE },
	{ SLOT_TLS_TITLE, 15, -1, TA_BOLD },
	{ SLOT_TLS_LABEL, 8, -1, 0 },
	{ SLOT_TLS_VALUE, 7, -1, 0 },
	{ SLOT_TLS_OK, 10, -1, TA_BOLD },
	{ SLOT_TLS_BAD, 9, -1, TA_BOLD },
	{ SLOT_TLS_WARN, 11, -1, 0 },
	{ SLOT_TLS_SELECTED, -1, -1, TA_REVERSE },
	{ SLOT_TLS_MATCH, 10, -1, TA_BOLD | TA_UNDERLINE },
	{ SLOT_BORDER, 8, -1, 0 },
	{ SLOT_BORDER_FOCUS, 14, -1, TA_BOLD },
	{ SLOT_STATUS, 15, 236, 0 },
	{ SLOT_STATUS_PLAIN, 0, 11, TA_BOLD },
	{ SLOT_STATUS_TLS, 0, 10, TA_BOLD },
	{ SLOT_STATUS_BAD, 15, 9, TA_BOLD },
	{ SLOT_STATUS_REC, 15, 1, TA_BOLD },
	{ SLOT_STATUS_PROGRESS, 0, 14, 0 },
	{ SLOT_PROMPT, 14, -1, TA_BOLD },
	{ SLOT_MODE, 0, 11, TA_BOLD },
	{ SLOT_INPUT, -1, -1, 0 },
	{ SLOT_MESSAGE, 15, 4, 0 },
	{ SLOT_MESSAGE_ERROR, 15, 1, TA_BOLD },
	{ SLOT_HELP, 7, 235, 0 },
	{ SLOT_HELP_KEY, 11, 235, TA_BOLD },
	{ SLOT_HELP_TITLE, 15, 235, TA_BOLD | TA_UNDERLINE },
	{ SLOT_MATCH, 0, 11, 0 },
};

const char *
slot_name(enum slot s)
{
	return (unsigned)s < SLOT_MAX ? slot_names[s] : "?";
}

int
slot_from_name(const char *name)
{
	int	i;

	for (i = 0; i < SLOT_MAX; i++)
		if (strcmp(slot_names[i], name) == 0)
			return i;
	return -1;
}

void
theme_builtin(struct theme *t)
{
	size_t	i;

	free(t->name);
	free(t->path);
	memset(t, 0, sizeof *t);
	t->name = xstrdup("default");
	for (i = 0; i < SLOT_MAX; i++) {
		t->slot[i].fg = t->slot[i].bg = THEME_DEFAULT_COLOUR;
		t->slot[i].attrs = 0;
	}
	for (i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
		t->slot[builtin[i].slot].fg = builtin[i].fg;
		t->slot[builtin[i].slot].bg = builtin[i].bg;
		t->slot[builtin[i].slot].attrs = builtin[i].attrs;
	}
}

void
theme_free(struct theme *t)
{
	free(t->name);
	free(t->path);
	t->name = t->path = NULL;
}

static int
parse_colour(const char *w, int *out)
{
	char	*end;
	long	 n;
	size_t	 i;

	if (strcasecmp(w, "default") == 0 || strcmp(w, "-") == 0) {
		*out = THEME_DEFAULT_COLOUR;
		return 0;
	}
	for (i = 0; i < sizeof colour_names / sizeof colour_names[0]; i++) {
		if (strcasecmp(w, colour_names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	/* "grey" and "gray" are the usual spellings of bright black. */
	if (strcasecmp(w, "grey") == 0 || strcasecmp(w, "gray") == 0) {
		*out = 8;
		return 0;
	}
	if (strncasecmp(w, "colour", 6) == 0)
		w += 6;
	else if (strncasecmp(w, "color", 5) == 0)
		w += 5;
	if (!isdigit((unsigned char)*w))
		return -1;
	errno = 0;
	n = strtol(w, &end, 10);
	if (*end != '\0' || errno != 0 || n < 0 || n > 255)
		return -1;
	*out = (int)n;
	return 0;
}

static int
parse_attrs(char *w, unsigned *out)
{
	char	*a;
	size_t	 i;

	/* Several attributes: separate words or "bold,underline". */
	while ((a = strsep(&w, ",")) != NULL) {
		if (*a == '\0')
			continue;
		for (i = 0; i < sizeof attr_names / sizeof attr_names[0];
		    i++)
			if (strcasecmp(a, attr_names[i].name) == 0)
				break;
		if (i == sizeof attr_names / sizeof attr_names[0])
			return -1;
		*out |= attr_names[i].bit;
	}
	return 0;
}

/*
 * Parse one theme file over the built-in theme: slots the file does not
 * name keep their built-in values (and defined = false).  On error err
 * holds "file:line: what" and t is left as the built-in theme.
 */
int
theme_parse(const char *path, const char *name, struct theme *t, char *err,
    size_t errlen)
{
	FILE	*f;
	char	*line = NULL, *p, *w[8];
	size_t	 cap = 0, n, lineno = 0;
	int	 s, fg, bg;
	unsigned attrs;

	theme_builtin(t);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		p = line;
		for (n = 0; n < 8; n++) {
			while ((w[n] = strsep(&p, " \t\r\n")) != NULL &&
			    *w[n] == '\0')
				;
			if (w[n] == NULL)
				break;
		}
		if (n == 0)
			continue;
		if (n < 3 || n == 8) {
			snprintf(err, errlen, "%s:%zu: expected \"slot fg bg "
			    "[attributes]\"", path, lineno);
			goto fail;
		}
		if ((s = slot_from_name(w[0])) == -1) {
			snprintf(err, errlen, "%s:%zu: unknown slot \"%.40s\"",
			    path, lineno, w[0]);
			goto fail;
		}
		if (parse_colour(w[1], &fg) == -1 ||
		    parse_colour(w[2], &bg) == -1) {
			snprintf(err, errlen, "%s:%zu: bad colour \"%.40s\" "
			    "(a name, default or 0-255)", path, lineno,
			    parse_colour(w[1], &fg) == -1 ? w[1] : w[2]);
			goto fail;
		}
		attrs = 0;
		while (n-- > 3) {
			if (parse_attrs(w[n], &attrs) == -1) {
				snprintf(err, errlen, "%s:%zu: bad attribute "
				    "\"%.40s\"", path, lineno, w[n]);
				goto fail;
			}
		}
		t->slot[s].fg = fg;
		t->slot[s].bg = bg;
		t->slot[s].attrs = attrs;
		t->slot[s].defined = true;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(line);
	fclose(f);
	free(t->name);
	t->name = xstrdup(name);
	t->path = xstrdup(path);
	return 0;
fail:
	free(line);
	fclose(f);
	theme_builtin(t);
	return -1;
}

static bool
name_ok(const char *name)
{
	/* A name, not a path: no way out of the theme directories. */
	if (*name == '\0' || *name == '.')
		return false;
	return strchr(name, '/') == NULL;
}

/*
 * The "themes" folder beside the running program: ./mailscope in a source
 * tree finds the tree's themes without the build path compiled in, so two
 * builds in different directories are the same binary.
 */
static void
theme_exe_dir(struct strv *dirs)
{
	char	 exe[PATH_MAX], *slash, *d;
	ssize_t	 n;

	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return;
	*slash = '\0';
	xasprintf(&d, "%s/themes", exe);
	strv_add(dirs, d);
	free(d);
}

static void
theme_dirs(struct strv *dirs)
{
	const char	*x, *home;
	char		*d;

	if ((x = getenv("XDG_CONFIG_HOME")) != NULL && *x == '/') {
		xasprintf(&d, "%s/mailscope/themes", x);
		strv_add(dirs, d);
		free(d);
	} else if ((home = getenv("HOME")) != NULL && *home != '\0') {
		xasprintf(&d, "%s/.config/mailscope/themes", home);
		strv_add(dirs, d);
		free(d);
	}
	if ((x = getenv("MAILSCOPE_THEMEDIR")) != NULL && *x != '\0')
		strv_add(dirs, x);
	strv_add(dirs, THEMEDIR);
	theme_exe_dir(dirs);
}

/*
 * The file for a theme name, or NULL: the user's folder,
 * $MAILSCOPE_THEMEDIR, the install folder, the folder beside the program.
 */
char *
theme_find(const char *name)
{
	struct strv	 dirs = { 0 };
	struct stat	 st;
	char		*path;
	size_t		 i;

	if (strchr(name, '/') != NULL)
		return stat(name, &st) == 0 ? xstrdup(name) : NULL;
	if (!name_ok(name))
		return NULL;
	theme_dirs(&dirs);
	for (i = 0; i < dirs.n; i++) {
		xasprintf(&path, "%s/%s.theme", dirs.v[i], name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			strv_clear(&dirs);
			return path;
		}
		free(path);
	}
	strv_clear(&dirs);
	return NULL;
}

/* Load a theme by name (or path); on error the built-in theme is set. */
int
theme_load(const char *name, struct theme *t, char *err, size_t errlen)
{
	char	*path;
	int	 rc;

	if ((path = theme_find(name)) == NULL) {
		theme_builtin(t);
		snprintf(err, errlen, "theme \"%.60s\" not found", name);
		return -1;
	}
	rc = theme_parse(path, name, t, err, errlen);
	free(path);
	return rc;
}

/* Every theme name found, for completion and :theme without argument. */
void
theme_names(struct strv *out)
{
	struct strv	 dirs = { 0 };
	struct dirent	*de;
	DIR		*d;
	size_t		 i, len;
	char		*n;

	theme_dirs(&dirs);
	for (i = 0; i < dirs.n; i++) {
		if ((d = opendir(dirs.v[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			len = strlen(de->d_name);
			if (len <= 6 || de->d_name[0] == '.' ||
			    strcmp(de->d_name + len - 6, ".theme") != 0)
				continue;
			n = xstrndup(de->d_name, len - 6);
			if (strcmp(n, "template") != 0 && !strv_has(out, n))
				strv_add(out, n);
			free(n);
		}
		closedir(d);
	}
	strv_clear(&dirs);
}
