#!/usr/bin/python3
"""Check a Prometheus text exposition (version 0.0.4) as node_exporter's
textfile collector and a scraper read it: every sample line is
NAME{LABELS} VALUE, each metric's samples are contiguous and typed once,
and no series (name plus labels) appears twice. Exits 1 with the line.
"""

import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
                    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*)\})? ([0-9]+(?:\.[0-9]+)?)$')
COMMENT = re.compile(r'^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$')


def main(path):
    typed, finished, series = {}, set(), set()
    current = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            where = f"{path}:{number}: {line!r}"
            m = COMMENT.match(line)
            if m:
                kind, name, _ = m.groups()
                if kind == "TYPE":
                    if name in typed:
                        sys.exit(f"{where}: second TYPE for {name}")
                    typed[name] = m.group(3)
                continue
            m = SAMPLE.match(line)
            if not m:
                sys.exit(f"{where}: not a sample line")
            name = m.group(1)
            if name != current:
                if name in finished:
                    sys.exit(f"{where}: samples of {name} are not contiguous")
                if current:
                    finished.add(current)
                current = name
            if name not in typed:
                sys.exit(f"{where}: {name} has no TYPE line before it")
            key = (name, m.group(3) or "")
            if key in series:
                sys.exit(f"{where}: series repeated")
            series.add(key)
    if not series:
        sys.exit(f"{path}: no samples")


if __name__ == "__main__":
    main(sys.argv[1])
