#!/bin/sh
# SPDX-License-Identifier: ISC
# An authoritative DNS server for the tests: NSD on 127.0.0.1, serving
# the signed zone mailscope.test (ldns-signzone) and its unsigned child
# insecure.mailscope.test.  Called by start.sh once the certificates and
# ports are known; writes the trust anchor (the zone's DS) and prints the
# env lines for start.sh to add.  Nothing under mailscope.test exists
# outside these tests (RFC 6761 reserves .test).
#
#   dns.sh DIR PORT SMTP_PORT CERT CA STS_ADDR
set -u
D=$1
PORT=$2
SMTP_PORT=$3
CERT=$4
CA=$5
STS_ADDR=$6
Z=mailscope.test

die() {
	echo "dns.sh: $*" >&2
	exit 1
}

for t in nsd ldns-keygen ldns-signzone openssl; do
	command -v "$t" > /dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
	    die "$t not found: run 'sh tools/deps.sh test'"
done
mkdir -p "$D" || die "cannot create $D"

# TLSA data: SHA-256 of the leaf's public key (3 1 1) and of the whole
# CA certificate (2 0 1).
spki=$(openssl x509 -in "$CERT" -noout -pubkey | openssl pkey -pubin \
    -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
ca=$(openssl x509 -in "$CA" -outform DER | openssl dgst -sha256 -r |
    cut -d' ' -f1)
[ ${#spki} = 64 ] && [ ${#ca} = 64 ] || die "cannot hash $CERT / $CA"

cat > "$D/$Z.zone" << EOF
\$ORIGIN $Z.
\$TTL 3600
@		SOA	ns hostmaster 1 3600 900 604800 300
@		NS	ns
ns		A	127.0.0.1
; The test Postfix, as two MX hosts: the first one down (nothing listens
; on 127.0.0.3).
@		MX	10 mx
mx		A	127.0.0.1
mxbad		A	127.0.0.1
down		A	127.0.0.3
fallback	MX	10 down
fallback	MX	20 mx
; No MX: the domain itself is the mail host (RFC 5321 5.1).
nomx		A	127.0.0.1
; A null MX: no mail at all (RFC 7505).
nullmx		MX	0 .
; Its signature is broken below, after signing.
bogus		MX	10 mx
; Hostile text in a record mailscope shows.
hostile		MX	10 mx
_smtp._tls.hostile TXT	"v=TLSRPTv1; rua=mailto:\027[31mred\027[0m@$Z\007"
badtlsa		MX	10 mxbad
; DANE: the leaf's key, the CA, and one that matches nothing.
_$SMTP_PORT._tcp.mx	TLSA	3 1 1 $spki
_$SMTP_PORT._tcp.mx	TLSA	2 0 1 $ca
_$SMTP_PORT._tcp.mxbad	TLSA	3 1 1 $(echo "$spki" | tr 0-9a-f 1-9a-f0)
_mta-sts	TXT	"v=STSv1; id=20260101T000000;"
_smtp._tls	TXT	"v=TLSRPTv1; rua=mailto:tlsrpt@$Z"
mta-sts		A	$STS_ADDR
; MTA-STS (RFC 8461), one domain per case of web.sh's policies; their
; mail host has no TLSA records, so the policy decides.
stsmx		A	127.0.0.1
; An unsigned child zone, served here too: its answers are insecure.
insecure	NS	ns
EOF
for c in enforce testing none nomatch big redirect nocert; do
	cat >> "$D/$Z.zone" << EOF
sts-$c		MX	10 stsmx
_mta-sts.sts-$c	TXT	"v=STSv1; id=$c$SMTP_PORT;"
_smtp._tls.sts-$c TXT	"v=TLSRPTv1; rua=mailto:tlsrpt@sts-$c.$Z"
mta-sts.sts-$c	A	$STS_ADDR
EOF
done
# Paths to the server: an IDN host name, bücher, by its A-label.
cat >> "$D/$Z.zone" << EOF
xn--bcher-kva	A	127.0.0.1
EOF
cat >> "$D/$Z.zone" << EOF
; Two policy records: RFC 8461 3.1 says there is then no policy.
sts-two		MX	10 stsmx
_mta-sts.sts-two TXT	"v=STSv1; id=one;"
_mta-sts.sts-two TXT	"v=STSv1; id=two;"
; A record with hostile bytes, and a policy host nothing serves.
sts-hostile	MX	10 stsmx
_mta-sts.sts-hostile TXT "v=STSv1; id=\027[31mred;"
sts-down	MX	10 stsmx
_mta-sts.sts-down TXT	"v=STSv1; id=down1;"
mta-sts.sts-down A	127.0.0.3
EOF
cat > "$D/insecure.zone" << EOF
\$ORIGIN insecure.$Z.
\$TTL 3600
@		SOA	ns.$Z. hostmaster.$Z. 1 3600 900 604800 300
@		NS	ns.$Z.
@		MX	10 mx.$Z.
EOF

cd "$D" || die "cannot enter $D"
key=$(ldns-keygen -a ECDSAP256SHA256 -k "$Z" 2> keygen.err) ||
    die "ldns-keygen failed: $(cat keygen.err)"
ldns-signzone -n -o "$Z" "$Z.zone" "$key" 2> sign.err ||
    die "ldns-signzone failed: $(cat sign.err)"
# Bogus: bogus.mailscope.test's MX changes after its RRSIG was made.
awk -v OFS='\t' '$1 == "bogus.'$Z'." && $4 == "MX" { $5 = "20" } { print }' \
    "$Z.zone.signed" > "$Z.zone.bogus" && mv "$Z.zone.bogus" "$Z.zone.signed"
grep -q "^bogus\.$Z\.[[:space:]].*MX[[:space:]]20[[:space:]]" \
    "$Z.zone.signed" ||
    die "could not break bogus.$Z's signature"
cp "$key.ds" anchor.ds

cat > nsd.conf << EOF
server:
	ip-address: 127.0.0.1@$PORT
	port: $PORT
	username: ""
	chroot: ""
	zonesdir: "$D"
	database: ""
	zonelistfile: "$D/zone.list"
	xfrdfile: "$D/xfrd.state"
	xfrdir: "$D"
	pidfile: "$D/nsd.pid"
	logfile: "$D/nsd.log"
	server-count: 1
	hide-version: yes
	verbosity: 1
remote-control:
	control-enable: no
zone:
	name: $Z
	zonefile: $Z.zone.signed
zone:
	name: insecure.$Z
	zonefile: insecure.zone
EOF
nsd -c "$D/nsd.conf" 2> nsd.err || die "nsd did not start: $(cat nsd.err)"

# Ready when it answers over UDP (at most 10 s).
python3 - "$PORT" << 'EOF' || die "nsd does not answer: $(cat "$D/nsd.log")"
import socket, sys, time
q = bytes.fromhex("abcd00000001000000000000") + \
    b"\x09mailscope\x04test\x00" + b"\x00\x06\x00\x01"
limit = time.monotonic() + 10
while time.monotonic() < limit:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    try:
        s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
        if s.recv(512)[:2] == q[:2]:
            sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
sys.exit(1)
EOF

echo "DNS_PORT=$PORT"
echo "DNS_SERVER=127.0.0.1:$PORT"
echo "DNS_ANCHOR=$D/anchor.ds"
echo "DNS_DOMAIN=$Z"
echo "DNS_PID_FILE=$D/nsd.pid"
