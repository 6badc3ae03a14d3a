#!/bin/sh
# SPDX-License-Identifier: ISC
# Memory stays bounded whatever a server or a file sends.  The screen
# keeps every event up to MAILSCOPE_LOG_MAX MiB, then ends the connection
# with a message (what it holds stays readable and recorded); recordings
# are read a bounded line at a time, so a huge line is a bad line, not a
# huge allocation.  Peak memory is read from /proc (VmHWM), never timed.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
LIMIT=16	# MiB kept by the screen in this test
BOUND=48	# MiB of peak RSS allowed: the limit plus the program itself

# hwm PID: peak resident set of a running process, in MiB.
hwm() {
	awk '/^VmHWM:/ { print int($2 / 1024) }' "/proc/$1/status" 2> /dev/null
}

# An idle session fed endless unsolicited lines: about 120 MB of them.
printf '%s\n' 'send 220 flood.test ESMTP\r\n' \
    'sendrepeat 1500000 250-an unsolicited line nobody asked for, again and again 0123456789\r\n' \
    > "$T/flood.case"
rm -f "$T/flood.jsonl"
fake_start flood "$T/flood.case" --max-seconds 60
tui_start mem 120 30 env LANG=C.UTF-8 MAILSCOPE_LOG_MAX=$LIMIT \
    XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config" \
    "$MS" --record "$T/flood.jsonl" "smtp://127.0.0.1:$FAKE_PORT"
pid=$(_tui display-message -p -t mem '#{pane_pid}')
if tui_wait mem "transcript reached $LIMIT MiB" 60; then
	pass "flood: the screen ends the connection at the limit"
else
	fail "flood: no message about the limit"
	tail -n 5 "$T/mem.screen"
fi
peak=$(hwm "$pid")
echo "# flood: peak RSS ${peak:-?} MiB with MAILSCOPE_LOG_MAX=$LIMIT"
[ -n "$peak" ] && [ "$peak" -lt "$BOUND" ] &&
    pass "flood: peak RSS $peak MiB < $BOUND MiB" ||
    fail "flood: peak RSS ${peak:-unknown} MiB, bound $BOUND MiB"
contains "$T/mem.screen" 'MAILSCOPE_LOG_MAX' "flood: the message names the setting"
tui_line mem ':quit'
tui_wait mem 'Pane is dead' 10
tui_stop mem
fake_wait 10
contains "$T/flood.jsonl" '"kind":"close".*transcript reached' \
    "flood: the recording says why the connection ended"
contains "$T/flood.jsonl" '"reason":' "flood: the recording has its trailer"
n=$(grep -c 'unsolicited line nobody asked' "$T/flood.jsonl")
[ "$n" -gt 1000 ] && pass "flood: the recording keeps the lines received ($n)" ||
    fail "flood: the recording holds $n lines"

# A recording with a 256 MiB line: a bad line, loading stops there.  The
# quick loop writes 80 MiB: still more than the 64 MiB peak allowed, so a
# reader that held the line would fail the same check.
mib=256
[ -n "${MAILSCOPE_QUICK:-}" ] && mib=80
f=$T/hugeline.jsonl
head -n 3 "$TOP/tests/data/session.jsonl" > "$f"
{ printf '{"seq":2,"t":0.1,"kind":"data","dir":"server","chan":"plain","len":1,"text":"'
  head -c $((mib * 1048576)) /dev/zero | tr '\0' 'x'
  printf '"}\n'; } >> "$f"
tail -n +4 "$TOP/tests/data/session.jsonl" >> "$f"
/usr/bin/time -f '%M' -o "$T/export.rss" "$MS" export "$f" > "$T/huge.txt" 2> "$T/huge.err"
rc=$?
[ "$rc" -eq 0 ] && pass "huge line: export exits 0 with what it read" ||
    fail "huge line: export exit $rc"
contains "$T/huge.err" '^mailscope export: line 4: longer than 16 MiB' \
    "huge line: export names the line and why"
contains "$T/huge.txt" 'could not be read past this point: line 4' \
    "huge line: the export says where it stopped"
kb=$(tail -n 1 "$T/export.rss")
echo "# huge line: export peak RSS $((kb / 1024)) MiB"
[ "$((kb / 1024))" -lt 64 ] && pass "huge line: export peak RSS $((kb / 1024)) MiB < 64 MiB" ||
    fail "huge line: export peak RSS $((kb / 1024)) MiB"

# replay loads the same way (it needs a terminal: in tmux).
tui_start rp 120 30 env LANG=C.UTF-8 XDG_STATE_HOME="$T/state" \
    XDG_CONFIG_HOME="$T/config" "$MS" replay "$f"
rpid=$(_tui display-message -p -t rp '#{pane_pid}')
tui_wait rp 'line 4: longer than 16 MiB' 30 &&
    pass "huge line: replay names the line" ||
    fail "huge line: replay does not name the line"
peak=$(hwm "$rpid")
echo "# huge line: replay peak RSS ${peak:-?} MiB"
[ -n "$peak" ] && [ "$peak" -lt 64 ] &&
    pass "huge line: replay peak RSS $peak MiB < 64 MiB" ||
    fail "huge line: replay peak RSS ${peak:-unknown} MiB"
tui_stop rp
rm -f "$f"

# A recording with more events than the limit: loading stops at the line
# that would pass it, and says so.
MAILSCOPE_LOG_MAX=4 /usr/bin/time -f '%M' -o "$T/big.rss" "$MS" export \
    "$T/flood.jsonl" > "$T/big.txt" 2> "$T/big.err"
contains "$T/big.err" '^mailscope export: line [0-9]+: the events before it fill 4 MiB, the most kept in memory \(MAILSCOPE_LOG_MAX\)' \
    "big recording: export stops at the limit and says so"
contains "$T/big.txt" 'could not be read past this point: line [0-9]+: the events before it fill 4 MiB' \
    "big recording: the export says where it stopped"
kb=$(tail -n 1 "$T/big.rss")
echo "# big recording: export peak RSS $((kb / 1024)) MiB with MAILSCOPE_LOG_MAX=4"
[ "$((kb / 1024))" -lt 40 ] && pass "big recording: export peak RSS $((kb / 1024)) MiB < 40 MiB" ||
    fail "big recording: export peak RSS $((kb / 1024)) MiB"
