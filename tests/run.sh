#!/bin/sh
# Run every test and end with one line: "N passed, N failed".
#   run.sh           everything (make check)
#   run.sh --quick   unit tests and the suites that need no test server,
#                    no fuzzing (make test, the loop while working)
#
# Unit tests are cmocka programs, run twice: normal and under ASan+UBSan.
# Integration tests are tests/integration/*.sh; each prints one line per
# assertion, "PASS: what" or "FAIL: what", and gets the test servers'
# addresses from tests/out/servers/env (tests/servers/start.sh).
set -u
cd "$(dirname "$0")/.."
quick=false
if [ "${1:-}" = --quick ]; then
	quick=true
	# Suites stop where they would need a test server.
	MAILSCOPE_QUICK=1
	export MAILSCOPE_QUICK
fi
out=tests/out
mkdir -p "$out"
passed=0
failed=0
log=$out/check.log
: > "$log"

count() {
	# $1: file with cmocka or PASS/FAIL output
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
	p2=$(grep -c '^PASS: ' "$1")
	f2=$(grep -c '^FAIL: ' "$1")
	passed=$((passed + p + p2))
	failed=$((failed + f + f2))
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

run_unit build
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
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	o=$out/$(basename "$t" .sh).out
	timeout 900 sh "$t" > "$o" 2>&1
	rc=$?
	cat "$o" >> "$log"
	count "$o"
	grep '^FAIL: ' "$o"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$o"; then
		echo "FAIL: $t exited $rc"
		tail -n 20 "$o"
		failed=$((failed + 1))
	fi
	printf '%-50s %s passed, %s failed\n' "$t" \
	    "$(grep -c '^PASS: ' "$o")" "$(grep -c '^FAIL: ' "$o")"
done
! $quick && [ -x tests/servers/stop.sh ] && tests/servers/stop.sh >> "$out/servers.log" 2>&1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
