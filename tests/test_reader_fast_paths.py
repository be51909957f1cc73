"""The fast reader's shortcuts give exactly the answers of the plain algorithms they replace."""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verfix.pe import fast as pe_fast
from verfix.pe import reference, versioninfo
from verfix.pe.fileio import open_regular_file, pread_upto
from verfix.pe.format import HEAD_SIZE
from verfix.pe.sections import SectionMap
from verfix.inventory import inventory
from verfix.pe import PEReadError

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def outcome(call):
    try:
        return repr(call())
    except PEReadError as error:
        return f"{type(error).__name__}: {error}"


def read_through_fd(path: Path):
    fd, size = open_regular_file(str(path))
    try:
        return pe_fast.read_open(fd, size, pread_upto(fd, 0, HEAD_SIZE))
    finally:
        os.close(fd)


def test_read_open_answers_like_read(tmp_path: Path) -> None:
    paths = [p for p in sorted((REPO / "testdata").rglob("*")) if p.is_file()]
    for name, build in hostile.HOSTILE_CASES.items():
        path = tmp_path / f"{name}.dll"
        path.write_bytes(build())
        paths.append(path)
    assert len(paths) > 100
    for path in paths:
        by_fd = outcome(lambda path=path: read_through_fd(path))
        assert by_fd == outcome(lambda path=path: pe_fast.read(str(path))), path


# --- RVA mapping: the first lookup's shortcut and the hot span against the plain loader rules

def mapped(image, rva: int):
    try:
        return image.offset_of(rva)
    except PEReadError as error:
        assert "is in no section" in str(error)
        return reference.NO_SECTION


PAGE = st.integers(0, 12).map(lambda n: n * 0x1000)
SECTION = st.tuples(st.integers(0, 0x3000) | PAGE, st.integers(0, 0x6000) | PAGE,
                    st.integers(0, 0x3000), st.integers(0, 0x8000))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sections=st.lists(SECTION, max_size=6),
       section_alignment=st.sampled_from([0x1000, 0x2000, 0x10000, 0x3000, 0x200, 0x1, 0]),
       file_alignment=st.sampled_from([0x200, 0x1000, 0x3, 0]),
       rvas=st.lists(st.integers(0, 0xE000) | PAGE, min_size=1, max_size=6))
def test_offset_of_follows_the_loader_rules(sections, section_alignment, file_alignment, rvas):
    table = b"".join(struct.pack("<8xIIII16x", *section) for section in sections)
    image = SectionMap(b"\xAA" * 8 + table, 8, len(sections), section_alignment,
                           file_alignment)
    for rva in rvas:  # one image, several lookups: the hot span must never change an answer
        assert mapped(image, rva) == reference.section_offset(sections, section_alignment,
                                                      file_alignment, rva)


@pytest.mark.parametrize("later", [
    [(0x1000, 0x9000, 0x200, 0x3000), (0x1000, 0x7000, 0x200, 0x2800)],  # out of order, beyond
    [(0x1000, 0x3800, 0x200, 0x3000)],   # starts inside the span holding the RVA: clips it
    [(0x1000, 0x2000, 0x200, 0x3000)],   # starts where it starts
    [(0x1000, 0x1000, 0x200, 0x3000)],   # before it: it comes first in address order
    [(0, 0x4000, 0, 0x3000)],            # empty, right at its end
])
def test_sections_after_the_one_holding_the_rva(later) -> None:
    """The first-span shortcut stops at the section holding the RVA and needs only the later
    ones to start at or after its end: every RVA of the image still maps as the plain rule
    says, through the hot span or not."""
    sections = [(0x1000, 0x1000, 0x400, 0x400), (0x2000, 0x2000, 0x2000, 0x800)] + later
    table = b"".join(struct.pack("<8xIIII16x", *section) for section in sections)
    for first in (0x2100, 0x1100):
        for rva in range(0, 0xB000, 0x380):  # a fresh image: ``first`` looked up, then ``rva``
            image = SectionMap(table, 0, len(sections), 0x1000, 0x200)
            for looked_up in (first, rva):
                assert mapped(image, looked_up) == reference.section_offset(
                    sections, 0x1000, 0x200, looked_up)


def test_an_earlier_section_over_the_version_data_wins(tmp_path: Path) -> None:
    """The resource root's section is not used for RVAs an earlier section also holds."""
    image = bytearray(hostile.valid_pe())
    lfanew = struct.unpack_from("<I", image, 0x3C)[0]
    optional_size = struct.unpack_from("<H", image, lfanew + 20)[0]
    table_at = lfanew + 24 + optional_size
    virtual_size, rsrc_rva, raw_size, raw_at = struct.unpack_from("<IIII", image, table_at + 8)
    # .rsrc grows to two pages, its version data moved to the second; a section listed
    # before it (the table gets a slot in front) maps that second page to other bytes.
    version_at = image.find("VS_VERSION_INFO".encode("utf-16-le")) - 6
    entry_at = image.find(struct.pack("<I", rsrc_rva + version_at - raw_at))
    version = bytes(image[version_at:])
    del image[version_at:]
    image += b"\0" * (raw_at + 0x1000 - len(image)) + version
    image += b"\0" * (-len(image) % 0x200)
    struct.pack_into("<I", image, entry_at, rsrc_rva + 0x1000)
    struct.pack_into("<I", image, table_at + 8, 0x2000)             # .rsrc VirtualSize
    struct.pack_into("<I", image, table_at + 16, len(image) - raw_at)  # .rsrc SizeOfRawData
    rsrc_header = bytes(image[table_at:table_at + 40])
    other = struct.pack("<8sIIIIIIHHI", b".other", 0x1000, rsrc_rva + 0x1000, 0x200, 0x200,
                        0, 0, 0, 0, 0x40000040)
    struct.pack_into("<H", image, lfanew + 6, 2)                     # NumberOfSections
    image[table_at:table_at + 80] = other + rsrc_header
    path = tmp_path / "overlap.dll"
    path.write_bytes(bytes(image))
    info = pe_fast.read(str(path))
    # Through .other the version data's RVA lands on zeros in the first page of .rsrc.
    assert info.has_version_resource and info.file_version is None
    assert info.version_problem == "version resource is malformed (length 0)"
    # Without the earlier section, the same bytes read fine.
    struct.pack_into("<I", image, table_at + 12, 0x100000)          # .other moved far away
    path.write_bytes(bytes(image))
    assert pe_fast.read(str(path)).file_version is not None


# --- the version block walk against the plain algorithm ---------------------------------

@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64), st.integers(0, 64), st.integers(0, 64))
def test_key_end_matches_the_plain_search(data: bytes, start: int, end: int) -> None:
    data = data.replace(b"\1", b"\0")  # plenty of NULs, at odd and even offsets
    start, end = min(start, len(data)), min(end, len(data))
    if start <= end:
        assert versioninfo._key_end(data, start, end) == reference.key_end(data, start, end)


KEYS = ["FileVersion", "ProductVersion", "ProductName", "FileDescription", "FileVers",
        "OriginalFilename", "InternalName", "LegalCopyright", "LegalCopyrightX",
        "FileVersionX", "Product", "P", "F", "", "CompanyName", "Pr\u0100ductName"]


def _strings_block(pairs) -> bytes:
    return b"".join(hostile._pad4(hostile.string_entry(key, value)) for key, value in pairs)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs=st.lists(st.tuples(st.sampled_from(KEYS), st.text(max_size=6)), max_size=6),
       language=st.sampled_from(["040904B0", "040704B0"]),
       cut=st.integers(0, 400), edits=st.lists(st.tuples(st.integers(0, 400),
                                                          st.integers(0, 255)), max_size=4))
def test_version_strings_match_the_plain_walk(pairs, language, cut, edits) -> None:
    data = bytearray(hostile.version_info(tables=[(language, dict(pairs))]))
    for at, value in edits:  # lengths, keys and NULs damaged here and there
        if at < len(data):
            data[at] = value
    data = bytes(data[:max(len(data) - cut, 0)])
    result = versioninfo.parse_version_info(data)
    expected = reference.version_strings(data)
    got = {field: result[field] for field in reference.WANTED.values() if field in result}
    assert got == expected


# --- inventory: one open per file, nothing open while a record is out --------------------

def test_inventory_opens_each_file_once_and_holds_no_fd_across_records(tmp_path, recorded_opens):
    for index in range(3):
        (tmp_path / f"v{index}.dll").write_bytes(hostile.valid_pe())
    (tmp_path / "data.txt").write_bytes(b"not a program")
    (tmp_path / "bad.dll").write_bytes(hostile.truncated_resource_data())
    opened = recorded_opens
    fd_folder = "/proc/self/fd"
    before = len(os.listdir(fd_folder)) if os.path.isdir(fd_folder) else None
    records = []
    for record in inventory(tmp_path):
        if before is not None:
            assert len(os.listdir(fd_folder)) == before, record.path
        records.append(record.as_dict())
    files = sorted(str(p) for p in tmp_path.iterdir())
    assert opened.count(str(tmp_path)) == 1  # the folder, listed through an O_NOATIME fd
    assert sorted(p for p in opened if p != str(tmp_path)) == files  # every file once, PE or not
    assert sorted(r["path"] for r in records) == [f for f in files if f.endswith(".dll")]
    errors = {os.path.basename(r["path"]): r["error"] for r in records}
    assert errors["bad.dll"].startswith("truncated: version resource")
    assert errors["v0.dll"] is None


def test_key_end_on_every_short_string() -> None:
    """Exhaustively: NULs and a letter, every (start, end) — the shortcut for an odd NUL pair
    included."""
    import itertools

    for size in range(8):
        for data in itertools.product(b"\0A", repeat=size):
            data = bytes(data)
            for start in range(size + 1):
                for end in range(start, size + 1):
                    assert versioninfo._key_end(data, start, end) == reference.key_end(
                        data, start, end), (data, start, end)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("extra", [0, 1, 2, 3, 4])
def test_a_string_block_ending_inside_or_right_after_its_key(key: str, extra: int) -> None:
    """A String block whose wLength stops at its key (plus ``extra`` bytes: none, part or
    all of the NUL, then the value): the key is still the name when nothing but the NUL is
    missing."""
    name = key.encode("utf-16-le")
    body = (name + b"\0\0" + "7.1".encode("utf-16-le") + b"\0\0")[:len(name) + extra]
    cut = struct.pack("<HHH", 6 + len(body), 3, 1) + body
    strings = hostile._pad4(cut) + _strings_block([("ProductName", "Wine"), (key, "2.0")])
    table = struct.pack("<HHH", 6 + 18 + len(strings), 0, 1) + "040904B0".encode(
        "utf-16-le") + b"\0\0" + strings
    info = struct.pack("<HHH", 6 + 30 + len(table), 0, 1) + "StringFileInfo".encode(
        "utf-16-le") + b"\0\0" + table
    fixed = hostile.fixed_info((1, 2, 3, 4))
    data = hostile.block("VS_VERSION_INFO", fixed, children=[info])
    result = versioninfo.parse_version_info(data)
    expected = reference.version_strings(data)
    assert {field: result[field] for field in reference.WANTED.values() if field in result} == expected
    assert expected  # the walk reached the strings
