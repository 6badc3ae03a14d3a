#!/bin/sh
# SPDX-License-Identifier: ISC
# MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) against the test zone (NSD,
# tests/servers/dns.sh) and its policy host (nginx on port 443 of a
# loopback address, tests/servers/web.sh), delivering to the test Postfix
# over STARTTLS: per case the verdict, the exit code, the events and the
# JSON fields; --mta-sts-policy offline; the demo domain with DANE; the
# TLS panel on the screen.
. "$(dirname "$0")/../lib.sh"
MS=$MAILSCOPE

# --- --mta-sts-policy: usage errors need no server -------------------------
printf 'version: STSv1\nmode: enforce\nmx: \033[31mred.example\nmax_age: 1\n' \
    > "$T/hostile.txt"
expect_exit 1 "--mta-sts-policy: a control byte in the policy is a usage error" \
    "$MS" --batch --mta-sts-policy "$T/hostile.txt" smtp://127.0.0.1:1
contains "$T/last.out" "not an MTA-STS policy: line 3: a control byte \\(0x1b\\)" \
    "--mta-sts-policy: the line and the byte named"
lacks "$T/last.out" "$(printf '\033')" "--mta-sts-policy: no raw control byte shown"
head -c 70000 /dev/zero | tr '\0' 'm' > "$T/big.txt"
expect_exit 1 "--mta-sts-policy: a policy over 64 KiB is a usage error" \
    "$MS" --batch --mta-sts-policy "$T/big.txt" smtp://127.0.0.1:1
contains "$T/last.out" "larger than 65536 bytes" "--mta-sts-policy: the limit said"
expect_exit 1 "--mta-sts-policy: a missing file is a usage error" \
    "$MS" --batch --mta-sts-policy "$T/none.txt" smtp://127.0.0.1:1
printf 'version: STSv1\nmode: enforce\nmax_age: 1\n' > "$T/nomx.txt"
expect_exit 1 "--mta-sts-policy: enforce without mx is a usage error" \
    "$MS" --batch --mta-sts-policy "$T/nomx.txt" smtp://127.0.0.1:1
contains "$T/last.out" "no mx pattern" "--mta-sts-policy: the missing mx said"

need_servers
cd "$TOP"
D=mailscope.test
sts() {
	# sts OUT ARGS...: a batch session through the test zone's server
	_o=$1
	shift
	"$MS" --batch --timeout 10 --cafile "$CA" --dns "$DNS_SERVER" \
	    --dnssec-anchor "$DNS_ANCHOR" -c QUIT "$@" < /dev/null \
	    > "$T/$_o" 2>&1
	echo $? > "$T/$_o.rc"
}
# jcheck OUT WHAT PYTHON: PYTHON asserts on m, the last verify event's
# mta_sts object, and ev, every event.
jcheck() {
	python3 - "$T/$1" "$3" > "$T/$1.check" 2>&1 << 'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
m = [e["tls"] for e in ev if e.get("kind") == "verify"][-1].get("mta_sts")
exec(sys.argv[2])
EOF
	if [ -s "$T/$1.check" ]; then
		fail "$2"
		tail -n 3 "$T/$1.check" | sed 's/^/	| /'
	else
		pass "$2"
	fi
}
URL="https://mta-sts\\.sts-enforce\\.$D/\\.well-known/mta-sts\\.txt"

# --- enforce, the MX host matches a wildcard: pass ---------------------------
sts enforce mx://sts-enforce.$D:$SMTP_PORT
rc enforce 0 "enforce, matching: exit 0"
contains "$T/enforce" "^== DNS TXT _mta-sts\\.sts-enforce\\.$D \\(secure\\): \"v=STSv1; id=enforce$SMTP_PORT;\"\$" \
    "enforce: the _mta-sts record is a DNS event"
contains "$T/enforce" "^== DNS TXT _smtp\\._tls\\.sts-enforce\\.$D \\(secure\\): \"v=TLSRPTv1; rua=mailto:tlsrpt@sts-enforce\\.$D\"\$" \
    "enforce: the _smtp._tls record is a DNS event"
contains "$T/enforce" "^== DNS A mta-sts\\.sts-enforce\\.$D \\(secure\\): $STS_ADDR\$" \
    "enforce: mta-sts.DOMAIN resolved through our DNS"
contains "$T/enforce" "fetching $URL\$" "enforce: the policy URL said"
contains "$T/enforce" "^== MTA-STS policy of sts-enforce\\.$D \\(HTTP 200, [0-9]+ bytes, valid certificate for mta-sts\\.sts-enforce\\.$D\\): mode enforce, max_age 604800, mx \\*\\.$D\$" \
    "enforce: the policy's mode, max_age and patterns"
contains "$T/enforce" "MTA-STS: enforce, stsmx\\.$D matches \\*\\.$D, certificate valid: pass" \
    "enforce: the verdict names the pattern matched and the certificate"
contains "$T/enforce" "^   TLS-RPT    mailto:tlsrpt@sts-enforce\\.$D\$" \
    "enforce: TLS-RPT's rua in the summary"
sts enforce.json --json mx://sts-enforce.$D:$SMTP_PORT
rc enforce.json 0 "enforce --json: exit 0"
jcheck enforce.json "enforce --json: the mta_sts fields" '
assert m["checked"] and m["ok"] and m["cert_ok"] and not m["fails"], m
assert m["mode"] == "enforce" and m["max_age"] == 604800, m
assert m["mx"] == ["*.mailscope.test"] and m["mx_total"] == 1, m
assert m["matched"] == "*.mailscope.test", m
assert m["host"] == "stsmx.mailscope.test", m
assert m["source"] == "https://mta-sts.sts-enforce.mailscope.test/.well-known/mta-sts.txt", m
assert m["tlsrpt"] == "mailto:tlsrpt@sts-enforce.mailscope.test", m
assert m["verdict"].endswith(": pass"), m
codes = [e.get("code") for e in ev]
assert "mta-sts" in codes and "mta-sts-policy" in codes and "tlsrpt" in codes, codes
'

# --- testing, the host not named: a warning, no stop ------------------------
sts testing mx://sts-testing.$D:$SMTP_PORT
rc testing 0 "testing, not matching: exit 0"
contains "$T/testing" "^\\*\\* MTA-STS: testing, stsmx\\.$D matches no mx pattern of the policy, certificate valid: fails \\(testing: a warning only; TLS-RPT would report it\\)\$" \
    "testing: a warning that says TLS-RPT would report it"
contains "$T/testing" "^~> QUIT" "testing: the session goes on inside TLS"

# --- none: said plainly ------------------------------------------------------
sts none mx://sts-none.$D:$SMTP_PORT
rc none 0 "none: exit 0"
contains "$T/none" "MTA-STS: none: the domain has withdrawn its policy; nothing to check" \
    "none: said plainly"

# --- enforce, the patterns exclude the host: stop, exit 5 -------------------
sts nomatch mx://sts-nomatch.$D:$SMTP_PORT
rc nomatch 5 "enforce, not matching: exit 5"
contains "$T/nomatch" "MTA-STS: enforce, stsmx\\.$D matches no mx pattern of the policy, certificate valid: FAIL" \
    "enforce, not matching: the verdict says why"
contains "$T/nomatch" "closed before sending anything inside TLS: the domain's MTA-STS policy \\(enforce\\) does not allow this mail host" \
    "enforce, not matching: the session stops before anything is sent in TLS"
lacks "$T/nomatch" "^~> " "enforce, not matching: nothing sent inside TLS"
sts nomatch.json --json mx://sts-nomatch.$D:$SMTP_PORT
jcheck nomatch.json "enforce, not matching --json: fails, no pattern matched" '
assert m["fails"] and not m["ok"] and m["cert_ok"] and m["matched"] is None, m
assert m["mx"] == ["mail.example.net", "*.example.org"], m
assert not [e for e in ev if e.get("kind") == "verify"][-1]["tls"]["verified"]
'
sts nomatch.insecure --insecure mx://sts-nomatch.$D:$SMTP_PORT
rc nomatch.insecure 5 "enforce, not matching, --insecure: goes on, exit 5"
contains "$T/nomatch.insecure" "continuing although the domain's MTA-STS policy \\(enforce\\) does not allow this mail host \\(--insecure\\)" \
    "enforce, not matching, --insecure: said"

# --- the policy cannot be had: said, nothing stopped -------------------------
sts big mx://sts-big.$D:$SMTP_PORT
rc big 0 "oversize policy: exit 0"
contains "$T/big" "policy is unavailable: https://mta-sts\\.sts-big\\.$D/\\.well-known/mta-sts\\.txt is larger than 65536 bytes, the limit of RFC 8461 3\\.3: reading stopped" \
    "oversize policy: unavailable, the limit said"
sts redirect mx://sts-redirect.$D:$SMTP_PORT
rc redirect 0 "redirect: exit 0"
contains "$T/redirect" "answered HTTP 301, a redirect to $URL: RFC 8461 3\\.3 forbids following it" \
    "redirect: a failure, not followed, said"
lacks "$T/redirect" "policy of sts-redirect" "redirect: no policy came of it"
sts nocert mx://sts-nocert.$D:$SMTP_PORT
rc nocert 0 "policy host's certificate not valid for it: exit 0"
contains "$T/nocert" "policy is unavailable: fetching https://mta-sts\\.sts-nocert\\.$D/.* failed: .*mta-sts\\.sts-nocert\\.$D" \
    "policy host's certificate not valid for it: unavailable, why"
sts down mx://sts-down.$D:$SMTP_PORT
rc down 0 "policy host down: exit 0"
contains "$T/down" "policy is unavailable: fetching .* failed" \
    "policy host down: unavailable"
sts big.json --json mx://sts-big.$D:$SMTP_PORT
jcheck big.json "oversize --json: unavailable, nothing enforced" '
assert m["checked"] and m["unavailable"] and "65536" in m["unavailable"], m
assert not m["fails"] and m["mode"] is None, m
assert "mta-sts-unavailable" in [e.get("code") for e in ev]
'

# --- records that do not count (RFC 8461 3.1) -------------------------------
sts two mx://sts-two.$D:$SMTP_PORT
rc two 0 "two policy records: exit 0"
contains "$T/two" "2 records begin with v=STSv1: there must be one \\(RFC 8461 3\\.1\\): no MTA-STS" \
    "two policy records: no policy, said"
lacks "$T/two" "fetching" "two policy records: nothing fetched"
sts hostile mx://sts-hostile.$D:$SMTP_PORT
rc hostile 0 "a hostile record: exit 0"
contains "$T/hostile" "id=\\\\e\\[31mred" "a hostile record: shown escaped"
lacks "$T/hostile" "$(printf '\033')" "a hostile record: no raw control byte"

# --- the demo: MX list, DANE beside PKIX, the policy and its verdict ---------
sts demo mx://$D:$SMTP_PORT
rc demo 0 "demo domain: exit 0"
contains "$T/demo" "mail hosts of $D in preference order \\(the MX answer is DNSSEC-secure\\): 10 mx\\.$D" \
    "demo: the MX list"
contains "$T/demo" "DANE verified: 3 1 1 matched" "demo: DANE verified"
contains "$T/demo" "^   verdict    verified for mx\\.$D" "demo: PKIX verified beside it"
contains "$T/demo" "MTA-STS: enforce, mx\\.$D matches mx\\.$D, certificate valid: pass; DANE applies \\(a secure TLSA set\\) and takes precedence \\(RFC 8461 2\\)" \
    "demo: the MTA-STS verdict, DANE's precedence said"

# --- --mta-sts-policy: offline, for smtp:// too ------------------------------
printf 'version: STSv1\r\nmode: enforce\r\nmx: *.test\r\nmax_age: 60\r\n' > "$T/p-ok.txt"
printf 'version: STSv1\nmode: enforce\nmx: other.example\nmax_age: 60\n' > "$T/p-bad.txt"
"$MS" --batch --timeout 10 --cafile "$CA" --starttls --sni mail.test \
    --mta-sts-policy "$T/p-ok.txt" -c QUIT smtp://127.0.0.1:$SMTP_PORT \
    < /dev/null > "$T/file-ok" 2>&1
echo $? > "$T/file-ok.rc"
rc file-ok 0 "--mta-sts-policy on smtp://: passing, exit 0"
contains "$T/file-ok" "MTA-STS: enforce, mail\\.test matches \\*\\.test, certificate valid: pass" \
    "--mta-sts-policy on smtp://: the verdict"
lacks "$T/file-ok" "DNS " "--mta-sts-policy on smtp://: no DNS asked"
"$MS" --batch --timeout 10 --cafile "$CA" --starttls --sni mail.test \
    --mta-sts-policy "$T/p-bad.txt" -c QUIT smtp://127.0.0.1:$SMTP_PORT \
    < /dev/null > "$T/file-bad" 2>&1
echo $? > "$T/file-bad.rc"
rc file-bad 5 "--mta-sts-policy on smtp://: not allowing the host, exit 5"
sts file-mx --mta-sts-policy "$T/p-bad.txt" mx://sts-enforce.$D:$SMTP_PORT
rc file-mx 5 "--mta-sts-policy on mx://: the file decides, exit 5"
lacks "$T/file-mx" "_mta-sts|fetching" "--mta-sts-policy on mx://: no record asked, nothing fetched"
contains "$T/file-mx" "policy --mta-sts-policy $T/p-bad\\.txt" \
    "--mta-sts-policy on mx://: the source named"

# --- probe: the verdict is a finding -----------------------------------------
"$MS" probe --timeout 10 --cafile "$CA" --dns "$DNS_SERVER" \
    --dnssec-anchor "$DNS_ANCHOR" mx://sts-nomatch.$D:$SMTP_PORT \
    > "$T/probe" 2>&1
echo $? > "$T/probe.rc"
rc probe 5 "probe: an enforce policy failing: exit 5"
contains "$T/probe" "bad +mta-sts +MTA-STS: enforce, stsmx\\.$D matches no mx pattern" \
    "probe: the MTA-STS finding"

# --- exports ------------------------------------------------------------------
sts rec --record "$T/rec.jsonl" mx://sts-enforce.$D:$SMTP_PORT
check "export md: the MTA-STS verdict and TLS-RPT" sh -c \
    '"$1" export --format md "$2" | grep -q "MTA-STS\*\*: MTA-STS: enforce" &&
     "$1" export --format md "$2" | grep -q "TLS-RPT\*\*: reports to mailto:tlsrpt"' \
    - "$MS" "$T/rec.jsonl"
check "export html: the MTA-STS verdict" sh -c \
    '"$1" export --format html "$2" | grep -q "MTA-STS: enforce, stsmx"' \
    - "$MS" "$T/rec.jsonl"

# --- the screen: the TLS panel's MTA-STS section -----------------------------
ui=$ASAN_MAILSCOPE
[ -x "$ui" ] || ui=$MS
trap 'lib_cleanup' EXIT INT TERM
tui_start t 160 90 sh -c '"$@"; echo "MAILSCOPE-EXIT=$?"; exec sleep 3600' \
    sh env LANG=C.UTF-8 XDG_STATE_HOME="$T/state" \
    XDG_CONFIG_HOME="$T/config" "$ui" --cafile "$CA" --dns "$DNS_SERVER" \
    --dnssec-anchor "$DNS_ANCHOR" mx://$D:$SMTP_PORT
if tui_wait t "capabilities after STARTTLS" 20; then
	pass "screen: the mx:// session reaches TLS"
else
	fail "screen: the mx:// session reaches TLS"
fi
tui_screen t > "$T/screen"
contains "$T/screen" "Mail domain \\(MX\\)" "screen: the mail domain's section"
contains "$T/screen" "DANE VERIFIED" "screen: DANE's verdict"
contains "$T/screen" "MTA-STS PASS" "screen: the MTA-STS section's verdict"
contains "$T/screen" "Mode +enforce" "screen: the policy's mode"
contains "$T/screen" "TLS-RPT +mailto:tlsrpt@$D" "screen: TLS-RPT's rua"
contains "$T/screen" "DNS TXT _mta-sts\\.$D" "screen: the record in the transcript"
tui_keys t C-d
tui_wait t "^MAILSCOPE-EXIT=0\$" 10 && pass "screen: leaves with exit 0" ||
    fail "screen: leaves with exit 0"
tui_stop t
