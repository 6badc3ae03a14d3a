#!/bin/sh
# SPDX-License-Identifier: ISC
# The guided tour (mailscope --lab --tour) walked from start to end in a
# tmux pane, as a learner types it: each step's text must appear, and a
# step must not go on before the learner did what it asks.  On the way,
# explain mode: glosses under the lines (a decoded AUTH LOGIN challenge,
# 250-STARTTLS), F1 on a transcript line and ? in the TLS panel.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
# The ASan + UBSan build: a report ends it with a status the checks see.
bin=${MAILSCOPE_BIN:-$ASAN_MAILSCOPE}
rm -rf "$T/state"

if [ ! -x "$bin" ]; then
	fail "tour: no binary at $bin (run make)"
	exit 1
fi
if ! command -v tmux > /dev/null 2>&1; then
	fail "tour: tmux is missing (make deps-test)"
	exit 1
fi

expect_exit 1 "--tour without --lab is a usage error" "$bin" --tour
expect_exit 1 "--tour picks its own scenarios" "$bin" --lab expired-cert \
    --tour
expect_exit 1 "--tour with another protocol is a usage error" "$bin" \
    --lab --lab-proto imap --tour

tui_start t 140 45 sh -c 'export LANG=C.UTF-8 XDG_STATE_HOME="$1/state" \
    XDG_CONFIG_HOME="$1/config"; "$2" --lab --tour;
    echo "MAILSCOPE-EXIT=$?"; exec sleep 3600' sh "$T" "$bin"

screen() { tui_screen t; }
keys() { tui_keys t "$@"; }
line() { tui_line t "$1"; }
wait_for() { tui_wait t "$1" 15; }
# lacks_now ERE: the screen, as it is, does not match
lacks_now() { ! screen | grep -Eq -- "$1"; }

check "step 1: the greeting step" wait_for 'Tour 1/10: The greeting'
check "step 1: done once the 220 greeting arrived" \
    wait_for '✔ The S: 220 line is the greeting'
keys Enter
check "step 2: asks for EHLO" wait_for 'Tour 2/10: Ask what the server can do'
check "step 2: says what to type" wait_for 'Type: EHLO me'
keys Enter
check "Enter before EHLO does not go on" \
    wait_for 'type what the banner says first'
check "still on step 2" lacks_now 'Tour 3/10'
line 'HELO me'
check "step 2: HELO is not what it asks for" \
    wait_for '! That was HELO, the old greeting'
check "step 2: not done after HELO" lacks_now '✔ Find 250-STARTTLS'
line ':explain'
check ":explain shows EXPLAIN in the status bar" wait_for ' EXPLAIN '
line 'EHLO me'
check "step 2: done after the EHLO reply" wait_for '✔ Find 250-STARTTLS'
check "step 2: the HELO hint is gone" lacks_now '! That was HELO'
check "explain mode: 250-STARTTLS glossed" \
    wait_for '↳ STARTTLS: The server offers to switch'
line ':next'
check "step 3: STARTTLS" wait_for 'Tour 3/10: Switch to TLS'
line 'STARTLS'
check "step 3: a refused command gets a hint" \
    wait_for '! The server answered 500: it refused that command'
line 'STARTTLS'
check "step 3: done after the handshake and verdict" \
    wait_for '✔ The rule in the transcript marks where TLS began'
check "step 3: the status bar shows the verdict" wait_for 'TLS +VERIFIED'
keys Enter
check "step 4: the TLS panel" wait_for 'Tour 4/10: The TLS panel'
check "step 4: says which keys" wait_for 'Type: Tab  Tab  then  \?'
keys Enter
check "step 4: Enter before ? does not go on" \
    wait_for 'type what the banner says first'
keys Tab
keys Tab
keys '?'
check "step 4: ? in the panel explains it" \
    wait_for 'The TLS panel explained'
check "step 4: done once the panel was explained" \
    wait_for '✔ Every field in plain words'
keys Escape
keys Escape
check "step 4: Esc twice is back on the command line" \
    wait_for '\[cmdline\]'
keys Enter
check "step 5: EHLO again" wait_for 'Tour 5/10: Ask again'
line 'EHLO me'
check "step 5: done on the capability diff" \
    wait_for '✔ The capability diff shows what changed: AUTH appeared'

# Explain mode inside TLS: the SASL challenge decoded.
line 'AUTH LOGIN'
check "explain mode: 334 VXNlcm5hbWU6 decoded as Username:" \
    wait_for 'VXNlcm5hbWU6 = base64 for "Username:"'
line '*'
check "the AUTH exchange cancelled with *" wait_for 'S:🔒 501 '
line ':explain off'
check ":explain off" wait_for 'explain off'

# F1 in the transcript explains the line in the panel's place.
keys Tab
keys F1
check "F1 in the transcript: the explanation in the panel" \
    wait_for 'Explain this line'
check "F1: the line explained is the 501 reply" wait_for 'S: 501 5\.7\.0'
check "F1: its gloss" wait_for '^.*│ 501: '
keys Tab
keys Escape
check "Esc in the panel gives the TLS facts back" \
    wait_for 'TLS panel \(focus\)'
keys '?'
check "? in the TLS panel explains its fields" \
    wait_for 'The TLS panel explained'
check "? in the TLS panel: the verdict explained" wait_for 'verdict: '
keys Escape
keys Escape
# ? on a line selected in the transcript: Up selects the last line (the
# 501), then the "*" answer, then the 334 challenge.
keys Tab
keys Up Up Up
keys '?'
check "? on a selected line: the panel explains it" \
    wait_for '│ S: 334 VXNlcm5hbWU6'
check "? on a selected line: the challenge decoded in the panel" \
    wait_for '│ .*VXNlcm5hbWU6 = base64 for "Username:"'
keys Escape
check "Esc in the transcript closes the explanation" \
    wait_for ' TLS panel '
keys Escape

keys Enter
check "step 6: send a mail" wait_for 'Tour 6/10: Send a mail'
line ':auth plain demo'
check "step 6: :auth asks for demo's password" wait_for 'Password for demo'
line 'demo'
check "step 6: logged in, as submission wants" wait_for 'S:🔒 235 '
line 'MAIL FROM:<you@lab.mailscope.test>'
line 'RCPT TO:<demo@lab.mailscope.test>'
line 'DATA'
check "DATA: the server asks for the message" wait_for 'S:🔒 354 '
line 'hello from the tour'
check "step 6 waits for the end of the message" \
    lacks_now '✔ 250 after the dot'
line '.'
check "step 6: done after 250 for the message" \
    wait_for '✔ 250 after the dot'
keys Enter
check "step 7: moved to IMAP" wait_for 'Tour 7/10: Read it back over IMAP'
check "step 7: STARTTLS done on the IMAP port" wait_for 'IMAP  TLS'
line 'a LOGIN demo wrong'
check "step 7: a refused login gets a hint" \
    wait_for '! The server answered NO: it refused that command'
line 'a LOGIN demo demo'
check "IMAP login accepted" wait_for 'S:🔒 a OK \[CAPABILITY'
check "the password is redacted" wait_for 'C:🔒 a LOGIN demo \[redacted'
line 'a SELECT INBOX'
check "SELECT completed" wait_for 'a OK .*SELECT completed'
check "step 7 waits for the message itself" \
    lacks_now '✔ The \{N\} literal'
line 'a FETCH 1 BODY[]'
check "the mail sent is read back" wait_for 'hello from the tour'
# The Received: header's continuation lines start with a TAB: drawn as
# the spaces to the next stop of 8, as wide as the layout counted them.
check "a TAB in the literal is expanded, not left to the terminal" \
    wait_for '^ {26}by lab\.mailscope\.test \(mailscope-lab\)'
check "step 7: done on the literal" wait_for '✔ The \{N\} literal'
keys Enter
check "step 8: the lab restarted without STARTTLS" \
    wait_for 'scenario no-starttls\)'
check "step 8: its text" wait_for 'Tour 8/10: Attack: STARTTLS removed'
line 'EHLO me'
check "step 8: mailscope warns" wait_for '\[no-starttls\]'
# mailscope's own sentences wrap at words, never inside one.
check "step 8: the warning wraps at a space" \
    wait_for '^ {18}removed it\) \[no-starttls\]'
check "step 8: done" wait_for '✔ No 250-STARTTLS'
keys Enter
check "step 9: the lab plays an injector" \
    wait_for 'scenario inject-response\)'
check "step 9: its text" wait_for 'Tour 9/10: Attack: injected replies'
# Response injection is a client bug; CVE-2011-0411 is Postfix's
# server-side command injection.
check "step 9: cites the client-side response injection CVE" \
    wait_for 'CVE-2020-14954'
check "step 9: not the server-side command injection CVE" \
    lacks_now 'CVE-2011-0411'
line 'EHLO me'
check "step 9: STARTTLS offered" wait_for 'S:   250-STARTTLS'
line 'STARTTLS'
check "step 9: injection flagged" wait_for '⟨injected⟩'
check "step 9: the session aborted" wait_for 'aborted: response injection'
check "step 9: done" wait_for '✔ mailscope saw bytes after the 220'
keys Enter
check "the last step" wait_for 'Tour 10/10: The end'
keys Enter
check "Enter after the last step says it is over" \
    wait_for 'the tour is over'
line ':tour off'
i=0
while [ $i -lt 100 ] && screen | grep -q 'Tour 10/10'; do
	sleep 0.05
	i=$((i + 1))
done
check ":tour off: the banner is gone" lacks_now 'Tour 10/10'
line ':tour'
check ":tour shows the step again" wait_for 'Tour 10/10: The end'
keys C-d
# The exit status is the last session's: 6, the injection it saw.
check "Ctrl-D leaves, status 6 after the injection" \
    wait_for '^MAILSCOPE-EXIT=6$'
tui_stop t
