#!/bin/sh
# mailscope against hostile servers: every tests/hostile/*.case is played
# by tests/fakeserver.py on loopback while mailscope --batch (and --json,
# and for some the ASan build or valgrind) talks to it.  The case file
# holds both the server script and, in "#> " lines, what mailscope must do:
#
#   #> url SCHEME          smtp, imap, pop3, smtps, ... (port added here)
#   #> args ARGS           mailscope options (eval'd: $H_CA, $H_DIR ...)
#   #> cmd LINE            a command line for --script (repeatable)
#   #> cmdrepeat N LINE    N times LINE in --script (in order with cmd)
#   #> timeout SECONDS     mailscope --timeout (default 3)
#   #> exit N              exit code of every run
#   #> has ERE / lacks ERE batch text output (stdout) matches / does not
#   #> err ERE             stderr of the text run matches
#   #> json PYTHON         an expression over the --json run (see jcheck)
#   #> log ERE / nolog ERE the fake server's log of the text run
#   #> export ERE          every export format of the --json capture has no
#                          control byte and matches ERE
#   #> secret TEXT         TEXT and its base64 are nowhere: not in the text
#                          and --json runs, not in a --record of the latter,
#                          not in any export of that recording
#   #> rss KB              peak RSS of the text run at most KB
#   #> asan / valgrind     one more run with build-asan/mailscope / under
#                          valgrind memcheck: same exit code, no error
#   #> manual              played by a section below, not by the loop
#   #> heavy               tens of megabytes through the engine: played by
#                          make check, left out of make test's quick loop
#   #> novalgrind          left out of make check-valgrind (too slow under
#                          memcheck for its own timeout)
# Under make check-valgrind (MAILSCOPE_VALGRIND set) the rss checks are
# left out: they would measure valgrind.
#
# Every text output, stderr and export is also checked for raw control
# bytes (C0 but TAB/LF, DEL, C1, invalid UTF-8, bidi/invisible format
# characters): the sanitizer is the one gate to the terminal.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
CASES=$TOP/tests/hostile
H_DIR=$T/certs
H_CA=$H_DIR/ca.pem
export H_DIR H_CA

# --- helpers (written once by the whole run, used by every case) ----------
# Written before the cases start, never while one runs: a case reading
# a helper another case is rewriting would check nothing.
helpers() {
cat > "$T/ctl.py" << 'EOF'
# ctl.py FILE...: exit 1 (and say where) if a file holds a byte a terminal
# could act on.
import re, sys, unicodedata
# Only characters other than TAB, LF and printable ASCII can be bad: the
# regex finds them at C speed in outputs of tens of megabytes.
other = re.compile("[^\t\n\x20-\x7e]")
bad = 0
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print("%s: invalid UTF-8 at %d" % (path, e.start))
        bad = 1
        continue
    for m in other.finditer(text):
        ch = m.group()
        o = ord(ch)
        if o < 32 or 0x7f <= o <= 0x9f or \
                unicodedata.category(ch) == "Cf" or o in (0x2028, 0x2029):
            print("%s: raw U+%04X at char %d" % (path, o, m.start()))
            bad = 1
            break
sys.exit(bad)
EOF
cat > "$T/jcheck.py" << 'EOF'
# jcheck.py CASE JSONFILE < EXPRS: evaluate each expression (one a line)
# over the events of a --json run; one PASS or FAIL line for each, as ck
# prints them.  One process for all of a case's expressions.
import base64, json, sys
name, path = sys.argv[1], sys.argv[2]
exprs = [l.rstrip("\n") for l in sys.stdin if l.rstrip("\n")]
try:
    lines = [json.loads(l) for l in open(path, encoding="utf-8")]
    hdr, trl = lines[0], lines[-1]
    ev = [l for l in lines[1:] if "kind" in l]
    err = None
except Exception as e:
    err = "%s: %s" % (path, e)
def data(e):
    return e["text"].encode() if "text" in e else base64.b64decode(e["b64"])
def kind(k):
    return [e for e in ev if e["kind"] == k]
def flag(f, k="data"):
    return [e for e in ev if e["kind"] == k and f in e.get("flags", [])]
def code(c):
    return [e for e in ev if e.get("code") == c]
def srv(chan=None):
    return [e for e in ev if e["kind"] == "data" and e["dir"] == "server"
            and (chan is None or e["chan"] == chan)]
def cli(chan=None):
    return [e for e in ev if e["kind"] == "data" and e["dir"] == "client"
            and (chan is None or e["chan"] == chan)]
def text(e):
    return data(e).decode("latin-1")
if err is None:
    close = [text(e) for e in kind("close")]
for x in exprs:
    why = err
    if why is None:
        try:
            why = None if eval(x) else "false: " + x
        except Exception as e:
            why = "%s: %s" % (type(e).__name__, e)
    print("%s: %s: json: %s" % ("FAIL" if why else "PASS", name, x))
    if why:
        print("\t| " + why)
EOF
cat > "$T/nosecret.py" << 'EOF'
# nosecret.py SECRET FILE...: exit 1 (and say where) if SECRET or its
# base64 (with or without padding) is in a file, or in the data of an
# event of a recording (base64 there when not UTF-8).
import base64, json, sys
s = sys.argv[1].encode()
b = base64.b64encode(s)
forms = sorted({s, b, b.rstrip(b"=")})
bad = 0
for path in sys.argv[2:]:
    raw = open(path, "rb").read()
    blobs = [raw]
    for l in raw.split(b"\n"):
        try:
            e = json.loads(l)
        except ValueError:
            continue
        if isinstance(e, dict) and "b64" in e:
            blobs.append(base64.b64decode(e["b64"]))
    for blob in blobs:
        for f in forms:
            if f in blob:
                print("%s: holds %s" % (path, f.decode()))
                bad = 1
                break
sys.exit(bad)
EOF
}

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

# --- one case ----------------------------------------------------------------
# directive NAME CASE: the arguments of every "#> NAME " line, one a line.
directive() {
	sed -n "s/^#> $1 //p" "$2"
}

has_directive() {
	grep -q "^#> $1\( \|\$\)" "$2"
}

# The fake server of the whole run: one tests/fakeserver.py --serve that
# every case asks for a play on a fresh port (FAKE_CTL, its request fifo,
# is passed on to the cases side by side).  Python starts once, not twice
# per case.
fake_serve() {
	FAKE_CTL=$T/fake.ctl.$$
	rm -f "$FAKE_CTL"
	mkfifo "$FAKE_CTL" || return 1
	python3 -S "$TOP/tests/fakeserver.py" --serve "$FAKE_CTL" \
	    2> "$T/fake.err" &
	FAKE_SERVER=$!
	export FAKE_CTL
}

fake_unserve() {
	echo QUIT > "$FAKE_CTL"
	wait "$FAKE_SERVER"
	rm -f "$FAKE_CTL"
}

# mrun CASE NAME PROG...: play CASE on a fresh port of the fake server
# and run PROG (mailscope and its arguments, URL appended) against it.
# Output in $T/NAME.out and $T/NAME.err, exit code in RC, server log
# $T/NAME.log.  The limits on both sides grow with the case's --timeout
# ($_tmo).  The server answers on the fifo $T/NAME.fifo: the port,
# then DONE once the connection is over.
mrun() {
	_case=$1
	_name=$2
	shift 2
	_fifo=$T/$_name.fifo
	rm -f "$_fifo" "$T/$_name.log"
	mkfifo "$_fifo"
	# Both ends held here: the open never blocks, and a server gone
	# leaves a read that the timeout ends.
	exec 3<> "$_fifo"
	echo "PLAY $_fifo $T/$_name.log $((_tmo + 40)) $_case" > "$FAKE_CTL"
	_ans=$(timeout 10 sh -c 'read -r a && echo "$a"' <&3)
	case $_ans in
	"PORT "*)
		FAKE_PORT=${_ans#PORT } ;;
	*)
		RC=255
		echo "fake server did not start: ${_ans:-no answer}" \
		    > "$T/$_name.err"
		: > "$T/$_name.out"
		exec 3>&-
		rm -f "$_fifo"
		return ;;
	esac
	timeout $((_tmo + 60)) "$@" --script "$T/$_cname.script" \
	    "$_url://127.0.0.1:$FAKE_PORT" < /dev/null > "$T/$_name.out" \
	    2> "$T/$_name.err" 3>&-
	RC=$?
	timeout $((_tmo + 45)) sh -c 'read -r a' <&3
	exec 3>&-
	rm -f "$_fifo"
}

# ck WHAT CMD...: assertion for a case, without touching last.out.
ck() {
	_what=$1
	shift
	# printf, not echo: the descriptions hold backslashes.
	if "$@" > "$T/$_cname.ck" 2>&1; then
		printf 'PASS: %s: %s\n' "$_cname" "$_what"
	else
		printf 'FAIL: %s: %s\n' "$_cname" "$_what"
		sed 's/^/	| /' "$T/$_cname.ck" | head -n 5
	fi
}

rc_is() {
	[ "$1" -eq "$2" ] || { echo "exit $1"; tail -n 4 "$3"; return 1; }
}

run_case() {
	_c=$1
	_cname=$(basename "$_c" .case)
	_url=$(directive url "$_c")
	_want=$(directive exit "$_c")
	_tmo=$(directive timeout "$_c")
	_tmo=${_tmo:-3}
	awk '/^#> cmd / { print substr($0, 8) }
	    /^#> cmdrepeat / { t = $0; sub(/^#> cmdrepeat [0-9]+ /, "", t)
		for (i = 0; i < $3; i++) print t }' "$_c" > "$T/$_cname.script"
	eval "set -- $(directive args "$_c")"
	set -- --batch --timeout "$_tmo" "$@"

	# The text run, with its peak RSS.
	mrun "$_c" "$_cname" /usr/bin/time -f %M -o "$T/$_cname.rss" \
	    "$MS" "$@"
	_out=$T/$_cname.out
	ck "exit $_want" rc_is "$RC" "$_want" "$_out"
	ck "no raw control byte on stdout or stderr" \
	    python3 -S "$T/ctl.py" "$_out" "$T/$_cname.err"
	while IFS= read -r _re; do
		[ -n "$_re" ] && ck "shows /$_re/" grep -Eq -- "$_re" "$_out"
	done << EOF
$(directive has "$_c")
EOF
	while IFS= read -r _re; do
		[ -n "$_re" ] && ck "never /$_re/" sh -c \
		    '! grep -Eq -- "$1" "$2"' - "$_re" "$_out"
	done << EOF
$(directive lacks "$_c")
EOF
	while IFS= read -r _re; do
		[ -n "$_re" ] && ck "stderr /$_re/" grep -Eq -- "$_re" \
		    "$T/$_cname.err"
	done << EOF
$(directive err "$_c")
EOF
	while IFS= read -r _re; do
		[ -n "$_re" ] && ck "server saw /$_re/" grep -Eq -- "$_re" \
		    "$T/$_cname.log"
	done << EOF
$(directive log "$_c")
EOF
	while IFS= read -r _re; do
		[ -n "$_re" ] && ck "server never saw /$_re/" sh -c \
		    '! grep -Eq -- "$1" "$2"' - "$_re" "$T/$_cname.log"
	done << EOF
$(directive nolog "$_c")
EOF
	_rss=$(directive rss "$_c")
	if [ -n "$_rss" ] && [ -z "${MAILSCOPE_VALGRIND:-}" ]; then
		_got=$(tail -n 1 "$T/$_cname.rss")
		ck "peak RSS ${_got:-?} KB <= $_rss KB" \
		    test "${_got:-999999999}" -le "$_rss"
	fi

	# The --json run: event kinds, flags and codes; then the exports.
	_rec=
	has_directive secret "$_c" && _rec=$T/$_cname.rec.jsonl
	if has_directive json "$_c" || has_directive export "$_c" ||
	    [ -n "$_rec" ]; then
		rm -f "$_rec"
		mrun "$_c" "$_cname-json" "$MS" "$@" --json \
		    ${_rec:+--record "$_rec"}
		_j=$T/$_cname-json.out
		ck "json: exit $_want" rc_is "$RC" "$_want" "$_j"
		directive json "$_c" |
		    python3 -S "$T/jcheck.py" "$_cname" "$_j"
		_ere=$(directive export "$_c")
		if [ -n "$_ere" ]; then
			for _fmt in txt md html; do
				"$MS" export --format "$_fmt" -o \
				    "$T/$_cname.$_fmt" "$_j" \
				    > "$T/$_cname.export.err" 2>&1
				ck "export $_fmt: no raw control byte" \
				    python3 -S "$T/ctl.py" "$T/$_cname.$_fmt"
				ck "export $_fmt: shows /$_ere/" grep -Eq -- \
				    "$_ere" "$T/$_cname.$_fmt"
			done
		fi
	fi
	while IFS= read -r _s; do
		[ -n "$_s" ] || continue
		_in="$_out $T/$_cname.err $T/$_cname-json.out $_rec"
		for _fmt in txt md html; do
			"$MS" export --format "$_fmt" -o \
			    "$T/$_cname.rec.$_fmt" "$_rec" \
			    > "$T/$_cname.export.err" 2>&1
			_in="$_in $T/$_cname.rec.$_fmt"
		done
		# shellcheck disable=SC2086
		ck "secret $_s: in no output, recording or export" \
		    python3 -S "$T/nosecret.py" "$_s" $_in
	done << EOF
$(directive secret "$_c")
EOF
	# The memory checkers' re-runs are make check's; make test keeps to
	# the quick loop.
	if has_directive asan "$_c" && [ -z "${MAILSCOPE_QUICK:-}" ]; then
		mrun "$_c" "$_cname-asan" "$ASAN_MAILSCOPE" "$@"
		ck "asan: exit $_want" rc_is "$RC" "$_want" "$T/$_cname-asan.err"
		ck "asan: no sanitizer report" sh -c '! grep -Eq \
		    "ERROR: (Address|Leak)Sanitizer|runtime error" "$1"' - \
		    "$T/$_cname-asan.err"
	fi
	if has_directive valgrind "$_c" && [ -z "${MAILSCOPE_QUICK:-}" ]; then
		mrun "$_c" "$_cname-vg" valgrind -q --error-exitcode=99 \
		    --leak-check=full --errors-for-leak-kinds=definite \
		    "$MS" "$@"
		ck "valgrind: exit $_want, no memcheck error" rc_is "$RC" \
		    "$_want" "$T/$_cname-vg.err"
	fi
}

# "--case FILE": one case (the loop below runs them side by side).
if [ "${1:-}" = --case ]; then
	[ -s "$T/nosecret.py" ] || helpers
	[ -s "$H_DIR/weird.pem" ] || mkcerts
	if [ -n "${FAKE_CTL:-}" ]; then
		run_case "$2"
	else
		fake_serve && run_case "$2"
		fake_unserve
	fi
	exit 0
fi

if [ ! -x "$ASAN_MAILSCOPE" ]; then
	fail "hostile: $ASAN_MAILSCOPE missing (make build-asan/mailscope)"
fi
helpers
if mkcerts; then
	pass "hostile: test CA and certificates made with certtool"
else
	fail "hostile: certificates could not be made"
	exit 1
fi

# --- the cases, side by side ------------------------------------------------------
mkdir -p "$T/res"
rm -f "$T/res"/*
# Cases wait on timeouts as much as they compute: more at once when quick.
jobs=4
[ -n "${MAILSCOPE_QUICK:-}" ] && jobs=6
for c in "$CASES"/*.case; do
	has_directive manual "$c" && continue
	[ -n "${MAILSCOPE_QUICK:-}" ] && has_directive heavy "$c" && continue
	[ -n "${MAILSCOPE_VALGRIND:-}" ] && has_directive novalgrind "$c" &&
	    continue
	echo "$c"
done > "$T/cases"
if fake_serve; then
	xargs -P "$jobs" -I {} sh -c 'sh "$1" --case "$2" > "$3/res/$(basename "$2").res" 2>&1' - "$0" {} "$T" < "$T/cases"
	fake_unserve
else
	fail "hostile: no fifo for the fake server"
fi
for r in "$T/res"/*.res; do
	cat "$r"
done

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
	contains "$T/$n.jsonl" '^\{"end":"[^"]*","reason":"signal","events":[0-9]+\}$' \
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
# the session itself completes (stdout through a pipe, outside the limit).
n=fsize
fake_start "$n" "$CASES/f03-big-retr.case"
rm -f "$T/$n.jsonl"
( ulimit -f 200; "$MS" --batch --timeout 10 --record "$T/$n.jsonl" \
    -c "RETR 1" "pop3://127.0.0.1:$FAKE_PORT" < /dev/null 2> "$T/$n.err";
    echo "exit $?" > "$T/$n.rc" ) | cat > "$T/$n.out"
fake_wait 10 > /dev/null 2>&1
contains "$T/$n.rc" '^exit 0$' "file size limit: the session completes (exit 0)"
contains "$T/$n.err" '^mailscope: RECORDING STOPPED: File too large$' "file size limit: RECORDING STOPPED on stderr, with the reason"
[ "$(grep -c 'RECORDING STOPPED' "$T/$n.err")" -eq 1 ] &&
    pass "file size limit: said once" || fail "file size limit: said $(grep -c 'RECORDING STOPPED' "$T/$n.err") times"
contains "$T/$n.out" '^<- \+OK bye$' "file size limit: the session went on to QUIT"
python3 -S "$T/ctl.py" "$T/$n.err" > /dev/null &&
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
tui_keys "$n" -l ':quit'
tui_keys "$n" Enter
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
