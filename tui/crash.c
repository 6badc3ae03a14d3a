/* SPDX-License-Identifier: ISC */
/*
 * A crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) must not leave the
 * user's terminal raw, in the alternate screen and reporting the mouse.
 * The handler puts the terminal back with async-signal-safe calls only,
 * then gives the signal to whoever had it before (the default action, a
 * core, or the sanitizer's report).  What the terminal needs is worked out
 * beforehand, while it is safe to call terminfo.
 */
#include <curses.h>
#include <term.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tui.h"

static const int	 crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
			    SIGABRT };
#define NSIGNALS	 (sizeof crash_signals / sizeof crash_signals[0])
static struct sigaction	 previous[NSIGNALS];
static struct termios	 shell_modes;
static bool		 have_modes, installed;
static char		 reset[512];
static size_t		 reset_len;

static void
add_bytes(const char *s)
{
	size_t	n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (reset_len + n <= sizeof reset) {
		memcpy(reset + reset_len, s, n);
		reset_len += n;
	}
}

static void
on_crash(int sig)
{
	size_t	i;

	if (have_modes)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &shell_modes);
	/* A terminal that is gone needs nothing more. */
	(void)!write(STDOUT_FILENO, reset, reset_len);
	for (i = 0; i < NSIGNALS; i++)
		if (crash_signals[i] == sig)
			sigaction(sig, &previous[i], NULL);
	/* Delivered to the previous action once this handler returns. */
	raise(sig);
}

/* Before initscr(): the terminal's modes as the shell left them. */
void
crash_save_modes(void)
{
	have_modes = tcgetattr(STDIN_FILENO, &shell_modes) == 0;
}

/* After initscr(): what undoes the screen's settings, then the handlers. */
void
crash_install(void)
{
	struct sigaction	sa;
	size_t			i;

	reset_len = 0;
	add_bytes(tigetstr("sgr0"));
	add_bytes(tigetstr("cnorm"));
	add_bytes(tigetstr("rmkx"));
	if (tigetstr("kmous") != NULL && tigetstr("kmous") != (char *)-1)
		add_bytes("\033[?1006l\033[?1000l");
	add_bytes(tigetstr("rmcup"));
	add_bytes("\r\n");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_crash;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGNALS; i++)
		sigaction(crash_signals[i], &sa, &previous[i]);
	installed = true;
}

/* The screen is gone: a later crash needs nothing undone. */
void
crash_remove(void)
{
	size_t	i;

	if (!installed)
		return;
	for (i = 0; i < NSIGNALS; i++)
		sigaction(crash_signals[i], &previous[i], NULL);
	installed = false;
}
