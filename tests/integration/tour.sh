#!/bin/sh
# SPDX-License-Identifier: ISC
# The guided tour (mailscope --lab --tour) in tmux panes, as a learner
# types it.  At 100x30, a projector's size, every chapter in order: each
# step's text appears, a step does not go on before the learner did what
# it asks, the checkpoint questions are checked against what the session
# showed, :probe's findings land in the transcript; on the way, explain
# mode (glosses under the lines, F1 on a line, ? in the TLS panel).  At
# 80x24: the banner never takes more than three rows, every chapter is
# reached with :tour N, and next, back, skip, F5's list and Enter in a
# pane move as they say.
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

# start NAME COLS ROWS: the tour in a pane of that size.
start() {
	tui_start "$1" "$2" "$3" sh -c 'export LANG=C.UTF-8 \
	    XDG_STATE_HOME="$1/state" XDG_CONFIG_HOME="$1/config"; "$2" \
	    --lab --tour; echo "MAILSCOPE-EXIT=$?"; exec sleep 3600' sh \
	    "$T" "$bin"
}

# The pane the helpers below act on.
P=big
screen() { tui_screen "$P"; }
keys() { tui_keys "$P" "$@"; }
line() { tui_line "$P" "$1"; }
wait_for() { tui_wait "$P" "$1" 20; }
# lacks_now ERE: the screen, as it is, does not match
lacks_now() { ! screen | grep -Eq -- "$1"; }
# banner_fits: from the banner's first row to the status bar, three rows
# at most (the status bar ends with the focus in brackets).
banner_fits() {
	screen | awk '/^ Tour [0-9]+\/15: / && !b { b = NR }
	    b && / \[(cmdline|transcript|tls)\] *$/ { s = NR; exit }
	    END { exit !(b && s && s - b >= 1 && s - b <= 3) }'
}

start big 100 30

# --- 1. The greeting and EHLO ---
check "1: the greeting" wait_for 'Tour 1/15: The greeting and EHLO \(1/2\)'
check "1: done once the 220 greeting arrived" \
    wait_for '✔ S: 220 is the greeting'
check "1: the banner fits in three rows at 100x30" banner_fits
keys Enter
check "1: asks for EHLO" wait_for 'Tour 1/15: .*\(2/2\)  Type: EHLO me'
keys Enter
check "Enter before EHLO does not go on" \
    wait_for 'type what the banner says first'
check "still on chapter 1" lacks_now 'Tour 2/15'
line 'HELO me'
check "1: HELO is not what it asks for" \
    wait_for '! That was HELO, the old greeting'
line ':explain'
check ":explain shows EXPLAIN in the status bar" wait_for ' EXPLAIN '
line 'EHLO me'
check "1: done after the EHLO reply" wait_for '✔ 250-STARTTLS: the offer'
check "1: the HELO hint is gone" lacks_now '! That was HELO'
check "explain mode: 250-STARTTLS glossed" \
    wait_for '↳ STARTTLS: The server offers to switch'
check "1: the checkpoint question" \
    wait_for ':answer yes or no'
line ':answer no'
check "1: a wrong answer is told wrong" \
    wait_for '✘ Not so: the last list names STARTTLS'
line ':answer yes'
check "1: the right answer, from the capability list" \
    wait_for '✔ Right: the last list names STARTTLS'
line ':next'

# --- 2. STARTTLS and the handshake ---
check "2: STARTTLS" wait_for 'Tour 2/15: STARTTLS and the handshake \(1/2\)'
line ':answer 1.3'
check ":answer before the question is refused" \
    wait_for ':answer: no question now \(finish the'
line 'STARTLS'
check "2: a refused command gets a hint" \
    wait_for '! The server answered 500: it refused that command'
line 'STARTTLS'
check "2: done after the handshake and verdict" \
    wait_for '✔ The rule marks where TLS began'
check "2: points to the F1 lesson" wait_for 'the STARTTLS line, F1'
check "2: the status bar shows the verdict" wait_for 'TLS +VERIFIED'
keys Enter
check "2: the TLS panel" wait_for 'Type: Tab  Tab  then  \?'
keys Tab
keys Tab
keys '?'
check "2: ? in the panel explains it" wait_for 'The TLS panel explained'
check "2: done once the panel was explained" \
    wait_for '✔ Every field in plain words'
check "2: which version?" wait_for '\? Which TLS version was'
# Enter in the panel goes on: no Esc twice first.
keys Enter
check "2: Enter in the TLS panel goes on" \
    wait_for 'Tour 3/15: Capabilities before and after'
check "2: ... and gives the command line back" wait_for '\[cmdline\] *$'
line ':tour back'
check ":tour back: the step before" \
    wait_for 'Tour 2/15: STARTTLS and the handshake \(2/2\)'
keys Tab
keys Tab
keys '?'
check "2 again: the question" wait_for '\? Which TLS version was'
line ':answer TLS 1.2'
check "2: a wrong version is told wrong" \
    wait_for '✘ Not what the session shows'
line ':answer it was TLS 1.3'
check "2: the version, from the TLS facts" \
    wait_for '✔ Right: TLS1.3, the highest version both sides speak'
keys Enter

# --- 3. Capabilities before and after ---
check "3: EHLO again" wait_for 'Tour 3/15: .*Type: EHLO me'
line 'EHLO me'
check "3: done on the capability diff" \
    wait_for '✔ The capability diff: AUTH appeared'
line ':answer STARTTLS'
check "3: a capability that went is not one that came" \
    wait_for '✘ Not so: that one went away inside TLS'
line ':answer auth'
check "3: a capability added inside TLS" \
    wait_for '✔ Right: auth came only inside TLS'

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
keys Escape
keys Escape
line ':next'

# --- 4. Send a mail, read it back ---
check "4: send a mail" wait_for 'Tour 4/15: Send a mail, read it back \(1/2\)'
line ':auth plain demo'
check "4: :auth asks for demo's password" wait_for 'Password for demo'
line 'demo'
check "4: logged in, as submission wants" wait_for 'S:🔒 235 '
line 'MAIL FROM:<you>'
line 'RCPT TO:<demo>'
line 'DATA'
check "DATA: the server asks for the message" wait_for 'S:🔒 354 '
line 'hello from the tour'
check "4 waits for the end of the message" lacks_now '✔ 250 after the dot'
line '.'
check "4: done after 250 for the message" wait_for '✔ 250 after the dot'
keys Enter
check "4: moved to IMAP" wait_for 'Tour 4/15: .*\(2/2\)'
check "4: STARTTLS done on the IMAP port" wait_for 'IMAP  TLS'
line 'a LOGIN demo wrong'
check "4: a refused login gets a hint" \
    wait_for '! The server answered NO: it refused that command'
line 'a LOGIN demo demo'
check "the password is redacted" wait_for 'C:🔒 a LOGIN demo \[redacted'
line 'a SELECT INBOX'
check "SELECT completed" wait_for 'a OK .*SELECT completed'
line 'a FETCH 1 BODY[]'
check "the mail sent is read back" wait_for 'hello from the tour'
# The Received: header's continuation lines start with a TAB: drawn as
# the spaces to the next stop of 8, as wide as the layout counted them.
check "a TAB in the literal is expanded, not left to the terminal" \
    wait_for '^ {26}by lab\.mailscope\.test \(mailscope-lab\)'
check "4: done on the literal" wait_for '✔ The \{N\} literal'
check "4: the question" wait_for ':answer plain or tls'
line ':answer plain'
check "4: plain is wrong: the login was inside TLS" \
    wait_for '✘ Not so: inside TLS'
line ':answer tls'
check "4: right, from the login line's channel" wait_for '✔ Right: inside TLS'
keys Enter

# --- 5. Version negotiation ---
check "5: the lab speaks TLS 1.2 at most" wait_for 'scenario tls12-only'
check "5: its text" wait_for 'Tour 5/15: Version negotiation'
line 'EHLO me'
line 'STARTTLS'
check "5: TLS1.2 negotiated" wait_for 'TLS established: TLS1\.2'
check "5: the question" wait_for '\? Which version was'
line ':answer 1.3'
check "5: 1.3 is wrong here" wait_for '✘ Not what the session shows'
line ':answer 1.2: the server speaks no higher'
check "5: 1.2, from the facts of this handshake" \
    wait_for '✔ Right: TLS1\.2, the highest'
keys Enter

# --- 6. Enforced or opportunistic ---
check "6: the lab enforces TLS" wait_for 'scenario enforced'
check "6: its text" wait_for 'Tour 6/15: Enforced or opportunistic'
line 'EHLO me'
line 'MAIL FROM:<you>'
check "6: MAIL refused before STARTTLS" wait_for 'S:   530 '
check "6: done on the 530" wait_for '✔ 530: STARTTLS first'
line ':answer yes'
check "6: yes is wrong" wait_for '✘ Not so: it answered 530'
line ':answer no'
check "6: right, from the reply to MAIL FROM" \
    wait_for '✔ Right: it answered 530, it enforces TLS'
keys Enter

# --- 7. Implicit TLS ---
check "7: implicit TLS" wait_for 'Tour 7/15: Implicit TLS: 465, 993, 995'
check "7: the session is on smtps" wait_for 'smtps://127\.0\.0\.1:[0-9]+'
check "7: the greeting inside TLS" wait_for 'S:🔒 220 lab\.mailscope\.test'
check "7: done" wait_for '✔ The greeting came with a lock'
keys Enter
check "7: on imaps" wait_for 'imaps://127\.0\.0\.1:[0-9]+ +IMAP +TLS'
check "7: the IMAP greeting inside TLS" wait_for 'S:🔒 \* OK '
check "7: imaps done" wait_for '✔ \* OK with a lock'
keys Enter
check "7: on pop3s" wait_for 'pop3s://127\.0\.0\.1:[0-9]+ +POP3 +TLS'
check "7: the POP3 greeting inside TLS" wait_for 'S:🔒 \+OK '
check "7: pop3s done" wait_for '✔ \+OK with a lock'
line ':answer yes'
check "7: nothing crossed in plaintext" \
    wait_for '✘ Not so: none, TLS came before the first byte'
keys Enter

# --- 8. POP3 STLS and IMAP STARTTLS ---
check "8: POP3" wait_for 'Tour 8/15: .*Type: CAPA  then  STLS'
check "8: on the POP3 port in plaintext" wait_for 'POP3  PLAIN'
line 'CAPA'
line 'STLS'
check "8: STLS done" wait_for '✔ \+OK, then the same handshake'
keys Enter
check "8: IMAP by hand" wait_for 'Type: a CAPABILITY  then  a STARTTLS'
check "8: on the IMAP port in plaintext" wait_for 'IMAP  PLAIN'
line 'a CAPABILITY'
line 'a STARTTLS'
check "8: IMAP STARTTLS done" wait_for '✔ a OK, then the handshake'
check "8: the question" wait_for 'which capability went away'
line 'a CAPABILITY'
check "8: the capabilities again inside TLS" wait_for 'went: LOGINDISABLED|-LOGINDISABLED'
line ':answer idle'
check "8: IDLE did not go away" wait_for '✘ Not so: not among those gone'
line ':answer logindisabled'
check "8: right, from the capability diff" \
    wait_for '✔ Right: logindisabled was offered only in plaintext'
keys Enter

# --- 9. Stripping ---
check "9: the lab strips STARTTLS" wait_for 'scenario strip'
line 'EHLO me'
check "9: mailscope warns" wait_for '\[starttls-stripped\]'
check "9: done" wait_for '✔ XXXXXXXA where STARTTLS was'
line ':answer yes'
check "9: the stripped list does not offer STARTTLS" \
    wait_for '✘ Not so: the last list does not name STARTTLS'
line ':answer no'
check "9: right" wait_for '✔ Right: the last list does not name STARTTLS'
keys Enter

# --- 10. The client's side ---
check "10: a careful client" wait_for "Tour 10/15: The client's side \\(1/2\\)"
line ':auth demo'
check "10: :auth refuses in plaintext" \
    wait_for ':auth refused, nothing asked or sent'
keys Enter
check "10: a broken client" wait_for 'Type: AUTH PLAIN AGRlbW8AZGVtbw==, y'
line 'AUTH PLAIN AGRlbW8AZGVtbw=='
check "10: mailscope asks first" \
    wait_for 'Send a credential in plaintext\? \[y/N\]'
line 'y'
check "10: the credential is redacted on screen" \
    wait_for 'C:   AUTH PLAIN \[redacted'
check "10: done, the judge named" wait_for 'mailscope judge grades'
line ':answer tls'
check "10: the password crossed in plaintext" \
    wait_for '✘ Not so: in plaintext \(no lock'
line ':answer plain'
check "10: right" wait_for '✔ Right: in plaintext'
keys Enter

# --- 11. Response injection ---
check "11: the lab injects replies" wait_for 'scenario inject-response'
# Response injection is a client bug; CVE-2011-0411 is Postfix's
# server-side command injection.
check "11: cites the client-side response injection CVE" \
    wait_for 'CVE-2020-14954'
check "11: not the server-side command injection CVE" \
    lacks_now 'CVE-2011-0411'
line ':explain'
line 'EHLO me'
line 'STARTTLS'
check "11: injection flagged" wait_for '⟨injected⟩'
check "11: the session aborted" wait_for 'aborted: response injection'
check "explain mode: the client's side of injection" \
    wait_for "The client's side: a client must drop"
line ':explain off'
check "11: done" wait_for '✔ The bytes after 220 were marked'
line ':answer 1'
check "11: one is wrong" wait_for '✘ Not so: 2, in the bytes marked injected'
line ':answer 2'
check "11: right, the lines counted in the injected bytes" \
    wait_for '✔ Right: 2, in the bytes marked injected'
keys Enter

# --- 12. Command injection ---
check "12: the lab executes injected commands" \
    wait_for 'scenario inject-command'
line 'EHLO me'
line ':starttls NOOP'
check "12: command injection flagged" wait_for '\[command-injection\]'
check "12: done" wait_for '✔ NOOP was answered inside TLS'
line ':answer quit'
check "12: QUIT was not sent with STARTTLS" wait_for '✘ Not so: NOOP, sent'
line ':answer noop'
check "12: right" wait_for '✔ Right: NOOP, sent with STARTTLS'
keys Enter

# --- 13. Certificate failures ---
check "13: an expired certificate" wait_for 'scenario expired-cert'
line 'EHLO me'
line 'STARTTLS'
check "13: not verified" wait_for 'certificate NOT verified: expired'
check "13: the question" wait_for ':answer yes or no'
line ':answer yes'
check "13: yes is wrong" wait_for '✘ Not so: not verified'
line ':answer no'
check "13: no, with the reason" wait_for '✔ Right: not verified, expired'
keys Enter

# --- 14. Test it: :probe ---
check "14: :probe" wait_for 'Tour 14/15: Test it: :probe'
check "14: the lab is good again" wait_for 'scenario good'
line ':probe now'
check ":probe takes no argument: the current target" \
    wait_for 'usage: :probe \(the current target\)'
line ':probe'
check ":probe: running" wait_for 'mailscope probe submission://127\.0\.0\.1'
check ":probe: a finding in the transcript" \
    wait_for 'probe ok   starttls: offered'
check ":probe: the certificate finding" \
    wait_for 'probe ok   certificate: Verified'
check ":probe: the summary" \
    wait_for 'probe of submission://127\.0\.0\.1:[0-9]+: [0-9]+ ok, 0 warn, 0 bad'
check "14: done" wait_for '✔ Each finding is a line in the transcript'
line ':answer 0'
check "14: right, counted from the probe's lines" \
    wait_for '✔ Right: 0, the lines marked warn or bad'
keys Enter

# --- 15. The end ---
check "15: the end" wait_for 'Tour 15/15: The end'
check "15: points to F1, :tour N and the judge" \
    wait_for 'F5 or :tour N.*F1'
keys Enter
check "Enter after the last step says it is over" \
    wait_for 'the tour is over'
line ':tour off'
i=0
while [ $i -lt 100 ] && screen | grep -q 'Tour 15/15'; do
	sleep 0.05
	i=$((i + 1))
done
check ":tour off: the banner is gone" lacks_now 'Tour 15/15'
keys F5
check "F5 lists the chapters and shows the banner" \
    wait_for 'Tour 15/15: The end'
check "F5: the chapter list" wait_for 'Chapters \(:tour N jumps'
check "F5: the chapters answered right" wait_for 'EHLO \(answered\)'
check "F5: a chapter done, its answer wrong" wait_for '995 \(done\)'
keys C-d
check "Ctrl-D leaves, status 0 after a clean session" \
    wait_for '^MAILSCOPE-EXIT=0$'
tui_stop big

# --- 80x24: navigation and the banner's height ---
start small 80 24
P=small
check "80x24: the tour starts" wait_for 'Tour 1/15: The greeting and EHLO'
check "80x24: the banner fits in three rows" banner_fits
keys Enter
line ':next'
check "80x24: :next before the step is done says so" \
    wait_for ':tour skip goes on anyway'
line ':tour skip'
check ":tour skip: the next step, undone" \
    wait_for 'Tour 2/15: STARTTLS and the handshake \(1/2\)'
line ':tour back'
check ":tour back: the step before" wait_for 'Tour 1/15: .*\(2/2\)'
line ':tour 99'
check ":tour 99: the usage" wait_for 'usage: :tour \[1-15'
keys F5
check "F5 marks the current chapter" wait_for '▸1\. The greeting and EHLO'
n=1
for title in 'The greeting and EHLO' 'STARTTLS and the handshake' \
    'Capabilities before and after' 'Send a mail, read it back' \
    'Version negotiation' 'Enforced or opportunistic' \
    'Implicit TLS: 465, 993, 995' 'POP3 STLS and IMAP STARTTLS' \
    'Stripping' "The client's side" 'Response injection' \
    'Command injection' 'Certificate failures' 'Test it: :probe' \
    'The end'; do
	line ":tour $n"
	check ":tour $n: $title" wait_for "Tour $n/15: $title"
	check ":tour $n: the banner fits in three rows at 80x24" banner_fits
	n=$((n + 1))
done
line ':tour 2'
check ":tour 2 again" wait_for 'Tour 2/15: STARTTLS and the handshake'
check ":tour 2: a fresh connection to the good lab" \
    wait_for 'S:   220 .*\(scenario good\)'
# A chapter that needs TLS, jumped to on a plaintext connection.
line ':tour 3'
check ":tour 3 in plaintext: STARTTLS first in what to type" \
    wait_for 'Type: EHLO me  STARTTLS  then'
line 'EHLO me'
line 'STARTTLS'
check ":tour 3: inside TLS, the step's own text" \
    wait_for 'Type: EHLO me$|Type: EHLO me  '
line 'EHLO me'
check ":tour 3: done on the capability diff" \
    wait_for '✔ The capability diff'
keys C-d
check "80x24: Ctrl-D leaves" wait_for '^MAILSCOPE-EXIT=[0-9]+$'
tui_stop small
