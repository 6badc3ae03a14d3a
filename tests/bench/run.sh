#!/bin/sh
# SPDX-License-Identifier: ISC
# make bench: mailscope against the tools users would otherwise pick, on
# the same loopback servers, in one run.  Prints one table and writes
# tests/out/bench/bench.json.  Never part of `make check`.
#   MAILSCOPE_BENCH_RUNS        runs per latency figure (default 40: a
#                               session is a few ms, loopback jitter is not)
#   MAILSCOPE_BENCH_BULK_RUNS   runs per bulk figure (default 20)
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
out=$top/tests/out/bench
mkdir -p "$out"
runs=${MAILSCOPE_BENCH_RUNS:-40}
ms=$top/mailscope

tests/servers/start.sh > "$out/servers.log" 2>&1 || {
	echo "bench: test servers did not start (see $out/servers.log)"
	exit 1
}
. tests/out/servers/env
# The big message is the second of alice's INBOX (tests/servers/start.sh).
BIG_MSG_SEQ=2
exec 3> "$out/rows.tsv"

# hyperfine median in ms of a command line; hyperfine runs it through
# bash (for gnutls-cli's input below) and subtracts the shell's start-up.
median() {
	name=$1
	shift
	hyperfine --shell=bash --warmup 2 --runs "$runs" \
	    --export-json "$out/$name.json" \
	    "$@" > "$out/$name.log" 2>&1 || { echo NA; return; }
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["median"]*1000))' "$out/$name.json"
}

row() {	# figure, tool, value, unit, target note
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >&3
}

# ok LABEL PATTERN CMD: run CMD once; true when its output shows the
# session went through (some peers exit 1 when the server closes without
# a TLS close_notify, so their exit status alone says nothing).
ok() {
	ok_label=$1 ok_pat=$2
	shift 2
	bash -c "$*" > "$out/$ok_label.check" 2>&1
	grep -Eq "$ok_pat" "$out/$ok_label.check"
}

# peer FIGURE TOOL LABEL PATTERN CMD: a peer's median, NA with the reason
# when its session did not go through.
peer() {
	p_fig=$1 p_tool=$2 p_label=$3 p_pat=$4 p_cmd=$5
	if ok "$p_label" "$p_pat" "$p_cmd"; then
		row "$p_fig" "$p_tool" "$(median "$p_label" -i "$p_cmd")" ms ""
	else
		row "$p_fig" "$p_tool" NA ms "failed: $(grep . "$out/$p_label.check" | tail -n 1 | cut -c1-60)"
	fi
}

# 1. STARTTLS session latency: connect, greeting, capabilities, STARTTLS,
#    handshake, capabilities again, quit.
lat() {	# label url proto port
	label=$1 url=$2 proto=$3 port=$4
	m=$(median "lat-$label-mailscope" "$ms --batch --starttls --cafile $CA $url < /dev/null")
	row "latency $label" mailscope "$m" ms ""
	case $proto in
	smtp) oq='EHLO bench\nQUIT\n' done='^221' ;;
	imap) oq='b CAPABILITY\nb LOGOUT\n' done='^b OK' ;;
	pop3) oq='CAPA\nQUIT\n' done='^\+OK.*[Ll]ogging out' ;;
	esac
	printf "$oq" > "$out/in-$proto"
	sed 's/$/\r/' "$out/in-$proto" > "$out/in-$proto.crlf"
	peer "latency $label" "openssl s_client" "lat-$label-openssl" "$done" \
	    "openssl s_client -quiet -crlf -starttls $proto -connect 127.0.0.1:$port -CAfile $CA -verify_return_error < $out/in-$proto"
	# gnutls-cli stops at the end of its input, before the last replies:
	# its input stays open (a process substitution nobody waits for)
	# until the server closes.  Its --crlf converts only the end of each
	# read, so the input has CRLF already.
	peer "latency $label" gnutls-cli "lat-$label-gnutls" "$done" \
	    "gnutls-cli --starttls-proto=$proto --x509cafile $CA --port $port 127.0.0.1 < <(cat $out/in-$proto.crlf; sleep 10)"
	if [ "$proto" = smtp ]; then
		peer "latency $label" swaks "lat-$label-swaks" '<~ *221' \
		    "swaks --server 127.0.0.1:$port --tls --tls-verify --tls-ca-path $CA --quit-after HELO < /dev/null"
	fi
}
lat smtp "smtp://127.0.0.1:$SMTP_PORT" smtp "$SMTP_PORT"
lat imap "imap://127.0.0.1:$IMAP_PORT" imap "$IMAP_PORT"
lat pop3 "pop3://127.0.0.1:$POP3_PORT" pop3 "$POP3_PORT"
m=$(median lat-smtps-mailscope "$ms --batch --cafile $CA smtps://127.0.0.1:$SMTPS_PORT < /dev/null")
row "latency smtps (implicit)" mailscope "$m" ms ""
printf 'QUIT\n' > "$out/in-quit"
printf 'QUIT\r\n' > "$out/in-quit.crlf"
peer "latency smtps (implicit)" "openssl s_client" lat-smtps-openssl '^221' \
    "openssl s_client -quiet -crlf -connect 127.0.0.1:$SMTPS_PORT -CAfile $CA -verify_return_error < $out/in-quit"
peer "latency smtps (implicit)" gnutls-cli lat-smtps-gnutls '^221' \
    "gnutls-cli --x509cafile $CA --port $SMTPS_PORT 127.0.0.1 < <(cat $out/in-quit.crlf; sleep 10)"
p=$(median lat-plain-mailscope "$ms --batch smtp://127.0.0.1:$SMTP_PORT < /dev/null")
row "latency smtp plaintext (no TLS)" mailscope "$p" ms ""

# 2. Bulk ingest over STARTTLS: IMAP FETCH and POP3 RETR of the big
#    message, output to a file: the median of $bulkruns runs as MB/s, peak
#    RSS from one more run under time(1).
bulkruns=${MAILSCOPE_BENCH_BULK_RUNS:-20}
bulk() {	# figure tool label command
	fig=$1 tool=$2 label=$3 cmd=$4
	hyperfine -i --warmup 1 --runs "$bulkruns" --export-json "$out/$label.json" \
	    "$cmd > $out/$label.out 2>&1" > "$out/$label.log" 2>&1
	/usr/bin/time -f '%M' -o "$out/$label.rss" sh -c "$cmd" > "$out/$label.out" 2>&1
	python3 tests/bench/bulkrow.py "$out/$label.json" "$out/$label.rss" \
	    "$BIG_MSG_SIZE" "$fig" "$tool" >&3
}
# bulk_set FIGURE PROTO PORT URL COMMANDS INPUT: mailscope without and
# with --record (COMMANDS), and openssl s_client fed INPUT.
bulk_set() {
	bulk "$1" mailscope "bulk-$2-mailscope" \
	    "$ms --batch --starttls --cafile $CA $5 $4"
	bulk "$1" "mailscope --record" "bulk-$2-record" \
	    "rm -f $out/bulk.jsonl; $ms --batch --starttls --cafile $CA --record $out/bulk.jsonl $5 $4"
	bulk "$1" "openssl s_client" "bulk-$2-openssl" \
	    "openssl s_client -quiet -crlf -starttls $2 -connect 127.0.0.1:$3 -CAfile $CA < $6"
}
mb=$((BIG_MSG_SIZE / 1000000))
printf 'a LOGIN %s %s\na SELECT INBOX\na FETCH %s BODY[]\na LOGOUT\n' \
    "$USER" "$PASS" "$BIG_MSG_SEQ" > "$out/in-fetch"
bulk_set "bulk IMAP FETCH $mb MB" imap "$IMAP_PORT" \
    "imap://127.0.0.1:$IMAP_PORT" \
    "-c 'a LOGIN $USER $PASS' -c 'a SELECT INBOX' -c 'a FETCH $BIG_MSG_SEQ BODY[]'" \
    "$out/in-fetch"
printf 'USER %s\nPASS %s\nRETR %s\nQUIT\n' "$USER" "$PASS" "$BIG_MSG_SEQ" > "$out/in-retr"
bulk_set "bulk POP3 RETR $mb MB" pop3 "$POP3_PORT" \
    "pop3://127.0.0.1:$POP3_PORT" \
    "-c 'USER $USER' -c 'PASS $PASS' -c 'RETR $BIG_MSG_SEQ'" "$out/in-retr"

# 3-5. The screen: render cost, idle cost, start-up.
if [ -x tests/bench/tui.sh ]; then
	sh tests/bench/tui.sh "$out" >&3
fi

# 6-7. Fleets (probe --targets) and mx:// latency.
sh tests/bench/fleet.sh "$out" >&3
exec 3>&-

python3 tests/bench/table.py "$out/rows.tsv" "$out/bench.json"
tests/servers/stop.sh > /dev/null 2>&1
exit 0
