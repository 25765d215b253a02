#!/usr/bin/python3
"""Timing core of bench/postfix-compare.sh.

  measure.py run --port PORT --counter FILE --sessions S --messages M --length L \
                 [--label TEXT] [--timeout SECONDS] [--out RESULTS.jsonl]
      Runs smtp-source against 127.0.0.1:PORT and times two moments from its start: when the
      driver exits (it has had its last 250: the accepted time) and when the upstream smtp-sink's
      counter (its -c output, in FILE) has grown by M messages (the delivered time). Prints one line
      and appends a JSON record to --out.
  measure.py summary RESULTS.jsonl
      Prints median and min-max of each label's rates, and the Relay/Postfix ratios.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

RECORD = re.compile(rb"mesg=(\d+)$")


def sink_messages(counter_path):
    """The message count in smtp-sink's last complete counter record ("sess=.. quit=.. mesg=N\\r")."""
    try:
        with open(counter_path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 256))
            tail = f.read()
    except FileNotFoundError:
        return 0
    for record in reversed(tail.split(b"\r")[:-1]):  # the piece after the last \r may be partial
        m = RECORD.search(record.strip())
        if m:
            return int(m.group(1))
    return 0


def run(args):
    baseline = sink_messages(args.counter)
    target = baseline + args.messages
    command = ["smtp-source", "-s", str(args.sessions), "-l", str(args.length), "-m", str(args.messages),
               "-f", "bench@source.test", "-t", "sink@example.test", "-M", "source.test",
               f"127.0.0.1:{args.port}"]
    start = time.perf_counter()
    driver = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    accepted = delivered = None
    deadline = start + args.timeout
    while accepted is None or delivered is None:
        now = time.perf_counter()
        if accepted is None and driver.poll() is not None:
            accepted = now - start
            if driver.returncode != 0:
                sys.exit(f"smtp-source failed ({driver.returncode}): {driver.stderr.read().decode().strip()}")
        if delivered is None and sink_messages(args.counter) >= target:
            delivered = time.perf_counter() - start
        if now > deadline:
            driver.kill()
            sys.exit(f"{args.label}: timed out after {args.timeout}s "
                     f"(sink has {sink_messages(args.counter) - baseline} of {args.messages})")
        time.sleep(0.002)
    # The sink can count the last message a moment before the driver has read its 250.
    delivered = max(delivered, accepted)
    record = {"label": args.label, "sessions": args.sessions, "messages": args.messages,
              "accepted_s": accepted, "delivered_s": delivered,
              "accepted_rate": args.messages / accepted, "delivered_rate": args.messages / delivered}
    print(f"  {args.label:<22} {args.messages:>6} msgs  accepted {record['accepted_rate']:8.0f}/s "
          f"({accepted:6.2f} s)  delivered {record['delivered_rate']:8.0f}/s ({delivered:6.2f} s)",
          flush=True)
    if args.out:
        with open(args.out, "a") as f:
            f.write(json.dumps(record) + "\n")


def summary(path):
    by_label = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            by_label.setdefault(r["label"], []).append(r)
    medians = {}
    print(f"{'run':<22} {'n':>2}  {'accepted msgs/s median (min-max)':<34} {'delivered msgs/s median (min-max)'}")
    for label, runs in by_label.items():
        cells = []
        for key in ("accepted_rate", "delivered_rate"):
            values = [r[key] for r in runs]
            medians[(label, key)] = statistics.median(values)
            cells.append(f"{statistics.median(values):7.0f} ({min(values):.0f}-{max(values):.0f})")
        print(f"{label:<22} {len(runs):>2}  {cells[0]:<34} {cells[1]}")
    for label in by_label:
        if label.startswith("relay "):
            other = "postfix " + label[len("relay "):]
            if (other, "accepted_rate") in medians:
                print(f"ratio Relay/Postfix {label[len('relay '):]}: accepted "
                      f"{medians[(label, 'accepted_rate')] / medians[(other, 'accepted_rate')]:.2f}, delivered "
                      f"{medians[(label, 'delivered_rate')] / medians[(other, 'delivered_rate')]:.2f}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--counter", required=True)
    r.add_argument("--sessions", type=int, required=True)
    r.add_argument("--messages", type=int, required=True)
    r.add_argument("--length", type=int, default=4096)
    r.add_argument("--label", default="run")
    r.add_argument("--timeout", type=float, default=600)
    r.add_argument("--out")
    s = sub.add_parser("summary")
    s.add_argument("results")
    args = p.parse_args()
    if args.command == "run":
        run(args)
    else:
        summary(args.results)


if __name__ == "__main__":
    main()
