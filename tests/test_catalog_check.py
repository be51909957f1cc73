"""The whole catalog checked on the example bin folders: SP2 misses the SP3 fixes, SP3 does not.

`verfix check` runs through typer's CliRunner with every bundled manifest. The expected
picture is derived here from the manifests and testdata/exchange55-files.tsv (the versions
the folders were built with), by a model of the rules written for this test, not by
verfix.check; a few facts are pinned by hand on top.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

import verfix.check_cache
from verfix.cli import app
from verfix.kbimport import fixed_in_from_keywords
from verfix.manifest import FileRow, Manifest, load_bundled

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO / "testdata"
FOLDERS = {sp: TESTDATA / sp / "exchsrvr" / "bin" for sp in ("sp2", "sp3")}
FILE_LIST = TESTDATA / "exchange55-files.tsv"

SP2_FIX = "Exchange Server 5.5 SP2"
SP3_FIX = "Exchange Server 5.5 SP3"

# Articles fixed in SP3 whose every requirement the SP2 folder already meets: only data
# files (checked for presence) or a version written below SP2's build in the KB table.
SP3_ARTICLES_MET_BY_SP2 = {
    "Q215604": "Pageutil.inc only (a data file)",
    "Q233284": "Events.exe at 5.5.0.2628 (the KB table's spelling of 5.5.2628.0)",
    "Q235441": "Memo.dxa only (a data file)",
    "Q241365": "P1.tpl only (a data file)",
}
# Articles fixed in SP2 that the SP2 folder does not meet: Q197398's table asks for the MTA
# hotfix build 5.5.2448.1, and the SP2 folder keeps Q236586's binaries at 5.5.2448.0.
SP2_ARTICLES_NOT_MET_BY_SP2 = {"Q197398"}

runner = CliRunner()

Version = tuple[int, int, int, int]


# --- what the folders hold, and the model of a check -----------------------------------------

def parse(text: str) -> Version:
    major, minor, build, revision = (int(part) for part in text.split("."))
    return (major, minor, build, revision)


@cache
def folder_files() -> dict[str, dict[str, tuple[str, Version | None]]]:
    """{sp: {lower-case name: (kind, fixed version of a binary)}} from the TSV."""
    lines = [line for line in FILE_LIST.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    files: dict[str, dict[str, tuple[str, Version | None]]] = {"sp2": {}, "sp3": {}}
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t"), strict=True))
        for sp in files:
            version = parse(row[f"{sp}_version"]) if row["kind"] == "binary" else None
            files[sp][row["name"].lower()] = (row["kind"], version)
    return files


@cache
def catalog() -> dict[str, Manifest]:
    """The manifests a bin-folder check applies: the bundled catalog's Exchange ones."""
    return {m.id: m for m in load_bundled() if m.product == "Microsoft Exchange Server"}


def test_a_bin_folder_check_applies_only_exchange_manifests():
    others = {m.id for m in load_bundled()} - set(catalog())
    assert len(others) > 500  # the other products' articles are in the bundled catalog
    assert load_bundled(product="Microsoft Exchange Server") == list(catalog().values())
    _, report = check("sp3")
    (folder,) = report["folders"]
    assert not others & ({m["id"] for m in report["manifests"]} | set(folder["not_applicable"]))


def is_55(text: str) -> bool:
    """A product version of Exchange 5.5 ("5.5", "5.5 SP2"), not "5.0" or "2000"."""
    return text.split()[0] == "5.5"


def fits_55(manifest: Manifest) -> bool:
    return not manifest.product_versions or any(is_55(pv) for pv in manifest.product_versions)


# The other Exchange releases' file versions (major, minor) and the builds their own files
# have (README, "Service packs, releases and branches"): a row of one is for that release.
OTHER_RELEASES = {(4, 0): range(837, 1000), (5, 0): range(1457, 1500), (6, 0): range(4417, 6900),
                  (6, 5): range(6944, 8000)}


def of_other_release(row: FileRow) -> bool:
    return (row.product_version is None and row.version is not None
            and row.version[2] in OTHER_RELEASES.get((row.version[0], row.version[1]), ()))


def row_status(row: FileRow, files: dict[str, tuple[str, Version | None]]) -> str:
    if row.product_version and not is_55(row.product_version) or of_other_release(row):
        return "not-applicable"
    found = files.get(row.name.lower())
    if found is None:
        return "missing"
    kind, version = found
    if row.version is None or kind == "data":
        return "present"
    if row.platform == "alpha":
        return "not-applicable"
    return "ok" if version >= tuple(row.version) else "outdated"


def expected_verdict(manifest: Manifest, sp: str) -> str:
    """The verdict of an article on a folder; "not-applicable" when it is set aside."""
    files = folder_files()[sp]
    if not fits_55(manifest):
        return "not-applicable"
    versioned = [row for row in manifest.files if row.version is not None] or list(manifest.files)
    if not any(row.name.lower() in files for row in versioned):
        return "not-applicable"
    statuses = {row_status(row, files) for row in manifest.files} - {"not-applicable"}
    if not statuses:
        return "not-applicable"
    if statuses & {"missing", "outdated"}:
        return "not-compliant"
    return "compliant"


def fixes(manifest: Manifest) -> set[str]:
    # As the fix keywords name them (the example folders were built from the keywords).
    keyword_fixed_in = fixed_in_from_keywords(manifest.keywords) or ""
    return {part.strip() for part in keyword_fixed_in.split(";")} & {SP2_FIX, SP3_FIX}


def sp2_articles() -> set[str]:
    """Articles fixed in 5.5 SP2 (and not also SP3)."""
    return {i for i, m in catalog().items() if fixes(m) == {SP2_FIX}}


def sp3_articles() -> set[str]:
    return {i for i, m in catalog().items() if SP3_FIX in fixes(m)}


def later_articles() -> set[str]:
    """Articles fixed in neither: later hotfixes, SP4, other products, or not said."""
    return {i for i, m in catalog().items() if not fixes(m)}


def requirements(manifest: Manifest) -> list[tuple[str, Version]]:
    """(name, version) of the rows for a 5.5 x86 binary that ask for a version."""
    return [
        (row.name.lower(), tuple(row.version)) for row in manifest.files
        if row.version is not None and row.platform in (None, "x86")
        and (row.product_version is None or is_55(row.product_version))
        and row.name.lower().endswith((".exe", ".dll"))
    ]


def met_by(manifest: Manifest, sp: str) -> bool:
    files = folder_files()[sp]
    return all(name in files and files[name][1] >= version for name, version in requirements(manifest))


# --- running verfix -------------------------------------------------------------------------

@cache
def check(sp: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["check", str(FOLDERS[sp]), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def verdicts(sp: str) -> dict[str, str]:
    _, report = check(sp)
    return {m["id"]: m["verdict"] for m in report["manifests"]}


def manifest_report(sp: str, article: str) -> dict:
    _, report = check(sp)
    return next(m for m in report["manifests"] if m["id"] == article)


def rows_by_name(sp: str, article: str) -> dict[str, dict]:
    return {row["name"]: row for row in manifest_report(sp, article)["files"]}


# --- both folders ----------------------------------------------------------------------------

@pytest.mark.parametrize("sp", ["sp2", "sp3"])
def test_every_article_has_the_expected_verdict(sp):
    _, report = check(sp)
    (folder,) = report["folders"]
    assert folder["release"] == "5.5"
    got = verdicts(sp)
    assert len(got) == len(report["manifests"])  # each article once
    assert not set(got) & set(folder["not_applicable"])
    assert set(got) | set(folder["not_applicable"]) == set(catalog())
    expected = {i: expected_verdict(m, sp) for i, m in catalog().items()}
    assert sorted(folder["not_applicable"]) == sorted(i for i, v in expected.items() if v == "not-applicable")
    wrong = {i: (got[i], expected[i]) for i in got if got[i] != expected[i]}
    assert wrong == {}
    assert set(got.values()) <= {"compliant", "not-compliant"}  # nothing unreadable or unversioned


@pytest.mark.parametrize("sp", ["sp2", "sp3"])
def test_rows_for_other_releases_are_set_aside(sp):
    _, report = check(sp)
    for manifest in report["manifests"]:
        source = catalog()[manifest["id"]]
        for row, result in zip(source.files, manifest["files"], strict=True):
            assert result["name"] == row.name
            if row.product_version and not is_55(row.product_version):
                assert result["status"] == "not-applicable", (manifest["id"], row.name)
            elif result["status"] == "missing":
                pytest.fail(f"{manifest['id']}: {row.name} missing from the {sp} folder")


@pytest.mark.parametrize("sp", ["sp2", "sp3"])
def test_articles_of_other_releases_are_not_applicable(sp):
    _, report = check(sp)
    not_applicable = set(report["folders"][0]["not_applicable"])
    releases = {i: {pv.split()[0] for pv in m.product_versions} for i, m in catalog().items()}
    only_50 = {i for i, r in releases.items() if r == {"5.0"}}
    only_2000 = {i for i, r in releases.items() if r == {"2000"}}
    assert len(only_50) >= 10 and only_2000
    assert only_50 | only_2000 <= not_applicable
    # What else is set aside names no file of a 5.5 server, or only rows for other releases.
    for article in not_applicable - only_50 - only_2000:
        assert expected_verdict(catalog()[article], sp) == "not-applicable", article


@pytest.mark.parametrize("sp", ["sp2", "sp3"])
def test_each_file_is_read_at_most_once(sp, monkeypatch):
    reads: Counter[str] = Counter()
    real = verfix.check_cache.read_pe_file

    def counting(path, *args, **kwargs):
        reads[str(path)] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(verfix.check_cache, "read_pe_file", counting)
    result = runner.invoke(app, ["check", str(FOLDERS[sp]), "--format", "json", "--quiet"])
    assert result.exit_code == 1, result.output
    assert reads and max(reads.values()) == 1, reads.most_common(3)
    folder = {str(p) for p in FOLDERS[sp].iterdir()}
    assert set(reads) <= folder
    # Every binary that some applicable article versions was read (Emsmta.exe by 70 of them).
    report = json.loads(result.stdout)
    versioned = {
        row["path"] for m in report["manifests"] for row in m["files"]
        if row["required_version"] and row["status"] in ("ok", "outdated")
    }
    assert versioned and versioned <= set(reads)
    assert str(FOLDERS[sp] / "Emsmta.exe") in reads


# --- the SP3 folder --------------------------------------------------------------------------

def test_sp3_meets_every_sp2_and_sp3_fix():
    got = verdicts("sp3")
    fixed = (sp2_articles() | sp3_articles()) & set(got)
    assert len(fixed) >= 250
    assert {i for i in fixed if got[i] != "compliant"} == set()
    assert got["Q236586"] == "compliant"


def test_sp3_misses_later_hotfixes_that_need_newer_builds():
    got = verdicts("sp3")
    later = later_articles() & set(got)
    newer = {i for i in later if not met_by(catalog()[i], "sp3")}
    assert len(newer) >= 80
    assert {i for i in newer if got[i] != "not-compliant"} == set()
    # The later articles the SP3 folder does meet ask for nothing above its versions.
    assert {i for i in later - newer if got[i] != "compliant"} == set()
    assert 0 < len(later - newer) < len(newer)


def test_sp3_exit_code_is_not_compliant():
    exit_code, _ = check("sp3")
    # 0 would need every applicable article met; post-SP3 hotfixes are not: 1 (not 3,
    # since every file reads and has a version).
    assert exit_code == 1
    assert "not-compliant" in verdicts("sp3").values()


def test_sp3_q236586_rows():
    rows = rows_by_name("sp3", "Q236586")
    assert manifest_report("sp3", "Q236586")["counts"] == {"ok": 6, "present": 9}
    for name in ("Ems_rid.dll", "Emsmta.exe", "Mtacheck.exe", "Mtamsg.dll", "X400om.dll", "X400omv1.dll"):
        assert rows[name]["status"] == "ok"
        assert rows[name]["file_version"] == rows[name]["required_version"] == "5.5.2646.0"
    assert rows["X400omv1.dll"]["file_version_string"] == "5.5.2448.0"
    assert any("disagrees with the fixed version 5.5.2646.0" in n for n in rows["X400omv1.dll"]["notes"])
    assert rows["Mtacheck.exe"]["file_version_string"] == "5, 5, 2646, 0"
    assert {rows[n]["status"] for n in ("P2.xv2", "Dbserver.sch", "Infotlog.cfg")} == {"present"}


def test_sp3_article_q231411():
    """An MTA fix of SP3 naming Address.dll and Mmiext.dll besides Q236586's files."""
    report = manifest_report("sp3", "Q231411")
    assert report["verdict"] == "compliant"
    assert report["counts"] == {"ok": 8, "present": 9}
    rows = rows_by_name("sp3", "Q231411")
    assert rows["Address.dll"]["required_version"] == "5.5.2609.0"
    assert rows["Address.dll"]["file_version"] == "5.5.2623.0"  # Q232579 (SP3) asks for 2623
    assert manifest_report("sp2", "Q231411")["counts"] == {"outdated": 8, "present": 9}


def test_post_sp3_hotfix_q320702():
    """An MTA hotfix after SP4 (5.5.2656.19): neither folder has it."""
    for sp, found in (("sp3", "5.5.2646.0"), ("sp2", "5.5.2448.0")):
        report = manifest_report(sp, "Q320702")
        assert report["verdict"] == "not-compliant"
        assert report["counts"] == {"outdated": 6, "present": 6}
        row = rows_by_name(sp, "Q320702")["Emsmta.exe"]
        assert (row["status"], row["required_version"], row["file_version"]) == ("outdated", "5.5.2656.19", found)
        mtaperf = rows_by_name(sp, "Q320702")["Mtaperf.dll"]
        assert mtaperf["status"] == "outdated"


# --- the SP2 folder --------------------------------------------------------------------------

def test_sp2_meets_the_sp2_fixes_but_q197398():
    got = verdicts("sp2")
    fixed = sp2_articles() & set(got)
    assert len(fixed) >= 90
    unmet = {i for i in fixed if not met_by(catalog()[i], "sp2")}
    assert unmet == SP2_ARTICLES_NOT_MET_BY_SP2
    assert {i for i in fixed if got[i] != "compliant"} == unmet
    row = rows_by_name("sp2", "Q197398")["Emsmta.exe"]
    assert (row["required_version"], row["file_version"]) == ("5.5.2448.1", "5.5.2448.0")


def test_sp2_misses_the_sp3_fixes():
    got = verdicts("sp2")
    fixed = sp3_articles() & set(got)
    met = {i for i in fixed if met_by(catalog()[i], "sp2")}
    assert met == set(SP3_ARTICLES_MET_BY_SP2)  # few, and each explained above
    assert len(met) * 20 < len(fixed)
    assert {i for i in fixed if got[i] == "compliant"} == met
    assert {i for i in fixed - met if got[i] != "not-compliant"} == set()


def test_sp2_q236586_rows():
    assert manifest_report("sp2", "Q236586")["verdict"] == "not-compliant"
    assert manifest_report("sp2", "Q236586")["counts"] == {"outdated": 6, "present": 9}
    for name, row in rows_by_name("sp2", "Q236586").items():
        if row["required_version"]:
            assert (row["status"], row["file_version"]) == ("outdated", "5.5.2448.0"), name


def test_sp2_exit_code_is_not_compliant():
    exit_code, _ = check("sp2")
    assert exit_code == 1


def test_sp2_is_behind_sp3_everywhere():
    sp2, sp3 = verdicts("sp2"), verdicts("sp3")
    assert set(sp2) == set(sp3)
    # Nothing the SP2 folder meets is unmet by the SP3 folder.
    assert {i for i in sp2 if sp2[i] == "compliant" and sp3[i] != "compliant"} == set()
    assert Counter(sp2.values())["compliant"] < Counter(sp3.values())["compliant"]
