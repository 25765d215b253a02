#!/usr/bin/python3
"""Compares the crash test's acknowledged messages with what reached the sink.

  seqs.py ACK_FILE SINK_DIR [--quiet]

Prints "acknowledged=A delivered=D duplicates=U unacknowledged_delivered=X missing=M" and, when
some are missing, the first missing numbers. Exits 0 when every acknowledged message was delivered
at least once (duplicates and delivered-but-unacknowledged messages are allowed after a crash).
"""
import collections
import os
import re
import sys

SEQ = re.compile(rb"^X-E2E-Seq: (\d+)\r?$", re.M)


def main(argv):
    with open(argv[0]) as f:
        acked = {int(line) for line in f if line.strip()}
    seen = collections.Counter()
    for name in os.listdir(argv[1]):
        if name.endswith(".eml"):
            with open(os.path.join(argv[1], name), "rb") as f:
                m = SEQ.search(f.read())
            if m:
                seen[int(m.group(1))] += 1
    missing = sorted(acked - seen.keys())
    duplicates = sum(n - 1 for n in seen.values())
    extra = len(seen.keys() - acked)
    print(f"acknowledged={len(acked)} delivered={len(seen)} duplicates={duplicates} "
          f"unacknowledged_delivered={extra} missing={len(missing)}"
          + (f" first_missing={missing[:10]}" if missing else ""))
    return 0 if not missing else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
