"""Benchmark verfix against exiftool, pefile and a bare read loop on one corpus; check their versions agree."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN_DIR = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
ONE_MANIFEST = "Q236586"

# Targets from the issue "Inventory integration and speed".
TARGET_VS_EXIFTOOL = 20.0     # verfix inventory files/s >= 20 x exiftool's
TARGET_VS_BARE = 5.0          # verfix inventory time <= 5 x the bare list-and-read-4-KB loop
# Targets from issue 13 "Speed: start-up and per-file cost".
TARGET_PER_FILE = 3.0         # inventory loop <= 3 x the bare loop, on the large tree
TARGET_JOBS = 1.3             # --jobs 2 at least 1.3 x as fast as --jobs 1 on the large tree (2 free cores)
COPIES = 10                   # the large tree: this many hard-linked copies of the corpus
TARGET_STARTUP = 1.3          # verfix check wall time <= 1.3 x exiftool -FileVersionNumber
TARGET_ALL_CATALOG = 1.5      # all catalog manifests <= 1.5 x one manifest
# Target from the issue "Check a disk image without mounting it".
TARGET_IMAGE_VS_FOLDER = 3.0  # inventory of an NTFS image <= 3 x inventory of the same files in a folder
IMAGE_TOOLS = ("mkntfs", "ntfs-3g")

# exiftool: -fast2 (its fastest mode; 3% faster than -fast on PE files), -ext '*' (every file,
# not only the extensions it knows: the same set of files the other tools see), -r (recurse,
# links to folders not followed), -json (one object per file; FileVersionNumber is read from
# VS_FIXEDFILEINFO, the same block verfix compares).
EXIFTOOL_ARGS = ["-fast2", "-ext", "*", "-r", "-json", "-FileVersionNumber"]


# --- workers: each runs in its own process, so its wall time and peak RSS are its own -------

def _regular_files(root: str):
    """Every regular file under root, depth first; links and special files are not followed."""
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listing = list(entries)
        except OSError:
            continue
        for entry in listing:
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                yield entry.path


def worker_bare(root: str, out) -> dict:
    """List the tree and read the first 4 KB of each regular file: the floor for any scanner."""
    files = pe = 0
    for path in _regular_files(root):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            head = os.read(fd, 4096)
        finally:
            os.close(fd)
        files += 1
        pe += head[:2] == b"MZ"
    return {"files": files, "pe": pe}


def worker_pefile(root: str, out) -> dict:
    """pefile's fast path: PE(data=..., fast_load=True), then only the resource directory."""
    import pefile

    resource = pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]
    files = pe = 0
    for path in _regular_files(root):
        files += 1
        with open(path, "rb") as stream:
            if stream.read(2) != b"MZ":
                continue  # pefile is slow to fail on non-PE files (gc.collect in close)
            data = b"MZ" + stream.read()
        pe += 1
        version = None
        try:
            image = pefile.PE(data=data, fast_load=True)
            image.parse_data_directories(directories=[resource])
            fixed = getattr(image, "VS_FIXEDFILEINFO", None)
            if fixed:
                ms, ls = fixed[0].FileVersionMS, fixed[0].FileVersionLS
                version = f"{ms >> 16}.{ms & 0xFFFF}.{ls >> 16}.{ls & 0xFFFF}"
        except Exception:  # noqa: BLE001 - pefile raises many kinds; a failure is "no version"
            pass
        out.write(json.dumps({"path": path, "file_version": version}) + "\n")
    return {"files": files, "pe": pe}


def _worker_verfix(root: str, out, reader_name: str, jobs: int = 1) -> dict:
    from verfix.inventory import InventoryStats, inventory_lines
    from verfix.pe import Reader

    stats = InventoryStats()
    # The CLI's own path for JSON Lines: each line made where its file was read.
    write = out.write
    for line in inventory_lines(root, Reader(reader_name), stats=stats, jobs=jobs):
        write(line)
    return {"files": stats.files_seen, "pe": stats.pe_files}


def worker_verfix_image(image: str, out) -> dict:
    """verfix.inventory.inventory() on every volume of a disk image, as `verfix inventory IMAGE`."""
    from verfix.formats import write_jsonl
    from verfix.image.targets import image_volumes
    from verfix.inventory import InventoryStats, inventory
    from verfix.pe import Reader

    stats = InventoryStats()
    with image_volumes(image) as volumes:
        write_jsonl((record.as_dict() for root in volumes.roots
                     for record in inventory(root, Reader.FAST, stats=stats)), out)
    return {"files": stats.files_seen, "pe": stats.pe_files}


def worker_verfix_fast(root: str, out) -> dict:
    """verfix.inventory.inventory() with verfix's own reader (the default)."""
    return _worker_verfix(root, out, "fast")


def worker_verfix_pefile(root: str, out) -> dict:
    """verfix.inventory.inventory() with the pefile reader."""
    return _worker_verfix(root, out, "pefile")


def worker_verfix_jobs2(root: str, out) -> dict:
    """verfix.inventory.inventory() with the fast reader in two worker processes (--jobs 2)."""
    return _worker_verfix(root, out, "fast", jobs=2)


WORKERS = {
    "bare": worker_bare,
    "pefile": worker_pefile,
    "verfix-fast": worker_verfix_fast,
    "verfix-pefile": worker_verfix_pefile,
    "verfix-image": worker_verfix_image,
    "verfix-jobs2": worker_verfix_jobs2,
}


# Modules a worker imports: loaded before its clock starts, so 'loop' is the loop alone (their
# import, byte-compilation included, is start-up, which the 'wall' column and the CLI count).
WORKER_IMPORTS = {
    "pefile": ("pefile",),
    "verfix-fast": ("verfix.inventory", "verfix.pe", "verfix.pe.fast", "verfix.inventory.output"),
    "verfix-jobs2": ("verfix.inventory", "verfix.pe", "verfix.pe.fast", "verfix.inventory.output",
                     "verfix.inventory.parallel", "multiprocessing.connection"),
    "verfix-pefile": ("verfix.inventory", "verfix.pe", "verfix.pe.pefile_reader", "verfix.formats"),
    "verfix-image": ("verfix.inventory", "verfix.pe", "verfix.pe.fast", "verfix.formats",
                     "verfix.image.targets", "pyfsntfs"),
}


def run_worker(name: str, root: str, output: str) -> None:
    """Entry point of a worker process: time the loop, print {files, pe, loop_seconds} as JSON."""
    import importlib

    for module in WORKER_IMPORTS.get(name, ()):
        importlib.import_module(module)
    with open(output, "w", encoding="utf-8") as out:
        started = time.perf_counter()
        counts = WORKERS[name](root, out)
        counts["loop_seconds"] = time.perf_counter() - started
    print(json.dumps(counts))


# --- measuring processes -------------------------------------------------------------------

@dataclass
class Measurement:
    """One tool on the corpus: the median wall time of its runs and the largest peak RSS."""

    name: str
    wall: float
    peak_rss_kb: int
    files: int | None = None
    pe: int | None = None
    loop: float | None = None      # time spent in the loop itself (in-process workers only)
    output: str | None = None      # where its records went (for the version comparison)
    note: str = ""


def timed_process(command: list[str], stdout_path: str) -> tuple[float, int, int]:
    """Run ``command`` with stdout to a file; (wall seconds, peak RSS KB, exit status)."""
    with open(stdout_path, "wb") as stdout:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.DEVNULL,
                                   stdin=subprocess.DEVNULL, cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss, process.returncode  # ru_maxrss is in KB on Linux


@dataclass
class Subject:
    """A command to time; a worker prints its counts and loop time as JSON on stdout."""

    label: str
    command: list[str]
    stdout_path: str
    is_worker: bool = False
    walls: list[float] = field(default_factory=list)
    loops: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def worker_subject(name: str, corpus: str, workdir: str) -> Subject:
    records = os.path.join(workdir, f"{name}.jsonl")
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", name, corpus, records]
    subject = Subject(f"{name} (in-process)", command, os.path.join(workdir, f"{name}.out"), is_worker=True)
    subject.counts["output"] = records
    return subject


def run_interleaved(subjects: list[Subject], runs: int) -> None:
    """Run every subject ``runs`` times, round-robin, so a burst of load on a shared machine
    hits all of them alike rather than one block of runs."""
    for _ in range(runs):
        for subject in subjects:
            wall, rss, status = timed_process(subject.command, subject.stdout_path)
            if subject.is_worker:
                if status != 0:
                    raise SystemExit(f"bench: {subject.label} failed (exit {status}): {' '.join(subject.command)}")
                counts = json.loads(Path(subject.stdout_path).read_text())
                subject.loops.append(counts.pop("loop_seconds"))
                subject.counts.update(counts)
            subject.walls.append(wall)
            subject.peaks.append(rss)


def measurement_of(subject: Subject) -> Measurement:
    """The median wall (and loop) time and the largest peak RSS of a subject's runs."""
    return Measurement(
        name=subject.label, wall=statistics.median(subject.walls), peak_rss_kb=max(subject.peaks),
        files=subject.counts.get("files"), pe=subject.counts.get("pe"),
        loop=statistics.median(subject.loops) if subject.loops else None,
        output=subject.counts.get("output", subject.stdout_path),
    )


def verfix_command() -> list[str]:
    script = Path(sys.executable).with_name("verfix")
    return [str(script)] if script.exists() else [sys.executable, "-m", "verfix"]


def cli_has_inventory() -> bool:
    probe = subprocess.run([*verfix_command(), "inventory", "--help"], capture_output=True, cwd=REPO)
    return probe.returncode == 0


def median_wall(commands: dict[str, list[str]], runs: int, workdir: str) -> dict[str, float]:
    """Median wall time of each command over ``runs`` interleaved runs, after 3 warm-up rounds."""
    subjects = [Subject(name, command, os.path.join(workdir, f"startup-{index}.out"))
                for index, (name, command) in enumerate(commands.items())]
    run_interleaved(subjects, 3)
    for subject in subjects:
        subject.walls.clear()
    run_interleaved(subjects, runs)
    return {subject.label: statistics.median(subject.walls) for subject in subjects}


# --- comparing versions --------------------------------------------------------------------

def load_verfix_versions(jsonl_path: str) -> dict[str, str | None]:
    versions = {}
    with open(jsonl_path, encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            versions[os.path.normpath(record["path"])] = record["file_version"]
    return versions


def load_exiftool_versions(json_path: str) -> dict[str, str | None]:
    text = Path(json_path).read_text(encoding="utf-8", errors="replace").strip()
    documents = json.loads(text) if text else []
    return {
        os.path.normpath(item["SourceFile"]):
            None if item.get("FileVersionNumber") is None else str(item["FileVersionNumber"])
        for item in documents
    }


def compare_versions(verfix: dict[str, str | None], exiftool: dict[str, str | None]) -> list[str]:
    """Every file where verfix's fixed FileVersion differs from exiftool's FileVersionNumber.

    Files without an exiftool number and without a verfix record (non-PE) agree trivially.
    """
    mismatches = []
    for path in sorted(set(verfix) | {p for p, v in exiftool.items() if v is not None}):
        ours = verfix.get(path)
        theirs = exiftool.get(path)
        if path not in verfix:
            mismatches.append(f"{path}: verfix reported no PE record, exiftool says {theirs}")
        elif ours != theirs:
            mismatches.append(f"{path}: verfix {ours or 'none'}, exiftool {theirs or 'none'}")
    return mismatches


# --- the report ----------------------------------------------------------------------------

def verdict(ratio: float, target: float, higher_is_better: bool) -> str:
    met = ratio >= target if higher_is_better else ratio <= target
    if met:
        return "met"
    shortfall = target / ratio if higher_is_better else ratio / target
    return f"MISSED by {shortfall:.2f}x"


def print_table(rows: list[list[str]], headers: list[str]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=os.environ.get("BENCH_CORPUS"),
                        help="Folder to scan (default: $BENCH_CORPUS); build it with tools/build_bench_corpus.sh.")
    parser.add_argument("--runs", type=int, default=3, help="Runs per throughput measurement (median).")
    parser.add_argument("--startup-runs", type=int, default=20, help="Runs per start-up measurement (median).")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("worker_output", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--image-only", action="store_true",
                        help="Only the disk-image figures: inventory of an NTFS image of the corpus vs the folder.")
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args.worker, args.corpus, args.worker_output)
        return 0
    if not args.corpus or not os.path.isdir(args.corpus):
        print("bench: give the corpus folder as BENCH_CORPUS (or an argument); build the reference corpus "
              "with: sudo sh tools/build_bench_corpus.sh /tmp/bench-corpus", file=sys.stderr)
        return 2
    if args.image_only:
        workdir = tempfile.mkdtemp(prefix="verfix-bench-")
        try:
            return _image_benchmark(os.path.abspath(args.corpus), args.runs, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    if not shutil.which("exiftool"):
        print("bench: exiftool is needed (Debian: apt-get install libimage-exiftool-perl)", file=sys.stderr)
        return 2
    corpus = os.path.abspath(args.corpus)
    workdir = tempfile.mkdtemp(prefix="verfix-bench-")
    try:
        status = _benchmark(corpus, args.runs, args.startup_runs, workdir)
        return _image_benchmark(corpus, args.runs, workdir) or status
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _benchmark(corpus: str, runs: int, startup_runs: int, workdir: str) -> int:
    print(f"verfix benchmark on {corpus}: median of {runs} interleaved run(s) per tool, page cache warmed first")
    run_interleaved([worker_subject("bare", corpus, workdir)], 1)  # warm the page cache for everyone

    subjects = [worker_subject(name, corpus, workdir)
                for name in ("bare", "pefile", "verfix-fast", "verfix-pefile")]
    has_cli = cli_has_inventory()
    if has_cli:
        subjects.append(Subject("verfix inventory --format jsonl (CLI)",
                                [*verfix_command(), "inventory", corpus, "--format", "jsonl", "-q"],
                                os.path.join(workdir, "verfix-cli.out")))
    subjects.append(Subject("exiftool " + " ".join(EXIFTOOL_ARGS), ["exiftool", *EXIFTOOL_ARGS, corpus],
                            os.path.join(workdir, "exiftool.out")))
    run_interleaved(subjects, runs)

    results = [measurement_of(subject) for subject in subjects]
    by_name = {m.name.split(" ")[0]: m for m in results[:4]}
    files = by_name["bare"].files
    cli: Measurement | None = results[4] if has_cli else None
    if cli is not None:
        with open(cli.output, encoding="utf-8") as lines:
            cli.pe = sum(1 for _ in lines)
    exiftool = results[-1]
    exif_versions = load_exiftool_versions(exiftool.output)
    exiftool.files = len(exif_versions)
    exiftool.pe = sum(v is not None for v in exif_versions.values())

    print()
    rows = []
    for m in results:
        rows.append([
            m.name, str(m.files if m.files is not None else "-"), str(m.pe if m.pe is not None else "-"),
            f"{m.wall:.3f}", "-" if m.loop is None else f"{m.loop:.3f}",
            f"{files / m.wall:,.0f}", "-" if m.loop is None else f"{files / m.loop:,.0f}",
            f"{m.peak_rss_kb / 1024:.1f}",
        ])
    print_table(rows, ["tool", "files", "PE", "wall s", "loop s", "files/s (wall)", "files/s (loop)",
                       "peak RSS MB"])
    print(f"files/s divides the {files} regular files of the corpus by the time; 'wall' includes start-up "
          "and imports, 'loop' is the walk-and-read loop alone (in-process workers).")
    print("exiftool's 'PE' column counts files with a FileVersionNumber.")

    # Version agreement: verfix (in-process, and the CLI when wired) against exiftool.
    mismatches = compare_versions(load_verfix_versions(by_name["verfix-fast"].output), exif_versions)
    mismatches += [f"[pefile reader] {m}" for m in compare_versions(
        load_verfix_versions(by_name["verfix-pefile"].output), exif_versions)]
    if cli is not None:
        mismatches += [f"[CLI] {m}" for m in compare_versions(load_verfix_versions(cli.output), exif_versions)]

    startup = median_wall({
        "verfix check -m": [*verfix_command(), "check", str(BIN_DIR), "-m", ONE_MANIFEST, "-q"],
        "exiftool": ["exiftool", "-FileVersionNumber", str(BIN_DIR)],
        "verfix check (all)": [*verfix_command(), "check", str(BIN_DIR), "-q"],
    }, startup_runs, workdir)

    fast = by_name["verfix-fast"]
    bare = by_name["bare"]
    verfix_wall = cli.wall if cli is not None else fast.wall
    verfix_label = "verfix inventory CLI" if cli is not None else "verfix in-process worker (CLI not wired)"
    print()
    ratio_rows = [
        [f"files/s: {verfix_label} / exiftool (wall)", f"{exiftool.wall / verfix_wall:.1f}x",
         f">= {TARGET_VS_EXIFTOOL:g}x", verdict(exiftool.wall / verfix_wall, TARGET_VS_EXIFTOOL, True)],
        ["files/s: verfix loop / exiftool (wall)", f"{exiftool.wall / fast.loop:.1f}x",
         "(start-up excluded)", verdict(exiftool.wall / fast.loop, TARGET_VS_EXIFTOOL, True)],
        ["time: verfix loop / bare loop (per file; issue 13)", f"{fast.loop / bare.loop:.2f}x",
         f"<= {TARGET_PER_FILE:g}x", verdict(fast.loop / bare.loop, TARGET_PER_FILE, False)],
        ["time: verfix / bare (wall, with start-up)", f"{verfix_wall / bare.wall:.2f}x", f"<= {TARGET_VS_BARE:g}x",
         verdict(verfix_wall / bare.wall, TARGET_VS_BARE, False)],
        ["time: verfix loop / pefile fast path loop", f"{fast.loop / by_name['pefile'].loop:.2f}x", "(no target)", ""],
        [f"start-up: verfix check -m {ONE_MANIFEST} / exiftool -FileVersionNumber "
         f"({startup['verfix check -m'] * 1000:.0f} / {startup['exiftool'] * 1000:.0f} ms)",
         f"{startup['verfix check -m'] / startup['exiftool']:.2f}x", f"<= {TARGET_STARTUP:g}x",
         verdict(startup["verfix check -m"] / startup["exiftool"], TARGET_STARTUP, False)],
        [f"all catalog / one manifest ({startup['verfix check (all)'] * 1000:.0f} / "
         f"{startup['verfix check -m'] * 1000:.0f} ms, {_bundled_count()} bundled)",
         f"{startup['verfix check (all)'] / startup['verfix check -m']:.2f}x", f"<= {TARGET_ALL_CATALOG:g}x",
         verdict(startup["verfix check (all)"] / startup["verfix check -m"], TARGET_ALL_CATALOG, False)],
    ]
    print_table(ratio_rows, ["ratio", "measured", "target", "verdict"])
    print(f"start-up and catalog figures: median of {startup_runs} interleaved runs on "
          f"{BIN_DIR.relative_to(REPO)}.")

    print()
    compared = sum(1 for v in exif_versions.values() if v is not None)
    if mismatches:
        print(f"VERSION MISMATCHES against exiftool FileVersionNumber: {len(mismatches)}")
        for line in mismatches:
            print(f"  {line}")
        return 1
    print(f"versions: verfix's fixed FileVersion equals exiftool's FileVersionNumber on every file "
          f"({compared} with a version, {fast.pe} PE files; both verfix readers"
          f"{' and the CLI' if cli is not None else ''})")
    return 0


def build_ntfs_image(corpus: str, workdir: str) -> str | None:
    """A bare NTFS volume image (no partition table) holding a copy of the corpus, filled
    through an ntfs-3g mount; None (with the reason printed) when root or the tools are missing."""
    missing = [tool for tool in IMAGE_TOOLS if shutil.which(tool) is None]
    if os.geteuid() != 0 or missing or not os.path.exists("/dev/fuse"):
        why = f"needs {', '.join(missing)}" if missing else "needs root and /dev/fuse for the ntfs-3g mount"
        print(f"disk image: skipped ({why}; Debian ntfs-3g)")
        return None
    used = int(subprocess.run(["du", "-sb", corpus], capture_output=True, text=True, check=True).stdout.split()[0])
    image = os.path.join(workdir, "corpus-ntfs.img")
    with open(image, "wb") as stream:
        stream.truncate(used * 13 // 10 + (64 << 20))
    subprocess.run(["mkntfs", "--quiet", "--force", "--fast", "--label", "BENCH", image],
                   check=True, capture_output=True)
    mount = os.path.join(workdir, "mnt")
    os.mkdir(mount)
    subprocess.run(["ntfs-3g", image, mount], check=True, capture_output=True)
    try:
        subprocess.run(["cp", "-r", "-P", corpus, os.path.join(mount, "CORPUS")], check=True)
    finally:
        subprocess.run(["umount", mount], check=True, capture_output=True)
    return image


def _image_benchmark(corpus: str, runs: int, workdir: str) -> int:
    """Inventory of an NTFS image of the corpus against inventory of the corpus folder."""
    print()
    started = time.perf_counter()
    image = build_ntfs_image(corpus, workdir)
    if image is None:
        return 0
    print(f"disk image: {os.path.getsize(image) >> 20} MiB NTFS image of {corpus} built in "
          f"{time.perf_counter() - started:.1f} s; median of {runs} interleaved run(s), cache warmed first")
    folder = worker_subject("verfix-fast", corpus, workdir)
    in_image = worker_subject("verfix-image", image, workdir)
    run_interleaved([folder, in_image], 1)  # warm the page cache (and the image's blocks)
    folder.walls.clear(), folder.loops.clear(), folder.peaks.clear()
    in_image.walls.clear(), in_image.loops.clear(), in_image.peaks.clear()
    run_interleaved([folder, in_image], runs)
    on_folder, on_image = measurement_of(folder), measurement_of(in_image)
    print_table([[m.name.replace("(in-process)", "(folder)" if m is on_folder else "(NTFS image)"),
                  str(m.files), str(m.pe), f"{m.wall:.3f}", f"{m.loop:.3f}", f"{m.peak_rss_kb / 1024:.1f}"]
                 for m in (on_folder, on_image)],
                ["tool", "files", "PE", "wall s", "loop s", "peak RSS MB"])
    ratio = on_image.loop / on_folder.loop
    print_table([["time: inventory of the NTFS image / of the folder (loop)", f"{ratio:.2f}x",
                  f"<= {TARGET_IMAGE_VS_FOLDER:g}x", verdict(ratio, TARGET_IMAGE_VS_FOLDER, False)]],
                ["ratio", "measured", "target", "verdict"])
    folder_versions = {Path(p).relative_to(corpus).as_posix(): v
                       for p, v in load_verfix_versions(on_folder.output).items()}
    image_versions = {p.split("#p1:/CORPUS/", 1)[1]: v for p, v in load_verfix_versions(on_image.output).items()}
    if folder_versions != image_versions:
        differ = sorted(set(folder_versions.items()) ^ set(image_versions.items()))[:10]
        print(f"DIFFERENCES between the image and the folder: {differ}")
        return 1
    print(f"versions: the image gives the folder's record for each of its {len(image_versions)} PE files")
    return 0


def _bundled_count() -> int:
    from verfix.manifest import load_bundled

    return len(load_bundled())


if __name__ == "__main__":
    sys.exit(main())
