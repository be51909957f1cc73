"""Start-up figures (a report, not a test): ``verfix -V`` and a one-manifest check against exiftool.

Builds a 15-file bin folder (the files of KB Q236586, copied from testdata/sp3) in a temporary
folder, then times in fresh processes, warm cache, byte code compiled:

- ``python -c pass``: the interpreter's own start, the floor;
- ``verfix -V`` (target: under 60 ms);
- ``verfix check BIN -m Q236586`` and ``exiftool -FileVersionNumber BIN`` on that folder
  (target: verfix at most 1.0x exiftool's wall).

``verfix`` is run as its console script runs it (``verfix.entry:main``) from this checkout.
The four commands are run in turn, round after round, and each one's median is taken (the
same as ``hyperfine -N`` gives on a quiet machine, steadier on a shared one). Exits 1 when a
target is not met.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_summary import record

REPO = Path(__file__).resolve().parent.parent
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
ARTICLE = "Q236586"
VERSION_TARGET_MS = 60.0
CHECK_TARGET = 1.0
# What the installed `verfix` script does, with this checkout first on the path.
VERFIX = [sys.executable, "-c", "import sys; from verfix.entry import main; sys.exit(main())"]


def _article_files() -> list[str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    data = tomllib.loads((REPO / "manifests" / f"{ARTICLE}.toml").read_text(encoding="utf-8"))
    return [row["name"] for row in data["files"]]


def _medians_ms(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """The median wall time of each command in milliseconds, the commands interleaved run by
    run (so that a busy moment of a shared machine falls on all of them), after three
    warm-up rounds."""
    times: dict[str, list[float]] = {label: [] for label in commands}
    for index in range(runs + 3):
        for label, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if index >= 3:
                times[label].append(time.perf_counter() - started)
    return {label: statistics.median(values) * 1000 for label, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    if not shutil.which("exiftool"):
        print("bench_startup: exiftool is not installed (Debian libimage-exiftool-perl)", file=sys.stderr)
        return 2
    compileall.compile_dir(REPO / "verfix", quiet=1)
    with tempfile.TemporaryDirectory(prefix="verfix-bench-") as folder:
        for name in _article_files():
            shutil.copy2(SP3 / name, Path(folder) / name)
        medians = _medians_ms({
            "floor": [sys.executable, "-c", "pass"],
            "version": [*VERFIX, "-V"],
            "check": [*VERFIX, "check", folder, "-m", ARTICLE, "-q"],
            "exiftool": ["exiftool", "-FileVersionNumber", folder],
        }, args.runs)
    floor, version, check, exiftool = (medians[k] for k in ("floor", "version", "check", "exiftool"))
    ratio = check / exiftool
    version_met, check_met = version < VERSION_TARGET_MS, ratio <= CHECK_TARGET
    print(f"start-up (median of {args.runs} interleaved runs, fresh processes, warm cache):")
    print(f"  python -c pass                          {floor:6.1f} ms  (the interpreter alone)")
    print(f"  verfix -V                               {version:6.1f} ms  target < {VERSION_TARGET_MS:g} ms: "
          f"{'met' if version_met else 'NOT MET'}")
    print(f"  verfix check BIN -m {ARTICLE} (15 files) {check:6.1f} ms")
    print(f"  exiftool -FileVersionNumber BIN         {exiftool:6.1f} ms")
    print(f"  ratio {ratio:.2f}x exiftool (target <= {CHECK_TARGET:g}x): {'met' if check_met else 'NOT MET'}")
    record("start-up: verfix -V", f"{version:.1f} ms", f"< {VERSION_TARGET_MS:g} ms",
           "met" if version_met else "NOT MET")
    record(f"start-up: check -m {ARTICLE} (15 files) / exiftool", f"{ratio:.2f}x", f"<= {CHECK_TARGET:g}x",
           "met" if check_met else "NOT MET")
    return 0 if version_met and check_met else 1


if __name__ == "__main__":
    sys.exit(main())
