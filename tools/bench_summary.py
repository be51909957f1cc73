"""``make bench``'s closing table: every ratio of issue 13 side by side, from one run.

Each benchmark (bench_server, bench_startup, bench_scaling) appends its ratios to the file
named by ``$BENCH_SUMMARY`` (one JSON object per line) through :func:`record`; ``make bench``
empties that file first and runs this module last, which prints them as one table.
Without ``$BENCH_SUMMARY`` :func:`record` does nothing, so each tool also runs on its own.
"""

from __future__ import annotations

import json
import os
import sys


def record(name: str, measured: str, target: str, verdict: str) -> None:
    """Add one ratio to the run's summary (when ``$BENCH_SUMMARY`` names a file)."""
    path = os.environ.get("BENCH_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(json.dumps({"name": name, "measured": measured, "target": target,
                                      "verdict": verdict}) + "\n")


def main() -> int:
    path = os.environ.get("BENCH_SUMMARY")
    rows = []
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as summary:
            rows = [json.loads(line) for line in summary if line.strip()]
    if not rows:
        print("bench summary: no ratio was recorded", file=sys.stderr)
        return 1
    headers = ("ratio", "measured", "target", "verdict")
    table = [headers] + [tuple(row[key] for key in ("name", "measured", "target", "verdict")) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    print()
    print("summary of this run (issue 13's ratios):")
    for number, line in enumerate(table):
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        if number == 0:
            print("  " + "  ".join("-" * width for width in widths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
