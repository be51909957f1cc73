"""The inventory's speed tricks against their plain versions: --jobs N gives the records,
their order, the counters and every output format of one job (small trees and disk images
start no worker; Ctrl-C still stops cleanly); the fast open of a folder's files answers as the
plain one; the JSON Lines written straight from the records are formats.write_jsonl's."""

from __future__ import annotations

import errno
import io
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.processes import NO_PROC, blocked_inventory, children, wait_gone
from verfix import fsio
from verfix.cli import app
from verfix.formats import write_jsonl
from verfix.inventory import InventoryStats, inventory, parallel, reading, walk
from verfix.inventory.output import write_inventory_jsonl

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO / "testdata"
CORKAMI = REPO.parent / "shared" / "corpus" / "corkami-pe"
runner = CliRunner()


def _tree(root: Path) -> Path:
    """PE files with and without versions, broken ones, data files, links and a FIFO."""
    for name in ("sp2", "sp3", "pe"):
        shutil.copytree(TESTDATA / name, root / name, symlinks=True)
    if CORKAMI.is_dir():
        shutil.copytree(CORKAMI, root / "corkami", symlinks=True)
    odd = root / "odd"
    odd.mkdir()
    (odd / "empty.exe").write_bytes(b"")
    (odd / "mz-only.exe").write_bytes(b"MZ")
    (odd / "readme.txt").write_text("not a program\n")
    (odd / "cut.dll").write_bytes((TESTDATA / "pe" / "multilang.dll").read_bytes()[:700])
    (odd / "locked.dll").write_bytes((TESTDATA / "pe" / "multilang.dll").read_bytes())
    os.symlink(TESTDATA / "pe" / "multilang.dll", odd / "outside.dll")
    os.symlink("readme.txt", odd / "inside-link.txt")
    os.symlink("../pe/amd64.dll", odd / "inside-link.dll")
    os.symlink("nowhere", odd / "dangling.dll")
    os.mkfifo(odd / "pipe.exe")
    (odd / 'quote"back\\slash\nline-\u00e9\u2028.exe').write_bytes(b"MZ")
    (odd / os.fsdecode(b"caf\xe9.exe")).write_bytes((TESTDATA / "pe" / "noversion.dll").read_bytes())
    return root


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tree, with workers from its first file on, many small batches, and one file whose
    open fails in whichever process opens it (the patch is inherited by a forked worker)."""
    monkeypatch.setattr(parallel, "SERIAL_FILES", 0)
    monkeypatch.setattr(parallel, "BATCH_FILES", 5)
    real_open = os.open

    def failing_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path).endswith("locked.dll"):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing_open)
    return _tree(tmp_path / "tree")


def _run(root: Path, **options) -> tuple[list[dict], dict]:
    stats = InventoryStats()
    records = [record.as_dict() for record in inventory(root, stats=stats, **options)]
    return records, stats.as_dict()


def test_workers_give_the_records_and_counters_of_one_job(tree: Path) -> None:
    one = _run(tree, hash_algorithm="md5,sha256", host="EXCH01")
    two = _run(tree, hash_algorithm="md5,sha256", host="EXCH01", jobs=2)
    assert two == one
    records, counters = one
    errors = {os.path.basename(r["path"]): r["error"] for r in records if r["error"]}
    assert errors["locked.dll"] == "cannot read: permission denied"   # reported per file
    assert errors["cut.dll"].startswith("truncated")
    assert counters["unreadable_files"] == 1 and counters["read_errors"] >= 1
    assert len(records) > 20 and counters["skipped"]


def test_the_fast_open_answers_as_the_plain_one(tree: Path) -> None:
    assert _run(tree, hash_algorithm="sha1") == _run(tree, hash_algorithm="sha1", plain=True)
    assert _run(tree) == _run(tree, plain=True)


def test_the_fast_open_uses_open_readonly_s_flags(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a.exe"
    target.write_bytes(b"MZ")
    seen: list[int] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, flags, *rest: seen.append(flags) or real_open(path, flags, *rest))
    for follow in (True, False):
        os.close(fsio.open_readonly(target, follow_links=follow))
        os.close(reading._fast_opener()(str(target), follow)[0])
    assert seen[0] == seen[1] and seen[2] == seen[3] and seen[0] != seen[2]


@pytest.mark.parametrize("options", [{}, {"hash_algorithm": "sha256,md5"}, {"host": "EXCH%s01"},
                                     {"hash_algorithm": "sha1", "host": ""}])
def test_jsonl_straight_from_the_records_is_write_jsonl_s(tree: Path, options: dict) -> None:
    records = list(inventory(tree, **options))
    assert any(r.path.endswith(os.fsdecode(b"caf\xe9.exe")) for r in records)  # not UTF-8
    fast, plain = io.StringIO(), io.StringIO()
    ticked: list = []
    write_inventory_jsonl(records, fast, ticked.append)
    write_jsonl((record.as_dict() for record in records), plain)
    assert fast.getvalue() == plain.getvalue() and ticked == records


def test_jsonl_straight_from_the_records_on_the_bench_corpus() -> None:
    corpus = os.environ.get("BENCH_CORPUS")
    if not corpus:
        pytest.skip("BENCH_CORPUS is not set")
    records = list(inventory(corpus))
    fast, plain = io.StringIO(), io.StringIO()
    write_inventory_jsonl(records, fast)
    write_jsonl((record.as_dict() for record in records), plain)
    assert fast.getvalue() == plain.getvalue()
    assert len(records) > 100


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_every_format_is_byte_identical_with_jobs(tree: Path, fmt: str) -> None:
    args = ["inventory", str(tree), "-f", fmt, "--hash", "md5,sha1,sha256", "--host", "H"]
    one = runner.invoke(app, [*args, "-j", "1"])
    two = runner.invoke(app, [*args, "-j", "3"])
    assert one.exit_code == 3, one.output   # the locked and the cut files
    assert (two.exit_code, two.stdout, two.stderr) == (one.exit_code, one.stdout, one.stderr)
    assert "locked.dll" in one.stdout


def test_a_small_tree_and_a_disk_image_start_no_worker(tmp_path: Path, monkeypatch) -> None:
    def no_pool(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a worker was started")

    monkeypatch.setattr(parallel, "_workers", no_pool)
    small = runner.invoke(app, ["inventory", str(TESTDATA / "sp3"), "-q", "-j", "4"])
    assert small.exit_code == 0 and small.stdout == runner.invoke(
        app, ["inventory", str(TESTDATA / "sp3"), "-q", "-j", "1"]).stdout
    monkeypatch.setattr(parallel, "SERIAL_FILES", 0)
    image = runner.invoke(app, ["inventory", str(TESTDATA / "images" / "server.img"), "-q", "-j", "4"])
    assert image.exit_code == 0, image.output
    assert image.stdout == runner.invoke(
        app, ["inventory", str(TESTDATA / "images" / "server.img"), "-q", "-j", "1"]).stdout


def test_jobs_must_be_at_least_one(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inventory", str(tmp_path), "-j", "0"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert parallel.default_jobs() >= 1


def test_ctrl_c_with_workers_is_interrupted_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(4000):   # well past the 500 read before the workers start
        (folder / f"f{index:04}.exe").write_bytes(b"MZ")
    out = tmp_path / "out"
    out.mkdir()
    # To a pipe: unread, the process blocks writing once the pipe is full, workers running.
    # Ctrl-C at a terminal signals the whole process group: the workers as well.
    piped = subprocess.Popen([sys.executable, "-m", "verfix", "inventory", str(folder), "-q", "-j", "2"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
                             start_new_session=True)
    assert piped.stdout.read(400_000).startswith(b"{")  # past the 500 records read in-process
    assert NO_PROC or children(piped.pid) != [], "no worker is running"
    os.killpg(piped.pid, signal.SIGINT)
    assert piped.wait(timeout=60) == 130
    assert piped.stderr.read().decode() == "verfix: interrupted\n"
    # To a file: interrupted while the workers run, nothing is left in the output folder.
    to_file = subprocess.Popen([sys.executable, "-c", _INTERRUPT_AFTER_WORKERS_START, str(folder),
                                str(out / "inventory.jsonl")], stderr=subprocess.PIPE, cwd=REPO)
    assert to_file.wait(timeout=60) == 130
    assert to_file.stderr.read().decode() == "verfix: interrupted\n"
    assert list(out.iterdir()) == []


def test_jobs_are_capped_at_four_per_core(tmp_path: Path, monkeypatch) -> None:
    started: list[int] = []
    real = parallel._workers

    def counting(jobs, *args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(jobs)
        return real(jobs, *args, **kwargs)

    monkeypatch.setattr(parallel, "_workers", counting)
    monkeypatch.setattr(parallel, "default_jobs", lambda: 1)
    monkeypatch.setattr(parallel, "SERIAL_FILES", 0)
    for index in range(3):
        (tmp_path / f"f{index}.exe").write_bytes(b"MZ")
    result = runner.invoke(app, ["inventory", str(tmp_path), "-j", "10000"])
    assert result.exit_code == 3, result.output  # "MZ" alone is no PE file: unreadable
    assert started == [4]  # not 10,000 processes
    assert "--jobs 10000 is more than 4 (4 per core): at most 4 processes" in result.stderr
    assert parallel.usable_jobs(3) == 3 and parallel.usable_jobs(10**9) == 4


@pytest.mark.skipif(NO_PROC, reason="needs Linux's /proc to find the workers")
def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(4000):
        (folder / f"f{index:04}.exe").write_bytes(b"MZ")
    piped, workers = blocked_inventory(folder, REPO, stderr=subprocess.DEVNULL)
    piped.kill()  # SIGKILL, as the OOM killer sends: no clean-up in the parent
    piped.wait(timeout=10)
    piped.stdout.close()
    assert wait_gone(workers), "a worker outlived its killed parent"


# Runs verfix's main with SIGINT sent to itself once a worker has a batch to answer.
_INTERRUPT_AFTER_WORKERS_START = """
import os, signal, sys
from verfix.cli import main
from verfix.inventory import parallel
real = parallel._answered
def interrupting(batch, worker):
    if worker is not None:
        os.kill(os.getpid(), signal.SIGINT)
    return real(batch, worker)
parallel._answered = interrupting
sys.exit(main(["inventory", sys.argv[1], "-q", "-j", "2", "-o", sys.argv[2]]))
"""


@pytest.mark.parametrize("given", ["tree", "tree/", "./tree", ".", "tree//odd/"])
def test_paths_made_by_joining_are_os_path_join_s(tree: Path, monkeypatch, given: str) -> None:
    monkeypatch.chdir(tree.parent)
    fast = [entry for entry in walk.walk_pe_candidates(given)]
    monkeypatch.setattr(walk, "_prefix", lambda folder: None)   # os.path.join for every name
    assert fast == list(walk.walk_pe_candidates(given))
    assert len(fast) > 10


def test_versions_are_written_as_str_of_the_version(tree: Path) -> None:
    from verfix.pe import read_pe_file

    checked = 0
    for record in inventory(tree):
        if record.file_version is not None and record.path.endswith((".dll", ".exe", ".DLL", ".EXE")):
            info = read_pe_file(record.path)
            assert (record.file_version, record.product_version) == (
                str(info.file_version), None if info.product_version is None else str(info.product_version))
            checked += 1
    assert checked > 10


def test_spawned_workers_give_the_same_records(tmp_path: Path, monkeypatch) -> None:
    # Where there is no fork (Windows, macOS by default) the workers are spawned: fresh
    # interpreters that import verfix and get their reader's settings through the pipe.
    root = tmp_path / "tree"
    for name in ("sp2", "sp3", "pe"):
        shutil.copytree(TESTDATA / name, root / name)
    monkeypatch.setattr(parallel, "SERIAL_FILES", 0)
    monkeypatch.setattr(parallel, "BATCH_FILES", 7)
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    assert _run(root, hash_algorithm="sha256", jobs=2) == _run(root, hash_algorithm="sha256")


def test_jsonl_straight_from_the_records_spells_odd_names_as_write_jsonl(tmp_path: Path) -> None:
    # A % in a UTF-8 name is spelled %25 with path_hex; U+2028 and U+0085 are escaped so that
    # str.splitlines() keeps one record a line. The direct writer wrote both raw.
    folder = tmp_path / "odd"
    folder.mkdir()
    pe = (REPO / "testdata" / "sp2" / "exchsrvr" / "bin" / "Emsmta.exe").read_bytes()
    for name in ("50%.exe", "a\u2028b.exe", "c\x85d.exe", "plain.exe"):
        (folder / name).write_bytes(pe)
    records = list(inventory(folder))
    fast, plain = io.StringIO(), io.StringIO()
    write_inventory_jsonl(records, fast)
    write_jsonl((record.as_dict() for record in records), plain)
    assert fast.getvalue() == plain.getvalue()
    assert len(fast.getvalue().splitlines()) == 4 and "50%25.exe" in fast.getvalue()
