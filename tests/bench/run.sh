#!/bin/sh
# make bench: mailscope against the tools users would otherwise pick, on
# the same loopback servers, in one run.  Prints one table and writes
# tests/out/bench/bench.json.  Never part of `make check`.
#   MAILSCOPE_BENCH_RUNS   runs per latency figure (default 20)
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
out=$top/tests/out/bench
mkdir -p "$out"
runs=${MAILSCOPE_BENCH_RUNS:-20}
ms=$top/mailscope

tests/servers/start.sh > "$out/servers.log" 2>&1 || {
	echo "bench: test servers did not start (see $out/servers.log)"
	exit 1
}
. tests/out/servers/env
# The big message is the second of alice's INBOX (tests/servers/start.sh).
BIG_MSG_SEQ=2
exec 3> "$out/rows.tsv"

# hyperfine median in ms of a command line; hyperfine runs it through the
# shell and subtracts the shell's own start-up.
median() {
	name=$1
	shift
	hyperfine --warmup 2 --runs "$runs" --export-json "$out/$name.json" \
	    "$@" > "$out/$name.log" 2>&1 || { echo NA; return; }
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["median"]*1000))' "$out/$name.json"
}

row() {	# figure, tool, value, unit, target note
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >&3
}

# 1. STARTTLS session latency: connect, greeting, capabilities, STARTTLS,
#    handshake, capabilities again, quit.
lat() {	# label url peer-args...
	label=$1 url=$2 proto=$3 port=$4
	m=$(median "lat-$label-mailscope" "$ms --batch --starttls --cafile $CA $url < /dev/null")
	row "latency $label" mailscope "$m" ms ""
	case $proto in
	smtp) oq='EHLO bench\nQUIT\n' ;;
	imap) oq='b CAPABILITY\nb LOGOUT\n' ;;
	pop3) oq='CAPA\nQUIT\n' ;;
	esac
	printf "$oq" > "$out/in-$proto"
	o=$(median "lat-$label-openssl" \
	    "openssl s_client -quiet -crlf -starttls $proto -connect 127.0.0.1:$port -CAfile $CA -verify_return_error < $out/in-$proto")
	row "latency $label" "openssl s_client" "$o" ms ""
	g=$(median "lat-$label-gnutls" \
	    "gnutls-cli --starttls-proto=$proto --x509cafile $CA --port $port 127.0.0.1 < $out/in-$proto")
	row "latency $label" gnutls-cli "$g" ms ""
	if [ "$proto" = smtp ]; then
		s=$(median "lat-$label-swaks" "swaks --server 127.0.0.1:$port --tls --tls-verify --tls-ca-path $CA --quit-after HELO --silent 3 < /dev/null")
		row "latency $label" swaks "$s" ms ""
	fi
}
lat smtp "smtp://127.0.0.1:$SMTP_PORT" smtp "$SMTP_PORT"
lat imap "imap://127.0.0.1:$IMAP_PORT" imap "$IMAP_PORT"
lat pop3 "pop3://127.0.0.1:$POP3_PORT" pop3 "$POP3_PORT"
m=$(median lat-smtps-mailscope "$ms --batch --cafile $CA smtps://127.0.0.1:$SMTPS_PORT < /dev/null")
row "latency smtps (implicit)" mailscope "$m" ms ""
printf 'QUIT\n' > "$out/in-quit"
o=$(median lat-smtps-openssl "openssl s_client -quiet -crlf -connect 127.0.0.1:$SMTPS_PORT -CAfile $CA -verify_return_error < $out/in-quit")
row "latency smtps (implicit)" "openssl s_client" "$o" ms ""
p=$(median lat-plain-mailscope "$ms --batch smtp://127.0.0.1:$SMTP_PORT < /dev/null")
row "latency smtp plaintext (no TLS)" mailscope "$p" ms ""

# 2. Bulk ingest: FETCH of the big message over STARTTLS.
bulk() {	# label command...
	label=$1
	shift
	/usr/bin/time -f '%e %M' -o "$out/bulk-$label.time" "$@" \
	    > "$out/bulk-$label.out" 2> "$out/bulk-$label.err"
	read -r secs kb < "$out/bulk-$label.time"
	mbs=$(python3 -c "print('%.1f' % ($BIG_MSG_SIZE / 1e6 / max($secs, 0.001)))")
	row "bulk IMAP FETCH $((BIG_MSG_SIZE / 1000000)) MB" "$label" "$mbs" MB/s "peak RSS $((kb / 1024)) MB"
}
fetch="-c 'a LOGIN $USER $PASS' -c 'a SELECT INBOX' -c 'a FETCH $BIG_MSG_SEQ BODY[]'"
bulk mailscope sh -c "$ms --batch --starttls --cafile $CA $fetch imap://127.0.0.1:$IMAP_PORT"
rm -f "$out/bulk.jsonl"
bulk "mailscope --record" sh -c "$ms --batch --starttls --cafile $CA --record $out/bulk.jsonl $fetch imap://127.0.0.1:$IMAP_PORT"
printf 'a LOGIN %s %s\na SELECT INBOX\na FETCH %s BODY[]\na LOGOUT\n' \
    "$USER" "$PASS" "$BIG_MSG_SEQ" > "$out/in-fetch"
bulk "openssl s_client" sh -c "openssl s_client -quiet -crlf -starttls imap -connect 127.0.0.1:$IMAP_PORT -CAfile $CA < $out/in-fetch"

# 3-5. The screen: render cost, idle cost, start-up.
if [ -x tests/bench/tui.sh ]; then
	sh tests/bench/tui.sh "$out" >&3
fi
exec 3>&-

python3 tests/bench/table.py "$out/rows.tsv" "$out/bench.json"
tests/servers/stop.sh > /dev/null 2>&1
exit 0
