#!/bin/sh
# SPDX-License-Identifier: ISC
# Every SASL mechanism against a real Dovecot (tests/servers/sasl.sh:
# SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, DIGEST-MD5, PLAIN, LOGIN with a
# password, OAUTHBEARER and XOAUTH2 with a token checked by an RFC 7662
# introspection endpoint, EXTERNAL with a client certificate): each with
# batch --auth, the right secret and a wrong one; the secret and its
# base64 forms in no output, recording or export; each step of the
# exchange put in words; SCRAM and CRAM-MD5 over ManageSieve too.  The
# screen asks for a token without echo.
. "$(dirname "$0")/../lib.sh"

need_servers
MS=$MAILSCOPE
URL=imap://127.0.0.1:$SASL_IMAP_PORT
pwfile=$T/password
tokfile=$T/token
badtok=$T/bad-token
printf '%s\n' "$PASS" > "$pwfile"
printf '%s\n' "$OAUTH_TOKEN" > "$tokfile"
printf 'not-%s\n' "$OAUTH_TOKEN" > "$badtok"
chmod 600 "$pwfile" "$tokfile" "$badtok"

# forms SECRET: the secret and its base64 at the three alignments a
# longer message can put it in (the characters it alone decides).
forms() {
	python3 -S - "$1" << 'EOF'
import base64, sys
s = sys.argv[1].encode()
print(s.decode())
for k in range(3):
    e = base64.b64encode(b"\0" * k + s).decode().rstrip("=")
    start = (k * 4 + 2) // 3
    print(e[start:len(e) - 2])
EOF
}

# hidden WHAT SECRET FILE...: no form of SECRET in any FILE.
hidden() {
	_what=$1
	_s=$2
	shift 2
	forms "$_s" > "$T/forms"
	if grep -qF -f "$T/forms" "$@"; then
		fail "$_what: the secret appears ($(grep -lF -f "$T/forms" "$@" |
		    tr '\n' ' '))"
	else
		pass "$_what"
	fi
}

# auth NAME EXIT ARGS...: batch --auth, transcript and stderr in
# $T/NAME, the recording in $T/NAME.jsonl, its export in $T/NAME.txt.
auth() {
	_name=$1
	_want=$2
	shift 2
	rm -f "$T/$_name.jsonl"
	timeout 60 "$MS" --cafile "$CA" --record "$T/$_name.jsonl" "$@" "$URL" \
	    < /dev/null > "$T/$_name" 2>&1
	echo $? > "$T/$_name.rc"
	rc "$_name" "$_want" "$_name: exit $_want"
	"$MS" export --format txt -o "$T/$_name.txt" "$T/$_name.jsonl" \
	    > /dev/null 2>&1
}

# --- a password: every mechanism, right and wrong ---------------------------
for m in scram-sha-256 scram-sha-1 cram-md5 digest-md5 plain login; do
	auth "$m" 0 --auth "$m" --auth-user "$USER" \
	    --auth-password-file "$pwfile"
	M=$(echo "$m" | tr a-z A-Z)
	contains "$T/$m" "^~> a[0-9]+ AUTHENTICATE $M( |$)" \
	    "$m: the mechanism asked for"
	contains "$T/$m" '^<~ a[0-9]+ OK .*Logged in' "$m: logged in"
	contains "$T/$m" "^== $M[ :]" "$m: the exchange put in words"
	hidden "$m: the password in no output, recording or export" "$PASS" \
	    "$T/$m" "$T/$m.jsonl" "$T/$m.txt"
	MAILSCOPE_PASSWORD=not-$PASS auth "$m-wrong" 10 --auth "$m" \
	    --auth-user "$USER"
	contains "$T/$m-wrong" '^<~ a[0-9]+ NO ' "$m, wrong password: refused"
	contains "$T/$m-wrong" 'stopped at auth: the server refused it' \
	    "$m, wrong password: said"
	hidden "$m, wrong password: in no output" "not-$PASS" \
	    "$T/$m-wrong" "$T/$m-wrong.jsonl" "$T/$m-wrong.txt"
done
# PLAIN's and LOGIN's own forms: the whole message, the user's.
plainmsg=$(printf '\000%s\000%s' "$USER" "$PASS" | base64)
lacks "$T/plain" "$plainmsg" "plain: the base64 message not shown"
contains "$T/plain" 'AUTHENTICATE PLAIN \[redacted: user=alice, ' \
    "plain: the user shown, the rest hidden"
contains "$T/login" 'LOGIN prompt "Password:"' "login: the prompt decoded"

# SCRAM: what crosses the wire, decoded; the proof never.
contains "$T/scram-sha-256" 'SCRAM client-first: user alice, client nonce ' \
    "scram: the client-first decoded"
contains "$T/scram-sha-256" 'SCRAM server-first: nonce .*salt .* \(16 bytes\), 4096 iterations' \
    "scram: the server's nonce, salt and iterations decoded"
contains "$T/scram-sha-256" 'the password itself never crosses the wire' \
    "scram: says the password never crosses the wire"
contains "$T/scram-sha-256" 'proof \(p=, hidden\)' "scram: the proof hidden"
contains "$T/scram-sha-256.txt" 'SCRAM server-first' \
    "scram: the export has the steps too"
contains "$T/scram-sha-256.jsonl" '"code":"sasl-step"' \
    "scram: the recording has the steps as sasl-step events"
python3 -S - "$T/scram-sha-256" > "$T/proof" << 'EOF'
import base64, re, sys
# The client-final message, rebuilt from nothing the transcript showed
# but the server's lines: the proof must not be derivable from the
# notes, so look for any p= value in the notes themselves.
for l in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if l.startswith("== SCRAM") and re.search(r"p=[A-Za-z0-9+/]{8,}", l):
        print(l)
EOF
if [ -s "$T/proof" ]; then
	fail "scram: a proof value in the notes"
else
	pass "scram: no proof value in the notes"
fi
contains "$T/cram-md5" 'CRAM-MD5 challenge "<' "cram-md5: the challenge decoded"
contains "$T/digest-md5" 'DIGEST-MD5 challenge: .*nonce=' \
    "digest-md5: the challenge decoded"
contains "$T/digest-md5" 'response= \(hidden\)' \
    "digest-md5: the response's digest hidden"

# --- ManageSieve: the mechanisms as quoted strings (RFC 5804 2.1) ------------
URL=sieve://127.0.0.1:$SASL_SIEVE_PORT
for m in scram-sha-256 scram-sha-1 cram-md5; do
	auth "sieve-$m" 0 --auth "$m" --auth-user "$USER" \
	    --auth-password-file "$pwfile" -c LISTSCRIPTS
	M=$(echo "$m" | tr a-z A-Z)
	contains "$T/sieve-$m" "^~> AUTHENTICATE \"$M\"" \
	    "sieve $m: the mechanism as a quoted string"
	contains "$T/sieve-$m" '^<~ OK "Logged in' "sieve $m: logged in"
	lacks "$T/sieve-$m" '^[-~]> CAPABILITY' \
	    "sieve $m: the capabilities it lists unasked are not asked for"
	contains "$T/sieve-$m" '^<~ OK "Listscripts completed' \
	    "sieve $m: the script runs after the login"
	hidden "sieve $m: the password in no output, recording or export" \
	    "$PASS" "$T/sieve-$m" "$T/sieve-$m.jsonl" "$T/sieve-$m.txt"
	MAILSCOPE_PASSWORD=not-$PASS auth "sieve-$m-wrong" 10 --auth "$m" \
	    --auth-user "$USER"
	contains "$T/sieve-$m-wrong" '^<~ NO ' "sieve $m, wrong password: NO"
	hidden "sieve $m, wrong password: in no output" "not-$PASS" \
	    "$T/sieve-$m-wrong" "$T/sieve-$m-wrong.jsonl" \
	    "$T/sieve-$m-wrong.txt"
done
contains "$T/sieve-scram-sha-256" 'the password itself never crosses the wire' \
    "sieve scram: the exchange explained"
URL=imap://127.0.0.1:$SASL_IMAP_PORT

# --- a bearer token: OAUTHBEARER, XOAUTH2 -----------------------------------
for m in oauthbearer xoauth2; do
	auth "$m" 0 --auth "$m" --auth-user "$USER" --auth-token-file "$tokfile"
	contains "$T/$m" '^<~ a[0-9]+ OK .*Logged in' "$m: logged in"
	hidden "$m: the token in no output, recording or export" \
	    "$OAUTH_TOKEN" "$T/$m" "$T/$m.jsonl" "$T/$m.txt"
	auth "$m-wrong" 10 --auth "$m" --auth-user "$USER" \
	    --auth-token-file "$badtok"
	contains "$T/$m-wrong" "$(echo "$m" | tr a-z A-Z): the server refused the token: .*\"status\"" \
	    "$m, wrong token: the server's error decoded"
	contains "$T/$m-wrong" '^<~ a[0-9]+ NO ' "$m, wrong token: refused"
	hidden "$m, wrong token: in no output" "not-$OAUTH_TOKEN" \
	    "$T/$m-wrong" "$T/$m-wrong.jsonl" "$T/$m-wrong.txt"
done
# Given a token and no mechanism: the best token mechanism offered.
auth token-best 0 --auth-user "$USER" --auth-token-file "$tokfile"
contains "$T/token-best" 'AUTHENTICATE OAUTHBEARER' \
    "a token, no mechanism: OAUTHBEARER chosen"
# A password mechanism given a token, and the other way round.
auth token-for-plain 1 --auth plain --auth-user "$USER" \
    --auth-token-file "$tokfile"
contains "$T/token-for-plain" 'no secret \(give --auth-password-file' \
    "plain without a password: said, nothing sent"
MAILSCOPE_PASSWORD=$PASS auth password-for-xoauth2 1 --auth xoauth2 \
    --auth-user "$USER"
contains "$T/password-for-xoauth2" 'no token \(give --auth-token-file' \
    "xoauth2 without a token: said (MAILSCOPE_PASSWORD is not a token)"

# --- EXTERNAL: the client certificate ---------------------------------------
auth external 0 --auth external --client-cert "$CLIENT_CERT" \
    --client-key "$CLIENT_KEY"
contains "$T/external" '^~> a[0-9]+ AUTHENTICATE EXTERNAL =' \
    "external: no authorization identity sent"
contains "$T/external" "the identity is the TLS client certificate's" \
    "external: said where the identity comes from"
contains "$T/external" '^<~ a[0-9]+ OK .*Logged in' "external: logged in"
auth external-nocert 10 --auth external
contains "$T/external-nocert" '^<~ a[0-9]+ NO ' \
    "external without a certificate: refused"
# Acting as someone: the authzid is redacted like a user name.
auth external-authz 10 --auth external --auth-user bob \
    --client-cert "$CLIENT_CERT" --client-key "$CLIENT_KEY"
contains "$T/external-authz" 'AUTHENTICATE EXTERNAL \[redacted: user=bob, 4 bytes\]' \
    "external as bob: the authzid shown as a user, its base64 hidden"

# GSSAPI: built or not, a clear word and no crash.
auth gssapi 1 --auth gssapi --auth-user "$USER"
contains "$T/gssapi" 'GSSAPI' "gssapi without Kerberos: said"

# --- the same in a script, and the consent rule -----------------------------
timeout 60 "$MS" --batch --cafile "$CA" --auth-token-file "$tokfile" \
    -c 'a CAPABILITY' -c ':starttls' -c 'b CAPABILITY' \
    -c ":auth xoauth2 $USER" "$URL" < /dev/null > "$T/script" 2>&1
echo $? > "$T/script.rc"
rc script 0 ":auth xoauth2 in a script: exit 0"
contains "$T/script" '^<~ a[0-9]+ OK .*Logged in' ":auth xoauth2 in a script: logged in"
hidden ":auth xoauth2 in a script: the token hidden" "$OAUTH_TOKEN" \
    "$T/script"
timeout 60 "$MS" --batch --auth xoauth2 --auth-user "$USER" \
    --auth-token-file "$tokfile" --insecure "$URL" \
    < /dev/null > "$T/unverified" 2>&1
echo $? > "$T/unverified.rc"
rc unverified 5 "--auth over an unverified certificate: nothing sent, exit 5"
lacks "$T/unverified" 'AUTHENTICATE' \
    "--auth over an unverified certificate: no AUTHENTICATE"

# --- the screen: a token asked for without echo ------------------------------
UI=$MAILSCOPE
[ -x "$ASAN_MAILSCOPE" ] && UI=$ASAN_MAILSCOPE
TENV="env LANG=C.UTF-8 TERM=tmux-256color XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state"
tui_start s 160 40 "$TENV $UI --starttls --cafile $CA $URL 2> $T/tui.err"
check "screen: TLS reached, capabilities asked again" tui_wait s 'a003 OK' 20
tui_keys s -l ":auth xoauth2 $USER"
tui_keys s Enter
check "screen: the token asked for" tui_wait s "Bearer token for $USER \(not shown\)"
tui_keys s -l "$OAUTH_TOKEN"
tui_screen s > "$T/tui-typing.screen"
hidden "screen: the token not echoed" "$OAUTH_TOKEN" "$T/tui-typing.screen"
tui_keys s Enter
check "screen: logged in with the token" tui_wait s 'OK .*Logged in'
tui_screen s > "$T/tui-done.screen"
hidden "screen: the token nowhere on the screen" "$OAUTH_TOKEN" \
    "$T/tui-done.screen"
tui_keys s C-d
tui_stop s

# --quit-after auth needs no message: logged in, then LOGOUT.
auth quit-after-auth 0 --auth plain --auth-user "$USER" \
    --auth-password-file "$pwfile" --quit-after auth
contains "$T/quit-after-auth" '^~> a[0-9]+ LOGOUT' "--quit-after auth: LOGOUT after the login"
