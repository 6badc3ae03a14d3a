#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Play the hostile cases (tests/hostile/*.case) against mailscope.

usage: caseplay.py [--jobs N] [--quick] [--valgrind] CASE...
       caseplay.py --ctl FILE...

One process for the whole run: each case's script is played by
tests/fakeserver.py's engine in a thread, on a fresh port of 127.0.0.1,
while mailscope --batch (and --json, and for some the ASan build or
valgrind) talks to it; the checks are made here, in-process.  A hundred
cases cost a few hundred mailscope runs and nothing else: no shell,
sed or grep per check, no interpreter started per case.

The case file holds both the server script and, in "#> " lines, what
mailscope must do:

  #> url SCHEME          smtp, imap, pop3, smtps, ... (port added here)
  #> args ARGS           mailscope options (shell words, expanded by sh:
                         $H_CA, $H_DIR, $(...))
  #> cmd LINE            a command line for --script (repeatable)
  #> cmdrepeat N LINE    N times LINE in --script (in order with cmd)
  #> timeout SECONDS     mailscope --timeout (default 3)
  #> exit N              exit code of every run
  #> has ERE / lacks ERE batch text output (stdout) matches / does not
  #> err ERE             stderr of the text run matches
  #> json PYTHON         an expression over the --json run (see JSON)
  #> log ERE / nolog ERE the fake server's log of the text run
  #> export ERE          every export format of the --json capture has no
                         control byte and matches ERE
  #> secret TEXT         TEXT and its base64 are nowhere: not in the text
                         and --json runs, not in a --record of the latter,
                         not in any export of that recording
  #> rss KB              peak RSS of the text run at most KB
  #> asan / valgrind     one more run with the ASan build / under valgrind
                         memcheck: same exit code, no error (not --quick)
  #> manual              played by a section of hostile.sh, not here
  #> heavy               tens of megabytes through the engine: left out
                         under --quick
  #> novalgrind          left out under --valgrind (too slow under
                         memcheck for its own timeout)

Regular expressions are matched line by line, as grep -E does.  Every
text output, stderr and export is also checked for raw control bytes (C0
but TAB/LF, DEL, C1, invalid UTF-8, bidi/invisible format characters):
the sanitizer is the one gate to the terminal.  --ctl FILE... makes that
check alone (exit 1 and say where).

Environment: MAILSCOPE and ASAN_MAILSCOPE (the programs), T (scratch
directory), H_DIR and H_CA (the certificates hostile.sh made).  One
"PASS: case: what" or "FAIL: case: what" line per check, the cases in
name order.
"""

import base64
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import threading
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakeserver  # noqa: E402

# Only characters other than TAB, LF and printable ASCII can be bad: the
# regex finds them at C speed in outputs of tens of megabytes.
OTHER = re.compile("[^\t\n\x20-\x7e]")


def raw_control(path):
    """Where PATH holds a byte a terminal could act on, or None."""
    try:
        data = open(path, "rb").read()
    except OSError as e:
        return "%s: %s" % (path, e.strerror)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return "%s: invalid UTF-8 at %d" % (path, e.start)
    for m in OTHER.finditer(text):
        o = ord(m.group())
        if o < 32 or 0x7f <= o <= 0x9f or o in (0x2028, 0x2029) or \
                unicodedata.category(m.group()) == "Cf":
            return "%s: raw U+%04X at char %d" % (path, o, m.start())
    return None


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "surrogateescape")
    except OSError:
        return ""


def ere(pattern):
    """A grep -E pattern as a Python one: matched line by line."""
    return re.compile(pattern, re.MULTILINE)


def tail(path, n):
    return read_text(path).splitlines()[-n:]


class Case:
    def __init__(self, path, opts):
        self.path = path
        self.name = os.path.basename(path)[:-len(".case")]
        self.opts = opts
        self.tmp = opts["T"]
        self.lines = []
        self.d = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#> "):
                    key, _, arg = line[3:].rstrip("\n").partition(" ")
                    self.d.setdefault(key, []).append(arg)
        self.want = int(self.one("exit", "0"))
        self.tmo = int(self.one("timeout", "3"))

    def one(self, key, default=None):
        return self.d.get(key, [default])[0]

    def has(self, key):
        return key in self.d

    def file(self, suffix):
        return os.path.join(self.tmp, self.name + suffix)

    def ck(self, what, why):
        """One check: WHY is None when it holds, else what went wrong."""
        if why is None:
            self.lines.append("PASS: %s: %s" % (self.name, what))
            return
        self.lines.append("FAIL: %s: %s" % (self.name, what))
        for line in str(why).splitlines()[:5]:
            self.lines.append("\t| " + line)

    def rc_is(self, rc, log):
        if rc == self.want:
            return None
        return "\n".join(["exit %s" % rc] + tail(log, 4))

    def args(self):
        """The case's mailscope options, as the shell would split them."""
        words = " ".join(self.d.get("args", []))
        if not words:
            return []
        out = subprocess.run(
            ["sh", "-c", 'eval "set -- $1"; for a; do printf "%s\\0" "$a"; '
             'done', "-", words], stdout=subprocess.PIPE, check=True).stdout
        return [w.decode("utf-8", "surrogateescape")
                for w in out.split(b"\0")[:-1]]

    def script(self):
        with open(self.file(".script"), "w", encoding="utf-8") as f:
            for line in open(self.path, encoding="utf-8"):
                line = line.rstrip("\n")
                if line.startswith("#> cmd "):
                    f.write(line[len("#> cmd "):] + "\n")
                elif line.startswith("#> cmdrepeat "):
                    n, _, text = line[len("#> cmdrepeat "):].partition(" ")
                    f.write((text + "\n") * int(n))

    def mrun(self, name, prog):
        """Play the case on a fresh port and run PROG against it; returns
        its exit code.  Output in T/NAME.out and .err, the
        server's log in T/NAME.log.  The limits on both sides grow with
        the case's --timeout."""
        out, err, log = (os.path.join(self.tmp, name + s)
                         for s in (".out", ".err", ".log"))
        try:
            os.unlink(log)
        except FileNotFoundError:
            pass
        try:
            steps = fakeserver.parse_case(self.path)
            ls = fakeserver.listen("127.0.0.1", 0)
        except (SystemExit, OSError, ValueError) as e:
            with open(err, "w") as f:
                f.write("fake server did not start: %s\n" % e)
            open(out, "w").close()
            return 255
        port = ls.getsockname()[1]
        logf = open(log, "a", buffering=1)
        server = threading.Thread(
            target=fakeserver.serve, daemon=True,
            args=(ls, steps, os.path.dirname(os.path.abspath(self.path)),
                  lambda line: logf.write(line + "\n"), 1, self.tmo + 40))
        server.start()
        argv = prog + ["--script", self.file(".script"),
                       "%s://127.0.0.1:%d" % (self.one("url"), port)]
        with open(out, "wb") as o, open(err, "wb") as e:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=o,
                                 stderr=e)
        killed = []

        def kill():
            killed.append(1)
            p.kill()
        timer = threading.Timer(self.tmo + 60, kill)
        timer.start()
        p.wait()
        timer.cancel()
        server.join(self.tmo + 45)
        logf.close()
        rc = 124 if killed else p.returncode
        if rc < 0:
            rc = 128 - rc
        return rc

    def run(self):
        self.script()
        prog = [self.opts["MAILSCOPE"], "--batch", "--timeout",
                str(self.tmo)] + self.args()
        # Measured by time(1): a child forked from this process would
        # count the interpreter's pages as its own.
        limit = self.one("rss")
        if limit and not self.opts["valgrind"]:
            rc = self.mrun(self.name, ["/usr/bin/time", "-f", "%M", "-o",
                                       self.file(".rss")] + prog)
        else:
            rc = self.mrun(self.name, prog)
        out, err = self.file(".out"), self.file(".err")
        self.ck("exit %d" % self.want, self.rc_is(rc, out))
        self.ck("no raw control byte on stdout or stderr",
                raw_control(out) or raw_control(err))
        text, etext = read_text(out), read_text(err)
        log = read_text(self.file(".log"))
        for key, what, where, want in (
                ("has", "shows", text, True),
                ("lacks", "never", text, False),
                ("err", "stderr", etext, True),
                ("log", "server saw", log, True),
                ("nolog", "server never saw", log, False)):
            for pat in self.d.get(key, []):
                if not pat:
                    continue
                found = ere(pat).search(where) is not None
                self.ck("%s /%s/" % (what, pat),
                        None if found == want else
                        ("no match" if want else "matched"))
        if limit and not self.opts["valgrind"]:
            rss = (tail(self.file(".rss"), 1) or ["?"])[0]
            self.ck("peak RSS %s KB <= %s KB" % (rss, limit),
                    None if rss.isdigit() and int(rss) <= int(limit)
                    else "over")

        # The --json run: event kinds, flags and codes; then the exports.
        rec = self.file(".rec.jsonl") if self.has("secret") else None
        jout = self.file("-json.out")
        if self.has("json") or self.has("export") or rec:
            if rec and os.path.exists(rec):
                os.unlink(rec)
            rc = self.mrun(self.name + "-json", prog + ["--json"] +
                              (["--record", rec] if rec else []))
            self.ck("json: exit %d" % self.want, self.rc_is(rc, jout))
            self.jcheck(jout)
            for pat in self.d.get("export", []):
                for fmt in ("txt", "md", "html"):
                    path = self.file("." + fmt)
                    self.export(fmt, jout, path)
                    self.ck("export %s: no raw control byte" % fmt,
                            raw_control(path))
                    self.ck("export %s: shows /%s/" % (fmt, pat),
                            None if ere(pat).search(read_text(path))
                            else "no match")
        for secret in self.d.get("secret", []):
            if not secret:
                continue
            files = [out, err, jout, rec]
            for fmt in ("txt", "md", "html"):
                path = self.file(".rec." + fmt)
                self.export(fmt, rec, path)
                files.append(path)
            self.ck("secret %s: in no output, recording or export" % secret,
                    holds_secret(secret, files))
        # The memory checkers' re-runs are make check's, not --quick's.
        if self.has("asan") and not self.opts["quick"]:
            prog[0] = self.opts["ASAN_MAILSCOPE"]
            rc = self.mrun(self.name + "-asan", prog)
            aerr = self.file("-asan.err")
            self.ck("asan: exit %d" % self.want, self.rc_is(rc, aerr))
            self.ck("asan: no sanitizer report",
                    "a sanitizer report" if re.search(
                        r"ERROR: (Address|Leak)Sanitizer|runtime error",
                        read_text(aerr)) else None)
        if self.has("valgrind") and not self.opts["quick"]:
            prog[0] = self.opts["MAILSCOPE"]
            rc = self.mrun(self.name + "-vg", [
                "valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite"] + prog)
            self.ck("valgrind: exit %d, no memcheck error" % self.want,
                    self.rc_is(rc, self.file("-vg.err")))
        return self.lines

    def play(self):
        try:
            return self.run()
        except Exception as e:
            return self.lines + ["FAIL: %s: not played to the end: %s: %s" %
                                 (self.name, type(e).__name__, e)]

    def export(self, fmt, src, dst):
        with open(self.file(".export.err"), "wb") as e:
            subprocess.run([self.opts["MAILSCOPE"], "export", "--format", fmt,
                            "-o", dst, src], stdin=subprocess.DEVNULL,
                           stdout=e, stderr=e)

    def jcheck(self, path):
        """Each "#> json" expression over the events of a --json run."""
        try:
            lines = [json.loads(line) for line in open(path,
                                                       encoding="utf-8")]
            env = json_env(lines)
            err = None
        except Exception as e:
            err = "%s: %s" % (path, e)
        for x in self.d.get("json", []):
            if not x:
                continue
            why = err
            if why is None:
                try:
                    why = None if eval(x, env) else "false: " + x
                except Exception as e:
                    why = "%s: %s" % (type(e).__name__, e)
            self.ck("json: " + x, why)


def json_env(lines):
    """The names a "#> json" expression can use: hdr, trl, ev, close and
    the helpers below."""
    ev = [line for line in lines[1:] if "kind" in line]

    def data(e):
        return e["text"].encode() if "text" in e else \
            base64.b64decode(e["b64"])

    def kind(k):
        return [e for e in ev if e["kind"] == k]

    def flag(f, k="data"):
        return [e for e in ev if e["kind"] == k and f in e.get("flags", [])]

    def code(c):
        return [e for e in ev if e.get("code") == c]

    def side(d, chan):
        return [e for e in ev if e["kind"] == "data" and e["dir"] == d and
                (chan is None or e["chan"] == chan)]

    def text(e):
        return data(e).decode("latin-1")
    return {"hdr": lines[0], "trl": lines[-1], "ev": ev, "data": data,
            "kind": kind, "flag": flag, "code": code, "text": text,
            "srv": lambda chan=None: side("server", chan),
            "cli": lambda chan=None: side("client", chan),
            "close": [text(e) for e in kind("close")], "base64": base64}


def holds_secret(secret, paths):
    """Where SECRET or its base64 (with or without padding) is in a file,
    or in the data of an event of a recording (base64 there when not
    UTF-8); None when nowhere."""
    s = secret.encode()
    b = base64.b64encode(s)
    forms = sorted({s, b, b.rstrip(b"=")})
    for path in paths:
        try:
            raw = open(path, "rb").read()
        except OSError as e:
            return "%s: %s" % (path, e.strerror)
        blobs = [raw]
        for line in raw.split(b"\n"):
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if isinstance(e, dict) and "b64" in e:
                blobs.append(base64.b64decode(e["b64"]))
        for blob in blobs:
            for f in forms:
                if f in blob:
                    return "%s: holds %s" % (path, f.decode())
    return None


def main():
    argv = sys.argv[1:]
    if argv[:1] == ["--ctl"]:
        bad = [w for w in map(raw_control, argv[1:]) if w]
        for w in bad:
            print(w)
        sys.exit(1 if bad else 0)
    opts = {"jobs": 4, "quick": False, "valgrind": False}
    while argv and argv[0].startswith("--"):
        o = argv.pop(0)
        if o == "--jobs":
            opts["jobs"] = int(argv.pop(0))
        elif o in ("--quick", "--valgrind"):
            opts[o[2:]] = True
        else:
            sys.exit("caseplay.py: unknown option %s" % o)
    for k in ("MAILSCOPE", "ASAN_MAILSCOPE", "T"):
        opts[k] = os.environ[k]
    cases = []
    for path in argv:
        c = Case(path, opts)
        if c.has("manual") or (opts["quick"] and c.has("heavy")) or \
                (opts["valgrind"] and c.has("novalgrind")):
            continue
        cases.append(c)
    # Cases wait on timeouts as much as they compute.
    with concurrent.futures.ThreadPoolExecutor(opts["jobs"]) as pool:
        done = pool.map(Case.play, sorted(cases, key=lambda c: c.name))
        for lines in done:
            for line in lines:
                print(line)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
