#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Print the bench rows as one table with ratios, and write them as JSON.

Rows: figure, tool, value, unit, note.  Every mailscope row of a figure
measured with peers gets the ratio to the fastest peer, always written as
"how many times the peer's speed" (above 1: mailscope is faster), and the
target of the bench it belongs to, met or MISSED:
  latency: no slower than the fastest peer (ratio >= 1.00);
  bulk with --record: at least 0.9x openssl's throughput;
  fleet: probe --targets at least as many targets/s as GNU parallel
  running one process per target.
"""
import json
import os
import platform
import sys

rows = []
with open(sys.argv[1]) as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 5:
            rows.append(dict(zip(("figure", "tool", "value", "unit", "note"),
                                 parts)))


def num(v):
    try:
        return float(v)
    except ValueError:
        return None


def speed(r):
    """Higher is better, whatever the unit."""
    v = num(r["value"])
    if v is None or v == 0:
        return None
    return v if r["unit"].endswith("/s") else 1 / v


for r in rows:
    r["ratio"] = ""
    if not r["tool"].startswith("mailscope") or speed(r) is None:
        continue
    peers = [(speed(x), x["tool"]) for x in rows
             if x["figure"] == r["figure"] and
             not x["tool"].startswith("mailscope") and speed(x) is not None]
    if not peers:
        continue
    best, who = max(peers)
    ratio = speed(r) / best
    r["ratio"] = "%.2fx %s" % (ratio, who)
    target = None
    if r["figure"].startswith("latency"):
        target = 1.0
    elif r["figure"].startswith("fleet") and r["figure"].find("IMAPS") > 0:
        target = 1.0
    elif r["figure"].startswith("bulk") and r["tool"] == "mailscope --record":
        target = 0.9
        ratio = speed(r) / dict((t, s) for s, t in peers).get(
            "openssl s_client", best)
    if target is not None:
        t = "target >= %.2fx: %s" % (target, "met" if ratio >= target
                                     else "MISSED")
        r["note"] = "; ".join(x for x in (r["note"], t) if x)

cols = ("figure", "tool", "value", "unit", "ratio", "note")
head = dict(figure="figure", tool="tool", value="value", unit="unit",
            ratio="vs fastest peer", note="note")
w = [max(len(str(r[k])) for r in rows + [head]) for k in cols[:-1]]
for r in [head] + rows:
    print("  ".join([str(r[k]).ljust(w[i]) for i, k in enumerate(cols[:-1])] +
                    [r["note"]]).rstrip())
cpu = ""
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
machine = "%s, %d cores, %s" % (cpu or platform.machine(), os.cpu_count(),
                                platform.platform())
print("machine:", machine)
with open(sys.argv[2], "w") as f:
    json.dump({"machine": machine, "rows": rows}, f, indent=1)
