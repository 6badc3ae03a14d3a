#!/bin/sh
# SPDX-License-Identifier: ISC
# DNS with DNSSEC and mx://DOMAIN against the test zone mailscope.test,
# served by the NSD that tests/servers/start.sh runs (tests/servers/dns.sh):
# the MX list and its security, the answers as events (text, --json,
# recordings, exports, the screen), insecure and bogus answers, the
# implicit MX, the null MX, falling back to the next MX, hostile text.
. "$(dirname "$0")/../lib.sh"
need_servers
cd "$TOP"

MS=$MAILSCOPE
D=mailscope.test
dns() {
	# dns OUT ARGS...: a batch session through the test zone's server
	_o=$1
	shift
	"$MS" --batch --timeout 10 --cafile "$CA" --dns "$DNS_SERVER" \
	    --dnssec-anchor "$DNS_ANCHOR" "$@" < /dev/null > "$T/$_o" 2>&1
	echo $? > "$T/$_o.rc"
}

# --- a signed domain: MX, its host's address, STARTTLS, the MX name ----
dns mx mx://$D:$SMTP_PORT
rc mx 0 "mx://: the session completes (exit 0)"
contains "$T/mx" "^== DNS MX $D \\(secure\\): 10 mx\\.$D\\.\$" \
    "mx://: the MX answer, its preference and DNSSEC-secure"
contains "$T/mx" "^== mail hosts of $D in preference order \\(the MX answer is DNSSEC-secure\\): 10 mx\\.$D\$" \
    "mx://: the mail hosts listed in preference order"
contains "$T/mx" "^== DNS A mx\\.$D \\(secure\\): 127\\.0\\.0\\.1\$" \
    "mx://: the MX host's address is an answer too"
contains "$T/mx" "^== DNS: asking 127\\.0\\.0\\.1 port $DNS_PORT; .*trust anchor $DNS_ANCHOR\$" \
    "mx://: the resolver asked and the trust anchor are said"
contains "$T/mx" "^== connecting to 127\\.0\\.0\\.1 port $SMTP_PORT \\(mx\\.$D\\)" \
    "mx://: connects to the MX host on the port given"
contains "$T/mx" "^-> STARTTLS\$" "mx://: STARTTLS as SMTP, without --starttls"
contains "$T/mx" "certificate verified: host name matched DNS:mx\\.$D;" \
    "mx://: the certificate is checked for the MX host's name"
contains "$T/mx" "^   SNI        mx\\.$D\$" "mx://: SNI is the MX host's name"
contains "$T/mx" "^== DNS TXT _smtp\\._tls\\.$D \\(secure\\): \"v=TLSRPTv1; rua=mailto:tlsrpt@$D\"\$" \
    "mx://: the TLS reporting policy (RFC 8460) is shown"

# --- the same as JSON Lines: every answer an event with its fields -----
dns mx.json --json mx://$D:$SMTP_PORT
rc mx.json 0 "mx:// --json: exit 0"
python3 - "$T/mx.json" "$D" "$DNS_PORT" > "$T/json.check" 2>&1 << 'EOF'
import json, sys
path, d, port = sys.argv[1], sys.argv[2], sys.argv[3]
ev = [json.loads(l) for l in open(path)]
dns = [e for e in ev if e.get("kind") == "dns"]
ev = [e for e in ev if "kind" in e]
mx = [e["dns"] for e in dns if e["dns"]["type"] == "MX"]
# The A answers of the mail host (mta-sts.DOMAIN's is MTA-STS's).
a = [e["dns"] for e in dns if e["dns"]["type"] == "A" and
    not e["dns"]["name"].startswith("mta-sts.")]
assert mx == [{"name": d, "type": "MX", "rcode": "NOERROR",
    "security": "secure", "why_bogus": None, "error": None,
    "resolver": "127.0.0.1 port " + port, "canonical": None,
    "ttl": mx[0]["ttl"], "records": ["10 mx." + d + "."]}], mx
assert 0 < mx[0]["ttl"] <= 3600, mx
assert [x["records"] for x in a] == [["127.0.0.1"]], a
assert a[0]["name"] == "mx." + d and a[0]["security"] == "secure", a
# Each answer before the connection it led to.
kinds = [e["kind"] for e in ev]
assert kinds.index("dns") < kinds.index("connect"), kinds
print("ok")
EOF
contains "$T/json.check" '^ok$' \
    "--json: the MX and A answers as dns events (name, type, rcode, security, resolver, ttl, records)"

# --- a recording: loads again, exports show the answers -----------------
rm -f "$T/mx.jsonl"
dns rec --record "$T/mx.jsonl" mx://$D:$SMTP_PORT
"$MS" export --format txt "$T/mx.jsonl" > "$T/mx.txt" 2>&1
contains "$T/mx.txt" "DNS MX $D \\(secure\\): 10 mx\\.$D\\." \
    "export txt: the recorded MX answer"
"$MS" export --format md "$T/mx.jsonl" > "$T/mx.md" 2>&1
contains "$T/mx.md" "^\\*\\*DNS:\\*\\* DNS MX $D" "export md: the MX answer"
"$MS" export --format html "$T/mx.jsonl" > "$T/mx.html" 2>&1
contains "$T/mx.html" "== DNS MX $D \\(secure\\)" "export html: the MX answer"

# --- insecure: an unsigned delegation -----------------------------------
dns insecure mx://insecure.$D:$SMTP_PORT
rc insecure 0 "insecure zone: the session goes on (exit 0)"
contains "$T/insecure" "^== DNS MX insecure\\.$D \\(insecure\\): 10 mx\\.$D\\.\$" \
    "insecure zone: the MX answer is insecure"
contains "$T/insecure" "the MX answer is insecure, not signed" \
    "insecure zone: the MX list says it is not signed"

# --- bogus: a signature that fails --------------------------------------
dns bogus mx://bogus.$D:$SMTP_PORT
rc bogus 2 "bogus MX: exit 2, nothing tried"
contains "$T/bogus" "^\\*\\* DNS MX bogus\\.$D \\(bogus: validation failure <bogus\\.$D\\. MX IN>: .*signature" \
    "bogus MX: a warning with the validator's reason"
contains "$T/bogus" "cannot be trusted, so no mail host is tried" \
    "bogus MX: the end says why"
lacks "$T/bogus" "^== connecting" "bogus MX: no connection"
dns bogus.json --json mx://bogus.$D:$SMTP_PORT
contains "$T/bogus.json" '"security":"bogus","why_bogus":"validation failure <bogus\.mailscope\.test\. MX IN>' \
    "bogus MX --json: security bogus and why_bogus"

# --- the implicit MX: no MX, the domain's own address ---------------------
dns nomx mx://nomx.$D:$SMTP_PORT
rc nomx 0 "implicit MX: exit 0"
contains "$T/nomx" "^== DNS MX nomx\\.$D \\(secure\\): no records\$" \
    "implicit MX: the empty, secure MX answer"
contains "$T/nomx" "implicit MX, RFC 5321 5\\.1" "implicit MX: said, with its rule"
contains "$T/nomx" "host name matched DNS:nomx\\.$D\$" \
    "implicit MX: the certificate is checked for the domain"

# --- the null MX --------------------------------------------------------
dns nullmx mx://nullmx.$D:$SMTP_PORT
rc nullmx 2 "null MX: exit 2 (could not connect)"
contains "$T/nullmx" "^== nullmx\\.$D accepts no mail: its MX is the null MX \"0 \\.\" \\(RFC 7505\\)\$" \
    "null MX: the domain accepts no mail"
lacks "$T/nullmx" "DNS A " "null MX: no address asked"

# --- no such domain -----------------------------------------------------
dns nx mx://nosuch.$D:$SMTP_PORT
rc nx 2 "NXDOMAIN: exit 2"
contains "$T/nx" "nosuch\\.$D does not exist \\(NXDOMAIN\\)" "NXDOMAIN: said"

# --- the first MX down: the next one -------------------------------------
dns fallback mx://fallback.$D:$SMTP_PORT
rc fallback 0 "fallback: the second MX takes the session (exit 0)"
contains "$T/fallback" "preference order .*: 10 down\\.$D, 20 mx\\.$D\$" \
    "fallback: both hosts, in preference order"
contains "$T/fallback" "connect to 127\\.0\\.0\\.3 port $SMTP_PORT failed" \
    "fallback: the first host refused"
contains "$T/fallback" "^== trying the next mail host: mx\\.$D\$" \
    "fallback: the next host is tried"
contains "$T/fallback" "host name matched DNS:mx\\.$D;" \
    "fallback: verified for the host in use"

# --- hostile text in a TXT record ----------------------------------------
esc=$(printf '\033')
bel=$(printf '\007')
dns hostile mx://hostile.$D:$SMTP_PORT
contains "$T/hostile" 'rua=mailto:\\e\[31mred\\e\[0m@mailscope\.test\\x07"' \
    "hostile TXT: control bytes shown as escapes (batch)"
lacks "$T/hostile" "[$esc$bel]" "hostile TXT: no raw control byte (batch)"
rm -f "$T/hostile.jsonl"
dns hostile.json --json --record "$T/hostile.jsonl" mx://hostile.$D:$SMTP_PORT
lacks "$T/hostile.json" "[$esc$bel]" "hostile TXT: no raw control byte (--json)"
contains "$T/hostile.json" 'mailto:\\u001[bB]\[31mred' \
    "hostile TXT: JSON escapes the bytes"
for f in txt md html; do
	"$MS" export --format $f "$T/hostile.jsonl" > "$T/hostile.$f" 2>&1
	lacks "$T/hostile.$f" "[$esc$bel]" "hostile TXT: no raw control byte (export $f)"
done
contains "$T/hostile.html" 'mailto:\\e\[31mred' "hostile TXT: escapes in HTML"

# --- explain: the glosses with their RFCs --------------------------------
dns explain --explain mx://nomx.$D:$SMTP_PORT
contains "$T/explain" "RFC 5321 §5\\.1" "explain: the implicit MX rule (RFC 5321)"
contains "$T/explain" "RFC 4033" "explain: DNSSEC (RFC 4033-4035)"
dns explain.null --explain mx://nullmx.$D:$SMTP_PORT
contains "$T/explain.null" "RFC 7505" "explain: the null MX (RFC 7505)"

# --- smtp://host keeps meaning the host; --dns resolves it ---------------
dns host smtp://mx.$D:$SMTP_PORT --starttls
rc host 0 "smtp://host with --dns: exit 0"
lacks "$T/host" "DNS MX" "smtp://host: no MX lookup"
contains "$T/host" "^== DNS A mx\\.$D \\(secure\\): 127\\.0\\.0\\.1\$" \
    "smtp://host with --dns: the address is a DNS answer"

# --- probe: the MX list is a finding -------------------------------------
"$MS" probe --cafile "$CA" --dns "$DNS_SERVER" --dnssec-anchor "$DNS_ANCHOR" \
    mx://$D:$SMTP_PORT > "$T/probe" 2>&1
contains "$T/probe" "^  ok +mx +mail hosts of $D .*DNSSEC-secure\): 10 mx\.$D\$" \
    "probe mx://: the secure MX list is a finding"
contains "$T/probe" "^  ok +certificate +Verified for mx\.$D" \
    "probe mx://: the MX host's certificate verified"
"$MS" probe --cafile "$CA" --dns "$DNS_SERVER" --dnssec-anchor "$DNS_ANCHOR" \
    mx://insecure.$D:$SMTP_PORT > "$T/probe.insecure" 2>&1
contains "$T/probe.insecure" "^  warn +mx +mail hosts of insecure\.$D .*insecure, not signed" \
    "probe mx://: an insecure MX answer is a warning"

# --- options and their errors --------------------------------------------
expect_exit 1 "--dns takes an address" "$MS" --batch --dns nowhere:x mx://$D
expect_exit 1 "mx:// takes a domain, not an address" "$MS" --batch 'mx://[::1]'
dns noanchor --dnssec-anchor "$T/no-such-anchor" mx://$D:$SMTP_PORT
rc noanchor 2 "a missing trust anchor: exit 2"
contains "$T/noanchor" "--dnssec-anchor $T/no-such-anchor: No such file or directory" \
    "a missing trust anchor: said, with the file"
# A resolver that never answers: the session timeout bounds the wait.
"$MS" --batch --timeout 1 --dns "127.0.0.1:$SPARE_PORT1" \
    --dnssec-anchor "$DNS_ANCHOR" mx://$D < /dev/null > "$T/silent" 2>&1
echo $? > "$T/silent.rc"
rc silent 2 "a silent resolver: exit 2"
contains "$T/silent" "no DNS answer within 1000 ms|no answer" \
    "a silent resolver: said"

# --- DANE from DNS (RFC 7672): the MX host's TLSA RRset ---------------------
# Secure, matching: DANE verified beside PKIX, the record named.
contains "$T/mx" "^== DNS TLSA _$SMTP_PORT\\._tcp\\.mx\\.$D \\(secure\\): [23] [01] 1 [0-9a-f]+, [23] [01] 1 [0-9a-f]+\$" \
    "DANE: the MX host's TLSA RRset asked, DNSSEC-secure"
contains "$T/mx" "DANE verified: 3 1 1 matched the leaf's public key" \
    "DANE: verified, the matching record named"
python3 - "$T/mx.json" "$SMTP_PORT" > "$T/dane.check" 2>&1 << 'EOF'
import json, sys
v = [json.loads(l) for l in open(sys.argv[1])]
v = [e["tls"] for e in v if e.get("kind") == "verify"]
d = v[-1]["dane"]
assert d["source"] == "_%s._tcp.mx.mailscope.test" % sys.argv[2], d
assert d["dnssec"] == "secure" and d["ok"] and d["usable"], d
assert [r["rr"][:5] for r in d["records"] if r["matched"]] == ["3 1 1"], d
assert v[-1]["verified"], v[-1]
EOF
check "DANE: --json: the verdict's source, DNSSEC state and record" \
    test ! -s "$T/dane.check"
# Secure, matching nothing: the session stops like a failed verification.
dns badtlsa mx://badtlsa.$D:$SMTP_PORT
rc badtlsa 5 "DANE: a secure TLSA set that matches nothing: exit 5"
contains "$T/badtlsa" "DANE failed: the TLSA record did not match; 3 1 1: digest mismatch" \
    "DANE: the mismatch said, with what was compared"
lacks "$T/badtlsa" "^~> " "DANE: nothing sent inside TLS after the mismatch"
dns badtlsa-insecure --insecure mx://badtlsa.$D:$SMTP_PORT
contains "$T/badtlsa-insecure" "continuing although no TLSA record matched \\(DANE\\) \\(--insecure\\)" \
    "DANE: --insecure goes on past the mismatch and says so"
# By hand, --tlsa takes the place of the DNS's records.
dns tlsa-hand --tlsa "3 1 1 $(printf '%064d' 0)" mx://$D:$SMTP_PORT
rc tlsa-hand 5 "DANE: --tlsa given by hand is used instead of the DNS's"
lacks "$T/tlsa-hand" "DNS TLSA" "DANE: ... and the DNS is not asked for TLSA"

# --- the screen: the answers in the transcript ---------------------------
ui=$ASAN_MAILSCOPE
[ -x "$ui" ] || ui=$MS
trap 'lib_cleanup' EXIT INT TERM
tui_start t 160 70 sh -c '"$@"; echo "MAILSCOPE-EXIT=$?"; exec sleep 3600' \
    sh env LANG=C.UTF-8 XDG_STATE_HOME="$T/state" \
    XDG_CONFIG_HOME="$T/config" "$ui" --cafile "$CA" --dns "$DNS_SERVER" \
    --dnssec-anchor "$DNS_ANCHOR" mx://hostile.$D:$SMTP_PORT
if tui_wait t "capabilities after STARTTLS" 20; then
	pass "screen: the mx:// session reaches TLS"
else
	fail "screen: the mx:// session reaches TLS"
fi
tui_screen t > "$T/screen"
contains "$T/screen" "DNS MX hostile\\.$D \\(secure\\): 10 mx\\.$D\\." \
    "screen: the MX answer in the transcript"
contains "$T/screen" "mail hosts of hostile\\.$D in preference order" \
    "screen: the mail hosts in the transcript"
contains "$T/screen" "Mail domain \\(MX\\)" \
    "screen: the TLS panel has the mail domain's section"
contains "$T/screen" "DANE VERIFIED" \
    "screen: the TLS panel's DANE verdict from the DNS's TLSA records"
contains "$T/screen" 'mailto:\\e\[31mred\\e\[0m@' \
    "screen: the hostile TXT shown escaped"
tui_keys t C-d
tui_wait t "^MAILSCOPE-EXIT=0\$" 10 && pass "screen: leaves with exit 0" ||
    fail "screen: leaves with exit 0"
tui_stop t
