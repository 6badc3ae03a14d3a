#!/bin/sh
# SPDX-License-Identifier: ISC
# The core session against real servers: Postfix and Dovecot started by
# tests/servers/start.sh, the lab for the hostile scenarios.  Each check
# asserts the transcript, the verdict and the exit code.
. "$(dirname "$0")/../lib.sh"

need_servers
MS=$MAILSCOPE

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

# --- SMTP STARTTLS against Postfix: AUTH only after TLS -------------------
run smtp-starttls 0 --starttls --cafile "$CA" "smtp://127.0.0.1:$SMTP_PORT"
f=$T/smtp-starttls
contains "$f" '^<- 220 ' "smtp: plaintext greeting"
contains "$f" '^-> EHLO mailscope.localhost' "smtp: EHLO in plaintext"
contains "$f" '^<- 250[- ]STARTTLS' "smtp: STARTTLS advertised"
contains "$f" '^-> STARTTLS' "smtp: STARTTLS sent"
contains "$f" '^== TLS ClientHello sent' "smtp: handshake steps shown"
contains "$f" '^== TLS established: TLS1.3' "smtp: TLS 1.3 established"
contains "$f" '^== certificate verified' "smtp: verdict"
contains "$f" '^~> EHLO mailscope.localhost' "smtp: EHLO again inside TLS"
contains "$f" '^<~ 250[- ]AUTH' "smtp: AUTH offered inside TLS"
contains "$f" '^== capabilities after TLS: .*+AUTH.*-STARTTLS' \
    "smtp: capability difference recorded"
lacks "$f" '^<- 250[- ]AUTH' "smtp: no AUTH before TLS"
contains "$f" '^~> QUIT' "smtp: polite QUIT inside TLS"
contains "$f" '^   verdict    verified for 127.0.0.1, matched IP:127.0.0.1' \
    "smtp: summary verdict names the matched SAN"

# The same facts as gnutls-cli reports for the same server.
gnutls_facts "$SMTP_PORT" smtp > "$T/gnutls-smtp"
gv=$(sed -n 's/^version=//p' "$T/gnutls-smtp")
gc=$(sed -n 's/^cipher=//p' "$T/gnutls-smtp" | tr '-' '_')
gf=$(sed -n 's/^sha256=//p' "$T/gnutls-smtp")
mf=$(sed -n 's/^ *sha256  //p' "$f" | head -n 1 | tr -d ':' | tr 'A-F' 'a-f')
contains "$f" "^   version    $gv\$" "smtp: version equals gnutls-cli ($gv)"
contains "$f" "^   cipher     .*$gc" "smtp: cipher equals gnutls-cli ($gc)"
[ -n "$gf" ] && [ "$mf" = "$gf" ] &&
    pass "smtp: leaf SHA-256 equals gnutls-cli" ||
    fail "smtp: leaf SHA-256 $mf, gnutls-cli $gf"

# --- enforced TLS ----------------------------------------------------------
run submit-plain 0 -c "EHLO x" -c "MAIL FROM:<a@mail.test>" \
    "smtp://127.0.0.1:$SUBMIT_PORT"
contains "$T/submit-plain" '^<- 530 5.7.0' "enforced port: 530 before STARTTLS"
# A command kept back is no success: exit 3, as README promises.
run submit-require 3 --require-tls -c "EHLO x" -c "MAIL FROM:<a@mail.test>" \
    "smtp://127.0.0.1:$SUBMIT_PORT"
contains "$T/submit-require" 'not sent: MAIL would cross the network in plaintext' \
    "--require-tls: MAIL refused locally"
lacks "$T/submit-require" '^-> MAIL' "--require-tls: MAIL never sent"
run notls-require 3 --require-tls --starttls "smtp://127.0.0.1:$NOTLS_PORT"
contains "$T/notls-require" 'STARTTLS not offered' "no STARTTLS: exit 3 says why"
# Without --starttls and with nothing kept back, a session that never
# reached TLS still breaks the promise of --require-tls.
run notls-require-plain 3 --require-tls -c "EHLO x" -c NOOP \
    "smtp://127.0.0.1:$NOTLS_PORT"
contains "$T/notls-require-plain" '^== no TLS: everything above crossed' \
    "no STARTTLS, nothing kept back: exit 3, the transcript says no TLS"
lacks "$T/notls-require" '^~>' "no STARTTLS: nothing claims TLS"

# --- implicit TLS ----------------------------------------------------------
run smtps 0 --cafile "$CA" -c "EHLO x" "smtps://127.0.0.1:$SMTPS_PORT"
contains "$T/smtps" '^== TLS established' "smtps: TLS at connect"
contains "$T/smtps" '^<~ 220 ' "smtps: greeting inside TLS"
lacks "$T/smtps" '^<- ' "smtps: not a byte in plaintext"

# --- certificate failures: the session stops before anything in TLS --------
run expired 5 --starttls --cafile "$CA" "smtp://127.0.0.1:$EXPIRED_PORT"
contains "$T/expired" 'certificate NOT verified: .*expired on ' "expired: reason with date"
lacks "$T/expired" '^~>' "expired: nothing sent inside TLS"
run wronghost 5 --starttls --cafile "$CA" "smtp://127.0.0.1:$WRONGHOST_PORT"
contains "$T/wronghost" 'name 127.0.0.1 not in certificate \(it holds: ' \
    "wrong host: reason lists the names"
run selfsigned 5 --starttls --cafile "$CA" "smtp://127.0.0.1:$SELFSIGNED_PORT"
contains "$T/selfsigned" 'self-signed certificate not in the trust store' \
    "self-signed: reason"
run untrusted 5 --starttls "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/untrusted" 'issuer unknown' "system trust: test CA unknown"
run insecure 5 --starttls --insecure --cafile "$CA" \
    "smtp://127.0.0.1:$EXPIRED_PORT"
contains "$T/insecure" '^~> EHLO' "--insecure: continues inside TLS"
contains "$T/insecure" 'continuing without a verified certificate' \
    "--insecure: says so"

# --- IMAP and POP3 against Dovecot ----------------------------------------
# 127.0.0.2: Dovecot treats same-address clients as secure otherwise.
run imap 0 --starttls --cafile "$CA" -c "LOGIN $USER $PASS" -c "SELECT INBOX" \
    "imap://127.0.0.2:$IMAP_PORT"
f=$T/imap
contains "$f" 'LOGINDISABLED' "imap: LOGINDISABLED before TLS"
contains "$f" '^-> a001 CAPABILITY' \
    "imap: CAPABILITY asked though the greeting listed some"
contains "$f" '^-> a002 STARTTLS' "imap: tag added to STARTTLS"
contains "$f" '^== TLS established' "imap: TLS"
contains "$f" '^== capabilities after TLS: .*-LOGINDISABLED' \
    "imap: LOGINDISABLED gone after TLS"
contains "$f" '^~> a00[0-9] LOGIN alice \[redacted' "imap: LOGIN redacted"
lacks "$f" "$PASS" "imap: the password appears nowhere"
contains "$f" '^<~ a00[0-9] OK' "imap: tagged OK after login"
contains "$f" '^<~ \* [0-9]* EXISTS' "imap: SELECT shows the mailbox"
run imaps 0 --cafile "$CA" -c "CAPABILITY" "imaps://127.0.0.1:$IMAPS_PORT"
contains "$T/imaps" '^<~ \* OK' "imaps: greeting inside TLS"
run pop3 0 --starttls --cafile "$CA" -c "USER $USER" -c "PASS $PASS" \
    -c "STAT" "pop3://127.0.0.1:$POP3_PORT"
f=$T/pop3
contains "$f" '^-> CAPA' "pop3: CAPA asked"
contains "$f" '^-> STLS' "pop3: STLS"
contains "$f" '^~> PASS \[redacted' "pop3: PASS redacted"
lacks "$f" "$PASS" "pop3: the password appears nowhere"
contains "$f" '^<~ \+OK [0-9]+ [0-9]+' "pop3: STAT answered"
run pop3s 0 --cafile "$CA" -c "CAPA" "pop3s://127.0.0.1:$POP3S_PORT"
contains "$T/pop3s" '^<~ \.' "pop3s: multi-line CAPA ends with a dot"

# --- JSON Lines ------------------------------------------------------------
run json 0 --json --starttls --cafile "$CA" "smtp://127.0.0.1:$SMTP_PORT"
if python3 - "$T/json" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["mailscope"] == "recording", lines[0]
assert lines[0]["kind"] == "header" and lines[0]["format"] == 4, lines[0]
assert lines[-1]["kind"] == "trailer" and "end" in lines[-1], lines[-1]
assert lines[-1]["exit"] == 0, lines[-1]
ev = [l for l in lines[1:-1]]
assert all("seq" in e and "kind" in e and "time" in e for e in ev)
# seq counts from 0, one by one (README, the schema).
assert [e["seq"] for e in ev] == list(range(len(ev))), ev[0]
tls = [e for e in ev if e["kind"] == "tls-established"][0]["tls"]
assert tls["version"].startswith("TLS1"), tls
assert len(tls["chain"][0]["sha256"]) == 95, tls["chain"][0]
leaf = tls["chain"][0]
assert leaf["key"] == "%s %d" % (leaf["key_type"], leaf["key_bits"]), leaf
assert tls["verify"]["ok"] is True
assert any(e["kind"] == "capability-diff" for e in ev)
EOF
then pass "json: every line parses; TLS facts and chain present"
else fail "json: schema check"
fi
# The README's schema names every field and value the JSON carries.
if python3 - "$T/json" "$TOP/README.md" <<'EOF'
import json, re, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
doc = open(sys.argv[2]).read()
doc = doc[doc.index("#### JSON Lines schema"):]
doc = doc[:doc.index("\n## ")]
names = set(re.findall(r"`([^`]+)`", doc))
seen = set(lines[0]) | set(lines[0]["options"]) | set(lines[-1])
for e in lines[1:-1]:
    seen |= set(e) | {e["kind"], e["dir"], e["chan"]} | set(e.get("flags", []))
    if "tls" in e:
        t = e["tls"]
        seen |= set(t) | set(t["verify"])
        for c in t["chain"]:
            seen |= set(c)
missing = sorted(seen - names)
assert not missing, missing
first = re.search(r"\| `seq` \| ([0-9]+),", doc)
assert first and int(first.group(1)) == lines[1]["seq"], \
    ("README: seq from", first and first.group(1), "JSON:", lines[1]["seq"])
EOF
then pass "json: the README schema names every field, kind and flag seen, seq from where it starts"
else fail "json: README schema lacks fields (above)"
fi

# --- usage and connection failures ----------------------------------------
expect_exit 1 "bad scheme: exit 1" "$MS" --batch http://x
"$MS" --batch http://x 2> "$T/usage" < /dev/null
contains "$T/usage" "unknown scheme 'http'" "bad scheme: one-line error"
[ "$(wc -l < "$T/usage")" -eq 1 ] && pass "bad scheme: one line" ||
    fail "bad scheme: one line"
expect_exit 1 "bad port: exit 1" "$MS" --batch smtp://h:99999
for t in nan 0.0001 0 86401; do
	expect_exit 1 "--timeout $t: refused, exit 1" "$MS" --batch --timeout "$t" \
	    "smtp://127.0.0.1:$SMTP_PORT"
done
# An EHLO name with a line break would stall the EHLO until the timeout:
# refused before connecting, exit 1, one line saying why.
for prog in "" probe; do
	[ -n "$prog" ] && extra="--timeout 2" || extra=--batch
	"$MS" $prog $extra --ehlo \
	    "$(printf 'me\r\nMAIL FROM:<x@example.test>')" \
	    "smtp://127.0.0.1:$SMTP_PORT" < /dev/null > "$T/ehlo.out" \
	    2> "$T/ehlo.err"
	rc=$?
	[ "$rc" -eq 1 ] && [ "$(wc -l < "$T/ehlo.err")" -eq 1 ] &&
	    grep -q 'holds CR or LF' "$T/ehlo.err" &&
	    pass "${prog:-batch} --ehlo with CR LF: exit 1, one line" ||
	    fail "${prog:-batch} --ehlo with CR LF: exit $rc, $(cat "$T/ehlo.err")"
done
# Glosses have no place in JSON Lines: said, not silently dropped.
"$MS" --batch --explain --json "smtp://127.0.0.1:$SMTP_PORT" < /dev/null \
    > "$T/explain.out" 2> "$T/explain.err"
rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$T/explain.out" ] &&
    grep -q -- '--explain glosses the transcript' "$T/explain.err" &&
    pass "--explain --json: exit 1, said" ||
    fail "--explain --json: exit $rc, $(cat "$T/explain.err")"
# Every malformed target: exit 1, one line on stderr saying what is wrong,
# nothing on stdout, and the user's bytes shown escaped, never raw.
i=0
while IFS='|' read -r url says; do
	i=$((i + 1))
	"$MS" --batch "$url" < /dev/null > "$T/url$i.out" 2> "$T/url$i.err"
	rc=$?
	[ "$rc" -eq 1 ] && [ ! -s "$T/url$i.out" ] &&
	    [ "$(wc -l < "$T/url$i.err")" -eq 1 ] &&
	    grep -qF -- "$says" "$T/url$i.err" &&
	    pass "bad URL '$url': exit 1, one line naming it" ||
	    fail "bad URL '$url': exit $rc, $(cat "$T/url$i.err" "$T/url$i.out")"
done <<'URLS'
smtp.example.org|is not a URL
gopher://h|unknown scheme 'gopher'
smtp://|missing host
smtp://h:|empty port
smtp://h:0|bad port '0'
smtp://h:25x|bad port '25x'
smtp://[::1|unterminated IPv6 literal
smtp://[::1]x|after IPv6 literal
smtp://[zz]:25|'zz' in brackets is not an IPv6 address
smtp://::1:25|must be in brackets
smtp://u@h|unexpected path, user, query or fragment
imap://h/INBOX|unexpected path, user, query or fragment
smtp://h#x|unexpected path, user, query or fragment
URLS
"$MS" --batch "$(printf 'smtp://h\033[2J')" < /dev/null 2> "$T/url-esc"
contains "$T/url-esc" 'smtp://h\\e\[2J' "bad URL: an escape sequence is shown escaped"
if grep -q "$(printf '\033')" "$T/url-esc"; then
	fail "bad URL: a raw ESC reached the terminal"
else
	pass "bad URL: no raw ESC on stderr"
fi
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run refused 2 "smtp://127.0.0.1:$closed"
contains "$T/refused" 'Connection refused' "refused: reason"

# A server that accepts and never speaks: the timeout fires.
rm -f "$T/silent.port"
python3 - "$T/silent.port" <<'EOF' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); time.sleep(10)
EOF
silent=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$T/silent.port" ] && break; sleep 0.1; done
run silent 2 --timeout 1 "smtp://127.0.0.1:$(cat "$T/silent.port")"
contains "$T/silent" 'no complete reply for the greeting within 1000 ms' \
    "silent server: timeout says what it waited for"
kill "$silent" 2>/dev/null

# A listener whose accept queue is full drops new SYNs: the connect
# itself times out, and that is an error naming the address.
rm -f "$T/full.port"
python3 - "$T/full.port" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
port = s.getsockname()[1]
held = []
for i in range(4):
    c = socket.socket(); c.setblocking(False)
    c.connect_ex(("127.0.0.1", port)); held.append(c)
time.sleep(0.2)
open(sys.argv[1], "w").write(str(port))
time.sleep(30)
PY
full=$!
for i in $(seq 50); do [ -s "$T/full.port" ] && break; sleep 0.1; done
run connect-timeout 2 --timeout 1 "smtp://127.0.0.1:$(cat "$T/full.port")"
contains "$T/connect-timeout" '^\*\* error: connect to 127\.0\.0\.1 port [0-9]* timed out after 1000 ms$' \
    "connect timeout: an error naming the address"
contains "$T/connect-timeout" '^== could not connect to 127\.0\.0\.1 port' \
    "connect timeout: the session ends after the last address"
lacks "$T/connect-timeout" '^(->|<-)' "connect timeout: nothing exchanged"
kill "$full" 2>/dev/null

# An absurd IMAP literal size is pointed out; an ordinary one is not.
rm -f "$T/lit.port"
python3 - "$T/lit.port" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); c.sendall(b"* OK ready\r\n")
tag = c.recv(100).split()[0]
c.sendall(b"* 1 FETCH (BODY[] {5}\r\nsmall)\r\n")
c.sendall(b"* 2 FETCH (BODY[] {4294967296}\r\nonly this\r\n")
c.close()
PY
lit=$!
for i in $(seq 30); do [ -s "$T/lit.port" ] && break; sleep 0.1; done
run literal 2 --timeout 5 -c "FETCH 1:2 BODY[]" "imap://127.0.0.1:$(cat "$T/lit.port")"
contains "$T/literal" '^\*\* the server announces a literal of 4294967296 octets \(4 GiB or more\)' \
    "IMAP: an absurd literal size is reported"
[ "$(grep -c 'announces a literal' "$T/literal")" -eq 1 ] &&
    pass "IMAP: a small literal is not reported" ||
    fail "IMAP: literal warnings: $(grep -c 'announces a literal' "$T/literal")"
contains "$T/literal" '^<- only this$' "IMAP: the bytes of the absurd literal are shown"
kill "$lit" 2>/dev/null

# --- response injection (the lab plays the attacker) ------------------------
labdir=$T/lab
rm -rf "$labdir"
"$MS" lab --scenario inject-response --keep-certs "$labdir" \
    > "$T/lab.out" 2>&1 &
lab=$!
for i in $(seq 50); do grep -q 'submission' "$T/lab.out" && break; sleep 0.1; done
lport=$(sed -n 's/.*submission *127.0.0.1:\([0-9]*\).*/\1/p' "$T/lab.out")
run inject 6 --starttls --cafile "$labdir/ca.pem" "smtp://127.0.0.1:$lport"
contains "$T/inject" '^!! 250-evil' "injection: bytes shown, escaped"
contains "$T/inject" 'response injection: [0-9]* bytes arrived after the STARTTLS go-ahead' \
    "injection: flagged"
lacks "$T/inject" '^== TLS established' "injection: no handshake"
lacks "$T/inject" '^~>' "injection: nothing sent after"
kill "$lab" 2>/dev/null
wait 2>/dev/null

# --- the man page follows --help ----------------------------------------
"$MS" --help > "$T/help"
missing=
for o in $(grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u); do
	m=$(printf '%s' "$o" | sed 's/-/\\-/g')
	grep -qF -- "$m" "$TOP/mailscope.1" || missing="$missing $o"
done
[ -z "$missing" ] && pass "man page names every option of --help" ||
    fail "man page lacks:$missing"

# --- options -----------------------------------------------------------------
run sni 0 --starttls --cafile "$CA" --sni mail.test "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/sni" '^   SNI        mail.test$' "--sni: sent"
contains "$T/sni" 'matched DNS:mail.test' "--sni: verified against the name"
# C7: without --sni, the typed host name is both sent and verified; an IP
# literal is never sent as SNI (RFC 6066 §3) and is verified as an IP.
run sni-typed 0 --starttls --cafile "$CA" "smtp://localhost:$SMTP_PORT"
contains "$T/sni-typed" '^   SNI        localhost$' "typed name: sent as SNI"
contains "$T/sni-typed" '^   verdict    verified for localhost, matched DNS:localhost$' \
    "typed name: verified against it"
contains "$T/smtp-starttls" '^   SNI        -$' "IP literal: no SNI sent"
run tls12 0 --starttls --cafile "$CA" --tls-priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' \
    "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/tls12" '^   version    TLS1.2$' "--tls-priority: TLS 1.2 negotiated"
run badprio 4 --starttls --cafile "$CA" --tls-priority 'NORMAL:+BOGUS' \
    "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/badprio" "bad TLS priority string at '\+BOGUS'" "--tls-priority: error names the bad part"
run badcert 4 --starttls --cafile "$CA" --client-cert /nonexistent.pem \
    --client-key /nonexistent.key "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/badcert" 'cannot load client certificate /nonexistent.pem' \
    "--client-cert: a missing file is named"
rm -f "$T/keys.log"
run keylog 0 --starttls --cafile "$CA" --keylog "$T/keys.log" "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/keylog" "TLS secrets of this session go to $T/keys.log" "--keylog: announced"
contains "$T/keys.log" '^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9A-F]{64} [0-9A-F]+$' \
    "--keylog: NSS key log lines"
[ "$(stat -c %a "$T/keys.log")" = 600 ] && pass "--keylog: mode 0600" ||
    fail "--keylog: mode $(stat -c %a "$T/keys.log")"
SSLKEYLOGFILE=$T/env-keys.log timeout 30 "$MS" --batch --starttls --cafile "$CA" \
    "smtp://127.0.0.1:$SMTP_PORT" < /dev/null > "$T/envkeylog" 2>&1
contains "$T/envkeylog" '^\*\* SSLKEYLOGFILE is set .*anyone with that file can decrypt it' \
    "SSLKEYLOGFILE: warned"
run family6 2 -6 "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/family6" '^\*\* error: 127\.0\.0\.1 is an IPv4 address, but -6 asks for IPv6 only$' \
    "-6: an IPv4 address is refused, saying why"
contains "$T/family6" '^== no TLS: nothing was exchanged with the server$' \
    "-6: the summary does not claim bytes crossed the network"
run family4 0 -4 "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/family4" '^== connected to 127\.0\.0\.1 port' "-4: connected over IPv4"
run family4v6 2 -4 "smtp://[::1]:$SMTP_PORT"
contains "$T/family4v6" '::1 is an IPv6 address, but -4 asks for IPv4 only' \
    "-4: an IPv6 literal is refused, saying why"

# IPv6 literal: a small greeter on ::1.
rm -f "$T/v6.port"
python3 - "$T/v6.port" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); c.sendall(b"220 v6 ESMTP\r\n")
c.recv(100); c.sendall(b"221 bye\r\n"); c.close()
PY
v6=$!
for i in $(seq 30); do [ -s "$T/v6.port" ] && break; sleep 0.1; done
if [ -s "$T/v6.port" ]; then
	run ipv6 0 "smtp://[::1]:$(cat "$T/v6.port")"
	contains "$T/ipv6" '^== connected to ::1 port' "IPv6 literal: connected over ::1"
else
	fail "IPv6 literal: no ::1 on this machine"
fi
kill "$v6" 2>/dev/null

# DATA: dot-stuffing, and the mail reaches Dovecot.
run data 0 -c "EHLO x" -c "MAIL FROM:<bob@mail.test>" -c "RCPT TO:<alice@mail.test>" \
    -c DATA -c "Subject: dot test" -c "" -c ".leading dot" -c "." \
    "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/data" '^<- 354 ' "DATA: 354"
contains "$T/data" '^-> \.leading dot  \[dot-stuffed\]$' \
    "DATA: the line shown as typed, the dot added on the wire said"
contains "$T/data" '^<- 250 2\.0\.0 Ok: queued' "DATA: accepted"

# A13: a STARTTLS-stripping man in the middle in front of the real Postfix
# (striptls-style: the offer overwritten with X's on its way to the
# client).  mailscope must say so and never go on in plaintext.
rm -f "$T/strip.port"
python3 - "$T/strip.port" "$SMTP_PORT" << 'PY' &
import socket, sys, threading
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(4)
open(sys.argv[1], "w").write(str(ls.getsockname()[1]))
def pipe(a, b, rewrite):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d.replace(b"STARTTLS", b"XXXXXXXA") if rewrite else d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
for _ in range(2):
    c, _ = ls.accept()
    u = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    threading.Thread(target=pipe, args=(u, c, True), daemon=True).start()
    threading.Thread(target=pipe, args=(c, u, False), daemon=True).start()
threading.Event().wait(60)
PY
strip=$!
for i in $(seq 30); do [ -s "$T/strip.port" ] && break; sleep 0.1; done
run strip-proxy 3 --starttls --cafile "$CA" -c "AUTH PLAIN AGFsaWNlAHNlY3JldA==" \
    "smtp://127.0.0.1:$(cat "$T/strip.port")"
f=$T/strip-proxy
contains "$f" '^<- 250-XXXXXXXA$' "strip proxy: the overwritten offer is shown as received"
contains "$f" '^\*\* .*STARTTLS stripping' "strip proxy: flagged as stripping"
lacks "$f" '^-> AUTH' "strip proxy: no credentials sent in plaintext"
lacks "$f" '^~>' "strip proxy: nothing claims to be inside TLS"
"$MS" probe --cafile "$CA" "smtp://127.0.0.1:$(cat "$T/strip.port")" \
    < /dev/null > "$T/strip-probe" 2>&1
rc=$?
[ "$rc" -ne 0 ] && pass "strip proxy: probe fails (exit $rc)" ||
    fail "strip proxy: probe exit 0"
contains "$T/strip-probe" 'bad +starttls +stripped: ' "strip proxy: probe names the stripping"
kill "$strip" 2>/dev/null
