/* SPDX-License-Identifier: ISC */
/*
 * Semantic slots to curses attributes: the only file that knows them.
 *
 * One colour pair per slot.  Colours the terminal lacks are mapped to the
 * nearest of the 8 or 16 it has; without colours (or with NO_COLOR) the
 * mono theme's attributes are used, so every slot stays distinguishable.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static attr_t	slot_attr[SLOT_MAX];

/* xterm's 256-colour cube and grey ramp to the 8 basic colours. */
static int
colour_down(int c, int have, bool *bright)
{
	int	r, g, b, grey, best;

	*bright = false;
	if (c < 0 || c < have)
		return c;
	if (c < 16) {
		*bright = true;
		return c - 8;
	}
	if (c >= 232) {
		grey = (c - 232) * 10 + 8;
		*bright = (grey >= 60 && grey < 128) || grey >= 200;
		return grey < 128 ? COLOR_BLACK : COLOR_WHITE;
	}
	c -= 16;
	r = c / 36;
	g = (c / 6) % 6;
	b = c % 6;
	best = (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0);
	if (best == 0 && (r + g + b) >= 3)
		best = (r >= g && r >= b) ? 1 : (g >= b ? 2 : 4);
	*bright = r >= 4 || g >= 4 || b >= 4;
	return best;
}

static unsigned
ta_to_attr(unsigned ta)
{
	unsigned	a = A_NORMAL;

	if (ta & TA_BOLD)
		a |= A_BOLD;
	if (ta & TA_DIM)
		a |= A_DIM;
	if (ta & TA_UNDERLINE)
		a |= A_UNDERLINE;
	if (ta & TA_REVERSE)
		a |= A_REVERSE;
	if (ta & TA_ITALIC)
		a |= A_ITALIC;
	if (ta & TA_BLINK)
		a |= A_BLINK;
	if (ta & TA_STANDOUT)
		a |= A_STANDOUT;
	return a;
}

void
colour_init(struct tui *t)
{
	const char	*nc = getenv("NO_COLOR");

	if (nc != NULL && *nc != '\0')
		t->opts.no_color = true;
	t->mono = t->opts.no_color || !has_colors();
	if (!t->mono) {
		start_color();
		use_default_colors();
		if (COLORS < 8 || COLOR_PAIRS < SLOT_MAX + 1)
			t->mono = true;
	}
}

/* Turn the loaded theme into attributes (again after :theme). */
void
colour_apply(struct tui *t)
{
	struct theme	 mono = { 0 };
	const struct theme *th = &t->theme;
	char		 err[256];
	int		 i, fg, bg;
	bool		 bfg, bbg;
	unsigned	 a;

	if (t->mono) {
		if (theme_load("mono", &mono, err, sizeof err) == -1) {
			/* Without the file: attributes of the theme only. */
			theme_free(&mono);
			mono = t->theme;
			mono.name = mono.path = NULL;
		}
		th = &mono;
	}
	for (i = 0; i < SLOT_MAX; i++) {
		a = ta_to_attr(th->slot[i].attrs);
		if (!t->mono) {
			fg = colour_down(th->slot[i].fg, COLORS, &bfg);
			bg = colour_down(th->slot[i].bg, COLORS, &bbg);
			if (bfg)
				a |= A_BOLD;
			init_pair((short)(i + 1), (short)fg, (short)bg);
			a |= (unsigned)COLOR_PAIR(i + 1);
		}
		slot_attr[i] = a;
	}
	if (th == &mono)
		theme_free(&mono);
}

void
colour_set(WINDOW *w, enum slot s)
{
	wattrset(w, (int)slot_attr[(unsigned)s < SLOT_MAX ? s : 0]);
}

void
colour_bkgd(WINDOW *w, enum slot s)
{
	wbkgdset(w, ' ' | slot_attr[(unsigned)s < SLOT_MAX ? s : 0]);
	wattrset(w, (int)slot_attr[(unsigned)s < SLOT_MAX ? s : 0]);
}
