/* SPDX-License-Identifier: ISC */
/*
 * Theme files and the configuration file: every shipped theme parses and
 * names every slot; broken files report file:line and fall back.
 *
 * theme.c and config.c need no curses; they are compiled into this test
 * directly, as the unit tests link only the core library.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "theme.c"
#include "config.c"

static char	tmpdir[] = "/tmp/mailscope-theme-XXXXXX";

static int
setup(void **state)
{
	char	path[256];

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* Only the source tree's themes, never the user's. */
	snprintf(path, sizeof path, "%s/config", tmpdir);
	mkdir(path, 0700);
	setenv("XDG_CONFIG_HOME", path, 1);
	setenv("HOME", tmpdir, 1);
	/* The tests run from the top of the tree, the program is elsewhere. */
	setenv("MAILSCOPE_THEMEDIR", "themes", 1);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[512];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
write_file(const char *name, const char *text)
{
	char	*path;
	FILE	*f;

	xasprintf(&path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
shipped(const char *name)
{
	struct theme	t = { 0 };
	char		err[512] = "";
	char		*path;
	int		i;

	path = theme_find(name);
	assert_non_null(path);
	if (theme_parse(path, name, &t, err, sizeof err) != 0)
		fail_msg("%s: %s", name, err);
	for (i = 0; i < SLOT_MAX; i++)
		if (!t.slot[i].defined)
			fail_msg("%s does not define %s", path,
			    slot_name((enum slot)i));
	assert_string_equal(t.name, name);
	theme_free(&t);
	free(path);
}

static void
test_shipped_default(void **state)
{
	(void)state;
	shipped("default");
}

static void
test_shipped_light(void **state)
{
	(void)state;
	shipped("light");
}

static void
test_shipped_high_contrast(void **state)
{
	(void)state;
	shipped("high-contrast");
}

static void
test_shipped_mono(void **state)
{
	struct theme	t = { 0 };
	char		err[256];
	int		i;

	(void)state;
	shipped("mono");
	/* Monochrome means no colour at all. */
	assert_int_equal(theme_load("mono", &t, err, sizeof err), 0);
	for (i = 0; i < SLOT_MAX; i++) {
		assert_int_equal(t.slot[i].fg, THEME_DEFAULT_COLOUR);
		assert_int_equal(t.slot[i].bg, THEME_DEFAULT_COLOUR);
	}
	theme_free(&t);
}

static void
test_shipped_template(void **state)
{
	(void)state;
	shipped("template");
}

static void
test_slot_names_unique(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < SLOT_MAX; i++)
		assert_int_equal(slot_from_name(slot_name((enum slot)i)), i);
	assert_int_equal(slot_from_name("transcript.nosuch"), -1);
}

static void
broken(const char *text, const char *want)
{
	struct theme	 t = { 0 };
	char		 err[512] = "", *path, *exp;

	path = write_file("broken.theme", text);
	assert_int_equal(theme_parse(path, "broken", &t, err, sizeof err),
	    -1);
	xasprintf(&exp, "%s:%s", path, want);
	if (strncmp(err, exp, strlen(exp)) != 0)
		fail_msg("got \"%s\", want prefix \"%s\"", err, exp);
	/* Fallback: the built-in theme, nothing half-applied. */
	assert_string_equal(t.name, "default");
	assert_int_equal(t.slot[SLOT_CLIENT].defined, false);
	theme_free(&t);
	free(exp);
	free(path);
}

static void
test_broken_slot(void **state)
{
	(void)state;
	broken("# c\ndefault default default\ntranscript.nosuch red "
	    "default\n", "3: unknown slot");
}

static void
test_broken_colour(void **state)
{
	(void)state;
	broken("transcript.client reddish default\n", "1: bad colour");
	broken("\n\ntranscript.client 256 default\n", "3: bad colour");
	broken("transcript.client red -3\n", "1: bad colour");
}

static void
test_broken_attr(void **state)
{
	(void)state;
	broken("transcript.client red default bold,sparkly\n",
	    "1: bad attribute");
}

static void
test_broken_fields(void **state)
{
	(void)state;
	broken("\ttranscript.client red\n", "1: expected");
}

static void
test_values(void **state)
{
	struct theme	 t = { 0 };
	char		 err[256], *path;

	(void)state;
	path = write_file("v.theme", "transcript.client colour200 "
	    "brightred bold underline # comment\n"
	    "transcript.server 7 default reverse,italic\n");
	assert_int_equal(theme_parse(path, "v", &t, err, sizeof err), 0);
	assert_int_equal(t.slot[SLOT_CLIENT].fg, 200);
	assert_int_equal(t.slot[SLOT_CLIENT].bg, 9);
	assert_int_equal(t.slot[SLOT_CLIENT].attrs, TA_BOLD | TA_UNDERLINE);
	assert_int_equal(t.slot[SLOT_SERVER].fg, 7);
	assert_int_equal(t.slot[SLOT_SERVER].bg, THEME_DEFAULT_COLOUR);
	assert_int_equal(t.slot[SLOT_SERVER].attrs, TA_REVERSE | TA_ITALIC);
	/* Unnamed slots keep the built-in values. */
	assert_false(t.slot[SLOT_ERROR].defined);
	theme_free(&t);
	free(path);
}

static void
test_not_found(void **state)
{
	struct theme	t = { 0 };
	char		err[256];

	(void)state;
	assert_int_equal(theme_load("no-such-theme", &t, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "not found"));
	assert_string_equal(t.name, "default");
	assert_null(theme_find("../default"));
	assert_null(theme_find(".hidden"));
	theme_free(&t);
}

static void
test_user_dir_first(void **state)
{
	struct theme	 t = { 0 };
	struct strv	 names = { 0 };
	char		 dir[300], path[340], err[256];
	FILE		*f;

	(void)state;
	snprintf(dir, sizeof dir, "%s/config/mailscope", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/config/mailscope/themes", tmpdir);
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/default.theme", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("transcript.client 123 default\n", f);
	fclose(f);
	assert_int_equal(theme_load("default", &t, err, sizeof err), 0);
	assert_string_equal(t.path, path);
	assert_int_equal(t.slot[SLOT_CLIENT].fg, 123);
	theme_free(&t);
	theme_names(&names);
	assert_true(strv_has(&names, "default"));
	assert_true(strv_has(&names, "mono"));
	assert_false(strv_has(&names, "template"));
	strv_clear(&names);
	unlink(path);
}

static void
test_config(void **state)
{
	struct session_opts	 so;
	struct tui_opts		 to;
	char			 err[256], *path;

	(void)state;
	memset(&so, 0, sizeof so);
	memset(&to, 0, sizeof to);
	path = write_file("cfg", "# defaults\ntheme light\n"
	    "timestamps relative\ncafile /etc/ssl/x.pem  \nehlo me.test\n"
	    "color no\n");
	assert_int_equal(config_load(path, &so, &to, err, sizeof err), 0);
	assert_string_equal(to.theme, "light");
	assert_int_equal(to.time, TIME_RELATIVE);
	assert_string_equal(so.cafile, "/etc/ssl/x.pem");
	assert_string_equal(so.ehlo, "me.test");
	assert_true(to.no_color);
	free(path);

	path = write_file("cfg", "theme dark\n\nfrobnicate yes\n");
	assert_int_equal(config_load(path, &so, &to, err, sizeof err), -1);
	assert_non_null(strstr(err, "cfg:3: unknown key"));
	free(path);

	path = write_file("cfg", "timestamps sometimes\n");
	assert_int_equal(config_load(path, &so, &to, err, sizeof err), -1);
	assert_non_null(strstr(err, "cfg:1: timestamps"));
	free(path);

	/* No file at the default place is fine. */
	assert_int_equal(config_load(NULL, &so, &to, err, sizeof err), 0);
	/* A file named on purpose must exist. */
	assert_int_equal(config_load("/nonexistent/cfg", &so, &to, err,
	    sizeof err), -1);
}

/* timeout and tls-priority; the system's files, then the user's. */
static void
test_config_dirs(void **state)
{
	struct session_opts	 so;
	struct tui_opts		 to;
	char			 err[256], *path, *dirs, *home;

	(void)state;
	memset(&so, 0, sizeof so);
	memset(&to, 0, sizeof to);
	path = write_file("keys", "timeout 2.5\ntls-priority NORMAL\n");
	assert_int_equal(config_load(path, &so, &to, err, sizeof err), 0);
	assert_int_equal(so.timeout_ms, 2500);
	assert_string_equal(so.priority, "NORMAL");
	free(path);
	path = write_file("keys", "tls-priority NOPE:+NOTHING\n");
	assert_int_equal(config_load(path, &so, &to, err, sizeof err), -1);
	assert_non_null(strstr(err, "keys:1: tls-priority"));
	free(path);
	path = write_file("keys", "timeout 0\n");
	assert_int_equal(config_load(path, &so, &to, err, sizeof err), -1);
	assert_non_null(strstr(err, "keys:1: timeout"));
	free(path);

	/* Two system directories, the first listed wins; then the user. */
	xasprintf(&path, "mkdir -p %s/a/mailscope %s/b/mailscope "
	    "%s/u/mailscope", tmpdir, tmpdir, tmpdir);
	assert_int_equal(system(path), 0);
	free(path);
	free(write_file("a/mailscope/config", "ehlo a.test\ntimeout 1\n"));
	free(write_file("b/mailscope/config", "ehlo b.test\ntimeout 2\n"
	    "theme light\n"));
	xasprintf(&dirs, "%s/a:relative:%s/b", tmpdir, tmpdir);
	xasprintf(&home, "%s/u", tmpdir);
	setenv("XDG_CONFIG_DIRS", dirs, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	assert_int_equal(config_load(NULL, &so, &to, err, sizeof err), 0);
	assert_string_equal(so.ehlo, "a.test");
	assert_int_equal(so.timeout_ms, 1000);
	assert_string_equal(to.theme, "light");
	free(write_file("u/mailscope/config", "timeout 3\n"));
	assert_int_equal(config_load(NULL, &so, &to, err, sizeof err), 0);
	assert_int_equal(so.timeout_ms, 3000);
	assert_string_equal(so.ehlo, "a.test");
	unsetenv("XDG_CONFIG_DIRS");
	unsetenv("XDG_CONFIG_HOME");
	free(dirs);
	free(home);
}

static void
test_time_names(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < TIME_MAX; i++)
		assert_int_equal(tui_time_from_name(tui_time_name(
		    (enum tui_time)i)), i);
	assert_int_equal(tui_time_from_name("never"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_default),
		cmocka_unit_test(test_shipped_light),
		cmocka_unit_test(test_shipped_high_contrast),
		cmocka_unit_test(test_shipped_mono),
		cmocka_unit_test(test_shipped_template),
		cmocka_unit_test(test_slot_names_unique),
		cmocka_unit_test(test_broken_slot),
		cmocka_unit_test(test_broken_colour),
		cmocka_unit_test(test_broken_attr),
		cmocka_unit_test(test_broken_fields),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_user_dir_first),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_dirs),
		cmocka_unit_test(test_time_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
