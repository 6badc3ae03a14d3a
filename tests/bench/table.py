#!/usr/bin/env python3
"""Print the bench rows as one table with ratios, and write them as JSON.

Rows: figure, tool, value, unit, note.  For each figure the ratio column
compares mailscope with every other tool measured for it: for times a
ratio below 1 means mailscope is faster, for throughput above 1.
"""
import json
import platform
import sys

rows = []
with open(sys.argv[1]) as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 5:
            rows.append(dict(zip(("figure", "tool", "value", "unit", "note"), parts)))

def num(v):
    try:
        return float(v)
    except ValueError:
        return None

for r in rows:
    same = [x for x in rows if x["figure"] == r["figure"]]
    ms = [x for x in same if x["tool"].startswith("mailscope")]
    if r["tool"].startswith("mailscope") or not ms or num(r["value"]) is None:
        r["ratio"] = ""
        continue
    base = num(ms[0]["value"])
    if base is None or num(r["value"]) == 0:
        r["ratio"] = ""
        continue
    r["ratio"] = "%.2fx" % (base / num(r["value"]))

w = [max(len(str(r[k])) for r in rows + [dict(figure="figure", tool="tool", value="value", unit="unit", ratio="mailscope/peer", note="note")]) for k in ("figure", "tool", "value", "unit", "ratio")]
hdr = ("figure", "tool", "value", "unit", "mailscope/peer", "note")
print("  ".join(h.ljust(w[i]) if i < 5 else h for i, h in enumerate(hdr)))
for r in rows:
    vals = (r["figure"], r["tool"], r["value"], r["unit"], r["ratio"], r["note"])
    print("  ".join(str(v).ljust(w[i]) if i < 5 else str(v) for i, v in enumerate(vals)))
machine = "%s, %s, %d cores" % (platform.node(), platform.machine(), __import__("os").cpu_count())
print("machine:", machine)
json.dump({"machine": machine, "rows": rows}, open(sys.argv[2], "w"), indent=1)
