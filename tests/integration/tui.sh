#!/bin/sh
# SPDX-License-Identifier: ISC
# The TUI end to end: the real binary in a tmux pane of fixed size, keys
# sent as a person types them, the screen read back with capture-pane.
#
# A scripted SMTP server (Python, real STARTTLS with a test CA made by
# certtool) gives exact control over what the server sends, including
# terminal escape sequences; IMAP and POP3 run against the Dovecot test
# instance when tests/servers/start.sh has started it.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
out=$T
rm -rf "$out"/state "$out"/config "$out"/port "$out"/port.go
# The ASan + UBSan build: a report ends it with a status the checks see.
bin=${MAILSCOPE_BIN:-$ASAN_MAILSCOPE}

# One pane, "t", at a time; the binary with a private history and config.
# A shell around it prints the exit status on the screen once it ends (the
# pane's own dead status is not always recorded), and a second session
# keeps the tmux server up between panes.
run() {
	# run W H ENV... -- ARGS...
	_sw=$1
	_sh=$2
	shift 2
	tui_stop t
	tui_start t "$_sw" "$_sh" sh -c '
	    while [ "$1" != -- ]; do export "$1"; shift; done; shift
	    "$@"; echo "MAILSCOPE-EXIT=$?"; exec sleep 3600' sh \
	    LANG=C.UTF-8 XDG_STATE_HOME="$out/state" \
	    XDG_CONFIG_HOME="$out/config" "$@"
}
start() {
	# start W H ARGS...
	_sw=$1
	_sh=$2
	shift 2
	run "$_sw" "$_sh" -- "$bin" "$@"
}
screen() { tui_screen t; }
keys() { tui_keys t "$@"; }
line() { tui_line t "$1"; }
wait_for() { tui_wait t "$1"; }
wait_gone() {
	_i=0
	while [ $_i -lt 200 ]; do
		screen | grep -qE -- "$1" || return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
wait_count() {
	# wait_count ERE N: at least N screen lines match
	_i=0
	while [ $_i -lt 200 ]; do
		[ "$(screen | grep -cE -- "$1")" -ge "$2" ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
exited() {
	# exited N: the binary ended with status N
	tui_wait t "^MAILSCOPE-EXIT=$1\$"
}
tui_start keep 20 5 sleep 3600
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; lib_cleanup' EXIT INT TERM

if [ ! -x "$bin" ]; then
	fail "tui: no binary at $bin (run make)"
	exit 1
fi
for tool in tmux python3 certtool; do
	if ! command -v $tool >/dev/null 2>&1; then
		fail "tui: $tool is missing (make deps-test)"
		exit 1
	fi
done

# The manual and the README name every : command of the screen.
missing=
for c in $(sed -n 's/^	{ "\([a-z]*\)", ".*/\1/p' tui/commands.c); do
	grep -qF -- ":$c" mailscope.1 && grep -qF -- ":$c" README.md ||
	    missing="$missing :$c"
done
check "mailscope.1 and README.md list every : command ($missing)" \
    [ -z "$missing" ]

# Test CA and a server certificate for mail.test and 127.0.0.1.
cat > "$out/ca.tmpl" <<EOF
cn = "mailscope tui test CA"
ca
cert_signing_key
expiration_days = 30
EOF
cat > "$out/srv.tmpl" <<EOF
cn = "mail.test"
dns_name = "mail.test"
ip_address = "127.0.0.1"
tls_www_server
encryption_key
signing_key
expiration_days = 30
EOF
certtool --generate-privkey --key-type=ecdsa --outfile "$out/ca.key" \
    >/dev/null 2>&1 &&
certtool --generate-self-signed --load-privkey "$out/ca.key" \
    --template "$out/ca.tmpl" --outfile "$out/ca.pem" >/dev/null 2>&1 &&
certtool --generate-privkey --key-type=ecdsa --outfile "$out/srv.key" \
    >/dev/null 2>&1 &&
certtool --generate-certificate --load-privkey "$out/srv.key" \
    --load-ca-certificate "$out/ca.pem" --load-ca-privkey "$out/ca.key" \
    --template "$out/srv.tmpl" --outfile "$out/srv.pem" >/dev/null 2>&1
if [ ! -s "$out/srv.pem" ]; then
	fail "tui: certtool could not make the test certificates"
	exit 1
fi

# The scripted server: one connection at a time, SMTP with STARTTLS.
# ESC answers with terminal escape sequences, WIDE with wide characters
# and 10,000 combining marks, BIG N with N lines, SLOW once the file
# PORTFILE.go exists.  The log tells the end of a message from a
# connection lost in DATA.
cat > "$out/server.py" <<'EOF'
import os, socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(4)
with open(sys.argv[1], "w") as f:
    f.write(str(ls.getsockname()[1]))
def serve(c):
    f = c.makefile("rwb")
    def w(b):
        f.write(b)
        f.flush()
    w(b"220 mail.test ESMTP scripted\r\n")
    tls = False
    data = False
    while True:
        l = f.readline()
        if not l:
            if data:
                print("ABANDONED-IN-DATA", flush=True)
            return
        s = l.rstrip(b"\r\n")
        if data:
            if s == b".":
                print("END-OF-DATA", flush=True)
                data = False
                w(b"250 2.0.0 Ok: queued\r\n")
            continue
        v = s.split(b" ")[0].upper()
        print(v.decode("latin1"), flush=True)
        if v == b"EHLO":
            w(b"250-mail.test\r\n")
            if not tls:
                w(b"250-STARTTLS\r\n")
            else:
                w(b"250-AUTH PLAIN LOGIN\r\n")
            w(b"250 8BITMIME\r\n")
        elif v == b"STARTTLS" and not tls:
            w(b"220 2.0.0 Ready to start TLS\r\n")
            c = ctx.wrap_socket(c, server_side=True)
            f = c.makefile("rwb")
            tls = True
        elif v == b"AUTH":
            p = s.split(b" ")
            if len(p) >= 3:
                w(b"235 2.7.0 Authentication successful\r\n")
            else:
                w(b"334 \r\n")
        elif v == b"DATA":
            data = True
            w(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif v == b"ESC":
            w(b"250 title\x1b]0;PWNED-TITLE\x07 clear\x1b[2J\x1b[H red"
              b"\x1b[31mRED\x1b[0m bidi\xe2\x80\xaeevil bad\xff\xfe end\r\n")
        elif v == b"WIDE":
            w(b"250 wide " + ("\u6f22\u5b57" * 40).encode() + b" comb e" +
              ("\u0301" * 10000).encode() + b" wide end\r\n")
        elif v == b"SLOW":
            while not os.path.exists(sys.argv[1] + ".go"):
                time.sleep(0.02)
            w(b"250 slow reply arrived\r\n")
        elif v == b"BIG":
            n = int(s.split(b" ")[1])
            for i in range(n):
                w(b"250-big reply line %d\r\n" % i)
            w(b"250 big reply done (%d lines)\r\n" % n)
        elif v == b"QUIT":
            w(b"221 2.0.0 Bye\r\n")
            return
        else:
            w(b"250 2.0.0 Ok\r\n")
while True:
    c, _ = ls.accept()
    try:
        serve(c)
    except Exception:
        pass
    try:
        c.close()
    except Exception:
        pass
EOF
# The server sends its CA too: a chain of two to browse.
cat "$out/srv.pem" "$out/ca.pem" > "$out/chain.pem"
python3 "$out/server.py" "$out/port" "$out/chain.pem" "$out/srv.key" \
    > "$out/server.log" 2>&1 &
spid=$!
i=0
while [ ! -s "$out/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$out/port" 2>/dev/null)
if [ -z "$port" ]; then
	fail "tui: the scripted server did not start"
	exit 1
fi
url=smtp://127.0.0.1:$port
secret='S3cret-Pw-4711'
hist=$out/state/mailscope/history
rule='── TLS established: TLS1\.[23]'

# --- the scripted server at 140x40: the TLS panel is on the right ---
start 140 40 --cafile "$out/ca.pem" "$url"
check "greeting shown as a server line" wait_for 'S: +220 mail.test ESMTP'
check "status bar: target, protocol and PLAIN" \
    wait_for "127.0.0.1:$port +SMTP +PLAIN"
check "TLS panel: plaintext state explained" wait_for 'PLAINTEXT'
line 'EHLO client.test'
check "client line marked C:" wait_for 'C: +EHLO client.test'
check "TLS panel: STARTTLS offered" wait_for 'STARTTLS offered'
line ':starttls'
check "boundary rule names the negotiated TLS" wait_for "$rule"
check "status bar: TLS and VERIFIED" wait_for 'SMTP +TLS +VERIFIED'
check "TLS panel: version" wait_for 'Version +TLS1\.[23]'
check "TLS panel: certificate subject" wait_for 'CN=mail\.test'
check "TLS panel: verdict" wait_for '(✔|OK) VERIFIED$'
check "TLS panel: matched name" wait_for 'Matched +IP:127\.0\.0\.1'
check "TLS panel: the verification among the handshake steps" \
    wait_for '\+[0-9.]+ ms certificate verified'
keys Tab Tab
check "Tab Tab gives the TLS panel the focus" wait_for 'TLS panel \(focus\)'
keys Enter
check "Enter shows certificate details: SHA-256" wait_for 'SHA-256 +[0-9A-F]{2}:'
check "certificate details: pin-sha256" wait_for 'pin-sha256 +[A-Za-z0-9+/]{8}'
check "certificate details: days left" wait_for '\([0-9]+ days'
check "certificate details: the matched SAN" wait_for 'IP:127\.0\.0\.1 \(matched\)'
check "the chain lists the CA second" wait_for '^ *│? *1 CN=mailscope tui test CA'
check "the fingerprint breaks between bytes" \
    wait_for 'SHA-256 +([0-9A-F]{2}:)+ *$'
keys Down
check "Down selects the CA" wait_for '>1 CN=mailscope tui test CA'
check "the details follow the selection" wait_for 'CA +yes'
keys Enter
check "Enter hides the details" wait_gone 'SHA-256 '
keys Up Enter
check "Up and Enter: the server certificate's details again" \
    wait_for 'IP:127\.0\.0\.1 \(matched\)'
keys Escape
check "Esc returns to the command line" wait_for '\[cmdline\]'
line 'EHLO client.test'
check "lines inside TLS carry the lock" wait_for 'C:🔒 EHLO client.test'
check "capability change after STARTTLS shown" \
    wait_for 'capabilities after STARTTLS: \+AUTH'

# :auth asks for the secret without echo; it is never shown or stored.
line ':auth plain alice'
check ":auth prompts for the password" wait_for 'Password for alice'
tui_keys t -l "$secret"
check "the password is not echoed while typed" sh -c \
    '! tmux -L "$1" capture-pane -p -t t | grep -q "$2"' - "$TUI_SOCK" \
    "$secret"
keys Enter
check "AUTH accepted" wait_for '235 2.7.0'
b64=$(printf '\000alice\000%s' "$secret" | base64)
screen > "$out/auth.screen"
lacks "$out/auth.screen" "$secret|$b64" \
    "the password appears nowhere on screen"
contains "$out/auth.screen" 'C:🔒 AUTH PLAIN.*redacted' \
    "the AUTH line is shown redacted"

# Escape sequences from the server are shown, never obeyed.
_tui select-pane -t t -T tui-test-title
line 'ESC'
check "escape line arrives" wait_for 'S:🔒 250 title'
screen > "$out/esc.screen"
contains "$out/esc.screen" 'PWNED-TITLE' \
    "the title sequence is shown as text"
contains "$out/esc.screen" 'C: +EHLO client.test' \
    "clear-screen did not clear the transcript"
title=$(_tui display-message -p -t t '#{pane_title}')
check "the pane title is unchanged ($title)" [ "$title" = tui-test-title ]

# Wide characters and a pile of combining marks (catalogue D3): the line
# wraps by display width, the panel's border stays in its column, nothing
# after them is lost.
line 'WIDE'
check "the wide line arrives whole" wait_for 'comb .* wide end'
screen > "$out/wide.screen"
check "wide characters keep the TLS panel's border in one column" \
    python3 -c '
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in s)
cols = {width(l[:l.index("\u2502")]) for l in open(sys.argv[1],
        encoding="utf-8") if "\u2502" in l}
sys.exit(len(cols) != 1)' "$out/wide.screen"

# Notes and marks go into the transcript (and so into recordings).
line ':note the teacher points at this line'
check ":note adds a note" wait_for '##🔒 the teacher points at this line'
line ':mark step-one'
check ":mark adds a bookmark" wait_for '>>🔒 mark step-one'

# Unknown commands: one line, nothing sent.
before=$(screen | grep -oE 'out [0-9.]+[BKM]' | tail -n 1)
line ':frobnicate'
check "unknown command reported" wait_for 'unknown command :frobnicate'
after=$(screen | grep -oE 'out [0-9.]+[BKM]' | tail -n 1)
check "unknown command sent nothing ($before, $after)" \
    [ "$before" = "$after" ]

# Completion: the protocol's verbs and the : commands.
tui_keys t -l 'rs'
keys Tab
check "Tab completes a verb, in the case typed" wait_for '^smtp> rset'
keys C-c
tui_keys t -l 'R'
keys Tab Tab
check "a second Tab lists the matches" wait_for 'RCPT TO: +RSET'
keys C-c
tui_keys t -l 'MA'
keys Tab
tui_keys t -l '<a@example.test>'
check "Tab completes MAIL FROM: with no space after the colon (RFC 5321)" \
    wait_for '^smtp> MAIL FROM:<a@example\.test>$'
keys C-c
tui_keys t -l 'rc'
keys Tab
tui_keys t -l '<b@example.test>'
check "Tab completes rcpt to: with no space after the colon" \
    wait_for '^smtp> rcpt to:<b@example\.test>$'
keys C-c
tui_keys t -l ':sta'
keys Tab
check "Tab completes : commands" wait_for '^smtp> :starttls'
keys C-c

# Scrollback and search over a long reply.
line 'BIG 400'
check "long reply arrives, follow mode at the bottom" \
    wait_for 'big reply done'
keys PPage
check "PgUp scrolls back" wait_for 'scrolled - End follows'
keys Tab
check "Tab on an empty line moves the focus" wait_for '\[transcript\]'
keys /
tui_keys t -l 'line 123'
keys Enter
check "search finds the line" wait_for 'big reply line 123( |$)'
check "search reports where" wait_for '/line 123: line'
keys n
check "n finds the next match (the only one: wrapped)" \
    wait_for '/line 123: line .*\(wrapped\)'
keys k /
tui_keys t -l 'line 77'
keys Enter
check "a search after selecting a line finds" wait_for '/line 77: line'
keys n
check "the search unselected the line: n searches, no note prompt" \
    wait_for '/line 77: line .*\(wrapped\)'
keys End
check "End follows again" wait_gone 'scrolled - End follows'
tui_keys t -H 1b 5b 4d 60 21 21
check "mouse wheel up scrolls back (X10)" wait_for 'scrolled - End follows'
tui_keys t End
check "End follows after the wheel" wait_gone 'scrolled - End follows'
tui_keys t -H 1b 5b 3c 36 34 3b 35 3b 35 4d
check "mouse wheel up scrolls back (SGR)" wait_for 'scrolled - End follows'
tui_keys t End
check "End follows after the SGR wheel" wait_gone 'scrolled - End follows'
# The wheel over the TLS panel (columns 91-140) scrolls the panel.
pct=$(screen | grep -oE 'TLS panel.* [0-9]+%' | grep -oE '[0-9]+%$')
tui_keys t -H 1b 5b 3c 36 35 3b 31 32 30 3b 31 30 4d
check "the wheel over the TLS panel scrolls it (from $pct)" \
    wait_gone "TLS panel.* $pct"
check "and leaves the transcript following" \
    sh -c '! tmux -L "$1" capture-pane -p -t t | grep -q "scrolled - End"' \
    - "$TUI_SOCK"
keys q
check "q gives the command line the focus" wait_for '\[cmdline\]'
keys Tab
tui_keys t -l 'é x'
check "typing UTF-8 in the transcript goes to the command line, whole" \
    wait_for '^smtp> é x$'
keys C-c

# A reply that arrives while a message is shown, the transcript full:
# the newest line is drawn above the message, not under it.
line 'SLOW'
check "a command whose reply is held back" wait_for 'C:🔒 SLOW'
line ':frobnicate'
check "a message is shown while the reply is awaited" \
    wait_for 'unknown command :frobnicate'
touch "$out/port.go"
check "the reply that arrived under the message is visible" \
    wait_for '^[0-9:. ]*S:🔒 250 slow reply arrived'
check "the message is still shown with it" \
    wait_for 'unknown command :frobnicate'

# Help overlay lists keys and commands.
keys F1
check "F1 opens the help" wait_for 'keys and commands'
check "the help is framed" wait_for '┌─+┐$'
keys End
check "help lists : commands (End scrolls it)" wait_for ':reveal'
# Up a page at a time from the end until the panel's keys show.
_i=0
while [ $_i -lt 6 ] &&
    ! screen | grep -qE 'Home, g, End, G +top, bottom of the panel'; do
	keys PPage
	_i=$((_i + 1))
done
check "help lists the TLS panel's scroll keys" \
    wait_for 'Home, g, End, G +top, bottom of the panel'
keys Escape
check "Esc closes the help" wait_gone 'keys and commands'

# Resize in the middle of the session: relaid out, nothing lost.
_tui resize-window -t t -x 80 -y 24
check "after resizing to 80x24 the status bar is whole" \
    wait_for 'SMTP +TLS +VERIFIED'
check "after resizing the prompt is there" wait_for '^smtp>'
keys F2
check "F2 shows the TLS panel below at 80 columns" wait_for '── TLS panel'
_tui resize-window -t t -x 30 -y 8
check "a too small terminal says so" wait_for 'terminal too small'
_tui resize-window -t t -x 120 -y 30
check "back to a usable size the transcript returns" \
    wait_for 'big reply done'
keys C-l
check "Ctrl-L redraws" wait_for '^smtp>'
line ':time relative'
check ":time relative shows deltas" \
    wait_for '^ +\+[0-9]+\.[0-9]{3} S:🔒 250-big reply line 399'
keys F3
check "F3 turns timestamps off" wait_for '^S:🔒 250-big reply line 399'
keys F3
check "F3 back to absolute" \
    wait_for '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} S:🔒 250-big reply line 399'

# Resizing while a long reply pours in (catalogue D7): no crash, all of
# it arrives, the layout is whole.
line 'BIG 30000'
for sz in "100 30" "60 20" "140 40" "90 25" "120 30"; do
	_tui resize-window -t t -x "${sz% *}" -y "${sz#* }"
	sleep 0.05
done
# This reply's own last line: the last one's may still be on screen.
check "resized during a long reply: it arrives to its end" \
    wait_for 'big reply done \(30000 lines\)'
: > "$out/server.log"
line 'RSET'
check "resized during a long reply: the session goes on" \
    wait_for 'C:🔒 RSET'
contains "$out/server.log" '^RSET' "resized during a long reply: the server got the next command"

keys F4
line 'NOOP'
check "F4 explains lines in plain words" wait_for '↳ 250: '
line ':explain off'
check ":explain off" wait_for 'explain off'

check "history file written under XDG_STATE_HOME" [ -s "$hist" ]
contains "$hist" '^EHLO client.test$' "history holds typed commands"
lacks "$hist" "$secret|$b64" "history never holds the password"

: > "$out/server.log"
line ':quit'
check ":quit leaves with exit 0" exited 0
contains "$out/server.log" '^QUIT' ":quit sent QUIT first"
check "the terminal is restored (no alternate screen left)" sh -c \
    '[ "$(tmux -L "$1" display-message -p -t t "#{alternate_on}")" = 0 ]' \
    - "$TUI_SOCK"

# --- DATA mode, Ctrl-C, Ctrl-D; a recording ---
rm -f "$out/rec.jsonl"
start 100 30 --record "$out/rec.jsonl" --cafile "$out/ca.pem" "$url"
check "second session connects" wait_for 'S: +220 mail.test'
check "the status bar shows the recording" wait_for 'PLAIN +● REC'
line 'EHLO c'
line 'MAIL FROM:<a@example.test>'
line 'RCPT TO:<b@example.test>'
line 'DATA'
check "DATA mode is visible" wait_for '^DATA>'
check "DATA badge in the status bar" wait_for 'PLAIN +DATA'
line 'Subject: test'
line '.leading dot'
check "body lines are client lines" wait_for 'C: +\.leading dot'
tui_keys t -l 'half a line'
keys C-c
check "Ctrl-C in DATA asks: end the message or drop the connection" \
    wait_for 'e ends the message \(sends "\."\)'
check "the question says drop is the only abort" \
    wait_for 'd drops the connection'
keys x
check "any other key goes on writing" wait_for 'still in DATA: nothing was sent'
check "the line being typed is kept" wait_for '^DATA> half a line$'
lacks "$out/server.log" 'END-OF-DATA' "Ctrl-C in DATA sent nothing by itself"
keys C-c
check "Ctrl-C asks again" wait_for 'e ends the message \(sends "\."\)'
keys e
check "e ends the message with a lone dot" wait_for '250 2.0.0 Ok: queued'
contains "$out/server.log" '^END-OF-DATA' "e sent the lone dot"
check "the prompt is back to normal" wait_for '^smtp>'
tui_keys t -l 'half typed'
check "typed text is shown" wait_for '^smtp> half typed'
keys C-c
check "Ctrl-C cancels the line" wait_gone 'half typed'
line ':reconnect'
check ":reconnect: the old connection is closed" \
    wait_for 'closed for :reconnect'
check ":reconnect connects again (a second greeting)" wait_count \
    'S: +220 mail.test' 2
: > "$out/server.log"
keys C-d
check "Ctrl-D leaves with exit 0" exited 0
contains "$out/server.log" '^QUIT' "Ctrl-D sent QUIT first"
lacks "$hist" 'leading dot' "DATA lines stay out of the history"
lacks "$out/rec.jsonl" 'half a line' "the line typed but not entered was never sent"
contains "$out/rec.jsonl" 'leading dot' "the recording holds the session"
check "the recording ends with a trailer" sh -c \
    'tail -n 1 "$1" | grep -q "\"quit\""' - "$out/rec.jsonl"

# --- ~/.inputrc under "$if mailscope"; SIGTERM ---
cat > "$out/inputrc" <<'EOF2'
$if mailscope
"\C-o": mailscope-help
"\C-t": "NOOP"
$endif
EOF2
run 100 30 INPUTRC="$out/inputrc" -- "$bin" --cafile "$out/ca.pem" "$url"
check "third session connects" wait_for 'S: +220 mail.test'
keys C-o
check "inputrc binds a mailscope function (C-o: help)" \
    wait_for 'keys and commands'
keys Escape
keys C-t
check "inputrc macros type into the line (C-t: NOOP)" wait_for '^smtp> NOOP'
keys C-c
tui_keys t -l ':'
keys Tab Tab
check "a long list of matches wraps over rows: the first" \
    wait_for '^ :answer +:append +:auth +:bdat'
check "a long list of matches wraps over rows: the last" \
    wait_for ':tls +:tour *$'
keys C-c
check "Ctrl-C dismisses the list" wait_gone ':tls +:tour'
pid=$(pgrep -P "$(_tui display-message -p -t t '#{pane_pid}')" | head -n 1)
check "the binary runs in the pane" [ -n "$pid" ]
kill -TERM "$pid" 2>/dev/null
check "SIGTERM leaves with 128+15" exited 143
check "SIGTERM restores the terminal" sh -c \
    '[ "$(tmux -L "$1" display-message -p -t t "#{alternate_on}")" = 0 ]' \
    - "$TUI_SOCK"

# --- Ctrl-Z under a shell with job control ---
tui_stop t
tui_start t 100 30 env PS1='job$ ' LANG=C.UTF-8 \
    XDG_STATE_HOME="$out/state" bash --norc --noprofile -i
check "a shell for job control" wait_for '^job\$'
tui_keys t -l "$bin --cafile $out/ca.pem $url"
keys Enter
check "the session starts from the shell" wait_for 'S: +220 mail.test'
keys C-z
check "Ctrl-Z suspends back to the shell" wait_for 'Stopped'
check "the shell prompt is usable" wait_for '^job\$ *$'
tui_keys t -l 'fg'
keys Enter
check "fg resumes and redraws the session" wait_for 'S: +220 mail.test'
line 'NOOP'
check "the session works after resuming" wait_for 'S: +250 2.0.0 Ok'
keys C-d
check "leaving after a resume returns to the shell" wait_for '^job\$ *$'

# --- NO_COLOR, a missing theme, :theme ---
run 100 30 NO_COLOR=1 -- "$bin" --theme no-such-theme \
    --cafile "$out/ca.pem" "$url"
check "a missing theme is reported, the session goes on" \
    wait_for 'theme "no-such-theme" not found'
check "NO_COLOR session shows the greeting" wait_for 'S: +220 mail.test'
line ':theme light'
check ":theme switches live" wait_for 'theme light'
line ':theme ../../etc/passwd'
check ":theme refuses what is not a theme" wait_for 'theme default kept|kept'
line ':quit'
check "NO_COLOR session leaves cleanly" exited 0

# --- the config file: its defaults apply, a bad line shows on the screen ---
mkdir -p "$out/config/mailscope"
printf 'timestamps off\nehlo conf.test\nfrobnicate yes\n' \
    > "$out/config/mailscope/config"
start 120 30 --cafile "$out/ca.pem" --starttls "$url"
check "config: a bad line is shown with file:line" \
    wait_for 'mailscope/config:3: unknown key "frobnicate"'
check "config: timestamps off and the EHLO name apply" \
    wait_for '^C: +EHLO conf\.test'
keys C-d
check "config: leaves with exit 0" exited 0
rm -f "$out/config/mailscope/config"

# --- 8 colours, no colours, no cursor addressing ---
for term in xterm vt100; do
	run 100 30 TERM=$term -- "$bin" --cafile "$out/ca.pem" "$url"
	check "TERM=$term: the session shows" wait_for 'S: +220 mail.test'
	line ':starttls'
	check "TERM=$term: the boundary rule shows" wait_for "$rule"
	keys C-d
	check "TERM=$term: leaves with exit 0" exited 0
done
run 100 30 TERM=dumb -- "$bin" "$url"
check "TERM=dumb: a clear message, no garbage" \
    wait_for 'cannot move the cursor; use --batch'
check "TERM=dumb: exit 1" exited 1

# --- progress of a literal that stops halfway until the next command ---
cat > "$out/progress.case" <<'EOF2'
send * OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n
expect ^(\S+) (?i:FETCH)
send * 1 FETCH (BODY[] {200000}\r\n
sendrepeat 1000 012345678901234567890123456789012345678901234567\r\n
expect ^\S+ (?i:NOOP)
sendrepeat 3000 012345678901234567890123456789012345678901234567\r\n
send )\r\na001 OK FETCH done\r\na002 OK NOOP done\r\n
expect ^\S+ (?i:LIST)
sendrepeat 2000 * LIST () "/" mailbox\r\n
expect ^\S+ (?i:NOOP)
send a003 OK LIST done\r\na004 OK NOOP done\r\n
expect ^(\S+) (?i:LOGOUT)
send * BYE\r\n${1} OK bye\r\n
close
EOF2
if fake_start progress "$out/progress.case"; then
	start 120 30 "imap://127.0.0.1:$FAKE_PORT"
	check "progress: greeting" wait_for 'S: +\* OK'
	line 'FETCH 1 BODY[]'
	check "progress: bytes so far, size, percent and rate" \
	    wait_for 'PLAIN +48\.8K/195\.3K 25% [1-9][0-9.]*[BKM]/s'
	line 'NOOP'
	check "progress: the FETCH completes" wait_for 'S: +a001 OK FETCH done'
	check "progress: gone once the literal is whole" wait_gone '195\.3K'
	line 'LIST "" *'
	check "progress of a reply of unknown size: bytes and rate" \
	    wait_for 'PLAIN +44\.9K [1-9][0-9.]*[BKM]/s'
	line 'NOOP'
	check "progress: the LIST completes" wait_for 'S: +a003 OK LIST done'
	check "progress: gone once the reply is whole" wait_gone '44\.9K '
	keys C-d
	check "progress: leaves with exit 0" exited 0
else
	fail "tui: the fake server did not start"
fi

# --- a long POP3 body: its lines arrive together; a search finds a
# line deep inside them and brings that line, not the top, into view ---
# The needle comes in one write after 60 lines: deeper than the pane.
fill=$(awk 'BEGIN { for (i = 0; i < 60; i++) printf "filler %d\\r\\n", i }')
cat > "$out/body.case" <<EOF2
send +OK fake POP3\r\n
expect ^(?i:RETR)
send +OK message follows\r\n
sendrepeat 3000 filler line\r\n
send ${fill}the needle line\r\n..a stuffed line\r\n
sendrepeat 1000 filler line\r\n
send .\r\n
expect ^(?i:QUIT)
send +OK bye\r\n
close
EOF2
if fake_start body "$out/body.case"; then
	start 120 30 "pop3://127.0.0.1:$FAKE_PORT"
	check "body: greeting" wait_for 'S: +\+OK fake POP3'
	line 'RETR 1'
	check "body: 4,062 lines folded, the stuffed one counted" \
	    wait_for '▸ 4062 lines, [0-9.]+ KiB of body folded'
	keys Tab
	keys -l /needle
	keys Enter
	check "body: the search unfolds the body and shows the line found" \
	    wait_for 'the needle line'
	check "body: the dot-stuffed line follows, unstuffed" \
	    wait_for '^[0-9:. ]*S: +\.a stuffed line'
	keys q
	line ':quit'
	check "body: :quit leaves with exit 0" exited 0
else
	fail "tui: the fake server did not start"
fi

# --- a fatal alert during the handshake: what failed and why ---
cat > "$out/alert.case" <<'EOF2'
send 220 fake ESMTP\r\n
expect ^(?i:EHLO)
send 250-fake\r\n250 STARTTLS\r\n
expect ^(?i:STARTTLS)
send 220 go ahead\r\n
sleep 100
tls-raw 15030300020228
close
EOF2
if fake_start alert "$out/alert.case"; then
	start 120 30 --starttls "smtp://127.0.0.1:$FAKE_PORT"
	check "alert: the panel says TLS FAILED" wait_for 'TLS FAILED'
	check "alert: the transcript names it, as a warning" \
	    wait_for '!! +TLS handshake failed: fatal alert from the server'
	keys C-d
	check "alert: leaves with the handshake exit code" exited 4
else
	fail "tui: the fake server did not start"
fi

# --- the built-in lab: its note is shown ---
start 80 24 --lab
check "--lab: the lab note is shown" wait_for 'lab: scenario good'
check "--lab: the lab greets" wait_for 'S: +220 '
line 'EHLO client.test'
line ':starttls'
check "--lab: STARTTLS at 80 columns" wait_for '^─── TLS established: '
check "80 columns: the rule too wide wraps at a word, under itself" \
    wait_for '^    [a-z]+( [a-z]+)*$'
line ':note the rule names the version and cipher the two sides agreed on for this session'
check "80 columns: mailscope's own lines wrap at words" \
    wait_for '^ {18}for this session$'
keys Tab
check "80 columns: the status bar keeps the focus, the target without its scheme" \
    wait_for '^ 127\.0\.0\.1:[0-9]+  SMTP  TLS .*\[transcript\]$'
keys C-d
check "--lab: Ctrl-D in the transcript leaves with exit 0" exited 0

# --- Ctrl-C in DATA against the lab: drop is an abort, nothing queued ---
# wait_last ERE: until the last lines of the screen match (earlier
# sessions' lines may still be above).
wait_last() {
	_i=0
	while [ $_i -lt 200 ]; do
		screen | tail -n 6 | grep -qE -- "$1" && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
mail_to_lab() {
	# Submission takes mail after STARTTLS and AUTH.
	line 'EHLO client.test'
	wait_last 'S: +250 8BITMIME'
	line ':starttls'
	wait_last 'certificate verified'
	line 'EHLO client.test'
	wait_last 'S:🔒 250 8BITMIME'
	line ':auth plain demo'
	wait_for 'Password for demo'
	line 'demo'
	wait_last 'S:🔒 235 '
	line 'MAIL FROM:<you@lab.mailscope.test>'
	line 'RCPT TO:<demo@lab.mailscope.test>'
	line 'DATA'
	wait_for '^DATA>'
	line "Subject: $1"
}
start 100 30 --lab
check "lab DATA: the lab greets" wait_for 'S: +220 '
mail_to_lab dropped
keys C-c
check "lab DATA: Ctrl-C asks end or drop" wait_for 'd drops the connection'
keys d
check "lab DATA: d drops the connection" \
    wait_for 'dropped in DATA by the user'
check "lab DATA: no reply to a message never ended" \
    sh -c '! tmux -L "$1" capture-pane -p -t t | grep -q "queued as"' \
    - "$TUI_SOCK"
line ':reconnect'
check "lab DATA: connected again" wait_last 'S: +220 lab'
mail_to_lab kept
keys C-c
check "lab DATA: Ctrl-C asks again" wait_for 'e ends the message'
keys e
check "lab DATA: the dropped message was not stored: this one is the first" \
    wait_for 'S:🔒 250 2\.0\.0 Ok: queued as 1$'
line 'MAIL FROM:<you@lab.mailscope.test>'
line 'RCPT TO:<demo@lab.mailscope.test>'
line 'DATA'
check "lab DATA: in DATA again" wait_for '^DATA>'
keys C-d
check "lab DATA: Ctrl-D in DATA closes (QUIT would be a line of the message) and leaves" \
    exited 0

# --- Postfix and Dovecot ---
need_servers
start 140 40 --cafile "$CA" "smtp://127.0.0.1:$SMTP_PORT"
check "Postfix: greeting" wait_for 'S: +220 mail.test ESMTP'
line 'EHLO client.test'
check "Postfix: STARTTLS offered in the panel" wait_for 'STARTTLS offered'
line ':starttls'
check "Postfix: boundary rule" wait_for "$rule"
check "Postfix: status bar TLS VERIFIED" wait_for 'SMTP +TLS +VERIFIED'
check "Postfix: panel subject" wait_for 'CN=mail\.test'
line 'EHLO client.test'
check "Postfix: AUTH offered inside TLS" wait_for 'S:🔒 250-AUTH'
line ":auth plain $USER"
check "Postfix: password prompt" wait_for "Password for $USER"
tui_keys t -l "$PASS"
keys Enter
check "Postfix: AUTH PLAIN accepted" wait_for 'S:🔒 235 '
screen > "$out/postfix.screen"
lacks "$out/postfix.screen" "$PASS" "Postfix: password not on screen"
line 'EHLO client.test'
check "Postfix: a list after login says so in the panel" \
    wait_for 'listed after login'
# A new connection has not logged in, whatever the last one did.
line ':reconnect'
check "Postfix: :reconnect closes the logged-in connection" \
    wait_for 'closed for :reconnect'
line 'EHLO client.test'
check "Postfix: after :reconnect the plaintext list is in the panel" \
    wait_for 'Capabilities \(plaintext\)'
check "Postfix: ... and is not taken for a list after login" \
    wait_gone 'listed after login'
# The TLS session of the last connection is resumed, and :compare puts
# the two side by side; a priority string is a what-if, a full handshake.
line ':starttls'
check "Postfix: :reconnect resumed the TLS session (panel)" \
    wait_for 'Resumed +yes \(TLS 1\.3 ticket\)'
line ':compare'
check "Postfix: :compare: the last connection beside this one" \
    wait_for 'resumed +no: nothing to resume'
line ':reconnect NORMAL:-VERS-ALL:+VERS-TLS1.2'
line 'EHLO client.test'
line ':starttls'
check "Postfix: :reconnect PRIORITY: TLS 1.2 beside TLS 1.3, marked" \
    wait_for 'version +TLS1\.3 → TLS1\.2'
check "Postfix: :reconnect PRIORITY is a full handshake" \
    wait_for 'Resumed +no: a new priority'
line ':reconnect NORMAL:+BOGUS'
check "Postfix: :reconnect with a bad priority says where, keeps the session" \
    wait_for "bad TLS priority string at '\+BOGUS'"
line ':quit'
check "Postfix: :quit leaves with exit 0" exited 0

# A weak suite forced by the priority: the session's warning reaches the
# TLS panel's Warnings (a "! " line there; the transcript marks "!!"),
# on a screen tall enough for the panel to reach them.
start 140 60 --cafile "$CA" --tls-priority 'NORMAL:-VERS-TLS1.3:-KX-ALL:+RSA' \
    "smtp://127.0.0.1:$SMTP_PORT"
check "weak kx: greeting" wait_for 'S: +220 mail.test ESMTP'
line 'EHLO client.test'
line ':starttls'
check "weak kx: the TLS panel warns of RSA key exchange" \
    wait_for '(^|[^!])! RSA key exchange: no forward secrecy'
line ':quit'
check "weak kx: :quit leaves with exit 0" exited 0

start 140 40 --cafile "$CA" "imap://127.0.0.1:$IMAP_PORT"
check "Dovecot IMAP: greeting" wait_for 'S: +\* OK'
tui_keys t -l 'a1 uid fe'
keys Tab
check "Dovecot IMAP: after UID, Tab completes its commands" \
    wait_for '^imap> a1 uid fetch'
keys C-c
line 'CAPABILITY'
check "Dovecot IMAP: tag added by the core" \
    wait_for 'C: +[A-Za-z0-9.]+ CAPABILITY'
line ':starttls'
check "Dovecot IMAP: STARTTLS established" wait_for "$rule"
line ":auth plain $USER"
check "Dovecot IMAP: password prompt" wait_for "Password for $USER"
tui_keys t -l "$PASS"
keys Enter
check "Dovecot IMAP: AUTHENTICATE accepted" \
    wait_for 'S:🔒 [A-Za-z0-9.]+ OK'
# Its OK lists the logged-in capabilities: no difference is made of them,
# and the panel says why, as the transcript does.
keys Tab Tab G
check "Dovecot IMAP: the panel compares no list that came with the login" \
    wait_for 'Capabilities after STARTTLS'
screen > "$out/imap-caps.screen"
contains "$out/imap-caps.screen" '│ +capabilities after STARTTLS not compared' \
    "Dovecot IMAP: the panel says why, from the transcript's event"
lacks "$out/imap-caps.screen" '│ +\+ [A-Z]' \
    "Dovecot IMAP: no capability claimed added by STARTTLS"
keys Escape
line 'SELECT INBOX'
check "Dovecot IMAP: SELECT" wait_for 'S:🔒 \* [0-9]+ EXISTS'
line 'FETCH 2 BODY[]'
# The fold counts the message's lines, however the literal was chunked.
big=$(find "$SERVERS_DIR/dovecot/home/$USER/Maildir" -name '*M2P1*' | head -n 1)
check "Dovecot IMAP: a big literal arrives folded, its lines counted" \
    wait_for "▸ $(wc -l < "$big") lines, [0-9.]+ MiB of literal folded"
check "Dovecot IMAP: the FETCH completes" wait_for 'S:🔒 [A-Za-z0-9.]+ OK Fetch'
keys Tab z
check "Dovecot IMAP: z expands the literal" wait_gone 'of literal folded'
keys z q
check "Dovecot IMAP: z folds it again" wait_for 'of literal folded'
line ':quit'
check "Dovecot IMAP: :quit (LOGOUT) leaves with exit 0" exited 0

start 140 40 --cafile "$CA" "pop3://127.0.0.1:$POP3_PORT"
check "Dovecot POP3: greeting" wait_for 'S: +\+OK'
line ':starttls'
check "Dovecot POP3: STLS established" wait_for "$rule"
line "USER $USER"
line "PASS $PASS"
check "Dovecot POP3: logged in" wait_for 'S:🔒 \+OK.*[Ll]ogged in'
line 'STAT'
check "Dovecot POP3: STAT" wait_for 'S:🔒 \+OK [0-9]+ [0-9]+'
screen > "$out/pop3.screen"
lacks "$out/pop3.screen" "$PASS" "Dovecot POP3: PASS redacted on screen"
lacks "$hist" "$PASS" "Dovecot POP3: PASS kept out of the history"
line ':quit'
check "Dovecot POP3: :quit leaves with exit 0" exited 0

# A certificate that fails: the verdict and its reasons, in plain words.
start 140 44 --cafile "$CA" "smtp://127.0.0.1:$EXPIRED_PORT"
check "expired: greeting" wait_for 'S: +220 '
line ':starttls'
check "expired: status bar says NOT VERIFIED" wait_for 'NOT VERIFIED'
check "expired: the panel gives the reason" wait_for '- .*expired'
check "expired: the step that failed" \
    wait_for '\+[0-9.]+ ms certificate NOT verified'
check "expired: the session is closed" wait_for 'CLOSED'
check "expired: the close is a warning in the transcript" \
    wait_for '!! +closed before sending anything inside TLS'
keys C-d
check "expired: leaves with the verification exit code" exited 5
exit 0
