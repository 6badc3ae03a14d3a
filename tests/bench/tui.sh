#!/bin/sh
# SPDX-License-Identifier: ISC
# make bench, figures 3-5: the screen.  Run by tests/bench/run.sh as
#   sh tests/bench/tui.sh OUTDIR
# with stdout (and fd 3) going to its rows file; each row is
# "figure<TAB>tool<TAB>value<TAB>unit<TAB>note".  Progress goes to stderr.
#
# The real binary runs in a 200x60 tmux pane against tests/bench/
# tuiserver.py (SMTP on loopback) with MAILSCOPE_FRAMELOG set, so every
# frame it draws is timed from inside (tui/framelog.c):
#   3. rendering: HELP is answered with 1,000,000 lines; then Ctrl-L (full
#      redraw) and PgUp in the transcript, NOOP trickles lines one per
#      frame; the resident memory before and after the million lines.
#   4. idle cost: a connected session after the greeting: context
#      switches over 10 s, then strace for 10 s: system calls, and poll
#      calls that returned on their timeout (timer wakeups).
#   5. start-up: exec to the first frame drawn.
#   MAILSCOPE_BENCH_TUI_LINES   lines of the big reply (default 1000000)
#   MAILSCOPE_BENCH_TUI_RUNS    samples per figure (default 30)
set -u
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
out=${1:-$TOP/tests/out/bench}/tui
rm -rf "$out"
mkdir -p "$out"
# The tmux helpers of tests/lib.sh, with the files in the bench output.
cp "$T/tmux.conf" "$out/tmux.conf"
T=$out
lines=${MAILSCOPE_BENCH_TUI_LINES:-1000000}
runs=${MAILSCOPE_BENCH_TUI_RUNS:-30}
W=200
H=60

say() {
	echo "bench tui: $*" >&2
}

row() {	# figure, value, unit, note
	printf '%s\tmailscope\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >&3
}

# verdict VALUE LIMIT: "met" or "MISSED" for a value that must not exceed
# LIMIT.
verdict() {
	python3 -c 'import sys; print("met" if float(sys.argv[1]) <= float(sys.argv[2]) else "MISSED")' "$1" "$2" 2> /dev/null || echo MISSED
}

# frames FROM CAUSE: render_us of the frame-log lines after line FROM
# whose causes include CAUSE, one per line.
frames() {
	awk -v from="$1" -v cause="$2" 'NR > from && !/^#/ &&
	    index("," $3 ",", "," cause ",") { print $2 }' "$out/frames"
}

# median_ms: the median of microsecond values on stdin, in ms.
median_ms() {
	python3 -c 'import sys, statistics
v = [float(x) for x in sys.stdin.read().split()]
print("%.2f" % (statistics.median(v) / 1000) if v else "NA")'
}

nframes() {
	wc -l < "$out/frames"
}

# settle: wait until no frame has been drawn for half a second.
settle() {
	_n=-1
	while [ "$_n" != "$(nframes)" ]; do
		_n=$(nframes)
		sleep 0.5
	done
}

# ctxt PID: context switches so far, voluntary and not.
ctxt() {
	awk '/ctxt_switches:/ { n += $2 } END { print n }' "/proc/$1/status"
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

spid=
trap '[ -n "$spid" ] && kill "$spid" 2> /dev/null; lib_cleanup' EXIT INT TERM
for tool in tmux python3 strace; do
	if ! command -v $tool > /dev/null 2>&1; then
		say "$tool is missing: no TUI figures"
		exit 0
	fi
done
if [ ! -x "$MAILSCOPE" ]; then
	say "no binary at $MAILSCOPE (run make): no TUI figures"
	exit 0
fi

python3 tests/bench/tuiserver.py --ready "$out/port" --lines "$lines" \
    > "$out/server.log" 2>&1 &
spid=$!
i=100
while [ ! -s "$out/port" ] && [ $i -gt 0 ]; do
	sleep 0.05
	i=$((i - 1))
done
if [ ! -s "$out/port" ]; then
	say "the bench server did not start (see $out/server.log)"
	exit 0
fi
url=smtp://127.0.0.1:$(cat "$out/port")

# launch NAME [ENV...]: mailscope in a W x H pane with a private history
# and config.  A launcher notes CLOCK_MONOTONIC and its pid (kept through
# exec) in $out/NAME.stamp just before it becomes mailscope.
launch() {
	_n=$1
	shift
	rm -f "$out/$_n.stamp"
	tui_stop "$_n"
	tui_start "$_n" "$W" "$H" env LANG=C.UTF-8 \
	    XDG_STATE_HOME="$out/state" XDG_CONFIG_HOME="$out/config" "$@" \
	    python3 -c 'import os, sys, time
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d %d\n" % (os.getpid(), time.monotonic_ns()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
os.execv(sys.argv[2], sys.argv[2:])' "$out/$_n.stamp" "$MAILSCOPE" "$url"
	_i=100
	while [ ! -s "$out/$_n.stamp" ] && [ $_i -gt 0 ]; do
		sleep 0.05
		_i=$((_i - 1))
	done
	read -r PID STAMP < "$out/$_n.stamp"
}

type_line() {
	tui_keys "$1" -l "$2"
	tui_keys "$1" Enter
}

# 3. Rendering.
say "rendering: $lines lines at ${W}x$H"
: > "$out/frames"
launch r MAILSCOPE_FRAMELOG="$out/frames"
if ! tui_wait r '220 bench.test' 10; then
	say "no greeting on the screen (see $out/r.screen)"
	exit 0
fi
settle
before=$(rss_kb "$PID")
from=$(nframes)
type_line r HELP
if ! tui_wait r '214 end' 600; then
	say "the $lines lines did not arrive (see $out/r.screen)"
	exit 0
fi
settle
after=$(rss_kb "$PID")
# Render time per line, and the span from the frame that showed HELP
# typed to the last frame of the reply.
awk -v from="$from" 'NR > from && !/^#/ {
	if (first == "") first = $4
	if (index("," $3 ",", ",event,")) { n++; sum += $2; last = $4 }
} END { printf "%.3f %d %.2f %.2f\n", sum / '"$lines"', n, sum / 1e6,
	(last - first) / 1e6 }' "$out/frames" > "$out/stream.txt"
read -r per_line nf render_s wall_s < "$out/stream.txt"
row "tui append, streaming ($lines lines, ${W}x$H)" "$per_line" "us/line" \
    "render time of the $nf frames drawn while the lines arrived / lines ($render_s s of the ${wall_s} s they took)"

from=$(nframes)
i=0
while [ $i -lt "$runs" ]; do
	tui_keys r C-l
	sleep 0.1
	i=$((i + 1))
done
settle
m=$(frames "$from" key | median_ms)
row "tui full redraw ($lines lines, ${W}x$H)" "$m" ms \
    "Ctrl-L, median of $runs; target <= 2 ms: $(verdict "$m" 2)"

tui_keys r Tab		# focus the transcript
settle
from=$(nframes)
i=0
while [ $i -lt "$runs" ]; do
	tui_keys r PPage
	sleep 0.1
	i=$((i + 1))
done
settle
m=$(frames "$from" key | median_ms)
row "tui page-up ($lines lines, ${W}x$H)" "$m" ms \
    "PgUp in the transcript, median of $runs; target <= 2 ms: $(verdict "$m" 2)"

tui_keys r End		# follow the end again
tui_keys r Escape	# back to the command line
settle
from=$(nframes)
type_line r NOOP
if tui_wait r '250 ok' 60; then
	settle
	m=$(frames "$from" event | median_ms)
	n=$(frames "$from" event | wc -l)
	row "tui frame per appended line ($lines lines, ${W}x$H)" "$m" ms \
	    "one line per frame, median of $n; target <= 2 ms: $(verdict "$m" 2)"
else
	say "the trickled lines did not arrive (see $out/r.screen)"
fi

mb=$(python3 -c "print('%.1f' % ($after / 1024))")
per=$(python3 -c "print('%.0f' % (($after - $before) * 1024 / $lines))")
row "tui resident memory ($lines lines)" "$mb" MB \
    "VmRSS; target <= 100 MB: $(verdict "$mb" 100)"
row "tui memory per transcript line" "$per" bytes \
    "(VmRSS after - before) / $lines; each line is 52 bytes on the wire"
tui_stop r

# 4. Idle cost.
say "idle: 10 s untraced, 10 s under strace"
launch i
if tui_wait i '220 bench.test' 10; then
	sleep 1
	# Wakeups untraced (ptrace stops would count), then the calls.
	cs0=$(ctxt "$PID")
	sleep 10
	cs1=$(ctxt "$PID")
	# Where it sleeps: poll (7 on x86-64) with timeout -1.
	read -r nr _ _ tmo _ < "/proc/$PID/syscall"
	case $nr.$tmo in
	7.0xffffffff) sleeps="asleep in poll() without a timeout" ;;
	*) sleeps="asleep in syscall $nr, argument 3 $tmo" ;;
	esac
	timeout -s INT 10 strace -f -tt -p "$PID" -o "$out/idle.strace" \
	    2> "$out/idle.strace.err"
	# Calls that completed while traced; the one it sleeps in when
	# strace attaches and detaches ends "<detached ...>".
	calls=$(grep -vE '(\+\+\+|---) |<detached \.\.\.>' \
	    "$out/idle.strace" | grep -c .)
	re=' (poll|ppoll|select|pselect6|epoll_wait|epoll_pwait)\('
	polls=$(grep -cE "$re" "$out/idle.strace")
	timeouts=$(grep -E "$re" "$out/idle.strace" | grep -c '= 0 (Timeout)')
	row "tui idle, connected (10 s)" "$calls" syscalls \
	    "strace -f; $((cs1 - cs0)) wakeups in another 10 s (context switches); $sleeps"
	if [ "$timeouts" -eq 0 ] && [ "$((cs1 - cs0))" -eq 0 ]; then
		v=met
	else
		v=MISSED
	fi
	row "tui idle timer wakeups (10 s)" "$timeouts" wakeups \
	    "poll calls of $polls that returned on their timeout; target 0: $v"
else
	say "no greeting on the screen (see $out/i.screen)"
fi
tui_stop i

# 5. Start-up: exec to the first frame, from the launcher's stamp.
say "start-up: $runs runs"
: > "$out/startup.us"
: > "$out/startup-main.us"
i=0
while [ $i -lt "$runs" ]; do
	: > "$out/frames"
	launch s MAILSCOPE_FRAMELOG="$out/frames"
	j=100
	while ! grep -qv '^#' "$out/frames" && [ $j -gt 0 ]; do
		sleep 0.05
		j=$((j - 1))
	done
	# since_us, mono_us of the first frame
	awk -v stamp="$STAMP" '!/^#/ {
		print int($4 - stamp / 1000) >> "'"$out/startup.us"'"
		print $1 >> "'"$out/startup-main.us"'"
		exit }' "$out/frames"
	tui_stop s
	i=$((i + 1))
done
m=$(median_ms < "$out/startup.us")
mm=$(median_ms < "$out/startup-main.us")
row "tui start-up (exec to first frame)" "$m" ms \
    "median of $runs; $mm ms of it from tui_main; no target"
exit 0
