"""Mutation fuzzing of the PE readers: counts outcomes, the slowest case and peak memory."""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import struct
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import hostile  # noqa: E402
from verfix.pe import PEReadError, Reader, read_pe_file  # noqa: E402

INTERESTING_WORDS = (0, 1, 2, 6, 16, 52, 0x7FFF, 0x8000, 0xFFFF)
INTERESTING_DWORDS = (0, 1, 16, 0x80000000, 0x80000010, 0x7FFFFFFF, 0xFFFFFFFF, 0xFEEF04BD)


def seed_images() -> dict[str, bytes]:
    """Valid crafted images plus every testdata binary."""
    images = {"crafted-pe32": hostile.valid_pe(var_first=True),
              "crafted-pe32plus": hostile.pe32plus(),
              "crafted-tables": hostile.valid_pe(tables=[("040704B0", {"FileVersion": "de"}),
                                                         ("040904E4", {"FileVersion": "us"})]),
              "crafted-languages": hostile.amplification(8)}
    for path in sorted((REPO / "testdata").rglob("*")):
        if path.suffix.lower() in (".dll", ".exe") and path.is_file():
            images[str(path.relative_to(REPO))] = path.read_bytes()
    return images


def version_offset(image: bytes) -> int:
    """Where the version block starts (mutations cluster around the structures that matter)."""
    found = image.find("VS_VERSION_INFO".encode("utf-16-le"))
    return max(found - 6, 0)


def mutate(image: bytes, rng: random.Random) -> bytes:
    """Apply 1-8 random mutations: bit flips, interesting values, byte runs, truncation."""
    data = bytearray(image)
    hot = version_offset(image)
    for _ in range(rng.randint(1, 8)):
        kind = rng.choice(("flip", "word", "dword", "hot-word", "hot-dword", "run", "truncate"))
        if len(data) < 8:
            break
        if kind == "flip":
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif kind in ("word", "hot-word"):
            low = min(hot, len(data) - 2) if kind == "hot-word" else 0
            struct.pack_into("<H", data, rng.randint(low, len(data) - 2),
                             rng.choice(INTERESTING_WORDS) if rng.random() < 0.7
                             else rng.randrange(0x10000))
        elif kind in ("dword", "hot-dword"):
            low = min(hot, len(data) - 4) if kind == "hot-dword" else 0
            struct.pack_into("<I", data, rng.randint(low, len(data) - 4),
                             rng.choice(INTERESTING_DWORDS) if rng.random() < 0.7
                             else rng.randrange(1 << 32))
        elif kind == "run":
            start = rng.randrange(len(data))
            length = rng.randint(1, 64)
            data[start:start + length] = bytes([rng.randrange(256)]) * length
        else:
            data = data[:rng.randint(0, len(data))]
    return bytes(data)


def outcome_class(result: object) -> str:
    """A short outcome label: ok / no-version / version problem / error reason class."""
    if isinstance(result, PEReadError):
        reason = str(result)
        reason = re.sub(r"0x[0-9a-fA-F]+|\d+", "N", reason)
        return "error: " + reason.split(":")[0].split(" (")[0]
    if not result.has_version_resource:
        return "no-version"
    if result.file_version is None:
        return "version problem: " + re.sub(r"0x[0-9a-fA-F]+|\d+", "N", result.version_problem)
    return "ok"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="mutated files to try")
    parser.add_argument("--seed", type=int, default=1, help="random seed (runs are repeatable)")
    parser.add_argument("--reader", choices=("fast", "pefile", "both"), default="both")
    parser.add_argument("--keep", type=Path, help="copy crashing inputs into this folder")
    args = parser.parse_args(argv)

    readers = [Reader.FAST, Reader.PEFILE] if args.reader == "both" else [Reader(args.reader)]
    rng = random.Random(args.seed)
    seeds = seed_images()
    names = sorted(seeds)
    outcomes = {reader: Counter() for reader in readers}
    slowest = {reader: (0.0, "") for reader in readers}
    total_time = {reader: 0.0 for reader in readers}
    crashes: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="verfix-fuzz-"))
    target = workdir / "mutated.dll"
    target.write_bytes(seeds[names[0]])
    for reader in readers:
        read_pe_file(str(target), reader)  # warm-up: imports are not part of any case's time
    try:
        for index in range(args.count):
            seed_name = rng.choice(names)
            target.write_bytes(mutate(seeds[seed_name], rng))
            for reader in readers:
                started = time.perf_counter()
                try:
                    result: object = read_pe_file(str(target), reader)
                except PEReadError as error:
                    result = error
                except Exception as error:  # a crash: the one thing that must not happen
                    result = None
                    crashes.append(f"case {index} ({seed_name}), {reader.value}: "
                                   f"{type(error).__name__}: {error}")
                    if args.keep:
                        args.keep.mkdir(parents=True, exist_ok=True)
                        shutil.copy(target, args.keep / f"crash-{index}-{reader.value}.bin")
                elapsed = time.perf_counter() - started
                total_time[reader] += elapsed
                if elapsed > slowest[reader][0]:
                    slowest[reader] = (elapsed, f"case {index} from {seed_name}")
                outcomes[reader]["crash" if result is None else outcome_class(result)] += 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"fuzz: {args.count} mutated files from {len(seeds)} seeds, seed {args.seed}")
    for reader in readers:
        print(f"\n[{reader.value}] {args.count} tried, "
              f"mean {total_time[reader] / max(args.count, 1) * 1e6:.0f} µs per file, "
              f"slowest {slowest[reader][0] * 1e3:.2f} ms ({slowest[reader][1]})")
        for label, count in outcomes[reader].most_common():
            print(f"  {count:7d}  {label}")
    print(f"\npeak RSS {peak_mib:.1f} MiB; crashes: {len(crashes)}")
    for crash in crashes[:20]:
        print(f"  {crash}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
