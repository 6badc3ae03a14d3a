#!/bin/sh
# SPDX-License-Identifier: ISC
# Unix habits: the shell completions (bash driven through _mailscope,
# fish through `complete -C`, zsh parsed), one line for a bad option in
# every command, host:port answered with a URL, - for standard input and
# output, write errors (/dev/full), errors on standard error, the
# configuration files, the man page under mandoc -T lint with every
# environment variable and exit code, and the tshark command of --keylog
# run on a capture of a lab session.  Needs no test server: the lab
# plays the server.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
D=$TOP/tests/data
# Nothing from the machine's or the caller's configuration.
XDG_CONFIG_HOME=$T/home/.config
XDG_CONFIG_DIRS=$T/xdg
HOME=$T/home
export XDG_CONFIG_HOME XDG_CONFIG_DIRS HOME
rm -rf "$T/home" "$T/xdg"
mkdir -p "$XDG_CONFIG_HOME/mailscope/themes" "$XDG_CONFIG_DIRS/mailscope"

# --- completions -------------------------------------------------------------
cp "$TOP/themes/mono.theme" "$XDG_CONFIG_HOME/mailscope/themes/mine.theme"
mkdir -p "$T/bin"
ln -sf "$MS" "$T/bin/mailscope"
"$MS" --completion bash > "$T/c.bash"
"$MS" --completion zsh > "$T/c.zsh"
"$MS" --completion fish > "$T/c.fish"
cat > "$T/comp.sh" << 'EOF'
. "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMPREPLY=()
_mailscope
printf '%s\n' "${COMPREPLY[@]}"
EOF
# comp NAME WORD...: the completions of the last word, one a line.
comp() {
	_cn=$1
	shift
	PATH=$T/bin:$PATH bash "$T/comp.sh" "$T/c.bash" mailscope "$@" \
	    > "$T/comp-$_cn" 2>&1
}
comp opt --sta
contains "$T/comp-opt" '^--starttls$' "bash: an option completes"
comp opt2 --re
contains "$T/comp-opt2" '^--record$' "bash: --re offers --record"
contains "$T/comp-opt2" '^--require-tls$' "bash: --re offers --require-tls"
lacks "$T/comp-opt2" '^--completion' "bash: the hidden option is not offered"
comp first ''
for w in probe export replay lab smtp:// submission:// smtps:// lmtp:// \
    imap:// imaps:// pop3:// pop3s:// sieve:// mx://; do
	contains "$T/comp-first" "^$w\$" "bash: the first word offers $w"
done
contains "$T/comp-first" '^lmtp\+unix://$' \
    "bash: the first word offers lmtp+unix://"
comp scheme sub
[ "$(cat "$T/comp-scheme")" = submission:// ] &&
    pass "bash: 'sub' completes to submission://" ||
    fail "bash: 'sub' gave $(cat "$T/comp-scheme")"
"$MS" lab --list | awk '{ print $1 }' > "$T/scenarios"
comp lab --lab ''
if [ -s "$T/scenarios" ] && cmp -s "$T/scenarios" "$T/comp-lab"; then
	pass "bash: --lab offers every scenario of mailscope lab --list"
else
	fail "bash: --lab's scenarios differ from lab --list"
fi
comp labsub lab --scenario no-
contains "$T/comp-labsub" '^no-starttls$' "bash: lab --scenario completes"
comp labarg lab str
contains "$T/comp-labarg" '^strip$' "bash: lab's operand is a scenario"
comp theme --theme ''
for th in default light high-contrast mono mine; do
	contains "$T/comp-theme" "^$th\$" "bash: --theme offers $th"
done
comp theme2 --theme=hi
contains "$T/comp-theme2" '^high-contrast$' "bash: --theme=hi completes"
comp ts --timestamps r
[ "$(cat "$T/comp-ts")" = relative ] && pass "bash: --timestamps' words" ||
    fail "bash: --timestamps r gave $(cat "$T/comp-ts")"
comp proto --lab-proto ''
[ "$(tr '\n' ' ' < "$T/comp-proto")" = "smtp imap pop3 sieve smtps imaps pop3s " ] &&
    pass "bash: --lab-proto's words" || fail "bash: --lab-proto's words"
comp probe probe --sc
contains "$T/comp-probe" '^--scan$' "bash: probe's own option"
comp probe2 probe --cafi
contains "$T/comp-probe2" '^--cafile$' "bash: probe's shared option"
comp probe3 probe ima
contains "$T/comp-probe3" '^imaps://$' "bash: probe's operand is a URL"
comp exp export --format ''
[ "$(tr '\n' ' ' < "$T/comp-exp")" = "txt md html " ] &&
    pass "bash: export --format's words" || fail "bash: export --format"
(cd "$TOP" && comp file --record Makef)
contains "$T/comp-file" '^Makefile$' "bash: a FILE argument completes files"
(cd "$TOP" && comp file2 export README)
contains "$T/comp-file2" '^README.md$' "bash: export's operand is a file"
comp notmain export --sta
! grep -q . "$T/comp-notmain" && pass "bash: export has no --starttls" ||
    fail "bash: export offered $(cat "$T/comp-notmain")"
# Every option --help shows completes.
"$MS" --help | sed -n 's/^  \(-., \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' |
    sort -u > "$T/help-opts"
comp all --
missing=$(sort -u "$T/comp-all" | comm -23 "$T/help-opts" -)
[ -z "$missing" ] && pass "bash: every option of --help completes" ||
    fail "bash: not completed:" $missing
# The file make install installs is this one.  build/mailscope is taken
# as it is (-o): relinked here, it would be missing for a moment to the
# suites running beside this one.
(cd "$TOP" && make -s -o build/mailscope completions > /dev/null 2>&1)
cmp -s "$T/c.bash" "$TOP/build/completions/mailscope.bash" &&
    pass "make completions writes the same bash script" ||
    fail "build/completions/mailscope.bash differs"
check "zsh -n accepts the zsh completion" zsh -n "$T/c.zsh"
head -n 1 "$T/c.zsh" | grep -q '^#compdef mailscope$' &&
    pass "zsh: #compdef line" || fail "zsh: no #compdef line"
check "fish -n accepts the fish completion" fish -n "$T/c.fish"
PATH=$T/bin:$PATH fish -c "source $T/c.fish; complete -C 'mailscope --sta';
    complete -C 'mailscope sub'; complete -C 'mailscope lab --scenario str';
    complete -C 'mailscope --theme mi'; complete -C 'mailscope probe --sc'" \
    > "$T/fish.out" 2>&1
contains "$T/fish.out" '^--starttls' "fish: an option completes"
contains "$T/fish.out" '^submission://' "fish: a URL scheme completes"
contains "$T/fish.out" '^strip' "fish: a scenario completes"
contains "$T/fish.out" '^mine' "fish: a user theme completes"
contains "$T/fish.out" '^--scan' "fish: probe's option completes"
expect_exit 1 "--completion takes bash, zsh or fish" "$MS" --completion ksh

# --- a bad option: one line ---------------------------------------------------
for c in "" probe export replay lab; do
	# shellcheck disable=SC2086
	"$MS" $c --frobnicate > "$T/bad.out" 2> "$T/bad.err"
	rc=$?
	name="mailscope${c:+ $c}"
	[ "$rc" -eq 1 ] && [ ! -s "$T/bad.out" ] &&
	    [ "$(wc -l < "$T/bad.err")" -eq 1 ] &&
	    grep -q "^$name: unknown option '--frobnicate' (see $name --help)\$" \
	    "$T/bad.err" && pass "$name: an unknown option is one line" ||
	    fail "$name: unknown option: exit $rc, $(head -c 200 "$T/bad.err")"
done
"$MS" --record 2> "$T/noarg.err"
grep -q "^mailscope: --record needs an argument (see mailscope --help)\$" \
    "$T/noarg.err" && pass "a missing argument is named" ||
    fail "missing argument: $(cat "$T/noarg.err")"
"$MS" export -z x 2> "$T/short.err"
grep -q "unknown option -z" "$T/short.err" &&
    pass "an unknown short option is named" || fail "unknown -z"
"$MS" --help > "$T/help" 2>&1
[ "$(wc -l < "$T/help")" -gt 50 ] && pass "--help is the whole help" ||
    fail "--help is short"
"$MS" probe --help > "$T/probe-help"
for o in --scan --targets --jobs --cafile --config --no-config --timeout; do
	contains "$T/probe-help" "^  $o" "probe --help lists $o"
done

# --- host:port ----------------------------------------------------------------
hp() {
	"$MS" "$@" > /dev/null 2> "$T/hp.err"
	echo $? >> "$T/hp.err"
}
hp mail.example.org:587
contains "$T/hp.err" "^mailscope: 'mail.example.org:587' is not a URL; did you mean submission://mail.example.org:587 \\?" \
    "host:587 answered with submission://"
contains "$T/hp.err" '^1$' "host:port exits 1"
for pair in 25:smtp 465:smtps 143:imap 993:imaps 110:pop3 995:pop3s 24:lmtp \
    4190:sieve; do
	hp "h.test:${pair%%:*}"
	contains "$T/hp.err" "did you mean ${pair#*:}://h.test:${pair%%:*} " \
	    "port ${pair%%:*} suggests ${pair#*:}://"
done
hp "[::1]:993"
contains "$T/hp.err" 'did you mean imaps://\[::1\]:993 ' "[::1]:993 suggests imaps://"
hp h.test:2525
lacks "$T/hp.err" 'did you mean' "an unknown port suggests nothing"
contains "$T/hp.err" 'expected scheme://host' "an unknown port: the usual message"
hp -connect h.test:587
contains "$T/hp.err" "-connect is openssl's; did you mean submission://h.test:587 \\?" \
    "-connect host:port answered"
"$MS" probe h.test:995 2> "$T/hp.err"
contains "$T/hp.err" 'did you mean pop3s://h.test:995 ' "probe answers host:port too"

# --- export: - in and out -----------------------------------------------------
"$MS" export "$D/session.jsonl" > "$T/exp.file" 2> /dev/null
"$MS" export - < "$D/session.jsonl" > "$T/exp.stdin" 2> /dev/null
cat "$D/session.jsonl" | "$MS" export - > "$T/exp.pipe" 2> /dev/null
"$MS" export -o - "$D/session.jsonl" > "$T/exp.dash" 2> /dev/null
[ -s "$T/exp.file" ] && cmp -s "$T/exp.file" "$T/exp.stdin" &&
    pass "export - reads a redirected file" || fail "export - < file"
cmp -s "$T/exp.file" "$T/exp.pipe" && pass "export - reads a pipe" ||
    fail "export - from a pipe"
cmp -s "$T/exp.file" "$T/exp.dash" && [ ! -e ./- ] &&
    pass "export -o - writes standard output, no file named -" ||
    fail "export -o -"
"$MS" export -o - "$D/session.jsonl" > /dev/full 2> "$T/full.err"
rc=$?
[ "$rc" -eq 9 ] && grep -q 'standard output: No space left on device' \
    "$T/full.err" && pass "export > /dev/full: said, exit 9" ||
    fail "export > /dev/full: exit $rc, $(cat "$T/full.err")"
"$MS" export -o /dev/full "$D/session.jsonl" 2> "$T/full2.err"
rc=$?
[ "$rc" -ne 0 ] && grep -q '/dev/full' "$T/full2.err" &&
    pass "export -o /dev/full: refused with its name (exit $rc)" ||
    fail "export -o /dev/full: exit $rc"

# --- the lab: batch output ----------------------------------------------------
lab_out=$T/lab.out
"$MS" lab > "$lab_out" 2>&1 &
lab=$!
i=0
# Up to 30 s, as lab.sh allows: key generation is slow on a busy machine.
while ! grep -q 'CA certificate' "$lab_out" && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
CAF=$(sed -n 's/^  CA certificate  //p' "$lab_out")
port_of() {
	sed -n "s/^  $1 *127\\.0\\.0\\.1:\\([0-9]*\\) .*/\\1/p" "$lab_out"
}
SUB=$(port_of submission)
IMAPS=$(port_of imaps)
SMTPS=$(port_of smtps)
[ -n "$SUB" ] && [ -n "$CAF" ] && pass "the lab is up" || fail "the lab did not start"
URL=submission://127.0.0.1:$SUB

timeout 60 "$MS" --batch --json --cafile "$CAF" -c QUIT "$URL" < /dev/null \
    > /dev/full 2> "$T/json-full.err"
rc=$?
[ "$rc" -eq 9 ] && grep -q '^mailscope: standard output: No space left on device; the JSON is incomplete$' \
    "$T/json-full.err" && pass "--json > /dev/full: said, exit 9" ||
    fail "--json > /dev/full: exit $rc, $(cat "$T/json-full.err")"
timeout 60 "$MS" --batch --cafile "$CAF" -c QUIT "$URL" < /dev/null \
    > /dev/full 2> "$T/txt-full.err"
rc=$?
[ "$rc" -eq 9 ] && grep -q 'the transcript is incomplete' "$T/txt-full.err" &&
    pass "the transcript > /dev/full: said, exit 9" ||
    fail "transcript > /dev/full: exit $rc"
timeout 60 "$MS" --batch --cafile "$CAF" --record /dev/full -c QUIT "$URL" \
    < /dev/null > /dev/null 2> "$T/rec-full.err"
rc=$?
[ "$rc" -eq 1 ] && grep -q '^mailscope: /dev/full: not a regular file$' \
    "$T/rec-full.err" && pass "--record /dev/full: refused before connecting" ||
    fail "--record /dev/full: exit $rc, $(cat "$T/rec-full.err")"
timeout 60 "$MS" --batch --cafile "$CAF" --record - -c QUIT "$URL" \
    < /dev/null > "$T/rec-dash" 2> "$T/rec-dash.err"
rc=$?
[ "$rc" -eq 0 ] && head -n 1 "$T/rec-dash" | grep -q '^{"mailscope":"recording"' &&
    [ ! -e ./- ] && pass "--record -: the recording on standard output" ||
    fail "--record -: exit $rc"
lacks "$T/rec-dash" '^(->|<-|==) ' "--record -: no text transcript beside it"
"$MS" export - < "$T/rec-dash" > "$T/rec-dash.txt" 2>&1
contains "$T/rec-dash.txt" '^<- 220 ' "--record - | export -: the session"
"$MS" --batch --record - --json "$URL" < /dev/null > "$T/rj.out" 2> "$T/rj.err"
rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$T/rj.out" ] && [ "$(wc -l < "$T/rj.err")" -eq 1 ] &&
    grep -q -- '--record - and --json both write to standard output' "$T/rj.err" &&
    pass "--record - with --json: refused in one line" ||
    fail "--record - --json: exit $rc"
timeout 60 "$MS" --batch --cafile "$CAF" --record - -c QUIT "$URL" \
    < /dev/null > /dev/full 2> /dev/null
rc=$?
[ "$rc" -eq 9 ] && pass "--record - > /dev/full: exit 9" ||
    fail "--record - > /dev/full: exit $rc"

# Errors: on standard error; the transcript on standard output.
"$MS" --batch smtp://127.0.0.1:1 < /dev/null > "$T/refused.out" \
    2> "$T/refused.err"
contains "$T/refused.err" '^mailscope: connect to 127\.0\.0\.1 port 1 failed' \
    "a connection error is on standard error"
contains "$T/refused.out" '^\*\* error: connect to' "... and in the transcript"
lacks "$T/refused.err" '^(==|->|<-)' "standard error holds no transcript"

# --- the configuration files --------------------------------------------------
timeout_of() {
	timeout 60 "$MS" --batch --json "$@" smtp://127.0.0.1:1 < /dev/null \
	    2> /dev/null | head -n 1 | grep -o '"timeout_ms":[0-9]*'
}
printf 'timeout 7\ntls-priority NORMAL:-VERS-TLS1.3\n' > "$XDG_CONFIG_DIRS/mailscope/config"
[ "$(timeout_of)" = '"timeout_ms":7000' ] &&
    pass "the system config (XDG_CONFIG_DIRS) is read" ||
    fail "system config: $(timeout_of)"
timeout 60 "$MS" --batch --json smtp://127.0.0.1:1 < /dev/null 2> /dev/null |
    head -n 1 > "$T/hdr"
contains "$T/hdr" '"priority":"NORMAL:-VERS-TLS1.3"' "config key tls-priority"
printf 'timeout 8\n' > "$XDG_CONFIG_HOME/mailscope/config"
[ "$(timeout_of)" = '"timeout_ms":8000' ] &&
    pass "the user's config wins over the system's" ||
    fail "user config: $(timeout_of)"
[ "$(timeout_of --timeout 2)" = '"timeout_ms":2000' ] &&
    pass "an option wins over the config" || fail "option over config"
printf 'timeout 9\n' > "$T/my.conf"
[ "$(timeout_of --config "$T/my.conf")" = '"timeout_ms":9000' ] &&
    pass "--config FILE is read instead" || fail "--config FILE"
[ "$(timeout_of --no-config)" = '"timeout_ms":30000' ] &&
    pass "--no-config reads none" || fail "--no-config"
expect_exit 1 "--config FILE missing: exit 1" "$MS" --batch --config "$T/none" \
    smtp://127.0.0.1:1
printf 'timeout soon\n' > "$T/bad.conf"
"$MS" --batch --config "$T/bad.conf" smtp://127.0.0.1:1 < /dev/null \
    > /dev/null 2> "$T/badconf.err"
contains "$T/badconf.err" 'bad.conf:1: timeout is in seconds' "a bad timeout is named"
printf 'tls-priority NOPE:+X\n' > "$T/bad2.conf"
"$MS" --batch --config "$T/bad2.conf" smtp://127.0.0.1:1 < /dev/null \
    > /dev/null 2> "$T/badconf2.err"
contains "$T/badconf2.err" 'bad2.conf:1: tls-priority' "a bad tls-priority is named"
rm -f "$XDG_CONFIG_DIRS/mailscope/config"
# probe honours the config's cafile.
printf 'cafile %s\n' "$CAF" > "$XDG_CONFIG_HOME/mailscope/config"
timeout 120 "$MS" probe "$URL" > "$T/probe-cfg" 2>&1
contains "$T/probe-cfg" '^  ok +certificate +Verified' "probe: the config's cafile verifies the lab"
timeout 120 "$MS" probe --no-config "$URL" > "$T/probe-nocfg" 2>&1
rc=$?
[ "$rc" -eq 5 ] && pass "probe --no-config: not verified (exit 5)" ||
    fail "probe --no-config: exit $rc"
rm -f "$XDG_CONFIG_HOME/mailscope/config"

# --- replay - -----------------------------------------------------------------
"$MS" replay - < "$T/rec-dash" > /dev/null 2> "$T/rp.err"
contains "$T/rp.err" 'needs a terminal' "replay - without a terminal: said"
tui_start rpd 100 30 "cat $T/rec-dash | $MS replay - 2> $T/rpd.err"
if tui_wait rpd "REPLAY 1/"; then
	pass "replay -: the recording from a pipe, the keys from the terminal"
else
	fail "replay - from a pipe"
	tail -n 5 "$T/rpd.screen"
fi
tui_keys rpd q
tui_start rpt 100 30 "$MS replay - 2> $T/rpt.err; echo rc=\$?; sleep 600"
tui_wait rpt 'rc=1' && pass "replay - with the terminal on stdin: exit 1" ||
    fail "replay - on a terminal"
contains "$T/rpt.err" 'which is the terminal' "replay - with the terminal on stdin: said"

# --- the man page -------------------------------------------------------------
mandoc -T lint "$TOP/mailscope.1" > "$T/lint" 2>&1
[ ! -s "$T/lint" ] && pass "mandoc -T lint: clean" ||
    fail "mandoc -T lint: $(head -n 3 "$T/lint")"
sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$TOP/mailscope.1" > "$T/env"
for v in $(cat "$TOP"/src/*/*.c "$TOP"/src/core/proto/*.c "$TOP"/tui/*.c \
    "$TOP"/tui/panes/*.c | grep -o 'getenv("[A-Z_]*")' |
    sed 's/getenv("\(.*\)")/\1/' | sort -u); do
	grep -q "$v" "$T/env" && pass "man ENVIRONMENT: $v" ||
	    fail "man ENVIRONMENT lacks $v"
done
sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$TOP/mailscope.1" > "$T/exit"
for n in $(grep -ho '^#define EXIT_[A-Z_]*[[:space:]]*[0-9]*' \
    "$TOP/src/base/base.h" "$TOP/src/cmd/cmd.h" | awk '{ print $3 }'); do
	grep -q "^\\.B $n\$" "$T/exit" && pass "man EXIT STATUS: $n" ||
	    fail "man EXIT STATUS lacks $n"
	grep -q "^| $n |" "$TOP/README.md" && pass "README exit codes: $n" ||
	    fail "README exit codes lack $n"
done

# --- --keylog: the tshark command, run on a capture ---------------------------
# The capture is of the lab's ports only: other suites run beside this one.
# tshark on it is make check's (it costs seconds); the quick loop checks
# the command line only.
rm -f "$T/keys" "$T/cap.pcap"
td=
if [ -z "${MAILSCOPE_QUICK:-}" ]; then
	tcpdump -i lo -U -w "$T/cap.pcap" "tcp port $SUB or tcp port $IMAPS" \
	    > "$T/tcpdump.log" 2>&1 &
	td=$!
	i=0
	while ! grep -q listening "$T/tcpdump.log" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
fi
timeout 60 "$MS" --batch --starttls --cafile "$CAF" --keylog "$T/keys" \
    -c "NOOP" -c QUIT "$URL" < /dev/null > "$T/kl-smtp" 2>&1
timeout 60 "$MS" --batch --cafile "$CAF" --keylog "$T/keys" \
    -c "a1 NOOP" "imaps://127.0.0.1:$IMAPS" < /dev/null > "$T/kl-imaps" 2>&1
"$MS" --batch --starttls --cafile "$CAF" --keylog "$T/keys" --record "$T/kl.jsonl" \
    -c QUIT "$URL" < /dev/null > /dev/null 2>&1
if [ -n "$td" ]; then
	sleep 1
	kill "$td" 2> /dev/null
	wait "$td" 2> /dev/null
fi
contains "$T/kl-smtp" "^== to decrypt a capture of it: tshark -r CAPTURE -o tls.keylog_file:$T/keys -d tcp\\.port==$SUB,smtp\$" \
    "--keylog: the tshark command, the port mapped to smtp"
contains "$T/kl-imaps" "tshark -r CAPTURE -o tls.keylog_file:$T/keys -d tcp\\.port==$IMAPS,tls -d tls\\.port==$IMAPS,imap\$" \
    "--keylog: implicit TLS mapped to tls, then imap"
contains "$T/kl.jsonl" '"text":"to decrypt a capture of it: tshark ' \
    "--keylog: the command is an event of the recording"
"$MS" --batch --timeout 2 --keylog "$T/keys" -c QUIT smtp://127.0.0.1 < /dev/null 2>&1 |
    grep 'tshark' > "$T/kl-std"
contains "$T/kl-std" "tls.keylog_file:$T/keys\$" "--keylog: port 25 needs no mapping"
if [ -z "$td" ]; then
	kill "$lab" 2> /dev/null
	wait "$lab" 2> /dev/null
	exit 0
fi
tshark_run() {
	_cmd=$(sed -n 's/^== to decrypt a capture of it: //p' "$1" |
	    sed "s|CAPTURE|$T/cap.pcap|")
	# shellcheck disable=SC2086
	eval "$_cmd $2" 2> "$T/tshark.err"
}
tshark_run "$T/kl-smtp" "-Y smtp.req -T fields -e smtp.req.command" > "$T/ts-smtp"
# Two sessions on the port: EHLO, STARTTLS, then inside TLS EHLO (and
# NOOP in the first), QUIT.
contains "$T/ts-smtp" '^NOOP' "tshark with the command: NOOP, sent inside TLS, decrypted"
tshark -r "$T/cap.pcap" -d "tcp.port==$SUB,smtp" -Y smtp.req -T fields \
    -e smtp.req.command 2> /dev/null > "$T/ts-nokeys"
lacks "$T/ts-nokeys" '^NOOP' "tshark without the key log: NOOP stays encrypted"
[ "$(grep -c '^EHLO' "$T/ts-smtp")" -eq 4 ] &&
    [ "$(grep -c '^EHLO' "$T/ts-nokeys")" -eq 2 ] &&
    pass "tshark: the EHLO inside TLS decrypted too, only with the key log" ||
    fail "tshark: $(grep -c '^EHLO' "$T/ts-smtp") EHLO with keys, $(grep -c '^EHLO' "$T/ts-nokeys") without"
tshark_run "$T/kl-imaps" "-Y imap.request -T fields -e imap.request" > "$T/ts-imap"
contains "$T/ts-imap" '^a1 NOOP' "tshark with the command: IMAP over implicit TLS decrypted"

kill "$lab" 2> /dev/null
wait "$lab" 2> /dev/null
exit 0
