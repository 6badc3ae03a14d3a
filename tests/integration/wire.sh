#!/bin/sh
# SPDX-License-Identifier: ISC
# What goes out in groups, chunks and literals, against the test Postfix
# and Dovecot: a pipelined MAIL/RCPT/RCPT/DATA group with its replies
# matched (and a fake server without PIPELINING), BDAT of a typed chunk
# and of a file, --append of a 2 MB message with empty lines and dot
# lines fetched back byte for byte, a literal typed across lines, and
# --idle seeing a delivery.  The messages are checked in the mailbox
# over IMAP with Python's imaplib, not with mailscope.
. "$(dirname "$0")/../lib.sh"
need_servers

MS=$MAILSCOPE
SMTP=smtp://127.0.0.1:$SMTP_PORT
IMAP=imap://127.0.0.1:$IMAP_PORT
run() {
	# run NAME ARGS...: mailscope's output in $T/NAME, its status in
	# $T/NAME.rc
	_n=$1
	shift
	"$MS" --timeout 20 "$@" > "$T/$_n" 2>&1
	echo $? > "$T/$_n.rc"
}

# imapget SUBJECT [FILE]: 0 if INBOX holds a message with SUBJECT; with
# FILE, its bytes as fetched are written there.
imapget() {
	python3 -S - "$IMAP_PORT" "$MAIL_USER" "$MAIL_PASS" "$1" "${2:-}" \
	    "${3:-INBOX}" << 'PY'
import imaplib, sys
port, user, pw, subj, out, box = sys.argv[1:7]
m = imaplib.IMAP4("127.0.0.1", int(port))
m.login(user, pw)
m.select('"%s"' % box, readonly=True)
typ, data = m.search(None, "SUBJECT", '"%s"' % subj)
ids = data[0].split()
if not ids:
    sys.exit(1)
if out:
    typ, data = m.fetch(ids[-1], "(BODY.PEEK[])")
    open(out, "wb").write(data[0][1])
m.logout()
PY
}

# --- pipelining against Postfix -----------------------------------------
s="pipelined $$"
run pipe --pipeline -c 'EHLO wire.test' -c 'MAIL FROM:<bob@mail.test>' \
    -c "RCPT TO:<$MAIL_USER@mail.test>" -c "RCPT TO:<postmaster@mail.test>" \
    -c DATA -c "Subject: $s" -c '' -c 'hello' -c '.' "$SMTP"
rc pipe 0 "pipeline: exit 0"
contains "$T/pipe" '^-> MAIL FROM:<bob@mail.test>  \[pipelined\]$' "pipeline: MAIL goes in the group"
contains "$T/pipe" '^-> DATA  \[pipelined\]$' "pipeline: DATA ends the group"
contains "$T/pipe" '^<- 250 2\.1\.0 .*\[pipelined: answers MAIL\]$' "pipeline: the first reply answers MAIL"
test "$(grep -c 'answers RCPT\]$' "$T/pipe")" = 2 &&
    pass "pipeline: two replies answer the two RCPTs" ||
    fail "pipeline: two replies answer the two RCPTs"
contains "$T/pipe" '^<- 354 .*\[pipelined: answers DATA\]$' "pipeline: 354 answers DATA"
# The four commands before the first reply: in the transcript's order.
awk '/^-> MAIL/{m=NR} /^<- 250 2\.1\.0/{r=NR} /^-> DATA/{d=NR}
    END{exit !(m && d && r && m < d && d < r)}' "$T/pipe" &&
    pass "pipeline: the whole group went before the first reply" ||
    fail "pipeline: the whole group went before the first reply"
lacks "$T/pipe" '^-> (Subject|hello).*\[pipelined\]$' "pipeline: message lines are not part of a group"
check "pipeline: the message landed in the mailbox" imapget "$s"

# A server that waits for nothing: it reads the group before replying.
cat > "$T/pipe.case" << 'CASE'
send 220 fake.test ESMTP\r\n
expect ^EHLO
send 250-fake.test\r\n250 PIPELINING\r\n
expect ^MAIL
expect ^RCPT
expect ^RCPT
expect ^DATA
send 250 ok\r\n250 ok\r\n550 5.1.1 no such user\r\n354 go\r\n
expect ^x$
expect ^\.$
send 250 queued\r\n
expect ^QUIT
send 221 bye\r\n
close
CASE
if fake_start pipefake "$T/pipe.case"; then
	run pipefake --pipeline -c 'EHLO me' -c 'MAIL FROM:<a@b>' \
	    -c 'RCPT TO:<c@d>' -c 'RCPT TO:<e@f>' -c DATA -c x -c . \
	    "smtp://127.0.0.1:$FAKE_PORT"
	fake_wait
	rc pipefake 0 "pipeline (fake): exit 0"
	lacks "$FAKE_LOG" "mismatch|timeout" "pipeline (fake): the server read the whole group before any reply"
	contains "$T/pipefake" '^<- 550 5\.1\.1 .*answers RCPT\]$' "pipeline (fake): the refusal is matched to the second RCPT"
else
	fail "pipeline (fake): fake server did not start"
fi

# Without PIPELINING: a warning, and one command at a time.
cat > "$T/nopipe.case" << 'CASE'
send 220 fake.test ESMTP\r\n
expect ^EHLO
send 250-fake.test\r\n250 8BITMIME\r\n
expect ^MAIL
send 250 ok\r\n
expect ^RCPT
send 250 ok\r\n
expect ^QUIT
send 221 bye\r\n
close
CASE
if fake_start nopipe "$T/nopipe.case"; then
	run nopipe --pipeline -c 'EHLO me' -c 'MAIL FROM:<a@b>' \
	    -c 'RCPT TO:<c@d>' "smtp://127.0.0.1:$FAKE_PORT"
	fake_wait
	rc nopipe 0 "no PIPELINING: exit 0"
	contains "$T/nopipe" '^\*\* the server does not offer PIPELINING \(RFC 2920\).*one command at a time$' "no PIPELINING: warned first"
	lacks "$T/nopipe" 'pipelined' "no PIPELINING: nothing went in a group"
	lacks "$FAKE_LOG" "mismatch|timeout" "no PIPELINING: each command after its reply"
else
	fail "no PIPELINING: fake server did not start"
fi
expect_exit 1 "--pipeline is refused for IMAP" "$MS" --pipeline -c x "$IMAP"

# --- BDAT --------------------------------------------------------------
s="typed chunk $$"
body="Subject: $s"
n=$((${#body} + 2 + 2 + 5))
run bdat -c 'EHLO wire.test' -c 'MAIL FROM:<bob@mail.test>' \
    -c "RCPT TO:<$MAIL_USER@mail.test>" -c "BDAT $n LAST" -c "$body" \
    -c '' -c 'hi!' -c 'NOOP' "$SMTP"
rc bdat 0 "BDAT typed: exit 0"
contains "$T/bdat" "^<- 250 2\.0\.0 Ok: [0-9]+ bytes queued" "BDAT typed: the chunk is accepted"
awk '/^-> BDAT/{b=NR} /^-> hi!$/{h=NR} /bytes queued/{q=NR}
    END{exit !(b && h && q && b < h && h < q)}' "$T/bdat" &&
    pass "BDAT typed: the chunk went before the reply" ||
    fail "BDAT typed: the chunk went before the reply"
contains "$T/bdat" '^<- 250 2\.0\.0 Ok$' "BDAT typed: NOOP after the chunk is a command again"
check "BDAT typed: the message landed" imapget "$s"

s="bdat file $$"
python3 -S - "$T/bdat.eml" "$s" << 'PY'
import sys
out = bytearray(b"Subject: " + sys.argv[2].encode() + b"\r\n\r\n")
i = 0
while len(out) < 2500 * 1024:
    out += b"line %d\r\n" % i + (b".dot\r\n\r\n" if i % 97 == 0 else b"")
    i += 1
open(sys.argv[1], "wb").write(out)
PY
run bdatfile -c 'EHLO wire.test' -c 'MAIL FROM:<bob@mail.test>' \
    -c "RCPT TO:<$MAIL_USER@mail.test>" -c ":bdat $T/bdat.eml" "$SMTP"
rc bdatfile 0 "BDAT file: exit 0"
test "$(grep -c '^-> BDAT' "$T/bdatfile")" = 3 &&
    pass "BDAT file: 2.5 MB in three chunks of 1 MiB" ||
    fail "BDAT file: 2.5 MB in three chunks of 1 MiB"
contains "$T/bdatfile" "^-> BDAT [0-9]+ LAST  \[pipelined\]$" "BDAT file: the last chunk says LAST"
contains "$T/bdatfile" "bytes queued .*answers BDAT\]$" "BDAT file: the replies are matched"
check "BDAT file: the message landed" imapget "$s"
run nochunk -c 'MAIL FROM:<bob@mail.test>' -c ":bdat $T/bdat.eml" "$SMTP"
contains "$T/nochunk" 'not sent: the server does not offer CHUNKING \(RFC 3030\); EHLO first' "BDAT file: refused before the capabilities are known"

# --- IMAP literals -------------------------------------------------------
s="append $$"
python3 -S - "$T/big.eml" "$s" << 'PY'
import sys
out = bytearray(b"From: bob@mail.test\r\nSubject: " +
    sys.argv[2].encode() + b"\r\n\r\n")
i = 0
while len(out) < 2 * 1024 * 1024:
    out += b"line %d of the message\r\n" % i
    if i % 50 == 0:
        out += b"\r\n"
    if i % 70 == 0:
        out += b".dot line\r\n.\r\n..\r\n"
    i += 1
open(sys.argv[1], "wb").write(out)
PY
run append -c "a LOGIN $MAIL_USER $MAIL_PASS" -c 'a CREATE Wire' \
    --append Wire --data "$T/big.eml" "$IMAP"
rc append 0 "--append: exit 0"
contains "$T/append" "^-> a[0-9]+ APPEND Wire \{$(wc -c < "$T/big.eml")\+\}$" "--append: LITERAL+ is used when offered"
contains "$T/append" '^<- a[0-9]+ OK \[APPENDUID ' "--append: the server took it"
if imapget "$s" "$T/big.back" Wire; then
	a=$(sha256sum < "$T/big.eml")
	b=$(sha256sum < "$T/big.back")
	test "$a" = "$b" && pass "--append: 2 MB fetched back byte for byte (sha256)" ||
	    fail "--append: 2 MB fetched back byte for byte (sha256)"
else
	fail "--append: the message is in the mailbox"
fi
# The message from standard input.
s="stdin append $$"
printf 'Subject: %s\r\n\r\nx\r\n' "$s" | "$MS" --timeout 20 \
    -c "a LOGIN $MAIL_USER $MAIL_PASS" --append Wire --data - "$IMAP" \
    > "$T/stdin" 2>&1
check "--data -: the message from standard input landed" imapget "$s" "" Wire
expect_exit 1 "--append without --data is a usage error" "$MS" --append INBOX "$IMAP"

# A synchronising literal typed across lines: "+" first, then the lines
# (an empty one among them), each with its CRLF, then the end of the
# command.
s="typed literal $$"
l1="Subject: $s"
n=$((${#l1} + 2 + 2 + 4))
run literal -c "a LOGIN $MAIL_USER $MAIL_PASS" -c "b APPEND INBOX {$n}" \
    -c "$l1" -c '' -c 'hi' -c '' -c 'c NOOP' "$IMAP"
rc literal 0 "typed literal: exit 0"
awk '/^-> b APPEND/{a=NR} /^<- \+ /{p=NR} /^-> hi$/{h=NR}
    END{exit !(a && p && h && a < p && p < h)}' "$T/literal" &&
    pass "typed literal: the lines wait for the server's +" ||
    fail "typed literal: the lines wait for the server's +"
contains "$T/literal" '^<- b OK .*Append completed' "typed literal: APPEND completed"
contains "$T/literal" '^<- c OK ' "typed literal: the next command is one again"
check "typed literal: the message landed" imapget "$s"

# --- IDLE --------------------------------------------------------------
"$MS" --timeout 20 -c "a LOGIN $MAIL_USER $MAIL_PASS" -c 'a SELECT INBOX' \
    --idle 5 "$IMAP" > "$T/idle" 2>&1 &
idle_pid=$!
i=0
while ! grep -q '^<- + ' "$T/idle" 2> /dev/null && [ "$i" -lt 200 ]; do
	i=$((i + 1))
	sleep 0.05
done
printf 'Subject: idle %s\r\n\r\nx\r\n' $$ > "$T/idle.eml"
run deliver -c 'EHLO wire.test' -c 'MAIL FROM:<bob@mail.test>' \
    -c "RCPT TO:<$MAIL_USER@mail.test>" -c ":bdat $T/idle.eml" "$SMTP"
wait "$idle_pid"
echo $? > "$T/idle.rc"
rc idle 0 "--idle: exit 0"
contains "$T/idle" '^-> a[0-9]+ IDLE$' "--idle: IDLE sent after the script"
contains "$T/idle" '^<- \* [0-9]+ EXISTS$' "--idle: the delivery is seen (* n EXISTS)"
awk '/^-> a[0-9]+ IDLE$/{i=NR} /^<- \* [0-9]+ EXISTS$/{if(i)e=NR}
    /^-> DONE$/{d=NR} END{exit !(i && e && d && e < d)}' "$T/idle" &&
    pass "--idle: the update came before DONE" ||
    fail "--idle: the update came before DONE"
contains "$T/idle" '^<- a[0-9]+ OK Idle completed' "--idle: DONE ends it"
expect_exit 1 "--idle is for IMAP" "$MS" --idle 1 "$SMTP"

# --- the screen (tmux): an empty line inside DATA, a literal typed across
# lines, :pipeline, :append ------------------------------------------------
tui() {
	# tui NAME URL
	tui_stop "$1"
	tui_start "$1" 120 40 sh -c '"$@"; echo "MAILSCOPE-EXIT=$?"; exec sleep 600' \
	    sh env LANG=C.UTF-8 XDG_STATE_HOME="$T/state" \
	    XDG_CONFIG_HOME="$T/config" "$MS" --timeout 20 \
	    --allow-plaintext-auth "$2"
}
typed() {
	# typed NAME TEXT: the text, then Enter
	tui_keys "$1" -l "$2"
	tui_keys "$1" Enter
}
s="tui data $$"
tui sd "$SMTP"
tui_wait sd 'smtp> *$' || fail "screen: no prompt (SMTP)"
typed sd 'EHLO wire.test'
tui_wait sd 'S: +250 CHUNKING'
typed sd ":pipeline MAIL FROM:<bob@mail.test>; RCPT TO:<$MAIL_USER@mail.test>; DATA"
tui_wait sd 'DATA> *$' && pass "screen: :pipeline reaches DATA" ||
    fail "screen: :pipeline reaches DATA"
contains "$T/sd.screen" 'S: +250 2\.1\.5 Ok.*pipelined: answers RCPT' "screen: the reply is matched to RCPT"
typed sd "Subject: $s"
tui_wait sd "C: +Subject: $s"
typed sd ''
typed sd 'body'
tui_wait sd 'C: +body'
tui_screen sd > "$T/sd.screen"
contains "$T/sd.screen" 'C: +⏎ empty line' "screen: the empty line inside DATA is sent and shown"
typed sd '.'
tui_wait sd 'queued as' && pass "screen: the message is queued" ||
    fail "screen: the message is queued"
typed sd ':quit'
check "screen: the message with its empty line landed" imapget "$s"
tui_stop sd

s="tui literal $$"
l1="Subject: $s"
n=$((${#l1} + 2 + 2 + 4))
tui sl "$IMAP"
tui_wait sl 'imap> *$' || fail "screen: no prompt (IMAP)"
typed sl "a LOGIN $MAIL_USER $MAIL_PASS"
tui_wait sl 'Logged in'
typed sl "b APPEND Wire {$n}"
tui_wait sl "literal $n> *\$" && pass "screen: the prompt counts the literal's bytes" ||
    fail "screen: the prompt counts the literal's bytes"
typed sl "$l1"
typed sl ''
tui_wait sl "literal 4> *\$" && pass "screen: an empty line counts two bytes" ||
    fail "screen: an empty line counts two bytes"
typed sl 'hi'
typed sl ''
tui_wait sl 'b OK .*Append completed' && pass "screen: the literal typed across lines is appended" ||
    fail "screen: the literal typed across lines is appended"
printf 'Subject: tui append %s\r\n\r\nx\r\n' $$ > "$T/tui.eml"
typed sl ":append Wire $T/tui.eml"
tui_wait sl 'APPEND Wire \{[0-9]+\+\}' && pass "screen: :append sends the file as a literal" ||
    fail "screen: :append sends the file as a literal"
typed sl ':quit'
check "screen: the typed literal landed" imapget "$s" "" Wire
tui_wait sl 'MAILSCOPE-EXIT=0' && pass "screen: exit 0" || fail "screen: exit 0"
check "screen: the :append file landed" imapget "tui append $$" "" Wire
tui_stop sl
