"""The whole-server check's product lines and hotfix findings in every format: table and JSON
had them; HTML, SARIF, CSV and JSONL carry them too (the mock NT 4.0 volume)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.sarif_schema import validate_sarif
from tests.test_report_formats import parse
from tests.test_schemas import assert_valid
from verfix.cli import app

NT4 = Path(__file__).resolve().parent.parent / "testdata" / "nt4"
runner = CliRunner()


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    done = {}
    for fmt in ("json", "html", "sarif", "csv", "jsonl"):
        result = runner.invoke(app, ["check", str(NT4), "-f", fmt, "-q"])
        assert result.exit_code == 1, result.output
        done[fmt] = result.stdout
    return done


@pytest.fixture(scope="module")
def report(outputs) -> dict:
    return json.loads(outputs["json"])


def _label(product: dict) -> str:
    what = " ".join(p for p in (product["product"], product["release"], product["service_pack"]) if p)
    return what + (f" ({product['branch'] or 'main line'})" if "branch" in product["how"] else "")


def test_html_has_the_product_lines_and_hotfix_findings(outputs, report) -> None:
    page = parse(outputs["html"])
    assert page.problems == []
    text = "".join(page.text)
    assert "Products found" in text and "Hotfix records against the files" in text
    for product in report["products"]:
        row = next(r for r in page.rows if r and r[0] == _label(product))
        counts = product["articles"]
        assert row[2:] == [str(counts[v]) for v in ("compliant", "not-compliant", "incomplete", "not-applicable")]
    hotfix_rows = {r[0]: r for r in page.rows if len(r) == 4 and r[0].startswith("Q")}
    for item in report["hotfixes"]:
        assert hotfix_rows[item["article"]][1] == item["finding"]
        assert hotfix_rows[item["article"]][3] == item["message"]
    assert hotfix_rows["Q307991"][1] == "overwritten" and hotfix_rows["Q246009"][1] == "unchecked"


def test_sarif_has_them_and_is_valid(outputs, report) -> None:
    log = json.loads(outputs["sarif"])
    validate_sarif(log)
    (run,) = log["runs"]
    assert [p["product"] for p in run["properties"]["products"]] == [p["product"] for p in report["products"]]
    assert all(p["summary"].startswith(_label(p)) for p in run["properties"]["products"])
    assert run["properties"]["hotfixes"] == report["hotfixes"]
    hotfix = [r for r in run["results"] if r["ruleId"] == "verfix-hotfix-record"]
    assert {(r["properties"]["article"], r["level"]) for r in hotfix} == {("Q307991", "error"), ("Q246009", "note")}
    (overwritten,) = [r for r in hotfix if r["level"] == "error"]
    (uri,) = [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in overwritten["locations"]]
    assert uri.endswith("/drivers/tcpip.sys")
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_csv_and_jsonl_rows_name_their_product_and_hotfix_finding(outputs, report) -> None:
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert rows and {"product", "hotfix", "hotfix_message"} <= set(rows[0])
    labels = {_label(p) for p in report["products"] if sum(p["articles"].values())}
    assert {r["product"] for r in rows} == labels
    findings = {h["article"]: h for h in report["hotfixes"]}
    for row in rows:
        item = findings.get(row["manifest_id"])
        assert row["hotfix"] == (item["finding"] if item else "")
        assert row["hotfix_message"] == (item["message"] if item else "")
    assert {r["hotfix"] for r in rows if r["manifest_id"] == "Q307991"} == {"overwritten"}
    records = [json.loads(line) for line in outputs["jsonl"].splitlines()]
    assert len(records) == len(rows)
    for record in records[:50] + [r for r in records if r["hotfix"]]:
        assert_valid("check-record", record)


def test_a_bin_folder_check_keeps_its_csv_columns() -> None:
    sp3 = NT4.parent / "sp3" / "exchsrvr" / "bin"
    header = runner.invoke(app, ["check", str(sp3), "-f", "csv", "-q"]).stdout.splitlines()[0]
    assert header.endswith(",notes,remediation")
