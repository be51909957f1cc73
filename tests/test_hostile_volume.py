"""A volume whose registry hive is there by name but is no file (a FIFO, a folder, a looping
or dangling link, as a damaged or hostile copy holds): a one-line warning naming the hive and
why it was not used, in discovery, the survey and the CLI; the run goes on with the files.
A product folder that cannot be listed is said, and taken for no other product."""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.unprivileged import run_unprivileged, world_readable_tmpdir
from verfix.cli import app
from verfix.discover import find_bin_dirs
from verfix.entry import main
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


def _main(args: list[str]) -> tuple[int, str, str]:
    """verfix's entry point run here, its standard streams captured."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        code = main(args)
        return code, sys.stdout.getvalue(), sys.stderr.getvalue()
    finally:
        sys.stdout, sys.stderr = saved


# -- a product folder that cannot be listed (run as another user, so permissions deny) -------

def test_a_bin_folder_that_cannot_be_listed_is_no_windows_system32(tmp_path: Path) -> None:
    # Every lookup in an unlistable folder answers "unreadable": that is no marker program,
    # else the folder "held" ntoskrnl.exe and the Exchange bin folder was checked as Windows.
    with world_readable_tmpdir() as copy:
        shutil.copytree(VOLUME, copy / "vol")
        for dirpath, _dirs, _files in os.walk(copy):
            os.chmod(dirpath, 0o755)
        bin_dir = copy / "vol" / "exchsrvr" / "bin"

        def as_nobody() -> tuple:
            alone = survey(bin_dir)
            volume = survey(copy / "vol")
            code, stdout, stderr = _main(["check", str(bin_dir)])  # the entry point's plain check
            return ([p.profile.slug for p in alone.products], alone.warnings,
                    [p.profile.slug for p in volume.products], volume.warnings, code, stdout, stderr)

        as_nobody()  # as root first: every module loaded (the child may not read the stdlib's folder)
        bin_dir.chmod(0o000)
        alone, alone_warnings, products, warnings, code, stdout, stderr = run_unprivileged(as_nobody)
    unlisted = f"cannot list {bin_dir}: permission denied"
    assert alone == ["exchange"] and unlisted in alone_warnings  # named exchsrvr/bin: Exchange
    assert products == ["windows-nt", "iis", "exchange"]  # Exchange by the registry, as before
    assert unlisted in warnings  # why Exchange's release is not told
    assert code == 3, stderr  # the bin folder's files are unreadable: incomplete
    said = " ".join(line.strip() for line in stderr.splitlines())  # summaries wrap at 80 columns
    assert "is itself an Exchange bin folder" in said and "ntoskrnl.exe" not in said
    assert "Q236586" in stdout and "Emsmta.exe unreadable" in stdout
