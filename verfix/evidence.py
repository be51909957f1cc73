"""The evidence for a table row without a version: size and date against the file.

Many NT 4.0 tables give only date, time, size and name. Such a row can only be
``present``; this rule adds what the file itself says, as a note, never as ``ok``:

- the file's link time (the COFF header's ``TimeDateStamp``, UTC) against the table's
  date, allowing ``TOLERANCE_DAYS`` either way (the table gives local time, and the date
  a file was written can follow its link by a day or so);
- the file's size against the table's (equal sizes make "the same build" likely).

Verdicts: **same build** (size equal and link date within the tolerance of the table's
date), **likely fixed** (built on or after the table's date), **likely not fixed** (built
more than the tolerance before it), **cannot tell** (no usable link time or table date:
a link time of 0, before 1990 or in the future, as reproducible builds write, is not used).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

TOLERANCE_DAYS = 2
_EARLIEST = dt.date(1990, 1, 1)
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


class Likely(str, Enum):
    """What the size and date evidence suggests about a versionless row."""

    SAME_BUILD = "same-build"
    FIXED = "likely-fixed"
    NOT_FIXED = "likely-not-fixed"
    UNKNOWN = "cannot-tell"


@dataclass(frozen=True)
class Evidence:
    """The suggestion and the note that says it plainly."""

    likely: Likely
    note: str


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 1900 if year >= 80 else 2000
    return year


def parse_table_date(text: str | None) -> dt.date | None:
    """The date of a table's date column, in the spellings KB tables use, or None.

    ``9/20/99``, ``11/15/1999 07:04:36pm``, ``2-24-2000``, ``15-Nov-2001``, ``Jul-06-2000``,
    ``1999/10/02``. A time after the date is ignored.
    """
    if not text:
        return None
    first = text.strip().split()[0] if text.strip() else ""
    try:
        if match := re.fullmatch(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", first):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})", first):
            return dt.date(_year(match[3]), int(match[1]), int(match[2]))
        if match := re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})[a-z]*-(\d{2}|\d{4})", first):
            month = _MONTHS.get(match[2].lower())
            return dt.date(_year(match[3]), month, int(match[1])) if month else None
        if match := re.fullmatch(r"([A-Za-z]{3})[a-z]*-(\d{1,2})-(\d{2}|\d{4})", first):
            month = _MONTHS.get(match[1].lower())
            return dt.date(_year(match[3]), month, int(match[2])) if month else None
    except ValueError:  # 2/30/99
        return None
    return None


def link_date(time_date_stamp: int | None, today: dt.date | None = None) -> dt.date | None:
    """The UTC date of a COFF TimeDateStamp, or None when it cannot be a link time."""
    if not time_date_stamp:
        return None
    date = dt.datetime.fromtimestamp(time_date_stamp, dt.timezone.utc).date()
    if date < _EARLIEST or date > (today or dt.date.today()):
        return None
    return date


def versionless_evidence(
    table_date: str | None,
    table_size: int | None,
    file_size: int | None,
    time_date_stamp: int | None,
    today: dt.date | None = None,
) -> Evidence:
    """The size-and-date evidence for one versionless row and the file found for it."""
    wanted = parse_table_date(table_date)
    built = link_date(time_date_stamp, today)
    size_same = table_size is not None and file_size == table_size
    if file_size is not None and table_size is not None:
        size_text = (f"same size as the table ({file_size:,} bytes)" if size_same
                     else f"{file_size:,} bytes, the table says {table_size:,}")
    else:
        size_text = "no size to compare"
    if wanted is None or built is None:
        missing = "no link time in the file" if built is None else f"no readable date in the table ({table_date!r})"
        return Evidence(Likely.UNKNOWN, f"no version to compare: {missing}; {size_text}; cannot tell")
    gap = (built - wanted).days
    if size_same and abs(gap) <= TOLERANCE_DAYS:
        return Evidence(Likely.SAME_BUILD, f"no version to compare: built {built}, the table's date is "
                                           f"{wanted}, {size_text}: likely the fix's own build")
    if gap >= -TOLERANCE_DAYS:
        return Evidence(Likely.FIXED, f"no version to compare: built {built}, on or after the fix's "
                                      f"{wanted} build ({size_text}): likely fixed")
    return Evidence(Likely.NOT_FIXED, f"no version to compare: built {built}, before the fix's "
                                      f"{wanted} build ({size_text}): likely not fixed")
