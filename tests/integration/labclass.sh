#!/bin/sh
# SPDX-License-Identifier: ISC
# The lab as a classroom server: Python's smtplib and imaplib stand in for
# a mail program (AUTH on submission, APPEND to Sent, COPY, MOVE,
# EXPUNGE), --keep-certs keeps the CA and --store the mail across a
# restart, --listen ::1, the mystery scenario by seed; then mailscope
# itself: --lab-proto smtps/imaps/pop3s in batch and on the screen, :ports
# and :reveal.  Every lab takes free ports from the kernel and says which
# in its banner; everything stays on loopback.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
out=$T
rm -rf "$out"/keep "$out"/store "$out"/*.log "$out"/state "$out"/config
bin=${MAILSCOPE_BIN:-$ASAN_MAILSCOPE}
PID=
trap '[ -n "$PID" ] && kill "$PID" 2> /dev/null; lib_cleanup' EXIT

cat > "$out/client.py" << 'EOF'
import imaplib, smtplib, socket, ssl, sys

ca, host = sys.argv[1], sys.argv[2]
SMTP, SUB, SMTPS, IMAP, IMAPS = [int(p) for p in sys.argv[3:8]]
ctx = ssl.create_default_context(cafile=ca)
MSG = 'From: teacher@lab.mailscope.test\r\nSubject: %s\r\n\r\n%s\r\n'

def imap():
    m = imaplib.IMAP4_SSL(host, IMAPS, ssl_context=ctx, timeout=10)
    m.login('demo', 'demo')
    return m

def count(m, box):
    typ, d = m.status(box, '(MESSAGES)')
    if typ != 'OK':
        raise Exception('STATUS %s: %r' % (box, d))
    return int(d[0].split(b'MESSAGES ')[1].rstrip(b')'))

def subjects(m, box):
    typ, d = m.select(box)
    if typ != 'OK':
        raise Exception('SELECT %s: %r' % (box, d))
    typ, d = m.fetch('1:*', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])') \
        if int(d[0]) else ('OK', [])
    return sorted(x[1].decode().strip() for x in d if isinstance(x, tuple))

def test(what):
    if what == 'auth-required':
        # Submission: refused without AUTH, inside TLS as outside.
        s = smtplib.SMTP(host, SUB, timeout=10)
        s.ehlo()
        code, _ = s.mail('teacher@lab.mailscope.test')
        if code != 530:
            raise Exception('MAIL before STARTTLS: %d' % code)
        s.starttls(context=ctx)
        s.ehlo()
        code, msg = s.mail('teacher@lab.mailscope.test')
        if code != 530 or b'Authentication required' not in msg:
            raise Exception('MAIL before AUTH: %d %r' % (code, msg))
        s.rset()
        s.login('demo', 'demo')
        s.sendmail('teacher@lab.mailscope.test', ['demo@lab.mailscope.test'],
            MSG % ('lesson one', 'Hello class.'))
        s.quit()
        s = smtplib.SMTP_SSL(host, SMTPS, context=ctx, timeout=10)
        s.ehlo()
        code, _ = s.mail('teacher@lab.mailscope.test')
        if code != 530:
            raise Exception('smtps MAIL before AUTH: %d' % code)
        s.quit()
        # Port 25's part: mail for the lab's domain without AUTH.
        s = smtplib.SMTP(host, SMTP, timeout=10)
        s.sendmail('a@example.test', ['demo@lab.mailscope.test'],
            MSG % ('from afar', 'by port 25'))
        s.quit()
    elif what == 'client':
        # What a mail program does: a copy in Sent, a folder of its own,
        # a move to Trash, Trash emptied.
        m = imap()
        typ, d = m.list()
        names = b' '.join(d)
        for want in (b'\\Sent) "/" "Sent"', b'\\Trash) "/" "Trash"'):
            if want not in names:
                raise Exception('LIST lacks %r: %r' % (want, d))
        typ, d = m.append('Sent', '(\\Seen)', None,
            (MSG % ('lesson one', 'Hello class.')).encode())
        if typ != 'OK' or b'APPENDUID' not in d[0]:
            raise Exception('APPEND: %r' % d)
        if count(m, 'Sent') != 1:
            raise Exception('Sent holds %d' % count(m, 'Sent'))
        typ, d = m.create('Lessons')
        if typ != 'OK':
            raise Exception('CREATE: %r' % d)
        m.select('INBOX')
        typ, d = m.copy('1:*', 'Lessons')
        if typ != 'OK' or b'COPYUID' not in d[0]:
            raise Exception('COPY: %r' % d)
        typ, d = m.uid('MOVE', '1', 'Trash')
        if typ != 'OK':
            raise Exception('UID MOVE: %r' % d)
        if count(m, 'INBOX') != 1 or count(m, 'Trash') != 1:
            raise Exception('after MOVE: INBOX %d, Trash %d' %
                (count(m, 'INBOX'), count(m, 'Trash')))
        typ, d = m.copy('1', 'Nowhere')
        if typ != 'NO' or b'TRYCREATE' not in d[0]:
            raise Exception('COPY to a missing mailbox: %r' % ((typ, d),))
        m.select('Trash')
        m.store('1', '+FLAGS', '(\\Deleted)')
        typ, d = m.expunge()
        if typ != 'OK' or d != [b'1']:
            raise Exception('EXPUNGE: %r' % d)
        m.close()
        if count(m, 'Trash') != 0 or count(m, 'Lessons') != 2:
            raise Exception('Trash %d, Lessons %d' %
                (count(m, 'Trash'), count(m, 'Lessons')))
        m.logout()
    elif what == 'kept':
        # After a restart with --store: every mailbox as it was left.
        m = imap()
        got = (subjects(m, 'INBOX'), subjects(m, 'Sent'),
            subjects(m, 'Lessons'), count(m, 'Trash'))
        want = (['Subject: from afar'], ['Subject: lesson one'],
            ['Subject: from afar', 'Subject: lesson one'], 0)
        if got != want:
            raise Exception('after the restart: %r' % (got,))
        m.logout()
    elif what == 'greet':
        # The greeting and the reply to STARTTLS: a scenario's face.
        s = socket.create_connection((host, SUB), timeout=10)
        f = s.makefile('rb')
        out = [f.readline()]
        s.sendall(b'EHLO me\r\n')
        while True:
            l = f.readline()
            out.append(l)
            if l[3:4] != b'-':
                break
        s.sendall(b'STARTTLS\r\n')
        out.append(f.readline()[:3])
        print('face %r' % b''.join(out))
    elif what == 'ipv6':
        s = smtplib.SMTP_SSL(host, SMTPS, context=ctx, timeout=10)
        s.ehlo()
        s.quit()
    else:
        raise Exception('unknown test ' + what)

for what in sys.argv[8:]:
    try:
        test(what)
        print('ok ' + what)
    except Exception as e:
        print('not-ok %s: %r' % (what, e))
EOF

# start_lab NAME ARGS...: a lab in the background, its banner in
# $out/NAME.log; the ports it got from the kernel in the variables below.
start_lab() {
	log=$out/$1.log
	shift
	"$bin" lab "$@" > "$log" 2>&1 &
	PID=$!
	i=0
	while ! grep -qs 'stop with Ctrl-C' "$log" && [ $i -lt 300 ]; do
		kill -0 "$PID" 2> /dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	CA=$(sed -n 's/^  CA certificate  //p' "$log")
	ports=
	for p in smtp submission smtps imap imaps pop3 pop3s; do
		ports="$ports $(sed -n "s/^  $p  *[^ ]*:\([0-9]*\) .*/\1/p" "$log")"
	done
	[ -n "$CA" ] && [ -f "$CA" ]
}

stop_lab() {
	kill -TERM "$PID" 2> /dev/null
	wait "$PID"
	_rc=$?
	PID=
	return $_rc
}

# py HOST TEST...: the client's verdicts in $out/py.out; py_ok TEST.
py() {
	_h=$1
	shift
	# shellcheck disable=SC2086
	python3 -S "$out/client.py" "$CA" "$_h" $ports "$@" > "$out/py.out" 2>&1
}
py_ok() {
	grep -qx "ok $1" "$out/py.out" && return 0
	grep "$1" "$out/py.out" || tail -n 5 "$out/py.out"
	return 1
}

fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256
}

# --- a mail program's day, then a restart ---------------------------------
if start_lab class --keep-certs "$out/keep" --store "$out/store"; then
	check "lab: listens on 127.0.0.1 without a warning" \
	    sh -c '! grep -q WARNING "$1" && grep -q "^  smtp  *127\.0\.0\.1:" "$1"' \
	    sh "$log"
	check "lab: the banner says submission wants AUTH" \
	    grep -q 'submission      mail only after AUTH' "$log"
	py 127.0.0.1 auth-required client
	check "smtplib: submission refuses mail before STARTTLS and before AUTH (530), takes it after" \
	    py_ok auth-required
	check "imaplib: APPEND to Sent, CREATE, COPY, UID MOVE to Trash, EXPUNGE" \
	    py_ok client
	fp1=$(fingerprint "$CA")
	check "lab: stopped with status 0" stop_lab
	check "--store: one file a message, in a mailbox directory" \
	    test -f "$out/store/mbox-53656e74/1.S"
	if start_lab again --keep-certs "$out/keep" --store "$out/store"; then
		fp2=$(fingerprint "$CA")
		if [ -n "$fp1" ] && [ "$fp1" = "$fp2" ]; then
			pass "--keep-certs: the CA fingerprint unchanged across a restart"
		else
			fail "--keep-certs: the CA fingerprint unchanged across a restart ($fp1, $fp2)"
		fi
		check "--keep-certs: the banner says the CA is kept" \
		    grep -q 'CA kept  ' "$log"
		check "--store: the banner counts the mail kept" \
		    grep -q "mail kept in    $out/store (4 messages)" "$log"
		py 127.0.0.1 kept
		check "--store: every mailbox as it was before the restart" \
		    py_ok kept
		stop_lab
	else
		fail "lab starts again on the kept CA and store"
		cat "$log"
	fi
	# A file the lab did not write: named, left alone, the rest read.
	echo junk > "$out/store/mbox-494e424f58/junk"
	if start_lab bad --store "$out/store"; then
		check "--store: a stray file is named in the banner" \
		    grep -q "! store: $out/store/mbox-494e424f58/junk: not a lab message file; left alone" "$log"
		check "--store: the stray file is left as it was" \
		    grep -qx junk "$out/store/mbox-494e424f58/junk"
		py 127.0.0.1 kept
		check "--store: the mail is all still there" py_ok kept
		stop_lab
	else
		fail "lab starts on a store with a stray file"
		cat "$log"
	fi
else
	fail "lab with --keep-certs and --store starts"
	cat "$log"
fi
expect_exit 1 "--store on a file: refused with a message" \
    "$bin" lab --store "$out/store/mbox-494e424f58/junk"
contains "$T/last.out" 'not a directory' "--store on a file: says it is not a directory"
expect_exit 1 "--listen takes an address, not a name" \
    "$bin" lab --listen lab.example
contains "$T/last.out" 'not an IPv4 or IPv6 address' "--listen lab.example: says why"

# --- --listen ::1: the certificate names it --------------------------------
# (where the machine has IPv6 loopback at all)
if ! python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
    2> /dev/null; then
	:
elif start_lab v6 --listen ::1; then
	check "--listen ::1: the ports are on [::1]" \
	    grep -q '^  smtps  *\[::1\]:' "$log"
	py ::1 ipv6
	check "--listen ::1: smtplib verifies the certificate for ::1" \
	    py_ok ipv6
	stop_lab
else
	fail "lab --listen ::1 starts"
	cat "$log"
fi

# --- mystery: the same seed, the same scenario, named nowhere -------------
mystery() {
	# mystery N: run the lab with seed 5, its face in $out/face-N
	if start_lab "mystery$1" --mystery --seed 5; then
		py 127.0.0.1 greet
		grep '^face ' "$out/py.out" > "$out/face-$1"
		kill -USR1 "$PID"
		i=0
		while ! grep -q 'mystery 5 was' "$log" && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		stop_lab
	else
		fail "lab --mystery --seed 5 starts"
		cat "$log"
	fi
}
mystery 1
mystery 2
name=$("$bin" lab --reveal 5 | sed -n 's/^mystery 5 was \([a-z0-9-]*\):.*/\1/p')
check "--reveal 5 names a scenario and where to look" \
    sh -c '[ -n "$1" ] && "$2" lab --reveal 5 | grep -q "^look at "' sh "$name" "$bin"
check "--mystery: the banner says mystery, not the scenario" \
    sh -c 'grep -q "scenario mystery (seed 5" "$1" && ! grep -q "scenario $2" "$1"' \
    sh "$out/mystery1.log" "$name"
check "--mystery: the greeting says mystery" \
    grep -q 'scenario mystery' "$out/face-1"
check "--mystery --seed 5 twice: the same scenario (same replies)" \
    cmp "$out/face-1" "$out/face-2"
check "--mystery: SIGUSR1 names it on the console, as --reveal does" \
    grep -q "mystery 5 was $name:" "$out/mystery2.log"

# --- mailscope --lab-proto smtps, imaps, pop3s in batch --------------------
for p in smtps imaps pop3s; do
	case $p in
	smtps) c='EHLO me' g='<~ 220 ' ;;
	imaps) c='a CAPABILITY' g='<~ \* OK \[CAPABILITY' ;;
	pop3s) c='CAPA' g='<~ \+OK ' ;;
	esac
	expect_exit 0 "--lab --lab-proto $p --batch: exit 0" \
	    "$bin" --lab --lab-proto "$p" --batch -c "$c"
	cp "$T/last.out" "$out/batch-$p.out"
	contains "$out/batch-$p.out" '^== TLS established: .*certificate verified' \
	    "--lab-proto $p: TLS from the first byte, verified"
	contains "$out/batch-$p.out" "^$g" "--lab-proto $p: the greeting inside TLS"
done
expect_exit 1 "--lab-proto smtpx: refused" "$bin" --lab --lab-proto smtpx --batch
expect_exit 1 "--mystery without --lab: refused" "$bin" --mystery smtp://127.0.0.1

# --- on the screen: --lab-proto imaps, :ports, --mystery and :reveal -------
command -v tmux > /dev/null 2>&1 || exit 0
run() {
	tui_stop t
	tui_start t 200 50 sh -c 'export LANG=C.UTF-8 \
	    XDG_STATE_HOME="$1/state" XDG_CONFIG_HOME="$1/config"; shift; \
	    "$@"; echo "MAILSCOPE-EXIT=$?"; exec sleep 3600' sh "$out" "$@"
}
for p in smtps pop3s; do
	case $p in
	smtps) g='S:🔒 220 lab\.mailscope\.test ESMTP' b='SMTP +TLS +VERIFIED' ;;
	pop3s) g='S:🔒 \+OK mailscope lab POP3 ready' b='POP3 +TLS +VERIFIED' ;;
	esac
	run "$bin" --lab --lab-proto "$p"
	check "tmux --lab-proto $p: the greeting inside TLS" tui_wait t "$g" 15
	check "tmux --lab-proto $p: the status bar says TLS, VERIFIED" \
	    tui_wait t "$b"
	tui_keys t C-d
	check "tmux --lab-proto $p: exit 0" tui_wait t '^MAILSCOPE-EXIT=0$' 15
done
run "$bin" --lab --lab-proto imaps
check "tmux --lab-proto imaps: the greeting inside TLS" \
    tui_wait t 'S:🔒 \* OK \[CAPABILITY IMAP4rev1' 15
check "tmux --lab-proto imaps: the status bar says IMAP, TLS" \
    tui_wait t 'IMAP +TLS'
tui_line t ':ports'
check ":ports: the submission port with what 587 is for" \
    tui_wait t 'submission +127\.0\.0\.1:[0-9]+ +SMTP, STARTTLS \(like 587'
check ":ports: implicit TLS on 993" \
    tui_wait t 'imaps +127\.0\.0\.1:[0-9]+ +IMAP, implicit TLS \(like 993\)'
tui_line t ':reveal'
check ":reveal without a mystery says which scenario plays" \
    tui_wait t 'no mystery: the lab plays good'
tui_keys t C-d
check "tmux --lab-proto imaps: exit 0" tui_wait t '^MAILSCOPE-EXIT=0$' 15

run "$bin" --lab --mystery --seed 5
check "tmux --mystery: the greeting says mystery" \
    tui_wait t 'S: +220 .*\(scenario mystery\)' 15
check "tmux --mystery: the status line says mystery" \
    tui_wait t 'lab: scenario mystery'
check "tmux --mystery: the scenario is named nowhere on the screen" \
    sh -c '! grep -q "scenario $1" "$2"' sh "$name" "$T/t.screen"
tui_line t ':reveal'
check ":reveal names the mystery scenario" \
    tui_wait t "mystery 5 was $name:"
check ":reveal says which line to look at" tui_wait t 'look at '
tui_keys t C-d
check "tmux --mystery: exit 0" tui_wait t '^MAILSCOPE-EXIT=0$' 15
tui_stop t
exit 0
