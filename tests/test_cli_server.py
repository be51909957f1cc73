"""`verfix check VOLUME` end to end: the whole-server check wired through the command line.

The manifests of tests/test_servercheck.py are given with -m, so the command's verdicts can be
held against that file's independent model of the rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_schemas import assert_invalid, assert_valid
from tests.test_servercheck import FOLDERS, MANIFESTS, VOLUME, _model
from verfix.cli import app

REPO = Path(__file__).resolve().parent.parent
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
runner = CliRunner()


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> str:
    """``-m model`` selects MANIFESTS (held in memory: Q266433 has two Ntoskrnl.exe rows that only
    their versions tell apart, which a manifest file refuses)."""
    import verfix.cli.check

    real = verfix.cli.check.find_manifests
    monkeypatch.setattr(verfix.cli.check, "find_manifests", lambda s: list(MANIFESTS) if s == "model" else real(s))
    return "model"


def check(*args: object) -> tuple[int, dict]:
    result = runner.invoke(app, ["check", *map(str, args), "-f", "json", "-q"])
    assert result.exit_code in (0, 1, 3), result.output
    return result.exit_code, json.loads(result.stdout)


def test_the_volume_gives_the_products_and_the_models_verdicts(model: str) -> None:
    code, report = check(VOLUME, "-m", model)
    assert code == 1
    products = [(p["slug"], p["release"], p["service_pack"], p["branch"]) for p in report["products"]]
    assert products == [("windows-nt", "4.0", "SP6a", None), ("iis", "4.0", None, None),
                        ("exchange", "5.5", "SP3", None)]
    got = {m["id"]: (m["verdict"], [row["status"] for row in m["files"]]) for m in report["manifests"]}
    assert got == {m.id: _model(m) for m in MANIFESTS if m.product in FOLDERS}
    assert report["unplaced"] == ["Q999998"]
    assert_valid("check-report", report)


def test_the_overwritten_hotfix_and_the_branch_row_are_called_right(model: str) -> None:
    _, report = check(VOLUME, "-m", model)
    findings = {h["article"]: h for h in report["hotfixes"]}
    assert findings["Q307991"]["finding"] == "overwritten"
    assert findings["Q307991"]["message"] == (
        "hotfix Q307991 recorded as installed (12/3/2001) but Tcpip.sys is 4.0.1381.7095, older than its "
        "table's 4.0.1381.7109")
    assert findings["Q320249"]["finding"] == "confirmed"
    rows = {(m["id"], row["name"], row["required_version"]): row for m in report["manifests"] for row in m["files"]}
    tse = rows[("Q284849", "Lsasrv.dll", "4.0.1381.33472")]
    assert tse["status"] == "not-applicable"
    assert tse["notes"] == ["branch rule: row is for Terminal Server Edition (4.0.1381.33472); "
                            "this server runs the main line"]


def test_the_table_starts_with_the_products_and_the_hotfix_findings(model: str) -> None:
    result = runner.invoke(app, ["check", str(VOLUME), "-m", model], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "Products found:",
        "  Microsoft Windows NT 4.0 SP6a (main line): 6 compliant, 1 not-compliant, 0 incomplete, "
        "1 not-applicable",
        "  Microsoft Internet Information Server 4.0: 0 compliant, 1 not-compliant, 0 incomplete, "
        "1 not-applicable",
        "  Microsoft Exchange Server 5.5 SP3: 0 compliant, 0 not-compliant, 0 incomplete, 0 not-applicable",
    ]
    assert ("  overwritten: hotfix Q307991 recorded as installed (12/3/2001) but Tcpip.sys is 4.0.1381.7095, "
            "older than its table's 4.0.1381.7109") in lines
    assert any(line.startswith("Remediation plan") for line in lines)
    assert "checked: WINNT/system32 under the system root WINNT" in result.stderr


def test_the_whole_catalog_is_the_default_and_product_narrows() -> None:
    _, report = check(VOLUME)
    slugs = {p["slug"]: p["articles"] for p in report["products"]}
    assert list(slugs) == ["windows-nt", "iis", "exchange"]
    assert all(sum(counts.values()) > 50 for counts in slugs.values())  # every product's articles
    assert {"Q307991", "Q252693", "Q236586"} <= {m["id"] for m in report["manifests"]}
    assert_valid("check-report", report)
    _, narrowed = check(VOLUME, "--product", "Windows NT", "--product", "iis")
    assert [p["slug"] for p in narrowed["products"]] == ["windows-nt", "iis"]
    assert {m["product"] for m in narrowed["manifests"]} == {"Microsoft Windows NT",
                                                            "Microsoft Internet Information Server"}
    unknown = runner.invoke(app, ["check", str(VOLUME), "--product", "SQL Server"])
    assert unknown.exit_code == 2
    assert "--product 'SQL Server' names no product found under" in unknown.stderr


def test_a_system32_folder_is_checked_as_windows_and_a_bin_folder_as_before(model: str) -> None:
    _, system32 = check(VOLUME / "WINNT" / "system32", "-m", model)
    assert [p["slug"] for p in system32["products"]] == ["windows-nt"]
    assert {m["id"] for m in system32["manifests"]} >= {"Q288179", "Q303874"}
    _, folder = check(SP3)
    assert "products" not in folder and "hotfixes" not in folder
    assert len(folder["folders"]) == 1


def test_a_broken_product_or_hotfix_record_fails_the_schema(model: str) -> None:
    _, report = check(VOLUME, "-m", model)
    for breakage in (
        lambda d: d["products"][0].pop("release"),
        lambda d: d["products"][0]["articles"].update(fine=1),
        lambda d: d["hotfixes"][0].update(finding="great"),
        lambda d: d["hotfixes"][0].pop("message"),
    ):
        broken = json.loads(json.dumps(report))
        breakage(broken)
        assert_invalid("check-report", broken)


def test_the_catalog_on_the_mock_volume_says_sp6a_and_the_sp_notes() -> None:
    # The mock volume runs NT 4.0 SP6a and Exchange 5.5 SP3: the plan reinstalls SP6a (files an
    # article fixed in SP6, reissued as SP6a, names are missing), never "SP6"; row notes set
    # each fix's pack against the server's.
    result = runner.invoke(app, ["check", str(VOLUME), "-q"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "1. Reinstall Windows NT 4.0 SP6a (the server runs it already" in result.stdout
    assert "Windows NT 4.0 SP6:" not in result.stdout and "Windows NT 4.0 SP6 " not in result.stdout
    assert "Install Exchange Server 5.5 SP4:" in result.stdout  # the Exchange part: SP3 installed, SP4 not
    _, report = check(VOLUME)
    notes = {note for m in report["manifests"] for row in m["files"] for note in row["notes"]}
    assert "fix first in Exchange Server 5.5 SP4; the server runs SP3, which predates it" in notes
    assert "fix in Exchange Server 5.5 SP3, which the server runs" in notes
    assert "fix first in Windows NT 4.0 post-SP6a hotfix (before SP7); this server runs SP6a" in notes
    assert not any("SP6;" in note or "SP6 " in note or "post-SP6 " in note for note in notes)


def test_an_article_named_for_a_product_not_found_is_a_warning_not_silence() -> None:
    # -m means "check these": one that nothing on the volume is for must not vanish unsaid.
    system32 = VOLUME / "WINNT" / "system32"
    result = runner.invoke(app, ["check", str(system32), "-m", "Q236586", "-m", "Q307991"], env={"COLUMNS": "80"})
    assert result.exit_code == 1, result.output
    assert (f"verfix: warning: Q236586 not checked: it is for Microsoft Exchange Server, which is not found "
            f"under {system32}\n") in result.stderr
    assert "Q307991" not in result.stderr.split("checked:")[0]  # the placed one is checked, no warning
    quiet = runner.invoke(app, ["check", str(system32), "-m", "Q236586", "-q"])
    assert quiet.exit_code == 3 and quiet.stderr == ""  # nothing applied; -q keeps stderr for errors
    catalog = runner.invoke(app, ["check", str(system32)], env={"COLUMNS": "80"})
    assert "not checked" not in catalog.stderr  # the catalog's other products' articles are not named
