#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Check mailscope judge --json's verdicts against what a client is
known to do.

    verdicts.py FILE LABEL CLIENT EXPECT...

EXPECT is WHICH:PROTO=VERDICT[,VERDICT...]: WHICH a scenario or an
attack (every scenario that plays it), PROTO smtp, imap, pop3 or * (each
one the matrix has for WHICH), VERDICT safe, vulnerable, not-exercised or
!vulnerable (anything else).  One PASS or FAIL line per EXPECT: it fails
when a matching cell has another verdict, or when no cell matches.
"""
import json
import sys


def main():
    path, label, client = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, encoding='utf-8') as f:
        doc = json.load(f)
    cells = [r for r in doc['results'] if r['client'] == client]
    for exp in sys.argv[4:]:
        which, _, rest = exp.partition(':')
        proto, _, want = rest.partition('=')
        wants = [w.replace('-', ' ') for w in want.split(',')]
        hit = [r for r in cells if which in (r['scenario'], r['attack']) and
               proto in ('*', r['proto'])]
        bad = []
        for r in hit:
            v = r['verdict']
            ok = any(v != 'vulnerable' if w == '!vulnerable' else v == w
                     for w in wants)
            if not ok:
                bad.append('%s/%s %s (%s)' % (r['scenario'], r['proto'], v,
                                              r['reason']))
        what = 'judge: %s: %s %s' % (label, exp, 'as known')
        if not hit:
            print('FAIL: %s (no such cell)' % what)
        elif bad:
            print('FAIL: %s: %s' % (what, '; '.join(bad)))
        else:
            print('PASS: %s (%d cells)' % (what, len(hit)))


if __name__ == '__main__':
    main()
