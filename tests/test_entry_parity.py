"""The entry point's own paths (``--version``, the plain ``check`` of ``verfix.cli.fastargs``)
against typer, on what typer decides before a command runs: paths its Path type refuses,
shell-completion requests. Each case runs ``verfix.entry.main`` (which may take its own
path) and the typer app on the same command line and wants the same exit code and output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from verfix import entry
from verfix.cli import fastargs

REPO = Path(__file__).resolve().parent.parent
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"


def _both(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """(exit code, stdout, stderr) of the entry point, then of the typer app alone."""
    from verfix.cli.root import main as typer_main

    code = entry.main(argv)
    plain = capsys.readouterr()
    typed_code = typer_main(argv)
    typed = capsys.readouterr()
    return (code, plain.out, plain.err), (typed_code, typed.out, typed.err)


def _deny_reading(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """``os.access`` says ``denied`` cannot be read, as it does for a user without the right."""
    real = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.R_OK and os.path.abspath(os.fspath(path)) == str(denied):
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_a_path_typer_finds_unreadable_is_its_usage_error(tmp_path: Path, monkeypatch, capsys) -> None:
    report = tmp_path / "report.txt"
    report.write_text("earlier report\n")
    argv = ["check", str(SP3), "-m", "Q236586", "-q", "-o", str(report)]
    _deny_reading(monkeypatch, SP3)
    assert fastargs.parse_check(argv[1:]) is None
    plain, typed = _both(argv, capsys)
    assert plain == typed
    assert plain[0] == 2 and f"'{SP3}' is not readable." in plain[2]
    assert report.read_text() == "earlier report\n"


def test_an_output_file_verfix_cannot_read_is_written_on_either_path(tmp_path: Path, monkeypatch, capsys) -> None:
    # -o is only written (replaced whole): a file the user may write but not read is fine.
    report = tmp_path / "report.txt"
    report.write_text("earlier report\n")
    argv = ["check", str(SP3), "-m", "Q236586", "-q", "-o", str(report)]
    _deny_reading(monkeypatch, report)
    assert fastargs.parse_check(argv[1:]) is not None
    assert entry.main(argv) == 0
    written = report.read_text()
    assert written.startswith("== ") and "COMPLIANT" in written
    capsys.readouterr()
    from verfix.cli.root import main as typer_main

    report.write_text("earlier report\n")
    assert typer_main(argv) == 0
    assert report.read_text() == written


def _without_read_override() -> list[str]:
    """A prefix that runs a command without root's right to read anything (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: the simulated test above covers this")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_an_unreadable_folder_is_refused_by_the_entry_point_as_by_typer(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    try:
        runs = [subprocess.run([*_without_read_override(), sys.executable, "-c", script, "check", str(locked)],
                               capture_output=True, text=True, timeout=120, cwd=REPO)
                for script in ("import sys; from verfix.entry import main; sys.exit(main())",
                               "import sys; from verfix.cli.root import main; sys.exit(main(sys.argv[1:]))")]
    finally:
        locked.chmod(0o700)
    plain, typed = ((run.returncode, run.stdout, run.stderr) for run in runs)
    assert plain == typed
    assert plain[0] == 2 and f"'{locked}' is not readable." in plain[2]


@pytest.mark.parametrize("argv, words, answer", [
    (["check", str(SP3), "-m", "Q236586", "-q"], f"verfix check {SP3} --for", "--format\n"),
    (["-V"], "verfix --vers", "--version\n"),
], ids=["check", "version"])
def test_a_completion_request_is_answered_as_typer_answers_it(argv, words, answer, monkeypatch, capsys) -> None:
    monkeypatch.setenv("_VERFIX_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split()) - 1))
    plain, typed = _both(argv, capsys)
    assert plain == typed == (0, answer, "")


def test_an_empty_completion_variable_is_no_request(monkeypatch, capsys) -> None:
    monkeypatch.setenv("_VERFIX_COMPLETE", "")
    assert entry.main(["-V"]) == 0
    assert capsys.readouterr().out.startswith("verfix ")
