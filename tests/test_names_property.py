"""Issue 8, names: for any bytes, the spelling is one-to-one, reads back to the bytes, and every
format verfix writes stays valid UTF-8 and carries it (hypothesis)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verfix.cli import main
from verfix.names import Spelled, name_from_text, name_hex, name_text, terminal_text, valid_text
from verfix.winpath import windows_path

REPO = Path(__file__).resolve().parent.parent
SP2 = REPO / "testdata" / "sp2" / "exchsrvr" / "bin"

# Bytes with the characters that matter made likely: %, \, controls, bytes that are not UTF-8,
# parts of UTF-8 sequences, and an escape written out ("%E9", "\\xe9").
_PIECES = st.sampled_from([b"%", b"%E9", b"%e9", b"\\", b"\\xe9", b"\xe9", b"\xff", b"\xc3", b"\xa9",
                           b"\xc3\xa9", b"\xed\xa0\x80", b"\x1b[31m", b"\r", b"\n", b"\x7f", b"\xc2\x85",
                           "\u202e".encode(), b" ", b"a", b"E", b"9", b".exe", b",", b'"'])
NAMES = st.one_of(st.binary(max_size=24),
                  st.lists(_PIECES, max_size=8).map(b"".join))
# One name in a folder: no separator, no NUL, not "." or "..", at most 255 bytes.
FILE_NAMES = st.lists(st.one_of(_PIECES, st.binary(min_size=1, max_size=4)), min_size=1, max_size=6) \
    .map(b"".join).map(lambda raw: raw.replace(b"/", b"_").replace(b"\0", b"_")) \
    .filter(lambda raw: raw not in (b".", b"..") and len(raw) <= 255)


@given(NAMES)
@settings(max_examples=2000)
def test_spelling_is_valid_text_and_reads_back(raw: bytes) -> None:
    name = os.fsdecode(raw)
    text = name_text(name)
    text.encode("utf-8")  # strict: never a lone surrogate
    assert name_from_text(text) == raw
    assert name_hex(name) == (None if text == name else raw.hex())
    shown = terminal_text(text)  # a table cell or a message
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in shown)
    assert name_from_text(shown) == raw  # still one-to-one on the terminal
    assert name_text(Spelled(text)) == text and valid_text(text) == text  # never spelled twice


@given(NAMES, NAMES)
@settings(max_examples=2000)
def test_spelling_is_one_to_one(one: bytes, other: bytes) -> None:
    if one != other:
        first, second = name_text(os.fsdecode(one)), name_text(os.fsdecode(other))
        assert first != second
        assert terminal_text(first) != terminal_text(second)


@given(st.lists(FILE_NAMES, min_size=1, max_size=4))
@settings(max_examples=500)
def test_windows_paths_split_back_into_the_names(parts: list[bytes]) -> None:
    root = Path("/copies")
    path = Path(os.fsdecode(b"/copies/D/" + b"/".join(parts)))
    shown = windows_path(path, root)
    shown.encode("utf-8")
    drive, rest = shown.split("\\", 1)
    assert drive == "D:"
    assert [name_from_text(part) for part in rest.split("\\")] == parts  # one backslash per separator
    assert name_text(shown) == shown  # inventory does not spell it again
    assert name_hex(shown) in (None, name_from_text(shown).hex())


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _formats_of(folder: bytes, out: Path) -> dict[str, str]:
    """verfix's output on ``folder`` (a bin folder holding Emsmta.exe) in every format, read
    back as strict UTF-8."""
    text = os.fsdecode(folder)
    got = {}
    for fmt in ("jsonl", "json", "csv", "table"):
        target = out / f"inventory.{fmt}"
        assert main(["inventory", text, "-q", "-f", fmt, "-o", str(target)]) == 0
        got[f"inventory-{fmt}"] = target.read_bytes().decode("utf-8")
    for fmt in ("json", "csv", "table", "html"):
        target = out / f"check.{fmt}"
        assert main(["check", text, "--bin-dir", "-m", "Q236586", "--all", "-q", "-f", fmt,
                     "-o", str(target)]) == 1
        got[f"check-{fmt}"] = target.read_bytes().decode("utf-8")
    return got


@given(FILE_NAMES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_format_is_utf8_and_carries_the_name(monkeypatch, name: bytes) -> None:
    monkeypatch.setenv("COLUMNS", "100000")  # no cell cut to fit a terminal
    with tempfile.TemporaryDirectory() as temporary:
        base = os.fsencode(temporary)
        folder = os.path.join(base, b"scan", name)
        os.makedirs(folder)
        shutil.copy(SP2 / "Emsmta.exe", os.fsdecode(os.path.join(folder, b"Emsmta.exe")))
        out = Path(temporary) / "out"
        out.mkdir()
        got = _formats_of(folder, out)
        program = os.path.join(folder, b"Emsmta.exe")
        spelled = name_text(os.fsdecode(program))

        (record,) = [json.loads(line) for line in got["inventory-jsonl"].splitlines()]
        assert (record["path"], record.get("path_hex")) == (spelled, name_hex(os.fsdecode(program)))
        assert name_from_text(record["path"]) == program
        assert json.loads(got["inventory-json"]) == [record]
        rows = list(csv.DictReader(io.StringIO(got["inventory-csv"], newline="")))
        assert [name_from_text(row["path"]) for row in rows] == [program]
        assert terminal_text(spelled) in got["inventory-table"]

        report = json.loads(got["check-json"])
        row = next(r for r in report["manifests"][0]["files"] if r["name"] == "Emsmta.exe")
        assert name_from_text(row["path"]) == program
        assert name_from_text(report["target"]) == folder
        rows = list(csv.DictReader(io.StringIO(got["check-csv"], newline="")))
        assert program in {name_from_text(row["path"]) for row in rows}
        assert terminal_text(name_text(os.fsdecode(folder))) in got["check-table"]
        page = _Text()
        page.feed(got["check-html"])
        assert terminal_text(spelled) in page.parts
