"""A PATH or FILE the user may not read (run as another user, so permissions deny) is
verfix's to report as any unreadable file or folder, with the others still read, not typer's
usage error ("Path ... is not readable", exit 2, four lines) that read nothing at all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from tests.unprivileged import run_unprivileged, world_readable_tmpdir
from verfix.cli import app

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_unreadable_arguments_are_reported_not_refused() -> None:
    with world_readable_tmpdir() as folder:
        locked = folder / "Emsmta.exe"
        shutil.copy(BIN / "Emsmta.exe", locked)
        closed = folder / "exchsrvr" / "bin"
        shutil.copytree(BIN, closed)
        for path in (folder / "exchsrvr", closed):
            path.chmod(0o755)

        def runs() -> list[tuple[int, str, str]]:
            return [_invoke("version", str(locked), str(BIN / "Store.exe"), "-f", "json"),
                    _invoke("inventory", str(closed), "-q"),
                    _invoke("check", str(closed), "-m", "Q236586", "-f", "json", "--details")]

        runs()  # as root first: every module loaded (the child may not read the stdlib's folder)
        locked.chmod(0o000)
        closed.chmod(0o311)  # may be entered, not listed
        version, inventory, check = run_unprivileged(runs)
    code, out, err = version
    assert code == 3, err  # one file without a version: incomplete, the other still read
    records = json.loads(out)
    assert [r["error"] for r in records] == ["permission denied", None]
    assert records[1]["file_version"] == "5.5.2650.4"
    code, out, err = inventory
    assert code == 3, err
    assert json.loads(out)["error"] == "cannot list folder: permission denied"
    code, out, err = check
    assert code == 3, err  # the bin folder's files unreadable: incomplete, as without options
    rows = json.loads(out)["manifests"][0]["files"]
    assert {row["status"] for row in rows} == {"unreadable"}
    assert "is not readable" not in err
