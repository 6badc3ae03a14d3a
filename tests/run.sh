#!/bin/sh
# SPDX-License-Identifier: ISC
# Run every test and end with one line: "N passed, N failed".
#   run.sh           everything (make check)
#   run.sh --quick   unit tests and the suites that need no test server,
#                    no fuzzing (make test, the loop while working)
#
# Unit tests are cmocka programs, run twice: normal and under ASan+UBSan
# (under --quick once, ASan+UBSan: the same tests with more checks).
# Integration tests are tests/integration/*.sh; each prints one line per
# assertion, "PASS: what" or "FAIL: what", and gets the test servers'
# addresses from tests/out/servers/env (tests/servers/start.sh).  Under
# --quick they run side by side: they mostly wait (on timeouts, the lab,
# tmux), not compute.
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
out=tests/out
mkdir -p "$out"
. tests/pybin.sh

# run_suite SUITE: run one integration suite; its lines in $out/NAME.out,
# its exit status in NAME.rc, its wall time in seconds in NAME.secs.
run_suite() {
	_o=$out/$(basename "$1" .sh)
	rm -f "$_o.rc"
	_s=$(date +%s)
	timeout 900 sh "$1" > "$_o.out" 2>&1
	echo $? > "$_o.rc"
	echo $(($(date +%s) - _s)) > "$_o.secs"
}
if [ "${1:-}" = --suite ]; then
	run_suite "$2"
	exit 0
fi

quick=false
if [ "${1:-}" = --quick ]; then
	quick=true
	# Suites stop where they would need a test server.
	MAILSCOPE_QUICK=1
	export MAILSCOPE_QUICK
fi
passed=0
failed=0
log=$out/check.log
: > "$log"
# What this run writes is newer (the schema check reads only that).
touch "$out/run.stamp"

count() {
	# $1: file with cmocka or PASS/FAIL output
	set -- $(awk '/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
	    /^\[  FAILED  \] [0-9]+ test/ { f += $4 }
	    /^PASS: / { p++ } /^FAIL: / { f++ }
	    END { print p + 0, f + 0 }' "$1")
	passed=$((passed + $1))
	failed=$((failed + $2))
}

run_unit() {
	for t in $(find "$1/tests/unit" -name 'test_*' ! -name '*.o' | sort); do
		[ -x "$t" ] || continue
		o=$out/$(basename "$1")-$(basename "$t").out
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			timeout 600 "$t" > "$o" 2>&1
		rc=$?
		cat "$o" >> "$log"
		count "$o"
		if [ $rc -ne 0 ] && ! grep -q '^\[  FAILED  \]' "$o"; then
			echo "FAIL: $t exited $rc" | tee -a "$log"
			failed=$((failed + 1))
		fi
		printf '%-50s %s\n' "$t" "$(tail -n 1 "$o")"
	done
}

# The suites side by side under --quick, the longest of the last run
# first, while the unit tests run here.
if $quick; then
	for t in tests/integration/*.sh; do
		[ -f "$t" ] || continue
		_secs=$(cat "$out/$(basename "$t" .sh).secs" 2> /dev/null)
		echo "${_secs:-0} $t"
	done | sort -s -k1,1nr | cut -d' ' -f2 |
	    xargs -P 4 -n 1 sh "$0" --suite &
	pool=$!
fi

$quick || run_unit build
run_unit build-asan

# The arrows between the layers.
o=$out/layers.out
sh tools/layers.sh build > "$o" 2>&1
cat "$o" >> "$log"
count "$o"
grep '^FAIL: ' "$o"
printf '%-50s %s passed, %s failed\n' "tools/layers.sh" \
    "$(grep -c '^PASS: ' "$o")" "$(grep -c '^FAIL: ' "$o")"

# Each fuzz target briefly, so regressions in the parsers show here.
$quick || {
o=$out/fuzz.out
sh tests/fuzz/run.sh "${MAILSCOPE_FUZZ_SECONDS:-20}" > "$o" 2>&1
cat "$o" >> "$log"
count "$o"
grep -E '^(PASS|FAIL): ' "$o"
}

if ! $quick && [ -x tests/servers/start.sh ]; then
	if ! tests/servers/start.sh > "$out/servers.log" 2>&1; then
		echo "FAIL: test servers did not start (see $out/servers.log)"
		tail -n 20 "$out/servers.log"
		failed=$((failed + 1))
	fi
fi
# tally NAME OUT RC: a suite's lines into the log and the counts, its
# failures shown, an exit without a FAIL line counted as one.
tally() {
	cat "$2" >> "$log"
	_p=$passed
	_f=$failed
	count "$2"
	grep '^FAIL: ' "$2"
	if [ "$3" -ne 0 ] && [ "$failed" -eq "$_f" ]; then
		echo "FAIL: $1 exited $3"
		tail -n 20 "$2"
		failed=$((failed + 1))
	fi
	printf '%-50s %s passed, %s failed\n' "$1" $((passed - _p)) \
	    $((failed - _f))
}

$quick && wait "$pool"
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	$quick || run_suite "$t"
	tally "$t" "$out/$(basename "$t" .sh).out" \
	    "$(cat "$out/$(basename "$t" .sh).rc" 2> /dev/null || echo 255)"
done

# Every recording and JSON result the suites made (in their scratch
# directories, tests/lib.sh's T; not the fuzzers' inputs), against the
# schemas mailscope ships: one PASS a file, one FAIL a bad line (file:line
# and the schema path).  make check's, like the fuzzers: it reads a few
# hundred thousand lines after the suites, seconds the quick loop keeps.
$quick || {
o=$out/schema.out
python3 tests/schema.py --newer "$out/run.stamp" "$out/integration" > "$o" 2>&1
tally tests/schema.py "$o" $?
tail -n 1 "$o"
}

! $quick && [ -x tests/servers/stop.sh ] && tests/servers/stop.sh >> "$out/servers.log" 2>&1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
