/* SPDX-License-Identifier: ISC */
/*
 * Shell completions for bash, zsh and fish, written from the option
 * tables getopt_long and --help use: a new option completes the day it
 * is added.  What changes after installation (the user's themes) the
 * scripts ask of mailscope itself as they complete:
 * mailscope --completion-words scenario|theme.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "tui.h"

static const char *
kind_name(enum opt_kind k)
{
	switch (k) {
	case OPTK_FILE:
		return "file";
	case OPTK_DIR:
		return "dir";
	case OPTK_URL:
		return "url";
	case OPTK_SCENARIO:
		return "scenario";
	case OPTK_THEME:
		return "theme";
	case OPTK_WORDS:
		return "words";
	case OPTK_NONE:
		break;
	}
	return "none";
}

static bool
shown(const struct opt *o)
{
	return o->val != 0 && !(o->flags & OPTF_HIDDEN);
}

/* The URL schemes, each with its "://". */
static void
schemes(struct buf *b, const char *sep)
{
	const char	*s;
	size_t		 i;

	for (i = 0; (s = target_scheme(i)) != NULL; i++)
		buf_printf(b, "%s%s://", i > 0 ? sep : "", s);
}

/* The words of an OPTK_WORDS argument, '|' made sep. */
static void
words(struct buf *b, const char *arg, char sep)
{
	for (; *arg != '\0'; arg++)
		buf_addc(b, *arg == '|' ? sep : *arg);
}

/* The first line of help; for zsh's _arguments, [ ] : and \ escaped. */
static void
help_line(struct buf *b, const char *help, bool zsh)
{
	const char	*p;

	for (p = help != NULL ? help : ""; *p != '\0' && *p != '\n'; p++) {
		if (zsh && strchr("[]:\\", *p) != NULL)
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
}

/* s in single quotes: sh's and zsh's '\'' or fish's \'. */
static void
quote(struct buf *b, const char *s, bool fish)
{
	buf_addc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_adds(b, fish ? "\\'" : "'\\''");
		else if (*s == '\\' && fish)
			buf_adds(b, "\\\\");
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '\'');
}

static void
bash_cmd(const struct optcmd *c, struct buf *b)
{
	const struct opt	*o;
	enum opt_kind		 k;

	buf_printf(b, "\t%s)\n\t\topts='", c->name != NULL ? c->name :
	    "mailscope");
	for (o = c->opts; o < c->opts + c->nopts; o++) {
		if (!shown(o))
			continue;
		if (o->val < 128)
			buf_printf(b, "-%c ", o->val);
		if (o->name != NULL)
			buf_printf(b, "--%s ", o->name);
	}
	buf_adds(b, "'\n\t\tcase $prev in\n");
	for (o = c->opts; o < c->opts + c->nopts; o++) {
		if (!shown(o) || o->has_arg == no_argument)
			continue;
		buf_adds(b, "\t\t");
		if (o->val < 128)
			buf_printf(b, "-%c%s", o->val, o->name != NULL ? "|" :
			    "");
		if (o->name != NULL)
			buf_printf(b, "--%s", o->name);
		k = o->kind;
		buf_printf(b, ") kind=%s%s", kind_name(k),
		    o->has_arg == optional_argument ? " optional=1" : "");
		if (k == OPTK_WORDS) {
			buf_adds(b, " list='");
			words(b, opt_words(o), ' ');
			buf_addc(b, '\'');
		}
		buf_adds(b, " ;;\n");
	}
	buf_printf(b, "\t\t*) kind=operand ;;\n\t\tesac\n"
	    "\t\toperand=%s\n\t\t;;\n", kind_name(c->operand));
}

static void
bash(const struct optcmd *const *cmds, size_t n, struct buf *b)
{
	size_t	i;

	buf_adds(b, "# bash completion for mailscope "
	    "(mailscope --completion bash)\n"
	    "_mailscope()\n{\n"
	    "\tlocal cur prev cmd kind= optional= list= opts operand subs\n"
	    "\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	    "\tprev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\tsubs='");
	for (i = 1; i < n; i++)
		buf_printf(b, "%s%s", i > 1 ? " " : "", cmds[i]->name);
	buf_adds(b, "'\n"
	    "\tcmd=mailscope\n"
	    "\tif [ \"$COMP_CWORD\" -gt 1 ]; then\n"
	    "\t\tcase \" $subs \" in\n"
	    "\t\t*\" ${COMP_WORDS[1]} \"*) cmd=${COMP_WORDS[1]} ;;\n"
	    "\t\tesac\n"
	    "\tfi\n"
	    "\t# --option=value\n"
	    "\tif [[ $cur == --*=* ]]; then\n"
	    "\t\tprev=${cur%%=*}\n"
	    "\t\tcur=${cur#*=}\n"
	    "\tfi\n"
	    "\tcase $cmd in\n");
	for (i = 0; i < n; i++)
		bash_cmd(cmds[i], b);
	buf_adds(b, "\tesac\n"
	    "\tif [ \"$kind\" = operand ] || { [ -n \"$optional\" ] && "
	    "[[ $cur == -* ]]; }; then\n"
	    "\t\tif [[ $cur == -* ]]; then\n"
	    "\t\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	    "\t\t\treturn\n"
	    "\t\tfi\n"
	    "\t\tkind=$operand\n"
	    "\t\tif [ \"$cmd\" = mailscope ] && [ \"$COMP_CWORD\" -eq 1 ]; "
	    "then\n"
	    "\t\t\tCOMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
	    "\t\tfi\n"
	    "\tfi\n"
	    "\tcase $kind in\n"
	    "\tfile)\n"
	    "\t\tcompopt -o filenames 2>/dev/null\n"
	    "\t\tCOMPREPLY+=($(compgen -f -- \"$cur\")) ;;\n"
	    "\tdir)\n"
	    "\t\tcompopt -o filenames 2>/dev/null\n"
	    "\t\tCOMPREPLY+=($(compgen -d -- \"$cur\")) ;;\n"
	    "\tscenario|theme)\n"
	    "\t\tCOMPREPLY+=($(compgen -W \"$(\"${COMP_WORDS[0]}\" "
	    "--completion-words $kind 2>/dev/null)\" -- \"$cur\")) ;;\n"
	    "\twords)\n"
	    "\t\tCOMPREPLY+=($(compgen -W \"$list\" -- \"$cur\")) ;;\n"
	    "\turl)\n"
	    "\t\tcompopt -o nospace 2>/dev/null\n"
	    "\t\tCOMPREPLY+=($(compgen -W '");
	schemes(b, " ");
	buf_adds(b, "' -- \"$cur\")) ;;\n"
	    "\tesac\n"
	    "}\n"
	    "complete -F _mailscope mailscope\n");
}

static const char *
zsh_action(const struct opt *o)
{
	switch (o->kind) {
	case OPTK_FILE:
		return "_files";
	case OPTK_DIR:
		return "_files -/";
	case OPTK_URL:
		return "_mailscope_urls";
	case OPTK_SCENARIO:
		return "_mailscope_words scenario";
	case OPTK_THEME:
		return "_mailscope_words theme";
	case OPTK_WORDS:
	case OPTK_NONE:
		break;
	}
	return " ";
}

/* One _arguments spec: *FORM[=|+][help]:ARG:action, quoted. */
static void
zsh_spec(const struct opt *o, const char *form, struct buf *b)
{
	struct buf	spec = { 0 };

	buf_printf(&spec, "*%s", form);
	if (o->has_arg == required_argument)
		buf_addc(&spec, form[1] == '-' ? '=' : '+');
	else if (o->has_arg == optional_argument)
		buf_adds(&spec, "=-");
	buf_addc(&spec, '[');
	help_line(&spec, o->help, true);
	buf_addc(&spec, ']');
	if (o->has_arg != no_argument) {
		buf_adds(&spec, o->has_arg == optional_argument ? "::" : ":");
		buf_add(&spec, o->arg != NULL ? o->arg : "ARG", o->arg != NULL ?
		    (size_t)opt_arg_len(o) : 3);
		buf_addc(&spec, ':');
		if (o->kind == OPTK_WORDS) {
			buf_addc(&spec, '(');
			words(&spec, opt_words(o), ' ');
			buf_addc(&spec, ')');
		} else
			buf_adds(&spec, zsh_action(o));
	}
	buf_adds(b, " \\\n\t    ");
	quote(b, spec.p, false);
	buf_free(&spec);
}

static void
zsh_cmd(const struct optcmd *c, struct buf *b)
{
	const struct opt	*o;
	struct buf		 form = { 0 };

	buf_printf(b, "_mailscope_%s() {\n\t_arguments -s -S",
	    c->name != NULL ? c->name : "main");
	for (o = c->opts; o < c->opts + c->nopts; o++) {
		if (!shown(o))
			continue;
		if (o->val < 128) {
			buf_reset(&form);
			buf_printf(&form, "-%c", o->val);
			zsh_spec(o, form.p, b);
		}
		if (o->name != NULL) {
			buf_reset(&form);
			buf_printf(&form, "--%s", o->name);
			zsh_spec(o, form.p, b);
		}
	}
	if (c->name == NULL)
		buf_adds(b, " \\\n\t    '1: :_mailscope_first'");
	else
		buf_printf(b, " \\\n\t    '1: :%s'", c->operand == OPTK_FILE ?
		    "_files" : c->operand == OPTK_URL ? "_mailscope_urls" :
		    "_mailscope_words scenario");
	buf_adds(b, "\n}\n");
	buf_free(&form);
}

static void
zsh(const struct optcmd *const *cmds, size_t n, struct buf *b)
{
	size_t	i;

	buf_adds(b, "#compdef mailscope\n"
	    "# zsh completion for mailscope (mailscope --completion zsh)\n"
	    "_mailscope_urls() {\n\tcompadd -S '' -- ");
	schemes(b, " ");
	buf_adds(b, "\n}\n"
	    "_mailscope_words() {\n"
	    "\tlocal -a w\n"
	    "\tw=(${(f)\"$(${words[1]} --completion-words $1 "
	    "2>/dev/null)\"})\n"
	    "\tcompadd -a w\n"
	    "}\n"
	    "_mailscope_first() {\n"
	    "\tcompadd -- ");
	for (i = 1; i < n; i++)
		buf_printf(b, "%s ", cmds[i]->name);
	buf_adds(b, "\n\t_mailscope_urls\n}\n");
	for (i = 0; i < n; i++)
		zsh_cmd(cmds[i], b);
	buf_adds(b, "_mailscope() {\n"
	    "\tcase $words[2] in\n");
	for (i = 1; i < n; i++)
		buf_printf(b, "\t%s)\n"
		    "\t\tshift words\n"
		    "\t\t(( CURRENT-- ))\n"
		    "\t\t_mailscope_%s ;;\n", cmds[i]->name, cmds[i]->name);
	buf_adds(b, "\t*)\n\t\t_mailscope_main ;;\n\tesac\n}\n"
	    "_mailscope \"$@\"\n");
}

static void
fish_cmd(const struct optcmd *const *cmds, size_t n, size_t ci,
    struct buf *b)
{
	const struct optcmd	*c = cmds[ci];
	const struct opt	*o;
	struct buf		 cond = { 0 }, help = { 0 };
	size_t			 i;

	if (c->name != NULL)
		buf_printf(&cond, "__fish_seen_subcommand_from %s", c->name);
	else {
		buf_adds(&cond, "not __fish_seen_subcommand_from");
		for (i = 1; i < n; i++)
			buf_printf(&cond, " %s", cmds[i]->name);
	}
	for (o = c->opts; o < c->opts + c->nopts; o++) {
		if (!shown(o))
			continue;
		buf_printf(b, "complete -c mailscope -n '%s'", cond.p);
		if (o->val < 128)
			buf_printf(b, " -s %c", o->val);
		if (o->name != NULL)
			buf_printf(b, " -l %s", o->name);
		if (o->has_arg != no_argument) {
			switch (o->kind) {
			case OPTK_FILE:
			case OPTK_DIR:
				buf_adds(b, " -r -F");
				break;
			case OPTK_SCENARIO:
			case OPTK_THEME:
				buf_printf(b, " -x -a '(mailscope "
				    "--completion-words %s)'",
				    kind_name(o->kind));
				break;
			case OPTK_WORDS:
				buf_adds(b, " -x -a '");
				words(b, opt_words(o), ' ');
				buf_addc(b, '\'');
				break;
			default:
				buf_adds(b, " -x");
			}
		}
		buf_reset(&help);
		help_line(&help, o->help, false);
		buf_adds(b, " -d ");
		quote(b, help.p != NULL ? help.p : "", true);
		buf_addc(b, '\n');
	}
	switch (c->operand) {
	case OPTK_FILE:
		buf_printf(b, "complete -c mailscope -n '%s' -F\n", cond.p);
		break;
	case OPTK_SCENARIO:
		buf_printf(b, "complete -c mailscope -n '%s' -a "
		    "'(mailscope --completion-words scenario)'\n", cond.p);
		break;
	default:
		buf_printf(b, "complete -c mailscope -n '%s' -a '", cond.p);
		schemes(b, " ");
		buf_adds(b, "'\n");
	}
	buf_free(&cond);
	buf_free(&help);
}

static void
fish(const struct optcmd *const *cmds, size_t n, struct buf *b)
{
	size_t	i;

	buf_adds(b, "# fish completion for mailscope "
	    "(mailscope --completion fish)\n"
	    "complete -c mailscope -f\n");
	for (i = 1; i < n; i++)
		buf_printf(b, "complete -c mailscope -n __fish_use_subcommand "
		    "-a %s\n", cmds[i]->name);
	for (i = 0; i < n; i++)
		fish_cmd(cmds, n, i, b);
}

static int
put(struct buf *b)
{
	size_t	len = b->len;

	if (fwrite(b->p, 1, len, stdout) != len || fflush(stdout) != 0) {
		perror("mailscope: standard output");
		buf_free(b);
		return EXIT_WRITE;
	}
	buf_free(b);
	return EXIT_OK;
}

/* cmds[0] is mailscope itself, the others its subcommands. */
int
completion_print(const char *shell, const struct optcmd *const *cmds,
    size_t n)
{
	struct buf	b = { 0 };

	if (strcmp(shell, "bash") == 0)
		bash(cmds, n, &b);
	else if (strcmp(shell, "zsh") == 0)
		zsh(cmds, n, &b);
	else if (strcmp(shell, "fish") == 0)
		fish(cmds, n, &b);
	else {
		fprintf(stderr, "mailscope: --completion takes bash, zsh or "
		    "fish (see mailscope --help)\n");
		return EXIT_USAGE;
	}
	return put(&b);
}

int
completion_words(const char *kind)
{
	struct buf		 b = { 0 };
	struct strv		 names = { 0 };
	const char *const	*scn;
	size_t			 i;

	if (strcmp(kind, "scenario") == 0) {
		for (scn = lab_scenarios(); *scn != NULL; scn++)
			buf_printf(&b, "%s\n", *scn);
	} else if (strcmp(kind, "theme") == 0) {
		theme_names(&names);
		for (i = 0; i < names.n; i++)
			buf_printf(&b, "%s\n", names.v[i]);
		strv_clear(&names);
	} else {
		fprintf(stderr, "mailscope: --completion-words takes scenario "
		    "or theme\n");
		return EXIT_USAGE;
	}
	return put(&b);
}
