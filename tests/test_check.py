"""Row statuses, notes and manifest verdicts, with the PE reader's answers given."""

from pathlib import Path

import pytest

from verfix.check import (
    FileCache, RowResult, Status, Verdict, check_folder, check_manifest, check_row, fits_release,
    is_applicable, release_label, server_release, verdict_of,
)
from verfix.locate import FolderIndex
from verfix.manifest import FileRow, Manifest
from verfix.pe import NotPEError, PEInfo, PEReadError
from verfix.version import Version

REQUIRED = Version(5, 5, 2646, 0)


class GivenAnswers(FileCache):
    """A cache whose reader answers from a table keyed by file name; counts the reads."""

    def __init__(self, answers):
        super().__init__()
        self.answers = answers
        self.reads = []

    def read(self, path):
        if path not in self._results:
            self.reads.append(path.name)
            self._results[path] = self.answers[path.name]
        return self._results[path]


def info(version, string=None, machine="i386", **extra):
    return PEInfo(machine=machine, file_version=version, file_version_string=string,
                  has_version_resource=version is not None, **extra)


def folder(tmp_path: Path, *names: str) -> FolderIndex:
    for name in names:
        (tmp_path / name).write_bytes(b"MZ")
    return FolderIndex(tmp_path)


def row(name="Emsmta.exe", version=REQUIRED, platform=None):
    return FileRow(name=name, version=version, platform=platform)


def test_ok_when_fixed_version_equals_required(tmp_path):
    answers = GivenAnswers({"Emsmta.exe": info(REQUIRED, "5.5.2646.0")})
    result = check_row(row(), folder(tmp_path, "Emsmta.exe"), answers)
    assert result.status is Status.OK
    assert result.notes == ()
    assert result.path == tmp_path / "Emsmta.exe"


def test_outdated_below_required_compared_as_integers(tmp_path):
    # 5.5.265.0 is "greater" as text, lower as numbers.
    answers = GivenAnswers({"Emsmta.exe": info(Version(5, 5, 265, 0), "5.5.265.0")})
    assert check_row(row(), folder(tmp_path, "Emsmta.exe"), answers).status is Status.OUTDATED


def test_newer_than_required_is_ok_with_a_note(tmp_path):
    answers = GivenAnswers({"Emsmta.exe": info(Version(5, 5, 2650, 0), "5.5.2650.0")})
    result = check_row(row(), folder(tmp_path, "Emsmta.exe"), answers)
    assert result.status is Status.OK
    assert result.notes == ("newer than required (5.5.2650.0 > 5.5.2646.0)",)


def test_string_that_disagrees_with_fixed_version_is_noted_not_used(tmp_path):
    answers = GivenAnswers({"Emsmta.exe": info(REQUIRED, "5.5.2448.0")})
    result = check_row(row(), folder(tmp_path, "Emsmta.exe"), answers)
    assert result.status is Status.OK
    assert "FileVersion string '5.5.2448.0' disagrees with the fixed version 5.5.2646.0" in result.notes


def test_comma_spelled_string_agrees(tmp_path):
    answers = GivenAnswers({"Emsmta.exe": info(REQUIRED, "5, 5, 2646, 0")})
    assert check_row(row(), folder(tmp_path, "Emsmta.exe"), answers).notes == ()


def test_missing_file(tmp_path):
    answers = GivenAnswers({})
    assert check_row(row(), folder(tmp_path), answers).status is Status.MISSING
    assert answers.reads == []


def test_present_for_a_row_without_version_and_never_read(tmp_path):
    answers = GivenAnswers({})
    result = check_row(row("P2.xv2", None), folder(tmp_path, "P2.XV2"), answers)
    assert result.status is Status.PRESENT
    assert result.path.name == "P2.XV2"
    assert answers.reads == []


@pytest.mark.parametrize(
    "answer, reason",
    [
        (info(None, version_problem="no version resource"), "no version resource"),
        (info(None, version_problem="version resource has no fixed block"), "version resource has no fixed block"),
        (info(Version(0, 0, 0, 0)), "fixed file version is 0.0.0.0"),
    ],
)
def test_no_version(tmp_path, answer, reason):
    result = check_row(row(), folder(tmp_path, "Emsmta.exe"), GivenAnswers({"Emsmta.exe": answer}))
    assert result.status is Status.NO_VERSION
    assert result.notes == (reason,)


def test_unreadable_keeps_the_reason(tmp_path):
    answers = GivenAnswers({"Emsmta.exe": PEReadError("truncated: section table")})
    result = check_row(row(), folder(tmp_path, "Emsmta.exe"), answers)
    assert result.status is Status.UNREADABLE
    assert result.notes == ("truncated: section table",)


def test_directory_named_like_the_file_is_unreadable(tmp_path):
    (tmp_path / "Emsmta.exe").mkdir()
    result = check_row(row(), FolderIndex(tmp_path), GivenAnswers({}))
    assert result.status is Status.UNREADABLE
    assert result.notes == ("is a directory, not a file",)


def test_row_for_another_platform_is_not_applicable(tmp_path):
    index = folder(tmp_path, "Emsmta.exe")
    answers = GivenAnswers({"Emsmta.exe": info(REQUIRED, machine="i386")})
    alpha = check_row(row(platform="alpha"), index, answers)
    assert alpha.status is Status.NOT_APPLICABLE
    assert alpha.notes == ("row is for alpha, file is i386",)
    assert check_row(row(platform="x86"), index, answers).status is Status.OK
    assert answers.reads == ["Emsmta.exe"]  # read once for both rows


def test_names_differing_only_by_case_are_all_checked(tmp_path):
    index = folder(tmp_path, "Emsmta.exe", "EMSMTA.EXE")
    answers = GivenAnswers({"Emsmta.exe": info(REQUIRED), "EMSMTA.EXE": info(Version(5, 5, 2448, 0))})
    result = check_row(row(), index, answers)
    assert result.status is Status.OUTDATED
    assert result.path.name == "EMSMTA.EXE"
    assert result.notes[-1] == (
        "2 files differ only by case, all checked: EMSMTA.EXE (outdated, 5.5.2448.0), "
        "Emsmta.exe (ok, 5.5.2646.0)"
    )
    assert sorted(answers.reads) == ["EMSMTA.EXE", "Emsmta.exe"]


def results(*statuses):
    return [RowResult(row(), status) for status in statuses]


@pytest.mark.parametrize(
    "statuses, verdict",
    [
        ((Status.OK, Status.PRESENT), Verdict.COMPLIANT),
        ((Status.OK, Status.OUTDATED), Verdict.NOT_COMPLIANT),
        ((Status.OK, Status.MISSING, Status.UNREADABLE), Verdict.NOT_COMPLIANT),
        ((Status.OK, Status.UNREADABLE), Verdict.INCOMPLETE),
        ((Status.OK, Status.NO_VERSION), Verdict.INCOMPLETE),
        ((Status.OK, Status.NOT_APPLICABLE), Verdict.COMPLIANT),
        ((Status.NOT_APPLICABLE,), Verdict.NOT_APPLICABLE),
    ],
)
def test_verdicts(statuses, verdict):
    assert verdict_of(results(*statuses)) is verdict


def test_check_manifest_and_applicability(tmp_path):
    manifest = Manifest(
        id="Q123456", title="t", product="p",
        files=(row("Emsmta.exe"), row("X400om.dll"), row("P2.xv2", None)),
    )
    index = folder(tmp_path, "emsmta.exe", "p2.xv2")
    answers = GivenAnswers({"emsmta.exe": info(REQUIRED)})
    result = check_manifest(manifest, tmp_path, index, answers)
    assert [r.status for r in result.rows] == [Status.OK, Status.MISSING, Status.PRESENT]
    assert result.verdict is Verdict.NOT_COMPLIANT
    assert result.counts() == {"ok": 1, "missing": 1, "present": 1}
    assert is_applicable(manifest, index)
    only_data = tmp_path / "only-data"
    only_data.mkdir()
    # The versioned files are absent: the component is not installed there.
    assert not is_applicable(manifest, folder(only_data, "p2.xv2"))


def test_versioned_data_file_is_present_with_a_note(tmp_path):
    # KB tables give data files such as Dbserver.sch a version; no version can be read from them.
    answers = GivenAnswers({"Dbserver.sch": NotPEError("not a PE file (no MZ header)")})
    result = check_row(row("Dbserver.sch"), folder(tmp_path, "Dbserver.sch"), answers)
    assert result.status is Status.PRESENT
    assert "its version cannot be read, checked for presence only" in result.notes[0]


def test_executable_that_is_not_a_pe_is_unreadable(tmp_path):
    answers = GivenAnswers({"Emsmta.exe": NotPEError("not a PE file (no MZ header)")})
    result = check_row(row("Emsmta.exe"), folder(tmp_path, "Emsmta.exe"), answers)
    assert result.status is Status.UNREADABLE
    assert result.notes == ("not a PE file (no MZ header)",)


@pytest.mark.parametrize(
    "text, label",
    [("5.5", "5.5"), ("5.5 SP2", "5.5"), ("5", "5.0"), ("2000", "2000"), ("Outlook 98", None), ("4.0 SP6a", "4.0")],
)
def test_release_labels(text, label):
    assert release_label(text) == label


def test_rows_for_another_release_are_not_applicable(tmp_path):
    manifest = Manifest(
        id="Q123456", title="t", product="p", product_versions=("5.0", "5.5"),
        files=(
            FileRow("Emsmta.exe", Version(5, 0, 1460, 0), product_version="5.0"),
            FileRow("Emsmta.exe", REQUIRED, product_version="5.5"),
        ),
    )
    index = folder(tmp_path, "Emsmta.exe")
    answers = GivenAnswers({"Emsmta.exe": info(REQUIRED)})
    assert server_release(index, answers) == "5.5"
    result = check_manifest(manifest, tmp_path, index, answers, release="5.5")
    assert [r.status for r in result.rows] == [Status.NOT_APPLICABLE, Status.OK]
    assert result.rows[0].notes == ("row is for 5.0; this server runs 5.5",)
    assert fits_release(manifest, "5.5") and not fits_release(manifest, "2000")
    assert fits_release(manifest, None)


def test_check_folder_sets_aside_what_does_not_apply(tmp_path):
    mta = Manifest(id="Q100001", title="mta", product="p", product_versions=("5.5",),
                   files=(row("Emsmta.exe"),))
    store = Manifest(id="Q100002", title="store", product="p", product_versions=("5.5",),
                     files=(row("Store.exe"),))
    old = Manifest(id="Q100003", title="old", product="p", product_versions=("5.0",),
                   files=(row("Emsmta.exe", Version(5, 0, 1460, 0)),))
    folder(tmp_path, "EMSMTA.EXE")
    answers = GivenAnswers({"EMSMTA.EXE": info(REQUIRED)})
    checked = check_folder([mta, store, old], tmp_path, answers, skip_inapplicable=True)
    assert [r.manifest.id for r in checked.results] == ["Q100001"]
    assert checked.not_applicable == ("Q100002", "Q100003")
    assert checked.release == "5.5"
    named = check_folder([mta, store, old], tmp_path, answers)
    # Named, every manifest is checked; Emsmta.exe 5.0.1460.0 is an Exchange 5.0 build: the
    # release rule makes that row, and so the article, not applicable on this 5.5 server.
    assert [r.verdict for r in named.results] == [Verdict.COMPLIANT, Verdict.NOT_COMPLIANT, Verdict.NOT_APPLICABLE]
    assert named.results[2].rows[0].notes == (
        "release rule: row's version 5.0.1460.0 is of Microsoft Exchange Server release 5.0; this server runs 5.5",)
