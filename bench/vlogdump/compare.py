#!/usr/bin/env python3
"""Compares the original vlogdump's output (colours stripped) with opskit vlogdump's default output, request by
request (two lines each, same order): identical, identical but for the label (the original calls every request that
is not its kind of hit a MISS; opskit says PASS, PIPE, SYNTH), or different.

  compare.py ORIGINAL_OUTPUT OPSKIT_OUTPUT
"""
import re
import sys

ansi = re.compile(r"\x1b\[[0-9;]*m")
label = re.compile(r" (HIT|MISS|PASS|PIPE|SYNTH|-)$")

def requests(path):
    with open(path, encoding="latin-1") as f:
        lines = [ansi.sub("", l.rstrip("\n")) for l in f]
    lines = [l for l in lines if l and not l.startswith("Total number of requests")]
    return [(lines[i], lines[i + 1]) for i in range(0, len(lines) - 1, 2)]

original, ours = requests(sys.argv[1]), requests(sys.argv[2])
same = label_only = different = 0
example = None
for a, b in zip(original, ours):
    if a == b:
        same += 1
    elif label.sub("", a[0]) == label.sub("", b[0]) and a[1] == b[1]:
        label_only += 1
    else:
        different += 1
        example = example or (a, b)
print("requests: original %d, opskit %d; identical %d, label only %d, different %d" % (len(original), len(ours), same, label_only, different))
if example:
    print("first difference:\n  original: %r\n  opskit:   %r" % example)
sys.exit(0 if different == 0 and len(original) == len(ours) else 1)
