#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""One bulk row: hyperfine's median as MB/s, and the peak RSS time(1) saw.

Arguments: hyperfine JSON, time(1) output, message size in bytes, figure,
tool.  Prints "figure<TAB>tool<TAB>MB/s<TAB>MB/s<TAB>peak RSS N MB".
"""
import json
import sys

j, rss, size, fig, tool = sys.argv[1:]
try:
    t = json.load(open(j))["results"][0]["median"]
    v = "%.1f" % (int(size) / 1e6 / t)
except (OSError, ValueError, KeyError, IndexError, ZeroDivisionError):
    v = "NA"
try:
    note = "peak RSS %d MB" % (int(open(rss).read().split()[-1]) // 1024)
except (OSError, ValueError, IndexError):
    note = ""
print("%s\t%s\t%s\tMB/s\t%s" % (fig, tool, v, note))
