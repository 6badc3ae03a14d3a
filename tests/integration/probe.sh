#!/bin/sh
# SPDX-License-Identifier: ISC
# mailscope probe against the lab's scenarios (it must agree with what
# each scenario demonstrates) and against the real Postfix and Dovecot.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE

# lab_probe SCENARIO EXIT: probe the lab's submission port.
lab_probe() {
	sc=$1
	want=$2
	rm -rf "$T/lab-$sc"
	: > "$T/lab-$sc.out"
	"$MS" lab --scenario "$sc" --keep-certs "$T/lab-$sc" > "$T/lab-$sc.out" 2>&1 &
	lab=$!
	for i in $(seq 50); do
		grep -q '^  submission' "$T/lab-$sc.out" && break
		sleep 0.1
	done
	port=$(sed -n 's/^  submission *127.0.0.1:\([0-9]*\).*/\1/p' "$T/lab-$sc.out")
	timeout 60 "$MS" probe --timeout 5 --cafile "$T/lab-$sc/ca.pem" \
	    "smtp://127.0.0.1:$port" > "$T/probe-$sc" 2>&1
	rc=$?
	[ "$rc" -eq "$want" ] && pass "lab $sc: probe exits $want" ||
	    fail "lab $sc: probe exits $rc, expected $want"
	kill "$lab" 2>/dev/null
	wait "$lab" 2>/dev/null
}

lab_probe good 0
contains "$T/probe-good" '^  ok +lowest-version +TLS1.2 \(TLS1.0, TLS1.1 refused\)' \
    "good: nothing below TLS 1.2"
contains "$T/probe-good" '^  ok +command-injection +not vulnerable' "good: not vulnerable"
contains "$T/probe-good" '^  ok +certificate +Verified' "good: certificate verified"
contains "$T/probe-good" '^  ok +capabilities +after TLS: \+AUTH PLAIN LOGIN, -STARTTLS' \
    "good: AUTH appears after TLS"
lab_probe inject-command 7
contains "$T/probe-inject-command" '^  bad +command-injection +VULNERABLE' \
    "inject-command: command injection found"
lab_probe inject-response 6
contains "$T/probe-inject-response" '^  bad +response-injection' \
    "inject-response: response injection found"
lab_probe no-starttls 3
contains "$T/probe-no-starttls" '^  bad +starttls +not offered' "no-starttls: said"
lacks "$T/probe-no-starttls" '^  ok +tls ' "no-starttls: no TLS claimed"
lab_probe starttls-refused 3
contains "$T/probe-starttls-refused" '^  bad +starttls +offered but refused' \
    "starttls-refused: said"
lab_probe expired-cert 5
contains "$T/probe-expired-cert" '^  bad +certificate +NOT verified: expired on 2020-01-01' \
    "expired-cert: reason"
lab_probe tls12-only 0
contains "$T/probe-tls12-only" '^  ok +lowest-version +TLS1.2 \(TLS1.0, TLS1.1 refused\)' \
    "tls12-only: lowest version"
contains "$T/probe-tls12-only" '^  info +tls1.3 +not offered' "tls12-only: no TLS 1.3"
lab_probe enforced 0
contains "$T/probe-enforced" '^  ok +enforced +MAIL before STARTTLS refused with 530' \
    "enforced: 530 seen"

need_servers

# A server that executes the plaintext sent with STARTTLS only when new
# input arrives inside TLS: nothing comes at first, and the probe's real
# command inside TLS must bring the injected command's answer out.
export GOOD_CERT GOOD_KEY
for pr in smtp imap pop3; do
	n=7
	[ "$pr" = smtp ] || n=6
	if ! fake_start "late-$pr" "$TOP/tests/cases/probe-$pr-late-inject.case" \
	    --connections "$n"; then
		fail "late-$pr: the fake server did not start"
		continue
	fi
	timeout 60 "$MS" probe --timeout 5 --cafile "$CA" \
	    "$pr://127.0.0.1:$FAKE_PORT" > "$T/late-$pr" 2>&1
	rc=$?
	fake_wait
	[ "$rc" -eq 7 ] && pass "late-$pr: probe exits 7" ||
	    fail "late-$pr: probe exits $rc, expected 7"
	contains "$T/late-$pr" '^  bad +command-injection +VULNERABLE: .*, once a real command followed' \
	    "late-$pr: found through the real command"
	contains "$FAKE_LOG" '^I: kept plaintext ' \
	    "late-$pr: the server kept the pipelined plaintext"
done
# Turned away in the greeting: said so, nothing more claimed.
if fake_start away "$TOP/tests/cases/probe-smtp-turned-away.case"; then
	timeout 60 "$MS" probe --timeout 5 --cafile "$CA" \
	    "smtp://127.0.0.1:$FAKE_PORT" > "$T/away" 2>&1
	rc=$?
	fake_wait
	[ "$rc" -eq 2 ] && pass "turned away: probe exits 2 (protocol)" ||
	    fail "turned away: probe exits $rc, expected 2"
	contains "$T/away" '^  bad +session +the server refused the session in its greeting' \
	    "turned away: the session's end is the finding"
	lacks "$T/away" 'starttls +offered|plaintext-auth|no TLS session' \
	    "turned away: no claim about capabilities never asked"
else
	fail "turned away: the fake server did not start"
fi
timeout 60 "$MS" probe --cafile "$CA" "smtp://127.0.0.1:$SMTP_PORT" > "$T/postfix" 2>&1
rc=$?
[ "$rc" -eq 8 ] && pass "postfix: exit 8 (TLS 1.0 accepted)" || fail "postfix: exit $rc"
contains "$T/postfix" '^  ok +command-injection +not vulnerable' "postfix: not vulnerable"
contains "$T/postfix" '^  warn +lowest-version +TLS1.0 accepted' "postfix: TLS 1.0 reported"
contains "$T/postfix" '^  info +enforced +MAIL before STARTTLS accepted' "postfix: opportunistic"
timeout 60 "$MS" probe --json --cafile "$CA" "imap://127.0.0.2:$IMAP_PORT" > "$T/dovecot.json" 2>&1
rc=$?
[ "$rc" -eq 0 ] && pass "dovecot imap: exit 0" || fail "dovecot imap: exit $rc"
if python3 - "$T/dovecot.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
checks = {f["check"]: f for f in d["findings"]}
assert d["exit"] == 0
assert checks["starttls"]["level"] == "ok"
assert checks["lowest-version"]["finding"].startswith("TLS1.2")
assert "-LOGINDISABLED" in checks["capabilities"]["finding"]
assert checks["command-injection"]["level"] == "ok"
# For a pipeline: ids, testssl.sh's severities, CVE/CWE, the TLS facts.
assert all(f["id"] == f["check"] for f in d["findings"])
assert checks["command-injection"]["severity"] == "OK"
assert checks["command-injection"]["cve"] == "CVE-2011-0411"
assert checks["command-injection"]["cwe"] == "CWE-74"
assert checks["plaintext-auth"]["cwe"] == "CWE-319"
assert checks["certificate"]["cwe"] == "CWE-295"
assert d["tls"]["version"] == "TLS1.3" and d["tls"]["verified"] is True
assert d["tls"]["chain"][0]["key_bits"] >= 2048
PY
then pass "dovecot imap: JSON findings"
else fail "dovecot imap: JSON findings"
fi
MAILSCOPE_PASSWORD=$PASS timeout 60 "$MS" probe --auth "$USER" --cafile "$CA" \
    "smtp://127.0.0.1:$SMTP_PORT" > "$T/auth-ok" 2>&1
contains "$T/auth-ok" '^  ok +auth +accepted inside TLS: 235' "--auth: accepted inside TLS"
MAILSCOPE_PASSWORD=not-the-password timeout 60 "$MS" probe --auth "$USER" \
    --cafile "$CA" "pop3://127.0.0.1:$POP3_PORT" > "$T/auth-bad" 2>&1
contains "$T/auth-bad" '^  warn +auth +refused: -ERR' "--auth: a refusal reported"
lacks "$T/auth-ok" "$PASS" "--auth: the password is not printed"
"$MS" probe --auth "$USER" "smtp://127.0.0.1:$SMTP_PORT" < /dev/null > "$T/auth-none" 2>&1
[ $? -eq 1 ] && pass "--auth without a password: exit 1" || fail "--auth without a password: exit 1"
