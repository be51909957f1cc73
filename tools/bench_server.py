"""Whole-server check figures (a report, not a test): the whole catalog against one manifest.

Runs ``verfix.servercheck.run_check`` on the mock NT 4.0 volume (testdata/nt4) in fresh
processes (start-up, loading the manifests and the check all counted), once with one manifest
(``verfix.select.find_manifests``) and once with every bundled manifest (``verfix.catalog``,
as ``verfix check VOLUME`` loads them), interleaved; prints the medians, their ratio against
the target (issue 13: the whole catalog at most 1.5x one manifest) and how many files each
run read. Each worker ends as the ``verfix`` command does (``verfix.entry``: no last garbage
collection). The report written after the check is not counted: ``tools/bench_startup.py``
times whole commands.
"""

from __future__ import annotations

import argparse
import compileall
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_summary import record

REPO = Path(__file__).resolve().parent.parent
VOLUME = REPO / "testdata" / "nt4"
ONE_MANIFEST = "Q236586"
TARGET = 1.5

WORKER = """
import json, sys
from pathlib import Path
from verfix.check import FileCache
from verfix.catalog import catalog_entries
from verfix.select import find_manifests
from verfix.servercheck import run_check
manifests = catalog_entries() if sys.argv[2] == "all" else find_manifests(sys.argv[2])
cache = FileCache()
checked = run_check(Path(sys.argv[1]), manifests, cache=cache)
print(json.dumps({"manifests": len(manifests), "files_read": cache.files_read,
                  "checked": sum(len(p.results) for p in checked.products)}))
import gc
gc.freeze()  # as verfix.entry.main before the process ends
"""


def _run(which: str) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WORKER, str(VOLUME), which],
                          capture_output=True, text=True, check=True, cwd=REPO)
    return time.perf_counter() - started, json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    compileall.compile_dir(REPO / "verfix", quiet=1)  # a warm start: byte code in place
    times: dict[str, list[float]] = {ONE_MANIFEST: [], "all": []}
    facts: dict[str, dict] = {}
    for _ in range(args.runs):
        for which in times:
            seconds, facts[which] = _run(which)
            times[which].append(seconds)
    one, whole = (statistics.median(times[w]) for w in (ONE_MANIFEST, "all"))
    ratio = whole / one
    print(f"whole-server check on {VOLUME.relative_to(REPO)} (median of {args.runs} runs, each a fresh process):")
    for label, which, seconds in (("one manifest", ONE_MANIFEST, one), ("whole catalog", "all", whole)):
        fact = facts[which]
        print(f"  {label:13}  {seconds * 1000:7.1f} ms  {fact['manifests']:5} manifests, "
              f"{fact['checked']} checked, {fact['files_read']} files read")
    print(f"  ratio {ratio:.2f}x (target <= {TARGET:g}x): {'met' if ratio <= TARGET else 'NOT MET'}")
    record("whole catalog / one manifest (mock NT 4.0 volume)", f"{ratio:.2f}x", f"<= {TARGET:g}x",
           "met" if ratio <= TARGET else "NOT MET")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
