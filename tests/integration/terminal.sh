#!/bin/sh
# SPDX-License-Identifier: ISC
# A dead terminal: the TUI runs on a pty that is not its controlling
# terminal (so no SIGHUP comes), and the other side closes.  Reads then
# fail for good; mailscope must leave and close its recording, not spin.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
cat > "$T/deadpty.py" << 'PY'
# deadpty.py SECONDS CMD...: run CMD on a fresh pty, read its screen for
# SECONDS, close the pty's master side, then wait up to 20 s.  Prints
# "exited N" or "still running" (and kills it).
import fcntl, os, pty, select, struct, subprocess, sys, termios, time
m, s = pty.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
p = subprocess.Popen(sys.argv[2:], stdin=s, stdout=s, stderr=s,
                     env=dict(os.environ, TERM="xterm-256color"))
os.close(s)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    if select.select([m], [], [], 0.1)[0]:
        try:
            os.read(m, 65536)
        except OSError:
            break
os.close(m)
try:
    print("exited", p.wait(timeout=20))
except subprocess.TimeoutExpired:
    print("still running")
    p.kill()
    p.wait()
PY

rm -f "$T/dead.jsonl"
python3 "$T/deadpty.py" 2 "$MS" --record "$T/dead.jsonl" --lab \
    > "$T/dead.out" 2>&1
contains "$T/dead.out" '^exited [0-9]+$' "dead terminal: mailscope leaves"
contains "$T/dead.jsonl" '^\{"kind":"trailer","end":' "dead terminal: the recording has its trailer"
contains "$T/dead.jsonl" '"reason":"terminal closed"' \
    "dead terminal: the trailer says the terminal closed"
contains "$T/dead.jsonl" '"kind":"info".*"text":"the terminal closed: leaving"' \
    "dead terminal: the recording says so where it happened"
contains "$T/dead.jsonl" '"dir":"client".*"text":"QUIT"' \
    "dead terminal: QUIT was still sent to the server"

# A crash (catalogue F5): the terminal is given back (no alternate screen,
# no mouse reporting, the cursor shown), the signal still ends mailscope,
# and the recording holds whole lines up to the crash.
rm -f "$T/crash.jsonl"
tui_start crash 100 30 sh -c 'export LANG=C.UTF-8; "$1" --lab --record "$2"; \
    echo "MAILSCOPE-EXIT=$?"; exec sleep 3600' sh "$MS" "$T/crash.jsonl"
if tui_wait crash 'S: +220 ' 15; then
	pass "crash: the TUI is up on the lab"
else
	fail "crash: the TUI is up on the lab"
fi
flags=$(_tui display-message -p -t crash '#{alternate_on} #{mouse_any_flag}')
[ "$flags" = "1 1" ] && pass "crash: before it, alternate screen and mouse on" ||
    fail "crash: before it, alternate screen and mouse on (got '$flags')"
pid=$(pgrep -P "$(_tui display-message -p -t crash '#{pane_pid}')" mailscope)
kill -SEGV "$pid"
if tui_wait crash '^MAILSCOPE-EXIT=139$' 10; then
	pass "crash: SIGSEGV still ends mailscope (exit 139)"
else
	fail "crash: SIGSEGV still ends mailscope (exit 139)"
fi
flags=$(_tui display-message -p -t crash '#{alternate_on} #{mouse_any_flag} #{cursor_flag}')
[ "$flags" = "0 0 1" ] &&
    pass "crash: the terminal is given back (main screen, no mouse, cursor)" ||
    fail "crash: the terminal is given back (got '$flags')"
if python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert ev[0]["mailscope"] == "recording"
assert any(e.get("text", "").startswith("220 ") for e in ev[1:])' \
    "$T/crash.jsonl"; then
	pass "crash: every line of the recording parses, the greeting is in it"
else
	fail "crash: the recording does not parse or misses the greeting"
fi
tui_stop crash
