"""The inventory walk: safety on hostile trees, PE detection, counters, hashing, streaming."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from verfix.inventory import (
    HASH_CHUNK_SIZE, SKIP_DEVICE, SKIP_FIFO, SKIP_LINK_DANGLING, SKIP_LINK_OUTSIDE,
    SKIP_LINK_TO_DIRECTORY, SKIP_SOCKET, EntryKind, InventoryStats, inventory, walk_pe_candidates,
)
from verfix.pe import Reader

TESTDATA = Path(__file__).resolve().parent.parent / "testdata"
SAMPLE = TESTDATA / "pe" / "multilang.dll"          # fixed FileVersion 1.2.3.4
SAMPLE_VERSION = "1.2.3.4"
NOBODY = 65534


def records_of(root: Path, **options) -> tuple[dict[str, dict], InventoryStats]:
    stats = InventoryStats()
    records = {}
    for record in inventory(root, stats=stats, **options):
        assert record.path not in records, f"{record.path} reported twice"
        records[record.path] = record.as_dict()
    return records, stats


def rel(records: dict[str, dict], root: Path) -> set[str]:
    return {os.path.relpath(path, root) for path in records}


def put_pe(path: Path, source: Path = SAMPLE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path)
    return path


def run_as_nobody(step: Callable[[], object]) -> object:
    """``step()`` in a forked child as uid 65534 when we are root (so chmod 000 really denies)."""
    if os.geteuid() != 0:
        return step()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            payload = json.dumps({"ok": step()})
        except BaseException as error:  # noqa: BLE001 - carried back to the parent
            payload = json.dumps({"error": repr(error)})
        with os.fdopen(write_end, "w") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as incoming:
        answer = json.loads(incoming.read() or '{"error": "child died"}')
    os.waitpid(pid, 0)
    assert "error" not in answer, answer.get("error")
    return answer["ok"]


@pytest.fixture
def open_tree():
    """A temporary folder that user 65534 can enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="verfix-inv-"))
    folder.chmod(0o755)
    yield folder
    for dirpath, dirnames, _ in os.walk(folder):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), 0o755, follow_symlinks=False)
    shutil.rmtree(folder)


# --- what counts as a PE file ---------------------------------------------------------------

def test_nested_folders_report_pe_files_only_and_count_the_rest(tmp_path):
    put_pe(tmp_path / "a.dll")
    put_pe(tmp_path / "sub" / "deeper" / "deepest" / "b.exe", TESTDATA / "pe" / "amd64.dll")
    (tmp_path / "sub" / "readme.txt").write_text("not a PE file\n")
    (tmp_path / "sub" / "fake.dll").write_bytes(b"ZM not really")
    (tmp_path / "sub" / "empty.dll").write_bytes(b"")
    (tmp_path / "empty-folder").mkdir()

    records, stats = records_of(tmp_path)

    assert rel(records, tmp_path) == {"a.dll", "sub/deeper/deepest/b.exe"}
    deep = records[str(tmp_path / "sub" / "deeper" / "deepest" / "b.exe")]
    assert deep["file_version"] == "2.3.4.5"
    assert deep["machine"] == "amd64"
    assert stats.files_seen == 5
    assert stats.pe_files == 2
    assert stats.not_pe == 3
    assert stats.records == 2


def test_pe_detection_ignores_names_and_case(tmp_path):
    put_pe(tmp_path / "FOO.DLL")
    put_pe(tmp_path / "foo.dll")
    put_pe(tmp_path / "renamed.txt")         # a PE under any name is a PE
    (tmp_path / "Bar.DLL").write_text("a text file named like a DLL\n")

    records, stats = records_of(tmp_path)

    assert rel(records, tmp_path) == {"FOO.DLL", "foo.dll", "renamed.txt"}
    assert {r["file_version"] for r in records.values()} == {SAMPLE_VERSION}
    assert stats.not_pe == 1


def test_records_have_the_pe_facts(tmp_path):
    put_pe(tmp_path / "strdiff.exe", TESTDATA / "pe" / "strdiff.exe")
    put_pe(tmp_path / "noversion.dll", TESTDATA / "pe" / "noversion.dll")
    (tmp_path / "truncated.dll").write_bytes(b"MZ")

    records, stats = records_of(tmp_path)

    strdiff = records[str(tmp_path / "strdiff.exe")]
    assert strdiff["file_version"] == "6.1.0.9212"
    assert strdiff["file_version_string"] == "6.01.9212"
    assert strdiff["size"] == (TESTDATA / "pe" / "strdiff.exe").stat().st_size
    assert strdiff["machine"] == "i386"
    assert strdiff["error"] is None
    assert "sha256" not in strdiff
    noversion = records[str(tmp_path / "noversion.dll")]
    assert noversion["file_version"] is None and noversion["error"] == "no version resource"
    truncated = records[str(tmp_path / "truncated.dll")]
    assert truncated["size"] == 2 and truncated["file_version"] is None and truncated["error"]
    assert stats.read_errors == 1 and stats.no_version == 1 and stats.pe_files == 3


def test_both_readers_agree_on_the_committed_testdata():
    fast, _ = records_of(TESTDATA)
    slow, _ = records_of(TESTDATA, reader=Reader.PEFILE)
    assert fast.keys() == slow.keys()
    assert len(fast) >= 10
    for path in fast:
        assert fast[path]["file_version"] == slow[path]["file_version"], path


def test_order_is_sorted_within_a_folder_and_files_come_before_subfolders(tmp_path):
    for name in ["c.dll", "a.dll", "b/x.dll", "B.dll", "a/y.dll"]:
        put_pe(tmp_path / name)
    order = [os.path.relpath(r.path, tmp_path) for r in inventory(tmp_path)]
    assert order == ["B.dll", "a.dll", "c.dll", "a/y.dll", "b/x.dll"]


def test_a_file_given_as_root_is_inventoried(tmp_path):
    target = put_pe(tmp_path / "one.dll")
    records, _ = records_of(target)
    assert list(records) == [str(target)]


# --- safety ----------------------------------------------------------------------------------

def test_links_out_of_the_tree_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    put_pe(outside / "secret.dll")
    put_pe(outside / "dir" / "inner.dll")
    tree = tmp_path / "tree"
    put_pe(tree / "real.dll")
    (tree / "out-file.dll").symlink_to(outside / "secret.dll")
    (tree / "out-dir").symlink_to(outside / "dir")
    (tree / "relative-out.dll").symlink_to(Path("..") / "outside" / "secret.dll")
    (tree / "in-file.dll").symlink_to(tree / "real.dll")
    (tree / "sub").mkdir()
    (tree / "sub" / "in-dir").symlink_to(tree)       # a loop, were it followed
    (tree / "dangling.dll").symlink_to(tree / "gone.dll")
    (tree / "self.dll").symlink_to(tree / "self.dll")

    records, stats = records_of(tree)

    assert rel(records, tree) == {"real.dll", "in-file.dll"}
    assert records[str(tree / "in-file.dll")]["file_version"] == SAMPLE_VERSION
    assert stats.skipped == {SKIP_LINK_OUTSIDE: 3, SKIP_LINK_TO_DIRECTORY: 1, SKIP_LINK_DANGLING: 2}


def test_fifo_is_skipped_never_opened_and_the_run_does_not_block(tmp_path, recorded_opens):
    put_pe(tmp_path / "a.dll")
    fifo = tmp_path / "pipe.dll"
    os.mkfifo(fifo)
    opened = recorded_opens
    outcome: dict = {}
    worker = threading.Thread(target=lambda: outcome.update(result=records_of(tmp_path)), daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # give the blocked reader a writer, so pytest can exit, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("inventory blocked on a FIFO")
    records, stats = outcome["result"]
    assert rel(records, tmp_path) == {"a.dll"}
    assert str(fifo) not in opened
    assert stats.skipped == {SKIP_FIFO: 1}


def test_socket_and_device_are_skipped(tmp_path):
    put_pe(tmp_path / "a.dll")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(tmp_path / "s"))
        expected = {SKIP_SOCKET: 1}
        if os.geteuid() == 0:
            os.mknod(tmp_path / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
            expected[SKIP_DEVICE] = 1
        records, stats = records_of(tmp_path)
    finally:
        server.close()
    assert rel(records, tmp_path) == {"a.dll"}
    assert stats.skipped == expected


def test_unreadable_folder_and_file_are_records_with_an_error(open_tree):
    put_pe(open_tree / "ok" / "a.dll")
    locked = open_tree / "locked"
    put_pe(locked / "hidden.dll")
    locked.chmod(0)
    secret = put_pe(open_tree / "ok" / "secret.dll")
    secret.chmod(0)
    put_pe(open_tree / "zzz" / "after.dll")   # the walk goes on past the problems

    def step():
        stats = InventoryStats()
        records = {r.path: r.as_dict() for r in inventory(open_tree, stats=stats)}
        return records, stats.as_dict()

    records, stats = run_as_nobody(step)

    assert rel(records, open_tree) == {"locked", "ok/a.dll", "ok/secret.dll", "zzz/after.dll"}
    assert records[str(locked)]["error"] == "cannot list folder: permission denied"
    assert records[str(locked)]["size"] is None
    assert records[str(secret)]["error"] == "cannot read: permission denied"
    assert records[str(open_tree / "zzz" / "after.dll")]["file_version"] == SAMPLE_VERSION
    assert stats["unreadable_folders"] == 1 and stats["unreadable_files"] == 1


def test_unreadable_root_is_a_record_not_an_exception(open_tree):
    locked = open_tree / "locked"
    locked.mkdir()
    locked.chmod(0)
    records = run_as_nobody(lambda: [r.as_dict() for r in inventory(locked)])
    assert [(r["path"], r["error"]) for r in records] == [
        (str(locked), "cannot list folder: permission denied")]


def test_the_tree_is_not_written_to(tmp_path):
    put_pe(tmp_path / "a.dll")
    put_pe(tmp_path / "sub" / "b.dll")
    (tmp_path / "sub" / "c.txt").write_text("x")

    def snapshot():
        return sorted(
            (os.path.relpath(os.path.join(d, n), tmp_path), os.lstat(os.path.join(d, n)).st_mtime_ns,
             os.lstat(os.path.join(d, n)).st_size)
            for d, dirs, files in os.walk(tmp_path) for n in dirs + files
        ) + [("", os.lstat(tmp_path).st_mtime_ns, 0)]

    before = snapshot()
    records_of(tmp_path, hash_algorithm="sha256")
    assert snapshot() == before


# --- hashing ---------------------------------------------------------------------------------

def test_sha256_matches_hashlib_including_files_larger_than_a_chunk(tmp_path):
    small = put_pe(tmp_path / "small.dll")
    large = tmp_path / "large.dll"
    large.write_bytes(SAMPLE.read_bytes() + os.urandom(HASH_CHUNK_SIZE * 2 + 123))

    records, _ = records_of(tmp_path, hash_algorithm="sha256")

    for path in (small, large):
        assert records[str(path)]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert "md5" not in records[str(path)]
    assert records[str(large)]["file_version"] == SAMPLE_VERSION


def test_three_digests_in_one_read_of_each_file(tmp_path, recorded_opens, monkeypatch):
    small = put_pe(tmp_path / "small.dll")
    tiny = tmp_path / "tiny.dll"
    tiny.write_bytes(b"MZ" + b"\0" * 100)  # shorter than the head: hashed from it alone
    large = tmp_path / "large.dll"
    large.write_bytes(SAMPLE.read_bytes() + os.urandom(HASH_CHUNK_SIZE + 5))
    read_bytes = []
    real_pread = os.pread
    monkeypatch.setattr(os, "pread", lambda fd, n, at: read_bytes.append((fd, at, n)) or real_pread(fd, n, at))
    records, _ = records_of(tmp_path, hash_algorithm="md5,sha1,sha256")
    for path in (small, tiny, large):
        data = path.read_bytes()
        record = records[str(path)]
        assert [record[name] for name in ("md5", "sha1", "sha256")] == [
            hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(), hashlib.sha256(data).hexdigest()]
    opened_files = [p for p in recorded_opens if p.endswith(".dll")]
    assert sorted(opened_files) == sorted(str(p) for p in (small, tiny, large)), recorded_opens
    # The hash pass goes on from the head the reader got: the start of each file is read once.
    assert sum(1 for _, at, _ in read_bytes if at == 0) == 3


def test_unknown_hash_algorithm_is_refused(tmp_path):
    with pytest.raises(ValueError, match="crc32"):
        next(inventory(tmp_path, hash_algorithm="sha256,crc32"))


def test_host_and_shown_path_are_on_every_record(tmp_path):
    put_pe(tmp_path / "D" / "EXCHSRVR" / "BIN" / "EMSMTA.EXE")
    (tmp_path / "D" / "EXCHSRVR" / "BIN" / "BAD.DLL").write_bytes(b"MZ")
    from verfix.winpath import windows_path

    records = [r.as_dict() for r in inventory(tmp_path, host="EXCH01",
                                              shown_path=lambda p: windows_path(p, tmp_path))]
    assert sorted(r["path"] for r in records) == [r"D:\EXCHSRVR\BIN\BAD.DLL", r"D:\EXCHSRVR\BIN\EMSMTA.EXE"]
    assert {r["host"] for r in records} == {"EXCH01"}
    assert all("host" not in r.as_dict() for r in inventory(tmp_path))


# --- streaming -------------------------------------------------------------------------------

def test_records_stream_before_the_walk_ends(tmp_path):
    put_pe(tmp_path / "a" / "first.dll")
    (tmp_path / "b").mkdir()
    records = inventory(tmp_path)
    first = next(records)
    assert first.path == str(tmp_path / "a" / "first.dll")
    put_pe(tmp_path / "b" / "later.dll")    # made after the first record: still found
    assert [r.path for r in records] == [str(tmp_path / "b" / "later.dll")]


def test_walk_reports_kinds(tmp_path):
    put_pe(tmp_path / "a.dll")
    os.mkfifo(tmp_path / "f")
    kinds = {os.path.basename(e.path): (e.kind, e.reason) for e in walk_pe_candidates(tmp_path)}
    assert kinds == {"a.dll": (EntryKind.FILE, None), "f": (EntryKind.SKIPPED, SKIP_FIFO)}


def _peak_memory_of_inventory(root: Path) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        count = sum(1 for _ in inventory(root))
        return tracemalloc.get_traced_memory()[1] if count else 0
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_files(tmp_path):
    # Same folder size (50 entries), ten times as many folders and files: the peak must not
    # follow the file count. Only a few bytes per folder (the visited set) may add up.
    def build(root: Path, folders: int) -> Path:
        for f in range(folders):
            for n in range(50):
                target = root / f"d{f:03}" / f"f{n:02}.dll"
                if n % 5 == 0:
                    put_pe(target)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(b"not a PE")
        return root

    small = _peak_memory_of_inventory(build(tmp_path / "small", 4))
    large = _peak_memory_of_inventory(build(tmp_path / "large", 40))
    assert small > 0
    assert large < small * 1.5 + 32 * 1024, (small, large)
