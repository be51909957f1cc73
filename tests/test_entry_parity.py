"""The entry point's own paths (``--version``, the plain ``check`` of ``verfix.cli.fastargs``)
against typer, on what typer decides before a command runs (shell-completion requests) and
on paths that cannot be read. Each case runs ``verfix.entry.main`` (which may take its own
path) and the typer app on the same command line and wants the same exit code and output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def _without_read_override() -> list[str]:
    """A prefix that runs a command without root's right to read anything (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root without setpriv (util-linux) reads every file: an unreadable one cannot be made")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


_SCRIPTS = ("import sys; from verfix.entry import main; sys.exit(main())",
            "import sys; from verfix.cli.root import main; sys.exit(main(sys.argv[1:]))")


def _run_both(argv: list[str]) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """(exit code, stdout, stderr) of the entry point, then of the typer app, each in a process
    without root's right to read anything."""
    runs = [subprocess.run([*_without_read_override(), sys.executable, "-c", script, *argv],
                           capture_output=True, text=True, timeout=120, cwd=REPO) for script in _SCRIPTS]
    plain, typed = ((run.returncode, run.stdout, run.stderr) for run in runs)
    return plain, typed


def test_an_unreadable_folder_gets_the_same_answer_on_either_path(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    assert fastargs.parse_check([str(locked)]) is not None  # the plain path takes it
    try:
        plain, typed = _run_both(["check", str(locked)])
    finally:
        locked.chmod(0o700)
    assert plain == typed
    assert plain[0] == 2 and f"verfix: warning: cannot list {locked}: permission denied" in plain[2]


def test_an_output_file_that_cannot_be_read_is_written_on_either_path(tmp_path: Path) -> None:
    # -o is only written (replaced whole): a file the user may write but not read is fine.
    report = tmp_path / "report.txt"
    texts = []
    for script in _SCRIPTS:
        report.write_text("earlier report\n")
        report.chmod(0o200)
        done = subprocess.run([*_without_read_override(), sys.executable, "-c", script, "check", str(SP3),
                               "-m", "Q236586", "-q", "-o", str(report)],
                              capture_output=True, text=True, timeout=120, cwd=REPO)
        assert done.returncode == 0, done.stderr
        assert report.stat().st_mode & 0o777 == 0o200  # its mode kept
        report.chmod(0o600)
        texts.append(report.read_text())
    assert texts[0] == texts[1] and "COMPLIANT" in texts[0]


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
