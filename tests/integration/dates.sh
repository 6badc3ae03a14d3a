#!/bin/sh
# SPDX-License-Identifier: ISC
# Certificate dates past 2262, where nanoseconds in 64 bits end: a
# certificate valid until 9999-12-31 (RFC 5280's "no well-defined
# expiration") served by a fake server, seen in batch output, in the
# recording and in every export; and a recording whose TLS event does not
# parse is exported as cut there, never as a session without TLS.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
P=$T/pki
rm -rf "$P"
mkdir -p "$P"

cat > "$P/ca.tmpl" << 'EOF2'
cn = "mailscope test CA until 9999"
ca
cert_signing_key
expiration_date = "9999-12-31 23:59:59"
EOF2
cat > "$P/leaf.tmpl" << 'EOF2'
cn = "mail.test"
dns_name = "mail.test"
ip_address = "127.0.0.1"
tls_www_server
signing_key
encryption_key
expiration_date = "9999-12-31 23:59:59"
EOF2
if ! { certtool --generate-privkey --key-type ecdsa --outfile "$P/ca.key" &&
    certtool --generate-self-signed --load-privkey "$P/ca.key" \
	--template "$P/ca.tmpl" --outfile "$P/ca.pem" &&
    certtool --generate-privkey --key-type ecdsa --outfile "$P/leaf.key" &&
    certtool --generate-certificate --load-privkey "$P/leaf.key" \
	--load-ca-certificate "$P/ca.pem" --load-ca-privkey "$P/ca.key" \
	--template "$P/leaf.tmpl" --outfile "$P/leaf.pem"; } \
    > "$P/certtool.out" 2>&1; then
	fail "dates: certtool could not make the 9999 certificate"
	exit 1
fi
openssl x509 -in "$P/leaf.pem" -noout -enddate > "$P/enddate" 2>&1
contains "$P/enddate" 'notAfter=Dec 31 23:59:59 9999 GMT' "dates: the test certificate ends 9999-12-31"

cat > "$T/tls9999.case" << EOF2
send 220 fake.test ESMTP\r\n
expect ^EHLO
send 250-fake.test\r\n250 STARTTLS\r\n
expect ^STARTTLS
send 220 go ahead\r\n
starttls $P/leaf.pem $P/leaf.key
expect ^EHLO
send 250 fake.test\r\n
expect ^QUIT
send 221 bye\r\n
close
EOF2

rm -f "$T/r.jsonl"
fake_start tls9999 "$T/tls9999.case"
expect_exit 0 "dates: batch session with the 9999 certificate: exit 0" \
    "$MS" --batch --starttls --cafile "$P/ca.pem" --record "$T/r.jsonl" \
    "smtp://127.0.0.1:$FAKE_PORT"
fake_wait 10
cp "$T/last.out" "$T/batch.out"
contains "$T/batch.out" 'valid +20[0-9-]+ \.\. 9999-12-31 \([0-9]+ days left\)' \
    "dates: batch shows the end as 9999-12-31"
lacks "$T/batch.out" '18[0-9][0-9]-' "dates: batch shows no date from the 1800s"
contains "$T/r.jsonl" '"not_after":"9999-12-31T23:59:59Z"' "dates: the recording holds 9999-12-31"

for f in txt md html; do
	"$MS" export --format "$f" "$T/r.jsonl" > "$T/r.$f" 2> "$T/r.$f.err"
	rc=$?
	[ "$rc" -eq 0 ] && pass "dates: export $f: exit 0" ||
	    fail "dates: export $f: exit $rc"
	[ ! -s "$T/r.$f.err" ] && pass "dates: export $f: the recording loads whole" ||
	    fail "dates: export $f: $(head -n 1 "$T/r.$f.err")"
	contains "$T/r.$f" '9999-12-31' "dates: export $f shows 9999-12-31"
	lacks "$T/r.$f" '[Nn]o TLS' "dates: export $f does not claim there was no TLS"
	lacks "$T/r.$f" '18[0-9][0-9]-' "dates: export $f shows no date from the 1800s"
done
contains "$T/r.txt" '^== TLS summary' "dates: export txt has the TLS summary"

# A TLS event that does not parse: the export says where it was cut.
n=$(grep -n '"kind":"tls-established"' "$T/r.jsonl" | cut -d: -f1)
sed "${n}s/\"not_after\":\"9999-12-31T23:59:59Z\"/\"not_after\":\"the end of time\"/" \
    "$T/r.jsonl" > "$T/bad.jsonl"
not_mailscope "$T/bad.jsonl"
for f in txt md html; do
	"$MS" export --format "$f" "$T/bad.jsonl" > "$T/bad.$f" 2> "$T/bad.$f.err"
	contains "$T/bad.$f.err" "line $n: \"not_after\": not an ISO 8601 UTC time" \
	    "cut at the TLS event: export $f names the line on stderr"
	contains "$T/bad.$f" "could not be read past this point: line $n" \
	    "cut at the TLS event: export $f says the recording was cut"
	lacks "$T/bad.$f" '[Nn]o TLS' "cut at the TLS event: export $f does not claim there was no TLS"
done
