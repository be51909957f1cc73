"""The command line, driven through typer's CliRunner on the bundled example folders."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verfix.cli import app

REPO = Path(__file__).resolve().parent.parent
SP2 = REPO / "testdata" / "sp2" / "exchsrvr" / "bin"
SP3 = REPO / "testdata" / "sp3" / "exchsrvr" / "bin"
VERSIONED = {"Ems_rid.dll", "Emsmta.exe", "Mtacheck.exe", "Mtamsg.dll", "X400om.dll", "X400omv1.dll"}

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def copy_of(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "exchsrvr" / "bin"
    shutil.copytree(folder, target)
    return target


def statuses(report: dict) -> dict[str, str]:
    (manifest,) = report["manifests"]
    return {row["name"]: row["status"] for row in manifest["files"]}


def test_sp2_folder_is_not_compliant():
    result = run("check", SP2, "-m", "Q236586")
    assert result.exit_code == 1, result.output
    assert "NOT-COMPLIANT" in result.stdout
    assert "Q236586: not-compliant (6 outdated, 9 present)" in result.stderr
    for name in VERSIONED:
        line = next(text for text in result.stdout.splitlines() if text.startswith(name + " "))
        assert "5.5.2448.0" in line and "outdated" in line


def test_sp3_folder_is_compliant_and_notes_the_stale_string():
    # A wide terminal: at 80 columns the note is cut (tests/test_widths.py), whole in JSON.
    result = runner.invoke(app, ["check", str(SP3), "-m", "Q236586"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Q236586: compliant (6 ok, 9 present)" in result.stderr
    line = next(text for text in result.stdout.splitlines() if text.startswith("X400omv1.dll "))
    assert "5.5.2448.0" in line  # the string column shows the stale FileVersion string
    assert "disagrees with the fixed version 5.5.2646.0" in line


def test_default_checks_every_bundled_manifest_that_applies():
    result = run("check", SP3)
    assert result.exit_code in (0, 1), result.output  # the catalog test pins the rest
    # Q236586 is compliant on SP3: the default table lists only the articles that need action.
    assert not any(text.startswith("Q236586 ") for text in result.stdout.splitlines())
    assert re.search(r"^\d+ compliant article\(s\) not shown \(--all shows them\)\.$", result.stdout, re.M)
    assert "Lowest offending file" in result.stdout  # the summary table, not every row
    assert "Remediation plan, from the catalog" in result.stdout
    shown = run("check", SP3, "--all")
    line = next(text for text in shown.stdout.splitlines() if text.startswith("Q236586 "))
    assert " compliant" in line and "not-compliant" not in line
    assert "FileVersion string" not in result.stdout  # no row tables without --details
    assert re.search(r"\d+ article\(s\) checked in .*: \d+ compliant, \d+ not-compliant; "
                     r"\d+ not applicable here", " ".join(result.stderr.split()))  # wrapped at 80


def test_json_report_shape():
    result = run("check", SP2, "-m", "Q236586", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"schema_version", "verfix_version", "target", "generated_at", "folders", "manifests"}
    (folder,) = report["folders"]
    plan = folder.pop("remediation")
    assert folder == {"bin_dir": str(SP2), "how": folder["how"], "release": "5.5", "not_applicable": []}
    # Q236586 says it is fixed in 5.5 SP3: the plan is that pack, and every outdated file is from it.
    assert plan["needs_action"] == ["Q236586"] and plan["hotfixes"] == []
    assert [(p["name"], p["clears"]) for p in plan["service_packs"]] == [("Exchange Server 5.5 SP3", ["Q236586"])]
    assert {f["name"]: f["from"] for f in plan["files"]} == dict.fromkeys(
        ["Ems_rid.dll", "Emsmta.exe", "Mtacheck.exe", "Mtamsg.dll", "X400om.dll", "X400omv1.dll"],
        "Exchange Server 5.5 SP3")
    assert "Emsmta.exe" in folder["how"]
    assert report["schema_version"] == "2.1"
    assert report["target"] == str(SP2)
    assert report["generated_at"].endswith("Z")
    (manifest,) = report["manifests"]
    assert set(manifest) == {"id", "title", "product", "fixed_in", "bin_dir", "verdict", "counts", "files"}
    assert manifest["fixed_in"] == "Exchange Server 5.5 SP3"
    assert manifest["id"] == "Q236586" and manifest["verdict"] == "not-compliant"
    assert manifest["counts"] == {"outdated": 6, "present": 9}
    rows = {row["name"]: row for row in manifest["files"]}
    assert len(rows) == 15
    for row in rows.values():
        assert set(row) == {"name", "path", "status", "required_version", "file_version",
                            "file_version_string", "notes"}
    assert rows["Emsmta.exe"]["required_version"] == "5.5.2646.0"
    assert rows["Emsmta.exe"]["file_version"] == "5.5.2448.0"
    assert rows["Emsmta.exe"]["path"] == str(SP2 / "Emsmta.exe")
    assert rows["P2.xv2"] == {
        "name": "P2.xv2", "path": str(SP2 / "P2.xv2"), "status": "present",
        "required_version": None, "file_version": None, "file_version_string": None, "notes": [],
    }


def test_missing_files_in_json(tmp_path):
    folder = copy_of(SP3, tmp_path)
    (folder / "Emsmta.exe").unlink()
    result = run("check", folder, "-m", "Q236586", "-f", "json")
    assert result.exit_code == 1
    row = next(r for r in json.loads(result.stdout)["manifests"][0]["files"] if r["name"] == "Emsmta.exe")
    assert row["status"] == "missing" and row["path"] is None and row["file_version"] is None


def test_output_file(tmp_path):
    out = tmp_path / "report.json"
    result = run("check", SP3, "-m", "Q236586", "--format", "json", "-o", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text())["manifests"][0]["verdict"] == "compliant"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left behind


def test_refuses_to_write_into_the_scanned_tree(tmp_path):
    image = tmp_path / "image"
    folder = copy_of(SP3, image)
    result = run("check", image, "-m", "Q236586", "-o", image / "report.txt")
    assert result.exit_code == 2
    assert "refusing to write the report inside the scanned folder" in result.stderr
    assert not (image / "report.txt").exists() and folder.is_dir()


def test_refuses_to_write_into_the_scanned_folder(tmp_path):
    folder = copy_of(SP3, tmp_path)
    before = sorted(p.name for p in folder.iterdir())
    result = run("check", folder, "-m", "Q236586", "-o", folder / "report.txt")
    assert result.exit_code == 2
    assert "refusing to write the report inside the scanned folder" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


def test_unreadable_file_makes_the_check_incomplete(tmp_path):
    folder = copy_of(SP3, tmp_path)
    (folder / "Mtamsg.dll").write_text("this is a text file, not a DLL\n")
    result = run("check", folder, "-m", "Q236586", "-f", "json")
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["manifests"][0]["verdict"] == "incomplete"
    row = next(r for r in report["manifests"][0]["files"] if r["name"] == "Mtamsg.dll")
    assert row["status"] == "unreadable"
    assert row["notes"] and "PE" in row["notes"][0]


def test_file_without_version_resource_is_no_version(tmp_path):
    folder = copy_of(SP3, tmp_path)
    shutil.copy(REPO / "testdata" / "pe" / "noversion.dll", folder / "X400om.dll")
    result = run("check", folder, "-m", "Q236586", "-f", "json")
    assert result.exit_code == 3
    assert statuses(json.loads(result.stdout))["X400om.dll"] == "no-version"


def test_names_in_any_case_are_found(tmp_path):
    folder = copy_of(SP2, tmp_path)
    for path in list(folder.iterdir()):
        path.rename(folder / path.name.upper())
    result = run("check", folder, "-m", "Q236586", "-f", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(statuses(report).values()) == {"outdated", "present"}
    assert report["manifests"][0]["files"][3]["path"].endswith("EMSMTA.EXE")


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", SP3, "-m", "Q999999"], "unknown manifest 'Q999999'"),
        (["check", "/nonexistent/bin", "-m", "Q236586"], "no such file or directory"),
        (["check", SP3 / "Emsmta.exe", "-m", "Q236586"], "not a folder"),
    ],
)
def test_input_errors_exit_2_with_one_line(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message.lower() in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_invalid_manifest_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "site fix"\ntitle = "t"\nproduct = "p"\n[[files]]\nname = "a.dll"\n')
    result = run("check", SP3, "-m", bad)
    assert result.exit_code == 2
    assert f"{bad}: id 'site fix' is neither a KB article id like Q236586 nor an own id" in result.stderr


def test_own_manifest_ids_and_kb_spellings(tmp_path):
    own = tmp_path / "own.toml"
    own.write_text('id = "site-fix_2"\ntitle = "t"\nproduct = "p"\n[[files]]\nname = "Store.exe"\n'
                   'version = "5.5.2650.0"\n')
    result = run("check", SP3, "-m", own, "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["manifests"][0]["id"] == "site-fix_2"
    kb = tmp_path / "kb.toml"
    kb.write_text(own.read_text().replace("site-fix_2", "KB236586"))
    refused = run("check", SP3, "-m", kb)
    assert refused.exit_code == 2 and "names KB article 236586: write it Q236586" in refused.stderr


def test_usage_error_exits_2():
    assert run("check").exit_code == 2
    assert run("check", SP3, "--format", "xml").exit_code == 2


def test_version_command_json():
    files = [SP3 / "Emsmta.exe", SP3 / "X400omv1.dll", SP3 / "P2.xv2", SP3 / "absent.dll"]
    result = run("version", *files, "--format", "json")
    assert result.exit_code == 3  # two of the four have no version
    records = json.loads(result.stdout)
    assert [set(r) for r in records] == [
        {"schema_version", "path", "file_version", "file_version_string", "product_version", "machine", "error"}
    ] * 4
    assert records[0]["file_version"] == "5.5.2646.0" and records[0]["machine"] == "i386"
    assert records[0]["error"] is None
    assert records[1]["file_version_string"] == "5.5.2448.0"
    assert records[2]["file_version"] is None and records[2]["error"]
    assert records[3]["error"] == "no such file"


def test_version_command_table_and_pefile_reader():
    result = run("version", SP2 / "Emsmta.exe", "--reader", "pefile")
    assert result.exit_code == 0
    assert "5.5.2448.0" in result.stdout and "i386" in result.stdout


def test_manifests_list_show_validate(tmp_path):
    listed = run("manifests", "list")
    assert listed.exit_code == 0 and "Q236586" in listed.stdout
    shown = run("manifests", "show", "Q236586", "--format", "json")
    assert shown.exit_code == 0
    assert len(json.loads(shown.stdout)["rows"]) == 15
    good = run("manifests", "validate", REPO / "manifests" / "Q236586.toml")
    assert good.exit_code == 0 and "ok:" in good.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "Q123456"\ntitle = "t"\nproduct = "p"\nfiles = []\n')
    result = run("manifests", "validate", bad)
    assert result.exit_code == 2 and "'files' is empty" in result.stderr


def test_no_colour_when_not_a_terminal():
    assert "\x1b[" not in run("check", SP2, "-m", "Q236586").stdout


def test_help_documents_exit_codes():
    text = " ".join(run("check", "--help").stdout.split())
    assert "Exit codes" in text and "3 incomplete" in text


def test_python_dash_m_works_from_another_folder(tmp_path):
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "verfix", "manifests", "list"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Q236586" in done.stdout


FIXTURES = REPO / "tests" / "fixtures" / "kb"


def test_manifests_import_writes_loadable_manifests(tmp_path):
    result = run("manifests", "import", FIXTURES / "Q900001.TXT", FIXTURES / "Q900002.md", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Q900001.toml", "Q900002.toml"]
    assert "2 imported, 0 skipped, 0 without a fixed-file table" in result.stderr
    validated = run("manifests", "validate", *sorted(tmp_path.iterdir()))
    assert validated.exit_code == 0, validated.output


def test_manifests_import_json_reads_without_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("manifests", "import", FIXTURES / "Q900001.TXT", FIXTURES / "Q900011.TXT", "--format", "json")
    assert result.exit_code == 3  # one article could not be read completely
    assert list(tmp_path.iterdir()) == []
    records = json.loads(result.stdout)
    assert [set(r) >= {"id", "title", "product", "rows", "error"} for r in records] == [True, True]
    good, bad = records
    assert good["error"] is None and good["rows"]
    assert {"file", "version", "platform", "component"} <= set(good["rows"][0])
    assert bad["id"] == "Q900011" and "line 20" in bad["error"]
    assert "Q900011" in result.stderr and "line 20" in result.stderr


def test_manifests_import_unknown_path_is_a_usage_error(tmp_path):
    result = run("manifests", "import", tmp_path / "Q1.TXT")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def test_reader_leaving_early_is_not_an_error():
    # `verfix inventory | head -1`: a closed pipe ends the output quietly, no traceback.
    command = [sys.executable, "-m", "verfix", "inventory", str(REPO / "testdata"), "-q", "--hash", "sha256"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, stderr
    assert json.loads(first)["path"].startswith(str(REPO / "testdata"))
    assert stderr == ""


def test_selectors_narrow_the_catalog():
    everything = json.loads(run("check", SP3, "-f", "json", "-q").stdout)
    mta = json.loads(run("check", SP3, "-f", "json", "-q", "--component", "mta").stdout)
    store = json.loads(run("check", SP3, "-f", "json", "-q", "--component", "Information Store").stdout)
    ids = {m["id"] for m in everything["manifests"]}
    mta_ids = {m["id"] for m in mta["manifests"]}
    store_ids = {m["id"] for m in store["manifests"]}
    assert "Q236586" in mta_ids and "Q236586" not in store_ids
    assert mta_ids < ids and store_ids < ids and not mta_ids & store_ids - {"Q232391"}
    none = run("check", SP3, "--component", "no such component")
    assert none.exit_code == 2 and "no manifest matches the selection" in none.stderr


def test_product_selector_matches_product_and_version():
    only_55 = json.loads(run("check", SP3, "-f", "json", "-q", "--product", "server 5.5").stdout)
    assert only_55["manifests"] and "Q236586" in {m["id"] for m in only_55["manifests"]}
    none = run("check", SP3, "--product", "Exchange Server 9.9")
    assert none.exit_code == 2


def test_a_product_query_without_words_is_a_usage_error_not_every_product():
    for query in ("!!", ".", "-/-"):
        result = run("check", SP3, "--product", query)
        assert result.exit_code == 2 and "has no word to match" in result.stderr, query


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    from verfix.cli import common as cli

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli.use_colour(None)
    assert not cli.use_colour(Path("report.txt"))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli.use_colour(None)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    monkeypatch.delenv("NO_COLOR")
    assert not cli.use_colour(None)


def test_inventory_summary_counts_what_was_skipped(tmp_path):
    shutil.copy(SP3 / "Emsmta.exe", tmp_path / "Emsmta.exe")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "out.dll").symlink_to("/etc/passwd")
    result = run("inventory", tmp_path)
    assert result.exit_code == 0
    assert [json.loads(line)["path"] for line in result.stdout.splitlines()] == [str(tmp_path / "Emsmta.exe")]
    assert "1 PE file(s) of 1 file(s)" in result.stderr
    summary = " ".join(result.stderr.split())  # the summary is wrapped at 80 columns
    assert "1 skipped: FIFO (named pipe)" in summary
    assert "1 skipped: symbolic link leading outside the tree" in summary
