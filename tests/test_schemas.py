"""The shipped JSON Schemas are valid and describe the real outputs; broken documents fail."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from verfix import formats
from verfix.cli import app
from verfix.inventory import inventory
from verfix.schemas import SCHEMA_VERSION, load_schema, schema_names

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO / "testdata"
SP2 = TESTDATA / "sp2" / "exchsrvr" / "bin"
SP3 = TESTDATA / "sp3" / "exchsrvr" / "bin"
NAMES = ["check-record", "check-report", "inventory-record", "kb-import", "version-record"]

runner = CliRunner()


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(load_schema(name)))


def assert_valid(name: str, document: object) -> None:
    errors = sorted(validator(name).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def assert_invalid(name: str, document: object) -> None:
    assert not validator(name).is_valid(document), f"{name} accepted {document!r}"


def command_exists(*words: str) -> bool:
    return runner.invoke(app, [*words, "--help"]).exit_code == 0


def check_json(*args: str) -> dict:
    result = runner.invoke(app, ["check", *map(str, args), "--format", "json"])
    assert result.exit_code in (0, 1, 3), result.output
    return json.loads(result.stdout)


def remediation(report: dict, manifest: dict, row: dict) -> str | None:
    """Where the folder's plan takes an outdated or missing row's file from."""
    if row["status"] not in ("outdated", "missing"):
        return None
    folder = next(f for f in report["folders"] if f["bin_dir"] == manifest["bin_dir"])
    files = {f["name"].lower(): f["from"] for f in folder["remediation"]["files"]}
    return files[row["name"].lower()]


def flat_records(report: dict) -> list[dict]:
    """The check JSONL lines the report stands for: one per row, with its manifest's facts."""
    return [
        {"schema_version": report["schema_version"], "manifest_id": manifest["id"],
         "manifest_title": manifest["title"], "fixed_in": manifest["fixed_in"],
         "bin_dir": manifest["bin_dir"], "verdict": manifest["verdict"], **row,
         "remediation": remediation(report, manifest, row)}
        for manifest in report["manifests"] for row in manifest["files"]
    ]


# --- the schema documents --------------------------------------------------------------------

def test_the_schemas_ship_and_are_valid_json_schema():
    assert schema_names() == NAMES
    for name in NAMES:
        schema = json.loads(load_schema(name))
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].endswith(f":{name}:{SCHEMA_VERSION}")
        if name == "kb-import":  # an array of articles (what `manifests import -f json` prints)
            assert schema["type"] == "array" and schema["items"]["additionalProperties"] is False
            continue
        assert schema["additionalProperties"] is False
        assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
        assert "schema_version" in schema["required"]


def test_schema_version_is_the_one_the_reports_write():
    assert formats.SCHEMA_VERSION == SCHEMA_VERSION


def test_load_schema_accepts_the_file_name_and_refuses_unknown_names():
    assert load_schema("check-report.schema.json") == load_schema("check-report")
    with pytest.raises(KeyError, match="unknown schema"):
        load_schema("nope")


# --- real outputs validate ---------------------------------------------------------------------

@pytest.mark.parametrize("folder", [SP2, SP3], ids=["sp2", "sp3"])
@pytest.mark.parametrize("selection", [[], ["-m", "Q236586"]], ids=["all-manifests", "one"])
def test_real_check_reports_validate(folder, selection):
    report = check_json(folder, *selection)
    assert report["manifests"], "the example folder should be checked by at least one manifest"
    assert_valid("check-report", report)
    for record in flat_records(report):
        assert_valid("check-record", record)


@pytest.mark.parametrize("path", ["nt4", "nt4/WINNT/system32"])
def test_real_whole_server_reports_validate(path):
    report = check_json(TESTDATA / path)
    assert report["products"] and report["manifests"]
    assert path != "nt4" or {h["finding"] for h in report["hotfixes"]} >= {"overwritten", "confirmed"}
    assert_valid("check-report", report)
    for record in flat_records(report):
        assert_valid("check-record", record)


def test_a_bin_folder_plan_never_says_reinstall():
    # A bin-folder check does not tell the server's service pack: every pack step installs.
    report = check_json(SP2)
    packs = [p for f in report["folders"] for p in f["remediation"]["service_packs"]]
    assert packs and {p["reinstall"] for p in packs} == {False}


def test_check_report_with_missing_and_unreadable_files_validates(tmp_path):
    folder = tmp_path / "bin"
    shutil.copytree(SP3, folder)
    (folder / "Emsmta.exe").unlink()                    # missing: path and versions null
    (folder / "Mtamsg.dll").write_bytes(b"MZ")          # unreadable: truncated
    report = check_json(folder, "-m", "Q236586")
    statuses = {row["status"] for row in report["manifests"][0]["files"]}
    assert {"missing", "unreadable"} <= statuses
    assert_valid("check-report", report)
    for record in flat_records(report):
        assert_valid("check-record", record)


def test_real_check_jsonl_lines_validate():
    if "jsonl" not in {f.value for f in formats.Format}:
        pytest.skip("verfix check --format jsonl is not wired yet")
    result = runner.invoke(app, ["check", str(SP2), "--format", "jsonl"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines
    for line in lines:
        assert_valid("check-record", line)


def test_real_inventory_records_of_testdata_validate(tmp_path):
    (tmp_path / "truncated.dll").write_bytes(b"MZ")
    plain = [r.as_dict() for r in inventory(TESTDATA)]
    hashed = [r.as_dict() for r in inventory(TESTDATA, hash_algorithm="sha256")]
    broken = [r.as_dict() for r in inventory(tmp_path, hash_algorithm="sha256")]
    assert len(plain) == len(hashed) >= 10
    assert any(r["error"] for r in plain) and any(r["error"] is None for r in plain)
    assert broken and broken[0]["error"] and broken[0]["sha256"]
    for record in plain + hashed + broken:
        assert_valid("inventory-record", record)


def test_real_inventory_cli_lines_validate():
    if not command_exists("inventory"):
        pytest.skip("verfix inventory is not wired yet")
    result = runner.invoke(app, ["inventory", str(TESTDATA), "--format", "jsonl", "-q"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) >= 10
    for line in lines:
        assert_valid("inventory-record", line)


def test_real_version_records_validate(tmp_path):
    (tmp_path / "empty.dll").write_bytes(b"")
    files = [SP2 / "Emsmta.exe", TESTDATA / "pe" / "noversion.dll", tmp_path / "empty.dll", tmp_path / "gone.dll"]
    result = runner.invoke(app, ["version", *map(str, files), "--format", "json"])
    records = json.loads(result.stdout)
    assert len(records) == 4 and records[0]["file_version"] and records[3]["error"] == "no such file"
    for record in records:
        assert_valid("version-record", record)
    broken = dict(records[0], file_version="5.5")
    assert_invalid("version-record", broken)
    assert_invalid("version-record", {k: v for k, v in records[0].items() if k != "schema_version"})


def test_schema_command_prints_the_shipped_schema():
    if not command_exists("schema"):
        pytest.skip("verfix schema is not wired yet")
    for name in NAMES:
        result = runner.invoke(app, ["schema", name])
        assert result.exit_code == 0
        assert json.loads(result.stdout) == json.loads(load_schema(name))


# --- broken documents fail ---------------------------------------------------------------------

def inventory_sample() -> dict:
    return next(r for r in inventory(TESTDATA / "pe", hash_algorithm="sha256")).as_dict()


def check_sample() -> dict:
    return check_json(SP2, "-m", "Q236586")


@pytest.mark.parametrize("breakage", [
    lambda r: r.pop("file_version"),                   # a required key is missing
    lambda r: r.update(extra="surprise"),              # an unknown key
    lambda r: r.update(size="3584"),                   # wrong type
    lambda r: r.update(size=-1),                       # out of range
    lambda r: r.update(file_version="5.5.2646"),       # not four parts
    lambda r: r.update(file_version="5.5.2646.0 (SP3)"),
    lambda r: r.update(sha256="ABC"),                  # not a hex digest
    lambda r: r.update(schema_version="1.0"),
])
def test_broken_inventory_record_fails(breakage):
    record = inventory_sample()
    assert_valid("inventory-record", record)
    breakage(record)
    assert_invalid("inventory-record", record)


@pytest.mark.parametrize("breakage", [
    lambda d: d.pop("generated_at"),
    lambda d: d.update(schema_version=1.0),
    lambda d: d["manifests"][0].update(verdict="fine"),
    lambda d: d["manifests"][0]["counts"].update(great=1),
    lambda d: d["manifests"][0]["files"][0].update(status="OK"),
    lambda d: d["manifests"][0]["files"][0].pop("notes"),
    lambda d: d["manifests"][0]["files"][0].update(required_version=5.5),
    lambda d: d["manifests"][0]["files"][0].update(unexpected=None),
    lambda d: d["folders"][0].pop("remediation"),
    lambda d: d["folders"][0]["remediation"].update(proven_fewest="yes"),
    lambda d: d["folders"][0]["remediation"]["files"].append({"name": "A.dll"}),
    lambda d: d["folders"][0]["remediation"]["service_packs"][0].pop("reinstall"),
    lambda d: d["folders"][0]["remediation"]["service_packs"][0].update(reinstall="no"),
    lambda d: d.update(schema_version="2.0"),
])
def test_broken_check_report_fails(breakage):
    report = check_sample()
    assert_valid("check-report", report)
    broken = copy.deepcopy(report)
    breakage(broken)
    assert_invalid("check-report", broken)


@pytest.mark.parametrize("breakage", [
    lambda r: r.pop("manifest_id"),
    lambda r: r.update(id="Q236586"),
    lambda r: r.update(verdict="compliant-ish"),
    lambda r: r.update(notes="one note"),
    lambda r: r.update(remediation=7),
    lambda r: r.update(verdict=None),             # null only on a whole-server check's hotfix line
    lambda r: r.update(name=None),
    lambda r: r.update(record_type="hotfix"),     # a hotfix line has no file
])
def test_broken_check_record_fails(breakage):
    record = flat_records(check_sample())[0]
    assert_valid("check-record", record)
    breakage(record)
    assert_invalid("check-record", record)
