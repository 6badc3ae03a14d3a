#!/bin/sh
# SPDX-License-Identifier: ISC
# DANE with --tlsa, --pin and --save-chain against the test Postfix and
# Dovecot (tests/servers/start.sh) and its test PKI: the records are
# computed here with openssl from the certificates the servers use, the
# verdict read from batch text, --json, probe, an export and the screen.
set -u
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
UI=$MAILSCOPE
[ -x "$ASAN_MAILSCOPE" ] && UI=$ASAN_MAILSCOPE

# Usage errors need no server.
expect_exit 1 "--tlsa with a bad hex digit is a usage error" \
    "$MS" --batch --tlsa '3 1 1 zz' smtp://127.0.0.1:1
contains "$T/last.out" "^mailscope: --tlsa '3 1 1 zz': 'z' is not a hex digit" \
    "--tlsa: the bad digit named"
expect_exit 1 "--tlsa with a short SHA-256 is a usage error" \
    "$MS" --batch --tlsa '3 1 1 abcd' smtp://127.0.0.1:1
contains "$T/last.out" "matching type 1 is SHA2-256, 32 bytes" \
    "--tlsa: the digest length said"
expect_exit 1 "--tlsa with two fields is a usage error" \
    "$MS" --batch --tlsa '3 1' smtp://127.0.0.1:1
expect_exit 1 "--pin without sha256// is a usage error" \
    "$MS" --batch --pin 'AAAA' smtp://127.0.0.1:1
expect_exit 1 "probe --tlsa, malformed: usage error" \
    "$MS" probe --tlsa '3 1 1' smtp://127.0.0.1:1
expect_exit 1 "--save-chain through a symbolic link is refused" \
    sh -c 'ln -sf /dev/null "$1/link.pem" && "$2" --batch --save-chain \
    "$1/link.pem" smtp://127.0.0.1:1' - "$T" "$MS"
contains "$T/last.out" "symbolic link" "--save-chain: the link named"

need_servers

# The records: SHA-256 of the leaf's key and of the leaf, of the CA and
# of its key; the leaf's pin in curl's form.
spki() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin \
	    -outform DER | openssl dgst -sha256 -hex | awk '{ print $NF }'
}
full() {
	openssl x509 -in "$1" -outform DER | openssl dgst -sha256 -hex |
	    awk '{ print $NF }'
}
LEAF_SPKI=$(spki "$GOOD_CERT")
LEAF_FULL=$(full "$GOOD_CERT")
CA_FULL=$(full "$CA")
CA_SPKI=$(spki "$CA")
PIN=sha256//$(openssl x509 -in "$GOOD_CERT" -noout -pubkey |
    openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary |
    openssl base64)
# The pin as an ERE: base64 holds '+' and '/'.
PIN_RE=$(printf '%s' "$PIN" | sed 's/[+/]/\\&/g')
UP=$(echo "$LEAF_SPKI" | tr a-f A-F)
SMTP=smtp://127.0.0.1:$SMTP_PORT
CHAIN=smtp://127.0.0.1:$CHAIN_PORT

# DANE-EE 3 1 1, no CA given: DANE replaces PKIX (RFC 7672).
expect_exit 0 "3 1 1 for the leaf's key: verified without a CA" \
    "$MS" --batch --starttls --tlsa "3 1 1 $LEAF_SPKI" -c QUIT "$SMTP"
contains "$T/last.out" "DANE verified: 3 1 1 matched the leaf's public key" \
    "3 1 1: the verdict names the record"
contains "$T/last.out" '^== certificate NOT verified: issuer unknown.*; DANE verified' \
    "3 1 1: PKIX's verdict beside DANE's"
contains "$T/last.out" '^~> QUIT' "3 1 1: the session goes on inside TLS"
contains "$T/last.out" "^   TLSA       3 1 1 $UP" "3 1 1: the summary lists the record"

expect_exit 0 "3 0 1 for the leaf: verified" \
    "$MS" --batch --starttls --tlsa "3 0 1 $LEAF_FULL" -c QUIT "$SMTP"
contains "$T/last.out" "DANE verified: 3 0 1 matched the leaf's certificate" \
    "3 0 1: the verdict names the record"

# DANE-TA: the test CA, on the port that sends it after the leaf.
expect_exit 0 "2 0 1 for the test CA: verified" \
    "$MS" --batch --starttls --tlsa "2 0 1 $CA_FULL" -c QUIT "$CHAIN"
contains "$T/last.out" "DANE verified: 2 0 1 matched certificate 2 \(CN=mailscope Test CA.*name 127\.0\.0\.1 matched" \
    "2 0 1: the anchor and the name said"
expect_exit 0 "2 1 1 for the test CA's key: verified" \
    "$MS" --batch --starttls --tlsa "2 1 1 $CA_SPKI" -c QUIT "$CHAIN"
contains "$T/last.out" "DANE verified: 2 1 1 matched certificate 2" \
    "2 1 1: the verdict names the record"
expect_exit 5 "2 1 1 with another reference name: the name is checked" \
    "$MS" --batch --starttls --sni wrong.example --tlsa "2 1 1 $CA_SPKI" \
    -c QUIT "$CHAIN"
contains "$T/last.out" "does not hold the name wrong\.example" \
    "2 1 1: the missing name said"
expect_exit 5 "2 0 1 with the CA not sent: no match" \
    "$MS" --batch --starttls --cafile "$CA" --tlsa "2 0 1 $CA_FULL" \
    -c QUIT "$SMTP"
contains "$T/last.out" "sent the leaf alone, and DANE-TA needs the trust anchor in the chain" \
    "2 0 1: why it could not match"

# A record that matches nothing: stopped like a failed verification.
BAD=0000000000000000000000000000000000000000000000000000000000000000
expect_exit 5 "a non-matching record: exit 5" \
    "$MS" --batch --starttls --cafile "$CA" --tlsa "3 1 1 $BAD" -c QUIT "$SMTP"
contains "$T/last.out" "DANE failed: the TLSA record did not match; 3 1 1: digest mismatch: compared with the leaf's public key, which is 3 1 1 $UP" \
    "non-matching: the reason and the right record"
contains "$T/last.out" "closed before sending anything inside TLS: no TLSA record matched \(DANE\)" \
    "non-matching: the session stopped before TLS data"
lacks "$T/last.out" '^~> ' "non-matching: nothing sent inside TLS"
expect_exit 5 "a non-matching record with --insecure: goes on, exit 5" \
    "$MS" --batch --starttls --insecure --tlsa "3 1 1 $BAD" -c QUIT "$SMTP"
contains "$T/last.out" "continuing although no TLSA record matched \(DANE\) \(--insecure\)" \
    "--insecure: says it goes on"
contains "$T/last.out" '^~> QUIT' "--insecure: the session went on inside TLS"

# A matching record beside a non-matching one: the match decides.
expect_exit 0 "one good record of two: verified" \
    "$MS" --batch --starttls --tlsa "3 1 1 $BAD" --tlsa "3 1 1 $LEAF_SPKI" \
    -c QUIT "$SMTP"

# PKIX-EE for SMTP: unusable (RFC 7672 3.1.3), PKIX decides.
expect_exit 0 "1 1 1 for SMTP: unusable, PKIX decides" \
    "$MS" --batch --starttls --cafile "$CA" --tlsa "1 1 1 $LEAF_SPKI" -c QUIT "$SMTP"
contains "$T/last.out" "DANE not usable: the TLSA record is not usable for SMTP, so PKIX decides; 1 1 1: unusable: PKIX-EE\(1\) is not used for SMTP \(RFC 7672 3\.1\.3\)" \
    "1 1 1: unusable for SMTP, said so"
expect_exit 5 "1 1 1 for SMTP without the CA: PKIX fails, exit 5" \
    "$MS" --batch --starttls --tlsa "1 1 1 $LEAF_SPKI" -c QUIT "$SMTP"

# Other protocols: RFC 6698's rules, PKIX-EE usable with PKIX.
expect_exit 0 "IMAP (Dovecot), 3 1 1: verified" \
    "$MS" --batch --starttls --tlsa "3 1 1 $LEAF_SPKI" -c 'a LOGOUT' \
    "imap://127.0.0.1:$IMAP_PORT"
contains "$T/last.out" "DANE verified: 3 1 1 matched the leaf's public key" \
    "IMAP: the verdict"
contains "$T/last.out" "RFC 6698, RFC 7671, records --tlsa" "IMAP: RFC 6698's rules"
expect_exit 0 "IMAP, 1 1 1 with the CA: PKIX-EE usable" \
    "$MS" --batch --starttls --cafile "$CA" --tlsa "1 1 1 $LEAF_SPKI" \
    -c 'a LOGOUT' "imap://127.0.0.1:$IMAP_PORT"
contains "$T/last.out" "DANE verified: 1 1 1 matched the leaf's public key" \
    "IMAP 1 1 1: matched"
expect_exit 5 "POP3S (implicit TLS), a non-matching record: exit 5" \
    "$MS" --batch --cafile "$CA" --tlsa "3 1 1 $BAD" -c QUIT \
    "pop3s://127.0.0.1:$POP3S_PORT"

# --json: the facts carry the verdict, record by record.
"$MS" --batch --json --starttls --tlsa "3 1 1 $BAD" --tlsa "3 1 1 $LEAF_SPKI" \
    -c QUIT "$SMTP" > "$T/dane.jsonl" 2>&1
check "--json: dane, its records and the verdict" python3 - "$T/dane.jsonl" << 'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])][1:-1]
v = [e for e in ev if e.get("kind") == "verify"][0]["tls"]
d = v["dane"]
assert d["ok"] and d["usable"] and d["dnssec"] == "given", d
assert d["source"] == "--tlsa" and d["rules"] == "RFC 7672 (SMTP)", d
assert [r["matched"] for r in d["records"]] == [False, True], d
assert d["records"][0]["result"].startswith("digest mismatch"), d
assert d["verdict"].startswith("DANE verified: 3 1 1 matched"), d
assert v["verified"] is True and v["verify"]["ok"] is False, v
EOF

# Pins: curl's syntax, the leaf's key.
expect_exit 0 "--pin matching the leaf's key" \
    "$MS" --batch --starttls --cafile "$CA" --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;$PIN" \
    -c QUIT "$SMTP"
contains "$T/last.out" "; pin matched: $PIN_RE" "--pin: the match said"
expect_exit 5 "--pin not matching: exit 5" \
    "$MS" --batch --starttls --cafile "$CA" \
    --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" -c QUIT "$SMTP"
contains "$T/last.out" "pin NOT matched: the server's public key is $PIN_RE" \
    "--pin mismatch: the server's pin printed"
contains "$T/last.out" "does not match --pin \(--insecure continues anyway\)" \
    "--pin mismatch: the session stopped"

# --save-chain: the chain as sent, PEM; certtool reads the same
# fingerprints the TLS facts (the panel's) show.
rm -f "$T/chain.pem"
expect_exit 0 "--save-chain writes the chain" \
    "$MS" --batch --json --starttls --cafile "$CA" --save-chain "$T/chain.pem" \
    -c QUIT "$CHAIN"
cp "$T/last.out" "$T/chain.jsonl"
contains "$T/chain.jsonl" "the chain as sent \(PEM\) saved to" "--save-chain: an event says so"
check "--save-chain: two certificates, the facts' fingerprints" \
    python3 - "$T/chain.pem" "$T/chain.jsonl" << 'EOF'
import json, subprocess, sys
pem = open(sys.argv[1]).read()
blocks = pem.count("-----BEGIN CERTIFICATE-----")
assert blocks == 2, blocks
info = subprocess.run(["certtool", "--certificate-info", "--infile",
    sys.argv[1]], capture_output=True, text=True, check=True).stdout
ev = [json.loads(l) for l in open(sys.argv[2])][1:-1]
chain = [e for e in ev if e.get("kind") == "tls-established"][0]["tls"]["chain"]
assert len(chain) == 2
for c in chain:
    fp = c["sha256"].replace(":", "").lower()
    assert fp in info, (fp, info[:2000])
EOF
# The same under the certificate check that fails: the chain is saved
# before the session stops.
rm -f "$T/bad.pem"
expect_exit 5 "--save-chain with a failing verdict: exit 5" \
    "$MS" --batch --starttls --save-chain "$T/bad.pem" -c QUIT "$SMTP"
check "--save-chain with a failing verdict: still written" \
    certtool --certificate-info --infile "$T/bad.pem"

# probe: a finding for DANE and one for the pin.  The test Postfix
# accepts TLS 1.0, so a verified probe ends with 8, not 5.
expect_exit 8 "probe --tlsa 3 1 1: verified (exit 8: TLS 1.0 accepted)" \
    "$MS" probe --timeout 5 --tlsa "3 1 1 $LEAF_SPKI" --pin "$PIN" "$SMTP"
contains "$T/last.out" '^  ok +dane +DANE verified: 3 1 1 matched the leaf' \
    "probe: dane finding"
contains "$T/last.out" "^  ok +pin +matched $PIN_RE" "probe: pin finding"
contains "$T/last.out" '^  info +certificate +NOT verified by PKIX \(DANE decides\)' \
    "probe: PKIX said beside DANE"
expect_exit 5 "probe, a non-matching record: exit 5" \
    "$MS" probe --timeout 5 --cafile "$CA" --tlsa "3 1 1 $BAD" "$SMTP"
contains "$T/last.out" '^  bad +dane +DANE failed' "probe: dane failed finding"

# A recording and its exports.
rm -f "$T/rec.jsonl"
"$MS" --batch --starttls --record "$T/rec.jsonl" --tlsa "3 1 1 $LEAF_SPKI" \
    --pin "$PIN" -c QUIT "$SMTP" > /dev/null 2>&1
"$MS" export --format txt "$T/rec.jsonl" > "$T/rec.txt" 2>&1
contains "$T/rec.txt" "^   DANE       DANE verified: 3 1 1 matched the leaf's public key" \
    "export txt: the DANE verdict"
contains "$T/rec.txt" "^   pin        matched $PIN_RE" "export txt: the pin"
"$MS" export --format md "$T/rec.jsonl" > "$T/rec.md" 2>&1
contains "$T/rec.md" '^\*\*DANE\*\*: DANE verified' "export md: the DANE verdict"
"$MS" export --format html "$T/rec.jsonl" > "$T/rec.html" 2>&1
contains "$T/rec.html" 'DANE verified: 3 1 1' "export html: the DANE verdict"

# The screen: the DANE section of the TLS panel beside PKIX, and
# :save-chain.
rm -f "$T/tui-chain.pem"
tui_start d 160 50 env LANG=C.UTF-8 XDG_STATE_HOME="$T/state" \
    XDG_CONFIG_HOME="$T/config" "$UI" --starttls --tlsa "2 0 1 $CA_FULL" "$CHAIN"
if tui_wait d 'DANE VERIFIED' 20; then
	pass "TUI: the TLS panel shows DANE VERIFIED"
else
	fail "TUI: no DANE VERIFIED in the TLS panel"
	tail -n 20 "$T/d.screen" | sed 's/^/	| /'
fi
tui_wait d 'NOT VERIFIED' 1 && pass "TUI: PKIX's verdict beside it" ||
    fail "TUI: PKIX's verdict not shown"
tui_wait d 'TLSA 2 0 1' 1 && pass "TUI: the record listed" ||
    fail "TUI: the record not listed"
tui_line d ":save-chain $T/tui-chain.pem"
if tui_wait d 'saved to' 10 && [ "$(grep -c 'BEGIN CERTIFICATE' \
    "$T/tui-chain.pem" 2>/dev/null)" = 2 ]; then
	pass "TUI: :save-chain wrote the chain"
else
	fail "TUI: :save-chain did not write the chain"
fi
tui_line d ":quit"
tui_stop d
