#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The OAuth 2.0 token introspection endpoint (RFC 7662) the test Dovecot's
oauth2 passdb asks: one token is active for one user, every other is not.

    oauth2.py ADDR PORT TOKEN USER PIDFILE
"""
import http.server
import json
import os
import socket
import struct
import sys
import urllib.parse

ADDR, PORT, TOKEN, USER, PIDFILE = sys.argv[1:6]


class Introspect(http.server.BaseHTTPRequestHandler):
    def answer(self, token):
        body = {"active": True, "username": USER} if token == TOKEN \
            else {"active": False}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        self.answer(form.get("token", [""])[0])

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        self.answer(auth[7:] if auth.startswith("Bearer ") else
                    q.get("access_token", [""])[0])

    def log_message(self, fmt, *args):
        pass


class Server(http.server.HTTPServer):
    # The client closes first (or, should it wait, a reset): no
    # TIME-WAIT is left on the port, which start.sh must find free the
    # next time.
    def shutdown_request(self, request):
        try:
            request.settimeout(5)
            while request.recv(4096):
                pass
        except OSError:
            pass
        request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                           struct.pack("ii", 1, 0))
        request.close()


srv = Server((ADDR, int(PORT)), Introspect)
with open(PIDFILE, "w") as f:
    f.write("%d\n" % os.getpid())
srv.serve_forever()
