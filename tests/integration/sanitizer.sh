#!/bin/sh
# SPDX-License-Identifier: ISC
# Batch mode under the ASan + UBSan build: every way of feeding it
# commands (empty standard input included), text and --json, plaintext
# and STARTTLS, against the built-in lab.  A sanitizer report fails the
# run (halt_on_error) and is looked for in the output as well.
. "$(dirname "$0")/../lib.sh"

need_asan
MS=$ASAN_MAILSCOPE

# san NAME STDIN ARGS...: run the sanitizer build with STDIN (a file) on
# standard input; PASS lines for exit 0 and a clean sanitizer output.
san() {
	_n=$1
	_in=$2
	shift 2
	"$MS" --batch --lab "$@" < "$_in" > "$T/$_n.out" 2>&1
	_rc=$?
	[ "$_rc" -eq 0 ] && pass "asan batch $_n: exit 0" ||
	    { fail "asan batch $_n: exit $_rc"; tail -n 5 "$T/$_n.out"; }
	lacks "$T/$_n.out" 'runtime error|AddressSanitizer|LeakSanitizer' \
	    "asan batch $_n: no sanitizer report"
}

: > "$T/empty"
printf 'EHLO stdin.test\r\nNOOP' > "$T/stdin"
printf '%s\n' '# a comment' ':note from a script' 'EHLO script.test' \
    ':starttls' 'EHLO script.test' 'NOOP' > "$T/script"

san empty-stdin "$T/empty"
contains "$T/empty-stdin.out" '^-> QUIT' "asan batch empty-stdin: the session ends with QUIT"
san stdin "$T/stdin"
contains "$T/stdin.out" '^-> NOOP' "asan batch stdin: the last line without a newline is sent"
san commands /dev/null -c 'EHLO c.test' -c 'NOOP'
san script /dev/null --script "$T/script"
contains "$T/script.out" '^== TLS established' "asan batch script: STARTTLS from the script"
san empty-script /dev/null --script "$T/empty"
san json-empty-stdin "$T/empty" --json
san json-commands /dev/null --json --starttls -c 'EHLO j.test'
contains "$T/json-commands.out" '"kind":"tls-established"' "asan batch json-commands: TLS in the JSON"
rm -f "$T/rec.jsonl"
san record /dev/null --starttls --record "$T/rec.jsonl" -c 'EHLO r.test'
contains "$T/rec.jsonl" '"mailscope":"recording"' "asan batch record: the recording is written"
