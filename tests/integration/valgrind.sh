#!/bin/sh
# SPDX-License-Identifier: ISC
# Representative sessions under valgrind memcheck: each must end with its
# usual exit status, no memcheck error and no definite leak.  Batch
# STARTTLS against Postfix, mx:// through the test zone (MTA-STS's fetch
# too), an IMAP literal FETCH and POP3 STLS + RETR
# against Dovecot, a hostile server, the lab with the probe, an export of
# a recording, and the interactive screen.  (tests/hostile/*.case marked
# "#> valgrind" add more hostile sessions.)  About a minute in all.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
if ! command -v valgrind > /dev/null; then
	fail "valgrind: not installed (make deps-test)"
	exit 0
fi

# vg NAME WANT CMD...: run CMD (mailscope's arguments) under memcheck;
# stdout in $T/NAME.out.  One check: the exit status is WANT and the
# memcheck log is empty (-q prints only errors and definite leaks).
vg() {
	_n=$1
	_want=$2
	shift 2
	timeout 120 valgrind -q --leak-check=full \
	    --show-leak-kinds=definite --errors-for-leak-kinds=definite \
	    --error-exitcode=99 --log-file="$T/$_n.vg" "$MS" "$@" \
	    > "$T/$_n.out" 2> "$T/$_n.err" < /dev/null
	_rc=$?
	if [ "$_rc" -eq "$_want" ] && [ ! -s "$T/$_n.vg" ]; then
		pass "valgrind $_n: exit $_want, no memcheck error or leak"
	else
		fail "valgrind $_n: exit $_rc (want $_want), memcheck says:"
		head -n 30 "$T/$_n.vg"
		tail -n 5 "$T/$_n.err"
	fi
}

need_servers

# A recording appends: start from an empty file.
rm -f "$T/smtp.jsonl"
vg smtp-starttls 0 --batch --starttls --cafile "$CA" --record \
    "$T/smtp.jsonl" -c NOOP "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/smtp-starttls.out" '^== TLS established' "smtp-starttls: TLS up"
vg export-html 0 export --format html -o "$T/smtp.html" "$T/smtp.jsonl"
contains "$T/smtp.html" 'STARTTLS' "export-html: the session is there"

# DNS through libunbound: the first MX down, the second one reached.
vg mx-fallback 0 --batch --cafile "$CA" --dns "$DNS_SERVER" \
    --dnssec-anchor "$DNS_ANCHOR" "mx://fallback.$DNS_DOMAIN:$SMTP_PORT"
contains "$T/mx-fallback.out" "^== certificate verified: host name matched DNS:mx\\.$DNS_DOMAIN[;]" \
    "mx-fallback: the second MX host verified"

# MTA-STS: the policy fetched with libcurl on the loop, and one too big.
vg mx-mtasts 0 --batch --cafile "$CA" --dns "$DNS_SERVER" \
    --dnssec-anchor "$DNS_ANCHOR" "mx://sts-enforce.$DNS_DOMAIN:$SMTP_PORT"
contains "$T/mx-mtasts.out" "MTA-STS: enforce, stsmx\\.$DNS_DOMAIN matches .*: pass" \
    "mx-mtasts: the policy fetched and passed"
vg mx-mtasts-big 0 --batch --cafile "$CA" --dns "$DNS_SERVER" \
    --dnssec-anchor "$DNS_ANCHOR" "mx://sts-big.$DNS_DOMAIN:$SMTP_PORT"
contains "$T/mx-mtasts-big.out" "policy unavailable: .* larger than 65536" \
    "mx-mtasts-big: unavailable, said"

vg imap-literal 0 --batch --starttls --cafile "$CA" -c "a LOGIN $USER $PASS" \
    -c "b SELECT INBOX" -c "c FETCH 1 BODY[]" "imap://127.0.0.1:$IMAP_PORT"
contains "$T/imap-literal.out" '^<~ \* 1 FETCH .*BODY\[\] \{[0-9]+\}$' \
    "imap-literal: the literal arrived"

vg pop3-retr 0 --batch --starttls --cafile "$CA" -c "USER $USER" \
    -c "PASS $PASS" -c "RETR 1" "pop3://127.0.0.1:$POP3_PORT"
contains "$T/pop3-retr.out" "^<~ Subject: $SMALL_MSG_SUBJECT" \
    "pop3-retr: the message arrived"

# A hostile server: NUL bytes, then response injection (exit 6).
if fake_start nul "$TOP/tests/hostile/b06-nul-bytes.case"; then
	vg hostile-nul 0 --batch --timeout 5 -c "EHLO me" \
	    "smtp://127.0.0.1:$FAKE_PORT"
	fake_wait
	contains "$T/hostile-nul.out" '^<- 250 ok\\0\\0\\0 three' \
	    "hostile-nul: NUL bytes shown"
else
	fail "hostile-nul: the fake server did not start"
fi
H_DIR=$T/certs
mkdir -p "$H_DIR"
cp "$CA" "$H_DIR/ca.pem"
cp "$GOOD_CERT" "$H_DIR/good.pem"
cp "$GOOD_KEY" "$H_DIR/good.key"
export H_DIR
if fake_start inject "$TOP/tests/hostile/a02-smtp-inject-allowed.case"; then
	vg hostile-inject 6 --batch --timeout 5 --starttls --allow-injection \
	    --cafile "$CA" "smtp://127.0.0.1:$FAKE_PORT"
	fake_wait
	contains "$T/hostile-inject.out" '\[injected\]$' \
	    "hostile-inject: injection flagged"
else
	fail "hostile-inject: the fake server did not start"
fi

# The lab in the same process, and the probe against a lab.
vg lab-pop3 6 --lab inject-response --lab-proto pop3 --batch --starttls
contains "$T/lab-pop3.out" 'response injection' "lab-pop3: injection said"
"$MS" lab --scenario inject-command --keep-certs "$T/lab" \
    > "$T/lab.out" 2>&1 &
lab=$!
i=50
while [ "$i" -gt 0 ] && ! grep -q '^  submission' "$T/lab.out"; do
	i=$((i - 1))
	sleep 0.1
done
port=$(sed -n 's/^  submission *127.0.0.1:\([0-9]*\).*/\1/p' "$T/lab.out")
vg probe 7 probe --timeout 5 --cafile "$T/lab/ca.pem" \
    "smtp://127.0.0.1:$port"
contains "$T/probe.out" '^  bad +command-injection +VULNERABLE' \
    "probe: command injection found"
kill "$lab" 2> /dev/null
wait "$lab" 2> /dev/null

# The interactive screen: a lab session, a command, :quit.
tui_start vg 100 30 valgrind -q --leak-check=full \
    --show-leak-kinds=definite --errors-for-leak-kinds=definite \
    --error-exitcode=99 --log-file="$T/tui.vg" "$MS" --lab
if tui_wait vg 'S: +220 ' 60; then
	tui_line vg 'NOOP'
	tui_wait vg 'S: +250 ' 30
	tui_line vg ':quit'
fi
i=600
while [ "$i" -gt 0 ] && [ -z "$(tui_exit vg)" ]; do
	i=$((i - 1))
	sleep 0.1
done
rc=$(tui_exit vg)
if [ "$rc" = 0 ] && [ ! -s "$T/tui.vg" ]; then
	pass "valgrind tui: exit 0, no memcheck error or leak"
else
	fail "valgrind tui: exit '$rc', memcheck says:"
	head -n 30 "$T/tui.vg"
	cat "$T/vg.screen" 2> /dev/null
fi
