#!/bin/sh
# SPDX-License-Identifier: ISC
# Smoke test of tests/fakeserver.py and the example cases in tests/cases/,
# driven by python, openssl and gnutls-cli clients (never mailscope).
. "$(dirname "$0")/../lib.sh"
need_servers
FS=$TOP/tests/fakeserver.py
CASES=$TOP/tests/cases

# client PORT ACTION...: a scripted client.  Actions:
#   send TEXT (\r \n escapes)   read (one recv)   until ERE (recv until the
#   received data matches)   tls [MIN MAX] (handshake, CA $CA, host
#   mail.test)   readall (until EOF)
# Prints "R <escaped bytes>" per read, "T <version>" after a handshake and
# "E <error>" (then stops) on any error.
client() {
	python3 - "$@" << 'EOF'
import re, socket, ssl, sys, os
def esc(b):
    return "".join(chr(c) if 32 <= c < 127 and c != 92 else
                   {13: "\\r", 10: "\\n", 92: "\\\\"}.get(c, "\\x%02x" % c)
                   for c in b)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
a = sys.argv[2:]
import warnings
warnings.simplefilter("ignore", DeprecationWarning)
vers = {"1.0": ssl.TLSVersion.TLSv1, "1.2": ssl.TLSVersion.TLSv1_2,
        "1.3": ssl.TLSVersion.TLSv1_3}
try:
    while a:
        op = a.pop(0)
        if op == "send":
            s.sendall(a.pop(0).encode().decode("unicode_escape")
                      .encode("latin-1"))
        elif op == "read":
            print("R " + esc(s.recv(65536)))
        elif op == "until":
            want, got = a.pop(0), b""
            while not re.search(want, got.decode("latin-1")):
                b = s.recv(65536)
                if not b:
                    break
                got += b
            print("R " + esc(got))
        elif op == "readall":
            got = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
            print("R " + esc(got))
        elif op == "tls":
            ctx = ssl.create_default_context(cafile=os.environ["CA"])
            if a and a[0] in vers:
                ctx.minimum_version = vers[a.pop(0)]
                ctx.maximum_version = vers[a.pop(0)]
                ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            s = ctx.wrap_socket(s, server_hostname="mail.test")
            print("T " + s.version())
except Exception as e:
    print("E %s: %s" % (type(e).__name__, e))
EOF
}

# Refusals and bounds.
expect_exit 1 "fakeserver refuses a non-loopback address" \
    python3 "$FS" --host 192.0.2.1 --port 0 "$CASES/smtp-starttls-454.case"
contains "$T/last.out" "non-loopback" "fakeserver says why it refuses the address"
printf '%s\n' 'send ok\r\n' 'bogus 1' > "$T/bad.case"
expect_exit 1 "fakeserver rejects an unknown case command" \
    python3 "$FS" --port 0 "$T/bad.case"
contains "$T/last.out" "bad.case:2: unknown command" "the case error names file and line"
printf '%s\n' 'send 220 x\r\n' 'sleep 60000' > "$T/stall.case"
fake_start stall "$T/stall.case" --max-seconds 1
client "$FAKE_PORT" read > "$T/stall.out"
expect_exit 0 "a stalling case ends at --max-seconds" fake_wait 10
contains "$FAKE_LOG" "^I: time limit reached" "the time limit is logged"
fake_start noconn "$T/stall.case" --max-seconds 1
expect_exit 0 "fakeserver gives up when nobody connects" fake_wait 10
contains "$FAKE_LOG" "^I: no connection" "the missing connection is logged"

# A1: injected lines arrive in the same segment as the go-ahead; a
# proper TLS session follows.
fake_start a1 "$CASES/smtp-response-injection.case"
client "$FAKE_PORT" until '\r\n' send 'EHLO c\r\n' until '250 8BITMIME' \
    send 'STARTTLS\r\n' read tls send 'EHLO c\r\n' until '250 8BITMIME' \
    send 'QUIT\r\n' until '221' > "$T/a1.out"
fake_wait
contains "$T/a1.out" '^R 220 Ready\\r\\n250-x\\r\\n250 AUTH PLAIN LOGIN\\r\\n$' "A1: go-ahead and injected lines come in one read"
contains "$T/a1.out" '^T TLSv1\.[23]$' "A1: TLS handshake after the injection, certificate verified"
contains "$T/a1.out" '^R 221 2.0.0 Bye' "A1: the session continues inside TLS"
contains "$FAKE_LOG" '^I: tls TLSv1\.[23] ' "A1: the log records the TLS parameters"
contains "$FAKE_LOG" '^C: QUIT\\r\\n$' "A1: the log records client lines"
lacks "$FAKE_LOG" 'mismatch' "A1: the client followed the script"

# A4: the injected line is a separate segment.
fake_start a4 "$CASES/smtp-injection-segment.case"
client "$FAKE_PORT" until '\r\n' send 'EHLO c\r\n' until 'STARTTLS' \
    send 'STARTTLS\r\n' read read > "$T/a4.out"
fake_wait
contains "$T/a4.out" '^R 220 2.0.0 Ready to start TLS\\r\\n$' "A4: the go-ahead arrives alone"
contains "$T/a4.out" '^R 250 AUTH PLAIN LOGIN\\r\\n$' "A4: the injected line arrives in a later read"

# A2: IMAP tags are echoed from the client's commands.
fake_start a2 "$CASES/imap-response-injection.case"
client "$FAKE_PORT" until '\r\n' send 'c1 CAPABILITY\r\n' until 'c1 OK' \
    send 'zz9 STARTTLS\r\n' read tls send 'c2 CAPABILITY\r\n' \
    until 'c2 OK' send 'c3 LOGOUT\r\n' until 'c3 OK' > "$T/a2.out"
fake_wait
contains "$T/a2.out" '^R zz9 OK begin TLS now\\r\\n\* CAPABILITY IMAP4rev1 AUTH=PLAIN\\r\\n2 OK done\\r\\n$' "A2: tagged OK plus injected lines in one read, client tag echoed"
contains "$T/a2.out" '^R \* BYE bye\\r\\nc3 OK done' "A2: IMAP session continues inside TLS"

# A3: POP3 injection with binary garbage.
fake_start a3 "$CASES/pop3-response-injection.case"
client "$FAKE_PORT" until '\r\n' send 'CAPA\r\n' until '\r\n\.\r\n' \
    send 'STLS\r\n' read tls send 'QUIT\r\n' until 'bye' > "$T/a3.out"
fake_wait
contains "$T/a3.out" '^R \+OK begin\\r\\n\+OK\\r\\nPLAIN\\r\\n\.\\r\\n\\x00\\xff\\x1b\[2J' "A3: injected POP3 lines and raw bytes in one read"
contains "$T/a3.out" '^T TLSv1' "A3: TLS follows"

# A8: STARTTLS refused; the log shows what the client did next.
fake_start a8 "$CASES/smtp-starttls-454.case"
client "$FAKE_PORT" until '\r\n' send 'EHLO c\r\n' until '250 AUTH' \
    send 'STARTTLS\r\n' until '454' send 'QUIT\r\n' until '221' > "$T/a8.out"
fake_wait
contains "$T/a8.out" '^R 454 4.7.0 TLS not available' "A8: 454 answer to STARTTLS"
lacks "$FAKE_LOG" '^C: AUTH' "A8: the log shows no AUTH from this client"
fake_start a8b "$CASES/smtp-starttls-454.case"
client "$FAKE_PORT" until '\r\n' send 'EHLO c\r\n' until '250 AUTH' \
    send 'STARTTLS\r\n' until '454' send 'AUTH PLAIN AGFAYgA=\r\n' \
    readall > /dev/null
fake_wait
contains "$FAKE_LOG" '^I: mismatch at line 8: expected /\^QUIT/' "A8: a client line off the script is logged as a mismatch"
contains "$FAKE_LOG" '^C: AUTH PLAIN' "A8: the offending line itself is logged"

# D1: escape sequences are sent raw.
fake_start d1 "$CASES/pop3-escape-greeting.case"
client "$FAKE_PORT" until '\r\n' send 'QUIT\r\n' until 'bye' > "$T/d1.out"
fake_wait
contains "$T/d1.out" '\\x1b\[31;1;4mPOP3\\x1b\[0m' "D1: SGR sequences arrive raw"
contains "$T/d1.out" '\\x1b\]52;c;' "D1: OSC 52 arrives raw"
contains "$T/d1.out" '\\xc2\\x9b31m\\x9b31m' "D1: C1 CSI as UTF-8 and as a raw byte"
contains "$T/d1.out" '\\xe2\\x80\\xaeevil' "D1: bidi override as UTF-8"
contains "$T/d1.out" 'ok\\x08\\x08\\x08ready' "D1: backspaces arrive raw"

# B1: byte-by-byte greeting, then RST.
fake_start b1 "$CASES/smtp-slow-greeting.case"
client "$FAKE_PORT" read until 'ESMTP\r\n' send 'QUIT\r\n' read > "$T/b1.out"
fake_wait
contains "$T/b1.out" '^R 2$' "B1: the slow greeting arrives in pieces"
contains "$T/b1.out" '^E ConnectionResetError' "B1: reset sends an RST"

# C3: TLS 1.0 only.
fake_start c3 "$CASES/smtp-tls10-only.case"
client "$FAKE_PORT" until '\r\n' send 'EHLO c\r\n' until 'STARTTLS' \
    send 'STARTTLS\r\n' read tls > "$T/c3.out"
fake_wait
contains "$T/c3.out" '^E SSLError' "C3: a default client refuses the TLS 1.0-only server"
contains "$FAKE_LOG" '^I: tls handshake failed' "C3: the failed handshake is logged"
fake_start c3b "$CASES/smtp-tls10-only.case"
client "$FAKE_PORT" until '\r\n' send 'EHLO c\r\n' until 'STARTTLS' \
    send 'STARTTLS\r\n' read tls 1.0 1.0 send 'EHLO c\r\n' \
    until '250' send 'QUIT\r\n' until '221' > "$T/c3b.out"
fake_wait
if grep -q '^T TLSv1$' "$T/c3b.out"; then
	pass "C3: a client allowing TLS 1.0 gets TLS 1.0"
	contains "$FAKE_LOG" '^I: tls TLSv1 ' "C3: the log records TLS 1.0"
else
	fail "C3: a client allowing TLS 1.0 gets TLS 1.0 (this OpenSSL may not allow TLS 1.0 even at SECLEVEL 0)"
	sed 's/^/	| /' "$T/c3b.out"
fi

# C4: fatal alert instead of ServerHello, seen by gnutls-cli.
fake_start c4 "$CASES/smtp-tls-alert.case"
timeout 10 gnutls-cli --starttls-proto=smtp --x509cafile "$CA" \
    -p "$FAKE_PORT" 127.0.0.1 < /dev/null > "$T/c4.out" 2>&1
echo "exit $?" >> "$T/c4.out"
fake_wait
contains "$T/c4.out" "Handshake failed" "C4: gnutls-cli fails the handshake"
contains "$T/c4.out" "[Hh]andshake failed|alert" "C4: gnutls-cli sees the alert"
contains "$FAKE_LOG" '^C: \\x16\\x03' "C4: the ClientHello is logged"

# Several connections in a row with openssl s_client.
fake_start multi "$CASES/smtp-response-injection.case" --connections 2
for i in 1 2; do
	printf 'EHLO c\r\nQUIT\r\n' | timeout 10 openssl s_client -quiet \
	    -starttls smtp -connect "127.0.0.1:$FAKE_PORT" -CAfile "$CA" \
	    > "$T/multi$i.out" 2>&1
done
expect_exit 0 "fakeserver serves --connections 2 and exits" fake_wait 10
n=$(grep -c '^I: tls TLSv1' "$FAKE_LOG")
if [ "$n" -eq 2 ]; then
	pass "two openssl s_client sessions completed TLS"
else
	fail "two openssl s_client sessions completed TLS ($n)"
fi
