#!/bin/sh
# The TUI end to end: the real binary in a tmux pane of fixed size, keys
# sent as a person types them, the screen read back with capture-pane.
#
# A scripted SMTP server (Python, real STARTTLS with a test CA made by
# certtool) gives exact control over what the server sends, including
# terminal escape sequences; IMAP and POP3 run against the Dovecot test
# instance when tests/servers/start.sh has started it.
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
out=$top/tests/out/tui
rm -rf "$out"
mkdir -p "$out"
bin=${MAILSCOPE:-$top/mailscope}
sock=mailscope-tui-$$
[ -f tests/lib.sh ] && . tests/lib.sh

pass() { echo "PASS: $*"; }
failed() { echo "FAIL: $*"; }
check() {
	# check WHAT COMMAND...: PASS when the command succeeds
	what=$1
	shift
	if "$@"; then pass "$what"; else failed "$what"; fi
}

# tmux on a private socket; the pane runs the binary and then reports
# its exit status on the screen.
T() { tmux -L "$sock" "$@"; }
start() {
	# start W H ARGS...
	w=$1
	h=$2
	shift 2
	T kill-server 2>/dev/null
	T -f /dev/null new-session -d -s t -x "$w" -y "$h" \
	    "env LANG=C.UTF-8 TERM=tmux-256color XDG_STATE_HOME=$out/state \
	    XDG_CONFIG_HOME=$out/config $bin $* 2>$out/stderr; \
	    echo MAILSCOPE-EXIT=\$?; sleep 600"
	T set-option -t t remain-on-exit on >/dev/null 2>&1
}
screen() { T capture-pane -p -t t; }
keys() { T send-keys -t t "$@"; }
line() { T send-keys -t t -l "$1"; T send-keys -t t Enter; }
# wait until the screen matches (grep -E), at most 10 s
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
wait_gone() {
	i=0
	while [ $i -lt 100 ]; do
		screen | grep -qE -- "$1" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
stop() { T kill-server 2>/dev/null; }
trap 'stop; [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null' EXIT INT TERM

if [ ! -x "$bin" ]; then
	failed "tui: no binary at $bin (run make)"
	exit 1
fi
for tool in tmux python3 certtool; do
	if ! command -v $tool >/dev/null 2>&1; then
		failed "tui: $tool is missing (make deps-test)"
		exit 1
	fi
done

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
	failed "tui: certtool could not make the test certificates"
	exit 1
fi

# The scripted server: one connection at a time, SMTP with STARTTLS.
# ESC answers with terminal escape sequences, BIG N with N lines.
cat > "$out/server.py" <<'EOF'
import socket, ssl, sys
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
            return
        s = l.rstrip(b"\r\n")
        if data:
            if s == b".":
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
        elif v == b"BIG":
            n = int(s.split(b" ")[1])
            for i in range(n):
                w(b"250-big reply line %d\r\n" % i)
            w(b"250 big reply done\r\n")
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
python3 "$out/server.py" "$out/port" "$out/srv.pem" "$out/srv.key" \
    > "$out/server.log" 2>&1 &
spid=$!
i=0
while [ ! -s "$out/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$out/port" 2>/dev/null)
if [ -z "$port" ]; then
	failed "tui: the scripted server did not start"
	exit 1
fi
url=smtp://127.0.0.1:$port
secret='S3cret-Pw-4711'

# --- a full SMTP session at 140x40: the TLS panel is on the right ---
start 140 40 --cafile "$out/ca.pem" "$url"
check "greeting shown as a server line" wait_for 'S: +220 mail.test ESMTP'
check "status bar: target, protocol and PLAIN" \
    wait_for "127.0.0.1:$port +SMTP +PLAIN"
check "TLS panel: plaintext state explained" \
    wait_for 'PLAINTEXT'
line 'EHLO client.test'
check "client line marked C:" wait_for 'C: +EHLO client.test'
check "TLS panel: STARTTLS offered" wait_for 'STARTTLS offered'
line ':starttls'
check "boundary rule names the negotiated TLS" \
    wait_for '── TLS.*established'
check "status bar: TLS and VERIFIED" wait_for 'SMTP +TLS +VERIFIED'
s=$(screen)
check "TLS panel: version" sh -c 'echo "$1" | grep -qE "Version +TLS"' \
    - "$s"
check "TLS panel: certificate subject" sh -c \
    'echo "$1" | grep -q "CN=mail.test"' - "$s"
check "TLS panel: verdict" sh -c 'echo "$1" | grep -q "VERIFIED ("' - "$s"
check "TLS panel: matched name" sh -c \
    'echo "$1" | grep -qE "Matched +(DNS|IP):"' - "$s"
line 'EHLO client.test'
check "lines inside TLS carry the lock" wait_for 'C:🔒 EHLO client.test'
check "capability change after STARTTLS shown" \
    wait_for 'capabilities after STARTTLS'

# :auth asks for the secret without echo; it is never shown or stored.
line ':auth plain alice'
check ":auth prompts for the password" wait_for 'Password for alice'
T send-keys -t t -l "$secret"
s=$(screen)
check "the password is not echoed while typed" sh -c \
    '! echo "$1" | grep -q "$2"' - "$s" "$secret"
keys Enter
check "AUTH accepted" wait_for '235 2.7.0'
b64=$(printf '\000alice\000%s' "$secret" | base64)
s=$(screen)
check "the password appears nowhere on screen" sh -c \
    '! echo "$1" | grep -qe "$2" -e "$3"' - "$s" "$secret" "$b64"
check "the AUTH line is shown redacted" sh -c \
    'echo "$1" | grep -q "C:🔒 AUTH PLAIN.*redacted"' - "$s"

# Escape sequences from the server are shown, never obeyed.
T select-pane -t t -T tui-test-title
line 'ESC'
check "escape line arrives" wait_for 'S:🔒 250 title'
s=$(screen)
check "ESC sequences are shown escaped" sh -c \
    'echo "$1" | grep -q "PWNED-TITLE"' - "$s"
check "clear-screen did not clear the transcript" sh -c \
    'echo "$1" | grep -q "C: +EHLO client.test"' - "$s"
title=$(T display-message -p -t t '#{pane_title}')
check "the pane title is unchanged ($title)" \
    [ "$title" = tui-test-title ]

# Unknown commands: one line, nothing sent.
before=$(screen | grep -oE 'out [0-9.]+[BKM]' | tail -n 1)
line ':frobnicate'
check "unknown command reported" wait_for 'unknown command :frobnicate'
after=$(screen | grep -oE 'out [0-9.]+[BKM]' | tail -n 1)
check "unknown command sent nothing ($before = $after)" \
    [ "$before" = "$after" ]

# Scrollback and search over a long reply.
line 'BIG 400'
check "long reply arrives, follow mode at the bottom" \
    wait_for 'big reply done'
keys PPage
check "PgUp scrolls back" wait_for 'scrolled - End follows'
keys Tab
check "Tab on an empty line moves the focus" wait_for '\[transcript\]'
keys / 
T send-keys -t t -l 'line 123'
keys Enter
check "search finds the line" wait_for 'big reply line 123$|big reply line 123 '
check "search reports where" wait_for '/line 123: line'
keys End
check "End follows again" wait_gone 'scrolled - End follows'
keys q
check "q gives the command line the focus" wait_for '\[cmdline\]'

# Help overlay lists keys and commands.
keys F1
check "F1 opens the help" wait_for 'keys and commands'
keys End
check "help lists : commands (End scrolls it)" wait_for ':starttls'
keys Escape
check "Esc closes the help" wait_gone 'keys and commands'

# Resize in the middle of the session: relaid out, nothing lost.
T resize-window -t t -x 80 -y 24
check "after resizing to 80x24 the status bar is whole" \
    wait_for "SMTP +TLS +VERIFIED"
check "after resizing the prompt is there" wait_for '^smtp>'
keys F2
check "F2 shows the TLS panel below at 80 columns" wait_for '── TLS panel'
T resize-window -t t -x 30 -y 8
check "a too small terminal says so" wait_for 'terminal too small'
T resize-window -t t -x 120 -y 30
check "back to a usable size the transcript returns" \
    wait_for 'big reply done'
keys C-l
check "Ctrl-L redraws" wait_for '^smtp>'

# History: what was typed is kept, the password is not.
hist=$out/state/mailscope/history
check "history file written under XDG_STATE_HOME" [ -s "$hist" ]
check "history holds typed commands" grep -q 'EHLO client.test' "$hist"
check "history never holds the password" sh -c \
    '! grep -qe "$1" -e "$2" "$3"' - "$secret" "$b64" "$hist"

# Leave politely.
line ':quit'
check ":quit leaves with exit 0" wait_for 'MAILSCOPE-EXIT=0'
check ":quit sent QUIT first" grep -q '^QUIT' "$out/server.log"
check "the terminal is restored (no alternate screen left)" sh -c \
    '[ "$(tmux -L "$1" display-message -p -t t "#{alternate_on}")" = 0 ]' \
    - "$sock"
stop

# --- Ctrl-D leaves too, QUIT sent first; DATA mode and Ctrl-C ---
start 100 30 --cafile "$out/ca.pem" "$url"
check "second session connects" wait_for 'S: +220 mail.test'
line 'EHLO c'
line 'MAIL FROM:<a@example.test>'
line 'RCPT TO:<b@example.test>'
line 'DATA'
check "DATA mode is visible" wait_for '^DATA>'
check "DATA badge in the status bar" wait_for 'PLAIN +DATA'
line 'Subject: test'
line '.leading dot'
check "body lines are client lines" wait_for 'C: +\.leading dot'
keys C-c
check "Ctrl-C ends DATA with a lone dot" wait_for '250 2.0.0 Ok: queued'
check "the prompt is back to normal" wait_for '^smtp>'
T send-keys -t t -l 'half typed'
keys C-c
check "Ctrl-C cancels the line" wait_gone 'half typed'
: > "$out/server.log"
keys C-d
check "Ctrl-D leaves with exit 0" wait_for 'MAILSCOPE-EXIT=0'
check "Ctrl-D sent QUIT first" grep -q '^QUIT' "$out/server.log"
stop

# --- NO_COLOR and the mono theme still render every state ---
T kill-server 2>/dev/null
T -f /dev/null new-session -d -s t -x 100 -y 30 \
    "env LANG=C.UTF-8 NO_COLOR=1 XDG_STATE_HOME=$out/state \
    $bin --theme no-such-theme --cafile $out/ca.pem $url 2>$out/stderr; \
    echo MAILSCOPE-EXIT=\$?; sleep 600"
check "a missing theme is reported, the session goes on" \
    wait_for 'theme "no-such-theme" not found'
check "NO_COLOR session shows the greeting" wait_for 'S: +220 mail.test'
line ':theme light'
check ":theme switches live" wait_for 'theme light'
line ':quit'
check "NO_COLOR session leaves cleanly" wait_for 'MAILSCOPE-EXIT=0'
stop

# --- IMAP and POP3 against the Dovecot test instance ---
env=tests/out/servers/env
if [ -f "$env" ]; then
	. "./$env"
fi
if [ -n "${IMAP_PORT:-}" ] && [ -n "${TEST_USER:-}" ]; then
	start 140 40 ${CAFILE:+--cafile "$CAFILE"} \
	    "imap://${IMAP_HOST:-127.0.0.1}:$IMAP_PORT"
	check "IMAP greeting" wait_for 'S: +\* OK'
	line 'CAPABILITY'
	check "IMAP tag added by the core" wait_for 'C: +[A-Za-z0-9]+ CAPABILITY'
	line ':starttls'
	check "IMAP STARTTLS established" wait_for '── TLS.*established'
	line "LOGIN $TEST_USER $TEST_PASS"
	check "IMAP LOGIN redacted" wait_for 'LOGIN.*redacted'
	line ':quit'
	check "IMAP :quit sends LOGOUT and leaves" wait_for 'MAILSCOPE-EXIT='
	stop
fi
if [ -n "${POP3_PORT:-}" ] && [ -n "${TEST_USER:-}" ]; then
	start 140 40 ${CAFILE:+--cafile "$CAFILE"} \
	    "pop3://${POP3_HOST:-127.0.0.1}:$POP3_PORT"
	check "POP3 greeting" wait_for 'S: +\+OK'
	line ':starttls'
	check "POP3 STLS established" wait_for '── TLS.*established'
	line "USER $TEST_USER"
	line ':quit'
	check "POP3 :quit leaves" wait_for 'MAILSCOPE-EXIT='
	stop
fi
exit 0
