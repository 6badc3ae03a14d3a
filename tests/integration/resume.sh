#!/bin/sh
# SPDX-License-Identifier: ISC
# TLS resumption and what-if against the real Postfix and Dovecot: batch
# --resume connects twice and the second session is resumed (TLS 1.3
# tickets; TLS 1.2 tickets), --compare PRIORITY makes the second a full
# handshake with that priority and prints what changed.  Facts are read
# from the --json events, the summary from the text run.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE

# Usage errors come before any connection: no servers needed.
expect_exit 1 "--resume with --compare: exit 1" \
    "$MS" --batch --resume --compare NORMAL smtp://127.0.0.1:1
contains "$T/last.out" 'give one' "--resume with --compare: says why"
expect_exit 1 "--compare with a bad priority: exit 1" \
    "$MS" --batch --compare 'NORMAL:+NOSUCH' smtp://127.0.0.1:1
contains "$T/last.out" "bad TLS priority string at '\+NOSUCH'" \
    "--compare with a bad priority: where it is wrong"

need_servers

# resumed JSON: "resumed" and "resumption" of each handshake's facts.
resumed() {
	python3 - "$1" << 'EOF'
import json, sys
out = []
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("kind") == "tls-established":
        out.append("%s|%s|%s" % (o["tls"]["version"], o["tls"]["resumed"],
                                 o["tls"]["resumption"]))
print("\n".join(out))
EOF
}

# two NAME EXIT ARGS...: a text run and a --json run of the same.
two() {
	_nm=$1
	_want=$2
	shift 2
	expect_exit "$_want" "$_nm: exit $_want" \
	    "$MS" --batch --timeout 10 --cafile "$CA" "$@"
	cp "$T/last.out" "$T/$_nm.txt"
	"$MS" --batch --json --timeout 10 --cafile "$CA" "$@" \
	    > "$T/$_nm.jsonl" 2> "$T/$_nm.err"
	resumed "$T/$_nm.jsonl" > "$T/$_nm.facts"
}

two smtp-resume 0 --resume -c 'EHLO client.test' -c :starttls \
    -c 'EHLO client.test' "smtp://127.0.0.1:$SMTP_PORT"
check "Postfix: two handshakes, the second resumed from a TLS 1.3 ticket" \
    diff - "$T/smtp-resume.facts" << 'EOF'
TLS1.3|False|no: nothing to resume (first connection)
TLS1.3|True|yes (TLS 1.3 ticket)
EOF
contains "$T/smtp-resume.txt" '^== first connection$' "Postfix: both reported (first)"
contains "$T/smtp-resume.txt" '^== second connection$' "Postfix: both reported (second)"
contains "$T/smtp-resume.txt" \
    '^   resumed    no: nothing to resume \(first connection\) -> yes \(TLS 1\.3 ticket\)  \[changed\]$' \
    "Postfix: the difference says resumed"
contains "$T/smtp-resume.txt" '^   verdict    certificate verified \(same\)$' \
    "Postfix: a resumed session is verified as the first was"
contains "$T/smtp-resume.txt" '^# second connection: resuming the TLS session' \
    "Postfix: the transcript marks the second connection"
check "Postfix: the script ran once (one EHLO client.test inside TLS)" \
    test "$(grep -c '^~> EHLO client\.test$' "$T/smtp-resume.txt")" -eq 1

two smtp-resume12 0 --resume --tls-priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' \
    -c 'EHLO client.test' -c :starttls "smtp://127.0.0.1:$SMTP_PORT"
check "Postfix TLS 1.2: the second session resumed from a ticket" \
    diff - "$T/smtp-resume12.facts" << 'EOF'
TLS1.2|False|no: nothing to resume (first connection)
TLS1.2|True|yes (ticket)
EOF

two imap-resume 0 --resume -c 'a1 STARTTLS' "imap://127.0.0.1:$IMAP_PORT"
check "Dovecot IMAP STARTTLS: the second session resumed" \
    diff - "$T/imap-resume.facts" << 'EOF'
TLS1.3|False|no: nothing to resume (first connection)
TLS1.3|True|yes (TLS 1.3 ticket)
EOF

two pop3s-resume 0 --resume "pop3s://127.0.0.1:$POP3S_PORT"
check "Dovecot POP3S (implicit TLS): the second session resumed" \
    diff - "$T/pop3s-resume.facts" << 'EOF'
TLS1.3|False|no: nothing to resume (first connection)
TLS1.3|True|yes (TLS 1.3 ticket)
EOF

# What-if: TLS 1.2 instead of 1.3, a full handshake.
two smtp-compare 0 --compare 'NORMAL:-VERS-ALL:+VERS-TLS1.2' \
    -c 'EHLO client.test' -c :starttls "smtp://127.0.0.1:$SMTP_PORT"
check "what-if TLS 1.2: the second handshake is 1.2 and not resumed" \
    diff - "$T/smtp-compare.facts" << 'EOF'
TLS1.3|False|no: nothing to resume (first connection)
TLS1.2|False|no: a new priority string asks for a full handshake
EOF
contains "$T/smtp-compare.txt" '^   version    TLS1\.3 -> TLS1\.2  \[changed\]$' \
    "what-if TLS 1.2: the version change is marked"
contains "$T/smtp-compare.txt" '^   cipher     TLS_AES_256_GCM_SHA384 -> TLS_ECDHE_[A-Z0-9_]+  \[changed\]$' \
    "what-if TLS 1.2: the suite change is marked"
contains "$T/smtp-compare.txt" '^   chain      1 certificate, leaf SHA-256 [0-9A-F:]+\.\.\. \(same\)$' \
    "what-if TLS 1.2: the same chain"

# A priority the server refuses (NULL encryption only): the second
# handshake fails, exit 4, and the summary says why.
two smtp-compare-null 4 --compare \
    'NONE:+VERS-TLS1.2:+NULL:+SHA256:+RSA:+COMP-NULL:+SIGN-ALL:+CTYPE-X509' \
    -c 'EHLO client.test' -c :starttls "smtp://127.0.0.1:$SMTP_PORT"
contains "$T/smtp-compare-null.txt" \
    '^== no TLS: the handshake failed: .*no TLS version, cipher suite or group in common' \
    "what-if NULL cipher refused: the second connection's failure"
contains "$T/smtp-compare-null.txt" \
    '^== TLS compared: nothing to compare, the second connection had no TLS$' \
    "what-if NULL cipher refused: nothing to compare"
