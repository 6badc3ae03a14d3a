#!/bin/sh
# SPDX-License-Identifier: ISC
# The handout: lab sessions (inject-response, strip) recorded in batch
# and exported as HTML and Markdown.  The HTML is well-formed and its
# SVGs parse; every line of each capability list is its own arrow;
# injected bytes have their own arrow; no text of a diagram is wider than
# its box (each line's textLength against the characters it holds at the
# font's 0.6 em, and against the box it is drawn in); a legend, one
# section per connection with a page break between them in print, A4;
# --explain puts the glosses under the lines.  With headless Chromium:
# a screenshot that is not blank and a PDF of A4 pages.  Then the ladder
# pane in tmux at 100x30 and 200x60, a note wrapped there without a
# character lost.
set -u
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
rm -f "$T"/*.jsonl "$T"/*.html "$T"/*.md "$T"/*.png "$T"/*.pdf

# The two lessons, recorded as a student would run them.
"$MS" --batch --lab inject-response --allow-injection \
    --record "$T/inject.jsonl" -c 'EHLO student.test' -c STARTTLS \
    -c 'EHLO student.test' -c QUIT < /dev/null > "$T/inject.out" 2>&1
contains "$T/inject.out" '^!! 250-evil\.example injected' "inject-response: the injected bytes seen in batch"
"$MS" --batch --lab strip --record "$T/strip.jsonl" -c 'EHLO student.test' \
    -c STARTTLS < /dev/null > "$T/strip.out" 2>&1
contains "$T/strip.out" '^<- 250-XXXXXXXA' "strip: the overwritten capability seen in batch"
# Both sessions in one recording, one after the other: two connections.
python3 - "$T/inject.jsonl" "$T/strip.jsonl" > "$T/both.jsonl" <<'EOF'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
ev = [d for d in a + b if "seq" in d]
for i, d in enumerate(ev):
    d["seq"] = i
trailer = dict(a[-1], events=len(ev))
for d in [a[0]] + ev + [trailer]:
    print(json.dumps(d))
EOF

for f in inject strip both; do
	"$MS" export --format html --explain "$T/$f.jsonl" -o "$T/$f.html" 2> "$T/$f.err"
	rc=$?
	[ "$rc" -eq 0 ] && pass "$f: export html exits 0" || fail "$f: export html exit $rc"
	"$MS" export --format md --explain "$T/$f.jsonl" -o "$T/$f.md" 2>> "$T/$f.err"
	if xmllint --noout "$T/$f.html" 2> "$T/$f.xmllint"; then
		pass "$f: the HTML is well-formed XML"
	else
		fail "$f: xmllint: $(head -n 2 "$T/$f.xmllint")"
	fi
done
"$MS" export --format html "$T/inject.jsonl" -o "$T/plain.html" 2> /dev/null
"$MS" export --format md "$T/inject.jsonl" -o "$T/plain.md" 2> /dev/null

# The diagram, read as a browser would: every text in its box.
cat > "$T/svgcheck.py" <<'EOF'
import html.parser, sys, xml.etree.ElementTree as ET

CHAR = 7.2          # 12 px monospace, 0.6 em a character
S = "{http://www.w3.org/2000/svg}"
doc = ET.parse(sys.argv[1]).getroot()
svgs = doc.findall(".//" + S + "svg")
errors, texts = [], 0
labels = []
for svg in svgs:
    width = float(svg.get("width"))
    for g in svg.iter(S + "g"):
        rect = g.find(S + "rect")
        line = g.find(S + "line")
        if rect is not None:
            left = float(rect.get("x"))
            right = left + float(rect.get("width"))
        elif line is not None:
            xs = [float(line.get("x1")), float(line.get("x2"))]
            left, right = min(xs), max(xs)
        else:
            left, right = 0, width
        for t in g.findall(S + "text"):
            texts += 1
            s = t.text or ""
            labels.append(s)
            x = float(t.get("x"))
            tl = t.get("textLength")
            if tl is None:
                errors.append("no textLength: %r" % s)
                continue
            tl = float(tl)
            if abs(tl - len(s) * CHAR) > 0.05:
                errors.append("textLength %.1f for %d characters: %r" %
                              (tl, len(s), s))
            if x < left or x + tl > right or x + tl > width:
                errors.append("%r from %.1f to %.1f, its box %.1f to %.1f" %
                              (s, x, x + tl, left, right))
# The same page through the HTML parser too.
class P(html.parser.HTMLParser):
    pass
P().feed(open(sys.argv[1]).read())
mode = sys.argv[2]
if mode == "boxes":
    for e in errors:
        print(e)
    print("%d svg, %d texts" % (len(svgs), texts))
    sys.exit(1 if errors or texts == 0 else 0)
# labels: print each text of the diagrams, one a line
for s in labels:
    print(s)
EOF
for f in inject strip both; do
	if python3 "$T/svgcheck.py" "$T/$f.html" boxes > "$T/$f.boxes" 2>&1; then
		pass "$f: no text wider than its box ($(tail -n 1 "$T/$f.boxes"))"
	else
		fail "$f: text outside its box: $(head -n 3 "$T/$f.boxes")"
	fi
	python3 "$T/svgcheck.py" "$T/$f.html" labels > "$T/$f.labels" 2>&1
done
# A line too long for the arrow is wrapped, not cut: a hostile greeting.
python3 - "$T/inject.jsonl" > "$T/long.jsonl" <<'EOF'
import json, sys
done = False
for l in open(sys.argv[1]):
    d = json.loads(l)
    if not done and d.get("kind") == "data" and d.get("dir") == "server":
        d["text"] = "220 " + "wide-" * 60 + "END"
        d["len"] = len(d["text"])
        done = True
    print(json.dumps(d))
EOF
"$MS" export --format html "$T/long.jsonl" -o "$T/long.html" 2> /dev/null
if python3 "$T/svgcheck.py" "$T/long.html" boxes > "$T/long.boxes" 2>&1; then
	pass "a 300-character line: no text wider than its box"
else
	fail "a 300-character line: $(head -n 3 "$T/long.boxes")"
fi
python3 "$T/svgcheck.py" "$T/long.html" labels > "$T/long.labels"
contains "$T/long.labels" 'END$' "a 300-character line: wrapped to its end, never cut"

# A run of spaces is drawn as it is (a :ports note lines up its
# columns): kept by the drawing, or a browser collapses it and stretches
# the rest to textLength.
python3 - "$T/inject.jsonl" > "$T/spaces.jsonl" <<'EOF'
import json, sys
done = False
for l in open(sys.argv[1]):
    d = json.loads(l)
    if not done and d.get("kind") == "info":
        d["kind"] = "note"
        d["text"] = "  smtp        127.0.0.1:42717  (the lab's port)"
        d["len"] = len(d["text"])
        done = True
    print(json.dumps(d))
EOF
"$MS" export --format html "$T/spaces.jsonl" -o "$T/spaces.html" 2> /dev/null
python3 "$T/svgcheck.py" "$T/spaces.html" labels > "$T/spaces.labels"
contains "$T/spaces.labels" '^  smtp        127\.0\.0\.1:42717  \(the lab' \
    "a note's run of spaces kept in its label"
if python3 - "$T/spaces.html" > "$T/spaces.out" 2>&1 <<'EOF'
import re, sys, xml.etree.ElementTree as ET
S = "{http://www.w3.org/2000/svg}"
X = "{http://www.w3.org/XML/1998/namespace}space"
page = open(sys.argv[1]).read()
doc = ET.fromstring(page)
parts = [s for s in doc.iter(S + "svg") if s.get("width") == "900"]
bad = [s.get("aria-label") for s in parts if s.get(X) != "preserve"]
assert parts and not bad, "no xml:space=preserve: %s" % bad
css = re.search(r"svg text\{[^}]*\}", page)
assert css and "white-space:pre" in css.group(0), "svg text: no white-space:pre"
print("%d drawings, %s" % (len(parts), css.group(0)))
EOF
then
	pass "spaces preserved in every drawing ($(cat "$T/spaces.out"))"
else
	fail "spaces not preserved: $(tail -n 1 "$T/spaces.out")"
fi
if python3 "$T/svgcheck.py" "$T/spaces.html" boxes > "$T/spaces.boxes" 2>&1; then
	pass "a note with runs of spaces: textLength counts them, in its box"
else
	fail "a note with runs of spaces: $(head -n 3 "$T/spaces.boxes")"
fi

# A long session is drawn in parts no taller than a printed page: a
# browser does not split one drawing across pages.
python3 - "$T/inject.jsonl" > "$T/tall.jsonl" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
out, seq = [], 0
for d in lines:
    if "seq" not in d:
        out.append(d)
        continue
    reps = 6 if d.get("kind") == "data" and d.get("chan") == "tls" else 1
    for _ in range(reps):
        out.append(dict(d, seq=seq))
        seq += 1
out[-1]["events"] = seq
for d in out:
    print(json.dumps(d))
EOF
"$MS" export --format html "$T/tall.jsonl" -o "$T/tall.html" 2> /dev/null
if python3 - "$T/tall.html" > "$T/tall.out" 2>&1 <<'EOF'
import sys, xml.etree.ElementTree as ET
S = "{http://www.w3.org/2000/svg}"
doc = ET.parse(sys.argv[1]).getroot()
parts = [s for s in doc.iter(S + "svg") if s.get("width") == "900"]
hs = [float(s.get("height")) for s in parts]
print("%d parts, heights %s" % (len(parts), hs))
assert len(parts) >= 2 and max(hs) <= 1160, "a part too tall"
EOF
then
	pass "a long session: drawn in parts a page high ($(cat "$T/tall.out"))"
else
	fail "a long session: $(tail -n 1 "$T/tall.out")"
fi
if python3 "$T/svgcheck.py" "$T/tall.html" boxes > "$T/tall.boxes" 2>&1; then
	pass "a long session: no text wider than its box"
else
	fail "a long session: $(head -n 3 "$T/tall.boxes")"
fi
[ "$(grep -c '<g class="actor">' "$T/tall.html")" -ge 4 ] &&
    pass "a long session: each part names its columns" ||
    fail "a long session: a part without its column names"

# Every line the lesson is about, its own arrow.
for cap in '250-PIPELINING' '250-STARTTLS' '250-ENHANCEDSTATUSCODES' '250 8BITMIME' \
    '250-AUTH PLAIN LOGIN'; do
	contains "$T/inject.labels" "^$cap\$" "inject-response: \"$cap\" unfolded in the diagram"
done
contains "$T/strip.labels" '^250-XXXXXXXA$' "strip: the stripped capability unfolded in the diagram"
contains "$T/strip.labels" 'overwrote the offer \(STARTTLS stripping\)' "strip: the stripping warning in the diagram"
contains "$T/strip.labels" '^\[starttls-stripped\]$' "strip: its code wrapped to the next line, not cut"
contains "$T/inject.html" '<g class="arrow inj lesson">' "inject-response: the injected bytes have their own arrow"
contains "$T/inject.html" '<line class="inj" [^>]*marker-end="url\(#arrow-inj-1\)"' "inject-response: drawn in the injected style"
contains "$T/inject.labels" '^!! 250-evil\.example injected before TLS' "inject-response: the injected arrow's label"
contains "$T/inject.html" '<g class="boundary">' "inject-response: the TLS boundary across"
contains "$T/inject.labels" '^TLS handshake: offered TLS1\.3, TLS1\.2, chose TLS1\.3: ' \
    "inject-response: the handshake's messages on the same connection"
# What the hello offered and the server chose, wrapped over the lines.
tr -d '\n' < "$T/inject.labels" > "$T/inject.joined"
contains "$T/inject.joined" 'offered TLS1\.3, TLS1\.2, chose TLS1\.3: ClientHello sent \(groups [A-Z0-9]+(, [A-Z0-9]+)*; [0-9]+ cipher suites?\), ServerHello received \(SECP256R1\)' \
    "inject-response: the handshake says what was offered and chosen"
contains "$T/inject.html" '<g class="arrow plain lesson">' "inject-response: STARTTLS and its go-ahead highlighted"
tr -d '\n' < "$T/inject.html" | grep -qE '<g class="arrow plain lesson">(<rect[^>]*/>)?<text[^>]*>250-STARTTLS<' &&
    pass "inject-response: the line offering STARTTLS highlighted" ||
    fail "inject-response: 250-STARTTLS not highlighted"
tr -d '\n' < "$T/strip.html" | grep -qE '<g class="arrow plain lesson">(<rect[^>]*/>)?<text[^>]*>250-XXXXXXXA<' &&
    pass "strip: the masked line highlighted" ||
    fail "strip: 250-XXXXXXXA not highlighted"
lacks "$T/inject.html" '\(\+[0-9]+ lines?\)' "inject-response: no reply folded"

# The handout around it.
contains "$T/inject.html" '<h2>Legend</h2>' "html: a legend"
contains "$T/inject.html" '<th>injected</th>' "html: the legend names the injected arrow"
contains "$T/both.html" '<h2>Connection 2 of 2</h2>' "two connections: a section each"
contains "$T/both.html" 'section\.connection\+section\.connection\{break-before:page\}' \
    "two connections: a page break between them in print"
contains "$T/both.html" '@page\{size:A4' "print: A4"
contains "$T/both.html" '@media print' "print: a print stylesheet"
contains "$T/inject.html" '<span class="gloss">   &gt; STARTTLS: ' "html --explain: the gloss under a capability"
lacks "$T/plain.html" 'class="gloss"' "html without --explain: no glosses"
contains "$T/both.md" '^## Connection 2 of 2$' "md: a heading per connection"
contains "$T/both.md" '^\* \* \*$' "md: a separator between connections"
contains "$T/inject.md" '^## Legend$' "md: the legend"
contains "$T/inject.md" '^   > STARTTLS: The server offers' "md --explain: the gloss under the line"
lacks "$T/plain.md" '^   > ' "md without --explain: no glosses"
contains "$T/inject.md" '^S: 250-STARTTLS$' "md: the capability line"

# A browser's view: a screenshot and an A4 PDF, where one is installed.
chrome=
for c in chromium-headless-shell chromium chromium-browser; do
	command -v "$c" > /dev/null 2>&1 && { chrome=$c; break; }
done
if [ -z "$chrome" ]; then
	echo "SKIP: no headless Chromium (chromium-headless-shell): no screenshot, no PDF"
else
	home=$T/chrome-home
	mkdir -p "$home"
	HOME=$home timeout 120 "$chrome" --headless --no-sandbox --disable-gpu \
	    --no-first-run --user-data-dir="$home/profile" \
	    --window-size=1000,1400 --screenshot="$T/both.png" \
	    "file://$T/both.html" > "$T/chrome.log" 2>&1
	HOME=$home timeout 120 "$chrome" --headless --no-sandbox --disable-gpu \
	    --no-first-run --user-data-dir="$home/profile" \
	    --no-pdf-header-footer --print-to-pdf="$T/both.pdf" \
	    "file://$T/both.html" >> "$T/chrome.log" 2>&1
	if python3 - "$T/both.png" > "$T/png.out" 2>&1 <<'EOF'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w, h = 8, b"", 0, 0
while pos < len(d):
    n, kind = struct.unpack(">I4s", d[pos:pos + 8])
    body = d[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h = struct.unpack(">II", body[:8])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
# A blank page is one colour: its rows compress to a few byte values.
values = len(set(raw))
print("%dx%d, %d byte values" % (w, h, values))
assert w > 0 and h > 0 and values > 16, "blank"
EOF
	then
		pass "chromium: a screenshot that is not blank ($(cat "$T/png.out"))"
	else
		fail "chromium: screenshot: $(tail -n 1 "$T/png.out") ($(tail -n 1 "$T/chrome.log"))"
	fi
	if python3 - "$T/both.pdf" > "$T/pdf.out" 2>&1 <<'EOF'
import re, sys
d = open(sys.argv[1], "rb").read()
assert d[:5] == b"%PDF-", "not a PDF"
boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", d)
pages = len(re.findall(rb"/Type\s*/Page[^s]", d))
print("%d pages, %s" % (pages, boxes[:1]))
# A4 is 595 x 842 points.
assert boxes and all(abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5
                     for w, h in boxes), "not A4"
# Two connections, each from a new page: at least two pages.
assert pages >= 2, "one page"
EOF
	then
		pass "chromium: printed to PDF on A4 ($(cat "$T/pdf.out"))"
	else
		fail "chromium: PDF: $(tail -n 1 "$T/pdf.out")"
	fi
fi

# A note or the handshake in the ladder pane, read back across its rows:
# the first row holds argv[2]; what follows the lifeline, joined.
cat > "$T/rows.py" <<'EOF'
import sys
rows = open(sys.argv[1]).read().split("\n")
i = [k for k, r in enumerate(rows) if sys.argv[2] in r][-1]
text = []
while True:
    text.append(rows[i].split("│")[1][3:].strip())
    i += 1
    # A row of its own goes on under the lifeline, not at a mark.
    if i == len(rows) or not rows[i].startswith("  │   ") or rows[i][6] == " ":
        break
print(" ".join(text))
EOF
# The ladder pane (F7) at a projector's 100x30 and at 200x60: arrows,
# the TLS boundary, the injected bytes' own arrow.
UI=$MS
[ -x "$ASAN_MAILSCOPE" ] && UI=$ASAN_MAILSCOPE
tui_start keep 20 5 "sleep 600"
for size in 100x30 200x60; do
	w=${size%x*}
	h=${size#*x}
	tui_start lad "$w" "$h" "env LANG=C.UTF-8 TERM=tmux-256color \
	    XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config \
	    $UI --lab inject-response --allow-injection 2> $T/lad-$size.err; \
	    echo MAILSCOPE-EXIT=\$?; sleep 600"
	check "$size: the lab's greeting" tui_wait lad '^[0-9:.]+ S: +220 lab\.mailscope\.test'
	tui_line lad 'EHLO student.test'
	check "$size: the EHLO reply" tui_wait lad '250 8BITMIME'
	tui_line lad 'STARTTLS'
	check "$size: TLS established" tui_wait lad 'TLS established'
	tui_keys lad F7
	check "$size: F7 opens the sequence diagram" tui_wait lad '^ Client .*sequence diagram \(F7\) +Server'
	check "$size: a client arrow to the server column" tui_wait lad '│─ STARTTLS ─+▶│'
	check "$size: each capability its own arrow" tui_wait lad '│◀─ 250-STARTTLS ─+│'
	check "$size: the injected bytes their own arrow" tui_wait lad '│◀━ !! 250-evil\.example injected before TLS.*━│'
	check "$size: the TLS boundary across" tui_wait lad '^═══ TLS established: TLS1\.3'
	check "$size: the handshake's messages before it" \
	    tui_wait lad '│ ~ TLS handshake: offered TLS1\.3, TLS1\.2, chose TLS1\.3: ClientHello'
	python3 "$T/rows.py" "$T/lad.screen" '│ ~ TLS handshake' > "$T/lad-$size.hs" 2>&1
	contains "$T/lad-$size.hs" '; [0-9]+ cipher suites?\), ServerHello received \(SECP256R1\)' \
	    "$size: the handshake says what was offered and chosen"
	check "$size: the warning wrapped between the columns, not cut" \
	    tui_wait lad '│ +[^│]*\[response-injection\] +│'
	check "$size: STARTTLS marked as what the lesson is about" tui_wait lad '^▸ │─ STARTTLS ─'
	# The slot ladder.injected: bright red in the default theme.
	esc=$(printf '\033')
	_tui capture-pane -e -p -t lad > "$T/lad-$size.esc"
	if grep '!! 250-evil' "$T/lad-$size.esc" | grep '━' |
	    grep -q "${esc}\[[0-9;]*91m"; then
		pass "$size: the injected arrow in red (ladder.injected)"
	else
		fail "$size: the injected arrow is not red"
	fi
	if grep '│─ STARTTLS ─' "$T/lad-$size.esc" | grep -q "${esc}\[[0-9;]*91m"; then
		fail "$size: the STARTTLS arrow in red too"
	else
		pass "$size: the other arrows in their own colours"
	fi
	# A note wrapped over rows loses no character where it wraps: the
	# port table's longest line, read back across its rows.
	tui_line lad ':ports'
	check "$size: :ports in the diagram" tui_wait lad '│ # +sieve +127\.0\.0\.1:[0-9]+ +ManageSieve'
	if python3 "$T/rows.py" "$T/lad.screen" '│ #   submission' > "$T/lad-$size.wrap" 2>&1 &&
	    grep -Eq '^submission +127\.0\.0\.1:[0-9]+ +SMTP, STARTTLS \(like 587, or 2525 where 587 is blocked: mail programs to their server\)$' "$T/lad-$size.wrap"
	then
		pass "$size: a wrapped note loses no character ($(head -c 160 "$T/lad-$size.wrap"))"
	else
		fail "$size: a wrapped note: $(cat "$T/lad-$size.wrap" | tr '\n' ' ' | head -c 300)"
	fi
	# The diagram follows the transcript: the selection moves it up.
	tui_keys lad Tab
	k=0
	last=
	while [ $k -lt 30 ]; do
		tui_keys lad Up
		sleep 0.1
		last=$(tui_screen lad | grep '^  │' | tail -n 1)
		case $last in *'EHLO student.test'*) break ;; esac
		k=$((k + 1))
	done
	case $last in
	*'│─ EHLO student.test ─'*'▶│'*)
		pass "$size: Up in the transcript: the diagram ends at the selected line ($k more)" ;;
	*) fail "$size: the diagram's last row: $last" ;;
	esac
	# 21 lines from the last (:ports' last note) up to EHLO: the same count.
	[ "$k" -eq 20 ] && pass "$size: one row per transcript line on the way" ||
	    fail "$size: $k steps up to EHLO, 20 expected"
	tui_keys lad Escape F7
	k=0
	while tui_screen lad | grep -q 'sequence diagram (F7)' && [ $k -lt 100 ]; do
		sleep 0.1
		k=$((k + 1))
	done
	[ $k -lt 100 ] && pass "$size: F7 again hides it" || fail "$size: F7 again hides it"
	tui_line lad ':ladder on'
	check "$size: :ladder on shows it" tui_wait lad 'sequence diagram \(F7\)'
	tui_line lad ':quit'
	# The injection was allowed to be studied: still exit 6, a finding.
	check "$size: leaves with exit 6 (response injection)" tui_wait lad 'MAILSCOPE-EXIT=6'
	if [ -s "$T/lad-$size.err" ]; then
		fail "$size: stderr: $(head -n 3 "$T/lad-$size.err")"
	else
		pass "$size: nothing on stderr (no sanitizer report)"
	fi
	tui_stop lad
done
# 80x24: the diagram under the transcript, the negotiation still read on
# the handshake's row when the rest of it is cut.
tui_start lad 80 24 "env LANG=C.UTF-8 TERM=tmux-256color \
    XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config \
    $UI --lab inject-response --allow-injection 2> $T/lad-80.err; \
    sleep 600"
check "80x24: the lab's greeting" tui_wait lad 'S: +220 lab\.mailscope\.test'
tui_line lad 'EHLO student.test'
check "80x24: the EHLO reply" tui_wait lad '250 8BITMIME'
tui_line lad 'STARTTLS'
check "80x24: TLS established" tui_wait lad 'TLS established'
tui_keys lad F7
check "80x24: F7 opens the sequence diagram" \
    tui_wait lad '^ Client .*sequence diagram \(F7\) +Server'
check "80x24: the go-ahead's arrow" tui_wait lad '│◀─ 220 2\.0\.0 Ready to start TLS ─+│'
check "80x24: the injected bytes their own arrow" \
    tui_wait lad '│◀━ !! 250-evil\.example injected before TLS'
check "80x24: offered and chosen lead the handshake's row" \
    tui_wait lad '│ ~ TLS handshake: offered TLS1\.3, TLS1\.2, chose TLS1\.3: '
check "80x24: the TLS boundary across" tui_wait lad '^═══ TLS established: TLS1\.3'
check "80x24: the summary still above the status bar" \
    tui_wait lad '^ TLS  TLS1\.3 .*offered TLS1\.3, TLS1\.2'
[ -s "$T/lad-80.err" ] && fail "80x24: stderr: $(head -n 3 "$T/lad-80.err")" ||
    pass "80x24: nothing on stderr"
tui_stop lad
# Too few rows for both: the transcript keeps them, and says so.
tui_start lad 80 12 "env LANG=C.UTF-8 TERM=tmux-256color \
    XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config \
    $UI --lab 2> $T/lad-small.err; sleep 600"
check "80x12: the lab's greeting" tui_wait lad 'S: +220 lab\.mailscope\.test'
tui_keys lad F7
check "80x12: F7 says the transcript needs 12 rows" tui_wait lad 'transcript.s rows, which needs 12 at'
lacks "$T/lad.screen" 'sequence diagram \(F7\)' "80x12: no diagram squeezed in"
tui_stop lad
tui_stop keep
