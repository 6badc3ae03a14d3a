#!/bin/sh
# SPDX-License-Identifier: ISC
# ManageSieve (sieve://, RFC 5804): the lab's scenario, then Dovecot's
# Pigeonhole (tests/servers/start.sh, SIEVE_PORT): the greeting's
# capabilities, STARTTLS and the difference across it, AUTHENTICATE
# "PLAIN" with the secret in no output and no recording, a multi-line
# PUTSCRIPT and its GETSCRIPT byte for byte, CHECKSCRIPT of a broken
# script, and the screen through tmux.  One PASS:/FAIL: line each.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
out=$T
rm -f "$out"/*.out "$out"/*.jsonl "$out"/*.rc
bin=$MAILSCOPE

# The commands that store FILE as script NAME: PUTSCRIPT with a literal
# of its size, then its lines (empty ones too) and the end of the command.
putscript() {
	printf 'PUTSCRIPT "%s" {%s+}\n' "$1" "$(wc -c < "$2")"
	tr -d '\r' < "$2"
	echo
}

# The bytes of the literals a recording's server sent for VERB.
literal_of() {
	python3 -S - "$1" "$2" << 'EOF'
import json, sys
out = bytearray()
for l in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(l)
    if (e.get("kind") == "data" and e.get("dir") == "server" and
            "literal" in e.get("flags", []) and
            e.get("class", {}).get("verb") == sys.argv[2]):
        out += e["text"].encode("utf-8")
sys.stdout.buffer.write(out)
EOF
}

# A script of several lines: an empty one, one that reads like a
# response, a multi-line string with a dot-stuffed line and a lone dot.
printf '%s\r\n' 'require ["fileinto", "vacation"];' '# OK "not a response"' \
    '' 'if header :contains "subject" "[list]" {' '  fileinto "INBOX";' \
    '}' 'vacation text:' 'Away.' '..' '.' ';' > "$out/script.sieve"

# --- the lab's ManageSieve port -------------------------------------------
{
	echo ':auth plain demo'
	putscript lab "$out/script.sieve"
	echo 'LISTSCRIPTS'
	echo 'GETSCRIPT "lab"'
	echo 'CHECKSCRIPT {3+}'
	echo '{{}'
	echo 'LOGOUT'
} > "$out/lab.script"
MAILSCOPE_PASSWORD=demo "$bin" --lab --lab-proto sieve --batch --starttls \
    --record "$out/lab.jsonl" --script "$out/lab.script" \
    > "$out/lab.out" 2>&1
echo $? > "$out/lab.out.rc"
rc lab.out 0 "lab: a ManageSieve session with STARTTLS, login and scripts exits 0"
contains "$out/lab.out" '^<- "STARTTLS"$' \
    "lab: the greeting lists STARTTLS"
contains "$out/lab.out" 'capabilities after TLS: \+SASL PLAIN' \
    "lab: SASL PLAIN appears only inside TLS (the difference)"
contains "$out/lab.out" '^<~ OK "Logged in"' "lab: AUTHENTICATE \"PLAIN\" logs in"
contains "$out/lab.out" '^<~ "lab"$' "lab: LISTSCRIPTS names the stored script"
contains "$out/lab.out" "^<~ NO \"line 1: a block is never closed" \
    "lab: CHECKSCRIPT of a broken script is NO with the reason"
literal_of "$out/lab.jsonl" GETSCRIPT > "$out/lab.got"
check "lab: GETSCRIPT gives the script back byte for byte" \
    cmp "$out/script.sieve" "$out/lab.got"

need_servers

# --- Dovecot's Pigeonhole -------------------------------------------------
url=sieve://$HOST_INSECURE_LOOPBACK:$SIEVE_PORT
printf '%s\n' "$PASS" > "$out/pw"
chmod 600 "$out/pw"

"$bin" --batch --cafile "$CA" "$url" -c LOGOUT > "$out/greet.out" 2>&1
echo $? > "$out/greet.out.rc"
rc greet.out 0 "greeting: LOGOUT ends the session, exit 0"
contains "$out/greet.out" '^<- "IMPLEMENTATION" "Dovecot' \
    "greeting: the capability lines come first"
contains "$out/greet.out" '^<- OK "Dovecot' "greeting: it ends with OK"
lacks "$out/greet.out" 'SASL mechanisms offered before TLS' \
    "greeting: \"SASL\" \"\" (none before TLS) is no plaintext risk"

"$bin" --batch --explain --cafile "$CA" "$url" -c NOOP -c LOGOUT \
    > "$out/explain.out" 2>&1
contains "$out/explain.out" 'STARTTLS: .*RFC 5804 §2.2' \
    "explain: the STARTTLS capability is glossed with its RFC section"
contains "$out/explain.out" 'NOOP: .*RFC 5804 §2.13' \
    "explain: the NOOP command is glossed with its RFC section"

{
	echo ':auth plain alice'
	putscript t1 "$out/script.sieve"
	echo 'LISTSCRIPTS'
	echo 'GETSCRIPT "t1"'
	echo 'SETACTIVE "t1"'
	echo 'CHECKSCRIPT {9+}'
	echo 'if true {'
	echo 'NOOP "tag-1"'
	echo 'SETACTIVE ""'
	echo 'DELETESCRIPT "t1"'
	echo 'LOGOUT'
} > "$out/auth.script"
"$bin" --batch --starttls --cafile "$CA" --password-file "$out/pw" \
    --record "$out/auth.jsonl" --script "$out/auth.script" "$url" \
    > "$out/auth.out" 2>&1
echo $? > "$out/auth.out.rc"
rc auth.out 0 "dovecot: STARTTLS, login and the script commands exit 0"
contains "$out/auth.out" '^== capabilities after TLS: .*\+SASL PLAIN LOGIN.*-STARTTLS' \
    "dovecot: the difference across STARTTLS (SASL mechanisms added, STARTTLS gone)"
lacks "$out/auth.out" '^~> CAPABILITY' \
    "dovecot: after STARTTLS the capabilities are awaited, not asked"
contains "$out/auth.out" '^~> AUTHENTICATE "PLAIN" \[redacted: user=alice, [0-9]+ bytes\]' \
    "dovecot: AUTHENTICATE \"PLAIN\" is shown redacted with the user"
contains "$out/auth.out" '^<~ OK "Logged in' "dovecot: the login succeeds"
contains "$out/auth.out" '^<~ OK "PUTSCRIPT completed' \
    "dovecot: PUTSCRIPT of a multi-line script (an empty line in it) is stored"
contains "$out/auth.out" '^<~ "t1"' "dovecot: LISTSCRIPTS names it"
contains "$out/auth.out" '^<~ OK "Getscript completed' "dovecot: GETSCRIPT completes"
literal_of "$out/auth.jsonl" GETSCRIPT > "$out/auth.got"
check "dovecot: GETSCRIPT gives the script back byte for byte" \
    cmp "$out/script.sieve" "$out/auth.got"
contains "$out/auth.out" '^<~ NO \{[0-9]+\}$' \
    "dovecot: CHECKSCRIPT of a broken script is NO with a literal message"
contains "$out/auth.out" "^<~ line 1: error" \
    "dovecot: the message says where the script is broken"
contains "$out/auth.out" '^<~ OK \(TAG "tag-1"\)' \
    "dovecot: the line after the NO's literal is a response again (NOOP's TAG)"
b64=$(printf '\0alice\0%s' "$PASS" | base64)
b64pw=$(printf '%s' "$PASS" | base64)
for f in auth.out auth.jsonl; do
	lacks "$out/$f" "$PASS" "dovecot: the password is not in $f"
	lacks "$out/$f" "$b64" "dovecot: the PLAIN response is not in $f"
	lacks "$out/$f" "$b64pw" "dovecot: the password's base64 is not in $f"
done

# The initial response sent as a literal, typed by hand (:raw-free): the
# literal's line is the secret and is redacted too.
ir=$(printf '\0alice\0%s' "$PASS" | base64)
printf 'AUTHENTICATE "PLAIN" {%s+}\n%s\nLOGOUT\n' "${#ir}" "$ir" \
    > "$out/lit.script"
"$bin" --batch --starttls --cafile "$CA" --allow-plaintext-auth \
    --record "$out/lit.jsonl" --script "$out/lit.script" "$url" \
    > "$out/lit.out" 2>&1
contains "$out/lit.out" '^<~ OK "Logged in' \
    "dovecot: AUTHENTICATE with the initial response as a literal logs in"
contains "$out/lit.out" '^~> \[redacted: SASL response, user=alice' \
    "dovecot: the literal's line is redacted"
for f in lit.out lit.jsonl; do
	lacks "$out/$f" "$ir" "dovecot: the literal response is not in $f"
done

# LOGIN: the SASL client answers string challenges with strings.
"$bin" --batch --starttls --cafile "$CA" --password-file "$out/pw" \
    --record "$out/login.jsonl" -c ':auth login alice' -c LOGOUT "$url" \
    > "$out/login.out" 2>&1
contains "$out/login.out" '^<~ "UGFzc3dvcmQ6"$' \
    "dovecot: LOGIN's challenges are quoted strings"
contains "$out/login.out" '^~> \[redacted: AUTH LOGIN password, [0-9]+ bytes\]$' \
    "dovecot: the quoted answer to the password challenge is redacted"
contains "$out/login.out" '^<~ OK "Logged in' "dovecot: :auth login logs in"
for f in login.out login.jsonl; do
	lacks "$out/$f" "$b64pw" "dovecot: LOGIN's password is not in $f"
done

printf 'wrong-password\n' > "$out/badpw"
chmod 600 "$out/badpw"
"$bin" --batch --starttls --cafile "$CA" --password-file "$out/badpw" \
    -c ':auth plain alice' -c LOGOUT "$url" > "$out/bad.out" 2>&1
contains "$out/bad.out" '^<~ NO ' "dovecot: a wrong password is refused with NO"
lacks "$out/bad.out" 'wrong-password' "dovecot: the wrong password is not shown"

# --- the screen -------------------------------------------------------------
tui_start t 110 40 env LANG=C.UTF-8 XDG_STATE_HOME="$out/state" \
    XDG_CONFIG_HOME="$out/config" "$ASAN_MAILSCOPE" --cafile "$CA" "$url"
if tui_wait t 'OK "Dovecot'; then
	pass "screen: the greeting's capabilities are shown"
else
	fail "screen: the greeting's capabilities are shown"
fi
tui_keys t -l 'STARTTLS'
tui_keys t Enter
if tui_wait t '\+SASL PLAIN LOGIN'; then
	pass "screen: STARTTLS typed, the capability difference is shown"
else
	fail "screen: STARTTLS typed, the capability difference is shown"
fi
tui_keys t -l 'LISTS'
tui_keys t Tab
if tui_wait t 'LISTSCRIPTS'; then
	pass "screen: Tab completes a ManageSieve verb"
else
	fail "screen: Tab completes a ManageSieve verb"
fi
tui_keys t C-u
tui_keys t -l ':quit'
tui_keys t Enter
tui_stop t
