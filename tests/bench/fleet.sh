#!/bin/sh
# SPDX-License-Identifier: ISC
# make bench, figures 6-7: fleets and mail domains.  Run by
# tests/bench/run.sh, after the servers are up, as
#   sh tests/bench/fleet.sh OUTDIR
# with stdout going to its rows file; each row is
# "figure<TAB>tool<TAB>value<TAB>unit<TAB>note".  Progress goes to stderr.
#   6. probe --targets: targets per second and peak RSS for 1,000 and
#      10,000 loopback targets (Dovecot IMAPS), against GNU parallel
#      running one `mailscope probe` per target at the same concurrency;
#      and 1,000 SMTP targets (Postfix, STARTTLS) against GNU parallel
#      running one posttls-finger per target.
#   7. mx:// session latency against posttls-finger on the same domain
#      (the signed test zone) and server, the DNS steps included.
#      posttls-finger asks the system's resolver on port 53 only: the
#      bench serves the zone there too (a second NSD on 127.0.0.77) and
#      runs both tools in a mount namespace whose /etc/resolv.conf names
#      it (unshare -m, as root).
#   MAILSCOPE_BENCH_FLEET_JOBS   concurrency (default 32)
#   MAILSCOPE_BENCH_FLEET_SIZES  list sizes of figure 6 (default
#                                "1000 10000"; the 10,000 run under
#                                parallel takes minutes)
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
out=${1:-$top/tests/out/bench}/fleet
rm -rf "$out"
mkdir -p "$out"
ms=$top/mailscope
jobs=${MAILSCOPE_BENCH_FLEET_JOBS:-32}
runs=${MAILSCOPE_BENCH_RUNS:-40}
. tests/out/servers/env

row() {	# figure, tool, value, unit, note
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"
}

# fleet FIGURE TOOL LABEL N CMD: run CMD (a shell line) once under
# time(1); a row of N/seconds targets/s and its peak RSS.  RESULTS is
# how many results the run printed, checked against N.
fleet() {
	f_fig=$1 f_tool=$2 f_label=$3 f_n=$4 f_cmd=$5 f_count=$6
	echo "bench: $f_fig, $f_tool" >&2
	/usr/bin/time -f '%e %M' -o "$out/$f_label.time" \
	    sh -c "$f_cmd" > "$out/$f_label.out" 2> "$out/$f_label.err"
	got=$(sh -c "$f_count" < "$out/$f_label.out")
	# The last line: time(1) says a non-zero exit on a line of its own.
	secs=$(tail -n 1 "$out/$f_label.time" 2> /dev/null | cut -d' ' -f1)
	kib=$(tail -n 1 "$out/$f_label.time" 2> /dev/null | cut -d' ' -f2)
	if [ "$got" != "$f_n" ] || [ -z "${secs:-}" ]; then
		row "$f_fig" "$f_tool" NA targets/s "failed: $got results of $f_n"
		return
	fi
	row "$f_fig" "$f_tool" "$(python3 -c "print('%.0f' % ($f_n / max($secs, 0.01)))")" \
	    targets/s "$secs s; peak RSS $((kib / 1024)) MB$7"
}

list() {	# N URL: the URL N times
	python3 -c 'import sys; sys.stdout.write((sys.argv[2] + "\n") * int(sys.argv[1]))' "$1" "$2"
}

# 6. Fleets.
imaps=imaps://127.0.0.1:$IMAPS_PORT
count_json='grep -c "\"exit\":0}$"'
for n in ${MAILSCOPE_BENCH_FLEET_SIZES:-1000 10000}; do
	list "$n" "$imaps" > "$out/imaps-$n"
	fig="fleet $n IMAPS targets, $jobs at once"
	fleet "$fig" "mailscope probe --targets" "fleet-$n" "$n" \
	    "$ms probe --cafile $CA --json --jobs $jobs --targets $out/imaps-$n" \
	    "$count_json" " (one process)"
	fleet "$fig" "parallel + mailscope probe" "parallel-$n" "$n" \
	    "parallel --will-cite -j $jobs -a $out/imaps-$n $ms probe --cafile $CA --json" \
	    "$count_json" " (of one of the $jobs processes)"
done
n=1000
smtp=127.0.0.1:$SMTP_PORT
list "$n" "smtp://$smtp" > "$out/smtp-$n"
list "$n" "[127.0.0.1]:$SMTP_PORT" > "$out/ptf-$n"
mkdir -p "$out/postfix"
printf 'smtp_tls_CAfile = %s\ndnssec_probe =\n' "$CA" > "$out/postfix/main.cf"
fig="fleet $n SMTP targets (STARTTLS), $jobs at once"
fleet "$fig" "mailscope probe --targets" "fleet-smtp" "$n" \
    "$ms probe --cafile $CA --json --jobs $jobs --targets $out/smtp-$n" \
    'grep -c "\"exit\":8}$"' " (one process); 7 connections a target, one waiting 1.5 s for an injected reply"
fleet "$fig" "parallel + posttls-finger" "ptf-smtp" "$n" \
    "MAIL_CONFIG=$out/postfix parallel --will-cite -j $jobs -a $out/ptf-$n posttls-finger -F $CA {}" \
    'grep -c "TLS connection established"' " (of one of the $jobs processes); one connection a target"

# 7. mx:// latency, the DNS steps included, in a namespace whose
#    resolv.conf names a second NSD on port 53 serving the same zone.
fig="latency mx:// (MX, A, TLSA, DNSSEC; STARTTLS)"
d=$SERVERS_DIR/dns
mkdir -p "$out/nsd"
sed -e "s|127.0.0.1@$DNS_PORT|127.0.0.77@53|" -e "s|port: $DNS_PORT|port: 53|" \
    -e "s|$d/nsd.pid|$out/nsd/nsd.pid|" -e "s|$d/nsd.log|$out/nsd/nsd.log|" \
    -e "s|$d/zone.list|$out/nsd/zone.list|" -e "s|$d/xfrd.state|$out/nsd/xfrd.state|" \
    -e "s|xfrdir: .*|xfrdir: \"$out/nsd\"|" "$d/nsd.conf" > "$out/nsd/nsd.conf"
echo "nameserver 127.0.0.77" > "$out/nsd/resolv.conf"
mxcmd="$ms --batch --cafile $CA --dns $DNS_SERVER --dnssec-anchor $DNS_ANCHOR mx://$DNS_DOMAIN:$SMTP_PORT"
ptfcmd="env MAIL_CONFIG=$out/postfix posttls-finger -F $CA $DNS_DOMAIN:$SMTP_PORT"
if nsd -c "$out/nsd/nsd.conf" 2> "$out/nsd/err" &&
    unshare -m sh -c "mount --bind $out/nsd/resolv.conf /etc/resolv.conf &&
    $mxcmd < /dev/null > $out/mx.check 2>&1 && $ptfcmd > $out/ptf.check 2>&1 &&
    hyperfine -N --warmup 2 --runs $runs --export-json $out/mx.json \
    '$mxcmd' '$ptfcmd' > $out/mx.log 2>&1" &&
    grep -q 'Verified TLS connection established' "$out/ptf.check" &&
    grep -q 'DANE verified' "$out/mx.check"; then
	python3 - "$out/mx.json" "$fig" << 'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
notes = ["DNSSEC-validated MX, A, AAAA, TLSA, _smtp._tls TXT; DANE verified",
         "MX and A through the system's resolver (no DNSSEC: an authoritative server sets no AD bit)"]
for tool, res, note in zip(("mailscope", "posttls-finger"), r, notes):
    print("%s\t%s\t%.2f\tms\t%s" % (sys.argv[2], tool, res["median"] * 1000, note))
PY
else
	row "$fig" mailscope NA ms "failed: $(cat "$out/nsd/err" "$out/mx.log" 2> /dev/null | tail -n 1 | cut -c1-60)"
fi
[ -f "$out/nsd/nsd.pid" ] && kill "$(cat "$out/nsd/nsd.pid")" 2> /dev/null
exit 0
