"""Every --format choice of every command has a writer, and machine formats are valid
documents, also when empty."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verfix.cli import app
from verfix.formats import CHECK_RECORD_FIELDS, INVENTORY_FIELDS, OPTIONAL_INVENTORY_FIELDS, VERSION_FIELDS, Format

REPO = Path(__file__).resolve().parent.parent
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
PE = REPO / "testdata" / "pe"

runner = CliRunner()

COMMANDS = {
    "check": (["check", str(SP3), "-m", "Q236586"], CHECK_RECORD_FIELDS, 15),
    "version": (["version", str(SP3 / "Emsmta.exe"), str(SP3 / "X400om.dll")], VERSION_FIELDS, 2),
    "inventory": (["inventory", str(PE), "-q"], [f for f in INVENTORY_FIELDS if f not in OPTIONAL_INVENTORY_FIELDS], 7),
}


def parsed(fmt: Format, text: str) -> list[dict]:
    """The records a machine-format output holds; fails when it is not a valid document."""
    if fmt is Format.JSON:
        document = json.loads(text)
        if isinstance(document, dict):  # the check report: its rows
            return [row for manifest in document["manifests"] for row in manifest["files"]]
        return document
    if fmt is Format.JSONL:
        return [json.loads(line) for line in text.splitlines()]
    rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_format_of_every_command(command: str, fmt: Format) -> None:
    args, fields, count = COMMANDS[command]
    result = runner.invoke(app, [*args, "--format", fmt.value])
    assert result.exit_code in (0, 3), result.output
    if fmt is Format.TABLE:
        header = result.stdout.splitlines()
        assert any("Path" in line or "File" in line for line in header)
        return
    records = parsed(fmt, result.stdout)
    assert len(records) == count
    if fmt is Format.CSV:
        assert next(csv.reader(io.StringIO(result.stdout))) == list(fields)
    elif command != "check" or fmt is Format.JSONL:
        assert all(list(record) == list(fields) for record in records)


@pytest.mark.parametrize("fmt, expected", [(Format.JSON, "[]\n"), (Format.JSONL, ""), (Format.CSV, None)])
def test_empty_inventory_is_still_a_valid_document(tmp_path: Path, fmt: Format, expected) -> None:
    result = runner.invoke(app, ["inventory", str(tmp_path), "-q", "--format", fmt.value])
    assert result.exit_code == 0
    if expected is None:  # CSV: the header row alone
        plain = [f for f in INVENTORY_FIELDS if f not in OPTIONAL_INVENTORY_FIELDS]
        assert list(csv.reader(io.StringIO(result.stdout))) == [plain]
    else:
        assert result.stdout == expected
    assert parsed(fmt, result.stdout) == []


def test_manifests_list_in_every_format() -> None:
    for fmt in Format:
        result = runner.invoke(app, ["manifests", "list", "--format", fmt.value])
        assert result.exit_code == 0
        if fmt is not Format.TABLE:
            assert len(parsed(fmt, result.stdout)) >= 1
