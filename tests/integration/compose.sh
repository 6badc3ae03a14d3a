#!/bin/sh
# SPDX-License-Identifier: ISC
# A composed test message through the test Postfix, swaks-style: EHLO,
# STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT; delivered (found in alice's
# maildir through Dovecot's LMTP) with its headers, its dot lines and
# CRLF; --data - from standard input; --quit-after at each stage with
# its exit code; a refusal at each stage with its own; the usage errors.
. "$(dirname "$0")/../lib.sh"

need_servers
MS=$MAILSCOPE
NEW=$SERVERS_DIR/dovecot/home/$USER/Maildir/new
pwfile=$T/password
printf '%s\n' "$PASS" > "$pwfile"
chmod 600 "$pwfile"
tag=$$-$(date +%s)

# send NAME EXIT ARGS...: transcript and stderr in $T/NAME.
send() {
	_name=$1
	_want=$2
	shift 2
	timeout 60 "$MS" --cafile "$CA" "$@" > "$T/$_name" 2>&1
	echo $? > "$T/$_name.rc"
	rc "$_name" "$_want" "$_name: exit $_want"
}

# delivered SUBJECT: the file in alice's maildir with that subject,
# waiting for the delivery to happen (Postfix hands it to LMTP).
delivered() {
	_i=0
	while [ "$_i" -lt 300 ]; do
		_f=$(grep -lsF "Subject: $1" "$NEW"/* 2> /dev/null | head -n 1)
		[ -n "$_f" ] && { echo "$_f"; return 0; }
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# The mailbox's own messages get their numbers first (1 the small one,
# 2 the big one, as the other suites expect): Dovecot numbers what is in
# new/ when the mailbox is first opened, a delivery before that could
# come first.
timeout 60 "$MS" --batch --cafile "$CA" -c "a LOGIN $USER $PASS" \
    -c 'b SELECT INBOX' "imaps://127.0.0.1:$IMAPS_PORT" < /dev/null \
    > "$T/select" 2>&1
contains "$T/select" '^<~ b OK ' "INBOX opened before anything is delivered"

# --- a message with AUTH over submission, dot lines in its body -------------
body=$(printf 'first line\n.\n..two dots\n.hidden\nlast line')
send full 0 --auth plain --auth-user "$USER" --auth-password-file "$pwfile" \
    --from "$USER@mail.test" --to "$USER@mail.test" \
    --header "Subject: compose-$tag" --header 'X-Test: one' --body "$body" \
    "submission://127.0.0.1:$SUBMIT_PORT"
for step in '^-> EHLO ' '^-> STARTTLS' '^~> EHLO ' '^~> AUTH PLAIN \[redacted' \
    '^<~ 235 ' "^~> MAIL FROM:<$USER@mail.test>" "^~> RCPT TO:<$USER@mail.test>" \
    '^~> DATA' '^<~ 354 ' '^<~ 250 2\.0\.0 Ok: queued' '^~> QUIT'; do
	contains "$T/full" "$step" "full: the step /$step/"
done
contains "$T/full" '^~> \.  \[dot-stuffed\]$' "full: a lone dot in the body went stuffed"
contains "$T/full" '^~> \.\.two dots  \[dot-stuffed\]$' "full: '..two dots' went stuffed"
contains "$T/full" '^~> \.hidden  \[dot-stuffed\]$' "full: '.hidden' went stuffed"
contains "$T/full" '^~> \.$' "full: the message ended with a lone dot"
lacks "$T/full" "$PASS" "full: the password not shown"
if f=$(delivered "compose-$tag"); then
	pass "full: delivered to alice's mailbox"
	cp "$f" "$T/full.eml"
	contains "$T/full.eml" '^X-Test: one' "full: the added header arrived"
	contains "$T/full.eml" '^Date: ' "full: a Date"
	contains "$T/full.eml" '^Message-ID: <' "full: a Message-ID"
	contains "$T/full.eml" "^From: $USER@mail.test" "full: From"
	contains "$T/full.eml" "^To: $USER@mail.test" "full: To"
	lacks "$T/full.eml" '^Subject: test ' "full: the default Subject replaced"
	python3 -S - "$T/full.eml" > "$T/full.body" << 'EOF'
import sys
d = open(sys.argv[1], "rb").read()
# Dovecot stores lines with LF.
print(repr(d.split(b"\n\n", 1)[1]))
EOF
	contains "$T/full.body" "^b'first line\\\\n\\.\\\\n\\.\\.two dots\\\\n\\.hidden\\\\nlast line\\\\n'$" \
	    "full: the body arrived line for line, dots unstuffed"
else
	fail "full: delivered to alice's mailbox (no Subject: compose-$tag in $NEW)"
fi

# --- the message from standard input, no AUTH over port 25 -------------------
printf 'Subject: stdin-%s\nFrom: bob@mail.test\n\nfrom standard input\r\n.\nend\n' \
    "$tag" > "$T/stdin.eml"
send stdin 0 --from bob@mail.test --to "$USER@mail.test" --data - \
    "smtp://127.0.0.1:$SMTP_PORT" < "$T/stdin.eml"
contains "$T/stdin" '^-> STARTTLS' "stdin: STARTTLS, offered, taken"
lacks "$T/stdin" '^~> AUTH' "stdin: no AUTH unasked"
contains "$T/stdin" '^~> Subject: stdin-' "stdin: the file's own headers sent"
lacks "$T/stdin" '^~> Date: ' "stdin: nothing added to a --data message"
if f=$(delivered "stdin-$tag"); then
	pass "stdin: delivered"
	contains "$f" '^\.$' "stdin: the lone dot line arrived as a dot"
	contains "$f" '^end' "stdin: ... and what followed it too"
else
	fail "stdin: delivered (no Subject: stdin-$tag in $NEW)"
fi

# --- --quit-after at each stage ---------------------------------------------
M="--from $USER@mail.test --to $USER@mail.test"
A="--auth plain --auth-user $USER --auth-password-file $pwfile"
SUB=submission://127.0.0.1:$SUBMIT_PORT
send qa-connect 0 --quit-after connect $M "$SUB"
lacks "$T/qa-connect" '^-> ' "quit-after connect: nothing sent"
send qa-greeting 0 --quit-after greeting $M "$SUB"
contains "$T/qa-greeting" '^-> QUIT' "quit-after greeting: QUIT"
lacks "$T/qa-greeting" '^-> EHLO' "quit-after greeting: no EHLO"
send qa-ehlo 0 --quit-after ehlo $M "$SUB"
contains "$T/qa-ehlo" '^-> EHLO' "quit-after ehlo: EHLO"
lacks "$T/qa-ehlo" '^-> STARTTLS' "quit-after ehlo: no STARTTLS"
send qa-tls 0 --quit-after tls $M "$SUB"
contains "$T/qa-tls" '^~> EHLO' "quit-after tls: EHLO again inside TLS"
contains "$T/qa-tls" '^~> QUIT' "quit-after tls: QUIT"
lacks "$T/qa-tls" 'MAIL FROM' "quit-after tls: no MAIL"
send qa-auth 0 --quit-after auth $A $M "$SUB"
contains "$T/qa-auth" '^<~ 235 ' "quit-after auth: logged in"
lacks "$T/qa-auth" 'MAIL FROM' "quit-after auth: no MAIL"
send qa-mail 0 --quit-after mail $A $M "$SUB"
contains "$T/qa-mail" '^~> MAIL FROM' "quit-after mail: MAIL"
lacks "$T/qa-mail" 'RCPT TO' "quit-after mail: no RCPT"
send qa-rcpt 0 --quit-after rcpt $A $M "$SUB"
contains "$T/qa-rcpt" '^~> RCPT TO' "quit-after rcpt: RCPT"
lacks "$T/qa-rcpt" '^~> DATA' "quit-after rcpt: no DATA"
send qa-data 0 --quit-after data $A $M --header "Subject: qa-data-$tag" "$SUB"
contains "$T/qa-data" '^<~ 354 ' "quit-after data: the go-ahead"
contains "$T/qa-data" 'closed at the go-ahead, no message sent' \
    "quit-after data: closed, said"
lacks "$T/qa-data" '^~> Subject' "quit-after data: no message line sent"
# Whatever Postfix did with the cut message, it is not delivered: the
# full message above was, after this one's test ran.
if grep -lsF "Subject: qa-data-$tag" "$NEW"/* > /dev/null 2>&1; then
	fail "quit-after data: nothing delivered"
else
	pass "quit-after data: nothing delivered"
fi

# --- where a refusal stops, and its code --------------------------------------
MAILSCOPE_PASSWORD=not-$PASS send refused-auth 10 --auth plain \
    --auth-user "$USER" $M "$SUB"
contains "$T/refused-auth" 'stopped at auth: the server refused it' \
    "refused-auth: said"
lacks "$T/refused-auth" 'MAIL FROM' "refused-auth: no MAIL"
send refused-mail 11 --from 'a b@mail.test' --to "$USER@mail.test" \
    "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/refused-mail" 'stopped at mail' "refused-mail: said"
send refused-rcpt 12 --from "$USER@mail.test" --to 'a b@mail.test' \
    "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/refused-rcpt" 'stopped at rcpt' "refused-rcpt: said"
lacks "$T/refused-rcpt" '^~> DATA' "refused-rcpt: no DATA"
send one-rcpt-of-two 0 --from "$USER@mail.test" --to 'a b@mail.test' \
    --to "$USER@mail.test" --header "Subject: two-$tag" \
    "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/one-rcpt-of-two" '^~> DATA' "one recipient of two refused: DATA still"
send require-tls 3 --require-tls $M "smtp://127.0.0.1:$NOTLS_PORT"
contains "$T/require-tls" 'STARTTLS not offered by the server; --require-tls stops here' \
    "--require-tls, no STARTTLS: said"
lacks "$T/require-tls" 'MAIL FROM' "--require-tls, no STARTTLS: no MAIL"
send plain-ok 0 $M --header "Subject: plain-$tag" "smtp://127.0.0.1:$NOTLS_PORT"
lacks "$T/plain-ok" '^-> STARTTLS' "no STARTTLS offered, no --require-tls: no STARTTLS"
contains "$T/plain-ok" '^<- 250 2\.0\.0 Ok: queued' "no STARTTLS offered, no --require-tls: sent in plaintext"

# --- usage, before connecting -----------------------------------------------
send usage-to 1 --from a@mail.test "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/usage-to" 'at least one --to' "--from without --to: exit 1, said"
send usage-imap 1 $M "imap://127.0.0.1:$IMAP_PORT"
contains "$T/usage-imap" 'for SMTP or LMTP' "a message to IMAP: exit 1, said"
send usage-both 1 $M --body x --data "$T/stdin.eml" "smtp://127.0.0.1:$SMTP_PORT"
send usage-stage 1 --quit-after helo $M "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/usage-stage" 'connect, greeting, ehlo, tls, auth, mail, rcpt or data' \
    "--quit-after: the stages listed"
send usage-nomsg 1 --quit-after rcpt "smtp://127.0.0.1:$SMTP_PORT"
send usage-script 1 $M -c 'NOOP' "smtp://127.0.0.1:$SMTP_PORT"
send usage-data 1 $M --data "$T/missing.eml" "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/usage-data" 'missing.eml' "--data of a missing file: named"
send usage-header 1 $M --header 'no colon' "smtp://127.0.0.1:$SMTP_PORT"
send usage-user 1 --auth plain "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/usage-user" 'needs --auth-user' "--auth without a user: said"

# --- --help and the man page name the options --------------------------------
"$MS" --help > "$T/help" 2>&1
groff -man -Tascii -P-cbou "$TOP/mailscope.1" > "$T/man.txt" 2> /dev/null
for o in auth auth-user auth-password-file auth-token-file from to header \
    body data quit-after; do
	contains "$T/help" "--$o( |,|$)" "--help: --$o"
	contains "$T/man.txt" "--$o" "man page: --$o"
	contains "$TOP/README.md" "--$o" "README: --$o"
done
