"""Checks for test/e2e/alerts.sh: the Grafana dashboard's structure, the metric names the dashboard
and the alert rules use, and the names a running relay exports.

  opscheck.py dashboard FILE          exits non-zero, saying why, when FILE is not an importable dashboard
  opscheck.py used FILE...            prints the metric names the files use, one per line, sorted
  opscheck.py exported METRICS_FILE   prints the sample names in a Prometheus text page, sorted

Names are those of Relay (relay_*), Micrometer's JVM and process binders (jvm_*, process_*,
system_*) and Prometheus's own `up`. In the dashboard only the queries (`expr`) count; in a rules
file the whole text does (a name in an alert's description must exist too).
"""
import json
import re
import sys

NAME = re.compile(r"\b((?:relay|jvm|process|system)_[a-z0-9_]*[a-z0-9])\b")
UP = re.compile(r"\bup\s*\{")


def dashboard(path):
    with open(path, encoding="utf-8") as f:
        dash = json.load(f)
    problems = []
    for key in ("title", "uid", "panels", "schemaVersion", "templating"):
        if key not in dash:
            problems.append("no top-level " + key)
    inputs = {i.get("name") for i in dash.get("__inputs", [])}
    if "DS_PROMETHEUS" not in inputs:
        problems.append("no DS_PROMETHEUS in __inputs (Grafana's import asks for the data source there)")
    ids = set()
    for panel in dash.get("panels", []):
        title = panel.get("title", "?")
        if panel.get("id") in ids:
            problems.append("panel id %s used twice" % panel.get("id"))
        ids.add(panel.get("id"))
        grid = panel.get("gridPos", {})
        if not all(k in grid for k in ("h", "w", "x", "y")) or grid.get("x", 0) + grid.get("w", 0) > 24:
            problems.append("panel %r: bad gridPos %s" % (title, grid))
        if panel.get("type") == "row":
            continue
        if panel.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
            problems.append("panel %r: data source is not ${DS_PROMETHEUS}" % title)
        targets = panel.get("targets", [])
        if not targets:
            problems.append("panel %r has no query" % title)
        for t in targets:
            expr = t.get("expr", "")
            if not expr or expr.count("(") != expr.count(")") or expr.count("{") != expr.count("}"):
                problems.append("panel %r: unbalanced or empty query %r" % (title, expr))
    for p in problems:
        print("dashboard: " + p, file=sys.stderr)
    return 1 if problems else 0


def exprs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("expr", "definition") and isinstance(v, str):
                yield v
            elif k == "query" and isinstance(v, (str, dict)):
                yield from (v,) if isinstance(v, str) else exprs(v)
            else:
                yield from exprs(v)
    elif isinstance(node, list):
        for v in node:
            yield from exprs(v)


def used(paths):
    names = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for part in exprs(json.loads(text)) if path.endswith(".json") else [text]:
            names.update(NAME.findall(part))
            if UP.search(part):
                names.add("up")
    for name in sorted(names):
        print(name)
    return 0


def exported(path):
    names = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    for name in sorted(names):
        print(name)
    return 0


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    sys.exit({"dashboard": lambda: dashboard(args[0]), "used": lambda: used(args),
              "exported": lambda: exported(args[0])}[command]())
