"""FolderIndex and FoundFile on the awkward things a mounted image holds."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from tests.unprivileged import run_unprivileged, world_readable_tmpdir
from verfix.fsio import open_readonly
from verfix.locate import FolderIndex, FoundFile, is_within


def only(found: list[FoundFile]) -> FoundFile:
    assert len(found) == 1, found
    return found[0]


def test_name_is_found_in_any_case(tmp_path: Path) -> None:
    (tmp_path / "EMSMTA.EXE").write_bytes(b"MZ")
    index = FolderIndex(tmp_path)
    for asked in ("Emsmta.exe", "emsmta.exe", "EMSMTA.EXE"):
        hit = only(index.lookup(asked))
        assert hit.path == tmp_path / "EMSMTA.EXE"
        assert hit.problem is None


def test_absent_name_gives_empty_list(tmp_path: Path) -> None:
    (tmp_path / "store.exe").write_bytes(b"MZ")
    assert FolderIndex(tmp_path).lookup("emsmta.exe") == []


def test_names_differing_only_by_case_are_both_returned(tmp_path: Path) -> None:
    (tmp_path / "Emsmta.exe").write_bytes(b"MZ one")
    (tmp_path / "EMSMTA.EXE").write_bytes(b"MZ two")
    found = FolderIndex(tmp_path).lookup("emsmta.exe")
    assert sorted(item.path.name for item in found) == ["EMSMTA.EXE", "Emsmta.exe"]
    assert all(item.problem is None for item in found)


def test_directory_named_like_a_file(tmp_path: Path) -> None:
    (tmp_path / "Emsmta.exe").mkdir()
    assert only(FolderIndex(tmp_path).lookup("emsmta.exe")).problem == "is a directory, not a file"


def test_fifo_is_reported_and_never_opened(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "Store.exe")  # opening it for reading would block: no writer
    hit = only(FolderIndex(tmp_path).lookup("store.exe"))
    assert hit.problem == "is a FIFO (named pipe), not a file"


def test_link_to_fifo_inside_tree_does_not_block(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "Store.exe").symlink_to("pipe")
    assert only(FolderIndex(tmp_path).lookup("store.exe")).problem == "is a FIFO (named pipe), not a file"


def test_socket_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # AF_UNIX paths are limited to about 100 bytes
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind("Mad.exe")
        assert only(FolderIndex(tmp_path).lookup("mad.exe")).problem == "is a socket, not a file"
    finally:
        server.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_device_is_reported(tmp_path: Path) -> None:
    os.mknod(tmp_path / "Dsamain.exe", stat.S_IFCHR | 0o644, os.makedev(1, 3))  # like /dev/null
    assert only(FolderIndex(tmp_path).lookup("dsamain.exe")).problem == "is a device, not a file"


def test_link_leading_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.exe"
    outside.write_bytes(b"MZ secret")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "Store.exe").symlink_to(outside)
    hit = only(FolderIndex(tree).lookup("store.exe"))
    assert hit.problem == "symbolic link leads outside the scanned tree"


def test_link_out_through_dotdot_is_refused_with_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secret.exe").write_bytes(b"MZ")
    (tmp_path / "tree" / "bin").mkdir(parents=True)
    (tmp_path / "tree" / "bin" / "Store.exe").symlink_to("../../secret.exe")
    monkeypatch.chdir(tmp_path)
    index = FolderIndex(Path("tree/bin"), root=Path("tree"))
    assert only(index.lookup("store.exe")).problem == "symbolic link leads outside the scanned tree"


def test_sibling_with_a_common_prefix_is_outside(tmp_path: Path) -> None:
    """``/x/bin2`` starts with ``/x/bin`` as text but is not inside it."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin2").mkdir()
    (tmp_path / "bin2" / "store.exe").write_bytes(b"MZ")
    (tmp_path / "bin" / "Store.exe").symlink_to(tmp_path / "bin2" / "store.exe")
    assert only(FolderIndex(tmp_path / "bin").lookup("store.exe")).problem == (
        "symbolic link leads outside the scanned tree"
    )
    assert not is_within(tmp_path / "bin2", tmp_path / "bin")


def test_link_inside_the_tree_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "store.exe").write_bytes(b"MZ")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "STORE.EXE").symlink_to("../real/store.exe")
    hit = only(FolderIndex(tmp_path / "bin", root=tmp_path).lookup("store.exe"))
    assert hit.problem is None
    assert hit.path == tmp_path / "bin" / "STORE.EXE"


def test_link_to_the_root_itself_is_inside_and_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "Store.exe").symlink_to(".")
    assert only(FolderIndex(tmp_path).lookup("store.exe")).problem == "is a directory, not a file"
    assert is_within(tmp_path, tmp_path)


def test_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "Store.exe").symlink_to("gone.exe")
    assert only(FolderIndex(tmp_path).lookup("store.exe")).problem == (
        "dangling symbolic link (its target does not exist)"
    )


def test_looping_links(tmp_path: Path) -> None:
    (tmp_path / "Store.exe").symlink_to("Mad.exe")
    (tmp_path / "Mad.exe").symlink_to("Store.exe")
    (tmp_path / "Emsmta.exe").symlink_to("Emsmta.exe")
    index = FolderIndex(tmp_path)
    for name in ("store.exe", "mad.exe", "emsmta.exe"):
        assert only(index.lookup(name)).problem == "looping symbolic link"


def test_permission_denied_file_is_unreadable() -> None:
    with world_readable_tmpdir() as folder:
        secret = folder / "Store.exe"
        secret.write_bytes(b"MZ")
        secret.chmod(0o000)
        (folder / "Mad.exe").write_bytes(b"MZ")
        (folder / "Mad.exe").chmod(0o644)

        def look() -> tuple[str | None, str | None]:
            index = FolderIndex(folder)
            return only(index.lookup("store.exe")).problem, only(index.lookup("mad.exe")).problem

        denied, readable = run_unprivileged(look)
    assert denied == "cannot open: permission denied"
    assert readable is None


def test_unlistable_folder_reports_every_lookup_unreadable() -> None:
    with world_readable_tmpdir() as parent:
        folder = parent / "bin"
        folder.mkdir()
        (folder / "Store.exe").write_bytes(b"MZ")
        folder.chmod(0o311)  # may be entered, not listed

        def look() -> tuple[str | None, list[FoundFile]]:
            index = FolderIndex(folder)
            return index.error, index.lookup("store.exe")

        error, found = run_unprivileged(look)
    assert error is not None and "permission denied" in error
    assert only(found).problem == error


def test_missing_folder_does_not_raise(tmp_path: Path) -> None:
    index = FolderIndex(tmp_path / "nowhere")
    assert index.error is not None and "no such file" in index.error
    assert index.lookup("store.exe")[0].problem == index.error


def test_wanted_names_limit_what_is_indexed(tmp_path: Path) -> None:
    for number in range(50):
        (tmp_path / f"other{number}.dll").write_bytes(b"")
    (tmp_path / "STORE.EXE").write_bytes(b"MZ")
    index = FolderIndex(tmp_path, wanted=["Store.exe", "mad.exe"])
    assert index.names() == ["STORE.EXE"]
    assert only(index.lookup("store.exe")).problem is None


def test_probe_open_keeps_access_time(tmp_path: Path) -> None:
    target = tmp_path / "Store.exe"
    target.write_bytes(b"MZ")
    os.utime(target, (946684800, 946684800))  # 2000-01-01: relatime would update it on read
    before = os.stat(target)
    assert only(FolderIndex(tmp_path).lookup("store.exe")).problem is None
    fd = open_readonly(target)
    try:
        os.read(fd, 2)
    finally:
        os.close(fd)
    after = os.stat(target)
    assert (after.st_atime_ns, after.st_mtime_ns) == (before.st_atime_ns, before.st_mtime_ns)
