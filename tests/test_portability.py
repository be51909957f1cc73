"""Without the Unix-only calls (as on Windows or macOS), the readers and check give the same answers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verfix.cli import app
from verfix.fsio import output_file, pread_upto
from verfix.pe import Reader, read_pe_file

REPO = Path(__file__).resolve().parent.parent
SP2 = REPO / "testdata" / "sp2" / "exchsrvr" / "bin"
PE = REPO / "testdata" / "pe"
UNIX_ONLY = ("pread", "fchmod", "O_NOATIME", "O_NOFOLLOW", "O_NOCTTY", "O_NONBLOCK", "O_CLOEXEC",
             "O_DIRECTORY")
runner = CliRunner()


def without_unix_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in UNIX_ONLY:
        monkeypatch.delattr(os, name, raising=False)
    monkeypatch.setattr(os, "supports_fd", os.supports_fd - {os.scandir})


def answers() -> dict:
    """Everything verfix tells about the example data: both readers, check and inventory."""
    files = sorted(p for p in [*SP2.iterdir(), *PE.iterdir()] if p.suffix.lower() in (".exe", ".dll"))
    readers = {f"{reader.value}:{path.name}": repr(read_pe_file(str(path), reader))
               for reader in Reader for path in files}
    check = runner.invoke(app, ["check", str(SP2), "-f", "json", "-q"])
    report = json.loads(check.stdout)
    report.pop("generated_at")
    inventory = runner.invoke(app, ["inventory", str(PE), "-q", "--hash", "md5,sha256"])
    return {"readers": readers, "check": report, "check_exit": check.exit_code,
            "inventory": inventory.stdout, "inventory_exit": inventory.exit_code}


def test_same_report_without_unix_only_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = answers()
    assert len(expected["readers"]) > 20 and expected["check"]["manifests"]
    without_unix_calls(monkeypatch)
    assert not hasattr(os, "pread") and os.scandir not in os.supports_fd
    assert answers() == expected


def test_the_seek_and_read_fallback_reads_what_pread_reads(monkeypatch, tmp_path) -> None:
    data = bytes(range(256)) * 40
    (tmp_path / "f").write_bytes(data)
    fd = os.open(tmp_path / "f", os.O_RDONLY)
    try:
        expected = [pread_upto(fd, offset, length) for offset, length in ((0, 10), (5000, 9000), (10239, 5))]
        monkeypatch.delattr(os, "pread")
        assert [pread_upto(fd, o, n) for o, n in ((0, 10), (5000, 9000), (10239, 5))] == expected
        assert expected[1] == data[5000:] and expected[2] == data[-1:]
    finally:
        os.close(fd)


def test_report_files_are_written_without_fchmod(monkeypatch, tmp_path) -> None:
    without_unix_calls(monkeypatch)
    target = tmp_path / "report.json"
    with output_file(target) as stream:
        stream.write("{}\n")
    assert target.read_text() == "{}\n"
