"""The StringTable walked as one decoded text (versioninfo._table_strings) against the walk
on the bytes (_table_strings_by_bytes) and the plain algorithm (reference.version_strings):
lone surrogates, surrogate pairs (the text walk hands those to the bytes walk), odd and cut
lengths, damaged bytes, and every version block of the corpora."""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verfix.pe import fast, reference, versioninfo

sys.path.insert(0, os.path.dirname(__file__))
import hostile  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORKAMI = REPO.parent / "shared" / "corpus" / "corkami-pe"
KEYS = ["FileVersion", "ProductVersion", "ProductName", "CompanyName", "FileDescription",
        "OriginalFilename", "InternalName", "LegalCopyright", "Comments", "FileVers", "", "F"]
# Raw UTF-16LE values: a lone high and low surrogate, a pair, a high one before the NUL,
# an odd byte.
RAW = [b"\x00\xd8A\x00", b"\x00\xdc", b"=\xd8\x00\xde", b"A\x00\x00\xd8", b"A\x00B", b""]
VALUE = st.text(max_size=5) | st.sampled_from(RAW)


def _both(data: bytes, start: int, end: int) -> tuple[dict, dict]:
    text: dict = {}
    by_bytes: dict = {}
    versioninfo._table_strings(data, start, end, text)
    versioninfo._table_strings_by_bytes(data, start, end, by_bytes)
    return text, by_bytes


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs=st.lists(st.tuples(st.sampled_from(KEYS), VALUE), max_size=9),
       start=st.integers(0, 7), cut=st.integers(0, 40),
       edits=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 255)), max_size=4))
def test_the_text_walk_answers_as_the_bytes_walk(pairs, start, cut, edits) -> None:
    table = bytearray(b"\xAB" * start + b"".join(hostile._pad4(hostile.string_entry(key, value))
                                                 for key, value in pairs))
    for at, value in edits:  # lengths, keys, NULs and surrogates damaged here and there
        if at < len(table):
            table[at] = value
    data = bytes(table)
    end = max(start, len(data) - cut)
    text, by_bytes = _both(data, start, end)
    assert text == by_bytes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs=st.lists(st.tuples(st.sampled_from(KEYS), VALUE), max_size=9),
       cut=st.integers(0, 300))
def test_parse_version_info_strings_match_the_plain_walk(pairs, cut) -> None:
    data = hostile.version_info(tables=[("040904B0", dict(pairs))])
    data = data[:max(len(data) - cut, 0)]
    result = versioninfo.parse_version_info(data)
    got = {field: result[field] for field in reference.WANTED.values() if field in result}
    assert got == reference.version_strings(data)


def test_a_surrogate_pair_is_read_by_the_bytes_walk() -> None:
    table = b"".join(hostile._pad4(hostile.string_entry(key, value)) for key, value in [
        ("CompanyName", "\U0001F600 Corp"), ("ProductName", b"\x00\xd8X\x00"), ("FileVersion", "1.0")])
    text, by_bytes = _both(table, 0, len(table))
    assert text == by_bytes == {"company_name": "\U0001F600 Corp", "product_name": "\ufffdX",
                                "file_version_string": "1.0"}


def test_odd_lengths_and_a_table_cut_inside_a_value() -> None:
    entry = hostile.string_entry("ProductName", "Wine")
    odd = struct.pack("<H", len(entry) - 1) + entry[2:]  # wLength one short: the NUL's half
    table = hostile._pad4(odd) + hostile._pad4(hostile.string_entry("FileVersion", "7.1"))
    for end in range(len(table) + 1):
        text, by_bytes = _both(table, 0, end)
        assert text == by_bytes, end
        assert text == {} if end < 6 else True


def _corpus_blocks() -> list[bytes]:
    roots = [REPO / "testdata"] + [Path(p) for p in (os.environ.get("BENCH_CORPUS"),) if p]
    if CORKAMI.is_dir():
        roots.append(CORKAMI)
    blocks: list[bytes] = []
    real = fast.parse_version_info

    def grab(data: bytes, result: dict | None = None) -> dict:
        blocks.append(data)
        return real(data, result)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fast, "parse_version_info", grab)
        for root in roots:
            for folder, _, names in os.walk(root):
                for name in names:
                    path = os.path.join(folder, name)
                    if os.path.isfile(path) and not os.path.islink(path):
                        try:
                            fast.read(path)
                        except Exception:  # noqa: BLE001,S112 - only the blocks matter here
                            continue
    return blocks


def test_every_corpus_version_block_reads_alike() -> None:
    blocks = _corpus_blocks()
    assert len(blocks) > 100
    for data in blocks:
        result = versioninfo.parse_version_info(data)
        got = {field: result[field] for field in reference.WANTED.values() if field in result}
        assert got == reference.version_strings(data)
