#!/bin/sh
# SPDX-License-Identifier: ISC
# mailscope against hostile servers: every tests/hostile/*.case is played
# by tests/caseplay.py (the case file format is described there), one
# process for all of them, while the sections below play the few cases
# that need a signal, a kill, a file size limit or the screen.
#
#   hostile.sh --case FILE   play one case, for a closer look
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
CASES=$TOP/tests/hostile
H_DIR=$T/certs
H_CA=$H_DIR/ca.pem
export H_DIR H_CA

# --- certificates: our own CA, made here so no server install is needed ----
mkcerts() (
	mkdir -p "$H_DIR"
	cd "$H_DIR" || return 1
	tmpl() {
		# tmpl FILE CN [extra template lines]
		_f=$1
		_cn=$2
		shift 2
		{
			echo "cn = \"$_cn\""
			echo "serial = $(date +%s)$$"
			for _l in "$@"; do echo "$_l"; done
		} > "$_f"
	}
	# RSA for the CA: python's cryptography reads every RSA key
	# certtool writes (not so the rare short ECDSA one).
	key() {
		certtool --generate-privkey --key-type "${2:-ecdsa}" \
		    --outfile "$1" > /dev/null 2>&1
	}
	srvlines='tls_www_server
signing_key
encryption_key'
	key ca.key rsa
	tmpl ca.tmpl "Hostile Test CA" ca cert_signing_key \
	    "expiration_days = 30"
	certtool --generate-self-signed --load-privkey ca.key \
	    --template ca.tmpl --outfile ca.pem > /dev/null 2>&1
	key ca2.key
	tmpl ca2.tmpl "Unknown Test CA" ca cert_signing_key \
	    "expiration_days = 30"
	certtool --generate-self-signed --load-privkey ca2.key \
	    --template ca2.tmpl --outfile ca2.pem > /dev/null 2>&1
	sign() {
		# sign NAME CAKEY CAPEM CN template-lines...
		_n=$1
		_ck=$2
		_cp=$3
		_cn=$4
		shift 4
		key "$_n.key"
		tmpl "$_n.tmpl" "$_cn" "$srvlines" "$@"
		certtool --generate-certificate --load-privkey "$_n.key" \
		    --load-ca-certificate "$_cp" --load-ca-privkey "$_ck" \
		    --template "$_n.tmpl" --outfile "$_n.pem" > /dev/null 2>&1
	}
	sign good ca.key ca.pem mail.test 'dns_name = "mail.test"' \
	    'ip_address = "127.0.0.1"' "expiration_days = 30"
	sign expired ca.key ca.pem mail.test 'dns_name = "mail.test"' \
	    'ip_address = "127.0.0.1"' \
	    'activation_date = "2020-01-01 00:00:00"' \
	    'expiration_date = "2020-02-01 00:00:00"'
	sign wronghost ca.key ca.pem other.test 'dns_name = "other.test"' \
	    "expiration_days = 30"
	sign unknownca ca2.key ca2.pem mail.test 'dns_name = "mail.test"' \
	    'ip_address = "127.0.0.1"' "expiration_days = 30"
	# A leaf under an intermediate CA: served alone (C2, incomplete
	# chain), with the intermediate after it, and out of order (the
	# root between them).
	key inter.key
	tmpl inter.tmpl "Intermediate Test CA" ca cert_signing_key \
	    "expiration_days = 30"
	certtool --generate-certificate --load-privkey inter.key \
	    --load-ca-certificate ca.pem --load-ca-privkey ca.key \
	    --template inter.tmpl --outfile inter.pem > /dev/null 2>&1
	sign leaf inter.key inter.pem mail.test 'dns_name = "mail.test"' \
	    'ip_address = "127.0.0.1"' "expiration_days = 30"
	cat leaf.pem inter.pem > fullchain.pem
	cat leaf.pem ca.pem inter.pem > misorder.pem
	key selfsigned.key
	tmpl selfsigned.tmpl mail.test "$srvlines" 'dns_name = "mail.test"' \
	    'ip_address = "127.0.0.1"' "expiration_days = 30"
	certtool --generate-self-signed --load-privkey selfsigned.key \
	    --template selfsigned.tmpl --outfile selfsigned.pem \
	    > /dev/null 2>&1
	# Names no template can hold: NUL, ESC, newline, bidi (GnuTLS
	# CVE-2009-2730).  Signed by our CA so only the name is wrong.
	python3 - << 'EOF'
import datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
ca = x509.load_pem_x509_certificate(open("ca.pem", "rb").read())
cakey = serialization.load_pem_private_key(open("ca.key", "rb").read(), None)
k = ec.generate_private_key(ec.SECP256R1())
cn = "127.0.0.1\x00.evil.test\x1b[31mRED\n\u202eLIVE"
now = datetime.datetime.now(datetime.timezone.utc)
c = (x509.CertificateBuilder()
     .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
     .issuer_name(ca.subject).public_key(k.public_key()).serial_number(77)
     .not_valid_before(now - datetime.timedelta(days=1))
     .not_valid_after(now + datetime.timedelta(days=30))
     .add_extension(x509.SubjectAlternativeName([
         x509.DNSName("127.0.0.1\x00.evil.test"),
         x509.DNSName("x\x1b]0;pwned\x07.test"),
         x509.DNSName("a\nb.test")]), False)
     .sign(cakey, hashes.SHA256()))
open("weird.pem", "wb").write(c.public_bytes(serialization.Encoding.PEM))
open("weird.key", "wb").write(k.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption()))
EOF
	for _c in good expired wronghost unknownca selfsigned weird leaf \
	    fullchain misorder; do
		[ -s "$H_DIR/$_c.pem" ] || return 1
	done
)

# play [CASE...]: the cases, side by side (more at once in the quick
# loop: they wait on timeouts as much as they compute).
play() {
	_o=
	[ -n "${MAILSCOPE_QUICK:-}" ] && _o="--quick --jobs 6"
	[ -n "${MAILSCOPE_VALGRIND:-}" ] && _o="$_o --valgrind"
	# shellcheck disable=SC2086
	MAILSCOPE=$MS ASAN_MAILSCOPE=$ASAN_MAILSCOPE T=$T \
	    python3 -S "$TOP/tests/caseplay.py" $_o "$@"
}

if [ "${1:-}" = --case ]; then
	[ -s "$H_DIR/weird.pem" ] || mkcerts
	play "$2"
	exit 0
fi

if [ ! -x "$ASAN_MAILSCOPE" ]; then
	fail "hostile: $ASAN_MAILSCOPE missing (make build-asan/mailscope)"
fi
if mkcerts; then
	pass "hostile: test CA and certificates made with certtool"
else
	fail "hostile: certificates could not be made"
	exit 1
fi
play "$CASES"/*.case

# --- signals and faults ------------------------------------------------------
# wait_for FILE ERE: wait (up to 10 s) until FILE matches ERE.
wait_for() {
	_i=200
	while [ "$_i" -gt 0 ]; do
		grep -Eq -- "$2" "$1" 2> /dev/null && return 0
		_i=$((_i - 1))
		sleep 0.05
	done
	return 1
}

fake_kill() {
	kill "$FAKE_PID" 2> /dev/null
	wait "$FAKE_PID" 2> /dev/null
}

# F2: SIGTERM and SIGHUP while a reply is awaited: the loop closes the
# session, the recording gets its trailer with reason "signal".
for sig in TERM HUP; do
	n=sig$sig
	fake_start "$n" "$CASES/f01-hold.case"
	rm -f "$T/$n.jsonl"
	"$MS" --batch --timeout 20 --record "$T/$n.jsonl" -c "EHLO me" \
	    -c NOOP "smtp://127.0.0.1:$FAKE_PORT" < /dev/null \
	    > "$T/$n.out" 2>&1 &
	pid=$!
	if wait_for "$T/$n.jsonl" '"text":"NOOP"'; then
		kill -"$sig" "$pid"
		pass "SIG$sig: sent while NOOP was pending"
	else
		fail "SIG$sig: NOOP never recorded"
		kill "$pid"
	fi
	wait "$pid"
	rc=$?
	fake_kill
	[ "$rc" -lt 128 ] && pass "SIG$sig: mailscope exits by itself (exit $rc)" ||
	    fail "SIG$sig: killed by the signal (exit $rc)"
	contains "$T/$n.out" '^== terminated by a signal$' \
	    "SIG$sig: the transcript says why it ended"
	contains "$T/$n.jsonl" '^\{"kind":"trailer","end":"[^"]*","reason":"signal","events":[0-9]+,"exit":[0-9]+\}$' \
	    "SIG$sig: the recording ends with a trailer, reason signal"
	"$MS" export --format txt "$T/$n.jsonl" > "$T/$n.txt" 2> "$T/$n.exerr"
	contains "$T/$n.txt" 'NOOP' "SIG$sig: the recording exports"
	lacks "$T/$n.exerr" 'line [0-9]' "SIG$sig: export reads every line"
done

# F1: kill -9 in the middle of a long reply: every line written is a whole
# event but perhaps the last (the kill can cut a write short between two
# pages); export loads them all, and a torn last line is reported with its
# number while the events before it are exported.
n=kill9
fake_start "$n" "$CASES/f02-long-retr.case"
rm -f "$T/$n.jsonl"
"$MS" --batch --timeout 20 --record "$T/$n.jsonl" -c "RETR 1" \
    "pop3://127.0.0.1:$FAKE_PORT" < /dev/null > /dev/null 2>&1 &
pid=$!
if wait_for "$T/$n.jsonl" '"flags":\["body"'; then
	# Let some of the body be recorded, then kill mid-transfer.
	_i=100
	while [ "$(wc -c < "$T/$n.jsonl")" -lt 200000 ] && [ "$_i" -gt 0 ]; do
		_i=$((_i - 1))
		sleep 0.05
	done
	kill -9 "$pid"
fi
wait "$pid" 2> /dev/null
rc=$?
fake_kill
[ "$rc" -eq 137 ] && pass "kill -9: mailscope was killed mid-transfer" ||
    fail "kill -9: mailscope was not killed mid-transfer (exit $rc)"
lacks "$T/$n.jsonl" '"reason":' "kill -9: no trailer (as expected)"
rm -f "$T/$n.jsonl.torn"
if python3 - "$T/$n.jsonl" << 'PY'
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
whole = lines[:-1]      # the part after the last newline may be torn
for l in whole:
    json.loads(l)
seqs = [json.loads(l)["seq"] for l in whole[1:]]
assert seqs == list(range(len(seqs))), "a gap in the events"
try:
    if lines[-1]:
        json.loads(lines[-1])
except ValueError:
    open(sys.argv[1] + ".torn", "w").close()
PY
then
	pass "kill -9: every whole line is an event, without a gap"
else
	fail "kill -9: a whole line does not parse, or events are missing"
fi
"$MS" export --format txt "$T/$n.jsonl" > "$T/$n.txt" 2> "$T/$n.exerr"
rc=$?
[ "$rc" -eq 0 ] && pass "kill -9: export loads the recording" ||
    fail "kill -9: export exit $rc: $(cat "$T/$n.exerr")"
contains "$T/$n.txt" 'Received: from hostile\.test' "kill -9: the body recorded so far is exported"
if [ ! -e "$T/$n.jsonl.torn" ]; then
	lacks "$T/$n.exerr" 'line [0-9]' "kill -9: a file of whole lines loads without a word"
else
	contains "$T/$n.exerr" "line $(($(wc -l < "$T/$n.jsonl") + 1)): .*\\(the file ends inside this line\\)" \
	    "kill -9: a write cut short is reported at its line"
fi
# A torn write, made: the whole lines, the last of them cut in half.
size=$(wc -c < "$T/$n.jsonl")
tail -c 1 "$T/$n.jsonl" | od -An -c | grep -q '\\n' ||
    size=$((size - $(tail -n 1 "$T/$n.jsonl" | wc -c)))
head -c "$size" "$T/$n.jsonl" > "$T/$n-whole.jsonl"
lines=$(wc -l < "$T/$n-whole.jsonl")
last=$(tail -n 1 "$T/$n-whole.jsonl" | wc -c)
head -c $((size - last / 2)) "$T/$n-whole.jsonl" > "$T/$n-torn.jsonl"
"$MS" export --format txt "$T/$n-torn.jsonl" > "$T/$n-torn.txt" \
    2> "$T/$n-torn.err"
contains "$T/$n-torn.err" "line $lines: .*\\(the file ends inside this line\\); exporting the [0-9]+ events before it" \
    "torn recording: export names line $lines and exports what precedes it"
[ -s "$T/$n-torn.txt" ] && pass "torn recording: the events before are exported" ||
    fail "torn recording: nothing exported"

# F4: a file size limit while recording: "RECORDING STOPPED" on stderr,
# the session itself completes (stdout through a pipe, outside the limit)
# and exits 9: the recording is incomplete.
n=fsize
fake_start "$n" "$CASES/f03-big-retr.case"
rm -f "$T/$n.jsonl"
( ulimit -f 200; "$MS" --batch --timeout 10 --record "$T/$n.jsonl" \
    -c "RETR 1" "pop3://127.0.0.1:$FAKE_PORT" < /dev/null 2> "$T/$n.err";
    echo "exit $?" > "$T/$n.rc" ) | cat > "$T/$n.out"
fake_wait 10 > /dev/null 2>&1
contains "$T/$n.rc" '^exit 9$' "file size limit: the session completes, exit 9 (output lost)"
contains "$T/$n.err" '^mailscope: RECORDING STOPPED: File too large$' "file size limit: RECORDING STOPPED on stderr, with the reason"
[ "$(grep -c 'RECORDING STOPPED' "$T/$n.err")" -eq 1 ] &&
    pass "file size limit: said once" || fail "file size limit: said $(grep -c 'RECORDING STOPPED' "$T/$n.err") times"
contains "$T/$n.out" '^<- \+OK bye$' "file size limit: the session went on to QUIT"
python3 -S "$TOP/tests/caseplay.py" --ctl "$T/$n.err" > /dev/null &&
    pass "file size limit: stderr has no raw control byte" ||
    fail "file size limit: stderr has a raw control byte"

# --- the TUI: escapes from the server never reach the terminal ---------------
n=tui
fake_start "$n" "$CASES/f04-tui-escapes.case"
tui_start "$n" 120 30 "$MS" --timeout 10 "smtp://127.0.0.1:$FAKE_PORT"
title0=$(_tui display-message -p -t "$n" '#{pane_title}')
if tui_wait "$n" 'PWNED-TITLE' 10; then
	pass "tui: the greeting is on screen"
else
	fail "tui: the greeting is not on screen"
fi
tui_screen "$n" > "$T/$n.screen"
contains "$T/$n.screen" '\\e\]0;PWNED-TITLE\\x07\\e\]2;PWNED-TWO\\x07\\e\[31;1mRED\\e\[0m' \
    "tui: OSC title, colour and clear screen shown as text"
contains "$T/$n.screen" 'connected to 127\.0\.0\.1' "tui: earlier lines not cleared away"
title1=$(_tui display-message -p -t "$n" '#{pane_title}')
case $title1 in
*PWNED*) fail "tui: the pane title was changed to '$title1'" ;;
*) [ "$title1" = "$title0" ] && pass "tui: the pane title is unchanged ($title1)" ||
    fail "tui: the pane title changed from '$title0' to '$title1'" ;;
esac
_tui capture-pane -e -p -t "$n" > "$T/$n.attrs"
# "[31;1mRED" stays text: right after a character, never after ESC.
contains "$T/$n.attrs" "[^$(printf '\033')]\\[31;1mRED" \
    "tui: the server's colour sequence is text, not applied"
tui_line "$n" ':quit'
_i=200
while [ -z "$(tui_exit "$n")" ] && [ "$_i" -gt 0 ]; do
	_i=$((_i - 1))
	sleep 0.05
done
if [ "$(tui_exit "$n")" = 0 ]; then
	pass "tui: :quit leaves with exit 0"
else
	fail "tui: exit '$(tui_exit "$n")' after :quit"
	tui_screen "$n" | grep . | tail -n 4 | sed 's/^/	| /'
fi
tui_stop "$n"
fake_wait 10 > /dev/null 2>&1
contains "$FAKE_LOG" '^C: QUIT' "tui: QUIT sent on :quit"
