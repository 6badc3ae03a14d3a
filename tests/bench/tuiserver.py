#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""SMTP-speaking loopback server for the TUI bench (tests/bench/tui.sh).

usage: tuiserver.py --ready FILE [--lines N] [--trickle N] [--gap MS]

Listens on 127.0.0.1, a free port, written to FILE once listening; serves
every connection in its own thread until killed.  After the greeting:

  HELP   N numbered "214-" lines (default 1,000,000), then "214 end":
         the big transcript, sent as fast as the client reads
  NOOP   --trickle numbered "250-" lines, each in its own segment --gap
         ms apart, then "250 ok": one line per frame
  QUIT   "221 bye" and close
  else   "250 ok"
"""

import argparse
import os
import socket
import socketserver
import time

LINE = b"214-2.0.0 line %07d of the synthetic transcript\r\n"


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        a = self.server.args
        s = self.request
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(b"220 bench.test ESMTP tui bench\r\n")
        for raw in self.rfile:
            verb = raw.strip().upper()
            if verb == b"HELP":
                chunk = []
                for i in range(1, a.lines + 1):
                    chunk.append(LINE % i)
                    if len(chunk) == 2048:
                        s.sendall(b"".join(chunk))
                        chunk = []
                chunk.append(b"214 end\r\n")
                s.sendall(b"".join(chunk))
            elif verb == b"NOOP":
                for i in range(1, a.trickle + 1):
                    s.sendall(b"250-trickle %07d\r\n" % i)
                    time.sleep(a.gap / 1000.0)
                s.sendall(b"250 ok\r\n")
            elif verb == b"QUIT":
                s.sendall(b"221 bye\r\n")
                return
            else:
                s.sendall(b"250 ok\r\n")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description="TUI bench server")
    ap.add_argument("--ready", required=True)
    ap.add_argument("--lines", type=int, default=1000000)
    ap.add_argument("--trickle", type=int, default=200)
    ap.add_argument("--gap", type=float, default=10)
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.args = a
    with open(a.ready + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(a.ready + ".tmp", a.ready)
    srv.serve_forever()


if __name__ == "__main__":
    main()
