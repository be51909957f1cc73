"""Issue 13's per-file and many-core figures on a large tree (COPIES hard-linked copies of the
corpus): the inventory loop against the bare read loop, and --jobs 2 against --jobs 1.

Usage: python tools/bench_scaling.py CORPUS [--copies 10] [--runs 5]   (make bench runs it)
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import sys
import tempfile
import time

from bench_summary import record
from bench import (COPIES, TARGET_JOBS, TARGET_PER_FILE, Subject, measurement_of, print_table, run_interleaved,
                   verdict, verfix_command, worker_subject)


def build_copies(corpus: str, copies: int) -> str | None:
    """A folder beside the corpus holding ``copies`` hard-linked copies of it (no data is
    copied); None, with the reason printed, when the links cannot be made."""
    dest = tempfile.mkdtemp(prefix="verfix-bench-copies-", dir=os.path.dirname(corpus.rstrip(os.sep)))
    try:
        for index in range(copies):
            for folder, _dirs, files in os.walk(corpus):
                target = os.path.join(dest, f"copy{index}", os.path.relpath(folder, corpus))
                os.makedirs(target, exist_ok=True)
                for name in files:
                    source = os.path.join(folder, name)
                    if os.path.islink(source):
                        os.symlink(os.readlink(source), os.path.join(target, name))
                    else:
                        os.link(source, os.path.join(target, name))
    except OSError as error:
        shutil.rmtree(dest, ignore_errors=True)
        print(f"large tree: skipped (cannot hard-link the corpus beside it: {error.strerror})")
        return None
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=os.environ.get("BENCH_CORPUS"))
    parser.add_argument("--copies", type=int, default=COPIES, help="Hard-linked copies of the corpus.")
    parser.add_argument("--runs", type=int, default=5, help="Interleaved runs per subject (median).")
    args = parser.parse_args(argv)
    if not args.corpus or not os.path.isdir(args.corpus):
        print("bench_scaling: give the corpus folder (or set BENCH_CORPUS)", file=sys.stderr)
        return 2
    corpus = os.path.abspath(args.corpus)
    started = time.perf_counter()
    tree = build_copies(corpus, args.copies)
    if tree is None:
        return 0
    workdir = tempfile.mkdtemp(prefix="verfix-bench-")
    try:
        return _measure(tree, args.copies, args.runs, workdir, time.perf_counter() - started)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(tree, ignore_errors=True)


def _measure(tree: str, copies: int, runs: int, workdir: str, built: float) -> int:
    from verfix.inventory.parallel import default_jobs

    cores = default_jobs()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print()
    print(f"large tree: {copies} hard-linked copies of the corpus (made in {built:.1f} s); median of {runs} "
          f"interleaved run(s); {cores} core(s) for this process, load average {load:.2f} at the start")
    cli = {jobs: Subject(f"verfix inventory -q -j {jobs} (CLI)",
                         [*verfix_command(), "inventory", tree, "-q", "-j", str(jobs)],
                         os.path.join(workdir, f"cli-j{jobs}.out")) for jobs in (1, 2)}
    subjects = [worker_subject(name, tree, workdir) for name in ("bare", "verfix-fast", "verfix-jobs2")]
    subjects += [cli[1], cli[2]]
    run_interleaved(subjects, 1)  # warm the page cache and the byte-compiled modules
    for subject in subjects:
        subject.walls.clear(), subject.loops.clear(), subject.peaks.clear()
    run_interleaved(subjects, runs)
    bare, one, two, cli_one, cli_two = (measurement_of(subject) for subject in subjects)
    print_table([[m.name, str(m.files if m.files is not None else "-"), f"{m.wall:.3f}",
                  "-" if m.loop is None else f"{m.loop:.3f}",
                  "-" if m.loop is None or not m.files else f"{m.loop / m.files * 1e6:.1f}",
                  f"{m.peak_rss_kb / 1024:.1f}"]
                 for m in (bare, one, two, cli_one, cli_two)],
                ["tool", "files", "wall s", "loop s", "loop us/file", "peak RSS MB"])
    rows = [
        ["per file: verfix inventory loop / bare loop (one process)", f"{one.loop / bare.loop:.2f}x",
         f"<= {TARGET_PER_FILE:g}x", verdict(one.loop / bare.loop, TARGET_PER_FILE, False)],
        ["whole process: verfix inventory -j 1 / bare loop (wall)", f"{cli_one.wall / bare.wall:.2f}x",
         f"<= {TARGET_PER_FILE:g}x", verdict(cli_one.wall / bare.wall, TARGET_PER_FILE, False)],
        ["many cores: --jobs 2 speed-up over --jobs 1 (loop)", f"{one.loop / two.loop:.2f}x",
         f">= {TARGET_JOBS:g}x", verdict(one.loop / two.loop, TARGET_JOBS, True)],
        ["many cores: --jobs 2 speed-up over --jobs 1 (CLI wall)", f"{cli_one.wall / cli_two.wall:.2f}x",
         f">= {TARGET_JOBS:g}x", verdict(cli_one.wall / cli_two.wall, TARGET_JOBS, True)],
    ]
    print_table(rows, ["ratio", "measured", "target", "verdict"])
    for row in rows:
        record(*row)
    end_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {end_load:.2f} at the end: on a shared machine other work takes cores from "
          "--jobs; the speed-up is bounded by the one process that walks and writes.")
    if not filecmp.cmp(cli_one.output, cli_two.output, shallow=False):
        print("DIFFERENCE: --jobs 2 wrote other records than --jobs 1")
        return 1
    print("output: --jobs 2 wrote the same bytes as --jobs 1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
