#!/bin/sh
# make bench, the screen: what the TUI costs.  Prints rows for
# tests/bench/table.py (figure, tool, value, unit, note), tab-separated:
#   render  CPU per frame while paging through a 1,000,000-line transcript
#   idle    CPU used in 5 s of an idle session (no timers, no polling)
#   start   launch to the greeting on screen, through tmux
# $1 is the bench output directory.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
out=${1:-$T}
mkdir -p "$out"
ms=$MAILSCOPE
lines=1000000

# A server that answers BIG N with N lines, written at once.
cat > "$out/bigserver.py" <<'EOF'
import socket, sys
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(4)
with open(sys.argv[1], "w") as f:
    f.write(str(ls.getsockname()[1]))
while True:
    c, _ = ls.accept()
    f = c.makefile("rwb")
    f.write(b"220 bench ESMTP\r\n")
    f.flush()
    for l in f:
        v = l.split()
        if v and v[0].upper() == b"BIG":
            n = int(v[1])
            f.write(b"".join(b"250-bench line %d of the transcript\r\n" % i
                             for i in range(n)) + b"250 done\r\n")
        elif v and v[0].upper() == b"QUIT":
            f.write(b"221 bye\r\n")
            f.flush()
            break
        else:
            f.write(b"250 ok\r\n")
        f.flush()
    c.close()
EOF
rm -f "$out/bigserver.port"
python3 "$out/bigserver.py" "$out/bigserver.port" > /dev/null 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null; lib_cleanup' EXIT INT TERM
i=0
while [ ! -s "$out/bigserver.port" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
url=smtp://127.0.0.1:$(cat "$out/bigserver.port")

row() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"
}

# CPU time (utime + stime) of a process, in ms.
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%d\n", ($14 + $15) * 1000 / hz }' \
	    "/proc/$1/stat"
}

now_ms() {
	date +%s%3N
}

# Start-up: launch to the greeting on the screen (median of 5).
: > "$out/start.ms"
for n in 1 2 3 4 5; do
	t0=$(now_ms)
	tui_start b 120 40 env XDG_STATE_HOME="$out/state" "$ms" "$url"
	tui_wait b '220 bench ESMTP' 10 || break
	echo $(($(now_ms) - t0)) >> "$out/start.ms"
	tui_keys b C-d
	sleep 0.2
	tui_stop b
done
start=$(sort -n "$out/start.ms" | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : "NA" }')
row "TUI start-up to greeting" mailscope "$start" ms "through tmux, 50 ms polls"

# Idle and render: one session with a million lines in its transcript.
tui_start b 120 40 env XDG_STATE_HOME="$out/state" "$ms" "$url"
tui_wait b '220 bench ESMTP' 10
pid=$(_tui display-message -p -t b '#{pane_pid}')
tui_keys b -l "BIG $lines"
tui_keys b Enter
tui_wait b '250 done' 120
sleep 1
c0=$(cpu_ms "$pid")
sleep 5
c1=$(cpu_ms "$pid")
row "TUI idle, 5 s" mailscope "$((c1 - c0))" "ms CPU" \
    "$lines lines in the transcript"

pages=200
c0=$(cpu_ms "$pid")
i=0
while [ $i -lt $pages ]; do
	tui_keys b PPage
	sleep 0.02	# one frame per key, not one for a burst
	i=$((i + 1))
done
tui_wait b 'scrolled - End follows' 10
sleep 1
c1=$(cpu_ms "$pid")
per=$(python3 -c "print('%.2f' % (($c1 - $c0) / $pages))")
row "TUI frame while paging" mailscope "$per" "ms CPU" \
    "$lines-line transcript, $pages PgUp"
tui_keys b C-d
sleep 0.2
tui_stop b
exit 0
