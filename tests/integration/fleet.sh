#!/bin/sh
# SPDX-License-Identifier: ISC
# probe --targets FILE --jobs N: a list of over a thousand loopback
# targets probed at once on one loop.  Every result present exactly
# once and naming its line, the right outcome for known targets, valid
# JSON Lines, bad lines as results of their own, the worst code as the
# exit code, and peak memory the same for 1,000 and 10,000 targets
# (memory, never time, is asserted).
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE

# peak CMD...: run CMD with stdout in $T/peak.out; print the peak RSS
# of the child in KiB, then its exit status.
peak() {
	python3 -S - "$@" << 'PY'
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    rc = subprocess.call(sys.argv[2:], stdout=out)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)
PY
}

# verify LIST RESULTS EXPECT...: every target line of LIST (not blank,
# not a comment) has exactly one JSON result naming it and its line;
# each EXPECT "PREFIX=EXIT:CHECK" says the exit and first finding's
# check of the targets starting with PREFIX (as stripped).
verify() {
	python3 -S - "$@" << 'PY'
import json, sys
lst, res, expects = sys.argv[1], sys.argv[2], sys.argv[3:]
want = {}
with open(lst, "rb") as f:
    for n, raw in enumerate(f, 1):
        s = raw.rstrip(b"\n").rstrip(b"\r").strip(b" \t")
        if s and not s.startswith(b"#"):
            want[n] = s.decode()
seen = {}
with open(res, encoding="utf-8") as f:
    for l in f:
        o = json.loads(l)
        assert o["line"] not in seen, "line %d twice" % o["line"]
        seen[o["line"]] = o
if set(seen) != set(want):
    sys.exit("missing %s, extra %s" % (sorted(set(want) - set(seen))[:5],
             sorted(set(seen) - set(want))[:5]))
for n, o in seen.items():
    assert o["target"] == want[n], (n, o["target"], want[n])
    for e in expects:
        pre, _, rest = e.partition("=")
        code, _, check = rest.partition(":")
        if want[n].startswith(pre):
            assert o["exit"] == int(code), (n, o)
            assert o["findings"][0]["check"] == check, (n, o)
            break
print(len(seen))
PY
}

# The lab: implicit TLS ports, cheap to probe.
rm -rf "$T/lab"
"$MS" lab --scenario good --keep-certs "$T/lab" > "$T/lab.out" 2>&1 &
lab=$!
for i in $(seq 50); do
	grep -q '^  pop3s' "$T/lab.out" && break
	sleep 0.1
done
lport() {
	sed -n "s/^  $1 *127.0.0.1:\([0-9]*\).*/\1/p" "$T/lab.out"
}
IMAPS=$(lport imaps)
SMTPS=$(lport smtps)

# 1,200 lines: comments, blanks, refused ports, bad URLs, the lab.
python3 -S - "$IMAPS" "$SMTPS" > "$T/list" << 'PY'
import sys
imaps, smtps = sys.argv[1:3]
for i in range(1200):
    k = i % 12
    if k == 0:
        print("# group %d" % i)
    elif k == 1:
        print("")
    elif k == 2:
        print("  imaps://127.0.0.1:%s  " % imaps)
    elif k == 3:
        print("smtps://127.0.0.1:%s\r" % smtps)
    elif k == 4:
        print("not a url %d" % i)
    elif k == 5:
        print("smtp://127.0.0.1:99999")
    else:
        print("smtp://127.0.0.1:1")
PY
peak "$T/lab.json" "$MS" probe --timeout 10 --cafile "$T/lab/ca.pem" \
    --targets "$T/list" --jobs 32 --json > "$T/lab.peak" 2> "$T/lab.err"
read kib rc < "$T/lab.peak"
echo "# 1,000 lab/refused/bad targets, --jobs 32: peak RSS $kib KiB"
[ "$rc" -eq 2 ] && pass "fleet: exits 2, the worst of its targets" ||
    fail "fleet: exits $rc, expected 2"
n=$(verify "$T/list" "$T/lab.json" "imaps=0:greeting" "smtps=0:greeting" \
    "not a url=1:target" "smtp://127.0.0.1:99999=1:target" \
    "smtp://127.0.0.1:1=2:connect" 2> "$T/verify.err")
[ "$n" = 1000 ] && pass "fleet: 1,000 results, each target once, valid JSON, outcomes right" ||
    fail "fleet: results do not match the targets: $(tail -n 1 "$T/verify.err")"
contains "$T/lab.json" '"target":"not a url 4","line":5,"findings":\[\{"id":"target","check":"target","level":"bad","severity":"WARN","finding":"[^"]+"\}\],"exit":1\}' \
    "fleet: a bad line is its own result with its error"
contains "$T/lab.json" '"target":"imaps://127.0.0.1:[0-9]+","line":3,.*"check":"certificate","level":"ok"' \
    "fleet: a lab target verified through --cafile"
[ -s "$T/lab.err" ] && fail "fleet: no progress line off a terminal" ||
    pass "fleet: no progress line off a terminal"

# Text, from standard input: one block per target.
"$MS" probe --timeout 10 --cafile "$T/lab/ca.pem" --targets - --jobs 8 \
    < "$T/list" > "$T/text" 2>&1
c=$(grep -c '^mailscope probe ' "$T/text")
e=$(grep -c '^exit [0-9]' "$T/text")
[ "$c" = 1000 ] && [ "$e" = 1000 ] &&
    pass "fleet from stdin, text: 1,000 results" ||
    fail "fleet from stdin, text: $c results, $e exit lines"

# GNU parallel fans a list out (here to this machine, `:`, twice) and
# merges the JSON Lines, as README shows for several hosts.
if command -v parallel > /dev/null; then
	grep -v '^ *imaps\|^smtps' "$T/list" | parallel --will-cite --pipe \
	    -N 300 --sshlogin 2/: "$MS" probe --targets - --jobs 8 --json \
	    > "$T/parallel.json" 2> "$T/parallel.err"
	n=$(python3 -S -c 'import json, sys
print(sum(1 for l in open(sys.argv[1]) if "exit" in json.loads(l)))' \
	    "$T/parallel.json" 2>> "$T/parallel.err")
	want=$(grep -v '^ *imaps\|^smtps\|^#\|^$' "$T/list" | wc -l)
	[ "$n" = "$want" ] &&
	    pass "GNU parallel --pipe: $want results merged as JSON Lines" ||
	    fail "GNU parallel --pipe: ${n:-no} results of $want"
else
	fail "GNU parallel not installed (tools/deps.sh test)"
fi

# Memory follows --jobs, not the list: 10,000 cheap targets (make
# check's: 11,000 runs cost seconds of CPU the quick loop keeps).
python3 -S - > "$T/list10k" << 'PY'
for i in range(10000):
    print("smtp://127.0.0.1:1" if i % 4 else "bad line %d" % i)
PY
head -n 1000 "$T/list10k" > "$T/list1k"
if [ -z "${MAILSCOPE_QUICK:-}" ]; then
peak "$T/1k.json" "$MS" probe --targets "$T/list1k" --jobs 32 --json > "$T/1k.peak"
peak "$T/10k.json" "$MS" probe --targets "$T/list10k" --jobs 32 --json > "$T/10k.peak"
read k1 rc1 < "$T/1k.peak"
read k10 rc10 < "$T/10k.peak"
echo "# peak RSS, --jobs 32: 1,000 targets $k1 KiB, 10,000 targets $k10 KiB"
[ "$(wc -l < "$T/10k.json")" -eq 10000 ] && [ "$rc10" -eq 2 ] &&
    pass "10,000 targets: 10,000 results, exit 2" ||
    fail "10,000 targets: $(wc -l < "$T/10k.json") results, exit $rc10"
[ "$k10" -lt $((k1 * 5 / 4)) ] &&
    pass "memory flat: 10,000 targets peak within 25 % of 1,000 ($k10 vs $k1 KiB)" ||
    fail "memory grows with the list: $k10 KiB for 10,000, $k1 KiB for 1,000"
fi

# ASan and its leak check over a fleet that connects, fails and errs
# (a memory checker's re-run: make check's).
if [ -x "$ASAN_MAILSCOPE" ] && [ -z "${MAILSCOPE_QUICK:-}" ]; then
	head -n 240 "$T/list" > "$T/list240"
	"$ASAN_MAILSCOPE" probe --timeout 10 --cafile "$T/lab/ca.pem" \
	    --targets "$T/list240" --jobs 16 --json > "$T/asan.json" 2> "$T/asan.err"
	rc=$?
	[ "$rc" -eq 2 ] && ! grep -q 'Sanitizer' "$T/asan.err" &&
	    pass "ASan: a fleet without errors or leaks" ||
	    fail "ASan: exit $rc, $(grep -m1 Sanitizer "$T/asan.err")"
fi

# On a terminal (script(1) gives it one) a progress line on stderr.
script -qec "'$MS' probe --targets '$T/list1k' --jobs 16 > /dev/null" \
    /dev/null > "$T/tty" 2>&1
contains "$T/tty" 'probe: [0-9]+/[0-9]+ done, [0-9]+ failed' \
    "on a terminal: a progress line"

# What does not combine, and bad values: usage errors before anything.
expect_exit 1 "--targets with a URL: usage error" \
    "$MS" probe --targets "$T/list" smtp://127.0.0.1:1
expect_exit 1 "--auth with --targets: refused" \
    "$MS" probe --auth alice --targets "$T/list"
expect_exit 1 "--jobs without --targets: usage error" \
    "$MS" probe --jobs 4 smtp://127.0.0.1:1
expect_exit 1 "--jobs 0: usage error" "$MS" probe --jobs 0 --targets "$T/list"
expect_exit 1 "--jobs 257: usage error" "$MS" probe --jobs 257 --targets "$T/list"
expect_exit 1 "a missing target file: usage error" \
    "$MS" probe --targets "$T/no-such-file"
contains "$T/last.out" 'no-such-file: No such file' "a missing target file: said"
printf '# nothing\n\n' > "$T/empty"
expect_exit 0 "an empty list: exit 0" "$MS" probe --targets "$T/empty"
kill "$lab" 2> /dev/null
wait "$lab" 2> /dev/null

need_servers

# The real servers: the outcomes the single probe gives, side by side.
cat > "$T/servers" << LIST
imaps://127.0.0.1:$IMAPS_PORT
pop3s://127.0.0.1:$POP3S_PORT
smtp://127.0.0.1:$NOTLS_PORT
smtp://127.0.0.1:$EXPIRED_PORT
smtp://127.0.0.1:$SMTP_PORT
LIST
for i in $(seq 40); do
	echo "imaps://127.0.0.1:$IMAPS_PORT"
	echo "pop3s://127.0.0.1:$POP3S_PORT"
done >> "$T/servers"
"$MS" probe --timeout 10 --cafile "$CA" --targets "$T/servers" --jobs 16 \
    --json > "$T/servers.json" 2>&1
rc=$?
[ "$rc" -eq 3 ] && pass "servers: exits 3 (no STARTTLS is the worst)" ||
    fail "servers: exits $rc, expected 3"
n=$(verify "$T/servers" "$T/servers.json" \
    "imaps=0:greeting" "pop3s=0:greeting" \
    "smtp://127.0.0.1:$NOTLS_PORT=3:greeting" \
    "smtp://127.0.0.1:$EXPIRED_PORT=5:greeting" \
    "smtp://127.0.0.1:$SMTP_PORT=8:greeting" 2> "$T/verify.err")
[ "$n" = 85 ] && pass "servers: 85 results, each right (0, 3, 5, 8)" ||
    fail "servers: $(tail -n 1 "$T/verify.err")"
contains "$T/servers.json" '"line":4,.*"check":"certificate","level":"bad","severity":"HIGH","finding":"NOT verified: expired' \
    "servers: the expired certificate said"
contains "$T/servers.json" '"line":5,.*"check":"command-injection","level":"ok"' \
    "servers: the STARTTLS steps run for a target of a list"
