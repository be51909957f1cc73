"""A volume whose registry hive is there by name but is no file (a FIFO, a folder, a looping
or dangling link, as a damaged or hostile copy holds): a one-line warning naming the hive and
why it was not used, in discovery, the survey and the CLI; the run goes on with the files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verfix.cli import app
from verfix.discover import find_bin_dirs
from verfix.survey import survey

REPO = Path(__file__).resolve().parent.parent
VOLUME = REPO / "testdata" / "nt4"
runner = CliRunner()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _looping_link(path: Path) -> None:
    path.symlink_to(path.name)


def _dangling_link(path: Path) -> None:
    path.symlink_to("no-such-hive")


NOT_A_FILE = {
    "fifo": (_fifo, "is a FIFO (named pipe), not a file"),
    "folder": (_folder, "is a directory, not a file"),
    "looping link": (_looping_link, "looping symbolic link"),
    "dangling link": (_dangling_link, "dangling symbolic link"),
}


def _volume_with(tmp_path: Path, hive: str, make) -> tuple[Path, Path]:
    copy = tmp_path / "vol"
    shutil.copytree(VOLUME, copy)
    path = copy / "WINNT" / "system32" / "config" / hive
    path.unlink()
    make(path)
    return copy, path


@pytest.mark.parametrize("kind", NOT_A_FILE)
@pytest.mark.parametrize("hive", ["software", "system"])
def test_a_hive_that_is_no_file_is_a_warning_in_the_survey(tmp_path: Path, kind: str, hive: str) -> None:
    make, reason = NOT_A_FILE[kind]
    copy, path = _volume_with(tmp_path, hive, make)
    found = survey(copy)
    assert f"registry hive {path} not used: {reason}" in found.warnings
    windows = found.product("windows-nt")
    assert windows is not None and windows.release.value == "4.0"  # the kernel still tells
    assert found.product("exchange") is not None


@pytest.mark.parametrize("kind", NOT_A_FILE)
def test_a_software_hive_that_is_no_file_is_a_warning_in_discovery(tmp_path: Path, kind: str) -> None:
    make, reason = NOT_A_FILE[kind]
    copy, path = _volume_with(tmp_path, "software", make)
    found = find_bin_dirs(copy)
    assert f"registry hive {path} not used: {reason}" in found.warnings
    assert found.bin_dirs == [copy / "exchsrvr" / "bin"]  # from the usual places instead


def test_the_cli_says_it_once_and_checks_the_volume(tmp_path: Path) -> None:
    copy, path = _volume_with(tmp_path, "software", _fifo)
    warning = f"verfix: warning: registry hive {path} not used: is a FIFO (named pipe), not a file"
    for command in (["check", str(copy), "-f", "json"], ["products", str(copy)]):
        result = runner.invoke(app, command)
        assert result.exit_code == (1 if command[0] == "check" else 0), result.output
        assert result.stderr.splitlines().count(warning) == 1, result.stderr
        assert "Traceback" not in result.output
    assert sorted(p.name for p in path.parent.iterdir()) == ["software", "system"]  # nothing written
