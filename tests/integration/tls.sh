#!/bin/sh
# SPDX-License-Identifier: ISC
# The TLS facts as they happened, against openssl s_server on loopback
# with a test PKI made here, and against the lab.  Nothing here needs
# tests/servers.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
# The screen runs from the ASan build when there is one.
UI=$MAILSCOPE
[ -x "$ASAN_MAILSCOPE" ] && UI=$ASAN_MAILSCOPE
P=$T/pki
rm -rf "$P"
mkdir -p "$P"

# --- the PKI: a CA, two leaves, an OCSP index and responses ----------------
cat > "$P/x509.cnf" << 'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
[leaf]
basicConstraints = CA:false
keyUsage = digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:xn--bcher-kva.example
EOF
pki() {
	"$@" > "$P/openssl.log" 2>&1 || {
		fail "test PKI: $*"
		cat "$P/openssl.log"
		exit 1
	}
}
pki openssl req -x509 -newkey rsa:2048 -nodes -keyout "$P/ca.key" \
    -out "$P/ca.pem" -subj /CN=tls-test-CA -days 2 -config "$P/x509.cnf" \
    -extensions ca
for n in good revoked; do
	pki openssl req -newkey rsa:2048 -nodes -keyout "$P/$n.key" \
	    -out "$P/$n.csr" -subj "/CN=$n" -config "$P/x509.cnf"
	pki openssl x509 -req -in "$P/$n.csr" -CA "$P/ca.pem" \
	    -CAkey "$P/ca.key" -CAcreateserial -out "$P/$n.pem" -days 2 \
	    -extfile "$P/x509.cnf" -extensions leaf
done
serial() {
	openssl x509 -in "$1" -noout -serial | cut -d= -f2
}
end=$(date -u -d '+2 days' +%y%m%d%H%M%SZ)
rev=$(date -u -d '-1 hour' +%y%m%d%H%M%SZ)
printf 'V\t%s\t\t%s\tunknown\t/CN=good\nR\t%s\t%s\t%s\tunknown\t/CN=revoked\n' \
    "$end" "$(serial "$P/good.pem")" "$end" "$rev" \
    "$(serial "$P/revoked.pem")" > "$P/index.txt"
for n in good revoked; do
	pki openssl ocsp -issuer "$P/ca.pem" -cert "$P/$n.pem" -no_nonce \
	    -reqout "$P/$n.req"
	pki openssl ocsp -index "$P/index.txt" -rsigner "$P/ca.pem" \
	    -rkey "$P/ca.key" -CA "$P/ca.pem" -reqin "$P/$n.req" \
	    -respout "$P/$n.ocsp" -ndays 1
done
# The 1024-bit MODP group of RFC 2409 (Oakley group 2), Logjam's target.
cat > "$P/dh1024.pem" << 'EOF'
-----BEGIN DH PARAMETERS-----
MIGHAoGBAP//////////yQ/aoiFowjTExmKLgNwc0SkCTgiKZ8x0Agu+pjsTmyJR
Sgh5jjQE3e+VGbPNOkMbMCsKbfJfFDdP4TVtbVHCReSFtXZiXn7G9ExC6aY37WsL
/1y29Aa37e44a/taiZ+lrp8kEXxLH+ZJKGZR7OZTgf//////////AgEC
-----END DH PARAMETERS-----
EOF
printf '220 tls-test ESMTP\r\n' > "$P/greeting"

# --- openssl s_server, one connection, on a free loopback port -----------
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# serve NAME ARGS...: start s_server with ARGS; its input is a FIFO held
# open on fd 3 (the greeting is written at once), its output $T/NAME.srv.
# Sets SS_PORT and SS_PID; returns 1 if it does not listen within 5 s.
serve() {
	_n=$1
	shift
	SS_PORT=$(free_port)
	# The old output goes first: s_server's shell opens it only once the
	# FIFO has a writer, and an ACCEPT left by the last run would pass
	# for this one's.
	rm -f "$T/$_n.fifo" "$T/$_n.srv"
	mkfifo "$T/$_n.fifo"
	openssl s_server -accept "127.0.0.1:$SS_PORT" -naccept 1 "$@" \
	    < "$T/$_n.fifo" > "$T/$_n.srv" 2>&1 &
	SS_PID=$!
	exec 3> "$T/$_n.fifo"
	cat "$P/greeting" >&3
	_i=100
	while ! grep -qs '^ACCEPT' "$T/$_n.srv"; do
		_i=$((_i - 1))
		if [ "$_i" -le 0 ] || ! kill -0 "$SS_PID" 2> /dev/null; then
			fail "$_n: s_server listens"
			sed 's/^/    /' "$T/$_n.srv"
			exec 3>&-
			return 1
		fi
		sleep 0.05
	done
}

# unserve: end s_server (its input closes) and reap it.
unserve() {
	exec 3>&-
	kill "$SS_PID" 2> /dev/null
	wait "$SS_PID" 2> /dev/null
	return 0
}

# run NAME EXPECTED-EXIT ARGS...: mailscope --batch against the server
# started by serve, output in $T/NAME.
run() {
	_n=$1
	_want=$2
	shift 2
	timeout 30 "$MS" --batch --timeout 1 "$@" \
	    "smtps://127.0.0.1:$SS_PORT" < /dev/null > "$T/$_n" 2>&1
	_rc=$?
	unserve
	if [ "$_rc" -eq "$_want" ]; then
		pass "$_n: exit $_want"
	else
		fail "$_n: exit $_rc, expected $_want"
		sed 's/^/    /' "$T/$_n" | tail -n 15
	fi
}

GOOD="-cert $P/good.pem -key $P/good.key"
REVOKED="-cert $P/revoked.pem -key $P/revoked.key"

# --- OCSP staples ----------------------------------------------------------
# shellcheck disable=SC2086
if serve ocsp-good $GOOD -status_file "$P/good.ocsp"; then
	run ocsp-good 0 --cafile "$P/ca.pem"
	contains "$T/ocsp-good" '^   OCSP       good$' \
	    "ocsp: a good staple is reported good"
	contains "$T/ocsp-good" '^== certificate verified' \
	    "ocsp: good staple, certificate verified"
fi

# shellcheck disable=SC2086
if serve ocsp-revoked $REVOKED -status_file "$P/revoked.ocsp"; then
	run ocsp-revoked 5 --cafile "$P/ca.pem"
	contains "$T/ocsp-revoked" '^   OCSP       revoked$' \
	    "ocsp: a revoked staple is reported revoked"
	contains "$T/ocsp-revoked" 'certificate NOT verified: revoked' \
	    "ocsp: revoked staple, verdict says revoked"
	lacks "$T/ocsp-revoked" '^<~ ' \
	    "ocsp: revoked, nothing read inside TLS"
fi
# gnutls-cli sees the same staple the same way.
# shellcheck disable=SC2086
if serve ocsp-gnutls $REVOKED -status_file "$P/revoked.ocsp"; then
	timeout 10 gnutls-cli --x509cafile "$P/ca.pem" -p "$SS_PORT" \
	    127.0.0.1 < /dev/null > "$T/ocsp-gnutls" 2>&1
	unserve
	contains "$T/ocsp-gnutls" 'Status:.*revoked' \
	    "ocsp: gnutls-cli also calls the staple revoked"
fi

# A staple that names another certificate.
# shellcheck disable=SC2086
if serve ocsp-other $GOOD -status_file "$P/revoked.ocsp"; then
	run ocsp-other 5 --cafile "$P/ca.pem"
	contains "$T/ocsp-other" '^   OCSP       invalid$' \
	    "ocsp: a staple for another certificate is invalid"
fi

# shellcheck disable=SC2086
if serve ocsp-none $GOOD; then
	run ocsp-none 0 --cafile "$P/ca.pem"
	contains "$T/ocsp-none" '^   OCSP       none$' \
	    "ocsp: no staple is none"
fi

# --- a 1024-bit Diffie-Hellman group (TLS 1.2, DHE only) ------------------
DHE="-dhparam $P/dh1024.pem -cipher DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0 -no_tls1_3"
# shellcheck disable=SC2086
if serve weak-dh $GOOD $DHE; then
	run weak-dh 0 --cafile "$P/ca.pem"
	contains "$T/weak-dh" '^   group      DH 1024 bits' \
	    "weak dh: the group shows its size"
	contains "$T/weak-dh" '^\*\* weak key exchange: .*Diffie-Hellman group has 1024 bits' \
	    "weak dh: warned"
fi
# shellcheck disable=SC2086
if serve weak-dh-json $GOOD $DHE; then
	timeout 30 "$MS" --batch --json --timeout 1 --cafile "$P/ca.pem" \
	    "smtps://127.0.0.1:$SS_PORT" < /dev/null > "$T/weak-dh.json" 2>&1
	unserve
	contains "$T/weak-dh.json" '"kind":"warning".*"code":"weak-dh"' \
	    "weak dh: recorded as a weak-dh warning"
fi
# A priority that demands 2048 bits refuses the group, and says why.
# shellcheck disable=SC2086
if serve weak-dh-refused $GOOD $DHE; then
	run weak-dh-refused 4 --cafile "$P/ca.pem" \
	    --tls-priority 'NORMAL:%PROFILE_MEDIUM'
	contains "$T/weak-dh-refused" 'handshake failed: .*[Dd]iffie-[Hh]ellman prime' \
	    "weak dh: refused under %PROFILE_MEDIUM with GnuTLS's reason"
fi
# ECDHE: no warning.
lacks "$T/ocsp-good" 'Diffie-Hellman' "weak dh: no warning for ECDHE"

# --- a Unicode server name ------------------------------------------------
# shellcheck disable=SC2086
if serve idn $GOOD; then
	run idn 0 --cafile "$P/ca.pem" --sni 'bücher.example'
	contains "$T/idn" '^   SNI        xn--bcher-kva\.example$' \
	    "idn: SNI shows the A-label that was sent"
	contains "$T/idn" 'matched DNS:xn--bcher-kva\.example' \
	    "idn: matched names the A-label SAN"
fi

# --- a server that requires a client certificate --------------------------
# shellcheck disable=SC2086
if serve clientcert12 $GOOD -Verify 1 -no_tls1_3; then
	run clientcert12 4 --cafile "$P/ca.pem"
	contains "$T/clientcert12" 'asked for a client certificate and none was sent' \
	    "client cert, TLS 1.2: the alert is explained as a missing certificate"
	lacks "$T/clientcert12" 'cipher suite or group in common' \
	    "client cert, TLS 1.2: not explained as no cipher in common"
fi
# shellcheck disable=SC2086
if serve clientcert13 $GOOD -Verify 1; then
	run clientcert13 2 --cafile "$P/ca.pem"
	contains "$T/clientcert13" 'Certificate is required .*requires a client certificate' \
	    "client cert, TLS 1.3: certificate_required explained"
fi

# --- NewSessionTicket (TLS 1.3, after the handshake) is inside TLS --------
# shellcheck disable=SC2086
if serve ticket $GOOD; then
	rm -f "$T/ticket.jsonl"
	timeout 30 "$MS" --batch --json --timeout 1 --cafile "$P/ca.pem" \
	    --record "$T/ticket.jsonl" "smtps://127.0.0.1:$SS_PORT" \
	    < /dev/null > "$T/ticket.json" 2>&1
	unserve
	contains "$T/ticket.json" '"kind":"tls-step","dir":"local","chan":"tls".*"text":"NewSessionTicket received"' \
	    "ticket: NewSessionTicket recorded inside TLS"
	lacks "$T/ticket.json" '"chan":"plain".*"text":"NewSessionTicket' \
	    "ticket: no NewSessionTicket labelled plaintext"
	contains "$T/ticket.json" '"kind":"tls-step","dir":"local","chan":"plain".*"text":"ClientHello sent"' \
	    "ticket: the handshake itself stays before TLS"
	contains "$T/ticket.json" '"kind":"connect","dir":"local","chan":"tls"' \
	    "implicit TLS: the connection belongs to TLS from the start"
fi

# The replay's status bar after the ticket says TLS, not HANDSHAKE.  Event
# seq s is on line s+2 of the recording; after it the replay shows s+1.
L=$(awk '/"kind":"tls-established"/ { up = 1 }
    up && /"kind":"tls-step".*"NewSessionTicket/ { print NR; exit }' \
    "$T/ticket.jsonl" 2> /dev/null)
if [ -n "$L" ]; then
	N=$(($(wc -l < "$T/ticket.jsonl") - 2))
	tui_start rp 130 40 "env LANG=C.UTF-8 TERM=tmux-256color \
	    XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config \
	    $UI replay $T/ticket.jsonl 2> $T/rp.err"
	tui_wait rp "REPLAY 1/$N " || fail "replay: opens the ticket recording"
	i=1
	while [ $i -lt $((L - 1)) ]; do
		tui_keys rp Space
		i=$((i + 1))
	done
	if tui_wait rp "REPLAY $((L - 1))/$N "; then
		contains "$T/rp.screen" "NewSessionTicket received" \
		    "replay: the NewSessionTicket is shown"
		contains "$T/rp.screen" " TLS .* VERIFIED " \
		    "replay: after a NewSessionTicket the status bar says TLS"
		lacks "$T/rp.screen" " HANDSHAKE " \
		    "replay: after a NewSessionTicket no HANDSHAKE in the bar"
	else
		fail "replay: stepping to the NewSessionTicket"
	fi
	tui_stop rp
else
	fail "replay: the recording has a NewSessionTicket after the handshake"
fi

# --- STARTTLS typed inside TLS: refused, nothing sent ---------------------
# shellcheck disable=SC2086
if serve starttls-in-tls $GOOD; then
	run starttls-in-tls 0 --cafile "$P/ca.pem" -c STARTTLS
	contains "$T/starttls-in-tls" \
	    "not sent: the session is already inside TLS" \
	    "starttls in tls: refused with a message"
	lacks "$T/starttls-in-tls" '^~> STARTTLS' \
	    "starttls in tls: not in the transcript as sent"
	contains "$T/starttls-in-tls.srv" '^QUIT' \
	    "starttls in tls: the session went on (the server read QUIT)"
	lacks "$T/starttls-in-tls.srv" 'STARTTLS' \
	    "starttls in tls: the server received no STARTTLS"
fi

# --- the lab: STARTTLS inside TLS for IMAP and POP3, implicit TLS explained
rm -rf "$T/lab"
"$MS" lab --keep-certs "$T/lab" > "$T/lab.out" 2>&1 &
lab=$!
trap 'kill $lab 2> /dev/null; lib_cleanup' EXIT
i=600
while ! grep -q 'pop3s ' "$T/lab.out" && [ $i -gt 0 ]; do
	sleep 0.05
	i=$((i - 1))
done
lab_port() {
	sed -n "s/^  $1 *127\.0\.0\.1:\([0-9]*\) .*/\1/p" "$T/lab.out"
}
for u in imap pop3; do
	case $u in
	imap) cmd='a1 STARTTLS' word=STARTTLS ;;
	pop3) cmd=STLS word=STLS ;;
	esac
	timeout 30 "$MS" --batch --starttls --cafile "$T/lab/ca.pem" \
	    -c "$cmd" "$u://127.0.0.1:$(lab_port $u)" < /dev/null \
	    > "$T/lab-$u" 2>&1
	contains "$T/lab-$u" "not sent: the session is already inside TLS; a second $word" \
	    "$u: $word inside TLS refused"
	lacks "$T/lab-$u" "^~> $cmd" "$u: $word inside TLS not sent"
done
for u in smtps imaps; do
	tui_start "$u" 120 100 "env LANG=C.UTF-8 TERM=tmux-256color \
	    XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config \
	    $UI --explain --cafile $T/lab/ca.pem \
	    $u://127.0.0.1:$(lab_port $u) 2> $T/$u.err"
	if tui_wait "$u" 'handshake comes first'; then
		pass "$u --explain: the connect gloss says TLS comes first"
	else
		fail "$u --explain: the connect gloss says TLS comes first"
	fi
	lacks "$T/$u.screen" 'starts in plaintext' \
	    "$u --explain: no plaintext-until-STARTTLS gloss"
	tui_stop "$u"
done
kill "$lab" 2> /dev/null
wait "$lab" 2> /dev/null
