#!/usr/bin/python3
"""Timing and bookkeeping of bench/backlog.sh (a large queue with the upstream down, a restart,
then the upstream back). Every figure is appended to a results file as one JSON line
{"target": ..., "key": ..., "value": ...}; `report` turns that file into the final table.

  backlog.py dead-port
      Prints a loopback port outside the kernel's ephemeral range with nothing bound to it: the
      "down" upstream. (A port inside the range could, rarely, be a connection's own source port,
      and a connection to itself would hang instead of being refused.)
  backlog.py accept --port P --messages N [--slices 10] [--warmup W] [--sessions 20] [--length 4096]
                    [--pidfile F] --target T --results FILE
      Runs smtp-source W messages untimed, then N messages in SLICES slices, each timed; records
      each slice's rate. With --pidfile, prints the RSS of that process and its descendants after
      each slice.
  backlog.py banner --port P --since EPOCH [--timeout S] [--pid PID]
      Waits until 127.0.0.1:P answers a new connection with a 220 greeting; prints the seconds
      since EPOCH (a `date +%s.%N` taken just before the process was started). Exits 1 on timeout,
      3 when PID is given and has exited.
  backlog.py wait-metric --admin-port P --name NAME --at-least N [--timeout S]
      Waits until the sum of Prometheus samples NAME{...} on the admin endpoint reaches N.
  backlog.py count --dir D [--dir D2 ...] [--suffix .msg]
      Prints the number of regular files under the directories (recursively).
  backlog.py wait-empty --dir D [...] [--timeout S]
      Waits until no regular file is left under the directories; prints how many are left.
  backlog.py drain --counter FILE --expect N --since EPOCH --dir D [...] --target T --results FILE
                   [--stall S] [--timeout S]
      After the upstream is back and a retry was triggered at EPOCH: times the first delivery, the
      N-th (smtp-sink's -c counter in FILE) and the moment no file is left in the queue directories;
      gives up when the sink has not moved for STALL seconds. Records delivered, lost, duplicates.
  backlog.py sample --pidfile F --out CSV [--phase-file F] [--interval 1]
      Until SIGTERM: every INTERVAL seconds, the RSS and PSS summed over the process in F and all
      its descendants (CSV: epoch,phase,processes,rss_kb,pss_kb).
  backlog.py peaks --samples CSV --target T --results FILE
      Records the largest sampled RSS and PSS sums, overall and per phase (with --peak-memory,
      the RSS sum is also the target's peak memory in the report).
  backlog.py put --target T --results FILE KEY VALUE
      Records one figure (a number when VALUE parses as one).
  backlog.py report --results FILE
      The final table, the Relay/Postfix ratios and the Relay targets.
"""
import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import sink_messages  # noqa: E402  (smtp-sink -c counter parsing, shared with postfix-compare)

SENDER = "bench@source.test"
RECIPIENT = "sink@example.test"


def record(results, target, key, value):
    with open(results, "a") as f:
        f.write(json.dumps({"target": target, "key": key, "value": value}) + "\n")


def parse_value(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


# ---- processes and memory


def parent_pids():
    """pid -> parent pid for every process (from /proc/PID/stat, after the command's parenthesis)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            pass
    return parents


def process_tree(root):
    parents = parent_pids()
    if root not in parents:
        return []
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def read_pid(pidfile):
    try:
        with open(pidfile) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def tree_memory(pidfile):
    """(processes, summed RSS kB, summed PSS kB) of the process in pidfile and its descendants."""
    root = read_pid(pidfile)
    pids = process_tree(root) if root else []
    return len(pids), sum(status_kb(p, "VmRSS") for p in pids), sum(pss_kb(p) for p in pids)


def sample(args):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(args.out, "a") as out:
        while not stop:
            phase = "-"
            if args.phase_file:
                try:
                    with open(args.phase_file) as f:
                        phase = f.read().strip() or "-"
                except OSError:
                    pass
            procs, rss, pss = tree_memory(args.pidfile)
            if procs:
                out.write(f"{time.time():.1f},{phase},{procs},{rss},{pss}\n")
                out.flush()
            time.sleep(args.interval)


def peaks(args):
    overall = {"rss_kb": 0, "pss_kb": 0, "processes": 0}
    by_phase = {}
    try:
        with open(args.samples) as f:
            rows = [line.strip().split(",") for line in f if line.strip()]
    except OSError:
        rows = []
    for _, phase, procs, rss, pss in rows:
        for bucket in (overall, by_phase.setdefault(phase, {"rss_kb": 0, "pss_kb": 0, "processes": 0})):
            bucket["rss_kb"] = max(bucket["rss_kb"], int(rss))
            bucket["pss_kb"] = max(bucket["pss_kb"], int(pss))
            bucket["processes"] = max(bucket["processes"], int(procs))
    record(args.results, args.target, "sampled_peak_rss_kb", overall["rss_kb"])
    record(args.results, args.target, "sampled_peak_pss_kb", overall["pss_kb"])
    record(args.results, args.target, "sampled_peak_processes", overall["processes"])
    record(args.results, args.target, "sampled_peaks_by_phase", by_phase)
    if args.peak_memory:
        record(args.results, args.target, "peak_memory_kb", overall["rss_kb"])
    print(f"  sampled every second ({len(rows)} samples): peak RSS sum {overall['rss_kb']} kB, "
          f"peak PSS sum {overall['pss_kb']} kB, up to {overall['processes']} processes; by phase: "
          + ", ".join(f"{p} {v['rss_kb']} kB" for p, v in by_phase.items()))


# ---- network


def dead_port(_args):
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    for _ in range(200):
        port = random.randint(10000, max(10001, low - 1))
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) != 0:  # refused: nothing listens
                print(port)
                return
    sys.exit("no free port below the ephemeral range")


def greeting(port):
    """The first line a new connection to 127.0.0.1:port gets, or None."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.settimeout(2)
            line = s.makefile("rb").readline(1024)
            if line.startswith(b"220"):
                try:
                    s.sendall(b"QUIT\r\n")
                except OSError:
                    pass
            return line
    except OSError:
        return None


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) still answers kill -0.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def banner(args):
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        if args.pid and not alive(args.pid):
            sys.exit(3)
        line = greeting(args.port)
        if line and line.startswith(b"220"):
            print(f"{time.time() - args.since:.3f}")
            return
        time.sleep(0.02)
    sys.exit(1)


def metric_sum(port, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.startswith(name + "{") or line.startswith(name + " ")]
    return sum(values) if values else None


def wait_metric(args):
    deadline = time.time() + args.timeout
    value = None
    while time.time() < deadline:
        try:
            value = metric_sum(args.admin_port, args.name)
        except OSError:
            value = None
        if value is not None and value >= args.at_least:
            print(f"{value:.0f}")
            return
        time.sleep(0.5)
    print(f"{value}")
    sys.exit(1)


# ---- queues


def count_files(dirs, suffix=None):
    n = 0
    stack = list(dirs)
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    elif e.is_file(follow_symlinks=False) and (suffix is None or e.name.endswith(suffix)):
                        n += 1
        except FileNotFoundError:
            pass
    return n


def count(args):
    print(count_files(args.dir, args.suffix))


def wait_empty(args):
    deadline = time.time() + args.timeout
    while True:
        left = count_files(args.dir)
        if left == 0 or time.time() > deadline:
            print(left)
            sys.exit(0 if left == 0 else 1)
        time.sleep(0.5)


# ---- the driver


def accept(args):
    command = ["smtp-source", "-s", str(args.sessions), "-l", str(args.length), "-f", SENDER, "-t", RECIPIENT,
               "-M", "source.test"]

    def run(messages):
        start = time.perf_counter()
        done = subprocess.run(command + ["-m", str(messages), f"127.0.0.1:{args.port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        took = time.perf_counter() - start
        if done.returncode != 0 or done.stderr.strip():
            print(f"  smtp-source exit {done.returncode}: {done.stderr.decode(errors='replace').strip()[:2000]}",
                  flush=True)
        return took, done.returncode

    if args.warmup:
        took, rc = run(args.warmup)
        print(f"  warm-up: {args.warmup} msgs in {took:.1f} s (not recorded; queued too)", flush=True)
        if rc != 0:
            sys.exit(f"smtp-source failed in the warm-up (exit {rc})")
    sizes = [args.messages // args.slices] * args.slices
    sizes[-1] += args.messages - sum(sizes)
    rates, total = [], 0.0
    for i, size in enumerate(sizes, 1):
        took, rc = run(size)
        total += took
        rates.append(size / took)
        memory = ""
        if args.pidfile:
            procs, rss, _ = tree_memory(args.pidfile)
            memory = f"; RSS now {rss} kB" + (f" ({procs} processes)" if procs > 1 else "")
        print(f"  slice {i:>2}/{args.slices}: {size} msgs in {took:7.2f} s = {size / took:7.0f} msgs/s{memory}",
              flush=True)
        if rc != 0:
            record(args.results, args.target, "accept_failed_slice", i)
            sys.exit(f"smtp-source failed in slice {i} (exit {rc})")
    record(args.results, args.target, "messages", args.messages + args.warmup)
    record(args.results, args.target, "slice_rates", [round(r, 1) for r in rates])
    record(args.results, args.target, "accept_first", rates[0])
    record(args.results, args.target, "accept_last", rates[-1])
    record(args.results, args.target, "accept_all", args.messages / total)
    print(f"  accepted {args.messages} msgs in {total:.1f} s ({args.messages / total:.0f} msgs/s); first tenth "
          f"{rates[0]:.0f}/s, last tenth {rates[-1]:.0f}/s (last/first {rates[-1] / rates[0]:.2f})", flush=True)


def drain(args):
    first = delivered = empty = None
    seen, moved_at = sink_messages(args.counter), time.time()
    next_report, step = args.expect / 10, args.expect / 10
    outcome = "empty"
    deadline = args.since + args.timeout
    while True:
        now = time.time()
        n = sink_messages(args.counter)
        if n > seen:
            seen, moved_at = n, now
            if first is None:
                first = now
        if n >= next_report and delivered is None:
            print(f"  drain: {n} delivered after {now - args.since:.1f} s", flush=True)
            while next_report <= n:
                next_report += step
        if delivered is None and n >= args.expect:
            delivered = now
        if delivered is not None:
            # Every message has reached the sink: wait for the relay to forget the last ones.
            if count_files(args.dir) == 0:
                empty = time.time()
                break
            if now - delivered > args.stall:
                outcome = f"all delivered, but files left in the queue after {args.stall:.0f} s"
                break
            time.sleep(0.2)
        elif now - moved_at > args.stall:
            outcome = f"stalled (sink unchanged for {args.stall:.0f} s)"
            break
        else:
            time.sleep(0.05)
        if now > deadline:
            outcome = f"timed out after {args.timeout:.0f} s"
            break
    time.sleep(2)  # a message counted twice would show up now
    final = sink_messages(args.counter)
    left = count_files(args.dir)
    rel = lambda t: None if t is None else round(t - args.since, 3)  # noqa: E731
    for key, value in (("drain_first_s", rel(first)), ("drain_delivered_s", rel(delivered)),
                       ("drain_empty_s", rel(empty)), ("sink_count", final),
                       ("lost", max(0, args.expect - final)), ("duplicates", max(0, final - args.expect)),
                       ("queue_files_left", left), ("drain_outcome", outcome)):
        record(args.results, args.target, key, value)
    if delivered is not None:
        record(args.results, args.target, "drain_rate", args.expect / (delivered - args.since))
        print(f"  drain: all {args.expect} delivered after {delivered - args.since:.1f} s "
              f"({args.expect / (delivered - args.since):.0f} msgs/s; first after {first - args.since:.1f} s), "
              f"queue empty after {rel(empty)} s", flush=True)
    else:
        print(f"  drain: {outcome}: the sink has {final} of {args.expect}, {left} files left in the queue",
              flush=True)


# ---- the report


def report(args):
    figures = {}
    with open(args.results) as f:
        for line in f:
            r = json.loads(line)
            figures.setdefault(r["target"], {})[r["key"]] = r["value"]
    targets = [t for t in ("relay", "postfix") if t in figures]

    def cell(target, key, fmt="{:.0f}"):
        v = figures[target].get(key)
        if v is None:
            return "-"
        return fmt.format(v) if isinstance(v, (int, float)) else str(v)

    def mib(target, key):
        v = figures[target].get(key)
        return "-" if not isinstance(v, (int, float)) else f"{v / 1024:.0f}"

    def ratio(target):
        fig = figures[target]
        if fig.get("accept_first") and fig.get("accept_last"):
            return f"{fig['accept_last'] / fig['accept_first']:.2f}"
        return "-"

    rows = [
        ("messages queued", lambda t: cell(t, "messages")),
        ("accept rate, first tenth (msgs/s)", lambda t: cell(t, "accept_first")),
        ("accept rate, last tenth (msgs/s)", lambda t: cell(t, "accept_last")),
        ("  last / first", ratio),
        ("accept rate, all (msgs/s)", lambda t: cell(t, "accept_all")),
        ("in the queue before the restart", lambda t: cell(t, "queued_before_restart")),
        ("  queue on disk (MiB)", lambda t: "-" if figures[t].get("queue_disk_kb") is None
            else f"{figures[t]['queue_disk_kb'] / 1024:.0f}"),
        ("peak RSS (MiB)", lambda t: mib(t, "peak_memory_kb")),
        ("  measured as", lambda t: cell(t, "peak_memory_what")),
        ("peak PSS, sampled each second (MiB)", lambda t: mib(t, "sampled_peak_pss_kb")),
        ("start to 220, empty queue (s)", lambda t: cell(t, "start_s", "{:.2f}")),
        ("stop, full queue (s)", lambda t: cell(t, "stop_s", "{:.2f}")),
        ("restart to 220, full queue (s)", lambda t: cell(t, "restart_s", "{:.2f}")),
        ("drain: first delivery after (s)", lambda t: cell(t, "drain_first_s", "{:.1f}")),
        ("drain: all delivered after (s)", lambda t: cell(t, "drain_delivered_s", "{:.1f}")),
        ("drain rate (msgs/s)", lambda t: cell(t, "drain_rate")),
        ("queue empty after (s)", lambda t: cell(t, "drain_empty_s", "{:.1f}")),
        ("sink count", lambda t: cell(t, "sink_count")),
        ("lost / duplicates", lambda t: f"{cell(t, 'lost')} / {cell(t, 'duplicates')}"),
        ("outcome", lambda t: cell(t, "drain_outcome")),
    ]
    width = max(len(r[0]) for r in rows) + 2
    names = {"relay": "Relay", "postfix": "Postfix"}
    print(f"{'':<{width}}" + "".join(f"{names[t]:>18}" for t in targets))
    for label, get in rows:
        print(f"{label:<{width}}" + "".join(f"{get(t):>18}" for t in targets))
    for t in targets:
        note = figures[t].get("peak_memory_note")
        if note:
            print(f"{names[t]} memory: {note}")
    relay, postfix = figures.get("relay"), figures.get("postfix")
    if relay and postfix and relay.get("drain_rate") and postfix.get("drain_rate"):
        print(f"ratio Relay/Postfix: drain rate {relay['drain_rate'] / postfix['drain_rate']:.2f}, "
              f"restart time {relay.get('restart_s', 0) / max(postfix.get('restart_s', 0), 1e-3):.2f}, "
              f"end accept rate {relay['accept_last'] / postfix['accept_last']:.2f}")
    if relay:
        checks = []

        def check(name, ok):
            checks.append(f"{name} {'ok' if ok else 'MISSED'}" if ok is not None else f"{name} n/a")

        rss = relay.get("peak_memory_kb")
        check("RSS <= 256 MiB:", None if rss is None else rss <= 256 * 1024)
        restart = relay.get("restart_s")
        check("restart <= 5 s:", None if not isinstance(restart, (int, float)) else restart <= 5)
        first, last = relay.get("accept_first"), relay.get("accept_last")
        check("end accept >= 80 % of start:", None if not (first and last) else last >= 0.8 * first)
        check("drain >= Postfix:", None if not (postfix and relay.get("drain_rate") and postfix.get("drain_rate"))
              else relay["drain_rate"] >= postfix["drain_rate"])
        check("nothing lost:", None if relay.get("lost") is None else relay["lost"] == 0)
        print("Relay targets: " + "; ".join(checks))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("dead-port")
    a = sub.add_parser("accept")
    a.add_argument("--port", type=int, required=True)
    a.add_argument("--messages", type=int, required=True)
    a.add_argument("--slices", type=int, default=10)
    a.add_argument("--warmup", type=int, default=0)
    a.add_argument("--sessions", type=int, default=20)
    a.add_argument("--length", type=int, default=4096)
    a.add_argument("--pidfile")
    a.add_argument("--target", required=True)
    a.add_argument("--results", required=True)
    b = sub.add_parser("banner")
    b.add_argument("--port", type=int, required=True)
    b.add_argument("--since", type=float, required=True)
    b.add_argument("--timeout", type=float, default=600)
    b.add_argument("--pid", type=int)
    m = sub.add_parser("wait-metric")
    m.add_argument("--admin-port", type=int, required=True)
    m.add_argument("--name", required=True)
    m.add_argument("--at-least", type=float, required=True)
    m.add_argument("--timeout", type=float, default=300)
    c = sub.add_parser("count")
    c.add_argument("--dir", action="append", required=True)
    c.add_argument("--suffix")
    w = sub.add_parser("wait-empty")
    w.add_argument("--dir", action="append", required=True)
    w.add_argument("--timeout", type=float, default=300)
    d = sub.add_parser("drain")
    d.add_argument("--counter", required=True)
    d.add_argument("--expect", type=int, required=True)
    d.add_argument("--since", type=float, required=True)
    d.add_argument("--dir", action="append", required=True)
    d.add_argument("--stall", type=float, default=300)
    d.add_argument("--timeout", type=float, default=7200)
    d.add_argument("--target", required=True)
    d.add_argument("--results", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--pidfile", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--phase-file")
    s.add_argument("--interval", type=float, default=1.0)
    k = sub.add_parser("peaks")
    k.add_argument("--samples", required=True)
    k.add_argument("--target", required=True)
    k.add_argument("--results", required=True)
    k.add_argument("--peak-memory", action="store_true", help="also record the RSS sum as the target's peak memory")
    u = sub.add_parser("put")
    u.add_argument("--target", required=True)
    u.add_argument("--results", required=True)
    u.add_argument("key")
    u.add_argument("value")
    r = sub.add_parser("report")
    r.add_argument("--results", required=True)
    args = p.parse_args()
    if args.command == "put":
        record(args.results, args.target, args.key, parse_value(args.value))
        return
    {"dead-port": dead_port, "accept": accept, "banner": banner, "wait-metric": wait_metric, "count": count,
     "wait-empty": wait_empty, "drain": drain, "sample": sample, "peaks": peaks, "report": report}[
        args.command.replace("_", "-")](args)


if __name__ == "__main__":
    main()
