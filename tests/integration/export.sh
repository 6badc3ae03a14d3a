#!/bin/sh
# SPDX-License-Identifier: ISC
# Exports: a fixed recording (tests/data/session.jsonl, a lab session
# with a hostile line added) against golden files; the HTML parsed by a
# strict XML parser; no control byte in any format; and a live session's
# password found in no recording and no export; kill -9 in the middle of
# a 50 MB FETCH from Dovecot leaves a recording that parses.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
D=$TOP/tests/data

for f in txt md html; do
	"$MS" export --format "$f" "$D/session.jsonl" > "$T/session.$f" 2> "$T/err.$f"
	rc=$?
	[ "$rc" -eq 0 ] && pass "export $f: exit 0" || fail "export $f: exit $rc"
	if cmp -s "$T/session.$f" "$D/session.$f"; then
		pass "export $f: equals the golden file"
	else
		fail "export $f: differs from tests/data/session.$f"
		diff "$D/session.$f" "$T/session.$f" | head -n 10
	fi
	# No ESC, no other C0 but TAB/LF, no DEL, no C1 in any format.
	if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$T/session.$f"; then
		fail "export $f: a raw control byte"
	else
		pass "export $f: no raw control byte"
	fi
	contains "$T/session.$f" '\\e\]0;pwned' "export $f: the OSC title shown escaped"
	contains "$T/session.$f" 'U\+202E' "export $f: the bidi override shown"
	contains "$T/session.$f" 'redacted: user=demo, 16 bytes' "export $f: AUTH redacted"
done
# Recordings of format 1 (stored as the first version wrote them, with
# their exports then): they load, their lines run back through the
# engine, and they export as they did.
for p in smtp imap pop3; do
	"$MS" export "$D/v1-$p.jsonl" > "$T/v1-$p.txt" 2> "$T/v1-$p.err"
	rc=$?
	[ "$rc" -eq 0 ] && pass "format 1 $p: export exits 0" ||
	    fail "format 1 $p: export exit $rc"
	if cmp -s "$T/v1-$p.txt" "$D/v1-$p.txt"; then
		pass "format 1 $p: exports as it did"
	else
		fail "format 1 $p: the export differs from tests/data/v1-$p.txt"
		diff "$D/v1-$p.txt" "$T/v1-$p.txt" | head -n 10
	fi
done
contains "$T/session.txt" '^# The server offered AUTH only after STARTTLS\.$' "txt: note as a # line"
contains "$T/session.md" '^> The server offered AUTH only after STARTTLS\.$' "md: note as a quote"
contains "$T/session.md" '^C: EHLO mailscope.localhost$' "md: C: lines"
contains "$T/session.md" '^\| Cipher suite \| TLS\\_AES\\_256' "md: TLS table"
if xmllint --noout "$T/session.html" 2> "$T/xmllint.err"; then
	pass "html: well-formed XML (strict parse)"
else
	fail "html: xmllint: $(head -n 2 "$T/xmllint.err")"
fi
contains "$T/session.html" '<svg xmlns="http://www.w3.org/2000/svg"' "html: SVG sequence diagram"
contains "$T/session.html" '<rect class="boundary"' "html: TLS boundary drawn across"
lacks "$T/session.html" '(src|href)=' "html: no external resource"
"$MS" export --format pdf "$D/session.jsonl" > /dev/null 2>&1
[ $? -eq 1 ] && pass "bad format: exit 1" || fail "bad format: exit 1"

# A cut recording: what parses is exported, the line is named.
head -c 3000 "$D/session.jsonl" > "$T/cut.jsonl"
"$MS" export --format txt "$T/cut.jsonl" > "$T/cut.txt" 2> "$T/cut.err"
rc=$?
[ "$rc" -eq 0 ] && pass "cut recording: exported" || fail "cut recording: exit $rc"
contains "$T/cut.err" 'line [0-9]+: .*the file ends inside this line' "cut recording: the line is named"
contains "$T/cut.txt" '^<- 220 lab.mailscope.test' "cut recording: events before the cut kept"

# A crafted recording: terminal escapes (window title, OSC 52 clipboard
# write, clear screen, C1 CSI, BEL, DEL) in every field of its TLS facts,
# its header, trailer, a note, a mark, a warning and its code, a handshake
# step and the capability lists, and an injected line.  No export prints a raw
# control byte; each marks the injected line as the text export does.
python3 - "$D/session.jsonl" > "$T/crafted.jsonl" <<'EOF'
import json, sys
H = "\x1b]0;T\x07\x1b]52;c;QQ==\x07\x1b[2J\u009b1m\x7f"
def hostile(v, name):
    if isinstance(v, str):
        return name + H
    if isinstance(v, list):
        return [hostile(x, name) for x in v]
    if isinstance(v, dict):
        return {k: (x if k in ("not_before", "not_after") else
                    hostile(x, k)) for k, x in v.items()}
    return v
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get("mailscope") == "recording":
        d["target"] = "smtp://x" + H
        d["options"]["ehlo"] = "ehlo" + H
    elif "seq" not in d:
        d["reason"] = "reason" + H
    elif d["seq"] == 0:
        d.update(kind="warning", code="code" + H, text="warning" + H)
    elif d["seq"] == 12:
        d.update(flags=["injected", "end"], text="220 injected line")
    elif d["seq"] in (13, 30):
        d["text"] = "text" + H
    elif d["seq"] == 44:
        d.update(kind="mark", dir="local", text="mark" + H)
    elif d["kind"] in ("tls-established", "verify"):
        d["tls"] = hostile(d["tls"], "")
        d["text"] = "text" + H
    elif d["kind"] == "capability-diff":
        d["added"] = ["added" + H]
        d["removed"] = ["removed" + H]
    if "text" in d:
        d["len"] = len(d["text"].encode())
    print(json.dumps(d))
EOF
for f in txt md html; do
	"$MS" export --format "$f" "$T/crafted.jsonl" > "$T/crafted.$f" \
	    2> "$T/crafted.err"
	rc=$?
	[ "$rc" -eq 0 ] && pass "crafted recording, $f: exit 0" ||
	    fail "crafted recording, $f: exit $rc ($(head -n 1 "$T/crafted.err"))"
	if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' \
	    "$T/crafted.$f"; then
		fail "crafted recording, $f: a raw control byte"
		LC_ALL=C grep -naP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' \
		    "$T/crafted.$f" | cat -v | head -n 3
	else
		pass "crafted recording, $f: no raw control byte"
	fi
	# md escapes the backslash of an escape in its tables.
	contains "$T/crafted.$f" '\\\\?e\]52;c;QQ==\\\\?x07' \
	    "crafted recording, $f: the clipboard write shown escaped"
done
for field in key serial sha256; do
	contains "$T/crafted.txt" "^ +$field +$field"'\\e\]0;T' \
	    "crafted recording, txt: the certificate's $field escaped"
done
contains "$T/crafted.txt" '^ +pin +pin-sha256:pin_sha256\\e' \
    "crafted recording, txt: the pin escaped"
contains "$T/crafted.txt" '^== TLS text\\e\]0;T' \
    "crafted recording, txt: a handshake step escaped"
contains "$T/crafted.txt" '^# mark: mark\\e\]0;T' \
    "crafted recording, txt: a mark escaped"
contains "$T/crafted.md" '\| sha256\\\\e\]0;T' \
    "crafted recording, md: the certificate's SHA-256 escaped"
contains "$T/crafted.txt" '^!! 220 injected line  \[injected\]$' \
    "crafted recording, txt: the injected line marked"
contains "$T/crafted.md" '^!! 220 injected line  \[injected\]$' \
    "crafted recording, md: the injected line marked"
contains "$T/crafted.html" \
    '<span class="s inj">!! 220 injected line  \[injected\]</span>' \
    "crafted recording, html: the injected line marked"
contains "$T/crafted.html" '<text class="inj" [^>]*>!! 220 injected line' \
    "crafted recording, html: the injected reply its own arrow in the diagram"
if xmllint --noout "$T/crafted.html" 2> "$T/xmllint.err"; then
	pass "crafted recording, html: well-formed XML"
else
	fail "crafted recording, html: xmllint: $(head -n 2 "$T/xmllint.err")"
fi

# The same recording in the replay screen: the TLS panel shows the
# escapes as text, the terminal obeys none of them.
UI=$MS
[ -x "$ASAN_MAILSCOPE" ] && UI=$ASAN_MAILSCOPE
N=$(($(wc -l < "$T/crafted.jsonl") - 2))
tui_start keep 20 5 "sleep 600"
tui_start rp 140 60 "env LANG=C.UTF-8 TERM=tmux-256color \
    XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config \
    $UI replay $T/crafted.jsonl 2> $T/crafted-replay.err"
_tui select-pane -t rp -T export-test-title
tui_keys rp End
check "crafted recording, replay: at its last event" tui_wait rp "REPLAY $N/$N "
for field in subject cipher hostname added; do
	check "crafted recording, replay: the TLS panel shows $field escaped" \
	    tui_wait rp " $field"'\\e\]0;T\\x07\\e\]5'
done
title=$(_tui display-message -p -t rp '#{pane_title}')
check "crafted recording, replay: the pane title is unchanged ($title)" \
    [ "$title" = export-test-title ]
tui_stop rp

# The password of a live session appears in no file that leaves mailscope.
need_servers
rm -f "$T/live.jsonl"
b64=$(printf '\0%s\0%s' "$USER" "$PASS" | base64)
timeout 30 "$MS" --batch --starttls --cafile "$CA" --record "$T/live.jsonl" \
    -c "AUTH PLAIN $b64" "smtp://127.0.0.1:$SMTP_PORT" < /dev/null > "$T/live.out" 2>&1
timeout 30 "$MS" --batch --starttls --cafile "$CA" --record "$T/live.jsonl" \
    -c "LOGIN $USER $PASS" "imap://127.0.0.2:$IMAP_PORT" < /dev/null >> "$T/live.out" 2>&1
contains "$T/live.out" '^<~ 235 ' "live: AUTH PLAIN accepted"
contains "$T/live.out" '^<~ a00[0-9] OK' "live: IMAP LOGIN accepted"
for f in txt md html; do
	"$MS" export --format "$f" "$T/live.jsonl" > "$T/live.$f" 2>> "$T/live.err"
done
leak=
for file in "$T/live.out" "$T/live.jsonl" "$T/live.txt" "$T/live.md" "$T/live.html"; do
	grep -qF -- "$PASS" "$file" && leak="$leak $(basename "$file")"
	grep -qF -- "$b64" "$file" && leak="$leak $(basename "$file")(base64)"
done
[ -z "$leak" ] && pass "live: the password is in no output, recording or export" ||
    fail "live: the password leaked into:$leak"

# kill -9 in the middle of a 50 MB FETCH from Dovecot: every whole line written
# is a whole event, the file parses line by line and exports.
rm -f "$T/kill9.jsonl"
"$MS" --batch --cafile "$CA" --record "$T/kill9.jsonl" -c "LOGIN $USER $PASS" \
    -c "SELECT INBOX" -c "FETCH 1:* BODY.PEEK[]" \
    "imaps://127.0.0.1:$IMAPS_PORT" < /dev/null > /dev/null 2>&1 &
pid=$!
i=400
while [ "$(cat "$T/kill9.jsonl" 2> /dev/null | wc -c)" -lt 2000000 ] &&
    [ $i -gt 0 ] && kill -0 "$pid" 2> /dev/null; do
	sleep 0.05
	i=$((i - 1))
done
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
rc=$?
[ "$rc" -eq 137 ] && pass "kill -9: mailscope was killed" ||
    fail "kill -9: mailscope had ended before the kill (exit $rc)"
lacks "$T/kill9.jsonl" '"reason":' "kill -9: no trailer"
lacks "$T/kill9.jsonl" 'OK Fetch completed' "kill -9: killed before the FETCH completed"
if python3 - "$T/kill9.jsonl" << 'PY'
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
# The kill can cut the last write short: what follows the last newline
# may be torn; every whole line must be an event.
ev = [json.loads(l) for l in lines[:-1] if l]
assert ev[0]["mailscope"] == "recording", ev[0]
seqs = [e["seq"] for e in ev[1:]]
assert seqs == list(range(len(seqs))), "events missing"
assert any("body" in e.get("flags", []) or "literal" in e.get("flags", [])
           for e in ev[1:]), "no message data recorded"
PY
then
	pass "kill -9: every whole line parses, the events run without a gap"
else
	fail "kill -9: the recording does not parse"
fi
"$MS" export --format txt "$T/kill9.jsonl" > "$T/kill9.txt" 2> "$T/kill9.err"
[ $? -eq 0 ] && pass "kill -9: the recording exports" ||
    fail "kill -9: export: $(cat "$T/kill9.err")"
contains "$T/kill9.txt" '^<~ \* [0-9]+ FETCH' "kill -9: the FETCH recorded so far is exported"
lacks "$T/kill9.txt" "$PASS" "kill -9: the password is not in the export"

# --record appends: a file with two sessions exports either, and says so.
rm -f "$T/two.jsonl"
"$MS" --batch --lab --record "$T/two.jsonl" -c 'EHLO first.test' \
    < /dev/null > /dev/null 2>&1
"$MS" --batch --lab --record "$T/two.jsonl" -c 'EHLO second.test' \
    < /dev/null > /dev/null 2>&1
"$MS" export "$T/two.jsonl" > "$T/two-1.txt" 2> "$T/two-1.err"
contains "$T/two-1.txt" '^-> EHLO first\.test' "two recordings: the first by default"
lacks "$T/two-1.txt" 'second\.test' "two recordings: only the first"
contains "$T/two-1.err" 'holds 2 recordings; this is number 1 \(--session N' \
    "two recordings: export says there is another"
"$MS" export --session 2 "$T/two.jsonl" > "$T/two-2.txt" 2> /dev/null
contains "$T/two-2.txt" '^-> EHLO second\.test' "two recordings: --session 2 exports the second"
lacks "$T/two-2.txt" 'first\.test' "two recordings: only the second"
"$MS" export --session 3 "$T/two.jsonl" > /dev/null 2> "$T/two-3.err"
rc=$?
[ "$rc" -eq 1 ] && pass "two recordings: --session 3: exit 1" ||
    fail "two recordings: --session 3: exit $rc"
contains "$T/two-3.err" 'holds 2 recordings, not 3' "two recordings: --session 3 says how many there are"

# Message bodies: a POP3 RETR (body lines grouped, flag "lines") and an
# IMAP literal from Dovecot show one line per transcript line in every
# format, never a run of \r\n escapes.
rm -f "$T/body.jsonl"
timeout 30 "$MS" --batch --starttls --cafile "$CA" --record "$T/body.jsonl" \
    -c "USER $USER" -c "PASS $PASS" -c "RETR 1" \
    "pop3://127.0.0.1:$POP3_PORT" < /dev/null > "$T/body.out" 2>&1
timeout 30 "$MS" --batch --starttls --cafile "$CA" --record "$T/body.jsonl" \
    -c "LOGIN $USER $PASS" -c "SELECT INBOX" -c "FETCH 1 BODY.PEEK[]" \
    "imap://127.0.0.1:$IMAP_PORT" < /dev/null >> "$T/body.out" 2>&1
contains "$T/body.jsonl" '"flags":\["body","lines"\]' "body: the POP3 body lines are recorded together"
contains "$T/body.out" '^<~ Subject: small test message$' "body: batch prints the body line by line"
for n in 1 2; do
	for f in txt md html; do
		"$MS" export --session $n --format "$f" "$T/body.jsonl" > "$T/body$n.$f" 2> /dev/null
	done
	what=$( [ $n -eq 1 ] && echo "POP3 body" || echo "IMAP literal")
	contains "$T/body$n.txt" '^<~ Subject: small test message$' "export txt, $what: a line of its own"
	contains "$T/body$n.md" '^S~ Subject: small test message$' "export md, $what: a line of its own"
	contains "$T/body$n.html" '^<span class="s tls">&lt;~ Subject: small test message</span>$' \
	    "export html, $what: a line of its own"
	lacks "$T/body$n.md" 'Subject: small test message\\r\\n' "export md, $what: no \\\\r\\\\n escapes"
	if xmllint --noout "$T/body$n.html" 2> /dev/null; then
		pass "export html, $what: well-formed XML"
	else
		fail "export html, $what: not well-formed"
	fi
done
contains "$T/body1.html" '>\+OK [0-9]+ octets<' \
    "export html: the diagram's arrow for the RETR reply"
contains "$T/body1.html" '>From: [^<]* \(body of 8 lines\)<' \
    "export html: the diagram draws the body's eight lines as one arrow"
contains "$T/body1.html" 'spacingAndGlyphs">\.</text>' \
    "export html: the dot that ends it its own arrow"
contains "$T/body2.html" '>From: [^<]* \(literal of 8 lines\)<' \
    "export html: an IMAP literal's lines one arrow"
