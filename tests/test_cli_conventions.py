"""CLI conventions: -h, -V, completion, -q/-v everywhere, 80 columns, colour rules, validate lists all."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verfix import __version__
from verfix.cli import app

REPO = Path(__file__).resolve().parent.parent
SP2 = REPO / "testdata" / "sp2" / "exchsrvr" / "bin"
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
runner = CliRunner()
COMMANDS = [["check"], ["products"], ["version"], ["inventory"], ["schema"], ["manifests", "list"],
            ["manifests", "show"], ["manifests", "validate"], ["manifests", "import"]]


def run(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_h_q_and_v(command):
    result = run(*command, "-h")
    assert result.exit_code == 0 and "Usage:" in result.stdout
    for option in ("-q, --quiet", "-v, --verbose"):
        assert option in result.stdout, (command, option)


def test_version_option_and_completion():
    for option in ("-V", "--version"):
        assert run(option).stdout == f"verfix {__version__}\n"
    assert "--install-completion" in run("-h").stdout
    shown = subprocess.run([sys.executable, "-m", "verfix", "--show-completion", "bash"],
                           capture_output=True, text=True, timeout=60,
                           env={"PATH": "/usr/bin:/bin", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert shown.returncode == 0, shown.stderr
    assert "complete" in shown.stdout and "verfix" in shown.stdout.lower()


def test_quiet_and_verbose_change_only_stderr():
    plain = run("check", SP2, "-m", "Q236586")
    quiet = run("check", SP2, "-m", "Q236586", "-q")
    verbose = run("check", SP2, "-m", "Q236586", "-v")
    assert plain.stdout == quiet.stdout == verbose.stdout
    assert quiet.stderr == "" and plain.stderr
    assert re.search(r"manifest\(s\) selected; \d+ file\(s\) read with the fast reader", verbose.stderr)
    assert plain.exit_code == quiet.exit_code == verbose.exit_code == 1


@pytest.mark.parametrize("args", [
    ["check", SP3], ["check", SP2], ["check", SP3, "--all"],
    ["manifests", "list"], ["manifests", "show", "Q236586"],
    ["inventory", SP3, "-f", "table", "-q"],
    ["version", SP3 / "Store.exe", REPO / "testdata" / "pe" / "noversion.dll"],
    ["products", REPO / "testdata" / "nt4"],
], ids=lambda a: " ".join(str(x) for x in a[:2]) if isinstance(a, list) else str(a))
def test_tables_fit_80_columns(args):
    result = run(*args, env={"COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80, max(lines, key=len)


def test_titles_are_cut_with_an_ellipsis_and_whole_in_json():
    table = run("manifests", "list", env={"COLUMNS": "80"}).stdout
    assert "…" in table
    listed = json.loads(run("manifests", "list", "-f", "json").stdout)
    long_title = max((m["title"] for m in listed), key=len)
    assert long_title not in table and len(long_title) > 40


def test_force_color_and_no_color(monkeypatch):
    forced = run("check", SP2, "-m", "Q236586", env={"FORCE_COLOR": "1"})
    assert "\x1b[31m" in forced.stdout
    both = run("check", SP2, "-m", "Q236586", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in both.stdout
    assert "\x1b[" not in run("check", SP2, "-m", "Q236586").stdout  # not a terminal


def test_csv_list_cells_are_json_arrays_a_note_cannot_break():
    from verfix.formats import write_csv

    stream = io.StringIO()
    write_csv([{"name": "a.dll", "notes": ["data file (x; y): checked for presence only", "second"]},
               {"name": "b.dll", "notes": []}], ["name", "notes"], stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert json.loads(rows[0]["notes"]) == ["data file (x; y): checked for presence only", "second"]
    assert json.loads(rows[1]["notes"]) == []
    result = run("check", SP3, "-m", "Q236586", "-f", "csv")
    assert all(isinstance(json.loads(row["notes"]), list) for row in csv.DictReader(io.StringIO(result.stdout)))


def test_validate_lists_every_problem_of_a_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "KB236586"\ntitle = "t"\ncolour = 1\nproduct = "p"\n'
                   '[[files]]\nname = "a/b.dll"\n[[files]]\nname = "c.dll"\nversion = "x"\n')
    good = tmp_path / "good.toml"
    good.write_text('id = "site-fix"\ntitle = "t"\nproduct = "p"\n[[files]]\nname = "c.dll"\n')
    result = run("manifests", "validate", bad, good)
    assert result.exit_code == 2
    problems = [line for line in result.stderr.splitlines() if line.startswith("invalid: ")]
    assert len(problems) == 4, result.stderr
    assert f"ok: {good} (site-fix, 1 file)" in result.stdout
    two = tmp_path / "two.toml"
    two.write_text('id = "site-fix-2"\ntitle = "t"\nproduct = "p"\n[[files]]\nname = "c.dll"\n'
                   '[[files]]\nname = "d.dll"\n')
    assert f"ok: {two} (site-fix-2, 2 files)" in run("manifests", "validate", two).stdout
    folder = run("manifests", "validate", tmp_path, "-q")
    assert folder.exit_code == 2 and folder.stdout == "" and len(folder.stderr.splitlines()) == 4
