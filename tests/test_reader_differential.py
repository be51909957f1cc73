"""The fast reader gives pefile's answer wherever pefile's answer is sane."""

from __future__ import annotations

import os
import struct
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from verfix.pe import PEInfo, PEReadError, Reader, read_pe_file
from verfix.pe.format import VERSION_STRINGS

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO / "testdata"
CORKAMI = REPO.parent / "shared" / "corpus" / "corkami-pe"
COMPARED_FIELDS = ("machine", "file_version", "product_version", "has_version_resource")
STRING_FIELDS = tuple(field for _, field in VERSION_STRINGS)


def headers_past_end(path: Path) -> bool:
    """True when the optional header or section table claimed runs past the end of the file.

    pefile zero-fills such headers (as the XP loader does for sub-page "tiny" PEs); the fast
    reader calls the file truncated, which is the useful answer for a damaged binary.
    """
    data = path.read_bytes()[:1 << 20]
    if len(data) < 0x40:
        return True
    (lfanew,) = struct.unpack_from("<I", data, 0x3C)
    if lfanew + 24 > len(data):
        return True
    section_count, _, _, _, optional_size = struct.unpack_from("<HIIIH", data, lfanew + 6)
    fixed_optional = 96  # PE32 optional header up to NumberOfRvaAndSizes, whatever its size says
    return (lfanew + 24 + max(optional_size, fixed_optional) + 40 * section_count
            > path.stat().st_size)


@dataclass
class Report:
    """What a differential run compared, skipped (by reason) and found different."""

    compared: int = 0
    excluded: Counter = field(default_factory=Counter)
    differences: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)

    def summary(self, name: str) -> str:
        skipped = ", ".join(f"{count} {reason}" for reason, count in self.excluded.items())
        return (f"differential {name}: compared {self.compared} files"
                f"{'; excluded ' + skipped if skipped else ''}; "
                f"{len(self.differences)} differences, {len(self.crashes)} crashes")


def outcome(path: Path, reader: Reader, report: Report) -> PEInfo | PEReadError | None:
    try:
        return read_pe_file(str(path), reader)
    except PEReadError as error:
        return error
    except Exception as error:  # anything else is a bug in that reader
        report.crashes.append(f"{path.name}: {reader.value} raised {type(error).__name__}: {error}")
        return None


def compare(path: Path, report: Report) -> None:
    """Compare one file; the exclusions name why pefile's answer is not a reference."""
    fast = outcome(path, Reader.FAST, report)
    reference = outcome(path, Reader.PEFILE, report)
    if fast is None or reference is None:
        return
    if isinstance(reference, PEReadError):
        report.excluded["pefile could not read it"] += 1
        return
    if headers_past_end(path):
        report.excluded["headers run past the end of the file (pefile zero-fills them)"] += 1
        return
    if reference.has_version_resource and reference.file_version is None:
        report.excluded["no real fixed block (pefile would invent one)"] += 1
        return
    if isinstance(fast, PEReadError):
        report.differences.append(f"{path.name}: fast says {fast!s}; pefile read {reference}")
        return
    for name in COMPARED_FIELDS:
        if getattr(fast, name) != getattr(reference, name):
            report.differences.append(f"{path.name}: {name} fast={getattr(fast, name)!r} "
                                      f"pefile={getattr(reference, name)!r}")
    for name in STRING_FIELDS:
        mine, theirs = getattr(fast, name), getattr(reference, name)
        if theirs is None and mine is not None:
            # pefile abandons a StringTable at the first child it does not expect (for
            # example a nested "StringFileInfo" key) and so misses later strings.
            report.excluded[f"pefile stopped early and has no {name}"] += 1
        elif mine != theirs:
            report.differences.append(f"{path.name}: {name} fast={mine!r} pefile={theirs!r}")
    report.compared += 1


def run(files: list[Path], name: str, capsys: pytest.CaptureFixture[str]) -> Report:
    """Compare every file and print the counts where they are always seen."""
    report = Report()
    for path in files:
        compare(path, report)
    with capsys.disabled():
        print(f"\n{report.summary(name)}")
    return report


def regular_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def starts_with_mz(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"MZ"


def test_testdata(capsys: pytest.CaptureFixture[str]) -> None:
    files = [p for p in regular_files(TESTDATA) if p.suffix.lower() in (".dll", ".exe")]
    if not files:
        pytest.skip("no testdata binaries built yet")
    report = run(files, "testdata", capsys)
    assert not report.crashes and not report.differences, report.differences + report.crashes
    assert report.compared == len(files), report.summary("testdata")


def test_corkami_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    if not CORKAMI.is_dir():
        pytest.skip(f"corkami corpus not found at {CORKAMI}")
    report = run(regular_files(CORKAMI), "corkami", capsys)
    assert not report.crashes, report.crashes
    assert not report.differences, report.differences
    assert report.compared >= 100, report.summary("corkami")


def test_bench_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    root = os.environ.get("BENCH_CORPUS")
    if not root:
        pytest.skip("BENCH_CORPUS is not set")
    files = [p for p in regular_files(Path(root)) if starts_with_mz(p)]
    report = run(files, "BENCH_CORPUS", capsys)
    assert not report.crashes, report.crashes
    assert not report.differences, report.differences


def _with_virtual_size(source: Path, section: bytes, virtual_size: int) -> bytes:
    """``source`` with one section header's VirtualSize replaced."""
    data = bytearray(source.read_bytes())
    (lfanew,) = struct.unpack_from("<I", data, 0x3C)
    count, _, _, _, optional_size = struct.unpack_from("<HIIIH", data, lfanew + 6)
    table = lfanew + 24 + optional_size
    for index in range(count):
        header = table + 40 * index
        if data[header:header + 8].rstrip(b"\0") == section:
            struct.pack_into("<I", data, header + 8, virtual_size)
            return bytes(data)
    raise AssertionError(f"no section {section!r} in {source}")


@pytest.mark.parametrize("section", [b".idata", b".text"])
def test_overlapping_sections_read_like_pefile(tmp_path: Path, section: bytes, capsys) -> None:
    """One bit flipped in an earlier section's VirtualSize (0x14 -> 0x40000014) makes it
    span the resource section too; the loader and pefile clip it where the next section
    starts, and so must the fast reader (issue 8, row 7: comcat.dll's .bss)."""
    source = TESTDATA / "sp2" / "exchsrvr" / "bin" / "Emsmta.exe"
    path = tmp_path / "overlap.exe"
    path.write_bytes(_with_virtual_size(source, section, 0x40000014))
    fast = read_pe_file(str(path), Reader.FAST)
    assert str(fast.file_version) == "5.5.2448.0", fast.version_problem
    assert fast == read_pe_file(str(path), Reader.PEFILE)
    report = run([path], "overlapping sections", capsys)
    assert report.compared == 1 and not report.differences and not report.crashes
