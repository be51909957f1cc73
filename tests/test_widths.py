"""Every table fits COLUMNS=80 and COLUMNS=60 on the bundled testdata; stderr summaries fit too.

Full detail stays in JSON and CSV: a cut cell ends in an ellipsis, and the JSON still has it whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verfix.check import ManifestResult, RowResult, Status
from verfix.cli import app
from verfix.manifest import FileRow, Manifest
from verfix.pe.types import PEInfo
from verfix.report_text import details_table
from verfix.version import parse_version

REPO = Path(__file__).resolve().parent.parent
SP2 = REPO / "testdata" / "sp2" / "exchsrvr" / "bin"
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
NT4 = REPO / "testdata" / "nt4"
runner = CliRunner()

COMMANDS = [
    ["check", SP3], ["check", SP3, "--all"], ["check", SP3, "--details"], ["check", SP3, "-v"],
    ["check", SP2, "-m", "Q236586"], ["check", SP3, "-m", "Q236586", "--details", "-v"],
    ["check", NT4], ["check", NT4, "--details"], ["check", NT4, "--all", "-v"],
    ["inventory", "-f", "table", SP3], ["inventory", "-f", "table", "--hash", "md5,sha1,sha256", "--host",
                                         "SERVER01", NT4],
    ["version", SP3], ["version", NT4, "-v"], ["products", NT4, "-v"],
    ["manifests", "list", "-v"], ["manifests", "show", "Q236586", "-v"], ["manifests", "show", "Q307991"],
]
CORKAMI = REPO.parent / "shared" / "corpus" / "corkami-pe"
if CORKAMI.is_dir():  # odd files: versions of 23 characters, long errors (CI has the corpus)
    COMMANDS.append(["inventory", "-f", "table", CORKAMI])


def _widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(str(x).replace(str(REPO), "") for x in a))
def test_output_fits_the_width(args: list, columns: int) -> None:
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns)})
    assert result.exit_code in (0, 1, 3), result.output
    assert result.stdout.strip()
    assert _widest(result.stdout) <= columns, max(result.stdout.splitlines(), key=len)
    assert _widest(result.stderr) <= min(columns, 80), max(result.stderr.splitlines(), key=len)


def test_stderr_summaries_wrap_at_80_on_a_wide_terminal() -> None:
    result = runner.invoke(app, ["check", str(SP3), "-v"], env={"COLUMNS": "200"})
    assert _widest(result.stdout) > 80  # the table takes the width it is given
    assert _widest(result.stderr) <= 80
    assert "checked:" in result.stderr


def _long_result() -> ManifestResult:
    long_string = "Exchange 5.5 SP2 private build 2650.21 for the Store team, a long private string"
    note = "checked against the table of the article; " * 4
    manifest = Manifest(id="Q999001", title="A title much longer than any terminal is wide " * 3,
                        product="Microsoft Exchange Server", files=(FileRow("Store.exe", parse_version("5.5.2651.0")),))
    info = PEInfo(machine="x86", file_version=parse_version("5.5.2650.21"), file_version_string=long_string)
    row = RowResult(manifest.files[0], Status.OUTDATED, Path("/srv/exchsrvr/bin/STORE.EXE"), info, (note,))
    return ManifestResult(manifest, Path("/srv/exchsrvr/bin"), (row,))


@pytest.mark.parametrize("width", [80, 60])
def test_details_table_cuts_long_strings_and_notes(width: int) -> None:
    text = details_table(_long_result(), width=width)
    assert _widest(text) <= width
    assert "…" in text
    whole = details_table(_long_result())
    assert "a long private string" in whole and "STORE.EXE" in whole  # nothing cut without a width


def test_cut_details_are_whole_in_json() -> None:
    result = runner.invoke(app, ["check", str(NT4), "--details", "-f", "json"], env={"COLUMNS": "60"})
    notes = [n for m in json.loads(result.stdout)["manifests"] for f in m["files"] for n in f["notes"]]
    assert max(len(n) for n in notes) > 60
