"""The size-and-date evidence for rows without a version: never ``ok``, always said plainly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pefile
import pytest

from verfix.evidence import Likely, link_date, parse_table_date, versionless_evidence

DRIVERS = Path(__file__).resolve().parent.parent / "testdata" / "nt4" / "WINNT" / "system32" / "drivers"
TODAY = dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("09/20/99", dt.date(1999, 9, 20)), ("9/3/98", dt.date(1998, 9, 3)),
        ("11/15/1999 07:04:36pm", dt.date(1999, 11, 15)), ("2-24-2000 8:15:06pm", dt.date(2000, 2, 24)),
        ("15-Nov-2001", dt.date(2001, 11, 15)), ("Jul-06-2000", dt.date(2000, 7, 6)),
        ("1999/10/02 06:11", dt.date(1999, 10, 2)), ("05/06/01", dt.date(2001, 5, 6)),
        ("2/30/99", None), ("xx/xx/xx", None), ("", None), (None, None), ("32-Foo-2001", None),
    ],
)
def test_table_dates_in_the_spellings_tables_use(text, date) -> None:
    assert parse_table_date(text) == date


def _stamp(year: int, month: int, day: int) -> int:
    return int(dt.datetime(year, month, day, 12, tzinfo=dt.timezone.utc).timestamp())


def test_implausible_link_times_are_not_used() -> None:
    assert link_date(0, TODAY) is None
    assert link_date(_stamp(1985, 1, 1), TODAY) is None
    assert link_date(_stamp(2030, 1, 1), TODAY) is None
    assert link_date(_stamp(1999, 6, 28), TODAY) == dt.date(1999, 6, 28)


def test_same_size_and_date_is_likely_the_fixs_own_build() -> None:
    found = versionless_evidence("06/28/99  01:10p", 123_120, 123_120, _stamp(1999, 6, 28), TODAY)
    assert found.likely is Likely.SAME_BUILD
    assert "built 1999-06-28" in found.note and "likely the fix's own build" in found.note


def test_built_before_the_fix_is_likely_not_fixed() -> None:
    found = versionless_evidence("10/07/1999  03:13p", 123_152, 123_120, _stamp(1999, 6, 28), TODAY)
    assert found.likely is Likely.NOT_FIXED
    assert found.note == ("no version to compare: built 1999-06-28, before the fix's 1999-10-07 build "
                          "(123,120 bytes, the table says 123,152): likely not fixed")


def test_built_after_the_fix_is_likely_fixed_and_tolerance_is_two_days() -> None:
    assert versionless_evidence("09/20/99", 150_864, 174_896, _stamp(2001, 4, 27), TODAY).likely is Likely.FIXED
    assert versionless_evidence("09/20/99", 1, 2, _stamp(1999, 9, 18), TODAY).likely is Likely.FIXED
    assert versionless_evidence("09/20/99", 1, 2, _stamp(1999, 9, 17), TODAY).likely is Likely.NOT_FIXED


def test_without_a_link_time_or_a_date_it_cannot_tell() -> None:
    assert versionless_evidence("09/20/99", 1, 1, 0, TODAY).likely is Likely.UNKNOWN
    unknown = versionless_evidence("xx/xx/xx", 150_864, 150_864, _stamp(1999, 9, 20), TODAY)
    assert unknown.likely is Likely.UNKNOWN and "same size" in unknown.note


@pytest.mark.parametrize(
    ("name", "date", "size", "likely"),
    [
        ("netbt.sys", "06/28/99", 123_120, Likely.SAME_BUILD),  # Q236316
        ("netbt.sys", "10/07/1999", 123_152, Likely.NOT_FIXED),  # Q241041
        ("tcpip.sys", "27-Apr-2001", 174_896, Likely.SAME_BUILD),  # Q297040
        ("tcpip.sys", "09/20/99", 150_864, Likely.FIXED),  # Q242060
    ],
)
def test_the_mock_volumes_drivers_against_real_versionless_rows(name, date, size, likely) -> None:
    path = DRIVERS / name
    stamp = pefile.PE(str(path), fast_load=True).FILE_HEADER.TimeDateStamp
    assert versionless_evidence(date, size, path.stat().st_size, stamp).likely is likely


def test_check_keeps_versionless_rows_present_and_adds_the_evidence(tmp_path: Path) -> None:
    from verfix.check import FileCache, Status, Verdict, check_folder
    from verfix.manifest import FileRow, Manifest

    rows = (
        FileRow("Netbt.sys", platform="x86", size=123_152, date="10/07/1999  03:13p"),  # Q241041
        FileRow("Tcpip.sys", platform="x86", size=174_896, date="27-Apr-2001  15:54"),  # Q297040
        FileRow("Afd.sys", platform="x86"),  # no date, no size: nothing to say
    )
    manifest = Manifest("Q241041", "test", "Microsoft Windows NT", rows, ("4.0",))
    (result,) = check_folder([manifest], DRIVERS, FileCache()).results
    assert [r.status for r in result.rows] == [Status.PRESENT] * 3
    assert result.verdict is Verdict.COMPLIANT  # evidence never turns present into ok or outdated
    netbt, tcpip, afd = result.rows
    assert netbt.notes == ("no version to compare: built 1999-06-28, before the fix's 1999-10-07 build "
                           "(123,120 bytes, the table says 123,152): likely not fixed",)
    assert tcpip.notes[0].endswith("likely the fix's own build")
    assert afd.notes == ()


def test_a_damaged_or_data_file_gets_a_plain_note_or_none(tmp_path: Path) -> None:
    from verfix.check import FileCache, Status, check_folder
    from verfix.manifest import FileRow, Manifest

    (tmp_path / "Broken.dll").write_bytes(b"MZ" + b"\0" * 10)
    (tmp_path / "Readme.txt").write_text("text")
    rows = (FileRow("Broken.dll", date="1/1/99"), FileRow("Readme.txt", date="1/1/99"))
    (result,) = check_folder([Manifest("Q1", "t", "p", rows)], tmp_path, FileCache()).results
    broken, readme = result.rows
    assert broken.status is Status.PRESENT and "link time cannot be read: truncated" in broken.notes[0]
    assert readme.notes == ()
