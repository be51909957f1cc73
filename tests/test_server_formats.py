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
from tests.test_schemas import assert_valid, validator
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


def _windows(report: dict) -> dict:
    return next(p for p in report["products"] if p["slug"] == "windows-nt")


def test_a_hotfix_record_no_article_covers_is_one_line_of_csv_and_jsonl(outputs, report) -> None:
    # Q246009 is recorded in the hive and no checked article covers it: the table, JSON, HTML
    # and SARIF said so, JSONL and CSV (one line per manifest row) had nothing to carry it on.
    checked = {m["id"] for m in report["manifests"]}
    uncovered = [h for h in report["hotfixes"] if h["article"] not in checked]
    assert [h["article"] for h in uncovered] == ["Q246009"] and uncovered[0]["finding"] == "unchecked"
    windows = _windows(report)
    records = [json.loads(line) for line in outputs["jsonl"].splitlines()]
    lines = [r for r in records if r["record_type"] == "hotfix"]
    assert [(r["manifest_id"], r["hotfix"], r["hotfix_message"]) for r in lines] == [
        (h["article"], h["finding"], h["message"]) for h in uncovered]
    (line,) = lines
    assert line["product"] == _label(windows) and line["bin_dir"] == windows["folders"][0]
    assert line["manifest_title"] == "" and line["notes"] == []
    assert all(line[key] is None for key in ("fixed_in", "verdict", "name", "path", "status", "required_version",
                                             "file_version", "file_version_string", "remediation",
                                             "remediation_action"))
    assert records[-1] is line  # after every row
    assert_valid("check-record", line)
    rows = [r for r in records if r["record_type"] == "row"]
    assert len(rows) == sum(len(m["files"]) for m in report["manifests"]) == len(records) - 1
    table = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert [{k: v for k, v in r.items()} for r in table if r["record_type"] == "hotfix"] == [
        {k: "[]" if v == [] else "" if v is None else v for k, v in line.items()}]
    assert [r["record_type"] for r in table] == [r["record_type"] for r in records]


@pytest.mark.parametrize("breakage", [
    lambda r: r.update(verdict="not-compliant"),
    lambda r: r.update(name="Q246009.exe"),
    lambda r: r.update(notes=["a note"]),
    lambda r: r.update(hotfix="overwritten"),
    lambda r: r.pop("hotfix_message"),
    lambda r: r.update(record_type="registry"),
])
def test_a_broken_hotfix_line_fails_its_schema(outputs, breakage) -> None:
    records = [json.loads(line) for line in outputs["jsonl"].splitlines()]
    (line,) = [r for r in records if r["record_type"] == "hotfix"]
    breakage(line)
    assert not validator("check-record").is_valid(line)


def test_a_row_line_keeps_the_2_0_types(outputs) -> None:
    # Only a hotfix line may leave a row's verdict, name and status null.
    row = json.loads(outputs["jsonl"].splitlines()[0])
    assert row["record_type"] == "row"
    assert_valid("check-record", row)
    for key in ("verdict", "name", "status"):
        assert not validator("check-record").is_valid({**row, key: None})
    assert not validator("check-record").is_valid({**row, "remediation_action": "upgrade"})


def test_each_plan_step_says_install_or_reinstall_in_every_format(outputs, report) -> None:
    # The server runs NT 4.0 SP6a and Exchange 5.5 SP3: the plan reinstalls SP6a (Windows and
    # IIS) and installs Exchange SP4; the table said "Reinstall", now JSON, CSV, JSONL and SARIF do.
    packs = {(f["bin_dir"], p["name"]): p["reinstall"] for f in report["folders"]
             for p in f["remediation"]["service_packs"]}
    assert set(packs.values()) == {True, False}
    assert {name for (_, name), again in packs.items() if again} == {"Windows NT 4.0 SP6a"}
    assert {name for (_, name), again in packs.items() if not again} == {"Exchange Server 5.5 SP4"}
    hotfixes = {(f["bin_dir"], h["id"]) for f in report["folders"] for h in f["remediation"]["hotfixes"]}

    def expected(record: dict) -> str | None:
        """What the JSON plan of the row's folder (its bin_dir) says of the row's remediation."""
        if record["remediation"] is None:
            return None
        where = (record["bin_dir"], record["remediation"])
        if where in packs:
            return "reinstall" if packs[where] else "install"
        assert where in hotfixes
        return "install"

    records = [json.loads(line) for line in outputs["jsonl"].splitlines()]
    seen = {r["remediation_action"] for r in records}
    assert seen == {"install", "reinstall", None}
    for record in records:
        assert record["remediation_action"] == expected(record), record
    table = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert [r["remediation_action"] for r in table] == [r["remediation_action"] or "" for r in records]
    (run,) = json.loads(outputs["sarif"])["runs"]
    for result in run["results"]:
        properties = result["properties"]
        if "remediation" in properties:
            assert properties["remediation_action"] == expected(properties), properties
    assert {r["properties"].get("remediation_action") for r in run["results"]} >= {"install", "reinstall"}
