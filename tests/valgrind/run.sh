#!/bin/sh
# SPDX-License-Identifier: ISC
# make check-valgrind: the integration suites that drive mailscope from
# the shell, every mailscope process under valgrind memcheck, then one
# more check: no memcheck log holds anything.  About eight minutes, so not
# part of make check (whose valgrind.sh plays representative sessions).
# The screen's suites (tui, tour, replay, terminal) wait on the clock and
# stay out.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
out=$top/tests/out/valgrind
rm -rf "$out"
mkdir -p "$out/logs"
MAILSCOPE_VALGRIND=1
MAILSCOPE_VG_BIN=$top/build/mailscope
MAILSCOPE_VG_LOGS=$out/logs
export MAILSCOPE_VALGRIND MAILSCOPE_VG_BIN MAILSCOPE_VG_LOGS
passed=0
failed=0

if ! tests/servers/start.sh > "$out/servers.log" 2>&1; then
	echo "FAIL: test servers did not start (see $out/servers.log)"
	failed=$((failed + 1))
fi
for s in core export fakeserver hostile lab probe redact; do
	o=$out/$s.out
	timeout 1800 sh "tests/integration/$s.sh" > "$o" 2>&1
	p=$(grep -c '^PASS: ' "$o")
	f=$(grep -c '^FAIL: ' "$o")
	grep '^FAIL: ' "$o"
	printf '%-40s %s passed, %s failed\n' "$s.sh under memcheck" "$p" "$f"
	passed=$((passed + p))
	failed=$((failed + f))
done
tests/servers/stop.sh >> "$out/servers.log" 2>&1
logs=$(find "$out/logs" -type f -size +0 | wc -l)
if [ "$logs" -eq 0 ]; then
	echo "PASS: no memcheck error or definite leak in $(find "$out/logs" -type f | wc -l) processes"
	passed=$((passed + 1))
else
	echo "FAIL: memcheck reports in $logs processes:"
	find "$out/logs" -type f -size +0 | head -n 3 | xargs head -n 20
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
