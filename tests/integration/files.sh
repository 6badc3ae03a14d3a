#!/bin/sh
# SPDX-License-Identifier: ISC
# Files mailscope writes: recordings and key logs hold secrets, so an
# existing one that others can read or that is not ours is refused before
# anything is sent; no file is ever written through a symbolic link.
. "$(dirname "$0")/../lib.sh"

MS=$MAILSCOPE
D=$TOP/tests/data
rm -rf "$T/f"
mkdir -p "$T/f"

# A server that logs whatever the client sends.
cat > "$T/greet.case" << 'EOF2'
send 220 fake.test ESMTP\r\n
expect ^EHLO
send 250-fake.test\r\n250 STARTTLS\r\n
drain 500
close
EOF2

# --record into an existing 0644 file: refused, the file untouched.
: > "$T/f/loose.jsonl"
chmod 644 "$T/f/loose.jsonl"
expect_exit 1 "--record: a 0644 file is refused" \
    "$MS" --batch --lab --record "$T/f/loose.jsonl" -c 'EHLO x.test'
contains "$T/last.out" 'loose\.jsonl: mode 0644 lets others read it; refused' \
    "--record: the refusal names the mode"
[ ! -s "$T/f/loose.jsonl" ] && pass "--record: nothing written to the 0644 file" ||
    fail "--record: the 0644 file was written"

# The same file once private is recorded into.
chmod 600 "$T/f/loose.jsonl"
expect_exit 0 "--record: a 0600 file is appended to" \
    "$MS" --batch --lab --record "$T/f/loose.jsonl" -c 'EHLO x.test'
contains "$T/f/loose.jsonl" '"mailscope":"recording"' "--record: the 0600 file holds the recording"

# A file of another user, even a private one: refused.
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	: > "$T/f/theirs.jsonl"
	chmod 600 "$T/f/theirs.jsonl"
	chown nobody "$T/f/theirs.jsonl"
	expect_exit 1 "--record: a file owned by nobody is refused" \
	    "$MS" --batch --lab --record "$T/f/theirs.jsonl" -c 'EHLO x.test'
	contains "$T/last.out" 'theirs\.jsonl: belongs to uid [0-9]+, not to you' \
	    "--record: the refusal names the owner"
	[ ! -s "$T/f/theirs.jsonl" ] && pass "--record: nothing written to the foreign file" ||
	    fail "--record: the foreign file was written"
	: > "$T/f/theirs.keys"
	chmod 600 "$T/f/theirs.keys"
	chown nobody "$T/f/theirs.keys"
	expect_exit 1 "--keylog: a file owned by nobody is refused" \
	    "$MS" --batch --lab --keylog "$T/f/theirs.keys" -c 'EHLO x.test'
fi

# --record through a symbolic link: refused, the target untouched.
echo precious > "$T/f/target"
ln -sf "$T/f/target" "$T/f/link.jsonl"
expect_exit 1 "--record: a symbolic link is refused" \
    "$MS" --batch --lab --record "$T/f/link.jsonl" -c 'EHLO x.test'
[ "$(cat "$T/f/target")" = precious ] && pass "--record: the link's target untouched" ||
    fail "--record: the link's target was written"

# --keylog: a symbolic link or a loose file is refused before the
# connection, so nothing at all crosses the network.
ln -sf "$T/f/target" "$T/f/link.keys"
fake_start keylink "$T/greet.case" --max-seconds 3
expect_exit 1 "--keylog: a symbolic link is refused at start-up" \
    "$MS" --batch --starttls --keylog "$T/f/link.keys" \
    "smtp://127.0.0.1:$FAKE_PORT"
contains "$T/last.out" 'link\.keys: is a symbolic link; not following it' \
    "--keylog: the refusal says why"
fake_wait 10
lacks "$FAKE_LOG" '^C: ' "--keylog: symbolic link: nothing sent to the server"
[ "$(cat "$T/f/target")" = precious ] && pass "--keylog: the link's target untouched" ||
    fail "--keylog: the link's target was written"

: > "$T/f/loose.keys"
chmod 644 "$T/f/loose.keys"
fake_start keyloose "$T/greet.case" --max-seconds 3
expect_exit 1 "--keylog: a 0644 file is refused at start-up" \
    "$MS" --batch --starttls --keylog "$T/f/loose.keys" \
    "smtp://127.0.0.1:$FAKE_PORT"
contains "$T/last.out" 'loose\.keys: mode 0644 lets others read it' \
    "--keylog: the refusal names the mode"
fake_wait 10
lacks "$FAKE_LOG" '^C: ' "--keylog: 0644 file: nothing sent to the server"

# export -o onto a symbolic link: refused, the target not truncated.
ln -sf "$T/f/target" "$T/f/link.txt"
expect_exit 1 "export -o: a symbolic link is refused" \
    "$MS" export -o "$T/f/link.txt" "$D/session.jsonl"
contains "$T/last.out" 'link\.txt: is a symbolic link' "export -o: the refusal says why"
[ "$(cat "$T/f/target")" = precious ] && pass "export -o: the link's target intact" ||
    fail "export -o: the link's target was truncated"
# A plain file is replaced.
echo old > "$T/f/out.txt"
expect_exit 0 "export -o: a plain file is written" \
    "$MS" export -o "$T/f/out.txt" "$D/session.jsonl"
cmp -s "$T/f/out.txt" "$D/session.txt" && pass "export -o: the file holds the export" ||
    fail "export -o: the file differs from tests/data/session.txt"

# :record on the interactive screen refuses a loose file the same way.
: > "$T/f/tui.jsonl"
chmod 644 "$T/f/tui.jsonl"
tui_start rec 120 30 env LANG=C.UTF-8 XDG_STATE_HOME="$T/f/state" \
    XDG_CONFIG_HOME="$T/f/config" "$ASAN_MAILSCOPE" --lab
if tui_wait rec '220 ' 20; then
	tui_line rec ":record $T/f/tui.jsonl"
	tui_wait rec 'mode 0644 lets others read it' 10 &&
	    pass ":record: a 0644 file is refused on the screen" ||
	    fail ":record: no refusal on the screen"
	lacks "$T/rec.screen" '(●|\*) REC' ":record: the status bar shows no recording"
else
	fail ":record: the lab session did not start"
fi
tui_stop rec
[ ! -s "$T/f/tui.jsonl" ] && pass ":record: nothing written to the 0644 file" ||
    fail ":record: the 0644 file was written"

# lab --keep-certs: the server key goes into no loose file, and through
# no symbolic link.
rm -rf "$T/f/kc"
mkdir -p "$T/f/kc"
echo precious > "$T/f/target"
ln -sf "$T/f/target" "$T/f/kc/server.key"
expect_exit 1 "lab --keep-certs: a symbolic link for the key is refused" \
    timeout 20 "$MS" lab --keep-certs "$T/f/kc"
contains "$T/last.out" 'server\.key: is a symbolic link' "lab --keep-certs: the refusal says why"
[ "$(cat "$T/f/target")" = precious ] && pass "lab --keep-certs: the link's target untouched" ||
    fail "lab --keep-certs: the key went through the link"
rm -f "$T/f/kc/server.key"
: > "$T/f/kc/server.key"
chmod 644 "$T/f/kc/server.key"
expect_exit 1 "lab --keep-certs: a 0644 key file is refused" \
    timeout 20 "$MS" lab --keep-certs "$T/f/kc"
[ ! -s "$T/f/kc/server.key" ] && pass "lab --keep-certs: no key written into the 0644 file" ||
    fail "lab --keep-certs: the key was written into a 0644 file"
