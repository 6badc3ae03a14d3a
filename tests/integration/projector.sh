#!/bin/sh
# SPDX-License-Identifier: ISC
# The screen for a lesson on a projector, against the lab in a tmux pane:
# the compact TLS summary at 80x24 and 100x30 (and the panel beside the
# transcript at 200x60), F8 between the summary and the full panel, what
# the client offered against what the server chose on tls12-only,
# --present's highlighted lines (their colour read with capture-pane -e),
# and the slow scenario's line shown while it arrives, marked incomplete,
# with the recording holding exactly the lines as before.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
# The ASan + UBSan build: a report ends it with a status the checks see.
bin=${MAILSCOPE_BIN:-$ASAN_MAILSCOPE}
rm -rf "$T/state" "$T/config"

if [ ! -x "$bin" ]; then
	fail "projector: no binary at $bin (run make)"
	exit 1
fi
if ! command -v tmux > /dev/null 2>&1; then
	fail "projector: tmux is missing (make deps-test)"
	exit 1
fi

# start W H ARGS...: the binary in pane p, the exit status shown after it.
start() {
	tui_stop p
	_w=$1
	_h=$2
	shift 2
	tui_start p "$_w" "$_h" sh -c 'd=$1; shift; export LANG=C.UTF-8 \
	    TERM=tmux-256color XDG_STATE_HOME="$d/state" \
	    XDG_CONFIG_HOME="$d/config"; "$@"; echo "MAILSCOPE-EXIT=$?";
	    exec sleep 3600' sh "$T" "$bin" "$@"
}
screen() { tui_screen p; }
keys() { tui_keys p "$@"; }
line() { tui_line p "$1"; }
wait_for() { tui_wait p "$1" 15; }
lacks_now() { ! screen | grep -Eq -- "$1"; }
# rows ERE: how many screen rows match
rows() { screen | grep -cE -- "$1"; }

expect_exit 1 "--present is for the screen, not batch" "$bin" --batch \
    --present smtp://127.0.0.1:1

# --- tls12-only at 100x30: the summary, offered against chosen, F8 ---
start 100 30 --lab tls12-only
check "100x30: greeted" wait_for 'S: +220 lab\.mailscope\.test'
check "100x30: no TLS panel, the summary instead" \
    wait_for '^ TLS  PLAINTEXT: readable on the path'
check "100x30: the summary names F8" wait_for '\(F8: full panel\)'
check "100x30: the status bar and the command line stay" \
    wait_for 'SMTP +PLAIN'
line 'EHLO projector.test'
check "100x30: the summary says STARTTLS is offered" \
    wait_for 'PLAINTEXT: readable on the path; STARTTLS offered'
line 'STARTTLS'
check "100x30: the summary: version, cipher, verdict" \
    wait_for '^ TLS  TLS1\.2  TLS_ECDHE_[A-Z0-9_]+  (✔|OK) VERIFIED'
check "100x30: offered 1.3 and 1.2, the server chose 1.2" \
    wait_for 'offered TLS1\.3, TLS1\.2 → chose'
check "100x30: the chosen version after the arrow" \
    wait_for '^ +TLS1\.2  \(F8: full panel\)|chose TLS1\.2'
# row ERE N: screen row N (1-based) matches
row() { screen | sed -n "$2p" | grep -Eq -- "$1"; }
check "100x30: the summary's two rows right above the status bar" \
    row '^ TLS  TLS1\.2' 27
check "100x30: the status bar on the row before the command line" \
    row 'SMTP +TLS +VERIFIED' 29
keys F8
check "F8: the full panel below the transcript" wait_for '── TLS panel'
check "F8: the panel opens on the TLS facts" \
    wait_for '^Channel$'
check "F8: the summary is gone with the panel shown" \
    lacks_now '\(F8: full panel\)'
check "F8: the transcript stays" wait_for 'S: +220 2\.0\.0 Ready to start TLS'
check "the panel's first lines: offered against chosen" \
    wait_for 'offered +TLS1\.3, TLS1\.2 → TLS1\.2'
check "the panel's first lines: suites and groups counted" \
    wait_for '[0-9]+ cipher suites, [0-9]+ groups'
keys F6 F6
keys End
check "the panel's timeline, at its end" wait_for 'ms Finished received'
keys Escape
line ':reconnect'
check "a new connection: greeted again" \
    wait_for 'connected to 127\.0\.0\.1 port [0-9]+ from'
check "a new connection: in plaintext" wait_for '^  PLAINTEXT$'
check "a new connection: the last handshake's steps are gone" \
    lacks_now 'Handshake steps|Finished received'
keys F8
check "F8 again: back to the summary" wait_for '\(F8: full panel\)'
check "F8 again: the panel is gone" lacks_now '── TLS panel'
tui_stop p

# --- tls12-only with a TLS 1.3-only hello: the failure names the offer ---
start 100 30 --tls-priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' --lab tls12-only
check "1.3 only: greeted" wait_for 'S: +220 lab\.mailscope\.test'
line 'EHLO projector.test'
line 'STARTTLS'
check "1.3 only: the failure says what was offered" \
    wait_for 'in common; offered: TLS1\.3\)'
check "1.3 only: the summary says it failed" wait_for '^ TLS  FAILED: '
tui_stop p

# --- 80x24: the summary in two rows, transcript and command line ---
start 80 24 --lab tls12-only
check "80x24: greeted" wait_for 'S: +220 lab\.mailscope\.test'
line 'EHLO projector.test'
line 'STARTTLS'
check "80x24: the summary's first row" \
    wait_for '^ TLS  TLS1\.2  TLS_ECDHE_[A-Z0-9_]+  (✔|OK) VERIFIED'
check "80x24: the summary's second row names F8" \
    wait_for '^ +.*\(F8: full panel\)'
check "80x24: the command line is there" wait_for '^smtp> *$'
check "80x24: the transcript is there" wait_for 'C: +STARTTLS'
tui_stop p

# --- 200x60: the panel beside the transcript, no summary ---
start 200 60 --lab tls12-only
check "200x60: greeted" wait_for 'S: +220 lab\.mailscope\.test'
line 'EHLO projector.test'
line 'STARTTLS'
check "200x60: the panel beside the transcript" wait_for '│  TLS panel'
check "200x60: its first lines say what was offered" \
    wait_for 'offered +TLS1\.3, TLS1\.2 → TLS1\.2'
check "200x60: no compact summary" lacks_now '\(F8: full panel\)'
check "200x60: the lab box first when beside" wait_for '│ Lab'
tui_stop p

# --- --present: no timestamps, room around STARTTLS, the lines lit ---
# The colour of a line, as capture-pane -e gives it: the SGR before it.
sgr() { _tui capture-pane -p -e -t p | grep -a -- "$1" | head -n 1; }
start 100 30 --present --lab
check "present: greeted, no timestamp before S:" \
    wait_for '^S: +220 lab\.mailscope\.test'
check "present: the status bar says PRESENT" wait_for ' PRESENT '
line 'EHLO projector.test'
check "present: the EHLO reply" wait_for 'S: +250 '
plain=$(sgr '250-PIPELINING')
offer=$(sgr '250-STARTTLS')
case $offer in
*'[102m'*|*'[42m'*|*';102m'*|*';42m'*)
	pass "present: 250-STARTTLS on the offer's slot (green ground)" ;;
*)	fail "present: 250-STARTTLS not highlighted: $(printf %s "$offer" |
	    od -c | head -n 3)" ;;
esac
case $plain in
*'[102m'*|*';102m'*)
	fail "present: 250-PIPELINING highlighted too" ;;
*)	pass "present: 250-PIPELINING keeps the server's colour" ;;
esac
# The S: before it as bright as the line, not the dark grey of a marker.
case $(printf %s "$plain" | sed 's/S:.*//') in
*'[90m'*|*';90m'*) fail "present: S: in dark grey on the projector" ;;
*)	pass "present: S: drawn as bright as its line" ;;
esac
line 'STARTTLS'
check "present: TLS up" wait_for '─ TLS established: '
go=$(sgr 'Ready to start TLS')
case $go in
*'[106m'*|*';106m'*) pass "present: the go-ahead on its slot (cyan ground)" ;;
*)	fail "present: the go-ahead not highlighted" ;;
esac
check "present: an empty row between the go-ahead and the boundary" \
    sh -c 'awk "/Ready to start TLS/ { getline; ok = \$0 !~ /[^ ]/ }
    END { exit !ok }" "$1"' sh "$T/p.screen"
check "present: an empty row after the boundary" \
    sh -c 'awk "/TLS established/ { r = NR } r && NR > r && NR <= r + 2 &&
    \$0 !~ /[^ ]/ { ok = 1 } END { exit !ok }" "$1"' sh "$T/p.screen"
line ':present off'
check ":present off: the badge goes" wait_for 'present off'
check ":present off: timestamps are back" \
    wait_for '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} S: +220 '
tui_stop p

# --- present with mono and high-contrast: the offer still stands out ---
for th in mono high-contrast; do
	start 100 30 --present --theme "$th" --lab
	check "present $th: greeted" wait_for '^S: +220 lab\.mailscope\.test'
	line 'EHLO projector.test'
	check "present $th: the EHLO reply" wait_for 'S: +250 '
	a=$(sgr '250-STARTTLS' | sed 's/250-STARTTLS.*//')
	b=$(sgr '250-PIPELINING' | sed 's/250-PIPELINING.*//')
	if [ -n "$a" ] && [ "$a" != "$b" ]; then
		pass "present $th: 250-STARTTLS drawn unlike its neighbours"
	else
		fail "present $th: 250-STARTTLS looks like 250-PIPELINING"
	fi
	tui_stop p
done

# --- slow: the greeting as it arrives, marked incomplete ---
rm -f "$T/slow.jsonl"
start 100 30 --record "$T/slow.jsonl" --lab slow
check "slow: the line shows while it arrives, marked incomplete" \
    wait_for 'S: +220 lab.* (…|\.\.\.) incomplete \([0-9]+ bytes so far\)'
# incomplete_counted: one screen with the line incomplete and its bytes
# counted in the status bar.
incomplete_counted() {
	screen > "$T/slow.screen"
	grep -q 'incomplete (' "$T/slow.screen" &&
	    grep -Eq ' in [1-9][0-9]*B out 0B ' "$T/slow.screen"
}
check "slow: the status bar counts the bytes while they arrive" \
    incomplete_counted
check "slow: replaced by the full line when it ends" \
    wait_for 'S: +220 lab\.mailscope\.test ESMTP mailscope-lab \(scenario slow\)$'
check "slow: the incomplete mark is gone" lacks_now 'incomplete \('
check "slow: one row for the greeting" \
    test "$(rows 'S: +220 lab')" -eq 1
keys C-d
check "slow: ended" wait_for 'MAILSCOPE-EXIT='
# The recording holds exactly the lines: the greeting whole, once, then
# QUIT and its reply; the bytes shown while arriving are in no event.
n=$(python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
print("|".join(e["dir"][0] + ":" + e.get("text", "") for e in ls
    if e.get("kind") == "data"))' "$T/slow.jsonl")
check "slow: the recording holds the lines as they ended" test "$n" = \
    "s:220 lab.mailscope.test ESMTP mailscope-lab (scenario slow)|c:QUIT|s:221 2.0.0 Bye"
tui_stop p
