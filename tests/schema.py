#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Validate the JSON mailscope wrote against the schemas it ships.

    schema.py [--newer STAMP] DIR|FILE...

Every file under the given directories is read line by line; a file is
mailscope's when one of its lines is a recording header
({"mailscope":"recording",...}), a probe result ({"target":...,
"findings":[...],"exit":N}), a judge matrix ({"mailscope":"judge",...})
or a lab verdict ({"port":...,"attack":...,"verdict":...}).  In such a
file every line that is a JSON object is validated: a header, an event
or a trailer against src/log/recording.schema.json, a probe result
against src/cmd/probe.schema.json, a matrix or a verdict against
src/cmd/judge.schema.json.  Lines that are not JSON (stderr interleaved
with 2>&1, a line torn by kill -9) are skipped; the lines after the
header of an older format (the schema's header names the current one;
files the tests copy from tests/data, or an older mailscope's) are
skipped until the next header.

With --newer, only files modified after STAMP are read: tests/run.sh
touches it when it starts, so what an earlier run (or another version of
mailscope) left in tests/out is not taken for this run's output.

A directory may hold a file named NOT-MAILSCOPE listing, one a line, the
names of files in it that the test wrote itself (damaged or hand-made
recordings fed to mailscope): they are not mailscope's output.

Prints one PASS line per file validated, one FAIL line per line that is
not valid (file:line, the schema path and the validator's message, at
most 5 a file), and a summary; exits 1 on any FAIL.  python3-jsonschema
4.10 (Debian 12) or later.
"""
import json
import os
import re
import sys

import jsonschema

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMAS = ("src/log/recording.schema.json", "src/cmd/probe.schema.json",
           "src/cmd/judge.schema.json")
MAX_FAILS = 5
# Where each kind of line is described, for the messages.
SCHEMA_OF = {
    "header": "recording.schema.json#/$defs/header",
    "event": "recording.schema.json#/$defs/event",
    "trailer": "recording.schema.json#/$defs/trailer",
    "probe": "probe.schema.json#",
    "judge": "judge.schema.json#",
    "verdict": "judge.schema.json#/$defs/line",
}


def validators():
    store = {}
    for path in SCHEMAS:
        with open(os.path.join(TOP, path), encoding="utf-8") as f:
            s = json.load(f)
        jsonschema.Draft202012Validator.check_schema(s)
        store[s["$id"]] = s
        if path.startswith("src/log/"):
            check_volatile(s)
    rec = "https://mailscope.invalid/schemas/recording.schema.json"

    def make(ref):
        schema = {"$ref": ref}
        try:
            from referencing import Registry
            from referencing.jsonschema import DRAFT202012
            reg = Registry().with_resources(
                (uri, DRAFT202012.create_resource(s))
                for uri, s in store.items())
            return jsonschema.Draft202012Validator(schema, registry=reg)
        except ImportError:
            res = jsonschema.RefResolver("", schema, store=store)
            return jsonschema.Draft202012Validator(schema, resolver=res)
    return {
        "header": make(rec + "#/$defs/header"),
        "event": make(rec + "#/$defs/event"),
        "trailer": make(rec + "#/$defs/trailer"),
        "probe": make("https://mailscope.invalid/schemas/probe.schema.json"),
        "judge": make("https://mailscope.invalid/schemas/judge.schema.json"),
        "verdict": make("https://mailscope.invalid/schemas/judge.schema.json"
                        "#/$defs/line"),
    }


# A recording of a flood is hundreds of thousands of events that differ
# only in these members: each value that meets the schema's constraint
# (checked here, and the schema checked to say just that) is replaced by
# one that does, and the rest of the line validated once per shape.
TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                     r"[0-9]{2}(\.[0-9]{1,9})?Z")
B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
VOLATILE = {
    "seq": (lambda v: type(v) is int and v >= 0, 0,
            {"type": "integer", "minimum": 0}),
    "t": (lambda v: type(v) in (int, float) and v >= 0, 0,
          {"type": "number", "minimum": 0}),
    "len": (lambda v: type(v) is int and v >= 0, 0,
            {"type": "integer", "minimum": 0}),
    "time": (lambda v: type(v) is str and TIME_RE.fullmatch(v), "",
             {"$ref": "#/$defs/time"}),
    "text": (lambda v: type(v) is str, "", {"type": "string"}),
    "b64": (lambda v: type(v) is str and B64_RE.fullmatch(v), "",
            {"type": "string", "pattern": "^[A-Za-z0-9+/]*={0,2}$"}),
}


def check_volatile(rec):
    """The schema still says what the shortcut assumes."""
    props = rec["$defs"]["event"]["properties"]
    for name, (_, _, want) in VOLATILE.items():
        got = {k: v for k, v in props[name].items() if k != "description"}
        assert got == want, (name, got)
    assert rec["$defs"]["time"]["pattern"] == "^" + TIME_RE.pattern + "$"


def shape(o):
    """The event with its volatile members replaced, as a memo key."""
    s = dict(o)
    for name, (ok, rep, _) in VOLATILE.items():
        if name in s and ok(s[name]):
            s[name] = rep
    return json.dumps(s, sort_keys=True)


def is_verdict(o):
    return "verdict" in o and "attack" in o and "port" in o


def line_kind(o):
    if o.get("mailscope") == "judge":
        return "judge"
    if is_verdict(o):
        return "verdict"
    if "mailscope" in o:
        return "header"
    if "findings" in o and "target" in o:
        return "probe"
    if o.get("kind") == "trailer" or ("end" in o and "kind" not in o):
        return "trailer"
    return "event"


def is_ours(o):
    return (o.get("mailscope") in ("recording", "judge") or is_verdict(o) or
            ("findings" in o and "target" in o and "exit" in o))


def objects(path):
    """(line number, object) for each line that is a JSON object."""
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.startswith(b"{"):
                continue
            try:
                o = json.loads(raw)
            except ValueError:
                continue
            if isinstance(o, dict):
                yield n, o


def current_format():
    """The recording format the schema describes: its one place."""
    with open(os.path.join(TOP, SCHEMAS[0]), encoding="utf-8") as f:
        s = json.load(f)
    return s["$defs"]["header"]["properties"]["format"]["const"]


FORMAT = current_format()


def check_file(path, vs, valid):
    """(lines validated, lines skipped, [failure lines])."""
    ok = skipped = 0
    fails = []
    old = False
    for n, o in objects(path):
        kind = line_kind(o)
        if kind == "header":
            old = isinstance(o.get("format"), int) and o["format"] < FORMAT
        if old:
            skipped += 1
            continue
        key = shape(o) if kind == "event" else None
        if key in valid:
            ok += 1
            continue
        errs = sorted(vs[kind].iter_errors(o), key=lambda e: list(e.path))
        if not errs:
            if key is not None:
                valid.add(key)
            ok += 1
            continue
        for e in errs[:1]:
            where = "/".join(str(p) for p in e.absolute_path) or "(line)"
            schema_path = SCHEMA_OF[kind] + "/" + "/".join(
                str(p) for p in e.absolute_schema_path)
            msg = e.message if len(e.message) < 200 else \
                e.message[:200] + "..."
            fails.append("%s:%d: %s %s: %s (schema %s)" % (
                os.path.relpath(path, TOP), n, kind, where, msg,
                schema_path))
    return ok, skipped, fails


def candidates(args, newer):
    for a in args:
        if os.path.isfile(a):
            yield a
            continue
        for d, dirs, files in os.walk(a):
            dirs.sort()
            skip = set()
            if "NOT-MAILSCOPE" in files:
                with open(os.path.join(d, "NOT-MAILSCOPE")) as f:
                    skip = {ln.strip() for ln in f if ln.strip()}
            for name in sorted(files):
                p = os.path.join(d, name)
                if name in skip or not os.path.isfile(p) or \
                        os.path.islink(p) or \
                        os.stat(p).st_mtime_ns < newer:
                    continue
                yield p


def ours(path):
    try:
        for _, o in objects(path):
            if is_ours(o):
                return True
    except OSError:
        pass
    return False


def main():
    args = sys.argv[1:]
    newer = 0
    if args[:1] == ["--newer"]:
        newer = os.stat(args[1]).st_mtime_ns
        args = args[2:]
    vs = validators()
    valid = set()
    files = lines = skipped = nfail = 0
    for path in candidates(args or [os.path.join(TOP, "tests/out")], newer):
        if not ours(path):
            continue
        ok, sk, fails = check_file(path, vs, valid)
        files += 1
        lines += ok
        skipped += sk
        rel = os.path.relpath(path, TOP)
        if fails:
            nfail += 1
            for f in fails[:MAX_FAILS]:
                print("FAIL: schema: " + f)
            if len(fails) > MAX_FAILS:
                print("	| ... and %d more" % (len(fails) - MAX_FAILS))
        elif ok > 0:
            print("PASS: schema: %s (%d lines)" % (rel, ok))
    if files == 0:
        nfail += 1
        print("FAIL: schema: no recording or probe result found: nothing "
              "was checked")
    print("schema: %d files, %d lines valid, %d lines of older formats "
          "skipped, %d files with errors" % (files, lines, skipped, nfail),
          file=sys.stderr)
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
