#!/bin/sh
# SPDX-License-Identifier: ISC
# The lab server against peer tools: gnutls-cli, openssl s_client, swaks,
# python3 smtplib/imaplib/poplib and raw sockets.  One lab per scenario,
# on 127.0.0.1 only.  Prints one PASS:/FAIL: line per assertion.
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
TOP=$top
. "$top/tests/lib.sh"
out=$T
rm -rf "$out"/keep "$out"/lab-*.log

# The binary: $LAB_BIN, mailscope itself, or a small driver around
# lab_main while the front end is not built.
bin=${LAB_BIN:-}
if [ -n "$bin" ]; then
	:
elif [ -x build/mailscope ] && build/mailscope lab --list > /dev/null 2>&1; then
	bin="$top/build/mailscope"
else
	cat > "$out/labmain.c" <<'EOF'
#include "lab/lab.h"
int main(int argc, char **argv) { return lab_main(argc - 1, argv + 1); }
EOF
	if ${CC:-cc} -std=c17 -D_GNU_SOURCE -O1 -g -Isrc -o "$out/labdrv" \
	    "$out/labmain.c" src/lab/*.c src/base/*.c \
	    $(pkg-config --cflags --libs gnutls) > "$out/cc.log" 2>&1; then
		bin="$out/labdrv"
	else
		fail "lab driver builds"
		cat "$out/cc.log"
		exit 1
	fi
fi
echo "using $bin"

PY=python3
cat > "$out/labtest.py" <<'EOF'
import smtplib, imaplib, poplib, socket, ssl, sys, threading, time

ca, base = sys.argv[1], int(sys.argv[2])
SMTP, SUB, SMTPS, IMAP, IMAPS, POP3, POP3S = range(base, base + 7)
ctx = ssl.create_default_context(cafile=ca)

def raw(port):
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    return s

def reply(s, buf=b''):
    # one complete SMTP reply (last line "NNN ")
    while True:
        lines = buf.split(b'\r\n')
        for i, l in enumerate(lines[:-1]):
            if len(l) >= 4 and l[3:4] == b' ':
                return b'\r\n'.join(lines[:i + 1]) + b'\r\n', \
                    b'\r\n'.join(lines[i + 1:])
        d = s.recv(65536)
        if not d:
            return buf, b''
        buf += d

class Fail(Exception):
    pass

def fail(msg):
    raise Fail(msg)

def ehlo_plain(port=SUB):
    s = raw(port)
    reply(s)
    s.sendall(b'EHLO t\r\n')
    r, _ = reply(s)
    return s, r

def test(what):
    if what == 'auth-after-tls':
        s = smtplib.SMTP('127.0.0.1', SUB, timeout=10)
        s.ehlo()
        if s.has_extn('auth') or not s.has_extn('starttls'):
            fail('plaintext EHLO: %r' % s.esmtp_features)
        code, msg = s.docmd('AUTH', 'PLAIN AGRlbW8AZGVtbw==')
        if code != 538:
            fail('AUTH before TLS gave %d' % code)
        s.starttls(context=ctx)
        s.ehlo()
        auth = s.esmtp_features.get('auth', '')
        if s.has_extn('starttls') or 'PLAIN' not in auth:
            fail('TLS EHLO: %r' % s.esmtp_features)
        s.login('demo', 'demo')
        s.quit()
    elif what == 'send':
        s = smtplib.SMTP('127.0.0.1', SUB, timeout=10)
        s.starttls(context=ctx)
        s.login('demo', 'demo')
        s.sendmail('teacher@example.test', ['class@lab.mailscope.test'],
            'Subject: lesson one\r\nFrom: teacher@example.test\r\n\r\n'
            'Hello class.\r\n.a line with a dot\r\n')
        s.quit()
    elif what == 'imap-read':
        m = imaplib.IMAP4('127.0.0.1', IMAP, timeout=10)
        if 'LOGINDISABLED' not in m.capabilities:
            fail('no LOGINDISABLED before TLS: %r' % (m.capabilities,))
        m.starttls(ssl_context=ctx)
        m.login('demo', 'demo')
        typ, d = m.select('INBOX')
        n = int(d[0])
        found = False
        for i in range(1, n + 1):
            typ, d = m.fetch(str(i), '(BODY.PEEK[])')
            if b'Subject: lesson one' in d[0][1] and \
                    b'\r\n.a line with a dot\r\n' in d[0][1]:
                found = True
        m.logout()
        if not found:
            fail('message not found over IMAP')
    elif what == 'imaps-read':
        m = imaplib.IMAP4_SSL('127.0.0.1', IMAPS, ssl_context=ctx, timeout=10)
        m.login('demo', 'demo')
        m.select('INBOX')
        typ, d = m.search(None, 'ALL')
        typ, f = m.uid('FETCH', '1:*', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
        m.logout()
        if not d[0] or b'lesson one' not in b''.join(
                x[1] for x in f if isinstance(x, tuple)):
            fail('IMAPS search/fetch: %r %r' % (d, f))
    elif what == 'pop3-read':
        p = poplib.POP3('127.0.0.1', POP3, timeout=10)
        if 'STLS' not in p.capa() or 'USER' in p.capa():
            fail('POP3 plaintext CAPA: %r' % p.capa())
        p.stls(context=ctx)
        p.user('demo')
        p.pass_('demo')
        n, size = p.stat()
        ok = False
        for i in range(1, n + 1):
            resp, lines, octets = p.retr(i)
            if b'Subject: lesson one' in lines and b'.a line with a dot' in lines:
                ok = True
        p.quit()
        if not ok:
            fail('message not found over POP3')
    elif what == 'pop3s-read':
        p = poplib.POP3_SSL('127.0.0.1', POP3S, context=ctx, timeout=10)
        p.user('demo')
        p.pass_('demo')
        n, size = p.stat()
        p.quit()
        if n < 1:
            fail('POP3S maildrop empty')
    elif what == 'smtps':
        s = smtplib.SMTP_SSL('127.0.0.1', SMTPS, context=ctx, timeout=10)
        s.ehlo()
        if s.has_extn('starttls') or not s.has_extn('auth'):
            fail('SMTPS EHLO: %r' % s.esmtp_features)
        s.quit()
    elif what == 'no-starttls':
        s, r = ehlo_plain()
        if b'STARTTLS' in r:
            fail(r)
        m = imaplib.IMAP4('127.0.0.1', IMAP, timeout=10)
        if 'STARTTLS' in m.capabilities:
            fail(m.capabilities)
    elif what == 'strip':
        s, r = ehlo_plain()
        if b'STARTTLS' in r or b'250-XXXXXXXA' not in r:
            fail(r)
        s.sendall(b'STARTTLS\r\n')
        r, _ = reply(s)
        if not r.startswith(b'500 '):
            fail(r)
    elif what == 'refused':
        s, r = ehlo_plain()
        if b'250-STARTTLS' not in r:
            fail(r)
        s.sendall(b'STARTTLS\r\n')
        r, _ = reply(s)
        if not r.startswith(b'454 4.7.0'):
            fail(r)
    elif what == 'enforced':
        s, r = ehlo_plain()
        s.sendall(b'MAIL FROM:<a@example.test>\r\n')
        r, _ = reply(s)
        if r != b'530 5.7.0 Must issue a STARTTLS command first\r\n':
            fail(r)
    elif what == 'inject-response':
        s, r = ehlo_plain()
        s.sendall(b'STARTTLS\r\n')
        d = s.recv(65536)	# one segment: go-ahead and injection together
        if not d.startswith(b'220 2.0.0 Ready to start TLS\r\n') or \
                b'250-evil' not in d:
            fail(d)
    elif what in ('inject-command', 'discard-command'):
        s, r = ehlo_plain()
        s.sendall(b'STARTTLS\r\nEHLO injected\r\n')
        r, rest = reply(s)
        if not r.startswith(b'220 '):
            fail(r)
        c = ctx.wrap_socket(s, server_hostname='localhost')
        c.sendall(b'NOOP\r\n')
        r, _ = reply(c)
        injected = b'Hello injected' in r
        if what == 'inject-command' and not injected:
            fail('plaintext command not answered inside TLS: %r' % r)
        if what == 'discard-command' and (injected or
                not r.startswith(b'250 2.0.0 Ok')):
            fail('plaintext command was executed: %r' % r)
    elif what == 'slow':
        s = raw(SUB)
        chunks, buf = 0, b''
        while not buf.endswith(b'\r\n'):
            d = s.recv(100)
            if not d:
                break
            chunks += 1
            buf += d
        if not buf.startswith(b'220 lab.mailscope.test') or chunks < 10:
            fail('%d chunks: %r' % (chunks, buf))
    elif what == 'long-line':
        s, r = ehlo_plain()
        s.sendall(b'NOOP ' + b'x' * 20000 + b'\r\nNOOP\r\n')
        r, rest = reply(s)
        r2, _ = reply(s, rest)
        if not r.startswith(b'500 5.5.2') or not r2.startswith(b'250 '):
            fail((r, r2))
    elif what == 'garbage':
        s = raw(IMAP)
        s.recv(1000)
        s.sendall(b'\x00\xff\x1b[2J garbage\r\n)(*&\r\n')
        d = b''
        while d.count(b'\r\n') < 2:
            x = s.recv(1000)
            if not x:
                break
            d += x
        if d.count(b'BAD') != 2:
            fail(d)
    elif what in ('many', 'many2'):
        # 50 clients at once: some finish a STARTTLS session, some vanish
        # in the middle of a handshake, some hang up after the greeting.
        errors = []
        def full(i):
            try:
                s = smtplib.SMTP('127.0.0.1', SUB, timeout=30)
                s.starttls(context=ctx)
                s.ehlo()
                s.noop()
                s.quit()
            except Exception as e:
                errors.append('client %d: %r' % (i, e))
        def midshake(i):
            try:
                s = raw(SMTPS if i % 2 else IMAPS)
                s.sendall(b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' +
                    b'\x00' * 40)
                s.close()
            except Exception as e:
                errors.append('midshake %d: %r' % (i, e))
        def hangup(i):
            try:
                s = raw(POP3 if i % 2 else IMAP)
                s.recv(10)
                s.close()
            except Exception as e:
                errors.append('hangup %d: %r' % (i, e))
        ts = []
        for i in range(50):
            f = full if i % 5 in (0, 1, 2) else midshake if i % 5 == 3 \
                else hangup
            ts.append(threading.Thread(target=f, args=(i,)))
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if errors:
            fail('\n'.join(errors))
    elif what == 'idle':
        # An IMAP client in IDLE hears of mail that SMTP just accepted.
        c = ctx.wrap_socket(raw(IMAPS), server_hostname='localhost')
        f = c.makefile('rb')
        f.readline()
        c.sendall(b'a LOGIN demo demo\r\nb SELECT INBOX\r\nc IDLE\r\n')
        while True:
            l = f.readline()
            if not l or l.startswith(b'+ '):
                break
        s = smtplib.SMTP('127.0.0.1', SMTP, timeout=10)
        s.sendmail('a@example.test', ['demo@lab.mailscope.test'],
            'Subject: while idle\r\n\r\nnew\r\n')
        s.quit()
        l = f.readline()
        c.sendall(b'DONE\r\n')
        d = f.readline()
        if not l.endswith(b' EXISTS\r\n') or not d.startswith(b'c OK'):
            fail((l, d))
    elif what == 'flood':
        # A client that only writes and never reads: the lab stops reading
        # from it once its replies pile up, and serves everyone else.
        f = raw(IMAP)
        f.setblocking(False)
        chunk = b'a NOOP\r\n' * 4096
        sent = 0
        while sent < 64 * 1024 * 1024:
            try:
                sent += f.send(chunk)
            except BlockingIOError:
                break
        s = raw(SUB)
        r, _ = reply(s)
        s.sendall(b'NOOP\r\n')
        r2, _ = reply(s)
        f.close()
        if not r.startswith(b'220 ') or not r2.startswith(b'250 '):
            fail((r, r2))
        if sent >= 64 * 1024 * 1024:
            fail('the lab read 64 MB without anyone reading its replies')
    elif what == 'tls-too-soon':
        # A TLS client on the plaintext port is told where to go.
        s = raw(IMAP)
        s.recv(1000)
        try:
            ctx.wrap_socket(s, server_hostname='localhost')
            fail('a handshake succeeded on the plaintext port')
        except ssl.SSLError:
            pass
        s = raw(SUB)
        reply(s)
        s.sendall(b'\x16\x03\x01\x00\x10' + b'\x00' * 16)
        r, _ = reply(s)
        if not r.startswith(b'500 5.5.2 This port starts in plaintext'):
            fail(r)
    elif what == 'cap':
        # 256 clients are served, the next one is told 421 and let go.
        held = []
        for i in range(256):
            s = raw(SUB)
            r, _ = reply(s)
            if not r.startswith(b'220 '):
                fail('client %d: %r' % (i, r))
            held.append(s)
        s = raw(SUB)
        r, _ = reply(s)
        if not r.startswith(b'421 4.7.0'):
            fail('client 257: %r' % r)
        for s in held:
            s.close()
    elif what == 'alive':
        # Served again once the lab has seen cap's clients go (it may
        # still be reading their closes: 421 until then, 10 s at most).
        for _ in range(200):
            s = raw(SUB)
            r, _ = reply(s)
            s.close()
            if not r.startswith(b'421 '):
                break
            time.sleep(0.05)
        if not r.startswith(b'220 '):
            fail(r)
    else:
        fail('unknown test ' + what)


# Each test named on the command line in turn, in this one interpreter
# (its start-up costs more than most tests): a line "ok NAME" or
# "not-ok NAME: why" for each.
for what in sys.argv[3:]:
    try:
        test(what)
        print('ok', what)
    except Exception as e:
        print('not-ok %s: %r' % (what, e))
    sys.stdout.flush()
EOF

# A block of eight ports on loopback, at random: one taken already makes
# the lab fail to bind, and start_lab try another.
free_base() {
	echo $((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
}

PID=
CA=
BASE=
nlab=0
sect=main
trap 'exit 1' INT TERM

# section NAME FUNCTION [ARG...]: run FUNCTION side by side with the
# other sections (each on labs of its own), its lines kept in
# $out/sect-NAME.out until sections_done prints them in order.  The
# checks mostly wait: on handshakes, peers and the slow scenario.
sections=
section() {
	sections="$sections $1"
	(
		sect=$1
		LAST=$out/last-$1.out
		# A lab left running by an interrupted section is stopped.
		trap '[ -n "$PID" ] && kill "$PID" 2> /dev/null' EXIT
		shift
		"$@"
	) > "$out/sect-$1.out" 2>&1 &
}

sections_done() {
	wait
	for _s in $sections; do
		cat "$out/sect-$_s.out"
	done
}
start_lab() {
	# $1 scenario, further arguments go to the lab.  A port block taken
	# between the probe and the bind gets one more try elsewhere.
	scn=$1
	shift
	for try in 1 2 3; do
		BASE=$(free_base)
		nlab=$((nlab + 1))
		log=$out/lab-$sect-$nlab-$scn.log
		"$bin" lab --scenario "$scn" --port-base "$BASE" "$@" \
		    > "$log" 2>&1 &
		PID=$!
		i=0
		while ! grep -qs 'CA certificate' "$log" && [ $i -lt 300 ]; do
			kill -0 "$PID" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		CA=$(sed -n 's/^ *CA certificate *//p' "$log")
		[ -n "$CA" ] && [ -f "$CA" ] && return 0
		kill "$PID" 2>/dev/null
		wait "$PID"
		grep -q 'Address already in use' "$log" || break
	done
	fail "lab $scn starts"
	cat "$log"
	return 1
}

stop_lab() {
	kill -TERM "$PID" 2>/dev/null
	wait "$PID"
	rc=$?
	PID=
	# Under a sanitizer build, its reports land in the lab's log.
	if grep -q 'Sanitizer' "$log"; then
		fail "lab $scn: sanitizer report"
		grep -A 20 'Sanitizer' "$log" | head -n 40
	fi
	return $rc
}

# py NAME...: the python tests named, in one interpreter, their verdicts
# in $out/py-$sect.out; py_ok NAME: that NAME's was ok.
py() {
	$PY "$out/labtest.py" "$CA" "$BASE" "$@" > "$out/py-$sect.out" 2>&1
	# One test alone is asked whether it passed.
	[ $# -ne 1 ] || py_ok "$1"
}

py_ok() {
	grep -qx "ok $1" "$out/py-$sect.out" && return 0
	grep -A 5 "^not-ok $1: " "$out/py-$sect.out" ||
	    tail -n 5 "$out/py-$sect.out"
	return 1
}

gcli() {
	# $1 starttls proto or "", $2 port, $3 host
	if [ -n "$1" ]; then
		timeout 20 gnutls-cli --starttls-proto="$1" --x509cafile "$CA" \
		    -p "$2" "$3" < /dev/null 2>&1
	else
		timeout 20 gnutls-cli --x509cafile "$CA" -p "$2" "$3" \
		    < /dev/null 2>&1
	fi
}

gcli_name() {
	# $1 name the certificate must hold, $2 implicit TLS port
	timeout 20 gnutls-cli --x509cafile "$CA" --verify-hostname "$1" \
	    -p "$2" 127.0.0.1 < /dev/null 2>&1 |
	    grep -q 'Status: The certificate is trusted'
}

ossl() {
	# $1 starttls proto, $2 port, $3 line to send
	echo "$3" | timeout 20 openssl s_client -starttls "$1" -CAfile "$CA" \
	    -verify_hostname localhost -connect 127.0.0.1:"$2" 2>&1 |
	    grep -q 'Verify return code: 0 (ok)'
}

gcli_trusted() {
	gcli "$@" | grep -q 'Status: The certificate is trusted'
}

gcli_says() {
	# $1 text, then gcli arguments
	t=$1
	shift
	gcli "$@" > "$out/gcli-$sect.out"
	grep -q 'certificate is NOT trusted' "$out/gcli-$sect.out" &&
	    grep -q "$t" "$out/gcli-$sect.out"
}

# --list
n=$("$bin" lab --list | grep -c .)
if [ "$n" -eq 17 ]; then pass "lab --list describes 17 scenarios"
else fail "lab --list describes 17 scenarios (got $n)"; fi
expect_exit 1 "unknown scenario is refused (exit 1)" \
    "$bin" lab --scenario nonsense

# good: every peer tool, then load.
good() {
	if start_lab good; then
		p=$((BASE + 1))
		check "good: banner names the demo account" \
		    grep -q 'user demo, password demo' "$log"
		ss -Hltn > "$out/ss.out" 2>&1
		nl=0
		nlo=0
		for i in 0 1 2 3 4 5 6 7; do
			pat=":$((BASE + i)) "
			nl=$((nl + $(grep -c "$pat" "$out/ss.out")))
			nlo=$((nlo + $(grep "$pat" "$out/ss.out" |
			    grep -c " 127\.0\.0\.1$pat")))
		done
		if [ "$nl" -eq 8 ] && [ "$nlo" -eq 8 ]; then
			pass "good: eight listeners, all on 127.0.0.1"
		else
			fail "good: eight listeners, all on 127.0.0.1 ($nl, $nlo)"
		fi
		check "good: gnutls-cli STARTTLS smtp verifies with the lab CA" \
		    gcli_trusted smtp $p localhost
		check "good: gnutls-cli STARTTLS imap verifies" \
		    gcli_trusted imap $((BASE + 3)) localhost
		check "good: gnutls-cli STARTTLS pop3 verifies" \
		    gcli_trusted pop3 $((BASE + 5)) localhost
		check "good: gnutls-cli smtps verifies" \
		    gcli_trusted "" $((BASE + 2)) localhost
		check "good: gnutls-cli imaps verifies" \
		    gcli_trusted "" $((BASE + 4)) localhost
		check "good: gnutls-cli pop3s verifies" \
		    gcli_trusted "" $((BASE + 6)) localhost
		check "good: the certificate holds lab.mailscope.test" \
		    gcli_name lab.mailscope.test $((BASE + 2))
		check "good: openssl s_client -starttls smtp verifies" \
		    ossl smtp $p QUIT
		check "good: openssl s_client -starttls imap verifies" \
		    ossl imap $((BASE + 3)) 'a LOGOUT'
		check "good: openssl s_client -starttls pop3 verifies" \
		    ossl pop3 $((BASE + 5)) QUIT
		if command -v swaks > /dev/null 2>&1; then
			swaks --server 127.0.0.1:$BASE --to demo@lab.mailscope.test \
			    --from a@example.test --header 'Subject: swaks' \
			    --body 'via swaks' > "$out/swaks.out" 2>&1
			check "good: swaks delivers over plaintext SMTP" \
			    grep -q '<- *250 2.0.0 Ok: queued' "$out/swaks.out"
		fi
		py auth-after-tls smtps send imap-read imaps-read pop3-read \
		    pop3s-read discard-command long-line garbage idle tls-too-soon
		check "good: AUTH only after STARTTLS (538 before)" \
		    py_ok auth-after-tls
		check "good: implicit TLS SMTP offers AUTH, not STARTTLS" py_ok smtps
		check "good: smtplib sends over STARTTLS + AUTH" py_ok send
		check "good: the mail is readable with imaplib (STARTTLS)" \
		    py_ok imap-read
		check "good: the mail is readable with imaplib (IMAPS)" \
		    py_ok imaps-read
		check "good: the mail is readable with poplib (STLS)" py_ok pop3-read
		check "good: POP3S logs in" py_ok pop3s-read
		check "good: commands pipelined after STARTTLS are discarded" \
		    py_ok discard-command
		check "good: overlong line gives 500 5.5.2, session continues" \
		    py_ok long-line
		check "good: garbage and NUL bytes get IMAP BAD" py_ok garbage
		check "good: IMAP IDLE announces mail delivered over SMTP" \
		    py_ok idle
		check "good: TLS on a plaintext port is told to use STARTTLS" \
		    py_ok tls-too-soon
		rss0=$(awk '/^VmRSS/ {print $2}' /proc/"$PID"/status)
		fd0=$(ls /proc/"$PID"/fd | wc -l)
		py many many2 flood cap alive
		check "good: 50 concurrent clients (some vanish mid-handshake)" \
		    py_ok many
		check "good: 50 more concurrent clients" py_ok many2
		check "good: a client that never reads does not stall the lab" \
		    py_ok flood
		check "good: client 257 is refused with 421" py_ok cap
		check "good: the lab still answers afterwards" py_ok alive
		# Clients are gone: their fds must be too (the lab notices the close).
		i=0
		fd1=$(ls /proc/"$PID"/fd | wc -l)
		while [ "$fd1" -ne "$fd0" ] && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
			fd1=$(ls /proc/"$PID"/fd | wc -l)
		done
		rss1=$(awk '/^VmRSS/ {print $2}' /proc/"$PID"/status)
		if [ "$fd1" -eq "$fd0" ]; then
			pass "good: every client's fd closed ($fd0 open)"
		else
			fail "good: every client's fd closed ($fd0 before, $fd1 after)"
		fi
		# A sanitizer's allocator keeps freed memory: allow it more room.
		slack=65536
		ldd "$bin" 2>/dev/null | grep -q libasan && slack=262144
		if [ "$rss1" -lt $((rss0 + slack)) ]; then
			pass "good: RSS stays bounded (${rss0} kB -> ${rss1} kB)"
		else
			fail "good: RSS stays bounded (${rss0} kB -> ${rss1} kB)"
		fi
		dir=$(dirname "$CA")
		if stop_lab; then pass "good: SIGTERM stops the lab with status 0"
		else fail "good: SIGTERM stops the lab with status 0"; fi
		if [ ! -e "$dir" ]; then pass "good: the private temp dir is removed"
		else fail "good: the private temp dir is removed ($dir)"; fi
	fi

	# --keep-certs
	if start_lab good --keep-certs "$out/keep"; then
		check "keep-certs: CA written into DIR" test "$CA" = "$out/keep/ca.pem"
		stop_lab
		check "keep-certs: files stay after exit" \
		    test -f "$out/keep/ca.pem" -a -f "$out/keep/server.pem"
	fi
}

# The certificate lessons, seen by gnutls-cli.
certs() {

	if start_lab expired-cert; then
		check "expired-cert: gnutls-cli refuses: expired" \
		    gcli_says 'expired' smtp $((BASE + 1)) localhost
		stop_lab
	fi
	if start_lab wrong-host; then
		check "wrong-host: gnutls-cli refuses: name does not match" \
		    gcli_says 'does not match' smtp $((BASE + 1)) localhost
		stop_lab
	fi
	if start_lab self-signed; then
		check "self-signed: gnutls-cli refuses: issuer unknown" \
		    gcli_says 'issuer is unknown' smtp $((BASE + 1)) localhost
		stop_lab
	fi
	if start_lab tls12-only; then
		gcli smtp $((BASE + 1)) localhost > "$out/gcli-$sect.out"
		check "tls12-only: negotiates TLS 1.2" \
		    grep -q 'Description: (TLS1.2' "$out/gcli-$sect.out"
		if timeout 20 gnutls-cli --priority NORMAL:-VERS-ALL:+VERS-TLS1.3 \
		    --x509cafile "$CA" -p $((BASE + 2)) localhost < /dev/null \
		    > "$out/gcli-$sect.out" 2>&1; then
			fail "tls12-only: a TLS 1.3-only client is refused"
		else
			pass "tls12-only: a TLS 1.3-only client is refused"
		fi
		check "tls12-only: the refusal is a fatal alert, not a bare close" \
		    grep -qi 'alert' "$out/gcli-$sect.out"
		stop_lab
	fi
}

# The STARTTLS lessons, seen by raw sockets and python's clients.
starttls() {
	if start_lab no-starttls; then
		check "no-starttls: EHLO and CAPABILITY lack STARTTLS" py no-starttls
		stop_lab
	fi
	if start_lab strip; then
		check "strip: STARTTLS overwritten (XXXXXXXA), command refused" py strip
		stop_lab
	fi
	if start_lab starttls-refused; then
		check "starttls-refused: STARTTLS answered 454" py refused
		stop_lab
	fi
	if start_lab enforced; then
		check "enforced: MAIL before STARTTLS gets 530 5.7.0" py enforced
		stop_lab
	fi
	if start_lab inject-response; then
		check "inject-response: extra replies in the go-ahead's segment" \
		    py inject-response
		stop_lab
	fi
	if start_lab inject-command; then
		check "inject-command: pipelined plaintext answered inside TLS" \
		    py inject-command
		stop_lab
	fi
	if start_lab slow; then
		check "slow: the greeting trickles in byte by byte" py slow
		stop_lab
	fi
}

# mailscope itself against the lab, when the whole program is built: the
# exit codes of the contract (src/base/base.h) for each lesson.
probe_says() {
	# $1 exit status wanted, $2 finding (regex) in the probe's output
	[ "$prc" -eq "$1" ] && grep -q "$2" "$out/probe-$sect.out"
}
# lesson SCENARIO PROTO EXIT ERE: mailscope --lab --batch --starttls exits
# EXIT and its transcript holds the scenario's verdict.
lesson() {
	timeout 60 "$bin" --lab "$1" --lab-proto "$2" --batch --starttls \
	    -c QUIT < /dev/null > "$out/lesson-$sect.out" 2>&1
	lrc=$?
	if [ "$lrc" -eq "$3" ] && grep -Eq -- "$4" "$out/lesson-$sect.out"; then
		pass "mailscope --lab $1 ($2): exit $3, /$4/"
	else
		fail "mailscope --lab $1 ($2): exit $lrc (want $3), /$4/"
		tail -n 5 "$out/lesson-$sect.out" | sed 's/^/	| /'
	fi
}
# lessons PROTO: each scenario's lesson in mailscope over PROTO.
lessons() {
	p=$1
	lesson good $p 0 '^== TLS established: TLS1\.3, .*certificate verified$'
	lesson no-starttls $p 3 '^\*\* error: STARTTLS not offered'
	lesson starttls-refused $p 3 '^\*\* the server refused STARTTLS'
	lesson strip $p 3 '^\*\* error: STARTTLS not offered'
	lesson inject-response $p 6 '^\*\* response injection: '
	# mailscope never pipelines after STARTTLS: nothing to execute.
	lesson inject-command $p 0 'certificate verified$'
	lesson expired-cert $p 5 \
	    '^\*\* certificate NOT verified: expired on 2020-01-01'
	lesson wrong-host $p 5 \
	    'NOT verified: .*not in certificate .*wrong\.example\.net'
	lesson self-signed $p 5 \
	    '^\*\* certificate NOT verified: self-signed'
	lesson tls12-only $p 0 '^   version    TLS1\.2$'
	lesson slow $p 0 '^== TLS established: '
}

# More of mailscope on the lab: lessons that need more than QUIT, and
# the probe's verdict on three scenarios.
more() {
	lesson strip smtp 3 '^\*\* .*where STARTTLS belongs: .*stripping'
	lesson slow smtp 0 '^<- 220 lab\.mailscope\.test ESMTP .*\(scenario slow\)$'
	# enforced: mail before STARTTLS is refused, not merely unprotected.
	timeout 60 "$bin" --lab enforced --batch -c 'EHLO me' \
	    -c 'MAIL FROM:<a@example.test>' -c QUIT < /dev/null \
	    > "$out/lesson-$sect.out" 2>&1
	check "mailscope --lab enforced: MAIL before STARTTLS gets 530" \
	    grep -q '^<- 530 5\.7\.0 Must issue a STARTTLS command first$' \
	    "$out/lesson-$sect.out"
	timeout 60 "$bin" --lab enforced --lab-proto pop3 --batch \
	    -c 'USER demo' -c QUIT < /dev/null > "$out/lesson-$sect.out" 2>&1
	check "mailscope --lab enforced (pop3): USER before STLS refused" \
	    grep -q '^<- -ERR ' "$out/lesson-$sect.out"
	for scn in good inject-command strip; do
		start_lab "$scn" || continue
		timeout 120 "$bin" probe --cafile "$CA" \
		    submission://127.0.0.1:$((BASE + 1)) > "$out/probe-$sect.out" 2>&1
		prc=$?
		stop_lab
		if [ "$scn" = good ]; then
			check "probe of good: not vulnerable, exit 0" \
			    probe_says 0 'command-injection *not vulnerable'
			check "probe of good: nothing below TLS 1.2" \
			    probe_says 0 'lowest-version *TLS1.2'
		elif [ "$scn" = strip ]; then
			check "probe of strip: STARTTLS stripped, exit 3" \
			    probe_says 3 'starttls *stripped: '
		else
			check "probe of inject-command: VULNERABLE, exit 7" \
			    probe_says 7 'command-injection *VULNERABLE'
		fi
	done
}
# The command-injection lesson on the screen: :starttls CMD sends CMD in
# the same write as STARTTLS; inject-command answers it inside TLS.
no_injection() {
	! tui_screen inj | grep -q 'command injection'
}
screen() {
	for scn in inject-command good; do
		tui_start inj 160 40 sh -c 'export LANG=C.UTF-8 \
		    XDG_STATE_HOME="$1/state" XDG_CONFIG_HOME="$1/config"; \
		    "$2" --lab "$3"; echo "MAILSCOPE-EXIT=$?"; exec sleep 3600' \
		    sh "$out" "$bin" "$scn"
		check "$scn: the TUI is on the lab" \
		    tui_wait inj "scenario $scn\)" 15
		check "$scn: the message line says what to type first" \
		    tui_wait inj "lab: scenario $scn: type EHLO me, then STARTTLS"
		tui_line inj 'EHLO me'
		tui_wait inj 'S:   250 8BITMIME' 15
		tui_line inj ':starttls RSET'
		check "$scn: :starttls RSET sends RSET with STARTTLS" \
		    tui_wait inj 'C:   RSET ⟨injected⟩' 15
		if [ "$scn" = inject-command ]; then
			check "inject-command: RSET answered inside TLS, flagged" \
			    tui_wait inj '\[command$|command injection: ' 15
			tui_keys inj C-d
			check "inject-command: exit 6 after the injection" \
			    tui_wait inj '^MAILSCOPE-EXIT=6$' 15
		else
			tui_line inj 'NOOP'
			check "good: TLS up, NOOP answered" \
			    tui_wait inj 'S:🔒 250 2\.0\.0 Ok' 15
			check "good: the injected RSET was not executed" \
			    no_injection
			tui_keys inj C-d
			check "good: exit 0" \
			    tui_wait inj '^MAILSCOPE-EXIT=0$' 15
		fi
		tui_stop inj
	done
	# A certificate that fails: the session closes inside TLS and the
	# panel must not pass the plaintext capabilities off as TLS ones.
	tui_start inj 160 50 sh -c 'export LANG=C.UTF-8 \
	    XDG_STATE_HOME="$1/state" XDG_CONFIG_HOME="$1/config"; \
	    exec "$2" --lab expired-cert' sh "$out" "$bin"
	tui_wait inj 'S:   220 ' 15
	tui_line inj 'EHLO me'
	check "expired-cert: the panel lists the plaintext capabilities" \
	    tui_wait inj 'Capabilities \(plaintext\)' 15
	tui_line inj 'STARTTLS'
	check "expired-cert: closed, NOT VERIFIED" \
	    tui_wait inj 'CLOSED +NOT VERIFIED' 15
	check "expired-cert: the panel lists no capabilities as inside TLS" \
	    sh -c '! grep -q "Capabilities (inside TLS)" "$1"' sh \
	    "$T/inj.screen"
	tui_stop inj
}

section good good
section certs certs
section starttls starttls
if [ "$bin" = "$top/build/mailscope" ]; then
	for p in smtp imap pop3; do
		section "lessons-$p" lessons $p
	done
	section more more
	command -v tmux > /dev/null 2>&1 && section screen screen
fi
sections_done
exit 0
