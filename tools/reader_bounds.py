"""Measure the PE readers: per-file cost against a bare open+read loop, and the time and peak
memory of every hostile case, each run in its own subprocess."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from verfix.pe import PEReadError, Reader, read_pe_file  # noqa: E402

TIME_LIMIT = 2.0           # seconds per hostile case
MEMORY_LIMIT_MIB = 256     # peak RSS per hostile case
AS_LIMIT = 2 << 30         # address-space cap for the children, as a safety net


def child(path: str, reader: str) -> None:
    """Read one file and print the outcome, the time of the read and the peak RSS as JSON."""
    from verfix.pe import fast, pefile_reader  # noqa: F401 - imported first, so not timed

    started = time.perf_counter()
    try:
        info = read_pe_file(path, Reader(reader))
        outcome = "ok" if info.file_version else (info.version_problem or "no fixed version")
    except PEReadError as error:
        outcome = f"PEReadError: {error}"
    except BaseException as error:  # noqa: BLE001 - reported as a crash
        outcome = f"CRASH {type(error).__name__}: {error}"
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mib": peak_kib / 1024}))


def limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def hostile_bounds(readers: list[str]) -> bool:
    """Run every hostile case (and a 2 GB sparse file) per reader; True when all are bounded."""
    import hostile

    ok = True
    with tempfile.TemporaryDirectory(prefix="verfix-bounds-") as folder:
        cases = {}
        for name, build in hostile.HOSTILE_CASES.items():
            path = Path(folder) / f"{name}.dll"
            path.write_bytes(build())
            cases[name] = path
        cases["sparse-2GB"] = hostile.write_sparse(Path(folder) / "sparse.dll", hostile.valid_pe())
        print(f"{'case':26} {'reader':7} {'read ms':>9} {'process ms':>10} {'peak MiB':>8}"
              "  outcome")
        for name, path in cases.items():
            for reader in readers:
                started = time.perf_counter()
                try:
                    done = subprocess.run(
                        [sys.executable, __file__, "--child", str(path), reader],
                        capture_output=True, text=True, timeout=30, preexec_fn=limit_child)
                    wall = time.perf_counter() - started
                    result = json.loads(done.stdout) if done.returncode == 0 else {
                        "outcome": f"CRASH exit {done.returncode}: {done.stderr.strip()[-200:]}",
                        "seconds": wall, "peak_mib": float("nan")}
                except subprocess.TimeoutExpired:
                    wall = time.perf_counter() - started
                    result = {"outcome": "TIMEOUT", "seconds": wall, "peak_mib": float("nan")}
                bounded = (result["seconds"] < TIME_LIMIT and result["peak_mib"] < MEMORY_LIMIT_MIB
                           and not result["outcome"].startswith(("CRASH", "TIMEOUT")))
                ok &= bounded
                print(f"{name:26} {reader:7} {result['seconds'] * 1e3:9.2f} {wall * 1e3:10.0f} "
                      f"{result['peak_mib']:8.1f}  {'' if bounded else 'UNBOUNDED '}"
                      f"{result['outcome'][:70]}")
    return ok


def per_file_cost(files: list[Path], rounds: int) -> None:
    """Mean µs per file: open+pread 4 KiB+close, then each reader (warm page cache)."""
    def bare(path: str) -> None:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.pread(fd, 4096, 0)
        finally:
            os.close(fd)

    def reader_of(reader: Reader):
        def read(path: str) -> None:
            try:
                read_pe_file(path, reader)
            except PEReadError:
                pass
        return read

    paths = [str(p) for p in files]
    timings = {}
    for label, function in (("open + pread 4 KiB", bare), ("fast reader", reader_of(Reader.FAST)),
                            ("pefile reader", reader_of(Reader.PEFILE))):
        for path in paths:
            function(path)  # warm-up: imports, page cache
        started = time.perf_counter()
        for _ in range(rounds):
            for path in paths:
                function(path)
        timings[label] = (time.perf_counter() - started) / rounds / len(paths) * 1e6
    base = timings["open + pread 4 KiB"]
    print(f"\nper-file cost over {len(paths)} files x {rounds} rounds:")
    for label, micros in timings.items():
        print(f"  {label:20} {micros:9.1f} µs  ({micros / base:5.1f}x the bare loop)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("PATH", "READER"), help=argparse.SUPPRESS)
    parser.add_argument("--reader", choices=("fast", "pefile", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="extra folders of PE files for the per-file cost")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    readers = ["fast", "pefile"] if args.reader == "both" else [args.reader]
    bounded = hostile_bounds(readers)
    files = [p for p in (REPO / "testdata").rglob("*") if p.suffix.lower() in (".dll", ".exe")]
    for folder in args.corpus:
        files += [p for p in folder.rglob("*") if p.is_file()]
    if files:
        per_file_cost(sorted(files), args.rounds)
    print(f"\nhostile cases bounded (< {TIME_LIMIT:.0f} s, < {MEMORY_LIMIT_MIB} MiB): "
          f"{'yes' if bounded else 'NO'}")
    return 0 if bounded else 1


if __name__ == "__main__":
    sys.exit(main())
