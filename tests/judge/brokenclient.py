#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A deliberately broken mail client, for mailscope judge's tests.

    brokenclient.py PROTO HOST PORT [--weak-tls]

It makes three mistakes on purpose and no other:
  - it reads ahead: what came behind the STARTTLS go-ahead stays in its
    buffer and is read as the first replies inside TLS (injection);
  - when STARTTLS is missing or refused it logs in in plaintext anyway
    (stripping);
  - it verifies no certificate (certificates).
It asks for the capabilities again inside TLS and uses what it reads
then (tampering), hangs up on an IMAP PREAUTH greeting (preauth), and
wants TLS 1.2 or newer unless --weak-tls (downgrade).
"""
import select
import socket
import ssl
import sys
import warnings

USER, PASS = 'demo', 'demo'


class Conn:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.buf = b''

    def fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError('server closed')
        self.buf += d

    def line(self):
        while b'\n' not in self.buf:
            self.fill()
        ln, _, self.buf = self.buf.partition(b'\n')
        return ln.rstrip(b'\r').decode('utf-8', 'replace')

    def send(self, s):
        self.sock.sendall(s.encode() + b'\r\n')

    def read_ahead(self):
        # The mistake: whatever else is on its way joins the buffer.
        while select.select([self.sock], [], [], 0.3)[0]:
            d = self.sock.recv(65536)
            if not d:
                break
            self.buf += d

    def starttls(self, host, weak):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if weak:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.set_ciphers('DEFAULT:@SECLEVEL=0')
        else:
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        # The buffer is kept: its bytes are read as if from inside TLS.
        self.sock = ctx.wrap_socket(self.sock, server_hostname=host)


def smtp_reply(c):
    lines = [c.line()]
    while len(lines[-1]) > 3 and lines[-1][3] == '-':
        lines.append(c.line())
    return lines


def smtp(c, host, weak):
    smtp_reply(c)
    c.send('EHLO broken.example')
    caps = smtp_reply(c)
    if any('STARTTLS' in x for x in caps):
        c.send('STARTTLS')
        r = c.line()
        c.read_ahead()
        if r.startswith('220'):
            c.starttls(host, weak)
            c.send('EHLO broken.example')
            caps = smtp_reply(c)
    mech = 'CRAM-MD5' if any('CRAM-MD5' in x for x in caps) else 'PLAIN'
    if mech == 'CRAM-MD5':
        c.send('AUTH CRAM-MD5')
    else:
        import base64
        c.send('AUTH PLAIN ' + base64.b64encode(
            ('\0%s\0%s' % (USER, PASS)).encode()).decode())
    smtp_reply(c)
    c.send('MAIL FROM:<broken@example.test>')
    smtp_reply(c)
    c.send('QUIT')


def imap_until(c, tag):
    lines = []
    while True:
        ln = c.line()
        lines.append(ln)
        if ln.startswith(tag + ' '):
            return lines


def imap(c, host, weak):
    greeting = c.line()
    if greeting.startswith('* PREAUTH'):
        return          # no TLS can come: hang up
    c.send('a1 CAPABILITY')
    caps = ' '.join(imap_until(c, 'a1'))
    n = 2
    if 'STARTTLS' in caps:
        c.send('a2 STARTTLS')
        r = c.line()
        c.read_ahead()
        n = 3
        if r.startswith('a2 OK'):
            c.starttls(host, weak)
            c.send('a3 CAPABILITY')
            caps = ' '.join(imap_until(c, 'a3'))
            n = 4
    tag = 'a%d' % n
    if 'AUTH=CRAM-MD5' in caps:
        c.send(tag + ' AUTHENTICATE CRAM-MD5')
        c.line()
    else:
        c.send('%s LOGIN %s %s' % (tag, USER, PASS))
        imap_until(c, tag)
    c.send('a9 LOGOUT')


def pop3_multi(c):
    lines = [c.line()]
    if lines[0].startswith('+OK'):
        while lines[-1] != '.':
            lines.append(c.line())
    return lines


def pop3(c, host, weak):
    c.line()
    c.send('CAPA')
    caps = pop3_multi(c)
    if 'STLS' in caps:
        c.send('STLS')
        r = c.line()
        c.read_ahead()
        if r.startswith('+OK'):
            c.starttls(host, weak)
            c.send('CAPA')
            caps = pop3_multi(c)
    if any('CRAM-MD5' in x for x in caps):
        c.send('AUTH CRAM-MD5')
        c.line()
    else:
        c.send('USER ' + USER)
        c.line()
        c.send('PASS ' + PASS)
        c.line()
    c.send('QUIT')


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    weak = '--weak-tls' in sys.argv
    proto, host, port = args[0], args[1], int(args[2])
    c = Conn(host, port)
    try:
        {'smtp': smtp, 'imap': imap, 'pop3': pop3}[proto](c, host, weak)
    except (OSError, EOFError, ssl.SSLError) as e:
        print('brokenclient: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
