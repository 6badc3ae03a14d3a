#!/bin/sh
# SPDX-License-Identifier: ISC
# Redaction of every mechanism: scripted servers accept SMTP AUTH PLAIN
# (initial response and after 334), AUTH LOGIN (both answers, and the user
# as initial response), CRAM-MD5, XOAUTH2, OAUTHBEARER; IMAP LOGIN (quoted,
# atom, literal) and AUTHENTICATE (continuation and SASL-IR); POP3 PASS,
# APOP and AUTH; and :raw.  Each session runs in batch mode with --record
# and typed into the screen; the secret and every encoding of it are
# searched for in the output, the recording, the three exports, the screen
# captures and the history: never found.  --no-redact marks the header.
# A message body's "+" lines are content: the next command stays shown.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
UI=$MAILSCOPE
[ -x "$ASAN_MAILSCOPE" ] && UI=$ASAN_MAILSCOPE
rm -rf "$T"/*.jsonl "$T"/smtp "$T"/imap "$T"/pop3 "$T"/*.screens
# A session that lives as long as the test keeps the tmux server up
# between the sessions under test.
tui_start keep 20 5 "sleep 600"
# Each screen session with a history of its own: $T/NAME/mailscope/history.
ENV="env LANG=C.UTF-8 TERM=tmux-256color XDG_CONFIG_HOME=$T/config"

b64() {
	base64 | tr -d '\n'
}

PW=Sekr1t-Pw0rd-42
PLAIN=$(printf '\0alice\0%s' "$PW" | b64)
USER64=$(printf alice | b64)
PW64=$(printf '%s' "$PW" | b64)
CRAMHEX=$(printf '<1896.697170952@mailscope.test>%s' "$PW" | md5sum | cut -c1-32)
CRAM=$(printf 'alice %s' "$CRAMHEX" | b64)
XOAUTH=$(printf 'user=alice\001auth=Bearer %s\001\001' "$PW" | b64)
OAUTHB=$(printf 'n,a=alice,\001host=mail.test\001port=587\001auth=Bearer %s\001\001' "$PW" | b64)
APOP=$(printf '<1896.697170952@mailscope.test>%s' "$PW" | md5sum | cut -c1-32)
# The real CRAM-MD5 answer (RFC 2195: HMAC-MD5 keyed with the password).
CRAMOK=$(python3 -c 'import base64, hashlib, hmac, sys
d = hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.md5)
print(base64.b64encode(("alice " + d.hexdigest()).encode()).decode())' \
    "$PW" '<1896.697170952@mailscope.test>')
NP=${#PLAIN}
SECRETS="$PW $PLAIN $PW64 $CRAMHEX $CRAM $CRAMOK $XOAUTH $OAUTHB $APOP"

# leaks WHAT FILE...: no secret in any of the files.
leaks() {
	_what=$1
	shift
	_found=
	for _f in "$@"; do
		for _s in $SECRETS; do
			grep -qF -- "$_s" "$_f" && _found="$_found $(basename "$_f"):$_s"
		done
	done
	[ -z "$_found" ] && pass "$_what: no secret in $#" "files" ||
	    fail "$_what: secret found in$_found"
}

# record NAME URL ARGS...: a batch session with --record, then the three
# exports; the secret is searched for in all of them.
record() {
	_n=$1
	_url=$2
	shift 2
	timeout 30 "$MS" --batch --record "$T/$_n.jsonl" "$@" "$_url" \
	    < /dev/null > "$T/$_n.out" 2>&1
	for _f in txt md html; do
		"$MS" export --format "$_f" -o "$T/$_n.$_f" "$T/$_n.jsonl" \
		    2>> "$T/$_n.out"
	done
	leaks "$_n (batch)" "$T/$_n.out" "$T/$_n.jsonl" "$T/$_n.txt" \
	    "$T/$_n.md" "$T/$_n.html"
}

# type NAME LINE ERE: type LINE on the screen, wait until ERE shows, keep
# every screen seen in $T/NAME.screens.
type_line() {
	tui_line "$1" "$2"
	tui_wait "$1" "$3" || fail "$1: '$3' never showed"
	cat "$T/$1.screen" >> "$T/$1.screens"
}

# run_batch P: the lines of $T/P.lines as a batch script against the fake
# server playing $T/P.case, recorded and exported (record).
run_batch() {
	fake_start "$1" "$T/$1.case" || fail "$1: fake server did not start"
	cut -d'|' -f1 "$T/$1.lines" > "$T/$1.script"
	record "$1" "$1://127.0.0.1:$FAKE_PORT" --script "$T/$1.script"
	fake_wait
	lacks "$FAKE_LOG" '^I: mismatch' "$1: the server saw every line it expected"
}

# run_tui P GREETING: the same lines typed on the screen; the secret is
# in no screen and not in the history.
run_tui() {
	fake_start "$1-tui" "$T/$1.case" || fail "$1-tui: fake server did not start"
	# Plaintext on purpose: consent, so no line waits for a yes.
	tui_start "$1" 130 40 "$ENV XDG_STATE_HOME=$T/$1 $UI --allow-plaintext-auth $1://127.0.0.1:$FAKE_PORT 2> $T/$1-tui.err"
	tui_wait "$1" "$2" || fail "$1-tui: greeted"
	while IFS='|' read -r line want; do
		type_line "$1" "$line" "$want"
	done < "$T/$1.lines"
	tui_keys "$1" C-d
	fake_wait
	tui_stop "$1"
	lacks "$FAKE_LOG" '^I: mismatch' "$1-tui: the server saw every line it expected"
	leaks "$1 (screen, history)" "$T/$1.screens" "$T/$1/mailscope/history"
}

# --- SMTP ------------------------------------------------------------------
cat > "$T/smtp.case" << 'EOF'
send 220 fake.test ESMTP\r\n
expect ^EHLO
send 250-fake.test\r\n250 AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER\r\n
expect ^AUTH PLAIN .
send 535 5.7.8 no-1\r\n
expect ^AUTH PLAIN$
send 334 \r\n
read
send 535 5.7.8 no-2\r\n
expect ^AUTH LOGIN$
send 334 VXNlcm5hbWU6\r\n
read
send 334 UGFzc3dvcmQ6\r\n
read
send 535 5.7.8 no-3\r\n
expect ^AUTH LOGIN .
send 334 UGFzc3dvcmQ6\r\n
read
send 535 5.7.8 no-4\r\n
expect ^AUTH CRAM-MD5$
send 334 PDE4OTYuNjk3MTcwOTUyQG1haWxzY29wZS50ZXN0Pg==\r\n
read
send 535 5.7.8 no-5\r\n
expect ^AUTH XOAUTH2 .
send 535 5.7.8 no-6\r\n
expect ^AUTH OAUTHBEARER$
send 334 \r\n
read
send 535 5.7.8 no-7\r\n
expect ^AUTH PLAIN .
send 535 5.7.8 no-8\r\n
expect ^QUIT
send 221 2.0.0 bye\r\n
close
EOF
# SMTP: the client lines, and what the screen waits for after each.
cat > "$T/smtp.lines" << EOF
EHLO redact.test|250 AUTH
AUTH PLAIN $PLAIN|no-1
AUTH PLAIN|334
$PLAIN|no-2
AUTH LOGIN|334 VXNl
$USER64|334 UGFz
$PW64|no-3
AUTH LOGIN $USER64|334 UGFz
$PW64|no-4
AUTH CRAM-MD5|334 PDE4
$CRAM|no-5
AUTH XOAUTH2 $XOAUTH|no-6
AUTH OAUTHBEARER|S: +334 {10}
$OAUTHB|no-7
:raw AUTH PLAIN $PLAIN\\r\\n|no-8
EOF

run_batch smtp
contains "$FAKE_LOG" "^C: AUTH PLAIN $PLAIN" "smtp: the secret went on the wire (:raw too)"
f=$T/smtp.out
contains "$f" "^-> AUTH PLAIN \\[redacted: user=alice, $NP bytes\\]$" "smtp: AUTH PLAIN initial response"
contains "$f" "^-> \\[redacted: SASL response, user=alice, $NP bytes\\]$" "smtp: AUTH PLAIN after 334"
contains "$f" '^-> \[AUTH LOGIN user=alice\]$' "smtp: AUTH LOGIN user name kept"
contains "$f" '^-> \[redacted: AUTH LOGIN password, 20 bytes\]$' "smtp: AUTH LOGIN password"
contains "$f" '^-> AUTH LOGIN \[user=alice\]$' "smtp: AUTH LOGIN user as initial response"
contains "$f" '^-> \[redacted: SASL response, user=alice, [0-9]+ bytes\]$' "smtp: CRAM-MD5"
contains "$f" '^-> AUTH XOAUTH2 \[redacted: user=alice, [0-9]+ bytes\]$' "smtp: XOAUTH2"
contains "$f" "^-> AUTH PLAIN \\[redacted: user=alice, $NP bytes\\]\\\\r\\\\n$" "smtp: :raw"

# The same lines typed on the screen.
run_tui smtp "220 fake.test"
contains "$T/smtp.screens" 'AUTH XOAUTH2 \[redacted: user=alice' "smtp-tui: the screen shows the redacted forms"
contains "$T/smtp/mailscope/history" '^AUTH LOGIN$' "smtp-tui: lines without a secret are in the history"

# --- IMAP ------------------------------------------------------------------
cat > "$T/imap.case" << 'EOF'
send * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] fake\r\n
expect ^(\S+) LOGIN alice "
send ${1} NO no-1\r\n
expect ^(\S+) LOGIN alice [^"{]
send ${1} NO no-2\r\n
expect ^(\S+) LOGIN alice \{
send + go\r\n
read
send a003 NO no-3\r\n
expect ^(\S+) LOGIN \{5\}
send + go\r\n
read
send + go\r\n
read
send a004 NO no-4\r\n
expect ^(\S+) AUTHENTICATE PLAIN$
send + \r\n
read
send a005 NO no-5\r\n
expect ^(\S+) AUTHENTICATE PLAIN .
send ${1} NO no-6\r\n
expect ^(\S+) LOGOUT
send * BYE bye\r\n${1} OK bye\r\n
close
EOF
n=$(printf '%s' "$PW" | wc -c)
cat > "$T/imap.lines" << EOF
LOGIN alice "$PW"|no-1
LOGIN alice $PW|no-2
LOGIN alice {$n}|\\+ go
$PW|no-3
LOGIN {5}|\\+ go
alice {$n}|\\+ go
$PW|no-4
AUTHENTICATE PLAIN|S: +\\+ {10}
$PLAIN|no-5
AUTHENTICATE PLAIN $PLAIN|no-6
EOF
run_batch imap
contains "$FAKE_LOG" "^C: a001 LOGIN alice \"$PW\"" "imap: the secret went on the wire"
f=$T/imap.out
contains "$f" "^-> a001 LOGIN alice \\[redacted: $((n + 2)) bytes\\]$" "imap: LOGIN quoted"
contains "$f" "^-> a002 LOGIN alice \\[redacted: $n bytes\\]$" "imap: LOGIN atom"
contains "$f" "^-> \\[redacted: $n bytes\\]$" "imap: LOGIN literal"
contains "$f" '^-> alice \{[0-9]+\}$' "imap: the user name as a literal is kept"
contains "$f" "^-> \\[redacted: SASL response, user=alice, $NP bytes\\]$" "imap: AUTHENTICATE continuation"
contains "$f" "^-> a006 AUTHENTICATE PLAIN \\[redacted: user=alice, $NP bytes\\]$" "imap: AUTHENTICATE SASL-IR"

run_tui imap "OK .*fake"

# --- POP3 ------------------------------------------------------------------
cat > "$T/pop3.case" << 'EOF'
send +OK fake <1896.697170952@mailscope.test>\r\n
expect ^USER
send +OK go on\r\n
expect ^PASS
send -ERR no-1\r\n
expect ^APOP alice
send -ERR no-2\r\n
expect ^AUTH PLAIN$
send + \r\n
read
send -ERR no-3\r\n
expect ^AUTH PLAIN .
send -ERR no-4\r\n
expect ^AUTH LOGIN$
send + VXNlcm5hbWU6\r\n
read
send + UGFzc3dvcmQ6\r\n
read
send -ERR no-5\r\n
expect ^QUIT
send +OK bye\r\n
close
EOF
cat > "$T/pop3.lines" << EOF
USER alice|go on
PASS $PW|no-1
APOP alice $APOP|no-2
AUTH PLAIN|S: +\\+ {10}
$PLAIN|no-3
AUTH PLAIN $PLAIN|no-4
AUTH LOGIN|\\+ VXNl
$USER64|\\+ UGFz
$PW64|no-5
EOF
run_batch pop3
contains "$FAKE_LOG" "^C: PASS $PW" "pop3: the secret went on the wire"
f=$T/pop3.out
contains "$f" "^-> PASS \\[redacted: $n bytes\\]$" "pop3: PASS"
contains "$f" '^-> APOP alice \[redacted: 32 bytes\]$' "pop3: APOP keeps the user"
contains "$f" "^-> \\[redacted: SASL response, user=alice, $NP bytes\\]$" "pop3: AUTH continuation"
contains "$f" "^-> AUTH PLAIN \\[redacted: user=alice, $NP bytes\\]$" "pop3: AUTH initial response"
contains "$f" '^-> \[redacted: AUTH LOGIN password, 20 bytes\]$' "pop3: AUTH LOGIN password"

run_tui pop3 "OK fake"

# --- a message body is content: its "+" lines are no SASL challenge ---------
cat > "$T/body.case" << 'EOF'
send +OK fake POP3\r\n
expect ^USER alice$
send +OK\r\n
expect ^PASS 
send +OK logged in\r\n
expect ^RETR 1$
send +OK\r\n+ looks like a challenge\r\n+OK looks like a reply\r\n+\r\n.\r\n
expect ^DELE 1$
send +OK deleted\r\n
expect ^QUIT$
send +OK bye\r\n
close
EOF
fake_start body "$T/body.case" || fail "body: fake server did not start"
timeout 30 "$MS" --batch --record "$T/body.jsonl" -c "USER alice" \
    -c "PASS $PW" -c "RETR 1" -c "DELE 1" "pop3://127.0.0.1:$FAKE_PORT" \
    < /dev/null > "$T/body.out" 2>&1
fake_wait
contains "$T/body.out" '^<- \+ looks like a challenge$' "body: the + lines are shown"
contains "$T/body.out" '^-> DELE 1$' "body: the command after them is shown, not taken for a SASL answer"
contains "$T/body.jsonl" '"text":"DELE 1"' "body: and recorded as sent"
leaks "body" "$T/body.out" "$T/body.jsonl"

# --- :auth drives the exchange itself ---------------------------------------
# No mechanism named: CRAM-MD5 is the best offered; the answer to the
# RFC 2195-style challenge is exact, made by the session, and redacted.
cat > "$T/cram.case" << EOF
send 220 fake.test ESMTP\r\n
expect ^EHLO
send 250-fake.test\r\n250 AUTH LOGIN PLAIN CRAM-MD5\r\n
expect ^AUTH CRAM-MD5\$
send 334 PDE4OTYuNjk3MTcwOTUyQG1haWxzY29wZS50ZXN0Pg==\r\n
expect ^$CRAMOK\$
send 235 2.7.0 ok\r\n
expect ^QUIT
send 221 2.0.0 bye\r\n
close
EOF
fake_start cram "$T/cram.case" || fail "cram: fake server did not start"
printf 'EHLO redact.test\n:auth alice\n' > "$T/cram.script"
MAILSCOPE_PASSWORD=$PW record cram "smtp://127.0.0.1:$FAKE_PORT" \
    --allow-plaintext-auth --script "$T/cram.script"
fake_wait
lacks "$FAKE_LOG" '^I: mismatch' ":auth without MECH: CRAM-MD5 chosen, the challenge answered exactly"
contains "$T/cram.out" '^<- 235 ' ":auth cram-md5: accepted"
contains "$T/cram.out" '^-> \[redacted: SASL response, user=alice, [0-9]+ bytes\]$' \
    ":auth cram-md5: the answer is redacted"

# --- replayed recordings: the screen of the replay -------------------------
for n in smtp imap pop3; do
	tui_start "rp-$n" 130 60 "$ENV XDG_STATE_HOME=$T/rp $UI replay $T/$n.jsonl 2> $T/rp-$n.err"
	tui_wait "rp-$n" "REPLAY 1/" || fail "replay $n: opens"
	tui_keys "rp-$n" End
	tui_wait "rp-$n" "redacted" || fail "replay $n: the redacted lines show"
	leaks "replay $n (screen)" "$T/rp-$n.screen"
	tui_stop "rp-$n"
done

# --- --no-redact keeps the secret and says so --------------------------------
fake_start keep "$T/pop3.case" || fail "no-redact: fake server did not start"
timeout 30 "$MS" --batch --no-redact --record "$T/keep.jsonl" \
    --script "$T/pop3.script" "pop3://127.0.0.1:$FAKE_PORT" \
    < /dev/null > "$T/keep.out" 2>&1
fake_wait
"$MS" export --format txt "$T/keep.jsonl" > "$T/keep.txt" 2>&1
contains "$T/keep.jsonl" '^\{"mailscope":"recording".*"redacted":false' "no-redact: the header says so"
contains "$T/keep.jsonl" "PASS $PW" "no-redact: the secret is kept"
contains "$T/keep.txt" 'credentials NOT redacted' "no-redact: the export says so"

for f in smtp-tui imap-tui pop3-tui rp-smtp rp-imap rp-pop3; do
	lacks "$T/$f.err" "AddressSanitizer|runtime error" "no sanitizer report ($f)"
done
