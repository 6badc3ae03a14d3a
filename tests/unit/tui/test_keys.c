/* SPDX-License-Identifier: ISC */
/*
 * The key table (tui/keys.c): every binding is whole, no key is bound
 * twice where only one can act, and the Keys sections of README.md and
 * mailscope.1 are the table's.  `test_keys md` and `test_keys man` print
 * the sections to paste when the table changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keys.c"

static void
label(size_t i, size_t j, struct buf *b)
{
	buf_reset(b);
	keys_label(&bindings[i], j - i, b);
}

/* README.md: one table per section. */
static void
gen_md(struct buf *out)
{
	struct buf	l = { 0 };
	size_t		k, i, j;

	for (k = 0; k < nkeys_sections; k++) {
		buf_printf(out, "%s#### %s\n\n| key | action |\n|---|---|\n",
		    k > 0 ? "\n" : "", kctx_title(keys_sections[k]));
		for (i = 0; i < nbindings; i = j) {
			j = keys_group(i);
			if (!keys_in_section(&bindings[i], keys_sections[k]))
				continue;
			label(i, j, &l);
			buf_printf(out, "| %s | %s |\n", l.p, bindings[i].help);
		}
	}
	buf_free(&l);
}

static void
roff(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_adds(out, "\\(dq");
		else {
			if (*s == '-' || *s == '\\')
				buf_addc(out, '\\');
			buf_addc(out, *s);
		}
	}
}

/* Text in lines of at most 72 bytes, broken between words (mandoc -T lint). */
static void
roff_fill(struct buf *out, const char *s)
{
	struct buf	t = { 0 };
	size_t		i, start = 0, sp = 0;

	roff(&t, s);
	for (i = 0; i < t.len; i++) {
		/* Never a line that starts as a request would. */
		if (t.p[i] == ' ' && t.p[i + 1] != '.' && t.p[i + 1] != '\'')
			sp = i;
		if (i - start >= 72 && sp > start) {
			t.p[sp] = '\n';
			start = sp + 1;
		}
	}
	buf_add(out, t.p, t.len);
	buf_free(&t);
}

/*
 * mailscope.1: one .TP per binding, a title per section (a .PP before
 * all but the first: the .SS is the first's paragraph break).
 */
static void
gen_man(struct buf *out)
{
	struct buf	l = { 0 };
	size_t		k, i, j;

	for (k = 0; k < nkeys_sections; k++) {
		buf_adds(out, k > 0 ? ".PP\n\\fB" : "\\fB");
		roff(out, kctx_title(keys_sections[k]));
		buf_adds(out, "\\fR\n");
		for (i = 0; i < nbindings; i = j) {
			j = keys_group(i);
			if (!keys_in_section(&bindings[i], keys_sections[k]))
				continue;
			label(i, j, &l);
			buf_adds(out, ".TP\n.B ");
			roff(out, l.p);
			buf_adds(out, "\n");
			roff_fill(out, bindings[i].help);
			buf_adds(out, "\n");
		}
	}
	buf_free(&l);
}

/* The text of path between the lines begin and end. */
static char *
section(const char *path, const char *begin, const char *end)
{
	FILE	*f = fopen(path, "r");
	char	*all, *b, *e;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	all = calloc(1, (size_t)n + 1);
	if (all == NULL || fread(all, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(all);
		return NULL;
	}
	fclose(f);
	if ((b = strstr(all, begin)) == NULL ||
	    (e = strstr(b, end)) == NULL) {
		free(all);
		return NULL;
	}
	b += strlen(begin);
	memmove(all, b, (size_t)(e - b));
	all[e - b] = '\0';
	return all;
}

static void
test_bindings_whole(void **state)
{
	size_t	i, k;

	(void)state;
	for (i = 0; i < nbindings; i++) {
		assert_true(bindings[i].ctx < KC_MAX);
		assert_true(bindings[i].action > A_NONE &&
		    bindings[i].action < A_MAX);
		assert_non_null(bindings[i].help);
		assert_true(strlen(bindings[i].help) > 3);
		assert_int_not_equal(bindings[i].keys[0], 0);
		assert_non_null(kctx_title(bindings[i].ctx));
		if (bindings[i].rl != NULL)
			assert_int_equal(strncmp(bindings[i].rl, "mailscope-",
			    10), 0);
		for (k = 0; k < KEYS_PER_BINDING && bindings[i].keys[k] != 0;
		    k++)
			assert_ptr_equal(keys_find(bindings[i].ctx,
			    bindings[i].keys[k]) != NULL, 1);
	}
}

/* Every binding is in a section of the help. */
static void
test_every_binding_shown(void **state)
{
	size_t	i, k;
	int	shown;

	(void)state;
	for (i = 0; i < nbindings; i++) {
		shown = 0;
		for (k = 0; k < nkeys_sections; k++)
			shown += keys_in_section(&bindings[i], keys_sections[k]);
		assert_int_equal(shown, 1);
	}
}

/*
 * A key bound twice in one context reaches the second binding only when
 * the first declines: ? explains a selected line, else searches.
 */
static void
test_no_shadowed_key(void **state)
{
	size_t	i, j, a, b;

	(void)state;
	for (i = 0; i < nbindings; i++)
		for (j = i + 1; j < nbindings; j++) {
			if (bindings[i].ctx != bindings[j].ctx)
				continue;
			for (a = 0; a < KEYS_PER_BINDING &&
			    bindings[i].keys[a] != 0; a++)
				for (b = 0; b < KEYS_PER_BINDING &&
				    bindings[j].keys[b] != 0; b++) {
					if (bindings[i].keys[a] !=
					    bindings[j].keys[b])
						continue;
					assert_int_equal(bindings[i].action,
					    A_EXPLAIN_SELECTED);
				}
		}
}

static void
test_names(void **state)
{
	char		 b[16];
	struct buf	 l = { 0 };

	(void)state;
	assert_string_equal(keys_name(TK_F1, b, sizeof b), "F1");
	assert_string_equal(keys_name(0x0c, b, sizeof b), "Ctrl-L");
	assert_string_equal(keys_name('\r', b, sizeof b), "Enter");
	assert_string_equal(keys_name('q', b, sizeof b), "q");
	/* Up, k and Down, j share a help line: one label, names once. */
	keys_label(keys_find(KC_TRANSCRIPT, 'k'), 2, &l);
	assert_string_equal(l.p, "Up, k, Down, j");
	buf_free(&l);
}

static void
check_doc(const char *path, const char *begin, const char *end,
    void (*gen)(struct buf *))
{
	struct buf	 want = { 0 };
	char		*have;

	gen(&want);
	have = section(path, begin, end);
	assert_non_null(have);
	if (strcmp(have, want.p) != 0)
		fprintf(stderr, "%s: the Keys section is not the table's; "
		    "build/tests/unit/tui/test_keys %s prints it\n", path,
		    gen == gen_md ? "md" : "man");
	assert_string_equal(have, want.p);
	free(have);
	buf_free(&want);
}

static void
test_readme(void **state)
{
	(void)state;
	check_doc("README.md", "<!-- keys: from tui/keys.c -->\n",
	    "<!-- end of keys -->", gen_md);
}

static void
test_manual(void **state)
{
	(void)state;
	check_doc("mailscope.1", ".\\\" keys: from tui/keys.c\n",
	    ".\\\" end of keys", gen_man);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bindings_whole),
		cmocka_unit_test(test_every_binding_shown),
		cmocka_unit_test(test_no_shadowed_key),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_readme),
		cmocka_unit_test(test_manual),
	};
	struct buf	b = { 0 };

	if (argc == 2) {
		if (strcmp(argv[1], "md") == 0)
			gen_md(&b);
		else
			gen_man(&b);
		fputs(b.p, stdout);
		buf_free(&b);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
