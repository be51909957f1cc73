"""Hotfix records against the files: the mock volume's overwritten Q307991 is called right."""

from __future__ import annotations

from pathlib import Path

from verfix.check import FileCache, check_folder
from verfix.hive import open_hive
from verfix.hotfix import Finding, cross_check
from verfix.manifest import FileRow, Manifest
from verfix.version import parse_version
from verfix.winsys import HotfixRecord, read_windows_registry

VOLUME = Path(__file__).resolve().parent.parent / "testdata" / "nt4"
SYSTEM32 = VOLUME / "WINNT" / "system32"


def _manifest(article: str, *rows: tuple[str, str | None]) -> Manifest:
    files = tuple(FileRow(name, parse_version(v) if v else None, platform="x86") for name, v in rows)
    return Manifest(article, f"{article} (test)", "Microsoft Windows NT", files, ("4.0",))


# Real rows of real articles (their x86 versions), see testdata/nt4-files.tsv.
ARTICLES = [
    _manifest("Q307991", ("Tcpip.sys", "4.0.1381.7109")),
    _manifest("Q320249", ("Afd.sys", "4.0.1381.7144")),
    _manifest("Q303874", ("Lsasrv.dll", "4.0.1381.7097")),
    _manifest("Q297040", ("Tcpip.sys", None)),
    _manifest("Q252693", ("Infocomm.dll", "4.2.739.1"), ("W3svc.dll", "4.2.739.1")),
]


def _results():
    cache = FileCache()
    results = []
    for folder in (SYSTEM32, SYSTEM32 / "drivers", SYSTEM32 / "inetsrv"):
        checked = check_folder(ARTICLES, folder, cache, root=VOLUME, skip_inapplicable=True)
        results.extend(checked.results)
    return results


def test_the_mock_volumes_records_against_its_files() -> None:
    registry = read_windows_registry(open_hive(SYSTEM32 / "config" / "software"))
    checks = {c.article: c for c in cross_check(registry.hotfixes, _results())}
    assert {a: c.finding for a, c in checks.items()} == {
        "Q307991": Finding.OVERWRITTEN,   # recorded, but Tcpip.sys is 4.0.1381.7095
        "Q320249": Finding.CONFIRMED,     # recorded, Afd.sys at 4.0.1381.7144
        "Q246009": Finding.UNCHECKED,     # the SP6a record: no article checked for it
        "Q303874": Finding.UNRECORDED,    # Lsasrv.dll at the table, no record: fine
    }  # Q297040 (present only) and Q252693 (Infocomm.dll outdated, no record) give no finding
    assert checks["Q307991"].message == (
        "hotfix Q307991 recorded as installed (12/3/2001) but Tcpip.sys is 4.0.1381.7095, "
        "older than its table's 4.0.1381.7109"
    )


def test_a_record_that_says_not_installed_is_not_taken() -> None:
    records = [HotfixRecord("Q307991", "Q307991", False)]
    assert [c.article for c in cross_check(records, _results())] == ["Q303874", "Q320249"]


def test_a_recorded_hotfix_whose_file_is_missing_is_overwritten() -> None:
    missing = _manifest("Q999001", ("Nosuch.sys", "4.0.1381.7000"), ("Afd.sys", "4.0.1381.7144"))
    result = check_folder([missing], SYSTEM32 / "drivers", FileCache(), root=VOLUME).results
    (found,) = cross_check([HotfixRecord("Q999001", "Q999001", None)], result)
    assert found.finding is Finding.OVERWRITTEN and "Nosuch.sys is missing" in found.message
