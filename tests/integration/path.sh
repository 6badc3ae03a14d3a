#!/bin/sh
# SPDX-License-Identifier: ISC
# Paths to the server: a SOCKS5 proxy (microsocks, with and without a
# login; socks5 and socks5h; a wrong password, a refused CONNECT, a proxy
# answering garbage or too little), the HAProxy PROXY header v1 and v2
# read by a Postfix smtpd (its log names the claimed client), LMTP on
# Dovecot's unix socket, an IDN host name through the test zone, SMTPUTF8
# against Postfix and against a server without it.
. "$(dirname "$0")/../lib.sh"
need_servers
cd "$TOP"

MS=$MAILSCOPE
# run OUT ARGS...: a batch session (QUIT), its output and exit code kept
run() {
	_o=$1
	shift
	timeout 30 "$MS" --batch --timeout 10 -c QUIT "$@" < /dev/null \
	    > "$T/$_o" 2>&1
	echo $? > "$T/$_o.rc"
}

# --- SOCKS5 without a login --------------------------------------------
run socks --proxy socks5://127.0.0.1:$SOCKS_PORT smtp://127.0.0.1:$SMTP_PORT
rc socks 0 "socks5: the session completes through the proxy"
contains "$T/socks" "^== connected to 127\\.0\\.0\\.1 port $SOCKS_PORT .*\\(the SOCKS5 proxy\\)\$" \
    "socks5: the connection is the proxy's"
contains "$T/socks" "^== SOCKS5: greeting sent, method offered: no authentication\$" \
    "socks5: the greeting's methods are an event"
contains "$T/socks" "^== SOCKS5: CONNECT to 127\\.0\\.0\\.1 port $SMTP_PORT, as an IPv4 address 127\\.0\\.0\\.1\$" \
    "socks5: CONNECT with the address we resolved"
contains "$T/socks" "^== SOCKS5: reply: succeeded" "socks5: the reply code in words"
contains "$T/socks" "^<- 220 .*mailscope-test" "socks5: the server's greeting through the proxy"

# socks5h, TLS: the proxy resolves; SNI and verification use the name.
run socks5h --proxy socks5h://127.0.0.1:$SOCKS_PORT --starttls --cafile "$CA" \
    smtp://localhost:$SMTP_PORT
rc socks5h 0 "socks5h: STARTTLS through the proxy, verified"
contains "$T/socks5h" "^== SOCKS5: CONNECT to localhost port $SMTP_PORT, as a domain name, resolved by the proxy\$" \
    "socks5h: CONNECT with the name, resolved by the proxy"
contains "$T/socks5h" "certificate verified: host name matched DNS:localhost" \
    "socks5h: the certificate is verified for the target's name"
contains "$T/socks5h" "^   SNI        localhost\$" "socks5h: SNI is the target's name"

# The environment names the proxy when --proxy does not.
MAILSCOPE_PROXY=socks5://127.0.0.1:$SOCKS_PORT run env smtp://127.0.0.1:$SMTP_PORT
contains "$T/env" "^== SOCKS5: reply: succeeded" "MAILSCOPE_PROXY: the proxy from the environment"

# --- SOCKS5 with a login -----------------------------------------------
MAILSCOPE_PROXY_PASSWORD=$SOCKS_PASS run auth --record "$T/auth.jsonl" \
    --proxy socks5://$SOCKS_USER@127.0.0.1:$SOCKS_AUTH_PORT \
    smtp://127.0.0.1:$SMTP_PORT
rc auth 0 "socks5 login: the session completes"
contains "$T/auth" "^== SOCKS5: greeting sent, methods offered: no authentication, username/password \\(RFC 1929\\)\$" \
    "socks5 login: both methods offered"
contains "$T/auth" "^== SOCKS5: logged in as $SOCKS_USER\$" "socks5 login: the result, without the password"
printf '%s\n' "$SOCKS_PASS" > "$T/pw"
chmod 600 "$T/pw"
run authfile --proxy socks5://$SOCKS_USER@127.0.0.1:$SOCKS_AUTH_PORT \
    --proxy-password-file "$T/pw" smtp://127.0.0.1:$SMTP_PORT
rc authfile 0 "socks5 login: the password from --proxy-password-file"
run authurl --proxy socks5://$SOCKS_USER:$SOCKS_PASS@127.0.0.1:$SOCKS_AUTH_PORT \
    --record "$T/authurl.jsonl" smtp://127.0.0.1:$SMTP_PORT
rc authurl 0 "socks5 login: the password in the URL"
for f in auth auth.jsonl authfile authurl authurl.jsonl; do
	lacks "$T/$f" "$SOCKS_PASS" "socks5 login: the password is not in $f"
done
MAILSCOPE_PROXY_PASSWORD=wrong-pw run wrongpw \
    --proxy socks5://$SOCKS_USER@127.0.0.1:$SOCKS_AUTH_PORT smtp://127.0.0.1:$SMTP_PORT
rc wrongpw 2 "socks5 wrong password: exit 2"
contains "$T/wrongpw" "the proxy refused the login as $SOCKS_USER \\(status [0-9]+\\): wrong user or password" \
    "socks5 wrong password: said clearly"
lacks "$T/wrongpw" "wrong-pw" "socks5 wrong password: the password is not shown"
run nouser --proxy socks5://127.0.0.1:$SOCKS_AUTH_PORT smtp://127.0.0.1:$SMTP_PORT
rc nouser 2 "socks5 login wanted, none given: exit 2"
contains "$T/nouser" "the proxy accepts none of the methods offered \\(it may want a user" \
    "socks5 login wanted: the hint says a user is needed"
env -u MAILSCOPE_PROXY_PASSWORD "$MS" --batch -c QUIT \
    --proxy socks5://$SOCKS_USER@127.0.0.1:$SOCKS_AUTH_PORT \
    smtp://127.0.0.1:$SMTP_PORT > "$T/nopw" 2>&1 < /dev/null
echo $? > "$T/nopw.rc"
rc nopw 1 "socks5 user without a password: a usage error"
contains "$T/nopw" "has no password: give it in MAILSCOPE_PROXY_PASSWORD or --proxy-password-file" \
    "socks5 user without a password: where to give it"

# --- a refused CONNECT --------------------------------------------------
run refused --proxy socks5://127.0.0.1:$SOCKS_PORT smtp://127.0.0.1:$SPARE_PORT1
rc refused 2 "socks5 refused CONNECT: exit 2"
contains "$T/refused" "the proxy refused CONNECT to 127\\.0\\.0\\.1 port $SPARE_PORT1: connection refused \\(reply 5\\)" \
    "socks5 refused CONNECT: the reply code in words"
run unresolved --proxy socks5h://127.0.0.1:$SOCKS_PORT smtp://nowhere.invalid:$SMTP_PORT
rc unresolved 2 "socks5h unknown name: exit 2"
contains "$T/unresolved" "the proxy refused CONNECT to nowhere\\.invalid port $SMTP_PORT: " \
    "socks5h unknown name: the proxy's refusal said"

# --- usage errors -------------------------------------------------------
expect_exit 1 "--proxy http:// is refused" "$MS" --batch --proxy http://127.0.0.1:3128 smtp://127.0.0.1:$SMTP_PORT
expect_exit 1 "--proxy with mx:// is refused" "$MS" --batch --proxy socks5://127.0.0.1:$SOCKS_PORT mx://mailscope.test
expect_exit 1 "--proxy-header v3 is refused" "$MS" --batch --proxy-header v3 smtp://127.0.0.1:$SMTP_PORT
expect_exit 1 "--proxy-source without --proxy-header is refused" "$MS" --batch --proxy-source 192.0.2.1:1 smtp://127.0.0.1:$SMTP_PORT
expect_exit 1 "--proxy-source needs ADDR:PORT" "$MS" --batch --proxy-header v1 --proxy-source mail.test smtp://127.0.0.1:$SMTP_PORT

# --- hostile proxies: garbage, a short reply ---------------------------
# fakesocks MODE: a one-shot proxy on a free port, its port on stdout.
fakesocks() {
	rm -f "$T/fake-$1.port"
	python3 -S - "$1" > "$T/fake-$1.port" << 'EOF' &
import socket, sys
mode = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
sys.stdout.close()
s.settimeout(20)
c, _ = s.accept()
c.recv(16)
if mode == "garbage":
    c.sendall(b"HTTP/1.0 400 Bad Request\r\n\x1b[31m\r\n")
elif mode == "short":
    c.sendall(b"\x05\x00")
    c.recv(300)
    c.sendall(b"\x05\x00\x00")
elif mode == "badatyp":
    c.sendall(b"\x05\x00")
    c.recv(300)
    c.sendall(b"\x05\x00\x00\x09")
elif mode == "silent":
    c.settimeout(20)
    c.recv(1)
c.close()
EOF
	_fp=$!
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		[ -s "$T/fake-$1.port" ] && break
		sleep 0.1
	done
	cat "$T/fake-$1.port"
}
for m in garbage short badatyp; do
	p=$(fakesocks $m)
	run hostile-$m --proxy socks5://127.0.0.1:$p smtp://127.0.0.1:$SMTP_PORT
	wait
	rc hostile-$m 2 "socks5 $m: exit 2, no hang"
done
contains "$T/hostile-garbage" "the proxy's answer is not SOCKS version 5 \\(first byte 0x48\\)" \
    "socks5 garbage: not SOCKS 5, said"
lacks "$T/hostile-garbage" "$(printf '\033')" "socks5 garbage: no raw escape reaches the output"
contains "$T/hostile-short" "the proxy closed the connection after 3 bytes of its reply \\(expected 4\\)" \
    "socks5 short reply: how much came and what was expected"
contains "$T/hostile-badatyp" "unknown address type 9" "socks5 bad address type: said"

# A password in the URL is wiped from the command line once read (ps),
# seen while a silent proxy keeps the session waiting.
p=$(fakesocks silent)
"$MS" --batch --timeout 5 -c QUIT \
    --proxy "socks5://$SOCKS_USER:$SOCKS_PASS@127.0.0.1:$p" \
    smtp://127.0.0.1:$SMTP_PORT < /dev/null > "$T/silent" 2>&1 &
ms=$!
for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	grep -q "SOCKS5: greeting sent" "$T/silent" && break
	sleep 0.1
done
tr '\0' ' ' < /proc/$ms/cmdline > "$T/cmdline"
wait $ms
echo $? > "$T/silent.rc"
wait
contains "$T/cmdline" "socks5://$SOCKS_USER:\*+@127" \
    "socks5: the URL's password is wiped from the process list"
lacks "$T/cmdline" "$SOCKS_PASS" "socks5: ps does not show the password"
rc silent 2 "socks5 silent proxy: exit 2 after the timeout"
contains "$T/silent" "no answer from the SOCKS5 proxy within 5000 ms" "socks5 silent proxy: the timeout said"

# --- the PROXY protocol header to a Postfix smtpd -----------------------
run pv1 --proxy-header v1 --proxy-source 198.51.100.7:4711 \
    --proxy-dest 127.0.0.1:25 smtp://127.0.0.1:$PROXY_SMTP_PORT
rc pv1 0 "PROXY v1: Postfix takes the header"
contains "$T/pv1" "^== PROXY protocol v1 header sent: PROXY TCP4 198\\.51\\.100\\.7 127\\.0\\.0\\.1 4711 25\$" \
    "PROXY v1: the header is its own event"
contains "$T/pv1" "^<- 220 .*mailscope-test" "PROXY v1: the greeting follows"
run pv2 --proxy-header v2 --proxy-source 203.0.113.9:5000 \
    --record "$T/pv2.jsonl" smtp://127.0.0.1:$PROXY_SMTP_PORT
rc pv2 0 "PROXY v2: Postfix takes the header"
contains "$T/pv2" "^== PROXY protocol v2 header sent \\(28 bytes\\): version 2, command PROXY, TCP over IPv4; source 203\\.0\\.113\\.9 port 5000, destination 127\\.0\\.0\\.1 port $PROXY_SMTP_PORT " \
    "PROXY v2: shown decoded"
contains "$T/pv2.jsonl" "PROXY protocol v2 header sent" "PROXY v2: recorded"
run pv2sock --proxy-header v2 smtp://127.0.0.1:$PROXY_SMTP_PORT
rc pv2sock 0 "PROXY v2: the socket's own addresses"
sleep 0.5
contains "$POSTFIX_LOG" "connect from unknown\\[198\\.51\\.100\\.7\\]" \
    "PROXY v1: Postfix's log names the claimed client"
contains "$POSTFIX_LOG" "connect from unknown\\[203\\.0\\.113\\.9\\]" \
    "PROXY v2: Postfix's log names the claimed client"
# Without the header that smtpd waits for one and gives up.
timeout 30 "$MS" --batch --timeout 5 -c QUIT smtp://127.0.0.1:$PROXY_SMTP_PORT \
    < /dev/null > "$T/nohdr" 2>&1
echo $? > "$T/nohdr.rc"
rc nohdr 2 "no PROXY header where one is required: exit 2, no hang"

# --- LMTP on Dovecot's unix socket --------------------------------------
printf '%s\n' 'LHLO mailscope.test' 'MAIL FROM:<bob@mail.test>' \
    'RCPT TO:<alice@mail.test>' 'RCPT TO:<nobody@mail.test>' 'DATA' \
    'Subject: over lmtp+unix' '' 'hello' '.' 'QUIT' > "$T/lmtp.script"
timeout 30 "$MS" --batch --timeout 10 --script "$T/lmtp.script" \
    "lmtp+unix://$LMTP_SOCKET" < /dev/null > "$T/lmtp" 2>&1
echo $? > "$T/lmtp.rc"
rc lmtp 0 "lmtp+unix: the session completes"
contains "$T/lmtp" "^== connected to unix socket $LMTP_SOCKET" "lmtp+unix: connected to the socket"
contains "$T/lmtp" "^-> LHLO mailscope\\.test\$" "lmtp+unix: LHLO"
contains "$T/lmtp" "^<- 550 5\\.1\\.1 <nobody@mail\\.test>" "lmtp+unix: the unknown recipient refused"
contains "$T/lmtp" "^<- 250 2\\.0\\.0 <alice@mail\\.test> .*Saved\$" \
    "lmtp+unix: after DATA a reply per accepted recipient"
expect_exit 1 "lmtp+unix without an absolute path is refused" "$MS" --batch lmtp+unix://relative
run lmtpnone "lmtp+unix://$T/no-such-socket"
rc lmtpnone 2 "lmtp+unix: a missing socket is exit 2"
contains "$T/lmtpnone" "No such file or directory" "lmtp+unix: a missing socket said"

# --- an IDN host name, through the test zone ----------------------------
run idn --dns "$DNS_SERVER" --dnssec-anchor "$DNS_ANCHOR" --cafile "$CA" \
    --starttls "smtp://bücher.mailscope.test:$SMTP_PORT"
rc idn 0 "IDN: the session completes, verified"
contains "$T/idn" "^== IDN: bücher\\.mailscope\\.test is xn--bcher-kva\\.mailscope\\.test " \
    "IDN: both forms shown"
contains "$T/idn" "^== DNS A xn--bcher-kva\\.mailscope\\.test \\(secure\\): 127\\.0\\.0\\.1\$" \
    "IDN: DNS asked for the A-label"
contains "$T/idn" "host name matched DNS:xn--bcher-kva\\.mailscope\\.test" \
    "IDN: verified for the A-label"
contains "$T/idn" "^   SNI        xn--bcher-kva\\.mailscope\\.test\$" "IDN: SNI is the A-label"
run idnrev --dns "$DNS_SERVER" --dnssec-anchor "$DNS_ANCHOR" \
    "smtp://xn--bcher-kva.mailscope.test:$SMTP_PORT"
contains "$T/idnrev" "^== IDN: bücher\\.mailscope\\.test is xn--bcher-kva\\.mailscope\\.test " \
    "IDN: an A-label typed is shown in Unicode too"
expect_exit 1 "IDN: a name without an IDNA2008 form is refused" \
    "$MS" --batch "smtp://a$(printf '\342\200\256')b.example"
contains "$T/last.out" "no IDNA2008 form" "IDN: the refusal says why"
lacks "$T/last.out" "$(printf '\342\200\256')" "IDN: the bidi control is not shown raw"

# --- SMTPUTF8 -----------------------------------------------------------
printf '%s\n' 'EHLO me' 'MAIL FROM:<jörg@mail.test>' 'RSET' \
    'MAIL FROM:<jörg@mail.test> SMTPUTF8' 'RCPT TO:<alice@mail.test>' \
    'QUIT' > "$T/utf8.script"
timeout 30 "$MS" --batch --timeout 10 --script "$T/utf8.script" \
    smtp://127.0.0.1:$NOTLS_PORT < /dev/null > "$T/utf8" 2>&1
echo $? > "$T/utf8.rc"
rc utf8 0 "SMTPUTF8: the session completes"
contains "$T/utf8" "^<- 250[- ]SMTPUTF8\$" "SMTPUTF8: Postfix advertises it"
contains "$T/utf8" "^\\*\\* a non-ASCII address without the SMTPUTF8 parameter" \
    "SMTPUTF8: MAIL FROM without the parameter is warned about"
contains "$T/utf8" "^-> MAIL FROM:<jörg@mail\\.test>\$" "SMTPUTF8: the address goes as UTF-8"
contains "$T/utf8" "^<- 250 2\\.1\\.0 Ok\$" "SMTPUTF8: Postfix accepts it"
test "$(grep -c '^\*\* a non-ASCII' "$T/utf8")" = 1 &&
    pass "SMTPUTF8: with the parameter, no warning" ||
    fail "SMTPUTF8: with the parameter, no warning"
printf '%s\n' 'LHLO me' 'MAIL FROM:<jörg@mail.test>' 'QUIT' > "$T/noutf8.script"
timeout 30 "$MS" --batch --timeout 10 --script "$T/noutf8.script" \
    "lmtp+unix://$LMTP_SOCKET" < /dev/null > "$T/noutf8" 2>&1
contains "$T/noutf8" "^\\*\\* a non-ASCII address, but the server did not advertise SMTPUTF8" \
    "SMTPUTF8: a server without it is warned about"
exit 0
