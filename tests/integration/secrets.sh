#!/bin/sh
# SPDX-License-Identifier: ISC
# Credentials: a secret goes only inside TLS whose certificate verified,
# unless the user consents (--allow-plaintext-auth,
# --allow-unverified-auth, a yes on the screen); --require-tls never lets
# one out without TLS.  The same rule for :auth on the screen and in
# batch, probe --auth and lines typed by hand; batch runs its ':'
# commands instead of sending them; the process cannot dump core.
. "$(dirname "$0")/../lib.sh"

need_servers
MS=$MAILSCOPE
export GOOD_CERT GOOD_KEY WRONGHOST_CERT WRONGHOST_KEY
pwfile=$T/password
printf '%s\r\n' "$PASS" > "$pwfile"
chmod 600 "$pwfile"
b64=$(printf '\000%s\000%s' "$USER" "$PASS" | base64)

# run NAME EXPECTED-EXIT ARGS...: mailscope --batch, output in $T/NAME
run() {
	name=$1
	want=$2
	shift 2
	timeout 60 "$MS" --batch "$@" < /dev/null > "$T/$name" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		pass "$name: exit $want"
	else
		fail "$name: exit $rc, expected $want"
		sed 's/^/    /' "$T/$name" | tail -n 15
	fi
}

# --- probe --auth: never to a certificate that failed ---------------------
probe_fake() {
	# probe_fake NAME EXIT ARGS...: probe --auth against the fake server
	name=$1
	want=$2
	shift 2
	if ! fake_start "$name" "$TOP/tests/cases/probe-auth-unverified.case" \
	    --connections 7; then
		fail "$name: the fake server did not start"
		return
	fi
	MAILSCOPE_PASSWORD=$PASS timeout 60 "$MS" probe --timeout 5 \
	    --cafile "$CA" --auth "$USER" "$@" \
	    "smtp://127.0.0.1:$FAKE_PORT" > "$T/$name" 2>&1
	rc=$?
	fake_wait 30
	[ "$rc" -eq "$want" ] && pass "$name: probe exits $want" ||
	    fail "$name: probe exits $rc, expected $want"
}
probe_fake probe-auth-wronghost 5
contains "$T/probe-auth-wronghost" '^  bad +certificate +NOT verified' \
    "probe --auth, wrong host: the verdict"
contains "$T/probe-auth-wronghost" '^  bad +auth +not tried, nothing sent: the certificate is not verified.*--allow-unverified-auth' \
    "probe --auth, wrong host: not tried, and how to consent"
lacks "$FAKE_LOG" '^C: AUTH' "probe --auth, wrong host: no AUTH reached the server"
lacks "$FAKE_LOG" "$b64" "probe --auth, wrong host: the secret never reached it"
probe_fake probe-auth-consent 5 --allow-unverified-auth
contains "$FAKE_LOG" '^C: AUTH PLAIN ' \
    "probe --auth --allow-unverified-auth: AUTH sent, as consented"
contains "$T/probe-auth-consent" '^  warn +auth +accepted over TLS whose certificate is not verified' \
    "probe --auth --allow-unverified-auth: the finding says what it risked"

for p in SELFSIGNED WRONGHOST EXPIRED; do
	eval port=\$${p}_PORT
	MAILSCOPE_PASSWORD=$PASS timeout 60 "$MS" probe --timeout 5 \
	    --cafile "$CA" --auth "$USER" "smtp://127.0.0.1:$port" \
	    > "$T/probe-postfix-$p" 2>&1
	rc=$?
	[ "$rc" -eq 5 ] && pass "postfix $p: probe --auth exits 5" ||
	    fail "postfix $p: probe --auth exits $rc, expected 5"
	contains "$T/probe-postfix-$p" '^  bad +auth +not tried, nothing sent' \
	    "postfix $p: probe --auth withheld the password"
done
timeout 60 "$MS" probe --timeout 5 --cafile "$CA" --auth "$USER" \
    --password-file "$pwfile" "imap://127.0.0.1:$IMAP_PORT" \
    > "$T/probe-dovecot-auth" 2>&1
contains "$T/probe-dovecot-auth" '^  ok +auth +accepted inside TLS' \
    "dovecot: probe --auth with --password-file, verified: logged in"

# --- probe: the main command's TLS options ---------------------------------
timeout 60 "$MS" probe --timeout 5 --cafile "$CA" \
    --tls-priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' \
    "smtp://127.0.0.1:$SMTP_PORT" > "$T/probe-priority" 2>&1
contains "$T/probe-priority" '^  ok +tls +TLS1\.2,' \
    "probe --tls-priority: the main step used it (TLS 1.2)"
expect_exit 1 "probe --client-cert without --client-key: usage error" \
    "$MS" probe --client-cert "$GOOD_CERT" "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/last.out" 'client-cert needs --client-key' \
    "probe --client-cert: the message says why"
timeout 60 "$MS" probe --timeout 5 --cafile "$CA" \
    --client-cert "$T/no-such.pem" --client-key "$T/no-such-key.pem" \
    "smtp://127.0.0.1:$SMTP_PORT" > "$T/probe-client-cert" 2>&1
contains "$T/probe-client-cert" 'no-such\.pem' \
    "probe --client-cert: the certificate is loaded (a missing one is named)"
timeout 60 "$MS" probe --timeout 5 --cafile "$CA" \
    --client-cert "$GOOD_CERT" --client-key "$GOOD_KEY" \
    "smtp://127.0.0.1:$SMTP_PORT" > "$T/probe-client-cert-ok" 2>&1
contains "$T/probe-client-cert-ok" '^  ok +tls ' \
    "probe --client-cert/--client-key: a loadable pair, TLS as usual"

# --- :auth in batch: the secret from a file or the environment -------------
run auth-plaintext 3 --password-file "$pwfile" -c 'EHLO me' \
    -c ':auth plain alice' "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/auth-plaintext" '^\*\* error: authentication not attempted, nothing sent; no TLS.*--allow-plaintext-auth' \
    ":auth in plaintext: refused, saying how to override"
lacks "$T/auth-plaintext" '^-> (AUTH|:auth)' ":auth in plaintext: nothing went"
run auth-require-tls 3 --require-tls --password-file "$pwfile" \
    -c ':auth login alice' "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/auth-require-tls" '^\*\* error: authentication not attempted.*--require-tls' \
    ":auth under --require-tls: refused"
lacks "$T/auth-require-tls" '^-> (AUTH|:auth)' ":auth under --require-tls: nothing went"
run auth-tls 0 --starttls --cafile "$CA" --password-file "$pwfile" \
    -c ':auth plain alice' -c 'NOOP' "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/auth-tls" '^~> AUTH PLAIN \[redacted' ":auth inside verified TLS: sent, redacted"
contains "$T/auth-tls" '^<~ 235 ' ":auth plain: Postfix accepted the password from the file"
lacks "$T/auth-tls" "$PASS|$b64" ":auth plain: the secret is nowhere in the output"
MAILSCOPE_PASSWORD=$PASS run auth-env 0 --starttls --cafile "$CA" \
    -c ':auth login alice' "imap://127.0.0.1:$IMAP_PORT"
contains "$T/auth-env" '^<~ a[0-9]+ OK .*Logged in' \
    ":auth login over IMAP: the challenges answered, secret from MAILSCOPE_PASSWORD"
lacks "$T/auth-env" "$PASS" ":auth login: the secret is nowhere in the output"
MAILSCOPE_PASSWORD=$PASS run auth-best 0 --starttls --cafile "$CA" \
    -c ':auth alice' "pop3://127.0.0.1:$POP3_PORT"
contains "$T/auth-best" '^~> AUTH PLAIN$' \
    ":auth without MECH: the best offered (PLAIN over LOGIN)"
contains "$T/auth-best" '^<~ \+OK .*Logged in' \
    ":auth without MECH over POP3: the answer to '+ ' accepted"
lacks "$T/auth-best" "$PASS" ":auth without MECH: the secret is nowhere in the output"
MAILSCOPE_PASSWORD=$PASS run auth-unknown-mech 1 --starttls --cafile "$CA" \
    -c ':auth xoauth9 alice' "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/auth-unknown-mech" 'mechanism xoauth9 unknown \(scram-sha-256-plus, .*, login, .*\)' \
    ":auth with an unknown mechanism: refused, naming the ones there are"
lacks "$T/auth-unknown-mech" '^~> AUTH' ":auth with an unknown mechanism: no AUTH went"
# STARTTLS typed, no capability list inside TLS yet: nothing to choose
# from, which is not "the server offers none".
MAILSCOPE_PASSWORD=$PASS run auth-no-caps 1 --cafile "$CA" \
    -c 'a STARTTLS' -c ":auth $USER" "imap://127.0.0.1:$IMAP_PORT"
contains "$T/auth-no-caps" '^\*\* error: not sent: no capability list since TLS began to choose a mechanism from: send CAPABILITY first' \
    ":auth with no list inside TLS: says so and how to get one"
lacks "$T/auth-no-caps" 'AUTHENTICATE' ":auth with no list inside TLS: nothing went"
run auth-unverified 5 --starttls --insecure --cafile "$CA" \
    --password-file "$pwfile" -c ':auth plain alice' \
    "smtp://127.0.0.1:$WRONGHOST_PORT"
contains "$T/auth-unverified" 'authentication not attempted, nothing sent; the certificate is not verified.*--allow-unverified-auth' \
    ":auth with --insecure: --insecure is no consent to send the password"
lacks "$T/auth-unverified" '^~> AUTH' ":auth with --insecure: no AUTH went"
run auth-unverified-ok 5 --starttls --insecure --allow-unverified-auth \
    --cafile "$CA" --password-file "$pwfile" -c ':auth plain alice' \
    "smtp://127.0.0.1:$WRONGHOST_PORT"
contains "$T/auth-unverified-ok" '^~> AUTH PLAIN \[redacted' \
    ":auth --allow-unverified-auth: sent, as consented"
contains "$T/auth-unverified-ok" '^\*\* authenticating anyway; the certificate is not verified' \
    ":auth --allow-unverified-auth: a warning says what it risked"
expect_exit 1 ":auth with no secret source: usage error before connecting" \
    env -u MAILSCOPE_PASSWORD "$MS" --batch -c ':auth plain alice' \
    "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/last.out" 'password-file FILE or set MAILSCOPE_PASSWORD' \
    ":auth with no secret: the message says where it comes from"
lacks "$T/last.out" 'connecting' ":auth with no secret: nothing connected"

# Typed credentials in plaintext: warned in batch, withheld under
# --require-tls (:raw too).
run typed-plaintext 0 -c 'EHLO me' -c "AUTH PLAIN $b64" \
    "smtp://127.0.0.1:$NOTLS_PORT"
contains "$T/typed-plaintext" '^\*\* a credential went in plaintext, as typed' \
    "typed AUTH PLAIN in plaintext: a warning event"
run typed-imap-login 0 -c "a LOGIN $USER $PASS" \
    "imap://127.0.0.1:$IMAP_PORT"
contains "$T/typed-imap-login" '^\*\* a credential went in plaintext, as typed' \
    "typed IMAP LOGIN despite LOGINDISABLED: a warning event"
lacks "$T/typed-imap-login" "$PASS" "typed IMAP LOGIN: the password is redacted"
run typed-pop3-pass 0 -c "USER $USER" -c "PASS $PASS" \
    "pop3://127.0.0.1:$POP3_PORT"
contains "$T/typed-pop3-pass" '^\*\* a credential went in plaintext, as typed' \
    "typed POP3 PASS in plaintext: a warning event"
# A --require-tls session that withheld a line exits 3.
run typed-require-tls 3 --require-tls -c 'EHLO me' \
    -c ":raw AUTH PLAIN $b64\\r\\n" "smtp://127.0.0.1:$NOTLS_PORT"
contains "$T/typed-require-tls" 'not sent: the line carries a credential; no TLS: --require-tls' \
    ":raw with a credential under --require-tls: withheld"
lacks "$T/typed-require-tls" '^-> AUTH' ":raw under --require-tls: nothing went"

# --- batch ':' commands run, or are refused; never sent as text ------------
run colon-commands 0 --cafile "$CA" -c 'EHLO me' -c ':note a note' \
    -c ':mark here' -c ':starttls' -c 'EHLO me' -c ':quit' -c 'NOOP' \
    "smtp://127.0.0.1:$SMTP_PORT"
f=$T/colon-commands
contains "$f" '^# a note' ":note: a note in the log"
contains "$f" '^# mark: here' ":mark: a mark in the log"
contains "$f" '^== TLS established' ":starttls: TLS"
contains "$f" '^~> QUIT' ":quit: QUIT sent"
lacks "$f" '^~> NOOP' ":quit: nothing after it"
lacks "$f" '^[-~]> :' "no ':' line went to the server"
lacks "$f" 'break rules' "Postfix saw no ':' command"
run colon-inject 0 -c 'EHLO me' -c ':starttls RSET' \
    --cafile "$CA" "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/colon-inject" '^-> STARTTLS' ":starttls CMD: STARTTLS sent"
contains "$T/colon-inject" '^!! RSET' ":starttls CMD: the command injected with it"
lacks "$T/colon-inject" '^[-~]> :' ":starttls CMD: not sent as text"
# Postfix hangs up on a ':' command: here the escape made one.
run colon-escape 2 -c '::x' "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/colon-escape" '^-> :x' "::TEXT sends :TEXT"
run colon-unknown 1 -c 'EHLO me' -c ':theme mono' \
    "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/colon-unknown" ':theme is not a batch command' \
    "an unknown : command: one line saying so"
lacks "$T/colon-unknown" 'connecting' "an unknown : command in -c: nothing connected"
"$MS" --batch -c "$(printf ':\033]0;pwned\007')" \
    "smtp://127.0.0.1:$SMTP_PORT" > "$T/colon-escape-seq" 2>&1
check "a refused : command is quoted escaped" \
    sh -c '! grep -q "$(printf "\033")" "$1"' - "$T/colon-escape-seq"
contains "$T/colon-escape-seq" ':\\e\]0;pwned' "a refused : command: the escape shown"
printf ':auth plain alice bob\n' > "$T/script"
run colon-script 1 --script "$T/script" "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/colon-script" 'usage: :auth \[MECH\] USER' \
    "--script: a malformed :auth is refused before connecting"
printf 'EHLO me\n:bogus\nNOOP\n' | timeout 60 "$MS" --batch \
    "smtp://127.0.0.1:$SMTP_PORT" > "$T/colon-stdin" 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass "stdin: an unknown : command exits 1" ||
    fail "stdin: an unknown : command exits $rc, expected 1"
contains "$T/colon-stdin" ':bogus is not a batch command' \
    "stdin: an unknown : command said"
lacks "$T/colon-stdin" '^-> (:bogus|NOOP)' "stdin: nothing sent after it"

# --- the recording says whether consent was given --------------------------
run consent-header 0 --json --allow-plaintext-auth \
    "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/consent-header" '"allow_plaintext_auth":true,"allow_unverified_auth":false' \
    "the recording's options say which consent was given"

# --- no core dumps, not dumpable, in every mode ----------------------------
# As an unprivileged user, /proc/PID files of a process that is not
# dumpable belong to root.
# As root that needs another user able to run the binary; without one
# only the core limit is checked.
observable=1
nobody() {
	if [ "$(id -u)" -eq 0 ] && [ -n "$observable" ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
if [ "$(id -u)" -eq 0 ] && ! nobody test -x "$MS" 2> /dev/null; then
	observable=
	echo "note: dumpable state not observable here (root, and user 65534 cannot run $MS)"
fi
dump_check() {
	# dump_check WHAT PID
	_i=0
	while [ ! -r "/proc/$2/limits" ] && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	contains "/proc/$2/limits" '^Max core file size +0 +0 ' \
	    "$1: core file size limit 0"
	[ -n "$observable" ] || return 0
	check "$1: not dumpable (its /proc files belong to root)" \
	    [ "$(stat -c %u "/proc/$2/status")" -eq 0 ]
}
chmod o+rx "$T"
(sleep 30 | nobody "$MS" --batch "smtp://127.0.0.1:$SMTP_PORT" \
    > "$T/dump-batch" 2>&1) &
sleep 0.5
pid=$(pgrep -n -f "^$MS --batch smtp://127.0.0.1:$SMTP_PORT\$")
if [ -n "$pid" ]; then
	grep -q '^<- 220' "$T/dump-batch" 2> /dev/null || sleep 1
	dump_check "batch" "$pid"
	kill "$pid"
else
	fail "batch: the process to inspect did not start"
fi
nobody "$MS" lab --scenario good > "$T/dump-lab" 2>&1 &
lpid=$!
sleep 0.5
pid=$(pgrep -n -f "^$MS lab --scenario good\$")
if [ -n "$pid" ]; then
	dump_check "lab" "$pid"
	kill "$pid"
else
	fail "lab: the process to inspect did not start"
fi
wait "$lpid" 2> /dev/null

# --- the screen: :auth refuses before the prompt; a typed credential asks --
UI=$MAILSCOPE
[ -x "$ASAN_MAILSCOPE" ] && UI=$ASAN_MAILSCOPE
TENV="env LANG=C.UTF-8 TERM=tmux-256color XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state"
labpw=$(printf '\000demo\000demo' | base64)
tui_stop s
tui_start s 120 30 "$TENV $UI --lab no-starttls 2> $T/tui.err"
check "screen: the lab greets" tui_wait s '220 lab\.mailscope\.test'
tui_line s 'EHLO me'
check "screen: EHLO answered" tui_wait s '250 8BITMIME'
tui_line s ':auth plain demo'
check "screen: :auth in plaintext refused, saying how to override" \
    tui_wait s ':auth refused, nothing asked or sent: no TLS.*'
tui_screen s > "$T/tui-auth.screen"
lacks "$T/tui-auth.screen" 'Password for' "screen: no password prompt in plaintext"
tui_line s "AUTH PLAIN $labpw"
check "screen: a typed credential in plaintext asks first" \
    tui_wait s 'Send a credential in plaintext\? \[y/N\]'
check "screen: the message line says why" \
    tui_wait s 'This line carries a credential; no TLS'
check "screen: ... and how to consent" tui_wait s '--allow-plaintext-auth\)'
tui_line s 'n'
check "screen: no: not sent" tui_wait s 'not sent'
tui_screen s > "$T/tui-no.screen"
lacks "$T/tui-no.screen" 'C: +AUTH PLAIN' "screen: after no, nothing went"
tui_line s "AUTH PLAIN $labpw"
check "screen: asked again" tui_wait s 'Send a credential in plaintext\? \[y/N\]'
tui_line s 'y'
check "screen: yes: sent and accepted" tui_wait s '235 2\.7\.0'
check "screen: the warning event says it went in plaintext" \
    tui_wait s 'a credential went in plaintext, as typed'
tui_screen s > "$T/tui-yes.screen"
lacks "$T/tui-yes.screen" "$labpw" "screen: the credential is shown redacted"
tui_keys s C-d
tui_stop s

tui_start s 120 30 "$TENV $UI --require-tls --lab 2> $T/tui2.err"
check "screen, --require-tls: the lab greets" tui_wait s '220 lab\.mailscope\.test'
tui_line s ':auth login demo'
check "screen, --require-tls: :auth refused before the prompt" \
    tui_wait s ':auth refused, nothing asked or sent: no TLS: --require-tls'
tui_screen s > "$T/tui-req.screen"
lacks "$T/tui-req.screen" 'Password for' "screen, --require-tls: no password prompt"
tui_keys s C-d
tui_stop s

# --- --help, the man page and README name the consent options --------------
"$MS" --help > "$T/help" 2>&1
groff -man -Tascii -P-cbou "$TOP/mailscope.1" > "$T/man.txt" 2> /dev/null
for o in allow-plaintext-auth allow-unverified-auth auth-password-file; do
	contains "$T/help" "--$o" "--help: --$o"
	contains "$T/man.txt" "--$o" "man page: --$o"
	contains "$TOP/README.md" "--$o" "README: --$o"
done
"$MS" probe --help > "$T/probe-help" 2>&1
for o in tls-priority client-cert client-key allow-unverified-auth; do
	contains "$T/probe-help" "--$o" "probe --help: --$o"
done
