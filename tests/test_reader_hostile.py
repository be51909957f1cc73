"""Each crafted hostile file gets a clear answer (or a one-line PEReadError) from both readers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from verfix.pe import PEInfo, PEReadError, Reader, read_pe_file
from verfix.version import Version

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402

GOOD = Version(5, 5, 2646, 0)


@pytest.fixture(params=[Reader.FAST, Reader.PEFILE], ids=lambda r: r.value)
def reader(request: pytest.FixtureRequest) -> Reader:
    return request.param


def write(tmp_path: Path, data: bytes, name: str = "hostile.dll") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def error_of(path: str, reader: Reader) -> str:
    """The PEReadError reason; fails the test if the reader returned or raised otherwise."""
    with pytest.raises(PEReadError) as caught:
        read_pe_file(path, reader)
    reason = str(caught.value)
    assert reason and "\n" not in reason
    assert path not in reason
    return reason


def test_empty(tmp_path: Path, reader: Reader) -> None:
    assert error_of(write(tmp_path, hostile.empty()), reader) == "empty file"


def test_text_named_dll(tmp_path: Path, reader: Reader) -> None:
    assert error_of(write(tmp_path, hostile.text_file()), reader) == "not a PE file (no MZ header)"


def test_mz_only(tmp_path: Path, reader: Reader) -> None:
    assert error_of(write(tmp_path, hostile.mz_only()), reader).startswith("truncated: DOS header")


def test_truncated_dos_header(tmp_path: Path, reader: Reader) -> None:
    reason = error_of(write(tmp_path, hostile.truncated_dos_header()), reader)
    assert reason == "truncated: DOS header is 40 bytes, needs 64"


def test_truncated_pe_header(tmp_path: Path, reader: Reader) -> None:
    reason = error_of(write(tmp_path, hostile.truncated_pe_header()), reader)
    if reader is Reader.FAST:
        assert reason.startswith("truncated: optional header")
    else:
        assert reason.startswith("pefile: ")


def test_truncated_section_table(tmp_path: Path, reader: Reader) -> None:
    reason = error_of(write(tmp_path, hostile.truncated_section_table()), reader)
    if reader is Reader.FAST:
        assert reason.startswith("truncated: section table (200 sections)")
    else:  # pefile honours the sections that are there; the resources are then missing
        assert reason.startswith("truncated: ")


def test_truncated_resource_data(tmp_path: Path, reader: Reader) -> None:
    reason = error_of(write(tmp_path, hostile.truncated_resource_data()), reader)
    assert reason.startswith("truncated: version resource")


def test_ne_executable(tmp_path: Path, reader: Reader) -> None:
    reason = error_of(write(tmp_path, hostile.ne_executable()), reader)
    assert reason == "16-bit NE executable, not supported"


def test_le_executable(tmp_path: Path, reader: Reader) -> None:
    reason = error_of(write(tmp_path, hostile.le_executable()), reader)
    assert reason == "LE/LX executable, not supported"


def test_no_pe_signature(tmp_path: Path, reader: Reader) -> None:
    reason = error_of(write(tmp_path, hostile.no_pe_signature()), reader)
    assert reason == "not a PE file (no PE signature)"


def test_no_fixed_block(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, hostile.no_fixed_block()), reader)
    assert info.has_version_resource
    assert (info.file_version, info.product_version) == (None, None)
    assert info.version_problem == "version resource has no fixed block"
    if reader is Reader.FAST:  # pefile looks for the strings at the wrong place here
        assert info.file_version_string == "5.5.2646.0"


def test_bad_signature(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, hostile.bad_signature()), reader)
    assert info.file_version is None
    assert info.version_problem == "fixed block signature is 0x12345678, not 0xFEEF04BD"
    assert info.file_version_string == "5.5.2646.0"


@pytest.mark.parametrize("where, rva", [("type", 0x1000), ("name", 0x1030)])
def test_resource_directory_loop(tmp_path: Path, reader: Reader, where: str, rva: int) -> None:
    reason = error_of(write(tmp_path, hostile.resource_loop(where)), reader)
    assert reason == f"malformed resource directory: loop at RVA 0x{rva:x}"


def test_amplification_reads_one_entry(tmp_path: Path, reader: Reader) -> None:
    """4,096 language entries share one version block: only the first one is followed."""
    info = read_pe_file(write(tmp_path, hostile.amplification(4096)), reader)
    assert info.file_version == GOOD


def test_65535_sections(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, hostile.many_sections(65535)), reader)
    assert info.file_version == GOOD


def test_section_claiming_gigabytes(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, hostile.gigabyte_section()), reader)
    assert info.file_version == GOOD


def test_earlier_section_with_bogus_raw_size(tmp_path: Path, reader: Reader) -> None:
    """A section whose SizeOfRawData claims 2 GB does not swallow the sections after it."""
    info = read_pe_file(write(tmp_path, hostile.bloated_raw_size_before_resources()), reader)
    assert info.file_version == GOOD


def test_sparse_two_gigabyte_file(tmp_path: Path, reader: Reader) -> None:
    path = str(hostile.write_sparse(tmp_path / "sparse.dll", hostile.valid_pe()))
    if reader is Reader.FAST:
        assert read_pe_file(path, reader).file_version == GOOD
    else:
        assert error_of(path, reader).startswith("too large for the pefile reader")


def test_data_entry_overstating_its_size(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, hostile.huge_data_size()), reader)
    assert info.file_version == GOOD


def test_string_differs_from_fixed(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, hostile.string_differs()), reader)
    assert (info.file_version, info.file_version_string) == (Version(6, 1, 0, 9212), "6.01.9212")


def test_pe32plus(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, hostile.pe32plus()), reader)
    assert (info.machine, info.file_version) == ("amd64", GOOD)


def test_no_version_resource(tmp_path: Path, reader: Reader) -> None:
    info = read_pe_file(write(tmp_path, hostile.no_version_resource()), reader)
    assert info == PEInfo(machine="i386", version_problem="no version resource")


def test_every_case_answers_with_peinfo_or_pereaderror(tmp_path: Path, reader: Reader) -> None:
    for name, build in hostile.HOSTILE_CASES.items():
        path = write(tmp_path, build(), f"{name}.dll")
        try:
            result = read_pe_file(path, reader)
        except PEReadError as error:
            assert "\n" not in str(error), name
        else:
            assert isinstance(result, PEInfo), name
