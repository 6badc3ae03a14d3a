#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Scripted hostile mail server for the mailscope security tests.

usage: fakeserver.py --port N [--host 127.0.0.1] [--log FILE]
                     [--connections N] [--max-seconds S] [--ready FILE]
                     CASEFILE

Listens on a loopback address only (anything else is refused), accepts
--connections connections one after the other (default 1) and plays the
case file on each.  --port 0 picks a free port.  Once listening it prints
"READY <port>" on stdout (and writes the port to --ready FILE).  Every
connection ends after --max-seconds (default 30) whatever the script says,
and accept() gives up after the same time, so the server never hangs.

tests/caseplay.py imports this module to play many cases in one process.

Case file: one command per line; blank lines and lines starting with '#'
are ignored.  TEXT arguments run to the end of the line and take escapes:
\\r \\n \\t \\0 \\e (ESC) \\s (space) \\\\ \\xNN (byte) \\uXXXX (UTF-8).
${NAME} in any argument is replaced by the environment variable NAME
(so cases can use ${GOOD_CERT} from tests/out/servers/env); relative
file names are relative to the case file.  In TEXT, ${0} .. ${9} are the
groups of the last expect match (e.g. the client's IMAP tag).

  send TEXT              write TEXT in one write(2) (TCP_NODELAY is on, so
                         one segment)
  sendslow MS TEXT       write TEXT one byte at a time, MS ms apart
  sendrepeat N TEXT      write TEXT N times (64 KiB writes): floods
  segment                wait 50 ms so the next send is a separate segment
                         that arrives separately
  expect REGEX           read one client line (up to LF) and match it
                         (Python re.search, without the line end); a
                         mismatch is logged as "I: mismatch" and play goes
                         on; end of input or timeout ends the connection
  read                   read one client line, whatever it is
  drain MS               read and log whatever the client sends for MS ms
  sleep MS               do nothing for MS ms
  starttls CERT KEY [MIN [MAX]]
                         TLS server handshake on the connection (Python
                         ssl).  MIN/MAX: 1.0 1.1 1.2 1.3; with 1.0 or 1.1
                         the cipher list gets @SECLEVEL=0.  Client bytes
                         read before the handshake but not yet consumed
                         are logged as "I: discarded plaintext <hex>" and
                         dropped, as a patched server does.  A failed
                         handshake is logged and ends the connection.
  keep-plaintext         the next starttls keeps the client bytes read
                         before the handshake ("I: kept plaintext <hex>")
                         and reads them as if they came inside TLS, as a
                         server open to command injection does
  wait-client            wait until the client sends more bytes (kept,
                         not consumed): a server that looks at its buffer
                         only when new input arrives
  tls-raw HEX            write raw bytes below TLS (e.g. 15030300020228,
                         a fatal handshake_failure alert)
  close                  close the connection (FIN)
  reset                  close with SO_LINGER 0 (RST)

Log (--log FILE, appended, one line per event, bytes escaped as above):
  I: <info>   connection open/close, TLS parameters, mismatches, timeouts
  C: <line>   a line the client sent (with its line end, escaped)
  S: <text>   what the server sent
"""

import argparse
import ipaddress
import os
import re
import socket
import ssl
import struct
import sys
import time


class Timeout(Exception):
    pass


class Closed(Exception):
    pass


def unescape(text):
    out = bytearray()
    i = 0
    simple = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "e": b"\x1b",
              "s": b" ", "\\": b"\\"}
    while i < len(text):
        c = text[i]
        if c != "\\" or i + 1 >= len(text):
            out += c.encode("utf-8")
            i += 1
            continue
        e = text[i + 1]
        if e in simple:
            out += simple[e]
            i += 2
        elif e == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2:i + 4]):
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        elif e == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2:i + 6]):
            out += chr(int(text[i + 2:i + 6], 16)).encode("utf-8",
                                                         "surrogatepass")
            i += 6
        else:
            raise ValueError("bad escape \\%s" % e)
    return bytes(out)


def escape(data):
    out = []
    for b in data:
        if b == 13:
            out.append("\\r")
        elif b == 10:
            out.append("\\n")
        elif b == 9:
            out.append("\\t")
        elif b == 92:
            out.append("\\\\")
        elif 32 <= b < 127:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    return "".join(out)


def expand(arg):
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}",
                  lambda m: os.environ.get(m.group(1), ""), arg)


def path_arg(p, casedir):
    return p if os.path.isabs(p) else os.path.join(casedir, p)


TLS_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


def parse_case(path):
    steps = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cmd, _, rest = line.partition(" ")
            args = {
                "send": 1, "sendslow": 2, "sendrepeat": 2, "segment": 0,
                "expect": 1, "read": 0, "drain": 1, "sleep": 1,
                "starttls": -1, "tls-raw": 1, "close": 0, "reset": 0,
                "keep-plaintext": 0, "wait-client": 0,
            }
            if cmd not in args:
                sys.exit("%s:%d: unknown command %r" % (path, n, cmd))
            want = args[cmd]
            if want == 0:
                argv = []
            elif want == 1:
                argv = [rest]
            elif want == 2:
                first, _, tail = rest.partition(" ")
                argv = [first, tail]
            else:
                argv = rest.split()
                if not 2 <= len(argv) <= 4 or any(
                        v not in TLS_VERSIONS for v in argv[2:]):
                    sys.exit("%s:%d: starttls CERT KEY [MIN [MAX]]" %
                             (path, n))
            if cmd in ("sendslow", "sendrepeat", "drain", "sleep"):
                try:
                    int(argv[0])
                except ValueError:
                    sys.exit("%s:%d: %s needs a number" % (path, n, cmd))
            if cmd in ("send", "sendslow", "sendrepeat"):
                try:
                    unescape(argv[-1])
                except ValueError as e:
                    sys.exit("%s:%d: %s" % (path, n, e))
            if cmd == "expect":
                try:
                    re.compile(argv[0])
                except re.error as e:
                    sys.exit("%s:%d: bad regex: %s" % (path, n, e))
            if cmd == "tls-raw":
                try:
                    bytes.fromhex(argv[0])
                except ValueError:
                    sys.exit("%s:%d: tls-raw needs hex" % (path, n))
            steps.append((n, cmd, [expand(v) for v in argv]))
    return steps


class Conn:
    def __init__(self, sock, deadline, log):
        self.sock = sock
        self.deadline = deadline
        self.log = log
        self.buf = b""
        self.keep = False

    def remaining(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Timeout()
        return left

    def sleep(self, seconds):
        left = self.remaining()
        if seconds >= left:
            time.sleep(left)
            raise Timeout()
        time.sleep(seconds)

    def write(self, data, quiet=False):
        self.sock.settimeout(self.remaining())
        try:
            self.sock.sendall(data)
        except socket.timeout:
            raise Timeout()
        except (BrokenPipeError, ConnectionResetError):
            raise Closed()
        if not quiet:
            self.log("S: " + escape(data))

    def recv_more(self, timeout=None):
        t = self.remaining() if timeout is None else min(timeout,
                                                         self.remaining())
        self.sock.settimeout(t)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            if timeout is not None:
                return None
            raise Timeout()
        except (ConnectionResetError, ssl.SSLError, OSError) as e:
            self.log("I: receive error: %s" % e)
            raise Closed()
        if not data:
            raise Closed()
        self.buf += data
        return data

    def readline(self):
        while b"\n" not in self.buf:
            try:
                self.recv_more()
            except Closed:
                if self.buf:
                    self.log("C: " + escape(self.buf) + " (no line end)")
                    self.buf = b""
                raise
        line, _, self.buf = self.buf.partition(b"\n")
        line += b"\n"
        self.log("C: " + escape(line))
        return line


def play(conn, steps, casedir, log):
    groups = []

    def text(arg):
        data = unescape(arg)
        for i, g in enumerate(groups):
            data = data.replace(b"${%d}" % i, g)
        return data

    for n, cmd, argv in steps:
        if cmd == "send":
            conn.write(text(argv[0]))
        elif cmd == "sendslow":
            delay = int(argv[0]) / 1000.0
            data = text(argv[1])
            for i in range(len(data)):
                conn.write(data[i:i + 1])
                if i + 1 < len(data):
                    conn.sleep(delay)
        elif cmd == "sendrepeat":
            unit = text(argv[1])
            left = int(argv[0]) * len(unit)
            block = unit * max(1, 65536 // max(1, len(unit)))
            log("I: sendrepeat %s x %s" % (argv[0], escape(unit)))
            while left > 0:
                chunk = block[:left]
                conn.write(chunk, quiet=True)
                left -= len(chunk)
        elif cmd == "segment":
            conn.sleep(0.05)
        elif cmd == "expect":
            line = conn.readline()
            m = re.search(argv[0], line.rstrip(b"\r\n").decode("latin-1"))
            if m:
                groups = [g.encode("latin-1") for g in
                          [m.group(0)] + [x or "" for x in m.groups()]][:10]
            else:
                log("I: mismatch at line %d: expected /%s/" % (n, argv[0]))
        elif cmd == "read":
            conn.readline()
        elif cmd == "drain":
            end = time.monotonic() + int(argv[0]) / 1000.0
            while time.monotonic() < end:
                before = len(conn.buf)
                got = conn.recv_more(timeout=end - time.monotonic())
                if got is not None:
                    log("C: " + escape(conn.buf[before:]))
                    conn.buf = conn.buf[:before]
        elif cmd == "sleep":
            conn.sleep(int(argv[0]) / 1000.0)
        elif cmd == "starttls":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            if len(argv) > 2:
                lo = TLS_VERSIONS[argv[2]]
                hi = TLS_VERSIONS[argv[3] if len(argv) > 3 else argv[2]]
                if lo < ssl.TLSVersion.TLSv1_2:
                    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
                ctx.minimum_version = lo
                ctx.maximum_version = hi
            ctx.load_cert_chain(path_arg(argv[0], casedir),
                                path_arg(argv[1], casedir))
            if conn.buf and conn.keep:
                log("I: kept plaintext " + conn.buf.hex())
            elif conn.buf:
                log("I: discarded plaintext " + conn.buf.hex())
                conn.buf = b""
            conn.keep = False
            conn.sock.settimeout(conn.remaining())
            conn.sock = ctx.wrap_socket(conn.sock, server_side=True,
                                        do_handshake_on_connect=False)
            try:
                conn.sock.do_handshake()
            except (ssl.SSLError, OSError) as e:
                log("I: tls handshake failed: %s" % e)
                raise Closed()
            log("I: tls %s %s" % (conn.sock.version(),
                                  conn.sock.cipher()[0]))
        elif cmd == "keep-plaintext":
            conn.keep = True
        elif cmd == "wait-client":
            conn.recv_more()
        elif cmd == "tls-raw":
            # Below TLS: straight to the descriptor, even inside a session.
            data = bytes.fromhex(argv[0])
            try:
                os.write(conn.sock.fileno(), data)
            except OSError:
                raise Closed()
            log("S: (raw) " + escape(data))
        elif cmd == "close":
            log("I: close")
            return
        elif cmd == "reset":
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
            log("I: reset")
            return
    log("I: end of case")


def serve(ls, steps, casedir, log, connections, max_seconds):
    """Accept CONNECTIONS connections on LS one after the other and play
    the case on each; accept() gives up after MAX_SECONDS."""
    for _ in range(connections):
        ls.settimeout(max_seconds)
        try:
            s, peer = ls.accept()
        except socket.timeout:
            log("I: no connection within %g s" % max_seconds)
            break
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        log("I: connection from %s:%d" % peer[:2])
        conn = Conn(s, time.monotonic() + max_seconds, log)
        try:
            play(conn, steps, casedir, log)
        except Timeout:
            log("I: time limit reached")
        except Closed:
            log("I: client closed")
        finally:
            try:
                conn.sock.close()
            except OSError:
                pass
    ls.close()


def listen(host, port):
    addr = ipaddress.ip_address(host)
    family = socket.AF_INET6 if addr.version == 6 else socket.AF_INET
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(8)
    return ls


def main():
    ap = argparse.ArgumentParser(description="scripted hostile mail server")
    ap.add_argument("--port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--log")
    ap.add_argument("--connections", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=30.0)
    ap.add_argument("--ready")
    ap.add_argument("case", nargs="?")
    a = ap.parse_args()
    if a.port is None or a.case is None:
        ap.error("--port and CASEFILE are required")

    try:
        addr = ipaddress.ip_address(a.host)
    except ValueError:
        addr = None
    if addr is None or not addr.is_loopback:
        sys.exit("fakeserver: refusing non-loopback address %r" % a.host)
    steps = parse_case(a.case)
    casedir = os.path.dirname(os.path.abspath(a.case))

    logf = open(a.log, "a", buffering=1) if a.log else None

    def log(s):
        if logf:
            logf.write(s + "\n")

    ls = listen(a.host, a.port)
    port = ls.getsockname()[1]
    if a.ready:
        with open(a.ready + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(a.ready + ".tmp", a.ready)
    print("READY %d" % port, flush=True)

    serve(ls, steps, casedir, log, a.connections, a.max_seconds)
    if logf:
        logf.close()


if __name__ == "__main__":
    main()
