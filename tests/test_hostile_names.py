"""Issue 8: names as they are on disk (not UTF-8, CR, control characters) in every format."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from verfix.cli import main
from verfix.names import name_from_text, name_hex, name_text, terminal_text
from verfix.schemas import load_schema

REPO = Path(__file__).resolve().parent.parent
SP2 = REPO / "testdata" / "sp2" / "exchsrvr" / "bin"
LATIN1 = b"Emsmta\xe9.exe"  # a name written by a system that used Latin-1, not UTF-8


def unicode_path(raw: bytes) -> str:
    return os.fsdecode(raw)


def from_text(text: str) -> bytes:
    """The documented escape read back, written here without verfix: %XX is that byte."""
    out = bytearray()
    index = 0
    while index < len(text):
        if text[index] == "%":
            out.append(int(text[index + 1:index + 3], 16))
            index += 3
        else:
            out += text[index].encode("utf-8")
            index += 1
    return bytes(out)


def test_name_escape_round_trips() -> None:
    for raw in (b"plain.exe", LATIN1, b"a\\x\xff.dll", b"\xc3(\\\\.exe", "é.exe".encode(), b"50%.exe",
                b"Emsmta%E9.exe", b"\\xe9"):
        name = os.fsdecode(raw)
        text = name_text(name)
        text.encode("utf-8")  # always valid text
        assert from_text(text) == raw == name_from_text(text)
        assert (name_hex(name) is None) == (text == name)
        assert name_hex(name) in (None, raw.hex())
    assert name_text("plain\\back.exe") == "plain\\back.exe"  # a backslash is an ordinary character
    assert name_text(os.fsdecode(LATIN1)) == "Emsmta%E9.exe"
    assert name_text("Emsmta%E9.exe") == "Emsmta%25E9.exe"


def test_the_tester_pair_is_told_apart() -> None:
    # Issue 8's finding: Latin-1 Emsmta\xe9.exe and a UTF-8 name spelled with the four characters
    # \xe9 (or, now, %E9) once printed alike. Every pair of these spells differently.
    names = [os.fsdecode(LATIN1), "Emsmta\\xe9.exe", "Emsmta%E9.exe", "Emsmta%e9.exe", "Emsmtaé.exe"]
    assert len({name_text(name) for name in names}) == len(names)
    assert len({terminal_text(name_text(name)) for name in names}) == len(names)


@pytest.fixture
def latin1_tree(tmp_path: Path) -> Path:
    folder = tmp_path / "tree"
    folder.mkdir()
    shutil.copy(SP2 / "Emsmta.exe", os.path.join(os.fsencode(folder), LATIN1))
    return folder


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "verfix", *args], capture_output=True, timeout=120)


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_inventory_of_a_latin1_name_is_valid_utf8_everywhere(latin1_tree: Path, tmp_path: Path,
                                                             fmt: str) -> None:
    out = tmp_path / f"inv.{fmt}"
    assert main(["inventory", str(latin1_tree), "-q", "-f", fmt, "-o", str(out)]) == 0
    to_file = out.read_bytes().decode("utf-8")  # strict: valid UTF-8
    done = _run("inventory", str(latin1_tree), "-q", "-f", fmt)
    assert done.returncode == 0, done.stderr
    to_stdout = done.stdout.decode("utf-8")
    shown = "Emsmta%E9.exe"
    assert shown in to_file and shown in to_stdout
    if fmt in ("jsonl", "json"):
        records = [json.loads(line) for line in to_file.splitlines()] if fmt == "jsonl" else json.loads(to_file)
        (record,) = records
        raw = os.path.join(os.fsencode(latin1_tree), LATIN1)
        assert bytes.fromhex(record["path_hex"]) == raw
        assert from_text(record["path"]) == raw
        assert record["file_version"] == "5.5.2448.0"
        Draft202012Validator(json.loads(load_schema("inventory-record"))).validate(record)


def test_check_in_a_latin1_folder(tmp_path: Path) -> None:
    folder = os.path.join(os.fsencode(tmp_path), b"caf\xe9", b"bin")
    folder_text = os.fsdecode(folder)
    shutil.copytree(SP2, folder_text)
    report = tmp_path / "r.json"
    assert main(["check", folder_text, "--bin-dir", "-m", "Q236586", "-q", "-o", str(report),
                 "-f", "json"]) == 1
    document = json.loads(report.read_bytes().decode("utf-8"))
    Draft202012Validator(json.loads(load_schema("check-report"))).validate(document)
    assert from_text(document["target"]) == folder
    row = next(r for r in document["manifests"][0]["files"] if r["name"] == "Emsmta.exe")
    assert bytes.fromhex(row["path_hex"]) == os.path.join(folder, b"Emsmta.exe")
    for fmt in ("jsonl", "csv", "table", "json"):
        done = _run("check", folder_text, "--bin-dir", "-m", "Q236586", "-f", fmt)
        assert done.returncode == 1, done.stderr
        assert "caf%E9" in done.stdout.decode("utf-8")
        assert "caf%E9" in done.stderr.decode("utf-8")


def test_version_of_a_latin1_name(latin1_tree: Path) -> None:
    path = os.path.join(os.fsdecode(latin1_tree), os.fsdecode(LATIN1))
    done = _run("version", path, "-f", "json")
    assert done.returncode == 0, done.stderr
    (record,) = json.loads(done.stdout.decode("utf-8"))
    assert record["path"].endswith("Emsmta%E9.exe") and record["file_version"] == "5.5.2448.0"
    assert bytes.fromhex(record["path_hex"]) == os.fsencode(path)


# --- row 10: a bare CR in a name -------------------------------------------------------------

def test_csv_quotes_a_bare_cr(tmp_path: Path) -> None:
    folder = tmp_path / "tree"
    folder.mkdir()
    shutil.copy(SP2 / "Emsmta.exe", folder / "a\rb.exe")
    shutil.copy(SP2 / "Mtacheck.exe", folder / 'c"d,e.exe')
    out = tmp_path / "inv.csv"
    assert main(["inventory", str(folder), "-q", "-f", "csv", "-o", str(out)]) == 0
    import csv

    with open(out, newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert [len(row) for row in rows] == [len(rows[0])] * 3
    assert sorted(Path(row[1]).name for row in rows[1:]) == ["a\rb.exe", 'c"d,e.exe']


# --- row 14: control characters never reach the terminal raw --------------------------------

def test_terminal_text_escapes_controls() -> None:
    assert terminal_text("a\x1b[31mb\r\n\x07") == "a%1B[31mb%0D%0A%07"
    assert terminal_text("Emsmta.exe — ok, 100% done") == "Emsmta.exe — ok, 100% done"
    assert terminal_text("\u202eexe.txt") == "%E2%80%AEexe.txt"
    assert terminal_text("\x85\u200f") == "%C2%85%E2%80%8F"  # C1 NEL and a bidirectional mark


def test_table_and_messages_escape_ansi_in_names(tmp_path: Path) -> None:
    folder = tmp_path / "x\x1b[2Jy"
    folder.mkdir()
    shutil.copy(SP2 / "Emsmta.exe", folder / "E\x1b]0;owned\x07.exe")
    done = _run("inventory", str(folder), "-f", "table")
    assert done.returncode == 0, done.stderr
    assert b"\x1b" not in done.stdout and b"\x1b" not in done.stderr
    assert b"x%1B[2Jy" in done.stdout and b"%1B]0;owned%07.exe" in done.stdout
    missing = _run("check", str(folder / "nowhere\x1b[31m"), "--bin-dir", "-m", "Q236586")
    assert missing.returncode == 2
    assert b"\x1b" not in missing.stderr and b"nowhere%1B[31m" in missing.stderr


def test_manifests_show_escapes_a_title(tmp_path: Path) -> None:
    # A title with an escape is refused by validation; a path given with one is escaped.
    manifest = tmp_path / "Q236586\x1b[31m.toml"
    manifest.write_text((REPO / "manifests" / "Q236586.toml").read_text())
    done = _run("manifests", "show", str(manifest))
    assert done.returncode == 0, done.stderr
    assert b"\x1b" not in done.stdout and b"Q236586%1B[31m.toml" in done.stdout


def test_products_folders_are_spelled_and_relative_in_tables(tmp_path: Path) -> None:
    # The folders of `verfix products` were written raw: a % was not escaped (so two names
    # printed alike) and the table's relative folders were computed against the unspelled root.
    volume = os.path.join(os.fsencode(tmp_path), b"vol\xe9 50%")
    shutil.copytree(REPO / "testdata" / "nt4", os.fsdecode(volume))
    done = _run("products", os.fsdecode(volume), "-f", "json")
    assert done.returncode == 0, done.stderr
    folders = [folder for record in json.loads(done.stdout.decode("utf-8")) for folder in record["folders"]]
    assert folders and all(name_from_text(folder).startswith(volume + b"/") for folder in folders)
    assert any("vol%E9 50%25/" in folder for folder in folders)
    table = _run("products", os.fsdecode(volume), "-f", "csv").stdout.decode("utf-8")
    assert "WINNT/system32" in table and "%E9" not in table


def test_a_case_twin_note_spells_the_names(tmp_path: Path) -> None:
    # Two files that differ only by case are named in the row's note: spelled, as paths are.
    folder = tmp_path / "bin"
    folder.mkdir()
    manifest = tmp_path / "Q900100.toml"
    manifest.write_text('id = "Q900100"\ntitle = "t"\nproduct = "Microsoft Exchange Server"\n'
                        '[[files]]\nname = "A%b.exe"\nversion = "5.5.2448.0"\n')
    shutil.copy(SP2 / "Emsmta.exe", folder / "A%b.exe")
    shutil.copy(SP2 / "Emsmta.exe", folder / "a%B.exe")
    report = tmp_path / "r.json"
    assert main(["check", str(folder), "--bin-dir", "-m", str(manifest), "-q", "-f", "json", "-o", str(report)]) == 0
    (row,) = json.loads(report.read_text(encoding="utf-8"))["manifests"][0]["files"]
    (note,) = [note for note in row["notes"] if "differ only by case" in note]
    assert "A%25b.exe" in note and "a%25B.exe" in note
