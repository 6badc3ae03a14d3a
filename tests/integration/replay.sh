#!/bin/sh
# SPDX-License-Identifier: ISC
# Recording, annotation and replay end to end: a session against the lab
# recorded in batch mode, replayed in tmux (steps, the STARTTLS boundary in
# the TLS panel, marks, notes, :save), a truncated recording, and the live
# inspector's --record, :record, RECORDING STOPPED, `n` on a selected line
# and SIGTERM.  The TUI runs from the ASan build when there is one.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
UI=$MAILSCOPE
[ -x "$ASAN_MAILSCOPE" ] && UI=$ASAN_MAILSCOPE
rm -rf "$T/lab" "$T"/*.jsonl "$T"/*.err
ENV="env LANG=C.UTF-8 TERM=tmux-256color XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config"

"$MS" lab --keep-certs "$T/lab" > "$T/lab.out" 2>&1 &
lab=$!
trap 'kill $lab 2>/dev/null; lib_cleanup' EXIT
for i in $(seq 100); do grep -q submission "$T/lab.out" && break; sleep 0.1; done
port=$(sed -n 's/.*submission *127.0.0.1:\([0-9]*\).*/\1/p' "$T/lab.out")
URL=smtp://127.0.0.1:$port
CA=$T/lab/ca.pem
# A session that lives as long as the test keeps the tmux server up
# between the sessions under test.
tui_start keep 20 5 "sleep 600"

# --- a recording to replay -------------------------------------------------
printf 'EHLO replay.test\nNOOP\nQUIT\n' > "$T/script"
expect_exit 0 "batch session against the lab recorded" \
    "$MS" --batch --starttls --cafile "$CA" --script "$T/script" \
    --record "$T/rec.jsonl" "$URL"
contains "$T/rec.jsonl" '"reason":"quit"' "the recording has its trailer"
N=$(($(wc -l < "$T/rec.jsonl") - 2))
# Event seq s is on line s+2; after it the replay shows s+1 events.
K=$(($(grep -n '"kind":"tls-established"' "$T/rec.jsonl" | cut -d: -f1) - 1))

# --- replay: steps and the STARTTLS boundary ---------------------------------
tui_start rp 130 40 "$ENV $UI replay $T/rec.jsonl 2> $T/rp.err"
if tui_wait rp "REPLAY 1/$N "; then
	pass "replay opens on the first of $N events"
else
	fail "replay opens on the first of $N events"
fi
contains "$T/rp.screen" "not connected" "before the connect event the TLS panel says not connected"
# Speed, then playing at it to the end; Home and Space come back to 1.
tui_keys rp +
tui_keys rp +
tui_wait rp "REPLAY 1/$N .* x4 " && pass "+ twice plays four times faster" ||
    fail "+ twice plays four times faster"
tui_keys rp -
tui_wait rp "REPLAY 1/$N .* x2 " && pass "- halves the speed" ||
    fail "- halves the speed"
tui_keys rp p
tui_wait rp "end of the recording" && pass "p plays the recording to its end" ||
    fail "p plays the recording to its end"
# The message and the status bar are one frame, but a capture can fall
# between the rows tmux has redrawn: wait for the bar too.
tui_wait rp "REPLAY $N/$N " && pass "playing stopped at the last event" ||
    fail "playing stopped at the last event"
tui_keys rp Home
tui_keys rp Space
tui_wait rp "REPLAY 1/$N " || fail "Home and Space come back to event 1"
i=1
while [ $i -lt $((K - 1)) ]; do
	tui_keys rp Space
	i=$((i + 1))
done
tui_wait rp "REPLAY $((K - 1))/$N " || fail "stepping with Space to event $((K - 1))"
contains "$T/rp.screen" "HANDSHAKE in progress" "just before the boundary the panel shows the handshake"
lacks "$T/rp.screen" "Version +TLS1\.3" "just before the boundary no TLS version is shown"
contains "$T/rp.screen" " HANDSHAKE " "just before the boundary the status bar says HANDSHAKE"
tui_keys rp Space
tui_wait rp "REPLAY $K/$N " || fail "one more Space reaches event $K"
contains "$T/rp.screen" "Version +TLS1\.3" "at the boundary the TLS panel shows TLS1.3"
contains "$T/rp.screen" "(✔|OK) VERIFIED *$" "at the boundary the TLS panel shows the verdict"
contains "$T/rp.screen" " TLS .* VERIFIED " "at the boundary the status bar shows TLS and VERIFIED"

# --- marks, stepping back, notes, :save ------------------------------------
tui_line rp ":mark tls-up"
tui_wait rp "mark tls-up added" || fail ":mark in replay"
tui_keys rp Home
if tui_wait rp "REPLAY 0/$((N + 1)) .*"; then
	pass "Home goes to the start (the mark is one more event)"
else
	fail "Home goes to the start (the mark is one more event)"
fi
tui_keys rp "'"
if tui_wait rp "REPLAY $((K + 1))/$((N + 1)) "; then
	pass "' jumps to the mark"
else
	fail "' jumps to the mark"
fi
contains "$T/rp.screen" ">>.*mark tls-up" "the mark shows in the transcript"
contains "$T/rp.screen" "Version +TLS1\.3" "at the mark the TLS panel shows TLS"
tui_keys rp BSpace
tui_keys rp BSpace
if tui_wait rp "REPLAY $((K - 1))/$((N + 1)) "; then
	pass "Backspace steps back"
else
	fail "Backspace steps back"
fi
contains "$T/rp.screen" "HANDSHAKE in progress" "stepping back over the boundary shows the handshake again"
lacks "$T/rp.screen" "Version +TLS1\.3" "stepping back over the boundary drops the TLS facts"
tui_line rp ":starttls"
tui_wait rp "read-only replay" && pass "live commands are refused in a replay" ||
    fail "live commands are refused in a replay"
tui_line rp ":note the handshake starts here"
tui_wait rp "##.*the handshake starts here" && pass "a note shows inline in the replay" ||
    fail "a note shows inline in the replay"
tui_line rp ":save $T/rec.jsonl"
tui_wait rp "exists; give a new file name" && pass ":save refuses to overwrite the original" ||
    fail ":save refuses to overwrite the original"
tui_line rp ":save $T/annotated.jsonl"
tui_wait rp "saved $((N + 2)) events" && pass ":save writes a new file" ||
    fail ":save writes a new file"
tui_keys rp End
tui_wait rp "REPLAY $((N + 2))/$((N + 2)) " && pass "End shows the last event" ||
    fail "End shows the last event"
contains "$T/rp.screen" " CLOSED " "at the end the status bar says CLOSED"
# The note went in before the mark: the mark is now event K+2.
tui_keys rp '"'
tui_wait rp "REPLAY $((K + 2))/$((N + 2)) " && pass '" jumps back to the previous mark' ||
    fail '" jumps back to the previous mark'
tui_line rp ":quit"
rc=$(tui_wait_exit rp)
[ "$rc" = 0 ] && pass ":quit leaves the replay with 0" ||
    fail ":quit leaves the replay with 0 (got '$rc')"
tui_stop rp
"$MS" export --format txt "$T/annotated.jsonl" > "$T/annotated.txt" 2>&1
contains "$T/annotated.txt" "^# the handshake starts here" "the export shows the note as a # line"
contains "$T/annotated.txt" "^# mark: tls-up" "the export shows the mark"
contains "$T/annotated.jsonl" '"reason":"quit"' "the saved file keeps the original trailer reason"

# --- a truncated recording and one with no header ----------------------------
cut=$(($(head -n 9 "$T/rec.jsonl" | wc -c) + 20))
head -c "$cut" "$T/rec.jsonl" > "$T/cut.jsonl"
tui_start cut 130 40 "$ENV $UI replay $T/cut.jsonl 2> $T/cut.err"
if tui_wait cut "REPLAY 1/8 "; then
	pass "a truncated recording replays the 8 events before the cut"
else
	fail "a truncated recording replays the 8 events before the cut"
fi
contains "$T/cut.screen" "CUT: line 10" "the status bar says loading stopped at line 10"
contains "$T/cut.screen" "loading stopped at line 10" "the message says at which line loading stopped"
tui_keys cut End
tui_wait cut "REPLAY 8/8 " && pass "the truncated replay steps to its last event" ||
    fail "the truncated replay steps to its last event"
tui_keys cut C-d
tui_stop cut
echo 'not a recording' > "$T/bad.jsonl"
expect_exit 1 "a file with no header is an error (exit 1)" \
    "$MS" replay "$T/bad.jsonl"
contains "$T/last.out" "line 1" "the error says which line"

# --- live: --record, n on a selected line, :mark, Ctrl-D ------------------
tui_start live 130 40 "$ENV $UI --cafile $CA --record $T/live.jsonl $URL 2> $T/live.err"
tui_wait live "220 lab.mailscope.test" || fail "live session greeted"
tui_line live "EHLO live.test"
tui_wait live "Hello live.test" || fail "live EHLO answered"
contains "$T/live.screen" "REC " "the status bar shows the recording indicator"
tui_keys live Tab
tui_keys live Up
tui_keys live Up
tui_keys live n
tui_wait live ":note on #[0-9]+:" && pass "n on a selected line opens a note about it" ||
    fail "n on a selected line opens a note about it"
tui_line live "see this line"
tui_wait live "##.*on #[0-9]+: see this line" && pass "the note shows inline" ||
    fail "the note shows inline"
# A click on a line (SGR mouse, press and release) selects it for n.
row=$(grep -n "Hello live.test" "$T/live.screen" | head -n 1 | cut -d: -f1)
seq=$(sed -n 's/^{"seq":\([0-9]*\),.*Hello live\.test.*/\1/p' "$T/live.jsonl")
tui_keys live -H 1b 5b 3c 30 3b 33 30 3b $(printf '%s' "$row" | od -An -tx1) 4d
tui_keys live -H 1b 5b 3c 30 3b 33 30 3b $(printf '%s' "$row" | od -An -tx1) 6d
tui_keys live n
tui_wait live ":note on #$seq:" && pass "n on a clicked line opens a note about it (#$seq)" ||
    fail "n on a clicked line opens a note about it (#$seq)"
tui_line live "clicked"
tui_line live ":mark here"
tui_keys live C-d
rc=$(tui_wait_exit live)
[ "$rc" = 0 ] && pass "Ctrl-D leaves the live session with 0" ||
    fail "Ctrl-D leaves the live session with 0 (got '$rc')"
tui_stop live
contains "$T/live.jsonl" '"kind":"note".*"text":"on #[0-9]+: see this line"' "the note is an event in the recording"
contains "$T/live.jsonl" "\"kind\":\"note\".*\"text\":\"on #$seq: clicked\"" "the note on the clicked line is in the recording"
contains "$T/live.jsonl" '"kind":"mark".*"text":"here"' "the mark is an event in the recording"
contains "$T/live.jsonl" '"reason":"quit"' "the live recording ends with reason quit"

# --- live: :record mid-session -------------------------------------------
tui_start mid 130 40 "$ENV $UI --cafile $CA $URL 2> $T/mid.err"
tui_wait mid "220 lab.mailscope.test" || fail "second live session greeted"
lacks "$T/mid.screen" "REC " "no indicator before :record"
tui_line mid ":record $T/mid.jsonl"
tui_wait mid "recording into .*mid.jsonl" || fail ":record starts"
contains "$T/mid.screen" "REC " "the status bar shows the indicator after :record"
tui_line mid "NOOP"
tui_wait mid "250 2.0.0 Ok" || fail "NOOP answered"
tui_line mid ":record"
tui_wait mid "recording into .* ended" && pass ":record alone stops the recording" ||
    fail ":record alone stops the recording"
tui_keys mid C-d
tui_wait_exit mid > /dev/null
tui_stop mid
"$MS" export --format txt "$T/mid.jsonl" > "$T/mid.txt" 2>&1
contains "$T/mid.txt" "<- 220 lab.mailscope.test" "a recording started mid-session holds the greeting"
contains "$T/mid.txt" "-> NOOP" "and what came after :record"
contains "$T/mid.jsonl" '^\{"seq":0,' "it starts with event 0"

# --- live: the disk fills up -------------------------------------------
# A 1 KiB file size limit: the header fits, the session does not.
tui_start full 130 40 "ulimit -f 1; $ENV $UI --cafile $CA --record $T/full.jsonl $URL 2> $T/full.err"
tui_wait full "220 lab.mailscope.test" || fail "fourth live session greeted"
# The limit may already be hit by the greeting; a key would then dismiss
# the message before it is read.
if ! tui_wait full "RECORDING STOPPED: File too large" 2; then
	tui_line full "EHLO full.test"
fi
tui_wait full "RECORDING STOPPED" && pass "a write error shows RECORDING STOPPED" ||
    fail "a write error shows RECORDING STOPPED"
# The status bar may be drawn a frame before the message line.
tui_wait full "RECORDING STOPPED: File too large" 5 || true
contains "$T/full.screen" "RECORDING STOPPED: File too large" "with the reason"
contains "$T/full.screen" " RECORDING STOPPED .* in " "the status bar indicator changes"
tui_line full "NOOP"
tui_wait full "250 2.0.0 Ok" && pass "the session goes on after the recording stopped" ||
    fail "the session goes on after the recording stopped"
tui_keys full C-d
tui_stop full

# --- the trailer's other reasons: server closed, error ----------------------
cat > "$T/close.case" << 'EOF2'
send 220 fake.test ESMTP\r\n
expect ^EHLO
send 250 fake.test\r\n
expect ^NOOP
close
EOF2
# The close comes once NOOP was read whole: a FIN the client sees while
# it waits for the reply, never a reset.
fake_start close "$T/close.case" --connections 2 ||
    fail "the closing fake server started"
"$MS" --batch --record "$T/closed.jsonl" -c "EHLO closed.test" -c NOOP \
    "smtp://127.0.0.1:$FAKE_PORT" > "$T/closed.out" 2>&1
contains "$T/closed.out" "the server closed the connection" "batch: the server closed"
contains "$T/closed.jsonl" '"reason":"server closed"' "batch: the trailer's reason is server closed"
tui_start closed 130 40 "$ENV $UI --record $T/closed-tui.jsonl smtp://127.0.0.1:$FAKE_PORT 2> $T/closed.err"
tui_wait closed "220 fake.test" || fail "closing server greeted"
tui_line closed "EHLO closed.test"
tui_wait closed "250 fake.test" || fail "closing server answered EHLO"
tui_line closed "NOOP"
tui_wait closed "the server closed the connection" ||
    fail "the screen says the server closed"
tui_keys closed C-d
tui_wait_exit closed > /dev/null
tui_stop closed
fake_wait
contains "$T/closed-tui.jsonl" '"reason":"server closed"' "screen: the trailer's reason is server closed"
# Nothing listens on the fake server's port any more.
"$MS" --batch --record "$T/refused.jsonl" "smtp://127.0.0.1:$FAKE_PORT" \
    > /dev/null 2>&1
contains "$T/refused.jsonl" '"reason":"error"' "a failed connection ends the recording with reason error"

# --- live: SIGTERM closes the recording and the terminal ------------------
tui_start sig 130 40 "exec $ENV $UI --cafile $CA --record $T/sig.jsonl $URL 2> $T/sig.err"
tui_wait sig "220 lab.mailscope.test" || fail "third live session greeted"
pid=$(_tui display-message -p -t sig '#{pane_pid}')
kill -TERM "$pid"
rc=$(tui_wait_exit sig)
[ "$rc" = 143 ] && pass "SIGTERM: exit 143" || fail "SIGTERM: exit 143 (got '$rc')"
contains "$T/sig.jsonl" '"reason":"signal"' "SIGTERM ends the recording with reason signal"
tui_stop sig

# --- two recordings in one file (--record appends) ------------------------
for h in first.test second.test; do
	"$MS" --batch --cafile "$CA" -c "EHLO $h" --record "$T/two.jsonl" \
	    "$URL" < /dev/null > /dev/null 2>&1
done
tui_start two 130 40 "exec $ENV $UI replay --session 2 $T/two.jsonl 2> $T/two.err"
if tui_wait two "holds 2 recordings: this is number 2"; then
	pass "replay --session 2: the message says which recording this is"
else
	fail "replay --session 2: the message says which recording this is"
fi
_tui send-keys -t two End
if tui_wait two "EHLO second\.test"; then
	pass "replay --session 2: the second session is shown"
else
	fail "replay --session 2: the second session is shown"
fi
lacks "$T/two.screen" "first\.test" "replay --session 2: not the first"
_tui send-keys -t two q
tui_stop two

# A stored format-1 recording replays, its lines classified again by the
# engine on the way in.
tui_start v1 130 60 "exec $ENV $UI replay $TOP/tests/data/v1-smtp.jsonl 2> $T/v1.err"
_tui send-keys -t v1 End
if tui_wait v1 "closed after QUIT"; then
	pass "format 1: replay plays to the end"
else
	fail "format 1: replay plays to the end"
fi
contains "$T/v1.screen" "Capabilities after STARTTLS" \
    "format 1: the TLS panel shows the recorded difference"
# The engine rebuilt the capability lists the recording never held.
contains "$T/v1.screen" "Capabilities \(inside TLS\)" \
    "format 1: the TLS panel shows the last list, from inside TLS"
_tui send-keys -t v1 q
tui_stop v1

# --- live and replay: the same facts by construction ---------------------
# A live session recorded up to a point, then that recording replayed to
# its end: the TLS panel and the status bar's facts read the same, since
# both come from the events folded by one digest.
tui_start same 130 50 "exec $ENV $UI --cafile $CA --record $T/same.jsonl $URL 2> $T/same.err"
tui_wait same "220 lab.mailscope.test" || fail "live and replay: greeted"
for c in "EHLO same.test" STARTTLS "EHLO same.test"; do
	tui_line same "$c"
	sleep 0.5
done
tui_wait same "Capabilities after STARTTLS" ||
    fail "live and replay: the live session reached TLS"
# The tickets of TLS 1.3 arrive after the handshake: let them.
sleep 1
tui_line same ":record"
tui_wait same "recording into .* ended" ||
    fail "live and replay: :record stops the recording"
cp "$T/same.screen" "$T/same-live.screen"
tui_keys same C-d
tui_stop same
n=$(($(wc -l < "$T/same.jsonl") - 2))
tui_start samer 130 50 "exec $ENV $UI replay $T/same.jsonl 2> $T/samer.err"
_tui send-keys -t samer End
tui_wait samer "REPLAY $n/$n " || fail "live and replay: replayed to the end"
cp "$T/samer.screen" "$T/same-replay.screen"
_tui send-keys -t samer q
tui_stop samer
# The panel: the right of the divider; the handshake's milliseconds are
# left out (a recording keeps microseconds, the live log nanoseconds).
panel() {
	sed -n 's/^.*│//p' "$1" | sed -E 's/[-+] *[0-9]+\.[0-9] ms/N ms/'
}
# The status bar's facts: without the replay's position and the focus.
facts() {
	tail -n 2 "$1" | head -n 1 | sed -E 's/REPLAY [^ ]+ [^ ]+ x[0-9.]+//;
	    s/\[[a-z]+\]//; s/  +/ /g; s/ +$//'
}
panel "$T/same-live.screen" > "$T/same-live.panel"
# The live message line may cover the panel's last rows.
panel "$T/same-replay.screen" | head -n "$(wc -l < "$T/same-live.panel")" \
    > "$T/same-replay.panel"
if [ -s "$T/same-live.panel" ] &&
    cmp -s "$T/same-live.panel" "$T/same-replay.panel"; then
	pass "live and replay: the TLS panel reads the same"
else
	fail "live and replay: the TLS panel reads the same"
	diff "$T/same-live.panel" "$T/same-replay.panel" | head -n 10
fi
facts "$T/same-live.screen" > "$T/same-live.bar"
facts "$T/same-replay.screen" > "$T/same-replay.bar"
contains "$T/same-live.bar" " TLS VERIFIED .*in [0-9.]+[BKM] out" \
    "live and replay: the live status bar shows TLS, VERIFIED and bytes"
if cmp -s "$T/same-live.bar" "$T/same-replay.bar"; then
	pass "live and replay: the status bar's facts read the same"
else
	fail "live and replay: the status bar's facts read the same"
	cat "$T/same-live.bar" "$T/same-replay.bar"
fi

for f in rp cut live mid full closed sig two v1 same samer; do
	lacks "$T/$f.err" "AddressSanitizer|runtime error" "no sanitizer report ($f)"
done
