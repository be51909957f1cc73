"""Both PE readers on crafted files and on the testdata binaries."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from verfix.pe import PEInfo, PEReadError, Reader, read_pe_file
from verfix.version import Version

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402
from unprivileged import run_unprivileged, world_readable_tmpdir  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO / "testdata"
READERS = [Reader.FAST, Reader.PEFILE]


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.fixture(params=READERS, ids=lambda r: r.value)
def reader(request: pytest.FixtureRequest) -> Reader:
    return request.param


def test_valid_pe(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, "a.dll", hostile.valid_pe()), reader)
    assert info == PEInfo(machine="i386", file_version=Version(5, 5, 2646, 0),
                          product_version=Version(5, 5, 2646, 0),
                          file_version_string="5.5.2646.0", product_version_string="5.5.2646.0",
                          product_name="Microsoft Exchange", has_version_resource=True)


def test_file_and_product_version_differ(tmp_path: Path, reader: Reader) -> None:
    data = hostile.valid_pe(file_version=(1, 2, 3, 4), product_version=(5, 6, 7, 8))
    info = read_pe_file(write(tmp_path, "a.dll", data), reader)
    assert (info.file_version, info.product_version) == (Version(1, 2, 3, 4), Version(5, 6, 7, 8))


def test_us_english_table_preferred(tmp_path: Path, reader: Reader) -> None:
    tables = [("040704B0", {"FileVersion": "de", "ProductName": "Deutsch"}),
              ("040904E4", {"FileVersion": "us", "ProductName": "English"})]
    info = read_pe_file(write(tmp_path, "a.dll", hostile.valid_pe(tables=tables)), reader)
    assert (info.file_version_string, info.product_name) == ("us", "English")


def test_first_table_when_no_us_english(tmp_path: Path, reader: Reader) -> None:
    tables = [("040C04B0", {"FileVersion": "fr"}), ("041004B0", {"FileVersion": "it"})]
    info = read_pe_file(write(tmp_path, "a.dll", hostile.valid_pe(tables=tables)), reader)
    assert info.file_version_string == "fr"
    assert info.product_version_string is None


def test_var_file_info_first(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, "a.dll", hostile.valid_pe(var_first=True)), reader)
    assert info.file_version == Version(5, 5, 2646, 0)
    assert info.file_version_string == "5.5.2646.0"


def test_lone_surrogate_replaced(tmp_path: Path, reader: Reader) -> None:
    raw = "5.5".encode("utf-16-le") + b"\x00\xd8" + "x".encode("utf-16-le")
    tables = [("040904B0", {"FileVersion": raw})]
    info = read_pe_file(write(tmp_path, "a.dll", hostile.valid_pe(tables=tables)), reader)
    assert info.file_version_string == "5.5\ufffdx"


def test_string_differs_from_fixed(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, "a.dll", hostile.string_differs()), reader)
    assert info.file_version == Version(6, 1, 0, 9212)
    assert info.file_version_string == "6.01.9212"


def test_pe32plus(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, "a.dll", hostile.pe32plus()), reader)
    assert info.machine == "amd64"
    assert info.file_version == Version(5, 5, 2646, 0)


@pytest.mark.parametrize("machine, name", [(0x014C, "i386"), (0x8664, "amd64"),
                                           (0x0184, "alpha"), (0xAA64, "arm64"),
                                           (0x1234, "unknown (0x1234)")])
def test_machine_names(tmp_path: Path, reader: Reader, machine: int, name: str) -> None:
    data = hostile.build_pe(hostile.PESpec(machine=machine))
    assert read_pe_file(write(tmp_path, "a.dll", data), reader).machine == name


def test_no_version_resource_is_not_an_error(tmp_path: Path, reader: Reader) -> None:
    for data in (hostile.no_version_resource(), hostile.no_resources()):
        info = read_pe_file(write(tmp_path, "a.dll", data), reader)
        assert info == PEInfo(machine="i386", has_version_resource=False,
                              version_problem="no version resource")


def test_low_alignment_image(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, "a.dll", hostile.low_alignment()), reader)
    assert info.file_version == Version(5, 5, 2646, 0)


def test_missing_file(tmp_path: Path, reader: Reader) -> None:
    with pytest.raises(PEReadError, match="^no such file or directory$"):
        read_pe_file(str(tmp_path / "absent.dll"), reader)


def test_directory_refused(tmp_path: Path, reader: Reader) -> None:
    with pytest.raises(PEReadError, match="^not a regular file \\(directory\\)$"):
        read_pe_file(str(tmp_path), reader)


def test_fifo_refused_without_blocking(tmp_path: Path, reader: Reader) -> None:
    fifo = tmp_path / "pipe.dll"
    os.mkfifo(fifo)
    with pytest.raises(PEReadError, match="FIFO"):
        read_pe_file(str(fifo), reader)


def test_permission_denied(reader: Reader) -> None:
    # Tests run as root, who reads any file: the read happens as user 65534 instead.
    # The readers are imported first: user 65534 may not reach the Python installation.
    import verfix.pe.fast  # noqa: F401
    import verfix.pe.pefile_reader  # noqa: F401

    with world_readable_tmpdir() as folder:
        path = Path(write(folder, "a.dll", hostile.valid_pe()))
        path.chmod(0)

        def attempt() -> str:
            try:
                read_pe_file(str(path), reader)
            except PEReadError as error:
                return str(error)
            return "read without error"

        assert run_unprivileged(attempt) == "permission denied"


def test_reader_given_as_string(tmp_path: Path) -> None:
    path = write(tmp_path, "a.dll", hostile.valid_pe())
    assert read_pe_file(path, "pefile") == read_pe_file(path, "fast")  # type: ignore[arg-type]


def test_file_is_not_modified(tmp_path: Path, reader: Reader) -> None:
    path = Path(write(tmp_path, "a.dll", hostile.valid_pe()))
    before = path.stat()
    read_pe_file(str(path), reader)
    after = path.stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dll"]


# --- the testdata binaries (built by another engineer with mingw) ---------------------------

SP2 = TESTDATA / "sp2" / "exchsrvr" / "bin"
SP3 = TESTDATA / "sp3" / "exchsrvr" / "bin"
PE_DIR = TESTDATA / "pe"


def binaries(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".dll", ".exe"))


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path.relative_to(REPO)} not built yet")
    return path


Q236586_BINARIES = ("Ems_rid.dll", "Emsmta.exe", "Mtacheck.exe", "Mtamsg.dll", "X400om.dll", "X400omv1.dll")


@pytest.mark.parametrize("folder, version", [(SP2, Version(5, 5, 2448, 0)),
                                             (SP3, Version(5, 5, 2646, 0))])
def test_service_pack_binaries(folder: Path, version: Version, reader: Reader) -> None:
    # The six binaries of KB Q236586; the folders hold the rest of the catalog's files too.
    need(folder)
    for name in Q236586_BINARIES:
        info = read_pe_file(str(folder / name), reader)
        assert info.machine == "i386", name
        assert info.file_version == version, name
    assert all(read_pe_file(str(p), reader).machine == "i386" for p in binaries(folder))


def test_sp3_string_disagrees_with_fixed(reader: Reader) -> None:
    matches = [p for p in binaries(need(SP3)) if p.name.lower() == "x400omv1.dll"]
    assert matches, "X400omv1.dll missing from sp3"
    info = read_pe_file(str(matches[0]), reader)
    assert info.file_version == Version(5, 5, 2646, 0)
    assert info.file_version_string == "5.5.2448.0"


def test_multilang_prefers_us_english(reader: Reader) -> None:
    info = read_pe_file(str(need(PE_DIR / "multilang.dll")), reader)
    assert info.file_version == Version(1, 2, 3, 4)
    assert (info.file_version_string, info.product_name) == ("1.2.3.4", "verfix test data")


def test_nonus_uses_french_table(reader: Reader) -> None:
    info = read_pe_file(str(need(PE_DIR / "nonus.dll")), reader)
    assert info.file_version == Version(2, 0, 0, 1)
    assert (info.file_version_string, info.product_name) == ("2.0.0.1", "verfix données de test")


def test_noversion(reader: Reader) -> None:
    info = read_pe_file(str(need(PE_DIR / "noversion.dll")), reader)
    assert not info.has_version_resource
    assert info.version_problem == "no version resource"
    assert info.file_version is None


def test_strdiff(reader: Reader) -> None:
    info = read_pe_file(str(need(PE_DIR / "strdiff.exe")), reader)
    assert info.file_version == Version(6, 1, 0, 9212)
    assert info.file_version_string == "6.01.9212"


def test_winbuild(reader: Reader) -> None:
    info = read_pe_file(str(need(PE_DIR / "winbuild.dll")), reader)
    assert info.file_version == Version(10, 0, 19041, 985)
    assert info.file_version_string == "10.0.19041.985 (WinBuild.160101.0800)"


def test_amd64(reader: Reader) -> None:
    info = read_pe_file(str(need(PE_DIR / "amd64.dll")), reader)
    assert info.machine == "amd64"
    assert info.file_version == Version(2, 3, 4, 5)


@pytest.mark.parametrize("keep", [0, 64, 600])
def test_file_that_shrinks_while_it_is_read(tmp_path: Path, reader: Reader, keep: int,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # A live server or a damaged image: the file is cut after it was opened and measured.
    # With mmap this kills the process (SIGBUS); read with pread, it is one reason.
    data = hostile.valid_pe() + bytes(8192)  # the size fstat reports stays the old one
    path = write(tmp_path, "shrinking.dll", data)
    real_pread = os.pread

    def pread_after_shrinking(fd: int, length: int, offset: int) -> bytes:
        os.truncate(path, keep)
        return real_pread(fd, length, offset)

    monkeypatch.setattr(os, "pread", pread_after_shrinking)
    with pytest.raises(PEReadError) as caught:
        read_pe_file(path, reader)
    assert os.path.getsize(path) == keep
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("truncated")
    if keep < 4096:  # cut before the first read: said as such
        assert str(caught.value) == f"truncated: the file shrank while it was read ({len(data)} bytes, then {keep})"
