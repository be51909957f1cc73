"""inventory on the command line: sigcheck/exiftool strings, several digests, --host, --windows-paths."""

import hashlib
import json
import os
import shutil
from pathlib import Path

from typer.testing import CliRunner

from verfix.cli import app

REPO = Path(__file__).resolve().parent.parent
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
runner = CliRunner()


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_records_carry_the_strings_exiftool_and_sigcheck_show(tmp_path):
    shutil.copy(SP3 / "Store.exe", tmp_path / "Store.exe")
    result = runner.invoke(app, ["inventory", str(tmp_path), "-q"])
    (record,) = lines(result)
    # As `exiftool -CompanyName -FileDescription -OriginalFileName -InternalName -LegalCopyright` shows.
    assert {key: record[key] for key in ("company_name", "file_description", "original_filename",
                                         "internal_name", "legal_copyright")} == {
        "company_name": "Microsoft Corporation",
        "file_description": "Microsoft Exchange Server 5.5 file (Information Store)",
        "original_filename": "Store.exe",
        "internal_name": "Store",
        "legal_copyright": "Copyright (C) Microsoft Corp. 1986-1999",
    }


def test_several_digests_and_a_host(tmp_path):
    shutil.copy(SP3 / "Store.exe", tmp_path / "Store.exe")
    result = runner.invoke(app, ["inventory", str(tmp_path), "-q", "--hash", "sha256,md5", "--host", "EXCH01"])
    assert result.exit_code == 0, result.output
    (record,) = lines(result)
    data = (tmp_path / "Store.exe").read_bytes()
    assert record["md5"] == hashlib.md5(data).hexdigest()
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert "sha1" not in record and record["host"] == "EXCH01"
    csv = runner.invoke(app, ["inventory", str(tmp_path), "-q", "--hash", "sha1", "-f", "csv"])
    header = csv.stdout.splitlines()[0].split(",")
    assert "sha1" in header and "md5" not in header and "host" not in header


def test_bad_hash_and_empty_host_are_usage_errors(tmp_path):
    bad = runner.invoke(app, ["inventory", str(tmp_path), "--hash", "md5,crc"])
    assert bad.exit_code == 2 and "crc" in bad.stderr and "Traceback" not in bad.output
    assert runner.invoke(app, ["inventory", str(tmp_path), "--host", " "]).exit_code == 2


def test_paths_are_under_path_as_given(tmp_path, monkeypatch):
    (tmp_path / "bin").mkdir()
    shutil.copy(SP3 / "Store.exe", tmp_path / "bin" / "Store.exe")
    monkeypatch.chdir(tmp_path)
    (record,) = lines(runner.invoke(app, ["inventory", "bin", "-q"]))
    assert record["path"] == os.path.join("bin", "Store.exe")


def test_windows_paths_from_a_drive_letter_layout(tmp_path):
    bin_dir = tmp_path / "D" / "EXCHSRVR" / "BIN"
    bin_dir.mkdir(parents=True)
    shutil.copy(SP3 / "Emsmta.exe", bin_dir / "EMSMTA.EXE")
    (record,) = lines(runner.invoke(app, ["inventory", str(tmp_path), "-q", "--windows-paths"]))
    assert record["path"] == "D:\\EXCHSRVR\\BIN\\EMSMTA.EXE"


def test_windows_paths_of_a_latin1_name_are_not_doubled(tmp_path):
    # Issue 8: the escape of a name that is not UTF-8 doubled every backslash of the Windows path.
    import os

    bin_dir = os.path.join(os.fsencode(tmp_path), b"D", b"EXCHSRVR", b"B\\IN")
    os.makedirs(bin_dir)
    shutil.copy(SP3 / "Emsmta.exe", os.fsdecode(os.path.join(bin_dir, b"Emsmta\xe9.exe")))
    for fmt, shown in (("jsonl", None), ("csv", 1)):
        result = runner.invoke(app, ["inventory", str(tmp_path), "-q", "--windows-paths", "-f", fmt])
        path = lines(result)[0]["path"] if shown is None else result.stdout.splitlines()[1].split(",")[1]
        assert path == "D:\\EXCHSRVR\\B%5CIN\\Emsmta%E9.exe"
    (record,) = lines(runner.invoke(app, ["inventory", str(tmp_path), "-q", "--windows-paths"]))
    assert bytes.fromhex(record["path_hex"]) == b"D:\\EXCHSRVR\\B\\IN\\Emsmta\xe9.exe"
