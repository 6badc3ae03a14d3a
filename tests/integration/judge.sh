#!/bin/sh
# SPDX-License-Identifier: ISC
# mailscope judge and lab --judge: real mail clients from Debian packages
# (curl, swaks, Python's smtplib/imaplib/poplib, msmtp, s-nail,
# fetchmail) and a deliberately broken one graded against the lab, on
# loopback only.  Each verdict is asserted from what the client is known
# to do; the matrices are validated against src/cmd/judge.schema.json.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
C="sh $TOP/tests/judge/clients.sh"
ARGS='{proto} {host} {port} {ca}'
JUDGE_MSG=$T/msg
export JUDGE_MSG
printf 'Subject: judge\r\n\r\nA line.\r\n' > "$JUDGE_MSG"
rm -f "$T"/*.json "$T"/*.txt "$T"/*.rc

# judge OUT ARGS...: mailscope judge ARGS; its output in $T/OUT, its
# exit code in $T/OUT.rc.  The timeout is a net for a client that hangs,
# wide enough for a machine busy with other work.
judge() {
	_out=$1
	shift
	"$MS" judge --timeout 120 --jobs 3 "$@" > "$T/$_out" 2> "$T/$_out.err"
	echo $? > "$T/$_out.rc"
}

# Two at a time: each mostly waits on its clients.
judge curl.json --json --run "$C curl-reqd $ARGS" --run "$C curl $ARGS" &
judge broken.json --json --run "$C broken $ARGS" &
wait
judge python.json --json --run "$C python $ARGS" &
judge smtp.json --json --protos smtp --run "$C swaks-tls $ARGS" \
    --run "$C swaks $ARGS" --run "$C msmtp $ARGS" --run "$C s-nail $ARGS" &
wait
judge fetchmail.json --json --protos imap,pop3 --run "$C fetchmail $ARGS" &
judge weak.json --json --scenarios tls10-only --run "$C broken-weak $ARGS"
# A client that hangs after the go-ahead, killed at a short timeout.
"$MS" judge --timeout 3 --json --protos smtp --scenarios expired-cert \
    --run "$C hang $ARGS" > "$T/hang.json" 2> "$T/hang.json.err"
rm -f "$T/compare.jsonl"
judge compare.txt --protos smtp --scenarios strip,expired-cert \
    --record "$T/compare.jsonl" \
    --run "$C curl-reqd $ARGS" --run "$C broken $ARGS"
wait

V="python3 -S $TOP/tests/judge/verdicts.py"
# What a careful client does: it verifies, insists on TLS, and asks for
# the capabilities again inside it.
careful() {
	$V "$T/$1" "$2" "$3" baseline:*=safe stripping:*=safe \
	    certificate:*=safe downgrade:*=safe \
	    injection:*=!vulnerable tampering:*=!vulnerable
	[ "${4:-}" = imap ] && $V "$T/$1" "$2" "$3" preauth:imap=safe
}

# curl: --ssl-reqd passes every row; without it curl never starts TLS and
# sends mail and credentials in clear where the server lets it.
rc curl.json 6 "judge: curl: exit 6 (a vulnerable verdict)"
careful curl.json "curl --ssl-reqd" 1 imap
$V "$T/curl.json" "curl (no --ssl-reqd)" 2 good:smtp=vulnerable \
    good:imap=not-exercised no-starttls:*=vulnerable strip:smtp=vulnerable \
    preauth:imap=vulnerable certificate:*=not-exercised \
    downgrade:*=not-exercised

# Python's libraries, driven as the careful program in pyclient.py does.
rc python.json 0 "judge: python: exit 0 (safe throughout)"
careful python.json "python smtplib/imaplib/poplib" 1 imap
$V "$T/python.json" "python" 1 inject-response:*=safe tampering:*=safe \
    inject-later:*=not-exercised

# The broken client: vulnerable on exactly the rows it is built to fail.
rc broken.json 6 "judge: broken client: exit 6"
$V "$T/broken.json" "broken client" 1 stripping:*=vulnerable \
    injection:*=vulnerable certificate:*=vulnerable baseline:*=safe \
    tampering:*=safe preauth:imap=safe downgrade:*=safe
rc weak.json 6 "judge: broken client, TLS 1.0 allowed: exit 6"
# Killed while it hung: what it had not done yet proves nothing.
$V "$T/hang.json" "a client that hangs" 1 expired-cert:smtp=not-exercised
contains "$T/hang.json" '"timed_out":true' "judge: the hanging client timed out"
contains "$T/hang.json" '"reason":"the client hung until the timeout \(3 s\)' \
    "judge: a hang is said, not taken for a refusal"
$V "$T/weak.json" "broken client, TLS 1.0 allowed" 1 baseline:*=safe \
    downgrade:*=vulnerable
contains "$T/broken.json" '"line":"a4 AUTHENTICATE CRAM-MD5"' \
    "judge: broken client: the canary inside TLS is the IMAP evidence"
contains "$T/broken.json" '"line":"a2 LOGIN \*\*\*"' \
    "judge: broken client: a LOGIN is evidence, its password left out"
lacks "$T/broken.json" 'LOGIN demo demo|AUTH PLAIN AGRl' \
    "judge: no credential in the evidence"

# swaks, msmtp and s-nail over SMTP.  swaks before 20240103 checks the
# chain under --tls-verify, not the host name.
rc smtp.json 6 "judge: smtp clients: exit 6"
$V "$T/smtp.json" "swaks --tls --tls-verify" 1 baseline:smtp=safe \
    stripping:smtp=safe expired-cert:smtp=safe self-signed:smtp=safe \
    unknown-ca:smtp=safe downgrade:smtp=safe
sv=$(swaks --version 2> /dev/null | sed -n 's/^swaks version \([0-9]*\).*/\1/p')
if [ "${sv:-0}" -lt 20240103 ]; then
	$V "$T/smtp.json" "swaks $sv" 1 wrong-host:smtp=vulnerable
else
	$V "$T/smtp.json" "swaks $sv" 1 wrong-host:smtp=safe
fi
$V "$T/smtp.json" "swaks (no --tls, no --auth)" 2 good:smtp=vulnerable \
    no-starttls:smtp=vulnerable strip:smtp=vulnerable \
    certificate:smtp=not-exercised
# msmtp takes TLS 1.0 where the system's GnuTLS does: not asserted.
$V "$T/smtp.json" "msmtp" 3 baseline:smtp=safe stripping:smtp=safe \
    certificate:smtp=safe tampering:smtp=safe injection:smtp=!vulnerable
careful smtp.json "s-nail" 4

# fetchmail over IMAP and POP3 (exit 1: no mail, which is a success).
rc fetchmail.json 0 "judge: fetchmail: exit 0"
careful fetchmail.json "fetchmail" 1 imap

# The matrix as people read it: a comparison of two clients.
rc compare.txt 6 "judge: text matrix: exit 6"
contains "$T/compare.txt" '^client 2: sh .*clients\.sh broken ' \
    "judge: text: each client's command above the matrix"
contains "$T/compare.txt" '^scenario +attack +proto +client 1 +client 2 *$' \
    "judge: text: a column per client"
contains "$T/compare.txt" '^good +baseline +smtp +safe \(0\) +safe \(0\) *$' \
    "judge: text: good comes first, with the exit codes"
contains "$T/compare.txt" '^strip +stripping +smtp +safe \(64\) +vulnerable \(0\) *$' \
    "judge: text: curl refuses the stripped server, the broken client not"
contains "$T/compare.txt" '^expired-cert +certificate +smtp +safe \(60\) +vulnerable \(0\) *$' \
    "judge: text: the expired certificate row"
contains "$T/compare.txt" '^client 2, strip, smtp: vulnerable: sent a credential in plaintext after STARTTLS was stripped$' \
    "judge: text: why a cell is vulnerable"
contains "$T/compare.txt" '^    client +plaintext +AUTH PLAIN \*\*\*$' \
    "judge: text: the evidence under it, the secret left out"

# The verdicts as a recording: export's html is the report.
contains "$T/compare.jsonl" '"kind":"verdict",.*"text":"client 2, strip, smtp \(stripping\): vulnerable: sent a credential in plaintext after STARTTLS was stripped \(exit 0\)","code":"vulnerable"' \
    "judge --record: a verdict event, its code the verdict"
check "judge --record: export --format html" \
    "$MS" export --format html -o "$T/compare.html" "$T/compare.jsonl"
xmllint --noout "$T/compare.html" 2> "$T/compare.xmllint" &&
    pass "judge --record: the html report is well-formed" ||
    fail "judge --record: $(head -n 3 "$T/compare.xmllint")"
contains "$T/compare.html" '<h1>Client verdicts: mailscope judge</h1>' \
    "judge --record: the report is titled as verdicts, not a session"
contains "$T/compare.html" '^scenario +attack +proto +client 1 +client 2' \
    "judge --record: the report opens with the matrix"
contains "$T/compare.html" '^strip +stripping +smtp +safe \([0-9]+\) +vulnerable \(0\)' \
    "judge --record: the matrix's rows, as the terminal shows them"
contains "$T/compare.html" '<tr><td class="warn">vulnerable</td><td>client 2, expired-cert, smtp \(certificate\): vulnerable: spoke inside TLS although the certificate cannot be verified \(exit 0\)<pre>' \
    "judge --record: the html report marks a vulnerable verdict"
contains "$T/compare.html" '<tr><td class="info">safe</td><td>client 1, expired-cert, smtp \(certificate\): safe: ' \
    "judge --record: and shows a safe one"
contains "$T/compare.html" '^    client +TLS +EHLO ' \
    "judge --record: the evidence says which lines were inside TLS"
lacks "$T/compare.html" 'No TLS: everything|Connection 1 of|<h2>Legend</h2>|<svg' \
    "judge --record: no session's diagram, legend or TLS facts"
"$MS" export --format txt "$T/compare.jsonl" > "$T/compare.export.txt" 2>&1
contains "$T/compare.export.txt" '^==     client +plaintext +AUTH PLAIN \*\*\*$' \
    "judge --record: the evidence follows its verdict, the secret left out"

# Replayed, the verdicts play like any session's events.
UI=$MS
[ -x "$ASAN_MAILSCOPE" ] && UI=$ASAN_MAILSCOPE
tui_start keep 20 5 "sleep 600"
tui_start rp 150 40 "env LANG=C.UTF-8 TERM=tmux-256color XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config $UI replay $T/compare.jsonl 2> $T/rp.err"
tui_keys rp End
tui_wait rp '!! +verdict: client 2, strip, smtp \(stripping\): vulnerable' 30 &&
    pass "judge --record: replay shows a vulnerable verdict as a warning" ||
    fail "judge --record: replay shows the verdicts (screen in $T/rp.screen)"
tui_stop rp
tui_stop keep

# A client that never passes good (curl without the lab's CA): its
# refusals prove nothing.
judge untrusted.json --json --protos smtp --scenarios expired-cert \
    --run 'curl -sS --ssl-reqd smtp://{host}:{port}/'
rc untrusted.json 14 "judge: a client that fails good: exit 14"
contains "$T/untrusted.json" '"scenario":"expired-cert".*"verdict":"not exercised","reason":"the client did not pass good over this protocol","untrusted":true' \
    "judge: a client that fails good is not safe elsewhere"

# Usage errors.
expect_exit 1 "judge: no --run is a usage error" "$MS" judge
expect_exit 1 "judge: an unknown scenario is a usage error" \
    "$MS" judge --run true --scenarios nonsense
expect_exit 1 "judge: an unknown protocol is a usage error" \
    "$MS" judge --run true --protos lmtp

# Interrupted: the clients' process groups go with the judge.
rm -f "$T/started"
"$MS" judge --protos smtp --scenarios good \
    --run "touch $T/started; sleep 617.25; :" > "$T/term.out" 2>&1 &
jpid=$!
for _i in $(seq 600); do [ -f "$T/started" ] && break; sleep 0.1; done
kill -TERM "$jpid"
wait "$jpid"
echo $? > "$T/term.rc"
[ "$(cat "$T/term.rc")" = 143 ] &&
    pass "judge: SIGTERM ends it by that signal" ||
    fail "judge: SIGTERM: exit $(cat "$T/term.rc"), expected 143"
if pgrep -f 'sleep 617\.25' > /dev/null; then
	fail "judge: SIGTERM: a client is left running"
else
	pass "judge: SIGTERM: no client left running"
fi
lacks "$T/term.out" '^scenario ' "judge: SIGTERM: no half matrix printed"

check "judge: the matrices meet judge.schema.json" \
    python3 "$TOP/tests/schema.py" "$T/curl.json" "$T/python.json" \
    "$T/broken.json" "$T/smtp.json" "$T/fetchmail.json" "$T/weak.json" \
    "$T/untrusted.json" "$T/compare.jsonl"

# lab --judge: a verdict per connection on the console, and as JSON.
# lab_judge OUT ARGS...: a lab on free ports, the broken client on its
# IMAP port, the lab stopped; its output in $T/OUT.
lab_judge() {
	_out=$1
	shift
	"$MS" lab --judge --scenario no-starttls "$@" > "$T/$_out" \
	    2> "$T/$_out.err" &
	_lab=$!
	for _i in $(seq 100); do
		grep -q '^  imap ' "$T/$_out" "$T/$_out.err" 2> /dev/null &&
		    break
		sleep 0.1
	done
	_port=$(sed -n 's/^  imap  *127.0.0.1:\([0-9]*\).*/\1/p' "$T/$_out" \
	    "$T/$_out.err")
	python3 -S "$TOP/tests/judge/brokenclient.py" imap 127.0.0.1 "$_port" \
	    > /dev/null 2>&1
	kill "$_lab"
	wait "$_lab"
}
lab_judge lab.txt
contains "$T/lab.txt" '^verdict: client 1 imap, no-starttls, stripping: vulnerable \(sent a credential in plaintext after STARTTLS was not offered\)$' \
    "lab --judge: one line per verdict on the console"
contains "$T/lab.txt" '^    client +plaintext +a2 LOGIN \*\*\*$' \
    "lab --judge: the evidence lines under it"
lab_judge lab.json --json
contains "$T/lab.json" '^\{"client":1,"port":"imap","proto":"imap","scenario":"no-starttls","attack":"stripping","verdict":"vulnerable"' \
    "lab --judge --json: the verdict as a JSON line on standard output"
lacks "$T/lab.json" 'mailscope lab, scenario' \
    "lab --judge --json: the banner goes to standard error"
check "lab --judge --json: the line meets judge.schema.json" \
    python3 "$TOP/tests/schema.py" "$T/lab.json"
expect_exit 1 "lab: --json without --judge is a usage error" \
    "$MS" lab --json
