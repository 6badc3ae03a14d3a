/* SPDX-License-Identifier: ISC */
/*
 * Option tables: one row per option gives getopt_long its struct option,
 * --help its line and the shell completions what the argument is.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define HELP_COL	24	/* the width of "  --option ARG" in --help */

/* getopt_long's tables, built from the rows; free with opt_getopt_free. */
void
opt_getopt(const struct optcmd *c, struct opt_getopt *g)
{
	const struct opt	*o, *p;
	struct buf		 s = { 0 };
	size_t			 n = 0;

	/* Tables of option rows are put together from several files:
	 * two rows with one value would parse as one option (but for an
	 * old name kept hidden). */
	for (o = c->opts; o < c->opts + c->nopts; o++)
		for (p = o + 1; o->val != 0 && p < c->opts + c->nopts; p++)
			if (p->val == o->val &&
			    !((o->flags | p->flags) & OPTF_HIDDEN))
				fatalx("option table%s%s: --%s and --%s share "
				    "the value %d", c->name != NULL ? " of " :
				    "", c->name != NULL ? c->name : "",
				    o->name != NULL ? o->name : "-",
				    p->name != NULL ? p->name : "-", o->val);
	g->longopts = xcalloc(c->nopts + 1, sizeof *g->longopts);
	/* ':' first: a missing argument is told apart from a bad option. */
	buf_addc(&s, ':');
	for (o = c->opts; o < c->opts + c->nopts; o++) {
		if (o->val == 0)
			continue;	/* a heading */
		if (o->val < 128) {
			buf_addc(&s, (char)o->val);
			if (o->has_arg == required_argument)
				buf_addc(&s, ':');
			else if (o->has_arg == optional_argument)
				buf_adds(&s, "::");
		}
		if (o->name != NULL) {
			g->longopts[n].name = o->name;
			g->longopts[n].has_arg = o->has_arg;
			g->longopts[n].val = o->val;
			n++;
		}
	}
	g->shortopts = s.p;
}

/* The next option; getopt itself says nothing, opt_error() does. */
int
opt_next(struct opt_getopt *g, int argc, char **argv)
{
	opterr = 0;
	return getopt_long(argc, argv, g->shortopts, g->longopts, NULL);
}

void
opt_getopt_free(struct opt_getopt *g)
{
	free(g->longopts);
	free(g->shortopts);
}

/* The row getopt_long answered with ch. */
const struct opt *
opt_find(const struct optcmd *c, int ch)
{
	size_t	i;

	for (i = 0; i < c->nopts; i++)
		if (c->opts[i].val == ch && ch != 0)
			return &c->opts[i];
	return NULL;
}

/* The length of the argument's name: OPTK_WORDS's words follow a ':'. */
int
opt_arg_len(const struct opt *o)
{
	if (o->arg == NULL)
		return 0;
	return (int)(o->kind == OPTK_WORDS ? strcspn(o->arg, ":") :
	    strlen(o->arg));
}

/* OPTK_WORDS: the words, '|'-separated; "" for the other kinds. */
const char *
opt_words(const struct opt *o)
{
	const char	*p;

	if (o->kind != OPTK_WORDS || o->arg == NULL ||
	    (p = strchr(o->arg, ':')) == NULL)
		return "";
	return p + 1;
}

static void
opt_label(const struct opt *o, struct buf *b)
{
	if (o->val < 128 && o->val > ' ')
		buf_printf(b, "-%c%s", o->val, o->name != NULL ? ", " : "");
	if (o->name != NULL)
		buf_printf(b, "--%s", o->name);
	if (o->arg == NULL || o->has_arg == no_argument)
		return;
	if (o->has_arg == optional_argument)
		buf_printf(b, " [%.*s]", opt_arg_len(o), o->arg);
	else
		buf_printf(b, " %.*s", opt_arg_len(o), o->arg);
}

/*
 * The options part of --help: headings, then "  LABEL  help" with the
 * help's further lines under its first.  A row marked OPTF_JOIN shares
 * the label of the row before it ("-4, -6").
 */
void
opt_help(const struct optcmd *c, struct buf *out)
{
	const struct opt	*o;
	struct buf		 label = { 0 };
	const char		*h, *nl;
	size_t			 i, w;

	for (i = 0; i < c->nopts; i++) {
		o = &c->opts[i];
		if (o->flags & OPTF_HIDDEN)
			continue;
		if (o->val == 0) {
			buf_printf(out, "%s\n", o->help);
			continue;
		}
		buf_reset(&label);
		opt_label(o, &label);
		while (i + 1 < c->nopts && (c->opts[i + 1].flags & OPTF_JOIN)) {
			buf_adds(&label, ", ");
			opt_label(&c->opts[++i], &label);
		}
		buf_printf(out, "  %s", label.p);
		h = o->help != NULL ? o->help : "";
		if (*h == '\0') {
			buf_addc(out, '\n');
			continue;
		}
		w = label.len;
		for (; h != NULL; h = nl != NULL ? nl + 1 : NULL) {
			nl = strchr(h, '\n');
			buf_printf(out, "%*s%.*s\n", w < HELP_COL ?
			    (int)(HELP_COL - w) : 1, "", nl != NULL ?
			    (int)(nl - h) : (int)strlen(h), h);
			w = 0;
			if (nl != NULL)
				buf_adds(out, "  ");
		}
	}
	buf_free(&label);
}

/*
 * What getopt_long refused, in one line (opterr is 0: getopt says
 * nothing itself).  What was typed is shown escaped.
 */
void
opt_error(const struct optcmd *c, int ch, char **argv, struct buf *out)
{
	const struct opt	*o;
	const char		*typed = argv[optind - 1];
	struct buf		 b = { 0 };

	if (ch == ':' && (o = opt_find(c, optopt)) != NULL) {
		if (o->name != NULL)
			buf_printf(&b, "--%s needs an argument", o->name);
		else
			buf_printf(&b, "-%c needs an argument", o->val);
	} else if (strncmp(typed, "--", 2) != 0)
		buf_printf(&b, "unknown option -%c", optopt);
	else if (optopt != 0)
		buf_printf(&b, "'%s': --%s takes no argument", typed,
		    opt_find(c, optopt) != NULL ? opt_find(c, optopt)->name :
		    "?");
	else
		buf_printf(&b, "unknown option '%s'", typed);
	buf_printf(out, "%s: ", c->prog);
	sanitize(b.p, b.len, out);
	buf_printf(out, " (see %s --help)\n", c->prog);
	buf_free(&b);
}
