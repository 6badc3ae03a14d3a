#!/bin/sh
# SPDX-License-Identifier: ISC
# Self-test of the test servers (tests/servers/start.sh): they behave as the
# other integration tests assume.  Only peer tools here (gnutls-cli,
# openssl s_client, python3), never mailscope.
. "$(dirname "$0")/../lib.sh"
need_servers

# plain HOST PORT TEXT: send TEXT (printf escapes) at once on a plaintext
# connection, print everything the server sends until it closes (max 5 s).
plain() {
	python3 - "$1" "$2" "$3" << 'EOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(sys.argv[3].encode().decode("unicode_escape").encode("latin-1"))
end = time.monotonic() + 5
out = b""
while time.monotonic() < end:
    try:
        b = s.recv(65536)
    except socket.timeout:
        break
    if not b:
        break
    out += b
sys.stdout.write(out.decode("latin-1"))
EOF
}

# tls_chat PROTO PORT TEXT: the same through openssl s_client, verifying
# the certificate against $CA and host name mail.test.
tls_chat() {
	if [ "$1" = tls ]; then
		set -- "$2" "$3"
	else
		set -- "$2" "$3" -starttls "$1"
	fi
	_p=$1
	_txt=$2
	shift 2
	printf "$_txt" | timeout 10 openssl s_client "$@" -quiet \
	    -connect "127.0.0.1:$_p" -CAfile "$CA" -verify_return_error \
	    -verify_hostname mail.test 2>&1
}

# gnutls-cli verdicts: good certificate on every TLS port; the bad ones fail.
gcli() {
	# gcli PROTO PORT [HOST]
	if [ "$1" = tls ]; then
		set -- "$2" "${3:-mail.test}"
	else
		set -- "$2" "${3:-mail.test}" "--starttls-proto=$1"
	fi
	_p=$1
	_h=$2
	shift 2
	timeout 10 gnutls-cli "$@" --x509cafile "$CA" --verify-hostname "$_h" \
	    -p "$_p" 127.0.0.1 < /dev/null
}
check "gnutls-cli verifies SMTP STARTTLS (port $SMTP_PORT)" gcli smtp "$SMTP_PORT"
check "gnutls-cli verifies enforced submission STARTTLS (port $SUBMIT_PORT)" gcli smtp "$SUBMIT_PORT"
check "gnutls-cli verifies SMTPS implicit TLS (port $SMTPS_PORT)" gcli tls "$SMTPS_PORT"
check "gnutls-cli verifies IMAP STARTTLS (port $IMAP_PORT)" gcli imap "$IMAP_PORT"
check "gnutls-cli verifies IMAPS (port $IMAPS_PORT)" gcli tls "$IMAPS_PORT"
check "gnutls-cli verifies POP3 STLS (port $POP3_PORT)" gcli pop3 "$POP3_PORT"
check "gnutls-cli verifies POP3S (port $POP3S_PORT)" gcli tls "$POP3S_PORT"
check "good certificate verifies for IP 127.0.0.1" gcli smtp "$SMTP_PORT" 127.0.0.1
check "good certificate verifies for localhost" gcli tls "$IMAPS_PORT" localhost
expect_exit 1 "gnutls-cli rejects the expired certificate" gcli smtp "$EXPIRED_PORT"
contains "$T/last.out" "expired" "expired port: gnutls-cli names the expiry"
expect_exit 1 "gnutls-cli rejects the wrong-host certificate" gcli smtp "$WRONGHOST_PORT"
contains "$T/last.out" "does not match" "wrong-host port: gnutls-cli reports a host name mismatch"
expect_exit 1 "gnutls-cli rejects the self-signed certificate" gcli smtp "$SELFSIGNED_PORT"
contains "$T/last.out" "issuer is unknown|signer.*not found" "self-signed port: gnutls-cli reports an unknown signer"
expect_exit 1 "gnutls-cli rejects the good certificate for another host" gcli tls "$IMAPS_PORT" other.example

# gnutls_facts (lib.sh) reports the negotiated parameters and fingerprint.
gnutls_facts "$SMTP_PORT" smtp > "$T/facts" 2>&1
want=$(certtool --fingerprint --hash sha256 --infile "$GOOD_CERT" 2> /dev/null)
contains "$T/facts" "^version=TLS1\.[23]$" "gnutls_facts reports the TLS version"
contains "$T/facts" "^cipher=[A-Z0-9-]+$" "gnutls_facts reports the cipher"
contains "$T/facts" "^sha256=$want$" "gnutls_facts fingerprint equals the good certificate's"
contains "$T/facts" "^status=trusted$" "gnutls_facts reports the good certificate as trusted"
gnutls_facts "$WRONGHOST_PORT" smtp > "$T/facts-bad" 2>&1
lacks "$T/facts-bad" "^status=trusted$" "gnutls_facts reports the wrong-host certificate as not trusted"

# SMTP: AUTH only after STARTTLS; enforced port; no-STARTTLS port; SMTPS.
plain 127.0.0.1 "$SMTP_PORT" 'EHLO probe\r\nQUIT\r\n' > "$T/smtp-plain"
contains "$T/smtp-plain" "^250-STARTTLS" "SMTP port advertises STARTTLS"
lacks "$T/smtp-plain" "AUTH" "SMTP port hides AUTH before STARTTLS"
tls_chat smtp "$SMTP_PORT" 'EHLO probe\r\nQUIT\r\n' > "$T/smtp-tls"
contains "$T/smtp-tls" "^250[- ]AUTH PLAIN LOGIN" "SMTP port advertises AUTH after STARTTLS (openssl s_client)"
lacks "$T/smtp-tls" "STARTTLS" "SMTP port no longer offers STARTTLS inside TLS"
auth=$(printf '\0%s\0%s' "$USER" "$PASS" | base64)
tls_chat smtp "$SMTP_PORT" "EHLO probe\r\nAUTH PLAIN $auth\r\nQUIT\r\n" > "$T/smtp-auth"
contains "$T/smtp-auth" "^235 " "SMTP AUTH PLAIN as $USER succeeds after STARTTLS"
plain 127.0.0.1 "$SUBMIT_PORT" 'EHLO probe\r\nMAIL FROM:<a@mail.test>\r\nQUIT\r\n' > "$T/submit-plain"
contains "$T/submit-plain" "^530 .*STARTTLS" "enforced port answers 530 to MAIL before STARTTLS"
plain 127.0.0.1 "$NOTLS_PORT" 'EHLO probe\r\nQUIT\r\n' > "$T/notls"
contains "$T/notls" "^250 " "no-STARTTLS port answers EHLO"
lacks "$T/notls" "STARTTLS" "no-STARTTLS port does not advertise STARTTLS"
tls_chat tls "$SMTPS_PORT" 'EHLO probe\r\nQUIT\r\n' > "$T/smtps"
contains "$T/smtps" "^220 mail.test ESMTP" "SMTPS port greets inside TLS"
contains "$T/smtps" "^250[- ]AUTH" "SMTPS port advertises AUTH"

# Dovecot: LOGINDISABLED when the client is not "local" (127.0.0.2).
plain 127.0.0.2 "$IMAP_PORT" 'a LOGOUT\r\n' > "$T/imap-2"
contains "$T/imap-2" "^\* OK .*STARTTLS.*LOGINDISABLED" "IMAP on 127.0.0.2 greets with STARTTLS LOGINDISABLED"
plain 127.0.0.2 "$IMAP_PORT" "a LOGIN $USER $PASS\r\nb LOGOUT\r\n" > "$T/imap-2-login"
contains "$T/imap-2-login" "^a (NO|BAD)" "IMAP on 127.0.0.2 refuses cleartext LOGIN"
plain 127.0.0.2 "$POP3_PORT" 'CAPA\r\nQUIT\r\n' > "$T/pop3-2"
contains "$T/pop3-2" "^STLS" "POP3 on 127.0.0.2 advertises STLS"
tls_chat imap "$IMAP_PORT" "a LOGIN $USER $PASS\r\nb SELECT INBOX\r\nc LOGOUT\r\n" > "$T/imap-tls"
contains "$T/imap-tls" "^a OK" "IMAP LOGIN as $USER works after STARTTLS"
n=$(sed -n 's/^\* \([0-9][0-9]*\) EXISTS.*/\1/p' "$T/imap-tls")
if [ "${n:-0}" -ge 2 ]; then
	pass "INBOX holds the test messages (EXISTS $n >= 2)"
else
	fail "INBOX holds the test messages (EXISTS ${n:-none} < 2)"
fi
tls_chat tls "$IMAPS_PORT" "a LOGIN $USER $PASS\r\nb SELECT INBOX\r\nc FETCH 1:* RFC822.SIZE\r\nd LOGOUT\r\n" > "$T/imaps"
contains "$T/imaps" "RFC822.SIZE $BIG_MSG_SIZE\)" "IMAPS: the big message has BIG_MSG_SIZE bytes"
tls_chat tls "$POP3S_PORT" "USER $USER\r\nPASS $PASS\r\nSTAT\r\nQUIT\r\n" > "$T/pop3s"
contains "$T/pop3s" "^\+OK [2-9][0-9]* " "POP3S login and STAT show the test messages"

# Mail sent over SMTP is delivered into Dovecot (LMTP) and readable.
subj="servers-selftest-$$-$(date +%s)"
tls_chat smtp "$SMTP_PORT" "EHLO probe\r\nMAIL FROM:<bob@mail.test>\r\nRCPT TO:<$USER@mail.test>\r\nDATA\r\nSubject: $subj\r\n\r\nhello\r\n.\r\nQUIT\r\n" > "$T/deliver"
contains "$T/deliver" "^250 2.0.0 Ok: queued" "SMTP accepts mail for $USER@mail.test"
# Wait for this message's own delivery line: the log already holds the
# lines of the messages start.sh delivered.
qid=$(sed -n 's/^250 2.0.0 Ok: queued as \([0-9A-F]*\).*/\1/p' "$T/deliver")
i=0
while [ -n "$qid" ] && [ $i -lt 300 ]; do
	grep -q "$qid: .*status=" "$POSTFIX_LOG" 2> /dev/null && break
	sleep 0.1
	i=$((i + 1))
done
if grep -q "$qid: .*status=sent" "$POSTFIX_LOG" 2> /dev/null; then
	pass "Postfix delivers queue id $qid to Dovecot over LMTP"
else
	fail "Postfix delivers queue id ${qid:-?} to Dovecot over LMTP"
	grep "${qid:-^$}" "$POSTFIX_LOG" 2> /dev/null | tail -n 3 | sed 's/^/	| /'
fi
tls_chat imap "$IMAP_PORT" "a LOGIN $USER $PASS\r\nb SELECT INBOX\r\nc SEARCH SUBJECT $subj\r\nd LOGOUT\r\n" > "$T/search"
contains "$T/search" "^\* SEARCH [0-9]" "mail sent over SMTP is found over IMAP"

# The DNS server (tests/servers/dns.sh), asked with drill: a signed zone
# and TLSA records for the test Postfix.
drill -p "$DNS_PORT" -D @127.0.0.1 MX "$DNS_DOMAIN" > "$T/drill.mx" 2>&1
contains "$T/drill.mx" "^$DNS_DOMAIN\\.[[:space:]].*MX[[:space:]]10 mx\\.$DNS_DOMAIN\\.\$" \
    "NSD serves the MX record of $DNS_DOMAIN"
contains "$T/drill.mx" "RRSIG[[:space:]]MX " "the MX record is signed"
drill -p "$DNS_PORT" @127.0.0.1 TLSA "_$SMTP_PORT._tcp.mx.$DNS_DOMAIN" > "$T/drill.tlsa" 2>&1
contains "$T/drill.tlsa" "TLSA[[:space:]]3 1 1 " "a 3 1 1 TLSA record for the test Postfix"
contains "$T/drill.tlsa" "TLSA[[:space:]]2 0 1 " "a 2 0 1 TLSA record for the test CA"
