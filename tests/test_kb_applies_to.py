"""The applies-to-platform rule: an article whose "applies to" lines name only a platform no
Windows server has (Windows CE) has its rows marked ``other_platform``, and checks never look
for them on a server (made-up articles, and Q299007 of the shared corpus); and the per-row
editions of a mixed article (Q266433)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verfix.cli import app
from verfix.kbimport import IMPORTED, parse_article, read_article, render_toml, to_manifest
from verfix.rules import Rule, decide_row
from verfix.products import windows_nt

KB_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "kb"
SP3 = Path(__file__).resolve().parent.parent / "testdata" / "sp3" / "exchsrvr" / "bin"


def article(applies_to: list[str], platform_cells: tuple[str, str] = ("", "")) -> str:
    box = "\n".join(f" - {line}" for line in applies_to)
    return f"""DOCUMENT:Q900090  01-JAN-2001  [kbtool]
TITLE   :Widget Control Leaks Memory
PRODUCT :Microsoft Widget Tools
PROD/VER::3.0
OPER/SYS:
KEYWORDS:kbfix

======================================================================
-------------------------------------------------------------------------------
The information in this article applies to:

{box}
-------------------------------------------------------------------------------

RESOLUTION
==========

The English version of this fix should have the following file attributes or
later:

   Date        Version      Size    File name   Platform
   ------------------------------------------------------
   03/21/2001  3.00.0.0446  19,968  Wdgctl.dll  {platform_cells[0]}
   03/21/2001  3.00.0.0446  17,408  Wdgdlg.dll  {platform_cells[1]}
"""


def test_rows_of_an_article_for_windows_ce_only_are_marked_and_kept() -> None:
    read = parse_article(article(["Microsoft Windows CE eMbedded Widget, version 3.0",
                                  "Microsoft Pocket PC Widget Toolkit, version 1.0"]))
    assert read.status == IMPORTED, read.error
    assert [(r.name, r.other_platform) for r in read.rows] == [("Wdgctl.dll", "Windows CE"),
                                                               ("Wdgdlg.dll", "Windows CE")]
    assert any("every 'applies to' line names Windows CE only" in note for note in read.notes)
    text = render_toml(read)
    assert text.count('other_platform = "Windows CE"') == 2
    assert {row.other_platform for row in to_manifest(read).files} == {"Windows CE"}  # a valid manifest


def test_a_row_with_a_windows_platform_cell_and_mixed_boxes_are_left_alone() -> None:
    desktop = parse_article(article(["Microsoft Windows CE eMbedded Widget, version 3.0"], ("x86", "")))
    assert [(r.name, r.platform, r.other_platform) for r in desktop.rows] == [
        ("Wdgctl.dll", "x86", None), ("Wdgdlg.dll", None, "Windows CE")]
    mixed = parse_article(article(["Microsoft Windows CE eMbedded Widget, version 3.0",
                                   "Microsoft Windows NT Server version 4.0"]))
    assert mixed.status == IMPORTED and {r.other_platform for r in mixed.rows} == {None}
    plain = parse_article(article(["Microsoft Widget Tools, version 3.0"]))
    assert {r.other_platform for r in plain.rows} == {None}


def test_the_platform_rule_comes_first() -> None:
    decision = decide_row(windows_nt.PROFILE, None, ["4.0"], server_release="4.0", server_branch=None,
                          other_platform="Windows CE")
    assert (decision.applies, decision.rule) == (False, Rule.PLATFORM)
    assert decision.note.startswith("row is for Windows CE")


@pytest.fixture
def kb_root() -> Path:
    if not KB_ROOT.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared KB articles are missing at {KB_ROOT}")
        pytest.skip(f"no KB articles at {KB_ROOT}")
    return KB_ROOT


def test_q299007_is_windows_ce_only_and_never_checked_on_a_server(kb_root: Path) -> None:
    read = read_article(kb_root / "visual-basic" / "Q299007.TXT")
    assert read.status == IMPORTED and len(read.rows) == 21
    assert {row.other_platform for row in read.rows} == {"Windows CE"}
    # The bundled manifest (make catalog) says so, and a check leaves every row aside.
    result = CliRunner().invoke(app, ["check", str(SP3), "-m", "Q299007", "-f", "json", "-q"])
    report = json.loads(result.stdout)
    (manifest,) = report["manifests"]
    assert manifest["verdict"] == "not-applicable" and result.exit_code == 3
    assert {row["status"] for row in manifest["files"]} == {"not-applicable"}
    assert manifest["files"][0]["notes"] == [
        "platform rule: row is for Windows CE (the article applies to it only), not a Windows server's "
        "platform: not checked"]


def test_a_mixed_articles_edition_tables_give_their_rows_the_edition(kb_root: Path) -> None:
    # Q266433: tables for Windows 2000, NT 4.0 and NT 4.0 Terminal Server Edition. The article
    # is for no one edition; the TSE table's rows are (Ntldr has no version to tell it by).
    from verfix.kbimport.fixinfo import row_editions

    read = read_article(kb_root / "windows-nt" / "Q266433.TXT")
    assert read.status == IMPORTED and read.edition is None
    tse = {(row.name, row.version) for row in read.rows if row.branch_edition == "Terminal Server Edition"}
    assert tse == {("Ntkrnlmp.exe", "4.0.1381.33474"), ("Ntoskrnl.exe", "4.0.1381.33474"), ("Ntldr", None)}
    manifest = to_manifest(read)
    assert {row.name for row in manifest.files if row.edition} == {"Ntkrnlmp.exe", "Ntoskrnl.exe", "Ntldr"}
    # On the mock (main-line) NT 4.0 volume the TSE Ntldr row is the branch rule's, never missing.
    result = CliRunner().invoke(app, ["check", str(SP3.parents[2] / "nt4"), "-m", "Q266433", "-f", "json", "-q"])
    (checked,) = json.loads(result.stdout)["manifests"]
    (ntldr,) = [row for row in checked["files"] if row["name"] == "Ntldr"]
    assert ntldr["status"] == "not-applicable"
    assert ntldr["notes"][0] == "branch rule: row is for Terminal Server Edition; this server runs the main line"
    # Headings that do not mix give no row an edition.
    assert row_editions("Microsoft Windows NT", read.rows[:1]) == [None]


def test_import_json_rows_carry_other_platform_and_edition_as_the_toml_does(kb_root: Path) -> None:
    # manifests import -f json said nothing of either (schema 2.0): a CMDB fed the JSON saw
    # Q299007's Windows CE rows and Q266433's Terminal Server rows as ordinary server rows.
    import jsonschema

    from verfix.schemas import load_schema

    paths = [kb_root / "visual-basic" / "Q299007.TXT", kb_root / "windows-nt" / "Q266433.TXT"]
    result = CliRunner().invoke(app, ["manifests", "import", *map(str, paths), "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    jsonschema.validate(records, json.loads(load_schema("kb-import")))
    by_id = {record["id"]: record for record in records}
    assert {row["other_platform"] for row in by_id["Q299007"]["rows"]} == {"Windows CE"}
    assert {row["edition"] for row in by_id["Q299007"]["rows"]} == {None}
    for path in paths:  # each row says what its manifest row says, in order
        manifest = to_manifest(read_article(path))
        rows = by_id[manifest.id]["rows"]
        assert [(r["file"], r["other_platform"], r["edition"]) for r in rows] == [
            (f.name, f.other_platform, f.edition) for f in manifest.files]
    tse = {row["file"] for row in by_id["Q266433"]["rows"] if row["edition"] == "Terminal Server Edition"}
    assert tse == {"Ntkrnlmp.exe", "Ntoskrnl.exe", "Ntldr"}
    assert {row["other_platform"] for row in by_id["Q266433"]["rows"]} == {None}
