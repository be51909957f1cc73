"""Empty option values and arguments are usage errors (exit 2), never the current folder;
manifests validate reports an id two files share."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verfix.cli import app, main
from verfix.cli.arguments import empty_value

REPO = Path(__file__).resolve().parent.parent
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
runner = CliRunner()


@pytest.mark.parametrize("args, named", [
    (["check", "-m", "", str(SP3)], "-m"),
    (["check", "--manifest=", str(SP3)], "--manifest"),
    (["check", str(SP3), "--product", ""], "--product"),
    (["check", str(SP3), "--component", ""], "--component"),
    (["check", str(SP3), "-o", ""], "-o"),
    (["check", ""], "an empty argument"),
    (["inventory", str(SP3), "--host", ""], "--host"),
    (["inventory", str(SP3), "--hash", ""], "--hash"),
    (["version", ""], "an empty argument"),
    (["products", ""], "an empty argument"),
    (["manifests", "show", ""], "an empty argument"),
    (["manifests", "validate", ""], "an empty argument"),
    (["manifests", "import", "-o", "", str(SP3)], "-o"),
])
def test_an_empty_value_is_a_usage_error(args: list, named: str, tmp_path: Path, monkeypatch, capsys) -> None:
    # Run in a folder holding a manifest and an Exchange program: walking "." would find them.
    shutil.copy(REPO / "manifests" / "Q236586.toml", tmp_path)
    shutil.copy(SP3 / "Store.exe", tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert named in captured.err and "empty" in captured.err
    words = " ".join(args[:2] if args[0] == "manifests" else args[:1])
    assert f"Usage: verfix {words} [OPTIONS]" in captured.err  # the command's own usage line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Q236586.toml", "Store.exe"]


def test_non_empty_values_pass() -> None:
    assert empty_value(["check", "-m", "Q236586", "--product=Exchange 5.5", "PATH"]) is None
    assert runner.invoke(app, ["check", str(SP3), "-m", "Q236586", "-q"]).exit_code == 0


def test_validate_reports_an_id_two_files_share(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(REPO / "manifests" / "Q236586.toml", tmp_path / folder / "Q236586.toml")
    result = runner.invoke(app, ["manifests", "validate", str(tmp_path)])
    assert result.exit_code == 2
    (line,) = [text for text in result.stderr.splitlines() if "also the id of" in text]
    assert str(tmp_path / "a" / "Q236586.toml") in line and str(tmp_path / "b" / "Q236586.toml") in line
    one = runner.invoke(app, ["manifests", "validate", str(tmp_path / "a")])
    assert one.exit_code == 0, one.output
