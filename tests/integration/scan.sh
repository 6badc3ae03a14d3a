#!/bin/sh
# SPDX-License-Identifier: ISC
# probe --scan against the real Postfix (STARTTLS) and Dovecot (IMAP
# STARTTLS, POP3S), its cipher suites compared with testssl.sh's on the
# same Postfix; and the weak-parameter warnings of a live batch session.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
need_servers

# testssl.sh runs in the background while mailscope scans.  --fast has it
# offer each cipher its OpenSSL knows (a socket scan of every suite takes
# minutes); --show-each lists the refused ones too, so the comparison knows
# what it tested.  OPENSSL_CONF is what testssl.sh sets itself.
TS=$T/testssl.json
rm -f "$TS"
tspid=
if command -v testssl > /dev/null 2>&1; then
	(cd "$T" && OPENSSL_CONF= timeout 600 testssl --quiet --color 0 \
	    --nodns none --warnings off --connect-timeout 10 \
	    --openssl-timeout 10 -e --fast --show-each --starttls smtp \
	    --jsonfile "$TS" "127.0.0.1:$SMTP_PORT" > "$T/testssl.out" 2>&1) &
	tspid=$!
else
	fail "testssl.sh is not installed (tools/deps.sh test)"
fi

# --- Postfix: the whole report, text and JSON ---------------------------
timeout 600 "$MS" probe --scan --cafile "$CA" "smtp://127.0.0.1:$SMTP_PORT" \
    > "$T/postfix" 2> "$T/postfix.err"
rc=$?
[ "$rc" -eq 8 ] && pass "postfix scan: exit 8 (weak suites accepted)" ||
    fail "postfix scan: exit $rc, expected 8"
contains "$T/postfix" '^  bad +cipher +TLS1\.2 TLS_DH_anon_WITH_AES_128_GCM_SHA256 \(0x00,0xA6\): anonymous: no authentication' \
    "postfix scan: an ADH suite found and flagged bad"
contains "$T/postfix" '^  bad +cipher +TLS1\.2 TLS_ECDH_anon_WITH_AES_256_CBC_SHA \(0xC0,0x19\): anonymous' \
    "postfix scan: an AECDH suite found and flagged bad"
contains "$T/postfix" '^  warn +cipher +TLS1\.2 TLS_RSA_WITH_AES_256_GCM_SHA384 .*RSA key exchange: no forward secrecy' \
    "postfix scan: RSA key exchange flagged"
contains "$T/postfix" '^  warn +cipher +TLS1\.2 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA .*: CBC with HMAC-SHA1' \
    "postfix scan: CBC with SHA-1 flagged"
contains "$T/postfix" '^  warn +cipher +TLS1\.0 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA .*TLS1\.0: deprecated since RFC 8996' \
    "postfix scan: suites at TLS 1.0 carry the version's weakness"
contains "$T/postfix" 'TLS_DH_anon_WITH_AES_128_CBC_SHA .*Diffie-Hellman group has 1024 bits' \
    "postfix scan: a 1024-bit DH group (the session's weak-dh) named with its suite"
contains "$T/postfix" '^  ok +cipher +TLS1\.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \(0xC0,0x2F\): accepted' \
    "postfix scan: a strong TLS 1.2 suite is ok"
contains "$T/postfix" '^  ok +cipher +TLS1\.3 TLS_AES_128_GCM_SHA256 \(0x13,0x01\): accepted' \
    "postfix scan: TLS 1.3 suites scanned"
contains "$T/postfix" '^  ok +group +TLS1\.3 X25519: accepted' "postfix scan: groups"
contains "$T/postfix" '^  ok +sigalg +TLS1\.3 RSA-PSS-RSAE-SHA256: accepted' \
    "postfix scan: signature algorithms"
contains "$T/postfix" '^  info +ciphers +TLS1\.2 [0-9]+ of the [0-9]+ cipher suites tested accepted' \
    "postfix scan: a count per version"
contains "$T/postfix" '^  skip +untested +SSL2\.0: ' "postfix scan: says it cannot test SSL 2.0"
contains "$T/postfix" '^  skip +untested +PSK-SRP: ' "postfix scan: says it cannot test PSK and SRP"
lacks "$T/postfix" 'TLS_RSA_WITH_3DES|ARCFOUR|_NULL_' \
    "postfix scan: 3DES, RC4 and NULL offered and refused"
[ -s "$T/postfix.err" ] && fail "postfix scan: no progress line off a terminal" ||
    pass "postfix scan: no progress line off a terminal"

timeout 600 "$MS" probe --scan --json --cafile "$CA" \
    "smtp://127.0.0.1:$SMTP_PORT" > "$T/postfix.json" 2>&1
if python3 - "$T/postfix.json" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
assert d["exit"] == 8
cs = [f for f in d["findings"] if f["check"] == "cipher"]
assert len(cs) > 20
ids = [f["id"] for f in d["findings"]]
assert len(ids) == len(set(ids)), "ids not unique"
for f in cs:
    assert set(f) - {"cve", "cwe"} == {"id", "check", "name", "iana",
        "version", "level", "severity", "finding"}, f
    assert re.fullmatch(r"0x[0-9A-F]{2},0x[0-9A-F]{2}", f["iana"]), f
    assert f["level"] in ("ok", "warn", "bad"), f
    # testssl.sh's form: cipher-tls1_2_x9d, cipher-tls1_2_xc02f.
    b = [int(x, 16) for x in f["iana"].split(",")]
    assert f["id"] == "cipher-%s_x%s" % (f["version"].lower().replace(
        ".", "_"), "%x" % b[1] if b[0] == 0 else "%x%02x" % tuple(b)), f
    assert f["severity"] == "OK" if f["level"] == "ok" else True, f
adh = [f for f in cs if f["name"] == "TLS_DH_anon_WITH_AES_128_CBC_SHA"
       and f["version"] == "TLS1.2"]
assert len(adh) == 1 and adh[0]["level"] == "bad", adh
assert adh[0]["id"] == "cipher-tls1_2_x34", adh
assert adh[0]["severity"] == "HIGH" and "CWE-327" in adh[0]["cwe"], adh
assert adh[0]["finding"].startswith("anonymous: no authentication")
rsa = [f for f in cs if f["name"] == "TLS_RSA_WITH_AES_128_GCM_SHA256"
       and f["version"] == "TLS1.2"]
assert len(rsa) == 1 and rsa[0]["severity"] == "LOW", rsa
assert rsa[0]["cwe"] == "CWE-310" and "cve" not in rsa[0], rsa
assert any(f["check"] == "untested" and f["level"] == "skip" and
           f["severity"] == "WARN" and f["name"] == "SSL2.0" and
           f["id"] == "untested-ssl2.0" for f in d["findings"])
ci = [f for f in d["findings"] if f["check"] == "command-injection"]
assert ci[0]["cve"] == "CVE-2011-0411" and ci[0]["cwe"] == "CWE-74", ci
assert d["tls"]["verified"] is True and d["tls"]["version"] == "TLS1.3"
assert d["tls"]["chain"][0]["key_type"] == "RSA", d["tls"]["chain"][0]
PY
then pass "postfix scan --json: one object per finding, stable ids"
else fail "postfix scan --json: one object per finding, stable ids"
fi

# --- Dovecot: IMAP STARTTLS (127.0.0.2: no loopback exemptions), POP3S --
timeout 600 "$MS" probe --scan --json --cafile "$CA" \
    "imap://127.0.0.2:$IMAP_PORT" > "$T/imap.json" 2>&1
timeout 600 "$MS" probe --scan --json --cafile "$CA" \
    "pop3s://127.0.0.1:$POP3S_PORT" > "$T/pop3s.json" 2>&1
for f in imap pop3s; do
	if python3 - "$T/$f.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cs = [f for f in d["findings"] if f["check"] == "cipher"]
vers = {f["version"] for f in cs}
# Dovecot: TLS 1.2 and 1.3 only, no anonymous suites, no RSA key exchange.
assert vers == {"TLS1.2", "TLS1.3"}, vers
assert not [f for f in cs if "anon" in f["name"] or f["level"] == "bad"]
assert not [f for f in cs if f["name"].startswith("TLS_RSA_")]
assert any(f["name"] == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" and
           f["level"] == "ok" for f in cs)
assert any(f["check"] == "group" and f["name"] == "X25519" and
           f["id"] == "group-tls1_3-x25519" for f in d["findings"])
PY
	then pass "dovecot $f scan: TLS 1.2/1.3 suites, none anonymous"
	else fail "dovecot $f scan: TLS 1.2/1.3 suites, none anonymous"
	fi
done

# On a terminal (script(1) gives it one) a progress line goes to stderr.
script -qec "timeout 600 '$MS' probe --scan pop3s://127.0.0.1:$POP3S_PORT" \
    /dev/null > "$T/tty" 2>&1
contains "$T/tty" 'scan [0-9]+/[0-9]+: TLS1\.[23] ' \
    "scan on a terminal: a progress line"

# --- a live session that negotiates weak parameters ---------------------
batch() {
	timeout 60 "$MS" --batch --starttls --timeout 10 --cafile "$CA" \
	    -c QUIT "$@" "smtp://127.0.0.1:$SMTP_PORT"
}
batch --tls-priority 'NORMAL:-VERS-TLS1.3:-KX-ALL:+RSA' > "$T/rsa" 2>&1
contains "$T/rsa" '^\*\* RSA key exchange: no forward secrecy' \
    "live RSA key exchange: warned in the transcript"
batch --json --tls-priority 'NORMAL:-VERS-TLS1.3:-KX-ALL:+RSA' > "$T/rsa.json" 2>&1
contains "$T/rsa.json" '"kind":"warning".*"code":"weak-kx"' \
    "live RSA key exchange: a weak-kx warning event in --json"
batch --tls-priority 'NORMAL:-VERS-ALL:+VERS-TLS1.0:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1' \
    > "$T/tls10" 2>&1
contains "$T/tls10" '^\*\* TLS1\.0: deprecated since RFC 8996' \
    "live TLS 1.0: weak-version warned"
contains "$T/tls10" '^\*\* CBC with HMAC-SHA1' "live CBC-SHA1: weak-cipher warned"
batch --tls-priority 'NORMAL:-VERS-TLS1.3:-KX-ALL:+ANON-ECDH' > "$T/anon" 2>&1
rc=$?
contains "$T/anon" '^\*\* anonymous: no authentication' \
    "live anonymous suite: warned"
[ "$rc" -eq 5 ] && pass "live anonymous suite: not verified, exit 5" ||
    fail "live anonymous suite: exit $rc, expected 5"
batch --json > "$T/default.json" 2>&1
lacks "$T/default.json" '"code":"weak-' "default priority: no weak parameters"

# --- the suites compared with testssl.sh -----------------------------------
if [ -n "$tspid" ]; then
	wait "$tspid"
	if python3 - "$T/postfix.json" "$TS" > "$T/compare" 2>&1 <<'PY'
import json, re, subprocess, sys
ms = json.load(open(sys.argv[1]))
ts = json.load(open(sys.argv[2]))

def key(b0, b1):
    return (b0 << 8) | b1

# What mailscope could offer: GnuTLS's suites, less PSK, SRP and GOST.
gnutls = set()
for line in subprocess.run(["gnutls-cli", "-l"], capture_output=True,
                           text=True).stdout.splitlines():
    m = re.match(r"(TLS_\S+)\s+0x([0-9a-f]{2}), 0x([0-9a-f]{2})\s", line)
    if m and not re.search(r"PSK|SRP|GOST", m.group(1)):
        gnutls.add(key(int(m.group(2), 16), int(m.group(3), 16)))
# What mailscope found accepted at TLS 1.2 and 1.3.
ms_ok = set()
for f in ms["findings"]:
    if f["check"] == "cipher" and f["version"] in ("TLS1.2", "TLS1.3"):
        b = f["iana"].split(",")
        ms_ok.add(key(int(b[0], 16), int(b[1], 16)))
# What testssl.sh tested and found: cipher_xHHHH, "available" or not.
ts_tested, ts_ok = set(), set()
for e in ts:
    m = re.fullmatch(r"cipher_x([0-9a-f]+)", e["id"])
    if not m:
        continue
    k = int(m.group(1), 16)
    ts_tested.add(k)
    if "not a/v" not in e["finding"]:
        ts_ok.add(k)
both = gnutls & ts_tested
assert len(both) > 30, len(both)
name = lambda s: " ".join("0x%04X" % k for k in sorted(s))
print("both could test %d suites" % len(both))
print("testssl.sh could not test:", name(gnutls - ts_tested))
print("mailscope (GnuTLS) could not test:", name(ts_tested - gnutls))
only_ms = (ms_ok - ts_ok) & both
only_ts = (ts_ok - ms_ok) & both
print("accepted per mailscope only:", name(only_ms))
print("accepted per testssl.sh only:", name(only_ts))
assert not only_ms and not only_ts
# The same suite, the same id as testssl.sh's, the version prefixed.
ts_ids = {e["id"] for e in ts}
for f in ms["findings"]:
    if f["check"] == "cipher" and f["version"] == "TLS1.2":
        b = f["iana"].split(",")
        if key(int(b[0], 16), int(b[1], 16)) in ts_tested:
            assert "cipher_" + f["id"].rsplit("_", 1)[1] in ts_ids, f
assert ts_ok & both, "testssl.sh found nothing accepted"
PY
	then pass "testssl.sh and mailscope agree on the suites both can test"
	else fail "testssl.sh and mailscope agree on the suites both can test"
		tail -n 20 "$T/compare" "$T/testssl.out"
	fi
	sed 's/^/  /' "$T/compare"
fi
