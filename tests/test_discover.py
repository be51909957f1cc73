"""Discovery of Exchange bin folders in image-like trees, and the promise never to touch them."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from tests.unprivileged import run_unprivileged, world_readable_tmpdir
from verfix.discover import Discovery, DiscoveryError, find_bin_dirs
from verfix.locate import FolderIndex

REPO = Path(__file__).resolve().parent.parent
HIVES = REPO / "testdata" / "hive"
SP3_BIN = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
REGISTRY = r"registry: HKLM\SOFTWARE\Microsoft\Exchange\Setup Services = "


def make_bin(folder: Path, marker: str = "EMSMTA.EXE") -> Path:
    """A stand-in bin folder holding one Exchange program (a few bytes, not a real PE)."""
    folder.mkdir(parents=True)
    (folder / marker).write_bytes(b"MZ stand-in")
    return folder


def put_hive(volume: Path, hive: str, parts: tuple[str, ...] = ("WINNT", "system32", "config")) -> Path:
    """Copy a committed hive to ``volume/WINNT/system32/config/SOFTWARE`` (spelling as given)."""
    config = volume.joinpath(*parts)
    config.mkdir(parents=True)
    target = config / "SOFTWARE"
    shutil.copyfile(HIVES / hive, target)
    return target


# -- rule 1: PATH is itself a bin folder ---------------------------------------------------


def test_real_bin_folder_is_taken_as_it_is() -> None:
    result = find_bin_dirs(SP3_BIN)
    assert result.bin_dirs == [SP3_BIN]
    assert "is itself an Exchange bin folder" in result.how and "Emsmta.exe" in result.how


def test_copy_with_any_name_is_a_bin_folder_by_its_programs(tmp_path: Path) -> None:
    folder = make_bin(tmp_path / "server-backup", marker="store.EXE")
    assert find_bin_dirs(folder).bin_dirs == [folder]


def test_empty_exchsrvr_bin_is_a_bin_folder_by_its_name(tmp_path: Path) -> None:
    folder = tmp_path / "ExchSrvr" / "BIN"
    folder.mkdir(parents=True)
    result = find_bin_dirs(folder)
    assert result.bin_dirs == [folder]
    assert "named ExchSrvr/BIN" in result.how


def test_marker_as_directory_name_still_marks_the_folder(tmp_path: Path) -> None:
    """A damaged entry named like a program is the bin folder's business: check reports it."""
    (tmp_path / "bin" / "Emsmta.exe").mkdir(parents=True)
    assert find_bin_dirs(tmp_path / "bin").bin_dirs == [tmp_path / "bin"]


# -- rule 3: the usual places --------------------------------------------------------------


def test_upper_case_exchsrvr_bin_at_volume_root(tmp_path: Path) -> None:
    found = make_bin(tmp_path / "EXCHSRVR" / "BIN")
    (tmp_path / "WINNT").mkdir()
    result = find_bin_dirs(tmp_path)
    assert result.bin_dirs == [found]
    assert result.how == f"found EXCHSRVR/BIN at volume root -> {found}"


def test_under_program_files(tmp_path: Path) -> None:
    found = make_bin(tmp_path / "Program Files" / "Exchsrvr" / "Bin")
    assert find_bin_dirs(tmp_path).bin_dirs == [found]


def test_drive_letter_folders_of_a_multi_volume_copy(tmp_path: Path) -> None:
    (tmp_path / "C" / "WINNT").mkdir(parents=True)
    found = make_bin(tmp_path / "d" / "exchsrvr" / "bin")
    result = find_bin_dirs(tmp_path)
    assert result.bin_dirs == [found]
    assert "drive folder d" in result.how


def test_two_installs_are_both_returned_each_with_its_own_line(tmp_path: Path) -> None:
    first = make_bin(tmp_path / "C" / "exchsrvr" / "bin")
    second = make_bin(tmp_path / "E$" / "Program Files" / "EXCHSRVR" / "BIN")
    result = find_bin_dirs(tmp_path)
    assert result.bin_dirs == [first, second]
    lines = result.how.splitlines()
    assert len(lines) == 2 and str(first) in lines[0] and str(second) in lines[1]


def test_folders_differing_only_by_case_are_both_found(tmp_path: Path) -> None:
    upper = make_bin(tmp_path / "EXCHSRVR" / "BIN")
    lower = make_bin(tmp_path / "exchsrvr" / "bin")
    assert sorted(find_bin_dirs(tmp_path).bin_dirs) == sorted([upper, lower])


def test_no_deep_walk(tmp_path: Path) -> None:
    """An install two levels down in an ordinary folder is not searched for."""
    make_bin(tmp_path / "apps" / "mail" / "exchsrvr" / "bin")
    with pytest.raises(DiscoveryError):
        find_bin_dirs(tmp_path)


# -- rule 2: the registry ------------------------------------------------------------------


def test_registry_on_c_points_at_d_in_a_multi_volume_copy(tmp_path: Path) -> None:
    put_hive(tmp_path / "C", "software-d", ("winnt", "System32", "CONFIG"))
    found = make_bin(tmp_path / "D" / "EXCHSRVR" / "BIN")
    make_bin(tmp_path / "C" / "exchsrvr" / "bin")  # a stale copy the registry does not name
    result = find_bin_dirs(tmp_path)
    assert result.bin_dirs == [found]
    assert result.how == REGISTRY + rf"D:\EXCHSRVR -> {found}"
    assert result.warnings == ()


def test_registry_is_preferred_on_a_single_volume(tmp_path: Path) -> None:
    put_hive(tmp_path, "software-c")
    found = make_bin(tmp_path / "ExchSrvr" / "Bin")
    make_bin(tmp_path / "Program Files" / "exchsrvr" / "bin")
    result = find_bin_dirs(tmp_path)
    assert result.bin_dirs == [found]
    assert result.how.startswith(REGISTRY + r"C:\exchsrvr -> ")


def test_registry_path_that_does_not_exist_falls_back_with_a_warning(tmp_path: Path) -> None:
    put_hive(tmp_path / "C", "software-d")  # says D:\EXCHSRVR, but there is no D here
    found = make_bin(tmp_path / "C" / "Program Files" / "Exchsrvr" / "Bin")
    result = find_bin_dirs(tmp_path)
    assert result.bin_dirs == [found]
    assert len(result.warnings) == 1
    assert "no folder for drive D:" in result.warnings[0]


def test_hive_without_exchange_key_falls_back(tmp_path: Path) -> None:
    put_hive(tmp_path, "software-nosetup")
    found = make_bin(tmp_path / "exchsrvr" / "bin")
    result = find_bin_dirs(tmp_path)
    assert result.bin_dirs == [found]
    assert "has no HKLM\\SOFTWARE\\Microsoft\\Exchange\\Setup Services" in result.warnings[0]


def test_garbage_hive_gives_one_line_warning_and_falls_back(tmp_path: Path) -> None:
    hive = put_hive(tmp_path, "software-c")
    hive.write_bytes(b"regf" + os.urandom(8188))
    found = make_bin(tmp_path / "exchsrvr" / "bin")
    result = find_bin_dirs(tmp_path)
    assert result.bin_dirs == [found]
    assert len(result.warnings) == 1 and "\n" not in result.warnings[0]
    assert "not used" in result.warnings[0]


def test_fifo_named_software_does_not_block(tmp_path: Path, no_hang: None) -> None:
    config = tmp_path / "WINNT" / "system32" / "config"
    config.mkdir(parents=True)
    os.mkfifo(config / "software")
    found = make_bin(tmp_path / "exchsrvr" / "bin")
    assert find_bin_dirs(tmp_path).bin_dirs == [found]


def test_registry_path_with_dotdot_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import verfix.hive as hive  # discover loads it when a hive is there
    from verfix.hive import ExchangeSetup

    monkeypatch.setattr(hive, "read_exchange_setup", lambda path: ExchangeSetup(r"C:\..\..\exchsrvr"))
    put_hive(tmp_path / "C", "software-c")
    with pytest.raises(DiscoveryError) as caught:
        find_bin_dirs(tmp_path)
    assert any("'..'" in warning for warning in caught.value.warnings)


# -- nothing found, bad PATH ---------------------------------------------------------------


def test_nothing_found_names_what_was_looked_for(tmp_path: Path) -> None:
    (tmp_path / "WINNT").mkdir()
    with pytest.raises(DiscoveryError) as caught:
        find_bin_dirs(tmp_path)
    message = str(caught.value)
    for expected in (str(tmp_path), "exchsrvr/bin", "Program Files/exchsrvr/bin", "emsmta.exe",
                     "WINNT/system32/config/software", "--bin-dir"):
        assert expected in message


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="no such file"):
        find_bin_dirs(tmp_path / "not-mounted")


def test_file_as_path(tmp_path: Path) -> None:
    (tmp_path / "image.raw").write_bytes(b"\0" * 512)
    with pytest.raises(DiscoveryError, match="is not a folder"):
        find_bin_dirs(tmp_path / "image.raw")


# -- links and permissions -----------------------------------------------------------------


def test_link_out_of_path_is_not_followed(tmp_path: Path) -> None:
    make_bin(tmp_path / "elsewhere" / "exchsrvr" / "bin")
    image = tmp_path / "image"
    image.mkdir()
    (image / "exchsrvr").symlink_to(tmp_path / "elsewhere" / "exchsrvr")
    with pytest.raises(DiscoveryError) as caught:
        find_bin_dirs(image)
    assert any("leads outside" in warning for warning in caught.value.warnings)


def test_link_out_of_path_to_a_drive_folder_is_not_followed(tmp_path: Path) -> None:
    make_bin(tmp_path / "other-disk" / "exchsrvr" / "bin")
    image = tmp_path / "image"
    image.mkdir()
    (image / "D").symlink_to(tmp_path / "other-disk")
    with pytest.raises(DiscoveryError):
        find_bin_dirs(image)


def test_link_inside_path_is_followed(tmp_path: Path) -> None:
    make_bin(tmp_path / "Exchange55" / "bin")
    (tmp_path / "exchsrvr").symlink_to("Exchange55")
    assert find_bin_dirs(tmp_path).bin_dirs == [tmp_path / "exchsrvr" / "bin"]


def test_looping_and_dangling_links_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "exchsrvr").symlink_to("exchsrvr")
    (tmp_path / "Program Files").symlink_to("nowhere")
    (tmp_path / "C").symlink_to("C")
    with pytest.raises(DiscoveryError):
        find_bin_dirs(tmp_path)


def test_unlistable_folder_gives_a_warning_not_a_crash() -> None:
    with world_readable_tmpdir() as image:
        locked = image / "Program Files"
        locked.mkdir()
        locked.chmod(0o300)
        found = make_bin(image / "exchsrvr" / "bin")

        def discover() -> tuple[list[Path], tuple[str, ...]]:
            result = find_bin_dirs(image)
            return result.bin_dirs, result.warnings

        bin_dirs, warnings = run_unprivileged(discover)
    assert bin_dirs == [found]
    assert any("Program Files" in w and "permission denied" in w for w in warnings)


# -- never touch what is scanned -----------------------------------------------------------

OLD = 946_684_800_000_000_000  # 2000-01-01 in ns: relatime would refresh any atime this old


def snapshot(path: str, state: dict[str, tuple] | None = None) -> dict[str, tuple]:
    """Every entry's type, mode, size, times and content (links: target, not atime).

    Taken as root with O_NOATIME, so taking it does not itself refresh an access time.
    """
    state = {} if state is None else state
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        # the kernel refreshes a link's atime whenever it is followed: that is not compared
        state[path] = ("link", os.readlink(path), info.st_mtime_ns, info.st_ctime_ns)
        return state
    content: bytes | list[str] | None = None
    if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):
        fd = os.open(path, os.O_RDONLY | os.O_NOATIME | os.O_NONBLOCK)
        try:
            if stat.S_ISREG(info.st_mode):
                content = os.read(fd, info.st_size + 1)
            else:
                with os.scandir(fd) as entries:
                    content = sorted(entry.name for entry in entries)
        finally:
            os.close(fd)
    state[path] = (info.st_mode, info.st_size, info.st_mtime_ns, info.st_atime_ns,
                   info.st_ctime_ns, content)
    if stat.S_ISDIR(info.st_mode):
        for name in content:
            snapshot(os.path.join(path, name), state)
    return state


def without_atimes(state: dict[str, tuple]) -> dict[str, tuple]:
    """The snapshot less access times of files and folders (see the unprivileged test)."""
    return {path: row if row[0] == "link" else row[:3] + row[4:] for path, row in state.items()}


def build_hostile_image(image: Path) -> None:
    """Two volumes, a hive, a real bin folder and every awkward kind of entry."""
    put_hive(image / "C", "software-d")
    bin_dir = image / "D" / "EXCHSRVR" / "BIN"
    shutil.copytree(SP3_BIN, bin_dir)
    (bin_dir / "EMSMTA.EXE").write_bytes(b"MZ case twin")
    os.mkfifo(bin_dir / "Mtacheck.exe.fifo")
    (bin_dir / "X400om.dll").unlink()
    os.mkfifo(bin_dir / "X400om.dll")
    (bin_dir / "Mtamsg.dll").unlink()
    (bin_dir / "Mtamsg.dll").symlink_to("/etc/passwd")
    (bin_dir / "P2.xv2").unlink()
    (bin_dir / "P2.xv2").symlink_to("P2.xv2")
    (bin_dir / "Dcprods.cat").unlink()
    (bin_dir / "Dcprods.cat").mkdir()
    (image / "C" / "exchsrvr").symlink_to("/tmp")


def make_read_only_and_old(tree: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(tree, topdown=False):
        for name in [*dirnames, *filenames]:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                continue
            os.utime(path, ns=(OLD, OLD - 10**9))
            os.chmod(path, os.lstat(path).st_mode & ~0o222)
    os.utime(tree, ns=(OLD, OLD - 10**9))
    os.chmod(tree, 0o555)


def scan_everything(image: Path) -> Discovery:
    """What verfix's discovery and lookups do to a tree: list, stat, probe-open, read the hive."""
    result = find_bin_dirs(image)
    for bin_dir in result.bin_dirs:
        index = FolderIndex(bin_dir, root=image)
        for name in index.names() + ["Emsmta.exe", "missing.dll"]:
            index.lookup(name)
    return result


@pytest.mark.skipif(os.geteuid() != 0, reason="the O_NOATIME snapshot needs to own the files")
def test_scanning_a_read_only_image_changes_nothing_not_even_atime(no_hang: None) -> None:
    with world_readable_tmpdir() as image:
        build_hostile_image(image)
        make_read_only_and_old(image)
        before = snapshot(str(image))
        result = scan_everything(image)
        after = snapshot(str(image))
    assert result.bin_dirs == [image / "D" / "EXCHSRVR" / "BIN"]
    assert len(before) > 25
    assert after == before


def test_unprivileged_scan_changes_nothing_but_atimes_of_what_it_reads(no_hang: None) -> None:
    """Not the owner, verfix cannot ask for O_NOATIME: listing a folder or reading the hive
    may then refresh their atime on a writable, relatime mount (a read-only mount, the usual
    case for images, keeps everything). Programs are only probe-opened: their times stay."""
    with world_readable_tmpdir() as image:
        build_hostile_image(image)
        make_read_only_and_old(image)
        before = snapshot(str(image))
        as_nobody = run_unprivileged(lambda: scan_everything(image).bin_dirs)
        after = snapshot(str(image))
    assert as_nobody == [image / "D" / "EXCHSRVR" / "BIN"]
    hive = str(image / "C" / "WINNT" / "system32" / "config" / "SOFTWARE")
    changed = {path for path in before if before[path] != after[path]}
    assert all(stat.S_ISDIR(before[path][0]) or path == hive for path in changed), changed
    assert without_atimes(after) == without_atimes(before)


def test_registry_naming_another_volume_is_explained_when_nothing_is_found(tmp_path: Path) -> None:
    put_hive(tmp_path / "C", "software-d")
    make_bin(tmp_path / "D" / "EXCHSRVR" / "BIN")
    with pytest.raises(DiscoveryError) as caught:
        find_bin_dirs(tmp_path / "C")  # one volume of the copy: D is outside what was given
    assert "the registry names D:\\EXCHSRVR" in str(caught.value)
    assert "holds the drive folders" in str(caught.value)
