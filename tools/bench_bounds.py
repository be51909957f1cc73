"""Cost caps (a report, not a test): peak memory and time of verfix on hostile sizes.

One folder of --files files (default 1,000,000) inventoried, a 50 MB manifest validated and a
100 MB article imported, each in its own process; peak RSS from wait4's rusage. The inputs
are built once in --workdir (default: a temporary folder, removed afterwards).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "tests" / "fixtures" / "kb" / "Q900001.TXT"
PE = REPO / "testdata" / "sp3" / "exchsrvr" / "bin" / "Emsmta.exe"


def make_folder(folder: Path, count: int) -> None:
    """``count`` files in one folder: empty ones, and one real PE file in a thousand."""
    if (folder / ".complete").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    pe = PE.read_bytes()
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    for index in range(count):
        fd = os.open(folder / f"f{index:07}.{'exe' if index % 1000 == 0 else 'dat'}", flags, 0o644)
        if index % 1000 == 0:
            os.write(fd, pe)
        os.close(fd)
    (folder / ".complete").touch()


def make_manifest(path: Path, size: int) -> None:
    index = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write('id = "Q123456"\ntitle = "big"\nproduct = "Microsoft Exchange"\n')
        written = 0
        while written < size:
            row = f'\n[[files]]\nname = "f{index:08}.dll"\nversion = "5.5.2646.0"\n'
            out.write(row)
            written += len(row)
            index += 1


def make_article(path: Path, size: int) -> None:
    text = ARTICLE.read_text()
    filler = "This line is here only to make the article large. " * 2 + "\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
        for _ in range(size // len(filler)):
            out.write(filler)


def measure(command: list[str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KiB, exit code) of one command, its output discarded."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss, process.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1_000_000, help="Files in the one folder.")
    parser.add_argument("--workdir", help="Keep the generated inputs here (reused when present).")
    parser.add_argument("--verfix", default=f"{sys.executable} -m verfix",
                        help="The command that runs verfix (default: this Python's -m verfix).")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="verfix-bounds-"))
    workdir.mkdir(parents=True, exist_ok=True)
    verfix = args.verfix.split()
    try:
        folder = workdir / f"folder-{args.files}"
        print(f"building inputs in {workdir} ...", file=sys.stderr, flush=True)
        make_folder(folder, args.files)
        manifest = workdir / "big.toml"
        if not manifest.exists():
            make_manifest(manifest, 50 << 20)
        article = workdir / "Q900001.TXT"
        if not article.exists():
            make_article(article, 100 << 20)
        cases = [
            (f"inventory of one folder of {args.files:,} files",
             [*verfix, "inventory", str(folder), "-q", "-o", str(workdir / "inventory.jsonl")]),
            ("manifests validate, a 50 MB manifest", [*verfix, "manifests", "validate", str(manifest)]),
            ("manifests import, a 100 MB article", [*verfix, "manifests", "import", str(article), "-f", "json"]),
        ]
        print(f"{'case':<48} {'wall s':>8} {'peak RSS MiB':>13} {'exit':>5}")
        for name, command in cases:
            wall, peak, code = measure(command)
            print(f"{name:<48} {wall:>8.1f} {peak / 1024:>13.0f} {code:>5}", flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
