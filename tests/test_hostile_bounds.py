"""Issue 8, rows 9 and 15: a huge folder is streamed, and access times stay."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from verfix import inventory as inventory_module
from verfix.inventory import walk as inventory_walk
from verfix import locate
from verfix.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from unprivileged import run_unprivileged, world_readable_tmpdir  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
README = (REPO / "README.md").read_text()
OLD = 946_684_800_000_000_000  # 2000-01-01: a relatime mount refreshes an atime this old


# --- row 9: memory flat in the number of entries of a folder -------------------------------

def test_a_huge_folder_is_streamed_in_directory_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(inventory_walk, "SORTED_FOLDER_LIMIT", 10)
    for index in range(40):
        (tmp_path / f"f{index:02}.exe").write_bytes(b"MZ")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.exe").write_bytes(b"MZ")
    listed: list[int] = []
    real_scan = locate.scan_folder

    class Counting:
        def __init__(self, folder):
            self.inner = real_scan(folder)

        def __enter__(self):
            entries = self.inner.__enter__()

            def counted():
                for entry in entries:
                    listed.append(1)
                    yield entry
            return counted()

        def __exit__(self, *exc):
            return self.inner.__exit__(*exc)

    monkeypatch.setattr(inventory_walk, "scan_folder", Counting)
    walk = inventory_module.walk_pe_candidates(tmp_path)
    first = next(walk)
    assert first.kind is inventory_module.EntryKind.FILE
    assert len(listed) < 41, "the whole listing was read before the first entry went out"
    rest = [first, *walk]
    names = sorted(os.path.basename(entry.path) for entry in rest)
    assert names == sorted([f"f{index:02}.exe" for index in range(40)] + ["inner.exe"])


def test_a_small_folder_is_still_sorted(tmp_path: Path) -> None:
    for name in ("b.exe", "a.exe", "c.exe"):
        (tmp_path / name).write_bytes(b"MZ")
    assert [os.path.basename(e.path) for e in inventory_module.walk_pe_candidates(tmp_path)] == [
        "a.exe", "b.exe", "c.exe"]


# --- row 15: access times ---------------------------------------------------------------------

def _tree(root: Path) -> dict[str, Path]:
    bin_dir = root / "exchsrvr" / "bin"
    shutil.copytree(SP3, bin_dir)
    manifest = root / "own.toml"
    manifest.write_text((REPO / "manifests" / "Q236586.toml").read_text())
    article = root / "Q900001.TXT"
    article.write_bytes((REPO / "tests" / "fixtures" / "kb" / "Q900001.TXT").read_bytes())
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            os.utime(os.path.join(dirpath, name), ns=(OLD, OLD - 10**9))
    return {"bin": bin_dir, "manifest": manifest, "article": article}


def _atimes(root: Path) -> dict[str, int]:
    return {os.path.join(d, n): os.stat(os.path.join(d, n)).st_atime_ns
            for d, dirs, files in os.walk(root) for n in [*dirs, *files]}


def _every_command(paths: dict[str, Path], out: Path) -> list[int]:
    return [
        main(["check", str(paths["bin"]), "-m", str(paths["manifest"]), "-q", "-o", str(out / "c")]),
        main(["inventory", str(paths["bin"]), "-q", "--hash", "sha256", "-o", str(out / "i")]),
        main(["inventory", str(paths["bin"]), "-q", "--reader", "pefile", "-o", str(out / "p")]),
        main(["version", str(paths["bin"] / "Emsmta.exe"), str(paths["bin"] / "Mtacheck.exe"), "-o",
              str(out / "v")]),
        main(["manifests", "validate", str(paths["manifest"])]),
        main(["manifests", "import", str(paths["article"]), "-o", str(out)]),
    ]


@pytest.mark.skipif(os.geteuid() != 0, reason="O_NOATIME on files of another owner needs root")
def test_no_command_changes_an_access_time(tmp_path: Path, capsys) -> None:
    root = tmp_path / "image"
    paths = _tree(root)
    out = tmp_path / "out"
    out.mkdir()
    before = _atimes(root)
    codes = _every_command(paths, out)
    capsys.readouterr()
    assert codes == [0, 0, 0, 0, 0, 0]
    after = _atimes(root)
    assert [path for path in before if after[path] != before[path]] == []
    assert len(before) > 40


def test_as_another_user_only_what_is_read_gets_a_new_access_time() -> None:
    """Not the owner, verfix may not ask for O_NOATIME: on a writable relatime mount the
    folders it lists and the files it reads get a new access time, as the README says."""
    with world_readable_tmpdir() as folder:
        root = folder / "image"
        paths = _tree(root)
        before = _atimes(root)
        records = run_unprivileged(
            lambda: len(list(inventory_module.inventory(paths["bin"]))))
        after = _atimes(root)
    assert records > 10
    changed = {path for path in before if after[path] != before[path]}
    assert changed <= {str(paths["bin"]), *(p for p in before if p.startswith(str(paths["bin"])))}
    safety = README[README.index("## Safety"):]
    assert re.search(r"another user.*access time.*every file it reads", " ".join(safety.split()))
