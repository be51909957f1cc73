"""End to end on a hostile, read-only disk image: discovery, statuses, and nothing touched."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from tests.test_discover import build_hostile_image, make_read_only_and_old, snapshot
from tests.unprivileged import world_readable_tmpdir
from verfix.cli import app

runner = CliRunner()


@pytest.mark.skipif(os.geteuid() != 0, reason="the O_NOATIME snapshot needs to own the files")
def test_check_and_inventory_of_a_hostile_read_only_image(no_hang: None) -> None:
    with world_readable_tmpdir() as image:
        build_hostile_image(image)
        make_read_only_and_old(image)
        before = snapshot(str(image))
        checked = runner.invoke(app, ["check", str(image), "-m", "Q236586", "-f", "json"])
        after_check = snapshot(str(image))
        listed = runner.invoke(app, ["inventory", str(image), "-q", "--hash", "sha256"])
        after = snapshot(str(image))
    assert after_check == before  # not a byte, mode or time changed, atimes included
    assert after == before

    # The registry on C: names D:\EXCHSRVR; the FIFOs, links and the folder named like a file
    # are reported, never opened or followed; a file's unreadable twin makes the run incomplete.
    assert checked.exit_code == 3, checked.output
    report = json.loads(checked.stdout)
    (folder,) = report["folders"]
    assert folder["bin_dir"] == str(image / "D" / "EXCHSRVR" / "BIN")
    assert folder["how"].startswith("registry:")
    rows = {row["name"]: row for row in report["manifests"][0]["files"]}
    assert rows["Emsmta.exe"]["status"] == "unreadable"
    assert any("2 files differ only by case" in note for note in rows["Emsmta.exe"]["notes"])
    # C: has a system root: the whole-server check, whose rows also say which rule decided.
    assert rows["X400om.dll"]["notes"][:2] == ["is a FIFO (named pipe), not a file",
                                              "version rule: applies: the version comparison decides"]
    assert rows["Mtamsg.dll"]["notes"][0] == "symbolic link leads outside the scanned tree"
    assert rows["P2.xv2"]["status"] == "unreadable" and "link" in rows["P2.xv2"]["notes"][0]
    assert rows["Dcprods.cat"]["notes"][0] == "is a directory, not a file"
    assert rows["Mtacheck.exe"]["status"] == "ok"
    assert report["manifests"][0]["verdict"] == "incomplete"

    # Inventory walks the same image: links out not followed, FIFOs skipped, no error leaks.
    assert listed.exit_code == 3, listed.output  # the truncated EMSMTA.EXE twin
    records = [json.loads(line) for line in listed.stdout.splitlines()]
    paths = {record["path"] for record in records}
    assert not any("passwd" in path or path.startswith("/tmp/") and str(image) not in path for path in paths)
    assert str(image / "D" / "EXCHSRVR" / "BIN" / "Mtacheck.exe") in paths
    assert all(len(record["sha256"]) == 64 for record in records if record["error"] is None)
